/* SPDX-License-Identifier: MIT */
/*
 * kvm_fuzz.c - one VM per campaign and the reset between inputs. See kvm_fuzz.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/userfaultfd.h>

/* after <signal.h>: the model defines SEGV_* only where libc has not */
#include "kvm_fuzz.h"

/* Linux 6.7 uapi, absent from older headers (linux/fs.h, linux/userfaultfd.h). */
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef PAGEMAP_SCAN
struct page_region {
	uint64_t start, end, categories;
};
struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define PAGEMAP_SCAN	_IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_WRITTEN (1 << 1)
#endif

#define HOST_PAGE 4096ull
#define SCAN_VEC  256

/* One object restored at every reset. */
struct region {
	const char *name;
	uint8_t *base; /* the object */
	size_t len;
	uint8_t *snap;	       /* its bytes at the snapshot */
	bool tracked;	       /* registered with userfaultfd (else copied whole) */
	uint64_t pstart, pend; /* the host pages that cover it */
};

enum { R_RAM, R_MACHINE, R_PAGES, NR_REGIONS };

/* A word of a page table to store again through the guest. */
struct pending {
	uint64_t paddr, value;
};

static struct {
	int state; /* 0 not opened, 1 ready, 2 KVM unavailable */
	struct kvm_diff *d;
	struct kvm_diff saved;
	struct region r[NR_REGIONS];
	int uffd, pagemap;
	bool verify;	   /* MMREF_KVM_FUZZ_VERIFY: compare every region after each reset */
	bool force_resync; /* MMREF_KVM_FUZZ_RESYNC: vmm_resync() even with mark_tables */
	/* guest restore (see kvm_fuzz_begin()), or NULL; a byte per frame: a table now or at
	 * the snapshot (tables), at the snapshot (snap_tables) */
	void (*mark_tables)(const struct kvm_diff *d, uint8_t *map);
	uint8_t *tables, *snap_tables;
	bool guest_restore;	 /* this reset puts the tables' words back through the guest */
	bool lazy;		 /* ... in the input's first batch (kvm_fuzz_begin()) */
	struct pending *pending; /* words of table pages to put back through the guest */
	size_t nr_pending, max_pending;
	struct kvm_fuzz_stats st;
	struct sigaction prev_alarm, vmm_alarm;
} kf = {.uffd = -1, .pagemap = -1};

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void die(const char *target, const char *what, const char *why)
{
	fprintf(stderr, "%s: %s: %s\n", target, what, why);
	fflush(stderr);
	abort();
}

/* SIGALRM: the VMM's watchdog and libFuzzer's timeout both see every tick. */
static void call_handler(const struct sigaction *sa, int sig, siginfo_t *si, void *uc)
{
	if (sa->sa_flags & SA_SIGINFO) {
		if (sa->sa_sigaction != NULL)
			sa->sa_sigaction(sig, si, uc);
	} else if (sa->sa_handler != SIG_DFL && sa->sa_handler != SIG_IGN) {
		sa->sa_handler(sig);
	}
}

static void chained_alarm(int sig, siginfo_t *si, void *uc)
{
	call_handler(&kf.vmm_alarm, sig, si, uc);
	call_handler(&kf.prev_alarm, sig, si, uc);
}

static void chain_alarm(void)
{
	struct sigaction sa;
	bool prev_is_fn =
	    (kf.prev_alarm.sa_flags & SA_SIGINFO)
		? kf.prev_alarm.sa_sigaction != NULL
		: kf.prev_alarm.sa_handler != SIG_DFL && kf.prev_alarm.sa_handler != SIG_IGN;

	if (!prev_is_fn || sigaction(SIGALRM, NULL, &kf.vmm_alarm) != 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = chained_alarm;
	sa.sa_flags = SA_SIGINFO | (kf.prev_alarm.sa_flags & SA_ONSTACK); /* no SA_RESTART:
		KVM_RUN must return EINTR for the watchdog */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
}

/* Dirty tracking ---------------------------------------------------------------------- */

static int uffd_open(void)
{
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0 && errno == EPERM) /* vm.unprivileged_userfaultfd = 0: user faults only
					 (asynchronous write-protect never calls out anyway) */
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	return fd;
}

static bool protect(uint64_t start, uint64_t len)
{
	struct uffdio_writeprotect wp;

	memset(&wp, 0, sizeof(wp));
	wp.range.start = start;
	wp.range.len = len;
	wp.mode = UFFDIO_WRITEPROTECT_MODE_WP;
	return ioctl(kf.uffd, UFFDIO_WRITEPROTECT, &wp) == 0;
}

