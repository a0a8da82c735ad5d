/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A process that sets its filter again and again after giving up its
 * privileges, as a hostile or buggy client of the filter keeper or the
 * broker would: activates DEVICE (as root, the keeper is forked then),
 * drops to UID (every capability gone), then calls pcap_setfilter() COUNT
 * times without pause, sleeps SECONDS, and sets it once more.  Every call
 * must succeed (past the server's rate the interpreter filters); which
 * were compiled, PCAP_BPF_DEBUG's lines on stderr say.
 *
 * usage: filter_storm DEVICE UID COUNT SECONDS
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <grp.h>

#include <pcap/pcap.h>

static void
set_filter(pcap_t *p, const char *expression)
{
	struct bpf_program prog;

	if (pcap_compile(p, &prog, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    pcap_setfilter(p, &prog) != 0) {
		fprintf(stderr, "filter_storm: '%s': %s\n", expression,
		    pcap_geterr(p));
		exit(2);
	}
	pcap_freecode(&prog);
}

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p;
	uid_t uid;
	int i, count;

	if (argc != 5) {
		fprintf(stderr, "usage: filter_storm DEVICE UID COUNT SECONDS\n");
		return 2;
	}
	uid = (uid_t)atoi(argv[2]);
	count = atoi(argv[3]);
	p = pcap_create(argv[1], err);
	if (p == NULL || pcap_set_timeout(p, 100) != 0 ||
	    pcap_activate(p) != 0) {
		fprintf(stderr, "filter_storm: %s\n", p ? pcap_geterr(p) : err);
		return 2;
	}
	/* A change of every uid to a non-zero one clears the capabilities. */
	if (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 ||
	    setresuid(uid, uid, uid) != 0) {
		perror("filter_storm: dropping privileges");
		return 2;
	}
	for (i = 0; i < count; i++)
		set_filter(p, i % 2 ? "udp port 9" : "icmp");
	sleep((unsigned int)atoi(argv[4]));
	set_filter(p, "tcp port 9");
	printf("set %d filters\n", count + 1);
	pcap_close(p);
	return 0;
}
