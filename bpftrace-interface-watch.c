/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Whether a capture's interface has gone; see the header.
 */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "bpftrace-interface-watch.h"

void
bpftrace_interface_watch_init(struct interface_watch *w)
{
	int i;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	for (i = 0; i < TAPS_MAX; i++)
		w->link_fd[i] = -1;
}

/*
 * The interface a tcx or XDP link is attached to, from its fdinfo; 0 once
 * the interface has gone (the kernel detaches the link then), -1 if the
 * fdinfo does not say.
 */
static int
link_ifindex(int link_fd)
{
	char path[64], line[128];
	unsigned int ifindex;
	int found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", link_fd);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "ifindex: %u", &ifindex) == 1) {
			found = (int)ifindex;
			break;
		}
	fclose(f);
	return found;
}

/*
 * Watches the interface a tap is attached to: the link's own (it cannot
 * be an interface of the same name created since), else the name's.
 * 0, or -1 when there is no room or no such interface.
 */
int
bpftrace_interface_watch_add(struct interface_watch *w, const char *ifname,
    int link_fd)
{
	int ifindex = link_fd >= 0 ? link_ifindex(link_fd) : -1;

	if (w->count == TAPS_MAX)
		return -1;
	if (ifindex < 0)
		ifindex = (int)if_nametoindex(ifname);
	w->ifindex[w->count] = ifindex;
	w->link_fd[w->count] = link_fd;
	w->count++;
	return 0;
}

/*
 * A classic BPF socket filter that passes RTM_DELLINK messages of the
 * watched interfaces and nothing else, so that other interfaces' events
 * never wake the reader.  (Loads are in network byte order; netlink's
 * fields are in the host's.)
 */
static int
attach_filter(struct interface_watch *w)
{
	struct sock_filter code[4 + TAPS_MAX + 1];
	struct sock_fprog prog;
	int n = 0, i, watched = 0, drop, accept;

	for (i = 0; i < w->count; i++)
		if (w->ifindex[i] > 0)
			watched++;
	drop = 3 + watched;
	accept = drop + 1;
	code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS,
	    offsetof(struct nlmsghdr, nlmsg_type));
	code[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    ntohs(RTM_DELLINK), 0, (uint8_t)(drop - 2));
	code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    NLMSG_HDRLEN + offsetof(struct ifinfomsg, ifi_index));
	for (i = 0; i < w->count; i++)
		if (w->ifindex[i] > 0) {
			code[n] = (struct sock_filter)BPF_JUMP(BPF_JMP |
			    BPF_JEQ | BPF_K, ntohl((uint32_t)w->ifindex[i]),
			    (uint8_t)(accept - n - 1), 0);
			n++;
		}
	code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0xffffffff);
	prog.len = (unsigned short)n;
	prog.filter = code;
	return setsockopt(w->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog));
}

/* Whether the interface of watched tap i is no longer here. */
static int
tap_interface_gone(const struct interface_watch *w, int i)
{
	char name[IF_NAMESIZE];

	if (w->ifindex[i] <= 0)
		return 1;
	if (w->link_fd[i] >= 0 && link_ifindex(w->link_fd[i]) == 0)
		return 1;
	/* Moved to another namespace: its link still has it, we do not. */
	return if_indextoname((unsigned int)w->ifindex[i], name) == NULL &&
	    (errno == ENXIO || errno == ENODEV);
}

/*
 * Opens the watch: filter first, then the subscription, so that nothing
 * unfiltered is ever queued.  An interface that went before the
 * subscription is found by the first bpftrace_interface_watch_gone().
 * 0, or -1 with the reason in err.
 */
int
bpftrace_interface_watch_start(struct interface_watch *w, char *err,
    size_t errlen)
{
	struct sockaddr_nl addr;
	int i;

	if (w->count == 0)
		return 0;
	w->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    NETLINK_ROUTE);
	if (w->fd < 0) {
		snprintf(err, errlen, "watching the interface (netlink"
		    " socket): %s", strerror(errno));
		return -1;
	}
	memset(&addr, 0, sizeof(addr));
	addr.nl_family = AF_NETLINK;
	addr.nl_groups = RTMGRP_LINK;
	if (attach_filter(w) != 0 ||
	    bind(w->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		int error = errno;

		close(w->fd);
		w->fd = -1;
		snprintf(err, errlen, "watching the interface (netlink"
		    " link events): %s", strerror(error));
		return -1;
	}
	/* Gone before the subscription: no message will say so. */
	for (i = 0; i < w->count; i++)
		if (tap_interface_gone(w, i))
			w->ifindex[i] = 0;
	return 0;
}

/*
 * 1 when a watched interface has gone, else 0.  Cheap when nothing
 * happened (one non-blocking receive); the interfaces are looked at only
 * after a removal message (a bridge port's removal is one too, of an
 * interface that stays) or a lost one (ENOBUFS).
 */
int
bpftrace_interface_watch_gone(struct interface_watch *w)
{
	char buf[4096];
	ssize_t n;
	int i, look = 0;

	if (w->fd < 0)
		return 0;
	for (i = 0; i < w->count; i++)
		if (w->ifindex[i] <= 0)
			return 1;
	for (;;) {
		n = recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0 || (n < 0 && errno == ENOBUFS))
			look = 1;
		else if (n < 0 && errno == EINTR)
			continue;
		else
			break;
	}
	if (!look)
		return 0;
	for (i = 0; i < w->count; i++)
		if (tap_interface_gone(w, i)) {
			w->ifindex[i] = 0;	/* for good */
			return 1;
		}
	return 0;
}

/* The links are the capture's: only the socket is the watch's own. */
void
bpftrace_interface_watch_close(struct interface_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	bpftrace_interface_watch_init(w);
}
