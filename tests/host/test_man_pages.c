// SPDX-License-Identifier: MIT
/*
 * The man pages cannot drift from the programs: every option that
 * `dcc --help` names is in dcc(1) and every option dcc(1) names is in
 * --help; dcaccel(1) has a section per command whose options are exactly
 * those of `dcaccel COMMAND --help`; libaccel(3) names every function and
 * constant of <dcaccel/accel.h> and none that it lacks. Each page formats
 * without a groff warning.
 *
 * The pages and programs are this tree's and this build's, or those under
 * $DCACCEL_MAN_DIR (man1/, man3/, .gz or not), $DCACCEL_BIN_DIR and
 * $DCACCEL_INCLUDE_DIR (e.g. installed from the Debian packages).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "tap.h"
#include "run_tool.h"

#ifndef TOP_DIR
#error "TOP_DIR: the source tree"
#endif

#define MAX_WORDS	128

struct words {
	unsigned int n;
	char w[MAX_WORDS][48];
};

static void add_word(struct words *s, const char *w, size_t len)
{
	if (len >= sizeof(s->w[0]))
		len = sizeof(s->w[0]) - 1;
	for (unsigned int k = 0; k < s->n; k++)
		if (strlen(s->w[k]) == len && !strncmp(s->w[k], w, len))
			return;
	if (s->n < MAX_WORDS) {
		memcpy(s->w[s->n], w, len);
		s->w[s->n++][len] = 0;
	}
}

static bool has_word(const struct words *s, const char *w)
{
	for (unsigned int k = 0; k < s->n; k++)
		if (!strcmp(s->w[k], w))
			return true;
	return false;
}

/* Each word of a that b lacks and of b that a lacks is a failure. */
static void check_same(const char *what, const struct words *a, const char *an,
		       const struct words *b, const char *bn)
{
	for (unsigned int k = 0; k < a->n; k++)
		if (!has_word(b, a->w[k])) {
			DIAG("%s: %s names %s, %s does not", what, an, a->w[k], bn);
			tap_failures++;
		}
	for (unsigned int k = 0; k < b->n; k++)
		if (!has_word(a, b->w[k])) {
			DIAG("%s: %s names %s, %s does not", what, bn, b->w[k], an);
			tap_failures++;
		}
	if (!a->n || !b->n) {
		DIAG("%s: %s has %u, %s %u: nothing to compare", what, an, a->n, bn, b->n);
		tap_failures++;
	}
}

/*
 * Options in text: "--name" and "-x" standing alone (after a space, a
 * bracket or a quote, and not followed by a letter or digit).
 */
static void find_options(const char *t, struct words *s)
{
	for (const char *p = t; *p; p++) {
		const char *q = p;

		if (*p != '-' || (p > t && !strchr(" \t\n[(|\"", p[-1])))
			continue;
		if (p[1] == '-' && islower((unsigned char)p[2])) {
			q = p + 2;
			while (islower((unsigned char)*q) || isdigit((unsigned char)*q) ||
			       (*q == '-' && islower((unsigned char)q[1])))
				q++;
		} else if (isalpha((unsigned char)p[1]) &&
			   !isalnum((unsigned char)p[2]) && p[2] != '-') {
			q = p + 2;
		}
		if (q != p) {
			add_word(s, p, (size_t)(q - p));
			p = q - 1;
		}
	}
}

/* Read a file, gzip'd or not, NUL-terminated; NULL when it cannot. */
static char *read_text(const char *path)
{
	gzFile f = gzopen(path, "rb");
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	int n;

	if (!f || !buf) {
		if (f)
			gzclose(f);
		free(buf);
		return NULL;
	}
	while ((n = gzread(f, buf + len, (unsigned int)(cap - len - 1))) > 0) {
		len += (size_t)n;
		if (len + 1 == cap) {
			char *b = realloc(buf, cap *= 2);

			if (!b)
				break;
			buf = b;
		}
	}
	gzclose(f);
	buf[len] = 0;
	return buf;
}

/*
 * A man page's text as a reader sees the words: comment lines dropped,
 * font escapes removed, \- as -, \(aq as ', \e as \, \(mu as x.
 */
