/* SPDX-License-Identifier: MIT */
/*
 * fault.c - user page tables and page faults. See fault.h.
 */
#include "fault.h"

#define PTRS_PER_TABLE 512u
#define PMD_SPAN       (1ull << 21)

uint32_t pgtable_levels(const struct mm_env *e)
{
	return e->pgtable_l5 ? PT_PGD5 : PT_P4D;
}

uint64_t page_offset_base(const struct mm_env *e)
{
	return e->pgtable_l5 ? PAGE_OFFSET_BASE_L5 : PAGE_OFFSET_BASE_L4;
}

uint64_t vmalloc_base(const struct mm_env *e)
{
	return e->pgtable_l5 ? VMALLOC_BASE_L5 : VMALLOC_BASE_L4;
}

uint64_t task_size_max(const struct mm_env *e)
{
	return e->pgtable_l5 ? TASK_SIZE_MAX_L5 : TASK_SIZE_MAX_L4;
}

/*
 * What one entry of a table at level maps: 4 KiB at PT_PTE .. 256 TiB at PT_PGD5. By
 * cases: the provers cannot use a shift by a variable amount (docs/proofs.md).
 */
/*@ requires level: 1 <= level <= 5;
    assigns \nothing;
    ensures span: \result == LevelSize(level);
*/
static uint64_t entry_span(uint32_t level)
{
	switch (level) {
	case PT_PTE:
		return 1ull << 12;
	case PT_PMD:
		return 1ull << 21;
	case PT_PUD:
		return 1ull << 30;
	case PT_P4D:
		return 1ull << 39;
	default:
		return 1ull << 48;
	}
}

/* Is the single-bit flag bit set in x? (x & bit) != 0, by division (docs/proofs.md). */
/*@ requires bit: bit > 0;
    assigns \nothing;
    ensures flag: \result <==> HasFlag(x, bit);
*/
static bool flag64(uint64_t x, uint64_t bit)
{
	return x / bit % 2 != 0;
}

/* The frame an entry points to: (entry & PTE_PFN_MASK_52) / PAGE_SIZE. */
/*@ assigns \nothing;
    ensures pfn: \result == EntPfn(entry);
    ensures range: \result < 0x10000000000;
*/
static uint64_t entry_pfn(uint64_t entry)
{
	return entry % 0x10000000000000ull / PAGE_SIZE;
}

static uint64_t *table_of(struct mm_env *e, uint64_t entry)
{
	return &e->phys->mem[entry_pfn(entry) * PAGE_WORDS];
}

/*@ assigns \nothing;
    ensures phys: \result == pfn * PAGE_SIZE;
*/
static uint64_t pfn_phys(uint32_t pfn)
{
	return (uint64_t)pfn * PAGE_SIZE;
}

/* Models arch/x86/include/asm/page_64.h: clear_page() of a page-table page. */
/*@ requires shape: PhysShape(p);
    requires pfn: pfn < p->nr_pages;
    assigns p->mem[pfn * PAGE_WORDS .. pfn * PAGE_WORDS + PAGE_WORDS - 1];
    ensures zeroed: FrameZero(p, pfn);
    ensures kept: MemKept{Pre,Post}(p, pfn);
*/
static void clear_table_page(struct phys *p, uint32_t pfn)
{
	uint64_t *words = &p->mem[(uint64_t)pfn * PAGE_WORDS];
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= PAGE_WORDS;
	    loop invariant zeroed: \forall integer j; pfn * PAGE_WORDS <= j < pfn * PAGE_WORDS + i ==>
		p->mem[j] == 0;
	    loop assigns i, words[0 .. PAGE_WORDS - 1];
	    loop variant PAGE_WORDS - i;
	*/
	for (i = 0; i < PAGE_WORDS; i++)
		words[i] = 0;
}

/*
 * A zeroed page-table page, or PFN_NONE. Linux asks for GFP_PGTABLE_USER (GFP_KERNEL |
 * __GFP_ZERO); the model clears the page itself (clear_table_page()), which leaves the
 * same frame with the same words as __GFP_ZERO would, and states the zeroes in a contract
 * (alloc_pages() does not promise them).
 */
/*@ requires env: \valid_read(e) && PhysShape(e->phys) && PhysApart(e->phys, e);
    requires safe: BuddySafe(e->phys);
    requires heads: ListHeads(e->phys);
    assigns e->phys->zones[0 .. MAX_NR_ZONES - 1], e->phys->pages[0 .. e->phys->nr_pages - 1],
	e->phys->mem[0 .. RamWords(e->phys) - 1];
    ensures safe: BuddySafe(e->phys);
    ensures heads: ListHeads(e->phys);
    behavior fails:
	assumes AllocFails(e->phys, GFP_KERNEL, 0);
	ensures none: \result == PFN_NONE;
	ensures unchanged: PhysUnchanged{Pre,Post}(e->phys);
	ensures free: NrFree(e->phys) == NrFree{Pre}(e->phys);
    behavior ok:
	assumes !AllocFails(e->phys, GFP_KERNEL, 0);
	ensures some: \result != PFN_NONE;
	ensures nr: e->phys->nr_pages == \old(e->phys->nr_pages);
	ensures page: TabOk(e->phys, \result) && !IsHead{Pre}(e->phys, \result);
	ensures zeroed: FrameZero(e->phys, \result);
	ensures kept: MemKept{Pre,Post}(e->phys, \result);
	ensures heads_kept: HeadsKept{Pre,Post}(e->phys);
	ensures free: NrFree(e->phys) == NrFree{Pre}(e->phys) - 1;
    complete behaviors;
    disjoint behaviors;
*/
static uint32_t table_alloc(struct mm_env *e)
{
	uint32_t pfn = alloc_pages(e->phys, GFP_KERNEL, 0);

	//@ assert failed: pfn == PFN_NONE ==> PhysUnchanged{Pre,Here}(e->phys);
	/*@ assert failed_free: pfn == PFN_NONE ==>
		e->phys->zones[ZONE_DMA].free_pages == \at(e->phys->zones[ZONE_DMA].free_pages, Pre) &&
		e->phys->zones[ZONE_NORMAL].free_pages ==
		\at(e->phys->zones[ZONE_NORMAL].free_pages, Pre); */
	//@ assert booted: pfn != PFN_NONE ==> Booted(e->phys);
	//@ assert heads_failed: pfn == PFN_NONE ==> PhysUnchanged{Pre,Here}(e->phys) && ListHeads(e->phys);
	//@ assert heads_ok: pfn != PFN_NONE ==> Booted(e->phys) && ListHeads(e->phys);
	//@ assert pow: Pow2(0) == 1;
	//@ assert nr: e->phys->nr_pages == \at(e->phys->nr_pages, Pre);
	/*@ assert mem_kept: pfn != PFN_NONE ==> \forall integer j; 0 <= j < RamWords(e->phys) &&
		(j < pfn * PAGE_WORDS || j >= (pfn + 1) * PAGE_WORDS) ==>
		e->phys->mem[j] == \at(e->phys->mem[j], Pre); */
	//@ assert kept: pfn != PFN_NONE ==> MemKept{Pre,Here}(e->phys, pfn);
	if (pfn != PFN_NONE) {
		clear_table_page(e->phys, pfn);
		//@ assert kept1: MemKept{Pre,Here}(e->phys, pfn);
	}
	return pfn;
}

/*
 * The table at level that covers va under init_mm's top-level table pgd, the missing
 * tables above it allocated as kernel tables (p4d_alloc(), pud_alloc(), pmd_alloc() of
 * init_mm); NULL when a table cannot be had (the ones allocated so far stay).
 */
static uint64_t *kernel_table(struct mm_env *e, uint64_t *pgd, uint64_t va, uint32_t level)
{
	uint64_t *t = pgd;
	uint32_t l;

	for (l = pgtable_levels(e); l > level; l--) {
		uint64_t *slot = &t[pt_index(va, l)];

		if ((*slot & _PAGE_PRESENT) == 0) {
			uint32_t n = table_alloc(e);

			if (n == PFN_NONE)
				return 0;
			*slot = pfn_phys(n) | _KERNPG_TABLE;
		}
		t = table_of(e, *slot);
	}
	return t;
}

/* The kernel's linear map: page_offset_base + [0, RAM), RW, NX, global, A and D set. */
static int map_linear(struct mm_env *e, uint64_t *pgd)
{
	const uint64_t big = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_PSE |
			     _PAGE_GLOBAL | _PAGE_NX;
	const uint64_t small = big & ~_PAGE_PSE;
	uint64_t ram = (uint64_t)e->phys->nr_pages * PAGE_SIZE, pa;

	for (pa = 0; pa < ram;) {
		uint64_t va = page_offset_base(e) + pa;
		uint64_t *pmd = kernel_table(e, pgd, va, PT_PMD), *pte;
		uint32_t i, t;

		if (pmd == 0)
			return -ENOMEM;
		if (pa % PMD_SPAN == 0 && ram - pa >= PMD_SPAN) {
			pmd[pt_index(va, PT_PMD)] = pa | big;
			pa += PMD_SPAN;
			continue;
		}
		t = table_alloc(e);
		if (t == PFN_NONE)
			return -ENOMEM;
		pmd[pt_index(va, PT_PMD)] = pfn_phys(t) | _KERNPG_TABLE;
		pte = &e->phys->mem[pfn_phys(t) / 8];
		for (i = 0; i < PTRS_PER_TABLE && pa < ram; i++, pa += PAGE_SIZE)
			pte[i] = pa | small;
	}
	return 0;
}

/*
 * The kernel image's mapping (the kernel's level2_kernel_pgt): its frames from _text =
 * __START_KERNEL_map + CONFIG_PHYSICAL_START on, wherever they are in RAM (phys_base
 * absorbs the difference), 4 KiB pages, present, writable, executable, supervisor.
 */
static int map_kimage(struct mm_env *e, uint64_t *pgd)
{
	const uint64_t prot = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY;
	uint32_t i;

	for (i = 0; i < e->kimage_pages; i++) {
		uint64_t pa = pfn_phys(e->kimage_pfn + i), va = KERNEL_TEXT_START + pfn_phys(i);
		uint64_t *t = kernel_table(e, pgd, va, PT_PTE);

		if (t == 0)
			return -ENOMEM;
		t[pt_index(va, PT_PTE)] = pa | prot;
	}
	return 0;
}

int paging_init(struct mm_env *e)
{
	uint32_t pgd, zero;

	if (e->paging_ready)
		return 0;
	pgd = table_alloc(e);
	if (pgd == PFN_NONE)
		return -ENOMEM;
	zero = alloc_pages(e->phys, GFP_KERNEL | __GFP_ZERO, 0);
	if (zero == PFN_NONE) {
		(void)free_pages_inner(e->phys, pgd, 0);
		return -ENOMEM;
	}
	e->kernel_pgd = pgd;
	e->zero_pfn = zero;
	/* The tables of the linear map stay even if this fails half-way: like memblock
	 * allocations at boot, they are never given back. */
	if (map_linear(e, &e->phys->mem[pfn_phys(pgd) / 8]) != 0)
		return -ENOMEM;
	{
		/* preallocate_vmalloc_pages(): the table under the vmalloc area's PGD slot (a
		 * PUD page with 4 levels, a P4D page with 5), so that every PGD shares what
		 * vmalloc() maps below it (vmalloc.h) */
		uint32_t t = table_alloc(e);

		if (t == PFN_NONE)
			return -ENOMEM;
		e->phys->mem[pfn_phys(pgd) / 8 + pt_index(vmalloc_base(e), pgtable_levels(e))] =
		    pfn_phys(t) | _KERNPG_TABLE;
	}
	if (map_kimage(e, &e->phys->mem[pfn_phys(pgd) / 8]) != 0)
		return -ENOMEM;
	e->paging_ready = true;
	return 0;
}

int pgd_alloc(struct mm_env *e, struct mm_struct *mm)
{
	uint64_t *pgd, *kpgd;
	uint32_t t, i;

	if (paging_init(e) != 0)
		return -ENOMEM;
	t = table_alloc(e);
	if (t == PFN_NONE)
		return -ENOMEM;
	pgd = &e->phys->mem[pfn_phys(t) / 8];
	kpgd = &e->phys->mem[pfn_phys(e->kernel_pgd) / 8];
	for (i = KERNEL_PGD_BOUNDARY; i < PTRS_PER_TABLE; i++)
		pgd[i] = kpgd[i];
	mm->pgd = t;
	mm->pgtables = 1;
	return 0;
}

/* The entry for addr at level (pgtable_levels() .. PT_PTE) in mm's tables, or NULL when a
 * level above is missing. With 4 levels the PGD is the P4D level (p4d folded). */
static uint64_t *entry_at(struct mm_env *e, const struct mm_struct *mm, uint64_t addr,
			  uint32_t level)
{
	uint64_t *t = &e->phys->mem[pfn_phys(mm->pgd) / 8];
	uint32_t l;

	for (l = pgtable_levels(e); l > level; l--) {
		uint64_t x = t[pt_index(addr, l)];

		if ((x & _PAGE_PRESENT) == 0 || (x & _PAGE_PSE) != 0)
			return 0;
		t = table_of(e, x);
	}
	return &t[pt_index(addr, level)];
}

/*
 * mm_inc_nr_ptes() and friends: one more page-table page in mm. Only the counter changes,
 * and the contract says that RAM did not (the provers find it faster as a fact of a call
 * than through the separation of mm from the frames).
 */
/*@ requires mm: \valid(mm) && PhysShape(p);
    requires sep: \separated(&mm->pgtables, p->mem + (0 .. RamWords(p) - 1));
    assigns mm->pgtables;
    ensures counted: mm->pgtables == (uint64_t)(\old(mm->pgtables) + 1);
    ensures mem: MemSame{Pre,Post}(p);
*/
static void mm_inc_nr_ptes(struct mm_struct *mm, const struct phys *p)
{
	(void)p;
	mm->pgtables++;
}

/*
 * pmd_populate() and friends, with mm_inc_nr_ptes() first: the entry at word w (of a
 * table) now points to the new table n with _PAGE_TABLE, one more page-table page in mm.
 * RAM but word w as it was. (A function of its own: in next_table()'s context the frame
 * facts after the write did not prove.)
 */
/*@ requires env: FaultEnv(e, mm) && FieldsApart(e, mm);
    requires w: w < RamWords(e->phys);
    requires n: n < e->phys->nr_pages;
    assigns e->phys->mem[w], mm->pgtables;
    ensures linked: e->phys->mem[w] == MkEnt(n, 0x67);
    ensures kept: \forall integer j; 0 <= j < RamWords(e->phys) && j != w ==>
	e->phys->mem[j] == \old(e->phys->mem[j]);
    ensures counted: mm->pgtables == (uint64_t)(\old(mm->pgtables) + 1);
*/
static void table_link(struct mm_env *e, struct mm_struct *mm, uint64_t w, uint32_t n)
{
	mm_inc_nr_ptes(mm, e->phys); /* nothing reads it before the entry is written */
	//@ assert mem: MemSame{Pre,Here}(e->phys);
	e->phys->mem[w] = pfn_phys(n) + _PAGE_TABLE;
}

/*
 * The table below addr's entry in table t of level (PT_PMD .. PT_PGD5), allocated when the
 * entry is empty: p4d_alloc(), pud_alloc(), pmd_alloc() and __pte_alloc() of mm/memory.c,
 * one level each -- a zeroed page, linked with _PAGE_TABLE, counted in mm->pgtables
 * (mm_inc_nr_ptes() and friends). PFN_NONE when no page can be had: nothing changed then.
 */
