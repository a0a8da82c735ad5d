/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The broker's policy file; see the header.  The file is root's, but it is
 * parsed as carefully as a request: bounded lines, known keys only, and a
 * mistake names its line.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpftrace-broker-policy.h"
#include "bpftrace-tap-name.h"

#define LINE_MAX_BYTES	512

_Static_assert(TAP_FAMILY_COUNT <= 32, "a policy's families are 32 bits");

void
broker_policy_defaults(struct broker_policy *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->groups[0], POLICY_NAME_MAX, "wireshark");
	p->group_count = 1;
	for (int f = 0; f < TAP_FAMILY_COUNT; f++)
		if (bpftrace_tap_family_brokered((enum tap_family)f))
			p->families |= 1u << f;
	p->max_captures_per_user = 16;
	p->max_ring_bytes_per_user = (uint64_t)256 << 20;
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int
parse_families(char *value, uint32_t *families)
{
	char *word, *save = NULL;
	enum tap_family f;

	*families = 0;
	for (word = strtok_r(value, " \t,", &save); word != NULL;
	    word = strtok_r(NULL, " \t,", &save)) {
		if (bpftrace_tap_family_find(word, &f) != 0)
			return -1;
		*families |= 1u << f;
	}
	return 0;
}

static int
parse_groups(char *value, struct broker_policy *p)
{
	char *word, *save = NULL;

	p->group_count = 0;
	for (word = strtok_r(value, " \t,", &save); word != NULL;
	    word = strtok_r(NULL, " \t,", &save)) {
		if (p->group_count == POLICY_GROUPS_MAX ||
		    strlen(word) >= POLICY_NAME_MAX)
			return -1;
		snprintf(p->groups[p->group_count++], POLICY_NAME_MAX, "%s",
		    word);
	}
	return 0;
}

static int
parse_number(const char *value, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*value))
		return -1;
	v = strtoull(value, &end, 10);
	if (*end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_line(char *line, struct broker_policy *p)
{
	char *eq = strchr(line, '='), *key, *value;
	uint64_t n;

	if (eq == NULL)
		return -1;
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	if (strcmp(key, "groups") == 0)
		return parse_groups(value, p);
	if (strcmp(key, "families") == 0)
		return parse_families(value, &p->families);
	if (strcmp(key, "max_captures_per_user") == 0) {
		if (parse_number(value, 4096, &n) != 0)
			return -1;
		p->max_captures_per_user = (unsigned int)n;
		return 0;
	}
	if (strcmp(key, "max_ring_bytes_per_user") == 0)
		return parse_number(value, (uint64_t)1 << 40,
		    &p->max_ring_bytes_per_user);
	return -1;
}

/* Starts from the defaults; a bad line is an error, naming its number. */
int
broker_policy_parse(const char *text, size_t len, struct broker_policy *p,
    char *err, size_t errlen)
{
	char line[LINE_MAX_BYTES];
	size_t at = 0;
	int number = 0;

	broker_policy_defaults(p);
	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl != NULL ? (size_t)(nl - (text + at)) : len - at;
		char *s;

		number++;
		if (n >= sizeof(line)) {
			snprintf(err, errlen, "line %d: too long", number);
			return -1;
		}
		memcpy(line, text + at, n);
		line[n] = '\0';
		at += n + (nl != NULL);
		if (memchr(line, '\0', n) != NULL) {
			snprintf(err, errlen, "line %d: a NUL byte", number);
			return -1;
		}
		if ((s = strchr(line, '#')) != NULL)
			*s = '\0';
		s = trim(line);
		if (*s == '\0')
			continue;
		if (parse_line(s, p) != 0) {
			snprintf(err, errlen, "line %d: not understood (keys:"
			    " groups, families, max_captures_per_user,"
			    " max_ring_bytes_per_user)", number);
			return -1;
		}
	}
	return 0;
}

void
broker_policy_describe_families(uint32_t families, char *buf, size_t len)
{
	size_t used = 0;
	int f;

	buf[0] = '\0';
	for (f = 0; f < TAP_FAMILY_COUNT && used < len; f++)
		if (families & (1u << f))
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
			    used ? " " : "",
			    bpftrace_tap_family_name((enum tap_family)f));
}
