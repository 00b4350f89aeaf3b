/* tests/unit/test_config.c: config_parse on a complete config and on every error path, asserting the
 * exact message (file, line, key). Texts are handed over in exact-size heap blocks without a NUL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "host_log.h"
#include "kernel/config.h"

static struct moat_config C;
static char err[256];

static int parse_len(const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int r;

	memcpy(copy, text, len);
	memset(err, 'x', sizeof(err));
	r = config_parse("moat.cfg", copy, len, &C, err, sizeof(err));
	free(copy);
	return r;
}

static int parse(const char *text)
{
	return parse_len(text, strlen(text));
}

/* Expects text to fail with exactly `want`. */
static void expect_err_at(int line, const char *text, const char *want)
{
	int r = parse(text);

	if (r != -1)
		unit_fail(__FILE__, line, "config_parse returned %d, want -1 for:\n%s", r, text);
	else if (strcmp(err, want) != 0)
		unit_fail(__FILE__, line, "error text:\n  got  \"%s\"\n  want \"%s\"", err, want);
	/* on error the result is reset to defaults */
	if (C.nvms != 0 || C.ntests != 0 || C.log_level != LOG_INFO || C.emulator_exit)
		unit_fail(__FILE__, line, "config not reset to defaults after an error");
}
#define EXPECT_ERR(text, want) expect_err_at(__LINE__, text, want)

/* "[vm a]\nmemory = 64M\nimage = a.elf\n" plus one more line (line 4) */
#define VM_A "[vm a]\nmemory = 64M\nimage = a.elf\n"

static void config_good_all_keys(void)
{
	static const char text[] = "# Moat test config\n"
				   "[moat]\n"
				   "log = debug          ; trailing comment\n"
				   "on_ready = poweroff\n"
				   "emulator_exit = yes\n"
				   "tests = boot_ok, dma-fault  ept_basic\n"
				   "\n"
				   "[vm net]\n"
				   "memory = 64M\n"
				   "cpus = 2\n"
				   "image = net.elf\n"
				   "devices = 0000:00:02.0, 00:03.0\n"
				   "\n"
				   "  [ vm  store ]   # second VM\n"
				   "\tmemory\t=\t1g \n"
				   "image=store-v1.2.bin\n"
				   "; done\n";

	CHECK_EQ(parse(text), 0);
	CHECK_STR(err, "");
	CHECK_EQ(C.log_level, LOG_DEBUG);
	CHECK_EQ(C.on_ready, CFG_ON_READY_POWEROFF);
	CHECK(C.emulator_exit);
	CHECK_EQ(C.ntests, 3);
	CHECK_STR(C.tests[0], "boot_ok");
	CHECK_STR(C.tests[1], "dma-fault");
	CHECK_STR(C.tests[2], "ept_basic");
	CHECK_EQ(C.nvms, 2);

	CHECK_STR(C.vms[0].name, "net");
	CHECK_EQ(C.vms[0].memory, 64ull << 20);
	CHECK_EQ(C.vms[0].cpus, 2);
	CHECK_STR(C.vms[0].image, "net.elf");
	CHECK_EQ(C.vms[0].line, 8);
	CHECK_EQ(C.vms[0].ndevices, 2);
	CHECK_EQ(C.vms[0].devices[0].seg, 0);
	CHECK_EQ(C.vms[0].devices[0].bus, 0);
	CHECK_EQ(C.vms[0].devices[0].dev, 2);
	CHECK_EQ(C.vms[0].devices[0].fn, 0);
	CHECK_EQ(C.vms[0].devices[1].dev, 3);

	CHECK_STR(C.vms[1].name, "store");
	CHECK_EQ(C.vms[1].memory, 1ull << 30);
	CHECK_EQ(C.vms[1].cpus, 1);
	CHECK_STR(C.vms[1].image, "store-v1.2.bin");
	CHECK_EQ(C.vms[1].ndevices, 0);
	CHECK_EQ(C.vms[1].line, 14);
	CHECK_EQ(host_log_count(), 0); /* the parser logs nothing */
}

