// SPDX-License-Identifier: MIT
/*
 * .safetensors: an 8-byte little-endian header length, a JSON object
 * mapping tensor names to {"dtype", "shape", "data_offsets"} (plus an
 * optional "__metadata__" object of strings), then the data. The JSON is
 * parsed by json-c (strict, UTF-8 checked, nesting bounded); this file
 * checks that it has exactly that shape.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "tensor.h"

/* The header's nesting: object -> tensor object -> shape array. */
#define SAFETENSORS_JSON_DEPTH	4

/* A whole number >= 0 from the JSON, or -1 (with a message) when not one. */
static int json_count(json_object *v, const char *what, const char *tensor,
		      const char *key, uint64_t *out, struct dcc_error *err)
{
	int64_t i;

	if (!json_object_is_type(v, json_type_int) ||
	    (i = json_object_get_int64(v)) < 0)
		return dcc_fail(err, "%s: bad safetensors header: tensor %s: %s holds '%s', not a whole number",
				what, tensor, key, json_object_to_json_string(v));
	*out = i == INT64_MAX ? json_object_get_uint64(v) : (uint64_t)i;
	return 0;
}

/* A JSON array of at most max whole numbers into v; *n their count. */
static int json_counts(json_object *a, const char *what, const char *tensor,
		       const char *key, uint64_t *v, uint32_t max, uint32_t *n,
		       struct dcc_error *err)
{
	size_t len;

	if (!json_object_is_type(a, json_type_array))
		return dcc_fail(err, "%s: bad safetensors header: tensor %s: %s is not a list",
				what, tensor, key);
	len = json_object_array_length(a);
	if (len > max)
		return dcc_fail(err, "%s: bad safetensors header: tensor %s: %s has %zu numbers, more than %u",
				what, tensor, key, len, max);
	for (size_t k = 0; k < len; k++)
		if (json_count(json_object_array_get_idx(a, k), what, tensor, key,
			       &v[k], err))
			return -1;
	*n = (uint32_t)len;
	return 0;
}

