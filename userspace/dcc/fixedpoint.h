/* SPDX-License-Identifier: MIT */
/*
 * Stage 4: the quantized fp32 model -> the accelerator's fixed point
 * (int16 activations and codebooks, int32 biases) as .dcm layers with EIE
 * streams, and its accuracy measured by running the EIE engine itself.
 */
#ifndef DCC_FIXEDPOINT_H
#define DCC_FIXEDPOINT_H

#include "../dcm/dcm.h"
#include "mlp.h"

/* Largest fraction bits f <= 15 with maxabs * headroom * 2^f <= 32767. */
unsigned int frac_bits_for(double maxabs, double headroom);

/*
 * Build the .dcm layers of a fully quantized model. Activation formats come
 * from the largest activations on `calib` (fp32 forward). zbits 0 picks
 * 8 - wbits (one-byte entries), at least 2. Returns 0 or -1 with err.
 */
int fixedpoint_build(const struct mlp *m, const struct dataset *calib,
		     uint32_t pes, unsigned int zbits, struct dcm_model *out,
		     struct dcc_error *err);

/*
 * Top-1 accuracy in percent of a .dcm model over a data set, every image
 * through eie_run() layer by layer. stats (per layer, may be NULL) is
 * added to.
 */
double fixedpoint_accuracy(const struct dcm_model *dm, const struct dataset *ds,
			   struct eie_stats *stats, struct dcc_error *err);

#endif /* DCC_FIXEDPOINT_H */
