/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Random convolution and pooling layers for the dcaccel kselftests: a
 * layer made by a seeded generator, what the host's datapath (the C the
 * device runs: dp_conv.c, dp_pool.c) computes of it, and the CONV and
 * POOL ops that name it on the device.
 */
#ifndef DCACCEL_SELFTEST_CONV_H
#define DCACCEL_SELFTEST_CONV_H

#include "dcaccel_layer.h"
#include "dp_conv.h"
#include "dp_pool.h"
#include "conv_op.h"

/* What a random layer may be: the device's limits, the test's sizes. */
struct conv_limits {
	uint32_t pes, queue, wbits, zbits;
	uint32_t max_c, max_hw, max_k, max_kernel, max_stride;
};

/* A convolution's filters and bias, and the host's run of one batch. */
struct conv_layer {
	struct dp_conv c;
	struct eie_streams st;
	int16_t *codebook;
	int32_t *bias;
	uint32_t out_h, out_w;
};

static inline size_t conv_in_n(const struct conv_layer *l)
{
	return (size_t)l->c.in_channels * l->c.win.in_h * l->c.win.in_w;
}

static inline size_t conv_out_n(const struct conv_layer *l)
{
	return (size_t)l->c.filters.rows * l->out_h * l->out_w;
}

/* A window that fits the padded map of in_h x in_w: at least one output. */
static inline void random_window(struct rng *r, const struct conv_limits *lim,
				 struct dp_window *w)
{
	w->kernel_h = 1 + rnd(r, lim->max_kernel);
	w->kernel_w = 1 + rnd(r, lim->max_kernel);
	w->stride_h = 1 + rnd(r, lim->max_stride);
	w->stride_w = 1 + rnd(r, lim->max_stride);
	w->pad_h = rnd(r, w->kernel_h);
	w->pad_w = rnd(r, w->kernel_w);
	w->in_h = 1 + rnd(r, lim->max_hw);
	w->in_w = 1 + rnd(r, lim->max_hw);
	if (w->in_h + 2u * w->pad_h < w->kernel_h)
		w->in_h = w->kernel_h - 2u * w->pad_h;
	if (w->in_w + 2u * w->pad_w < w->kernel_w)
		w->in_w = w->kernel_w - 2u * w->pad_w;
}

/* The shape and format of a convolution to make; 0 bits: random. */
struct conv_shape {
	uint32_t in_ch, out_ch;
	struct dp_window win;
	uint32_t density;	/* percent of weights kept */
	int cb_range;		/* codebook weights within +-cb_range */
	uint8_t wbits, zbits, in_frac, out_frac;
};

/* Filters of out_ch x (C x R x S) as s says; relu and bias at random. */
static inline int make_conv_layer(struct rng *r, const struct conv_limits *lim,
				  const struct conv_shape *s,
				  struct conv_layer *l)
{
	const struct dp_window *w = &s->win;
	uint32_t in_ch = s->in_ch, out_ch = s->out_ch, density = s->density;
	uint32_t cols = in_ch * w->kernel_h * w->kernel_w, i, cb_len;
	uint8_t wbits = s->wbits ? s->wbits :
			1 + rnd(r, lim->wbits < 8 ? lim->wbits : 8);
	uint8_t zbits = s->zbits ? s->zbits :
			1 + rnd(r, lim->zbits < 8 ? lim->zbits : 8);
	int cb_range = s->cb_range;
	struct eie_error err;
	uint8_t *widx;

	memset(l, 0, sizeof(*l));
	/* mostly real weights; one layer in 8 has only the zero weight */
	cb_len = rnd(r, 8) ? 2 + rnd(r, (1u << wbits) - 1) : 1;
	widx = calloc((size_t)out_ch * cols, 1);
	l->codebook = calloc(cb_len, sizeof(int16_t));
	l->bias = calloc(out_ch, sizeof(int32_t));
	if (!widx || !l->codebook || !l->bias)
		return -ENOMEM;
	for (i = 1; i < cb_len; i++)
		l->codebook[i] = (int16_t)((int)rnd(r, 2 * cb_range + 1) -
					   cb_range);
	for (i = 0; i < out_ch * cols; i++)
		if (cb_len > 1 && rnd(r, 100) < density)
			widx[i] = 1 + rnd(r, cb_len - 1);
	for (i = 0; i < out_ch; i++)
		l->bias[i] = (int32_t)rnd(r, 1 << 18) - (1 << 17);
	if (eie_encode(widx, out_ch, cols, lim->pes, wbits, zbits, &l->st,
		       &err))
		return -EINVAL;
	free(widx);
	eie_streams_to_layer(&l->st, &l->c.filters);
	l->c.filters.in_frac = s->in_frac;
	l->c.filters.w_frac = 8;
	l->c.filters.out_frac = s->out_frac;
	l->c.filters.relu = rnd(r, 2);
	l->c.filters.codebook_len = cb_len;
	l->c.filters.codebook = l->codebook;
	l->c.filters.bias = rnd(r, 2) ? l->bias : NULL;
	l->c.in_channels = in_ch;
	l->c.win = *w;
	l->out_h = dp_window_out_h(w);
	l->out_w = dp_window_out_w(w);
	return dp_conv_validate(&l->c, &err) ? -EINVAL : 0;
}

