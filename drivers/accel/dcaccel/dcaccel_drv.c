// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel: PCI probe and remove, the DRM accel device, its files (one
 * device context each) and the ioctl table.
 */
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "dcaccel_drv.h"

#define CREATE_TRACE_POINTS
#include "dcaccel_trace.h"

static int dcaccel_get_param_ioctl(struct drm_device *drm, void *data,
				   struct drm_file *file)
{
	struct dcaccel_device *ddev = to_dcaccel(drm);
	struct drm_dcaccel_get_param *args = data;
	const struct dcaccel_caps *c = &ddev->caps;

	if (args->pad)
		return -EINVAL;
	switch (args->param) {
	case DRM_DCACCEL_PARAM_DEVICE_ID:
		args->value = (u32)ddev->pdev->vendor << 16 | ddev->pdev->device;
		break;
	case DRM_DCACCEL_PARAM_HW_VERSION:
		args->value = c->version;
		break;
	case DRM_DCACCEL_PARAM_NUM_PES:
		args->value = c->pes;
		break;
	case DRM_DCACCEL_PARAM_QUEUE_DEPTH:
		args->value = c->queue_depth;
		break;
	case DRM_DCACCEL_PARAM_CLOCK_MHZ:
		args->value = c->clock_mhz;
		break;
	case DRM_DCACCEL_PARAM_MAX_WBITS:
		args->value = DCACCEL_CAP_FORMAT_WBITS(c->format);
		break;
	case DRM_DCACCEL_PARAM_MAX_ZBITS:
		args->value = DCACCEL_CAP_FORMAT_ZBITS(c->format);
		break;
	case DRM_DCACCEL_PARAM_MAX_DIM:
		args->value = c->max_dim;
		break;
	case DRM_DCACCEL_PARAM_MAX_BATCH:
		args->value = c->max_batch;
		break;
	case DRM_DCACCEL_PARAM_VA_START:
		args->value = DCACCEL_VA_START;
		break;
	case DRM_DCACCEL_PARAM_VA_SIZE:
		args->value = DCACCEL_VA_END - DCACCEL_VA_START;
		break;
	case DRM_DCACCEL_PARAM_MAX_BOS:
		args->value = DCACCEL_SUBMIT_MAX_BOS;
		break;
	case DRM_DCACCEL_PARAM_MAX_BO_SIZE:
		args->value = DCACCEL_MAX_BO_SIZE;
		break;
	case DRM_DCACCEL_PARAM_MAX_JOBS:
		args->value = DCACCEL_FILE_MAX_JOBS;
		break;
	case DRM_DCACCEL_PARAM_ENERGY:
		args->value = dcaccel_has_energy(c);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static int dcaccel_open(struct drm_device *drm, struct drm_file *file)
{
	struct dcaccel_device *ddev = to_dcaccel(drm);
	struct drm_gpu_scheduler *sched = &ddev->sched;
	struct dcaccel_file *dfile;
	int ret;

	dfile = kzalloc(sizeof(*dfile), GFP_KERNEL_ACCOUNT);
	if (!dfile)
		return -ENOMEM;
	dfile->ddev = ddev;
	mutex_init(&dfile->submit_lock);
	dfile->vm = dcaccel_vm_create(ddev);
	if (IS_ERR(dfile->vm)) {
		ret = PTR_ERR(dfile->vm);
		goto err_free;
	}
	ret = drm_sched_entity_init(&dfile->entity, DRM_SCHED_PRIORITY_NORMAL,
				    &sched, 1, NULL);
	if (ret)
		goto err_vm;
	file->driver_priv = dfile;
	return 0;

err_vm:
	dcaccel_vm_put(dfile->vm);
err_free:
	mutex_destroy(&dfile->submit_lock);
	kfree(dfile);
	return ret;
}

/*
 * The file's handles are gone already. Its jobs are not waited for: each
 * holds its address space, which keeps every buffer the device may reach
 * until the job is gone (dcaccel_vm.c).
 */
static void dcaccel_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct dcaccel_file *dfile = file->driver_priv;

	/*
	 * Jobs not yet on the ring: a killed process waits at most a second
	 * before they are dropped, any other one until they reach the ring
	 * or it is killed.
	 */
	drm_sched_entity_destroy(&dfile->entity);
	dcaccel_vm_close(dfile->vm);
	dcaccel_file_records_fini(dfile);
	dcaccel_vm_put(dfile->vm);
	mutex_destroy(&dfile->submit_lock);
	kfree(dfile);
}

/*
 * drm-usage-stats: the device time and modeled cycles its jobs took, and
 * its buffers (all resident: pinned at creation).
 */
static void dcaccel_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct dcaccel_file *dfile = file->driver_priv;
	struct dcaccel_vm *vm = dfile->vm;

