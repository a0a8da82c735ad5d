/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loads a user's BPF object file and attaches its programs; see the
 * header.  The path is the user's and hostile: the file is opened once,
 * without following it into a FIFO or a device, refused when another
 * user could write it, checked to be an ELF file for BPF, bounded in
 * size, and handed to libbpf as bytes (what is checked is what is
 * loaded).  Every failure says in one line what is
 * missing: the file, a BPF object, a program that emits with bpf_pcap(),
 * the SECTION named, an attachable SEC() name, or the verifier's consent.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/bpf_pcap.h"
#include "bpftrace-libbpf-log.h"
#include "bpftrace-privilege.h"
#include "bpftrace-status.h"
#include "bpftrace-user-object.h"

#define CONF_MAP_NAME		"bpf_pcap_conf"
#define OBJECT_FILE_MAX		(64 << 20)	/* far above real objects */
#define OBJECT_PROGRAMS_MAX	64
#define PROGRAM_MAPS_MAX	64
#define VERIFIER_LOG_SIZE	(1 << 20)	/* the end holds the reason */

struct user_object {
	struct bpf_object *obj;
	void *image;			/* the file's bytes, read by libbpf
					   while it opens and loads */
	struct bpf_program *programs[OBJECT_PROGRAMS_MAX];	/* selected */
	struct bpf_link *links[OBJECT_PROGRAMS_MAX];
	int program_count;
	char path[TAP_NAME_MAX];
};

void
bpftrace_user_object_close(struct user_object *o)
{
	if (o == NULL)
		return;
	for (int i = 0; i < o->program_count; i++)
		bpf_link__destroy(o->links[i]);
	bpf_object__close(o->obj);
	free(o->image);
	free(o);
}

/* Reads the whole of a regular file of at most OBJECT_FILE_MAX bytes. */
static int
read_object_file(const char *device, const char *path, void **image,
    size_t *size, char *err, size_t errlen)
{
	struct stat st;
	size_t done = 0;
	char *buf;
	int fd, error;

	/* O_NONBLOCK: a FIFO's open would wait for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		error = errno;
		if (error == ENOENT || error == ENOTDIR)
			snprintf(err, errlen, "%s: there is no file %s", device,
			    path);
		else
			snprintf(err, errlen, "%s: cannot read %s: %s", device,
			    path, strerror(error));
		return error == EACCES || error == EPERM ? TAP_PERMISSION :
		    TAP_NO_SUCH_TAP;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s is not a file: name a BPF object"
		    " file (clang -target bpf -c x.bpf.c -o x.bpf.o)", device,
		    path);
		close(fd);
		return TAP_NOT_CAPTURABLE;
	}
	/*
	 * What is loaded runs in the kernel with the capturing process's
	 * privileges: a file another user may change (in /tmp, say) would
	 * let that user choose it.  The rule of sshd's StrictModes.
	 */
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	    (st.st_uid != geteuid() && st.st_uid != 0)) {
		snprintf(err, errlen, "%s: %s may be changed by %s: load only"
		    " an object file that no one but you (or root) can write",
		    device, path, (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ?
		    "other users (group or world writable)" : "its owner,"
		    " another user");
		close(fd);
		return TAP_PERMISSION;
	}
	if (st.st_size > OBJECT_FILE_MAX) {
		snprintf(err, errlen, "%s: %s is larger than %d MiB: not a BPF"
		    " object", device, path, OBJECT_FILE_MAX >> 20);
		close(fd);
		return TAP_NOT_CAPTURABLE;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		snprintf(err, errlen, "%s: no memory for %s", device, path);
		return TAP_NO_MEMORY;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error = n < 0 ? errno : EIO;
			snprintf(err, errlen, "%s: reading %s: %s", device, path,
			    n < 0 ? strerror(error) : "the file shrank");
			free(buf);
			close(fd);
			return error == EACCES ? TAP_PERMISSION :
			    TAP_NOT_CAPTURABLE;
		}
		done += (size_t)n;
	}
	close(fd);
	*image = buf;
	*size = done;
	return TAP_OK;
}

/*
 * Whether the bytes are a relocatable ELF object for the BPF machine, in
 * either byte order (bpfeb objects are as valid, to libbpf's judgement).
 */
