/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The clsact guardian and the lock its captures share; see the header.
 * The guardian child runs nothing but system calls on memory of its own:
 * it was forked from a process that may hold library locks, so it
 * allocates nothing and calls into no library (not even snprintf).
 */
#define _GNU_SOURCE		/* pipe2 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "bpftrace-tc-guardian.h"
#include "bpftrace-helper-process.h"

#define GUARDED_MAX	2	/* programs: ingress and egress */
#define FOUND_MAX	8	/* filters of ours one dump may find */

/* What the probe writes on the watched pipe (see guard()). */
#define NOT_OURS	'f'	/* the qdisc was there before us after all */
#define GUARDING	'g'	/* the guardian's first word: it is ready */
#define GUARDIAN_START_MS	5000	/* for the guardian to say it */

/*
 * Bounds of every wait, generous for a loaded machine: the kernel answers
 * a netlink request in microseconds, and the lock is held for a few such
 * requests.  The guardian's whole run stays within the close's wait.
 */
#define NETLINK_WAIT_MS		3000	/* one answer of the kernel */
#define CLSACT_LOCK_WAIT_MS	10000	/* the interface's clsact lock */
#define GUARDIAN_WAIT_MS	30000	/* pcap_close() for the guardian */

/* The abstract socket names, under pcap-bpftrace/clsact/IFINDEX/. */
#define NAME_ROOT	"pcap-bpftrace/clsact/"
#define LOCK_LEAF	"lock"
#define OURS_LEAF	"ours/"

struct unix_name {
	struct sockaddr_un addr;
	socklen_t len;
};

/*
 * What the guardian child needs, prepared by its parent before anything
 * is attached.  Our filters are known by their programs' ids, not by a
 * handle: the guardian must find them wherever the kill came, even
 * between the kernel's attaching a filter and libbpf's returning its
 * handle.  An id is not reused while its program is loaded (a filter
 * holds it), and ids are allocated cyclically over 31 bits.
 */
struct guard_plan {
	uint32_t prog_ids[GUARDED_MAX];
	int count;
	int ifindex;
	struct unix_name lock;
	char ifname[IF_NAMESIZE];
};

/* A filter found on a hook, by what deleting it takes. */
struct found_filter {
	uint32_t parent;
	uint32_t handle;
	uint32_t info;		/* priority and protocol */
};

/* A one-line message built without the C library's formatting. */
struct note {
	char text[200];
	size_t len;
};

static void
note_add(struct note *n, const char *s)
{
	while (*s != '\0' && n->len < sizeof(n->text) - 1)
		n->text[n->len++] = *s++;
	n->text[n->len] = '\0';
}

