// SPDX-License-Identifier: MIT
/* Device discovery, parameters and buffer objects, through libdrm. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>

#include "accel_internal.h"
#include "dcaccel_accel.h"

#define ACCEL_NODES_MAX	64
#define NODE_CANDIDATES	(2 * ACCEL_NODES_MAX)

/*
 * The k-th node a dcaccel device may have: /dev/accel/accel0..63, then
 * /dev/dri/renderD128..191, what the driver gives on a kernel built
 * without the accel subsystem (Debian's arm64 one).
 */
static void node_path(int k, char *buf, size_t len)
{
	if (k < ACCEL_NODES_MAX)
		snprintf(buf, len, "/dev/accel/accel%d", k);
	else
		snprintf(buf, len, "/dev/dri/renderD%d", 128 + k - ACCEL_NODES_MAX);
}

static int get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_dcaccel_get_param p = { .param = param };

	if (drmIoctl(fd, DRM_IOCTL_DCACCEL_GET_PARAM, &p))
		return -errno;
	*value = p.value;
	return 0;
}

/* Fill dev->info from the node's version and parameters. */
static int query(struct accel_device *dev, const char *node,
		 struct accel_error *err)
{
	static const struct { uint32_t param; const char *name; } params[] = {
		{ DRM_DCACCEL_PARAM_DEVICE_ID, "DEVICE_ID" },
		{ DRM_DCACCEL_PARAM_HW_VERSION, "HW_VERSION" },
		{ DRM_DCACCEL_PARAM_NUM_PES, "NUM_PES" },
		{ DRM_DCACCEL_PARAM_QUEUE_DEPTH, "QUEUE_DEPTH" },
		{ DRM_DCACCEL_PARAM_CLOCK_MHZ, "CLOCK_MHZ" },
		{ DRM_DCACCEL_PARAM_MAX_WBITS, "MAX_WBITS" },
		{ DRM_DCACCEL_PARAM_MAX_ZBITS, "MAX_ZBITS" },
		{ DRM_DCACCEL_PARAM_MAX_DIM, "MAX_DIM" },
		{ DRM_DCACCEL_PARAM_MAX_BATCH, "MAX_BATCH" },
		{ DRM_DCACCEL_PARAM_VA_START, "VA_START" },
		{ DRM_DCACCEL_PARAM_VA_SIZE, "VA_SIZE" },
		{ DRM_DCACCEL_PARAM_MAX_BOS, "MAX_BOS" },
		{ DRM_DCACCEL_PARAM_MAX_BO_SIZE, "MAX_BO_SIZE" },
	};
	struct accel_device_info *i = &dev->info;
	uint64_t v[sizeof(params) / sizeof(params[0])];
	drmVersionPtr ver = drmGetVersion(dev->fd);

	if (!ver)
		return accelp_fail(err, ACCEL_E_NODEV, "%s: not a DRM device", node);
	snprintf(i->driver, sizeof(i->driver), "%s", ver->name ? ver->name : "");
	i->driver_major = ver->version_major;
	i->driver_minor = ver->version_minor;
	i->driver_patch = ver->version_patchlevel;
	drmFreeVersion(ver);
	if (strcmp(i->driver, "dcaccel"))
		return accelp_fail(err, ACCEL_E_NODEV,
				  "%s: driver is \"%s\", not dcaccel", node, i->driver);
	for (size_t k = 0; k < sizeof(params) / sizeof(params[0]); k++) {
		int e = get_param(dev->fd, params[k].param, &v[k]);

		if (e)
			return accelp_fail(err, accelp_errno_status(-e),
					  "%s: GET_PARAM %s: %s", node,
					  params[k].name, strerror(-e));
	}
	snprintf(i->node, sizeof(i->node), "%s", node);
	i->device_id = (uint32_t)v[0];
	i->hw_version = (uint32_t)v[1];
	i->pes = (uint32_t)v[2];
	i->queue_depth = (uint32_t)v[3];
	i->clock_mhz = (uint32_t)v[4];
	i->max_wbits = (uint32_t)v[5];
	i->max_zbits = (uint32_t)v[6];
	i->max_dim = (uint32_t)v[7];
	i->max_batch = (uint32_t)v[8];
	i->va_start = v[9];
	i->va_size = v[10];
	i->max_bos = (uint32_t)v[11];
	i->max_bo_size = v[12];
	/* a driver before the energy model does not know the parameter */
	if (get_param(dev->fd, DRM_DCACCEL_PARAM_ENERGY, &v[0]) == 0)
		dev->has_energy = v[0] != 0;
	return ACCEL_OK;
}

static int open_node(const char *node, struct accel_device **out,
		     struct accel_error *err)
{
	struct accel_device *dev = calloc(1, sizeof(*dev));
	int st;

	if (!dev)
		return accelp_fail(err, ACCEL_E_NOMEM, "out of memory");
	dev->fd = open(node, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0) {
		int e = errno;

		free(dev);
		return accelp_fail(err, accelp_errno_status(e), "%s: %s%s", node,
				  strerror(e), e == EACCES ?
				  " (needs read-write access; run as root or join the node's group)" : "");
	}
	st = query(dev, node, err);
	if (st) {
		close(dev->fd);
		free(dev);
		return st;
	}
	*out = dev;
	return ACCEL_OK;
}

