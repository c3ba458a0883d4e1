/* SPDX-License-Identifier: MIT */
/*
 * test_machine.c - the whole machine under its two paging modes: 4-level paging and
 * 5-level paging (CR4.LA57, Linux's pgtable_l5_enabled()), driven through machine_apply()
 * as a trace or a fuzzer drives it.
 *
 * What the traces in tests/traces/paging/la57-*.mmt cannot show is here: that the mode is
 * a boot-time choice with every other answer unchanged; that the same user-space story
 * gives the same answers under both modes, with one table more (the P4D) while anything is
 * mapped; that a munmap of every VMA frees the P4D table (the live-kernel child, which
 * runs every paging trace too, cannot unmap itself); that the kernel half is shared and
 * the linear map and vmalloc area move to their 5-level places.
 *
 *   4-level:  CR3 -> PGD[512] -> PUD -> PMD -> PTE -> page      (p4d folded into the pgd)
 *   5-level:  CR3 -> PGD[512] -> P4D -> PUD -> PMD -> PTE -> page
 *             user half: PGD 0..255; every user mapping lies in PGD[0] (below 2^48)
 */
#include <string.h>

#include "model_fixture.h"
#include "test.h"

#define PG	  4096ull
#define RAM_PAGES 4096u /* 16 MiB */

static struct mm_result apply(struct fixture *f, enum mm_op_kind kind, uint64_t a, uint64_t b)
{
	struct mm_op op;

	memset(&op, 0, sizeof(op));
	op.kind = kind;
	op.a = a;
	op.b = b;
	op.gfp = GFP_KERNEL;
	return machine_apply(&f->m, &op);
}

static struct mm_result apply_named(struct fixture *f, enum mm_op_kind kind, const char *name)
{
	struct mm_op op;

	memset(&op, 0, sizeof(op));
	op.kind = kind;
	strncpy(op.name, name, sizeof(op.name) - 1);
	return machine_apply(&f->m, &op);
}

static struct mm_result cpu(struct fixture *f, enum cpu_field field, uint64_t v)
{
	struct mm_op op;

	memset(&op, 0, sizeof(op));
	op.kind = OP_CPU;
	op.flags = field;
	op.a = v;
	return machine_apply(&f->m, &op);
}

static struct mm_result mmap_(struct fixture *f, uint64_t addr, uint64_t len, uint32_t prot,
			      uint32_t flags)
{
	struct mm_op op;

	memset(&op, 0, sizeof(op));
	op.kind = OP_MMAP;
	op.a = addr;
	op.b = len;
	op.prot = prot;
	op.mflags = MAP_ANONYMOUS | flags;
	return machine_apply(&f->m, &op);
}

static struct mm_result mprotect_(struct fixture *f, uint64_t addr, uint64_t len, uint32_t prot)
{
	struct mm_op op;

	memset(&op, 0, sizeof(op));
	op.kind = OP_MPROTECT;
	op.a = addr;
	op.b = len;
	op.prot = prot;
	return machine_apply(&f->m, &op);
}

static struct mm_result touch_(struct fixture *f, uint64_t addr, enum access_type type, bool user)
{
	struct mm_op op;

	memset(&op, 0, sizeof(op));
	op.kind = OP_TOUCH;
	op.a = addr;
	op.flags = type;
	op.mflags = user ? TOUCH_USER : 0;
	return machine_apply(&f->m, &op);
}

static bool valid(struct fixture *f)
{
	struct validate_result v = machine_validate(&f->m);

	if (!v.ok)
		printf("  validate: %s at %u\n", v.what, v.where);
	return v.ok;
}

/* A machine in the given mode, booted, with the kernel's tables built and the
 * vm_area_struct cache's slab given back: the baseline free count. */
static struct fixture *machine_in_mode(bool la57, uint32_t *base_free)
{
	struct fixture *f = fixture_new(RAM_PAGES);

