#!/usr/bin/env bash
# tools/bench/iommu.sh: DMA-domain figures. (1) the table builder compiled for the host: a 1 GiB
# domain with and without superpages (table pages, time) and table-side unmapping; (2) Moat in
# QEMU running the dma-bench suite: a 1 GiB domain on the emulated VT-d unit and the strict
# unmap+invalidate rate (each unmap waits for its invalidation wait descriptor). QEMU TCG timings
# show Moat's path length, not real hardware latency. Exit 1 only if no figure came back.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ESP_SRC=${MOAT_ESP:-$ROOT/build/esp}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/moat-bench-iommu.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ok=0

if cc -std=gnu11 -O2 -Wall -Wextra -Werror -I"$ROOT" "$ROOT/tools/bench/iommu_tables.c" \
	"$ROOT/iommu/sl_table.c" -o "$tmp/iommu_tables" && "$tmp/iommu_tables"; then
	ok=1
else
	echo "iommu bench: the host table benchmark did not build or run"
fi

if [[ -d $ESP_SRC ]]; then
	cp -R "$ESP_SRC" "$tmp/esp"
	printf '[moat]\nemulator_exit = yes\ntests = dma-bench\n' >"$tmp/esp/moat/moat.cfg"
	"$ROOT/tools/qemu.sh" --esp "$tmp/esp" --tmp "$tmp/run" --timeout 60 >"$tmp/log" 2>&1
	lines=$(grep -a -E 'moat: bench: iommu: ' "$tmp/log" | sed -e 's/^moat: bench: iommu: //' -e 's/\r$//')
	if [[ -n $lines ]]; then
		echo "DMA domains in QEMU (intel-iommu, TCG):"
		sed 's/^/  /' <<<"$lines"
		ok=1
	else
		echo "iommu bench: no figures from QEMU; console tail:"
		tail -n 10 "$tmp/log"
	fi
else
	echo "iommu bench: no $ESP_SRC (run make)"
fi
((ok))
