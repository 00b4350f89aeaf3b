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
#   Moat:  the same two TSC readings taken around the VM's run: Moat must print the guest-visible
#          TSC at the VM's first entry (no TSC offset: guest TSC = Bochs ticks). Not wired yet:
#          Linux VMs do not run under Moat yet, so only the bare half is measured for now.
# The ratio of the two is the virtualization overhead of a Linux boot. Also printed: ticks at the
# Bochs exit (firmware and file loading included) and wall-clock seconds.
# Benchmarks report, they never judge: exit 1 only if the bare boot could not run at all.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LINUX=${MOAT_LINUX_DIR:-$ROOT/build/linux}
TIMEOUT=${LINUX_BENCH_TIMEOUT:-300}
MEM_MIB=256

echo "linux bench: preparing kernel and initramfs (tools/linux/fetch.sh)"
"$ROOT/tools/linux/fetch.sh" || { echo "linux bench: tools/linux/fetch.sh failed"; exit 1; }
make -s -C "$ROOT" pvhboot >/dev/null || { echo "linux bench: building build/pvhboot.efi failed"; exit 1; }

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

entry_hex=$(sed -n 's/^pvhboot: tsc 0x\([0-9a-f]*\)$/\1/p' <<<"$log" | tail -n1)
mapfile -t tscs < <(sed -n 's/^moat-linux: tsc \([0-9]*\)$/\1/p' <<<"$log")
if [[ -z $entry_hex || ${#tscs[@]} -lt 2 ]] || ! grep -q '^moat-linux: done$' <<<"$log"; then
	echo "linux bench: the bare boot did not reach 'moat-linux: done'; console tail:"
	tail -n 20 <<<"$log" | sed 's/^/  /'
	exit 1
fi
entry=$((16#$entry_hex))
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
echo "linux boot, under Moat: not measured yet (Linux VMs do not run under Moat yet); ratio: n/a"
