#!/bin/bash
# Records the pseries set into tests/recordings/pseries/<case>/ (see README.md, "pseries").
# usage: pseries-cases.sh [fw|linux|linux61|hotplug|all] [NAME-GLOB]
# fw-<topo>: firmware only (SLOF); lx-<topo>: same topology booted into Linux 6.12; lx61-<topo>: Linux 6.1;
# hp-<case>: Linux 6.12 with QMP device_add after boot + drmgr in the guest.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${PSERIES_OUT:-$HERE/../../tests/recordings/pseries}
WHAT=${1:-all}
GLOB=${2:-*}
mkdir -p "$OUT"

# topology name | devices (one word per QEMU argument)
TOPOS=$(cat <<'T'
testdev-4M|-device pci-testdev,membar=4M
virtio-trio|-device virtio-net-pci -device virtio-rng-pci -device virtio-balloon-pci
e1000-rom|-device e1000 -device e1000,addr=5 -device virtio-net-pci,addr=3
two-devs-order|-device pci-testdev,addr=7,membar=1M -device pci-testdev,addr=2,membar=2M -device virtio-rng-pci,addr=4
multifunction|-device virtio-rng-pci,addr=2.0,multifunction=on -device virtio-balloon-pci,addr=2.1 -device pci-testdev,addr=2.2,membar=16M
bridge-devs|-device pci-bridge,chassis_nr=1,id=br1 -device pci-testdev,bus=br1,membar=4M -device e1000,bus=br1,addr=3 -device virtio-rng-pci
bridge-empty|-device pci-bridge,chassis_nr=1,id=br1 -device pci-testdev,membar=8M
bridge-nested|-device pci-bridge,chassis_nr=1,id=br1 -device pci-bridge,chassis_nr=2,id=br2,bus=br1,addr=1 -device pci-testdev,bus=br2,membar=32M -device virtio-rng-pci,bus=br1,addr=4 -device pci-bridge,chassis_nr=3,id=br3,addr=6 -device e1000,bus=br3
bridge-shpc-off|-device pci-bridge,chassis_nr=1,id=br1,shpc=off -device pci-testdev,bus=br1,membar=2M
phb1|-device spapr-pci-host-bridge,index=1 -device pci-testdev,bus=pci.1,membar=4M -device virtio-rng-pci
phb-3|-device spapr-pci-host-bridge,index=1 -device spapr-pci-host-bridge,index=2 -device spapr-pci-host-bridge,index=5 -device pci-testdev,bus=pci.1,membar=8M -device e1000,bus=pci.2 -device virtio-rng-pci,bus=pci.3 -device pci-testdev,membar=1M
phb-order|-device spapr-pci-host-bridge,index=2 -device spapr-pci-host-bridge,index=1,id=phbone -device pci-testdev,bus=pci.1,membar=2M -device virtio-balloon-pci,bus=phbone.0
phb1-bridge|-device spapr-pci-host-bridge,index=1 -device pci-bridge,chassis_nr=1,id=br1,bus=pci.1 -device pci-testdev,bus=br1,membar=64M -device ivshmem-plain,bus=br1,addr=2,memdev=m1 -object memory-backend-ram,id=m1,size=16M
bigbar-1G|-device pci-testdev,membar=1G -device pci-testdev,membar=256M -device pci-testdev,membar=4K
bigbar-4G|-device pci-testdev,membar=4G -device virtio-rng-pci
ivshmem|-device ivshmem-plain,memdev=m1 -object memory-backend-ram,id=m1,size=64M -device ivshmem-plain,memdev=m2,addr=3 -object memory-backend-ram,id=m2,size=512M
mem64-nonpref|-device qemu-xhci -device nvme,serial=nv1 -device pci-bridge,chassis_nr=1,id=br1 -device qemu-xhci,bus=br1
nonpref64-bridge|-device pci-bridge,chassis_nr=1,id=br1 -device nvme,serial=nv1,bus=br1 -device pci-testdev,bus=br1,membar=16M
vga-32bit|-device VGA,vgamem_mb=64 -device pci-testdev,membar=2M
overflow-32bit|-device VGA,vgamem_mb=512 -device VGA,vgamem_mb=512,addr=3 -device VGA,vgamem_mb=512,addr=4 -device VGA,vgamem_mb=512,addr=5
many-io|-device e1000,addr=1 -device e1000,addr=2 -device e1000,addr=3 -device virtio-net-pci,addr=4 -device virtio-net-pci,addr=5 -device pci-testdev,addr=6 -device pci-testdev,addr=7
phb1-no64|-device spapr-pci-host-bridge,index=1,mem64_win_size=0 -device pci-testdev,bus=pci.1,membar=4M -device ivshmem-plain,bus=pci.1,memdev=m1 -object memory-backend-ram,id=m1,size=32M
T
)

run_fw() {  # name args...
  local n=$1; shift
  echo "== fw-$n"; timeout 600 "$HERE/pseries.sh" fw --out "$OUT/fw-$n" "$@"
}
run_lx() {  # kver prefix name args...
  local k=$1 p=$2 n=$3; shift 3
  echo "== $p-$n"; timeout 1200 "$HERE/pseries.sh" linux --kernel-version "$k" --out "$OUT/$p-$n" "$@"
}

