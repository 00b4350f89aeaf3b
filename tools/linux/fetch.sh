#!/usr/bin/env bash
# tools/linux/fetch.sh: gets the stock Debian kernel and busybox for the Linux-guest tests and
# benchmark, and builds everything they boot, under build/linux/ (never committed):
#   cache/*.deb             linux-image-<abi>-amd64 (what the linux-image-amd64 metapackage
#                           depends on) and busybox-static, from `apt-get download`
#   vmlinuz                 Debian's bzImage, from the package's /boot
#   vmlinux                 the ELF inside it (XZ payload, tools/linux/vmlinux.py)
#   vmlinux.pvh             the same program trimmed (PT_LOAD trailing zeros and sections
#                           dropped): the file guests load; same bytes in memory, half the size
#   moat-helper             tools/linux/moat_helper.c, static (rdtsc, tcdrain, Bochs exit)
#   known.bin, known.sha256 the file /init checksums, and its expected sha256
#   modules/                the NIC drivers of the same kernel package (MODULES: e1000 for
#                           Bochs' 82540EM 8086:100e, e1000e for QEMU's 82574L 8086:10d3) and
#                           their dependencies, with `order` and `alias` (tools/linux/kmods.py)
#   initramfs.cpio.gz       busybox + /init (tools/linux/init.sh) + moat-helper + known.bin
#                           + /lib/modules/moat (modules/) + /etc/udhcpc.script
#   kernel.txt              "PACKAGE VERSION" of the kernel used
# Idempotent: a second run downloads nothing and rebuilds only what is older than its inputs.
# Works as root or not (apt-get download needs no root; `apt-get update`, tried only when a
# download fails, needs root or sudo). Exit status 1 with a "fetch.sh: ..." line on failure.
# usage: tools/linux/fetch.sh [--offline]   (--offline: use the cached .debs, never apt)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/tools/linux
OUT=${MOAT_LINUX_DIR:-$ROOT/build/linux}
CACHE=$OUT/cache
META=linux-image-amd64
BUSYBOX=busybox-static
KNOWN_SIZE=65536
# busybox applets /init uses, linked into /bin
APPLETS="sh mount cat grep sed sha256sum poweroff reboot sleep ls echo insmod modprobe ip ifconfig udhcpc route dmesg readlink tail rm"
# kernel modules /init may load (the NICs Moat's tests assign), with their dependencies
MODULES="e1000 e1000e"

die() {
	echo "fetch.sh: $*" >&2
	exit 1
}

offline=no
case ${1:-} in
"") ;;
--offline) offline=yes ;;
-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
*) die "unknown argument '$1' (usage: tools/linux/fetch.sh [--offline])" ;;
esac

for c in python3 dpkg-deb tar gcc; do
	command -v "$c" >/dev/null || die "'$c' not found (run tools/deps.sh)"
done
[[ $offline == yes ]] || command -v apt-get >/dev/null || die "apt-get not found: this needs Debian (or --offline with a filled $CACHE)"
mkdir -p "$CACHE"

sudo=()
((EUID == 0)) || sudo=(sudo)
apt_opts=()
# As root, apt drops to the _apt user to download and warns when _apt cannot write here.
((EUID != 0)) || apt_opts=(-o APT::Sandbox::User=root)

apt_update() {
	((EUID == 0)) || command -v sudo >/dev/null || die "apt-get update needs root or sudo; run it by hand, then retry"
	echo "fetch.sh: apt-get update"
	"${sudo[@]}" apt-get update -qq >/dev/null 2>&1 || die "apt-get update failed (no network to the Debian mirrors?)"
}

