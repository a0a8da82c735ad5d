/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scoping captures at tracing taps to a network namespace, a cgroup or an
 * interface; see bpftrace-scope.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>
#include <linux/nsfs.h>

#include "bpftrace-scope.h"
#include "bpftrace-status.h"

/*
 * Namespace inode numbers below this are the kernel's fixed ones of its
 * initial namespaces (include/linux/proc_ns.h); every namespace created
 * later gets one from here up.  The initial network namespace has a
 * fixed number since Linux 6.18; the initial PID namespace since 3.8.
 */
#define PROC_DYNAMIC_FIRST	0xF0000000U
#define PROC_PID_INIT_INO	0xEFFFFFFCU

static uint32_t
inode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint32_t)st.st_ino : 0;
}

/*
 * The initial network namespace's inode, 0 when it cannot be told (then
 * every reader counts as outside it: the narrower capture).  Its fixed
 * number where the kernel has one; else, from the initial PID namespace,
 * the namespace of kthreadd (PID 2: kernel threads never leave the
 * initial namespaces, and root may read its namespace links where
 * init's are closed), or of init.
 */
uint32_t
bpftrace_netns_initial_inode(void)
{
	uint32_t own = inode_of("/proc/self/ns/net"), ino;
	char comm[32] = "";
	FILE *f;

	if (own != 0 && own < PROC_DYNAMIC_FIRST)
		return own;
	if (inode_of("/proc/self/ns/pid") != PROC_PID_INIT_INO)
		return 0;
	if ((f = fopen("/proc/2/comm", "re")) != NULL) {
		if (fgets(comm, sizeof(comm), f) == NULL)
			comm[0] = '\0';
		fclose(f);
	}
	if (strcmp(comm, "kthreadd\n") == 0 &&
	    (ino = inode_of("/proc/2/ns/net")) != 0)
		return ino;
	return inode_of("/proc/1/ns/net");
}

static int
errno_status(int error)
{
	return error == EACCES || error == EPERM ? TAP_PERMISSION :
	    TAP_NO_SUCH_TAP;
}

/* A namespace file (or /run/netns/NAME) to its inode, as this process. */
static int
resolve_netns(const char *device, struct capture_scope *scope, char *err,
    size_t errlen)
{
	char path[SCOPE_PATH_MAX + 16];
	struct stat st;
	int fd, type;

	if (scope->netns == SCOPE_NETNS_NAME)
		snprintf(path, sizeof(path), "/run/netns/%s",
		    scope->netns_path);
	else
		snprintf(path, sizeof(path), "%s", scope->netns_path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		int error = errno;

		snprintf(err, errlen, "%s: netns: cannot open %.96s: %s",
		    device, path, strerror(error));
		return errno_status(error);
	}
	type = ioctl(fd, NS_GET_NSTYPE);
	if (fstat(fd, &st) != 0 || type != CLONE_NEWNET) {
		close(fd);
		snprintf(err, errlen, "%s: netns: %.96s is not a network"
		    " namespace (give /proc/PID/ns/net, /run/netns/NAME or"
		    " NAME)", device, path);
		return TAP_NO_SUCH_TAP;
	}
	close(fd);
	scope->netns = SCOPE_NETNS_INODE;
	scope->netns_inode = (uint32_t)st.st_ino;
	return TAP_OK;
}

/* Where this process sees the cgroup v2 hierarchy, from mountinfo. */
static int
cgroup2_mount(char *dir, size_t len)
{
	char line[1024], mount[PATH_MAX];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int found = 0;

	if (f == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *sep = strstr(line, " - ");

		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - TYPE SOURCE ... */
		if (sep != NULL && strncmp(sep, " - cgroup2 ", 11) == 0 &&
		    sscanf(line, "%*s %*s %*s %*s %4095s", mount) == 1 &&
		    strlen(mount) < len) {
			strcpy(dir, mount);
			found = 1;
		}
	}
	fclose(f);
	return found ? 0 : -1;
}

/*
 * The kernfs node id from the directory's file handle, as libbpf finds a
 * cgroup's id; the inode number (the same on 64-bit kernels) if the file
 * system gives no handle.
 */
