// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: power management. With no client busy the device
 * autosuspends to D3hot (read back from its PCI PM capability, not only
 * from the kernel's bookkeeping); a job submitted while it is suspended
 * resumes it and computes exactly; a job in flight keeps it awake; and a
 * system sleep (pm_test=devices) with jobs before and after loses nothing.
 */
#include "dcaccel_layer.h"
#include "kselftest_harness.h"

#define AUTOSUSPEND_MS	"100"

static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The D state in PMCSR of the PCI function, read from config space. */
static int pci_power_state(const char *pci)
{
	char path[160];
	uint8_t cfg[256];
	unsigned int pos, hops;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", pci);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	if (pread(fd, cfg, sizeof(cfg), 0) != sizeof(cfg)) {
		close(fd);
		return -EIO;
	}
	close(fd);
	for (pos = cfg[0x34] & ~3u, hops = 0; pos && hops < 48; hops++) {
		if (cfg[pos] == 0x01)	/* PCI_CAP_ID_PM */
			return cfg[pos + 4] & 3;
		pos = cfg[pos + 1] & ~3u;
	}
	return -ENOENT;
}

FIXTURE(pm) {
	int fd;
	char pci[64];
	char power[160];
	struct rng rng;
};

static int power_attr(FIXTURE_DATA(pm) *self, const char *attr,
		      char *buf, size_t len)
{
	char path[224];

	snprintf(path, sizeof(path), "%s/%s", self->power, attr);
	return read_text(path, buf, len);
}

static int set_power_attr(FIXTURE_DATA(pm) *self, const char *attr,
			  const char *val)
{
	char path[224];

	snprintf(path, sizeof(path), "%s/%s", self->power, attr);
	return dc_sysfs_write(path, val);
}

/* Poll runtime_status for up to 20 s; whether it became want. */
static int runtime_status_becomes(FIXTURE_DATA(pm) *self, const char *want)
{
	char status[32] = "";
	int i;

	for (i = 0; i < 2000; i++) {
		if (!power_attr(self, "runtime_status", status,
				sizeof(status)) && !strcmp(status, want))
			return 1;
		usleep(10000);
	}
	return 0;
}

/* A random layer through the device, compared with the host engine. */
static int layer_exact(FIXTURE_DATA(pm) *self)
{
	struct drm_dcaccel_wait_job w;
	struct layer_job j;
	struct dev_layer d;
	uint32_t status = ~0u;
	int bad;

	if (make_device_layer(self->fd, &self->rng, &j))
		return -ENOMEM;
	bad = layer_submit(self->fd, &j, &d);
	if (!bad)
		bad = layer_check(self->fd, &j, &d, &status, &w);
	free_layer(&j);
	if (!bad && status != DRM_DCACCEL_JOB_OK)
		bad = -EIO;
	return bad;
}

FIXTURE_SETUP(pm)
{
	self->fd = dc_open();
	if (self->fd < 0)
		SKIP(return, "no dcaccel device");
	ASSERT_EQ(0, dc_pci_address(self->fd, self->pci, sizeof(self->pci)));
	snprintf(self->power, sizeof(self->power),
		 "/sys/bus/pci/devices/%s/power", self->pci);
	ASSERT_EQ(0, set_power_attr(self, "autosuspend_delay_ms",
				    AUTOSUSPEND_MS));
	ASSERT_EQ(0, set_power_attr(self, "control", "auto"));
	self->rng.s = 0x9e3779b97f4a7c15ull;
}

FIXTURE_TEARDOWN(pm)
{
	if (self->fd < 0)
		return;
	set_power_attr(self, "control", "auto");
	set_power_attr(self, "autosuspend_delay_ms", "1000");
	close(self->fd);
}

TEST_F_TIMEOUT(pm, idle_device_suspends_and_a_job_resumes_it, 120)
{
	long long resumes;

	ASSERT_EQ(0, layer_exact(self));
	ASSERT_TRUE(runtime_status_becomes(self, "suspended"));
	/* the device itself is in D3hot, not only the kernel's view */
	ASSERT_EQ(3, pci_power_state(self->pci));
	resumes = dc_counter(self->fd, "resumes");
	ASSERT_LE(0, resumes);

	/* submitted while suspended: resumes the device and is exact */
	ASSERT_EQ(0, layer_exact(self));
	ASSERT_LT(resumes, dc_counter(self->fd, "resumes"));
	ASSERT_TRUE(runtime_status_becomes(self, "suspended"));
	ASSERT_EQ(0, layer_exact(self));
}

TEST_F_TIMEOUT(pm, job_in_flight_keeps_device_awake, 120)
{
	struct drm_dcaccel_wait_job w;
	struct dc_bo cmd;
	uint64_t job;
	char status[32];

	if (!dc_has_fault_injection(self->fd))
		SKIP(return, "needs -device dcaccel,fault-injection=on");
	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &cmd));
	dc_put_debug(&cmd, 0, DCACCEL_DEBUG_HANG, 0);
	ASSERT_EQ(0, dc_submit(self->fd, &cmd, 0, DCACCEL_OP_DEBUG_SIZE,
			       NULL, 0, NULL, 0, 0, &job));
	/* ten autosuspend delays with the job on the ring */
	usleep(1000 * 1000);
	ASSERT_EQ(0, power_attr(self, "runtime_status", status,
				sizeof(status)));
	EXPECT_STREQ("active", status);
	EXPECT_EQ(0, pci_power_state(self->pci));

	ASSERT_EQ(0, dc_debugfs_reset(self->fd));
	ASSERT_EQ(0, dc_wait_job(self->fd, job, 30 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_CANCELED, w.status);
	dc_bo_destroy(self->fd, &cmd);
	ASSERT_TRUE(runtime_status_becomes(self, "suspended"));
	ASSERT_EQ(0, layer_exact(self));
}

/*
 * System sleep as far as the devices (pm_test=devices: every driver's
 * suspend and resume run, the machine itself does not sleep), with the
 * device kept awake (control=on) so that the suspend has work to do.
 */
TEST_F_TIMEOUT(pm, system_sleep_with_jobs_before_and_after, 180)
{
	long long suspends, resumes;

	if (access("/sys/power/pm_test", W_OK))
		SKIP(return, "no /sys/power/pm_test (CONFIG_PM_DEBUG)");
	ASSERT_EQ(0, set_power_attr(self, "control", "on"));
	ASSERT_TRUE(runtime_status_becomes(self, "active"));
	ASSERT_EQ(0, layer_exact(self));
	suspends = dc_counter(self->fd, "suspends");
	resumes = dc_counter(self->fd, "resumes");

	ASSERT_EQ(0, dc_sysfs_write("/sys/power/pm_test", "devices"));
	dc_sysfs_write("/sys/module/suspend/parameters/pm_test_delay", "1");
	EXPECT_EQ(0, dc_sysfs_write("/sys/power/state", "freeze"));
	dc_sysfs_write("/sys/power/pm_test", "none");

	EXPECT_EQ(suspends + 1, dc_counter(self->fd, "suspends"));
	EXPECT_EQ(resumes + 1, dc_counter(self->fd, "resumes"));
	EXPECT_EQ(0, pci_power_state(self->pci));
	ASSERT_EQ(0, layer_exact(self));
	ASSERT_EQ(0, layer_exact(self));
}

TEST_HARNESS_MAIN
