/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The filter channel's request, as its privileged end takes it
 * (bpftrace-filter-channel.h): pure, no system call, a fuzz target
 * (fuzz_filter_compile) together with the compiler it feeds.
 */
#include <stdio.h>
#include <string.h>

#include "bpftrace-filter-channel.h"

/* Whether a message on a shared connection is a filter request. */
int
bpftrace_filter_request_is(const void *buf, size_t len)
{
	uint32_t magic;

	if (len < sizeof(magic))
		return 0;
	memcpy(&magic, buf, sizeof(magic));
	return magic == FILTER_CHANNEL_MAGIC;
}

int
bpftrace_filter_request_parse(const void *buf, size_t len,
    struct filter_insn *insns, unsigned int *count, uint32_t *generation, char *err,
    size_t errlen)
{
	struct filter_request_wire w;

	if (len < sizeof(w)) {
		snprintf(err, errlen, "a filter request of %zu bytes", len);
		return -1;
	}
	memcpy(&w, buf, sizeof(w));
	if (w.magic != FILTER_CHANNEL_MAGIC ||
	    w.version != FILTER_CHANNEL_VERSION || w.reserved != 0) {
		snprintf(err, errlen, "a filter request of another version");
		return -1;
	}
	if (w.generation == 0 || (w.generation & 1) != 0) {
		snprintf(err, errlen, "a filter request for generation %u",
		    w.generation);
		return -1;
	}
	if (w.insn_count == 0 || w.insn_count > FILTER_MAX_INSNS ||
	    len != sizeof(w) + (size_t)w.insn_count * sizeof(*insns)) {
		snprintf(err, errlen, "a filter request of %u instructions"
		    " in %zu bytes", w.insn_count, len);
		return -1;
	}
	memcpy(insns, (const char *)buf + sizeof(w),
	    (size_t)w.insn_count * sizeof(*insns));
	*count = w.insn_count;
	*generation = w.generation;
	return 0;
}
