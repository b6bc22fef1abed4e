// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: what a client and an administrator can observe.
 * /proc/<pid>/fdinfo carries the drm-usage-stats keys (engine time and
 * modeled cycles, resident and total memory) and they move as the client
 * allocates and runs; tracefs carries one event per step of a job's life
 * and one per reset.
 */
#include <sys/stat.h>

#include "dcaccel_layer.h"
#include "kselftest_harness.h"

#define TRACEFS "/sys/kernel/tracing"

/*
 * The value of key in fd's fdinfo, or -1; drm-*-memory values may carry a
 * unit (KiB, MiB), which is applied.
 */
static long long fdinfo_value(int fd, const char *key)
{
	char path[64], line[256], unit[8];
	long long v = -1;
	size_t n = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, n) || line[n] != ':')
			continue;
		unit[0] = '\0';
		if (sscanf(line + n + 1, "%lld %7s", &v, unit) < 1)
			v = -1;
		else if (!strcmp(unit, "KiB"))
			v <<= 10;
		else if (!strcmp(unit, "MiB"))
			v <<= 20;
	}
	fclose(f);
	return v;
}

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = dc_open();
	if (self->fd < 0)
		SKIP(return, "no dcaccel device");
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, fdinfo_keys_move_with_memory_and_work)
{
	struct rng r = { .s = 17 };
	struct drm_dcaccel_wait_job w;
	struct layer_job j;
	struct dev_layer d;
	uint32_t st = ~0u;
	long long total0, res0, ns0, cyc0;
	struct dc_bo big, small;
	char drv[32] = "";
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", self->fd);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		sscanf(line, "drm-driver: %31s", drv);
	fclose(f);
	EXPECT_STREQ("dcaccel", drv);
	EXPECT_LE(0, fdinfo_value(self->fd, "drm-client-id"));
	EXPECT_EQ(dc_param(self->fd, DRM_DCACCEL_PARAM_CLOCK_MHZ),
		  fdinfo_value(self->fd, "drm-maxfreq-eie"));

	/* resident is shown once the file has a buffer to say it of */
	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &small));
	total0 = fdinfo_value(self->fd, "drm-total-memory");
	res0 = fdinfo_value(self->fd, "drm-resident-memory");
	ns0 = fdinfo_value(self->fd, "drm-engine-eie");
	cyc0 = fdinfo_value(self->fd, "drm-cycles-eie");
	ASSERT_LE(0, total0);
	ASSERT_LE(0, res0);
	ASSERT_LE(0, ns0);
	ASSERT_LE(0, cyc0);

	ASSERT_EQ(0, dc_bo_create(self->fd, 4 << 20, 0, &big));
	EXPECT_EQ(total0 + (4 << 20), fdinfo_value(self->fd,
						   "drm-total-memory"));
	EXPECT_EQ(res0 + (4 << 20), fdinfo_value(self->fd,
						 "drm-resident-memory"));

	ASSERT_EQ(0, make_device_layer(self->fd, &r, &j));
	ASSERT_EQ(0, layer_submit(self->fd, &j, &d));
	ASSERT_EQ(0, layer_check(self->fd, &j, &d, &st, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_OK, st);
	EXPECT_LT(ns0, fdinfo_value(self->fd, "drm-engine-eie"));
	EXPECT_EQ(cyc0 + (long long)w.stats.cycles,
		  fdinfo_value(self->fd, "drm-cycles-eie"));
	free_layer(&j);

	dc_bo_destroy(self->fd, &big);
	EXPECT_EQ(total0, fdinfo_value(self->fd, "drm-total-memory"));
	dc_bo_destroy(self->fd, &small);
}

/* Another file's work is not charged to this one. */
TEST_F(dev, fdinfo_is_per_file)
{
	struct drm_dcaccel_wait_job w;
	long long ns0 = fdinfo_value(self->fd, "drm-engine-eie");
	int fd2 = dc_open(), i;
	struct dc_bo cmd;
	uint64_t job;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, dc_bo_create(fd2, 4096, 0, &cmd));
	dc_put_nop(&cmd, 0);
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, dc_submit(fd2, &cmd, 0, 8, NULL, 0, NULL, 0, 0,
				       &job));
		ASSERT_EQ(0, dc_wait_job(fd2, job, 10 * DC_SEC, &w));
	}
	EXPECT_LT(0, fdinfo_value(fd2, "drm-engine-eie"));
	EXPECT_EQ(ns0, fdinfo_value(self->fd, "drm-engine-eie"));
	close(fd2);
}

static int tracefs_write(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	return dc_sysfs_write(path, val);
}

/* How many lines of the trace buffer hold pattern. */
static int trace_count(const char *pattern)
{
	char line[512];
	int n = 0;
	FILE *f = fopen(TRACEFS "/trace", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, pattern) != NULL;
	fclose(f);
	return n;
}

