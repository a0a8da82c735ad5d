/* SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0) */
/*
 * The in-kernel packet filter: a classic BPF interpreter that runs the
 * handle's pcap_setfilter() program on the packet as this CPU's decision
 * describes it (filter_decision.h), before anything is copied whole and
 * before any ring space is used.
 *
 * An interpreter, not a translation into a new program: translating
 * needs a bpf() call at setfilter time, and applications set their
 * filter after dropping privileges.  (Where someone holds the privilege,
 * a compiled filter is tail-called instead; this stays the fallback.)
 * The program is data (see filter_program.h); bpf_loop() steps through
 * it, one instruction per call, so the verifier checks the step once
 * whatever the program.  Classic BPF only jumps forward, so a program of
 * n instructions ends within n steps.
 *
 * The semantics are libpcap's interpreter's: unsigned 32-bit arithmetic,
 * a load beyond the packet or a division by zero rejects, shifts by X of
 * 32 or more give 0, and the value returned is the snap length.  Loads
 * read the decision's window, and bytes past it from the packet itself,
 * up to every byte the source holds (filter_len): a filter looking past
 * a short snap length decides as AF_PACKET's socket filter does.
 *
 * Included by capture.bpf.c after the decision map, the filter and the
 * copy_packet_bytes() it uses.
 *
 * FILTER_INTERPRETER=0 builds the probe without the interpreter, for
 * kernels without bpf_loop() (before 5.17).  A frozen constant that
 * skips the call would not do: the callback stays in the object, and
 * older verifiers count the subprograms by their calls only, then refuse
 * the program because the BTF describes one function more ("number of
 * funcs in func_info doesn't match number of subprogs", measured on
 * 5.10).  Without it, filter_packet() passes every packet unfiltered
 * (generation 0): user space filters them, unless a compiled filter is
 * installed, which the probe still tail-calls.
 */
#ifndef BPFTRACE_PACKET_FILTER_H
#define BPFTRACE_PACKET_FILTER_H

#include "filter_program.h"
#include "filter_decision.h"

#ifndef FILTER_INTERPRETER
#define FILTER_INTERPRETER	1
#endif

#if FILTER_INTERPRETER

/* Passed to each step: the program's context, for the packet helpers. */
struct filter_context {
	void *ctx;
};

/*
 * Loads size bytes (1, 2 or 4), big-endian, at offset at of the rendered
 * packet: from the window, else from the packet at the source (see
 * filter_decision.h).  Returns 0 when the load rejects the packet.
 */
