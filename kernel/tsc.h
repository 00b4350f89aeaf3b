/* kernel/tsc.h: the time-stamp counter as Moat's clock, calibrated against the PIT at boot. */
#ifndef MOAT_TSC_H
#define MOAT_TSC_H

#include "types.h"

/* Measures the TSC rate; returns it in Hz (a 1 GHz guess, with a warning, if the PIT never answers). */
u64 tsc_calibrate(void);
u64 tsc_hz(void);
void tsc_delay_us(u64 us);

#endif
