/* SPDX-License-Identifier: MIT */
/* One error message buffer that every dcc stage fills for a person to read. */
#ifndef DCC_ERROR_H
#define DCC_ERROR_H

struct dcc_error {
	char msg[320];
};

int dcc_fail(struct dcc_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* DCC_ERROR_H */
