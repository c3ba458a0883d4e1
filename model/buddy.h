/* SPDX-License-Identifier: MIT */
/*
 * buddy.h - the buddy page allocator: alloc_pages(), __free_pages(), the page API on
 * top of them, and the validator.
 *
 * How it works
 * ------------
 * Each zone keeps, for every order 0..MAX_PAGE_ORDER, a list of free blocks of 2^order
 * frames, each block aligned to its size. Allocation (__rmqueue_smallest) takes the first
 * block of the smallest order that is not empty and, if it is larger than asked, splits
 * it (expand): the upper half goes back on the free list one order down, again and again,
 * until the lower part has the size asked for. Freeing (__free_one_page) looks at the
 * block's buddy -- the other half of the block one order up -- and, while that buddy is a
 * free block of the same order in the same zone, takes it off its list and merges, up to
 * MAX_PAGE_ORDER.
 *
 *     order 2 block at pfn 8:  [8 9 10 11]          its buddy: [12 13 14 15]
 *     free pfn 9 (order 0): buddy 8 free? merge -> [8 9] order 1;
 *                           buddy [10 11] free? merge -> [8..11] order 2; ...
 *
 * Where a block goes on its list follows Linux v6.x (mm/page_alloc.c, checked against
 * the v6.18 tree, see docs/buddy.md):
 *   - expand() puts each split-off upper half at the head of its list;
 *   - __rmqueue_smallest() takes the head;
 *   - __free_one_page() puts the merged block at the tail when buddy_merge_likely() says
 *     the next-higher buddy is free (so it stays free and can merge soon), else at the
 *     head; boot-time frees (memblock_free_all -> __free_pages_core) always go to the tail
 *     (FPI_TO_TAIL), so right after boot every list is in ascending pfn order.
 * Not modelled (each changes *which* free block is picked, never whether one exists):
 * per-CPU page lists, migrate types and pageblocks, watermarks and lowmem_reserve,
 * page shuffling (off by default in Linux), reclaim and compaction.
 *
 * Zone fallback follows the x86 zonelist: GFP_KERNEL tries ZONE_NORMAL, then ZONE_DMA;
 * __GFP_DMA allocates from ZONE_DMA only.
 */
#ifndef MMREF_BUDDY_H
#define MMREF_BUDDY_H

#include "phys.h"

#ifdef __FRAMAC__
#include "../proofs/logic/buddy.acsl"
#endif

/**
 * mem_init() - boot: mark reserved frames PG_reserved, lay out the zones and give every
 * other frame to the buddy allocator (mm/mm_init.c: memblock_free_all()). Returns 0 or
 * -MERR_BOOTED if it already ran.
 */
/*@ requires shape: PhysShape(p);
    requires pristine: !p->booted ==> Pristine(p);
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1], p->reserved_pages,
	p->booted;
    behavior again:
	assumes p->booted;
	assigns \nothing;
	ensures result: \result == -MERR_BOOTED;
    behavior boot:
	assumes !p->booted;
	ensures result: \result == 0;
	ensures booted: p->booted;
	ensures zones: ZonesShape(p);
	ensures free_blocks: FreeBlocksOk(p);
	ensures heads: HeadBlocksOk(p);
	ensures links: FreeLinksInRange(p);
	ensures lists: ListRange(p);
	ensures inner: BuddyInner(p);
    complete behaviors;
    disjoint behaviors;
*/
int mem_init(struct phys *p);

