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
#include <unistd.h>

#include <linux/if_arp.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/filter_decision.h"
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

enum { HOOK_INGRESS, HOOK_EGRESS, HOOKS };

struct capture_probe {
	struct capture_bpf *skel;
	enum probe_mechanism mechanism;
	size_t ring_bytes;
	struct bpf_link *link;		/* tracing taps, XDP */
	int tcx_link_fd[HOOKS];
	struct bpf_tc_hook tc_hook[HOOKS];
	struct bpf_tc_opts tc_filter[HOOKS];
	int tc_attached[HOOKS];
	int tc_hook_created[HOOKS];
	struct tc_guardian guardian;	/* removes clsact filters at the end */
	int ring_copy_scratch;		/* the probe copies through scratch */
	int skb_paged;			/* it reads paged data (tp_btf) */
	int attach_btf_obj_fd;		/* filter target: a module's BTF */
	struct bpf_link *untrack_link[2];	/* ,track: the hidden programs
						   at kfree_skb, consume_skb */
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

/* The one program a mechanism runs (tc: the ingress one; see hook_wanted). */
static struct bpf_program *
program_for(struct capture_bpf *skel, enum probe_mechanism m)
{
	switch (m) {
	case PROBE_TP_BTF: return skel->progs.capture_tp_btf;
	case PROBE_RAW_TP: return skel->progs.capture_raw_tp;
	case PROBE_FENTRY: return skel->progs.capture_fentry;
	case PROBE_FEXIT: return skel->progs.capture_fexit;
	case PROBE_KPROBE: return skel->progs.capture_kprobe;
	case PROBE_XDP: return skel->progs.capture_xdp;
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
	case PROBE_XDP: return skel->progs.deliver_xdp;
	case PROBE_TCX:
	case PROBE_CLSACT: return skel->progs.deliver_tc;
	}
	return NULL;
}

static int
set_autoload(struct capture_bpf *skel, const struct capture_probe_request *req,
    enum probe_mechanism m)
{
	const struct resolved_tap *tap = req->tap;
	struct bpf_object *obj = skel->obj;
	struct bpf_program *prog, *deliver = delivery_program_for(skel, m);
	int tc = m == PROBE_TCX || m == PROBE_CLSACT, error;

	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, false);
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
	prog = program_for(skel, m);
	bpf_program__set_autoload(prog, true);
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
prepare_object(const struct capture_probe_request *req, size_t ring_bytes,
    enum probe_mechanism m, int ring_copy_scratch, int skb_paged,
    struct capture_bpf **skelp)
{
	const struct resolved_tap *tap = req->tap;
	struct capture_bpf *skel = open_skeleton(kernel_has_bpf_loop());
	uint32_t scratch_size, scratch_entries;
	int error;

