// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: what a reset does to the jobs on the ring. A job the
 * device had started is failed (JOB_CANCELED), never run again from its
 * first op, since its earlier ops may have overwritten its own inputs;
 * jobs it had not started run after the reset; fences signal in the order
 * their jobs were submitted; and many resets in a row leave every other
 * context's results intact.
 */
#include <signal.h>
#include <sys/time.h>

#include "dcaccel_layer.h"
#include "kselftest_harness.h"

static void on_alarm(int sig)
{
	(void)sig;
}

/* Wait (polling, up to 10 s) until the device has started a job. */
static int wait_busy(int fd)
{
	char path[160], line[256];
	int i, busy = 0;

	if (dc_debugfs_path(fd, "ring", path, sizeof(path)))
		return 0;
	for (i = 0; i < 1000 && !busy; i++) {
		FILE *f = fopen(path, "r");
		unsigned int status;

		if (!f)
			return 0;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "size %*u tail %*u head %*u status 0x%x",
				   &status) == 1)
				busy = !!(status & DCACCEL_STATUS_BUSY);
		fclose(f);
		if (!busy)
			usleep(10000);
	}
	return busy;
}

FIXTURE(dev) {
	int fd;
	struct dc_bo cmd;
};

FIXTURE_SETUP(dev)
{
	self->fd = dc_open();
	if (self->fd < 0)
		SKIP(return, "no dcaccel device");
	if (!dc_has_fault_injection(self->fd))
		SKIP(return, "needs -device dcaccel,fault-injection=on");
	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &self->cmd));
	dc_put_debug(&self->cmd, 0, DCACCEL_DEBUG_HANG, 0);
	dc_put_nop(&self->cmd, 64);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * A reset with no guilty job (debugfs) while a job runs: that job fails
 * as canceled instead of starting over (it would hang again here, and end
 * in a timeout), and the jobs behind it run.
 */
TEST_F_TIMEOUT(dev, reset_cancels_started_job_and_runs_the_rest, 120)
{
	struct drm_dcaccel_wait_job w;
	uint64_t hang, next[4];
	int i, fd2 = dc_open();
	struct dc_bo cmd2;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, dc_bo_create(fd2, 4096, 0, &cmd2));
	dc_put_nop(&cmd2, 0);
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, DCACCEL_OP_DEBUG_SIZE,
			       NULL, 0, NULL, 0, 0, &hang));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, dc_submit(fd2, &cmd2, 0, 8, NULL, 0, NULL, 0, 0,
				       &next[i]));
	ASSERT_TRUE(wait_busy(self->fd));
	ASSERT_EQ(0, dc_debugfs_reset(self->fd));

	ASSERT_EQ(0, dc_wait_job(self->fd, hang, 20 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_CANCELED, w.status);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, dc_wait_job(fd2, next[i], 20 * DC_SEC, &w));
		EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
	}
	close(fd2);
}

/*
 * Fences of one file signal in submission order, across a reset that
 * fails one of its jobs: whenever job i has ended, every job before it
 * has too.
 */
TEST_F_TIMEOUT(dev, fences_signal_in_submission_order, 120)
{
	enum { JOBS = 24, HANG_AT = 8 };
	struct drm_dcaccel_wait_job w;
	uint64_t job[JOBS];
	int i, j, done, rounds = 0;

	for (i = 0; i < JOBS; i++)
		ASSERT_EQ(0, dc_submit(self->fd, &self->cmd,
				       i == HANG_AT ? 0 : 64,
				       i == HANG_AT ? DCACCEL_OP_DEBUG_SIZE : 8,
				       NULL, 0, NULL, 0, 0, &job[i]));
	do {
		done = 0;
		for (i = JOBS - 1; i >= 0; i--) {
			if (dc_wait_job(self->fd, job[i], 0, &w))
				continue;
			done = i + 1;
			for (j = 0; j < i; j++)
				ASSERT_EQ(0, dc_wait_job(self->fd, job[j], 0,
							 &w));
			break;
		}
		usleep(1000);
	} while (done < JOBS && ++rounds < 20000);
	ASSERT_EQ(JOBS, done);
	ASSERT_EQ(0, dc_wait_job(self->fd, job[HANG_AT], 0, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_TIMEOUT, w.status);
	ASSERT_EQ(0, dc_wait_job(self->fd, job[JOBS - 1], 0, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
}

/*
 * Resets in a row, each with another file's jobs behind the hung one:
 * every one of those completes, every hang is canceled.
 */
TEST_F_TIMEOUT(dev, many_resets_in_a_row, 200)
{
	enum { ROUNDS = 100 };
	struct drm_dcaccel_wait_job w;
	int r, fd2 = dc_open(), ok = 0, canceled = 0;
	struct dc_bo cmd2;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, dc_bo_create(fd2, 4096, 0, &cmd2));
	dc_put_nop(&cmd2, 0);
	for (r = 0; r < ROUNDS; r++) {
		uint64_t hang, other;

		ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0,
				       DCACCEL_OP_DEBUG_SIZE, NULL, 0, NULL, 0,
				       0, &hang));
		ASSERT_EQ(0, dc_submit(fd2, &cmd2, 0, 8, NULL, 0, NULL, 0, 0,
				       &other));
		ASSERT_TRUE(wait_busy(self->fd));
		ASSERT_EQ(0, dc_debugfs_reset(self->fd));
		ASSERT_EQ(0, dc_wait_job(self->fd, hang, 20 * DC_SEC, &w));
		if (w.status != DRM_DCACCEL_JOB_CANCELED)
			TH_LOG("round %d: the hung job ended %u, not canceled",
			       r, w.status);
		canceled += w.status == DRM_DCACCEL_JOB_CANCELED;
		ASSERT_EQ(0, dc_wait_job(fd2, other, 20 * DC_SEC, &w));
		if (w.status != DRM_DCACCEL_JOB_OK)
			TH_LOG("round %d: the other file's job ended %u, not ok",
			       r, w.status);
		ok += w.status == DRM_DCACCEL_JOB_OK;
	}
	EXPECT_EQ(ROUNDS, canceled);
	EXPECT_EQ(ROUNDS, ok);
	close(fd2);
}

