/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Perf event array reader.  Each CPU gets a software event of type
 * PERF_COUNT_SW_BPF_OUTPUT whose ring a BPF program fills with
 * bpf_perf_event_output(); the event's descriptor goes into the map at
 * the CPU's index.  The ring (include/uapi/linux/perf_event.h): a control
 * page with data_head (kernel) and data_tail (us), then the data pages;
 * records are a struct perf_event_header, PERF_RECORD_SAMPLE carrying a
 * 32-bit raw size and the raw bytes, PERF_RECORD_LOST a count of samples
 * dropped for want of room.  Records may wrap around the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpftrace-perf.h"

struct perf_cpu_ring {
	int fd;
	struct perf_event_mmap_page *control;
	unsigned char *data;
	uint64_t tail;			/* where the next record starts */
	uint64_t pending;		/* size of the record peeked, 0: none */
};

/* A perf record's size is 16 bits: the bounce buffer holds any. */
#define PERF_RECORD_MAX		(64 * 1024)

static int
open_cpu_event(int cpu)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	return (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1,
	    PERF_FLAG_FD_CLOEXEC);
}

int
bpftrace_perf_reader_open(struct perf_reader *r, int map_fd, size_t data_size,
    char *err, size_t errlen)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int cpus = libbpf_num_possible_cpus();
	int cpu;

	memset(r, 0, sizeof(*r));
	r->data_size = data_size;
	r->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	r->rings = calloc((size_t)(cpus > 0 ? cpus : 1), sizeof(*r->rings));
	r->bounce = malloc(PERF_RECORD_MAX);
	if (r->epoll_fd < 0 || r->rings == NULL || r->bounce == NULL) {
		snprintf(err, errlen, "perf reader: %s", strerror(errno));
		goto fail;
	}
	for (cpu = 0; cpu < cpus; cpu++) {
		struct perf_cpu_ring *ring = &r->rings[r->ring_count];
		struct epoll_event ev;
		void *base;

		ring->fd = open_cpu_event(cpu);
		if (ring->fd < 0) {
			if (errno == ENODEV)
				continue;	/* a possible CPU that is offline */
			snprintf(err, errlen, "perf_event_open on CPU %d: %s",
			    cpu, strerror(errno));
			goto fail;
		}
		base = mmap(NULL, page + data_size, PROT_READ | PROT_WRITE,
		    MAP_SHARED, ring->fd, 0);
		if (base == MAP_FAILED) {
			snprintf(err, errlen,
			    "mapping the perf ring of CPU %d: %s",
			    cpu, strerror(errno));
			close(ring->fd);
			goto fail;
		}
		ring->control = base;
		ring->data = (unsigned char *)base + page;
		ring->tail = __atomic_load_n(&ring->control->data_tail,
		    __ATOMIC_ACQUIRE);
		r->ring_count++;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u32 = (uint32_t)cpu;
		if (epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, ring->fd, &ev) != 0 ||
		    ioctl(ring->fd, PERF_EVENT_IOC_ENABLE, 0) != 0 ||
		    bpf_map_update_elem(map_fd, &cpu, &ring->fd,
		        BPF_ANY) != 0) {
			snprintf(err, errlen,
			    "connecting the perf ring of CPU %d: %s",
			    cpu, strerror(errno));
			goto fail;
		}
	}
	return 0;
fail:
	bpftrace_perf_reader_close(r);
	return -1;
}

/* Copies len bytes at ring position pos, wrapping, into out. */
static void
copy_out(const struct perf_reader *r, const struct perf_cpu_ring *ring,
    uint64_t pos, void *out, size_t len)
{
	size_t at = (size_t)(pos & (r->data_size - 1));
	size_t first = r->data_size - at < len ? r->data_size - at : len;

	memcpy(out, ring->data + at, first);
	memcpy((unsigned char *)out + first, ring->data, len - first);
}

/* Consumes the record at the ring's tail. */
static void
advance(struct perf_cpu_ring *ring, uint64_t size)
{
	ring->tail += size;
	ring->pending = 0;
	__atomic_store_n(&ring->control->data_tail, ring->tail,
	    __ATOMIC_RELEASE);
}

/*
 * Returns the next sample's raw bytes from any ring, or NULL when all are
 * empty.  Lost-sample records are counted and skipped.  The bytes stay
 * valid until bpftrace_perf_reader_release().
 */
const void *
bpftrace_perf_reader_peek(struct perf_reader *r, uint32_t *len)
{
	int tried;

	for (tried = 0; tried < r->ring_count; ) {
		struct perf_cpu_ring *ring = &r->rings[r->current];
		uint64_t head = __atomic_load_n(&ring->control->data_head,
		    __ATOMIC_ACQUIRE);
		struct perf_event_header h;
		uint32_t raw;

		if (head == ring->tail) {
			r->current = (r->current + 1) % r->ring_count;
			tried++;
			continue;
		}
		copy_out(r, ring, ring->tail, &h, sizeof(h));
		if (h.size < sizeof(h) || h.size > head - ring->tail) {
			advance(ring, head - ring->tail);	/* cannot be */
			continue;
		}
		if (h.type == PERF_RECORD_LOST) {
			uint64_t lost[2];	/* id, lost */

			copy_out(r, ring, ring->tail + sizeof(h), lost,
			    sizeof(lost));
			r->lost += lost[1];
			advance(ring, h.size);
			continue;
		}
		if (h.type != PERF_RECORD_SAMPLE ||
		    h.size < sizeof(h) + sizeof(raw)) {
			advance(ring, h.size);
			continue;
		}
		copy_out(r, ring, ring->tail + sizeof(h), &raw, sizeof(raw));
		if (raw > h.size - sizeof(h) - sizeof(raw)) {
			advance(ring, h.size);
			continue;
		}
		ring->pending = h.size;
		*len = raw;
		{
			uint64_t at = ring->tail + sizeof(h) + sizeof(raw);
			size_t off = (size_t)(at & (r->data_size - 1));

			if (off + raw <= r->data_size)
				return ring->data + off;
			copy_out(r, ring, at, r->bounce, raw);
			return r->bounce;
		}
	}
	return NULL;
}

void
bpftrace_perf_reader_release(struct perf_reader *r)
{
	struct perf_cpu_ring *ring = &r->rings[r->current];

	if (ring->pending != 0)
		advance(ring, ring->pending);
}

void
bpftrace_perf_reader_close(struct perf_reader *r)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int i;

	for (i = 0; i < r->ring_count; i++) {
		munmap(r->rings[i].control, page + r->data_size);
		close(r->rings[i].fd);
	}
	if (r->epoll_fd >= 0)
		close(r->epoll_fd);
	free(r->rings);
	free(r->bounce);
	memset(r, 0, sizeof(*r));
	r->epoll_fd = -1;
}
