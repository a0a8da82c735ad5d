/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the fuzz targets' seed corpora: make_seeds DIR makes
 * DIR/fuzz_broker_request, DIR/fuzz_broker_policy and DIR/fuzz_broker_grant,
 * one file per seed.  Requests and grants are built by the code that
 * builds them for real (bpftrace_broker_request_encode,
     bpftrace_broker_grant_to_indexes),
 * so that the seeds follow the wire format when it changes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bpftrace-broker-protocol.h"

static const char *dir;

#include "seed_files.h"

/* Every family of the grammar, its options, and joined taps. */
static const char *const devices[] = {
	"bpf:tracepoint:net:netif_receive_skb",
	"bpf:tracepoint:kfree_skb",
	"bpf:tracepoint:skb:kfree_skb:arg1",
	"bpf:tracepoint:consume_skb:arg1",
	"bpf:raw_tracepoint:kfree_skb",
	"bpf:raw_tracepoint:kfree_skb:arg2",
	"bpf:kprobe:ip_rcv",
	"bpf:kprobe:ip_rcv:arg1",
	"bpf:fentry:ip_rcv",
	"bpf:fexit:ip_route_input_noref:arg1",
	"bpf:tc:eth0",
	"bpf:tc:veth_a:ingress",
	"bpf:tc:lo:egress",
	"bpf:tc:veth_a:ingress:before",
	"bpf:tc:eth0:after",
	"bpf:xdp:eth0",
	"bpf:xdp:eth0:native",
	"bpf:prog:42",
	"bpf:pinned:/sys/fs/bpf/myprog/packets",
	"bpf:tracepoint:net:netif_receive_skb+tracepoint:skb:kfree_skb",
	"bpf:tc:eth0:ingress+xdp:eth0+kprobe:ip_rcv",
	"bpf:tracepoint:a+tracepoint:b+tracepoint:c+tracepoint:d"
	    "+tracepoint:e+tracepoint:f+tracepoint:g+tracepoint:h",
	"bpf:tracepoint:net:netif_receive_skb+prog:1",
	"bpf:tracepoint:arg0",
	"bpf:tc:eth0:both",
	"bpf:nosuch:x",
	"any",
};

static void
request_seeds(void)
{
	unsigned char buf[sizeof(struct broker_request_wire) +
	    BROKER_DEVICE_MAX];
	struct broker_request req;
	struct broker_request_wire w;
	char name[32];
	size_t i, n;

	for (i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		memset(&req, 0, sizeof(req));
		snprintf(req.device, sizeof(req.device), "%s", devices[i]);
		req.snaplen = i % 2 ? 262144 : 96;
		req.ring_bytes = i % 3 ? 0 : (uint64_t)4 << 20;
		n = bpftrace_broker_request_encode(&req, buf, sizeof(buf));
		snprintf(name, sizeof(name), "request-%02zu", i);
		write_seed("fuzz_broker_request", name, buf, n);
	}
	/* The longest device name the wire allows. */
	memset(&req, 0, sizeof(req));
	memcpy(req.device, "bpf:pinned:/", 12);
	memset(req.device + 12, 'p', BROKER_DEVICE_MAX - 12);
	req.snaplen = 65535;
	n = bpftrace_broker_request_encode(&req, buf, sizeof(buf));
	write_seed("fuzz_broker_request", "request-longest", buf, n);
	/* A header that promises more than it brings. */
	memset(&w, 0, sizeof(w));
	w.magic = BROKER_MAGIC;
	w.version = BROKER_VERSION;
	w.device_len = 64;
	w.snaplen = 65535;
	write_seed("fuzz_broker_request", "request-truncated", &w, sizeof(w));
}

static const char *const policies[] = {
	"groups = wireshark\n"
	"families = tracepoint raw_tracepoint kprobe fentry fexit tc\n"
	"max_captures_per_user = 16\n"
	"max_ring_bytes_per_user = 268435456\n",
	"# comment only\n\n   \t\n",
	"groups = wireshark, pcap netdev\nfamilies = xdp,prog pinned\n",
	"groups =\nfamilies =\n",
	"max_captures_per_user = 4096\nmax_ring_bytes_per_user = 1099511627776",
	"max_captures_per_user = 4097\n",
	"families = tracepoint # the cheapest\r\n",
	"unknown = 1\n",
	"groups = a b c d e f g h i j k l m n o p\n",
};

static void
policy_seeds(void)
{
	char name[32];
	size_t i;

	for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
		snprintf(name, sizeof(name), "policy-%02zu", i);
		write_seed("fuzz_broker_policy", name, policies[i],
		    strlen(policies[i]));
	}
}

/*
 * A grant as the broker sends it: taps with their maps, links and (tc)
 * guardian pipes, turned into indexes; the first byte says how many
 * descriptors come along.
 */
static void
grant_seed(const char *name, uint32_t tap_count, int links, int guardian)
{
	unsigned char buf[1 + sizeof(struct capture_grant)];
	struct capture_grant g;
	int fds[BROKER_FDS_MAX], next = 100, l;
	uint32_t t;
	size_t n;

	bpftrace_capture_grant_init(&g);
	g.ring_fd = next++;
	g.ring_bytes = (uint64_t)1 << 22;
	g.link_type = 1;
	g.tap_count = tap_count;
	for (t = 0; t < tap_count; t++) {
		struct tap_grant *tap = &g.taps[t];

		tap->data_fd = next++;
		tap->bss_fd = next++;
		for (l = 0; l < links; l++)
			tap->link_fds[l] = next++;
		if (guardian) {
			tap->guardian_watch_fd = next++;
			tap->guardian_done_fd = next++;
		}
		tap->data_size = 64;
		tap->bss_size = 4096;
		tap->settings_offset = 0;
		tap->counters_offset = 64;
		tap->filter_offset = 1024;
		tap->mechanism = t;
		tap->reason_arg_index = t % 2 ? 1 : -1;
		snprintf(tap->reason_enum, sizeof(tap->reason_enum),
		    "skb_drop_reason");
	}
	n = bpftrace_broker_grant_to_indexes(&g, fds, BROKER_FDS_MAX);
	buf[0] = (unsigned char)n;
	memcpy(buf + 1, &g, sizeof(g));
	write_seed("fuzz_broker_grant", name, buf, sizeof(buf));
}

static void
grant_seeds(void)
{
	grant_seed("grant-tracepoint", 1, 1, 0);
	grant_seed("grant-tc", 1, 2, 1);
	grant_seed("grant-joined", 3, 1, 0);
	grant_seed("grant-full", TAPS_MAX, GRANT_LINKS_MAX, 1);
	grant_seed("grant-no-links", 2, 0, 0);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make_seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	make_dir(dir);
	request_seeds();
	policy_seeds();
	grant_seeds();
	return 0;
}
