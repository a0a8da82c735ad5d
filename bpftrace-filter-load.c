/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The privileged half of the compiled filter: loads the translation of a
 * classic program as a program of the probe's own type (a program array
 * takes only those) and swaps it into the probe's programs map in one
 * update, so that a packet meets either the old filter or the new one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpftrace-filter-compile.h"
#include "bpftrace-filter-load.h"
#include "bpftrace-libbpf-log.h"

/*
 * Room for the verifier's account of a refusal.  Kernels from 6.4 keep
 * its end when it overflows (where the reason is); older ones its start.
 */
#define VERIFIER_LOG_SIZE	(4u << 20)

/*
 * The verifier's reason: the last line of its log that is not one of
 * the statistics it prints after it.
 */
static void
verifier_reason(char *log, char *why, size_t whylen, int error)
{
	static const char *const statistics[] = {
		"processed ", "verification time", "stack depth",
		"max_states_per_insn", "mark_read", NULL
	};
	char *line, *reason = NULL, *save = NULL;
	int i;

	for (line = strtok_r(log, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		for (i = 0; statistics[i] != NULL; i++)
			if (strncmp(line, statistics[i],
			    strlen(statistics[i])) == 0)
				break;
		if (statistics[i] == NULL && line[0] != '\0')
			reason = line;
	}
	if (reason != NULL)
		snprintf(why, whylen, "the verifier refused the compiled "
		    "filter: %s (%s)", reason, strerror(error));
	else
		snprintf(why, whylen, "the kernel refused the compiled "
		    "filter: %s", strerror(error));
}

/*
 * Compiles insns for the probe t describes and installs the result at
 * FILTER_SLOT_COMPILED of its programs map.  Returns 0, or -1 with the
 * reason in why (the probe then goes on with the program it had).
 */
int
bpftrace_filter_load(const struct filter_target *t,
    const struct filter_insn *insns, u_int len, uint32_t generation,
    char *why, size_t whylen)
{
	struct bpftrace_ebpf_insn *code;
	uint32_t slot = FILTER_SLOT_COMPILED;
	libbpf_print_fn_t previous;
	char *log = NULL;
	u_int code_len;
	int fd, error, status = -1;

	code = calloc(BPFTRACE_FILTER_EBPF_MAX, sizeof(*code));
	log = malloc(VERIFIER_LOG_SIZE);
	if (code == NULL || log == NULL) {
		snprintf(why, whylen, "out of memory");
		goto done;
	}
	if (bpftrace_filter_compile(t, insns, len, generation, code,
	    &code_len, why, whylen) != 0)
		goto done;
	log[0] = '\0';
	{
		/* libbpf loads again with a log when the first load fails. */
		LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type =
			(enum bpf_attach_type)t->expected_attach_type,
		    .attach_btf_id = t->attach_btf_id,
		    .attach_btf_obj_fd = t->attach_btf_obj_fd,
		    .attach_prog_fd = t->attach_prog_fd,
		    .prog_flags = t->xdp_frags ? BPF_F_XDP_HAS_FRAGS : 0,
		    .log_buf = log, .log_size = VERIFIER_LOG_SIZE);

		previous = bpftrace_libbpf_log_quiet();
		fd = bpf_prog_load((enum bpf_prog_type)t->prog_type,
		    "pcap_filter", "Dual BSD/GPL",
		    (const struct bpf_insn *)code, code_len, &opts);
		error = errno;
		bpftrace_libbpf_log_restore(previous);
	}
	if (fd < 0) {
		verifier_reason(log, why, whylen, error);
		goto done;
	}
	/* One update: the probe's next tail call finds the new filter. */
	if (bpf_map_update_elem(t->programs_map_fd, &slot, &fd, BPF_ANY) != 0) {
		snprintf(why, whylen, "installing the compiled filter: %s",
		    strerror(errno));
		close(fd);
		goto done;
	}
	close(fd);		/* the programs map holds it */
	status = 0;
done:
	free(code);
	free(log);
	return status;
}
