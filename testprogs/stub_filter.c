/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stand-in for a compiled filter (bpf/filter_decision.h), written by
 * hand: it accepts every packet with a fixed snap length, or rejects
 * every one, as the contract says a compiled filter does.  Put into the
 * probe's programs map with the probe's filter.compiled_generation set,
 * it shows that the probe tail-calls it instead of interpreting, that the
 * delivery program delivers what it accepts, and that rejects count.
 * The probe is the one a bpf: handle of this process loaded; its maps are
 * found among the process's descriptors, by name.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "bpf/filter_decision.h"
#include "bpf/filter_program.h"
#include "stub_filter.h"

struct probe_maps {
	int decision, programs, bss;
	__u32 bss_size, bss_btf_id, bss_value_type;
};

static int
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

static int
find_maps(struct probe_maps *m)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	m->decision = m->programs = m->bss = -1;
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		int fd = atoi(e->d_name);
		char path[64], target[64];
		ssize_t n;

		if (e->d_name[0] == '.' || fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, "anon_inode:bpf-map") != 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0)
			continue;
		if (strcmp(info.name, "decision") == 0)
			m->decision = fd;
		else if (strcmp(info.name, "filter_programs") == 0)
			m->programs = fd;
		else if (ends_with(info.name, ".bss") &&
		    strncmp(info.name, "capture", 7) == 0) {
			m->bss = fd;
			m->bss_size = info.value_size;
			m->bss_btf_id = info.btf_id;
			m->bss_value_type = info.btf_value_type_id;
		}
	}
	closedir(d);
	return m->decision >= 0 && m->programs >= 0 && m->bss >= 0 ? 0 : -1;
}

/* Where global variable name lies in the .bss, from the map's BTF. */
static long
bss_offset(const struct probe_maps *m, const char *name)
{
	struct btf *btf = btf__load_from_kernel_by_id(m->bss_btf_id);
	const struct btf_type *sec;
	const struct btf_var_secinfo *v;
	long offset = -1;
	int i;

	if (btf == NULL)
		return -1;
	sec = btf__type_by_id(btf, m->bss_value_type);
	if (sec != NULL && btf_is_datasec(sec)) {
		v = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++, v++) {
			const struct btf_type *var = btf__type_by_id(btf,
			    v->type);

			if (var != NULL && strcmp(btf__name_by_offset(btf,
			    var->name_off), name) == 0)
				offset = v->offset;
		}
	}
	btf__free(btf);
	return offset;
}

/* Instructions, spelled out: the kernel's macros are not UAPI. */
#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
	    .off = (o), .imm = (i) })
#define MOV64_REG(d, s)		INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i)		INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD64_IMM(d, i)		INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ST_W(d, o, i)		INSN(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define LD_MAP_FD(d, fd)	INSN(BPF_LD | BPF_DW | BPF_IMM, d, \
				    BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)
#define CALL(f)			INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define JEQ_IMM(d, i, o)	INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define ATOMIC_ADD_DW(d, s, o)	INSN(BPF_STX | BPF_ATOMIC | BPF_DW, d, s, o, \
				    BPF_ADD)
#define EXIT()			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* r0 = lookup(map, key 0); to out (n instructions on) when NULL. */
#define LOOKUP_KEY0(map, n)						\
	ST_W(BPF_REG_10, -4, 0), LD_MAP_FD(BPF_REG_1, map),		\
	MOV64_REG(BPF_REG_2, BPF_REG_10), ADD64_IMM(BPF_REG_2, -4),	\
	CALL(BPF_FUNC_map_lookup_elem), JEQ_IMM(BPF_REG_0, 0, n)

