// SPDX-License-Identifier: MIT
/*
 * The ioctl ABI compiles standalone in userspace and has the layout it
 * promises: no implicit padding, 64-bit fields 8-byte aligned, sizes that
 * are the same for 32- and 64-bit callers.
 */
#include <stddef.h>

#include "dcaccel_accel.h"
#include "tap.h"

#define CHECK_OFFSET(type, field, off) CHECK_EQ(offsetof(struct type, field), off)

static void structs_have_explicit_layout(void)
{
	CHECK_EQ(sizeof(struct drm_dcaccel_get_param), 16);
	CHECK_OFFSET(drm_dcaccel_get_param, value, 8);

	CHECK_EQ(sizeof(struct drm_dcaccel_bo_create), 24);
	CHECK_OFFSET(drm_dcaccel_bo_create, flags, 8);
	CHECK_OFFSET(drm_dcaccel_bo_create, handle, 12);
	CHECK_OFFSET(drm_dcaccel_bo_create, va, 16);

	CHECK_EQ(sizeof(struct drm_dcaccel_bo_info), 32);
	CHECK_OFFSET(drm_dcaccel_bo_info, mmap_offset, 24);

	CHECK_EQ(sizeof(struct drm_dcaccel_submit), 64);
	CHECK_OFFSET(drm_dcaccel_submit, cmd_offset, 8);
	CHECK_OFFSET(drm_dcaccel_submit, bo_handles, 24);
	CHECK_OFFSET(drm_dcaccel_submit, in_syncobjs, 32);
	CHECK_OFFSET(drm_dcaccel_submit, bo_count, 40);
	CHECK_OFFSET(drm_dcaccel_submit, out_syncobj, 48);
	CHECK_OFFSET(drm_dcaccel_submit, job_id, 56);

	CHECK_EQ(sizeof(struct drm_dcaccel_job_stats), 64);
	CHECK_EQ(sizeof(struct drm_dcaccel_job_energy), 64);
	/* 1.2 appended the energy: the 88 bytes before it are unchanged */
	CHECK_EQ(sizeof(struct drm_dcaccel_wait_job), 24 + 64 + 64);
	CHECK_OFFSET(drm_dcaccel_wait_job, stats, 24);
	CHECK_OFFSET(drm_dcaccel_wait_job, energy, 88);

	CHECK_EQ(sizeof(struct drm_dcaccel_bo_wait), 16);
}

static void ioctl_numbers_are_distinct(void)
{
	const unsigned long nr[] = {
		DRM_IOCTL_DCACCEL_GET_PARAM, DRM_IOCTL_DCACCEL_BO_CREATE,
		DRM_IOCTL_DCACCEL_BO_INFO, DRM_IOCTL_DCACCEL_SUBMIT,
		DRM_IOCTL_DCACCEL_WAIT_JOB, DRM_IOCTL_DCACCEL_BO_WAIT,
	};
	const size_t n = sizeof(nr) / sizeof(nr[0]);

	for (size_t i = 0; i < n; i++) {
		/* each command in the driver range, with its own number */
		CHECK_EQ(_IOC_NR(nr[i]), DRM_COMMAND_BASE + i);
		CHECK_EQ(_IOC_TYPE(nr[i]), DRM_IOCTL_BASE);
		for (size_t j = i + 1; j < n; j++)
			CHECK(nr[i] != nr[j]);
	}
}

/* waits write back what is left of an interrupted timeout: IOWR */
static void waits_copy_their_timeout_back(void)
{
	CHECK_EQ(_IOC_DIR(DRM_IOCTL_DCACCEL_WAIT_JOB), _IOC_READ | _IOC_WRITE);
	CHECK_EQ(_IOC_DIR(DRM_IOCTL_DCACCEL_BO_WAIT), _IOC_READ | _IOC_WRITE);
}

static void values_are_distinct(void)
{
	const unsigned int status[] = {
		DRM_DCACCEL_JOB_OK, DRM_DCACCEL_JOB_MMU_FAULT,
		DRM_DCACCEL_JOB_BAD_COMMAND, DRM_DCACCEL_JOB_TIMEOUT,
		DRM_DCACCEL_JOB_CANCELED,
	};
	const size_t n = sizeof(status) / sizeof(status[0]);

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			CHECK(status[i] != status[j]);
	/* the flag mask holds every defined flag and nothing else */
	CHECK_EQ(DRM_DCACCEL_BO_FLAGS, DRM_DCACCEL_BO_DEVICE_READ_ONLY);
	CHECK_EQ(DRM_DCACCEL_PARAM_MAX_BO_SIZE, 12);
	CHECK_EQ(DRM_DCACCEL_PARAM_MAX_JOBS, 13);
}

static void wait_job_fields(void)
{
	CHECK_OFFSET(drm_dcaccel_wait_job, timeout_ns, 8);
	CHECK_OFFSET(drm_dcaccel_wait_job, status, 16);
	CHECK_OFFSET(drm_dcaccel_wait_job, pad, 20);
	CHECK_OFFSET(drm_dcaccel_job_stats, fault_va, 56);
	CHECK_OFFSET(drm_dcaccel_bo_wait, timeout_ns, 8);
	CHECK_OFFSET(drm_dcaccel_bo_info, flags, 4);
	CHECK_OFFSET(drm_dcaccel_bo_info, size, 8);
	CHECK_OFFSET(drm_dcaccel_bo_info, va, 16);
	CHECK_OFFSET(drm_dcaccel_submit, flags, 4);
	CHECK_OFFSET(drm_dcaccel_submit, cmd_size, 16);
	CHECK_OFFSET(drm_dcaccel_submit, in_syncobj_count, 44);
	CHECK_OFFSET(drm_dcaccel_submit, pad, 52);
}

static const struct tap_test tests[] = {
	TAP_TEST(structs_have_explicit_layout),
	TAP_TEST(ioctl_numbers_are_distinct),
	TAP_TEST(waits_copy_their_timeout_back),
	TAP_TEST(values_are_distinct),
	TAP_TEST(wait_job_fields),
};

TAP_MAIN(tests)
