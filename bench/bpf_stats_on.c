/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keeps the kernel's BPF run-time statistics (run_time_ns, run_cnt) on
 * while it runs, through BPF_ENABLE_STATS: the kernel counts the holders
 * of such descriptors, so a test elsewhere on the machine that sets and
 * restores kernel.bpf_stats_enabled neither turns them off under the
 * benchmark nor is disturbed by it.  Ends on a signal.
 *
 * usage: bpf_stats_on   (prints "ready" once the statistics are on)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

static void
on_signal(int sig)
{
	(void)sig;
	_exit(0);
}

int
main(void)
{
	int fd;

	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0) {
		fprintf(stderr, "bpf_stats_on: BPF_ENABLE_STATS: %s (needs "
		    "CAP_SYS_ADMIN, Linux 5.8)\n", strerror(errno));
		return 1;
	}
	/* A background job of a shell starts with SIGINT ignored. */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
