// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel: jobs. SUBMIT checks the request, takes the BOs and input
 * syncobjs, and pushes the job through drm_sched (one scheduler on the
 * device ring, an entity per file). run_job puts it on the ring; the IRQ
 * handler completes it from its completion record; a timeout resets the
 * device, fails the guilty job and replays the others. What the device
 * counted lands in a job record that WAIT_JOB reads.
 */
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include "dcaccel_drv.h"
#include "dcaccel_trace.h"

unsigned int dcaccel_job_timeout_ms = 2000;

/* 0 would fire the timeout continuously; an hour is as good as never */
static int dcaccel_set_timeout_ms(const char *val,
				  const struct kernel_param *kp)
{
	unsigned int ms;
	int ret = kstrtouint(val, 0, &ms);

	if (ret)
		return ret;
	if (ms < 10 || ms > 3600000) {
		pr_err("dcaccel: job_timeout_ms=%u is outside 10..3600000\n",
		       ms);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = ms;
	return 0;
}

static const struct kernel_param_ops dcaccel_timeout_ops = {
	.set = dcaccel_set_timeout_ms,
	.get = param_get_uint,
};

module_param_cb(job_timeout_ms, &dcaccel_timeout_ops,
		&dcaccel_job_timeout_ms, 0444);
MODULE_PARM_DESC(job_timeout_ms,
		 "Time a job may run before a reset (ms, 10..3600000)");

static const char *dcaccel_fence_driver_name(struct dma_fence *fence)
{
	return DCACCEL_DRIVER_NAME;
}

static const char *dcaccel_fence_timeline_name(struct dma_fence *fence)
{
	return "dcaccel-ring";
}

/* no .release: dma_fence_free frees it, with no code of this module */
static const struct dma_fence_ops dcaccel_fence_ops = {
	.get_driver_name = dcaccel_fence_driver_name,
	.get_timeline_name = dcaccel_fence_timeline_name,
};

void dcaccel_fence_signal(struct dma_fence *fence, int error)
{
	if (!fence || dma_fence_is_signaled(fence))
		return;
	if (error)
		dma_fence_set_error(fence, error);
	dma_fence_signal(fence);
}

static void dcaccel_record_release(struct kref *ref)
{
	struct dcaccel_job_record *rec =
		container_of(ref, struct dcaccel_job_record, ref);

	dma_fence_put(rec->finished);
	kfree(rec);
}

static void dcaccel_record_put(struct dcaccel_job_record *rec)
{
	if (rec)
		kref_put(&rec->ref, dcaccel_record_release);
}

void dcaccel_file_records_fini(struct dcaccel_file *dfile)
{
	unsigned int i;

	for (i = 0; i < DCACCEL_JOB_RECORDS; i++)
		dcaccel_record_put(dfile->records[i]);
}

static u32 dcaccel_uapi_status(u32 hw_status)
{
	switch (hw_status) {
	case DCACCEL_JOB_OK:
		return DRM_DCACCEL_JOB_OK;
	case DCACCEL_JOB_MMU_FAULT:
		return DRM_DCACCEL_JOB_MMU_FAULT;
	default:
		return DRM_DCACCEL_JOB_BAD_COMMAND;
	}
}

/*
 * Charge the device time a job took to its context, for fdinfo: from when
 * it went on the ring, or when the job before it ended, until now. Under
 * hw_lock.
 */
void dcaccel_job_account(struct dcaccel_job *job, u64 cycles)
{
	struct dcaccel_ring *ring = &job->ddev->ring;
	ktime_t now = ktime_get();
	ktime_t start = ktime_after(job->pushed_at, ring->last_done) ?
			job->pushed_at : ring->last_done;

	atomic64_add(ktime_to_ns(ktime_sub(now, start)), &job->vm->engine_ns);
	atomic64_add(cycles, &job->vm->cycles);
	ring->last_done = now;
}

/* The energy block after the record (DCACCEL_RING_F_ENERGY). */
static void dcaccel_job_read_energy(struct drm_dcaccel_job_energy *out,
				    const struct dcaccel_energy_record *e)
{
	out->dram_weight_words = dcaccel_ld64(&e->dram_weight_words);
	out->dram_act_words = dcaccel_ld64(&e->dram_act_words);
	out->sram_words = dcaccel_ld64(&e->sram_words);
	out->dram_weights_fj = dcaccel_ld64(&e->dram_weights_fj);
	out->dram_acts_fj = dcaccel_ld64(&e->dram_acts_fj);
	out->sram_fj = dcaccel_ld64(&e->sram_fj);
	out->arith_fj = dcaccel_ld64(&e->arith_fj);
	out->bitops_fj = dcaccel_ld64(&e->bitops_fj);
}

/* From the IRQ handler or a reset, under hw_lock: the job's record came. */
void dcaccel_job_complete(struct dcaccel_job *job,
			  const struct dcaccel_completion *rec)
{
	struct dcaccel_device *ddev = job->ddev;
	struct drm_dcaccel_job_stats *st = &job->record->stats;
	u32 hw_status = dcaccel_ld32(&rec->status);
	u32 pes = dcaccel_ld32(&rec->pes);
	int error = 0;

	memset(st, 0, sizeof(*st));
	st->cycles = dcaccel_ld64(&rec->cycles);
	st->nonzero_acts = dcaccel_ld64(&rec->nonzero_acts);
	st->entries = dcaccel_ld64(&rec->entries);
	st->macs = dcaccel_ld64(&rec->macs);
	st->pe_busy_total = dcaccel_ld64(&rec->busy);
	if (pes && pes == ddev->caps.pes) {
		const __u64 *busy = (const void *)rec + DCACCEL_COMPLETION_SIZE;
		u32 i;

		st->pe_busy_min = U64_MAX;
		for (i = 0; i < pes; i++) {
			u64 b = dcaccel_ld64(&busy[i]);

			st->pe_busy_min = min(st->pe_busy_min, b);
			st->pe_busy_max = max(st->pe_busy_max, b);
		}
	}
	if (job->energy && pes <= ddev->caps.pes)
		dcaccel_job_read_energy(&job->record->energy, (const void *)rec +
					DCACCEL_COMPLETION_BYTES(pes));
	job->record->status = dcaccel_uapi_status(hw_status);
	if (hw_status == DCACCEL_JOB_MMU_FAULT) {
		st->fault_va = dcaccel_ld64(&rec->fault_va);
		atomic64_inc(&ddev->counters.faults);
		error = -EFAULT;
	} else if (hw_status != DCACCEL_JOB_OK) {
		drm_dbg_driver(&ddev->drm,
			       "job %llu failed: status %u detail %u\n",
			       job->record->job_id, hw_status,
			       dcaccel_ld32(&rec->detail));
		error = -EIO;
	}
	atomic64_inc(error ? &ddev->counters.failed :
		     &ddev->counters.completed);
	/* what it wrote, seen by the CPU before anyone sees the fence */
	dcaccel_job_sync_for_cpu(job);
	dcaccel_job_account(job, st->cycles);
	trace_dcaccel_complete(job->vm->ctx_id, job->record->job_id,
			       job->seqno, job->record->status, st->cycles);
	dcaccel_fence_signal(job->hw_fence, error);
}

/*
 * Where DMA needs syncs (bounce buffers, or caches the device does not
 * snoop: job->dma_sync), a job owns each of its buffers whole, from its
 * sync for the device to its sync for the CPU
 * (dcaccel_job_sync_for_device): two jobs of one file on the ring at once
 * may share a buffer, and the second's sync would copy over what the
 * first is writing. There a job starts once its file's previous one has
 * ended: the wait is on that job's hw fence, since drm_sched would wait
 * for a scheduler fence of the same scheduler only to be scheduled.
 * Elsewhere a file's jobs follow each other on the ring with no gap.
 */
static struct dma_fence *dcaccel_prepare_job(struct drm_sched_job *sched_job,
					     struct drm_sched_entity *entity)
{
	struct dcaccel_job *job = to_dcaccel_job(sched_job);
	struct dcaccel_device *ddev = job->ddev;
	struct dma_fence *prev = NULL;
	unsigned long flags;

	if (!job->dma_sync)
		return NULL;
	spin_lock_irqsave(&ddev->hw_lock, flags);
	if (job->vm->last_hw_fence &&
	    !dma_fence_is_signaled(job->vm->last_hw_fence))
		prev = dma_fence_get(job->vm->last_hw_fence);
	spin_unlock_irqrestore(&ddev->hw_lock, flags);
	return prev;
}

/*
 * Jobs go on the ring in the order they run here, and the device completes
 * them in ring order, so the ring's fences signal in order. A job that
 * cannot go on the ring fails at once; the ring holds nothing older then.
 */
static struct dma_fence *dcaccel_run_job(struct drm_sched_job *sched_job)
{
	struct dcaccel_job *job = to_dcaccel_job(sched_job);
	struct dcaccel_device *ddev = job->ddev;
	struct dcaccel_fence *f = job->fence;
	unsigned long flags;
	int error = 0;

	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &dcaccel_fence_ops, &f->lock,
		       ddev->fence_context,
		       atomic64_inc_return(&ddev->fence_seqno));
	job->fence = NULL;
	job->hw_fence = &f->base;

	spin_lock_irqsave(&ddev->hw_lock, flags);
	if (ddev->unplugged)
		error = -ENODEV;
	else if (ddev->broken || ddev->wedged)
		error = -EIO;
	else
		error = sched_job->s_fence->finished.error;
	if (!error) {
		dcaccel_job_sync_for_device(job);
		dcaccel_hw_ring_push(ddev, job);
		dma_fence_put(job->vm->last_hw_fence);
		job->vm->last_hw_fence = dma_fence_get(job->hw_fence);
	}
	spin_unlock_irqrestore(&ddev->hw_lock, flags);

	if (error)
		dcaccel_fence_signal(job->hw_fence, error);
	else
		atomic64_inc(&ddev->counters.submitted);
	return dma_fence_get(job->hw_fence);
}

