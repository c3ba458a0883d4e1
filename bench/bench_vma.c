/* SPDX-License-Identifier: MIT */
/*
 * bench_vma.c - `mmref bench vma`: the VMA set's speed at 16 VMAs and at 65530
 * (vm.max_map_count), and the live kernel's mmap+munmap in the same run.
 *
 * The address space is the default process plus one-page anonymous mappings placed
 * top-down with alternating protections (so that none merge), as a program that maps
 * many small regions would have it. find_vma is timed at pseudo-random addresses over the
 * mapped range; the pair is a hint-less one-page mmap (which must search the gaps from
 * mmap_base down) and the munmap of what it returned.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#ifdef MMREF_HAVE_LINUX
#include "linux_backend.h"
#endif

struct vma_ctx {
	struct bench_machine *b;
	struct mm_struct *mm;
	uint64_t lo, hi, rng;
	uint64_t sink;
};

static uint64_t rng_next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static bool find_one(void *ctx)
{
	struct vma_ctx *c = ctx;
	uint64_t addr = c->lo + rng_next(&c->rng) % (c->hi - c->lo);

	c->sink += find_vma(&c->b->m.vmas, &c->mm->vmas, addr);
	return true;
}

static bool mmap_munmap(void *ctx)
{
	struct vma_ctx *c = ctx;
	uint64_t a = sys_mmap(&c->b->m.env, c->mm, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS);

	return !IS_ERR_VALUE(a) && sys_munmap(&c->b->m.env, c->mm, a, PAGE_SIZE) == 0;
}

/* A process with n VMAs. */
static int setup(struct vma_ctx *c, uint32_t n)
{
	struct mm_op op = {0};
	uint32_t i;

	c->b = machine_new(32768); /* 128 MiB: room for 65530 vm_area_struct objects */
	op.kind = OP_PROCESS;
	snprintf(op.name, sizeof(op.name), "bench");
	if (machine_apply(&c->b->m, &op).kind != RES_OK)
		return -1;
	c->mm = machine_current_mm(&c->b->m);
	c->hi = c->mm->mmap_base;
	c->lo = c->hi;
	for (i = c->mm->map_count; i < n; i++) {
		uint64_t a = sys_mmap(&c->b->m.env, c->mm, 0, PAGE_SIZE,
				      i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS);

		if (IS_ERR_VALUE(a))
			return -1;
		c->lo = a;
	}
	if (c->mm->map_count != n)
		return -1;
	c->rng = 0x2545f4914f6cdd1dull;
	return 0;
}

int bench_vma(void)
{
	static const uint32_t sizes[2] = {16, 65530};
	double find[2], pair[2], linux_ns = -1;
	uint32_t k;

	for (k = 0; k < 2; k++) {
		struct vma_ctx c = {0};

		if (getenv("MMREF_BENCH_VMA_ONLY") != NULL &&
		    strtoul(getenv("MMREF_BENCH_VMA_ONLY"), NULL, 10) != sizes[k]) {
			find[k] = pair[k] = 1;
			continue;
		}

		if (setup(&c, sizes[k]) != 0) {
			fprintf(stderr, "bench vma: cannot build %u VMAs\n", sizes[k]);
			return 1;
		}
		find[k] = time_rounds(find_one, &c, 200000);
		pair[k] = time_rounds(mmap_munmap, &c, 100000);
		if (c.mm->map_count != sizes[k]) {
			fprintf(stderr, "bench vma: the pairs changed the VMA count\n");
			return 1;
		}
		machine_free(c.b);
	}
#ifdef MMREF_HAVE_LINUX
	{
		struct linux_child child = {0};

		if (bench_linux_child(&child, "vma")) {
			double t[BENCH_ROUNDS];

			for (int r = 0; r < BENCH_ROUNDS; r++)
				t[r] = linux_mmap_munmap_ns(&child, 20000);
			linux_ns = bench_median(t, BENCH_ROUNDS);
			linux_child_stop(&child);
		}
	}
#endif
	printf("vma.find.ns@16 %.1f ns\n", find[0]);
	printf("vma.find.ns@65530 %.1f ns\n", find[1]);
	printf("vma.mmap_munmap.ns@16 %.1f ns\n", pair[0]);
	printf("vma.mmap_munmap.ns@65530 %.1f ns\n", pair[1]);
	if (linux_ns > 0)
		printf("linux.mmap_munmap.ns %.1f ns\n", linux_ns);
	else
		printf("linux.mmap_munmap.ns unavailable -\n");
	printf("vma.mmap_munmap.cost_65530_over_16 %.2f x\n", pair[1] / pair[0]);
	printf("vma.find.cost_65530_over_16 %.2f x\n", find[1] / find[0]);
	if (linux_ns > 0) {
		printf("vma.model_speedup_over_linux@16 %.1f x\n", linux_ns / pair[0]);
		printf("vma.model_speedup_over_linux@65530 %.1f x\n", linux_ns / pair[1]);
	}
	return 0;
}
