#!/bin/bash
# Records the project's arm64 set (tests/recordings/arm64/<case>/, plus the version cut-off set
# tests/recordings/arm64-compat/<case>/) with the shared recorder: ../shared/recorder/linux.sh
# --arch aarch64 --chroot (QEMU 11.1 + EDK2 2026.08 from the Debian sid chroot setup.sh builds).
# Usage: tools/recorder/arm64-cases.sh [NAME-GLOB]      e.g. 'rp*', '*-k61', 'compat-*'
# Needs ../shared/recorder/setup.sh to have run ($ORACLE_CACHE/.ready-x86-arm).
# Every case: -m 1G, Linux 6.12 unless the name ends in -k61 (Linux 6.1), same kernel command line.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
RECORDER="${ORACLE_RECORDER:-$REPO/../shared/recorder}"
CACHE="${ORACLE_CACHE:-/tmp/oracle-cache}"
CHROOT="${ORACLE_CHROOT_DIR:-$CACHE/chroot-sid}"
OUT="$REPO/tests/recordings"
ONLY="${1:-*}"
FAILED=()

want() { [[ "$1" == $ONLY ]]; }

# arm SET NAME KVER MACHINE [linux.sh args...]: one run of the shared recorder into tests/recordings/SET/NAME
arm() {
  local set=$1 name=$2 kver=$3 machine=$4; shift 4
  want "$name" || return 0
  if [ ! -x "$CHROOT/usr/bin/qemu-system-aarch64" ]; then
    echo "== $name skipped: no $CHROOT (run ../shared/recorder/setup.sh)"; FAILED+=("$name"); return 0
  fi
  local dir="$OUT/$set/$name"
  rm -rf "$dir"; mkdir -p "$dir"
  echo "== $set/$name (linux $kver, arm64 $machine, QEMU from $(basename "$CHROOT"))"
  timeout 1500 "$RECORDER/linux.sh" --arch aarch64 --machine "$machine" -m 1G --kernel-version "$kver" \
    --chroot "$CHROOT" --boot-timeout 1200 --hotplug-timeout 300 --out "$dir" "$@" || FAILED+=("$name")
  # keep each case small: the data channel repeats the dumps already in linux.json / *.txt
  rm -f "$dir/data-channel.log"
}

ACPIHP=(-global acpi-ged.acpi-pci-hotplug-with-bridge-support=on)

# ---- several root ports: IRQ numbering per port, acpiphp slot naming per bus, native pciehp on the second port
RP2=(-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1 -device pci-testdev,bus=rp1,membar=1M
     -device pcie-root-port,id=rp2,bus=pcie.0,chassis=2)
arm arm64 rp2-native 6.12 virt "${RP2[@]}" --hotplug pci-testdev,bus=rp2,membar=4M
arm arm64 rp2-native-k61 6.1 virt "${RP2[@]}" --hotplug pci-testdev,bus=rp2,membar=4M

RP3=(-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1 -device virtio-net-pci,bus=rp1
     -device pcie-root-port,id=rp2,bus=pcie.0,chassis=2 -device e1000e,bus=rp2
     -device pcie-root-port,id=rp3,bus=pcie.0,chassis=3)
arm arm64 rp3-acpihp 6.12 virt "${RP3[@]}" "${ACPIHP[@]}" --hotplug pci-testdev,bus=rp3,membar=1M
arm arm64 rp3-acpihp-k61 6.1 virt "${RP3[@]}" "${ACPIHP[@]}" --hotplug pci-testdev,bus=rp3,membar=1M

# multifunction root ports in one slot
RPMF=(-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=0x2.0,multifunction=on
      -device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,addr=0x2.1 -device pci-testdev,bus=rp2,membar=2M
      -device pcie-root-port,id=rp3,bus=pcie.0,chassis=3,addr=0x2.2 -device virtio-rng-pci,bus=rp3)
arm arm64 rpmf-native 6.12 virt "${RPMF[@]}" --hotplug pci-testdev,bus=rp1,membar=8M

# ---- reservation properties (QEMU's resource-reserve capability, read by EDK2's PciHotPlugInitDxe);
# x-pcie-ext-tag=off as a user property on rp2
RES=(-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,bus-reserve=3,io-reserve=8K,mem-reserve=8M,pref64-reserve=64M
     -device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,io-reserve=0,pref32-reserve=16M,x-pcie-ext-tag=off
     -device pcie-root-port,id=rp3,bus=pcie.0,chassis=3 -device pci-testdev,bus=rp3,membar=16M)
