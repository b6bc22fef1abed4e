/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the dcaccel kselftests: find and open the accel node, wrap
 * the ioctls so that they return -errno, and build command buffers.
 */
#ifndef DCACCEL_SELFTEST_UTIL_H
#define DCACCEL_SELFTEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "drm.h"
#include "dcaccel_accel.h"
#include "dcaccel_hw.h"

/* ioctls this process made through dc_ioctl (the stress test counts) */
static long long dc_ioctl_count;

/* ioctl that returns 0 or -errno, retrying when a signal interrupts it */
static inline int dc_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		__atomic_fetch_add(&dc_ioctl_count, 1, __ATOMIC_RELAXED);
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

/*
 * Open the n-th accel node (0, 1, ...) the dcaccel driver owns, loading
 * the driver first when there is none; -ENODEV when there is no such node.
 */
static inline int dc_open_nth(int n)
{
	static int loaded;
	char path[64], name[32];
	int i, fd, left;

	for (;;) {
		/* accel nodes, then render nodes (a kernel without DRM_ACCEL) */
		for (i = 0, left = n; i < 128; i++) {
			struct drm_version v = {
				.name = name, .name_len = sizeof(name) - 1,
			};

			if (i < 64)
				snprintf(path, sizeof(path), "/dev/accel/accel%d", i);
			else
				snprintf(path, sizeof(path), "/dev/dri/renderD%d", 64 + i);
			fd = open(path, O_RDWR | O_CLOEXEC);
			if (fd < 0)
				continue;
			memset(name, 0, sizeof(name));
			if (!dc_ioctl(fd, DRM_IOCTL_VERSION, &v) &&
			    !strcmp(name, "dcaccel") && left-- == 0)
				return fd;
			close(fd);
		}
		if (loaded++)
			return -ENODEV;
		if (system("modprobe dcaccel 2>/dev/null"))
			return -ENODEV;
	}
}

/* The first of them. */
static inline int dc_open(void)
{
	return dc_open_nth(0);
}

static inline uint64_t dc_param(int fd, uint32_t param)
{
	struct drm_dcaccel_get_param p = { .param = param };

	return dc_ioctl(fd, DRM_IOCTL_DCACCEL_GET_PARAM, &p) ? 0 : p.value;
}

struct dc_bo {
	uint32_t handle;
	uint64_t va;
	uint64_t size;
	void *map;
};

static inline int dc_bo_create(int fd, uint64_t size, uint32_t flags,
			       struct dc_bo *bo)
{
	struct drm_dcaccel_bo_create c = { .size = size, .flags = flags };
	struct drm_dcaccel_bo_info info = { 0 };
	int ret = dc_ioctl(fd, DRM_IOCTL_DCACCEL_BO_CREATE, &c);

	if (ret)
		return ret;
	info.handle = c.handle;
	ret = dc_ioctl(fd, DRM_IOCTL_DCACCEL_BO_INFO, &info);
	if (ret)
		return ret;
	bo->handle = c.handle;
	bo->va = c.va;
	bo->size = info.size;
	bo->map = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, info.mmap_offset);
	return bo->map == MAP_FAILED ? -errno : 0;
}

static inline void dc_bo_destroy(int fd, struct dc_bo *bo)
{
	struct drm_gem_close c = { .handle = bo->handle };

	if (bo->map && bo->map != MAP_FAILED)
		munmap(bo->map, bo->size);
	dc_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
	memset(bo, 0, sizeof(*bo));
}

/* Write a NOP op at byte offset off of a command BO; returns its size. */
static inline uint32_t dc_put_nop(struct dc_bo *bo, uint64_t off)
{
	struct dcaccel_op_header h = { .opcode = DCACCEL_OP_NOP, .size = 8 };

	memcpy((char *)bo->map + off, &h, sizeof(h));
	return sizeof(h);
}

static inline uint32_t dc_put_debug(struct dc_bo *bo, uint64_t off,
				    uint32_t action, uint64_t va)
{
	struct dcaccel_op_debug d = {
		.hdr = { .opcode = DCACCEL_OP_DEBUG,
			 .size = DCACCEL_OP_DEBUG_SIZE },
		.action = action,
		.va = va,
	};

	memcpy((char *)bo->map + off, &d, sizeof(d));
	return sizeof(d);
}

