// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel: the device's registers, its command ring, completion by
 * interrupt and soft reset. The ring, the list of jobs on it and the
 * context table are under ddev->hw_lock, which the IRQ handler takes too.
 */
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/log2.h>
#include <linux/module.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "dcaccel_drv.h"
#include "dcaccel_trace.h"

u32 dcaccel_read(struct dcaccel_device *ddev, u32 reg)
{
	return readl(ddev->regs + reg);
}

void dcaccel_write(struct dcaccel_device *ddev, u32 reg, u32 val)
{
	writel(val, ddev->regs + reg);
}

u64 dcaccel_read64(struct dcaccel_device *ddev, u32 reg)
{
	u64 lo = dcaccel_read(ddev, reg);

	return lo | (u64)dcaccel_read(ddev, reg + 4) << 32;
}

static void dcaccel_write64(struct dcaccel_device *ddev, u32 reg, u64 val)
{
	dcaccel_write(ddev, reg, lower_32_bits(val));
	dcaccel_write(ddev, reg + 4, upper_32_bits(val));
}

static void dcaccel_read_caps(struct dcaccel_device *ddev)
{
	struct dcaccel_caps *c = &ddev->caps;

	c->version = dcaccel_read(ddev, DCACCEL_REG_VERSION);
	c->pes = dcaccel_read(ddev, DCACCEL_REG_CAP_PES);
	c->queue_depth = dcaccel_read(ddev, DCACCEL_REG_CAP_QUEUE);
	c->format = dcaccel_read(ddev, DCACCEL_REG_CAP_FORMAT);
	c->max_batch = dcaccel_read(ddev, DCACCEL_REG_CAP_MAX_BATCH);
	c->max_ops = dcaccel_read(ddev, DCACCEL_REG_CAP_MAX_OPS);
	c->contexts = dcaccel_read(ddev, DCACCEL_REG_CAP_CONTEXTS);
	c->max_dim = dcaccel_read(ddev, DCACCEL_REG_CAP_MAX_DIM);
	c->max_cmd_bytes = dcaccel_read(ddev, DCACCEL_REG_CAP_MAX_CMD_BYTES);
	c->ring_max = dcaccel_read(ddev, DCACCEL_REG_CAP_RING_MAX);
	c->flags = dcaccel_read(ddev, DCACCEL_REG_CAP_FLAGS);
	c->clock_mhz = dcaccel_read(ddev, DCACCEL_REG_CLOCK_MHZ);
}

/* The device is hostile too: refuse capabilities we cannot honour. */
static int dcaccel_check_caps(struct dcaccel_device *ddev)
{
	struct dcaccel_caps *c = &ddev->caps;

	if (c->version >> 16 != DCACCEL_VERSION_MAJOR) {
		drm_err(&ddev->drm, "unsupported device version 0x%x\n",
			c->version);
		return -ENODEV;
	}
	if (!c->pes || c->pes > DCACCEL_EIE_PES_MAX || !c->contexts ||
	    c->ring_max < DCACCEL_RING_ENTRIES_MIN ||
	    c->max_cmd_bytes < sizeof(struct dcaccel_op_header)) {
		drm_err(&ddev->drm,
			"bad capabilities: %u PEs, %u contexts, ring %u, cmd %u\n",
			c->pes, c->contexts, c->ring_max, c->max_cmd_bytes);
		return -ENODEV;
	}
	return 0;
}

/*
 * A soft reset did not stop the device: a reset of the PCI function (its
 * PM D3hot -> D0 reset, or FLR) may. locked: the caller holds the device
 * lock (probe, remove); otherwise the reset is only tried, since remove
 * may hold it while it waits for this reset's worker. The IRQ handler
 * stays away meanwhile. Returns 0 once the device is idle.
 */
int dcaccel_hw_reset_function(struct dcaccel_device *ddev, bool locked)
{
	unsigned long flags;
	int ret;

	drm_warn(&ddev->drm,
		 "device still busy %u ms after a soft reset; resetting the PCI function\n",
		 DCACCEL_RESET_TIMEOUT_US / 1000);
	spin_lock_irqsave(&ddev->hw_lock, flags);
	ddev->suspended = true;
	spin_unlock_irqrestore(&ddev->hw_lock, flags);
	ret = locked ? pci_reset_function_locked(ddev->pdev) :
		       pci_try_reset_function(ddev->pdev);
	spin_lock_irqsave(&ddev->hw_lock, flags);
	ddev->suspended = false;
	spin_unlock_irqrestore(&ddev->hw_lock, flags);
	if (ret) {
		drm_err(&ddev->drm, "PCI function reset failed: %d\n", ret);
		return ret;
	}
	return dcaccel_hw_wait_idle(ddev);
}