static int
check_bpf_elf(const char *device, const char *path, const unsigned char *b,
    size_t size, char *err, size_t errlen)
{
	unsigned machine, type;

	if (size < sizeof(Elf64_Ehdr) || memcmp(b, ELFMAG, SELFMAG) != 0) {
		snprintf(err, errlen, "%s: %s is not an ELF file: name a BPF"
		    " object file (clang -target bpf -c x.bpf.c -o x.bpf.o)",
		    device, path);
		return TAP_NOT_CAPTURABLE;
	}
	if (b[EI_DATA] == ELFDATA2MSB) {
		type = (unsigned)b[16] << 8 | b[17];
		machine = (unsigned)b[18] << 8 | b[19];
	} else {
		type = (unsigned)b[17] << 8 | b[16];
		machine = (unsigned)b[19] << 8 | b[18];
	}
	if (b[EI_CLASS] != ELFCLASS64 || machine != EM_BPF || type != ET_REL) {
		snprintf(err, errlen, "%s: %s is an ELF file but not a BPF"
		    " object (machine %u, type %u): build it with clang -target"
		    " bpf -c", device, path, machine, type);
		return TAP_NOT_CAPTURABLE;
	}
	return TAP_OK;
}

/* "name (SEC), name (SEC)": the object's programs, for messages. */
static void
program_names(struct bpf_object *obj, char *buf, size_t len)
{
	struct bpf_program *prog;
	size_t used = 0;

	buf[0] = '\0';
	bpf_object__for_each_program(prog, obj) {
		if (used >= len)
			break;
		used += (size_t)snprintf(buf + used, len - used, "%s%s (%s)",
		    used > 0 ? ", " : "", bpf_program__name(prog),
		    bpf_program__section_name(prog));
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "none");
}

/*
 * The programs to load and attach: the SECTION's (by SEC() name, or by
 * the program's own name), else every program libbpf would load (not
 * those of "?" sections).  The rest are not even loaded.
 */
static int
select_programs(const char *device, const struct tap_spec *spec,
    struct user_object *o, char *err, size_t errlen)
{
	struct bpf_program *prog;
	char names[160];
	int total = 0;

	bpf_object__for_each_program(prog, o->obj) {
		int wanted = spec->section[0] == '\0' ?
		    bpf_program__autoload(prog) :
		    strcmp(bpf_program__section_name(prog),
		    spec->section) == 0 ||
		    strcmp(bpf_program__name(prog), spec->section) == 0;

		if (++total > OBJECT_PROGRAMS_MAX) {
			snprintf(err, errlen, "%s: %s has more than %d programs:"
			    " name one as bpf:object:PATH:SECTION", device,
			    o->path, OBJECT_PROGRAMS_MAX);
			return TAP_NOT_CAPTURABLE;
		}
		bpf_program__set_autoload(prog, wanted);
		if (wanted)
			o->programs[o->program_count++] = prog;
	}
	if (o->program_count > 0)
		return TAP_OK;
	program_names(o->obj, names, sizeof(names));
	if (spec->section[0] != '\0') {
		snprintf(err, errlen, "%s: no program has the section or name"
		    " '%s'; the object's programs: %s", device, spec->section,
		    names);
		return TAP_NO_SUCH_TAP;
	}
	snprintf(err, errlen, "%s: no program in %s emits with bpf_pcap()"
	    " (its programs: %s)", device, o->path, names);
	return TAP_NOT_CAPTURABLE;
}

/*
 * The verifier's reason, from its log: the last line before its
 * statistics ("processed N insns", "verification time", "stack depth").
 */
