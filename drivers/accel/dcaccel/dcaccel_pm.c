// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel: power management. Every job holds the device awake from SUBMIT
 * until it is freed; once none is left the device autosuspends to D3hot
 * (the PCI core's runtime PM), which resets it, so a resume programs it
 * again from scratch. System sleep drains the ring first and keeps the
 * scheduler stopped until the system resumes.
 */
#include <linux/iopoll.h>
#include <linux/pm_runtime.h>

#include <drm/drm_print.h>

#include "dcaccel_drv.h"

static unsigned int dcaccel_autosuspend_ms = 1000;
module_param_named(autosuspend_ms, dcaccel_autosuspend_ms, uint, 0444);
MODULE_PARM_DESC(autosuspend_ms,
		 "Idle time before the device is suspended (ms; power/autosuspend_delay_ms changes it per device)");

/* Wake the device for a job, or for a look at its registers. */
int dcaccel_pm_get(struct dcaccel_device *ddev)
{
	return pm_runtime_resume_and_get(&ddev->pdev->dev);
}

/* Any context: the suspend itself runs from the PM workqueue. */
void dcaccel_pm_put(struct dcaccel_device *ddev)
{
	struct device *dev = &ddev->pdev->dev;

	pm_runtime_mark_last_busy(dev);
	pm_runtime_put_autosuspend(dev);
}

/* The end of probe: the PCI core's reference goes, autosuspend starts. */
void dcaccel_pm_enable(struct dcaccel_device *ddev)
{
	struct device *dev = &ddev->pdev->dev;

	pm_runtime_set_autosuspend_delay(dev, dcaccel_autosuspend_ms);
	pm_runtime_use_autosuspend(dev);
	pm_runtime_allow(dev);
	dcaccel_pm_put(ddev);
}

/* Remove: the device stays awake for the PCI core, as before probe. */
void dcaccel_pm_disable(struct dcaccel_device *ddev)
{
	struct device *dev = &ddev->pdev->dev;

	pm_runtime_get_noresume(dev);
	pm_runtime_forbid(dev);
	pm_runtime_dont_use_autosuspend(dev);
}

/*
 * No job holds the device (a wedged one keeps its jobs, and so stays
 * awake): quiesce it. The PCI core then saves its config space and puts
 * it in D3hot.
 */
static int dcaccel_runtime_suspend(struct device *dev)
{
	struct dcaccel_device *ddev = dev_get_drvdata(dev);
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&ddev->hw_lock, flags);
	if (ddev->wedged || !list_empty(&ddev->ring.inflight)) {
		ret = -EBUSY;
	} else {
		if (!ddev->unplugged)
			dcaccel_hw_disable(ddev);
		ddev->suspended = true;
	}
	spin_unlock_irqrestore(&ddev->hw_lock, flags);
	if (ret)
		return ret;
	synchronize_irq(pci_irq_vector(ddev->pdev, 0));
	atomic64_inc(&ddev->counters.suspends);
	return 0;
}

/* Back in D0, which reset the device: program it again. */
static int dcaccel_runtime_resume(struct device *dev)
{
	struct dcaccel_device *ddev = dev_get_drvdata(dev);
	unsigned long flags;
	int ret = 0;

	atomic64_inc(&ddev->counters.resumes);
	spin_lock_irqsave(&ddev->hw_lock, flags);
	ddev->suspended = false;
	if (!ddev->unplugged && !ddev->broken)
		ret = dcaccel_hw_start(ddev);
	spin_unlock_irqrestore(&ddev->hw_lock, flags);
	if (ret)
		drm_err(&ddev->drm, "device did not come back from D3hot: %d\n",
			ret);
	return ret;
}

/*
 * System sleep: nothing new goes on the ring, what is on it finishes (a
 * hung job is reset by its timeout meanwhile), then the device suspends.
 * Jobs still queued wait in the scheduler until the system resumes.
 */
static int dcaccel_pm_suspend(struct device *dev)
{
	struct dcaccel_device *ddev = dev_get_drvdata(dev);
	u64 wait_us = 2ull * (dcaccel_job_timeout_ms + 1000) * USEC_PER_MSEC;
	bool drained;
	int ret;

	mutex_lock(&ddev->reset_lock);
	ddev->asleep = true;
	drm_sched_wqueue_stop(&ddev->sched);
	mutex_unlock(&ddev->reset_lock);

	ret = read_poll_timeout(dcaccel_hw_ring_idle, drained, drained,
				USEC_PER_MSEC, wait_us, false, ddev);
	if (!ret)
		ret = pm_runtime_force_suspend(dev);
	if (ret) {
		drm_err(&ddev->drm, "cannot suspend: %s\n",
			drained ? "the device did not stop" :
				  "jobs still running on the device");
		mutex_lock(&ddev->reset_lock);
		ddev->asleep = false;
		drm_sched_wqueue_start(&ddev->sched);
		mutex_unlock(&ddev->reset_lock);
		return -EBUSY;
	}
	return 0;
}

static int dcaccel_pm_resume(struct device *dev)
{
	struct dcaccel_device *ddev = dev_get_drvdata(dev);
	int ret = pm_runtime_force_resume(dev);

	mutex_lock(&ddev->reset_lock);
	ddev->asleep = false;
	drm_sched_wqueue_start(&ddev->sched);
	mutex_unlock(&ddev->reset_lock);
	return ret;
}

const struct dev_pm_ops dcaccel_pm_ops = {
	SYSTEM_SLEEP_PM_OPS(dcaccel_pm_suspend, dcaccel_pm_resume)
	RUNTIME_PM_OPS(dcaccel_runtime_suspend, dcaccel_runtime_resume, NULL)
};
