/* SPDX-License-Identifier: MIT */
/*
 * test_buddy.c - the buddy allocator's behaviours, each stated as a test. Pictures show
 * frames of ZONE_DMA from pfn 0: a digit is an allocated block's name, '.' a free frame.
 */
#include <string.h>

#include "model_fixture.h"
#include "test.h"

#define MIB (256u) /* frames per MiB */

static struct fixture *booted(uint32_t nr_pages)
{
	struct fixture *f = fixture_new(nr_pages);

	report(machine_boot(&f->m) == 0, "boot");
	return f;
}

static bool valid(struct fixture *f)
{
	struct validate_result r = buddy_validate(&f->m.phys);

	if (!r.ok)
		printf("  validate: %s at %u\n", r.what, r.where);
	return r.ok;
}

/* Right after boot every list is in ascending pfn order (boot frees go to the tail). */
static void test_boot_gives_max_order_blocks_in_ascending_order(void)
{
	struct fixture *f = booted(64 * MIB);
	const struct zone *dma = &f->m.phys.zones[ZONE_DMA];
	const struct zone *normal = &f->m.phys.zones[ZONE_NORMAL];

	report(dma->free_area[10].nr_free == 4, "DMA: 16 MiB = 4 blocks of order 10");
	report(normal->free_area[10].nr_free == 12, "Normal: 48 MiB = 12 blocks of order 10");
	report(dma->free_area[10].head == 0 && dma->free_area[10].tail == 3072, "DMA list 0..3072");
	report(normal->free_area[10].head == 4096, "Normal list starts at 4096");
	report(nr_free_pages(&f->m.phys) == 64 * MIB, "all frames free");
	report(valid(f), "valid after boot");
	fixture_free(f);
}

/* An odd RAM size ends in smaller blocks; reserved frames are never handed out. */
static void test_reservations_and_ragged_end(void)
{
	struct fixture *f = fixture_new(4 * MIB + 3);
	uint32_t pfn, n = 0, bad = 0;

	report(memblock_reserve(&f->m.phys, 0, 1024 * 1024) == 0, "reserve first MiB");
	report(memblock_reserve(&f->m.phys, 0x180000, 1) == 0, "reserve one byte -> one frame");
	report(machine_boot(&f->m) == 0, "boot");
	report(f->m.phys.reserved_pages == 257, "257 reserved frames, got %u",
	       f->m.phys.reserved_pages);
	report(f->m.phys.zones[ZONE_DMA].free_area[0].nr_free >= 1, "ragged end in order 0");
	report(valid(f), "valid after boot");
	while ((pfn = alloc_pages(&f->m.phys, GFP_KERNEL, 0)) != PFN_NONE) {
		bad += pfn < MIB || pfn == 0x180;
		n++;
	}
	report(bad == 0, "%u reserved frames handed out", bad);
	report(n == 4 * MIB + 3 - 257, "every unreserved frame allocated once (%u)", n);
	report(free_pages_inner(&f->m.phys, 0, 0) == -MERR_RESERVED, "free of reserved refused");
	report(valid(f), "valid when full");
	fixture_free(f);
}

/*
 * alloc_pages(0) splits the first order-10 block of ZONE_NORMAL: the caller gets the
 * lowest frame, one free block of each order 0..9 is left behind, and freeing the frame
 * merges everything back.
 */
static void test_split_then_merge(void)
{
	struct fixture *f = booted(64 * MIB);
	const struct zone *z = &f->m.phys.zones[ZONE_NORMAL];
	uint32_t pfn = alloc_pages(&f->m.phys, GFP_KERNEL, 0), o;
	bool one_each = true;

	report(pfn == 4096, "first frame of ZONE_NORMAL, got %u", pfn);
	for (o = 0; o < 10; o++)
		one_each = one_each && z->free_area[o].nr_free == 1 &&
			   z->free_area[o].head == 4096 + (1u << o);
	report(one_each, "one block of each order 0..9 at 4096 + 2^order");
	report(z->free_area[10].nr_free == 11, "11 order-10 blocks left");
	report(f->m.phys.pages[4096].refcount == 1, "refcount 1");
	report(valid(f), "valid after split");
	report(free_pages_inner(&f->m.phys, pfn, 0) == 0, "free");
	report(z->free_area[10].nr_free == 12 && z->free_area[0].nr_free == 0, "merged back");
	report(z->free_area[10].head == 4096, "merged block at the head (order 10: no tail rule)");
	report(valid(f), "valid after merge");
	fixture_free(f);
}

