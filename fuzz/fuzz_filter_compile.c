/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the filter compiler (bpftrace-filter-compile.c) on
 * hostile classic programs.  The input is
 *
 *   the packet source (1 byte, modulo 3: enum filter_source)
 *   the program: what is left, 8 bytes per struct bpf_insn
 *
 * or, when what is left starts with the filter channel's magic, a whole
 * filter request as a broker child or filter keeper receives it
 * (bpftrace-filter-request.c), whose program, if the request is taken,
 * is compiled as above: the privileged side's path from the bytes a
 * client sends to the program it loads.
 *
 * Checked:
 *   - a refusal gives a one-line reason
 *   - every program libpcap's bpf_validate() accepts and the probe's
 *     interpreter runs is compiled, unless its translation is too long
 *     (said so)
 *   - what is compiled has 1 .. BPFTRACE_FILTER_EBPF_MAX instructions,
 *     each with registers R0 .. R10 (R10 never written), every jump
 *     landing inside the program and never inside a 64-bit immediate,
 *     and the last instruction an exit or a jump: no path runs off the end
 *   - the map references are the target's maps, and the counter the
 *     rejection adds to lies inside .bss's counters
 *   - a request taken holds 1 .. FILTER_MAX_INSNS instructions filling
 *     the message exactly, for an even generation other than 0; one
 *     refused gives a one-line reason
 *
 * The kernel's verifier and the comparison with libpcap's verdicts are
 * tests/t-filter-compiled.sh's (testprogs/filter_compile_check.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/bpf.h>

#include "bpftrace-filter-channel.h"
#include "bpftrace-filter-compile.h"
#include "fuzz_promise.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WHY_LEN		128
#define DECISION_FD	11
#define BSS_FD		12
#define PROGRAMS_FD	13
#define COUNTERS_AT	4096

/* eBPF encodings the checks need (<linux/bpf.h> cannot be included). */
#define EBPF_CLASS(code)	((code) & 0x07)
#define EBPF_JMP		0x05
#define EBPF_JMP32		0x06
#define EBPF_LD_IMM64		0x18
#define EBPF_OP(code)		((code) & 0xf0)
#define EBPF_CALL		0x80
#define EBPF_EXIT		0x90
#define EBPF_JA			0x00
#define EBPF_STX_ATOMIC_DW	0xdb
#define PSEUDO_MAP_FD		1
#define PSEUDO_MAP_VALUE	2

static struct bpftrace_ebpf_insn out[BPFTRACE_FILTER_EBPF_MAX];

static void
check_output(u_int n)
{
	static uint8_t second_half[BPFTRACE_FILTER_EBPF_MAX];
	const struct bpftrace_ebpf_insn *last;
	u_int i;

	if (n == 0 || n > BPFTRACE_FILTER_EBPF_MAX)
		promise_broken("output length out of bounds");
	memset(second_half, 0, n);
	for (i = 0; i < n; i++) {
		const struct bpftrace_ebpf_insn *in = &out[i];

		if (second_half[i])
			continue;
		if (in->dst_reg > 10 || in->src_reg > 10)
			promise_broken("register out of range");
		if (in->code == EBPF_LD_IMM64) {
			if (i + 1 >= n || out[i + 1].code != 0)
				promise_broken("64-bit immediate cut short");
			second_half[i + 1] = 1;
			if (in->src_reg == PSEUDO_MAP_FD &&
			    in->imm != DECISION_FD && in->imm != PROGRAMS_FD)
				promise_broken("a map that is not the target's");
			if (in->src_reg == PSEUDO_MAP_VALUE &&
			    (in->imm != BSS_FD || out[i + 1].imm < COUNTERS_AT ||
			    out[i + 1].imm >= COUNTERS_AT +
			    (int32_t)sizeof(struct capture_counters)))
				promise_broken("a value that is not a counter");
		}
		if (in->dst_reg == 10 && EBPF_CLASS(in->code) != 0x02 &&
		    EBPF_CLASS(in->code) != 0x03 &&
		    EBPF_CLASS(in->code) != EBPF_JMP &&
		    EBPF_CLASS(in->code) != EBPF_JMP32)
			promise_broken("the frame pointer written");
		if ((EBPF_CLASS(in->code) == EBPF_JMP ||
		    EBPF_CLASS(in->code) == EBPF_JMP32) &&
		    EBPF_OP(in->code) != EBPF_CALL &&
		    EBPF_OP(in->code) != EBPF_EXIT) {
			long to = (long)i + 1 + in->off;

			if (to < 0 || to >= (long)n)
				promise_broken("a jump lands outside the program");
		}
	}
	for (i = 0; i < n; i++) {
		const struct bpftrace_ebpf_insn *in = &out[i];

		if (!second_half[i] && (EBPF_CLASS(in->code) == EBPF_JMP ||
		    EBPF_CLASS(in->code) == EBPF_JMP32) &&
		    EBPF_OP(in->code) != EBPF_CALL &&
		    EBPF_OP(in->code) != EBPF_EXIT &&
		    second_half[i + 1 + in->off])
			promise_broken("a jump into a 64-bit immediate");
	}
	last = &out[n - 1];
	if (last->code != (EBPF_JMP | EBPF_EXIT) &&
	    last->code != (EBPF_JMP | EBPF_JA))
		promise_broken("the program runs off its end");
}