static void config_defaults_and_empty(void)
{
	memset(&C, 0x5a, sizeof(C));
	config_defaults(&C);
	CHECK_EQ(C.log_level, LOG_INFO);
	CHECK_EQ(C.on_ready, CFG_ON_READY_IDLE);
	CHECK(!C.emulator_exit);
	CHECK_EQ(C.nvms, 0);
	CHECK_EQ(C.ntests, 0);

	CHECK_EQ(parse(""), 0);
	CHECK_EQ(C.nvms, 0);
	CHECK_EQ(parse("\n\n# only comments\n   ; and blanks\n\t\n"), 0);
	CHECK_EQ(config_parse("moat.cfg", NULL, 0, &C, err, sizeof(err)), 0);
	CHECK_EQ(parse("[moat]\n"), 0);
	CHECK_EQ(C.log_level, LOG_INFO);
}

static void config_sizes(void)
{
	static const struct {
		const char *v;
		unsigned long long bytes;
	} ok[] = {
	    {"4096", 4096},	  {"4k", 4096},	      {"4K", 4096},
	    {"12m", 12ull << 20}, {"2G", 2ull << 30}, {"17179869183G", 17179869183ull << 30},
	    {"0004K", 4096},
	};
	char text[128];

	for (unsigned i = 0; i < ARRAY_SIZE(ok); i++) {
		snprintf(text, sizeof(text), "[vm a]\nimage = a\nmemory = %s\n", ok[i].v);
		if (parse(text) != 0 || C.vms[0].memory != ok[i].bytes)
			unit_fail(__FILE__, __LINE__, "memory = %s: got %llu (%s)", ok[i].v,
				  (unsigned long long)C.vms[0].memory, err);
	}
	CHECK_EQ(parse("[vm a]\nimage = a\nmemory = 64M\ncpus = 64\n"), 0);
	CHECK_EQ(C.vms[0].cpus, 64);
}

static void config_crlf_and_not_terminated(void)
{
	static const char text[] = "[vm a]\r\nmemory = 4K\r\nimage = a.elfXYZ";

	CHECK_EQ(parse_len(text, sizeof(text) - 1 - 3), 0); /* the length ends before "XYZ" */
	CHECK_STR(C.vms[0].image, "a.elf");
	CHECK_EQ(C.vms[0].memory, 4096);
}

static void config_nul_bytes(void)
{
	static const char trailing[] = "[vm a]\nmemory = 4K\nimage = a\n\0\0";
	static const char middle[] = "[vm a]\nmemory = 4K\0\nimage = a\n";

	CHECK_EQ(parse_len(trailing, sizeof(trailing) - 1), 0);
	CHECK_EQ(C.nvms, 1);
	CHECK_EQ(parse_len(middle, sizeof(middle) - 1), -1);
	CHECK_STR(err, "moat.cfg:2: NUL byte in the text");
}

static void config_err_control_character(void)
{
	EXPECT_ERR("[moat]\nlog = in\x01"
		   "fo\n",
		   "moat.cfg:2: control character 0x01 in the text");
}

static void config_err_line_too_long(void)
{
	char text[400];

	/* 255 characters is the limit, 256 is too long */
	memset(text, 0, sizeof(text));
	strcpy(text, "[moat]\n#");
	memset(text + 8, 'x', 254);
	CHECK_EQ(parse(text), 0);
	strcat(text, "x\n");
	EXPECT_ERR(text, "moat.cfg:2: line too long (more than 255 characters)");
}

static void config_err_key_outside_section(void)
{
	EXPECT_ERR("# first\nmemory = 64M\n",
		   "moat.cfg:2: key 'memory' outside any section (put it under [moat] or [vm NAME])");
}

static void config_err_text_without_equals(void)
{
	EXPECT_ERR("[vm a]\nmemory 64M\n",
		   "moat.cfg:2: 'memory 64M' is neither 'key = value' nor a [section]");
}

static void config_err_missing_key(void)
{
	EXPECT_ERR("[vm a]\n = 64M\n", "moat.cfg:2: missing key before '='");
}

static void config_err_unterminated_section(void)
{
	EXPECT_ERR("[vm a\n", "moat.cfg:1: unterminated section header '[vm a'");
	EXPECT_ERR("[moat]\n[\n", "moat.cfg:2: unterminated section header '['");
	EXPECT_ERR("[vm a # no bracket]\n", "moat.cfg:1: unterminated section header '[vm a'");
}

