/* SPDX-License-Identifier: MIT */
/*
 * Run dcc or dcaccel as a user does, for the host tests of their command
 * lines and man pages: the programs of this build (BIN_DIR), or those that
 * $DCACCEL_BIN_DIR names (e.g. installed from the Debian packages).
 */
#ifndef DCACCEL_TESTS_RUN_TOOL_H
#define DCACCEL_TESTS_RUN_TOOL_H

#include <stdbool.h>
#include <stddef.h>

struct tool_run {
	int status;		/* exit code; 128 + signal when killed; -1 */
	char out[16384];	/* stdout, NUL-terminated (cut at the size) */
	char err[16384];	/* stderr, the same */
};

/* The path of program `name` ("dcc", "dcaccel") in a static buffer. */
const char *tool_path(const char *name);

/*
 * Run the program `name` with the NULL-terminated args (argv[1]...), stdin
 * /dev/null. stderr is a pipe, or a terminal (a pseudo-terminal in raw
 * mode) when err_tty. Returns r->status.
 */
int tool_run(const char *name, const char *const *args, bool err_tty,
	     struct tool_run *r);

#endif /* DCACCEL_TESTS_RUN_TOOL_H */
