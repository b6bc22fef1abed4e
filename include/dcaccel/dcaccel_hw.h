/* SPDX-License-Identifier: MIT */
/*
 * The dcaccel device as software sees it: PCI identity, the BAR0 register
 * map, the command ring entry, the completion record, the command buffer
 * ops and the device MMU's context table and page table formats. The QEMU
 * device, the kernel driver and libaccel all include this one header.
 * Normative text: Documentation/accel/dcaccel/hardware.rst, "Device".
 *
 * All structures live in little-endian memory, naturally aligned, with
 * explicit reserved fields that must be zero. Only fixed-width kernel types
 * (__u8 .. __u64) so that the kernel, QEMU and userspace can include it.
 */
#ifndef DCACCEL_HW_H
#define DCACCEL_HW_H

#if defined(__KERNEL__) || defined(__linux__)
#include <linux/types.h>
#else
#include <stdint.h>
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
#endif

#include "dcaccel_eie.h"

/* ---- PCI identity ---------------------------------------------------- */

#define DCACCEL_PCI_VENDOR_ID		0x1234	/* QEMU's own test devices */
#define DCACCEL_PCI_DEVICE_ID		0xdcac
#define DCACCEL_PCI_CLASS		0x1200	/* processing accelerator */
#define DCACCEL_PCI_REVISION		0x01
#define DCACCEL_BAR_REGS		0
#define DCACCEL_BAR_SIZE		0x1000

/* ---- Registers (BAR0, 32-bit accesses) ------------------------------- */

#define DCACCEL_REG_ID			0x000	/* RO: DCACCEL_ID_MAGIC */
#define DCACCEL_REG_VERSION		0x004	/* RO: major << 16 | minor */
#define DCACCEL_REG_CAP_PES		0x008	/* RO: processing elements */
#define DCACCEL_REG_CAP_QUEUE		0x00c	/* RO: activation queue depth */
#define DCACCEL_REG_CAP_FORMAT		0x010	/* RO: DCACCEL_CAP_FORMAT_* */
#define DCACCEL_REG_CAP_MAX_BATCH	0x014	/* RO: vectors per FC op */
#define DCACCEL_REG_CAP_MAX_OPS		0x018	/* RO: ops per command buffer */
#define DCACCEL_REG_CAP_CONTEXTS	0x01c	/* RO: context table entries */
#define DCACCEL_REG_CAP_MAX_DIM		0x020	/* RO: rows and cols of a layer */
#define DCACCEL_REG_CAP_MAX_ENTRIES	0x024	/* RO: entries of one FC op */
#define DCACCEL_REG_CAP_MAX_CMD_BYTES	0x028	/* RO: command buffer length */
#define DCACCEL_REG_CAP_RING_MAX	0x02c	/* RO: ring entries */
#define DCACCEL_REG_CAP_FLAGS		0x030	/* RO: DCACCEL_CAP_F_* */
#define DCACCEL_REG_CLOCK_MHZ		0x034	/* RO: modeled clock */
#define DCACCEL_REG_CAP_MAX_OP_MB	0x038	/* RO: MiB one FC op may move */
#define DCACCEL_REG_CAP_MAX_WORK	0x03c	/* RO: work units per job, in Mi */

#define DCACCEL_REG_CONTROL		0x040	/* RW: DCACCEL_CONTROL_* */
#define DCACCEL_REG_STATUS		0x044	/* RO: DCACCEL_STATUS_* */
#define DCACCEL_REG_INT_STATUS		0x048	/* RW1C: DCACCEL_INT_* */
#define DCACCEL_REG_INT_ENABLE		0x04c	/* RW: DCACCEL_INT_* */
#define DCACCEL_REG_RING_BASE_LO	0x050	/* RW while disabled */
#define DCACCEL_REG_RING_BASE_HI	0x054
#define DCACCEL_REG_RING_SIZE		0x058	/* RW while disabled: entries */
#define DCACCEL_REG_RING_HEAD		0x05c	/* RO: next entry the device takes */
#define DCACCEL_REG_RING_TAIL		0x060	/* RW: doorbell */
#define DCACCEL_REG_CTX_BASE_LO		0x064	/* RW while disabled */
#define DCACCEL_REG_CTX_BASE_HI		0x068
#define DCACCEL_REG_CTX_COUNT		0x06c	/* RW while disabled */
#define DCACCEL_REG_FAULT_STATUS	0x070	/* RW1C bit 0: last MMU fault */
#define DCACCEL_REG_FAULT_ADDR_LO	0x074	/* RO: faulting device VA */
#define DCACCEL_REG_FAULT_ADDR_HI	0x078
#define DCACCEL_REG_FAULT_CTX		0x07c	/* RO: faulting context */
#define DCACCEL_REG_LAST_SEQNO_LO	0x080	/* RO: seqno of the last job done */
#define DCACCEL_REG_LAST_SEQNO_HI	0x084
#define DCACCEL_REG_SCRATCH		0x088	/* RW: for driver self-tests */
#define DCACCEL_REG_ERROR		0x08c	/* RO: why the ring halted */
#define DCACCEL_REG_LAST_STATUS		0x090	/* RO: status of that job */
#define DCACCEL_REG_LAST_DETAIL		0x094	/* RO: and its detail */

