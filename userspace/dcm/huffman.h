/* SPDX-License-Identifier: MIT */
/*
 * Canonical Huffman codes over small alphabets (at most 256 symbols), as
 * the .dcm file stores its codebook-index and relative-index streams: only
 * the code length of each symbol is stored, the codes follow from them.
 */
#ifndef DCM_HUFFMAN_H
#define DCM_HUFFMAN_H

#include <stddef.h>
#include <stdint.h>

#define HUFF_SYMBOLS_MAX	256
#define HUFF_LEN_MAX		24	/* longest code the coder makes or takes */

struct huff_code {
	unsigned int nsym;
	uint8_t len[HUFF_SYMBOLS_MAX];	/* 0: symbol unused */
	uint32_t code[HUFF_SYMBOLS_MAX];
	/* decode tables: per length, first code, count and first symbol slot */
	uint32_t first[HUFF_LEN_MAX + 2];
	uint32_t count[HUFF_LEN_MAX + 2];
	uint32_t offset[HUFF_LEN_MAX + 2];
	uint8_t sorted[HUFF_SYMBOLS_MAX];
};

/*
 * Code lengths for freq[0..nsym-1], none longer than HUFF_LEN_MAX. A single
 * used symbol gets a 1-bit code so that every symbol costs a bit.
 */
void huff_lengths(const uint64_t *freq, unsigned int nsym, uint8_t *len);

/*
 * Build the canonical codes from lengths. Returns 0, or -1 when the lengths
 * are not a prefix code (longer than HUFF_LEN_MAX, or over-full).
 */
int huff_build(struct huff_code *h, const uint8_t *len, unsigned int nsym);

/* Bits the symbols with these frequencies take with these lengths. */
uint64_t huff_cost(const uint64_t *freq, const uint8_t *len, unsigned int nsym);

/* An MSB-first bit stream over a caller's buffer. */
struct bitbuf {
	uint8_t *buf;		/* writer: grown with realloc */
	const uint8_t *in;	/* reader */
	size_t cap, bytes;
	uint64_t pos;		/* bits written or read */
	int oom;
};

void bit_put(struct bitbuf *b, uint32_t code, unsigned int len);

/* Read one symbol; returns it, or -1 past the end or on an unused code. */
int huff_get(const struct huff_code *h, struct bitbuf *b);

#endif /* DCM_HUFFMAN_H */
