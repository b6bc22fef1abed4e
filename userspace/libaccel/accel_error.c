// SPDX-License-Identifier: MIT
/* Status codes and the caller's error messages. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "accel_internal.h"

const char *accel_strerror(int status)
{
	switch (status) {
	case ACCEL_OK: return "success";
	case ACCEL_E_INVALID: return "invalid argument";
	case ACCEL_E_NODEV: return "no dcaccel device";
	case ACCEL_E_ACCESS: return "permission denied on the device";
	case ACCEL_E_NOMEM: return "out of memory";
	case ACCEL_E_MODEL: return "bad model";
	case ACCEL_E_DEVICE: return "device request failed";
	case ACCEL_E_JOB: return "the device failed the job";
	case ACCEL_E_TIMEOUT: return "timed out";
	case ACCEL_E_IO: return "I/O error";
	case ACCEL_E_UNSUPPORTED: return "not supported by the device or driver";
	default: return "unknown status";
	}
}

int accelp_fail(struct accel_error *err, int status, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return status;
}

int accelp_errno_status(int e)
{
	switch (e) {
	case ENOENT: case ENODEV: case ENXIO: return ACCEL_E_NODEV;
	case EACCES: case EPERM: return ACCEL_E_ACCESS;
	case ENOMEM: case ENOSPC: return ACCEL_E_NOMEM;
	case EINVAL: return ACCEL_E_INVALID;
	case ETIME: case ETIMEDOUT: return ACCEL_E_TIMEOUT;
	case EOPNOTSUPP: return ACCEL_E_UNSUPPORTED;
	default: return ACCEL_E_DEVICE;
	}
}
