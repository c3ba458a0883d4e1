/* SPDX-License-Identifier: MIT */
/*
 * buddy.c - the buddy page allocator. See buddy.h for how it works and which Linux
 * behaviour each function models.
 *
 * Proof notes (docs/proofs.md): the helpers take a zone index rather than a zone
 * pointer, and block sizes come from buddy_block_pages(), whose contract is Pow2(order);
 * both only make the code easier to state, not different.
 */
#include "buddy.h"

/* 2^order without a variable shift (the provers prefer a table). */
static const uint32_t order_pages[NR_PAGE_ORDERS] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

uint32_t buddy_block_pages(unsigned int order)
{
	if (order > MAX_PAGE_ORDER)
		return 0;
	return order_pages[order];
}

/*
 * The buddy of the block of 2^order frames at pfn: the other half of the block one
 * order up. Linux writes pfn ^ (1 << order); this is the same for an aligned pfn.
 */
/*@ requires order: order < MAX_PAGE_ORDER;
    requires pfn: pfn <= PHYS_MAX_PAGES && pfn % Pow2(order) == 0;
    assigns \nothing;
    ensures low: pfn % (2 * Pow2(order)) == 0 ==> \result == pfn + Pow2(order);
    ensures high: pfn % (2 * Pow2(order)) != 0 ==>
	\result == pfn - Pow2(order) && \result % (2 * Pow2(order)) == 0;
*/
static uint32_t find_buddy_pfn(uint32_t pfn, unsigned int order)
{
	uint32_t sz = buddy_block_pages(order);

	return pfn % (2 * sz) == 0 ? pfn + sz : pfn - sz;
}

/* Free-list primitives: doubly linked through struct page next/prev. */

/*@ requires inner: BuddyInner(p);
    requires zone: 0 <= zt < MAX_NR_ZONES;
    requires order: order <= MAX_PAGE_ORDER;
    requires pfn: pfn < p->nr_pages;
    assigns p->zones[zt].free_area[order], p->pages[0 .. p->nr_pages - 1].next,
	p->pages[0 .. p->nr_pages - 1].prev;
    ensures inner: BuddyInner(p);
    ensures links: LinkOk(p, p->pages[pfn].next) && LinkOk(p, p->pages[pfn].prev);
    ensures count: p->zones[zt].free_area[order].nr_free ==
	(uint32_t)(\old(p->zones[zt].free_area[order].nr_free) + 1);
*/
static void free_list_add(struct phys *p, enum zone_type zt, unsigned int order, uint32_t pfn,
			  bool to_tail)
{
	struct free_area *area = &p->zones[zt].free_area[order];
	struct page *page = &p->pages[pfn];
	uint32_t head = area->head, tail = area->tail;

	if (head == PFN_NONE) {
		page->next = PFN_NONE;
		page->prev = PFN_NONE;
		area->head = pfn;
		area->tail = pfn;
	} else if (to_tail) {
		page->next = PFN_NONE;
		page->prev = tail;
		p->pages[tail].next = pfn;
		area->tail = pfn;
	} else {
		page->prev = PFN_NONE;
		page->next = head;
		p->pages[head].prev = pfn;
		area->head = pfn;
	}
	area->nr_free++;
}

/*@ requires inner: BuddyInner(p);
    requires zone: 0 <= zt < MAX_NR_ZONES;
    requires order: order <= MAX_PAGE_ORDER;
    requires pfn: pfn < p->nr_pages && IsFree(p, pfn);
    assigns p->zones[zt].free_area[order], p->pages[0 .. p->nr_pages - 1].next,
	p->pages[0 .. p->nr_pages - 1].prev;
    ensures inner: BuddyInner(p);
    ensures count: p->zones[zt].free_area[order].nr_free ==
	(uint32_t)(\old(p->zones[zt].free_area[order].nr_free) - 1);
*/
static void free_list_del(struct phys *p, enum zone_type zt, unsigned int order, uint32_t pfn)
{
	struct free_area *area = &p->zones[zt].free_area[order];
	struct page *page = &p->pages[pfn];
	uint32_t prev = page->prev;

	if (prev == PFN_NONE)
		area->head = page->next;
	else
		p->pages[prev].next = page->next;
	if (page->next == PFN_NONE)
		area->tail = prev;
	else
		p->pages[page->next].prev = prev;
	page->next = PFN_NONE;
	page->prev = PFN_NONE;
	area->nr_free--;
}

