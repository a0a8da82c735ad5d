/*
 * Copyright (c) 2026 The pcap-bpftrace authors.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * The bpf: capture source.  A device named bpf:FAMILY:... is a BPF probe
 * at a kernel tap; activation loads and attaches it, and its ring-buffer
 * records become ordinary pcap packets.
 *
 * This file is the libpcap glue only.  Tap names are parsed in
 * bpftrace-tap-name.c, tracepoints resolved through BTF in
 * bpftrace-tracepoint.c, the probe loaded in bpftrace-probe.c and the ring
 * read in bpftrace-ring.c; those include libbpf's headers, which clash
 * with libpcap's struct bpf_insn, so they live in their own files.
 *
 * Everything privileged happens in activate.  Afterwards the handle uses
 * only memory mappings, poll() and an eventfd, so it keeps working after
 * the application drops its privileges, as tcpdump does.
 */

#define _GNU_SOURCE		/* secure_getenv: privileged callers */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

#include "pcap-int.h"
#include "pcap-bpftrace.h"
#include "pcap-bpftrace-compat.h"

#include "bpftrace-filter.h"
#include "bpftrace-filter-channel.h"
#include "bpftrace-filter-keeper.h"
#include "bpftrace-function-pattern.h"
#include "bpftrace-nflog.h"
#include "bpftrace-perf.h"
#include "bpftrace-privilege.h"
#include "bpftrace-activation.h"
#include "bpftrace-broker-client.h"
#include "bpftrace-capture-view.h"
#include "bpftrace-interface-watch.h"
#include "bpftrace-reason.h"
#include "bpftrace-ring.h"
#include "bpftrace-scope.h"
#include "bpftrace-status.h"
#include "bpftrace-tap.h"
#include "bpftrace-tap-name.h"
#include "bpftrace-tracepoint-notes.h"
#include "bpftrace-user-program.h"
#include "bpftrace-user-record.h"

/*
 * Outside immediate mode the probe wakes the reader once this much waits
 * (at most; a quarter of the ring if less), or this long after its last
 * wakeup; after a batch the reader looks again after STRAGGLER_LOOK_MS
 * for records that came without one, and when it stops looking the
 * probes wake it for every record (set_reader_idle()).
 */
#define WAKEUP_BYTES_MAX	(256 * 1024)
#define WAKEUP_INTERVAL_NS	10000000
#define STRAGGLER_LOOK_MS	12

/* One tap of the capture: its probe writes to the first tap's ring. */
struct handle_tap {
	struct tap_spec spec;
	char device[TAP_DEVICE_MAX];	/* "bpf:..." of this tap alone */
	char label[TAP_DEVICE_MAX];	/* NFLOG prefix: skb:kfree_skb,
	    tc:eth0 */
	struct reason_names *reasons;	/* its reason argument's names */
	struct function_names *functions;	/* a kprobe pattern's names */
	struct tap_view view;		/* its probe's mapped knobs */
};

struct pcap_bpftrace {
	struct handle_tap taps[TAPS_MAX];	/* joined with '+' */
	int tap_count;
	int parse_status;		/* TAP_OK, or why the name is bad */
	char parse_error[PCAP_ERRBUF_SIZE];

	uint32_t kernel_generation;	/* stamp of records that passed the
					   installed filter in the kernel;
					   0: the filter runs here only */
	struct ring_reader ring;
	int ring_open;
	int ring_fd;			/* the granted ring; -1: none */
	struct capture_holding *holding;	/* the probes, when activated
					   in this process */
	int probes_open;		/* the taps' views are open */
	int broker_fd;			/* the capture broker's connection,
					   held while the capture lasts */
	int keeper_fd;			/* in process: the filter keeper's
					   connection (bpftrace-filter-keeper.h);
					   -1: none */

	/* bpf:prog, bpf:pinned, bpf:object: a user's bpf_pcap() program. */
	int user_source;
	struct user_program user;
	struct perf_reader perf;	/* when its output is a perf array */
	int perf_open;
	/*
	 * In process, probes that deliver packets with paged data through
	 * bpf_skb_output(): their perf array, read (in perf) beside the
	 * ring; wait_fd is then an epoll descriptor over both.
	 */
	int whole_open;
	int whole_fd;			/* the perf array; -1: none */
	int whole_epoll;		/* -1: none */
	int peeked_whole;		/* the record peeked is the perf one's */
	unsigned char *whole_record;	/* a sample made a ring record */
	uint64_t user_records;		/* read (ps_recv) */
	uint64_t user_skipped;		/* malformed or unconvertible (ps_drop) */
	uint64_t discarded;		/* records of the probes not delivered:
					   rendered in a link type no longer
					   the handle's (ps_drop) */

	int wait_fd;			/* readable when records are there */
	struct interface_watch watch;	/* tc and XDP: the interfaces */
	int interface_gone;		/* one of them has: the capture ended */

	unsigned char *render_buffer;	/* the callback's packet (writable):
					   snaplen + NFLOG's room */
	int breakloop_fd;		/* eventfd: wakes a blocked read; -1 when
					   non-blocking, where nothing waits */
	int closed_at_exit;		/* registered with libpcap's atexit list */
	int look_again;			/* delivered since the last wakeup */
};

/*
 * The default is what AF_PACKET gives at the nearest place: EN10MB at the
 * tc and XDP taps of an Ethernet interface (as on the interface itself),
 * LINUX_SLL elsewhere (as on libpcap's "any").  Every libpcap program
 * knows both, where many older ones refuse LINUX_SLL2 (ngrep, tcpflow,
 * suricata, iftop...) and some take Ethernet only (arpwatch).
 * '-y LINUX_SLL2' adds the interface and direction.
 */
static int ensure_attached(pcap_t *p);

static const u_int link_types[] = {
	DLT_LINUX_SLL, DLT_EN10MB, DLT_LINUX_SLL2, DLT_RAW, DLT_NFLOG,
	DLT_IEEE802_11			/* offered at 802.11 taps only */
};

static int
pcap_status_for(int status)
{
	switch (status) {
	case TAP_OK:
		return 0;
	case TAP_NO_SUCH_TAP:
		return PCAP_ERROR_NO_SUCH_DEVICE;
	case TAP_NOT_CAPTURABLE:
		return PCAP_ERROR_CAPTURE_NOTSUP;
	case TAP_PERMISSION:
		return PCAP_ERROR_PERM_DENIED;
	default:
		return PCAP_ERROR;
	}
}

static uint32_t
ring_link_type(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
		return RING_DLT_EN10MB;
	case DLT_RAW:
		return RING_DLT_RAW;
	case DLT_IEEE802_11:
		return RING_DLT_IEEE802_11;
	case DLT_NFLOG:
		return RING_DLT_NFLOG;
	case DLT_LINUX_SLL2:
		return RING_DLT_LINUX_SLL2;
	default:
		return RING_DLT_LINUX_SLL;
	}
}

/* Offset from CLOCK_MONOTONIC (the probe's clock) to CLOCK_REALTIME. */
static int64_t
realtime_offset_ns(void)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	return ((int64_t)real.tv_sec - mono.tv_sec) * 1000000000LL +
	    (real.tv_nsec - mono.tv_nsec);
}

static void
fill_timestamp(pcap_t *p, struct pcap_pkthdr *h, uint64_t mono_ns,
    int64_t offset)
{
	uint64_t ns = mono_ns + (uint64_t)offset;

	h->ts.tv_sec = (time_t)(ns / 1000000000ULL);
	if (p->opt.tstamp_precision == PCAP_TSTAMP_PRECISION_NANO)
		h->ts.tv_usec = (suseconds_t)(ns % 1000000000ULL);
	else
		h->ts.tv_usec = (suseconds_t)(ns % 1000000000ULL / 1000);
}

/* Appends " NAME" to the prefix, or " WHAT VALUE" for a value without one. */
static size_t
append_name(char *prefix, size_t used, const char *name, const char *what,
    long long value)
{
	if (used >= NFLOG_PREFIX_MAX)
		return used;
	if (name != NULL)
		return used + (size_t)snprintf(prefix + used,
		    NFLOG_PREFIX_MAX - used, " %s", name);
	return used + (size_t)snprintf(prefix + used, NFLOG_PREFIX_MAX - used,
	    " %s %lld", what, value);
}

/*
 * NFLOG's prefix: the tap, the packet's identity when tracking ("pkt=ID":
 * its rows are nflog.prefix matches "pkt=ID\\b"), the reason (its name in
 * this kernel), the process when the tap ran in one's context.
 */
