// SPDX-License-Identifier: MIT
/*
 * Inference: quantize as dcc does, then run the layers on the CPU
 * reference (accel_cpu.c) or as one device job per chunk of vectors,
 * each job the whole network: one op per layer (FC, CONV, POOL,
 * BITPLANE, BITPLANE_CONV, QUANT) chained in a command buffer over the
 * job's activation BO.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>

#include "accel_internal.h"
#include "syncobj_eventfd.h"
#include "dcaccel_accel.h"
#include "dcaccel/dcaccel_hw.h"
#include "../common/q15.h"

#define WAIT_FOREVER_NS	(3600ll * 1000000000ll)

struct accel_subjob {
	uint32_t first, count;	/* vectors */
	uint32_t syncobj;
	uint64_t job_id;
	int done;
};

struct accel_job {
	struct accel_model *m;
	uint32_t batch, nsub;
	uint32_t nsync;		/* sub-jobs with a syncobj: >= nsub */
	uint32_t nsubmitted;	/* sub-jobs the device took */
	struct accel_bo *in, *act, *cmd;
	/*
	 * Per layer, in act: the last layer's outputs for the whole batch
	 * (read back at the end), the others' for one sub-job, shared by
	 * the sub-jobs, which run one after another.
	 */
	uint64_t *act_off;
	struct accel_subjob *sub;
	struct accel_stats stats;
	int want_energy;	/* the sub-jobs ask for the energy model */
	struct accel_energy energy;
	int status;		/* of the first failed sub-job */
	char msg[sizeof(((struct accel_error *)0)->msg)];
};

static int check_batch(const struct accel_model *m, uint32_t batch,
		       const void *in, const void *out, const char *fn,
		       struct accel_error *err)
{
	if (!m)
		return accelp_fail(err, ACCEL_E_INVALID, "%s: model is NULL", fn);
	if (batch == 0)
		return accelp_fail(err, ACCEL_E_INVALID, "%s: batch is 0", fn);
	if (!in || !out)
		return accelp_fail(err, ACCEL_E_INVALID, "%s: %s is NULL", fn,
				  in ? "output" : "input");
	return ACCEL_OK;
}

int accel_quantize(const struct accel_model *m, uint32_t batch,
		   const float *in, int16_t *q, struct accel_error *err)
{
	int st = check_batch(m, batch, in, q, "accel_quantize", err);
	unsigned int frac;

	if (st)
		return st;
	frac = m->layers[0].in_frac;
	/* to_q15() bit for bit, in integers: cheap under an emulator */
	for (size_t k = 0; k < (size_t)batch * m->inputs; k++)
		q[k] = float_to_q15(in[k], frac);
	return ACCEL_OK;
}

uint32_t accel_argmax(const float *v, uint32_t n)
{
	uint32_t best = 0;

	for (uint32_t c = 1; v && c < n; c++)
		if (v[c] > v[best])
			best = c;
	return best;
}

/* Bytes of one input value in the input BO: float or int16. */
static uint32_t input_bytes(const struct accel_model *m)
{
	return m->layers[0].f32_input ? 4 : 2;
}

/*
 * The job's inputs into its input BO: the floats as they are when the
 * device converts them (a copy costs the guest far less than quantizing,
 * most of all under an emulator), else quantized here.
 */
static void job_fill_input(const struct accel_model *m, uint32_t batch,
			   const float *in, struct accel_job *j)
{
	if (m->layers[0].f32_input)
		memcpy(j->in->map, in, (size_t)batch * m->inputs * sizeof(*in));
	else
		accel_quantize(m, batch, in, j->in->map, NULL);
}

/*
 * Write sub-job s's ops, one per layer, into the command BO: the first
 * reads the input BO, each later one the output of the one before (int16
 * values or a QUANT op's planes) in the activation BO, so that the whole
 * network runs as one job and the host touches no activation between
 * layers.
 */
