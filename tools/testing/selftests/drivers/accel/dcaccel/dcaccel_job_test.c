// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: jobs. SUBMIT's bad arguments, NOP jobs, a small FC
 * layer checked by hand, MMU faults (unmapped VA, read-only BO) that fail
 * only their job, syncobj chains, waits with timeouts, several processes
 * at once, and recovery from a hung job.
 */
#include <sys/wait.h>

#include "dcaccel_util.h"
#include "kselftest_harness.h"

FIXTURE(dev) {
	int fd;
	struct dc_bo cmd;
};

FIXTURE_SETUP(dev)
{
	self->fd = dc_open();
	if (self->fd < 0)
		SKIP(return, "no dcaccel device");
	ASSERT_EQ(0, dc_bo_create(self->fd, 65536, 0, &self->cmd));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

static int submit_args(int fd, struct drm_dcaccel_submit *s)
{
	return dc_ioctl(fd, DRM_IOCTL_DCACCEL_SUBMIT, s);
}

TEST_F(dev, submit_bad_args)
{
	uint32_t too_many[300], bad = 0x7777;
	struct drm_dcaccel_submit s;
	int i;

	dc_put_nop(&self->cmd, 0);
#define FRESH() (s = (struct drm_dcaccel_submit){ \
	.cmd_handle = self->cmd.handle, .cmd_size = 8 })
	FRESH();
	EXPECT_EQ(0, submit_args(self->fd, &s));
	FRESH(); s.flags = 2;				/* no such flag */
	EXPECT_EQ(-EINVAL, submit_args(self->fd, &s));
	FRESH(); s.flags = 0x80000000u;
	EXPECT_EQ(-EINVAL, submit_args(self->fd, &s));
	FRESH(); s.pad = 1;
	EXPECT_EQ(-EINVAL, submit_args(self->fd, &s));
	FRESH(); s.cmd_size = 0;
	EXPECT_EQ(-EINVAL, submit_args(self->fd, &s));
	FRESH(); s.cmd_size = 12;			/* not 8-aligned */
	EXPECT_EQ(-EINVAL, submit_args(self->fd, &s));
	FRESH(); s.cmd_offset = 4;			/* misaligned */
	EXPECT_EQ(-EINVAL, submit_args(self->fd, &s));
	FRESH(); s.cmd_offset = ~0ull - 7;		/* offset + size wraps */
	EXPECT_EQ(-EINVAL, submit_args(self->fd, &s));
	FRESH(); s.cmd_offset = self->cmd.size - 8; s.cmd_size = 16;
	EXPECT_EQ(-EINVAL, submit_args(self->fd, &s));	/* overruns the BO */
	FRESH(); s.cmd_size = ~0ull & ~7ull;
	EXPECT_EQ(-E2BIG, submit_args(self->fd, &s));
	FRESH(); s.cmd_handle = 0;
	EXPECT_EQ(-ENOENT, submit_args(self->fd, &s));
	FRESH(); s.cmd_handle = bad;
	EXPECT_EQ(-ENOENT, submit_args(self->fd, &s));

	for (i = 0; i < 300; i++)
		too_many[i] = self->cmd.handle;
	FRESH(); s.bo_handles = (uintptr_t)too_many; s.bo_count = 300;
	EXPECT_EQ(-E2BIG, submit_args(self->fd, &s));
	FRESH(); s.bo_handles = (uintptr_t)too_many; s.bo_count = 2;
	EXPECT_EQ(-EINVAL, submit_args(self->fd, &s));	/* listed twice */
	FRESH(); s.bo_handles = (uintptr_t)&bad; s.bo_count = 1;
	EXPECT_EQ(-ENOENT, submit_args(self->fd, &s));
	FRESH(); s.bo_handles = 8; s.bo_count = 1;
	EXPECT_EQ(-EFAULT, submit_args(self->fd, &s));
	FRESH(); s.in_syncobjs = (uintptr_t)&bad; s.in_syncobj_count = 1;
	EXPECT_EQ(-ENOENT, submit_args(self->fd, &s));
	FRESH(); s.in_syncobjs = 8; s.in_syncobj_count = 1;
	EXPECT_EQ(-EFAULT, submit_args(self->fd, &s));
	FRESH(); s.in_syncobjs = (uintptr_t)too_many; s.in_syncobj_count = 65;
	EXPECT_EQ(-E2BIG, submit_args(self->fd, &s));
	FRESH(); s.out_syncobj = bad;
	EXPECT_EQ(-ENOENT, submit_args(self->fd, &s));
