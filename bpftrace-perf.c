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
	int fd;				/* -1: memory given by the caller */
	int slot;			/* the array's index we filled, -1: none */
	struct perf_event_mmap_page *control;
	unsigned char *data;
	uint64_t tail;			/* where the next record starts */
	uint64_t pending;		/* size of the record peeked, 0: none */
};

/* A perf record's size is 16 bits: the bounce buffer holds any. */
#define PERF_RECORD_MAX		(64 * 1024)

/* What to do about an array that has a reader. */
#define ONE_READER	"a perf event array gives each CPU's records to one" \
			" reader: stop the other (the program's own reader," \
			" or another capture) and capture again"

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

/*
 * Whether a slot of the array holds an event cannot be read from user
 * space (a lookup in a perf event array is refused whatever it holds),
 * and an update replaces what is there.  A BPF program can tell:
 * bpf_perf_event_read_value() fails with ENOENT for an empty slot, and
 * reads nothing from a full one that it could change.  This one takes the
 * slot from its context and returns the helper's result; it runs through
 * BPF_PROG_TEST_RUN, attached to nothing.
 */
static int
slot_probe_load(int map_fd)
{
	struct bpf_insn insns[] = {
		/* r2 = the slot, the first word of the context */
		{ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_2,
		    .src_reg = BPF_REG_1, .off = 0 },
		/* r1 = the array */
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1,
		    .src_reg = BPF_PSEUDO_MAP_FD, .imm = map_fd },
		{ .code = 0 },
		/* r3, r4: a struct bpf_perf_event_value on the stack */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_3,
		    .src_reg = BPF_REG_10 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_3,
		    .imm = -(int)sizeof(struct bpf_perf_event_value) },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_4,
		    .imm = sizeof(struct bpf_perf_event_value) },
		{ .code = BPF_JMP | BPF_CALL,
		    .imm = BPF_FUNC_perf_event_read_value },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "pcap_slot_probe",
	    "Dual BSD/GPL", insns, sizeof(insns) / sizeof(insns[0]), NULL);
}

/* 1 if the slot holds an event, 0 if empty, -1 (errno) if unknown. */
static int
slot_taken(int probe_fd, int slot)
{
	uint64_t context = (uint64_t)slot;
	LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = &context,
	    .ctx_size_in = sizeof(context));

	if (bpf_prog_test_run_opts(probe_fd, &run) != 0)
		return -1;
	return (int)run.retval != -ENOENT;
}

/*
 * Fails, saying which, if a slot the capture would fill holds an event.
 * Errors come back in err with errno set.
 */
static int
check_slots_free(int map_fd, int slots, const char *map_name, char *err,
    size_t errlen)
{
	int probe_fd, slot, taken = 0, error;

	if ((probe_fd = slot_probe_load(map_fd)) < 0) {
		error = errno;
		snprintf(err, errlen, "cannot tell whether perf event array"
		    " %s has a reader already (loading a BPF program to ask:"
		    " %s)", map_name, strerror(error));
		errno = error;
		return -1;
	}
	for (slot = 0; slot < slots && taken == 0; slot++)
		taken = slot_taken(probe_fd, slot);
	error = errno;
	close(probe_fd);
	if (taken < 0) {
		snprintf(err, errlen, "cannot tell whether perf event array"
		    " %s has a reader already (BPF_PROG_TEST_RUN: %s)",
		    map_name, strerror(error));
		errno = error;
		return -1;
	}
	if (taken > 0) {
		snprintf(err, errlen, "perf event array %s already has a"
		    " reader (CPU %d's slot is taken); " ONE_READER, map_name,
		    slot - 1);
		errno = EBUSY;
		return -1;
	}
	return 0;
}

static void
reset(struct perf_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->epoll_fd = -1;
	r->map_fd = -1;
}