while IFS='|' read -r name args; do
  [ -n "$name" ] || continue
  case "$name" in $GLOB) ;; *) continue ;; esac
  # shellcheck disable=SC2086
  case "$WHAT" in
    fw|all) run_fw "$name" $args ;;
  esac
  case "$WHAT" in
    linux|all) run_lx 6.12 lx "$name" $args ;;
  esac
  case "$WHAT" in
    linux61) run_lx 6.1 lx61 "$name" $args ;;
  esac
done <<< "$TOPOS"

RPA='insmod /lib/oracle/rpaphp.ko; insmod /lib/oracle/rpadlpar_io.ko; echo ok'
hp() { local n=$1; shift; case "hp-$n" in $GLOB) ;; *) return ;; esac
       echo "== hp-$n"; timeout 1800 "$HERE/pseries.sh" linux --kernel-version 6.12 --out "$OUT/hp-$n" "$@"; }
hp61() { local n=$1; shift; case "hp61-$n" in $GLOB) ;; *) return ;; esac
       echo "== hp61-$n"; timeout 1800 "$HERE/pseries.sh" linux --kernel-version 6.1 --out "$OUT/hp61-$n" "$@"; }
# Bus ids: a PHB's bus is pci.<n> (n = creation order, not index) or, with id=X, X.0.
# DRC names: "C" + ((phb index << 16) | (chassis_nr of the parent bridge, 0 on the root bus) << 8 | devfn)
# in decimal; PHBs: "PHB <index>".
if [ "$WHAT" = hotplug ] || [ "$WHAT" = all ]; then
  SLOT=(-device virtio-rng-pci --guest "$RPA"
        --hotplug pci-testdev,bus=pci.0,addr=5,membar=8M --guest 'drmgr -c pci -s C40 -a -n </dev/null; echo rc=$?')
  hp slot-testdev "${SLOT[@]}"
  hp61 slot-testdev "${SLOT[@]}"
  hp slot-two-bigbar -device pci-testdev,membar=4M --guest "$RPA" \
     --hotplug pci-testdev,bus=pci.0,addr=3,membar=1G --guest 'drmgr -c pci -s C24 -a -n </dev/null; echo rc=$?' \
     --hotplug ivshmem-plain,bus=pci.0,addr=4,memdev=hm1 --guest 'drmgr -c pci -s C32 -a -n </dev/null; echo rc=$?' \
     -object memory-backend-ram,id=hm1,size=32M
  hp slot-e1000-virtio -device pci-testdev,membar=4M --guest "$RPA" \
     --hotplug e1000,bus=pci.0,addr=2 --guest 'drmgr -c pci -s C16 -a -n </dev/null; echo rc=$?' \
     --hotplug virtio-net-pci,bus=pci.0,addr=6 --guest 'drmgr -c pci -s C48 -a -n </dev/null; echo rc=$?'
  hp behind-bridge -device pci-bridge,chassis_nr=1,id=br1 -device pci-testdev,bus=br1,membar=4M --guest "$RPA" \
     --hotplug pci-testdev,bus=br1,addr=2,membar=2M --guest 'drmgr -c pci -s C272 -a -n </dev/null; echo rc=$?' \
     --hotplug pci-testdev,bus=br1,addr=3,membar=64M --guest 'drmgr -c pci -s C280 -a -n </dev/null; echo rc=$?'
  PHB=(-device virtio-rng-pci --guest "$RPA"
       --hotplug spapr-pci-host-bridge,index=1,id=phb1 --guest 'drmgr -c phb -s "PHB 1" -a -n </dev/null; echo rc=$?'
       --hotplug pci-testdev,bus=phb1.0,addr=0,membar=4M --guest 'drmgr -c pci -s C65536 -a -n </dev/null; echo rc=$?'
       --hotplug e1000,bus=phb1.0,addr=1 --guest 'drmgr -c pci -s C65544 -a -n </dev/null; echo rc=$?')
  hp phb "${PHB[@]}"
  hp61 phb "${PHB[@]}"
  hp phb-index3-bridge -device spapr-pci-host-bridge,index=1 -device pci-testdev,bus=pci.1,membar=2M --guest "$RPA" \
     --hotplug spapr-pci-host-bridge,index=3,id=phb3 --guest 'drmgr -c phb -s "PHB 3" -a -n </dev/null; echo rc=$?' \
     --hotplug pci-testdev,bus=phb3.0,addr=4,membar=16M --guest 'drmgr -c pci -s C196640 -a -n </dev/null; echo rc=$?'
  hp bridge-hotplug -device pci-testdev,membar=4M --guest "$RPA" \
     --hotplug pci-bridge,bus=pci.0,addr=6,chassis_nr=5,id=hpbr --guest 'drmgr -c pci -s C48 -a -n </dev/null; echo rc=$?; lspci 2>/dev/null; ls /sys/bus/pci/devices' \
     --hotplug pci-testdev,bus=hpbr,addr=0,membar=4M --guest 'lsslot -c pci | grep -v Empty; drmgr -c pci -s C1280 -a -n </dev/null; echo rc=$?' \
     --guest 'echo 1 > /sys/bus/pci/rescan; echo rescan rc=$?'
fi
