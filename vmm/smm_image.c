/* vmm/smm_image.c: export and restore of a VM as an encrypted image (format in hypercall_abi.h,
 * encryption in export.c). Export: a paused VM's RAM pages and vCPU state are encrypted one block at a
 * time in Moat's own bounce buffer and only the ciphertext is copied into the control VM's buffer, so
 * the control VM never sees another VM's plaintext. Restore: the header is copied into Moat and
 * checked, a new VM is made with the image's memory size, every block is copied into Moat-held memory
 * (the new VM's frames, not yet runnable) and authenticated there; one failing block and the new VM is
 * destroyed (scrubbed) and nothing is restored. The vCPU state is the VMCS guest state, the registers
 * VMX does not keep, and the XSAVE area. */
#include "smm.h"
#include "export.h"
#include "hypercall_abi.h"
#include "keys.h"
#include "vmcs_fields.h"
#include "vmx_caps.h"
#include "vmx_insn.h"
#include "vms.h"
#include "../kernel/fmt.h"
#include "../kernel/log.h"
#include "../kernel/rdrand.h"
#include "../kernel/spinlock.h"
#include "../kernel/string.h"

#define RESTORE_MAX_RAM GiB(4)
#define VMCS_GUEST_PDPTE1 0x280c
#define VMCS_GUEST_PDPTE2 0x280e
#define VMCS_GUEST_PDPTE3 0x2810

/* The guest-state fields an image carries; the entry controls only for their IA-32e mode bit. */
static const u32 state_fields[] = {
	VMCS_GUEST_ES_SEL, VMCS_GUEST_CS_SEL, VMCS_GUEST_SS_SEL, VMCS_GUEST_DS_SEL, VMCS_GUEST_FS_SEL,
	VMCS_GUEST_GS_SEL, VMCS_GUEST_LDTR_SEL, VMCS_GUEST_TR_SEL, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_CS_LIMIT,
	VMCS_GUEST_SS_LIMIT, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_LDTR_LIMIT,
	VMCS_GUEST_TR_LIMIT, VMCS_GUEST_GDTR_LIMIT, VMCS_GUEST_IDTR_LIMIT, VMCS_GUEST_ES_AR, VMCS_GUEST_CS_AR,
	VMCS_GUEST_SS_AR, VMCS_GUEST_DS_AR, VMCS_GUEST_FS_AR, VMCS_GUEST_GS_AR, VMCS_GUEST_LDTR_AR,
	VMCS_GUEST_TR_AR, VMCS_GUEST_INTERRUPTIBILITY, VMCS_GUEST_ACTIVITY, VMCS_GUEST_SYSENTER_CS,
	VMCS_GUEST_CR0, VMCS_GUEST_CR3, VMCS_GUEST_CR4, VMCS_GUEST_ES_BASE, VMCS_GUEST_CS_BASE,
	VMCS_GUEST_SS_BASE, VMCS_GUEST_DS_BASE, VMCS_GUEST_FS_BASE, VMCS_GUEST_GS_BASE, VMCS_GUEST_LDTR_BASE,
	VMCS_GUEST_TR_BASE, VMCS_GUEST_GDTR_BASE, VMCS_GUEST_IDTR_BASE, VMCS_GUEST_DR7, VMCS_GUEST_RSP,
	VMCS_GUEST_RIP, VMCS_GUEST_RFLAGS, VMCS_GUEST_PENDING_DBG, VMCS_GUEST_SYSENTER_ESP,
	VMCS_GUEST_SYSENTER_EIP, VMCS_GUEST_DEBUGCTL, VMCS_GUEST_PAT, VMCS_GUEST_EFER, VMCS_GUEST_PDPTE0,
	VMCS_GUEST_PDPTE1, VMCS_GUEST_PDPTE2, VMCS_GUEST_PDPTE3, VMCS_CR0_SHADOW, VMCS_CR4_SHADOW,
	VMCS_ENTRY_CTLS,
};
#define NFIELDS ARRAY_SIZE(state_fields)

struct vcpu_state {
	struct guest_regs regs;
	u64 fields[NFIELDS];
	u64 msrs[ARRAY_SIZE(((struct vcpu *)0)->msrs)];
	u64 xcr0, cr8;
	u8 fpu[PAGE_SIZE];
};

/* Moat's bounce buffers: plaintext exists only here and in the VMs' own frames. */
static struct vcpu_state state_buf;
static u8 page_buf[PAGE_SIZE];
static struct spinlock lock;
static u32 export_counter;

static void save_vcpu(struct vm *caller, struct vm *t, struct vcpu_state *s)
{
	vmptrld(t->vcpu.vmcs);
	for (u32 i = 0; i < NFIELDS; i++)
		s->fields[i] = vmread(state_fields[i]);
	vmptrld(caller->vcpu.vmcs);
	s->regs = t->vcpu.regs;
	memcpy(s->msrs, t->vcpu.msrs, sizeof(s->msrs));
	s->xcr0 = t->vcpu.xcr0;
	s->cr8 = t->vcpu.cr8;
	memcpy(s->fpu, (const void *)(uintptr_t)t->vcpu.fpu, PAGE_SIZE);
}

