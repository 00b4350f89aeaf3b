/* kernel/config.c: the moat.cfg parser: lines, comments, [moat] and [vm NAME] sections, key = value
 * pairs, value checks, and one "FILE:LINE: ..." message for the first error. */
#include "config.h"
#include "fmt.h"
#include "string.h"

#define CFG_MSG_MAX 512
#define MEM_ALIGN KiB(4)

struct span {
	const char *p;
	size_t n;
};

enum section { SEC_NONE, SEC_MOAT, SEC_VM };

struct parser {
	const char *file;
	u32 line;
	struct moat_config *cfg;
	char *err;
	size_t err_size;
	enum section sec;
	struct cfg_vm *vm;	      /* current VM in SEC_VM */
	u32 seen;		      /* keys seen in the current section, by index in keys[] */
	u32 moat_line;		      /* of [moat], 0 if none yet */
	char label[CFG_NAME_MAX + 8]; /* "[moat]" or "[vm NAME]" */
};

struct key_def {
	const char *name;
	enum section sec;
	int (*parse)(struct parser *ps, const char *key, struct span v, const char *vstr);
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_sep(char c)
{
	return is_blank(c) || c == ',';
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static struct span trim(struct span s)
{
	while (s.n && is_blank(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_blank(s.p[s.n - 1]))
		s.n--;
	return s;
}

static bool span_eq(struct span s, const char *lit)
{
	return strlen(lit) == s.n && memcmp(s.p, lit, s.n) == 0;
}

/* Copies s into buf as a C string, cut to size - 1 characters. */
static void span_str(struct span s, char *buf, size_t size)
{
	size_t n = MIN(s.n, size - 1);

	memcpy(buf, s.p, n);
	buf[n] = '\0';
}

/* Next token of a comma/space separated list from *rest, or an empty span at the end. */
static struct span next_item(struct span *rest)
{
	struct span item;

	while (rest->n && is_sep(rest->p[0])) {
		rest->p++;
		rest->n--;
	}
	item.p = rest->p;
	item.n = 0;
	while (item.n < rest->n && !is_sep(rest->p[item.n]))
		item.n++;
	rest->p += item.n;
	rest->n -= item.n;
	return item;
}

static int vfail_at(struct parser *ps, u32 line, const char *fmt, va_list ap)
{
	char msg[CFG_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (ps->err && ps->err_size)
		snprintf(ps->err, ps->err_size, "%s:%u: %s", ps->file, line, msg);
	return -1;
}

static int __printf(3, 4) fail_at(struct parser *ps, u32 line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail_at(ps, line, fmt, ap);
	va_end(ap);
	return r;
}

static int __printf(2, 3) fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail_at(ps, ps->line, fmt, ap);
	va_end(ap);
	return r;
}

/* "key 'K' in [SECTION]: <message>" */
static int __printf(3, 4) key_fail(struct parser *ps, const char *key, const char *fmt, ...)
{
	char msg[CFG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail(ps, "key '%s' in %s: %s", key, ps->label, msg);
}

/* --- value checks --- */

/* Decimal digits then an optional K/M/G (any case). 0, or -1 not a size, -2 too large. */
static int parse_size(struct span v, u64 *out)
{
	u64 val = 0;
	size_t i = 0;
	u32 shift = 0;

	for (; i < v.n && v.p[i] >= '0' && v.p[i] <= '9'; i++) {
		u32 d = (u32)(v.p[i] - '0');
		if (val > (UINT64_MAX - d) / 10)
			return -2;
		val = val * 10 + d;
	}
	if (i == 0)
		return -1;
	if (i + 1 == v.n) {
		switch (v.p[i]) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		default:
			return -1;
		}
	} else if (i != v.n) {
		return -1;
	}
	if (val > (UINT64_MAX >> shift))
		return -2;
	*out = val << shift;
	return 0;
}

/* Plain decimal in [min, max]; false if not. */
static bool parse_uint(struct span v, u32 min, u32 max, u32 *out)
{
	u64 val = 0;

	if (v.n == 0)
		return false;
	for (size_t i = 0; i < v.n; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return false;
		val = val * 10 + (u64)(v.p[i] - '0');
		if (val > max)
			return false;
	}
	if (val < min)
		return false;
	*out = (u32)val;
	return true;
}

static bool valid_vm_name(struct span s)
{
	if (s.n < 1 || s.n > CFG_NAME_MAX)
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (!is_alnum(s.p[i]) && s.p[i] != '_' && s.p[i] != '-')
			return false;
	return true;
}

static bool valid_test_name(struct span s)
{
	if (s.n < 1 || s.n > CFG_TEST_NAME_MAX)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '_' && c != '-')
			return false;
	}
	return true;
}

static bool valid_image_name(struct span s)
{
	bool only_dots = true;

	if (s.n < 1 || s.n > CFG_IMAGE_MAX)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		if (!is_alnum(s.p[i]) && s.p[i] != '.' && s.p[i] != '_' && s.p[i] != '-')
			return false;
		if (s.p[i] != '.')
			only_dots = false;
	}
	return !only_dots;
}