static void
note_number(struct note *n, unsigned long v)
{
	char digits[24];
	int i = (int)sizeof(digits) - 1;

	digits[i] = '\0';
	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0 && i > 0);
	note_add(n, &digits[i]);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * An abstract unix socket name: it lives in the network namespace, the
 * same scope as the interface index, needs no file or permission (so
 * captures of every user and the broker's meet there), and goes with the
 * last descriptor of its socket, a SIGKILLed holder's included.
 */
static void
make_name(struct unix_name *u, int ifindex, const char *leaf)
{
	int n;

	memset(u, 0, sizeof(*u));
	u->addr.sun_family = AF_UNIX;
	n = snprintf(u->addr.sun_path + 1, sizeof(u->addr.sun_path) - 1,
	    NAME_ROOT "%d/%s", ifindex, leaf);
	u->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/*
 * Takes the lock by binding its name, retrying until wait_ms have
 * passed: a descriptor, or -1 with errno (ETIMEDOUT: another process
 * holds it).  System calls only: the guardian child runs it too.
 */
static int
take_lock(const struct unix_name *name, int wait_ms)
{
	long deadline = now_ms() + wait_ms;
	int fd, pause = 1;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	while (bind(fd, (const struct sockaddr *)&name->addr,
	    name->len) != 0) {
		if (errno != EADDRINUSE || now_ms() >= deadline) {
			int error = errno == EADDRINUSE ? ETIMEDOUT : errno;

			close(fd);
			errno = error;
			return -1;
		}
		(void)poll(NULL, 0, pause);
		if (pause < 16)
			pause *= 2;
	}
	return fd;
}

int
bpftrace_tc_clsact_lock(int ifindex, char *err, size_t errlen)
{
	struct unix_name name;
	int fd;

	make_name(&name, ifindex, LOCK_LEAF);
	if ((fd = take_lock(&name, CLSACT_LOCK_WAIT_MS)) >= 0)
		return fd;
	if (errno == ETIMEDOUT)
		snprintf(err, errlen, "the clsact qdisc of interface index %d"
		    " stayed locked for %d s (abstract socket @%s in this"
		    " network namespace): another process holds it; retry,"
		    " or end that process", ifindex, CLSACT_LOCK_WAIT_MS / 1000,
		    name.addr.sun_path + 1);
	else
		snprintf(err, errlen, "the clsact lock of interface index %d:"
		    " %s", ifindex, strerror(errno));
	return -1;
}

void
bpftrace_tc_clsact_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/*
 * Whether a guardian of ours holds the interface's clsact qdisc as
 * created by one of our captures: each such guardian binds a name
 * under .../ours/, listed in /proc/net/unix (this namespace's sockets).
 * Unreadable means no: a qdisc then stays rather than going wrongly.
 */
static int
qdisc_marked_ours(int ifindex)
{
	char prefix[64], line[512];
	FILE *f;
	int found = 0;

	snprintf(prefix, sizeof(prefix), "@" NAME_ROOT "%d/" OURS_LEAF,
	    ifindex);
	if ((f = fopen("/proc/net/unix", "re")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, prefix) != NULL;
	fclose(f);
	return found;
}

/*
 * Binds the socket fd to a name of its own under .../ours/: 0, or -1.
 * The guardian holds the same socket (it inherited it), so the name
 * marks the qdisc as ours until the guardian closes it, even if the
 * process that bound it is gone.
 */
static int
bind_ours(int fd, int ifindex)
{
	struct unix_name name;
	char leaf[40];
	uint64_t tag;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		if (getrandom(&tag, sizeof(tag), 0) != sizeof(tag))
			tag = ((uint64_t)getpid() << 32) ^ (uint64_t)now_ms() ^
			    (uint64_t)tries;
		snprintf(leaf, sizeof(leaf), OURS_LEAF "%016llx",
		    (unsigned long long)tag);
		make_name(&name, ifindex, leaf);
		if (bind(fd, (const struct sockaddr *)&name.addr,
		    name.len) == 0)
			return 0;
	}
	return -1;
}

/* Whether the marker socket holds a name (system calls only). */
static int
marker_bound(int fd)
{
	struct sockaddr_un addr;
	socklen_t len = sizeof(addr);

	if (fd < 0 || getsockname(fd, (struct sockaddr *)&addr, &len) != 0)
		return 0;
	return len > offsetof(struct sockaddr_un, sun_path);
}

struct tc_request {
	struct nlmsghdr header;
	struct tcmsg tc;
	char attributes[64];
};

/* Appends a string attribute (TCA_KIND) to the request. */
static void
add_kind(struct tc_request *req, const char *kind)
{
	struct rtattr *rta = (struct rtattr *)((char *)req +
	    NLMSG_ALIGN(req->header.nlmsg_len));
	size_t len = strlen(kind) + 1;

	rta->rta_type = TCA_KIND;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), kind, len);
	req->header.nlmsg_len = NLMSG_ALIGN(req->header.nlmsg_len) +
	    RTA_ALIGN(rta->rta_len);
}

/*
 * Room for a datagram of a dump: the kernel sizes them by the reader's
 * buffer, from a page up.  On the stack: threads may close captures at
 * once, and the guardian child has no heap of its own.
 */
#define REPLY_BYTES	16384

/*
 * Receives the next datagram within the socket's timeout: its length,
 * or -ETIMEDOUT (no answer), or another negative errno.  A datagram cut
 * short means parts of the answer are lost: counted as an error.
 */
