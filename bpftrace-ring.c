/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BPF ring buffer reader.  The kernel's layout (include/uapi/linux/bpf.h
 * and kernel/bpf/ringbuf.c): page 0 holds the consumer position, which
 * user space writes; page 1 the producer position; then the data pages,
 * mapped twice in a row so that a record that wraps is still contiguous.
 * Each record starts with an 8-byte header: a 32-bit length whose top two
 * bits say "still being written" and "discarded", and a page offset.
 *
 * The kernel writes a record's header (busy, with its length) before it
 * moves the producer position past it, never lets the producer get more
 * than the data size ahead of the consumer position, and never reserves
 * a record longer than the data size.  A header seen below the producer
 * position therefore always holds the length of a record that fits; if it
 * does not, we are not at a record's start: someone else moved the
 * consumer position and the kernel wrote over what we were about to read.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "bpftrace-ring.h"

#define LENGTH_MASK	(~(uint32_t)(BPF_RINGBUF_BUSY_BIT | \
			    BPF_RINGBUF_DISCARD_BIT))

/* What to do about any of these: have one reader per ring buffer. */
#define ONE_READER	"a ring buffer map has one reader: stop the other" \
			" (the program's own reader, or another capture)" \
			" and capture again"

static size_t
record_span(uint32_t len)
{
	/* Records are 8-byte aligned, header included. */
	return ((size_t)len + BPF_RINGBUF_HDR_SZ + 7) & ~(size_t)7;
}

int
bpftrace_ring_reader_attach(struct ring_reader *ring,
    unsigned long *consumer_pos, const unsigned long *producer_pos,
    const unsigned char *data, size_t data_size, char *err, size_t errlen)
{
	memset(ring, 0, sizeof(*ring));
	ring->map_fd = -1;
	if (data_size < BPF_RINGBUF_HDR_SZ ||
	    (data_size & (data_size - 1)) != 0) {
		snprintf(err, errlen, "a ring buffer of %zu bytes: the size"
		    " must be a power of two", data_size);
		return -1;
	}
	ring->data_size = data_size;
	ring->consumer_pos = consumer_pos;
	ring->producer_pos = producer_pos;
	ring->data = data;
	ring->next_pos = __atomic_load_n(consumer_pos, __ATOMIC_ACQUIRE);
	ring->committed_pos = ring->next_pos;
	return 0;
}

int
bpftrace_ring_reader_open(struct ring_reader *ring, int map_fd,
    size_t data_size, char *err, size_t errlen)
{
	void *consumer, *rest;
	size_t page_size = (size_t)sysconf(_SC_PAGESIZE);

	memset(ring, 0, sizeof(*ring));
	ring->map_fd = -1;
	if (data_size < page_size || (data_size & (data_size - 1)) != 0) {
		snprintf(err, errlen, "a ring buffer of %zu bytes: the size"
		    " must be a power of two of at least a page", data_size);
		return -1;
	}
	consumer = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_SHARED,
	    map_fd, 0);
	if (consumer == MAP_FAILED) {
		snprintf(err, errlen, "mapping the ring's consumer page: %s",
		    strerror(errno));
		return -1;
	}
	rest = mmap(NULL, page_size + 2 * data_size, PROT_READ, MAP_SHARED,
	    map_fd, (off_t)page_size);
	if (rest == MAP_FAILED) {
		snprintf(err, errlen, "mapping the ring's data pages: %s",
		    strerror(errno));
		munmap(consumer, page_size);
		return -1;
	}
	bpftrace_ring_reader_attach(ring, consumer, rest,
	    (const unsigned char *)rest + page_size, data_size, err, errlen);
	ring->map_fd = map_fd;
	ring->mapping = rest;
	ring->page_size = page_size;
	return 0;
}

/* Stops the reader: peek returns NULL and commit writes nothing from now. */
static const void *
stop(struct ring_reader *ring)
{
	ring->pending_span = 0;
	return NULL;
}