/* Performance counters: 64-bit, LO then HI; cleared by soft reset. */
#define DCACCEL_REG_PERF_JOBS_DONE	0x100	/* jobs completed with OK */
#define DCACCEL_REG_PERF_JOBS_FAILED	0x108	/* jobs completed with an error */
#define DCACCEL_REG_PERF_CYCLES		0x110	/* modeled datapath cycles */
#define DCACCEL_REG_PERF_NONZERO_ACTS	0x118
#define DCACCEL_REG_PERF_ENTRIES	0x120	/* padding included */
#define DCACCEL_REG_PERF_MACS		0x128
#define DCACCEL_REG_PERF_BUSY		0x130	/* PE busy cycles, all PEs */
#define DCACCEL_REG_PERF_MMU_FAULTS	0x138
#define DCACCEL_REG_PERF_END		0x140

#define DCACCEL_ID_MAGIC		0x44434143u	/* "DCAC" in ASCII */
#define DCACCEL_VERSION_MAJOR		1
/* 1.1: INPUT_F32, the BITPLANE op; 1.2: energy, the QUANT and BITPLANE_CONV ops */
#define DCACCEL_VERSION_MINOR		2
#define DCACCEL_VERSION \
	((DCACCEL_VERSION_MAJOR << 16) | DCACCEL_VERSION_MINOR)

/* CAP_FORMAT */
#define DCACCEL_CAP_FORMAT_WBITS(v)	((v) & 0xff)		/* max wbits */
#define DCACCEL_CAP_FORMAT_ZBITS(v)	(((v) >> 8) & 0xff)	/* max zbits */
#define DCACCEL_CAP_FORMAT_FRAC(v)	(((v) >> 16) & 0xff)	/* max *_frac */

/* CAP_FLAGS */
#define DCACCEL_CAP_F_FAULT_INJECTION	(1u << 0)	/* DEBUG op honoured */
#define DCACCEL_CAP_F_MODELED_TIMING	(1u << 1)	/* jobs take modeled time */
#define DCACCEL_CAP_F_INPUT_F32		(1u << 2)	/* FC/CONV_F_INPUT_F32 */
#define DCACCEL_CAP_F_ENERGY		(1u << 3)	/* DCACCEL_RING_F_ENERGY */

/* CONTROL */
#define DCACCEL_CONTROL_ENABLE		(1u << 0)	/* process the ring */
#define DCACCEL_CONTROL_RESET		(1u << 1)	/* soft reset, self-clearing */

/* STATUS */
#define DCACCEL_STATUS_ENABLED		(1u << 0)
#define DCACCEL_STATUS_BUSY		(1u << 1)	/* a job is in flight */
#define DCACCEL_STATUS_HALTED		(1u << 2)	/* ring error; reset needed */

/* INT_STATUS and INT_ENABLE */
#define DCACCEL_INT_JOB_DONE		(1u << 0)	/* a job completed OK */
#define DCACCEL_INT_JOB_ERROR		(1u << 1)	/* a job failed */
#define DCACCEL_INT_MMU_FAULT		(1u << 2)	/* a job faulted */
#define DCACCEL_INT_RING_ERROR		(1u << 3)	/* the ring halted */
#define DCACCEL_INT_ALL			0xfu

/* ERROR: why STATUS.HALTED was set (0 while not halted). */
#define DCACCEL_ERROR_NONE		0
#define DCACCEL_ERROR_RING_CONFIG	1	/* enabled with a bad ring/ctx setup */
#define DCACCEL_ERROR_TAIL		2	/* tail written >= ring size */
#define DCACCEL_ERROR_RING_READ		3	/* ring entry could not be read */

