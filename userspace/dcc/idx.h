/* SPDX-License-Identifier: MIT */
/* IDX files (the MNIST family's format), plain or gzip-compressed. */
#ifndef DCC_IDX_H
#define DCC_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "dcc_error.h"

/* A labelled image set, pixels scaled to [0, 1]. */
struct dataset {
	uint32_t count, dim;	/* images, pixels per image */
	float *x;		/* count x dim */
	uint8_t *y;		/* count labels */
};

/*
 * Read an IDX file of unsigned bytes with `want_dims` dimensions (3 for
 * images, 1 for labels), at most `limit` items (0: all). Returns 0 or -1
 * with err naming the file and what is wrong with it.
 */
int idx_read(const char *path, unsigned int want_dims, uint32_t limit,
	     uint32_t dims[3], uint8_t **data, struct dcc_error *err);

/* The same over a file's bytes in memory (path only names it in errors). */
int idx_parse(const uint8_t *buf, size_t len, const char *path,
	      unsigned int want_dims, uint32_t limit, uint32_t dims[3],
	      uint8_t **data, struct dcc_error *err);

/* images + labels -> dataset; checks that the counts agree. */
int dataset_load(const char *images, const char *labels, uint32_t limit,
		 struct dataset *ds, struct dcc_error *err);

/* Fashion-MNIST "train" or "t10k" from a directory of IDX files (.gz or not). */
int dataset_load_dir(const char *dir, const char *split, uint32_t limit,
		     struct dataset *ds, struct dcc_error *err);

void dataset_free(struct dataset *ds);

#endif /* DCC_IDX_H */
