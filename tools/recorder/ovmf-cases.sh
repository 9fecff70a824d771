#!/bin/bash
# Re-record the OVMF set: tests/recordings/ovmf/<case>/ (QEMU 7.2 + Debian's OVMF 2022.11 on pc/q35).
# Usage: tools/recorder/ovmf-cases.sh [NAME-GLOB]      e.g. 'q35-*', 'lx-*', 'pc-bridge*'
# Needs qemu-system-x86 + ovmf installed and, for the lx-* (Linux 6.12) cases, ../shared/recorder/setup.sh's
# $ORACLE_CACHE (amd64-6.12 kernel). Firmware-only cases take ~1 min each under TCG, Linux ones a few minutes.
# Devices with an iPXE option ROM (e1000, virtio-net) make OVMF try a network boot before the shell; they are
# used sparingly (romfile= turns the ROM off where the ROM is not the point).
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUTROOT="${OVMF_OUT:-$REPO/tests/recordings/ovmf}"
ONLY="${1:-*}"
FAILED=()

want() { [[ "$1" == $ONLY ]]; }

fw() { # fw NAME MACHINE MEM [args...]
  local name=$1 machine=$2 mem=$3; shift 3
  want "$name" || return 0
  rm -rf "$OUTROOT/$name"; mkdir -p "$OUTROOT/$name"
  echo "== $name (ovmf firmware, $machine, -m $mem)"
  timeout 1500 "$HERE/ovmf.sh" --machine "$machine" -m "$mem" --out "$OUTROOT/$name" "$@" || FAILED+=("$name")
}

lx() { # lx NAME MACHINE MEM [args...]: Linux 6.12 on OVMF
  local name=$1 machine=$2 mem=$3; shift 3
  want "$name" || return 0
  rm -rf "$OUTROOT/$name"; mkdir -p "$OUTROOT/$name"
  echo "== $name (ovmf + linux 6.12, $machine, -m $mem)"
  timeout 2400 "$HERE/ovmf.sh" --linux --kernel-version 6.12 --machine "$machine" -m "$mem" \
    --out "$OUTROOT/$name" "$@" || FAILED+=("$name")
}

RP=(-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1)
RPT=("${RP[@]}" -device pci-testdev,bus=rp1,membar=4M)

# ---- q35, root ports
fw q35-rootport-1G q35 1G "${RP[@]}"
fw q35-rootport-testdev-4M-1G q35 1G "${RPT[@]}"
fw q35-rootport-pref64-1G-1G q35 1G -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,pref64-reserve=1G
fw q35-rootport-reserves-1G q35 1G \
  -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,bus-reserve=3,io-reserve=4K,mem-reserve=8M,pref64-reserve=32M \
  -device pci-testdev,bus=rp1,membar=1M
fw q35-rootport-pref32-16M-1G q35 1G -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,pref32-reserve=16M
fw q35-rootport-zero-reserves-1G q35 1G \
  -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,io-reserve=0,mem-reserve=0,pref64-reserve=0
fw q35-rootport-odd-reserves-1G q35 1G \
  -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,io-reserve=3K,mem-reserve=3M,pref64-reserve=100M
fw q35-two-rootports-1G q35 1G "${RP[@]}" -device pcie-root-port,id=rp2,bus=pcie.0,chassis=2

