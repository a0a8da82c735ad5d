/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parser for bpf: device names; see bpftrace-tap-name.h for the grammar.
 * Every failure leaves a one-line reason in err that names the part of the
 * device name that is wrong and what was expected instead.  So that the
 * reason fits in PCAP_ERRBUF_SIZE whatever was typed, a reason quotes the
 * name's parts at most 48 characters long (an unknown family 32) and the
 * name itself at most 64 (shown_name()).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpftrace-status.h"
#include "bpftrace-tap-name.h"

int
bpftrace_tap_name_is_ours(const char *device)
{
	return device != NULL &&
	    strncmp(device, TAP_PREFIX, sizeof(TAP_PREFIX) - 1) == 0;
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
		    "%s: %s '%.48s' is not a kernel name (letters, digits, '_')",
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
		    "%s: '%.48s' is not an argument: use arg1 .. arg%d, or leave it"
		    " out to use the skb argument", device, arg, TAP_MAX_ARGS);
		return TAP_NO_SUCH_TAP;
	}
	return TAP_OK;
}

/*
 * Whether a part is meant as argN ("arg" and digits), whatever its
 * number: so that "arg0" is reported as a bad argument, not taken for a
 * tracepoint name.  No tracepoint or category is called that.
 */
static int
looks_like_arg(const char *s)
{
	if (strncmp(s, "arg", 3) != 0 || s[3] == '\0')
		return 0;
	for (s += 3; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/*
 * NAME[:argN] for raw tracepoints and functions; what names the NAME part
 * in messages, usage is the form shown when the parts do not fit.
 */
static int
parse_named_target(char *rest, struct tap_spec *spec, const char *what,
    const char *usage, const char *device, char *err, size_t errlen)
{
	char *parts[2] = { NULL, NULL };
	int n = split_parts(rest, parts, 2);
	int status;

	if (n > 2) {
		snprintf(err, errlen, "%s: expected %s", device, usage);
		return TAP_NO_SUCH_TAP;
	}
	if ((status = fill_name(spec->name, parts[0], what, device, err,
	    errlen)) != TAP_OK)
		return status;
	if (n == 2)
		return fill_arg(spec, parts[1], device, err, errlen);
	return TAP_OK;
}

/*
 * [CATEGORY:]NAME[:argN].  The category may be left out: the tracepoint
 * is found by its name alone (names are unique kernel-wide), and the
 * category, which only tracefs knows for certain, is then not checked.
 * Two parts are NAME:argN when the second looks like an argument, else
 * CATEGORY:NAME.  An empty category stays empty in spec.
 */
static int
parse_tracepoint(char *rest, struct tap_spec *spec, const char *usage,
    const char *device, char *err, size_t errlen)
{
	char *parts[3], *category = NULL, *name, *arg = NULL;
	int n = split_parts(rest, parts, 3);
	int status;

	switch (n) {
	case 1:
		name = parts[0];
		break;
	case 2:
		if (looks_like_arg(parts[1])) {
			name = parts[0];
			arg = parts[1];
		} else {
			category = parts[0];
			name = parts[1];
		}
		break;
	case 3:
		category = parts[0];
		name = parts[1];
		arg = parts[2];
		break;
	default:
		snprintf(err, errlen, "%s: expected %s", device, usage);
		return TAP_NO_SUCH_TAP;
	}
	if (category != NULL && (status = fill_name(spec->category, category,
	    "tracepoint category", device, err, errlen)) != TAP_OK)
		return status;
	if ((status = fill_name(spec->name, name, "tracepoint name", device,
	    err, errlen)) != TAP_OK)
		return status;
	if (arg != NULL)
		return fill_arg(spec, arg, device, err, errlen);
	return TAP_OK;
}

/*
 * Interface names: what the kernel accepts (dev_valid_name()) less ':',
 * which separates the parts of a tap name here, and ',', which starts the
 * capture's options.
 */
static int
fill_interface(struct tap_spec *spec, const char *name, const char *device,
    char *err, size_t errlen)
{
	const char *c;

	if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name,
	    "..") == 0 ||
	    strlen(name) >= TAP_IFNAME_MAX) {
		snprintf(err, errlen, "%s: '%.48s' is not an interface name",
		    device,
		    name);
		return TAP_NO_SUCH_TAP;
	}
	for (c = name; *c != '\0'; c++) {
		if (*c == '/' || *c == ' ' || *c == '\t' || *c == '\n' ||
		    *c == SCOPE_SEPARATOR) {
			snprintf(err, errlen,
			    "%s: '%.48s' is not an interface name",
			    device, name);
			return TAP_NO_SUCH_TAP;
		}
	}
	strcpy(spec->name, name);
	return TAP_OK;
}

