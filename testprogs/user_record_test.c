/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bpf_pcap() record converter against good, malformed and random
 * records; built with ASan/UBSan and every record in a heap block of its
 * exact size, so any read beyond a record is caught.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "bpf/bpf_pcap.h"
#include "bpftrace-user-record.h"

#define DLT_EN10MB	1
#define DLT_RAW		12
#define DLT_SLL		113
#define DLT_SLL2	276

static int failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL line %d: ", __LINE__);			\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

static unsigned char scratch[65536 + USER_RECORD_HEADER_ROOM];

/* A record in a heap block of exactly its size. */
static unsigned char *
record(uint32_t magic, uint32_t protocol, uint64_t flags, uint32_t tot_len,
    uint32_t cap_len, const unsigned char *data, size_t data_len, size_t *size)
{
	static unsigned char *previous;	/* kept while its packet is checked */
	struct bpf_pcap_hdr h = { magic, protocol, flags, 123456789, tot_len,
	    cap_len };
	unsigned char *r;

	free(previous);
	previous = r = malloc(sizeof(h) + data_len);

	memcpy(r, &h, sizeof(h));
	memcpy(r + sizeof(h), data, data_len);
	*size = sizeof(h) + data_len;
	return r;
}

static int
render(unsigned char *r, size_t size, int dlt, uint32_t snaplen,
    struct user_packet *out)
{
	return bpftrace_user_record_render(r, size, dlt, snaplen, scratch, out);
}

static const unsigned char ipv4_frame[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02,	/* destination */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01,	/* source */
	0x08, 0x00,
	0x45, 0x00, 0x00, 0x14, 0x00, 0x00, 0x40, 0x00, 0x40, 0x01,
	0x00, 0x00, 198, 18, 0, 1, 198, 18, 0, 2
};

