/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bpf:prog:ID, bpf:pinned:PATH and bpf:object:PATH: finds the output map
 * (perf event array or ring buffer) a user's program writes bpf_pcap()
 * records to, and its bpf_pcap_conf map, and fills the latter from the
 * capture's settings for as long as the capture runs (one capture of a
 * program at a time).  An object file's programs are loaded when it is
 * opened and attached by bpftrace_user_program_start(), once the
 * capture's reader and settings are in place (bpftrace-user-object.c).
 */
#ifndef BPFTRACE_USER_PROGRAM_H
#define BPFTRACE_USER_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "bpf/bpf_pcap.h"
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
	struct bpf_pcap_conf conf_found; /* restored on close, when... */
	uint32_t conf_claim;		/* ...this is still in it; 0: none */
	struct user_object *object;	/* bpf:object: loaded by us; NULL */
};

int	bpftrace_user_program_open(const char *device,
	    const struct tap_spec *spec,
	    struct user_program *up, char *err, size_t errlen);
int	bpftrace_user_program_configure(struct user_program *up,
	    const char *device, uint32_t link_type, uint32_t snaplen,
	    char *err, size_t errlen);
int	bpftrace_user_program_start(struct user_program *up,
	    const char *device, char *err, size_t errlen);
void	bpftrace_user_program_close(struct user_program *up);
int	bpftrace_user_program_list_taps(tap_list_fn fn, void *ctx);

#endif /* BPFTRACE_USER_PROGRAM_H */
