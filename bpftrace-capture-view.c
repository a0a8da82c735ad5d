/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A tap's probe as the reading side sees it; see the header.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "bpftrace-capture-view.h"

#define MAP_TYPE_RINGBUF	27	/* BPF_MAP_TYPE_RINGBUF */
#define MAP_TYPE_ARRAY		2	/* BPF_MAP_TYPE_ARRAY */

/*
 * A BPF map's type and sizes from /proc/self/fdinfo, which needs no
 * privilege and no bpf() call.  0; -1 if fd is no BPF map (errno 0), or
 * if its fdinfo cannot be read (errno says why: descriptors run out).
 */
static int
map_shape(int fd, unsigned int *type, unsigned long *value_size,
    unsigned long *max_entries)
{
	char path[64], line[128];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "map_type: %u", type) == 1)
			found |= 1;
		else if (sscanf(line, "value_size: %lu", value_size) == 1)
			found |= 2;
		else if (sscanf(line, "max_entries: %lu", max_entries) == 1)
			found |= 4;
	}
	fclose(f);
	errno = 0;
	return found == 7 ? 0 : -1;
}

/*
 * Whether fd is a map of the type and value size (0: any) or number of
 * entries (0: any) given.  0, or -1 with what is wrong in err.
 */
static int
map_is(int fd, unsigned int want_type, unsigned long want_value_size,
    unsigned long want_entries, const char *what, char *err, size_t errlen)
{
	unsigned int type;
	unsigned long value_size, entries;

	if (map_shape(fd, &type, &value_size, &entries) != 0) {
		if (errno != 0)
			snprintf(err, errlen, "reading what the granted %s is:"
			    " %s", what, strerror(errno));
		else
			snprintf(err, errlen, "the granted %s is no BPF map",
			    what);
		return -1;
	}
	if (type != want_type ||
	    (want_value_size != 0 && value_size != want_value_size) ||
	    (want_entries != 0 && entries != want_entries)) {
		snprintf(err, errlen, "the granted %s is not the map it was"
		    " said to be", what);
		return -1;
	}
	return 0;
}

/*
 * Whether the grant's descriptors are the maps it says, of the sizes it
 * says: the ring reader and the views map them by these sizes, so a grant
 * that got them wrong (a broker of another build) must not be believed.
 */
int
bpftrace_capture_grant_verify(const struct capture_grant *g, char *err,
    size_t errlen)
{
	char what[64];
	uint32_t i;

	snprintf(what, sizeof(what), "ring (a ring buffer of %llu bytes)",
	    (unsigned long long)g->ring_bytes);
	if (map_is(g->ring_fd, MAP_TYPE_RINGBUF, 0, g->ring_bytes == 0 ? 1 :
	    g->ring_bytes, what, err, errlen) != 0)
		return -1;
	for (i = 0; i < g->tap_count && i < TAPS_MAX; i++) {
		const struct tap_grant *t = &g->taps[i];

		snprintf(what, sizeof(what), "settings of tap %u", i + 1);
		if (map_is(t->data_fd, MAP_TYPE_ARRAY, t->data_size == 0 ? 1 :
		    t->data_size, 0, what, err, errlen) != 0)
			return -1;
		snprintf(what, sizeof(what), "counters of tap %u", i + 1);
		if (map_is(t->bss_fd, MAP_TYPE_ARRAY, t->bss_size == 0 ? 1 :
		    t->bss_size, 0, what, err, errlen) != 0)
			return -1;
	}
	return 0;
}

void
bpftrace_tap_view_init(struct tap_view *v)
{
	int l;

	memset(v, 0, sizeof(*v));
	v->data_fd = v->bss_fd = -1;
	for (l = 0; l < GRANT_LINKS_MAX; l++)
		v->link_fds[l] = -1;
	for (l = 0; l < GRANT_PROGS_MAX; l++)
		v->prog_fds[l] = -1;
	bpftrace_tc_guardian_init(&v->guardian);
}

/* Whether [offset, offset + size) lies inside a map of map_size bytes. */
static int
fits(uint32_t offset, size_t size, uint32_t map_size)
{
	return (uint64_t)offset + size <= map_size;
}

