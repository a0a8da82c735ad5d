/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The filter keeper; see the header.
 */
#define _GNU_SOURCE		/* close_range */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "bpftrace-filter-channel.h"
#include "bpftrace-filter-keeper.h"
#include "bpftrace-helper-process.h"

#define KEEPER_TARGETS_MAX	32

static int
kept(int fd, const struct filter_target *t, int count, int connection)
{
	int i;

	if (fd == connection)
		return 1;
	for (i = 0; i < count; i++)
		if (fd == t[i].decision_map_fd || fd == t[i].bss_map_fd ||
		    fd == t[i].programs_map_fd ||
		    (t[i].attach_btf_obj_fd > 0 && fd == t[i].attach_btf_obj_fd) ||
		    (t[i].attach_prog_fd > 0 && fd == t[i].attach_prog_fd))
			return 1;
	return 0;
}

/*
 * Everything of the application's goes: its links (a capture must end
 * when the application's descriptors close, not when the keeper's do),
 * its sockets, the pipes of a shell.  Descriptors keep their numbers,
 * which the targets name.
 */
static void
keep_only(const struct filter_target *t, int count, int connection)
{
	long fd, top = 0;
	int i;

	for (i = 0; i < count; i++) {
		if (t[i].decision_map_fd > top)
			top = t[i].decision_map_fd;
		if (t[i].bss_map_fd > top)
			top = t[i].bss_map_fd;
		if (t[i].programs_map_fd > top)
			top = t[i].programs_map_fd;
		if (t[i].attach_btf_obj_fd > top)
			top = t[i].attach_btf_obj_fd;
		if (t[i].attach_prog_fd > top)
			top = t[i].attach_prog_fd;
	}
	if (connection > top)
		top = connection;
	for (fd = 0; fd <= top; fd++)
		if (!kept((int)fd, t, count, connection))
			close((int)fd);
	bpftrace_helper_close_from((int)top + 1);
}

static void
keep(const struct filter_target *t, int count, int connection)
{
	static unsigned char request[FILTER_REQUEST_MAX + 1];
	ssize_t n;

	bpftrace_helper_leave_terminal();
	keep_only(t, count, connection);
	for (;;) {
		n = recv(connection, request, sizeof(request), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (bpftrace_filter_channel_answer(connection, request,
		    (size_t)n, t, count) != 0)
			break;
	}
	_exit(0);
}

/*
 * Forks the keeper (twice: the middle process exits at once, so the
 * keeper is reaped by init, never left a zombie of the application's)
 * and returns the capture's end of its connection.
 */
int
bpftrace_filter_keeper_start(const struct filter_target *targets, int count,
    int *connection, char *err, size_t errlen)
{
	int pair[2], status = 0;
	pid_t pid, keeper;

	*connection = -1;
	if (count <= 0 || count > KEEPER_TARGETS_MAX) {
		snprintf(err, errlen, "filter keeper: %d taps", count);
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
		snprintf(err, errlen, "filter keeper: socketpair: %s",
		    strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		if ((keeper = fork()) == 0)
			keep(targets, count, pair[1]);
		_exit(keeper < 0);
	}
	close(pair[1]);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (pid < 0 || status != 0) {
		snprintf(err, errlen, "filter keeper: fork: %s",
		    strerror(pid < 0 ? errno : EAGAIN));
		close(pair[0]);
		return -1;
	}
	*connection = pair[0];
	return 0;
}