static void config_err_unknown_section(void)
{
	EXPECT_ERR("[vms a]\n", "moat.cfg:1: unknown section [vms a] (use [moat] or [vm NAME])");
	EXPECT_ERR("[]\n", "moat.cfg:1: unknown section [] (use [moat] or [vm NAME])");
}

static void config_err_duplicate_moat(void)
{
	EXPECT_ERR("[moat]\nlog = info\n[moat]\n", "moat.cfg:3: duplicate section [moat] (first at line 1)");
}

static void config_err_vm_name(void)
{
	EXPECT_ERR("[vm]\n", "moat.cfg:1: [vm]: missing VM name");
	EXPECT_ERR("[vm  ]\n", "moat.cfg:1: [vm]: missing VM name");
	EXPECT_ERR("[vm bad!]\n", "moat.cfg:1: 'bad!' is not a VM name (1-31 characters of A-Z a-z 0-9 _ -)");
	EXPECT_ERR("[vm two words]\n",
		   "moat.cfg:1: 'two words' is not a VM name (1-31 characters of A-Z a-z 0-9 _ -)");
	EXPECT_ERR("[vm abcdefghijklmnopqrstuvwxyz012345]\n",
		   "moat.cfg:1: 'abcdefghijklmnopqrstuvwxyz012345' is not a VM name (1-31 characters of A-Z "
		   "a-z 0-9 _ -)");
	CHECK_EQ(parse("[vm abcdefghijklmnopqrstuvwxyz01234]\nmemory = 4K\nimage = a\n"), 0);
	CHECK_STR(C.vms[0].name, "abcdefghijklmnopqrstuvwxyz01234");
}

static void config_err_duplicate_vm(void)
{
	EXPECT_ERR(VM_A "[vm a]\n", "moat.cfg:4: duplicate VM name 'a' (first at line 1)");
}

static void config_err_too_many_vms(void)
{
	char text[2048];
	size_t n = 0;

	for (int i = 0; i < 17; i++)
		n +=
		    (size_t)snprintf(text + n, sizeof(text) - n, "[vm v%d]\nmemory = 4K\nimage = v.elf\n", i);
	EXPECT_ERR(text, "moat.cfg:49: [vm v16]: too many VMs (max 16)");
	*strstr(text, "[vm v16]") = '\0'; /* 16 VMs are fine */
	CHECK_EQ(parse(text), 0);
	CHECK_EQ(C.nvms, 16);
}

static void config_err_unknown_key(void)
{
	EXPECT_ERR("[vm net]\nmemroy = 64M\n", "moat.cfg:2: key 'memroy' in [vm net]: unknown key");
	EXPECT_ERR("[vm net]\nlog = info\n", "moat.cfg:2: key 'log' in [vm net]: unknown key");
	EXPECT_ERR("[moat]\nmemory = 64M\n", "moat.cfg:2: key 'memory' in [moat]: unknown key");
	EXPECT_ERR("[moat]\nLog = info\n", "moat.cfg:2: key 'Log' in [moat]: unknown key");
}

static void config_err_duplicate_key(void)
{
	EXPECT_ERR("[vm a]\nmemory = 4K\nmemory = 8K\n", "moat.cfg:3: duplicate key 'memory' in [vm a]");
	EXPECT_ERR("[moat]\nlog = info\nlog = warn\n", "moat.cfg:3: duplicate key 'log' in [moat]");
}

static void config_err_empty_value(void)
{
	EXPECT_ERR("[vm a]\nimage =\n", "moat.cfg:2: key 'image' in [vm a]: empty value");
	EXPECT_ERR("[vm a]\nimage =   # nothing\n", "moat.cfg:2: key 'image' in [vm a]: empty value");
}

static void config_err_global_values(void)
{
	EXPECT_ERR("[moat]\nlog = loud\n",
		   "moat.cfg:2: key 'log' in [moat]: 'loud' is not one of error, warn, info, debug");
	EXPECT_ERR("[moat]\non_ready = reboot\n",
		   "moat.cfg:2: key 'on_ready' in [moat]: 'reboot' is not one of idle, poweroff");
	EXPECT_ERR("[moat]\nemulator_exit = maybe\n",
		   "moat.cfg:2: key 'emulator_exit' in [moat]: 'maybe' is not one of yes, no");
	CHECK_EQ(parse("[moat]\nlog = error\nemulator_exit = no\non_ready = idle\n"), 0);
	CHECK_EQ(C.log_level, LOG_ERR);
	CHECK(!C.emulator_exit);
	CHECK_EQ(parse("[moat]\nlog = warn\n"), 0);
	CHECK_EQ(C.log_level, LOG_WARN);
}

