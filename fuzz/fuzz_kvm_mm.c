/* SPDX-License-Identifier: MIT */
/*
 * fuzz_kvm_mm.c - libFuzzer target: fuzz_mm's op sequences (two processes, mmap, munmap,
 * mprotect, brk, switches, user touches) through the whole model, with every touch
 * performed by a KVM guest on the model's own page tables and compared
 * (kvm_diff_mm_op()): fault or not, vector, error code, CR2, the data, and A/D at every
 * level; between the guest's attempts the model's fault handler writes the tables, and
 * the TLB flushes the model owes reach the guest.
 *
 * How it works
 * ------------
 * The bytes decode as fuzz_mm's, by fuzz_mm's own decoder (harness/fuzzing.h,
 * fuzz_mm_decode_op()), so the two corpora mix: the first byte (fuzz_mm's RAM size) is
 * read and ignored, then every 4 bytes are one op: kind, page, length, prot/flags --
 * mmap (fixed or hint-less, private or shared, populate), munmap, mprotect, brk, a touch
 * in the heap, below the stack or in a 64-page arena, a switch to the other process --
 * at most FUZZ_MM_MAX_OPS ops in all, fuzz_mm's set-up ops counted. Its touches are
 * 8-aligned, as the guest's accesses are (8-byte loads and stores, compared as one
 * word).
 *
 * One VM for the whole campaign (fuzz/kvm_fuzz.h): 4 MiB of guest RAM (fuzz_mm's
 * machines have 2-5 MiB), reset before every input to a snapshot taken after fuzz_mm's
 * set-up (a warm-up process created and gone, the vm_area_struct cache shrunk, processes
 * a and b created, b current) and, in each process, a write to a first heap page (brk
 * up, and down again), a fetch from [vdso] and a read at the stack's bottom. Those put
 * the page tables where the inputs touch into the snapshot, so that most resets can put
 * the tables back through the guest instead of resyncing KVM's shadow MMU (kvm_fuzz.h,
 * mark_tables()); an input therefore starts with those pages present, which fuzz_mm's
 * do not.
 *
 * fuzz_mm's own checks (validators, the VMA-set expectation of each touch, the leak
 * check) are fuzz_mm's: here the guest is the oracle. A difference (KVM_DIFFER) or a
 * failed guest (KVM_BROKEN) prints the report and the ops so far as a trace (which
 * `mmref check --backend kvm` replays) and aborts: libFuzzer keeps the input.
 * KVM_UNSUPPORTED ends the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_bytes.h"
#include "fuzzing.h"
#include "kvm_fuzz.h"
#include "names.h"

#define KM_RAM (4ull << 20)

static uint64_t arena[2];

/* The ops of this input, for the report. */
static struct mm_op log_ops[FUZZ_MM_MAX_OPS];
static uint32_t nr_logged, nr_setup_logged;

static enum kvm_verdict step(struct kvm_diff *d, const struct mm_op *op, struct mm_result *res)
{
	if (nr_logged < FUZZ_MM_MAX_OPS)
		log_ops[nr_logged++] = *op;
	return kvm_diff_mm_op(d, op, res);
}

static int named(struct kvm_diff *d, enum mm_op_kind kind, const char *name)
{
	struct mm_op op;
	struct mm_result res;

	memset(&op, 0, sizeof(op));
	op.kind = kind;
	snprintf(op.name, sizeof(op.name), "%s", name);
	if (step(d, &op, &res) != KVM_AGREE)
		return -1;
	return res.kind == RES_ERROR ? -1 : 0;
}

/* A user touch of the set-up, compared like any; it must complete. */
static int prefault(struct kvm_diff *d, uint64_t addr, enum access_type t)
{
	struct mm_op op;
	struct mm_result res;

	memset(&op, 0, sizeof(op));
	op.kind = OP_TOUCH;
	op.a = addr;
	op.flags = t;
	op.mflags = TOUCH_USER;
	if (addr == 0 || step(d, &op, &res) != KVM_AGREE)
		return -1;
	return res.touch.done ? 0 : -1;
}

static int brk_to(struct kvm_diff *d, uint64_t addr)
{
	struct mm_op op;
	struct mm_result res;

	memset(&op, 0, sizeof(op));
	op.kind = OP_BRK;
	op.a = addr;
	return step(d, &op, &res) == KVM_AGREE && res.kind != RES_ERROR ? 0 : -1;
}

/*
 * fuzz_mm's set-up: the warm-up process, then a and b, and their arenas; then in each
 * process a write to a first heap page (brk up and down again), a fetch from [vdso] and a
 * read at the stack's bottom, so that the page tables where the inputs touch are in the
 * snapshot.
 */
