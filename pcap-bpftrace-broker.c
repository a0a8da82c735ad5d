/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcap-bpftrace-broker: activates bpf: captures for processes that lack
 * the capabilities to load and attach BPF programs, under a policy, and
 * hands them the descriptors (bpftrace-grant.h).  The privileged half is
 * the library's own (bpftrace-activation.c); this file is only the
 * daemon around it: the socket, who may ask, how much, and the log.
 *
 *   pcap-bpftrace-broker [--foreground] [--socket PATH] [--config FILE]
 *
 * Under systemd the socket comes from socket activation (LISTEN_FDS).
 * Each client is served by a child process of its own, which holds the
 * client's probes until the client's connection closes: a stalled or
 * crashing client affects no other, and a killed client leaves nothing
 * (its links die with its descriptors, clsact filters with the guardian's
 * pipe it holds).
 */
#define _GNU_SOURCE		/* SO_PEERCRED, accept4, struct ucred */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <linux/nsfs.h>
#include <sched.h>

#include "bpftrace-activation.h"
#include "bpftrace-broker-policy.h"
#include "bpftrace-broker-protocol.h"
#include "bpftrace-broker-socket.h"
#include "bpftrace-filter-channel.h"
#include "bpftrace-status.h"
#include "bpftrace-tap.h"

#define CLIENTS_MAX		256
#define REQUEST_SECONDS		5	/* a client has this long to ask */
#define PEER_GROUPS_MAX		256
/*
 * Devices a user may hold open without capturing, per capture allowed:
 * Wireshark's interface list opens every listed device to read its
 * statistics, and must leave room for the capture the user then starts.
 * An open device holds no kernel object (nothing is loaded before the
 * capture starts), only a broker child.
 */
#define OPENS_PER_CAPTURE	8

struct client_slot {
	pid_t server;			/* the child serving it; 0: free */
	uid_t uid;
	uint64_t ring_bytes;		/* written by the child once granted */
	int attached;			/* capturing, not only opened */
};

static struct client_slot *clients;	/* shared with the children */
static struct broker_policy policy;
static const char *policy_path = POLICY_FILE;
static gid_t policy_gids[POLICY_GROUPS_MAX];
static int policy_gid_count;
static volatile sig_atomic_t stopping;
static int socket_activated;		/* the socket is systemd's */

struct peer {
	struct ucred cred;
	gid_t groups[PEER_GROUPS_MAX];
	int group_count;
	char comm[32];
};

static void
usage(void)
{
	fprintf(stderr, "usage: pcap-bpftrace-broker [--foreground]"
	    " [--socket PATH] [--config FILE]\n");
	exit(2);
}

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static int
load_policy(const char *path)
{
	char text[16384], err[256];
	ssize_t n;
	int fd, i;

	broker_policy_defaults(&policy);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT) {
		syslog(LOG_ERR, "%s: %m", path);
		return -1;
	}
	if (fd >= 0) {
		n = read(fd, text, sizeof(text));
		close(fd);
		if (n < 0 || n == (ssize_t)sizeof(text)) {
			syslog(LOG_ERR, "%s: unreadable or over %zu bytes",
			    path,
			    sizeof(text) - 1);
			return -1;
		}
		if (broker_policy_parse(text, (size_t)n, &policy, err,
		    sizeof(err)) != 0) {
			syslog(LOG_ERR, "%s: %s", path, err);
			return -1;
		}
	}
	policy_gid_count = 0;
	for (i = 0; i < policy.group_count; i++) {
		struct group *g = getgrnam(policy.groups[i]);

		if (g == NULL)
			syslog(LOG_NOTICE, "group %s does not exist here: no"
			    " member to admit", policy.groups[i]);
		else
			policy_gids[policy_gid_count++] = g->gr_gid;
	}
	return 0;
}