/*
 * Reset the device; dcaccel_hw_reset says what becomes of each job on its
 * ring. Jobs put back on the fresh ring keep their fences, and with them
 * the scheduler's callbacks, so nothing is resubmitted (run_job runs once
 * per job, and never allocates in the reset path): only the scheduler's
 * submission is paused meanwhile.
 */
void dcaccel_recover(struct dcaccel_device *ddev, struct dcaccel_job *bad)
{
	mutex_lock(&ddev->reset_lock);
	drm_sched_wqueue_stop(&ddev->sched);
	if (!READ_ONCE(ddev->unplugged) && !READ_ONCE(ddev->wedged))
		dcaccel_hw_reset(ddev, bad);
	/* system sleep restarts it on resume */
	if (!ddev->asleep)
		drm_sched_wqueue_start(&ddev->sched);
	mutex_unlock(&ddev->reset_lock);
}

static void dcaccel_free_job(struct drm_sched_job *sched_job);

static enum drm_gpu_sched_stat
dcaccel_timedout_job(struct drm_sched_job *sched_job)
{
	struct dcaccel_job *job = to_dcaccel_job(sched_job);
	struct dcaccel_device *ddev = job->ddev;
	bool gone = READ_ONCE(ddev->unplugged);

	/* one that ended just now is not hung: no reset for it */
	if (!gone && !READ_ONCE(ddev->wedged) &&
	    !dma_fence_is_signaled(job->hw_fence)) {
		trace_dcaccel_timeout(job->vm->ctx_id, job->record->job_id);
		dcaccel_coredump(ddev, job);
		dev_warn_ratelimited(ddev->drm.dev,
				     "job %llu of context %u timed out; resetting\n",
				     job->record->job_id, job->vm->ctx_id);
		dcaccel_recover(ddev, job);
	}
	/*
	 * drm_sched took the job off its pending list before calling here,
	 * so nobody else frees it: once its fence has signalled (it ended,
	 * was failed by the reset, or by the unplug), it is ours to free (on
	 * a wedged device, to park).
	 */
	if (dma_fence_is_signaled(job->hw_fence))
		dcaccel_free_job(sched_job);
	return gone ? DRM_GPU_SCHED_STAT_ENODEV : DRM_GPU_SCHED_STAT_NOMINAL;
}

