/* SPDX-License-Identifier: MIT */
/*
 * How the device core reaches guest memory: two callbacks over bus
 * addresses, each call a small piece (one page of an array, a ring entry,
 * a table entry, a completion record). QEMU passes DMA through the
 * device's bus master address space (failing, too, once the job is
 * abandoned); the host tests an array.
 */
#ifndef DCDEV_MEM_H
#define DCDEV_MEM_H

#include <stddef.h>
#include <stdint.h>

struct dcdev_mem {
	/* 0, or -1 when [addr, addr + len) is not (all) memory */
	int (*read)(void *opaque, uint64_t addr, void *buf, size_t len);
	int (*write)(void *opaque, uint64_t addr, const void *buf, size_t len);
	void *opaque;
};

#endif
