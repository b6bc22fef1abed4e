// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: two devices. The driver binds each to a node of its
 * own; a BO of one is nothing to the other (its handle unknown there, and
 * no BO leaves its file by dma-buf); a job on one cannot reach the other's
 * buffers; jobs run on both at once, each right; and a reset of one
 * leaves the other's jobs alone. Skipped with fewer than two devices.
 */
#include "dcaccel_layer.h"
#include "kselftest_harness.h"

FIXTURE(two) {
	int fd[2];
};

FIXTURE_SETUP(two)
{
	self->fd[0] = dc_open_nth(0);
	self->fd[1] = dc_open_nth(1);
	if (self->fd[1] < 0)
		SKIP(return, "fewer than two dcaccel devices");
	ASSERT_LE(0, self->fd[0]);
}

FIXTURE_TEARDOWN(two)
{
	for (int i = 0; i < 2; i++)
		if (self->fd[i] >= 0)
			close(self->fd[i]);
}

/*
 * n random layers on each device, submitted in turns: the mismatches, and
 * in *bad_status the last status other than OK (0 if none); what could
 * not be made or submitted counts as a mismatch, what was is waited for.
 */
static int run_on_both(int fd[2], int n, uint64_t seed, uint32_t *bad_status)
{
	struct layer_job j[2][8];
	struct dev_layer d[2][8];
	struct drm_dcaccel_wait_job w;
	struct rng r = { seed };
	int bad = 0, made = 0, k, dev, ret;
	uint32_t st = ~0u;

	*bad_status = 0;
	for (k = 0; k < n && made == 2 * k; k++)
		for (dev = 0; dev < 2 && made == 2 * k + dev; dev++) {
			if (make_device_layer(fd[dev], &r, &j[dev][k]))
				break;
			if (layer_submit(fd[dev], &j[dev][k], &d[dev][k])) {
				free_layer(&j[dev][k]);
				break;
			}
			made++;
		}
	bad += 2 * n - made;
	for (k = 0; 2 * k < made; k++)
		for (dev = 0; dev < 2 && 2 * k + dev < made; dev++) {
			ret = layer_check(fd[dev], &j[dev][k], &d[dev][k], &st, &w);
			bad += ret > 0 ? ret : ret < 0;
			if (!ret && st != DRM_DCACCEL_JOB_OK)
				*bad_status = st;
			free_layer(&j[dev][k]);
		}
	return bad;
}

TEST_F(two, each_device_its_node)
{
	char pci[2][64];

	ASSERT_EQ(0, dc_pci_address(self->fd[0], pci[0], sizeof(pci[0])));
	ASSERT_EQ(0, dc_pci_address(self->fd[1], pci[1], sizeof(pci[1])));
	TH_LOG("devices %s and %s", pci[0], pci[1]);
	EXPECT_NE(0, strcmp(pci[0], pci[1]));
	EXPECT_LT(0, dc_param(self->fd[0], DRM_DCACCEL_PARAM_NUM_PES));
	EXPECT_LT(0, dc_param(self->fd[1], DRM_DCACCEL_PARAM_NUM_PES));
}

TEST_F(two, a_bo_is_nothing_to_the_other_device)
{
	struct drm_dcaccel_bo_info info = { 0 };
	struct drm_prime_handle p = { 0 };
	struct dc_bo bo;

	ASSERT_EQ(0, dc_bo_create(self->fd[0], 8192, 0, &bo));
	info.handle = bo.handle;
	EXPECT_EQ(-ENOENT, dc_ioctl(self->fd[1], DRM_IOCTL_DCACCEL_BO_INFO, &info));
	/* and no way out of its file: no export to import elsewhere */
	p.handle = bo.handle;
	p.flags = DRM_CLOEXEC | DRM_RDWR;
	EXPECT_EQ(-EOPNOTSUPP, dc_ioctl(self->fd[0], DRM_IOCTL_PRIME_HANDLE_TO_FD, &p));
	dc_bo_destroy(self->fd[0], &bo);
}

/*
 * Device 1's job writes its outputs at the VA of a buffer of device 0's
 * file, a VA device 1's file has nothing at: device 1 faults there, and
 * device 0's buffer keeps what it held.
 */
