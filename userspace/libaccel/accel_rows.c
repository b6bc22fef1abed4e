// SPDX-License-Identifier: MIT
/*
 * Model parallel over several devices (accel_model_load_rows,
 * accel_infer_rows): one FC layer's rows dealt to n devices as if they
 * were one accelerator of n x P PEs -- row r to virtual PE r mod nP, that
 * is to device (r mod nP) / P -- each device running its rows as a layer
 * of its own, the host putting the outputs back in row order. Every
 * output is computed as on one device, so the outputs are bit for bit
 * the whole layer's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_internal.h"

#define ROWS_MAX_PARTS	64

/* The PEs every part is dealt for: the devices', all the same. */
static int common_pes(struct accel_device *const *devs, uint32_t n,
		      uint32_t file_pes, uint32_t *pes, struct accel_error *err)
{
	*pes = devs[0] ? devs[0]->info.pes : file_pes;
	for (uint32_t k = 1; k < n; k++) {
		uint32_t p = devs[k] ? devs[k]->info.pes : file_pes;

		if (p != *pes)
			return accelp_fail(err, ACCEL_E_INVALID,
					  "accel_model_load_rows: device %u has %u PEs, device 0 %u: the rows are dealt to equal devices",
					  k, p, *pes);
	}
	return ACCEL_OK;
}

/* Layer l with only the rows of part d (their global indices in *rows). */
static int part_layer(const struct dcm_layer *l, uint32_t d, uint32_t n,
		      uint32_t pes, struct dcm_layer *out, uint32_t **rows)
{
	const uint64_t span = (uint64_t)n * pes;
	uint32_t count = 0;

	*out = *l;
	memset(&out->streams, 0, sizeof(out->streams));
	out->pes = pes;
	*rows = malloc((l->rows ? l->rows : 1) * sizeof(**rows));
	out->widx = malloc((size_t)(l->rows ? l->rows : 1) * l->cols);
	out->bias = l->bias ? malloc((l->rows ? l->rows : 1) * sizeof(*l->bias)) : NULL;
	if (!*rows || !out->widx || (l->bias && !out->bias))
		return ACCEL_E_NOMEM;
	for (uint32_t r = 0; r < l->rows; r++) {
		if ((r % span) / pes != d)
			continue;
		memcpy(out->widx + (size_t)count * l->cols,
		       l->widx + (size_t)r * l->cols, l->cols);
		if (l->bias)
			out->bias[count] = l->bias[r];
		(*rows)[count++] = r;
	}
	out->rows = count;
	return ACCEL_OK;
}

/* Part d of the layer as a model on devs[d]. */
static int load_part(struct accel_device *dev, const struct dcm_layer *l,
		     uint32_t d, uint32_t n, uint32_t pes, const char *path,
		     struct accel_model **part, struct accel_error *err)
{
	struct dcm_layer sub;
	struct dcm_model m = { .layer_count = 1, .layers = &sub };
	struct dcm_error de;
	uint32_t *rows = NULL;
	uint8_t *buf = NULL;
	char name[256];
	size_t len;
	int st = part_layer(l, d, n, pes, &sub, &rows);

	if (st) {
		st = accelp_fail(err, st, "out of memory");
	} else if (sub.rows == 0) {
		st = accelp_fail(err, ACCEL_E_INVALID,
				"accel_model_load_rows: %s: %u rows do not reach device %u of %u (%u PEs each): too small a layer to split",
				path, l->rows, d, n, pes);
	} else if (dcm_write_buffer(&m, &buf, &len, &de)) {
		st = accelp_fail(err, ACCEL_E_MODEL, "%s: rows of device %u: %s", path,
				d, de.msg);
	} else {
		snprintf(name, sizeof(name), "%s (the rows of device %u of %u)", path, d, n);
		st = accel_model_load_buffer(dev, buf, len, name, part, err);
	}
	if (!st) {
		(*part)->row_of = rows;
		(*part)->whole_rows = l->rows;
		(*part)->part = d;
		(*part)->parts = n;
		rows = NULL;
	}
	free(buf);
	free(rows);
	free(sub.widx);
	free(sub.bias);
	return st;
}

int accel_model_load_rows(struct accel_device *const *devs, uint32_t n,
			  const char *path, struct accel_model **parts,
			  struct accel_error *err)
{
	struct dcm_model src;
	struct dcm_error de;
	uint32_t pes;
	int st;