# ---- q35, mixed / big BARs (the SeaBIOS d1/d2/d5/d6 topologies)
D1=(
  -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=0x2.0,multifunction=on
  -device pci-testdev,bus=rp1,membar=1M
  -device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,addr=0x2.1
  -device pci-testdev,bus=rp2,membar=64M
  -device pcie-root-port,id=rp3,bus=pcie.0,chassis=3,addr=0x2.2,io-reserve=0,mem-reserve=8M,bus-reserve=3
  -device pcie-root-port,id=rp4,bus=pcie.0,chassis=4,addr=0x2.3,pref64-reserve=256M
  -device pci-testdev,bus=rp4,membar=4M
  -device pcie-root-port,id=rp5,bus=pcie.0,chassis=5,addr=0x2.4
  -device pcie-pci-bridge,id=ppb1,bus=rp5
  -device pci-testdev,bus=ppb1,addr=1,membar=4M
  -device e1000,bus=ppb1,addr=2,romfile=
  -device pci-bridge,id=br1,bus=pcie.0,chassis_nr=6,addr=0x3
  -device pci-testdev,bus=br1,addr=1,membar=1G
  -device virtio-rng-pci,bus=pcie.0,addr=0x4
)
fw q35-mixed-1G q35 1G "${D1[@]}"
fw q35-mixed-4G q35 4G "${D1[@]}"
D2=(
  -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1 -device pci-testdev,bus=rp1,membar=4G
  -device pcie-root-port,id=rp2,bus=pcie.0,chassis=2 -device pci-testdev,bus=rp2,membar=1G
  -device pcie-root-port,id=rp3,bus=pcie.0,chassis=3 -device pci-testdev,bus=rp3,membar=64M
)
fw q35-bigbars-1G q35 1G "${D2[@]}"
fw q35-bigbars-4G q35 4G "${D2[@]}"
D5=()
i=0
for slot in 2 3; do for fn in 0 1 2 3 4 5 6 7; do
  i=$((i+1)); [ $i -gt 12 ] && break
  mf=""; [ $fn = 0 ] && mf=",multifunction=on"
  D5+=(-device "pcie-root-port,id=rp$i,bus=pcie.0,chassis=$i,addr=0x$slot.$fn$mf" -device "pci-testdev,bus=rp$i")
done; done
fw q35-12rootports-io-1G q35 1G "${D5[@]}"
fw q35-4G-bar-on-root-4G q35 4G -device pci-testdev,bus=pcie.0,membar=4G -device pci-testdev,bus=pcie.0,membar=16M
fw q35-64bit-bars-on-root-2G q35 2G -device pci-testdev,bus=pcie.0,membar=256M -device pci-testdev,bus=pcie.0,membar=2M \
  -device virtio-rng-pci,bus=pcie.0

# ---- q35, switches and bridges
SW=(
  -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1
  -device x3130-upstream,id=up1,bus=rp1
  -device xio3130-downstream,id=dn1,bus=up1,chassis=2,slot=0
  -device xio3130-downstream,id=dn2,bus=up1,chassis=3,slot=1
  -device pci-testdev,bus=dn1,membar=8M
)
fw q35-switch-1G q35 1G "${SW[@]}"
fw q35-switch-2testdev-1G q35 1G "${SW[@]}" -device pci-testdev,bus=dn2,membar=128M
fw q35-pcie-pci-bridge-1G q35 1G -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1 \
  -device pcie-pci-bridge,id=ppb1,bus=rp1 -device pci-testdev,bus=ppb1,addr=1,membar=2M \
  -device pci-testdev,bus=ppb1,addr=2,membar=32M
fw q35-pci-bridge-nested-1G q35 1G -device pci-bridge,id=br1,bus=pcie.0,chassis_nr=1,addr=0x5 \
  -device pci-bridge,id=br2,bus=br1,chassis_nr=2,addr=3,bus-reserve=2,mem-reserve=16M \
  -device pci-testdev,bus=br2,addr=1,membar=16M

# ---- q35, RAM size (moves the 32-bit hole and the end of RAM above 4G)
fw q35-rootport-testdev-4M-2G q35 2G "${RPT[@]}"
fw q35-rootport-testdev-4M-3G q35 3G "${RPT[@]}"
fw q35-rootport-testdev-4M-4G q35 4G "${RPT[@]}"
fw q35-rootport-testdev-4M-8G q35 8G "${RPT[@]}"

# ---- q35, CPU physical address bits and the X-PciMmio64Mb override (OVMF's 64-bit window)
fw q35-physbits36-1G q35 1G "${RPT[@]}" -cpu qemu64,phys-bits=36
fw q35-physbits39-1G q35 1G "${RPT[@]}" -cpu qemu64,phys-bits=39
fw q35-physbits39-intel-1G q35 1G "${RPT[@]}" -cpu qemu64,phys-bits=39,vendor=GenuineIntel
fw q35-physbits44-1G q35 1G "${RPT[@]}" -cpu qemu64,phys-bits=44
fw q35-physbits46-8G q35 8G "${RPT[@]}" -cpu qemu64,phys-bits=46
fw q35-mmio64-4096M-1G q35 1G "${RPT[@]}" -fw_cfg name=opt/ovmf/X-PciMmio64Mb,string=4096
fw q35-mmio64-65536M-physbits39-1G q35 1G "${RPT[@]}" -cpu qemu64,phys-bits=39 \
  -fw_cfg name=opt/ovmf/X-PciMmio64Mb,string=65536
