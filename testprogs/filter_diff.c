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

#define MAX_FRAME	3000	/* what BPF_PROG_TEST_RUN takes for tc/XDP */
#define TRUNCATING_SNAP	100

struct frame {
	u_char *bytes;
	size_t len;
};

struct record {
	int present;
	struct pcap_pkthdr h;
	u_char bytes[MAX_FRAME + 64];
};

struct drained {
	int count;
	struct record *last;
};

static struct frame *frames;
static int frame_count;
static int verbose;

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "filter_diff: %s: %s\n", what, detail);
	exit(2);
}

static void
load_frames(const char *path, int max, int per_file)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	pcap_t *f = pcap_open_offline(path, err);
	int taken = 0;

	if (f == NULL)
		die(path, err);
	if (pcap_datalink(f) != DLT_EN10MB) {
		pcap_close(f);
		return;
	}
	while (frame_count < max && taken < per_file &&
	    pcap_next_ex(f, &h, &bytes) == 1) {
		if (h->caplen < 14 || h->caplen > MAX_FRAME)
			continue;
		frames[frame_count].bytes = malloc(h->caplen);
		if (frames[frame_count].bytes == NULL)
			die("malloc", strerror(errno));
		memcpy(frames[frame_count].bytes, bytes, h->caplen);
		frames[frame_count].len = h->caplen;
		frame_count++;
		taken++;
	}
	pcap_close(f);
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
	if (capture_program_run(fd, frames[i].bytes, frames[i].len) != 0)
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
	long shift = (long)r->h.len - (long)frames[i].len;
	size_t from = (size_t)((long)r->h.caplen - shift);

	if (r->h.caplen >= r->h.len || (long)r->h.caplen < shift ||
	    from > frames[i].len || r->h.len > room) {
		memcpy(out, r->bytes, r->h.caplen);
		return r->h.caplen;
	}
	memcpy(out, r->bytes, r->h.caplen);
	memcpy(out + r->h.caplen, frames[i].bytes + from,
	    frames[i].len - from);
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
	for (i = 0; i < frame_count; i++) {
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
		    frame_count * progs->count, what);
	if (received(p) - before != accepted) {
		t->mismatches++;
		fprintf(stderr, "MISMATCH %s: ps_recv grew by %u, %u packets "
		    "delivered: the filter did not run in the kernel\n", what,
		    received(p) - before, accepted);
	}
}

/*
 * Programs libpcap's compiler never emits, for the rest of the
 * instruction set: RET A, scratch memory, TAX/TXA, X-length loads,
 * division and modulo by a zero X, shifts by X of 32 or more, NEG, JSET
 * and JGE/JGT with X, JA, indirect loads beyond the packet.
 */
static struct bpf_insn raw_ret_a[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
	BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, 40),
	BPF_STMT(BPF_RET | BPF_A, 0),		/* keep len - 40 bytes */
};
static struct bpf_insn raw_memory[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 12),
	BPF_STMT(BPF_ST, 3),
	BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0),
	BPF_STMT(BPF_STX, 15),
	BPF_STMT(BPF_LDX | BPF_MEM, 3),
	BPF_STMT(BPF_LD | BPF_MEM, 15),
	BPF_STMT(BPF_ALU | BPF_MUL | BPF_X, 0),
	BPF_STMT(BPF_MISC | BPF_TAX, 0),
	BPF_STMT(BPF_ALU | BPF_XOR | BPF_K, 0x55),
	BPF_STMT(BPF_MISC | BPF_TXA, 0),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0),
	BPF_STMT(BPF_RET | BPF_K, 70),
};
static struct bpf_insn raw_divide[] = {
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),	/* IPv4 header length */
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),		/* protocol */
	BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),		/* X is 0 off IPv4 */
	BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 7),
	BPF_STMT(BPF_ALU | BPF_NEG, 0),
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 0x80000000u, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 1000),
	BPF_STMT(BPF_RET | BPF_K, 0),
};
static struct bpf_insn raw_modulo_x[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 15),		/* often 0 */
	BPF_STMT(BPF_MISC | BPF_TAX, 0),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	BPF_STMT(BPF_ALU | BPF_MOD | BPF_X, 0),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 2, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0),
	BPF_STMT(BPF_RET | BPF_K, 262144),
};
static struct bpf_insn raw_shifts[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 20),		/* 0..255: often >= 32 */
	BPF_STMT(BPF_MISC | BPF_TAX, 0),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 26),
	BPF_STMT(BPF_ALU | BPF_LSH | BPF_X, 0),
	BPF_STMT(BPF_ST, 0),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 30),
	BPF_STMT(BPF_ALU | BPF_RSH | BPF_X, 0),
	BPF_STMT(BPF_LDX | BPF_MEM, 0),
	BPF_STMT(BPF_ALU | BPF_OR | BPF_X, 0),
	BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 3),
	BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 9),
	BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
	BPF_STMT(BPF_MISC | BPF_TAX, 0),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 21),
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_X, 0, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, 0),
	BPF_STMT(BPF_RET | BPF_K, 262144),
};
static struct bpf_insn raw_indirect[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 16),		/* IPv4 total length */
	BPF_STMT(BPF_MISC | BPF_TAX, 0),
	BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),		/* just beyond the IP packet */
	BPF_STMT(BPF_LD | BPF_H | BPF_IND, 10),
	BPF_STMT(BPF_LD | BPF_W | BPF_IND, 12),
	BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
	BPF_STMT(BPF_RET | BPF_K, 0),
	BPF_STMT(BPF_LD | BPF_IMM, 0xfffffff0),
	BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 262144),
	BPF_STMT(BPF_RET | BPF_K, 64),
};

#define RAW(name) { #name, name, sizeof(name) / sizeof(name[0]) }
static const struct {
	const char *name;
	struct bpf_insn *insns;
	u_int len;
} raw_programs[] = {
	RAW(raw_ret_a), RAW(raw_memory), RAW(raw_divide), RAW(raw_modulo_x),
	RAW(raw_shifts), RAW(raw_indirect),
};

static int
read_expressions(const char *path, char ***out)
{
	FILE *f = fopen(path, "r");
	char line[512];
	char **list = NULL;
	int n = 0;

	if (f == NULL)
		die(path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		list = realloc(list, (size_t)(n + 1) * sizeof(*list));
		if (list == NULL || (list[n] = strdup(line)) == NULL)
			die("malloc", strerror(errno));
		n++;
	}
	fclose(f);
	*out = list;
	return n;
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
	frames = calloc((size_t)max_frames, sizeof(*frames));
	for (i = optind + 2; i < argc; i++)
		load_frames(argv[i], max_frames, per_file);
	expression_count = read_expressions(argv[optind + 1], &expressions);

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

	ref = calloc((size_t)frame_count * progs.count, sizeof(*ref));
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
		for (i = 0; i < frame_count; i++)
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
	printf("%d frames through %d programs (", frame_count, progs.count);
	for (j = 0; j < progs.count; j++)
		printf("%s%s", j ? ", " : "", progs.name[j]);
	printf("), snaplen %d: %d expressions, %d compiled across LINUX_SLL2 "
	    "and EN10MB (%d not valid for one of them), %zu hand-written "
	    "programs; %ld verdicts compared, %ld accepted, %ld mismatches\n",
	    snaplen, expression_count, compiled, uncompilable,
	    sizeof(raw_programs) / sizeof(raw_programs[0]), t.comparisons,
	    t.accepted, t.mismatches);
	pcap_close(p);
	return t.mismatches == 0 && frame_count > 0 && compiled > 0 ? 0 : 1;
}
