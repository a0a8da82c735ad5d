/*
 * Unit test of the bpf: device-name parser: accepted names give the
 * expected parts, rejected ones a message naming the problem.
 */
#include <stdio.h>
#include <string.h>

#include "bpftrace-status.h"
#include "bpftrace-tap-name.h"

static int failures, passes;

static void
expect_ok(const char *device, enum tap_family family, const char *category,
    const char *name, int arg)
{
	struct tap_spec spec;
	char err[256] = "";
	int status = bpftrace_tap_spec_parse(device, &spec, err, sizeof(err));

	if (status != TAP_OK || spec.family != family ||
	    strcmp(spec.category, category) != 0 ||
	    strcmp(spec.name, name) != 0 || spec.skb_arg_index != arg) {
		printf("FAIL %s: status %d (%s) family %d category '%s' name"
		    " '%s' arg %d\n", device, status, err, spec.family,
		    spec.category, spec.name, spec.skb_arg_index);
		failures++;
	} else
		passes++;
}

static void
expect_not_pattern(const char *device)
{
	struct tap_spec spec;
	char err[256] = "";

	if (bpftrace_tap_spec_parse(device, &spec, err, sizeof(err)) !=
	    TAP_OK || spec.pattern) {
		printf("FAIL %s: taken for a pattern, or refused (%s)\n",
		    device, err);
		failures++;
	} else
		passes++;
}

/* A kprobe pattern: kept as typed, flagged, the skb found per function. */
static void
expect_pattern(const char *device, const char *pattern)
{
	struct tap_spec spec;
	char err[256] = "";
	int status = bpftrace_tap_spec_parse(device, &spec, err, sizeof(err));

	if (status != TAP_OK || spec.family != TAP_FAMILY_KPROBE ||
	    !spec.pattern || strcmp(spec.name, pattern) != 0 ||
	    spec.skb_arg_index != TAP_ARG_FROM_BTF) {
		printf("FAIL %s: status %d (%s) pattern %d name '%s' arg %d\n",
		    device, status, err, spec.pattern, spec.name,
		    spec.skb_arg_index);
		failures++;
	} else
		passes++;
}

static void
expect_hooks(const char *device, const char *name, enum tap_hooks hooks)
{
	struct tap_spec spec;
	char err[256] = "";
	int status = bpftrace_tap_spec_parse(device, &spec, err, sizeof(err));

	if (status != TAP_OK || spec.family != TAP_FAMILY_TC ||
	    strcmp(spec.name, name) != 0 || spec.hooks != hooks) {
		printf("FAIL %s: status %d (%s) name '%s' hooks %d\n", device,
		    status, err, spec.name, spec.hooks);
		failures++;
	} else
		passes++;
}

/* At the user's XDP or tc program: its name, side and verdicts. */
static void
expect_program(const char *device, enum tap_family family,
    enum tap_hooks hooks, const char *program, enum tap_program_side side,
    uint32_t verdicts)
{
	struct tap_spec spec;
	char err[256] = "";
	int status = bpftrace_tap_spec_parse(device, &spec, err, sizeof(err));

	if (status != TAP_OK || spec.family != family || spec.hooks != hooks ||
	    strcmp(spec.program, program) != 0 || spec.program_side != side ||
	    spec.verdicts != verdicts) {
		printf("FAIL %s: status %d (%s) hooks %d program '%s' side %d"
		    " verdicts %#x\n", device, status, err, spec.hooks,
		    spec.program, spec.program_side, spec.verdicts);
		failures++;
	} else
		passes++;
}

/* A verdict's name as NFLOG prefixes give it. */
static void
expect_verdict_name(enum tap_family family, int verdict, const char *name)
{
	const char *got = bpftrace_tap_verdict_name(family, verdict);

	if ((got == NULL) != (name == NULL) ||
	    (got != NULL && strcmp(got, name) != 0)) {
		printf("FAIL verdict %d of family %d: '%s', expected '%s'\n",
		    verdict, family, got ? got : "(none)",
		    name ? name : "(none)");
		failures++;
	} else
		passes++;
}

