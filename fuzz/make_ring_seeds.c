/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the seed corpora of fuzz_ring_reader and fuzz_perf_reader:
 * make_ring_seeds DIR makes DIR/fuzz_ring_reader and DIR/fuzz_perf_reader,
 * one file per seed (fuzz/ring_image.h): rings as the kernel leaves them,
 * holding bpf_pcap() records of an ICMP echo request, with the cases a
 * reader meets (a record that wraps, discarded and unfinished records,
 * lost samples, other record types, a second reader), each well formed,
 * for the fuzzer to break; and a few that lie the way a ring shared with
 * another reader does (a length beyond the ring, a head too far ahead).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <linux/types.h>

#include "bpf/bpf_pcap.h"
#include "fuzz/ring_image.h"

static const char *dir;

static void
make_dir(const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "make_ring_seeds: %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
}

static void
write_seed(const char *target, const char *name, const void *head,
    size_t head_len, const void *body, size_t body_len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, target);
	make_dir(path);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(head, 1, head_len, f) != head_len ||
	    fwrite(body, 1, body_len, f) != body_len || fclose(f) != 0) {
		fprintf(stderr, "make_ring_seeds: %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
}

/* An Ethernet frame: IPv4 ICMP echo request, 198.18.0.1 > 198.18.0.2. */
static const unsigned char frame[] = {
	0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
	0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 1, 0, 0,
	198, 18, 0, 1, 198, 18, 0, 2,
	8, 0, 0xf7, 0xfe, 0, 1, 0, 0,
};

/* A bpf_pcap() record of the frame into buf; its length. */
static size_t
pcap_record(unsigned char *buf)
{
	struct bpf_pcap_hdr h;

	memset(&h, 0, sizeof(h));
	h.magic = BPF_PCAP_MAGIC;
	h.protocol = BPF_PCAP_ETHERNET;
	h.flags = 2 | BPF_PCAP_F_ID_IS_IFINDEX;
	h.ktime_ns = 123456789;
	h.tot_len = sizeof(frame);
	h.cap_len = sizeof(frame);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), frame, sizeof(frame));
	return sizeof(h) + sizeof(frame);
}

/* --- BPF ring buffer --------------------------------------------------- */

#define RING_SIZE	512		/* size_shift 3 */

/* Writes a ring record at position pos (wrapping); returns its span. */
static size_t
ring_put(unsigned char *ring, size_t pos, uint32_t flags)
{
	unsigned char rec[BPF_RINGBUF_HDR_SZ + 128];
	uint32_t len = (uint32_t)pcap_record(rec + BPF_RINGBUF_HDR_SZ);
	uint32_t header = len | flags, pg_off = 0;
	size_t span = (len + BPF_RINGBUF_HDR_SZ + 7) & ~(size_t)7, i;

	memcpy(rec, &header, 4);
	memcpy(rec + 4, &pg_off, 4);
	for (i = 0; i < span; i++)
		ring[(pos + i) % RING_SIZE] = i < len + BPF_RINGBUF_HDR_SZ ?
		    rec[i] : 0;
	return span;
}

static void
ring_seed(const char *name, unsigned long consumer, const uint32_t *flags,
    int records, uint8_t foreign_at, uint8_t produce_at, uint32_t produce_by)
{
	unsigned char ring[RING_SIZE];
	struct ring_image_head head;
	size_t pos = consumer;
	int i;

	memset(ring, 0, sizeof(ring));
	for (i = 0; i < records; i++)
		pos += ring_put(ring, pos, flags != NULL ? flags[i] : 0);
	memset(&head, 0, sizeof(head));
	head.size_shift = 3;
	head.link_type = (uint8_t)(strlen(name) % IMAGE_LINK_TYPES);
	head.foreign_at = foreign_at;
	head.produce_at = produce_at;
	head.produce_by = produce_by;
	head.consumer_pos = consumer;
	head.producer_pos = pos;
	write_seed("fuzz_ring_reader", name, &head, sizeof(head), ring,
	    sizeof(ring));
}

/*
 * The reader mid-record, as after another reader moved the position: a
 * "header" whose length runs past the ring, the producer a ring ahead.
 */
static void
ring_seed_lying(void)
{
	unsigned char ring[RING_SIZE];
	struct ring_image_head head;
	uint32_t header = 3 * RING_SIZE;

	memset(ring, 0, sizeof(ring));
	ring_put(ring, 0, 0);
	memcpy(ring + 64, &header, sizeof(header));
	memset(&head, 0, sizeof(head));
	head.size_shift = 3;
	head.consumer_pos = 64;
	head.producer_pos = 64 + RING_SIZE;
	write_seed("fuzz_ring_reader", "ring-mid-record", &head, sizeof(head),
	    ring, sizeof(ring));
}

