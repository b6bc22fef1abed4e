// SPDX-License-Identifier: MIT
/* A sweep point as a line of DIR/sweep.csv, and back (sweep.h). */
#include <stdio.h>
#include <string.h>

#include "structure.h"
#include "sweep.h"

void sweep_point_write(FILE *f, const struct sweep_point *p)
{
	fprintf(f, "%s,%.2f,%u,%.2f,%.2f,%llu,%llu,%llu,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.3f,%.0f,%.2f,%.1f,%.1f,%.1f\n",
		p->method, p->level, p->bits, p->params_pct, p->macs_pct, p->nonzero,
		p->nonzero_macs, p->dcm_bytes, p->rate, p->acc_dense, p->acc_before,
		p->acc_shrunk, p->acc_pruned, p->acc_quantized, p->acc_device, p->drop, p->quality, p->cycles,
		p->latency_us, p->energy_nj, p->onchip_nj, p->seconds);
}

bool sweep_point_parse(const char *line, struct sweep_point *p)
{
	/*
	 * The method names a plot's marks and rows (gnuplot script text): only
	 * the names dcc writes pass, so an edited CSV cannot carry a quote.
	 */
	if (sscanf(line, "%15[^,],%lf,%u,%lf,%lf,%llu,%llu,%llu,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf",
		      p->method, &p->level, &p->bits, &p->params_pct, &p->macs_pct,
		      &p->nonzero, &p->nonzero_macs, &p->dcm_bytes, &p->rate, &p->acc_dense,
		      &p->acc_before, &p->acc_shrunk, &p->acc_pruned, &p->acc_quantized,
		      &p->acc_device, &p->drop, &p->quality, &p->cycles,
		      &p->latency_us, &p->energy_nj, &p->onchip_nj, &p->seconds) != 22)
		return false;
	if (strcmp(p->method, "none") && sp_method_parse(p->method) == SP_NONE)
		return false;
	return p->bits >= 1 && p->bits <= 8 && p->level >= 0 && p->level <= 0.95;
}
