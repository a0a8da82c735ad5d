/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The clsact guardian; see the header.  The child runs nothing but
 * read(2) and a few netlink requests built in its own memory: it was
 * forked from a process that may hold library locks, so it allocates
 * nothing and calls into no library.
 */
#define _GNU_SOURCE		/* pipe2 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "bpftrace-tc-guardian.h"

#define GUARDED_MAX	2

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

/* Sends one request and waits for its acknowledgement; errors are moot. */
static void
send_request(int sock, struct tc_request *req, uint32_t seq)
{
	char reply[512];

	req->header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req->header.nlmsg_seq = seq;
	if (send(sock, req, req->header.nlmsg_len, 0) > 0)
		(void)recv(sock, reply, sizeof(reply), 0);
}

static void
delete_filter(int sock, const struct tc_filter_ref *f, uint32_t seq)
{
	struct tc_request req;

	memset(&req, 0, sizeof(req));
	req.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
	req.header.nlmsg_type = RTM_DELTFILTER;
	req.tc.tcm_family = AF_UNSPEC;
	req.tc.tcm_ifindex = f->ifindex;
	req.tc.tcm_handle = f->handle;
	req.tc.tcm_parent = TC_H_MAKE(TC_H_CLSACT,
	    f->egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS);
	req.tc.tcm_info = TC_H_MAKE(f->priority << 16, htons(ETH_P_ALL));
	add_kind(&req, "bpf");
	send_request(sock, &req, seq);
}

/*
 * Whether filters are left on the interface's clsact hooks: another
 * capture's, or the user's.  The qdisc stays while there are.
 */
static int
clsact_has_filters(int sock, int ifindex, uint32_t seq)
{
	static char reply[8192];
	uint32_t hooks[2] = { TC_H_MIN_INGRESS, TC_H_MIN_EGRESS };
	struct tc_request req;
	int h, found = 0;

	for (h = 0; h < 2; h++) {
		int done = 0;

		memset(&req, 0, sizeof(req));
		req.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
		req.header.nlmsg_type = RTM_GETTFILTER;
		req.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		req.header.nlmsg_seq = seq + (uint32_t)h;
		req.tc.tcm_family = AF_UNSPEC;
		req.tc.tcm_ifindex = ifindex;
		req.tc.tcm_parent = TC_H_MAKE(TC_H_CLSACT, hooks[h]);
		if (send(sock, &req, req.header.nlmsg_len, 0) < 0)
			return 1;	/* cannot tell: keep the qdisc */
		while (!done) {
			ssize_t n = recv(sock, reply, sizeof(reply), 0);
			struct nlmsghdr *m = (struct nlmsghdr *)reply;

			if (n <= 0)
				return 1;
			for (; NLMSG_OK(m, (size_t)n); m = NLMSG_NEXT(m, n)) {
				if (m->nlmsg_type == NLMSG_DONE ||
				    m->nlmsg_type == NLMSG_ERROR)
					done = 1;
				else if (m->nlmsg_type == RTM_NEWTFILTER)
					found = 1;
			}
		}
	}
	return found;
}

static void
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
	send_request(sock, &req, seq);
}

/*
 * The guardian keeps two descriptors, as its standard input (the watched
 * pipe) and output (the done pipe); every other one goes, so that it holds
 * neither the probe nor anything of the application's (a socket it
 * listens on, the pipe of a shell's command substitution).
 */
static void
keep_only(int watch_fd, int done_fd)
{
	long max = sysconf(_SC_OPEN_MAX), i;

	if (dup2(watch_fd, 0) < 0 || dup2(done_fd, 1) < 0)
		_exit(1);
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 2, ~0U, 0) == 0)
		return;
#endif
	for (i = 2; i < (max > 0 ? max : 1024); i++)
		close((int)i);
}

static void
guard(int watch_fd, int done_fd, const struct tc_filter_ref *refs, int count,
    int delete_qdisc)
{
	struct sigaction ignore;
	char byte;
	ssize_t n;
	int sock, i;

	/* Leave the terminal's process group: Ctrl-C is for tcpdump. */
	setsid();
	memset(&ignore, 0, sizeof(ignore));
	ignore.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ignore, NULL);
	sigaction(SIGTERM, &ignore, NULL);
	sigaction(SIGHUP, &ignore, NULL);
	sigaction(SIGPIPE, &ignore, NULL);
	keep_only(watch_fd, done_fd);

	/* End of file: every holder closed the handle or died. */
	while ((n = read(0, &byte, 1)) > 0 || (n < 0 && errno == EINTR))
		;
	sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (sock >= 0) {
		for (i = 0; i < count; i++)
			delete_filter(sock, &refs[i], (uint32_t)i + 1);
		if (delete_qdisc && count > 0 &&
		    !clsact_has_filters(sock, refs[0].ifindex,
		        (uint32_t)count + 1))
			delete_clsact(sock, refs[0].ifindex,
			    (uint32_t)count + 3);
		close(sock);
	}
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
	g->watch_fd = g->done_fd = -1;
	g->owner = 0;
	g->forks = 0;
}

int
bpftrace_tc_guardian_start(struct tc_guardian *g,
    const struct tc_filter_ref *refs,
    int count, int delete_clsact, char *err, size_t errlen)
{
	struct tc_filter_ref copy[GUARDED_MAX];
	int watch[2], done[2];
	pid_t pid, guardian;
	int status = 0;

	bpftrace_tc_guardian_init(g);
	pthread_once(&fork_counter_once, register_fork_counter);
	if (count > GUARDED_MAX)
		count = GUARDED_MAX;
	memcpy(copy, refs, (size_t)count * sizeof(*refs));
	if (pipe2(watch, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe for the clsact guardian: %s",
		    strerror(errno));
		return -1;
	}
	if (pipe2(done, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe for the clsact guardian: %s",
		    strerror(errno));
		close(watch[0]);
		close(watch[1]);
		return -1;
	}
	/*
	 * Twice: the middle process exits at once and the guardian, an
	 * orphan, is reaped by init, not by the application.
	 */
	pid = fork();
	if (pid == 0) {
		if ((guardian = fork()) == 0)
			guard(watch[0], done[1], copy, count, delete_clsact);
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
		return -1;
	}
	g->watch_fd = watch[1];
	g->done_fd = done[0];
	g->owner = getpid();
	g->forks = forks_seen;
	return 0;
}

/*
 * Lets the guardian remove the filters once no other process holds the
 * capture, and waits until it has if this is the last holder (see the
 * header).  A guardian that could not be forked twice (the middle
 * process failed) never ends the done pipe but by dying: the wait is
 * bounded all the same.
 */
#define GUARDIAN_WAIT_MS	10000

void
bpftrace_tc_guardian_stop(struct tc_guardian *g)
{
	struct pollfd done;
	char byte;

	if (g->watch_fd < 0)
		return;
	close(g->watch_fd);
	done.fd = g->done_fd;
	done.events = POLLIN;
	while (g->owner == getpid() && g->forks == forks_seen) {
		int n = poll(&done, 1, GUARDIAN_WAIT_MS);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || read(g->done_fd, &byte, 1) <= 0)
			break;
	}
	close(g->done_fd);
	bpftrace_tc_guardian_init(g);
}
