// SPDX-License-Identifier: MIT
/*
 * eie_run_decoded_team() against eie_run_decoded(): a batch split by
 * vectors, one vector by the rows form's chunks or the column form's
 * columns, on POSIX threads and on a team that runs its parts one after
 * another in reverse; every output and counter the same.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eie_fixture.h"
#include "eie_threads.h"
#include "tap.h"

/* A team without threads: the parts in reverse order, counted. */
struct serial {
	unsigned int runs;
};

static void run_reversed(void *opaque, void (*fn)(void *arg, uint32_t part),
			 void *arg, uint32_t n)
{
	struct serial *s = opaque;

	s->runs++;
	for (uint32_t p = n; p-- > 0;)
		fn(arg, p);
}

struct decoded {
	void *buf, *rows;
	struct eie_decoded d;
};

static int decode(const struct eie_layer *l, struct decoded *dd)
{
	dd->buf = calloc(1, eie_decoded_size(l));
	dd->rows = calloc(1, eie_decoded_rows_size(l) + 1);
	if (!dd->buf || !dd->rows)
		return -ENOMEM;
	eie_decode_layer(l, dd->buf, &dd->d);
	eie_decode_rows(&dd->d, dd->rows);
	return 0;
}

static void undecode(struct decoded *dd)
{
	free(dd->buf);
	free(dd->rows);
}

/* Run through team (NULL: one thread); -ENOMEM or what the run returns. */
static int run_team(const struct eie_decoded *d, uint32_t batch,
		    const int16_t *in, int16_t *out, struct eie_stats *st,
		    const struct eie_team *team, const struct eie_poll *poll)
{
	void *ws = calloc(1, eie_run_team_ws_size(d->layer,
						  team ? team->parts : 1));
	int ret = ws ? eie_run_decoded_team(d, batch, in, out, ws, st, poll,
					    team) : -ENOMEM;

	free(ws);
	return ret;
}

static void team_matches_one_thread(void)
{
	static const uint32_t batches[] = { 1, 1, 1, 2, 3, 33, 70 };
	static const uint32_t parts[] = { 2, 3, 4, 7 };
	static const enum eie_form forms[] = { EIE_FORM_AUTO, EIE_FORM_ROWS,
					       EIE_FORM_COLUMNS };
	struct rng r = { 6060 };
	unsigned int bad = 0;

	for (int iter = 0; iter < 120; iter++) {
		const int mode = iter % 4;
		struct fixture f = fixture_random_format(&r, 150, 300,
						 (uint32_t)rng_range(&r, 1, 16), 6);
		const uint32_t batch = batches[rng_range(&r, 0, 6)];
		const size_t nout = (size_t)batch * f.rows;
		struct serial serial = { 0 };
		struct eie_team threads, reversed = {
			.parts = parts[rng_range(&r, 0, 3)], .run = run_reversed,
			.opaque = &serial, .min_work = 1,
		};
		int16_t *in, *want, *got;
		struct decoded dd = { 0 };

		/* most layers with a rows form, some too wide for one */
		if (rng_chance(&r, 0.8) && f.cols > 1u << 16 >> f.wbits)
			f.cols = 1u << 16 >> f.wbits;
		fixture_alloc_magnitude(&f, &r, mode);
		eie_threads_team(&threads, reversed.parts);
		threads.min_work = 1;
		in = calloc((size_t)batch * f.cols, sizeof(*in));
		want = calloc(nout, sizeof(*want));
		got = calloc(nout, sizeof(*got));
		for (size_t k = 0; in && k < (size_t)batch * f.cols; k++)
			in[k] = rng_chance(&r, mode == 3 ? 0.9 : 0.5) ?
				fixture_magnitude(&r, mode, 7) : 0;
		if (fixture_encode(&f) || !in || !want || !got || decode(&f.l, &dd)) {
			bad++;
			goto next;
		}
		for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
			const struct eie_team *teams[] = { &threads, &reversed };
			struct eie_stats sw = { 0 };

			eie_set_form(forms[i]);
			if (run_team(&dd.d, batch, in, want, &sw, NULL, NULL))
				bad++;
			for (int t = 0; t < 2; t++) {
				struct eie_stats st = { 0 };

				memset(got, 0x55, nout * sizeof(*got));
				if (!run_team(&dd.d, batch, in, got, &st,
					      teams[t], NULL) &&
				    !memcmp(want, got, nout * sizeof(*got)) &&
				    !memcmp(&sw, &st, sizeof(sw)))
					continue;
				DIAG("layer %d: %ux%u w%u batch %u form %d: %u parts (%s) differ",
				     iter, f.rows, f.cols, f.wbits, batch,
				     forms[i], teams[t]->parts,
				     t ? "in reverse" : "threads");
				bad++;
			}
		}
		eie_set_form(EIE_FORM_AUTO);
next:
		undecode(&dd);
		free(in);
		free(want);
		free(got);
		fixture_free(&f);
	}
	CHECK_EQ(bad, 0);
}

