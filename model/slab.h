/* SPDX-License-Identifier: MIT */
/*
 * slab.h - the slab allocator after SLUB: object caches, kmalloc size classes, kfree,
 * ksize, and the validator.
 *
 * How it works
 * ------------
 * A cache hands out objects of one size. It gets memory from the buddy allocator one
 * slab at a time: a compound block of 2^order frames cut into `objects` objects. As in
 * SLUB, a free object holds, at byte `offset` inside itself, the linear-map address of
 * the next free object of its slab (0 ends the chain); the slab's struct page holds the
 * index of the first free object and the number in use (struct page: prev), and the
 * owning cache (slab_cache). kfree() finds all of this from the address alone:
 * address -> frame -> head frame of the compound block -> its cache.
 *
 *     slab, order 0, size 64:  [obj0|obj1|obj2| ... |obj63]   free chain 2 -> 5 -> 0
 *
 * A cache allocates from the first slab of its partial list (slabs with free objects);
 * a slab that becomes full leaves the list; a full slab that gets an object back joins
 * the list at the tail; a slab that becomes empty is returned to the buddy allocator once
 * the cache already keeps min_partial partial slabs (SLUB's __slab_free()). New slabs
 * start with their objects chained in address order.
 *
 * Geometry (SLUB's calculate_sizes(), calculate_order(), v6.x):
 *   size    = object size rounded up to 8, then to the alignment;
 *   align   = max(align, 8); SLAB_HWCACHE_ALIGN raises it to the cache line (64),
 *             halved while the object fits in half of it;
 *   offset  = free pointer in the middle of the object, rounded down to 8;
 *   order   = the smallest order from get_order(min_objects * size) up to 3 whose
 *             leftover is at most 1/16 of the slab (then 1/8, 1/4, 1/2), where
 *             min_objects = 4 * (fls(nr_cpus) + 1), capped by what fits in order 3;
 *             objects too big for order 3 get get_order(size);
 *   objects = (PAGE_SIZE << order) / size;
 *   min_partial = ilog2(size) / 2, clamped to [5, 10].
 * Not modelled: per-CPU slabs and per-CPU partial lists (the model allocates from the
 * partial list directly), NUMA nodes, cache merging (every kmem_cache_create() makes a
 * new cache, as with slab_nomerge), debugging, freelist randomization and hardening,
 * memcg accounting, RCU freeing, constructors.
 *
 * kmalloc: caches of 8, 16, 32, 64, 96, 128, 192, 256, 512, 1k, 2k, 4k and 8k bytes
 * (and dma-kmalloc-* copies for GFP_DMA); larger requests up to 4 MiB (order 10) go to
 * the page allocator as compound blocks (kmalloc_large); kmalloc(0) returns
 * ZERO_SIZE_PTR.
 */
#ifndef MMREF_SLAB_H
#define MMREF_SLAB_H

#include "buddy.h"

#define MAX_CACHES	       64u
#define CACHE_NAME_LEN	       32u
#define SLAB_FREELIST_END      0xffffu
#define SLAB_HWCACHE_ALIGN     0x00002000u
#define SLAB_CACHE_DMA	       0x00004000u
#define SLAB_MODEL_VALID_FLAGS (SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA)
#define ZERO_SIZE_PTR	       16ull
#define KMALLOC_MAX_CACHE_SIZE 8192u
#define KMALLOC_MAX_SIZE       (1024u * PAGE_SIZE) /* order MAX_PAGE_ORDER */
#define NR_KMALLOC_SIZES       13u
#define SLUB_MAX_ORDER	       3u /* PAGE_ALLOC_COSTLY_ORDER */
#define CACHE_LINE_SIZE	       64u

struct kmem_cache {
	bool in_use;
	bool kmalloc; /* a kmalloc cache: never destroyed */
	char name[CACHE_NAME_LEN];
	uint32_t object_size; /* what the creator asked for */
	uint32_t size;	      /* per object, with alignment */
	uint32_t align;
	uint32_t offset; /* of the free pointer inside a free object */
	uint32_t flags;
	uint32_t order;	       /* preferred slab order (s->oo) */
	uint32_t objects;      /* objects in a slab of that order */
	uint32_t min_order;    /* fallback when that order cannot be had (s->min) */
	uint32_t min_partial;  /* empty slabs kept on the partial list */
	uint32_t partial_head; /* partial slabs, linked through struct page next */
	uint32_t partial_tail;
	uint32_t nr_partial;
	uint32_t nr_slabs;
	uint64_t total_objects; /* capacity of all slabs */
	uint64_t active_objects;
	uint32_t created; /* creation sequence number, for /proc/slabinfo order */
};