static void build_ops(struct accel_job *j, uint32_t s)
{
	const struct accel_model *m = j->m;
	const struct accel_subjob *sj = &j->sub[s];
	uint8_t *cmd = (uint8_t *)j->cmd->map + (size_t)s * m->cmd_bytes;
	uint64_t in_va = j->in->va + (uint64_t)sj->first * m->inputs *
			 input_bytes(m);

	for (uint32_t i = 0; i < m->layer_count; i++) {
		const struct accel_mlayer *ml = &m->layers[i];
		uint64_t out_va = j->act->va + j->act_off[i] +
				  (i + 1 == m->layer_count ?
				   (uint64_t)sj->first * ml->out_bytes : 0);

		accelp_layer_op(ml, sj->count, m->bo->va, in_va, out_va, cmd);
		cmd += ml->op_size;
		in_va = out_va;
	}
}

static void job_destroy(struct accel_job *j)
{
	int fd = j->m->dev->fd;

	for (uint32_t s = 0; j->sub && s < j->nsync; s++)
		if (j->sub[s].syncobj)
			drmSyncobjDestroy(fd, j->sub[s].syncobj);
	accel_bo_free(j->in);
	accel_bo_free(j->act);
	accel_bo_free(j->cmd);
	free(j->act_off);
	free(j->sub);
	free(j);
}

/*
 * Done with j: keep its buffers and syncobjs as the model's spare when
 * every sub-job it submitted has ended (the device no longer touches
 * them; a syncobj's next SUBMIT replaces its fence), else free them.
 */
static void job_release(struct accel_job *j)
{
	struct accel_job *old;

	for (uint32_t s = 0; s < j->nsubmitted; s++) {
		if (!j->sub[s].done) {
			job_destroy(j);
			return;
		}
	}
	old = __atomic_exchange_n(&j->m->spare, j, __ATOMIC_ACQ_REL);
	if (old)
		job_destroy(old);
}

void accelp_spare_free(struct accel_model *m)
{
	struct accel_job *j = __atomic_exchange_n(&m->spare, NULL,
						  __ATOMIC_ACQ_REL);

	if (j)
		job_destroy(j);
}

/* bo, when at least size bytes, else a new one of size (bo freed). */
static int bo_fit(struct accel_model *m, struct accel_bo **bo, uint64_t size,
		  uint32_t flags, struct accel_error *err)
{
	if (*bo && (*bo)->size >= size)
		return ACCEL_OK;
	accel_bo_free(*bo);
	*bo = NULL;
	return accel_bo_create(m->dev, size, flags, bo, err);
}


/*
 * Fill in the job's buffers and sub-jobs (j may hold a spare job's, which
 * are reused when large enough), its inputs and its ops.
 */
static int job_setup(struct accel_model *m, uint32_t batch, const float *in,
		     struct accel_job *j, struct accel_error *err)
{
	uint64_t act_bytes = 0;
	uint32_t nsub = (batch + m->chunk - 1) / m->chunk;
	int st;

	j->m = m;
	j->batch = batch;
	j->nsubmitted = 0;
	j->status = ACCEL_OK;
	memset(&j->stats, 0, sizeof(j->stats));
	memset(&j->energy, 0, sizeof(j->energy));
	if (!j->act_off)
		j->act_off = calloc(m->layer_count, sizeof(*j->act_off));
	if (nsub > j->nsync) {
		struct accel_subjob *sub = realloc(j->sub, nsub * sizeof(*sub));

		if (!sub)
			return accelp_fail(err, ACCEL_E_NOMEM, "out of memory");
		memset(sub + j->nsync, 0, (nsub - j->nsync) * sizeof(*sub));
		j->sub = sub;
	}
	j->nsub = nsub;
	if (!j->act_off)
		return accelp_fail(err, ACCEL_E_NOMEM, "out of memory");
	for (uint32_t i = 0; i < m->layer_count; i++) {
		uint32_t n = i + 1 == m->layer_count || batch < m->chunk ? batch : m->chunk;

		/* 8-aligned: a QUANT op writes 64-bit words */
		j->act_off[i] = act_bytes;
		act_bytes += ((uint64_t)n * m->layers[i].out_bytes + 7) & ~7ull;
	}
	st = bo_fit(m, &j->in, (uint64_t)batch * m->inputs * input_bytes(m),
		    ACCEL_BO_DEVICE_READ_ONLY, err);
	if (!st)
		st = bo_fit(m, &j->act, act_bytes, 0, err);
	if (!st)
		st = bo_fit(m, &j->cmd, (uint64_t)j->nsub * m->cmd_bytes,
			    ACCEL_BO_DEVICE_READ_ONLY, err);
	if (st)
		return st;
	job_fill_input(m, batch, in, j);
	for (uint32_t s = 0; s < j->nsub; s++) {
		j->sub[s].first = s * m->chunk;
		j->sub[s].count = batch - j->sub[s].first < m->chunk ?
				  batch - j->sub[s].first : m->chunk;
		j->sub[s].done = 0;
		j->sub[s].job_id = 0;
		if (s >= j->nsync) {
			if (drmSyncobjCreate(m->dev->fd, 0, &j->sub[s].syncobj))
				return accelp_fail(err, accelp_errno_status(errno),
						  "SYNCOBJ_CREATE: %s", strerror(errno));
			j->nsync = s + 1;
		}
		build_ops(j, s);
	}
	return ACCEL_OK;
}

