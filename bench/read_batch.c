/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The benchmarks' read-path probe: activates DEVICE (not in immediate
 * mode, a 64 MiB buffer), prints "ready", waits until the file GO exists
 * (the traffic is sent meanwhile and queues in the kernel), then reads
 * COUNT packets with pcap_dispatch() and a callback that only counts.
 * Run under callgrind, collecting in the module's read function only,
 * it gives the instructions the read path spends per packet.
 *
 * usage: read_batch DEVICE COUNT GO
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <pcap/pcap.h>

static void
count(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	(void)h;
	(void)bytes;
	(*(long *)user)++;
}

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	long want, got = 0;
	pcap_t *p;
	int i;

	if (argc != 4) {
		fprintf(stderr, "usage: read_batch DEVICE COUNT GO\n");
		return 2;
	}
	want = atol(argv[2]);
	p = pcap_create(argv[1], err);
	if (p == NULL || pcap_set_buffer_size(p, 64 << 20) != 0 ||
	    pcap_set_timeout(p, 100) != 0 || pcap_activate(p) != 0) {
		fprintf(stderr, "read_batch: %s\n", p ? pcap_geterr(p) : err);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < 600 && access(argv[3], F_OK) != 0; i++)
		usleep(50000);
	for (i = 0; got < want && i < 100; i++)
		if (pcap_dispatch(p, -1, count, (u_char *)&got) < 0)
			break;
	printf("read %ld packets\n", got);
	pcap_close(p);
	return got >= want ? 0 : 1;
}