/* selftest = iommu: the boot-time DMA remapping check (vmm/selftest_dma_nic.c). */
static void config_selftest_iommu(void)
{
	CHECK_EQ(parse("[moat]\nlog = info\n"), 0);
	CHECK(!C.selftest_iommu);
	CHECK_EQ(parse("[moat]\nselftest = iommu\n"), 0);
	CHECK(C.selftest_iommu);
	CHECK_EQ(parse("[moat]\nselftest = none\n"), 0);
	CHECK(!C.selftest_iommu);
	EXPECT_ERR("[moat]\nselftest = nic\n", "moat.cfg:2: key 'selftest' in [moat]: 'nic' is not one of iommu, none");
	EXPECT_ERR(VM_A "selftest = iommu\n", "moat.cfg:4: key 'selftest' in [vm a]: unknown key");
}

static void config_err_tests(void)
{
	char text[1024];
	size_t n;

	EXPECT_ERR(
	    "[moat]\ntests = boot Boot\n",
	    "moat.cfg:2: key 'tests' in [moat]: 'Boot' is not a test name (1-31 characters of a-z 0-9 _ -)");
	EXPECT_ERR("[moat]\ntests = a,b,a\n", "moat.cfg:2: key 'tests' in [moat]: test 'a' is listed twice");
	EXPECT_ERR("[moat]\ntests = ,\n", "moat.cfg:2: key 'tests' in [moat]: no test listed");
	EXPECT_ERR("[moat]\ntests = abcdefghijklmnopqrstuvwxyz012345\n",
		   "moat.cfg:2: key 'tests' in [moat]: 'abcdefghijklmnopqrstuvwxyz012345' is not a test name "
		   "(1-31 characters of a-z 0-9 _ -)");
	n = (size_t)snprintf(text, sizeof(text), "[moat]\ntests =");
	for (int i = 0; i < 17; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " t%d", i);
	strcat(text, "\n");
	EXPECT_ERR(text, "moat.cfg:2: key 'tests' in [moat]: more than 16 tests");
}

static void config_err_memory(void)
{
	EXPECT_ERR("[vm net]\nmemory = 64Q\n",
		   "moat.cfg:2: key 'memory' in [vm net]: '64Q' is not a size (use K, M or G)");
	EXPECT_ERR("[vm net]\nmemory = M\n",
		   "moat.cfg:2: key 'memory' in [vm net]: 'M' is not a size (use K, M or G)");
	EXPECT_ERR("[vm net]\nmemory = 64 M\n",
		   "moat.cfg:2: key 'memory' in [vm net]: '64 M' is not a size (use K, M or G)");
	EXPECT_ERR("[vm net]\nmemory = 64MB\n",
		   "moat.cfg:2: key 'memory' in [vm net]: '64MB' is not a size (use K, M or G)");
	EXPECT_ERR("[vm net]\nmemory = -4K\n",
		   "moat.cfg:2: key 'memory' in [vm net]: '-4K' is not a size (use K, M or G)");
	EXPECT_ERR("[vm net]\nmemory = 0x1000\n",
		   "moat.cfg:2: key 'memory' in [vm net]: '0x1000' is not a size (use K, M or G)");
	EXPECT_ERR("[vm net]\nmemory = 99999999999999999999\n",
		   "moat.cfg:2: key 'memory' in [vm net]: '99999999999999999999' is too large");
	EXPECT_ERR("[vm net]\nmemory = 17179869184G\n",
		   "moat.cfg:2: key 'memory' in [vm net]: '17179869184G' is too large");
	EXPECT_ERR("[vm net]\nmemory = 0K\n",
		   "moat.cfg:2: key 'memory' in [vm net]: '0K' is not a positive size");
	EXPECT_ERR("[vm net]\nmemory = 1000\n",
		   "moat.cfg:2: key 'memory' in [vm net]: '1000' is not a multiple of 4 KiB");
	EXPECT_ERR("[vm net]\nmemory = 6K\n",
		   "moat.cfg:2: key 'memory' in [vm net]: '6K' is not a multiple of 4 KiB");
}

