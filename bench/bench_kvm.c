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
 *   kvm.diff.kernel_accesses_per_s  the same at CPL 0, by ring-0 batch code (emulated).
 *   kvm.sweep.cases_per_s    the reduced sweep (`mmref sweep --reduced`).
 *   kvm.oracle               which code walked the guest's tables.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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

/*
 * Back the guest's RAM with host pages now, as a VMM preallocates guest memory: the
 * model's RAM is a lazy mapping, and the first touch of each host page (the model
 * clearing a fresh frame) would otherwise be timed as part of the differential loop,
 * which a long campaign, reusing its frames, does not pay.
 */
static void prealloc_ram(struct kvm_diff *d)
{
	size_t off;

#ifdef MADV_POPULATE_WRITE
	if (madvise(d->x.mem, d->x.mem_len, MADV_POPULATE_WRITE) == 0)
		return;
#endif
	for (off = 0; off < d->x.mem_len; off += 4096)
		((volatile uint8_t *)d->x.mem)[off] = ((volatile uint8_t *)d->x.mem)[off];
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
	prealloc_ram(d);
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

/* Fault rates, measured interleaved so that both see the same load. */
struct fault_rates {
	double floor, diff; /* faults/s */
	uint64_t nfloor, ndiff;
	double floor_host, diff_host; /* the share of the time spent outside KVM_RUN */
};

/*
 * The floor (on fl) and the differential loop (on dd: kernel writes) over every fresh
 * page of the region, batch for batch in turn, each batch timed: the machine is shared
 * and its load changes by the second, so the ratio is taken over the same moments.
 */
static int fault_rates(struct kvm_diff *fl, uint64_t fbase, struct kvm_diff *dd, uint64_t dbase,
		       struct fault_rates *r)
{
	struct access acc = {ACCESS_WRITE, false, false};
	uint64_t faddrs[BATCH], daddrs[BATCH], fa = fbase, da = dbase, before = dd->st.faults;
	double tf = 0, td = 0, t0;
	uint64_t rf = fl->vmm.run_ns, rd = dd->vmm.run_ns;
	uint32_t n;

	memset(r, 0, sizeof(*r));
	while ((n = next_fresh(faddrs, &fa, fbase)) > 0 && next_fresh(daddrs, &da, dbase) == n) {
		t0 = now_ns();
		if (kvm_diff_floor(fl, faddrs, n) != 0)
			return -1;
		tf += now_ns() - t0;
		r->nfloor += n;
		t0 = now_ns();
		if (kvm_diff_touches(dd, daddrs, n, acc) != KVM_AGREE)
			return -2;
		td += now_ns() - t0;
	}
	r->ndiff = dd->st.faults - before;
	r->floor = (double)r->nfloor * 1e9 / tf;
	r->diff = (double)r->ndiff * 1e9 / td;
	r->floor_host = 1.0 - (double)(fl->vmm.run_ns - rf) / tf;
	r->diff_host = 1.0 - (double)(dd->vmm.run_ns - rd) / td;
	return 0;
}

/* Accesses/s that hit, batched: reads and writes (alternate batches) of the pages just
 * faulted in, by the user loop at CPL 3 (user) or by ring-0 batch code. */
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
	struct kvm_diff *fl = calloc(1, sizeof(*fl)), *d = calloc(1, sizeof(*d));
	uint64_t fbase, base, na = 0, nk = 0;
	struct fault_rates fr;
	double hits = -1, khits = -1;
	int rc = 1;

	if (fl == NULL || d == NULL || (rc = open_kvm(fl, &fbase)) != 0) {
		free(fl);
		free(d);
		return rc;
	}
	rc = open_kvm(d, &base);
	if (rc != 0) {
		kvm_diff_close(fl);
		free(fl);
		free(d);
		return rc;
	}
	rc = fault_rates(fl, fbase, d, base, &fr);
	kvm_diff_close(fl);
	free(fl);
	if (rc == 0)
		hits = hit_rate(d, base, true, &na);
	if (hits >= 0)
		khits = hit_rate(d, base, false, &nk);
	if (rc != 0 || khits < 0) {
		printf("kvm.error %s", rc == -1 ? "the floor run failed\n" : d->report);
		kvm_diff_close(d);
		free(d);
		return 1;
	}
	printf("kvm.floor.faults_per_s %.0f faults/s (%llu faults)\n", fr.floor,
	       (unsigned long long)fr.nfloor);
	printf("kvm.diff.faults_per_s %.0f faults/s (%llu faults, every one compared)\n", fr.diff,
	       (unsigned long long)fr.ndiff);
	printf("kvm.diff.faults_of_floor %.0f %% (batches of %u, floor and diff in turn)\n",
	       100.0 * fr.diff / fr.floor, BATCH);
	printf("kvm.diff.host_share %.1f %% of the time outside KVM_RUN (floor %.1f %%)\n",
	       100.0 * fr.diff_host, 100.0 * fr.floor_host);
	printf("kvm.diff.accesses_per_s %.0f accesses/s (%llu user reads and writes, batches of "
	       "%u, the user loop at CPL 3)\n",
	       hits, (unsigned long long)na, BATCH);
	printf("kvm.diff.kernel_accesses_per_s %.0f accesses/s (%llu kernel reads and writes, "
	       "batches of %u, ring-0 batch code)\n",
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
