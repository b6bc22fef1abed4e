/* SPDX-License-Identifier: MIT */
/*
 * libaccel: run compressed (.dcm) neural networks on a dcaccel device, or
 * on the same EIE engine in-process as a CPU reference.
 *
 * Every call returns an accel_status; when it is not ACCEL_OK and the
 * caller passed a struct accel_error, its msg names what was wrong (file,
 * layer, field). Nothing prints or aborts. Objects are thread-safe to use
 * from several threads at once (a device and a model may be shared; a job
 * belongs to one thread at a time). Guide: Documentation/accel/dcaccel/libaccel.rst.
 */
#ifndef LIBACCEL_ACCEL_H
#define LIBACCEL_ACCEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ACCEL_VERSION_MAJOR	1
#define ACCEL_VERSION_MINOR	4	/* 1: accel_model_layer_shape; 2: several devices; 3: energy; 4: bit-plane layers */

/* The environment variable with the CPU reference's thread count (1..64). */
#define ACCEL_CPU_THREADS_ENV	"ACCEL_CPU_THREADS"

enum accel_status {
	ACCEL_OK = 0,
	ACCEL_E_INVALID = 1,	/* a bad argument */
	ACCEL_E_NODEV = 2,	/* no dcaccel device (or driver not loaded) */
	ACCEL_E_ACCESS = 3,	/* no permission to open the device */
	ACCEL_E_NOMEM = 4,	/* out of memory, host or device */
	ACCEL_E_MODEL = 5,	/* the model file is bad or does not fit */
	ACCEL_E_DEVICE = 6,	/* an ioctl failed */
	ACCEL_E_JOB = 7,	/* the device reported a job error */
	ACCEL_E_TIMEOUT = 8,	/* a wait timed out */
	ACCEL_E_IO = 9,		/* reading a file failed */
	ACCEL_E_UNSUPPORTED = 10,	/* the device or driver cannot (since 1.3) */
};

/* Caller-owned message buffer, so errors are thread-safe. */
struct accel_error {
	char msg[384];
};

/* A fixed description of each status, for any status value. */
const char *accel_strerror(int status);

/* --- Device --------------------------------------------------------- */

struct accel_device;

struct accel_device_info {
	char node[64];		/* e.g. /dev/accel/accel0 */
	char driver[32];	/* "dcaccel" */
	int driver_major, driver_minor, driver_patch;
	uint32_t device_id;	/* PCI vendor << 16 | device */
	uint32_t hw_version;	/* major << 16 | minor */
	uint32_t pes, queue_depth, clock_mhz;
	uint32_t max_wbits, max_zbits, max_dim, max_batch, max_bos;
	uint64_t va_start, va_size, max_bo_size;
};

/* Open `node` (a path), or the first dcaccel node when node is NULL. */
int accel_open(const char *node, struct accel_device **dev,
	       struct accel_error *err);
void accel_close(struct accel_device *dev);
int accel_device_info(const struct accel_device *dev,
		      struct accel_device_info *info, struct accel_error *err);

/*
 * Open every dcaccel node in node order (since 1.2), at most max (1 or
 * more) of them, into devs: *n opened (ACCEL_E_NODEV, or ACCEL_E_ACCESS,
 * when not one could be).
 */
int accel_open_all(struct accel_device **devs, uint32_t max, uint32_t *n,
		   struct accel_error *err);

/* --- Buffers -------------------------------------------------------- */

struct accel_bo;

#define ACCEL_BO_DEVICE_READ_ONLY	0x1u

int accel_bo_create(struct accel_device *dev, uint64_t size, uint32_t flags,
		    struct accel_bo **bo, struct accel_error *err);
void accel_bo_free(struct accel_bo *bo);
void *accel_bo_map(const struct accel_bo *bo);	/* CPU mapping */
uint64_t accel_bo_va(const struct accel_bo *bo);	/* device address */
uint64_t accel_bo_size(const struct accel_bo *bo);	/* page-rounded bytes */

/* --- Models --------------------------------------------------------- */

struct accel_model;

/*
 * Load a .dcm file: a graph of fully connected, convolution and pooling
 * layers (an MLP, a CNN such as LeNet-5) and, since 1.4, of version 3's
 * bit-plane layers and the quantizers that feed them. With a device, its
 * arrays are placed in device buffers (re-encoded for the device's PE
 * count when the file's differs; a bit-plane layer's PE count must be the
 * device's) and each device job runs the whole network, one op per layer;
 * a device without the bit-plane ops (hardware before 1.2) refuses a
 * model with them, ACCEL_E_UNSUPPORTED. With dev NULL the model runs on
 * the CPU reference only.
 */
int accel_model_load(struct accel_device *dev, const char *path,
		     struct accel_model **model, struct accel_error *err);
int accel_model_load_buffer(struct accel_device *dev, const void *buf,
			    size_t len, const char *name,
			    struct accel_model **model, struct accel_error *err);
void accel_model_free(struct accel_model *model);

