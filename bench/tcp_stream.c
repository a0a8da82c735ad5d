/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The benchmark's TCP stream: large writes on one connection, so that
 * the kernel builds GSO/TSO packets (up to 64 KiB) and the taps see them
 * whole.  Bounded in bytes and in time on both ends.
 *
 * usage: tcp_stream sink PORT MAX_SECONDS
 *          accepts one connection, reads it to its end, prints
 *          "ready" once listening and "received N bytes, cpu C s" at the end;
 *        tcp_stream send ADDRESS PORT BYTES MAX_SECONDS
 *          prints "sent N bytes in S s: R bytes/s, cpu C s"
 *
 * C: each side's CPU time, softirqs run in its context included (see
 * udp_flood.c): the two together are most of what the stream costs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static char buffer[1 << 16];

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

static int
sink(int port, double limit)
{
	struct sockaddr_in at;
	struct pollfd pfd;
	long long total = 0;
	double start, cpu;
	ssize_t n;
	int fd, conn, one = 1;

	memset(&at, 0, sizeof(at));
	at.sin_family = AF_INET;
	at.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 || bind(fd, (struct sockaddr *)&at,
	    sizeof(at)) != 0 || listen(fd, 1) != 0) {
		perror("tcp_stream: listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	start = now();
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, (int)(limit * 1000)) != 1 ||
	    (conn = accept(fd, NULL, NULL)) < 0) {
		fprintf(stderr, "tcp_stream: no connection in %.0f s\n", limit);
		return 1;
	}
	pfd.fd = conn;
	cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
	while (now() - start < limit) {
		int ready = poll(&pfd, 1, 1000);

		if (ready < 0)
			break;
		if (ready == 0)
			continue;
		if ((n = read(conn, buffer, sizeof(buffer))) <= 0)
			break;
		total += n;
	}
	printf("received %lld bytes, cpu %.6f s\n", total,
	    clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu);
	return 0;
}

static int
send_stream(const char *address, int port, long long bytes, double limit)
{
	struct sockaddr_in to;
	struct timeval tv = { 1, 0 };
	long long sent = 0;
	double start, elapsed, cpu;
	ssize_t n;
	int fd;

	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, address, &to.sin_addr) != 1) {
		fprintf(stderr, "tcp_stream: bad address %s\n", address);
		return 2;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	/* A send blocked on a stalled peer returns within a second. */
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
	    sizeof(tv)) != 0 || connect(fd, (struct sockaddr *)&to,
	    sizeof(to)) != 0) {
		perror("tcp_stream: connect");
		return 1;
	}
	start = now();
	cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
	while (sent < bytes && now() - start < limit) {
		size_t want = bytes - sent < (long long)sizeof(buffer) ?
		    (size_t)(bytes - sent) : sizeof(buffer);

		if ((n = write(fd, buffer, want)) < 0)
			continue;	/* the time-out: check the bound */
		sent += n;
	}
	elapsed = now() - start;
	close(fd);
	cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu;
	printf("sent %lld bytes in %.3f s: %.0f bytes/s, cpu %.6f s\n", sent,
	    elapsed, sent / elapsed, cpu);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "sink") == 0)
		return sink(atoi(argv[2]), atof(argv[3]));
	if (argc == 6 && strcmp(argv[1], "send") == 0)
		return send_stream(argv[2], atoi(argv[3]), atoll(argv[4]),
		    atof(argv[5]));
	fprintf(stderr, "usage: tcp_stream sink PORT MAX_SECONDS | "
	    "tcp_stream send ADDRESS PORT BYTES MAX_SECONDS\n");
	return 2;
}
