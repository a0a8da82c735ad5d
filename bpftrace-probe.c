/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loads and attaches the capture probe (bpf/capture.bpf.c, embedded as a
 * libbpf skeleton: no files are read at run time).
 *
 * A tap lists the mechanisms that can serve it, cheapest first (tp_btf
 * then raw_tp; fentry then kprobe; tcx then clsact); the first one the
 * kernel both loads and attaches is used (PCAP_BPF_DEBUG shows each
 * refusal), and the refusals are reported together when none is.  Every attachment but clsact is a bpf_link held
 * through a file descriptor, so a process that dies, even by SIGKILL,
 * leaves nothing attached; a clsact filter is removed by pcap_close() and
 * at exit, not after SIGKILL.
 */
#define _GNU_SOURCE		/* secure_getenv */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_arp.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/filter_decision.h"
#include "bpftrace-function-pattern.h"
#include "bpftrace-grant.h"
#include "bpftrace-libbpf-log.h"
#include "bpftrace-privilege.h"
#include "bpftrace-probe.h"
#include "bpftrace-status.h"
#include "bpftrace-tap.h"
#include "bpftrace-tc-guardian.h"
#include "bpftrace-tracepoint-notes.h"
#include "capture.skel.h"
#include "capture_noloop.skel.h"

#define RING_BYTES_MAX		((size_t)1 << 30)
/* enum bpf_attach_type values of tcx (Linux 6.6), newer than some headers. */
#define ATTACH_TCX_INGRESS	46
#define ATTACH_TCX_EGRESS	47
/* bpf_mprog's placement flags (Linux 6.6), newer than some headers. */
#define MPROG_BEFORE		(1U << 3)	/* BPF_F_BEFORE */
#define MPROG_AFTER		(1U << 4)	/* BPF_F_AFTER */
/* XDP attach modes (linux/if_link.h). */
#define XDP_MODE_SKB		(1U << 1)	/* XDP_FLAGS_SKB_MODE */
#define XDP_MODE_DRV		(1U << 2)	/* XDP_FLAGS_DRV_MODE */
/* clsact filter priorities: 1 runs first; 0 asks the kernel for one. */
#define CLSACT_PRIORITY_FIRST	1
#define CLSACT_PRIORITY_LAST	0xffff

enum { HOOK_INGRESS, HOOK_EGRESS, HOOKS };

struct capture_probe {
	struct capture_bpf *skel;
	enum probe_mechanism mechanism;
	size_t ring_bytes;
	struct bpf_link *link;		/* tracing taps */
	int xdp_link_fd;		/* XDP, in the mode asked for */
	int tcx_link_fd[HOOKS];
	struct bpf_tc_hook tc_hook[HOOKS];
	struct bpf_tc_opts tc_filter[HOOKS];
	int tc_attached[HOOKS];
	int tc_hook_created[HOOKS];
	struct tc_guardian guardian;	/* removes clsact filters at the end */
	int ring_copy_scratch;		/* the probe copies through scratch */
	int skb_paged;			/* it reads paged data (tp_btf) */
	int skb_output;			/* or has it copied (bpf_skb_output) */
	int attach_btf_obj_fd;		/* filter target: a module's BTF */
	struct bpf_link *untrack_link[2];	/* ,track: the hidden programs
						   at kfree_skb, consume_skb */
	char placed[96];		/* where it attached, for
					   PCAP_BPF_DEBUG */
	/*
	 * At the user's XDP or tc program (the tap's program_id): that
	 * program, and its main function, the probe's attach target.
	 */
	int target_prog_fd;		/* -1: none */
	int xdp_program;		/* it is an XDP program */
	char target_function[TAP_NAME_MAX];
	char btf_target[TAP_NAME_MAX];	/* tp_btf, fentry, fexit: the
					   kernel function or tracepoint */
	struct bpf_link **function_links;	/* a pattern's kprobes, one
						   per function */
	size_t function_link_count;
	struct bpf_link *gso_link;	/* ,track: the one where GSO splits */
	int gso_refused;		/* the kernel refused it: without */
	int gso_loading;		/* the object being loaded has it */
	const char *device;		/* for messages, while opening */
};

/*
 * ,track: the functions where GSO splits an skb, the first this kernel's
 * BTF has: __skb_gso_segment() (5.x on; the transmit path's
 * validate_xmit_skb(), netfilter's queue, qdiscs that segment), else
 * skb_mac_gso_segment(), which it calls.  Each takes the skb first and
 * returns the list of segments.  NULL where none is known (or no BTF).
 */
static const char *
gso_target(uint32_t *nargs)
{
	static const char *const names[] = {
		"__skb_gso_segment", "skb_mac_gso_segment"
	};
	static const char *found;
	static uint32_t found_nargs;
	static int known;
	const struct btf_type *t;
	struct btf *vmlinux;
	size_t i;
	int id;

	if (!known && (vmlinux = btf__load_vmlinux_btf()) != NULL) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			id = btf__find_by_name_kind(vmlinux, names[i],
			    BTF_KIND_FUNC);
			if (id <= 0 ||
			    (t = btf__type_by_id(vmlinux, id)) == NULL ||
			    (t = btf__type_by_id(vmlinux, t->type)) == NULL ||
			    !btf_is_func_proto(t) || btf_vlen(t) < 1 ||
			    btf_vlen(t) > 11)
				continue;
			found = names[i];
			found_nargs = btf_vlen(t);
			break;
		}
		btf__free(vmlinux);
	}
	known = 1;
	*nargs = found_nargs;
	return found;
}

/*
 * Whether the kernel loads an fexit program at the GSO target: a program
 * that only returns, asked once.  Kernels that refuse BPF trampolines
 * (lockdown, no JIT support) refuse it here, and the probe is then loaded
 * without the program, sparing a load that would fail.  0, or the errno.
 */
static int
gso_fexit_refusal(void)
{
	static int known = -1;
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT }
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
	    .expected_attach_type = BPF_TRACE_FEXIT);
	const char *target;
	uint32_t nargs;
	int fd, id;

	if (known >= 0)
		return known;
	if ((target = gso_target(&nargs)) == NULL ||
	    (id = libbpf_find_vmlinux_btf_id(target, BPF_TRACE_FEXIT)) < 0) {
		known = ENOENT;
		return known;
	}
	opts.attach_btf_id = (uint32_t)id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns,
	    sizeof(insns) / sizeof(insns[0]), &opts);
	known = fd >= 0 ? 0 : errno ? errno : EINVAL;
	if (fd >= 0)
		close(fd);
	return known;
}

/*
 * Says why GSO segments are not followed (PCAP_BPF_DEBUG): stage is what
 * failed with error.  Once per probe: the probe is then without them.
 */
static void
gso_refuse(struct capture_probe *probe, const char *stage, int error)
{
	uint32_t nargs;
	const char *target = gso_target(&nargs);

	probe->gso_refused = 1;
	if (secure_getenv("PCAP_BPF_DEBUG") == NULL)
		return;
	if (target == NULL)
		fprintf(stderr, "%s: tracking: GSO segments are not followed:"
		    " no __skb_gso_segment in the kernel's BTF\n",
		    probe->device);
	else
		fprintf(stderr, "%s: tracking: GSO segments are not followed:"
		    " %s fexit at %s: %s%s\n", probe->device, stage, target,
		    strerror(error), error == EPERM || error == EOPNOTSUPP ||
		    error == 524 ? " (this kernel refuses BPF trampolines)" :
		    "");
}

/*
 * ,track: the program following GSO segments, loaded by the probe asked
 * to (one per capture) where the kernel has a target and loads fexit
 * programs there.
 */
static int
set_gso_autoload(struct capture_bpf *skel,
    const struct capture_probe_request *req, struct capture_probe *probe)
{
	const char *target;
	uint32_t nargs;
	int error;

	probe->gso_loading = 0;
	if (!req->track_segments || req->scope.track_entries == 0 ||
	    probe->gso_refused)
		return bpf_program__set_autoload(skel->progs.track_gso, false);
	if ((target = gso_target(&nargs)) == NULL ||
	    (error = gso_fexit_refusal()) != 0) {
		gso_refuse(probe, "loading a", target == NULL ? ENOENT : error);
		return bpf_program__set_autoload(skel->progs.track_gso, false);
	}
	skel->rodata->track_gso_ret_index = nargs;
	bpf_program__set_autoload(skel->progs.track_gso, true);
	probe->gso_loading = 1;
	return bpf_program__set_attach_target(skel->progs.track_gso, 0,
	    target);
}