static void
verifier_reason(char *log, char *reason, size_t len)
{
	char *line, *next;

	reason[0] = '\0';
	for (line = log; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (*line == '\0' || strncmp(line, "processed ", 10) == 0 ||
		    strncmp(line, "verification time", 17) == 0 ||
		    strncmp(line, "stack depth", 11) == 0 ||
		    strncmp(line, "-- ", 3) == 0)
			continue;
		snprintf(reason, len, "%s", line);
	}
	for (char *c = reason; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
}

/* fentry, fexit, fmod_ret: what kernels without trampolines refuse. */
static int
is_trampoline(const struct bpf_program *prog)
{
	enum bpf_attach_type type = bpf_program__expected_attach_type(prog);

	return bpf_program__type(prog) == BPF_PROG_TYPE_TRACING &&
	    (type == BPF_TRACE_FENTRY || type == BPF_TRACE_FEXIT ||
	    type == BPF_MODIFY_RETURN);
}

/*
 * libbpf's first warning of a failed load names the program ("prog
 * 'x': BPF program load failed: ..."); a relocation or map failure is
 * said in the warning itself.
 */
static int
load_failed(const char *device, struct user_object *o, int error,
    const char *warning, char *log, char *err, size_t errlen)
{
	char name[64] = "", reason[160];
	struct bpf_program *prog = NULL;
	const char *quote;

	if (strncmp(warning, "prog '", 6) == 0 &&
	    (quote = strchr(warning + 6, '\'')) != NULL &&
	    (size_t)(quote - warning - 6) < sizeof(name)) {
		memcpy(name, warning + 6, (size_t)(quote - warning - 6));
		name[quote - warning - 6] = '\0';
		prog = bpf_object__find_program_by_name(o->obj, name);
	}
	if (log != NULL)
		verifier_reason(log, reason, sizeof(reason));
	else
		reason[0] = '\0';
	if (prog != NULL && reason[0] != '\0' &&
	    strstr(warning, "program load failed") != NULL) {
		snprintf(err, errlen, "%s: the verifier refused program %s"
		    " (%s): %s", device, name, bpf_program__section_name(prog),
		    reason);
		return TAP_KERNEL_REFUSED;
	}
	if (prog != NULL && is_trampoline(prog) && (error == EPERM ||
	    error == EOPNOTSUPP || error == 524)) {
		/* The capabilities were there: the kernel says no to all. */
		snprintf(err, errlen, "%s: the kernel refused program %s (%s):"
		    " %s (this kernel refuses BPF trampolines)", device, name,
		    bpf_program__section_name(prog), strerror(error));
		return TAP_KERNEL_REFUSED;
	}
	snprintf(err, errlen, "%s: loading %s: %s", device, o->path,
	    warning[0] != '\0' ? warning : strerror(error));
	return error == EPERM ? TAP_PERMISSION : TAP_KERNEL_REFUSED;
}

static int
map_id(int fd, struct bpf_map_info *info)
{
	uint32_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) == 0 ? (int)info->id :
	    -1;
}