/* FAULT_STATUS */
#define DCACCEL_FAULT_VALID		(1u << 0)	/* W1C */
#define DCACCEL_FAULT_WRITE		(1u << 1)	/* 0: read access */
#define DCACCEL_FAULT_REASON(v)		(((v) >> 4) & 0xf)
#define DCACCEL_FAULT_REASON_SHIFT	4

/* MMU fault reasons (FAULT_STATUS and the completion record). */
#define DCACCEL_FAULT_NONE		0
#define DCACCEL_FAULT_NOT_PRESENT	1	/* a PTE on the walk is not valid */
#define DCACCEL_FAULT_PERMISSION	2	/* leaf lacks READ or WRITE */
#define DCACCEL_FAULT_RANGE		3	/* VA at or above 2^39 */
#define DCACCEL_FAULT_CONTEXT		4	/* context entry not valid */
#define DCACCEL_FAULT_BUS		5	/* table or page not readable */

/* ---- Limits of the default device (also in the CAP registers) -------- */

#define DCACCEL_RING_ENTRIES_MIN	2
#define DCACCEL_RING_ENTRIES_MAX	4096
#define DCACCEL_CONTEXTS_MAX		1024
#define DCACCEL_MAX_BATCH		1024
#define DCACCEL_MAX_OPS			64
#define DCACCEL_MAX_DIM			65536
#define DCACCEL_MAX_ENTRIES		(1u << 24)
#define DCACCEL_MAX_CMD_BYTES		65536
#define DCACCEL_MAX_OP_MB		64
#define DCACCEL_MAX_WORK_MI		128	/* 2^27 work units, about 1 s */

/*
 * Work units of one FC op (hardware.rst, "Limits"); a job's FC ops add up
 * to at most CAP_MAX_WORK << 20. Per input vector: the input scan (cols),
 * the product table (codebook_len per non-zero input), one column visit
 * per PE per non-zero input in the datapath and one in the cycle model
 * (2 * pes), the entries and the outputs. With every field within its CAP
 * limit the product cannot overflow.
 */
#define DCACCEL_FC_WORK(rows, cols, pes, batch, codebook_len, entry_count) \
	((__u64)(batch) *						\
	 ((__u64)(cols) * (1 + (__u64)(codebook_len) + 2 * (__u64)(pes)) + \
	  (__u64)(rows) + (__u64)(entry_count)))

/* ---- Command ring ---------------------------------------------------- */

/*
 * One ring entry, 64 bytes; the ring is RING_SIZE of them at RING_BASE
 * (64-byte aligned bus address). Entries [HEAD, TAIL) belong to the device.
 */
struct dcaccel_ring_entry {
	__u32 flags;		/* DCACCEL_RING_F_* */
	__u32 ctx;		/* context id, below CTX_COUNT */
	__u64 cmd_va;		/* command buffer, device VA in ctx, 8-aligned */
	__u32 cmd_len;		/* its bytes: 8 .. CAP_MAX_CMD_BYTES, 8-multiple */
	__u32 reserved0;
	__u64 seqno;		/* written to the completion record */
	__u64 completion;	/* bus address (not a VA) of the record, 64-aligned */
	__u64 reserved1[3];
};

#define DCACCEL_RING_ENTRY_SIZE		64
#define DCACCEL_RING_F_IRQ		(1u << 0)	/* JOB_DONE on success */
#define DCACCEL_RING_F_PE_STATS		(1u << 1)	/* write per-PE arrays */
#define DCACCEL_RING_F_ENERGY		(1u << 2)	/* write the energy block */
#define DCACCEL_RING_F_ALL		0x7u

/* ---- Completion record ----------------------------------------------- */

/*
 * Written by the device at the ring entry's completion address when the
 * job ends, with the per-PE arrays right after it when the entry asked for
 * them: __u64 pe_busy[pes] then __u64 pe_stall[pes]. The device writes
 * everything else first and the seqno last.
 */
