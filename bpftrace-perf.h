/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reader of a BPF perf event array (BPF_MAP_TYPE_PERF_EVENT_ARRAY): one
 * perf ring per CPU, opened here and put into the map, read through their
 * memory mappings with the same peek/release interface as the ring
 * buffer reader.  After opening, nothing here needs a privilege.
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
};

int	bpftrace_perf_reader_open(struct perf_reader *r, int map_fd,
	    size_t data_size,
	    char *err, size_t errlen);
const void *bpftrace_perf_reader_peek(struct perf_reader *r, uint32_t *len);
void	bpftrace_perf_reader_release(struct perf_reader *r);
void	bpftrace_perf_reader_close(struct perf_reader *r);

#endif /* BPFTRACE_PERF_H */
