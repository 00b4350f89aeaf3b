/* vmm/pvh_cpu.c: the vCPU state at a PVH kernel's entry (the ABI's list is in pvh.h): 32-bit
 * protected mode, paging off, flat segments, interrupts off, EBX = start_info. */
#include "pvh.h"
#include "../kernel/string.h"

void pvh_cpu_state(u32 entry, u64 info_gpa, struct pvh_cpu_state *s)
{
	const struct pvh_segment code = {PVH_SEL_CODE, 0, PVH_FLAT_LIMIT, PVH_AR_CODE32};
	const struct pvh_segment data = {PVH_SEL_DATA, 0, PVH_FLAT_LIMIT, PVH_AR_DATA32};
	memset(s, 0, sizeof(*s));
	s->rip = entry;
	s->rbx = info_gpa;
	s->rflags = PVH_RFLAGS_FIXED;
	s->cr0 = PVH_CR0_PE | PVH_CR0_ET;
	s->cs = code;
	s->ds = s->es = s->ss = s->fs = s->gs = data;
	s->tr = (struct pvh_segment){PVH_SEL_TSS, 0, PVH_TSS_LIMIT, PVH_AR_TSS32_BUSY};
	s->ldtr = (struct pvh_segment){0, 0, 0, PVH_AR_UNUSABLE};
}
