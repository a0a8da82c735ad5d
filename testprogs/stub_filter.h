/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A hand-written stand-in for a compiled filter, put into the probe a
 * bpf: handle of this process loaded (stub_filter.c).  Kept apart from
 * the libpcap side because libbpf's and libpcap's headers both define
 * struct bpf_insn.
 */
#ifndef STUB_FILTER_H
#define STUB_FILTER_H

#include <stddef.h>
#include <stdint.h>

enum stub_mode { STUB_OFF, STUB_ACCEPT, STUB_REJECT };

struct stub_filter {
	enum stub_mode mode;
	uint32_t snap;		/* STUB_ACCEPT: the snap length it returns */
	uint32_t generation;	/* what it claims; 0: the active program's */
	int xdp;		/* the probe is at XDP (else at tc) */
	int xdp_frags;		/* XDP: its programs are "xdp.frags" ones
				   (native mode; generic mode's are not) */
};

/*
 * Installs the stub and names the active program's generation (or
 * want->generation) in filter.compiled_generation; STUB_OFF empties the
 * programs map's slot and leaves compiled_generation.  0, or -1 with err.
 */
int	stub_filter_install(const struct stub_filter *want, char *err,
	    size_t errlen);
/* The probe's rejected counter, summed; -1 when not found. */
long	stub_filter_rejected(void);

#endif
