/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the NFLOG renderer (bpftrace-nflog.c) with hostile
 * metadata, prefix and lengths.  The input is
 *
 *   struct ring_packet_meta (52 bytes, as a probe or a user record gives it)
 *   snap length (4 bytes, little-endian; taken modulo 300000)
 *   packet length (4 bytes, little-endian; any value, even a lie)
 *   prefix length (1 byte; 127 and more: 127 bytes without a NUL, the
 *                  most the renderer may read)
 *   the prefix, then the payload: what is left
 *
 * The output buffer has exactly the room the module gives it (snap length
 * + NFLOG_OVERHEAD + NFLOG_PREFIX_MAX) and every input sits in a buffer
 * of its exact size, so that AddressSanitizer sees any byte beyond.
 * Besides the sanitizers' checks: the captured length is at most the snap
 * length and the whole rendering, and at least the header when the snap
 * length allows; the message length is the captured one (the message is
 * whole) unless the snap length cuts the headers; the rendering decodes (fuzz_nflog_decode.h)
 * to the metadata and prefix given and to the payload's first bytes, as
 * many as fit in the snap length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpftrace-nflog.h"
#include "fuzz_nflog_decode.h"
#include "fuzz_promise.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SNAPLEN_LIMIT	300000
#define HEAD_LEN	(sizeof(struct ring_packet_meta) + 4 + 4 + 1)

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ring_packet_meta meta;
	struct nflog_decoded d;
	uint32_t snaplen, payload_len, caplen, wire_len, kept, want;
	size_t prefix_len, payload_caplen;
	unsigned char *out, *payload;
	char *prefix;

	if (size < HEAD_LEN)
		return 0;
	memcpy(&meta, data, sizeof(meta));
	data += sizeof(meta);
	snaplen = le32(data) % SNAPLEN_LIMIT;
	payload_len = le32(data + 4);
	prefix_len = data[8];
	data += 9;
	size -= HEAD_LEN;
	if (prefix_len > size)
		prefix_len = size;
	/* 127 bytes or more: an unterminated 127, the renderer's bound. */
	if (prefix_len >= NFLOG_PREFIX_MAX - 1) {
		prefix_len = NFLOG_PREFIX_MAX - 1;
		if (prefix_len > size)
			return 0;
		prefix = malloc(prefix_len);
		memcpy(prefix, data, prefix_len);
	} else {
		prefix = malloc(prefix_len + 1);
		memcpy(prefix, data, prefix_len);
		prefix[prefix_len] = '\0';
	}
	data += prefix_len;
	payload_caplen = size - prefix_len;
	payload = malloc(payload_caplen + 1);
	memcpy(payload, data, payload_caplen);
	out = malloc((size_t)snaplen + NFLOG_OVERHEAD + NFLOG_PREFIX_MAX);

	caplen = bpftrace_nflog_render(&meta, prefix, payload,
	    (uint32_t)payload_caplen, payload_len, snaplen, out, &wire_len);

	if (caplen > snaplen)
		promise_broken("NFLOG: captured length beyond the snap length");
	if (wire_len < caplen || (caplen < snaplen && wire_len != caplen))
		promise_broken("NFLOG: message length is not the captured one,"
		    " or below it");
	/* Decode the whole rendering; the payload TLV is last. */
	nflog_decode(out, (uint32_t)snaplen + NFLOG_OVERHEAD +
	    NFLOG_PREFIX_MAX, &d);
	kept = nflog_check(&d, &meta, prefix);
	if (caplen > d.end)
		promise_broken("NFLOG: captured length beyond the rendering");
	if (caplen < snaplen && caplen != d.end - ((4 - kept % 4) % 4))
		promise_broken("NFLOG: captured length is not the rendering's");
	/* What fits of the payload: the TLV length is 16 bits. */
	want = payload_caplen < 0xffff - 4 ? (uint32_t)payload_caplen :
	    0xffff - 4;
	if (want > payload_len)
		want = payload_len;
	{
		uint32_t header = (uint32_t)(d.payload - out);

		want = header >= snaplen ? 0 : want < snaplen - header ?
		    want : snaplen - header;
		if (kept != want)
			promise_broken("NFLOG: payload kept is not what fits");
		if (wire_len != header + kept)
			promise_broken("NFLOG: message length");
	}
	if (memcmp(d.payload, payload, kept) != 0)
		promise_broken("NFLOG: payload bytes changed");

	free(out);
	free(payload);
	free(prefix);
	return 0;
}