static void
nflog_prefix(const struct handle_tap *tap, const struct ring_packet_meta *m,
    char *prefix)
{
	const char *function = (m->flags & RING_META_FUNCTION) ?
	    bpftrace_function_name(tap->functions, m->function_id) : NULL;
	size_t used;

	/* A pattern's record: the function that saw it, kprobe:ip_rcv. */
	if (function != NULL)
		used = (size_t)snprintf(prefix, NFLOG_PREFIX_MAX, "%s:%s",
		    bpftrace_tap_family_name(tap->spec.family), function);
	else
		used = (size_t)snprintf(prefix, NFLOG_PREFIX_MAX, "%s",
		    tap->label);

	if ((m->flags & RING_META_TRACKED) && used < NFLOG_PREFIX_MAX)
		used += (size_t)snprintf(prefix + used,
		    NFLOG_PREFIX_MAX - used, " pkt=%u", m->track_id);

	if (m->flags & RING_META_HAS_REASON)
		used = append_name(prefix, used, bpftrace_reason_name(
		    tap->reasons, m->reason), "reason", (long long)m->reason);
	if (m->flags & RING_META_HAS_VERDICT)
		used = append_name(prefix, used, bpftrace_tap_verdict_name(
		    tap->spec.family, m->verdict), "verdict",
		    (long long)m->verdict);
	if ((m->flags & RING_META_IN_TASK) && used < NFLOG_PREFIX_MAX)
		snprintf(prefix + used, NFLOG_PREFIX_MAX - used, " %.16s/%u",
		    m->comm, m->pid);
}

/*
 * The callback gets a writable copy, as AF_PACKET's ring is writable:
 * some programs change the packet in place (arpwatch swaps the Ethernet
 * type), and the ring's data pages can only be mapped read-only.  A copy
 * of a packet already in the cache costs little next to the callback.
 */
static const u_char *
writable_copy(struct pcap_bpftrace *pb, const u_char *bytes, bpf_u_int32 len)
{
	if (bytes != pb->render_buffer)
		memcpy(pb->render_buffer, bytes, len);
	return pb->render_buffer;
}

/*
 * Turns one ring record into a packet for the callback.  Returns 1 when
 * the packet was delivered, 0 when it was skipped: a record rendered in a
 * link type the handle no longer uses (before pcap_set_datalink()) or
 * malformed, both counted as drops (the probe counted them received), or
 * one the user-space filter rejects.
 */
static int
deliver_record(pcap_t *p, const void *rec, uint32_t rec_len, int64_t offset,
    pcap_handler callback, u_char *user)
{
	struct pcap_bpftrace *pb = p->priv;
	const struct ring_record *r = rec;
	const u_char *bytes = (const u_char *)(r + 1);
	struct pcap_pkthdr h;

	if (rec_len >= sizeof(*r) && r->link_type == RING_WAKEUP_ONLY)
		return 0;	/* no packet: it woke the reader */
	if (rec_len < sizeof(*r) || r->captured_len > rec_len - sizeof(*r) ||
	    r->link_type != ring_link_type(p->linktype)) {
		pb->discarded++;
		return 0;
	}
	h.caplen = r->captured_len;
	if (h.caplen > (bpf_u_int32)p->snapshot)
		h.caplen = (bpf_u_int32)p->snapshot;
	h.len = r->packet_len;
	if (r->link_type == RING_DLT_NFLOG) {
		struct ring_packet_meta meta;
		char prefix[NFLOG_PREFIX_MAX];

		if (r->captured_len < sizeof(meta) ||
		    r->packet_len < sizeof(meta) ||
		    r->tap_index >= pb->tap_count) {
			pb->discarded++;
			return 0;
		}
		memcpy(&meta, bytes, sizeof(meta));
		nflog_prefix(&pb->taps[r->tap_index], &meta, prefix);
		h.caplen = bpftrace_nflog_render(&meta, prefix,
		    bytes + sizeof(meta),
		    r->captured_len - sizeof(meta),
		        r->packet_len - sizeof(meta),
		    (uint32_t)p->snapshot, pb->render_buffer, &h.len);
		bpftrace_nflog_set_resource_id(pb->render_buffer,
		    r->tap_index);
		bytes = pb->render_buffer;
	}
	/*
	 * Records that passed the installed filter in the kernel are done;
	 * the others (queued before pcap_setfilter(), or a filter the probe
	 * cannot run) are filtered here, the result again a snap length.
	 */
	if (p->fcode.bf_insns != NULL && (pb->kernel_generation == 0 ||
	    r->filter_generation != pb->kernel_generation)) {
		u_int snap = pcapint_filter(p->fcode.bf_insns, bytes, h.len,
		    h.caplen);

		if (snap == 0)
			return 0;
		if (snap < h.caplen)
			h.caplen = snap;
	}
	fill_timestamp(p, &h, r->timestamp_ns, offset);
	callback(user, &h, writable_copy(pb, bytes, h.caplen));
	return 1;
}

/*
 * A record of a user's program: checked and rendered in the handle's link
 * type (bpftrace-user-record.c); what fails is counted as a drop.
 */
static int
deliver_user_record(pcap_t *p, const void *rec, uint32_t rec_len,
    int64_t offset, pcap_handler callback, u_char *user)
{
	struct pcap_bpftrace *pb = p->priv;
	struct user_packet pkt;
	struct pcap_pkthdr h;

	pb->user_records++;
	if (bpftrace_user_record_render(rec, rec_len, p->linktype,
	    (uint32_t)p->snapshot, pb->render_buffer, &pkt) != USER_RECORD_OK) {
		pb->user_skipped++;
		return 0;
	}
	h.caplen = pkt.caplen;
	h.len = pkt.len;
	if (pkt.nflog) {
		char prefix[NFLOG_PREFIX_MAX];

		snprintf(prefix, sizeof(prefix), "%s id %llu",
		    pb->taps[0].label,
		    (unsigned long long)pkt.id);
		h.caplen = bpftrace_nflog_render(&pkt.meta, prefix, pkt.bytes,
		    pkt.caplen,
		    pkt.len, (uint32_t)p->snapshot, pb->render_buffer, &h.len);
		pkt.bytes = pb->render_buffer;
	}
	if (p->fcode.bf_insns != NULL) {
		/* The filter's result is a snap length, as everywhere. */
		u_int snap = pcapint_filter(p->fcode.bf_insns, pkt.bytes, h.len,
		    h.caplen);

		if (snap == 0)
			return 0;
		if (snap < h.caplen)
			h.caplen = snap;
	}
	fill_timestamp(p, &h, pkt.ktime_ns, offset);
	callback(user, &h, writable_copy(pb, pkt.bytes, h.caplen));
	return 1;
}

/* A perf sample's raw part is below 64 KiB (its size is 16 bits). */
#define WHOLE_SAMPLE_MAX	65536

/*
 * A sample of the perf array (struct skb_output_prefix in ring_record.h)
 * made the ring record it stands for in whole_record: the header, the
 * meta bytes, the skb's bytes after those the link header replaced.
 * Checked as untrusted.  0, or -1 when malformed.
 */
static int
whole_record_from(struct pcap_bpftrace *pb, const unsigned char *sample,
    uint32_t sample_len, uint32_t *len)
{
	struct skb_output_prefix pre;
	struct ring_record h;
	uint64_t room;

	if (sample_len < sizeof(pre) + sizeof(h) ||
	    sample_len > WHOLE_SAMPLE_MAX)
		return -1;
	memcpy(&pre, sample, sizeof(pre));
	memcpy(&h, sample + sizeof(pre), sizeof(h));
	room = sample_len - sizeof(pre) - sizeof(h);
	if (h.captured_len < pre.meta_len ||
	    (uint64_t)h.captured_len + pre.skip > room)
		return -1;
	sample += sizeof(pre) + sizeof(h);
	memcpy(pb->whole_record, &h, sizeof(h));
	memcpy(pb->whole_record + sizeof(h), sample, pre.meta_len);
	memcpy(pb->whole_record + sizeof(h) + pre.meta_len,
	    sample + pre.meta_len + pre.skip, h.captured_len - pre.meta_len);
	*len = (uint32_t)sizeof(h) + h.captured_len;
	return 0;
}

/*
 * The ring's next record or the perf array's, the earlier first: a
 * packet's record takes the perf array only when it has paged data, and
 * should not overtake the small ones around it.  (Each CPU has its own
 * perf ring: across CPUs the order is only nearly that of time, as it is
 * for the other readers of per-CPU rings.)
 */
