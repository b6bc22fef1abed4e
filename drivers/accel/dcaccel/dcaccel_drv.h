/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dcaccel: the driver's own structures, shared by its files. The device's
 * layouts come from include/dcaccel/dcaccel_hw.h and are not repeated here.
 */
#ifndef __DCACCEL_DRV_H__
#define __DCACCEL_DRV_H__

#include <linux/atomic.h>
#include <linux/dma-fence.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_mm.h>
#include <drm/gpu_scheduler.h>

#include "dcaccel_hw.h"
#include "dcaccel_accel.h"

#define DCACCEL_DRIVER_NAME	"dcaccel"

/* Where buffer objects go in every context's device address space. */
#define DCACCEL_VA_START	0x100000ull	/* VA 0 and its neighbours fault */
#define DCACCEL_VA_END		BIT_ULL(DCACCEL_VA_BITS)
#define DCACCEL_MAX_BO_SIZE	BIT_ULL(28)	/* pinned at creation */
#define DCACCEL_SUBMIT_MAX_BOS	256
#define DCACCEL_SUBMIT_MAX_SYNCOBJS	64
#define DCACCEL_RING_ENTRIES	256
#define DCACCEL_JOB_RECORDS	256	/* finished jobs a file can still read */
/* queued and running jobs of one file: bounds its memory and its share */
#define DCACCEL_FILE_MAX_JOBS	128
/* how long a soft reset may take before the device counts as wedged */
#define DCACCEL_RESET_TIMEOUT_US	1000000
/* handles one syncobj array ioctl may name on the dcaccel node */
#define DCACCEL_SYNCOBJ_ARRAY_MAX	4096

/* The device's capability registers, read once at probe. */
struct dcaccel_caps {
	u32 version;
	u32 pes;
	u32 queue_depth;
	u32 format;
	u32 max_batch;
	u32 max_ops;
	u32 contexts;
	u32 max_dim;
	u32 max_cmd_bytes;
	u32 ring_max;
	u32 flags;
	u32 clock_mhz;
};

/* The command ring and, slot by slot, the completion records. */
struct dcaccel_ring {
	struct dcaccel_ring_entry *entries;
	dma_addr_t entries_dma;
	void *records;
	dma_addr_t records_dma;
	u32 record_stride;
	u32 size;
	u32 tail;
	u64 next_seqno;
	ktime_t last_done;		/* when the device last ended a job */
	struct list_head inflight;	/* jobs on the ring, oldest first */
};

struct dcaccel_counters {
	atomic64_t submitted;
	atomic64_t completed;
	atomic64_t failed;
	atomic64_t faults;
	atomic64_t timeouts;
	atomic64_t resets;
	atomic64_t irqs;
	atomic64_t suspends;	/* to D3hot, runtime or system sleep */
	atomic64_t resumes;
};

struct dcaccel_device {
	struct drm_device drm;
	struct pci_dev *pdev;
	void __iomem *regs;
	struct dcaccel_caps caps;

	/*
	 * ring, inflight list, context table, unplugged, suspended, wedged
	 * and broken: under hw_lock. A wedged device did not stop after a
	 * soft and a function reset: its jobs fail, but every job that was
	 * on its ring is kept (wedged_jobs), with the buffers and tables its
	 * context may reach, for good. A broken one stopped but refused its
	 * ring: its jobs fail. A suspended one is in D3hot: no register may
	 * be touched.
	 */
	spinlock_t hw_lock;
	struct dcaccel_ring ring;
	struct dcaccel_ctx_entry *ctx_table;
	dma_addr_t ctx_table_dma;
	u32 ctx_count;
	bool unplugged;
	bool suspended;
	bool wedged;
	bool broken;
	struct list_head wedged_jobs;
	struct ida ctx_ida;

	/* contexts alive, for debugfs */
	struct mutex vms_lock;
	struct list_head vms;

	struct drm_gpu_scheduler sched;
	u64 fence_context;
	atomic64_t fence_seqno;
	struct mutex reset_lock;	/* one reset at a time */
	/* ordered: the scheduler's timeouts and the debugfs reset, in turn */
	struct workqueue_struct *reset_wq;
	struct work_struct reset_work;
	/* system sleep: the scheduler stays stopped (under reset_lock) */
	bool asleep;

	struct dcaccel_counters counters;
};

/* One level of a context's device page table. */
struct dcaccel_pt {
	__le64 *entries;
	dma_addr_t dma;
	struct dcaccel_pt **children;	/* NULL for level 0 */
	unsigned int used;		/* valid entries */
};

/*
 * A device address space: one per open file, one context table entry.
 * Jobs and buffers hold references; the last one frees it from a work
 * item (never from the scheduler's own workqueue, see dcaccel_vm.c).
 */
