#!/usr/bin/env bash
# tools/bench/linux.sh: the cost of a full Linux boot, bare and under Moat. The same stock Debian
# kernel (its ELF vmlinux, entered at the PVH entry point) and initramfs (tools/linux/fetch.sh)
# boot in Bochs to the same marker, "moat-linux: done", printed by /init just before power-off.
#
# Unit: Bochs ticks. With `clock: sync=none` the Bochs TSC advances one tick per emulated
# instruction (idle HLT time is skipped ahead in ticks too), so rdtsc deltas count the machine's
# work. The figure compared is "PVH entry -> done marker":
#   bare:  the TSC that tools/pvhboot prints ("pvhboot: tsc 0x...") after it copied the kernel
#          into place, with paging off, just before it jumps to the entry; and the TSC that /init
#          prints (moat-helper: rdtsc) right before "moat-linux: done".
#   Moat:  the same kernel and initramfs as the only VM of a Moat in Bochs; Moat prints the host
#          TSC just before the VM's first entry ("moat: vm 'linux': first entry at tsc N"). VMX runs
#          the guest without TSC offsetting or scaling and RDTSC does not exit, so the guest's own
#          "moat-linux: tsc" readings are on the same scale: the figure is first entry -> done.
#          Memory differs: bare, Linux gets Bochs' 256 MiB less what OVMF keeps; under Moat, Bochs
#          has 512 MiB and the VM MOAT_VM_MIB (default 256) of it. Moat's exit counts by reason
#          (printed when the VM stops) are shown beside the ratio.
# The ratio of the two is the virtualization overhead of a Linux boot. Also printed: ticks at the
# Bochs exit (firmware and file loading included) and wall-clock seconds.
# Benchmarks report, they never judge: exit 1 only if a boot could not run at all.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LINUX=${MOAT_LINUX_DIR:-$ROOT/build/linux}
TIMEOUT=${LINUX_BENCH_TIMEOUT:-300}
MEM_MIB=256
MOAT_MEM_MIB=512                  # Bochs RAM for the Moat run: Moat, the VM and OVMF
MOAT_VM_MIB=${MOAT_VM_MIB:-256}   # the Linux VM's memory

