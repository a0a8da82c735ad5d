/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the filter tests (filter_diff, filter_compile_check) run filters
 * over and with: Ethernet frames of capture files, and the expressions of
 * tests/filters/expressions.txt.
 */
#ifndef FILTER_INPUTS_H
#define FILTER_INPUTS_H

#include <stdint.h>

#define FILTER_INPUT_MAX_FRAME	3000	/* what BPF_PROG_TEST_RUN takes */

struct test_frame {
	unsigned char *bytes;
	uint32_t len;		/* captured */
	uint32_t wire_len;
};

struct test_frames {
	struct test_frame *frame;
	int count;
	int max;
};

void	test_frames_load(struct test_frames *frames, const char *path,
	    int per_file);
int	test_expressions_read(const char *path, char ***out);

#endif