/* Register the large regions; false (and nothing registered) when the kernel cannot. */
static bool tracking_on(void)
{
	struct uffdio_api api;
	uint32_t i;

	kf.uffd = uffd_open();
	if (kf.uffd < 0)
		return false;
	memset(&api, 0, sizeof(api));
	api.api = UFFD_API;
	api.features = UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED;
	kf.pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (kf.pagemap < 0 || ioctl(kf.uffd, UFFDIO_API, &api) != 0)
		goto off;
	for (i = 0; i < NR_REGIONS; i++) {
		struct region *r = &kf.r[i];
		struct uffdio_register reg;
		struct page_region vec[1];
		struct pm_scan_arg a;

		if (i == R_PAGES)
			continue; /* small, and on the malloc heap: copied whole */
		r->pstart = (uint64_t)(uintptr_t)r->base & ~(HOST_PAGE - 1);
		r->pend =
		    ((uint64_t)(uintptr_t)r->base + r->len + HOST_PAGE - 1) & ~(HOST_PAGE - 1);
		memset(&reg, 0, sizeof(reg));
		reg.range.start = r->pstart;
		reg.range.len = r->pend - r->pstart;
		reg.mode = UFFDIO_REGISTER_MODE_WP;
		if (ioctl(kf.uffd, UFFDIO_REGISTER, &reg) != 0)
			goto off;
		r->tracked = true;
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.start = r->pstart;
		a.end = r->pend;
		a.vec = (uint64_t)(uintptr_t)vec;
		a.vec_len = 1;
		a.category_mask = a.return_mask = PAGE_IS_WRITTEN;
		if (ioctl(kf.pagemap, PAGEMAP_SCAN, &a) < 0 ||
		    !protect(r->pstart, r->pend - r->pstart))
			goto off;
	}
	return true;
off:
	for (i = 0; i < NR_REGIONS; i++)
		kf.r[i].tracked = false;
	if (kf.uffd >= 0)
		close(kf.uffd); /* unregisters everything */
	if (kf.pagemap >= 0)
		close(kf.pagemap);
	kf.uffd = kf.pagemap = -1;
	return false;
}

/* The words of RAM [from, to) that differ from the snapshot in pages the target calls
 * page tables: they go back through the guest, so that KVM's shadow MMU sees them. */
static void note_table_words(uint64_t from, uint64_t to)
{
	const uint64_t *now = (const uint64_t *)kf.r[R_RAM].base;
	const uint64_t *was = (const uint64_t *)kf.r[R_RAM].snap;
	uint64_t page, w;

	for (page = from; page < to; page += HOST_PAGE) {
		if (!kf.tables[page / HOST_PAGE])
			continue;
		for (w = page / 8; w < (page + HOST_PAGE) / 8; w++) {
			if (now[w] == was[w])
				continue;
			if (kf.nr_pending == kf.max_pending) {
				size_t n = kf.max_pending ? 2 * kf.max_pending : 1024;
				struct pending *p = realloc(kf.pending, n * sizeof(*p));

				if (p == NULL)
					die("kvm_fuzz", "reset", "no memory");
				kf.pending = p;
				kf.max_pending = n;
			}
			kf.pending[kf.nr_pending++] = (struct pending){w * 8, was[w]};
		}
	}
}

/* Copy back the pages of r written since the last reset, and protect them again. */
static bool restore_tracked(struct region *r)
{
	struct page_region vec[SCAN_VEC];
	uint64_t start = r->pstart, obj = (uint64_t)(uintptr_t)r->base, end = obj + r->len;

	while (start < r->pend) {
		struct pm_scan_arg a;
		long n, i;

		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.start = start;
		a.end = r->pend;
		a.vec = (uint64_t)(uintptr_t)vec;
		a.vec_len = SCAN_VEC;
		a.category_mask = a.return_mask = PAGE_IS_WRITTEN;
		n = ioctl(kf.pagemap, PAGEMAP_SCAN, &a);
		if (n < 0)
			return false;
		for (i = 0; i < n; i++) {
			uint64_t s = vec[i].start > obj ? vec[i].start : obj;
			uint64_t e = vec[i].end < end ? vec[i].end : end;

			if (s < e && r == &kf.r[R_RAM] && kf.guest_restore)
				note_table_words(s - obj, e - obj);
			if (s < e)
				memcpy(r->base + (s - obj), r->snap + (s - obj), (size_t)(e - s));
			if (!protect(vec[i].start, vec[i].end - vec[i].start))
				return false;
			kf.st.pages_copied += (vec[i].end - vec[i].start) / HOST_PAGE;
		}
		if (n < SCAN_VEC || a.walk_end <= start)
			break;
		start = a.walk_end;
	}
	return true;
}

