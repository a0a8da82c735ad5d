/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libbpf prints warnings to stderr by default; a library must not write
 * to its host program's stderr.  Calls into libbpf are bracketed by these
 * two; libbpf's messages (verifier logs included) then appear only when
 * the environment variable PCAP_BPF_DEBUG is set.
 *
 * Where libbpf's own words are the best reason to give (loading a user's
 * object file: which program, which relocation), the first warning of
 * the bracketed calls is kept in a buffer of the caller's as well.
 */
#ifndef BPFTRACE_LIBBPF_LOG_H
#define BPFTRACE_LIBBPF_LOG_H

#include <stddef.h>

#include <bpf/libbpf.h>

libbpf_print_fn_t bpftrace_libbpf_log_quiet(void);
libbpf_print_fn_t bpftrace_libbpf_log_keep_first(char *warning, size_t len);
void	bpftrace_libbpf_log_restore(libbpf_print_fn_t previous);

#endif /* BPFTRACE_LIBBPF_LOG_H */
