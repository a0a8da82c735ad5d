/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet tracepoints of the kernels we know (every vmlinux tracepoint
 * with an skb argument in Debian's 6.1 and 6.12 kernels and in 6.18):
 * their category, what they show, and which path they sit on.
 *
 * The category is the reason this table must be complete: tracefs, the
 * only place the kernel names it, is readable by root alone, and the
 * device list must give every user the same names.  A tracepoint missing
 * here is still found through BTF and listed, as bpf:tracepoint:NAME
 * (no category) with a generic description.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bpftrace-tracepoint-notes.h"

static const struct tracepoint_note notes[] = {
	{ "skb", "kfree_skb", "packets the kernel drops, with a drop reason",
	    TAP_PATH_ANY },
	{ "skb", "consume_skb", "packets freed after normal use (not drops)",
	    TAP_PATH_ANY },
	{ "skb", "skb_copy_datagram_iovec",
	    "packets copied to a reading socket",
	    TAP_PATH_RECEIVE },
	{ "net", "netif_receive_skb", "packets entering the receive path",
	    TAP_PATH_RECEIVE },
	{ "net", "netif_receive_skb_entry",
	    "packets handed to netif_receive_skb()",
	    TAP_PATH_RECEIVE },
	{ "net", "netif_receive_skb_list_entry",
	    "packets received in batches (list receive)",
	    TAP_PATH_RECEIVE },
	{ "net", "netif_rx", "packets queued to the receive backlog",
	    TAP_PATH_RECEIVE },
	{ "net", "netif_rx_entry", "packets handed to netif_rx()",
	    TAP_PATH_RECEIVE },
	{ "net", "napi_gro_receive_entry",
	    "packets from NAPI drivers, before GRO merges them",
	    TAP_PATH_RECEIVE },
	{ "net", "napi_gro_frags_entry", "fragment-built packets, before GRO",
	    TAP_PATH_RECEIVE },
	{ "net", "net_dev_queue",
	    "packets queued for transmit (before qdisc and GSO)",
	    TAP_PATH_TRANSMIT },
	{ "net", "net_dev_start_xmit",
	    "packets handed to the driver (after GSO)",
	    TAP_PATH_TRANSMIT },
	{ "net", "net_dev_xmit", "packets after the driver's transmit call",
	    TAP_PATH_TRANSMIT },
	{ "qdisc", "qdisc_enqueue", "packets entering a queueing discipline",
	    TAP_PATH_TRANSMIT },
	{ "qdisc", "qdisc_dequeue", "packets leaving a queueing discipline",
	    TAP_PATH_TRANSMIT },
	{ "tcp", "tcp_retransmit_skb", "TCP segments being retransmitted",
	    TAP_PATH_TRANSMIT },
	{ "tcp", "tcp_send_reset",
	    "TCP resets sent, shown with the segment that caused them",
	    TAP_PATH_ANY },
	{ "tcp", "tcp_probe",
	    "TCP segments received on a connection (tcp_probe)",
	    TAP_PATH_RECEIVE },
	{ "tcp", "tcp_bad_csum", "TCP segments with a bad checksum",
	    TAP_PATH_RECEIVE },
	{ "tcp", "tcp_sendmsg_locked",
	    "TCP send-queue buffers as sendmsg() fills them (no headers yet)",
	    TAP_PATH_TRANSMIT },
	{ "tcp", "tcp_hash_bad_header",
	    "TCP segments refused: malformed MD5 or AO option",
	    TAP_PATH_RECEIVE },
	{ "tcp", "tcp_hash_md5_required",
	    "TCP segments refused: MD5 signature required, none present",
	    TAP_PATH_RECEIVE },
	{ "tcp", "tcp_hash_md5_unexpected",
	    "TCP segments refused: MD5 signature not expected",
	    TAP_PATH_RECEIVE },
	{ "tcp", "tcp_hash_md5_mismatch",
	    "TCP segments refused: wrong MD5 signature",
	    TAP_PATH_RECEIVE },
	{ "tcp", "tcp_hash_ao_required",
	    "TCP segments refused: TCP-AO required, none present",
	    TAP_PATH_RECEIVE },
	{ "tcp", "tcp_ao_handshake_failure",
	    "TCP segments refused: TCP-AO failed during the handshake",
	    TAP_PATH_RECEIVE },
	{ "tcp", "tcp_ao_wrong_maclen",
	    "TCP segments refused: TCP-AO MAC of the wrong length",
	    TAP_PATH_RECEIVE },
	{ "tcp", "tcp_ao_mismatch", "TCP segments refused: wrong TCP-AO MAC",
	    TAP_PATH_RECEIVE },
	{ "tcp", "tcp_ao_key_not_found",
	    "TCP segments refused: no TCP-AO key for their key id",
	    TAP_PATH_RECEIVE },
	{ "tcp", "tcp_ao_rnext_request",
	    "TCP segments whose peer asks for another TCP-AO key",
	    TAP_PATH_RECEIVE },
	{ "mptcp", "subflow_check_data_avail",
	    "MPTCP subflow data checked on arrival",
	    TAP_PATH_RECEIVE },
	{ "udp", "udp_fail_queue_rcv_skb",
	    "UDP packets a socket failed to queue",
	    TAP_PATH_RECEIVE },
	{ "sock", "sock_rcvqueue_full",
	    "packets dropped: socket receive queue full",
	    TAP_PATH_RECEIVE },
	{ "icmp", "icmp_send",
	    "packets that made the kernel send an ICMP error",
	    TAP_PATH_ANY },
	{ "devlink", "devlink_trap_report",
	    "packets trapped by a device (devlink traps)",
	    TAP_PATH_ANY },
};

const struct tracepoint_note *
bpftrace_tracepoint_note_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		if (notes[i].description != NULL &&
		    strcmp(notes[i].name, name) == 0)
			return &notes[i];
	return NULL;
}

