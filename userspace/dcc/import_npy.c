// SPDX-License-Identifier: MIT
/*
 * .npy reader: the magic, a little-endian header length, a Python dict
 * literal with 'descr', 'fortran_order' and 'shape', then the raw data.
 * Only what dense weights need is accepted; everything else is refused by
 * name.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor.h"

int read_whole_file(const char *path, uint8_t **buf, size_t *len,
		    struct dcc_error *err)
{
	FILE *f = fopen(path, "rb");
	long size;

	*buf = NULL;
	if (!f)
		return dcc_fail(err, "%s: cannot open", path);
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    size > (1l << 31) || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return dcc_fail(err, "%s: cannot size the file (or it is over 2 GiB)", path);
	}
	*buf = malloc(size ? (size_t)size : 1);
	if (!*buf || fread(*buf, 1, (size_t)size, f) != (size_t)size) {
		free(*buf);
		*buf = NULL;
		fclose(f);
		return dcc_fail(err, "%s: read failed", path);
	}
	fclose(f);
	*len = (size_t)size;
	return 0;
}

/* The text after 'key': in the header dict, or NULL. */
static const char *dict_value(const char *h, const char *key)
{
	char quoted[32];
	const char *p;

	snprintf(quoted, sizeof(quoted), "'%s'", key);
	p = strstr(h, quoted);
	if (!p)
		return NULL;
	p += strlen(quoted);
	while (*p == ' ')
		p++;
	if (*p != ':')
		return NULL;
	p++;
	while (*p == ' ')
		p++;
	return p;
}

int npy_load_buffer(const uint8_t *buf, size_t len, const char *what,
		    struct tensor *t, struct dcc_error *err)
{
	size_t hlen, hstart, esize;
	char *h = NULL, descr[16];
	const char *p;
	int fortran, ret = -1;

	memset(t, 0, sizeof(*t));
	if (len < 10 || memcmp(buf, "\x93NUMPY", 6))
		return dcc_fail(err, "%s: bad .npy header: wrong magic", what);
	if (buf[6] == 1) {
		hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
		hstart = 10;
	} else if (buf[6] == 2 || buf[6] == 3) {
		if (len < 12)
			return dcc_fail(err, "%s: bad .npy header: truncated", what);
		hlen = (size_t)buf[8] | (size_t)buf[9] << 8 |
		       (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
		hstart = 12;
	} else {
		return dcc_fail(err, "%s: bad .npy header: format version %u.%u is not 1..3",
				what, buf[6], buf[7]);
	}
	if (hlen > len - hstart || hlen > 65536)
		return dcc_fail(err, "%s: bad .npy header: header of %zu bytes in a %zu-byte file",
				what, hlen, len);
	h = malloc(hlen + 1);
	if (!h)
		return dcc_fail(err, "out of memory");
	memcpy(h, buf + hstart, hlen);
	h[hlen] = 0;

	p = dict_value(h, "descr");
	if (!p || *p != '\'' || sscanf(p + 1, "%15[^']", descr) != 1) {
		dcc_fail(err, "%s: bad .npy header: no 'descr'", what);
		goto out;
	}
	if (!strcmp(descr, "<f4")) {
		esize = 4;
	} else if (!strcmp(descr, "<f8")) {
		esize = 8;
	} else if (!strcmp(descr, "|u1")) {
		esize = 1;
	} else {
		dcc_fail(err, "%s: bad .npy header: dtype '%s' is not <f4, <f8 or |u1",
			 what, descr);
		goto out;
	}
	p = dict_value(h, "fortran_order");
	if (!p || (strncmp(p, "False", 5) && strncmp(p, "True", 4))) {
		dcc_fail(err, "%s: bad .npy header: no 'fortran_order'", what);
		goto out;
	}
	fortran = *p == 'T';
	p = dict_value(h, "shape");
	if (!p || *p != '(') {
		dcc_fail(err, "%s: bad .npy header: no 'shape' tuple", what);
		goto out;
	}
	p++;
	t->count = 1;
	for (;;) {
		char *end;
		unsigned long long d;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == ')')
			break;
		if (!isdigit((unsigned char)*p) || t->ndim == TENSOR_DIMS_MAX) {
			dcc_fail(err, "%s: bad .npy header: shape is not a tuple of up to %u sizes",
				 what, TENSOR_DIMS_MAX);
			goto out;
		}
		d = strtoull(p, &end, 10);
		p = end;
		if (d == 0 || d > TENSOR_ELEMS_MAX || t->count * d > TENSOR_ELEMS_MAX) {
			dcc_fail(err, "%s: bad .npy header: shape has an empty or huge dimension",
				 what);
			goto out;
		}
		t->shape[t->ndim++] = d;
		t->count *= d;
	}
	if (t->ndim == 0) {
		dcc_fail(err, "%s: bad .npy header: a scalar, not a weight array", what);
		goto out;
	}
	if (t->count * esize != len - hstart - hlen) {
		dcc_fail(err, "%s: data is %zu bytes, shape and dtype need %llu (truncated?)",
			 what, len - hstart - hlen,
			 (unsigned long long)(t->count * esize));
		goto out;
	}
	snprintf(t->name, sizeof(t->name), "%s", what);
	const uint8_t *d = buf + hstart + hlen;
	if (esize == 1) {
		t->type = TENSOR_U8;
		t->u8 = malloc(t->count);
		if (!t->u8)
			goto oom;
	} else {
		t->type = TENSOR_F32;
		t->f = malloc(t->count * sizeof(float));
		if (!t->f)
			goto oom;
	}
	for (uint64_t k = 0; k < t->count; k++) {
		uint64_t src = k;

		if (fortran && t->ndim > 1) {
			/* C index k -> Fortran (column-major) offset */
			uint64_t rem = k, fstride[TENSOR_DIMS_MAX];

			fstride[0] = 1;
			for (uint32_t a = 1; a < t->ndim; a++)
				fstride[a] = fstride[a - 1] * t->shape[a - 1];
			src = 0;
			for (uint32_t a = t->ndim; a-- > 0;) {
				src += rem % t->shape[a] * fstride[a];
				rem /= t->shape[a];
			}
		}
		if (esize == 1) {
			t->u8[k] = d[src];
		} else if (esize == 4) {
			float v;

			memcpy(&v, d + src * 4, 4);
			t->f[k] = v;
		} else {
			double v;

			memcpy(&v, d + src * 8, 8);
			t->f[k] = (float)v;
		}
	}
	ret = 0;
	goto out;
oom:
	dcc_fail(err, "out of memory");
out:
	free(h);
	if (ret)
		tensor_free(t);
	return ret;
}

int npy_load(const char *path, struct tensor *t, struct dcc_error *err)
{
	uint8_t *buf;
	size_t len;
	int ret;

	if (read_whole_file(path, &buf, &len, err))
		return -1;
	ret = npy_load_buffer(buf, len, path, t, err);
	free(buf);
	return ret;
}

void tensor_free(struct tensor *t)
{
	free(t->f);
	free(t->u8);
	t->f = NULL;
	t->u8 = NULL;
}
