// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: sparse FC layers of random shapes, formats and
 * densities, a batch of inputs per job, computed on the device and by the
 * host's EIE engine (qemu-device/eie, the same C the device runs): the
 * outputs must be bit-exact and the counters equal. Then the same from
 * several processes at once.
 */
#include <sys/wait.h>

#include "dcaccel_util.h"
#include "eie_encode.h"
#include "fc_op.h"
#include "kselftest_harness.h"

struct rng {
	uint64_t s;
};

static uint32_t rnd(struct rng *r, uint32_t n)	/* 0 .. n-1 */
{
	r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(r->s >> 33) % n;
}

struct layer_job {
	struct eie_layer l;
	struct eie_streams st;
	uint32_t batch;
	int16_t *codebook, *input, *want;
	int32_t *bias;
	struct eie_stats stats;
	struct eie_cycles cycles;
};

static uint64_t align64(uint64_t v)
{
	return (v + 63) & ~63ull;
}

/* A random layer and batch, and what the host engine makes of it. */
static int make_layer(struct rng *r, uint32_t pes, uint32_t queue_depth,
		      uint32_t max_wbits, uint32_t max_zbits,
		      struct layer_job *j)
{
	uint32_t rows = 1 + rnd(r, 300), cols = 1 + rnd(r, 300);
	uint8_t wbits = 1 + rnd(r, max_wbits < 8 ? max_wbits : 8);
	uint8_t zbits = 1 + rnd(r, max_zbits < 8 ? max_zbits : 8);
	uint32_t density = 1 + rnd(r, 60), i, cb_len;
	struct eie_error err;
	uint8_t *widx;
	void *ws;

	memset(j, 0, sizeof(*j));
	j->batch = 1 + rnd(r, 8);
	cb_len = 1 + rnd(r, 1u << wbits);
	widx = calloc((size_t)rows * cols, 1);
	j->codebook = calloc(cb_len, sizeof(int16_t));
	j->input = calloc((size_t)j->batch * cols, sizeof(int16_t));
	j->want = calloc((size_t)j->batch * rows, sizeof(int16_t));
	j->bias = calloc(rows, sizeof(int32_t));
	if (!widx || !j->codebook || !j->input || !j->want || !j->bias)
		return -ENOMEM;
	for (i = 1; i < cb_len; i++)
		j->codebook[i] = (int16_t)(rnd(r, 4096) - 2048);
	for (i = 0; i < rows * cols; i++)
		if (cb_len > 1 && rnd(r, 100) < density)
			widx[i] = 1 + rnd(r, cb_len - 1);
	for (i = 0; i < j->batch * cols; i++)
		j->input[i] = rnd(r, 2) ? (int16_t)(rnd(r, 8192) - 4096) : 0;
	for (i = 0; i < rows; i++)
		j->bias[i] = (int32_t)rnd(r, 1 << 20) - (1 << 19);

	if (eie_encode(widx, rows, cols, pes, wbits, zbits, &j->st, &err))
		return -EINVAL;
	free(widx);
	eie_streams_to_layer(&j->st, &j->l);
	j->l.in_frac = 8;
	j->l.w_frac = 8;
	j->l.out_frac = rnd(r, 12);
	j->l.relu = rnd(r, 2);
	j->l.codebook_len = cb_len;
	j->l.codebook = j->codebook;
	j->l.bias = rnd(r, 2) ? j->bias : NULL;
	if (eie_validate(&j->l, &err))
		return -EINVAL;

	ws = malloc(eie_run_ws_size(&j->l) + 1);
	eie_run(&j->l, j->batch, j->input, j->want, ws, &j->stats);
	free(ws);
	ws = malloc(eie_cycles_ws_size(pes, queue_depth) + 1);
	if (eie_model_cycles(&j->l, queue_depth, j->batch, j->input, ws,
			     &j->cycles, NULL))
		return -EINVAL;
	free(ws);
	return 0;
}

static void free_layer(struct layer_job *j)
{
	eie_streams_free(&j->st);
	free(j->codebook);
	free(j->input);
	free(j->want);
	free(j->bias);
}

/* A layer placed in BOs of one file, and its job once submitted. */
struct dev_layer {
	struct dc_bo data, out, cmd;
	size_t out_bytes;
	uint64_t job;
};

