// SPDX-License-Identifier: MIT
/*
 * eie_run_decoded() split over a team of threads that the caller owns
 * (the datapath starts none): a batch by vectors, a single vector by the
 * rows form's chunks or by the column form's columns. Every part writes
 * outputs no other part writes, or partial sums of its own that the
 * calling thread adds up after the team; integer sums do not depend on
 * the order, so the results and statistics are eie_run_decoded()'s bit
 * for bit, for any number of parts.
 */
#include <errno.h>
#include <string.h>

#include "eie.h"
#include "eie_arith.h"
#include "eie_decoded_parts.h"
#include "eie_host.h"

size_t eie_run_team_ws_size(const struct eie_layer *l, uint32_t parts)
{
	return eie_align8(eie_run_decoded_ws_size(l)) * (parts ? parts : 1);
}

enum split_by { BY_VECTORS, BY_CHUNKS, BY_COLUMNS };

struct team_job {
	const struct eie_decoded *d;
	const int16_t *in;
	int16_t *out;
	uint32_t batch;
	uint8_t *ws;
	size_t ws_stride;
	const struct eie_poll *poll;
	enum split_by by;
	uint32_t bound[EIE_TEAM_MAX + 1];	/* part p: [bound[p], bound[p + 1]) */
	struct eie_stats stats[EIE_TEAM_MAX];
	int ret[EIE_TEAM_MAX];
};

static void run_part(void *arg, uint32_t p)
{
	struct team_job *job = arg;
	const struct eie_layer *l = job->d->layer;
	const uint32_t b0 = job->bound[p], b1 = job->bound[p + 1];
	void *ws = job->ws + p * job->ws_stride;
	int64_t *acc = ws;

	switch (job->by) {
	case BY_VECTORS:
		job->ret[p] = eie_run_decoded_poll(job->d, b1 - b0,
						   job->in + (size_t)b0 * l->cols,
						   job->out + (size_t)b0 * l->rows,
						   ws, &job->stats[p], job->poll);
		break;
	case BY_CHUNKS:
		job->ret[p] = eie_run_rows(job->d, job->in, job->out, ws, b0, b1,
					   job->poll);
		break;
	case BY_COLUMNS:
		memset(acc, 0, (size_t)l->rows * sizeof(*acc));
		job->ret[p] = eie_columns_partial(job->d, job->in, b0, b1, acc,
						  (int32_t *)(acc + l->rows),
						  job->poll);
		break;
	}
}

/* Work up to index i: at64[i], at32[i], or i itself when both are NULL. */
static uint64_t work_at(const uint64_t *at64, const uint32_t *at32, uint32_t i)
{
	return at64 ? at64[i] : at32 ? at32[i] : i;
}

/*
 * Split [0, n) into job->bound[] of `parts` parts of about equal work,
 * where work up to index i is work_at(i) (non-decreasing): each bound is
 * the first index whose work reaches its share.
 */
static void split(struct team_job *job, uint32_t parts, uint32_t n,
		  const uint64_t *at64, const uint32_t *at32)
{
	const uint64_t total = work_at(at64, at32, n);

	for (uint32_t p = 0; p < parts; p++) {
		const uint64_t want = total * p / parts;
		uint32_t lo = 0, hi = n;

		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;

			if (work_at(at64, at32, mid) < want)
				lo = mid + 1;
			else
				hi = mid;
		}
		job->bound[p] = lo;
	}
	job->bound[parts] = n;
}

int eie_run_decoded_team(const struct eie_decoded *d, uint32_t batch,
			 const int16_t *in, int16_t *out, void *ws,
			 struct eie_stats *stats, const struct eie_poll *poll,
			 const struct eie_team *team)
{
	const struct eie_layer *l = d->layer;
	uint32_t parts = team && team->run ? team->parts : 1;
	struct eie_vector_counts c = { 0 };
	struct team_job job = {
		.d = d, .in = in, .out = out, .batch = batch, .ws = ws,
		.ws_stride = eie_align8(eie_run_decoded_ws_size(l)), .poll = poll,
	};
	uint64_t work;

	if (!batch)
		return 0;
	if (parts < 2)
		return eie_run_decoded_poll(d, batch, in, out, ws, stats, poll);
	if (parts > EIE_TEAM_MAX)
		parts = EIE_TEAM_MAX;
	if (batch > 1) {
		job.by = BY_VECTORS;
		work = (uint64_t)batch * d->colstart[l->cols];
		if (parts > batch)
			parts = batch;
	} else {
		eie_vector_counts(d, in, &c);
		if (eie_take_rows(d, c.entries - c.padding)) {
			job.by = BY_CHUNKS;
			work = d->rows.start[d->rows.chunks];
		} else {
			job.by = BY_COLUMNS;
			work = c.entries - c.padding;
			/* each part zeroes, and the caller adds, a sum per row */
			while (parts > 1 && (uint64_t)parts * l->rows > work / 4)
				parts--;
		}
	}
	if (parts < 2 ||
	    work < (team->min_work ? team->min_work : EIE_TEAM_MIN_WORK)) {
		if (batch > 1)
			return eie_run_decoded_poll(d, batch, in, out, ws,
						    stats, poll);
		/* one vector alone: its counts are taken already */
		if (eie_poll_stop(poll))
			return -ECANCELED;
		return eie_run_counted_vector(d, in, out, ws, stats, poll, &c);
	}
	if (eie_poll_stop(poll))
		return -ECANCELED;

	if (job.by == BY_VECTORS)
		split(&job, parts, batch, NULL, NULL);
	else if (job.by == BY_CHUNKS)
		split(&job, parts, d->rows.chunks, d->rows.start, NULL);
	else
		split(&job, parts, l->cols, NULL, d->colstart);
	team->run(team->opaque, run_part, &job, parts);

	for (uint32_t p = 0; p < parts; p++)
		if (job.ret[p])
			return -ECANCELED;
	if (job.by == BY_COLUMNS) {
		int64_t *acc = ws;

		for (uint32_t p = 1; p < parts; p++) {
			const int64_t *part = (const int64_t *)
				(job.ws + p * job.ws_stride);

			for (uint32_t i = 0; i < l->rows; i++)
				acc[i] += part[i];
		}
		eie_finish_sums(l, acc, out);
	}
	if (job.by == BY_VECTORS) {
		for (uint32_t p = 0; p < parts; p++)
			eie_stats_add(stats, job.stats[p].nonzero_acts,
				      job.stats[p].entries, job.stats[p].padding);
	} else {
		eie_stats_add(stats, c.nnz, c.entries, c.padding);
	}
	return 0;
}
