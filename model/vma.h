/* SPDX-License-Identifier: MIT */
/*
 * vma.h - the VMA set of an address space (mm/vma.c, mm/mmap.c): descriptors, the ordered
 * index with find_vma(), find_vma_prev() and find_vma_intersection(), insert, remove,
 * split, the merge rules of the modern kernel for anonymous mappings, and anon_vma
 * compatibility.
 *
 * How it works
 * ------------
 * A VMA descriptor (struct vm_area_struct) lives in a machine-wide pool and is named by
 * its pool index. Each descriptor is also backed by one object of the slab cache
 * "vm_area_struct" (vm_area_cachep, 192 bytes as on this kernel), so that a kernel that
 * has run out of memory fails to create a VMA exactly as Linux does: -ENOMEM, nothing
 * changed. The object's address is kept in the descriptor; the fields live in the pool
 * (the model never reads them through the object).
 *
 * The index of one mm is a B+tree of height two, in the spirit of the maple tree that
 * holds VMAs since Linux 6.1: leaves of up to VMA_LEAF_SLOTS descriptor indices in address
 * order (16, as a maple tree node has 16 slots), and a top array of leaves in address
 * order that keeps, per leaf, the vm_end of its last VMA (for lookups) and the largest
 * free gap in front of its VMAs (for get_unmapped_area(), as the maple tree's gap
 * tracking does). Over those per-leaf gaps sits a max tree (gap_tree), so that a gap
 * search skips any run of leaves without a fitting gap in O(log n) steps. A lookup is
 * two searches free of data-dependent branches (the top array, then one leaf); an
 * insertion or removal moves at most one leaf's entries and updates one path of the gap
 * tree; when a leaf splits or empties, the top array moves and the gap tree is rebuilt
 * from there. See docs/address-space.md.
 *
 * Positions: a VMA's place in the order is (leaf, slot); struct vma_pos names one, and
 * vma_pos_next()/vma_pos_prev() walk the order. A position is valid until the set
 * changes: the *_at() changes take one that the caller looked up, so that a system call
 * that looks, checks and changes pays for one lookup.
 */
#ifndef MMREF_VMA_H
#define MMREF_VMA_H

#include "slab.h"

/* vm_flags (include/linux/mm.h), with the kernel's values. */
#define VM_NONE		0x00000000ull
#define VM_READ		0x00000001ull
#define VM_WRITE	0x00000002ull
#define VM_EXEC		0x00000004ull
#define VM_SHARED	0x00000008ull
#define VM_MAYREAD	0x00000010ull
#define VM_MAYWRITE	0x00000020ull
#define VM_MAYEXEC	0x00000040ull
#define VM_MAYSHARE	0x00000080ull
#define VM_GROWSDOWN	0x00000100ull
#define VM_PFNMAP	0x00000400ull
#define VM_LOCKED	0x00002000ull
#define VM_IO		0x00004000ull
#define VM_DONTEXPAND	0x00040000ull
#define VM_LOCKONFAULT	0x00080000ull
#define VM_ACCOUNT	0x00100000ull
#define VM_NORESERVE	0x00200000ull
#define VM_DONTDUMP	0x04000000ull
#define VM_SOFTDIRTY	0x08000000ull
#define VM_MIXEDMAP	0x10000000ull
#define VM_NOHUGEPAGE	0x40000000ull
#define VM_WIPEONFORK	0x02000000ull
#define VM_DROPPABLE	0x10000000000ull /* a high arch bit on x86-64 (6.11+) */
#define VM_SPECIAL	(VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)
#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)
#define VM_LOCKED_MASK	(VM_LOCKED | VM_LOCKONFAULT)
#define VM_STACK	VM_GROWSDOWN
/* Flags that do not prevent a merge (VM_IGNORE_MERGE). */
#define VM_IGNORE_MERGE VM_SOFTDIRTY
/* VM_DATA_DEFAULT_FLAGS on x86-64 without READ_IMPLIES_EXEC. */
#define VM_DATA_DEFAULT_FLAGS (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)

/* The model's sizes. */
#define VMA_LEAF_SLOTS	16u		  /* descriptors in one leaf of an mm's index */
#define VMA_MAX_LEAVES	16384u		  /* leaves in one mm's index (a power of two) */
#define VMA_GAP_LEVELS	14u		  /* log2(VMA_MAX_LEAVES): the height of gap_tree */
#define VMA_POOL_SIZE	131072u		  /* descriptors in the whole machine */
#define VMA_LEAF_POOL	32768u		  /* leaves in the whole machine */
#define VMA_MAX_PER_MM	65536u		  /* the most VMAs one mm can hold here */
#define VMA_NONE	0xffffffffu	  /* no descriptor */
#define VMA_OBJ_SIZE	192u		  /* sizeof(struct vm_area_struct) on Linux 6.18 x86-64 */
#define VMA_NR_FILES	1024u		  /* file and pseudo-file names */
#define VMA_FILE_NAME	96u		  /* bytes in a file name, NUL included */
#define TASK_SIZE	0x7ffffffff000ull /* TASK_SIZE_MAX, 4-level paging */
#define STACK_GUARD_GAP (256ull * PAGE_SIZE) /* stack_guard_gap default */

/*
 * A file or pseudo-file a VMA shows in /proc/PID/maps: a real file (an imported ELF
 * segment), a special mapping ([vdso], [vvar]: VM_SPECIAL, never merged), or the shmem
 * file behind a MAP_SHARED|MAP_ANONYMOUS mapping ("/dev/zero (deleted)", its own inode).
 */