	if (!devs || !path || !parts || n == 0 || n > ROWS_MAX_PARTS)
		return accelp_fail(err, ACCEL_E_INVALID, "accel_model_load_rows: %s",
				  !devs ? "devs is NULL" : !path ? "path is NULL" :
				  !parts ? "parts is NULL" : "n must be 1 to 64 devices");
	memset(parts, 0, n * sizeof(*parts));
	if (dcm_read_file(path, &src, &de))
		return accelp_fail(err, ACCEL_E_MODEL, "%s", de.msg);
	if (src.layer_count != 1 || src.layers[0].kind != DCM_FC) {
		st = accelp_fail(err, ACCEL_E_INVALID,
				"accel_model_load_rows: %s: model parallel deals the rows of one FC layer; this model has %u layers, the first %s",
				path, src.layer_count, dcm_kind_name(src.layers[0].kind));
		goto out;
	}
	st = common_pes(devs, n, src.layers[0].pes, &pes, err);
	for (uint32_t d = 0; !st && d < n; d++)
		st = load_part(devs[d], &src.layers[0], d, n, pes, path, &parts[d], err);
	if (st)
		for (uint32_t d = 0; d < n; d++) {
			accel_model_free(parts[d]);
			parts[d] = NULL;
		}
out:
	dcm_free(&src);
	return st;
}

/* parts[] are the n parts of one split, in order. */
static int check_parts(struct accel_model *const *parts, uint32_t n,
		       struct accel_error *err)
{
	if (!parts || n == 0 || n > ROWS_MAX_PARTS)
		return accelp_fail(err, ACCEL_E_INVALID, "accel_infer_rows: %s",
				  parts ? "n must be 1 to 64 parts" : "parts is NULL");
	for (uint32_t k = 0; k < n; k++) {
		const struct accel_model *p = parts[k];

		if (!p || !p->row_of || p->parts != n || p->part != k ||
		    p->whole_rows != parts[0]->whole_rows ||
		    p->inputs != parts[0]->inputs)
			return accelp_fail(err, ACCEL_E_INVALID,
					  "accel_infer_rows: part %u is %s", k,
					  !p ? "NULL" : !p->row_of ?
					  "a whole model, not a part of accel_model_load_rows" :
					  "not part k of the same n-way split");
	}
	return ACCEL_OK;
}

int accel_infer_rows(struct accel_model *const *parts, uint32_t n,
		     uint32_t batch, const float *in, float *out,
		     struct accel_stats *stats, struct accel_error *err)
{
	struct accel_job *jobs[ROWS_MAX_PARTS] = { NULL };
	float *part_out[ROWS_MAX_PARTS] = { NULL };
	struct accel_stats s;
	int st = check_parts(parts, n, err);

	if (!st)
		st = accelp_check_io("accel_infer_rows", batch, in, out, err);
	if (st)
		return st;
	for (uint32_t k = 0; k < n && !st; k++) {
		part_out[k] = malloc((size_t)batch * parts[k]->outputs * sizeof(float));
		if (!part_out[k])
			st = accelp_fail(err, ACCEL_E_NOMEM, "out of memory");
	}
	/* every device part submitted before anything is waited for */
	for (uint32_t k = 0; k < n && !st; k++)
		if (parts[k]->dev)
			st = accel_submit(parts[k], batch, in, &jobs[k], err);
	for (uint32_t k = 0; k < n; k++) {
		if (!st)
			st = parts[k]->dev ?
			     accel_job_wait(jobs[k], -1, part_out[k], &s, err) :
			     accel_infer(parts[k], ACCEL_BACKEND_CPU, batch, in,
					 part_out[k], &s, err);
		if (!st && stats)
			accelp_stats_merge(stats, &s, k == 0);
		accel_job_free(jobs[k]);
	}
	/* the whole layer's outputs, each row where it belongs */
	for (uint32_t k = 0; k < n && !st; k++) {
		const struct accel_model *p = parts[k];

		for (uint32_t b = 0; b < batch; b++)
			for (uint32_t j = 0; j < p->outputs; j++)
				out[(size_t)b * p->whole_rows + p->row_of[j]] =
					part_out[k][(size_t)b * p->outputs + j];
	}
	for (uint32_t k = 0; k < n; k++)
		free(part_out[k]);
	return st;
}
