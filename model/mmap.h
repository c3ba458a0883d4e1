/* SPDX-License-Identifier: MIT */
/*
 * mmap.h - an address space (struct mm_struct) and the system calls that shape it:
 * brk in three kernel profiles, anonymous mmap, munmap, mprotect, mlockall, setrlimit
 * (mm/mmap.c, mm/vma.c, mm/mprotect.c, mm/mlock.c, arch/x86/mm/mmap.c).
 *
 * How it works
 * ------------
 * An mm is created from a layout (struct mm_layout): the program's segments, its stack,
 * its special mappings ([vvar], [vdso]; [vsyscall] is the gate area, outside the VMA
 * set as in Linux), the mm fields (start_code .. start_stack) and the rlimits.
 * mm_default_layout() gives the built-in one: a static non-PIE x86-64 program started
 * with ASLR off, as the live-kernel oracle's own child is (docs/address-space.md); the
 * Linux backend builds one from the child's /proc files instead.
 *
 * Every system call follows the kernel version named by the mm's profile where the
 * versions differ (brk), and Linux 6.18 (the host kernel) everywhere else: the same
 * checks in the same order, the same errno, the same result on success. Where Linux
 * fails half-way, the model leaves what Linux leaves: mprotect() and mlockall() change
 * VMA after VMA and stop at the first failure; an munmap or MAP_FIXED mmap refused after
 * its first split keeps that split (split_leftovers). Running out of memory is the one
 * place the model is stricter: descriptors are allocated up front, so an op either
 * completes or, with -ENOMEM, changes nothing. Pages are faulted in, zapped and
 * re-protected by fault.c (populate, munmap, mprotect).
 */
#ifndef MMREF_MMAP_H
#define MMREF_MMAP_H

#include "vma.h"

/*
 * mmap(2) prot and flags (include/uapi/asm-generic/mman*.h, x86 values). Hosted code may
 * have them from <sys/mman.h> and <sys/resource.h> already, with the same values.
 */
#ifndef PROT_NONE
#define PROT_NONE 0x0u
#endif
#ifndef PROT_READ
#define PROT_READ 0x1u
#endif
#ifndef PROT_WRITE
#define PROT_WRITE 0x2u
#endif
#ifndef PROT_EXEC
#define PROT_EXEC 0x4u
#endif
#ifndef PROT_SEM
#define PROT_SEM 0x8u
#endif
#ifndef PROT_GROWSDOWN
#define PROT_GROWSDOWN 0x01000000u
#endif
#ifndef PROT_GROWSUP
#define PROT_GROWSUP 0x02000000u
#endif
#ifndef MAP_SHARED
#define MAP_SHARED 0x01u
#endif
#ifndef MAP_PRIVATE
#define MAP_PRIVATE 0x02u
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03u
#endif
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08u
#endif
#ifndef MAP_TYPE
#define MAP_TYPE 0x0fu
#endif
#ifndef MAP_FIXED
#define MAP_FIXED 0x10u
#endif
#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS 0x20u
#endif
#ifndef MAP_32BIT
#define MAP_32BIT 0x40u
#endif
#ifndef MAP_GROWSDOWN
#define MAP_GROWSDOWN 0x0100u
#endif
#ifndef MAP_DENYWRITE
#define MAP_DENYWRITE 0x0800u
#endif
#ifndef MAP_EXECUTABLE
#define MAP_EXECUTABLE 0x1000u
#endif
#ifndef MAP_LOCKED
#define MAP_LOCKED 0x2000u
#endif
#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0x4000u
#endif
#ifndef MAP_POPULATE
#define MAP_POPULATE 0x8000u
#endif
#ifndef MAP_NONBLOCK
#define MAP_NONBLOCK 0x10000u
#endif
#ifndef MAP_STACK
#define MAP_STACK 0x20000u
#endif
#ifndef MAP_HUGETLB
#define MAP_HUGETLB 0x40000u
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000u
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000u
#endif
#ifndef MCL_CURRENT
#define MCL_CURRENT 1u
#endif
#ifndef MCL_FUTURE
#define MCL_FUTURE 2u
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4u
#endif

