/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * dcaccel: the ioctl ABI of the dcaccel DRM accel driver.
 *
 * Guide: Documentation/accel/dcaccel/uapi.rst.
 */
#ifndef __UAPI_DCACCEL_ACCEL_H__
#define __UAPI_DCACCEL_ACCEL_H__

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_DCACCEL_DRIVER_MAJOR	1
#define DRM_DCACCEL_DRIVER_MINOR	0

#define DRM_DCACCEL_GET_PARAM		0x00
#define DRM_DCACCEL_BO_CREATE		0x01
#define DRM_DCACCEL_BO_INFO		0x02
#define DRM_DCACCEL_SUBMIT		0x03
#define DRM_DCACCEL_WAIT_JOB		0x04
#define DRM_DCACCEL_BO_WAIT		0x05

#define DRM_IOCTL_DCACCEL_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_DCACCEL_GET_PARAM, \
		 struct drm_dcaccel_get_param)
#define DRM_IOCTL_DCACCEL_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_DCACCEL_BO_CREATE, \
		 struct drm_dcaccel_bo_create)
#define DRM_IOCTL_DCACCEL_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_DCACCEL_BO_INFO, \
		 struct drm_dcaccel_bo_info)
#define DRM_IOCTL_DCACCEL_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_DCACCEL_SUBMIT, \
		 struct drm_dcaccel_submit)
#define DRM_IOCTL_DCACCEL_WAIT_JOB \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_DCACCEL_WAIT_JOB, \
		 struct drm_dcaccel_wait_job)
#define DRM_IOCTL_DCACCEL_BO_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_DCACCEL_BO_WAIT, \
		 struct drm_dcaccel_bo_wait)

/**
 * DOC: contexts
 *
 * Every open file of /dev/accel/accelN is a context with a device address
 * space of its own. Buffer objects are mapped into it when they are
 * created; command buffers name buffers by their device virtual address
 * (VA) in that space. The device MMU faults on any VA the context has not
 * mapped, so a context can never reach another one's memory.
 */

/* Parameters for &drm_dcaccel_get_param.param */
#define DRM_DCACCEL_PARAM_DEVICE_ID	0	/* PCI vendor << 16 | device */
#define DRM_DCACCEL_PARAM_HW_VERSION	1	/* the device's version register */
#define DRM_DCACCEL_PARAM_NUM_PES	2	/* processing elements */
#define DRM_DCACCEL_PARAM_QUEUE_DEPTH	3	/* activation queue entries per PE */
#define DRM_DCACCEL_PARAM_CLOCK_MHZ	4	/* clock of the cycle counters */
#define DRM_DCACCEL_PARAM_MAX_WBITS	5	/* widest codebook index */
#define DRM_DCACCEL_PARAM_MAX_ZBITS	6	/* widest relative row index */
#define DRM_DCACCEL_PARAM_MAX_DIM	7	/* most rows or columns of a layer */
#define DRM_DCACCEL_PARAM_MAX_BATCH	8	/* most input vectors per op */
#define DRM_DCACCEL_PARAM_VA_START	9	/* first VA buffers are mapped at */
#define DRM_DCACCEL_PARAM_VA_SIZE	10	/* size of the VA range */
#define DRM_DCACCEL_PARAM_MAX_BOS	11	/* most BOs one SUBMIT may list */
#define DRM_DCACCEL_PARAM_MAX_BO_SIZE	12	/* largest BO */
#define DRM_DCACCEL_PARAM_MAX_JOBS	13	/* queued + running jobs per file */
#define DRM_DCACCEL_PARAM_ENERGY	14	/* 1: SUBMIT_ENERGY is honoured */

/**
 * struct drm_dcaccel_get_param - Query a device parameter
 */
struct drm_dcaccel_get_param {
	/** @param: in, one of DRM_DCACCEL_PARAM_* */
	__u32 param;
	/** @pad: must be zero */
	__u32 pad;
	/** @value: out, the parameter's value */
	__u64 value;
};