int
stub_filter_install(const struct stub_filter *want, char *err, size_t errlen)
{
	struct probe_maps m;
	long filter_at, counters_at;
	struct capture_filter *filter;
	void *bss;
	size_t bss_len;
	__u32 key = FILTER_SLOT_COMPILED, generation, page;
	/* As the probe's programs: "xdp[.frags]", "tc" (TC_NEXT). */
	enum bpf_prog_type type = want->xdp ? BPF_PROG_TYPE_XDP :
	    BPF_PROG_TYPE_SCHED_CLS;
	int pass = want->xdp ? XDP_PASS : -1;
	int prog, error = 0;

	if (find_maps(&m) != 0) {
		snprintf(err, errlen, "no capture probe maps among the descriptors");
		return -1;
	}
	filter_at = bss_offset(&m, "filter");
	counters_at = bss_offset(&m, "counters");
	if (filter_at < 0 || counters_at < 0 || counters_at > 30000) {
		snprintf(err, errlen, "no filter/counters in the .bss BTF");
		return -1;
	}
	page = (__u32)sysconf(_SC_PAGESIZE);
	bss_len = (m.bss_size + page - 1) / page * page;
	bss = mmap(NULL, bss_len, PROT_READ | PROT_WRITE, MAP_SHARED, m.bss, 0);
	if (bss == MAP_FAILED) {
		snprintf(err, errlen, "mmap .bss: %s", strerror(errno));
		return -1;
	}
	filter = (struct capture_filter *)((char *)bss + filter_at);
	generation = want->generation != 0 ? want->generation :
	    filter->slots[filter->active & 1].generation;

	if (want->mode == STUB_OFF) {
		/* compiled_generation stays: the tail call finds nothing. */
		error = bpf_map_delete_elem(m.programs, &key);
		if (error != 0 && errno == ENOENT)
			error = 0;
		goto out;
	}
	struct bpf_insn accept[] = {
		MOV64_REG(BPF_REG_6, BPF_REG_1),
		LOOKUP_KEY0(m.decision, 7),
		ST_W(BPF_REG_0, offsetof(struct capture_decision, snap),
		    (int)want->snap),
		ST_W(BPF_REG_0, offsetof(struct capture_decision, generation),
		    (int)generation),
		MOV64_REG(BPF_REG_1, BPF_REG_6),
		LD_MAP_FD(BPF_REG_2, m.programs),
		MOV64_IMM(BPF_REG_3, FILTER_SLOT_DELIVER),
		CALL(BPF_FUNC_tail_call),
		MOV64_IMM(BPF_REG_0, pass),
		EXIT(),
	};
	struct bpf_insn reject[] = {
		LOOKUP_KEY0(m.bss, 2),
		MOV64_IMM(BPF_REG_1, 1),
		ATOMIC_ADD_DW(BPF_REG_0, BPF_REG_1, (short)(counters_at +
		    offsetof(struct capture_counters, rejected))),
		MOV64_IMM(BPF_REG_0, pass),
		EXIT(),
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
	    .prog_flags = want->xdp && want->xdp_frags ?
	    BPF_F_XDP_HAS_FRAGS : 0,
	    .expected_attach_type = want->xdp ? BPF_XDP : 0);
	char log[4096];

	opts.log_buf = log;
	opts.log_size = sizeof(log);
	opts.log_level = 1;
	log[0] = '\0';
	if (want->mode == STUB_ACCEPT)
		prog = bpf_prog_load(type, "stub_accept",
		    "Dual BSD/GPL", accept, sizeof(accept) / sizeof(accept[0]),
		    &opts);
	else
		prog = bpf_prog_load(type, "stub_reject",
		    "Dual BSD/GPL", reject, sizeof(reject) / sizeof(reject[0]),
		    &opts);
	if (prog < 0) {
		snprintf(err, errlen, "loading the stub: %s: %.300s",
		    strerror(errno), log);
		error = -1;
		goto out;
	}
	if (bpf_map_update_elem(m.programs, &key, &prog, BPF_ANY) != 0) {
		snprintf(err, errlen, "programs map: %s", strerror(errno));
		close(prog);
		error = -1;
		goto out;
	}
	close(prog);		/* the map holds it */
	__atomic_store_n(&filter->compiled_generation, generation,
	    __ATOMIC_RELEASE);
out:
	if (error != 0 && err[0] == '\0')
		snprintf(err, errlen, "%s", strerror(errno));
	munmap(bss, bss_len);
	return error;
}

/* counters[].rejected, summed over the slots. */
long
stub_filter_rejected(void)
{
	struct probe_maps m;
	long counters_at, sum = 0;
	__u32 page, i;
	size_t bss_len;
	void *bss;

	if (find_maps(&m) != 0 || (counters_at = bss_offset(&m,
	    "counters")) < 0)
		return -1;
	page = (__u32)sysconf(_SC_PAGESIZE);
	bss_len = (m.bss_size + page - 1) / page * page;
	bss = mmap(NULL, bss_len, PROT_READ, MAP_SHARED, m.bss, 0);
	if (bss == MAP_FAILED)
		return -1;
	for (i = 0; i < CAPTURE_COUNTER_SLOTS; i++)
		sum += (long)((struct capture_counters *)((char *)bss +
		    counters_at))[i].rejected;
	munmap(bss, bss_len);
	return sum;
}
