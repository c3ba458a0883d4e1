/* SPDX-License-Identifier: MIT */
/*
 * bench.c - `mmref bench alloc`: the page and slab allocators' speed, with glibc's
 * malloc measured in the same run as the reference (machines here are noisy: compare
 * ratios inside one run, not absolute times across runs).
 *
 * Every figure is the median of BENCH_ROUNDS rounds; a round times `iters` operations
 * with CLOCK_MONOTONIC.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "fuzzing.h"
#include "machine.h"
#ifdef MMREF_HAVE_LINUX
#include "linux_backend.h"
#endif

#define MIB_PAGES 256u

double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return v[n / 2];
}

bool bench_linux_child(struct linux_child *child, const char *who)
{
#ifdef MMREF_HAVE_LINUX
	char err[256];

	child->flags = LINUX_CHILD_SAME_CPU;
	if (linux_child_start(child, err, sizeof(err)) == 0)
		return true;
	fprintf(stderr, "bench %s: no live kernel child: %s\n", who, err);
#else
	(void)child;
	fprintf(stderr, "bench %s: no live kernel child: built without the Linux backend\n", who);
#endif
	return false;
}

struct bench_machine *machine_new(uint32_t nr_pages)
{
	struct bench_machine *b = calloc(1, sizeof(*b));

	/* calloc: the frames are touched only where the model writes (lazy zero pages). */
	b->mem = calloc(nr_pages, PAGE_SIZE);
	b->pages = calloc(nr_pages, sizeof(struct page));
	if (b->mem == NULL || b->pages == NULL || machine_init(&b->m, b->mem, b->pages, nr_pages) ||
	    machine_boot(&b->m)) {
		fprintf(stderr, "bench: cannot set up a machine of %u frames\n", nr_pages);
		exit(1);
	}
	return b;
}

void machine_free(struct bench_machine *b)
{
	free(b->mem);
	free(b->pages);
	free(b);
}

double time_rounds(bool (*pair)(void *ctx), void *ctx, uint32_t iters)
{
	double t[BENCH_ROUNDS];
	int r;

	for (r = 0; r < BENCH_ROUNDS; r++) {
		double t0 = now_ns();
		uint32_t i;

		for (i = 0; i < iters; i++) {
			if (!pair(ctx)) {
				fprintf(stderr, "bench: the allocator under test failed\n");
				exit(1);
			}
		}
		t[r] = (now_ns() - t0) / iters;
	}
	return bench_median(t, BENCH_ROUNDS);
}

struct buddy_ctx {
	struct bench_machine *b;
	unsigned int order;
};

/* alloc_pages + __free_pages of one order. */
static bool buddy_pair(void *ctx)
{
	struct buddy_ctx *c = ctx;
	uint32_t pfn = alloc_pages(&c->b->m.phys, GFP_KERNEL, c->order);

	return pfn != PFN_NONE && free_pages_inner(&c->b->m.phys, pfn, c->order) == 0;
}

static double buddy_pair_ns(struct bench_machine *b, unsigned int order, uint32_t iters)
{
	struct buddy_ctx c = {b, order};

	return time_rounds(buddy_pair, &c, iters);
}

/*
 * Fragment a machine: allocate a quarter of RAM frame by frame and free every second
 * frame, so order-0 requests find order-0 blocks (the steady state of a busy system)
 * instead of splitting an order-10 block every time (the state right after boot).
 */
static void fragment(struct bench_machine *b)
{
	uint32_t n = b->m.phys.nr_pages / 4, i;
	uint32_t *pfns = malloc(n * sizeof(uint32_t));

	for (i = 0; i < n; i++)
		pfns[i] = alloc_pages(&b->m.phys, GFP_KERNEL, 0);
	for (i = 0; i < n; i += 2)
		free_pages_inner(&b->m.phys, pfns[i], 0);
	free(pfns);
}

struct kmalloc_ctx {
	struct bench_machine *b;
	uint64_t size;
};

/* kmalloc + kfree of one size. */
static bool kmalloc_pair(void *ctx)
{
	struct kmalloc_ctx *c = ctx;
	struct obj_result o = kmalloc(&c->b->m.phys, &c->b->m.kmem, c->size, GFP_KERNEL);

	return o.err == 0 && kfree(&c->b->m.phys, &c->b->m.kmem, o.addr) == 0;
}

/* ns per kmalloc + kfree pair; one other object keeps the slab partial. */
static double kmalloc_pair_ns(struct bench_machine *b, uint64_t size, uint32_t iters)
{
	struct obj_result keep = kmalloc(&b->m.phys, &b->m.kmem, size, GFP_KERNEL);
	struct kmalloc_ctx c = {b, size};
	double ns = time_rounds(kmalloc_pair, &c, iters);

	kfree(&b->m.phys, &b->m.kmem, keep.addr);
	return ns;
}