/* The kernel wants a power of two of at least one page. */
static size_t
ring_size_for(size_t want)
{
	size_t size = (size_t)sysconf(_SC_PAGESIZE);

	while (size < want && size < RING_BYTES_MAX)
		size <<= 1;
	return size;
}

static int
hook_wanted(const struct resolved_tap *tap, int hook)
{
	return tap->hooks == TAP_HOOKS_BOTH ||
	    (hook == HOOK_INGRESS && tap->hooks == TAP_HOOKS_INGRESS) ||
	    (hook == HOOK_EGRESS && tap->hooks == TAP_HOOKS_EGRESS);
}

static struct bpf_program *
tc_program(struct capture_bpf *skel, int hook)
{
	return hook == HOOK_INGRESS ? skel->progs.capture_tc_ingress :
	    skel->progs.capture_tc_egress;
}

/* XDP: whether the probe is the pair without "frags" (generic mode). */
static int
xdp_linear(struct capture_bpf *skel)
{
	return bpf_program__autoload(skel->progs.capture_xdp_linear);
}

/*
 * The one program a mechanism runs (tc: the ingress one; see hook_wanted;
 * fentry and fexit at the user's XDP program: those reading its frame).
 */
static struct bpf_program *
program_for(struct capture_bpf *skel, enum probe_mechanism m, int xdp_program)
{
	switch (m) {
	case PROBE_TP_BTF: return skel->progs.capture_tp_btf;
	case PROBE_RAW_TP: return skel->progs.capture_raw_tp;
	case PROBE_FENTRY: return xdp_program ? skel->progs.capture_xdp_entry :
	    skel->progs.capture_fentry;
	case PROBE_FEXIT: return xdp_program ? skel->progs.capture_xdp_exit :
	    skel->progs.capture_fexit;
	case PROBE_KPROBE: return skel->progs.capture_kprobe;
	case PROBE_KPROBE_MULTI: return skel->progs.capture_kprobe_multi;
	case PROBE_XDP: return xdp_linear(skel) ?
	    skel->progs.capture_xdp_linear : skel->progs.capture_xdp;
	case PROBE_TCX:
	case PROBE_CLSACT: return skel->progs.capture_tc_ingress;
	}
	return NULL;
}

/*
 * The delivery program a compiled filter tail-calls (bpf/filter_decision.h):
 * of the entry program's type, loaded with its attach target.
 */
static struct bpf_program *
delivery_program_for(struct capture_bpf *skel, enum probe_mechanism m)
{
	switch (m) {
	case PROBE_TP_BTF: return skel->progs.deliver_tp_btf;
	case PROBE_RAW_TP: return skel->progs.deliver_raw_tp;
	case PROBE_FENTRY: return skel->progs.deliver_fentry;
	case PROBE_FEXIT: return skel->progs.deliver_fexit;
	case PROBE_KPROBE: return skel->progs.deliver_kprobe;
	case PROBE_KPROBE_MULTI: return skel->progs.deliver_kprobe_multi;
	case PROBE_XDP: return xdp_linear(skel) ?
	    skel->progs.deliver_xdp_linear : skel->progs.deliver_xdp;
	case PROBE_TCX:
	case PROBE_CLSACT: return skel->progs.deliver_tc;
	}
	return NULL;
}

static int
set_autoload(struct capture_bpf *skel, const struct capture_probe_request *req,
    const struct capture_probe *probe, enum probe_mechanism m)
{
	const struct resolved_tap *tap = req->tap;
	struct bpf_object *obj = skel->obj;
	struct bpf_program *prog, *deliver;
	int tc = m == PROBE_TCX || m == PROBE_CLSACT, error;

	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, false);
	/* Generic XDP: the pair without "frags" (see attach_xdp()). */
	if (m == PROBE_XDP && tap->xdp_mode == TAP_XDP_GENERIC)
		bpf_program__set_autoload(skel->progs.capture_xdp_linear, true);
	deliver = delivery_program_for(skel, m);
	bpf_program__set_autoload(deliver, true);
	bpf_program__set_autoload(skel->progs.untrack_kfree_skb,
	    req->untrack_kfree_skb != 0);
	bpf_program__set_autoload(skel->progs.untrack_consume_skb,
	    req->untrack_consume_skb != 0);
	if (tc) {
		bpf_program__set_autoload(skel->progs.capture_tc_ingress,
		    hook_wanted(tap, HOOK_INGRESS));
		bpf_program__set_autoload(skel->progs.capture_tc_egress,
		    hook_wanted(tap, HOOK_EGRESS));
		return 0;
	}
	prog = program_for(skel, m, probe->xdp_program);
	bpf_program__set_autoload(prog, true);
	if (probe->target_prog_fd >= 0) {
		/* At the user's program: its main function (xdpdump's way). */
		if ((error = bpf_program__set_attach_target(prog,
		    probe->target_prog_fd, probe->target_function)) != 0)
			return error;
		return bpf_program__set_attach_target(deliver,
		    probe->target_prog_fd, probe->target_function);
	}
	if (m == PROBE_TP_BTF || m == PROBE_FENTRY || m == PROBE_FEXIT) {
		if ((error = bpf_program__set_attach_target(prog, 0,
		    tap->target)) != 0)
			return error;
		return bpf_program__set_attach_target(deliver, 0, tap->target);
	}
	return 0;
}

/*
 * Whether the kernel has bpf_loop() (Linux 5.17), which the probe's
 * filter interpreter steps with.  Asked once; an answer other than "no"
 * (a probe that could not run) keeps the full probe, whose load then
 * says what is wrong.
 */
static int
kernel_has_bpf_loop(void)
{
	static int known = -1;

	if (known < 0)
		known = libbpf_probe_bpf_helper(BPF_PROG_TYPE_SCHED_CLS,
		    BPF_FUNC_loop, NULL) != 0;
	return known;
}

/*
 * The probe's skeleton, holding the full probe or, where the kernel has
 * no bpf_loop(), the probe without the filter interpreter: the same
 * programs, maps and global data (the build checks it), so one skeleton
 * serves both.  NULL with errno set.
 */
static struct capture_bpf *
open_skeleton(int interpreter)
{
	struct capture_bpf *skel = calloc(1, sizeof(*skel));
	size_t size;
	int error;

	if (skel == NULL)
		return NULL;
	error = capture_bpf__create_skeleton(skel);
	if (error == 0 && !interpreter) {
		skel->skeleton->data = capture_noloop_bpf__elf_bytes(&size);
		skel->skeleton->data_sz = size;
	}
	if (error == 0)
		error = bpf_object__open_skeleton(skel->skeleton, NULL);
	if (error != 0) {
		capture_bpf__destroy(skel);
		errno = -error;
		return NULL;
	}
	return skel;
}

/* Opens the skeleton and sets everything that must be fixed before load. */
static int
prepare_object(const struct capture_probe_request *req,
    const struct capture_probe *probe, enum probe_mechanism m,
    int ring_copy_scratch, int skb_paged, int skb_output,
    struct capture_bpf **skelp)
{
	size_t ring_bytes = probe->ring_bytes;
	const struct resolved_tap *tap = req->tap;
	struct capture_bpf *skel = open_skeleton(kernel_has_bpf_loop());
	uint32_t scratch_size, scratch_entries;
	int error;