#undef FRESH
}

TEST_F(dev, wait_job_bad_args)
{
	struct drm_dcaccel_wait_job w;
	uint64_t job;

	EXPECT_EQ(-EINVAL, dc_wait_job(self->fd, 0, 0, &w));
	EXPECT_EQ(-EINVAL, dc_wait_job(self->fd, 1ull << 40, 0, &w));
	dc_put_nop(&self->cmd, 0);
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, 8, NULL, 0, NULL, 0,
			       0, &job));
	memset(&w, 0, sizeof(w));
	w.job_id = job;
	w.pad = 1;
	EXPECT_EQ(-EINVAL, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_WAIT_JOB, &w));
	w.pad = 0;
	w.timeout_ns = -5;
	EXPECT_EQ(-EINVAL, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_WAIT_JOB, &w));
	EXPECT_EQ(0, dc_wait_job(self->fd, job, 5 * DC_SEC, &w));
}

TEST_F(dev, nop_jobs_complete)
{
	struct drm_dcaccel_wait_job w;
	uint64_t jobs[40];
	uint32_t len = 0;
	int i;

	for (i = 0; i < 4; i++)
		len += dc_put_nop(&self->cmd, len);
	for (i = 0; i < 40; i++)
		ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, len, NULL, 0,
				       NULL, 0, 0, &jobs[i]));
	for (i = 1; i < 40; i++)
		EXPECT_LT(jobs[i - 1], jobs[i]);
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(0, dc_wait_job(self->fd, jobs[i], 5 * DC_SEC, &w));
		EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
	}
}