	if (skel == NULL)
		return errno ? errno : ENOMEM;
	skel->rodata->skb_arg_index = (uint32_t)tap->skb_arg_index;
	skel->rodata->skb_paged = (uint32_t)skb_paged;
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
	    (error = req->shared_track_fd >= 0 ?
	    bpf_map__reuse_fd(skel->maps.tracked, req->shared_track_fd) :
	    bpf_map__set_max_entries(skel->maps.tracked,
	    req->scope.track_entries > 0 ? req->scope.track_entries : 1)) ||
	    (error = set_autoload(skel, req, m)))
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

static int
attach_tcx(struct capture_probe *probe, const struct resolved_tap *tap)
{
	int hook, fd;

	for (hook = 0; hook < HOOKS; hook++) {
		if (!hook_wanted(tap, hook))
			continue;
		fd = bpf_link_create(bpf_program__fd(tc_program(probe->skel,
		    hook)), tap->ifindex, hook == HOOK_INGRESS ?
		    ATTACH_TCX_INGRESS : ATTACH_TCX_EGRESS, NULL);
		if (fd < 0)
			return -fd;
		probe->tcx_link_fd[hook] = fd;
	}
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

static int
attach_clsact_locked(struct capture_probe *probe,
    const struct resolved_tap *tap, char *why, size_t len)
{
	int hook, error, first = 1;

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
		if ((error = bpf_tc_attach(h, f)) != 0)
			return -error;
		probe->tc_attached[hook] = 1;
	}
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

static int
attach(struct capture_probe *probe, const struct resolved_tap *tap,
    enum probe_mechanism m, char *why, size_t len)
{
	struct bpf_program *prog = program_for(probe->skel, m);
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
		probe->link = bpf_program__attach_xdp(prog, tap->ifindex);
		break;
	case PROBE_RAW_TP:
		probe->link = bpf_program__attach_raw_tracepoint(prog,
		    tap->target);
		break;
	case PROBE_KPROBE:
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

	bpf_link__destroy(probe->link);
	probe->link = NULL;
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
    int paged, const char **stage)
{
	uint32_t slot = FILTER_SLOT_DELIVER;
	int error, fd;

	*stage = "preparing";
	if ((error = prepare_object(req, probe->ring_bytes, m, scratch,
	    paged, &probe->skel)) != 0)
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
	return 0;
}

/*
 * Loads copying into reserved ring space; where the kernel refuses the
 * program (EINVAL: it has no ring-buffer dynptrs), again through scratch.
 * tp_btf taps first read whole packets, paged data included (an skb
 * dynptr, Linux 6.12 on); where the kernel refuses that (EINVAL too),
 * their linear part, as the other tracing taps.
 */
static int
load_object(const struct capture_probe_request *req,
    struct capture_probe *probe, enum probe_mechanism m, const char **stage)
{
	enum ring_copy want = ring_copy_wanted();
	int error = EINVAL;

	if (m == PROBE_TP_BTF && want != RING_COPY_SCRATCH) {
		error = load_with(req, probe, m, 0, 1, stage);
		if (error != EINVAL)
			return error;
		capture_bpf__destroy(probe->skel);
		probe->skel = NULL;
	}
	error = load_with(req, probe, m, want == RING_COPY_SCRATCH, 0, stage);
	if (error == EINVAL && want == RING_COPY_ANY) {
		capture_bpf__destroy(probe->skel);
		probe->skel = NULL;
		error = load_with(req, probe, m, 1, 0, stage);
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

int
bpftrace_capture_probe_open(const struct capture_probe_request *req,
    struct capture_probe **probep, char *err, size_t errlen)
{
	libbpf_print_fn_t previous = bpftrace_libbpf_log_quiet();
	const struct resolved_tap *tap = req->tap;
	struct capture_probe *probe = calloc(1, sizeof(*probe));
	char why[TAP_MAX_MECHANISMS][256];
	int tried, error = ENOMEM, privileged, alone = -1;

	if (probe == NULL) {
		snprintf(err, errlen, "%s: out of memory", req->device);
		bpftrace_libbpf_log_restore(previous);
		return TAP_NO_MEMORY;
	}
	probe->tcx_link_fd[0] = probe->tcx_link_fd[1] = -1;
	probe->device = req->device;
	bpftrace_tc_guardian_init(&probe->guardian);
	probe->ring_bytes = ring_size_for(req->ring_bytes);
	privileged = bpftrace_has_tap_capabilities(tap->family);
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
	if (error == 0) {
		*probep = probe;
		return TAP_OK;
	}
	free(probe);

	if (error == EPERM && !privileged) {
		snprintf(err, errlen, "%s: permission denied: capturing from a"
		    " bpf: tap needs %s", req->device,
		    bpftrace_tap_capabilities_needed(tap->family));
		return TAP_PERMISSION;
	}
	if (alone >= 0)
		snprintf(err, errlen, "%s: %s", req->device, why[alone]);
	else if (tried == 1)
		snprintf(err, errlen, "%s: %s", req->device, why[0]);
	else
		snprintf(err, errlen, "%s: the kernel refused every way to"
		    " attach: %s; %s", req->device, why[0], why[1]);
	if (error == ENOMEM)
		return TAP_NO_MEMORY;
	if (error == EBUSY)
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
		t->xdp_frags = 1;		/* "xdp.frags" */
		break;
	default:
		t->source = probe->skb_paged ? FILTER_SOURCE_KERNEL_SKB_PAGED :
		    FILTER_SOURCE_KERNEL_SKB;
		t->skb_arg_index = probe->skel->rodata->skb_arg_index;
		if (probe->skb_paged)
			t->dynptr_from_skb_id = dynptr_from_skb_id();
		t->pass_verdict = 0;
		t->attach_btf_id = info.attach_btf_id;
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

	if (tap->family != TAP_FAMILY_XDP ||
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
		    program_for(skel, probe->mechanism)), &failed);
	n = 0;
	if (probe->link != NULL)
		g->link_fds[n++] = dup_for_grant(bpf_link__fd(probe->link),
		    &failed);
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