TEST_F(two, a_job_cannot_reach_the_other_devices_buffers)
{
	struct drm_dcaccel_wait_job w;
	struct dc_bo filler, victim;
	struct layer_job j;
	struct dev_layer d;
	struct rng r = { 17 };
	uint32_t st = ~0u;
	size_t changed;

	/* past everything device 1's file will map for its job */
	ASSERT_EQ(0, dc_bo_create(self->fd[0], 8 << 20, 0, &filler));
	ASSERT_EQ(0, dc_victims_create(self->fd[0], &victim, 1, 65536, 0x77));
	ASSERT_EQ(0, make_device_layer(self->fd[1], &r, &j));
	ASSERT_EQ(0, layer_submit_to(self->fd[1], &j, &d, victim.va));
	ASSERT_LT(d.cmd.va + d.cmd.size, victim.va);
	ASSERT_LE(0, layer_check(self->fd[1], &j, &d, &st, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_MMU_FAULT, st);
	EXPECT_LE(victim.va, w.stats.fault_va);
	EXPECT_GT(victim.va + victim.size, w.stats.fault_va);
	TH_LOG("device 1's job: status %u, fault at 0x%llx (device 0's buffer at 0x%llx)",
	       st, (unsigned long long)w.stats.fault_va, (unsigned long long)victim.va);
	changed = dc_victims_changed(self->fd[0], &victim, 1, 0x77);
	EXPECT_EQ(0, changed);
	dc_bo_destroy(self->fd[0], &filler);
	free_layer(&j);
	/* both still work */
	{
		uint32_t bad_st;

		EXPECT_EQ(0, run_on_both(self->fd, 2, 3, &bad_st));
		EXPECT_EQ(0, bad_st);
	}
}

TEST_F(two, jobs_on_both_at_once_are_each_right)
{
	uint32_t bad_st;

	EXPECT_EQ(0, run_on_both(self->fd, 8, 11, &bad_st));
	EXPECT_EQ(0, bad_st);
}

/* A reset of device 0 while both have jobs: device 1's all complete,
 * right; device 0 works after it. */
TEST_F(two, a_reset_of_one_spares_the_other)
{
	struct layer_job j[2][8];
	struct dev_layer d[2][8];
	struct drm_dcaccel_wait_job w;
	struct rng r = { 23 };
	uint32_t st, bad_st;
	int k, dev, bad = 0, lost = 0, ret;
	long long resets, resets1 = dc_counter(self->fd[1], "resets");

	for (k = 0; k < 8; k++)
		for (dev = 0; dev < 2; dev++) {
			ASSERT_EQ(0, make_device_layer(self->fd[dev], &r, &j[dev][k]));
			ASSERT_EQ(0, layer_submit(self->fd[dev], &j[dev][k], &d[dev][k]));
		}
	resets = dc_counter(self->fd[0], "resets");
	ASSERT_EQ(0, dc_debugfs_reset(self->fd[0]));
	for (k = 0; k < 8; k++) {
		/* device 0's: done (and right) before the reset, or canceled */
		st = ~0u;
		ret = layer_check(self->fd[0], &j[0][k], &d[0][k], &st, &w);
		lost += ret < 0 || (st == DRM_DCACCEL_JOB_OK ? ret > 0 :
				    st != DRM_DCACCEL_JOB_CANCELED);
		st = ~0u;
		ret = layer_check(self->fd[1], &j[1][k], &d[1][k], &st, &w);
		bad += ret ? 1 : st != DRM_DCACCEL_JOB_OK;
		free_layer(&j[0][k]);
		free_layer(&j[1][k]);
	}
	EXPECT_EQ(0, lost);
	EXPECT_EQ(0, bad);
	/* device 0 was reset, device 1 was not */
	EXPECT_LT(resets, dc_counter(self->fd[0], "resets"));
	EXPECT_EQ(resets1, dc_counter(self->fd[1], "resets"));
	EXPECT_EQ(0, run_on_both(self->fd, 2, 29, &bad_st));
	EXPECT_EQ(0, bad_st);
}

TEST_HARNESS_MAIN
