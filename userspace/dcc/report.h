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

/*
 * One line for scripts: "summary:" and key=value pairs, the .dcm's bytes
 * and rate against fp32, the weights' density, each weight layer's index
 * bits, the accuracies measured (-1 for a stage not run), and the device
 * model's cycles and nanojoules per inference: all of it, and without the
 * weights' DRAM reads (the weights held on chip, as EIE holds them).
 */
void report_summary(FILE *out, const struct dcm_model *m,
		    const struct stage_acc *acc, double cycles, double energy_nj,
		    double onchip_nj);

#endif /* DCC_REPORT_H */
