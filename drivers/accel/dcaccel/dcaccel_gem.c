// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel: buffer objects on shmem, each mapped at creation into the
 * device address space of the file that created it (dcaccel_vm.c says
 * when the mapping goes), and the waits on them.
 */
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/drm_vma_manager.h>

#include "dcaccel_drv.h"

/* Unmap bo from the device and free it: no job can reach it any more. */
void dcaccel_bo_release(struct dcaccel_bo *bo)
{
	struct drm_gem_object *obj = &bo->base.base;
	struct dcaccel_vm *vm = bo->vm;

	if (vm) {
		mutex_lock(&vm->lock);
		dcaccel_mmu_unmap(vm, bo->node.start, obj->size);
		vm->mapped -= obj->size;
		drm_mm_remove_node(&bo->node);
		mutex_unlock(&vm->lock);
	}
	drm_gem_shmem_free(&bo->base);
	dcaccel_vm_put(vm);
}

/*
 * The device is unbound: drop bo's DMA mapping (its pages stay, for CPU
 * mappings), as ivpu does. An import's mapping is its attachment's, which
 * goes when the import does. The caller holds the context's lock.
 */
void dcaccel_bo_detach(struct dcaccel_bo *bo)
{
	struct drm_gem_shmem_object *shmem = &bo->base;
	struct drm_gem_object *obj = &shmem->base;

	if (obj->import_attach)
		return;
	dma_resv_lock(obj->resv, NULL);
	if (shmem->sgt) {
		/*
		 * Every job that ended gave its buffers back to the CPU;
		 * what a canceled one left in a bounce buffer must not
		 * overwrite what the CPU has written since.
		 */
		dma_unmap_sgtable(obj->dev->dev, shmem->sgt, DMA_BIDIRECTIONAL,
				  DMA_ATTR_SKIP_CPU_SYNC);
		sg_free_table(shmem->sgt);
		kfree(shmem->sgt);
		shmem->sgt = NULL;
	}
	dma_resv_unlock(obj->resv);
}

/*
 * A job's buffers go to the device when it starts and come back to the
 * CPU before its fence signals: where DMA needs it (bo->dma_sync), cache
 * maintenance or swiotlb copies; nothing on cache-coherent DMA without
 * bounce buffers (x86, QEMU's virt). Only the buffers the job lists (the
 * uAPI's contract); an import's CPU access is its exporter's to order
 * (DMA_BUF_IOCTL_SYNC). The caller holds hw_lock with the device bound,
 * so no mapping goes meanwhile (dcaccel_vm_detach_all runs after unplug).
 */
void dcaccel_job_sync_for_device(struct dcaccel_job *job)
{
	struct device *dev = job->ddev->drm.dev;
	u32 i;

	for (i = 0; i < job->bo_count; i++) {
		struct dcaccel_bo *bo = to_dcaccel_bo(job->bos[i]);

		if (bo->dma_sync && bo->base.sgt)
			dma_sync_sgtable_for_device(dev, bo->base.sgt,
						    DMA_BIDIRECTIONAL);
	}
}

/* Only what the device may have written: not its read-only buffers. */
void dcaccel_job_sync_for_cpu(struct dcaccel_job *job)
{
	struct device *dev = job->ddev->drm.dev;
	u32 i;

	for (i = 0; i < job->bo_count; i++) {
		struct dcaccel_bo *bo = to_dcaccel_bo(job->bos[i]);

		if (bo->dma_sync && bo->base.sgt &&
		    !(bo->flags & DRM_DCACCEL_BO_DEVICE_READ_ONLY))
			dma_sync_sgtable_for_cpu(dev, bo->base.sgt,
						 DMA_BIDIRECTIONAL);
	}
}

/* The last reference went, maybe while a job of its context still runs. */
static void dcaccel_bo_free(struct drm_gem_object *obj)
{
	struct dcaccel_bo *bo = to_dcaccel_bo(obj);

	if (bo->vm && dcaccel_vm_defer_bo(bo->vm, bo))
		return;
	dcaccel_bo_release(bo);
}

/* A BO is mapped in one context only: it is not shared through dma-buf. */
static struct dma_buf *dcaccel_bo_export(struct drm_gem_object *obj,
					 int flags)
{
	return ERR_PTR(-EOPNOTSUPP);
}

