// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>

#include "dcc_error.h"

int dcc_fail(struct dcc_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}
