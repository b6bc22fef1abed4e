// SPDX-License-Identifier: MIT
/*
 * dcc sweep: the quality metric and the Pareto front on constructed
 * points; a small real sweep over every method (a narrow MLP on a slice
 * of Fashion-MNIST) whose CSV holds one row per grid point, which resumes
 * without redoing a point, and which redoes exactly the one point whose
 * row was lost, with the same figures; bad grids refused.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "run_tool.h"
#include "../../userspace/dcc/quality.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_quality_metric(void)
{
	CHECK(fabs(quality_metric(64, 0, 1) - 6) < 1e-12);
	CHECK(fabs(quality_metric(64, 0.5, 1) - 5.5) < 1e-12);
	CHECK(fabs(quality_metric(64, 0.5, 2) - 5) < 1e-12);
	CHECK(fabs(quality_metric(64, -1, 1) - 6) < 1e-12);	/* no credit for noise */
	CHECK(quality_metric(0, 0, 1) == -INFINITY);
	/* a doubling is worth 1/lambda points */
	CHECK(fabs(quality_metric(128, 1, 1) - quality_metric(64, 0, 1)) < 1e-12);
}

/* The best is the highest Q among the points within the accuracy budget. */
static void test_quality_best(void)
{
	const double q[] = { 5, 7, 6, 6 };
	const double drop[] = { 0.1, 2.0, 0.4, 0.3 };

	CHECK_EQ(quality_best(q, drop, 4, 0.5), 2);	/* ties: the first */
	CHECK_EQ(quality_best(q, drop, 4, 3), 1);
	CHECK_EQ(quality_best(q, drop, 4, 0.35), 3);
	CHECK_EQ(quality_best(q, drop, 4, 0.05), 4);	/* none */
	CHECK_EQ(quality_best(q, drop, 0, 0.5), 0);
}

static void test_pareto_front(void)
{
	const double rate[] = { 10, 20, 20, 40, 30, 5 };
	const double acc[] = { 90, 89, 88, 85, 84, 90 };
	bool on[6];

	pareto_front(rate, acc, 6, on);
	CHECK(on[0] && on[1] && !on[2] && on[3] && !on[4] && !on[5]);
	pareto_front(rate, acc, 1, on);
	CHECK(on[0]);
}

/* Rows of a CSV other than its header; the text of row k in row. */
static int csv_rows(const char *path, int k, char *row, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int n = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (n == k && row)
			snprintf(row, len, "%s", line);
		n++;
	}
	fclose(f);
	return n;
}

/* The row without its last field (the seconds it took). */
static void strip_seconds(char *row)
{
	char *c = strrchr(row, ',');

	if (c)
		*c = 0;
}

static void test_small_sweep_resumes(void)
{
	static struct tool_run r;
	char dir[] = "/tmp/dcc-sweep-XXXXXX", csv[64], last[1024], again[1024], cmd[128];
	const char *args[] = {
		"sweep", "-o", NULL, "--layers", "784,24,16,10", "--epochs", "1",
		"--train-limit", "3000", "--test-limit", "1000", "--prune-iters", "1",
		"--retrain-epochs", "1", "--finetune-epochs", "1", "--shrink-epochs", "1",
		"--sparsity-epochs", "1", "--samples", "200", "--sweep-levels", "0.5",
		"--sweep-bits", "3,5", NULL, NULL, NULL,
	};
	const size_t more = sizeof(args) / sizeof(args[0]) - 3;
	int rows;

	if (!mkdtemp(dir)) {
		CHECK(0);
		return;
	}
	args[2] = dir;
	snprintf(csv, sizeof(csv), "%s/sweep.csv", dir);
	CHECK_EQ(tool_run("dcc", args, false, &r), 0);
	CHECK_STR_CONTAINS(r.out, "sweep [16/16]");
	/* one epoch of a tiny network: within half a point, or none is */
	CHECK(strstr(r.out, "best by Q = log2(rate) - 1.00 x drop, within 0.50 points: ") ||
	      strstr(r.out, "no point loses 0.50 points or less (--max-drop): no best"));
	rows = csv_rows(csv, 15, last, sizeof(last));
	CHECK_EQ(rows, 16);	/* none, then 7 methods at one level; 2 bit widths */
	for (int k = 0; k < rows; k++) {
		char row[1024];
		double rate = 0, dev = 0;

		csv_rows(csv, k, row, sizeof(row));
		CHECK(sscanf(row, "%*[^,],%*f,%*u,%*f,%*f,%*u,%*u,%*u,%lf,%*f,%*f,%*f,%*f,%*f,%lf",
			     &rate, &dev) == 2);
		CHECK(rate > 1 && dev > 50);
	}
	CHECK(access(csv, R_OK) == 0);
	snprintf(cmd, sizeof(cmd), "%s/sweep-pareto.png", dir);
	CHECK(access(cmd, R_OK) == 0);
	snprintf(cmd, sizeof(cmd), "%s/sweep-quality.png", dir);
	CHECK(access(cmd, R_OK) == 0);

	/* again: every point is there, none is redone; the budget is the
	 * summary's, not the grid's: another one is no other sweep */
	args[more] = "--max-drop";
	args[more + 1] = "100";
	CHECK_EQ(tool_run("dcc", args, false, &r), 0);
	CHECK_STR_CONTAINS(r.out, "resuming, 16 points");
	CHECK_STR_CONTAINS(r.out, "best by Q = log2(rate) - 1.00 x drop, within 100.00 points: ");
	args[more] = NULL;
	CHECK(!strstr(r.out, "sweep [") && !strstr(r.out, "shrinking") &&
	      !strstr(r.out, "magnitude pruning"));
	CHECK_EQ(csv_rows(csv, 0, NULL, 0), 16);

	/* the last row lost (an interruption): that one point, the same again */
	snprintf(cmd, sizeof(cmd), "sed -i '$d' %s", csv);
	CHECK_EQ(system(cmd), 0);
	CHECK_EQ(tool_run("dcc", args, false, &r), 0);
	CHECK_STR_CONTAINS(r.out, "resuming, 15 points");
	CHECK_STR_CONTAINS(r.out, "sweep [16/16] ma 0.50 5 bits");
	CHECK(!strstr(r.out, "sweep [15/16]") && !strstr(r.out, "shrinking") &&
	      !strstr(r.out, "magnitude pruning"));
	CHECK_EQ(csv_rows(csv, 15, again, sizeof(again)), 16);
	strip_seconds(last);
	strip_seconds(again);
	CHECK(!strcmp(last, again));
	/* a second sweep while one runs there: refused */
	snprintf(cmd, sizeof(cmd), "flock %s/.lock sleep 3 & sleep 1", dir);
	CHECK_EQ(system(cmd), 0);
	CHECK_EQ(tool_run("dcc", args, false, &r), 1);
	CHECK_STR_CONTAINS(r.err, "another dcc sweep is running there");
	sleep(3);
	/* other settings into the same directory: refused, naming the setting */
	args[6] = "2";	/* --epochs */
	CHECK_EQ(tool_run("dcc", args, false, &r), 1);
	CHECK_STR_CONTAINS(r.err, "holds a sweep of other settings (it has 'epochs 1', this run 'epochs 2')");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_EQ(system(cmd), 0);
}