/* --- [moat] keys --- */

static int key_log(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	static const char *const names[] = {
	    [LOG_ERR] = "error", [LOG_WARN] = "warn", [LOG_INFO] = "info", [LOG_DEBUG] = "debug"};

	for (u32 i = 0; i < ARRAY_SIZE(names); i++) {
		if (span_eq(v, names[i])) {
			ps->cfg->log_level = (enum log_level)i;
			return 0;
		}
	}
	return key_fail(ps, key, "'%s' is not one of error, warn, info, debug", vstr);
}

static int key_on_ready(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	if (span_eq(v, "idle"))
		ps->cfg->on_ready = CFG_ON_READY_IDLE;
	else if (span_eq(v, "poweroff"))
		ps->cfg->on_ready = CFG_ON_READY_POWEROFF;
	else
		return key_fail(ps, key, "'%s' is not one of idle, poweroff", vstr);
	return 0;
}

static int key_emulator_exit(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	if (span_eq(v, "yes"))
		ps->cfg->emulator_exit = true;
	else if (span_eq(v, "no"))
		ps->cfg->emulator_exit = false;
	else
		return key_fail(ps, key, "'%s' is not one of yes, no", vstr);
	return 0;
}

static int key_tests(struct parser *ps, const char *key, struct span v, const char *vstr __unused)
{
	struct moat_config *c = ps->cfg;
	char name[CFG_LINE_MAX + 1];

	for (struct span item = next_item(&v); item.n; item = next_item(&v)) {
		span_str(item, name, sizeof(name));
		if (!valid_test_name(item))
			return key_fail(ps, key, "'%s' is not a test name (1-%u characters of a-z 0-9 _ -)",
					name, CFG_TEST_NAME_MAX);
		for (u32 i = 0; i < c->ntests; i++)
			if (span_eq(item, c->tests[i]))
				return key_fail(ps, key, "test '%s' is listed twice", name);
		if (c->ntests >= CFG_MAX_TESTS)
			return key_fail(ps, key, "more than %u tests", CFG_MAX_TESTS);
		memcpy(c->tests[c->ntests++], name, item.n + 1);
	}
	if (c->ntests == 0)
		return key_fail(ps, key, "no test listed");
	return 0;
}

static int key_selftest(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	if (span_eq(v, "iommu"))
		ps->cfg->selftest_iommu = true;
	else if (span_eq(v, "none"))
		ps->cfg->selftest_iommu = false;
	else
		return key_fail(ps, key, "'%s' is not one of iommu, none", vstr);
	return 0;
}

static int key_tpm(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	if (span_eq(v, "required"))
		ps->cfg->tpm_required = true;
	else if (span_eq(v, "optional"))
		ps->cfg->tpm_required = false;
	else
		return key_fail(ps, key, "'%s' is not one of required, optional", vstr);
	return 0;
}

static int key_cpu_discovery(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	if (span_eq(v, "madt"))
		ps->cfg->cpu_discovery = CFG_CPU_DISCOVERY_MADT;
	else if (span_eq(v, "broadcast"))
		ps->cfg->cpu_discovery = CFG_CPU_DISCOVERY_BROADCAST;
	else
		return key_fail(ps, key, "'%s' is not one of madt, broadcast", vstr);
	return 0;
}

static int key_iommu_qi(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	if (span_eq(v, "on"))
		ps->cfg->iommu_qi_off = false;
	else if (span_eq(v, "off"))
		ps->cfg->iommu_qi_off = true;
	else
		return key_fail(ps, key, "'%s' is not one of on, off", vstr);
	return 0;
}

/* --- [vm NAME] keys --- */

