/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classic BPF to eBPF, for the capture probe's compiled filter: the
 * semantics of libpcap's bpf_filter() (unsigned 32-bit arithmetic, a load
 * past the packet or a division by zero rejects, shifts by X of 32 or
 * more give 0, shifts by a constant use its low five bits, the value
 * returned is the snap length, scratch memory starts zeroed), the packet
 * read as bpf/filter_decision.h lays it out.
 *
 * The classic program is hostile input: it is validated whole before a
 * single instruction is written, and the output is bounded.
 *
 * Registers: A and X live in callee-saved registers (helper calls keep
 * them), M[] on the stack.  A and X are only ever written by 32-bit
 * operations, which clear the upper half, and compared by 32-bit jumps,
 * so an immediate never sign-extends into a comparison.
 *
 * Layout of the output:
 *   prologue     context saved, the decision looked up, A, X, M[] zeroed
 *   body         the reachable classic instructions, in order
 *   accept       generation stored, tail call to the delivery program
 *   reject       counters[cpu % slots].rejected += 1, then "go on"
 *   slow loads   packet loads past the window, one block per load,
 *                each jumping back after its load
 * Packet loads inside the window thus cost a bound check and a load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "bpftrace-filter-compile.h"

_Static_assert(sizeof(struct bpftrace_ebpf_insn) == sizeof(struct bpf_insn),
    "struct bpftrace_ebpf_insn must be laid out as struct bpf_insn");
_Static_assert(sizeof(struct filter_insn) == 8,
    "struct filter_insn must be laid out as classic struct bpf_insn");
_Static_assert((CAPTURE_COUNTER_SLOTS & (CAPTURE_COUNTER_SLOTS - 1)) == 0,
    "counter slots are picked with a mask");
_Static_assert(sizeof(struct capture_counters) == 64,
    "counter slots are indexed with a shift by 6");

/* Registers. */
#define R0	0
#define R1	1
#define R2	2
#define R3	3
#define R4	4
#define REG_CTX	6
#define REG_A	7
#define REG_X	8
#define REG_DEC	9	/* this CPU's struct capture_decision */
#define REG_FP	10

/* Stack: the load buffer, the map key, M[]. */
#define STACK_BUF	(-8)
#define STACK_KEY	(-16)
#define STACK_MEM	(-16 - 4 * FILTER_MEMWORDS)
#define MEM_AT(k)	(STACK_MEM + 4 * (int)(k))
#define STACK_DYNPTR	(STACK_MEM - 16)	/* struct bpf_dynptr */
#define STACK_OFFSET	(STACK_MEM - 24)	/* across the kfunc call */

/* Classic addressing modes (bits 5-7 of a load's code). */
#define FILTER_MODE(code)	((code) & 0xe0)
#define FILTER_MODE_IND		0x40

#define WINDOW_SIZE	((uint32_t)sizeof(((struct capture_decision *)0)->window))
#define DEC(field)	((int16_t)offsetof(struct capture_decision, field))

/*
 * Jump targets, resolved once everything is written: a classic
 * instruction, a shared block, a slow load's block, or a position.
 */
#define TARGET_NONE	0u
#define TARGET_CLASSIC	(1u << 24)
#define TARGET_ACCEPT	(2u << 24)
#define TARGET_REJECT	(3u << 24)
#define TARGET_PASS	(4u << 24)
#define TARGET_SLOW	(5u << 24)
#define TARGET_AT	(6u << 24)
#define TARGET_KIND(t)	((t) & 0xff000000u)
#define TARGET_VALUE(t)	((t) & 0x00ffffffu)

/* A packet load, as its slow block needs it. */
struct packet_load {
	uint16_t code;		/* classic code: size, ABS/IND, MSH */
	uint32_t k;
	u_int resume;		/* where the body goes on after it */
	u_int block;		/* its slow block */
};

struct compiler {
	const struct filter_target *t;
	struct bpftrace_ebpf_insn *out;
	uint32_t *target;	/* per output instruction: TARGET_* */
	u_int n;
	int full;
	u_int *start;		/* per classic instruction: its first output */
	struct packet_load *loads;
	u_int load_count;
	u_int accept, reject, pass;	/* the shared blocks */
};

static void
emit(struct compiler *c, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
    int32_t imm)
{
	struct bpftrace_ebpf_insn *insn;

	if (c->n >= BPFTRACE_FILTER_EBPF_MAX) {
		c->full = 1;
		return;
	}
	insn = &c->out[c->n];
	insn->code = code;
	insn->dst_reg = dst;
	insn->src_reg = src;
	insn->off = off;
	insn->imm = imm;
	c->target[c->n] = TARGET_NONE;
	c->n++;
}