TEST_F(dev, bad_command_fails_only_its_job)
{
	struct drm_dcaccel_wait_job w;
	struct dcaccel_op_header h = { .opcode = 0x7777, .size = 8 };
	uint64_t bad, good;

	memcpy(self->cmd.map, &h, sizeof(h));
	dc_put_nop(&self->cmd, 64);
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, 8, NULL, 0, NULL, 0,
			       0, &bad));
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 64, 8, NULL, 0, NULL, 0,
			       0, &good));
	ASSERT_EQ(0, dc_wait_job(self->fd, bad, 5 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_BAD_COMMAND, w.status);
	ASSERT_EQ(0, dc_wait_job(self->fd, good, 5 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
}

/*
 * A 1x2 layer, one entry per column on PE 0, fixed point with no fraction
 * bits: out = relu(3 * x0 - 2 * x1), over a batch of two vectors.
 */
struct fc_fixture {
	struct dc_bo data, out;
	uint32_t handles[3];
};

enum { CODEBOOK = 0, COLPTR = 64, ENTRIES = 2048, INPUT = 2112 };

static void fc_setup(struct __test_metadata *_metadata, int fd,
		     struct fc_fixture *f, uint32_t out_flags)
{
	uint32_t pes = dc_param(fd, DRM_DCACCEL_PARAM_NUM_PES), p;
	int16_t codebook[3] = { 0, 3, -2 }, input[4] = { 5, 7, 1, 7 };
	uint8_t entries[2] = {
		DCACCEL_EIE_ENTRY(1, 0, 4), DCACCEL_EIE_ENTRY(2, 0, 4),
	};
	char *d;

	ASSERT_LT(0, pes);
	ASSERT_EQ(0, dc_bo_create(fd, 8192, DRM_DCACCEL_BO_DEVICE_READ_ONLY,
				  &f->data));
	ASSERT_EQ(0, dc_bo_create(fd, 4096, out_flags, &f->out));
	d = f->data.map;
	memcpy(d + CODEBOOK, codebook, sizeof(codebook));
	for (p = 0; p < pes; p++) {
		/* PE 0 holds column 0's entry 0 and column 1's entry 1 */
		uint32_t cp[3] = { p ? 2 : 0, p ? 2 : 1, 2 };

		memcpy(d + COLPTR + 12 * p, cp, sizeof(cp));
	}
	memcpy(d + ENTRIES, entries, sizeof(entries));
	memcpy(d + INPUT, input, sizeof(input));
	memset(f->out.map, 0x55, 64);
}

static uint32_t fc_put(struct dc_bo *cmd, uint64_t off, struct fc_fixture *f,
		       uint32_t pes, uint64_t input_va, uint64_t output_va)
{
	struct dcaccel_op_fc op = {
		.hdr = { .opcode = DCACCEL_OP_FC, .size = DCACCEL_OP_FC_SIZE },
		.rows = 1, .cols = 2, .pes = pes, .batch = 2,
		.wbits = 4, .zbits = 4,
		.flags = DCACCEL_FC_F_RELU,
		.codebook_len = 3, .entry_count = 2,
		.codebook_va = f->data.va + CODEBOOK,
		.colptr_va = f->data.va + COLPTR,
		.entries_va = f->data.va + ENTRIES,
		.input_va = input_va,
		.output_va = output_va,
	};

	memcpy((char *)cmd->map + off, &op, sizeof(op));
	return sizeof(op);
}

TEST_F(dev, fc_layer_by_hand)
{
	uint32_t pes = dc_param(self->fd, DRM_DCACCEL_PARAM_NUM_PES);
	struct drm_dcaccel_wait_job w;
	struct fc_fixture f;
	int16_t out[2];
	uint32_t len;
	uint64_t job;

	fc_setup(_metadata, self->fd, &f, 0);
	len = fc_put(&self->cmd, 0, &f, pes, f.data.va + INPUT, f.out.va);
	f.handles[0] = f.data.handle;
	f.handles[1] = f.out.handle;
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, len, f.handles, 2,
			       NULL, 0, 0, &job));
	ASSERT_EQ(0, dc_wait_job(self->fd, job, 5 * DC_SEC, &w));
	ASSERT_EQ(DRM_DCACCEL_JOB_OK, w.status);
	memcpy(out, f.out.map, sizeof(out));
	EXPECT_EQ(1, out[0]);		/* 3 * 5 - 2 * 7 */
	EXPECT_EQ(0, out[1]);		/* relu(3 * 1 - 2 * 7) */
	/* both vectors stream both entries; all four inputs are non-zero */
	EXPECT_EQ(4, w.stats.entries);
	EXPECT_EQ(4, w.stats.macs);
	EXPECT_EQ(4, w.stats.nonzero_acts);
	EXPECT_LT(0, w.stats.cycles);
	EXPECT_LE(w.stats.pe_busy_min, w.stats.pe_busy_max);
	EXPECT_LE(w.stats.pe_busy_max, w.stats.pe_busy_total);
}

/*
 * Two jobs of one file back to back on one writable buffer, the second
 * reading what the first wrote: where DMA is bounced, each job's syncs
 * cover the whole buffer, so the second may be synced for the device
 * only once the first has ended (dcaccel_prepare_job). Here the window
 * is narrow; libaccel's guest test, many large jobs on one buffer, is
 * the one that fails at once without it. In a lane with swiotlb=force,
 * the bounce buffers really were used; in the others, the device's DMA
 * was never bounced.
 */
/* how many bounce-buffer slots were ever in use at once */
#define SWIOTLB_HIWATER "/sys/kernel/debug/swiotlb/io_tlb_used_hiwater"

