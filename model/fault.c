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

/* What one entry of a table at level maps: 4 KiB at PT_PTE .. 256 TiB at PT_PGD5. */
static uint64_t entry_span(uint32_t level)
{
	return 1ull << (12 + 9 * (level - 1));
}

/* The index of addr's entry in a table at level (pte_index(), pmd_index(), ...). */
static uint32_t entry_index(uint64_t addr, uint32_t level)
{
	return (uint32_t)((addr >> (12 + 9 * (level - 1))) % PTRS_PER_TABLE);
}

static uint64_t *table_of(struct mm_env *e, uint64_t entry)
{
	return &e->phys->mem[(entry & PTE_PFN_MASK_52) / 8];
}

/* A zeroed page-table page, or PFN_NONE. */
static uint32_t table_alloc(struct mm_env *e)
{
	return alloc_pages(e->phys, GFP_KERNEL | __GFP_ZERO, 0);
}

static uint64_t pfn_phys(uint32_t pfn)
{
	return (uint64_t)pfn * PAGE_SIZE;
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
		uint64_t *slot = &t[entry_index(va, l)];

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
			pmd[entry_index(va, PT_PMD)] = pa | big;
			pa += PMD_SPAN;
			continue;
		}
		t = table_alloc(e);
		if (t == PFN_NONE)
			return -ENOMEM;
		pmd[entry_index(va, PT_PMD)] = pfn_phys(t) | _KERNPG_TABLE;
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
		t[entry_index(va, PT_PTE)] = pa | prot;
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
		e->phys->mem[pfn_phys(pgd) / 8 + entry_index(vmalloc_base(e), pgtable_levels(e))] =
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
		uint64_t x = t[entry_index(addr, l)];

		if ((x & _PAGE_PRESENT) == 0 || (x & _PAGE_PSE) != 0)
			return 0;
		t = table_of(e, x);
	}
	return &t[entry_index(addr, level)];
}

/* The PTE for addr, allocating the missing tables (p4d_alloc() with 5 levels, pud_alloc(),
 * pmd_alloc(), __pte_alloc()). NULL when a table cannot be had (the ones allocated so far
 * stay). */
static uint64_t *pte_alloc(struct mm_env *e, struct mm_struct *mm, uint64_t addr)
{
	uint64_t *t = &e->phys->mem[pfn_phys(mm->pgd) / 8];
	uint32_t l;

	for (l = pgtable_levels(e); l > PT_PTE; l--) {
		uint64_t *x = &t[entry_index(addr, l)];

		if ((*x & _PAGE_PRESENT) == 0) {
			uint32_t n = table_alloc(e);

			if (n == PFN_NONE)
				return 0;
			*x = pfn_phys(n) | _PAGE_TABLE;
			mm->pgtables++;
		}
		t = table_of(e, *x);
	}
	return &t[(addr >> 12) % 512];
}

static bool table_empty(const uint64_t *t)
{
	uint32_t i;

	for (i = 0; i < PTRS_PER_TABLE; i++)
		if (t[i] != 0)
			return false;
	return true;
}

/* The PTE bits for a page of a VMA with flags (vm_get_page_prot() and the mk_pte() of a
 * fault): user, accessed, NX unless VM_EXEC; writable and dirty as asked. */
