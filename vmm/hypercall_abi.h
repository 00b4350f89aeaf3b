/* vmm/hypercall_abi.h: Moat's hypercall interface, shared by Moat and its guests (no other
 * includes). VMCALL with the number in RAX, arguments in RDI, RSI, RDX, RCX; the result comes
 * back in RAX: >= 0 on success, a negative errno-style code on failure. Pointers are
 * guest-physical addresses and must lie wholly inside the calling VM's RAM. */
#ifndef MOAT_HYPERCALL_ABI_H
#define MOAT_HYPERCALL_ABI_H

#define HC_CONSOLE_WRITE 0 /* (gpa, len): writes len bytes to the VM's console; returns len */
#define HC_VM_ID 1         /* (): this VM's id (its index in moat.cfg) */
#define HC_YIELD 2         /* (): gives the CPU to the next VM; returns 0 */
#define HC_STOP 3          /* (code): stops this VM; does not return */
#define HC_VM_NAME 4       /* (gpa, size): copies the VM's name, NUL-terminated; returns its length */

/* Control hypercalls: only a VM with `control = yes` in moat.cfg may make them (-HC_EPERM otherwise).
 * The target is another live VM on the caller's CPU, named by its id (never the caller itself). */
#define HC_VM_PAUSE 5   /* (id): the VM is no longer scheduled; returns 0 */
#define HC_VM_EXPORT 6  /* (id, gpa, len): a paused VM's memory and vCPU state as an encrypted image
			 * (format below) written to [gpa, gpa+len); returns the image's size */
#define HC_VM_RESTORE 7 /* (gpa, len, name_gpa, name_len): a new VM named name from the image at
			 * [gpa, gpa+len), decrypted inside Moat; it starts running; returns its id */
#define HC_VM_RESUME 8  /* (id): a paused VM is scheduled again; returns 0 */
#define HC_VM_DESTROY 9 /* (id): the VM stops (scrubbed, frames released); returns 0 */
#define HC_VM_FIND 10   /* (name_gpa, name_len): the id of the live VM with that name */
/* Device assignment (vmm/assign.c): (): what to add to a guest-physical RAM address to get the address an
 * assigned device uses for it: 0 with a DMA domain, the RAM's host address with dma = unprotected-identity
 * (RAM is then also mapped there); -HC_ENODEV when the VM has no device. */
#define HC_DMA_BASE 32

#define HC_CONSOLE_MAX 1024 /* most bytes one HC_CONSOLE_WRITE takes */

#define HC_EPERM 1     /* the caller is not a control VM, or the target is itself */
#define HC_ESRCH 3     /* no live VM with that id or name */
#define HC_EIO 5       /* no random salt could be made */
#define HC_ENOMEM 12   /* no memory or no VM slot for a restored VM */
#define HC_EFAULT 14  /* a pointer is outside the VM's memory */
#define HC_EBUSY 16    /* the target is not in the state the call needs (e.g. export of a running VM) */
#define HC_EEXIST 17   /* a live VM already has that name */
#define HC_EXDEV 18    /* the target runs on another CPU */
#define HC_ENODEV 19   /* the VM has no assigned device */
#define HC_EINVAL 22  /* a length or value is out of range */
#define HC_ENOSYS 38  /* no such hypercall */
#define HC_EBADMSG 74  /* an image failed authentication or is malformed: nothing was restored */
#define HC_ENOKEY 126  /* no key for the image's VM (exports are disabled without a key table) */

/* The exported image: this header (in clear, little-endian, and the AAD of every block), then each RAM
 * page as 4096 bytes of AES-256-GCM ciphertext and its 16-byte tag, then the vCPU state block
 * (state_size bytes and a tag). Block i's nonce is vm_id || i || counter (32-bit big-endian each),
 * the state block's index is pages; the key is HKDF-SHA256(key of VM name, salt, "moat export"). */
#define MOAT_IMAGE_MAGIC "MOATIMG1"
#define MOAT_IMAGE_VERSION 1
#define MOAT_IMAGE_NAME_MAX 32
#define MOAT_IMAGE_PAGE 4096
#define MOAT_IMAGE_TAG 16
struct moat_image_header {
	char magic[8];
	unsigned int version;
	unsigned int header_size;         /* sizeof(struct moat_image_header) */
	char name[MOAT_IMAGE_NAME_MAX];   /* the exported VM's name (NUL-padded); its key derives from it */
	unsigned long long ram_size;      /* bytes */
	unsigned int pages;               /* ram_size / 4096 */
	unsigned int vm_id;               /* nonce part: the exported VM's id */
	unsigned int counter;             /* nonce part: Moat's export counter */
	unsigned int mode;                /* 16, 32 or 64: the VM's entry mode */
	unsigned char salt[16];
	unsigned char measurement[32];    /* SHA-256 of the VM's image file as measured at its creation */
	unsigned int state_size;          /* bytes of the vCPU state block */
	unsigned int reserved;            /* 0 */
};
#define MOAT_IMAGE_SIZE(pages, state_size)                                                                   \
	(sizeof(struct moat_image_header) + (unsigned long long)(pages) * (MOAT_IMAGE_PAGE + MOAT_IMAGE_TAG) + \
	 (state_size) + MOAT_IMAGE_TAG)

/* CPUID leaf with the hypervisor signature (EBX, ECX, EDX = "MoatMoatMoat"), EAX = last leaf. */
#define MOAT_CPUID_SIGNATURE_LEAF 0x40000000U
/* EAX = TSC frequency in kHz, EBX = VM id. */
#define MOAT_CPUID_INFO_LEAF 0x40000001U

/* The 64-bit entry contract: RDI = RAM size, RSI = first byte of the area Moat built at the top
 * of RAM (page tables, GDT), RSP = RSI. Segments: code 0x08, data 0x10. RAM is identity-mapped
 * with 2 MiB pages; CR4.OSFXSR/OSXMMEXCPT are set (SSE usable); no IDT, interrupts off. */
#define MOAT_GUEST_CODE_SEL 0x08
#define MOAT_GUEST_DATA_SEL 0x10
/* Flat binaries are loaded here and start in real mode at CS = FLAT_LOAD_GPA >> 4, IP = 0. */
#define MOAT_FLAT_LOAD_GPA 0x1000

#endif