TEST_F(dev, chained_jobs_on_one_buffer_see_each_other)
{
	uint32_t pes = dc_param(self->fd, DRM_DCACCEL_PARAM_NUM_PES);
	struct drm_dcaccel_wait_job w;
	struct fc_fixture f;
	uint64_t first, second;
	int16_t *out, seed[2] = { 2, 1 };
	uint32_t len;

	fc_setup(_metadata, self->fd, &f, 0);
	out = f.out.map;
	/* the second job's input: the first's two outputs, then 2, 1 */
	memcpy(out + 2, seed, sizeof(seed));
	len = fc_put(&self->cmd, 0, &f, pes, f.data.va + INPUT, f.out.va);
	fc_put(&self->cmd, len, &f, pes, f.out.va, f.out.va + 32);
	f.handles[0] = f.data.handle;
	f.handles[1] = f.out.handle;
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, len, f.handles, 2,
			       NULL, 0, 0, &first));
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, len, len, f.handles, 2,
			       NULL, 0, 0, &second));
	ASSERT_EQ(0, dc_wait_job(self->fd, first, 5 * DC_SEC, &w));
	ASSERT_EQ(DRM_DCACCEL_JOB_OK, w.status);
	ASSERT_EQ(0, dc_wait_job(self->fd, second, 5 * DC_SEC, &w));
	ASSERT_EQ(DRM_DCACCEL_JOB_OK, w.status);
	EXPECT_EQ(1, out[0]);		/* relu(3 * 5 - 2 * 7) */
	EXPECT_EQ(0, out[1]);		/* relu(3 * 1 - 2 * 7) */
	EXPECT_EQ(3, out[16]);		/* relu(3 * 1 - 2 * 0) */
	EXPECT_EQ(4, out[17]);		/* relu(3 * 2 - 2 * 1) */

	if (dc_dma_bounced()) {
		EXPECT_LT(0, dc_read_number(SWIOTLB_HIWATER));
	} else {
		EXPECT_GE(0, dc_read_number(SWIOTLB_HIWATER));
	}
}

TEST_F(dev, fault_unmapped_va_then_next_job_ok)
{
	uint32_t pes = dc_param(self->fd, DRM_DCACCEL_PARAM_NUM_PES);
	uint64_t hole = dc_param(self->fd, DRM_DCACCEL_PARAM_VA_START) - 4096;
	struct drm_dcaccel_wait_job w;
	struct fc_fixture f;
	uint64_t bad, good;
	uint32_t len;

	fc_setup(_metadata, self->fd, &f, 0);
	f.handles[0] = f.data.handle;
	f.handles[1] = f.out.handle;
	len = fc_put(&self->cmd, 0, &f, pes, hole, f.out.va);
	fc_put(&self->cmd, 512, &f, pes, f.data.va + INPUT, f.out.va);
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, len, f.handles, 2,
			       NULL, 0, 0, &bad));
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 512, len, f.handles, 2,
			       NULL, 0, 0, &good));
	ASSERT_EQ(0, dc_wait_job(self->fd, bad, 5 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_MMU_FAULT, w.status);
	EXPECT_EQ(hole, w.stats.fault_va);
	ASSERT_EQ(0, dc_wait_job(self->fd, good, 5 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
}

TEST_F(dev, fault_write_to_read_only_bo)
{
	uint32_t pes = dc_param(self->fd, DRM_DCACCEL_PARAM_NUM_PES);
	struct drm_dcaccel_wait_job w;
	struct fc_fixture f;
	uint64_t job;
	uint32_t len;

	fc_setup(_metadata, self->fd, &f, DRM_DCACCEL_BO_DEVICE_READ_ONLY);
	f.handles[0] = f.data.handle;
	f.handles[1] = f.out.handle;
	len = fc_put(&self->cmd, 0, &f, pes, f.data.va + INPUT, f.out.va);
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, len, f.handles, 2,
			       NULL, 0, 0, &job));
	ASSERT_EQ(0, dc_wait_job(self->fd, job, 5 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_MMU_FAULT, w.status);
	EXPECT_EQ(f.out.va, w.stats.fault_va);
	EXPECT_EQ(0x55, ((unsigned char *)f.out.map)[0]);	/* untouched */
}

/* Another file's VA is just a hole in this context. */
TEST_F(dev, other_context_va_faults)
{
	uint32_t pes = dc_param(self->fd, DRM_DCACCEL_PARAM_NUM_PES);
	struct drm_dcaccel_wait_job w;
	struct fc_fixture f;
	struct dc_bo theirs;
	uint64_t job;
	uint32_t len;
	int fd2 = dc_open();

	ASSERT_LE(0, fd2);
	fc_setup(_metadata, self->fd, &f, 0);
	/* fd2's first BOs land above where this context's are */
	ASSERT_EQ(0, dc_bo_create(fd2, 1 << 20, 0, &theirs));
	ASSERT_EQ(0, dc_bo_create(fd2, 4096, 0, &theirs));
	memset(theirs.map, 0x33, 64);
	f.handles[0] = f.data.handle;
	f.handles[1] = f.out.handle;
	len = fc_put(&self->cmd, 0, &f, pes, f.data.va + INPUT, theirs.va);
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, len, f.handles, 2,
			       NULL, 0, 0, &job));
	ASSERT_EQ(0, dc_wait_job(self->fd, job, 5 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_MMU_FAULT, w.status);
	EXPECT_EQ(0x33, ((unsigned char *)theirs.map)[0]);
	close(fd2);
}