/* Flags for &drm_dcaccel_bo_create.flags */
/* The device may only read the buffer (codebooks, streams, inputs). */
#define DRM_DCACCEL_BO_DEVICE_READ_ONLY	0x1u
#define DRM_DCACCEL_BO_FLAGS		DRM_DCACCEL_BO_DEVICE_READ_ONLY
/* BO_INFO only: a dma-buf of another driver, imported (device read-only) */
#define DRM_DCACCEL_BO_IMPORTED		0x100u

/**
 * struct drm_dcaccel_bo_create - Create a buffer object and map it
 *
 * The buffer is zero-filled system memory, mapped into the calling
 * context's device address space at @va. The CPU maps it with mmap() on the
 * accel node at the offset that %DRM_IOCTL_DCACCEL_BO_INFO returns.
 */
struct drm_dcaccel_bo_create {
	/** @size: in, bytes, 1 .. DRM_DCACCEL_PARAM_MAX_BO_SIZE; rounded up to pages */
	__u64 size;
	/** @flags: in, DRM_DCACCEL_BO_* */
	__u32 flags;
	/** @handle: out, the GEM handle */
	__u32 handle;
	/** @va: out, the device virtual address of the first byte */
	__u64 va;
};

/**
 * struct drm_dcaccel_bo_info - Describe a buffer object of this context
 */
struct drm_dcaccel_bo_info {
	/** @handle: in */
	__u32 handle;
	/** @flags: out, the flags it was created with */
	__u32 flags;
	/** @size: out, bytes, page-aligned */
	__u64 size;
	/** @va: out, device virtual address */
	__u64 va;
	/** @mmap_offset: out, offset for mmap() on the accel node */
	__u64 mmap_offset;
};

/**
 * struct drm_dcaccel_submit - Queue a command buffer for the device
 *
 * The command buffer is @cmd_size bytes at @cmd_offset in the BO
 * @cmd_handle; its ops (Documentation/accel/dcaccel/hardware.rst) name
 * their operands by device VA in this context. Every BO an op reads or
 * writes must be listed in @bo_handles so that it stays resident until the
 * job completes. The job waits for the @in_syncobj_count syncobjs in
 * @in_syncobjs, then runs; on completion it signals @out_syncobj (when not
 * zero). Its status and statistics are read with
 * %DRM_IOCTL_DCACCEL_WAIT_JOB on the returned @job_id.
 */
struct drm_dcaccel_submit {
	/** @cmd_handle: in, BO holding the command buffer */
	__u32 cmd_handle;
	/** @flags: in, DRM_DCACCEL_SUBMIT_* */
	__u32 flags;
	/** @cmd_offset: in, bytes into the BO, 8-byte aligned */
	__u64 cmd_offset;
	/** @cmd_size: in, bytes, 8-byte aligned, not 0 */
	__u64 cmd_size;
	/** @bo_handles: in, user pointer to @bo_count __u32 GEM handles */
	__u64 bo_handles;
	/** @in_syncobjs: in, user pointer to @in_syncobj_count __u32 handles */
	__u64 in_syncobjs;
	/** @bo_count: in, 0 .. DRM_DCACCEL_PARAM_MAX_BOS */
	__u32 bo_count;
	/** @in_syncobj_count: in, at most 64 */
	__u32 in_syncobj_count;
	/** @out_syncobj: in, syncobj to signal when the job is done, or 0 */
	__u32 out_syncobj;
	/** @pad: must be zero */
	__u32 pad;
	/** @job_id: out, names the job for %DRM_IOCTL_DCACCEL_WAIT_JOB */
	__u64 job_id;
};

/*
 * Flags for &drm_dcaccel_submit.flags: DRM_DCACCEL_SUBMIT_ENERGY asks the
 * device for the job's modeled energy (&drm_dcaccel_wait_job.energy);
 * where DRM_DCACCEL_PARAM_ENERGY is 0 the submit fails with -EOPNOTSUPP.
 */
#define DRM_DCACCEL_SUBMIT_ENERGY	0x1u
#define DRM_DCACCEL_SUBMIT_FLAGS	DRM_DCACCEL_SUBMIT_ENERGY

/* Values of &drm_dcaccel_wait_job.status */
#define DRM_DCACCEL_JOB_OK		0	/* completed */
#define DRM_DCACCEL_JOB_MMU_FAULT	1	/* touched a VA it may not */
#define DRM_DCACCEL_JOB_BAD_COMMAND	2	/* the device refused a command */
#define DRM_DCACCEL_JOB_TIMEOUT		3	/* hung; the device was reset */
#define DRM_DCACCEL_JOB_CANCELED	4	/* not run: a reset or teardown */