/*
 * Identify the device and silence it before anything can interrupt: a
 * device left running (kexec, a previous driver) or with INT_STATUS set
 * must not reach the IRQ handler before the ring exists.
 */
int dcaccel_hw_probe(struct dcaccel_device *ddev)
{
	u32 id = dcaccel_read(ddev, DCACCEL_REG_ID);
	int ret;

	if (id != DCACCEL_ID_MAGIC) {
		drm_err(&ddev->drm, "not a dcaccel device: ID 0x%08x\n", id);
		return -ENODEV;
	}
	dcaccel_read_caps(ddev);
	ret = dcaccel_check_caps(ddev);
	if (ret)
		return ret;
	dcaccel_hw_disable(ddev);
	dcaccel_write(ddev, DCACCEL_REG_INT_STATUS, DCACCEL_INT_ALL);
	ret = dcaccel_hw_wait_idle(ddev);
	if (ret)
		ret = dcaccel_hw_reset_function(ddev, true);
	return ret;
}

/*
 * The ring, its records and the context table go at unbind once the
 * device has stopped (or with the DRM device, after a failed probe); a
 * wedged device keeps them for good. Once only.
 */
void dcaccel_hw_free(struct dcaccel_device *ddev)
{
	struct device *dev = &ddev->pdev->dev;
	struct dcaccel_ring *ring = &ddev->ring;

	if (ring->entries)
		dma_free_coherent(dev, ring->size * DCACCEL_RING_ENTRY_SIZE,
				  ring->entries, ring->entries_dma);
	if (ring->records)
		dma_free_coherent(dev, ring->size * ring->record_stride,
				  ring->records, ring->records_dma);
	if (ddev->ctx_table)
		dma_free_coherent(dev, ddev->ctx_count * DCACCEL_CTX_ENTRY_SIZE,
				  ddev->ctx_table, ddev->ctx_table_dma);
	ring->entries = NULL;
	ring->records = NULL;
	ddev->ctx_table = NULL;
}

static void dcaccel_hw_release(struct drm_device *drm, void *arg)
{
	dcaccel_hw_free(to_dcaccel(drm));
}

/*
 * The ring, its completion records and the context table. Not devres: a
 * device that does not stop keeps them after unbind (dcaccel_hw_unplug),
 * so they go with the DRM device, which its jobs then keep.
 */
int dcaccel_hw_alloc(struct dcaccel_device *ddev)
{
	struct device *dev = &ddev->pdev->dev;
	struct dcaccel_ring *ring = &ddev->ring;

	ring->size = rounddown_pow_of_two(min_t(u32, ddev->caps.ring_max,
						DCACCEL_RING_ENTRIES));
	/* room for the energy block, which a job may ask for */
	ring->record_stride = ALIGN(DCACCEL_COMPLETION_BYTES_MAX(ddev->caps.pes),
				    DCACCEL_COMPLETION_ALIGN);
	ddev->ctx_count = min_t(u32, ddev->caps.contexts,
				DCACCEL_CONTEXTS_MAX);
	ring->entries = dma_alloc_coherent(dev, ring->size *
					   DCACCEL_RING_ENTRY_SIZE,
					   &ring->entries_dma, GFP_KERNEL);
	ring->records = dma_alloc_coherent(dev, ring->size *
					   ring->record_stride,
					   &ring->records_dma, GFP_KERNEL);
	ddev->ctx_table = dma_alloc_coherent(dev, ddev->ctx_count *
					     DCACCEL_CTX_ENTRY_SIZE,
					     &ddev->ctx_table_dma, GFP_KERNEL);
	if (!ring->entries || !ring->records || !ddev->ctx_table) {
		dcaccel_hw_free(ddev);
		return -ENOMEM;
	}
	return drmm_add_action_or_reset(&ddev->drm, dcaccel_hw_release, NULL);
}

