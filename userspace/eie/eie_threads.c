// SPDX-License-Identifier: MIT
/* POSIX threads for eie_run_decoded_team() (eie_threads.h). */
#define _GNU_SOURCE	/* sched_getaffinity */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "eie_threads.h"

struct part {
	void (*fn)(void *arg, uint32_t part);
	void *arg;
	uint32_t p;
};

static void *run_thread(void *opaque)
{
	struct part *pt = opaque;

	pt->fn(pt->arg, pt->p);
	return NULL;
}

static void run_team(void *opaque, void (*fn)(void *arg, uint32_t part),
		     void *arg, uint32_t n)
{
	pthread_t tid[EIE_TEAM_MAX];
	struct part pt[EIE_TEAM_MAX];
	bool started[EIE_TEAM_MAX] = { false };

	(void)opaque;
	for (uint32_t p = 1; p < n && p < EIE_TEAM_MAX; p++) {
		pt[p] = (struct part){ fn, arg, p };
		started[p] = !pthread_create(&tid[p], NULL, run_thread, &pt[p]);
	}
	fn(arg, 0);
	for (uint32_t p = 1; p < n && p < EIE_TEAM_MAX; p++) {
		if (started[p])
			pthread_join(tid[p], NULL);
		else
			fn(arg, p);	/* no thread to be had: run it here */
	}
}

void eie_threads_team(struct eie_team *team, uint32_t parts)
{
	team->parts = parts < 1 ? 1 : parts > EIE_TEAM_MAX ? EIE_TEAM_MAX : parts;
	team->run = run_team;
	team->opaque = NULL;
	team->min_work = 0;
}

uint32_t eie_threads_default(const char *var)
{
	const char *env = var ? getenv(var) : NULL;
	long n;

	if (env && *env) {
		char *end;

		n = strtol(env, &end, 10);
		if (!*end && n >= 1 && n <= EIE_TEAM_MAX)
			return (uint32_t)n;
	}
	{
		cpu_set_t set;

		/* the CPUs this process may run on, not the machine's */
		n = sched_getaffinity(0, sizeof(set), &set) ? 1 : CPU_COUNT(&set);
	}
	return n < 1 ? 1 : n > EIE_THREADS_DEFAULT_MAX ?
	       EIE_THREADS_DEFAULT_MAX : (uint32_t)n;
}