static int setup(struct kvm_diff *d, char *why, size_t len)
{
	struct machine *m = d->x.m;
	uint32_t i;

	nr_logged = 0;
	if (named(d, OP_PROCESS, "warmup") != 0 || named(d, OP_EXIT, "warmup") != 0 ||
	    named(d, OP_KMEM_CACHE_SHRINK, "vm_area_struct") != 0) {
		snprintf(why, len, "the warm-up process failed");
		return -1;
	}
	for (i = 0; i < 2; i++) {
		if (named(d, OP_PROCESS, fuzz_mm_procs[i]) != 0) {
			snprintf(why, len, "process %s could not be created", fuzz_mm_procs[i]);
			return -1;
		}
		arena[i] = fuzz_mm_arena(m);
	}
	/* page tables into the snapshot where the inputs touch (see the header) */
	for (i = 0; i < 2; i++) {
		struct mm_struct *mm;

		if (named(d, OP_SWITCH, fuzz_mm_procs[i]) != 0) {
			snprintf(why, len, "switch to %s failed", fuzz_mm_procs[i]);
			return -1;
		}
		mm = machine_current_mm(m);
		/* the brk shrink owes a flush: the touches after it take it (the snapshot owes
		 * none, or every reset would resync) */
		if (brk_to(d, mm->start_brk + PAGE_SIZE) != 0 ||
		    prefault(d, mm->start_brk, ACCESS_WRITE) != 0 ||
		    brk_to(d, mm->start_brk) != 0 ||
		    prefault(d, kvm_diff_vdso_start(d, mm), ACCESS_FETCH) != 0 ||
		    prefault(d, mm->start_stack - 0x21000, ACCESS_READ) != 0) {
			snprintf(why, len, "the set-up's touches in %s failed", fuzz_mm_procs[i]);
			return -1;
		}
	}
	nr_setup_logged = nr_logged;
	return 0;
}

/* Mark the page tables of a process's user half, from the table at paddr down. */
static void mark_user(const struct kvm_diff *d, uint8_t *map, uint64_t paddr, uint32_t level)
{
	const uint64_t *t = &d->x.mem[paddr / 8];
	uint32_t i;

	map[paddr / PAGE_SIZE] = 1;
	if (level == 0)
		return;
	for (i = 0; i < (level == 3 ? 256u : 512u); i++) { /* the PGD's user half only */
		uint64_t next = t[i] & 0x000ffffffffff000ull;

		if (!(t[i] & _PAGE_PRESENT) || (level < 3 && (t[i] & _PAGE_PSE)) ||
		    next >= d->x.mem_len)
			continue;
		mark_user(d, map, next, level - 1);
	}
}

/* The frames that are page tables of a process now (kvm_fuzz.h): the kernel's own
 * change only in their A/D bits here. */
static void mark_tables(const struct kvm_diff *d, uint8_t *map)
{
	uint32_t i;

	for (i = 0; i < MACHINE_MAX_PROCS; i++) {
		const struct mm_struct *mm = &d->x.m->procs[i].mm;

		if (mm->in_use && mm->pgd != 0)
			mark_user(d, map, (uint64_t)mm->pgd * PAGE_SIZE, 3);
	}
}

static void finding(struct kvm_diff *d, enum kvm_verdict v)
{
	uint32_t i;

	printf("fuzz_kvm_mm: the ops so far as a trace (the last one differs):\nram %lluM\n",
	       (unsigned long long)(KM_RAM >> 20));
	for (i = 0; i < nr_logged; i++) {
		char line[256];

		names_format_op(&log_ops[i], line, sizeof(line));
		printf("%s\n", line);
	}
	kvm_fuzz_verdict(d, v, "fuzz_kvm_mm");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvm_diff *d = kvm_fuzz_begin("fuzz_kvm_mm", KM_RAM, setup, mark_tables, false);
	struct fuzz_bytes b = {data, size};
	uint32_t nr_ops = FUZZ_MM_SETUP_OPS;

	if (d == NULL)
		return 0;
	nr_logged = nr_setup_logged; /* the set-up's ops, logged once, are kept */
	(void)fuzz_next8(&b);	     /* fuzz_mm's RAM byte: the VM's RAM is fixed */
	while (b.n > 0 && nr_ops < FUZZ_MM_MAX_OPS) {
		struct fuzz_mm_ctx c = fuzz_mm_ctx(d->x.m, arena);
		struct mm_op op;
		struct mm_result res;
		enum kvm_verdict v;
		uint8_t bytes[4];
		uint32_t i;

		for (i = 0; i < 4; i++)
			bytes[i] = fuzz_next8(&b);
		op = fuzz_mm_decode_op(bytes, &c);
		nr_ops++;
		v = step(d, &op, &res);
		if (v == KVM_UNSUPPORTED)
			return 0;
		if (v != KVM_AGREE)
			finding(d, v);
	}
	return 0;
}

KVM_FUZZ_REPLAY_INIT(kvm_fuzz_begin("fuzz_kvm_mm", KM_RAM, setup, mark_tables, false))
