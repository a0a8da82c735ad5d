/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet tracepoints' categories (the device list names them without
 * tracefs, which only root can read), what they show, for tcpdump -D, and
 * which of them sit on a receive or a transmit path (that fixes the
 * direction of their packets).
 */
#ifndef BPFTRACE_TRACEPOINT_NOTES_H
#define BPFTRACE_TRACEPOINT_NOTES_H

#include <stddef.h>

enum tap_path {
	TAP_PATH_ANY,
	TAP_PATH_RECEIVE,
	TAP_PATH_TRANSMIT
};

struct tracepoint_note {
	const char *category;
	const char *name;
	const char *description;
	int path;			/* TAP_PATH_* */
};

const struct tracepoint_note *bpftrace_tracepoint_note_find(const char *name);
void	bpftrace_tracepoint_device_name(const char *name, char *buf,
	    size_t len);

/* Category of a tracepoint from tracefs, when tracefs can be read. */
enum tracefs_answer {
	TRACEFS_FOUND,
	TRACEFS_NOT_THERE,
	TRACEFS_UNREADABLE
};

enum tracefs_answer bpftrace_tracefs_category(const char *name, char *category,
	    size_t len);

#endif /* BPFTRACE_TRACEPOINT_NOTES_H */
