/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the bpf: device-name grammar (bpftrace-tap-name.c),
 * as pcap_activate() meets it in a name typed by a user: any bytes up to
 * the first NUL, joined taps included.  Besides the sanitizers' checks:
 *
 *   refused    status TAP_NO_SUCH_TAP, no taps, and a reason that is one
 *              printable line (it becomes pcap_geterr()'s text, printed by
 *              tcpdump after its own words: a newline or an escape
 *              sequence from the name must not reach the terminal), whole
 *              in PCAP_ERRBUF_SIZE (not cut before the reason by a long
 *              echoed name)
 *   accepted   1 .. TAPS_MAX taps, each of a known family with its
 *              fields in range; each tap's own name parses alone to the
 *              same tap; the taps joined again with '+', and the options
 *              as written, give the name back; each tap written out in
 *              its canonical form parses to the same tap (the grammar has
 *              one meaning per tap); the options (the capture's scope)
 *              have their fields in range, only on tracing taps, and
 *              written out in their canonical form after the taps parse
 *              to the same scope
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bpftrace-status.h"
#include "bpftrace-tap-name.h"
#include "fuzz_promise.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* PCAP_ERRBUF_SIZE: the buffer the module parses into. */
#define ERR_LEN		256

static void
check_reason(const char *err)
{
	const unsigned char *c;

	if (memchr(err, '\0', ERR_LEN) == NULL || err[0] == '\0')
		promise_broken("refused name: no reason");
	/* Cut by snprintf, the reason is lost after the echoed name. */
	if (strlen(err) >= ERR_LEN - 1)
		promise_broken("refused name: reason cut at the buffer's end");
	for (c = (const unsigned char *)err; *c != '\0'; c++)
		if (*c < 0x20 || *c == 0x7f)
			promise_broken("refused name: reason not one printable"
			    " line");
}

static void
check_terminated(const char *s, size_t size, const char *what)
{
	if (memchr(s, '\0', size) == NULL)
		promise_broken(what);
}

static int
is_identifier(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

/* A shell glob of name characters with at least one of '*', '?', '['. */
static int
is_pattern(const char *s)
{
	int glob = 0;

	for (; *s != '\0'; s++) {
		if (*s == '*' || *s == '?' || *s == '[')
			glob = 1;
		else if (!(*s == '_' || *s == ']' || *s == '!' || *s == '-' ||
		    (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9')))
			return 0;
	}
	return glob;
}

/* What each family promises of the fields it fills. */
static void
check_fields(const struct tap_spec *s)
{
	check_terminated(s->category, sizeof(s->category),
	    "tap's category unterminated");
	check_terminated(s->name, sizeof(s->name), "tap's name unterminated");
	check_terminated(s->section, sizeof(s->section),
	    "tap's section unterminated");
	if (s->skb_arg_index != TAP_ARG_FROM_BTF &&
	    (s->skb_arg_index < 0 || s->skb_arg_index >= TAP_MAX_ARGS))
		promise_broken("tap's argument out of range");
	switch (s->family) {
	case TAP_FAMILY_TRACEPOINT:
		if (s->category[0] != '\0' && !is_identifier(s->category))
			promise_broken("tracepoint category not a kernel name");
		/* FALLTHROUGH */
	case TAP_FAMILY_RAW_TRACEPOINT:
	case TAP_FAMILY_KPROBE:
	case TAP_FAMILY_FENTRY:
	case TAP_FAMILY_FEXIT:
		if (s->pattern && s->family != TAP_FAMILY_KPROBE)
			promise_broken("a function pattern outside kprobe");
		if (s->pattern && (s->skb_arg_index != TAP_ARG_FROM_BTF ||
		    !is_pattern(s->name)))
			promise_broken("a function pattern with an argument,"
			    " or of other characters");
		if (!s->pattern && !is_identifier(s->name))
			promise_broken("tracepoint or function not a kernel"
			    " name");
		break;
	case TAP_FAMILY_TC:
	case TAP_FAMILY_XDP:
		if (s->name[0] == '\0' || strlen(s->name) >= TAP_IFNAME_MAX ||
		    strpbrk(s->name, "/: \t\n,") != NULL ||
		    strcmp(s->name, ".") == 0 || strcmp(s->name, "..") == 0)
			promise_broken("interface name the kernel refuses");
		if (s->hooks != TAP_HOOKS_BOTH &&
		    s->hooks != TAP_HOOKS_INGRESS &&
		    s->hooks != TAP_HOOKS_EGRESS)
			promise_broken("tc hooks unknown");
		if (s->family == TAP_FAMILY_XDP && s->hooks != TAP_HOOKS_BOTH)
			promise_broken("XDP tap with a tc hook");
		if (s->tc_place != TAP_TC_AFTER &&
		    (s->family != TAP_FAMILY_TC || s->tc_place != TAP_TC_BEFORE))
			promise_broken("tc place unknown, or outside tc");
		if (s->xdp_mode != TAP_XDP_GENERIC &&
		    (s->family != TAP_FAMILY_XDP ||
		    s->xdp_mode != TAP_XDP_NATIVE))
			promise_broken("XDP mode unknown, or outside XDP");
		check_terminated(s->program, sizeof(s->program),
		    "tap's program unterminated");
		if (s->program[0] != '\0' && (s->family != TAP_FAMILY_TC ||
		    !is_identifier(s->program)))
			promise_broken("program not a tc tap's, or not a name");
		if (s->family == TAP_FAMILY_TC && s->program[0] == '\0' &&
		    (s->verdicts != 0 || s->program_side != TAP_PROGRAM_EXIT))
			promise_broken("tc verdicts or entry without a program");
		if (s->program_side == TAP_PROGRAM_ENTRY && s->verdicts != 0)
			promise_broken("verdicts at a program's entry");
		if (s->program_side != TAP_PROGRAM_EXIT &&
		    s->program_side != TAP_PROGRAM_ENTRY)
			promise_broken("program side unknown");
		for (int v = -1; v <= TAP_VERDICT_MAX; v++)
			if ((s->verdicts & TAP_VERDICT_BIT(v)) &&
			    bpftrace_tap_verdict_name(s->family, v) == NULL)
				promise_broken("a verdict without a name");
		if (s->tc_place == TAP_TC_BEFORE && s->program[0] != '\0')
			promise_broken("a place and a program");
		if (s->xdp_mode == TAP_XDP_NATIVE && (s->verdicts != 0 ||
		    s->program_side != TAP_PROGRAM_EXIT))
			promise_broken("an attach mode and a program's words");
		break;
	case TAP_FAMILY_PROG:
		if (s->prog_id == 0)
			promise_broken("program id 0");
		break;
	case TAP_FAMILY_PINNED:
		if (s->name[0] != '/')
			promise_broken("pinned path not absolute");
		break;
	case TAP_FAMILY_OBJECT:
		/* The path ends at the first ':'; the section may hold one. */
		if (s->name[0] == '\0' || strchr(s->name, ':') != NULL)
			promise_broken("object path empty or with ':'");
		if (strpbrk(s->name, "+") != NULL ||
		    strpbrk(s->section, "+") != NULL)
			promise_broken("object tap with a '+'");
		break;
	default:
		promise_broken("tap of no known family");
	}
	if (s->family != TAP_FAMILY_TRACEPOINT && s->category[0] != '\0')
		promise_broken("category outside a tracepoint");
	if (s->family != TAP_FAMILY_OBJECT && s->section[0] != '\0')
		promise_broken("section outside an object");
	if (s->family >= TAP_FAMILY_TC && s->skb_arg_index != TAP_ARG_FROM_BTF)
		promise_broken("argument on a tap that has none");
	if (s->family != TAP_FAMILY_TC && s->family != TAP_FAMILY_XDP &&
	    (s->program[0] != '\0' || s->verdicts != 0 ||
	    s->program_side != TAP_PROGRAM_EXIT))
		promise_broken("program words outside tc and XDP");
}

/* ":prog=NAME", ":entry", the verdicts in the table's order. */
static void
write_program_words(const struct tap_spec *s, char *out, size_t len)
{
	size_t used = 0;
	const char *name;

	out[0] = '\0';
	if (s->program[0] != '\0')
		used += (size_t)snprintf(out + used, len - used, ":prog=%s",
		    s->program);
	if (s->program_side == TAP_PROGRAM_ENTRY && used < len)
		used += (size_t)snprintf(out + used, len - used, ":entry");
	for (int v = -1; v <= TAP_VERDICT_MAX && used < len; v++)
		if ((s->verdicts & TAP_VERDICT_BIT(v)) &&
		    (name = bpftrace_tap_verdict_name(s->family, v)) != NULL)
			used += (size_t)snprintf(out + used, len - used, ":%s",
			    name);
}

/* The one way of writing a tap; the parser must read it back the same. */
static void
write_canonical(const struct tap_spec *s, char *out, size_t len)
{
	static const char *const hooks[] = { "", ":ingress", ":egress" };
	char arg[16] = "", words[TAP_NAME_MAX + 128];

	if (s->skb_arg_index != TAP_ARG_FROM_BTF)
		snprintf(arg, sizeof(arg), ":arg%d", s->skb_arg_index + 1);
	switch (s->family) {
	case TAP_FAMILY_TRACEPOINT:
		snprintf(out, len, "bpf:tracepoint:%s%s%s%s", s->category,
		    s->category[0] != '\0' ? ":" : "", s->name, arg);
		break;
	case TAP_FAMILY_TC:
	case TAP_FAMILY_XDP:
		write_program_words(s, words, sizeof(words));
		snprintf(out, len, "bpf:%s:%s%s%s%s%s",
		    bpftrace_tap_family_name(s->family), s->name,
		    hooks[s->hooks],
		    s->tc_place == TAP_TC_BEFORE ? ":before" : "",
		    s->xdp_mode == TAP_XDP_NATIVE ? ":native" : "", words);
		break;
	case TAP_FAMILY_PROG:
		snprintf(out, len, "bpf:prog:%u", s->prog_id);
		break;
	case TAP_FAMILY_OBJECT:
		snprintf(out, len, "bpf:object:%s%s%s", s->name,
		    s->section[0] != '\0' ? ":" : "", s->section);
		break;
	default:
		snprintf(out, len, "bpf:%s:%s%s",
		    bpftrace_tap_family_name(s->family), s->name, arg);
		break;
	}
}

static int
same_tap(const struct tap_spec *a, const struct tap_spec *b)
{
	return a->family == b->family && strcmp(a->category,
	    b->category) == 0 && strcmp(a->name, b->name) == 0 &&
	    strcmp(a->section, b->section) == 0 &&
	    a->prog_id == b->prog_id &&
	    a->skb_arg_index == b->skb_arg_index && a->hooks == b->hooks &&
	    a->tc_place == b->tc_place && a->xdp_mode == b->xdp_mode &&
	    strcmp(a->program, b->program) == 0 &&
	    a->program_side == b->program_side && a->verdicts == b->verdicts;
}

static int
same_scope(const struct capture_scope *a, const struct capture_scope *b)
{
	return a->netns == b->netns && a->netns_inode == b->netns_inode &&
	    strcmp(a->netns_path, b->netns_path) == 0 &&
	    a->cgroup == b->cgroup && a->cgroup_id == b->cgroup_id &&
	    strcmp(a->cgroup_path, b->cgroup_path) == 0 &&
	    a->dev == b->dev && a->ifindex == b->ifindex &&
	    strcmp(a->dev_name, b->dev_name) == 0 &&
	    a->track_entries == b->track_entries;
}

/* What the options promise, and their canonical form read back. */
static void
check_scope(const char *device, const struct tap_spec *specs, int count,
    const struct capture_scope *scope)
{
	static struct tap_spec again_specs[TAPS_MAX];
	static char again_devices[TAPS_MAX][TAP_DEVICE_MAX];
	static char canonical[8192];
	struct capture_scope again;
	const char *options = strchr(device, SCOPE_SEPARATOR);
	char err[ERR_LEN];
	int n, i;

	check_terminated(scope->netns_path, sizeof(scope->netns_path),
	    "netns path unterminated");
	check_terminated(scope->cgroup_path, sizeof(scope->cgroup_path),
	    "cgroup path unterminated");
	check_terminated(scope->dev_name, sizeof(scope->dev_name),
	    "dev name unterminated");
	if (options == NULL) {
		if (bpftrace_capture_scope_given(scope) ||
		    scope->track_entries != 0)
			promise_broken("a scope without options");
		return;
	}
	if (!bpftrace_capture_scope_given(scope) && scope->track_entries == 0)
		promise_broken("options that scope nothing");
	if (scope->track_entries > TRACK_ENTRIES_MAX)
		promise_broken("track beyond its limit");
	for (i = 0; i < count; i++)
		if (bpftrace_tap_family_class(specs[i].family) !=
		    TAP_CLASS_TRACING)
			promise_broken("options on a tap other than tracing");
	if ((scope->netns == SCOPE_NETNS_INODE) != (scope->netns_inode != 0) ||
	    (scope->cgroup == SCOPE_CGROUP_ID) != (scope->cgroup_id != 0) ||
	    (scope->dev == SCOPE_DEV_INDEX) != (scope->ifindex != 0) ||
	    scope->ifindex > 0x7fffffffu)
		promise_broken("scope number out of range");
	if ((scope->netns == SCOPE_NETNS_PATH &&
	    scope->netns_path[0] != '/') ||
	    (scope->netns == SCOPE_NETNS_NAME &&
	    strchr(scope->netns_path, '/') != NULL) ||
	    strchr(scope->netns_path, SCOPE_SEPARATOR) != NULL ||
	    strchr(scope->cgroup_path, SCOPE_SEPARATOR) != NULL)
		promise_broken("scope path of the wrong kind");
	n = snprintf(canonical, sizeof(canonical), "%.*s",
	    (int)(options - device), device);
	if (bpftrace_capture_scope_format(scope, canonical + n,
	    sizeof(canonical) - (size_t)n) <= 0)
		promise_broken("scope has no canonical form");
	if (bpftrace_tap_specs_parse(canonical, again_specs, again_devices,
	    &n, &again, err, sizeof(err)) != TAP_OK || n != count ||
	    !same_scope(&again, scope))
		promise_broken("canonical options parse to another scope");
}

static void
check_taps(const char *device, const struct tap_spec *specs,
    char devices[][TAP_DEVICE_MAX], int count)
{
	static char joined[TAPS_MAX * (TAP_DEVICE_MAX + 1)];
	char canonical[TAP_DEVICE_MAX + 16], err[ERR_LEN];
	struct tap_spec again;
	size_t used = 0;
	int i;

	if (count < 1 || count > TAPS_MAX)
		promise_broken("accepted name: tap count");
	for (i = 0; i < count; i++) {
		const char *own = devices[i];

		check_terminated(own, TAP_DEVICE_MAX,
		    "tap's own name unterminated");
		if (!bpftrace_tap_name_is_ours(own))
			promise_broken("tap's own name lacks bpf:");
		check_fields(&specs[i]);
		if (bpftrace_tap_spec_parse(own, &again, err,
		    sizeof(err)) != TAP_OK || !same_tap(&again, &specs[i]))
			promise_broken("tap's own name parses to another tap");
		write_canonical(&specs[i], canonical, sizeof(canonical));
		if (bpftrace_tap_spec_parse(canonical, &again, err,
		    sizeof(err)) != TAP_OK || !same_tap(&again, &specs[i]))
			promise_broken("canonical form parses to another tap");
		used += (size_t)snprintf(joined + used, sizeof(joined) - used,
		    "%s%s", i == 0 ? "bpf:" : "+",
		    own + sizeof(TAP_PREFIX) - 1);
	}
	if (strncmp(joined, device, used) != 0 || (device[used] != '\0' &&
	    device[used] != SCOPE_SEPARATOR))
		promise_broken("taps joined again differ from the name");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tap_spec specs[TAPS_MAX];
	static char devices[TAPS_MAX][TAP_DEVICE_MAX];
	static struct capture_scope scope;
	static char device[4096];
	char err[ERR_LEN];
	int count = -1, status;

	if (size >= sizeof(device))
		size = sizeof(device) - 1;
	memcpy(device, data, size);
	device[size] = '\0';

	memset(err, 'x', sizeof(err));
	status = bpftrace_tap_specs_parse(device, specs, devices, &count,
	    &scope, err, sizeof(err));
	if (status != TAP_OK) {
		if (status != TAP_NO_SUCH_TAP || count != 0)
			promise_broken("refused name: status or count");
		check_reason(err);
		return 0;
	}
	check_taps(device, specs, devices, count);
	check_scope(device, specs, count, &scope);
	return 0;
}