/* tc's place among the hook's programs, XDP's attach mode. */
static void
expect_place(const char *device, enum tap_hooks hooks, enum tap_tc_place place)
{
	struct tap_spec spec;
	char err[256] = "";
	int status = bpftrace_tap_spec_parse(device, &spec, err, sizeof(err));

	if (status != TAP_OK || spec.family != TAP_FAMILY_TC ||
	    spec.hooks != hooks || spec.tc_place != place) {
		printf("FAIL %s: status %d (%s) hooks %d place %d\n", device,
		    status, err, spec.hooks, spec.tc_place);
		failures++;
	} else
		passes++;
}

static void
expect_xdp_mode(const char *device, enum tap_xdp_mode mode)
{
	struct tap_spec spec;
	char err[256] = "";
	int status = bpftrace_tap_spec_parse(device, &spec, err, sizeof(err));

	if (status != TAP_OK || spec.family != TAP_FAMILY_XDP ||
	    spec.xdp_mode != mode) {
		printf("FAIL %s: status %d (%s) mode %d\n", device, status,
		    err, spec.xdp_mode);
		failures++;
	} else
		passes++;
}

static void
expect_object(const char *device, const char *path, const char *section)
{
	struct tap_spec spec;
	char err[256] = "";
	int status = bpftrace_tap_spec_parse(device, &spec, err, sizeof(err));

	if (status != TAP_OK || spec.family != TAP_FAMILY_OBJECT ||
	    strcmp(spec.name, path) != 0 ||
	    strcmp(spec.section, section) != 0) {
		printf("FAIL %s: status %d (%s) path '%s' section '%s'\n",
		    device, status, err, spec.name, spec.section);
		failures++;
	} else
		passes++;
}

static void
expect_error(const char *device, const char *message_part)
{
	struct tap_spec spec;
	char err[256] = "";
	int status = bpftrace_tap_spec_parse(device, &spec, err, sizeof(err));

	if (status == TAP_OK || strstr(err, message_part) == NULL ||
	    strchr(err, '\n') != NULL) {
		printf("FAIL %s: status %d, message '%s' lacks '%s'\n", device,
		    status, err, message_part);
		failures++;
	} else
		passes++;
}

/* A joined name: count taps, and tap i's own device name. */
static void
expect_joined(const char *device, int count, int i, const char *tap_device,
    enum tap_family family)
{
	struct tap_spec specs[TAPS_MAX];
	char devices[TAPS_MAX][TAP_DEVICE_MAX];
	char err[256] = "";
	int n = -1;
	int status = bpftrace_tap_specs_parse(device, specs, devices, &n, NULL,
	    err, sizeof(err));

	if (status != TAP_OK || n != count || strcmp(devices[i],
	    tap_device) != 0 ||
	    specs[i].family != family) {
		printf("FAIL %s: status %d (%s), %d taps\n", device, status,
		    err, n);
		failures++;
	} else
		passes++;
}

static void
expect_joined_error(const char *device, const char *message_part)
{
	struct tap_spec specs[TAPS_MAX];
	char devices[TAPS_MAX][TAP_DEVICE_MAX];
	char err[256] = "";
	int n;
	int status = bpftrace_tap_specs_parse(device, specs, devices, &n, NULL,
	    err, sizeof(err));

	if (status == TAP_OK || strstr(err, message_part) == NULL) {
		printf("FAIL %s: status %d, message '%s' lacks '%s'\n", device,
		    status, err, message_part);
		failures++;
	} else
		passes++;
}

/* A name with options: its scope, written out canonically after the taps. */
static void
expect_scope(const char *device, const char *canonical_options)
{
	struct tap_spec specs[TAPS_MAX];
	char devices[TAPS_MAX][TAP_DEVICE_MAX];
	struct capture_scope scope;
	char err[256] = "", options[1024] = "";
	int n = -1;
	int status = bpftrace_tap_specs_parse(device, specs, devices, &n,
	    &scope, err, sizeof(err));

	if (status == TAP_OK)
		bpftrace_capture_scope_format(&scope, options,
		    sizeof(options));
	if (status != TAP_OK || strcmp(options, canonical_options) != 0) {
		printf("FAIL %s: status %d (%s), options '%s', expected"
		    " '%s'\n", device, status, err, options,
		    canonical_options);
		failures++;
	} else
		passes++;
}