static inline void free_conv_layer(struct conv_layer *l)
{
	eie_streams_free(&l->st);
	free(l->codebook);
	free(l->bias);
}

/* Run the host's convolution and its cycle model on batch maps. */
static inline int host_conv(const struct conv_layer *l, uint32_t queue,
			    uint32_t batch, const int16_t *in, int16_t *out,
			    struct eie_stats *st, struct eie_cycles *cy,
			    uint64_t *pe_busy)
{
	void *ws = malloc(dp_conv_run_ws_size(&l->c) + 8);
	int ret = ws ? dp_conv_run(&l->c, batch, in, out, ws, st, NULL) :
		       -ENOMEM;

	free(ws);
	if (ret)
		return ret;
	ws = malloc(dp_conv_cycles_ws_size(&l->c, queue) + 8);
	ret = ws ? dp_conv_model_cycles(&l->c, queue, batch, in, ws, cy,
					pe_busy, NULL) : -ENOMEM;
	free(ws);
	return ret;
}

/* Random maps: about half the values zero, the rest within +-range. */
static inline int16_t *random_maps(struct rng *r, size_t n, int range)
{
	int16_t *m = calloc(n ? n : 1, sizeof(*m));
	size_t i;

	for (i = 0; m && i < n; i++)
		m[i] = rnd(r, 2) ? (int16_t)((int)rnd(r, 2 * range + 1) -
					     range) : 0;
	return m;
}

/*
 * A bump allocator over one BO: the streams of several layers, each array
 * 64-byte aligned. put() copies n bytes in and returns their VA.
 */
struct bo_pack {
	struct dc_bo *bo;
	uint64_t used;
};

static inline uint64_t bo_put(struct bo_pack *p, const void *src, size_t n)
{
	uint64_t off = align64(p->used);

	if (off + n > p->bo->size)
		return 0;
	if (src && n)
		memcpy((char *)p->bo->map + off, src, n);
	p->used = off + n;
	return p->bo->va + off;
}

/* Place a convolution's codebook, column pointers, entries and bias. */
static inline int bo_put_filters(struct bo_pack *p, const struct eie_layer *f,
				 __u64 *codebook_va, __u64 *colptr_va,
				 __u64 *entries_va, __u64 *bias_va)
{
	size_t en = (size_t)f->entry_count *
		    DCACCEL_EIE_ENTRY_BYTES(f->wbits, f->zbits);

	*codebook_va = bo_put(p, f->codebook, 2 * (size_t)f->codebook_len);
	*colptr_va = bo_put(p, f->colptr, 4 * (size_t)f->pes * (f->cols + 1));
	*entries_va = bo_put(p, f->entries, en ? en : 1);
	*bias_va = f->bias ? bo_put(p, f->bias, 4 * (size_t)f->rows) : 0;
	return *codebook_va && *colptr_va && *entries_va &&
	       (*bias_va || !f->bias) ? 0 : -ENOSPC;
}

/* Bytes the filters and bias of f take in a bo_pack, alignment included. */
static inline size_t filters_bytes(const struct eie_layer *f)
{
	return align64(2 * (size_t)f->codebook_len) +
	       align64(4 * (size_t)f->pes * (f->cols + 1)) +
	       align64((size_t)f->entry_count *
		       DCACCEL_EIE_ENTRY_BYTES(f->wbits, f->zbits) + 1) +
	       align64(4 * (size_t)f->rows);
}

/* The device's last job status and detail (debugfs "ring"); 0 or -errno. */
static inline int dc_last_status(int fd, uint32_t *status, uint32_t *detail)
{
	char path[160], line[256];
	int ret = dc_debugfs_path(fd, "ring", path, sizeof(path)), found = 0;
	FILE *f;

	if (ret)
		return ret;
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "last seqno %*u (driver %*u) status %u detail %u",
			   status, detail) == 2)
			found = 1;
	fclose(f);
	return found ? 0 : -ENOENT;
}

#endif /* DCACCEL_SELFTEST_CONV_H */
