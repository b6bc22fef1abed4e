/* SPDX-License-Identifier: MIT */
/*
 * Command-line option values for dcc and dcaccel. Each parser takes exactly
 * what the tool's help describes; on anything else it prints one line that
 * names the program, the option, the value given and what is allowed, and
 * returns -1:
 *
 *   dcc: --bits '4,9': item 2 ('9') is not allowed; expected 1 to 16
 *        comma-separated whole numbers from 1 to 8
 *   dcc: --epochs 'ten': expected a whole number from 0 to 1000
 *   dcc: --bits needs a value: 1 to 16 comma-separated whole numbers ...
 *
 * (the last when the option ends the command line: value NULL).
 */
#ifndef DCACCEL_CLIOPT_H
#define DCACCEL_CLIOPT_H

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "PROG: OPT 'VALUE': expected ALLOWED" or "PROG: OPT needs a value: ALLOWED" */
static inline __attribute__((format(printf, 4, 5)))
int cliopt_fail(const char *prog, const char *opt, const char *val,
		const char *allowed, ...)
{
	va_list ap;

	if (val)
		fprintf(stderr, "%s: %s '%s': expected ", prog, opt, val);
	else
		fprintf(stderr, "%s: %s needs a value: ", prog, opt);
	va_start(ap, allowed);
	vfprintf(stderr, allowed, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* Decimal digits only (no sign, no spaces), in [min, max]. */
static inline bool cliopt_is_u64(const char *s, uint64_t min, uint64_t max,
				 uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* A finite number, in (min, max] when above_min, else in [min, max]. */
static inline bool cliopt_is_real(const char *s, double min, double max,
				  bool above_min, double *out)
{
	char *end;
	double v;

	if (!s || !*s || *s == ' ' || *s == '\t')
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v > max ||
	    (above_min ? v <= min : v < min))
		return false;
	*out = v;
	return true;
}

static inline int cliopt_u64(const char *prog, const char *opt, const char *s,
			     uint64_t min, uint64_t max, uint64_t *out)
{
	if (cliopt_is_u64(s, min, max, out))
		return 0;
	return cliopt_fail(prog, opt, s, "a whole number from %llu to %llu",
			   (unsigned long long)min, (unsigned long long)max);
}

static inline int cliopt_u32(const char *prog, const char *opt, const char *s,
			     uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (cliopt_u64(prog, opt, s, min, max, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static inline int cliopt_real(const char *prog, const char *opt, const char *s,
			      double min, double max, bool above_min, float *out)
{
	double v;

	if (cliopt_is_real(s, min, max, above_min, &v)) {
		*out = (float)v;
		return 0;
	}
	return cliopt_fail(prog, opt, s, above_min ?
			   "a number greater than %.10g and at most %.10g" :
			   "a number from %.10g to %.10g", min, max);
}

/*
 * min_n..max_n comma-separated numbers, each in [min, max] (whole numbers
 * when integer; (min, max] when above_min), into v; *n their count.
 */
static inline int cliopt_list(const char *prog, const char *opt, const char *s,
			      uint32_t min_n, uint32_t max_n, bool integer,
			      double min, double max, bool above_min,
			      double *v, uint32_t *n)
{
	char allowed[160], item[64];
	const char *p = s;
	uint32_t k = 0;

	snprintf(allowed, sizeof(allowed), integer ?
		 "%u to %u comma-separated whole numbers from %.10g to %.10g" :
		 above_min ? "%u to %u comma-separated numbers greater than %.10g and at most %.10g" :
		 "%u to %u comma-separated numbers from %.10g to %.10g",
		 min_n, max_n, min, max);
	if (!s || !*s)
		return cliopt_fail(prog, opt, s, "%s", allowed);
	for (;;) {
		size_t len = 0;
		uint64_t u = 0;
		bool ok;

		while (p[len] && p[len] != ',')
			len++;
		snprintf(item, sizeof(item), "%.*s", (int)len, p);
		if (k == max_n)
			return cliopt_fail(prog, opt, s, "%s", allowed);
		ok = len < sizeof(item) && (integer ?
			cliopt_is_u64(item, (uint64_t)min, (uint64_t)max, &u) :
			cliopt_is_real(item, min, max, above_min, &v[k]));
		if (!ok && len == strlen(s))	/* the whole value */
			return cliopt_fail(prog, opt, s, "%s", allowed);
		if (!ok) {
			fprintf(stderr, "%s: %s '%s': item %u ('%s') is not allowed; expected %s\n",
				prog, opt, s, k + 1, item, allowed);
			return -1;
		}
		if (integer)
			v[k] = (double)u;
		k++;
		if (!p[len])
			break;
		p += len + 1;
	}
	if (k < min_n)
		return cliopt_fail(prog, opt, s, "%s", allowed);
	*n = k;
	return 0;
}

#endif /* DCACCEL_CLIOPT_H */
