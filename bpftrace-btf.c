/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BTF introspection.  Every tracepoint has a BTF typedef
 * "btf_trace_NAME": a pointer to a function whose first parameter is the
 * tracepoint's private data and whose others are the tracepoint's
 * arguments, in the order a tp_btf or raw_tp program sees them.  Every
 * kernel function that was not inlined has a BTF_KIND_FUNC of its name,
 * whose prototype gives the arguments an fentry or kprobe program sees.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpftrace-btf.h"
#include "bpftrace-libbpf-log.h"
#include "bpftrace-status.h"

#define TRACE_TYPEDEF_PREFIX	"btf_trace_"
#define MODULE_BTF_DIR		"/sys/kernel/btf"
#define VMLINUX_BTF_PATH	MODULE_BTF_DIR "/vmlinux"
#define TAP_DISTANCE_MAX	64

/*
 * vmlinux's BTF through a memory mapping, where the kernel allows one
 * (Linux 6.16 and later): sysfs hands the 5 MB file to read() a page at a
 * time, over a thousand system calls that cost more than parsing it, and
 * every device list and activation reads it.  NULL where it cannot be
 * mapped; the caller then reads it as libbpf does.
 */
static struct btf *
mapped_vmlinux_btf(void)
{
	struct btf *btf = NULL;
	struct stat st;
	void *data;
	int fd;

	if ((fd = open(VMLINUX_BTF_PATH, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
		    fd,
		    0);
		if (data != MAP_FAILED) {
			btf = btf__new(data, (uint32_t)st.st_size);
			munmap(data, (size_t)st.st_size);
			if (libbpf_get_error(btf) != 0)
				btf = NULL;
		}
	}
	close(fd);
	return btf;
}

int
bpftrace_kernel_btf_load(struct btf **btf, char *err, size_t errlen)
{
	libbpf_print_fn_t previous = bpftrace_libbpf_log_quiet();

	*btf = mapped_vmlinux_btf();
	if (*btf == NULL)
		*btf = btf__load_vmlinux_btf();
	bpftrace_libbpf_log_restore(previous);
	if (*btf == NULL) {
		snprintf(err, errlen, "the kernel has no BTF"
		    " (/sys/kernel/btf/vmlinux missing or unreadable): bpf: taps"
		    " need a kernel built with CONFIG_DEBUG_INFO_BTF=y");
		return TAP_NOT_CAPTURABLE;
	}
	return TAP_OK;
}

static const struct btf_type *
skip_mods_and_typedefs(const struct btf *btf, unsigned int id,
    unsigned int *res_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t != NULL && (btf_is_mod(t) || btf_is_typedef(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (res_id != NULL)
		*res_id = id;
	return t;
}

static int
is_skb_pointer(const struct btf *btf, unsigned int id)
{
	const struct btf_type *t = skip_mods_and_typedefs(btf, id, NULL);

	if (t == NULL || !btf_is_ptr(t))
		return 0;
	t = skip_mods_and_typedefs(btf, t->type, NULL);
	return t != NULL && btf_is_struct(t) &&
	    strcmp(btf__name_by_offset(btf, t->name_off), "sk_buff") == 0;
}

/*
 * Fills args from a function prototype, skipping its first `skip`
 * parameters (a tracepoint's prototype starts with its private __data).
 */
static int
args_from_proto(const struct btf *btf, unsigned int proto_id, int skip,
    struct target_args *args)
{
	const struct btf_type *t = skip_mods_and_typedefs(btf, proto_id, NULL);
	const struct btf_param *params;
	int i, n;

	if (t == NULL || !btf_is_func_proto(t) || btf_vlen(t) < skip)
		return -1;
	params = btf_params(t) + skip;
	n = btf_vlen(t) - skip;
	if (n > TARGET_MAX_ARGS)
		n = TARGET_MAX_ARGS;
	memset(args, 0, sizeof(*args));
	args->count = n;
	for (i = 0; i < n; i++) {
		args->type_ids[i] = params[i].type;
		if (is_skb_pointer(btf, params[i].type))
			args->skb_mask |= 1u << i;
	}
	return 0;
}

/*
 * The arguments of BTF type t if it is a target of the given kind; sets
 * *name to the target's name.
 */
static int
target_of_type(const struct btf *btf, const struct btf_type *t,
    enum btf_target_kind kind, const char **name, struct target_args *args)
{
	size_t plen = strlen(TRACE_TYPEDEF_PREFIX);
	const struct btf_type *ptr;

	*name = btf__name_by_offset(btf, t->name_off);
	if (kind == BTF_TARGET_FUNCTION)
		return btf_is_func(t) ? args_from_proto(btf, t->type, 0,
		    args) : -1;
	/* btf_trace_NAME: a typedef of a pointer to the prototype. */
	if (!btf_is_typedef(t) || strncmp(*name, TRACE_TYPEDEF_PREFIX,
	    plen) != 0)
		return -1;
	*name += plen;
	ptr = skip_mods_and_typedefs(btf, t->type, NULL);
	if (ptr == NULL || !btf_is_ptr(ptr))
		return -1;
	return args_from_proto(btf, ptr->type, 1, args);
}

int
bpftrace_btf_target_args(const struct btf *btf, enum btf_target_kind kind,
    const char *name, struct target_args *args)
{
	char type_name[256];
	const char *found;
	int id;

	if (kind == BTF_TARGET_FUNCTION)
		id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	else {
		snprintf(type_name, sizeof(type_name), "%s%s",
		    TRACE_TYPEDEF_PREFIX, name);
		id = btf__find_by_name_kind(btf, type_name, BTF_KIND_TYPEDEF);
	}
	if (id < 0)
		return -1;
	return target_of_type(btf, btf__type_by_id(btf, id), kind, &found,
	    args);
}

/*
 * The arguments of several targets of one kind, found in one pass over
 * the types: a lookup by name (btf__find_by_name_kind) is a pass of its
 * own over some 100,000 types, and the device list must stay fast.
 * found[i] says whether names[i] was found; returns how many were.
 */
int
bpftrace_btf_targets_args(const struct btf *btf, enum btf_target_kind kind,
    const char *const names[], size_t count, struct target_args args[],
    int found[])
{
	unsigned int id, n = btf__type_cnt(btf);
	size_t i, found_count = 0;

	for (i = 0; i < count; i++)
		found[i] = 0;
	for (id = 1; id < n && found_count < count; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name;

		if (kind == BTF_TARGET_FUNCTION ? !btf_is_func(t) :
		    !btf_is_typedef(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (kind == BTF_TARGET_TRACEPOINT) {
			if (strncmp(name, TRACE_TYPEDEF_PREFIX,
			    strlen(TRACE_TYPEDEF_PREFIX)) != 0)
				continue;
			name += strlen(TRACE_TYPEDEF_PREFIX);
		}
		for (i = 0; i < count; i++) {
			if (found[i] || strcmp(name, names[i]) != 0)
				continue;
			if (target_of_type(btf, t, kind, &name,
			    &args[i]) == 0) {
				found[i] = 1;
				found_count++;
			}
			break;
		}
	}
	return (int)found_count;
}

/*
 * Finds a target in vmlinux's BTF, else in the loaded modules' (split BTF
 * on top of vmlinux's: mac80211's functions live there).  *owner is the
 * BTF that has it; when it is not vmlinux the caller frees it.
 */
int
bpftrace_btf_find_target(struct btf *vmlinux, enum btf_target_kind kind,
    const char *name, struct target_args *args, struct btf **owner)
{
	libbpf_print_fn_t previous;
	struct dirent *de;
	DIR *dir;
	int found = -1;

	*owner = vmlinux;
	if (bpftrace_btf_target_args(vmlinux, kind, name, args) == 0)
		return 0;
	if ((dir = opendir(MODULE_BTF_DIR)) == NULL)
		return -1;
	previous = bpftrace_libbpf_log_quiet();
	while (found != 0 && (de = readdir(dir)) != NULL) {
		char path[512];
		struct btf *module;

		if (de->d_name[0] == '.' || strcmp(de->d_name, "vmlinux") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", MODULE_BTF_DIR,
		    de->d_name);
		module = btf__parse_split(path, vmlinux);
		if (module == NULL)
			continue;
		found = bpftrace_btf_target_args(module, kind, name, args);
		if (found == 0)
			*owner = module;
		else
			btf__free(module);
	}
	bpftrace_libbpf_log_restore(previous);
	closedir(dir);
	return found;
}

/*
 * Whether a target works on 802.11 frames: one of its arguments points to
 * a mac80211 or cfg80211 structure (struct ieee80211_local, wiphy...).
 * Such a tap is offered the IEEE802_11 link type.
 */
int
bpftrace_btf_args_are_ieee80211(const struct btf *btf,
    const struct target_args *args)
{
	int i;

	for (i = 0; i < args->count; i++) {
		const struct btf_type *t = skip_mods_and_typedefs(btf,
		    args->type_ids[i], NULL);
		const char *name;

		if (t == NULL || !btf_is_ptr(t))
			continue;
		t = skip_mods_and_typedefs(btf, t->type, NULL);
		if (t == NULL || !btf_is_struct(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (strncmp(name, "ieee80211_", 10) == 0 ||
		    strncmp(name, "cfg80211_", 9) == 0 ||
		    strcmp(name, "wiphy") == 0 || strcmp(name,
		        "wireless_dev") == 0)
			return 1;
	}
	return 0;
}

/*
 * The argument that says why a packet is dropped or a connection reset
 * (an enum skb_drop_reason or enum sk_rst_reason); -1 if none.  Copies
 * the enum's name.
 */
int
bpftrace_btf_reason_arg(const struct btf *btf, const struct target_args *args,
    char *enum_name, size_t len)
{
	int i;

	for (i = 0; i < args->count; i++) {
		const struct btf_type *t = skip_mods_and_typedefs(btf,
		    args->type_ids[i], NULL);
		const char *name;

		if (t == NULL || !(btf_is_enum(t) || btf_is_enum64(t)))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (strcmp(name, "skb_drop_reason") == 0 ||
		    strcmp(name, "sk_rst_reason") == 0) {
			snprintf(enum_name, len, "%s", name);
			return i;
		}
	}
	return -1;
}

int
bpftrace_btf_first_skb_arg(const struct target_args *args)
{
	int i;

	for (i = 0; i < args->count; i++)
		if (args->skb_mask & (1u << i))
			return i;
	return -1;
}

int
bpftrace_btf_skb_arg_count(const struct target_args *args)
{
	return __builtin_popcount(args->skb_mask);
}

/* A short C spelling of a type, for error messages: "struct sock *". */
void
bpftrace_btf_type_describe(const struct btf *btf, unsigned int type_id,
    char *buf,
    size_t len)
{
	const struct btf_type *t = btf__type_by_id(btf, type_id);
	const char *kind = "";
	int stars = 0;

	while (t != NULL && (btf_is_ptr(t) || btf_is_mod(t))) {
		if (btf_is_ptr(t))
			stars++;
		t = btf__type_by_id(btf, t->type);
	}
	if (t == NULL || (t->name_off == 0 && btf_kind(t) == BTF_KIND_UNKN)) {
		snprintf(buf, len, "void%s%s", stars ? " " : "",
		    stars > 1 ? "**" : stars ? "*" : "");
		return;
	}
	if (btf_is_struct(t))
		kind = "struct ";
	else if (btf_is_union(t))
		kind = "union ";
	else if (btf_is_enum(t) || btf_kind(t) == BTF_KIND_ENUM64)
		kind = "enum ";
	snprintf(buf, len, "%s%s%s%s", kind,
	    btf__name_by_offset(btf, t->name_off), stars ? " " : "",
	    stars > 1 ? "**" : stars ? "*" : "");
}

void
bpftrace_btf_each_skb_target(const struct btf *btf, enum btf_target_kind kind,
    void (*fn)(void *ctx, unsigned int id, const char *name,
    const struct target_args *args), void *ctx)
{
	unsigned int id, n = btf__type_cnt(btf);

	for (id = 1; id < n; id++) {
		struct target_args args;
		const char *name;

		if (target_of_type(btf, btf__type_by_id(btf, id), kind, &name,
		    &args) == 0 && args.skb_mask != 0)
			fn(ctx, id, name, &args);
	}
}

/* Edit distance, bounded to short names; enough to rank suggestions. */
static int
edit_distance(const char *a, const char *b)
{
	int row[TAP_DISTANCE_MAX + 1];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > TAP_DISTANCE_MAX || lb > TAP_DISTANCE_MAX)
		return 1000;
	for (j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (i = 1; i <= la; i++) {
		int diag = row[0];

		row[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			int up = row[j];
			int best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

struct nearest {
	const char *want;
	const char **names;
	int *scores;
	int count, max;
};

static void
consider_name(void *ctx, unsigned int id, const char *name,
    const struct target_args *args)
{
	struct nearest *nn = ctx;
	int score = edit_distance(nn->want, name);
	int i;

	(void)id;
	(void)args;
	/* A name that contains the request, or is contained in it, is close. */
	if (strstr(name, nn->want) != NULL || strstr(nn->want, name) != NULL)
		score = score < 2 ? score : 2;
	if (score > 3 + (int)strlen(nn->want) / 3)
		return;
	for (i = nn->count; i > 0 && nn->scores[i - 1] > score; i--) {
		if (i < nn->max) {
			nn->names[i] = nn->names[i - 1];
			nn->scores[i] = nn->scores[i - 1];
		}
	}
	if (i < nn->max) {
		nn->names[i] = name;
		nn->scores[i] = score;
		if (nn->count < nn->max)
			nn->count++;
	}
}

/*
 * The targets with an skb argument whose names are closest to name, best
 * first.  The strings belong to btf.
 */
int
bpftrace_btf_nearest_skb_targets(const struct btf *btf,
    enum btf_target_kind kind,
    const char *name, const char **out, int max_out)
{
	int scores[8];
	struct nearest nn = { name, out, scores, 0, max_out > 8 ? 8 : max_out };

	bpftrace_btf_each_skb_target(btf, kind, consider_name, &nn);
	return nn.count;
}

/* The kernel's BTF, or a message that starts with the device name. */
int
bpftrace_tap_btf_load(const char *device, struct btf **btf, char *err,
    size_t errlen)
{
	char reason[256];
	int status = bpftrace_kernel_btf_load(btf, reason, sizeof(reason));

	if (status != TAP_OK)
		snprintf(err, errlen, "%s: %s", device, reason);
	return status;
}
