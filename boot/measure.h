/* boot/measure.h: the measured launch and the master secret, done before ExitBootServices. */
#ifndef MOAT_BOOT_MEASURE_H
#define MOAT_BOOT_MEASURE_H

#include "boot.h"

/* The PCR Moat extends with its measurements: PCR 8, the first of the PCRs the PC Client platform
 * profile leaves to the operating system (8-15). It is a static PCR: it resets only with the
 * platform (TPM2_Startup(CLEAR) at boot), and no software can reset it (unlike PCR 16, the debug PCR,
 * and PCR 23, which locality 0 may reset: a sealed secret bound to either could be unsealed by
 * anyone who resets it and replays the expected measurements). PCRs 17-22 belong to a dynamic
 * launch at localities 3-4. The firmware measures into 0-7 only. If a loader before Moat also
 * extends PCR 8 (GRUB does), its extensions become part of what the secret is sealed to. */
#define MEASURE_PCR 8

/* The file on the ESP that holds the sealed master secret (format in kernel/tpm_seal.h). */
#define SEALED_FILE "sealed.bin"

/* Copies moat.efi as loaded; efi_main calls it first, before anything writes to Moat's data. */
void boot_image_snapshot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);
/* SHA-256 of the snapshot in link-time form (boot/image_snapshot.c); -1 if there is none. */
int boot_image_digest(u8 out[BOOT_DIGEST_LEN], u64 *measured);

/* Measures moat.efi, the config and every loaded guest image into MEASURE_PCR, then unseals the
 * master secret from \moat\sealed.bin, or creates, seals and stores one on first boot. Fills
 * bi->measure; never fails the boot (the kernel reports and decides). */
void boot_measure(EFI_HANDLE image, struct boot_info *bi);

/* Writes \moat\NAME on the volume moat.efi was loaded from (created or overwritten from offset 0). */
EFI_STATUS boot_write_file(EFI_HANDLE image, const char *name, const void *data, u64 size);

#endif
