// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel: the ioctls the DRM core answers on the dcaccel node, filtered.
 *
 * The core's table was written for primary nodes. On an accel node a file
 * has no master, and in 6.12 GET_UNIQUE and GET_MAGIC dereference it: any
 * user who can open the node oopses the kernel with a zeroed struct. The
 * syncobj array ioctls allocate count_handles entries with no bound, which
 * a huge count turns into a page allocator warning. And GEM_FLINK/GEM_OPEN
 * would give a BO's handle to another file, which the isolation contract
 * (a buffer belongs to one context) has no place for. SYNCOBJ_HANDLE_TO_FD
 * is refused too: a fence that leaves the file (as a syncobj or sync_file
 * fd) can outlive the device and the module, and in 6.12 asking such a
 * fence its timeline name reads the freed scheduler.
 *
 * So only the core ioctls a dcaccel client needs pass, the syncobj arrays
 * with a bound; the rest fail with EOPNOTSUPP before the core sees them.
 * The driver's own ioctls all pass.
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/uaccess.h>

#include <drm/drm_ioctl.h>

#include "dcaccel_drv.h"

/* Offset of count_handles in a syncobj array ioctl's struct, or -1. */
static int dcaccel_syncobj_count_offset(unsigned int nr)
{
	switch (nr) {
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT):
		return offsetof(struct drm_syncobj_wait, count_handles);
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT):
		return offsetof(struct drm_syncobj_timeline_wait,
				count_handles);
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL):
		return offsetof(struct drm_syncobj_array, count_handles);
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL):
		return offsetof(struct drm_syncobj_timeline_array,
				count_handles);
	default:
		return -1;
	}
}

static bool dcaccel_core_ioctl_allowed(unsigned int nr)
{
	switch (nr) {
	case DRM_IOCTL_NR(DRM_IOCTL_VERSION):
	case DRM_IOCTL_NR(DRM_IOCTL_GET_CAP):
	case DRM_IOCTL_NR(DRM_IOCTL_SET_CLIENT_CAP):
	case DRM_IOCTL_NR(DRM_IOCTL_GEM_CLOSE):
	case DRM_IOCTL_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD):
	case DRM_IOCTL_NR(DRM_IOCTL_PRIME_FD_TO_HANDLE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_CREATE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_DESTROY):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TRANSFER):
	case DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_EVENTFD):
		return true;
	default:
		return dcaccel_syncobj_count_offset(nr) >= 0;
	}
}

/* 0 when the core may have cmd, else the errno to fail it with. */
static int dcaccel_ioctl_check(unsigned int cmd, void __user *uarg)
{
	unsigned int nr = DRM_IOCTL_NR(cmd);
	int off = dcaccel_syncobj_count_offset(nr);
	u32 count;

	if (nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END)
		return 0;
	if (!dcaccel_core_ioctl_allowed(nr))
		return -EOPNOTSUPP;
	/* a shorter struct is zero-filled by the core: no count to check */
	if (off < 0 || _IOC_SIZE(cmd) < off + sizeof(count))
		return 0;
	if (get_user(count, (u32 __user *)(uarg + off)))
		return -EFAULT;
	return count > DCACCEL_SYNCOBJ_ARRAY_MAX ? -EINVAL : 0;
}

long dcaccel_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	int ret = dcaccel_ioctl_check(cmd, (void __user *)arg);

	return ret ?: drm_ioctl(filp, cmd, arg);
}

#ifdef CONFIG_COMPAT
long dcaccel_compat_ioctl(struct file *filp, unsigned int cmd,
			  unsigned long arg)
{
	int ret = dcaccel_ioctl_check(cmd, compat_ptr(arg));

	return ret ?: drm_compat_ioctl(filp, cmd, arg);
}
#endif