	if (skel == NULL)
		return errno ? errno : ENOMEM;
	skel->rodata->skb_arg_index = (uint32_t)tap->skb_arg_index;
	skel->rodata->function_pattern = tap->functions != NULL;
	skel->rodata->skb_paged = (uint32_t)skb_paged;
	skel->rodata->skb_output = (uint32_t)skb_output;
	/* kprobes reach the first six arguments only. */
	skel->rodata->reason_arg_index = m == PROBE_KPROBE &&
	    tap->reason_arg_index >= 6 ? -1 : tap->reason_arg_index;
	skel->rodata->snaplen = req->snaplen;
	skel->rodata->tap_direction =
	    tap->path == TAP_PATH_TRANSMIT ? RING_DIRECTION_OUT :
	    tap->path == TAP_PATH_RECEIVE ? RING_DIRECTION_IN :
	    RING_DIRECTION_INOUT;
	skel->rodata->capture_netns = req->netns_inode;
	skel->rodata->scope_netns = req->scope.netns;
	skel->rodata->scope_cgroup_id = req->scope.cgroup_id;
	skel->rodata->scope_ifindex = req->scope.ifindex;
	skel->rodata->track_packets = req->scope.track_entries != 0;
	skel->rodata->track_free_tap = (uint32_t)req->track_free_tap;
	skel->rodata->loopback_both_hooks = tap->family == TAP_FAMILY_TC &&
	    tap->arphrd == ARPHRD_LOOPBACK && tap->hooks == TAP_HOOKS_BOTH;
	skel->rodata->device_arphrd = tap->arphrd;
	skel->rodata->device_has_ethernet = (uint32_t)tap->has_ethernet;
	memcpy((void *)skel->rodata->device_mac, tap->mac, 6);
	if (probe->target_prog_fd >= 0) {
		/*
		 * The user's program may serve other interfaces too: the
		 * tap's alone, in this namespace.  After it, its verdict
		 * (its one argument's successor), those asked for only.
		 */
		skel->rodata->scope_ifindex = (uint32_t)tap->ifindex;
		if (req->netns_inode != 0)
			skel->rodata->scope_netns = req->netns_inode;
		skel->rodata->verdict_arg_index = m == PROBE_FEXIT ? 1 : -1;
		skel->rodata->verdict_mask = tap->verdicts;
	}

	/*
	 * Scratch only where the kernel cannot reserve ring space of a
	 * size known at run time: a record per CPU (header, link header and
	 * window, snap length).  Else one small entry nothing uses.
	 */
	skel->rodata->ring_copy_scratch = (uint32_t)ring_copy_scratch;
	if (ring_copy_scratch) {
		scratch_size = sizeof(struct ring_record) +
		    RING_LINK_HEADER_MAX + DECISION_WINDOW +
		    ((req->snaplen + 7) & ~7u);
		scratch_entries = (uint32_t)libbpf_num_possible_cpus();
	} else {
		scratch_size = sizeof(struct ring_record);
		scratch_entries = 1;
	}
	skel->rodata->tap_index = req->tap_index;
	if ((error = bpf_map__set_value_size(skel->maps.scratch,
	    scratch_size)) ||
	    (error = bpf_map__set_max_entries(skel->maps.scratch,
	    scratch_entries)) ||
	    (error = req->shared_ring_fd >= 0 ?
	    bpf_map__reuse_fd(skel->maps.ring, req->shared_ring_fd) :
	    bpf_map__set_max_entries(skel->maps.ring, (uint32_t)ring_bytes)) ||
	    (req->shared_perf_fd >= 0 && (error = bpf_map__reuse_fd(
	    skel->maps.packets, req->shared_perf_fd))) ||
	    (error = req->shared_track_fd >= 0 ?
	    bpf_map__reuse_fd(skel->maps.tracked, req->shared_track_fd) :
	    bpf_map__set_max_entries(skel->maps.tracked,
	    req->scope.track_entries > 0 ? req->scope.track_entries : 1)) ||
	    (error = set_autoload(skel, req, probe, m)))
		goto fail;
	*skelp = skel;
	return 0;
fail:
	capture_bpf__destroy(skel);
	return -error;
}

/* Refuses to share an interface's XDP hook: never replace a user's program. */
static int
check_xdp_free(const struct resolved_tap *tap, char *why, size_t len)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(tap->ifindex, 0, &q) == 0 && q.attach_mode != 0) {
		snprintf(why, len, "interface %s already has an XDP program"
		    " (id %u), which bpf:xdp: never replaces; capture at"
		    " bpf:tc:%s:ingress instead", tap->target, q.prog_id,
		    tap->target);
		return EBUSY;
	}
	return 0;
}

/*
 * tcx keeps a hook's programs in order: BPF_F_BEFORE with no program to
 * be relative to puts ours at the head (what arrived), BPF_F_AFTER at
 * the tail (what survived the programs before it).  The place holds when
 * attaching: a program attached later, after the tail or before the
 * head, runs beyond ours; the kernel keeps no program last or first.
 */
static int
attach_tcx(struct capture_probe *probe, const struct resolved_tap *tap)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int hook, fd;

	opts.flags = tap->tc_place == TAP_TC_BEFORE ? MPROG_BEFORE :
	    MPROG_AFTER;
	for (hook = 0; hook < HOOKS; hook++) {
		if (!hook_wanted(tap, hook))
			continue;
		fd = bpf_link_create(bpf_program__fd(tc_program(probe->skel,
		    hook)), tap->ifindex, hook == HOOK_INGRESS ?
		    ATTACH_TCX_INGRESS : ATTACH_TCX_EGRESS, &opts);
		if (fd < 0)
			return -fd;
		probe->tcx_link_fd[hook] = fd;
	}
	snprintf(probe->placed, sizeof(probe->placed), "tcx, %s",
	    tap->tc_place == TAP_TC_BEFORE ? "before the hook's first program"
	    : "after the hook's last program");
	return 0;
}

/*
 * See bpftrace-tc-guardian.h: the filters must go even without
 * privileges, and even if this process is killed while attaching them,
 * so the guardian starts first, knowing them by their programs' ids.
 * The guardian's own message says what failed (a pipe, the fork); errno
 * is gone by then (it formatted and closed), so the code is EAGAIN: a
 * resource that may be there on the next try.
 */
static int
start_guardian(struct capture_probe *probe, const struct resolved_tap *tap,
    char *why, size_t len)
{
	uint32_t ids[HOOKS];
	char reason[200];	/* the caller's why holds 256 */
	int hook, n = 0;

	for (hook = 0; hook < HOOKS; hook++) {
		struct bpf_prog_info info;
		uint32_t info_len = sizeof(info);

		if (!hook_wanted(tap, hook))
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(tc_program(
		    probe->skel, hook)), &info, &info_len) != 0)
			return errno ? errno : EINVAL;
		ids[n++] = info.id;
	}
	if (bpftrace_tc_guardian_start(&probe->guardian, tap->ifindex, ids, n,
	    reason, sizeof(reason)) != 0) {
		snprintf(why, len, "clsact attaching: %s", reason);
		return EAGAIN;
	}
	return 0;
}

/*
 * clsact runs a hook's filters by priority, the lowest number first.
 * Before: one below the lowest there; after: one above the highest.
 * With no filter there, the kernel chooses (as it did before places
 * were asked for).  A filter already at the first (or last) priority
 * leaves no room: refused rather than sharing a priority, where the
 * order of two filters is the kernel's.  As with tcx, a filter added
 * later may take a place beyond ours.
 */
static int
clsact_priority(const struct resolved_tap *tap, int hook, uint32_t *priority,
    char *why, size_t len)
{
	const char *name = hook == HOOK_INGRESS ? "ingress" : "egress";
	uint32_t lowest, highest;
	int n;

	n = bpftrace_tc_clsact_priorities(tap->ifindex, hook == HOOK_EGRESS,
	    &lowest, &highest);
	if (n < 0) {
		snprintf(why, len, "clsact: cannot list the filters at %s's"
		    " %s: %s", tap->target, name, strerror(-n));
		return -n;
	}
	*priority = 0;
	if (n == 0)
		return 0;
	if (tap->tc_place == TAP_TC_BEFORE) {
		if (lowest <= CLSACT_PRIORITY_FIRST) {
			snprintf(why, len, "clsact: a filter at %s's %s holds"
			    " priority %u, the first: nothing can run before"
			    " it (tcx, Linux 6.6, has no such limit)",
			    tap->target, name, lowest);
			return EBUSY;
		}
		*priority = lowest - 1;
	} else {
		if (highest >= CLSACT_PRIORITY_LAST) {
			snprintf(why, len, "clsact: a filter at %s's %s holds"
			    " priority %u, the last: nothing can run after"
			    " it (tcx, Linux 6.6, has no such limit)",
			    tap->target, name, highest);
			return EBUSY;
		}
		*priority = highest + 1;
	}
	return 0;
}

