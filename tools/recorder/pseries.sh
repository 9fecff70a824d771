#!/bin/sh
# pseries recorder (QEMU 7.2 -M pseries + SLOF + Debian ppc64el Linux); see pseries.py / README.md
exec python3 "$(dirname "$0")/pseries.py" "$@"