/* Resource limits (include/uapi/asm-generic/resource.h). */
#ifndef RLIMIT_STACK
#define RLIMIT_STACK 3u
#endif
#ifndef RLIMIT_DATA
#define RLIMIT_DATA 2u
#endif
#ifndef RLIMIT_MEMLOCK
#define RLIMIT_MEMLOCK 8u
#endif
#ifndef RLIMIT_AS
#define RLIMIT_AS 9u
#endif
#ifndef RLIM_NLIMITS
#define RLIM_NLIMITS 16u
#endif
#ifndef RLIM_INFINITY
#define RLIM_INFINITY 0xffffffffffffffffull
#endif

#define PMD_SIZE	      0x200000ull
#define MM_LAYOUT_MAX_VMAS    32u
#define MMAP_MIN_ADDR_DEFAULT 4096ull  /* CONFIG_DEFAULT_MMAP_MIN_ADDR of the host kernel */
#define LSM_MMAP_MIN_ADDR     65536ull /* CONFIG_LSM_MMAP_MIN_ADDR of the host kernel */
#define MAX_MAP_COUNT_DEFAULT 65530u   /* DEFAULT_MAX_MAP_COUNT */

/* The kernel version whose brk() an mm follows. */
enum mm_profile {
	PROFILE_LINUX_6_18,   /* the host kernel: mm/mmap.c of 6.18 */
	PROFILE_LINUX_4_14,   /* seed 002 */
	PROFILE_LINUX_2_6_34, /* seed 003 */
	NR_MM_PROFILES
};

struct mm_rlimit {
	uint64_t rlim_cur;
	uint64_t rlim_max;
};

/* Kernel-wide settings and the shared state the calls need. */
struct mm_env {
	struct phys *phys;
	struct kmem *kmem;
	struct vma_pool *pool;
	uint32_t max_map_count;	    /* vm.max_map_count */
	uint64_t mmap_min_addr;	    /* vm.mmap_min_addr (dac_mmap_min_addr): MAP_FIXED floor */
	uint64_t lsm_mmap_min_addr; /* CONFIG_LSM_MMAP_MIN_ADDR: hints and searches stay above
				       max(this, mmap_min_addr) */
	uint32_t overcommit_memory; /* vm.overcommit_memory: 0 (heuristic) or 1 (always) */
	uint64_t commit_pages;	    /* totalram + swap pages for the heuristic check */
	bool paging_ready;	    /* the kernel's page tables and the zero page exist */
	bool pgtable_l5;     /* pgtable_l5_enabled(): 5-level tables (fault.h), set before boot */
	uint32_t kernel_pgd; /* pfn of init_mm's PGD */
	uint32_t zero_pfn;   /* pfn of the zero page */
	/*
	 * The kernel image (machine_set_kimage(); 0 pages: none): reserved frames mapped
	 * from KERNEL_TEXT_START on in every PGD's kernel half, as the kernel's text is.
	 * Its [vdso] pages back the [vdso] special mapping of each process.
	 */
	uint32_t kimage_pfn, kimage_pages;
	uint32_t kimage_vdso_pfn, kimage_vdso_pages;
};

struct mm_struct {
	bool in_use;
	enum mm_profile profile;
	bool compat_brk;   /* CONFIG_COMPAT_BRK (min_brk from end_data / end_code) */
	bool privileged;   /* CAP_SYS_RAWIO, CAP_IPC_LOCK, CAP_SYS_RESOURCE */
	bool has_vsyscall; /* the [vsyscall] gate area shows in maps */
	struct vma_set vmas;
	uint32_t map_count;
	uint32_t pgd;	   /* pfn of the PGD (0: none yet) */
	uint64_t pgtables; /* page-table pages of the user half, the PGD included */
	uint64_t rss_anon; /* MM_ANONPAGES (shmem pages counted here too: one process) */
	uint64_t mmap_base;
	uint64_t mmap_legacy_base;
	uint64_t start_code, end_code, start_data, end_data;
	uint64_t start_brk, brk, start_stack;
	uint64_t total_vm, data_vm, exec_vm, stack_vm, locked_vm;
	uint64_t def_flags;
	struct mm_rlimit rlim[RLIM_NLIMITS];
	/* Failed mprotect()/mlockall() calls that, as in Linux, left a VMA split in two equal
	 * halves: from the first on, "maximally merged" is no longer an invariant. */
	uint32_t split_leftovers;
	/*
	 * The TLB flush Linux owes for this mm's page-table changes since a backend last took
	 * it (mmu_gather's start/end, flush_tlb_page()): [tlb_flush_start, tlb_flush_end),
	 * empty when start >= end. Entries changed from not present to present need none.
	 */
	uint64_t tlb_flush_start, tlb_flush_end;
};

