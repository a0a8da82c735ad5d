/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Notices that the interface of a tc or XDP capture has gone (deleted, or
 * moved to another network namespace).  Nothing else would: the probe just
 * stops running, and a reader waiting for its records would wait for ever.
 * pcap-linux reports "The interface disappeared"; so does this module.
 *
 * A routing netlink socket, subscribed to link events (no privilege
 * needed) and filtered in the kernel to the removal of the watched
 * interfaces, is readable when one may have gone; its descriptor joins the
 * reader's poll() and the selectable descriptor.  Whether the interface is
 * really gone is then asked of the attachment itself where there is one (a
 * tcx or XDP link loses its interface: its fdinfo says ifindex 0), else of
 * the interface index.  All of it works with the descriptors a capture
 * broker's client holds.
 */
#ifndef BPFTRACE_INTERFACE_WATCH_H
#define BPFTRACE_INTERFACE_WATCH_H

#include <stddef.h>

#include "bpftrace-tap-name.h"

struct interface_watch {
	int fd;				/* netlink socket; -1: none */
	int count;
	int ifindex[TAPS_MAX];		/* the interfaces watched */
	int link_fd[TAPS_MAX];		/* a link attached there, or -1 */
};

void	bpftrace_interface_watch_init(struct interface_watch *w);
int	bpftrace_interface_watch_add(struct interface_watch *w,
	    const char *ifname, int link_fd);
int	bpftrace_interface_watch_start(struct interface_watch *w, char *err,
	    size_t errlen);
int	bpftrace_interface_watch_gone(struct interface_watch *w);
void	bpftrace_interface_watch_close(struct interface_watch *w);

#endif /* BPFTRACE_INTERFACE_WATCH_H */