static int job_collect(struct accel_job *j, int64_t timeout_ns,
		       struct accel_error *err);

static int job_pending(const struct accel_job *j)
{
	for (uint32_t s = 0; s < j->nsubmitted; s++)
		if (!j->sub[s].done)
			return 1;
	return 0;
}

/* Submit every sub-job, each after the one before (so the last one's
 * syncobj signals the whole job). A file may have only so many jobs in
 * flight (EBUSY past DRM_DCACCEL_PARAM_MAX_JOBS): then wait for those
 * submitted so far and go on. */
static int job_submit(struct accel_job *j, struct accel_error *err)
{
	const struct accel_model *m = j->m;
	uint32_t handles[3] = { m->bo->handle, j->in->handle, j->act->handle };

	for (uint32_t s = 0; s < j->nsub; s++) {
		struct drm_dcaccel_submit sub = {
			.cmd_handle = j->cmd->handle,
			.cmd_offset = (uint64_t)s * m->cmd_bytes,
			.cmd_size = m->cmd_bytes,
			.bo_handles = (uintptr_t)handles,
			.bo_count = 3,
			.in_syncobjs = s ? (uintptr_t)&j->sub[s - 1].syncobj : 0,
			.in_syncobj_count = s ? 1 : 0,
			.out_syncobj = j->sub[s].syncobj,
			.flags = j->want_energy ? DRM_DCACCEL_SUBMIT_ENERGY : 0,
		};

		if (drmIoctl(m->dev->fd, DRM_IOCTL_DCACCEL_SUBMIT, &sub)) {
			int e = errno;

			if (e == EBUSY && job_pending(j)) {
				int st = job_collect(j, -1, err);

				if (st)
					return st;
				s--;	/* and again */
				continue;
			}

			return accelp_fail(err, accelp_errno_status(e),
					  "SUBMIT of vectors %u..%u: %s", j->sub[s].first,
					  j->sub[s].first + j->sub[s].count - 1, strerror(e));
		}
		j->sub[s].job_id = sub.job_id;
		j->nsubmitted = s + 1;
	}
	return ACCEL_OK;
}

static const char *job_status_name(uint32_t st)
{
	switch (st) {
	case DRM_DCACCEL_JOB_MMU_FAULT: return "MMU fault";
	case DRM_DCACCEL_JOB_BAD_COMMAND: return "bad command";
	case DRM_DCACCEL_JOB_TIMEOUT: return "device timeout (reset)";
	case DRM_DCACCEL_JOB_CANCELED: return "canceled";
	default: return "unknown status";
	}
}

/* Wait for the sub-jobs not yet done; record status and stats. */
static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ll + t.tv_nsec;
}