	report(cpu(f, CPU_LA57, la57).kind == RES_OK, "cpu la57 %d before boot", la57);
	report(apply_named(f, OP_PROCESS, "warmup").kind == RES_OK, "warmup process");
	report(apply_named(f, OP_EXIT, "warmup").kind == RES_OK, "warmup exit");
	report(apply_named(f, OP_KMEM_CACHE_SHRINK, "vm_area_struct").kind == RES_OK, "shrink");
	*base_free = nr_free_pages(&f->m.phys);
	return f;
}

static uint64_t *table(struct fixture *f, uint64_t entry)
{
	return &f->m.phys.mem[(entry & PTE_PFN_MASK_52) / 8];
}

/* `cpu la57` is decided before boot and never again (check_la57_support()). */
static void test_la57_is_chosen_before_boot(void)
{
	struct fixture *f = fixture_new(RAM_PAGES);
	struct mm_result r;

	report(cpu(f, CPU_LA57, 1).kind == RES_OK, "before boot: on");
	report(!f->m.phys.booted, "choosing the mode does not boot the machine");
	report(cpu(f, CPU_LA57, 0).kind == RES_OK, "before boot: off again");
	report(cpu(f, CPU_LA57, 2).err == -EINVAL, "la57 2: -EINVAL");
	report(cpu(f, CPU_LA57, 1).kind == RES_OK && f->m.cpu.cr4_la57 && f->m.env.pgtable_l5,
	       "on: CR4.LA57 and pgtable_l5_enabled() together");
	report(apply(f, OP_NR_FREE_PAGES, 0, 0).kind == RES_COUNT && f->m.phys.booted, "booted");
	r = cpu(f, CPU_LA57, 0);
	report(r.kind == RES_ERROR && r.err == -MERR_BOOTED, "after boot: a change is refused");
	report(f->m.cpu.cr4_la57 && f->m.env.pgtable_l5, "and changes nothing");
	report(cpu(f, CPU_LA57, 1).kind == RES_OK, "after boot: the mode it has is ok");
	f->m.cpu.cr4_la57 = false; /* a CPU that walks 4 levels of 5-level tables */
	report(!machine_validate(&f->m).ok, "validate: CR4.LA57 must be the tables' mode");
	f->m.cpu.cr4_la57 = true;
	report(machine_validate(&f->m).ok, "valid again");
	fixture_free(f);

	/* a memblock_alloc() address names the linear map of the mode it was made in */
	f = fixture_new(RAM_PAGES);
	r = apply(f, OP_MEMBLOCK_ALLOC, PG, PG);
	report(r.kind == RES_ADDR && r.value >= PAGE_OFFSET_BASE_L4, "memblock_alloc, 4-level");
	r = cpu(f, CPU_LA57, 1);
	report(r.kind == RES_ERROR && r.err == -MERR_BOOTED && !f->m.phys.booted,
	       "after a memblock_alloc, before boot: refused");
	report(!f->m.cpu.cr4_la57 && !f->m.env.pgtable_l5, "still 4-level");
	fixture_free(f);
}

