/* kernel/boot_info.h: the one structure boot/ hands to the kernel after ExitBootServices.
 * Everything the kernel knows about the firmware world arrives through this header. */
#ifndef MOAT_BOOT_INFO_H
#define MOAT_BOOT_INFO_H

#include "types.h"

#define BOOT_INFO_MAGIC 0x544f4f4254414f4dULL /* "MOATBOOT" */
#define BOOT_INFO_VERSION 2 /* 2: measured launch (struct boot_measure) */

#define BOOT_MAX_MEM 512
#define BOOT_MAX_FILES 16
#define BOOT_NAME_MAX 64

enum boot_mem_type {
	BOOT_MEM_USABLE = 1,       /* free RAM, never touched by the firmware after exit */
	BOOT_MEM_BOOT_SERVICES = 2, /* RAM the firmware used until exit: free once Moat runs on its own tables */
	BOOT_MEM_MOAT = 3,         /* RAM holding Moat: its image, stacks, boot info, loaded files */
	BOOT_MEM_RESERVED = 4,     /* firmware runtime, unusable, or unknown: never touched */
	BOOT_MEM_ACPI = 5,         /* ACPI reclaimable tables: kept, they are read later */
	BOOT_MEM_ACPI_NVS = 6,     /* ACPI NVS: never touched */
	BOOT_MEM_MMIO = 7,         /* memory-mapped I/O reported by the firmware */
};

struct boot_mem_region {
	u64 base;  /* physical, page aligned */
	u64 pages; /* 4 KiB pages */
	u32 type;  /* enum boot_mem_type */
	u32 efi_type;
};

struct boot_file {
	char name[BOOT_NAME_MAX]; /* as named in the config, e.g. "hello.elf" */
	u64 addr;                 /* physical address of the contents (BOOT_MEM_MOAT memory) */
	u64 size;                 /* bytes */
};

/* Measured launch, done by boot/measure.c before ExitBootServices (only the firmware can write the
 * ESP, so sealing and storing the master secret happen there; see boot/measure.c). */
#define BOOT_MAX_EVENTS (2 + BOOT_MAX_FILES) /* moat.efi, moat.cfg, every guest image */
#define BOOT_DIGEST_LEN 32                   /* SHA-256 */
#define BOOT_EVENT_DESC_MAX 80
#define BOOT_NOTE_MAX 128
#define BOOT_SECRET_LEN 32

struct boot_event {
	u32 pcr;
	u32 size;                        /* bytes measured */
	u8 digest[BOOT_DIGEST_LEN];      /* SHA-256 extended into pcr */
	char desc[BOOT_EVENT_DESC_MAX];  /* "moat.efi", "moat.cfg (esp)", "image hello.elf" */
};

enum boot_tpm_state {
	BOOT_TPM_NONE = 0,   /* no usable TPM: nothing measured into a PCR (digests still logged) */
	BOOT_TPM_USED = 1,   /* every event below was extended into the TPM */
	BOOT_TPM_FAILED = 2, /* a TPM was found but a command failed: note says which */
};

enum boot_key_state {
	BOOT_KEY_NONE = 0,     /* no master secret from the TPM (no TPM or TPM failure) */
	BOOT_KEY_CREATED = 1,  /* first boot: new secret from TPM randomness, sealed, stored on the ESP */
	BOOT_KEY_UNSEALED = 2, /* later boot: the stored secret unsealed */
	BOOT_KEY_REFUSED = 3,  /* the TPM refused to unseal: Moat, config or an image changed */
	BOOT_KEY_UNSTORED = 4, /* new secret sealed but not written (no writable ESP): this boot only */
};

struct boot_measure {
	u32 tpm_state;  /* enum boot_tpm_state */
	u32 key_state;  /* enum boot_key_state */
	u32 pcr;        /* the PCR Moat measures into */
	u32 nevents;
	u8 pcr_before[BOOT_DIGEST_LEN]; /* its SHA-256 value before Moat's first extend */
	u8 pcr_after[BOOT_DIGEST_LEN];  /* and after the last, as read back from the TPM */
	u8 master[BOOT_SECRET_LEN];     /* for CREATED/UNSEALED/UNSTORED; the kernel copies and wipes it */
	char note[BOOT_NOTE_MAX];       /* one line on why the TPM or the key failed, "" otherwise */
	struct boot_event events[BOOT_MAX_EVENTS];
};

struct boot_info {
	u64 magic;
	u32 version;
	u32 nmem;
	u64 rsdp;            /* physical address of the ACPI RSDP, 0 if the firmware has none */
	u64 image_base;      /* moat.efi as loaded */
	u64 image_size;
	u64 stack_top;       /* the BSP stack boot/ switched to before kernel_main */
	u64 stack_size;
	u64 low_page;        /* a 4 KiB page below 1 MiB for the AP start trampoline, 0 if none */
	u64 cfg_addr;        /* moat.cfg contents, NUL-terminated, cfg_size excludes the NUL */
	u64 cfg_size;
	char cfg_source[BOOT_NAME_MAX]; /* where the config came from: "esp" or "embedded" */
	u32 nfiles;
	u32 reserved;
	struct boot_file files[BOOT_MAX_FILES];
	struct boot_mem_region mem[BOOT_MAX_MEM];
	struct boot_measure measure; /* version 2 */
};

/* The kernel's entry, called on Moat's own stack with interrupts off, boot services gone. */
void kernel_main(struct boot_info *bi) __attribute__((noreturn));

#endif