static const char *const tracefs_events_dirs[] = {
	"/sys/kernel/tracing/events",
	"/sys/kernel/debug/tracing/events",
};

static const char *
tracefs_events_dir(void)
{
	size_t i;
	struct stat st;

	for (i = 0; i < sizeof(tracefs_events_dirs) / sizeof(tracefs_events_dirs[0]); i++)
		if (stat(tracefs_events_dirs[i],
		    &st) == 0 && S_ISDIR(st.st_mode))
			return tracefs_events_dirs[i];
	return NULL;
}

static int
tracefs_has_event(const char *category, const char *name)
{
	const char *dir = tracefs_events_dir();
	char path[512];
	struct stat st;

	if (dir == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/%s/%s", dir, category, name);
	return stat(path, &st) == 0;
}

/* Tracepoint names are unique kernel-wide, so one category matches. */
enum tracefs_answer
bpftrace_tracefs_category(const char *name, char *category, size_t len)
{
	const char *dir = tracefs_events_dir();
	struct dirent *de;
	DIR *d;

	if (dir == NULL || (d = opendir(dir)) == NULL)
		return TRACEFS_UNREADABLE;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (tracefs_has_event(de->d_name, name)) {
			snprintf(category, len, "%s", de->d_name);
			closedir(d);
			return TRACEFS_FOUND;
		}
	}
	closedir(d);
	return TRACEFS_NOT_THERE;
}

/*
 * The device name under which a tracepoint is offered, the same for every
 * user: with its category where the notes table knows it, else without
 * one (bpf:tracepoint:NAME).  Not from tracefs, which only root can read.
 */
void
bpftrace_tracepoint_device_name(const char *name, char *buf, size_t len)
{
	const struct tracepoint_note *note = bpftrace_tracepoint_note_find(name);

	if (note != NULL)
		snprintf(buf, len, "bpf:tracepoint:%s:%s", note->category,
		    name);
	else
		snprintf(buf, len, "bpf:tracepoint:%s", name);
}
