/* SPDX-License-Identifier: MIT */
/*
 * The activation queues of the cycle model (hardware.rst, "Cycle model"),
 * one input vector or map at a time, whatever a broadcast costs each PE:
 *
 *   B[k] = max(B[k-1] + 1, max_p S[k-Q][p])   (k >= Q; B[0] = 0)
 *   S[k][p] = max(B[k] + 1, F[k-1][p]),  F[k][p] = S[k][p] + c[k][p]
 *
 * Only the last Q start cycles per PE are kept, in a ring.
 */
#ifndef DCACCEL_EIE_QUEUE_H
#define DCACCEL_EIE_QUEUE_H

#include <stdint.h>
#include <string.h>

struct eie_queue {
	uint32_t pes, depth;
	uint64_t *finish;	/* F[k-1][p] */
	uint64_t *start;	/* S[k][p] at row k % Q */
	uint64_t k;		/* broadcasts so far */
	uint64_t bcast;		/* B[k-1] */
	uint64_t stalls;	/* sum of B[k] - B[k-1] - 1 */
};

/* Words of workspace a queue of `depth` rows for `pes` PEs needs. */
static inline size_t eie_queue_words(uint32_t pes, uint32_t depth)
{
	return ((size_t)depth + 1) * pes;
}

/* A new vector: nothing broadcast yet. */
static inline void eie_queue_start(struct eie_queue *q, uint32_t pes,
				   uint32_t depth, uint64_t *ws)
{
	*q = (struct eie_queue){ .pes = pes, .depth = depth, .finish = ws,
				 .start = ws + pes };
	memset(q->finish, 0, pes * sizeof(*q->finish));
}

/* The ring row S[k] of the next broadcast goes to; it holds S[k-Q]. */
static inline uint64_t *eie_queue_next_slot(const struct eie_queue *q)
{
	return q->start + (q->k % q->depth) * q->pes;
}

/*
 * Broadcast activation k, B[k] into q->bcast, given the latest start in
 * its ring row (S[k-Q]: looked at only when k >= Q).
 */
static inline void eie_queue_advance(struct eie_queue *q, uint64_t row_max)
{
	if (q->k) {
		uint64_t paced = q->bcast + 1;

		/* wait until activation k - Q has left every queue */
		q->bcast = q->k >= q->depth && row_max > paced ? row_max : paced;
		q->stalls += q->bcast - paced;
	}
	q->k++;
}

/*
 * Broadcast activation k: B[k] into q->bcast. Returns the ring row that
 * S[k] goes to, which holds S[k-Q] until then.
 */
static inline uint64_t *eie_queue_broadcast(struct eie_queue *q)
{
	uint64_t *slot = eie_queue_next_slot(q);
	uint64_t row_max = 0;

	for (uint32_t p = 0; q->k >= q->depth && p < q->pes; p++)
		row_max = slot[p] > row_max ? slot[p] : row_max;
	eie_queue_advance(q, row_max);
	return slot;
}

/* PE p takes the broadcast (S into slot) and runs it for cost cycles. */
static inline void eie_queue_take(struct eie_queue *q, uint64_t *slot,
				  uint32_t p, uint64_t cost)
{
	uint64_t s = q->bcast + 1 > q->finish[p] ? q->bcast + 1 : q->finish[p];

	slot[p] = s;
	q->finish[p] = s + cost;
}

/* The vector's cycles: when the last PE is done, 0 with no broadcast. */
static inline uint64_t eie_queue_latency(const struct eie_queue *q)
{
	uint64_t latency = 0;

	for (uint32_t p = 0; q->k && p < q->pes; p++)
		if (q->finish[p] > latency)
			latency = q->finish[p];
	return latency;
}

#endif
