/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nflog_rows FILE
 *
 * The rows of an NFLOG capture file, one line each:
 *	TAP ID IPLEN ECHO PREFIX
 * TAP the record's resource id (the tap's index in the capture), ID the
 * packet's identity from the prefix ("pkt=ID"; "-" without one), IPLEN
 * the IPv4 total length of the payload ("-" where there is none), ECHO
 * the sequence number of an ICMP echo request ("-" for anything else),
 * PREFIX the whole prefix, the rest of the line ("-" without one).  For
 * the tests (the kernel matrix has no tshark, and tcpdump prints no
 * prefix).  Every length is checked against the record: the file is
 * input like any other.
 */
#define _GNU_SOURCE	/* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#define NFLOG_HEADER	4
#define TLV_HEADER	4
#define TLV_PAYLOAD	9	/* NFULA_PAYLOAD */
#define TLV_PREFIX	10	/* NFULA_PREFIX */

static void
print_row(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	const u_char *p = bytes + NFLOG_HEADER, *end = bytes + h->caplen;
	char id[16] = "-", iplen[8] = "-", seq[8] = "-", prefix[128] = "-";
	unsigned tap;

	(void)user;
	if (h->caplen < NFLOG_HEADER)
		return;
	tap = (unsigned)bytes[2] << 8 | bytes[3];	/* network order */
	while (end - p >= TLV_HEADER) {
		uint16_t len, type;
		const u_char *value = p + TLV_HEADER;

		memcpy(&len, p, 2);	/* TLV header: host order */
		memcpy(&type, p + 2, 2);
		type &= 0x7fff;		/* NLA_F_NESTED */
		if (len < TLV_HEADER || len > end - p)
			break;
		if (type == TLV_PREFIX) {
			const u_char *k = memmem(value, len - TLV_HEADER,
			    "pkt=", 4);
			size_t n = 0;

			if (len > TLV_HEADER) {
				size_t m = strnlen((const char *)value,
				    len - TLV_HEADER);

				if (m > sizeof(prefix) - 1)
					m = sizeof(prefix) - 1;
				if (m > 0) {
					memcpy(prefix, value, m);
					prefix[m] = '\0';
				}
			}
			if (k != NULL) {
				k += 4;
				while (k + n < p + len && n < sizeof(id) - 1 &&
				    k[n] >= '0' && k[n] <= '9')
					n++;
				memcpy(id, k, n);
				id[n] = '\0';
			}
		} else if (type == TLV_PAYLOAD && len >= TLV_HEADER + 4 &&
		    (value[0] >> 4) == 4) {
			unsigned ihl = (value[0] & 0x0fu) * 4;

			snprintf(iplen, sizeof(iplen), "%u",
			    (unsigned)value[2] << 8 | value[3]);
			/* ICMP, type 8: the sequence at 6 in its header. */
			if (ihl >= 20 && len >= TLV_HEADER + ihl + 8 &&
			    value[9] == 1 && value[ihl] == 8)
				snprintf(seq, sizeof(seq), "%u",
				    (unsigned)value[ihl + 6] << 8 |
				    value[ihl + 7]);
		}
		p += (len + 3u) & ~3u;
	}
	printf("%u %s %s %s %s\n", tap, id[0] != '\0' ? id : "-", iplen, seq,
	    prefix);
}

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p;

	if (argc != 2) {
		fprintf(stderr, "usage: nflog_rows FILE\n");
		return 2;
	}
	if ((p = pcap_open_offline(argv[1], errbuf)) == NULL) {
		fprintf(stderr, "nflog_rows: %s\n", errbuf);
		return 1;
	}
	if (pcap_datalink(p) != DLT_NFLOG) {
		fprintf(stderr, "nflog_rows: %s is not NFLOG\n", argv[1]);
		pcap_close(p);
		return 1;
	}
	if (pcap_loop(p, -1, print_row, NULL) == -1) {
		fprintf(stderr, "nflog_rows: %s\n", pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	return 0;
}
