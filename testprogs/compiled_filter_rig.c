/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpftrace-filter-load.h"
#include "compiled_filter_rig.h"

/* Where the counters sit in the stand-in .bss: not at its start. */
#define COUNTERS_OFFSET	128
#define BSS_SIZE	(COUNTERS_OFFSET + CAPTURE_COUNTER_SLOTS * \
			    sizeof(struct capture_counters))
/* Kernel skbs: the packet sits in a map value, its address as head. */
#define PACKET_ROOM	4096

/* What the delivery program leaves. */
struct delivered {
	uint32_t snap;
	uint32_t generation;
	uint32_t count;
};

struct compiled_filter_rig {
	enum rig_kind kind;
	struct filter_target target;
	int delivered_value;		/* the delivery program's return */
	int result_fd;			/* struct delivered */
	int packet_fd;			/* kernel skbs: the packet */
	int deliver_fd;
	int filter_fd;
	uint64_t head;			/* kernel skbs: the packet's address */
	int cpus;
	uint8_t *decisions;		/* one struct capture_decision per CPU */
	uint8_t *bss;
	uint64_t rejected;		/* the counters' sum so far */
};

static const char *const names[] = { "tc", "xdp", "kernel-skb" };

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
	    .off = (o), .imm = (i) })
#define LD_MAP(reg, fd, pseudo, offset) \
	INSN(BPF_LD | BPF_IMM | BPF_DW, reg, pseudo, 0, fd), \
	INSN(0, 0, 0, 0, offset)
#define DEC(field)	offsetof(struct capture_decision, field)

/*
 * The delivery slot's program: copies the decision's verdict to the
 * result map, counts its runs, returns delivered_value.
 */
static int
load_deliver(struct compiled_filter_rig *r, int prog_type)
{
	int decision = r->target.decision_map_fd, result = r->result_fd;
	struct bpf_insn insns[] = {
		INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0),
		LD_MAP(BPF_REG_1, decision, BPF_PSEUDO_MAP_FD, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 14, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_7, BPF_REG_0, 0, 0),
		LD_MAP(BPF_REG_1, result, BPF_PSEUDO_MAP_FD, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 7, 0),
		INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_1, BPF_REG_7, DEC(snap), 0),
		INSN(BPF_STX | BPF_MEM | BPF_W, BPF_REG_0, BPF_REG_1, 0, 0),
		INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_1, BPF_REG_7,
		    DEC(generation), 0),
		INSN(BPF_STX | BPF_MEM | BPF_W, BPF_REG_0, BPF_REG_1, 4, 0),
		INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_1, BPF_REG_0, 8, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, 1),
		INSN(BPF_STX | BPF_MEM | BPF_W, BPF_REG_0, BPF_REG_1, 8, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0,
		    r->delivered_value),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};

	return bpf_prog_load(prog_type, "rig_deliver", "Dual BSD/GPL", insns,
	    sizeof(insns) / sizeof(insns[0]), NULL);
}

/*
 * Kernel skbs: the address of the packet map's value, as a program sees
 * it, read back through a one-word map (root may read addresses).
 */
static int
find_head(struct compiled_filter_rig *r)
{
	uint32_t zero = 0;
	int store = bpf_map_create(BPF_MAP_TYPE_ARRAY, "rig_head", 4, 8, 1,
	    NULL);
	struct bpf_insn insns[] = {
		LD_MAP(BPF_REG_6, r->packet_fd, BPF_PSEUDO_MAP_VALUE, 0),
		INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0),
		LD_MAP(BPF_REG_1, store, BPF_PSEUDO_MAP_FD, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 1, 0),
		INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_0, BPF_REG_6, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	uint64_t context = 0;
	LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = &context,
	    .ctx_size_in = sizeof(context));
	int fd, status = -1;

	if (store < 0)
		return -1;
	fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "rig_head",
	    "Dual BSD/GPL", insns, sizeof(insns) / sizeof(insns[0]), NULL);
	if (fd >= 0 && bpf_prog_test_run_opts(fd, &run) == 0 &&
	    bpf_map_lookup_elem(store, &zero, &r->head) == 0 && r->head != 0)
		status = 0;
	if (fd >= 0)
		close(fd);
	close(store);
	return status;
}

