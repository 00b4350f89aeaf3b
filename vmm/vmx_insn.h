/* vmm/vmx_insn.h: the VMX instructions as inline functions. Each returns 0 on success and -1
 * on VMfailInvalid/VMfailValid (CF or ZF set), except vmread, which returns the value. */
#ifndef MOAT_VMX_INSN_H
#define MOAT_VMX_INSN_H

#include "../kernel/types.h"

#define INVEPT_SINGLE_CONTEXT 1
#define INVEPT_ALL_CONTEXT 2
#define INVVPID_SINGLE_CONTEXT 1
#define INVVPID_ALL_CONTEXT 2

static inline int vmxon(u64 phys)
{
	u8 fail;
	__asm__ volatile("vmxon %1; setna %0" : "=qm"(fail) : "m"(phys) : "cc", "memory");
	return fail ? -1 : 0;
}

static inline int vmclear(u64 phys)
{
	u8 fail;
	__asm__ volatile("vmclear %1; setna %0" : "=qm"(fail) : "m"(phys) : "cc", "memory");
	return fail ? -1 : 0;
}

static inline int vmptrld(u64 phys)
{
	u8 fail;
	__asm__ volatile("vmptrld %1; setna %0" : "=qm"(fail) : "m"(phys) : "cc", "memory");
	return fail ? -1 : 0;
}

static inline int vmwrite(u64 field, u64 value)
{
	u8 fail;
	__asm__ volatile("vmwrite %2, %1; setna %0" : "=qm"(fail) : "r"(field), "rm"(value) : "cc", "memory");
	return fail ? -1 : 0;
}

static inline u64 vmread(u64 field)
{
	u64 v = 0;
	__asm__ volatile("vmread %1, %0" : "=r"(v) : "r"(field) : "cc");
	return v;
}

struct invept_desc {
	u64 eptp;
	u64 reserved;
};

static inline int invept(u64 type, u64 eptp)
{
	struct invept_desc d = {eptp, 0};
	u8 fail;
	__asm__ volatile("invept %1, %2; setna %0" : "=qm"(fail) : "m"(d), "r"(type) : "cc", "memory");
	return fail ? -1 : 0;
}

struct invvpid_desc {
	u64 vpid;
	u64 linear;
};

static inline int invvpid(u64 type, u16 vpid)
{
	struct invvpid_desc d = {vpid, 0};
	u8 fail;
	__asm__ volatile("invvpid %1, %2; setna %0" : "=qm"(fail) : "m"(d), "r"(type) : "cc", "memory");
	return fail ? -1 : 0;
}

#endif