/* A jump (code: class, operation, source) to a target resolved later. */
static void
emit_jump(struct compiler *c, uint8_t code, uint8_t dst, uint8_t src,
    int32_t imm, uint32_t target)
{
	emit(c, code, dst, src, 0, imm);
	if (!c->full)
		c->target[c->n - 1] = target;
}

static void
emit_ld_imm64(struct compiler *c, uint8_t dst, uint8_t pseudo, int fd,
    uint32_t offset)
{
	emit(c, BPF_LD | BPF_IMM | BPF_DW, dst, pseudo, 0, fd);
	emit(c, 0, 0, 0, 0, (int32_t)offset);
}

static void
emit_call(struct compiler *c, int32_t helper)
{
	emit(c, BPF_JMP | BPF_CALL, 0, 0, 0, helper);
}

static int
load_size(uint16_t code)
{
	switch (code & 0x18) {
	case 0x00: return 4;
	case 0x08: return 2;
	default: return 1;
	}
}

static uint8_t
mem_size(int size)
{
	return size == 4 ? BPF_W : size == 2 ? BPF_H : BPF_B;
}

/*
 * dst = size bytes at base + off, in host order from big-endian; for
 * LDX MSH, X = (byte & 0xf) << 2 instead.
 */
static void
emit_fetch(struct compiler *c, uint16_t code, uint8_t base, int16_t off)
{
	int size = load_size(code);
	uint8_t dst = code == FILTER_LDX_MSH_B ? REG_X : REG_A;

	emit(c, BPF_LDX | BPF_MEM | mem_size(size), dst, base, off, 0);
	if (size > 1)
		emit(c, BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, size * 8);
	if (code == FILTER_LDX_MSH_B) {
		emit(c, BPF_ALU | BPF_AND | BPF_K, REG_X, 0, 0, 0xf);
		emit(c, BPF_ALU | BPF_LSH | BPF_K, REG_X, 0, 0, 2);
	}
}

/* R0 = bpf_probe_read_kernel(buffer, size, head + R2). */
static void
emit_linear_read(struct compiler *c, int size)
{
	emit(c, BPF_LDX | BPF_MEM | BPF_DW, R3, REG_DEC, DEC(head), 0);
	emit(c, BPF_ALU64 | BPF_ADD | BPF_X, R3, R2, 0, 0);
	emit(c, BPF_ALU64 | BPF_MOV | BPF_X, R1, REG_FP, 0, 0);
	emit(c, BPF_ALU64 | BPF_ADD | BPF_K, R1, 0, 0, STACK_BUF);
	emit(c, BPF_ALU64 | BPF_MOV | BPF_K, R2, 0, 0, size);
	emit_call(c, BPF_FUNC_probe_read_kernel);
}

/*
 * The probe's read_paged_skb(): within the linear part from head, past
 * it (then at or after skb->data, or reject) through an skb dynptr of
 * the tracing argument, trusted in tp_btf programs.  R2: head offset.
 */
