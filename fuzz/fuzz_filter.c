/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: classic BPF programs as pcap_setfilter() hands them
 * to the module (bpftrace-filter.c), and the probe's interpreter that then
 * runs them (bpf/packet_filter.h, compiled here as ordinary C:
 * probe_filter_shim.h) against libpcap's own interpreter.  The input is
 *
 *   link header length (1 byte, modulo 49: the probe's are 0 .. 48)
 *   snap length of the probe (4 bytes, little-endian, modulo 300000)
 *   packet length (4 bytes, little-endian: BPF_LEN, may lie)
 *   captured bytes available (2 bytes, little-endian), then those bytes
 *   the program: what is left, 8 bytes per struct bpf_insn
 *
 * The probe's filter sees the link header and every byte available (the
 * first ones from its window, the rest from the packet), as libpcap's
 * interpreter is given them here; the record keeps the link header and
 * as much of the bytes as the snap length leaves room for.  Checked:
 *
 *   - bpftrace_kernel_filter_supports() refuses with a one-line reason,
 *     and accepts only 1 .. FILTER_MAX_INSNS instructions
 *   - what it accepts, bpftrace_kernel_filter_install() puts whole into
 *     the slot the probe does not run and makes it the active one, with
 *     a fresh, even, non-zero generation, the other slot untouched
 *   - every program libpcap accepts (bpf_validate()) whose jumps go
 *     forward, run by the probe's interpreter over the slot just
 *     installed (stale instructions of earlier programs behind it), ends
 *     within its length, so the probe's verdict counts; and that verdict
 *     is libpcap's bpf_filter() on the same bytes: the same packets kept,
 *     with the same snap length.  Programs that read scratch memory
 *     before writing it are left out of the comparison: libpcap's
 *     interpreter leaves that memory uninitialised, the probe zeroes it.
 *   - the interpreter reads no packet byte beyond the available ones
 *     (the packet is a heap block of its own, for AddressSanitizer)
 *
 * libpcap's interpreter comes from the libpcap the module is built into
 * (its bpf_filter.o, built without sanitizers, as tcpdump runs it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpftrace-filter.h"
#include "fuzz_promise.h"
#include "probe_filter_shim.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SNAPLEN_LIMIT	300000
#define HEAD_LEN	(1 + 4 + 4 + 2)
#define WHY_LEN		128	/* bpftrace_setfilter()'s */

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* Installs as bpftrace_setfilter() does, and checks the slots after. */
static uint32_t
install(const struct bpf_insn *insns, u_int len)
{
	static struct filter_slot before;
	uint32_t was = filter.active & 1, generation, old;
	const struct filter_slot *slot;
	u_int i;

	before = filter.slots[was];
	old = filter.slots[was ^ 1].generation;
	generation = bpftrace_kernel_filter_install(&filter, insns, len);
	if ((filter.active & 1) != (was ^ 1) || filter.active > 1)
		promise_broken("install: the new slot is not the active one");
	slot = &filter.slots[was ^ 1];
	if (memcmp(&filter.slots[was], &before, sizeof(before)) != 0)
		promise_broken("install: the running slot changed");
	if (slot->len != len || slot->generation == 0 ||
	    (slot->generation & 1) ||
	    slot->generation == filter.slots[was].generation ||
	    slot->generation == old)
		promise_broken("install: length or generation");
	if (generation != (len > 0 ? slot->generation : 0))
		promise_broken("install: generation returned");
	for (i = 0; i < len; i++)
		if (slot->insns[i].code != insns[i].code ||
		    slot->insns[i].jt != insns[i].jt ||
		    slot->insns[i].jf != insns[i].jf ||
		    slot->insns[i].k != insns[i].k)
			promise_broken("install: instruction changed");
	return generation;
}

/* Whether a validated program jumps only forward (no JA that wraps). */
static int
forward_only(const struct bpf_insn *insns, u_int len)
{
	u_int i;

	for (i = 0; i < len; i++)
		if (insns[i].code == (BPF_JMP | BPF_JA) &&
		    insns[i].k > UINT32_MAX - (i + 1))
			return 0;
	return 1;
}

/*
 * Whether every load from scratch memory reads a word that every path
 * to it has stored.  Jumps go forward, so one pass in order sees every
 * predecessor of an instruction before the instruction.
 */
static int
memory_defined(const struct bpf_insn *insns, u_int len)
{
	static uint32_t stored[FILTER_MAX_INSNS + 1];
	static uint8_t reached[FILTER_MAX_INSNS + 1];
	u_int i;

	memset(reached, 0, len + 1);
	stored[0] = 0;
	reached[0] = 1;
	for (i = 0; i < len; i++) {
		const struct bpf_insn *in = &insns[i];
		uint32_t now = stored[i];
		u_int targets[2], n = 0, t;

		if (!reached[i])
			continue;
		if (in->code == (BPF_LD | BPF_MEM) ||
		    in->code == (BPF_LDX | BPF_MEM))
			if (!(now & (1u << (in->k & 15))))
				return 0;
		if (in->code == BPF_ST || in->code == BPF_STX)
			now |= 1u << (in->k & 15);
		switch (BPF_CLASS(in->code)) {
		case BPF_RET:
			continue;
		case BPF_JMP:
			if (BPF_OP(in->code) == BPF_JA) {
				targets[n++] = i + 1 + in->k;
			} else {
				targets[n++] = i + 1 + in->jt;
				targets[n++] = i + 1 + in->jf;
			}
			break;
		default:
			targets[n++] = i + 1;
		}
		for (t = 0; t < n; t++) {
			u_int to = targets[t];

			if (to > len)
				return 0;
			stored[to] = reached[to] ? stored[to] & now : now;
			reached[to] = 1;
		}
	}
	return 1;
}

static void
compare(const struct bpf_insn *insns, uint32_t generation,
    const uint8_t *bytes, uint32_t header_len, uint32_t available,
    uint32_t probe_snaplen, uint32_t wire_len)
{
	/* The packet on its own, so that reads past it are caught. */
	uint8_t *packet = malloc(available + 1);
	uint8_t *whole = malloc(header_len + available + 1);
	struct decision_record *r;
	uint32_t copy = available, caplen, expected, slot = 0, len = 0;
	struct filter_verdict v;
	u_int pcap_result;

	memcpy(packet, bytes, available);
	r = probe_filter_record(probe_snaplen, packet, available, header_len,
	    wire_len);
	/* What the record keeps: header, then what the snap length leaves. */
	if (copy + header_len > probe_snaplen)
		copy = probe_snaplen > header_len ? probe_snaplen - header_len :
		    0;
	caplen = header_len + copy;
	/* The filter sees every byte the packet has, as AF_PACKET's does. */
	memcpy(whole, r->d.window, header_len);
	memcpy(whole + header_len, bytes, available);

	if (filter_active(&r->filter, &slot, &len) != generation)
		promise_broken("probe: the installed program is not active");
	v = filter_packet(SOURCE_KERNEL_SKB, NULL, r, caplen, slot, len,
	    generation);
	pcap_result = bpf_filter(insns, whole, wire_len,
	    header_len + available);
	expected = pcap_result < caplen ? pcap_result : caplen;
	if (v.generation != generation)
		promise_broken("probe: a valid program did not finish");
	if (v.snap != expected) {
		fprintf(stderr, "probe kept %u bytes, libpcap %u (returned %u)"
		    " of %u\n", v.snap, expected, pcap_result, caplen);
		promise_broken("probe and libpcap disagree");
	}
	free(r);
	free(whole);
	free(packet);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t header_len, probe_snaplen, wire_len, available, generation;
	struct bpf_insn *insns;
	const uint8_t *bytes;
	char why[WHY_LEN];
	u_int len;
	int supported;

	if (size < HEAD_LEN)
		return 0;
	header_len = data[0] % 49;
	probe_snaplen = le32(data + 1) % SNAPLEN_LIMIT;
	wire_len = le32(data + 5);
	available = (uint32_t)(data[9] | data[10] << 8);
	data += HEAD_LEN;
	size -= HEAD_LEN;
	if (available > size)
		available = (uint32_t)size;
	bytes = data;
	data += available;
	size -= available;
	len = (u_int)(size / sizeof(struct bpf_insn));
	insns = malloc(len * sizeof(*insns) + 1);
	memcpy(insns, data, len * sizeof(*insns));

	memset(why, 'x', sizeof(why));
	supported = bpftrace_kernel_filter_supports(insns, len, why,
	    sizeof(why));
	if (!supported) {
		promise_reason(why, WHY_LEN);
		goto done;
	}
	if (len < 1 || len > FILTER_MAX_INSNS)
		promise_broken("accepted a program of a length the probe"
		    " cannot hold");
	generation = install(insns, len);
	if (bpf_validate(insns, (int)len) && forward_only(insns, len) &&
	    memory_defined(insns, len))
		compare(insns, generation, bytes, header_len, available,
		    probe_snaplen, wire_len);
done:
	free(insns);
	return 0;
}