static int
attach_clsact_locked(struct capture_probe *probe,
    const struct resolved_tap *tap, char *why, size_t len)
{
	int hook, error, first = 1;
	uint32_t priority[HOOKS] = { 0, 0 };

	/* Chosen before anything changes: a refusal leaves the hooks. */
	for (hook = 0; hook < HOOKS; hook++)
		if (hook_wanted(tap, hook) && (error = clsact_priority(tap,
		    hook, &priority[hook], why, len)) != 0)
			return error;

	if ((error = start_guardian(probe, tap, why, len)) != 0)
		return error;
	for (hook = 0; hook < HOOKS; hook++) {
		struct bpf_tc_hook *h = &probe->tc_hook[hook];
		struct bpf_tc_opts *f = &probe->tc_filter[hook];

		if (!hook_wanted(tap, hook))
			continue;
		memset(h, 0, sizeof(*h));
		h->sz = sizeof(*h);
		h->ifindex = tap->ifindex;
		h->attach_point = hook == HOOK_INGRESS ? BPF_TC_INGRESS :
		    BPF_TC_EGRESS;
		error = bpf_tc_hook_create(h);
		if (error == 0)
			probe->tc_hook_created[hook] = 1;
		else if (error != -EEXIST)
			return -error;
		/* One qdisc serves both hooks: the first one says. */
		if (first)
			bpftrace_tc_guardian_qdisc(&probe->guardian, error == 0);
		first = 0;
		memset(f, 0, sizeof(*f));
		f->sz = sizeof(*f);
		f->prog_fd = bpf_program__fd(tc_program(probe->skel, hook));
		f->priority = priority[hook];
		if ((error = bpf_tc_attach(h, f)) != 0)
			return -error;
		probe->tc_attached[hook] = 1;
	}
	snprintf(probe->placed, sizeof(probe->placed), "clsact, %s, priority"
	    " %u (ingress) %u (egress)", tap->tc_place == TAP_TC_BEFORE ?
	    "before the hook's filters" : "after the hook's filters",
	    probe->tc_filter[HOOK_INGRESS].priority,
	    probe->tc_filter[HOOK_EGRESS].priority);
	return 0;
}

/*
 * Holds the interface's clsact lock from starting the guardian until the
 * filters are attached: a guardian ending another capture must not see
 * the qdisc empty and remove it under this one (bpftrace-tc-guardian.h).
 * On failure the guardian removes what was attached, at detach().
 */
static int
attach_clsact(struct capture_probe *probe, const struct resolved_tap *tap,
    char *why, size_t len)
{
	int lock, error;

	if ((lock = bpftrace_tc_clsact_lock(tap->ifindex, why, len)) < 0)
		return EBUSY;
	error = attach_clsact_locked(probe, tap, why, len);
	bpftrace_tc_guardian_attached(&probe->guardian);
	bpftrace_tc_clsact_unlock(lock);
	return error;
}

/*
 * Generic XDP unless native is asked for: a native attach makes many
 * drivers rebuild their receive rings (some take the link down and up),
 * a cost the user must choose; generic runs in the stack, after the
 * driver, the device untouched.  In generic mode the program is one
 * without "frags" (set_autoload()): the kernel then makes each packet
 * linear before the program, which still sees it whole.  A frags-aware
 * generic program gets the packet copied by skb_cow_data_for_xdp()
 * (Linux 6.9 on), and on 6.18 the copy has lost its MAC header length:
 * every tc program after it, the user's included, reads the frame from
 * its network header (measured: a tc program dropping a UDP port no
 * longer did).  bpf_program__attach_xdp() takes no mode, hence
 * bpf_link_create() and a link held by its descriptor.
 */
static int
attach_xdp(struct capture_probe *probe, const struct resolved_tap *tap,
    struct bpf_program *prog, char *why, size_t len)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	const char *mode = tap->xdp_mode == TAP_XDP_NATIVE ? "native" :
	    "generic";
	int fd;

	opts.flags = tap->xdp_mode == TAP_XDP_NATIVE ? XDP_MODE_DRV :
	    XDP_MODE_SKB;
	fd = bpf_link_create(bpf_program__fd(prog), tap->ifindex, BPF_XDP,
	    &opts);
	if (fd < 0) {
		snprintf(why, len, "xdp attaching in %s mode: %s%s", mode,
		    strerror(-fd), tap->xdp_mode == TAP_XDP_NATIVE &&
		    (fd == -EOPNOTSUPP || fd == -EINVAL) ? " (the driver of "
		    "this interface has no native XDP: leave :native out)" :
		    "");
		return -fd;
	}
	probe->xdp_link_fd = fd;
	snprintf(probe->placed, sizeof(probe->placed), "xdp, %s mode", mode);
	return 0;
}

static const char *refusal_hint(enum probe_mechanism m, int error);

static double
elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) * 1e3 +
	    (double)(now.tv_nsec - since->tv_nsec) / 1e6;
}

static void
report_attach_time(const struct resolved_tap *tap, const char *how,
    const struct timespec *since)
{
	if (secure_getenv("PCAP_BPF_DEBUG") != NULL)
		fprintf(stderr, "bpf:kprobe:%s: %zu functions attached %s in"
		    " %.1f ms\n", tap->target, tap->functions->count, how,
		    elapsed_ms(since));
}

/*
 * A pattern's functions through one kprobe.multi link (fprobe, Linux
 * 5.18): one registration for the set, each function's cookie with it.
 */
static int
attach_functions_multi(struct capture_probe *probe, struct bpf_program *prog,
    const struct resolved_tap *tap, char *why, size_t len)
{
	LIBBPF_OPTS(bpf_kprobe_multi_opts, opts);
	const struct function_set *set = tap->functions;
	struct timespec start;

	if (bpftrace_function_limit_check("kprobe.multi", tap->target,
	    set->count, 0, why, len) != TAP_OK)
		return E2BIG;
	opts.syms = (const char **)set->symbols;
	opts.cookies = (const __u64 *)set->cookies;
	opts.cnt = set->count;
	clock_gettime(CLOCK_MONOTONIC, &start);
	probe->link = bpf_program__attach_kprobe_multi_opts(prog, NULL, &opts);
	if (probe->link == NULL)
		return errno ? errno : EINVAL;
	report_attach_time(tap, "with kprobe.multi", &start);
	return 0;
}

/*
 * A pattern's functions where the kernel has no kprobe.multi: a kprobe
 * each, every one a perf event registered on its own, so far fewer.
 */
static int
attach_functions_one_by_one(struct capture_probe *probe,
    struct bpf_program *prog, const struct resolved_tap *tap, char *why,
    size_t len)
{
	LIBBPF_OPTS(bpf_kprobe_opts, opts);
	const struct function_set *set = tap->functions;
	struct timespec start;
	size_t i;
	int error;

	if (bpftrace_function_limit_check("kprobe", tap->target, set->count, 1,
	    why, len) != TAP_OK)
		return E2BIG;
	probe->function_links = calloc(set->count,
	    sizeof(*probe->function_links));
	if (probe->function_links == NULL)
		return ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < set->count; i++) {
		opts.bpf_cookie = set->cookies[i];
		probe->function_links[i] = bpf_program__attach_kprobe_opts(prog,
		    set->symbols[i], &opts);
		if (probe->function_links[i] == NULL) {
			error = errno ? errno : EINVAL;
			snprintf(why, len, "kprobe attaching at %s: %s%s",
			    set->symbols[i], strerror(error),
			    refusal_hint(PROBE_KPROBE, error));
			return error;
		}
		probe->function_link_count = i + 1;
	}
	report_attach_time(tap, "as separate kprobes", &start);
	return 0;
}

static int
attach(struct capture_probe *probe, const struct resolved_tap *tap,
    enum probe_mechanism m, char *why, size_t len)
{
	struct bpf_program *prog = program_for(probe->skel, m,
	    probe->xdp_program);
	int error;

	switch (m) {
	case PROBE_TCX:
		return attach_tcx(probe, tap);
	case PROBE_CLSACT:
		return attach_clsact(probe, tap, why, len);
	case PROBE_XDP:
		/* Checked when loading; again, for a program attached since. */
		if ((error = check_xdp_free(tap, why, len)) != 0)
			return error;
		return attach_xdp(probe, tap, prog, why, len);
	case PROBE_RAW_TP:
		probe->link = bpf_program__attach_raw_tracepoint(prog,
		    tap->target);
		break;
	case PROBE_KPROBE_MULTI:
		return attach_functions_multi(probe, prog, tap, why, len);
	case PROBE_KPROBE:
		if (tap->functions != NULL)
			return attach_functions_one_by_one(probe, prog, tap,
			    why, len);
		probe->link = bpf_program__attach_kprobe(prog, false,
		    tap->target);
		break;
	default:
		probe->link = bpf_program__attach(prog);
		break;
	}
	if (probe->link == NULL)
		return errno ? errno : EINVAL;
	return 0;
}

