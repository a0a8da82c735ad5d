/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the BPF ring buffer reader (bpftrace-ring.c) over a
 * ring whose positions and contents are hostile: lengths beyond the ring
 * or beyond what was produced, positions that cannot be, busy and discard
 * bits anywhere, another reader moving the consumer position, the
 * producer moving on while records are read (fuzz/ring_image.h).  Each
 * record read goes on to the bpf_pcap() record renderer, as a capture's
 * does.  The data is a heap block of exactly twice the ring's size (the
 * kernel's double mapping), so a read beyond it is caught.  Besides the
 * sanitizers' checks, what the reader promises (fuzz_promise.h):
 *
 *   a record lies within the double mapping, its length within the ring
 *   a stopped reader says why in one line, returns no more records, and
 *   no longer moves the consumer position
 *   reading ends: no more peeks than the ring has 8-byte steps, twice
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "bpftrace-ring.h"
#include "bpftrace-user-record.h"
#include "fuzz/fuzz_promise.h"
#include "fuzz/ring_image.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char scratch[IMAGE_SNAPLEN + USER_RECORD_HEADER_ROOM];

static void
check_stopped(struct ring_reader *ring)
{
	unsigned long before = *ring->consumer_pos;
	uint32_t len;

	if (memchr(ring->error, '\0', sizeof(ring->error)) == NULL ||
	    strchr(ring->error, '\n') != NULL)
		promise_broken("stopped reader: its reason is not one line");
	if (bpftrace_ring_reader_peek(ring, &len) != NULL)
		promise_broken("stopped reader: a record after the stop");
	bpftrace_ring_reader_commit(ring);
	if (*ring->consumer_pos != before)
		promise_broken("stopped reader: it moved the consumer position");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ring_image_head head;
	struct ring_reader ring;
	unsigned long consumer, producer;
	unsigned char *pages;
	size_t data_size, peeks, max_peeks;
	int link_type;
	char err[128];

	if (size < sizeof(head))
		return 0;
	memcpy(&head, data, sizeof(head));
	data += sizeof(head);
	size -= sizeof(head);
	data_size = (size_t)64 << (head.size_shift % 4);
	link_type = image_link_types[head.link_type % IMAGE_LINK_TYPES];
	if ((pages = calloc(2, data_size)) == NULL)
		abort();
	memcpy(pages, data, size < data_size ? size : data_size);
	memcpy(pages + data_size, pages, data_size);
	consumer = (unsigned long)head.consumer_pos;
	producer = (unsigned long)head.producer_pos;
	if (bpftrace_ring_reader_attach(&ring, &consumer, &producer, pages,
	    data_size, err, sizeof(err)) != 0)
		promise_broken("a power-of-two ring refused");

	max_peeks = 2 * (data_size / 8 + 1) + 2;
	for (peeks = 1; ; peeks++) {
		const unsigned char *rec;
		struct user_packet pkt;
		uint32_t len;

		if (peeks > max_peeks)
			promise_broken("reading does not end");
		if (peeks == head.foreign_at)
			consumer += 8 * (1 + head.produce_by % 64);
		if (peeks == head.produce_at)
			producer += head.produce_by;
		rec = bpftrace_ring_reader_peek(&ring, &len);
		if (rec == NULL)
			break;
		if (rec < pages + 8 || rec + len > pages + 2 * data_size ||
		    (size_t)len + 8 > data_size)
			promise_broken("a record beyond the ring");
		bpftrace_user_record_render(rec, len, link_type, IMAGE_SNAPLEN,
		    scratch, &pkt);
		bpftrace_ring_reader_release(&ring);
		if (peeks % 3 == 0)
			bpftrace_ring_reader_commit(&ring);
	}
	bpftrace_ring_reader_commit(&ring);
	if (ring.error[0] != '\0')
		check_stopped(&ring);
	bpftrace_ring_reader_close(&ring);
	free(pages);
	return 0;
}
