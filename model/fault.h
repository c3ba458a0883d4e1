/* SPDX-License-Identifier: MIT */
/*
 * fault.h - user page tables and the kernel's side of a page fault (arch/x86/mm/fault.c,
 * mm/memory.c, mm/pgtable-generic.c): the kernel half shared by every PGD, demand paging
 * of anonymous memory (the shared zero page, fresh zeroed pages, copy-on-write from the
 * zero page), stack growth, SIGSEGV with its si_code, zapping on munmap and freeing empty
 * tables, and mprotect's change of the PTEs.
 *
 * How it works
 * ------------
 * The first process builds the kernel's page tables (the linear map of all RAM at
 * page_offset_base, 2 MiB pages where they fit, 4 KiB at a ragged end) and the zero page;
 * every PGD then gets the kernel half (entries 256..511) copied, so the kernel's tables are
 * shared, as in pgd_alloc(). Table pages come from the buddy allocator (zeroed).
 *
 * The tables have 4 levels, or 5 with pgtable_l5_enabled() (the machine's CR4.LA57,
 * chosen before boot as Linux chooses it in early boot). Every walk below starts at the
 * top level pgtable_levels() and goes down one level at a time, so the same code serves
 * both; with 4 levels the p4d is folded into the pgd (include/asm-generic/pgtable-nop4d.h),
 * with 5 it is a table of its own: allocated by p4d_alloc(), freed by free_pgtables() when
 * no VMA is left under it. The kernel's layout moves with the mode
 * (arch/x86/include/asm/page_64_types.h, pgtable_64_types.h, no KASLR):
 *
 *                         4-level               5-level (LA57)
 *   page_offset_base      0xffff888000000000    0xff11000000000000   (PGD slot 273 both)
 *   vmalloc_base          0xffffc90000000000    0xffa0000000000000
 *   TASK_SIZE_MAX         2^47 - 4 KiB          2^56 - 4 KiB
 *   __START_KERNEL_map    0xffffffff80000000    the same (the last PGD slot)
 *
 * User mappings stay below DEFAULT_MAP_WINDOW (2^47 - 4 KiB) in both modes: the model's
 * mmap has no hint above it (docs/paging.md).
 *
 * touch() plays what a CPU and Linux do for one access: mmu_walk(); on #PF the kernel's
 * handler (exc_page_fault() -> do_user_addr_fault()): find_vma(), expand_stack() for a
 * VM_GROWSDOWN VMA, access_error(), then handle_mm_fault() -> handle_pte_fault():
 * do_anonymous_page() (a read maps the zero page read-only, a write a new zeroed page),
 * do_wp_page() (a write to the zero page copies it). Then the access is retried, as the
 * faulting instruction is; a second fault on the same access is handled the same way
 * (e.g. a fetch from a page mapped NX). A bad access ends in SIGSEGV (SEGV_MAPERR,
 * SEGV_ACCERR or SEGV_PKUERR); an allocation failure in OOM, with nothing leaked: the
 * tables allocated so far stay with the mm and go with its VMAs.
 */
#ifndef MMREF_FAULT_H
#define MMREF_FAULT_H

#include "mmap.h"
#include "pgtable.h"

#define _PAGE_SPECIAL	0x200ull /* software bit 9: a special mapping (the zero page) */
#define _PAGE_PROTNONE	0x100ull /* with P clear: a PROT_NONE page (the global bit's slot) */
#define _PAGE_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define _KERNPG_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define MAX_FAULT_STEPS 4u