/*@ requires env: FaultEnv(e, mm);
    requires safe: BuddySafe(e->phys);
    requires heads: ListHeads(e->phys);
    requires level: 2 <= level <= FTop(e);
    requires fields: FieldsApart(e, mm);
    requires walk: FReach(e, mm, addr, level) && t == FTable(e, mm, addr, level);
    requires path: FPathOk(e, mm, addr);
    requires special: PteSpecialOk(e, mm, addr);
    assigns e->phys->zones[0 .. MAX_NR_ZONES - 1], e->phys->pages[0 .. e->phys->nr_pages - 1],
	e->phys->mem[0 .. RamWords(e->phys) - 1], mm->pgtables;
    ensures safe: BuddySafe(e->phys);
    ensures heads: ListHeads(e->phys);
    ensures nr: e->phys->nr_pages == \old(e->phys->nr_pages);
    behavior present:
	assumes HasFlag(FEnt(e, mm, addr, level), _PAGE_PRESENT);
	assigns \nothing;
	ensures next: \result == FTable(e, mm, addr, level - 1) && FReach(e, mm, addr, level - 1);
	ensures special: PteSpecialOk(e, mm, addr);
    behavior oom:
	assumes !HasFlag(FEnt(e, mm, addr, level), _PAGE_PRESENT);
	assumes AllocFails(e->phys, GFP_KERNEL, 0);
	ensures none: \result == PFN_NONE;
	ensures unchanged: PhysUnchanged{Pre,Post}(e->phys) && mm->pgtables == \old(mm->pgtables);
	ensures free: NrFree(e->phys) == \old(NrFree(e->phys));
	ensures have: FHave(e, mm, addr) == \old(FHave(e, mm, addr));
	ensures upper: \forall integer lv; \old(FHave(e, mm, addr)) <= lv <= FTop(e) ==>
	    FTable(e, mm, addr, lv) == \old(FTable(e, mm, addr, lv));
	ensures path: FPathOk(e, mm, addr);
    behavior alloc:
	assumes !HasFlag(FEnt(e, mm, addr, level), _PAGE_PRESENT);
	assumes !AllocFails(e->phys, GFP_KERNEL, 0);
	ensures next: \result == FTable(e, mm, addr, level - 1) && FReach(e, mm, addr, level - 1);
	ensures fresh: TabOk(e->phys, \result) && !IsHead{Pre}(e->phys, \result);
	ensures zeroed: FrameZero(e->phys, \result);
	ensures linked: e->phys->mem[SlotWord(t, addr, level)] == MkEnt(\result, 0x67);
	ensures kept: \forall integer j; 0 <= j < RamWords(e->phys) &&
	    j != SlotWord(t, addr, level) && OutFrame(j, \result) ==>
	    e->phys->mem[j] == \old(e->phys->mem[j]);
	ensures upper: \forall integer lv; level <= lv <= FTop(e) ==>
	    FTable(e, mm, addr, lv) == \old(FTable(e, mm, addr, lv));
	ensures path: FPathOk(e, mm, addr);
	ensures special: PteSpecialOk(e, mm, addr);
	ensures counted: mm->pgtables == (uint64_t)(\old(mm->pgtables) + 1);
	ensures free: NrFree(e->phys) == \old(NrFree(e->phys)) - 1;
	ensures heads_kept: HeadsKept{Pre,Post}(e->phys);
    complete behaviors;
    disjoint behaviors;
*/
static uint32_t next_table(struct mm_env *e, struct mm_struct *mm, uint32_t t, uint64_t addr,
			   uint32_t level)
{
	uint64_t w = (uint64_t)t * PAGE_WORDS + pt_index(addr, level);
	uint32_t n;

	//@ assert word: w == FWord(e, mm, addr, level) && e->phys->mem[w] == FEnt(e, mm, addr, level);
	//@ assert table: TabOk(e->phys, t) && w < RamWords(e->phys);
	if (flag64(e->phys->mem[w], _PAGE_PRESENT)) {
		//@ assert next: FTable(e, mm, addr, level - 1) == EntPfn(e->phys->mem[w]);
		//@ assert reach: FReach(e, mm, addr, level - 1);
		//@ assert ok: TabOk(e->phys, FTable(e, mm, addr, level - 1));
		return (uint32_t)entry_pfn(e->phys->mem[w]);
	}
	n = table_alloc(e);
	if (n == PFN_NONE) {
		//@ assert o_phys: e->phys == \at(e->phys, Pre);
		//@ assert o_pgd: mm->pgd == \at(mm->pgd, Pre);
		//@ assert o_top: FTop(e) == \at(FTop(e), Pre);
		//@ assert o_unch: PhysUnchanged{Pre,Here}(e->phys);
		//@ assert o_nr: e->phys->nr_pages == \at(e->phys->nr_pages, Pre);
		//@ assert o_ptr: e->phys->mem == \at(e->phys->mem, Pre);
		/*@ assert o_tabs: \forall integer l; 1 <= l <= FTop(e) && \at(FReach(e, mm, addr, l), Pre) ==>
			0 <= \at(FTable(e, mm, addr, l), Pre) < \at(e->phys->nr_pages, Pre); */
		//@ assert same: SwSameMem{Pre,Here}(e->phys, mm->pgd, addr, FTop(e));
		//@ assert have: FHave(e, mm, addr) == \at(FHave(e, mm, addr), Pre);
		/*@ assert reach: \forall integer l; 1 <= l <= FTop(e) ==>
			(FReach(e, mm, addr, l) <==> \at(FReach(e, mm, addr, l), Pre)); */
		/*@ assert upper: \forall integer l; FHave(e, mm, addr) <= l <= FTop(e) ==>
			FTable(e, mm, addr, l) == \at(FTable(e, mm, addr, l), Pre); */
		/*@ assert reached: \forall integer l; 1 <= l <= FTop(e) && FReach(e, mm, addr, l) ==>
			FHave(e, mm, addr) <= l; */
		//@ assert o_heads: HeadsKept{Pre,Here}(e->phys);
		//@ assert o_pathok: SwPathOk(e->phys, mm->pgd, addr, FTop(e));
		//@ assert o_distinct: SwDistinct(e->phys, mm->pgd, addr, FTop(e));
		return PFN_NONE;
	}
	/*@ assert tables: \forall integer l; level <= l <= FTop(e) ==>
	    TabOk{Pre}(e->phys, \at(FTable(e, mm, addr, l), Pre)); */
	/*@ assert fresh: \forall integer l; level <= l <= FTop(e) ==>
	    n != \at(FTable(e, mm, addr, l), Pre); */
	//@ assert kept0: MemKept{Pre,Here}(e->phys, n);
	//@ assert zero0: FrameZero(e->phys, n);
	//@ assert n_ram: n < e->phys->nr_pages && w < RamWords(e->phys);
	table_link(e, mm, w, n);
	//@ assert pgd: mm->pgd == \at(mm->pgd, Pre);
	//@ assert a_nr: e->phys->nr_pages == \at(e->phys->nr_pages, Pre);
	//@ assert l_word: e->phys->mem[w] == MkEnt(n, 0x67);
	/*@ assert l_kept: \forall integer j; 0 <= j < RamWords{Pre}(e->phys) && j != w &&
	    OutFrame(j, n) ==> e->phys->mem[j] == \at(e->phys->mem[j], Pre); */
	//@ assert l_out: OutFrame(w, n);
	//@ assert zero1: FrameZero(e->phys, n);
	//@ assert s_reach: SwReach{Pre}(e->phys, mm->pgd, addr, FTop(e), level);
	//@ assert s_word: SwWord{Pre}(e->phys, mm->pgd, addr, FTop(e), level) == w;
	//@ assert s_empty: !HasFlag(SwEnt{Pre}(e->phys, mm->pgd, addr, FTop(e), level), _PAGE_PRESENT);
	/*@ assert s_fresh: \forall integer l; level <= l <= FTop(e) ==>
	    n != SwTable{Pre}(e->phys, mm->pgd, addr, FTop(e), l); */
	/*@ assert s_tables: \forall integer l; level <= l <= FTop(e) ==>
	    0 <= SwTable{Pre}(e->phys, mm->pgd, addr, FTop(e), l) < \at(e->phys->nr_pages, Pre); */
	//@ assert linked: SwLinked{Pre,Here}(e->phys, mm->pgd, addr, FTop(e), level, n);
	//@ assert n_nr: e->phys->nr_pages == \at(e->phys->nr_pages, Pre);
	//@ assert n_ok: TabOk(e->phys, n) && HeadsKept{Pre,Here}(e->phys);
	/*@ assert n_empty: level - 1 >= 2 ==>
	    !HasFlag(e->phys->mem[SlotWord(n, addr, level - 1)], _PAGE_PRESENT); */
	//@ assert new_ok: SwNewOk{Pre,Here}(e->phys, mm->pgd, addr, FTop(e), level, n);
	//@ assert below: level > PT_PMD ==> !FReach(e, mm, addr, PT_PTE);
	//@ assert pte_zero: level == PT_PMD ==> e->phys->mem[SlotWord(n, addr, PT_PTE)] == 0;
	//@ assert pte_table: level == PT_PMD ==> FTable(e, mm, addr, PT_PTE) == n;
	//@ assert pte_empty: level == PT_PMD ==> FEnt(e, mm, addr, PT_PTE) == 0;
	//@ assert special: PteSpecialOk(e, mm, addr);
	return n;
}

#ifdef __FRAMAC__
/* clang-format off */
/*
 * The contract of pte_alloc(), which pte_alloc_kept() repeats around the facts it adds:
 * what the walk of addr must be before (PTE_ALLOC_REQUIRES), what pte_alloc() writes and
 * what it leaves (PTE_ALLOC_POST).
 */
#define PTE_ALLOC_REQUIRES \
	requires env: FaultEnv(e, mm); \
	requires safe: BuddySafe(e->phys); \
	requires heads: ListHeads(e->phys); \
	requires path: FPathOk(e, mm, addr); \
	requires special: PteSpecialOk(e, mm, addr);
#define PTE_ALLOC_POST \
	assigns e->phys->zones[0 .. MAX_NR_ZONES - 1], \
		e->phys->pages[0 .. e->phys->nr_pages - 1], \
		e->phys->mem[0 .. RamWords(e->phys) - 1], mm->pgtables; \
	ensures safe: BuddySafe(e->phys); \
	ensures heads: ListHeads(e->phys); \
	ensures path: FPathOk(e, mm, addr); \
	ensures pte_table: \result != PFN_NONE ==> \
		\result == FTable(e, mm, addr, PT_PTE) && FReach(e, mm, addr, PT_PTE); \
	ensures special: \result != PFN_NONE ==> PteSpecialOk(e, mm, addr); \
	ensures oom: \result == PFN_NONE ==> FHave(e, mm, addr) > PT_PTE; \
	ensures upper: \forall integer lv; \old(FHave(e, mm, addr)) <= lv <= FTop(e) ==> \
		FTable(e, mm, addr, lv) == \old(FTable(e, mm, addr, lv)); \
	ensures below: FHave(e, mm, addr) <= \old(FHave(e, mm, addr)); \
	ensures counted: mm->pgtables == \
		(uint64_t)(\old(mm->pgtables) + (\old(FHave(e, mm, addr)) - FHave(e, mm, addr))); \
	ensures free: NrFree(e->phys) == \
		\old(NrFree(e->phys)) - (\old(FHave(e, mm, addr)) - FHave(e, mm, addr)); \
	ensures heads_kept: HeadsKept{Pre,Post}(e->phys);
/* clang-format on */
#endif

/*
 * One more table counted, in uint64_t arithmetic (mm->pgtables wraps like any unsigned
 * counter): the axiom U64_Inc applied where the context is small (a lemma, as a ghost
 * function: in pte_alloc()'s loop the same step times out).
 */
/*@ ghost
  /@ requires c == (uint64_t)(p + n);
     assigns \nothing;
     ensures (uint64_t)(c + 1) == (uint64_t)(p + (n + 1));
  @/
  static void count_step(uint64_t p, uint64_t c, uint32_t n) { }
*/

/*
 * The PTE table for addr, the missing tables above it allocated one level at a time, as
 * __handle_mm_fault() does: p4d_alloc() (5 levels only: with 4 the p4d is folded into the
 * PGD), pud_alloc(), pmd_alloc(), then __pte_alloc(). PFN_NONE when a table cannot be had:
 * the ones allocated so far stay, linked and counted, as in Linux (they go with the VMA:
 * free_pgtables()). One level per iteration, from pgtable_levels() down: a present entry
 * is followed (pXd_offset()), an empty one gets its table (next_table(); the pXd_none()
 * test is the caller's, as in Linux); the loop invariant names the walk level reached.
 */
/*@ PTE_ALLOC_REQUIRES
    PTE_ALLOC_POST
*/
static uint32_t pte_alloc(struct mm_env *e, struct mm_struct *mm, uint64_t addr)
{
	uint32_t t = mm->pgd;
	uint32_t level;
	/*@ ghost const uint64_t pg0 = mm->pgtables; */
	/*@ ghost uint32_t n = 0; */

	/*@ loop invariant level: PT_PTE <= level <= FTop(e);
	    loop invariant safe: BuddySafe(e->phys);
	    loop invariant heads: ListHeads(e->phys);
	    loop invariant path: FPathOk(e, mm, addr);
	    loop invariant special: PteSpecialOk(e, mm, addr);
	    loop invariant walk: t == FTable(e, mm, addr, level) && FReach(e, mm, addr, level);
	    loop invariant have: FHave(e, mm, addr) ==
		(level < \at(FHave(e, mm, addr), Pre) ? level : \at(FHave(e, mm, addr), Pre));
	    loop invariant upper: \forall integer lv; \at(FHave(e, mm, addr), Pre) <= lv <= FTop(e) ==>
		FTable(e, mm, addr, lv) == \at(FTable(e, mm, addr, lv), Pre);
	    loop invariant n: n == \at(FHave(e, mm, addr), Pre) - FHave(e, mm, addr) && n <= 5;
	    loop invariant counted: mm->pgtables == (uint64_t)(pg0 + n);
	    loop invariant free: NrFree(e->phys) ==
		\at(NrFree(e->phys), Pre) - (\at(FHave(e, mm, addr), Pre) - FHave(e, mm, addr));
	    loop invariant heads_kept: HeadsKept{Pre,Here}(e->phys);
	    loop invariant nr: e->phys->nr_pages == \at(e->phys->nr_pages, Pre);
	    loop assigns t, level, n, e->phys->zones[0 .. MAX_NR_ZONES - 1],
		e->phys->pages[0 .. \at(e->phys->nr_pages, Pre) - 1],
		e->phys->mem[0 .. \at(RamWords(e->phys), Pre) - 1], mm->pgtables;
	    loop variant level;
	*/
	for (level = pgtable_levels(e); level > PT_PTE; level--) {
		uint64_t w = (uint64_t)t * PAGE_WORDS + pt_index(addr, level);

		/*@ ghost Cur:; */
		//@ assert word: w == FWord(e, mm, addr, level);
		//@ assert tab: TabOk(e->phys, t);
		//@ assert in_ram: w < RamWords(e->phys);
		if (flag64(e->phys->mem[w], _PAGE_PRESENT)) { /* pXd_offset() */
			//@ assert p_ent: HasFlag(FEnt(e, mm, addr, level), _PAGE_PRESENT);
			//@ assert next: FTable(e, mm, addr, level - 1) == EntPfn(e->phys->mem[w]);
			//@ assert reach: FReach(e, mm, addr, level - 1);
			//@ assert p_ok: TabOk(e->phys, FTable(e, mm, addr, level - 1));
			//@ assert above: FHave(e, mm, addr) < level;
			t = (uint32_t)entry_pfn(e->phys->mem[w]);
			//@ assert p_walk: t == FTable(e, mm, addr, level - 1);
			continue;
		}
		//@ assert here: FHave(e, mm, addr) == level;
		//@ assert le: level <= \at(FHave(e, mm, addr), Pre);
		/* p4d_alloc() (5 levels), pud_alloc(), pmd_alloc(), pte_alloc() */
		//@ ghost count_step(pg0, mm->pgtables, n);
		t = next_table(e, mm, t, addr, level);
		if (t == PFN_NONE) {
			//@ assert o_fails: \at(AllocFails(e->phys, GFP_KERNEL, 0), Cur);
			//@ assert o_unch: PhysUnchanged{Cur,Here}(e->phys);
			//@ assert o_have: FHave(e, mm, addr) == level;
			//@ assert o_oom: FHave(e, mm, addr) > PT_PTE;
			//@ assert o_phys: e->phys == \at(e->phys, Cur);
			//@ assert o_free: NrFree(e->phys) == \at(NrFree(e->phys), Cur);
			//@ assert o_hk: HeadsKept{Cur,Here}(e->phys);
			//@ assert o_hk_pre: HeadsKept{Pre,Here}(e->phys);
			/*@ assert o_upper: \forall integer lv; level <= lv <= FTop(e) ==>
				FTable(e, mm, addr, lv) == \at(FTable(e, mm, addr, lv), Cur); */
			/*@ assert o_up_cur: \forall integer lv;
				\at(FHave(e, mm, addr), Pre) <= lv <= FTop(e) ==>
				\at(FTable(e, mm, addr, lv), Cur) == \at(FTable(e, mm, addr, lv), Pre); */
			/*@ assert o_upper_pre: \forall integer lv;
				\at(FHave(e, mm, addr), Pre) <= lv <= FTop(e) ==>
				FTable(e, mm, addr, lv) == \at(FTable(e, mm, addr, lv), Pre); */
			return PFN_NONE;
		}
		//@ assert a_ok: !\at(AllocFails(e->phys, GFP_KERNEL, 0), Cur);
		//@ assert a_walk: t == FTable(e, mm, addr, level - 1) && FReach(e, mm, addr, level - 1);
		//@ assert a_zeroed: FrameZero(e->phys, t);
		//@ assert a_idx: 0 <= VaIndex(addr, level - 1) < PAGE_WORDS;
		//@ assert a_word: FWord(e, mm, addr, level - 1) == t * PAGE_WORDS + VaIndex(addr, level - 1);
		/*@ assert a_zero: level - 1 >= 2 ==> FEnt(e, mm, addr, level - 1) == 0 &&
			!HasFlag(FEnt(e, mm, addr, level - 1), _PAGE_PRESENT); */
		//@ assert new_have: FHave(e, mm, addr) == level - 1;
		//@ assert a_hk: HeadsKept{Pre,Here}(e->phys);
		//@ assert a_c1: mm->pgtables == (uint64_t)(\at(mm->pgtables, Cur) + 1);
		//@ assert a_c2: mm->pgtables == (uint64_t)(pg0 + (n + 1));
		//@ ghost n++;
	}
	//@ assert done_ok: TabOk(e->phys, t);
	//@ assert done: t != PFN_NONE;
	return t;
}