static int key_memory(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	u64 size = 0;
	int r = parse_size(v, &size);

	if (r == -1)
		return key_fail(ps, key, "'%s' is not a size (use K, M or G)", vstr);
	if (r == -2)
		return key_fail(ps, key, "'%s' is too large", vstr);
	if (size == 0)
		return key_fail(ps, key, "'%s' is not a positive size", vstr);
	if (size % MEM_ALIGN)
		return key_fail(ps, key, "'%s' is not a multiple of 4 KiB", vstr);
	ps->vm->memory = size;
	return 0;
}

static int key_cpus(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	if (!parse_uint(v, 1, CFG_MAX_CPUS, &ps->vm->cpus))
		return key_fail(ps, key, "'%s' is not a CPU count (1 to %u)", vstr, CFG_MAX_CPUS);
	return 0;
}

static int key_image(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	if (!valid_image_name(v))
		return key_fail(ps, key, "'%s' is not a file name (1-%u characters of A-Z a-z 0-9 . _ -)",
				vstr, CFG_IMAGE_MAX);
	span_str(v, ps->vm->image, sizeof(ps->vm->image));
	return 0;
}

static int key_cpu(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	if (!parse_uint(v, 0, CFG_MAX_CPUS - 1, &ps->vm->cpu))
		return key_fail(ps, key, "'%s' is not a CPU number (0 to %u)", vstr, CFG_MAX_CPUS - 1);
	return 0;
}

static int key_entry(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	static const struct {
		const char *name;
		enum cfg_entry entry;
	} modes[] = { { "auto", CFG_ENTRY_AUTO }, { "real", CFG_ENTRY_REAL }, { "protected", CFG_ENTRY_PROTECTED },
		      { "long", CFG_ENTRY_LONG } };

	for (u32 i = 0; i < ARRAY_SIZE(modes); i++) {
		if (span_eq(v, modes[i].name)) {
			ps->vm->entry = modes[i].entry;
			return 0;
		}
	}
	return key_fail(ps, key, "'%s' is not one of auto, real, protected, long", vstr);
}

static int key_control(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	if (span_eq(v, "yes"))
		ps->vm->control = true;
	else if (span_eq(v, "no"))
		ps->vm->control = false;
	else
		return key_fail(ps, key, "'%s' is not one of yes, no", vstr);
	return 0;
}

static int key_dma(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	if (span_eq(v, "protected"))
		ps->vm->dma = CFG_DMA_PROTECTED;
	else if (span_eq(v, "unprotected-identity"))
		ps->vm->dma = CFG_DMA_UNPROTECTED_IDENTITY;
	else
		return key_fail(ps, key, "'%s' is not one of protected, unprotected-identity", vstr);
	return 0;
}

static int key_rmrr(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	if (span_eq(v, "accept"))
		ps->vm->rmrr_accept = true;
	else if (span_eq(v, "refuse"))
		ps->vm->rmrr_accept = false;
	else
		return key_fail(ps, key, "'%s' is not one of refuse, accept", vstr);
	return 0;
}

/* kernel, initrd: file names as for image (a Linux VM, vmm/vm_linux.c). */
static int key_file(struct parser *ps, const char *key, struct span v, const char *vstr, char *dst, size_t size)
{
	if (!valid_image_name(v))
		return key_fail(ps, key, "'%s' is not a file name (1-%u characters of A-Z a-z 0-9 . _ -)", vstr,
				CFG_IMAGE_MAX);
	span_str(v, dst, size);
	return 0;
}

static int key_kernel(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	return key_file(ps, key, v, vstr, ps->vm->kernel, sizeof(ps->vm->kernel));
}

static int key_initrd(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	return key_file(ps, key, v, vstr, ps->vm->initrd, sizeof(ps->vm->initrd));
}

/* cmdline: the rest of the line, as written (comments cut as on every line). */
static int key_cmdline(struct parser *ps, const char *key __unused, struct span v, const char *vstr __unused)
{
	span_str(v, ps->vm->cmdline, sizeof(ps->vm->cmdline));
	return 0;
}

static int key_console(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	if (span_eq(v, "input"))
		ps->vm->console_input = true;
	else if (span_eq(v, "output"))
		ps->vm->console_input = false;
	else
		return key_fail(ps, key, "'%s' is not one of input, output", vstr);
	return 0;
}

