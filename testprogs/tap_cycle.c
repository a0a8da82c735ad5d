/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A long-running capturing process (tests/t-kill-storm.sh): opens COUNT
 * handles one after another, taking the DEVICEs in turn, and for each
 * activates it, sets FILTER, reads until it has a few packets (WANT) or
 * TIMEOUT_MS passed, reads its statistics and closes it.  Run under
 * valgrind, it shows what a process that outlives many captures keeps
 * of them: memory (valgrind's leak check) and descriptors (compared here:
 * the open descriptors at the end must be those of the start).
 *
 * usage: tap_cycle COUNT WANT TIMEOUT_MS SECONDS FILTER DEVICE...
 * (once each DEVICE had a handle, no new one is started after SECONDS:
 * under valgrind an activation takes seconds on a busy machine)
 * prints a line per handle ("handle I DEVICE: N packets, M bpf
 * descriptors"), then "descriptors at start S, at end E".
 * Exit status: 0 when every handle activated and got a packet and the
 * descriptors balance, 1 otherwise, 2 on misuse.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

/* Open descriptors of this process; with BPF, those that are BPF objects. */
static int
count_descriptors(int bpf_only)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int count = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char path[300], target[300];
		ssize_t n;

		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		if (!bpf_only) {
			count++;
			continue;
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, "anon_inode:bpf", 14) == 0)
			count++;
	}
	closedir(d);
	return count;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
count_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	(void)h;
	(void)bytes;
	(*(int *)user)++;
}

/* One handle's life; 0 when it activated and saw a packet. */
static int
cycle(int i, const char *device, const char *filter, int want, int timeout_ms)
{
	char err[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	struct pcap_stat st;
	pcap_t *p;
	int got = 0, bpf_fds, n;
	long end;

	p = pcap_create(device, err);
	if (p == NULL) {
		printf("handle %d %s: %s\n", i, device, err);
		return 1;
	}
	if (pcap_set_timeout(p, 100) != 0 || pcap_set_snaplen(p, 256) != 0 ||
	    pcap_activate(p) < 0) {
		printf("handle %d %s: %s\n", i, device, pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    pcap_setfilter(p, &prog) != 0) {
		printf("handle %d %s: filter: %s\n", i, device, pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_freecode(&prog);
	end = now_ms() + timeout_ms;
	while (got < want && now_ms() < end) {
		n = pcap_dispatch(p, want - got, count_packet, (u_char *)&got);
		if (n < 0) {
			printf("handle %d %s: read: %s\n", i, device,
			    pcap_geterr(p));
			break;
		}
	}
	if (pcap_stats(p, &st) != 0)
		printf("handle %d %s: stats: %s\n", i, device, pcap_geterr(p));
	bpf_fds = count_descriptors(1);
	pcap_close(p);
	printf("handle %d %s: %d packets, %d bpf descriptors\n", i, device,
	    got, bpf_fds);
	fflush(stdout);
	return got > 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	int count, want, timeout_ms, ndevices, i, failed = 0, start, end;
	long budget_end;

	if (argc < 7) {
		fprintf(stderr, "usage: tap_cycle COUNT WANT TIMEOUT_MS SECONDS "
		    "FILTER DEVICE...\n");
		return 2;
	}
	count = atoi(argv[1]);
	want = atoi(argv[2]);
	timeout_ms = atoi(argv[3]);
	budget_end = now_ms() + atol(argv[4]) * 1000L;
	ndevices = argc - 6;
	start = count_descriptors(0);
	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < count && (i < ndevices || now_ms() < budget_end); i++)
		failed += cycle(i, argv[6 + i % ndevices], argv[5], want,
		    timeout_ms);
	end = count_descriptors(0);
	printf("descriptors at start %d, at end %d; %d of %d handles failed\n",
	    start, end, failed, i);
	return failed == 0 && start == end ? 0 : 1;
}
