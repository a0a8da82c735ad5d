/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiled filters asked for over a connection; see the header.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "bpftrace-filter-channel.h"
#include "bpftrace-filter-load.h"

/*
 * How long pcap_setfilter() waits for the compiled program: the verifier
 * takes milliseconds for what libpcap emits.  Past this the interpreter,
 * already installed, keeps filtering; a late reply is recognised by its
 * generation and passed over.
 */
#define FILTER_REPLY_MS		5000

/*
 * What the server compiles for one client: a burst, then a steady rate.
 * Each request makes the privileged side run the verifier over up to
 * FILTER_MAX_INSNS instructions per tap; a client looping on
 * pcap_setfilter() would spend that privileged time without end.  Past
 * the rate a request is answered "not compiled": the interpreter, which
 * the client installed before asking, filters the same way.  Real
 * programs set a filter once or a few times a capture.
 */
#define FILTER_COMPILES_BURST		64
#define FILTER_COMPILES_PER_SECOND	16

/*
 * Compiles the program for every tap and swaps it into each probe.
 * Returns the taps that run it; why says what kept the others from it.
 * A tap it failed for keeps the interpreter, which runs the same program.
 */
uint32_t
bpftrace_filter_load_taps(const struct filter_target *targets, int count,
    const struct filter_insn *insns, unsigned int len, uint32_t generation, char *why,
    size_t whylen)
{
	uint32_t compiled = 0;
	char reason[FILTER_CHANNEL_MESSAGE_MAX];
	int i;

	if (whylen > 0)
		why[0] = '\0';
	for (i = 0; i < count && i < 32; i++) {
		if (bpftrace_filter_load(&targets[i], insns, len, generation,
		    reason, sizeof(reason)) == 0)
			compiled |= 1u << i;
		else if (whylen > 0 && why[0] == '\0')
			snprintf(why, whylen, "%s", reason);
	}
	return compiled;
}

static long now_ms(void);

/*
 * Takes one compile from the bucket; 0 when it is empty.  One server
 * process serves one client (a broker child, a capture's keeper), so the
 * bucket is the process's.
 */
static int
compile_allowed(void)
{
	static long tokens_ms = -1, last_ms;
	const long cost = 1000 / FILTER_COMPILES_PER_SECOND;
	const long full = FILTER_COMPILES_BURST * cost;
	long now = now_ms();

	if (tokens_ms < 0)
		tokens_ms = full;
	else if (now > last_ms)
		tokens_ms += now - last_ms;
	if (tokens_ms > full)
		tokens_ms = full;
	last_ms = now;
	if (tokens_ms < cost)
		return 0;
	tokens_ms -= cost;
	return 1;
}

/* The server side: one request read from fd, answered on it. */
int
bpftrace_filter_channel_answer(int fd, const void *buf, size_t len,
    const struct filter_target *targets, int count)
{
	static struct filter_insn insns[FILTER_MAX_INSNS];
	struct filter_reply_wire reply;
	unsigned int insn_count;

	memset(&reply, 0, sizeof(reply));
	reply.magic = FILTER_CHANNEL_MAGIC;
	reply.version = FILTER_CHANNEL_VERSION;
	if (bpftrace_filter_request_parse(buf, len, insns, &insn_count,
	    &reply.generation, reply.message, sizeof(reply.message)) == 0) {
		if (compile_allowed())
			reply.compiled_taps = bpftrace_filter_load_taps(targets,
			    count, insns, insn_count, reply.generation,
			    reply.message, sizeof(reply.message));
		else
			snprintf(reply.message, sizeof(reply.message), "more"
			    " than %d filter changes, then %d a second:"
			    " interpreted", FILTER_COMPILES_BURST,
			    FILTER_COMPILES_PER_SECOND);
	}
	if (send(fd, &reply, sizeof(reply), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(reply))
		return -1;
	return 0;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The client side.  Returns 0 with the taps that run the program
 * compiled (maybe none, why then says why), -1 when the connection
 * failed or no answer came in time.
 */
int
bpftrace_filter_channel_compile(int fd, const char *device,
    const struct filter_insn *insns, unsigned int len, uint32_t generation,
    uint32_t *compiled, char *why, size_t whylen)
{
	static unsigned char request[FILTER_REQUEST_MAX];
	struct filter_request_wire w;
	struct filter_reply_wire reply;
	size_t size = sizeof(w) + (size_t)len * sizeof(*insns);
	long deadline = now_ms() + FILTER_REPLY_MS;
	ssize_t n;

	*compiled = 0;
	if (len == 0 || len > FILTER_MAX_INSNS) {
		snprintf(why, whylen, "%u instructions", len);
		return -1;
	}
	memset(&w, 0, sizeof(w));
	w.magic = FILTER_CHANNEL_MAGIC;
	w.version = FILTER_CHANNEL_VERSION;
	w.generation = generation;
	w.insn_count = len;
	memcpy(request, &w, sizeof(w));
	memcpy(request + sizeof(w), insns, (size_t)len * sizeof(*insns));
	if (send(fd, request, size, MSG_NOSIGNAL) != (ssize_t)size) {
		snprintf(why, whylen, "%s: sending the filter: %s", device,
		    strerror(errno));
		return -1;
	}
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		long left = deadline - now_ms();
		int ready;

		if (left <= 0) {
			snprintf(why, whylen, "%s: no answer to the filter in"
			    " %d ms", device, FILTER_REPLY_MS);
			return -1;
		}
		ready = poll(&pfd, 1, (int)left);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			continue;
		n = recv(fd, &reply, sizeof(reply), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n != (ssize_t)sizeof(reply) ||
		    reply.magic != FILTER_CHANNEL_MAGIC ||
		    reply.version != FILTER_CHANNEL_VERSION) {
			snprintf(why, whylen, "%s: the filter's answer: %s",
			    device, n < 0 ? strerror(errno) :
			    "malformed or connection closed");
			return -1;
		}
		/* A late answer to an earlier filter: passed over. */
		if (reply.generation != generation)
			continue;
		reply.message[sizeof(reply.message) - 1] = '\0';
		*compiled = reply.compiled_taps;
		snprintf(why, whylen, "%s", reply.message);
		return 0;
	}
}