/* Whether any of sgt is bounced or not snooped: dma_sync_* do something. */
static bool dcaccel_sgt_need_sync(struct device *dev, struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (dma_need_sync(dev, sg_dma_address(sg)))
			return true;
	}
	return false;
}

/* Pin the pages and map them at a fresh VA, a guard page after them. */
static int dcaccel_bo_map(struct dcaccel_bo *bo, struct dcaccel_vm *vm)
{
	struct drm_gem_object *obj = &bo->base.base;
	struct sg_table *sgt;
	int ret;

	sgt = drm_gem_shmem_get_pages_sgt(&bo->base);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	bo->dma_sync = !obj->import_attach &&
		       dcaccel_sgt_need_sync(obj->dev->dev, sgt);

	mutex_lock(&vm->lock);
	ret = drm_mm_insert_node_generic(&vm->mm, &bo->node,
					 obj->size + DCACCEL_PAGE_SIZE,
					 DCACCEL_PAGE_SIZE, 0,
					 DRM_MM_INSERT_BEST);
	if (ret) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	ret = dcaccel_mmu_map(vm, bo->node.start, sgt, obj->size,
			      !(bo->flags & DRM_DCACCEL_BO_DEVICE_READ_ONLY));
	if (ret) {
		drm_mm_remove_node(&bo->node);
		goto out_unlock;
	}
	kref_get(&vm->ref);
	bo->vm = vm;
out_unlock:
	mutex_unlock(&vm->lock);
	return ret;
}

/* Device addresses of an import must map page by page. */
static bool dcaccel_sgt_page_aligned(struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (!IS_ALIGNED(sg_dma_address(sg), DCACCEL_PAGE_SIZE) ||
		    !IS_ALIGNED(sg_dma_len(sg), DCACCEL_PAGE_SIZE))
			return false;
	}
	return true;
}

/*
 * A handle for obj was made in file. Our own buffers were mapped when they
 * were created (and never get a handle in another file: no flink, no
 * export). A dma-buf of another driver is imported per file: it is mapped
 * here into that file's context, and only for the device to read.
 */
static int dcaccel_bo_open(struct drm_gem_object *obj, struct drm_file *file)
{
	struct dcaccel_file *dfile = file->driver_priv;
	struct dcaccel_bo *bo = to_dcaccel_bo(obj);

	if (!obj->import_attach)
		return 0;
	if (bo->vm)
		return bo->vm == dfile->vm ? 0 : -EPERM;
	if (obj->size > DCACCEL_MAX_BO_SIZE)
		return -E2BIG;
	if (!dcaccel_sgt_page_aligned(to_drm_gem_shmem_obj(obj)->sgt))
		return -EINVAL;
	bo->flags = DRM_DCACCEL_BO_DEVICE_READ_ONLY;
	return dcaccel_bo_map(bo, dfile->vm);
}

/*
 * A CPU mapping holds its buffer, not the file it came from: with the
 * buffer's shmem file as vm_file, closing the node releases the file and
 * gives its context back, even while its buffers stay mapped.
 */
static int dcaccel_bo_mmap(struct drm_gem_object *obj,
			   struct vm_area_struct *vma)
{
	int ret = drm_gem_shmem_object_mmap(obj, vma);

	/* an import is mapped through its dma-buf, which holds it */
	if (!ret && !obj->import_attach)
		vma_set_file(vma, obj->filp);
	return ret;
}

/* pinned at creation, never purged: for fdinfo's drm-resident-memory */
static enum drm_gem_object_status dcaccel_bo_status(struct drm_gem_object *obj)
{
	return DRM_GEM_OBJECT_RESIDENT;
}

static const struct drm_gem_object_funcs dcaccel_gem_funcs = {
	.free = dcaccel_bo_free,
	.open = dcaccel_bo_open,
	.export = dcaccel_bo_export,
	.print_info = drm_gem_shmem_object_print_info,
	.status = dcaccel_bo_status,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = dcaccel_bo_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

struct drm_gem_object *dcaccel_gem_create_object(struct drm_device *drm,
						 size_t size)
{
	struct dcaccel_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL_ACCOUNT);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&bo->dead_link);
	bo->base.base.funcs = &dcaccel_gem_funcs;
	return &bo->base.base;
}

