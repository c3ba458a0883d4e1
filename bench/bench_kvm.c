/* SPDX-License-Identifier: MIT */
/*
 * bench_kvm.c - `mmref bench kvm`: the KVM backend's speed, all figures from one run,
 * one line each, `<figure> <value> <unit>`:
 *
 *   kvm.floor.faults_per_s   the cost floor: a guest #PF round trip (kernel-mode read of a
 *                            page whose PTE is missing, exit, the host writes the PTE,
 *                            the guest retries), nothing else (kvm_diff_floor()).
 *   kvm.diff.faults_per_s    the full differential loop on demand paging: each fault
 *                            predicted by mmu_walk(), performed by the guest, compared
 *                            (vector, error code, CR2, A/D at every level), handled by
 *                            the model's exc_page_fault(), retried and compared again
 *                            (kvm_diff_touches(), kernel-mode writes to fresh pages).
 *   kvm.diff.faults_of_floor the ratio of the two (goal: >= 70 %).
 *   kvm.diff.accesses_per_s  user accesses that hit, batched: the guest's user loop
 *                            performs a list natively at CPL 3, checking each read
 *                            against the predicted value itself, and exits once; each
 *                            outcome compared (goal: >= 100k/s).
 *   kvm.diff.kernel_accesses_per_s  the same at CPL 0, by the (emulated) ring-0 loop.
 *   kvm.sweep.cases_per_s    the reduced sweep (`mmref sweep --reduced`).
 *   kvm.oracle               which code walked the guest's tables.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#ifdef MMREF_HAVE_KVM
#include "kvm_diff.h"
#include "sweep.h"

#define KVM_RAM	   (256ull << 20)
#define REGION	   (128ull << 20) /* 32768 pages */
#define BATCH	   80u
#define HIT_ROUNDS 200u

/* A process with one untouched private anonymous mapping of REGION bytes; its base. */
static uint64_t bench_process(struct kvm_diff *d)
{
	struct mm_op op;
	struct mm_result r;

	memset(&op, 0, sizeof(op));
	op.kind = OP_PROCESS;
	strcpy(op.name, "bench");
	r = machine_apply(d->x.m, &op);
	if (r.kind == RES_ERROR)
		return 0;
	memset(&op, 0, sizeof(op));
	op.kind = OP_MMAP;
	op.b = REGION;
	op.prot = PROT_READ | PROT_WRITE;
	op.mflags = MAP_PRIVATE | MAP_ANONYMOUS;
	r = machine_apply(d->x.m, &op);
	return r.kind == RES_ADDR ? r.value : 0;
}

/* The model alone faults in one page per 2 MiB, so that only PTEs are missing after. */
static void make_tables(struct kvm_diff *d, uint64_t base)
{
	struct mm_op op;
	uint64_t a;

	memset(&op, 0, sizeof(op));
	op.kind = OP_TOUCH;
	op.flags = ACCESS_READ;
	op.mflags = TOUCH_USER;
	for (a = base; a < base + REGION; a += 2ull << 20) {
		op.a = a;
		(void)machine_apply(d->x.m, &op);
	}
}

static int open_kvm(struct kvm_diff *d, uint64_t *base)
{
	char why[256];
	int rc = kvm_diff_open(d, KVM_RAM, 0, why, sizeof(why));

	if (rc != 0) {
		printf("kvm.skip %s\n", why);
		return rc == 77 ? 3 : 1;
	}
	*base = bench_process(d);
	if (*base == 0 || kvm_diff_start(d) != KVM_AGREE) {
		printf("kvm.error %s\n", *base == 0 ? "no bench process" : d->report);
		kvm_diff_close(d);
		return 1;
	}
	/* kernel accesses to user pages: AC set, as copy_to_user() runs (SMAP, if on) */
	d->x.m->cpu.rflags_ac = true;
	make_tables(d, *base);
	return 0;
}

/* The next batch of fresh pages from *a on: every page of the region but the first of
 * each 2 MiB (make_tables() touched those). Returns how many (0: the region is done). */
static uint32_t next_fresh(uint64_t *addrs, uint64_t *a, uint64_t base)
{
	uint32_t n = 0;

	for (; n < BATCH && *a < base + REGION; *a += PAGE_SIZE)
		if ((*a - base) % (2ull << 20) != 0)
			addrs[n++] = *a;
	return n;
}

/* Faults/s of the floor over the region's fresh pages. */
static double floor_rate(struct kvm_diff *d, uint64_t base, uint64_t *faults)
{
	uint64_t addrs[BATCH], a = base;
	double t0 = now_ns();
	uint32_t n;

	*faults = 0;
	while ((n = next_fresh(addrs, &a, base)) > 0) {
		if (kvm_diff_floor(d, addrs, n) != 0)
			return -1;
		*faults += n;
	}
	return (double)*faults * 1e9 / (now_ns() - t0);
}