/* Submit size bytes at off of cmd, listing bos; returns 0 or -errno. */
/* SUBMIT with flags (DRM_DCACCEL_SUBMIT_*). */
static inline int dc_submit_flags(int fd, struct dc_bo *cmd, uint64_t off,
				  uint64_t size, const uint32_t *bos,
				  uint32_t nbos, const uint32_t *in,
				  uint32_t nin, uint32_t out, uint32_t flags,
				  uint64_t *job_id)
{
	struct drm_dcaccel_submit s = {
		.cmd_handle = cmd->handle,
		.flags = flags,
		.cmd_offset = off,
		.cmd_size = size,
		.bo_handles = (uintptr_t)bos,
		.bo_count = nbos,
		.in_syncobjs = (uintptr_t)in,
		.in_syncobj_count = nin,
		.out_syncobj = out,
	};
	int ret = dc_ioctl(fd, DRM_IOCTL_DCACCEL_SUBMIT, &s);

	if (!ret && job_id)
		*job_id = s.job_id;
	return ret;
}

static inline int dc_submit(int fd, struct dc_bo *cmd, uint64_t off,
			    uint64_t size, const uint32_t *bos, uint32_t nbos,
			    const uint32_t *in, uint32_t nin, uint32_t out,
			    uint64_t *job_id)
{
	return dc_submit_flags(fd, cmd, off, size, bos, nbos, in, nin, out, 0,
			       job_id);
}

static inline int dc_wait_job(int fd, uint64_t job_id, int64_t timeout_ns,
			      struct drm_dcaccel_wait_job *w)
{
	memset(w, 0, sizeof(*w));
	w->job_id = job_id;
	w->timeout_ns = timeout_ns;
	return dc_ioctl(fd, DRM_IOCTL_DCACCEL_WAIT_JOB, w);
}

static inline uint32_t dc_syncobj_create(int fd)
{
	struct drm_syncobj_create c = { 0 };

	return dc_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c) ? 0 : c.handle;
}

static inline int dc_syncobj_wait(int fd, uint32_t handle, int64_t rel_ns)
{
	struct timespec ts;
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&handle,
		.count_handles = 1,
	};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	w.timeout_nsec = ts.tv_sec * 1000000000ll + ts.tv_nsec + rel_ns;
	return dc_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

#define DC_SEC	1000000000ll

/* The PCI address of the device behind fd, e.g. "0000:00:02.0". */
static inline int dc_pci_address(int fd, char *buf, size_t len)
{
	char link[128], target[256];
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st))
		return -errno;
	/* an accel node or a render node alike */
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/device",
		 major(st.st_rdev), minor(st.st_rdev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	snprintf(buf, len, "%s", basename(target));
	return 0;
}