static void config_err_cpus(void)
{
	EXPECT_ERR(VM_A "cpus = 0\n", "moat.cfg:4: key 'cpus' in [vm a]: '0' is not a CPU count (1 to 64)");
	EXPECT_ERR(VM_A "cpus = 65\n", "moat.cfg:4: key 'cpus' in [vm a]: '65' is not a CPU count (1 to 64)");
	EXPECT_ERR(VM_A "cpus = two\n",
		   "moat.cfg:4: key 'cpus' in [vm a]: 'two' is not a CPU count (1 to 64)");
	EXPECT_ERR(
	    VM_A "cpus = 99999999999999999999999\n",
	    "moat.cfg:4: key 'cpus' in [vm a]: '99999999999999999999999' is not a CPU count (1 to 64)");
}

static void config_err_image(void)
{
	static const char *bad[] = {"a/b.elf", "a\\\\b", "..", "a b", "a#b", "\xc3\xa9.elf"};
	char text[256], want[256];

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), "[vm a]\nmemory = 4K\nimage = %s\n", bad[i]);
		snprintf(want, sizeof(want),
			 "moat.cfg:3: key 'image' in [vm a]: '%s' is not a file name (1-63 characters of A-Z "
			 "a-z 0-9 . _ -)",
			 bad[i]);
		expect_err_at(__LINE__, text, want);
	}
	memset(text, 0, sizeof(text));
	strcpy(text, "[vm a]\nmemory = 4K\nimage = ");
	memset(text + strlen(text), 'i', 64);
	strcat(text, "\n");
	CHECK_EQ(parse(text), -1);
	CHECK_HAS(err, "moat.cfg:3: key 'image' in [vm a]: 'iiii");
	text[strlen(text) - 2] = '\n'; /* 63 characters */
	text[strlen(text) - 1] = '\0';
	CHECK_EQ(parse(text), 0);
	CHECK_EQ(strlen(C.vms[0].image), 63);
}

static void config_err_devices(void)
{
	EXPECT_ERR(
	    VM_A "devices = 0000:00:2.0\n",
	    "moat.cfg:4: key 'devices' in [vm a]: '0000:00:2.0' is not a PCI address (like 0000:00:02.0)");
	EXPECT_ERR(VM_A "devices = 00:02.0 0000:00:02.0\n",
		   "moat.cfg:4: key 'devices' in [vm a]: device 0000:00:02.0 is listed twice");
	EXPECT_ERR(VM_A "devices = 00:02.0\n"
			"[vm b]\nmemory = 4K\nimage = b.elf\n"
			"devices = 00:03.0, 0000:00:02.0\n",
		   "moat.cfg:8: key 'devices': device 0000:00:02.0 is assigned twice (also in [vm a])");
	EXPECT_ERR(VM_A "devices = 00:01.0 00:02.0 00:03.0 00:04.0 00:05.0 00:06.0 00:07.0 00:08.0 00:09.0\n",
		   "moat.cfg:4: key 'devices' in [vm a]: more than 8 devices");
	EXPECT_ERR(VM_A "devices = , ,\n", "moat.cfg:4: key 'devices' in [vm a]: no device listed");
	/* the same function on another segment is another device */
	CHECK_EQ(
	    parse(VM_A "devices = 0000:00:02.0\n[vm b]\nmemory = 4K\nimage = b\ndevices = 0001:00:02.0\n"),
	    0);
	CHECK_EQ(C.vms[1].devices[0].seg, 1);
}

static void config_err_missing_required(void)
{
	EXPECT_ERR("[vm a]\nimage = a.elf\n[vm b]\nmemory = 4K\nimage = b\n",
		   "moat.cfg:1: [vm a]: missing required key 'memory'");
	EXPECT_ERR(VM_A "\n[vm b]\nmemory = 64M\n", "moat.cfg:5: [vm b]: missing required key 'image'");
	EXPECT_ERR(VM_A "[vm c]\n", "moat.cfg:4: [vm c]: missing required key 'memory'");
}