/*
 * A wedged device may still reach whatever the contexts of its jobs map:
 * the jobs, and through them their contexts and buffers, stay for good.
 * Returns whether the job was parked.
 */
static bool dcaccel_job_park(struct dcaccel_job *job)
{
	struct dcaccel_device *ddev = job->ddev;
	unsigned long flags;
	bool parked;

	spin_lock_irqsave(&ddev->hw_lock, flags);
	parked = ddev->wedged;
	if (parked)
		list_add_tail(&job->inflight_link, &ddev->wedged_jobs);
	spin_unlock_irqrestore(&ddev->hw_lock, flags);
	return parked;
}

static void dcaccel_job_free(struct dcaccel_job *job)
{
	struct dcaccel_vm *vm = job->vm;
	u32 i;

	if (dcaccel_job_park(job))
		return;
	/* every job holds the device awake, from SUBMIT (see there) */
	dcaccel_pm_put(job->ddev);

	for (i = 0; i < job->bo_count; i++)
		drm_gem_object_put(job->bos[i]);
	kvfree(job->bos);
	dcaccel_record_put(job->record);
	dma_fence_put(job->hw_fence);
	kfree(job->fence);
	/* last: buffers freed by then may be waiting for this job to go */
	if (!list_empty(&job->vm_link))
		dcaccel_vm_job_del(vm, job);
	kfree(job);
	dcaccel_vm_put(vm);
}