struct compiled_filter_rig *
rig_open(enum rig_kind kind, char *err, size_t errlen)
{
	struct compiled_filter_rig *r = calloc(1, sizeof(*r));
	struct filter_target *t;
	uint32_t slot = FILTER_SLOT_DELIVER;
	int prog_type;

	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t = &r->target;
	r->kind = kind;
	r->packet_fd = r->deliver_fd = r->filter_fd = -1;
	r->cpus = libbpf_num_possible_cpus();
	switch (kind) {
	case RIG_TC:
		t->source = FILTER_SOURCE_TC;
		prog_type = BPF_PROG_TYPE_SCHED_CLS;
		t->pass_verdict = -1;		/* TC_ACT_UNSPEC */
		r->delivered_value = 2;		/* TC_ACT_SHOT */
		break;
	case RIG_XDP:
		t->source = FILTER_SOURCE_XDP;
		prog_type = BPF_PROG_TYPE_XDP;
		t->pass_verdict = XDP_PASS;
		r->delivered_value = XDP_DROP;
		break;
	default:
		t->source = FILTER_SOURCE_KERNEL_SKB;
		prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
		t->pass_verdict = 0;
		r->delivered_value = 5;
		break;
	}
	t->prog_type = prog_type;
	t->counters_offset = COUNTERS_OFFSET;
	t->decision_map_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY,
	    "rig_decision", 4, sizeof(struct capture_decision), 1, NULL);
	t->bss_map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "rig_bss", 4,
	    BSS_SIZE, 1, NULL);
	t->programs_map_fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY,
	    "rig_programs", 4, 4, FILTER_SLOTS, NULL);
	r->result_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "rig_result", 4,
	    sizeof(struct delivered), 1, NULL);
	r->decisions = calloc((size_t)r->cpus, sizeof(struct capture_decision));
	r->bss = calloc(1, BSS_SIZE);
	if (t->decision_map_fd < 0 || t->bss_map_fd < 0 ||
	    t->programs_map_fd < 0 || r->result_fd < 0 || r->cpus <= 0 ||
	    r->decisions == NULL || r->bss == NULL) {
		snprintf(err, errlen, "creating the maps: %s", strerror(errno));
		goto fail;
	}
	if (kind == RIG_KERNEL_SKB) {
		r->packet_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "rig_packet",
		    4, PACKET_ROOM, 1, NULL);
		if (r->packet_fd < 0 || find_head(r) != 0) {
			snprintf(err, errlen, "finding a kernel address for "
			    "the packet: %s", strerror(errno));
			goto fail;
		}
	}
	r->deliver_fd = load_deliver(r, prog_type);
	if (r->deliver_fd < 0 ||
	    bpf_map_update_elem(t->programs_map_fd, &slot, &r->deliver_fd,
	    BPF_ANY) != 0) {
		snprintf(err, errlen, "the delivery program: %s",
		    strerror(errno));
		goto fail;
	}
	return r;
fail:
	rig_close(r);
	return NULL;
}

const char *
rig_name(const struct compiled_filter_rig *r)
{
	return names[r->kind];
}

/*
 * Loads the filter as the module does, then takes a descriptor of what
 * landed in the compiled slot, to run it directly.
 */
