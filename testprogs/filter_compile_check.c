/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel-checked test of the filter compiler (bpftrace-filter-compile.c):
 * every filter expression, compiled by libpcap for Ethernet (optimised,
 * and unoptimised for a 100-byte snap length), and the hand-written
 * programs of filter_raw_programs.h, is compiled to eBPF, loaded by
 * bpftrace_filter_load() into a stand-in for the capture probe
 * (compiled_filter_rig.c) and run with BPF_PROG_TEST_RUN on every frame
 * of the captures.  Its verdict must be libpcap's bpf_filter() on the
 * same bytes: rejected (counted in the counters, nothing delivered, the
 * tap's "go on" returned) or accepted (delivered once, with bpf_filter()'s
 * return value as snap and the program's generation).
 *
 * Each frame is run as the probe would hand it over in several ways: the
 * whole window; a window of 20 bytes and of none (loads past it go through
 * the source's helper: bpf_skb_load_bytes, bpf_xdp_load_bytes or
 * bpf_probe_read_kernel); fewer bytes in the source than the frame has
 * (loads past them must reject); a 14-byte rendered header in front.
 *
 * usage: filter_compile_check [-v] [-n max_frames] [-p frames_per_capture]
 *            [-s tc|xdp|kernel-skb] EXPRESSIONS CAPTURE...
 *        filter_compile_check -b REPEAT EXPRESSION CAPTURE
 * The second form times the compiled filter of EXPRESSION on each frame
 * of the capture (tc rig), and prints ns per run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "bpf/filter_decision.h"
#include "compiled_filter_rig.h"
#include "filter_inputs.h"
#include "filter_raw_programs.h"

#define TRUNCATING_SNAP		100
#define SHORT_WINDOW		20
#define SHORT_SOURCE		54
#define RENDERED_HEADER		14

struct program {
	char name[600];
	struct bpf_insn *insns;
	u_int len;
};

struct tally {
	long comparisons;
	long accepted;
	long mismatches;
	long refused;		/* wrongly */
	long backwards;		/* rightly: backward jumps */
	int programs;
};

static struct test_frames frames;
static int verbose;

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "filter_compile_check: %s: %s\n", what, detail);
	exit(2);
}

static uint32_t
min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* The ways the probe may hand frame f over; returns how many. */
static int
hand_overs(const struct test_frame *f, struct rig_packet *p)
{
	int n = 0, i;

	for (i = 0; i < 5; i++) {
		p[n].bytes = f->bytes;
		p[n].len = f->len;
		p[n].wire_len = f->wire_len;
		p[n].header_len = 0;
		p[n].filter_len = f->len;
		switch (i) {
		case 0:		/* the whole window */
			p[n].window_len = min32(f->len, DECISION_WINDOW);
			break;
		case 1:		/* a short window */
			p[n].window_len = min32(f->len, SHORT_WINDOW);
			break;
		case 2:		/* no window: every load through the helper */
			p[n].window_len = 0;
			break;
		case 3:		/* the source holds less than the frame */
			p[n].filter_len = min32(f->len, SHORT_SOURCE);
			p[n].window_len = min32(p[n].filter_len, 40);
			break;
		case 4:		/* a rendered header in front */
			p[n].header_len = RENDERED_HEADER;
			p[n].window_len = RENDERED_HEADER +
			    min32(f->len - RENDERED_HEADER, DECISION_WINDOW);
			break;
		}
		n++;
	}
	return n;
}

/*
 * Whether a JA of the program wraps backwards (libpcap's protochain):
 * the compiler refuses those, and the module filters them in user space.
 */
static int
jumps_backwards(const struct program *prog)
{
	u_int i;

	for (i = 0; i < prog->len; i++)
		if (prog->insns[i].code == (BPF_JMP | BPF_JA) &&
		    prog->insns[i].k > UINT32_MAX - (i + 1))
			return 1;
	return 0;
}