/*
 * A layer's streams and format. A convolution's filters are rows (output
 * channels) x cols (in_channels x kernel_h x kernel_w); a pooling has no
 * weights (rows, cols, pes and the format fields 0). A bit-plane layer
 * (or convolution, likewise) has rows, cols, pes, in_frac, out_frac and
 * relu, no codebook or entries; a quantizer has no weights.
 * accel_model_layer_shape() tells the kind and the maps.
 */
struct accel_layer_info {
	uint32_t rows, cols;	/* outputs, inputs */
	uint32_t pes;		/* PEs of the streams in use */
	uint32_t file_pes;	/* PEs the file was encoded for */
	uint8_t wbits, zbits, in_frac, w_frac, out_frac;
	int relu;
	uint32_t codebook_len, nonzeros, entry_count, padding_count;
	uint32_t payload_bytes;	/* this layer's bytes in the file */
};

struct accel_model_info {
	uint32_t layer_count, inputs, outputs, file_bytes;
	int on_device;		/* loaded with a device */
};

int accel_model_info(const struct accel_model *model,
		     struct accel_model_info *info, struct accel_error *err);
int accel_model_layer(const struct accel_model *model, uint32_t layer,
		      struct accel_layer_info *info, struct accel_error *err);

/* Since 1.1: the kind of each layer of a .dcm graph and its maps. */
enum accel_layer_kind {
	ACCEL_LAYER_FC = 0,	/* fully connected (the device's FC op) */
	ACCEL_LAYER_CONV = 1,	/* convolution (the CONV op) */
	ACCEL_LAYER_POOL = 2,	/* max or average pooling (the POOL op) */
	/* since 1.4, of .dcm version 3: */
	ACCEL_LAYER_BITPLANE = 3,	/* bit-plane FC layer (the BITPLANE op) */
	ACCEL_LAYER_BITPLANE_CONV = 4,	/* bit-plane convolution */
	ACCEL_LAYER_QUANT = 5,	/* int16 values to a bit-plane layer's planes */
};

#define ACCEL_POOL_MAX	0
#define ACCEL_POOL_AVG	1

/*
 * What a layer takes and gives. Maps are CHW; a fully connected layer
 * takes its inputs as a cols x 1 x 1 map (a map before it, flattened in
 * CHW order) and gives rows x 1 x 1. ReLU is the FC and CONV ops' flag
 * (a ReLU before a max pooling is the layer's before it), and the
 * bit-plane ops'. A quantizer keeps its vector or map: inputs and
 * outputs count values, each of which it writes as a_planes bits.
 */
struct accel_layer_shape {
	uint32_t kind;		/* enum accel_layer_kind */
	uint32_t in_channels, in_height, in_width;
	uint32_t out_channels, out_height, out_width;
	uint32_t inputs, outputs;	/* values per input vector: C H W */
	uint8_t kernel_h, kernel_w;	/* CONV, POOL; FC: 0 */
	uint8_t stride_h, stride_w;
	uint8_t pad_h, pad_w;
	uint8_t pool_mode;	/* POOL: ACCEL_POOL_MAX or ACCEL_POOL_AVG */
	uint8_t relu;		/* FC, CONV, bit-plane: negative sums become 0 */
	uint8_t in_frac, out_frac;	/* fraction bits of inputs, outputs */
	/*
	 * Since 1.4: BITPLANE, BITPLANE_CONV: the weight and activation
	 * planes (Kw, Ka); QUANT: a_planes the planes it writes (Ko).
	 * Otherwise 0.
	 */
	uint8_t w_planes, a_planes;
	uint8_t reserved0[4];
	uint64_t work;		/* device work units per input vector */
	uint32_t reserved[8];	/* 0 */
};

int accel_model_layer_shape(const struct accel_model *model, uint32_t layer,
			    struct accel_layer_shape *shape,
			    struct accel_error *err);

/*
 * The layer's weights as dense floats (rows x cols, row-major: codebook
 * value / 2^w_frac) and its bias (rows floats, / 2^(in_frac + w_frac)),
 * e.g. to compare with a dense float implementation. A convolution's
 * filters are PyTorch's [K][C][R][S] weights, row k filter k; a pooling
 * has none (nothing is written). A bit-plane layer's weight is the sum
 * over its planes of w_basis / 2^bw_frac times the bit (+1 or -1 for a
 * SIGNED plane, 1 or 0 for an UNSIGNED one) and its bias / 2^(bw_frac +
 * ba_frac), for inputs read from the activation planes alike; a
 * quantizer has no such form: ACCEL_E_INVALID.
 */
int accel_model_dense(const struct accel_model *model, uint32_t layer,
		      float *weights, float *bias, struct accel_error *err);

/* --- Inference ------------------------------------------------------ */

enum accel_backend {
	ACCEL_BACKEND_DEVICE = 0,	/* the dcaccel device */
	ACCEL_BACKEND_CPU = 1,		/* the EIE engine in-process */
};