/* Mark pfn the head of a free block of this order, and unmark it. */
/*@ requires inner: BuddyInner(p);
    requires pfn: pfn < p->nr_pages;
    requires fits: BlockFits(p, pfn, order);
    requires links: LinkOk(p, p->pages[pfn].next) && LinkOk(p, p->pages[pfn].prev);
    assigns p->pages[pfn].flags, p->pages[pfn].order;
    ensures inner: BuddyInner(p);
    ensures free: IsFree(p, pfn) && p->pages[pfn].order == order;
*/
static void set_buddy_order(struct phys *p, uint32_t pfn, unsigned int order)
{
	p->pages[pfn].flags = PG_buddy;
	p->pages[pfn].order = (uint8_t)order;
}

/*@ requires inner: BuddyInner(p);
    requires pfn: pfn < p->nr_pages;
    assigns p->pages[pfn].flags, p->pages[pfn].order;
    ensures inner: BuddyInner(p);
    ensures cleared: !IsFree(p, pfn) && !IsHead(p, pfn);
*/
static void clear_buddy(struct phys *p, uint32_t pfn)
{
	p->pages[pfn].flags = 0;
	p->pages[pfn].order = 0;
}

/*
 * Models mm/page_alloc.c: page_is_buddy(). Is the block at buddy a free block of the
 * same order in the same zone (so the two may merge)?
 */
/*@ requires shape: PhysShape(p) && ZonesShape(p);
    requires zone: 0 <= zt < MAX_NR_ZONES;
    assigns \nothing;
    ensures exact: \result <==> (p->zones[zt].start_pfn <= buddy < p->zones[zt].end_pfn &&
	IsFree(p, buddy) && p->pages[buddy].order == order);
*/
static bool page_is_buddy(const struct phys *p, enum zone_type zt, uint32_t buddy,
			  unsigned int order)
{
	const struct zone *z = &p->zones[zt];
	const struct page *page;

	if (buddy < z->start_pfn || buddy >= z->end_pfn)
		return false;
	page = &p->pages[buddy];
	return flag_set(page->flags, PG_buddy) && page->order == order;
}

/*
 * Models mm/page_alloc.c: buddy_merge_likely(). After a block of this order at pfn
 * stopped merging, is the buddy of the block one order up free? Then this block is
 * likely to merge soon: put it at the tail of its list so it is not handed out first.
 */
/*@ requires shape: PhysShape(p) && ZonesShape(p);
    requires zone: 0 <= zt < MAX_NR_ZONES;
    requires order: order <= MAX_PAGE_ORDER;
    requires pfn: pfn <= PHYS_MAX_PAGES;
    assigns \nothing;
*/
static bool buddy_merge_likely(const struct phys *p, enum zone_type zt, uint32_t pfn,
			       unsigned int order)
{
	uint32_t higher, higher_buddy;

	if (order >= MAX_PAGE_ORDER - 1)
		return false;
	higher = pfn - pfn % (2 * buddy_block_pages(order));
	higher_buddy = find_buddy_pfn(higher, order + 1);
	return page_is_buddy(p, zt, higher_buddy, order + 1);
}

/*
 * Models mm/page_alloc.c: __free_one_page(). Merge the free block at pfn with its
 * buddies as far as they are free, then put it on the free list: at the tail when
 * to_tail (boot) or when buddy_merge_likely(), else at the head. (The block is linked
 * before its head is marked PG_buddy: neither step reads what the other writes.)
 */
/*@ requires inner: BuddyInner(p);
    requires zone: zt == ZoneOf(pfn);
    requires block: pfn < p->nr_pages && BlockFits(p, pfn, order);
    assigns p->zones[zt].free_area[0 .. NR_PAGE_ORDERS - 1], p->zones[zt].free_pages,
	p->pages[0 .. p->nr_pages - 1];
    ensures inner: BuddyInner(p);
    ensures counted: p->zones[zt].free_pages ==
	(uint32_t)(\old(p->zones[zt].free_pages) + Pow2(order));
*/
static void free_one_page_inner(struct phys *p, enum zone_type zt, uint32_t pfn, unsigned int order,
				bool to_tail)
{
	uint32_t size = buddy_block_pages(order);

	/*@ loop invariant inner: BuddyInner(p);
	    loop invariant order: \at(order, Pre) <= order <= MAX_PAGE_ORDER;
	    loop invariant block: pfn < p->nr_pages && BlockFits(p, pfn, order) && ZoneOf(pfn) == zt;
	    loop invariant zone_free: p->zones[zt].free_pages == \at(p->zones[zt].free_pages, Pre);
	    loop assigns order, pfn, p->zones[zt].free_area[0 .. NR_PAGE_ORDERS - 1],
		p->pages[0 .. p->nr_pages - 1];
	    loop variant MAX_PAGE_ORDER - order;
	*/
	while (order < MAX_PAGE_ORDER) {
		uint32_t buddy = find_buddy_pfn(pfn, order);

		if (!page_is_buddy(p, zt, buddy, order))
			break;
		free_list_del(p, zt, order, buddy);
		clear_buddy(p, buddy);
		if (buddy < pfn)
			pfn = buddy;
		order++;
	}
	if (!to_tail)
		to_tail = buddy_merge_likely(p, zt, pfn, order);
	free_list_add(p, zt, order, pfn, to_tail);
	set_buddy_order(p, pfn, order);
	p->zones[zt].free_pages += size;
}

