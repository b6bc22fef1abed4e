/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A random small CNN for the dcaccel kselftests: conv, pool, conv, pool,
 * FC, FC, what the host's datapath makes of a batch, and the same as one
 * job of six ops on the device over intermediate BOs that the host never
 * reads or writes (hardware.rst, "A network as one job").
 */
#ifndef DCACCEL_SELFTEST_CNN_H
#define DCACCEL_SELFTEST_CNN_H

#include "dcaccel_conv.h"

struct cnn {
	struct conv_layer conv[2];
	struct dp_pool pool[2];
	/* the FC layers, as convolutions of a 1 x 1 map: filters is the layer */
	struct conv_layer fc[2];
	uint32_t batch;
	size_t n_in, n_act[5], n_out;	/* values per map of each stage */
	int16_t *input, *want, *got;
	struct eie_stats st;		/* over the six ops */
	struct eie_cycles cy;
};

static inline size_t cnn_out_n(const struct cnn *n)
{
	return n->batch * n->n_out;
}

/* A 2 x 2, stride 2 pooling of the map a convolution makes. */
static inline void cnn_pool_after(struct rng *r, const struct conv_layer *c,
				  struct dp_pool *p)
{
	*p = (struct dp_pool){
		.channels = c->c.filters.rows,
		.win = { c->out_h, c->out_w, 2, 2, 2, 2, 0, 0 },
		.mode = rnd(r, 2) ? DCACCEL_POOL_AVG : DCACCEL_POOL_MAX,
	};
}

static inline int cnn_make(struct rng *r, const struct conv_limits *lim,
			   struct cnn *n)
{
	uint32_t h = 12 + rnd(r, 17), w = 12 + rnd(r, 17), k1 = 3 + 2 * rnd(r, 2);
	uint8_t frac[4] = { 6 + rnd(r, 4), 6 + rnd(r, 4), 6 + rnd(r, 4), 8 };
	struct conv_shape s = {
		.in_ch = rnd(r, 2) ? 3 : 1, .out_ch = 4 + rnd(r, 9),
		.win = { h, w, k1, k1, 1, 1, k1 / 2, k1 / 2 },
		.density = 20 + rnd(r, 50), .cb_range = 384,
		.in_frac = 8, .out_frac = frac[0],
	};
	int ret, i;

	memset(n, 0, sizeof(*n));
	n->batch = 1 + rnd(r, 3);
	ret = make_conv_layer(r, lim, &s, &n->conv[0]);
	if (ret)
		return ret;
	cnn_pool_after(r, &n->conv[0], &n->pool[0]);

	s.in_ch = n->pool[0].channels;
	s.out_ch = 8 + rnd(r, 13);
	s.win = (struct dp_window){ dp_window_out_h(&n->pool[0].win),
				    dp_window_out_w(&n->pool[0].win),
				    3, 3, 1, 1, rnd(r, 2), 0 };
	s.win.pad_w = s.win.pad_h;
	s.in_frac = frac[0];
	s.out_frac = frac[1];
	ret = make_conv_layer(r, lim, &s, &n->conv[1]);
	if (ret)
		return ret;
	cnn_pool_after(r, &n->conv[1], &n->pool[1]);

	for (i = 0; i < 2; i++) {
		s.in_ch = i ? n->fc[0].c.filters.rows :
			  n->pool[1].channels *
			  dp_window_out_h(&n->pool[1].win) *
			  dp_window_out_w(&n->pool[1].win);
		s.out_ch = i ? 10 : 16 + rnd(r, 49);
		s.win = (struct dp_window){ 1, 1, 1, 1, 1, 1, 0, 0 };
		s.in_frac = frac[1 + i];
		s.out_frac = frac[2 + i];
		ret = make_conv_layer(r, lim, &s, &n->fc[i]);
		if (ret)
			return ret;
	}

	n->n_in = conv_in_n(&n->conv[0]);
	n->n_act[0] = conv_out_n(&n->conv[0]);
	n->n_act[1] = conv_in_n(&n->conv[1]);
	n->n_act[2] = conv_out_n(&n->conv[1]);
	n->n_act[3] = n->fc[0].c.filters.cols;
	n->n_act[4] = n->fc[0].c.filters.rows;
	n->n_out = n->fc[1].c.filters.rows;
	n->input = random_maps(r, n->batch * n->n_in, 256);
	n->want = calloc(cnn_out_n(n), sizeof(int16_t));
	n->got = calloc(cnn_out_n(n), sizeof(int16_t));
	return n->input && n->want && n->got ? 0 : -ENOMEM;
}

