// SPDX-License-Identifier: MIT
/*
 * The BITPLANE and BITPLANE_CONV ops: copy the weight planes, bases, bias
 * and input planes out of the context, run the layer or the convolution
 * and its cycle model (dp_bitplane.h, dp_bitplane_conv.h), and write the
 * outputs.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "dev_job.h"
#include "dev_layer.h"
#include "dcaccel/dcaccel_bitplane.h"

/* Where the arrays are, their sizes in values, and their fields' offsets. */
struct bp_arrays {
	uint64_t wplanes_va, w_basis_va, a_basis_va, bias_va, input_va;
	size_t wn, in_n;	/* 64-bit words */
	uint32_t off_wplanes;	/* the op's offset of wplanes_va; the other
				 * VAs follow it 8 bytes apart, input_va last */
	bool has_bias;
};

/* The host's copies of the arrays. */
struct bp_bufs {
	uint64_t *wp, *in;
	int16_t *wb, *ab;
	int32_t *bias;
};

static void bp_bufs_free(struct bp_bufs *b)
{
	free(b->wp);
	free(b->in);
	free(b->wb);
	free(b->ab);
	free(b->bias);
}

/*
 * Copy the arrays in the spec's order (weight planes, w_basis, a_basis,
 * the bias only with F_BIAS, the input planes) and point l at them.
 */
static uint32_t fetch_arrays(struct dcdev_mmu *m, const struct dcdev_op *op,
			     const struct bp_arrays *a, struct dp_bitplane *l,
			     struct bp_bufs *b, struct dcdev_result *r)
{
	const size_t nwb = (size_t)l->rows * l->w_planes;
	const uint32_t at = op->offset + a->off_wplanes;
	uint32_t st;

	b->wp = dcdev_alloc(8 * a->wn);
	b->in = dcdev_alloc(8 * a->in_n);
	b->wb = dcdev_alloc(2 * nwb);
	b->ab = dcdev_alloc(2 * (size_t)l->a_planes);
	b->bias = a->has_bias ? dcdev_alloc(4 * (size_t)l->rows) : NULL;
	if (!b->wp || !b->in || !b->wb || !b->ab || (a->has_bias && !b->bias))
		return r->status = DCACCEL_JOB_NO_MEMORY;
	if ((st = dcdev_op_read(m, a->wplanes_va, b->wp, 8 * a->wn, r, at)) ||
	    (st = dcdev_op_read(m, a->w_basis_va, b->wb, 2 * nwb, r, at + 8)) ||
	    (st = dcdev_op_read(m, a->a_basis_va, b->ab, 2 * (size_t)l->a_planes, r,
			at + 16)) ||
	    (a->has_bias && (st = dcdev_op_read(m, a->bias_va, b->bias,
					4 * (size_t)l->rows, r, at + 24))) ||
	    (st = dcdev_op_read(m, a->input_va, b->in, 8 * a->in_n, r, at + 32)))
		return st;
	dcdev_le64_to_host(b->wp, a->wn);
	dcdev_le64_to_host(b->in, a->in_n);
	dcdev_le16_to_host(b->wb, nwb);
	dcdev_le16_to_host(b->ab, l->a_planes);
	if (b->bias)
		dcdev_le32_to_host(b->bias, l->rows);
	l->wplanes = b->wp;
	l->w_basis = b->wb;
	l->a_basis = b->ab;
	l->bias = b->bias;
	return DCACCEL_JOB_OK;
}

#define BOFF(field)	((uint32_t)offsetof(struct dcaccel_op_bitplane, field))
#define XOFF(field)	((uint32_t)offsetof(struct dcaccel_op_bitplane_conv, field))

_Static_assert(BOFF(input_va) - BOFF(wplanes_va) == 32 &&
	       XOFF(input_va) - XOFF(wplanes_va) == 32, "the arrays' VAs");

/* What differs between the two forms once their arrays are in. */
struct bp_form {
	int (*validate)(const void *layer, struct eie_error *err);
	/* 0, -ECANCELED (poll) or -ENOMEM (its workspace) */
	int (*run)(const void *layer, uint32_t batch, const uint64_t *in,
		   int16_t *out, struct eie_stats *stats,
		   const struct eie_poll *poll);
	void (*cycles)(const void *layer, uint32_t batch,
		       struct eie_cycles *cycles, uint64_t *pe_busy);
	void (*energy)(const void *layer, uint32_t batch,
		       const struct dp_energy_io *io, struct dp_energy *e);
};

static int fc_validate(const void *l, struct eie_error *err)
{
	return dp_bitplane_validate(l, err);
}

static int fc_run(const void *l, uint32_t batch, const uint64_t *in,
		  int16_t *out, struct eie_stats *stats,
		  const struct eie_poll *poll)
{
	return dp_bitplane_run(l, batch, in, out, stats, poll);
}

static void fc_cycles(const void *l, uint32_t batch, struct eie_cycles *c,
		      uint64_t *pe_busy)
{
	dp_bitplane_model_cycles(l, batch, c, pe_busy);
}

static void fc_energy(const void *l, uint32_t batch,
		      const struct dp_energy_io *io, struct dp_energy *e)
{
	dp_energy_bitplane(l, batch, io, e);
}

static int conv_validate(const void *c, struct eie_error *err)
{
	return dp_bitplane_conv_validate(c, err);
}

