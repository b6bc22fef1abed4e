// SPDX-License-Identifier: MIT
/*
 * Data parallel inference over several devices (accel_infer_split): the
 * batch cut into one contiguous share per device, every share submitted
 * before any is waited for, so that the devices run at once. And what the
 * model-parallel calls share with it: argument checks, merged counters.
 */
#include <stdlib.h>
#include <string.h>

#include "accel_internal.h"

#define SPLIT_MAX	64	/* devices: as many as there are accel nodes */

/* The models are one network: the same inputs and outputs, each on a device. */
static int check_models(struct accel_model *const *models, uint32_t n,
			struct accel_model_info *info, struct accel_error *err)
{
	struct accel_model_info mi;

	if (!models || n == 0 || n > SPLIT_MAX)
		return accelp_fail(err, ACCEL_E_INVALID,
				  "accel_infer_split: %s", !models ? "models is NULL" :
				  "n must be 1 to 64 models");
	for (uint32_t k = 0; k < n; k++) {
		if (!models[k] || !models[k]->dev || models[k]->row_of)
			return accelp_fail(err, ACCEL_E_INVALID,
					  "accel_infer_split: model %u is %s", k,
					  !models[k] ? "NULL" : !models[k]->dev ?
					  "loaded without a device" :
					  "a part of accel_model_load_rows (accel_infer_rows runs those)");
		for (uint32_t i = 0; i < k; i++)
			if (!strcmp(models[i]->dev->info.node, models[k]->dev->info.node))
				return accelp_fail(err, ACCEL_E_INVALID,
						  "accel_infer_split: models %u and %u are on the same device, %s",
						  i, k, models[k]->dev->info.node);
		accel_model_info(models[k], k ? &mi : info, NULL);
		if (k && (mi.inputs != info->inputs || mi.outputs != info->outputs ||
			  mi.layer_count != info->layer_count ||
			  mi.file_bytes != info->file_bytes))
			return accelp_fail(err, ACCEL_E_INVALID,
					  "accel_infer_split: model %u is another network (%u inputs, %u outputs, %u layers, %u bytes; model 0: %u, %u, %u, %u)",
					  k, mi.inputs, mi.outputs, mi.layer_count, mi.file_bytes,
					  info->inputs, info->outputs, info->layer_count,
					  info->file_bytes);
	}
	return ACCEL_OK;
}

int accelp_check_io(const char *fn, uint32_t batch, const float *in,
		    const float *out, struct accel_error *err)
{
	if (!in || !out || batch == 0)
		return accelp_fail(err, ACCEL_E_INVALID, "%s: %s", fn,
				  !in ? "input is NULL" : !out ? "output is NULL" :
				  "batch is 0");
	return ACCEL_OK;
}

void accelp_stats_merge(struct accel_stats *sum, const struct accel_stats *s,
			bool first)
{
	if (first) {
		*sum = *s;
		return;
	}
	sum->jobs += s->jobs;
	sum->cycles = s->cycles > sum->cycles ? s->cycles : sum->cycles;
	sum->nonzero_acts += s->nonzero_acts;
	sum->entries += s->entries;
	sum->macs += s->macs;
	sum->pe_busy_min = s->pe_busy_min < sum->pe_busy_min ? s->pe_busy_min :
			   sum->pe_busy_min;
	sum->pe_busy_max = s->pe_busy_max > sum->pe_busy_max ? s->pe_busy_max :
			   sum->pe_busy_max;
	sum->pe_busy_total += s->pe_busy_total;
}

int accel_infer_split(struct accel_model *const *models, uint32_t n,
		      uint32_t batch, const float *in, float *out,
		      struct accel_stats *stats, struct accel_error *err)
{
	struct accel_job *jobs[SPLIT_MAX] = { NULL };
	struct accel_model_info info;
	struct accel_stats s;
	bool any = false;
	int st = check_models(models, n, &info, err);

	if (!st)
		st = accelp_check_io("accel_infer_split", batch, in, out, err);
	if (st)
		return st;
	/* share k: inputs [batch k / n, batch (k + 1) / n) */
	for (uint32_t k = 0; k < n && !st; k++) {
		uint32_t lo = (uint32_t)((uint64_t)batch * k / n);
		uint32_t hi = (uint32_t)((uint64_t)batch * (k + 1) / n);

		if (hi > lo)
			st = accel_submit(models[k], hi - lo,
					  in + (size_t)lo * info.inputs, &jobs[k], err);
	}
	for (uint32_t k = 0; k < n; k++) {
		uint32_t lo = (uint32_t)((uint64_t)batch * k / n);

		if (!jobs[k])
			continue;
		if (!st) {
			st = accel_job_wait(jobs[k], -1, out + (size_t)lo * info.outputs,
					    &s, err);
			if (!st && stats)
				accelp_stats_merge(stats, &s, !any);
			any = true;
		}
		accel_job_free(jobs[k]);	/* after a failure: waits, frees */
	}
	return st;
}
