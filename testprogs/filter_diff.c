/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Differential test of the in-kernel filter: for every filter expression
 * (and a few hand-written programs using instructions libpcap's compiler
 * never emits), the packets the capture probe's filter accepts at the tap
 * must be exactly those pcap_offline_filter() accepts, with the same
 * bytes and the filter's return value as snap length.
 *
 * usage: filter_diff [-v] [-s snaplen] [-n max_frames] [-p frames_per_capture]
 *            DEVICE EXPRESSIONS CAPTURE...
 *
 * DEVICE is a bpf: tap on an idle interface (the test creates one in its
 * own namespace).  The captures' Ethernet frames are run through the tap's
 * programs with BPF_PROG_TEST_RUN, so the code under test is the loaded
 * probe itself.  First without a filter: the records the probe renders
 * are the reference.  Then with each filter: the probe's verdicts are
 * compared with libpcap's interpreter run on the reference records, and
 * ps_recv must count exactly the accepted packets (so the filter ran in
 * the kernel, not in user space).  The filter sees the whole packet
 * whatever the snap length, as AF_PACKET's socket filter does: with a
 * short snap length libpcap runs on the reference record completed from
 * the frame, and only the record kept is cut to the snap length.  Each
 * expression is compiled twice: optimised for the handle, and
 * unoptimised for a 100-byte snap length (other instructions; a return
 * value that truncates).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture_programs.h"
#include "filter_inputs.h"
#include "filter_raw_programs.h"

#define MAX_FRAME	FILTER_INPUT_MAX_FRAME
#define TRUNCATING_SNAP	100

struct record {
	int present;
	struct pcap_pkthdr h;
	u_char bytes[MAX_FRAME + 64];
};

struct drained {
	int count;
	struct record *last;
};

static struct test_frames frames;
static int verbose;

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "filter_diff: %s: %s\n", what, detail);
	exit(2);
}

static void
keep_record(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct drained *d = (struct drained *)user;

	d->count++;
	if (d->last != NULL && h->caplen <= sizeof(d->last->bytes)) {
		d->last->present = 1;
		d->last->h = *h;
		memcpy(d->last->bytes, bytes, h->caplen);
	}
}

/* Runs frame i through program fd; what reached the ring lands in out. */
static int
run_frame(pcap_t *p, int fd, int i, struct record *out)
{
	struct drained d = { 0, out };

	out->present = 0;
	if (capture_program_run(fd, frames.frame[i].bytes,
	    frames.frame[i].len) != 0)
		die("BPF_PROG_TEST_RUN", strerror(errno));
	if (pcap_dispatch(p, -1, keep_record, (u_char *)&d) < 0)
		die("pcap_dispatch", pcap_geterr(p));
	return d.count;
}

static u_int
received(pcap_t *p)
{
	struct pcap_stat st;

	if (pcap_stats(p, &st) != 0)
		die("pcap_stats", pcap_geterr(p));
	return st.ps_recv;
}

/*
 * The whole rendered packet behind reference record r of frame i: the
 * record is the link header then the frame from some offset on, and its
 * wire length says the offset (the header's length less it is the
 * record's wire length less the frame's).  The header itself must be in
 * the record: snap lengths of the test are longer than any header.
 * Returns the length.
 */
static u_int
whole_packet(const struct record *r, int i, u_char *out, size_t room)
{
	long shift = (long)r->h.len - (long)frames.frame[i].len;
	size_t from = (size_t)((long)r->h.caplen - shift);

	if (r->h.caplen >= r->h.len || (long)r->h.caplen < shift ||
	    from > frames.frame[i].len || r->h.len > room) {
		memcpy(out, r->bytes, r->h.caplen);
		return r->h.caplen;
	}
	memcpy(out, r->bytes, r->h.caplen);
	memcpy(out + r->h.caplen, frames.frame[i].bytes + from,
	    frames.frame[i].len - from);
	return r->h.len;
}

struct tally {
	long comparisons;
	long accepted;
	long mismatches;
	int programs_tested;
};

/*
 * Installs prog and compares every frame through every capture program
 * with libpcap's verdict on the reference record.
 */
static void
compare(pcap_t *p, const struct capture_programs *progs, struct record *ref,
    struct bpf_program *prog, const char *what, struct tally *t)
{
	static struct record got;
	static u_char whole[MAX_FRAME + 64];
	u_int before, accepted = 0;
	int i, j;

