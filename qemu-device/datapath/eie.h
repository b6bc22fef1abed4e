/* SPDX-License-Identifier: MIT */
/*
 * The EIE datapath as a plain C library: validate a layer's streams, run it
 * on 16-bit fixed-point input vectors, and model its cycles. No QEMU, no
 * kernel, no allocation: callers pass workspaces sized by the *_ws_size()
 * functions. The QEMU device, the host tests, the benchmarks and libaccel's
 * CPU reference all call this code, so their outputs are identical.
 *
 * Spec: Documentation/accel/dcaccel/hardware.rst, "Datapath".
 */
#ifndef DCACCEL_EIE_ENGINE_H
#define DCACCEL_EIE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dcaccel/dcaccel_eie.h"

/* n rounded up to 8: the parts of host forms and workspaces start aligned. */
static inline size_t eie_align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* One sparse, weight-shared fully connected layer in EIE form. */
struct eie_layer {
	uint32_t rows;		/* m: outputs */
	uint32_t cols;		/* n: inputs */
	uint32_t pes;		/* P: row i belongs to PE i % P */
	uint8_t wbits;		/* codebook index bits, 1..8 */
	uint8_t zbits;		/* relative row index bits, 1..8 */
	uint8_t in_frac;	/* fraction bits of the input activations */
	uint8_t w_frac;		/* fraction bits of the codebook weights */
	uint8_t out_frac;	/* fraction bits of the outputs */
	bool relu;		/* clamp negative sums to zero */
	uint32_t codebook_len;	/* entries in codebook, 1..1 << wbits */
	const int16_t *codebook;	/* codebook[0] is 0: the padding weight */
	const uint32_t *colptr;	/* pes * (cols + 1) entry offsets, PE-major */
	const uint8_t *entries;	/* entry_count entries, little-endian */
	uint32_t entry_count;
	const int32_t *bias;	/* rows values at in_frac + w_frac, or NULL */
};

/* What eie_validate() found wrong, for a person to read. */
struct eie_error {
	char msg[192];
};

