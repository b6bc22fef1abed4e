/* SPDX-License-Identifier: MIT */
/*
 * The device's cache of decoded FC layers. Decoding a layer's streams
 * (validation, the decoded form that eie_run_decoded() runs, the cycle
 * table) costs a pass over every entry; a model runs the same layers job
 * after job, so the device keeps what it built, keyed by context, stream
 * VAs and shape. The guest may rewrite its memory at any time without
 * telling the device, so a cached layer is used only when the column
 * pointers and entries the op has just copied are byte for byte those it
 * was built from: what runs is always what the op read. One cache per
 * device, used by its one worker only: no locking.
 */
#ifndef DCDEV_FC_CACHE_H
#define DCDEV_FC_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "../datapath/eie.h"

/* Layers kept, and bytes they may take together (raw copy and forms). */
#define DCDEV_FC_CACHE_SLOTS	16
#define DCDEV_FC_CACHE_BYTES	(96u << 20)

/* What a layer's streams are looked up by (besides their bytes). */
struct dcdev_fc_key {
	uint32_t ctx;
	uint64_t colptr_va, entries_va;
	uint32_t rows, cols, pes, codebook_len, entry_count;
	uint8_t wbits, zbits;
};

/* A validated layer's streams in the forms the device runs. */
struct dcdev_fc_layer {
	struct dcdev_fc_key key;
	uint8_t *raw;		/* column pointers (guest order), entries */
	size_t raw_len;
	void *decoded_buf;
	struct eie_decoded decoded;	/* .layer is set per op */
	void *table_buf;
	struct eie_cycle_table table;
	size_t bytes;		/* all of the above */
	uint64_t last_use;
};

/* The workspaces an FC op runs with, kept from op to op. */
enum { DCDEV_WS_RUN, DCDEV_WS_CYCLES, DCDEV_WS_COUNT };

struct dcdev_fc_cache {
	struct dcdev_fc_layer *slot[DCDEV_FC_CACHE_SLOTS];
	size_t bytes;
	uint64_t clock;
	uint64_t hits, misses;	/* for the tests and the trace */
	void *ws[DCDEV_WS_COUNT];
	size_t ws_size[DCDEV_WS_COUNT];
};

/* An empty cache; dcdev_fc_cache_clear() frees what it holds. */
void dcdev_fc_cache_init(struct dcdev_fc_cache *c);
void dcdev_fc_cache_clear(struct dcdev_fc_cache *c);

/* The cached layer for k built from exactly raw[0, len), or NULL. */
struct dcdev_fc_layer *dcdev_fc_cache_find(struct dcdev_fc_cache *c,
					   const struct dcdev_fc_key *k,
					   const uint8_t *raw, size_t len);

/*
 * Keep l (its key, raw copy and forms filled in): the cache owns it then,
 * replacing a layer of the same key and evicting the least recently used
 * ones as needed. A layer too large to keep is freed at once: false.
 */
bool dcdev_fc_cache_put(struct dcdev_fc_cache *c, struct dcdev_fc_layer *l);

/*
 * Workspace `which` (DCDEV_WS_*) of at least size bytes, 8-byte aligned,
 * or NULL when out of memory: the cache owns it, and the next call for
 * the same one may move it. Spares an op a large malloc() and its page
 * faults.
 */
void *dcdev_fc_cache_ws(struct dcdev_fc_cache *c, unsigned int which,
			size_t size);

/* Free a layer that is not in a cache. */
void dcdev_fc_layer_free(struct dcdev_fc_layer *l);

#endif