/* Result of an object allocation: err == 0 and the object's address, or an error. */
struct obj_result {
	int err;
	uint64_t addr;
};

struct kmem {
	struct kmem_cache caches[MAX_CACHES];
	uint32_t nr_cpus;
	uint32_t next_created;
	uint16_t kmalloc_caches[NR_KMALLOC_SIZES];     /* cache ids */
	uint16_t kmalloc_dma_caches[NR_KMALLOC_SIZES]; /* cache ids */
};

#ifdef __FRAMAC__
#include "../proofs/logic/slab.acsl"
#endif

/** kmalloc_size() - the size of kmalloc class i (8 .. 8192). */
/*@ assigns \nothing;
    ensures class: i < NR_KMALLOC_SIZES ==> \result == KmallocSize(i);
    ensures none: i >= NR_KMALLOC_SIZES ==> \result == 0;
*/
uint32_t kmalloc_size(unsigned int i);

/**
 * kmem_cache_init() - set up the allocator and create the kmalloc caches (mm/slub.c:
 * kmem_cache_init(), create_kmalloc_caches()). The buddy allocator must be up.
 * Returns 0 or -EINVAL for nr_cpus outside [1, 4096].
 */
/*@ requires valid: \valid(k);
    assigns *k;
    behavior bad_cpus:
	assumes nr_cpus < 1 || nr_cpus > 4096;
	assigns \nothing;
	ensures result: \result == -EINVAL;
    behavior ok:
	assumes 1 <= nr_cpus <= 4096;
	ensures result: \result == 0;
	ensures cpus: k->nr_cpus == nr_cpus;
	ensures kmem: KmemOk(k);
	ensures only_kmalloc: \forall integer i; 0 <= i < MAX_CACHES && k->caches[i].in_use ==>
	    k->caches[i].kmalloc;
    complete behaviors;
    disjoint behaviors;
*/
int kmem_cache_init(struct kmem *k, uint32_t nr_cpus);

/**
 * kmem_cache_create() - a new cache of objects of size bytes (mm/slab_common.c).
 * align: 0 or a power of two; flags: SLAB_HWCACHE_ALIGN, SLAB_CACHE_DMA.
 * Returns the cache id (>= 1), or -EINVAL (bad name, size, align or flags), -EEXIST (a
 * cache of that name exists) or -MERR_NO_SLOT (MAX_CACHES caches exist). A refused
 * create changes nothing.
 */
/*@ requires kmem: KmemOk(k);
    requires name: \valid_read(name + (0 .. CACHE_NAME_LEN - 1)) &&
	\separated(k, name + (0 .. CACHE_NAME_LEN - 1));
    assigns k->caches[0 .. MAX_CACHES - 1], k->next_created;
    ensures kmem: KmemOk(k);
    ensures refused: \result < 0 ==> KmemSame{Pre,Post}(k);
    behavior bad_name:
	assumes !ValidName(name);
	assigns \nothing;
	ensures result: \result == -EINVAL;
    behavior bad_args:
	assumes ValidName(name) && !(FlagsOk(flags) && AlignOk(align));
	assigns \nothing;
	ensures result: \result == -EINVAL;
    behavior exists:
	assumes ValidName(name) && FlagsOk(flags) && AlignOk(align) && NameTaken(k, name);
	assigns \nothing;
	ensures result: \result == -EEXIST;
    behavior full:
	assumes ValidName(name) && FlagsOk(flags) && AlignOk(align) && !NameTaken(k, name);
	assumes SlotsFull(k);
	assigns \nothing;
	ensures result: \result == -MERR_NO_SLOT;
    behavior bad_size:
	assumes ValidName(name) && FlagsOk(flags) && AlignOk(align) && !NameTaken(k, name);
	assumes !SlotsFull(k) && (size == 0 || size > KMALLOC_MAX_SIZE);
	assigns \nothing;
	ensures result: \result == -EINVAL;
    behavior created:
	assumes ValidName(name) && FlagsOk(flags) && AlignOk(align) && !NameTaken(k, name);
	assumes !SlotsFull(k) && 1 <= size <= KMALLOC_MAX_SIZE;
	ensures result: 1 <= \result <= MAX_CACHES && !\old(k->caches[\result - 1].in_use);
	ensures live: LiveCache(k, \result) && !k->caches[\result - 1].kmalloc;
	ensures object_size: k->caches[\result - 1].object_size == size;
	ensures geometry: CacheGeometry(&k->caches[\result - 1]);
	ensures flags: k->caches[\result - 1].flags == flags;
	ensures name: NameEq(&k->caches[\result - 1].name[0], name);
	ensures empty: k->caches[\result - 1].nr_slabs == 0 &&
	    k->caches[\result - 1].active_objects == 0 &&
	    k->caches[\result - 1].total_objects == 0 && k->caches[\result - 1].nr_partial == 0 &&
	    k->caches[\result - 1].partial_head == PFN_NONE;
	ensures created: k->caches[\result - 1].created == \old(k->next_created) &&
	    k->next_created == (uint32_t)(\old(k->next_created) + 1);
	ensures others: OtherCachesSame{Pre,Post}(k, \result - 1);
    complete behaviors;
    disjoint behaviors;
*/
int kmem_cache_create(struct kmem *k, const char *name, uint32_t size, uint32_t align,
		      uint32_t flags);

