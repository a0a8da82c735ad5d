/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BPF ring buffer reader.  The kernel's layout (include/uapi/linux/bpf.h
 * and kernel/bpf/ringbuf.c): page 0 holds the consumer position, which
 * user space writes; page 1 the producer position; then the data pages,
 * mapped twice in a row so that a record that wraps is still contiguous.
 * Each record starts with an 8-byte header: a 32-bit length whose top two
 * bits say "still being written" and "discarded", and a page offset.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "bpftrace-ring.h"

static size_t
record_span(uint32_t len)
{
	/* Records are 8-byte aligned, header included. */
	return ((size_t)len + BPF_RINGBUF_HDR_SZ + 7) & ~(size_t)7;
}

int
bpftrace_ring_reader_open(struct ring_reader *ring, int map_fd,
    size_t data_size,
    char *err, size_t errlen)
{
	void *p;

	memset(ring, 0, sizeof(*ring));
	ring->map_fd = map_fd;
	ring->page_size = (size_t)sysconf(_SC_PAGESIZE);
	ring->data_size = data_size;

	p = mmap(NULL, ring->page_size, PROT_READ | PROT_WRITE, MAP_SHARED,
	    map_fd, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "mapping the ring's consumer page: %s",
		    strerror(errno));
		return -1;
	}
	ring->consumer_pos = p;

	p = mmap(NULL, ring->page_size + 2 * data_size, PROT_READ, MAP_SHARED,
	    map_fd, (off_t)ring->page_size);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "mapping the ring's data pages: %s",
		    strerror(errno));
		munmap(ring->consumer_pos, ring->page_size);
		ring->consumer_pos = NULL;
		return -1;
	}
	ring->producer_pos = p;
	ring->data = (unsigned char *)p + ring->page_size;
	ring->next_pos = __atomic_load_n(ring->consumer_pos, __ATOMIC_ACQUIRE);
	return 0;
}

/*
 * Returns the next committed record, or NULL when there is none yet.
 * Discarded records are skipped here.  The record stays valid until
 * bpftrace_ring_reader_release().
 */
const void *
bpftrace_ring_reader_peek(struct ring_reader *ring, uint32_t *len)
{
	for (;;) {
		unsigned long producer = __atomic_load_n(ring->producer_pos,
		    __ATOMIC_ACQUIRE);
		const unsigned char *rec;
		uint32_t header;

		if (producer == ring->next_pos)
			return NULL;
		rec = ring->data + (ring->next_pos & (ring->data_size - 1));
		header = __atomic_load_n((const uint32_t *)rec,
		    __ATOMIC_ACQUIRE);
		if (header & BPF_RINGBUF_BUSY_BIT)
			return NULL;	/* reserved, not yet committed */
		*len = header & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		if (header & BPF_RINGBUF_DISCARD_BIT) {
			ring->next_pos += record_span(*len);
			__atomic_store_n(ring->consumer_pos, ring->next_pos,
			    __ATOMIC_RELEASE);
			continue;
		}
		return rec + BPF_RINGBUF_HDR_SZ;
	}
}

/*
 * Moves past the record last returned by bpftrace_ring_reader_peek().  Its room
 * goes back to the kernel at the next bpftrace_ring_reader_commit(): the consumer
 * position shares a cache line with what every producer reads, so it is
 * written once per batch, not once per record.
 */
void
bpftrace_ring_reader_release(struct ring_reader *ring)
{
	const uint32_t *header = (const uint32_t *)(ring->data +
	    (ring->next_pos & (ring->data_size - 1)));
	uint32_t len = *header & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);

	ring->next_pos += record_span(len);
}

/* Gives the room of every released record back to the kernel. */
void
bpftrace_ring_reader_commit(struct ring_reader *ring)
{
	__atomic_store_n(ring->consumer_pos, ring->next_pos, __ATOMIC_RELEASE);
}

void
bpftrace_ring_reader_close(struct ring_reader *ring)
{
	if (ring->producer_pos != NULL)
		munmap(ring->producer_pos,
		    ring->page_size + 2 * ring->data_size);
	if (ring->consumer_pos != NULL)
		munmap(ring->consumer_pos, ring->page_size);
	memset(ring, 0, sizeof(*ring));
	ring->map_fd = -1;
}
