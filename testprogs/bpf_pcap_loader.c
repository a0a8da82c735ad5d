/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loads an example bpf_pcap() program for the tests, as a user would:
 * attaches each of its programs (XDP and tc to INTERFACE, tracing
 * programs to their target), pins the first program as PIN_DIR/prog and
 * the maps as PIN_DIR/MAP, prints "prog ID" and waits for SIGTERM or
 * SIGINT, then takes everything down.
 *
 * usage: bpf_pcap_loader OBJECT INTERFACE PIN_DIR [OPTION...]
 *   ring=BYTES  the ring buffer map's size, set before loading
 *   consume     the loader reads its own output map (a ring buffer with
 *               libbpf's ring_buffer, a perf event array with its
 *               perf_buffer), as a program that has its own reader does,
 *               printing "record LENGTH" for each record and "lost N"
 *               for samples a perf ring lost.  SIGUSR1 starts the same
 *               reader later.
 * The tests use these to share a ring or an array with a capture.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t stop, start_reader;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		start_reader = 1;
	else
		stop = 1;
}

/* The program's own reader of its output map. */
struct own_reader {
	struct ring_buffer *ring;
	struct perf_buffer *perf;
};

static int
on_ring_record(void *ctx, void *data, size_t len)
{
	(void)ctx;
	(void)data;
	printf("record %zu\n", len);
	fflush(stdout);
	return 0;
}

static void
on_perf_record(void *ctx, int cpu, void *data, __u32 len)
{
	(void)cpu;
	on_ring_record(ctx, data, len);
}

static void
on_perf_lost(void *ctx, int cpu, __u64 count)
{
	(void)ctx;
	(void)cpu;
	printf("lost %llu\n", (unsigned long long)count);
	fflush(stdout);
}

static struct bpf_map *
output_map(struct bpf_object *obj, enum bpf_map_type type)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
		if (bpf_map__type(map) == type)
			return map;
	return NULL;
}

static int
own_reader_start(struct own_reader *r, struct bpf_object *obj)
{
	struct bpf_map *map;

	if ((map = output_map(obj, BPF_MAP_TYPE_RINGBUF)) != NULL)
		r->ring = ring_buffer__new(bpf_map__fd(map), on_ring_record,
		    NULL, NULL);
	else if ((map = output_map(obj, BPF_MAP_TYPE_PERF_EVENT_ARRAY)) != NULL)
		r->perf = perf_buffer__new(bpf_map__fd(map), 8, on_perf_record,
		    on_perf_lost, NULL, NULL);
	if (r->ring == NULL && r->perf == NULL) {
		fprintf(stderr, "bpf_pcap_loader: starting its own reader: %s\n",
		    map == NULL ? "no output map" : strerror(errno));
		return -1;
	}
	printf("reader started\n");
	fflush(stdout);
	return 0;
}

/* Waits for a signal, reading the output map meanwhile if asked to. */
static void
own_reader_poll(struct own_reader *r)
{
	if (r->ring != NULL)
		ring_buffer__poll(r->ring, 100);
	else if (r->perf != NULL)
		perf_buffer__poll(r->perf, 100);
	else
		poll(NULL, 0, 100);
}

int
main(int argc, char **argv)
{
	struct bpf_link *links[8];
	uint32_t ids[8];
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct own_reader reader;
	char path[256];
	int nlinks = 0, ifindex, first = 1, tc = 0, consume = 0, i;
	long ring_bytes = 0;
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, tc_opts, .handle = 1, .priority = 1);

	if (argc < 4) {
		fprintf(stderr, "usage: bpf_pcap_loader OBJECT INTERFACE PIN_DIR"
		    " [ring=BYTES] [consume]\n");
		return 2;
	}
	for (i = 4; i < argc; i++) {
		if (strncmp(argv[i], "ring=", 5) == 0)
			ring_bytes = strtol(argv[i] + 5, NULL, 0);
		else if (strcmp(argv[i], "consume") == 0)
			consume = 1;
		else {
			fprintf(stderr, "bpf_pcap_loader: unknown option %s\n",
			    argv[i]);
			return 2;
		}
	}
	memset(&reader, 0, sizeof(reader));
	ifindex = (int)if_nametoindex(argv[2]);
	obj = bpf_object__open_file(argv[1], NULL);
	if (obj != NULL && ring_bytes > 0) {
		struct bpf_map *ring = output_map(obj, BPF_MAP_TYPE_RINGBUF);

		if (ring == NULL ||
		    bpf_map__set_max_entries(ring, (__u32)ring_bytes) != 0) {
			fprintf(stderr, "bpf_pcap_loader: ring=%ld: no ring"
			    " buffer map to resize\n", ring_bytes);
			return 1;
		}
	}
	if (obj == NULL || bpf_object__load(obj) != 0) {
		fprintf(stderr, "bpf_pcap_loader: loading %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (nlinks == 8)
			break;
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		enum bpf_prog_type type = bpf_program__type(prog);

		if (type == BPF_PROG_TYPE_XDP) {
			links[nlinks] = bpf_program__attach_xdp(prog, ifindex);
		} else if (type == BPF_PROG_TYPE_SCHED_CLS) {
			hook.ifindex = ifindex;
			bpf_tc_hook_create(&hook);	/* EEXIST is fine */
			tc_opts.prog_fd = bpf_program__fd(prog);
			if (bpf_tc_attach(&hook, &tc_opts) != 0) {
				fprintf(stderr, "bpf_pcap_loader: tc attach: %s\n",
				    strerror(errno));
				return 1;
			}
			tc = 1;
			links[nlinks] = NULL;
		} else {
			links[nlinks] = bpf_program__attach(prog);
		}
		if (type != BPF_PROG_TYPE_SCHED_CLS && links[nlinks] == NULL) {
			fprintf(stderr, "bpf_pcap_loader: attaching %s: %s\n",
			    bpf_program__name(prog), strerror(errno));
			return 1;
		}
		nlinks++;
		memset(&info, 0, sizeof(info));
		bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len);
		if (first) {
			snprintf(path, sizeof(path), "%s/prog", argv[3]);
			if (bpf_program__pin(prog, path) != 0) {
				fprintf(stderr, "bpf_pcap_loader: pinning %s: %s\n",
				    path, strerror(errno));
				return 1;
			}
			first = 0;
		}
		ids[nlinks - 1] = info.id;
	}
	if (bpf_object__pin_maps(obj, argv[3]) != 0) {
		fprintf(stderr, "bpf_pcap_loader: pinning maps: %s\n",
		    strerror(errno));
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_signal);
	if (consume && own_reader_start(&reader, obj) != 0)
		return 1;
	/* Said once everything is in place: the tests wait for it. */
	for (i = 0; i < nlinks; i++)
		printf("prog %u\n", ids[i]);
	fflush(stdout);
	while (!stop) {
		if (start_reader && reader.ring == NULL && reader.perf == NULL &&
		    own_reader_start(&reader, obj) != 0)
			return 1;
		start_reader = 0;
		own_reader_poll(&reader);
	}
	ring_buffer__free(reader.ring);
	perf_buffer__free(reader.perf);

	for (i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	if (tc) {
		tc_opts.prog_fd = tc_opts.prog_id = tc_opts.flags = 0;
		bpf_tc_detach(&hook, &tc_opts);
		bpf_tc_hook_destroy(&hook);
	}
	bpf_object__unpin_maps(obj, argv[3]);
	snprintf(path, sizeof(path), "%s/prog", argv[3]);
	unlink(path);
	bpf_object__close(obj);
	return 0;
}
