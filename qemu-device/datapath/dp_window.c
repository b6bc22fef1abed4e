// SPDX-License-Identifier: MIT
#include "dp_window.h"
#include "dcaccel/dcaccel_hw.h"

static int validate_axis(const char *axis, uint32_t in, uint32_t kernel,
			 uint32_t stride, uint32_t pad, struct eie_error *err)
{
	if (in == 0 || in > DCACCEL_MAP_DIM_MAX)
		return eie_fail(err, "in_%s must be 1..%u, got %u", axis,
			        DCACCEL_MAP_DIM_MAX, in);
	if (kernel == 0 || kernel > DCACCEL_KERNEL_MAX)
		return eie_fail(err, "kernel_%s must be 1..%u, got %u", axis,
			        DCACCEL_KERNEL_MAX, kernel);
	if (stride == 0 || stride > DCACCEL_STRIDE_MAX)
		return eie_fail(err, "stride_%s must be 1..%u, got %u", axis,
			        DCACCEL_STRIDE_MAX, stride);
	if (pad >= kernel)
		return eie_fail(err, "pad_%s %u must be below kernel_%s %u",
			        axis, pad, axis, kernel);
	if (in + 2 * pad < kernel)
		return eie_fail(err,
			        "kernel_%s %u is larger than the padded map (%u + 2 x %u)",
			        axis, kernel, in, pad);
	return 0;
}

int dp_window_validate(const struct dp_window *w, struct eie_error *err)
{
	int ret = validate_axis("h", w->in_h, w->kernel_h, w->stride_h,
				w->pad_h, err);

	if (!ret)
		ret = validate_axis("w", w->in_w, w->kernel_w, w->stride_w,
				    w->pad_w, err);
	return ret;
}

uint32_t dp_window_out_h(const struct dp_window *w)
{
	return DCACCEL_WINDOW_OUT(w->in_h, w->kernel_h, w->stride_h, w->pad_h);
}

uint32_t dp_window_out_w(const struct dp_window *w)
{
	return DCACCEL_WINDOW_OUT(w->in_w, w->kernel_w, w->stride_w, w->pad_w);
}

void dp_window_taps(uint32_t i, uint32_t kernel, uint32_t stride,
		    uint32_t pad, uint32_t out, uint32_t *lo, uint32_t *hi)
{
	uint32_t at = i + pad;	/* the input's row in the padded map */

	/* o * stride <= at and at - o * stride < kernel */
	*lo = at >= kernel ? (at - kernel) / stride + 1 : 0;
	*hi = at / stride + 1;
	if (*hi > out)
		*hi = out;
}