/*
 * pte_alloc() with the frame facts handle_mm_fault() needs of the VMA set and pool (what
 * VSetOk reads), asserted field by field with the call alone in the context and folded
 * into the three parts of VSame, one per postcondition (in handle_mm_fault()'s context
 * they time out: docs/proofs.md, lessons 10 and 15).
 */
/*@ PTE_ALLOC_REQUIRES
    requires pool_apart: \separated(e->pool, &e->phys->zones[0 .. MAX_NR_ZONES - 1],
	e->phys->pages + (0 .. e->phys->nr_pages - 1),
	e->phys->mem + (0 .. RamWords(e->phys) - 1), &mm->pgtables);
    requires set_apart: \separated(&mm->vmas, &e->phys->zones[0 .. MAX_NR_ZONES - 1],
	e->phys->pages + (0 .. e->phys->nr_pages - 1),
	e->phys->mem + (0 .. RamWords(e->phys) - 1), &mm->pgtables);
    PTE_ALLOC_POST
    ensures v_top: VSameTop{Pre,Post}(&mm->vmas);
    ensures v_leaves: VSameLeaves{Pre,Post}(e->pool);
    ensures v_vmas: VSameVmas{Pre,Post}(e->pool);
*/
static uint32_t pte_alloc_kept(struct mm_env *e, struct mm_struct *mm, uint64_t addr)
{
	uint32_t t = pte_alloc(e, mm, addr);

	//@ assert nr_leaves: mm->vmas.nr_leaves == \at(mm->vmas.nr_leaves, Pre);
	/*@ assert leaf: \forall integer k; 0 <= k < VMA_MAX_LEAVES ==>
		mm->vmas.leaf[k] == \at(mm->vmas.leaf[k], Pre) &&
		mm->vmas.last_end[k] == \at(mm->vmas.last_end[k], Pre); */
	//@ assert top: VSameTop{Pre,Here}(&mm->vmas);
	/*@ assert nr: \forall integer l; 0 <= l < VMA_LEAF_POOL ==>
		e->pool->leaves[l].nr == \at(e->pool->leaves[l].nr, Pre); */
	/*@ assert slot: \forall integer l, i; 0 <= l < VMA_LEAF_POOL && 0 <= i < VMA_LEAF_SLOTS ==>
		e->pool->leaves[l].slot[i] == \at(e->pool->leaves[l].slot[i], Pre); */
	/*@ assert start: \forall integer l, i; 0 <= l < VMA_LEAF_POOL && 0 <= i < VMA_LEAF_SLOTS ==>
		e->pool->leaves[l].start[i] == \at(e->pool->leaves[l].start[i], Pre); */
	/*@ assert end: \forall integer l, i; 0 <= l < VMA_LEAF_POOL && 0 <= i < VMA_LEAF_SLOTS ==>
		e->pool->leaves[l].end[i] == \at(e->pool->leaves[l].end[i], Pre); */
	//@ assert leaves: VSameLeaves{Pre,Here}(e->pool);
	/*@ assert vmas: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
		e->pool->vma[x].vm_start == \at(e->pool->vma[x].vm_start, Pre) &&
		e->pool->vma[x].vm_end == \at(e->pool->vma[x].vm_end, Pre); */
	//@ assert same_vmas: VSameVmas{Pre,Here}(e->pool);
	return t;
}

static bool table_empty(const uint64_t *t)
{
	uint32_t i;

	for (i = 0; i < PTRS_PER_TABLE; i++)
		if (t[i] != 0)
			return false;
	return true;
}

/*
 * The PTE bits for a page of a VMA with flags (vm_get_page_prot() and the mk_pte() of a
 * fault): user, accessed, NX unless VM_EXEC; writable and dirty as asked; a VMA without
 * access (PAGE_NONE) gets _PAGE_PROTNONE instead of _PAGE_PRESENT. The bits are distinct
 * constants, so they are added (docs/proofs.md: no '|' on variables in proved code).
 */
/*@ assigns \nothing;
    ensures prot: \result == PteProt(flags, writable != 0, dirty != 0);
*/
static uint64_t pte_prot(uint64_t flags, bool writable, bool dirty)
{
	uint64_t pte = flags % 8 != 0 ? _PAGE_PRESENT : _PAGE_PROTNONE; /* VM_ACCESS_FLAGS */

	pte += _PAGE_USER + _PAGE_ACCESSED;
	if (writable)
		pte += _PAGE_RW;
	if (dirty)
		pte += _PAGE_DIRTY;
	if (!flag64(flags, VM_EXEC))
		pte += _PAGE_NX;
	return pte;
}

uint64_t pte_frame(uint64_t pte)
{
	if (pte != 0 && (pte & _PAGE_PRESENT) == 0)
		return ~pte & PTE_PFN_MASK_52;
	return pte & PTE_PFN_MASK_52;
}

static bool pte_is_zero_page(const struct mm_env *e, uint64_t pte)
{
	return pte_frame(pte) == pfn_phys(e->zero_pfn) && (pte & _PAGE_SPECIAL) != 0;
}

/* A mapped page: the frame behind a PTE that is present or PROT_NONE. */
static bool pte_mapped(uint64_t pte)
{
	return (pte & (_PAGE_PRESENT | _PAGE_PROTNONE)) != 0;
}

/* What walk_ptes() does to each mapped PTE of a range. */
enum pte_op {
	PTE_ZAP,     /* free the page, clear the PTE */
	PTE_PROTECT, /* give it the rights of a VMA with new_flags */
};

/* Owe a TLB flush of [start, end) of mm (tlb_adjust_range(), flush_tlb_page()). */
/*@ requires mm: \valid(mm);
    assigns mm->tlb_flush_start, mm->tlb_flush_end;
*/
static void tlb_owe(struct mm_struct *mm, uint64_t start, uint64_t end)
{
	if (mm->tlb_flush_start >= mm->tlb_flush_end) {
		mm->tlb_flush_start = start;
		mm->tlb_flush_end = end;
		return;
	}
	if (start < mm->tlb_flush_start)
		mm->tlb_flush_start = start;
	if (end > mm->tlb_flush_end)
		mm->tlb_flush_end = end;
}

static void pte_apply(struct mm_env *e, struct mm_struct *mm, uint64_t *pte, uint64_t addr,
		      enum pte_op op, uint64_t new_flags)
{
	uint64_t old = *pte;

	if (!pte_mapped(*pte)) {
		if (op == PTE_ZAP)
			*pte = 0;
		return;
	}
	if (op == PTE_ZAP) {
		if ((*pte & _PAGE_SPECIAL) == 0) {
			(void)free_pages_inner(e->phys, (uint32_t)(pte_frame(*pte) / PAGE_SIZE), 0);
			mm->rss_anon--;
		}
		*pte = 0;
	} else {
		bool zero = pte_is_zero_page(e, *pte);
		/* a private page keeps RW only when the VMA is writable and the page was
		 * written (it is ours); the zero page never gets it (its first write copies) */
		bool writable = (new_flags & VM_WRITE) != 0 && !zero &&
				((new_flags & VM_SHARED) != 0 || (*pte & _PAGE_DIRTY) != 0);
		/* pte_modify(): the frame, special, accessed and dirty bits stay */
		uint64_t keep = *pte & (_PAGE_SPECIAL | _PAGE_ACCESSED | _PAGE_DIRTY);

		if ((new_flags & VM_ACCESS_FLAGS) == 0) /* PAGE_NONE, frame inverted */
			*pte = (~pte_frame(*pte) & PTE_PFN_MASK_52) | keep | _PAGE_PROTNONE |
			       _PAGE_ACCESSED;
		else
			*pte = pte_frame(*pte) | keep |
			       (pte_prot(new_flags, writable, false) & ~_PAGE_DIRTY);
	}
	if (*pte != old)
		tlb_owe(mm, addr, addr + PAGE_SIZE);
}

/* Apply op to the PTEs of [start, end) under the table entry *entry of level (the level
 * of the table it points to), which covers [base, base + its span). Missing tables are
 * skipped whole. */
static void walk_ptes(struct mm_env *e, struct mm_struct *mm, uint64_t *entry, uint32_t level,
		      uint64_t base, uint64_t start, uint64_t end, enum pte_op op,
		      uint64_t new_flags)
{
	uint64_t span = entry_span(level), *t; /* of one slot of the table */
	uint32_t i;

	if ((*entry & _PAGE_PRESENT) == 0 || (*entry & _PAGE_PSE) != 0)
		return;
	t = table_of(e, *entry);
	for (i = 0; i < PTRS_PER_TABLE; i++) {
		uint64_t lo = base + i * span, hi = lo + span;

		if (hi <= start || lo >= end)
			continue;
		if (level == PT_PTE)
			pte_apply(e, mm, &t[i], lo, op, new_flags);
		else
			walk_ptes(e, mm, &t[i], level - 1, lo, start, end, op, new_flags);
	}
}

/* Apply op over [start, end) of mm's user tables (the PGD slots [start, end) reaches). */
static void walk_user(struct mm_env *e, struct mm_struct *mm, uint64_t start, uint64_t end,
		      enum pte_op op, uint64_t new_flags)
{
	uint64_t *pgd = &e->phys->mem[pfn_phys(mm->pgd) / 8];
	uint32_t top = pgtable_levels(e);
	uint64_t span = entry_span(top), i, last = (end - 1) / span;

	for (i = start / span; i <= last && i < KERNEL_PGD_BOUNDARY; i++)
		walk_ptes(e, mm, &pgd[i], top - 1, i * span, start, end, op, new_flags);
}

void change_protection(struct mm_env *e, struct mm_struct *mm, uint64_t start, uint64_t end,
		       uint64_t flags)
{
	if (mm->pgd != 0)
		walk_user(e, mm, start, end, PTE_PROTECT, flags);
}

/* Free the table under *entry (level: the table's own level) when no VMA touches the span
 * it covers and it holds nothing; recursively from the bottom. */
static void free_empty(struct mm_env *e, struct mm_struct *mm, uint64_t *entry, uint64_t base,
		       uint32_t level, uint64_t start, uint64_t end)
{
	uint64_t span = entry_span(level + 1), *t; /* of the whole table */
	uint32_t i;

	if ((*entry & _PAGE_PRESENT) == 0 || (*entry & _PAGE_PSE) != 0)
		return;
	t = table_of(e, *entry);
	if (level > PT_PTE)
		for (i = 0; i < PTRS_PER_TABLE; i++) {
			uint64_t lo = base + i * (span / PTRS_PER_TABLE);

			if (lo < end && lo + span / PTRS_PER_TABLE > start)
				free_empty(e, mm, &t[i], lo, level - 1, start, end);
		}
	if (!table_empty(t) ||
	    find_vma_intersection(e->pool, &mm->vmas, base, base + span) != VMA_NONE)
		return;
	(void)free_pages_inner(e->phys, (uint32_t)((*entry & PTE_PFN_MASK_52) / PAGE_SIZE), 0);
	*entry = 0;
	mm->pgtables--;
	/* pte_free_tlb() and friends: walks may hold the freed table in paging-structure
	 * caches; the flush covers the part of the zapped range the table spanned */
	tlb_owe(mm, base > start ? base : start, base + span < end ? base + span : end);
}

void zap_range(struct mm_env *e, struct mm_struct *mm, uint64_t start, uint64_t end)
{
	uint32_t top = pgtable_levels(e);
	uint64_t *pgd, span = entry_span(top), i;

	if (mm->pgd == 0 || start >= end)
		return;
	walk_user(e, mm, start, end, PTE_ZAP, 0);
	/* free_pgtables() -> free_pgd_range(): the tables under the PGD slots [start, end)
	 * reaches into -- free_p4d_range() (5 levels), free_pud_range(), free_pmd_range(),
	 * free_pte_range() */
	pgd = &e->phys->mem[pfn_phys(mm->pgd) / 8];
	for (i = start / span; i <= (end - 1) / span && i < KERNEL_PGD_BOUNDARY; i++)
		free_empty(e, mm, &pgd[i], i * span, top - 1, start, end);
}

void pgd_free(struct mm_env *e, struct mm_struct *mm)
{
	if (mm->pgd == 0)
		return;
	zap_range(e, mm, 0, task_size_max(e));
	(void)free_pages_inner(e->phys, mm->pgd, 0);
	mm->pgd = 0;
	mm->pgtables = 0;
}

/* The [vdso] special mapping (its pages come from the kernel image, not the mm). */
/*@ requires valid: \valid_read(e) && \valid_read(e->pool) && \valid_read(vma);
    requires file: vma->file <= VMA_NR_FILES;
    assigns \nothing;
    ensures vdso: \result <==> IsVdso(e->pool, vma);
*/
static bool vma_is_vdso(const struct mm_env *e, const struct vm_area_struct *vma)
{
	const char *n;

	if (vma->file == 0 || !e->pool->files[vma->file - 1].special)
		return false;
	n = e->pool->files[vma->file - 1].name;
	return n[0] == '[' && n[1] == 'v' && n[2] == 'd' && n[3] == 's' && n[4] == 'o' &&
	       n[5] == ']' && n[6] == '\0';
}

