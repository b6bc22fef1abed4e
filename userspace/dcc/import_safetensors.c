// SPDX-License-Identifier: MIT
/*
 * .safetensors: an 8-byte little-endian header length, a JSON object
 * mapping tensor names to {"dtype", "shape", "data_offsets"} (plus an
 * optional "__metadata__" object of strings), then the data. The JSON
 * parser below takes exactly that shape and nothing more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor.h"

struct json {
	const char *p, *end, *start;
	const char *what;
	struct dcc_error *err;
};

static void ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' ||
				 *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

static int expect(struct json *j, char c)
{
	ws(j);
	if (j->p >= j->end || *j->p != c)
		return dcc_fail(j->err, "%s: bad safetensors header: expected '%c' at byte %td",
				j->what, c, j->p - j->start + 8);
	j->p++;
	return 0;
}

/* A JSON string without escapes other than \" and \\ (names are plain). */
static int string(struct json *j, char *out, size_t cap)
{
	size_t n = 0;

	if (expect(j, '"'))
		return -1;
	while (j->p < j->end && *j->p != '"') {
		char c = *j->p++;

		if (c == '\\') {
			if (j->p >= j->end)
				break;
			c = *j->p++;
			if (c != '"' && c != '\\' && c != '/')
				return dcc_fail(j->err, "%s: bad safetensors header: unsupported escape \\%c",
						j->what, c);
		}
		if (n + 1 >= cap)
			return dcc_fail(j->err, "%s: bad safetensors header: string longer than %zu bytes",
					j->what, cap - 1);
		out[n++] = c;
	}
	out[n] = 0;
	if (j->p >= j->end)
		return dcc_fail(j->err, "%s: bad safetensors header: unterminated string", j->what);
	j->p++;
	return 0;
}

static int number(struct json *j, uint64_t *v)
{
	uint64_t x = 0;
	int digits = 0;

	ws(j);
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
		if (x > (UINT64_MAX - 9) / 10)
			return dcc_fail(j->err, "%s: bad safetensors header: number too large", j->what);
		x = x * 10 + (uint64_t)(*j->p++ - '0');
		digits++;
	}
	if (!digits)
		return dcc_fail(j->err, "%s: bad safetensors header: expected a number", j->what);
	*v = x;
	return 0;
}

static int peek(struct json *j, char c)
{
	ws(j);
	return j->p < j->end && *j->p == c;
}

static int num_array(struct json *j, uint64_t *v, uint32_t max, uint32_t *n)
{
	*n = 0;
	if (expect(j, '['))
		return -1;
	if (peek(j, ']')) {
		j->p++;
		return 0;
	}
	for (;;) {
		if (*n == max)
			return dcc_fail(j->err, "%s: bad safetensors header: more than %u numbers in a list",
					j->what, max);
		if (number(j, &v[(*n)++]))
			return -1;
		if (peek(j, ']')) {
			j->p++;
			return 0;
		}
		if (expect(j, ','))
			return -1;
	}
}

/* The __metadata__ object: string values only. */
static int skip_metadata(struct json *j)
{
	char s[1024];

	if (expect(j, '{'))
		return -1;
	if (peek(j, '}')) {
		j->p++;
		return 0;
	}
	for (;;) {
		if (string(j, s, sizeof(s)) || expect(j, ':') ||
		    string(j, s, sizeof(s)))
			return -1;
		if (peek(j, '}')) {
			j->p++;
			return 0;
		}
		if (expect(j, ','))
			return -1;
	}
}

static float half_to_float(uint16_t h, int bf16)
{
	uint32_t bits;
	float f;

	if (bf16) {
		bits = (uint32_t)h << 16;
	} else {
		uint32_t s = (uint32_t)(h >> 15) << 31, e = h >> 10 & 0x1f,
			 m = h & 0x3ff;

		if (e == 0 && m == 0) {
			bits = s;
		} else if (e == 0) {	/* subnormal */
			e = 127 - 15 + 1;
			while (!(m & 0x400)) {
				m <<= 1;
				e--;
			}
			bits = s | e << 23 | (m & 0x3ff) << 13;
		} else if (e == 31) {
			bits = s | 0xffu << 23 | m << 13;
		} else {
			bits = s | (e + 127 - 15) << 23 | m << 13;
		}
	}
	memcpy(&f, &bits, 4);
	return f;
}