static void
emit_paged_read(struct compiler *c, int size)
{
	u_int over_linear, over_paged;

	emit(c, BPF_LDX | BPF_MEM | BPF_W, R3, REG_DEC, DEC(linear_end), 0);
	emit(c, BPF_ALU64 | BPF_MOV | BPF_X, R0, R2, 0, 0);
	emit(c, BPF_ALU64 | BPF_ADD | BPF_K, R0, 0, 0, size);
	over_linear = c->n;
	emit(c, BPF_JMP | BPF_JGT | BPF_X, R0, R3, 0, 0);
	emit_linear_read(c, size);
	over_paged = c->n;
	emit(c, BPF_JMP | BPF_JA, 0, 0, 0, 0);
	if (!c->full)
		c->out[over_linear].off = (int16_t)(c->n - over_linear - 1);
	emit(c, BPF_LDX | BPF_MEM | BPF_W, R0, REG_DEC, DEC(data_offset), 0);
	emit_jump(c, BPF_JMP | BPF_JGT | BPF_X, R0, R2, 0, TARGET_REJECT);
	emit(c, BPF_ALU64 | BPF_SUB | BPF_X, R2, R0, 0, 0);
	emit(c, BPF_STX | BPF_MEM | BPF_DW, REG_FP, R2, STACK_OFFSET, 0);
	emit(c, BPF_LDX | BPF_MEM | BPF_DW, R1, REG_CTX,
	    (int16_t)(c->t->skb_arg_index * 8), 0);
	emit_jump(c, BPF_JMP | BPF_JEQ | BPF_K, R1, 0, 0, TARGET_REJECT);
	emit(c, BPF_ALU64 | BPF_MOV | BPF_K, R2, 0, 0, 0);
	emit(c, BPF_ALU64 | BPF_MOV | BPF_X, R3, REG_FP, 0, 0);
	emit(c, BPF_ALU64 | BPF_ADD | BPF_K, R3, 0, 0, STACK_DYNPTR);
	emit(c, BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0,
	    c->t->dynptr_from_skb_id);
	emit_jump(c, BPF_JMP | BPF_JNE | BPF_K, R0, 0, 0, TARGET_REJECT);
	emit(c, BPF_ALU64 | BPF_MOV | BPF_X, R1, REG_FP, 0, 0);
	emit(c, BPF_ALU64 | BPF_ADD | BPF_K, R1, 0, 0, STACK_BUF);
	emit(c, BPF_ALU64 | BPF_MOV | BPF_K, R2, 0, 0, size);
	emit(c, BPF_ALU64 | BPF_MOV | BPF_X, R3, REG_FP, 0, 0);
	emit(c, BPF_ALU64 | BPF_ADD | BPF_K, R3, 0, 0, STACK_DYNPTR);
	emit(c, BPF_LDX | BPF_MEM | BPF_DW, R4, REG_FP, STACK_OFFSET, 0);
	emit(c, BPF_ALU64 | BPF_MOV | BPF_K, 5, 0, 0, 0);
	emit_call(c, BPF_FUNC_dynptr_read);
	if (!c->full)
		c->out[over_paged].off = (int16_t)(c->n - over_paged - 1);
}

/*
 * A load past the window: bounds against filter_len and header_len, then
 * the source's helper into the stack buffer.  A failing helper rejects.
 */
static void
emit_slow_load(struct compiler *c, const struct packet_load *l)
{
	int size = load_size(l->code);
	int indirect = FILTER_MODE(l->code) == FILTER_MODE_IND;

	/* R2 = the offset in the rendered packet; it and its end checked. */
	if (indirect) {
		emit(c, BPF_ALU | BPF_MOV | BPF_K, R2, 0, 0, (int32_t)l->k);
		emit(c, BPF_ALU64 | BPF_ADD | BPF_X, R2, REG_X, 0, 0);
		emit(c, BPF_LDX | BPF_MEM | BPF_W, R0, REG_DEC, DEC(filter_len), 0);
		emit(c, BPF_ALU64 | BPF_SUB | BPF_K, R0, 0, 0, size);
		emit_jump(c, BPF_JMP | BPF_JSGT | BPF_X, R2, R0, 0,
		    TARGET_REJECT);
		emit(c, BPF_LDX | BPF_MEM | BPF_W, R3, REG_DEC, DEC(header_len), 0);
		emit_jump(c, BPF_JMP | BPF_JGT | BPF_X, R3, R2, 0,
		    TARGET_REJECT);
	} else {
		emit(c, BPF_LDX | BPF_MEM | BPF_W, R0, REG_DEC, DEC(filter_len), 0);
		emit_jump(c, BPF_JMP32 | BPF_JLT | BPF_K, R0, 0,
		    (int32_t)(l->k + (uint32_t)size), TARGET_REJECT);
		emit(c, BPF_LDX | BPF_MEM | BPF_W, R3, REG_DEC, DEC(header_len), 0);
		emit_jump(c, BPF_JMP32 | BPF_JGT | BPF_K, R3, 0, (int32_t)l->k,
		    TARGET_REJECT);
		emit(c, BPF_ALU | BPF_MOV | BPF_K, R2, 0, 0, (int32_t)l->k);
	}
	/* Source offset: copy_from + off - header_len. */
	emit(c, BPF_LDX | BPF_MEM | BPF_W, R0, REG_DEC, DEC(copy_from), 0);
	emit(c, BPF_ALU64 | BPF_ADD | BPF_X, R2, R0, 0, 0);
	emit(c, BPF_ALU64 | BPF_SUB | BPF_X, R2, R3, 0, 0);

	switch (c->t->source) {
	case FILTER_SOURCE_TC:
	case FILTER_SOURCE_XDP:
		emit(c, BPF_ALU64 | BPF_MOV | BPF_X, R1, REG_CTX, 0, 0);
		emit(c, BPF_ALU64 | BPF_MOV | BPF_X, R3, REG_FP, 0, 0);
		emit(c, BPF_ALU64 | BPF_ADD | BPF_K, R3, 0, 0, STACK_BUF);
		emit(c, BPF_ALU64 | BPF_MOV | BPF_K, R4, 0, 0, size);
		emit_call(c, c->t->source == FILTER_SOURCE_TC ?
		    BPF_FUNC_skb_load_bytes : BPF_FUNC_xdp_load_bytes);
		break;
	case FILTER_SOURCE_KERNEL_SKB:
		emit_linear_read(c, size);
		break;
	case FILTER_SOURCE_KERNEL_SKB_PAGED:
		emit_paged_read(c, size);
		break;
	}
	emit_jump(c, BPF_JMP | BPF_JNE | BPF_K, R0, 0, 0, TARGET_REJECT);
	emit_fetch(c, l->code, REG_FP, STACK_BUF);
}

