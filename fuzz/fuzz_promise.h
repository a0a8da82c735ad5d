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

static inline void
promise_broken(const char *what)
{
	fprintf(stderr, "broken promise: %s\n", what);
	abort();
}

#endif /* FUZZ_PROMISE_H */