static int one_tensor(struct json *j, const uint8_t *data, uint64_t data_len,
		      struct tensor *t)
{
	char key[32], dtype[16] = "";
	uint64_t offs[2] = { 0, 0 }, esize = 0;
	uint32_t noffs = 0, seen = 0;

	if (expect(j, '{'))
		return -1;
	for (;;) {
		if (string(j, key, sizeof(key)) || expect(j, ':'))
			return -1;
		if (!strcmp(key, "dtype")) {
			if (string(j, dtype, sizeof(dtype)))
				return -1;
			seen |= 1;
		} else if (!strcmp(key, "shape")) {
			if (num_array(j, t->shape, TENSOR_DIMS_MAX, &t->ndim))
				return -1;
			seen |= 2;
		} else if (!strcmp(key, "data_offsets")) {
			if (num_array(j, offs, 2, &noffs))
				return -1;
			seen |= 4;
		} else {
			return dcc_fail(j->err, "%s: bad safetensors header: tensor %s has unknown key \"%s\"",
					j->what, t->name, key);
		}
		if (peek(j, '}')) {
			j->p++;
			break;
		}
		if (expect(j, ','))
			return -1;
	}
	if (seen != 7 || noffs != 2)
		return dcc_fail(j->err, "%s: bad safetensors header: tensor %s needs dtype, shape and two data_offsets",
				j->what, t->name);
	if (!strcmp(dtype, "F32"))
		esize = 4;
	else if (!strcmp(dtype, "F64"))
		esize = 8;
	else if (!strcmp(dtype, "F16") || !strcmp(dtype, "BF16"))
		esize = 2;
	else if (!strcmp(dtype, "U8"))
		esize = 1;
	else
		return dcc_fail(j->err, "%s: tensor %s: dtype %s is not F32, F64, F16, BF16 or U8",
				j->what, t->name, dtype);
	t->count = 1;
	for (uint32_t a = 0; a < t->ndim; a++) {
		if (t->shape[a] == 0 || t->shape[a] > TENSOR_ELEMS_MAX ||
		    t->count * t->shape[a] > TENSOR_ELEMS_MAX)
			return dcc_fail(j->err, "%s: tensor %s: shape has an empty or huge dimension",
					j->what, t->name);
		t->count *= t->shape[a];
	}
	if (offs[1] < offs[0] || offs[1] > data_len ||
	    offs[1] - offs[0] != t->count * esize)
		return dcc_fail(j->err, "%s: tensor %s: data_offsets [%llu, %llu] do not match its shape and dtype, or pass the %llu data bytes",
				j->what, t->name, (unsigned long long)offs[0],
				(unsigned long long)offs[1],
				(unsigned long long)data_len);
	const uint8_t *d = data + offs[0];
	if (esize == 1) {
		t->type = TENSOR_U8;
		t->u8 = malloc(t->count);
		if (!t->u8)
			return dcc_fail(j->err, "out of memory");
		memcpy(t->u8, d, t->count);
		return 0;
	}
	t->type = TENSOR_F32;
	t->f = malloc(t->count * sizeof(float));
	if (!t->f)
		return dcc_fail(j->err, "out of memory");
	for (uint64_t k = 0; k < t->count; k++) {
		if (esize == 4) {
			memcpy(&t->f[k], d + 4 * k, 4);
		} else if (esize == 8) {
			double v;

			memcpy(&v, d + 8 * k, 8);
			t->f[k] = (float)v;
		} else {
			t->f[k] = half_to_float((uint16_t)(d[2 * k] | d[2 * k + 1] << 8),
						dtype[0] == 'B');
		}
	}
	return 0;
}

int safetensors_load_buffer(const uint8_t *buf, size_t len, const char *what,
			    struct tensor_set *ts, struct dcc_error *err)
{
	struct json j = { 0 };
	uint64_t hlen = 0;
	char name[TENSOR_NAME_MAX];

