/* SPDX-License-Identifier: MIT */
/*
 * The fp32 model on disk between stages, as .safetensors: fcN.weight
 * [out, in], fcN.bias [out], and once made fcN.mask (U8, pruning) and
 * fcN.index (U8) + fcN.codebook [2^bits] (weight sharing). Any safetensors
 * file of weight/bias pairs (PyTorch's state_dict) imports the same way.
 */
#ifndef DCC_MODEL_IO_H
#define DCC_MODEL_IO_H

#include <stdbool.h>

#include "mlp.h"
#include "tensor.h"

int mlp_save(const struct mlp *m, const char *path, struct dcc_error *err);
int mlp_from_tensors(const struct tensor_set *ts, struct mlp *m,
		     struct dcc_error *err);
int mlp_load(const char *path, struct mlp *m, struct dcc_error *err);

/* .npy files W1 b1 W2 b2 ...; W is [out, in] or, with transpose, [in, out]. */
int mlp_import_npy(char *const *paths, unsigned int n, bool transpose,
		   struct mlp *m, struct dcc_error *err);

#endif /* DCC_MODEL_IO_H */