# Prints "NAME VERSION" of the package the kernel metapackage depends on (from the local apt
# lists), or nothing.
resolve_kernel() {
	local dep ver
	dep=$(apt-cache depends "$META" 2>/dev/null | sed -n 's/^ *|\{0,1\}Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n1)
	[[ -n $dep ]] || return 0
	ver=$(apt-cache show --no-all-versions "$dep" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
	[[ -n $ver ]] && echo "$dep $ver"
}

resolve_plain() { # PKG: prints "PKG VERSION" (candidate) or nothing
	local ver
	ver=$(apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
	[[ -n $ver ]] && echo "$1 $ver"
}

deb_name() { # PKG VERSION: the file name apt-get download gives it (epoch ':' as %3a)
	echo "${1}_${2//:/%3a}_amd64.deb"
}

newest_cached() { # PKG-GLOB: the newest cached .deb for it, or nothing
	local f best=""
	# shellcheck disable=SC2231 # $1 is a glob on purpose
	for f in "$CACHE"/$1_*_amd64.deb; do
		[[ -f $f ]] || continue
		if [[ -z $best ]] || dpkg --compare-versions "$(dpkg-deb -f "$f" Version)" gt "$(dpkg-deb -f "$best" Version)"; then
			best=$f
		fi
	done
	echo "$best"
}

download() { # PKG VERSION: into the cache (skipped if there); prints the .deb path
	local file
	file=$CACHE/$(deb_name "$1" "$2")
	if [[ ! -f $file ]]; then
		echo "fetch.sh: apt-get download $1=$2" >&2
		if ! (cd "$CACHE" && apt-get "${apt_opts[@]}" download -q "$1=$2" >/dev/null 2>"$CACHE/apt.err"); then
			apt_update >&2
			(cd "$CACHE" && apt-get "${apt_opts[@]}" download -q "$1=$2" >/dev/null 2>"$CACHE/apt.err") ||
				die "apt-get download $1=$2 failed: $(tail -n1 "$CACHE/apt.err")"
		fi
		[[ -f $file ]] || die "apt-get download $1 did not produce $file"
	fi
	echo "$file"
}

# get_deb META-OR-PKG KIND CACHE-GLOB: prints the .deb to use
get_deb() {
	local what=$1 kind=$2 glob=$3 nv cached
	if [[ $offline == yes ]]; then
		cached=$(newest_cached "$glob")
		[[ -n $cached ]] || die "--offline: no cached $glob .deb in $CACHE"
		echo "$cached"
		return
	fi
	if [[ $kind == kernel ]]; then nv=$(resolve_kernel); else nv=$(resolve_plain "$what"); fi
	if [[ -z $nv ]]; then
		# Empty or stale apt lists (a fresh container): refresh once, then ask again.
		apt_update >&2
		if [[ $kind == kernel ]]; then nv=$(resolve_kernel); else nv=$(resolve_plain "$what"); fi
		[[ -n $nv ]] || die "apt knows no package '$( [[ $kind == kernel ]] && echo "$META" || echo "$what")' (is the 'main' component in sources.list?)"
	fi
	# shellcheck disable=SC2086 # "NAME VERSION"
	download $nv
}

stale() { # OUT IN...: true when OUT is missing or older than any IN
	local out=$1 in
	shift
	[[ -e $out ]] || return 0
	for in in "$@"; do
		[[ $in -nt $out ]] && return 0
	done
	return 1
}

kernel_deb=$(get_deb "$META" kernel "linux-image-[0-9]*")
busybox_deb=$(get_deb "$BUSYBOX" plain "$BUSYBOX")
kpkg=$(dpkg-deb -f "$kernel_deb" Package) || die "$kernel_deb is not a Debian package"
kver=$(dpkg-deb -f "$kernel_deb" Version)

# vmlinuz: only the bzImage out of the package (the modules are 400 MB unpacked).
if stale "$OUT/vmlinuz" "$kernel_deb"; then
	rm -rf "$OUT/unpack" && mkdir -p "$OUT/unpack"
	dpkg-deb --fsys-tarfile "$kernel_deb" | tar -x -C "$OUT/unpack" --wildcards './boot/vmlinuz-*' ||
		die "$kernel_deb has no /boot/vmlinuz-*"
	mv "$OUT"/unpack/boot/vmlinuz-* "$OUT/vmlinuz"
	touch "$OUT/vmlinuz" # newer than the .deb, whatever date the package gave it
	rm -rf "$OUT/unpack"
fi
if stale "$OUT/vmlinux.pvh" "$OUT/vmlinuz" "$HERE/vmlinux.py"; then
	echo "fetch.sh: extracting vmlinux from $kpkg $kver"
	python3 "$HERE/vmlinux.py" "$OUT/vmlinuz" "$OUT/vmlinux.tmp" "$OUT/vmlinux.pvh.tmp" || exit 1
	mv "$OUT/vmlinux.tmp" "$OUT/vmlinux"
	mv "$OUT/vmlinux.pvh.tmp" "$OUT/vmlinux.pvh"
fi
echo "$kpkg $kver" >"$OUT/kernel.txt.tmp"
if cmp -s "$OUT/kernel.txt.tmp" "$OUT/kernel.txt"; then
	rm "$OUT/kernel.txt.tmp"
else
	mv "$OUT/kernel.txt.tmp" "$OUT/kernel.txt"
fi

if stale "$OUT/busybox" "$busybox_deb"; then
	rm -rf "$OUT/unpack" && mkdir -p "$OUT/unpack"
	dpkg-deb --fsys-tarfile "$busybox_deb" | tar -x -C "$OUT/unpack" ./bin/busybox || die "$busybox_deb has no /bin/busybox"
	mv "$OUT/unpack/bin/busybox" "$OUT/busybox"
	touch "$OUT/busybox"
	rm -rf "$OUT/unpack"
fi

if stale "$OUT/moat-helper" "$HERE/moat_helper.c"; then
	gcc -std=gnu11 -Os -Wall -Wextra -Werror -static -nostdlib -ffreestanding -fno-pie -no-pie \
		-fno-stack-protector -fno-asynchronous-unwind-tables -o "$OUT/moat-helper" "$HERE/moat_helper.c" ||
		die "building moat-helper failed"
fi

# modules/: only the driver trees that can hold the modules and their usual dependencies (ptp,
# pps) come out of the package; kmods.py says which dependency is missing if one lies elsewhere.
if stale "$OUT/modules/order" "$kernel_deb" "$HERE/kmods.py" "$0"; then
	rm -rf "$OUT/unpack" "$OUT/modules" && mkdir -p "$OUT/unpack"
	dpkg-deb --fsys-tarfile "$kernel_deb" | tar -x -C "$OUT/unpack" --wildcards --no-wildcards-match-slash \
		'./lib/modules/*/modules.builtin' './lib/modules/*/kernel/drivers/net/ethernet/intel/*' \
		'./lib/modules/*/kernel/drivers/ptp/*' './lib/modules/*/kernel/drivers/pps/*' 2>/dev/null || true
	moddir=$(find "$OUT/unpack/lib/modules" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -n1)
	[[ -n $moddir ]] || die "$kernel_deb has no /lib/modules/<version>"
	# shellcheck disable=SC2086 # MODULES is a list
	python3 "$HERE/kmods.py" "$moddir" "$OUT/modules.tmp" $MODULES || die "picking modules $MODULES failed"
	mv "$OUT/modules.tmp" "$OUT/modules"
	rm -rf "$OUT/unpack"
fi

# known.bin: KNOWN_SIZE bytes of SHA-256 in counter mode: fixed, incompressible content.
if stale "$OUT/known.sha256" "$0"; then
	python3 - "$OUT/known.bin" "$OUT/known.sha256" "$KNOWN_SIZE" <<'PY'
import hashlib, sys
out, digest_file, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = b"".join(hashlib.sha256(b"moat-linux known file %d" % i).digest() for i in range(size // 32))
open(out, "wb").write(data)
open(digest_file, "w").write(hashlib.sha256(data).hexdigest() + "\n")
PY
fi

if stale "$OUT/initramfs.cpio.gz" "$OUT/busybox" "$OUT/moat-helper" "$OUT/known.bin" "$HERE/init.sh" \
	"$HERE/initramfs.py" "$HERE/udhcpc.script" "$OUT/modules/order" "$0"; then
	entries=(dir:/bin:755 dir:/dev:755 dir:/proc:555 dir:/sys:555 dir:/moat:755 dir:/tmp:1777 dir:/etc:755
		dir:/lib:755 dir:/lib/modules:755 dir:/lib/modules/moat:755
		cdev:/dev/console:600:5:1 cdev:/dev/null:666:1:3
		file:/bin/busybox:755:"$OUT/busybox" file:/bin/moat-helper:755:"$OUT/moat-helper"
		file:/init:755:"$HERE/init.sh" file:/moat/known.bin:644:"$OUT/known.bin"
		file:/etc/udhcpc.script:755:"$HERE/udhcpc.script")
	for a in $APPLETS; do entries+=("link:/bin/$a:busybox"); done
	for f in "$OUT"/modules/*; do entries+=("file:/lib/modules/moat/${f##*/}:644:$f"); done
	python3 "$HERE/initramfs.py" "$OUT/initramfs.cpio.gz.tmp" "${entries[@]}" || exit 1
	mv "$OUT/initramfs.cpio.gz.tmp" "$OUT/initramfs.cpio.gz"
fi

size_of() { stat -c %s "$1"; }
echo "fetch.sh: kernel $kpkg $kver: vmlinux.pvh $(size_of "$OUT/vmlinux.pvh") bytes," \
	"modules $(paste -sd ' ' "$OUT/modules/order")," \
	"initramfs $(size_of "$OUT/initramfs.cpio.gz") bytes, known.bin sha256 $(cut -c1-16 "$OUT/known.sha256")..."
