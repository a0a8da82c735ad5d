/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libbpf prints warnings to stderr by default; a library must not write
 * to its host program's stderr.  Calls into libbpf are bracketed by these
 * two; libbpf's messages (verifier logs included) then appear only when
 * the environment variable PCAP_BPF_DEBUG is set.
 */
#ifndef BPFTRACE_LIBBPF_LOG_H
#define BPFTRACE_LIBBPF_LOG_H

#include <bpf/libbpf.h>

libbpf_print_fn_t bpftrace_libbpf_log_quiet(void);
void	bpftrace_libbpf_log_restore(libbpf_print_fn_t previous);

#endif /* BPFTRACE_LIBBPF_LOG_H */
