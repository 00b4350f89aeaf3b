#!/usr/bin/env bash
# tools/bench/vmx.sh: VM-exit round-trip costs. Boots Moat in Bochs with the 'bench' guest
# (guests/bench), which times CPUID, VMCALL and an I/O exit with RDTSC. Bochs advances the TSC
# by one per instruction, so the figures are instructions per exit round trip (guest exit,
# Moat's handler, VM entry). Prints the guest's lines; exit 1 only if no figure came back.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ESP_SRC=${MOAT_ESP:-$ROOT/build/esp}
[[ -f $ESP_SRC/moat/bench.elf ]] || { echo "vmx bench: $ESP_SRC/moat/bench.elf missing (run make)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/moat-bench-vmx.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -R "$ESP_SRC" "$tmp/esp"
cat >"$tmp/esp/moat/moat.cfg" <<'CFG'
[moat]
emulator_exit = yes
[vm bench]
memory = 2M
image = bench.elf
CFG
"$ROOT/tools/bochs.sh" --esp "$tmp/esp" --tmp "$tmp/run" --timeout 120 >"$tmp/log" 2>&1
lines=$(grep -a -E '^\[bench\] bench: ' "$tmp/log" | sed -e 's/^\[bench\] bench: //' -e 's/\r$//')
if ! grep -q 'round trip' <<<"$lines"; then
	echo "vmx bench: no figures; console tail:"
	tail -n 15 "$tmp/log"
	exit 1
fi
echo "vmx exit round trips in Bochs (TSC = instructions):"
sed 's/^/  /; s/ticks per round trip/instructions per round trip/' <<<"$lines"
