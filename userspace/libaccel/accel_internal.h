/* SPDX-License-Identifier: MIT */
/* libaccel's private structures, shared by its source files. */
#ifndef LIBACCEL_INTERNAL_H
#define LIBACCEL_INTERNAL_H

#include <stdbool.h>

#include "accel.h"
#include "../dcm/dcm.h"

struct accel_device {
	int fd;
	struct accel_device_info info;
};

struct accel_bo {
	struct accel_device *dev;
	uint32_t handle;
	uint64_t va, size;
	void *map;
};

/* One layer as both backends run it. */
struct accel_mlayer {
	struct eie_layer view;		/* streams for `view.pes` PEs */
	struct eie_streams reenc;	/* owned when re-encoded for the device */
	uint32_t file_pes;
	void *decoded_buf;		/* CPU reference's decoded form */
	struct eie_decoded decoded;
	uint64_t cb_off, cp_off, en_off, bias_off;	/* in the model BO */
};

struct accel_model {
	struct accel_device *dev;	/* NULL: CPU only */
	struct dcm_model dcm;
	struct accel_mlayer *layers;
	uint32_t layer_count, inputs, outputs, widest;
	size_t ws_size;			/* eie_run workspace */
	struct accel_bo *bo;		/* every layer's arrays */
	uint32_t chunk;			/* vectors per device job */
	bool f32_inputs;		/* the device converts float inputs */
	/*
	 * A finished job's buffers and syncobjs, kept for the next job: under
	 * an emulator creating, mapping and freeing BOs costs more than a
	 * small job. Taken and put back atomically (threads share a model).
	 */
	struct accel_job *spare;
};

/* Free the model's spare job, if any (accel_model_free). */
void accelp_spare_free(struct accel_model *m);

/* Fill err (if any) and return status. */
int accelp_fail(struct accel_error *err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Status for an errno from opening or an ioctl. */
int accelp_errno_status(int e);

#endif /* LIBACCEL_INTERNAL_H */
