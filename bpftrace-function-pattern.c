/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Function patterns; see the header.  The functions come from vmlinux's
 * BTF (module functions are not matched), each with its first
 * struct sk_buff * argument among the six a kprobe reaches in registers.
 * Where ftrace's list of the functions it can trace is readable, only
 * those are kept: kprobe.multi attaches through ftrace and refuses the
 * whole set for one function missing there (notrace, inlined, init code).
 * Else (tracefs not mounted, or no function tracer) the kernel's symbols
 * in /proc/kallsyms: a function BTF describes but every caller inlined
 * has none, and no kprobe either.
 */
#define _GNU_SOURCE		/* secure_getenv */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "bpf/ring_record.h"
#include "bpftrace-btf.h"
#include "bpftrace-function-pattern.h"
#include "bpftrace-status.h"

/* kprobes reach the arguments passed in registers only. */
#define REGISTER_ARGS		6
/* kallsyms: about 200,000 lines, 9 MB; read no more than this. */
#define FILTER_LIST_BYTES_MAX	((size_t)64 << 20)
#define FILTER_LIST_ENTRIES_MAX	(1u << 20)

/* Where the names are: "NAME [MODULE]", or kallsyms' "ADDRESS TYPE NAME". */
static const struct {
	const char *path;
	int kallsyms;
} filter_lists[] = {
	{ "/sys/kernel/tracing/available_filter_functions", 0 },
	{ "/sys/kernel/debug/tracing/available_filter_functions", 0 },
	{ "/proc/kallsyms", 1 },
};

/* BPF's own functions and tracepoint stubs: never what a user means. */
int
bpftrace_function_is_bpf_internal(const char *name)
{
	return strncmp(name, "__bpf_", 6) == 0 ||
	    strncmp(name, "bpf_", 4) == 0;
}

struct name_list {
	char *text;			/* the file, its lines cut at ' ' */
	char **names;			/* sorted */
	size_t count;
};

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a whole file into a NUL-terminated buffer; NULL if it cannot. */
static char *
read_bounded(const char *path, size_t max)
{
	FILE *f = fopen(path, "re");
	size_t len = 0, cap = 1 << 20, n;
	char *buf = NULL, *grown;

	if (f == NULL)
		return NULL;
	for (;;) {
		if ((grown = realloc(buf, cap + 1)) == NULL)
			break;
		buf = grown;
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len < cap || cap >= max)
			break;
		cap *= 2;
	}
	if (ferror(f) || grown == NULL || len == 0) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/*
 * A line's function name, cut out in place; NULL for a module's or, in
 * kallsyms, a symbol that is not code.
 */
static char *
list_line_name(char *line, int kallsyms)
{
	char *type;

	if (strchr(line, '[') != NULL)
		return NULL;		/* a module's */
	if (kallsyms) {
		if ((type = strchr(line, ' ')) == NULL ||
		    (type[1] != 't' && type[1] != 'T') || type[2] != ' ')
			return NULL;
		line = type + 3;
	}
	line[strcspn(line, " \t")] = '\0';
	return line;
}

/*
 * The vmlinux functions that can be probed, by name, sorted: ftrace's
 * list, else kallsyms' code symbols.  0, or -1 when no list is readable:
 * then every function is tried.
 */
static int
filter_list_load(struct name_list *l, const char **source)
{
	size_t i, cap = 0;
	char *line, *end;
	int kallsyms = 0;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < sizeof(filter_lists) / sizeof(filter_lists[0]) &&
	    l->text == NULL; i++) {
		l->text = read_bounded(filter_lists[i].path,
		    FILTER_LIST_BYTES_MAX);
		kallsyms = filter_lists[i].kallsyms;
		*source = filter_lists[i].path;
	}
	if (l->text == NULL)
		return -1;
	for (line = l->text; *line != '\0'; line = end) {
		end = strchr(line, '\n');
		end = end != NULL ? end + 1 : line + strlen(line);
		if (end[-1] == '\n')
			end[-1] = '\0';
		if ((line = list_line_name(line, kallsyms)) == NULL ||
		    *line == '\0')
			continue;
		if (l->count == cap) {
			char **grown;

			if (cap >= FILTER_LIST_ENTRIES_MAX)
				break;
			cap = cap ? 2 * cap : 4096;
			if ((grown = realloc(l->names,
			    cap * sizeof(*grown))) == NULL)
				break;
			l->names = grown;
		}
		l->names[l->count++] = line;
	}
	qsort(l->names, l->count, sizeof(*l->names), compare_names);
	return 0;
}

