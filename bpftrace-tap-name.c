/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parser for bpf: device names; see bpftrace-tap-name.h for the grammar.
 * Every failure leaves a one-line reason in err that names the part of the
 * device name that is wrong and what was expected instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpftrace-status.h"
#include "bpftrace-tap-name.h"

static const char known_families[] = "tracepoint, raw_tracepoint";

int
tap_name_is_ours(const char *device)
{
	return device != NULL &&
	    strncmp(device, TAP_PREFIX, sizeof(TAP_PREFIX) - 1) == 0;
}

const char *
tap_family_name(enum tap_family family)
{
	switch (family) {
	case TAP_FAMILY_TRACEPOINT:
		return "tracepoint";
	case TAP_FAMILY_RAW_TRACEPOINT:
		return "raw_tracepoint";
	}
	return "?";
}

/* Kernel symbol and tracepoint names: letters, digits, underscores. */
static int
is_identifier(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return 0;
	}
	return 1;
}

/*
 * "argN", the N-th argument counted from 1 (as the seed's bpftool pcap
 * does: ieee80211_scan_rx:arg2 is its skb); returns the 0-based index, or
 * -1.
 */
static int
parse_arg_index(const char *s)
{
	char *end;
	long n;

	if (strncmp(s, "arg", 3) != 0 || s[3] < '0' || s[3] > '9')
		return -1;
	n = strtol(s + 3, &end, 10);
	if (*end != '\0' || n < 1 || n > TAP_MAX_ARGS)
		return -1;
	return (int)n - 1;
}

/*
 * Splits s at ':' into at most max_parts parts, in place.  Returns the
 * number of parts, or max_parts + 1 when there are more.
 */
static int
split_parts(char *s, char **parts, int max_parts)
{
	int n = 0;

	for (;;) {
		if (n == max_parts)
			return max_parts + 1;
		parts[n++] = s;
		s = strchr(s, ':');
		if (s == NULL)
			return n;
		*s++ = '\0';
	}
}

static int
fill_name(char *dst, const char *src, const char *what, const char *device,
    char *err, size_t errlen)
{
	if (!is_identifier(src)) {
		snprintf(err, errlen,
		    "%s: %s '%s' is not a kernel name (letters, digits, '_')",
		    device, what, src);
		return TAP_NO_SUCH_TAP;
	}
	if (strlen(src) >= TAP_NAME_MAX) {
		snprintf(err, errlen, "%s: %s is longer than %d characters",
		    device, what, TAP_NAME_MAX - 1);
		return TAP_NO_SUCH_TAP;
	}
	strcpy(dst, src);
	return TAP_OK;
}

static int
fill_arg(struct tap_spec *spec, const char *arg, const char *device,
    char *err, size_t errlen)
{
	spec->skb_arg_index = parse_arg_index(arg);
	if (spec->skb_arg_index < 0) {
		snprintf(err, errlen,
		    "%s: '%s' is not an argument: use arg1 .. arg%d, or leave it"
		    " out to use the skb argument", device, arg, TAP_MAX_ARGS);
		return TAP_NO_SUCH_TAP;
	}
	return TAP_OK;
}

/*
 * [CATEGORY:]NAME[:argN], the category only for families that have one;
 * usage is the form shown when the parts do not fit.
 */
static int
parse_tracepoint_parts(char *rest, struct tap_spec *spec, int with_category,
    const char *usage, const char *device, char *err, size_t errlen)
{
	char *parts[3];
	int fixed = with_category ? 2 : 1;
	int n = split_parts(rest, parts, fixed + 1);
	int status;

	if (n < fixed || n > fixed + 1) {
		snprintf(err, errlen, "%s: expected %s", device, usage);
		return TAP_NO_SUCH_TAP;
	}
	if (with_category && (status = fill_name(spec->category, parts[0],
	    "tracepoint category", device, err, errlen)) != TAP_OK)
		return status;
	if ((status = fill_name(spec->name, parts[fixed - 1], "tracepoint name",
	    device, err, errlen)) != TAP_OK)
		return status;
	if (n == fixed + 1)
		return fill_arg(spec, parts[fixed], device, err, errlen);
	return TAP_OK;
}

int
tap_spec_parse(const char *device, struct tap_spec *spec, char *err,
    size_t errlen)
{
	char buf[3 * TAP_NAME_MAX];
	char *family, *rest;
	int status;

	memset(spec, 0, sizeof(*spec));
	spec->skb_arg_index = TAP_ARG_FROM_BTF;
	if (!tap_name_is_ours(device)) {
		snprintf(err, errlen, "%s: not a bpf: device name", device);
		return TAP_NO_SUCH_TAP;
	}
	if (strlen(device) >= sizeof(buf)) {
		snprintf(err, errlen, "%.64s...: device name too long", device);
		return TAP_NO_SUCH_TAP;
	}
	strcpy(buf, device + sizeof(TAP_PREFIX) - 1);
	family = buf;
	rest = strchr(buf, ':');
	if (rest != NULL)
		*rest++ = '\0';

	if (strcmp(family, "tracepoint") == 0 && rest != NULL) {
		spec->family = TAP_FAMILY_TRACEPOINT;
		status = parse_tracepoint_parts(rest, spec, 1,
		    "bpf:tracepoint:CATEGORY:NAME[:argN],"
		    " e.g. bpf:tracepoint:skb:kfree_skb", device, err, errlen);
	} else if (strcmp(family, "raw_tracepoint") == 0 && rest != NULL) {
		spec->family = TAP_FAMILY_RAW_TRACEPOINT;
		status = parse_tracepoint_parts(rest, spec, 0,
		    "bpf:raw_tracepoint:NAME[:argN],"
		    " e.g. bpf:raw_tracepoint:kfree_skb", device, err, errlen);
	} else if (strcmp(family, "tracepoint") == 0 ||
	    strcmp(family, "raw_tracepoint") == 0) {
		snprintf(err, errlen, "%s: the %s needs a name, e.g."
		    " bpf:tracepoint:skb:kfree_skb (tcpdump -D lists them)",
		    device, family);
		status = TAP_NO_SUCH_TAP;
	} else {
		snprintf(err, errlen, "%s: unknown tap family '%s': known are"
		    " %s (tcpdump -D lists the taps)", device, family,
		    known_families);
		status = TAP_NO_SUCH_TAP;
	}
	return status;
}
