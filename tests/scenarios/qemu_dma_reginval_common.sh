# shellcheck shell=bash disable=SC2034
# tests/scenarios/qemu_dma_reginval_common.sh: the DMA attack suite with `iommu_qi = off` (sourced by
# qemu_dma_reginval*.scn after QEMU_OPTS): Moat invalidates through the CCMD and IOTLB registers on a
# unit that offers queued invalidation, so interrupt remapping stays off (it needs the queue) and
# every path that needs it fails closed (case 9). Case 7 (the page right after its unmap) proves the
# register-based IOTLB invalidation works. On the host side QEMU's trace must show register writes
# to CCMD (0x28) and IOTLB (IRO + 8 = 0xf8) and page-selective IOTLB invalidations, and no queue.
EMU=qemu
QEMU_OPTS+=" --trace vtd_dmar_fault --trace vtd_reg_write --trace vtd_inv_qi_enable --trace vtd_inv_qi_setup --trace vtd_inv_qi_head --trace vtd_inv_qi_tail --trace vtd_inv_qi_fetch --trace vtd_inv_desc_iotlb_pages"
CFG='[moat]
emulator_exit = yes
tests = dma
iommu_qi = off
'
DMA_LEVELS=3
DMA_PASSED=10
source "$(dirname "${BASH_SOURCE[0]}")/qemu_dma_common.sh"
EXPECT+=(
	'moat: iommu: unit 0: .*, qi, ir, '
	'moat: iommu: unit 0: queued invalidation not used \(iommu_qi = off\): CCMD and IOTLB registers'
	'moat: iommu: unit 0: translation on \(register-based invalidation, '
	'^moat: iommu: unit 0: interrupt remapping off: it needs queued invalidation \(iommu_qi = off\)'
	"moat: iommu: error: 0000:$BDF: interrupt remapping is off: not given to vm 'a'"
	'moat: test dma-9-ir-off-fail-closed: PASS'
)
REJECT+=('translation on \(queued' 'interrupt remapping on' 'interrupt remapping table of' 'invalidation queue error'
	'refused by the unit' 'did not complete within')
# the common host check (every fault Moat logged was traced by QEMU), kept under another name
eval "dma_check() $(declare -f check | tail -n +2)"
check() { # LOG TMPDIR
	dma_check "$@" || return 1
	local t=$2/qemu-trace.log ccmd iotlb psi iva
	if grep -q -E 'vtd_inv_qi_(enable|setup|head|tail|fetch)' "$t"; then
		echo "QEMU traced the invalidation queue: $(grep -m1 -E 'vtd_inv_qi_' "$t")"
		return 1
	fi
	# "vtd_reg_write addr 0x28 size 0x8 value 0x...": a 64-bit CCMD write with ICC (bit 63) set; on
	# the IOTLB register (0xf8) IVT is bit 63 and IIRG 3 (page-selective) makes the value 0xb...
	ccmd=$(grep -c -E 'vtd_reg_write addr 0x28 size 0x8 value 0x[89a-f][0-9a-f]{15}$' "$t")
	iotlb=$(grep -c -E 'vtd_reg_write addr 0xf8 size 0x8 value 0x[89a-f][0-9a-f]{15}$' "$t")
	psi=$(grep -c -E 'vtd_reg_write addr 0xf8 size 0x8 value 0xb[0-9a-f]{15}$' "$t")
	iva=$(grep -c -E 'vtd_reg_write addr 0xf0 size 0x8 ' "$t")
	((ccmd >= 2)) || { echo "only $ccmd context-cache invalidations through CCMD (0x28) in QEMU's trace"; return 1; }
	((iotlb >= 2)) || { echo "only $iotlb IOTLB invalidations through the IOTLB register (0xf8) in QEMU's trace"; return 1; }
	((psi >= 1 && iva >= psi)) || { echo "page-selective IOTLB register invalidations: $psi, IVA writes: $iva"; return 1; }
	grep -q 'vtd_inv_desc_iotlb_pages' "$t" || { echo "QEMU never invalidated IOTLB pages"; return 1; }
	echo "QEMU: $ccmd CCMD and $iotlb IOTLB register invalidations ($psi page-selective), no queue"
}
