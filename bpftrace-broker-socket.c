/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture broker's socket; see the header.
 */
#define _GNU_SOURCE		/* MSG_CMSG_CLOEXEC */
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "bpftrace-broker-protocol.h"
#include "bpftrace-broker-socket.h"

/* The socket address of path; -1 if it does not fit. */
int
bpftrace_broker_socket_address(const char *path, struct sockaddr_un *addr)
{
	size_t len = strlen(path);

	memset(addr, 0, sizeof(*addr));
	if (len == 0 || len >= sizeof(addr->sun_path))
		return -1;
	addr->sun_family = AF_UNIX;
	memcpy(addr->sun_path, path, len);
	return 0;
}

/* One message, with fd_count descriptors (at most BROKER_FDS_MAX). */
int
bpftrace_broker_send(int sock, const void *buf, size_t len, const int *fds,
    size_t fd_count)
{
	union {
		struct cmsghdr align;
		char space[CMSG_SPACE(BROKER_FDS_MAX * sizeof(int))];
	} control;
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg;
	struct cmsghdr *c;

	if (fd_count > BROKER_FDS_MAX)
		return -1;
	memset(&msg, 0, sizeof(msg));
	memset(&control, 0, sizeof(control));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd_count > 0) {
		msg.msg_control = control.space;
		msg.msg_controllen = CMSG_SPACE(fd_count * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(fd_count * sizeof(int));
		memcpy(CMSG_DATA(c), fds, fd_count * sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/*
 * One message and the descriptors that came with it, at most max (at most
 * BROKER_FDS_MAX): room for no more is given, so the kernel closes any
 * beyond and says so (*truncated), as it does for a message longer than
 * len.  Returns the message's length, or -1.
 */
ssize_t
bpftrace_broker_receive(int sock, void *buf, size_t len, int *fds, size_t max,
    size_t *fd_count, int *truncated)
{
	union {
		struct cmsghdr align;
		char space[CMSG_SPACE(BROKER_FDS_MAX * sizeof(int))];
	} control;
	struct iovec iov = { buf, len };
	struct msghdr msg;
	struct cmsghdr *c;
	ssize_t n;

	*fd_count = 0;
	*truncated = 0;
	if (max > BROKER_FDS_MAX)
		max = BROKER_FDS_MAX;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.space;
	msg.msg_controllen = CMSG_SPACE(max * sizeof(int));
	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		size_t k, i;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
			    sizeof(int));
			if (*fd_count < max)
				fds[(*fd_count)++] = fd;
			else
				close(fd);
		}
	}
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		*truncated = 1;
	return n;
}