/**
 * struct drm_dcaccel_job_stats - What the device counted for a job
 *
 * Summed over the job's ops. Documentation/accel/dcaccel/hardware.rst
 * defines each counter.
 */
struct drm_dcaccel_job_stats {
	/** @cycles: modeled datapath cycles */
	__u64 cycles;
	/** @nonzero_acts: non-zero input activations broadcast */
	__u64 nonzero_acts;
	/** @entries: stream entries read, padding included */
	__u64 entries;
	/** @macs: multiply-accumulates */
	__u64 macs;
	/** @pe_busy_min: busy cycles of the least busy PE */
	__u64 pe_busy_min;
	/** @pe_busy_max: busy cycles of the busiest PE */
	__u64 pe_busy_max;
	/** @pe_busy_total: busy cycles over all PEs */
	__u64 pe_busy_total;
	/** @fault_va: the faulting VA when status is DRM_DCACCEL_JOB_MMU_FAULT */
	__u64 fault_va;
};

/**
 * struct drm_dcaccel_job_energy - The energy model's account of a job
 *
 * Summed over the ops that completed; all zero for a job submitted
 * without DRM_DCACCEL_SUBMIT_ENERGY. Documentation/accel/dcaccel/
 * hardware.rst ("Energy model") says what is counted and its prices.
 */
struct drm_dcaccel_job_energy {
	/** @dram_weight_words: 32-bit DRAM words of the ops' weights */
	__u64 dram_weight_words;
	/** @dram_act_words: 32-bit DRAM words of activations off chip */
	__u64 dram_act_words;
	/** @sram_words: 32-bit SRAM words read and written */
	__u64 sram_words;
	/** @dram_weights_fj: femtojoules of the weights' DRAM words */
	__u64 dram_weights_fj;
	/** @dram_acts_fj: femtojoules of the activations' DRAM words */
	__u64 dram_acts_fj;
	/** @sram_fj: femtojoules of the SRAM words */
	__u64 sram_fj;
	/** @arith_fj: femtojoules of multiplies, adds and shifts */
	__u64 arith_fj;
	/** @bitops_fj: femtojoules of the bit-plane popcounts */
	__u64 bitops_fj;
};

/**
 * struct drm_dcaccel_wait_job - Wait for a job of this context
 *
 * Returns 0 when the job has finished (whatever its status), -ETIME when
 * @timeout_ns passed first, -EINVAL for a job this context did not submit
 * or whose record was already retired (the last 256 jobs are kept).
 */
struct drm_dcaccel_wait_job {
	/** @job_id: in, from &drm_dcaccel_submit */
	__u64 job_id;
	/**
	 * @timeout_ns: in, relative; 0 polls. Out: what is left of it when a
	 * signal interrupts the wait, so that a restarted call keeps the
	 * deadline.
	 */
	__s64 timeout_ns;
	/** @status: out, DRM_DCACCEL_JOB_* */
	__u32 status;
	/** @pad: must be zero */
	__u32 pad;
	/** @stats: out */
	struct drm_dcaccel_job_stats stats;
	/**
	 * @energy: out, since hardware version 1.2 (a caller built against
	 * an older header passes the struct without it and is not written
	 * past its end)
	 */
	struct drm_dcaccel_job_energy energy;
};

/**
 * struct drm_dcaccel_bo_wait - Wait until no job uses a buffer object
 *
 * Returns 0 when idle, -ETIME when @timeout_ns passed first.
 */
struct drm_dcaccel_bo_wait {
	/** @handle: in */
	__u32 handle;
	/** @pad: must be zero */
	__u32 pad;
	/**
	 * @timeout_ns: in, relative; 0 polls. Out: what is left of it when a
	 * signal interrupts the wait, so that a restarted call keeps the
	 * deadline.
	 */
	__s64 timeout_ns;
};

#if defined(__cplusplus)
}
#endif

#endif /* __UAPI_DCACCEL_ACCEL_H__ */
