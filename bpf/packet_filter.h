/* SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0) */
/*
 * The in-kernel packet filter: a classic BPF interpreter that runs the
 * handle's pcap_setfilter() program on the packet as rendered in the
 * scratch record, before any ring space is used.
 *
 * An interpreter, not a translation into a new program: translating
 * would need a bpf() call at setfilter time, and applications set their
 * filter after dropping privileges.  The program is data (see
 * filter_program.h); bpf_loop() steps through it, one instruction per
 * call, so the verifier checks the step once whatever the program.
 * Classic BPF only jumps forward, so a program of n instructions ends
 * within n steps.
 *
 * The semantics are libpcap's interpreter's: unsigned 32-bit arithmetic,
 * a load beyond the captured bytes or a division by zero rejects, shifts
 * by X of 32 or more give 0, and the value returned is the snap length.
 *
 * Included by capture.bpf.c after the scratch map, the filter and the
 * snaplen constant it uses.
 */
#ifndef BPFTRACE_PACKET_FILTER_H
#define BPFTRACE_PACKET_FILTER_H

#include "filter_program.h"

/* Room for rendered bytes in a scratch record: what a load may touch. */
#define FILTER_PACKET_ROOM	(RING_LINK_HEADER_MAX + snaplen)

/* Passed to each step: which CPU's scratch record holds the run. */
struct filter_context {
	__u32 cpu;
};

/*
 * Loads size bytes (1, 2 or 4), big-endian, at offset at of the rendered
 * packet.  Returns 0 when they lie beyond the captured bytes.
 */
static __always_inline int
filter_load(const __u8 *bytes, __u32 caplen, __u64 at, __u32 size,
    __u32 *value)
{
	if (at + size > caplen)
		return 0;
	/* The same bound, against the scratch record's size, for the verifier. */
	asm volatile("" : "+r"(at));
	if (at > FILTER_PACKET_ROOM - 4)
		return 0;
	bytes += at;
	if (size == 4)
		*value = (__u32)bytes[0] << 24 | (__u32)bytes[1] << 16 |
		    (__u32)bytes[2] << 8 | bytes[3];
	else if (size == 2)
		*value = (__u32)bytes[0] << 8 | bytes[1];
	else
		*value = bytes[0];
	return 1;
}

static __always_inline void
filter_stop(struct filter_state *s, __u32 result)
{
	s->result = result;
	s->done = 1;
}

/* Arithmetic; returns 0 when the operation rejects the packet. */
static __always_inline int
filter_alu(struct filter_state *s, __u16 code, __u32 k)
{
	__u32 a = s->a;
	__u32 operand = code & FILTER_SRC_X ? s->x : k;

	switch (FILTER_OP(code)) {
	case FILTER_ADD: a += operand; break;
	case FILTER_SUB: a -= operand; break;
	case FILTER_MUL: a *= operand; break;
	case FILTER_DIV:
		if (operand == 0)
			return 0;
		a /= operand;
		break;
	case FILTER_MOD:
		if (operand == 0)
			return 0;
		a %= operand;
		break;
	case FILTER_OR: a |= operand; break;
	case FILTER_AND: a &= operand; break;
	case FILTER_XOR: a ^= operand; break;
	/*
	 * libpcap gives 0 for shifts by X of 32 or more; by a constant it
	 * shifts as the machine does, which on the machines we run on uses
	 * the low five bits.  libpcap's compiler emits neither.
	 */
	case FILTER_LSH:
		if (code & FILTER_SRC_X)
			a = operand < 32 ? a << operand : 0;
		else
			a <<= operand & 31;
		break;
	case FILTER_RSH:
		if (code & FILTER_SRC_X)
			a = operand < 32 ? a >> operand : 0;
		else
			a >>= operand & 31;
		break;
	case FILTER_NEG: a = 0U - a; break;
	default:
		return 0;
	}
	s->a = a;
	return 1;
}

/* Conditional and unconditional jumps; pc already points past the jump. */
static __always_inline void
filter_jump(struct filter_state *s, __u16 code, __u8 jt, __u8 jf, __u32 k)
{
	__u32 operand = code & FILTER_SRC_X ? s->x : k;
	int taken;

	switch (FILTER_OP(code)) {
	case FILTER_JA: s->pc += k; return;
	case FILTER_JEQ: taken = s->a == operand; break;
	case FILTER_JGT: taken = s->a > operand; break;
	case FILTER_JGE: taken = s->a >= operand; break;
	case FILTER_JSET: taken = (s->a & operand) != 0; break;
	default:
		filter_stop(s, 0);
		return;
	}
	s->pc += taken ? jt : jf;
}

/* Size of a packet load: BPF_W, BPF_H or BPF_B in bits 3-4 of the code. */
#define FILTER_LOAD_BYTES(code) \
	(((code) & 0x18) == 0 ? 4 : ((code) & 0x18) == 0x08 ? 2 : 1)

