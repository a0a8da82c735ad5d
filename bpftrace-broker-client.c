/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The library's side of the capture broker; see the header.
 */
#define _GNU_SOURCE		/* secure_getenv */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "bpftrace-broker-client.h"
#include "bpftrace-broker-protocol.h"
#include "bpftrace-broker-socket.h"
#include "bpftrace-status.h"

/*
 * Loading and attaching can take seconds on a slow machine (a kernel
 * under emulation); a broker that does not answer in this time is stuck.
 */
#define BROKER_REPLY_SECONDS	60

const char *
bpftrace_broker_socket_path(void)
{
	const char *path = secure_getenv("PCAP_BPF_BROKER");

	return path != NULL && *path != '\0' ? path : BROKER_SOCKET_DEFAULT;
}

static int
connect_broker(char *err, size_t errlen)
{
	struct sockaddr_un addr;
	const char *path = bpftrace_broker_socket_path();
	struct timeval tv = { BROKER_REPLY_SECONDS, 0 };
	int fd;

	if (bpftrace_broker_socket_address(path, &addr) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		int refused = errno == EACCES;	/* before close() */

		if (refused)
			snprintf(err, errlen,
			    "the capture broker's socket %s is"
			    " not open to this user", path);
		close(fd);
		return refused ? -2 : -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* The request, with this process's network namespace attached. */
static int
send_request(int fd, const char *device, uint32_t snaplen,
    uint64_t ring_bytes)
{
	struct broker_request req;
	char buf[sizeof(struct broker_request_wire) + BROKER_DEVICE_MAX];
	size_t len;
	int netns, rc;

	snprintf(req.device, sizeof(req.device), "%s", device);
	req.snaplen = snaplen;
	/* As in process (bpftrace-probe.c): a ring stops growing at 1 GiB. */
	req.ring_bytes = ring_bytes < BROKER_RING_BYTES_MAX ? ring_bytes :
	    BROKER_RING_BYTES_MAX;
	len = bpftrace_broker_request_encode(&req, buf, sizeof(buf));
	if (len == 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	rc = bpftrace_broker_send(fd, buf, len, &netns, 1);
	close(netns);
	return rc;
}

/*
 * The reply and its descriptors (all closed again if it is malformed).
 * -1 with errno from the receive, -2 when malformed.
 */
static int
receive_reply(int fd, struct broker_reply_wire *reply, int *fds,
    size_t *fd_count)
{
	ssize_t n;
	size_t i;
	int truncated;

	n = bpftrace_broker_receive(fd, reply, sizeof(*reply), fds,
	    BROKER_FDS_MAX,
	    fd_count, &truncated);
	if (n != (ssize_t)sizeof(*reply) || truncated ||
	    reply->magic != BROKER_MAGIC || reply->version != BROKER_VERSION ||
	    reply->fd_count != *fd_count) {
		int error = errno;	/* the receive's, whatever close() does */

		for (i = 0; i < *fd_count; i++)
			close(fds[i]);
		*fd_count = 0;
		errno = error;
		return n < 0 ? -1 : -2;
	}
	reply->message[sizeof(reply->message) - 1] = '\0';
	return 0;
}

/* Whether a received descriptor is one the grant names. */
static int
named_by(const struct capture_grant *grant, int fd)
{
	uint32_t t;
	int l;

	if (fd == grant->ring_fd)
		return 1;
	for (t = 0; t < grant->tap_count && t < TAPS_MAX; t++) {
		const struct tap_grant *g = &grant->taps[t];

		if (fd == g->data_fd || fd == g->bss_fd ||
		    fd == g->guardian_watch_fd || fd == g->guardian_done_fd)
			return 1;
		for (l = 0; l < GRANT_LINKS_MAX; l++)
			if (fd == g->link_fds[l])
				return 1;
		for (l = 0; l < GRANT_PROGS_MAX; l++)
			if (fd == g->prog_fds[l])
				return 1;
	}
	return 0;
}

/*
 * The broker's answer: a status and its line, or a grant (the capture's
 * description, with no descriptor; or, once started, all of it).
 */
static int
receive_grant(int fd, const char *device, int description,
    struct capture_grant *grant, char *err, size_t errlen)
{
	struct broker_reply_wire reply;
	int fds[BROKER_FDS_MAX];
	size_t fd_count = 0, i;
	int rc;

	bpftrace_capture_grant_init(grant);
	rc = receive_reply(fd, &reply, fds, &fd_count);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s from the capture broker (%s)",
		    device, rc == -1 ? "no reply" : "a malformed reply",
		    rc == -1 ? strerror(errno) : bpftrace_broker_socket_path());
		return TAP_KERNEL_REFUSED;
	}
	if (reply.status != TAP_OK) {
		snprintf(err, errlen, "%s", reply.message);
		for (i = 0; i < fd_count; i++)
			close(fds[i]);
		return reply.status < TAP_NO_MEMORY || reply.status > 0 ?
		    TAP_KERNEL_REFUSED : reply.status;
	}
	*grant = reply.grant;
	if (description && fd_count != 0) {
		snprintf(err, errlen,
		    "malformed reply from the capture broker");
		rc = -1;
	} else
		rc = description ? bpftrace_broker_description_check(grant, err,
		    errlen) :
		    bpftrace_broker_grant_from_indexes(grant, fds, fd_count,
		        err, errlen);
	if (rc != 0) {
		for (i = 0; i < fd_count; i++)
			close(fds[i]);
		bpftrace_capture_grant_init(grant);
		return TAP_KERNEL_REFUSED;
	}
	/* Received descriptors the grant does not name are not kept. */
	for (i = 0; i < fd_count; i++)
		if (!named_by(grant, fds[i]))
			close(fds[i]);
	return TAP_OK;
}

/*
 * Returns TAP_OK with the capture's description (nothing loaded yet) and
 * the open connection, BROKER_UNAVAILABLE when no broker listens, or the
 * broker's (or the exchange's) failure with its one-line message in err.
 */
int
bpftrace_broker_activate(const char *device, uint32_t snaplen,
    uint64_t ring_bytes,
    struct capture_grant *grant, int *connection, char *err, size_t errlen)
{
	int fd, status;

	bpftrace_capture_grant_init(grant);
	*connection = -1;
	if ((fd = connect_broker(err, errlen)) == -1)
		return BROKER_UNAVAILABLE;
	if (fd == -2)
		return TAP_PERMISSION;
	if (send_request(fd, device, snaplen, ring_bytes) != 0) {
		int sent_errno = errno;

		/* A refusal at the door arrives before the request is read. */
		status = receive_grant(fd, device, 1, grant, err, errlen);
		if (status == TAP_OK) {
			bpftrace_capture_grant_close(grant);
			status = TAP_KERNEL_REFUSED;
		}
		if (status == TAP_KERNEL_REFUSED)
			snprintf(err, errlen, "%s: sending the request to the"
			    " capture broker: %s", device,
			        strerror(sent_errno));
		close(fd);
		return status;
	}
	status = receive_grant(fd, device, 1, grant, err, errlen);
	if (status != TAP_OK) {
		close(fd);
		return status;
	}
	*connection = fd;
	return TAP_OK;
}

/*
 * The capture the broker prepared, loaded and attached when it is first
 * used: the whole grant.
 */
int
bpftrace_broker_attach(int connection, const char *device,
    struct capture_grant *grant,
    char *err, size_t errlen)
{
	struct broker_attach_wire w;

	bpftrace_capture_grant_init(grant);
	memset(&w, 0, sizeof(w));
	w.magic = BROKER_ATTACH_MAGIC;
	w.version = BROKER_VERSION;
	if (send(connection, &w, sizeof(w),
	    MSG_NOSIGNAL) != (ssize_t)sizeof(w)) {
		snprintf(err, errlen, "%s: the capture broker's connection: %s",
		    device, strerror(errno));
		return TAP_KERNEL_REFUSED;
	}
	return receive_grant(connection, device, 0, grant, err, errlen);
}
