/* vmm/exit_stats.c: the report printed when a VM stops: its VM exits counted by basic exit reason
 * (vm_exit_handle() counts them), largest first, and the host TSC at its first entry. The guest
 * runs without TSC offsetting or scaling, so its RDTSC readings are on the same scale (benchmarks
 * compare the two: tools/bench/linux.sh). */
#include "vm_exit.h"
#include "../kernel/cpu.h"
#include "../kernel/fmt.h"
#include "../kernel/log.h"
#include "../kernel/string.h"

/* Text per log line after "moat: vm 'name': ": log lines are at most 256 bytes with the prefix. */
#define EXIT_STATS_LINE_MAX 190

/* Appends ", <name> <count>" (or the first item without the comma) to line; false if it does not fit. */
static bool append_item(char *line, size_t *len, bool first, const char *name, u64 count)
{
	char item[64];
	int n = snprintf(item, sizeof(item), "%s%s %llu", first ? "" : ", ", name, count);
	if (n < 0 || *len + (size_t)n >= EXIT_STATS_LINE_MAX)
		return false;
	memcpy(line + *len, item, (size_t)n + 1);
	*len += (size_t)n;
	return true;
}

void exit_stats_report(const struct vm *vm, const char *sub)
{
	const u64 *c = vm->vcpu.exits_by_reason;
	u32 order[EXIT_REASON_COUNT], k = 0;
	u64 counted = 0;
	for (u32 r = 0; r < EXIT_REASON_COUNT; r++) {
		if (!c[r])
			continue;
		counted += c[r];
		u32 i = k++;
		while (i > 0 && c[order[i - 1]] < c[r]) { /* insertion sort, largest first */
			order[i] = order[i - 1];
			i--;
		}
		order[i] = r;
	}
	char line[EXIT_STATS_LINE_MAX];
	size_t len = (size_t)snprintf(line, sizeof(line), "exits: %llu in all%s", vm->vcpu.exits,
				     vm->vcpu.exits ? ": " : "");
	bool first = true;
	for (u32 i = 0; i < k; i++) {
		const char *name = exit_reason_name(order[i]);
		if (append_item(line, &len, first, name, c[order[i]])) {
			first = false;
			continue;
		}
		pr_info(sub, "%s%s", line, ",");
		len = (size_t)snprintf(line, sizeof(line), "exits, continued: ");
		first = true;
		append_item(line, &len, true, name, c[order[i]]);
		first = false;
	}
	if (vm->vcpu.exits > counted) /* reasons past the table (none known today) */
		append_item(line, &len, first, "other", vm->vcpu.exits - counted);
	pr_info(sub, "%s", line);
	if (vm->vcpu.first_entry_tsc)
		pr_info(sub, "first entry at tsc %llu (now tsc %llu)", vm->vcpu.first_entry_tsc, rdtsc());
}