/* Loads into A or X; returns 0 when the load rejects the packet. */
static __always_inline int
filter_load_insn(struct filter_state *s, const __u8 *bytes, __u16 code,
    __u32 k)
{
	__u32 value = 0;

	switch (code) {
	case FILTER_LD_W_ABS: case FILTER_LD_H_ABS: case FILTER_LD_B_ABS:
	case FILTER_LD_W_IND: case FILTER_LD_H_IND: case FILTER_LD_B_IND:
		/* Indirect loads add X; in 64 bits, so the sum cannot wrap. */
		if (!filter_load(bytes, s->caplen, (__u64)k +
		    (code >= FILTER_LD_W_IND ? s->x : 0),
		    FILTER_LOAD_BYTES(code), &value))
			return 0;
		s->a = value;
		return 1;
	case FILTER_LDX_MSH_B:
		if (!filter_load(bytes, s->caplen, k, 1, &value))
			return 0;
		s->x = (value & 0xf) << 2;
		return 1;
	case FILTER_LD_W_LEN: s->a = s->wirelen; return 1;
	case FILTER_LDX_W_LEN: s->x = s->wirelen; return 1;
	case FILTER_LD_IMM: s->a = k; return 1;
	case FILTER_LDX_IMM: s->x = k; return 1;
	case FILTER_LD_MEM: s->a = s->mem[k & (FILTER_MEMWORDS - 1)]; return 1;
	case FILTER_LDX_MEM: s->x = s->mem[k & (FILTER_MEMWORDS - 1)]; return 1;
	}
	return 0;
}

/* One instruction: bpf_loop()'s callback.  Returns 1 to stop the loop. */
static long
filter_step(__u64 index, void *ctx)
{
	struct filter_context *fc = ctx;
	struct scratch_record *rec = bpf_map_lookup_elem(&scratch, &fc->cpu);
	const struct filter_insn *insn;
	struct filter_state *s;
	__u32 pc, k;
	__u16 code;

	if (!rec)
		return 1;
	s = &rec->filter;
	pc = s->pc;
	if (pc >= FILTER_MAX_INSNS) {
		filter_stop(s, 0);
		return 1;
	}
	insn = &filter.slots[s->slot & 1].insns[pc];
	code = insn->code;
	k = insn->k;
	s->pc = pc + 1;

	switch (FILTER_CLASS(code)) {
	case FILTER_CLASS(FILTER_LD_IMM):
	case FILTER_CLASS(FILTER_LDX_IMM):
		if (!filter_load_insn(s, rec->bytes, code, k))
			filter_stop(s, 0);
		break;
	case FILTER_CLASS(FILTER_ST):
		s->mem[k & (FILTER_MEMWORDS - 1)] = s->a;
		break;
	case FILTER_CLASS(FILTER_STX):
		s->mem[k & (FILTER_MEMWORDS - 1)] = s->x;
		break;
	case FILTER_ALU:
		if (!filter_alu(s, code, k))
			filter_stop(s, 0);
		break;
	case FILTER_JMP:
		filter_jump(s, code, insn->jt, insn->jf, k);
		break;
	case FILTER_CLASS(FILTER_RET_K):
		filter_stop(s, code == FILTER_RET_A ? s->a : k);
		break;
	default:	/* FILTER_TAX, FILTER_TXA */
		if (code == FILTER_TAX)
			s->x = s->a;
		else
			s->a = s->x;
		break;
	}
	return s->done ? 1 : 0;
}

/* The outcome of filtering one packet. */
struct filter_verdict {
	__u32 snap;		/* bytes to keep; 0: drop the packet */
	__u32 generation;	/* program it passed; 0: not filtered */
};

/*
 * Runs the active filter program over the captured bytes of rec.
 * Without a program, or when the program was being replaced during the
 * run, the packet is kept whole and left for user space to filter.
 */
static __always_inline struct filter_verdict
filter_packet(__u32 cpu, struct scratch_record *rec, __u32 caplen,
    __u32 wirelen)
{
	struct filter_verdict v = { caplen, 0 };
	struct filter_context fc = { cpu };
	struct filter_state *s = &rec->filter;
	__u32 slot = *(volatile __u32 *)&filter.active & 1;
	__u32 generation, len;

	generation = *(volatile __u32 *)&filter.slots[slot].generation;
	len = *(volatile __u32 *)&filter.slots[slot].len;
	if (generation == 0 || (generation & 1) || len == 0 ||
	    len > FILTER_MAX_INSNS)
		return v;

	__builtin_memset(s, 0, sizeof(*s));
	s->slot = slot;
	s->caplen = caplen;
	s->wirelen = wirelen;
	bpf_loop(len, filter_step, &fc, 0);
	/*
	 * Loads are not reordered with loads on x86-64 (the only
	 * architecture the probe is built for: see kernel_types.h's pt_regs
	 * offsets), so keeping the compiler from moving them suffices.  A
	 * weakly ordered port would need ordered loads here.
	 */
	asm volatile("" ::: "memory");
	if (*(volatile __u32 *)&filter.slots[slot].generation != generation ||
	    !s->done)
		return v;
	v.generation = generation;
	if (s->result < caplen)
		v.snap = s->result;
	return v;
}

#endif /* BPFTRACE_PACKET_FILTER_H */
