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
#include "eie_host.h"
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
 * costs, 16 or 8 PEs per vector operation (GCC's and clang's generic
 * vector extension: two SSE2 instructions each in the baseline copy, one
 * in the AVX2 copy, eie_host.h).
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
#define EIE_LANES	16

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

typedef int16_t eie_v16 __attribute__((vector_size(32)));
typedef int32_t eie_v8 __attribute__((vector_size(32)));
typedef int16_t eie_v8h __attribute__((vector_size(16)));

/* a = max(a, b), lane by lane (no vector-returning helpers: psABI) */
#define EIE_VMAX(a, b)	((a) = ((a) & ((a) > (b))) | ((b) & ~((a) > (b))))

/* The running state of one vector's model. */
struct table_run {
	int64_t bcast;		/* B[k-1] */
	uint64_t k, stalls;
	uint32_t slot;		/* k % Q */
	int64_t *slot_max;	/* max over p of S[k-Q][p], at slot */
};

/* B[k] from B[k-1] and the slot; the stall it cost. */
EIE_KERNEL int64_t next_bcast(struct table_run *r, uint32_t queue_depth)
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

EIE_KERNEL void end_bcast(struct table_run *r, uint32_t queue_depth,
			     int64_t top)
{
	r->slot_max[r->slot] = top;
	r->slot = r->slot + 1 == queue_depth ? 0 : r->slot + 1;
	r->k++;
}

/* The largest lane of v into m (a macro: no vector arguments, psABI). */
#define EIE_HMAX16(v, m)	do {					\
	eie_v8h h_ = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7); \
	eie_v8h t_ = __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, \
					     15);			\
	EIE_VMAX(h_, t_);						\
	t_ = __builtin_shufflevector(h_, h_, 4, 5, 6, 7, 0, 1, 2, 3);	\
	EIE_VMAX(h_, t_);						\
	t_ = __builtin_shufflevector(h_, h_, 2, 3, 0, 1, 2, 3, 0, 1);	\
	EIE_VMAX(h_, t_);						\
	t_ = __builtin_shufflevector(h_, h_, 1, 0, 1, 0, 1, 0, 1, 0);	\
	EIE_VMAX(h_, t_);						\
	(m) = h_[0];							\
} while (0)

/* PEs in 16-lane groups that the narrow form keeps in registers. */
#define EIE_NARROW_GROUPS	(DCACCEL_EIE_PES_MAX / EIE_LANES)

/*
 * One vector, narrow form, stride = nv x 16 lanes; fin holds F - (B + 1)
 * as int16 (in registers when nv is a small constant).
 */
EIE_KERNEL int vector_narrow(const struct eie_cycle_table *t,
			     const int16_t *x, struct table_run *r,
			     uint32_t *hist, struct eie_cycles *out,
			     const struct eie_poll *poll, const uint32_t nv)
{
	const uint32_t stride = t->stride, q = t->queue_depth;
	eie_v16 fin[EIE_NARROW_GROUPS] = { { 0 } }, lat = { 0 };
	int64_t base = 0;	/* B + 1 that fin is relative to */
	int16_t latency;

	for (uint32_t j = 0; j < t->cols; j++) {
		const int16_t *c = t->cost16 + (size_t)j * stride;
		eie_v16 d, top = { 0 };
		int64_t b1, delta;
		int16_t m;

		if (!x[j])
			continue;
		if (r->k % EIE_POLL_EVERY == 0 && r->k && eie_poll_stop(poll))
			return -ECANCELED;
		b1 = next_bcast(r, q) + 1;
		delta = b1 - base < INT16_MAX ? b1 - base : INT16_MAX;
		base = b1;
		d = (eie_v16){ 0 } + (int16_t)delta;
#pragma GCC unroll 16
		for (uint32_t g = 0; g < nv; g++) {
			eie_v16 cost, st = fin[g] - d;

			memcpy(&cost, c + g * EIE_LANES, sizeof(cost));
			st &= st > (eie_v16){ 0 };
			fin[g] = st + cost;
			EIE_VMAX(top, st);
		}
		EIE_HMAX16(top, m);
		end_bcast(r, q, b1 + m);
		hist[j]++;
	}
	/* a padding lane's finish is 0, below any real PE's */
#pragma GCC unroll 16
	for (uint32_t g = 0; g < nv; g++)
		EIE_VMAX(lat, fin[g]);
	EIE_HMAX16(lat, latency);
	out->cycles += r->k ? (uint64_t)(base + latency) : 0;
	return 0;
}

