/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reader of a BPF ring buffer map (BPF_MAP_TYPE_RINGBUF) through its
 * memory mapping.  Records are read in place (zero copy) and released one
 * by one, so the caller decides how many to take per call, and their room
 * is given back per batch (commit); after the mapping is set up nothing
 * here needs a privilege or a bpf() call.
 */
#ifndef BPFTRACE_RING_H
#define BPFTRACE_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring_reader {
	int map_fd;
	size_t page_size;
	size_t data_size;		/* power of two */
	unsigned long *consumer_pos;	/* page we write */
	unsigned long *producer_pos;	/* first read-only page */
	unsigned char *data;		/* data pages, mapped twice in a row */
	unsigned long next_pos;		/* consumer position being read */
};

int	bpftrace_ring_reader_open(struct ring_reader *ring, int map_fd,
	    size_t data_size,
	    char *err, size_t errlen);
const void *bpftrace_ring_reader_peek(struct ring_reader *ring, uint32_t *len);
void	bpftrace_ring_reader_release(struct ring_reader *ring);
void	bpftrace_ring_reader_commit(struct ring_reader *ring);
void	bpftrace_ring_reader_close(struct ring_reader *ring);

#endif /* BPFTRACE_RING_H */
