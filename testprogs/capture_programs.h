/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runs packets through the capture probe a bpf: handle of this process
 * has loaded, with BPF_PROG_TEST_RUN: the very programs, and so the very
 * filter interpreter, that run at the tap.  Kept apart from the libpcap
 * side of the tests because libbpf's and libpcap's headers both define
 * struct bpf_insn.
 */
#ifndef CAPTURE_PROGRAMS_H
#define CAPTURE_PROGRAMS_H

#include <stddef.h>

#define CAPTURE_PROGRAMS_MAX	4

struct capture_programs {
	int fd[CAPTURE_PROGRAMS_MAX];
	char name[CAPTURE_PROGRAMS_MAX][32];
	int count;
};

int	capture_programs_find(struct capture_programs *progs);
int	capture_program_run(int fd, const void *packet, size_t len);
int	capture_program_time(int fd, const void *packet, size_t len,
	    unsigned int repeat, double *ns);

#endif