/* A BO of this file's context, with a reference, or NULL. */
struct dcaccel_bo *dcaccel_bo_lookup(struct drm_file *file, u32 handle)
{
	struct dcaccel_file *dfile = file->driver_priv;
	struct drm_gem_object *obj = drm_gem_object_lookup(file, handle);

	if (!obj)
		return NULL;
	/* an imported or foreign object is not mapped in this context */
	if (obj->funcs != &dcaccel_gem_funcs ||
	    to_dcaccel_bo(obj)->vm != dfile->vm) {
		drm_gem_object_put(obj);
		return NULL;
	}
	return to_dcaccel_bo(obj);
}

int dcaccel_bo_create_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file)
{
	struct dcaccel_file *dfile = file->driver_priv;
	struct drm_dcaccel_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	struct dcaccel_bo *bo;
	u32 handle;
	int ret;

	if (args->flags & ~DRM_DCACCEL_BO_FLAGS)
		return -EINVAL;
	if (!args->size)
		return -EINVAL;
	if (args->size > DCACCEL_MAX_BO_SIZE)
		return -E2BIG;

	shmem = drm_gem_shmem_create(drm, PAGE_ALIGN(args->size));
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	bo = container_of(shmem, struct dcaccel_bo, base);
	bo->flags = args->flags;

	ret = dcaccel_bo_map(bo, dfile->vm);
	if (!ret)
		ret = drm_gem_handle_create(file, &shmem->base, &handle);
	if (!ret) {
		args->handle = handle;
		args->va = bo->node.start;
	}
	drm_gem_object_put(&shmem->base);
	return ret;
}

int dcaccel_bo_info_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct drm_dcaccel_bo_info *args = data;
	struct dcaccel_bo *bo = dcaccel_bo_lookup(file, args->handle);

	if (!bo)
		return -ENOENT;
	args->flags = bo->flags |
		      (bo->base.base.import_attach ? DRM_DCACCEL_BO_IMPORTED : 0);
	args->size = bo->base.base.size;
	args->va = bo->node.start;
	args->mmap_offset = drm_vma_node_offset_addr(&bo->base.base.vma_node);
	drm_gem_object_put(&bo->base.base);
	return 0;
}

/* A relative timeout in ns as jiffies; 0 stays 0 (poll). */
long dcaccel_timeout_to_jiffies(s64 timeout_ns)
{
	u64 j;

	if (timeout_ns <= 0)
		return 0;
	j = nsecs_to_jiffies64(timeout_ns);
	if (j >= MAX_SCHEDULE_TIMEOUT)
		return MAX_SCHEDULE_TIMEOUT - 1;
	return max_t(long, j, 1);
}

/*
 * A wait a signal interrupted is restarted with what is left of its
 * relative timeout: drm_ioctl copies the arguments back on every return.
 */
void dcaccel_timeout_left(s64 *timeout_ns, ktime_t start)
{
	s64 left = *timeout_ns - ktime_to_ns(ktime_sub(ktime_get(), start));

	*timeout_ns = max_t(s64, left, 0);
}

int dcaccel_bo_wait_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct drm_dcaccel_bo_wait *args = data;
	ktime_t start = ktime_get();
	struct dcaccel_bo *bo;
	long ret;

	if (args->pad || args->timeout_ns < 0)
		return -EINVAL;
	bo = dcaccel_bo_lookup(file, args->handle);
	if (!bo)
		return -ENOENT;
	if (!args->timeout_ns)
		ret = dma_resv_test_signaled(bo->base.base.resv,
					     DMA_RESV_USAGE_READ) ? 1 : 0;
	else
		ret = dma_resv_wait_timeout(bo->base.base.resv,
					    DMA_RESV_USAGE_READ, true,
					    dcaccel_timeout_to_jiffies(args->timeout_ns));
	drm_gem_object_put(&bo->base.base);
	if (ret == -ERESTARTSYS)
		dcaccel_timeout_left(&args->timeout_ns, start);
	if (ret < 0)
		return ret;
	return ret ? 0 : -ETIME;
}