/*
 * The verdicts of the user's programs, by the names their own tools use
 * (enum xdp_action; tc's TC_ACT_*, whose values tcx's TCX_* share).
 */
struct verdict_word {
	const char *name;
	int value;
};

static const struct verdict_word xdp_verdicts[] = {
	{ "aborted", 0 }, { "drop", 1 }, { "pass", 2 }, { "tx", 3 },
	{ "redirect", 4 }, { NULL, 0 }
};

static const struct verdict_word tc_verdicts[] = {
	{ "unspec", -1 }, { "ok", 0 }, { "reclassify", 1 }, { "shot", 2 },
	{ "pipe", 3 }, { "stolen", 4 }, { "queued", 5 }, { "repeat", 6 },
	{ "redirect", 7 }, { "trap", 8 }, { NULL, 0 }
};

static const struct verdict_word *
verdicts_of(enum tap_family family)
{
	return family == TAP_FAMILY_XDP ? xdp_verdicts : tc_verdicts;
}

/* The verdict's name (NFLOG prefixes), or NULL for one without a name. */
const char *
bpftrace_tap_verdict_name(enum tap_family family, int verdict)
{
	const struct verdict_word *w;

	if (family != TAP_FAMILY_XDP && family != TAP_FAMILY_TC)
		return NULL;
	for (w = verdicts_of(family); w->name != NULL; w++)
		if (w->value == verdict)
			return w->name;
	return NULL;
}

static void
verdict_names(enum tap_family family, char *buf, size_t len)
{
	const struct verdict_word *w;
	size_t used = 0;

	buf[0] = '\0';
	for (w = verdicts_of(family); w->name != NULL && used < len; w++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    used > 0 ? ", " : "", w->name);
}

/* prog=NAME|ID: a program's id, or its name (BPF names are identifiers). */
static int
fill_program(struct tap_spec *spec, const char *value, const char *device,
    char *err, size_t errlen)
{
	if (spec->program[0] != '\0') {
		snprintf(err, errlen, "%s: prog= is given twice", device);
		return TAP_NO_SUCH_TAP;
	}
	if (!is_identifier(value) || strlen(value) >= sizeof(spec->program)) {
		snprintf(err, errlen, "%s: prog=%.48s is neither a program id"
		    " nor a program name (letters, digits, '_'; bpftool prog"
		    " lists them)", device, value);
		return TAP_NO_SUCH_TAP;
	}
	strcpy(spec->program, value);
	return TAP_OK;
}

/*
 * One word after an XDP interface, or after a tc interface and its hook:
 * prog= (tc), entry, or a verdict to keep.
 */
static int
parse_program_word(const char *word, struct tap_spec *spec,
    const char *device, char *err, size_t errlen)
{
	const struct verdict_word *w;
	char names[96];

	if (spec->family == TAP_FAMILY_TC && strncmp(word, "prog=", 5) == 0)
		return fill_program(spec, word + 5, device, err, errlen);
	if (strcmp(word, "entry") == 0) {
		spec->program_side = TAP_PROGRAM_ENTRY;
		return TAP_OK;
	}
	for (w = verdicts_of(spec->family); w->name != NULL; w++) {
		if (strcmp(word, w->name) == 0) {
			spec->verdicts |= TAP_VERDICT_BIT(w->value);
			return TAP_OK;
		}
	}
	verdict_names(spec->family, names, sizeof(names));
	if (spec->family == TAP_FAMILY_XDP)
		snprintf(err, errlen, "%s: '%.48s' is not an XDP word: use"
		    " generic or native, or at the user's program entry or"
		    " verdicts (%s)", device, word, names);
	else
		snprintf(err, errlen, "%s: '%.48s' is not a tc word here: use"
		    " before or after, or prog=NAME|ID, then entry or verdicts"
		    " (ok, shot, redirect, ...)", device, word);
	return TAP_NO_SUCH_TAP;
}

/*
 * One word after a tc interface and its hook, or after an XDP interface:
 * where the capture's own program goes (tc: before or after the hook's
 * programs; XDP: generic or native), or a word of the user's program.
 */
#define SAW_PLACE	1
#define SAW_MODE	2

static int
parse_interface_word(const char *word, struct tap_spec *spec, int *seen,
    const char *device, char *err, size_t errlen)
{
	if (spec->family == TAP_FAMILY_TC && !(*seen & SAW_PLACE) &&
	    (strcmp(word, "before") == 0 || strcmp(word, "after") == 0)) {
		spec->tc_place = word[0] == 'b' ? TAP_TC_BEFORE : TAP_TC_AFTER;
		*seen |= SAW_PLACE;
		return TAP_OK;
	}
	if (spec->family == TAP_FAMILY_XDP && !(*seen & SAW_MODE) &&
	    (strcmp(word, "generic") == 0 || strcmp(word, "native") == 0)) {
		spec->xdp_mode = word[0] == 'g' ? TAP_XDP_GENERIC :
		    TAP_XDP_NATIVE;
		*seen |= SAW_MODE;
		return TAP_OK;
	}
	return parse_program_word(word, spec, device, err, errlen);
}

