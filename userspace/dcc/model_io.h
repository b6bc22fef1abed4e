/* SPDX-License-Identifier: MIT */
/*
 * The fp32 network on disk between stages, as .safetensors, in PyTorch's
 * layouts: NAME.weight ([out, in] for fc, [out, in, kh, kw] for conv),
 * NAME.bias [out], and once made NAME.mask (U8, pruning) and NAME.index
 * (U8) + NAME.codebook (2 to 256 values: weight sharing or a low-bit
 * method), NAME the layer's name (conv1, fc2...). Any safetensors file of weight/bias pairs (PyTorch's
 * state_dict) imports the same way: its *.weight tensors in natural name
 * order are the network's weight layers in order.
 */
#ifndef DCC_MODEL_IO_H
#define DCC_MODEL_IO_H

#include <stdbool.h>

#include "net.h"
#include "tensor.h"

int net_save(const struct net *n, const char *path, struct dcc_error *err);

/*
 * Fill a network from tensors. spec: the network's description (net.h);
 * NULL infers a stack of fc layers with ReLU between them from 2-D weights.
 */
int net_from_tensors(const struct tensor_set *ts, const char *spec,
		     struct net *n, struct dcc_error *err);
int net_load(const char *path, const char *spec, struct net *n,
	     struct dcc_error *err);

/*
 * .npy files W1 b1 W2 b2 ...; W is [out, in] or, with transpose, [in, out]
 * for fc, [out, in, kh, kw] for conv.
 */
int net_import_npy(char *const *paths, unsigned int count, bool transpose,
		   const char *spec, struct net *n, struct dcc_error *err);

#endif /* DCC_MODEL_IO_H */
