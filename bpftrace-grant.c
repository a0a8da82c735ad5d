/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A grant's descriptors; see the header.
 */
#include <string.h>
#include <unistd.h>

#include "bpftrace-grant.h"

static void
close_fd(int32_t *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Every descriptor -1, so that a partly filled grant closes cleanly. */
void
bpftrace_capture_grant_init(struct capture_grant *g)
{
	int i, l;

	memset(g, 0, sizeof(*g));
	g->ring_fd = -1;
	g->perf_fd = -1;
	for (i = 0; i < TAPS_MAX; i++) {
		struct tap_grant *t = &g->taps[i];

		t->data_fd = t->bss_fd = -1;
		t->guardian_watch_fd = t->guardian_done_fd = -1;
		t->reason_arg_index = -1;
		for (l = 0; l < GRANT_LINKS_MAX; l++)
			t->link_fds[l] = -1;
		for (l = 0; l < GRANT_PROGS_MAX; l++)
			t->prog_fds[l] = -1;
	}
}

void
bpftrace_capture_grant_close(struct capture_grant *g)
{
	int i, l;

	close_fd(&g->ring_fd);
	close_fd(&g->perf_fd);
	for (i = 0; i < TAPS_MAX; i++) {
		struct tap_grant *t = &g->taps[i];

		close_fd(&t->data_fd);
		close_fd(&t->bss_fd);
		close_fd(&t->guardian_watch_fd);
		close_fd(&t->guardian_done_fd);
		for (l = 0; l < GRANT_LINKS_MAX; l++)
			close_fd(&t->link_fds[l]);
		for (l = 0; l < GRANT_PROGS_MAX; l++)
			close_fd(&t->prog_fds[l]);
	}
}