/**
 * alloc_pages() - 2^order physically contiguous frames. Models mm/page_alloc.c:
 * __alloc_pages() -> get_page_from_freelist() -> __rmqueue_smallest().
 * gfp: __GFP_DMA restricts to ZONE_DMA; __GFP_ZERO zeroes the frames; __GFP_COMP makes
 * a compound block (tails point to the head).
 * Returns the first frame's pfn, marked PG_head with refcount 1 and the block's order;
 * PFN_NONE when order > MAX_PAGE_ORDER, before boot, or when no allowed zone has a free
 * block of at least that order (the state is then unchanged).
 */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    behavior fails:
	assumes AllocFails(p, gfp, order);
	assigns \nothing;
	ensures none: \result == PFN_NONE;
	ensures same_mem: \forall integer j; 0 <= j < RamWords(p) ==> p->mem[j] == \old(p->mem[j]);
	ensures same_pages: \forall integer i; 0 <= i < p->nr_pages ==>
	    p->pages[i].flags == \old(p->pages[i].flags) &&
	    p->pages[i].order == \old(p->pages[i].order) &&
	    p->pages[i].refcount == \old(p->pages[i].refcount) &&
	    p->pages[i].next == \old(p->pages[i].next) && p->pages[i].prev == \old(p->pages[i].prev);
	ensures same_zones: \forall integer zi; 0 <= zi < MAX_NR_ZONES ==>
	    p->zones[zi].start_pfn == \old(p->zones[zi].start_pfn) &&
	    p->zones[zi].end_pfn == \old(p->zones[zi].end_pfn) &&
	    p->zones[zi].free_pages == \old(p->zones[zi].free_pages) &&
	    (\forall integer o; 0 <= o < NR_PAGE_ORDERS ==>
	      p->zones[zi].free_area[o].head == \old(p->zones[zi].free_area[o].head) &&
	      p->zones[zi].free_area[o].tail == \old(p->zones[zi].free_area[o].tail));
    behavior ok:
	assumes !AllocFails(p, gfp, order);
	ensures in_ram: \result < p->nr_pages;
	ensures aligned: \result % Pow2(order) == 0;
	ensures fits: \result + Pow2(order) <= p->nr_pages;
	ensures in_zone: BlockFits(p, \result, order);
	ensures dma: HasFlag(gfp, __GFP_DMA) ==> \result < MAX_DMA_PFN;
	ensures head: IsHead(p, \result) && p->pages[\result].order == order &&
	    p->pages[\result].refcount == 1;
	ensures not_free: !IsFree(p, \result);
	ensures counted: p->zones[ZoneOf(\result)].free_pages ==
	    \old(p->zones[ZoneOf(\result)].free_pages) - Pow2(order);
	ensures other_zone: p->zones[1 - ZoneOf(\result)].free_pages ==
	    \old(p->zones[1 - ZoneOf(\result)].free_pages);
	ensures fresh: \at(p->pages[\result].flags, Pre) == PG_buddy;
	ensures heads_kept: \forall integer x; 0 <= x < p->nr_pages && IsHead{Pre}(p, x) ==>
	    IsHead(p, x);
	ensures mem_kept: \forall integer j; 0 <= j < RamWords(p) &&
	    (j < \result * PAGE_WORDS || j >= (\result + Pow2(order)) * PAGE_WORDS) ==>
	    p->mem[j] == \old(p->mem[j]);
    complete behaviors;
    disjoint behaviors;
*/
uint32_t alloc_pages(struct phys *p, gfp_t gfp, unsigned int order);

/**
 * free_pages_inner() - give back a block from alloc_pages(). Models mm/page_alloc.c:
 * __free_pages(): drops the head's refcount and, at zero, frees the block
 * (__free_one_page). Returns 0, or without changing anything:
 *   -MERR_OUT_OF_RANGE  pfn is not a frame of RAM;
 *   -MERR_WRONG_ORDER   order > MAX_PAGE_ORDER, or not the order allocated;
 *   -MERR_MISALIGNED    pfn not aligned to 2^order;
 *   -MERR_RESERVED      a boot-reserved frame;
 *   -MERR_NOT_ALLOCATED pfn is not the head of an allocated block (free, or inside one);
 *   -MERR_FOREIGN       the block belongs to the slab allocator (use kfree).
 */