fw q35-mmio64-16384M-bigbars-1G q35 1G "${D2[@]}" -fw_cfg name=opt/ovmf/X-PciMmio64Mb,string=16384

# ---- pc (i440fx)
fw pc-bridge-1G pc 1G -device pci-bridge,id=br1,chassis_nr=1 -device pci-testdev,bus=br1,addr=1
fw pc-bridge-64M-1G pc 1G -device pci-bridge,id=br1,chassis_nr=1 -device pci-testdev,bus=br1,addr=1,membar=64M
D3=(
  -device pci-bridge,id=br1,chassis_nr=1,addr=0x5
  -device pci-testdev,bus=br1,addr=1,membar=1M
  -device pci-testdev,bus=br1,addr=2,membar=4M
  -device pci-testdev,bus=br1,addr=3,membar=64M
  -device pci-bridge,id=br2,bus=br1,chassis_nr=2,addr=4
  -device pci-testdev,bus=br2,addr=1,membar=1M
  -device pci-bridge,id=br3,chassis_nr=3,addr=0x6,bus-reserve=2,io-reserve=8K,mem-reserve=32M,pref64-reserve=1G
  -device pci-testdev,addr=0x7,membar=256M
)
fw pc-bridges-1G pc 1G "${D3[@]}"
fw pc-bridges-4G pc 4G "${D3[@]}"
fw pc-3x256M-1G pc 1G -device pci-testdev,membar=256M -device pci-testdev,membar=256M -device pci-testdev,membar=256M
fw pc-3x256M-4G pc 4G -device pci-testdev,membar=256M -device pci-testdev,membar=256M -device pci-testdev,membar=256M
fw pc-vga-rng-1G pc 1G -device VGA,vgamem_mb=64 -device virtio-rng-pci
fw pc-bridge-reserves-2G pc 2G -device pci-bridge,id=br1,chassis_nr=1,io-reserve=4K,mem-reserve=4M,pref32-reserve=8M
fw pc-1G-bar-8G pc 8G -device pci-testdev,membar=1G -device pci-bridge,id=br1,chassis_nr=1 \
  -device pci-testdev,bus=br1,addr=1,membar=2G
fw pc-physbits39-4G pc 4G -device pci-bridge,id=br1,chassis_nr=1 -device pci-testdev,bus=br1,addr=1,membar=4M \
  -cpu qemu64,phys-bits=39
fw pc-mmio64-8192M-4G pc 4G -device pci-bridge,id=br1,chassis_nr=1 -device pci-testdev,bus=br1,addr=1,membar=4M \
  -fw_cfg name=opt/ovmf/X-PciMmio64Mb,string=8192

# ---- Linux 6.12 on OVMF, hot-plug through QMP device_add (QEMU 7.2 default: ACPI hot-plug on pc and q35)
lx lx-q35-rootport-hotplug-4M q35 1G "${RP[@]}" --hotplug pci-testdev,bus=rp1,membar=4M
lx lx-q35-rootport-hotplug-1G q35 1G "${RP[@]}" --hotplug pci-testdev,bus=rp1,membar=1G
lx lx-q35-rootport-physbits36-hotplug-4M q35 1G "${RP[@]}" -cpu qemu64,phys-bits=36 \
  --hotplug pci-testdev,bus=rp1,membar=4M
lx lx-q35-rootport-pref64-1G-hotplug-512M q35 1G -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,pref64-reserve=1G \
  --hotplug pci-testdev,bus=rp1,membar=512M
lx lx-pc-bridge-hotplug-512M pc 1G -device pci-bridge,id=br1,chassis_nr=1 -device pci-testdev,bus=br1,addr=1 \
  --hotplug pci-testdev,bus=br1,addr=3,membar=512M
lx lx-q35-switch-hotplug-64M q35 1G "${SW[@]}" --hotplug pci-testdev,bus=dn2,membar=64M
lx lx-q35-rootport-native-hotplug-4M q35 1G "${RP[@]}" -global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off \
  --hotplug pci-testdev,bus=rp1,membar=4M

if [ ${#FAILED[@]} -gt 0 ]; then echo "FAILED: ${FAILED[*]}"; exit 1; fi
echo "all ovmf cases recorded"
