/* tests/fuzz/fuzz_config.c: libFuzzer target for config_parse. The input is the text, in libFuzzer's
 * exact-size buffer (no NUL terminator), so ASan reports any read past it. */
#include <stdlib.h>
#include <string.h>
#include "kernel/config.h"

static struct moat_config cfg;

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	char err[160];

	if (config_parse("fuzz.cfg", (const char *)data, size, &cfg, err, sizeof(err)) != 0) {
		if (strncmp(err, "fuzz.cfg:", 9) != 0 || cfg.nvms != 0)
			abort(); /* every error names the file; a failed parse leaves defaults */
		return 0;
	}
	if (cfg.nvms > CFG_MAX_VMS || cfg.ntests > CFG_MAX_TESTS)
		abort();
	for (u32 i = 0; i < cfg.nvms; i++) {
		const struct cfg_vm *vm = &cfg.vms[i];
		if (vm->memory == 0 || vm->memory % 4096 || vm->cpus < 1 || vm->cpus > CFG_MAX_CPUS ||
		    (vm->image[0] == '\0') == (vm->kernel[0] == '\0') || vm->name[0] == '\0' || vm->ndevices > CFG_MAX_DEVICES)
			abort();
		for (u32 j = 0; j < i; j++)
			if (strcmp(cfg.vms[j].name, vm->name) == 0)
				abort();
	}
	return 0;
}