/*
 * A packet load: from the window when it lies inside it, else through a
 * slow block (out of line, or here when the window can never hold it).
 */
static void
emit_packet_load(struct compiler *c, uint16_t code, uint32_t k)
{
	int size = load_size(code);
	struct packet_load *l;

	if (FILTER_MODE(code) == FILTER_MODE_IND) {	/* X + k */
		emit(c, BPF_ALU | BPF_MOV | BPF_K, R1, 0, 0, (int32_t)k);
		emit(c, BPF_ALU64 | BPF_ADD | BPF_X, R1, REG_X, 0, 0);
		/* A constant bound first: the verifier's, for the access. */
		emit_jump(c, BPF_JMP | BPF_JGT | BPF_K, R1, 0,
		    (int32_t)(WINDOW_SIZE - size), TARGET_SLOW | c->load_count);
		emit(c, BPF_LDX | BPF_MEM | BPF_W, R0, REG_DEC, DEC(window_len), 0);
		emit(c, BPF_ALU64 | BPF_SUB | BPF_K, R0, 0, 0, size);
		emit_jump(c, BPF_JMP | BPF_JSGT | BPF_X, R1, R0, 0,
		    TARGET_SLOW | c->load_count);
		emit(c, BPF_ALU64 | BPF_ADD | BPF_X, R1, REG_DEC, 0, 0);
		emit_fetch(c, code, R1, DEC(window));
	} else if ((uint64_t)k + (uint64_t)size > UINT32_MAX) {
		/* Past any packet. */
		emit_jump(c, BPF_JMP | BPF_JA, 0, 0, 0, TARGET_REJECT);
		return;
	} else if (k + (uint32_t)size <= WINDOW_SIZE) {
		emit(c, BPF_LDX | BPF_MEM | BPF_W, R0, REG_DEC, DEC(window_len), 0);
		emit_jump(c, BPF_JMP32 | BPF_JLT | BPF_K, R0, 0,
		    (int32_t)(k + (uint32_t)size), TARGET_SLOW | c->load_count);
		emit_fetch(c, code, REG_DEC, (int16_t)(DEC(window) + k));
	} else {
		struct packet_load here = { code, k, 0, 0 };

		emit_slow_load(c, &here);
		return;
	}
	l = &c->loads[c->load_count++];
	l->code = code;
	l->k = k;
	l->resume = c->n;
}

/* A and X operations on A. */
static void
emit_alu(struct compiler *c, uint16_t code, uint32_t k)
{
	uint8_t op = FILTER_OP(code);

	if (op == FILTER_NEG) {
		emit(c, BPF_ALU | BPF_NEG, REG_A, 0, 0, 0);
		return;
	}
	if (!(code & FILTER_SRC_X)) {
		if ((op == FILTER_DIV || op == FILTER_MOD) && k == 0) {
			emit_jump(c, BPF_JMP | BPF_JA, 0, 0, 0, TARGET_REJECT);
			return;
		}
		if (op == FILTER_LSH || op == FILTER_RSH) {
			k &= 31;
			if (k == 0)
				return;
		}
		emit(c, BPF_ALU | op | BPF_K, REG_A, 0, 0, (int32_t)k);
		return;
	}
	switch (op) {
	case FILTER_DIV:
	case FILTER_MOD:
		emit_jump(c, BPF_JMP32 | BPF_JEQ | BPF_K, REG_X, 0, 0,
		    TARGET_REJECT);
		break;
	case FILTER_LSH:
	case FILTER_RSH:
		/* eBPF leaves shifts of 32 or more undefined; libpcap gives 0. */
		emit(c, BPF_JMP32 | BPF_JLT | BPF_K, REG_X, 0, 2, 32);
		emit(c, BPF_ALU | BPF_MOV | BPF_K, REG_A, 0, 0, 0);
		emit(c, BPF_JMP | BPF_JA, 0, 0, 1, 0);
		break;
	}
	emit(c, BPF_ALU | op | BPF_X, REG_A, REG_X, 0, 0);
}

