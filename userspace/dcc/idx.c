// SPDX-License-Identifier: MIT
/*
 * IDX reader. zlib's gz* functions read gzip and plain files alike, so the
 * Debian package's .gz files are read in place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "idx.h"

/* The whole (decompressed) file: IDX files are at most tens of MB. */
static int gz_slurp(const char *path, uint8_t **buf, size_t *len,
		    struct dcc_error *err)
{
	size_t cap = 1 << 16, n = 0;
	gzFile f = gzopen(path, "rb");
	int got;

	*buf = NULL;
	if (!f)
		return dcc_fail(err, "%s: cannot open", path);
	*buf = malloc(cap);
	while (*buf) {
		if (n == cap) {
			uint8_t *p = cap < (1u << 30) ? realloc(*buf, cap * 2) : NULL;

			if (!p) {
				gzclose(f);
				free(*buf);
				*buf = NULL;
				return dcc_fail(err, "%s: too large or out of memory", path);
			}
			*buf = p;
			cap *= 2;
		}
		got = gzread(f, *buf + n, (unsigned int)(cap - n));
		if (got < 0) {
			gzclose(f);
			free(*buf);
			*buf = NULL;
			return dcc_fail(err, "%s: truncated or corrupt gzip data", path);
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	gzclose(f);
	if (!*buf)
		return dcc_fail(err, "%s: out of memory", path);
	*len = n;
	return 0;
}

int idx_parse(const uint8_t *buf, size_t len, const char *path,
	      unsigned int want_dims, uint32_t limit, uint32_t dims[3],
	      uint8_t **data, struct dcc_error *err)
{
	uint64_t item = 1, bytes;
	size_t at = 4;

	*data = NULL;
	if (len < 4)
		return dcc_fail(err, "%s: truncated: no IDX header", path);
	if (buf[0] || buf[1] || buf[2] != 0x08)
		return dcc_fail(err, "%s: wrong magic %02x%02x%02x%02x: not an IDX file of unsigned bytes",
				path, buf[0], buf[1], buf[2], buf[3]);
	if (buf[3] != want_dims)
		return dcc_fail(err, "%s: wrong shape: %u dimensions, expected %u (%s)",
				path, buf[3], want_dims,
				want_dims == 3 ? "images" : "labels");
	for (unsigned int d = 0; d < want_dims; d++, at += 4) {
		if (at + 4 > len)
			return dcc_fail(err, "%s: truncated in the dimension sizes", path);
		dims[d] = (uint32_t)buf[at] << 24 | (uint32_t)buf[at + 1] << 16 |
			  (uint32_t)buf[at + 2] << 8 | buf[at + 3];
		if (dims[d] == 0 || dims[d] > (1u << 24))
			return dcc_fail(err, "%s: wrong shape: dimension %u is %u",
					path, d, dims[d]);
		if (d)
			item *= dims[d];
	}
	if (item > (1u << 20))
		return dcc_fail(err, "%s: wrong shape: %llu bytes per item",
				path, (unsigned long long)item);
	if ((len - at) / item < dims[0])
		return dcc_fail(err, "%s: truncated: header promises %u items of %llu bytes, file holds %zu bytes of data",
				path, dims[0], (unsigned long long)item, len - at);
	if (limit && limit < dims[0])
		dims[0] = limit;
	bytes = item * dims[0];
	*data = malloc(bytes);
	if (!*data)
		return dcc_fail(err, "%s: out of memory for %llu bytes", path,
				(unsigned long long)bytes);
	memcpy(*data, buf + at, bytes);
	return 0;
}

int idx_read(const char *path, unsigned int want_dims, uint32_t limit,
	     uint32_t dims[3], uint8_t **data, struct dcc_error *err)
{
	uint8_t *buf;
	size_t len = 0;
	int ret;

	*data = NULL;
	if (gz_slurp(path, &buf, &len, err))
		return -1;
	ret = idx_parse(buf, len, path, want_dims, limit, dims, data, err);
	free(buf);
	return ret;
}

int dataset_load(const char *images, const char *labels, uint32_t limit,
		 struct dataset *ds, struct dcc_error *err)
{
	uint32_t idim[3], ldim[3];
	uint8_t *pix, *lab;

	memset(ds, 0, sizeof(*ds));
	if (idx_read(images, 3, limit, idim, &pix, err))
		return -1;
	if (idx_read(labels, 1, limit, ldim, &lab, err)) {
		free(pix);
		return -1;
	}
	if (idim[0] != ldim[0]) {
		free(pix);
		free(lab);
		return dcc_fail(err, "%s has %u images but %s has %u labels",
				images, idim[0], labels, ldim[0]);
	}
	for (uint32_t i = 0; i < ldim[0]; i++) {
		if (lab[i] > 9) {
			unsigned int bad = lab[i];

			free(pix);
			free(lab);
			return dcc_fail(err, "%s: label %u of item %u is not a class 0..9",
					labels, bad, i);
		}
	}
	ds->count = idim[0];
	ds->dim = idim[1] * idim[2];
	ds->x = malloc((size_t)ds->count * ds->dim * sizeof(float));
	if (!ds->x) {
		free(pix);
		free(lab);
		return dcc_fail(err, "out of memory");
	}
	for (size_t k = 0; k < (size_t)ds->count * ds->dim; k++)
		ds->x[k] = pix[k] / 255.0f;
	ds->y = lab;
	free(pix);
	return 0;
}

static void pick(char *out, size_t n, const char *dir, const char *split,
		 const char *kind)
{
	snprintf(out, n, "%s/%s-%s-ubyte.gz", dir, split, kind);
	if (access(out, R_OK))
		snprintf(out, n, "%s/%s-%s-ubyte", dir, split, kind);
}

int dataset_load_dir(const char *dir, const char *split, uint32_t limit,
		     struct dataset *ds, struct dcc_error *err)
{
	char images[4096], labels[4096];

	pick(images, sizeof(images), dir, split, "images-idx3");
	pick(labels, sizeof(labels), dir, split, "labels-idx1");
	return dataset_load(images, labels, limit, ds, err);
}

void dataset_free(struct dataset *ds)
{
	free(ds->x);
	free(ds->y);
	memset(ds, 0, sizeof(*ds));
}