/* Program a freshly reset device and let it take the ring. */
int dcaccel_hw_start(struct dcaccel_device *ddev)
{
	struct dcaccel_ring *ring = &ddev->ring;
	u32 status;

	ring->tail = 0;
	dcaccel_write(ddev, DCACCEL_REG_INT_ENABLE, 0);
	dcaccel_write64(ddev, DCACCEL_REG_RING_BASE_LO, ring->entries_dma);
	dcaccel_write(ddev, DCACCEL_REG_RING_SIZE, ring->size);
	dcaccel_write64(ddev, DCACCEL_REG_CTX_BASE_LO, ddev->ctx_table_dma);
	dcaccel_write(ddev, DCACCEL_REG_CTX_COUNT, ddev->ctx_count);
	dcaccel_write(ddev, DCACCEL_REG_INT_STATUS, DCACCEL_INT_ALL);
	dcaccel_write(ddev, DCACCEL_REG_INT_ENABLE, DCACCEL_INT_ALL);
	dcaccel_write(ddev, DCACCEL_REG_CONTROL, DCACCEL_CONTROL_ENABLE);

	status = dcaccel_read(ddev, DCACCEL_REG_STATUS);
	if (status & DCACCEL_STATUS_HALTED) {
		drm_err(&ddev->drm, "device refused the ring: error %u\n",
			dcaccel_read(ddev, DCACCEL_REG_ERROR));
		return -EIO;
	}
	return 0;
}

/* Mask interrupts and soft-reset; what is in flight is abandoned. */
void dcaccel_hw_disable(struct dcaccel_device *ddev)
{
	dcaccel_write(ddev, DCACCEL_REG_INT_ENABLE, 0);
	dcaccel_write(ddev, DCACCEL_REG_CONTROL, DCACCEL_CONTROL_RESET);
}

/*
 * After a reset, wait (sleeping) until the device says no job is in
 * flight: only then may the buffers of abandoned jobs go.
 */
int dcaccel_hw_wait_idle(struct dcaccel_device *ddev)
{
	u32 status;

	return readl_poll_timeout(ddev->regs + DCACCEL_REG_STATUS, status,
				  !(status & DCACCEL_STATUS_BUSY), 1000,
				  DCACCEL_RESET_TIMEOUT_US);
}

/*
 * The device did not stop: it may still write anything its jobs could
 * reach. Their fences fail, so that nobody waits for good, but the jobs
 * themselves are kept (dcaccel_job_free parks them), and with them every
 * buffer and table their contexts map, the DRM device and the module.
 * New work is refused. The caller holds hw_lock.
 */
static void dcaccel_hw_wedge(struct dcaccel_device *ddev)
{
	struct dcaccel_job *job, *tmp;

	if (ddev->wedged)
		return;
	ddev->wedged = true;
	__module_get(THIS_MODULE);
	drm_dev_get(&ddev->drm);
	drm_err(&ddev->drm,
		"device still busy after a soft and a function reset: wedged; the memory of its jobs is kept until reboot\n");
	list_for_each_entry_safe(job, tmp, &ddev->ring.inflight,
				 inflight_link) {
		list_del_init(&job->inflight_link);
		dcaccel_fence_signal(job->hw_fence, -EIO);
	}
}

/* Nothing on the ring: what system sleep waits for. */
bool dcaccel_hw_ring_idle(struct dcaccel_device *ddev)
{
	unsigned long flags;
	bool idle;

	spin_lock_irqsave(&ddev->hw_lock, flags);
	idle = list_empty(&ddev->ring.inflight);
	spin_unlock_irqrestore(&ddev->hw_lock, flags);
	return idle;
}

/*
 * Reset the device and put back on a fresh ring the jobs it had not
 * started. Jobs that completed first keep their results; the guilty job
 * bad fails with JOB_TIMEOUT; a job the device had started fails with
 * JOB_CANCELED rather than run again from its first op (it may have
 * overwritten its own inputs). The caller holds reset_lock, with the
 * scheduler stopped, so nothing else pushes to the ring.
 */