/* Snapshot and reset ------------------------------------------------------------------ */

/* A guest waiting at a fault exit goes back to its idle loop. */
static bool quiesce(struct kvm_diff *d, char *why, size_t len)
{
	return kvm_diff_quiesce(d, why, len) == 0;
}

#define CR0_WP	 (1ull << 16)
#define CR4_LA57 (1ull << 12)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define CR4_PKE	 (1ull << 22)
#define EFER_NXE (1ull << 11)

/*
 * The vCPU ready for guest stores on the tables at cr3: they go through the linear map,
 * whose entries have NX, a reserved bit without EFER.NXE, so NXE is set if clear (the
 * next access loads the model's mode).
 */
static bool ready_to_store(struct kvm_diff *d, uint64_t cr3, char *why, size_t len)
{
	const struct vmm *v = &d->vmm;
	struct vmm_cpu c = {(v->cr0 & CR0_WP) != 0,
			    (v->cr4 & CR4_SMEP) != 0,
			    (v->cr4 & CR4_SMAP) != 0,
			    (v->cr4 & CR4_PKE) != 0,
			    (v->cr4 & CR4_LA57) != 0,
			    true,
			    cr3};

	return vmm_set_cpu(&d->vmm, &c, why, len) == 0;
}

/* Run the commands queued and not run yet (an input's stores it did not use, a reset's). */
static bool drain(struct kvm_diff *d, char *why, size_t len)
{
	if (d->queued == 0)
		return true;
	if (!ready_to_store(d, d->vmm.cr3, why, len))
		return false;
	return kvm_diff_run_queued(d, why, len) == 0;
}

/* Whether a process owes a TLB flush, or the loop an emptied TLB: tables may have been
 * freed that KVM still shadows, and only a resync makes it forget them. */
static bool flush_owed(const struct kvm_diff *d)
{
	uint32_t i;

	if (d->flush_all)
		return true;
	for (i = 0; i < MACHINE_MAX_PROCS; i++)
		if (d->x.m->procs[i].mm.tlb_flush_start < d->x.m->procs[i].mm.tlb_flush_end)
			return true;
	return false;
}

static void reset(const char *target)
{
	struct kvm_diff *d = kf.d;
	struct vmm live;
	uint32_t pkru;
	bool pkru_loaded, ac_loaded;
	struct kvm_diff_stats st;
	char why[256];
	double t0 = now_us(), t1;
	uint32_t i;

	if (!quiesce(d, why, sizeof(why)) || !drain(d, why, sizeof(why)))
		die(target, "the guest does not return to its loop", why);
	kf.guest_restore = kf.mark_tables != NULL && !kf.force_resync && !flush_owed(d);
	if (kf.guest_restore) {
		/* the tables now: each must have been one at the snapshot (else its shadow
		 * page would outlive the restore); then those of the snapshot too */
		memset(kf.tables, 0, d->x.m->phys.nr_pages);
		kf.mark_tables(d, kf.tables);
		for (i = 0; i < d->x.m->phys.nr_pages; i++) {
			if (kf.tables[i] && !kf.snap_tables[i])
				kf.guest_restore = false;
			kf.tables[i] |= kf.snap_tables[i];
		}
		if (!kf.guest_restore)
			kf.st.new_table_resets++;
	}
	for (i = 0; i < NR_REGIONS; i++) {
		struct region *r = &kf.r[i];

		if (!r->tracked) {
			memcpy(r->base, r->snap, r->len);
			kf.st.pages_copied += (r->len + HOST_PAGE - 1) / HOST_PAGE;
		} else if (!restore_tracked(r)) {
			die(target, "dirty-page tracking failed", strerror(errno));
		}
	}
	if (kf.verify) /* a check of the tracking itself: everything is back */
		for (i = 0; i < NR_REGIONS; i++)
			if (memcmp(kf.r[i].base, kf.r[i].snap, kf.r[i].len) != 0)
				die(target, "MMREF_KVM_FUZZ_VERIFY: not restored", kf.r[i].name);
	/* the loop's own fields as at the snapshot; the vCPU's as they are */
	live = d->vmm;
	pkru = d->pkru;
	pkru_loaded = d->pkru_loaded;
	ac_loaded = d->ac_loaded;
	st = d->st;
	*d = kf.saved;
	d->vmm = live;
	d->pkru = pkru;
	d->pkru_loaded = pkru_loaded;
	d->ac_loaded = ac_loaded;
	d->st = st;
	if (kf.guest_restore) {
		/* the tables' words back through the guest, on the snapshot's CR3 (the first
		 * access then finds it loaded: no CR3 change, no resync in prepare()), then a
		 * CR3 reload (KVM syncs the shadow pages it did not write-protect), at once */
		size_t k;

		if (!ready_to_store(d, kf.lazy ? d->vmm.cr3 : kf.saved.vmm.cr3, why, sizeof(why)))
			die(target, "the guest cannot store", why);
		for (k = 0; k < kf.nr_pending; k++)
			kvm_diff_store(d, kf.pending[k].paddr, kf.pending[k].value);
		kf.st.guest_stores += kf.nr_pending;
		kf.nr_pending = 0;
		if (!kf.lazy) {
			kvm_diff_flush(d, 0);
			d->st.flushes--; /* the reset's, not the input's */
		}
		if (d->store_failed || (!kf.lazy && !drain(d, why, sizeof(why))))
			die(target, "the guest does not take the restored tables", why);
		kf.st.resets++;
		kf.st.reset_us += now_us() - t0;
		return;
	}
	kf.st.resync_resets++;
	kf.nr_pending = 0;
	d->vmm.cr3 = kf.saved.vmm.cr3; /* what prepare() compares against: as at the snapshot */
	d->vmm.sregs_valid = false;    /* the next access reloads CR0/CR4/EFER/CR3 */
	t1 = now_us();
	if (vmm_resync(&d->vmm, why, sizeof(why)) != 0)
		die(target, "vmm_resync", why);
	t1 = now_us() - t1;
	kf.st.resync_us += t1;
	kf.st.slow_resyncs += t1 > 1000.0;
	kf.st.resets++;
	kf.st.reset_us += now_us() - t0;
}

