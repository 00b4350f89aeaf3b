/* kernel/probe.h: memory probes that survive the fault they provoke, for self-tests of Moat's
 * own protections (W^X, guard pages). A probe returns true when the access faulted. */
#ifndef MOAT_PROBE_H
#define MOAT_PROBE_H

#include "types.h"

bool probe_read(u64 addr);
/* Reads a byte and writes the same value back. */
bool probe_write(u64 addr);
/* Calls addr, which must hold a `ret` if it is executable. */
bool probe_exec(u64 addr);

#endif