/** kmem_cache_find() - the id of the live cache named name, or -MERR_NOT_FOUND. */
/*@ requires valid: \valid_read(k);
    requires name: \valid_read(name + (0 .. CACHE_NAME_LEN - 1));
    assigns \nothing;
    ensures not_found: \result == -MERR_NOT_FOUND <==> !NameTaken(k, name);
    ensures found: \result != -MERR_NOT_FOUND ==> LiveCache(k, \result) &&
	NameEq(&k->caches[\result - 1].name[0], name);
*/
int kmem_cache_find(const struct kmem *k, const char *name);

/**
 * kmem_cache_alloc() - one object (mm/slub.c: slab_alloc_node()). __GFP_ZERO zeroes it.
 * Returns {0, address}, or {-ENOMEM, 0} when no slab can be had, {-MERR_CORRUPT, 0} when
 * the slab's in-memory free chain or struct page was overwritten, {-MERR_NOT_FOUND, 0}
 * for a bad id. On error the caches do not change (nor, but for -ENOMEM, anything else:
 * see docs/proofs.md).
 */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    requires kmem: KmemOk(k);
    requires apart: KmemApart(p, k);
    assigns k->caches[id - 1].partial_head, k->caches[id - 1].partial_tail,
	k->caches[id - 1].nr_partial, k->caches[id - 1].nr_slabs,
	k->caches[id - 1].total_objects, k->caches[id - 1].active_objects,
	p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures kmem: KmemOk(k);
    ensures null: \result.err != 0 ==> \result.addr == 0;
    ensures refused: \result.err != 0 ==> KmemSame{Pre,Post}(k);
    behavior not_found:
	assumes !LiveCache(k, id);
	assigns \nothing;
	ensures result: \result.err == -MERR_NOT_FOUND;
	ensures untouched: PhysSame{Pre,Post}(p);
    behavior live:
	assumes LiveCache(k, id);
	ensures result: \result.err == 0 || \result.err == -ENOMEM || \result.err == -MERR_CORRUPT;
	ensures untouched: \result.err == -MERR_CORRUPT ==> PhysSame{Pre,Post}(p);
	ensures object: \result.err == 0 ==> ObjectTaken{Pre,Post}(p, k, id, \result.addr);
	ensures counted: \result.err == 0 ==> k->caches[id - 1].active_objects ==
	    (uint64_t)(\old(k->caches[id - 1].active_objects) + 1);
	ensures in_ram: \result.err == 0 ==> VirtInRam(p, \result.addr) &&
	    \result.addr + k->caches[id - 1].object_size <= PAGE_OFFSET + RamBytes(p);
    complete behaviors;
    disjoint behaviors;
*/
struct obj_result kmem_cache_alloc(struct phys *p, struct kmem *k, int id, gfp_t gfp);

/**
 * kmem_cache_free() - give an object back (mm/slub.c: kmem_cache_free()). Returns 0 or,
 * changing nothing: -MERR_OUT_OF_RANGE (not a linear-map address), -MERR_FOREIGN (not
 * in a slab), -MERR_WRONG_CACHE (another cache's object), -MERR_MISALIGNED (not the start
 * of an object), -MERR_DOUBLE_FREE, -MERR_CORRUPT, -MERR_NOT_FOUND (bad id).
 */
