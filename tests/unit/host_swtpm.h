/* tests/unit/host_swtpm.h: a private swtpm for one test: started on a unix socket in a temp state
 * directory, and a tpm_transport that talks to it, so kernel/tpm2_*.c run unchanged on the host. */
#ifndef MOAT_TEST_HOST_SWTPM_H
#define MOAT_TEST_HOST_SWTPM_H

#include <stdbool.h>
#include "kernel/tpm2.h"

struct host_swtpm {
	char dir[64];  /* state directory (kept across host_swtpm_restart) */
	int pid;
	int fd;
	struct tpm_transport tr;
};

/* Starts swtpm with a fresh state dir. startup: also pass --flags startup-clear (else Moat must send
 * TPM2_Startup itself). Returns 0, or -1 after printing why. */
int host_swtpm_start(struct host_swtpm *s, bool startup);
/* Stops swtpm (its state stays on disk) and starts it again on the same state, as a reboot would. */
int host_swtpm_restart(struct host_swtpm *s);
/* Stops swtpm and removes its state dir. */
void host_swtpm_stop(struct host_swtpm *s);

#endif