/* Conditional jumps, as 32-bit comparisons; pc is the jump's index. */
static void
emit_branch(struct compiler *c, u_int pc, uint16_t code, uint8_t jt,
    uint8_t jf, uint32_t k)
{
	uint8_t op = FILTER_OP(code), inverse;
	uint8_t src = code & FILTER_SRC_X ? BPF_X : BPF_K;
	uint8_t src_reg = src == BPF_X ? REG_X : 0;
	uint32_t when_true = TARGET_CLASSIC | (pc + 1 + jt);
	uint32_t when_false = TARGET_CLASSIC | (pc + 1 + jf);

	if (jt == jf) {
		if (jt != 0)
			emit_jump(c, BPF_JMP | BPF_JA, 0, 0, 0, when_true);
		return;
	}
	inverse = op == FILTER_JEQ ? BPF_JNE : op == FILTER_JGT ? BPF_JLE :
	    op == FILTER_JGE ? BPF_JLT : 0;
	if (jt == 0 && inverse != 0) {
		emit_jump(c, BPF_JMP32 | inverse | src, REG_A, src_reg,
		    (int32_t)k, when_false);
		return;
	}
	if (jt == 0) {
		/* JSET has no inverse: skip the jump to the false branch. */
		emit(c, BPF_JMP32 | op | src, REG_A, src_reg, 1, (int32_t)k);
		emit_jump(c, BPF_JMP | BPF_JA, 0, 0, 0, when_false);
		return;
	}
	emit_jump(c, BPF_JMP32 | op | src, REG_A, src_reg, (int32_t)k,
	    when_true);
	if (jf != 0)
		emit_jump(c, BPF_JMP | BPF_JA, 0, 0, 0, when_false);
}

static void
emit_insn(struct compiler *c, u_int pc, const struct filter_insn *insn)
{
	uint16_t code = insn->code;
	uint32_t k = insn->k;

	switch (code) {
	case FILTER_LD_W_ABS: case FILTER_LD_H_ABS: case FILTER_LD_B_ABS:
	case FILTER_LD_W_IND: case FILTER_LD_H_IND: case FILTER_LD_B_IND:
	case FILTER_LDX_MSH_B:
		emit_packet_load(c, code, k);
		return;
	case FILTER_LD_W_LEN:
	case FILTER_LDX_W_LEN:
		emit(c, BPF_LDX | BPF_MEM | BPF_W,
		    code == FILTER_LD_W_LEN ? REG_A : REG_X, REG_DEC,
		    DEC(wire_len), 0);
		return;
	case FILTER_LD_IMM:
	case FILTER_LDX_IMM:
		emit(c, BPF_ALU | BPF_MOV | BPF_K,
		    code == FILTER_LD_IMM ? REG_A : REG_X, 0, 0, (int32_t)k);
		return;
	case FILTER_LD_MEM:
	case FILTER_LDX_MEM:
		emit(c, BPF_LDX | BPF_MEM | BPF_W,
		    code == FILTER_LD_MEM ? REG_A : REG_X, REG_FP, MEM_AT(k), 0);
		return;
	case FILTER_ST:
	case FILTER_STX:
		emit(c, BPF_STX | BPF_MEM | BPF_W, REG_FP,
		    code == FILTER_ST ? REG_A : REG_X, MEM_AT(k), 0);
		return;
	case FILTER_TAX:
		emit(c, BPF_ALU | BPF_MOV | BPF_X, REG_X, REG_A, 0, 0);
		return;
	case FILTER_TXA:
		emit(c, BPF_ALU | BPF_MOV | BPF_X, REG_A, REG_X, 0, 0);
		return;
	case FILTER_RET_K:
		if (k == 0) {
			emit_jump(c, BPF_JMP | BPF_JA, 0, 0, 0, TARGET_REJECT);
			return;
		}
		emit(c, BPF_ST | BPF_MEM | BPF_W, REG_DEC, 0, DEC(snap),
		    (int32_t)k);
		emit_jump(c, BPF_JMP | BPF_JA, 0, 0, 0, TARGET_ACCEPT);
		return;
	case FILTER_RET_A:
		emit_jump(c, BPF_JMP32 | BPF_JEQ | BPF_K, REG_A, 0, 0,
		    TARGET_REJECT);
		emit(c, BPF_STX | BPF_MEM | BPF_W, REG_DEC, REG_A, DEC(snap), 0);
		emit_jump(c, BPF_JMP | BPF_JA, 0, 0, 0, TARGET_ACCEPT);
		return;
	}
	switch (FILTER_CLASS(code)) {
	case FILTER_ALU:
		emit_alu(c, code, k);
		return;
	case FILTER_JMP:
		if (FILTER_OP(code) == FILTER_JA) {
			if (k != 0)
				emit_jump(c, BPF_JMP | BPF_JA, 0, 0, 0,
				    TARGET_CLASSIC | (pc + 1 + k));
			return;
		}
		emit_branch(c, pc, code, insn->jt, insn->jf, k);
		return;
	}
}