/*@ requires safe: BuddySafe(p);
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    behavior out_of_range:
	assumes pfn >= p->nr_pages;
	assigns \nothing;
	ensures result: \result == -MERR_OUT_OF_RANGE;
    behavior bad_order:
	assumes pfn < p->nr_pages && order > MAX_PAGE_ORDER;
	assigns \nothing;
	ensures result: \result == -MERR_WRONG_ORDER;
    behavior misaligned:
	assumes pfn < p->nr_pages && order <= MAX_PAGE_ORDER && pfn % Pow2(order) != 0;
	assigns \nothing;
	ensures result: \result == -MERR_MISALIGNED;
    behavior reserved:
	assumes pfn < p->nr_pages && order <= MAX_PAGE_ORDER && pfn % Pow2(order) == 0;
	assumes HasFlag(p->pages[pfn].flags, PG_reserved);
	assigns \nothing;
	ensures result: \result == -MERR_RESERVED;
    behavior not_allocated:
	assumes pfn < p->nr_pages && order <= MAX_PAGE_ORDER && pfn % Pow2(order) == 0;
	assumes !HasFlag(p->pages[pfn].flags, PG_reserved) && !IsHead(p, pfn);
	assigns \nothing;
	ensures result: \result == -MERR_NOT_ALLOCATED;
    behavior wrong_order:
	assumes pfn < p->nr_pages && order <= MAX_PAGE_ORDER && pfn % Pow2(order) == 0;
	assumes !HasFlag(p->pages[pfn].flags, PG_reserved) && IsHead(p, pfn);
	assumes p->pages[pfn].order != order;
	assigns \nothing;
	ensures result: \result == -MERR_WRONG_ORDER;
    behavior foreign:
	assumes pfn < p->nr_pages && order <= MAX_PAGE_ORDER && pfn % Pow2(order) == 0;
	assumes !HasFlag(p->pages[pfn].flags, PG_reserved) && IsHead(p, pfn);
	assumes p->pages[pfn].order == order;
	assumes (HasFlag(p->pages[pfn].flags, PG_slab) || HasFlag(p->pages[pfn].flags, PG_large_kmalloc));
	assigns \nothing;
	ensures result: \result == -MERR_FOREIGN;
    behavior put_ref:
	assumes pfn < p->nr_pages && order <= MAX_PAGE_ORDER && pfn % Pow2(order) == 0;
	assumes !HasFlag(p->pages[pfn].flags, PG_reserved) && IsHead(p, pfn);
	assumes p->pages[pfn].order == order;
	assumes !HasFlag(p->pages[pfn].flags, PG_slab) && !HasFlag(p->pages[pfn].flags, PG_large_kmalloc);
	assumes p->pages[pfn].refcount != 1;
	assigns p->pages[pfn].refcount;
	ensures result: \result == 0;
	ensures still_allocated: IsHead(p, pfn);
    behavior freed:
	assumes pfn < p->nr_pages && order <= MAX_PAGE_ORDER && pfn % Pow2(order) == 0;
	assumes !HasFlag(p->pages[pfn].flags, PG_reserved) && IsHead(p, pfn);
	assumes p->pages[pfn].order == order;
	assumes !HasFlag(p->pages[pfn].flags, PG_slab) && !HasFlag(p->pages[pfn].flags, PG_large_kmalloc);
	assumes p->pages[pfn].refcount == 1;
	ensures result: \result == 0;
	ensures counted: p->zones[ZoneOf(pfn)].free_pages ==
	    (uint32_t)(\old(p->zones[ZoneOf(pfn)].free_pages) + Pow2(order));
	ensures other_zone: p->zones[1 - ZoneOf(pfn)].free_pages ==
	    \old(p->zones[1 - ZoneOf(pfn)].free_pages);
    complete behaviors;
    disjoint behaviors;
*/
int free_pages_inner(struct phys *p, uint32_t pfn, unsigned int order);

/** get_free_pages_inner() - __get_free_pages(): alloc_pages() as a linear-map address, 0 on failure. */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures result: \result == 0 || (VirtInRam(p, \result) &&
	(\result - PAGE_OFFSET) % PAGE_SIZE == 0 &&
	((\result - PAGE_OFFSET) / PAGE_SIZE) % Pow2(order) == 0);
    ensures dma: HasFlag(gfp, __GFP_DMA) ==>
	\result == 0 || \result - PAGE_OFFSET < MAX_DMA_PFN * PAGE_SIZE;
*/
uint64_t get_free_pages_inner(struct phys *p, gfp_t gfp, unsigned int order);

/** get_zeroed_page() - one zeroed frame as a linear-map address, 0 on failure. */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures result: \result == 0 || (VirtInRam(p, \result) && (\result - PAGE_OFFSET) % PAGE_SIZE == 0);
*/
uint64_t get_zeroed_page(struct phys *p, gfp_t gfp);

/** get_dma_pages_inner() - __get_dma_pages(): __get_free_pages(gfp | GFP_DMA, order). */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures result: \result == 0 || (VirtInRam(p, \result) &&
	\result - PAGE_OFFSET < MAX_DMA_PFN * PAGE_SIZE);
