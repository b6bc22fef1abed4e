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

#include <drm/drm_print.h>

#include "dcaccel_drv.h"

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

int dcaccel_hw_init(struct dcaccel_device *ddev)
{
	struct device *dev = &ddev->pdev->dev;
	struct dcaccel_ring *ring = &ddev->ring;
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
	dcaccel_write(ddev, DCACCEL_REG_CONTROL, DCACCEL_CONTROL_RESET);

	ring->size = rounddown_pow_of_two(min_t(u32, ddev->caps.ring_max,
						DCACCEL_RING_ENTRIES));
	ring->record_stride = ALIGN(DCACCEL_COMPLETION_BYTES(ddev->caps.pes),
				    DCACCEL_COMPLETION_ALIGN);
	INIT_LIST_HEAD(&ring->inflight);
	ring->entries = dmam_alloc_coherent(dev, ring->size *
					    DCACCEL_RING_ENTRY_SIZE,
					    &ring->entries_dma, GFP_KERNEL);
	ring->records = dmam_alloc_coherent(dev, ring->size *
					    ring->record_stride,
					    &ring->records_dma, GFP_KERNEL);
	ddev->ctx_count = min_t(u32, ddev->caps.contexts,
				DCACCEL_CONTEXTS_MAX);
	ddev->ctx_table = dmam_alloc_coherent(dev, ddev->ctx_count *
					      DCACCEL_CTX_ENTRY_SIZE,
					      &ddev->ctx_table_dma,
					      GFP_KERNEL);
	if (!ring->entries || !ring->records || !ddev->ctx_table)
		return -ENOMEM;
	return dcaccel_hw_start(ddev);
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

void dcaccel_hw_stop(struct dcaccel_device *ddev)
{
	u32 status;

	dcaccel_write(ddev, DCACCEL_REG_INT_ENABLE, 0);
	dcaccel_write(ddev, DCACCEL_REG_CONTROL, DCACCEL_CONTROL_RESET);
	/* no DMA may follow: the buffers of an abandoned job can go now */
	if (readl_poll_timeout_atomic(ddev->regs + DCACCEL_REG_STATUS, status,
				      !(status & DCACCEL_STATUS_BUSY), 10,
				      10000))
		drm_warn(&ddev->drm, "device still busy after reset\n");
}

/*
 * Stop the device and take every job off the ring; the caller holds
 * hw_lock. Jobs that finished first keep their results; the others leave
 * with their fences failed by error (when they are to be replayed, the
 * scheduler has detached from those fences already).
 */
void dcaccel_hw_quiesce(struct dcaccel_device *ddev, int error)
{
	struct dcaccel_job *job, *tmp;

	dcaccel_hw_stop(ddev);
	dcaccel_hw_reap(ddev);
	list_for_each_entry_safe(job, tmp, &ddev->ring.inflight,
				 inflight_link) {
		list_del_init(&job->inflight_link);
		job->on_ring = false;
		dcaccel_fence_signal(job->hw_fence, error);
	}
}

/* Soft reset and a fresh, empty ring; the caller holds hw_lock. */
void dcaccel_hw_reset(struct dcaccel_device *ddev, int error)
{
	atomic64_inc(&ddev->counters.resets);
	dcaccel_hw_quiesce(ddev, error);
	if (dcaccel_hw_start(ddev))
		drm_err(&ddev->drm, "device did not come back after reset\n");
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
					      DCACCEL_RING_F_PE_STATS);
	e->ctx = (__force __u32)cpu_to_le32(job->vm->ctx_id);
	e->cmd_va = (__force __u64)cpu_to_le64(job->cmd_va);
	e->cmd_len = (__force __u32)cpu_to_le32(job->cmd_len);
	e->seqno = (__force __u64)cpu_to_le64(job->seqno);
	e->completion = (__force __u64)cpu_to_le64(rec_dma);

	list_add_tail(&job->inflight_link, &ring->inflight);
	job->on_ring = true;
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
		job->on_ring = false;
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
	u32 status;

	spin_lock(&ddev->hw_lock);
	if (ddev->unplugged) {
		spin_unlock(&ddev->hw_lock);
		return IRQ_NONE;
	}
	status = dcaccel_read(ddev, DCACCEL_REG_INT_STATUS);
	if (!status || status == ~0u) {
		spin_unlock(&ddev->hw_lock);
		return IRQ_NONE;
	}
	dcaccel_write(ddev, DCACCEL_REG_INT_STATUS, status);
	atomic64_inc(&ddev->counters.irqs);
	dcaccel_hw_reap(ddev);
	if (status & DCACCEL_INT_MMU_FAULT)
		dcaccel_report_fault(ddev);
	spin_unlock(&ddev->hw_lock);

	if (status & DCACCEL_INT_RING_ERROR) {
		drm_err(&ddev->drm, "ring halted: error %u; resetting\n",
			dcaccel_read(ddev, DCACCEL_REG_ERROR));
		drm_sched_fault(&ddev->sched);
	}
	return IRQ_HANDLED;
}