static __always_inline int
filter_load(int source, void *ctx, struct decision_record *r, __u64 at,
    __u32 size, __u32 *value)
{
	const struct capture_decision *d = &r->d;
	__u8 buf[4] = {};
	const __u8 *bytes;

	if (size < 1 || size > 4)
		return 0;
	if (at + size <= d->window_len) {
		/* The same bound, against the window, for the verifier. */
		asm volatile("" : "+r"(at));
		if (at >= sizeof(d->window))
			return 0;
		bytes = d->window + at;
	} else if (at + size <= d->filter_len && at >= d->header_len) {
		__u64 from = d->copy_from + (at - d->header_len);

		if (copy_packet_bytes(source, ctx, (void *)d->head, from, buf,
		    size) != 0)
			return 0;
		bytes = buf;
	} else
		return 0;
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
filter_load_insn(int source, void *ctx, struct decision_record *r,
    __u16 code, __u32 k)
{
	struct filter_state *s = &r->filter;
	__u32 value = 0;

	switch (code) {
	case FILTER_LD_W_ABS: case FILTER_LD_H_ABS: case FILTER_LD_B_ABS:
	case FILTER_LD_W_IND: case FILTER_LD_H_IND: case FILTER_LD_B_IND:
		/* Indirect loads add X; in 64 bits, so the sum cannot wrap. */
		if (!filter_load(source, ctx, r, (__u64)k +
		    (code >= FILTER_LD_W_IND ? s->x : 0),
		    FILTER_LOAD_BYTES(code), &value))
			return 0;
		s->a = value;
		return 1;
	case FILTER_LDX_MSH_B:
		if (!filter_load(source, ctx, r, k, 1, &value))
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

/* One instruction.  Returns 1 to stop the loop. */
static __always_inline long
filter_step(int source, struct filter_context *fc)
{
	__u32 zero = 0;
	struct decision_record *r = bpf_map_lookup_elem(&decision, &zero);
	const struct filter_insn *insn;
	struct filter_state *s;
	__u32 pc, k;
	__u16 code;

	if (!r)
		return 1;
	s = &r->filter;
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
		if (!filter_load_insn(source, fc->ctx, r, code, k))
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

/*
 * bpf_loop()'s callbacks, one per source: each program type may call
 * only its own packet helpers, and a program takes in only the callback
 * it uses.
 */
static long
filter_step_kernel_skb(__u64 index, void *fc)
{
	return filter_step(SOURCE_KERNEL_SKB, fc);
}

static long
filter_step_tc(__u64 index, void *fc)
{
	return filter_step(SOURCE_TC, fc);
}

static long
filter_step_xdp(__u64 index, void *fc)
{
	return filter_step(SOURCE_XDP, fc);
}

#endif /* FILTER_INTERPRETER */

/* The outcome of filtering one packet. */
struct filter_verdict {
	__u32 snap;		/* bytes to keep; 0: drop the packet */
	__u32 generation;	/* program it passed; 0: not filtered */
};

/*
 * The order of loads.  User space writes a slot's instructions, then its
 * generation and then active, with release stores (bpftrace-filter.c);
 * the probe reads active and the generation, then the instructions, then
 * the generation again (a seqlock's read side).  BPF before the v4
 * load-acquire instruction (clang 20, Linux 6.15) has no ordered load and
 * no load fence, and clang 14 cannot lower __atomic acquire loads for
 * BPF, so the reads are volatile (clang keeps their order) with a fence
 * between the groups.  On x86-64 the machine keeps loads in order, so the
 * fence is a compiler barrier.  On a weakly ordered machine (arm64) it is
 * an atomic read-modify-write that returns its value (BPF_FETCH, Linux
 * 5.12) on this CPU's own scratch word: the kernel runs those fully
 * ordered, as its own atomic_fetch_*() (arm64's JIT emits LDADDAL or
 * LDSETAL, both acquire and release, or with LL/SC a loop ended by DMB
 * ISH), so no load moves across it.  The word is this CPU's: no cache
 * line bounces between CPUs for it.  (The value must be used: clang drops
 * BPF_FETCH from an atomic whose result is ignored, and arm64 then emits
 * STADD, which orders nothing; clang 14 turns a fetch-add of 0 into a
 * fetch-or of 0, hence written so.)  Only the interpreter needs it: a
 * probe without one reads no instructions, and the kernels it serves
 * (before 5.17) may have no BPF_FETCH.  arm64's JIT has BPF_FETCH only
 * since 5.18: an arm64 5.17, with bpf_loop() but not that, refuses the
 * probe (no Debian kernel is one).
 */
#if FILTER_INTERPRETER && !defined(__TARGET_ARCH_x86)
static __always_inline void
filter_fence(struct filter_state *s)
{
	__u64 seen = __sync_fetch_and_or(&s->fence, 0);

	asm volatile("" : : "r"(seen) : "memory");
}
#else
#define filter_fence(s)	asm volatile("" ::: "memory")
#endif

#define FILTER_READ(lvalue)	(*(volatile __u32 *)&(lvalue))

/*
 * The active slot's program, if it is complete: its generation (even,
 * not 0), slot and length.  0: no program to run.
 */
static __always_inline __u32
filter_active(struct filter_state *s, __u32 *slotp, __u32 *lenp)
{
	__u32 slot = FILTER_READ(filter.active) & 1;
	__u32 generation, len;

	generation = FILTER_READ(filter.slots[slot].generation);
	if (generation == 0 || (generation & 1))
		return 0;
	/* The length is the slot's data too: read after the fence. */
	filter_fence(s);
	len = FILTER_READ(filter.slots[slot].len);
	if (len == 0 || len > FILTER_MAX_INSNS)
		return 0;
	*slotp = slot;
	*lenp = len;
	return generation;
}

/*
 * Runs the program filter_active() found (len instructions of slot, of
 * generation) over the packet this CPU's decision describes; keeps at
 * most caplen bytes (the snap length's share).  When the program was
 * being replaced during the run, the packet is kept to caplen and left
 * for user space to filter.
 */
static __always_inline struct filter_verdict
filter_packet(int source, void *ctx, struct decision_record *r, __u32 caplen,
    __u32 slot, __u32 len, __u32 generation)
{
	struct filter_verdict v = { caplen, 0 };
#if FILTER_INTERPRETER
	struct filter_context fc = { ctx };
	struct filter_state *s = &r->filter;

	__builtin_memset(s, 0, sizeof(*s));
	s->slot = slot;
	s->caplen = r->d.filter_len;
	s->wirelen = r->d.wire_len;
	if (source == SOURCE_TC)
		bpf_loop(len, filter_step_tc, &fc, 0);
	else if (source == SOURCE_XDP)
		bpf_loop(len, filter_step_xdp, &fc, 0);
	else
		bpf_loop(len, filter_step_kernel_skb, &fc, 0);
	/* The run counts only if the slot was not rewritten meanwhile. */
	filter_fence(s);
	if (FILTER_READ(filter.slots[slot].generation) != generation ||
	    !s->done)
		return v;
	v.generation = generation;
	if (s->result < caplen)
		v.snap = s->result;
#endif
	return v;
}

#endif /* BPFTRACE_PACKET_FILTER_H */