struct vm_file {
	bool in_use;
	bool special;  /* a [name] special mapping: no device, inode or offset */
	bool pinned;   /* a layout's file: kept while unused (shmem files are not) */
	uint32_t refs; /* VMAs naming it; an unpinned entry with none is free again */
	uint32_t dev_major, dev_minor;
	uint64_t inode;
	char name[VMA_FILE_NAME];
};

struct vm_area_struct {
	uint64_t vm_start; /* first byte */
	uint64_t vm_end;   /* first byte after */
	uint64_t vm_flags;
	uint64_t vm_pgoff; /* in pages: the file offset, or vm_start >> PAGE_SHIFT (anon) */
	uint64_t obj;	   /* its vm_area_cachep object (a linear-map address) */
	uint32_t anon_vma; /* 0: none yet (set at the first write fault) */
	uint32_t file;	   /* 0: anonymous; else vm_file index + 1 */
	uint32_t next_free;
};

/*
 * One leaf of an mm's index: descriptor indices in address order, with copies of their
 * vm_start and vm_end so that lookups and gap searches stay inside the leaf (refreshed
 * by every change; mm_validate() checks them). end[] and slot[] come first: a lookup
 * reads only them and nr.
 */
struct vma_leaf {
	uint64_t end[VMA_LEAF_SLOTS];
	uint32_t slot[VMA_LEAF_SLOTS];
	uint32_t nr;
	uint32_t next_free;
	uint64_t start[VMA_LEAF_SLOTS];
};

/*
 * The index of one mm. gap_tree is a max tree over max_gap (a segment tree): node n
 * (1 <= n < VMA_MAX_LEAVES) has the children 2n and 2n + 1, where a child c >=
 * VMA_MAX_LEAVES is leaf c - VMA_MAX_LEAVES; gap_tree[n] is the largest max_gap of the
 * leaves below n that are below nr_leaves. A node whose leaves all lie at or beyond
 * nr_leaves is not kept (it reads as 0).
 *
 * The pads (1, 2 and 3 cache lines, never read) keep the arrays from starting a multiple
 * of 4 KiB apart. Without them the entries a large set reads on every change -- the
 * first probes of a lookup (last_end[4095], [2047], ...), the gap tree's left spine
 * (gap_tree[8192], [4096], ...), leaf[0], max_gap[0] -- fall into one L1 cache set, more
 * lines than it has ways: an mmap+munmap pair at 65530 VMAs took 14 L1 misses
 * (cachegrind), none with the pads.
 */
struct vma_set {
	/* VMAs in the set. An int (as Linux's mm->map_count): the proofs keep it in a memory of
	 * its own, which no predicate on the set reads (docs/proofs.md, lesson 27). */
	int nr_vmas;
	uint32_t nr_leaves;
	uint32_t leaf[VMA_MAX_LEAVES]; /* leaf pool indices, in address order */
	uint64_t pad_1[8];
	uint64_t last_end[VMA_MAX_LEAVES]; /* vm_end of each leaf's last VMA */
	uint64_t pad_2[16];
	uint64_t max_gap[VMA_MAX_LEAVES]; /* largest raw gap in front of a VMA of the leaf */
	uint64_t pad_3[24];
	uint64_t gap_tree[VMA_MAX_LEAVES]; /* [0] unused; see above */
};

/* The machine-wide VMA state: pools, names, counters. */
struct vma_pool {
	struct vm_area_struct vma[VMA_POOL_SIZE];
	struct vma_leaf leaves[VMA_LEAF_POOL];
	uint32_t vma_free;  /* free list head, or VMA_NONE */
	uint32_t vma_used;  /* descriptors ever handed out (the rest are untouched) */
	uint32_t leaf_free; /* free list head, or VMA_NONE */
	uint32_t leaf_used; /* leaves ever handed out */
	uint32_t nr_vmas;   /* descriptors in use */
	uint32_t nr_leaves; /* leaves in use */
	int vm_area_cachep; /* slab cache id, 0 before the first mm */
	uint32_t next_anon_vma;
	uint64_t next_inode; /* shmem inode numbers */
	struct vm_file files[VMA_NR_FILES];
};

/* A place in an mm's order: leaf index in the top array and slot in the leaf. */
struct vma_pos {
	uint32_t leaf;
	uint32_t slot;
};

#define VMA_PREALLOC_MAX 4u /* descriptors one vma_prealloc() hands out */

/*
 * What vma_prealloc() gives: err 0 and id[0 .. n - 1], or -ENOMEM and no descriptor (every
 * id VMA_NONE). Returned by value: stores through an out-pointer between the allocator's
 * calls would leave its invariants to be carried across them (docs/proofs.md, lesson 7).
 */
struct vma_batch {
	int err;
	uint32_t id[VMA_PREALLOC_MAX];
};

/* A batch of no descriptor, with error e: one VMA_NONE per id (VMA_PREALLOC_MAX of them). */
/* clang-format off */
#define VMA_BATCH_NONE(e) {(e), {VMA_NONE, VMA_NONE, VMA_NONE, VMA_NONE}}
/* clang-format on */
typedef char vma_batch_none_names_every_id[VMA_PREALLOC_MAX == 4u ? 1 : -1];

#ifdef __FRAMAC__
#include "../proofs/logic/vma.acsl"

/*
 * What every call into the slab allocator for a descriptor needs (vm_area_alloc(),
 * vm_area_free() and their wrappers in vma.c): the pool well formed, the allocators'
 * invariants, and the pool apart from their state. One text for those contracts.
 */
