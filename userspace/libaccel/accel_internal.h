/* SPDX-License-Identifier: MIT */
/* libaccel's private structures, shared by its source files. */
#ifndef LIBACCEL_INTERNAL_H
#define LIBACCEL_INTERNAL_H

#include <stdbool.h>

#include "accel.h"
#include "../dcm/dcm.h"
#include "../eie/eie_threads.h"
#include "../../qemu-device/datapath/dp_conv.h"
#include "../../qemu-device/datapath/dp_pool.h"
#include "../../qemu-device/datapath/dp_bitplane_conv.h"
#include "../../qemu-device/datapath/dp_outq.h"

/*
 * Hardware versions (major << 16 | minor, hardware.rst "VERSION"): 1.1
 * added INPUT_F32, 1.2 the QUANT op (and the energy block); the device
 * has no capability bit for its BITPLANE, BITPLANE_CONV and QUANT ops.
 */
#define ACCELP_HW_INPUT_F32	(1u << 16 | 1)
#define ACCELP_HW_PLANES	(1u << 16 | 2)

/* Arrays in the model BO start 8-aligned (a 64-bit plane word's need). */
#define ACCELP_ALIGN8(x)	(((x) + 7) & ~(uint64_t)7)

struct accel_device {
	int fd;
	struct accel_device_info info;
	int has_energy;		/* DRM_DCACCEL_PARAM_ENERGY (kernels of 1.2 on) */
};

struct accel_bo {
	struct accel_device *dev;
	uint32_t handle;
	uint64_t va, size;
	void *map;
};

/*
 * One layer of the graph as both backends run it: an FC layer (the FC
 * op, eie_run_decoded on the CPU), a convolution (the CONV op,
 * dp_conv_run_prepared), a pooling (the POOL op, dp_pool_run), a
 * bit-plane layer or convolution (the BITPLANE and BITPLANE_CONV ops,
 * dp_bitplane_run and dp_bitplane_conv_run) or the quantizer that gives
 * those their input planes (the QUANT op, dp_outq_pack_map).
 */
struct accel_mlayer {
	uint8_t kind;			/* enum dcm_kind */
	struct eie_layer view;		/* FC; CONV: its filters (conv.filters) */
	struct dp_conv conv;		/* CONV */
	struct dp_pool pool;		/* POOL */
	struct dp_bitplane_conv bp;	/* BITPLANE (bp.l), BITPLANE_CONV */
	struct dp_outq outq;		/* QUANT */
	uint32_t q_channels, q_pixels;	/* QUANT: a vector is m x 1 */
	uint32_t inputs, outputs;	/* values per vector (a map: C H W) */
	/* bytes per vector: int16 values, or the planes of a bit-plane layer */
	uint64_t in_bytes, out_bytes;
	uint8_t in_frac, out_frac;
	struct eie_streams reenc;	/* owned when re-encoded for the device */
	uint32_t file_pes;
	void *host_buf;			/* the CPU reference's host form: */
	struct eie_decoded decoded;	/* FC */
	struct dp_conv_prepared prepared;	/* CONV */
	size_t cpu_ws;			/* its workspace bytes */
	/* in the model BO: FC, CONV; bias_off for the bit-plane kinds too */
	uint64_t cb_off, cp_off, en_off, bias_off;
	uint64_t wp_off, wb_off, ab_off;	/* BITPLANE, BITPLANE_CONV */
	uint64_t thr_off, codes_off;		/* QUANT */
	uint32_t op_size;		/* bytes of its device op */
	bool f32_input;			/* its op reads floats (INPUT_F32) */
};

/* A layer of version 3's kinds (accel_bitplane.c): it reads or writes planes. */
static inline bool accelp_kind_planes(uint8_t kind)
{
	return dcm_kind_is_bitplane(kind) || kind == DCM_QUANT;
}

struct accel_model {
	struct accel_device *dev;	/* NULL: CPU only */
	struct dcm_model dcm;
	struct accel_mlayer *layers;
	uint32_t layer_count, inputs, outputs;
	uint64_t act_bytes;		/* the widest layer input or output, bytes */
	size_t ws_size;			/* the CPU reference's workspace */
	struct eie_team team;		/* its threads (ACCEL_CPU_THREADS) */
	struct accel_bo *bo;		/* every layer's arrays */
	uint32_t chunk;			/* vectors per device job */
	uint32_t cmd_bytes;		/* one job's command buffer */
	/*
	 * A finished job's buffers and syncobjs, kept for the next job: under
	 * an emulator creating, mapping and freeing BOs costs more than a
	 * small job. Taken and put back atomically (threads share a model).
	 */
	struct accel_job *spare;
	/*
	 * A part of a layer split by rows (accel_model_load_rows): the whole
	 * layer's row of each of this model's rows; NULL for a whole model.
	 */
	uint32_t *row_of;
	uint32_t whole_rows, part, parts;
};

/* accel_layer.c: one layer's forms, checks, device op and CPU run. */

