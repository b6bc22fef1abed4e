/* SPDX-License-Identifier: MIT */
/*
 * DRM_IOCTL_SYNCOBJ_EVENTFD (Linux 6.6 uapi, include/uapi/drm/drm.h): an
 * eventfd that counts up when a syncobj's fence signals. Bookworm's libdrm
 * (2.4.114) predates it, so its definition is repeated here when drm.h
 * lacks it. libaccel polls jobs through it: a sync_file would carry the
 * driver's fence out of the file, which the dcaccel node refuses.
 */
#ifndef LIBACCEL_SYNCOBJ_EVENTFD_H
#define LIBACCEL_SYNCOBJ_EVENTFD_H

#include <drm.h>

#ifndef DRM_IOCTL_SYNCOBJ_EVENTFD
struct drm_syncobj_eventfd {
	__u32 handle;
	__u32 flags;
	__u64 point;
	__s32 fd;
	__u32 pad;
};

#define DRM_IOCTL_SYNCOBJ_EVENTFD DRM_IOWR(0xCF, struct drm_syncobj_eventfd)
#endif

#endif