/* Below the work threshold the caller's thread runs it all. */
static void small_work_runs_alone(void)
{
	struct fixture f;
	struct serial serial = { 0 };
	struct eie_team team = { .parts = 4, .run = run_reversed,
				 .opaque = &serial };
	struct decoded dd = { 0 };
	int16_t *in = fixture_random_input(3, 64 * 200), out[64 * 100];

	fixture_random_layer(&f, 3, 100, 200, 8, 4, 4, true);
	CHECK_EQ(decode(&f.l, &dd), 0);
	CHECK_EQ(run_team(&dd.d, 64, in, out, NULL, &team, NULL), 0);
	CHECK_EQ(serial.runs, 0);
	team.min_work = 1;
	CHECK_EQ(run_team(&dd.d, 64, in, out, NULL, &team, NULL), 0);
	CHECK_EQ(serial.runs, 1);
	undecode(&dd);
	free(in);
	fixture_free(&f);
}

static bool stop_now(void *opaque)
{
	(void)opaque;
	return true;
}

/* A reset stops a team run: -ECANCELED, whichever way it is split. */
static void team_stops_when_polled(void)
{
	struct fixture f;
	struct serial serial = { 0 };
	struct eie_team team = { .parts = 2, .run = run_reversed,
				 .opaque = &serial, .min_work = 1 };
	struct eie_poll poll = { stop_now, NULL };
	struct decoded dd = { 0 };
	int16_t *in = fixture_random_input(4, 4 * 300), out[4 * 100];

	fixture_random_layer(&f, 4, 100, 300, 8, 4, 4, false);
	CHECK_EQ(decode(&f.l, &dd), 0);
	CHECK_EQ(run_team(&dd.d, 4, in, out, NULL, &team, &poll), -ECANCELED);
	CHECK_EQ(run_team(&dd.d, 1, in, out, NULL, &team, &poll), -ECANCELED);
	undecode(&dd);
	free(in);
	fixture_free(&f);
}

/* Batch 0 does nothing, as eie_run(): no input read, no output written. */
static void empty_batch_does_nothing(void)
{
	struct fixture f;
	struct eie_team team;
	struct eie_stats st = { 0 };
	struct decoded dd = { 0 };
	int16_t out[16];

	fixture_random_layer(&f, 5, 16, 64, 4, 4, 4, true);
	CHECK_EQ(decode(&f.l, &dd), 0);
	eie_threads_team(&team, 2);
	team.min_work = 1;
	memset(out, 0x55, sizeof(out));
	CHECK_EQ(run_team(&dd.d, 0, NULL, out, &st, &team, NULL), 0);
	CHECK_EQ(run_team(&dd.d, 0, NULL, out, &st, NULL, NULL), 0);
	CHECK_EQ(out[0], 0x5555);
	CHECK_EQ(st.nonzero_acts + st.entries + st.macs, 0);
	undecode(&dd);
	fixture_free(&f);
}

static const struct tap_test tests[] = {
	TAP_TEST(team_matches_one_thread),
	TAP_TEST(small_work_runs_alone),
	TAP_TEST(team_stops_when_polled),
	TAP_TEST(empty_batch_does_nothing),
};

TAP_MAIN(tests)
