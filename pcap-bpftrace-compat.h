/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpcap renamed its internal functions after 1.10 (pcap_* / plain names
 * became pcapint_*).  The module is written against the new names; this
 * header maps them onto 1.10's.  master's pcap-int.h is recognised by a
 * macro that only it defines; BPFTRACE_PCAPINT_NAMES forces the choice.
 */
#ifndef PCAP_BPFTRACE_COMPAT_H
#define PCAP_BPFTRACE_COMPAT_H

#if !defined(BPFTRACE_PCAPINT_NAMES) && \
	    defined(PCAP_VERSION_STRING_WITH_ADDITIONAL_INFO)
#define BPFTRACE_PCAPINT_NAMES 1
#endif

#ifndef BPFTRACE_PCAPINT_NAMES
#define pcapint_add_dev			add_dev
#define pcapint_add_to_pcaps_to_close	pcap_add_to_pcaps_to_close
#define pcapint_do_addexit		pcap_do_addexit
#define pcapint_remove_from_pcaps_to_close pcap_remove_from_pcaps_to_close
#define pcapint_breakloop_common	pcap_breakloop_common
#define pcapint_cleanup_live_common	pcap_cleanup_live_common
#define pcapint_filter			pcap_filter
#define pcapint_fmt_errmsg_for_errno	pcap_fmt_errmsg_for_errno
#define pcapint_install_bpf_program	install_bpf_program
#define pcapint_strlcpy			pcap_strlcpy
#endif

/* 1.10 has no code for "this device cannot capture"; PCAP_ERROR says it. */
#ifndef PCAP_ERROR_CAPTURE_NOTSUP
#define PCAP_ERROR_CAPTURE_NOTSUP	PCAP_ERROR
#endif

#endif /* PCAP_BPFTRACE_COMPAT_H */
