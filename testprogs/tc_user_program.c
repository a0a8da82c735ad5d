/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attaches a user's tc program (the first of OBJECT) to a hook as a user
 * would, with a tcx link or a clsact filter of the given priority, prints
 * "attached" and keeps it there until SIGTERM or SIGINT: the tests put
 * it at a hook and capture before and after it.
 *
 * usage: tc_user_program OBJECT INTERFACE ingress|egress tcx|clsact:PRIO
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define TCX_INGRESS	46	/* enum bpf_attach_type, Linux 6.6 */
#define TCX_EGRESS	47

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
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, filter);
	struct bpf_object *obj;
	struct bpf_program *prog;
	int ifindex, egress, link = -1, error;
	long prio = 0;

	if (argc != 5 || (strcmp(argv[4], "tcx") != 0 &&
	    strncmp(argv[4], "clsact:", 7) != 0)) {
		fprintf(stderr, "usage: tc_user_program OBJECT INTERFACE"
		    " ingress|egress tcx|clsact:PRIO\n");
		return 2;
	}
	if ((ifindex = (int)if_nametoindex(argv[2])) == 0) {
		fprintf(stderr, "tc_user_program: %s: %s\n", argv[2],
		    strerror(errno));
		return 1;
	}
	egress = strcmp(argv[3], "egress") == 0;
	obj = bpf_object__open_file(argv[1], NULL);
	if (obj == NULL || bpf_object__load(obj) != 0 ||
	    (prog = bpf_object__next_program(obj, NULL)) == NULL) {
		fprintf(stderr, "tc_user_program: loading %s failed\n", argv[1]);
		return 1;
	}
	if (strcmp(argv[4], "tcx") == 0) {
		link = bpf_link_create(bpf_program__fd(prog), ifindex,
		    egress ? TCX_EGRESS : TCX_INGRESS, NULL);
		error = link < 0 ? link : 0;
	} else {
		prio = strtol(argv[4] + 7, NULL, 10);
		hook.ifindex = ifindex;
		hook.attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS;
		bpf_tc_hook_create(&hook);	/* EEXIST is fine */
		filter.prog_fd = bpf_program__fd(prog);
		filter.priority = (__u32)prio;
		error = bpf_tc_attach(&hook, &filter);
	}
	if (error != 0) {
		fprintf(stderr, "tc_user_program: attaching: %s\n",
		    strerror(-error));
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		sleep(1);
	if (link >= 0)
		close(link);
	else {
		filter.prog_fd = filter.prog_id = filter.flags = 0;
		bpf_tc_detach(&hook, &filter);
	}
	bpf_object__close(obj);
	return 0;
}