/*
 * buddy_merge_likely(): a freed block whose next-higher buddy is free goes to the tail.
 *   allocate 0 1 2 3 4 (order 0, DMA)      01234...
 *   free 3, free 2 -> [2 3] order 1 free   01..4...
 *   free 0: its buddy 1 is allocated, but [2 3] (the buddy one order up) is free:
 *   0 goes to the tail of the order-0 list, behind 5, so the next order-0 gets 5.
 */
static void test_merge_likely_goes_to_tail(void)
{
	struct fixture *f = booted(64 * MIB);
	struct phys *p = &f->m.phys;
	uint32_t i, pfn;

	for (i = 0; i < 5; i++)
		report(alloc_pages(p, GFP_DMA, 0) == i, "allocate %u", i);
	report(free_pages_inner(p, 3, 0) == 0 && free_pages_inner(p, 2, 0) == 0, "free 3, 2");
	report(p->zones[ZONE_DMA].free_area[1].head == 2, "[2 3] merged to order 1 at the head");
	report(free_pages_inner(p, 0, 0) == 0, "free 0");
	report(p->zones[ZONE_DMA].free_area[0].head == 5 &&
		   p->zones[ZONE_DMA].free_area[0].tail == 0,
	       "0 is at the tail, 5 at the head");
	pfn = alloc_pages(p, GFP_DMA, 0);
	report(pfn == 5, "next order-0 allocation gets 5, got %u", pfn);
	report(valid(f), "valid");
	fixture_free(f);
}

/* GFP_KERNEL uses ZONE_NORMAL first and falls back to ZONE_DMA; GFP_DMA never leaves it. */
static void test_zone_fallback(void)
{
	struct fixture *f = booted(32 * MIB);
	struct phys *p = &f->m.phys;
	uint32_t pfn, normal = 0, dma = 0, late = 0;

	report(alloc_pages(p, GFP_DMA, 3) < MAX_DMA_PFN, "GFP_DMA from ZONE_DMA");
	while ((pfn = alloc_pages(p, GFP_KERNEL, 0)) != PFN_NONE) {
		late += pfn >= MAX_DMA_PFN && dma > 0;
		pfn >= MAX_DMA_PFN ? normal++ : dma++;
	}
	report(late == 0, "%u NORMAL frames after DMA ones: fallback order wrong", late);
	report(normal == 16 * MIB, "all of NORMAL (%u)", normal);
	report(dma == 16 * MIB - 8, "then the rest of DMA (%u)", dma);
	report(alloc_pages(p, GFP_DMA, 0) == PFN_NONE, "DMA empty");
	report(valid(f), "valid");
	fixture_free(f);
}

/* Copies of everything the allocator owns, to show that a refused call changed nothing. */
struct snapshot {
	struct phys phys;
	struct page *pages;
};

static void snap(struct snapshot *s, const struct phys *p)
{
	s->phys = *p;
	s->pages = malloc(p->nr_pages * sizeof(struct page));
	memcpy(s->pages, p->pages, p->nr_pages * sizeof(struct page));
}

static bool unchanged(struct snapshot *s, const struct phys *p)
{
	bool same = memcmp(&s->phys, p, sizeof(*p)) == 0 &&
		    memcmp(s->pages, p->pages, p->nr_pages * sizeof(struct page)) == 0;

	free(s->pages);
	return same;
}

