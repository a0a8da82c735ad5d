/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reason names from BTF, not from a table written here: they change with
 * every kernel.  The enum's common prefix (SKB_DROP_REASON_,
 * SK_RST_REASON_) is left out, as the kernel's own tracepoint output does.
 */
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "bpftrace-btf.h"
#include "bpftrace-reason.h"
#include "bpftrace-status.h"

#define REASON_NAME_MAX	48

struct reason_names {
	int count;
	struct {
		uint32_t value;
		char name[REASON_NAME_MAX];
	} entry[];
};

static const char *
without_prefix(const char *name)
{
	static const char *const prefixes[] = {
		"SKB_DROP_REASON_", "SK_RST_REASON_"
	};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return name + strlen(prefixes[i]);
	return name;
}

/* The values and names of enum enum_name of the kernel; NULL if none. */
struct reason_names *
bpftrace_reason_names_load(const char *enum_name)
{
	struct reason_names *names = NULL;
	struct btf *btf;
	char err[256];
	int id, i, n;
	const struct btf_type *t;

	if (bpftrace_kernel_btf_load(&btf, err, sizeof(err)) != TAP_OK)
		return NULL;
	id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM);
	if (id < 0)
		id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM64);
	if (id < 0)
		goto out;
	t = btf__type_by_id(btf, (uint32_t)id);
	n = btf_vlen(t);
	names = calloc(1, sizeof(*names) + (size_t)n * sizeof(names->entry[0]));
	if (names == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		const char *name;
		uint32_t value;

		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t) + i;

			name = btf__name_by_offset(btf, e->name_off);
			value = (uint32_t)e->val;
		} else {
			const struct btf_enum64 *e = btf_enum64(t) + i;

			name = btf__name_by_offset(btf, e->name_off);
			value = (uint32_t)btf_enum64_value(e);
		}
		names->entry[i].value = value;
		strncpy(names->entry[i].name, without_prefix(name),
		    REASON_NAME_MAX - 1);
	}
	names->count = n;
out:
	btf__free(btf);
	return names;
}

const char *
bpftrace_reason_name(const struct reason_names *names, uint32_t value)
{
	int i;

	if (names == NULL)
		return NULL;
	for (i = 0; i < names->count; i++)
		if (names->entry[i].value == value)
			return names->entry[i].name;
	return NULL;
}

void
bpftrace_reason_names_free(struct reason_names *names)
{
	free(names);
}