struct dcaccel_completion {
	__u64 seqno;		/* the ring entry's seqno */
	__u32 status;		/* DCACCEL_JOB_* */
	__u32 fault;		/* MMU_FAULT: reason | DCACCEL_FAULT_WRITE */
	__u64 fault_va;		/* MMU_FAULT: the device VA */
	__u32 detail;		/* byte offset of the field that failed */
	__u32 ops_done;		/* ops completed before the end */
	__u64 cycles;		/* modeled datapath cycles */
	__u64 time_ns;		/* cycles at CLOCK_MHZ */
	__u64 nonzero_acts;
	__u64 entries;		/* entries streamed, padding included */
	__u64 padding;		/* of which padding entries */
	__u64 macs;
	__u64 busy;		/* PE busy cycles summed over the PEs */
	__u64 lnzd_stalls;	/* cycles the broadcast waited on a full queue */
	__u32 pes;		/* length of the per-PE arrays (0: not written) */
	__u32 reserved0;
	__u64 reserved1[3];
};

#define DCACCEL_COMPLETION_SIZE		128
#define DCACCEL_COMPLETION_ALIGN	64
/* Bytes the device writes for a job with the per-PE arrays of `pes` PEs. */
#define DCACCEL_COMPLETION_BYTES(pes)	(DCACCEL_COMPLETION_SIZE + 16u * (pes))

/*
 * With DCACCEL_RING_F_ENERGY, the energy model's counts and energies
 * (hardware.rst, "Energy model"), summed over the ops that ran, right
 * after the per-PE arrays: at DCACCEL_COMPLETION_BYTES(record.pes).
 */
struct dcaccel_energy_record {
	__u64 dram_weight_words;	/* 32-bit words of the ops' weights */
	__u64 dram_act_words;		/* of activations off chip */
	__u64 sram_words;		/* read and written on chip */
	__u64 dram_weights_fj;		/* femtojoules */
	__u64 dram_acts_fj;
	__u64 sram_fj;
	__u64 arith_fj;
	__u64 bitops_fj;
};

#define DCACCEL_ENERGY_RECORD_SIZE	64
/* The most a job's record takes: the per-PE arrays and the energy block. */
#define DCACCEL_COMPLETION_BYTES_MAX(pes) \
	(DCACCEL_COMPLETION_BYTES(pes) + DCACCEL_ENERGY_RECORD_SIZE)

/* Job status in the completion record. */
#define DCACCEL_JOB_OK			0
#define DCACCEL_JOB_BAD_ENTRY		1	/* ring entry field (detail) */
#define DCACCEL_JOB_BAD_COMMAND		2	/* command buffer field (detail) */
#define DCACCEL_JOB_BAD_LAYER		3	/* streams failed validation */
#define DCACCEL_JOB_MMU_FAULT		4	/* see fault, fault_va */
#define DCACCEL_JOB_TOO_LARGE		5	/* over a CAP limit (detail) */
#define DCACCEL_JOB_NO_MEMORY		6	/* the device ran out of memory */

/* ---- Command buffer -------------------------------------------------- */

/* Every op starts with this; size covers the header, 8 .. 4096, 8-multiple. */
struct dcaccel_op_header {
	__u32 opcode;		/* DCACCEL_OP_* */
	__u32 size;		/* bytes of the op, header included */
};

#define DCACCEL_OP_NOP			0x0000
#define DCACCEL_OP_FC			0x0001
#define DCACCEL_OP_DEBUG		0xdeb0	/* needs CAP_F_FAULT_INJECTION */

/*
 * A sparse, weight-shared fully connected layer (hardware.rst, "Datapath")
 * over `batch` input vectors; every array is named by a device VA of the
 * job's context.
 */
struct dcaccel_op_fc {
	struct dcaccel_op_header hdr;	/* DCACCEL_OP_FC, 96 */
	__u32 rows;		/* 1 .. CAP_MAX_DIM */
	__u32 cols;		/* 1 .. CAP_MAX_DIM */
	__u32 pes;		/* must equal CAP_PES */
	__u32 batch;		/* 1 .. CAP_MAX_BATCH */
	__u8 wbits;		/* 1 .. CAP_FORMAT wbits */
	__u8 zbits;		/* 1 .. CAP_FORMAT zbits */
	__u8 in_frac;
	__u8 w_frac;
	__u8 out_frac;
	__u8 flags;		/* DCACCEL_FC_F_* */
	__u16 reserved0;
	__u32 codebook_len;	/* 1 .. 2^wbits */
	__u32 entry_count;	/* 0 .. CAP_MAX_ENTRIES */
	__u64 codebook_va;	/* __s16[codebook_len], 2-aligned */
	__u64 colptr_va;	/* __u32[pes * (cols + 1)], 4-aligned */
	__u64 entries_va;	/* entry_count entries of 1 or 2 bytes */
	__u64 bias_va;		/* __s32[rows], 4-aligned, when F_BIAS */
	__u64 input_va;		/* __s16[batch][cols], 2-aligned; F_INPUT_F32:
				 * float[batch][cols], 4-aligned */
	__u64 output_va;	/* __s16[batch][rows], 2-aligned, written */
	__u64 reserved1;
};