/*
 * clear_user_highpage() stores non-temporally where the compiler can (clang:
 * __builtin_nontemporal_store, movnti on x86-64, stnp on arm64). A page cleared for a
 * fault is usually cold: a plain store first reads its line from memory (a read for
 * ownership), a non-temporal one does not, which halves the memory traffic of the
 * largest cost of a fault (docs/benchmarks.md, bench fault). Non-temporal stores are
 * ordered like any other for the thread that made them; a reader on another thread would
 * need a fence first (there is none: the model runs on one thread). To gcc and Frama-C
 * this is a plain store.
 */
#if defined(__has_builtin) && !defined(__FRAMAC__)
#if __has_builtin(__builtin_nontemporal_store)
#define HAVE_NONTEMPORAL_STORE 1
#endif
#endif

/*@ requires valid: \valid(word);
    assigns *word;
    ensures zero: *word == 0;
*/
static void store_zero(uint64_t *word)
{
#ifdef HAVE_NONTEMPORAL_STORE
	__builtin_nontemporal_store((uint64_t)0, word);
#else
	*word = 0;
#endif
}

/*@ requires valid: \valid(word);
    assigns *word;
    ensures stored: *word == value;
*/
static void store_word(uint64_t *word, uint64_t value)
{
#ifdef HAVE_NONTEMPORAL_STORE
	__builtin_nontemporal_store(value, word);
#else
	*word = value;
#endif
}

/*
 * Models include/linux/highmem.h: copy_user_highpage() (copy_page() on x86); stored
 * like clear_user_highpage() (which also keeps compilers from calling memcpy). Frame
 * from_pfn may be to_pfn itself: the copy then changes nothing.
 */
/*@ requires shape: PhysShape(p);
    requires frames: to_pfn < p->nr_pages && from_pfn < p->nr_pages;
    assigns p->mem[to_pfn * PAGE_WORDS .. to_pfn * PAGE_WORDS + PAGE_WORDS - 1];
    ensures copied: FrameCopy{Pre,Post}(p, to_pfn, from_pfn);
    ensures kept: MemKept{Pre,Post}(p, to_pfn);
*/
static void copy_user_highpage(struct phys *p, uint32_t to_pfn, uint32_t from_pfn)
{
	uint64_t *to = &p->mem[(uint64_t)to_pfn * PAGE_WORDS];
	const uint64_t *from = &p->mem[(uint64_t)from_pfn * PAGE_WORDS];
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= PAGE_WORDS;
	    loop invariant copied: \forall integer j; to_pfn * PAGE_WORDS <= j < to_pfn * PAGE_WORDS + i ==>
		p->mem[j] == \at(p->mem[j - to_pfn * PAGE_WORDS + from_pfn * PAGE_WORDS], Pre);
	    loop invariant ahead: \forall integer j;
		from_pfn * PAGE_WORDS + i <= j < from_pfn * PAGE_WORDS + PAGE_WORDS ==>
		p->mem[j] == \at(p->mem[j], Pre);
	    loop assigns i, to[0 .. PAGE_WORDS - 1];
	    loop variant PAGE_WORDS - i;
	*/
	for (i = 0; i < PAGE_WORDS; i++) {
		uint64_t v = from[i];

		//@ assert src: \let k = from_pfn * PAGE_WORDS + i; v == \at(p->mem[k], Pre);
		/*@ assert apart: to_pfn == from_pfn || to_pfn * PAGE_WORDS + i < from_pfn * PAGE_WORDS ||
			to_pfn * PAGE_WORDS + i >= from_pfn * PAGE_WORDS + PAGE_WORDS; */
		store_word(&to[i], v);
		//@ assert stored: \let k = from_pfn * PAGE_WORDS + i; to[i] == \at(p->mem[k], Pre);
	}
}

/* Models include/linux/highmem.h: clear_user_highpage() (clear_page() on x86). */
/*@ requires shape: PhysShape(p);
    requires pfn: pfn < p->nr_pages;
    assigns p->mem[pfn * PAGE_WORDS .. pfn * PAGE_WORDS + PAGE_WORDS - 1];
    ensures zeroed: FrameZero(p, pfn);
    ensures kept: MemKept{Pre,Post}(p, pfn);
*/
static void clear_user_highpage(struct phys *p, uint32_t pfn)
{
	uint64_t *words = &p->mem[(uint64_t)pfn * PAGE_WORDS];
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= PAGE_WORDS;
	    loop invariant zeroed: \forall integer j; pfn * PAGE_WORDS <= j < pfn * PAGE_WORDS + i ==>
		p->mem[j] == 0;
	    loop assigns i, words[0 .. PAGE_WORDS - 1];
	    loop variant PAGE_WORDS - i;
	*/
	for (i = 0; i < PAGE_WORDS; i++)
		store_zero(&words[i]);
}

/*
 * A page for user memory: GFP_HIGHUSER_MOVABLE, order 0 (vma_alloc_folio() of
 * folio_prealloc()); PFN_NONE when there is none. zeroed: cleared by clear_user_highpage()
 * (vma_alloc_zeroed_movable_folio() on x86 v6.18; also shmem_get_folio_gfp()'s clearing of
 * a new shmem folio), which the kernel skips only with init_on_alloc
 * (user_alloc_needs_zeroing()), not modelled.
 */
/*@ requires env: \valid_read(e) && PhysShape(e->phys) && PhysApart(e->phys, e);
    requires safe: BuddySafe(e->phys);
    requires heads: ListHeads(e->phys);
    assigns e->phys->zones[0 .. MAX_NR_ZONES - 1], e->phys->pages[0 .. e->phys->nr_pages - 1],
	e->phys->mem[0 .. RamWords(e->phys) - 1];
    ensures safe: BuddySafe(e->phys);
    ensures heads: ListHeads(e->phys);
    behavior fails:
	assumes AllocFails(e->phys, GFP_USER_PAGE, 0);
	ensures none: \result == PFN_NONE;
	ensures unchanged: PhysUnchanged{Pre,Post}(e->phys);
    behavior ok:
	assumes !AllocFails(e->phys, GFP_USER_PAGE, 0);
	ensures some: \result != PFN_NONE;
	ensures page: NewPage{Pre,Post}(e->phys, \result);
	ensures zeroed: zeroed ==> FrameZero(e->phys, \result);
	ensures kept: MemKept{Pre,Post}(e->phys, \result);
	ensures free: NrFree(e->phys) == NrFree{Pre}(e->phys) - 1;
    complete behaviors;
    disjoint behaviors;
*/
static uint32_t alloc_user_page(struct mm_env *e, bool zeroed)
{
	uint32_t pfn = alloc_pages(e->phys, GFP_USER_PAGE, 0);

	//@ assert failed: pfn == PFN_NONE ==> PhysUnchanged{Pre,Here}(e->phys);
	//@ assert booted: pfn != PFN_NONE ==> Booted(e->phys);
	//@ assert heads_failed: pfn == PFN_NONE ==> PhysUnchanged{Pre,Here}(e->phys) && ListHeads(e->phys);
	//@ assert heads_ok: pfn != PFN_NONE ==> Booted(e->phys) && ListHeads(e->phys);
	//@ assert page: pfn != PFN_NONE ==> NewPage{Pre,Here}(e->phys, pfn);
	//@ assert pow: Pow2(0) == 1;
	//@ assert nr: e->phys->nr_pages == \at(e->phys->nr_pages, Pre);
	/*@ assert mem_kept: pfn != PFN_NONE ==> \forall integer j; 0 <= j < RamWords(e->phys) &&
		(j < pfn * PAGE_WORDS || j >= (pfn + 1) * PAGE_WORDS) ==>
		e->phys->mem[j] == \at(e->phys->mem[j], Pre); */
	//@ assert kept: pfn != PFN_NONE ==> MemKept{Pre,Here}(e->phys, pfn);
	if (pfn != PFN_NONE && zeroed) {
		clear_user_highpage(e->phys, pfn);
		//@ assert kept1: MemKept{Pre,Here}(e->phys, pfn);
	}
	return pfn;
}

#ifdef __FRAMAC__
/* clang-format off */
/*
 * What handle_pte_fault() and the wrapper handle_pte_fault_walk() require, and what the
 * fault below a PTE table may write (handle_pte_fault() and its helpers): the fault's
 * VMA, its PTE a word of a page-table page, the page allocator's invariant.
 */
#define PTE_FAULT_REQUIRES \
	requires env: FaultEnv(e, mm) && FieldsApart(e, mm); \
	requires safe: BuddySafe(e->phys); \
	requires heads: ListHeads(e->phys); \
	requires vmas: VSetOk(e->pool, &mm->vmas); \
	requires id: vmf.id < VMA_POOL_SIZE; \
	requires file: e->pool->vma[vmf.id].file <= VMA_NR_FILES; \
	requires slot: PteSlot(e->phys, vmf.pte); \
	requires special: SpecialOk(e->phys, e->phys->mem[vmf.pte]); \
	requires pgd_apart: \separated(&mm->pgd, e->phys->pages + (0 .. e->phys->nr_pages - 1)) && \
		\separated(&mm->pgd, &e->phys->zones[0 .. MAX_NR_ZONES - 1]) && \
		\separated(&mm->pgd, &e->pool->next_anon_vma) && \
		\separated(&mm->pgd, &e->pool->vma[vmf.id].anon_vma); \
	requires nr_apart: \separated(&e->phys->nr_pages, e->phys->pages + (0 .. e->phys->nr_pages - 1)) && \
		\separated(&e->phys->nr_pages, &e->phys->zones[0 .. MAX_NR_ZONES - 1]) && \
		\separated(&e->phys->nr_pages, &e->pool->next_anon_vma) && \
		\separated(&e->phys->nr_pages, &e->pool->vma[vmf.id].anon_vma);
#define PTE_FAULT_ASSIGNS \
	assigns e->phys->zones[0 .. MAX_NR_ZONES - 1], \
		e->phys->pages[0 .. e->phys->nr_pages - 1], \
		e->phys->mem[0 .. RamWords(e->phys) - 1], mm->rss_anon, mm->tlb_flush_start, \
		mm->tlb_flush_end, e->pool->vma[vmf.id].anon_vma, e->pool->next_anon_vma;
/* clang-format on */
#endif

/* What handle_pte_fault() and its helpers work on (Linux's struct vm_fault). */
struct vm_fault {
	uint32_t id;	  /* the VMA */
	bool write;	  /* FAULT_FLAG_WRITE */
	uint64_t address; /* the faulting address */
	uint64_t pte;	  /* vmf->pte: the PTE's index in phys->mem */
};

/* A fault's result: 0 or -errno, what was done, the page mapped (0: none). */
/*@ assigns \nothing;
    ensures result: \result.err == err && \result.action == action && \result.pfn == pfn;
*/
static struct fault_ret fault_ret(int err, enum fault_action action, uint32_t pfn)
{
	struct fault_ret r;

	r.err = err;
	r.action = action;
	r.pfn = pfn;
	return r;
}

/*
 * inc_mm_counter(mm, MM_ANONPAGES): one more page in RSS. Only the counter changes, and
 * the contract says that RAM did not (the provers find that faster as a fact of a call than
 * through the separation of mm from the frames).
 */
/*@ requires mm: \valid(mm) && PhysShape(p);
    requires sep: \separated(&mm->rss_anon, p->mem + (0 .. RamWords(p) - 1));
    assigns mm->rss_anon;
    ensures counted: mm->rss_anon == (uint64_t)(\old(mm->rss_anon) + 1);
    ensures mem: MemSame{Pre,Post}(p);
*/
static void inc_mm_anon(struct mm_struct *mm, const struct phys *p)
{
	(void)p;
	mm->rss_anon++;
}

/* flush_tlb_page(): the TLB flush owed for the page at addr (RAM unchanged, as above). */
/*@ requires mm: \valid(mm) && PhysShape(p);
    requires sep: \separated(&mm->tlb_flush_start, p->mem + (0 .. RamWords(p) - 1)) &&
	\separated(&mm->tlb_flush_end, p->mem + (0 .. RamWords(p) - 1));
    assigns mm->tlb_flush_start, mm->tlb_flush_end;
    ensures mem: MemSame{Pre,Post}(p);
*/
static void flush_tlb_page(struct mm_struct *mm, const struct phys *p, uint64_t addr)
{
	uint64_t page = addr / PAGE_SIZE * PAGE_SIZE;

	(void)p;
	tlb_owe(mm, page, page + PAGE_SIZE);
}

/*
 * flush_tlb_page() when flush (ptep_clear_flush() of a PTE that was present), nothing
 * otherwise. One call on both paths: after a conditional call the solvers must carry
 * every frame fact through the join, and map_new_page()'s timed out there (docs/proofs.md,
 * lesson 17).
 */
/*@ requires mm: \valid(mm) && PhysShape(p);
    requires sep: \separated(&mm->tlb_flush_start, p->mem + (0 .. RamWords(p) - 1)) &&
	\separated(&mm->tlb_flush_end, p->mem + (0 .. RamWords(p) - 1));
    assigns mm->tlb_flush_start, mm->tlb_flush_end;
    ensures no_flush: !flush ==> mm->tlb_flush_start == \old(mm->tlb_flush_start) &&
	mm->tlb_flush_end == \old(mm->tlb_flush_end);
*/
static void maybe_flush_tlb_page(struct mm_struct *mm, const struct phys *p, uint64_t addr,
				 bool flush)
{
	if (flush)
		flush_tlb_page(mm, p, addr);
}

/*
 * vmf_anon_prepare() (mm/memory.c): anon_vma_prepare() for the faulting VMA. Only the VMA
 * pool changes; the contract carries the page allocator's state across (proved here once,
 * where the provers see little else).
 */
/*@ requires env: FaultEnv(e, mm);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires id: id < VMA_POOL_SIZE;
    requires safe: BuddySafe(e->phys);
    requires heads: ListHeads(e->phys);
    requires apart: \separated(&e->pool->vma[id].anon_vma, &e->pool->next_anon_vma, e->phys,
				e->phys->pages + (0 .. e->phys->nr_pages - 1));
    assigns e->pool->vma[id].anon_vma, e->pool->next_anon_vma;
    ensures anon_vma: AnonPrepared{Pre,Post}(e->pool, id);
    ensures unchanged: PhysUnchanged{Pre,Post}(e->phys);
    ensures kept: PhysKept{Pre,Post}(e->phys);
    ensures safe: BuddySafe(e->phys);
    ensures heads: ListHeads(e->phys);
    ensures nr: e->phys->nr_pages == \old(e->phys->nr_pages);
    ensures fails: AllocFails(e->phys, GFP_USER_PAGE, 0) <==>
	\old(AllocFails(e->phys, GFP_USER_PAGE, 0));
    ensures free: NrFree(e->phys) == \old(NrFree(e->phys));
    ensures rss: mm->rss_anon == \old(mm->rss_anon);
*/
static void vmf_anon_prepare(struct mm_env *e, struct mm_struct *mm, uint32_t id)
{
	anon_vma_prepare(e, mm, id);
	/*@ assert fields: e->phys->nr_pages == \at(e->phys->nr_pages, Pre) &&
		e->phys->booted == \at(e->phys->booted, Pre) &&
		e->phys->pages == \at(e->phys->pages, Pre) && e->phys->mem == \at(e->phys->mem, Pre); */
	//@ assert pages: PagesSame{Pre,Here}(e->phys->pages, e->phys->nr_pages);
	//@ assert areas: AreasSame{Pre,Here}(&e->phys->zones[0]);
	/*@ assert zones: \forall integer zi; 0 <= zi < MAX_NR_ZONES ==>
		e->phys->zones[zi].start_pfn == \at(e->phys->zones[zi].start_pfn, Pre) &&
		e->phys->zones[zi].end_pfn == \at(e->phys->zones[zi].end_pfn, Pre) &&
		e->phys->zones[zi].free_pages == \at(e->phys->zones[zi].free_pages, Pre); */
	//@ assert kept: PhysKept{Pre,Here}(e->phys);
	//@ assert shape: PhysShape(e->phys);
	/*@ assert heads0: \forall integer o; 0 <= o < NR_PAGE_ORDERS ==>
		e->phys->zones[ZONE_DMA].free_area[o].head ==
		\at(e->phys->zones[ZONE_DMA].free_area[o].head, Pre); */
	/*@ assert heads1: \forall integer o; 0 <= o < NR_PAGE_ORDERS ==>
		e->phys->zones[ZONE_NORMAL].free_area[o].head ==
		\at(e->phys->zones[ZONE_NORMAL].free_area[o].head, Pre); */
	/*@ assert free1: e->phys->zones[ZONE_NORMAL].free_pages ==
		\at(e->phys->zones[ZONE_NORMAL].free_pages, Pre); */
	/*@ assert dma: ZoneCannotServe(e->phys, ZONE_DMA, 0) <==>
		\at(ZoneCannotServe(e->phys, ZONE_DMA, 0), Pre); */
	/*@ assert normal: ZoneCannotServe(e->phys, ZONE_NORMAL, 0) <==>
		\at(ZoneCannotServe(e->phys, ZONE_NORMAL, 0), Pre); */
	/*@ assert fails: AllocFails(e->phys, GFP_USER_PAGE, 0) <==>
		\at(AllocFails(e->phys, GFP_USER_PAGE, 0), Pre); */
}

