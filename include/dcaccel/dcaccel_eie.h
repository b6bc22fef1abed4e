/* SPDX-License-Identifier: MIT */
/*
 * The EIE stream format: the constants and the entry encoding that the
 * QEMU device, the driver and userspace share. Normative text:
 * Documentation/accel/dcaccel/hardware.rst, "Datapath".
 *
 * Only fixed-width kernel types and macros here, so that the kernel (with
 * <linux/types.h>), QEMU and plain userspace can all include it.
 */
#ifndef DCACCEL_EIE_H
#define DCACCEL_EIE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

/* Processing elements: row i of a layer belongs to PE (i % pes). */
#define DCACCEL_EIE_PES_DEFAULT		64
#define DCACCEL_EIE_PES_MAX		256

/* Activation queue depth per PE (the paper settles on 8). */
#define DCACCEL_EIE_QUEUE_DEFAULT	8
#define DCACCEL_EIE_QUEUE_MAX		1024

/* Largest number of rows (outputs) or columns (inputs) of one layer. */
#define DCACCEL_EIE_DIM_MAX		(1u << 24)

/* Entry fields: codebook index (wbits) above relative row index (zbits). */
#define DCACCEL_EIE_WBITS_MAX		8
#define DCACCEL_EIE_ZBITS_MAX		8

/* Codebook index 0 is the zero weight; padding entries use it. */
#define DCACCEL_EIE_PAD_INDEX		0

/* Fixed point: fraction bits of activations, weights and outputs. */
#define DCACCEL_EIE_FRAC_MAX		15

/* Bytes one entry takes in the stream: 1 when both fields fit a byte. */
#define DCACCEL_EIE_ENTRY_BYTES(wbits, zbits) \
	(((wbits) + (zbits)) <= 8 ? 1u : 2u)

/* Pack and unpack one entry (a little-endian 8- or 16-bit word). */
#define DCACCEL_EIE_ENTRY(widx, z, zbits) \
	(((unsigned int)(widx) << (zbits)) | (unsigned int)(z))
#define DCACCEL_EIE_ENTRY_Z(entry, zbits) \
	((unsigned int)(entry) & ((1u << (zbits)) - 1))
#define DCACCEL_EIE_ENTRY_WIDX(entry, zbits) \
	((unsigned int)(entry) >> (zbits))

/* Longest zero run one entry can skip; longer runs need padding entries. */
#define DCACCEL_EIE_ZRUN_MAX(zbits)	((1u << (zbits)) - 1)

/* Rows PE p holds of a layer with m rows: ceil((m - p) / pes). */
#define DCACCEL_EIE_PE_ROWS(m, pes, p) \
	((m) > (p) ? ((m) - (p) + (pes) - 1) / (pes) : 0u)

#endif /* DCACCEL_EIE_H */
