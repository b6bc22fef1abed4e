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
 * and the layer takes max_p F[K-1][p] cycles (eie_queue.h).
 */
#include <errno.h>
#include <string.h>

#include "eie.h"
#include "eie_queue.h"

size_t eie_cycles_ws_size(uint32_t pes, uint32_t queue_depth)
{
	return eie_queue_words(pes, queue_depth) * sizeof(uint64_t);
}

/* Non-zero activations modeled between two questions to the poll. */
#define EIE_POLL_EVERY	256

/* One vector; -ECANCELED when poll said stop. */
static int model_vector(const struct eie_layer *l, uint32_t queue_depth,
			const int16_t *x, uint64_t *ws,
			struct eie_cycles *out, uint64_t *pe_busy,
			const struct eie_poll *poll)
{
	struct eie_queue q;
	uint64_t busy = 0;

	eie_queue_start(&q, l->pes, queue_depth, ws);
	for (uint32_t j = 0; j < l->cols; j++) {
		uint64_t *slot;

		if (!x[j])
			continue;	/* the LNZD skips zeros at no cost */
		if (q.k % EIE_POLL_EVERY == 0 && q.k && eie_poll_stop(poll))
			return -ECANCELED;
		slot = eie_queue_broadcast(&q);
		for (uint32_t p = 0; p < l->pes; p++) {
			const uint32_t *ptr = l->colptr +
					      (size_t)p * (l->cols + 1) + j;
			uint64_t cost = ptr[1] - ptr[0] ? ptr[1] - ptr[0] : 1;

			eie_queue_take(&q, slot, p, cost);
			busy += cost;
			if (pe_busy)
				pe_busy[p] += cost;
		}
	}
	out->cycles += eie_queue_latency(&q);
	out->busy += busy;
	out->lnzd_stalls += q.stalls;
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
		if (eie_poll_stop(poll) ||
		    model_vector(l, queue_depth, in + (size_t)b * l->cols, ws,
				 cycles, pe_busy, poll))
			return -ECANCELED;
	}
	return 0;
}

/*
 * The table form. Each broadcast costs one pass over a contiguous row of
 * costs, 8 or 4 PEs per vector instruction (GCC's and clang's generic
 * vector extension; SSE2 on x86-64).
 *
 * Narrow form, int16 relative to B[k] + 1: PE p has taken activation
 * k - Q by B[k], so F[k][p] - (B[k] + 1) <= c[k-Q][p] + ... + c[k][p]
 * <= (Q + 1) max c; when that is at most 32767 each PE's finish is kept
 * as F - (B + 1), and a broadcast d cycles after the last one gives
 * S - (B + 1) = max(0, F_rel - d) (d clamped to 32767 changes nothing).
 *
 * Wide form, int32 absolute: no value of the recurrence passes what
 * running everything one after another takes, K + sum over the broadcast
 * columns of (1 + their longest run) + 1 <= 2 cols + entry_count + 1,
 * below 2^31 when eie_cycle_table_fits().
 *
 * Both: B[k] needs only the largest S[k-Q][p] over the PEs, one value per
 * slot; the per-PE busy counts do not depend on the order of the vectors,
 * so the table form counts how often each column was broadcast (hist) and
 * adds hist x costs at the end.
 */
#define EIE_LANES	8

bool eie_cycle_table_fits(const struct eie_layer *l)
{
	return 2 * (uint64_t)l->cols + l->entry_count + 1 < (1ull << 31);
}

static uint32_t table_stride(const struct eie_layer *l)
{
	return (l->pes + EIE_LANES - 1) & ~(uint32_t)(EIE_LANES - 1);
}

/* The longest run of any PE in any column, at least 1. */
static uint32_t max_cost(const struct eie_layer *l)
{
	uint32_t m = 1;

	for (uint32_t p = 0; p < l->pes; p++) {
		const uint32_t *ptr = l->colptr + (size_t)p * (l->cols + 1);

		for (uint32_t j = 0; j < l->cols; j++)
			if (ptr[j + 1] - ptr[j] > m)
				m = ptr[j + 1] - ptr[j];
	}
	return m;
}

static bool narrow_ok(uint32_t max_c, uint32_t queue_depth)
{
	return ((uint64_t)queue_depth + 1) * max_c <= INT16_MAX;
}

