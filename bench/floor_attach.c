/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attaches one of bench/floor.bpf.c's empty programs where the probe
 * attaches (tc: a tcx link, Linux 6.6; XDP: an XDP link; the tracepoint:
 * tp_btf) and holds it until a signal ends the process (the kernel closes
 * the link then, which detaches it).  The benchmark reads the program's
 * bpf_stats through this process's descriptors, as it reads a capture's.
 *
 * usage: floor_attach OBJECT tc|xdp DEVICE
 *        floor_attach OBJECT tp
 * prints "ready" once attached.
 */
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* enum bpf_attach_type's tcx ingress (Linux 6.6), newer than some headers. */
#define ATTACH_TCX_INGRESS	46

/* The kernel closes the link at exit, which detaches the program. */
static void
on_signal(int sig)
{
	(void)sig;
	_exit(0);
}

int
main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	const char *hook, *name;
	unsigned int ifindex = 0;
	int link_fd = -1;

	if (argc < 3 || (strcmp(argv[2], "tp") != 0 && argc != 4)) {
		fprintf(stderr, "usage: floor_attach OBJECT tc|xdp DEVICE | "
		    "floor_attach OBJECT tp\n");
		return 2;
	}
	hook = argv[2];
	if (strcmp(hook, "tc") == 0)
		name = "floor_tc";
	else if (strcmp(hook, "xdp") == 0)
		name = "floor_xdp";
	else if (strcmp(hook, "tp") == 0)
		name = "floor_tp";
	else {
		fprintf(stderr, "floor_attach: hook %s: use tc, xdp or tp\n",
		    hook);
		return 2;
	}
	if (argc == 4 && (ifindex = if_nametoindex(argv[3])) == 0) {
		fprintf(stderr, "floor_attach: no interface %s here\n", argv[3]);
		return 1;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (obj == NULL) {
		fprintf(stderr, "floor_attach: cannot open %s\n", argv[1]);
		return 1;
	}
	/* Only the one program is loaded: the others stay out of bpf_stats. */
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog,
		    strcmp(bpf_program__name(prog), name) == 0);
	if (bpf_object__load(obj) != 0) {
		fprintf(stderr, "floor_attach: cannot load %s\n", argv[1]);
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, name);
	if (strcmp(hook, "tc") == 0)
		link_fd = bpf_link_create(bpf_program__fd(prog), (int)ifindex,
		    ATTACH_TCX_INGRESS, NULL);
	else if (strcmp(hook, "xdp") == 0)
		link = bpf_program__attach_xdp(prog, (int)ifindex);
	else
		link = bpf_program__attach_trace(prog);
	if (link == NULL && link_fd < 0) {
		fprintf(stderr, "floor_attach: cannot attach %s at %s\n", name,
		    hook);
		return 1;
	}
	/*
	 * Background jobs of a shell start with SIGINT ignored: a handler
	 * of our own makes it end us.
	 */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
