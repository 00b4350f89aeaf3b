# shellcheck shell=bash disable=SC2034
# tests/scenarios/qemu_dma_common.sh: what every qemu_dma_*.scn expects (sourced after it sets
# DMA_LEVELS, and DMA_PASSED when its suite runs more than the 9 cases): each attack's PASS line and its fault line, and, on the host side, that QEMU itself
# recorded the blocked DMAs (trace event vtd_dmar_fault).
BDF='[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]'
EXPECT=(
	"moat: iommu: domains: ${DMA_LEVELS}-level tables"
	'moat: iommu: unit 0: translation on'
	'moat: iommu: [0-9]+ PCI functions in the blocking domain'
	"moat: iommu: DMA write blocked: $BDF \(unassigned\) addr 0x[0-9a-f]+ reason 5 \(write not permitted\)"
	'moat: test dma-0-unassigned-device-and-fault-irq: PASS'
	'moat: test dma-1-own-window: PASS'
	"moat: iommu: DMA write blocked: $BDF \(vm 'a'\) addr 0x[0-9a-f]+ reason 5 \(write not permitted\)"
	'moat: test dma-2-write-other-vm: PASS'
	"moat: iommu: DMA read blocked: $BDF \(vm 'a'\) addr 0x[0-9a-f]+ reason 6 \(read not permitted\)"
	'moat: test dma-3-read-other-secret: PASS'
	'moat: test dma-4-moat-code-and-page-tables: PASS'
	'moat: test dma-5-vtd-tables: PASS'
	"moat: iommu: DMA write blocked: $BDF \(vm 'a'\) addr 0x(8000000000|1000000000000) reason 4 "
	'moat: test dma-6-beyond-address-width: PASS'
	"moat: iommu: DMA write blocked: $BDF \(vm 'a'\) addr 0x40003000 reason 5"
	'moat: test dma-7-unmap-strict: PASS'
	"moat: iommu: DMA write blocked: $BDF \(unassigned\) addr 0x40201000 reason 5"
	'moat: test dma-8-device-in-no-domain: PASS'
	"moat: tests: ${DMA_PASSED:-9} passed, 0 failed"
)
check() { # LOG TMPDIR: every page Moat reported blocked was also blocked in QEMU's own trace
	local moat qemu page n=0
	[[ -s $2/qemu-trace.log ]] || { echo "no QEMU trace (vtd_dmar_fault)"; return 1; }
	# QEMU splits a refused DMA into 4-byte accesses and traces each: compare pages
	qemu=$(awk '/vtd_dmar_fault/ { for (i = 1; i < NF; i++) if ($i == "addr") print $(i + 1) }' \
		"$2/qemu-trace.log" | while read -r a; do printf '0x%x\n' $((a & ~0xfff)); done | sort -u)
	moat=$(grep -a -o -E 'DMA (read|write) blocked: .* addr 0x[0-9a-f]+' "$1" | sed 's/.* addr //' | sort -u)
	for page in $moat; do
		grep -q -x -e "$page" <<<"$qemu" || { echo "Moat logged a fault at $page that QEMU never traced"; return 1; }
		n=$((n + 1))
	done
	((n >= 11)) || { echo "only $n distinct blocked pages logged (expected 11)"; return 1; }
}
