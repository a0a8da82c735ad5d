/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture broker's messages; see the header.  Everything that comes
 * from the other side is checked here before anything else looks at it.
 */
#include <stdio.h>
#include <string.h>

#include "bpftrace-broker-protocol.h"

size_t
bpftrace_broker_request_encode(const struct broker_request *req, void *buf,
    size_t len)
{
	struct broker_request_wire w;
	size_t device_len = strlen(req->device);

	if (device_len > BROKER_DEVICE_MAX || len < sizeof(w) + device_len)
		return 0;
	memset(&w, 0, sizeof(w));
	w.magic = BROKER_MAGIC;
	w.version = BROKER_VERSION;
	w.device_len = (uint16_t)device_len;
	w.snaplen = req->snaplen;
	w.ring_bytes = req->ring_bytes;
	memcpy(buf, &w, sizeof(w));
	memcpy((char *)buf + sizeof(w), req->device, device_len);
	return sizeof(w) + device_len;
}

int
bpftrace_broker_request_parse(const void *buf, size_t len,
    struct broker_request *req,
    char *err, size_t errlen)
{
	struct broker_request_wire w;
	const char *device = (const char *)buf + sizeof(w);
	size_t i;

	memset(req, 0, sizeof(*req));
	if (len < sizeof(w)) {
		snprintf(err, errlen, "short request (%zu bytes)", len);
		return -1;
	}
	memcpy(&w, buf, sizeof(w));
	if (w.magic != BROKER_MAGIC || w.version != BROKER_VERSION) {
		snprintf(err, errlen, "not a capture broker request of version"
		    " %d (a library of another version?)", BROKER_VERSION);
		return -1;
	}
	if (w.device_len == 0 || w.device_len > BROKER_DEVICE_MAX ||
	    len != sizeof(w) + w.device_len || w.reserved != 0) {
		snprintf(err, errlen, "malformed request");
		return -1;
	}
	for (i = 0; i < w.device_len; i++)
		if ((unsigned char)device[i] < 0x20 || device[i] == 0x7f) {
			/* Names end up in the broker's log: no fake lines. */
			snprintf(err, errlen,
			    "a control character in the device"
			    " name");
			return -1;
		}
	if (w.snaplen == 0 || w.snaplen > BROKER_SNAPLEN_MAX ||
	    w.ring_bytes > BROKER_RING_BYTES_MAX) {
		snprintf(err, errlen,
		    "snap length or buffer size out of range");
		return -1;
	}
	memcpy(req->device, device, w.device_len);
	req->device[w.device_len] = '\0';
	req->snaplen = w.snaplen;
	req->ring_bytes = w.ring_bytes;
	return 0;
}

#define GRANT_FD_FIELDS	(1 + TAPS_MAX * GRANT_TAP_FDS)

/* Every descriptor field of a grant, in one fixed order. */
static size_t
grant_fd_fields(struct capture_grant *g, int32_t **fields)
{
	size_t n = 0;
	int i, l;

	fields[n++] = &g->ring_fd;
	for (i = 0; i < TAPS_MAX; i++) {
		struct tap_grant *t = &g->taps[i];

		fields[n++] = &t->data_fd;
		fields[n++] = &t->bss_fd;
		fields[n++] = &t->guardian_watch_fd;
		fields[n++] = &t->guardian_done_fd;
		for (l = 0; l < GRANT_LINKS_MAX; l++)
			fields[n++] = &t->link_fds[l];
		for (l = 0; l < GRANT_PROGS_MAX; l++)
			fields[n++] = &t->prog_fds[l];
	}
	return n;
}

/*
 * Moves the grant's descriptors into fds (for SCM_RIGHTS) and leaves
 * their indexes in the grant.  Returns how many there are.
 */
size_t
bpftrace_broker_grant_to_indexes(struct capture_grant *grant, int *fds,
    size_t max)
{
	int32_t *fields[GRANT_FD_FIELDS];
	size_t count = grant_fd_fields(grant, fields), i, n = 0;

	/* In process only (the broker never has one): not sent. */
	grant->perf_fd = -1;
	for (i = 0; i < count; i++) {
		if (*fields[i] < 0 || n == max) {
			*fields[i] = -1;
			continue;
		}
		fds[n] = *fields[i];
		*fields[i] = (int32_t)n++;
	}
	return n;
}

static int
power_of_two(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/*
 * The other way, on the client: indexes back to the received descriptors,
 * each used at most once, none beyond the taps granted.  A description
 * (the answer to the request, before anything is loaded) names none at
 * all.  On failure the grant holds no descriptor (the caller closes what
 * it received).
 */
static int
from_indexes(struct capture_grant *grant, const int *fds, size_t fd_count,
    int description, char *err, size_t errlen)
{
	int32_t *fields[GRANT_FD_FIELDS];
	unsigned char used[BROKER_FDS_MAX];
	size_t count = grant_fd_fields(grant, fields), i;
	size_t per_tap = GRANT_TAP_FDS;

	memset(used, 0, sizeof(used));
	grant->perf_fd = -1;	/* never sent: a number here is no descriptor */
	if (grant->tap_count == 0 || grant->tap_count > TAPS_MAX ||
	    fd_count > BROKER_FDS_MAX || (description ? fd_count != 0 :
	    (!power_of_two(grant->ring_bytes) ||
	    grant->ring_bytes > BROKER_RING_BYTES_MAX)))
		goto bad;
	for (i = 0; i < count; i++) {
		int32_t index = *fields[i];
		int beyond = i > 0 && (i - 1) / per_tap >= grant->tap_count;

		if (index == -1)
			continue;
		if (index < 0 || (size_t)index >= fd_count || used[index] ||
		    beyond)
			goto bad;
		used[index] = 1;
	}
	for (i = 0; i < grant->tap_count; i++) {
		struct tap_grant *t = &grant->taps[i];

		t->reason_enum[sizeof(t->reason_enum) - 1] = '\0';
		if (!description && (t->data_fd < 0 || t->bss_fd < 0))
			goto bad;
	}
	if (!description && grant->ring_fd < 0)
		goto bad;
	for (i = 0; i < count; i++)
		if (*fields[i] >= 0)
			*fields[i] = fds[*fields[i]];
	return 0;
bad:
	/* The descriptors are the caller's to close: forget them here. */
	for (i = 0; i < count; i++)
		*fields[i] = -1;
	snprintf(err, errlen, "malformed reply from the capture broker");
	return -1;
}

int
bpftrace_broker_grant_from_indexes(struct capture_grant *grant, const int *fds,
    size_t fd_count, char *err, size_t errlen)
{
	return from_indexes(grant, fds, fd_count, 0, err, errlen);
}

int
bpftrace_broker_description_check(struct capture_grant *description, char *err,
    size_t errlen)
{
	return from_indexes(description, NULL, 0, 1, err, errlen);
}

int
bpftrace_broker_attach_parse(const void *buf, size_t len)
{
	struct broker_attach_wire w;

	if (len != sizeof(w))
		return -1;
	memcpy(&w, buf, sizeof(w));
	return w.magic == BROKER_ATTACH_MAGIC && w.version == BROKER_VERSION &&
	    w.reserved == 0 ? 0 : -1;
}
