/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Filters swapped while records wait in the ring: sets FIRST, says
 * "ready", waits until the file GO exists (the test sends its traffic
 * meanwhile, none of it read), sets SECOND, then reads everything.  No
 * delivered packet may fail SECOND: records that passed FIRST in the
 * kernel are filtered again.  Setting SECOND twice must work too.
 *
 * usage: tap_filter_swap DEVICE FIRST SECOND GO
 * prints: "delivered N, M failing the second filter"
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <pcap/pcap.h>

static struct bpf_program second;
static int delivered, failing;

static void
check(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	(void)user;
	delivered++;
	if (pcap_offline_filter(&second, h, bytes) == 0)
		failing++;
}

static void
set_filter(pcap_t *p, const char *expression, struct bpf_program *prog)
{
	if (pcap_compile(p, prog, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    pcap_setfilter(p, prog) != 0) {
		fprintf(stderr, "tap_filter_swap: '%s': %s\n", expression,
		    pcap_geterr(p));
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct bpf_program first;
	pcap_t *p;
	int i, n;

	if (argc != 5) {
		fprintf(stderr, "usage: tap_filter_swap DEVICE FIRST SECOND GO\n");
		return 2;
	}
	p = pcap_create(argv[1], err);
	if (p == NULL || pcap_set_timeout(p, 100) != 0 ||
	    pcap_activate(p) != 0) {
		fprintf(stderr, "tap_filter_swap: %s\n",
		    p ? pcap_geterr(p) : err);
		return 2;
	}
	set_filter(p, argv[2], &first);
	printf("ready\n");
	fflush(stdout);
	/* The test's traffic may take long on a busy machine: 2 minutes. */
	for (i = 0; i < 2400 && access(argv[4], F_OK) != 0; i++)
		usleep(50000);
	set_filter(p, argv[3], &second);
	pcap_freecode(&second);
	set_filter(p, argv[3], &second);	/* a second time, same program */
	if (pcap_setnonblock(p, 1, err) != 0) {
		fprintf(stderr, "tap_filter_swap: %s\n", err);
		return 2;
	}
	while ((n = pcap_dispatch(p, -1, check, NULL)) > 0)
		;
	if (n < 0) {
		fprintf(stderr, "tap_filter_swap: %s\n", pcap_geterr(p));
		return 2;
	}
	printf("delivered %d, %d failing the second filter\n", delivered,
	    failing);
	pcap_freecode(&first);
	pcap_freecode(&second);
	pcap_close(p);
	return 0;
}