static void add_energy(struct accel_energy *t,
		       const struct drm_dcaccel_job_energy *e)
{
	t->jobs++;
	t->dram_weight_words += e->dram_weight_words;
	t->dram_act_words += e->dram_act_words;
	t->sram_words += e->sram_words;
	t->dram_weights_fj += e->dram_weights_fj;
	t->dram_acts_fj += e->dram_acts_fj;
	t->sram_fj += e->sram_fj;
	t->arith_fj += e->arith_fj;
	t->bitops_fj += e->bitops_fj;
}

static int job_collect(struct accel_job *j, int64_t timeout_ns,
		       struct accel_error *err)
{
	int64_t deadline = timeout_ns < 0 ? 0 : now_ns() + timeout_ns;

	for (uint32_t s = 0; s < j->nsubmitted; s++) {
		struct accel_subjob *sj = &j->sub[s];
		struct drm_dcaccel_wait_job w = { .job_id = sj->job_id };
		struct accel_stats *t = &j->stats;

		if (sj->done)
			continue;
		if (timeout_ns < 0) {
			w.timeout_ns = WAIT_FOREVER_NS;
		} else {
			int64_t left = deadline - now_ns();

			w.timeout_ns = left > 0 ? left : 0;
		}
		if (drmIoctl(j->m->dev->fd, DRM_IOCTL_DCACCEL_WAIT_JOB, &w)) {
			int e = errno;

			if (e == ETIME || e == ETIMEDOUT)
				return accelp_fail(err, ACCEL_E_TIMEOUT,
						  "job of %u vectors still running", j->batch);
			return accelp_fail(err, accelp_errno_status(e),
					  "WAIT_JOB %llu: %s",
					  (unsigned long long)sj->job_id, strerror(e));
		}
		sj->done = 1;
		if (w.status != DRM_DCACCEL_JOB_OK && j->status == ACCEL_OK) {
			j->status = ACCEL_E_JOB;
			snprintf(j->msg, sizeof(j->msg),
				 "device job %llu (vectors %u..%u): %s%s",
				 (unsigned long long)sj->job_id, sj->first,
				 sj->first + sj->count - 1, job_status_name(w.status),
				 w.status == DRM_DCACCEL_JOB_MMU_FAULT ? " at VA" : "");
			if (w.status == DRM_DCACCEL_JOB_MMU_FAULT) {
				size_t n = strlen(j->msg);

				snprintf(j->msg + n, sizeof(j->msg) - n, " 0x%llx",
					 (unsigned long long)w.stats.fault_va);
			}
		}
		t->jobs++;
		t->cycles += w.stats.cycles;
		t->nonzero_acts += w.stats.nonzero_acts;
		t->entries += w.stats.entries;
		t->macs += w.stats.macs;
		if (t->jobs == 1 || w.stats.pe_busy_min < t->pe_busy_min)
			t->pe_busy_min = w.stats.pe_busy_min;
		if (w.stats.pe_busy_max > t->pe_busy_max)
			t->pe_busy_max = w.stats.pe_busy_max;
		t->pe_busy_total += w.stats.pe_busy_total;
		if (j->want_energy)
			add_energy(&j->energy, &w.energy);
	}
	return ACCEL_OK;
}

/* accel_submit(), its jobs asking for the energy model when want_energy. */
static int submit(struct accel_model *m, uint32_t batch, const float *in,
		  int want_energy, struct accel_job **out, const char *fn,
		  struct accel_error *err)
{
	struct accel_job *j;
	int st = check_batch(m, batch, in, out, fn, err);

	if (st)
		return st;
	*out = NULL;
	if (!m->dev)
		return accelp_fail(err, ACCEL_E_INVALID,
				  "%s: the model was loaded without a device", fn);
	if (want_energy && !m->dev->has_energy)
		return accelp_fail(err, ACCEL_E_UNSUPPORTED,
				  "%s: %s has no energy model (hardware version %u.%u; 1.2 has it)",
				  fn, m->dev->info.node, m->dev->info.hw_version >> 16,
				  m->dev->info.hw_version & 0xffff);
	j = __atomic_exchange_n(&m->spare, NULL, __ATOMIC_ACQ_REL);
	if (!j)
		j = calloc(1, sizeof(*j));
	if (!j)
		return accelp_fail(err, ACCEL_E_NOMEM, "out of memory");
	st = job_setup(m, batch, in, j, err);
	j->want_energy = want_energy;
	if (!st)
		st = job_submit(j, err);
	if (st) {
		job_collect(j, -1, NULL);
		job_release(j);
		return st;
	}
	*out = j;
	return ACCEL_OK;
}