/*
 * map_new_page() - what the two faults that map a page of the mm's own do after
 * vmf_anon_prepare() (do_anonymous_page() for a write, wp_page_copy()): the new page
 * (alloc_user_page(): cleared when zeroed, else a copy of frame from, as
 * __wp_page_copy_user() does), one more anonymous page in RSS, the old translation
 * flushed when flush (ptep_clear_flush()), then its PTE pfn_phys(pfn) + bits written at
 * vmf.pte (set_pte_at()): Linux's order. PFN_NONE when there is no page: nothing changed
 * then. (One function for both, with its own contract: in the callers' larger contexts
 * the frame facts after the PTE write did not prove.)
 */
/*@ requires env: FaultEnv(e, mm) && FieldsApart(e, mm);
    requires safe: BuddySafe(e->phys);
    requires heads: ListHeads(e->phys);
    requires id: vmf.id < VMA_POOL_SIZE;
    requires slot: PteSlot(e->phys, vmf.pte);
    requires bits: bits < 0x8000000000000200;
    requires from: zeroed || (from < e->phys->nr_pages && e->phys->pages[from].flags != PG_buddy);
    requires apart: \separated(&e->pool->vma[vmf.id].anon_vma, &e->pool->next_anon_vma,
	&e->pool->vma[vmf.id].vm_flags, &e->phys->zones[0 .. MAX_NR_ZONES - 1],
	e->phys->pages + (0 .. e->phys->nr_pages - 1), e->phys->mem + (0 .. RamWords(e->phys) - 1));
    assigns e->phys->zones[0 .. MAX_NR_ZONES - 1], e->phys->pages[0 .. e->phys->nr_pages - 1],
	e->phys->mem[0 .. RamWords(e->phys) - 1], mm->rss_anon, mm->tlb_flush_start,
	mm->tlb_flush_end;
    ensures safe: BuddySafe(e->phys);
    ensures heads: ListHeads(e->phys);
    ensures nr: e->phys->nr_pages == \old(e->phys->nr_pages);
    ensures anon_vma: e->pool->vma[vmf.id].anon_vma == \old(e->pool->vma[vmf.id].anon_vma);
    ensures next_anon_vma: e->pool->next_anon_vma == \old(e->pool->next_anon_vma);
    ensures flags: e->pool->vma[vmf.id].vm_flags == \old(e->pool->vma[vmf.id].vm_flags);
    ensures tables: TablesKept{Pre,Post}(e->phys, vmf.pte);
    ensures heads_kept: HeadsKept{Pre,Post}(e->phys);
    ensures no_flush: !flush ==> mm->tlb_flush_start == \old(mm->tlb_flush_start) &&
	mm->tlb_flush_end == \old(mm->tlb_flush_end);
    behavior fails:
	assumes AllocFails(e->phys, GFP_USER_PAGE, 0);
	ensures none: \result == PFN_NONE;
	ensures unchanged: PhysUnchanged{Pre,Post}(e->phys);
	ensures rss: mm->rss_anon == \old(mm->rss_anon);
    behavior ok:
	assumes !AllocFails(e->phys, GFP_USER_PAGE, 0);
	ensures some: \result != PFN_NONE;
	ensures page: NewPage{Pre,Post}(e->phys, \result);
	ensures zeroed: zeroed ==> FrameZero(e->phys, \result);
	ensures copy: !zeroed ==> FrameCopy{Pre,Post}(e->phys, \result, from);
	ensures pte: e->phys->mem[vmf.pte] == MkEnt(\result, bits);
	ensures kept: \forall integer j; 0 <= j < RamWords(e->phys) && j != vmf.pte &&
	    OutFrame(j, \result) ==> e->phys->mem[j] == \old(e->phys->mem[j]);
	ensures rss: mm->rss_anon == (uint64_t)(\old(mm->rss_anon) + 1);
	ensures free: NrFree(e->phys) == \old(NrFree(e->phys)) - 1;
    complete behaviors;
    disjoint behaviors;
*/
static uint32_t map_new_page(struct mm_env *e, struct mm_struct *mm, struct vm_fault vmf,
			     uint64_t bits, bool zeroed, uint32_t from, bool flush)
{
	uint32_t pfn = alloc_user_page(e, zeroed);

	//@ assert nr: e->phys->nr_pages == \at(e->phys->nr_pages, Pre);
	//@ assert ptrs: e->phys == \at(e->phys, Pre) && e->phys->mem == \at(e->phys->mem, Pre);
	/*@ assert pool: e->pool->vma[vmf.id].anon_vma == \at(e->pool->vma[vmf.id].anon_vma, Pre) &&
		e->pool->next_anon_vma == \at(e->pool->next_anon_vma, Pre) &&
		e->pool->vma[vmf.id].vm_flags == \at(e->pool->vma[vmf.id].vm_flags, Pre); */
	if (pfn == PFN_NONE) {
		//@ assert o_tables: TablesKept{Pre,Here}(e->phys, vmf.pte) && HeadsKept{Pre,Here}(e->phys);
		//@ assert o_rss: mm->rss_anon == \at(mm->rss_anon, Pre);
		return PFN_NONE;
	}
	//@ assert in_ram: pfn < e->phys->nr_pages;
	//@ assert kept0: MemKept{Pre,Here}(e->phys, pfn);
	//@ assert buddy_pre: \let k = pfn; \at(e->phys->pages[k].flags, Pre) == PG_buddy;
	//@ assert from_other: !zeroed ==> from != pfn;
	//@ assert head_pre: \at(HasFlag(e->phys->pages[vmf.pte / PAGE_WORDS].flags, PG_head), Pre);
	//@ assert not_head: vmf.pte / PAGE_WORDS != pfn;
	//@ assert apart: OutFrame(vmf.pte, pfn);
	if (!zeroed) {
		copy_user_highpage(e->phys, pfn, from);
		//@ assert copied0: FrameCopy{Pre,Here}(e->phys, pfn, from);
	}
	//@ assert flags0: e->pool->vma[vmf.id].vm_flags == \at(e->pool->vma[vmf.id].vm_flags, Pre);
	//@ assert kept_c: MemKept{Pre,Here}(e->phys, pfn);
	//@ assert zeroed_c: zeroed ==> FrameZero(e->phys, pfn);
	//@ assert copied_c: !zeroed ==> FrameCopy{Pre,Here}(e->phys, pfn, from);
	//@ assert rss_c: mm->rss_anon == \at(mm->rss_anon, Pre);
	/*@ assert tlb_c: mm->tlb_flush_start == \at(mm->tlb_flush_start, Pre) &&
		mm->tlb_flush_end == \at(mm->tlb_flush_end, Pre); */
	/*@ ghost C:; */
	inc_mm_anon(mm, e->phys); /* inc_mm_counter(), before set_pte_at() as in Linux */
	//@ assert same_i: MemSame{C,Here}(e->phys);
	//@ assert kept_i: MemKept{Pre,Here}(e->phys, pfn);
	//@ assert zeroed_i: zeroed ==> FrameZero(e->phys, pfn);
	//@ assert copied_i: !zeroed ==> FrameCopy{Pre,Here}(e->phys, pfn, from);
	/*@ ghost I:; */
	maybe_flush_tlb_page(mm, e->phys, vmf.address, flush); /* ptep_clear_flush() */
	//@ assert same_f: MemSame{I,Here}(e->phys);
	/*@ assert tlb_f: !flush ==> mm->tlb_flush_start == \at(mm->tlb_flush_start, Pre) &&
		mm->tlb_flush_end == \at(mm->tlb_flush_end, Pre); */
	//@ assert rss_f: mm->rss_anon == (uint64_t)(\at(mm->rss_anon, Pre) + 1);
	//@ assert flags1: e->pool->vma[vmf.id].vm_flags == \at(e->pool->vma[vmf.id].vm_flags, Pre);
	//@ assert kept1: MemKept{Pre,Here}(e->phys, pfn);
	//@ assert zeroed1: zeroed ==> FrameZero(e->phys, pfn);
	//@ assert copied1: !zeroed ==> FrameCopy{Pre,Here}(e->phys, pfn, from);
	/*@ assert kept_words: \forall integer j; 0 <= j < RamWords(e->phys) && OutFrame(j, pfn) ==>
		e->phys->mem[j] == \at(e->phys->mem[j], Pre); */
	/*@ ghost W:; */
	e->phys->mem[vmf.pte] = pfn_phys(pfn) + bits;
	//@ assert pte: e->phys->mem[vmf.pte] == MkEnt(pfn, bits);
	//@ assert ram: RamWords(e->phys) == \at(RamWords(e->phys), Pre);
	/*@ assert kept_w: \forall integer j; 0 <= j < RamWords(e->phys) && j != vmf.pte ==>
		e->phys->mem[j] == \at(e->phys->mem[j], W); */
	/*@ assert kept: \forall integer j; 0 <= j < RamWords(e->phys) && j != vmf.pte &&
		OutFrame(j, pfn) ==> e->phys->mem[j] == \at(e->phys->mem[j], Pre); */
	//@ assert zeroed2: zeroed ==> FrameZero(e->phys, pfn);
	//@ assert copied2: !zeroed ==> FrameCopy{Pre,Here}(e->phys, pfn, from);
	//@ assert tables: TablesKept{Pre,Here}(e->phys, vmf.pte);
	//@ assert flags2: e->pool->vma[vmf.id].vm_flags == \at(e->pool->vma[vmf.id].vm_flags, Pre);
	return pfn;
}

/*
 * do_anonymous_page() - a fault on an empty PTE of a private VMA (mm/memory.c). A read
 * maps the shared zero page read-only, as a special PTE (pte_mkspecial(): no struct page is
 * counted, RSS unchanged). A write first gives the VMA an anon_vma (vmf_anon_prepare()),
 * then maps a fresh zeroed page (alloc_anon_folio()): writable and dirty when the VMA is
 * writable (maybe_mkwrite(pte_mkdirty())), one more anonymous page in RSS. Without a page
 * it is VM_FAULT_OOM: the PTE stays empty and no frame is taken; the anon_vma stays with
 * the VMA, as in Linux (it was prepared before the allocation).
 */
/*@ requires env: FaultEnv(e, mm) && FieldsApart(e, mm);
    requires safe: BuddySafe(e->phys);
    requires heads: ListHeads(e->phys);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires id: vmf.id < VMA_POOL_SIZE;
    requires slot: PteSlot(e->phys, vmf.pte);
    requires none: !HasFlag(e->phys->mem[vmf.pte], _PAGE_PRESENT);
    PTE_FAULT_ASSIGNS
    ensures safe: BuddySafe(e->phys);
    ensures heads: ListHeads(e->phys);
    ensures tables: TablesKept{Pre,Post}(e->phys, vmf.pte);
    ensures heads_kept: HeadsKept{Pre,Post}(e->phys);
    ensures no_flush: mm->tlb_flush_start == \old(mm->tlb_flush_start) &&
	mm->tlb_flush_end == \old(mm->tlb_flush_end);
    behavior zero_page:
	assumes !vmf.write;
	assigns e->phys->mem[vmf.pte];
	ensures result: \result.err == 0 && \result.action == FAULT_ZERO_PAGE && \result.pfn == 0;
	ensures pte: e->phys->mem[vmf.pte] ==
	    ZeroPte(e->zero_pfn, e->pool->vma[vmf.id].vm_flags);
    behavior oom:
	assumes vmf.write && AllocFails(e->phys, GFP_USER_PAGE, 0);
	ensures result: \result.err == -ENOMEM && \result.action == FAULT_OOM && \result.pfn == 0;
	ensures unchanged: PhysUnchanged{Pre,Post}(e->phys) && mm->rss_anon == \old(mm->rss_anon);
	ensures anon_vma: AnonPrepared{Pre,Post}(e->pool, vmf.id);
    behavior anon_page:
	assumes vmf.write && !AllocFails(e->phys, GFP_USER_PAGE, 0);
	ensures result: \result.err == 0 && \result.action == FAULT_ANON_PAGE;
	ensures page: NewPage{Pre,Post}(e->phys, \result.pfn);
	ensures zeroed: FrameZero(e->phys, \result.pfn);
	ensures pte: e->phys->mem[vmf.pte] == AnonPte(\result.pfn, e->pool->vma[vmf.id].vm_flags);
	ensures kept: \forall integer j; 0 <= j < RamWords(e->phys) && j != vmf.pte &&
	    OutFrame(j, \result.pfn) ==> e->phys->mem[j] == \old(e->phys->mem[j]);
	ensures rss: mm->rss_anon == (uint64_t)(\old(mm->rss_anon) + 1);
	ensures free: NrFree(e->phys) == \old(NrFree(e->phys)) - 1;
	ensures anon_vma: AnonPrepared{Pre,Post}(e->pool, vmf.id);
    complete behaviors;
    disjoint behaviors;
*/
static struct fault_ret do_anonymous_page(struct mm_env *e, struct mm_struct *mm,
					  struct vm_fault vmf)
{
	uint64_t flags = e->pool->vma[vmf.id].vm_flags;
	bool writable = flag64(flags, VM_WRITE);
	uint32_t pfn;

	if (!vmf.write) { /* the zero page for reads */
		e->phys->mem[vmf.pte] =
		    pfn_phys(e->zero_pfn) + (pte_prot(flags, false, false) + _PAGE_SPECIAL);
		//@ assert z_tables: TablesKept{Pre,Here}(e->phys, vmf.pte);
		//@ assert z_heads: HeadsKept{Pre,Here}(e->phys);
		return fault_ret(0, FAULT_ZERO_PAGE, 0);
	}
	vmf_anon_prepare(e, mm, vmf.id);
	//@ assert a_flags: e->pool->vma[vmf.id].vm_flags == flags;
	//@ assert a_env: FaultEnv(e, mm) && FieldsApart(e, mm) && PteSlot(e->phys, vmf.pte);
	/*@ assert a_phys: \separated(&e->pool->vma[vmf.id].anon_vma, &e->pool->next_anon_vma,
		&e->pool->vma[vmf.id].vm_flags, &e->phys->zones[0 .. MAX_NR_ZONES - 1],
		e->phys->pages + (0 .. e->phys->nr_pages - 1),
		e->phys->mem + (0 .. RamWords(e->phys) - 1)); */
	/*@ ghost A:; */
	pfn = map_new_page(e, mm, vmf, pte_prot(flags, writable, writable), true, 0, false);
	if (pfn == PFN_NONE) {
		//@ assert o_pre: PhysUnchanged{Pre,A}(e->phys);
		//@ assert o_a: PhysUnchanged{A,Here}(e->phys);
		//@ assert o_nr: \at(e->phys->nr_pages, A) == e->phys->nr_pages;
		//@ assert o_unchanged: PhysUnchanged{Pre,Here}(e->phys);
		return fault_ret(-ENOMEM, FAULT_OOM, 0);
	}
	//@ assert new_page: NewPage{Pre,Here}(e->phys, pfn);
	/*@ assert kept: \forall integer j; 0 <= j < RamWords(e->phys) && j != vmf.pte &&
		OutFrame(j, pfn) ==> e->phys->mem[j] == \at(e->phys->mem[j], Pre); */
	//@ assert pte: e->phys->mem[vmf.pte] == AnonPte(pfn, e->pool->vma[vmf.id].vm_flags);
	return fault_ret(0, FAULT_ANON_PAGE, pfn);
}

