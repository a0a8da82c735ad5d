/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keeps libbpf quiet unless PCAP_BPF_DEBUG is set; see the header.
 */
#define _GNU_SOURCE		/* secure_getenv */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpftrace-libbpf-log.h"

/*
 * libbpf's print function is one for the process; what it keeps belongs
 * to the thread that asked (libpcap handles may be opened in several).
 */
static __thread char *first_warning;
static __thread size_t first_warning_len;

/* "libbpf: prog 'x': failed ...\n" as one line without its prefix. */
static void
keep_warning(const char *fmt, va_list ap)
{
	char line[512], *c = line;
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (strncmp(c, "libbpf: ", 8) == 0)
		c += 8;
	n = strcspn(c, "\n");
	c[n] = '\0';
	for (char *d = c; *d != '\0'; d++)
		if ((unsigned char)*d < 0x20 || *d == 0x7f)
			*d = ' ';
	if (n == 0)
		return;
	snprintf(first_warning, first_warning_len, "%s", c);
	first_warning = NULL;		/* the first only */
}

static int
libbpf_message(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN && first_warning != NULL) {
		va_list copy;

		va_copy(copy, ap);
		keep_warning(fmt, copy);
		va_end(copy);
	}
	if (level == LIBBPF_DEBUG || secure_getenv("PCAP_BPF_DEBUG") == NULL)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

libbpf_print_fn_t
bpftrace_libbpf_log_quiet(void)
{
	first_warning = NULL;
	return libbpf_set_print(libbpf_message);
}

/* Quiet, and the first warning into warning ("" if none comes). */
libbpf_print_fn_t
bpftrace_libbpf_log_keep_first(char *warning, size_t len)
{
	warning[0] = '\0';
	first_warning = warning;
	first_warning_len = len;
	return libbpf_set_print(libbpf_message);
}

void
bpftrace_libbpf_log_restore(libbpf_print_fn_t previous)
{
	first_warning = NULL;
	libbpf_set_print(previous);
}
