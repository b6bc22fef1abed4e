/* SPDX-License-Identifier: MIT */
/*
 * An op's arrays between the job's context and the device's own buffers:
 * the copies in (so that the guest cannot change what was checked), the
 * byte order, the write of the outputs and how a failure is reported.
 * Shared by the FC, CONV, POOL and BITPLANE ops.
 */
#ifndef DCDEV_LAYER_H
#define DCDEV_LAYER_H

#include <stddef.h>
#include <stdint.h>

#include "dev_cmd.h"
#include "dev_mmu.h"
#include "dev_ring.h"

/* malloc that never returns NULL for a zero size */
void *dcdev_alloc(size_t n);

/* Guest little-endian arrays to host order, in place, and back. */
void dcdev_le16_to_host(int16_t *a, size_t n);
void dcdev_le32_to_host(void *a, size_t n);
void dcdev_le64_to_host(uint64_t *a, size_t n);
void dcdev_host_to_le16(int16_t *a, size_t n);

/* Fail the op on fault f of the array whose *_va field is at detail. */
uint32_t dcdev_op_fault(struct dcdev_result *r, const struct dcdev_fault *f,
			uint32_t detail);

/*
 * Read n bytes at va into buf (nothing for n 0); on a fault, fail the op
 * with detail the offset of the array's *_va field. A JOB status.
 */
uint32_t dcdev_op_read(struct dcdev_mmu *m, uint64_t va, void *buf, size_t n,
		       struct dcdev_result *r, uint32_t detail);

/* Fail the op whose streams did not validate (JOB_BAD_LAYER). */
uint32_t dcdev_op_bad_layer(struct dcdev_result *r, const struct dcdev_op *op,
			    const struct eie_error *err);

/* The arrays of an FC op, or of a CONV op's filters and maps. */
struct dcdev_layer_bufs {
	int16_t *codebook;
	uint8_t *raw;		/* colptr (guest order), then the entries */
	int32_t *bias;
	int16_t *input;		/* in_n values */
	int16_t *output;	/* out_n values, not yet written */
};

/*
 * Allocate b and copy the codebook, column pointers, entries, bias and
 * in_n inputs that fc names, in that order, the values in host order but
 * for the column pointers. fields is the offset in the command buffer
 * that struct dcaccel_op_fc's field offsets count from (the op's own for
 * an FC op), for the detail of a fault. Fills l but for its column
 * pointers. Returns a JOB status.
 */
uint32_t dcdev_layer_fetch(struct dcdev_mmu *m, const struct dcdev_fc *fc,
			   uint32_t fields, size_t in_n, size_t out_n,
			   struct dcdev_layer_bufs *b, struct eie_layer *l,
			   struct dcdev_result *r);

void dcdev_layer_bufs_free(struct dcdev_layer_bufs *b);

/* Write n outputs (host order, converted in place) to va: a JOB status. */
uint32_t dcdev_output_write(struct dcdev_mmu *m, uint64_t va, int16_t *out,
			    size_t n, struct dcdev_result *r, uint32_t detail);

#endif