static void
ring_seeds(void)
{
	static const uint32_t mixed[] = { 0, BPF_RINGBUF_DISCARD_BIT, 0,
	    BPF_RINGBUF_BUSY_BIT };

	ring_seed("ring-empty", 0, NULL, 0, 0, 0, 0);
	ring_seed("ring-three", 0, NULL, 3, 0, 0, 0);
	ring_seed("ring-wraps", 4096 + 448, NULL, 2, 0, 0, 0);
	ring_seed("ring-discard-busy", 0, mixed, 4, 0, 0, 0);
	ring_seed("ring-second-reader", 0, NULL, 3, 2, 0, 0);
	ring_seed("ring-producer-moves", 0, NULL, 3, 0, 2, 80);
	ring_seed("ring-producer-laps", 0, NULL, 3, 0, 1, 4 * RING_SIZE);
	ring_seed_lying();
}

/* --- perf event array -------------------------------------------------- */

#define PERF_SIZE	256		/* size_shift 2 */

/* Writes bytes at position pos of a perf ring (wrapping). */
static void
perf_write(unsigned char *ring, uint64_t pos, const void *bytes, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		ring[(pos + i) % PERF_SIZE] = ((const unsigned char *)bytes)[i];
}

/* A PERF_RECORD_SAMPLE of a bpf_pcap() record at pos; returns its size. */
static size_t
perf_sample(unsigned char *ring, uint64_t pos)
{
	unsigned char raw[128];
	uint32_t raw_len = (uint32_t)pcap_record(raw);
	struct perf_event_header h;
	size_t size = (sizeof(h) + sizeof(raw_len) + raw_len + 7) & ~(size_t)7;

	h.type = PERF_RECORD_SAMPLE;
	h.misc = 0;
	h.size = (uint16_t)size;
	perf_write(ring, pos, &h, sizeof(h));
	perf_write(ring, pos + sizeof(h), &raw_len, sizeof(raw_len));
	perf_write(ring, pos + sizeof(h) + sizeof(raw_len), raw, raw_len);
	return size;
}

/* A record of another type (lost: with a count of lost samples). */
static size_t
perf_other(unsigned char *ring, uint64_t pos, uint32_t type)
{
	struct perf_event_header h;
	uint64_t body[2] = { 7, 3 };	/* id, lost */

	h.type = type;
	h.misc = 0;
	h.size = sizeof(h) + sizeof(body);
	perf_write(ring, pos, &h, sizeof(h));
	perf_write(ring, pos + sizeof(h), body, sizeof(body));
	return h.size;
}

/*
 * rings perf rings; in each, from tail, what kinds says: 's' a sample,
 * 'l' a lost record, 'm' an mmap record (a type the reader skips).
 */
static void
perf_seed(const char *name, int rings, uint64_t tail, const char *kinds)
{
	unsigned char data[PERF_IMAGE_RINGS_MAX][PERF_SIZE];
	struct perf_image_head head;
	int i;

	memset(&head, 0, sizeof(head));
	memset(data, 0, sizeof(data));
	head.rings = (uint8_t)(rings - 1);
	head.size_shift = 2;
	head.link_type = (uint8_t)(strlen(name) % IMAGE_LINK_TYPES);
	for (i = 0; i < rings; i++) {
		uint64_t pos = tail;
		const char *k;

		for (k = kinds; *k != '\0'; k++)
			pos += *k == 's' ? perf_sample(data[i], pos) :
			    perf_other(data[i], pos, *k == 'l' ?
			        PERF_RECORD_LOST : PERF_RECORD_MMAP);
		head.pos[i].head = pos;
		head.pos[i].tail = tail;
	}
	write_seed("fuzz_perf_reader", name, &head, sizeof(head), data,
	    (size_t)rings * PERF_SIZE);
}

/*
 * A head further ahead than the ring holds, and a sample longer than the
 * ring that wraps: what only a ring written over while being read, or a
 * broken producer, holds.
 */
static void
perf_seed_lying(void)
{
	unsigned char data[PERF_SIZE];
	struct perf_image_head head;
	struct perf_event_header h;
	uint32_t raw_len = 2 * PERF_SIZE;
	uint64_t tail = PERF_SIZE - 16;

	memset(&head, 0, sizeof(head));
	memset(data, 0x5a, sizeof(data));
	h.type = PERF_RECORD_SAMPLE;
	h.misc = 0;
	h.size = (uint16_t)(sizeof(h) + sizeof(raw_len) + raw_len);
	perf_write(data, tail, &h, sizeof(h));
	perf_write(data, tail + sizeof(h), &raw_len, sizeof(raw_len));
	head.size_shift = 2;
	head.pos[0].tail = tail;
	head.pos[0].head = tail + 4 * PERF_SIZE;
	write_seed("fuzz_perf_reader", "perf-beyond-ring", &head, sizeof(head),
	    data, sizeof(data));
}

static void
perf_seeds(void)
{
	perf_seed("perf-empty", 1, 0, "");
	perf_seed("perf-two-samples", 1, 0, "ss");
	perf_seed("perf-lost", 1, 0, "ls");
	perf_seed("perf-other-type", 1, 0, "msl");
	perf_seed("perf-wraps", 2, 3 * PERF_SIZE + 200, "ss");
	perf_seed("perf-three-rings", 3, 64, "s");
	perf_seed_lying();
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make_ring_seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	make_dir(dir);
	ring_seeds();
	perf_seeds();
	return 0;
}