#define DCACCEL_OP_FC_SIZE		96
#define DCACCEL_FC_F_RELU		(1u << 0)
#define DCACCEL_FC_F_BIAS		(1u << 1)
/* Inputs are IEEE binary32, converted by the device (hardware.rst). */
#define DCACCEL_FC_F_INPUT_F32		(1u << 2)
#define DCACCEL_FC_F_ALL		0x7u

/* Fault injection for the driver's recovery tests. */
struct dcaccel_op_debug {
	struct dcaccel_op_header hdr;	/* DCACCEL_OP_DEBUG, 24 */
	__u32 action;		/* DCACCEL_DEBUG_* */
	__u32 reserved0;
	__u64 va;		/* FAULT: the VA to read; STUCK, WEDGE: write */
};

#define DCACCEL_OP_DEBUG_SIZE		24
#define DCACCEL_DEBUG_HANG		1	/* never completes until reset */
#define DCACCEL_DEBUG_FAULT		2	/* read one byte at va */
/*
 * The engine sticks: BUSY stays set through soft resets and a counter is
 * written to va's bus address every millisecond, until a function reset
 * (STUCK) or only a bus or system reset (WEDGE) stops it.
 */
#define DCACCEL_DEBUG_STUCK		3
#define DCACCEL_DEBUG_WEDGE		4

#define DCACCEL_OP_MAX_SIZE		4096

/* ---- Convolution and pooling ops ------------------------------------- */

/*
 * Feature maps are int16, CHW: element (c, y, x) of a C x H x W map is at
 * index (c * H + y) * W + x, one batch item after the other; flattening a
 * map for an FC op is this same order. hardware.rst, "Convolution" and
 * "Pooling" (datapath) and "CONV op", "POOL op" (device).
 */
#define DCACCEL_OP_CONV			0x0002
#define DCACCEL_OP_POOL			0x0003

#define DCACCEL_MAP_DIM_MAX		4096	/* in_height, in_width */
#define DCACCEL_KERNEL_MAX		11	/* kernel_h, kernel_w */
#define DCACCEL_STRIDE_MAX		8	/* stride_h, stride_w */
/* Outputs of one batch item of a CONV op: its accumulators. */
#define DCACCEL_CONV_OUTPUTS_MAX	(1u << 22)

/* Output rows (columns) of a window sliding over in rows (columns). */
#define DCACCEL_WINDOW_OUT(in, kernel, stride, pad) \
	(((in) + 2 * (pad) - (kernel)) / (stride) + 1)

/*
 * A sparse, weight-shared convolution: out_channels filters of
 * in_channels x kernel_h x kernel_w, stored as the EIE streams of a layer
 * of out_channels rows and in_channels * kernel_h * kernel_w columns
 * (column (c * kernel_h + r) * kernel_w + s), applied to batch input maps
 * of in_channels x in_height x in_width. The fields from pes on are those
 * of struct dcaccel_op_fc from pes on, at the same relative offsets.
 */
struct dcaccel_op_conv {
	struct dcaccel_op_header hdr;	/* DCACCEL_OP_CONV, 112 */
	__u32 in_channels;	/* C: 1 .. CAP_MAX_DIM */
	__u32 in_height;	/* H: 1 .. DCACCEL_MAP_DIM_MAX */
	__u32 in_width;		/* W: 1 .. DCACCEL_MAP_DIM_MAX */
	__u8 kernel_h;		/* 1 .. DCACCEL_KERNEL_MAX */
	__u8 kernel_w;		/* 1 .. DCACCEL_KERNEL_MAX */
	__u8 stride_h;		/* 1 .. DCACCEL_STRIDE_MAX */
	__u8 stride_w;
	__u8 pad_h;		/* 0 .. kernel_h - 1: zeros above and below */
	__u8 pad_w;		/* 0 .. kernel_w - 1: zeros left and right */
	__u16 reserved0;
	__u32 out_channels;	/* K: 1 .. CAP_MAX_DIM */
	__u32 pes;		/* must equal CAP_PES */
	__u32 batch;		/* 1 .. CAP_MAX_BATCH */
	__u8 wbits;
	__u8 zbits;
	__u8 in_frac;
	__u8 w_frac;
	__u8 out_frac;
	__u8 flags;		/* DCACCEL_CONV_F_* */
	__u16 reserved1;
	__u32 codebook_len;	/* 1 .. 2^wbits */
	__u32 entry_count;	/* 0 .. CAP_MAX_ENTRIES */
	__u64 codebook_va;	/* __s16[codebook_len] */
	__u64 colptr_va;	/* __u32[pes * (C * kernel_h * kernel_w + 1)] */
	__u64 entries_va;
	__u64 bias_va;		/* __s32[out_channels], when F_BIAS */
	__u64 input_va;		/* __s16[batch][C][H][W]; float with F_INPUT_F32 */
	__u64 output_va;	/* __s16[batch][K][out_h][out_w], written */
	__u64 reserved2;
};

