/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Who may capture through the broker, and how much: the policy file
 * (/etc/pcap-bpftrace/broker.conf), one "key = value" per line, '#'
 * comments:
 *
 *   groups = wireshark               members may capture (root always may)
 *   families = tracepoint raw_tracepoint kprobe fentry fexit tc
 *                                    tap families open to them (xdp is
 *                                    off by default: it changes the
 *                                    interface's receive path)
 *   max_captures_per_user = 16       concurrent captures per uid
 *   max_ring_bytes_per_user = 268435456
 *
 * Parsing is pure; group names are looked up by the broker.
 */
#ifndef BPFTRACE_BROKER_POLICY_H
#define BPFTRACE_BROKER_POLICY_H

#include <stddef.h>
#include <stdint.h>

#define POLICY_GROUPS_MAX	16
#define POLICY_NAME_MAX		64
#define POLICY_FILE		"/etc/pcap-bpftrace/broker.conf"

struct broker_policy {
	char groups[POLICY_GROUPS_MAX][POLICY_NAME_MAX];
	int group_count;
	uint32_t families;		/* bit (1 << enum tap_family) each */
	unsigned int max_captures_per_user;
	uint64_t max_ring_bytes_per_user;
};

void	broker_policy_defaults(struct broker_policy *p);
int	broker_policy_parse(const char *text, size_t len,
	    struct broker_policy *p, char *err, size_t errlen);
void	broker_policy_describe_families(uint32_t families, char *buf,
	    size_t len);

#endif /* BPFTRACE_BROKER_POLICY_H */
