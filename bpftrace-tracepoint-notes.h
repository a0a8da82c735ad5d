/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the well-known packet tracepoints show, for tcpdump -D, and which
 * of them sit on a transmit path (their packets are outgoing).
 */
#ifndef BPFTRACE_TRACEPOINT_NOTES_H
#define BPFTRACE_TRACEPOINT_NOTES_H

#include <stddef.h>

struct tracepoint_note {
	const char *category;
	const char *name;
	const char *description;
	int transmit_path;
};

const struct tracepoint_note *tracepoint_note_find(const char *name);

/* Category of a tracepoint from tracefs, when tracefs can be read. */
enum tracefs_answer {
	TRACEFS_FOUND,
	TRACEFS_NOT_THERE,
	TRACEFS_UNREADABLE
};

enum tracefs_answer tracefs_category(const char *name, char *category,
	    size_t len);
int	tracefs_has_event(const char *category, const char *name);

#endif /* BPFTRACE_TRACEPOINT_NOTES_H */
