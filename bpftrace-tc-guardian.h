/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clsact filters (the tc mechanism before Linux 6.6) are not bpf_links:
 * nothing removes them when the capturing process ends, and removing them
 * takes CAP_NET_ADMIN, which tcpdump has given up by then.  So activation
 * forks a small guardian, still privileged, that waits for the capturing
 * process to close the handle or to die (SIGKILL included), then removes
 * the filters and, if the capture created it and no other filter is left
 * on it, the clsact qdisc.
 */
#ifndef BPFTRACE_TC_GUARDIAN_H
#define BPFTRACE_TC_GUARDIAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tc_filter_ref {
	int ifindex;
	int egress;
	uint32_t handle;
	uint32_t priority;
};

struct tc_guardian {
	pid_t pid;
	int pipe_fd;			/* write end; closing it is the signal */
};

int	tc_guardian_start(struct tc_guardian *g, const struct tc_filter_ref *refs,
	    int count, int delete_clsact, char *err, size_t errlen);
void	tc_guardian_stop(struct tc_guardian *g);

#endif /* BPFTRACE_TC_GUARDIAN_H */
