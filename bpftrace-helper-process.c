/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The start of a capture's privileged helper process; see the header.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "bpftrace-helper-process.h"

/*
 * A session of its own, so Ctrl-C at the terminal reaches the capture
 * alone; the signals that end a program by default ignored, so that the
 * helper ends only when the capture's end of its connection closes, after
 * it has cleaned up.
 */
void
bpftrace_helper_leave_terminal(void)
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction ignore;
	size_t i;

	setsid();
	memset(&ignore, 0, sizeof(ignore));
	ignore.sa_handler = SIG_IGN;
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		sigaction(ignored[i], &ignore, NULL);
}

/* Closes every descriptor from first up. */
void
bpftrace_helper_close_from(int first)
{
	long max = sysconf(_SC_OPEN_MAX), fd;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned int)first, ~0U, 0) == 0)
		return;
#endif
	for (fd = first; fd < (max > 0 ? max : 1024); fd++)
		close((int)fd);
}