/* One VMA of a starting layout. */
struct mm_layout_vma {
	uint64_t start, end, flags, pgoff;
	uint32_t file; /* 0: anonymous; else vm_file index + 1 */
};

struct mm_layout {
	uint64_t start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
	struct mm_rlimit rlim[RLIM_NLIMITS];
	bool has_vsyscall;
	bool privileged;
	uint32_t nr_vmas;
	struct mm_layout_vma vmas[MM_LAYOUT_MAX_VMAS];
};

/** mm_env_init() - the host kernel's sysctl defaults over the given allocators. */
void mm_env_init(struct mm_env *e, struct phys *p, struct kmem *k, struct vma_pool *pool);

/**
 * vm_file_get() - the index + 1 of the file entry with this name, device and inode
 * (created if missing), or 0 when the table is full. special: a [name] mapping. The
 * entry is pinned: it outlives its VMAs, so a layout can name it again.
 */
uint32_t vm_file_get(struct vma_pool *v, const char *name, uint32_t dev_major, uint32_t dev_minor,
		     uint64_t inode, bool special);

/**
 * mm_default_layout() - the built-in starting address space: the live-kernel oracle's
 * child (linux/child.c, a static non-PIE program) as Linux 6.18 lays it out with ASLR
 * off (linux/FACTS.md a), so that traces written against the model replay unchanged on
 * the kernel. Needs the file table for its names.
 * Returns 0 or -MERR_NO_SLOT (file table full).
 */
int mm_default_layout(struct vma_pool *v, struct mm_layout *l);

/**
 * mm_create() - an address space from layout l with profile profile. Returns 0, or
 * -ENOMEM when the VMA descriptors cannot be had, -EINVAL for a layout whose VMAs are
 * not sorted, disjoint, page-aligned and inside user space; nothing is held then.
 */
int mm_create(struct mm_env *e, struct mm_struct *mm, const struct mm_layout *l,
	      enum mm_profile profile);

/** mm_destroy() - exit_mmap(): every VMA and descriptor given back. */
void mm_destroy(struct mm_env *e, struct mm_struct *mm);

#ifdef __FRAMAC__
#include "../proofs/logic/mmap.acsl"
#endif

/**
 * sys_brk() - brk(2) of mm's profile. Returns the resulting brk: the new one on success,
 * the old one on any failure (the syscall reports no errno).
 *
 * Contract: the refusals before any change (below min_brk, over RLIMIT_DATA, a brk whose
 * PAGE_ALIGN() would wrap) and a move inside the same page are behaviors with exact
 * conditions; `moved` states what a move up or down promises: on success the new brk and
 * every byte of [start_brk, PAGE_ALIGN(brk)) in a VMA; on failure the old brk and the
 * same bytes mapped as before (a refused shrink may leave a split, as Linux's does). The
 * heap's coverage (HeapCovered) and the well-formed VMA set are kept in every case. See
 * docs/proofs.md for which of these are proved.
 */
