/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hand-written classic programs for the filter tests (filter_diff: the
 * probe's interpreter; filter_compile_check: the compiled filter), for
 * the instructions libpcap's compiler never emits.  Each behaves the same
 * in every conforming interpreter: no division by a constant 0, no shift
 * by a constant of 32 or more, no scratch word read before written.
 */
#ifndef FILTER_RAW_PROGRAMS_H
#define FILTER_RAW_PROGRAMS_H

#include <pcap/bpf.h>

/*
 * Programs libpcap's compiler never emits, for the rest of the
 * instruction set: RET A, scratch memory, TAX/TXA, X-length loads,
 * division and modulo by a zero X, shifts by X of 32 or more, NEG, JSET
 * and JGE/JGT with X, JA, indirect loads beyond the packet.
 */
static struct bpf_insn raw_ret_a[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
	BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, 40),
	BPF_STMT(BPF_RET | BPF_A, 0),		/* keep len - 40 bytes */
};
static struct bpf_insn raw_memory[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 12),
	BPF_STMT(BPF_ST, 3),
	BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0),
	BPF_STMT(BPF_STX, 15),
	BPF_STMT(BPF_LDX | BPF_MEM, 3),
	BPF_STMT(BPF_LD | BPF_MEM, 15),
	BPF_STMT(BPF_ALU | BPF_MUL | BPF_X, 0),
	BPF_STMT(BPF_MISC | BPF_TAX, 0),
	BPF_STMT(BPF_ALU | BPF_XOR | BPF_K, 0x55),
	BPF_STMT(BPF_MISC | BPF_TXA, 0),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0),
	BPF_STMT(BPF_RET | BPF_K, 70),
};
static struct bpf_insn raw_divide[] = {
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),	/* IPv4 header length */
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),		/* protocol */
	BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),		/* X is 0 off IPv4 */
	BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 7),
	BPF_STMT(BPF_ALU | BPF_NEG, 0),
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 0x80000000u, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 1000),
	BPF_STMT(BPF_RET | BPF_K, 0),
};
static struct bpf_insn raw_modulo_x[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 15),		/* often 0 */
	BPF_STMT(BPF_MISC | BPF_TAX, 0),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	BPF_STMT(BPF_ALU | BPF_MOD | BPF_X, 0),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 2, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0),
	BPF_STMT(BPF_RET | BPF_K, 262144),
};
static struct bpf_insn raw_shifts[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 20),		/* 0..255: often >= 32 */
	BPF_STMT(BPF_MISC | BPF_TAX, 0),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 26),
	BPF_STMT(BPF_ALU | BPF_LSH | BPF_X, 0),
	BPF_STMT(BPF_ST, 0),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 30),
	BPF_STMT(BPF_ALU | BPF_RSH | BPF_X, 0),
	BPF_STMT(BPF_LDX | BPF_MEM, 0),
	BPF_STMT(BPF_ALU | BPF_OR | BPF_X, 0),
	BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 3),
	BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 9),
	BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
	BPF_STMT(BPF_MISC | BPF_TAX, 0),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 21),
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_X, 0, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, 0),
	BPF_STMT(BPF_RET | BPF_K, 262144),
};
static struct bpf_insn raw_indirect[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 16),		/* IPv4 total length */
	BPF_STMT(BPF_MISC | BPF_TAX, 0),
	BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),		/* just beyond the IP packet */
	BPF_STMT(BPF_LD | BPF_H | BPF_IND, 10),
	BPF_STMT(BPF_LD | BPF_W | BPF_IND, 12),
	BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
	BPF_STMT(BPF_RET | BPF_K, 0),
	BPF_STMT(BPF_LD | BPF_IMM, 0xfffffff0),
	BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 262144),
	BPF_STMT(BPF_RET | BPF_K, 64),
};

/*
 * Every load form at offsets inside and past a short window and past
 * the packet, every arithmetic operation with K and with X.
 */
static struct bpf_insn raw_every_load[] = {
	BPF_STMT(BPF_LDX | BPF_IMM, 6),
	BPF_STMT(BPF_LD | BPF_W | BPF_IND, 8),		/* 14: the IP header */
	BPF_STMT(BPF_ST, 2),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 130),	/* past the window */
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 60),
	BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
	BPF_STMT(BPF_LDX | BPF_LEN, 0),
	BPF_STMT(BPF_MISC | BPF_TXA, 0),
	BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, 100),
	BPF_STMT(BPF_ST, 1),
	BPF_STMT(BPF_LD | BPF_LEN, 0),
	BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 1),
	BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 3),
	BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 97),
	BPF_STMT(BPF_LDX | BPF_MEM, 1),
	BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
	BPF_STMT(BPF_ALU | BPF_SUB | BPF_X, 0),
	BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 0x9e3779b1),
	BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
	BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 4),
	BPF_STMT(BPF_ALU | BPF_OR | BPF_K, 0x100),
	BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xfff),
	BPF_STMT(BPF_ALU | BPF_XOR | BPF_K, 0x5a),
	BPF_STMT(BPF_ALU | BPF_OR | BPF_X, 0),
	BPF_STMT(BPF_ALU | BPF_AND | BPF_X, 0),
	BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 0xfffffff0),
	BPF_STMT(BPF_LDX | BPF_MEM, 2),
	BPF_STMT(BPF_ALU | BPF_MUL | BPF_X, 0),
	BPF_STMT(BPF_LDX | BPF_IMM, 13),
	BPF_STMT(BPF_ALU | BPF_MOD | BPF_X, 0),
	BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
	BPF_STMT(BPF_LD | BPF_B | BPF_IND, 1000),	/* past most packets */
	BPF_STMT(BPF_RET | BPF_A, 0),
};
/*
 * Jumps of every kind whose true branch is the next instruction (the
 * compiler inverts them), X and K, and a wide load at a huge offset.
 */
static struct bpf_insn raw_jumps[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0800, 0, 3),	/* 1 */
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 0x0900, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 11),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x10, 0, 0),	/* 4 */
	BPF_STMT(BPF_LDX | BPF_IMM, 0x86dd),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 2),		/* 6 */
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x0001, 0, 6),
	BPF_STMT(BPF_RET | BPF_K, 22),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_X, 0, 1, 0),		/* 9 */
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_X, 0, 0, 1),
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 33),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0xfffffffd),	/* 13 */
	BPF_STMT(BPF_RET | BPF_K, 44),
};

/*
 * Programs that never reject and never accept: the compiled filter then
 * has no rejecting (or accepting) end, which the verifier would refuse
 * as unreachable code if it were emitted.
 */
static struct bpf_insn raw_accept_all[] = {
	BPF_STMT(BPF_RET | BPF_K, 262144),
};
static struct bpf_insn raw_reject_all[] = {
	BPF_STMT(BPF_RET | BPF_K, 0),
};
/* Loads that may reject, but no return of 0 that is reachable. */
static struct bpf_insn raw_load_never_zero[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 200),
	BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
	BPF_STMT(BPF_RET | BPF_K, 0),
	BPF_STMT(BPF_RET | BPF_K, 96),
};

#define RAW(name) { #name, name, sizeof(name) / sizeof(name[0]) }
static const struct {
	const char *name;
	struct bpf_insn *insns;
	u_int len;
} raw_programs[] = {
	RAW(raw_ret_a), RAW(raw_memory), RAW(raw_divide), RAW(raw_modulo_x),
	RAW(raw_shifts), RAW(raw_indirect), RAW(raw_every_load),
	RAW(raw_jumps), RAW(raw_accept_all), RAW(raw_reject_all),
	RAW(raw_load_never_zero),
};


#endif
