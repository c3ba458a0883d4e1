/* SPDX-License-Identifier: MIT */
/*
 * buddy.c - the buddy page allocator. See buddy.h for how it works and which Linux
 * behaviour each function models.
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
static uint32_t find_buddy_pfn(uint32_t pfn, unsigned int order)
{
	uint32_t sz = order_pages[order];

	return pfn % (2 * sz) == 0 ? pfn + sz : pfn - sz;
}

/* Free-list primitives: doubly linked through struct page next/prev. */

static void free_list_add(struct phys *p, struct free_area *area, uint32_t pfn, bool to_tail)
{
	struct page *page = &p->pages[pfn];

	if (area->head == PFN_NONE) {
		page->next = PFN_NONE;
		page->prev = PFN_NONE;
		area->head = pfn;
		area->tail = pfn;
	} else if (to_tail) {
		page->next = PFN_NONE;
		page->prev = area->tail;
		p->pages[area->tail].next = pfn;
		area->tail = pfn;
	} else {
		page->prev = PFN_NONE;
		page->next = area->head;
		p->pages[area->head].prev = pfn;
		area->head = pfn;
	}
	area->nr_free++;
}

static void free_list_del(struct phys *p, struct free_area *area, uint32_t pfn)
{
	struct page *page = &p->pages[pfn];

	if (page->prev == PFN_NONE)
		area->head = page->next;
	else
		p->pages[page->prev].next = page->next;
	if (page->next == PFN_NONE)
		area->tail = page->prev;
	else
		p->pages[page->next].prev = page->prev;
	page->next = PFN_NONE;
	page->prev = PFN_NONE;
	area->nr_free--;
}

/* Mark pfn the head of a free block of this order, and unmark it. */
static void set_buddy_order(struct page *page, unsigned int order)
{
	page->flags = PG_buddy;
	page->order = (uint8_t)order;
}

static void clear_buddy(struct page *page)
{
	page->flags = 0;
	page->order = 0;
}

/*
 * Models mm/page_alloc.c: page_is_buddy(). Is the block at buddy a free block of the
 * same order in the same zone (so the two may merge)?
 */
static bool page_is_buddy(const struct phys *p, const struct zone *z, uint32_t buddy,
			  unsigned int order)
{
	const struct page *page;

	if (buddy < z->start_pfn || buddy >= z->end_pfn)
		return false;
	page = &p->pages[buddy];
	return (page->flags & PG_buddy) != 0 && page->order == order;
}

/*
 * Models mm/page_alloc.c: buddy_merge_likely(). After a block of this order at pfn
 * stopped merging, is the buddy of the block one order up free? Then this block is
 * likely to merge soon: put it at the tail of its list so it is not handed out first.
 */
static bool buddy_merge_likely(const struct phys *p, const struct zone *z, uint32_t pfn,
			       unsigned int order)
{
	uint32_t higher, higher_buddy;

	if (order >= MAX_PAGE_ORDER - 1)
		return false;
	higher = pfn - pfn % (2 * order_pages[order]);
	higher_buddy = find_buddy_pfn(higher, order + 1);
	return page_is_buddy(p, z, higher_buddy, order + 1);
}

/*
 * Models mm/page_alloc.c: __free_one_page(). Merge the free block at pfn with its
 * buddies as far as they are free, then put it on the free list: at the tail when
 * to_tail (boot) or when buddy_merge_likely(), else at the head.
 */
static void free_one_page_inner(struct phys *p, struct zone *z, uint32_t pfn, unsigned int order,
				bool to_tail)
{
	uint32_t size = order_pages[order];

	while (order < MAX_PAGE_ORDER) {
		uint32_t buddy = find_buddy_pfn(pfn, order);

		if (!page_is_buddy(p, z, buddy, order))
			break;
		free_list_del(p, &z->free_area[order], buddy);
		clear_buddy(&p->pages[buddy]);
		if (buddy < pfn)
			pfn = buddy;
		order++;
	}
	set_buddy_order(&p->pages[pfn], order);
	if (!to_tail)
		to_tail = buddy_merge_likely(p, z, pfn, order);
	free_list_add(p, &z->free_area[order], pfn, to_tail);
	z->free_pages += size;
}

/*
 * Models mm/page_alloc.c: expand(). The block of 2^high frames at pfn is split down to
 * 2^low; each upper half goes to the head of its order's free list.
 */