int
main(void)
{
	char longname[400], path[128], section[128];

	expect_ok("bpf:tracepoint:skb:kfree_skb", TAP_FAMILY_TRACEPOINT,
	    "skb", "kfree_skb", TAP_ARG_FROM_BTF);
	expect_ok("bpf:tracepoint:net:netif_receive_skb:arg1",
	    TAP_FAMILY_TRACEPOINT, "net", "netif_receive_skb", 0);
	expect_ok("bpf:tracepoint:a:b:arg12", TAP_FAMILY_TRACEPOINT, "a", "b",
	    11);
	/* The category may be left out; a second part argN is the argument. */
	expect_ok("bpf:tracepoint:kfree_skb", TAP_FAMILY_TRACEPOINT, "",
	    "kfree_skb", TAP_ARG_FROM_BTF);
	expect_ok("bpf:tracepoint:tcp_sendmsg_locked:arg3",
	    TAP_FAMILY_TRACEPOINT, "", "tcp_sendmsg_locked", 2);
	expect_ok("bpf:tracepoint:kfree_skb:arg12", TAP_FAMILY_TRACEPOINT, "",
	    "kfree_skb", 11);
	expect_ok("bpf:tracepoint:skb:arg1x", TAP_FAMILY_TRACEPOINT, "skb",
	    "arg1x", TAP_ARG_FROM_BTF);
	expect_ok("bpf:tracepoint:skb:argv", TAP_FAMILY_TRACEPOINT, "skb",
	    "argv", TAP_ARG_FROM_BTF);
	expect_ok("bpf:tracepoint:arg:kfree_skb", TAP_FAMILY_TRACEPOINT, "arg",
	    "kfree_skb", TAP_ARG_FROM_BTF);
	expect_joined("bpf:tracepoint:kfree_skb+tracepoint:net:net_dev_xmit:arg1",
	    2, 0, "bpf:tracepoint:kfree_skb", TAP_FAMILY_TRACEPOINT);
	expect_ok("bpf:raw_tracepoint:kfree_skb", TAP_FAMILY_RAW_TRACEPOINT,
	    "", "kfree_skb", TAP_ARG_FROM_BTF);
	expect_ok("bpf:raw_tracepoint:kfree_skb:arg3",
	    TAP_FAMILY_RAW_TRACEPOINT, "", "kfree_skb", 2);

	expect_ok("bpf:kprobe:ip_rcv", TAP_FAMILY_KPROBE, "", "ip_rcv",
	    TAP_ARG_FROM_BTF);
	expect_not_pattern("bpf:kprobe:ip_rcv");
	expect_not_pattern("bpf:kprobe:ip_rcv:arg1");
	expect_ok("bpf:fentry:sk_skb_reason_drop:arg2", TAP_FAMILY_FENTRY, "",
	    "sk_skb_reason_drop", 1);
	expect_ok("bpf:fexit:ip_rcv", TAP_FAMILY_FEXIT, "", "ip_rcv",
	    TAP_ARG_FROM_BTF);
	expect_pattern("bpf:kprobe:ip_*", "ip_*");
	expect_pattern("bpf:kprobe:*", "*");
	expect_pattern("bpf:kprobe:tcp_v?_rcv", "tcp_v?_rcv");
	expect_pattern("bpf:kprobe:[!_]*skb*", "[!_]*skb*");
	expect_pattern("bpf:kprobe:ip[6-]*", "ip[6-]*");
	expect_error("bpf:kprobe:ip_*:arg1", "a function pattern takes each"
	    " function's own skb argument: leave out ':arg1'");
	expect_error("bpf:fentry:ip_*", "function patterns are for bpf:kprobe:"
	    " taps only");
	expect_error("bpf:fexit:*", "function patterns are for bpf:kprobe:");
	expect_error("bpf:kprobe:ip_*/x", "is not a kernel name");
	expect_error("bpf:kprobe:ip-rcv", "'ip-rcv' is not a kernel name");
	expect_hooks("bpf:tc:eth0", "eth0", TAP_HOOKS_BOTH);
	expect_hooks("bpf:tc:veth-a.10:ingress", "veth-a.10",
	    TAP_HOOKS_INGRESS);
	expect_hooks("bpf:tc:eth0:egress", "eth0", TAP_HOOKS_EGRESS);
	expect_place("bpf:tc:eth0", TAP_HOOKS_BOTH, TAP_TC_AFTER);
	expect_place("bpf:tc:eth0:before", TAP_HOOKS_BOTH, TAP_TC_BEFORE);
	expect_place("bpf:tc:eth0:after", TAP_HOOKS_BOTH, TAP_TC_AFTER);
	expect_place("bpf:tc:eth0:ingress:before", TAP_HOOKS_INGRESS,
	    TAP_TC_BEFORE);
	expect_place("bpf:tc:eth0:egress:after", TAP_HOOKS_EGRESS,
	    TAP_TC_AFTER);
	expect_xdp_mode("bpf:xdp:eth0", TAP_XDP_GENERIC);
	expect_xdp_mode("bpf:xdp:eth0:generic", TAP_XDP_GENERIC);
	expect_xdp_mode("bpf:xdp:eth0:native", TAP_XDP_NATIVE);
	expect_error("bpf:xdp:eth0:native:generic",
	    "'generic' is not an XDP word");
	expect_error("bpf:tc:eth0:before:ingress",
	    "'ingress' is not a tc word here");
	expect_error("bpf:tc:eth0:before:after", "'after' is not a tc word");
	expect_error("bpf:tc:eth0:ingress:egress", "'egress' is not a tc word");
	expect_error("bpf:tc:eth0:ingress:before:x", "'x' is not a tc word");
	expect_error("bpf:tc:eth0:ingress:before:prog=f",
	    "before and after place the capture's own program");
	expect_error("bpf:xdp:eth0:native:drop",
	    "generic and native say how the capture attaches");
	expect_ok("bpf:xdp:eth0", TAP_FAMILY_XDP, "", "eth0", TAP_ARG_FROM_BTF);
	expect_ok("bpf:prog:42", TAP_FAMILY_PROG, "", "42", TAP_ARG_FROM_BTF);
	expect_ok("bpf:prog:4294967295", TAP_FAMILY_PROG, "", "4294967295",
	    TAP_ARG_FROM_BTF);
	expect_ok("bpf:pinned:/sys/fs/bpf/a:b/packets", TAP_FAMILY_PINNED, "",
	    "/sys/fs/bpf/a:b/packets", TAP_ARG_FROM_BTF);

	expect_object("bpf:object:/tmp/x.bpf.o", "/tmp/x.bpf.o", "");
	expect_object("bpf:object:x.bpf.o:tp_btf/netif_receive_skb",
	    "x.bpf.o", "tp_btf/netif_receive_skb");
	expect_object("bpf:object:/o:uprobe//bin/a:main", "/o",
	    "uprobe//bin/a:main");
	expect_object("bpf:object:/a b/x.o:pcap_tp", "/a b/x.o", "pcap_tp");
	expect_error("bpf:object:", "no object file named: bpf:object:PATH");
	expect_error("bpf:object::xdp", "no object file named");
	expect_error("bpf:object:/tmp/x.o:", "an empty section after the path");
	expect_error("bpf:object:/tmp/x\033[2J.o",
	    "a control character in the device name");
	expect_error("bpf:object:/tmp/x\n.o", "\\x0a.o: a control character");

	expect_error("bpf:", "unknown tap family ''");
	expect_error("bpf:kprobe", "needs a name: bpf:kprobe:FUNCTION[:argN]");
	expect_error("bpf:kprobe:ip_rcv:arg1:x",
	    "expected bpf:kprobe:FUNCTION[:argN]");
	expect_error("bpf:fentry:ip-rcv",
	    "function name 'ip-rcv' is not a kernel name");
	expect_error("bpf:tc:eth0:sideways", "'sideways' is not a tc hook");
	expect_error("bpf:tc:averyveryverylongname",
	    "is not an interface name");
	expect_error("bpf:tc:a/b", "'a/b' is not an interface name");
	expect_error("bpf:xdp:eth0:ingress",
	    "'ingress' is not an XDP word: use generic or native, or at the"
	    " user's program entry or verdicts (aborted, drop, pass, tx,"
	    " redirect)");
	/* At the user's XDP program (bpftrace-interface.c decides). */
	expect_program("bpf:xdp:eth0", TAP_FAMILY_XDP, TAP_HOOKS_BOTH, "",
	    TAP_PROGRAM_EXIT, 0);
	expect_program("bpf:xdp:eth0:entry", TAP_FAMILY_XDP, TAP_HOOKS_BOTH,
	    "", TAP_PROGRAM_ENTRY, 0);
	expect_program("bpf:xdp:eth0:drop", TAP_FAMILY_XDP, TAP_HOOKS_BOTH, "",
	    TAP_PROGRAM_EXIT, TAP_VERDICT_BIT(1));
	expect_program("bpf:xdp:eth0:drop:redirect:aborted", TAP_FAMILY_XDP,
	    TAP_HOOKS_BOTH, "", TAP_PROGRAM_EXIT, TAP_VERDICT_BIT(0) |
	    TAP_VERDICT_BIT(1) | TAP_VERDICT_BIT(4));
	expect_error("bpf:xdp:eth0:entry:drop", "at entry the program has not"
	    " decided yet");
	expect_error("bpf:xdp:eth0:shot", "'shot' is not an XDP word");
	expect_error("bpf:xdp:eth0:prog=x", "'prog=x' is not an XDP word");
	expect_error("bpf:xdp:eth0:pass:pass:pass:pass:pass:pass:pass:pass:pass",
	    "expected bpf:xdp:INTERFACE");
	/* At the user's tc program. */
	expect_program("bpf:tc:eth0:ingress:prog=my_filter", TAP_FAMILY_TC,
	    TAP_HOOKS_INGRESS, "my_filter", TAP_PROGRAM_EXIT, 0);
	expect_program("bpf:tc:eth0:prog=42", TAP_FAMILY_TC, TAP_HOOKS_BOTH,
	    "42", TAP_PROGRAM_EXIT, 0);
	expect_program("bpf:tc:eth0:egress:prog=f:shot:redirect:unspec",
	    TAP_FAMILY_TC, TAP_HOOKS_EGRESS, "f", TAP_PROGRAM_EXIT,
	    TAP_VERDICT_BIT(2) | TAP_VERDICT_BIT(7) | TAP_VERDICT_BIT(-1));
	expect_program("bpf:tc:eth0:ingress:prog=f:entry", TAP_FAMILY_TC,
	    TAP_HOOKS_INGRESS, "f", TAP_PROGRAM_ENTRY, 0);
	expect_error("bpf:tc:eth0:ingress:shot", "entry and verdicts are a"
	    " program's: name it first");
	expect_error("bpf:tc:eth0:ingress:entry", "name it first");
	expect_error("bpf:tc:eth0:ingress:prog=", "prog= is neither a program"
	    " id nor a program name");
	expect_error("bpf:tc:eth0:ingress:prog=a-b", "prog=a-b is neither");
	expect_error("bpf:tc:eth0:ingress:prog=a:prog=b", "prog= is given"
	    " twice");
	expect_error("bpf:tc:eth0:ingress:prog=a:drop", "'drop' is not a tc"
	    " word here");
	expect_error("bpf:tc:eth0:ingress:egress", "'egress' is not a tc word");
	expect_verdict_name(TAP_FAMILY_XDP, 1, "drop");
	expect_verdict_name(TAP_FAMILY_XDP, 4, "redirect");
	expect_verdict_name(TAP_FAMILY_XDP, 5, NULL);
	expect_verdict_name(TAP_FAMILY_TC, -1, "unspec");
	expect_verdict_name(TAP_FAMILY_TC, 2, "shot");
	expect_verdict_name(TAP_FAMILY_TC, 7, "redirect");
	expect_verdict_name(TAP_FAMILY_TC, -2, NULL);
	expect_verdict_name(TAP_FAMILY_KPROBE, 1, NULL);
	expect_error("bpf:nosuch:x", "unknown tap family 'nosuch'");
	expect_joined("bpf:tc:eth0", 1, 0, "bpf:tc:eth0", TAP_FAMILY_TC);
	expect_joined("bpf:tracepoint:net:netif_receive_skb+tracepoint:skb:kfree_skb",
	    2, 1, "bpf:tracepoint:skb:kfree_skb", TAP_FAMILY_TRACEPOINT);
	expect_joined("bpf:tc:a+xdp:b+kprobe:ip_rcv:arg1+tc:c:egress", 4, 2,
	    "bpf:kprobe:ip_rcv:arg1", TAP_FAMILY_KPROBE);
	expect_joined("bpf:tc:a+tc:b+tc:c+tc:d+tc:e+tc:f+tc:g+tc:h", 8, 7,
	    "bpf:tc:h", TAP_FAMILY_TC);
	expect_joined_error("bpf:tc:a+tc:b+tc:c+tc:d+tc:e+tc:f+tc:g+tc:h+tc:i",
	    "at most 8 taps");
	expect_joined_error("bpf:tc:a+", "an empty tap between '+'s");
	expect_joined_error("bpf:+tc:a", "an empty tap between '+'s");
	expect_joined_error("bpf:tc:a+tc:b:sideways",
	    "'sideways' is not a tc hook");
	expect_joined_error("bpf:tc:a+pinned:/x",
	    "cannot be joined with other taps");
	expect_error("bpf:prog:0", "'0' is not a program id");
	expect_error("bpf:prog:4294967296", "'4294967296' is not a program id");
	expect_error("bpf:prog:99999999999999999999999", "is not a program id");
	expect_error("bpf:prog:12x", "'12x' is not a program id");
	expect_error("bpf:prog:", "'' is not a program id");
	expect_error("bpf:pinned:packets", "'packets' is not an absolute path");
	expect_error("bpf:tracepoint",
	    "needs a name: bpf:tracepoint:[CATEGORY:]NAME[:argN]");
	expect_error("bpf:tracepoint:",
	    "tracepoint name '' is not a kernel name");
	expect_error("bpf:tracepoint:skb:",
	    "tracepoint name '' is not a kernel name");
	expect_error("bpf:tracepoint:kfree_skb:arg0",
	    "'arg0' is not an argument: use arg1 .. arg12");
	expect_error("bpf:tracepoint:kfree_skb:arg13",
	    "'arg13' is not an argument");
	expect_error("bpf:tracepoint:kfree-skb",
	    "tracepoint name 'kfree-skb' is not a kernel name");
	expect_error("bpf:tracepoint:s-k:kfree_skb",
	    "category 's-k' is not a kernel name");
	expect_error("bpf:tracepoint:a:b:c:d",
	    "expected bpf:tracepoint:[CATEGORY:]NAME[:argN]");
	expect_error("bpf:tracepoint:skb:kfree_skb:arg13",
	    "'arg13' is not an argument");
	expect_error("bpf:tracepoint:skb:kfree_skb:arg0",
	    "'arg0' is not an argument: use arg1 .. arg12");
	expect_error("bpf:tracepoint:skb:kfree_skb:argx",
	    "'argx' is not an argument");
	expect_error("bpf:tracepoint:skb:kfree_skb:arg1:x",
	    "expected bpf:tracepoint");
	expect_error("bpf:tracepoint:skb:kfree-skb",
	    "'kfree-skb' is not a kernel name");
	expect_error("bpf:tracepoint::kfree_skb",
	    "category '' is not a kernel name");
	expect_error("bpf:raw_tracepoint:a:b:c",
	    "expected bpf:raw_tracepoint:NAME");
	expect_error("eth0", "not a bpf: device name");

	/* The capture's options: any order in, one order out. */
	expect_scope("bpf:tracepoint:kfree_skb", "");
	expect_scope("bpf:tracepoint:kfree_skb,netns=all", ",netns=all");
	expect_scope("bpf:tracepoint:kfree_skb,netns=04026532249",
	    ",netns=4026532249");
	expect_scope("bpf:kprobe:ip_rcv,dev=eth0,cgroup=app.slice/x,"
	    "netns=/proc/1/ns/net",
	    ",netns=/proc/1/ns/net,cgroup=app.slice/x,dev=eth0");
	expect_scope("bpf:tracepoint:a+tracepoint:b,ifindex=7,cgroup=42,"
	    "netns=blue", ",netns=blue,cgroup=42,ifindex=7");
	expect_scope("bpf:tracepoint:a,cgroup=/sys/fs/cgroup/a+b",
	    ",cgroup=/sys/fs/cgroup/a+b");
	expect_joined("bpf:tracepoint:a+tracepoint:b,netns=x+y", 2, 1,
	    "bpf:tracepoint:b", TAP_FAMILY_TRACEPOINT);
	expect_joined_error("bpf:tracepoint:a,netns=all,netns=blue",
	    "the capture's netns is given twice");
	expect_joined_error("bpf:tracepoint:a,dev=eth0,ifindex=2",
	    "the capture's dev is given twice");
	expect_joined_error("bpf:tracepoint:a,netns",
	    "option 'netns' has no value");
	expect_joined_error("bpf:tracepoint:a,colour=red",
	    "unknown option 'colour': known are netns, cgroup, dev, ifindex"
	    " and track");
	expect_scope("bpf:tracepoint:a,track", ",track");
	expect_scope("bpf:tracepoint:a,track=65536", ",track");
	expect_scope("bpf:tracepoint:a,track=64,netns=all",
	    ",netns=all,track=64");
	expect_joined_error("bpf:tracepoint:a,track=0", "1 to 1048576");
	expect_joined_error("bpf:tracepoint:a,track=1048577", "1 to 1048576");
	expect_joined_error("bpf:tracepoint:a,track,track=5",
	    "track is given twice");
	expect_joined_error("bpf:tc:eth0,track", "options scope tracing taps");
	expect_joined_error("bpf:tracepoint:a,", "an empty option");
	expect_joined_error("bpf:tracepoint:a,,netns=all", "an empty option");
	expect_joined_error("bpf:tracepoint:a,netns=0",
	    "netns=0 is not a namespace inode number");
	expect_joined_error("bpf:tracepoint:a,netns=4294967296",
	    "is not a namespace inode number");
	expect_joined_error("bpf:tracepoint:a,netns=a/b",
	    "neither a name in /run/netns nor an absolute path");
	expect_joined_error("bpf:tracepoint:a,cgroup=18446744073709551616",
	    "is not a cgroup id");
	expect_joined_error("bpf:tracepoint:a,ifindex=0",
	    "ifindex=0 is not an interface index");
	expect_joined_error("bpf:tracepoint:a,dev=a/b",
	    "'a/b' is not an interface name");
	expect_joined_error("bpf:tc:eth0,netns=all",
	    "options scope tracing taps");
	expect_joined_error("bpf:tracepoint:a+xdp:eth0,cgroup=1",
	    "options scope tracing taps");
	expect_joined_error("bpf:prog:1,cgroup=1", "options scope tracing taps");
	expect_error("bpf:tc:a,b", "'a,b' is not an interface name");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	memcpy(longname, "bpf:raw_tracepoint:", 19);
	expect_error(longname, "too long");
	longname[200] = '\0';
	expect_error(longname, "longer than");
	/* An object path and a section of 127 characters each, and 128. */
	memset(path, 'o', sizeof(path));
	path[0] = '/';
	path[127] = '\0';
	memset(section, 's', sizeof(section));
	section[127] = '\0';
	snprintf(longname, sizeof(longname), "bpf:object:%s:%s", path,
	    section);
	expect_object(longname, path, section);
	snprintf(longname, sizeof(longname), "bpf:object:%so:%s", path,
	    section);
	expect_error(longname, "object path longer than 127 characters");
	snprintf(longname, sizeof(longname), "bpf:object:%s:%ss", path,
	    section);
	expect_error(longname, "section longer than 127 characters");
	expect_joined_error("bpf:object:/x.o+tc:a",
	    "cannot be joined with other taps");

	printf("tap_name_test: %d passed, %d failed\n", passes, failures);
	return failures != 0;
}