static void
filter_list_free(struct name_list *l)
{
	free(l->names);
	free(l->text);
}

static int
filter_list_has(const struct name_list *l, const char *name)
{
	return bsearch(&name, l->names, l->count, sizeof(*l->names),
	    compare_names) != NULL;
}

struct matching {
	const char *pattern;
	const struct name_list *traceable;	/* NULL: not known */
	struct function_set *set;
	size_t capacity;
	size_t not_traceable;		/* matched, but not ftrace's */
	int failed;
};

static void
consider_function(void *ctx, unsigned int id, const char *name,
    const struct target_args *args)
{
	struct matching *m = ctx;
	struct function_set *s = m->set;
	int arg = bpftrace_btf_first_skb_arg(args);

	if (m->failed || arg < 0 || arg >= REGISTER_ARGS ||
	    fnmatch(m->pattern, name, 0) != 0 ||
	    bpftrace_function_is_bpf_internal(name))
		return;
	if (m->traceable != NULL && !filter_list_has(m->traceable, name)) {
		m->not_traceable++;
		return;
	}
	if (s->count == m->capacity) {
		size_t cap = m->capacity ? 2 * m->capacity : 64;
		char **symbols = realloc(s->symbols, cap * sizeof(*symbols));
		uint64_t *cookies;

		if (symbols != NULL)
			s->symbols = symbols;
		cookies = symbols == NULL ? NULL :
		    realloc(s->cookies, cap * sizeof(*cookies));
		if (cookies == NULL) {
			m->failed = 1;
			return;
		}
		s->cookies = cookies;
		m->capacity = cap;
	}
	if ((s->symbols[s->count] = strdup(name)) == NULL) {
		m->failed = 1;
		return;
	}
	s->cookies[s->count++] = FUNCTION_COOKIE(id, arg);
}

struct named_cookie {
	char *name;
	uint64_t cookie;
};

static int
compare_named(const void *a, const void *b)
{
	return strcmp(((const struct named_cookie *)a)->name,
	    ((const struct named_cookie *)b)->name);
}

/*
 * Sorts by name and drops repeated names (static functions of one name
 * in several files: one symbol to attach by).  Unsorted when out of
 * memory, which attaches as well.
 */
static void
sort_unique(struct function_set *s)
{
	struct named_cookie *pairs;
	size_t i, j;

	if (s->count < 2 || (pairs = malloc(s->count * sizeof(*pairs))) == NULL)
		return;
	for (i = 0; i < s->count; i++) {
		pairs[i].name = s->symbols[i];
		pairs[i].cookie = s->cookies[i];
	}
	qsort(pairs, s->count, sizeof(*pairs), compare_named);
	for (i = j = 0; i < s->count; i++) {
		if (j > 0 && strcmp(s->symbols[j - 1], pairs[i].name) == 0) {
			free(pairs[i].name);
			continue;
		}
		s->symbols[j] = pairs[i].name;
		s->cookies[j++] = pairs[i].cookie;
	}
	s->count = j;
	free(pairs);
}

size_t
bpftrace_function_limit(int one_by_one)
{
	const char *given = secure_getenv(FUNCTIONS_MAX_ENV);
	char *end;
	unsigned long n;

	if (given != NULL && *given >= '0' && *given <= '9') {
		errno = 0;
		n = strtoul(given, &end, 10);
		if (errno == 0 && *end == '\0' && n > 0 && n <= 1000000)
			return (size_t)n;
	}
	return one_by_one ? FUNCTIONS_MAX_ONE_BY_ONE : FUNCTIONS_MAX_MULTI;
}

