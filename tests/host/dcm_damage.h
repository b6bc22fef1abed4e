/* SPDX-License-Identifier: MIT */
/*
 * Damaged .dcm images for the reader's tests: change a file, make its
 * CRC32 right again so that the change reaches the field checks, and
 * check (TAP) that the reader refuses it with the message expected.
 */
#ifndef DCM_DAMAGE_H
#define DCM_DAMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "../../userspace/dcm/dcm.h"

/* Recompute the image's CRC32 (its last 4 bytes). */
void reseal(uint8_t *buf, size_t len);

/* dcm_read_buffer(), the model freed again: 0, or -1 with err. */
int read_err(const uint8_t *buf, size_t len, struct dcm_error *err);

/* The image is refused with a message containing msg. */
void refused_buf(const uint8_t *buf, size_t len, const char *msg);

/*
 * Set one field of layer i's record (at in the record of the image's
 * version, bytes 1, 2 or 4 wide) to v; the CRC32 is left as it was.
 */
void set_field(uint8_t *buf, uint32_t i, unsigned int at, unsigned int bytes,
	       uint32_t v);

/* A copy of the image with one field set_field(), resealed: refused with msg. */
void refused(const uint8_t *buf, size_t len, uint32_t i, unsigned int at,
	     unsigned int bytes, uint32_t v, const char *msg);

#endif /* DCM_DAMAGE_H */