TEST_F(dev, trace_events_of_a_job_and_a_reset)
{
	struct drm_dcaccel_wait_job w;
	char want[64];
	struct dc_bo cmd;
	uint64_t job;
	struct stat sb;

	if (stat(TRACEFS "/events", &sb))
		system("mount -t tracefs nodev " TRACEFS " 2>/dev/null");
	if (stat(TRACEFS "/events/dcaccel", &sb))
		SKIP(return, "no tracefs or no dcaccel events");
	ASSERT_EQ(0, tracefs_write("tracing_on", "0"));
	ASSERT_EQ(0, tracefs_write("trace", ""));
	ASSERT_EQ(0, tracefs_write("events/dcaccel/enable", "1"));
	ASSERT_EQ(0, tracefs_write("tracing_on", "1"));

	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &cmd));
	dc_put_nop(&cmd, 0);
	ASSERT_EQ(0, dc_submit(self->fd, &cmd, 0, 8, NULL, 0, NULL, 0, 0,
			       &job));
	ASSERT_EQ(0, dc_wait_job(self->fd, job, 10 * DC_SEC, &w));
	ASSERT_EQ(0, dc_debugfs_reset(self->fd));

	ASSERT_EQ(0, tracefs_write("tracing_on", "0"));
	snprintf(want, sizeof(want), "job=%llu ", (unsigned long long)job);
	EXPECT_EQ(1, trace_count("dcaccel_submit:"));
	EXPECT_EQ(1, trace_count("dcaccel_run:"));
	EXPECT_EQ(1, trace_count("dcaccel_complete:"));
	EXPECT_EQ(3, trace_count(want));
	EXPECT_EQ(1, trace_count("dcaccel_reset: guilty_job=0 "));
	tracefs_write("events/dcaccel/enable", "0");
	tracefs_write("trace", "");
}

/* Delete every pending devcoredump (a write to its data does). */
static void devcd_clear(void)
{
	system("for f in /sys/class/devcoredump/devcd*/data; do "
	       "[ -e \"$f\" ] && echo 1 > \"$f\"; done 2>/dev/null");
}

/* Read the first devcoredump's data into buf; its length or -errno. */
static int devcd_read(char *buf, size_t len)
{
	FILE *p = popen("cat /sys/class/devcoredump/devcd*/data 2>/dev/null",
			"r");
	size_t n;

	if (!p)
		return -errno;
	n = fread(buf, 1, len - 1, p);
	pclose(p);
	buf[n] = '\0';
	return n;
}

/*
 * A hung job leaves a devcoredump that names it, the ring's registers and
 * the jobs on the ring, read back through /sys/class/devcoredump.
 */
TEST_F_TIMEOUT(dev, devcoredump_after_injected_hang, 120)
{
	static char dump[65536];
	struct drm_dcaccel_wait_job w;
	struct dc_bo cmd;
	uint64_t hang, next;
	char want[96];

	if (!dc_has_fault_injection(self->fd))
		SKIP(return, "needs -device dcaccel,fault-injection=on");
	devcd_clear();
	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &cmd));
	dc_put_debug(&cmd, 0, DCACCEL_DEBUG_HANG, 0);
	dc_put_nop(&cmd, 64);
	ASSERT_EQ(0, dc_submit(self->fd, &cmd, 0, DCACCEL_OP_DEBUG_SIZE, NULL,
			       0, NULL, 0, 0, &hang));
	ASSERT_EQ(0, dc_submit(self->fd, &cmd, 64, 8, NULL, 0, NULL, 0, 0,
			       &next));
	ASSERT_EQ(0, dc_wait_job(self->fd, hang, 30 * DC_SEC, &w));
	ASSERT_EQ(DRM_DCACCEL_JOB_TIMEOUT, w.status);

	ASSERT_LT(0, devcd_read(dump, sizeof(dump)));
	snprintf(want, sizeof(want), "hung job %llu ",
		 (unsigned long long)hang);
	EXPECT_NE(NULL, strstr(dump, want));
	EXPECT_NE(NULL, strstr(dump, "reg RING_HEAD"));
	EXPECT_NE(NULL, strstr(dump, "reg STATUS       0x00000003"));
	snprintf(want, sizeof(want), " job %llu cmd_va",
		 (unsigned long long)next);
	/* bounced DMA runs a file's jobs one at a time: next is not queued */
	if (!dc_dma_bounced())
		EXPECT_NE(NULL, strstr(dump, want));
	EXPECT_NE(NULL, strstr(dump, " (hung)"));
	devcd_clear();
	ASSERT_EQ(0, dc_wait_job(self->fd, next, 30 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
}

TEST_HARNESS_MAIN
