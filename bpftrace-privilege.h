/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Whether this process holds the capabilities a tap needs.  The kernel
 * answers EPERM both for a missing capability and for a program type it
 * refuses to everyone (fentry on some kernels); only knowing what we hold
 * tells the two apart, and so which message is true.
 */
#ifndef BPFTRACE_PRIVILEGE_H
#define BPFTRACE_PRIVILEGE_H

#include "bpftrace-tap-name.h"

int	bpftrace_has_tap_capabilities(enum tap_family family);
const char *bpftrace_tap_capabilities_needed(enum tap_family family);

#endif /* BPFTRACE_PRIVILEGE_H */