#define INTERFACE_WORDS_MAX	8

/*
 * INTERFACE[:ingress|:egress][:before|:after|:prog=NAME|ID[:entry|
 * :VERDICT...]] for tc, INTERFACE[:generic|:native|:entry|:VERDICT...]
 * for XDP.
 */
static int
parse_interface(char *rest, struct tap_spec *spec, const char *usage,
    const char *device, char *err, size_t errlen)
{
	char *parts[1 + INTERFACE_WORDS_MAX];
	int n = split_parts(rest, parts, 1 + INTERFACE_WORDS_MAX);
	int status, i = 1, seen = 0;

	if (n > 1 + INTERFACE_WORDS_MAX) {
		snprintf(err, errlen, "%s: expected %s", device, usage);
		return TAP_NO_SUCH_TAP;
	}
	if ((status = fill_interface(spec, parts[0], device, err,
	    errlen)) != TAP_OK)
		return status;
	spec->hooks = TAP_HOOKS_BOTH;
	spec->tc_place = TAP_TC_AFTER;
	spec->xdp_mode = TAP_XDP_GENERIC;
	if (spec->family == TAP_FAMILY_TC && n > 1) {
		if (strcmp(parts[1], "ingress") == 0)
			spec->hooks = TAP_HOOKS_INGRESS;
		else if (strcmp(parts[1], "egress") == 0)
			spec->hooks = TAP_HOOKS_EGRESS;
		else if (strncmp(parts[1], "prog=", 5) != 0 &&
		    strcmp(parts[1], "before") != 0 &&
		    strcmp(parts[1], "after") != 0) {
			snprintf(err, errlen, "%s: '%.48s' is not a tc hook: use"
			    " ingress or egress (or leave it out for both),"
			    " then before, after or prog=NAME|ID",
			    device, parts[1]);
			return TAP_NO_SUCH_TAP;
		}
		if (spec->hooks != TAP_HOOKS_BOTH)
			i = 2;
	}
	for (; i < n; i++)
		if ((status = parse_interface_word(parts[i], spec, &seen,
		    device, err, errlen)) != TAP_OK)
			return status;
	if (spec->program[0] != '\0' && (seen & SAW_PLACE)) {
		snprintf(err, errlen, "%s: before and after place the capture's"
		    " own program among the hook's; prog= captures at the"
		    " user's program: give one of them", device);
		return TAP_NO_SUCH_TAP;
	}
	if ((seen & SAW_MODE) && (spec->verdicts != 0 ||
	    spec->program_side != TAP_PROGRAM_EXIT)) {
		snprintf(err, errlen, "%s: generic and native say how the"
		    " capture attaches its own XDP program; entry and verdicts"
		    " are at the user's program: give one of them", device);
		return TAP_NO_SUCH_TAP;
	}
	if (spec->family == TAP_FAMILY_TC && spec->program[0] == '\0' &&
	    (spec->verdicts != 0 || spec->program_side != TAP_PROGRAM_EXIT)) {
		snprintf(err, errlen, "%s: entry and verdicts are a program's:"
		    " name it first, bpf:tc:%s:ingress:prog=NAME|ID:...",
		    device, spec->name);
		return TAP_NO_SUCH_TAP;
	}
	if (spec->program_side == TAP_PROGRAM_ENTRY && spec->verdicts != 0) {
		snprintf(err, errlen, "%s: at entry the program has not decided"
		    " yet: select verdicts without ':entry'", device);
		return TAP_NO_SUCH_TAP;
	}
	return TAP_OK;
}

static int
parse_tc(char *rest, struct tap_spec *spec, const char *usage,
    const char *device, char *err, size_t errlen)
{
	return parse_interface(rest, spec, usage, device, err, errlen);
}

static int
parse_xdp(char *rest, struct tap_spec *spec, const char *usage,
    const char *device, char *err, size_t errlen)
{
	return parse_interface(rest, spec, usage, device, err, errlen);
}

/*
 * The capture's options (the part after the first ','): see the grammar
 * in bpftrace-tap-name.h.  Values are taken as written; the capturing
 * process resolves names and paths (bpftrace-scope.c), the privileged
 * side decides what the capture may see.
 */