/* restarts = N|unlimited: how often a Linux VM's own reset request restarts it (vmm/vm_linux.c). */
static int key_restarts(struct parser *ps, const char *key, struct span v, const char *vstr)
{
	if (span_eq(v, "unlimited")) {
		ps->vm->restarts_limited = false;
		ps->vm->restarts = 0;
		return 0;
	}
	if (!parse_uint(v, 0, CFG_RESTARTS_MAX, &ps->vm->restarts))
		return key_fail(ps, key, "'%s' is not a restart count (0 to %u, or unlimited)", vstr,
				CFG_RESTARTS_MAX);
	ps->vm->restarts_limited = true;
	return 0;
}

/* The VM other than `self` that already has device a, or NULL. */
static const struct cfg_vm *device_owner(const struct moat_config *c, const struct cfg_vm *self,
					 const struct pci_addr *a)
{
	for (u32 i = 0; i < c->nvms; i++) {
		const struct cfg_vm *vm = &c->vms[i];
		if (vm == self)
			continue;
		for (u32 j = 0; j < vm->ndevices; j++)
			if (pci_addr_rid(&vm->devices[j]) == pci_addr_rid(a) && vm->devices[j].seg == a->seg)
				return vm;
	}
	return NULL;
}

static int key_devices(struct parser *ps, const char *key, struct span v, const char *vstr __unused)
{
	struct cfg_vm *vm = ps->vm;
	char tok[CFG_LINE_MAX + 1], canon[PCI_ADDR_STR_MAX];

	for (struct span item = next_item(&v); item.n; item = next_item(&v)) {
		const struct cfg_vm *other;
		struct pci_addr a;

		span_str(item, tok, sizeof(tok));
		if (pci_addr_parse(item.p, item.n, &a) != 0)
			return key_fail(ps, key, "'%s' is not a PCI address (like 0000:00:02.0)", tok);
		pci_addr_format(&a, canon, sizeof(canon));
		for (u32 i = 0; i < vm->ndevices; i++)
			if (pci_addr_rid(&vm->devices[i]) == pci_addr_rid(&a) && vm->devices[i].seg == a.seg)
				return key_fail(ps, key, "device %s is listed twice", canon);
		other = device_owner(ps->cfg, vm, &a);
		if (other)
			return fail(ps, "key '%s': device %s is assigned twice (also in [vm %s])", key, canon,
				    other->name);
		if (vm->ndevices >= CFG_MAX_DEVICES)
			return key_fail(ps, key, "more than %u devices", CFG_MAX_DEVICES);
		vm->devices[vm->ndevices++] = a;
	}
	if (vm->ndevices == 0)
		return key_fail(ps, key, "no device listed");
	return 0;
}

enum key_id {
	KEY_LOG,
	KEY_ON_READY,
	KEY_EMULATOR_EXIT,
	KEY_TESTS,
	KEY_MEMORY,
	KEY_CPUS,
	KEY_IMAGE,
	KEY_DEVICES,
	KEY_CPU,
	KEY_ENTRY,
	KEY_SELFTEST,
	KEY_TPM,
	KEY_CPU_DISCOVERY,
	KEY_CONTROL,
	KEY_DMA,
	KEY_RMRR,
	KEY_KERNEL,
	KEY_INITRD,
	KEY_CMDLINE,
	KEY_CONSOLE,
	KEY_IOMMU_QI,
	KEY_RESTARTS
};

static const struct key_def keys[] = {
    [KEY_LOG] = {"log", SEC_MOAT, key_log},
    [KEY_ON_READY] = {"on_ready", SEC_MOAT, key_on_ready},
    [KEY_EMULATOR_EXIT] = {"emulator_exit", SEC_MOAT, key_emulator_exit},
    [KEY_TESTS] = {"tests", SEC_MOAT, key_tests},
    [KEY_MEMORY] = {"memory", SEC_VM, key_memory},
    [KEY_CPUS] = {"cpus", SEC_VM, key_cpus},
    [KEY_IMAGE] = {"image", SEC_VM, key_image},
    [KEY_DEVICES] = {"devices", SEC_VM, key_devices},
    [KEY_CPU] = {"cpu", SEC_VM, key_cpu},
    [KEY_ENTRY] = {"entry", SEC_VM, key_entry},
    [KEY_SELFTEST] = {"selftest", SEC_MOAT, key_selftest},
    [KEY_TPM] = {"tpm", SEC_MOAT, key_tpm},
    [KEY_CPU_DISCOVERY] = {"cpu_discovery", SEC_MOAT, key_cpu_discovery},
    [KEY_CONTROL] = {"control", SEC_VM, key_control},
    [KEY_DMA] = {"dma", SEC_VM, key_dma},
    [KEY_RMRR] = {"rmrr", SEC_VM, key_rmrr},
    [KEY_KERNEL] = {"kernel", SEC_VM, key_kernel},
    [KEY_INITRD] = {"initrd", SEC_VM, key_initrd},
    [KEY_CMDLINE] = {"cmdline", SEC_VM, key_cmdline},
    [KEY_CONSOLE] = {"console", SEC_VM, key_console},
    [KEY_IOMMU_QI] = {"iommu_qi", SEC_MOAT, key_iommu_qi},
    [KEY_RESTARTS] = {"restarts", SEC_VM, key_restarts},
};
_Static_assert(ARRAY_SIZE(keys) <= 32, "keys seen in a section fit in a u32 bit set");

