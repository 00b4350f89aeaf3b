/* boot/measure.c: Moat's measured launch and master secret, run by efi_main after it loaded the config
 * and guest images and before ExitBootServices.
 *
 * Why here and not in the kernel: the sealed master secret lives on the ESP (\moat\sealed.bin), and
 * only the firmware can write the ESP. So boot/ measures, then unseals (later boots) or creates, seals
 * and stores (first boot) the secret while boot services still exist, using the kernel's own TPM
 * driver (kernel/tpm_*.c), TPM2 marshalling (kernel/tpm2_*.c) and SHA-256 (kernel/crypto.c): plain
 * code that runs the same before and after exit. The kernel gets the event log, the PCR values, the
 * key state and the secret in bi->measure, prints them and builds the key table (vmm/keys.c).
 * Measuring before anything from those files is used keeps "measure before use": the config was only
 * parsed so far, and no guest image has run.
 *
 * The firmware owns FS and its interrupts: kernel code compiled with the stack protector and BearSSL
 * read their canary at %fs:0x28, so for the duration of boot_measure FS points at a canary area of
 * its own (OVMF leaves FS base 0, where %fs:0x28 reads low memory: harmless but not a canary), and
 * the firmware's value is restored afterwards. BearSSL's red zone and SSE use are fenced by
 * crypto_enter/crypto_leave (interrupts off, XMM state saved) as in the kernel. */
#include <stdarg.h>
#include "measure.h"
#include "../kernel/acpi.h"
#include "../kernel/cpu.h"
#include "../kernel/crypto.h"
#include "../kernel/fmt.h"
#include "../kernel/log.h"
#include "../kernel/string.h"
#include "../kernel/tpm_mmio.h"
#include "../kernel/tpm_seal.h"
#include "../kernel/tsc.h"

#define CANARY_OFFSET 0x28
#define CANARY_LOW_BYTE 0xffULL
#define GOLDEN_RATIO_64 0x9e3779b97f4a7c15ULL

/* What %fs points at while boot_measure runs: the canary at offset 0x28, as in kernel/percpu.h. */
static struct {
	u8 pad[CANARY_OFFSET];
	u64 canary;
} boot_fs __attribute__((aligned(64)));

static struct acpi_info acpi;
static struct tpm_info tpm_info;
static struct tpm_mmio mmio;
static struct tpm2 tpm;
static struct tpm2_sealed sealed;
static u8 blob[SEAL_BLOB_MAX];

/* Keeps one line on what went wrong; the kernel prints it (moat: measure: / moat: keys:). */
static void __printf(2, 3) note(struct boot_measure *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->note, sizeof(m->note), fmt, ap);
	va_end(ap);
}

/* Finds and opens the TPM the same way the kernel will (ACPI TPM2 table, else the default base). */
static bool tpm_open(struct boot_info *bi)
{
	log_set_level(LOG_ERR); /* the kernel logs the ACPI inventory and the TPM line itself */
	acpi_parse(bi->rsdp, &acpi);
	tpm_probe(acpi.have_tpm2, acpi.tpm2_start_method, acpi.tpm2_control_area, &tpm_info);
	log_set_level(LOG_INFO);
	struct tpm_transport tr;
	if (tpm_mmio_open(&tpm_info, &mmio, &tr) != 0)
		return false;
	tpm2_init(&tpm, &tr);
	return tpm2_ensure_started(&tpm) == 0;
}

static void record(struct boot_measure *m, const char *desc, const void *data, u64 size, const u8 *digest)
{
	if (m->nevents == BOOT_MAX_EVENTS)
		return;
	struct boot_event *e = &m->events[m->nevents++];
	e->pcr = m->pcr;
	e->size = (u32)size;
	if (digest)
		memcpy(e->digest, digest, BOOT_DIGEST_LEN);
	else
		sha256(data, size, e->digest);
	strlcpy(e->desc, desc, sizeof(e->desc));
	if (m->tpm_state == BOOT_TPM_USED && tpm2_pcr_extend(&tpm, m->pcr, e->digest) != 0) {
		m->tpm_state = BOOT_TPM_FAILED;
		note(m, "TPM2_PCR_Extend of %s failed: measurements incomplete", desc);
	}
}

static void measure_all(struct boot_info *bi, struct boot_measure *m)
{
	u8 d[BOOT_DIGEST_LEN];
	u64 n = 0;
	if (boot_image_digest(d, &n) == 0)
		record(m, "moat.efi", NULL, n, d);
	else
		note(m, "moat.efi: no snapshot of the loaded image to measure");
	char desc[BOOT_EVENT_DESC_MAX];
	snprintf(desc, sizeof(desc), "moat.cfg (%s)", bi->cfg_source);
	record(m, desc, (const void *)(UINTN)bi->cfg_addr, bi->cfg_size, NULL);
	for (u32 i = 0; i < bi->nfiles; i++) {
		snprintf(desc, sizeof(desc), "image %s", bi->files[i].name);
		record(m, desc, (const void *)(UINTN)bi->files[i].addr, bi->files[i].size, NULL);
	}
}

