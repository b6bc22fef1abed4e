// SPDX-License-Identifier: MIT
/*
 * Canonical Huffman coding. Lengths come from a plain O(n^2) merge (the
 * alphabets are at most 256 symbols); when a length passes HUFF_LEN_MAX the
 * frequencies are flattened and the merge is redone, which only ever
 * happens for absurdly skewed counts.
 */
#include <stdlib.h>
#include <string.h>

#include "huffman.h"

static void merge_lengths(const uint64_t *freq, unsigned int nsym,
			  uint8_t *len)
{
	uint64_t w[2 * HUFF_SYMBOLS_MAX];
	int parent[2 * HUFF_SYMBOLS_MAX];
	int alive[2 * HUFF_SYMBOLS_MAX];
	unsigned int nodes = nsym, used = 0;

	for (unsigned int s = 0; s < nsym; s++) {
		w[s] = freq[s];
		parent[s] = -1;
		alive[s] = freq[s] > 0;
		used += alive[s];
		len[s] = 0;
	}
	if (used == 0)
		return;
	if (used == 1) {
		for (unsigned int s = 0; s < nsym; s++)
			if (alive[s])
				len[s] = 1;
		return;
	}
	for (unsigned int left = used; left > 1; left--) {
		int a = -1, b = -1;

		for (unsigned int i = 0; i < nodes; i++) {
			if (!alive[i])
				continue;
			if (a < 0 || w[i] < w[a]) {
				b = a;
				a = (int)i;
			} else if (b < 0 || w[i] < w[b]) {
				b = (int)i;
			}
		}
		w[nodes] = w[a] + w[b];
		parent[nodes] = -1;
		alive[nodes] = 1;
		alive[a] = alive[b] = 0;
		parent[a] = parent[b] = (int)nodes;
		nodes++;
	}
	for (unsigned int s = 0; s < nsym; s++) {
		unsigned int d = 0;

		if (freq[s] == 0)
			continue;
		for (int n = parent[s]; n >= 0; n = parent[n])
			d++;
		len[s] = (uint8_t)(d > 255 ? 255 : d);
	}
}

void huff_lengths(const uint64_t *freq, unsigned int nsym, uint8_t *len)
{
	uint64_t f[HUFF_SYMBOLS_MAX];
	int too_long;

	memcpy(f, freq, nsym * sizeof(*f));
	do {
		merge_lengths(f, nsym, len);
		too_long = 0;
		for (unsigned int s = 0; s < nsym; s++)
			too_long |= len[s] > HUFF_LEN_MAX;
		for (unsigned int s = 0; too_long && s < nsym; s++)
			if (f[s])
				f[s] = f[s] / 2 + 1;
	} while (too_long);
}

int huff_build(struct huff_code *h, const uint8_t *len, unsigned int nsym)
{
	uint32_t code = 0;
	uint64_t kraft = 0;
	unsigned int slot = 0;

	if (nsym == 0 || nsym > HUFF_SYMBOLS_MAX)
		return -1;
	memset(h, 0, sizeof(*h));
	h->nsym = nsym;
	for (unsigned int s = 0; s < nsym; s++) {
		if (len[s] > HUFF_LEN_MAX)
			return -1;
		h->len[s] = len[s];
		if (len[s]) {
			h->count[len[s]]++;
			kraft += 1ull << (HUFF_LEN_MAX - len[s]);
		}
	}
	if (kraft > (1ull << HUFF_LEN_MAX))
		return -1;
	for (unsigned int l = 1; l <= HUFF_LEN_MAX; l++) {
		h->first[l] = code;
		h->offset[l] = slot;
		for (unsigned int s = 0; s < nsym; s++) {
			if (h->len[s] != l)
				continue;
			h->code[s] = code++;
			h->sorted[slot++] = (uint8_t)s;
		}
		code <<= 1;
	}
	return 0;
}

uint64_t huff_cost(const uint64_t *freq, const uint8_t *len, unsigned int nsym)
{
	uint64_t bits = 0;

	for (unsigned int s = 0; s < nsym; s++)
		bits += freq[s] * len[s];
	return bits;
}

void bit_put(struct bitbuf *b, uint32_t code, unsigned int len)
{
	for (unsigned int i = len; i-- > 0;) {
		size_t byte = (size_t)(b->pos >> 3);

		if (byte >= b->cap) {
			size_t cap = b->cap ? 2 * b->cap : 256;
			uint8_t *p = realloc(b->buf, cap);

			if (!p) {
				b->oom = 1;
				return;
			}
			memset(p + b->cap, 0, cap - b->cap);
			b->buf = p;
			b->cap = cap;
		}
		if (code >> i & 1)
			b->buf[byte] |= (uint8_t)(0x80u >> (b->pos & 7));
		b->pos++;
	}
	b->bytes = (size_t)((b->pos + 7) >> 3);
}

int huff_get(const struct huff_code *h, struct bitbuf *b)
{
	uint32_t code = 0;

	for (unsigned int l = 1; l <= HUFF_LEN_MAX; l++) {
		if (b->pos >= (uint64_t)b->bytes * 8)
			return -1;
		code = code << 1 |
		       (uint32_t)(b->in[b->pos >> 3] >> (7 - (b->pos & 7)) & 1);
		b->pos++;
		if (code - h->first[l] < h->count[l] && code >= h->first[l])
			return h->sorted[h->offset[l] + code - h->first[l]];
	}
	return -1;
}