static uint64_t
cgroup_id_of(const char *path, const struct stat *st)
{
	union {
		struct file_handle handle;
		unsigned char bytes[sizeof(struct file_handle) + 8];
	} h;
	uint64_t id;
	int mount_id;

	h.handle.handle_bytes = 8;
	if (name_to_handle_at(AT_FDCWD, path, &h.handle, &mount_id, 0) == 0 &&
	    h.handle.handle_bytes == 8) {
		memcpy(&id, h.handle.f_handle, sizeof(id));
		return id;
	}
	return (uint64_t)st->st_ino;
}

/*
 * A cgroup v2 directory to its id (the kernfs node id, what the kernel's
 * sockets point at; the directory's inode number on 64-bit kernels), as
 * this process.  Relative paths are under the cgroup2 mount.
 */
static int
resolve_cgroup(const char *device, struct capture_scope *scope, char *err,
    size_t errlen)
{
	char mount[PATH_MAX], path[PATH_MAX + SCOPE_PATH_MAX], real[PATH_MAX];
	const char *below;
	struct statfs fs;
	struct stat st;
	int levels = 0;

	if (scope->cgroup_path[0] == '/')
		snprintf(path, sizeof(path), "%s", scope->cgroup_path);
	else if (cgroup2_mount(mount, sizeof(mount)) == 0)
		snprintf(path, sizeof(path), "%s/%s", mount,
		    scope->cgroup_path);
	else {
		snprintf(err, errlen, "%s: cgroup=%.64s: no cgroup v2"
		    " hierarchy is mounted here", device, scope->cgroup_path);
		return TAP_NO_SUCH_TAP;
	}
	if (realpath(path, real) == NULL || stat(real, &st) != 0) {
		int error = errno;

		snprintf(err, errlen, "%s: cgroup: %.96s: %s", device, path,
		    strerror(error));
		return errno_status(error);
	}
	if (statfs(real, &fs) != 0 || fs.f_type != CGROUP2_SUPER_MAGIC ||
	    !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: cgroup: %.96s is not a cgroup v2"
		    " directory (cgroup v1 hierarchies cannot scope a capture)",
		    device, real);
		return TAP_NO_SUCH_TAP;
	}
	/* Its depth: the probe looks at SCOPE_CGROUP_LEVELS levels. */
	if (cgroup2_mount(mount, sizeof(mount)) == 0 &&
	    strncmp(real, mount, strlen(mount)) == 0) {
		for (below = real + strlen(mount); *below != '\0'; below++)
			if (*below == '/')
				levels++;
		if (levels >= SCOPE_CGROUP_LEVELS) {
			snprintf(err, errlen, "%s: cgroup: %.96s is %d levels"
			    " deep; a scope can be at most %d", device, real,
			    levels, SCOPE_CGROUP_LEVELS - 1);
			return TAP_NO_SUCH_TAP;
		}
	}
	scope->cgroup = SCOPE_CGROUP_ID;
	scope->cgroup_id = cgroup_id_of(real, &st);
	return TAP_OK;
}

/* An interface name of this process's namespace to its index. */
static int
resolve_dev(const char *device, struct capture_scope *scope, char *err,
    size_t errlen)
{
	unsigned int index = if_nametoindex(scope->dev_name);

	if (index == 0) {
		snprintf(err, errlen, "%s: dev: no interface '%s' in this"
		    " network namespace", device, scope->dev_name);
		return TAP_NO_SUCH_TAP;
	}
	scope->dev = SCOPE_DEV_INDEX;
	scope->ifindex = index;
	return TAP_OK;
}

/*
 * Writes into resolved the device name with its options resolved to
 * numbers (the taps as written, the options in canonical form); a name
 * without options, or one that does not parse (activation says why), is
 * copied as it is.
 */
