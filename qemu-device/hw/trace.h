/* SPDX-License-Identifier: MIT */
/* The device's trace events: qemu-device/hw/trace-events. */
#include "trace/trace-hw_misc_dcaccel.h"
