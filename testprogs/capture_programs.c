/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "capture_programs.h"

/*
 * Finds the capture probe's programs among this process's descriptors:
 * those named capture_*, which only the bpf: module loads.
 */
int
capture_programs_find(struct capture_programs *progs)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	progs->count = 0;
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL && progs->count < CAPTURE_PROGRAMS_MAX) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = atoi(e->d_name);
		char path[64], target[64];
		ssize_t n;

		if (e->d_name[0] == '.' || fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, "anon_inode:bpf-prog") != 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0 ||
		    strncmp(info.name, "capture_", 8) != 0)
			continue;
		progs->fd[progs->count] = fd;
		snprintf(progs->name[progs->count], sizeof(progs->name[0]),
		    "%s", info.name);
		progs->count++;
	}
	closedir(d);
	return progs->count > 0 ? 0 : -1;
}

/* One run of the program over packet; its record, if any, is in the ring. */
int
capture_program_run(int fd, const void *packet, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
	    .data_in = packet,
	    .data_size_in = (__u32)len,
	    .repeat = 1);

	return bpf_prog_test_run_opts(fd, &opts);
}

/* Mean nanoseconds of one of repeat runs of the program over packet. */
int
capture_program_time(int fd, const void *packet, size_t len,
    unsigned int repeat, double *ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
	    .data_in = packet,
	    .data_size_in = (__u32)len,
	    .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &opts) != 0)
		return -1;
	*ns = opts.duration;
	return 0;
}