static char *man_text(const char *path)
{
	char *src = read_text(path), *out, *o;
	const char *p;

	if (!src)
		return NULL;
	out = o = malloc(strlen(src) + 1);
	for (p = src; out && *p;) {
		if (!strncmp(p, ".\\\"", 3)) {
			const char *e = strchr(p, '\n');

			p = e ? e + 1 : p + strlen(p);
			continue;
		}
		if (*p == '\\') {
			if (p[1] == 'f' && p[2]) {
				p += 3;
			} else if (p[1] == '(' && p[2] && p[3]) {
				*o++ = !strncmp(p + 2, "aq", 2) ? '\'' : 'x';
				p += 4;
			} else if (p[1] == '-' || p[1] == 'e') {
				*o++ = p[1] == '-' ? '-' : '\\';
				p += 2;
			} else if (p[1] == '&') {
				p += 2;
			} else {
				*o++ = *p++;
			}
			continue;
		}
		*o++ = *p++;
	}
	if (out)
		*o = 0;
	free(src);
	return out;
}

static const char *man_path(const char *name, int section)
{
	static char path[4096];
	const char *dir = getenv("DCACCEL_MAN_DIR");
	static const char *const src[] = {
		[1] = TOP_DIR "/userspace/%s/%s.1", [3] = TOP_DIR "/userspace/%s/%s.3",
	};

	if (dir && *dir) {
		snprintf(path, sizeof(path), "%s/man%d/%s.%d.gz", dir, section, name, section);
		if (access(path, R_OK))
			snprintf(path, sizeof(path), "%s/man%d/%s.%d", dir, section, name, section);
		return path;
	}
	snprintf(path, sizeof(path), src[section],
		 !strcmp(name, "dcaccel") ? "cli" : name, name);
	return path;
}

/* The text from the line ".SS name" or ".SH name" to the next .SS or .SH. */
static char *man_section(const char *text, const char *name)
{
	char head[64];
	const char *p = text, *start = NULL, *end;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, ".SS ", 4) && strncmp(p, ".SH ", 4))
			continue;
		if (start)
			break;
		snprintf(head, sizeof(head), "%.*s", (int)strcspn(p + 4, "\n"), p + 4);
		if (!strcmp(head, name) || (head[0] == '"' && !strncmp(head + 1, name, strlen(name))))
			start = p;
	}
	if (!start)
		return NULL;
	end = p && *p ? p : start + strlen(start);
	return strndup(start, (size_t)(end - start));
}

/* groff formats the page without a warning. */
static void check_groff(const char *path)
{
	char cmd[4200], line[512];
	FILE *p;
	int lines = 0;

	snprintf(cmd, sizeof(cmd),
		 "zcat -f '%s' | LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 2>&1", path);
	p = popen(cmd, "r");
	if (!p) {
		CHECK(p != NULL);
		return;
	}
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = 0;
		DIAG("groff: %s", line);
		lines++;
	}
	CHECK_EQ(pclose(p), 0);
	CHECK_EQ(lines, 0);
}

static char *help_of(const char *tool, const char *cmd)
{
	const char *args[3] = { cmd ? cmd : "--help", cmd ? "--help" : NULL, NULL };
	static struct tool_run r;

	if (tool_run(tool, args, false, &r) != 0) {
		DIAG("%s %s --help exited %d: %s", tool, cmd ? cmd : "", r.status, r.err);
		tap_failures++;
	}
	return strdup(r.out);
}

