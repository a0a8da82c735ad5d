/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cost of one executed classic instruction: the compiled filter
 * (bpftrace-filter-compile.c, in the stand-in probe of
 * testprogs/compiled_filter_rig.c) against the probe's interpreter
 * (bpf/packet_filter.h, in the capture probe a bpf: handle loads).
 *
 * usage: filter_cost [-r REPEAT] DEVICE      (DEVICE: an idle bpf:tc: tap)
 *
 * Both run the same programs on the same 200-byte IPv4 frame with
 * BPF_PROG_TEST_RUN (REPEAT runs, the kernel's mean): programs of n
 * blocks of four executed instructions (a 16-bit load from the window,
 * an addition, TAX, a conditional jump never taken) and a final RET 0,
 * so 4n + 1 instructions run and the packet is rejected.  The cost per
 * instruction is the slope between two lengths, which leaves out what
 * every run pays once (the probe's rendering, the test run itself).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture_programs.h"
#include "compiled_filter_rig.h"

#define FRAME_LEN	200
#define SHORT_BLOCKS	100
#define LONG_BLOCKS	800	/* 4001 instructions: FILTER_MAX_INSNS */

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "filter_cost: %s: %s\n", what, detail);
	exit(2);
}

static void
make_program(struct bpf_program *prog, int blocks)
{
	struct bpf_insn *in = calloc((size_t)blocks * 5 + 1, sizeof(*in));
	int b, n = 0;

	if (in == NULL)
		die("malloc", strerror(errno));
	for (b = 0; b < blocks; b++) {
		in[n++] = (struct bpf_insn)BPF_STMT(BPF_LD | BPF_H | BPF_ABS,
		    14 + (2 * b) % 100);
		in[n++] = (struct bpf_insn)BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0);
		in[n++] = (struct bpf_insn)BPF_STMT(BPF_MISC | BPF_TAX, 0);
		in[n++] = (struct bpf_insn)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		    0xffffffff, 0, 1);
		in[n++] = (struct bpf_insn)BPF_STMT(BPF_RET | BPF_K, 1);
	}
	in[n++] = (struct bpf_insn)BPF_STMT(BPF_RET | BPF_K, 0);
	prog->bf_insns = in;
	prog->bf_len = (u_int)n;
}

static double
executed(int blocks)
{
	return 4.0 * blocks + 1;
}

int
main(int argc, char **argv)
{
	static const int lengths[2] = { SHORT_BLOCKS, LONG_BLOCKS };
	u_char frame[FRAME_LEN];
	struct rig_packet packet;
	struct capture_programs progs;
	struct compiled_filter_rig *rig;
	struct bpf_program prog[2];
	double compiled[2], interpreted[2];
	char err[PCAP_ERRBUF_SIZE + 256];
	unsigned int repeat = 100000;
	int opt, i;
	pcap_t *p;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt == 'r')
			repeat = (unsigned int)atoi(optarg);
		else
			return 2;
	}
	if (argc - optind != 1)
		die("usage", "filter_cost [-r repeat] DEVICE");
	memset(frame, 0, sizeof(frame));
	memset(frame, 0xff, 6);
	frame[12] = 0x08;			/* IPv4 */
	frame[14] = 0x45;
	for (i = 34; i < FRAME_LEN; i++)
		frame[i] = (u_char)i;
	packet.bytes = frame;
	packet.len = packet.filter_len = packet.wire_len = FRAME_LEN;
	packet.header_len = 0;
	packet.window_len = 128;
	for (i = 0; i < 2; i++)
		make_program(&prog[i], lengths[i]);

	rig = rig_open(RIG_TC, err, sizeof(err));
	if (rig == NULL)
		die("the stand-in probe", err);
	for (i = 0; i < 2; i++) {
		if (rig_install(rig, (const struct filter_insn *)prog[i].bf_insns,
		    prog[i].bf_len, 2, err, sizeof(err)) != 0)
			die("compiling", err);
		if (rig_time(rig, &packet, repeat, &compiled[i]) != 0)
			die("BPF_PROG_TEST_RUN", strerror(errno));
	}
	rig_close(rig);

	/*
	 * The probe's own interpreter: pcap_setfilter() would otherwise have
	 * the program compiled and tail-called there too.
	 */
	if (setenv("PCAP_BPF_FILTER", "interpret", 1) != 0)
		die("setenv", strerror(errno));
	p = pcap_create(argv[optind], err);
	if (p == NULL)
		die(argv[optind], err);
	if (pcap_activate(p) != 0)
		die(argv[optind], pcap_geterr(p));
	if (capture_programs_find(&progs) != 0)
		die(argv[optind], "no capture program among this process's "
		    "descriptors");
	for (i = 0; i < 2; i++) {
		if (pcap_setfilter(p, &prog[i]) != 0)
			die("pcap_setfilter", pcap_geterr(p));
		if (capture_program_time(progs.fd[0], frame, sizeof(frame),
		    repeat, &interpreted[i]) != 0)
			die("BPF_PROG_TEST_RUN", strerror(errno));
	}
	pcap_close(p);

	for (i = 0; i < 2; i++)
		printf("%4u instructions, %4.0f run: compiled %8.1f ns, "
		    "interpreter (%s) %8.1f ns per packet\n", prog[i].bf_len,
		    executed(lengths[i]), compiled[i], progs.name[0],
		    interpreted[i]);
	printf("per executed classic instruction (slope %d..%d blocks): "
	    "compiled %.2f ns, interpreter %.2f ns (%.0fx)\n", lengths[0],
	    lengths[1], (compiled[1] - compiled[0]) /
	    (executed(lengths[1]) - executed(lengths[0])),
	    (interpreted[1] - interpreted[0]) /
	    (executed(lengths[1]) - executed(lengths[0])),
	    (interpreted[1] - interpreted[0]) / (compiled[1] - compiled[0]));
	for (i = 0; i < 2; i++)
		free(prog[i].bf_insns);
	return 0;
}