/*
 * Fill ml from dcm layer l (re-encoded for `pes` PEs when not 0 and the
 * file's differ), validate it as the datapath does and build the CPU
 * reference's host form, for runs on up to `threads` threads. name and i
 * name the layer in messages.
 */
int accelp_layer_prepare(const struct dcm_layer *l, uint32_t pes,
			 uint32_t threads, struct accel_mlayer *ml,
			 const char *name, uint32_t i, struct accel_error *err);
void accelp_layer_free(struct accel_mlayer *ml);

/* Does the layer fit the device's caps (one vector per op)? */
int accelp_layer_fits(const struct accel_mlayer *ml,
		      const struct accel_device_info *d, const char *name,
		      uint32_t i, struct accel_error *err);

/* Device work units (hardware.rst, "Limits") of its op on batch vectors. */
uint64_t accelp_layer_work(const struct accel_mlayer *ml, uint32_t batch);

/*
 * Bytes its op moves (CAP_MAX_OP_MB): fixed, plus per_vector for each
 * vector of the batch.
 */
void accelp_layer_bytes(const struct accel_mlayer *ml, uint64_t *fixed,
			uint64_t *per_vector);

/*
 * Place its arrays in the model BO from offset size on (8-aligned): the
 * BO's size after them. Then copy them there (base: the BO's mapping).
 */
uint64_t accelp_layer_place(struct accel_mlayer *ml, uint64_t size);
void accelp_layer_copy(const struct accel_mlayer *ml, uint8_t *base);

/*
 * Write its op (ml->op_size bytes) for batch vectors at cmd: arrays at
 * model_va + the layer's offsets, input and output maps at in_va, out_va.
 */
void accelp_layer_op(const struct accel_mlayer *ml, uint32_t batch,
		     uint64_t model_va, uint64_t in_va, uint64_t out_va,
		     void *cmd);

/*
 * Run it on the CPU reference: batch vectors from x into y (in_bytes and
 * out_bytes each, 8-aligned), stats added; FC layers over team's threads
 * when the work is large enough.
 */
void accelp_layer_run_cpu(const struct accel_mlayer *ml, uint32_t batch,
			  const void *x, void *y, void *ws,
			  struct eie_stats *stats, const struct eie_team *team);

/*
 * accel_bitplane.c: the same for the version-3 kinds (accelp_kind_planes),
 * called by those above. prepare sets the bytes of the planes the layer
 * reads (BITPLANE*) or writes (QUANT) over the int16 ones.
 */
int accelp_bitplane_prepare(const struct dcm_layer *l, struct accel_mlayer *ml,
			    const char *name, uint32_t i,
			    struct accel_error *err);
/* The first field over a device limit (value and limit set), or NULL. */
const char *accelp_bitplane_over_limit(const struct accel_mlayer *ml,
				       const struct accel_device_info *d,
				       uint64_t *value, uint64_t *limit);
uint64_t accelp_bitplane_work(const struct accel_mlayer *ml, uint32_t batch);
void accelp_bitplane_bytes(const struct accel_mlayer *ml, uint64_t *fixed,
			   uint64_t *per_vector);
uint64_t accelp_bitplane_place(struct accel_mlayer *ml, uint64_t size);
void accelp_bitplane_copy(const struct accel_mlayer *ml, uint8_t *base);
void accelp_bitplane_op(const struct accel_mlayer *ml, uint32_t batch,
			uint64_t model_va, uint64_t in_va, uint64_t out_va,
			void *cmd);
/* ws: the layer's cpu_ws bytes (BITPLANE_CONV's) */
void accelp_bitplane_run_cpu(const struct accel_mlayer *ml, uint32_t batch,
			     const void *x, void *y, void *ws,
			     struct eie_stats *stats);
/* A BITPLANE or BITPLANE_CONV layer's rows x cols weights (K x C R S). */
void accelp_bitplane_dense(const struct accel_mlayer *ml, float *weights,
			   float *bias);

/* accel_cpu.c: the CPU reference backend of accel_infer(). */
int accelp_infer_cpu(struct accel_model *m, uint32_t batch, const float *in,
		     float *out, struct accel_stats *stats,
		     struct accel_error *err);

/* int16 outputs of the last layer -> floats, exactly (q / 2^out_frac). */
void accelp_dequantize(const struct accel_model *m, uint32_t batch,
		       const int16_t *q, float *out);

/* fn's batch, inputs and outputs are there: ACCEL_OK, or INVALID. */
int accelp_check_io(const char *fn, uint32_t batch, const float *in,
		    const float *out, struct accel_error *err);

/*
 * Devices that ran side by side: their counters add, except cycles and
 * pe_busy_max, the largest (the modeled time), and pe_busy_min, the
 * smallest. first: sum is s's copy.
 */
void accelp_stats_merge(struct accel_stats *sum, const struct accel_stats *s,
			bool first);

/* Free the model's spare job, if any (accel_model_free). */
void accelp_spare_free(struct accel_model *m);

/* Fill err (if any) and return status. */
int accelp_fail(struct accel_error *err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Status for an errno from opening or an ioctl. */
int accelp_errno_status(int e);

#endif /* LIBACCEL_INTERNAL_H */