int
bpftrace_function_limit_check(const char *device, const char *pattern,
    size_t count, int one_by_one, char *err, size_t errlen)
{
	size_t limit = bpftrace_function_limit(one_by_one);

	if (count <= limit)
		return TAP_OK;
	snprintf(err, errlen, "%s: '%s' matches %zu functions, more than the"
	    " %zu %s: narrow the pattern, or raise the limit with %s=%zu",
	    device, pattern, count, limit, one_by_one ?
	    "attached as separate kprobes (this kernel has no kprobe.multi)" :
	    "attached at once", FUNCTIONS_MAX_ENV, count);
	return TAP_NOT_CAPTURABLE;
}

void
bpftrace_function_set_free(struct function_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->count; i++)
		free(set->symbols[i]);
	free(set->symbols);
	free(set->cookies);
	free(set);
}

int
bpftrace_function_pattern_resolve(const char *device,
    const struct tap_spec *spec, struct btf *vmlinux, struct resolved_tap *tap,
    char *err, size_t errlen)
{
	struct name_list traceable;
	struct matching m;
	const char *source = "no list of probeable functions";
	int have_list;

	memset(tap, 0, sizeof(*tap));
	memset(&m, 0, sizeof(m));
	if ((m.set = calloc(1, sizeof(*m.set))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", device);
		return TAP_NO_MEMORY;
	}
	have_list = filter_list_load(&traceable, &source) == 0;
	m.pattern = spec->name;
	m.traceable = have_list ? &traceable : NULL;
	bpftrace_btf_each_skb_target(vmlinux, BTF_TARGET_FUNCTION,
	    consider_function, &m);
	if (have_list)
		filter_list_free(&traceable);
	if (m.failed) {
		bpftrace_function_set_free(m.set);
		snprintf(err, errlen, "%s: out of memory", device);
		return TAP_NO_MEMORY;
	}
	sort_unique(m.set);
	if (secure_getenv("PCAP_BPF_DEBUG") != NULL)
		fprintf(stderr, "%s: '%s' matches %zu functions with an skb in"
		    " registers (%zu more not in %s)\n", device, spec->name,
		    m.set->count, m.not_traceable, source);
	if (m.set->count == 0) {
		bpftrace_function_set_free(m.set);
		snprintf(err, errlen, "%s: no function matching '%s' takes a"
		    " struct sk_buff * in its first six arguments%s", device,
		    spec->name, m.not_traceable ? " and can be probed" : "");
		return TAP_NO_SUCH_TAP;
	}
	if (bpftrace_function_limit_check(device, spec->name, m.set->count, 0,
	    err, errlen) != TAP_OK) {
		bpftrace_function_set_free(m.set);
		return TAP_NOT_CAPTURABLE;
	}
	tap->family = spec->family;
	snprintf(tap->target, sizeof(tap->target), "%s", spec->name);
	tap->functions = m.set;
	tap->reason_arg_index = -1;
	tap->mechanisms[tap->mechanism_count++] = PROBE_KPROBE_MULTI;
	tap->mechanisms[tap->mechanism_count++] = PROBE_KPROBE;
	return TAP_OK;
}

/*
 * The reading side names a record's function by its BTF id in vmlinux,
 * from the kernel's BTF, which every user may read: no table has to
 * travel from the privileged side with the grant.
 */
struct function_names {
	struct btf *vmlinux;
};

struct function_names *
bpftrace_function_names_load(void)
{
	struct function_names *names = calloc(1, sizeof(*names));
	char err[256];

	if (names == NULL)
		return NULL;
	if (bpftrace_kernel_btf_load(&names->vmlinux, err,
	    sizeof(err)) != TAP_OK) {
		free(names);
		return NULL;
	}
	return names;
}

/* The name of function btf_id; NULL for an id that is not a function. */
const char *
bpftrace_function_name(const struct function_names *names, uint32_t btf_id)
{
	const struct btf_type *t;

	if (names == NULL || btf_id == 0 ||
	    btf_id >= btf__type_cnt(names->vmlinux) ||
	    (t = btf__type_by_id(names->vmlinux, btf_id)) == NULL ||
	    !btf_is_func(t))
		return NULL;
	return btf__name_by_offset(names->vmlinux, t->name_off);
}

void
bpftrace_function_names_free(struct function_names *names)
{
	if (names == NULL)
		return;
	btf__free(names->vmlinux);
	free(names);
}