/* What the kernel did for one fault. */
enum fault_action {
	FAULT_ANON_PAGE,    /* do_anonymous_page(): a new zeroed page */
	FAULT_ZERO_PAGE,    /* do_anonymous_page(): the zero page, read-only */
	FAULT_COW,	    /* do_wp_page(): the zero page copied */
	FAULT_SHMEM,	    /* a shared anonymous (shmem) page */
	FAULT_SPURIOUS,	    /* the PTE already allowed it: nothing to do */
	FAULT_SIGSEGV,	    /* bad access: the process gets SIGSEGV */
	FAULT_OOM,	    /* VM_FAULT_OOM */
	FAULT_OOPS,	    /* a kernel-mode fault the kernel cannot fix (no fixup): oops */
	FAULT_EFAULT,	    /* a kernel-mode access to a bad user address: -EFAULT by fixup */
	FAULT_SPECIAL_PAGE, /* special_mapping_fault(): a [vdso] page of the kernel image */
	FAULT_SIGBUS,	    /* VM_FAULT_SIGBUS: e.g. past the image's [vdso] pages */
};

/* si_code of a SIGSEGV (the same values as <signal.h>, which hosted code may have). */
#ifndef SEGV_MAPERR
#define SEGV_MAPERR 1
#endif
#ifndef SEGV_ACCERR
#define SEGV_ACCERR 2
#endif
#ifndef SEGV_PKUERR
#define SEGV_PKUERR 4
#endif

struct fault_step {
	uint32_t error_code;
	enum fault_action action;
	uint32_t pfn;	 /* FAULT_ANON_PAGE, FAULT_COW, FAULT_SHMEM: the new page */
	int si_code;	 /* FAULT_SIGSEGV */
	bool stack_grew; /* expand_stack() moved vm_start */
};

/* What handle_mm_fault() did: 0 or -errno, the action, the page it mapped (0: none). */
struct fault_ret {
	int err;
	enum fault_action action;
	uint32_t pfn;
};

/* One access from the start to its end: the faults met and how it ended. */
struct touch_result {
	bool gp;   /* #GP: a non-canonical address */
	bool done; /* the access completed */
	uint64_t paddr;
	uint32_t nr_steps;
	struct fault_step step[MAX_FAULT_STEPS];
};

/* The page of user memory a fault allocates: GFP_HIGHUSER_MOVABLE. */
#define GFP_USER_PAGE (GFP_HIGHUSER | __GFP_MOVABLE)

#ifdef __FRAMAC__
#include "../proofs/logic/fault.acsl"
#endif

/* The kernel's layout under 4-level and 5-level paging (see above). */
#define PAGE_OFFSET_BASE_L4 0xffff888000000000ull /* __PAGE_OFFSET_BASE_L4 = PAGE_OFFSET */
#define PAGE_OFFSET_BASE_L5 0xff11000000000000ull /* __PAGE_OFFSET_BASE_L5 */
#define VMALLOC_BASE_L4	    0xffffc90000000000ull /* __VMALLOC_BASE_L4 */
#define VMALLOC_BASE_L5	    0xffa0000000000000ull /* __VMALLOC_BASE_L5 */
#define TASK_SIZE_MAX_L4    ((1ull << 47) - PAGE_SIZE)
#define TASK_SIZE_MAX_L5    ((1ull << 56) - PAGE_SIZE)
#define KERNEL_PGD_BOUNDARY 256u /* the first PGD entry of the kernel half, both modes */

/** pgtable_levels() - PT_PGD5 (5) with pgtable_l5_enabled(), else PT_P4D (4). */
/*@ requires valid: \valid_read(e);
    assigns \nothing;
    ensures levels: \result == FTop(e);
*/
uint32_t pgtable_levels(const struct mm_env *e);

/** page_offset_base() - where the linear map of all RAM starts under e's paging mode. */
uint64_t page_offset_base(const struct mm_env *e);

/** vmalloc_base() - VMALLOC_START under e's paging mode. */
uint64_t vmalloc_base(const struct mm_env *e);

/**
 * task_size_max() - TASK_SIZE_MAX: the end of the user half under e's paging mode (below
 * it a fault is a user-address fault: fault_in_kernel_space()).
 */
uint64_t task_size_max(const struct mm_env *e);

/**
 * pte_frame() - the physical address of the frame a user PTE maps. A PROT_NONE entry
 * (not present, not empty) holds it inverted: the L1TF mitigation
 * (flip_protnone_guard()) keeps a speculative walk from reaching real memory through it.
 */
