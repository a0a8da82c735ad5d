/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The benchmarks' traffic source: a bounded UDP flood with sendmmsg().
 *
 * usage: udp_flood ADDRESS PORT COUNT PAYLOAD_BYTES MAX_SECONDS [RATE]
 * prints: "sent N packets in S s: R packets/s, cpu C s"
 *
 * C is this thread's CPU time.  The kernel charges it the softirqs that
 * run in its context (without CONFIG_IRQ_TIME_ACCOUNTING), which over a
 * veth pair is most of the receive path, taps included: the CPU per
 * packet shows what a capture adds to the path much as the rate does,
 * but waiting for a CPU on a loaded machine does not count in it.
 *
 * Sends COUNT datagrams (or stops after MAX_SECONDS) in batches of 64,
 * as fast as the kernel takes them or paced to RATE packets per second.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH	64

static double
clock_seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
now(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

int
main(int argc, char **argv)
{
	static char payload[65536];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to;
	long count, sent = 0;
	size_t size;
	double limit, start, elapsed, cpu, rate = 0;
	int fd, i;

	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: udp_flood ADDRESS PORT COUNT PAYLOAD_BYTES"
		    " MAX_SECONDS [RATE]\n");
		return 2;
	}
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
		fprintf(stderr, "udp_flood: bad address %s\n", argv[1]);
		return 2;
	}
	count = atol(argv[3]);
	size = (size_t)atol(argv[4]);
	limit = atof(argv[5]);
	if (argc == 7)
		rate = atof(argv[6]);
	if (size > sizeof(payload))
		size = sizeof(payload);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) != 0) {
		perror("udp_flood: socket");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = payload;
		iov[i].iov_len = size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	start = now();
	cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
	while (sent < count && now() - start < limit) {
		int n = count - sent < BATCH ? (int)(count - sent) : BATCH;
		int done;

		if (rate > 0) {
			double due = start + sent / rate;

			while (now() < due)
				;	/* spin: sleeps are too coarse at these rates */
		}
		done = sendmmsg(fd, msgs, (unsigned)n, 0);

		if (done < 0) {
			/* ICMP errors of an earlier datagram surface here. */
			if (errno == ECONNREFUSED || errno == ENOBUFS ||
			    errno == EAGAIN)
				continue;
			perror("udp_flood: sendmmsg");
			return 1;
		}
		sent += done;
	}
	elapsed = now() - start;
	cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu;
	printf("sent %ld packets in %.3f s: %.0f packets/s, cpu %.6f s\n", sent,
	    elapsed, sent / elapsed, cpu);
	close(fd);
	return 0;
}