void dcaccel_hw_reset(struct dcaccel_device *ddev, struct dcaccel_job *bad)
{
	struct dcaccel_job *job, *tmp, *running = NULL;
	u32 status, head, canceled = 0, requeued = 0;
	unsigned long flags;
	LIST_HEAD(ring_jobs);
	int ret;

	atomic64_inc(&ddev->counters.resets);
	spin_lock_irqsave(&ddev->hw_lock, flags);
	/* no new entry is taken; the one in flight, if any, is at RING_HEAD */
	dcaccel_write(ddev, DCACCEL_REG_CONTROL, 0);
	status = dcaccel_read(ddev, DCACCEL_REG_STATUS);
	head = dcaccel_read(ddev, DCACCEL_REG_RING_HEAD);
	list_for_each_entry(job, &ddev->ring.inflight, inflight_link) {
		if ((status & DCACCEL_STATUS_BUSY) && job->slot == head)
			running = job;
	}
	dcaccel_hw_disable(ddev);
	spin_unlock_irqrestore(&ddev->hw_lock, flags);

	ret = dcaccel_hw_wait_idle(ddev);
	if (ret)
		ret = dcaccel_hw_reset_function(ddev, false);

	spin_lock_irqsave(&ddev->hw_lock, flags);
	if (ret) {
		if (bad)
			bad->record->status = DRM_DCACCEL_JOB_TIMEOUT;
		dcaccel_hw_wedge(ddev);
		spin_unlock_irqrestore(&ddev->hw_lock, flags);
		trace_dcaccel_reset(bad ? bad->record->job_id : 0, 0, 0, ret);
		return;
	}
	/* records written before the reset took effect */
	dcaccel_hw_reap(ddev);
	list_splice_init(&ddev->ring.inflight, &ring_jobs);
	if (!ddev->broken && dcaccel_hw_start(ddev)) {
		drm_err(&ddev->drm, "device did not come back after reset\n");
		ddev->broken = true;
	}
	list_for_each_entry_safe(job, tmp, &ring_jobs, inflight_link) {
		list_del_init(&job->inflight_link);
		if (job == bad || job == running)
			dcaccel_job_account(job, 0);
		if (job == bad) {
			job->record->status = DRM_DCACCEL_JOB_TIMEOUT;
			atomic64_inc(&ddev->counters.timeouts);
			dcaccel_fence_signal(job->hw_fence, -ETIME);
		} else if (job == running || ddev->broken) {
			dcaccel_fence_signal(job->hw_fence, -ECANCELED);
			canceled++;
		} else {
			dcaccel_hw_ring_push(ddev, job);
			requeued++;
		}
	}
	spin_unlock_irqrestore(&ddev->hw_lock, flags);
	trace_dcaccel_reset(bad ? bad->record->job_id : 0, canceled, requeued,
			    ddev->broken ? -EIO : 0);
}

/*
 * The device is going: stop it and fail what is on its ring, or keep it
 * all if it does not stop. From here on nothing touches the registers.
 * The caller holds reset_lock.
 */
void dcaccel_hw_unplug(struct dcaccel_device *ddev)
{
	struct dcaccel_job *job, *tmp;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&ddev->hw_lock, flags);
	if (!ddev->wedged)
		dcaccel_hw_disable(ddev);
	spin_unlock_irqrestore(&ddev->hw_lock, flags);
	if (!ddev->wedged) {
		ret = dcaccel_hw_wait_idle(ddev);
		if (ret)
			ret = dcaccel_hw_reset_function(ddev, true);
	}

	spin_lock_irqsave(&ddev->hw_lock, flags);
	if (ret)
		dcaccel_hw_wedge(ddev);
	if (!ddev->wedged) {
		dcaccel_hw_reap(ddev);
		list_for_each_entry_safe(job, tmp, &ddev->ring.inflight,
					 inflight_link) {
			list_del_init(&job->inflight_link);
				dcaccel_fence_signal(job->hw_fence, -ENODEV);
		}
	}
	ddev->unplugged = true;
	spin_unlock_irqrestore(&ddev->hw_lock, flags);
}

void dcaccel_hw_set_ctx(struct dcaccel_device *ddev, u32 ctx, u64 root)
{
	struct dcaccel_ctx_entry *e;
	unsigned long flags;

	spin_lock_irqsave(&ddev->hw_lock, flags);
	if (!ddev->unplugged && ctx < ddev->ctx_count) {
		e = &ddev->ctx_table[ctx];
		e->reserved = 0;
		WRITE_ONCE(e->root, (__force __u64)cpu_to_le64(root));
	}
	spin_unlock_irqrestore(&ddev->hw_lock, flags);
}

static struct dcaccel_completion *
dcaccel_record(struct dcaccel_ring *ring, u32 slot)
{
	return ring->records + (size_t)slot * ring->record_stride;
}