/* Place j's arrays in a read-only BO, its output in another; submit. */
static int layer_submit(int fd, const struct layer_job *j,
			struct dev_layer *d)
{
	const struct eie_layer *l = &j->l;
	size_t cb = 2 * l->codebook_len, cp = 4 * (size_t)l->pes * (l->cols + 1);
	size_t en = (size_t)l->entry_count *
		    DCACCEL_EIE_ENTRY_BYTES(l->wbits, l->zbits);
	size_t bi = 4 * (size_t)l->rows, in = 2 * (size_t)j->batch * l->cols;
	uint64_t o_cb = 0, o_cp = align64(o_cb + cb), o_en = align64(o_cp + cp);
	uint64_t o_bi = align64(o_en + en), o_in = align64(o_bi + bi);
	struct dcaccel_op_fc op;
	uint32_t handles[2];
	int ret;

	memset(d, 0, sizeof(*d));
	d->out_bytes = 2 * (size_t)j->batch * l->rows;
	ret = dc_bo_create(fd, o_in + in, DRM_DCACCEL_BO_DEVICE_READ_ONLY,
			   &d->data);
	if (!ret)
		ret = dc_bo_create(fd, d->out_bytes, 0, &d->out);
	if (!ret)
		ret = dc_bo_create(fd, 4096, DRM_DCACCEL_BO_DEVICE_READ_ONLY,
				   &d->cmd);
	if (ret)
		return ret;
	memcpy((char *)d->data.map + o_cb, l->codebook, cb);
	memcpy((char *)d->data.map + o_cp, l->colptr, cp);
	memcpy((char *)d->data.map + o_en, l->entries, en);
	memcpy((char *)d->data.map + o_bi, j->bias, bi);
	memcpy((char *)d->data.map + o_in, j->input, in);
	memset(d->out.map, 0x5a, d->out_bytes);

	fc_op_from_layer(l, j->batch, &op);
	op.codebook_va = d->data.va + o_cb;
	op.colptr_va = d->data.va + o_cp;
	op.entries_va = d->data.va + o_en;
	op.bias_va = l->bias ? d->data.va + o_bi : 0;
	op.input_va = d->data.va + o_in;
	op.output_va = d->out.va;
	memcpy(d->cmd.map, &op, sizeof(op));

	handles[0] = d->data.handle;
	handles[1] = d->out.handle;
	return dc_submit(fd, &d->cmd, 0, sizeof(op), handles, 2, NULL, 0, 0,
			 &d->job);
}

/*
 * Wait for the job and compare its outputs with the host's: the number of
 * mismatches, or -errno when the job could not be waited for. Frees d.
 */
static int layer_check(int fd, const struct layer_job *j, struct dev_layer *d,
		       uint32_t *status, struct drm_dcaccel_wait_job *w)
{
	int ret = dc_wait_job(fd, d->job, 30 * DC_SEC, w), bad = 0;
	size_t i;

	if (!ret) {
		*status = w->status;
		for (i = 0; i < d->out_bytes / 2; i++)
			bad += ((int16_t *)d->out.map)[i] != j->want[i];
	}
	dc_bo_destroy(fd, &d->data);
	dc_bo_destroy(fd, &d->out);
	dc_bo_destroy(fd, &d->cmd);
	return ret ? ret : bad;
}

static int run_on_device(int fd, struct layer_job *j, uint32_t *status,
			 struct drm_dcaccel_wait_job *w)
{
	struct dev_layer d;
	int ret = layer_submit(fd, j, &d);

	if (ret)
		return ret;
	return layer_check(fd, j, &d, status, w);
}

FIXTURE(dev) {
	int fd;
	uint32_t pes, queue, wbits, zbits;
};

