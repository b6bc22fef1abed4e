/* SPDX-License-Identifier: MIT */
/*
 * Little-endian loads and stores on byte buffers: guest memory is little
 * endian whatever the host is, and byte access has no alignment rules.
 */
#ifndef DCDEV_LE_H
#define DCDEV_LE_H

#include <stdint.h>

static inline uint16_t dcdev_ld16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t dcdev_ld32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t dcdev_ld64(const uint8_t *p)
{
	return (uint64_t)dcdev_ld32(p) | (uint64_t)dcdev_ld32(p + 4) << 32;
}

static inline void dcdev_st16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void dcdev_st32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void dcdev_st64(uint8_t *p, uint64_t v)
{
	dcdev_st32(p, (uint32_t)v);
	dcdev_st32(p + 4, (uint32_t)(v >> 32));
}

#endif