uint64_t pte_frame(uint64_t pte);

/**
 * paging_init() - the kernel page tables and the zero page, once, with pgtable_levels()
 * levels: the linear map, the vmalloc area's table under its PGD slot (a PUD page with 4
 * levels, a P4D page with 5: preallocate_vmalloc_pages()), the kernel image. 0 or -ENOMEM.
 */
int paging_init(struct mm_env *e);

/** pgd_alloc() - mm's PGD with the kernel half. 0 or -ENOMEM. */
int pgd_alloc(struct mm_env *e, struct mm_struct *mm);

/** pgd_free() - free mm's user tables (the VMAs must be gone: every page zapped). */
void pgd_free(struct mm_env *e, struct mm_struct *mm);

/**
 * zap_range() - unmap_region(): free the pages mapped in [start, end) of mm, clear their
 * PTEs, and free the tables left covering no VMA (free_pgtables(): PTE, PMD, PUD and,
 * with 5 levels, P4D tables).
 */
void zap_range(struct mm_env *e, struct mm_struct *mm, uint64_t start, uint64_t end);

/**
 * change_protection() - mprotect's PTE update for [start, end) of a VMA now having flags:
 * present PTEs get the new rights (writable only when the VMA is and the page is not
 * the zero page; PROT_NONE makes them not present, _PAGE_PROTNONE).
 */
void change_protection(struct mm_env *e, struct mm_struct *mm, uint64_t start, uint64_t end,
		       uint64_t flags);

/**
 * handle_mm_fault() - fault in the page at addr of VMA id for a write (or a read), as
 * mm/memory.c does: the missing tables first (p4d_alloc() with 5 levels, pud_alloc(),
 * pmd_alloc(), pte_alloc(): each a zeroed page, linked and counted in mm->pgtables), then
 * handle_pte_fault(): do_anonymous_page() for an empty PTE of a private VMA (the zero page
 * for a read, a new zeroed page for a write), the shmem page of a shared VMA, the image's
 * page for the [vdso], do_wp_page() for a write to a present PTE (a copy of the zero page,
 * or our own page made writable again), nothing for a spurious fault.
 *
 * Returns what it did (struct fault_ret: .err, .action and .pfn, the page mapped or 0):
 * .err 0; -ENOMEM (FAULT_OOM) when a table or the page cannot be had: the tables
 * allocated before stay, linked and counted, as in Linux (they go with the VMA), the PTE
 * is as it was and no other frame is taken; -EFAULT (FAULT_SIGBUS) past the image's vdso.
 *
 * ASSUMPTIONS (what pgtables_validate() and mm_validate() check): mm's tables on addr's
 * path are allocated pages, each hanging under one entry; a present special PTE maps a
 * frame of RAM; the VMA set is well formed; the page allocator's invariant holds.
 */
/*@ requires env: FaultEnv(e, mm) && FieldsApart(e, mm);
    requires safe: BuddySafe(e->phys);
    requires heads: ListHeads(e->phys);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires id: id < VMA_POOL_SIZE;
    requires file: e->pool->vma[id].file <= VMA_NR_FILES;
    requires path: FPathOk(e, mm, addr);
    requires special: FReach(e, mm, addr, PT_PTE) ==>
	SpecialOk(e->phys, FEnt(e, mm, addr, PT_PTE));
    assigns e->phys->zones[0 .. MAX_NR_ZONES - 1], e->phys->pages[0 .. e->phys->nr_pages - 1],
	e->phys->mem[0 .. RamWords(e->phys) - 1], mm->pgtables, mm->rss_anon,
	mm->tlb_flush_start, mm->tlb_flush_end, e->pool->vma[id].anon_vma,
	e->pool->next_anon_vma;
    ensures safe: BuddySafe(e->phys);
    ensures heads: ListHeads(e->phys);
    ensures outcome: FaultOutcome(\result.err, \result.action);
    ensures path: FPathOk(e, mm, addr);
    ensures walk: \result.err == 0 ==> FReach(e, mm, addr, PT_PTE);
    ensures tables: mm->pgtables ==
	(uint64_t)(\old(mm->pgtables) + (\old(FHave(e, mm, addr)) - FHave(e, mm, addr)));
*/
struct fault_ret handle_mm_fault(struct mm_env *e, struct mm_struct *mm, uint32_t id, uint64_t addr,
				 bool write);

