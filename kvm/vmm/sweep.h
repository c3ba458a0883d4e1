/* SPDX-License-Identifier: MIT */
/*
 * sweep.h - `mmref sweep`: every page-table configuration of one address, under every
 * CPU mode, for every access, performed by the KVM guest (kvm_diff_walk()) and compared
 * with the model's mmu_walk(): the exhaustive counterpart of kvm-unit-tests' x86/access.c,
 * on the model's own tables. What is enumerated, and what this vCPU cannot run:
 * docs/kvm-sweep.md.
 */
#ifndef MMREF_KVM_SWEEP_H
#define MMREF_KVM_SWEEP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * --reduced: every Nth case of the full enumeration, N chosen so that about this many of
 * the cases the vCPU can run are run (N prime to 2 and 3).
 */
#define SWEEP_REDUCED_CASES 20000

struct sweep_opts {
	bool reduced;		 /* a sample of about SWEEP_REDUCED_CASES (overrides stride) */
	uint64_t stride;	 /* run the cases whose index % stride == seed % stride */
	uint64_t seed;		 /* which residue; 0 by default */
	uint64_t limit;		 /* stop after this many cases have run (0: no limit) */
	int64_t only_case;	 /* >= 0: run this one case (a reproducer), nothing else */
	uint32_t max_mismatches; /* stop after this many differences (default 10) */
	const char *repro_dir;	 /* also write each reproducer to DIR/sweep-case-N.txt */
	double progress_s;	 /* a progress line on err every progress_s seconds (0: none) */
};

/** sweep_opts_default() - all cases, no limit, 10 mismatches, progress every 2 s. */
void sweep_opts_default(struct sweep_opts *o);

/**
 * sweep_run() - run the sweep, the summary and every difference (kvm_diff's report and a
 * reproducer) on out, progress on err. Returns 0 when every case agreed; 1 on a
 * difference or when the guest or KVM failed; 3 when KVM cannot run here ("SKIP: reason"
 * on out); 2 when the sweep cannot be set up (no memory).
 */
int sweep_run(const struct sweep_opts *o, FILE *out, FILE *err);

#endif /* MMREF_KVM_SWEEP_H */
