// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel: debugfs under /sys/kernel/debug/accel/<minor>/: the ring, the
 * contexts and their mappings, the driver's and the device's counters, and
 * a knob that resets the device (write 1 to "reset").
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_print.h>

#include "dcaccel_drv.h"

static int dcaccel_ring_show(struct seq_file *m, void *data)
{
	struct drm_debugfs_entry *entry = m->private;
	struct dcaccel_device *ddev = to_dcaccel(entry->dev);
	struct dcaccel_job *job;
	unsigned long flags;

	spin_lock_irqsave(&ddev->hw_lock, flags);
	if (ddev->unplugged) {
		spin_unlock_irqrestore(&ddev->hw_lock, flags);
		seq_puts(m, "unplugged\n");
		return 0;
	}
	if (ddev->wedged || ddev->broken)
		seq_printf(m, "%s\n", ddev->wedged ? "wedged" : "broken");
	if (ddev->suspended) {
		spin_unlock_irqrestore(&ddev->hw_lock, flags);
		seq_puts(m, "suspended (D3hot)\n");
		return 0;
	}
	seq_printf(m, "size %u tail %u head %u status 0x%x error %u\n",
		   ddev->ring.size, ddev->ring.tail,
		   dcaccel_read(ddev, DCACCEL_REG_RING_HEAD),
		   dcaccel_read(ddev, DCACCEL_REG_STATUS),
		   dcaccel_read(ddev, DCACCEL_REG_ERROR));
	seq_printf(m, "last seqno %llu (driver %llu) status %u detail %u\n",
		   dcaccel_read64(ddev, DCACCEL_REG_LAST_SEQNO_LO),
		   ddev->ring.next_seqno,
		   dcaccel_read(ddev, DCACCEL_REG_LAST_STATUS),
		   dcaccel_read(ddev, DCACCEL_REG_LAST_DETAIL));
	list_for_each_entry(job, &ddev->ring.inflight, inflight_link)
		seq_printf(m, "  slot %u seqno %llu ctx %u job %llu va 0x%llx len %u\n",
			   job->slot, job->seqno, job->vm->ctx_id,
			   job->record->job_id, job->cmd_va, job->cmd_len);
	spin_unlock_irqrestore(&ddev->hw_lock, flags);
	return 0;
}

static int dcaccel_contexts_show(struct seq_file *m, void *data)
{
	struct drm_debugfs_entry *entry = m->private;
	struct dcaccel_device *ddev = to_dcaccel(entry->dev);
	struct drm_printer p = drm_seq_file_printer(m);
	struct dcaccel_vm *vm;

	mutex_lock(&ddev->vms_lock);
	list_for_each_entry(vm, &ddev->vms, link) {
		mutex_lock(&vm->lock);
		seq_printf(m, "context %u%s: root 0x%llx, %llu bytes mapped, %u jobs\n",
			   vm->ctx_id, vm->ctx_live ? "" : " (closed)",
			   vm->root ? (u64)vm->root->dma : 0, vm->mapped,
			   vm->job_count);
		drm_mm_print(&vm->mm, &p);
		mutex_unlock(&vm->lock);
	}
	mutex_unlock(&ddev->vms_lock);
	return 0;
}

static int dcaccel_counters_show(struct seq_file *m, void *data)
{
	struct drm_debugfs_entry *entry = m->private;
	struct dcaccel_device *ddev = to_dcaccel(entry->dev);
	struct dcaccel_counters *c = &ddev->counters;
	static const char * const perf[] = {
		"jobs_done", "jobs_failed", "cycles", "nonzero_acts",
		"entries", "macs", "busy", "mmu_faults",
	};
	unsigned long flags;
	unsigned int i;

	seq_printf(m, "submitted %lld\ncompleted %lld\nfailed %lld\n",
		   atomic64_read(&c->submitted), atomic64_read(&c->completed),
		   atomic64_read(&c->failed));
	seq_printf(m, "faults %lld\ntimeouts %lld\nresets %lld\nirqs %lld\n",
		   atomic64_read(&c->faults), atomic64_read(&c->timeouts),
		   atomic64_read(&c->resets), atomic64_read(&c->irqs));
	seq_printf(m, "suspends %lld\nresumes %lld\n",
		   atomic64_read(&c->suspends), atomic64_read(&c->resumes));
	spin_lock_irqsave(&ddev->hw_lock, flags);
	/* the device's own counters start again from 0 at every resume */
	for (i = 0; i < ARRAY_SIZE(perf) && !ddev->unplugged &&
	     !ddev->suspended; i++)
		seq_printf(m, "device.%s %llu\n", perf[i],
			   dcaccel_read64(ddev, DCACCEL_REG_PERF_JOBS_DONE +
					  8 * i));
	spin_unlock_irqrestore(&ddev->hw_lock, flags);
	return 0;
}

static const struct drm_debugfs_info dcaccel_debugfs_list[] = {
	{ "ring", dcaccel_ring_show, 0 },
	{ "contexts", dcaccel_contexts_show, 0 },
	{ "counters", dcaccel_counters_show, 0 },
};

static int dcaccel_reset_set(void *data, u64 val)
{
	struct dcaccel_device *ddev = data;
	int ret;

	if (val != 1)
		return -EINVAL;
	if (READ_ONCE(ddev->unplugged))
		return -ENODEV;
	if (READ_ONCE(ddev->wedged))
		return -EIO;
	ret = dcaccel_pm_get(ddev);
	if (ret)
		return ret;
	queue_work(ddev->reset_wq, &ddev->reset_work);
	flush_work(&ddev->reset_work);
	dcaccel_pm_put(ddev);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(dcaccel_reset_fops, NULL, dcaccel_reset_set,
			 "%llu\n");

void dcaccel_debugfs_init(struct dcaccel_device *ddev)
{
	drm_debugfs_add_files(&ddev->drm, dcaccel_debugfs_list,
			      ARRAY_SIZE(dcaccel_debugfs_list));
	debugfs_create_file_unsafe("reset", 0200, ddev->drm.debugfs_root, ddev,
				   &dcaccel_reset_fops);
}