/*@ requires safe: BuddySafe(p);
    requires kmem: KmemOk(k);
    requires apart: KmemApart(p, k);
    assigns k->caches[id - 1].partial_head, k->caches[id - 1].partial_tail,
	k->caches[id - 1].nr_partial, k->caches[id - 1].nr_slabs,
	k->caches[id - 1].total_objects, k->caches[id - 1].active_objects,
	p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures kmem: KmemOk(k);
    ensures refused: \result != 0 ==> KmemSame{Pre,Post}(k) && PhysSame{Pre,Post}(p);
    behavior not_found:
	assumes !LiveCache(k, id);
	assigns \nothing;
	ensures result: \result == -MERR_NOT_FOUND;
    behavior out_of_range:
	assumes LiveCache(k, id) && !VirtInRam(p, addr);
	assigns \nothing;
	ensures result: \result == -MERR_OUT_OF_RANGE;
    behavior in_ram:
	assumes LiveCache(k, id) && VirtInRam(p, addr);
	ensures result: \result == 0 || \result == -MERR_FOREIGN || \result == -MERR_WRONG_CACHE ||
	    \result == -MERR_MISALIGNED || \result == -MERR_DOUBLE_FREE ||
	    \result == -MERR_CORRUPT;
	ensures freed: \result == 0 ==>
	    SlabFreed{Pre,Post}(p, &k->caches[id - 1], id, \old(HeadPfn(p, addr)), addr);
    complete behaviors;
    disjoint behaviors;
*/
int kmem_cache_free(struct phys *p, struct kmem *k, int id, uint64_t addr);

/**
 * kmem_cache_shrink() - return the cache's empty slabs to the page allocator. Returns 0
 * or -MERR_NOT_FOUND.
 */
/*@ requires safe: BuddySafe(p);
    requires kmem: KmemOk(k);
    requires apart: KmemApart(p, k);
    assigns k->caches[id - 1].partial_head, k->caches[id - 1].partial_tail,
	k->caches[id - 1].nr_partial, k->caches[id - 1].nr_slabs,
	k->caches[id - 1].total_objects, k->caches[id - 1].active_objects,
	p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures kmem: KmemOk(k);
    behavior not_found:
	assumes !LiveCache(k, id);
	assigns \nothing;
	ensures result: \result == -MERR_NOT_FOUND;
    behavior live:
	assumes LiveCache(k, id);
	ensures result: \result == 0;
	ensures active: k->caches[id - 1].active_objects == \old(k->caches[id - 1].active_objects);
    complete behaviors;
    disjoint behaviors;
*/
int kmem_cache_shrink(struct phys *p, struct kmem *k, int id);

/**
 * kmem_cache_destroy() - shrink and delete a cache. Refused, changing nothing, with
 * -MERR_BUSY while objects are allocated (Linux then reports "Slab cache still has
 * objects" and keeps the cache), -MERR_PERMANENT for a kmalloc cache, -MERR_NOT_FOUND.
 */
/*@ requires safe: BuddySafe(p);
    requires kmem: KmemOk(k);
    requires apart: KmemApart(p, k);
    assigns k->caches[id - 1].in_use, k->caches[id - 1].partial_head, k->caches[id - 1].partial_tail,
	k->caches[id - 1].nr_partial, k->caches[id - 1].nr_slabs,
	k->caches[id - 1].total_objects, k->caches[id - 1].active_objects,
	p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures kmem: KmemOk(k);
    ensures refused: \result != 0 ==> KmemSame{Pre,Post}(k) && PhysSame{Pre,Post}(p);
    behavior not_found:
	assumes !LiveCache(k, id);
	assigns \nothing;
	ensures result: \result == -MERR_NOT_FOUND;
    behavior permanent:
	assumes LiveCache(k, id) && k->caches[id - 1].kmalloc;
	assigns \nothing;
	ensures result: \result == -MERR_PERMANENT;
    behavior busy:
	assumes LiveCache(k, id) && !k->caches[id - 1].kmalloc &&
	    k->caches[id - 1].active_objects != 0;
	assigns \nothing;
	ensures result: \result == -MERR_BUSY;
    behavior destroyed:
	assumes LiveCache(k, id) && !k->caches[id - 1].kmalloc &&
	    k->caches[id - 1].active_objects == 0;
	ensures result: \result == 0;
	ensures gone: !k->caches[id - 1].in_use;
    complete behaviors;
    disjoint behaviors;
*/
int kmem_cache_destroy(struct phys *p, struct kmem *k, int id);