	drm_printf(p, "drm-engine-eie:\t%llu ns\n",
		   (u64)atomic64_read(&vm->engine_ns));
	drm_printf(p, "drm-cycles-eie:\t%llu\n", (u64)atomic64_read(&vm->cycles));
	drm_printf(p, "drm-maxfreq-eie:\t%u MHz\n", dfile->ddev->caps.clock_mhz);
	drm_show_memory_stats(p, file);
}

/*
 * A kernel built without the accel subsystem (Debian's arm64 6.12 has no
 * CONFIG_DRM_ACCEL) cannot give an accel node: there the device is a DRM
 * render node, /dev/dri/renderD*, with the same ioctls. DCACCEL_RENDER_NODE
 * (make DCACCEL_RENDER_NODE=y) builds that on any kernel, to test it.
 */
#if IS_ENABLED(CONFIG_DRM_ACCEL) && !defined(DCACCEL_RENDER_NODE)
#define DCACCEL_NODE_FEATURE	DRIVER_COMPUTE_ACCEL
#define dcaccel_fops_open	accel_open
#else
#define DCACCEL_NODE_FEATURE	DRIVER_RENDER
#define dcaccel_fops_open	drm_open
#endif

/* DRM_RENDER_ALLOW: for the render node; an accel node ignores it */
static const struct drm_ioctl_desc dcaccel_ioctls[] = {
	DRM_IOCTL_DEF_DRV(DCACCEL_GET_PARAM, dcaccel_get_param_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(DCACCEL_BO_CREATE, dcaccel_bo_create_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(DCACCEL_BO_INFO, dcaccel_bo_info_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(DCACCEL_SUBMIT, dcaccel_submit_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(DCACCEL_WAIT_JOB, dcaccel_wait_job_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(DCACCEL_BO_WAIT, dcaccel_bo_wait_ioctl,
			  DRM_RENDER_ALLOW),
};

/* DEFINE_DRM_ACCEL_FOPS, with the ioctls filtered (dcaccel_ioctl.c) */
static const struct file_operations dcaccel_fops = {
	.owner = THIS_MODULE,
	.open = dcaccel_fops_open,
	.release = drm_release,
	.unlocked_ioctl = dcaccel_ioctl,
	.compat_ioctl = dcaccel_compat_ioctl,
	.poll = drm_poll,
	.read = drm_read,
	.llseek = noop_llseek,
	.mmap = drm_gem_mmap,
	.fop_flags = FOP_UNSIGNED_OFFSET,
	.show_fdinfo = drm_show_fdinfo,
};

static const struct drm_driver dcaccel_driver = {
	/* timelines: SYNCOBJ_EVENTFD, how libaccel polls a job, needs them */
	.driver_features = DRIVER_GEM | DCACCEL_NODE_FEATURE | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE,
	.open = dcaccel_open,
	.postclose = dcaccel_postclose,
	.show_fdinfo = dcaccel_show_fdinfo,
	.gem_create_object = dcaccel_gem_create_object,
	.gem_prime_import_sg_table = drm_gem_shmem_prime_import_sg_table,
	.ioctls = dcaccel_ioctls,
	.num_ioctls = ARRAY_SIZE(dcaccel_ioctls),
	.fops = &dcaccel_fops,
	.name = DCACCEL_DRIVER_NAME,
	.desc = "Compressed-model (EIE) neural accelerator",
	.major = DRM_DCACCEL_DRIVER_MAJOR,
	.minor = DRM_DCACCEL_DRIVER_MINOR,
};

static void dcaccel_sched_release(struct drm_device *drm, void *arg)
{
	dcaccel_sched_fini(to_dcaccel(drm));
}

static void dcaccel_ida_fini(struct drm_device *drm, void *arg)
{
	ida_destroy(&to_dcaccel(drm)->ctx_ida);
}

static int dcaccel_init_locks(struct dcaccel_device *ddev)
{
	spin_lock_init(&ddev->hw_lock);
	INIT_LIST_HEAD(&ddev->ring.inflight);
	INIT_LIST_HEAD(&ddev->wedged_jobs);
	INIT_LIST_HEAD(&ddev->vms);
	ida_init(&ddev->ctx_ida);
	return drmm_mutex_init(&ddev->drm, &ddev->vms_lock) ?:
	       drmm_mutex_init(&ddev->drm, &ddev->reset_lock) ?:
	       drmm_add_action_or_reset(&ddev->drm, dcaccel_ida_fini, NULL);
}

static int dcaccel_map_regs(struct dcaccel_device *ddev)
{
	struct pci_dev *pdev = ddev->pdev;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(DCACCEL_BAR_REGS),
				 DCACCEL_DRIVER_NAME);
	if (ret)
		return ret;
	ddev->regs = pcim_iomap_table(pdev)[DCACCEL_BAR_REGS];
	if (pci_resource_len(pdev, DCACCEL_BAR_REGS) < DCACCEL_BAR_SIZE)
		return -ENODEV;
	/*
	 * The device MMU maps page by page, so a scatterlist segment may be
	 * as long as it likes (the DMA API's default claim is 64 KiB).
	 */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);
	/* PTEs and the ring registers hold 52-bit bus addresses */
	return dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(52));
}

/* Only once the device is quiet and the ring exists: DMA, then the IRQ. */
static int dcaccel_enable_irq(struct dcaccel_device *ddev)
{
	struct pci_dev *pdev = ddev->pdev;
	int ret;

	pci_set_master(pdev);
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;
	return devm_request_irq(&pdev->dev, pci_irq_vector(pdev, 0),
				dcaccel_irq, IRQF_SHARED, DCACCEL_DRIVER_NAME,
				ddev);
}

static int dcaccel_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct dcaccel_device *ddev;
	unsigned long flags;
	int ret;

	ddev = devm_drm_dev_alloc(&pdev->dev, &dcaccel_driver,
				  struct dcaccel_device, drm);
	if (IS_ERR(ddev))
		return PTR_ERR(ddev);
	ddev->pdev = pdev;
	pci_set_drvdata(pdev, ddev);

	ret = dcaccel_init_locks(ddev) ?:
	      dcaccel_map_regs(ddev) ?:
	      dcaccel_hw_probe(ddev) ?:
	      dcaccel_hw_alloc(ddev) ?:
	      dcaccel_sched_init(ddev) ?:
	      drmm_add_action_or_reset(&ddev->drm, dcaccel_sched_release,
				       NULL) ?:
	      dcaccel_enable_irq(ddev);
	if (ret)
		goto err_stop;
	spin_lock_irqsave(&ddev->hw_lock, flags);
	ret = dcaccel_hw_start(ddev);
	spin_unlock_irqrestore(&ddev->hw_lock, flags);
	if (ret)
		goto err_stop;
	dcaccel_debugfs_init(ddev);
	ret = drm_dev_register(&ddev->drm, 0);
	if (ret)
		goto err_stop;
	drm_info(&ddev->drm, "%u PEs, version %u.%u, %u contexts, ring of %u\n",
		 ddev->caps.pes, ddev->caps.version >> 16,
		 ddev->caps.version & 0xffff, ddev->ctx_count, ddev->ring.size);
	dcaccel_pm_enable(ddev);
	return 0;

err_stop:
	if (ddev->regs)
		dcaccel_hw_disable(ddev);
	return ret;
}

static void dcaccel_remove(struct pci_dev *pdev)
{
	struct dcaccel_device *ddev = pci_get_drvdata(pdev);

	dcaccel_pm_disable(ddev);
	drm_dev_unplug(&ddev->drm);
	/* open files outlive the device: their jobs fail from here on */
	mutex_lock(&ddev->reset_lock);
	dcaccel_hw_unplug(ddev);
	mutex_unlock(&ddev->reset_lock);
	/* stopped: nothing of the device's DMA may outlive the binding */
	if (!READ_ONCE(ddev->wedged)) {
		dcaccel_vm_detach_all(ddev);
		dcaccel_hw_free(ddev);
	}
}

/* No DMA may follow into a rebooted or kexec'd kernel. */
static void dcaccel_shutdown(struct pci_dev *pdev)
{
	struct dcaccel_device *ddev = pci_get_drvdata(pdev);
	unsigned long flags;

	if (!ddev)
		return;
	spin_lock_irqsave(&ddev->hw_lock, flags);
	if (!ddev->unplugged && !ddev->suspended)
		dcaccel_hw_disable(ddev);
	spin_unlock_irqrestore(&ddev->hw_lock, flags);
}

static const struct pci_device_id dcaccel_pci_ids[] = {
	{ PCI_DEVICE(DCACCEL_PCI_VENDOR_ID, DCACCEL_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, dcaccel_pci_ids);

static struct pci_driver dcaccel_pci_driver = {
	.name = DCACCEL_DRIVER_NAME,
	.id_table = dcaccel_pci_ids,
	.probe = dcaccel_probe,
	.remove = dcaccel_remove,
	.shutdown = dcaccel_shutdown,
	.driver.pm = pm_ptr(&dcaccel_pm_ops),
};

static int __init dcaccel_init(void)
{
	int ret = dcaccel_vm_wq_init();

	if (ret)
		return ret;
	ret = pci_register_driver(&dcaccel_pci_driver);
	if (ret)
		dcaccel_vm_wq_fini();
	return ret;
}

/* Every address space holds the module until its release work has run. */
static void __exit dcaccel_exit(void)
{
	pci_unregister_driver(&dcaccel_pci_driver);
	dcaccel_vm_wq_fini();
}

module_init(dcaccel_init);
module_exit(dcaccel_exit);

MODULE_DESCRIPTION("DRM accel driver for the dcaccel compressed-model accelerator");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
