/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bpf:object:PATH[:SECTION]: the user's BPF object file, whose programs
 * emit packets with bpf_pcap() (bpf/bpf_pcap.h), loaded and attached by
 * the capturing process for as long as the capture lasts, as libbpf
 * attaches a skeleton's programs: by their SEC() names.  Everything it
 * loads is held by descriptors of this process only (links, programs,
 * maps; nothing is pinned), so a capture that ends in any way, SIGKILL
 * included, leaves nothing behind.
 *
 * The capture broker never loads an object: it cannot judge a user's
 * code, and the kernel's verifier is no policy.  Loading needs CAP_BPF
 * and CAP_PERFMON (or root) in the capturing process.
 */
#ifndef BPFTRACE_USER_OBJECT_H
#define BPFTRACE_USER_OBJECT_H

#include <stddef.h>

#include "bpftrace-tap-name.h"

struct user_object;

/*
 * Reads and loads the object, and finds what its (selected) programs
 * emit to: *output_fd, a ring buffer or perf event array, and *conf_fd,
 * its bpf_pcap_conf, both the caller's to close.  Nothing runs yet.
 */
int	bpftrace_user_object_load(const char *device,
	    const struct tap_spec *spec, struct user_object **object,
	    int *output_fd, int *conf_fd, char *err, size_t errlen);
/* Attaches every selected program; when the capture is ready to read. */
int	bpftrace_user_object_attach(struct user_object *object,
	    const char *device, char *err, size_t errlen);
/* Detaches and unloads everything; NULL is fine. */
void	bpftrace_user_object_close(struct user_object *object);

#endif /* BPFTRACE_USER_OBJECT_H */
