/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The contract between pcap_setfilter() (bpftrace-filter.c) and the
 * classic BPF interpreter inside the capture probe (packet_filter.h):
 * where the filter program lives and how it is swapped while the probe
 * runs.
 *
 * The program lives in the probe's memory-mapped global data, not in a
 * map updated with bpf(): applications such as tcpdump set their filter
 * after dropping every privilege, and kernels before 6.5 refuse an
 * unprivileged process any bpf() call.  A plain store needs nothing.
 *
 * Swapping.  There are two slots; the probe runs the one named by
 * 'active'.  User space writes the other slot and then flips 'active'.
 * Each slot carries a generation number, odd while the slot is being
 * written, even (and never 0) once complete.  The probe reads the
 * generation before and after running a slot's program; if it was odd or
 * changed, the run is void and the packet is passed on unfiltered.  Each
 * ring record is stamped with the generation of the program it passed (0:
 * not filtered in the kernel), so user space filters again exactly the
 * records that did not pass the program now installed.
 *
 * Included by BPF C and by ordinary C, so it uses only fixed-size types.
 */
#ifndef BPFTRACE_FILTER_PROGRAM_H
#define BPFTRACE_FILTER_PROGRAM_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define FILTER_MAX_INSNS	4096	/* BPF_MAXINSNS, as libpcap allows */
#define FILTER_MEMWORDS		16	/* BPF_MEMWORDS */

/* struct bpf_insn of classic BPF, same layout. */
struct filter_insn {
	__u16	code;
	__u8	jt;
	__u8	jf;
	__u32	k;
};

struct filter_slot {
	__u32	generation;	/* odd: being written; 0: no program */
	__u32	len;		/* instructions; 0 accepts everything */
	struct filter_insn insns[FILTER_MAX_INSNS];
};

struct capture_filter {
	__u32	active;		/* slot the probe runs: 0 or 1 */
	__u32	compiled_generation;	/* the generation of the compiled
					   filter in the probe's programs map
					   (filter_decision.h); the probe
					   tail-calls it only while this is
					   the active slot's generation */
	__u32	no_interpreter;	/* set by the loader: the probe has no
				   interpreter (a kernel without bpf_loop():
				   bpf/packet_filter.h) and runs only a
				   compiled filter */
	struct filter_slot slots[2];
};

/*
 * The interpreter's registers while it runs one packet.  Kept in the
 * per-CPU scratch record rather than on the stack: the interpreter steps
 * through bpf_loop(), whose callback sees only memory.
 */
struct filter_state {
	__u32	a;
	__u32	x;
	__u32	pc;
	__u32	slot;
	__u32	caplen;		/* rendered bytes: loads beyond them reject */
	__u32	wirelen;	/* BPF_LEN */
	__u32	result;		/* snap length to keep; 0 rejects */
	__u32	done;		/* a return instruction ran */
	__u32	mem[FILTER_MEMWORDS];
	__u64	fence;		/* the target of the load fence (packet_filter.h);
				   64 bits: BPF has 32-bit atomics with a
				   result only with ALU32 (-mcpu=v3) */
};

/*
 * The classic BPF instructions the probe interprets: all that libpcap's
 * bpf_validate() accepts (Linux's ancillary loads at SKF_AD_OFF are plain
 * out-of-range loads here, as in libpcap's own interpreter).  Numbered
 * as in <pcap/bpf.h>.
 */
#define FILTER_LD_W_ABS		0x20
#define FILTER_LD_H_ABS		0x28
#define FILTER_LD_B_ABS		0x30
#define FILTER_LD_W_IND		0x40
#define FILTER_LD_H_IND		0x48
#define FILTER_LD_B_IND		0x50
#define FILTER_LD_W_LEN		0x80
#define FILTER_LD_IMM		0x00
#define FILTER_LD_MEM		0x60
#define FILTER_LDX_W_LEN	0x81
#define FILTER_LDX_IMM		0x01
#define FILTER_LDX_MEM		0x61
#define FILTER_LDX_MSH_B	0xb1
#define FILTER_ST		0x02
#define FILTER_STX		0x03
#define FILTER_ALU		0x04	/* | operation | source */
#define FILTER_JMP		0x05	/* | condition | source */
#define FILTER_RET_K		0x06
#define FILTER_RET_A		0x16
#define FILTER_TAX		0x07
#define FILTER_TXA		0x87

#define FILTER_SRC_X		0x08
#define FILTER_OP(code)		((code) & 0xf0)
#define FILTER_CLASS(code)	((code) & 0x07)

#define FILTER_ADD		0x00
#define FILTER_SUB		0x10
#define FILTER_MUL		0x20
#define FILTER_DIV		0x30
#define FILTER_OR		0x40
#define FILTER_AND		0x50
#define FILTER_LSH		0x60
#define FILTER_RSH		0x70
#define FILTER_NEG		0x80
#define FILTER_MOD		0x90
#define FILTER_XOR		0xa0

#define FILTER_JA		0x00
#define FILTER_JEQ		0x10
#define FILTER_JGT		0x20
#define FILTER_JGE		0x30
#define FILTER_JSET		0x40

#endif /* BPFTRACE_FILTER_PROGRAM_H */
