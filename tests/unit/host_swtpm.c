/* tests/unit/host_swtpm.c: runs swtpm (swtpm socket --tpm2) for host tests and carries TPM commands
 * to it over its unix-socket server interface, which takes raw TPM 2.0 command bytes. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "host_swtpm.h"

#define WAIT_STEPS 200
#define WAIT_STEP_NS 25000000L /* 25 ms, 5 s in all */

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, unsigned char *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int swtpm_xfer(void *ctx, const u8 *cmd, size_t cmd_len, u8 *rsp, size_t rsp_cap, size_t *rsp_len)
{
	struct host_swtpm *s = ctx;
	if (write_all(s->fd, cmd, cmd_len) || rsp_cap < TPM2_HEADER_SIZE || read_all(s->fd, rsp, TPM2_HEADER_SIZE))
		return TPM_E_IO;
	size_t size = (size_t)rsp[2] << 24 | (size_t)rsp[3] << 16 | (size_t)rsp[4] << 8 | rsp[5];
	if (size < TPM2_HEADER_SIZE || size > rsp_cap)
		return TPM_E_SIZE;
	if (read_all(s->fd, rsp + TPM2_HEADER_SIZE, size - TPM2_HEADER_SIZE))
		return TPM_E_IO;
	*rsp_len = size;
	return 0;
}

static int launch(struct host_swtpm *s, bool startup)
{
	char srv[128], ctrl[128], state[128];
	snprintf(srv, sizeof(srv), "type=unixio,path=%s/srv.sock", s->dir);
	snprintf(ctrl, sizeof(ctrl), "type=unixio,path=%s/ctrl.sock", s->dir);
	snprintf(state, sizeof(state), "dir=%s", s->dir);
	char sock[128];
	snprintf(sock, sizeof(sock), "%s/srv.sock", s->dir);
	unlink(sock);

	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		const char *flags = startup ? "not-need-init,startup-clear" : "not-need-init";
		/* never outlive the test, and never hold its stdout/stderr pipes open */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execlp("swtpm", "swtpm", "socket", "--tpm2", "--server", srv, "--ctrl", ctrl, "--tpmstate", state,
		       "--flags", flags, (char *)NULL);
		fprintf(stderr, "host_swtpm: cannot run swtpm: %s\n", strerror(errno));
		_exit(127);
	}
	s->pid = pid;

	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/srv.sock", s->dir);
	struct timespec step = {0, WAIT_STEP_NS};
	for (int i = 0; i < WAIT_STEPS; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
			s->fd = fd;
			s->tr = (struct tpm_transport){"swtpm", swtpm_xfer, s};
			return 0;
		}
		if (fd >= 0)
			close(fd);
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			s->pid = 0;
			fprintf(stderr, "host_swtpm: swtpm exited at start (is it installed? tools/deps.sh)\n");
			return -1;
		}
		nanosleep(&step, NULL);
	}
	fprintf(stderr, "host_swtpm: no swtpm socket at %s after 5 s\n", sock);
	return -1;
}

static void halt(struct host_swtpm *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	s->pid = 0;
}

int host_swtpm_start(struct host_swtpm *s, bool startup)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	snprintf(s->dir, sizeof(s->dir), "/tmp/moat-unit-swtpm.XXXXXX");
	if (!mkdtemp(s->dir)) {
		perror("host_swtpm: mkdtemp");
		return -1;
	}
	return launch(s, startup);
}

int host_swtpm_restart(struct host_swtpm *s)
{
	halt(s);
	return launch(s, true);
}

void host_swtpm_stop(struct host_swtpm *s)
{
	halt(s);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "host_swtpm: could not remove %s\n", s->dir);
}