static void refused(const char *const *args, const char *want)
{
	static struct tool_run r;

	CHECK_EQ(tool_run("dcc", args, false, &r), 2);
	CHECK_STR_CONTAINS(r.err, want);
}

static void test_bad_grids(void)
{
	refused(ARGS("sweep", "-o", "/tmp/x", "--sweep-methods", "l1,bogus"),
		"--sweep-methods 'l1,bogus': expected all, or comma-separated methods from none, l1, slim, thinet, nisp, pa, fa, ma, each once");
	refused(ARGS("sweep", "-o", "/tmp/x", "--sweep-methods", "l1,l1"), "each once");
	refused(ARGS("sweep", "-o", "/tmp/x", "--sweep-levels", "0"), "--sweep-levels '0'");
	refused(ARGS("sweep", "-o", "/tmp/x", "--sweep-levels", "0.5,0.96"), "--sweep-levels");
	refused(ARGS("sweep", "-o", "/tmp/x", "--sweep-levels", "0.251,0.254"),
		"--sweep-levels '0.251,0.254': expected levels in steps of 0.01, each once");
	refused(ARGS("sweep", "-o", "/tmp/x", "--sweep-levels", "0.25,0.250"), "each once");
	refused(ARGS("sweep", "-o", "/tmp/x", "--sweep-bits", "9"), "--sweep-bits '9'");
	refused(ARGS("sweep", "-o", "/tmp/x", "--lambda", "-1"), "--lambda '-1'");
	refused(ARGS("sweep", "-o", "/tmp/x", "--max-drop", "half"),
		"--max-drop 'half': expected a number from 0 to 100");
	refused(ARGS("sweep", "-o", "/tmp/x", "--max-drop", "101"), "--max-drop '101'");
	refused(ARGS("sweep"), "dcc sweep: -o is missing: the directory to write");
	refused(ARGS("shrink", "-i", "m", "-o", "n"), "dcc shrink: --structure is missing");
	refused(ARGS("shrink", "-i", "m", "-o", "n", "--structure", "l2"),
		"--structure 'l2': expected l1, slim, thinet, nisp, pa, fa or ma");
	refused(ARGS("shrink", "-i", "m", "-o", "n", "--structure", "l1", "--level", "1"),
		"--level '1': expected a number from 0 to 0.95");
}

/* -o naming a file, not a directory, is said to be one. */
static void test_sweep_into_a_file(void)
{
	static struct tool_run r;
	char path[] = "/tmp/dcc-sweep-file-XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(tool_run("dcc", ARGS("sweep", "-o", path, "--train-limit", "100"), false, &r), 1);
	CHECK_STR_CONTAINS(r.err, "not a directory");
	unlink(path);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_quality_metric),
	TAP_TEST(test_quality_best),
	TAP_TEST(test_pareto_front),
	TAP_TEST(test_small_sweep_resumes),
	TAP_TEST(test_bad_grids),
	TAP_TEST(test_sweep_into_a_file),
};

TAP_MAIN(tests)