/*
 * wp_page_copy() - a write to a present PTE the mm does not own: the zero page (the copy
 * is a cleared page) or a [vdso] page of a VMA made writable (a copy of it); the shared
 * page itself is never written. As in Linux, the anon_vma comes first (vmf_anon_prepare()),
 * then the page; without one it is VM_FAULT_OOM and the PTE stays. The new PTE is writable
 * and dirty; the old translation goes (ptep_clear_flush(): a TLB flush of the page).
 */
/*@ requires env: FaultEnv(e, mm) && FieldsApart(e, mm);
    requires safe: BuddySafe(e->phys);
    requires heads: ListHeads(e->phys);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires id: vmf.id < VMA_POOL_SIZE;
    requires slot: PteSlot(e->phys, vmf.pte);
    requires present: HasFlag(e->phys->mem[vmf.pte], _PAGE_PRESENT);
    requires special: SpecialOk(e->phys, e->phys->mem[vmf.pte]);
    requires special_bit: HasFlag(e->phys->mem[vmf.pte], _PAGE_SPECIAL);
    PTE_FAULT_ASSIGNS
    ensures safe: BuddySafe(e->phys);
    ensures heads: ListHeads(e->phys);
    ensures tables: TablesKept{Pre,Post}(e->phys, vmf.pte);
    ensures heads_kept: HeadsKept{Pre,Post}(e->phys);
    ensures anon_vma: AnonPrepared{Pre,Post}(e->pool, vmf.id);
    behavior oom:
	assumes AllocFails(e->phys, GFP_USER_PAGE, 0);
	ensures result: \result.err == -ENOMEM && \result.action == FAULT_OOM && \result.pfn == 0;
	ensures unchanged: PhysUnchanged{Pre,Post}(e->phys) && mm->rss_anon == \old(mm->rss_anon);
    behavior copied:
	assumes !AllocFails(e->phys, GFP_USER_PAGE, 0);
	ensures result: \result.err == 0 && \result.action == FAULT_COW;
	ensures page: NewPage{Pre,Post}(e->phys, \result.pfn);
	ensures zeroed: IsZeroPte{Pre}(e, \old(e->phys->mem[vmf.pte])) ==>
	    FrameZero(e->phys, \result.pfn);
	ensures copy: !IsZeroPte{Pre}(e, \old(e->phys->mem[vmf.pte])) ==>
	    FrameCopy{Pre,Post}(e->phys, \result.pfn, EntPfn(\old(e->phys->mem[vmf.pte])));
	ensures pte: e->phys->mem[vmf.pte] ==
	    MkEnt(\result.pfn, PteProt(e->pool->vma[vmf.id].vm_flags, \true, \true));
	ensures kept: \forall integer j; 0 <= j < RamWords(e->phys) && j != vmf.pte &&
	    OutFrame(j, \result.pfn) ==> e->phys->mem[j] == \old(e->phys->mem[j]);
	ensures rss: mm->rss_anon == (uint64_t)(\old(mm->rss_anon) + 1);
	ensures free: NrFree(e->phys) == \old(NrFree(e->phys)) - 1;
    complete behaviors;
    disjoint behaviors;
*/
static struct fault_ret wp_page_copy(struct mm_env *e, struct mm_struct *mm, struct vm_fault vmf)
{
	uint64_t old = e->phys->mem[vmf.pte];
	uint64_t flags = e->pool->vma[vmf.id].vm_flags;
	bool zero = entry_pfn(old) == e->zero_pfn && flag64(old, _PAGE_SPECIAL);
	uint32_t pfn;

	//@ assert iszero: zero <==> IsZeroPte(e, old);
	//@ assert from: EntPfn(old) < e->phys->nr_pages && e->phys->pages[EntPfn(old)].flags != PG_buddy;
	vmf_anon_prepare(e, mm, vmf.id);
	//@ assert a_flags: e->pool->vma[vmf.id].vm_flags == flags;
	//@ assert a_env: FaultEnv(e, mm) && FieldsApart(e, mm) && PteSlot(e->phys, vmf.pte);
	//@ assert a_from: EntPfn(old) < e->phys->nr_pages && e->phys->pages[EntPfn(old)].flags != PG_buddy;
	/*@ assert a_phys: \separated(&e->pool->vma[vmf.id].anon_vma, &e->pool->next_anon_vma,
		&e->pool->vma[vmf.id].vm_flags, &e->phys->zones[0 .. MAX_NR_ZONES - 1],
		e->phys->pages + (0 .. e->phys->nr_pages - 1),
		e->phys->mem + (0 .. RamWords(e->phys) - 1)); */
	pfn = map_new_page(e, mm, vmf, pte_prot(flags, true, true), zero, (uint32_t)entry_pfn(old),
			   true);
	if (pfn == PFN_NONE) {
		//@ assert o_unchanged: PhysUnchanged{Pre,Here}(e->phys);
		return fault_ret(-ENOMEM, FAULT_OOM, 0);
	}
	//@ assert new_page: NewPage{Pre,Here}(e->phys, pfn);
	//@ assert copied: !zero ==> FrameCopy{Pre,Here}(e->phys, pfn, EntPfn(old));
	/*@ assert kept: \forall integer j; 0 <= j < RamWords(e->phys) && j != vmf.pte &&
		OutFrame(j, pfn) ==> e->phys->mem[j] == \at(e->phys->mem[j], Pre); */
	//@ assert pte: e->phys->mem[vmf.pte] == MkEnt(pfn, PteProt(e->pool->vma[vmf.id].vm_flags, \true, \true));
	return fault_ret(0, FAULT_COW, pfn);
}

/*
 * do_wp_page() - a write to a present PTE. Copy-on-write of a page the mm does not own (a
 * special PTE: wp_page_copy()); our own page in a writable VMA gets its write bit back
 * (wp_page_reuse(): writable, dirty); anything else was spurious.
 */
/*@ requires env: FaultEnv(e, mm) && FieldsApart(e, mm);
    requires safe: BuddySafe(e->phys);
    requires heads: ListHeads(e->phys);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires id: vmf.id < VMA_POOL_SIZE;
    requires slot: PteSlot(e->phys, vmf.pte);
    requires present: HasFlag(e->phys->mem[vmf.pte], _PAGE_PRESENT);
    requires special: SpecialOk(e->phys, e->phys->mem[vmf.pte]);
    PTE_FAULT_ASSIGNS
    ensures safe: BuddySafe(e->phys);
    ensures heads: ListHeads(e->phys);
    ensures tables: TablesKept{Pre,Post}(e->phys, vmf.pte);
    ensures heads_kept: HeadsKept{Pre,Post}(e->phys);
    behavior copy:
	assumes HasFlag(e->phys->mem[vmf.pte], _PAGE_SPECIAL);
	ensures result: (\result.err == 0 && \result.action == FAULT_COW) ||
	    (\result.err == -ENOMEM && \result.action == FAULT_OOM && \result.pfn == 0);
    behavior reuse:
	assumes !HasFlag(e->phys->mem[vmf.pte], _PAGE_SPECIAL);
	assigns e->phys->mem[vmf.pte];
	ensures result: \result.err == 0 && \result.action == FAULT_SPURIOUS && \result.pfn == 0;
	ensures pte: e->phys->mem[vmf.pte] ==
	    ReusePte(\old(e->phys->mem[vmf.pte]), e->pool->vma[vmf.id].vm_flags);
    complete behaviors;
    disjoint behaviors;
*/
static struct fault_ret do_wp_page(struct mm_env *e, struct mm_struct *mm, struct vm_fault vmf)
{
	uint64_t pte = e->phys->mem[vmf.pte];

	if (flag64(pte, _PAGE_SPECIAL))
		return wp_page_copy(e, mm, vmf);
	if (flag64(e->pool->vma[vmf.id].vm_flags, VM_WRITE) && !flag64(pte, _PAGE_RW)) {
		/*@ assert room: pte + _PAGE_RW + (HasFlag(pte, _PAGE_DIRTY) ? 0 : _PAGE_DIRTY) <=
			0xFFFFFFFFFFFFFFFF; */
		e->phys->mem[vmf.pte] =
		    pte + _PAGE_RW + (flag64(pte, _PAGE_DIRTY) ? 0 : _PAGE_DIRTY); /* reuse */
	}
	//@ assert r_pte: e->phys->mem[vmf.pte] == ReusePte(pte, e->pool->vma[vmf.id].vm_flags);
	//@ assert r_tables: TablesKept{Pre,Here}(e->phys, vmf.pte);
	//@ assert r_heads: HeadsKept{Pre,Here}(e->phys);
	return fault_ret(0, FAULT_SPURIOUS, 0);
}

/*
 * special_mapping_fault() -> vdso_fault(): the kernel image's [vdso] page at the VMA's
 * offset, mapped as a special PTE (read-only unless the VMA was made writable); a page
 * beyond the image's vdso is VM_FAULT_SIGBUS.
 */
/*@ requires env: FaultEnv(e, mm);
    requires id: vmf.id < VMA_POOL_SIZE;
    requires slot: PteSlot(e->phys, vmf.pte);
    assigns e->phys->mem[vmf.pte];
    ensures tables: TablesKept{Pre,Post}(e->phys, vmf.pte);
    ensures heads_kept: HeadsKept{Pre,Post}(e->phys);
    behavior sigbus:
	assumes VdsoOff(e, vmf.id, vmf.address) >= e->kimage_vdso_pages;
	assigns \nothing;
	ensures result: \result.err == -EFAULT && \result.action == FAULT_SIGBUS && \result.pfn == 0;
    behavior mapped:
	assumes VdsoOff(e, vmf.id, vmf.address) < e->kimage_vdso_pages;
	ensures result: \result.err == 0 && \result.action == FAULT_SPECIAL_PAGE;
	ensures pfn: \result.pfn ==
	    (uint32_t)(\old(e->kimage_vdso_pfn) + \old(VdsoOff(e, vmf.id, vmf.address)));
	ensures pte: e->phys->mem[vmf.pte] ==
	    MkEnt(\result.pfn, PteProt(e->pool->vma[vmf.id].vm_flags, \false, \false) + 0x200);
    complete behaviors;
    disjoint behaviors;
*/
static struct fault_ret do_special_fault(struct mm_env *e, struct mm_struct *mm,
					 struct vm_fault vmf)
{
	const struct vm_area_struct *vma = &e->pool->vma[vmf.id];
	uint64_t off = vma->vm_pgoff + (vmf.address - vma->vm_start) / PAGE_SIZE;
	uint32_t pfn;

	(void)mm;
	if (off >= e->kimage_vdso_pages)
		return fault_ret(-EFAULT, FAULT_SIGBUS, 0);
	//@ assert vdso_off: off == VdsoOff(e, vmf.id, vmf.address);
	//@ assert lt: off < e->kimage_vdso_pages;
	//@ assert lt32: off < 0x100000000;
	//@ assert small: off < e->kimage_vdso_pages && (uint32_t)off == off;
	pfn = e->kimage_vdso_pfn + (uint32_t)off;
	//@ assert pfn: pfn == (uint32_t)(e->kimage_vdso_pfn + VdsoOff(e, vmf.id, vmf.address));
	e->phys->mem[vmf.pte] =
	    pfn_phys(pfn) + (pte_prot(vma->vm_flags, false, false) + _PAGE_SPECIAL);
	return fault_ret(0, FAULT_SPECIAL_PAGE, pfn);
}

/*
 * A fault on an empty PTE of a shared anonymous VMA: shmem_fault() gives a page of the
 * shmem file (a new zeroed page: the model has no page cache) and finish_fault() maps it,
 * writable when the VMA is (shared: no copy-on-write), dirty on a write. One more page in
 * RSS (MM_SHMEMPAGES, counted with the anonymous ones here). Without a page: VM_FAULT_OOM.
 */
/*@ requires env: FaultEnv(e, mm) && FieldsApart(e, mm);
    requires safe: BuddySafe(e->phys);
    requires heads: ListHeads(e->phys);
    requires id: vmf.id < VMA_POOL_SIZE;
    requires slot: PteSlot(e->phys, vmf.pte);
    assigns e->phys->zones[0 .. MAX_NR_ZONES - 1], e->phys->pages[0 .. e->phys->nr_pages - 1],
	e->phys->mem[0 .. RamWords(e->phys) - 1], mm->rss_anon;
    ensures safe: BuddySafe(e->phys);
    ensures heads: ListHeads(e->phys);
    ensures tables: TablesKept{Pre,Post}(e->phys, vmf.pte);
    ensures heads_kept: HeadsKept{Pre,Post}(e->phys);
    behavior oom:
	assumes AllocFails(e->phys, GFP_USER_PAGE, 0);
	ensures result: \result.err == -ENOMEM && \result.action == FAULT_OOM && \result.pfn == 0;
	ensures unchanged: PhysUnchanged{Pre,Post}(e->phys) && mm->rss_anon == \old(mm->rss_anon);
    behavior shmem_page:
	assumes !AllocFails(e->phys, GFP_USER_PAGE, 0);
	ensures result: \result.err == 0 && \result.action == FAULT_SHMEM;
	ensures page: NewPage{Pre,Post}(e->phys, \result.pfn);
	ensures zeroed: FrameZero(e->phys, \result.pfn);
	ensures pte: e->phys->mem[vmf.pte] == MkEnt(\result.pfn,
	    PteProt(e->pool->vma[vmf.id].vm_flags, HasFlag(e->pool->vma[vmf.id].vm_flags, VM_WRITE),
		    vmf.write != 0));
	ensures kept: \forall integer j; 0 <= j < RamWords(e->phys) && j != vmf.pte &&
	    OutFrame(j, \result.pfn) ==> e->phys->mem[j] == \old(e->phys->mem[j]);
	ensures rss: mm->rss_anon == (uint64_t)(\old(mm->rss_anon) + 1);
	ensures free: NrFree(e->phys) == \old(NrFree(e->phys)) - 1;
    complete behaviors;
    disjoint behaviors;
*/
static struct fault_ret do_shared_fault(struct mm_env *e, struct mm_struct *mm, struct vm_fault vmf)
{
	uint64_t flags = e->pool->vma[vmf.id].vm_flags;
	bool writable = flag64(flags, VM_WRITE);
	uint32_t pfn = alloc_user_page(e, true);