static const void *
whole_peek(struct pcap_bpftrace *pb, uint32_t *len)
{
	const struct ring_record *rec;
	const unsigned char *sample;
	uint32_t rec_len, sample_len;
	uint64_t sample_ns;

	rec = bpftrace_ring_reader_peek(&pb->ring, &rec_len);
	for (;;) {
		sample = bpftrace_perf_reader_peek(&pb->perf, &sample_len);
		if (sample == NULL)
			break;
		if (sample_len >= sizeof(struct skb_output_prefix) +
		    sizeof(struct ring_record))
			break;
		pb->discarded++;	/* malformed */
		bpftrace_perf_reader_release(&pb->perf);
	}
	pb->peeked_whole = 0;
	if (sample == NULL) {
		*len = rec_len;
		return rec;
	}
	memcpy(&sample_ns, sample + sizeof(struct skb_output_prefix) +
	    offsetof(struct ring_record, timestamp_ns), sizeof(sample_ns));
	if (rec != NULL && (rec_len < sizeof(*rec) ||
	    rec->timestamp_ns <= sample_ns)) {
		*len = rec_len;
		return rec;
	}
	pb->peeked_whole = 1;
	if (whole_record_from(pb, sample, sample_len, len) != 0) {
		/* Delivered as malformed: deliver_record() counts it. */
		*len = 0;
		return pb->whole_record;
	}
	return pb->whole_record;
}

/* The next record of the handle's source, NULL when there is none. */
static const void *
source_peek(struct pcap_bpftrace *pb, uint32_t *len)
{
	if (pb->perf_open)
		return bpftrace_perf_reader_peek(&pb->perf, len);
	if (pb->whole_open)
		return whole_peek(pb, len);
	return bpftrace_ring_reader_peek(&pb->ring, len);
}

static void
source_release(struct pcap_bpftrace *pb)
{
	if (pb->perf_open || (pb->whole_open && pb->peeked_whole))
		bpftrace_perf_reader_release(&pb->perf);
	else
		bpftrace_ring_reader_release(&pb->ring);
	pb->peeked_whole = 0;
}

/*
 * Whether the ring reader stopped (a foreign consumer, positions that
 * cannot be): then the read fails with its reason, naming the device.
 */
static int
source_failed(pcap_t *p)
{
	struct pcap_bpftrace *pb = p->priv;

	if (!pb->ring_open || pb->ring.error[0] == '\0')
		return 0;
	snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s: %s", p->opt.device,
	    pb->ring.error);
	return 1;
}

/* Released records' room back to the kernel (a ring buffer's, per batch). */
static void
source_commit(struct pcap_bpftrace *pb)
{
	if (pb->ring_open)
		bpftrace_ring_reader_commit(&pb->ring);
}

/*
 * Delivers what the ring holds now, up to max_packets.  The room of the
 * records delivered goes back to the kernel every COMMIT_EVERY records
 * and at the end.
 */
#define COMMIT_EVERY	256

static int
deliver_available(pcap_t *p, int max_packets, pcap_handler callback,
    u_char *user)
{
	struct pcap_bpftrace *pb = p->priv;
	int64_t offset = realtime_offset_ns();
	const void *rec;
	uint32_t len;
	int delivered = 0, released = 0;

	while ((rec = source_peek(pb, &len)) != NULL) {
		if (p->break_loop) {
			source_commit(pb);
			if (delivered > 0)
				return delivered;
			p->break_loop = 0;
			return PCAP_ERROR_BREAK;
		}
		if (pb->user_source)
			delivered += deliver_user_record(p, rec, len, offset,
			    callback, user);
		else
			delivered += deliver_record(p, rec, len, offset,
			    callback, user);
		source_release(pb);
		if (++released % COMMIT_EVERY == 0)
			source_commit(pb);
		if (!PACKET_COUNT_IS_UNLIMITED(max_packets) &&
		    delivered >= max_packets)
			break;
	}
	source_commit(pb);
	if (delivered == 0 && source_failed(p))
		return PCAP_ERROR;
	return delivered;
}

/*
 * Waits up to timeout ms (-1: no limit) for records or a
 * pcap_breakloop().  Returns 1 when records may be there, 0 on timeout,
 * PCAP_ERROR on failure.
 */
static int
wait_for_records(pcap_t *p, int timeout)
{
	struct pcap_bpftrace *pb = p->priv;
	struct pollfd fds[3];
	int n;

	fds[0].fd = pb->wait_fd;
	fds[0].events = POLLIN;
	fds[1].fd = pb->breakloop_fd;
	fds[1].events = POLLIN;
	fds[2].fd = pb->watch.fd;	/* -1: not watched, poll() skips it */
	fds[2].events = POLLIN;
	n = poll(fds, 3, timeout);
	if (n < 0) {
		if (errno == EINTR)
			return 1;	/* the caller checks break_loop */
		pcapint_fmt_errmsg_for_errno(p->errbuf, PCAP_ERRBUF_SIZE,
		    errno, "%s: poll on the ring", p->opt.device);
		return PCAP_ERROR;
	}
	if (fds[1].revents & POLLIN) {
		uint64_t value;

		if (read(pb->breakloop_fd, &value, sizeof(value)) < 0 &&
		    errno != EAGAIN) {
			pcapint_fmt_errmsg_for_errno(p->errbuf,
			    PCAP_ERRBUF_SIZE, errno,
			    "%s: reading the breakloop eventfd", p->opt.device);
			return PCAP_ERROR;
		}
	}
	return n > 0;
}

/*
 * Outside immediate mode the probes wake the reader only now and then
 * (see wakeup_flags() in bpf/capture.bpf.c), which is enough while the
 * reader reads: it looks again after each batch.  Where it stops looking
 * (a wait without a time limit, or back in the application, which may
 * poll the selectable descriptor with none) it says so, and the probes
 * then wake it for every record.  The fence orders the flag before the
 * look at the ring that follows (poll()'s); the probe orders its record
 * before its look at the flag.
 */
static void
set_reader_idle(struct pcap_bpftrace *pb, uint32_t idle)
{
	int i;

	if (!pb->probes_open)
		return;
	for (i = 0; i < pb->tap_count; i++)
		__atomic_store_n(&pb->taps[i].view.settings->reader_idle, idle,
		    __ATOMIC_RELAXED);
	if (idle)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/*
 * Whether the capture has ended because its interface went (deleted, or
 * moved to another namespace): nothing will come any more, and the
 * application is told as pcap-linux tells it.  Asked when the ring is
 * empty, so that what came before is delivered first.
 */
static int
interface_disappeared(pcap_t *p)
{
	struct pcap_bpftrace *pb = p->priv;

	if (!pb->interface_gone &&
	    bpftrace_interface_watch_gone(&pb->watch))
		pb->interface_gone = 1;
	if (pb->interface_gone)
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE,
		    "%s: The interface disappeared", p->opt.device);
	return pb->interface_gone;
}

static int
read_records(pcap_t *p, int max_packets, pcap_handler callback, u_char *user)
{
	struct pcap_bpftrace *pb = p->priv;
	int coalesced = pb->probes_open &&
	    pb->taps[0].view.settings->wakeup_bytes != 0;
	int n, timed_out = 0;

	for (;;) {
		if (p->break_loop) {
			p->break_loop = 0;
			return PCAP_ERROR_BREAK;
		}
		n = deliver_available(p, max_packets, callback, user);
		if (n > 0)
			pb->look_again = coalesced;
		if (n == 0 && interface_disappeared(p))
			return PCAP_ERROR;
		if (n != 0 || pb->breakloop_fd < 0 || timed_out)
			return n;
		if (pb->look_again) {
			/* Records may have come after a batch without a wakeup. */
			pb->look_again = 0;
			n = wait_for_records(p, STRAGGLER_LOOK_MS);
		} else {
			set_reader_idle(pb, 1);
			n = wait_for_records(p,
			    p->opt.timeout > 0 ? p->opt.timeout : -1);
			set_reader_idle(pb, 0);
			timed_out = n == 0;
		}
		if (n < 0)
			return n;
	}
}

static int
bpftrace_read(pcap_t *p, int max_packets, pcap_handler callback, u_char *user)
{
	struct pcap_bpftrace *pb = p->priv;
	int n;

	if ((n = ensure_attached(p)) != 0)
		return n == PCAP_ERROR_PERM_DENIED ? PCAP_ERROR : n;
	set_reader_idle(pb, 0);
	n = read_records(p, max_packets, callback, user);
	set_reader_idle(pb, 1);
	return n;
}

/*
 * pcap_next() and pcap_next_ex() keep the packet pointer after the read
 * returns, when the ring record has already gone back to the kernel; the
 * packet is the handle's copy (writable_copy()), which stays until the
 * next read.
 */
static void
bpftrace_oneshot(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct oneshot_userdata *sp = (struct oneshot_userdata *)user;

	*sp->hdr = *h;
	*sp->pkt = bytes;
}

