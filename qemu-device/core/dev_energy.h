/* SPDX-License-Identifier: MIT */
/*
 * The energy model on the device (hardware.rst, "Energy model"; the
 * ring entry's RING_F_ENERGY): which of a job's activations stay on chip,
 * decided over its decoded ops before any runs, and the energy block of
 * the completion record.
 */
#ifndef DCDEV_ENERGY_H
#define DCDEV_ENERGY_H

#include <stdbool.h>
#include <stdint.h>

#include "dev_cmd.h"
#include "../datapath/dp_energy.h"
#include "dcaccel/dcaccel_hw.h"

/* What an op reads as its input and writes as its output. */
struct dcdev_op_io {
	uint64_t in_va, in_bytes, out_va, out_bytes;
	bool in_f32;
	bool has_io;		/* false for NOP and DEBUG */
};

void dcdev_op_io(const struct dcdev_op *op, struct dcdev_op_io *io);

/*
 * Op k's travel among the job's `count` ops: its input on chip when an
 * earlier op wrote exactly it (the same VA and bytes), its output on chip
 * when a later op reads exactly it.
 */
void dcdev_energy_io(const struct dcdev_op_io *ops, uint32_t count,
		     uint32_t k, struct dp_energy_io *out);

/* The energy block of the record: counts and their prices, little-endian. */
void dcdev_energy_encode(const struct dp_energy *e,
			 uint8_t buf[DCACCEL_ENERGY_RECORD_SIZE]);

#endif
