/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The probe's side of the compiled-filter contract (bpf/filter_decision.h),
 * with a hand-written stand-in for the compiled filter (stub_filter.c):
 * once filter.compiled_generation names the active program, the probe
 * tail-calls the stub instead of interpreting; what the stub accepts is
 * delivered with the snap length it chose (by the delivery program it
 * tail-calls), what it rejects is counted; when the generation no longer
 * matches, or the slot is empty, the interpreter decides again.
 *
 * usage: compiled_stub [-x] DEVICE   (-x: DEVICE is an XDP tap)
 *
 * Packets are run through the tap's programs with BPF_PROG_TEST_RUN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture_programs.h"
#include "stub_filter.h"

#define FRAME_LEN	200
#define SLL2_LEN	20

static unsigned char icmp_frame[FRAME_LEN], udp_frame[FRAME_LEN];
static struct capture_programs progs;
static pcap_t *p;
static int failures, xdp_frags;

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "compiled_stub: %s: %s\n", what, detail);
	exit(2);
}

static void
make_frame(unsigned char *f, int protocol)
{
	memset(f, 0, FRAME_LEN);
	memset(f, 0xff, 6);			/* broadcast */
	f[6] = 0x02; f[11] = 0x01;		/* a local source */
	f[12] = 0x08; f[13] = 0x00;		/* IPv4 */
	f[14] = 0x45;
	f[16] = 0; f[17] = FRAME_LEN - 14;	/* total length */
	f[22] = 64;				/* TTL */
	f[23] = (unsigned char)protocol;
	f[26] = 198; f[27] = 18; f[28] = 0; f[29] = 1;
	f[30] = 198; f[31] = 18; f[32] = 0; f[33] = 255;
	f[34] = protocol == 1 ? 8 : 0x30;	/* echo request, or a port */
}

struct seen {
	int count;
	unsigned caplen, len;
};

static void
keep(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct seen *s = (struct seen *)user;

	(void)bytes;
	s->count++;
	s->caplen = h->caplen;
	s->len = h->len;
}

/* Runs frame through every program; checks each gives want records of caplen. */
static void
expect(const char *what, const unsigned char *frame, int want, unsigned caplen)
{
	int j;

	for (j = 0; j < progs.count; j++) {
		struct seen s = { 0, 0, 0 };

		if (capture_program_run(progs.fd[j], frame, FRAME_LEN) != 0)
			die("BPF_PROG_TEST_RUN", "failed");
		if (pcap_dispatch(p, -1, keep, (u_char *)&s) < 0)
			die("pcap_dispatch", pcap_geterr(p));
		if (s.count != want || (want > 0 && (s.caplen != caplen ||
		    s.len != SLL2_LEN + FRAME_LEN - 14))) {
			fprintf(stderr, "FAIL %s, %s: %d record(s) of %u/%u "
			    "bytes, want %d of %u/%u\n", what, progs.name[j],
			    s.count, s.caplen, s.len, want, caplen,
			    SLL2_LEN + FRAME_LEN - 14);
			failures++;
		} else
			printf("ok %s, %s\n", what, progs.name[j]);
	}
}

static void
set_filter(const char *expression)
{
	struct bpf_program prog;

	if (pcap_compile(p, &prog, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    pcap_setfilter(p, &prog) != 0)
		die(expression, pcap_geterr(p));
	pcap_freecode(&prog);
}

static void
stub(enum stub_mode mode, unsigned snap, int xdp)
{
	struct stub_filter want = { mode, snap, 0, xdp, xdp_frags };
	char err[512] = "";

	if (stub_filter_install(&want, err, sizeof(err)) != 0)
		die("stub", err);
}

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	const unsigned whole = SLL2_LEN + FRAME_LEN - 14;
	int xdp = 0, opt;
	long rejected;

	while ((opt = getopt(argc, argv, "x")) != -1)
		if (opt == 'x')
			xdp = 1;
	if (optind + 1 != argc)
		die("usage", "compiled_stub [-x] DEVICE");
	make_frame(icmp_frame, 1);
	make_frame(udp_frame, 17);
	p = pcap_create(argv[optind], err);
	if (p == NULL)
		die(argv[optind], err);
	pcap_set_immediate_mode(p, 1);
	if (pcap_activate(p) != 0)
		die(argv[optind], pcap_geterr(p));
	if (pcap_setnonblock(p, 1, err) != 0)
		die("pcap_setnonblock", err);
	if (pcap_datalink(p) != DLT_LINUX_SLL2 &&
	    pcap_set_datalink(p, DLT_LINUX_SLL2) != 0)
		die("LINUX_SLL2", pcap_geterr(p));
	if (capture_programs_find(&progs) != 0)
		die(argv[optind], "no capture program among the descriptors");
	/* Generic mode's programs (the default) have no "frags". */
	xdp_frags = xdp && strcmp(progs.name[0], "capture_xdp_lin") != 0;

	set_filter("udp");
	expect("interpreter, 'udp', ICMP", icmp_frame, 0, 0);
	expect("interpreter, 'udp', UDP", udp_frame, 1, whole);

	stub(STUB_ACCEPT, 50, xdp);
	expect("stub accepting with snap 50, ICMP", icmp_frame, 1, 50);
	stub(STUB_ACCEPT, 100000, xdp);
	expect("stub accepting whole, ICMP", icmp_frame, 1, whole);

	rejected = stub_filter_rejected();
	stub(STUB_REJECT, 0, xdp);
	expect("stub rejecting, UDP", udp_frame, 0, 0);
	if (stub_filter_rejected() - rejected != progs.count) {
		fprintf(stderr, "FAIL the stub's rejects: counted %ld, not %d\n",
		    stub_filter_rejected() - rejected, progs.count);
		failures++;
	}

	/* A new program: the stub's generation is stale, so it is not called. */
	set_filter("udp");
	expect("stale stub, interpreter, ICMP", icmp_frame, 0, 0);
	expect("stale stub, interpreter, UDP", udp_frame, 1, whole);

	/* The generation matches again but the slot is empty: interpreted. */
	stub(STUB_ACCEPT, 50, xdp);
	stub(STUB_OFF, 0, xdp);
	expect("empty slot, interpreter, ICMP", icmp_frame, 0, 0);
	pcap_close(p);
	if (failures)
		return 1;
	printf("compiled filter contract: all checks passed\n");
	return 0;
}