FIXTURE_SETUP(dev)
{
	self->fd = dc_open();
	if (self->fd < 0)
		SKIP(return, "no dcaccel device");
	self->pes = dc_param(self->fd, DRM_DCACCEL_PARAM_NUM_PES);
	self->queue = dc_param(self->fd, DRM_DCACCEL_PARAM_QUEUE_DEPTH);
	self->wbits = dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_WBITS);
	self->zbits = dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_ZBITS);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, random_layers_bit_exact)
{
	struct rng r = { .s = 0x5eed };
	struct drm_dcaccel_wait_job w;
	int i;

	for (i = 0; i < 25; i++) {
		struct layer_job j;
		uint32_t status = ~0u;

		ASSERT_EQ(0, make_layer(&r, self->pes, self->queue,
					self->wbits, self->zbits, &j));
		TH_LOG("layer %d: %ux%u, %u entries, batch %u, wbits %u zbits %u",
		       i, j.l.rows, j.l.cols, j.l.entry_count, j.batch,
		       j.l.wbits, j.l.zbits);
		ASSERT_EQ(0, run_on_device(self->fd, &j, &status, &w));
		ASSERT_EQ(DRM_DCACCEL_JOB_OK, status);
		EXPECT_EQ(j.stats.entries, w.stats.entries);
		EXPECT_EQ(j.stats.macs, w.stats.macs);
		EXPECT_EQ(j.stats.nonzero_acts, w.stats.nonzero_acts);
		EXPECT_EQ(j.cycles.cycles, w.stats.cycles);
		EXPECT_EQ(j.cycles.busy, w.stats.pe_busy_total);
		free_layer(&j);
	}
}

TEST_F(dev, processes_at_once_all_correct)
{
	enum { PROCS = 4, LAYERS = 8 };
	int p, status, failed = 0;

	for (p = 0; p < PROCS; p++) {
		if (fork() == 0) {
			struct rng r = { .s = 1000 + p };
			struct drm_dcaccel_wait_job w;
			int fd = dc_open(), i, bad = 0;

			if (fd < 0)
				_exit(1);
			for (i = 0; i < LAYERS; i++) {
				struct layer_job j;
				uint32_t st = ~0u;

				if (make_layer(&r, self->pes, self->queue,
					       self->wbits, self->zbits, &j))
					_exit(2);
				if (run_on_device(fd, &j, &st, &w) ||
				    st != DRM_DCACCEL_JOB_OK)
					bad++;
				free_layer(&j);
			}
			_exit(bad ? 3 : 0);
		}
	}
	for (p = 0; p < PROCS; p++) {
		ASSERT_LT(0, wait(&status));
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	EXPECT_EQ(0, failed);
}

/*
 * Needs fault injection: a hang on the ring of one file with layers of
 * another behind it. The reset replays those layers; they come out exact.
 */
TEST_F(dev, layers_replayed_after_reset_are_exact)
{
	enum { LAYERS = 6 };
	struct rng r = { .s = 77 };
	struct layer_job j[LAYERS];
	struct dev_layer d[LAYERS];
	struct drm_dcaccel_wait_job w;
	struct dc_bo hang;
	uint64_t hang_job;
	int i, fd2 = dc_open();

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, dc_bo_create(fd2, 4096, 0, &hang));
	dc_put_debug(&hang, 0, DCACCEL_DEBUG_HANG, 0);
	for (i = 0; i < LAYERS; i++)
		ASSERT_EQ(0, make_layer(&r, self->pes, self->queue,
					self->wbits, self->zbits, &j[i]));
	ASSERT_EQ(0, dc_submit(fd2, &hang, 0, DCACCEL_OP_DEBUG_SIZE, NULL, 0,
			       NULL, 0, 0, &hang_job));
	for (i = 0; i < LAYERS; i++)
		ASSERT_EQ(0, layer_submit(self->fd, &j[i], &d[i]));
	ASSERT_EQ(0, dc_wait_job(fd2, hang_job, 30 * DC_SEC, &w));
	if (w.status == DRM_DCACCEL_JOB_BAD_COMMAND)
		TH_LOG("no fault injection: the layers just run");
	else
		EXPECT_EQ(DRM_DCACCEL_JOB_TIMEOUT, w.status);
	for (i = 0; i < LAYERS; i++) {
		uint32_t status = ~0u;

		EXPECT_EQ(0, layer_check(self->fd, &j[i], &d[i], &status, &w));
		EXPECT_EQ(DRM_DCACCEL_JOB_OK, status);
		free_layer(&j[i]);
	}
	close(fd2);
}

TEST_HARNESS_MAIN
