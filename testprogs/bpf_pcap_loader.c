/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loads an example bpf_pcap() program for the tests, as a user would:
 * attaches each of its programs (XDP and tc to INTERFACE, tracing
 * programs to their target), pins the first program as PIN_DIR/prog and
 * the maps as PIN_DIR/MAP, prints "prog ID" and waits for SIGTERM or
 * SIGINT, then takes everything down.
 *
 * usage: bpf_pcap_loader OBJECT INTERFACE PIN_DIR
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	struct bpf_link *links[8];
	uint32_t ids[8];
	struct bpf_object *obj;
	struct bpf_program *prog;
	char path[256];
	int nlinks = 0, ifindex, first = 1, tc = 0, i;
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, tc_opts, .handle = 1, .priority = 1);

	if (argc != 4) {
		fprintf(stderr, "usage: bpf_pcap_loader OBJECT INTERFACE PIN_DIR\n");
		return 2;
	}
	ifindex = (int)if_nametoindex(argv[2]);
	obj = bpf_object__open_file(argv[1], NULL);
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
	/* Said once everything is in place: the tests wait for it. */
	for (i = 0; i < nlinks; i++)
		printf("prog %u\n", ids[i]);
	fflush(stdout);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop)
		pause();

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