/*@ requires apart: MmApart(e, mm);
    requires alloc: MmAllocOk(e);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires index: IndexRoom(e->pool, &mm->vmas);
    requires heap: HeapCovered(e->pool, mm);
    requires brk: mm->brk <= 0xfffffffffffff000;
    assigns mm->brk, mm->vmas, mm->map_count, mm->split_leftovers, mm->total_vm, mm->data_vm,
	mm->exec_vm, mm->stack_vm, mm->locked_vm, mm->pgtables, mm->rss_anon,
	mm->tlb_flush_start, mm->tlb_flush_end, *e->pool, *e->kmem,
	e->phys->zones[0 .. MAX_NR_ZONES - 1], e->phys->pages[0 .. e->phys->nr_pages - 1],
	e->phys->mem[0 .. RamWords(e->phys) - 1];
    ensures vmas: VSetOk(e->pool, &mm->vmas);
    ensures heap: HeapCovered(e->pool, mm);
    ensures brk: mm->brk <= 0xfffffffffffff000;
    behavior below_min:
	assumes brk < MinBrk(mm);
	assigns \nothing;
	ensures result: \result == \old(mm->brk);
    behavior rlimit:
	assumes brk >= MinBrk(mm) && DataRlimitExceeded(mm, brk);
	assigns \nothing;
	ensures result: \result == \old(mm->brk);
    behavior wraps:
	assumes brk >= MinBrk(mm) && !DataRlimitExceeded(mm, brk);
	assumes brk > 0xfffffffffffff000;
	assigns \nothing;
	ensures result: \result == \old(mm->brk);
    behavior same_page:
	assumes brk >= MinBrk(mm) && !DataRlimitExceeded(mm, brk);
	assumes brk <= 0xfffffffffffff000 && PageAlign(brk) == PageAlign(mm->brk);
	assigns mm->brk;
	ensures result: \result == brk && mm->brk == brk;
    behavior moved:
	assumes brk >= MinBrk(mm) && !DataRlimitExceeded(mm, brk);
	assumes brk <= 0xfffffffffffff000 && PageAlign(brk) != PageAlign(mm->brk);
	ensures result: \result == brk || \result == \old(mm->brk);
	ensures success: \result == brk ==> mm->brk == brk &&
	    Covered(e->pool, &mm->vmas, mm->start_brk, PageAlign(brk));
	ensures failure: \result != brk ==> mm->brk == \old(mm->brk) &&
	    SameMapped{Pre, Post}(e->pool, &mm->vmas);
    complete behaviors;
    disjoint behaviors;
*/
uint64_t sys_brk(struct mm_env *e, struct mm_struct *mm, uint64_t brk);

/**
 * sys_mmap() - mmap(2) with fd -1 and offset 0. Returns the address, or -errno cast to
 * uint64_t (as the syscall's return register holds it): test with IS_ERR_VALUE().
 */
uint64_t sys_mmap(struct mm_env *e, struct mm_struct *mm, uint64_t addr, uint64_t len,
		  uint32_t prot, uint32_t flags);

/** sys_munmap() - munmap(2). Returns 0 or -errno. */
int sys_munmap(struct mm_env *e, struct mm_struct *mm, uint64_t addr, uint64_t len);

/** sys_mprotect() - mprotect(2). Returns 0 or -errno. */
int sys_mprotect(struct mm_env *e, struct mm_struct *mm, uint64_t addr, uint64_t len,
		 uint32_t prot);

/** sys_mlockall() / sys_munlockall() - mlockall(2) and munlockall(2). 0 or -errno. */
int sys_mlockall(struct mm_env *e, struct mm_struct *mm, uint32_t flags);
int sys_munlockall(struct mm_env *e, struct mm_struct *mm);

/**
 * sys_setrlimit() - setrlimit(2) for RLIMIT_DATA, RLIMIT_STACK, RLIMIT_AS and
 * RLIMIT_MEMLOCK (others: -EINVAL here). Returns 0, -EINVAL (cur > max) or -EPERM
 * (raising max without CAP_SYS_RESOURCE).
 */