struct dcaccel_vm {
	struct kref ref;
	struct dcaccel_device *ddev;
	u32 ctx_id;
	bool ctx_live;		/* ctx_id and its table entry are ours */
	bool closed;		/* the file is gone: no job can come */
	/* mm, root, mapped, the job list and the deferred buffers */
	struct mutex lock;
	struct drm_mm mm;
	struct dcaccel_pt *root;	/* NULL once detached (unbind) */
	u64 mapped;		/* bytes */
	struct list_head jobs;	/* alive (created, not freed), oldest first */
	u32 job_count;
	u64 job_seq;		/* of the newest job */
	struct list_head dead_bos;	/* freed while a job could reach them */
	/* its job last put on the ring; under hw_lock (dcaccel_prepare_job) */
	struct dma_fence *last_hw_fence;
	/* what its jobs took of the device, for fdinfo */
	atomic64_t engine_ns;
	atomic64_t cycles;
	struct list_head link;	/* in ddev->vms */
	struct work_struct release_work;
};

/* What a job's WAIT_JOB returns; outlives the job, shared with the file. */
struct dcaccel_job_record {
	struct kref ref;
	u64 job_id;
	u32 status;		/* DRM_DCACCEL_JOB_* */
	struct drm_dcaccel_job_stats stats;
	struct drm_dcaccel_job_energy energy;
	struct dma_fence *finished;
};

struct dcaccel_file {
	struct dcaccel_device *ddev;
	struct dcaccel_vm *vm;
	struct drm_sched_entity entity;
	struct mutex submit_lock;	/* job arm+push, records */
	u64 next_job_id;
	struct dcaccel_job_record *records[DCACCEL_JOB_RECORDS];
};

struct dcaccel_bo {
	struct drm_gem_shmem_object base;
	struct dcaccel_vm *vm;		/* the only context it is mapped in */
	struct drm_mm_node node;	/* its VA range, a guard page included */
	u32 flags;			/* DRM_DCACCEL_BO_* */
	bool dma_sync;			/* its DMA needs syncs (bounced) */
	/* freed while jobs of its context lived: kept until they are gone */
	struct list_head dead_link;	/* in vm->dead_bos */
	u64 dead_after;			/* the newest job that may reach it */
};

/* A ring fence carries its own lock: it may outlive the device. */
struct dcaccel_fence {
	struct dma_fence base;
	spinlock_t lock;	/* the fence's, dma_fence_init() */
};

struct dcaccel_job {
	struct drm_sched_job base;
	struct dcaccel_device *ddev;
	struct dcaccel_vm *vm;
	struct list_head vm_link;	/* in vm->jobs while alive */
	u64 vm_seq;
	struct dcaccel_job_record *record;
	struct drm_gem_object **bos;
	u32 bo_count;
	bool dma_sync;		/* one of bos needs DMA syncs */
	bool energy;		/* DRM_DCACCEL_SUBMIT_ENERGY */
	u64 cmd_va;
	u32 cmd_len;
	u64 seqno;		/* of the last time it went on the ring */
	u32 slot;
	ktime_t pushed_at;	/* when it last went on the ring */
	struct dcaccel_fence *fence;	/* allocated at SUBMIT, run_job inits */
	struct dma_fence *hw_fence;	/* &fence->base once initialised */
	struct list_head inflight_link;
};

/* The device models a job's energy when asked (hardware version 1.2). */
static inline bool dcaccel_has_energy(const struct dcaccel_caps *c)
{
	return c->flags & DCACCEL_CAP_F_ENERGY;
}

static inline struct dcaccel_device *to_dcaccel(struct drm_device *drm)
{
	return container_of(drm, struct dcaccel_device, drm);
}

static inline struct dcaccel_bo *to_dcaccel_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct dcaccel_bo, base.base);
}

static inline struct dcaccel_job *to_dcaccel_job(struct drm_sched_job *job)
{
	return container_of(job, struct dcaccel_job, base);
}

/* The device writes its structures little-endian. */
static inline u64 dcaccel_ld64(const __u64 *p)
{
	return le64_to_cpu((__force __le64)READ_ONCE(*p));
}

static inline u32 dcaccel_ld32(const __u32 *p)
{
	return le32_to_cpu((__force __le32)READ_ONCE(*p));
}