/* Faults/s of the differential loop: kernel writes to every fresh page of the region. */
static double diff_fault_rate(struct kvm_diff *d, uint64_t base, uint64_t *faults)
{
	struct access acc = {ACCESS_WRITE, false, false};
	uint64_t addrs[BATCH], a = base, before = d->st.faults;
	double t0 = now_ns();
	uint32_t n;

	while ((n = next_fresh(addrs, &a, base)) > 0)
		if (kvm_diff_touches(d, addrs, n, acc) != KVM_AGREE)
			return -1;
	*faults = d->st.faults - before;
	return (double)*faults * 1e9 / (now_ns() - t0);
}

/* Accesses/s that hit, batched: reads and writes (alternate batches) of the pages just
 * faulted in, by the user loop at CPL 3 (user) or by the ring-0 loop. */
static double hit_rate(struct kvm_diff *d, uint64_t base, bool user, uint64_t *accesses)
{
	uint64_t addrs[BATCH], before = d->st.accesses;
	double t0 = now_ns();
	uint32_t r, n;

	for (r = 0; r < HIT_ROUNDS; r++) {
		struct access acc = {r % 2 ? ACCESS_WRITE : ACCESS_READ, user, false};

		for (n = 0; n < BATCH; n++)
			addrs[n] = base + PAGE_SIZE + ((uint64_t)(r * BATCH + n) % 500) * PAGE_SIZE;
		if (kvm_diff_touches(d, addrs, BATCH, acc) != KVM_AGREE)
			return -1;
	}
	*accesses = d->st.accesses - before;
	return (double)*accesses * 1e9 / (now_ns() - t0);
}

/* The reduced sweep (its own VM), its cases/s printed as kvm.sweep.cases_per_s. */
static void sweep_rate(void)
{
	struct sweep_opts o;
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *ms = open_memstream(&buf, &len);
	int rc;

	if (ms == NULL)
		return;
	sweep_opts_default(&o);
	o.reduced = true;
	o.progress_s = 0;
	rc = sweep_run(&o, ms, stderr);
	fclose(ms);
	line = buf != NULL ? strstr(buf, "sweep.cases_per_s ") : NULL;
	if (rc == 0 && line != NULL)
		printf("kvm.%.*s (reduced sweep, every case compared)\n", (int)strcspn(line, "\n"),
		       line);
	else
		printf("kvm.sweep.error exit %d\n%s", rc, buf != NULL ? buf : "");
	free(buf);
}

int bench_kvm(void)
{
	struct kvm_diff *d = calloc(1, sizeof(*d));
	uint64_t base, nf = 0, nd = 0, na = 0, nk = 0;
	double fl, df, hits, khits;
	int rc;

	if (d == NULL)
		return 1;
	rc = open_kvm(d, &base);
	if (rc != 0) {
		free(d);
		return rc;
	}
	fl = floor_rate(d, base, &nf);
	kvm_diff_close(d);
	rc = open_kvm(d, &base);
	if (rc != 0 || fl < 0) {
		printf("kvm.error the floor run failed\n");
		free(d);
		return 1;
	}
	df = diff_fault_rate(d, base, &nd);
	hits = df < 0 ? -1 : hit_rate(d, base, true, &na);
	khits = hits < 0 ? -1 : hit_rate(d, base, false, &nk);
	if (df < 0 || hits < 0 || khits < 0) {
		printf("kvm.error %s", d->report);
		kvm_diff_close(d);
		free(d);
		return 1;
	}
	printf("kvm.floor.faults_per_s %.0f faults/s (%llu faults)\n", fl, (unsigned long long)nf);
	printf("kvm.diff.faults_per_s %.0f faults/s (%llu faults, every one compared)\n", df,
	       (unsigned long long)nd);
	printf("kvm.diff.faults_of_floor %.0f %%\n", 100.0 * df / fl);
	printf("kvm.diff.accesses_per_s %.0f accesses/s (%llu user reads and writes, batches of "
	       "%u, the user loop at CPL 3)\n",
	       hits, (unsigned long long)na, BATCH);
	printf("kvm.diff.kernel_accesses_per_s %.0f accesses/s (%llu kernel reads and writes, "
	       "batches of %u, the ring-0 loop)\n",
	       khits, (unsigned long long)nk, BATCH);
	sweep_rate();
	printf("kvm.exits %llu KVM_RUN returns (differential run)\n",
	       (unsigned long long)d->vmm.exits);
	printf("kvm.oracle %s\n", vmm_oracle(&d->vmm));
	kvm_diff_close(d);
	free(d);
	return 0;
}
#else
int bench_kvm(void)
{
	printf("kvm.skip this build has no KVM backend (x86-64 Linux only)\n");
	return 3;
}
#endif
