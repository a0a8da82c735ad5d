/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture broker's socket, for both sides: its address, and messages
 * with descriptors attached (SCM_RIGHTS).  The messages' contents are
 * bpftrace-broker-protocol.h's.
 */
#ifndef BPFTRACE_BROKER_SOCKET_H
#define BPFTRACE_BROKER_SOCKET_H

#include <stddef.h>
#include <sys/types.h>

struct sockaddr_un;

int	bpftrace_broker_socket_address(const char *path,
	    struct sockaddr_un *addr);
int	bpftrace_broker_send(int sock, const void *buf, size_t len,
	    const int *fds,
	    size_t fd_count);
ssize_t	bpftrace_broker_receive(int sock, void *buf, size_t len, int *fds,
	    size_t max,
	    size_t *fd_count, int *truncated);

#endif /* BPFTRACE_BROKER_SOCKET_H */
