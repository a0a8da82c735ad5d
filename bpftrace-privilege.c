/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capability checks; see the header.
 */
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "bpftrace-privilege.h"

/* Numbers newer than some libc headers. */
#define CAPABILITY_NET_ADMIN	12
#define CAPABILITY_SYS_ADMIN	21
#define CAPABILITY_PERFMON	38
#define CAPABILITY_BPF		39

static int
effective_capability(const struct __user_cap_data_struct *data, int cap)
{
	return (data[cap / 32].effective >> (cap % 32)) & 1;
}

static int
is_network_family(enum tap_family family)
{
	return bpftrace_tap_family_class(family) == TAP_CLASS_INTERFACE;
}

int
bpftrace_has_tap_capabilities(enum tap_family family)
{
	struct __user_cap_header_struct header = {
		_LINUX_CAPABILITY_VERSION_3, 0
	};
	struct __user_cap_data_struct data[2];
	int bpf, admin;

	if (syscall(SYS_capget, &header, data) != 0)
		return 0;
	admin = effective_capability(data, CAPABILITY_SYS_ADMIN);
	bpf = admin || effective_capability(data, CAPABILITY_BPF);
	if (is_network_family(family))
		return bpf && effective_capability(data, CAPABILITY_NET_ADMIN);
	return admin || (bpf && effective_capability(data, CAPABILITY_PERFMON));
}

const char *
bpftrace_tap_capabilities_needed(enum tap_family family)
{
	return is_network_family(family) ?
	    "CAP_BPF and CAP_NET_ADMIN, or the capture broker, which is not"
	    " running: systemctl enable --now pcap-bpftrace-broker.socket"
	    " (or start pcap-bpftrace-broker --foreground)" :
	    "CAP_BPF and CAP_PERFMON, or the capture broker, which is not"
	    " running: systemctl enable --now pcap-bpftrace-broker.socket"
	    " (or start pcap-bpftrace-broker --foreground)";
}