/**
 * kmalloc() - size bytes, physically contiguous (include/linux/slab.h). Returns {0,
 * ZERO_SIZE_PTR} for size 0; {-ENOMEM, 0} above KMALLOC_MAX_SIZE or when memory runs
 * out; otherwise an object of the smallest fitting kmalloc class (dma-kmalloc-* with
 * GFP_DMA) or, above 8 KiB, a compound block from the page allocator.
 */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    requires kmem: KmemOk(k);
    requires apart: KmemApart(p, k);
    assigns k->caches[0 .. MAX_CACHES - 1].partial_head, k->caches[0 .. MAX_CACHES - 1].partial_tail,
	k->caches[0 .. MAX_CACHES - 1].nr_partial, k->caches[0 .. MAX_CACHES - 1].nr_slabs,
	k->caches[0 .. MAX_CACHES - 1].total_objects, k->caches[0 .. MAX_CACHES - 1].active_objects,
	p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures kmem: KmemOk(k);
    ensures refused: \result.err != 0 ==> KmemSame{Pre,Post}(k);
    behavior zero:
	assumes size == 0;
	assigns \nothing;
	ensures result: \result.err == 0 && \result.addr == ZERO_SIZE_PTR;
    behavior too_big:
	assumes size > KMALLOC_MAX_SIZE;
	assigns \nothing;
	ensures result: \result.err == -ENOMEM && \result.addr == 0;
    behavior sized:
	assumes 0 < size <= KMALLOC_MAX_SIZE;
	ensures result: KmallocSized(p, size, \result);
    complete behaviors;
    disjoint behaviors;
*/
struct obj_result kmalloc(struct phys *p, struct kmem *k, uint64_t size, gfp_t gfp);

/** kzalloc() - kmalloc(size, gfp | __GFP_ZERO). */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    requires kmem: KmemOk(k);
    requires apart: KmemApart(p, k);
    assigns k->caches[0 .. MAX_CACHES - 1].partial_head, k->caches[0 .. MAX_CACHES - 1].partial_tail,
	k->caches[0 .. MAX_CACHES - 1].nr_partial, k->caches[0 .. MAX_CACHES - 1].nr_slabs,
	k->caches[0 .. MAX_CACHES - 1].total_objects, k->caches[0 .. MAX_CACHES - 1].active_objects,
	p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures kmem: KmemOk(k);
    ensures refused: \result.err != 0 ==> KmemSame{Pre,Post}(k);
    behavior zero:
	assumes size == 0;
	assigns \nothing;
	ensures result: \result.err == 0 && \result.addr == ZERO_SIZE_PTR;
    behavior too_big:
	assumes size > KMALLOC_MAX_SIZE;
	assigns \nothing;
	ensures result: \result.err == -ENOMEM && \result.addr == 0;
    behavior sized:
	assumes 0 < size <= KMALLOC_MAX_SIZE;
	ensures result: KmallocSized(p, size, \result);
    complete behaviors;
    disjoint behaviors;
*/
struct obj_result kzalloc(struct phys *p, struct kmem *k, uint64_t size, gfp_t gfp);

/**
 * kfree() - free what kmalloc() returned (mm/slub.c: kfree()). NULL and ZERO_SIZE_PTR
 * are ignored. Errors as kmem_cache_free(), plus -MERR_MISALIGNED for an address inside
 * a large kmalloc block (Linux would free the whole block) and -MERR_NOT_ALLOCATED for
 * a free frame (a large kmalloc block freed twice). On error nothing changes.
 */