/* The difference of two touch results that only the paging depth may explain: none. */
static bool same_touch(const struct touch_result *a, const struct touch_result *b)
{
	uint32_t i;

	if (a->gp != b->gp || a->done != b->done || a->nr_steps != b->nr_steps)
		return false;
	for (i = 0; i < a->nr_steps; i++)
		if (a->step[i].error_code != b->step[i].error_code ||
		    a->step[i].action != b->step[i].action ||
		    a->step[i].si_code != b->step[i].si_code ||
		    a->step[i].stack_grew != b->step[i].stack_grew)
			return false;
	return true;
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* One random user-space op, the same on both machines. */
static void same_op_both(struct fixture *f4, struct fixture *f5, uint32_t step, bool *ok)
{
	/* an arena of 64 pages at 0x10000000000 (1 TiB, its own PUD) and one below mmap_base */
	static const uint64_t arena[2] = {0x10000000000ull, 0x7fff00000000ull};
	uint64_t r = rnd(), addr = arena[r % 2] + (r >> 8) % 64 * PG,
		 len = (1 + (r >> 16) % 8) * PG;
	uint32_t prot = (uint32_t)(r >> 24) % 8;
	struct mm_result a, b;

	switch ((r >> 32) % 6) {
	case 0:
		a = mmap_(f4, addr, len, prot, MAP_PRIVATE | MAP_FIXED);
		b = mmap_(f5, addr, len, prot, MAP_PRIVATE | MAP_FIXED);
		break;
	case 1:
		a = apply(f4, OP_MUNMAP, addr, len);
		b = apply(f5, OP_MUNMAP, addr, len);
		break;
	case 2:
		a = mprotect_(f4, addr, len, prot);
		b = mprotect_(f5, addr, len, prot);
		break;
	case 3:
		a = apply(f4, OP_GUP, addr, 1 + (r >> 40) % 4);
		b = apply(f5, OP_GUP, addr, 1 + (r >> 40) % 4);
		if (a.kind == RES_GUP && b.kind == RES_GUP &&
		    (a.gup.nr != b.gup.nr || a.gup.faults != b.gup.faults))
			*ok = false;
		break;
	default:
		a = touch_(f4, addr + (r >> 44) % PG, (enum access_type)((r >> 56) % 3), true);
		b = touch_(f5, addr + (r >> 44) % PG, (enum access_type)((r >> 56) % 3), true);
		if (a.kind == RES_TOUCH && b.kind == RES_TOUCH && !same_touch(&a.touch, &b.touch))
			*ok = false;
		break;
	}
	if (a.kind != b.kind || a.err != b.err || (a.kind == RES_ADDR && a.value != b.value)) {
		printf("  step %u: results differ (kind %d/%d err %d/%d)\n", step, a.kind, b.kind,
		       a.err, b.err);
		*ok = false;
	}
}

/*
 * The same user-space story under both modes: the same answers, the same pages mapped;
 * the 5-level tables have exactly one table more while any user table exists (the P4D
 * under PGD[0]); after exit both machines are back at their baseline.
 */
static void test_same_story_both_modes(void)
{
	uint32_t base4, base5, i;
	struct fixture *f4 = machine_in_mode(false, &base4), *f5 = machine_in_mode(true, &base5);
	bool ok = true, counts = true, validates = true;

	report(apply_named(f4, OP_PROCESS, "p").kind == RES_OK, "process, 4-level");
	report(apply_named(f5, OP_PROCESS, "p").kind == RES_OK, "process, 5-level");
	for (i = 0; i < 3000 && ok; i++) {
		struct mm_struct *m4 = machine_current_mm(&f4->m), *m5 = machine_current_mm(&f5->m);

		same_op_both(f4, f5, i, &ok);
		/* the P4D table under PGD[0] is the one more; it stays while any VMA does */
		if (m4->rss_anon != m5->rss_anon ||
		    m5->pgtables !=
			m4->pgtables + (f5->m.phys.mem[(uint64_t)m5->pgd * PAGE_WORDS] != 0))
			counts = false;
		if (i % 16 == 0 && (!valid(f4) || !valid(f5)))
			validates = false;
	}
	report(ok, "every answer the same (%u ops)", i);
	report(counts, "same rss; 5-level has one table more: the P4D, when PGD[0] has one");
	report(validates, "both machines valid all along");
	report(apply_named(f4, OP_EXIT, "p").kind == RES_OK, "exit, 4-level");
	report(apply_named(f5, OP_EXIT, "p").kind == RES_OK, "exit, 5-level");
	(void)apply_named(f4, OP_KMEM_CACHE_SHRINK, "vm_area_struct");
	(void)apply_named(f5, OP_KMEM_CACHE_SHRINK, "vm_area_struct");
	report(nr_free_pages(&f4->m.phys) == base4, "4-level: every page back (%u, was %u)",
	       nr_free_pages(&f4->m.phys), base4);
	report(nr_free_pages(&f5->m.phys) == base5, "5-level: every page back (%u, was %u)",
	       nr_free_pages(&f5->m.phys), base5);
	report(valid(f4) && valid(f5), "valid after exit");
	fixture_free(f4);
	fixture_free(f5);
}

/*
 * munmap of every VMA under 5-level paging: free_pgtables() clears PGD[0] and frees the
 * P4D table with the rest (free_p4d_range(): floor 0, no ceiling), and owes the flush.
 *
 *   before:  PGD[0] -> P4D -> PUD -> PMD -> PTE -> stack page
 *   after:   PGD[0] = 0, pgtables = 1 (the PGD)
 */
static void test_munmap_of_everything_frees_the_p4d(void)
{
	uint32_t base, after_process;
	struct fixture *f = machine_in_mode(true, &base);
	struct mm_struct *mm;
	uint64_t *pgd;

	report(apply_named(f, OP_PROCESS, "p").kind == RES_OK, "process");
	mm = machine_current_mm(&f->m);
	after_process = nr_free_pages(&f->m.phys);
	pgd = &f->m.phys.mem[(uint64_t)mm->pgd * PAGE_WORDS];
	report(touch_(f, 0x7fffffffe000ull, ACCESS_WRITE, true).touch.done, "a stack write");
	report(mm->pgtables == 5, "PGD, P4D, PUD, PMD, PTE: %llu tables",
	       (unsigned long long)mm->pgtables);
	report(pgd[0] != 0 && table(f, pgd[0])[0xff] != 0, "PGD[0] -> P4D, p4d[0xff] set");
	mm->tlb_flush_start = mm->tlb_flush_end = 0;
	report(apply(f, OP_MUNMAP, 0, TASK_SIZE).kind == RES_OK, "munmap 0 TASK_SIZE");
	report(mm->map_count == 0 && mm->rss_anon == 0, "no VMA, no page");
	report(pgd[0] == 0 && mm->pgtables == 1, "PGD[0] cleared, the PGD alone left (%llu)",
	       (unsigned long long)mm->pgtables);
	report(mm->tlb_flush_start <= 0x7fffffffe000ull && mm->tlb_flush_end >= 0x7ffffffff000ull,
	       "the flush owed covers the stack page and its freed tables");
	report(valid(f), "valid");
	report(nr_free_pages(&f->m.phys) == after_process, "every page and table back (%u, was %u)",
	       nr_free_pages(&f->m.phys), after_process);
	report(apply_named(f, OP_EXIT, "p").kind == RES_OK, "exit");
	(void)apply_named(f, OP_KMEM_CACHE_SHRINK, "vm_area_struct");
	report(nr_free_pages(&f->m.phys) == base, "back to the baseline");
	fixture_free(f);
}

/*
 * The kernel half under 5-level paging: PGD 256..511 of every process are init_mm's; the
 * linear map is at __PAGE_OFFSET_BASE_L5 (PGD slot 273), the vmalloc area at
 * __VMALLOC_BASE_L5 (slot 416) with its P4D table preallocated, so a vmalloc() after a
 * process exists is seen by it.
 */
static void test_kernel_half_under_5_levels(void)
{
	uint32_t base, i;
	struct fixture *f = machine_in_mode(true, &base);
	struct access kread = {ACCESS_READ, false, false};
	uint64_t *kpgd = &f->m.phys.mem[(uint64_t)f->m.env.kernel_pgd * PAGE_WORDS], *pgd, k, v;
	struct mm_result r;
	struct walk w;
	bool same = true;

	report(apply_named(f, OP_PROCESS, "p").kind == RES_OK, "process");
	pgd = &f->m.phys.mem[(uint64_t)machine_current_mm(&f->m)->pgd * PAGE_WORDS];
	for (i = KERNEL_PGD_BOUNDARY; i < 512; i++)
		same = same && pgd[i] == kpgd[i];
	report(same, "PGD 256..511 are init_mm's");
	report(kpgd[273] != 0 && kpgd[416] != 0, "linear map (273) and vmalloc (416) slots set");
	report(kpgd[(PAGE_OFFSET_BASE_L4 >> 39) % 512] == kpgd[273],
	       "slot 273 is both modes' linear-map slot");

	r = apply(f, OP_KMALLOC, 100, 0);
	k = r.value;
	report(r.kind == RES_ADDR && k >= PAGE_OFFSET_BASE_L5 &&
		   k < PAGE_OFFSET_BASE_L5 + (uint64_t)RAM_PAGES * PG,
	       "kmalloc: an address of the 5-level linear map (0x%llx)", (unsigned long long)k);
	r = apply(f, OP_PA, k, 0);
	w = mmu_walk(&f->m.phys, &f->m.cpu, (uint64_t)machine_current_mm(&f->m)->pgd * PG, k, kread,
		     false);
	report(!w.pf && !w.gp && w.levels == 4 && w.page_size == (2ull << 20) && w.paddr == r.value,
	       "the walk of it: pgd, p4d, pud, pmd (2 MiB) to __pa()");
	r = apply(f, OP_VA, r.value, 0);
	report(r.kind == RES_ADDR && r.value == k, "__va(__pa(k)) == k");
	r = apply(f, OP_KFREE, k - PAGE_OFFSET_BASE_L5 + PAGE_OFFSET_BASE_L4, 0);
	report(r.kind == RES_ERROR, "the 4-level alias is no address of the linear map");
	report(apply(f, OP_KFREE, k, 0).kind == RES_OK, "kfree");
	r = apply(f, OP_GET_FREE_PAGES, 0, 0);
	report(r.kind == RES_ADDR && r.value >= PAGE_OFFSET_BASE_L5, "__get_free_pages");
	report(apply(f, OP_WRITE, r.value, 0x1234).kind == RES_OK &&
		   apply(f, OP_READ, r.value, 0).value == 0x1234,
	       "write, read back");
	report(apply(f, OP_FREE_PAGES, r.value, 0).kind == RES_OK, "free_pages");

	r = apply(f, OP_VMALLOC, 2 * PG, 0);
	v = r.value;
	report(r.kind == RES_ADDR && v == VMALLOC_BASE_L5, "vmalloc at __VMALLOC_BASE_L5");
	report(apply_named(f, OP_PROCESS, "q").kind == RES_OK, "a second process");
	r = touch_(f, v + PG, ACCESS_WRITE, false);
	report(r.touch.done, "q reaches p-era vmalloc memory through the shared P4D");
	r = touch_(f, v + 2 * PG, ACCESS_READ, false);
	report(!r.touch.done && r.touch.nr_steps == 1 && r.touch.step[0].action == FAULT_OOPS,
	       "the guard page faults: oops");
	report(apply(f, OP_VFREE, v, 0).kind == RES_OK, "vfree");
	report(valid(f), "valid");
	fixture_free(f);
}

/* Above 47 bits: canonical and user under 5-level paging, #GP under 4-level paging. */
static void test_addresses_above_47_bits(void)
{
	uint32_t base4, base5;
	struct fixture *f4 = machine_in_mode(false, &base4), *f5 = machine_in_mode(true, &base5);
	struct mm_result a, b;

	(void)apply_named(f4, OP_PROCESS, "p");
	(void)apply_named(f5, OP_PROCESS, "p");
	a = touch_(f4, 1ull << 47, ACCESS_READ, true);
	b = touch_(f5, 1ull << 47, ACCESS_READ, true);
	report(a.touch.gp, "4-level: 2^47 is not canonical");
	report(!b.touch.gp && b.touch.nr_steps == 1 && b.touch.step[0].action == FAULT_SIGSEGV &&
		   b.touch.step[0].si_code == SEGV_MAPERR,
	       "5-level: a user address with no VMA, SIGSEGV maperr");
	b = touch_(f5, 1ull << 56, ACCESS_READ, true);
	report(b.touch.gp, "5-level: 2^56 is not canonical");
	report(mmap_(f5, 1ull << 47, PG, PROT_READ, MAP_PRIVATE | MAP_FIXED).err == -ENOMEM,
	       "mmap stays below DEFAULT_MAP_WINDOW (no hint rule above it in the model)");
	report(valid(f4) && valid(f5), "valid");
	fixture_free(f4);
	fixture_free(f5);
}

int main(void)
{
	RUN(test_la57_is_chosen_before_boot);
	RUN(test_same_story_both_modes);
	RUN(test_munmap_of_everything_frees_the_p4d);
	RUN(test_kernel_half_under_5_levels);
	RUN(test_addresses_above_47_bits);
	return test_summary();
}
