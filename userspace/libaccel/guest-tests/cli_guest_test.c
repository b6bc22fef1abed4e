// SPDX-License-Identifier: MIT
/*
 * The dcaccel tool in the test guest (TAP): info, run (with the accuracy
 * dcc reported), bench (its numbers go to the log as they are: timing is
 * never pass/fail), and the documented exit codes. The commands are
 * linked in and called in-process; the model and test set are linked in
 * as for libaccel_guest_test (build.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../cli/cli.h"
#include "guest_data.h"

#define PLAN	9

static int test_no;

/* Run one command with its output to `log`; its exit code. */
static int run(int (*cmd)(int, char **), const char *log, int argc, char **argv)
{
	int saved = dup(1), rc;
	FILE *f;

	fflush(stdout);
	f = freopen(log, "w", stdout);
	rc = f ? cmd(argc, argv) : -1;
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	return rc;
}

static void show(const char *log)
{
	char line[4096];
	FILE *f = fopen(log, "r");

	while (f && fgets(line, sizeof(line), f))
		printf("# %s", line);
	if (f)
		fclose(f);
}

static void result(int ok, const char *what, int rc)
{
	printf("%sok %d - dcaccel %s (exit %d)\n", ok ? "" : "not ", ++test_no, what, rc);
	fflush(stdout);
}

static int log_has(const char *log, const char *text)
{
	char buf[1 << 16];
	FILE *f = fopen(log, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = 0;
	return strstr(buf, text) != NULL;
}

#if defined(__aarch64__)
#define OPENBLAS_BASELINE "ARMV8"
#else
#define OPENBLAS_BASELINE "Prescott"
#endif

int main(int argc, char **argv)
{
	unsigned int x100;
	char want[64];
	int rc;

	/*
	 * OpenBLAS picks its kernels from CPUID when it loads; under TCG the
	 * guest CPU is QEMU's model, so name a kernel it has (x86: SSE3,
	 * arm64: plain ARMv8).
	 */
	if (argc == 1 && !getenv("OPENBLAS_CORETYPE")) {
		setenv("OPENBLAS_CORETYPE", OPENBLAS_BASELINE, 1);
		setenv("OPENBLAS_NUM_THREADS", "1", 1);
		execv("/proc/self/exe", (char *[]){ argv[0], "--child", NULL });
		printf("# re-exec failed; running as is\n");
	}

	printf("TAP version 13\n1..%d\n", PLAN);
	if (!guest_has_device()) {
		for (int i = 1; i <= PLAN; i++)
			printf("ok %d # SKIP no dcaccel device in this guest\n", i);
		return 0;
	}
	if (guest_stage_data("cli-")) {
		printf("Bail out! cannot stage the test data\n");
		return 1;
	}
	x100 = guest_expected_x100();
	snprintf(want, sizeof(want), "accuracy %u.%02u%%", x100 / 100, x100 % 100);
	if (system("modprobe dcaccel 2>/dev/null"))
		printf("# modprobe dcaccel failed\n");

	{
		char *a[] = { "info", NULL };

		rc = run(cmd_info, "/tmp/cli.log", 1, a);
		show("/tmp/cli.log");
		result(rc == EXIT_OK && log_has("/tmp/cli.log", "PEs:"), "info", rc);
	}
	{
		char *a[] = { "info", "--json", NULL };

		rc = run(cmd_info, "/tmp/cli.log", 2, a);
		show("/tmp/cli.log");
		result(rc == EXIT_OK && log_has("/tmp/cli.log", "\"pes\":"), "info --json", rc);
	}
	{
		char *a[] = { "run", "/tmp/cli-model.dcm", "/tmp/cli-images.gz", "--labels",
			      "/tmp/cli-labels.gz", "--quiet", NULL };

		rc = run(cmd_run, "/tmp/cli.log", 6, a);
		show("/tmp/cli.log");
		result(rc == EXIT_OK && log_has("/tmp/cli.log", want),
		       "run on the test set gives dcc's accuracy", rc);
	}
	{
		char *a[] = { "run", "/tmp/cli-model.dcm", "/tmp/cli-images.gz", "--limit", "3",
			      "--json", NULL };

		rc = run(cmd_run, "/tmp/cli.log", 6, a);
		show("/tmp/cli.log");
		result(rc == EXIT_OK && log_has("/tmp/cli.log", "\"predictions\":["),
		       "run --json", rc);
	}
	{
		char *a[] = { "bench", "/tmp/cli-model.dcm", "--input", "/tmp/cli-images.gz",
			      "--batches", "1,64", "--iters", "30", NULL };

		rc = run(cmd_bench, "/tmp/cli.log", 8, a);
		show("/tmp/cli.log");
		result(rc == EXIT_OK && log_has("/tmp/cli.log", "dense-float") &&
		       log_has("/tmp/cli.log", "device"), "bench", rc);
	}
	{
		char *a[] = { "bench", "/tmp/cli-model.dcm", "--input", "/tmp/cli-images.gz",
			      "--batches", "1", "--iters", "5", "--json", NULL };

		rc = run(cmd_bench, "/tmp/cli.log", 9, a);
		show("/tmp/cli.log");
		result(rc == EXIT_OK && log_has("/tmp/cli.log", "\"p99_us\""), "bench --json", rc);
	}
	{
		/* the guest has two devices: both rows, the second's beside the first */
		char *a[] = { "bench", "/tmp/cli-model.dcm", "--input", "/tmp/cli-images.gz",
			      "--batches", "64,256", "--iters", "20", "--devices", "2", NULL };

		rc = run(cmd_bench, "/tmp/cli.log", 10, a);
		show("/tmp/cli.log");
		result(rc == EXIT_OK && log_has("/tmp/cli.log", "devices-1") &&
		       log_has("/tmp/cli.log", "devices-2"), "bench --devices 2", rc);
	}
	{
		char *a[] = { "run", "/tmp/no-such.dcm", "/tmp/cli-images.gz", NULL };

		rc = run(cmd_run, "/tmp/cli.log", 3, a);
		result(rc == EXIT_BADFILE, "run with a missing model exits 4", rc);
	}
	{
		char *a[] = { "run", "/tmp/cli-model.dcm", "--frobnicate", NULL };

		rc = run(cmd_run, "/tmp/cli.log", 3, a);
		result(rc == EXIT_USAGE, "run with a bad option exits 2", rc);
	}
	return 0;
}