/* Takes down whatever is attached; the loaded object stays. */
static void
detach(struct capture_probe *probe)
{
	int hook, created = 0;
	size_t i;

	bpf_link__destroy(probe->link);
	probe->link = NULL;
	if (probe->xdp_link_fd >= 0)
		close(probe->xdp_link_fd);
	probe->xdp_link_fd = -1;
	for (i = 0; i < probe->function_link_count; i++)
		bpf_link__destroy(probe->function_links[i]);
	free(probe->function_links);
	probe->function_links = NULL;
	probe->function_link_count = 0;
	for (hook = 0; hook < 2; hook++) {
		bpf_link__destroy(probe->untrack_link[hook]);
		probe->untrack_link[hook] = NULL;
	}
	bpf_link__destroy(probe->gso_link);
	probe->gso_link = NULL;
	if (probe->guardian.watch_fd >= 0) {
		/* It removes the clsact filters (and qdisc), privileged. */
		bpftrace_tc_guardian_stop(&probe->guardian);
		for (hook = 0; hook < HOOKS; hook++)
			probe->tc_attached[hook] = probe->tc_hook_created[hook] = 0;
	}
	for (hook = 0; hook < HOOKS; hook++) {
		if (probe->tcx_link_fd[hook] >= 0)
			close(probe->tcx_link_fd[hook]);
		probe->tcx_link_fd[hook] = -1;
		if (probe->tc_attached[hook]) {
			/* Detach names the filter by handle and priority only. */
			probe->tc_filter[hook].prog_fd = 0;
			probe->tc_filter[hook].prog_id = 0;
			probe->tc_filter[hook].flags = 0;
			bpf_tc_detach(&probe->tc_hook[hook],
			    &probe->tc_filter[hook]);
			probe->tc_attached[hook] = 0;
		}
		if (probe->tc_hook_created[hook])
			created = hook + 1;
		probe->tc_hook_created[hook] = 0;
	}
	if (created) {
		/*
		 * clsact was not there before us: take it away again, but
		 * not from under a capture that attached since.
		 */
		(void)bpftrace_tc_clsact_remove_if_unused(
		    probe->tc_hook[created - 1].ifindex);
	}
}

static void
release(struct capture_probe *probe)
{
	detach(probe);
	capture_bpf__destroy(probe->skel);
	probe->skel = NULL;
	if (probe->attach_btf_obj_fd > 0)
		close(probe->attach_btf_obj_fd);
	probe->attach_btf_obj_fd = 0;
}

/* What a refusal usually means, for the message. */
static const char *
refusal_hint(enum probe_mechanism m, int error)
{
	switch (m) {
	case PROBE_FENTRY:
	case PROBE_FEXIT:
		if (error == EPERM || error == EOPNOTSUPP || error == 524)
			return " (this kernel refuses BPF trampolines)";
		break;
	case PROBE_KPROBE:
		if (error == ENOENT || error == EOPNOTSUPP)
			return " (no kprobe support: CONFIG_KPROBES)";
		break;
	case PROBE_KPROBE_MULTI:
		if (error == EINVAL || error == EOPNOTSUPP || error == 524)
			return " (no kprobe.multi: Linux 5.18 with CONFIG_FPROBE)";
		break;
	case PROBE_TCX:
		if (error == EINVAL)
			return " (no tcx: Linux 6.6 or later)";
		break;
	default:
		break;
	}
	return "";
}

/*
 * What can be known of a mechanism without attaching anything: a kprobe
 * needs the kernel's kprobe event source, an XDP hook must be free, and
 * XDP needs Linux 5.18 (multi-buffer frames: section xdp.frags,
 * bpf_xdp_load_bytes()).  Before 5.18 XDP is refused rather than given a
 * second program reading the frame by direct packet access: every copy
 * of variable length (the window, the filter's loads, delivery up to the
 * snap length) would need a loop of constant-size loads for that one
 * program type, and tc ingress on the same interface sees the same
 * packets.  0, or an errno with the reason in why.
 */
static int
attachable(const struct resolved_tap *tap, enum probe_mechanism m, char *why,
    size_t len)
{
	if (m == PROBE_KPROBE &&
	    access("/sys/bus/event_source/devices/kprobe", F_OK) != 0)
		return ENOENT;
	if (m == PROBE_KPROBE && tap->functions != NULL &&
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE,
	    BPF_FUNC_get_attach_cookie, NULL) == 0) {
		snprintf(why, len, "kprobe: a function pattern needs attach"
		    " cookies (bpf_get_attach_cookie(), Linux 5.15 or later)");
		return EOPNOTSUPP;
	}
	if (m == PROBE_XDP && libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP,
	    BPF_FUNC_xdp_load_bytes, NULL) == 0) {
		snprintf(why, len, "xdp: this kernel has no multi-buffer XDP"
		    " (bpf_xdp_load_bytes(), Linux 5.18 or later):"
		    " bpf:tc:%s:ingress sees the same packets", tap->target);
		return EOPNOTSUPP;
	}
	if (m == PROBE_XDP)
		return check_xdp_free(tap, why, len);
	return 0;
}

/*
 * How accepted packets reach the ring (PCAP_BPF_RING_COPY): "reserve"
 * (straight into reserved ring space; Linux 5.19's ring-buffer dynptrs),
 * "scratch" (through per-CPU scratch and bpf_ringbuf_output, as kernels
 * before 5.19 need), or unset: reserve where the kernel accepts it, else
 * scratch.  The knob is for tests and comparisons.
 */
enum ring_copy { RING_COPY_ANY, RING_COPY_RESERVE, RING_COPY_SCRATCH };

static enum ring_copy
ring_copy_wanted(void)
{
	const char *want = secure_getenv("PCAP_BPF_RING_COPY");

	if (want != NULL && strcmp(want, "scratch") == 0)
		return RING_COPY_SCRATCH;
	if (want != NULL && strcmp(want, "reserve") == 0)
		return RING_COPY_RESERVE;
	return RING_COPY_ANY;
}

/* bpf_dynptr_from_skb's BTF id in vmlinux, for a compiled filter; or 0. */
static int32_t
dynptr_from_skb_id(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int id;

	if (vmlinux == NULL)
		return 0;
	id = btf__find_by_name_kind(vmlinux, "bpf_dynptr_from_skb",
	    BTF_KIND_FUNC);
	btf__free(vmlinux);
	return id > 0 ? id : 0;
}

/* Loads the object, its delivery program in the programs map. */
static int
load_with(const struct capture_probe_request *req,
    struct capture_probe *probe, enum probe_mechanism m, int scratch,
    int paged, int output, const char **stage)
{
	uint32_t slot = FILTER_SLOT_DELIVER;
	int error, fd;

	*stage = "preparing";
	/* Its attach target's name, for attach_btf_id_again(). */
	if (m == PROBE_TP_BTF || m == PROBE_FENTRY || m == PROBE_FEXIT)
		snprintf(probe->btf_target, sizeof(probe->btf_target), "%s",
		    req->tap->target);
	if ((error = prepare_object(req, probe, m, scratch,
	    paged, output, &probe->skel)) != 0)
		return error;
	if ((error = set_gso_autoload(probe->skel, req, probe)) != 0)
		return -error;
	*stage = "loading";
	if ((error = capture_bpf__load(probe->skel)) != 0)
		return -error;
	*stage = "installing delivery";
	fd = bpf_program__fd(delivery_program_for(probe->skel, m));
	if (bpf_map_update_elem(bpf_map__fd(probe->skel->maps.filter_programs),
	    &slot, &fd, BPF_ANY) != 0)
		return errno ? errno : EINVAL;
	probe->ring_copy_scratch = scratch;
	probe->skb_paged = paged;
	probe->skb_output = output;
	return 0;
}

/*
 * A refusal of an optional part of the probe (an skb dynptr, the
 * bpf_skb_output() helper): EINVAL, or the verifier's EACCES (Linux 6.1
 * refuses a call of an unresolved kfunc so).  The probe is then loaded
 * without it.
 */
static int
refused_part(int error)
{
	return error == EINVAL || error == EACCES;
}

/*
 * PCAP_BPF_SKB_OUTPUT: "off" never loads the bpf_skb_output() path,
 * "only" skips the skb dynptr of tp_btf taps for it (to test it where
 * the kernel has both).
 */