size_t eie_cycle_table_size(const struct eie_layer *l, uint32_t queue_depth)
{
	size_t n = (size_t)l->cols * table_stride(l);

	return n * (narrow_ok(max_cost(l), queue_depth) ? sizeof(int16_t) :
		    sizeof(int32_t));
}

void eie_cycle_table_build(const struct eie_layer *l, uint32_t queue_depth,
			   void *buf, struct eie_cycle_table *t)
{
	t->cols = l->cols;
	t->pes = l->pes;
	t->queue_depth = queue_depth;
	t->stride = table_stride(l);
	t->narrow = narrow_ok(max_cost(l), queue_depth);
	t->cost16 = t->narrow ? buf : NULL;
	t->cost32 = t->narrow ? NULL : buf;
	memset(buf, 0, eie_cycle_table_size(l, queue_depth));
	for (uint32_t p = 0; p < l->pes; p++) {
		const uint32_t *ptr = l->colptr + (size_t)p * (l->cols + 1);

		for (uint32_t j = 0; j < l->cols; j++) {
			uint32_t e = ptr[j + 1] - ptr[j];
			size_t at = (size_t)j * t->stride + p;

			if (t->narrow)
				t->cost16[at] = (int16_t)(e ? e : 1);
			else
				t->cost32[at] = (int32_t)(e ? e : 1);
		}
	}
}

size_t eie_cycles_table_ws_size(const struct eie_cycle_table *t)
{
	return (size_t)t->stride * sizeof(int32_t) +
	       (size_t)t->queue_depth * sizeof(int64_t) +
	       (size_t)t->cols * sizeof(uint32_t);
}

typedef int16_t eie_v8 __attribute__((vector_size(16)));
typedef int32_t eie_v4 __attribute__((vector_size(16)));

static inline eie_v8 max_v8(eie_v8 a, eie_v8 b)
{
	eie_v8 gt = a > b;

	return (a & gt) | (b & ~gt);
}

static inline eie_v4 max_v4(eie_v4 a, eie_v4 b)
{
	eie_v4 gt = a > b;

	return (a & gt) | (b & ~gt);
}

/* The running state of one vector's model. */
struct table_run {
	int64_t bcast;		/* B[k-1] */
	uint64_t k, stalls;
	uint32_t slot;		/* k % Q */
	int64_t *slot_max;	/* max over p of S[k-Q][p], at slot */
};

/* B[k] from B[k-1] and the slot; the stall it cost. */
static inline int64_t next_bcast(struct table_run *r, uint32_t queue_depth)
{
	if (r->k) {
		int64_t paced = r->bcast + 1;

		r->bcast = paced;
		if (r->k >= queue_depth && r->slot_max[r->slot] > r->bcast)
			r->bcast = r->slot_max[r->slot];
		r->stalls += (uint64_t)(r->bcast - paced);
	}
	return r->bcast;
}

static inline void end_bcast(struct table_run *r, uint32_t queue_depth,
			     int64_t top)
{
	r->slot_max[r->slot] = top;
	r->slot = r->slot + 1 == queue_depth ? 0 : r->slot + 1;
	r->k++;
}

/* One vector, narrow form; finish holds F - (B + 1) as int16. */
static int vector_narrow(const struct eie_cycle_table *t, const int16_t *x,
			 int16_t *finish, struct table_run *r, uint32_t *hist,
			 struct eie_cycles *out, const struct eie_poll *poll)
{
	const uint32_t stride = t->stride, q = t->queue_depth;
	int64_t base = 0;	/* B + 1 that finish is relative to */
	int16_t latency = 0;

