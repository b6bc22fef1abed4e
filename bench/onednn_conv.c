// SPDX-License-Identifier: MIT
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onednn_conv.h"

struct onednn_conv {
	dnnl_engine_t eng;
	dnnl_stream_t stream;
	dnnl_primitive_desc_t pd;
	dnnl_primitive_t conv;
	dnnl_memory_t src, wei, dst;
	dnnl_memory_desc_t dst_nchw;
};

#define CHECK(call) do { \
	dnnl_status_t st_ = (call); \
	if (st_ != dnnl_success) { \
		fprintf(stderr, "oneDNN: %s failed (%d)\n", #call, (int)st_); \
		return -1; \
	} \
} while (0)

/* dst (a new memory of md) = src reordered: one reorder primitive. */
static int reorder(struct onednn_conv *d, dnnl_memory_t from,
		   dnnl_memory_t to)
{
	const dnnl_memory_desc_t *fmd, *tmd;
	dnnl_primitive_desc_t rpd;
	dnnl_primitive_t r;
	dnnl_exec_arg_t args[2];

	CHECK(dnnl_memory_get_memory_desc(from, &fmd));
	CHECK(dnnl_memory_get_memory_desc(to, &tmd));
	CHECK(dnnl_reorder_primitive_desc_create(&rpd, fmd, d->eng, tmd,
						 d->eng, NULL));
	CHECK(dnnl_primitive_create(&r, rpd));
	args[0] = (dnnl_exec_arg_t){ DNNL_ARG_FROM, from };
	args[1] = (dnnl_exec_arg_t){ DNNL_ARG_TO, to };
	CHECK(dnnl_primitive_execute(r, d->stream, 2, args));
	CHECK(dnnl_stream_wait(d->stream));
	dnnl_primitive_destroy(r);
	dnnl_primitive_desc_destroy(rpd);
	return 0;
}

/* A memory of the layout the convolution wants, holding `data` (tag). */
static int place(struct onednn_conv *d, dnnl_query_t what, int ndims,
		 const dnnl_dims_t dims, const float *data,
		 dnnl_memory_t *out)
{
	const dnnl_memory_desc_t *want = dnnl_primitive_desc_query_md(d->pd,
								       what, 0);
	dnnl_memory_desc_t user_md;
	dnnl_memory_t user;

	CHECK(dnnl_memory_desc_init_by_tag(&user_md, ndims, dims, dnnl_f32,
					   dnnl_abcd));
	CHECK(dnnl_memory_create(out, want, d->eng, DNNL_MEMORY_ALLOCATE));
	if (!data)
		return 0;
	CHECK(dnnl_memory_create(&user, &user_md, d->eng, (void *)data));
	if (reorder(d, user, *out))
		return -1;
	dnnl_memory_destroy(user);
	return 0;
}

static int create(struct onednn_conv *d, const struct conv_shape *s,
		  const float *w, const float *x)
{
	dnnl_dims_t src = { 1, s->c, s->h, s->w };
	dnnl_dims_t wei = { s->k, s->c, s->r, s->s };
	dnnl_dims_t dst = { 1, s->k, s->oh, s->ow };
	dnnl_dims_t strides = { s->stride, s->stride };
	dnnl_dims_t pad = { s->pad, s->pad };
	dnnl_memory_desc_t src_md, wei_md, dst_md;
	dnnl_convolution_desc_t desc;

	CHECK(dnnl_engine_create(&d->eng, dnnl_cpu, 0));
	CHECK(dnnl_stream_create(&d->stream, d->eng,
				 dnnl_stream_default_flags));
	CHECK(dnnl_memory_desc_init_by_tag(&src_md, 4, src, dnnl_f32,
					   dnnl_format_tag_any));
	CHECK(dnnl_memory_desc_init_by_tag(&wei_md, 4, wei, dnnl_f32,
					   dnnl_format_tag_any));
	CHECK(dnnl_memory_desc_init_by_tag(&dst_md, 4, dst, dnnl_f32,
					   dnnl_format_tag_any));
	CHECK(dnnl_memory_desc_init_by_tag(&d->dst_nchw, 4, dst, dnnl_f32,
					   dnnl_nchw));
	CHECK(dnnl_convolution_forward_desc_init(&desc, dnnl_forward_inference,
						 dnnl_convolution_auto,
						 &src_md, &wei_md, NULL,
						 &dst_md, strides, pad, pad));
	CHECK(dnnl_primitive_desc_create(&d->pd, &desc, NULL, d->eng, NULL));
	CHECK(dnnl_primitive_create(&d->conv, d->pd));
	if (place(d, dnnl_query_src_md, 4, src, x, &d->src) ||
	    place(d, dnnl_query_weights_md, 4, wei, w, &d->wei) ||
	    place(d, dnnl_query_dst_md, 4, dst, NULL, &d->dst))
		return -1;
	return 0;
}

struct onednn_conv *onednn_conv_create(const struct conv_shape *s,
				       const float *w, const float *x)
{
	struct onednn_conv *d = calloc(1, sizeof(*d));

	if (d && create(d, s, w, x)) {
		onednn_conv_free(d);
		return NULL;
	}
	return d;
}

void onednn_conv_run(struct onednn_conv *d)
{
	dnnl_exec_arg_t args[3] = {
		{ DNNL_ARG_SRC, d->src },
		{ DNNL_ARG_WEIGHTS, d->wei },
		{ DNNL_ARG_DST, d->dst },
	};

	dnnl_primitive_execute(d->conv, d->stream, 3, args);
	dnnl_stream_wait(d->stream);
}

int onednn_conv_output(struct onednn_conv *d, float *y)
{
	dnnl_memory_t user;

	CHECK(dnnl_memory_create(&user, &d->dst_nchw, d->eng, y));
	if (reorder(d, d->dst, user))
		return -1;
	dnnl_memory_destroy(user);
	return 0;
}

const char *onednn_conv_impl(const struct onednn_conv *d)
{
	const char *impl = NULL;

	if (dnnl_primitive_desc_query(d->pd, dnnl_query_impl_info_str, 0,
				      &impl) != dnnl_success || !impl)
		return "?";
	return impl;
}

void onednn_conv_free(struct onednn_conv *d)
{
	if (!d)
		return;
	if (d->src)
		dnnl_memory_destroy(d->src);
	if (d->wei)
		dnnl_memory_destroy(d->wei);
	if (d->dst)
		dnnl_memory_destroy(d->dst);
	if (d->conv)
		dnnl_primitive_destroy(d->conv);
	if (d->pd)
		dnnl_primitive_desc_destroy(d->pd);
	if (d->stream)
		dnnl_stream_destroy(d->stream);
	if (d->eng)
		dnnl_engine_destroy(d->eng);
	free(d);
}

const char *onednn_version(void)
{
	static char buf[32];
	const dnnl_version_t *v = dnnl_version();

	snprintf(buf, sizeof(buf), "%d.%d.%d", v->major, v->minor, v->patch);
	return buf;
}