/* Context saved, decision looked up, A, X and the M[] words read zeroed. */
static void
emit_prologue(struct compiler *c, const struct filter_insn *insns, u_int len)
{
	unsigned int read = 0, pair;
	u_int i;

	emit(c, BPF_ALU64 | BPF_MOV | BPF_X, REG_CTX, R1, 0, 0);
	emit(c, BPF_ST | BPF_MEM | BPF_W, REG_FP, 0, STACK_KEY, 0);
	emit_ld_imm64(c, R1, BPF_PSEUDO_MAP_FD, c->t->decision_map_fd, 0);
	emit(c, BPF_ALU64 | BPF_MOV | BPF_X, R2, REG_FP, 0, 0);
	emit(c, BPF_ALU64 | BPF_ADD | BPF_K, R2, 0, 0, STACK_KEY);
	emit_call(c, BPF_FUNC_map_lookup_elem);
	emit_jump(c, BPF_JMP | BPF_JEQ | BPF_K, R0, 0, 0, TARGET_PASS);
	emit(c, BPF_ALU64 | BPF_MOV | BPF_X, REG_DEC, R0, 0, 0);
	emit(c, BPF_ALU | BPF_MOV | BPF_K, REG_A, 0, 0, 0);
	emit(c, BPF_ALU | BPF_MOV | BPF_K, REG_X, 0, 0, 0);
	for (i = 0; i < len; i++)
		if (insns[i].code == FILTER_LD_MEM ||
		    insns[i].code == FILTER_LDX_MEM)
			read |= 1u << insns[i].k;
	/* Two words per store. */
	for (pair = 0; pair < FILTER_MEMWORDS / 2; pair++)
		if (read & (3u << (2 * pair)))
			emit(c, BPF_ST | BPF_MEM | BPF_DW, REG_FP, 0,
			    MEM_AT(2 * pair), 0);
}

/* Whether any jump emitted so far goes to a shared block of this kind. */
static int
targeted(const struct compiler *c, uint32_t kind)
{
	u_int i;

	for (i = 0; i < c->n; i++)
		if (TARGET_KIND(c->target[i]) == kind)
			return 1;
	return 0;
}

/*
 * The accepting and the rejecting end, where something jumps to them:
 * the verifier refuses unreachable code, and a program may never accept
 * ('ret #0') or never reject ('ret #262144', the empty expression).
 */
