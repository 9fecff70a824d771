#!/bin/bash
# OVMF oracle (QEMU 7.2 + Debian's OVMF 2022.11; firmware-only, or --linux). See README.md.
exec python3 "$(dirname "$0")/lib/ovmf.py" "$@"