/* clang-format off */
#define VMA_SLAB_REQUIRES \
	requires pool: VPoolOk(v); \
	requires safe: BuddySafe(p); \
	requires kmem: KmemOk(k); \
	requires apart: KmemApart(p, k); \
	requires sep: \separated(v, k, p, p->pages + (0 .. p->nr_pages - 1), \
				 p->mem + (0 .. RamWords(p) - 1));

/* What giving descriptor id and its slab object back writes (vm_area_free()). */
#define VMA_FREE_ASSIGNS \
	assigns v->vma[id].obj, v->vma[id].next_free, v->vma_free, v->nr_vmas, *k, \
		p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1], \
		p->mem[0 .. RamWords(p) - 1];

/* No descriptor's vm_start or vm_end changed (the set's changes write only the index). */
#define VMA_RANGES_SAME \
	\forall integer x; 0 <= x < VMA_POOL_SIZE ==> \
	v->vma[x].vm_start == \old(v->vma[x].vm_start) && v->vma[x].vm_end == \old(v->vma[x].vm_end)
/* No leaf's slots, ranges or count changed. */
#define VMA_LEAVES_SAME \
	\forall integer j, i; 0 <= j < VMA_LEAF_POOL && 0 <= i < VMA_LEAF_SLOTS ==> \
	v->leaves[j].slot[i] == \old(v->leaves[j].slot[i]) && \
	v->leaves[j].start[i] == \old(v->leaves[j].start[i]) && \
	v->leaves[j].end[i] == \old(v->leaves[j].end[i]) && v->leaves[j].nr == \old(v->leaves[j].nr)
/* clang-format on */
#endif

/*@
  // The index as it was: every leaf's slots, copies of the ranges and count, and every
  // descriptor's range (VMA_LEAVES_SAME and VMA_RANGES_SAME as one predicate). A caller
  // meets it whole across vm_area_free(), whose writes are stores to the pool's scalars
  // past which the provers' simplifier moves the two macros' reads, not the predicate's.
  predicate IndexSame{L1,L2}(struct vma_pool *v) =
    (\forall integer j, i; 0 <= j < VMA_LEAF_POOL && 0 <= i < VMA_LEAF_SLOTS ==>
      \at(v->leaves[j].slot[i], L1) == \at(v->leaves[j].slot[i], L2) &&
      \at(v->leaves[j].start[i], L1) == \at(v->leaves[j].start[i], L2) &&
      \at(v->leaves[j].end[i], L1) == \at(v->leaves[j].end[i], L2) &&
      \at(v->leaves[j].nr, L1) == \at(v->leaves[j].nr, L2)) &&
    (\forall integer x; 0 <= x < VMA_POOL_SIZE ==>
      \at(v->vma[x].vm_start, L1) == \at(v->vma[x].vm_start, L2) &&
      \at(v->vma[x].vm_end, L1) == \at(v->vma[x].vm_end, L2));

  // pos is what vma_lookup_pos(v, s, addr) returns: the first VMA with vm_end > addr, or
  // the end position when there is none.
  predicate LookupPos(struct vma_pool *v, struct vma_set *s, integer addr, struct vma_pos pos) =
    pos.leaf <= s->nr_leaves &&
    (pos.leaf == s->nr_leaves ==> pos.slot == 0 &&
      (\forall integer k, i; InSet(v, s, k, i) ==> VEnd(v, s, k, i) <= addr)) &&
    (pos.leaf < s->nr_leaves ==> InSet(v, s, pos.leaf, pos.slot) &&
      VEnd(v, s, pos.leaf, pos.slot) > addr) &&
    (\forall integer k, i; InSet(v, s, k, i) && PosLt(k, i, pos.leaf, pos.slot) ==>
      VEnd(v, s, k, i) <= addr);
*/

/**
 * vma_pool_init() - an empty pool; no descriptor, leaf or file in use.
 */
/*@ requires valid: \valid(v);
    assigns v->vma_free, v->vma_used, v->leaf_free, v->leaf_used, v->nr_vmas, v->nr_leaves,
	v->vm_area_cachep, v->next_anon_vma, v->next_inode,
	v->files[0 .. VMA_NR_FILES - 1].in_use;
    ensures pool: VPoolOk(v);
    ensures empty: v->nr_vmas == 0 && v->nr_leaves == 0 && v->vm_area_cachep == 0;
    ensures files: \forall integer i; 0 <= i < VMA_NR_FILES ==> !v->files[i].in_use;
*/
void vma_pool_init(struct vma_pool *v);

/**
 * vma_leaf_max_gap() - recompute the largest gap in front of a VMA of leaf k (what
 * max_gap[k] caches): from the previous VMA's vm_end (0 for the lowest) to the VMA's
 * vm_start -- the raw gap, as the maple tree tracks it; guard gaps are applied by the
 * search (mm/vma.c: unmapped_area_topdown()).
 */
/*@ requires valid: \valid_read(v) && \valid_read(s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    requires leaf: s->leaf[k] < VMA_LEAF_POOL && LeafNr(v, s, k) <= VMA_LEAF_SLOTS;
    assigns \nothing;
*/
uint64_t vma_leaf_max_gap(const struct vma_pool *v, const struct vma_set *s, uint32_t k);

/**
 * vma_gap_prev_leaf() - the highest leaf below leaf k whose max_gap is at least len
 * (found in gap_tree: O(log nr_leaves) steps), or VMA_NONE when there is none.
 */
