/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a capture at tracing taps may see (the options of the device name,
 * bpftrace-tap-name.h).  Two halves:
 *
 *   bpftrace_scope_resolve()  in the capturing process, with its own
 *	permissions and in its own namespaces: namespace files, cgroup
 *	directories and interface names become numbers, written back into
 *	the device name.  The privileged side (this process with
 *	capabilities, or the capture broker) never opens a path a client
 *	names.
 *   bpftrace_scope_decide()   on the privileged side: the numbers checked
 *	against the reader's network namespace (which the kernel, not the
 *	client, tells the broker), the default applied: a reader outside the
 *	initial network namespace sees its own namespace only, whatever it
 *	asks for.
 *
 * The result goes into each probe as frozen constants (bpf/packet_layout.h:
 * skb_in_scope()).
 */
#ifndef BPFTRACE_SCOPE_H
#define BPFTRACE_SCOPE_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/ring_record.h"
#include "bpftrace-tap-name.h"

/* What the probes check; 0 everywhere: every packet, as before options. */
struct probe_scope {
	uint32_t netns;			/* namespace inode; 0: every one */
	uint64_t cgroup_id;		/* cgroup v2 id; 0: any socket */
	uint32_t ifindex;		/* in netns; 0: any interface */
	uint32_t track_entries;		/* packets followed at once; 0: no
					   tracking (bpf/packet_track.h) */
};

int	bpftrace_scope_resolve(const char *device, char *resolved, size_t len,
	    char *err, size_t errlen);
uint32_t bpftrace_netns_initial_inode(void);
int	bpftrace_scope_decide(const char *device,
	    const struct capture_scope *scope, uint32_t reader_netns,
	    uint32_t initial_netns, struct probe_scope *out, char *err,
	    size_t errlen);

#endif /* BPFTRACE_SCOPE_H */