static int
bpftrace_inject(pcap_t *p, const void *buf, int size)
{
	(void)buf;
	(void)size;
	snprintf(p->errbuf, PCAP_ERRBUF_SIZE,
	    "%s: sending packets is not supported on bpf: taps",
	    p->opt.device);
	return PCAP_ERROR;
}

/* The counters of every tap's probe. */
static void
capture_counters_sum(const struct pcap_bpftrace *pb, struct capture_totals *sum)
{
	int i;

	memset(sum, 0, sizeof(*sum));
	if (!pb->probes_open)
		return;
	for (i = 0; i < pb->tap_count; i++) {
		struct capture_totals t;

		bpftrace_tap_view_counters(&pb->taps[i].view, &t);
		sum->received += t.received;
		sum->dropped += t.dropped;
		sum->rejected += t.rejected;
		sum->skipped += t.skipped;
		sum->tracked += t.tracked;
		sum->untracked += t.untracked;
		sum->segments += t.segments;
		sum->segments_missed += t.segments_missed;
	}
}

/*
 * ps_recv: what the probes passed, and the runs the kernel skipped (their
 * packets were at the tap, the filter never saw them); ps_drop: of those,
 * what found the ring full, the skipped runs, and the records read but
 * not delivered (rendered in a link type the handle had left), so that
 * ps_recv = delivered + ps_drop (+ what the filter rejected here).
 */
static int
bpftrace_stats(pcap_t *p, struct pcap_stat *ps)
{
	struct pcap_bpftrace *pb = p->priv;
	struct capture_totals t;

	capture_counters_sum(pb, &t);
	ps->ps_recv = (u_int)(t.received + t.skipped);
	ps->ps_drop = (u_int)(t.dropped + t.skipped + pb->discarded);
	ps->ps_ifdrop = 0;
	return 0;
}

static int
bpftrace_setdirection(pcap_t *p, pcap_direction_t d)
{
	struct pcap_bpftrace *pb = p->priv;
	uint32_t direction;
	int i;

	if (ensure_attached(p) != 0)
		return PCAP_ERROR;
	switch (d) {
	case PCAP_D_INOUT:
		direction = RING_DIRECTION_INOUT;
		break;
	case PCAP_D_IN:
		direction = RING_DIRECTION_IN;
		break;
	case PCAP_D_OUT:
		direction = RING_DIRECTION_OUT;
		break;
	default:
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE,
		    "%s: invalid direction %d", p->opt.device, (int)d);
		return PCAP_ERROR;
	}
	for (i = 0; i < pb->tap_count; i++)
		pb->taps[i].view.settings->direction = direction;
	p->direction = d;
	return 0;
}

/*
 * The same program in every tap's probe; they count generations alike.
 */
static uint32_t
install_kernel_filter(struct pcap_bpftrace *pb, const struct bpf_insn *insns,
    u_int len)
{
	uint32_t generation = 0;
	int i;

	for (i = 0; i < pb->tap_count; i++)
		generation = bpftrace_kernel_filter_install(pb->taps[i].view.filter,
		    insns, len);
	return generation;
}

/*
 * Compiled filters (PCAP_BPF_FILTER=interpret keeps the interpreter, =user
 * filters in user space: both for comparison).
 */
static int
compiled_filters_wanted(void)
{
	const char *where = secure_getenv("PCAP_BPF_FILTER");

	return where == NULL || (strcmp(where, "user") != 0 &&
	    strcmp(where, "interpret") != 0);
}

static int holds_capabilities(const struct pcap_bpftrace *pb);

/*
 * Has the program, already running in every probe's interpreter,
 * compiled and swapped in where the privilege to load it is: this
 * process if it still holds it, else the filter keeper (in process) or
 * the broker (brokered).  Each tap whose probe now holds it compiled is
 * told so through its mapped filter area; the others go on interpreting
 * the same program, so a failure here costs speed, never packets.
 */
static void
compile_kernel_filter(pcap_t *p, const struct bpf_insn *program, u_int len,
    uint32_t generation)
{
	/* Classic BPF's layout, named without libpcap's header. */
	const struct filter_insn *insns = (const struct filter_insn *)program;
	_Static_assert(sizeof(struct filter_insn) == sizeof(struct bpf_insn),
	    "struct filter_insn is struct bpf_insn's layout");

	struct pcap_bpftrace *pb = p->priv;
	struct filter_target targets[TAPS_MAX];
	uint32_t compiled = 0;
	char why[FILTER_CHANNEL_MESSAGE_MAX] = "";
	int i, count, fd = pb->keeper_fd >= 0 ? pb->keeper_fd : pb->broker_fd;

	if (pb->holding != NULL && holds_capabilities(pb) &&
	    (count = bpftrace_capture_filter_targets(pb->holding, targets,
	    TAPS_MAX)) > 0)
		compiled = bpftrace_filter_load_taps(targets, count, insns, len,
		    generation, why, sizeof(why));
	else if (fd >= 0)
		(void)bpftrace_filter_channel_compile(fd, p->opt.device, insns,
		    len, generation, &compiled, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "nothing holds the privilege to"
		    " load it");
	for (i = 0; i < pb->tap_count; i++)
		if (compiled & (1u << i))
			__atomic_store_n(&pb->taps[i].view.filter->compiled_generation,
			    generation, __ATOMIC_RELEASE);
	if (secure_getenv("PCAP_BPF_DEBUG") != NULL) {
		for (count = 0, i = 0; i < pb->tap_count; i++)
			count += (compiled >> i) & 1;
		fprintf(stderr, "%s: filter compiled in %d of %d taps%s%s\n",
		    p->opt.device, count, pb->tap_count, why[0] ? ": " : "",
		    why);
	}
}

/*
 * Whether a tap's probe was loaded without its filter interpreter (a
 * kernel without bpf_loop()): there only a compiled filter runs in the
 * kernel, and packets it did not judge reach user space unfiltered
 * (generation 0), to be filtered there.
 */
static int
interpreter_missing(const struct pcap_bpftrace *pb)
{
	int i;

	for (i = 0; i < pb->tap_count; i++)
		if (__atomic_load_n(&pb->taps[i].view.filter->no_interpreter,
		    __ATOMIC_RELAXED))
			return 1;
	return 0;
}

/*
 * The filter runs in the probe when it can, so that rejected packets never
 * use ring space or a wakeup; PCAP_BPF_FILTER=user keeps it in user space
 * (for comparison).  The interpreter's copy is only memory stores (this
 * may run after the application dropped its privileges); the compiled
 * one follows when something can load it.
 */
static int
bpftrace_setfilter(pcap_t *p, struct bpf_program *fp)
{
	struct pcap_bpftrace *pb = p->priv;
	const char *where = secure_getenv("PCAP_BPF_FILTER");
	char why[128];
	int in_kernel;

	if (pcapint_install_bpf_program(p, fp) < 0 || ensure_attached(p) != 0)
		return PCAP_ERROR;
	in_kernel = bpftrace_kernel_filter_supports(p->fcode.bf_insns,
	    p->fcode.bf_len,
	    why, sizeof(why));
	if (in_kernel && p->linktype == DLT_NFLOG) {
		in_kernel = 0;	/* the probe's bytes are not NFLOG's */
		snprintf(why, sizeof(why), "NFLOG is rendered in user space");
	}
	if (in_kernel && where != NULL && strcmp(where, "user") == 0) {
		in_kernel = 0;
		snprintf(why, sizeof(why), "PCAP_BPF_FILTER=user");
	}
	pb->kernel_generation = install_kernel_filter(pb, p->fcode.bf_insns,
	    in_kernel ? p->fcode.bf_len : 0);
	if (in_kernel && compiled_filters_wanted())
		compile_kernel_filter(p, p->fcode.bf_insns, p->fcode.bf_len,
		    pb->kernel_generation);
	if (in_kernel && interpreter_missing(pb) &&
	    secure_getenv("PCAP_BPF_DEBUG") != NULL)
		fprintf(stderr, "%s: no filter interpreter in the probe (the"
		    " kernel has no bpf_loop(): Linux 5.17): what no compiled"
		    " filter judges is filtered in user space\n",
		    p->opt.device);
	if (!in_kernel && secure_getenv("PCAP_BPF_DEBUG") != NULL)
		fprintf(stderr, "%s: filtering in user space: %s\n",
		    p->opt.device, why);
	return 0;
}