static void print_stats(void)
{
	const struct kvm_fuzz_stats *s = &kf.st;

	if (kf.d != NULL)
		fprintf(stderr,
			"kvm_fuzz: %" PRIu64 " ops, %" PRIu64 " accesses compared (%" PRIu64
			" faults), %" PRIu64 " flushes, %" PRIu64 " KVM_RUN exits, %" PRIu64
			" resyncs; oracle: %s\n",
			kf.d->st.ops, kf.d->st.accesses, kf.d->st.faults, kf.d->st.flushes,
			kf.d->vmm.exits, kf.d->vmm.resyncs, vmm_oracle(&kf.d->vmm));
	if (s->resets == 0)
		return;
	fprintf(stderr,
		"kvm_fuzz: %" PRIu64 " resets (%s), %.1f us each (a vmm_resync %.1f us; %" PRIu64
		" resyncs over 1 ms), %.1f pages copied each\n",
		s->resets, s->tracked ? "userfaultfd dirty pages" : "whole copies",
		s->reset_us / (double)s->resets,
		s->resync_resets ? s->resync_us / (double)s->resync_resets : 0.0, s->slow_resyncs,
		(double)s->pages_copied / (double)s->resets);
	if (kf.mark_tables != NULL)
		fprintf(stderr,
			"kvm_fuzz: %.1f table words put back by guest stores per reset; %" PRIu64
			" resets resynced instead (%" PRIu64 " for tables the snapshot lacks, the "
			"rest for a flush owed)\n",
			(double)s->guest_stores / (double)s->resets, s->resync_resets,
			s->new_table_resets);
}

