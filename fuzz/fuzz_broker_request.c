/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: what the capture broker does with a client's bytes
 * before any kernel work.  The request parser takes any bytes; what it
 * accepts goes on, as in the broker, to the device-name grammar.  Besides
 * the sanitizers' checks, each parser's promises are checked
 * (fuzz_promise.h):
 *
 *   bpftrace_broker_request_parse  accepts only what bpftrace_broker_request_encode turns
 *                         back into the same bytes: a device name of
 *                         1 .. BROKER_DEVICE_MAX bytes, the numbers in
 *                         range; a refusal leaves a one-line reason
 *   bpftrace_tap_specs_parse       1 .. TAPS_MAX taps, each of a known family,
     with
 *                         terminated names and arguments in range; a
 *                         refusal leaves a reason and no taps
 */
#include <stdint.h>
#include <string.h>

#include "bpftrace-broker-protocol.h"
#include "bpftrace-status.h"
#include "bpftrace-tap-name.h"
#include "fuzz_promise.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The broker's message buffer (err in serve()). */
#define ERR_LEN		BROKER_MESSAGE_MAX

static void
check_reason(const char *err, const char *what)
{
	if (memchr(err, '\0', ERR_LEN) == NULL || err[0] == '\0')
		promise_broken(what);
}

static void
check_terminated(const char *s, size_t size, const char *what)
{
	if (memchr(s, '\0', size) == NULL)
		promise_broken(what);
}

static void
check_request(const uint8_t *data, size_t size,
    const struct broker_request *req)
{
	static unsigned char again[sizeof(struct broker_request_wire) +
	    BROKER_DEVICE_MAX];
	size_t device_len = strlen(req->device);

	if (device_len == 0 || device_len > BROKER_DEVICE_MAX)
		promise_broken("accepted request: device name length");
	if (req->snaplen == 0 || req->snaplen > BROKER_SNAPLEN_MAX ||
	    req->ring_bytes > BROKER_RING_BYTES_MAX)
		promise_broken("accepted request: snaplen or ring size");
	if (bpftrace_broker_request_encode(req, again, sizeof(again)) != size ||
	    memcmp(again, data, size) != 0)
		promise_broken("accepted request: not what it encodes to");
}

static void
check_specs(const struct tap_spec *specs, char devices[][TAP_DEVICE_MAX],
    int count)
{
	int i;

	if (count < 1 || count > TAPS_MAX)
		promise_broken("accepted device name: tap count");
	for (i = 0; i < count; i++) {
		const struct tap_spec *s = &specs[i];

		check_terminated(devices[i], TAP_DEVICE_MAX,
		    "tap's own name unterminated");
		if (!bpftrace_tap_name_is_ours(devices[i]))
			promise_broken("tap's own name lacks bpf:");
		if (strcmp(bpftrace_tap_family_name(s->family), "?") == 0)
			promise_broken("tap of no known family");
		check_terminated(s->category, sizeof(s->category),
		    "tap's category unterminated");
		check_terminated(s->name, sizeof(s->name),
		    "tap's name unterminated");
		if (s->name[0] == '\0')
			promise_broken("tap without a name");
		if (s->skb_arg_index != TAP_ARG_FROM_BTF &&
		    (s->skb_arg_index < 0 || s->skb_arg_index >= TAP_MAX_ARGS))
			promise_broken("tap's argument out of range");
		if (s->hooks != TAP_HOOKS_BOTH &&
		    s->hooks != TAP_HOOKS_INGRESS &&
		    s->hooks != TAP_HOOKS_EGRESS)
			promise_broken("tap's tc hooks unknown");
		if ((s->family == TAP_FAMILY_TC ||
		    s->family == TAP_FAMILY_XDP) &&
		    strlen(s->name) >= TAP_IFNAME_MAX)
			promise_broken("interface name too long");
		if (s->family == TAP_FAMILY_PROG && s->prog_id == 0)
			promise_broken("program id 0");
		if (count > 1 && (s->family == TAP_FAMILY_PROG ||
		    s->family == TAP_FAMILY_PINNED ||
		    s->family == TAP_FAMILY_OBJECT))
			promise_broken("prog, pinned or object tap joined with"
			    " others");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct broker_request req;
	static struct tap_spec specs[TAPS_MAX];
	static char devices[TAPS_MAX][TAP_DEVICE_MAX];
	char err[ERR_LEN];
	int count = -1, status;

	memset(err, 'x', sizeof(err));
	if (bpftrace_broker_request_parse(data, size, &req, err,
	    sizeof(err)) != 0) {
		check_reason(err, "refused request: no reason");
		return 0;
	}
	check_request(data, size, &req);

	memset(err, 'x', sizeof(err));
	status = bpftrace_tap_specs_parse(req.device, specs, devices, &count,
	    NULL, err,
	    sizeof(err));
	if (status != TAP_OK) {
		if (status != TAP_NO_SUCH_TAP || count != 0)
			promise_broken("refused device name: status or count");
		check_reason(err, "refused device name: no reason");
		return 0;
	}
	check_specs(specs, devices, count);
	return 0;
}
