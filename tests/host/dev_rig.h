/* SPDX-License-Identifier: MIT */
/*
 * A rig for whole jobs through the device core: an array guest with
 * context 1, a ring slot, a completion record, arrays mapped at fresh VAs
 * of the context (an unmapped page after each), and a command buffer.
 */
#ifndef DCACCEL_TESTS_DEV_RIG_H
#define DCACCEL_TESTS_DEV_RIG_H

#include "dev_guest.h"

#define RIG_CMD_VA	0x1000ull

struct rig {
	struct guest g;
	struct dcdev_caps caps;
	struct dcdev_env env;
	uint64_t ring, completion;
	uint8_t cmd[4096];
	uint32_t cmd_len;
	uint64_t next_va;	/* where the next array goes */
};

/* 16 MiB of guest, context 1 bound, the default caps with `pes` PEs. */
void rig_init(struct rig *r, uint32_t pes);

/* Map len bytes at a fresh VA of ctx 1, fill them from data when given. */
uint64_t rig_array(struct rig *r, const void *data, uint64_t len,
		   uint64_t perms);

/* Write the command buffer and a ring entry for it, then run the job. */
enum dcdev_outcome rig_run(struct rig *r, uint32_t flags,
			   struct dcdev_entry *e, struct dcdev_result *res);

/*
 * rig_run() with the per-PE statistics asked for, then the completion
 * record written: the job's status, or UINT32_MAX when it did not
 * complete or its record could not be written.
 */
uint32_t rig_run_to_record(struct rig *r, struct dcdev_result *res);
/* The same with more ring entry flags (RING_F_ENERGY). */
uint32_t rig_run_to_record_flags(struct rig *r, uint32_t flags,
				 struct dcdev_result *res);

struct fixture;

/*
 * The stream fields of an FC or CONV op, pes to output_va, placing f's
 * arrays in the context: `fields` is where the FC op's offsets count from
 * (the CONV op's pes is 16 bytes further on than the FC op's).
 */
void rig_put_streams(struct rig *r, uint8_t *fields, const struct fixture *f,
		     uint32_t batch, uint64_t input_va, uint64_t output_va);

/* Append an FC op over f's streams; returns the op's offset. */
uint32_t add_fc(struct rig *r, const struct fixture *f, uint32_t batch,
		uint64_t input_va, uint64_t output_va);

/*
 * n values of `width` bytes (host order) copied little-endian, as a guest
 * writes them, to a fresh read-only array; its VA.
 */
uint64_t rig_put_le(struct rig *r, const void *a, size_t n,
		    unsigned int width);

struct dp_bitplane;

/*
 * The fields from w_planes to output_va of a BITPLANE or BITPLANE_CONV
 * op, at `fields` (the op's w_planes): l's planes, kinds, fractions, ReLU
 * and bias flag, its arrays placed little-endian in the context (wn words
 * of weight planes, in_n words of input planes from `in`).
 */
void rig_put_plane_fields(struct rig *r, uint8_t *fields,
			  const struct dp_bitplane *l, size_t wn,
			  const uint64_t *in, size_t in_n, uint64_t output_va);

/* Append a QUANT op over arrays already in the context; its offset. */
uint32_t add_quant_op(struct rig *r, uint32_t channels, uint32_t pixels,
		      uint32_t batch, uint8_t bits, uint64_t thr_va,
		      uint64_t codes_va, uint64_t input_va, uint64_t output_va);

/*
 * Fields of the record last written that differ from the datapath's
 * statistics st, cycles cy and per-PE busy cycles (pes of them).
 */
int rig_record_mismatches(struct rig *r, const struct eie_stats *st,
			  const struct eie_cycles *cy, const uint64_t *busy,
			  uint32_t pes);

/* A field of the completion record last written. */
uint64_t rec64(struct rig *r, size_t off);
uint32_t rec32(struct rig *r, size_t off);

#endif