/* --- sections --- */

/* A VM boots either an `image` (Moat's guest formats) or a Linux `kernel`; initrd, cmdline and
 * restarts belong to a kernel; one VM at most takes the console's input. */
static int check_boot_keys(struct parser *ps)
{
	bool image = ps->seen & BIT(KEY_IMAGE), kernel = ps->seen & BIT(KEY_KERNEL);

	if (image && kernel)
		return fail_at(ps, ps->vm->line, "%s: 'image' and 'kernel' exclude each other", ps->label);
	if (!image && !kernel)
		return fail_at(ps, ps->vm->line, "%s: missing required key 'image'",
			       ps->label);
	if (!kernel && (ps->seen & (BIT(KEY_INITRD) | BIT(KEY_CMDLINE))))
		return fail_at(ps, ps->vm->line, "%s: 'initrd' and 'cmdline' need 'kernel'", ps->label);
	if (!kernel && (ps->seen & BIT(KEY_RESTARTS)))
		return fail_at(ps, ps->vm->line, "%s: 'restarts' needs 'kernel' (only a Linux VM can ask for a reset)",
			       ps->label);
	if (ps->vm->console_input)
		for (struct cfg_vm *o = ps->cfg->vms; o < ps->vm; o++)
			if (o->console_input)
				return fail_at(ps, ps->vm->line, "%s: console = input, but [vm %s] already has it",
					       ps->label, o->name);
	return 0;
}

/* Checks the section being left (required VM keys). */
static int close_section(struct parser *ps)
{
	static const enum key_id required[] = {KEY_MEMORY};

	if (ps->sec != SEC_VM)
		return 0;
	for (u32 i = 0; i < ARRAY_SIZE(required); i++)
		if (!(ps->seen & BIT(required[i])))
			return fail_at(ps, ps->vm->line, "%s: missing required key '%s'", ps->label,
				       keys[required[i]].name);
	return check_boot_keys(ps);
}

static int open_vm(struct parser *ps, struct span name)
{
	struct moat_config *c = ps->cfg;
	char buf[CFG_LINE_MAX + 1];
	struct cfg_vm *vm;

	span_str(name, buf, sizeof(buf));
	if (name.n == 0)
		return fail(ps, "[vm]: missing VM name");
	if (!valid_vm_name(name))
		return fail(ps, "'%s' is not a VM name (1-%u characters of A-Z a-z 0-9 _ -)", buf,
			    CFG_NAME_MAX);
	for (u32 i = 0; i < c->nvms; i++)
		if (span_eq(name, c->vms[i].name))
			return fail(ps, "duplicate VM name '%s' (first at line %u)", buf, c->vms[i].line);
	if (c->nvms >= CFG_MAX_VMS)
		return fail(ps, "[vm %s]: too many VMs (max %u)", buf, CFG_MAX_VMS);
	vm = &c->vms[c->nvms++];
	memcpy(vm->name, buf, name.n + 1);
	vm->cpus = 1;
	vm->line = ps->line;
	ps->sec = SEC_VM;
	ps->vm = vm;
	snprintf(ps->label, sizeof(ps->label), "[vm %s]", vm->name);
	return 0;
}