/*
 * Models mm/page_alloc.c: expand(). The block of 2^high frames at pfn is split down to
 * 2^low; each upper half goes to the head of its order's free list.
 */
/*@ requires inner: BuddyInner(p);
    requires zone: zt == ZoneOf(pfn);
    requires orders: low <= high <= MAX_PAGE_ORDER;
    requires block: pfn < p->nr_pages && BlockFits(p, pfn, high);
    assigns p->zones[zt].free_area[0 .. NR_PAGE_ORDERS - 1], p->pages[0 .. p->nr_pages - 1];
    ensures inner: BuddyInner(p);
*/
static void expand(struct phys *p, enum zone_type zt, uint32_t pfn, unsigned int low,
		   unsigned int high)
{
	/*@ loop invariant inner: BuddyInner(p);
	    loop invariant orders: low <= high <= \at(high, Pre);
	    loop invariant block: BlockFits(p, pfn, high);
	    loop assigns high, p->zones[zt].free_area[0 .. NR_PAGE_ORDERS - 1],
		p->pages[0 .. p->nr_pages - 1];
	    loop variant high - low;
	*/
	while (high > low) {
		uint32_t half;

		high--;
		half = pfn + buddy_block_pages(high);
		free_list_add(p, zt, high, half, false);
		set_buddy_order(p, half, high);
	}
}

/*
 * Models mm/page_alloc.c: __rmqueue_smallest(). The head of the first non-empty free
 * list of order >= the one asked for, split down to that order.
 */
/*@ requires inner: BuddyInner(p);
    requires heads: ListHeads(p);
    requires zone: 0 <= zt < MAX_NR_ZONES;
    requires order: order <= MAX_PAGE_ORDER;
    assigns p->zones[zt].free_area[0 .. NR_PAGE_ORDERS - 1], p->zones[zt].free_pages,
	p->pages[0 .. p->nr_pages - 1];
    behavior empty:
	assumes \forall integer o; order <= o <= MAX_PAGE_ORDER ==>
	    p->zones[zt].free_area[o].head == PFN_NONE;
	assigns \nothing;
	ensures none: \result == PFN_NONE;
    behavior found:
	assumes !(\forall integer o; order <= o <= MAX_PAGE_ORDER ==>
	    p->zones[zt].free_area[o].head == PFN_NONE);
	ensures inner: BuddyInner(p);
	ensures block: \result < p->nr_pages && BlockFits(p, \result, order) &&
	    ZoneOf(\result) == zt;
	ensures counted: p->zones[zt].free_pages ==
	    (uint32_t)(\old(p->zones[zt].free_pages) - Pow2(order));
    complete behaviors;
    disjoint behaviors;
*/
static uint32_t rmqueue_smallest(struct phys *p, enum zone_type zt, unsigned int order)
{
	unsigned int current_order;

	/*@ loop invariant orders: order <= current_order <= MAX_PAGE_ORDER + 1;
	    loop invariant empty: \forall integer o; order <= o < current_order ==>
		p->zones[zt].free_area[o].head == PFN_NONE;
	    loop assigns current_order;
	    loop variant MAX_PAGE_ORDER + 1 - current_order;
	*/
	for (current_order = order; current_order <= MAX_PAGE_ORDER; current_order++) {
		uint32_t pfn = p->zones[zt].free_area[current_order].head;

		if (pfn == PFN_NONE)
			continue;
		free_list_del(p, zt, current_order, pfn);
		clear_buddy(p, pfn);
		expand(p, zt, pfn, order, current_order);
		p->zones[zt].free_pages -= buddy_block_pages(order);
		return pfn;
	}
	return PFN_NONE;
}

