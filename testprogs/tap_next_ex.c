/*
 * tap_next_ex -i DEVICE [DONE_FILE]
 *
 * pcap_next_ex() must hand out a packet that stays intact until the next
 * call, even though the capture reads its ring in place.  This takes one
 * packet, keeps a private copy, then lets the ring fill and wrap (the
 * test sends traffic meanwhile; "waiting" on stdout is its cue, and
 * DONE_FILE, created by the test, says the traffic has passed) and
 * compares.  Prints "intact" or "overwritten"; exit 0 only for "intact".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	u_char *copy;
	pcap_t *p;
	int status;

	if ((argc != 3 && argc != 4) || strcmp(argv[1], "-i") != 0) {
		fprintf(stderr, "usage: tap_next_ex -i DEVICE [DONE_FILE]\n");
		return 2;
	}
	if ((p = pcap_create(argv[2], errbuf)) == NULL) {
		fprintf(stderr, "tap_next_ex: %s\n", errbuf);
		return 1;
	}
	pcap_set_buffer_size(p, 4096);
	pcap_set_timeout(p, 100);
	if (pcap_activate(p) < 0) {
		fprintf(stderr, "tap_next_ex: %s\n", pcap_geterr(p));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	do
		status = pcap_next_ex(p, &h, &data);
	while (status == 0);
	if (status != 1) {
		fprintf(stderr, "tap_next_ex: %s\n", pcap_geterr(p));
		return 1;
	}
	if ((copy = malloc(h->caplen)) == NULL)
		return 1;
	memcpy(copy, data, h->caplen);
	printf("waiting\n");
	fflush(stdout);
	/*
	 * Until the test says its flood has passed (DONE_FILE appears; at
	 * most 2 minutes), else 2 s.
	 */
	if (argc == 4) {
		int i;

		for (i = 0; i < 1200 && access(argv[3], F_OK) != 0; i++)
			usleep(100000);
	} else
		sleep(2);
	printf("%s\n", memcmp(copy, data, h->caplen) == 0 ? "intact" : "overwritten");
	pcap_close(p);
	return 0;
}
