// SPDX-License-Identifier: MIT
/* The structured pruning methods by name, and their defaults. */
#include <string.h>

#include "structure.h"

static const char *const names[] = {
	[SP_NONE] = "none", [SP_L1_FILTER] = "l1", [SP_SLIMMING] = "slim",
	[SP_THINET] = "thinet", [SP_NISP] = "nisp", [SP_PARAM_AWARE] = "pa",
	[SP_FLOP_AWARE] = "fa", [SP_MEMORY_AWARE] = "ma",
};

void sp_opts_default(struct sp_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->method = SP_NONE;
	o->level = 0.5;
	o->samples = 1000;
	o->tolerance = 1.0;
	o->bn_l1 = 1e-2f;	/* dcc-sp-slimming.rst: 1e-4 barely moves gamma in 4 epochs */
	o->sparsity_epochs = 4;
	o->seed = 1;
}

enum sp_method sp_method_parse(const char *name)
{
	for (size_t m = 1; m < sizeof(names) / sizeof(names[0]); m++)
		if (!strcmp(name, names[m]))
			return (enum sp_method)m;
	return SP_NONE;
}

const char *sp_method_name(enum sp_method m)
{
	return (size_t)m < sizeof(names) / sizeof(names[0]) ? names[m] : "?";
}