/* The probe renders the new link type from its next packet on. */
static int
bpftrace_set_datalink(pcap_t *p, int dlt)
{
	struct pcap_bpftrace *pb = p->priv;
	int i;

	if (!pb->probes_open)
		return 0;	/* applied when the capture starts */
	for (i = 0; i < pb->tap_count; i++)
		pb->taps[i].view.settings->link_type = ring_link_type(dlt);
	/* A filter running in the probe would see the probe's NFLOG bytes. */
	if (dlt == DLT_NFLOG && pb->kernel_generation != 0)
		pb->kernel_generation = install_kernel_filter(pb, NULL, 0);
	return 0;
}

static int
bpftrace_getnonblock(pcap_t *p)
{
	return ((struct pcap_bpftrace *)p->priv)->breakloop_fd < 0;
}

/*
 * A non-blocking handle never waits, so it needs no wakeup descriptor;
 * a blocking one does, and switching to blocking fails if it cannot be
 * had (as pcap-linux does).
 */
static int
bpftrace_setnonblock(pcap_t *p, int nonblock)
{
	struct pcap_bpftrace *pb = p->priv;

	if (ensure_attached(p) != 0)
		return PCAP_ERROR;
	if (nonblock && pb->breakloop_fd >= 0) {
		close(pb->breakloop_fd);
		pb->breakloop_fd = -1;
	} else if (!nonblock && pb->breakloop_fd < 0) {
		pb->breakloop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (pb->breakloop_fd < 0) {
			pcapint_fmt_errmsg_for_errno(p->errbuf,
			    PCAP_ERRBUF_SIZE,
			    errno, "%s: eventfd", p->opt.device);
			return PCAP_ERROR;
		}
	}
	return 0;
}

/* Safe from a signal handler and from another thread: a flag and a write. */
static void
bpftrace_breakloop(pcap_t *p)
{
	struct pcap_bpftrace *pb = p->priv;
	uint64_t one = 1;

	pcapint_breakloop_common(p);
	if (pb->breakloop_fd >= 0 &&
	    write(pb->breakloop_fd, &one, sizeof(one)) < 0) {
		/* The counter is full: a wakeup is pending anyway. */
	}
}

/* Shared by a failed activate and by cleanup: releases what exists. */
static void
free_resources(pcap_t *p)
{
	struct pcap_bpftrace *pb = p->priv;
	int i;

	if (pb->ring_open) {
		bpftrace_ring_reader_close(&pb->ring);
		pb->ring_open = 0;
	}
	if (pb->perf_open || pb->whole_open) {
		bpftrace_perf_reader_close(&pb->perf);
		pb->perf_open = 0;
		pb->whole_open = 0;
	}
	if (pb->whole_epoll >= 0) {
		close(pb->whole_epoll);
		pb->whole_epoll = -1;
	}
	if (pb->whole_fd >= 0) {
		close(pb->whole_fd);
		pb->whole_fd = -1;
	}
	free(pb->whole_record);
	pb->whole_record = NULL;
	bpftrace_user_program_close(&pb->user);
	bpftrace_interface_watch_close(&pb->watch);
	free(pb->render_buffer);
	pb->render_buffer = NULL;
	for (i = 0; i < pb->tap_count; i++) {
		struct handle_tap *t = &pb->taps[i];

		bpftrace_reason_names_free(t->reasons);
		t->reasons = NULL;
		bpftrace_function_names_free(t->functions);
		t->functions = NULL;
		bpftrace_tap_view_close(&t->view);
	}
	pb->probes_open = 0;
	if (pb->ring_fd >= 0) {
		close(pb->ring_fd);
		pb->ring_fd = -1;
	}
	bpftrace_capture_holding_release(pb->holding);
	pb->holding = NULL;
	if (pb->broker_fd >= 0) {
		close(pb->broker_fd);
		pb->broker_fd = -1;
	}
	if (pb->keeper_fd >= 0) {
		close(pb->keeper_fd);	/* the keeper exits */
		pb->keeper_fd = -1;
	}
	if (pb->breakloop_fd >= 0) {
		close(pb->breakloop_fd);
		pb->breakloop_fd = -1;
	}
}

static void
bpftrace_cleanup(pcap_t *p)
{
	struct pcap_bpftrace *pb = p->priv;

	if (pb->closed_at_exit) {
		pcapint_remove_from_pcaps_to_close(p);
		pb->closed_at_exit = 0;
	}
	if (pb->probes_open && secure_getenv("PCAP_BPF_DEBUG") != NULL) {
		struct capture_totals t;

		capture_counters_sum(pb, &t);
		fprintf(stderr,
		    "%s: %llu passed, %llu rejected by the in-kernel "
		    "filter, %llu dropped, %llu runs skipped by the kernel, "
		    "%llu records of a former link type\n", p->opt.device,
		    (unsigned long long)t.received,
		    (unsigned long long)t.rejected,
		    (unsigned long long)t.dropped,
		    (unsigned long long)t.skipped,
		    (unsigned long long)pb->discarded);
		/*
		 * ,track: an LRU map does not count what it evicts; what was
		 * followed and never forgotten at a free was evicted, is
		 * still in flight, or was freed where the probe does not
		 * look (bpf/packet_track.h).
		 */
		if (t.tracked != 0)
			fprintf(stderr, "%s: tracking: %llu packets followed,"
			    " %llu forgotten when freed, %llu not\n",
			    p->opt.device, (unsigned long long)t.tracked,
			    (unsigned long long)t.untracked,
			    (unsigned long long)(t.tracked - t.untracked));
		if (t.segments != 0 || t.segments_missed != 0)
			fprintf(stderr, "%s: tracking: %llu GSO segments"
			    " followed, %llu not\n", p->opt.device,
			    (unsigned long long)t.segments,
			    (unsigned long long)t.segments_missed);
	}
	free_resources(p);
	pcapint_cleanup_live_common(p);
}

/* The handle's link types, the default (p->linktype) first. */
static int
set_link_type_list(pcap_t *p, int ieee80211)
{
	size_t all = sizeof(link_types) / sizeof(link_types[0]), i;
	int n = 0;

	p->dlt_list = malloc(all * sizeof(u_int));
	if (p->dlt_list == NULL) {
		pcapint_fmt_errmsg_for_errno(p->errbuf, PCAP_ERRBUF_SIZE,
		    errno, "%s: malloc", p->opt.device);
		return PCAP_ERROR;
	}
	p->dlt_list[n++] = (u_int)p->linktype;
	for (i = 0; i < all; i++)
		if (link_types[i] != (u_int)p->linktype &&
		    (ieee80211 || link_types[i] != DLT_IEEE802_11))
			p->dlt_list[n++] = link_types[i];
	p->dlt_count = n;
	return 0;
}

/* The calling process's network namespace, whose interface indexes it reads. */
static uint32_t
own_netns_inode(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) == 0 ? (uint32_t)st.st_ino : 0;
}

/*
 * What the privileged half found out before loading anything: the default
 * link type, which link types every tap allows, each tap's reason names.
 */
static int
apply_description(pcap_t *p, const struct capture_grant *grant)
{
	struct pcap_bpftrace *pb = p->priv;
	int i, ieee80211 = 1;

	if ((int)grant->tap_count != pb->tap_count) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s: %u taps described"
		    " for %d", p->opt.device, grant->tap_count, pb->tap_count);
		return PCAP_ERROR;
	}
	for (i = 0; i < pb->tap_count; i++) {
		const struct tap_grant *g = &grant->taps[i];

		if (g->reason_arg_index >= 0 && pb->taps[i].reasons == NULL)
			pb->taps[i].reasons = bpftrace_reason_names_load(g->reason_enum);
		if (pb->taps[i].spec.pattern && pb->taps[i].functions == NULL)
			pb->taps[i].functions = bpftrace_function_names_load();
		if (!g->ieee80211)
			ieee80211 = 0;
	}
	p->linktype = (int)grant->link_type;
	/* IEEE802_11 only if every tap's packets are 802.11 frames. */
	return set_link_type_list(p, ieee80211);
}

/*
 * The reading side of tap i, from its part of the grant: mapped knobs as
 * the handle wants them (its link type and direction may have been set
 * before the probes existed), wakeups.
 */