/* A decimal number from 1 to max, digits only. */
static int
parse_number(const char *s, uint64_t max, uint64_t *value)
{
	uint64_t n = 0;
	const char *c;

	for (c = s; *c >= '0' && *c <= '9'; c++) {
		if (n > (max - (uint64_t)(*c - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*c - '0');
	}
	if (c == s || *c != '\0' || n == 0)
		return -1;
	*value = n;
	return 0;
}

static int
is_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int
fill_scope_path(char *dst, const char *value, const char *key,
    const char *device, char *err, size_t errlen)
{
	if (strlen(value) >= SCOPE_PATH_MAX) {
		snprintf(err, errlen, "%s: %s= path longer than %d characters",
		    device, key, SCOPE_PATH_MAX - 1);
		return TAP_NO_SUCH_TAP;
	}
	strcpy(dst, value);
	return TAP_OK;
}

static int
parse_scope_netns(const char *value, struct capture_scope *scope,
    const char *device, char *err, size_t errlen)
{
	uint64_t n;

	if (strcmp(value, "all") == 0) {
		scope->netns = SCOPE_NETNS_ALL;
		return TAP_OK;
	}
	if (is_digits(value)) {
		if (parse_number(value, UINT32_MAX, &n) != 0) {
			snprintf(err, errlen, "%s: netns=%.48s is not a"
			    " namespace inode number (1 .. %u)", device, value,
			    UINT32_MAX);
			return TAP_NO_SUCH_TAP;
		}
		scope->netns = SCOPE_NETNS_INODE;
		scope->netns_inode = (uint32_t)n;
		return TAP_OK;
	}
	if (value[0] != '/' && (strchr(value, '/') != NULL ||
	    strcmp(value, ".") == 0 || strcmp(value, "..") == 0)) {
		snprintf(err, errlen, "%s: netns=%.48s is neither a name in"
		    " /run/netns nor an absolute path (/proc/PID/ns/net)",
		    device, value);
		return TAP_NO_SUCH_TAP;
	}
	scope->netns = value[0] == '/' ? SCOPE_NETNS_PATH : SCOPE_NETNS_NAME;
	return fill_scope_path(scope->netns_path, value, "netns", device, err,
	    errlen);
}

static int
parse_scope_cgroup(const char *value, struct capture_scope *scope,
    const char *device, char *err, size_t errlen)
{
	uint64_t n;

	if (is_digits(value)) {
		if (parse_number(value, UINT64_MAX, &n) != 0) {
			snprintf(err, errlen, "%s: cgroup=%.48s is not a"
			    " cgroup id", device, value);
			return TAP_NO_SUCH_TAP;
		}
		scope->cgroup = SCOPE_CGROUP_ID;
		scope->cgroup_id = n;
		return TAP_OK;
	}
	scope->cgroup = SCOPE_CGROUP_PATH;
	return fill_scope_path(scope->cgroup_path, value, "cgroup", device,
	    err, errlen);
}

static int
parse_scope_dev(const char *key, const char *value,
    struct capture_scope *scope, const char *device, char *err,
    size_t errlen)
{
	struct tap_spec spec;
	uint64_t n;

	if (strcmp(key, "ifindex") == 0) {
		if (parse_number(value, INT32_MAX, &n) != 0) {
			snprintf(err, errlen, "%s: ifindex=%.48s is not an"
			    " interface index", device, value);
			return TAP_NO_SUCH_TAP;
		}
		scope->dev = SCOPE_DEV_INDEX;
		scope->ifindex = (uint32_t)n;
		return TAP_OK;
	}
	if (fill_interface(&spec, value, device, err, errlen) != TAP_OK)
		return TAP_NO_SUCH_TAP;
	scope->dev = SCOPE_DEV_NAME;
	strcpy(scope->dev_name, spec.name);
	return TAP_OK;
}

/*
 * ,track or ,track=N: follow packets that matched (see "Tracking" in
 * README.bpftrace), remembering at most N of them at once.
 */
static int
parse_track(const char *value, struct capture_scope *scope,
    const char *device, char *err, size_t errlen)
{
	uint64_t n = TRACK_ENTRIES_DEFAULT;

	if (scope->track_entries != 0) {
		snprintf(err, errlen, "%s: track is given twice", device);
		return TAP_NO_SUCH_TAP;
	}
	if (value != NULL && parse_number(value + 1, TRACK_ENTRIES_MAX,
	    &n) != 0) {
		snprintf(err, errlen, "%s: track=%.24s: give the packets to"
		    " follow at once, 1 to %u", device, value + 1,
		    TRACK_ENTRIES_MAX);
		return TAP_NO_SUCH_TAP;
	}
	scope->track_entries = (uint32_t)n;
	return TAP_OK;
}

/* One KEY=VALUE; each key at most once (dev and ifindex are one). */
static int
parse_scope_option(char *option, struct capture_scope *scope,
    const char *device, char *err, size_t errlen)
{
	char *value = strchr(option, '=');
	int given;

	if (*option == '\0') {
		snprintf(err, errlen, "%s: an empty option between ','s: give"
		    " options as ,KEY=VALUE", device);
		return TAP_NO_SUCH_TAP;
	}
	if (strcmp(option, "track") == 0 || strncmp(option, "track=", 6) == 0)
		return parse_track(value, scope, device, err, errlen);
	if (value == NULL || value[1] == '\0') {
		snprintf(err, errlen, "%s: option '%.48s' has no value: give"
		    " it as %.24s=VALUE", device, option, option);
		return TAP_NO_SUCH_TAP;
	}
	*value++ = '\0';
	if (strcmp(option, "netns") == 0)
		given = scope->netns != SCOPE_NETNS_DEFAULT;
	else if (strcmp(option, "cgroup") == 0)
		given = scope->cgroup != SCOPE_CGROUP_NONE;
	else if (strcmp(option, "dev") == 0 || strcmp(option, "ifindex") == 0)
		given = scope->dev != SCOPE_DEV_NONE;
	else {
		snprintf(err, errlen, "%s: unknown option '%.48s': known are"
		    " netns, cgroup, dev, ifindex and track", device,
		    option);
		return TAP_NO_SUCH_TAP;
	}
	if (given) {
		snprintf(err, errlen, "%s: the capture's %s is given twice",
		    device, strcmp(option, "ifindex") == 0 ? "dev" : option);
		return TAP_NO_SUCH_TAP;
	}
	if (strcmp(option, "netns") == 0)
		return parse_scope_netns(value, scope, device, err, errlen);
	if (strcmp(option, "cgroup") == 0)
		return parse_scope_cgroup(value, scope, device, err, errlen);
	return parse_scope_dev(option, value, scope, device, err, errlen);
}

/* options: the name after its first ','; split at each further ','. */
static int
parse_scope(const char *options, struct capture_scope *scope,
    const char *device, char *err, size_t errlen)
{
	char buf[4 * SCOPE_PATH_MAX], *option, *next;
	int status;

	if (strlen(options) >= sizeof(buf)) {
		snprintf(err, errlen, "%s: options longer than %zu characters",
		    device, sizeof(buf) - 1);
		return TAP_NO_SUCH_TAP;
	}
	strcpy(buf, options);
	for (option = buf; option != NULL; option = next) {
		next = strchr(option, SCOPE_SEPARATOR);
		if (next != NULL)
			*next++ = '\0';
		status = parse_scope_option(option, scope, device, err, errlen);
		if (status != TAP_OK)
			return status;
	}
	return TAP_OK;
}

int
bpftrace_capture_scope_given(const struct capture_scope *scope)
{
	return scope->netns != SCOPE_NETNS_DEFAULT ||
	    scope->cgroup != SCOPE_CGROUP_NONE || scope->dev != SCOPE_DEV_NONE;
}

/*
 * The options in their one canonical form (",netns=...,cgroup=...,dev="),
 * "" when none: appended to the taps, it gives a name that parses to the
 * same capture.  Returns the length, or -1 when it does not fit.
 */
int
bpftrace_capture_scope_format(const struct capture_scope *s, char *buf,
    size_t len)
{
	size_t used = 0;
	int n;

	if (len == 0)
		return -1;
	buf[0] = '\0';
#define SCOPE_APPEND(...) do {						\
	n = snprintf(buf + used, len - used, __VA_ARGS__);		\
	if (n < 0 || (size_t)n >= len - used)				\
		return -1;						\
	used += (size_t)n;						\
} while (0)
	if (s->netns == SCOPE_NETNS_ALL)
		SCOPE_APPEND(",netns=all");
	else if (s->netns == SCOPE_NETNS_INODE)
		SCOPE_APPEND(",netns=%u", s->netns_inode);
	else if (s->netns != SCOPE_NETNS_DEFAULT)
		SCOPE_APPEND(",netns=%s", s->netns_path);
	if (s->cgroup == SCOPE_CGROUP_ID)
		SCOPE_APPEND(",cgroup=%llu", (unsigned long long)s->cgroup_id);
	else if (s->cgroup == SCOPE_CGROUP_PATH)
		SCOPE_APPEND(",cgroup=%s", s->cgroup_path);
	if (s->dev == SCOPE_DEV_INDEX)
		SCOPE_APPEND(",ifindex=%u", s->ifindex);
	else if (s->dev == SCOPE_DEV_NAME)
		SCOPE_APPEND(",dev=%s", s->dev_name);
	if (s->track_entries == TRACK_ENTRIES_DEFAULT)
		SCOPE_APPEND(",track");
	else if (s->track_entries != 0)
		SCOPE_APPEND(",track=%u", s->track_entries);
#undef SCOPE_APPEND
	return (int)used;
}

/* The per-family parsers that the table in bpftrace-tap-families.h names. */
static int
parse_raw_tracepoint(char *rest, struct tap_spec *spec, const char *usage,
    const char *device, char *err, size_t errlen)
{
	return parse_named_target(rest, spec, "tracepoint name", usage, device,
	    err, errlen);
}

/* The characters of a shell glob (fnmatch) besides a name's own. */
static int
is_glob_char(char c)
{
	return c == '*' || c == '?' || c == '[' || c == ']' || c == '!' ||
	    c == '-';
}

/*
 * A function pattern: name characters and glob characters, with at least
 * one '*', '?' or '[' (else it is a plain name).  Returns 1 for a pattern,
 * 0 for anything else.
 */
static int
is_function_pattern(const char *s)
{
	int glob = 0;

	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s == '*' || *s == '?' || *s == '[')
			glob = 1;
		else if (!(*s == '_' || (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    is_glob_char(*s)))
			return 0;
	}
	return glob;
}