/*
 * Models mm/page_alloc.c: prep_new_page() and prep_compound_page(). The block is now
 * allocated: a PG_head with refcount 1; compound tails point to the head; __GFP_ZERO
 * clears the frames.
 */
/*@ requires inner: BuddyInner(p);
    requires block: pfn < p->nr_pages && BlockFits(p, pfn, order);
    assigns p->pages[pfn .. pfn + Pow2(order) - 1],
	p->mem[pfn * PAGE_WORDS .. (pfn + Pow2(order)) * PAGE_WORDS - 1];
    ensures inner: BuddyInner(p);
    ensures head: IsHead(p, pfn) && !IsFree(p, pfn) && p->pages[pfn].order == order &&
	p->pages[pfn].refcount == 1;
*/
static void prep_new_page(struct phys *p, uint32_t pfn, unsigned int order, gfp_t gfp)
{
	struct page *head = &p->pages[pfn];
	uint32_t n = buddy_block_pages(order), i;

	head->flags = PG_head;
	head->order = (uint8_t)order;
	head->refcount = 1;
	head->next = PFN_NONE;
	head->prev = PFN_NONE;
	if (flag_set(gfp, __GFP_COMP) && order > 0) {
		head->flags = PG_head | PG_compound;
		/*@ loop invariant bound: 1 <= i <= n;
		    loop invariant inner: BuddyInner(p);
		    loop invariant head: IsHead(p, pfn) && !IsFree(p, pfn) &&
			p->pages[pfn].order == order && p->pages[pfn].refcount == 1;
		    loop assigns i, p->pages[pfn + 1 .. pfn + n - 1];
		    loop variant n - i;
		*/
		for (i = 1; i < n; i++) {
			p->pages[pfn + i].flags = PG_tail;
			p->pages[pfn + i].next = pfn;
		}
	}
	if (flag_set(gfp, __GFP_ZERO)) {
		uint64_t *words = p->mem + (size_t)pfn * PAGE_WORDS;
		size_t len = (size_t)n * PAGE_WORDS;

		/*@ loop invariant bound: 0 <= i <= len;
		    loop assigns i, p->mem[pfn * PAGE_WORDS .. pfn * PAGE_WORDS + len - 1];
		    loop variant len - i;
		*/
		for (i = 0; i < len; i++)
			words[i] = 0;
	}
}

/* The x86 zonelist, highest zone first: ZONE_NORMAL then ZONE_DMA; ZONE_DMA alone for GFP_DMA. */
/*@ requires i < 2;
    assigns \nothing;
    ensures first: i == 0 ==> \result == FirstZone(gfp);
    ensures second: i == 1 ==> \result == ZONE_DMA;
*/
static enum zone_type zonelist_zone(gfp_t gfp, unsigned int i)
{
	return !flag_set(gfp, __GFP_DMA) && i == 0 ? ZONE_NORMAL : ZONE_DMA;
}

uint32_t alloc_pages(struct phys *p, gfp_t gfp, unsigned int order)
{
	unsigned int n = flag_set(gfp, __GFP_DMA) ? 1 : 2, i;

	if (!p->booted || order > MAX_PAGE_ORDER)
		return PFN_NONE;
	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant first: i >= 1 ==> ZoneCannotServe(p, FirstZone(gfp), order);
	    loop invariant second: i >= 2 ==> ZoneCannotServe(p, ZONE_DMA, order);
	    loop assigns i;
	    loop variant n - i;
	*/
	for (i = 0; i < n; i++) {
		enum zone_type zt = zonelist_zone(gfp, i);
		uint32_t pfn;

		if (p->zones[zt].free_pages < buddy_block_pages(order))
			continue;
		pfn = rmqueue_smallest(p, zt, order);
		if (pfn != PFN_NONE) {
			prep_new_page(p, pfn, order, gfp);
			return pfn;
		}
	}
	return PFN_NONE;
}

