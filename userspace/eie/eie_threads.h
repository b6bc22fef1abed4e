/* SPDX-License-Identifier: MIT */
/*
 * A team of POSIX threads for eie_run_decoded_team(): each run starts
 * n - 1 threads, runs part 0 on the caller's and joins them. Nothing is
 * kept between runs (no pool to leak across fork()); the datapath only
 * asks for a team above EIE_TEAM_MIN_WORK, where starting a thread costs
 * a small part of the work.
 */
#ifndef DCACCEL_EIE_THREADS_H
#define DCACCEL_EIE_THREADS_H

#include <stdbool.h>
#include <stdint.h>

#include "../../qemu-device/datapath/eie.h"

/* A team of up to `parts` threads (1..EIE_TEAM_MAX; 1: the caller alone). */
void eie_threads_team(struct eie_team *team, uint32_t parts);

/*
 * The thread count a host program uses by default: the environment
 * variable `var` (when not NULL) if it holds 1..EIE_TEAM_MAX, else the
 * CPUs this process may run on, at most EIE_THREADS_DEFAULT_MAX (each
 * thread has a workspace of its own, and a split's gain is small past it).
 */
#define EIE_THREADS_DEFAULT_MAX	8
uint32_t eie_threads_default(const char *var);

#endif