static void expand(struct phys *p, struct zone *z, uint32_t pfn, unsigned int low,
		   unsigned int high)
{
	while (high > low) {
		uint32_t half;

		high--;
		half = pfn + order_pages[high];
		set_buddy_order(&p->pages[half], high);
		free_list_add(p, &z->free_area[high], half, false);
	}
}

/*
 * Models mm/page_alloc.c: __rmqueue_smallest(). The head of the first non-empty free
 * list of order >= the one asked for, split down to that order.
 */
static uint32_t rmqueue_smallest(struct phys *p, struct zone *z, unsigned int order)
{
	unsigned int current_order;

	for (current_order = order; current_order <= MAX_PAGE_ORDER; current_order++) {
		struct free_area *area = &z->free_area[current_order];
		uint32_t pfn = area->head;

		if (pfn == PFN_NONE)
			continue;
		free_list_del(p, area, pfn);
		clear_buddy(&p->pages[pfn]);
		expand(p, z, pfn, order, current_order);
		z->free_pages -= order_pages[order];
		return pfn;
	}
	return PFN_NONE;
}

/*
 * Models mm/page_alloc.c: prep_new_page() and prep_compound_page(). The block is now
 * allocated: a PG_head with refcount 1; compound tails point to the head; __GFP_ZERO
 * clears the frames.
 */
static void prep_new_page(struct phys *p, uint32_t pfn, unsigned int order, gfp_t gfp)
{
	struct page *head = &p->pages[pfn];
	uint32_t n = order_pages[order], i;

	head->flags = PG_head;
	head->order = (uint8_t)order;
	head->refcount = 1;
	head->next = PFN_NONE;
	head->prev = PFN_NONE;
	if ((gfp & __GFP_COMP) != 0 && order > 0) {
		head->flags |= PG_compound;
		for (i = 1; i < n; i++) {
			p->pages[pfn + i].flags = PG_tail;
			p->pages[pfn + i].next = pfn;
		}
	}
	if ((gfp & __GFP_ZERO) != 0) {
		uint64_t *words = p->mem + (size_t)pfn * PAGE_WORDS;
		size_t len = (size_t)n * PAGE_WORDS;

		for (i = 0; i < len; i++)
			words[i] = 0;
	}
}

uint32_t alloc_pages(struct phys *p, gfp_t gfp, unsigned int order)
{
	/* The x86 zonelist, highest zone first. */
	static const enum zone_type normal_list[] = {ZONE_NORMAL, ZONE_DMA};
	static const enum zone_type dma_list[] = {ZONE_DMA};
	const enum zone_type *list = (gfp & __GFP_DMA) != 0 ? dma_list : normal_list;
	unsigned int n = (gfp & __GFP_DMA) != 0 ? 1 : 2, i;

	if (!p->booted || order > MAX_PAGE_ORDER)
		return PFN_NONE;
	for (i = 0; i < n; i++) {
		struct zone *z = &p->zones[list[i]];
		uint32_t pfn;

		if (z->free_pages < order_pages[order])
			continue;
		pfn = rmqueue_smallest(p, z, order);
		if (pfn != PFN_NONE) {
			prep_new_page(p, pfn, order, gfp);
			return pfn;
		}
	}
	return PFN_NONE;
}

/* Why a free of (pfn, order) must be refused, or 0 if it may go ahead. */
static int check_free(const struct phys *p, uint32_t pfn, unsigned int order)
{
	const struct page *page;

	if (pfn >= p->nr_pages)
		return -MERR_OUT_OF_RANGE;
	if (order > MAX_PAGE_ORDER)
		return -MERR_WRONG_ORDER;
	if (pfn % order_pages[order] != 0)
		return -MERR_MISALIGNED;
	page = &p->pages[pfn];
	if ((page->flags & PG_reserved) != 0)
		return -MERR_RESERVED;
	if ((page->flags & PG_head) == 0)
		return -MERR_NOT_ALLOCATED;
	if (page->order != order)
		return -MERR_WRONG_ORDER;
	if ((page->flags & (PG_slab | PG_large_kmalloc)) != 0)
		return -MERR_FOREIGN;
	return 0;
}

