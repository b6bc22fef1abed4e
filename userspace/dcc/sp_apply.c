// SPDX-License-Identifier: MIT
/* The one entry that runs a structured pruning method, whichever it is. */
#include "structure.h"

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
