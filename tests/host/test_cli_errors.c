// SPDX-License-Identifier: MIT
/*
 * dcc and dcaccel as a user runs them: --version; every command-line error
 * is one line on stderr, exit code 2, that names the option, the value
 * given and what is allowed (each option of every --help is tried without
 * its value and, when it takes a number, with a word); dcc's training
 * progress is whole lines when stderr is not a terminal and a bar redrawn
 * in place when it is.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "run_tool.h"
#include "../../userspace/common/version.h"

#define DATA "/usr/share/datasets/fashion-mnist"

/* One refused command line: exit 2, nothing on stdout, one line on stderr
 * holding every one of the NULL-terminated `want` strings. */
static void refused(const char *tool, const char *const *args,
		    const char *const *want)
{
	static struct tool_run r;
	const char *nl;

	tool_run(tool, args, false, &r);
	nl = strchr(r.err, '\n');
	if (r.status != 2 || r.out[0] || !nl || nl[1] ||
	    strncmp(r.err, tool, strlen(tool))) {
		DIAG("%s %s ...: exit %d, stdout \"%.60s\", stderr \"%s\": want exit 2 and one line from %s",
		     tool, args[0], r.status, r.out, r.err, tool);
		tap_failures++;
	}
	for (; *want; want++)
		CHECK_STR_CONTAINS(r.err, *want);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_versions(void)
{
	static struct tool_run r;

	CHECK_EQ(tool_run("dcc", ARGS("--version"), false, &r), 0);
	CHECK(!strcmp(r.out, "dcc " DCACCEL_VERSION "\n"));
	CHECK(r.err[0] == 0);
	CHECK_EQ(tool_run("dcc", ARGS("compress", "--version"), false, &r), 0);
	CHECK(!strcmp(r.out, "dcc " DCACCEL_VERSION "\n"));
	CHECK_EQ(tool_run("dcaccel", ARGS("--version"), false, &r), 0);
	CHECK_STR_CONTAINS(r.out, "dcaccel " DCACCEL_VERSION " (libaccel 1.4)\n");
	CHECK(r.err[0] == 0);
	CHECK_EQ(tool_run("dcc", ARGS("--help"), false, &r), 0);
	CHECK_STR_CONTAINS(r.out, "--version");
	CHECK_EQ(tool_run("dcaccel", ARGS("--help"), false, &r), 0);
	CHECK_STR_CONTAINS(r.out, "--version");
}

/* The issue's example and one of each kind, word for word. */
static void test_dcc_messages(void)
{
	refused("dcc", ARGS("compress", "--bits", "9", "-o", "m.dcm"),
		ARGS("dcc: --bits '9': expected 1 to 16 comma-separated whole numbers from 1 to 8\n"));
	refused("dcc", ARGS("compress", "--bits", "4,9,5"),
		ARGS("--bits '4,9,5': item 2 ('9') is not allowed; expected 1 to 16 comma-separated whole numbers from 1 to 8"));
	refused("dcc", ARGS("compress", "--bits", "4,,5"), ARGS("item 2 ('')"));
	refused("dcc", ARGS("compress", "--bits", "4,5,"), ARGS("item 3 ('')"));
	refused("dcc", ARGS("train", "--epochs", "ten"),
		ARGS("dcc: --epochs 'ten': expected a whole number from 0 to 1000\n"));
	refused("dcc", ARGS("train", "--epochs", "1001"), ARGS("--epochs '1001'", "0 to 1000"));
	refused("dcc", ARGS("train", "--epochs", "-1"), ARGS("--epochs '-1'"));
	refused("dcc", ARGS("train", "--epochs", " 5"), ARGS("--epochs ' 5'"));
	refused("dcc", ARGS("train", "--epochs", "5x"), ARGS("--epochs '5x'"));
	refused("dcc", ARGS("train", "--seed", "18446744073709551616"),
		ARGS("--seed '18446744073709551616'", "from 0 to 18446744073709551615"));
	refused("dcc", ARGS("train", "--lr", "0"),
		ARGS("dcc: --lr '0': expected a number greater than 0 and at most 10\n"));
	refused("dcc", ARGS("train", "--lr", "nan"), ARGS("--lr 'nan'"));
	refused("dcc", ARGS("train", "--lr", "inf"), ARGS("--lr 'inf'"));
	refused("dcc", ARGS("train", "--momentum", "1"),
		ARGS("--momentum '1': expected a number from 0 to 0.999"));
	refused("dcc", ARGS("compress", "--pes", "0"), ARGS("--pes '0'", "from 1 to 256"));
	refused("dcc", ARGS("compress", "--pes", "257"), ARGS("--pes '257'", "from 1 to 256"));
	refused("dcc", ARGS("compress", "--zbits", "9"), ARGS("--zbits '9'", "from 0 to 8"));
	refused("dcc", ARGS("train", "--batch", "0"), ARGS("--batch '0'", "from 1 to 65536"));
	refused("dcc", ARGS("train", "--layers", "784"),
		ARGS("--layers '784'", "2 to 17 comma-separated whole numbers from 1 to 1048576"));
	refused("dcc", ARGS("train", "--layers", "784,0,10"), ARGS("item 2 ('0')"));
	refused("dcc", ARGS("compress", "--quality", "0.5,0"),
		ARGS("item 2 ('0')", "numbers greater than 0 and at most 10"));
	refused("dcc", ARGS("train", "--test-limit", "1.5"), ARGS("--test-limit '1.5'"));
	refused("dcc", ARGS("train", "--bits"),
		ARGS("dcc: --bits needs a value: 1 to 16 comma-separated whole numbers from 1 to 8\n"));
	refused("dcc", ARGS("train", "-o"), ARGS("dcc: -o needs a value: a file name\n"));
	refused("dcc", ARGS("train", "--frob"),
		ARGS("unknown or ambiguous option '--frob'", "dcc --help"));
	refused("dcc", ARGS("train", "-x"), ARGS("unknown option '-x'"));
	refused("dcc", ARGS("frob"),
		ARGS("unknown command 'frob'", "train import eval prune quantize encode info compress"));
	refused("dcc", ARGS("train"), ARGS("dcc train: -o is missing: the .safetensors file to write"));
	refused("dcc", ARGS("compress"), ARGS("dcc compress: -o is missing: the .dcm file to write"));
	refused("dcc", ARGS("eval"), ARGS("dcc eval: -i is missing"));
	refused("dcc", ARGS("train", "-o", "x", "extra"),
		ARGS("dcc train: unexpected argument 'extra'; expected options only"));
	refused("dcc", ARGS("info"), ARGS("dcc info: the .dcm file to read is missing"));
	refused("dcc", ARGS("info", "a.dcm", "b.dcm"),
		ARGS("unexpected argument 'b.dcm'; expected one .dcm file"));
	refused("dcc", ARGS("import", "-o", "x"),
		ARGS("dcc import: the model is missing", "--safetensors FILE or .npy files"));
	refused("dcc", ARGS("import", "-o", "x", "--safetensors", "m.st", "w.npy"),
		ARGS("--safetensors 'm.st' and .npy file 'w.npy'"));
	/* the low-bit methods' options */
	refused("dcc", ARGS("lowbit", "-i", "a", "-o", "b"),
		ARGS("dcc lowbit: --lowbit is missing: hq (ternary, hyperspherical), sbnn (sparse binary), bwn (binary weights), xnor (XNOR-Net), qnn (k-bit), lq (LQ-Nets) or smartdeal (SmartDeal)\n"));
	refused("dcc", ARGS("compress", "--lowbit", "xnor2", "-o", "m.dcm"),
		ARGS("dcc: --lowbit 'xnor2': expected hq (ternary, hyperspherical), sbnn (sparse binary), bwn (binary weights), xnor (XNOR-Net), qnn (k-bit), lq (LQ-Nets) or smartdeal (SmartDeal)\n"));
	refused("dcc", ARGS("prune", "--lowbit", "hq", "-i", "a", "-o", "b"),
		ARGS("dcc prune: --lowbit is for the lowbit and compress commands\n"));
	refused("dcc", ARGS("lowbit", "--keep", "0.1,0"),
		ARGS("dcc: --keep '0.1,0': item 2 ('0') is not allowed; expected 1 to 16 comma-separated numbers greater than 0 and at most 1\n"));
	refused("dcc", ARGS("lowbit", "--keep", "1.5"), ARGS("--keep '1.5'", "at most 1"));
	refused("dcc", ARGS("lowbit", "--lowbit-steps", "0"),
		ARGS("dcc: --lowbit-steps '0': expected a whole number from 1 to 100\n"));
	refused("dcc", ARGS("lowbit", "--lowbit-final", "1001"), ARGS("--lowbit-final '1001'", "from 0 to 1000"));
	refused("dcc", ARGS("lowbit", "--lowbit-lr", "0"), ARGS("--lowbit-lr '0'", "greater than 0"));
	refused("dcc", ARGS("lowbit", "--hq-reg", "2"), ARGS("--hq-reg '2'", "from 0 to 1"));
	refused("dcc", ARGS("lowbit", "--lowbit-wbits", "1,9"),
		ARGS("dcc: --lowbit-wbits '1,9': item 2 ('9') is not allowed", "from 1 to 8"));
	refused("dcc", ARGS("lowbit", "--lowbit-abits", "0"), ARGS("--lowbit-abits '0'", "from 1 to 8"));
	refused("dcc", ARGS("lowbit", "--lowbit", "hq", "--lowbit-abits", "2", "-i", "a", "-o", "b"),
		ARGS("dcc lowbit: --lowbit-wbits and --lowbit-abits are for the bit-plane methods (--lowbit bwn, xnor, qnn or lq)\n"));
	/* smartdeal comes after the bit-plane methods but is none of them */
	refused("dcc", ARGS("lowbit", "--lowbit", "smartdeal", "--lowbit-wbits", "2", "-i", "a", "-o", "b"),
		ARGS("dcc lowbit: --lowbit-wbits and --lowbit-abits are for the bit-plane methods (--lowbit bwn, xnor, qnn or lq)\n"));
	refused("dcc", ARGS("lowbit", "--sd-block", "16"),
		ARGS("dcc: --sd-block '16': expected a whole number from 2 to 15\n"));
	refused("dcc", ARGS("lowbit", "--sd-block", "1"), ARGS("--sd-block '1'", "from 2 to 15"));
	refused("dcc", ARGS("lowbit", "--sd-block", "4x"), ARGS("--sd-block '4x'"));
	refused("dcc", ARGS("lowbit", "--sd-bits", "6"),
		ARGS("dcc: --sd-bits '6': expected a whole number from 2 to 5\n"));
	refused("dcc", ARGS("lowbit", "--sd-bits", "1"), ARGS("--sd-bits '1'", "from 2 to 5"));
	refused("dcc", ARGS("compress", "--lowbit", "hq", "--sd-bits", "3", "-o", "m.dcm"),
		ARGS("dcc compress: --sd-block and --sd-bits are for --lowbit smartdeal\n"));
	refused("dcc", ARGS("encode", "--sd-block", "8", "-i", "a", "-o", "b"),
		ARGS("dcc encode: --sd-block and --sd-bits are for --lowbit smartdeal\n"));
}

static void test_dcaccel_messages(void)
{
	refused("dcaccel", ARGS("run", "m.dcm", "i.gz", "--limit", "0"),
		ARGS("dcaccel run: --limit '0': expected a whole number from 1 to 100000000\n"));
	refused("dcaccel", ARGS("run", "m.dcm", "i.gz", "--batch", "1e3"),
		ARGS("--batch '1e3'", "from 1 to 100000000"));
	refused("dcaccel", ARGS("run", "m.dcm", "i.gz", "--limit"),
		ARGS("dcaccel run: --limit needs a value: a whole number from 1 to 100000000\n"));
	refused("dcaccel", ARGS("run", "m.dcm", "i.gz", "--labels"),
		ARGS("dcaccel run: --labels needs a value: an IDX label file\n"));
	refused("dcaccel", ARGS("run", "m.dcm", "i.gz", "--frob"),
		ARGS("dcaccel run: unknown option '--frob' (dcaccel run --help lists the options)\n"));
	refused("dcaccel", ARGS("run", "m.dcm", "i.gz", "x"),
		ARGS("dcaccel run: unexpected argument 'x'; MODEL and INPUT are already given\n"));
	refused("dcaccel", ARGS("run", "m.dcm"), ARGS("dcaccel run: INPUT is missing"));
	refused("dcaccel", ARGS("run"), ARGS("dcaccel run: MODEL and INPUT are missing"));
	refused("dcaccel", ARGS("bench", "m.dcm", "--batches", "1,99999"),
		ARGS("--batches '1,99999': item 2 ('99999') is not allowed; expected 1 to 16 comma-separated whole numbers from 1 to 65536"));
	refused("dcaccel", ARGS("bench", "m.dcm", "--iters", "0"),
		ARGS("--iters '0'", "from 1 to 1000000"));
	refused("dcaccel", ARGS("bench"), ARGS("dcaccel bench: MODEL is missing"));
	refused("dcaccel", ARGS("bench", "a", "b"), ARGS("unexpected argument 'b'"));
	refused("dcaccel", ARGS("info", "--device"),
		ARGS("dcaccel info: --device needs a value: a device node"));
	refused("dcaccel", ARGS("info", "now"), ARGS("dcaccel info: unexpected argument 'now'"));
	refused("dcaccel", ARGS("frob"),
		ARGS("dcaccel: unknown command 'frob'; expected info, run or bench"));
}

struct opt {
	char name[32], meta[16];
};

/* The "  --name META  text" and "  -h, --help" lines of a --help text. */
static unsigned int help_opts(const char *help, struct opt *o, unsigned int max)
{
	unsigned int n = 0;

	for (const char *p = help; p && *p && n < max; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *s = p + strspn(p, " ");
		size_t len;

		if (s == p || *s != '-')
			continue;
		if (!strncmp(s, "-h, ", 4))
			s += 4;
		len = strcspn(s, " \n");
		snprintf(o[n].name, sizeof(o[n].name), "%.*s", (int)len, s);
		s += len;
		o[n].meta[0] = 0;
		if (s[0] == ' ' && isupper((unsigned char)s[1]))
			snprintf(o[n].meta, sizeof(o[n].meta), "%.*s",
				 (int)strcspn(s + 1, " \n"), s + 1);
		n++;
	}
	return n;
}

/*
 * Every option of one --help text that takes a value: without the value
 * (it ends the command line) and, when the value is a number or a list of
 * them, with a word. `pre` are the arguments before the option.
 */
static void each_option(const char *tool, const char *const *pre, unsigned int npre)
{
	const char *args[8] = { 0 }, *help_args[3] = { pre[0], "--help", NULL };
	char prog[64], want[2][160];
	static struct tool_run r;
	struct opt o[64];
	unsigned int n, tried = 0;

	CHECK_EQ(tool_run(tool, help_args, false, &r), 0);
	n = help_opts(r.out, o, 64);
	snprintf(prog, sizeof(prog), "%.10s%s%.10s", tool, !strcmp(tool, "dcaccel") ? " " : "",
		 !strcmp(tool, "dcaccel") ? pre[0] : "");
	for (unsigned int k = 0; k < n; k++) {
		bool path = !strcmp(o[k].meta, "FILE") || !strcmp(o[k].meta, "DIR") ||
			    !strcmp(o[k].meta, "NODE");

		if (!o[k].meta[0])
			continue;
		for (unsigned int a = 0; a < npre; a++)
			args[a] = pre[a];
		args[npre] = o[k].name;
		args[npre + 1] = NULL;
		snprintf(want[0], sizeof(want[0]), "%s: %.31s needs a value: ", prog, o[k].name);
		refused(tool, args, (const char *const[]){ want[0], NULL });
		if (!path) {
			args[npre + 1] = "many";
			args[npre + 2] = NULL;
			snprintf(want[1], sizeof(want[1]), "%s: %.31s 'many': expected ", prog,
				 o[k].name);
			refused(tool, args, (const char *const[]){ want[1], NULL });
		}
		tried++;
	}
	DIAG("%s %s: %u options with values tried", tool, pre[0], tried);
	CHECK(tried > 0);
}

static void test_every_option(void)
{
	each_option("dcc", ARGS("train"), 1);
	each_option("dcaccel", ARGS("info"), 1);
	each_option("dcaccel", ARGS("run", "m.dcm", "i.gz"), 3);
	each_option("dcaccel", ARGS("bench", "m.dcm"), 2);
}

static unsigned int count_char(const char *s, char c)
{
	unsigned int n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

static void test_progress(void)
{
	char out[128];
	static struct tool_run r;

	snprintf(out, sizeof(out), "/tmp/test_cli_errors.%d.safetensors", (int)getpid());

	if (access(DATA "/train-images-idx3-ubyte.gz", R_OK)) {
		DIAG("no %s (scripts/deps/dcc.list installs dataset-fashion-mnist)", DATA);
		CHECK(0);
		return;
	}
	/* a log: whole lines, one per epoch */
	CHECK_EQ(tool_run("dcc", ARGS("train", "--progress", "--layers", "784,10",
				      "--epochs", "2", "--train-limit", "256",
				      "--test-limit", "64", "-o", out), false, &r), 0);
	CHECK(!strchr(r.err, '\r'));
	CHECK_EQ(count_char(r.err, '\n'), 2);
	CHECK(!strncmp(r.err, "train epoch 1/2: loss ", 22));
	CHECK_STR_CONTAINS(r.err, "\ntrain epoch 2/2: loss ");
	CHECK(strlen(r.err) > 2 && !strcmp(r.err + strlen(r.err) - 2, "%\n"));
	for (const char *l = r.err; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0))
		DIAG("log: %.*s", (int)strcspn(l, "\n"), l);
	/* no --progress and not a terminal: quiet */
	CHECK_EQ(tool_run("dcc", ARGS("train", "--layers", "784,10", "--epochs", "1",
				      "--train-limit", "256", "--test-limit", "64",
				      "-o", out), false, &r), 0);
	CHECK(r.err[0] == 0);
	/* a terminal: a bar redrawn in place, by default */
	CHECK_EQ(tool_run("dcc", ARGS("train", "--layers", "784,10", "--epochs", "2",
				      "--batch", "16", "--train-limit", "512",
				      "--test-limit", "64", "-o", out), true, &r), 0);
	CHECK(count_char(r.err, '\r') > 2);
	CHECK_STR_CONTAINS(r.err, "\rtrain      epoch  2/2  [####");
	CHECK_EQ(count_char(r.err, '\n'), 2);
	CHECK_EQ(unlink(out), 0);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_versions),
	TAP_TEST(test_dcc_messages),
	TAP_TEST(test_dcaccel_messages),
	TAP_TEST(test_every_option),
	TAP_TEST(test_progress),
};

TAP_MAIN(tests)
