/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every tap family, one row each.  A new family is a row here plus its
 * parser (bpftrace-tap-name.c) and resolver; nothing else switches on the
 * family to decide what kind of tap it is: those questions go to its class.
 *
 * Each file expands only the columns it needs (an X macro), so the pure
 * name parser, which is unit-tested and fuzzed on its own, never links
 * against the resolvers named in the same row.
 *
 * Columns:
 *	ID		TAP_FAMILY_<ID>
 *	NAME		the family's word in a device name, bpf:NAME:...
 *	CLASS		TAP_CLASS_TRACING: a probe of ours on a kernel-wide
 *			hook; TAP_CLASS_INTERFACE: a probe of ours on one
 *			interface (needs CAP_NET_ADMIN, lives in a network
 *			namespace); TAP_CLASS_USER_PROGRAM: no probe of ours,
 *			a loaded program's own bpf_pcap() records
 *	PARSE		the name parser of the part after "bpf:NAME:"
 *	RESOLVE		its resolver against the running kernel, or NULL
 *			for a user program's records, which
 *			bpftrace-user-program.c finds (and, for an object
 *			file, bpftrace-user-object.c loads and attaches)
 *	BROKERED	offered to unprivileged broker clients unless the
 *			policy says otherwise: XDP changes the NIC's receive
 *			path, and a user program belongs to whoever loaded it
 *	USAGE		the syntax, with an example, for error messages
 */
#ifndef BPFTRACE_TAP_FAMILIES_H
#define BPFTRACE_TAP_FAMILIES_H

#define BPFTRACE_TAP_FAMILIES(F) \
	F(TRACEPOINT, "tracepoint", TAP_CLASS_TRACING, parse_tracepoint, \
	    bpftrace_tracepoint_resolve, 1, \
	    "bpf:tracepoint:[CATEGORY:]NAME[:argN], e.g. bpf:tracepoint:skb:kfree_skb") \
	F(RAW_TRACEPOINT, "raw_tracepoint", TAP_CLASS_TRACING, \
	    parse_raw_tracepoint, bpftrace_tracepoint_resolve, 1, \
	    "bpf:raw_tracepoint:NAME[:argN], e.g. bpf:raw_tracepoint:kfree_skb") \
	F(KPROBE, "kprobe", TAP_CLASS_TRACING, parse_function, \
	    bpftrace_function_resolve, 1, \
	    "bpf:kprobe:FUNCTION[:argN] or bpf:kprobe:PATTERN, e.g."\
	    " bpf:kprobe:ip_rcv, bpf:kprobe:ip_*") \
	F(FENTRY, "fentry", TAP_CLASS_TRACING, parse_function, \
	    bpftrace_function_resolve, 1, \
	    "bpf:fentry:FUNCTION[:argN], e.g. bpf:fentry:ip_rcv") \
	F(FEXIT, "fexit", TAP_CLASS_TRACING, parse_function, \
	    bpftrace_function_resolve, 1, \
	    "bpf:fexit:FUNCTION[:argN], e.g. bpf:fexit:ip_route_input_noref") \
	F(TC, "tc", TAP_CLASS_INTERFACE, parse_tc, \
	    bpftrace_interface_resolve, 1, \
	    "bpf:tc:INTERFACE[:ingress|:egress][:before|:after|:prog=NAME|ID" \
	    "[:entry|:VERDICT]], e.g. bpf:tc:eth0, bpf:tc:eth0:ingress:before," \
	    " bpf:tc:eth0:ingress:prog=my_filter:shot") \
	F(XDP, "xdp", TAP_CLASS_INTERFACE, parse_xdp, \
	    bpftrace_interface_resolve, 0, \
	    "bpf:xdp:INTERFACE[:generic|:native|:entry|:VERDICT], e.g." \
	    " bpf:xdp:eth0, at the user's XDP program bpf:xdp:eth0:drop") \
	F(PROG, "prog", TAP_CLASS_USER_PROGRAM, parse_prog_id, NULL, 0, \
	    "bpf:prog:ID, the id of a program that calls bpf_pcap() (bpftool prog)") \
	F(PINNED, "pinned", TAP_CLASS_USER_PROGRAM, parse_pinned_path, NULL, 0, \
	    "bpf:pinned:PATH, e.g. bpf:pinned:/sys/fs/bpf/myprog/packets") \
	F(OBJECT, "object", TAP_CLASS_USER_PROGRAM, parse_object, NULL, 0, \
	    "bpf:object:PATH[:SECTION], a BPF object file whose programs call" \
	    " bpf_pcap(), e.g. bpf:object:/tmp/x.bpf.o:tp_btf/netif_receive_skb")

#endif /* BPFTRACE_TAP_FAMILIES_H */