/* One vector, wide form; finish holds F as int32. */
EIE_KERNEL int vector_wide(const struct eie_cycle_table *t, const int16_t *x,
			   int32_t *finish, struct table_run *r,
			   uint32_t *hist, struct eie_cycles *out,
			   const struct eie_poll *poll)
{
	const uint32_t stride = t->stride, q = t->queue_depth;
	int32_t latency = 0;

	memset(finish, 0, stride * sizeof(*finish));
	for (uint32_t j = 0; j < t->cols; j++) {
		const int32_t *c = t->cost32 + (size_t)j * stride;
		eie_v8 b1, top = { 0 };
		int32_t m = 0;

		if (!x[j])
			continue;
		if (r->k % EIE_POLL_EVERY == 0 && r->k && eie_poll_stop(poll))
			return -ECANCELED;
		b1 = (eie_v8){ 0 } + (int32_t)(next_bcast(r, q) + 1);
		for (uint32_t g = 0; g < stride; g += EIE_LANES / 2) {
			eie_v8 f, cost, st;

			memcpy(&f, finish + g, sizeof(f));
			memcpy(&cost, c + g, sizeof(cost));
			st = b1;
			EIE_VMAX(st, f);
			f = st + cost;
			memcpy(finish + g, &f, sizeof(f));
			EIE_VMAX(top, st);
		}
		for (unsigned int i = 0; i < EIE_LANES / 2; i++)
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

/* The vectors of a batch, one after another; hist counts broadcasts. */
EIE_KERNEL int table_vectors(const struct eie_cycle_table *t, uint32_t batch,
			     const int16_t *in, int64_t *slot_max,
			     uint32_t *hist, void *finish,
			     struct eie_cycles *cycles,
			     const struct eie_poll *poll, const bool avx2)
{
	(void)avx2;	/* the same code, compiled for each */
	for (uint32_t b = 0; b < batch; b++) {
		struct table_run r = { .slot_max = slot_max };
		const int16_t *x = in + (size_t)b * t->cols;
		int ret;

		if (eie_poll_stop(poll))
			return -ECANCELED;
		/* up to 64 PEs: unrolled, in registers */
		switch (t->narrow ? t->stride / EIE_LANES : 0) {
		case 0:
			ret = vector_wide(t, x, finish, &r, hist, cycles, poll);
			break;
		case 1:
			ret = vector_narrow(t, x, &r, hist, cycles, poll, 1);
			break;
		case 2:
			ret = vector_narrow(t, x, &r, hist, cycles, poll, 2);
			break;
		case 3:
			ret = vector_narrow(t, x, &r, hist, cycles, poll, 3);
			break;
		case 4:
			ret = vector_narrow(t, x, &r, hist, cycles, poll, 4);
			break;
		default:
			ret = vector_narrow(t, x, &r, hist, cycles, poll,
					    t->stride / EIE_LANES);
			break;
		}
		if (ret)
			return ret;
		cycles->lnzd_stalls += r.stalls;
	}
	return 0;
}

EIE_COPIES(table_vectors,
	   (const struct eie_cycle_table *t, uint32_t batch,
	    const int16_t *in, int64_t *slot_max, uint32_t *hist,
	    void *finish, struct eie_cycles *cycles,
	    const struct eie_poll *poll),
	   t, batch, in, slot_max, hist, finish, cycles, poll)

typedef int16_t eie_v8s __attribute__((vector_size(16)));
typedef int32_t eie_v8w __attribute__((vector_size(32)));
typedef uint64_t eie_v8q __attribute__((vector_size(64)));

/*
 * The narrow form's busy counts: busy[p] = sum over the columns of
 * hist[j] x cost[j][p], 8 PEs per step, int32 products (every hist[j] at
 * most 65536) added in uint64.
 */
EIE_KERNEL int busy_narrow(const struct eie_cycle_table *t,
			   const uint32_t *hist, uint64_t *busy, const bool avx2)
{
	(void)avx2;	/* the same code, compiled for each */
	for (uint32_t j = 0; j < t->cols; j++) {
		const int16_t *c = t->cost16 + (size_t)j * t->stride;
		const eie_v8w h = (eie_v8w){ 0 } + (int32_t)hist[j];

		if (!hist[j])
			continue;
		for (uint32_t g = 0; g < t->stride; g += 8) {
			eie_v8s c16;
			eie_v8q acc;

			memcpy(&c16, c + g, sizeof(c16));
			memcpy(&acc, busy + g, sizeof(acc));
			acc += __builtin_convertvector(
				__builtin_convertvector(c16, eie_v8w) * h,
				eie_v8q);
			memcpy(busy + g, &acc, sizeof(acc));
		}
	}
	return 0;
}

EIE_COPIES(busy_narrow,
	   (const struct eie_cycle_table *t, const uint32_t *hist,
	    uint64_t *busy),
	   t, hist, busy)

int eie_model_cycles_table(const struct eie_cycle_table *t, uint32_t batch,
			   const int16_t *in, void *ws,
			   struct eie_cycles *cycles, uint64_t *pe_busy,
			   const struct eie_poll *poll)
{
	int64_t *slot_max = ws;
	uint32_t *hist = (uint32_t *)(slot_max + t->queue_depth);
	void *finish = hist + t->cols;
	int ret;

	if (t->queue_depth == 0 || t->queue_depth > DCACCEL_EIE_QUEUE_MAX)
		return -EINVAL;
	memset(hist, 0, (size_t)t->cols * sizeof(*hist));
	ret = EIE_CALL(table_vectors, (t, batch, in, slot_max, hist, finish,
					    cycles, poll));
	if (ret)
		return ret;
	if (t->narrow && batch <= 65536) {
		/* hist x cost < 2^16 x 2^15: int32 products */
		uint64_t busy[DCACCEL_EIE_PES_MAX + EIE_LANES] = { 0 };

		EIE_CALL(busy_narrow, (t, hist, busy));
		for (uint32_t p = 0; p < t->pes; p++) {
			cycles->busy += busy[p];
			if (pe_busy)
				pe_busy[p] += busy[p];
		}
		return 0;
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