static ssize_t
receive(int sock, char *reply)
{
	ssize_t n;

	do
		n = recv(sock, reply, REPLY_BYTES, MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ?
		    -ETIMEDOUT : -errno;
	if ((size_t)n > REPLY_BYTES)
		return -EMSGSIZE;
	return n;
}

/*
 * Sends one request and waits for its acknowledgement: 0, or a
 * negative errno (the kernel's answer, or -ETIMEDOUT).
 */
static int
transact(int sock, struct tc_request *req, uint32_t seq)
{
	long deadline = now_ms() + NETLINK_WAIT_MS;
	char reply[REPLY_BYTES];

	req->header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req->header.nlmsg_seq = seq;
	if (send(sock, req, req->header.nlmsg_len, 0) < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	while (now_ms() < deadline) {
		ssize_t n = receive(sock, reply);
		struct nlmsghdr *m = (struct nlmsghdr *)reply;

		if (n < 0)
			return (int)n;
		for (; NLMSG_OK(m, (size_t)n); m = NLMSG_NEXT(m, n))
			if (m->nlmsg_seq == seq &&
			    m->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(m))->error;
	}
	return -ETIMEDOUT;
}

static int
delete_filter(int sock, int ifindex, const struct found_filter *f,
    uint32_t seq)
{
	struct tc_request req;

	memset(&req, 0, sizeof(req));
	req.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
	req.header.nlmsg_type = RTM_DELTFILTER;
	req.tc.tcm_family = AF_UNSPEC;
	req.tc.tcm_ifindex = ifindex;
	req.tc.tcm_handle = f->handle;
	req.tc.tcm_parent = f->parent;
	req.tc.tcm_info = f->info;
	add_kind(&req, "bpf");
	return transact(sock, &req, seq);
}

/*
 * The program id of a bpf filter's message (TCA_OPTIONS, TCA_BPF_ID), or
 * 0: another kind of filter, or the message of a priority's head, which
 * names no filter.
 */
static uint32_t
filter_program(struct nlmsghdr *m)
{
	struct tcmsg *tc = NLMSG_DATA(m);
	struct rtattr *a = (struct rtattr *)((char *)tc +
	    NLMSG_ALIGN(sizeof(*tc)));
	int len = (int)m->nlmsg_len - NLMSG_LENGTH(sizeof(*tc));
	int is_bpf = 0;
	uint32_t id = 0;

	for (; len > 0 && RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == TCA_KIND)
			is_bpf = RTA_PAYLOAD(a) == 4 &&
			    memcmp(RTA_DATA(a), "bpf", 4) == 0;
		else if (a->rta_type == TCA_OPTIONS) {
			struct rtattr *o = RTA_DATA(a);
			int olen = (int)RTA_PAYLOAD(a);

			for (; RTA_OK(o, olen); o = RTA_NEXT(o, olen))
				if ((o->rta_type & NLA_TYPE_MASK) ==
				    TCA_BPF_ID &&
				    RTA_PAYLOAD(o) >= sizeof(uint32_t))
					memcpy(&id, RTA_DATA(o), sizeof(id));
		}
	}
	return is_bpf ? id : 0;
}

static int
planned_program(const struct guard_plan *plan, uint32_t id)
{
	int i;

	for (i = 0; id != 0 && i < plan->count; i++)
		if (plan->prog_ids[i] == id)
			return 1;
	return 0;
}

static void
found_add(struct found_filter *f, const struct tcmsg *tc)
{
	f->parent = tc->tcm_parent;
	f->handle = tc->tcm_handle;
	f->info = tc->tcm_info;
}

/* The lowest and highest priority of the filters on a hook. */
struct priority_span {
	uint32_t lowest, highest;
};

/*
 * Dumps the filters on one clsact hook: their messages counted, or a
 * negative errno when the dump did not complete.  With a plan, the
 * filters running its programs are also collected in found (*nfound);
 * with a span, their priorities.
 */
static int
dump_filters(int sock, int ifindex, uint32_t hook, uint32_t seq,
    const struct guard_plan *plan, struct found_filter *found, int *nfound,
    struct priority_span *span)
{
	long deadline = now_ms() + NETLINK_WAIT_MS;
	struct tc_request req;
	char reply[REPLY_BYTES];
	int listed = 0;

	memset(&req, 0, sizeof(req));
	req.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
	req.header.nlmsg_type = RTM_GETTFILTER;
	req.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.header.nlmsg_seq = seq;
	req.tc.tcm_family = AF_UNSPEC;
	req.tc.tcm_ifindex = ifindex;
	req.tc.tcm_parent = TC_H_MAKE(TC_H_CLSACT, hook);
	if (send(sock, &req, req.header.nlmsg_len, 0) < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	while (now_ms() < deadline) {
		ssize_t n = receive(sock, reply);
		struct nlmsghdr *m = (struct nlmsghdr *)reply;

		if (n < 0)
			return (int)n;
		for (; NLMSG_OK(m, (size_t)n); m = NLMSG_NEXT(m, n)) {
			if (m->nlmsg_seq != seq)
				continue;
			if (m->nlmsg_type == NLMSG_DONE)
				return listed;
			if (m->nlmsg_type == NLMSG_ERROR) {
				int e = ((struct nlmsgerr *)
				    NLMSG_DATA(m))->error;

				return e < 0 ? e : -EPROTO;
			}
			if (m->nlmsg_type != RTM_NEWTFILTER)
				continue;
			listed++;
			if (span != NULL) {
				uint32_t prio = TC_H_MAJ(((struct tcmsg *)
				    NLMSG_DATA(m))->tcm_info) >> 16;

				if (listed == 1 || prio < span->lowest)
					span->lowest = prio;
				if (listed == 1 || prio > span->highest)
					span->highest = prio;
			}
			if (plan != NULL && *nfound < FOUND_MAX &&
			    planned_program(plan, filter_program(m))) {
				struct tcmsg *tc = NLMSG_DATA(m);

				found_add(&found[(*nfound)++], tc);
			}
		}
	}
	return -ETIMEDOUT;
}

static int
count_filters(int sock, int ifindex, uint32_t hook, uint32_t seq)
{
	return dump_filters(sock, ifindex, hook, seq, NULL, NULL, NULL, NULL);
}

static int
delete_clsact(int sock, int ifindex, uint32_t seq)
{
	struct tc_request req;

	memset(&req, 0, sizeof(req));
	req.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
	req.header.nlmsg_type = RTM_DELQDISC;
	req.tc.tcm_family = AF_UNSPEC;
	req.tc.tcm_ifindex = ifindex;
	req.tc.tcm_parent = TC_H_CLSACT;
	req.tc.tcm_handle = TC_H_MAKE(TC_H_CLSACT, 0);
	add_kind(&req, "clsact");
	return transact(sock, &req, seq);
}

/* A netlink socket whose every wait ends within NETLINK_WAIT_MS. */
static int
open_netlink(void)
{
	struct timeval tv = { NETLINK_WAIT_MS / 1000,
	    (NETLINK_WAIT_MS % 1000) * 1000 };
	int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (sock < 0)
		return -1;
	if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
		close(sock);
		return -1;
	}
	return sock;
}

/* The message's head: whose guardian, and what failed. */
static void
note_failure(struct note *n, const struct guard_plan *plan, const char *what,
    int error)
{
	if (n->len != 0)
		return;		/* the first failure is the cause */
	note_add(n, "pcap-bpftrace: clsact guardian of ");
	note_add(n, plan->ifname);
	note_add(n, ": ");
	note_add(n, what);
	if (error == -ETIMEDOUT) {
		note_add(n, ": no answer from the kernel within ");
		note_number(n, NETLINK_WAIT_MS / 1000);
		note_add(n, " s");
	} else if (error != 0) {
		note_add(n, ": error ");
		note_number(n, (unsigned long)-error);
	}
}

/* An interface gone takes its qdisc and filters with it. */
static int
interface_gone(int error)
{
	return error == -ENODEV;
}

/*
 * Removes the clsact qdisc if no filter is on it; the caller holds the
 * interface's clsact lock.  0 (removed, or kept for the filters on it),
 * or a negative errno with what failed.
 */
static int
remove_qdisc_if_unused(int sock, int ifindex, uint32_t *seq,
    const char **what)
{
	int hook, left = 0, error;

	for (hook = 0; hook < 2 && left == 0; hook++)
		left = count_filters(sock, ifindex, hook == 0 ?
		    TC_H_MIN_INGRESS : TC_H_MIN_EGRESS, (*seq)++);
	if (left > 0 || interface_gone(left))
		return 0;
	if (left < 0) {
		*what = "listing the filters left; the qdisc stays";
		return left;
	}
	error = delete_clsact(sock, ifindex, (*seq)++);
	/* ENOENT, EINVAL: no clsact qdisc there any more. */
	if (error == -ENOENT || error == -EINVAL || interface_gone(error))
		return 0;
	*what = "removing the clsact qdisc";
	return error;
}

/*
 * Removes the filters that run the capture's programs, on both hooks:
 * what the capture attached before it ended, however far it got.
 */
static void
remove_filters(int sock, const struct guard_plan *plan, uint32_t *seq,
    struct note *n)
{
	struct found_filter found[FOUND_MAX];
	int hook, i, nfound, listed, error;

	for (hook = 0; hook < 2; hook++) {
		nfound = 0;
		listed = dump_filters(sock, plan->ifindex, hook == 0 ?
		    TC_H_MIN_INGRESS : TC_H_MIN_EGRESS, (*seq)++, plan, found,
		    &nfound, NULL);
		if (interface_gone(listed))
			return;
		/* ENOENT, EINVAL: no clsact qdisc, so no filter either. */
		if (listed < 0 && listed != -ENOENT && listed != -EINVAL)
			note_failure(n, plan, "listing the filters; ours may"
			    " stay", listed);
		for (i = 0; i < nfound; i++) {
			error = delete_filter(sock, plan->ifindex, &found[i],
			    (*seq)++);
			/* ENOENT: gone already, with its qdisc, say. */
			if (error != 0 && error != -ENOENT &&
			    error != -EINVAL && !interface_gone(error))
				note_failure(n, plan, "removing a filter",
				    error);
		}
	}
}

/*
 * Removes the capture's filters, then, holding the interface's clsact
 * lock, the qdisc if it is ours (the marker holds a name) and nothing
 * else is on it.  The lock makes "nothing is on it" still true when the
 * qdisc goes: our captures attach only while holding it.
 */
static void
clean_up(const struct guard_plan *plan, int marker, struct note *n)
{
	const char *what = NULL;
	uint32_t seq = 1;
	int sock, lock, error;

	if ((sock = open_netlink()) < 0) {
		note_failure(n, plan, "no netlink socket; filters left", -errno);
		return;
	}
	remove_filters(sock, plan, &seq, n);
	if (!marker_bound(marker)) {
		close(sock);
		return;
	}
	if ((lock = take_lock(&plan->lock, CLSACT_LOCK_WAIT_MS)) < 0) {
		note_failure(n, plan, "the clsact lock stayed taken; the empty"
		    " qdisc may stay", 0);
		close(sock);
		return;
	}
	close(marker);		/* ours no longer: the lock says so at once */
	if ((error = remove_qdisc_if_unused(sock, plan->ifindex, &seq,
	    &what)) != 0)
		note_failure(n, plan, what, error);
	close(lock);
	close(sock);
}

/*
 * Whether the interface has a clsact (or ingress) qdisc: 1, 0, or a
 * negative errno when the kernel did not say.
 */
static int
clsact_present(int ifindex)
{
	struct tc_request req;
	int sock, error;

	if ((sock = open_netlink()) < 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	req.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
	req.header.nlmsg_type = RTM_GETQDISC;
	req.tc.tcm_family = AF_UNSPEC;
	req.tc.tcm_ifindex = ifindex;
	req.tc.tcm_parent = TC_H_CLSACT;
	req.tc.tcm_handle = TC_H_MAKE(TC_H_CLSACT, 0);
	error = transact(sock, &req, 1);
	close(sock);
	/* ENOENT: no ingress queue; EINVAL: an empty one (noop, handle 0). */
	if (error == -ENOENT || error == -EINVAL)
		return 0;
	return error == 0 ? 1 : error;
}

int
bpftrace_tc_clsact_priorities(int ifindex, int egress, uint32_t *lowest,
    uint32_t *highest)
{
	struct priority_span span = { 0, 0 };
	int sock, n;

	if ((sock = open_netlink()) < 0)
		return -errno;
	n = dump_filters(sock, ifindex, egress ? TC_H_MIN_EGRESS :
	    TC_H_MIN_INGRESS, 1, NULL, NULL, NULL, &span);
	close(sock);
	/* ENOENT, EINVAL: no clsact qdisc, so no filter. */
	if (n == -ENOENT || n == -EINVAL)
		n = 0;
	*lowest = span.lowest;
	*highest = span.highest;
	return n;
}

int
bpftrace_tc_clsact_remove_if_unused(int ifindex)
{
	const char *what = NULL;
	struct unix_name name;
	uint32_t seq = 1;
	int sock, lock, error;

	make_name(&name, ifindex, LOCK_LEAF);
	if ((lock = take_lock(&name, CLSACT_LOCK_WAIT_MS)) < 0)
		return -errno;
	if ((sock = open_netlink()) < 0) {
		error = -errno;
		close(lock);
		return error;
	}
	error = remove_qdisc_if_unused(sock, ifindex, &seq, &what);
	close(sock);
	close(lock);
	return error;
}

/*
 * The guardian keeps three descriptors: the watched pipe as its standard
 * input, the done pipe as output, the "ours" marker (or /dev/null's
 * place) as 2; every other one goes, so that it holds neither the probe
 * nor anything of the application's (a socket it listens on, the pipe of
 * a shell's command substitution).
 */
static void
keep_only(int watch_fd, int done_fd, int marker)
{
	long max = sysconf(_SC_OPEN_MAX), i;

	/*
	 * Everything else goes first: with the descriptor limit nearly
	 * used up (the application's, inherited), the moves below would
	 * find no free slot.
	 */
	for (i = 0; i < (max > 0 ? max : 1024); i++) {
		if (i == watch_fd || i == done_fd || i == marker)
			continue;
#ifdef SYS_close_range
		if (i > watch_fd && i > done_fd && i > marker &&
		    syscall(SYS_close_range, (unsigned int)i, ~0U, 0) == 0)
			break;
#endif
		close((int)i);
	}
	/*
	 * Above 2 next: a program that closed its standard descriptors
	 * got them back as these, and the moves below would overwrite one.
	 */
	if ((watch_fd = fcntl(watch_fd, F_DUPFD, 3)) < 0 ||
	    (done_fd = fcntl(done_fd, F_DUPFD, 3)) < 0 ||
	    (marker >= 0 && (marker = fcntl(marker, F_DUPFD, 3)) < 0))
		_exit(1);
	if (dup2(watch_fd, 0) < 0 || dup2(done_fd, 1) < 0)
		_exit(1);
	if (marker >= 0) {
		if (dup2(marker, 2) < 0)
			_exit(1);
	} else
		close(2);
	bpftrace_helper_close_from(3);
}

static void
guard(int watch_fd, int done_fd, int marker, const struct guard_plan *plan)
{
	struct note n;
	char byte;
	ssize_t r;

	bpftrace_helper_leave_terminal();
	keep_only(watch_fd, done_fd, marker);
	/* Only now may the probe attach: nothing it attaches goes unguarded. */
	byte = GUARDING;
	if (write(1, &byte, 1) != 1)
		_exit(1);

	/*
	 * End of file: every holder closed the handle or died, at whatever
	 * point of attaching.  Before that, the probe may say that the
	 * qdisc it marked as ours in advance was there before it.
	 */
	marker = marker >= 0 ? 2 : -1;
	while ((r = read(0, &byte, 1)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0 && byte == NOT_OURS && marker >= 0) {
			close(marker);
			marker = -1;
		}
	n.len = 0;
	n.text[0] = '\0';
	clean_up(plan, marker, &n);
	if (n.len != 0)
		(void)write(1, n.text, n.len);
	_exit(0);			/* closes the done pipe */
}

/* Forks of this process, counted so that a close knows it may be shared. */
static volatile unsigned long forks_seen;
static pthread_once_t fork_counter_once = PTHREAD_ONCE_INIT;

static void
count_fork(void)
{
	forks_seen++;
}

static void
register_fork_counter(void)
{
	(void)pthread_atfork(NULL, count_fork, NULL);
}

/*
 * Takes over a guardian started elsewhere (in process by the probe, or by
 * the capture broker) through duplicates of its pipes: this process now
 * holds the capture, and its close waits only where it is the last holder.
 */
void
bpftrace_tc_guardian_adopt(struct tc_guardian *g, int watch_fd, int done_fd)
{
	bpftrace_tc_guardian_init(g);
	if (watch_fd < 0 || done_fd < 0) {
		if (watch_fd >= 0)
			close(watch_fd);
		if (done_fd >= 0)
			close(done_fd);
		return;
	}
	pthread_once(&fork_counter_once, register_fork_counter);
	g->watch_fd = watch_fd;
	g->done_fd = done_fd;
	g->owner = getpid();
	g->forks = forks_seen;
}

void
bpftrace_tc_guardian_init(struct tc_guardian *g)
{
	g->watch_fd = g->done_fd = g->marker = -1;
	g->marked = g->marked_in_advance = 0;
	g->ifindex = 0;
	g->owner = 0;
	g->forks = 0;
}

static void
close_pair(int fds[2])
{
	close(fds[0]);
	close(fds[1]);
}

/*
 * Waits for the guardian's first word.  A guardian that dies before it
 * (it could not set up its descriptors) would leave whatever the probe
 * attached next unguarded for ever: the capture fails instead.
 */
static int
guardian_ready(int done_fd, char *err, size_t errlen)
{
	struct pollfd ready = { done_fd, POLLIN, 0 };
	long deadline = now_ms() + GUARDIAN_START_MS;
	const char *why = "no word from it within 5 s";
	char byte = 0;

	for (;;) {
		long left = deadline - now_ms();
		ssize_t r;
		int n;

		if (left <= 0)
			break;
		n = poll(&ready, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			why = strerror(errno);
			break;
		}
		if (n == 0)
			continue;	/* the deadline says */
		r = read(done_fd, &byte, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 1 && byte == GUARDING)
			return 0;
		why = r == 0 ? "it exited at once" : r < 0 ? strerror(errno) :
		    "it said something else";
		break;
	}
	snprintf(err, errlen, "the clsact guardian did not start (%s)", why);
	return -1;
}

int
bpftrace_tc_guardian_start(struct tc_guardian *g, int ifindex,
    const uint32_t *prog_ids, int count, char *err, size_t errlen)
{
	struct guard_plan plan;
	int watch[2], done[2], marker, present;
	pid_t pid, guardian;
	int status = 0;

	bpftrace_tc_guardian_init(g);
	pthread_once(&fork_counter_once, register_fork_counter);
	memset(&plan, 0, sizeof(plan));
	if (count > GUARDED_MAX)
		count = GUARDED_MAX;
	memcpy(plan.prog_ids, prog_ids, (size_t)count * sizeof(*prog_ids));
	plan.count = count;
	plan.ifindex = ifindex;
	if (if_indextoname((unsigned)ifindex, plan.ifname) == NULL)
		snprintf(plan.ifname, sizeof(plan.ifname), "%d", ifindex);
	make_name(&plan.lock, ifindex, LOCK_LEAF);
	/*
	 * The marker, shared with the guardian: bound, it says the qdisc
	 * is ours.  Bound now if the capture is about to create the qdisc
	 * (the caller holds the lock, so only a foreign tool could beat
	 * it to that: bpftrace_tc_guardian_qdisc() then takes the mark
	 * back), or if one of ours created it and still holds it (no
	 * guardian is deciding meanwhile).  Unmarked, it stays at the end.
	 */
	if ((marker = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket for the clsact guardian: %s",
		    strerror(errno));
		return -1;
	}
	present = clsact_present(ifindex);
	if ((present == 0 || (present == 1 && qdisc_marked_ours(ifindex))) &&
	    bind_ours(marker, ifindex) == 0) {
		g->marked = 1;
		g->marked_in_advance = present == 0;
	}
	if (pipe2(watch, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe for the clsact guardian: %s",
		    strerror(errno));
		goto fail;
	}
	if (pipe2(done, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe for the clsact guardian: %s",
		    strerror(errno));
		close_pair(watch);
		goto fail;
	}
	/*
	 * Twice: the middle process exits at once and the guardian, an
	 * orphan, is reaped by init, not by the application.
	 */
	pid = fork();
	if (pid == 0) {
		if ((guardian = fork()) == 0)
			guard(watch[0], done[1], marker, &plan);
		_exit(guardian < 0);
	}
	close(watch[0]);
	close(done[1]);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (pid < 0 || status != 0) {
		/* The application may have reaped the middle one: ECHILD. */
		snprintf(err, errlen, "fork of the clsact guardian: %s",
		    strerror(pid < 0 ? errno : EAGAIN));
		close(watch[1]);
		close(done[0]);
		goto fail;
	}
	if (guardian_ready(done[0], err, errlen) != 0) {
		close(watch[1]);
		close(done[0]);
		goto fail;
	}
	g->watch_fd = watch[1];
	g->done_fd = done[0];
	g->marker = marker;	/* until bpftrace_tc_guardian_attached() */
	g->ifindex = ifindex;
	g->owner = getpid();
	g->forks = forks_seen;
	return 0;
fail:
	close(marker);
	bpftrace_tc_guardian_init(g);
	return -1;
}

/*
 * Tells the guardian over its pipe, with SIGPIPE held back: a guardian
 * killed by someone must not take the application with it.
 */
static void
tell_guardian(struct tc_guardian *g, char byte)
{
	sigset_t pipe_only, previous;
	struct timespec no_wait = { 0, 0 };
	ssize_t r;

	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
	do
		r = write(g->watch_fd, &byte, 1);
	while (r < 0 && errno == EINTR);
	if (r < 0 && errno == EPIPE && !sigismember(&previous, SIGPIPE))
		(void)sigtimedwait(&pipe_only, NULL, &no_wait);
	pthread_sigmask(SIG_SETMASK, &previous, NULL);
}

void
bpftrace_tc_guardian_qdisc(struct tc_guardian *g, int created)
{
	if (g->marker < 0)
		return;
	if (created && !g->marked)
		g->marked = bind_ours(g->marker, g->ifindex) == 0;
	else if (!created && g->marked_in_advance) {
		tell_guardian(g, NOT_OURS);
		close(g->marker);
		g->marker = -1;
		g->marked = 0;
	}
	g->marked_in_advance = 0;
}

void
bpftrace_tc_guardian_attached(struct tc_guardian *g)
{
	if (g->marker >= 0)
		close(g->marker);	/* the guardian holds it now */
	g->marker = -1;
	g->marked_in_advance = 0;
}

/*
 * Lets the guardian remove the filters once no other process holds the
 * capture, and waits until it has if this is the last holder (see the
 * header).  What the guardian could not do it says in one line, which
 * goes to stderr: pcap_close() has no other way to tell (libpcap's
 * Linux module does the same when it cannot restore an interface).  A
 * guardian that could not be forked twice (the middle process failed)
 * never ends the done pipe but by dying: the wait is bounded all the
 * same.
 */
void
bpftrace_tc_guardian_stop(struct tc_guardian *g)
{
	struct pollfd done;
	char message[256];
	size_t len = 0;
	long deadline;

	if (g->watch_fd < 0)
		return;
	bpftrace_tc_guardian_attached(g);
	close(g->watch_fd);
	done.fd = g->done_fd;
	done.events = POLLIN;
	deadline = now_ms() + GUARDIAN_WAIT_MS;
	while (g->owner == getpid() && g->forks == forks_seen) {
		long left = deadline - now_ms();
		ssize_t r;
		int n;

		if (left <= 0) {
			fprintf(stderr, "pcap-bpftrace: the clsact guardian did"
			    " not finish within %d s; check 'tc filter show'"
			    " for filters left\n", GUARDIAN_WAIT_MS / 1000);
			break;
		}
		n = poll(&done, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0)
			continue;	/* the deadline says */
		r = read(g->done_fd, message + len, sizeof(message) - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == sizeof(message) - 1)
			break;
	}
	if (len > 0) {
		message[len] = '\0';
		fprintf(stderr, "%s\n", message);
	}
	close(g->done_fd);
	bpftrace_tc_guardian_init(g);
}