/* Return an allocated block to its zone: clear the head and tails, then merge. */
static void free_block(struct phys *p, uint32_t pfn, unsigned int order)
{
	struct page *head = &p->pages[pfn];
	uint32_t n = order_pages[order], i;

	if ((head->flags & PG_compound) != 0) {
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
	free_one_page_inner(p, &p->zones[page_zonenum(pfn)], pfn, order, false);
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

/*
 * The slab allocator frees its own blocks (slabs and large kmalloc) with this; the
 * checks are the caller's. Not part of the public API: declared in slab.c.
 */
void buddy_free_owned(struct phys *p, uint32_t pfn, unsigned int order);
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
	return get_free_pages_inner(p, gfp | GFP_DMA, order);
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
static void free_pages_memory(struct phys *p, uint32_t start, uint32_t end)
{
	while (start < end) {
		unsigned int order = MAX_PAGE_ORDER;
		struct zone *z = &p->zones[page_zonenum(start)];

		while (start % order_pages[order] != 0 || order_pages[order] > end - start)
			order--;
		z->managed_pages += order_pages[order];
		free_one_page_inner(p, z, start, order, true);
		start += order_pages[order];
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

static struct validate_result bad(const char *what, uint32_t where)
{
	struct validate_result r = {false, what, where};

	return r;
}

/* Walk one free list: links, membership, length. */
static struct validate_result validate_free_list(const struct phys *p, const struct zone *z,
						 unsigned int order)
{
	const struct free_area *area = &z->free_area[order];
	uint32_t pfn = area->head, prev = PFN_NONE, count = 0;
	struct validate_result ok = {true, 0, 0};

	while (pfn != PFN_NONE) {
		const struct page *page;

		if (pfn < z->start_pfn || pfn >= z->end_pfn)
			return bad("free-list member outside its zone", pfn);
		page = &p->pages[pfn];
		if ((page->flags & PG_buddy) == 0 || page->order != order)
			return bad("free-list member is not a free block of the list's order", pfn);
		if (page->prev != prev)
			return bad("free-list prev link broken", pfn);
		if (++count > area->nr_free)
			return bad("free list longer than nr_free (or cyclic)", pfn);
		prev = pfn;
		pfn = page->next;
	}
	if (area->tail != prev)
		return bad("free-list tail is not the last member", prev);
	if (count != area->nr_free)
		return bad("free list shorter than nr_free", order);
	return ok;
}

/* An allocated block's frames after the head: compound tails, or plain frames. */
static struct validate_result validate_allocated(const struct phys *p, uint32_t pfn)
{
	const struct page *head = &p->pages[pfn];
	uint32_t n = order_pages[head->order], i;
	struct validate_result ok = {true, 0, 0};

	if (head->refcount == 0)
		return bad("allocated block with refcount 0", pfn);
	for (i = 1; i < n; i++) {
		const struct page *t = &p->pages[pfn + i];

		if ((head->flags & PG_compound) != 0) {
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
	while (pfn < p->nr_pages) {
		const struct page *page = &p->pages[pfn];
		uint32_t n;

		if (page->flags == PG_reserved) {
			reserved++;
			pfn++;
			continue;
		}
		if ((page->flags & (PG_buddy | PG_head)) == 0)
			return bad("frame belongs to no block (free, allocated or reserved)", pfn);
		if (page->order > MAX_PAGE_ORDER)
			return bad("block order out of range", pfn);
		n = order_pages[page->order];
		if (pfn % n != 0)
			return bad("block not aligned to its order", pfn);
		if (n > p->nr_pages - pfn)
			return bad("block runs past the end of RAM", pfn);
		zt = page_zonenum(pfn);
		if (page_zonenum(pfn + n - 1) != zt)
			return bad("block crosses a zone boundary", pfn);
		if ((page->flags & PG_buddy) != 0) {
			if (page->flags != PG_buddy)
				return bad("free block head has other flags", pfn);
			for (o = 1; o < n; o++)
				if (p->pages[pfn + o].flags != 0)
					return bad("frame inside a free block has flags", pfn + o);
			if (page->order < MAX_PAGE_ORDER &&
			    page_is_buddy(p, &p->zones[zt], find_buddy_pfn(pfn, page->order),
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
	for (zt = 0; zt < MAX_NR_ZONES; zt++) {
		const struct zone *z = &p->zones[zt];

		if (zone_free[zt] != z->free_pages)
			return bad("zone free_pages differs from its free blocks", zt);
		for (o = 0; o < NR_PAGE_ORDERS; o++) {
			r = validate_free_list(p, z, o);
			if (!r.ok)
				return r;
			if (counted[zt][o] != z->free_area[o].nr_free)
				return bad("a free block is not on its free list", o);
		}
	}
	return r;
}
