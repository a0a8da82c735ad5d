/*
 * tap_counts -i DEVICE [-B bytes] [-p pause_ms] [-t run_ms] [-c count] [-k]
 *     [-y DLT] [-L length] [FILTER]
 *
 * Accounting check for a capture: activates DEVICE, says "ready", waits
 * pause_ms without reading (so a small ring can overflow), switches to
 * link type DLT if asked (what waits in the ring then is in the old one),
 * then reads everything for run_ms, or until COUNT packets matched FILTER
 * (run_ms is then a bound: a loaded machine may be slow to send them).
 * It ends by draining until the counters stand still, and prints
 *	delivered D matched M recv R drop X
 * where D counts every packet handed over, M those matching FILTER (if
 * given; checked with pcap_offline_filter), R and X are pcap_stats().
 * Since nothing is filtered in the capture, R must equal D + X.
 * With -k, FILTER is set in the capture (the kernel filters): on a busy
 * machine a kernel-wide tap then carries only the test's packets.  The
 * counts then start at "ready", once the filter is in place and what
 * came before it has been read.
 * With -L, the line goes on with "large N whole W cut C": of the matched
 * packets, N were longer than length on the wire, W of those were
 * captured whole (caplen == len), and the largest caplen of the others
 * was C (a tap that copies only an skb's linear part: its headers).
 * SIGINT or SIGTERM ends the reading early, as the end of run_ms does
 * (the drain and the line follow): for a run whose end is the caller's.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

struct tally {
	struct bpf_program filter;
	int have_filter;
	unsigned long delivered, matched;
	unsigned long large_from;	/* -L: 0, not counted */
	unsigned long large, whole, cut;
};

static void
count_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct tally *t = (struct tally *)user;

	t->delivered++;
	if (t->have_filter && !pcap_offline_filter(&t->filter, h, bytes))
		return;
	t->matched++;
	if (t->large_from != 0 && h->len > t->large_from) {
		t->large++;
		if (h->caplen == h->len)
			t->whole++;
		else if (h->caplen > t->cut)
			t->cut = h->caplen;
	}
}

static volatile sig_atomic_t stop;

static void
stop_reading(int sig)
{
	(void)sig;
	stop = 1;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
drain(pcap_t *p, struct tally *t)
{
	while (pcap_dispatch(p, -1, count_packet, (u_char *)t) > 0)
		;
}

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	const char *device = NULL, *dlt = NULL;
	int buffer = 0, pause_ms = 0, run_ms = 2000, opt, i;
	unsigned long want = 0;
	int in_kernel = 0;
	struct pcap_stat base;
	struct tally t;
	struct pcap_stat before, after;
	pcap_t *p;
	long end;

	memset(&t, 0, sizeof(t));
	while ((opt = getopt(argc, argv, "i:B:p:t:c:ky:L:")) != -1) {
		switch (opt) {
		case 'i': device = optarg; break;
		case 'B': buffer = atoi(optarg); break;
		case 'p': pause_ms = atoi(optarg); break;
		case 't': run_ms = atoi(optarg); break;
		case 'y': dlt = optarg; break;
		case 'c': want = strtoul(optarg, NULL, 10); break;
		case 'k': in_kernel = 1; break;
		case 'L': t.large_from = strtoul(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (device == NULL) {
		fprintf(stderr, "usage: tap_counts -i DEVICE [-B bytes] [-p ms]"
		    " [-t ms] [-c count] [-k] [-y DLT] [-L length] [FILTER]\n");
		return 2;
	}
	if ((p = pcap_create(device, errbuf)) == NULL) {
		fprintf(stderr, "tap_counts: %s\n", errbuf);
		return 1;
	}
	if (buffer)
		pcap_set_buffer_size(p, buffer);
	if (pcap_activate(p) < 0) {
		fprintf(stderr, "tap_counts: %s\n", pcap_geterr(p));
		return 1;
	}
	if (optind < argc) {
		if (pcap_compile(p, &t.filter, argv[optind], 1,
		    PCAP_NETMASK_UNKNOWN) < 0) {
			fprintf(stderr, "tap_counts: %s\n", pcap_geterr(p));
			return 1;
		}
		t.have_filter = 1;
		if (in_kernel && pcap_setfilter(p, &t.filter) < 0) {
			fprintf(stderr, "tap_counts: %s\n", pcap_geterr(p));
			return 1;
		}
	}
	if (pcap_setnonblock(p, 1, errbuf) < 0) {
		fprintf(stderr, "tap_counts: %s\n", errbuf);
		return 1;
	}
	memset(&base, 0, sizeof(base));
	if (in_kernel) {
		for (i = 0; i < 100; i++) {
			pcap_stats(p, &before);
			drain(p, &t);
			pcap_stats(p, &base);
			if (before.ps_recv == base.ps_recv)
				break;
		}
		t.delivered = t.matched = 0;
		t.large = t.whole = t.cut = 0;
	}
	printf("ready\n");
	fflush(stdout);
	usleep((useconds_t)pause_ms * 1000);
	if (dlt != NULL &&
	    pcap_set_datalink(p, pcap_datalink_name_to_val(dlt)) < 0) {
		fprintf(stderr, "tap_counts: %s\n", pcap_geterr(p));
		return 1;
	}

	signal(SIGINT, stop_reading);
	signal(SIGTERM, stop_reading);
	end = now_ms() + run_ms;
	while (!stop && now_ms() < end && (want == 0 || t.matched < want)) {
		if (pcap_dispatch(p, -1, count_packet, (u_char *)&t) == 0)
			usleep(10000);
	}
	/* Exact accounting needs a moment in which no packet arrives. */
	for (i = 0; i < 100; i++) {
		pcap_stats(p, &before);
		drain(p, &t);
		pcap_stats(p, &after);
		if (before.ps_recv == after.ps_recv)
			break;
	}
	printf("delivered %lu matched %lu recv %u drop %u", t.delivered,
	    t.matched, after.ps_recv - base.ps_recv,
	    after.ps_drop - base.ps_drop);
	if (t.large_from != 0)
		printf(" large %lu whole %lu cut %lu", t.large, t.whole, t.cut);
	printf("\n");
	if (t.have_filter)
		pcap_freecode(&t.filter);
	pcap_close(p);
	return 0;
}
