// SPDX-License-Identifier: MIT
/*
 * dev_bench: whole FC jobs of a .dcm model through the device core
 * (qemu-device/core/, what the QEMU device's worker runs), over an array
 * guest, without QEMU: for profiling the device's job path with
 * deterministic tools (callgrind) and timing it.
 *
 *   dev_bench MODEL IMAGES.idx[.gz] [BATCH [JOBS]]
 *
 * Prints the host time per job and per image, and a checksum of every
 * output and counter, which must not change when the code gets faster.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dcm.h"
#include "idx.h"
#include "dev_rig.h"
#include "eie_fixture.h"
#include "../userspace/common/q15.h"
#include "../qemu-device/core/dev_fc_cache.h"

#define RW	(DCACCEL_PTE_READ | DCACCEL_PTE_WRITE)

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* FNV-1a over bytes, folded into h. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

int main(int argc, char **argv)
{
	uint32_t batch = argc > 3 ? (uint32_t)atoi(argv[3]) : 64;
	uint32_t jobs = argc > 4 ? (uint32_t)atoi(argv[4]) : 50;
	static struct rig r;
	struct dcdev_fc_cache cache;
	struct dcm_model m;
	struct dcm_error de;
	struct dcc_error ie;
	struct fixture f[8];
	uint64_t act_va[9], sum = 0xcbf29ce484222325ull, images = 0;
	uint32_t dims[3], count, cols;
	uint8_t *pix;
	int16_t *q, *out;
	double t0, t;

	if (argc < 3 || !batch || !jobs) {
		fprintf(stderr, "usage: dev_bench MODEL IMAGES [BATCH [JOBS]]\n");
		return 2;
	}
	if (dcm_read_file(argv[1], &m, &de)) {
		fprintf(stderr, "dev_bench: %s\n", de.msg);
		return 1;
	}
	if (idx_read(argv[2], 3, 0, dims, &pix, &ie)) {
		fprintf(stderr, "dev_bench: %s\n", ie.msg);
		return 1;
	}
	count = dims[0];
	cols = dims[1] * dims[2];
	if (m.layer_count > 8 || m.layers[0].cols != cols || count < batch) {
		fprintf(stderr, "dev_bench: model and images do not fit\n");
		return 1;
	}
	q = malloc((size_t)count * cols * sizeof(*q));
	out = malloc((size_t)batch * m.layers[m.layer_count - 1].rows *
		     sizeof(*out));
	if (!q || !out)
		return 1;
	for (size_t k = 0; k < (size_t)count * cols; k++)
		q[k] = float_to_q15(pix[k] / 255.0f, m.layers[0].in_frac);

	rig_init(&r, m.layers[0].pes);
	dcdev_fc_cache_init(&cache);
	r.env.cache = &cache;
	act_va[0] = rig_array(&r, NULL, 2ull * batch * cols, RW);
	for (uint32_t i = 0; i < m.layer_count; i++) {
		const struct dcm_layer *l = &m.layers[i];

		f[i] = (struct fixture){
			.rows = l->rows, .cols = l->cols, .pes = l->pes,
			.wbits = l->wbits, .zbits = l->zbits,
			.in_frac = l->in_frac, .w_frac = l->w_frac,
			.out_frac = l->out_frac, .relu = l->relu,
			.codebook_len = l->codebook_len,
			.codebook = l->codebook, .bias = l->bias,
			.s = l->streams,
		};
		act_va[i + 1] = rig_array(&r, NULL, 2ull * batch * l->rows, RW);
		add_fc(&r, &f[i], batch, act_va[i], act_va[i + 1]);
	}

	t0 = now_s();
	for (uint32_t k = 0; k < jobs; k++) {
		uint32_t first = (k * batch) % (count - batch + 1);
		struct dcdev_result res;
		struct dcdev_entry e;

		guest_write_va(&r.g, 1, act_va[0], q + (size_t)first * cols,
			       2ull * batch * cols);
		if (rig_run(&r, 0, &e, &res) != DCDEV_COMPLETE ||
		    res.status != DCACCEL_JOB_OK) {
			fprintf(stderr, "dev_bench: job %u: status %u: %s\n", k,
				res.status, res.msg);
			return 1;
		}
		guest_read_va(&r.g, 1, act_va[m.layer_count], out,
			      2ull * batch * m.layers[m.layer_count - 1].rows);
		sum = fnv(sum, out, 2ull * batch *
			  m.layers[m.layer_count - 1].rows);
		sum = fnv(sum, &res.stats, sizeof(res.stats));
		sum = fnv(sum, &res.cycles, sizeof(res.cycles));
		sum = fnv(sum, res.pe_busy, sizeof(res.pe_busy));
		images += batch;
	}
	t = now_s() - t0;
	printf("dev_bench: %u jobs of batch %u: %.1f us/job, %.2f us/image, "
	       "%.0f images/s; checksum %016llx\n", jobs, batch,
	       t / jobs * 1e6, t / images * 1e6, images / t,
	       (unsigned long long)sum);
	dcdev_fc_cache_clear(&cache);
	free(q);
	free(out);
	free(pix);
	dcm_free(&m);
	return 0;
}