int accel_submit(struct accel_model *m, uint32_t batch, const float *in,
		 struct accel_job **out, struct accel_error *err)
{
	return submit(m, batch, in, 0, out, "accel_submit", err);
}

int accel_job_fd(struct accel_job *j, int *fd, struct accel_error *err)
{
	if (!j || !fd)
		return accelp_fail(err, ACCEL_E_INVALID, "accel_job_fd: %s is NULL",
				  j ? "fd" : "job");
	struct drm_syncobj_eventfd ev = {
		.handle = j->sub[j->nsub - 1].syncobj,
	};
	int e;

	ev.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ev.fd < 0)
		return accelp_fail(err, accelp_errno_status(errno),
				  "eventfd: %s", strerror(errno));
	if (drmIoctl(j->m->dev->fd, DRM_IOCTL_SYNCOBJ_EVENTFD, &ev)) {
		e = errno;
		close(ev.fd);
		return accelp_fail(err, accelp_errno_status(e),
				  "SYNCOBJ_EVENTFD on the job's syncobj: %s",
				  strerror(e));
	}
	*fd = ev.fd;
	return ACCEL_OK;
}

int accel_job_wait(struct accel_job *j, int64_t timeout_ns, float *out,
		   struct accel_stats *stats, struct accel_error *err)
{
	const struct accel_model *m;
	int st;

	if (!j || !out)
		return accelp_fail(err, ACCEL_E_INVALID, "accel_job_wait: %s is NULL",
				  j ? "output" : "job");
	st = job_collect(j, timeout_ns, err);
	if (st)
		return st;
	if (j->status)
		return accelp_fail(err, j->status, "%s", j->msg);
	m = j->m;
	accelp_dequantize(m, j->batch,
		   (const int16_t *)((const uint8_t *)j->act->map +
				     j->act_off[m->layer_count - 1]), out);
	if (stats)
		*stats = j->stats;
	return ACCEL_OK;
}

void accel_job_free(struct accel_job *j)
{
	if (!j)
		return;
	job_collect(j, -1, NULL);
	job_release(j);
}

int accel_infer(struct accel_model *m, enum accel_backend backend,
		uint32_t batch, const float *in, float *out,
		struct accel_stats *stats, struct accel_error *err)
{
	struct accel_job *j;
	int st = check_batch(m, batch, in, out, "accel_infer", err);

	if (st)
		return st;
	if (backend == ACCEL_BACKEND_CPU)
		return accelp_infer_cpu(m, batch, in, out, stats, err);
	if (backend != ACCEL_BACKEND_DEVICE)
		return accelp_fail(err, ACCEL_E_INVALID,
				  "accel_infer: unknown backend %d", (int)backend);
	st = accel_submit(m, batch, in, &j, err);
	if (st)
		return st;
	st = accel_job_wait(j, -1, out, stats, err);
	accel_job_free(j);
	return st;
}

int accel_infer_energy(struct accel_model *m, uint32_t batch,
		       const float *in, float *out, struct accel_stats *stats,
		       struct accel_energy *energy, struct accel_error *err)
{
	struct accel_job *j;
	int st;

	if (!energy)
		return accelp_fail(err, ACCEL_E_INVALID, "accel_infer_energy: energy is NULL");
	st = submit(m, batch, in, 1, &j, "accel_infer_energy", err);
	if (st)
		return st;
	st = accel_job_wait(j, -1, out, stats, err);
	if (!st)
		*energy = j->energy;
	accel_job_free(j);
	return st;
}

uint64_t accel_energy_total_fj(const struct accel_energy *e)
{
	return e->dram_weights_fj + e->dram_acts_fj + e->sram_fj +
	       e->arith_fj + e->bitops_fj;
}