#define DCACCEL_OP_CONV_SIZE		112
#define DCACCEL_CONV_F_RELU		(1u << 0)
#define DCACCEL_CONV_F_BIAS		(1u << 1)
#define DCACCEL_CONV_F_INPUT_F32	(1u << 2)
#define DCACCEL_CONV_F_ALL		0x7u

/* Max or average pooling of each channel of batch maps on its own. */
struct dcaccel_op_pool {
	struct dcaccel_op_header hdr;	/* DCACCEL_OP_POOL, 56 */
	__u32 channels;		/* C: 1 .. CAP_MAX_DIM */
	__u32 in_height;	/* H: 1 .. DCACCEL_MAP_DIM_MAX */
	__u32 in_width;		/* W: 1 .. DCACCEL_MAP_DIM_MAX */
	__u8 kernel_h;		/* 1 .. DCACCEL_KERNEL_MAX */
	__u8 kernel_w;
	__u8 stride_h;		/* 1 .. DCACCEL_STRIDE_MAX */
	__u8 stride_w;
	__u8 pad_h;		/* 0 .. kernel_h - 1 */
	__u8 pad_w;		/* 0 .. kernel_w - 1 */
	__u8 mode;		/* DCACCEL_POOL_MAX or DCACCEL_POOL_AVG */
	__u8 reserved0;
	__u32 batch;		/* 1 .. CAP_MAX_BATCH */
	__u64 input_va;		/* __s16[batch][C][H][W], 2-aligned */
	__u64 output_va;	/* __s16[batch][C][out_h][out_w], written */
	__u64 reserved1;
};

#define DCACCEL_OP_POOL_SIZE		56
#define DCACCEL_POOL_MAX		0	/* largest element in the map */
#define DCACCEL_POOL_AVG		1	/* sum / (kernel_h * kernel_w) */

/*
 * Work units of a CONV op (hardware.rst, "CONV op"), counted as for the FC
 * op: per batch item, for every input (all may be non-zero) the scan, the
 * product table and one queue step over the PEs (1 + codebook_len +
 * 2 * pes); for every pair of an input and a filter tap that an output
 * reads, of which there are at most in_channels * kernel_h * kernel_w
 * per output pixel, one column visit per PE in the datapath and one in
 * the cycle model (2 * pes); every entry once per output pixel; the
 * outputs. Within the decode checks no term can overflow.
 */
#define DCACCEL_CONV_WORK(in_ch, in_h, in_w, out_ch, out_h, out_w, kh, kw, \
			  pes, batch, codebook_len, entry_count)	\
	((__u64)(batch) *						\
	 ((__u64)(in_ch) * (in_h) * (in_w) *				\
	  (1 + (__u64)(codebook_len) + 2 * (__u64)(pes)) +		\
	  (__u64)(in_ch) * (kh) * (kw) * (out_h) * (out_w) * 2 * (pes) + \
	  ((__u64)(entry_count) + (out_ch)) * (out_h) * (out_w)))

/* Work units of a POOL op: the input, and each output's window. */
#define DCACCEL_POOL_WORK(ch, in_h, in_w, out_h, out_w, kh, kw, batch)	\
	((__u64)(batch) * (ch) *					\
	 ((__u64)(in_h) * (in_w) + (__u64)(out_h) * (out_w) * ((kh) * (kw) + 1)))

/*
 * A bit-plane FC layer (hardware.rst, "Bit-plane layers", "BITPLANE op")
 * over `batch` input vectors: weights and activations as planes of bits
 * in little-endian 64-bit words, dot products by popcount.
 */
