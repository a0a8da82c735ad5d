/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writing seed files, for the seed makers (make_seeds.c,
 * make_input_seeds.c): DIR/TARGET/NAME, one file per seed, the folders
 * made as needed.  The including file defines dir, the corpora's root
 * (its argument), before including this; any failure ends the program.
 */
#ifndef FUZZ_SEED_FILES_H
#define FUZZ_SEED_FILES_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void
make_dir(const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void
write_seed(const char *target, const char *name, const void *buf,
    size_t len)
{
	char path[4096];
	FILE *f;

	make_dir(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, target);
	make_dir(path);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

#endif /* FUZZ_SEED_FILES_H */
