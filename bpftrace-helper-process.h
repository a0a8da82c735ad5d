/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the capture's privileged helper processes (the filter keeper, the
 * clsact guardian) do alike when they start: they outlive the
 * application's signals and hold none of its descriptors but their own.
 */
#ifndef BPFTRACE_HELPER_PROCESS_H
#define BPFTRACE_HELPER_PROCESS_H

void	bpftrace_helper_leave_terminal(void);
void	bpftrace_helper_close_from(int first);

#endif /* BPFTRACE_HELPER_PROCESS_H */