static void dcaccel_free_job(struct drm_sched_job *sched_job)
{
	drm_sched_job_cleanup(sched_job);
	dcaccel_job_free(to_dcaccel_job(sched_job));
}

static const struct drm_sched_backend_ops dcaccel_sched_ops = {
	.prepare_job = dcaccel_prepare_job,
	.run_job = dcaccel_run_job,
	.timedout_job = dcaccel_timedout_job,
	.free_job = dcaccel_free_job,
};

/* The debugfs reset, on the timeout queue so that it never races a TDR. */
static void dcaccel_reset_work(struct work_struct *work)
{
	struct dcaccel_device *ddev = container_of(work, struct dcaccel_device,
						   reset_work);

	if (!READ_ONCE(ddev->unplugged))
		dcaccel_recover(ddev, NULL);
}

int dcaccel_sched_init(struct dcaccel_device *ddev)
{
	struct drm_sched_init_args args = {
		.ops = &dcaccel_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		/* a job is one ring entry; a full ring keeps one free */
		.credit_limit = ddev->ring.size - 1,
		.timeout = msecs_to_jiffies(dcaccel_job_timeout_ms),
		.name = DCACCEL_DRIVER_NAME,
		.dev = ddev->drm.dev,
	};
	int ret;

	ddev->reset_wq = alloc_ordered_workqueue("dcaccel-reset", 0);
	if (!ddev->reset_wq)
		return -ENOMEM;
	INIT_WORK(&ddev->reset_work, dcaccel_reset_work);
	args.timeout_wq = ddev->reset_wq;
	ddev->fence_context = dma_fence_context_alloc(1);
	ret = drm_sched_init(&ddev->sched, &args);
	if (ret)
		destroy_workqueue(ddev->reset_wq);
	return ret;
}

void dcaccel_sched_fini(struct dcaccel_device *ddev)
{
	drm_sched_fini(&ddev->sched);
	destroy_workqueue(ddev->reset_wq);
}

/* Look up the BOs the job lists, and the command BO, each once. */
static int dcaccel_job_lookup_bos(struct drm_file *file,
				  struct dcaccel_job *job,
				  const struct drm_dcaccel_submit *args,
				  struct drm_gem_object *cmd)
{
	u32 __user *uhandles = u64_to_user_ptr(args->bo_handles);
	bool have_cmd = false;
	u32 i, j, handle;

	job->bos = kvcalloc(args->bo_count + 1, sizeof(*job->bos),
			    GFP_KERNEL_ACCOUNT);
	if (!job->bos)
		return -ENOMEM;
	for (i = 0; i < args->bo_count; i++) {
		struct dcaccel_bo *bo;

		if (get_user(handle, uhandles + i))
			return -EFAULT;
		bo = dcaccel_bo_lookup(file, handle);
		if (!bo)
			return -ENOENT;
		job->bos[job->bo_count++] = &bo->base.base;
		job->dma_sync |= bo->dma_sync;
		for (j = 0; j < i; j++) {
			if (job->bos[j] == &bo->base.base)
				return -EINVAL;	/* listed twice */
		}
		have_cmd |= &bo->base.base == cmd;
	}
	if (!have_cmd) {
		drm_gem_object_get(cmd);
		job->bos[job->bo_count++] = cmd;
		job->dma_sync |= to_dcaccel_bo(cmd)->dma_sync;
	}
	return 0;
}