/* The socket systemd passed (LISTEN_FDS), or one of our own at path. */
static int
listening_socket(const char *path)
{
	const char *pid = secure_getenv("LISTEN_PID");
	const char *fds = secure_getenv("LISTEN_FDS");
	struct sockaddr_un addr;
	char dir[sizeof(addr.sun_path)], *slash;
	int fd;

	if (pid != NULL && fds != NULL && atoi(pid) == getpid() &&
	    atoi(fds) >= 1) {
		fcntl(3, F_SETFD, FD_CLOEXEC);
		socket_activated = 1;
		return 3;
	}
	if (bpftrace_broker_socket_address(path, &addr) != 0) {
		fprintf(stderr, "pcap-bpftrace-broker: socket path too long\n");
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "pcap-bpftrace-broker: %s: %s\n", dir,
			    strerror(errno));
			return -1;
		}
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	/* Anyone may connect: the policy, not the file mode, decides. */
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    chmod(path, 0666) != 0 || listen(fd, 64) != 0) {
		fprintf(stderr, "pcap-bpftrace-broker: %s: %s\n", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void
peer_identity(int conn, struct peer *peer)
{
	socklen_t len = sizeof(peer->cred);
	char path[64];
	ssize_t n;
	int fd;

	memset(peer, 0, sizeof(*peer));
	peer->cred.uid = (uid_t)-1;
	peer->cred.gid = (gid_t)-1;
	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer->cred, &len) != 0)
		peer->cred.uid = (uid_t)-1;
	len = sizeof(peer->groups);
	if (getsockopt(conn, SOL_SOCKET, SO_PEERGROUPS, peer->groups,
	    &len) == 0)
		peer->group_count = (int)(len / sizeof(gid_t));
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)peer->cred.pid);
	snprintf(peer->comm, sizeof(peer->comm), "?");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, peer->comm, sizeof(peer->comm) - 1);
		close(fd);
		peer->comm[n > 0 ? n : 0] = '\0';
		peer->comm[strcspn(peer->comm, "\n")] = '\0';
	}
}

static int
peer_admitted(const struct peer *peer)
{
	int i, j;

	if (peer->cred.uid == 0)
		return 1;
	if (peer->cred.uid == (uid_t)-1)
		return 0;
	for (i = 0; i < policy_gid_count; i++) {
		if (peer->cred.gid == policy_gids[i])
			return 1;
		for (j = 0; j < peer->group_count; j++)
			if (peer->groups[j] == policy_gids[i])
				return 1;
	}
	return 0;
}

/* A refusal or failure: one reply with the line, no descriptors. */
static void
reply_status(int conn, int status, const char *message)
{
	struct broker_reply_wire reply;

	memset(&reply, 0, sizeof(reply));
	reply.magic = BROKER_MAGIC;
	reply.version = BROKER_VERSION;
	reply.status = status;
	snprintf(reply.message, sizeof(reply.message), "%s", message);
	bpftrace_capture_grant_init(&reply.grant);
	(void)send(conn, &reply, sizeof(reply), MSG_NOSIGNAL);
}

static int
reply_grant(int conn, struct capture_grant *grant)
{
	struct broker_reply_wire reply;
	int fds[BROKER_FDS_MAX];
	size_t n;
	int rc;

	memset(&reply, 0, sizeof(reply));
	reply.magic = BROKER_MAGIC;
	reply.version = BROKER_VERSION;
	reply.status = TAP_OK;
	reply.grant = *grant;
	n = bpftrace_broker_grant_to_indexes(&reply.grant, fds, BROKER_FDS_MAX);
	reply.fd_count = (uint16_t)n;
	rc = bpftrace_broker_send(conn, &reply, sizeof(reply), fds, n);
	/* The client has its own now; the broker keeps none. */
	bpftrace_capture_grant_close(grant);
	return rc;
}

/*
 * The request and the client's network namespace, whose inode the kernel
 * gives (fstat of the namespace descriptor): not the client's word.  The
 * descriptor is kept (*netns_fd) to enter that namespace for its
 * interface taps.
 */
static int
read_request(int conn, struct broker_request *req, uint32_t *netns,
    int *netns_fd, char *err, size_t errlen)
{
	char buf[sizeof(struct broker_request_wire) + BROKER_DEVICE_MAX + 1];
	struct stat st;
	size_t count;
	ssize_t n;
	int fd = -1, truncated, rc;

	n = bpftrace_broker_receive(conn, buf, sizeof(buf), &fd, 1, &count,
	    &truncated);
	if (n < 0) {
		snprintf(err, errlen, "no request within %d s",
		    REQUEST_SECONDS);
		rc = -1;
	} else if (truncated) {
		snprintf(err, errlen, "oversized request");
		rc = -1;
	} else {
		rc = bpftrace_broker_request_parse(buf, (size_t)n, req, err,
		    errlen);
	}
	if (rc == 0 && (count != 1 || fstat(fd, &st) != 0 ||
	    ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)) {
		snprintf(err, errlen, "the request lacks the client's network"
		    " namespace");
		rc = -1;
	}
	if (rc == 0) {
		*netns = (uint32_t)st.st_ino;
		*netns_fd = fd;
	} else if (count == 1)
		close(fd);
	return rc;
}

