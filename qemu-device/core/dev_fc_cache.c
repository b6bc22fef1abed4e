// SPDX-License-Identifier: MIT
/*
 * The cache of decoded FC layers (dev_fc_cache.h): a handful of slots,
 * looked up by key and checked against the bytes just read, least
 * recently used out first.
 */
#include <stdlib.h>
#include <string.h>

#include "dev_fc_cache.h"

void dcdev_fc_cache_init(struct dcdev_fc_cache *c)
{
	memset(c, 0, sizeof(*c));
}

void dcdev_fc_layer_free(struct dcdev_fc_layer *l)
{
	if (!l)
		return;
	free(l->raw);
	free(l->decoded_buf);
	free(l->table_buf);
	free(l);
}

static void drop(struct dcdev_fc_cache *c, unsigned int i)
{
	c->bytes -= c->slot[i]->bytes;
	dcdev_fc_layer_free(c->slot[i]);
	c->slot[i] = NULL;
}

void dcdev_fc_cache_clear(struct dcdev_fc_cache *c)
{
	for (unsigned int i = 0; i < DCDEV_FC_CACHE_SLOTS; i++)
		if (c->slot[i])
			drop(c, i);
	for (unsigned int i = 0; i < DCDEV_WS_COUNT; i++) {
		free(c->ws[i]);
		c->ws[i] = NULL;
		c->ws_size[i] = 0;
	}
}

void *dcdev_fc_cache_ws(struct dcdev_fc_cache *c, unsigned int which,
			size_t size)
{
	if (c->ws_size[which] < size) {
		free(c->ws[which]);
		c->ws[which] = malloc(size ? size : 1);
		c->ws_size[which] = c->ws[which] ? size : 0;
	}
	return c->ws[which];
}

static bool same_key(const struct dcdev_fc_key *a,
		     const struct dcdev_fc_key *b)
{
	return a->ctx == b->ctx && a->colptr_va == b->colptr_va &&
	       a->entries_va == b->entries_va && a->rows == b->rows &&
	       a->cols == b->cols && a->pes == b->pes &&
	       a->codebook_len == b->codebook_len &&
	       a->entry_count == b->entry_count && a->wbits == b->wbits &&
	       a->zbits == b->zbits;
}

struct dcdev_fc_layer *dcdev_fc_cache_find(struct dcdev_fc_cache *c,
					   const struct dcdev_fc_key *k,
					   const uint8_t *raw, size_t len)
{
	for (unsigned int i = 0; i < DCDEV_FC_CACHE_SLOTS; i++) {
		struct dcdev_fc_layer *l = c->slot[i];

		if (!l || !same_key(&l->key, k))
			continue;
		if (l->raw_len != len || memcmp(l->raw, raw, len)) {
			/* the guest rewrote the streams: rebuild */
			drop(c, i);
			break;
		}
		l->last_use = ++c->clock;
		c->hits++;
		return l;
	}
	c->misses++;
	return NULL;
}

bool dcdev_fc_cache_put(struct dcdev_fc_cache *c, struct dcdev_fc_layer *l)
{
	unsigned int i, free_slot;

	if (l->bytes > DCDEV_FC_CACHE_BYTES / 2) {
		dcdev_fc_layer_free(l);
		return false;
	}
	for (i = 0; i < DCDEV_FC_CACHE_SLOTS; i++)
		if (c->slot[i] && same_key(&c->slot[i]->key, &l->key))
			drop(c, i);
	for (;;) {
		unsigned int lru = DCDEV_FC_CACHE_SLOTS;

		free_slot = DCDEV_FC_CACHE_SLOTS;
		for (i = 0; i < DCDEV_FC_CACHE_SLOTS; i++) {
			if (!c->slot[i]) {
				free_slot = i;
				continue;
			}
			if (lru == DCDEV_FC_CACHE_SLOTS ||
			    c->slot[i]->last_use < c->slot[lru]->last_use)
				lru = i;
		}
		if (free_slot < DCDEV_FC_CACHE_SLOTS &&
		    c->bytes + l->bytes <= DCDEV_FC_CACHE_BYTES)
			break;
		drop(c, lru);	/* there is one: l alone fits */
	}
	l->last_use = ++c->clock;
	c->slot[free_slot] = l;
	c->bytes += l->bytes;
	return true;
}
