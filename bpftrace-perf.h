/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reader of a BPF perf event array (BPF_MAP_TYPE_PERF_EVENT_ARRAY): one
 * perf ring per CPU, opened here and put into the map, read through their
 * memory mappings with the same peek/release interface as the ring
 * buffer reader.  After opening, nothing here needs a privilege.
 *
 * The array is the user's: a slot that holds another reader's event (the
 * program's own, another capture's) is never replaced (the open fails,
 * saying so), and on close the array is left as found: the slots we
 * filled are emptied, by the kernel when the map descriptor we filled
 * them through is closed (it removes exactly the entries made through
 * it), or here for arrays made with BPF_F_PRESERVE_ELEMS.
 *
 * The ring contents are read as untrusted: every size is checked against
 * the ring and the data the kernel says it wrote.
 */
#ifndef BPFTRACE_PERF_H
#define BPFTRACE_PERF_H

#include <stddef.h>
#include <stdint.h>

struct perf_cpu_ring;

struct perf_reader {
	int epoll_fd;			/* readable when any ring has data */
	struct perf_cpu_ring *rings;
	int ring_count;
	int current;			/* ring the last peek looked at */
	size_t data_size;		/* per ring, power of two */
	unsigned char *bounce;		/* a record that wraps, made whole */
	uint64_t lost;			/* samples the kernel had no room for */
	int map_fd;			/* the user's array (not ours to close) */
	int empty_slots_on_close;	/* the kernel will not (PRESERVE_ELEMS) */
	size_t mapped_bytes;		/* per ring; 0: memory not ours */
};

/* One CPU's ring in memory, for bpftrace_perf_reader_attach(). */
struct perf_ring_memory {
	void *control;			/* struct perf_event_mmap_page */
	unsigned char *data;		/* data_size bytes */
};

int	bpftrace_perf_reader_open(struct perf_reader *r, int map_fd,
	    size_t data_size,
	    char *err, size_t errlen);
int	bpftrace_perf_reader_attach(struct perf_reader *r,
	    const struct perf_ring_memory *rings, int count, size_t data_size);
const void *bpftrace_perf_reader_peek(struct perf_reader *r, uint32_t *len);
void	bpftrace_perf_reader_release(struct perf_reader *r);
void	bpftrace_perf_reader_close(struct perf_reader *r);

#endif /* BPFTRACE_PERF_H */
