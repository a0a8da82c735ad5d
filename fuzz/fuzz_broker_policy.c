/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the capture broker's policy file.  The input is the
 * file's bytes as the broker reads them (not terminated; the broker reads
 * at most 16 KiB).  Besides the sanitizers' checks, the parser's
 * promises are checked (fuzz_promise.h):
 *
 *   accepted   at most POLICY_GROUPS_MAX groups, each a non-empty
 *              terminated name; only known tap families; the limits
 *              within their bounds
 *   refused    a one-line reason naming the line
 *
 * The accepted families are then described into a buffer of a size the
 * input picks (1 .. DESCRIBE_MAX bytes), as a log line would show them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpftrace-broker-policy.h"
#include "bpftrace-tap-name.h"
#include "fuzz_promise.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ERR_LEN		256	/* the broker's, in load_policy() */
#define FAMILY_BITS	((1u << TAP_FAMILY_COUNT) - 1)
#define DESCRIBE_MAX	96	/* every family's name, with room to spare */

static void
check_policy(const struct broker_policy *p)
{
	int i;

	if (p->group_count < 0 || p->group_count > POLICY_GROUPS_MAX)
		promise_broken("accepted policy: group count");
	for (i = 0; i < p->group_count; i++)
		if (p->groups[i][0] == '\0' ||
		    memchr(p->groups[i], '\0', POLICY_NAME_MAX) == NULL)
			promise_broken("accepted policy: a group name empty or"
			    " unterminated");
	if ((p->families & ~FAMILY_BITS) != 0)
		promise_broken("accepted policy: an unknown family");
	if (p->max_captures_per_user > 4096 ||
	    p->max_ring_bytes_per_user > (uint64_t)1 << 40)
		promise_broken("accepted policy: a limit out of range");
}

/* A buffer of exactly len bytes: the result terminated within it. */
static void
check_describe(uint32_t families, size_t len)
{
	char *buf;

	if ((buf = malloc(len)) == NULL)
		abort();
	broker_policy_describe_families(families, buf, len);
	if (memchr(buf, '\0', len) == NULL)
		promise_broken("families described unterminated");
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct broker_policy policy;
	char err[ERR_LEN];

	memset(err, 'x', sizeof(err));
	if (broker_policy_parse((const char *)data, size, &policy, err,
	    sizeof(err)) != 0) {
		if (memchr(err, '\0', sizeof(err)) == NULL ||
		    strncmp(err, "line ", 5) != 0)
			promise_broken("refused policy: no reason naming the"
			    " line");
		return 0;
	}
	check_policy(&policy);
	check_describe(policy.families, 1 + size % DESCRIBE_MAX);
	return 0;
}
