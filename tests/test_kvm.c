/* SPDX-License-Identifier: MIT */
/*
 * test_kvm.c - the KVM differential loop finds differences: with every predicted #PF
 * error code corrupted (kvm_diff.mutate), a faulting touch must be reported as differing,
 * with the kvm-unit-tests style report; without it, the same touch agrees. Skips (77)
 * where KVM cannot run.
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
	free(d);
	return test_summary();
}