static inline int dc_sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * The path of debugfs file `name` of the device behind fd: under accel/
 * for an accel node, dri/ for a render node (DRM's major, 226).
 */
static inline int dc_debugfs_path(int fd, const char *name, char *buf,
				  size_t len)
{
	char pci[64];
	struct stat st;
	int ret = dc_pci_address(fd, pci, sizeof(pci));

	if (ret)
		return ret;
	if (fstat(fd, &st))
		return -errno;
	snprintf(buf, len, "/sys/kernel/debug/%s/%s/%s",
		 major(st.st_rdev) == 226 ? "dri" : "accel", pci, name);
	return 0;
}

/* Read a debugfs counter ("name value" lines) of the device behind fd. */
static inline long long dc_counter(int fd, const char *name)
{
	char path[160], key[64];
	long long val, found = -1;
	FILE *f;

	if (dc_debugfs_path(fd, "counters", path, sizeof(path)))
		return -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", key, &val) == 2)
		if (!strcmp(key, name))
			found = val;
	fclose(f);
	return found;
}

/* Write "1" to the debugfs reset knob of the device behind fd. */
static inline int dc_debugfs_reset(int fd)
{
	char path[160];
	int ret = dc_debugfs_path(fd, "reset", path, sizeof(path));

	return ret ? ret : dc_sysfs_write(path, "1");
}

/* One NOP job on a fresh file completes: the device is usable. */
static inline int dc_device_works(void)
{
	struct drm_dcaccel_wait_job w;
	struct dc_bo cmd;
	uint64_t job;
	int fd = dc_open(), ret;

	if (fd < 0)
		return fd;
	ret = dc_bo_create(fd, 4096, 0, &cmd);
	if (!ret) {
		dc_put_nop(&cmd, 0);
		ret = dc_submit(fd, &cmd, 0, 8, NULL, 0, NULL, 0, 0, &job);
	}
	if (!ret)
		ret = dc_wait_job(fd, job, 10 * DC_SEC, &w);
	if (!ret && w.status != DRM_DCACCEL_JOB_OK)
		ret = -EIO;
	close(fd);
	return ret;
}

/* The number a sysfs or debugfs file holds, or -1. */
static inline long dc_read_number(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* The module's reference count, or -1. */
static inline int dc_module_refcnt(void)
{
	return dc_read_number("/sys/module/dcaccel/refcnt");
}

/* Wait up to 10 s for the module's references to come back to want. */
static inline int dc_refcnt_settles(int want)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (dc_module_refcnt() == want)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* Unload (once the last context has gone) and load with params. */
static inline int dc_reload(const char *params)
{
	char cmd[128];

	dc_refcnt_settles(0);

	snprintf(cmd, sizeof(cmd), "rmmod dcaccel && modprobe dcaccel %s",
		 params);
	return system(cmd);
}

/* Whether the device honours the DEBUG op (fault-injection=on). */
/*
 * Whether this kernel bounces streaming DMA (swiotlb=force, the test
 * lane's stand-in for a board whose device does not snoop the CPU's
 * caches): there the CPU sees what the device wrote only once a job
 * ends and the driver syncs its buffers, never a write outside a job.
 */
static inline int dc_dma_bounced(void)
{
	char line[4096], *arg;
	FILE *f = fopen("/proc/cmdline", "r");
	int bounced = 0;

	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f)) {
		for (arg = strtok(line, " \n"); arg; arg = strtok(NULL, " \n"))
			bounced |= !strncmp(arg, "swiotlb=", 8) &&
				   strstr(arg, "force") != NULL;
	}
	fclose(f);
	return bounced;
}

static inline int dc_has_fault_injection(int fd)
{
	struct drm_dcaccel_wait_job w;
	struct dc_bo cmd;
	uint64_t job;
	int ret;

	if (dc_bo_create(fd, 4096, 0, &cmd))
		return 0;
	dc_put_debug(&cmd, 0, DCACCEL_DEBUG_FAULT, cmd.va);
	ret = !dc_submit(fd, &cmd, 0, DCACCEL_OP_DEBUG_SIZE, NULL, 0, NULL,
			 0, 0, &job) &&
	      !dc_wait_job(fd, job, 10 * DC_SEC, &w) &&
	      w.status == DRM_DCACCEL_JOB_OK;
	dc_bo_destroy(fd, &cmd);
	return ret;
}

/*
 * Victims: n BOs of size bytes each, filled with fill, in file fd, which
 * a misbehaving device must never reach. 0 or -errno.
 */
static inline int dc_victims_create(int fd, struct dc_bo *v, int n,
				    uint64_t size, uint8_t fill)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		ret = dc_bo_create(fd, size, 0, &v[i]);
		if (ret)
			return ret;
		memset(v[i].map, fill, v[i].size);
	}
	return 0;
}

/* How many bytes of the victims no longer hold fill; destroys them. */
static inline size_t dc_victims_changed(int fd, struct dc_bo *v, int n,
					uint8_t fill)
{
	size_t changed = 0, k;
	int i;

	for (i = 0; i < n; i++) {
		const uint8_t *p = v[i].map;

		for (k = 0; p && k < v[i].size; k++)
			changed += p[k] != fill;
		dc_bo_destroy(fd, &v[i]);
	}
	return changed;
}

#endif /* DCACCEL_SELFTEST_UTIL_H */