arm arm64 reserve-native 6.12 virt "${RES[@]}" --hotplug pci-testdev,bus=rp1,membar=32M
arm arm64 reserve-acpihp 6.12 virt "${RES[@]}" "${ACPIHP[@]}" --hotplug pci-testdev,bus=rp1,membar=32M

# ---- switches (x3130 upstream + xio3130 downstream ports)
SW=(-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1
    -device x3130-upstream,id=up1,bus=rp1
    -device xio3130-downstream,id=dp1,bus=up1,chassis=2,slot=0 -device pci-testdev,bus=dp1,membar=2M
    -device xio3130-downstream,id=dp2,bus=up1,chassis=2,slot=1 -device e1000e,bus=dp2
    -device xio3130-downstream,id=dp3,bus=up1,chassis=2,slot=2)
arm arm64 switch-native 6.12 virt "${SW[@]}" --hotplug pci-testdev,bus=dp3,membar=4M
arm arm64 switch-acpihp 6.12 virt "${SW[@]}" "${ACPIHP[@]}" --hotplug pci-testdev,bus=dp3,membar=1M
arm arm64 switch-acpihp-k61 6.1 virt "${SW[@]}" "${ACPIHP[@]}" --hotplug pci-testdev,bus=dp3,membar=1M

# ---- pcie-pci-bridge behind a root port, conventional endpoints behind it; acpiphp into the bridge
PPB=(-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1
     -device pcie-pci-bridge,id=ppb1,bus=rp1
     -device pci-testdev,bus=ppb1,addr=1,membar=4M -device virtio-rng-pci,bus=ppb1,addr=2
     -device pcie-root-port,id=rp2,bus=pcie.0,chassis=2)
arm arm64 ppb-acpihp 6.12 virt "${PPB[@]}" "${ACPIHP[@]}" --hotplug pci-testdev,bus=ppb1,addr=3,membar=1M
arm arm64 ppb-native 6.12 virt "${PPB[@]}" --hotplug pci-testdev,bus=rp2,membar=2M

# ---- endpoints of each kind on the root bus; acpiphp on the root bus
ROOT=(-device virtio-net-pci,bus=pcie.0 -device virtio-rng-pci,bus=pcie.0 -device e1000e,bus=pcie.0
      -device e1000,bus=pcie.0 -device pci-testdev,bus=pcie.0,membar=64M
      -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1)
arm arm64 root-acpihp 6.12 virt "${ROOT[@]}" "${ACPIHP[@]}" --hotplug pci-testdev,bus=pcie.0,membar=1M
arm arm64 root-native-k61 6.1 virt "${ROOT[@]}" --hotplug pci-testdev,bus=rp1,membar=1M

# ---- large 64-bit BARs (and the 32-bit BAR0/BAR1 of pci-testdev) below root ports and on the root bus
BIG=(-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1 -device pci-testdev,bus=rp1,membar=1G
     -device pcie-root-port,id=rp2,bus=pcie.0,chassis=2 -device pci-testdev,bus=rp2,membar=4G
     -device pci-testdev,bus=pcie.0,membar=256M
     -device pcie-root-port,id=rp3,bus=pcie.0,chassis=3)
arm arm64 bigbars-native 6.12 virt "${BIG[@]}" --hotplug pci-testdev,bus=rp3,membar=2G
arm arm64 bigbars-acpihp-k61 6.1 virt "${BIG[@]}" "${ACPIHP[@]}" --hotplug pci-testdev,bus=rp3,membar=2G

# ---- version cut-offs (QEMU 11.1's older machine types): x-pcie-err-unc-mask, x-pcie-ext-tag, acpi-ged hot-plug
CUT=(-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1 -device pci-testdev,bus=rp1,membar=1M)
for mt in 8.0 8.1 9.0 9.1 9.2 10.0 10.1; do
  arm arm64-compat "compat-virt-$mt" 6.12 "virt-$mt" "${CUT[@]}"
done
arm arm64-compat compat-virt-10.0-acpihp 6.12 virt-10.0 "${CUT[@]}" "${ACPIHP[@]}"

if [ ${#FAILED[@]} -gt 0 ]; then echo "FAILED: ${FAILED[*]}"; exit 1; fi
echo "all arm64 cases recorded"
