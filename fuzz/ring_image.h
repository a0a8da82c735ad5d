/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The inputs of fuzz_ring_reader and fuzz_perf_reader: a BPF ring buffer
 * or a set of perf rings as the reader finds them in memory, positions
 * and contents as hostile as the fuzzer makes them.  Shared by the
 * targets and by make_ring_seeds, which writes well-formed examples.
 * Multi-byte fields are in the machine's order, as in the kernel's pages.
 */
#ifndef FUZZ_RING_IMAGE_H
#define FUZZ_RING_IMAGE_H

#include <stdint.h>

/* Link types the records read are rendered in, picked by a byte. */
static const int image_link_types[] = { 1, 12, 105, 113, 239, 276 };
#define IMAGE_LINK_TYPES \
	(int)(sizeof(image_link_types) / sizeof(image_link_types[0]))
#define IMAGE_SNAPLEN	512

/*
 * fuzz_ring_reader: this head, then the data pages (data_size bytes; a
 * shorter input leaves the rest zero), mapped twice in a row as the
 * kernel maps them.
 */
struct ring_image_head {
	uint8_t size_shift;	/* data size: 64 << (size_shift % 4) */
	uint8_t link_type;	/* image_link_types[link_type % count] */
	uint8_t foreign_at;	/* before this peek (1..), another reader
				   moves the consumer position; 0: never */
	uint8_t produce_at;	/* before this peek (1..), the producer
				   moves on by produce_by; 0: never */
	uint32_t produce_by;
	uint64_t consumer_pos;
	uint64_t producer_pos;
};

#define RING_IMAGE_DATA_MAX	(64 << 3)

/*
 * fuzz_perf_reader: this head, then each ring's data (data_size bytes
 * each, in ring order; a shorter input leaves the rest zero).
 */
#define PERF_IMAGE_RINGS_MAX	4
struct perf_image_head {
	uint8_t rings;		/* 1 + rings % PERF_IMAGE_RINGS_MAX */
	uint8_t size_shift;	/* per ring: 64 << (size_shift % 4) */
	uint8_t link_type;	/* image_link_types[link_type % count] */
	uint8_t pad[5];
	struct {
		uint64_t head;	/* data_head, as the kernel writes it */
		uint64_t tail;	/* data_tail, where reading starts */
	} pos[PERF_IMAGE_RINGS_MAX];
};

#endif /* FUZZ_RING_IMAGE_H */
