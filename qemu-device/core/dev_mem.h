/* SPDX-License-Identifier: MIT */
/*
 * How the device core reaches guest memory: two callbacks over bus
 * addresses. QEMU passes pci_dma_read/write; the host tests an array.
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