/* Put a job on the ring and ring the doorbell; the caller holds hw_lock. */
void dcaccel_hw_ring_push(struct dcaccel_device *ddev, struct dcaccel_job *job)
{
	struct dcaccel_ring *ring = &ddev->ring;
	struct dcaccel_ring_entry *e = &ring->entries[ring->tail];
	struct dcaccel_completion *rec = dcaccel_record(ring, ring->tail);
	u64 rec_dma = ring->records_dma +
		      (u64)ring->tail * ring->record_stride;

	job->seqno = ++ring->next_seqno;
	job->slot = ring->tail;
	WRITE_ONCE(rec->seqno, 0);

	memset(e, 0, sizeof(*e));
	e->flags = (__force __u32)cpu_to_le32(DCACCEL_RING_F_IRQ |
					      DCACCEL_RING_F_PE_STATS |
					      (job->energy ?
					       DCACCEL_RING_F_ENERGY : 0));
	e->ctx = (__force __u32)cpu_to_le32(job->vm->ctx_id);
	e->cmd_va = (__force __u64)cpu_to_le64(job->cmd_va);
	e->cmd_len = (__force __u32)cpu_to_le32(job->cmd_len);
	e->seqno = (__force __u64)cpu_to_le64(job->seqno);
	e->completion = (__force __u64)cpu_to_le64(rec_dma);

	list_add_tail(&job->inflight_link, &ring->inflight);
	job->pushed_at = ktime_get();
	trace_dcaccel_run(job->vm->ctx_id, job->record->job_id, job->seqno,
			  job->slot);
	ring->tail = (ring->tail + 1) & (ring->size - 1);
	/* writel orders the entry before the doorbell */
	dcaccel_write(ddev, DCACCEL_REG_RING_TAIL, ring->tail);
}

/* Complete, in ring order, every job whose record has arrived. */
void dcaccel_hw_reap(struct dcaccel_device *ddev)
{
	struct dcaccel_ring *ring = &ddev->ring;
	struct dcaccel_job *job, *tmp;

	lockdep_assert_held(&ddev->hw_lock);
	list_for_each_entry_safe(job, tmp, &ring->inflight, inflight_link) {
		struct dcaccel_completion *rec = dcaccel_record(ring,
								job->slot);

		/* the device writes the seqno last */
		if (dcaccel_ld64(&rec->seqno) != job->seqno)
			break;
		dma_rmb();
		list_del_init(&job->inflight_link);
		dcaccel_job_complete(job, rec);
	}
}

static void dcaccel_report_fault(struct dcaccel_device *ddev)
{
	u32 status = dcaccel_read(ddev, DCACCEL_REG_FAULT_STATUS);

	if (!(status & DCACCEL_FAULT_VALID))
		return;
	dev_info_ratelimited(ddev->drm.dev,
			     "MMU fault: context %u %s VA 0x%llx reason %u\n",
			     dcaccel_read(ddev, DCACCEL_REG_FAULT_CTX),
			     status & DCACCEL_FAULT_WRITE ? "write" : "read",
			     dcaccel_read64(ddev, DCACCEL_REG_FAULT_ADDR_LO),
			     DCACCEL_FAULT_REASON(status));
	dcaccel_write(ddev, DCACCEL_REG_FAULT_STATUS, DCACCEL_FAULT_VALID);
}

irqreturn_t dcaccel_irq(int irq, void *arg)
{
	struct dcaccel_device *ddev = arg;
	u32 status, error = 0;

	spin_lock(&ddev->hw_lock);
	/* a shared line may fire while the device is in D3hot or reset */
	if (ddev->unplugged || ddev->suspended) {
		spin_unlock(&ddev->hw_lock);
		return IRQ_NONE;
	}
	status = dcaccel_read(ddev, DCACCEL_REG_INT_STATUS);
	/* all ones: the device is gone; claim only the causes we know */
	if (status == ~0u || !(status & DCACCEL_INT_ALL)) {
		spin_unlock(&ddev->hw_lock);
		return IRQ_NONE;
	}
	status &= DCACCEL_INT_ALL;
	dcaccel_write(ddev, DCACCEL_REG_INT_STATUS, status);
	atomic64_inc(&ddev->counters.irqs);
	dcaccel_hw_reap(ddev);
	if (status & DCACCEL_INT_MMU_FAULT)
		dcaccel_report_fault(ddev);
	if (status & DCACCEL_INT_RING_ERROR)
		error = dcaccel_read(ddev, DCACCEL_REG_ERROR);
	spin_unlock(&ddev->hw_lock);

	if (status & DCACCEL_INT_RING_ERROR) {
		drm_err_ratelimited(&ddev->drm,
				    "ring halted: error %u; resetting\n", error);
		drm_sched_fault(&ddev->sched);
	}
	return IRQ_HANDLED;
}