static void config_err_small_buffer(void)
{
	char *small = malloc(12);
	int r;

	r = config_parse("moat.cfg", "[vm\n", 4, &C, small, 12);
	CHECK_EQ(r, -1);
	CHECK_STR(small, "moat.cfg:1:");
	free(small);
	CHECK_EQ(config_parse("moat.cfg", "[vm\n", 4, &C, NULL, 0), -1);
}

/* tpm = required|optional (vmm/keys.c refuses to start without a TPM when required). */
static void config_tpm_required(void)
{
	CHECK_EQ(parse("[moat]\n"), 0);
	CHECK(!C.tpm_required);
	CHECK_EQ(parse("[moat]\ntpm = required\n"), 0);
	CHECK(C.tpm_required);
	CHECK_EQ(parse("[moat]\ntpm = optional\n"), 0);
	CHECK(!C.tpm_required);
	EXPECT_ERR("[moat]\ntpm = yes\n", "moat.cfg:2: key 'tpm' in [moat]: 'yes' is not one of required, optional");
}

/* cpu_discovery = madt|broadcast: how the kernel finds the other CPUs (kernel/smp_broadcast.c). */
static void config_cpu_discovery(void)
{
	CHECK_EQ(parse("[moat]\n"), 0);
	CHECK_EQ(C.cpu_discovery, CFG_CPU_DISCOVERY_MADT);
	CHECK_EQ(parse("[moat]\ncpu_discovery = broadcast\n"), 0);
	CHECK_EQ(C.cpu_discovery, CFG_CPU_DISCOVERY_BROADCAST);
	CHECK_EQ(parse("[moat]\ncpu_discovery = madt\n"), 0);
	CHECK_EQ(C.cpu_discovery, CFG_CPU_DISCOVERY_MADT);
	EXPECT_ERR("[moat]\ncpu_discovery = all\n",
		   "moat.cfg:2: key 'cpu_discovery' in [moat]: 'all' is not one of madt, broadcast");
	EXPECT_ERR(VM_A "cpu_discovery = madt\n", "moat.cfg:4: key 'cpu_discovery' in [vm a]: unknown key");
}

/* iommu_qi = on|off: off makes the VT-d units use register-based invalidation (iommu/unit.c). */
static void config_iommu_qi(void)
{
	CHECK_EQ(parse("[moat]\n"), 0);
	CHECK(!C.iommu_qi_off);
	CHECK_EQ(parse("[moat]\niommu_qi = off\n"), 0);
	CHECK(C.iommu_qi_off);
	CHECK_EQ(parse("[moat]\niommu_qi = on\n"), 0);
	CHECK(!C.iommu_qi_off);
	CHECK_EQ(parse("[moat]\niommu_qi = off # broken QI on this board\n"), 0);
	CHECK(C.iommu_qi_off);
	EXPECT_ERR("[moat]\niommu_qi = no\n", "moat.cfg:2: key 'iommu_qi' in [moat]: 'no' is not one of on, off");
	EXPECT_ERR("[moat]\niommu_qi = OFF\n", "moat.cfg:2: key 'iommu_qi' in [moat]: 'OFF' is not one of on, off");
	EXPECT_ERR("[moat]\niommu_qi =\n", "moat.cfg:2: key 'iommu_qi' in [moat]: empty value");
	EXPECT_ERR(VM_A "iommu_qi = off\n", "moat.cfg:4: key 'iommu_qi' in [vm a]: unknown key");
	/* a failed parse leaves the defaults, not a half-applied off */
	CHECK_EQ(parse("[moat]\niommu_qi = off\nlog = loud\n"), -1);
	CHECK(!C.iommu_qi_off);
}

/* cpu = N pins a VM to a CPU; entry = chooses the mode it starts in (vmm/). */
static void config_vm_cpu_and_entry(void)
{
	CHECK_EQ(parse(VM_A), 0);
	CHECK_EQ(C.vms[0].cpu, 0);
	CHECK_EQ(C.vms[0].entry, CFG_ENTRY_AUTO);
	CHECK_EQ(parse(VM_A "cpu = 1\nentry = long\n"), 0);
	CHECK_EQ(C.vms[0].cpu, 1);
	CHECK_EQ(C.vms[0].entry, CFG_ENTRY_LONG);
	CHECK_EQ(parse(VM_A "cpu = 63\nentry = real\n"), 0);
	CHECK_EQ(C.vms[0].cpu, 63);
	CHECK_EQ(C.vms[0].entry, CFG_ENTRY_REAL);
	CHECK_EQ(parse(VM_A "entry = protected\n"), 0);
	CHECK_EQ(C.vms[0].entry, CFG_ENTRY_PROTECTED);
	CHECK_EQ(parse(VM_A "entry = auto\n"), 0);
	CHECK_EQ(C.vms[0].entry, CFG_ENTRY_AUTO);
}

