/* SPDX-License-Identifier: MIT */
/*
 * phys.c - simulated physical memory, memblock and the linear map. See phys.h.
 */
#include "phys.h"

int phys_init(struct phys *p, uint64_t *mem, struct page *pages, uint32_t nr_pages)
{
	uint32_t i;

	if (nr_pages < PHYS_MIN_PAGES || nr_pages > PHYS_MAX_PAGES)
		return -EINVAL;
	p->mem = mem;
	p->pages = pages;
	p->nr_pages = nr_pages;
	p->booted = false;
	p->nr_reserved_regions = 0;
	p->reserved_pages = 0;
	/*@ loop invariant 0 <= i <= MEMBLOCK_MAX_REGIONS;
	    loop assigns i, p->reserved[0 .. MEMBLOCK_MAX_REGIONS - 1];
	    loop variant MEMBLOCK_MAX_REGIONS - i;
	*/
	for (i = 0; i < MEMBLOCK_MAX_REGIONS; i++) {
		p->reserved[i].start_pfn = 0;
		p->reserved[i].end_pfn = 0;
	}
	/*@ loop invariant 0 <= i <= MAX_NR_ZONES;
	    loop invariant no_free: \forall integer z; 0 <= z < i ==> p->zones[z].free_pages == 0;
	    loop invariant done: \forall integer z; 0 <= z < i ==>
		\forall integer o; 0 <= o < NR_PAGE_ORDERS ==> p->zones[z].free_area[o].head == PFN_NONE &&
		p->zones[z].free_area[o].tail == PFN_NONE && p->zones[z].free_area[o].nr_free == 0;
	    loop assigns i, p->zones[0 .. MAX_NR_ZONES - 1];
	    loop variant MAX_NR_ZONES - i;
	*/
	for (i = 0; i < MAX_NR_ZONES; i++) {
		uint32_t o;

		p->zones[i].start_pfn = 0;
		p->zones[i].end_pfn = 0;
		p->zones[i].managed_pages = 0;
		p->zones[i].free_pages = 0;
		/*@ loop invariant 0 <= o <= NR_PAGE_ORDERS;
		    loop invariant done: \forall integer q; 0 <= q < o ==> p->zones[i].free_area[q].head == PFN_NONE &&
			p->zones[i].free_area[q].tail == PFN_NONE && p->zones[i].free_area[q].nr_free == 0;
		    loop assigns o, p->zones[i].free_area[0 .. NR_PAGE_ORDERS - 1];
		    loop variant NR_PAGE_ORDERS - o;
		*/
		for (o = 0; o < NR_PAGE_ORDERS; o++) {
			p->zones[i].free_area[o].head = PFN_NONE;
			p->zones[i].free_area[o].tail = PFN_NONE;
			p->zones[i].free_area[o].nr_free = 0;
		}
	}
	/*@ loop invariant 0 <= i <= nr_pages;
	    loop invariant done: \forall integer j; 0 <= j < i ==> pages[j].flags == 0 && pages[j].refcount == 0 &&
		pages[j].next == PFN_NONE && pages[j].prev == PFN_NONE;
	    loop assigns i, pages[0 .. nr_pages - 1];
	    loop variant nr_pages - i;
	*/
	for (i = 0; i < nr_pages; i++) {
		pages[i].next = PFN_NONE;
		pages[i].prev = PFN_NONE;
		pages[i].flags = 0;
		pages[i].refcount = 0;
		pages[i].order = 0;
		pages[i].reserved_byte = 0;
		pages[i].slab_cache = 0;
	}
	return 0;
}

int memblock_reserve(struct phys *p, uint64_t base, uint64_t size)
{
	uint64_t ram = (uint64_t)p->nr_pages * PAGE_SIZE;
	uint32_t n = p->nr_reserved_regions;

	if (p->booted)
		return -MERR_BOOTED;
	if (size == 0 || base >= ram || size > ram - base)
		return -EINVAL;
	if (n >= MEMBLOCK_MAX_REGIONS)
		return -MERR_NO_SLOT;
	p->reserved[n].start_pfn = (uint32_t)(base / PAGE_SIZE);
	p->reserved[n].end_pfn = (uint32_t)((base + size + PAGE_SIZE - 1) / PAGE_SIZE);
	p->nr_reserved_regions = n + 1;
	return 0;
}

