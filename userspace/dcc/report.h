/* SPDX-License-Identifier: MIT */
/* The per-layer table in the shape of Deep Compression's tables. */
#ifndef DCC_REPORT_H
#define DCC_REPORT_H

#include <stdio.h>

#include "../dcm/dcm.h"

/* Accuracy after each stage, in percent; < 0 when the stage did not run. */
struct stage_acc {
	double dense, pruned, quantized, fixed;
};

void report_table(FILE *out, const struct dcm_model *m,
		  const struct stage_acc *acc);

#endif /* DCC_REPORT_H */
