/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the perf event array reader (bpftrace-perf.c) over
 * per-CPU perf rings whose positions and records are hostile: head and
 * tail anywhere, record sizes beyond the ring or the data, lost-sample
 * records of any size, unknown record types, raw sizes that lie, samples
 * that wrap (fuzz/ring_image.h).  Each sample read goes on to the
 * bpf_pcap() record renderer, as a capture's does.  Each ring's data is a
 * heap block of exactly its size, so a read beyond it is caught.  Besides
 * the sanitizers' checks (fuzz_promise.h):
 *
 *   a sample lies within its ring's data or the bounce buffer
 *   reading ends: no more samples than the rings have 8-byte steps
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/perf_event.h>
#include <linux/types.h>

#include "bpftrace-perf.h"
#include "bpftrace-user-record.h"
#include "fuzz/fuzz_promise.h"
#include "fuzz/ring_image.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char scratch[IMAGE_SNAPLEN + USER_RECORD_HEADER_ROOM];

static int
within(const unsigned char *p, uint32_t len, const unsigned char *start,
    size_t size)
{
	return p >= start && p <= start + size && len <= start + size - p;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct perf_image_head head;
	struct perf_ring_memory mem[PERF_IMAGE_RINGS_MAX];
	struct perf_event_mmap_page *controls[PERF_IMAGE_RINGS_MAX];
	struct perf_reader r;
	size_t data_size, samples = 0, max_samples;
	int rings, link_type, i;

	if (size < sizeof(head))
		return 0;
	memcpy(&head, data, sizeof(head));
	data += sizeof(head);
	size -= sizeof(head);
	rings = 1 + head.rings % PERF_IMAGE_RINGS_MAX;
	data_size = (size_t)64 << (head.size_shift % 4);
	link_type = image_link_types[head.link_type % IMAGE_LINK_TYPES];
	for (i = 0; i < rings; i++) {
		size_t n = size < data_size ? size : data_size;

		controls[i] = calloc(1, sizeof(*controls[i]));
		mem[i].data = calloc(1, data_size);
		if (controls[i] == NULL || mem[i].data == NULL)
			abort();
		controls[i]->data_head = head.pos[i].head;
		controls[i]->data_tail = head.pos[i].tail;
		mem[i].control = controls[i];
		memcpy(mem[i].data, data, n);
		data += n;
		size -= n;
	}
	if (bpftrace_perf_reader_attach(&r, mem, rings, data_size) != 0)
		abort();

	max_samples = (size_t)rings * (data_size / 8 + 1);
	for (;;) {
		const unsigned char *sample;
		struct user_packet pkt;
		uint32_t len;
		int inside = 0;

		if ((sample = bpftrace_perf_reader_peek(&r, &len)) == NULL)
			break;
		if (++samples > max_samples)
			promise_broken("reading does not end");
		for (i = 0; i < rings && !inside; i++)
			inside = within(sample, len, mem[i].data, data_size);
		if (!inside && (sample != r.bounce || len > 64 * 1024))
			promise_broken("a sample beyond its ring");
		bpftrace_user_record_render(sample, len, link_type,
		    IMAGE_SNAPLEN, scratch, &pkt);
		bpftrace_perf_reader_release(&r);
	}
	bpftrace_perf_reader_close(&r);
	for (i = 0; i < rings; i++) {
		free(controls[i]);
		free(mem[i].data);
	}
	return 0;
}
