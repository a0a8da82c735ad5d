/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loads and attaches the capture probe (bpf/capture.bpf.c, embedded as a
 * libbpf skeleton: no files are read at run time).
 *
 * Tracepoint taps prefer tp_btf (BTF-typed arguments); a kernel that
 * cannot load it gets the same program as raw_tp.  Every attachment is a
 * bpf_link held through a file descriptor, so a process that dies, even by
 * SIGKILL, leaves nothing attached.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bpftrace-libbpf-log.h"
#include "bpftrace-probe.h"
#include "bpftrace-status.h"
#include "bpftrace-tracepoint-notes.h"
#include "capture.skel.h"

#define RING_BYTES_MAX		((size_t)1 << 30)

struct capture_probe {
	struct capture_bpf *skel;
	struct bpf_link *link;
	const char *mechanism;
	size_t ring_bytes;
};

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
status_for_errno(int error)
{
	/* EACCES is the verifier's refusal, not a missing privilege. */
	if (error == EPERM)
		return TAP_PERMISSION;
	if (error == ENOMEM)
		return TAP_NO_MEMORY;
	return TAP_KERNEL_REFUSED;
}

static int
report_failure(const struct capture_probe_request *req, const char *what,
    int error, char *err, size_t errlen)
{
	if (error == EPERM)
		snprintf(err, errlen, "%s: %s: permission denied: capturing"
		    " from a bpf: tap needs CAP_BPF and CAP_PERFMON (or root);"
		    " run as root or grant them (setcap"
		    " cap_bpf,cap_perfmon+ep PROGRAM)", req->device, what);
	else
		snprintf(err, errlen, "%s: %s: %s (set PCAP_BPF_DEBUG=1 to see"
		    " the kernel's log)", req->device, what, strerror(error));
	return status_for_errno(error);
}

/* Opens the skeleton and sets everything that must be fixed before load. */
static int
prepare_object(const struct capture_probe_request *req, size_t ring_bytes,
    int use_tp_btf, struct capture_bpf **skelp)
{
	struct capture_bpf *skel = capture_bpf__open();
	uint32_t scratch_size;
	int error;

	if (skel == NULL)
		return errno ? errno : ENOMEM;
	skel->rodata->skb_arg_index = (uint32_t)req->skb_arg_index;
	skel->rodata->snaplen = req->snaplen;
	skel->rodata->tap_direction =
	    req->path == TAP_PATH_TRANSMIT ? RING_DIRECTION_OUT :
	    req->path == TAP_PATH_RECEIVE ? RING_DIRECTION_IN :
	    RING_DIRECTION_INOUT;

	scratch_size = sizeof(struct ring_record) + RING_LINK_HEADER_MAX +
	    ((req->snaplen + 7) & ~7u);
	if ((error = bpf_map__set_value_size(skel->maps.scratch, scratch_size)) ||
	    (error = bpf_map__set_max_entries(skel->maps.scratch,
	    (uint32_t)libbpf_num_possible_cpus())) ||
	    (error = bpf_map__set_max_entries(skel->maps.ring,
	    (uint32_t)ring_bytes)))
		goto fail;

	bpf_program__set_autoload(skel->progs.capture_tp_btf, use_tp_btf);
	bpf_program__set_autoload(skel->progs.capture_raw_tp, !use_tp_btf);
	if (use_tp_btf && (error = bpf_program__set_attach_target(
	    skel->progs.capture_tp_btf, 0, req->tracepoint)))
		goto fail;
	*skelp = skel;
	return 0;
fail:
	capture_bpf__destroy(skel);
	return -error;
}

static int
load_and_attach(const struct capture_probe_request *req,
    struct capture_probe *probe, int use_tp_btf, const char **stage)
{
	struct bpf_link *link;
	int error;

	*stage = "preparing the BPF object";
	if ((error = prepare_object(req, probe->ring_bytes, use_tp_btf,
	    &probe->skel)) != 0)
		return error;
	*stage = "loading the BPF probe";
	if ((error = capture_bpf__load(probe->skel)) != 0)
		return -error;
	probe->skel->data->settings.link_type = req->link_type;
	probe->skel->data->settings.direction = RING_DIRECTION_INOUT;

	*stage = "attaching the BPF probe";
	if (use_tp_btf)
		link = bpf_program__attach(probe->skel->progs.capture_tp_btf);
	else
		link = bpf_program__attach_raw_tracepoint(
		    probe->skel->progs.capture_raw_tp, req->tracepoint);
	if (link == NULL)
		return errno ? errno : EINVAL;
	probe->link = link;
	probe->mechanism = use_tp_btf ? "tp_btf" : "raw_tp";
	return 0;
}

static void
release(struct capture_probe *probe)
{
	bpf_link__destroy(probe->link);
	probe->link = NULL;
	capture_bpf__destroy(probe->skel);
	probe->skel = NULL;
}

int
capture_probe_open(const struct capture_probe_request *req,
    struct capture_probe **probep, char *err, size_t errlen)
{
	libbpf_print_fn_t previous = libbpf_log_quiet();
	struct capture_probe *probe = calloc(1, sizeof(*probe));
	const char *stage = "allocating";
	int error = ENOMEM, status;

	if (probe == NULL)
		goto fail;
	probe->ring_bytes = ring_size_for(req->ring_bytes);

	error = req->raw_tracepoint_only ? -1 :
	    load_and_attach(req, probe, 1, &stage);
	if (error != 0 && error != EPERM && !req->raw_tracepoint_only) {
		/* No tp_btf here (or not for this tracepoint): try raw_tp. */
		release(probe);
		error = -1;
	}
	if (error == -1)
		error = load_and_attach(req, probe, 0, &stage);
	if (error != 0)
		goto fail;
	libbpf_log_restore(previous);
	*probep = probe;
	return TAP_OK;
fail:
	status = report_failure(req, stage, error, err, errlen);
	if (probe != NULL) {
		release(probe);
		free(probe);
	}
	libbpf_log_restore(previous);
	return status;
}

int
capture_probe_ring_fd(const struct capture_probe *probe)
{
	return bpf_map__fd(probe->skel->maps.ring);
}

size_t
capture_probe_ring_bytes(const struct capture_probe *probe)
{
	return probe->ring_bytes;
}

const char *
capture_probe_mechanism(const struct capture_probe *probe)
{
	return probe->mechanism;
}

struct capture_settings *
capture_probe_settings(struct capture_probe *probe)
{
	return &probe->skel->data->settings;
}

void
capture_probe_counters(const struct capture_probe *probe, uint64_t *received,
    uint64_t *dropped)
{
	const struct capture_counters *c = probe->skel->bss->counters;
	int i;

	*received = *dropped = 0;
	for (i = 0; i < CAPTURE_COUNTER_SLOTS; i++) {
		*received += __atomic_load_n(&c[i].received, __ATOMIC_RELAXED);
		*dropped += __atomic_load_n(&c[i].dropped, __ATOMIC_RELAXED);
	}
}

void
capture_probe_close(struct capture_probe *probe)
{
	if (probe == NULL)
		return;
	release(probe);
	free(probe);
}
