/* SPDX-License-Identifier: MIT */
/*
 * test_kvm.c - the KVM differential loop finds differences: with every predicted #PF
 * error code corrupted (kvm_diff.mutate), a faulting touch must be reported as differing,
 * with the kvm-unit-tests style report; without it, the same touch agrees. The batched
 * paths likewise: the user loop (CPL 3, reads checked in the loop) and ring-0 batch code
 * must report a wrong error code and a wrong value read (kvm_diff.mutate_paddr: every
 * read predicted a page off). What cannot run is said as such, with by whom: "unsupported
 * on this vCPU (FEATURE: ...)" for a mode the vCPU lacks, "unsupported by the KVM
 * backend: ..." for what the backend does not do. Skips (77) where KVM cannot run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_diff.h"
#include "names.h"
#include "test.h"

/* A step the rest depends on: report it and stop at once when it fails. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		bool ok_ = (cond);                                                                 \
		report(ok_, "%s", #cond);                                                          \
		if (!ok_)                                                                          \
			exit(test_summary());                                                      \
	} while (0)

static enum kvm_verdict run(struct kvm_diff *d, bool mutate, const char *text)
{
	struct trace t;
	char err[256];
	enum kvm_verdict v = KVM_AGREE;
	uint32_t i;

	CHECK(trace_parse_buffer("test", text, strlen(text), &t, err, sizeof(err)) == 0);
	CHECK(kvm_diff_open(d, t.ram, t.nr_names, err, sizeof(err)) == 0);
	d->mutate = mutate;
	for (i = 0; i < t.nr_items && v == KVM_AGREE; i++) {
		struct mm_result r;

		if (t.items[i].kind == TRACE_OP && t.items[i].op.kind != TRACE_OP_RAM)
			v = kvm_diff_op(d, &t.items[i].op, &r);
	}
	trace_free(&t);
	return v;
}

/* A process with 16 untouched pages at x (the trace's first name). */
static const char pages_text[] = "process p\n"
				 "x = mmap 0 64K rw private|anonymous\n";
#define NPAGES 16

static void page_addrs(const struct kvm_diff *d, uint64_t *a)
{
	uint32_t i;

	for (i = 0; i < NPAGES; i++)
		a[i] = d->x.slots[0] + (uint64_t)i * 4096;
}

static enum kvm_verdict batch(struct kvm_diff *d, enum access_type t, bool user)
{
	uint64_t a[NPAGES];
	struct access acc = {t, user, false};

	page_addrs(d, a);
	return kvm_diff_touches(d, a, NPAGES, acc);
}

/* The user loop faults the pages in (writes), then reads and writes them: all agree,
 * every access compared; a ring-0 batch the same. */
static void test_batches_agree(struct kvm_diff *d)
{
	uint64_t faults;

	CHECK(run(d, false, pages_text) == KVM_AGREE);
	faults = d->st.faults;
	report(batch(d, ACCESS_WRITE, true) == KVM_AGREE, "user writes to fresh pages: %s",
	       d->report);
	report(d->st.faults - faults == NPAGES, "one fault a page in the user loop");
	report(batch(d, ACCESS_READ, true) == KVM_AGREE, "user reads: %s", d->report);
	report(batch(d, ACCESS_READ, true) == KVM_AGREE, "user reads again: %s", d->report);
	report(batch(d, ACCESS_WRITE, true) == KVM_AGREE, "user writes: %s", d->report);
	report(batch(d, ACCESS_READ, false) == KVM_AGREE, "kernel reads: %s", d->report);
	report(batch(d, ACCESS_WRITE, false) == KVM_AGREE, "kernel writes: %s", d->report);
	report(batch(d, ACCESS_READ, true) == KVM_AGREE, "user reads after: %s", d->report);
	kvm_diff_close(d);
}

/* A wrong error code at a fault in the user loop is found. */
static void test_user_loop_finds_a_wrong_error_code(struct kvm_diff *d)
{
	CHECK(run(d, false, pages_text) == KVM_AGREE);
	d->mutate = true;
	report(batch(d, ACCESS_WRITE, true) == KVM_DIFFER, "a wrong error code");
	report(strstr(d->report, "the error codes differ") != NULL, "%s", d->report);
	kvm_diff_close(d);
}

/* A value read that is not the predicted one: the user loop stops at it, the ring-0
 * loop's stored value is compared. */
static void test_batches_find_a_wrong_value(struct kvm_diff *d, bool user)
{
	CHECK(run(d, false, pages_text) == KVM_AGREE);
	CHECK(batch(d, ACCESS_WRITE, true) == KVM_AGREE);
	d->mutate_paddr = true;
	report(batch(d, ACCESS_READ, user) == KVM_DIFFER, "a wrong value (%s)",
	       user ? "user loop" : "ring-0 batch");
	report(strstr(d->report, "the value read is not") != NULL, "%s", d->report);
	kvm_diff_close(d);
}

/* A trace the vCPU cannot run, and one the backend does not run: both KVM_UNSUPPORTED,
 * each report saying by whom. */
static void test_unsupported_says_by_whom(struct kvm_diff *d)
{
	static const char no_vdso[] = "process p\n"
				      "munmap 0x7ffff7ffd000 8K\n"
				      "touch 0x7ffff7ffd000 r\n";
	uint32_t maxphyaddr;
	bool la57;
	char text[64];

	report(run(d, false, no_vdso) == KVM_UNSUPPORTED, "no [vdso] to run user code from");
	report(strstr(d->report, "kvm: unsupported by the KVM backend: ") != NULL, "%s", d->report);
	maxphyaddr = d->vmm.feat.maxphyaddr;
	la57 = vmm_has_la57(&d->vmm);
	kvm_diff_close(d);

	snprintf(text, sizeof(text), "cpu maxphyaddr %u\n", maxphyaddr == 40 ? 39 : 40);
	report(run(d, false, text) == KVM_UNSUPPORTED, "another MAXPHYADDR");
	report(strstr(d->report, "kvm: unsupported on this vCPU (MAXPHYADDR: ") != NULL, "%s",
	       d->report);
	kvm_diff_close(d);

	if (la57) /* nothing this vCPU lacks to ask about here */
		return;
	report(run(d, false, "cpu la57 1\nprocess p\n") == KVM_UNSUPPORTED, "5-level paging");
	report(strstr(d->report, "kvm: unsupported on this vCPU (LA57: ") != NULL, "%s", d->report);
	kvm_diff_close(d);
}

int main(void)
{
	static const char text[] = "process p\n"
				   "x = mmap 0 8K rw private|anonymous\n"
				   "touch x w\n";
	struct kvm_diff *d = calloc(1, sizeof(*d));
	char why[256];
	int rc;

	CHECK(d != NULL);
	rc = kvm_diff_open(d, 64ull << 20, 0, why, sizeof(why));
	if (rc == 77) {
		printf("SKIP: KVM cannot run here: %s\n", why);
		free(d);
		return 77;
	}
	CHECK(rc == 0);
	kvm_diff_close(d);

	CHECK(run(d, false, text) == KVM_AGREE);
	kvm_diff_close(d);
	CHECK(run(d, true, text) == KVM_DIFFER);
	CHECK(strstr(d->report, "the error codes differ") != NULL);
	CHECK(strstr(d->report, "pte") != NULL);
	printf("%s", d->report);
	kvm_diff_close(d);

	test_batches_agree(d);
	test_user_loop_finds_a_wrong_error_code(d);
	test_batches_find_a_wrong_value(d, true);
	test_batches_find_a_wrong_value(d, false);
	test_unsupported_says_by_whom(d);
	free(d);
	return test_summary();
}
