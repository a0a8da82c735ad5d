/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The soak benchmark's capture (bench/soak.sh): one handle kept open for
 * the whole run while its filter is replaced again and again.
 *
 * usage: filter_soak [-B BUFFER_BYTES] DEVICE FILTER...
 *
 * Activates DEVICE with the first FILTER, prints "ready" and reads until
 * told otherwise: SIGUSR1 ends a segment (the next FILTER, cyclically,
 * takes over), SIGUSR2 ends the run.  The script stops its traffic
 * before either signal, so that every packet of a segment met that
 * segment's filter alone: the ring is drained (until ps_recv stands
 * still) before the next filter is set.  Per segment it prints
 *	segment K delivered D port9 N port10 M failing F recv R drop X
 * (R and X cumulative, from pcap_stats(); "failing" counts delivered
 * packets the segment's filter rejects, which must be none), and at the
 * end "total delivered D recv R drop X".
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

static volatile sig_atomic_t next_segment, finish;

struct segment {
	struct bpf_program filter;	/* the one set in the kernel */
	struct bpf_program port9, port10;
	unsigned long delivered, port9_count, port10_count, failing;
};

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		next_segment = 1;
	else
		finish = 1;
}

static void
tally(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct segment *s = (struct segment *)user;

	s->delivered++;
	if (pcap_offline_filter(&s->port9, h, bytes))
		s->port9_count++;
	else if (pcap_offline_filter(&s->port10, h, bytes))
		s->port10_count++;
	if (!pcap_offline_filter(&s->filter, h, bytes))
		s->failing++;
}

static void
compile(pcap_t *p, struct bpf_program *prog, const char *expression)
{
	if (pcap_compile(p, prog, expression, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		fprintf(stderr, "filter_soak: '%s': %s\n", expression,
		    pcap_geterr(p));
		exit(2);
	}
}

/* Reads until nothing more comes: the script sends nothing meanwhile. */
static void
drain(pcap_t *p, struct segment *s, struct pcap_stat *st)
{
	struct pcap_stat before;
	int i, n;

	for (i = 0; i < 200; i++) {
		if (pcap_stats(p, &before) != 0)
			break;
		while ((n = pcap_dispatch(p, -1, tally, (u_char *)s)) > 0)
			;
		if (n < 0) {
			fprintf(stderr, "filter_soak: %s\n", pcap_geterr(p));
			exit(1);
		}
		usleep(50000);
		if (pcap_stats(p, st) != 0) {
			fprintf(stderr, "filter_soak: %s\n", pcap_geterr(p));
			exit(1);
		}
		if (st->ps_recv == before.ps_recv &&
		    pcap_dispatch(p, -1, tally, (u_char *)s) == 0)
			return;
	}
}

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct segment s;
	struct pcap_stat st;
	struct sigaction sa;
	struct pollfd pfd;
	unsigned long total = 0;
	int k = 0, nfilters, n, buffer = 0;
	pcap_t *p;

	/* A small ring (-B) makes the drop term of the accounting count. */
	if (argc > 2 && strcmp(argv[1], "-B") == 0) {
		buffer = atoi(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: filter_soak [-B BUFFER_BYTES] DEVICE "
		    "FILTER...\n");
		return 2;
	}
	nfilters = argc - 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);

	p = pcap_create(argv[1], err);
	if (p == NULL || pcap_set_timeout(p, 100) != 0 ||
	    (buffer > 0 && pcap_set_buffer_size(p, buffer) != 0) ||
	    pcap_activate(p) != 0) {
		fprintf(stderr, "filter_soak: %s\n", p ? pcap_geterr(p) : err);
		return 1;
	}
	if (pcap_setnonblock(p, 1, err) != 0) {
		fprintf(stderr, "filter_soak: %s\n", err);
		return 1;
	}
	memset(&s, 0, sizeof(s));
	compile(p, &s.port9, "udp dst port 9");
	compile(p, &s.port10, "udp dst port 10");
	compile(p, &s.filter, argv[2]);
	if (pcap_setfilter(p, &s.filter) != 0) {
		fprintf(stderr, "filter_soak: %s\n", pcap_geterr(p));
		return 1;
	}
	pfd.fd = pcap_get_selectable_fd(p);
	pfd.events = POLLIN;
	printf("ready\n");
	fflush(stdout);

	while (!finish) {
		if (next_segment) {
			next_segment = 0;
			drain(p, &s, &st);
			printf("segment %d delivered %lu port9 %lu port10 %lu "
			    "failing %lu recv %u drop %u\n", k, s.delivered,
			    s.port9_count, s.port10_count, s.failing,
			    st.ps_recv, st.ps_drop);
			fflush(stdout);
			total += s.delivered;
			s.delivered = s.port9_count = s.port10_count = 0;
			s.failing = 0;
			k++;
			/* A new program each time, as an application would. */
			pcap_freecode(&s.filter);
			compile(p, &s.filter, argv[2 + k % nfilters]);
			if (pcap_setfilter(p, &s.filter) != 0) {
				fprintf(stderr, "filter_soak: %s\n",
				    pcap_geterr(p));
				return 1;
			}
			printf("filter %d set\n", k);
			fflush(stdout);
		}
		if (poll(&pfd, 1, 200) < 0 && errno != EINTR) {
			perror("filter_soak: poll");
			return 1;
		}
		n = pcap_dispatch(p, -1, tally, (u_char *)&s);
		if (n < 0) {
			fprintf(stderr, "filter_soak: %s\n", pcap_geterr(p));
			return 1;
		}
	}
	drain(p, &s, &st);
	printf("segment %d delivered %lu port9 %lu port10 %lu failing %lu "
	    "recv %u drop %u\n", k, s.delivered, s.port9_count,
	    s.port10_count, s.failing, st.ps_recv, st.ps_drop);
	total += s.delivered;
	printf("total delivered %lu recv %u drop %u\n", total, st.ps_recv,
	    st.ps_drop);
	fflush(stdout);
	pcap_freecode(&s.filter);
	pcap_freecode(&s.port9);
	pcap_freecode(&s.port10);
	pcap_close(p);
	return 0;
}
