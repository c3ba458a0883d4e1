/* SPDX-License-Identifier: MIT */
/*
 * phys.h - simulated physical memory: the frames, their struct pages (mem_map), the
 * zones, boot-time reservations (memblock) and the kernel's linear map.
 *
 * How it works
 * ------------
 * The caller hands phys_init() one contiguous frame region (nr_pages * 4 KiB, the RAM a
 * KVM guest will later run on) and an array of nr_pages struct pages. Nothing is free
 * until boot: first memblock_reserve() marks ranges that the page allocator must never
 * hand out (firmware, the kernel image, a guest's code), and memblock_alloc() takes
 * boot-time memory top-down as Linux's memblock does; then mem_init() (buddy.h) gives
 * every frame that is not reserved to the buddy allocator, as memblock_free_all() does.
 *
 * Zones follow x86: ZONE_DMA is the first 16 MiB (MAX_DMA_PFN), ZONE_NORMAL the rest.
 * (x86-64 calls the 16 MiB..4 GiB range ZONE_DMA32; the model folds it into NORMAL, as
 * the two-zone machine and seed 001's 32-bit picture do. Allocations that ask
 * for __GFP_DMA32 are served like GFP_KERNEL.)
 *
 * The linear map puts all RAM at PAGE_OFFSET: virt = phys + PAGE_OFFSET.
 */
#ifndef MMREF_PHYS_H
#define MMREF_PHYS_H

#include "mm_types.h"

#define MAX_DMA_PFN	     4096u /* 16 MiB */
#define MEMBLOCK_MAX_REGIONS 32u

enum zone_type { ZONE_DMA = 0, ZONE_NORMAL = 1, MAX_NR_ZONES = 2 };

/* One free list of one order: pfns linked through struct page next/prev. */
struct free_area {
	uint32_t head;	  /* PFN_NONE when empty */
	uint32_t tail;	  /* PFN_NONE when empty */
	uint32_t nr_free; /* blocks on the list */
};

struct zone {
	uint32_t start_pfn; /* [start_pfn, end_pfn) */
	uint32_t end_pfn;
	uint32_t managed_pages; /* frames given to the buddy allocator at boot */
	uint32_t free_pages;	/* NR_FREE_PAGES */
	struct free_area free_area[NR_PAGE_ORDERS];
};

struct memblock_region {
	uint32_t start_pfn; /* [start_pfn, end_pfn) */
	uint32_t end_pfn;
};

/* One NUMA node's worth of memory: Linux's pglist_data plus memblock. */
struct phys {
	uint64_t *mem;	    /* nr_pages * PAGE_WORDS words: the frames */
	struct page *pages; /* nr_pages entries: mem_map */
	uint32_t nr_pages;
	bool booted; /* mem_init() has run */
	uint32_t nr_reserved_regions;
	struct memblock_region reserved[MEMBLOCK_MAX_REGIONS];
	uint32_t reserved_pages; /* frames never given to the buddy allocator */
	struct zone zones[MAX_NR_ZONES];
};

#ifdef __FRAMAC__
#include "../proofs/logic/phys.acsl"
#endif

/**
 * flag_set() - is the single-bit flag bit set in value? (value & bit) != 0, written with
 * division because the provers cannot reason about '&' on a variable.
 */
/*@ requires bit: bit > 0;
    assigns \nothing;
    ensures exact: \result <==> HasFlag(value, bit);
*/
static inline bool flag_set(uint32_t value, uint32_t bit)
{
	return value / bit % 2u != 0;
}

/**
 * phys_init() - take over a frame region and its metadata array; nothing is free yet.
 * Returns 0, or -EINVAL when nr_pages is outside [PHYS_MIN_PAGES, PHYS_MAX_PAGES].
 */