	memset(ts, 0, sizeof(*ts));
	if (len < 8)
		return dcc_fail(err, "%s: bad safetensors header: file of %zu bytes", what, len);
	for (int i = 7; i >= 0; i--)
		hlen = hlen << 8 | buf[i];
	if (hlen < 2 || hlen > len - 8 || hlen > (100u << 20))
		return dcc_fail(err, "%s: bad safetensors header: header length %llu in a %zu-byte file",
				what, (unsigned long long)hlen, len);
	j.p = (const char *)buf + 8;
	j.end = j.p + hlen;
	j.start = j.p;
	j.what = what;
	j.err = err;
	if (expect(&j, '{'))
		return -1;
	if (peek(&j, '}'))
		return dcc_fail(err, "%s: holds no tensors", what);
	for (;;) {
		if (string(&j, name, sizeof(name)) || expect(&j, ':'))
			goto fail;
		if (!strcmp(name, "__metadata__")) {
			if (skip_metadata(&j))
				goto fail;
		} else {
			struct tensor *t = realloc(ts->t, (ts->count + 1) * sizeof(*t));

			if (!t) {
				dcc_fail(err, "out of memory");
				goto fail;
			}
			ts->t = t;
			t = &ts->t[ts->count++];
			memset(t, 0, sizeof(*t));
			snprintf(t->name, sizeof(t->name), "%s", name);
			if (one_tensor(&j, buf + 8 + hlen, len - 8 - hlen, t))
				goto fail;
		}
		if (peek(&j, '}'))
			break;
		if (expect(&j, ','))
			goto fail;
	}
	if (ts->count == 0) {
		dcc_fail(err, "%s: holds no tensors", what);
		goto fail;
	}
	return 0;
fail:
	tensor_set_free(ts);
	return -1;
}

int safetensors_load(const char *path, struct tensor_set *ts,
		     struct dcc_error *err)
{
	uint8_t *buf;
	size_t len;
	int ret;

	if (read_whole_file(path, &buf, &len, err))
		return -1;
	ret = safetensors_load_buffer(buf, len, path, ts, err);
	free(buf);
	return ret;
}

int safetensors_save(const char *path, const struct tensor_set *ts,
		     struct dcc_error *err)
{
	char *hdr = NULL;
	size_t cap = 256 + ts->count * 256, n = 0;
	uint64_t off = 0, hlen;
	uint8_t len8[8];
	FILE *f;
	int ret = 0;

	hdr = malloc(cap);
	if (!hdr)
		return dcc_fail(err, "out of memory");
	n += (size_t)snprintf(hdr + n, cap - n, "{\"__metadata__\":{\"format\":\"dcc\"}");
	for (uint32_t i = 0; i < ts->count; i++) {
		const struct tensor *t = &ts->t[i];
		uint64_t bytes = t->count * (t->type == TENSOR_U8 ? 1 : 4);

		n += (size_t)snprintf(hdr + n, cap - n, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[",
				      t->name, t->type == TENSOR_U8 ? "U8" : "F32");
		for (uint32_t a = 0; a < t->ndim; a++)
			n += (size_t)snprintf(hdr + n, cap - n, "%s%llu", a ? "," : "",
					      (unsigned long long)t->shape[a]);
		n += (size_t)snprintf(hdr + n, cap - n, "],\"data_offsets\":[%llu,%llu]}",
				      (unsigned long long)off,
				      (unsigned long long)(off + bytes));
		off += bytes;
	}
	n += (size_t)snprintf(hdr + n, cap - n, "}");
	/* pad with spaces so the data starts 8-byte aligned */
	while ((n + 8) % 8 && n + 1 < cap)
		hdr[n++] = ' ';
	hlen = n;
	for (int i = 0; i < 8; i++)
		len8[i] = (uint8_t)(hlen >> (8 * i));
	f = fopen(path, "wb");
	if (!f) {
		free(hdr);
		return dcc_fail(err, "%s: cannot create", path);
	}
	fwrite(len8, 1, 8, f);
	fwrite(hdr, 1, n, f);
	for (uint32_t i = 0; i < ts->count; i++) {
		const struct tensor *t = &ts->t[i];

		if (t->type == TENSOR_U8)
			fwrite(t->u8, 1, t->count, f);
		else
			fwrite(t->f, sizeof(float), t->count, f);
	}
	if (ferror(f) | fclose(f))
		ret = dcc_fail(err, "%s: write failed", path);
	free(hdr);
	return ret;
}

const struct tensor *tensor_find(const struct tensor_set *ts, const char *name)
{
	for (uint32_t i = 0; i < ts->count; i++)
		if (!strcmp(ts->t[i].name, name))
			return &ts->t[i];
	return NULL;
}

void tensor_set_free(struct tensor_set *ts)
{
	for (uint32_t i = 0; i < ts->count; i++)
		tensor_free(&ts->t[i]);
	free(ts->t);
	memset(ts, 0, sizeof(*ts));
}
