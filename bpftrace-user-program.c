/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Finds what a bpf_pcap() program writes to.  A program id leads to its
 * maps through the kernel's program info (map ids); a pinned path is a
 * program (the same) or the output map itself, with bpf_pcap_conf looked
 * for beside it.  Opening objects by id needs CAP_SYS_ADMIN.  An object
 * file is loaded by bpftrace-user-object.c, which knows its maps.
 */
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/vfs.h>

#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/bpf_pcap.h"
#include "bpftrace-status.h"
#include "bpftrace-user-object.h"
#include "bpftrace-user-program.h"

#define CONF_MAP_NAME	"bpf_pcap_conf"
#define MAX_MAPS	64

static void
reset(struct user_program *up)
{
	memset(up, 0, sizeof(*up));
	up->output_fd = -1;
	up->conf_fd = -1;
}

static void conf_restore(struct user_program *up);

void
bpftrace_user_program_close(struct user_program *up)
{
	conf_restore(up);
	if (up->output_fd >= 0)
		close(up->output_fd);
	if (up->conf_fd >= 0)
		close(up->conf_fd);
	/* After the restore: the object's bpf_pcap_conf goes with it. */
	bpftrace_user_object_close(up->object);
	reset(up);
}

static int
status_for_errno(int error)
{
	return error == EPERM || error == EACCES ? TAP_PERMISSION :
	    TAP_NO_SUCH_TAP;
}

/* Whether map is an output map; if so, takes it. */
static int
take_output(struct user_program *up, int fd, const struct bpf_map_info *info)
{
	if (info->type == BPF_MAP_TYPE_RINGBUF)
		up->kind = USER_OUTPUT_RINGBUF;
	else if (info->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		up->kind = USER_OUTPUT_PERF;
	else
		return 0;
	up->output_fd = fd;
	up->ring_bytes = info->max_entries;
	snprintf(up->output_name, sizeof(up->output_name), "%s", info->name);
	return 1;
}

static int
is_conf_map(const struct bpf_map_info *info)
{
	return info->type == BPF_MAP_TYPE_ARRAY &&
	    strcmp(info->name, CONF_MAP_NAME) == 0 &&
	    info->value_size == sizeof(struct bpf_pcap_conf);
}

/* The program's info, with (up to MAX_MAPS of) its map ids in ids. */
static int
program_info(int prog_fd, struct bpf_prog_info *info, uint32_t *ids)
{
	uint32_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	info->nr_map_ids = MAX_MAPS;
	info->map_ids = (uintptr_t)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, info, &len) != 0)
		return -1;
	if (info->nr_map_ids > MAX_MAPS)
		info->nr_map_ids = MAX_MAPS;
	return 0;
}

/* Whether path exists on a BPF file system (where bpf_obj_get() looks). */
static int
in_bpf_filesystem(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == BPF_FS_MAGIC;
}

static int
map_info(int fd, struct bpf_map_info *mi)
{
	uint32_t len = sizeof(*mi);

	memset(mi, 0, sizeof(*mi));
	return bpf_obj_get_info_by_fd(fd, mi, &len);
}