/* Moves the consumer position: room back to the kernel. */
static void
publish(struct ring_reader *ring)
{
	__atomic_store_n(ring->consumer_pos, ring->next_pos, __ATOMIC_RELEASE);
	ring->committed_pos = ring->next_pos;
}

/*
 * Returns the next committed record, or NULL when there is none yet or
 * the reader stopped (error set).  Discarded records are skipped here.
 * The record stays valid until bpftrace_ring_reader_release().
 */
const void *
bpftrace_ring_reader_peek(struct ring_reader *ring, uint32_t *len)
{
	if (ring->error[0] != '\0')
		return NULL;
	for (;;) {
		unsigned long consumer = __atomic_load_n(ring->consumer_pos,
		    __ATOMIC_ACQUIRE);
		unsigned long producer = __atomic_load_n(ring->producer_pos,
		    __ATOMIC_ACQUIRE);
		unsigned long ahead = producer - ring->next_pos;
		const unsigned char *rec;
		uint32_t header;
		size_t span;

		if (consumer != ring->committed_pos) {
			snprintf(ring->error, sizeof(ring->error),
			    "another reader is consuming this ring buffer (its"
			    " consumer position moved from %lu to %lu); "
			    ONE_READER, ring->committed_pos, consumer);
			return stop(ring);
		}
		if (ahead == 0)
			return NULL;
		if (ahead > ring->data_size || ahead < BPF_RINGBUF_HDR_SZ) {
			snprintf(ring->error, sizeof(ring->error),
			    "the ring buffer's producer position %lu cannot"
			    " follow the reader's %lu in a ring of %zu bytes"
			    " (another reader?); " ONE_READER, producer,
			    ring->next_pos, ring->data_size);
			return stop(ring);
		}
		rec = ring->data + (ring->next_pos & (ring->data_size - 1));
		header = __atomic_load_n((const uint32_t *)rec,
		    __ATOMIC_ACQUIRE);
		span = record_span(header & LENGTH_MASK);
		if (span > ahead) {
			snprintf(ring->error, sizeof(ring->error),
			    "a record of %u bytes at position %lu runs past"
			    " the %lu bytes written (the reader is not at a"
			    " record's start: another reader?); " ONE_READER,
			    header & LENGTH_MASK, ring->next_pos, ahead);
			return stop(ring);
		}
		if (header & BPF_RINGBUF_BUSY_BIT)
			return NULL;	/* reserved, not yet committed */
		if (header & BPF_RINGBUF_DISCARD_BIT) {
			ring->next_pos += span;
			publish(ring);
			continue;
		}
		ring->pending_span = span;
		*len = header & LENGTH_MASK;
		return rec + BPF_RINGBUF_HDR_SZ;
	}
}

/*
 * Moves past the record last returned by bpftrace_ring_reader_peek(), by
 * the length peek checked (the header may have changed since).  Its room
 * goes back to the kernel at the next bpftrace_ring_reader_commit(): the
 * consumer position shares a cache line with what every producer reads,
 * so it is written once per batch, not once per record.
 */
void
bpftrace_ring_reader_release(struct ring_reader *ring)
{
	ring->next_pos += ring->pending_span;
	ring->pending_span = 0;
}

/* Gives the room of every released record back to the kernel. */
void
bpftrace_ring_reader_commit(struct ring_reader *ring)
{
	/* A stopped reader leaves the position to whoever moved it. */
	if (ring->error[0] == '\0' && ring->next_pos != ring->committed_pos)
		publish(ring);
}

void
bpftrace_ring_reader_close(struct ring_reader *ring)
{
	if (ring->mapping != NULL) {
		munmap(ring->mapping, ring->page_size + 2 * ring->data_size);
		munmap(ring->consumer_pos, ring->page_size);
	}
	memset(ring, 0, sizeof(*ring));
	ring->map_fd = -1;
}
