/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keeps libbpf quiet unless PCAP_BPF_DEBUG is set; see the header.
 */
#define _GNU_SOURCE		/* secure_getenv */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "bpftrace-libbpf-log.h"

static int
libbpf_message(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || secure_getenv("PCAP_BPF_DEBUG") == NULL)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

libbpf_print_fn_t
bpftrace_libbpf_log_quiet(void)
{
	return libbpf_set_print(libbpf_message);
}

void
bpftrace_libbpf_log_restore(libbpf_print_fn_t previous)
{
	libbpf_set_print(previous);
}