static int
open_tap_view(pcap_t *p, int i, struct tap_grant *g)
{
	struct pcap_bpftrace *pb = p->priv;
	struct handle_tap *t = &pb->taps[i];
	char why[PCAP_ERRBUF_SIZE];

	if (bpftrace_tap_view_open(&t->view, g, why, sizeof(why)) != 0) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s: %s", t->device, why);
		return PCAP_ERROR;
	}
	t->view.settings->link_type = ring_link_type(p->linktype);
	t->view.settings->direction = p->direction == PCAP_D_IN ?
	    RING_DIRECTION_IN : p->direction == PCAP_D_OUT ?
	    RING_DIRECTION_OUT : RING_DIRECTION_INOUT;
	if (!p->opt.immediate) {
		size_t quarter = pb->ring.data_size / 4;

		t->view.settings->wakeup_bytes = (uint32_t)(quarter <
		    WAKEUP_BYTES_MAX ? quarter : WAKEUP_BYTES_MAX);
		t->view.settings->wakeup_interval_ns = WAKEUP_INTERVAL_NS;
		/* The application may poll before it first reads. */
		t->view.settings->reader_idle = 1;
	}
	if (secure_getenv("PCAP_BPF_DEBUG") != NULL)
		fprintf(stderr, "%s: attached with %s\n", t->device,
		    bpftrace_probe_mechanism_name(t->view.mechanism));
	/*
	 * A clsact filter, unlike a bpf_link, outlives the process: have
	 * libpcap close the handle at exit if the application does not.
	 */
	if (t->view.mechanism == PROBE_CLSACT && !pb->closed_at_exit &&
	    pcapint_do_addexit(p)) {
		pcapint_add_to_pcaps_to_close(p);
		pb->closed_at_exit = 1;
	}
	return 0;
}

/*
 * tc and XDP taps end with their interface: watch for that (see
 * bpftrace-interface-watch.h).
 */
static int
watch_interfaces(pcap_t *p)
{
	struct pcap_bpftrace *pb = p->priv;
	char why[PCAP_ERRBUF_SIZE];
	int i;

	for (i = 0; i < pb->tap_count; i++) {
		struct handle_tap *t = &pb->taps[i];

		if (t->spec.family == TAP_FAMILY_TC ||
		    t->spec.family == TAP_FAMILY_XDP)
			(void)bpftrace_interface_watch_add(&pb->watch,
			    t->spec.name, t->view.link_fds[0]);
	}
	if (bpftrace_interface_watch_start(&pb->watch, why, sizeof(why)) != 0) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s: %s", p->opt.device,
		    why);
		return PCAP_ERROR;
	}
	return 0;
}

/*
 * The selectable descriptor: the ring's (a duplicate: pcap_close() closes
 * p->fd), or, where interfaces are watched, an epoll descriptor over the
 * ring and the watch, so that an application that polls learns of the
 * interface's removal too (its pcap_dispatch() then fails, as
 * pcap-linux's does).
 */
static int
set_selectable_fd(pcap_t *p)
{
	struct pcap_bpftrace *pb = p->priv;
	struct epoll_event ev;

	if (pb->watch.fd < 0) {
		p->fd = fcntl(pb->wait_fd, F_DUPFD_CLOEXEC, 0);
		if (p->fd < 0) {
			pcapint_fmt_errmsg_for_errno(p->errbuf,
			    PCAP_ERRBUF_SIZE, errno, "%s: dup of the ring"
			    " descriptor", p->opt.device);
			return PCAP_ERROR;
		}
		p->selectable_fd = p->fd;
		return 0;
	}
	p->fd = epoll_create1(EPOLL_CLOEXEC);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	if (p->fd < 0 ||
	    (ev.data.fd = pb->wait_fd,
	    epoll_ctl(p->fd, EPOLL_CTL_ADD, pb->wait_fd, &ev)) != 0 ||
	    (ev.data.fd = pb->watch.fd,
	    epoll_ctl(p->fd, EPOLL_CTL_ADD, pb->watch.fd, &ev)) != 0) {
		int error = errno;

		if (p->fd >= 0)
			close(p->fd);
		p->fd = -1;
		pcapint_fmt_errmsg_for_errno(p->errbuf, PCAP_ERRBUF_SIZE,
		    error, "%s: the selectable descriptor (epoll)",
		    p->opt.device);
		return PCAP_ERROR;
	}
	p->selectable_fd = p->fd;
	return 0;
}

static size_t	perf_ring_bytes(pcap_t *p);

/*
 * In process, probes loaded to deliver packets with paged data through
 * bpf_skb_output() (tp_btf before 6.12, fentry, fexit): their perf array
 * is read beside the ring, and then they are told to use it.  Where the
 * perf events cannot be opened, they go on copying the linear part.
 */
static void
open_whole_reader(pcap_t *p)
{
	struct pcap_bpftrace *pb = p->priv;
	struct epoll_event ev;
	char why[PCAP_ERRBUF_SIZE];
	size_t bytes = perf_ring_bytes(p);
	int i, ep = -1;

	/* Room for two samples of the largest size per CPU at least. */
	if (bytes < 4 * WHOLE_SAMPLE_MAX)
		bytes = 4 * WHOLE_SAMPLE_MAX;
	why[0] = '\0';
	if (bpftrace_perf_reader_open(&pb->perf, pb->whole_fd, bytes, why,
	    sizeof(why)) != 0)
		goto fail;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	if ((pb->whole_record = malloc(sizeof(struct ring_record) +
	    WHOLE_SAMPLE_MAX)) == NULL ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, pb->ring.map_fd, &ev) != 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, pb->perf.epoll_fd, &ev) != 0) {
		snprintf(why, sizeof(why), "%s", strerror(errno));
		if (ep >= 0)
			close(ep);
		bpftrace_perf_reader_close(&pb->perf);
		goto fail;
	}
	pb->whole_open = 1;
	pb->whole_epoll = ep;
	pb->wait_fd = ep;
	for (i = 0; i < pb->tap_count; i++)
		__atomic_store_n(&pb->taps[i].view.settings->skb_output, 1,
		    __ATOMIC_RELEASE);
	if (secure_getenv("PCAP_BPF_DEBUG") != NULL)
		fprintf(stderr, "%s: packets with paged data through"
		    " bpf_skb_output() (%zu bytes of perf ring per CPU)\n",
		    p->opt.device, bytes);
	return;
fail:
	free(pb->whole_record);
	pb->whole_record = NULL;
	close(pb->whole_fd);
	pb->whole_fd = -1;
	if (secure_getenv("PCAP_BPF_DEBUG") != NULL)
		fprintf(stderr, "%s: no perf array reader (%s): the linear"
		    " part of packets with paged data\n", p->opt.device, why);
}

/*
 * The unprivileged half: the started capture's grant becomes this handle's
 * ring reader and knobs, and its descriptor the selectable one.  The
 * grant's descriptors are the handle's from here on (those not taken are
 * closed).
 */
static int
open_views(pcap_t *p, struct capture_grant *grant)
{
	struct pcap_bpftrace *pb = p->priv;
	char why[PCAP_ERRBUF_SIZE];
	int i, status = 0;

	if ((int)grant->tap_count != pb->tap_count) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s: %u probes granted"
		    " for %d taps", p->opt.device, grant->tap_count,
		    pb->tap_count);
		bpftrace_capture_grant_close(grant);
		return PCAP_ERROR;
	}
	if (bpftrace_capture_grant_verify(grant, why, sizeof(why)) != 0) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s: %s", p->opt.device,
		    why);
		bpftrace_capture_grant_close(grant);
		return PCAP_ERROR;
	}
	pb->ring_fd = grant->ring_fd;
	grant->ring_fd = -1;
	if (bpftrace_ring_reader_open(&pb->ring, pb->ring_fd, grant->ring_bytes,
	    why, sizeof(why)) != 0) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s: %s", p->opt.device,
		    why);
		bpftrace_capture_grant_close(grant);
		return PCAP_ERROR;
	}
	pb->ring_open = 1;
	pb->wait_fd = pb->ring.map_fd;
	pb->probes_open = 1;
	pb->whole_fd = grant->perf_fd;
	grant->perf_fd = -1;
	for (i = 0; i < pb->tap_count && status == 0; i++)
		status = open_tap_view(p, i, &grant->taps[i]);
	bpftrace_capture_grant_close(grant);
	if (status != 0 || (status = watch_interfaces(p)) != 0)
		return status;
	if (pb->whole_fd >= 0)
		open_whole_reader(p);
	return set_selectable_fd(p);
}

/*
 * Through the broker, activation only resolves the taps; the probes are
 * loaded and attached when the application first uses the capture: reads,
 * sets a filter, a direction or non-blocking mode, or asks for the
 * selectable descriptor (to wait on it).  Merely opening a device, to
 * list its link types or to read its statistics (Wireshark's interface
 * list runs dumpcap -S over every device; dumpcap, for root and for group
 * members alike, goes through the broker), loads, attaches and copies
 * nothing; its statistics read 0.  In process, activation starts the
 * capture at once (see start_probes()).
 */
static int
ensure_attached(pcap_t *p)
{
	struct pcap_bpftrace *pb = p->priv;
	struct capture_grant grant;
	int status;

	/* Views open only on a started capture (see open_views()). */
	if (pb->probes_open || pb->broker_fd < 0)
		return 0;
	status = bpftrace_broker_attach(pb->broker_fd, p->opt.device, &grant,
	    p->errbuf, PCAP_ERRBUF_SIZE);
	if (status != TAP_OK)
		return pcap_status_for(status);
	return open_views(p, &grant);
}