TEST_F(dev, syncobj_chain)
{
	uint32_t s1 = dc_syncobj_create(self->fd);
	uint32_t s2 = dc_syncobj_create(self->fd);
	struct drm_dcaccel_wait_job w;
	uint64_t j1, j2;

	ASSERT_NE(0, s1);
	ASSERT_NE(0, s2);
	dc_put_nop(&self->cmd, 0);
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, 8, NULL, 0, NULL, 0,
			       s1, &j1));
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, 8, NULL, 0, &s1, 1,
			       s2, &j2));
	ASSERT_EQ(0, dc_syncobj_wait(self->fd, s2, 5 * DC_SEC));
	/* s2 signalled means both ran */
	ASSERT_EQ(0, dc_wait_job(self->fd, j1, 0, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
	ASSERT_EQ(0, dc_wait_job(self->fd, j2, 0, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
}

/* An input syncobj that holds no fence yet is refused, not waited on. */
TEST_F(dev, unsubmitted_syncobj_refused)
{
	uint32_t empty = dc_syncobj_create(self->fd);
	uint64_t job;

	ASSERT_NE(0, empty);
	dc_put_nop(&self->cmd, 0);
	EXPECT_EQ(-EINVAL, dc_submit(self->fd, &self->cmd, 0, 8, NULL, 0,
				     &empty, 1, 0, &job));
}

TEST_F(dev, concurrent_processes)
{
	enum { PROCS = 4, JOBS = 50 };
	int i, status, failed = 0;

	for (i = 0; i < PROCS; i++) {
		if (fork() == 0) {
			struct drm_dcaccel_wait_job w;
			uint64_t ids[JOBS];
			struct dc_bo cmd;
			int fd = dc_open(), j, bad = 0;

			if (fd < 0 || dc_bo_create(fd, 4096, 0, &cmd))
				_exit(1);
			dc_put_nop(&cmd, 0);
			for (j = 0; j < JOBS; j++)
				if (dc_submit(fd, &cmd, 0, 8, NULL, 0, NULL,
					      0, 0, &ids[j]))
					_exit(2);
			for (j = 0; j < JOBS; j++)
				if (dc_wait_job(fd, ids[j], 10 * DC_SEC, &w) ||
				    w.status != DRM_DCACCEL_JOB_OK)
					bad++;
			_exit(bad ? 3 : 0);
		}
	}
	for (i = 0; i < PROCS; i++) {
		ASSERT_LT(0, wait(&status));
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	EXPECT_EQ(0, failed);
}

/* Needs the device's fault injection (-device dcaccel,fault-injection=on). */
TEST_F(dev, hang_times_out_and_device_recovers)
{
	struct drm_dcaccel_bo_wait bw = { 0 };
	struct drm_dcaccel_wait_job w;
	uint64_t hang, next, other;
	uint32_t len;
	int ret, fd2 = dc_open();
	struct dc_bo cmd2;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, dc_bo_create(fd2, 4096, 0, &cmd2));
	dc_put_nop(&cmd2, 0);
	len = dc_put_debug(&self->cmd, 0, DCACCEL_DEBUG_HANG, 0);
	dc_put_nop(&self->cmd, 64);
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, len, NULL, 0, NULL, 0,
			       0, &hang));
	/* queued behind the hang, from this context and another one */
	ASSERT_EQ(0, dc_submit(fd2, &cmd2, 0, 8, NULL, 0, NULL, 0, 0, &other));
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 64, 8, NULL, 0, NULL, 0,
			       0, &next));
	ret = dc_wait_job(self->fd, hang, DC_SEC / 2, &w);
	if (!ret && w.status == DRM_DCACCEL_JOB_BAD_COMMAND)
		SKIP(return, "the device has no fault injection");
	/* while it hangs, waits with a timeout time out */
	EXPECT_EQ(-ETIME, ret);
	EXPECT_EQ(-ETIME, dc_wait_job(self->fd, next, 0, &w));
	EXPECT_EQ(-ETIME, dc_wait_job(self->fd, next, DC_SEC / 100, &w));
	bw.handle = self->cmd.handle;
	EXPECT_EQ(-ETIME, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_WAIT, &bw));
	bw.timeout_ns = DC_SEC / 100;
	EXPECT_EQ(-ETIME, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_WAIT, &bw));

	/* then the timeout resets the device and fails only the hung job */
	ASSERT_EQ(0, dc_wait_job(self->fd, hang, 20 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_TIMEOUT, w.status);
	ASSERT_EQ(0, dc_wait_job(fd2, other, 20 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
	ASSERT_EQ(0, dc_wait_job(self->fd, next, 20 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
	close(fd2);
}

/* Needs fault injection: the DEBUG op's read of an unmapped VA is reported. */
TEST_F(dev, injected_fault_reported)
{
	uint64_t va = dc_param(self->fd, DRM_DCACCEL_PARAM_VA_START) +
		      (1ull << 36);
	struct drm_dcaccel_wait_job w;
	uint64_t job;
	uint32_t len;

	len = dc_put_debug(&self->cmd, 0, DCACCEL_DEBUG_FAULT, va);
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, len, NULL, 0, NULL, 0,
			       0, &job));
	ASSERT_EQ(0, dc_wait_job(self->fd, job, 5 * DC_SEC, &w));
	if (w.status == DRM_DCACCEL_JOB_BAD_COMMAND)
		SKIP(return, "the device has no fault injection");
	EXPECT_EQ(DRM_DCACCEL_JOB_MMU_FAULT, w.status);
	EXPECT_EQ(va, w.stats.fault_va);
}

/* Many files at once: each its own context, all of them working. */
TEST_F(dev, many_contexts)
{
	enum { FILES = 64 };
	struct drm_dcaccel_wait_job w;
	struct dc_bo cmd[FILES];
	uint64_t job[FILES];
	int fd[FILES], i;

	for (i = 0; i < FILES; i++) {
		fd[i] = dc_open();
		ASSERT_LE(0, fd[i]);
		ASSERT_EQ(0, dc_bo_create(fd[i], 4096, 0, &cmd[i]));
		dc_put_nop(&cmd[i], 0);
		ASSERT_EQ(0, dc_submit(fd[i], &cmd[i], 0, 8, NULL, 0, NULL, 0,
				       0, &job[i]));
	}
	for (i = 0; i < FILES; i++) {
		ASSERT_EQ(0, dc_wait_job(fd[i], job[i], 5 * DC_SEC, &w));
		EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
		dc_bo_destroy(fd[i], &cmd[i]);
		close(fd[i]);
	}
}

/* A longer chain: each job waits for the one before through a syncobj. */
TEST_F(dev, syncobj_chain_of_twenty)
{
	struct drm_dcaccel_wait_job w;
	uint32_t s[21];
	uint64_t job[20];
	int i;

	for (i = 0; i < 21; i++) {
		s[i] = dc_syncobj_create(self->fd);
		ASSERT_NE(0, s[i]);
	}
	dc_put_nop(&self->cmd, 0);
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, 8, NULL, 0, NULL, 0,
			       s[1], &job[0]));
	for (i = 1; i < 20; i++)
		ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, 8, NULL, 0,
				       &s[i], 1, s[i + 1], &job[i]));
	ASSERT_EQ(0, dc_syncobj_wait(self->fd, s[20], 10 * DC_SEC));
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, dc_wait_job(self->fd, job[i], 0, &w));
		EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
	}
}

TEST_HARNESS_MAIN
