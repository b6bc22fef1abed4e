// SPDX-License-Identifier: MIT
/*
 * Op decoding. Checks come in the order of the fields so that `detail`
 * names the first bad one; sizes are computed in 64 bits from 32-bit
 * fields, so nothing here can overflow.
 */
#include <stddef.h>
#include <string.h>

#include "dev_cmd.h"
#include "dev_le.h"
#include "dcaccel/dcaccel_bitplane.h"
#include "dcaccel/dcaccel_hw.h"

#define HOFF(field)	((uint32_t)offsetof(struct dcaccel_op_header, field))
#define FOFF(field)	((uint32_t)offsetof(struct dcaccel_op_fc, field))
#define DOFF(field)	((uint32_t)offsetof(struct dcaccel_op_debug, field))
#define COFF(field)	((uint32_t)offsetof(struct dcaccel_op_conv, field))
#define WOFF(field)	((uint32_t)offsetof(struct dcaccel_op_pool, field))
#define BOFF(field)	((uint32_t)offsetof(struct dcaccel_op_bitplane, field))
#define QOFF(field)	((uint32_t)offsetof(struct dcaccel_op_quant, field))
#define XOFF(field)	((uint32_t)offsetof(struct dcaccel_op_bitplane_conv, field))

_Static_assert(sizeof(struct dcaccel_op_fc) == DCACCEL_OP_FC_SIZE,
	       "FC op layout");
_Static_assert(sizeof(struct dcaccel_op_debug) == DCACCEL_OP_DEBUG_SIZE,
	       "debug op layout");
_Static_assert(sizeof(struct dcaccel_op_conv) == DCACCEL_OP_CONV_SIZE,
	       "conv op layout");
_Static_assert(sizeof(struct dcaccel_op_pool) == DCACCEL_OP_POOL_SIZE,
	       "pool op layout");
_Static_assert(sizeof(struct dcaccel_op_quant) == DCACCEL_OP_QUANT_SIZE,
	       "QUANT op layout");
_Static_assert(sizeof(struct dcaccel_op_bitplane) == DCACCEL_OP_BITPLANE_SIZE,
	       "bit-plane op layout");