static int
skb_output_wanted(void)
{
	const char *v = secure_getenv("PCAP_BPF_SKB_OUTPUT");

	if (v != NULL && strcmp(v, "off") == 0)
		return 0;
	if (v != NULL && strcmp(v, "only") == 0)
		return 2;
	return 1;
}

/*
 * tp_btf, fentry, fexit: the paged data through bpf_skb_output() (Linux
 * 5.5 on), the ring's records copied as want says (reserved space, else
 * through scratch, as load_object() does).  An error as load_with()'s;
 * the caller loads without it where the kernel refuses (refused_part()).
 */
static int
load_with_output(const struct capture_probe_request *req,
    struct capture_probe *probe, enum probe_mechanism m,
    enum ring_copy want, const char **stage)
{
	int error = EINVAL;

	if ((m != PROBE_TP_BTF && m != PROBE_FENTRY && m != PROBE_FEXIT) ||
	    skb_output_wanted() == 0)
		return EINVAL;
	if (want != RING_COPY_SCRATCH)
		error = load_with(req, probe, m, 0, 0, 1, stage);
	if (error == EINVAL && want != RING_COPY_RESERVE) {
		capture_bpf__destroy(probe->skel);
		probe->skel = NULL;
		error = load_with(req, probe, m, 1, 0, 1, stage);
	}
	if (refused_part(error) && secure_getenv("PCAP_BPF_DEBUG") != NULL)
		fprintf(stderr, "%s: %s: the kernel refuses bpf_skb_output()"
		    " (%s): the skb's linear part only\n", req->device,
		    bpftrace_probe_mechanism_name(m), strerror(error));
	return error;
}

/*
 * Loads copying into reserved ring space; where the kernel refuses the
 * program (EINVAL: it has no ring-buffer dynptrs), again through scratch.
 * tp_btf taps first read whole packets, paged data included (an skb
 * dynptr, Linux 6.12 on); where the kernel refuses that (refused_part()),
 * tp_btf, fentry and fexit taps have it copied by bpf_skb_output()
 * (load_with_output()); where that is refused too, their linear part,
 * as the other tracing taps.
 */
static int
load_object(const struct capture_probe_request *req,
    struct capture_probe *probe, enum probe_mechanism m, const char **stage)
{
	enum ring_copy want = ring_copy_wanted();
	int error = EINVAL;

	/* The kfunc is not even tried where vmlinux has none. */
	if (m == PROBE_TP_BTF && want != RING_COPY_SCRATCH &&
	    skb_output_wanted() != 2 && dynptr_from_skb_id() > 0) {
		error = load_with(req, probe, m, 0, 1, 0, stage);
		if (!refused_part(error))
			return error;
		capture_bpf__destroy(probe->skel);
		probe->skel = NULL;
	}
	error = load_with_output(req, probe, m, want, stage);
	if (!refused_part(error))
		return error;
	capture_bpf__destroy(probe->skel);
	probe->skel = NULL;
	error = load_with(req, probe, m, want == RING_COPY_SCRATCH, 0, 0,
	    stage);
	if (error == EINVAL && want == RING_COPY_ANY) {
		capture_bpf__destroy(probe->skel);
		probe->skel = NULL;
		error = load_with(req, probe, m, 1, 0, 0, stage);
	}
	return error;
}

/*
 * Tries one mechanism: loads the probe for it (the caller attaches it).
 * Returns 0, or an errno with what failed in why.
 */
static int
try_mechanism(const struct capture_probe_request *req,
    struct capture_probe *probe, enum probe_mechanism m, char *why, size_t len)
{
	const char *stage = "attaching";
	int error;

	why[0] = '\0';
	if ((error = attachable(req->tap, m, why, len)) != 0)
		goto fail;
	stage = "preparing";
	error = load_object(req, probe, m, &stage);
	if (error != 0 && probe->gso_loading) {
		/*
		 * Following GSO segments is no reason to fail the capture:
		 * without it, if that is what the kernel refused.
		 */
		int gso_error = error;

		capture_bpf__destroy(probe->skel);
		probe->skel = NULL;
		probe->gso_refused = 1;
		if ((error = load_object(req, probe, m, &stage)) == 0)
			gso_refuse(probe, "loading the", gso_error);
		else
			probe->gso_refused = 0;	/* not what failed */
	}
	if (error != 0)
		goto fail;
	probe->skel->bss->filter.no_interpreter = !kernel_has_bpf_loop();
	probe->skel->data->settings.link_type = req->link_type;
	probe->skel->data->settings.direction = RING_DIRECTION_INOUT;
	probe->mechanism = m;
	return 0;
fail:
	if (why[0] == '\0')
		snprintf(why, len, "%s %s: %s%s",
		    bpftrace_probe_mechanism_name(m), stage,
		    strerror(error), refusal_hint(m, error));
	release(probe);
	return error;
}

/*
 * PCAP_BPF_MECHANISMS="kprobe,clsact" limits the mechanisms tried to those
 * named: to compare them, or to avoid one a kernel handles badly.
 */
static int
mechanism_allowed(enum probe_mechanism m)
{
	const char *allowed = secure_getenv("PCAP_BPF_MECHANISMS");
	const char *name = bpftrace_probe_mechanism_name(m), *p;
	size_t len = strlen(name);

	if (allowed == NULL || *allowed == '\0')
		return 1;
	for (p = allowed; (p = strstr(p, name)) != NULL; p += len)
		if ((p == allowed || p[-1] == ',') &&
		    (p[len] == '\0' || p[len] == ','))
			return 1;
	return 0;
}

/*
 * Attaches the loaded probe.  tc falls back from tcx to a clsact filter
 * (the same programs) where the kernel has no tcx.  0, or an errno with
 * the one-line reason in why; the probe is then released, so that the
 * caller may load it for its tap's next mechanism: a kernel may load a
 * program it then refuses to attach (fentry on arm64 before Linux 6.4,
 * which has no ftrace direct calls, refuses it only at attach).
 */
static int attach_untrack(struct capture_probe *probe, char *why, size_t len);

static int
attach_or_release(struct capture_probe *probe, const struct resolved_tap *tap,
    char *why, size_t len)
{
	int error;

	why[0] = '\0';
	error = attach(probe, tap, probe->mechanism, why, len);
	if (error != 0 && probe->mechanism == PROBE_TCX &&
	    mechanism_allowed(PROBE_CLSACT)) {
		detach(probe);
		probe->mechanism = PROBE_CLSACT;
		why[0] = '\0';
		error = attach(probe, tap, PROBE_CLSACT, why, len);
	}
	if (error == 0)
		error = attach_untrack(probe, why, len);
	if (error != 0) {
		if (why[0] == '\0')
			snprintf(why, len, "%s attaching: %s%s",
			    bpftrace_probe_mechanism_name(probe->mechanism),
			    strerror(error), refusal_hint(probe->mechanism,
			    error));
		release(probe);
	}
	return error;
}

/*
 * Whether an attach failed because the kernel refuses the mechanism (then
 * the tap's next one is tried), not for a resource (descriptors, memory,
 * the clsact guardian) or a hook that is taken, which the next mechanism
 * would meet too.
 */
static int
attach_refused(int error)
{
	return error == EOPNOTSUPP || error == 524 /* ENOTSUPP */ ||
	    error == EINVAL || error == ENOENT || error == EPERM ||
	    error == EACCES || error == E2BIG;
}

/*
 * The user's program the tap names (its program_id): a descriptor, held
 * while the probe lives (the attach target of the probe and of compiled
 * filters), and its main function's name from the program's BTF, which
 * a trampoline needs.  TAP_OK, or the status with the reason in err.
 */