static int dcaccel_job_add_deps(struct drm_file *file, struct dcaccel_job *job,
				const struct drm_dcaccel_submit *args)
{
	u32 __user *uhandles = u64_to_user_ptr(args->in_syncobjs);
	u32 i, handle;
	int ret;

	for (i = 0; i < args->in_syncobj_count; i++) {
		if (get_user(handle, uhandles + i))
			return -EFAULT;
		if (!handle)
			return -EINVAL;
		ret = drm_sched_job_add_syncobj_dependency(&job->base, file,
							   handle, 0);
		if (ret)
			return ret;
	}
	return 0;
}

static int dcaccel_submit_check(struct dcaccel_device *ddev,
				const struct drm_dcaccel_submit *args)
{
	if ((args->flags & ~DRM_DCACCEL_SUBMIT_FLAGS) || args->pad)
		return -EINVAL;
	if ((args->flags & DRM_DCACCEL_SUBMIT_ENERGY) &&
	    !dcaccel_has_energy(&ddev->caps))
		return -EOPNOTSUPP;
	if (!args->cmd_size || args->cmd_size % 8 || args->cmd_offset % 8)
		return -EINVAL;
	if (args->cmd_size > ddev->caps.max_cmd_bytes)
		return -E2BIG;
	if (args->bo_count > DCACCEL_SUBMIT_MAX_BOS ||
	    args->in_syncobj_count > DCACCEL_SUBMIT_MAX_SYNCOBJS)
		return -E2BIG;
	return 0;
}

/*
 * Publish the job: fences in the BOs and the out syncobj, then queue. Once
 * pushed the job may run and be freed at any time: nothing touches it after.
 */
static int dcaccel_job_push(struct dcaccel_file *dfile,
			    struct dcaccel_job *job, struct drm_syncobj *out,
			    u64 *job_id)
{
	struct dcaccel_job_record *old;
	struct ww_acquire_ctx ticket;
	struct dma_fence *finished;
	unsigned int slot;
	u32 i;
	int ret;

	ret = drm_gem_lock_reservations(job->bos, job->bo_count, &ticket);
	if (ret)
		return ret;
	for (i = 0; i < job->bo_count && !ret; i++) {
		/*
		 * An import's reservation is its exporter's: the job waits
		 * for its writers there, but leaves no fence of its own in
		 * it, since that fence could outlive this module.
		 */
		if (job->bos[i]->import_attach)
			ret = drm_sched_job_add_implicit_dependencies(&job->base,
								      job->bos[i],
								      false);
		else
			ret = dma_resv_reserve_fences(job->bos[i]->resv, 1);
	}
	if (ret) {
		drm_gem_unlock_reservations(job->bos, job->bo_count, &ticket);
		return ret;
	}

	mutex_lock(&dfile->submit_lock);
	drm_sched_job_arm(&job->base);
	finished = &job->base.s_fence->finished;
	job->record->finished = dma_fence_get(finished);
	job->record->job_id = ++dfile->next_job_id;
	*job_id = job->record->job_id;
	trace_dcaccel_submit(job->vm->ctx_id, *job_id, job->cmd_len,
			     job->bo_count);
	slot = job->record->job_id % DCACCEL_JOB_RECORDS;
	old = dfile->records[slot];
	kref_get(&job->record->ref);
	dfile->records[slot] = job->record;

	for (i = 0; i < job->bo_count; i++) {
		bool ro = to_dcaccel_bo(job->bos[i])->flags &
			  DRM_DCACCEL_BO_DEVICE_READ_ONLY;

		if (job->bos[i]->import_attach)
			continue;
		dma_resv_add_fence(job->bos[i]->resv, finished,
				   ro ? DMA_RESV_USAGE_READ :
					DMA_RESV_USAGE_WRITE);
	}
	drm_gem_unlock_reservations(job->bos, job->bo_count, &ticket);
	if (out)
		drm_syncobj_replace_fence(out, finished);
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&dfile->submit_lock);
	dcaccel_record_put(old);
	return 0;
}