static void
good_records(void)
{
	struct user_packet p;
	unsigned char frame[sizeof(ipv4_frame)];
	size_t n;
	unsigned char *r;

	r = record(BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 7, 40, sizeof(ipv4_frame),
	    ipv4_frame, sizeof(ipv4_frame), &n);
	CHECK(render(r, n, DLT_EN10MB, 65535, &p) == USER_RECORD_OK &&
	    p.caplen == sizeof(ipv4_frame) && p.len == 40 && p.id == 7 &&
	    p.ktime_ns == 123456789, "Ethernet as EN10MB");

	r = record(BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET,
	    3 | BPF_PCAP_F_ID_IS_IFINDEX, 40, sizeof(ipv4_frame), ipv4_frame,
	    sizeof(ipv4_frame), &n);
	CHECK(render(r, n, DLT_SLL2, 65535, &p) == USER_RECORD_OK &&
	    p.caplen == 20 + sizeof(ipv4_frame) - 14 && p.len == 46 &&
	    p.bytes[0] == 0x08 && p.bytes[1] == 0x00 &&	/* protocol */
	    p.bytes[7] == 3 &&				/* ifindex */
	    p.bytes[9] == 1 && p.bytes[10] == 0 &&	/* hatype, host */
	    p.bytes[11] == 6 && memcmp(p.bytes + 12, ipv4_frame + 6, 6) == 0 &&
	    memcmp(p.bytes + 20, ipv4_frame + 14, sizeof(ipv4_frame) - 14) == 0,
	    "Ethernet as LINUX_SLL2");

	r = record(BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET,
	    3 | BPF_PCAP_F_ID_IS_IFINDEX, 40, sizeof(ipv4_frame), ipv4_frame,
	    sizeof(ipv4_frame), &n);
	CHECK(render(r, n, DLT_SLL, 65535, &p) == USER_RECORD_OK &&
	    p.caplen == 16 + sizeof(ipv4_frame) - 14 && p.len == 42 &&
	    p.bytes[0] == 0 && p.bytes[1] == 0 &&	/* to this host */
	    p.bytes[2] == 0 && p.bytes[3] == 1 &&	/* ARPHRD_ETHER */
	    p.bytes[4] == 0 && p.bytes[5] == 6 &&
	    memcmp(p.bytes + 6, ipv4_frame + 6, 6) == 0 &&
	    p.bytes[12] == 0 && p.bytes[13] == 0 &&
	    p.bytes[14] == 0x08 && p.bytes[15] == 0x00 &&	/* protocol */
	    memcmp(p.bytes + 16, ipv4_frame + 14, sizeof(ipv4_frame) - 14) == 0,
	    "Ethernet as LINUX_SLL");
	r = record(BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 0, 34, 34, ipv4_frame, 34,
	    &n);
	CHECK(render(r, n, DLT_SLL, 20, &p) == USER_RECORD_OK &&
	    p.caplen == 20 && p.len == 36, "SLL cut at the snap length");

	memcpy(frame, ipv4_frame, sizeof(frame));
	memset(frame, 0xff, 6);
	r = record(BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 0, 34, 34, frame, 34, &n);
	CHECK(render(r, n, DLT_SLL, 65535, &p) == USER_RECORD_OK &&
	    p.bytes[1] == 1, "broadcast as LINUX_SLL");
	r = record(BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 0, 34, 34, frame, 34, &n);
	CHECK(render(r, n, DLT_SLL2, 65535, &p) == USER_RECORD_OK &&
	    p.bytes[10] == 1 && p.bytes[7] == 0, "broadcast, no ifindex id");
	frame[0] = 0x01;
	r = record(BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 0, 34, 34, frame, 34, &n);
	CHECK(render(r, n, DLT_SLL2, 65535, &p) == USER_RECORD_OK &&
	    p.bytes[10] == 2, "multicast");

	r = record(BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 0, 34, 34, ipv4_frame, 34,
	    &n);
	CHECK(render(r, n, DLT_SLL2, 30, &p) == USER_RECORD_OK &&
	    p.caplen == 30 && p.len == 40, "SLL2 cut at the snap length");
	r = record(BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 0, 34, 34, ipv4_frame, 34,
	    &n);
	CHECK(render(r, n, DLT_SLL2, 10, &p) == USER_RECORD_OK &&
	    p.caplen == 10, "snap length shorter than the SLL2 header");

	r = record(BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 0, 34, 34, ipv4_frame, 34,
	    &n);
	CHECK(render(r, n, DLT_RAW, 65535, &p) == USER_RECORD_OK &&
	    p.caplen == 20 && p.len == 20 && p.bytes[0] == 0x45,
	    "IPv4 frame as RAW");
	memcpy(frame, ipv4_frame, sizeof(frame));
	frame[12] = 0x08, frame[13] = 0x06;	/* ARP */
	r = record(BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 0, 34, 34, frame, 34, &n);
	CHECK(render(r, n, DLT_RAW, 65535, &p) == USER_RECORD_UNCONVERTIBLE,
	    "ARP frame as RAW");

	r = record(BPF_PCAP_MAGIC, BPF_PCAP_RAW, 0, 20, 20, ipv4_frame + 14, 20,
	    &n);
	CHECK(render(r, n, DLT_SLL2, 65535, &p) == USER_RECORD_OK &&
	    p.bytes[0] == 0x08 && p.bytes[1] == 0 && p.bytes[8] == 0xff &&
	    p.bytes[9] == 0xfe && p.bytes[11] == 0 && p.caplen == 40 &&
	    p.len == 40, "raw IPv4 as LINUX_SLL2");
	r = record(BPF_PCAP_MAGIC, BPF_PCAP_RAW, 0, 20, 20, ipv4_frame + 14, 20,
	    &n);
	CHECK(render(r, n, DLT_SLL, 65535, &p) == USER_RECORD_OK &&
	    p.bytes[2] == 0xff && p.bytes[3] == 0xfe && p.bytes[5] == 0 &&
	    p.bytes[14] == 0x08 && p.bytes[15] == 0 && p.caplen == 36 &&
	    p.len == 36, "raw IPv4 as LINUX_SLL");
	r = record(BPF_PCAP_MAGIC, BPF_PCAP_RAW, 0, 20, 20, ipv4_frame + 14, 20,
	    &n);
	CHECK(render(r, n, DLT_RAW, 65535, &p) == USER_RECORD_OK &&
	    p.caplen == 20, "raw IP as RAW");
	r = record(BPF_PCAP_MAGIC, BPF_PCAP_RAW, 0, 20, 20, ipv4_frame + 14, 20,
	    &n);
	CHECK(render(r, n, DLT_EN10MB, 65535, &p) == USER_RECORD_UNCONVERTIBLE,
	    "raw IP as EN10MB");
	r = record(BPF_PCAP_MAGIC, BPF_PCAP_RAW, 0, 20, 20, ipv4_frame, 20, &n);
	CHECK(render(r, n, DLT_SLL2, 65535, &p) == USER_RECORD_UNCONVERTIBLE,
	    "raw record that is not IP");
	r = record(BPF_PCAP_MAGIC, BPF_PCAP_IEEE802_11, 0, 20, 20, ipv4_frame,
	    20, &n);
	CHECK(render(r, n, DLT_SLL2, 65535, &p) == USER_RECORD_UNCONVERTIBLE,
	    "802.11 as LINUX_SLL2");
}

