/* SPDX-License-Identifier: MIT */
/* One measured point of `dcc sweep` (cmd_sweep.c), and its pictures. */
#ifndef DCC_SWEEP_H
#define DCC_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "dcc_error.h"

struct sweep_point {
	char method[16];		/* sp_method_name(); "none": magnitude only */
	double level;			/* structured pruning level */
	unsigned int bits;		/* weight bits of every layer */
	double params_pct, macs_pct;	/* of the dense network's */
	unsigned long long nonzero;	/* weights */
	unsigned long long nonzero_macs;	/* one inference's MACs by non-zero weights */
	unsigned long long dcm_bytes;
	double rate;			/* dense fp32 bytes / .dcm bytes */
	double acc_dense;
	double acc_before;		/* shrunk, before fine-tuning (NaN: trained anew) */
	double acc_shrunk, acc_pruned, acc_quantized, acc_device;
	double drop, quality;		/* points lost on the device; quality_metric() */
	double cycles, latency_us;	/* the cycle model, per inference */
	/* the energy model per inference: all, and with the weights on chip */
	double energy_nj, onchip_nj;
	double seconds;			/* to measure the point */
};

#define SWEEP_CSV_HEADER "method,level,bits,params_kept_pct,macs_kept_pct,nonzero_weights," \
	"nonzero_macs,dcm_bytes,rate,acc_dense,acc_before_ft,acc_shrunk,acc_pruned," \
	"acc_quantized,acc_device,drop_pp,quality,cycles,latency_us,energy_nj,onchip_nj,seconds"

/* One point as a CSV line (the header's columns), and a line read back:
 * false for anything else (the header, a line an interruption cut). */
void sweep_point_write(FILE *f, const struct sweep_point *p);
bool sweep_point_parse(const char *line, struct sweep_point *p);

/*
 * dir/sweep-pareto.png (device accuracy over the compression rate, each
 * method its own marks, the Pareto front drawn, the dense accuracy and
 * its 0.5-point band) and dir/sweep-quality.png (the metric over method
 * x level by bits, as a heat map). 0 or -1 with err.
 */
int plot_sweep(const char *dir, const struct sweep_point *pts, size_t n,
	       struct dcc_error *err);

#endif /* DCC_SWEEP_H */