*/
uint64_t get_dma_pages_inner(struct phys *p, gfp_t gfp, unsigned int order);

/**
 * free_pages() - free by linear-map address (mm/page_alloc.c: free_pages()). addr 0 is
 * ignored (returns 0). Errors as free_pages_inner(), plus -MERR_OUT_OF_RANGE for an
 * address outside the linear map and -MERR_MISALIGNED for one inside a page.
 */
/*@ requires safe: BuddySafe(p);
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    behavior null:
	assumes addr == 0;
	assigns \nothing;
	ensures result: \result == 0;
    behavior out_of_range:
	assumes addr != 0 && !VirtInRam(p, addr);
	assigns \nothing;
	ensures result: \result == -MERR_OUT_OF_RANGE;
    behavior misaligned:
	assumes addr != 0 && VirtInRam(p, addr) && (addr - PAGE_OFFSET) % PAGE_SIZE != 0;
	assigns \nothing;
	ensures result: \result == -MERR_MISALIGNED;
    behavior page:
	assumes addr != 0 && VirtInRam(p, addr) && (addr - PAGE_OFFSET) % PAGE_SIZE == 0;
	ensures result: \result == 0 || \result == -MERR_WRONG_ORDER ||
	    \result == -MERR_MISALIGNED || \result == -MERR_RESERVED ||
	    \result == -MERR_NOT_ALLOCATED || \result == -MERR_FOREIGN;
    complete behaviors;
    disjoint behaviors;
*/
int free_pages(struct phys *p, uint64_t addr, unsigned int order);

/** free_page() - free_pages(addr, 0). */
/*@ requires safe: BuddySafe(p);
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures null: addr == 0 ==> \result == 0;
    ensures out_of_range: addr != 0 && !VirtInRam(p, addr) ==> \result == -MERR_OUT_OF_RANGE;
*/
int free_page(struct phys *p, uint64_t addr);

/** nr_free_pages() - free frames in all zones. */
/*@ requires valid: \valid_read(p);
    assigns \nothing;
    ensures exact: \result == (uint32_t)(p->zones[ZONE_DMA].free_pages + p->zones[ZONE_NORMAL].free_pages);
*/
uint32_t nr_free_pages(const struct phys *p);

/*
 * buddy_free_owned() - for slab.c only: free a block the slab allocator owns (a slab or a
 * large kmalloc block), its checks done by the caller: refcount to 0, then
 * free_pages_inner()'s freeing path.
 */
/*@ requires safe: BuddySafe(p);
    requires booted: p->booted;
    requires head: pfn < p->nr_pages && IsHead(p, pfn) && p->pages[pfn].order == order;
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures counted: p->zones[ZoneOf(pfn)].free_pages ==
	(uint32_t)(\old(p->zones[ZoneOf(pfn)].free_pages) + Pow2(order));
*/
void buddy_free_owned(struct phys *p, uint32_t pfn, unsigned int order);

/** buddy_block_pages() - 2^order, for order <= MAX_PAGE_ORDER; 0 otherwise. */
/*@ assigns \nothing;
    ensures pow2: order <= MAX_PAGE_ORDER ==> \result == Pow2(order);
    ensures too_big: order > MAX_PAGE_ORDER ==> \result == 0;
*/
uint32_t buddy_block_pages(unsigned int order);

/* What a validator found: ok, or the first broken rule and where. */
struct validate_result {
	bool ok;
	const char *what; /* the rule, when !ok */
	uint32_t where;	  /* a pfn or an object index, when !ok */
};

/**
 * buddy_validate() - check every rule of the allocator's state: free + allocated +
 * reserved frames = RAM; free blocks aligned to their order, inside their zone, disjoint
 * and maximally coalesced; every free list well linked, its members PG_buddy heads of
 * its order, its length nr_free, and every PG_buddy head on its list; zone free counts
 * equal the free blocks' sizes; compound tails point at their head.
 */
/*@ requires shape: PhysShape(p);
    requires zones: p->booted ==> ZonesShape(p);
    assigns \nothing;
*/
struct validate_result buddy_validate(const struct phys *p);

#endif /* MMREF_BUDDY_H */