static void
malformed_records(void)
{
	struct user_packet p;
	size_t n;
	unsigned char *r;

	r = record(BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 0, 34, 34, ipv4_frame, 34,
	    &n);
	CHECK(render(r, sizeof(struct bpf_pcap_hdr) - 1, DLT_EN10MB, 65535,
	    &p) ==
	    USER_RECORD_MALFORMED, "shorter than its header");
	r = record(0xdeadbeef, BPF_PCAP_ETHERNET, 0, 34, 34, ipv4_frame, 34,
	    &n);
	CHECK(render(r, n, DLT_EN10MB, 65535, &p) == USER_RECORD_MALFORMED,
	    "wrong magic");
	r = record(BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 0, 35, 35, ipv4_frame, 34,
	    &n);
	CHECK(render(r, n, DLT_EN10MB, 65535, &p) == USER_RECORD_MALFORMED,
	    "capture length beyond the record");
	r = record(BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 0, 33, 34, ipv4_frame, 34,
	    &n);
	CHECK(render(r, n, DLT_EN10MB, 65535, &p) == USER_RECORD_MALFORMED,
	    "packet length below the capture length");
	r = record(BPF_PCAP_MAGIC, 9999, 0, 34, 34, ipv4_frame, 34, &n);
	CHECK(render(r, n, DLT_EN10MB, 65535, &p) == USER_RECORD_MALFORMED,
	    "unknown protocol");
	r = record(BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 0, 0xffffffff, 34,
	    ipv4_frame, 34, &n);
	CHECK(render(r, n, DLT_SLL2, 65535, &p) == USER_RECORD_MALFORMED,
	    "packet length that would overflow");
	r = record(BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 0, 10, 10, ipv4_frame, 10,
	    &n);
	CHECK(render(r, n, DLT_SLL2, 65535, &p) == USER_RECORD_UNCONVERTIBLE,
	    "Ethernet record shorter than an Ethernet header");
}

/* Random records, some with a valid magic and protocol; nothing may crash. */
static void
random_records(void)
{
	static const int dlts[] = { DLT_EN10MB, DLT_RAW, DLT_SLL, DLT_SLL2,
	    105 };
	static const uint32_t protocols[] = {
	    1, 12, 101, 105, 228, 229, 113, 276, 7
	};
	struct user_packet p;
	unsigned int seed = 1;
	int i, ok = 0;

	for (i = 0; i < 200000; i++) {
		size_t size = (size_t)(rand_r(&seed) % 200);
		unsigned char *r = malloc(size ? size : 1);
		size_t j;

		for (j = 0; j < size; j++)
			r[j] = (unsigned char)rand_r(&seed);
		if (size >= sizeof(struct bpf_pcap_hdr) && rand_r(&seed) % 2) {
			struct bpf_pcap_hdr *h = (struct bpf_pcap_hdr *)r;

			h->magic = BPF_PCAP_MAGIC;
			h->protocol = protocols[rand_r(&seed) % 8];
			h->cap_len = (uint32_t)(rand_r(&seed) % (size + 2));
			h->tot_len = h->cap_len + (uint32_t)(rand_r(&seed) % 3);
		}
		if (bpftrace_user_record_render(r, size,
		    dlts[rand_r(&seed) % 4],
		    (uint32_t)(rand_r(&seed) % 100), scratch,
		        &p) == USER_RECORD_OK) {
			ok++;
			CHECK(p.caplen <= 100 + 20, "caplen %u", p.caplen);
		}
		free(r);
	}
	printf("random records: %d of 200000 rendered\n", ok);
	CHECK(ok > 1000, "too few random records were valid: %d", ok);
}

int
main(void)
{
	good_records();
	malformed_records();
	random_records();
	printf("%s\n", failures ? "FAILED" : "all passed");
	return failures != 0;
}