/*
 * Whether the probe's interpreter would run a program bpf_validate()
 * accepts: instructions it knows, no JA whose offset wraps backwards.
 */
static int
probe_runs(const struct filter_insn *insns, u_int len)
{
	u_int i;

	for (i = 0; i < len; i++) {
		if (!bpftrace_filter_code_known(insns[i].code))
			return 0;
		if (insns[i].code == (BPF_JMP | BPF_JA) &&
		    insns[i].k > UINT32_MAX - (i + 1))
			return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct filter_insn insns[FILTER_MAX_INSNS + 8];
	static const int verdicts[] = { 0, -1, 2 };
	struct filter_target t;
	char why[WHY_LEN];
	u_int len, n = 0;
	int status;

	if (size < 1)
		return 0;
	memset(&t, 0, sizeof(t));
	t.source = (enum filter_source)(data[0] % 3);
	t.decision_map_fd = DECISION_FD;
	t.bss_map_fd = BSS_FD;
	t.programs_map_fd = PROGRAMS_FD;
	t.counters_offset = COUNTERS_AT -
	    (uint32_t)offsetof(struct capture_counters, rejected);
	t.pass_verdict = verdicts[data[0] % 3];
	if (bpftrace_filter_request_is(data + 1, size - 1)) {
		uint32_t generation = 0;

		memset(why, 0x7f, sizeof(why));
		if (bpftrace_filter_request_parse(data + 1, size - 1, insns,
		    &len, &generation, why, sizeof(why)) != 0) {
			promise_reason(why, WHY_LEN);
			return 0;
		}
		if (len < 1 || len > FILTER_MAX_INSNS || generation == 0 ||
		    (generation & 1) != 0 ||
		    size - 1 != sizeof(struct filter_request_wire) +
		    len * sizeof(struct filter_insn))
			promise_broken("a filter request taken out of bounds");
	} else {
		len = (u_int)((size - 1) / sizeof(struct filter_insn));
		if (len > FILTER_MAX_INSNS + 8)
			len = FILTER_MAX_INSNS + 8;
		memcpy(insns, data + 1, len * sizeof(struct filter_insn));
	}

	memset(why, 0x7f, sizeof(why));
	status = bpftrace_filter_compile(&t, insns, len, 2, out, &n, why,
	    sizeof(why));
	if (status != 0) {
		promise_reason(why, WHY_LEN);
		if (len >= 1 && len <= FILTER_MAX_INSNS &&
		    bpf_validate((const struct bpf_insn *)insns, (int)len) &&
		    probe_runs(insns, len) && strstr(why, "exceeds") == NULL)
			promise_broken("a program libpcap validates is refused");
		return 0;
	}
	check_output(n);
	return 0;
}