static int
open_target_program(struct capture_probe *probe,
    const struct resolved_tap *tap, const char *device, char *err,
    size_t errlen)
{
	struct bpf_prog_info info;
	struct bpf_func_info main_function;
	uint32_t len = sizeof(info);
	const struct btf_type *type;
	const char *name = NULL;
	struct btf *btf;
	int error;

	probe->target_prog_fd = bpf_prog_get_fd_by_id(tap->program_id);
	if (probe->target_prog_fd < 0) {
		error = errno;
		snprintf(err, errlen, "%s: the user's program (id %u): %s",
		    device, tap->program_id, strerror(error));
		return error == EPERM ? TAP_PERMISSION : TAP_NO_SUCH_TAP;
	}
	memset(&info, 0, sizeof(info));
	memset(&main_function, 0, sizeof(main_function));
	info.nr_func_info = 1;
	info.func_info_rec_size = sizeof(main_function);
	info.func_info = (uint64_t)(uintptr_t)&main_function;
	if (bpf_obj_get_info_by_fd(probe->target_prog_fd, &info, &len) != 0) {
		snprintf(err, errlen, "%s: the user's program (id %u): %s",
		    device, tap->program_id, strerror(errno));
		return TAP_KERNEL_REFUSED;
	}
	probe->xdp_program = info.type == BPF_PROG_TYPE_XDP;
	if (info.btf_id != 0 && info.nr_func_info > 0 &&
	    (btf = btf__load_from_kernel_by_id(info.btf_id)) != NULL) {
		type = btf__type_by_id(btf, main_function.type_id);
		if (type != NULL && btf_is_func(type))
			name = btf__name_by_offset(btf, type->name_off);
		if (name != NULL)
			snprintf(probe->target_function,
			    sizeof(probe->target_function), "%s", name);
		btf__free(btf);
	}
	if (probe->target_function[0] == '\0') {
		snprintf(err, errlen, "%s: the user's program %.16s (id %u) was"
		    " loaded without BTF, which fentry and fexit need to"
		    " attach to it: load it with its BTF (clang -g)", device,
		    (const char *)info.name, tap->program_id);
		return TAP_NOT_CAPTURABLE;
	}
	return TAP_OK;
}

int
bpftrace_capture_probe_open(const struct capture_probe_request *req,
    struct capture_probe **probep, char *err, size_t errlen)
{
	libbpf_print_fn_t previous = bpftrace_libbpf_log_quiet();
	const struct resolved_tap *tap = req->tap;
	struct capture_probe *probe = calloc(1, sizeof(*probe));
	char why[TAP_MAX_MECHANISMS][256];
	int tried, error = ENOMEM, privileged, alone = -1, status;

	if (probe == NULL) {
		snprintf(err, errlen, "%s: out of memory", req->device);
		bpftrace_libbpf_log_restore(previous);
		return TAP_NO_MEMORY;
	}
	probe->tcx_link_fd[0] = probe->tcx_link_fd[1] = -1;
	probe->xdp_link_fd = -1;
	probe->target_prog_fd = -1;
	probe->device = req->device;
	bpftrace_tc_guardian_init(&probe->guardian);
	probe->ring_bytes = ring_size_for(req->ring_bytes);
	privileged = bpftrace_has_tap_capabilities(tap->family);
	if (tap->program_id != 0 && (status = open_target_program(probe, tap,
	    req->device, err, errlen)) != TAP_OK) {
		bpftrace_libbpf_log_restore(previous);
		bpftrace_capture_probe_close(probe);
		return status;
	}
	for (tried = 0; tried < tap->mechanism_count; tried++) {
		if (!mechanism_allowed(tap->mechanisms[tried])) {
			error = EPROTONOSUPPORT;
			snprintf(why[tried], sizeof(why[tried]), "%s: not in"
			    " PCAP_BPF_MECHANISMS",
			    bpftrace_probe_mechanism_name(tap->mechanisms[tried]));
			continue;
		}
		error = try_mechanism(req, probe, tap->mechanisms[tried],
		    why[tried], sizeof(why[tried]));
		if (error == 0 && (error = attach_or_release(probe, tap,
		    why[tried], sizeof(why[tried]))) != 0 &&
		    !attach_refused(error)) {
			/* Not the mechanism's fault: said alone. */
			alone = tried;
			break;
		}
		if (error == 0 || (error == EPERM && !privileged) ||
		    error == EBUSY) {
			tried++;
			break;
		}
		/* The next mechanism, if any, after a refused attach too. */
		if (tried + 1 < tap->mechanism_count &&
		    secure_getenv("PCAP_BPF_DEBUG") != NULL)
			fprintf(stderr, "%s: %s; trying %s\n", req->device,
			    why[tried], bpftrace_probe_mechanism_name(
			    tap->mechanisms[tried + 1]));
	}
	bpftrace_libbpf_log_restore(previous);
	if (error == 0 && probe->placed[0] != '\0' &&
	    secure_getenv("PCAP_BPF_DEBUG") != NULL)
		fprintf(stderr, "%s: attached: %s\n", req->device,
		    probe->placed);
	if (error == 0) {
		*probep = probe;
		return TAP_OK;
	}

	if (error == EPERM && !privileged) {
		snprintf(err, errlen, "%s: permission denied: capturing from a"
		    " bpf: tap needs %s", req->device,
		    bpftrace_tap_capabilities_needed(tap->family));
		bpftrace_capture_probe_close(probe);
		return TAP_PERMISSION;
	}
	if (tap->program_id != 0 && (alone >= 0 || tried == 1))
		snprintf(err, errlen, "%s: at %s's %s program %.32s (id %u): %s"
		    "%s%s%s", req->device, tap->target, probe->xdp_program ?
		    "XDP" : "tc", probe->target_function, tap->program_id,
		    why[alone >= 0 ? alone : 0], probe->xdp_program ?
		    " (bpf:tc:" : "", probe->xdp_program ? tap->target : "",
		    probe->xdp_program ? ":ingress sees what it passes)" : "");
	else if (alone >= 0)
		snprintf(err, errlen, "%s: %s", req->device, why[alone]);
	else if (tried == 1)
		snprintf(err, errlen, "%s: %s", req->device, why[0]);
	else
		snprintf(err, errlen, "%s: the kernel refused every way to"
		    " attach: %s; %s", req->device, why[0], why[1]);
	bpftrace_capture_probe_close(probe);
	if (error == ENOMEM)
		return TAP_NO_MEMORY;
	/* A hook taken, or no room before or after its filters; no native XDP. */
	if (error == EBUSY || (error == EOPNOTSUPP &&
	    tap->family == TAP_FAMILY_XDP && tap->xdp_mode == TAP_XDP_NATIVE))
		return TAP_NOT_CAPTURABLE;
	return TAP_KERNEL_REFUSED;
}

int
bpftrace_capture_probe_ring_fd(const struct capture_probe *probe)
{
	return bpf_map__fd(probe->skel->maps.ring);
}

int
bpftrace_capture_probe_track_fd(const struct capture_probe *probe)
{
	return bpf_map__fd(probe->skel->maps.tracked);
}

int
bpftrace_capture_probe_perf_fd(const struct capture_probe *probe)
{
	return bpf_map__fd(probe->skel->maps.packets);
}

/* Whether the probe delivers paged data through the perf array. */
int
bpftrace_capture_probe_skb_output(const struct capture_probe *probe)
{
	return probe->skb_output;
}

size_t
bpftrace_capture_probe_ring_bytes(const struct capture_probe *probe)
{
	return probe->ring_bytes;
}

/*
 * The BTF object a tracing program's attach target lies in: 0 for
 * vmlinux (what a program load names it by), else a descriptor of the
 * module's BTF, which the probe keeps.  0, or an errno.
 */
static int
attach_btf_object(struct capture_probe *probe, uint32_t id, int32_t *fd)
{
	struct bpf_btf_info info;
	uint32_t len = sizeof(info);
	char name[64];
	int btf_fd;

	*fd = 0;
	if (id == 0)
		return 0;
	if (probe->attach_btf_obj_fd > 0) {
		*fd = probe->attach_btf_obj_fd;
		return 0;
	}
	if ((btf_fd = bpf_btf_get_fd_by_id(id)) < 0)
		return errno ? errno : ENOENT;
	memset(&info, 0, sizeof(info));
	/* Zeroed: the kernel fills it, where valgrind cannot see. */
	memset(name, 0, sizeof(name));
	info.name = (uint64_t)(uintptr_t)name;
	info.name_len = sizeof(name);
	if (bpf_obj_get_info_by_fd(btf_fd, &info, &len) != 0) {
		close(btf_fd);
		return errno ? errno : EINVAL;
	}
	if (!info.kernel_btf || strcmp(name, "vmlinux") == 0) {
		close(btf_fd);
		return info.kernel_btf ? 0 : EINVAL;
	}
	probe->attach_btf_obj_fd = *fd = btf_fd;
	return 0;
}

/*
 * The BTF id of the delivery program's attach target, for a kernel whose
 * bpf_prog_info does not report it (before Linux 5.11): found again as
 * libbpf found it, in the user's program's BTF or in vmlinux's.
 */
