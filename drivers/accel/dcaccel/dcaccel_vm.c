// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel: device address spaces (one per open file) and the lifetime
 * rule that keeps contexts apart: a buffer's device mapping, its pages and
 * the page tables that reach them outlive every job of its context that
 * was alive when the buffer was freed, whatever the job listed. The device
 * may reach any VA of its context and may cache translations until a job
 * ends, so a listed-BO rule alone would let it write freed pages.
 *
 * Each job joins its context's job list when SUBMIT creates it and leaves
 * it when it is freed; a buffer freed while the list is not empty goes on
 * the dead list, tagged with the newest job, and is unmapped and released
 * once every job up to that one has gone. The file's context id is given
 * back once the file is closed and its last job is gone; the rest of the
 * address space goes with its last reference.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>

#include "dcaccel_drv.h"

/*
 * The last reference to an address space may go in the scheduler's
 * free_job, and with it the last reference to the DRM device, whose
 * release finalises that scheduler: so the release runs here instead.
 * Each address space also holds the module until its release has run, and
 * module exit drains this queue.
 */
static struct workqueue_struct *dcaccel_vm_wq;

int dcaccel_vm_wq_init(void)
{
	dcaccel_vm_wq = alloc_workqueue("dcaccel-vm", WQ_UNBOUND, 0);
	return dcaccel_vm_wq ? 0 : -ENOMEM;
}

void dcaccel_vm_wq_fini(void)
{
	destroy_workqueue(dcaccel_vm_wq);
}

/* Give the context id back; the caller holds vm->lock. */
static void dcaccel_vm_ctx_release(struct dcaccel_vm *vm)
{
	lockdep_assert_held(&vm->lock);
	if (!vm->ctx_live)
		return;
	dcaccel_hw_set_ctx(vm->ddev, vm->ctx_id, 0);
	ida_free(&vm->ddev->ctx_ida, vm->ctx_id);
	vm->ctx_live = false;
}

static void dcaccel_vm_release_work(struct work_struct *work)
{
	struct dcaccel_vm *vm = container_of(work, struct dcaccel_vm,
					     release_work);
	struct dcaccel_device *ddev = vm->ddev;

	mutex_lock(&ddev->vms_lock);
	list_del(&vm->link);
	mutex_unlock(&ddev->vms_lock);

	mutex_lock(&vm->lock);
	dcaccel_vm_ctx_release(vm);
	mutex_unlock(&vm->lock);
	drm_mm_takedown(&vm->mm);
	dcaccel_pt_free(ddev, vm->root, DCACCEL_PT_LEVELS - 1);
	mutex_destroy(&vm->lock);
	dma_fence_put(vm->last_hw_fence);
	kfree(vm);
	drm_dev_put(&ddev->drm);
	module_put(THIS_MODULE);
}

struct dcaccel_vm *dcaccel_vm_create(struct dcaccel_device *ddev)
{
	struct dcaccel_vm *vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	int ctx;