	if (pfn == PFN_NONE)
		return fault_ret(-ENOMEM, FAULT_OOM, 0);
	//@ assert rss: mm->rss_anon == \at(mm->rss_anon, Pre);
	//@ assert nr: e->phys->nr_pages == \at(e->phys->nr_pages, Pre);
	//@ assert ram: RamWords(e->phys) == \at(RamWords(e->phys), Pre);
	//@ assert new_page: NewPage{Pre,Here}(e->phys, pfn);
	//@ assert kept0: MemKept{Pre,Here}(e->phys, pfn);
	//@ assert not_head: vmf.pte / PAGE_WORDS != pfn;
	//@ assert apart: OutFrame(vmf.pte, pfn);
	/*@ ghost W:; */
	e->phys->mem[vmf.pte] = pfn_phys(pfn) + pte_prot(flags, writable, vmf.write);
	/*@ assert kept_w: \forall integer j; j != vmf.pte ==>
		e->phys->mem[j] == \at(e->phys->mem[j], W); */
	/*@ assert pte: e->phys->mem[vmf.pte] ==
		MkEnt(pfn, PteProt(flags, HasFlag(flags, VM_WRITE), vmf.write != 0)); */
	//@ assert flags_w: e->pool->vma[vmf.id].vm_flags == flags;
	//@ assert zeroed: FrameZero(e->phys, pfn);
	/*@ assert kept: \forall integer j; 0 <= j < RamWords(e->phys) && j != vmf.pte &&
		OutFrame(j, pfn) ==> e->phys->mem[j] == \at(e->phys->mem[j], Pre); */
	//@ assert tables: TablesKept{Pre,Here}(e->phys, vmf.pte);
	//@ assert heads_kept: HeadsKept{Pre,Here}(e->phys);
	inc_mm_anon(mm, e->phys);
	//@ assert tables1: TablesKept{Pre,Here}(e->phys, vmf.pte);
	//@ assert flags1: e->pool->vma[vmf.id].vm_flags == flags;
	/*@ assert pte1: e->phys->mem[vmf.pte] ==
		MkEnt(pfn, PteProt(flags, HasFlag(flags, VM_WRITE), vmf.write != 0)); */
	return fault_ret(0, FAULT_SHMEM, pfn);
}

/*
 * handle_pte_fault() - the fault, its PTE table in place: an empty PTE goes to
 * do_anonymous_page() (private VMAs, the [vdso] aside: special_mapping_fault()) or to the
 * shmem fault (shared VMAs); a present one to do_wp_page() for a write, and is spurious
 * for a read.
 */
/*@ PTE_FAULT_REQUIRES
    PTE_FAULT_ASSIGNS
    ensures safe: BuddySafe(e->phys);
    ensures heads: ListHeads(e->phys);
    ensures tables: TablesKept{Pre,Post}(e->phys, vmf.pte);
    ensures heads_kept: HeadsKept{Pre,Post}(e->phys);
    ensures outcome: FaultOutcome(\result.err, \result.action);
*/
static struct fault_ret handle_pte_fault(struct mm_env *e, struct mm_struct *mm,
					 struct vm_fault vmf)
{
	const struct vm_area_struct *vma = &e->pool->vma[vmf.id];

	if (flag64(e->phys->mem[vmf.pte], _PAGE_PRESENT)) {
		if (vmf.write)
			return do_wp_page(e, mm, vmf);
		return fault_ret(0, FAULT_SPURIOUS, 0);
	}
	if (vma_is_vdso(e, vma) && e->kimage_vdso_pages != 0)
		return do_special_fault(e, mm, vmf);
	if (!flag64(vma->vm_flags, VM_SHARED))
		return do_anonymous_page(e, mm, vmf);
	return do_shared_fault(e, mm, vmf);
}

/* A level the walk reaches has a page-table page: TabOk put together in the state at hand
 * (a lemma, as a ghost function: docs/proofs.md, lesson 15). */
/*@ ghost
  /@ requires top: top == 4 || top == 5;
     requires level: 1 <= l <= top;
     requires parts: SwReach(p, pgd, va, top, l) ==>
	0 <= SwTable(p, pgd, va, top, l) < p->nr_pages && IsHead(p, SwTable(p, pgd, va, top, l));
     assigns \nothing;
     ensures ok: SwReach(p, pgd, va, top, l) ==> TabOk(p, SwTable(p, pgd, va, top, l));
  @/
  static void table_ok(const struct phys *p, uint32_t pgd, uint64_t va, int top, int l) { }
*/

/*
 * handle_pte_fault() with what handle_mm_fault() needs of the walk after it: the fault
 * writes the PTE and new pages, never the tables above the PTE, so the walk of addr still
 * reaches the same tables, each still a page-table page. Proved here, with the call
 * alone in the context, level by level (in handle_mm_fault() the same steps time out:
 * docs/proofs.md, lessons 10 and 16). pgd and top are ghost copies, the same in both
 * states.
 */
/*@ PTE_FAULT_REQUIRES
    requires walk: FPathOk(e, mm, addr) && FReach(e, mm, addr, PT_PTE);
    requires word: vmf.pte == FWord(e, mm, addr, PT_PTE);
    PTE_FAULT_ASSIGNS
    ensures safe: BuddySafe(e->phys);
    ensures heads: ListHeads(e->phys);
    ensures outcome: FaultOutcome(\result.err, \result.action);
    ensures walk: FPathOk(e, mm, addr) && FReach(e, mm, addr, PT_PTE);
    ensures have: FHave(e, mm, addr) == PT_PTE;
*/
static struct fault_ret handle_pte_fault_walk(struct mm_env *e, struct mm_struct *mm,
					      struct vm_fault vmf, uint64_t addr)
{
	struct fault_ret r;
	/*@ ghost const uint32_t pgd = mm->pgd; */
	/*@ ghost const int top = e->pgtable_l5 ? 5 : 4; */

	(void)addr; /* only the annotations read it */
	/*@ ghost Before:; */
	//@ assert top: top == FTop(e) && (top == 4 || top == 5);
	/*@ assert pre: SwPathOk(e->phys, pgd, addr, top) && SwDistinct(e->phys, pgd, addr, top) &&
		SwReach(e->phys, pgd, addr, top, PT_PTE); */
	r = handle_pte_fault(e, mm, vmf);
	//@ assert kept: TablesKept{Before,Here}(e->phys, SwWord{Before}(e->phys, pgd, addr, top, PT_PTE));
	//@ assert same: e->phys->mem == \at(e->phys->mem, Before) && mm->pgd == pgd && top == FTop(e);
	//@ assert same_nr: e->phys->nr_pages == \at(e->phys->nr_pages, Before);
	//@ assert upper: SwUpperSame{Before,Here}(e->phys, pgd, addr, top, PT_PTE);
	//@ assert hk: HeadsKept{Before,Here}(e->phys);
	/*@ assert t1: SwTable(e->phys, pgd, addr, top, 1) ==
		\at(SwTable(e->phys, pgd, addr, top, 1), Before); */
	/*@ assert t2: SwTable(e->phys, pgd, addr, top, 2) ==
		\at(SwTable(e->phys, pgd, addr, top, 2), Before); */
	/*@ assert t3: SwTable(e->phys, pgd, addr, top, 3) ==
		\at(SwTable(e->phys, pgd, addr, top, 3), Before); */
	/*@ assert t4: SwTable(e->phys, pgd, addr, top, 4) ==
		\at(SwTable(e->phys, pgd, addr, top, 4), Before); */
	/*@ assert t5: top == 5 ==> SwTable(e->phys, pgd, addr, top, 5) ==
		\at(SwTable(e->phys, pgd, addr, top, 5), Before); */
	/*@ assert r1: (SwReach(e->phys, pgd, addr, top, 1) <==>
		\at(SwReach(e->phys, pgd, addr, top, 1), Before)); */
	/*@ assert r2: (SwReach(e->phys, pgd, addr, top, 2) <==>
		\at(SwReach(e->phys, pgd, addr, top, 2), Before)); */
	/*@ assert r3: (SwReach(e->phys, pgd, addr, top, 3) <==>
		\at(SwReach(e->phys, pgd, addr, top, 3), Before)); */
	/*@ assert r4: (SwReach(e->phys, pgd, addr, top, 4) <==>
		\at(SwReach(e->phys, pgd, addr, top, 4), Before)); */
	/*@ assert r5: top == 5 ==> (SwReach(e->phys, pgd, addr, top, 5) <==>
		\at(SwReach(e->phys, pgd, addr, top, 5), Before)); */
	/*@ assert m1: \at(SwReach(e->phys, pgd, addr, top, 1) ==>
		TabOk(e->phys, SwTable(e->phys, pgd, addr, top, 1)), Before); */
	/*@ assert m2: \at(SwReach(e->phys, pgd, addr, top, 2) ==>
		TabOk(e->phys, SwTable(e->phys, pgd, addr, top, 2)), Before); */
	/*@ assert m3: \at(SwReach(e->phys, pgd, addr, top, 3) ==>
		TabOk(e->phys, SwTable(e->phys, pgd, addr, top, 3)), Before); */
	/*@ assert m4: \at(SwReach(e->phys, pgd, addr, top, 4) ==>
		TabOk(e->phys, SwTable(e->phys, pgd, addr, top, 4)), Before); */
	/*@ assert m5: top == 5 ==> \at(SwReach(e->phys, pgd, addr, top, 5) ==>
		TabOk(e->phys, SwTable(e->phys, pgd, addr, top, 5)), Before); */
	/*@ assert h1: SwReach(e->phys, pgd, addr, top, 1) ==>
		0 <= SwTable(e->phys, pgd, addr, top, 1) < e->phys->nr_pages &&
		IsHead(e->phys, SwTable(e->phys, pgd, addr, top, 1)); */
	/*@ assert h2: SwReach(e->phys, pgd, addr, top, 2) ==>
		0 <= SwTable(e->phys, pgd, addr, top, 2) < e->phys->nr_pages &&
		IsHead(e->phys, SwTable(e->phys, pgd, addr, top, 2)); */
	/*@ assert h3: SwReach(e->phys, pgd, addr, top, 3) ==>
		0 <= SwTable(e->phys, pgd, addr, top, 3) < e->phys->nr_pages &&
		IsHead(e->phys, SwTable(e->phys, pgd, addr, top, 3)); */
	/*@ assert h4: SwReach(e->phys, pgd, addr, top, 4) ==>
		0 <= SwTable(e->phys, pgd, addr, top, 4) < e->phys->nr_pages &&
		IsHead(e->phys, SwTable(e->phys, pgd, addr, top, 4)); */
	/*@ assert h5: top == 5 ==> SwReach(e->phys, pgd, addr, top, 5) ==>
		0 <= SwTable(e->phys, pgd, addr, top, 5) < e->phys->nr_pages &&
		IsHead(e->phys, SwTable(e->phys, pgd, addr, top, 5)); */
	//@ ghost table_ok(e->phys, pgd, addr, top, 1);
	//@ ghost table_ok(e->phys, pgd, addr, top, 2);
	//@ ghost table_ok(e->phys, pgd, addr, top, 3);
	//@ ghost table_ok(e->phys, pgd, addr, top, 4);
	//@ ghost if (top == 5) table_ok(e->phys, pgd, addr, top, 5);
	//@ assert path: SwPathOk(e->phys, pgd, addr, top);
	//@ assert dist: SwDistinct(e->phys, pgd, addr, top);
	//@ assert reach: SwReach(e->phys, pgd, addr, top, PT_PTE);
	//@ assert have: SwHave(e->phys, pgd, addr, top) == PT_PTE;
	return r;
}

struct fault_ret handle_mm_fault(struct mm_env *e, struct mm_struct *mm, uint32_t id, uint64_t addr,
				 bool write)
{
	uint32_t t;
	struct vm_fault vmf;
	struct fault_ret r;

	/*@ assert file_apart: \separated(&e->pool->vma[id].file,
		&e->phys->zones[0 .. MAX_NR_ZONES - 1], e->phys->pages + (0 .. e->phys->nr_pages - 1),
		e->phys->mem + (0 .. RamWords(e->phys) - 1), &mm->pgtables); */
	/*@ assert pool_apart: \separated(e->pool, &e->phys->zones[0 .. MAX_NR_ZONES - 1],
		e->phys->pages + (0 .. e->phys->nr_pages - 1),
		e->phys->mem + (0 .. RamWords(e->phys) - 1), &mm->pgtables); */
	/*@ assert set_apart: \separated(&mm->vmas, &e->phys->zones[0 .. MAX_NR_ZONES - 1],
		e->phys->pages + (0 .. e->phys->nr_pages - 1),
		e->phys->mem + (0 .. RamWords(e->phys) - 1), &mm->pgtables); */
	t = pte_alloc_kept(e, mm, addr);
	if (t == PFN_NONE)
		return fault_ret(-ENOMEM, FAULT_OOM, 0);
	//@ assert v_same: VSame{Pre,Here}(e->pool, &mm->vmas);
	//@ assert vmas: VSetOk(e->pool, &mm->vmas);
	//@ assert nr: e->phys->nr_pages == \at(e->phys->nr_pages, Pre);
	//@ assert ram: RamWords(e->phys) == \at(RamWords(e->phys), Pre);
	/*@ assert ptrs: e->phys == \at(e->phys, Pre) && e->pool == \at(e->pool, Pre) &&
		e->phys->mem == \at(e->phys->mem, Pre) && e->phys->pages == \at(e->phys->pages, Pre); */
	//@ assert shape: PhysShape(e->phys);
	//@ assert env: FaultEnv(e, mm) && FieldsApart(e, mm);
	//@ assert file: e->pool->vma[id].file == \at(e->pool->vma[id].file, Pre);
	vmf.id = id;
	vmf.write = write;
	vmf.address = addr;
	vmf.pte = (uint64_t)t * PAGE_WORDS + pt_index(addr, PT_PTE);
	//@ assert word: vmf.pte == FWord(e, mm, addr, PT_PTE) && vmf.pte == SlotWord(t, addr, PT_PTE);
	//@ assert div: vmf.pte / PAGE_WORDS == t;
	//@ assert slot: TabOk(e->phys, t) && PteSlot(e->phys, vmf.pte);
	//@ assert special: SpecialOk(e->phys, e->phys->mem[vmf.pte]);
	/*@ assert counted: mm->pgtables == (uint64_t)(\at(mm->pgtables, Pre) +
		(\at(FHave(e, mm, addr), Pre) - FHave(e, mm, addr))); */
	/*@ ghost Mid:; */
	r = handle_pte_fault_walk(e, mm, vmf, addr);
	//@ assert pgt: mm->pgtables == \at(mm->pgtables, Mid);
	//@ assert have: \at(FHave(e, mm, addr), Mid) == PT_PTE;
	return r;
}

/* __pkru_allows_pkey() for the VMA's key (always 0 here: no pkey_mprotect()). */
static bool pkru_allows(const struct cpu_state *cpu, bool write)
{
	const uint32_t key = 0;

	if ((cpu->pkru >> (2 * key)) & 1u)
		return false;
	return !write || ((cpu->pkru >> (2 * key + 1)) & 1u) == 0;
}

/* arch_vma_access_permitted(): the VMA's protection key against PKRU (data accesses). */
static bool vma_pkey_permitted(const struct cpu_state *cpu, uint32_t error_code)
{
	if (!cpu->cr4_pke || (error_code & X86_PF_INSTR) != 0)
		return true;
	return pkru_allows(cpu, (error_code & X86_PF_WRITE) != 0);
}

/*
 * access_error() of arch/x86/mm/fault.c: may the VMA be accessed as the error code says?
 * A protection-key fault never, nor an access its key forbids; a write needs VM_WRITE; a
 * read on a present page (a protection fault) never; a read on a missing page needs an
 * accessible VMA. (No VM_EXEC check: a fetch first maps the page, then faults on NX.)
 */
static bool access_error(const struct cpu_state *cpu, uint32_t error_code,
			 const struct vm_area_struct *vma)
{
	if ((error_code & X86_PF_PK) != 0 || !vma_pkey_permitted(cpu, error_code))
		return true;
	if ((error_code & X86_PF_WRITE) != 0)
		return (vma->vm_flags & VM_WRITE) == 0;
	if ((error_code & X86_PF_PROT) != 0)
		return true;
	return (vma->vm_flags & VM_ACCESS_FLAGS) == 0;
}

