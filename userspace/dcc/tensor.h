/* SPDX-License-Identifier: MIT */
/*
 * Dense tensors as the importers give them: float32 (converted from the
 * file's float type) or uint8, at most 4 dimensions, with a name.
 */
#ifndef DCC_TENSOR_H
#define DCC_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "dcc_error.h"

#define TENSOR_NAME_MAX	128
#define TENSOR_DIMS_MAX	4
#define TENSOR_ELEMS_MAX (1ull << 28)

enum tensor_type { TENSOR_F32, TENSOR_U8 };

struct tensor {
	char name[TENSOR_NAME_MAX];
	enum tensor_type type;
	uint32_t ndim;
	uint64_t shape[TENSOR_DIMS_MAX];
	uint64_t count;		/* product of shape */
	float *f;		/* TENSOR_F32 */
	uint8_t *u8;		/* TENSOR_U8 */
};

#define TENSOR_NET_MAX	512

struct tensor_set {
	uint32_t count;
	struct tensor *t;
	/* __metadata__ "dcc.net": the network description dcc saved ("" if none) */
	char net[TENSOR_NET_MAX];
};

/* A .npy file (v1-v3; <f4, <f8, |u1; C or Fortran order). */
int npy_load_buffer(const uint8_t *buf, size_t len, const char *what,
		    struct tensor *t, struct dcc_error *err);
int npy_load(const char *path, struct tensor *t, struct dcc_error *err);

/* A .safetensors file (F32, F64, F16, BF16, U8 tensors). */
int safetensors_load_buffer(const uint8_t *buf, size_t len, const char *what,
			    struct tensor_set *ts, struct dcc_error *err);
int safetensors_load(const char *path, struct tensor_set *ts,
		     struct dcc_error *err);
int safetensors_save(const char *path, const struct tensor_set *ts,
		     struct dcc_error *err);

const struct tensor *tensor_find(const struct tensor_set *ts, const char *name);
void tensor_free(struct tensor *t);
void tensor_set_free(struct tensor_set *ts);

/* Whole file into memory (at most 2 GiB). */
int read_whole_file(const char *path, uint8_t **buf, size_t *len,
		    struct dcc_error *err);

#endif /* DCC_TENSOR_H */