static void load_vcpu(struct vm *caller, struct vm *nv, const struct vcpu_state *s)
{
	vmptrld(nv->vcpu.vmcs);
	for (u32 i = 0; i < NFIELDS; i++) {
		u64 v = s->fields[i];
		if (state_fields[i] == VMCS_ENTRY_CTLS)
			v = (vmread(VMCS_ENTRY_CTLS) & ~ENTRY_IA32E_MODE_GUEST) | (v & ENTRY_IA32E_MODE_GUEST);
		vmwrite(state_fields[i], v);
	}
	vmclear(nv->vcpu.vmcs); /* launched on its first entry */
	vmptrld(caller->vcpu.vmcs);
	nv->vcpu.regs = s->regs;
	memcpy(nv->vcpu.msrs, s->msrs, sizeof(s->msrs));
	nv->vcpu.xcr0 = s->xcr0;
	nv->vcpu.cr8 = s->cr8;
	memcpy((void *)(uintptr_t)nv->vcpu.fpu, s->fpu, PAGE_SIZE);
}

static void short_hex(const u8 *d, char out[17])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 8; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 0xf];
	}
	out[16] = 0;
}

s64 smm_export(struct vm *caller, struct vm *t, u64 gpa, u64 len)
{
	u64 pages = t->ram_size / PAGE_SIZE;
	u64 size = MOAT_IMAGE_SIZE(pages, sizeof(struct vcpu_state));
	if (len < size)
		return -HC_EINVAL;
	if (!vm_gpa_ok(caller, gpa, size))
		return -HC_EFAULT;
	struct moat_image_header h;
	u8 key[KEY_LEN];
	memset(&h, 0, sizeof(h));
	if (!keys_vm_key(smm_table[t->id].key_name, key))
		return -HC_ENOKEY;
	if (!rdrand_fill(h.salt, sizeof(h.salt))) {
		crypto_wipe(key, sizeof(key));
		return -HC_EIO;
	}
	memcpy(h.magic, MOAT_IMAGE_MAGIC, sizeof(h.magic));
	h.version = MOAT_IMAGE_VERSION;
	h.header_size = sizeof(h);
	strlcpy(h.name, smm_table[t->id].key_name, sizeof(h.name));
	h.ram_size = t->ram_size;
	h.pages = (u32)pages;
	h.vm_id = t->id;
	h.mode = t->mode;
	h.state_size = sizeof(struct vcpu_state);
	memcpy(h.measurement, smm_table[t->id].measurement, sizeof(h.measurement));

	u8 *out = vm_gpa_ptr(caller, gpa);
	struct export_ctx x;
	spin_lock(&lock);
	h.counter = ++export_counter;
	memcpy(out, &h, sizeof(h));
	out += sizeof(h);
	export_begin(&x, key, h.salt, h.vm_id, h.counter);
	crypto_wipe(key, sizeof(key));
	for (u32 i = 0; i < pages; i++, out += PAGE_SIZE + MOAT_IMAGE_TAG) {
		memcpy(page_buf, vm_gpa_ptr(t, (u64)i * PAGE_SIZE), PAGE_SIZE);
		export_seal_block(&x, i, &h, sizeof(h), page_buf, PAGE_SIZE, out + PAGE_SIZE);
		memcpy(out, page_buf, PAGE_SIZE);
	}
	save_vcpu(caller, t, &state_buf);
	export_seal_block(&x, (u32)pages, &h, sizeof(h), &state_buf, sizeof(state_buf), out + sizeof(state_buf));
	memcpy(out, &state_buf, sizeof(state_buf));
	crypto_wipe(page_buf, sizeof(page_buf));
	crypto_wipe(&state_buf, sizeof(state_buf));
	export_end(&x);
	spin_unlock(&lock);

	char m[17];
	short_hex(h.measurement, m);
	pr_info("smm", "vm '%s' exported by '%s': %llu pages + vCPU state, %llu bytes of AES-256-GCM ciphertext "
		"(export #%u, measurement %s...)", t->name, caller->name, pages, size, h.counter, m);
	return (s64)size;
}

/* The header's fields make sense and len is exactly the image they describe. */
static const char *header_problem(const struct moat_image_header *h, u64 len)
{
	if (memcmp(h->magic, MOAT_IMAGE_MAGIC, sizeof(h->magic)) || h->version != MOAT_IMAGE_VERSION ||
	    h->header_size != sizeof(*h) || h->reserved)
		return "not a Moat image of this version";
	if (h->state_size != sizeof(struct vcpu_state))
		return "vCPU state of the wrong size";
	if (!h->pages || h->ram_size != (u64)h->pages * PAGE_SIZE || h->ram_size > RESTORE_MAX_RAM)
		return "memory size out of range";
	if (h->mode != VM_MODE_REAL16 && h->mode != VM_MODE_PROT32 && h->mode != VM_MODE_LONG64)
		return "unknown entry mode";
	if (strnlen(h->name, sizeof(h->name)) == sizeof(h->name) || !h->name[0])
		return "VM name not terminated";
	if (len != MOAT_IMAGE_SIZE(h->pages, h->state_size))
		return "length differs from the size the header gives";
	return NULL;
}