/* expand_downwards(): grow the stack VMA id down to addr. 0 or -errno. */
static int expand_stack(struct mm_env *e, struct mm_struct *mm, uint32_t id, uint64_t addr)
{
	struct vm_area_struct *vma = &e->pool->vma[id];
	uint64_t grow, size;
	uint32_t prev;

	addr = addr / PAGE_SIZE * PAGE_SIZE;
	if (addr < e->mmap_min_addr)
		return -EPERM;
	(void)find_vma_prev(e->pool, &mm->vmas, vma->vm_start, &prev);
	if (prev != VMA_NONE && (e->pool->vma[prev].vm_flags & VM_GROWSDOWN) == 0 &&
	    (e->pool->vma[prev].vm_flags & VM_ACCESS_FLAGS) != 0 &&
	    addr - e->pool->vma[prev].vm_end < STACK_GUARD_GAP)
		return -ENOMEM;
	anon_vma_prepare(e, mm, id); /* before the limits are checked, as Linux does */
	size = vma->vm_end - addr;
	grow = (vma->vm_start - addr) / PAGE_SIZE;
	/* acct_stack_growth(): address space, stack and mlock limits, overcommit */
	if (!mm_may_expand(e, mm, vma->vm_flags, grow) || size > mm->rlim[RLIMIT_STACK].rlim_cur ||
	    !mlock_future_ok(mm, vma->vm_flags, grow * PAGE_SIZE) ||
	    (e->overcommit_memory != 1 && grow > e->commit_pages))
		return -ENOMEM;
	vma->vm_start = addr;
	vma->vm_pgoff -= grow;
	vma_set_resized(e->pool, &mm->vmas, id);
	if ((vma->vm_flags & VM_LOCKED) != 0)
		mm->locked_vm += grow;
	mm_account(mm, vma->vm_flags, grow);
	return 0;
}

/*
 * __bad_area_nosemaphore(): at CPL 0 an explicit access has an exception-table fixup
 * (-EFAULT) and an implicit one has none (oops); at CPL 3 a fault without U/S in the
 * error code is an implicit supervisor access (oops); otherwise SIGSEGV.
 */
static void bad_area(struct access acc, uint32_t error_code, int si_code, struct fault_step *step)
{
	if (!acc.user)
		step->action = acc.implicit ? FAULT_OOPS : FAULT_EFAULT;
	else if ((error_code & X86_PF_USER) == 0)
		step->action = FAULT_OOPS;
	else
		step->action = FAULT_SIGSEGV;
	step->si_code = si_code;
}

/* handle_page_fault(): the kernel's half (do_kern_addr_fault()) or the user half
 * (do_user_addr_fault()), the checks in Linux's order. */
static void do_page_fault(struct mm_env *e, struct mm_struct *mm, const struct cpu_state *cpu,
			  uint64_t addr, uint32_t error_code, struct access acc,
			  struct fault_step *step)
{
	uint32_t id;

	step->error_code = error_code;
	if (addr >= task_size_max(e)) { /* fault_in_kernel_space(): do_kern_addr_fault() */
		if ((error_code & X86_PF_RSVD) != 0)
			step->action = FAULT_OOPS;
		else
			bad_area(acc, error_code, SEGV_MAPERR, step);
		if (!acc.user)
			step->action = FAULT_OOPS; /* a kernel access to a bad kernel address */
		return;
	}
	/* kernel code fetching from user memory; a reserved bit (pgtable_bad()); a
	 * supervisor access with SMAP on and AC clear outside any uaccess helper */
	if ((error_code & (X86_PF_USER | X86_PF_INSTR)) == X86_PF_INSTR ||
	    (error_code & X86_PF_RSVD) != 0 ||
	    (cpu->cr4_smap && (error_code & X86_PF_USER) == 0 && !cpu->rflags_ac)) {
		step->action = FAULT_OOPS;
		return;
	}
	id = find_vma(e->pool, &mm->vmas, addr);
	if (id != VMA_NONE && e->pool->vma[id].vm_start > addr) {
		if ((e->pool->vma[id].vm_flags & VM_GROWSDOWN) == 0 ||
		    expand_stack(e, mm, id, addr) != 0)
			id = VMA_NONE;
		else
			step->stack_grew = true;
	}
	if (id == VMA_NONE) {
		bad_area(acc, error_code, SEGV_MAPERR, step);
		return;
	}
	if (access_error(cpu, error_code, &e->pool->vma[id])) {
		/* bad_area_access_from_pkeys() */
		bool pk = (error_code & X86_PF_PK) != 0 || !vma_pkey_permitted(cpu, error_code);

		bad_area(acc, error_code, pk ? SEGV_PKUERR : SEGV_ACCERR, step);
		return;
	}
	{
		struct fault_ret r =
		    handle_mm_fault(e, mm, id, addr, (error_code & X86_PF_WRITE) != 0);

		step->action = r.action;
		step->pfn = r.pfn;
	}
}

struct fault_step exc_page_fault(struct mm_env *e, struct mm_struct *mm,
				 const struct cpu_state *cpu, uint64_t addr, uint32_t error_code,
				 struct access acc)
{
	struct fault_step s = {0};

	do_page_fault(e, mm, cpu, addr, error_code, acc, &s);
	return s;
}

bool fault_step_final(const struct fault_step *s)
{
	return s->action == FAULT_SIGSEGV || s->action == FAULT_OOM || s->action == FAULT_OOPS ||
	       s->action == FAULT_EFAULT || s->action == FAULT_SIGBUS;
}

struct touch_result touch(struct mm_env *e, struct mm_struct *mm, const struct cpu_state *cpu,
			  uint64_t addr, struct access acc)
{
	struct touch_result r = {0};

	for (;;) {
		struct walk w = mmu_walk(e->phys, cpu, pfn_phys(mm->pgd), addr, acc, true);
		struct fault_step *s;

		if (w.gp) {
			r.gp = true;
			return r;
		}
		if (!w.pf) {
			r.done = true;
			r.paddr = w.paddr;
			return r;
		}
		if (r.nr_steps == MAX_FAULT_STEPS)
			return r; /* a fault loop: reported as not done */
		s = &r.step[r.nr_steps++];
		do_page_fault(e, mm, cpu, addr, w.error_code, acc, s);
		if (fault_step_final(s))
			return r;
		if (s->action == FAULT_SPURIOUS && r.nr_steps > 1 &&
		    r.step[r.nr_steps - 2].action == FAULT_SPURIOUS)
			return r; /* nothing changes: the access can never complete */
	}
}

void populate_range(struct mm_env *e, struct mm_struct *mm, uint64_t start, uint64_t end)
{
	uint64_t addr = start;

	while (addr < end) {
		uint32_t id = find_vma(e->pool, &mm->vmas, addr);
		const struct vm_area_struct *vma;
		uint64_t a, stop;
		bool write;

		if (id == VMA_NONE || e->pool->vma[id].vm_start >= end)
			return;
		vma = &e->pool->vma[id];
		a = vma->vm_start > addr ? vma->vm_start : addr;
		stop = vma->vm_end < end ? vma->vm_end : end;
		write = (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
		if ((vma->vm_flags & (VM_IO | VM_PFNMAP | VM_LOCKONFAULT)) == 0 &&
		    (vma->vm_flags & VM_ACCESS_FLAGS) != 0) {
			for (; a < stop; a += PAGE_SIZE) {
				uint64_t *pte = entry_at(e, mm, a, PT_PTE);

				if (pte != 0 && (*pte & _PAGE_PRESENT) != 0 &&
				    (!write || (*pte & _PAGE_RW) != 0))
					continue;
				if (handle_mm_fault(e, mm, id, a, write).err != 0)
					return; /* -ENOMEM: populate gives up, the mapping stays */
			}
		}
		addr = stop;
	}
}

/* get_user_pages ------------------------------------------------------------------ */

uint32_t vm_normal_page(const struct mm_env *e, uint64_t pte)
{
	if ((pte & _PAGE_PRESENT) == 0 || pte_is_zero_page(e, pte))
		return PFN_NONE;
	return (uint32_t)((pte & PTE_PFN_MASK_52) / PAGE_SIZE);
}

uint32_t follow_page(struct mm_env *e, const struct mm_struct *mm, uint64_t addr, bool write,
		     bool *zero)
{
	const uint64_t *pte;

	*zero = false;
	if (mm->pgd == 0 || addr >= TASK_SIZE)
		return PFN_NONE;
	pte = entry_at(e, mm, addr, PT_PTE);
	if (pte == 0 || (*pte & _PAGE_PRESENT) == 0 || (write && (*pte & _PAGE_RW) == 0))
		return PFN_NONE;
	*zero = pte_is_zero_page(e, *pte);
	return (uint32_t)((*pte & PTE_PFN_MASK_52) / PAGE_SIZE);
}

struct gup_result get_user_pages(struct mm_env *e, struct mm_struct *mm, uint64_t start,
				 uint32_t nr, bool write)
{
	struct gup_result g = {0};
	uint32_t i;

	if (nr > GUP_MAX)
		nr = GUP_MAX;
	start = start / PAGE_SIZE * PAGE_SIZE;
	for (i = 0; i < nr; i++) {
		uint64_t addr = start + (uint64_t)i * PAGE_SIZE;
		uint32_t id = find_vma(e->pool, &mm->vmas, addr), pfn;
		const struct vm_area_struct *vma;
		bool zero;

		if (id == VMA_NONE || e->pool->vma[id].vm_start > addr)
			break;
		vma = &e->pool->vma[id];
		/* check_vma_flags(): no FOLL_FORCE here */
		if ((vma->vm_flags & (VM_IO | VM_PFNMAP)) != 0 ||
		    (write && (vma->vm_flags & VM_WRITE) == 0) ||
		    (!write && (vma->vm_flags & VM_READ) == 0))
			break;
		pfn = follow_page(e, mm, addr, write, &zero);
		if (pfn == PFN_NONE) {
			if (handle_mm_fault(e, mm, id, addr, write).err != 0) {
				if (i == 0)
					g.err = -ENOMEM;
				break;
			}
			g.faults++;
			pfn = follow_page(e, mm, addr, write, &zero);
			if (pfn == PFN_NONE)
				break;
		}
		g.pfn[g.nr] = pfn;
		g.zero[g.nr] = zero;
		g.nr++;
	}
	if (g.nr == 0 && g.err == 0)
		g.err = -EFAULT;
	return g;
}

/* Validation ------------------------------------------------------------------------- */

struct pt_count {
	uint64_t pages;	 /* mapped frames other than the zero page */
	uint64_t tables; /* table pages under the PGD */
	const char *bad;
	uint64_t where;
};

static void check_pte(const struct mm_env *e, const struct mm_struct *mm, uint64_t pte,
		      uint64_t addr, struct pt_count *c)
{
	uint32_t id, pfn;
	const struct vm_area_struct *vma;

	if (pte == 0 || c->bad != 0)
		return;
	if (!pte_mapped(pte)) {
		c->bad = "pte: neither present nor PROT_NONE, yet not empty";
		c->where = addr;
		return;
	}
	id = find_vma(e->pool, &mm->vmas, addr);
	if (id == VMA_NONE || e->pool->vma[id].vm_start > addr) {
		c->bad = "pte: a page mapped outside every VMA";
		c->where = addr;
		return;
	}
	vma = &e->pool->vma[id];
	if ((pte & _PAGE_RW) != 0 && (vma->vm_flags & VM_WRITE) == 0) {
		c->bad = "pte: writable in a VMA without VM_WRITE";
		c->where = addr;
		return;
	}
	if ((pte & _PAGE_PRESENT) != 0 &&
	    ((pte & _PAGE_NX) == 0) != ((vma->vm_flags & VM_EXEC) != 0)) {
		c->bad = "pte: NX does not follow VM_EXEC";
		c->where = addr;
		return;
	}
	if ((pte & _PAGE_PRESENT) != 0 && (vma->vm_flags & VM_ACCESS_FLAGS) == 0) {
		c->bad = "pte: present in a PROT_NONE VMA";
		c->where = addr;
		return;
	}
	pfn = (uint32_t)(pte_frame(pte) / PAGE_SIZE);
	if ((pte & _PAGE_SPECIAL) != 0 && !pte_is_zero_page(e, pte)) {
		if (pfn - e->kimage_vdso_pfn >= e->kimage_vdso_pages || (pte & _PAGE_RW) != 0) {
			c->bad =
			    "pte: a special page other than the zero page or a read-only vdso page";
			c->where = addr;
		}
		return;
	}
	if (pte_is_zero_page(e, pte)) {
		if ((pte & _PAGE_RW) != 0) {
			c->bad = "pte: the zero page mapped writable";
			c->where = addr;
		}
		return;
	}
	if (pfn >= e->phys->nr_pages ||
	    (e->phys->pages[pfn].flags & (PG_buddy | PG_reserved)) != 0 ||
	    e->phys->pages[pfn].refcount != 1) {
		c->bad = "pte: maps a frame that is not an allocated page with one reference";
		c->where = addr;
		return;
	}
	c->pages++;
}

static void check_table(const struct mm_env *e, const struct mm_struct *mm, uint64_t entry,
			uint32_t level, uint64_t base, struct pt_count *c)
{
	uint64_t span = entry_span(level); /* of one slot */
	const uint64_t *t;
	uint32_t i, pfn;

	if (entry == 0 || c->bad != 0)
		return;
	pfn = (uint32_t)((entry & PTE_PFN_MASK_52) / PAGE_SIZE);
	if ((entry & _PAGE_PRESENT) == 0 || (entry & _PAGE_PSE) != 0 || (entry & _PAGE_USER) == 0 ||
	    pfn >= e->phys->nr_pages || (e->phys->pages[pfn].flags & PG_buddy) != 0) {
		c->bad = "page table: a bad entry for a table";
		c->where = base;
		return;
	}
	if (find_vma_intersection(e->pool, &mm->vmas, base, base + span * PTRS_PER_TABLE) ==
	    VMA_NONE) {
		c->bad = "page table: a table that spans no VMA (free_pgtables() frees it)";
		c->where = base;
		return;
	}
	c->tables++;
	t = &e->phys->mem[(entry & PTE_PFN_MASK_52) / 8];
	for (i = 0; i < PTRS_PER_TABLE; i++) {
		if (level == PT_PTE)
			check_pte(e, mm, t[i], base + i * span, c);
		else
			check_table(e, mm, t[i], level - 1, base + i * span, c);
	}
}

struct validate_result pgtables_validate(const struct mm_env *e, const struct mm_struct *mm)
{
	struct validate_result r = {true, 0, 0};
	struct pt_count c = {0, 1, 0, 0};
	const uint64_t *pgd, *kpgd;
	uint32_t i;

	if (mm->pgd == 0)
		return r;
	pgd = &e->phys->mem[pfn_phys(mm->pgd) / 8];
	kpgd = &e->phys->mem[pfn_phys(e->kernel_pgd) / 8];
	for (i = KERNEL_PGD_BOUNDARY; i < PTRS_PER_TABLE; i++)
		if (pgd[i] != kpgd[i]) {
			r.ok = false;
			r.what = "pgd: the kernel half differs from init_mm's";
			r.where = i;
			return r;
		}
	for (i = 0; i < KERNEL_PGD_BOUNDARY && c.bad == 0; i++)
		check_table(e, mm, pgd[i], pgtable_levels(e) - 1,
			    (uint64_t)i * entry_span(pgtable_levels(e)), &c);
	if (c.bad == 0 && c.pages != mm->rss_anon)
		c.bad = "rss: MM_ANONPAGES is not the number of mapped pages";
	if (c.bad == 0 && c.tables != mm->pgtables)
		c.bad = "page tables: the count is not the number of table pages";
	if (c.bad != 0) {
		r.ok = false;
		r.what = c.bad;
		r.where = (uint32_t)(c.where / PAGE_SIZE);
	}
	return r;
}
