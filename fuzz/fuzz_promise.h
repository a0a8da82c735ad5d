/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the fuzz targets do when a parser breaks a promise that no
 * sanitizer sees (a refusal that keeps a descriptor, an accepted request
 * that does not encode back): say which, and abort, which libFuzzer takes
 * for a crash and keeps the input of.
 */
#ifndef FUZZ_PROMISE_H
#define FUZZ_PROMISE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void
promise_broken(const char *what)
{
	fprintf(stderr, "broken promise: %s\n", what);
	abort();
}

/* A refusal's reason: given, within its buffer, on one line. */
static inline void
promise_reason(const char *why, size_t whylen)
{
	const char *c;

	if (memchr(why, '\0', whylen) == NULL || why[0] == '\0')
		promise_broken("refused program: no reason");
	for (c = why; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20)
			promise_broken("refused program: reason not one line");
}

#endif /* FUZZ_PROMISE_H */