bool pfn_reserved(const struct phys *p, uint32_t pfn)
{
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= MEMBLOCK_MAX_REGIONS;
	    loop invariant none_yet: \forall integer j; 0 <= j < i ==>
		!(p->reserved[j].start_pfn <= pfn < p->reserved[j].end_pfn);
	    loop assigns i;
	    loop variant MEMBLOCK_MAX_REGIONS - i;
	*/
	for (i = 0; i < p->nr_reserved_regions && i < MEMBLOCK_MAX_REGIONS; i++)
		if (pfn >= p->reserved[i].start_pfn && pfn < p->reserved[i].end_pfn)
			return true;
	return false;
}

/* Is any frame of [start, start + n) reserved? */
/*@ requires valid: \valid_read(p);
    assigns \nothing;
*/
static bool range_reserved(const struct phys *p, uint32_t start, uint32_t n)
{
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= MEMBLOCK_MAX_REGIONS;
	    loop assigns i;
	    loop variant MEMBLOCK_MAX_REGIONS - i;
	*/
	for (i = 0; i < p->nr_reserved_regions && i < MEMBLOCK_MAX_REGIONS; i++)
		if (start < p->reserved[i].end_pfn && p->reserved[i].start_pfn < start + n)
			return true;
	return false;
}

uint64_t memblock_alloc(struct phys *p, uint64_t size, uint64_t align)
{
	uint32_t n, step, start, i;
	uint64_t *words;

	if (p->booted || size == 0 || size > (uint64_t)p->nr_pages * PAGE_SIZE)
		return 0;
	if (align == 0 || (align & (align - 1)) != 0 || align > (uint64_t)p->nr_pages * PAGE_SIZE)
		return 0;
	if (p->nr_reserved_regions >= MEMBLOCK_MAX_REGIONS)
		return 0;
	n = (uint32_t)((size + PAGE_SIZE - 1) / PAGE_SIZE);
	step = align <= PAGE_SIZE ? 1 : (uint32_t)(align / PAGE_SIZE);
	/* Top-down: the highest aligned start whose whole range is free. */
	start = (p->nr_pages - n) / step * step;
	/*@ loop invariant fits: start + n <= p->nr_pages;
	    loop assigns start;
	    loop variant start;
	*/
	for (;;) {
		if (!range_reserved(p, start, n))
			break;
		if (start < step)
			return 0;
		start -= step;
	}
	if (memblock_reserve(p, (uint64_t)start * PAGE_SIZE, (uint64_t)n * PAGE_SIZE) != 0)
		return 0;
	words = p->mem + (size_t)start * PAGE_WORDS;
	/*@ loop invariant bound: 0 <= i <= n * PAGE_WORDS;
	    loop assigns i, p->mem[start * PAGE_WORDS .. (start + n) * PAGE_WORDS - 1];
	    loop variant n * PAGE_WORDS - i;
	*/
	for (i = 0; i < n * PAGE_WORDS; i++)
		words[i] = 0;
	return pfn_to_virt(start);
}

enum zone_type page_zonenum(uint32_t pfn)
{
	return pfn < MAX_DMA_PFN ? ZONE_DMA : ZONE_NORMAL;
}

uint64_t phys_to_virt(uint64_t pa)
{
	return pa + PAGE_OFFSET;
}

uint64_t virt_to_phys(uint64_t va)
{
	return va - PAGE_OFFSET;
}

bool virt_addr_valid(const struct phys *p, uint64_t va)
{
	return va >= PAGE_OFFSET && va - PAGE_OFFSET < (uint64_t)p->nr_pages * PAGE_SIZE;
}

uint64_t pfn_to_virt(uint32_t pfn)
{
	return PAGE_OFFSET + (uint64_t)pfn * PAGE_SIZE;
}

uint32_t virt_to_pfn(const struct phys *p, uint64_t va)
{
	if (!virt_addr_valid(p, va))
		return PFN_NONE;
	return (uint32_t)((va - PAGE_OFFSET) / PAGE_SIZE);
}