/*@ requires valid: \valid_read(s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    assigns \nothing;
    ensures result: \result == VMA_NONE || (\result < k && s->max_gap[\result] >= len);
*/
uint32_t vma_gap_prev_leaf(const struct vma_set *s, uint32_t k, uint64_t len);

/**
 * vma_gap_next_leaf() - the lowest leaf above leaf k whose max_gap is at least len, or
 * VMA_NONE when there is none.
 */
/*@ requires valid: \valid_read(s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    assigns \nothing;
    ensures result: \result == VMA_NONE ||
	(k < \result < s->nr_leaves && s->max_gap[\result] >= len);
*/
uint32_t vma_gap_next_leaf(const struct vma_set *s, uint32_t k, uint64_t len);

/**
 * vma_gap_tree_stale() - the first node of gap_tree that is not the largest gap below it
 * (for mm_validate()), or 0 when every node is current.
 */
/*@ requires valid: \valid_read(s);
    requires nr: s->nr_leaves <= VMA_MAX_LEAVES;
    assigns \nothing;
    ensures result: \result < VMA_MAX_LEAVES;
*/
uint32_t vma_gap_tree_stale(const struct vma_set *s);

/** vma_set_init() - an empty index. */
/*@ requires valid: \valid(s);
    assigns s->nr_vmas, s->nr_leaves;
    ensures empty: s->nr_vmas == 0 && s->nr_leaves == 0;
*/
void vma_set_init(struct vma_set *s);

/**
 * vm_area_alloc() - a zeroed descriptor with its slab object (mm/vma_init.c). Returns the
 * descriptor index, or VMA_NONE when the slab cache or the pool has no room (Linux's
 * -ENOMEM): nothing changed then.
 */
/*@ requires valid: \valid(v);
    requires heads: ListHeads(p);
    VMA_SLAB_REQUIRES
    assigns v->vma[0 .. VMA_POOL_SIZE - 1], v->vma_free, v->vma_used, v->nr_vmas, *k,
	p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures kmem: KmemOk(k);
    ensures pool: VPoolOk(v);
    ensures result: \result == VMA_NONE || \result < VMA_POOL_SIZE;
    ensures used: \result != VMA_NONE ==> \result < v->vma_used;
    ensures grows: \old(v->vma_used) <= v->vma_used;
    ensures booted: \result != VMA_NONE ==> p->booted;
    ensures zeroed: \result != VMA_NONE ==> v->vma[\result].vm_start == 0 &&
	v->vma[\result].vm_end == 0 && v->vma[\result].vm_flags == 0 &&
	v->vma[\result].vm_pgoff == 0 && v->vma[\result].anon_vma == 0 && v->vma[\result].file == 0;
    ensures others: \forall integer i; 0 <= i < VMA_POOL_SIZE && i != \result ==>
	v->vma[i].vm_start == \old(v->vma[i].vm_start) && v->vma[i].vm_end == \old(v->vma[i].vm_end);
    ensures none: \result == VMA_NONE ==> v->vma_free == \old(v->vma_free) &&
	v->vma_used == \old(v->vma_used) && v->nr_vmas == \old(v->nr_vmas);
*/
uint32_t vm_area_alloc(struct vma_pool *v, struct phys *p, struct kmem *k);

/**
 * vm_area_free() - give a descriptor and its slab object back. The index (every leaf)
 * and every descriptor's range stay as they were; once the page allocator runs, its
 * free lists keep their heads.
 */
/*@ requires valid: \valid(v);
    requires id: id < v->vma_used;
    requires heads: ListHeads(p);
    VMA_SLAB_REQUIRES
    VMA_FREE_ASSIGNS
    ensures safe: BuddySafe(p);
    ensures kmem: KmemOk(k);
    ensures pool: VPoolOk(v);
    ensures used: v->vma_used == \old(v->vma_used);
    ensures leaves: VMA_LEAVES_SAME;
    ensures ranges: VMA_RANGES_SAME;
    ensures same: IndexSame{Pre, Post}(v);
    ensures leaf_used: v->leaf_used == \old(v->leaf_used);
    ensures booted: p->booted == \old(p->booted);
    ensures heads_kept: p->booted ==> ListHeads(p);
*/
void vm_area_free(struct vma_pool *v, struct phys *p, struct kmem *k, uint32_t id);

/**
 * vma_prealloc() - n (at most VMA_PREALLOC_MAX) descriptors at once, for the operations
 * that need several: either all, or none (those taken are given back) and -ENOMEM.
 * Giving back may leave an empty slab cached in vm_area_cachep, as Linux's would.
 */
/*@ requires valid: \valid(v);
    requires n: n <= VMA_PREALLOC_MAX;
    requires heads: ListHeads(p);
    VMA_SLAB_REQUIRES
    assigns v->vma[0 .. VMA_POOL_SIZE - 1], v->vma_free, v->vma_used, v->nr_vmas, *k,
	p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures pool: VPoolOk(v);
    ensures safe: BuddySafe(p);
    ensures kmem: KmemOk(k);
    ensures heads: \result.err == 0 ==> ListHeads(p);
    ensures result: \result.err == 0 || \result.err == -ENOMEM;
    ensures ids: \result.err == 0 ==> \forall integer j; 0 <= j < n ==> \result.id[j] < v->vma_used;
    ensures none: \result.err != 0 ==> \forall integer j; 0 <= j < VMA_PREALLOC_MAX ==>
	\result.id[j] == VMA_NONE;
*/
struct vma_batch vma_prealloc(struct vma_pool *v, struct phys *p, struct kmem *k, uint32_t n);

