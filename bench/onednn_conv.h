/* SPDX-License-Identifier: MIT */
/*
 * oneDNN's float32 convolution (forward inference, algorithm "auto": the
 * library picks direct or Winograd, and its own memory formats). Inputs
 * and weights are reordered once, outside what is timed; a run is the
 * convolution primitive alone, as in a network kept in oneDNN's formats.
 */
#ifndef DCACCEL_BENCH_ONEDNN_CONV_H
#define DCACCEL_BENCH_ONEDNN_CONV_H

#include "conv_shape.h"

struct onednn_conv;

/* From KCRS weights and an NCHW input; NULL with a message on stderr. */
struct onednn_conv *onednn_conv_create(const struct conv_shape *s,
				       const float *w, const float *x);
/* One convolution. */
void onednn_conv_run(struct onednn_conv *d);
/* The last output, reordered to NCHW (K x oh x ow floats). */
int onednn_conv_output(struct onednn_conv *d, float *y);
/* The implementation oneDNN chose, e.g. "brgconv:avx512_core". */
const char *onednn_conv_impl(const struct onednn_conv *d);
void onednn_conv_free(struct onednn_conv *d);

/* oneDNN's version, "major.minor.patch". */
const char *onednn_version(void);

#endif