/* decode_window() reads a CONV op by the POOL op's offsets */
#define SAME_WINDOW(conv, pool) \
	_Static_assert(COFF(conv) == WOFF(pool), "window field " #conv)
SAME_WINDOW(in_channels, channels);
SAME_WINDOW(in_height, in_height);
SAME_WINDOW(in_width, in_width);
SAME_WINDOW(kernel_h, kernel_h);
SAME_WINDOW(kernel_w, kernel_w);
SAME_WINDOW(stride_h, stride_h);
SAME_WINDOW(stride_w, stride_w);
SAME_WINDOW(pad_h, pad_h);
SAME_WINDOW(pad_w, pad_w);

/* ... and a BITPLANE_CONV op by the CONV op's, to pes */
#define SAME_AS_CONV(field) \
	_Static_assert(XOFF(field) == COFF(field), "bit-plane conv field " #field)
SAME_AS_CONV(in_channels);
SAME_AS_CONV(pad_w);
SAME_AS_CONV(reserved0);
SAME_AS_CONV(out_channels);
SAME_AS_CONV(pes);
SAME_AS_CONV(batch);
_Static_assert(sizeof(struct dcaccel_op_bitplane_conv) ==
	       DCACCEL_OP_BITPLANE_CONV_SIZE, "bit-plane conv op layout");

/* decode_streams() reads a CONV op by the FC op's offsets from pes on */
#define SAME_STREAM(conv, fc) \
	_Static_assert(COFF(conv) - COFF(pes) == FOFF(fc) - FOFF(pes), \
		       "stream field " #conv)
SAME_STREAM(batch, batch);
SAME_STREAM(wbits, wbits);
SAME_STREAM(zbits, zbits);
SAME_STREAM(in_frac, in_frac);
SAME_STREAM(w_frac, w_frac);
SAME_STREAM(out_frac, out_frac);
SAME_STREAM(flags, flags);
SAME_STREAM(reserved1, reserved0);
SAME_STREAM(codebook_len, codebook_len);
SAME_STREAM(entry_count, entry_count);
SAME_STREAM(codebook_va, codebook_va);
SAME_STREAM(colptr_va, colptr_va);
SAME_STREAM(entries_va, entries_va);
SAME_STREAM(bias_va, bias_va);
SAME_STREAM(input_va, input_va);
SAME_STREAM(output_va, output_va);
SAME_STREAM(reserved2, reserved1);
_Static_assert(DCACCEL_OP_CONV_SIZE - COFF(pes) ==
	       DCACCEL_OP_FC_SIZE - FOFF(pes), "conv op ends as the FC op");
_Static_assert(DCACCEL_CONV_F_RELU == DCACCEL_FC_F_RELU &&
	       DCACCEL_CONV_F_BIAS == DCACCEL_FC_F_BIAS &&
	       DCACCEL_CONV_F_INPUT_F32 == DCACCEL_FC_F_INPUT_F32 &&
	       DCACCEL_CONV_F_ALL == DCACCEL_FC_F_ALL, "conv flags");

static uint32_t bad(uint32_t *detail, uint32_t offset, uint32_t status)
{
	*detail = offset;
	return status;
}

uint32_t dcdev_input_bytes(const struct dcdev_fc *fc)
{
	return fc->flags & DCACCEL_FC_F_INPUT_F32 ? 4 : 2;
}

uint64_t dcdev_fc_bytes(const struct dcdev_fc *fc)
{
	uint64_t entry_bytes = DCACCEL_EIE_ENTRY_BYTES(fc->wbits, fc->zbits);

	return 2ull * fc->codebook_len +
	       4ull * fc->pes * ((uint64_t)fc->cols + 1) +
	       entry_bytes * fc->entry_count +
	       (fc->flags & DCACCEL_FC_F_BIAS ? 4ull * fc->rows : 0) +
	       dcdev_input_bytes(fc) * fc->batch * fc->cols +
	       2ull * fc->batch * fc->rows;
}

uint64_t dcdev_fc_work(const struct dcdev_fc *fc)
{
	return DCACCEL_FC_WORK(fc->rows, fc->cols, fc->pes, fc->batch,
			       fc->codebook_len, fc->entry_count);
}

uint64_t dcdev_conv_bytes(const struct dcdev_conv *conv)
{
	const struct dcdev_fc *f = &conv->filters;
	uint64_t entry_bytes = DCACCEL_EIE_ENTRY_BYTES(f->wbits, f->zbits);

	return 2ull * f->codebook_len +
	       4ull * f->pes * ((uint64_t)f->cols + 1) +
	       entry_bytes * f->entry_count +
	       (f->flags & DCACCEL_CONV_F_BIAS ? 4ull * f->rows : 0) +
	       dcdev_input_bytes(f) * f->batch * conv->in_channels *
	       conv->win.in_h * conv->win.in_w +
	       2ull * f->batch * f->rows * conv->out_h * conv->out_w;
}

uint64_t dcdev_conv_work(const struct dcdev_conv *conv)
{
	const struct dcdev_fc *f = &conv->filters;

	return DCACCEL_CONV_WORK(conv->in_channels, conv->win.in_h,
				 conv->win.in_w, f->rows, conv->out_h,
				 conv->out_w, conv->win.kernel_h,
				 conv->win.kernel_w, f->pes, f->batch,
				 f->codebook_len, f->entry_count);
}

uint64_t dcdev_pool_bytes(const struct dcdev_pool *pool)
{
	const struct dp_pool *p = &pool->pool;

	return 2ull * pool->batch * p->channels *
	       ((uint64_t)p->win.in_h * p->win.in_w +
		(uint64_t)pool->out_h * pool->out_w);
}

uint64_t dcdev_pool_work(const struct dcdev_pool *pool)
{
	const struct dp_pool *p = &pool->pool;

	return DCACCEL_POOL_WORK(p->channels, p->win.in_h, p->win.in_w,
				 pool->out_h, pool->out_w, p->win.kernel_h,
				 p->win.kernel_w, pool->batch);
}

uint64_t dcdev_bitplane_bytes(const struct dcdev_bitplane *bp)
{
	const struct dp_bitplane *l = &bp->l;
	const uint64_t words = DCACCEL_PLANE_WORDS(l->cols);

	return 8ull * l->w_planes * l->rows * words +
	       2ull * l->rows * l->w_planes + 2ull * l->a_planes +
	       (bp->flags & DCACCEL_BITPLANE_F_BIAS ? 4ull * l->rows : 0) +
	       8ull * bp->batch * l->a_planes * words +
	       2ull * bp->batch * l->rows;
}

uint64_t dcdev_bitplane_work(const struct dcdev_bitplane *bp)
{
	return DCACCEL_BITPLANE_WORK(bp->l.rows, bp->l.cols, bp->l.w_planes,
				     bp->l.a_planes, bp->batch);
}

uint64_t dcdev_bitplane_conv_bytes(const struct dcdev_bitplane_conv *bc)
{
	const struct dp_bitplane *l = &bc->c.l;
	const struct dp_window *w = &bc->c.win;
	const uint64_t lc = DCACCEL_PLANE_WORDS(l->cols);

	return 8ull * l->w_planes * l->rows * w->kernel_h * w->kernel_w * lc +
	       2ull * l->rows * l->w_planes + 2ull * l->a_planes +
	       (bc->flags & DCACCEL_BITPLANE_F_BIAS ? 4ull * l->rows : 0) +
	       8ull * bc->batch * l->a_planes * w->in_h * w->in_w * lc +
	       2ull * bc->batch * l->rows * bc->out_h * bc->out_w;
}

uint64_t dcdev_bitplane_conv_work(const struct dcdev_bitplane_conv *bc)
{
	const struct dp_bitplane *l = &bc->c.l;
	const struct dp_window *w = &bc->c.win;

	return DCACCEL_BITPLANE_CONV_WORK(l->rows, l->cols, w->in_h, w->in_w,
					  bc->out_h, bc->out_w, w->kernel_h,
					  w->kernel_w, l->w_planes, l->a_planes,
					  bc->batch);
}

uint64_t dcdev_quant_bytes(const struct dcdev_quant *q)
{
	const uint64_t levels = 1ull << q->bits;

	return 2 * (levels - 1) + levels +
	       2ull * q->batch * q->channels * q->pixels +
	       8ull * q->batch * q->bits * q->pixels *
	       DCACCEL_PLANE_WORDS(q->channels);
}

uint64_t dcdev_quant_work(const struct dcdev_quant *q)
{
	return DCACCEL_QUANT_WORK(q->channels, q->pixels, q->bits, q->batch);
}

uint64_t dcdev_op_work(const struct dcdev_op *op)
{
	switch (op->opcode) {
	case DCACCEL_OP_FC:
		return dcdev_fc_work(&op->fc);
	case DCACCEL_OP_CONV:
		return dcdev_conv_work(&op->conv);
	case DCACCEL_OP_POOL:
		return dcdev_pool_work(&op->pool);
	case DCACCEL_OP_BITPLANE:
		return dcdev_bitplane_work(&op->bitplane);
	case DCACCEL_OP_QUANT:
		return dcdev_quant_work(&op->quant);
	case DCACCEL_OP_BITPLANE_CONV:
		return dcdev_bitplane_conv_work(&op->bpconv);
	default:
		return 0;
	}
}

/* A dimension: 0 is malformed, above the cap is too large. */
static uint32_t check_range(uint32_t v, uint32_t max, uint32_t off,
			    uint32_t *detail)
{
	if (v == 0)
		return bad(detail, off, DCACCEL_JOB_BAD_COMMAND);
	if (v > max)
		return bad(detail, off, DCACCEL_JOB_TOO_LARGE);
	return DCACCEL_JOB_OK;
}

/*
 * The fields from pes to the end of an FC op, which a CONV op has too at
 * the same offsets from its own pes: at is the offset of pes in the op.
 */
#define SOFF(field)	(at + FOFF(field) - FOFF(pes))

static uint32_t decode_streams(const uint8_t *p, uint32_t base, uint32_t at,
			       const struct dcdev_caps *caps,
			       struct dcdev_fc *fc, uint32_t *detail)
{
	uint32_t st;

	fc->pes = dcdev_ld32(p + SOFF(pes));
	fc->batch = dcdev_ld32(p + SOFF(batch));
	fc->wbits = p[SOFF(wbits)];
	fc->zbits = p[SOFF(zbits)];
	fc->in_frac = p[SOFF(in_frac)];
	fc->w_frac = p[SOFF(w_frac)];
	fc->out_frac = p[SOFF(out_frac)];
	fc->flags = p[SOFF(flags)];
	fc->codebook_len = dcdev_ld32(p + SOFF(codebook_len));
	fc->entry_count = dcdev_ld32(p + SOFF(entry_count));
	fc->codebook_va = dcdev_ld64(p + SOFF(codebook_va));
	fc->colptr_va = dcdev_ld64(p + SOFF(colptr_va));
	fc->entries_va = dcdev_ld64(p + SOFF(entries_va));
	fc->bias_va = dcdev_ld64(p + SOFF(bias_va));
	fc->input_va = dcdev_ld64(p + SOFF(input_va));
	fc->output_va = dcdev_ld64(p + SOFF(output_va));

	if (fc->pes != caps->pes)
		return bad(detail, base + SOFF(pes), DCACCEL_JOB_BAD_COMMAND);
	if ((st = check_range(fc->batch, caps->max_batch, base + SOFF(batch),
			      detail)))
		return st;
	if (fc->wbits == 0 || fc->wbits > caps->wbits_max)
		return bad(detail, base + SOFF(wbits), DCACCEL_JOB_BAD_COMMAND);
	if (fc->zbits == 0 || fc->zbits > caps->zbits_max)
		return bad(detail, base + SOFF(zbits), DCACCEL_JOB_BAD_COMMAND);
	if (fc->in_frac > caps->frac_max)
		return bad(detail, base + SOFF(in_frac), DCACCEL_JOB_BAD_COMMAND);
	if (fc->w_frac > caps->frac_max)
		return bad(detail, base + SOFF(w_frac), DCACCEL_JOB_BAD_COMMAND);
	if (fc->out_frac > caps->frac_max ||
	    fc->out_frac > fc->in_frac + fc->w_frac)
		return bad(detail, base + SOFF(out_frac), DCACCEL_JOB_BAD_COMMAND);
	if (fc->flags & ~DCACCEL_FC_F_ALL)
		return bad(detail, base + SOFF(flags), DCACCEL_JOB_BAD_COMMAND);
	if (dcdev_ld16(p + SOFF(reserved0)))
		return bad(detail, base + SOFF(reserved0), DCACCEL_JOB_BAD_COMMAND);
	if (fc->codebook_len == 0 || fc->codebook_len > (1u << fc->wbits))
		return bad(detail, base + SOFF(codebook_len),
			   DCACCEL_JOB_BAD_COMMAND);
	if (fc->entry_count > caps->max_entries)
		return bad(detail, base + SOFF(entry_count), DCACCEL_JOB_TOO_LARGE);
	if (fc->codebook_va % 2)
		return bad(detail, base + SOFF(codebook_va), DCACCEL_JOB_BAD_COMMAND);
	if (fc->colptr_va % 4)
		return bad(detail, base + SOFF(colptr_va), DCACCEL_JOB_BAD_COMMAND);
	if (fc->entries_va % DCACCEL_EIE_ENTRY_BYTES(fc->wbits, fc->zbits))
		return bad(detail, base + SOFF(entries_va), DCACCEL_JOB_BAD_COMMAND);
	if (fc->flags & DCACCEL_FC_F_BIAS ? fc->bias_va % 4 : fc->bias_va != 0)
		return bad(detail, base + SOFF(bias_va), DCACCEL_JOB_BAD_COMMAND);
	if (fc->input_va % dcdev_input_bytes(fc))
		return bad(detail, base + SOFF(input_va), DCACCEL_JOB_BAD_COMMAND);
	if (fc->output_va % 2)
		return bad(detail, base + SOFF(output_va), DCACCEL_JOB_BAD_COMMAND);
	if (dcdev_ld64(p + SOFF(reserved1)))
		return bad(detail, base + SOFF(reserved1), DCACCEL_JOB_BAD_COMMAND);
	return DCACCEL_JOB_OK;
}

static uint32_t decode_fc(const uint8_t *p, uint32_t base,
			  const struct dcdev_caps *caps, struct dcdev_fc *fc,
			  uint32_t *detail)
{
	uint32_t st;

	fc->rows = dcdev_ld32(p + FOFF(rows));
	fc->cols = dcdev_ld32(p + FOFF(cols));
	if ((st = check_range(fc->rows, caps->max_dim, base + FOFF(rows), detail)))
		return st;
	if ((st = check_range(fc->cols, caps->max_dim, base + FOFF(cols), detail)))
		return st;
	if ((st = decode_streams(p, base, FOFF(pes), caps, fc, detail)))
		return st;
	if (dcdev_fc_bytes(fc) > (uint64_t)caps->max_op_mb << 20)
		return bad(detail, base, DCACCEL_JOB_TOO_LARGE);
	return DCACCEL_JOB_OK;
}

/* A kernel, stride or pad byte outside [lo, hi]. */
static bool out_of(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo || v > hi;
}

/*
 * The fields from channels to pad_w, the same in the CONV and POOL ops.
 * max_cols, when not 0, caps channels x kernel_h x kernel_w (TOO_LARGE at
 * kernel_w): a CONV op's filter columns.
 */
static uint32_t decode_window(const uint8_t *p, uint32_t base,
			      const struct dcdev_caps *caps,
			      uint64_t max_cols, uint32_t *channels,
			      struct dp_window *w, uint32_t *detail)
{
	uint32_t st;

	*channels = dcdev_ld32(p + WOFF(channels));
	w->in_h = dcdev_ld32(p + WOFF(in_height));
	w->in_w = dcdev_ld32(p + WOFF(in_width));
	w->kernel_h = p[WOFF(kernel_h)];
	w->kernel_w = p[WOFF(kernel_w)];
	w->stride_h = p[WOFF(stride_h)];
	w->stride_w = p[WOFF(stride_w)];
	w->pad_h = p[WOFF(pad_h)];
	w->pad_w = p[WOFF(pad_w)];

	if ((st = check_range(*channels, caps->max_dim, base + WOFF(channels),
			      detail)))
		return st;
	if ((st = check_range(w->in_h, DCACCEL_MAP_DIM_MAX,
			      base + WOFF(in_height), detail)))
		return st;
	if ((st = check_range(w->in_w, DCACCEL_MAP_DIM_MAX,
			      base + WOFF(in_width), detail)))
		return st;
	if (out_of(w->kernel_h, 1, DCACCEL_KERNEL_MAX))
		return bad(detail, base + WOFF(kernel_h), DCACCEL_JOB_BAD_COMMAND);
	if (out_of(w->kernel_w, 1, DCACCEL_KERNEL_MAX))
		return bad(detail, base + WOFF(kernel_w), DCACCEL_JOB_BAD_COMMAND);
	if (max_cols && (uint64_t)*channels * w->kernel_h * w->kernel_w > max_cols)
		return bad(detail, base + WOFF(kernel_w), DCACCEL_JOB_TOO_LARGE);
	if (out_of(w->stride_h, 1, DCACCEL_STRIDE_MAX))
		return bad(detail, base + WOFF(stride_h), DCACCEL_JOB_BAD_COMMAND);
	if (out_of(w->stride_w, 1, DCACCEL_STRIDE_MAX))
		return bad(detail, base + WOFF(stride_w), DCACCEL_JOB_BAD_COMMAND);
	if (w->pad_h >= w->kernel_h || w->in_h + 2u * w->pad_h < w->kernel_h)
		return bad(detail, base + WOFF(pad_h), DCACCEL_JOB_BAD_COMMAND);
	if (w->pad_w >= w->kernel_w || w->in_w + 2u * w->pad_w < w->kernel_w)
		return bad(detail, base + WOFF(pad_w), DCACCEL_JOB_BAD_COMMAND);
	return DCACCEL_JOB_OK;
}

static uint32_t decode_conv(const uint8_t *p, uint32_t base,
			    const struct dcdev_caps *caps,
			    struct dcdev_conv *conv, uint32_t *detail)
{
	struct dcdev_fc *f = &conv->filters;
	uint32_t st;

	if ((st = decode_window(p, base, caps, caps->max_dim,
				&conv->in_channels, &conv->win, detail)))
		return st;
	conv->out_h = dp_window_out_h(&conv->win);
	conv->out_w = dp_window_out_w(&conv->win);
	if (dcdev_ld16(p + COFF(reserved0)))
		return bad(detail, base + COFF(reserved0), DCACCEL_JOB_BAD_COMMAND);
	f->rows = dcdev_ld32(p + COFF(out_channels));
	f->cols = conv->in_channels * conv->win.kernel_h * conv->win.kernel_w;
	if ((st = check_range(f->rows, caps->max_dim, base + COFF(out_channels),
			      detail)))
		return st;
	if ((uint64_t)f->rows * conv->out_h * conv->out_w >
	    DCACCEL_CONV_OUTPUTS_MAX)
		return bad(detail, base + COFF(out_channels),
			   DCACCEL_JOB_TOO_LARGE);
	if ((st = decode_streams(p, base, COFF(pes), caps, f, detail)))
		return st;
	if (dcdev_conv_bytes(conv) > (uint64_t)caps->max_op_mb << 20)
		return bad(detail, base, DCACCEL_JOB_TOO_LARGE);
	return DCACCEL_JOB_OK;
}

static uint32_t decode_pool(const uint8_t *p, uint32_t base,
			    const struct dcdev_caps *caps,
			    struct dcdev_pool *pool, uint32_t *detail)
{
	uint32_t st;

	if ((st = decode_window(p, base, caps, 0, &pool->pool.channels,
				&pool->pool.win, detail)))
		return st;
	pool->out_h = dp_window_out_h(&pool->pool.win);
	pool->out_w = dp_window_out_w(&pool->pool.win);
	pool->pool.mode = p[WOFF(mode)];
	pool->batch = dcdev_ld32(p + WOFF(batch));
	pool->input_va = dcdev_ld64(p + WOFF(input_va));
	pool->output_va = dcdev_ld64(p + WOFF(output_va));
	if (pool->pool.mode != DCACCEL_POOL_MAX &&
	    pool->pool.mode != DCACCEL_POOL_AVG)
		return bad(detail, base + WOFF(mode), DCACCEL_JOB_BAD_COMMAND);
	if (p[WOFF(reserved0)])
		return bad(detail, base + WOFF(reserved0), DCACCEL_JOB_BAD_COMMAND);
	if ((st = check_range(pool->batch, caps->max_batch, base + WOFF(batch),
			      detail)))
		return st;
	if (pool->input_va % 2)
		return bad(detail, base + WOFF(input_va), DCACCEL_JOB_BAD_COMMAND);
	if (pool->output_va % 2)
		return bad(detail, base + WOFF(output_va), DCACCEL_JOB_BAD_COMMAND);
	if (dcdev_ld64(p + WOFF(reserved1)))
		return bad(detail, base + WOFF(reserved1), DCACCEL_JOB_BAD_COMMAND);
	if (dcdev_pool_bytes(pool) > (uint64_t)caps->max_op_mb << 20)
		return bad(detail, base, DCACCEL_JOB_TOO_LARGE);
	return DCACCEL_JOB_OK;
}

/*
 * The fields from w_planes to output_va, the same in the BITPLANE and
 * BITPLANE_CONV ops from `at` on (the offset of w_planes): into l's
 * planes, kinds, fractions and ReLU, *flags and the VAs.
 */
struct planes_vas {
	uint64_t wplanes, w_basis, a_basis, bias, input, output;
};

#define POFF(field)	(BOFF(field) - BOFF(w_planes))
#define SAME_PLANES(field) \
	_Static_assert(XOFF(field) - XOFF(w_planes) == POFF(field), \
		       "plane field " #field)
SAME_PLANES(flags);
SAME_PLANES(wplanes_va);
SAME_PLANES(output_va);

static uint32_t decode_planes(const uint8_t *p, uint32_t base, uint32_t at,
			      const struct dcdev_caps *caps,
			      struct dp_bitplane *l, uint8_t *flags,
			      struct planes_vas *va, uint32_t *detail)
{
	const uint8_t *f = p + at;

	base += at;
	l->w_planes = f[POFF(w_planes)];
	l->a_planes = f[POFF(a_planes)];
	l->w_kind = f[POFF(w_kind)];
	l->a_kind = f[POFF(a_kind)];
	l->bw_frac = f[POFF(bw_frac)];
	l->ba_frac = f[POFF(ba_frac)];
	l->out_frac = f[POFF(out_frac)];
	*flags = f[POFF(flags)];
	l->relu = *flags & DCACCEL_BITPLANE_F_RELU;
	va->wplanes = dcdev_ld64(f + POFF(wplanes_va));
	va->w_basis = dcdev_ld64(f + POFF(w_basis_va));
	va->a_basis = dcdev_ld64(f + POFF(a_basis_va));
	va->bias = dcdev_ld64(f + POFF(bias_va));
	va->input = dcdev_ld64(f + POFF(input_va));
	va->output = dcdev_ld64(f + POFF(output_va));

	if (l->w_planes == 0 || l->w_planes > DCACCEL_BITPLANE_PLANES_MAX)
		return bad(detail, base + POFF(w_planes), DCACCEL_JOB_BAD_COMMAND);
	if (l->a_planes == 0 || l->a_planes > DCACCEL_BITPLANE_PLANES_MAX)
		return bad(detail, base + POFF(a_planes), DCACCEL_JOB_BAD_COMMAND);
	if (l->w_kind > DCACCEL_PLANE_SIGNED)
		return bad(detail, base + POFF(w_kind), DCACCEL_JOB_BAD_COMMAND);
	if (l->a_kind > DCACCEL_PLANE_SIGNED)
		return bad(detail, base + POFF(a_kind), DCACCEL_JOB_BAD_COMMAND);
	if (l->bw_frac > caps->frac_max)
		return bad(detail, base + POFF(bw_frac), DCACCEL_JOB_BAD_COMMAND);
	if (l->ba_frac > caps->frac_max)
		return bad(detail, base + POFF(ba_frac), DCACCEL_JOB_BAD_COMMAND);
	if (l->out_frac > caps->frac_max ||
	    l->out_frac > l->bw_frac + l->ba_frac)
		return bad(detail, base + POFF(out_frac), DCACCEL_JOB_BAD_COMMAND);
	if (*flags & ~DCACCEL_BITPLANE_F_ALL)
		return bad(detail, base + POFF(flags), DCACCEL_JOB_BAD_COMMAND);
	if (va->wplanes % 8)
		return bad(detail, base + POFF(wplanes_va), DCACCEL_JOB_BAD_COMMAND);
	if (va->w_basis % 2)
		return bad(detail, base + POFF(w_basis_va), DCACCEL_JOB_BAD_COMMAND);
	if (va->a_basis % 2)
		return bad(detail, base + POFF(a_basis_va), DCACCEL_JOB_BAD_COMMAND);
	if (*flags & DCACCEL_BITPLANE_F_BIAS ? va->bias % 4 : va->bias != 0)
		return bad(detail, base + POFF(bias_va), DCACCEL_JOB_BAD_COMMAND);
	if (va->input % 8)
		return bad(detail, base + POFF(input_va), DCACCEL_JOB_BAD_COMMAND);
	if (va->output % 2)
		return bad(detail, base + POFF(output_va), DCACCEL_JOB_BAD_COMMAND);
	return DCACCEL_JOB_OK;
}

static uint32_t decode_bitplane(const uint8_t *p, uint32_t base,
				const struct dcdev_caps *caps,
				struct dcdev_bitplane *bp, uint32_t *detail)
{
	struct dp_bitplane *l = &bp->l;
	const uint32_t dim_max = caps->max_dim < DCACCEL_BITPLANE_DIM_MAX ?
				 caps->max_dim : DCACCEL_BITPLANE_DIM_MAX;
	struct planes_vas va;
	uint32_t st;

	*l = (struct dp_bitplane){
		.rows = dcdev_ld32(p + BOFF(rows)),
		.cols = dcdev_ld32(p + BOFF(cols)),
		.pes = dcdev_ld32(p + BOFF(pes)),
	};
	bp->batch = dcdev_ld32(p + BOFF(batch));
	if ((st = check_range(l->rows, dim_max, base + BOFF(rows), detail)))
		return st;
	if ((st = check_range(l->cols, dim_max, base + BOFF(cols), detail)))
		return st;
	if (l->pes != caps->pes)
		return bad(detail, base + BOFF(pes), DCACCEL_JOB_BAD_COMMAND);
	if ((st = check_range(bp->batch, caps->max_batch, base + BOFF(batch),
			      detail)))
		return st;
	if ((st = decode_planes(p, base, BOFF(w_planes), caps, l, &bp->flags,
				&va, detail)))
		return st;
	bp->wplanes_va = va.wplanes;
	bp->w_basis_va = va.w_basis;
	bp->a_basis_va = va.a_basis;
	bp->bias_va = va.bias;
	bp->input_va = va.input;
	bp->output_va = va.output;
	if (dcdev_ld64(p + BOFF(reserved0)))
		return bad(detail, base + BOFF(reserved0), DCACCEL_JOB_BAD_COMMAND);
	if (dcdev_bitplane_bytes(bp) > (uint64_t)caps->max_op_mb << 20)
		return bad(detail, base, DCACCEL_JOB_TOO_LARGE);
	return DCACCEL_JOB_OK;
}

static uint32_t decode_bitplane_conv(const uint8_t *p, uint32_t base,
				     const struct dcdev_caps *caps,
				     struct dcdev_bitplane_conv *bc,
				     uint32_t *detail)
{
	struct dp_bitplane *l = &bc->c.l;
	const uint32_t dim_max = caps->max_dim < DCACCEL_BITPLANE_DIM_MAX ?
				 caps->max_dim : DCACCEL_BITPLANE_DIM_MAX;
	struct planes_vas va;
	uint32_t st;

	memset(bc, 0, sizeof(*bc));
	if ((st = decode_window(p, base, caps, 0, &l->cols, &bc->c.win, detail)))
		return st;
	if (l->cols > dim_max)
		return bad(detail, base + XOFF(in_channels), DCACCEL_JOB_TOO_LARGE);
	bc->out_h = dp_window_out_h(&bc->c.win);
	bc->out_w = dp_window_out_w(&bc->c.win);
	if (dcdev_ld16(p + XOFF(reserved0)))
		return bad(detail, base + XOFF(reserved0), DCACCEL_JOB_BAD_COMMAND);
	l->rows = dcdev_ld32(p + XOFF(out_channels));
	l->pes = dcdev_ld32(p + XOFF(pes));
	bc->batch = dcdev_ld32(p + XOFF(batch));
	if ((st = check_range(l->rows, dim_max, base + XOFF(out_channels),
			      detail)))
		return st;
	if ((uint64_t)l->rows * bc->out_h * bc->out_w > DCACCEL_CONV_OUTPUTS_MAX)
		return bad(detail, base + XOFF(out_channels), DCACCEL_JOB_TOO_LARGE);
	if (l->pes != caps->pes)
		return bad(detail, base + XOFF(pes), DCACCEL_JOB_BAD_COMMAND);
	if ((st = check_range(bc->batch, caps->max_batch, base + XOFF(batch),
			      detail)))
		return st;
	if ((st = decode_planes(p, base, XOFF(w_planes), caps, l, &bc->flags,
				&va, detail)))
		return st;
	bc->wplanes_va = va.wplanes;
	bc->w_basis_va = va.w_basis;
	bc->a_basis_va = va.a_basis;
	bc->bias_va = va.bias;
	bc->input_va = va.input;
	bc->output_va = va.output;
	if (dcdev_ld64(p + XOFF(reserved1)))
		return bad(detail, base + XOFF(reserved1), DCACCEL_JOB_BAD_COMMAND);
	if (dcdev_bitplane_conv_bytes(bc) > (uint64_t)caps->max_op_mb << 20)
		return bad(detail, base, DCACCEL_JOB_TOO_LARGE);
	return DCACCEL_JOB_OK;
}

static uint32_t decode_quant(const uint8_t *p, uint32_t base,
			     const struct dcdev_caps *caps,
			     struct dcdev_quant *q, uint32_t *detail)
{
	const uint32_t dim_max = caps->max_dim < DCACCEL_BITPLANE_DIM_MAX ?
				 caps->max_dim : DCACCEL_BITPLANE_DIM_MAX;
	uint32_t st;

	*q = (struct dcdev_quant){
		.channels = dcdev_ld32(p + QOFF(channels)),
		.pixels = dcdev_ld32(p + QOFF(pixels)),
		.batch = dcdev_ld32(p + QOFF(batch)),
		.bits = p[QOFF(bits)],
		.thr_va = dcdev_ld64(p + QOFF(thr_va)),
		.codes_va = dcdev_ld64(p + QOFF(codes_va)),
		.input_va = dcdev_ld64(p + QOFF(input_va)),
		.output_va = dcdev_ld64(p + QOFF(output_va)),
	};
	if ((st = check_range(q->channels, dim_max, base + QOFF(channels), detail)))
		return st;
	/* a map of up to 2^24 values: any CONV op's output */
	if ((st = check_range(q->pixels, DCACCEL_QUANT_VALUES_MAX,
			      base + QOFF(pixels), detail)))
		return st;
	if ((uint64_t)q->channels * q->pixels > DCACCEL_QUANT_VALUES_MAX)
		return bad(detail, base + QOFF(pixels), DCACCEL_JOB_TOO_LARGE);
	if ((st = check_range(q->batch, caps->max_batch, base + QOFF(batch),
			      detail)))
		return st;
	if (q->bits == 0 || q->bits > DCACCEL_BITPLANE_PLANES_MAX)
		return bad(detail, base + QOFF(bits), DCACCEL_JOB_BAD_COMMAND);
	for (uint32_t i = 0; i < 3; i++)
		if (p[QOFF(reserved0) + i])
			return bad(detail, base + QOFF(reserved0) + i,
				   DCACCEL_JOB_BAD_COMMAND);
	if (q->thr_va % 2)
		return bad(detail, base + QOFF(thr_va), DCACCEL_JOB_BAD_COMMAND);
	if (q->input_va % 2)
		return bad(detail, base + QOFF(input_va), DCACCEL_JOB_BAD_COMMAND);
	if (q->output_va % 8)
		return bad(detail, base + QOFF(output_va), DCACCEL_JOB_BAD_COMMAND);
	if (dcdev_ld64(p + QOFF(reserved1)))
		return bad(detail, base + QOFF(reserved1), DCACCEL_JOB_BAD_COMMAND);
	if (dcdev_quant_bytes(q) > (uint64_t)caps->max_op_mb << 20)
		return bad(detail, base, DCACCEL_JOB_TOO_LARGE);
	return DCACCEL_JOB_OK;
}

static uint32_t decode_debug(const uint8_t *p, uint32_t base,
			     const struct dcdev_caps *caps,
			     struct dcdev_op *op, uint32_t *detail)
{
	op->debug.action = dcdev_ld32(p + DOFF(action));
	op->debug.va = dcdev_ld64(p + DOFF(va));
	if (!caps->fault_injection)
		return bad(detail, base + DOFF(hdr.opcode), DCACCEL_JOB_BAD_COMMAND);
	if (op->debug.action < DCACCEL_DEBUG_HANG ||
	    op->debug.action > DCACCEL_DEBUG_WEDGE)
		return bad(detail, base + DOFF(action), DCACCEL_JOB_BAD_COMMAND);
	if (dcdev_ld32(p + DOFF(reserved0)))
		return bad(detail, base + DOFF(reserved0), DCACCEL_JOB_BAD_COMMAND);
	/* the stuck engine's counter is one aligned 64-bit word */
	if (op->debug.action >= DCACCEL_DEBUG_STUCK && op->debug.va % 8)
		return bad(detail, base + DOFF(va), DCACCEL_JOB_BAD_COMMAND);
	return DCACCEL_JOB_OK;
}

uint32_t dcdev_op_decode(const uint8_t *buf, uint32_t len, uint32_t offset,
			 const struct dcdev_caps *caps, struct dcdev_op *op,
			 uint32_t *detail)
{
	const uint8_t *p = buf + offset;
	uint32_t want;

	*detail = 0;
	if (len < offset || len - offset < sizeof(struct dcaccel_op_header))
		return bad(detail, offset, DCACCEL_JOB_BAD_COMMAND);
	op->opcode = dcdev_ld32(p + HOFF(opcode));
	op->size = dcdev_ld32(p + HOFF(size));
	op->offset = offset;
	if (op->size < sizeof(struct dcaccel_op_header) || op->size % 8 ||
	    op->size > DCACCEL_OP_MAX_SIZE || op->size > len - offset)
		return bad(detail, offset + HOFF(size), DCACCEL_JOB_BAD_COMMAND);

	switch (op->opcode) {
	case DCACCEL_OP_NOP:
		return DCACCEL_JOB_OK;
	case DCACCEL_OP_FC:
		want = DCACCEL_OP_FC_SIZE;
		break;
	case DCACCEL_OP_CONV:
		want = DCACCEL_OP_CONV_SIZE;
		break;
	case DCACCEL_OP_POOL:
		want = DCACCEL_OP_POOL_SIZE;
		break;
	case DCACCEL_OP_BITPLANE:
		want = DCACCEL_OP_BITPLANE_SIZE;
		break;
	case DCACCEL_OP_QUANT:
		want = DCACCEL_OP_QUANT_SIZE;
		break;
	case DCACCEL_OP_BITPLANE_CONV:
		want = DCACCEL_OP_BITPLANE_CONV_SIZE;
		break;
	case DCACCEL_OP_DEBUG:
		want = DCACCEL_OP_DEBUG_SIZE;
		break;
	default:
		return bad(detail, offset + HOFF(opcode), DCACCEL_JOB_BAD_COMMAND);
	}
	if (op->size != want)
		return bad(detail, offset + HOFF(size), DCACCEL_JOB_BAD_COMMAND);
	switch (op->opcode) {
	case DCACCEL_OP_FC:
		return decode_fc(p, offset, caps, &op->fc, detail);
	case DCACCEL_OP_CONV:
		return decode_conv(p, offset, caps, &op->conv, detail);
	case DCACCEL_OP_POOL:
		return decode_pool(p, offset, caps, &op->pool, detail);
	case DCACCEL_OP_BITPLANE:
		return decode_bitplane(p, offset, caps, &op->bitplane, detail);
	case DCACCEL_OP_QUANT:
		return decode_quant(p, offset, caps, &op->quant, detail);
	case DCACCEL_OP_BITPLANE_CONV:
		return decode_bitplane_conv(p, offset, caps, &op->bpconv, detail);
	default:
		return decode_debug(p, offset, caps, op, detail);
	}
}