/*
 * FUNCTION[:argN], or for kprobes a PATTERN: every function whose name
 * the glob matches and that takes a struct sk_buff * (each function's
 * own skb argument, so no :argN).
 */
static int
parse_function(char *rest, struct tap_spec *spec, const char *usage,
    const char *device, char *err, size_t errlen)
{
	char *colon = strchr(rest, ':');

	if (colon != NULL)
		*colon = '\0';
	spec->pattern = is_function_pattern(rest);
	if (colon != NULL)
		*colon = ':';
	if (!spec->pattern)
		return parse_named_target(rest, spec, "function name", usage,
		    device, err, errlen);
	if (spec->family != TAP_FAMILY_KPROBE) {
		snprintf(err, errlen, "%s: function patterns are for"
		    " bpf:kprobe: taps only, e.g. bpf:kprobe:%.48s", device,
		    rest);
		return TAP_NO_SUCH_TAP;
	}
	if (colon != NULL) {
		snprintf(err, errlen, "%s: a function pattern takes each"
		    " function's own skb argument: leave out ':%.16s'", device,
		    colon + 1);
		return TAP_NO_SUCH_TAP;
	}
	if (strlen(rest) >= TAP_NAME_MAX) {
		snprintf(err, errlen, "%s: function pattern is longer than %d"
		    " characters", device, TAP_NAME_MAX - 1);
		return TAP_NO_SUCH_TAP;
	}
	strcpy(spec->name, rest);
	return TAP_OK;
}