static void
compare(struct compiled_filter_rig *rig, const struct program *prog,
    uint32_t generation, struct tally *t)
{
	struct rig_packet p[5];
	char why[256];
	long accepted = 0;
	int i, j, n;

	t->programs++;
	if (jumps_backwards(prog)) {
		if (rig_install(rig, (const struct filter_insn *)prog->insns,
		    prog->len, generation, why, sizeof(why)) == 0) {
			t->mismatches++;
			fprintf(stderr, "MISMATCH %s, %s: a program jumping "
			    "backwards was compiled\n", rig_name(rig),
			    prog->name);
		} else if (verbose)
			printf("%s: refused as it should: %s: %s\n",
			    rig_name(rig), prog->name, why);
		t->backwards++;
		return;
	}
	if (rig_install(rig, (const struct filter_insn *)prog->insns,
	    prog->len, generation, why, sizeof(why)) != 0) {
		t->refused++;
		t->mismatches++;
		fprintf(stderr, "REFUSED %s, %s (%u instructions): %s\n",
		    rig_name(rig), prog->name, prog->len, why);
		return;
	}
	for (i = 0; i < frames.count; i++) {
		n = hand_overs(&frames.frame[i], p);
		for (j = 0; j < n; j++) {
			struct rig_verdict v;
			u_int expected = bpf_filter(prog->insns, p[j].bytes,
			    p[j].wire_len, p[j].filter_len);
			int right;

			if (rig_run(rig, &p[j], &v) != 0)
				die("BPF_PROG_TEST_RUN", strerror(errno));
			t->comparisons++;
			if (expected == 0)
				right = v.delivered == 0 && v.rejected == 1 &&
				    v.returned_pass == 1;
			else
				right = v.delivered == 1 && v.snap == expected &&
				    v.generation == generation &&
				    v.rejected == 0 && v.returned_pass == 0;
			accepted += expected != 0;
			if (!right && t->mismatches++ < 20)
				fprintf(stderr, "MISMATCH %s, %s, frame %d "
				    "(%u bytes), hand-over %d (header %u, window "
				    "%u, source %u): libpcap returns %u; the "
				    "compiled filter delivered %d time(s), snap "
				    "%u, generation %u, %llu rejection(s) "
				    "counted, %s returned\n", rig_name(rig),
				    prog->name, i, frames.frame[i].len, j,
				    p[j].header_len, p[j].window_len,
				    p[j].filter_len, expected, v.delivered,
				    v.snap, v.generation,
				    (unsigned long long)v.rejected,
				    v.returned_pass == 1 ? "\"go on\"" :
				    v.returned_pass == 0 ? "delivery's value" :
				    "an unknown value");
		}
	}
	t->accepted += accepted;
	if (verbose)
		printf("%s: %ld accepted: %s\n", rig_name(rig), accepted,
		    prog->name);
}

/*
 * A filter the kernel refuses (an XDP helper in a tc program) must be
 * refused with the verifier's reason, and leave the compiled slot alone.
 */
static int
check_refusal(void)
{
	static struct bpf_insn beyond_window[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 1000),
		BPF_STMT(BPF_RET | BPF_K, 1),
	};
	char err[256], why[256];
	struct compiled_filter_rig *rig = rig_open(RIG_TC, err, sizeof(err));
	int right;

	if (rig == NULL)
		die("tc", err);
	rig_claim_source(rig, FILTER_SOURCE_XDP);
	right = rig_install(rig, (const struct filter_insn *)beyond_window,
	    2, 2, why, sizeof(why)) != 0 &&
	    strstr(why, "verifier") != NULL && strchr(why, '\n') == NULL;
	printf("a tc filter calling bpf_xdp_load_bytes: %s\n", why);
	rig_close(rig);
	if (!right)
		fprintf(stderr, "MISMATCH: that refusal should name the "
		    "verifier's reason on one line\n");
	return right;
}

/* Expressions (optimised; unoptimised, snap 100), then the raw programs. */
static int
make_programs(char **expressions, int count, struct program **out,
    int *uncompilable)
{
	struct program *list = calloc((size_t)count * 2 +
	    sizeof(raw_programs) / sizeof(raw_programs[0]), sizeof(*list));
	int n = 0, k, pass;

	if (list == NULL)
		die("malloc", strerror(errno));
	*uncompilable = 0;
	for (k = 0; k < count; k++) {
		for (pass = 0; pass < 2; pass++) {
			pcap_t *dead = pcap_open_dead(DLT_EN10MB,
			    pass == 0 ? 262144 : TRUNCATING_SNAP);
			struct bpf_program prog;

			if (pcap_compile(dead, &prog, expressions[k], pass == 0,
			    0xffffff00) != 0) {
				*uncompilable += pass == 0;
				pcap_close(dead);
				continue;
			}
			snprintf(list[n].name, sizeof(list[n].name), "'%s'%s",
			    expressions[k], pass == 0 ? "" :
			    " unoptimised, snap 100");
			list[n].insns = prog.bf_insns;
			list[n].len = prog.bf_len;
			n++;
			pcap_close(dead);
		}
	}
	for (k = 0; k < (int)(sizeof(raw_programs) / sizeof(raw_programs[0]));
	    k++) {
		if (!bpf_validate(raw_programs[k].insns,
		    (int)raw_programs[k].len))
			die(raw_programs[k].name, "libpcap refuses it");
		snprintf(list[n].name, sizeof(list[n].name), "%s",
		    raw_programs[k].name);
		list[n].insns = raw_programs[k].insns;
		list[n].len = raw_programs[k].len;
		n++;
	}
	*out = list;
	return n;
}

