/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bpf:prog:ID and bpf:pinned:PATH: finds the output map (perf event array
 * or ring buffer) a user's program writes bpf_pcap() records to, and its
 * bpf_pcap_conf map, and fills the latter from the capture's settings.
 */
#ifndef BPFTRACE_USER_PROGRAM_H
#define BPFTRACE_USER_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "bpftrace-resolved-tap.h"

enum user_output_kind {
	USER_OUTPUT_RINGBUF,
	USER_OUTPUT_PERF
};

struct user_program {
	int output_fd;
	enum user_output_kind kind;
	size_t ring_bytes;		/* ring buffer: its size */
	int conf_fd;			/* -1: the program has none */
	char output_name[16];
};

int	bpftrace_user_program_open(const char *device,
	    const struct tap_spec *spec,
	    struct user_program *up, char *err, size_t errlen);
int	bpftrace_user_program_configure(const struct user_program *up,
	    uint32_t link_type, uint32_t snaplen);
void	bpftrace_user_program_close(struct user_program *up);
int	bpftrace_user_program_list_taps(tap_list_fn fn, void *ctx);

#endif /* BPFTRACE_USER_PROGRAM_H */