int
bpftrace_perf_reader_open(struct perf_reader *r, int map_fd, size_t data_size,
    char *err, size_t errlen)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int cpus = libbpf_num_possible_cpus(), slots, cpu, error;
	struct bpf_map_info info;
	uint32_t info_len = sizeof(info);

	reset(r);
	r->map_fd = map_fd;
	r->data_size = data_size;
	r->mapped_bytes = page + data_size;
	memset(&info, 0, sizeof(info));
	if (data_size < page || (data_size & (data_size - 1)) != 0) {
		snprintf(err, errlen, "perf rings of %zu bytes: the size must"
		    " be a power of two of at least a page", data_size);
		errno = EINVAL;
		return -1;
	}
	if (bpf_obj_get_info_by_fd(map_fd, &info, &info_len) != 0) {
		error = errno;
		snprintf(err, errlen, "reading the perf event array's info:"
		    " %s", strerror(error));
		errno = error;
		return -1;
	}
	/* BPF_F_CURRENT_CPU output beyond max_entries fails anyway. */
	slots = cpus < (int)info.max_entries ? cpus : (int)info.max_entries;
	if (check_slots_free(map_fd, slots, info.name, err, errlen) != 0)
		return -1;
	r->empty_slots_on_close = (info.map_flags & BPF_F_PRESERVE_ELEMS) != 0;
	r->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	r->rings = calloc((size_t)(slots > 0 ? slots : 1), sizeof(*r->rings));
	r->bounce = malloc(PERF_RECORD_MAX);
	if (r->epoll_fd < 0 || r->rings == NULL || r->bounce == NULL) {
		error = errno;
		snprintf(err, errlen, "perf reader: %s", strerror(error));
		goto fail;
	}
	for (cpu = 0; cpu < slots; cpu++) {
		struct perf_cpu_ring *ring = &r->rings[r->ring_count];
		struct epoll_event ev;
		void *base;

		ring->slot = -1;
		ring->fd = open_cpu_event(cpu);
		if (ring->fd < 0) {
			if (errno == ENODEV)
				continue;	/* a possible CPU that is offline */
			error = errno;
			snprintf(err, errlen, "perf_event_open on CPU %d: %s",
			    cpu, strerror(error));
			goto fail;
		}
		base = mmap(NULL, page + data_size, PROT_READ | PROT_WRITE,
		    MAP_SHARED, ring->fd, 0);
		if (base == MAP_FAILED) {
			error = errno;
			snprintf(err, errlen,
			    "mapping the perf ring of CPU %d: %s",
			    cpu, strerror(error));
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
			error = errno;
			snprintf(err, errlen,
			    "connecting the perf ring of CPU %d: %s",
			    cpu, strerror(error));
			goto fail;
		}
		ring->slot = cpu;
	}
	return 0;
fail:
	bpftrace_perf_reader_close(r);
	errno = error;
	return -1;
}

/*
 * A reader over rings in memory (the fuzz target's): no events, no
 * array; the rings' control pages and data are the caller's.
 */
int
bpftrace_perf_reader_attach(struct perf_reader *r,
    const struct perf_ring_memory *rings, int count, size_t data_size)
{
	int i;

	reset(r);
	if (count < 1 || data_size == 0 || (data_size & (data_size - 1)) != 0)
		return -1;
	r->data_size = data_size;
	r->rings = calloc((size_t)count, sizeof(*r->rings));
	r->bounce = malloc(PERF_RECORD_MAX);
	if (r->rings == NULL || r->bounce == NULL) {
		bpftrace_perf_reader_close(r);
		return -1;
	}
	for (i = 0; i < count; i++) {
		struct perf_cpu_ring *ring = &r->rings[i];

		ring->fd = -1;
		ring->slot = -1;
		ring->control = rings[i].control;
		ring->data = rings[i].data;
		ring->tail = __atomic_load_n(&ring->control->data_tail,
		    __ATOMIC_ACQUIRE);
	}
	r->ring_count = count;
	return 0;
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
 * empty.  Lost-sample records are counted and skipped, as are records of
 * other types.  A ring whose positions or sizes cannot be (more data than
 * the ring holds, a record beyond the data) is skipped to its head: the
 * kernel never writes that, so there is nothing to make sense of.  The
 * bytes stay valid until bpftrace_perf_reader_release().
 */
const void *
bpftrace_perf_reader_peek(struct perf_reader *r, uint32_t *len)
{
	int tried;

	for (tried = 0; tried < r->ring_count; ) {
		struct perf_cpu_ring *ring = &r->rings[r->current];
		uint64_t head = __atomic_load_n(&ring->control->data_head,
		    __ATOMIC_ACQUIRE);
		uint64_t ahead = head - ring->tail;
		struct perf_event_header h;
		uint32_t raw;

		if (ahead == 0) {
			r->current = (r->current + 1) % r->ring_count;
			tried++;
			continue;
		}
		if (ahead > r->data_size || ahead < sizeof(h)) {
			advance(ring, ahead);	/* cannot be */
			continue;
		}
		copy_out(r, ring, ring->tail, &h, sizeof(h));
		if (h.size < sizeof(h) || h.size > ahead) {
			advance(ring, ahead);	/* cannot be */
			continue;
		}
		if (h.type == PERF_RECORD_LOST) {
			uint64_t lost[2];	/* id, lost */

			if (h.size >= sizeof(h) + sizeof(lost)) {
				copy_out(r, ring, ring->tail + sizeof(h), lost,
				    sizeof(lost));
				r->lost += lost[1];
			}
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
	int i;

	for (i = 0; i < r->ring_count; i++) {
		struct perf_cpu_ring *ring = &r->rings[i];

		/* Empty before: empty again (see bpftrace-perf.h). */
		if (r->empty_slots_on_close && ring->slot >= 0)
			bpf_map_delete_elem(r->map_fd, &ring->slot);
		if (r->mapped_bytes != 0)
			munmap(ring->control, r->mapped_bytes);
		if (ring->fd >= 0)
			close(ring->fd);
	}
	if (r->epoll_fd >= 0)
		close(r->epoll_fd);
	free(r->rings);
	free(r->bounce);
	reset(r);
}