int
bpftrace_scope_resolve(const char *device, char *resolved, size_t len,
    char *err, size_t errlen)
{
	char devices[TAPS_MAX][TAP_DEVICE_MAX], options[4 * SCOPE_PATH_MAX];
	struct tap_spec specs[TAPS_MAX];
	struct capture_scope scope;
	const char *comma;
	int count, status = TAP_OK;

	if (bpftrace_tap_specs_parse(device, specs, devices, &count, &scope,
	    err, errlen) != TAP_OK ||
	    (comma = strchr(device, SCOPE_SEPARATOR)) == NULL) {
		if ((size_t)snprintf(resolved, len, "%s", device) >= len)
			goto too_long;
		return TAP_OK;
	}
	if (scope.netns == SCOPE_NETNS_PATH || scope.netns == SCOPE_NETNS_NAME)
		status = resolve_netns(device, &scope, err, errlen);
	if (status == TAP_OK && scope.cgroup == SCOPE_CGROUP_PATH)
		status = resolve_cgroup(device, &scope, err, errlen);
	if (status == TAP_OK && scope.dev == SCOPE_DEV_NAME)
		status = resolve_dev(device, &scope, err, errlen);
	if (status != TAP_OK)
		return status;
	if (bpftrace_capture_scope_format(&scope, options,
	    sizeof(options)) < 0 ||
	    (size_t)snprintf(resolved, len, "%.*s%s", (int)(comma - device),
	    device, options) >= len)
		goto too_long;
	return TAP_OK;
too_long:
	snprintf(err, errlen, "%.64s...: device name too long", device);
	return TAP_NO_SUCH_TAP;
}

static int
unresolved(const char *device, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s reaches the capture unresolved: the"
	    " capturing process gives it as a number", device, what);
	return TAP_NO_SUCH_TAP;
}

/*
 * What the capture may see.  A reader in the initial network namespace
 * sees every namespace unless it narrows the capture; a reader anywhere
 * else sees its own namespace only, by default and whatever it asks for:
 * seeing other namespaces' packets is for whoever holds the initial
 * namespace (entering it needs privilege there), and the namespace a
 * reader is in comes from the kernel (the broker's client sends its
 * namespace descriptor), not from the reader's word.  An initial
 * namespace that cannot be told counts as not the reader's.
 */
int
bpftrace_scope_decide(const char *device, const struct capture_scope *scope,
    uint32_t reader_netns, uint32_t initial_netns, struct probe_scope *out,
    char *err, size_t errlen)
{
	int initial = initial_netns != 0 && reader_netns == initial_netns;

	memset(out, 0, sizeof(*out));
	if (scope->netns == SCOPE_NETNS_PATH ||
	    scope->netns == SCOPE_NETNS_NAME)
		return unresolved(device, "netns", err, errlen);
	if (scope->cgroup == SCOPE_CGROUP_PATH)
		return unresolved(device, "cgroup", err, errlen);
	if (scope->dev == SCOPE_DEV_NAME)
		return unresolved(device, "dev", err, errlen);
	if (reader_netns == 0) {
		snprintf(err, errlen, "%s: cannot tell the capturing process's"
		    " network namespace (/proc/self/ns/net)", device);
		return TAP_PERMISSION;
	}
	switch (scope->netns) {
	case SCOPE_NETNS_DEFAULT:
		out->netns = initial ? 0 : reader_netns;
		break;
	case SCOPE_NETNS_ALL:
		if (!initial) {
			snprintf(err, errlen, "%s: netns=all: a capture from"
			    " inside a network namespace sees that namespace"
			    " only; capture from the initial namespace to see"
			    " every one", device);
			return TAP_PERMISSION;
		}
		break;
	case SCOPE_NETNS_INODE:
		if (!initial && scope->netns_inode != reader_netns) {
			snprintf(err, errlen, "%s: netns=%u: a capture from"
			    " inside a network namespace sees that namespace"
			    " only (%u); capture from the initial namespace to"
			    " see another", device, scope->netns_inode,
			    reader_netns);
			return TAP_PERMISSION;
		}
		out->netns = scope->netns_inode;
		break;
	default:
		return unresolved(device, "netns", err, errlen);
	}
	/* Interface indexes are the reader's namespace's. */
	if (scope->dev == SCOPE_DEV_INDEX) {
		if (out->netns != 0 && out->netns != reader_netns) {
			snprintf(err, errlen, "%s: dev and ifindex name an"
			    " interface of the capturing process's namespace,"
			    " netns another one: capture from inside that"
			    " namespace (ip netns exec)", device);
			return TAP_NO_SUCH_TAP;
		}
		out->netns = reader_netns;
		out->ifindex = scope->ifindex;
	}
	if (scope->cgroup == SCOPE_CGROUP_ID)
		out->cgroup_id = scope->cgroup_id;
	out->track_entries = scope->track_entries;
	return TAP_OK;
}
