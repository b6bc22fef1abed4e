// SPDX-License-Identifier: MIT
/*
 * SGD with momentum (m = mu m + g; p -= lr m) or Adam (Kingma and Ba:
 * bias-corrected first and second moments, eps 1e-8).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optim.h"

void optim_init(struct optim *o, bool adam, float momentum)
{
	memset(o, 0, sizeof(*o));
	o->adam = adam;
	o->momentum = momentum;
	o->b1 = 0.9f;
	o->b2 = 0.999f;
}

int optim_add(struct optim *o, struct param *p, float fixed_lr)
{
	struct optim_slot *s;

	if (o->count == OPTIM_SLOTS_MAX)
		return -1;
	s = &o->slot[o->count];
	s->p = p;
	s->fixed_lr = fixed_lr;
	s->m = calloc(p->n ? p->n : 1, sizeof(float));
	s->v = calloc(p->n ? p->n : 1, sizeof(float));
	if (!s->m || !s->v) {
		free(s->m);
		free(s->v);
		return -1;
	}
	o->count++;
	return 0;
}

void optim_step(struct optim *o, float lr)
{
	float c1, c2;

	o->step++;
	c1 = 1 - powf(o->b1, (float)o->step);
	c2 = 1 - powf(o->b2, (float)o->step);
	for (uint32_t i = 0; i < o->count; i++) {
		struct optim_slot *s = &o->slot[i];
		float r = s->fixed_lr > 0 ? s->fixed_lr : lr;
		float *p = s->p->v;
		const float *g = s->p->g;

		if (o->adam) {
			for (size_t k = 0; k < s->p->n; k++) {
				s->m[k] = o->b1 * s->m[k] + (1 - o->b1) * g[k];
				s->v[k] = o->b2 * s->v[k] + (1 - o->b2) * g[k] * g[k];
				p[k] -= r * (s->m[k] / c1) / (sqrtf(s->v[k] / c2) + 1e-8f);
			}
		} else {
			for (size_t k = 0; k < s->p->n; k++) {
				s->m[k] = o->momentum * s->m[k] + g[k];
				p[k] -= r * s->m[k];
			}
		}
	}
}

void optim_free(struct optim *o)
{
	for (uint32_t i = 0; i < o->count; i++) {
		free(o->slot[i].m);
		free(o->slot[i].v);
	}
	o->count = 0;
}