/* bpf:prog:ID, a decimal program id. */
static int
parse_prog_id(char *rest, struct tap_spec *spec, const char *usage,
    const char *device, char *err, size_t errlen)
{
	unsigned long id = 0;
	const char *c;

	for (c = rest; *c >= '0' && *c <= '9' && id <= 0xffffffffUL; c++)
		id = id * 10 + (unsigned long)(*c - '0');
	if (c == rest || *c != '\0' || id == 0 || id > 0xffffffffUL) {
		snprintf(err, errlen, "%s: '%.48s' is not a program id: %s",
		    device,
		    rest, usage);
		return TAP_NO_SUCH_TAP;
	}
	spec->prog_id = (unsigned int)id;
	snprintf(spec->name, sizeof(spec->name), "%lu", id);
	return TAP_OK;
}

/* bpf:pinned:PATH, an absolute path in a BPF file system. */
static int
parse_pinned_path(char *rest, struct tap_spec *spec, const char *usage,
    const char *device, char *err, size_t errlen)
{
	if (rest[0] != '/') {
		snprintf(err, errlen, "%s: '%.48s' is not an absolute path: %s",
		    device, rest, usage);
		return TAP_NO_SUCH_TAP;
	}
	if (strlen(rest) >= sizeof(spec->name)) {
		snprintf(err, errlen, "%s: path longer than %zu characters",
		    device, sizeof(spec->name) - 1);
		return TAP_NO_SUCH_TAP;
	}
	strcpy(spec->name, rest);
	return TAP_OK;
}

/*
 * bpf:object:PATH[:SECTION].  PATH ends at the first ':' and names a file
 * the capturing process opens (relative to its working directory when not
 * absolute); the SECTION, the rest, is the SEC() name of one program or
 * that program's own name, as the object's ELF holds them: printable,
 * which the caller has already checked for the whole name.
 */
