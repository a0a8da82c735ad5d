/*
 * capture_tally -i DEVICE -s SNAPLEN -c COUNT -e STOPFILE [-t bound_ms] FILTER
 *
 * One of many captures running side by side: activates DEVICE with
 * SNAPLEN, sets FILTER in the capture, says "ready", and reads until
 * STOPFILE exists (the traffic has been sent) and COUNT packets have
 * come, or bound_ms (default 120 s) have passed.  It then drains until
 * the counters stand still and prints
 *	delivered D own O caplen_ok C recv R drop X ifdrop I
 *	window: delivered WD recv WR drop WX
 * D packets handed over, O of them matching FILTER again in user space
 * (pcap_offline_filter: nobody else's), C with caplen = min(SNAPLEN, len),
 * and pcap_stats().  The window counts from "ready" on, once the filter
 * is in place and what came before it has been read: records the probe
 * accepted before pcap_setfilter() (every packet, at a kernel-wide tap)
 * count in ps_recv, then fail the filter in user space.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

struct tally {
	struct bpf_program filter;
	unsigned long snaplen;
	unsigned long delivered, own, caplen_ok;
};

static void
count_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct tally *t = (struct tally *)user;
	unsigned long want = h->len < t->snaplen ? h->len : t->snaplen;

	t->delivered++;
	if (pcap_offline_filter(&t->filter, h, bytes))
		t->own++;
	if (h->caplen == want)
		t->caplen_ok++;
}

/* Reads until no packet came in meanwhile: the counters stand still. */
static void
drain(pcap_t *p, struct tally *t, struct pcap_stat *after)
{
	struct pcap_stat before;
	int i;

	for (i = 0; i < 100; i++) {
		pcap_stats(p, &before);
		while (pcap_dispatch(p, -1, count_packet, (u_char *)t) > 0)
			;
		pcap_stats(p, after);
		if (before.ps_recv == after->ps_recv)
			break;
	}
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	const char *device = NULL, *stop_file = NULL;
	int snaplen = 262144, bound_ms = 120000, opt;
	unsigned long count = 0, uncounted;
	struct pcap_stat base, after;
	struct tally t;
	struct pollfd pfd;
	pcap_t *p;
	long end;

	memset(&t, 0, sizeof(t));
	while ((opt = getopt(argc, argv, "i:s:c:e:t:")) != -1) {
		switch (opt) {
		case 'i': device = optarg; break;
		case 's': snaplen = atoi(optarg); break;
		case 'c': count = strtoul(optarg, NULL, 10); break;
		case 'e': stop_file = optarg; break;
		case 't': bound_ms = atoi(optarg); break;
		default: return 2;
		}
	}
	if (device == NULL || stop_file == NULL || optind != argc - 1) {
		fprintf(stderr, "usage: capture_tally -i DEVICE -s SNAPLEN"
		    " -c COUNT -e STOPFILE [-t bound_ms] FILTER\n");
		return 2;
	}
	t.snaplen = (unsigned long)snaplen;
	if ((p = pcap_create(device, errbuf)) == NULL) {
		fprintf(stderr, "capture_tally: %s\n", errbuf);
		return 1;
	}
	pcap_set_snaplen(p, snaplen);
	if (pcap_activate(p) < 0) {
		fprintf(stderr, "capture_tally: %s\n", pcap_geterr(p));
		return 1;
	}
	if (pcap_compile(p, &t.filter, argv[optind], 1,
	    PCAP_NETMASK_UNKNOWN) < 0 || pcap_setfilter(p, &t.filter) < 0 ||
	    pcap_setnonblock(p, 1, errbuf) < 0) {
		fprintf(stderr, "capture_tally: %s\n", pcap_geterr(p));
		return 1;
	}
	drain(p, &t, &base);
	uncounted = t.delivered;
	printf("ready\n");
	fflush(stdout);

	pfd.fd = pcap_get_selectable_fd(p);
	pfd.events = POLLIN;
	end = now_ms() + bound_ms;
	while (now_ms() < end &&
	    (t.delivered < count || access(stop_file, F_OK) != 0)) {
		if (pcap_dispatch(p, -1, count_packet, (u_char *)&t) < 0) {
			fprintf(stderr, "capture_tally: %s\n", pcap_geterr(p));
			return 1;
		}
		(void)poll(&pfd, 1, 20);
	}
	drain(p, &t, &after);
	printf("delivered %lu own %lu caplen_ok %lu recv %u drop %u"
	    " ifdrop %u\n", t.delivered, t.own, t.caplen_ok, after.ps_recv,
	    after.ps_drop, after.ps_ifdrop);
	printf("window: delivered %lu recv %u drop %u\n",
	    t.delivered - uncounted, after.ps_recv - base.ps_recv,
	    after.ps_drop - base.ps_drop);
	pcap_freecode(&t.filter);
	pcap_close(p);
	return 0;
}
