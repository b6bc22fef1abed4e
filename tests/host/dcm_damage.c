// SPDX-License-Identifier: MIT
/* The damaged .dcm images of dcm_damage.h. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "tap.h"
#include "../../userspace/dcm/dcm_layout.h"
#include "dcm_damage.h"

void reseal(uint8_t *buf, size_t len)
{
	dcm_put32(buf + len - DCM_CRC_BYTES,
		  (uint32_t)crc32(0L, buf, (uInt)(len - DCM_CRC_BYTES)));
}

int read_err(const uint8_t *buf, size_t len, struct dcm_error *err)
{
	struct dcm_model m;
	int ret = dcm_read_buffer(buf, len, &m, err);

	if (!ret)
		dcm_free(&m);
	return ret;
}

void refused_buf(const uint8_t *buf, size_t len, const char *msg)
{
	struct dcm_error err = { "" };

	CHECK_EQ(read_err(buf, len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, msg);
}

void set_field(uint8_t *buf, uint32_t i, unsigned int at, unsigned int bytes,
	       uint32_t v)
{
	uint32_t rec = dcm_record_bytes(dcm_get16(buf + DCM_H_VERSION));
	uint8_t *r = buf + DCM_HEADER_BYTES + (size_t)i * rec + at;

	if (bytes == 1)
		*r = (uint8_t)v;
	else if (bytes == 2)
		dcm_put16(r, (uint16_t)v);
	else
		dcm_put32(r, v);
}

void refused(const uint8_t *buf, size_t len, uint32_t i, unsigned int at,
	     unsigned int bytes, uint32_t v, const char *msg)
{
	uint8_t *bad = malloc(len);

	memcpy(bad, buf, len);
	set_field(bad, i, at, bytes, v);
	reseal(bad, len);
	refused_buf(bad, len, msg);
	free(bad);
}