/* dcaccel_hw.c */
u32 dcaccel_read(struct dcaccel_device *ddev, u32 reg);
void dcaccel_write(struct dcaccel_device *ddev, u32 reg, u32 val);
u64 dcaccel_read64(struct dcaccel_device *ddev, u32 reg);
int dcaccel_hw_probe(struct dcaccel_device *ddev);
int dcaccel_hw_alloc(struct dcaccel_device *ddev);
void dcaccel_hw_free(struct dcaccel_device *ddev);
int dcaccel_hw_start(struct dcaccel_device *ddev);
void dcaccel_hw_disable(struct dcaccel_device *ddev);
int dcaccel_hw_wait_idle(struct dcaccel_device *ddev);
int dcaccel_hw_reset_function(struct dcaccel_device *ddev, bool locked);
void dcaccel_hw_ring_push(struct dcaccel_device *ddev, struct dcaccel_job *job);
void dcaccel_hw_reap(struct dcaccel_device *ddev);
void dcaccel_hw_reset(struct dcaccel_device *ddev, struct dcaccel_job *bad);
void dcaccel_hw_unplug(struct dcaccel_device *ddev);
irqreturn_t dcaccel_irq(int irq, void *arg);
void dcaccel_hw_set_ctx(struct dcaccel_device *ddev, u32 ctx, u64 root);
bool dcaccel_hw_ring_idle(struct dcaccel_device *ddev);

/* dcaccel_mmu.c */
struct dcaccel_pt *dcaccel_pt_alloc(struct dcaccel_device *ddev, int level);
void dcaccel_pt_free(struct dcaccel_device *ddev, struct dcaccel_pt *pt,
		     int level);
int dcaccel_mmu_map(struct dcaccel_vm *vm, u64 va, struct sg_table *sgt,
		    u64 size, bool writable);
void dcaccel_mmu_unmap(struct dcaccel_vm *vm, u64 va, u64 size);
u64 dcaccel_mmu_lookup(struct dcaccel_vm *vm, u64 va);

/* dcaccel_vm.c */
int dcaccel_vm_wq_init(void);
void dcaccel_vm_wq_fini(void);
struct dcaccel_vm *dcaccel_vm_create(struct dcaccel_device *ddev);
void dcaccel_vm_put(struct dcaccel_vm *vm);
void dcaccel_vm_close(struct dcaccel_vm *vm);
int dcaccel_vm_job_add(struct dcaccel_vm *vm, struct dcaccel_job *job);
void dcaccel_vm_job_del(struct dcaccel_vm *vm, struct dcaccel_job *job);
bool dcaccel_vm_defer_bo(struct dcaccel_vm *vm, struct dcaccel_bo *bo);
void dcaccel_vm_detach_all(struct dcaccel_device *ddev);

/* dcaccel_gem.c */
void dcaccel_bo_release(struct dcaccel_bo *bo);
void dcaccel_bo_detach(struct dcaccel_bo *bo);
void dcaccel_job_sync_for_device(struct dcaccel_job *job);
void dcaccel_job_sync_for_cpu(struct dcaccel_job *job);
struct drm_gem_object *dcaccel_gem_create_object(struct drm_device *drm,
						 size_t size);
struct dcaccel_bo *dcaccel_bo_lookup(struct drm_file *file, u32 handle);
int dcaccel_bo_create_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file);
int dcaccel_bo_info_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file);
int dcaccel_bo_wait_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file);
long dcaccel_timeout_to_jiffies(s64 timeout_ns);
void dcaccel_timeout_left(s64 *timeout_ns, ktime_t start);

/* dcaccel_job.c */
int dcaccel_sched_init(struct dcaccel_device *ddev);
void dcaccel_sched_fini(struct dcaccel_device *ddev);
int dcaccel_submit_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file);
int dcaccel_wait_job_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file);
void dcaccel_job_complete(struct dcaccel_job *job,
			  const struct dcaccel_completion *rec);
void dcaccel_job_account(struct dcaccel_job *job, u64 cycles);
void dcaccel_file_records_fini(struct dcaccel_file *dfile);
void dcaccel_fence_signal(struct dma_fence *fence, int error);
void dcaccel_recover(struct dcaccel_device *ddev, struct dcaccel_job *bad);
extern unsigned int dcaccel_job_timeout_ms;

/* dcaccel_ioctl.c */
long dcaccel_ioctl(struct file *filp, unsigned int cmd, unsigned long arg);
#ifdef CONFIG_COMPAT
long dcaccel_compat_ioctl(struct file *filp, unsigned int cmd,
			  unsigned long arg);
#else
#define dcaccel_compat_ioctl NULL
#endif

/* dcaccel_coredump.c */
void dcaccel_coredump(struct dcaccel_device *ddev, struct dcaccel_job *bad);

/* dcaccel_pm.c */
extern const struct dev_pm_ops dcaccel_pm_ops;
void dcaccel_pm_enable(struct dcaccel_device *ddev);
void dcaccel_pm_disable(struct dcaccel_device *ddev);
int dcaccel_pm_get(struct dcaccel_device *ddev);
void dcaccel_pm_put(struct dcaccel_device *ddev);

/* dcaccel_debugfs.c */
void dcaccel_debugfs_init(struct dcaccel_device *ddev);

#endif /* __DCACCEL_DRV_H__ */