/*
 * A wait that signals keep interrupting (SA_RESTART, every 20 ms) still
 * ends after its relative timeout: each restart continues with what is
 * left, instead of starting the whole timeout again.
 */
TEST_F_TIMEOUT(dev, interrupted_wait_keeps_its_deadline, 120)
{
	struct itimerval it = {
		.it_interval = { .tv_usec = 20000 },
		.it_value = { .tv_usec = 20000 },
	};
	struct itimerval off = { 0 };
	struct sigaction sa = { .sa_handler = on_alarm,
				.sa_flags = SA_RESTART };
	struct drm_dcaccel_bo_wait bw = { 0 };
	struct drm_dcaccel_wait_job w;
	uint64_t hang;

	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, DCACCEL_OP_DEBUG_SIZE,
			       NULL, 0, NULL, 0, 0, &hang));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	/* the hang lasts the driver's job timeout, 2 s by default */
	EXPECT_EQ(-ETIME, dc_wait_job(self->fd, hang, DC_SEC / 4, &w));
	bw.handle = self->cmd.handle;
	bw.timeout_ns = DC_SEC / 4;
	EXPECT_EQ(-ETIME, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_WAIT, &bw));
	setitimer(ITIMER_REAL, &off, NULL);
	ASSERT_EQ(0, dc_wait_job(self->fd, hang, 20 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_TIMEOUT, w.status);
}

/*
 * A hundred injected hangs in a row, each ended by its timeout (250 ms
 * here: the random layer behind it must not time out on its own on a
 * loaded host, which 20 and 100 ms allowed), each with an FC layer of
 * another file queued behind it: every hang fails alone, every layer
 * comes out bit-exact.
 */
TEST_F_TIMEOUT(dev, hundred_hangs_each_recovered_others_exact, 200)
{
	enum { ROUNDS = 100 };
	struct drm_dcaccel_wait_job w;
	int r, timeouts = 0, exact = 0, fd2;
	struct rng rg = { .s = 4242 };
	uint32_t pes, queue, wbits, zbits;

	munmap(self->cmd.map, self->cmd.size);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, dc_reload("job_timeout_ms=250"));
	self->fd = dc_open();
	fd2 = dc_open();
	ASSERT_LE(0, self->fd);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &self->cmd));
	dc_put_debug(&self->cmd, 0, DCACCEL_DEBUG_HANG, 0);
	pes = dc_param(fd2, DRM_DCACCEL_PARAM_NUM_PES);
	queue = dc_param(fd2, DRM_DCACCEL_PARAM_QUEUE_DEPTH);
	wbits = dc_param(fd2, DRM_DCACCEL_PARAM_MAX_WBITS);
	zbits = dc_param(fd2, DRM_DCACCEL_PARAM_MAX_ZBITS);
	for (r = 0; r < ROUNDS; r++) {
		struct layer_job j;
		struct dev_layer d;
		uint32_t st = ~0u;
		uint64_t hang;
		int bad;

		ASSERT_EQ(0, make_layer(&rg, pes, queue, wbits, zbits, &j));
		ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0,
				       DCACCEL_OP_DEBUG_SIZE, NULL, 0, NULL, 0,
				       0, &hang));
		ASSERT_EQ(0, layer_submit(fd2, &j, &d));
		ASSERT_EQ(0, dc_wait_job(self->fd, hang, 20 * DC_SEC, &w));
		timeouts += w.status == DRM_DCACCEL_JOB_TIMEOUT;
		bad = layer_check(fd2, &j, &d, &st, &w);
		if (bad || st != DRM_DCACCEL_JOB_OK)
			TH_LOG("round %d: layer %ux%u batch %u: status %u, %d wrong outputs",
			       r, j.l.rows, j.l.cols, j.batch, st, bad);
		else
			exact++;
		free_layer(&j);
	}
	EXPECT_EQ(ROUNDS, timeouts);
	EXPECT_EQ(ROUNDS, exact);
	close(fd2);
	munmap(self->cmd.map, self->cmd.size);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, dc_reload(""));
}

TEST_HARNESS_MAIN
