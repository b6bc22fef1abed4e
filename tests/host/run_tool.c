// SPDX-License-Identifier: MIT
#define _XOPEN_SOURCE 700	/* posix_openpt, grantpt, unlockpt, ptsname */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "run_tool.h"

#ifndef BIN_DIR
#error "BIN_DIR: the directory of this build's dcc and dcaccel"
#endif

const char *tool_path(const char *name)
{
	static char path[4096];
	const char *dir = getenv("DCACCEL_BIN_DIR");

	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : BIN_DIR, name);
	return path;
}

/* A pseudo-terminal in raw mode (no \n -> \r\n): master and slave fds. */
static int open_pty(int *master, int *slave)
{
	struct termios t;
	const char *name;

	*master = posix_openpt(O_RDWR | O_NOCTTY);
	if (*master < 0 || grantpt(*master) || unlockpt(*master) ||
	    !(name = ptsname(*master)))
		return -1;
	*slave = open(name, O_RDWR | O_NOCTTY);
	if (*slave < 0 || tcgetattr(*slave, &t))
		return -1;
	cfmakeraw(&t);
	return tcsetattr(*slave, TCSANOW, &t);
}

/* Read what fd has into buf at *len; 0 at its end (EOF, or EIO of a pty). */
static int drain(int fd, char *buf, size_t cap, size_t *len)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0 && errno == EINTR)
		return 1;
	if (n <= 0)
		return 0;
	if (*len + 1 < cap) {
		size_t take = (size_t)n < cap - 1 - *len ? (size_t)n : cap - 1 - *len;

		memcpy(buf + *len, chunk, take);
		*len += take;
		buf[*len] = 0;
	}
	return 1;
}

int tool_run(const char *name, const char *const *args, bool err_tty,
	     struct tool_run *r)
{
	const char *argv[64];
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, st;
	size_t nargs = 0, lens[2] = { 0, 0 };
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	argv[nargs++] = tool_path(name);
	while (args && *args && nargs < 63)
		argv[nargs++] = *args++;
	argv[nargs] = NULL;
	if (pipe(out) || (err_tty ? open_pty(&err[0], &err[1]) : pipe(err)))
		goto out;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		goto out;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	out[1] = err[1] = -1;
	for (int open_fds = 2; open_fds;) {
		struct pollfd p[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		for (int k = 0; k < 2; k++) {
			int *fd = k ? &err[0] : &out[0];

			if (*fd < 0 || !(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!drain(*fd, k ? r->err : r->out, sizeof(r->out), &lens[k])) {
				close(*fd);
				*fd = -1;
				open_fds--;
			}
		}
		/* a closed fd stays in the set as -1, which poll ignores */
	}
	if (waitpid(pid, &st, 0) == pid)
		r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
out:
	for (int k = 0; k < 2; k++) {
		if (out[k] >= 0)
			close(out[k]);
		if (err[k] >= 0)
			close(err[k]);
	}
	return r->status;
}
