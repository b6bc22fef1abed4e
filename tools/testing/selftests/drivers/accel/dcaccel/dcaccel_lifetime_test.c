// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: buffer lifetime under the isolation contract. The
 * device can reach every buffer of its context, not only those a SUBMIT
 * lists, so a buffer closed (or a file closed) while a job of its context
 * is queued or running must stay mapped, with its pages, until that job is
 * gone. A hung job (fault injection) holds the ring while the test closes
 * things behind it; the job queued after it then must find every buffer.
 */
#include <signal.h>
#include <sys/wait.h>

#include "dcaccel_util.h"
#include "kselftest_harness.h"

FIXTURE(dev) {
	int fd;
	int fi;		/* fault injection */
};

FIXTURE_SETUP(dev)
{
	self->fd = dc_open();
	if (self->fd < 0)
		SKIP(return, "no dcaccel device");
	self->fi = dc_has_fault_injection(self->fd);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* A job that holds the ring until the driver's timeout resets it. */
static uint64_t submit_hang(int fd, struct dc_bo *cmd)
{
	uint64_t job = 0;

	if (dc_bo_create(fd, 4096, 0, cmd))
		return 0;
	dc_put_debug(cmd, 0, DCACCEL_DEBUG_HANG, 0);
	if (dc_submit(fd, cmd, 0, DCACCEL_OP_DEBUG_SIZE, NULL, 0, NULL, 0, 0,
		      &job))
		return 0;
	return job;
}

/* Two device reads of x (first and last page), listing only the cmd BO. */
static int submit_reads(int fd, struct dc_bo *cmd, const struct dc_bo *x,
			uint64_t *job)
{
	uint32_t n = dc_put_debug(cmd, 0, DCACCEL_DEBUG_FAULT, x->va);

	n += dc_put_debug(cmd, n, DCACCEL_DEBUG_FAULT,
			  x->va + x->size - 1);
	return dc_submit(fd, cmd, 0, n, NULL, 0, NULL, 0, 0, job);
}

/*
 * Defect 1 of issue 10: GEM_CLOSE of a BO that a queued job reaches but
 * does not list unmapped it at once; the job then faulted, or (when the
 * device had cached the translation) wrote to the freed pages.
 */
TEST_F_TIMEOUT(dev, closed_unlisted_bo_stays_mapped_for_queued_job, 120)
{
	struct drm_dcaccel_wait_job w;
	struct dc_bo hang, cmd, x;
	uint64_t hang_job, job;

	if (!self->fi)
		SKIP(return, "needs -device dcaccel,fault-injection=on");
	ASSERT_EQ(0, dc_bo_create(self->fd, 3 * 4096, 0, &x));
	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &cmd));
	hang_job = submit_hang(self->fd, &hang);
	ASSERT_NE(0, hang_job);
	ASSERT_EQ(0, submit_reads(self->fd, &cmd, &x, &job));
	/* the job is queued behind the hang; x goes away under it */
	dc_bo_destroy(self->fd, &x);

	ASSERT_EQ(0, dc_wait_job(self->fd, hang_job, 30 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_TIMEOUT, w.status);
	ASSERT_EQ(0, dc_wait_job(self->fd, job, 30 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
	EXPECT_EQ(0, w.stats.fault_va);
	/* and once the job has gone, the VA is unmapped */
	ASSERT_EQ(0, submit_reads(self->fd, &cmd, &x, &job));
	ASSERT_EQ(0, dc_wait_job(self->fd, job, 30 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_MMU_FAULT, w.status);
}

/*
 * The same when the whole file goes: its handles are dropped before its
 * jobs end. The job on the ring behind the hang still runs after the
 * reset, and must not fault: its buffers are still there.
 */
TEST_F_TIMEOUT(dev, closed_file_keeps_buffers_of_job_on_ring, 120)
{
	struct drm_dcaccel_wait_job w;
	struct dc_bo hang, cmd, x;
	long long faults, timeouts;
	uint64_t hang_job, job;
	int fd2 = dc_open();

	if (!self->fi)
		SKIP(return, "needs -device dcaccel,fault-injection=on");
	ASSERT_LE(0, fd2);
	faults = dc_counter(self->fd, "faults");
	timeouts = dc_counter(self->fd, "timeouts");
	ASSERT_LE(0, faults);
	/* the hang in this file; the reads in fd2 behind it on the ring */
	hang_job = submit_hang(self->fd, &hang);
	ASSERT_NE(0, hang_job);
	ASSERT_EQ(0, dc_bo_create(fd2, 3 * 4096, 0, &x));
	ASSERT_EQ(0, dc_bo_create(fd2, 4096, 0, &cmd));
	ASSERT_EQ(0, submit_reads(fd2, &cmd, &x, &job));
	munmap(x.map, x.size);
	munmap(cmd.map, cmd.size);
	close(fd2);

	ASSERT_EQ(0, dc_wait_job(self->fd, hang_job, 30 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_TIMEOUT, w.status);
	/* a job queued now completes after fd2's, which ran after the reset */
	EXPECT_EQ(0, dc_device_works());
	EXPECT_EQ(faults, dc_counter(self->fd, "faults"));
	EXPECT_EQ(timeouts + 1, dc_counter(self->fd, "timeouts"));
}

/*
 * Closing a file never waits for its jobs on the device: the close
 * returns while the file's hung job is still on the ring (the timeout
 * counter has not moved), and the hang still ends in a reset later.
 */
TEST_F_TIMEOUT(dev, close_does_not_wait_for_hung_job, 120)
{
	struct dc_bo hang;
	long long timeouts = dc_counter(self->fd, "timeouts");
	int fd2 = dc_open(), i;

	if (!self->fi)
		SKIP(return, "needs -device dcaccel,fault-injection=on");
	ASSERT_LE(0, fd2);
	ASSERT_NE(0, submit_hang(fd2, &hang));
	munmap(hang.map, hang.size);
	close(fd2);
	EXPECT_EQ(timeouts, dc_counter(self->fd, "timeouts"));
	for (i = 0; i < 1000 && dc_counter(self->fd, "timeouts") == timeouts;
	     i++)
		usleep(10000);
	EXPECT_EQ(timeouts + 1, dc_counter(self->fd, "timeouts"));
	EXPECT_EQ(0, dc_device_works());
}

/*
 * Defect 3: queued plus running jobs per file are capped (EBUSY), and a
 * process killed with a full queue behind a hang exits at once.
 */
TEST_F_TIMEOUT(dev, jobs_per_file_capped_and_kill_is_prompt, 120)
{
	uint64_t max = dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_JOBS);
	long long timeouts = dc_counter(self->fd, "timeouts");
	int pipefd[2], status, i;
	pid_t pid;
	char c;

	if (!self->fi)
		SKIP(return, "needs -device dcaccel,fault-injection=on");
	ASSERT_LT(0, max);
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct dc_bo hang, cmd;
		uint64_t n = 1;
		int fd = dc_open();

		if (fd < 0 || !submit_hang(fd, &hang) ||
		    dc_bo_create(fd, 4096, 0, &cmd))
			_exit(1);
		dc_put_nop(&cmd, 0);
		while (!dc_submit(fd, &cmd, 0, 8, &hang.handle, 1, NULL, 0, 0,
				  NULL))
			n++;
		c = n == max ? 'y' : 'n';
		if (write(pipefd[1], &c, 1) != 1)
			_exit(2);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	EXPECT_EQ('y', c);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* exited before the hang's timeout: nothing waited for the ring */
	EXPECT_EQ(timeouts, dc_counter(self->fd, "timeouts"));
	close(pipefd[0]);
	/* leave the device as found: the hang ends in its reset */
	for (i = 0; i < 1000 && dc_counter(self->fd, "timeouts") == timeouts;
	     i++)
		usleep(10000);
	EXPECT_EQ(timeouts + 1, dc_counter(self->fd, "timeouts"));
}

/* A job's BO array and the job itself are charged and freed: no leak. */
TEST_F_TIMEOUT(dev, capped_submit_leaves_nothing_behind, 120)
{
	struct dc_bo cmd;
	int i, busy = 0;

	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &cmd));
	dc_put_nop(&cmd, 0);
	for (i = 0; i < 2000; i++) {
		int ret = dc_submit(self->fd, &cmd, 0, 8, &cmd.handle, 1,
				    NULL, 0, 0, NULL);

		ASSERT_TRUE(ret == 0 || ret == -EBUSY);
		busy += ret == -EBUSY;
	}
	TH_LOG("%d of 2000 submits refused with EBUSY", busy);
	EXPECT_EQ(0, dc_device_works());
}

TEST_HARNESS_MAIN
