/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clsact filters (the tc mechanism before Linux 6.6) are not bpf_links:
 * nothing removes them when the capturing process ends, and removing them
 * takes CAP_NET_ADMIN, which tcpdump has given up by then.  So activation
 * forks a small guardian, still privileged, that waits for the capturing
 * process to close the handle or to die (SIGKILL included), then removes
 * the filters and, if the capture created it and no other filter is left
 * on it, the clsact qdisc.
 *
 * "Closed" means closed by every process that holds the handle: a program
 * that forks after activation (a daemon: p0f -d) shares the capture with
 * its child, as it would share a packet socket, and the filters stay
 * until the last copy goes.  pcap_close() waits for the removal only in
 * the process that activated the capture and has not forked since: there
 * it is the last holder, and elsewhere waiting could block it for good.
 * The guardian is not the application's child (it is forked twice), so
 * it never shows up in the application's wait() calls.
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
	int watch_fd;			/* write end; its last close is the
					   signal; -1 when no guardian runs */
	int done_fd;			/* read end; end of file once the
					   guardian has finished */
	pid_t owner;			/* the process that started it */
	unsigned long forks;		/* the owner's forks until then */
};

int	bpftrace_tc_guardian_start(struct tc_guardian *g,
	    const struct tc_filter_ref *refs,
	    int count, int delete_clsact, char *err, size_t errlen);
void	bpftrace_tc_guardian_init(struct tc_guardian *g);
void	bpftrace_tc_guardian_adopt(struct tc_guardian *g, int watch_fd,
	    int done_fd);
void	bpftrace_tc_guardian_stop(struct tc_guardian *g);

#endif /* BPFTRACE_TC_GUARDIAN_H */
