// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel: a devcoredump when a job hangs, taken before the reset clears
 * the device: the hung job, the device's registers and every job on the
 * ring, as text under /sys/class/devcoredump/devcdN/data.
 */
#include <linux/devcoredump.h>
#include <linux/vmalloc.h>

#include "dcaccel_drv.h"

#define DCACCEL_COREDUMP_MAX	(64 * 1024)

static const struct {
	const char *name;
	u32 reg;
} dcaccel_dump_regs[] = {
	{ "CONTROL", DCACCEL_REG_CONTROL },
	{ "STATUS", DCACCEL_REG_STATUS },
	{ "INT_STATUS", DCACCEL_REG_INT_STATUS },
	{ "INT_ENABLE", DCACCEL_REG_INT_ENABLE },
	{ "RING_SIZE", DCACCEL_REG_RING_SIZE },
	{ "RING_HEAD", DCACCEL_REG_RING_HEAD },
	{ "RING_TAIL", DCACCEL_REG_RING_TAIL },
	{ "ERROR", DCACCEL_REG_ERROR },
	{ "FAULT_STATUS", DCACCEL_REG_FAULT_STATUS },
	{ "LAST_STATUS", DCACCEL_REG_LAST_STATUS },
	{ "LAST_DETAIL", DCACCEL_REG_LAST_DETAIL },
};

/*
 * From the timeout handler, before the reset. Allocates without retrying
 * (as panfrost's dump does): a dump is not worth pushing memory for.
 */
void dcaccel_coredump(struct dcaccel_device *ddev, struct dcaccel_job *bad)
{
	struct dcaccel_job *job;
	unsigned long flags;
	size_t len = 0;
	unsigned int i;
	char *buf;

	buf = __vmalloc(DCACCEL_COREDUMP_MAX,
			GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY);
	if (!buf)
		return;
#define DUMP(...) (len += scnprintf(buf + len, DCACCEL_COREDUMP_MAX - len, \
				    __VA_ARGS__))
	DUMP("dcaccel devcoredump: job timeout after %u ms\n",
	     dcaccel_job_timeout_ms);
	DUMP("hung job %llu context %u seqno %llu slot %u cmd_va 0x%llx cmd_len %u bos %u\n",
	     bad->record->job_id, bad->vm->ctx_id, bad->seqno, bad->slot,
	     bad->cmd_va, bad->cmd_len, bad->bo_count);

	spin_lock_irqsave(&ddev->hw_lock, flags);
	if (!ddev->unplugged) {
		for (i = 0; i < ARRAY_SIZE(dcaccel_dump_regs); i++)
			DUMP("reg %-12s 0x%08x\n", dcaccel_dump_regs[i].name,
			     dcaccel_read(ddev, dcaccel_dump_regs[i].reg));
		DUMP("reg %-12s %llu\n", "LAST_SEQNO",
		     dcaccel_read64(ddev, DCACCEL_REG_LAST_SEQNO_LO));
	}
	DUMP("ring size %u tail %u next_seqno %llu\n", ddev->ring.size,
	     ddev->ring.tail, ddev->ring.next_seqno);
	list_for_each_entry(job, &ddev->ring.inflight, inflight_link)
		DUMP("ring slot %u seqno %llu context %u job %llu cmd_va 0x%llx cmd_len %u%s\n",
		     job->slot, job->seqno, job->vm->ctx_id,
		     job->record->job_id, job->cmd_va, job->cmd_len,
		     job == bad ? " (hung)" : "");
	spin_unlock_irqrestore(&ddev->hw_lock, flags);
#undef DUMP
	dev_coredumpv(ddev->drm.dev, buf, len, GFP_KERNEL);
}