/**
 * vma_set_room() - can n more VMAs go into s without running out of leaves?
 */
/*@ requires valid: \valid_read(v) && \valid_read(s);
    assigns \nothing;
    ensures exact: \result <==> (uint32_t)(VMA_LEAF_POOL - v->nr_leaves) >= n &&
	(uint32_t)(s->nr_leaves + n) <= VMA_MAX_LEAVES &&
	(uint32_t)((uint32_t)s->nr_vmas + n) <= VMA_MAX_PER_MM;
*/
bool vma_set_room(const struct vma_pool *v, const struct vma_set *s, uint32_t n);

/* Lookup ---------------------------------------------------------------------------- */

/**
 * vma_start_gap() - vm_start_gap(): vm_start less the stack guard gap (STACK_GUARD_GAP)
 * for a VM_GROWSDOWN VMA, 0 when that would wrap.
 */
/*@ requires valid: \valid_read(vma);
    assigns \nothing;
    ensures exact: \result == StartGap(vma);
*/
uint64_t vma_start_gap(const struct vm_area_struct *vma);

/**
 * vma_lookup_pos() - the position of the first VMA with vm_end > addr (find_vma()), or
 * the end position (leaf == nr_leaves) when there is none.
 */
/*@ requires valid: \valid_read(v) && \valid_read(s);
    requires ok: VSetOk(v, s);
    assigns \nothing;
    ensures range: \result.leaf <= s->nr_leaves;
    ensures end: \result.leaf == s->nr_leaves ==> \result.slot == 0 &&
	(\forall integer k, i; InSet(v, s, k, i) ==> VEnd(v, s, k, i) <= addr);
    ensures found: \result.leaf < s->nr_leaves ==> InSet(v, s, \result.leaf, \result.slot) &&
	VEnd(v, s, \result.leaf, \result.slot) > addr;
    ensures first: \forall integer k, i; InSet(v, s, k, i) &&
	PosLt(k, i, \result.leaf, \result.slot) ==> VEnd(v, s, k, i) <= addr;
    ensures lookup: LookupPos(v, s, addr, \result);
*/
struct vma_pos vma_lookup_pos(const struct vma_pool *v, const struct vma_set *s, uint64_t addr);

/** vma_at() - the descriptor index at pos, or VMA_NONE at the end. */
/*@ requires valid: \valid_read(v) && \valid_read(s);
    requires ok: VSetOk(v, s);
    requires pos: pos.leaf < s->nr_leaves ==> pos.slot < LeafNr(v, s, pos.leaf);
    assigns \nothing;
    ensures none: pos.leaf >= s->nr_leaves ==> \result == VMA_NONE;
    ensures at: pos.leaf < s->nr_leaves ==>
	\result == SlotId(v, s, pos.leaf, pos.slot) && \result < VMA_POOL_SIZE;
*/
uint32_t vma_at(const struct vma_pool *v, const struct vma_set *s, struct vma_pos pos);

/** vma_pos_next()/vma_pos_prev() - the next position / the previous one (false at the
 * first). */
/*@ requires valid: \valid_read(v) && \valid_read(s);
    requires ok: VSetOk(v, s);
    requires pos: pos.leaf < s->nr_leaves ==> pos.slot < LeafNr(v, s, pos.leaf);
    assigns \nothing;
    ensures end: pos.leaf >= s->nr_leaves ==> \result == pos;
    ensures same_leaf: pos.leaf < s->nr_leaves && pos.slot + 1 < LeafNr(v, s, pos.leaf) ==>
	\result.leaf == pos.leaf && \result.slot == pos.slot + 1;
    ensures next_leaf: pos.leaf < s->nr_leaves && pos.slot + 1 >= LeafNr(v, s, pos.leaf) ==>
	\result.leaf == pos.leaf + 1 && \result.slot == 0;
*/
struct vma_pos vma_pos_next(const struct vma_pool *v, const struct vma_set *s, struct vma_pos pos);
/*@ requires valid: \valid_read(v) && \valid_read(s) && \valid(pos);
    requires sep: \separated(pos, v, s);
    requires ok: VSetOk(v, s);
    requires pos: pos->leaf <= s->nr_leaves;
    requires slot: pos->leaf < s->nr_leaves ==> pos->slot < LeafNr(v, s, pos->leaf);
    assigns *pos;
    ensures first: !\result <==> \old(pos->leaf) == 0 &&
	(\old(pos->slot) == 0 || s->nr_leaves == 0);
    ensures same_leaf: \old(pos->slot) > 0 && \old(pos->leaf) < s->nr_leaves ==>
	pos->leaf == \old(pos->leaf) && pos->slot == \old(pos->slot) - 1;
    ensures prev_leaf: \result && !(\old(pos->slot) > 0 && \old(pos->leaf) < s->nr_leaves) ==>
	pos->leaf == \old(pos->leaf) - 1 && pos->slot == LeafNr(v, s, pos->leaf) - 1;
    ensures valid_pos: \result ==> InSet(v, s, pos->leaf, pos->slot);
*/
bool vma_pos_prev(const struct vma_pool *v, const struct vma_set *s, struct vma_pos *pos);

/** vma_first_pos() - the position of the lowest VMA (the end position when empty). */
/*@ requires valid: \valid_read(s);
    assigns \nothing;
    ensures exact: \result.slot == 0 &&
	\result.leaf == (s->nr_vmas == 0 ? s->nr_leaves : 0);
*/
struct vma_pos vma_first_pos(const struct vma_set *s);