/*@ requires valid: \valid(p);
    requires pages: \valid(pages + (0 .. nr_pages - 1));
    requires sep: \separated(p, pages + (0 .. nr_pages - 1));
    assigns *p, pages[0 .. nr_pages - 1];
    behavior bad_size:
	assumes nr_pages < PHYS_MIN_PAGES || nr_pages > PHYS_MAX_PAGES;
	assigns \nothing;
	ensures result: \result == -EINVAL;
    behavior ok:
	assumes PHYS_MIN_PAGES <= nr_pages <= PHYS_MAX_PAGES;
	requires mem: \valid(mem + (0 .. nr_pages * PAGE_WORDS - 1));
	requires sep_mem: \separated(p, mem + (0 .. nr_pages * PAGE_WORDS - 1));
	requires sep_pages: \separated(pages + (0 .. nr_pages - 1),
				       mem + (0 .. nr_pages * PAGE_WORDS - 1));
	ensures result: \result == 0;
	ensures shape: PhysShape(p);
	ensures size: p->nr_pages == nr_pages;
	ensures arrays: p->mem == mem && p->pages == pages;
	ensures not_booted: p->booted == \false;
	ensures no_reservations: p->nr_reserved_regions == 0 && p->reserved_pages == 0;
	ensures empty_lists: \forall integer z, o; 0 <= z < MAX_NR_ZONES && 0 <= o < NR_PAGE_ORDERS ==>
	    p->zones[z].free_area[o].head == PFN_NONE && p->zones[z].free_area[o].tail == PFN_NONE &&
	    p->zones[z].free_area[o].nr_free == 0;
	ensures no_free: p->zones[ZONE_DMA].free_pages == 0 && p->zones[ZONE_NORMAL].free_pages == 0;
	ensures pages_clear: \forall integer i; 0 <= i < nr_pages ==>
	    pages[i].flags == 0 && pages[i].refcount == 0 && pages[i].next == PFN_NONE &&
	    pages[i].prev == PFN_NONE;
    complete behaviors;
    disjoint behaviors;
*/
int phys_init(struct phys *p, uint64_t *mem, struct page *pages, uint32_t nr_pages);

/**
 * memblock_reserve() - keep [base, base + size) away from the page allocator. Frames
 * the range touches in part are reserved whole. Models mm/memblock.c: memblock_reserve().
 * Returns 0; -EINVAL for an empty range or one outside RAM; -MERR_BOOTED after
 * mem_init(); -MERR_NO_SLOT when MEMBLOCK_MAX_REGIONS ranges are already reserved.
 * On error nothing changes.
 */
/*@ requires shape: PhysShape(p);
    assigns p->reserved[0 .. MEMBLOCK_MAX_REGIONS - 1], p->nr_reserved_regions;
    behavior booted:
	assumes p->booted;
	assigns \nothing;
	ensures result: \result == -MERR_BOOTED;
    behavior bad_range:
	assumes !p->booted;
	assumes size == 0 || base >= RamBytes(p) || size > RamBytes(p) - base;
	assigns \nothing;
	ensures result: \result == -EINVAL;
    behavior full:
	assumes !p->booted;
	assumes size != 0 && base < RamBytes(p) && size <= RamBytes(p) - base;
	assumes p->nr_reserved_regions >= MEMBLOCK_MAX_REGIONS;
	assigns \nothing;
	ensures result: \result == -MERR_NO_SLOT;
    behavior ok:
	assumes !p->booted;
	assumes size != 0 && base < RamBytes(p) && size <= RamBytes(p) - base;
	assumes p->nr_reserved_regions < MEMBLOCK_MAX_REGIONS;
	assigns p->reserved[\old(p->nr_reserved_regions)], p->nr_reserved_regions;
	ensures result: \result == 0;
	ensures one_more: p->nr_reserved_regions == \old(p->nr_reserved_regions) + 1;
	ensures start: p->reserved[\old(p->nr_reserved_regions)].start_pfn == base / PAGE_SIZE;
	ensures end: p->reserved[\old(p->nr_reserved_regions)].end_pfn ==
	    (base + size + PAGE_SIZE - 1) / PAGE_SIZE;
	ensures in_ram: p->reserved[\old(p->nr_reserved_regions)].end_pfn <= p->nr_pages;
    complete behaviors;
    disjoint behaviors;
*/
int memblock_reserve(struct phys *p, uint64_t base, uint64_t size);