/*@ requires safe: BuddySafe(p);
    requires kmem: KmemOk(k);
    requires apart: KmemApart(p, k);
    assigns k->caches[0 .. MAX_CACHES - 1].partial_head, k->caches[0 .. MAX_CACHES - 1].partial_tail,
	k->caches[0 .. MAX_CACHES - 1].nr_partial, k->caches[0 .. MAX_CACHES - 1].nr_slabs,
	k->caches[0 .. MAX_CACHES - 1].total_objects, k->caches[0 .. MAX_CACHES - 1].active_objects,
	p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures kmem: KmemOk(k);
    ensures refused: \result != 0 ==> KmemSame{Pre,Post}(k) && PhysSame{Pre,Post}(p);
    behavior null:
	assumes addr == 0 || addr == ZERO_SIZE_PTR;
	assigns \nothing;
	ensures result: \result == 0;
    behavior out_of_range:
	assumes addr != 0 && addr != ZERO_SIZE_PTR && !VirtInRam(p, addr);
	assigns \nothing;
	ensures result: \result == -MERR_OUT_OF_RANGE;
    behavior in_ram:
	assumes addr != 0 && addr != ZERO_SIZE_PTR && VirtInRam(p, addr);
	ensures result: \result == 0 || \result == -MERR_FOREIGN || \result == -MERR_MISALIGNED ||
	    \result == -MERR_DOUBLE_FREE || \result == -MERR_CORRUPT ||
	    \result == -MERR_NOT_ALLOCATED;
	ensures slab_object: \result == 0 && \old(HasFlag(p->pages[HeadPfn(p, addr)].flags, PG_slab)) ==>
	    \let s = \old(HeadPfn(p, addr)); \let id = \old(p->pages[s].slab_cache);
	    1 <= id <= MAX_CACHES && SlabFreed{Pre,Post}(p, &k->caches[id - 1], id, s, addr);
	ensures large_block: \result == 0 && !\old(HasFlag(p->pages[HeadPfn(p, addr)].flags, PG_slab)) ==>
	    \let s = \old(HeadPfn(p, addr));
	    \old(HasFlag(p->pages[s].flags, PG_large_kmalloc)) &&
	    addr == PAGE_OFFSET + s * PAGE_SIZE &&
	    p->zones[ZoneOf(s)].free_pages ==
		(uint32_t)(\old(p->zones[ZoneOf(s)].free_pages) + Pow2(\old(p->pages[s].order))) &&
	    KmemSame{Pre,Post}(k);
    complete behaviors;
    disjoint behaviors;
*/
int kfree(struct phys *p, struct kmem *k, uint64_t addr);

/**
 * ksize() - the usable size of a kmalloc'd object: its cache's object size, or the
 * whole block for large kmalloc; 0 for NULL and ZERO_SIZE_PTR. Returns {0, size} or an
 * error as kfree() would give.
 */
/*@ requires safe: BuddySafe(p);
    requires kmem: KmemOk(k);
    requires apart: KmemApart(p, k);
    assigns \nothing;
    ensures null: addr == 0 || addr == ZERO_SIZE_PTR ==> \result.err == 0 && \result.addr == 0;
    ensures out_of_range: addr != 0 && addr != ZERO_SIZE_PTR && !VirtInRam(p, addr) ==>
	\result.err == -MERR_OUT_OF_RANGE;
    ensures slab_object: \result.err == 0 && addr != 0 && addr != ZERO_SIZE_PTR &&
	HasFlag(p->pages[HeadPfn(p, addr)].flags, PG_slab) ==>
	\let id = p->pages[HeadPfn(p, addr)].slab_cache;
	LiveCache(k, id) && \result.addr == k->caches[id - 1].size;
    ensures large_block: \result.err == 0 && addr != 0 && addr != ZERO_SIZE_PTR &&
	!HasFlag(p->pages[HeadPfn(p, addr)].flags, PG_slab) ==>
	\let s = HeadPfn(p, addr);
	HasFlag(p->pages[s].flags, PG_large_kmalloc) && addr == PAGE_OFFSET + s * PAGE_SIZE &&
	\result.addr == Pow2(p->pages[s].order) * PAGE_SIZE;
*/
struct obj_result ksize(const struct phys *p, const struct kmem *k, uint64_t addr);

/**
 * slab_validate() - per cache: every slab's objects in use + free = capacity, its free
 * chain stays inside the slab and has no repeats (no object both free and allocated,
 * none free twice), partial list well linked with nr_partial members, none of them full;
 * the cache's slab, object and active counts equal the sums over its slabs; every slab
 * frame belongs to a live cache.
 */
/*@ requires safe: BuddySafe(p);
    requires kmem: KmemOk(k);
    requires apart: KmemApart(p, k);
    assigns \nothing;
*/
struct validate_result slab_validate(const struct phys *p, const struct kmem *k);

#endif /* MMREF_SLAB_H */