/** find_vma() - the first VMA with vm_end > addr, or VMA_NONE. */
/*@ requires valid: \valid_read(v) && \valid_read(s);
    requires ok: VSetOk(v, s);
    assigns \nothing;
    ensures none: \result == VMA_NONE ==>
	\forall integer k, i; InSet(v, s, k, i) ==> VEnd(v, s, k, i) <= addr;
    ensures found: \result != VMA_NONE ==>
	\result < VMA_POOL_SIZE && v->vma[\result].vm_end > addr;
    ensures first: \result != VMA_NONE ==>
	\exists integer k, i; InSet(v, s, k, i) && SlotId(v, s, k, i) == \result &&
	    (\forall integer k2, i2; InSet(v, s, k2, i2) && PosLt(k2, i2, k, i) ==>
		VEnd(v, s, k2, i2) <= addr);
    ensures lowest: \result != VMA_NONE ==>
	\forall integer k, i; InSet(v, s, k, i) && VEnd(v, s, k, i) > addr ==>
	    v->vma[\result].vm_start <= VStart(v, s, k, i) &&
	    v->vma[\result].vm_end <= VEnd(v, s, k, i);
*/
uint32_t find_vma(const struct vma_pool *v, const struct vma_set *s, uint64_t addr);

/**
 * find_vma_prev() - find_vma(), and in *prev the VMA before it (the last VMA when there is
 * none at or above addr), or VMA_NONE.
 */
/*@ requires valid: \valid_read(v) && \valid_read(s) && \valid(prev);
    requires sep: \separated(prev, v, s);
    // What sep implies for the fields the set's predicates read (stated for the provers,
    // which do not derive it for every index from sep).
    requires sep_index: \separated(prev, &s->nr_leaves, s->leaf + (0 .. VMA_MAX_LEAVES - 1),
				   &v->leaves[0 .. VMA_LEAF_POOL - 1].nr,
				   &v->leaves[0 .. VMA_LEAF_POOL - 1].slot[0 .. VMA_LEAF_SLOTS - 1]);
    requires ok: VSetOk(v, s);
    assigns *prev;
    ensures none: \result == VMA_NONE ==>
	\forall integer k, i; InSet(v, s, k, i) ==> VEnd(v, s, k, i) <= addr;
    ensures found: \result != VMA_NONE ==>
	\result < VMA_POOL_SIZE && v->vma[\result].vm_end > addr;
    ensures prev: *prev == VMA_NONE || (*prev < VMA_POOL_SIZE && v->vma[*prev].vm_end <= addr);
    ensures no_prev: *prev == VMA_NONE ==>
	\forall integer k, i; InSet(v, s, k, i) ==> VEnd(v, s, k, i) > addr;
*/
uint32_t find_vma_prev(const struct vma_pool *v, const struct vma_set *s, uint64_t addr,
		       uint32_t *prev);

/**
 * find_vma_intersection() - the first VMA that overlaps [start, end), or VMA_NONE.
 */
/*@ requires valid: \valid_read(v) && \valid_read(s);
    requires ok: VSetOk(v, s);
    assigns \nothing;
    ensures none: \result == VMA_NONE ==> \forall integer k, i; InSet(v, s, k, i) ==>
	VEnd(v, s, k, i) <= start || VStart(v, s, k, i) >= end;
    ensures found: \result != VMA_NONE ==> \result < VMA_POOL_SIZE &&
	v->vma[\result].vm_end > start && v->vma[\result].vm_start < end;
    ensures first: \result != VMA_NONE ==>
	\exists integer k, i; InSet(v, s, k, i) && SlotId(v, s, k, i) == \result &&
	    (\forall integer k2, i2; InSet(v, s, k2, i2) && PosLt(k2, i2, k, i) ==>
		VEnd(v, s, k2, i2) <= start);
*/
uint32_t find_vma_intersection(const struct vma_pool *v, const struct vma_set *s, uint64_t start,
			       uint64_t end);

/* Changes --------------------------------------------------------------------------- */

/**
 * vma_set_insert() - put descriptor id (its vm_start/vm_end set, not overlapping any VMA
 * of s) in its place. Returns 0, or -ENOMEM when no leaf is free (nothing changed).
 */
/*@ requires valid: \valid(v) && \valid(s);
    requires sep: \separated(v, s);
    requires ok: VSetOk(v, s);
    requires new: NewVma(v, id);
    requires apart: Apart(v, s, id);
    requires pool: VPoolOk(v) && v->nr_leaves <= VMA_LEAF_POOL;
    requires avail: v->nr_leaves < VMA_LEAF_POOL ==> LeafAvail(v);
    requires owned: LeavesOwned(v, s);
    requires fresh: NextLeafFresh(v, s);
    assigns v->leaf_free, v->leaf_used, v->nr_leaves, v->leaves[NextLeaf(v)],
	v->leaves[s->leaf[0 .. s->nr_leaves - 1]], *s;
    ensures result: \result == 0 || \result == -ENOMEM;
    ensures shape: VSetShape(v, s);
    ensures distinct: LeavesDistinct(s);
    ensures copies: CopiesOk(v, s);
    ensures vmas: VmasOk(v, s);
    ensures sorted: VSorted(v, s);
    ensures last_ends: LastEnds(v, s);
    ensures member: \result == 0 ==> InVSet(v, s, id);
    ensures count: \result == 0 ==> s->nr_vmas == \old(s->nr_vmas) + 1;
    ensures unchanged: \result != 0 ==> s->nr_leaves == \old(s->nr_leaves) &&
	s->nr_vmas == \old(s->nr_vmas);
    ensures members: \forall integer x; \old(InVSet(v, s, x)) ==> InVSet(v, s, x);
    ensures ranges: VMA_RANGES_SAME;
    ensures fits: \old((uint32_t)(VMA_LEAF_POOL - v->nr_leaves) >= 1 &&
	(uint32_t)(s->nr_leaves + 1) <= VMA_MAX_LEAVES &&
	(uint32_t)((uint32_t)s->nr_vmas + 1) <= VMA_MAX_PER_MM) ==> \result == 0;
*/
int vma_set_insert(struct vma_pool *v, struct vma_set *s, uint32_t id);