static void
emit_shared_blocks(struct compiler *c, uint32_t generation)
{
	const struct filter_target *t = c->t;
	int accepts = targeted(c, TARGET_ACCEPT);
	/* The slow loads, emitted after these, reject past the packet. */
	int rejects = targeted(c, TARGET_REJECT) || c->load_count > 0;

	if (!accepts)
		goto reject;
	c->accept = c->n;
	emit(c, BPF_ST | BPF_MEM | BPF_W, REG_DEC, 0, DEC(generation),
	    (int32_t)generation);
	emit(c, BPF_ALU64 | BPF_MOV | BPF_X, R1, REG_CTX, 0, 0);
	emit_ld_imm64(c, R2, BPF_PSEUDO_MAP_FD, t->programs_map_fd, 0);
	emit(c, BPF_ALU64 | BPF_MOV | BPF_K, R3, 0, 0, FILTER_SLOT_DELIVER);
	emit_call(c, BPF_FUNC_tail_call);
	emit_jump(c, BPF_JMP | BPF_JA, 0, 0, 0, TARGET_PASS);
reject:
	if (!rejects)
		goto pass;
	c->reject = c->n;
	emit_call(c, BPF_FUNC_get_smp_processor_id);
	emit(c, BPF_ALU | BPF_AND | BPF_K, R0, 0, 0, CAPTURE_COUNTER_SLOTS - 1);
	emit(c, BPF_ALU64 | BPF_LSH | BPF_K, R0, 0, 0, 6);
	emit_ld_imm64(c, R1, BPF_PSEUDO_MAP_VALUE, t->bss_map_fd,
	    t->counters_offset + offsetof(struct capture_counters, rejected));
	emit(c, BPF_ALU64 | BPF_ADD | BPF_X, R1, R0, 0, 0);
	emit(c, BPF_ALU64 | BPF_MOV | BPF_K, R2, 0, 0, 1);
	emit(c, BPF_STX | BPF_ATOMIC | BPF_DW, R1, R2, 0, BPF_ADD);
pass:
	c->pass = c->n;
	emit(c, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, t->pass_verdict);
	emit(c, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* Every jump's offset, now that every target has a place. */
static int
resolve_jumps(struct compiler *c, char *why, size_t whylen)
{
	u_int i, to;

	for (i = 0; i < c->n; i++) {
		uint32_t t = c->target[i];

		switch (TARGET_KIND(t)) {
		case TARGET_NONE: continue;
		case TARGET_CLASSIC: to = c->start[TARGET_VALUE(t)]; break;
		case TARGET_ACCEPT: to = c->accept; break;
		case TARGET_REJECT: to = c->reject; break;
		case TARGET_PASS: to = c->pass; break;
		case TARGET_AT: to = TARGET_VALUE(t); break;
		case TARGET_SLOW: to = c->loads[TARGET_VALUE(t)].block; break;
		default:
			snprintf(why, whylen, "internal: jump %u has no target", i);
			return -1;
		}
		/* Both below BPFTRACE_FILTER_EBPF_MAX: the offset fits. */
		c->out[i].off = (int16_t)((int)to - (int)i - 1);
	}
	return 0;
}

/*
 * Whether the program may be translated: known instructions, jumps inside
 * it, no reachable instruction falling off its end, M[] inside M[].  Marks
 * the reachable instructions (jumps only go forward: one pass).
 */
static int
validate(const struct filter_insn *insns, u_int len, uint8_t *reachable,
    char *why, size_t whylen)
{
	u_int i;

	if (len == 0 || len > FILTER_MAX_INSNS) {
		snprintf(why, whylen, "%u instructions (compiled: 1 to %u)",
		    len, FILTER_MAX_INSNS);
		return -1;
	}
	memset(reachable, 0, len);
	reachable[0] = 1;
	for (i = 0; i < len; i++) {
		uint16_t code = insns[i].code;
		uint64_t next = (uint64_t)i + 1, jt = next, jf = next;

		if (!bpftrace_filter_code_known(code)) {
			snprintf(why, whylen,
			    "instruction %u has code 0x%02x, unknown to the compiler",
			    i, code);
			return -1;
		}
		switch (code) {
		case FILTER_LD_MEM: case FILTER_LDX_MEM:
		case FILTER_ST: case FILTER_STX:
			if (insns[i].k >= FILTER_MEMWORDS) {
				snprintf(why, whylen,
				    "instruction %u uses M[%u] (M has %u words)",
				    i, insns[i].k, FILTER_MEMWORDS);
				return -1;
			}
			break;
		}
		if (FILTER_CLASS(code) == FILTER_CLASS(FILTER_RET_K))
			continue;
		if (FILTER_CLASS(code) == FILTER_JMP) {
			if (FILTER_OP(code) == FILTER_JA)
				jt = jf = next + insns[i].k;
			else {
				jt = next + insns[i].jt;
				jf = next + insns[i].jf;
			}
		}
		if (jt > UINT32_MAX) {
			/* libpcap's own interpreter wraps it backwards. */
			snprintf(why, whylen, "instruction %u jumps backwards "
			    "(as libpcap's protochain does)", i);
			return -1;
		}
		if (jt >= len || jf >= len) {
			if (FILTER_CLASS(code) == FILTER_JMP) {
				snprintf(why, whylen,
				    "instruction %u jumps past the end", i);
				return -1;
			}
			if (reachable[i]) {
				snprintf(why, whylen,
				    "instruction %u, the last reached, is no return",
				    i);
				return -1;
			}
			continue;
		}
		if (reachable[i])
			reachable[jt] = reachable[jf] = 1;
	}
	return 0;
}

static int
target_valid(const struct filter_target *t, uint32_t generation, char *why,
    size_t whylen)
{
	if (t->source == FILTER_SOURCE_KERNEL_SKB_PAGED &&
	    (t->dynptr_from_skb_id <= 0 || t->skb_arg_index > 11)) {
		snprintf(why, whylen, "no bpf_dynptr_from_skb in this kernel's"
		    " BTF (the interpreter decides)");
		return -1;
	}
	if (t->source != FILTER_SOURCE_KERNEL_SKB &&
	    t->source != FILTER_SOURCE_KERNEL_SKB_PAGED &&
	    t->source != FILTER_SOURCE_TC && t->source != FILTER_SOURCE_XDP) {
		snprintf(why, whylen, "unknown packet source %d", (int)t->source);
		return -1;
	}
	if (t->decision_map_fd < 0 || t->bss_map_fd < 0 ||
	    t->programs_map_fd < 0) {
		snprintf(why, whylen, "the probe's maps are not given");
		return -1;
	}
	if (t->counters_offset > INT32_MAX -
	    CAPTURE_COUNTER_SLOTS * sizeof(struct capture_counters)) {
		snprintf(why, whylen, "counters at offset %u of .bss",
		    t->counters_offset);
		return -1;
	}
	if (generation == 0 || (generation & 1)) {
		snprintf(why, whylen, "generation %u (even, not 0)", generation);
		return -1;
	}
	return 0;
}

/*
 * Translates insns for the probe t describes.  out has room for
 * BPFTRACE_FILTER_EBPF_MAX instructions.  Returns 0 with *out_len set, or
 * -1 with the reason in why.
 */
int
bpftrace_filter_compile(const struct filter_target *t,
    const struct filter_insn *insns, u_int len, uint32_t generation,
    struct bpftrace_ebpf_insn *out, u_int *out_len, char *why, size_t whylen)
{
	struct compiler c;
	uint8_t *reachable = NULL;
	int status = -1;
	u_int i;

	if (target_valid(t, generation, why, whylen) != 0)
		return -1;
	memset(&c, 0, sizeof(c));
	c.t = t;
	c.out = out;
	reachable = malloc(len ? len : 1);
	c.start = calloc(len ? len : 1, sizeof(*c.start));
	c.loads = calloc(len ? len : 1, sizeof(*c.loads));
	c.target = calloc(BPFTRACE_FILTER_EBPF_MAX, sizeof(*c.target));
	if (reachable == NULL || c.start == NULL || c.loads == NULL ||
	    c.target == NULL) {
		snprintf(why, whylen, "out of memory");
		goto done;
	}
	if (validate(insns, len, reachable, why, whylen) != 0)
		goto done;

	emit_prologue(&c, insns, len);
	for (i = 0; i < len; i++) {
		if (!reachable[i])
			continue;	/* the verifier refuses dead code */
		c.start[i] = c.n;
		emit_insn(&c, i, &insns[i]);
	}
	emit_shared_blocks(&c, generation);
	for (i = 0; i < c.load_count; i++) {
		c.loads[i].block = c.n;
		emit_slow_load(&c, &c.loads[i]);
		emit_jump(&c, BPF_JMP | BPF_JA, 0, 0, 0,
		    TARGET_AT | c.loads[i].resume);
	}
	if (c.full) {
		snprintf(why, whylen,
		    "the translation of %u instructions exceeds %u eBPF instructions",
		    len, BPFTRACE_FILTER_EBPF_MAX);
		goto done;
	}
	if (resolve_jumps(&c, why, whylen) != 0)
		goto done;
	*out_len = c.n;
	status = 0;
done:
	free(reachable);
	free(c.start);
	free(c.loads);
	free(c.target);
	return status;
}

/*
 * Whether code is a classic instruction the compiler translates: all
 * that libpcap's bpf_validate() accepts, as the probe's interpreter.
 */
int
bpftrace_filter_code_known(uint16_t code)
{
	switch (code) {
	case FILTER_LD_W_ABS: case FILTER_LD_H_ABS: case FILTER_LD_B_ABS:
	case FILTER_LD_W_IND: case FILTER_LD_H_IND: case FILTER_LD_B_IND:
	case FILTER_LD_W_LEN: case FILTER_LD_IMM: case FILTER_LD_MEM:
	case FILTER_LDX_W_LEN: case FILTER_LDX_IMM: case FILTER_LDX_MEM:
	case FILTER_LDX_MSH_B: case FILTER_ST: case FILTER_STX:
	case FILTER_RET_K: case FILTER_RET_A: case FILTER_TAX: case FILTER_TXA:
		return 1;
	}
	switch (FILTER_CLASS(code)) {
	case FILTER_ALU:
		if ((code & ~(0xf0 | FILTER_SRC_X)) != FILTER_ALU)
			return 0;
		return FILTER_OP(code) <= FILTER_XOR &&
		    (FILTER_OP(code) != FILTER_NEG || !(code & FILTER_SRC_X));
	case FILTER_JMP:
		if ((code & ~(0xf0 | FILTER_SRC_X)) != FILTER_JMP)
			return 0;
		return FILTER_OP(code) <= FILTER_JSET &&
		    (FILTER_OP(code) != FILTER_JA || !(code & FILTER_SRC_X));
	}
	return 0;
}