/**
 * memblock_alloc() - boot-time allocation: the highest free range of size bytes aligned
 * to align (a power of two, at least PAGE_SIZE is used), reserved and zeroed. Models
 * mm/memblock.c: memblock_alloc() (top-down). Returns the range's linear-map address,
 * or 0 when nothing fits, after boot, or for a bad size/align (state unchanged).
 */
/*@ requires shape: PhysShape(p);
    assigns p->reserved[0 .. MEMBLOCK_MAX_REGIONS - 1], p->nr_reserved_regions,
	p->mem[0 .. RamWords(p) - 1];
    ensures failed: \result == 0 ==> p->nr_reserved_regions == \old(p->nr_reserved_regions);
    ensures reserved: \result != 0 ==>
	p->nr_reserved_regions == \old(p->nr_reserved_regions) + 1;
    ensures in_ram: \result != 0 ==>
	\result >= PAGE_OFFSET && \result - PAGE_OFFSET + size <= RamBytes(p);
    ensures page_aligned: \result != 0 ==> (\result - PAGE_OFFSET) % PAGE_SIZE == 0;
    ensures before_boot: \result != 0 ==> !p->booted;
*/
uint64_t memblock_alloc(struct phys *p, uint64_t size, uint64_t align);

/** pfn_reserved() - is pfn inside a memblock-reserved range? */
/*@ requires valid: \valid_read(p);
    assigns \nothing;
    ensures exact: \result <==> PfnReserved(p, pfn);
*/
bool pfn_reserved(const struct phys *p, uint32_t pfn);

/** page_zonenum() - the zone a frame belongs to (x86: below 16 MiB is ZONE_DMA). */
/*@ assigns \nothing;
    ensures range: \result == ZONE_DMA || \result == ZONE_NORMAL;
    ensures dma: pfn < MAX_DMA_PFN ==> \result == ZONE_DMA;
    ensures normal: pfn >= MAX_DMA_PFN ==> \result == ZONE_NORMAL;
*/
enum zone_type page_zonenum(uint32_t pfn);

/* The linear map. */

/** phys_to_virt() - __va(): the linear-map address of a physical address. */
/*@ requires in_map: pa < 0x0000400000000000;
    assigns \nothing;
    ensures exact: \result == pa + PAGE_OFFSET;
*/
uint64_t phys_to_virt(uint64_t pa);

/** virt_to_phys() - __pa(): the physical address behind a linear-map address. */
/*@ requires in_map: va >= PAGE_OFFSET;
    assigns \nothing;
    ensures exact: \result == va - PAGE_OFFSET;
*/
uint64_t virt_to_phys(uint64_t va);

/**
 * virt_addr_valid() - is va a linear-map address of a frame that exists? Models
 * arch/x86/mm/physaddr.c: __virt_addr_valid() for the direct map.
 */
/*@ requires shape: PhysShape(p);
    assigns \nothing;
    ensures exact: \result <==> VirtInRam(p, va);
*/
bool virt_addr_valid(const struct phys *p, uint64_t va);

/** pfn_to_virt() - linear-map address of the first byte of frame pfn. */
/*@ requires in_ram: pfn < PHYS_MAX_PAGES;
    assigns \nothing;
    ensures exact: \result == PAGE_OFFSET + pfn * PAGE_SIZE;
*/
uint64_t pfn_to_virt(uint32_t pfn);

/** virt_to_pfn() - frame behind a linear-map address; PFN_NONE when not in RAM. */
/*@ requires shape: PhysShape(p);
    assigns \nothing;
    ensures in_ram: \result == PFN_NONE || \result < p->nr_pages;
    ensures valid: VirtInRam(p, va) ==> \result == (va - PAGE_OFFSET) / PAGE_SIZE;
    ensures invalid: !VirtInRam(p, va) ==> \result == PFN_NONE;
*/
uint32_t virt_to_pfn(const struct phys *p, uint64_t va);

#endif /* MMREF_PHYS_H */