struct kvm_diff *kvm_fuzz_begin(const char *target, uint64_t ram,
				int (*setup)(struct kvm_diff *d, char *why, size_t len),
				void (*mark_tables)(const struct kvm_diff *d, uint8_t *map),
				bool lazy)
{
	struct kvm_diff *d;
	enum kvm_verdict v;
	char why[256];
	uint32_t i;
	int rc;

	if (kf.state == 2)
		return NULL;
	if (kf.state == 1) {
		reset(target);
		return kf.d;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		die(target, "set-up", "no memory");
	sigaction(SIGALRM, NULL, &kf.prev_alarm);
	rc = kvm_diff_open(d, ram, 4, why, sizeof(why));
	if (rc == 0) {
		chain_alarm();
		v = kvm_diff_start(d);
		if (v == KVM_UNSUPPORTED) {
			snprintf(why, sizeof(why), "%s", d->report);
			kvm_diff_close(d);
			rc = 77;
		} else if (v != KVM_AGREE) {
			die(target, "the guest does not start", d->report);
		}
	}
	if (rc == 77) {
		printf("SKIP: %s: KVM cannot run here: %s\n", target, why);
		fflush(stdout);
		free(d);
		kf.state = 2;
#ifdef MMREF_KVM_FUZZ_REPLAY
		exit(77);
#endif
		return NULL;
	}
	if (rc != 0)
		die(target, "kvm_diff_open", why);
	why[0] = '\0';
	if (setup(d, why, sizeof(why)) != 0)
		die(target, "set-up", why);
	/* the snapshot, the set-up's host writes known to KVM */
	if (!quiesce(d, why, sizeof(why)) || vmm_resync(&d->vmm, why, sizeof(why)) != 0)
		die(target, "the guest does not return to its loop", why);
	if (d->vmm.cr3 == 0) {
		/* kvm_diff_start() on a machine it boots itself leaves CR3 at 0 (it takes the
		 * kernel's PGD before paging_init()): the resets run the guest, so put it on
		 * the current process's tables (or the kernel's) */
		const struct cpu_state *c = &d->x.m->cpu;
		const struct mm_struct *mm = machine_current_mm(d->x.m);
		struct vmm_cpu vc = {
		    c->cr0_wp,
		    c->cr4_smep,
		    c->cr4_smap,
		    c->cr4_pke,
		    c->cr4_la57,
		    c->efer_nxe,
		    (uint64_t)(mm != NULL && mm->pgd != 0 ? mm->pgd : d->x.m->env.kernel_pgd) *
			PAGE_SIZE};

		if (vmm_set_cpu(&d->vmm, &vc, why, sizeof(why)) != 0)
			die(target, "the vCPU refuses the model's CPU state", why);
	}
	/* the resync above emptied what plays the TLB: nothing is owed at the snapshot
	 * (else every reset would find a flush owed and resync) */
	for (i = 0; i < MACHINE_MAX_PROCS; i++)
		d->x.m->procs[i].mm.tlb_flush_start = d->x.m->procs[i].mm.tlb_flush_end = 0;
	kf.d = d;
	kf.r[R_RAM] =
	    (struct region){"guest RAM", (uint8_t *)d->x.mem, d->x.mem_len, NULL, false, 0, 0};
	kf.r[R_MACHINE] = (struct region){
	    "struct machine", (uint8_t *)d->x.m, sizeof(*d->x.m), NULL, false, 0, 0};
	kf.r[R_PAGES] = (struct region){"struct page[]",
					(uint8_t *)d->x.pages,
					(size_t)d->x.m->phys.nr_pages * sizeof(*d->x.pages),
					NULL,
					false,
					0,
					0};
	for (i = 0; i < NR_REGIONS; i++) {
		kf.r[i].snap = malloc(kf.r[i].len);
		if (kf.r[i].snap == NULL)
			die(target, "snapshot", "no memory");
		memcpy(kf.r[i].snap, kf.r[i].base, kf.r[i].len);
	}
	d->queued = 0;
	d->flush_all = false;
	d->store_failed = false;
	d->report[0] = '\0';
	kf.saved = *d;
	kf.st.tracked = getenv("MMREF_KVM_FUZZ_NO_TRACKING") == NULL && tracking_on();
	kf.verify = getenv("MMREF_KVM_FUZZ_VERIFY") != NULL;
	kf.force_resync = getenv("MMREF_KVM_FUZZ_RESYNC") != NULL;
	if (kf.st.tracked && mark_tables != NULL) { /* whole copies: no page list */
		kf.tables = calloc(d->x.m->phys.nr_pages, 1);
		kf.snap_tables = calloc(d->x.m->phys.nr_pages, 1);
		if (kf.tables == NULL || kf.snap_tables == NULL)
			die(target, "snapshot", "no memory");
		mark_tables(d, kf.snap_tables);
		kf.mark_tables = mark_tables;
		kf.lazy = lazy;
	}
	if (getenv("MMREF_KVM_FUZZ_STATS") != NULL)
		atexit(print_stats);
	kf.state = 1;
	reset(target); /* the first input starts exactly as every later one */
	kf.st.resets = 0;
	kf.st.pages_copied = 0;
	kf.st.reset_us = kf.st.resync_us = 0;
	kf.st.slow_resyncs = 0;
	kf.st.guest_stores = 0;
	kf.st.resync_resets = 0;
	kf.st.new_table_resets = 0;
	return d;
}

bool kvm_fuzz_verdict(struct kvm_diff *d, enum kvm_verdict v, const char *what)
{
	if (v == KVM_AGREE)
		return true;
	if (v == KVM_UNSUPPORTED)
		return false;
	printf("%s: %s\n%s", v == KVM_DIFFER ? "KVM DIFFERS" : "KVM BROKEN", what, d->report);
	printf("oracle: %s\n", vmm_oracle(&d->vmm));
	fflush(stdout);
	abort();
}

struct kvm_fuzz_stats kvm_fuzz_stats(void)
{
	return kf.st;
}
