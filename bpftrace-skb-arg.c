/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Choosing the skb argument of a tap; see the header.  Arguments are
 * shown to users counted from 1 (arg1 is the first).
 */
#include <stdio.h>

#include <bpf/btf.h>

#include "bpftrace-skb-arg.h"
#include "bpftrace-status.h"
#include "bpftrace-tap-name.h"

/* "arg1, arg3": the skb arguments, as a user names them. */
static void
skb_arg_list(const struct target_args *args, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < args->count && used < len; i++)
		if (args->skb_mask & (1u << i))
			used += snprintf(buf + used, len - used, "%sarg%d",
			    used ? ", " : "", i + 1);
}

int
bpftrace_skb_arg_choose(const struct btf *btf, const char *device,
    const char *noun,
    const char *name, int requested, const struct target_args *args,
    int *index, char *err, size_t errlen)
{
	char type[128], skb_args[64];
	int i = requested;

	skb_arg_list(args, skb_args, sizeof(skb_args));
	if (i == TAP_ARG_FROM_BTF) {
		if (bpftrace_btf_skb_arg_count(args) == 0) {
			snprintf(err, errlen, "%s: %s '%s' carries no packet:"
			    " none of its arguments is a struct sk_buff *"
			    " (tcpdump -D lists packet taps)", device, noun,
			    name);
			return TAP_NOT_CAPTURABLE;
		}
		if (bpftrace_btf_skb_arg_count(args) > 1) {
			snprintf(err, errlen, "%s: %s '%s' has several struct"
			    " sk_buff * arguments (%s): name one, e.g. %s:arg%d",
			    device, noun, name, skb_args, device,
			    bpftrace_btf_first_skb_arg(args) + 1);
			return TAP_NOT_CAPTURABLE;
		}
		*index = bpftrace_btf_first_skb_arg(args);
		return TAP_OK;
	}
	if (i >= args->count) {
		if (args->count == 0)
			snprintf(err, errlen, "%s: %s '%s' has no arguments",
			    device, noun, name);
		else
			snprintf(err, errlen, "%s: %s '%s' has %d argument%s,"
			    " arg1 .. arg%d", device, noun, name, args->count,
			    args->count == 1 ? "" : "s", args->count);
		return TAP_NO_SUCH_TAP;
	}
	if (!(args->skb_mask & (1u << i))) {
		bpftrace_btf_type_describe(btf, args->type_ids[i], type,
		    sizeof(type));
		if (args->skb_mask == 0)
			snprintf(err, errlen,
			    "%s: arg%d of %s '%s' is '%s', not"
			    " struct sk_buff *, and the %s carries no packet",
			    device, i + 1, noun, name, type, noun);
		else
			snprintf(err, errlen,
			    "%s: arg%d of %s '%s' is '%s', not"
			    " struct sk_buff *: the packet is %s", device,
			        i + 1,
			    noun, name, type, skb_args);
		return TAP_NOT_CAPTURABLE;
	}
	*index = i;
	return TAP_OK;
}

/*
 * The tap's skb argument (see bpftrace_skb_arg_choose) and whether it works on
 * 802.11 frames, for a target found in owner's BTF (vmlinux's or a
 * module's, which this frees).
 */
int
bpftrace_tap_skb_arg_resolve(struct btf *vmlinux, struct btf *owner,
    const char *device, const char *noun, const struct tap_spec *spec,
    const struct target_args *args, struct resolved_tap *tap, char *err,
    size_t errlen)
{
	int status = bpftrace_skb_arg_choose(owner, device, noun, spec->name,
	    spec->skb_arg_index, args, &tap->skb_arg_index, err, errlen);

	tap->ieee80211 = bpftrace_btf_args_are_ieee80211(owner, args);
	tap->reason_arg_index = bpftrace_btf_reason_arg(owner, args,
	    tap->reason_enum,
	    sizeof(tap->reason_enum));
	if (owner != vmlinux)
		btf__free(owner);
	return status;
}