int accel_open_all(struct accel_device **devs, uint32_t max, uint32_t *n,
		   struct accel_error *err)
{
	char path[64];
	int denied = 0, st;

	if (!devs || !n || !max)
		return accelp_fail(err, ACCEL_E_INVALID, "accel_open_all: %s",
				  !devs ? "devs is NULL" : !n ? "n is NULL" : "max is 0");
	*n = 0;
	for (int k = 0; k < NODE_CANDIDATES && *n < max; k++) {
		node_path(k, path, sizeof(path));
		if (access(path, F_OK))
			continue;
		st = open_node(path, &devs[*n], NULL);
		if (st == ACCEL_OK)
			(*n)++;
		denied |= st == ACCEL_E_ACCESS;
	}
	if (*n)
		return ACCEL_OK;
	if (denied)
		return accelp_fail(err, ACCEL_E_ACCESS,
				  "permission denied on a device node; run as root or join its group");
	return accelp_fail(err, ACCEL_E_NODEV,
			  "no dcaccel device in /dev/accel or /dev/dri (is the dcaccel module loaded?)");
}

int accel_open(const char *node, struct accel_device **dev,
	       struct accel_error *err)
{
	uint32_t n;

	if (!dev)
		return accelp_fail(err, ACCEL_E_INVALID, "accel_open: dev is NULL");
	*dev = NULL;
	if (node)
		return open_node(node, dev, err);
	return accel_open_all(dev, 1, &n, err);	/* the first one */
}

void accel_close(struct accel_device *dev)
{
	if (!dev)
		return;
	close(dev->fd);
	free(dev);
}

int accel_device_info(const struct accel_device *dev,
		      struct accel_device_info *info, struct accel_error *err)
{
	if (!dev || !info)
		return accelp_fail(err, ACCEL_E_INVALID,
				  "accel_device_info: %s is NULL", dev ? "info" : "dev");
	*info = dev->info;
	return ACCEL_OK;
}

int accel_bo_create(struct accel_device *dev, uint64_t size, uint32_t flags,
		    struct accel_bo **out, struct accel_error *err)
{
	struct drm_dcaccel_bo_create c = { .size = size };
	struct drm_dcaccel_bo_info info = { 0 };
	struct drm_gem_close gc = { 0 };
	struct accel_bo *bo;
	int e;

	if (!dev || !out)
		return accelp_fail(err, ACCEL_E_INVALID, "accel_bo_create: %s is NULL",
				  dev ? "bo" : "dev");
	*out = NULL;
	if (flags & ~ACCEL_BO_DEVICE_READ_ONLY)
		return accelp_fail(err, ACCEL_E_INVALID,
				  "accel_bo_create: unknown flags 0x%x", flags);
	if (size == 0 || size > dev->info.max_bo_size)
		return accelp_fail(err, ACCEL_E_INVALID,
				  "accel_bo_create: size %llu is not in 1 .. %llu",
				  (unsigned long long)size,
				  (unsigned long long)dev->info.max_bo_size);
	c.flags = flags & ACCEL_BO_DEVICE_READ_ONLY ?
		  DRM_DCACCEL_BO_DEVICE_READ_ONLY : 0;
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return accelp_fail(err, ACCEL_E_NOMEM, "out of memory");
	if (drmIoctl(dev->fd, DRM_IOCTL_DCACCEL_BO_CREATE, &c)) {
		e = errno;
		free(bo);
		return accelp_fail(err, accelp_errno_status(e),
				  "BO_CREATE of %llu bytes: %s",
				  (unsigned long long)size, strerror(e));
	}
	info.handle = c.handle;
	if (drmIoctl(dev->fd, DRM_IOCTL_DCACCEL_BO_INFO, &info)) {
		e = errno;
		goto fail;
	}
	bo->map = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       dev->fd, info.mmap_offset);
	if (bo->map == MAP_FAILED) {
		e = errno;
		goto fail;
	}
	bo->dev = dev;
	bo->handle = c.handle;
	bo->va = c.va;
	bo->size = info.size;
	*out = bo;
	return ACCEL_OK;
fail:
	gc.handle = c.handle;
	drmIoctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &gc);
	free(bo);
	return accelp_fail(err, accelp_errno_status(e), "mapping a %llu-byte BO: %s",
			  (unsigned long long)size, strerror(e));
}

void accel_bo_free(struct accel_bo *bo)
{
	struct drm_gem_close gc = { 0 };

	if (!bo)
		return;
	munmap(bo->map, bo->size);
	gc.handle = bo->handle;
	drmIoctl(bo->dev->fd, DRM_IOCTL_GEM_CLOSE, &gc);
	free(bo);
}

void *accel_bo_map(const struct accel_bo *bo)
{
	return bo ? bo->map : NULL;
}

uint64_t accel_bo_va(const struct accel_bo *bo)
{
	return bo ? bo->va : 0;
}

uint64_t accel_bo_size(const struct accel_bo *bo)
{
	return bo ? bo->size : 0;
}