/* glibc malloc + free: the reference, same run, same loop. */
static bool glibc_pair(void *ctx)
{
	void *volatile sink = malloc(*(size_t *)ctx);

	free(sink);
	return true;
}

/*
 * fuzz_buddy executions per second on random 64-op inputs (2 bytes an op after a 2-byte
 * machine set-up, so every machine size the decoder offers), the same function libFuzzer
 * calls, in this optimised build (no sanitizers, no coverage instrumentation).
 */
static double fuzz_buddy_execs_per_s(uint32_t execs, unsigned int validate_every)
{
	uint8_t input[2 + 64 * 2];
	uint32_t seed = 12345, i, j;
	double t0 = now_ns();

	fuzz_set_validate_every(validate_every);
	for (i = 0; i < execs; i++) {
		for (j = 0; j < sizeof(input); j++) {
			seed = seed * 1103515245u + 12345u;
			input[j] = (uint8_t)(seed >> 16);
		}
		if (fuzz_buddy_run(input, sizeof(input), NULL) != 0) {
			fprintf(stderr, "bench: fuzz_buddy check failed\n");
			exit(1);
		}
	}
	fuzz_set_validate_every(1);
	return execs / ((now_ns() - t0) / 1e9);
}

static int bench_alloc(void)
{
	struct bench_machine *m64 = machine_new(64 * MIB_PAGES);
	struct bench_machine *m4g = machine_new(4096 * MIB_PAGES);
	double o0 = buddy_pair_ns(m64, 0, 1000000), o0_4g = buddy_pair_ns(m4g, 0, 1000000);
	double o3 = buddy_pair_ns(m64, 3, 1000000), frag64, frag4g;

	printf("buddy.order0.pair_ns %.1f ns\n", o0);
	printf("buddy.order3.pair_ns %.1f ns\n", o3);
	printf("buddy.order0.ratio_4g_64m %.2f x\n", o0_4g / o0);
	fragment(m64);
	fragment(m4g);
	frag64 = buddy_pair_ns(m64, 0, 1000000);
	frag4g = buddy_pair_ns(m4g, 0, 1000000);
	printf("buddy.order0.fragmented.pair_ns %.1f ns\n", frag64);
	printf("buddy.order0.fragmented.ratio_4g_64m %.2f x\n", frag4g / frag64);
	machine_free(m4g);
	machine_free(m64);

	m64 = machine_new(64 * MIB_PAGES);
	printf("kmalloc64.pair_ns %.1f ns\n", kmalloc_pair_ns(m64, 64, 1000000));
	printf("kmalloc4k.pair_ns %.1f ns\n", kmalloc_pair_ns(m64, 4096, 1000000));
	printf("glibc.malloc64.pair_ns %.1f ns\n", time_rounds(glibc_pair, &(size_t){64}, 1000000));
	printf("phys.metadata_bytes_per_frame %.2f B\n",
	       (double)(sizeof(struct page) * m64->m.phys.nr_pages + sizeof(struct phys)) /
		   m64->m.phys.nr_pages);
	machine_free(m64);
	printf("fuzz_buddy.execs_per_s %.0f execs/s\n", fuzz_buddy_execs_per_s(20000, 1));
	printf("fuzz_buddy.validate_every_64.execs_per_s %.0f execs/s\n",
	       fuzz_buddy_execs_per_s(20000, 64));
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mmref bench alloc|vma|fault|kvm\n"
		"  alloc   page allocator, slab and kmalloc speed; glibc malloc as the reference\n"
		"  vma     find_vma and mmap+munmap at 16 and 65530 VMAs; the live kernel's\n"
		"          mmap+munmap as the reference\n"
		"  fault   anonymous write faults over 64 MiB, the live kernel's as the\n"
		"          reference; one mmu_walk\n"
		"  kvm     the KVM backend: the #PF round-trip floor, the differential loop's\n"
		"          faults and batched accesses per second, the reduced sweep\n"
		"Prints one line per figure: <figure> <value> <unit>.\n");
}

int bench_main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "alloc") == 0)
		return bench_alloc();
	if (argc >= 2 && strcmp(argv[1], "vma") == 0)
		return bench_vma();
	if (argc >= 2 && strcmp(argv[1], "fault") == 0)
		return bench_fault();
	if (argc >= 2 && strcmp(argv[1], "kvm") == 0)
		return bench_kvm();
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
