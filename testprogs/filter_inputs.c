/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "filter_inputs.h"

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "%s: %s\n", what, detail);
	exit(2);
}

/*
 * Adds up to per_file Ethernet frames of the capture at path (those of
 * 14 to FILTER_INPUT_MAX_FRAME captured bytes), while there is room.
 * Captures of other link types are passed over.
 */
void
test_frames_load(struct test_frames *frames, const char *path, int per_file)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	pcap_t *f = pcap_open_offline(path, err);
	int taken = 0;

	if (f == NULL)
		die(path, err);
	if (frames->frame == NULL &&
	    (frames->frame = calloc((size_t)frames->max,
	    sizeof(*frames->frame))) == NULL)
		die("malloc", strerror(errno));
	if (pcap_datalink(f) != DLT_EN10MB) {
		pcap_close(f);
		return;
	}
	while (frames->count < frames->max && taken < per_file &&
	    pcap_next_ex(f, &h, &bytes) == 1) {
		struct test_frame *t = &frames->frame[frames->count];

		if (h->caplen < 14 || h->caplen > FILTER_INPUT_MAX_FRAME)
			continue;
		if ((t->bytes = malloc(h->caplen)) == NULL)
			die("malloc", strerror(errno));
		memcpy(t->bytes, bytes, h->caplen);
		t->len = h->caplen;
		t->wire_len = h->len;
		frames->count++;
		taken++;
	}
	pcap_close(f);
}

/* The expressions of the file at path, one a line; # starts a comment. */
int
test_expressions_read(const char *path, char ***out)
{
	FILE *f = fopen(path, "r");
	char line[512];
	char **list = NULL;
	int n = 0;

	if (f == NULL)
		die(path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		list = realloc(list, (size_t)(n + 1) * sizeof(*list));
		if (list == NULL || (list[n] = strdup(line)) == NULL)
			die("malloc", strerror(errno));
		n++;
	}
	fclose(f);
	*out = list;
	return n;
}
