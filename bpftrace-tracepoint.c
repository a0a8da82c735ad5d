/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tracepoint taps: resolution through BTF and discovery.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "bpftrace-btf.h"
#include "bpftrace-skb-arg.h"
#include "bpftrace-status.h"
#include "bpftrace-tracepoint.h"
#include "bpftrace-tracepoint-notes.h"

static int
report_missing(const struct btf *btf, const char *device, const char *name,
    char *err, size_t errlen)
{
	const char *near[3];
	char suggestion[3][2 * TAP_NAME_MAX];
	int n = bpftrace_btf_nearest_skb_targets(btf,
	    BTF_TARGET_TRACEPOINT, name, near, 3), i;

	for (i = 0; i < n; i++)
		bpftrace_tracepoint_device_name(near[i], suggestion[i],
		    sizeof(suggestion[i]));
	if (n == 0)
		snprintf(err, errlen, "%s: this kernel has no tracepoint '%s'"
		    " (tcpdump -D lists the packet tracepoints)", device, name);
	else
		snprintf(err, errlen, "%s: this kernel has no tracepoint '%s';"
		    " nearest: %s%s%s%s%s", device, name, suggestion[0],
		    n > 1 ? ", " : "", n > 1 ? suggestion[1] : "",
		    n > 2 ? ", " : "", n > 2 ? suggestion[2] : "");
	return TAP_NO_SUCH_TAP;
}

static int
check_category(const char *device, const struct tap_spec *spec, char *err,
    size_t errlen)
{
	const struct tracepoint_note *note;
	char category[TAP_NAME_MAX];

	if (spec->category[0] == '\0')
		return TAP_OK;		/* left out: found by name alone */
	switch (bpftrace_tracefs_category(spec->name, category,
	    sizeof(category))) {
	case TRACEFS_FOUND:
		break;
	case TRACEFS_NOT_THERE:
		return TAP_OK;		/* BTF knows it; tracefs may lag */
	case TRACEFS_UNREADABLE:
		note = bpftrace_tracepoint_note_find(spec->name);
		if (note == NULL)
			return TAP_OK;	/* nothing to check against */
		snprintf(category, sizeof(category), "%s", note->category);
		break;
	}
	if (strcmp(category, spec->category) == 0)
		return TAP_OK;
	snprintf(err, errlen, "%s: tracepoint '%s' is in category '%s', not"
	    " '%s': use bpf:tracepoint:%s:%s", device, spec->name, category,
	    spec->category, category, spec->name);
	return TAP_NO_SUCH_TAP;
}

int
bpftrace_tracepoint_resolve(const char *device, const struct tap_spec *spec,
    struct btf *vmlinux, struct resolved_tap *tap, char *err, size_t errlen)
{
	const struct tracepoint_note *note;
	struct target_args args;
	struct btf *owner;
	int status;

	memset(tap, 0, sizeof(*tap));
	if (bpftrace_btf_find_target(vmlinux, BTF_TARGET_TRACEPOINT,
	    spec->name, &args, &owner) != 0)
		return report_missing(vmlinux, device, spec->name, err, errlen);
	status = bpftrace_tap_skb_arg_resolve(vmlinux, owner, device,
	    "tracepoint", spec, &args, tap, err, errlen);
	if (status != TAP_OK)
		return status;
	if (spec->family == TAP_FAMILY_TRACEPOINT &&
	    (status = check_category(device, spec, err, errlen)) != TAP_OK)
		return status;
	snprintf(tap->target, sizeof(tap->target), "%s", spec->name);
	note = bpftrace_tracepoint_note_find(spec->name);
	tap->path = note != NULL ? note->path : TAP_PATH_ANY;
	tap->family = spec->family;
	if (spec->family == TAP_FAMILY_TRACEPOINT)
		tap->mechanisms[tap->mechanism_count++] = PROBE_TP_BTF;
	tap->mechanisms[tap->mechanism_count++] = PROBE_RAW_TP;
	return TAP_OK;
}

struct listed_tap {
	char device[2 * TAP_NAME_MAX];
	char description[256];
};

struct tap_listing {
	struct listed_tap *taps;
	size_t count, capacity;
	int failed;
};

static void
collect_tap(void *ctx, unsigned int id, const char *name,
    const struct target_args *args)
{
	struct tap_listing *l = ctx;
	const struct tracepoint_note *note = bpftrace_tracepoint_note_find(name);
	struct listed_tap *t;

	(void)id;
	if (l->count == l->capacity) {
		size_t cap = l->capacity ? 2 * l->capacity : 64;
		struct listed_tap *n = realloc(l->taps, cap * sizeof(*n));

		if (n == NULL) {
			l->failed = 1;
			return;
		}
		l->taps = n;
		l->capacity = cap;
	}
	t = &l->taps[l->count++];
	bpftrace_tracepoint_device_name(name, t->device, sizeof(t->device));
	if (note != NULL)
		snprintf(t->description, sizeof(t->description), "%s",
		    note->description);
	else
		snprintf(t->description, sizeof(t->description),
		    "packets at tracepoint %s (skb is arg%d)", name,
		    bpftrace_btf_first_skb_arg(args) + 1);
}

static int
by_device_name(const void *a, const void *b)
{
	return strcmp(((const struct listed_tap *)a)->device,
	    ((const struct listed_tap *)b)->device);
}

/*
 * Calls fn for every tracepoint of this kernel that has an skb argument,
 * sorted by device name.
 */
int
bpftrace_tracepoint_list_taps(const struct btf *btf, tap_list_fn fn, void *ctx)
{
	struct tap_listing l = { NULL, 0, 0, 0 };
	size_t i;
	int status = 0;

	bpftrace_btf_each_skb_target(btf, BTF_TARGET_TRACEPOINT, collect_tap,
	    &l);
	if (l.failed) {
		free(l.taps);
		return TAP_NO_MEMORY;
	}
	qsort(l.taps, l.count, sizeof(l.taps[0]), by_device_name);
	for (i = 0; i < l.count && status == 0; i++)
		status = fn(ctx, l.taps[i].device, l.taps[i].description);
	free(l.taps);
	return status;
}
