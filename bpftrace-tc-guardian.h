/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clsact filters (the tc mechanism before Linux 6.6) are not bpf_links:
 * nothing removes them when the capturing process ends, and removing them
 * takes CAP_NET_ADMIN, which tcpdump has given up by then.  So activation
 * forks a small guardian, still privileged, that waits for the capturing
 * process to close the handle or to die (SIGKILL included), then removes
 * its filters and, if one of our captures created it and no filter is
 * left on it, the clsact qdisc.
 *
 * The guardian is forked before the capture changes anything on the
 * interface, and knows its filters by their programs' ids, not by a
 * handle the kernel gives back: a SIGKILL at any point of attaching (the
 * qdisc made, a filter attached or not yet) leaves nothing behind.  It
 * also holds the mark that says the qdisc is ours from before the qdisc
 * is made (see bpftrace_tc_guardian_start()).
 *
 * "Closed" means closed by every process that holds the handle: a program
 * that forks after activation (a daemon: p0f -d) shares the capture with
 * its child, as it would share a packet socket, and the filters stay
 * until the last copy goes.  pcap_close() waits for the removal only in
 * the process that activated the capture and has not forked since: there
 * it is the last holder, and elsewhere waiting could block it for good.
 * The guardian is not the application's child (it is forked twice), so
 * it never shows up in the application's wait() calls.
 *
 * The qdisc is shared: several captures (of any user, in process or
 * through the broker) and other tools ('tc filter add') attach to it.
 * Removing it takes every filter on it, so "is anything else on it?" and
 * "remove it" must not be split by an attach.  Captures hold the
 * interface's clsact lock (bpftrace_tc_clsact_lock()) from starting the
 * guardian until their filters are attached; a guardian takes it for the
 * check and the removal, and removes only a qdisc that one of our
 * captures created (remembered by the guardians of the captures on it,
 * so that the last of them removes it, whichever came first).  Every wait is bounded: a
 * netlink answer, the lock, the close's wait for the guardian; what the
 * guardian could not do it reports in one line on stderr at close.  A
 * foreign tool attaching between the check and the removal (a window of
 * two netlink calls) is the one race left: the kernel offers no "remove
 * if empty".  A process that holds the lock's name for itself (any user
 * in the network namespace may bind it) makes clsact captures of that
 * interface fail after the bound, with a message naming it, and stops
 * guardians from removing the qdisc, never filters of others.
 */
#ifndef BPFTRACE_TC_GUARDIAN_H
#define BPFTRACE_TC_GUARDIAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tc_guardian {
	int watch_fd;			/* write end; its last close is the
					   signal; -1 when no guardian runs */
	int done_fd;			/* read end; end of file once the
					   guardian has finished */
	pid_t owner;			/* the process that started it */
	unsigned long forks;		/* the owner's forks until then */
	int marker;			/* the guardian's "ours" marker, while
					   attaching; -1 otherwise */
	int marked;			/* the marker holds its name */
	int marked_in_advance;		/* before the qdisc was made */
	int ifindex;
};

/*
 * Starts the guardian before anything is attached, the interface's
 * clsact lock held: it removes the filters running the programs of
 * prog_ids (count of them, up to 2) and, if ours, the qdisc, whenever
 * the capture ends, a SIGKILL in the middle of attaching included.
 * Then, after the first bpf_tc_hook_create(), the caller says whether
 * it created the qdisc (bpftrace_tc_guardian_qdisc()), and when done
 * attaching, successfully or not, calls bpftrace_tc_guardian_attached().
 * 0, or -1 with a one-line message.
 */
int	bpftrace_tc_guardian_start(struct tc_guardian *g, int ifindex,
	    const uint32_t *prog_ids, int count, char *err, size_t errlen);
void	bpftrace_tc_guardian_qdisc(struct tc_guardian *g, int created);
void	bpftrace_tc_guardian_attached(struct tc_guardian *g);
void	bpftrace_tc_guardian_init(struct tc_guardian *g);
void	bpftrace_tc_guardian_adopt(struct tc_guardian *g, int watch_fd,
	    int done_fd);
void	bpftrace_tc_guardian_stop(struct tc_guardian *g);

/*
 * The interface's clsact lock: a descriptor, or -1 with a one-line
 * message after a bounded wait.  Hold it from
 * bpftrace_tc_guardian_start() until the filters are attached, and while
 * removing a qdisc.
 */
int	bpftrace_tc_clsact_lock(int ifindex, char *err, size_t errlen);
void	bpftrace_tc_clsact_unlock(int fd);
/*
 * Takes the lock and removes the interface's clsact qdisc if no filter
 * is on it: for a capture that created it and ends without a guardian
 * (its activation failed).  0, or a negative errno.
 */
int	bpftrace_tc_clsact_remove_if_unused(int ifindex);
/*
 * The priorities of the filters (of any kind) on one clsact hook, the
 * lowest and the highest: how many filters there are (0: none, the
 * priorities unset), or a negative errno.
 */
int	bpftrace_tc_clsact_priorities(int ifindex, int egress,
	    uint32_t *lowest, uint32_t *highest);

#endif /* BPFTRACE_TC_GUARDIAN_H */
