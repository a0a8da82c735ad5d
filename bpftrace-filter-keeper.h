/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The filter keeper: for a capture activated in this process, a child
 * that keeps the privilege to load programs after the application gives
 * its own up.  tcpdump activates as root, drops to its own user, then
 * sets its filter: only something that kept CAP_BPF can load the
 * compiled filter then.  The keeper holds the probes' filter targets
 * (their tail-call and decision maps, nothing attached) and answers
 * filter requests (bpftrace-filter-channel.h) from its one connection,
 * the capture's; it exits when that closes, whoever closed it (pcap_close,
 * exit, SIGKILL).  It runs only the translator and the bpf() load: a
 * request can make it load nothing but a validated filter program into
 * this capture's own probes.
 */
#ifndef BPFTRACE_FILTER_KEEPER_H
#define BPFTRACE_FILTER_KEEPER_H

#include "bpftrace-filter-target.h"

int	bpftrace_filter_keeper_start(const struct filter_target *targets,
	    int count, int *connection, char *err, size_t errlen);

#endif /* BPFTRACE_FILTER_KEEPER_H */