/* Why a free of (pfn, order) must be refused, or 0 if it may go ahead. */
/*@ requires shape: PhysShape(p);
    assigns \nothing;
    ensures out_of_range: pfn >= p->nr_pages ==> \result == -MERR_OUT_OF_RANGE;
    ensures bad_order: pfn < p->nr_pages && order > MAX_PAGE_ORDER ==>
	\result == -MERR_WRONG_ORDER;
    ensures misaligned: pfn < p->nr_pages && order <= MAX_PAGE_ORDER && pfn % Pow2(order) != 0 ==>
	\result == -MERR_MISALIGNED;
    ensures reserved: pfn < p->nr_pages && order <= MAX_PAGE_ORDER && pfn % Pow2(order) == 0 &&
	HasFlag(p->pages[pfn].flags, PG_reserved) ==> \result == -MERR_RESERVED;
    ensures not_allocated: pfn < p->nr_pages && order <= MAX_PAGE_ORDER &&
	pfn % Pow2(order) == 0 && !HasFlag(p->pages[pfn].flags, PG_reserved) &&
	!IsHead(p, pfn) ==> \result == -MERR_NOT_ALLOCATED;
    ensures wrong_order: pfn < p->nr_pages && order <= MAX_PAGE_ORDER &&
	pfn % Pow2(order) == 0 && !HasFlag(p->pages[pfn].flags, PG_reserved) &&
	IsHead(p, pfn) && p->pages[pfn].order != order ==> \result == -MERR_WRONG_ORDER;
    ensures foreign: pfn < p->nr_pages && order <= MAX_PAGE_ORDER &&
	pfn % Pow2(order) == 0 && !HasFlag(p->pages[pfn].flags, PG_reserved) &&
	IsHead(p, pfn) && p->pages[pfn].order == order &&
	(HasFlag(p->pages[pfn].flags, PG_slab) || HasFlag(p->pages[pfn].flags, PG_large_kmalloc)) ==> \result == -MERR_FOREIGN;
    ensures ok: pfn < p->nr_pages && order <= MAX_PAGE_ORDER &&
	pfn % Pow2(order) == 0 && !HasFlag(p->pages[pfn].flags, PG_reserved) &&
	IsHead(p, pfn) && p->pages[pfn].order == order &&
	!HasFlag(p->pages[pfn].flags, PG_slab) && !HasFlag(p->pages[pfn].flags, PG_large_kmalloc) ==> \result == 0;
*/
static int check_free(const struct phys *p, uint32_t pfn, unsigned int order)
{
	const struct page *page;

	if (pfn >= p->nr_pages)
		return -MERR_OUT_OF_RANGE;
	if (order > MAX_PAGE_ORDER)
		return -MERR_WRONG_ORDER;
	if (pfn % buddy_block_pages(order) != 0)
		return -MERR_MISALIGNED;
	page = &p->pages[pfn];
	if (flag_set(page->flags, PG_reserved))
		return -MERR_RESERVED;
	if (!flag_set(page->flags, PG_head))
		return -MERR_NOT_ALLOCATED;
	if (page->order != order)
		return -MERR_WRONG_ORDER;
	if (flag_set(page->flags, PG_slab) || flag_set(page->flags, PG_large_kmalloc))
		return -MERR_FOREIGN;
	return 0;
}

/* Return an allocated block to its zone: clear the head and tails, then merge. */
/*@ requires inner: BuddyInner(p);
    requires head: pfn < p->nr_pages && IsHead(p, pfn) && p->pages[pfn].order == order;
    assigns p->zones[ZoneOf(pfn)].free_area[0 .. NR_PAGE_ORDERS - 1],
	p->zones[ZoneOf(pfn)].free_pages, p->pages[0 .. p->nr_pages - 1];
    ensures inner: BuddyInner(p);
    ensures counted: p->zones[ZoneOf(pfn)].free_pages ==
	(uint32_t)(\old(p->zones[ZoneOf(pfn)].free_pages) + Pow2(order));
*/
static void free_block(struct phys *p, uint32_t pfn, unsigned int order)
{
	struct page *head = &p->pages[pfn];
	uint32_t n = buddy_block_pages(order), i;

	if (flag_set(head->flags, PG_compound)) {
		/*@ loop invariant bound: 1 <= i <= n;
		    loop invariant inner: BuddyInner(p);
		    loop invariant head: IsHead(p, pfn) && p->pages[pfn].order == order;
		    loop assigns i, p->pages[pfn + 1 .. pfn + n - 1];
		    loop variant n - i;
		*/
		for (i = 1; i < n; i++) {
			p->pages[pfn + i].flags = 0;
			p->pages[pfn + i].next = PFN_NONE;
		}
	}
	head->flags = 0;
	head->order = 0;
	head->refcount = 0;
	head->slab_cache = 0;
	head->next = PFN_NONE;
	head->prev = PFN_NONE;
	free_one_page_inner(p, page_zonenum(pfn), pfn, order, false);
}

