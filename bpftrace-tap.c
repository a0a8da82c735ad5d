/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From a parsed tap name to a resolved tap: each family has its resolver.
 */
#include <bpf/btf.h>

#include "bpftrace-btf.h"
#include "bpftrace-function.h"
#include "bpftrace-interface.h"
#include "bpftrace-status.h"
#include "bpftrace-tap.h"
#include "bpftrace-tracepoint.h"
#include "bpftrace-user-program.h"

int
bpftrace_tap_resolve(const char *device, const struct tap_spec *spec,
    struct resolved_tap *tap, char *err, size_t errlen)
{
	switch (spec->family) {
	case TAP_FAMILY_TRACEPOINT:
	case TAP_FAMILY_RAW_TRACEPOINT:
		return bpftrace_tracepoint_resolve(device, spec, tap, err,
		    errlen);
	case TAP_FAMILY_KPROBE:
	case TAP_FAMILY_FENTRY:
	case TAP_FAMILY_FEXIT:
		return bpftrace_function_resolve(device, spec, tap, err,
		    errlen);
	case TAP_FAMILY_TC:
	case TAP_FAMILY_XDP:
		return bpftrace_interface_resolve(device, spec, tap, err,
		    errlen);
	case TAP_FAMILY_PROG:
	case TAP_FAMILY_PINNED:
		break;		/* no probe of ours: bpftrace-user-program.c */
	}
	return TAP_NO_SUCH_TAP;
}

/*
 * Every tap of this kernel, for pcap_findalldevs(): tracepoints, the usual
 * functions, tc and XDP per interface, and loaded programs that call
 * bpf_pcap().  All but the last need the kernel's BTF (the probe is
 * CO-RE), read once here; a kernel without it offers none, which is not
 * an error: the rest of the device list must still appear.
 */
int
bpftrace_tap_list_all(tap_list_fn fn, void *ctx)
{
	char err[256];
	struct btf *btf;
	int status;

	if (bpftrace_kernel_btf_load(&btf, err, sizeof(err)) != TAP_OK)
		return 0;
	status = bpftrace_tracepoint_list_taps(btf, fn, ctx);
	if (status == 0)
		status = bpftrace_function_list_taps(btf, fn, ctx);
	if (status == 0)
		status = bpftrace_interface_list_taps(fn, ctx);
	if (status == 0)
		status = bpftrace_user_program_list_taps(fn, ctx);
	btf__free(btf);
	return status;
}

const char *
bpftrace_probe_mechanism_name(enum probe_mechanism m)
{
	static const char *const names[] = {
		"tp_btf", "raw_tp", "fentry", "fexit", "kprobe", "tcx",
		"clsact", "xdp"
	};

	return (unsigned)m < sizeof(names) / sizeof(names[0]) ? names[m] : "?";
}