/* Opens the map with this id and reads its info; -1 if it cannot. */
static int
open_map(uint32_t id, struct bpf_map_info *mi)
{
	int fd = bpf_map_get_fd_by_id(id);

	if (fd >= 0 && map_info(fd, mi) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Goes through the program's maps. */
static int
open_by_program_fd(const char *device, int prog_fd, struct user_program *up,
    char *err, size_t errlen)
{
	struct bpf_prog_info info;
	uint32_t ids[MAX_MAPS], i, outputs = 0;
	char names[256] = "";

	if (program_info(prog_fd, &info, ids) != 0) {
		snprintf(err, errlen, "%s: reading the program's info: %s",
		    device, strerror(errno));
		return TAP_NO_SUCH_TAP;
	}
	for (i = 0; i < info.nr_map_ids; i++) {
		struct bpf_map_info mi;
		int fd = open_map(ids[i], &mi);

		if (fd < 0)
			continue;
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
		    "%s%s", names[0] ? ", " : "", mi.name);
		if (is_conf_map(&mi) && up->conf_fd < 0) {
			up->conf_fd = fd;
		} else if (up->output_fd < 0 && take_output(up, fd, &mi)) {
			outputs++;
		} else {
			if (mi.type == BPF_MAP_TYPE_RINGBUF ||
			    mi.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
				outputs++;
			close(fd);
		}
	}
	if (outputs == 0) {
		snprintf(err, errlen,
		    "%s: program %u (%s) has no perf event array"
		    " or ring buffer map (its maps: %s)", device, info.id,
		    info.name, names[0] ? names : "none");
		return TAP_NOT_CAPTURABLE;
	}
	if (outputs > 1) {
		snprintf(err, errlen, "%s: program %u (%s) has %u perf event"
		    " arrays or ring buffers (maps: %s): pin the one bpf_pcap()"
		    " writes to and capture bpf:pinned:PATH", device, info.id,
		    info.name, outputs, names);
		return TAP_NOT_CAPTURABLE;
	}
	return TAP_OK;
}

/* A pinned output map: bpf_pcap_conf, if pinned beside it, too. */
static int
open_pinned_map(const char *device, const char *path, int fd,
    struct user_program *up, char *err, size_t errlen)
{
	struct bpf_map_info mi;
	char dir[TAP_NAME_MAX], conf[TAP_NAME_MAX + sizeof(CONF_MAP_NAME) + 1];

	if (map_info(fd, &mi) != 0 || !take_output(up, fd, &mi)) {
		snprintf(err, errlen, "%s: %s is a BPF map of type %u, not a"
		    " perf event array or ring buffer", device, path, mi.type);
		close(fd);
		return TAP_NOT_CAPTURABLE;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	snprintf(conf, sizeof(conf), "%s/%s", dirname(dir), CONF_MAP_NAME);
	up->conf_fd = bpf_obj_get(conf);
	if (up->conf_fd >= 0 &&
	    (map_info(up->conf_fd, &mi) != 0 || !is_conf_map(&mi))) {
		close(up->conf_fd);
		up->conf_fd = -1;
	}
	return TAP_OK;
}

static int
pinned_kind(int fd, char *kind, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, kind, len - 1);
	if (n < 0)
		return -1;
	kind[n] = '\0';
	return 0;
}

/* An object file: its programs loaded, not attached yet. */
static int
open_object(const char *device, const struct tap_spec *spec,
    struct user_program *up, char *err, size_t errlen)
{
	struct bpf_map_info mi;
	int output_fd, status;

	status = bpftrace_user_object_load(device, spec, &up->object,
	    &output_fd, &up->conf_fd, err, errlen);
	if (status != TAP_OK)
		return status;
	if (map_info(output_fd, &mi) != 0 || !take_output(up, output_fd,
	    &mi)) {
		snprintf(err, errlen, "%s: reading the output map's info: %s",
		    device, strerror(errno));
		close(output_fd);
		return TAP_KERNEL_REFUSED;
	}
	return TAP_OK;
}

/* The last step of activation, the reader ready: an object's programs. */
int
bpftrace_user_program_start(struct user_program *up, const char *device,
    char *err, size_t errlen)
{
	if (up->object == NULL)
		return TAP_OK;	/* a program of someone else's, running */
	return bpftrace_user_object_attach(up->object, device, err, errlen);
}

int
bpftrace_user_program_open(const char *device, const struct tap_spec *spec,
    struct user_program *up, char *err, size_t errlen)
{
	char kind[64];
	int fd, status;

	reset(up);
	if (spec->family == TAP_FAMILY_OBJECT) {
		status = open_object(device, spec, up, err, errlen);
		if (status != TAP_OK)
			bpftrace_user_program_close(up);
		return status;
	}
	if (spec->family == TAP_FAMILY_PROG) {
		fd = bpf_prog_get_fd_by_id(spec->prog_id);
		if (fd < 0) {
			int error = errno;

			if (error == ENOENT)
				snprintf(err, errlen,
				    "%s: no BPF program with id"
				    " %u ('bpftool prog' lists them)", device,
				    spec->prog_id);
			else if (error == EPERM)
				snprintf(err, errlen, "%s: opening program %u"
				    " needs CAP_SYS_ADMIN", device,
				        spec->prog_id);
			else
				snprintf(err, errlen,
				    "%s: opening program %u: %s",
				    device, spec->prog_id, strerror(error));
			return status_for_errno(error);
		}
		status = open_by_program_fd(device, fd, up, err, errlen);
		close(fd);
		if (status != TAP_OK)
			bpftrace_user_program_close(up);
		return status;
	}

	fd = bpf_obj_get(spec->name);
	if (fd < 0) {
		int error = errno;

		if (error == ENOENT) {
			snprintf(err, errlen, "%s: nothing is pinned at %s",
			    device, spec->name);
		} else if (!in_bpf_filesystem(spec->name)) {
			/* The kernel says EACCES for any other file. */
			snprintf(err, errlen, "%s: %s is not in a BPF file"
			    " system: give the path its program pinned it at"
			    " (under /sys/fs/bpf)", device, spec->name);
			return TAP_NO_SUCH_TAP;
		} else
			snprintf(err, errlen, "%s: opening %s: %s", device,
			    spec->name, strerror(error));
		return status_for_errno(error);
	}
	if (pinned_kind(fd, kind, sizeof(kind)) != 0)
		kind[0] = '\0';
	if (strcmp(kind, "anon_inode:bpf-prog") == 0) {
		status = open_by_program_fd(device, fd, up, err, errlen);
		close(fd);
	} else if (strcmp(kind, "anon_inode:bpf-map") == 0) {
		status = open_pinned_map(device, spec->name, fd, up, err,
		    errlen);
	} else {
		snprintf(err, errlen,
		    "%s: %s is neither a BPF program nor a map",
		    device, spec->name);
		close(fd);
		status = TAP_NOT_CAPTURABLE;
	}
	if (status != TAP_OK)
		bpftrace_user_program_close(up);
	return status;
}

/*
 * bpf_pcap_conf belongs to the capture while it runs, and goes back to
 * what it was when the capture ends.  Two captures of one program would
 * fight over it (the second's snap length truncating the first's
 * records, the first's close undoing the second's settings), so a capture
 * marks the map with a claim, its process id in reserved with the top bit
 * set, and a second capture is refused while the claimant lives.  A claim
 * whose process is gone (a capture killed with SIGKILL could not restore
 * anything) is taken over; what the program had before is lost then, and
 * the capture restores all zeros, the header's "no wishes", on close.
 */
#define CONF_CLAIM_MARK		0x80000000u

static int
conf_read(int fd, struct bpf_pcap_conf *conf)
{
	uint32_t zero = 0;

	memset(conf, 0, sizeof(*conf));
	return bpf_map_lookup_elem(fd, &zero, conf);
}

static int
conf_write(int fd, const struct bpf_pcap_conf *conf)
{
	uint32_t zero = 0;

	return bpf_map_update_elem(fd, &zero, conf, BPF_ANY);
}

/*
 * Whether pid is a zombie: killed, its descriptors (and so its capture)
 * gone, but not yet waited for by its parent, so kill(pid, 0) still
 * finds it.
 */
static int
is_zombie(pid_t pid)
{
	char path[32], stat[256], *end;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n] = '\0';
	/* "pid (comm) S ...": the command may hold ')' itself. */
	end = strrchr(stat, ')');
	return end != NULL && end[1] == ' ' && end[2] == 'Z';
}

/* The live process that holds the claim in conf, 0 if none. */
static pid_t
conf_claimant(const struct bpf_pcap_conf *conf)
{
	pid_t pid;

	if (!(conf->reserved & CONF_CLAIM_MARK))
		return 0;
	pid = (pid_t)(conf->reserved & ~CONF_CLAIM_MARK);
	if (pid > 0 && (kill(pid, 0) == 0 || errno == EPERM) &&
	    !is_zombie(pid))
		return pid;
	return 0;
}

static int
conf_busy(const char *device, pid_t pid, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: another capture (process %ld) is reading"
	    " this program's records and holds its bpf_pcap_conf; one capture"
	    " of a program at a time: end that one first", device, (long)pid);
	return TAP_KERNEL_REFUSED;
}