int free_pages_inner(struct phys *p, uint32_t pfn, unsigned int order)
{
	int err = check_free(p, pfn, order);

	if (err != 0)
		return err;
	if (--p->pages[pfn].refcount == 0)
		free_block(p, pfn, order);
	return 0;
}

void buddy_free_owned(struct phys *p, uint32_t pfn, unsigned int order)
{
	p->pages[pfn].refcount = 0;
	free_block(p, pfn, order);
}

uint64_t get_free_pages_inner(struct phys *p, gfp_t gfp, unsigned int order)
{
	uint32_t pfn = alloc_pages(p, gfp, order);

	return pfn == PFN_NONE ? 0 : pfn_to_virt(pfn);
}

uint64_t get_zeroed_page(struct phys *p, gfp_t gfp)
{
	return get_free_pages_inner(p, gfp | __GFP_ZERO, 0);
}

uint64_t get_dma_pages_inner(struct phys *p, gfp_t gfp, unsigned int order)
{
	/* gfp | GFP_DMA, in arithmetic: GFP_DMA is bit 0. */
	return get_free_pages_inner(p, flag_set(gfp, GFP_DMA) ? gfp : gfp + GFP_DMA, order);
}

int free_pages(struct phys *p, uint64_t addr, unsigned int order)
{
	if (addr == 0)
		return 0;
	if (!virt_addr_valid(p, addr))
		return -MERR_OUT_OF_RANGE;
	if ((addr - PAGE_OFFSET) % PAGE_SIZE != 0)
		return -MERR_MISALIGNED;
	return free_pages_inner(p, virt_to_pfn(p, addr), order);
}

int free_page(struct phys *p, uint64_t addr)
{
	return free_pages(p, addr, 0);
}

uint32_t nr_free_pages(const struct phys *p)
{
	return p->zones[ZONE_DMA].free_pages + p->zones[ZONE_NORMAL].free_pages;
}

/*
 * Models mm/mm_init.c: __free_pages_memory(). Give [start, end) to the allocator in the
 * largest aligned blocks that fit, lowest first, each to the tail of its list.
 */
/*@ requires inner: BuddyInner(p);
    requires range: start < end <= p->nr_pages;
    assigns p->zones[0 .. MAX_NR_ZONES - 1].free_area[0 .. NR_PAGE_ORDERS - 1],
	p->zones[0 .. MAX_NR_ZONES - 1].free_pages, p->zones[0 .. MAX_NR_ZONES - 1].managed_pages,
	p->pages[0 .. p->nr_pages - 1];
    ensures inner: BuddyInner(p);
*/
static void free_pages_memory(struct phys *p, uint32_t start, uint32_t end)
{
	/*@ loop invariant inner: BuddyInner(p);
	    loop invariant range: start <= end;
	    loop assigns start, p->zones[0 .. MAX_NR_ZONES - 1].free_area[0 .. NR_PAGE_ORDERS - 1],
		p->zones[0 .. MAX_NR_ZONES - 1].free_pages,
		p->zones[0 .. MAX_NR_ZONES - 1].managed_pages, p->pages[0 .. p->nr_pages - 1];
	    loop variant end - start;
	*/
	while (start < end) {
		unsigned int order = MAX_PAGE_ORDER;
		enum zone_type zt = page_zonenum(start);

		/*@ loop invariant order: 0 <= order <= MAX_PAGE_ORDER;
		    loop assigns order;
		    loop variant order;
		*/
		while (start % buddy_block_pages(order) != 0 ||
		       buddy_block_pages(order) > end - start)
			order--;
		p->zones[zt].managed_pages += buddy_block_pages(order);
		free_one_page_inner(p, zt, start, order, true);
		start += buddy_block_pages(order);
	}
}