static void *
map_knobs(int fd, uint32_t size, size_t *len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *p;

	*len = ((size_t)size + page - 1) & ~(page - 1);
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

/*
 * Takes over a tap's attachments (links, the clsact guardian's pipes)
 * from a grant: the capture runs from here on.
 */
static void
adopt_links(struct tap_view *v, struct tap_grant *g)
{
	int l;

	for (l = 0; l < GRANT_LINKS_MAX; l++) {
		if (v->link_fds[l] >= 0)
			close(v->link_fds[l]);
		v->link_fds[l] = g->link_fds[l];
		g->link_fds[l] = -1;
	}
	for (l = 0; l < GRANT_PROGS_MAX; l++) {
		if (v->prog_fds[l] >= 0)
			close(v->prog_fds[l]);
		v->prog_fds[l] = g->prog_fds[l];
		g->prog_fds[l] = -1;
	}
	if (g->guardian_watch_fd >= 0 || g->guardian_done_fd >= 0) {
		bpftrace_tc_guardian_stop(&v->guardian);
		bpftrace_tc_guardian_adopt(&v->guardian, g->guardian_watch_fd,
		    g->guardian_done_fd);
	}
	g->guardian_watch_fd = g->guardian_done_fd = -1;
	v->mechanism = g->mechanism;
}

/*
 * Takes over the grant's descriptors for one tap (the grant's entries
 * become -1) and maps its knobs.  The layout comes from the grant and is
 * checked, not assumed: a broker of another build must not make this
 * side write outside its maps.
 */
int
bpftrace_tap_view_open(struct tap_view *v, struct tap_grant *g, char *err,
    size_t errlen)
{
	bpftrace_tap_view_init(v);
	v->data_fd = g->data_fd;
	v->bss_fd = g->bss_fd;
	g->data_fd = g->bss_fd = -1;
	adopt_links(v, g);

	if (v->data_fd < 0 || v->bss_fd < 0 ||
	    !fits(g->settings_offset, sizeof(struct capture_settings),
	    g->data_size) ||
	    !fits(g->counters_offset, CAPTURE_COUNTER_SLOTS *
	    sizeof(struct capture_counters), g->bss_size) ||
	    !fits(g->filter_offset, sizeof(struct capture_filter),
	        g->bss_size) ||
	    g->settings_offset % 8 || g->counters_offset % 8 ||
	    g->filter_offset % 8) {
		snprintf(err, errlen, "the probe's settings are not laid out as"
		    " this library expects (a capture broker of another"
		    " version?)");
		return -1;
	}
	/* Each failure reported with its own errno, before anything runs. */
	if ((v->data_map = map_knobs(v->data_fd, g->data_size,
	    &v->data_len)) == NULL ||
	    (v->bss_map = map_knobs(v->bss_fd, g->bss_size,
	    &v->bss_len)) == NULL) {
		snprintf(err, errlen, "mapping the probe's %s: %s",
		    v->data_map == NULL ? "settings" : "counters",
		    strerror(errno));
		return -1;
	}
	v->settings = (struct capture_settings *)((char *)v->data_map +
	    g->settings_offset);
	v->counters = (const struct capture_counters *)((char *)v->bss_map +
	    g->counters_offset);
	v->filter = (struct capture_filter *)((char *)v->bss_map +
	    g->filter_offset);
	return 0;
}

/*
 * The runs of a program the kernel skipped because it was running on that
 * CPU already (bpf_prog_inc_misses_counter(): tracing programs, kprobes),
 * from its fdinfo: no bpf() call, so a client of the broker without
 * privileges reads it too.  0 where the kernel does not say.
 */
static uint64_t
program_misses(int fd)
{
	char path[64], line[128];
	unsigned long long misses = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "recursion_misses: %llu", &misses) == 1)
			break;
	fclose(f);
	return misses;
}

void
bpftrace_tap_view_counters(const struct tap_view *v, struct capture_totals *t)
{
	int i;

	memset(t, 0, sizeof(*t));
	if (v->counters == NULL)
		return;
	for (i = 0; i < CAPTURE_COUNTER_SLOTS; i++) {
		t->received += __atomic_load_n(&v->counters[i].received,
		    __ATOMIC_RELAXED);
		t->dropped += __atomic_load_n(&v->counters[i].dropped,
		    __ATOMIC_RELAXED);
		t->rejected += __atomic_load_n(&v->counters[i].rejected,
		    __ATOMIC_RELAXED);
		t->tracked += __atomic_load_n(&v->counters[i].tracked,
		    __ATOMIC_RELAXED);
		t->untracked += __atomic_load_n(&v->counters[i].untracked,
		    __ATOMIC_RELAXED);
		t->segments += __atomic_load_n(&v->counters[i].segments,
		    __ATOMIC_RELAXED);
		t->segments_missed += __atomic_load_n(
		    &v->counters[i].segments_missed, __ATOMIC_RELAXED);
	}
	for (i = 0; i < GRANT_PROGS_MAX; i++)
		if (v->prog_fds[i] >= 0)
			t->skipped += program_misses(v->prog_fds[i]);
}

/*
 * Links first (the probe stops), then the maps; the guardian last, which
 * waits for the clsact filters to go where this process is their last
 * holder.
 */
void
bpftrace_tap_view_close(struct tap_view *v)
{
	int l;

	for (l = 0; l < GRANT_LINKS_MAX; l++)
		if (v->link_fds[l] >= 0)
			close(v->link_fds[l]);
	for (l = 0; l < GRANT_PROGS_MAX; l++)
		if (v->prog_fds[l] >= 0)
			close(v->prog_fds[l]);
	if (v->data_map != NULL)
		munmap(v->data_map, v->data_len);
	if (v->bss_map != NULL)
		munmap(v->bss_map, v->bss_len);
	if (v->data_fd >= 0)
		close(v->data_fd);
	if (v->bss_fd >= 0)
		close(v->bss_fd);
	bpftrace_tc_guardian_stop(&v->guardian);
	bpftrace_tap_view_init(v);
}