/**
 * vma_set_insert_at() - vma_set_insert() with the lookup done: pos is
 * vma_lookup_pos(v, s, vm_start of id) on s as it is (any change to s invalidates a
 * position). The callers that looked up the place already (mmap_region()) save a search.
 *
 * members: every descriptor of s stays in it; ranges: no descriptor's range changes;
 * fits: with vma_set_room(v, s, 1) it does not fail.
 */
/*@ requires valid: \valid(v) && \valid(s);
    requires sep: \separated(v, s);
    requires ok: VSetOk(v, s);
    requires new: NewVma(v, id);
    requires apart: Apart(v, s, id);
    requires pos: LookupPos(v, s, v->vma[id].vm_start, pos);
    requires pool: VPoolOk(v) && v->nr_leaves <= VMA_LEAF_POOL;
    requires avail: v->nr_leaves < VMA_LEAF_POOL ==> LeafAvail(v);
    requires owned: LeavesOwned(v, s);
    requires fresh: NextLeafFresh(v, s);
    assigns v->leaf_free, v->leaf_used, v->nr_leaves, v->leaves[NextLeaf(v)],
	v->leaves[s->leaf[0 .. s->nr_leaves - 1]], *s;
    ensures result: \result == 0 || \result == -ENOMEM;
    ensures shape: VSetShape(v, s);
    ensures distinct: LeavesDistinct(s);
    ensures copies: CopiesOk(v, s);
    ensures vmas: VmasOk(v, s);
    ensures sorted: VSorted(v, s);
    ensures last_ends: LastEnds(v, s);
    ensures member: \result == 0 ==> InVSet(v, s, id);
    ensures count: \result == 0 ==> s->nr_vmas == \old(s->nr_vmas) + 1;
    ensures unchanged: \result != 0 ==> s->nr_leaves == \old(s->nr_leaves) &&
	s->nr_vmas == \old(s->nr_vmas);
    ensures members: \forall integer x; \old(InVSet(v, s, x)) ==> InVSet(v, s, x);
    ensures ranges: VMA_RANGES_SAME;
    ensures fits: \old((uint32_t)(VMA_LEAF_POOL - v->nr_leaves) >= 1 &&
	(uint32_t)(s->nr_leaves + 1) <= VMA_MAX_LEAVES &&
	(uint32_t)((uint32_t)s->nr_vmas + 1) <= VMA_MAX_PER_MM) ==> \result == 0;
*/
int vma_set_insert_at(struct vma_pool *v, struct vma_set *s, uint32_t id, struct vma_pos pos);

/**
 * vma_set_remove() - take descriptor id (a member of s) out of the index. members: every
 * other descriptor of s stays in it; ranges: no descriptor's range changes.
 */
/*@ requires valid: \valid(v) && \valid(s);
    requires sep: \separated(v, s);
    requires ok: VSetOk(v, s);
    requires member: InVSet(v, s, id);
    requires id: id < VMA_POOL_SIZE;
    requires count: 0 < s->nr_vmas;
    requires pool: VPoolOk(v);
    requires owned: LeavesOwned(v, s);
    assigns v->leaf_free, v->nr_leaves, v->leaves[s->leaf[0 .. s->nr_leaves - 1]], *s;
    ensures count: s->nr_vmas == \old(s->nr_vmas) - 1;
    ensures shape: VSetShape(v, s);
    ensures distinct: LeavesDistinct(s);
    ensures copies: CopiesOk(v, s);
    ensures vmas: VmasOk(v, s);
    ensures sorted: VSorted(v, s);
    ensures last_ends: LastEnds(v, s);
    ensures removed: !InVSet(v, s, id);
    ensures members: \forall integer x; \old(InVSet(v, s, x)) && x != id ==> InVSet(v, s, x);
    ensures ranges: VMA_RANGES_SAME;
    ensures pool: VPoolOk(v);
    ensures owned: LeavesOwned(v, s);
*/
void vma_set_remove(struct vma_pool *v, struct vma_set *s, uint32_t id);

/**
 * vma_set_remove_at() - take the VMA at position pos out of the index. The count holds
 * that VMA (requires count): VSetOk leaves the count out (a sum over the leaves), so the
 * contract asks for it. members and ranges: as vma_set_remove()'s.
 */
