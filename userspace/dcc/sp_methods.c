// SPDX-License-Identifier: MIT
/* The structured pruning methods by name, and the one entry that runs them. */
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
	o->bn_l1 = 1e-4f;
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

int sp_apply(const struct net *src, const struct dataset *data,
	     const struct sp_opts *o, const struct train_opts *t,
	     struct net *dst, struct dcc_error *err)
{
	struct channel_plan p;
	int ret;

	switch (o->method) {
	case SP_NONE:
		return net_clone(src, dst, err);
	case SP_THINET:
		return sp_thinet(src, data, o, dst, err);
	case SP_SLIMMING:
		return sp_slimming(src, data, o, t, dst, err);
	default:
		break;
	}
	if (plan_init(&p, src))
		return dcc_fail(err, "out of memory");
	if (o->method == SP_L1_FILTER)
		ret = sp_l1_filter_plan(src, data, o, &p, err);
	else if (o->method == SP_NISP)
		ret = sp_nisp_plan(src, data, o, &p, err);
	else
		ret = sp_complexity_plan(src, o, &p, err);
	if (!ret)
		ret = net_keep_channels(src, &p, dst, err);
	plan_free(&p);
	return ret;
}