static int
parse_object(char *rest, struct tap_spec *spec, const char *usage,
    const char *device, char *err, size_t errlen)
{
	char *section = strchr(rest, ':');

	if (section != NULL)
		*section++ = '\0';
	if (rest[0] == '\0') {
		snprintf(err, errlen, "%s: no object file named: %s", device,
		    usage);
		return TAP_NO_SUCH_TAP;
	}
	if (strlen(rest) >= sizeof(spec->name)) {
		snprintf(err, errlen, "%s: object path longer than %zu"
		    " characters", device, sizeof(spec->name) - 1);
		return TAP_NO_SUCH_TAP;
	}
	if (section != NULL && section[0] == '\0') {
		snprintf(err, errlen, "%s: an empty section after the path:"
		    " name a program's SEC() or leave the ':' out for all of"
		    " them", device);
		return TAP_NO_SUCH_TAP;
	}
	if (section != NULL && strlen(section) >= sizeof(spec->section)) {
		snprintf(err, errlen, "%s: section longer than %zu characters",
		    device, sizeof(spec->section) - 1);
		return TAP_NO_SUCH_TAP;
	}
	strcpy(spec->name, rest);
	if (section != NULL)
		strcpy(spec->section, section);
	return TAP_OK;
}

struct family_syntax {
	const char *name;
	enum tap_class class;
	int brokered;
	const char *usage;
	int (*parse)(char *rest, struct tap_spec *spec, const char *usage,
	    const char *device, char *err, size_t errlen);
};

#define FAMILY_SYNTAX(id, name, class, parse, resolve, brokered, usage) \
	[TAP_FAMILY_##id] = { name, class, brokered, usage, parse },
static const struct family_syntax families[TAP_FAMILY_COUNT] = {
	BPFTRACE_TAP_FAMILIES(FAMILY_SYNTAX)
};
#undef FAMILY_SYNTAX

const char *
bpftrace_tap_family_name(enum tap_family family)
{
	return (unsigned)family < TAP_FAMILY_COUNT ?
	    families[family].name : "?";
}

enum tap_class
bpftrace_tap_family_class(enum tap_family family)
{
	return (unsigned)family < TAP_FAMILY_COUNT ?
	    families[family].class : TAP_CLASS_USER_PROGRAM;
}

int
bpftrace_tap_family_brokered(enum tap_family family)
{
	return (unsigned)family < TAP_FAMILY_COUNT &&
	    families[family].brokered;
}

int
bpftrace_tap_family_find(const char *name, enum tap_family *family)
{
	for (int f = 0; f < TAP_FAMILY_COUNT; f++) {
		if (strcmp(name, families[f].name) == 0) {
			*family = (enum tap_family)f;
			return 0;
		}
	}
	return -1;
}

/* "tracepoint, raw_tracepoint, ...": the known families, for messages. */
static void
family_names(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int f = 0; f < TAP_FAMILY_COUNT && used < len; f++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    f > 0 ? ", " : "", families[f].name);
}

/* The name as reasons show it: cut after 64 characters. */
static const char *
shown_name(const char *device, char *buf, size_t len)
{
	if (strlen(device) <= 64)
		return device;
	snprintf(buf, len, "%.64s...", device);
	return buf;
}

/*
 * A name with a control character is refused before any message quotes
 * it: every reason below echoes the name, and the application prints the
 * reason to a terminal (tcpdump after its own words), where a newline
 * would split the one-line message and an escape sequence would act.  The
 * name is shown with such bytes as \xNN instead.
 */
static int
refuse_control_characters(const char *device, char *err, size_t errlen)
{
	char shown[64 + 4 * 8 + 4];
	const unsigned char *c;
	size_t used = 0;

	for (c = (const unsigned char *)device; *c != '\0'; c++)
		if (*c < 0x20 || *c == 0x7f)
			break;
	if (*c == '\0')
		return TAP_OK;
	for (c = (const unsigned char *)device; *c != '\0' &&
	    used + 8 < sizeof(shown); c++) {
		if (*c < 0x20 || *c == 0x7f)
			used += (size_t)snprintf(shown + used,
			    sizeof(shown) - used, "\\x%02x", *c);
		else
			shown[used++] = (char)*c;
	}
	shown[used] = '\0';
	snprintf(err, errlen, "%s%s: a control character in the device name:"
	    " type the name without it", shown, *c != '\0' ? "..." : "");
	return TAP_NO_SUCH_TAP;
}

