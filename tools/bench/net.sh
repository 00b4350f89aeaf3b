#!/usr/bin/env bash
# tools/bench/net.sh: passthrough NIC figures (issue 8). Boots Moat in Bochs (e1000, ethmod=slirp) with
# guests/net as VM 'net-bench' owning the e1000 (dma = unprotected-identity): after its DHCP lease the
# guest sends 200 UDP broadcast frames through the assigned NIC, polling, and prints cycles per packet
# and packets per second (guest TSC = Bochs instructions, so cycles are Bochs ticks). Moat's release
# line gives the VM exits of the whole run and the configuration accesses it emulated; interrupts
# injected are 0 (the NIC is polled: Moat has no virtual interrupt controller yet). The bare-metal
# baseline (the same driver without Moat) is not measured yet: there is no loader that starts net.elf
# without Moat. Exit 1 only if no figure came back.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ESP_SRC=${MOAT_ESP:-$ROOT/build/esp}
[[ -f $ESP_SRC/moat/net.elf ]] || { echo "net bench: $ESP_SRC/moat/net.elf missing (run make)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/moat-bench-net.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -R "$ESP_SRC" "$tmp/esp"
cat >"$tmp/esp/moat/moat.cfg" <<'CFG'
[moat]
emulator_exit = yes
[vm net-bench]
memory = 4M
image = net.elf
devices = 0000:00:02.0
dma = unprotected-identity
CFG
"$ROOT/tools/bochs.sh" --esp "$tmp/esp" --tmp "$tmp/run" --e1000 slirp --timeout 150 >"$tmp/log" 2>&1
line=$(grep -a -E '^\[net-bench\] net: bench: ' "$tmp/log" | sed -e 's/^\[net-bench\] net: bench: //' -e 's/\r$//')
if [[ -z $line ]]; then
	echo "net bench: no figures; console tail:"
	tail -n 15 "$tmp/log"
	exit 1
fi
rel=$(grep -a -oE 'released: .*' "$tmp/log" | tr -d '\r')
sent=$(grep -oE '^[0-9]+ packets' <<<"$line" | awk '{print $1}')
exits=$(grep -oE '[0-9]+ VM exits in all' <<<"$rel" | awk '{print $1}')
echo "assigned e1000 in Bochs, guest polling (cycles = Bochs instructions):"
echo "  $line"
echo "  VM exits for the whole run (boot, DHCP, ping, bench): ${exits:-?}; over the ${sent:-?} bench packets at most $(( ${exits:-0} / (${sent:-1} > 0 ? ${sent:-1} : 1) )) per packet"
echo "  interrupts injected: 0 (polling); bare-metal baseline: not measured yet (no loader for net.elf without Moat)"