static int conv_run(const void *c, uint32_t batch, const uint64_t *in,
		    int16_t *out, struct eie_stats *stats,
		    const struct eie_poll *poll)
{
	void *ws = dcdev_alloc(dp_bitplane_conv_ws_size(c));
	int ret;

	if (!ws)
		return -ENOMEM;
	ret = dp_bitplane_conv_run(c, batch, in, out, ws, stats, poll);
	free(ws);
	return ret;
}

static void conv_cycles(const void *c, uint32_t batch, struct eie_cycles *cy,
			uint64_t *pe_busy)
{
	dp_bitplane_conv_model_cycles(c, batch, cy, pe_busy);
}

static void conv_energy(const void *c, uint32_t batch,
			const struct dp_energy_io *io, struct dp_energy *e)
{
	dp_energy_bitplane_conv(c, batch, io, e);
}

static const struct bp_form fc_form = {
	fc_validate, fc_run, fc_cycles, fc_energy,
};
static const struct bp_form conv_form = {
	conv_validate, conv_run, conv_cycles, conv_energy,
};

/*
 * Either form: fetch the arrays into l (the layer's, inside `layer`),
 * check, run, model the cycles, write out_n outputs to output_va (a
 * fault at off_output), then count the energy.
 */
static uint32_t exec_form(struct dcdev_mmu *m, const struct dcdev_op *op,
			  const struct bp_form *form, const void *layer,
			  struct dp_bitplane *l, const struct bp_arrays *a,
			  uint32_t batch, size_t out_n, uint64_t output_va,
			  uint32_t off_output, struct dcdev_result *r,
			  const struct eie_poll *poll,
			  const struct dp_energy_io *eio)
{
	int16_t *out = dcdev_alloc(2 * out_n);
	struct bp_bufs b = { 0 };
	struct eie_error err;
	uint32_t st;
	int ret;

	if (!out) {
		st = r->status = DCACCEL_JOB_NO_MEMORY;
		goto done;
	}
	if ((st = fetch_arrays(m, op, a, l, &b, r)))
		goto done;
	/* decoding checked every field; this is the datapath's own check */
	if (form->validate(layer, &err)) {
		st = dcdev_op_bad_layer(r, op, &err);
		goto done;
	}
	ret = form->run(layer, batch, b.in, out, &r->stats, poll);
	if (ret) {
		st = ret == -ENOMEM ? (r->status = DCACCEL_JOB_NO_MEMORY) :
		     DCDEV_OP_CANCELLED;
		goto done;
	}
	form->cycles(layer, batch, &r->cycles, r->pe_busy);
	st = dcdev_output_write(m, output_va, out, out_n, r,
				op->offset + off_output);
	if (!st && eio)
		form->energy(layer, batch, eio, &r->energy);
done:
	bp_bufs_free(&b);
	free(out);
	return st;
}

uint32_t dcdev_bitplane_exec(struct dcdev_mmu *m,
			     const struct dcdev_caps *caps,
			     const struct dcdev_op *op, struct dcdev_result *r,
			     const struct eie_poll *poll,
			     const struct dp_energy_io *eio)
{
	const struct dcdev_bitplane *bp = &op->bitplane;
	struct dp_bitplane l = bp->l;
	const size_t words = DCACCEL_PLANE_WORDS(l.cols);
	const struct bp_arrays a = {
		.wplanes_va = bp->wplanes_va, .w_basis_va = bp->w_basis_va,
		.a_basis_va = bp->a_basis_va, .bias_va = bp->bias_va,
		.input_va = bp->input_va,
		.wn = (size_t)l.w_planes * l.rows * words,
		.in_n = (size_t)bp->batch * l.a_planes * words,
		.off_wplanes = BOFF(wplanes_va),
		.has_bias = bp->flags & DCACCEL_BITPLANE_F_BIAS,
	};

	(void)caps;
	return exec_form(m, op, &fc_form, &l, &l, &a, bp->batch,
			 (size_t)bp->batch * l.rows, bp->output_va,
			 BOFF(output_va), r, poll, eio);
}

uint32_t dcdev_bitplane_conv_exec(struct dcdev_mmu *m,
				  const struct dcdev_caps *caps,
				  const struct dcdev_op *op,
				  struct dcdev_result *r,
				  const struct eie_poll *poll,
				  const struct dp_energy_io *eio)
{
	const struct dcdev_bitplane_conv *bc = &op->bpconv;
	struct dp_bitplane_conv c = bc->c;
	const struct dp_window *w = &c.win;
	const size_t lc = DCACCEL_PLANE_WORDS(c.l.cols);
	const struct bp_arrays a = {
		.wplanes_va = bc->wplanes_va, .w_basis_va = bc->w_basis_va,
		.a_basis_va = bc->a_basis_va, .bias_va = bc->bias_va,
		.input_va = bc->input_va,
		.wn = (size_t)c.l.w_planes * c.l.rows * w->kernel_h *
		      w->kernel_w * lc,
		.in_n = (size_t)bc->batch * c.l.a_planes * w->in_h * w->in_w * lc,
		.off_wplanes = XOFF(wplanes_va),
		.has_bias = bc->flags & DCACCEL_BITPLANE_F_BIAS,
	};

	(void)caps;
	return exec_form(m, op, &conv_form, &c, &c.l, &a, bc->batch,
			 (size_t)bc->batch * c.l.rows * bc->out_h * bc->out_w,
			 bc->output_va, XOFF(output_va), r, poll, eio);
}
