// SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0)
/*
 * A user's own XDP program, for the test that bpf:xdp: never replaces one:
 * it lets every frame pass.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* "xdp.frags": it may sit on interfaces with jumbo MTUs, as the benchmark's. */
SEC("xdp.frags")
int
users_xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}