static void unseal_stored(struct boot_measure *m, u64 addr, u64 size)
{
	u32 pcr;
	const char *why = "";
	if (seal_blob_read((const u8 *)(UINTN)addr, size, &pcr, &sealed, &why) != 0) {
		note(m, "\\moat\\%s: %s; nothing restored", SEALED_FILE, why);
		return;
	}
	size_t n = 0;
	int e = tpm_unseal(&tpm, pcr, &sealed, m->master, sizeof(m->master), &n);
	if (e == 0 && n == sizeof(m->master)) {
		m->key_state = BOOT_KEY_UNSEALED;
	} else if (e == TPM_E_POLICY) {
		m->key_state = BOOT_KEY_REFUSED;
		note(m, "TPM refused to unseal the master secret: PCR %u differs from the sealed value", pcr);
	} else {
		crypto_wipe(m->master, sizeof(m->master));
		note(m, "\\moat\\%s could not be unsealed (TPM error); nothing restored", SEALED_FILE);
	}
}

static void create_and_store(EFI_HANDLE image, struct boot_measure *m, bool can_store)
{
	if (tpm2_get_random(&tpm, m->master, sizeof(m->master)) != 0 ||
	    tpm_seal(&tpm, m->pcr, m->master, sizeof(m->master), &sealed) != 0) {
		crypto_wipe(m->master, sizeof(m->master));
		note(m, "could not create and seal a master secret (TPM error)");
		return;
	}
	m->key_state = BOOT_KEY_UNSTORED;
	size_t len = seal_blob_write(m->pcr, &sealed, blob, sizeof(blob));
	if (!can_store || len == 0) {
		note(m, "no writable boot volume for \\moat\\%s", SEALED_FILE);
		return;
	}
	EFI_STATUS st = boot_write_file(image, SEALED_FILE, blob, len);
	if (EFI_ERROR(st)) {
		note(m, "writing \\moat\\%s failed: EFI status 0x%llx", SEALED_FILE, (u64)st);
		return;
	}
	m->key_state = BOOT_KEY_CREATED;
}

static void key_setup(EFI_HANDLE image, struct boot_measure *m)
{
	u64 addr = 0, size = 0;
	EFI_STATUS st = boot_read_file(image, SEALED_FILE, &addr, &size);
	if (!EFI_ERROR(st)) {
		unseal_stored(m, addr, size);
		uefi_call_wrapper(BS->FreePages, 2, addr, EFI_SIZE_TO_PAGES(size + 1));
		return;
	}
	/* EFI_NOT_FOUND: first boot on this volume. Anything else (netboot: no volume) cannot store. */
	create_and_store(image, m, st == EFI_NOT_FOUND);
}

void boot_measure(EFI_HANDLE image, struct boot_info *bi)
{
	struct boot_measure *m = &bi->measure;
	u64 firmware_fs = rdmsr(MSR_FS_BASE);
	boot_fs.canary = (rdtsc() * GOLDEN_RATIO_64) & ~CANARY_LOW_BYTE;
	wrmsr(MSR_FS_BASE, (u64)(UINTN)&boot_fs);

	memset(m, 0, sizeof(*m));
	m->pcr = MEASURE_PCR;
	tsc_calibrate(); /* the TPM drivers' timeouts count TSC ticks */
	if (tpm_open(bi)) {
		m->tpm_state = BOOT_TPM_USED;
		if (tpm2_pcr_read(&tpm, m->pcr, m->pcr_before) != 0) {
			m->tpm_state = BOOT_TPM_FAILED;
			note(m, "TPM2_PCR_Read of PCR %u failed", m->pcr);
		}
	} else if (tpm_info.present) {
		m->tpm_state = BOOT_TPM_FAILED;
		note(m, "the TPM does not answer: measurements not extended");
	}
	measure_all(bi, m);
	if (m->tpm_state == BOOT_TPM_USED && tpm2_pcr_read(&tpm, m->pcr, m->pcr_after) != 0) {
		m->tpm_state = BOOT_TPM_FAILED;
		note(m, "TPM2_PCR_Read of PCR %u failed", m->pcr);
	}
	if (m->tpm_state == BOOT_TPM_USED)
		key_setup(image, m);
	crypto_wipe(tpm.rsp, sizeof(tpm.rsp)); /* GetRandom's answer held the new master secret */
	pr_debug("measure", "firmware FS base was 0x%llx", firmware_fs);

	wrmsr(MSR_FS_BASE, firmware_fs);
}
