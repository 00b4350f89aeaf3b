#!/usr/bin/env bash
# tools/bench/net.sh: passthrough NIC figures (issue 8), all in Bochs (e1000, ethmod=slirp, ips 50 M, so
# TSC ticks = Bochs instructions). Three runs of the same guests/net code (polling e1000 driver, DHCP,
# ping, then 200 UDP broadcast frames in its bench loop, timed with RDTSC):
#   moat:    Moat with guests/net as VM 'net-bench' owning the e1000 (dma = unprotected-identity);
#   nobench: the same VM under another name, which skips the bench loop: the difference of the two
#            runs' VM exits (Moat prints them by reason at VM stop) is what the bench cost in exits;
#   bare:    build/netboot.efi (tools/netboot): the same guest sources compiled into a GNU-EFI app that
#            runs them on the firmware's identity map, interrupts off, no Moat.
# Prints ticks and packets per second for both, the ratio (under Moat / bare: the passthrough overhead),
# VM exits per packet and interrupts injected (from Moat's `device interrupts:` line at VM stop;
# Bochs' e1000 has no MSI, so the guest polls). Benchmarks report, they never judge: exit 1 only if no figure came back at all.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ESP_SRC=${MOAT_ESP:-$ROOT/build/esp}
[[ -f $ESP_SRC/moat/net.elf ]] || { echo "net bench: $ESP_SRC/moat/net.elf missing (run make)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/moat-bench-net.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# moat_run NAME: Moat with guests/net as VM NAME; the console log in $tmp/log.NAME.
moat_run() {
	rm -rf "$tmp/esp" "$tmp/run"
	cp -R "$ESP_SRC" "$tmp/esp"
	cat >"$tmp/esp/moat/moat.cfg" <<CFG
[moat]
emulator_exit = yes
[vm $1]
memory = 4M
image = net.elf
devices = 0000:00:02.0
dma = unprotected-identity
CFG
	"$ROOT/tools/bochs.sh" --esp "$tmp/esp" --tmp "$tmp/run" --e1000 slirp --timeout 150 >"$tmp/log.$1" 2>&1
}

# exits_of NAME REASON: the count of REASON ("in all" for the total) in VM NAME's exit report, else empty.
exits_of() {
	local line
	line=$(grep -a -E "^moat: vm '$1': exits(, continued)?: " "$tmp/log.$1" | tr -d '\r' | tr '\n' ',')
	if [[ $2 == "in all" ]]; then
		grep -oE 'exits: [0-9]+ in all' <<<"$line" | grep -oE '[0-9]+' | head -n1
	else
		grep -oE "(: |, )$2 [0-9]+" <<<"$line" | grep -oE '[0-9]+$' | head -n1
	fi
}

moat_run net-bench
line=$(grep -a -E '^\[net-bench\] net: bench: ' "$tmp/log.net-bench" | sed -e 's/^\[net-bench\] net: bench: //' -e 's/\r$//')
if [[ -z $line ]]; then
	echo "net bench: no figures under Moat; console tail:"
	tail -n 15 "$tmp/log.net-bench"
	exit 1
fi
sent=$(grep -oE '^[0-9]+ packets' <<<"$line" | awk '{print $1}')
ticks=$(grep -oE 'sent in [0-9]+ cycles' <<<"$line" | awk '{print $3}')
echo "assigned e1000 in Bochs, guest polling (ticks = Bochs instructions):"
echo "  under Moat: $line"

# The bare baseline.
bare="" bare_sent="" bare_ticks=""
if make -s -C "$ROOT" netboot >"$tmp/make.log" 2>&1; then
	rm -rf "$tmp/besp" "$tmp/brun"
	mkdir -p "$tmp/besp/EFI/BOOT"
	cp "$ROOT/build/netboot.efi" "$tmp/besp/EFI/BOOT/BOOTX64.EFI"
	"$ROOT/tools/bochs.sh" --esp "$tmp/besp" --tmp "$tmp/brun" --e1000 slirp --timeout 150 >"$tmp/log.bare" 2>&1
	bare=$(grep -a -E '^net bare: [0-9]+ packets in ' "$tmp/log.bare" | tr -d '\r' | tail -n1)
	bare_sent=$(sed -n 's/^net bare: \([0-9]*\) packets in \([0-9]*\) ticks.*/\1/p' <<<"$bare")
	bare_ticks=$(sed -n 's/^net bare: \([0-9]*\) packets in \([0-9]*\) ticks.*/\2/p' <<<"$bare")
	if [[ -n $bare ]]; then
		echo "  bare (tools/netboot, no Moat): ${bare#net bare: }"
	else
		echo "  bare: no figures; console tail:"
		tail -n 8 "$tmp/log.bare" | sed 's/^/    /'
	fi
else
	echo "  bare: building build/netboot.efi failed:"
	tail -n 5 "$tmp/make.log" | sed 's/^/    /'
fi
if [[ -n $bare_ticks && -n $ticks && ${bare_sent:-0} -gt 0 && ${sent:-0} -gt 0 && $bare_ticks -gt 0 ]]; then
	awk -v mt="$ticks" -v ms="$sent" -v bt="$bare_ticks" -v bs="$bare_sent" 'BEGIN {
		m = mt / ms; b = bt / bs
		printf "  ticks per packet: %.1f under Moat, %.1f bare: ratio (Moat / bare) %.3f, overhead %+.1f%%\n", m, b, m / b, (m / b - 1) * 100
	}'
fi

# VM exits of the bench loop: the bench run minus a run without it. The packet loop does no port I/O
# (MMIO to the assigned BAR and RDTSC, neither of which exits), so the I/O exits of the difference are the
# bench's console line (guests/lib writes the UART by port I/O: a data write and at least one LSR read per
# character, more while Bochs' UART is busy) and the other exits are the loop's.
moat_run net-nobench
all_b=$(exits_of net-bench "in all") all_n=$(exits_of net-nobench "in all")
io_b=$(exits_of net-bench "I/O instruction") io_n=$(exits_of net-nobench "I/O instruction")
if [[ -n $all_b && -n $all_n ]]; then
	delta=$((all_b - all_n)) io_delta=$((${io_b:-0} - ${io_n:-0}))
	prefix="net: bench: "
	chars=$((${#prefix} + ${#line} + 1)) # with its newline
	loop=$((delta - io_delta))
	echo "  VM exits: $all_b with the bench, $all_n without it (same VM, bench loop skipped): $delta more;"
	echo "    $io_delta of them I/O: the bench's console line ($chars characters, at least $((2 * chars)) UART exits);"
	echo "    $loop other: $(awk -v l="$loop" -v s="$sent" 'BEGIN { printf "%.3f", l / s }') VM exits per packet"
else
	echo "  VM exits: no exit report (with the bench: ${all_b:-none}, without: ${all_n:-none})"
fi
irq=$(grep -a -oE "^moat: vm 'net-bench': device interrupts: [0-9]+ taken, [0-9]+ injected" "$tmp/log.net-bench" | tail -n1)
if [[ -n $irq ]]; then
	echo "  interrupts: ${irq#*device interrupts: } into the guest (Bochs' e1000 has no MSI: the guest polls)"
else
	echo "  interrupts injected: none reported by Moat (Bochs' e1000 has no MSI: the guest polls)"
fi