/* control = yes marks the VM that may pause, export, restore and destroy others (vmm/smm_hc.c). */
static void config_vm_control(void)
{
	CHECK_EQ(parse(VM_A), 0);
	CHECK(!C.vms[0].control);
	CHECK_EQ(parse(VM_A "control = yes\n"), 0);
	CHECK(C.vms[0].control);
	CHECK_EQ(parse(VM_A "control = no\n"), 0);
	CHECK(!C.vms[0].control);
	EXPECT_ERR(VM_A "control = maybe\n", "moat.cfg:4: key 'control' in [vm a]: 'maybe' is not one of yes, no");
	EXPECT_ERR("[moat]\ncontrol = yes\n", "moat.cfg:2: key 'control' in [moat]: unknown key");
}

/* dma = protected|unprotected-identity and rmrr = refuse|accept (vmm/assign.c, issue 8). */
static void config_vm_dma_and_rmrr(void)
{
	CHECK_EQ(parse(VM_A "devices = 00:02.0\n"), 0);
	CHECK_EQ(C.vms[0].dma, CFG_DMA_PROTECTED);
	CHECK(!C.vms[0].rmrr_accept);
	CHECK_EQ(parse(VM_A "dma = unprotected-identity\nrmrr = accept\n"), 0);
	CHECK_EQ(C.vms[0].dma, CFG_DMA_UNPROTECTED_IDENTITY);
	CHECK(C.vms[0].rmrr_accept);
	EXPECT_ERR(VM_A "dma = identity\n",
		   "moat.cfg:4: key 'dma' in [vm a]: 'identity' is not one of protected, unprotected-identity");
	EXPECT_ERR(VM_A "rmrr = yes\n", "moat.cfg:4: key 'rmrr' in [vm a]: 'yes' is not one of refuse, accept");
	EXPECT_ERR("[moat]\ndma = protected\n", "moat.cfg:2: key 'dma' in [moat]: unknown key");
}

/* "[vm l]\nmemory = 128M\nkernel = vmlinux.pvh\n" plus one more line (line 4) */
#define VM_L "[vm l]\nmemory = 128M\nkernel = vmlinux.pvh\n"

/* restarts = N|unlimited: how many guest resets restart a Linux VM (vmm/vm_linux.c). */
static void config_vm_restarts(void)
{
	CHECK_EQ(parse(VM_L), 0); /* default: unlimited, today's behaviour */
	CHECK(!C.vms[0].restarts_limited);
	CHECK_EQ(parse(VM_L "restarts = 1\n"), 0);
	CHECK(C.vms[0].restarts_limited);
	CHECK_EQ(C.vms[0].restarts, 1);
	CHECK_EQ(parse(VM_L "restarts = 0\n"), 0); /* never restarted: a reset stops it */
	CHECK(C.vms[0].restarts_limited);
	CHECK_EQ(C.vms[0].restarts, 0);
	CHECK_EQ(parse(VM_L "restarts = 1000000 # the most\n"), 0);
	CHECK(C.vms[0].restarts_limited);
	CHECK_EQ(C.vms[0].restarts, CFG_RESTARTS_MAX);
	CHECK_EQ(parse(VM_L "restarts = unlimited\n"), 0);
	CHECK(!C.vms[0].restarts_limited);
	/* two VMs keep their own */
	CHECK_EQ(parse(VM_L "restarts = 3\n[vm m]\nmemory = 64M\nkernel = k\n"), 0);
	CHECK(C.vms[0].restarts_limited);
	CHECK_EQ(C.vms[0].restarts, 3);
	CHECK(!C.vms[1].restarts_limited);
	EXPECT_ERR(VM_L "restarts = 1000001\n",
		   "moat.cfg:4: key 'restarts' in [vm l]: '1000001' is not a restart count (0 to 1000000, or unlimited)");
	EXPECT_ERR(VM_L "restarts = -1\n",
		   "moat.cfg:4: key 'restarts' in [vm l]: '-1' is not a restart count (0 to 1000000, or unlimited)");
	EXPECT_ERR(VM_L "restarts = many\n",
		   "moat.cfg:4: key 'restarts' in [vm l]: 'many' is not a restart count (0 to 1000000, or unlimited)");
	EXPECT_ERR(VM_L "restarts = 1 2\n",
		   "moat.cfg:4: key 'restarts' in [vm l]: '1 2' is not a restart count (0 to 1000000, or unlimited)");
	EXPECT_ERR(VM_L "restarts =\n", "moat.cfg:4: key 'restarts' in [vm l]: empty value");
	EXPECT_ERR(VM_L "restarts = 1\nrestarts = 2\n", "moat.cfg:5: duplicate key 'restarts' in [vm l]");
	EXPECT_ERR(VM_A "restarts = 1\n",
		   "moat.cfg:1: [vm a]: 'restarts' needs 'kernel' (only a Linux VM can ask for a reset)");
	EXPECT_ERR("[moat]\nrestarts = 1\n", "moat.cfg:2: key 'restarts' in [moat]: unknown key");
	/* a failed parse leaves no half-applied limit */
	CHECK_EQ(parse(VM_L "restarts = 2\nmemroy = 1M\n"), -1);
	CHECK_EQ(C.nvms, 0);
}