/*@ requires valid: \valid(v) && \valid(s);
    requires sep: \separated(v, s);
    requires ok: VSetOk(v, s);
    requires pos: InSet(v, s, pos.leaf, pos.slot);
    requires count: 0 < s->nr_vmas;
    requires pool: VPoolOk(v);
    requires owned: LeavesOwned(v, s);
    assigns v->leaf_free, v->nr_leaves, v->leaves[s->leaf[0 .. s->nr_leaves - 1]], *s;
    ensures count: s->nr_vmas == \old(s->nr_vmas) - 1;
    ensures shape: VSetShape(v, s);
    ensures distinct: LeavesDistinct(s);
    ensures copies: CopiesOk(v, s);
    ensures vmas: VmasOk(v, s);
    ensures sorted: VSorted(v, s);
    ensures last_ends: LastEnds(v, s);
    ensures removed: !InVSet(v, s, \old(SlotId(v, s, pos.leaf, pos.slot)));
    ensures members: \forall integer x; \old(InVSet(v, s, x)) && x != \old(SlotId(v, s, pos.leaf, pos.slot)) ==>
	InVSet(v, s, x);
    ensures ranges: VMA_RANGES_SAME;
    ensures pool: VPoolOk(v);
    ensures owned: LeavesOwned(v, s);
*/
void vma_set_remove_at(struct vma_pool *v, struct vma_set *s, struct vma_pos pos);

/**
 * vma_set_resized() - descriptor id (a member) had its vm_start or vm_end moved without
 * passing a neighbour: refresh the leaf's summary (last_end, max_gap).
 */
void vma_set_resized(struct vma_pool *v, struct vma_set *s, uint32_t id);

/**
 * vma_set_resized_at() - vma_set_resized() of the VMA at position pos (id is there). The
 * leaf's copies of its range are refreshed; the set stays sorted and disjoint when the
 * new range fits between its neighbours' (Fits). Other descriptors may be stale (a
 * merge moves two before it tells the set): their copies are untouched.
 */
/*@ requires valid: \valid(v) && \valid(s);
    requires sep: \separated(v, s);
    requires shape: VSetShape(v, s);
    requires distinct: LeavesDistinct(s);
    requires vmas: VmasOk(v, s);
    requires sorted: VSorted(v, s);
    requires last_ends: LastEnds(v, s);
    requires pos: InSet(v, s, pos.leaf, pos.slot) && SlotId(v, s, pos.leaf, pos.slot) == id;
    requires new: NewVma(v, id);
    requires fits: Fits(v, s, pos.leaf, pos.slot, v->vma[id].vm_start, v->vma[id].vm_end);
    assigns v->leaves[s->leaf[pos.leaf]].slot[pos.slot], v->leaves[s->leaf[pos.leaf]].start[pos.slot],
	v->leaves[s->leaf[pos.leaf]].end[pos.slot], s->last_end[pos.leaf],
	s->max_gap[pos.leaf .. s->nr_leaves - 1], s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
    ensures shape: VSetShape(v, s);
    ensures distinct: LeavesDistinct(s);
    ensures vmas: VmasOk(v, s);
    ensures sorted: VSorted(v, s);
    ensures last_ends: LastEnds(v, s);
    ensures at: VStart(v, s, pos.leaf, pos.slot) == v->vma[id].vm_start &&
	VEnd(v, s, pos.leaf, pos.slot) == v->vma[id].vm_end;
    ensures others: \forall integer k, i; InSet(v, s, k, i) && (k != pos.leaf || i != pos.slot) ==>
	SlotId(v, s, k, i) == \old(SlotId(v, s, k, i)) && VStart(v, s, k, i) == \old(VStart(v, s, k, i)) &&
	VEnd(v, s, k, i) == \old(VEnd(v, s, k, i));
    ensures copies: \old(CopiesOkBut(v, s, pos.leaf, pos.slot)) ==> CopiesOk(v, s);
*/
void vma_set_resized_at(struct vma_pool *v, struct vma_set *s, uint32_t id, struct vma_pos pos);

/* Merge rules ----------------------------------------------------------------------- */

/**
 * is_mergeable_anon_vma() - may VMAs with anon_vmas a and b become one? (both unset, one
 * unset, or the same).
 */
/*@ assigns \nothing;
    ensures exact: \result <==> MergeableAnonVma(a, b);
*/
bool is_mergeable_anon_vma(uint32_t a, uint32_t b);

/**
 * can_vma_merge_after() - may prev be extended at its end by a range starting at start
 * with flags, file and pgoff (is_mergeable_vma() and the pgoff rule of vma.c)?
 */
/*@ requires valid: \valid_read(prev);
    assigns \nothing;
    ensures exact: \result <==> CanMergeAfter(prev, start, flags, file, anon_vma, pgoff);
*/
bool can_vma_merge_after(const struct vm_area_struct *prev, uint64_t start, uint64_t flags,
			 uint32_t file, uint32_t anon_vma, uint64_t pgoff);

/**
 * can_vma_merge_before() - may next be extended at its start by a range [.., end) of
 * pages pages with flags, file and pgoff?
 */
/*@ requires valid: \valid_read(next);
    assigns \nothing;
    ensures exact: \result <==> CanMergeBefore(next, end, flags, file, anon_vma, pgoff, pages);
*/
bool can_vma_merge_before(const struct vm_area_struct *next, uint64_t end, uint64_t flags,
			  uint32_t file, uint32_t anon_vma, uint64_t pgoff, uint64_t pages);

/**
 * anon_vma_compatible() - may a and b (a just below b) share an anon_vma
 * (mm/rmap.c: anon_vma_compatible())?
 */
/*@ requires valid: \valid_read(a) && \valid_read(b);
    assigns \nothing;
    ensures sound: \result ==> AnonVmaCompatible(a, b);
    ensures complete: AnonVmaCompatible(a, b) ==> \result;
*/
bool anon_vma_compatible(const struct vm_area_struct *a, const struct vm_area_struct *b);

#endif /* MMREF_VMA_H */
