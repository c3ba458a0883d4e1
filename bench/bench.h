/* SPDX-License-Identifier: MIT */
/* bench.h - `mmref bench NAME`: benchmarks that print "<figure> <value> <unit>" lines. */
#ifndef MMREF_BENCH_H
#define MMREF_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"

#define BENCH_ROUNDS 7

/** bench_main() - argv[0] is "bench"; argv[1] names the benchmark. Exit code. */
int bench_main(int argc, char **argv);

/** bench_vma() - `mmref bench vma` (bench_vma.c). Exit code. */
int bench_vma(void);

/** bench_fault() - `mmref bench fault` (bench_fault.c). Exit code. */
int bench_fault(void);

/** bench_kvm() - `mmref bench kvm` (bench_kvm.c). Exit code (3: KVM cannot run here). */
int bench_kvm(void);

/* A booted machine with its own RAM. */
struct bench_machine {
	struct machine m;
	uint64_t *mem;
	struct page *pages;
};

/** machine_new() - a booted machine of nr_pages frames; exits when the host has no room. */
struct bench_machine *machine_new(uint32_t nr_pages);
void machine_free(struct bench_machine *b);

/** now_ns() - CLOCK_MONOTONIC in nanoseconds. */
double now_ns(void);

/**
 * time_rounds() - the median over BENCH_ROUNDS rounds of the time per call of
 * pair(ctx), iters calls a round. pair() returns false when the code under test failed
 * (the benchmark then exits).
 */
double time_rounds(bool (*pair)(void *ctx), void *ctx, uint32_t iters);

/** bench_median() - the median of v[0 .. n - 1]; sorts v. */
double bench_median(double *v, int n);

struct linux_child;

/**
 * bench_linux_child() - start the live-kernel child on the benchmark's CPU, for the
 * reference figure measured in the same run. False when there is none (the reason is on
 * stderr as "bench WHO: no live kernel child: ..."); the figure is then printed as
 * unavailable.
 */
bool bench_linux_child(struct linux_child *child, const char *who);

#endif