int mem_init(struct phys *p)
{
	uint32_t pfn, dma_end, run;

	if (p->booted)
		return -MERR_BOOTED;
	dma_end = p->nr_pages < MAX_DMA_PFN ? p->nr_pages : MAX_DMA_PFN;
	p->zones[ZONE_DMA].start_pfn = 0;
	p->zones[ZONE_DMA].end_pfn = dma_end;
	p->zones[ZONE_NORMAL].start_pfn = dma_end;
	p->zones[ZONE_NORMAL].end_pfn = p->nr_pages;
	p->reserved_pages = 0;
	/* memblock_free_all(): every run of unreserved frames, in ascending order. */
	run = 0;
	/*@ loop invariant bound: 0 <= run <= pfn <= p->nr_pages;
	    loop invariant inner: BuddyInner(p);
	    loop invariant not_booted: !p->booted;
	    loop assigns pfn, run, p->reserved_pages,
		p->zones[0 .. MAX_NR_ZONES - 1].free_area[0 .. NR_PAGE_ORDERS - 1],
		p->zones[0 .. MAX_NR_ZONES - 1].free_pages,
		p->zones[0 .. MAX_NR_ZONES - 1].managed_pages, p->pages[0 .. p->nr_pages - 1];
	    loop variant p->nr_pages - pfn;
	*/
	for (pfn = 0; pfn < p->nr_pages; pfn++) {
		if (pfn_reserved(p, pfn)) {
			if (run < pfn)
				free_pages_memory(p, run, pfn);
			p->pages[pfn].flags = PG_reserved;
			p->pages[pfn].refcount = 1;
			p->reserved_pages++;
			run = pfn + 1;
		}
	}
	if (run < p->nr_pages)
		free_pages_memory(p, run, p->nr_pages);
	p->booted = true;
	return 0;
}

/* Validation ---------------------------------------------------------------------- */

/*@ assigns \nothing;
    ensures bad: !\result.ok && \result.what == what && \result.where == where;
*/
static struct validate_result bad(const char *what, uint32_t where)
{
	struct validate_result r = {false, what, where};

	return r;
}

/* Walk one free list: links, membership, length. */
/*@ requires shape: PhysShape(p) && ZonesShape(p);
    requires zone: 0 <= zt < MAX_NR_ZONES;
    requires order: order <= MAX_PAGE_ORDER;
    assigns \nothing;
*/
static struct validate_result validate_free_list(const struct phys *p, enum zone_type zt,
						 unsigned int order)
{
	const struct zone *z = &p->zones[zt];
	const struct free_area *area = &z->free_area[order];
	const uint32_t nr_free = area->nr_free;
	uint32_t pfn = area->head, prev = PFN_NONE, count = 0;
	struct validate_result ok = {true, 0, 0};

	/*@ loop invariant count: count <= nr_free;
	    loop assigns pfn, prev, count;
	    loop variant nr_free - count;
	*/
	while (pfn != PFN_NONE) {
		const struct page *page;

		if (pfn < z->start_pfn || pfn >= z->end_pfn)
			return bad("free-list member outside its zone", pfn);
		page = &p->pages[pfn];
		if ((page->flags & PG_buddy) == 0 || page->order != order)
			return bad("free-list member is not a free block of the list's order", pfn);
		if (page->prev != prev)
			return bad("free-list prev link broken", pfn);
		if (count >= nr_free) /* same test as ++count > nr_free, without the wrap */
			return bad("free list longer than nr_free (or cyclic)", pfn);
		count++;
		prev = pfn;
		pfn = page->next;
	}
	if (area->tail != prev)
		return bad("free-list tail is not the last member", prev);
	if (count != nr_free)
		return bad("free list shorter than nr_free", order);
	return ok;
}

/*
 * The union of the flags of frames pfn + 1 .. pfn + n - 1; 0 when none carries one.
 * Branch-free, so that the validator's pass over RAM stays cheap (the fuzzers run it
 * after every operation); the callers look for the culprit only when it is not 0.
 */
/*@ requires shape: PhysShape(p);
    requires range: pfn < p->nr_pages && 1 <= n && n <= p->nr_pages - pfn;
    assigns \nothing;
*/
static uint32_t flags_inside(const struct phys *p, uint32_t pfn, uint32_t n)
{
	uint32_t acc = 0, i;

	/*@ loop invariant bound: 1 <= i <= n;
	    loop assigns i, acc;
	    loop variant n - i;
	*/
	for (i = 1; i < n; i++)
		acc |= p->pages[pfn + i].flags;
	return acc;
}

/* An allocated block's frames after the head: compound tails, or plain frames. */
/*@ requires shape: PhysShape(p);
    requires head: pfn < p->nr_pages && p->pages[pfn].order <= MAX_PAGE_ORDER &&
	pfn + Pow2(p->pages[pfn].order) <= p->nr_pages;
    assigns \nothing;
*/
static struct validate_result validate_allocated(const struct phys *p, uint32_t pfn)
{
	const struct page *head = &p->pages[pfn];
	uint32_t n = order_pages[head->order], i;
	struct validate_result ok = {true, 0, 0};

