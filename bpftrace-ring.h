/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reader of a BPF ring buffer map (BPF_MAP_TYPE_RINGBUF) through its
 * memory mapping.  Records are read in place (zero copy) and released one
 * by one, so the caller decides how many to take per call, and their room
 * is given back per batch (commit); after the mapping is set up nothing
 * here needs a privilege or a bpf() call.
 *
 * What the ring holds is not trusted: a user's program's ring may have
 * another reader (its own loader, another capture), whose consumer
 * position moves under ours, and then a record's header is wherever that
 * reader left the kernel writing.  Every length is bounded by the ring's
 * data size and by what the producer has written; a foreign consumer, or
 * positions that cannot be, stop the reader with a message in error
 * (peek returns NULL from then on).
 */
#ifndef BPFTRACE_RING_H
#define BPFTRACE_RING_H

#include <stddef.h>
#include <stdint.h>

#define RING_READER_ERROR_MAX	256

struct ring_reader {
	int map_fd;
	size_t page_size;
	size_t data_size;		/* power of two */
	unsigned long *consumer_pos;	/* page we write */
	const unsigned long *producer_pos; /* first read-only page */
	const unsigned char *data;	/* data pages, mapped twice in a row */
	unsigned long next_pos;		/* consumer position being read */
	unsigned long committed_pos;	/* what we last wrote to consumer_pos */
	size_t pending_span;		/* the record peeked, 0: none */
	void *mapping;			/* NULL: memory given by the caller */
	char error[RING_READER_ERROR_MAX]; /* "": none */
};

int	bpftrace_ring_reader_open(struct ring_reader *ring, int map_fd,
	    size_t data_size, char *err, size_t errlen);
int	bpftrace_ring_reader_attach(struct ring_reader *ring,
	    unsigned long *consumer_pos, const unsigned long *producer_pos,
	    const unsigned char *data, size_t data_size, char *err,
	    size_t errlen);
const void *bpftrace_ring_reader_peek(struct ring_reader *ring, uint32_t *len);
void	bpftrace_ring_reader_release(struct ring_reader *ring);
void	bpftrace_ring_reader_commit(struct ring_reader *ring);
void	bpftrace_ring_reader_close(struct ring_reader *ring);

#endif /* BPFTRACE_RING_H */