#define DCACCEL_OP_BITPLANE		0x0004

struct dcaccel_op_bitplane {
	struct dcaccel_op_header hdr;	/* DCACCEL_OP_BITPLANE, 88 */
	__u32 rows;		/* m: 1 .. min(CAP_MAX_DIM, 2^16) */
	__u32 cols;		/* n: likewise */
	__u32 pes;		/* must equal CAP_PES */
	__u32 batch;		/* 1 .. CAP_MAX_BATCH */
	__u8 w_planes;		/* Kw: 1 .. 8 */
	__u8 a_planes;		/* Ka: 1 .. 8 */
	__u8 w_kind;		/* DCACCEL_PLANE_UNSIGNED or _SIGNED */
	__u8 a_kind;
	__u8 bw_frac;		/* 0 .. 15 */
	__u8 ba_frac;		/* 0 .. 15 */
	__u8 out_frac;		/* 0 .. min(15, bw_frac + ba_frac) */
	__u8 flags;		/* DCACCEL_BITPLANE_F_* */
	__u64 wplanes_va;	/* __u64[Kw][rows][L], 8-aligned */
	__u64 w_basis_va;	/* __s16[rows][Kw], 2-aligned */
	__u64 a_basis_va;	/* __s16[Ka], 2-aligned */
	__u64 bias_va;		/* __s32[rows], 4-aligned, when F_BIAS */
	__u64 input_va;		/* __u64[batch][Ka][L], 8-aligned */
	__u64 output_va;	/* __s16[batch][rows], 2-aligned, written */
	__u64 reserved0;
};

#define DCACCEL_OP_BITPLANE_SIZE	88
#define DCACCEL_BITPLANE_F_RELU		(1u << 0)
#define DCACCEL_BITPLANE_F_BIAS		(1u << 1)
#define DCACCEL_BITPLANE_F_ALL		0x3u

/*
 * Work units of a BITPLANE op: per vector, every row's word pairs, the
 * broadcast words and the outputs (the cycle model is closed-form).
 * L = ceil(cols / 64).
 */
#define DCACCEL_BITPLANE_WORK(rows, cols, w_planes, a_planes, batch)	\
	((__u64)(batch) *						\
	 ((__u64)(rows) * (w_planes) * (a_planes) * (((cols) + 63) / 64) + \
	  (__u64)(a_planes) * (((cols) + 63) / 64) + (rows)))

/*
 * The bit-plane convolution (hardware.rst, "Bit-plane convolution",
 * "BITPLANE_CONV op"): out_channels filters over batch maps of
 * in_channels x in_height x in_width, both as planes laid out pixel by
 * pixel (Lc = ceil(in_channels / 64) words per pixel). The fields from
 * in_channels to pes are the CONV op's, at the same offsets.
 */
#define DCACCEL_OP_BITPLANE_CONV	0x0006

struct dcaccel_op_bitplane_conv {
	struct dcaccel_op_header hdr;	/* DCACCEL_OP_BITPLANE_CONV, 104 */
	__u32 in_channels;	/* C: 1 .. min(CAP_MAX_DIM, 2^16) */
	__u32 in_height;	/* H: 1 .. DCACCEL_MAP_DIM_MAX */
	__u32 in_width;		/* W: likewise */
	__u8 kernel_h;		/* as the CONV op */
	__u8 kernel_w;
	__u8 stride_h;
	__u8 stride_w;
	__u8 pad_h;
	__u8 pad_w;
	__u16 reserved0;
	__u32 out_channels;	/* K: 1 .. min(CAP_MAX_DIM, 2^16) */
	__u32 pes;		/* must equal CAP_PES */
	__u32 batch;		/* 1 .. CAP_MAX_BATCH */
	__u8 w_planes;		/* Kw: 1 .. 8 */
	__u8 a_planes;		/* Ka: 1 .. 8 */
	__u8 w_kind;		/* DCACCEL_PLANE_UNSIGNED or _SIGNED */
	__u8 a_kind;
	__u8 bw_frac;		/* 0 .. 15 */
	__u8 ba_frac;
	__u8 out_frac;		/* 0 .. min(15, bw_frac + ba_frac) */
	__u8 flags;		/* DCACCEL_BITPLANE_F_* */
	__u64 wplanes_va;	/* __u64[Kw][K][kh][kw][Lc], 8-aligned */
	__u64 w_basis_va;	/* __s16[K][Kw], 2-aligned */
	__u64 a_basis_va;	/* __s16[Ka], 2-aligned */
	__u64 bias_va;		/* __s32[K], 4-aligned, when F_BIAS */
	__u64 input_va;		/* __u64[batch][Ka][H][W][Lc], 8-aligned */
	__u64 output_va;	/* __s16[batch][K][out_h][out_w], written */
	__u64 reserved1;
};

