/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BTF introspection.  Every tracepoint has a BTF typedef
 * "btf_trace_NAME": a pointer to a function whose first parameter is the
 * tracepoint's private data and whose others are the tracepoint's
 * arguments, in the order a tp_btf or raw_tp program sees them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpftrace-btf.h"
#include "bpftrace-libbpf-log.h"
#include "bpftrace-status.h"

#define TRACE_TYPEDEF_PREFIX	"btf_trace_"
#define TAP_DISTANCE_MAX	64

int
kernel_btf_load(struct btf **btf, char *err, size_t errlen)
{
	libbpf_print_fn_t previous = libbpf_log_quiet();

	*btf = btf__load_vmlinux_btf();
	libbpf_log_restore(previous);
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

/* Fills args from the function prototype behind a btf_trace_ typedef. */
static int
args_from_typedef(const struct btf *btf, const struct btf_type *td,
    struct tracepoint_args *args)
{
	const struct btf_type *t = skip_mods_and_typedefs(btf, td->type, NULL);
	const struct btf_param *params;
	int i, n;

	if (t == NULL || !btf_is_ptr(t))
		return -1;
	t = skip_mods_and_typedefs(btf, t->type, NULL);
	if (t == NULL || !btf_is_func_proto(t) || btf_vlen(t) < 1)
		return -1;
	params = btf_params(t);
	n = btf_vlen(t) - 1;
	if (n > TRACEPOINT_MAX_ARGS)
		n = TRACEPOINT_MAX_ARGS;
	memset(args, 0, sizeof(*args));
	args->count = n;
	for (i = 0; i < n; i++) {
		args->type_ids[i] = params[i + 1].type;
		if (is_skb_pointer(btf, params[i + 1].type))
			args->skb_mask |= 1u << i;
	}
	return 0;
}

int
btf_tracepoint_args(const struct btf *btf, const char *name,
    struct tracepoint_args *args)
{
	char typedef_name[256];
	int id;

	snprintf(typedef_name, sizeof(typedef_name), "%s%s",
	    TRACE_TYPEDEF_PREFIX, name);
	id = btf__find_by_name_kind(btf, typedef_name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return -1;
	return args_from_typedef(btf, btf__type_by_id(btf, id), args);
}

int
btf_first_skb_arg(const struct tracepoint_args *args)
{
	int i;

	for (i = 0; i < args->count; i++)
		if (args->skb_mask & (1u << i))
			return i;
	return -1;
}

int
btf_skb_arg_count(const struct tracepoint_args *args)
{
	return __builtin_popcount(args->skb_mask);
}

/* A short C spelling of a type, for error messages: "struct sock *". */
void
btf_type_describe(const struct btf *btf, unsigned int type_id, char *buf,
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
btf_each_skb_tracepoint(const struct btf *btf,
    void (*fn)(void *ctx, const char *name, const struct tracepoint_args *args),
    void *ctx)
{
	unsigned int id, n = btf__type_cnt(btf);
	size_t plen = strlen(TRACE_TYPEDEF_PREFIX);

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		struct tracepoint_args args;
		const char *name;

		if (!btf_is_typedef(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (strncmp(name, TRACE_TYPEDEF_PREFIX, plen) != 0)
			continue;
		if (args_from_typedef(btf, t, &args) == 0 && args.skb_mask != 0)
			fn(ctx, name + plen, &args);
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
consider_name(void *ctx, const char *name, const struct tracepoint_args *args)
{
	struct nearest *nn = ctx;
	int score = edit_distance(nn->want, name);
	int i;

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
 * The skb tracepoints whose names are closest to name, best first.
 * The strings belong to btf.
 */
int
btf_nearest_skb_tracepoints(const struct btf *btf, const char *name,
    const char **out, int max_out)
{
	int scores[8];
	struct nearest nn = { name, out, scores, 0, max_out > 8 ? 8 : max_out };

	btf_each_skb_tracepoint(btf, consider_name, &nn);
	return nn.count;
}