static uint64_t pte_prot(uint64_t flags, bool writable, bool dirty)
{
	uint64_t pte = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;

	if ((flags & VM_EXEC) == 0)
		pte |= _PAGE_NX;
	if (writable)
		pte |= _PAGE_RW;
	if (dirty)
		pte |= _PAGE_DIRTY;
	if ((flags & VM_ACCESS_FLAGS) == 0) /* PAGE_NONE */
		pte = (pte & ~_PAGE_PRESENT) | _PAGE_PROTNONE;
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

static void store_zero(uint64_t *word)
{
#ifdef HAVE_NONTEMPORAL_STORE
	__builtin_nontemporal_store((uint64_t)0, word);
#else
	*word = 0;
#endif
}

/* Models include/linux/highmem.h: copy_user_highpage() (copy_page() on x86); stored
 * like clear_user_highpage() (which also keeps compilers from calling memcpy). */
static void copy_user_highpage(struct mm_env *e, uint32_t to_pfn, uint64_t from_phys)
{
	uint64_t *to = &e->phys->mem[(uint64_t)to_pfn * PAGE_WORDS];
	const uint64_t *from = &e->phys->mem[from_phys / 8];
	uint32_t i;

	for (i = 0; i < PAGE_WORDS; i++) {
#ifdef HAVE_NONTEMPORAL_STORE
		__builtin_nontemporal_store(from[i], &to[i]);
#else
		to[i] = from[i];
#endif
	}
}

/* Models include/linux/highmem.h: clear_user_highpage() (clear_page() on x86). */
static void clear_user_highpage(struct mm_env *e, uint32_t pfn)
{
	uint64_t *words = &e->phys->mem[(uint64_t)pfn * PAGE_WORDS];
	uint32_t i;

	for (i = 0; i < PAGE_WORDS; i++)
		store_zero(&words[i]);
}

/*
 * Models include/linux/highmem.h: vma_alloc_zeroed_movable_folio() (v6.18, x86; also
 * shmem_get_folio_gfp()'s clearing of a new shmem folio): a GFP_HIGHUSER_MOVABLE page,
 * allocated without __GFP_ZERO and cleared by clear_user_highpage(), which the kernel
 * skips only with init_on_alloc (user_alloc_needs_zeroing()), not modelled. PFN_NONE when
 * there is no page.
 */
static uint32_t alloc_zeroed_user_page(struct mm_env *e)
{
	uint32_t pfn = alloc_pages(e->phys, GFP_HIGHUSER | __GFP_MOVABLE, 0);

	if (pfn != PFN_NONE)
		clear_user_highpage(e, pfn);
	return pfn;
}

int handle_mm_fault(struct mm_env *e, struct mm_struct *mm, uint32_t id, uint64_t addr, bool write,
		    struct fault_step *step)
{
	const struct vm_area_struct *vma = &e->pool->vma[id];
	uint64_t *pte = pte_alloc(e, mm, addr);
	uint32_t pfn;

	if (pte == 0) {
		step->action = FAULT_OOM;
		return -ENOMEM;
	}
	if ((*pte & _PAGE_PRESENT) != 0) {
		if (write && (*pte & _PAGE_SPECIAL) != 0) {
			/* do_wp_page() -> wp_page_copy() of a page the mm does not own: the zero
			 * page (the copy is a cleared page) or a [vdso] page of a VMA made
			 * writable (a copy of it); the shared page itself is never written */
			bool zero = pte_is_zero_page(e, *pte);

			pfn = zero ? alloc_zeroed_user_page(e)
				   : alloc_pages(e->phys, GFP_HIGHUSER | __GFP_MOVABLE, 0);
			if (pfn == PFN_NONE) {
				step->action = FAULT_OOM;
				return -ENOMEM;
			}
			if (!zero)
				copy_user_highpage(e, pfn, pte_frame(*pte));
			anon_vma_prepare(e, mm, id);
			*pte = pfn_phys(pfn) | pte_prot(vma->vm_flags, true, true);
			/* ptep_clear_flush(): the old translation goes */
			tlb_owe(mm, addr & ~(uint64_t)(PAGE_SIZE - 1),
				(addr & ~(uint64_t)(PAGE_SIZE - 1)) + PAGE_SIZE);
			mm->rss_anon++;
			step->action = FAULT_COW;
			step->pfn = pfn;
			return 0;
		}
		if (write && (vma->vm_flags & VM_WRITE) != 0 && (*pte & _PAGE_RW) == 0) {
			*pte |= _PAGE_RW | _PAGE_DIRTY; /* wp_page_reuse(): our own page */
			step->action = FAULT_SPURIOUS;
			return 0;
		}
		step->action = FAULT_SPURIOUS;
		return 0;
	}
	if (vma_is_vdso(e, vma) && e->kimage_vdso_pages != 0) {
		/* special_mapping_fault() -> vdso_fault(): the image's page at the offset; a
		 * page beyond the image's vdso is VM_FAULT_SIGBUS */
		uint64_t off = vma->vm_pgoff + (addr - vma->vm_start) / PAGE_SIZE;

		if (off >= e->kimage_vdso_pages) {
			step->action = FAULT_SIGBUS;
			return -EFAULT;
		}
		*pte = pfn_phys(e->kimage_vdso_pfn + (uint32_t)off) |
		       (pte_prot(vma->vm_flags, false, false) | _PAGE_SPECIAL);
		step->action = FAULT_SPECIAL_PAGE;
		step->pfn = e->kimage_vdso_pfn + (uint32_t)off;
		return 0;
	}
	if ((vma->vm_flags & VM_SHARED) == 0 && !write) { /* do_anonymous_page(): read */
		*pte =
		    pfn_phys(e->zero_pfn) | (pte_prot(vma->vm_flags, false, false) | _PAGE_SPECIAL);
		step->action = FAULT_ZERO_PAGE;
		return 0;
	}
	pfn = alloc_zeroed_user_page(e);
	if (pfn == PFN_NONE) {
		step->action = FAULT_OOM;
		return -ENOMEM;
	}
	if ((vma->vm_flags & VM_SHARED) == 0)
		anon_vma_prepare(e, mm, id);
	*pte = pfn_phys(pfn) | pte_prot(vma->vm_flags,
					(vma->vm_flags & VM_WRITE) != 0 &&
					    (write || (vma->vm_flags & VM_SHARED) != 0),
					write);
	mm->rss_anon++;
	step->action = (vma->vm_flags & VM_SHARED) != 0 ? FAULT_SHMEM : FAULT_ANON_PAGE;
	step->pfn = pfn;
	return 0;
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
	(void)handle_mm_fault(e, mm, id, addr, (error_code & X86_PF_WRITE) != 0, step);
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
				struct fault_step s = {0};

				if (pte != 0 && (*pte & _PAGE_PRESENT) != 0 &&
				    (!write || (*pte & _PAGE_RW) != 0))
					continue;
				if (handle_mm_fault(e, mm, id, a, write, &s) != 0)
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
		struct fault_step s = {0};
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
			if (handle_mm_fault(e, mm, id, addr, write, &s) != 0) {
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
