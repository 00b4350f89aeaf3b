#!/usr/bin/env bash
# tools/mkimage.sh: packs an ESP tree (build/esp) into a bootable FAT disk image
# ("superfloppy": one FAT filesystem, no partition table) for `dd` to a USB stick; UEFI
# firmware boots EFI/BOOT/BOOTX64.EFI from removable media formatted this way.
# Owned by the test tooling. Size = ESP contents + 16 MiB; FAT32 from 64 MiB up, else FAT16.
#
# usage: tools/mkimage.sh ESPDIR OUT.img
#   e.g. tools/mkimage.sh build/esp build/moat.img && sudo dd if=build/moat.img of=/dev/sdX bs=4M
#   check it boots: tools/qemu.sh --img build/moat.img
set -euo pipefail

usage() {
	echo "usage: tools/mkimage.sh ESPDIR OUT.img" >&2
	exit 2
}
(($# == 2)) || usage
esp=$1 out=$2
[[ -d $esp ]] || { echo "mkimage.sh: no directory '$esp'" >&2; exit 2; }
[[ -f $esp/EFI/BOOT/BOOTX64.EFI ]] ||
	echo "mkimage.sh: warning: $esp has no EFI/BOOT/BOOTX64.EFI; the image will not boot" >&2
PATH=$PATH:/usr/sbin:/sbin # mkfs.fat
for c in mkfs.fat mcopy mdir; do
	command -v "$c" >/dev/null || { echo "mkimage.sh: $c not found (run tools/deps.sh)" >&2; exit 2; }
done

content_kib=$(du -sk --apparent-size "$esp" | cut -f1)
size_mib=$(((content_kib + 1023) / 1024 + 16))
if ((size_mib >= 64)); then fat=32; else fat=16; fi

tmp_out=$out.tmp.$$
trap 'rm -f "$tmp_out"' EXIT
rm -f "$tmp_out"
truncate -s "${size_mib}M" "$tmp_out"
mkfs.fat -F "$fat" -n MOAT "$tmp_out" >/dev/null

export MTOOLS_SKIP_CHECK=1
shopt -s nullglob dotglob
entries=("$esp"/*)
((${#entries[@]})) || { echo "mkimage.sh: '$esp' is empty" >&2; exit 2; }
mcopy -s -Q -i "$tmp_out" "${entries[@]}" ::/

# Verify: the loader is where the firmware looks for it.
listing=$(mdir -/ -b -i "$tmp_out" ::/)
grep -qix '::/EFI/BOOT/BOOTX64.EFI' <<<"$listing" ||
	{ echo "mkimage.sh: EFI/BOOT/BOOTX64.EFI missing from the image" >&2; exit 1; }
mv -f "$tmp_out" "$out"
trap - EXIT
echo "mkimage.sh: $out: FAT$fat, $size_mib MiB, $(grep -vc '/$' <<<"$listing") files"