static int
conf_error(const char *device, const char *doing, int error, char *err,
    size_t errlen)
{
	snprintf(err, errlen, "%s: %s the program's bpf_pcap_conf: %s",
	    device, doing, strerror(error));
	return status_for_errno(error) == TAP_PERMISSION ? TAP_PERMISSION :
	    TAP_KERNEL_REFUSED;
}

/* Tells the program what the capture wants: link type and snap length. */
int
bpftrace_user_program_configure(struct user_program *up, const char *device,
    uint32_t link_type, uint32_t snaplen, char *err, size_t errlen)
{
	struct bpf_pcap_conf found, conf;
	uint32_t claim = CONF_CLAIM_MARK | (uint32_t)getpid();
	pid_t pid;

	if (up->conf_fd < 0)
		return TAP_OK;
	if (conf_read(up->conf_fd, &found) != 0) {
		return conf_error(device, "reading", errno, err, errlen);
	}
	if ((pid = conf_claimant(&found)) != 0)
		return conf_busy(device, pid, err, errlen);
	if (found.reserved & CONF_CLAIM_MARK)
		memset(&found, 0, sizeof(found));	/* its claimant died */
	memset(&conf, 0, sizeof(conf));
	conf.protocol = link_type;
	conf.max_len = snaplen;
	conf.reserved = claim;
	if (conf_write(up->conf_fd, &conf) != 0) {
		return conf_error(device, "writing", errno, err, errlen);
	}
	/*
	 * Another capture may have read the map between our read and our
	 * write: the last writer holds the claim, and the other refuses.
	 */
	if (conf_read(up->conf_fd, &conf) == 0 && conf.reserved != claim &&
	    (pid = conf_claimant(&conf)) != 0)
		return conf_busy(device, pid, err, errlen);
	up->conf_found = found;
	up->conf_claim = claim;
	return TAP_OK;
}