static void test_dcc_page(void)
{
	const char *path = man_path("dcc", 1);
	char *man = man_text(path), *help = help_of("dcc", NULL), *cmds, *p;
	struct words hw = { 0 }, mw = { 0 }, hc = { 0 }, mc = { 0 };

	if (!man || !help) {
		DIAG("cannot read %s", path);
		CHECK(0);
		goto out;
	}
	find_options(help, &hw);
	find_options(man, &mw);
	check_same("dcc options", &hw, "dcc --help", &mw, path);

	/* the commands: "  name  ..." lines under "commands:" in --help, the
	 * first word of each .TP/.TQ label under COMMANDS in the page */
	p = strstr(help, "commands:\n");
	for (p = p ? p + 10 : NULL; p && !strncmp(p, "  ", 2) && islower((unsigned char)p[2]);
	     p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		add_word(&hc, p + 2, strcspn(p + 2, " \n"));
	cmds = man_section(man, "COMMANDS");
	for (p = cmds; p && (p = strstr(p, "\n.T")); p++) {
		const char *l = strchr(p + 1, '\n');

		if (!l || (strncmp(p, "\n.TP", 4) && strncmp(p, "\n.TQ", 4)))
			continue;
		l++;
		l += strcspn(l, " ");		/* the macro, .BI */
		l += strspn(l, " \"");
		add_word(&mc, l, strcspn(l, " \"\n"));
	}
	check_same("dcc commands", &hc, "dcc --help", &mc, path);
	free(cmds);
	check_groff(path);
out:
	free(man);
	free(help);
}

static void test_dcaccel_page(void)
{
	const char *path = man_path("dcaccel", 1);
	char *man = man_text(path), *help = help_of("dcaccel", NULL), *p;
	struct words all_help = { 0 }, all_man = { 0 }, cmds = { 0 };

	if (!man || !help) {
		DIAG("cannot read %s", path);
		CHECK(0);
		goto out;
	}
	find_options(help, &all_help);
	find_options(man, &all_man);
	/* commands: the "  name   ..." lines of `dcaccel --help` */
	for (p = help; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, "  ", 2) && islower((unsigned char)p[2]))
			add_word(&cmds, p + 2, strcspn(p + 2, " \n"));
	CHECK(cmds.n >= 3);
	for (unsigned int k = 0; k < cmds.n; k++) {
		char *h = help_of("dcaccel", cmds.w[k]), *sec = man_section(man, cmds.w[k]);
		struct words hw = { 0 }, mw = { 0 };
		char what[96];

		snprintf(what, sizeof(what), "dcaccel %s options", cmds.w[k]);
		if (!sec) {
			DIAG("%s has no section .SS %s", path, cmds.w[k]);
			tap_failures++;
		} else {
			find_options(h, &hw);
			find_options(sec, &mw);
			check_same(what, &hw, "--help", &mw, "its man page section");
		}
		find_options(h, &all_help);
		free(h);
		free(sec);
	}
	check_same("dcaccel options", &all_help, "the --help texts", &all_man, path);
	check_groff(path);
out:
	free(man);
	free(help);
}

/* Identifiers in text: accel_name( (spaces allowed before the parenthesis)
 * into fns, ACCEL_NAME standing alone into consts. */
static void find_api(const char *t, struct words *fns, struct words *consts)
{
	for (const char *p = t; *p; p++) {
		size_t n;

		if (p > t && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		if (!strncmp(p, "accel_", 6)) {
			n = strspn(p, "abcdefghijklmnopqrstuvwxyz_0123456789");
			if (p[n + strspn(p + n, " ")] == '(')
				add_word(fns, p, n);
			p += n - 1;
		} else if (!strncmp(p, "ACCEL_", 6)) {
			n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
			add_word(consts, p, n);
			p += n - 1;
		}
	}
}

/* C source without its comments. */
static void strip_comments(char *s)
{
	char *o = s;

	for (char *p = s; *p;) {
		if (p[0] == '/' && p[1] == '*') {
			char *e = strstr(p + 2, "*/");

			p = e ? e + 2 : p + strlen(p);
			*o++ = ' ';
		} else if (p[0] == '/' && p[1] == '/') {
			p += strcspn(p, "\n");
		} else {
			*o++ = *p++;
		}
	}
	*o = 0;
}

static void test_libaccel_page(void)
{
	const char *path = man_path("libaccel", 3), *inc = getenv("DCACCEL_INCLUDE_DIR");
	char hpath[4096], *man = man_text(path), *hdr;
	struct words hf = { 0 }, hc = { 0 }, mf = { 0 }, mc = { 0 };

	snprintf(hpath, sizeof(hpath), "%s/dcaccel/accel.h",
		 inc && *inc ? inc : TOP_DIR "/userspace/libaccel/include");
	hdr = read_text(hpath);
	if (!man || !hdr) {
		DIAG("cannot read %s or %s", path, hpath);
		CHECK(0);
		goto out;
	}
	strip_comments(hdr);
	find_api(hdr, &hf, &hc);
	find_api(man, &mf, &mc);
	CHECK(hf.n >= 20);
	check_same("libaccel functions", &hf, hpath, &mf, path);
	check_same("libaccel constants", &hc, hpath, &mc, path);
	check_groff(path);
out:
	free(man);
	free(hdr);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_dcc_page),
	TAP_TEST(test_dcaccel_page),
	TAP_TEST(test_libaccel_page),
};

TAP_MAIN(tests)