	if (!vm)
		return ERR_PTR(-ENOMEM);
	ctx = ida_alloc_max(&ddev->ctx_ida, ddev->ctx_count - 1, GFP_KERNEL);
	if (ctx < 0) {
		kfree(vm);
		return ERR_PTR(ctx == -ENOSPC ? -EBUSY : ctx);
	}
	vm->root = dcaccel_pt_alloc(ddev, DCACCEL_PT_LEVELS - 1);
	if (!vm->root) {
		ida_free(&ddev->ctx_ida, ctx);
		kfree(vm);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	drm_mm_init(&vm->mm, DCACCEL_VA_START, DCACCEL_VA_END - DCACCEL_VA_START);
	INIT_LIST_HEAD(&vm->jobs);
	INIT_LIST_HEAD(&vm->dead_bos);
	INIT_WORK(&vm->release_work, dcaccel_vm_release_work);
	vm->ddev = ddev;
	vm->ctx_id = ctx;
	vm->ctx_live = true;
	__module_get(THIS_MODULE);
	drm_dev_get(&ddev->drm);
	dcaccel_hw_set_ctx(ddev, ctx, vm->root->dma | DCACCEL_CTX_VALID);

	mutex_lock(&ddev->vms_lock);
	list_add_tail(&vm->link, &ddev->vms);
	mutex_unlock(&ddev->vms_lock);
	return vm;
}

static void dcaccel_vm_release(struct kref *ref)
{
	struct dcaccel_vm *vm = container_of(ref, struct dcaccel_vm, ref);

	queue_work(dcaccel_vm_wq, &vm->release_work);
}

void dcaccel_vm_put(struct dcaccel_vm *vm)
{
	if (vm)
		kref_put(&vm->ref, dcaccel_vm_release);
}

/* The file is closed; its context id goes once its jobs have. */
void dcaccel_vm_close(struct dcaccel_vm *vm)
{
	mutex_lock(&vm->lock);
	vm->closed = true;
	if (list_empty(&vm->jobs))
		dcaccel_vm_ctx_release(vm);
	mutex_unlock(&vm->lock);
}

/* A new job of this context: -EBUSY when the file has too many. */
int dcaccel_vm_job_add(struct dcaccel_vm *vm, struct dcaccel_job *job)
{
	int ret = 0;

	mutex_lock(&vm->lock);
	if (vm->job_count >= DCACCEL_FILE_MAX_JOBS) {
		ret = -EBUSY;
	} else {
		job->vm_seq = ++vm->job_seq;
		list_add_tail(&job->vm_link, &vm->jobs);
		vm->job_count++;
	}
	mutex_unlock(&vm->lock);
	return ret;
}

/*
 * A job of this context is gone: release the buffers no remaining job can
 * reach. The caller holds a reference to vm.
 */
void dcaccel_vm_job_del(struct dcaccel_vm *vm, struct dcaccel_job *job)
{
	struct dcaccel_bo *bo, *tmp;
	LIST_HEAD(release);
	u64 oldest;

	mutex_lock(&vm->lock);
	list_del_init(&job->vm_link);
	vm->job_count--;
	oldest = list_empty(&vm->jobs) ? U64_MAX :
		 list_first_entry(&vm->jobs, struct dcaccel_job,
				  vm_link)->vm_seq;
	list_for_each_entry_safe(bo, tmp, &vm->dead_bos, dead_link) {
		if (bo->dead_after >= oldest)
			break;	/* in order of dead_after */
		list_move_tail(&bo->dead_link, &release);
	}
	if (vm->closed && list_empty(&vm->jobs))
		dcaccel_vm_ctx_release(vm);
	mutex_unlock(&vm->lock);

	list_for_each_entry_safe(bo, tmp, &release, dead_link)
		dcaccel_bo_release(bo);
}

/*
 * The device is unbound and stopped (not wedged): nothing can reach the
 * contexts' memory any more, and the DMA API's mappings and allocations
 * for the device must go before unbind returns. Every context loses its
 * page tables and every buffer its DMA mapping; files that stay open keep
 * their CPU mappings, and the rest is freed as they close.
 */
void dcaccel_vm_detach_all(struct dcaccel_device *ddev)
{
	struct drm_mm_node *node;
	struct dcaccel_vm *vm;

	mutex_lock(&ddev->vms_lock);
	list_for_each_entry(vm, &ddev->vms, link) {
		mutex_lock(&vm->lock);
		/* a buffer being released waits for vm->lock to leave mm */
		drm_mm_for_each_node(node, &vm->mm)
			dcaccel_bo_detach(container_of(node, struct dcaccel_bo,
						       node));
		dcaccel_pt_free(ddev, vm->root, DCACCEL_PT_LEVELS - 1);
		vm->root = NULL;
		mutex_unlock(&vm->lock);
	}
	mutex_unlock(&ddev->vms_lock);
}

/*
 * The last reference to bo went: keep its mapping and pages while a job of
 * its context lives (true), or let the caller release it now (false).
 */
bool dcaccel_vm_defer_bo(struct dcaccel_vm *vm, struct dcaccel_bo *bo)
{
	bool defer;

	mutex_lock(&vm->lock);
	defer = !list_empty(&vm->jobs);
	if (defer) {
		bo->dead_after = vm->job_seq;
		list_add_tail(&bo->dead_link, &vm->dead_bos);
	}
	mutex_unlock(&vm->lock);
	return defer;
}