/* Whether the program's maps include the map with this id. */
static int
program_uses(const struct bpf_program *prog, uint32_t id)
{
	struct bpf_prog_info info;
	uint32_t ids[PROGRAM_MAPS_MAX], len = sizeof(info);

	/* Zeroed: the kernel fills them, unknown to valgrind's model. */
	memset(ids, 0, sizeof(ids));
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = PROGRAM_MAPS_MAX;
	info.map_ids = (uintptr_t)ids;
	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) != 0)
		return 0;
	for (uint32_t i = 0; i < info.nr_map_ids && i < PROGRAM_MAPS_MAX; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* Whether one of the selected programs that emit uses the map. */
static int
emitters_use(const struct user_object *o, const int *emits, uint32_t id)
{
	for (int i = 0; i < o->program_count; i++)
		if (emits[i] && program_uses(o->programs[i], id))
			return 1;
	return 0;
}

/*
 * The programs that emit are those that use bpf_pcap_conf (bpf_pcap()
 * reads it for every packet); what they emit to is their one ring buffer
 * or perf event array.
 */
static int
find_maps(const char *device, const struct tap_spec *spec,
    struct user_object *o, int *output_fd, int *conf_fd, char *err,
    size_t errlen)
{
	struct bpf_map *conf, *map, *output = NULL;
	struct bpf_map_info info;
	int emits[OBJECT_PROGRAMS_MAX], emitting = 0, outputs = 0, id;
	char names[96] = "";

	conf = bpf_object__find_map_by_name(o->obj, CONF_MAP_NAME);
	id = map_id(bpf_map__fd(conf), &info);
	for (int i = 0; i < o->program_count; i++) {
		emits[i] = id > 0 && program_uses(o->programs[i],
		    (uint32_t)id);
		emitting += emits[i];
	}
	if (emitting == 0) {
		snprintf(err, errlen, "%s: no program %s%s%sin %s emits with"
		    " bpf_pcap()", device, spec->section[0] ? "of section '" :
		    "", spec->section, spec->section[0] ? "' " : "", o->path);
		return TAP_NOT_CAPTURABLE;
	}
	bpf_object__for_each_map(map, o->obj) {
		enum bpf_map_type type = bpf_map__type(map);

		if (type != BPF_MAP_TYPE_RINGBUF &&
		    type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			continue;
		if ((id = map_id(bpf_map__fd(map), &info)) <= 0 ||
		    !emitters_use(o, emits, (uint32_t)id))
			continue;
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
		    "%s%s", outputs > 0 ? ", " : "", bpf_map__name(map));
		outputs++;
		output = map;
	}
	if (outputs != 1) {
		snprintf(err, errlen, "%s: the programs of %s that call"
		    " bpf_pcap() write to %d perf event arrays or ring buffers"
		    "%s%s%s: one capture reads one; name a program as"
		    " bpf:object:PATH:SECTION", device, o->path, outputs,
		    outputs ? " (" : "", names, outputs ? ")" : "");
		return TAP_NOT_CAPTURABLE;
	}
	*output_fd = fcntl(bpf_map__fd(output), F_DUPFD_CLOEXEC, 0);
	*conf_fd = fcntl(bpf_map__fd(conf), F_DUPFD_CLOEXEC, 0);
	if (*output_fd < 0 || *conf_fd < 0) {
		snprintf(err, errlen, "%s: duplicating %s's maps: %s", device,
		    o->path, strerror(errno));
		if (*output_fd >= 0)
			close(*output_fd);
		if (*conf_fd >= 0)
			close(*conf_fd);
		*output_fd = *conf_fd = -1;
		return TAP_KERNEL_REFUSED;
	}
	return TAP_OK;
}

/*
 * The object's own copy of every map: a map the object asks to pin
 * (LIBBPF_PIN_BY_NAME) would be pinned in /sys/fs/bpf and outlive the
 * capture, or be shared with whatever is pinned there already.
 */
static void
unpin_maps(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
		if (bpf_map__pin_path(map) != NULL)
			bpf_map__set_pin_path(map, NULL);
}

static int
open_object(const char *device, struct user_object *o, size_t size,
    char *log, char *err, size_t errlen)
{
	char warning[200];
	const char *base = strrchr(o->path, '/');
	libbpf_print_fn_t previous;
	LIBBPF_OPTS(bpf_object_open_opts, opts,
	    .object_name = base != NULL ? base + 1 : o->path,
	    .kernel_log_buf = log,
	    .kernel_log_size = VERIFIER_LOG_SIZE);
	int error;

	previous = bpftrace_libbpf_log_keep_first(warning, sizeof(warning));
	o->obj = bpf_object__open_mem(o->image, size, &opts);
	error = errno;
	bpftrace_libbpf_log_restore(previous);
	if (o->obj == NULL) {
		snprintf(err, errlen, "%s: %s is not a BPF object libbpf can"
		    " open: %s", device, o->path,
		    warning[0] != '\0' ? warning : strerror(error));
		return TAP_NOT_CAPTURABLE;
	}
	return TAP_OK;
}

/* Whether the object defines bpf_pcap_conf as bpf/bpf_pcap.h does. */
static int
has_conf_map(struct bpf_object *obj)
{
	struct bpf_map *conf = bpf_object__find_map_by_name(obj,
	    CONF_MAP_NAME);

	return conf != NULL && bpf_map__type(conf) == BPF_MAP_TYPE_ARRAY &&
	    bpf_map__value_size(conf) == sizeof(struct bpf_pcap_conf);
}

int
bpftrace_user_object_load(const char *device, const struct tap_spec *spec,
    struct user_object **object, int *output_fd, int *conf_fd, char *err,
    size_t errlen)
{
	struct user_object *o;
	char warning[200], *log = NULL;
	libbpf_print_fn_t previous;
	size_t size;
	int status, error;

	*object = NULL;
	*output_fd = *conf_fd = -1;
	if ((o = calloc(1, sizeof(*o))) == NULL) {
		snprintf(err, errlen, "%s: no memory", device);
		return TAP_NO_MEMORY;
	}
	snprintf(o->path, sizeof(o->path), "%s", spec->name);
	status = read_object_file(device, o->path, &o->image, &size, err,
	    errlen);
	if (status == TAP_OK)
		status = check_bpf_elf(device, o->path, o->image, size, err,
		    errlen);
	/* Zeroed, as for program_uses(); calloc's fresh pages cost little. */
	if (status == TAP_OK && (log = calloc(1, VERIFIER_LOG_SIZE)) == NULL) {
		snprintf(err, errlen, "%s: no memory", device);
		status = TAP_NO_MEMORY;
	}
	if (status == TAP_OK)
		status = open_object(device, o, size, log, err, errlen);
	if (status == TAP_OK && !has_conf_map(o->obj)) {
		snprintf(err, errlen, "%s: no program in %s emits with"
		    " bpf_pcap(): it has no %s map (include bpf/bpf_pcap.h)",
		    device, o->path, CONF_MAP_NAME);
		status = TAP_NOT_CAPTURABLE;
	}
	if (status == TAP_OK)
		status = select_programs(device, spec, o, err, errlen);
	if (status == TAP_OK && !bpftrace_has_tap_capabilities(spec->family)) {
		snprintf(err, errlen, "%s: loading %s needs CAP_BPF and"
		    " CAP_PERFMON (or root) in the capturing process; the"
		    " capture broker does not load users' objects", device,
		    o->path);
		status = TAP_PERMISSION;
	}
	if (status == TAP_OK) {
		unpin_maps(o->obj);
		previous = bpftrace_libbpf_log_keep_first(warning,
		    sizeof(warning));
		error = -bpf_object__load(o->obj);
		bpftrace_libbpf_log_restore(previous);
		if (error != 0)
			status = load_failed(device, o, error, warning, log, err,
			    errlen);
	}
	free(log);
	if (status == TAP_OK)
		status = find_maps(device, spec, o, output_fd, conf_fd, err,
		    errlen);
	if (status != TAP_OK) {
		bpftrace_user_object_close(o);
		return status;
	}
	*object = o;
	return TAP_OK;
}

/*
 * As libbpf attaches a skeleton (bpf_program__attach()): where the SEC()
 * name says (tp_btf/NAME, raw_tp/NAME, tracepoint/CATEGORY/NAME,
 * kprobe/FUNCTION, fentry/FUNCTION...).  Unlike a skeleton, a program
 * that cannot be attached so is an error, not skipped: XDP and tc
 * programs need an interface, which their SEC() names do not say.
 */
int
bpftrace_user_object_attach(struct user_object *o, const char *device,
    char *err, size_t errlen)
{
	char warning[200];
	libbpf_print_fn_t previous;

	for (int i = 0; i < o->program_count; i++) {
		struct bpf_program *prog = o->programs[i];
		struct bpf_link *link;
		int error;

		previous = bpftrace_libbpf_log_keep_first(warning,
		    sizeof(warning));
		link = bpf_program__attach(prog);
		error = errno;
		bpftrace_libbpf_log_restore(previous);
		if (link != NULL) {
			o->links[i] = link;
			continue;
		}
		if (error == EOPNOTSUPP) {
			snprintf(err, errlen, "%s: program %s (%s) cannot be"
			    " attached by its section name: SEC() names must say"
			    " where (tp_btf/NAME, raw_tp/NAME, tracepoint/CAT/NAME,"
			    " kprobe/FUNC...)%s", device,
			    bpf_program__name(prog),
			    bpf_program__section_name(prog),
			    o->program_count > 1 ? "; or name another as"
			    " PATH:SECTION" : "");
			return TAP_NOT_CAPTURABLE;
		}
		if (is_trampoline(prog) && error == 524) {
			/*
			 * ENOTSUPP: loaded, but no trampoline to attach (arm64
			 * before 6.4 has no ftrace direct calls).
			 */
			snprintf(err, errlen, "%s: the kernel refused program"
			    " %s (%s): attaching: %s (this kernel refuses BPF"
			    " trampolines)", device, bpf_program__name(prog),
			    bpf_program__section_name(prog), strerror(error));
			return TAP_KERNEL_REFUSED;
		}
		snprintf(err, errlen, "%s: attaching program %s (%s): %s%s",
		    device, bpf_program__name(prog),
		    bpf_program__section_name(prog),
		    warning[0] != '\0' ? warning : strerror(error),
		    bpf_program__type(prog) == BPF_PROG_TYPE_KPROBE &&
		    (error == ENOENT || error == EOPNOTSUPP) ?
		    " (no kprobe support: CONFIG_KPROBES)" : "");
		return error == EPERM || error == EACCES ? TAP_PERMISSION :
		    error == ENOENT ? TAP_NO_SUCH_TAP : TAP_KERNEL_REFUSED;
	}
	return TAP_OK;
}