/* Called by pcap_get_selectable_fd() and pcap_fileno() (the patch). */
void
bpftrace_selectable_fd_wanted(pcap_t *p)
{
	if (p->read_op == bpftrace_read)
		(void)ensure_attached(p);
}

/* Whether this process may load and attach every tap's probe itself. */
static int
holds_capabilities(const struct pcap_bpftrace *pb)
{
	int i;

	for (i = 0; i < pb->tap_count; i++)
		if (!bpftrace_has_tap_capabilities(pb->taps[i].spec.family))
			return 0;
	return 1;
}

/*
 * In process, the privilege to load a compiled filter may be gone by the
 * time the application sets its filter; the keeper keeps it.  Without
 * one the interpreter filters, as fast as before compiled filters.
 */
static void
start_filter_keeper(pcap_t *p)
{
	struct pcap_bpftrace *pb = p->priv;
	struct filter_target targets[TAPS_MAX];
	char why[PCAP_ERRBUF_SIZE];
	int count;

	if (!compiled_filters_wanted())
		return;
	count = bpftrace_capture_filter_targets(pb->holding, targets, TAPS_MAX);
	if (count == 0 || bpftrace_filter_keeper_start(targets, count,
	    &pb->keeper_fd, why, sizeof(why)) != 0) {
		if (secure_getenv("PCAP_BPF_DEBUG") != NULL)
			fprintf(stderr, "%s: no filter keeper: %s\n",
			    p->opt.device, count == 0 ? "a tap's probe cannot"
			    " run a compiled filter" : why);
	}
}

/*
 * The privileged half: in this process when it holds the capabilities,
 * else by the capture broker when one listens (the process then needs no
 * privilege at all).  Without either, the in-process attempt says what
 * is missing.
 */
/*
 * A reason about the resolved name (numbers for the scope's paths) starts
 * with the name as the user typed it instead.
 */
static int
failed_as_typed(pcap_t *p, const char *resolved, int status)
{
	size_t n = strlen(resolved);
	char reason[PCAP_ERRBUF_SIZE];

	if (strcmp(resolved, p->opt.device) != 0 &&
	    strncmp(p->errbuf, resolved, n) == 0 && p->errbuf[n] == ':') {
		snprintf(reason, sizeof(reason), "%s", p->errbuf + n);
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s%s", p->opt.device,
		    reason);
	}
	return pcap_status_for(status);
}

static int
start_probes(pcap_t *p)
{
	struct pcap_bpftrace *pb = p->priv;
	struct capture_request req;
	struct capture_grant grant;
	uint64_t ring_bytes = p->opt.buffer_size > 0 ?
	    (uint64_t)p->opt.buffer_size : 0;
	char device[CAPTURE_DEVICE_MAX + 1];
	int status;

	/*
	 * The scope's paths and names are this process's to open, as it is
	 * and where it is: the privileged side gets numbers.
	 */
	status = bpftrace_scope_resolve(p->opt.device, device, sizeof(device),
	    p->errbuf, PCAP_ERRBUF_SIZE);
	if (status != TAP_OK)
		return pcap_status_for(status);
	if (!holds_capabilities(pb)) {
		status = bpftrace_broker_activate(device,
		    (uint32_t)p->snapshot,
		    ring_bytes, &grant, &pb->broker_fd, p->errbuf,
		    PCAP_ERRBUF_SIZE);
		if (status == TAP_OK) {
			if (secure_getenv("PCAP_BPF_DEBUG") != NULL)
				fprintf(stderr, "%s: activated by the capture"
				    " broker (%s)\n", p->opt.device,
				    bpftrace_broker_socket_path());
			return apply_description(p, &grant);
		}
		if (status != BROKER_UNAVAILABLE)
			return failed_as_typed(p, device, status);
	}
	memset(&req, 0, sizeof(req));
	req.device = device;
	req.snaplen = (uint32_t)p->snapshot;
	req.ring_bytes = ring_bytes;
	req.netns_inode = own_netns_inode();
	req.families_allowed = ~0u;
	req.perf_reader = 1;
	status = bpftrace_capture_prepare(&req, &grant, &pb->holding, p->errbuf,
	    PCAP_ERRBUF_SIZE);
	if (status == TAP_OK && (status = apply_description(p, &grant)) != 0)
		return status;
	/*
	 * In process, starting cannot wait: the application may give up its
	 * privileges as soon as activation returns (tcpdump does).
	 */
	if (status == TAP_OK)
		status = bpftrace_capture_start(pb->holding, &grant, p->errbuf,
		    PCAP_ERRBUF_SIZE);
	if (status != TAP_OK)
		return failed_as_typed(p, device, status);
	start_filter_keeper(p);
	return open_views(p, &grant);
}

/* Per-CPU perf ring: the buffer size shared out, a power of two of pages. */
static size_t
perf_ring_bytes(pcap_t *p)
{
	size_t total = p->opt.buffer_size > 0 ? (size_t)p->opt.buffer_size :
	    CAPTURE_DEFAULT_RING_BYTES;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	long cpus = sysconf(_SC_NPROCESSORS_CONF);
	size_t bytes = page;

	if (cpus > 1)
		total /= (size_t)cpus;
	while (bytes * 2 <= total)
		bytes *= 2;
	return bytes;
}

/*
 * The ops of bpf:prog, bpf:pinned and bpf:object captures, where the
 * probe is the user's program: records lost in a full perf ring or not
 * fit to deliver are the drops; filters run here (the program is not
 * ours), records are converted to the link type when read, and carry no
 * direction.
 */
static int
user_source_stats(pcap_t *p, struct pcap_stat *ps)
{
	struct pcap_bpftrace *pb = p->priv;

	ps->ps_recv = (u_int)pb->user_records;
	ps->ps_drop = (u_int)(pb->user_skipped + pb->perf.lost);
	ps->ps_ifdrop = 0;
	return 0;
}

static int
user_source_setfilter(pcap_t *p, struct bpf_program *fp)
{
	return pcapint_install_bpf_program(p, fp) < 0 ? PCAP_ERROR : 0;
}

static int
user_source_set_datalink(pcap_t *p, int dlt)
{
	(void)p;
	(void)dlt;
	return 0;
}

static int
user_source_setdirection(pcap_t *p, pcap_direction_t d)
{
	(void)d;
	snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s: bpf_pcap() records carry"
	    " no direction; filter on the program's side", p->opt.device);
	return PCAP_ERROR;
}

/*
 * bpf:prog, bpf:pinned and bpf:object: no probe of ours; the records of a
 * user's program that calls bpf_pcap() (bpf/bpf_pcap.h) are read from its
 * map.  An object file is loaded by this process, never by the broker.
 */
static int
start_user_source(pcap_t *p)
{
	struct pcap_bpftrace *pb = p->priv;
	char why[PCAP_ERRBUF_SIZE];
	int status;

	status = bpftrace_user_program_open(p->opt.device, &pb->taps[0].spec,
	    &pb->user,
	    p->errbuf, PCAP_ERRBUF_SIZE);
	if (status != TAP_OK)
		return pcap_status_for(status);
	pb->user_source = 1;
	if ((status = set_link_type_list(p, 1)) != 0)
		return status;
	status = bpftrace_user_program_configure(&pb->user, p->opt.device,
	    (uint32_t)p->linktype, (uint32_t)p->snapshot, p->errbuf,
	    PCAP_ERRBUF_SIZE);
	if (status != TAP_OK)
		return pcap_status_for(status);
	if (pb->user.kind == USER_OUTPUT_PERF) {
		if (bpftrace_perf_reader_open(&pb->perf, pb->user.output_fd,
		    perf_ring_bytes(p), why, sizeof(why)) != 0) {
			int error = errno;	/* before snprintf */

			snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s: %s",
			    p->opt.device, why);
			return error == EPERM || error == EACCES ?
			    PCAP_ERROR_PERM_DENIED : PCAP_ERROR;
		}
		pb->perf_open = 1;
		pb->wait_fd = pb->perf.epoll_fd;
	} else {
		if (bpftrace_ring_reader_open(&pb->ring, pb->user.output_fd,
		    pb->user.ring_bytes, why, sizeof(why)) != 0) {
			snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s: %s",
			    p->opt.device, why);
			return PCAP_ERROR;
		}
		pb->ring_open = 1;
		pb->wait_fd = pb->ring.map_fd;
	}
	/* Last: an object's first record finds the reader and settings. */
	status = bpftrace_user_program_start(&pb->user, p->opt.device,
	    p->errbuf, PCAP_ERRBUF_SIZE);
	return pcap_status_for(status);
}

