/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: a client reading a hostile capture broker's reply.
 * The input is
 *
 *   byte 0     how many descriptors came with the reply (0 .. 255: more
 *              than BROKER_FDS_MAX too, which the parser must refuse)
 *   the rest   struct broker_reply_wire's grant, as received (shorter
 *              input: the rest of the grant is 0xff bytes)
 *
 * and the descriptors are plausible ones: distinct, from 3 up, in an array
 * of exactly their number, so that any read beyond it is caught.  Besides
 * the sanitizers' checks, what bpftrace_broker_grant_from_indexes promises is
 * checked (fuzz_promise.h):
 *
 *   accepted   every descriptor field -1 or one of the received
 *              descriptors, none named twice, none in a tap beyond
 *              tap_count; the ring and each granted tap's maps present;
 *              the ring's size a power of two within bounds; each granted
 *              tap's reason_enum terminated
 *   refused    no descriptor left in the grant (the caller closes what it
 *              received, and must not close anything twice), and a reason
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpftrace-broker-protocol.h"
#include "fuzz_promise.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIRST_FD	3
#define ERR_LEN		BROKER_MESSAGE_MAX

/* The grant's descriptor fields, in any order. */
static size_t
fd_fields(struct capture_grant *g, int32_t **fields)
{
	size_t n = 0;
	int t, l;

	fields[n++] = &g->ring_fd;
	for (t = 0; t < TAPS_MAX; t++) {
		fields[n++] = &g->taps[t].data_fd;
		fields[n++] = &g->taps[t].bss_fd;
		fields[n++] = &g->taps[t].guardian_watch_fd;
		fields[n++] = &g->taps[t].guardian_done_fd;
		for (l = 0; l < GRANT_LINKS_MAX; l++)
			fields[n++] = &g->taps[t].link_fds[l];
	}
	return n;
}

static int
tap_fds_none(struct tap_grant *t)
{
	int l;

	if (t->data_fd != -1 || t->bss_fd != -1 ||
	    t->guardian_watch_fd != -1 || t->guardian_done_fd != -1)
		return 0;
	for (l = 0; l < GRANT_LINKS_MAX; l++)
		if (t->link_fds[l] != -1)
			return 0;
	return 1;
}

static void
check_accepted(struct capture_grant *g, size_t fd_count)
{
	int32_t *fields[BROKER_FDS_MAX];
	unsigned char named[256];
	size_t count = fd_fields(g, fields), i;
	uint32_t t;

	if (g->tap_count < 1 || g->tap_count > TAPS_MAX)
		promise_broken("accepted grant: tap count");
	if (fd_count > BROKER_FDS_MAX)
		promise_broken("accepted grant: too many descriptors");
	if (g->ring_fd < 0)
		promise_broken("accepted grant: no ring");
	if (g->ring_bytes == 0 || (g->ring_bytes & (g->ring_bytes - 1)) != 0 ||
	    g->ring_bytes > BROKER_RING_BYTES_MAX)
		promise_broken("accepted grant: ring size");
	memset(named, 0, sizeof(named));
	for (i = 0; i < count; i++) {
		int32_t fd = *fields[i];

		if (fd == -1)
			continue;
		if (fd < FIRST_FD || (size_t)(fd - FIRST_FD) >= fd_count)
			promise_broken("accepted grant: a descriptor not received");
		if (named[fd - FIRST_FD]++)
			promise_broken("accepted grant: a descriptor named twice");
	}
	for (t = 0; t < TAPS_MAX; t++) {
		struct tap_grant *tap = &g->taps[t];

		if (t >= g->tap_count) {
			if (!tap_fds_none(tap))
				promise_broken("accepted grant: a descriptor in a"
				    " tap beyond tap_count");
			continue;
		}
		if (tap->data_fd < 0 || tap->bss_fd < 0)
			promise_broken("accepted grant: a tap without its maps");
		if (memchr(tap->reason_enum, '\0',
		    sizeof(tap->reason_enum)) == NULL)
			promise_broken("accepted grant: reason_enum unterminated");
	}
}

/* Whether a grant names no descriptor anywhere. */
static int
description_fds_none(struct capture_grant *g)
{
	int32_t *fields[BROKER_FDS_MAX];
	size_t count = fd_fields(g, fields), i;

	for (i = 0; i < count; i++)
		if (*fields[i] != -1)
			return 0;
	return 1;
}

static void
check_refused(struct capture_grant *g, const char *err)
{
	int32_t *fields[BROKER_FDS_MAX];
	size_t count = fd_fields(g, fields), i;

	for (i = 0; i < count; i++)
		if (*fields[i] != -1)
			promise_broken("refused grant: a descriptor left in it");
	if (memchr(err, '\0', ERR_LEN) == NULL || err[0] == '\0')
		promise_broken("refused grant: no reason");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capture_grant *grant, description;
	size_t fd_count, i;
	int *fds;
	char err[ERR_LEN];

	if (size < 1)
		return 0;
	fd_count = data[0];
	data++;
	size--;
	grant = malloc(sizeof(*grant));
	fds = malloc(fd_count * sizeof(int) + 1);
	if (grant == NULL || fds == NULL)
		abort();
	memset(grant, 0xff, sizeof(*grant));
	memcpy(grant, data, size < sizeof(*grant) ? size : sizeof(*grant));
	for (i = 0; i < fd_count; i++)
		fds[i] = FIRST_FD + (int)i;

	/*
	 * The same bytes as the first reply, the capture's description,
	 * which names no descriptor at all; and as an attach message.
	 */
	description = *grant;
	memset(err, 'x', sizeof(err));
	if (bpftrace_broker_description_check(&description, err,
	    sizeof(err)) == 0) {
		if (!description_fds_none(&description))
			promise_broken("accepted description: a descriptor");
		if (description.tap_count < 1 ||
		    description.tap_count > TAPS_MAX)
			promise_broken("accepted description: tap count");
	} else {
		check_refused(&description, err);
	}
	if (bpftrace_broker_attach_parse(data, size) == 0 &&
	    size != sizeof(struct broker_attach_wire))
		promise_broken("attach message of the wrong size accepted");

	memset(err, 'x', sizeof(err));
	if (bpftrace_broker_grant_from_indexes(grant, fds, fd_count, err,
	    sizeof(err)) == 0)
		check_accepted(grant, fd_count);
	else
		check_refused(grant, err);
	free(fds);
	free(grant);
	return 0;
}