	if (head->refcount == 0)
		return bad("allocated block with refcount 0", pfn);
	if (!flag_set(head->flags, PG_compound) && flags_inside(p, pfn, n) == 0)
		return ok;
	/*@ loop invariant bound: 1 <= i;
	    loop assigns i;
	    loop variant n - i;
	*/
	for (i = 1; i < n; i++) {
		const struct page *t = &p->pages[pfn + i];

		if (flag_set(head->flags, PG_compound)) {
			if (t->flags != PG_tail || t->next != pfn)
				return bad("compound tail does not point to its head", pfn + i);
		} else if (t->flags != 0) {
			return bad("frame inside an allocated block has flags", pfn + i);
		}
	}
	return ok;
}

struct validate_result buddy_validate(const struct phys *p)
{
	struct validate_result r = {true, 0, 0};
	uint32_t counted[MAX_NR_ZONES][NR_PAGE_ORDERS] = {{0}};
	uint32_t zone_free[MAX_NR_ZONES] = {0, 0};
	uint32_t free = 0, allocated = 0, reserved = 0, pfn = 0, zt, o;

	if (!p->booted)
		return r;
	/*@ loop invariant bound: pfn <= p->nr_pages;
	    loop assigns pfn, zt, o, r, free, allocated, reserved, counted[0 .. MAX_NR_ZONES - 1][0 .. NR_PAGE_ORDERS - 1],
		zone_free[0 .. MAX_NR_ZONES - 1];
	    loop variant p->nr_pages - pfn;
	*/
	while (pfn < p->nr_pages) {
		const struct page *page = &p->pages[pfn];
		uint32_t n;

		if (page->flags == PG_reserved) {
			reserved++;
			pfn++;
			continue;
		}
		if (!flag_set(page->flags, PG_buddy) && !flag_set(page->flags, PG_head))
			return bad("frame belongs to no block (free, allocated or reserved)", pfn);
		if (page->order > MAX_PAGE_ORDER)
			return bad("block order out of range", pfn);
		n = buddy_block_pages(page->order);
		if (pfn % n != 0)
			return bad("block not aligned to its order", pfn);
		if (n > p->nr_pages - pfn)
			return bad("block runs past the end of RAM", pfn);
		zt = page_zonenum(pfn);
		if (page_zonenum(pfn + n - 1) != zt)
			return bad("block crosses a zone boundary", pfn);
		if (flag_set(page->flags, PG_buddy)) {
			if (page->flags != PG_buddy)
				return bad("free block head has other flags", pfn);
			if (flags_inside(p, pfn, n) != 0) {
				/*@ loop invariant bound: 1 <= o;
				    loop assigns o;
				    loop variant n - o;
				*/
				for (o = 1; o < n; o++)
					if (p->pages[pfn + o].flags != 0)
						return bad("frame inside a free block has flags",
							   pfn + o);
			}
			if (page->order < MAX_PAGE_ORDER &&
			    page_is_buddy(p, (enum zone_type)zt, find_buddy_pfn(pfn, page->order),
					  page->order))
				return bad("free block not coalesced with its free buddy", pfn);
			counted[zt][page->order]++;
			zone_free[zt] += n;
			free += n;
		} else {
			r = validate_allocated(p, pfn);
			if (!r.ok)
				return r;
			allocated += n;
		}
		pfn += n;
	}
	if (free + allocated + reserved != p->nr_pages)
		return bad("free + allocated + reserved != RAM", 0);
	if (reserved != p->reserved_pages)
		return bad("reserved frames changed since boot", reserved);
	/*@ loop invariant bound: 0 <= zt <= MAX_NR_ZONES;
	    loop assigns zt, o, r;
	    loop variant MAX_NR_ZONES - zt;
	*/
	for (zt = 0; zt < MAX_NR_ZONES; zt++) {
		const struct zone *z = &p->zones[zt];

		if (zone_free[zt] != z->free_pages)
			return bad("zone free_pages differs from its free blocks", zt);
		/*@ loop invariant bound: 0 <= o <= NR_PAGE_ORDERS;
		    loop assigns o, r;
		    loop variant NR_PAGE_ORDERS - o;
		*/
		for (o = 0; o < NR_PAGE_ORDERS; o++) {
			r = validate_free_list(p, (enum zone_type)zt, o);
			if (!r.ok)
				return r;
			if (counted[zt][o] != z->free_area[o].nr_free)
				return bad("a free block is not on its free list", o);
		}
	}
	return r;
}