/*
 * How NFLOG prefixes name a tap: skb:kfree_skb, kprobe:ip_rcv, tc:eth0
 * (at a user's tc program with its hook, tc:eth0:ingress).
 * A tracepoint named without its category gets the one the notes know,
 * else "tracepoint".
 */
static void
set_tap_label(struct handle_tap *tap)
{
	const struct tap_spec *t = &tap->spec;
	const struct tracepoint_note *note;

	if (t->family == TAP_FAMILY_TRACEPOINT && t->category[0] != '\0')
		snprintf(tap->label, sizeof(tap->label), "%s:%s", t->category,
		    t->name);
	else if (t->family == TAP_FAMILY_TRACEPOINT)
		snprintf(tap->label, sizeof(tap->label), "%s:%s",
		    (note = bpftrace_tracepoint_note_find(t->name)) != NULL ?
		    note->category : "tracepoint", t->name);
	else if (t->family == TAP_FAMILY_TC && t->program[0] != '\0' &&
	    t->hooks != TAP_HOOKS_BOTH)
		snprintf(tap->label, sizeof(tap->label), "tc:%s:%s", t->name,
		    t->hooks == TAP_HOOKS_INGRESS ? "ingress" : "egress");
	else
		snprintf(tap->label, sizeof(tap->label), "%s:%s",
		    bpftrace_tap_family_name(t->family), t->name);
}

static int
bpftrace_activate(pcap_t *p)
{
	struct pcap_bpftrace *pb = p->priv;
	int i, status;

	if (pb->parse_status != TAP_OK) {
		pcapint_strlcpy(p->errbuf, pb->parse_error, PCAP_ERRBUF_SIZE);
		return pcap_status_for(pb->parse_status);
	}
	if (p->snapshot <= 0 || p->snapshot > MAXIMUM_SNAPLEN)
		p->snapshot = MAXIMUM_SNAPLEN;
	p->linktype = DLT_LINUX_SLL;

	pb->breakloop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (pb->breakloop_fd < 0) {
		pcapint_fmt_errmsg_for_errno(p->errbuf, PCAP_ERRBUF_SIZE,
		    errno, "%s: eventfd", p->opt.device);
		status = PCAP_ERROR;
		goto fail;
	}
	pb->render_buffer = malloc((size_t)p->snapshot + NFLOG_OVERHEAD +
	    NFLOG_PREFIX_MAX + USER_RECORD_HEADER_ROOM);
	if (pb->render_buffer == NULL) {
		pcapint_fmt_errmsg_for_errno(p->errbuf, PCAP_ERRBUF_SIZE,
		    errno, "%s: malloc", p->opt.device);
		status = PCAP_ERROR;
		goto fail;
	}
	for (i = 0; i < pb->tap_count; i++)
		set_tap_label(&pb->taps[i]);
	if (bpftrace_tap_family_class(pb->taps[0].spec.family) ==
	    TAP_CLASS_USER_PROGRAM)
		status = start_user_source(p);
	else
		status = start_probes(p);
	if (status != 0)
		goto fail;

	if (pb->user_source) {
		/* pcap_close() closes p->fd: a duplicate of the source's. */
		p->fd = fcntl(pb->wait_fd, F_DUPFD_CLOEXEC, 0);
		if (p->fd < 0) {
			pcapint_fmt_errmsg_for_errno(p->errbuf,
			    PCAP_ERRBUF_SIZE, errno,
			    "%s: dup of the ring descriptor", p->opt.device);
			status = PCAP_ERROR;
			goto fail;
		}
		p->selectable_fd = p->fd;
	}
	p->bufsize = (u_int)p->snapshot;

	p->read_op = bpftrace_read;
	p->inject_op = bpftrace_inject;
	p->setfilter_op = bpftrace_setfilter;
	p->setdirection_op = bpftrace_setdirection;
	p->set_datalink_op = bpftrace_set_datalink;
	p->getnonblock_op = bpftrace_getnonblock;
	p->setnonblock_op = bpftrace_setnonblock;
	p->stats_op = bpftrace_stats;
	p->breakloop_op = bpftrace_breakloop;
	p->cleanup_op = bpftrace_cleanup;
	p->oneshot_callback = bpftrace_oneshot;
	if (pb->user_source) {
		p->stats_op = user_source_stats;
		p->setfilter_op = user_source_setfilter;
		p->set_datalink_op = user_source_set_datalink;
		p->setdirection_op = user_source_setdirection;
	}
	return 0;
fail:
	/* libpcap will not call our cleanup for a handle that failed. */
	if (pb->closed_at_exit) {
		pcapint_remove_from_pcaps_to_close(p);
		pb->closed_at_exit = 0;
	}
	free_resources(p);
	free(p->dlt_list);
	p->dlt_list = NULL;
	p->dlt_count = 0;
	return status;
}

pcap_t *
bpftrace_create(const char *device, char *errbuf, int *is_ours)
{
	struct tap_spec specs[TAPS_MAX];
	char devices[TAPS_MAX][TAP_DEVICE_MAX];
	struct pcap_bpftrace *pb;
	pcap_t *p;
	int i;

	*is_ours = bpftrace_tap_name_is_ours(device);
	if (!*is_ours)
		return NULL;

	p = PCAP_CREATE_COMMON(errbuf, struct pcap_bpftrace);
	if (p == NULL)
		return NULL;
	pb = p->priv;
	pb->breakloop_fd = -1;
	pb->wait_fd = -1;
	pb->ring_fd = -1;
	pb->broker_fd = -1;
	pb->keeper_fd = -1;
	for (i = 0; i < TAPS_MAX; i++)
		bpftrace_tap_view_init(&pb->taps[i].view);
	pb->user.output_fd = -1;
	pb->user.conf_fd = -1;
	bpftrace_interface_watch_init(&pb->watch);
	pb->perf.epoll_fd = -1;
	pb->whole_fd = -1;
	pb->whole_epoll = -1;

	/*
	 * A bad name is reported by pcap_activate(), which has a status
	 * code to say so; create only parses.
	 */
	pb->parse_status = bpftrace_tap_specs_parse(device, specs, devices,
	    &pb->tap_count, NULL,
	    pb->parse_error,
	    sizeof(pb->parse_error));
	for (i = 0; i < pb->tap_count; i++) {
		pb->taps[i].spec = specs[i];
		memcpy(pb->taps[i].device, devices[i], TAP_DEVICE_MAX);
	}

	p->tstamp_precision_list = malloc(2 * sizeof(u_int));
	if (p->tstamp_precision_list == NULL) {
		pcapint_fmt_errmsg_for_errno(errbuf, PCAP_ERRBUF_SIZE, errno,
		    "malloc");
		pcap_close(p);
		return NULL;
	}
	p->tstamp_precision_list[0] = PCAP_TSTAMP_PRECISION_MICRO;
	p->tstamp_precision_list[1] = PCAP_TSTAMP_PRECISION_NANO;
	p->tstamp_precision_count = 2;
	p->activate_op = bpftrace_activate;
	return p;
}

struct listing {
	pcap_if_list_t *devlist;
	char *errbuf;
};

/*
 * Each probe tap's line says how to get the interface and direction on
 * every line of tcpdump's output: the default LINUX_SLL has neither.  An
 * XDP tap's packets are all received on the interface it names; bpf:prog
 * records are the user's program's, in its own link type.
 */
static int
add_tap(void *ctx, const char *device, const char *description)
{
	struct listing *l = ctx;
	char line[512];

	if (strncmp(device, "bpf:prog:", 9) == 0 ||
	    strncmp(device, "bpf:xdp:", 8) == 0)
		snprintf(line, sizeof(line), "%s", description);
	else if (strncmp(device, "bpf:tc:", 7) == 0)
		snprintf(line, sizeof(line), "%s; -y LINUX_SLL2 for In/Out",
		    description);
	else
		snprintf(line, sizeof(line), "%s; -y LINUX_SLL2 for"
		    " interface and In/Out", description);
	if (pcapint_add_dev(l->devlist, device,
	    PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE, line, l->errbuf) == NULL)
		return -1;
	return 0;
}

/*
 * Lists the taps of this kernel.  Reading BTF needs no privilege, and a
 * kernel without it simply offers no taps: the list of other devices
 * must never fail because of this module.
 */
int
bpftrace_findalldevs(pcap_if_list_t *devlistp, char *errbuf)
{
	struct listing l = { devlistp, errbuf };

	return bpftrace_tap_list_all(add_tap, &l) == 0 ? 0 : PCAP_ERROR;
}