/* The host's datapath on the batch, op after op, counters summed. */
static inline int cnn_host(struct cnn *n, uint32_t pes, uint32_t queue)
{
	int16_t *act[5];
	int ret = 0, i;

	for (i = 0; i < 5; i++)
		act[i] = calloc(n->batch * n->n_act[i], sizeof(int16_t));
	for (i = 0; i < 5; i++)
		if (!act[i])
			ret = -ENOMEM;
	if (!ret)
		ret = host_conv(&n->conv[0], queue, n->batch, n->input, act[0],
				&n->st, &n->cy, NULL);
	if (!ret)
		ret = dp_pool_run(&n->pool[0], n->batch, act[0], act[1], NULL);
	if (!ret)
		ret = host_conv(&n->conv[1], queue, n->batch, act[1], act[2],
				&n->st, &n->cy, NULL);
	if (!ret)
		ret = dp_pool_run(&n->pool[1], n->batch, act[2], act[3], NULL);
	for (i = 0; !ret && i < 2; i++) {
		const struct eie_layer *l = &n->fc[i].c.filters;
		void *ws = malloc(eie_run_ws_size(l) +
				  eie_cycles_ws_size(pes, queue));

		if (!ws) {
			ret = -ENOMEM;
			break;
		}
		eie_run(l, n->batch, act[3 + i], i ? n->want : act[4], ws,
			&n->st);
		ret = eie_model_cycles(l, queue, n->batch, act[3 + i], ws,
				       &n->cy, NULL);
		free(ws);
	}
	for (i = 0; i < 2; i++)
		dp_pool_model_cycles(&n->pool[i], pes, n->batch, &n->cy, NULL);
	for (i = 0; i < 5; i++)
		free(act[i]);
	return ret;
}

/* The six ops as one job; the scores into n->got. 0 or -errno. */
static inline int cnn_on_device(int fd, struct cnn *n,
				struct drm_dcaccel_wait_job *w)
{
	struct dc_bo data = { 0 }, act[5] = { { 0 } }, out = { 0 }, cmd = { 0 };
	struct bo_pack pk = { .bo = &data };
	struct dcaccel_op_conv conv[2];
	struct dcaccel_op_pool pool[2];
	struct dcaccel_op_fc fc[2];
	uint32_t handles[7], len = 0;
	uint64_t input_va, job;
	size_t bytes = align64(2 * n->batch * n->n_in) + 64;
	int ret, i;

	for (i = 0; i < 2; i++)
		bytes += filters_bytes(&n->conv[i].c.filters) +
			 filters_bytes(&n->fc[i].c.filters);
	ret = dc_bo_create(fd, bytes, DRM_DCACCEL_BO_DEVICE_READ_ONLY, &data);
	for (i = 0; !ret && i < 5; i++)
		ret = dc_bo_create(fd, 2 * n->batch * n->n_act[i], 0, &act[i]);
	if (!ret)
		ret = dc_bo_create(fd, 2 * cnn_out_n(n), 0, &out);
	if (!ret)
		ret = dc_bo_create(fd, 4096, DRM_DCACCEL_BO_DEVICE_READ_ONLY,
				   &cmd);
	if (ret)
		goto out;

	for (i = 0; i < 2 && !ret; i++) {
		conv_op_from(&n->conv[i].c, n->batch, &conv[i]);
		ret = bo_put_filters(&pk, &n->conv[i].c.filters,
				     &conv[i].codebook_va, &conv[i].colptr_va,
				     &conv[i].entries_va, &conv[i].bias_va);
		pool_op_from(&n->pool[i], n->batch, &pool[i]);
		fc_op_from_layer(&n->fc[i].c.filters, n->batch, &fc[i]);
		if (!ret)
			ret = bo_put_filters(&pk, &n->fc[i].c.filters,
					     &fc[i].codebook_va, &fc[i].colptr_va,
					     &fc[i].entries_va, &fc[i].bias_va);
	}
	input_va = bo_put(&pk, n->input, 2 * n->batch * n->n_in);
	if (ret || !input_va) {
		ret = ret ? ret : -ENOSPC;
		goto out;
	}
	/* each op's output is the next one's input */
	conv[0].input_va = input_va;
	conv[0].output_va = pool[0].input_va = act[0].va;
	pool[0].output_va = conv[1].input_va = act[1].va;
	conv[1].output_va = pool[1].input_va = act[2].va;
	pool[1].output_va = fc[0].input_va = act[3].va;
	fc[0].output_va = fc[1].input_va = act[4].va;
	fc[1].output_va = out.va;
	for (i = 0; i < 2; i++) {
		memcpy((char *)cmd.map + len, &conv[i], sizeof(conv[i]));
		len += sizeof(conv[i]);
		memcpy((char *)cmd.map + len, &pool[i], sizeof(pool[i]));
		len += sizeof(pool[i]);
	}
	for (i = 0; i < 2; i++) {
		memcpy((char *)cmd.map + len, &fc[i], sizeof(fc[i]));
		len += sizeof(fc[i]);
	}
	memset(out.map, 0x5a, 2 * cnn_out_n(n));

	handles[0] = data.handle;
	for (i = 0; i < 5; i++)
		handles[1 + i] = act[i].handle;
	handles[6] = out.handle;
	ret = dc_submit(fd, &cmd, 0, len, handles, 7, NULL, 0, 0, &job);
	if (!ret)
		ret = dc_wait_job(fd, job, 60 * DC_SEC, w);
	if (!ret)
		memcpy(n->got, out.map, 2 * cnn_out_n(n));
out:
	dc_bo_destroy(fd, &data);
	for (i = 0; i < 5; i++)
		dc_bo_destroy(fd, &act[i]);
	dc_bo_destroy(fd, &out);
	dc_bo_destroy(fd, &cmd);
	return ret;
}

static inline void cnn_free(struct cnn *n)
{
	int i;

	for (i = 0; i < 2; i++) {
		free_conv_layer(&n->conv[i]);
		free_conv_layer(&n->fc[i]);
	}
	free(n->input);
	free(n->want);
	free(n->got);
}

#endif /* DCACCEL_SELFTEST_CNN_H */