/**
 * touch() - one access by the current CPU of mm: walk, fault handling and retries (at
 * most MAX_FAULT_STEPS faults). A/D bits are set as the CPU sets them.
 */
struct touch_result touch(struct mm_env *e, struct mm_struct *mm, const struct cpu_state *cpu,
			  uint64_t addr, struct access acc);

/**
 * exc_page_fault() - the kernel's handling of one #PF that the access acc to addr raised
 * with error_code (what touch() does between two walks): the step it took. A backend
 * whose CPU did the walk calls it, then retries the access unless fault_step_final().
 */
struct fault_step exc_page_fault(struct mm_env *e, struct mm_struct *mm,
				 const struct cpu_state *cpu, uint64_t addr, uint32_t error_code,
				 struct access acc);

/** fault_step_final() - the access ends here (SIGSEGV, SIGBUS, OOM, oops, -EFAULT). */
bool fault_step_final(const struct fault_step *s);

/** populate_range() - __mm_populate(): fault in [start, end) as mlock/MAP_POPULATE do. */
void populate_range(struct mm_env *e, struct mm_struct *mm, uint64_t start, uint64_t end);

/* get_user_pages(): at most GUP_MAX pages a call. */
#define GUP_MAX 16u

struct gup_result {
	int err;     /* 0, or -EFAULT / -ENOMEM when not even the first page could be had */
	uint32_t nr; /* pages had */
	uint32_t pfn[GUP_MAX]; /* their frames (the zero page's for a read of an untouched page) */
	bool zero[GUP_MAX];    /* the zero page: vm_normal_page() gives no struct page for it */
	uint32_t faults;       /* faults taken to get them */
};

/**
 * vm_normal_page() - the frame behind a present PTE that is a normal page: PFN_NONE for
 * the zero page (a special mapping) and for an entry that is not present.
 */
uint32_t vm_normal_page(const struct mm_env *e, uint64_t pte);

/**
 * follow_page() - the frame mapped at addr of mm as a software walk sees it (no MMU
 * rights: the kernel's view), or PFN_NONE when not present, or not writable for a write.
 * *zero tells the zero page.
 */
uint32_t follow_page(struct mm_env *e, const struct mm_struct *mm, uint64_t addr, bool write,
		     bool *zero);

/**
 * get_user_pages() - __get_user_pages(): for nr pages from start, follow_page() and fault
 * in what is missing (a write faults with FOLL_WRITE: copy-on-write of the zero page);
 * the VMA must allow the access (VM_WRITE for a write, VM_READ for a read). Stops at the
 * first page it cannot get; -EFAULT when that is the first. Pins nothing: the model has
 * no page references beyond the mapping (docs/paging.md).
 */
struct gup_result get_user_pages(struct mm_env *e, struct mm_struct *mm, uint64_t start,
				 uint32_t nr, bool write);

/**
 * pgtables_validate() - the invariants of mm's page tables (pgtable_levels() levels): the
 * kernel half is init_mm's; every table entry points at an allocated page; every table
 * spans at least one VMA (free_pgtables() frees the others); every mapped PTE lies in a VMA, is
 * writable only with VM_WRITE (never for the zero page), has NX exactly when the VMA is
 * not executable, is not present in a PROT_NONE VMA, and maps the zero page or an
 * allocated page with one reference; rss_anon is the number of mapped pages and
 * pgtables the number of table pages. Returns the first broken rule (where: a page
 * number of the address).
 */
struct validate_result pgtables_validate(const struct mm_env *e, const struct mm_struct *mm);

#endif /* MMREF_FAULT_H */