/*@ requires valid: \valid(mm);
    behavior other:
	assumes resource != RLIMIT_DATA && resource != RLIMIT_STACK && resource != RLIMIT_AS &&
	    resource != RLIMIT_MEMLOCK;
	assigns \nothing;
	ensures result: \result == -EINVAL;
    behavior inverted:
	assumes resource == RLIMIT_DATA || resource == RLIMIT_STACK || resource == RLIMIT_AS ||
	    resource == RLIMIT_MEMLOCK;
	assumes cur > max;
	assigns \nothing;
	ensures result: \result == -EINVAL;
    behavior raise:
	assumes resource == RLIMIT_DATA || resource == RLIMIT_STACK || resource == RLIMIT_AS ||
	    resource == RLIMIT_MEMLOCK;
	assumes cur <= max && max > mm->rlim[resource].rlim_max && !mm->privileged;
	assigns \nothing;
	ensures result: \result == -EPERM;
    behavior set:
	assumes resource == RLIMIT_DATA || resource == RLIMIT_STACK || resource == RLIMIT_AS ||
	    resource == RLIMIT_MEMLOCK;
	assumes cur <= max && (max <= mm->rlim[resource].rlim_max || mm->privileged);
	assigns mm->rlim[resource];
	ensures result: \result == 0;
	ensures set: mm->rlim[resource].rlim_cur == cur && mm->rlim[resource].rlim_max == max;
    complete behaviors;
    disjoint behaviors;
*/
int sys_setrlimit(struct mm_struct *mm, uint32_t resource, uint64_t cur, uint64_t max);

/**
 * anon_vma_prepare() - give VMA id an anon_vma (a neighbour's when compatible). Only
 * the VMA's anon_vma and the pool's counter change; the VMA has an anon_vma afterwards
 * unless the counter had wrapped to 0.
 */
/*@ requires valid: \valid_read(e) && \valid(e->pool) && \valid_read(mm);
    requires sep: \separated(e, e->pool, mm);
    requires id: id < VMA_POOL_SIZE;
    requires vmas: VSetOk(e->pool, &mm->vmas);
    assigns e->pool->vma[id].anon_vma, e->pool->next_anon_vma;
    ensures prepared: e->pool->vma[id].anon_vma != 0 || \old(e->pool->next_anon_vma) == 0;
    ensures kept: \old(e->pool->vma[id].anon_vma) != 0 ==>
	e->pool->vma[id].anon_vma == \old(e->pool->vma[id].anon_vma);
*/
void anon_vma_prepare(struct mm_env *e, struct mm_struct *mm, uint32_t id);

/** mm_may_expand() - may_expand_vm(): may mm grow by npages of a VMA with flags? */
/*@ requires valid: \valid_read(mm);
    assigns \nothing;
*/
bool mm_may_expand(const struct mm_env *e, const struct mm_struct *mm, uint64_t flags,
		   uint64_t npages);

/**
 * mlock_future_ok() - may mm lock bytes more of a VMA with flags (RLIMIT_MEMLOCK, unless
 * privileged or not VM_LOCKED)?
 */
/*@ requires valid: \valid_read(mm);
    assigns \nothing;
*/
bool mlock_future_ok(const struct mm_struct *mm, uint64_t flags, uint64_t bytes);

/** mm_account() - vm_stat_account(): total_vm, exec_vm, stack_vm, data_vm += npages. */
/*@ requires valid: \valid(mm);
    assigns mm->total_vm, mm->exec_vm, mm->stack_vm, mm->data_vm;
    ensures total: mm->total_vm == (uint64_t)(\old(mm->total_vm) + npages);
*/
void mm_account(struct mm_struct *mm, uint64_t flags, uint64_t npages);

/** IS_ERR_VALUE() - is a syscall's return value an -errno (-4095 .. -1)? */
static inline bool IS_ERR_VALUE(uint64_t x)
{
	return x >= (uint64_t)-4095;
}

/**
 * mm_validate() - the invariants of an mm: VMAs sorted, disjoint, page-aligned, inside
 * user space, non-empty; map_count equals their number; the index (leaf copies,
 * last_end, max_gap, the gap tree) fresh; no two neighbours that the merge rules would
 * join (except the pair at start_brk that do_brk_flags() of 6.18 leaves, and after
 * split_leftovers); total_vm the pages of all VMAs; VMAs covering [start_brk, brk);
 * then pgtables_validate(). Returns the first broken rule, or ok.
 */
struct validate_result mm_validate(const struct mm_env *e, const struct mm_struct *mm);

#endif /* MMREF_MMAP_H */
