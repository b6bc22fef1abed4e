// SPDX-License-Identifier: MIT
/*
 * The cycle model (hardware.rst, "Cycle model"). With k counting non-zero
 * activations in column order, c[k][p] = max(1, entries of that column in
 * PE p), and Q the queue depth:
 *
 *   B[0] = 0,  B[k] = max(B[k-1] + 1, max_p S[k-Q][p])    broadcast cycle
 *   S[k][p] = max(B[k] + 1, F[k-1][p])                      PE p starts
 *   F[k][p] = S[k][p] + c[k][p]                             PE p is done
 *
 * and the layer takes max_p F[K-1][p] cycles. Only the last Q start cycles
 * per PE are needed, kept in a ring in the workspace.
 */
#include <errno.h>
#include <string.h>

#include "eie.h"

size_t eie_cycles_ws_size(uint32_t pes, uint32_t queue_depth)
{
	return ((size_t)queue_depth + 1) * pes * sizeof(uint64_t);
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Non-zero activations modeled between two questions to the poll. */
#define EIE_POLL_EVERY	256

static bool poll_stop(const struct eie_poll *poll)
{
	return poll && poll->stop && poll->stop(poll->opaque);
}

/* One vector; -ECANCELED when poll said stop. */
static int model_vector(const struct eie_layer *l, uint32_t queue_depth,
			const int16_t *x, uint64_t *ws,
			struct eie_cycles *out, uint64_t *pe_busy,
			const struct eie_poll *poll)
{
	const uint32_t pes = l->pes;
	uint64_t *finish = ws;		/* F[k-1][p] */
	uint64_t *start = ws + pes;	/* S[k][p] at slot k % Q */
	uint64_t bcast = 0, latency = 0, busy = 0, stalls = 0;
	uint64_t k = 0;

	memset(finish, 0, pes * sizeof(*finish));
	for (uint32_t j = 0; j < l->cols; j++) {
		uint64_t *slot;

		if (!x[j])
			continue;	/* the LNZD skips zeros at no cost */
		if (k % EIE_POLL_EVERY == 0 && k && poll_stop(poll))
			return -ECANCELED;
		slot = start + (k % queue_depth) * pes;
		if (k) {
			uint64_t paced = bcast + 1;

			bcast = paced;
			if (k >= queue_depth) {
				/* slot still holds S[k-Q]: wait until popped */
				for (uint32_t p = 0; p < pes; p++)
					bcast = max_u64(bcast, slot[p]);
			}
			stalls += bcast - paced;
		}
		for (uint32_t p = 0; p < pes; p++) {
			const uint32_t *ptr = l->colptr +
					      (size_t)p * (l->cols + 1) + j;
			uint64_t cost = max_u64(ptr[1] - ptr[0], 1);
			uint64_t s = max_u64(bcast + 1, finish[p]);

			slot[p] = s;
			finish[p] = s + cost;
			busy += cost;
			if (pe_busy)
				pe_busy[p] += cost;
		}
		k++;
	}
	for (uint32_t p = 0; k && p < pes; p++)
		latency = max_u64(latency, finish[p]);

	out->cycles += latency;
	out->busy += busy;
	out->lnzd_stalls += stalls;
	return 0;
}

int eie_model_cycles_poll(const struct eie_layer *l, uint32_t queue_depth,
			  uint32_t batch, const int16_t *in, void *ws,
			  struct eie_cycles *cycles, uint64_t *pe_busy,
			  const struct eie_poll *poll)
{
	if (queue_depth == 0 || queue_depth > DCACCEL_EIE_QUEUE_MAX)
		return -EINVAL;
	for (uint32_t b = 0; b < batch; b++) {
		if (poll_stop(poll) ||
		    model_vector(l, queue_depth, in + (size_t)b * l->cols, ws,
				 cycles, pe_busy, poll))
			return -ECANCELED;
	}
	return 0;
}

int eie_model_cycles(const struct eie_layer *l, uint32_t queue_depth,
		     uint32_t batch, const int16_t *in, void *ws,
		     struct eie_cycles *cycles, uint64_t *pe_busy)
{
	return eie_model_cycles_poll(l, queue_depth, batch, in, ws, cycles,
				     pe_busy, NULL);
}