static void config_err_cpu_and_entry(void)
{
	EXPECT_ERR(VM_A "cpu = 64\n", "moat.cfg:4: key 'cpu' in [vm a]: '64' is not a CPU number (0 to 63)");
	EXPECT_ERR(VM_A "cpu = -1\n", "moat.cfg:4: key 'cpu' in [vm a]: '-1' is not a CPU number (0 to 63)");
	EXPECT_ERR(VM_A "cpu = one\n", "moat.cfg:4: key 'cpu' in [vm a]: 'one' is not a CPU number (0 to 63)");
	EXPECT_ERR(VM_A "entry = 64\n",
		   "moat.cfg:4: key 'entry' in [vm a]: '64' is not one of auto, real, protected, long");
	EXPECT_ERR("[moat]\ncpu = 1\n", "moat.cfg:2: key 'cpu' in [moat]: unknown key");
}

static const struct unit_test tests[] = {
    UNIT_TEST(config_good_all_keys),
    UNIT_TEST(config_vm_dma_and_rmrr),
    UNIT_TEST(config_cpu_discovery),
    UNIT_TEST(config_iommu_qi),
    UNIT_TEST(config_selftest_iommu),
    UNIT_TEST(config_defaults_and_empty),
    UNIT_TEST(config_sizes),
    UNIT_TEST(config_crlf_and_not_terminated),
    UNIT_TEST(config_nul_bytes),
    UNIT_TEST(config_err_control_character),
    UNIT_TEST(config_err_line_too_long),
    UNIT_TEST(config_err_key_outside_section),
    UNIT_TEST(config_err_text_without_equals),
    UNIT_TEST(config_err_missing_key),
    UNIT_TEST(config_err_unterminated_section),
    UNIT_TEST(config_err_unknown_section),
    UNIT_TEST(config_err_duplicate_moat),
    UNIT_TEST(config_err_vm_name),
    UNIT_TEST(config_err_duplicate_vm),
    UNIT_TEST(config_err_too_many_vms),
    UNIT_TEST(config_err_unknown_key),
    UNIT_TEST(config_err_duplicate_key),
    UNIT_TEST(config_err_empty_value),
    UNIT_TEST(config_err_global_values),
    UNIT_TEST(config_err_tests),
    UNIT_TEST(config_err_memory),
    UNIT_TEST(config_err_cpus),
    UNIT_TEST(config_err_image),
    UNIT_TEST(config_err_devices),
    UNIT_TEST(config_err_missing_required),
    UNIT_TEST(config_err_small_buffer),
    UNIT_TEST(config_vm_cpu_and_entry),
    UNIT_TEST(config_err_cpu_and_entry),
    UNIT_TEST(config_vm_control),
    UNIT_TEST(config_tpm_required),
    UNIT_TEST(config_vm_restarts),
};

UNIT_SUITE(config_suite, tests);
