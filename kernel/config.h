/* kernel/config.h: moat.cfg in parsed form: global settings ([moat]) and one record per VM ([vm NAME]),
 * and the parser that fills it (format in DESIGN.md "Configuration"). */
#ifndef MOAT_CONFIG_H
#define MOAT_CONFIG_H

#include "types.h"
#include "log.h"
#include "pci_addr.h"

#define CFG_LINE_MAX 255 /* characters per line, newline excluded */
#define CFG_MAX_VMS 16
#define CFG_NAME_MAX 31	 /* VM name: [A-Za-z0-9_-] */
#define CFG_IMAGE_MAX 63 /* image file name: [A-Za-z0-9._-] */
#define CFG_MAX_CPUS 64
#define CFG_MAX_DEVICES 8 /* per VM */
#define CFG_MAX_TESTS 16
#define CFG_TEST_NAME_MAX 31 /* test name: [a-z0-9_-] */
#define CFG_RESTARTS_MAX 1000000 /* restarts = N: the largest N (else `unlimited`) */

enum cfg_on_ready {
	CFG_ON_READY_IDLE = 0,	   /* stay up once every VM runs */
	CFG_ON_READY_POWEROFF = 1, /* power off (test runs) */
};

enum cfg_cpu_discovery {
	CFG_CPU_DISCOVERY_MADT = 0,	 /* the CPUs the MADT lists; no MADT: the boot CPU only */
	CFG_CPU_DISCOVERY_BROADCAST = 1, /* no MADT: INIT-SIPI-SIPI to all but self (emulators) */
};

enum cfg_entry {
	CFG_ENTRY_AUTO = 0,	  /* from the image: ELF64 long, ELF32 protected, flat binary real mode */
	CFG_ENTRY_REAL = 16,	  /* 16-bit real mode */
	CFG_ENTRY_PROTECTED = 32, /* 32-bit protected mode, paging off */
	CFG_ENTRY_LONG = 64,	  /* 64-bit long mode on page tables Moat builds */
};

/* How an assigned device's DMA is confined (vmm/assign.c). */
enum cfg_dma {
	CFG_DMA_PROTECTED = 0,		/* its VM's DMA domain (VT-d); refused without an IOMMU */
	CFG_DMA_UNPROTECTED_IDENTITY = 1, /* no IOMMU: RAM also mapped at guest-physical = host-physical */
};

struct cfg_vm {
	char name[CFG_NAME_MAX + 1];
	u64 memory; /* bytes, a positive multiple of 4 KiB */
	u32 cpus;   /* 1..CFG_MAX_CPUS, default 1 */
	char image[CFG_IMAGE_MAX + 1];
	u32 ndevices;
	struct pci_addr devices[CFG_MAX_DEVICES];
	u32 line; /* of its [vm NAME] header */
	u32 cpu;  /* cpu = N: the CPU it runs on (0 = boot CPU, in start order), default 0 */
	enum cfg_entry entry; /* entry = auto|real|protected|long, default auto */
	bool control; /* control = yes|no, default no: may pause, export, restore and destroy other VMs */
	enum cfg_dma dma; /* dma = protected|unprotected-identity, default protected */
	bool rmrr_accept; /* rmrr = refuse|accept, default refuse: assign a device an RMRR names */
	/* A Linux VM (vmm/vm_linux.c) names `kernel` instead of `image`: an ELF vmlinux started at its
	 * PVH entry, with an optional initrd and command line. */
	char kernel[CFG_IMAGE_MAX + 1];   /* kernel = FILE: the vmlinux (PVH ELF note required) */
	char initrd[CFG_IMAGE_MAX + 1];   /* initrd = FILE: passed as the PVH module; "" for none */
	char cmdline[CFG_LINE_MAX + 1];   /* cmdline = TEXT: the kernel command line, rest of the line */
	bool console_input;		  /* console = input|output, default output: gets Moat's UART input */
	/* restarts = N|unlimited (a Linux VM): how many times a reset the guest asks for (0xCF9, 0x64)
	 * creates the VM again; once used up, the next reset stops it for good, as a power-off would.
	 * Default unlimited (restarts_limited false); 0: every reset stops it. */
	bool restarts_limited;
	u32 restarts;
};

struct moat_config {
	enum log_level log_level;   /* log = error|warn|info|debug, default info */
	enum cfg_on_ready on_ready; /* on_ready = idle|poweroff, default idle */
	bool emulator_exit;	    /* emulator_exit = yes|no, default no */
	bool selftest_iommu;	    /* selftest = iommu|none, default none: the NIC DMA check at boot */
	bool tpm_required;	    /* tpm = required|optional, default optional: refuse to start without a TPM */
	enum cfg_cpu_discovery cpu_discovery; /* cpu_discovery = madt|broadcast, default madt */
	bool iommu_qi_off; /* iommu_qi = on|off, default on; off: register-based VT-d invalidation even where
			    * the unit has queued invalidation (then no interrupt remapping: it needs QI) */
	u32 ntests;		    /* tests = in-hypervisor test names */
	char tests[CFG_MAX_TESTS][CFG_TEST_NAME_MAX + 1];
	u32 nvms;
	struct cfg_vm vms[CFG_MAX_VMS];
};

/* Zeroes *c and sets the global defaults. */
void config_defaults(struct moat_config *c);

/* Parses len bytes of text named file_name in messages. The text need not be NUL-terminated;
 * trailing NULs are ignored, any other NUL is an error. Returns 0, or -1 with the first error in
 * err as "FILE:LINE: ..." (*out is then reset to defaults). Logs nothing itself. */
int config_parse(const char *file_name, const char *text, size_t len, struct moat_config *out, char *err,
		 size_t err_size);

#endif