static uint32_t
attach_btf_id_again(const struct capture_probe *probe, uint32_t attach_type)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	struct btf *btf;
	int id;

	if (probe->target_prog_fd < 0) {
		id = libbpf_find_vmlinux_btf_id(probe->btf_target,
		    (enum bpf_attach_type)attach_type);
		return id > 0 ? (uint32_t)id : 0;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(probe->target_prog_fd, &info, &len) != 0 ||
	    info.btf_id == 0 ||
	    (btf = btf__load_from_kernel_by_id(info.btf_id)) == NULL)
		return 0;
	id = btf__find_by_name_kind(btf, probe->target_function,
	    BTF_KIND_FUNC);
	btf__free(btf);
	return id > 0 ? (uint32_t)id : 0;
}

/*
 * See bpftrace-filter-target.h.  The program type and attach target are
 * the delivery program's: loaded with the entry program's, and loaded
 * for every mechanism.
 */
int
bpftrace_capture_probe_filter_target(const struct capture_probe *probe,
    struct filter_target *t)
{
	struct capture_probe *p = (struct capture_probe *)probe;
	struct capture_bpf *skel = probe->skel;
	struct bpf_program *deliver = delivery_program_for(skel,
	    probe->mechanism);
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int error;

	memset(t, 0, sizeof(*t));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(deliver), &info, &len) != 0)
		return errno ? errno : EINVAL;
	t->prog_type = (uint32_t)bpf_program__type(deliver);
	t->expected_attach_type = (uint32_t)bpf_program__expected_attach_type(
	    deliver);
	switch (probe->mechanism) {
	case PROBE_TCX:
	case PROBE_CLSACT:
		t->source = FILTER_SOURCE_TC;
		t->pass_verdict = -1;		/* TC_NEXT */
		break;
	case PROBE_XDP:
		t->source = FILTER_SOURCE_XDP;
		t->pass_verdict = 2;		/* XDP_PASS */
		/* "xdp.frags", but not in generic mode: see attach_xdp(). */
		t->xdp_frags = !xdp_linear(probe->skel);
		break;
	default:
		t->source = probe->skb_paged ? FILTER_SOURCE_KERNEL_SKB_PAGED :
		    FILTER_SOURCE_KERNEL_SKB;
		t->skb_arg_index = probe->skel->rodata->skb_arg_index;
		if (probe->skb_paged)
			t->dynptr_from_skb_id = dynptr_from_skb_id();
		t->pass_verdict = 0;
		t->attach_btf_id = info.attach_btf_id;
		if (t->attach_btf_id == 0 && (probe->target_prog_fd >= 0 ||
		    probe->btf_target[0] != '\0'))
			t->attach_btf_id = attach_btf_id_again(probe,
			    t->expected_attach_type);
		if (probe->target_prog_fd >= 0) {
			/* The user's program: the id is in its BTF. */
			t->attach_prog_fd = probe->target_prog_fd;
			break;
		}
		if ((error = attach_btf_object(p, info.attach_btf_obj_id,
		    &t->attach_btf_obj_fd)) != 0)
			return error;
		break;
	}
	t->decision_map_fd = bpf_map__fd(skel->maps.decision);
	t->bss_map_fd = bpf_map__fd(skel->maps.bss);
	t->counters_offset = (uint32_t)offsetof(struct capture_bpf__bss,
	    counters);
	t->programs_map_fd = bpf_map__fd(skel->maps.filter_programs);
	return 0;
}

void
bpftrace_capture_probe_close(struct capture_probe *probe)
{
	if (probe == NULL)
		return;
	release(probe);
	if (probe->target_prog_fd >= 0)
		close(probe->target_prog_fd);
	free(probe);
}

/* ,track: the hidden programs that forget freed packets, if loaded. */
static int
attach_untrack(struct capture_probe *probe, char *why, size_t len)
{
	struct bpf_program *progs[2] = {
		probe->skel->progs.untrack_kfree_skb,
		probe->skel->progs.untrack_consume_skb
	};
	int i;

	for (i = 0; i < 2; i++) {
		if (!bpf_program__autoload(progs[i]))
			continue;
		probe->untrack_link[i] = bpf_program__attach(progs[i]);
		if (probe->untrack_link[i] == NULL) {
			int error = errno ? errno : EINVAL;

			snprintf(why, len, "tracking: attaching at %s: %s",
			    i == 0 ? "skb:kfree_skb" : "skb:consume_skb",
			    strerror(error));
			return error;
		}
	}
	/* GSO segments: a refusal leaves them unfollowed, the capture on. */
	if (bpf_program__autoload(probe->skel->progs.track_gso) &&
	    (probe->gso_link = bpf_program__attach(
	    probe->skel->progs.track_gso)) == NULL)
		gso_refuse(probe, "attaching the", errno ? errno : EINVAL);
	return 0;
}

/*
 * What can be refused before anything is loaded: an XDP hook already
 * taken.  TAP_OK, or the status with the one-line reason.
 */
int
bpftrace_capture_probe_preflight(const struct resolved_tap *tap,
    const char *device,
    char *err, size_t errlen)
{
	char why[256];

	if (tap->family != TAP_FAMILY_XDP || tap->program_id != 0 ||
	    check_xdp_free(tap, why, sizeof(why)) == 0)
		return TAP_OK;
	snprintf(err, errlen, "%s: %s", device, why);
	return TAP_NOT_CAPTURABLE;
}

/* A duplicate that the reading side owns; -1 stays -1. */
static int
dup_for_grant(int fd, int *failed)
{
	int copy;

	if (fd < 0)
		return -1;
	copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (copy < 0)
		*failed = errno;
	return copy;
}

/*
 * The descriptors the reading side needs once the probe is attached:
 * duplicates of its maps, links and programs (a program's fdinfo counts
 * the runs the kernel skipped; the probe keeps its own until
 * bpftrace_capture_probe_close()),
     and where its knobs lie in the maps.  The clsact
 * guardian's pipes are handed over, not duplicated: from now on the
 * filters go when the reading side (and whoever it shares the capture
 * with) is done, not when this probe is closed.  Returns 0 or an errno;
 * what was duplicated is in the grant either way.
 */
int
bpftrace_capture_probe_export(struct capture_probe *probe, struct tap_grant *g)
{
	struct capture_bpf *skel = probe->skel;
	int failed = 0, hook, n = 0;

	g->data_fd = dup_for_grant(bpf_map__fd(skel->maps.data), &failed);
	g->bss_fd = dup_for_grant(bpf_map__fd(skel->maps.bss), &failed);
	g->data_size = (uint32_t)bpf_map__value_size(skel->maps.data);
	g->bss_size = (uint32_t)bpf_map__value_size(skel->maps.bss);
	g->settings_offset = (uint32_t)offsetof(struct capture_bpf__data,
	    settings);
	g->counters_offset = (uint32_t)offsetof(struct capture_bpf__bss,
	    counters);
	g->filter_offset = (uint32_t)offsetof(struct capture_bpf__bss, filter);
	g->mechanism = (uint32_t)probe->mechanism;
	n = 0;
	if (probe->mechanism == PROBE_TCX || probe->mechanism == PROBE_CLSACT) {
		for (hook = 0; hook < HOOKS; hook++)
			if (bpf_program__fd(tc_program(skel, hook)) >= 0)
				g->prog_fds[n++] = dup_for_grant(
				    bpf_program__fd(tc_program(skel, hook)),
				    &failed);
	} else
		g->prog_fds[n++] = dup_for_grant(bpf_program__fd(
		    program_for(skel, probe->mechanism, probe->xdp_program)),
		    &failed);
	n = 0;
	if (probe->link != NULL)
		g->link_fds[n++] = dup_for_grant(bpf_link__fd(probe->link),
		    &failed);
	if (probe->xdp_link_fd >= 0)
		g->link_fds[n++] = dup_for_grant(probe->xdp_link_fd, &failed);
	for (hook = 0; hook < HOOKS; hook++)
		if (probe->tcx_link_fd[hook] >= 0 && n < GRANT_LINKS_MAX)
			g->link_fds[n++] = dup_for_grant(
			    probe->tcx_link_fd[hook], &failed);
	if (probe->guardian.watch_fd >= 0) {
		g->guardian_watch_fd = probe->guardian.watch_fd;
		g->guardian_done_fd = probe->guardian.done_fd;
		bpftrace_tc_guardian_init(&probe->guardian);
		for (hook = 0; hook < HOOKS; hook++)
			probe->tc_attached[hook] = probe->tc_hook_created[hook] = 0;
	}
	return failed;
}