/* Counted by the device (or the engine's model for the CPU path). */
struct accel_stats {
	uint64_t jobs;		/* device jobs the call took */
	uint64_t cycles, nonzero_acts, entries, macs;
	uint64_t pe_busy_min, pe_busy_max, pe_busy_total;
};

/*
 * Quantize `batch` vectors of model inputs (floats, as dcc's data: pixels
 * / 255) exactly as dcc does. q holds batch * inputs values.
 */
int accel_quantize(const struct accel_model *model, uint32_t batch,
		   const float *in, int16_t *q, struct accel_error *err);

/*
 * Run `batch` input vectors (batch * inputs floats) through the model,
 * writing batch * outputs floats. stats, when not NULL, is filled.
 */
int accel_infer(struct accel_model *model, enum accel_backend backend,
		uint32_t batch, const float *in, float *out,
		struct accel_stats *stats, struct accel_error *err);

/*
 * Data parallel over several devices (since 1.2): the same .dcm loaded
 * on each (models[k] on its own device; 1 to 64 of them), `batch` inputs
 * cut into n contiguous shares that run at once, their outputs in order:
 * exactly what one device gives. (A share of more than a file's 128
 * device jobs waits for its first jobs before the next share goes.) stats, when not NULL, adds the devices' counters, except
 * cycles and pe_busy_max, the largest device's (the split's modeled time)
 * and pe_busy_min, the smallest's.
 */
int accel_infer_split(struct accel_model *const *models, uint32_t n,
		      uint32_t batch, const float *in, float *out,
		      struct accel_stats *stats, struct accel_error *err);

/*
 * Model parallel over several devices (since 1.2): the one FC layer of
 * the .dcm at path, its rows dealt to n devices as to one accelerator of
 * n x P PEs (row r to device (r mod nP) / P, P the devices' PE count);
 * parts[k] holds the rows of devs[k] (NULL: the CPU reference); 1 to 64.
 * ACCEL_E_INVALID for a model of other layers, devices of unequal PE
 * counts, or a layer too small to give every device a row.
 */
int accel_model_load_rows(struct accel_device *const *devs, uint32_t n,
			  const char *path, struct accel_model **parts,
			  struct accel_error *err);
/*
 * Run `batch` inputs through the n parts at once: out holds batch x the
 * whole layer's rows, each row where the whole layer puts it, exactly
 * what one device gives. stats as accel_infer_split's.
 */
int accel_infer_rows(struct accel_model *const *parts, uint32_t n,
		     uint32_t batch, const float *in, float *out,
		     struct accel_stats *stats, struct accel_error *err);

/*
 * The device's energy model (since 1.3; Documentation/accel/dcaccel/
 * hardware.rst, "Energy model"): what its jobs read and wrote in DRAM and
 * SRAM and computed, priced in femtojoules by a 45 nm technology table.
 */
struct accel_energy {
	uint64_t jobs;			/* device jobs counted */
	uint64_t dram_weight_words;	/* 32-bit words of the layers' weights */
	uint64_t dram_act_words;	/* of activations to and from DRAM */
	uint64_t sram_words;		/* on chip */
	uint64_t dram_weights_fj, dram_acts_fj, sram_fj, arith_fj, bitops_fj;
};

/* All of it, femtojoules. */
uint64_t accel_energy_total_fj(const struct accel_energy *e);

/*
 * accel_infer() on the device, every job of it asking the device for its
 * energy model; energy (not NULL) is filled with their sum. Each job runs
 * the whole network on up to the model's chunk of vectors, its weights
 * read from DRAM once per job: the energy per inference falls with the
 * batch. ACCEL_E_UNSUPPORTED where the device or driver has no energy
 * model (hardware version before 1.2).
 */
int accel_infer_energy(struct accel_model *model, uint32_t batch,
		       const float *in, float *out, struct accel_stats *stats,
		       struct accel_energy *energy, struct accel_error *err);

/* Index of the largest of n values, the first one on ties. */
uint32_t accel_argmax(const float *v, uint32_t n);

/* Asynchronous device inference: submit now, wait (or poll()) later. */
struct accel_job;

int accel_submit(struct accel_model *model, uint32_t batch, const float *in,
		 struct accel_job **job, struct accel_error *err);
/*
 * An eventfd that polls readable once the job is done (until the device's
 * file is closed); the caller closes it.
 */
int accel_job_fd(struct accel_job *job, int *fd, struct accel_error *err);
/*
 * Wait up to timeout_ns (negative: forever) and copy the outputs (batch *
 * outputs floats) and stats. ACCEL_E_TIMEOUT leaves the job pending.
 */
int accel_job_wait(struct accel_job *job, int64_t timeout_ns, float *out,
		   struct accel_stats *stats, struct accel_error *err);
/* Waits for the job if it still runs, then frees it. */
void accel_job_free(struct accel_job *job);

#ifdef __cplusplus
}
#endif

#endif /* LIBACCEL_ACCEL_H */
