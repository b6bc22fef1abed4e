// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: sparse FC layers of random shapes, formats and
 * densities, a batch of inputs per job, computed on the device and by the
 * host's EIE engine (qemu-device/datapath, the same C the device runs): the
 * outputs must be bit-exact and the counters equal. Then the same from
 * several processes at once.
 */
#include <sys/wait.h>

#include "dcaccel_layer.h"
#include "kselftest_harness.h"

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

TEST_F_TIMEOUT(dev, random_layers_bit_exact, 300)
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

TEST_F_TIMEOUT(dev, processes_at_once_all_correct, 300)
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
TEST_F_TIMEOUT(dev, layers_replayed_after_reset_are_exact, 300)
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