echo "linux bench: preparing kernel and initramfs (tools/linux/fetch.sh)"
"$ROOT/tools/linux/fetch.sh" || { echo "linux bench: tools/linux/fetch.sh failed"; exit 1; }
make -s -C "$ROOT" pvhboot >/dev/null || { echo "linux bench: building build/pvhboot.efi failed"; exit 1; }
make -s -C "$ROOT" esp >/dev/null || { echo "linux bench: building build/esp (Moat) failed"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/moat-bench-linux.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/esp/EFI/BOOT" "$tmp/esp/linux"
cp "$ROOT/build/pvhboot.efi" "$tmp/esp/EFI/BOOT/BOOTX64.EFI"
cp "$LINUX/vmlinux.pvh" "$tmp/esp/linux/vmlinux"
cp "$LINUX/initramfs.cpio.gz" "$tmp/esp/linux/initrd"
echo "$(cat "$ROOT/tools/linux/cmdline.txt") moat.exit=bochs" >"$tmp/esp/linux/cmdline"

start=$(date +%s%N)
"$ROOT/tools/bochs.sh" --esp "$tmp/esp" --tmp "$tmp/run" --timeout "$TIMEOUT" --mem "$MEM_MIB" --e1000 none \
	>"$tmp/log" 2>&1
end=$(date +%s%N)
log=$(tr -d '\r' <"$tmp/log")

failed=no want=$(cat "$LINUX/known.sha256")
entry_hex=$(sed -n 's/^pvhboot: tsc 0x\([0-9a-f]*\)$/\1/p' <<<"$log" | tail -n1)
mapfile -t tscs < <(sed -n 's/^moat-linux: tsc \([0-9]*\)$/\1/p' <<<"$log")
if [[ -z $entry_hex || ${#tscs[@]} -lt 2 ]] || ! grep -q '^moat-linux: done$' <<<"$log"; then
	echo "linux bench: the bare boot did not reach 'moat-linux: done'; console tail:"
	tail -n 20 <<<"$log" | sed 's/^/  /'
	failed=yes
else
	entry=$((16#$entry_hex))
	bare_ticks=$((tscs[1] - entry))
	exit_ticks=$(grep -a -E -o '^[0-9]+p\[[A-Z ]+\] >>PANIC<< Shutdown port' "$tmp/run/bochs.log" | grep -o '^[0-9]*' |
		sed 's/^0*//' | tail -n1)
	want=$(cat "$LINUX/known.sha256")
	got=$(sed -n 's/^moat-linux: checksum //p' <<<"$log")
	sum_ok=mismatch
	[[ $got == "$want" ]] && sum_ok=ok

	echo "linux boot, bare (Bochs, OVMF, tools/pvhboot at the PVH entry; $(cat "$LINUX/kernel.txt"), ${MEM_MIB} MiB):"
	grep -E '^moat-linux: (hypervisor|memory|memtotal|uptime)' <<<"$log" | sed 's/^moat-linux: /  guest: /'
	echo "  guest: checksum $sum_ok"
	echo "  PVH entry -> /init started:      $((tscs[0] - entry)) ticks"
	echo "  PVH entry -> moat-linux: done:   $((tscs[1] - entry)) ticks"
	[[ -n $exit_ticks ]] && echo "  emulator start -> Bochs exit:    $exit_ticks ticks (firmware, loading, boot, power-off)"
	ms=$(((end - start) / 1000000))
	printf '  wall clock: %d.%d s\n' $((ms / 1000)) $((ms % 1000 / 100))
fi

# --- under Moat: the same kernel and initramfs, the only VM --------------------------------------
mkdir -p "$tmp/mesp"
cp -R "$ROOT/build/esp/." "$tmp/mesp/"
cp "$LINUX/vmlinux.pvh" "$LINUX/initramfs.cpio.gz" "$tmp/mesp/moat/"
cat >"$tmp/mesp/moat/moat.cfg" <<EOF
[moat]
emulator_exit = yes
[vm linux]
memory = ${MOAT_VM_MIB}M
kernel = vmlinux.pvh
initrd = initramfs.cpio.gz
cmdline = $(cat "$ROOT/tools/linux/cmdline.txt")
EOF
start=$(date +%s%N)
"$ROOT/tools/bochs.sh" --esp "$tmp/mesp" --tmp "$tmp/mrun" --timeout "$TIMEOUT" --mem "$MOAT_MEM_MIB" --e1000 none \
	>"$tmp/mlog" 2>&1
end=$(date +%s%N)
mlog=$(tr -d '\r' <"$tmp/mlog")
first=$(sed -n "s/^moat: vm 'linux': first entry at tsc \([0-9]*\).*/\1/p" <<<"$mlog" | tail -n1)
mapfile -t mtscs < <(sed -n 's/^\[linux\] moat-linux: tsc \([0-9]*\)$/\1/p' <<<"$mlog")
if [[ -z $first || ${#mtscs[@]} -lt 2 ]] || ! grep -q '^\[linux\] moat-linux: done$' <<<"$mlog"; then
	echo "linux bench: the boot under Moat did not reach 'moat-linux: done' (or Moat printed no first entry); console tail:"
	tail -n 20 <<<"$mlog" | sed 's/^/  /'
	echo "linux boot, under Moat: not measured (the run failed); ratio: n/a"
	exit 1
fi
moat_ticks=$((mtscs[1] - first))
got=$(sed -n 's/^\[linux\] moat-linux: checksum //p' <<<"$mlog")
sum_ok=mismatch
[[ $got == "$want" ]] && sum_ok=ok
echo "linux boot, under Moat (Bochs ${MOAT_MEM_MIB} MiB, the only VM, with ${MOAT_VM_MIB} MiB; bare: ${MEM_MIB} MiB less OVMF's):"
grep -E '^\[linux\] moat-linux: (hypervisor|memory|memtotal|uptime)' <<<"$mlog" | sed 's/^\[linux\] moat-linux: /  guest: /'
echo "  guest: checksum $sum_ok"
echo "  first entry -> /init started:    $((mtscs[0] - first)) ticks"
echo "  first entry -> moat-linux: done: $moat_ticks ticks"
grep -E "^moat: vm 'linux': stopped" <<<"$mlog" | sed "s/^moat: vm 'linux': /  moat: /"
ms=$(((end - start) / 1000000))
printf '  wall clock: %d.%d s\n' $((ms / 1000)) $((ms % 1000 / 100))
if [[ $failed == yes ]]; then
	echo "linux boot, PVH entry -> moat-linux: done: bare n/a (the bare run failed), under Moat $moat_ticks ticks, ratio n/a"
	exit 1
fi
ratio=$(awk -v m="$moat_ticks" -v b="$bare_ticks" 'BEGIN { printf "%.2f", m / b }')
echo "linux boot, PVH entry -> moat-linux: done: bare $bare_ticks ticks, under Moat $moat_ticks ticks, ratio $ratio"
grep -E "^moat: vm 'linux': exits" <<<"$mlog" | sed "s/^moat: vm 'linux': /  under Moat, /"