	memset(finish, 0, stride * sizeof(*finish));
	for (uint32_t j = 0; j < t->cols; j++) {
		const int16_t *c = t->cost16 + (size_t)j * stride;
		eie_v8 d, top = { 0 };
		int64_t b1, delta;
		int16_t m = 0;

		if (!x[j])
			continue;
		if (r->k % EIE_POLL_EVERY == 0 && r->k && eie_poll_stop(poll))
			return -ECANCELED;
		b1 = next_bcast(r, q) + 1;
		delta = b1 - base < INT16_MAX ? b1 - base : INT16_MAX;
		base = b1;
		d = (eie_v8){ 0 } + (int16_t)delta;
		for (uint32_t g = 0; g < stride; g += 8) {
			eie_v8 f, cost, st;

			memcpy(&f, finish + g, sizeof(f));
			memcpy(&cost, c + g, sizeof(cost));
			st = max_v8(f - d, (eie_v8){ 0 });
			f = st + cost;
			memcpy(finish + g, &f, sizeof(f));
			top = max_v8(top, st);
		}
		for (unsigned int i = 0; i < 8; i++)
			m = top[i] > m ? top[i] : m;
		end_bcast(r, q, b1 + m);
		hist[j]++;
	}
	/* a padding lane's finish is 0, below any real PE's */
	for (uint32_t p = 0; r->k && p < stride; p++)
		latency = finish[p] > latency ? finish[p] : latency;
	out->cycles += r->k ? (uint64_t)(base + latency) : 0;
	return 0;
}

/* One vector, wide form; finish holds F as int32. */
static int vector_wide(const struct eie_cycle_table *t, const int16_t *x,
		       int32_t *finish, struct table_run *r, uint32_t *hist,
		       struct eie_cycles *out, const struct eie_poll *poll)
{
	const uint32_t stride = t->stride, q = t->queue_depth;
	int32_t latency = 0;

	memset(finish, 0, stride * sizeof(*finish));
	for (uint32_t j = 0; j < t->cols; j++) {
		const int32_t *c = t->cost32 + (size_t)j * stride;
		eie_v4 b1, top = { 0 };
		int32_t m = 0;

		if (!x[j])
			continue;
		if (r->k % EIE_POLL_EVERY == 0 && r->k && eie_poll_stop(poll))
			return -ECANCELED;
		b1 = (eie_v4){ 0 } + (int32_t)(next_bcast(r, q) + 1);
		for (uint32_t g = 0; g < stride; g += 4) {
			eie_v4 f, cost, st;

			memcpy(&f, finish + g, sizeof(f));
			memcpy(&cost, c + g, sizeof(cost));
			st = max_v4(b1, f);
			f = st + cost;
			memcpy(finish + g, &f, sizeof(f));
			top = max_v4(top, st);
		}
		for (unsigned int i = 0; i < 4; i++)
			m = top[i] > m ? top[i] : m;
		end_bcast(r, q, m);
		hist[j]++;
	}
	/* a padding lane ends at B + 1, before any real PE */
	for (uint32_t p = 0; r->k && p < stride; p++)
		latency = finish[p] > latency ? finish[p] : latency;
	out->cycles += (uint64_t)latency;
	return 0;
}

int eie_model_cycles_table(const struct eie_cycle_table *t, uint32_t batch,
			   const int16_t *in, void *ws,
			   struct eie_cycles *cycles, uint64_t *pe_busy,
			   const struct eie_poll *poll)
{
	int64_t *slot_max = ws;
	uint32_t *hist = (uint32_t *)(slot_max + t->queue_depth);
	void *finish = hist + t->cols;

	if (t->queue_depth == 0 || t->queue_depth > DCACCEL_EIE_QUEUE_MAX)
		return -EINVAL;
	memset(hist, 0, (size_t)t->cols * sizeof(*hist));
	for (uint32_t b = 0; b < batch; b++) {
		struct table_run r = { .slot_max = slot_max };
		const int16_t *x = in + (size_t)b * t->cols;
		int ret;

		if (eie_poll_stop(poll))
			return -ECANCELED;
		ret = t->narrow ?
		      vector_narrow(t, x, finish, &r, hist, cycles, poll) :
		      vector_wide(t, x, finish, &r, hist, cycles, poll);
		if (ret)
			return ret;
		cycles->lnzd_stalls += r.stalls;
	}
	for (uint32_t j = 0; j < t->cols; j++) {
		size_t at = (size_t)j * t->stride;

		if (!hist[j])
			continue;
		for (uint32_t p = 0; p < t->pes; p++) {
			uint64_t c = t->narrow ? (uint64_t)t->cost16[at + p] :
				     (uint64_t)t->cost32[at + p];

			cycles->busy += hist[j] * c;
			if (pe_busy)
				pe_busy[p] += hist[j] * c;
		}
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