int
rig_install(struct compiled_filter_rig *r, const struct filter_insn *insns,
    unsigned int len, uint32_t generation, char *why, size_t whylen)
{
	uint32_t slot = FILTER_SLOT_COMPILED, id;

	if (r->filter_fd >= 0)
		close(r->filter_fd);
	r->filter_fd = -1;
	if (bpftrace_filter_load(&r->target, insns, len, generation, why,
	    whylen) != 0)
		return -1;
	if (bpf_map_lookup_elem(r->target.programs_map_fd, &slot, &id) != 0 ||
	    (r->filter_fd = bpf_prog_get_fd_by_id(id)) < 0) {
		snprintf(why, whylen, "the compiled slot: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void
rig_claim_source(struct compiled_filter_rig *r, int source)
{
	r->target.source = (enum filter_source)source;
}

/* The decision of every CPU, and the packet where the source has it. */
static int
prepare(struct compiled_filter_rig *r, const struct rig_packet *p)
{
	struct capture_decision d;
	uint32_t zero = 0;
	int cpu;

	memset(&d, 0, sizeof(d));
	d.head = r->head;
	d.copy_from = p->header_len;
	d.header_len = p->header_len;
	d.window_len = p->window_len;
	d.filter_len = p->filter_len;
	d.wire_len = p->wire_len;
	d.snap = 0xdeadbeef;
	memcpy(d.window, p->bytes, p->window_len);
	for (cpu = 0; cpu < r->cpus; cpu++)
		memcpy(r->decisions + (size_t)cpu * sizeof(d), &d, sizeof(d));
	if (bpf_map_update_elem(r->target.decision_map_fd, &zero,
	    r->decisions, BPF_ANY) != 0)
		return -1;
	if (r->kind == RIG_KERNEL_SKB) {
		static uint8_t room[PACKET_ROOM];

		if (p->len > PACKET_ROOM) {
			errno = EMSGSIZE;
			return -1;
		}
		memset(room, 0xa5, sizeof(room));
		memcpy(room, p->bytes, p->len);
		if (bpf_map_update_elem(r->packet_fd, &zero, room, BPF_ANY) != 0)
			return -1;
	}
	return 0;
}

static int
test_run(struct compiled_filter_rig *r, const struct rig_packet *p,
    unsigned int repeat, uint32_t *retval, uint32_t *duration)
{
	uint64_t context = 0;
	LIBBPF_OPTS(bpf_test_run_opts, run, .repeat = repeat);

	if (r->kind == RIG_KERNEL_SKB) {
		/* Raw tracepoints run once, and take no repeat count. */
		run.repeat = 0;
		run.ctx_in = &context;
		run.ctx_size_in = sizeof(context);
	} else {
		run.data_in = p->bytes;
		run.data_size_in = p->len;
	}
	if (bpf_prog_test_run_opts(r->filter_fd, &run) != 0)
		return -1;
	*retval = run.retval;
	if (duration != NULL)
		*duration = run.duration;
	return 0;
}

int
rig_run(struct compiled_filter_rig *r, const struct rig_packet *p,
    struct rig_verdict *v)
{
	struct delivered got = { 0, 0, 0 };
	const struct capture_counters *c;
	uint64_t rejected = 0;
	uint32_t zero = 0, retval;
	int slot;

	if (prepare(r, p) != 0 ||
	    bpf_map_update_elem(r->result_fd, &zero, &got, BPF_ANY) != 0 ||
	    test_run(r, p, 1, &retval, NULL) != 0 ||
	    bpf_map_lookup_elem(r->result_fd, &zero, &got) != 0 ||
	    bpf_map_lookup_elem(r->target.bss_map_fd, &zero, r->bss) != 0)
		return -1;
	c = (const struct capture_counters *)(r->bss + COUNTERS_OFFSET);
	for (slot = 0; slot < CAPTURE_COUNTER_SLOTS; slot++)
		rejected += c[slot].rejected;
	v->delivered = (int)got.count;
	v->snap = got.snap;
	v->generation = got.generation;
	v->rejected = rejected - r->rejected;
	r->rejected = rejected;
	v->returned_pass = (int)retval == r->target.pass_verdict;
	if (!v->returned_pass && (int)retval != r->delivered_value)
		v->returned_pass = -1;	/* neither: reported as a mismatch */
	return 0;
}

int
rig_time(struct compiled_filter_rig *r, const struct rig_packet *p,
    unsigned int repeat, double *ns)
{
	uint32_t retval, duration;

	if (prepare(r, p) != 0 || test_run(r, p, repeat, &retval,
	    &duration) != 0)
		return -1;
	*ns = duration;
	return 0;
}

void
rig_close(struct compiled_filter_rig *r)
{
	size_t i;

	if (r == NULL)
		return;
	{
		int fds[] = { r->target.decision_map_fd, r->target.bss_map_fd,
		    r->target.programs_map_fd, r->result_fd, r->packet_fd,
		    r->deliver_fd, r->filter_fd };

		for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	free(r->decisions);
	free(r->bss);
	free(r);
}