int
bpftrace_tap_spec_parse(const char *name, struct tap_spec *spec, char *err,
    size_t errlen)
{
	char buf[3 * TAP_NAME_MAX], shown[72];
	const struct family_syntax *f;
	const char *device = shown_name(name, shown, sizeof(shown));
	char *family, *rest;

	memset(spec, 0, sizeof(*spec));
	spec->skb_arg_index = TAP_ARG_FROM_BTF;
	if (refuse_control_characters(name, err, errlen) != TAP_OK)
		return TAP_NO_SUCH_TAP;
	if (!bpftrace_tap_name_is_ours(name)) {
		snprintf(err, errlen, "%s: not a bpf: device name", device);
		return TAP_NO_SUCH_TAP;
	}
	if (strlen(name) >= sizeof(buf)) {
		snprintf(err, errlen, "%.64s...: device name too long", name);
		return TAP_NO_SUCH_TAP;
	}
	strcpy(buf, name + sizeof(TAP_PREFIX) - 1);
	family = buf;
	rest = strchr(buf, ':');
	if (rest != NULL)
		*rest++ = '\0';

	if (bpftrace_tap_family_find(family, &spec->family) != 0) {
		char known[128];

		/*
		 * The family at most 32 characters (none is half as long):
		 * room for the list of the known ones.
		 */
		family_names(known, sizeof(known));
		snprintf(err, errlen, "%s: unknown tap family '%.32s': known are"
		    " %s (tcpdump -D lists the taps)", device, family, known);
		return TAP_NO_SUCH_TAP;
	}
	f = &families[spec->family];
	if (rest == NULL) {
		snprintf(err, errlen, "%s: the %s needs a name: %s", device,
		    family, f->usage);
		return TAP_NO_SUCH_TAP;
	}
	return f->parse(rest, spec, f->usage, device, err, errlen);
}

/*
 * Splits a capture's device name at '+' into up to TAPS_MAX taps, each
 * parsed on its own; devices[i] gets tap i's own name ("bpf:...").  The
 * options after the first ',' go into *scope (which may be NULL when the
 * caller only wants the taps; they are checked all the same).
 */
int
bpftrace_tap_specs_parse(const char *device, struct tap_spec *specs,
    char devices[][TAP_DEVICE_MAX], int *count, struct capture_scope *scope,
    char *err, size_t errlen)
{
	const char *part = device + sizeof(TAP_PREFIX) - 1, *options;
	struct capture_scope local;
	char shown[72];
	size_t left;
	int n = 0, status, interface = 0;

	*count = 0;
	if (scope == NULL)
		scope = &local;
	memset(scope, 0, sizeof(*scope));
	if (refuse_control_characters(device, err, errlen) != TAP_OK)
		return TAP_NO_SUCH_TAP;
	if (!bpftrace_tap_name_is_ours(device))
		return bpftrace_tap_spec_parse(device, &specs[0], err, errlen);
	options = strchr(part, SCOPE_SEPARATOR);
	left = options != NULL ? (size_t)(options - part) : strlen(part);
	for (;;) {
		const char *end = memchr(part, '+', left);
		size_t len = end ? (size_t)(end - part) : left;

		if (n == TAPS_MAX) {
			snprintf(err, errlen, "%.64s...: at most %d taps in one"
			    " capture", device, TAPS_MAX);
			return TAP_NO_SUCH_TAP;
		}
		if (len == 0 && (end != NULL || n > 0)) {
			snprintf(err, errlen, "%s: an empty tap between '+'s;"
			    " join taps as bpf:TAP+TAP, e.g."
			    " bpf:tracepoint:net:netif_receive_skb+tracepoint:skb:kfree_skb",
			    shown_name(device, shown, sizeof(shown)));
			return TAP_NO_SUCH_TAP;
		}
		if (len + sizeof(TAP_PREFIX) > TAP_DEVICE_MAX) {
			snprintf(err, errlen, "%.64s...: device name too long",
			    device);
			return TAP_NO_SUCH_TAP;
		}
		snprintf(devices[n], TAP_DEVICE_MAX, "%s%.*s", TAP_PREFIX,
		    (int)len, part);
		status = bpftrace_tap_spec_parse(devices[n], &specs[n], err,
		    errlen);
		if (status != TAP_OK)
			return status;
		n++;
		if (end == NULL)
			break;
		left -= len + 1;
		part = end + 1;
	}
	for (int i = 0; n > 1 && i < n; i++) {
		if (families[specs[i].family].class ==
		    TAP_CLASS_USER_PROGRAM) {
			snprintf(err, errlen, "%s: %.64s reads a program's own"
			    " records and cannot be joined with other taps",
			    shown_name(device, shown, sizeof(shown)), devices[i]);
			return TAP_NO_SUCH_TAP;
		}
	}
	if (options != NULL) {
		status = parse_scope(options + 1, scope, shown_name(device,
		    shown, sizeof(shown)), err, errlen);
		if (status != TAP_OK)
			return status;
		for (int i = 0; i < n; i++)
			if (families[specs[i].family].class !=
			    TAP_CLASS_TRACING)
				interface = 1;
		if (interface) {
			snprintf(err, errlen, "%s: options scope tracing taps"
			    " (tracepoints, functions); a tc or XDP tap is one"
			    " interface's already, a program's records are"
			    " its own", shown_name(device, shown,
			    sizeof(shown)));
			return TAP_NO_SUCH_TAP;
		}
	}
	*count = n;
	return TAP_OK;
}