/* s is a trimmed line starting with '['. */
static int section_line(struct parser *ps, struct span s)
{
	struct span inner;
	char buf[CFG_LINE_MAX + 1];

	if (s.n < 2 || s.p[s.n - 1] != ']') {
		span_str(s, buf, sizeof(buf));
		return fail(ps, "unterminated section header '%s'", buf);
	}
	if (close_section(ps))
		return -1;
	ps->seen = 0;
	ps->vm = NULL;
	inner = trim((struct span){s.p + 1, s.n - 2});
	if (span_eq(inner, "moat")) {
		if (ps->moat_line)
			return fail(ps, "duplicate section [moat] (first at line %u)", ps->moat_line);
		ps->moat_line = ps->line;
		ps->sec = SEC_MOAT;
		snprintf(ps->label, sizeof(ps->label), "[moat]");
		return 0;
	}
	if (inner.n >= 2 && memcmp(inner.p, "vm", 2) == 0 && (inner.n == 2 || is_blank(inner.p[2])))
		return open_vm(ps, trim((struct span){inner.p + 2, inner.n - 2}));
	span_str(inner, buf, sizeof(buf));
	return fail(ps, "unknown section [%s] (use [moat] or [vm NAME])", buf);
}

static int key_line(struct parser *ps, struct span s, size_t eq)
{
	struct span k = trim((struct span){s.p, eq});
	struct span v = trim((struct span){s.p + eq + 1, s.n - eq - 1});
	char key[CFG_LINE_MAX + 1], val[CFG_LINE_MAX + 1];

	span_str(k, key, sizeof(key));
	span_str(v, val, sizeof(val));
	if (k.n == 0)
		return fail(ps, "missing key before '='");
	if (ps->sec == SEC_NONE)
		return fail(ps, "key '%s' outside any section (put it under [moat] or [vm NAME])", key);
	for (u32 i = 0; i < ARRAY_SIZE(keys); i++) {
		if (keys[i].sec != ps->sec || !span_eq(k, keys[i].name))
			continue;
		if (ps->seen & BIT(i))
			return fail(ps, "duplicate key '%s' in %s", key, ps->label);
		ps->seen |= BIT(i);
		if (v.n == 0)
			return key_fail(ps, key, "empty value");
		return keys[i].parse(ps, key, v, val);
	}
	return key_fail(ps, key, "unknown key");
}

/* --- lines --- */

/* Cuts a '#' or ';' comment that starts the line or follows a blank. */
static struct span strip_comment(struct span s)
{
	for (size_t i = 0; i < s.n; i++) {
		if ((s.p[i] == '#' || s.p[i] == ';') && (i == 0 || is_blank(s.p[i - 1]))) {
			s.n = i;
			break;
		}
	}
	return s;
}

static int parse_line(struct parser *ps, struct span s)
{
	size_t eq;

	if (s.n > CFG_LINE_MAX)
		return fail(ps, "line too long (more than %u characters)", CFG_LINE_MAX);
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (c == '\0')
			return fail(ps, "NUL byte in the text");
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(ps, "control character 0x%02x in the text", c);
	}
	s = trim(strip_comment(s));
	if (s.n == 0)
		return 0;
	if (s.p[0] == '[')
		return section_line(ps, s);
	for (eq = 0; eq < s.n && s.p[eq] != '='; eq++)
		;
	if (eq == s.n) {
		char buf[CFG_LINE_MAX + 1];
		span_str(s, buf, sizeof(buf));
		return fail(ps, "'%s' is neither 'key = value' nor a [section]", buf);
	}
	return key_line(ps, s, eq);
}

void config_defaults(struct moat_config *c)
{
	memset(c, 0, sizeof(*c));
	c->log_level = LOG_INFO;
	c->on_ready = CFG_ON_READY_IDLE;
	c->emulator_exit = false;
}

static int parse_text(struct parser *ps, const char *text, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		struct span line = {text + pos, 0};

		while (pos + line.n < len && text[pos + line.n] != '\n')
			line.n++;
		pos += line.n + 1; /* past the '\n' (or the end) */
		if (line.n && line.p[line.n - 1] == '\r')
			line.n--;
		ps->line++;
		if (parse_line(ps, line))
			return -1;
	}
	return close_section(ps);
}

int config_parse(const char *file_name, const char *text, size_t len, struct moat_config *out, char *err,
		 size_t err_size)
{
	struct parser ps = {
	    .file = file_name ? file_name : "config",
	    .cfg = out,
	    .err = err,
	    .err_size = err_size,
	    .sec = SEC_NONE,
	};

	config_defaults(out);
	if (err && err_size)
		err[0] = '\0';
	if (!text)
		len = 0;
	/* A buffer whose length counts its NUL terminator(s) ends there; a NUL before text is an error. */
	while (len && text[len - 1] == '\0')
		len--;
	if (parse_text(&ps, text, len)) {
		config_defaults(out);
		return -1;
	}
	return 0;
}
