/* SPDX-License-Identifier: MIT */
/*
 * bench_fault.c - `mmref bench fault`: demand paging in the model against the live
 * kernel. The model writes every page of a 64 MiB private anonymous mapping once (each
 * write is a walk, a not-present #PF, do_anonymous_page() and the retried walk); the
 * kernel does the same in the child process, timed there (linux_anon_faults_per_s()).
 * walk.ns is one mmu_walk() that hits (4 levels, 4 KiB page).
 *
 * The machine's RAM is calloc'ed: the host backs it lazily, so the model's first store
 * to a frame takes a host page fault, which costs as much as the kernel's own fault being
 * compared with. The kernel's RAM is there before its fault; so is the model's here:
 * fault.anon.faults_per_s runs on RAM the host has made resident first (host_prefault()).
 * fault.anon.host_cold.faults_per_s is the same run on RAM the host has not, for the
 * record: one host fault per model fault.
 *
 * The two rates are medians over BENCH_ROUNDS sweeps each, a model sweep (on a new
 * machine) and a kernel sweep (a new mapping in the same child) in turn, so that slow
 * phases of the host fall on both; the ratio is that of the medians.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#ifdef MMREF_HAVE_LINUX
#include "linux_backend.h"
#endif

#define FAULT_BYTES (64ull << 20)

struct walk_ctx {
	struct bench_machine *b;
	struct mm_struct *mm;
	uint64_t base, i;
	uint64_t sink;
};

static bool one_walk(void *ctx)
{
	struct walk_ctx *c = ctx;
	struct access acc = {ACCESS_READ, true, false};
	struct walk w = mmu_walk(&c->b->m.phys, &c->b->m.cpu, (uint64_t)c->mm->pgd * PAGE_SIZE,
				 c->base + (c->i++ % 4096) * PAGE_SIZE, acc, false);

	c->sink += w.paddr;
	return !w.pf;
}

/* Make every frame of b's RAM resident in the host, keeping its contents. */
static void host_prefault(struct bench_machine *b, uint32_t nr_pages)
{
	volatile uint64_t *mem = b->mem;
	uint64_t i;

	for (i = 0; i < (uint64_t)nr_pages * PAGE_WORDS; i += PAGE_WORDS)
		mem[i] = mem[i];
}

/* Faults per second of the model over one 64 MiB mapping (on resident host RAM with
 * prefault); -1 on failure. */
static double model_faults_per_s(struct walk_ctx *c, bool prefault)
{
	struct mm_op op = {0};
	struct access acc = {ACCESS_WRITE, true, false};
	uint64_t a, n = FAULT_BYTES / PAGE_SIZE, i;
	double t0, t;

	const uint32_t nr_pages = 49152; /* 192 MiB: the 64 MiB of pages and their tables */

	c->b = machine_new(nr_pages);
	if (prefault)
		host_prefault(c->b, nr_pages);
	op.kind = OP_PROCESS;
	snprintf(op.name, sizeof(op.name), "bench");
	if (machine_apply(&c->b->m, &op).kind != RES_OK)
		return -1;
	c->mm = machine_current_mm(&c->b->m);
	a = sys_mmap(&c->b->m.env, c->mm, 0, FAULT_BYTES, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS);
	if (IS_ERR_VALUE(a))
		return -1;
	c->base = a;
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		struct touch_result r =
		    touch(&c->b->m.env, c->mm, &c->b->m.cpu, a + i * PAGE_SIZE, acc);

		if (!r.done || r.nr_steps != 1)
			return -1;
	}
	t = now_ns() - t0;
	return (double)n / (t / 1e9);
}

int bench_fault(void)
{
	struct walk_ctx c = {0}, cold = {0};
	double model[BENCH_ROUNDS], linux_rate[BENCH_ROUNDS], cold_rate, walk_ns, lx = -1;
	bool have_linux = false;
	int r;
#ifdef MMREF_HAVE_LINUX
	struct linux_child child = {0};

	have_linux = bench_linux_child(&child, "fault");
#endif
	cold_rate = model_faults_per_s(&cold, false);
	if (cold.b != NULL)
		machine_free(cold.b);
	/* Model and kernel sweeps alternate, so that both see the same machine noise. */
	for (r = 0; r < BENCH_ROUNDS; r++) {
		model[r] = model_faults_per_s(&c, true);
		if (model[r] < 0 || cold_rate < 0) {
			fprintf(stderr, "bench fault: the model's faults did not complete\n");
			if (c.b != NULL)
				machine_free(c.b);
#ifdef MMREF_HAVE_LINUX
			if (child.pid > 0)
				linux_child_stop(&child);
#endif
			return 1;
		}
		if (r < BENCH_ROUNDS - 1) {
			machine_free(c.b);
			c.b = NULL;
		}
#ifdef MMREF_HAVE_LINUX
		if (have_linux) {
			linux_rate[r] = linux_anon_faults_per_s(&child, FAULT_BYTES);
			if (linux_rate[r] < 0) {
				fprintf(stderr, "bench fault: live kernel: %s\n", child.err);
				have_linux = false;
			}
		}
#endif
	}
#ifdef MMREF_HAVE_LINUX
	if (child.pid > 0)
		linux_child_stop(&child);
#endif
	walk_ns = time_rounds(one_walk, &c, 1000000);
	machine_free(c.b);
	if (have_linux)
		lx = bench_median(linux_rate, BENCH_ROUNDS);
	printf("fault.anon.faults_per_s %.0f faults/s\n", bench_median(model, BENCH_ROUNDS));
	if (lx > 0) {
		printf("linux.anon.faults_per_s %.0f faults/s\n", lx);
		printf("fault.model_over_linux %.1f x\n", bench_median(model, BENCH_ROUNDS) / lx);
	} else {
		printf("linux.anon.faults_per_s unavailable -\n");
	}
	printf("fault.anon.host_cold.faults_per_s %.0f faults/s\n", cold_rate);
	printf("walk.ns %.1f ns\n", walk_ns);
	return 0;
}