/* Puts bpf_pcap_conf back as the capture found it, if it still holds it. */
static void
conf_restore(struct user_program *up)
{
	struct bpf_pcap_conf now;

	if (up->conf_fd < 0 || up->conf_claim == 0)
		return;
	if (conf_read(up->conf_fd, &now) == 0 &&
	    now.reserved == up->conf_claim)
		conf_write(up->conf_fd, &up->conf_found);
	up->conf_claim = 0;
}

/* Whether one of these maps is the bpf_pcap_conf map bpf/bpf_pcap.h defines. */
static int
has_conf_map(const uint32_t *ids, uint32_t count)
{
	uint32_t i;
	int found = 0;

	for (i = 0; i < count && !found; i++) {
		struct bpf_map_info mi;
		int fd = open_map(ids[i], &mi);

		if (fd < 0)
			continue;
		found = is_conf_map(&mi);
		close(fd);
	}
	return found;
}

/*
 * Loaded programs that include bpf/bpf_pcap.h, as bpf:prog:ID.  Walking
 * the programs needs CAP_SYS_ADMIN; without it the list is simply empty.
 */
int
bpftrace_user_program_list_taps(tap_list_fn fn, void *ctx)
{
	uint32_t id = 0;

	while (bpf_prog_get_next_id(id, &id) == 0) {
		struct bpf_prog_info info;
		uint32_t ids[MAX_MAPS];
		char device[32], description[96];
		int fd = bpf_prog_get_fd_by_id(id), wanted;

		if (fd < 0)
			continue;
		wanted = program_info(fd, &info, ids) == 0 &&
		    has_conf_map(ids, info.nr_map_ids);
		close(fd);
		if (!wanted)
			continue;
		snprintf(device, sizeof(device), "bpf:prog:%u", id);
		snprintf(description, sizeof(description),
		    "packets that program %s emits with bpf_pcap()", info.name);
		if (fn(ctx, device, description) != 0)
			return -1;
	}
	return 0;
}