#define DCACCEL_OP_BITPLANE_CONV_SIZE	104

/*
 * Work units of a BITPLANE_CONV op: per map, every filter's word pairs
 * over every (output pixel, tap) pair (at most out_h out_w kh kw), the
 * broadcast words and the outputs.
 */
#define DCACCEL_BITPLANE_CONV_WORK(k, c, h, w, oh, ow, kh, kw, wp, ap, batch) \
	((__u64)(batch) *						\
	 ((__u64)(k) * (wp) * (ap) * (((c) + 63) / 64) *		\
	  (__u64)(oh) * (ow) * (kh) * (kw) +				\
	  (__u64)(ap) * (h) * (w) * (((c) + 63) / 64) +		\
	  (__u64)(k) * (oh) * (ow)))

/*
 * The threshold quantizer (hardware.rst, "Quantized outputs", "QUANT op"):
 * `batch` maps of channels x pixels int16 values (CHW; an FC op's vector
 * is pixels 1) into Ko planes of the bit-plane input layout each.
 */
#define DCACCEL_OP_QUANT		0x0005

struct dcaccel_op_quant {
	struct dcaccel_op_header hdr;	/* DCACCEL_OP_QUANT, 64 */
	__u32 channels;		/* C: 1 .. min(CAP_MAX_DIM, 2^16) */
	__u32 pixels;		/* 1 .. 2^24, C x pixels <= 2^24; 1 for vectors */
	__u32 batch;		/* 1 .. CAP_MAX_BATCH */
	__u8 bits;		/* Ko: 1 .. 8 */
	__u8 reserved0[3];
	__u64 thr_va;		/* __s16[2^Ko - 1], 2-aligned, non-decreasing */
	__u64 codes_va;		/* __u8[2^Ko], each below 2^Ko */
	__u64 input_va;		/* __s16[batch][channels][pixels], 2-aligned */
	__u64 output_va;	/* __u64[batch][Ko][pixels][Lc], 8-aligned */
	__u64 reserved1;
};

#define DCACCEL_OP_QUANT_SIZE		64
#define DCACCEL_QUANT_VALUES_MAX	(1u << 24)	/* per map */

/* Work units of a QUANT op: each value's search and its Ko bits. */
#define DCACCEL_QUANT_WORK(channels, pixels, bits, batch)		\
	((__u64)(batch) * (channels) * (pixels) * ((bits) + 1))

/* ---- Device MMU ------------------------------------------------------ */

/*
 * CTX_COUNT context entries of 16 bytes at CTX_BASE (4 KiB aligned). A
 * context's root is the level-2 table of a 3-level, 4 KiB page, 39-bit
 * VA space: VA[38:30] indexes level 2, VA[29:21] level 1, VA[20:12] level
 * 0, whose PTE maps the page; VA[11:0] is the offset.
 */
struct dcaccel_ctx_entry {
	__u64 root;		/* table address | DCACCEL_CTX_VALID */
	__u64 reserved;
};

#define DCACCEL_CTX_ENTRY_SIZE		16
#define DCACCEL_CTX_VALID		(1ull << 0)

#define DCACCEL_PAGE_SHIFT		12
#define DCACCEL_PAGE_SIZE		(1ull << DCACCEL_PAGE_SHIFT)
#define DCACCEL_VA_BITS			39
#define DCACCEL_PT_LEVELS		3
#define DCACCEL_PT_ENTRIES		512	/* 8-byte PTEs per 4 KiB table */
#define DCACCEL_PT_INDEX(va, level) \
	(((va) >> (DCACCEL_PAGE_SHIFT + 9 * (level))) & 0x1ff)

/* PTE: bits 0-2 below, bits 51:12 the table or page address. */
#define DCACCEL_PTE_VALID		(1ull << 0)
#define DCACCEL_PTE_READ		(1ull << 1)	/* leaf: device may read */
#define DCACCEL_PTE_WRITE		(1ull << 2)	/* leaf: device may write */
#define DCACCEL_PTE_ADDR_MASK		0x000ffffffffff000ull

#endif /* DCACCEL_HW_H */