	before = received(p);
	if (pcap_setfilter(p, prog) != 0)
		die("pcap_setfilter", pcap_geterr(p));
	for (i = 0; i < frames.count; i++) {
		for (j = 0; j < progs->count; j++) {
			struct record *r = &ref[i * progs->count + j];
			int n = run_frame(p, progs->fd[j], i, &got);
			u_int snap = 0, caplen = 0;

			if (r->present) {
				u_int len = whole_packet(r, i, whole,
				    sizeof(whole));

				snap = bpf_filter(prog->bf_insns, whole,
				    r->h.len, len);
				caplen = snap < r->h.caplen ? snap : r->h.caplen;
			}
			t->comparisons++;
			accepted += (u_int)n;
			if ((n > 0) != (caplen > 0) || (n > 0 &&
			    (got.h.caplen != caplen || got.h.len != r->h.len ||
			    memcmp(got.bytes, r->bytes, caplen) != 0))) {
				if (t->mismatches++ < 20)
					fprintf(stderr, "MISMATCH %s, frame %d, %s: "
					    "probe kept %d record(s) of %u bytes, "
					    "libpcap keeps %u bytes\n", what, i,
					    progs->name[j], n,
					    n > 0 ? got.h.caplen : 0, caplen);
			}
		}
	}
	t->accepted += accepted;
	if (verbose)
		printf("%u of %d accepted: %s\n", accepted,
		    frames.count * progs->count, what);
	if (received(p) - before != accepted) {
		t->mismatches++;
		fprintf(stderr, "MISMATCH %s: ps_recv grew by %u, %u packets "
		    "delivered: the filter did not run in the kernel\n", what,
		    received(p) - before, accepted);
	}
}

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct capture_programs progs;
	struct tally t = { 0, 0, 0, 0 };
	static const int dlts[] = { DLT_LINUX_SLL2, DLT_EN10MB };
	int snaplen = 262144, max_frames = 1000, per_file = 1000, opt, i, j, k, d;
	int expression_count, compiled = 0, uncompilable = 0;
	char **expressions;
	struct record *ref;
	pcap_t *p;

	while ((opt = getopt(argc, argv, "s:n:p:v")) != -1) {
		if (opt == 'v')
			verbose = 1;
		else if (opt == 's')
			snaplen = atoi(optarg);
		else if (opt == 'p')
			per_file = atoi(optarg);
		else if (opt == 'n')
			max_frames = atoi(optarg);
		else
			return 2;
	}
	if (argc - optind < 3)
		die("usage", "filter_diff [-s snaplen] [-n max] [-p per_capture] "
		    "DEVICE EXPRESSIONS CAPTURE...");
	frames.max = max_frames;
	for (i = optind + 2; i < argc; i++)
		test_frames_load(&frames, argv[i], per_file);
	expression_count = test_expressions_read(argv[optind + 1], &expressions);

	p = pcap_create(argv[optind], err);
	if (p == NULL)
		die(argv[optind], err);
	pcap_set_snaplen(p, snaplen);
	pcap_set_immediate_mode(p, 1);
	pcap_set_buffer_size(p, 8 << 20);
	if (pcap_activate(p) != 0)
		die(argv[optind], pcap_geterr(p));
	if (pcap_setnonblock(p, 1, err) != 0)
		die("pcap_setnonblock", err);
	if (capture_programs_find(&progs) != 0)
		die(argv[optind], "no capture program among this process's descriptors");

	ref = calloc((size_t)frames.count * progs.count, sizeof(*ref));
	if (ref == NULL)
		die("malloc", strerror(errno));
	for (d = 0; d < 2; d++) {
		struct bpf_program everything;

		if (pcap_set_datalink(p, dlts[d]) != 0)
			die("pcap_set_datalink", pcap_geterr(p));
		/* The reference: what the probe renders, with a filter keeping all. */
		if (pcap_compile(p, &everything, "", 1, PCAP_NETMASK_UNKNOWN) != 0 ||
		    pcap_setfilter(p, &everything) != 0)
			die("empty filter", pcap_geterr(p));
		pcap_freecode(&everything);
		for (i = 0; i < frames.count; i++)
			for (j = 0; j < progs.count; j++)
				run_frame(p, progs.fd[j], i, &ref[i * progs.count + j]);

		for (k = 0; k < expression_count; k++) {
			struct bpf_program prog;
			char what[600];
			pcap_t *dead;

			if (pcap_compile(p, &prog, expressions[k], 1, 0xffffff00) != 0) {
				uncompilable++;
				continue;
			}
			compiled++;
			snprintf(what, sizeof(what), "%s, '%s'",
			    pcap_datalink_val_to_name(dlts[d]), expressions[k]);
			compare(p, &progs, ref, &prog, what, &t);
			pcap_freecode(&prog);

			dead = pcap_open_dead(dlts[d], TRUNCATING_SNAP);
			if (pcap_compile(dead, &prog, expressions[k], 0, 0xffffff00) == 0) {
				snprintf(what, sizeof(what), "%s, '%s' unoptimised, snap %d",
				    pcap_datalink_val_to_name(dlts[d]), expressions[k],
				    TRUNCATING_SNAP);
				compare(p, &progs, ref, &prog, what, &t);
				pcap_freecode(&prog);
			}
			pcap_close(dead);
		}
		for (k = 0; k < (int)(sizeof(raw_programs) / sizeof(raw_programs[0])); k++) {
			struct bpf_program prog = { raw_programs[k].len,
			    raw_programs[k].insns };
			char what[100];

			snprintf(what, sizeof(what), "%s, %s",
			    pcap_datalink_val_to_name(dlts[d]), raw_programs[k].name);
			compare(p, &progs, ref, &prog, what, &t);
		}
	}
	printf("%d frames through %d programs (", frames.count, progs.count);
	for (j = 0; j < progs.count; j++)
		printf("%s%s", j ? ", " : "", progs.name[j]);
	printf("), snaplen %d: %d expressions, %d compiled across LINUX_SLL2 "
	    "and EN10MB (%d not valid for one of them), %zu hand-written "
	    "programs; %ld verdicts compared, %ld accepted, %ld mismatches\n",
	    snaplen, expression_count, compiled, uncompilable,
	    sizeof(raw_programs) / sizeof(raw_programs[0]), t.comparisons,
	    t.accepted, t.mismatches);
	pcap_close(p);
	return t.mismatches == 0 && frames.count > 0 && compiled > 0 ? 0 : 1;
}