static uint32_t
own_netns(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) == 0 ? (uint32_t)st.st_ino : 0;
}

/* A user's open devices, or (attached_only) those capturing. */
static unsigned int
captures_of(uid_t uid, int attached_only)
{
	unsigned int n = 0;
	int i;

	for (i = 0; i < CLIENTS_MAX; i++)
		if (clients[i].server != 0 && clients[i].uid == uid &&
		    (!attached_only || __atomic_load_n(&clients[i].attached,
		    __ATOMIC_RELAXED)))
			n++;
	return n;
}

static uint64_t
ring_bytes_in_use(uid_t uid)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < CLIENTS_MAX; i++)
		if (clients[i].server != 0 && clients[i].uid == uid &&
		    clients[i].server != getpid())
			sum += __atomic_load_n(&clients[i].ring_bytes,
			    __ATOMIC_RELAXED);
	return sum;
}

/*
 * Interface taps name interfaces of the client's network namespace: the
 * child serving it enters that namespace before resolving them (so
 * if_nametoindex, the tcx/XDP links and the clsact netlink socket all
 * work there).  Kernel-wide taps stay where they are; their interface
 * indexes are translated by namespace inode (capture_request.netns_inode).
 */
static int
enter_client_netns(const struct broker_request *req, uint32_t netns,
    int netns_fd, char *why, size_t len)
{
	char devices[TAPS_MAX][TAP_DEVICE_MAX];
	struct tap_spec specs[TAPS_MAX];
	int i, count, interfaces = 0;

	if (netns == own_netns())
		return 0;
	if (bpftrace_tap_specs_parse(req->device, specs, devices, &count, NULL,
	    why, len) != TAP_OK)
		return 0;	/* activation says what is wrong with it */
	for (i = 0; i < count; i++)
		if (bpftrace_tap_family_class(specs[i].family) ==
		    TAP_CLASS_INTERFACE)
			interfaces = 1;
	if (interfaces && setns(netns_fd, CLONE_NEWNET) != 0) {
		snprintf(why, len, "%s: the capture broker cannot enter your"
		    " network namespace (%s); capture at interfaces from the"
		    " broker's own", req->device, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * What the policy says when a capture starts (devices merely open hold
 * nothing): captures at a time, buffer memory.
 */
static int
start_refused(const struct peer *peer, const struct broker_request *req,
    char *why, size_t len)
{
	uint64_t ring = req->ring_bytes > 0 ? req->ring_bytes :
	    CAPTURE_DEFAULT_RING_BYTES;

	if (peer->cred.uid == 0)
		return 0;
	if (captures_of(peer->cred.uid, 1) >= policy.max_captures_per_user) {
		snprintf(why, len, "%s: the capture broker's policy allows %u"
		    " captures at a time per user (max_captures_per_user);"
		    " close one first", req->device,
		    policy.max_captures_per_user);
		return 1;
	}
	if (ring_bytes_in_use(peer->cred.uid) + ring >
	    policy.max_ring_bytes_per_user) {
		snprintf(why, len, "%s: the capture broker's policy allows %llu"
		    " bytes of capture buffers per user"
		    " (max_ring_bytes_per_user); close a capture or ask for"
		    " less (-B)", req->device,
		    (unsigned long long)policy.max_ring_bytes_per_user);
		return 1;
	}
	return 0;
}

static void
mechanisms_of(const struct capture_grant *g, char *buf, size_t len)
{
	size_t used = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = 0; i < g->tap_count && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    used ? "+" : "", bpftrace_probe_mechanism_name(
		    (enum probe_mechanism)g->taps[i].mechanism));
}

/*
 * The child for one client: ask, check, activate, hand over, hold.  A
 * client refused at the door (refusal) still has its request read first:
 * a socket closed on unread data would reset the connection and lose the
 * refusal's line.
 */
static void
serve(int conn, const struct peer *peer, struct client_slot *slot,
    const char *refusal)
{
	struct timeval tv = { REQUEST_SECONDS, 0 };
	struct broker_request req;
	struct capture_request creq;
	struct capture_grant grant;
	struct capture_holding *holding = NULL;
	struct filter_target targets[TAPS_MAX];
	int target_count = 0;
	char err[BROKER_MESSAGE_MAX], how[64];
	uint32_t netns = 0;
	int netns_fd = -1, status, attached = 0;
	ssize_t n;

	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(conn, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (read_request(conn, &req, &netns, &netns_fd, err,
	    sizeof(err)) != 0) {
		syslog(LOG_WARNING, "uid %u pid %d (%s): refused: %s",
		    peer->cred.uid, (int)peer->cred.pid, peer->comm, err);
		reply_status(conn, refusal != NULL ? TAP_PERMISSION :
		    TAP_NO_SUCH_TAP, refusal != NULL ? refusal : err);
		_exit(1);
	}
	if (refusal != NULL) {
		reply_status(conn, TAP_PERMISSION, refusal);
		_exit(1);
	}
	if (enter_client_netns(&req, netns, netns_fd, err,
	    sizeof(err)) != 0) {
		syslog(LOG_NOTICE, "uid %u pid %d (%s): refused: %s",
		    peer->cred.uid, (int)peer->cred.pid, peer->comm, err);
		reply_status(conn, TAP_PERMISSION, err);
		_exit(1);
	}
	close(netns_fd);
	memset(&creq, 0, sizeof(creq));
	creq.device = req.device;
	creq.snaplen = req.snaplen;
	creq.ring_bytes = req.ring_bytes;
	creq.netns_inode = netns;
	creq.families_allowed = peer->cred.uid == 0 ? ~0u : policy.families;
	/*
	 * Its client cannot open the perf events a perf array needs (nor,
	 * with unprivileged bpf() disabled, fill the array).
	 */
	creq.perf_reader = 0;
	status = bpftrace_capture_prepare(&creq, &grant, &holding, err,
	    sizeof(err));
	if (status != TAP_OK) {
		syslog(LOG_NOTICE, "uid %u pid %d (%s): %s", peer->cred.uid,
		    (int)peer->cred.pid, peer->comm, err);
		reply_status(conn, status, err);
		_exit(1);
	}
	if (reply_grant(conn, &grant) != 0) {
		bpftrace_capture_holding_release(holding);
		_exit(1);
	}
	/*
	 * Until every copy of the client's end is closed; meanwhile, once,
	 * the attachment when the client starts using the capture, and after
	 * it the filters the client sets, compiled and swapped into its
	 * probes (bpftrace-filter-channel.h).
	 */
	tv.tv_sec = 0;
	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		static unsigned char buf[FILTER_REQUEST_MAX + 1];
		struct capture_grant started;

		n = recv(conn, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (attached && bpftrace_filter_request_is(buf, (size_t)n)) {
			if (bpftrace_filter_channel_answer(conn, buf, (size_t)n,
			    targets, target_count) != 0)
				break;
			continue;
		}
		if (attached || bpftrace_broker_attach_parse(buf,
		    (size_t)n) != 0) {
			syslog(LOG_WARNING, "uid %u pid %d (%s): a malformed"
			    " message: connection closed", peer->cred.uid,
			    (int)peer->cred.pid, peer->comm);
			break;
		}
		if (start_refused(peer, &req, err, sizeof(err))) {
			syslog(LOG_NOTICE, "uid %u pid %d (%s): refused: %s",
			    peer->cred.uid, (int)peer->cred.pid, peer->comm,
			    err);
			reply_status(conn, TAP_PERMISSION, err);
			continue;
		}
		__atomic_store_n(&slot->attached, 1, __ATOMIC_RELAXED);
		status = bpftrace_capture_start(holding, &started, err,
		    sizeof(err));
		if (status != TAP_OK) {
			__atomic_store_n(&slot->attached, 0, __ATOMIC_RELAXED);
			syslog(LOG_NOTICE, "uid %u pid %d (%s): %s",
			    peer->cred.uid, (int)peer->cred.pid, peer->comm,
			    err);
			reply_status(conn, status, err);
			continue;
		}
		mechanisms_of(&started, how, sizeof(how));
		attached = 1;
		target_count = bpftrace_capture_filter_targets(holding, targets,
		    TAPS_MAX);
		__atomic_store_n(&slot->ring_bytes, started.ring_bytes,
		    __ATOMIC_RELAXED);
		if (reply_grant(conn, &started) != 0)
			break;
		syslog(LOG_INFO, "uid %u pid %d (%s): capturing at %s with %s",
		    peer->cred.uid, (int)peer->cred.pid, peer->comm, req.device,
		    how);
	}
	bpftrace_capture_holding_release(holding);
	_exit(0);
}

static struct client_slot *
free_slot(void)
{
	int i;

	for (i = 0; i < CLIENTS_MAX; i++)
		if (clients[i].server == 0)
			return &clients[i];
	return NULL;
}

static void
reap(void)
{
	pid_t pid;
	int i;

	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		for (i = 0; i < CLIENTS_MAX; i++)
			if (clients[i].server == pid)
				memset(&clients[i], 0, sizeof(clients[i]));
}

static void
accept_client(int listener)
{
	struct client_slot *slot;
	struct peer peer;
	char why[BROKER_MESSAGE_MAX];
	const char *refusal = NULL;
	pid_t pid;
	int conn;

	conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return;
	peer_identity(conn, &peer);
	if ((slot = free_slot()) == NULL) {
		/* Every slot busy: nothing to spare, not even a child. */
		syslog(LOG_WARNING, "uid %u pid %d (%s): refused: %d clients",
		    peer.cred.uid, (int)peer.cred.pid, peer.comm, CLIENTS_MAX);
		close(conn);
		return;
	}
	if (!peer_admitted(&peer)) {
		snprintf(why, sizeof(why), "permission denied: the capture"
		    " broker admits root and the members of %s%s"
		    " (groups in %s); ask your administrator to add you",
		    policy.group_count ? "group " : "no group",
		    policy.group_count ? policy.groups[0] : "", policy_path);
		syslog(LOG_NOTICE, "uid %u pid %d (%s): refused: not in the"
		    " admitted groups", peer.cred.uid, (int)peer.cred.pid,
		    peer.comm);
		refusal = why;
	} else if (peer.cred.uid != 0 && captures_of(peer.cred.uid, 0) >=
	    OPENS_PER_CAPTURE * policy.max_captures_per_user) {
		snprintf(why, sizeof(why), "the capture broker's policy allows"
		    " %u open devices per user (%d per capture in"
		    " max_captures_per_user); close some first",
		    OPENS_PER_CAPTURE * policy.max_captures_per_user,
		    OPENS_PER_CAPTURE);
		syslog(LOG_NOTICE, "uid %u pid %d (%s): refused: too many"
		    " open devices", peer.cred.uid, (int)peer.cred.pid,
		    peer.comm);
		refusal = why;
	}
	pid = fork();
	if (pid == 0) {
		close(listener);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		slot->server = getpid();
		slot->uid = peer.cred.uid;
		serve(conn, &peer, slot, refusal);
	}
	if (pid > 0) {
		slot->server = pid;
		slot->uid = peer.cred.uid;
		slot->ring_bytes = 0;
		slot->attached = 0;
	}
	close(conn);
}

int
main(int argc, char **argv)
{
	const char *socket_path = BROKER_SOCKET_DEFAULT;
	int foreground = 0, listener, i;
	struct sigaction sa;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--foreground") == 0)
			foreground = 1;
		else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
			socket_path = argv[++i];
		else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			policy_path = argv[++i];
		else
			usage();
	}
	openlog("pcap-bpftrace-broker", LOG_PID | (foreground ? LOG_PERROR : 0),
	    LOG_DAEMON);
	if (load_policy(policy_path) != 0)
		return 1;
	clients = mmap(NULL, CLIENTS_MAX * sizeof(*clients),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (clients == MAP_FAILED)
		return 1;
	if ((listener = listening_socket(socket_path)) < 0)
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	syslog(LOG_INFO, "serving %s", socket_path);
	while (!stopping) {
		struct pollfd pfd = { listener, POLLIN, 0 };

		reap();
		if (poll(&pfd, 1, 1000) > 0)
			accept_client(listener);
	}
	/* Clients keep their captures: their descriptors hold them. */
	syslog(LOG_INFO, "stopping");
	if (!socket_activated)
		unlink(socket_path);
	return 0;
}