/* Every kind of bad free gets its own answer and changes nothing. */
static void test_bad_frees_change_nothing(void)
{
	struct fixture *f = fixture_new(16 * MIB);
	struct phys *p = &f->m.phys;
	struct snapshot s;
	uint32_t a;

	memblock_reserve(p, 0, PAGE_SIZE);
	machine_boot(&f->m);
	a = alloc_pages(p, GFP_KERNEL, 2);
	snap(&s, p);
	report(free_pages_inner(p, a, 1) == -MERR_WRONG_ORDER, "wrong order");
	report(free_pages_inner(p, a + 1, 0) == -MERR_NOT_ALLOCATED, "inside a block");
	report(free_pages_inner(p, a + 2, 2) == -MERR_MISALIGNED, "misaligned for the order");
	report(free_pages_inner(p, a, 11) == -MERR_WRONG_ORDER, "order > MAX_PAGE_ORDER");
	report(free_pages_inner(p, 0, 0) == -MERR_RESERVED, "reserved");
	report(free_pages_inner(p, 16 * MIB, 0) == -MERR_OUT_OF_RANGE, "past RAM");
	report(free_pages_inner(p, 2048, 0) == -MERR_NOT_ALLOCATED, "free frame");
	report(free_pages(p, pfn_to_virt(a) + 8, 2) == -MERR_MISALIGNED, "inside a page");
	report(free_pages(p, 0x1000, 0) == -MERR_OUT_OF_RANGE, "not a linear-map address");
	report(unchanged(&s, p), "state unchanged by refused frees");
	report(free_pages_inner(p, a, 2) == 0, "the right free works");
	report(free_pages_inner(p, a, 2) == -MERR_NOT_ALLOCATED, "double free refused");
	report(free_pages(p, 0, 3) == 0, "free_pages(0) is a no-op");
	report(valid(f), "valid");
	fixture_free(f);
}

/* The page API on top: addresses in the linear map, __GFP_ZERO, order limits. */
static void test_page_api(void)
{
	struct fixture *f = booted(16 * MIB);
	struct phys *p = &f->m.phys;
	uint64_t va, dma;
	uint32_t i;
	bool zero = true;

	memset(f->mem, 0xaa, 16 * MIB * PAGE_SIZE);
	va = get_zeroed_page(p, GFP_KERNEL);
	report(va >= PAGE_OFFSET && (va - PAGE_OFFSET) % PAGE_SIZE == 0, "linear-map address");
	for (i = 0; i < PAGE_SIZE; i++)
		zero = zero && ((uint8_t *)f->mem)[virt_to_phys(va) + i] == 0;
	report(zero, "get_zeroed_page() is zeroed");
	report(virt_to_phys(phys_to_virt(0x1234000)) == 0x1234000, "__pa(__va(x)) == x");
	dma = get_dma_pages_inner(p, GFP_KERNEL, 1);
	report(dma != 0 && virt_to_phys(dma) < 16u << 20, "__get_dma_pages below 16 MiB");
	report(alloc_pages(p, GFP_KERNEL, 11) == PFN_NONE, "order 11 fails");
	report(free_page(p, va) == 0 && free_pages(p, dma, 1) == 0, "freed");
	report(nr_free_pages(p) == 16 * MIB, "all free again");
	report(valid(f), "valid");
	fixture_free(f);
}

/* The largest RAM the issue asks for boots, and alloc/free cost does not depend on it. */
static void test_4g_boots(void)
{
	struct fixture *f = booted(4096 * MIB);
	uint32_t pfn = alloc_pages(&f->m.phys, GFP_KERNEL, 0);

	report(pfn == 4096, "first NORMAL frame, got %u", pfn);
	report(free_pages_inner(&f->m.phys, pfn, 0) == 0, "free");
	report(nr_free_pages(&f->m.phys) == 4096 * MIB, "all free");
	report(valid(f), "valid at 4 GiB");
	fixture_free(f);
}

/* The validator is not a check that cannot fail: corruptions are caught. */
static void test_validator_catches_corruption(void)
{
	struct fixture *f = booted(16 * MIB);
	struct phys *p = &f->m.phys;
	uint32_t a = alloc_pages(p, GFP_KERNEL, 0);

	p->pages[a + 1].order = 1; /* a free order-0 block now claims order 1 */
	report(!buddy_validate(p).ok, "wrong order on a free block");
	p->pages[a + 1].order = 0;
	p->zones[ZONE_NORMAL].free_pages++;
	report(!buddy_validate(p).ok, "free count off by one");
	p->zones[ZONE_NORMAL].free_pages--;
	p->pages[a].flags = 0;
	report(!buddy_validate(p).ok, "allocated frame lost its head flag");
	p->pages[a].flags = PG_head;
	report(valid(f), "valid again once repaired");
	fixture_free(f);
}

int main(void)
{
	RUN(test_boot_gives_max_order_blocks_in_ascending_order);
	RUN(test_reservations_and_ragged_end);
	RUN(test_split_then_merge);
	RUN(test_merge_likely_goes_to_tail);
	RUN(test_zone_fallback);
	RUN(test_bad_frees_change_nothing);
	RUN(test_page_api);
	RUN(test_4g_boots);
	RUN(test_validator_catches_corruption);
	return test_summary();
}
