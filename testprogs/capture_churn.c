/*
 * capture_churn -i DEVICE [-w workers] [-n rounds] [-t wait_ms] FILTER
 *
 * Captures that start and end over and over on one device, as when many
 * short-lived tcpdumps share an interface: WORKERS processes each open
 * DEVICE ROUNDS times, wait up to WAIT_MS for one packet matching FILTER
 * (the test keeps traffic flowing), and close it.  A capture whose
 * attachment was taken away under it (its tc filter removed with a
 * qdisc another capture ended) sees nothing and counts as starved.
 * Prints
 *	rounds R activated A received P
 * and the first failure's message; exit status 0 when every round
 * activated and received, 1 otherwise, 2 on misuse.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <pcap/pcap.h>

struct totals {
	unsigned long rounds, activated, received;
	char first_failure[PCAP_ERRBUF_SIZE + 64];
};

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
note_failure(struct totals *t, const char *what)
{
	/* Workers share the page; a torn message is still a message. */
	if (t->first_failure[0] == '\0')
		snprintf(t->first_failure, sizeof(t->first_failure), "%s",
		    what);
}

static void
count_one(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	(void)h;
	(void)bytes;
	(*(int *)user)++;
}

/* One capture: 1 when it saw a packet, 0 when not, -1 when it failed. */
static int
one_round(const char *device, const char *filter, int wait_ms,
    char *why, size_t whylen)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	struct pollfd pfd;
	pcap_t *p;
	int seen = 0;
	long end;

	if ((p = pcap_create(device, errbuf)) == NULL) {
		snprintf(why, whylen, "create: %s", errbuf);
		return -1;
	}
	pcap_set_snaplen(p, 128);
	pcap_set_immediate_mode(p, 1);
	if (pcap_activate(p) < 0) {
		snprintf(why, whylen, "activate: %s", pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
	    pcap_setfilter(p, &prog) < 0 ||
	    pcap_setnonblock(p, 1, errbuf) < 0) {
		snprintf(why, whylen, "filter: %s", pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	pcap_freecode(&prog);
	pfd.fd = pcap_get_selectable_fd(p);
	pfd.events = POLLIN;
	end = now_ms() + wait_ms;
	while (seen == 0 && now_ms() < end) {
		if (pcap_dispatch(p, -1, count_one, (u_char *)&seen) < 0) {
			snprintf(why, whylen, "read: %s", pcap_geterr(p));
			pcap_close(p);
			return -1;
		}
		if (seen == 0)
			(void)poll(&pfd, 1, 50);
	}
	pcap_close(p);
	if (seen == 0)
		snprintf(why, whylen, "no packet within %d ms", wait_ms);
	return seen > 0;
}

int
main(int argc, char **argv)
{
	const char *device = NULL;
	int workers = 4, rounds = 20, wait_ms = 10000, opt, w, failed = 0;
	struct totals *t;

	while ((opt = getopt(argc, argv, "i:w:n:t:")) != -1) {
		switch (opt) {
		case 'i': device = optarg; break;
		case 'w': workers = atoi(optarg); break;
		case 'n': rounds = atoi(optarg); break;
		case 't': wait_ms = atoi(optarg); break;
		default: return 2;
		}
	}
	if (device == NULL || optind != argc - 1 || workers < 1) {
		fprintf(stderr, "usage: capture_churn -i DEVICE [-w workers]"
		    " [-n rounds] [-t wait_ms] FILTER\n");
		return 2;
	}
	t = mmap(NULL, (size_t)workers * sizeof(*t), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED) {
		perror("capture_churn: mmap");
		return 1;
	}
	memset(t, 0, (size_t)workers * sizeof(*t));
	for (w = 0; w < workers; w++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("capture_churn: fork");
			return 1;
		}
		if (pid == 0) {
			char why[PCAP_ERRBUF_SIZE + 32];
			int r;

			for (r = 0; r < rounds; r++) {
				int got = one_round(device, argv[optind],
				    wait_ms, why, sizeof(why));

				t[w].rounds++;
				if (got >= 0)
					t[w].activated++;
				if (got > 0)
					t[w].received++;
				else
					note_failure(&t[w], why);
			}
			_exit(0);
		}
	}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	{
		struct totals sum;

		memset(&sum, 0, sizeof(sum));
		for (w = 0; w < workers; w++) {
			sum.rounds += t[w].rounds;
			sum.activated += t[w].activated;
			sum.received += t[w].received;
			if (t[w].first_failure[0] != '\0')
				note_failure(&sum, t[w].first_failure);
		}
		printf("rounds %lu activated %lu received %lu\n", sum.rounds,
		    sum.activated, sum.received);
		if (sum.first_failure[0] != '\0')
			printf("first failure: %s\n", sum.first_failure);
		failed = sum.rounds != (unsigned long)workers * rounds ||
		    sum.received != sum.rounds;
	}
	return failed;
}