int dcaccel_submit_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct dcaccel_device *ddev = to_dcaccel(drm);
	struct dcaccel_file *dfile = file->driver_priv;
	struct drm_dcaccel_submit *args = data;
	struct drm_syncobj *out = NULL;
	struct dcaccel_bo *cmd;
	struct dcaccel_job *job;
	bool inited = false, pm_held = false;
	int ret, idx;

	ret = dcaccel_submit_check(ddev, args);
	if (ret)
		return ret;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
	if (READ_ONCE(ddev->wedged) || READ_ONCE(ddev->broken)) {
		ret = -EIO;
		goto out_exit;
	}
	/* the device stays awake from here until the job is freed */
	ret = dcaccel_pm_get(ddev);
	if (ret)
		goto out_exit;
	pm_held = true;

	cmd = dcaccel_bo_lookup(file, args->cmd_handle);
	if (!cmd) {
		ret = -ENOENT;
		goto out_pm;
	}
	if (args->cmd_offset > cmd->base.base.size ||
	    args->cmd_size > cmd->base.base.size - args->cmd_offset) {
		ret = -EINVAL;
		goto out_cmd;
	}

	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (!job) {
		ret = -ENOMEM;
		goto out_cmd;
	}
	pm_held = false;	/* the job's now, until dcaccel_job_free() */
	job->ddev = ddev;
	job->vm = dfile->vm;
	kref_get(&job->vm->ref);
	INIT_LIST_HEAD(&job->inflight_link);
	INIT_LIST_HEAD(&job->vm_link);
	job->cmd_va = cmd->node.start + args->cmd_offset;
	job->cmd_len = args->cmd_size;
	job->energy = args->flags & DRM_DCACCEL_SUBMIT_ENERGY;
	/* the job may reach every buffer of its context from here on */
	ret = dcaccel_vm_job_add(job->vm, job);
	if (ret)
		goto err;
	job->record = kzalloc(sizeof(*job->record), GFP_KERNEL_ACCOUNT);
	if (job->record)
		kref_init(&job->record->ref);
	job->fence = kzalloc(sizeof(*job->fence), GFP_KERNEL_ACCOUNT);
	if (!job->fence || !job->record) {
		ret = -ENOMEM;
		goto err;
	}
	/* what WAIT_JOB says of a job that never reaches the device */
	job->record->status = DRM_DCACCEL_JOB_CANCELED;

	ret = dcaccel_job_lookup_bos(file, job, args, &cmd->base.base);
	if (ret)
		goto err;
	if (args->out_syncobj) {
		out = drm_syncobj_find(file, args->out_syncobj);
		if (!out) {
			ret = -ENOENT;
			goto err;
		}
	}

	ret = drm_sched_job_init(&job->base, &dfile->entity, 1, dfile->vm,
				 file->client_id);
	if (ret)
		goto err;
	inited = true;
	ret = dcaccel_job_add_deps(file, job, args);
	if (ret)
		goto err;

	ret = dcaccel_job_push(dfile, job, out, &args->job_id);
	if (ret)
		goto err;
	goto out;

err:
	if (inited)
		drm_sched_job_cleanup(&job->base);
	dcaccel_job_free(job);
out:
	if (out)
		drm_syncobj_put(out);
out_cmd:
	drm_gem_object_put(&cmd->base.base);
out_pm:
	if (pm_held)
		dcaccel_pm_put(ddev);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

int dcaccel_wait_job_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct dcaccel_device *ddev = to_dcaccel(drm);
	struct dcaccel_file *dfile = file->driver_priv;
	struct drm_dcaccel_wait_job *args = data;
	struct dcaccel_job_record *rec;
	ktime_t start = ktime_get();
	unsigned long flags;
	long ret;

	if (args->pad || args->timeout_ns < 0 || !args->job_id)
		return -EINVAL;

	mutex_lock(&dfile->submit_lock);
	rec = dfile->records[args->job_id % DCACCEL_JOB_RECORDS];
	if (rec && rec->job_id == args->job_id)
		kref_get(&rec->ref);
	else
		rec = NULL;
	mutex_unlock(&dfile->submit_lock);
	if (!rec)
		return -EINVAL;

	if (!args->timeout_ns)
		ret = dma_fence_is_signaled(rec->finished);
	else
		ret = dma_fence_wait_timeout(rec->finished, true,
					     dcaccel_timeout_to_jiffies(args->timeout_ns));
	if (ret > 0) {
		spin_lock_irqsave(&ddev->hw_lock, flags);
		args->status = rec->status;
		args->stats = rec->stats;
		args->energy = rec->energy;
		spin_unlock_irqrestore(&ddev->hw_lock, flags);
	}
	dcaccel_record_put(rec);
	if (ret == -ERESTARTSYS)
		dcaccel_timeout_left(&args->timeout_ns, start);
	if (ret < 0)
		return ret;
	return ret ? 0 : -ETIME;
}