static int free_slot(void)
{
	for (int i = VM_MAX - 1; i >= 0; i--)
		if (vm_table[i].state == VM_FREE || vm_table[i].state == VM_STOPPED)
			return i;
	return -1;
}

/* Authenticates and decrypts every block into the new VM (pages) and state_buf. -1 at the first bad
 * one, with its index in *bad. */
static int open_blocks(const struct export_ctx *x, const struct moat_image_header *h, const u8 *in,
		       struct vm *nv, u32 *bad)
{
	u8 tag[MOAT_IMAGE_TAG];
	for (u32 i = 0; i < h->pages; i++, in += PAGE_SIZE + MOAT_IMAGE_TAG) {
		void *dst = vm_gpa_ptr(nv, (u64)i * PAGE_SIZE);
		memcpy(dst, in, PAGE_SIZE); /* copied first: the control VM cannot change it under the check */
		memcpy(tag, in + PAGE_SIZE, sizeof(tag));
		if (export_open_block(x, i, h, sizeof(*h), dst, PAGE_SIZE, tag) != 0) {
			*bad = i;
			return -1;
		}
	}
	memcpy(&state_buf, in, sizeof(state_buf));
	memcpy(tag, in + sizeof(state_buf), sizeof(tag));
	if (export_open_block(x, h->pages, h, sizeof(*h), &state_buf, sizeof(state_buf), tag) != 0) {
		*bad = h->pages;
		return -1;
	}
	return 0;
}

s64 smm_restore(struct vm *caller, u64 gpa, u64 len, const char *new_name)
{
	struct moat_image_header h;
	if (len < sizeof(h))
		return -HC_EBADMSG;
	if (!vm_gpa_ok(caller, gpa, len))
		return -HC_EFAULT;
	const u8 *in = vm_gpa_ptr(caller, gpa);
	memcpy(&h, in, sizeof(h));
	const char *problem = header_problem(&h, len);
	if (problem) {
		pr_warn("smm", "restore for '%s' refused: %s", caller->name, problem);
		return -HC_EBADMSG;
	}
	u8 key[KEY_LEN];
	if (!keys_vm_key(h.name, key))
		return -HC_ENOKEY;
	int slot = free_slot();
	if (slot < 0) {
		crypto_wipe(key, sizeof(key));
		return -HC_ENOMEM;
	}
	char why[200];
	struct vm *nv = &vm_table[slot];
	if (vm_create_blank((u32)slot, new_name, h.ram_size, (enum vm_mode)h.mode, vms_caps(), caller->cpu, why,
			    sizeof(why)) != 0) {
		vmptrld(caller->vcpu.vmcs);
		crypto_wipe(key, sizeof(key));
		pr_warn("smm", "restore of '%s' refused: %s", new_name, why);
		return -HC_ENOMEM;
	}
	struct smm_vm *s = &smm_table[slot];
	memset(s, 0, sizeof(*s));
	strlcpy(s->key_name, h.name, sizeof(s->key_name));
	memcpy(s->measurement, h.measurement, sizeof(s->measurement));

	struct export_ctx x;
	u32 bad = 0;
	spin_lock(&lock);
	export_begin(&x, key, h.salt, h.vm_id, h.counter);
	crypto_wipe(key, sizeof(key));
	int rc = open_blocks(&x, &h, in + sizeof(h), nv, &bad);
	export_end(&x);
	if (rc == 0)
		load_vcpu(caller, nv, &state_buf);
	else
		vmptrld(caller->vcpu.vmcs);
	crypto_wipe(&state_buf, sizeof(state_buf));
	spin_unlock(&lock);
	if (rc != 0) {
		pr_warn("smm", "restore of '%s' refused: block %u of %u failed authentication (image altered, or not "
			"made by this Moat with this key); nothing restored", new_name, bad, h.pages + 1);
		vm_set_stopped(nv, "restore refused: the image failed authentication");
		vm_destroy(nv);
		vmptrld(caller->vcpu.vmcs);
		return -HC_EBADMSG;
	}
	char m[17];
	short_hex(h.measurement, m);
	pr_info("smm", "vm '%s' restored by '%s' from an image of '%s' (%u pages, export #%u, measurement %s...): "
		"authenticated, running as VM %d", new_name, caller->name, h.name, h.pages, h.counter, m, slot);
	nv->state = VM_RUNNABLE;
	return slot;
}
