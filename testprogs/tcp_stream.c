/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_stream -l PORT		receives one connection, discards it
 * tcp_stream ADDRESS PORT KiB	sends KiB kibibytes in 64 KiB writes
 *
 * A TCP stream of large writes (TCP builds GSO-sized skbs from them) for
 * the kernel matrix, where busybox nc writes 1 KiB at a time and may
 * stop early.  Both sides end within 20 s whatever the peer does
 * (alarm); the sender prints how much it sent, the receiver how much it
 * received.  Exit 0 when the whole stream went through.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WRITE_BYTES	65536
#define BOUND_SECONDS	20

static int
receive(int port)
{
	struct sockaddr_in sin;
	static char buf[WRITE_BYTES];
	long total = 0;
	ssize_t n;
	int s, c, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(s, 1) < 0 || (c = accept(s, NULL, NULL)) < 0) {
		perror("tcp_stream: listening");
		return 1;
	}
	while ((n = read(c, buf, sizeof(buf))) > 0)
		total += n;
	printf("received %ld\n", total);
	close(c);
	close(s);
	return n < 0;
}

static int
send_stream(const char *address, int port, long kib)
{
	struct sockaddr_in sin;
	static char buf[WRITE_BYTES];
	long left = kib * 1024, sent = 0;
	ssize_t n;
	int s;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, address, &sin.sin_addr) != 1) {
		fprintf(stderr, "tcp_stream: %s is no IPv4 address\n", address);
		return 2;
	}
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(s, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		perror("tcp_stream: connecting");
		return 1;
	}
	while (left > 0) {
		n = write(s, buf, left < WRITE_BYTES ? (size_t)left :
		    WRITE_BYTES);
		if (n <= 0)
			break;
		left -= n;
		sent += n;
	}
	/* The peer reads to the end: wait for its close, not just ours. */
	shutdown(s, SHUT_WR);
	while (read(s, buf, sizeof(buf)) > 0)
		;
	printf("sent %ld\n", sent);
	close(s);
	return left != 0;
}

int
main(int argc, char **argv)
{
	alarm(BOUND_SECONDS);
	if (argc == 3 && strcmp(argv[1], "-l") == 0)
		return receive(atoi(argv[2]));
	if (argc == 4 && atol(argv[3]) > 0 && atol(argv[3]) <= 1L << 20)
		return send_stream(argv[1], atoi(argv[2]), atol(argv[3]));
	fprintf(stderr, "usage: tcp_stream -l PORT | tcp_stream ADDRESS PORT"
	    " KiB\n");
	return 2;
}