/* -b: mean ns per run of EXPRESSION's compiled filter over the frames. */
static int
bench(unsigned int repeat, const char *expression)
{
	char err[256];
	struct compiled_filter_rig *rig = rig_open(RIG_TC, err, sizeof(err));
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
	struct bpf_program prog;
	double ns, total = 0;
	int i, accepted = 0;

	if (rig == NULL)
		die("the rig", err);
	if (pcap_compile(dead, &prog, expression, 1, 0xffffff00) != 0)
		die(expression, pcap_geterr(dead));
	if (rig_install(rig, (const struct filter_insn *)prog.bf_insns,
	    prog.bf_len, 2, err, sizeof(err)) != 0)
		die("compiling", err);
	for (i = 0; i < frames.count; i++) {
		struct rig_packet p[5];

		hand_overs(&frames.frame[i], p);
		if (rig_time(rig, &p[0], repeat, &ns) != 0)
			die("BPF_PROG_TEST_RUN", strerror(errno));
		accepted += bpf_filter(prog.bf_insns, p[0].bytes,
		    p[0].wire_len, p[0].filter_len) != 0;
		total += ns;
	}
	printf("%d frames, %d accepted, %u instructions: %.1f ns per run "
	    "(tc, BPF_PROG_TEST_RUN repeat %u)\n", frames.count, accepted,
	    prog.bf_len, frames.count ? total / frames.count : 0, repeat);
	pcap_freecode(&prog);
	pcap_close(dead);
	rig_close(rig);
	return 0;
}

int
main(int argc, char **argv)
{
	static const enum rig_kind kinds[] = { RIG_TC, RIG_XDP, RIG_KERNEL_SKB };
	static const char *const kind_names[] = { "tc", "xdp", "kernel-skb" };
	struct tally t = { 0, 0, 0, 0, 0, 0 };
	int max_frames = 1000, per_file = 1000, opt, i, k, count, uncompilable;
	unsigned int repeat = 0;
	const char *only = NULL;
	struct program *programs;
	char **expressions;
	uint32_t generation = 0;

	while ((opt = getopt(argc, argv, "b:n:p:s:v")) != -1) {
		if (opt == 'v')
			verbose = 1;
		else if (opt == 'b')
			repeat = (unsigned int)atoi(optarg);
		else if (opt == 'n')
			max_frames = atoi(optarg);
		else if (opt == 'p')
			per_file = atoi(optarg);
		else if (opt == 's')
			only = optarg;
		else
			return 2;
	}
	if (argc - optind < 2)
		die("usage", "filter_compile_check [-v] [-n max] [-p per_capture] "
		    "[-s source] EXPRESSIONS CAPTURE... | -b REPEAT EXPRESSION "
		    "CAPTURE");
	frames.max = max_frames;
	for (i = optind + 1; i < argc; i++)
		test_frames_load(&frames, argv[i], per_file);
	if (repeat > 0)
		return bench(repeat, argv[optind]);

	if (!check_refusal())
		t.mismatches++;
	count = test_expressions_read(argv[optind], &expressions);
	count = make_programs(expressions, count, &programs, &uncompilable);
	for (k = 0; k < 3; k++) {
		struct compiled_filter_rig *rig;
		char err[256];

		if (only != NULL && strcmp(only, kind_names[k]) != 0)
			continue;
		rig = rig_open(kinds[k], err, sizeof(err));
		if (rig == NULL)
			die(kind_names[k], err);
		for (i = 0; i < count; i++) {
			generation += 2;
			compare(rig, &programs[i], generation, &t);
		}
		rig_close(rig);
	}
	printf("%d frames, %d programs (%d expressions not valid for "
	    "Ethernet, %zu hand-written); across the sources %d compiled and "
	    "loaded, %ld refused for jumping backwards, %ld refused wrongly; "
	    "%ld verdicts compared, %ld accepted, %ld mismatches\n",
	    frames.count, count, uncompilable,
	    sizeof(raw_programs) / sizeof(raw_programs[0]),
	    t.programs - (int)(t.refused + t.backwards), t.backwards,
	    t.refused, t.comparisons, t.accepted, t.mismatches);
	return t.mismatches == 0 && frames.count > 0 && t.comparisons > 0 ?
	    0 : 1;
}