/* The __metadata__ object: string values only; dcc's "dcc.net" kept. */
static int read_metadata(json_object *md, const char *what,
			 struct tensor_set *ts, struct dcc_error *err)
{
	if (!json_object_is_type(md, json_type_object))
		return dcc_fail(err, "%s: bad safetensors header: __metadata__ is not an object",
				what);
	json_object_object_foreach(md, key, val) {
		if (!json_object_is_type(val, json_type_string))
			return dcc_fail(err, "%s: bad safetensors header: __metadata__ \"%s\" is not a string",
					what, key);
		if (strcmp(key, "dcc.net"))
			continue;
		if ((size_t)json_object_get_string_len(val) >= sizeof(ts->net))
			return dcc_fail(err, "%s: __metadata__ \"dcc.net\" of %d bytes, at most %zu",
					what, json_object_get_string_len(val),
					sizeof(ts->net) - 1);
		strcpy(ts->net, json_object_get_string(val));
	}
	return 0;
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

static int one_tensor(json_object *obj, const char *what, const uint8_t *data,
		      uint64_t data_len, struct tensor *t, struct dcc_error *err)
{
	const char *dtype = NULL;
	uint64_t offs[2] = { 0, 0 }, esize = 0;
	uint32_t noffs = 0, seen = 0;

	if (!json_object_is_type(obj, json_type_object))
		return dcc_fail(err, "%s: bad safetensors header: tensor %s is not an object",
				what, t->name);
	json_object_object_foreach(obj, key, val) {
		if (!strcmp(key, "dtype")) {
			if (!json_object_is_type(val, json_type_string))
				return dcc_fail(err, "%s: bad safetensors header: tensor %s: dtype is not a string",
						what, t->name);
			dtype = json_object_get_string(val);
			seen |= 1;
		} else if (!strcmp(key, "shape")) {
			if (json_counts(val, what, t->name, key, t->shape,
					TENSOR_DIMS_MAX, &t->ndim, err))
				return -1;
			seen |= 2;
		} else if (!strcmp(key, "data_offsets")) {
			if (json_counts(val, what, t->name, key, offs, 2, &noffs, err))
				return -1;
			seen |= 4;
		} else {
			return dcc_fail(err, "%s: bad safetensors header: tensor %s has unknown key \"%s\"",
					what, t->name, key);
		}
	}
	if (seen != 7 || noffs != 2)
		return dcc_fail(err, "%s: bad safetensors header: tensor %s needs dtype, shape and two data_offsets",
				what, t->name);
	if (!strcmp(dtype, "F32"))
		esize = 4;
	else if (!strcmp(dtype, "F64"))
		esize = 8;
	else if (!strcmp(dtype, "F16") || !strcmp(dtype, "BF16"))
		esize = 2;
	else if (!strcmp(dtype, "U8"))
		esize = 1;
	else
		return dcc_fail(err, "%s: tensor %s: dtype %s is not F32, F64, F16, BF16 or U8",
				what, t->name, dtype);
	t->count = 1;
	for (uint32_t a = 0; a < t->ndim; a++) {
		if (t->shape[a] == 0 || t->shape[a] > TENSOR_ELEMS_MAX ||
		    t->count * t->shape[a] > TENSOR_ELEMS_MAX)
			return dcc_fail(err, "%s: tensor %s: shape has an empty or huge dimension",
					what, t->name);
		t->count *= t->shape[a];
	}
	if (offs[1] < offs[0] || offs[1] > data_len ||
	    offs[1] - offs[0] != t->count * esize)
		return dcc_fail(err, "%s: tensor %s: data_offsets [%llu, %llu] do not match its shape and dtype, or pass the %llu data bytes",
				what, t->name, (unsigned long long)offs[0],
				(unsigned long long)offs[1],
				(unsigned long long)data_len);
	const uint8_t *d = data + offs[0];
	if (esize == 1) {
		t->type = TENSOR_U8;
		t->u8 = malloc(t->count);
		if (!t->u8)
			return dcc_fail(err, "out of memory");
		memcpy(t->u8, d, t->count);
		return 0;
	}
	t->type = TENSOR_F32;
	t->f = malloc(t->count * sizeof(float));
	if (!t->f)
		return dcc_fail(err, "out of memory");
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
	json_tokener *tok;
	json_object *root = NULL;
	enum json_tokener_error je;
	const char *hdr;
	uint64_t hlen = 0;
	size_t end;
	int ret = -1;

	memset(ts, 0, sizeof(*ts));
	if (len < 8)
		return dcc_fail(err, "%s: bad safetensors header: file of %zu bytes", what, len);
	for (int i = 7; i >= 0; i--)
		hlen = hlen << 8 | buf[i];
	if (hlen < 2 || hlen > len - 8 || hlen > (100u << 20))
		return dcc_fail(err, "%s: bad safetensors header: header length %llu in a %zu-byte file",
				what, (unsigned long long)hlen, len);
	hdr = (const char *)buf + 8;
	tok = json_tokener_new_ex(SAFETENSORS_JSON_DEPTH);
	if (!tok)
		return dcc_fail(err, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, hdr, (int)hlen);
	je = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!root) {
		if (je == json_tokener_continue)
			dcc_fail(err, "%s: bad safetensors header: the JSON ends early (at byte %llu)",
				 what, (unsigned long long)hlen + 8);
		else
			dcc_fail(err, "%s: bad safetensors header: %s at byte %zu", what,
				 json_tokener_error_desc(je), end + 8);
		goto out;
	}
	/* what follows the object is padding: spaces only */
	while (end < hlen && (hdr[end] == ' ' || hdr[end] == '\t' ||
			      hdr[end] == '\n' || hdr[end] == '\r'))
		end++;
	if (end < hlen) {
		dcc_fail(err, "%s: bad safetensors header: bytes after the JSON object at byte %zu",
			 what, end + 8);
		goto out;
	}
	if (!json_object_is_type(root, json_type_object)) {
		dcc_fail(err, "%s: bad safetensors header: not a JSON object", what);
		goto out;
	}
	json_object_object_foreach(root, name, val) {
		struct tensor *t;

		if (!strcmp(name, "__metadata__")) {
			if (read_metadata(val, what, ts, err))
				goto out;
			continue;
		}
		if (strlen(name) >= TENSOR_NAME_MAX) {
			dcc_fail(err, "%s: bad safetensors header: tensor name of %zu bytes, more than %u",
				 what, strlen(name), TENSOR_NAME_MAX - 1);
			goto out;
		}
		t = realloc(ts->t, (ts->count + 1) * sizeof(*t));
		if (!t) {
			dcc_fail(err, "out of memory");
			goto out;
		}
		ts->t = t;
		t = &ts->t[ts->count++];
		memset(t, 0, sizeof(*t));
		snprintf(t->name, sizeof(t->name), "%s", name);
		if (one_tensor(val, what, buf + 8 + hlen, len - 8 - hlen, t, err))
			goto out;
	}
	if (ts->count == 0) {
		dcc_fail(err, "%s: holds no tensors", what);
		goto out;
	}
	ret = 0;
out:
	if (ret)
		tensor_set_free(ts);
	json_object_put(root);
	json_tokener_free(tok);
	return ret;
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
	size_t cap = 1024 + ts->count * 256, n = 0;
	uint64_t off = 0, hlen;
	uint8_t len8[8];
	FILE *f;
	int ret = 0;

	hdr = malloc(cap);
	if (!hdr)
		return dcc_fail(err, "out of memory");
	n += (size_t)snprintf(hdr + n, cap - n, "{\"__metadata__\":{\"format\":\"dcc\"");
	if (ts->net[0]) {
		/* a description has no character JSON would escape (net_build) */
		if (strpbrk(ts->net, "\"\\") || strlen(ts->net) + 64 > cap - n) {
			free(hdr);
			return dcc_fail(err, "%s: network description not storable", path);
		}
		n += (size_t)snprintf(hdr + n, cap - n, ",\"dcc.net\":\"%s\"", ts->net);
	}
	n += (size_t)snprintf(hdr + n, cap - n, "}");
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