/* Fill err->msg (when err is not NULL) and return -EINVAL. */
int eie_fail(struct eie_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Work counted while running a layer (summed over a batch). */
struct eie_stats {
	uint64_t nonzero_acts;	/* input activations broadcast (non-zero) */
	uint64_t entries;	/* entries streamed, padding included */
	uint64_t padding;	/* of which padding entries (index 0) */
	uint64_t macs;		/* multiply-accumulates: entries - padding */
};

/* The cycle model's result for one run (summed over a batch). */
struct eie_cycles {
	uint64_t cycles;	/* latency: first broadcast to last PE done */
	uint64_t busy;		/* PE cycles spent on entries, over all PEs */
	uint64_t lnzd_stalls;	/* cycles the broadcast waited on a full queue */
};

/*
 * Check every field and every entry of a layer so that eie_run() and
 * eie_model_cycles() can trust it. Returns 0, or -EINVAL (from <errno.h>)
 * with err->msg saying what is wrong, when err is not NULL.
 */
int eie_validate(const struct eie_layer *l, struct eie_error *err);

/*
 * What eie_validate() checks before the streams: the shape, the fraction
 * bits and the codebook. A layer that passes it and whose column pointers
 * and entries are byte for byte those of a layer of the same shape,
 * wbits, zbits, codebook_len and entry_count that passed eie_validate()
 * passes eie_validate() too.
 */
int eie_validate_format(const struct eie_layer *l, struct eie_error *err);

/*
 * Bytes of workspace eie_run() needs for this layer: enough for
 * eie_run_decoded() too (eie_run_decoded_ws_size()).
 */
size_t eie_run_ws_size(const struct eie_layer *l);

/*
 * Run a validated layer on `batch` input vectors of l->cols values each,
 * stored one after another in `in`, writing l->rows values per vector to
 * `out`. ws is eie_run_ws_size() bytes, 8-byte aligned. stats, when not
 * NULL, is added to.
 */
void eie_run(const struct eie_layer *l, uint32_t batch, const int16_t *in,
	     int16_t *out, void *ws, struct eie_stats *stats);

/*
 * How a long run is stopped from outside (a device reset, an unplug): the
 * *_poll() variants below call stop(opaque) before each vector and at
 * points within it (each says which), and return -ECANCELED as soon as
 * it says true; what they wrote to out, stats or cycles is then partial.
 * stop may block (a device holds a job there while its VM is paused).
 * eie_run_poll() asks every 256 non-zero activations of a vector.
 */
struct eie_poll {
	bool (*stop)(void *opaque);
	void *opaque;
};

/* Whether poll (or NULL) says stop now. */
static inline bool eie_poll_stop(const struct eie_poll *poll)
{
	return poll && poll->stop && poll->stop(poll->opaque);
}

/* eie_run(), stopped when poll (or NULL) says so: 0 or -ECANCELED. */
int eie_run_poll(const struct eie_layer *l, uint32_t batch,
		 const int16_t *in, int16_t *out, void *ws,
		 struct eie_stats *stats, const struct eie_poll *poll);

/*
 * The decoded form (eie_decoded.c): for running many vectors of one layer
 * on a host CPU. Same results and statistics as eie_run().
 */
/*
 * The rows form (eie_rows.c), sliced ELLPACK: for vectors with many
 * non-zero inputs. The rows, longest first, in chunks of EIE_ROW_LANES;
 * slot s of chunk c (start[c] <= s < start[c + 1], lane s % EIE_ROW_LANES)
 * holds one entry of the chunk's row in that lane, column << wbits | index,
 * or 0. Layers whose columns and indices do not fit 16 bits have none.
 */
#define EIE_ROW_LANES		8
#define EIE_ROWS_SLOT_SPAN	(1u << 16)	/* cols << wbits, at most */
struct eie_rows {
	uint32_t chunks;	/* 0: the layer has no rows form */
	uint32_t wbits;
	const uint64_t *order;	/* rows: the row of lane at is (uint32_t)order[at] */
	const uint64_t *start;	/* chunks + 1 slot offsets */
	const uint16_t *slot;
};

/*
 * Whether a layer has a rows form: (cols << wbits) <= EIE_ROWS_SLOT_SPAN,
 * and no more rows than entries (a row costs the form 16 bytes).
 */
bool eie_has_rows_form(const struct eie_layer *l);

struct eie_decoded {
	const struct eie_layer *layer;
	uint32_t *colstart;	/* cols + 1: each column's first decoded entry */
	uint32_t *colcount;	/* per column: entries, then padding, of all PEs */
	uint32_t *row;		/* global row of each non-padding entry */
	uint8_t *widx;		/* its codebook index */
	struct eie_rows rows;	/* eie_decode_rows(), or none (chunks 0) */
};

/* Bytes of buffer eie_decode_layer() needs for this layer. */
size_t eie_decoded_size(const struct eie_layer *l);

/*
 * Decode a validated layer into buf (eie_decoded_size() bytes, 8-byte
 * aligned); d points into buf and at l, which must outlive it.
 */
void eie_decode_layer(const struct eie_layer *l, void *buf,
		      struct eie_decoded *d);

/*
 * Bytes of buffer eie_decode_rows() needs for this layer: 0 when it has
 * no rows form.
 */
size_t eie_decoded_rows_size(const struct eie_layer *l);

/*
 * Add the rows form to a decoded layer (d from eie_decode_layer()), in buf
 * (eie_decoded_rows_size() bytes, 8-byte aligned), which must outlive d.
 * Like the column form it depends on the streams and the shape only, not
 * on the codebook's values or the bias. eie_run_decoded() then takes it
 * for single vectors whose non-zero inputs meet enough of the entries.
 */
void eie_decode_rows(struct eie_decoded *d, void *buf);

/* Bytes of workspace eie_run_rows() needs (in eie_run_decoded_ws_size()). */
size_t eie_rows_ws_size(const struct eie_layer *l);

/*
 * One vector through chunks [c0, c1) of d's rows form (d->rows.chunks >
 * 0): the outputs of those chunks' rows as eie_run() gives them. It asks
 * poll every 2^16 slots. 0 or -ECANCELED.
 */
int eie_run_rows(const struct eie_decoded *d, const int16_t *x, int16_t *y,
		 void *ws, uint32_t c0, uint32_t c1, const struct eie_poll *poll);

/*
 * Bytes of workspace eie_run_decoded() needs for this layer, at any batch
 * size: one tile of the batched kernel (eie_decoded.c), which runs
 * batches of two vectors and more, EIE_DECODED_TILE vectors at a time, or
 * what a single vector needs in the column or rows form, the larger.
 */
#define EIE_DECODED_TILE	32
size_t eie_run_decoded_ws_size(const struct eie_layer *l);

/*
 * As eie_run(), from the decoded form; ws is eie_run_decoded_ws_size()
 * (or eie_run_ws_size()) bytes, 8-byte aligned.
 */
void eie_run_decoded(const struct eie_decoded *d, uint32_t batch,
		     const int16_t *in, int16_t *out, void *ws,
		     struct eie_stats *stats);

/*
 * eie_run_decoded(), stopped when poll says so: 0 or -ECANCELED. One
 * vector at a time (batch 1) it asks before the vector and then every 256
 * non-zero inputs in the column form, every 2^16 slots in the rows form;
 * a batch goes in tiles of up to EIE_DECODED_TILE vectors, and it asks
 * before each tile and every 256 columns with a non-zero input in the
 * tile.
 */
int eie_run_decoded_poll(const struct eie_decoded *d, uint32_t batch,
			 const int16_t *in, int16_t *out, void *ws,
			 struct eie_stats *stats, const struct eie_poll *poll);

/*
 * A team of threads that the caller owns, for eie_run_decoded_team():
 * run(opaque, fn, arg, n) calls fn(arg, p) once for every p in [0, n),
 * at once or in any order, and returns when all have returned. parts is
 * the most it runs (1..EIE_TEAM_MAX).
 */
#define EIE_TEAM_MAX		64
struct eie_team {
	uint32_t parts;
	void (*run)(void *opaque, void (*fn)(void *arg, uint32_t part),
		    void *arg, uint32_t n);
	void *opaque;
	uint64_t min_work;	/* below it one thread; 0: EIE_TEAM_MIN_WORK */
};

/*
 * Work below which eie_run_decoded_team() runs on the calling thread
 * alone: entries (a batch's, the rows form's slots or a vector's active
 * entries), about 0.2 ms of one core: a thread costs 10-40 us to start
 * and join here, and a split run pays for two caches' worth of misses.
 */
#define EIE_TEAM_MIN_WORK	(1u << 20)

/* Bytes of workspace eie_run_decoded_team() needs for `parts` parts. */
size_t eie_run_team_ws_size(const struct eie_layer *l, uint32_t parts);

/*
 * eie_run_decoded_poll() with its work split over team (or NULL: one
 * thread): a batch by vectors, one vector by the rows form's chunks or the
 * column form's columns. Same results and statistics. ws is
 * eie_run_team_ws_size(l, team->parts) bytes; poll's stop may then be
 * called from several threads at once.
 */
int eie_run_decoded_team(const struct eie_decoded *d, uint32_t batch,
			 const int16_t *in, int16_t *out, void *ws,
			 struct eie_stats *stats, const struct eie_poll *poll,
			 const struct eie_team *team);

/* Bytes of workspace eie_model_cycles() needs. */
size_t eie_cycles_ws_size(uint32_t pes, uint32_t queue_depth);

/*
 * Model the cycles a validated layer takes on `batch` input vectors with
 * activation queues of queue_depth (1..DCACCEL_EIE_QUEUE_MAX) entries.
 * pe_busy, when not NULL, holds l->pes counters that are added to. ws is
 * eie_cycles_ws_size() bytes, 8-byte aligned. Returns 0 or -EINVAL for a
 * bad queue depth.
 */
int eie_model_cycles(const struct eie_layer *l, uint32_t queue_depth,
		     uint32_t batch, const int16_t *in, void *ws,
		     struct eie_cycles *cycles, uint64_t *pe_busy);

/* eie_model_cycles(), stopped when poll says so: also -ECANCELED. */
int eie_model_cycles_poll(const struct eie_layer *l, uint32_t queue_depth,
			  uint32_t batch, const int16_t *in, void *ws,
			  struct eie_cycles *cycles, uint64_t *pe_busy,
			  const struct eie_poll *poll);

/*
 * The cycle model's table form (eie_cycles.c), for many vectors of one
 * layer: each column's run costs c = max(1, entries) for every PE, column
 * by column, so that a vector reads one short contiguous row per non-zero
 * input instead of one column pointer pair per PE. Same cycles, busy
 * counts and stalls as eie_model_cycles(), bit for bit.
 */
struct eie_cycle_table {
	uint32_t cols, pes;
	uint32_t queue_depth;	/* 1..DCACCEL_EIE_QUEUE_MAX */
	uint32_t stride;	/* pes rounded up to 16: the padding costs 0 */
	bool narrow;		/* 16-bit costs and arithmetic */
	int16_t *cost16;	/* cols x stride, when narrow */
	int32_t *cost32;	/* cols x stride, otherwise */
};

/*
 * Whether a validated layer's per-vector cycle counts fit the table form's
 * 32-bit arithmetic: 2 * cols + entry_count + 1 < 2^31 (every device
 * layer does; a host layer of more than about 2^31 entries does not).
 */
bool eie_cycle_table_fits(const struct eie_layer *l);

/* Bytes of buffer eie_cycle_table_build() needs for this layer. */
size_t eie_cycle_table_size(const struct eie_layer *l, uint32_t queue_depth);

/* Fill t from a validated layer that fits, in buf (8-byte aligned). */
void eie_cycle_table_build(const struct eie_layer *l, uint32_t queue_depth,
			   void *buf, struct eie_cycle_table *t);

/* Bytes of workspace eie_model_cycles_table() needs (8-byte aligned). */
size_t eie_cycles_table_ws_size(const struct eie_cycle_table *t);

/* As eie_model_cycles_poll(), from the table form. */
int eie_model_cycles_table(const struct eie_cycle_table *t, uint32_t batch,
			   const int16_t *in, void *ws,
			   struct eie_cycles *cycles, uint64_t *pe_busy,
			   const struct eie_poll *poll);

/*
 * Which host kernels run (eie_host.c): the default, AUTO, takes the
 * batched FC kernel for batches and the fastest copy of every kernel that
 * the host's instruction set allows (AVX2 on x86-64 when present). The
 * others are for the tests and benchmarks that compare them: BASELINE
 * keeps to the baseline instruction set, PER_VECTOR also runs batches one
 * vector at a time, AVX2 takes the AVX2 copies where AUTO would take an
 * AVX-512 one. Results and counters are the same in every mode.
 */
enum eie_kernels {
	EIE_KERNELS_AUTO,
	EIE_KERNELS_BASELINE,
	EIE_KERNELS_PER_VECTOR,
	EIE_KERNELS_AVX2,
};

void eie_set_kernels(enum eie_kernels k);

/*
 * Which form of a decoded layer runs single vectors: AUTO takes the rows
 * form (when the layer has one) for a vector whose non-zero inputs meet at
 * least a third of the rows form's slots, the column form otherwise (it
 * skips the zero inputs). COLUMNS and ROWS force one, for the tests and
 * benchmarks (ROWS only where there is a rows form). Same results.
 */
enum eie_form {
	EIE_FORM_AUTO,
	EIE_FORM_COLUMNS,
	EIE_FORM_ROWS,
};

void eie_set_form(enum eie_form f);
enum eie_form eie_form_now(void);

/* The form eie_run_decoded() takes for the single vector x: ROWS or COLUMNS. */
enum eie_form eie_decoded_choice(const struct eie_decoded *d,
				 const int16_t *x);

/* Whether the host has AVX2 (false off x86-64); AVX-512F and VL. */
bool eie_host_avx2(void);
bool eie_host_avx512vl(void);

/* Modeled time in nanoseconds of `cycles` at clock_mhz. */
static inline double eie_cycles_to_ns(uint64_t cycles, uint32_t clock_mhz)
{
	return clock_mhz ? (double)cycles * 1000.0 / clock_mhz : 0.0;
}

#endif /* DCACCEL_EIE_ENGINE_H */
