#!/bin/bash
# Guest pieces for the pseries recorder, WITHOUT changing the system's dpkg architectures:
# a private apt state (lists + cache under $ORACLE_CACHE/psrec-apt, APT::Architectures amd64+ppc64el),
# `apt-get download` of the ppc64el .debs, `dpkg -x` into
#   $ORACLE_CACHE/ppc64el-6.12, $ORACLE_CACHE/ppc64el-6.1   (kernel: boot/vmlinux-*, lib/modules)
#   $ORACLE_CACHE/ppc64el-user                              (busybox-static, powerpc-ibm-utils, libs)
# and writes $ORACLE_CACHE/ppc64el-user/VERSIONS. Host needs qemu-system-ppc + qemu-system-data
# (slof.bin) installed. Idempotent.
set -euo pipefail
C=${ORACLE_CACHE:-/tmp/oracle-cache}
A=$C/psrec-apt
mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/debs"
O=(-o Dir::State::Lists="$A/lists" -o Dir::Cache="$A/cache" -o Dir::State::status=/dev/null
   -o APT::Architectures::=amd64 -o APT::Architectures::=ppc64el -o Debug::NoLocking=1)
apt-get "${O[@]}" update
dep() { apt-cache "${O[@]}" depends "$1" | awk '/Depends:/{print $2; exit}'; }
K612=$(dep linux-image-6.12-powerpc64le:ppc64el)     # linux-image-6.12.118+deb12-powerpc64le:ppc64el
K61=$(dep linux-image-powerpc64le:ppc64el)           # linux-image-6.1.0-57-powerpc64le:ppc64el
USER_PKGS="busybox-static powerpc-ibm-utils librtas2 librtasevent2 libnuma1 zlib1g libc6"
cd "$A/debs"
apt-get "${O[@]}" download "$K612" "$K61" $(for p in $USER_PKGS; do echo "$p:ppc64el"; done)
[ -d "$C/ppc64el-6.12/boot" ] || dpkg -x linux-image-6.12*_ppc64el.deb "$C/ppc64el-6.12"
[ -d "$C/ppc64el-6.1/boot" ] || dpkg -x linux-image-6.1.0*_ppc64el.deb "$C/ppc64el-6.1"
: > "$C/ppc64el-user/VERSIONS.tmp" 2>/dev/null || mkdir -p "$C/ppc64el-user"
: > "$C/ppc64el-user/VERSIONS.tmp"
for f in *.deb; do
  case "$f" in linux-image*) ;; *) dpkg -x "$f" "$C/ppc64el-user" ;; esac
  echo "$(dpkg-deb -f "$f" Package):ppc64el $(dpkg-deb -f "$f" Version)" >> "$C/ppc64el-user/VERSIONS.tmp"
done
mv "$C/ppc64el-user/VERSIONS.tmp" "$C/ppc64el-user/VERSIONS"
cat "$C/ppc64el-user/VERSIONS"
