/* SPDX-License-Identifier: MIT */
/*
 * buddy.c - the buddy page allocator. See buddy.h for how it works and which Linux
 * behaviour each function models.
 *
 * Proof notes (docs/proofs.md): the internal helpers take the struct page array and the
 * zone array apart (pages, zones) rather than a struct phys, a zone index rather than a
 * zone pointer, and the number of frames as a ghost parameter (`ghost (nr)`: only the
 * proofs read it; to a C compiler it is a comment). Block sizes come from
 * buddy_block_pages(), whose contract is Pow2(order). None of this changes what the
 * code does; it only makes it easier to state.
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
    requires pfn: pfn <= PHYS_MAX_PAGES && Aligned(pfn, order);
    assigns \nothing;
    ensures low: pfn % (2 * Pow2(order)) == 0 ==>
	\result == pfn + Pow2(order) && pfn % Pow2(order + 1) == 0;
    ensures high: pfn % (2 * Pow2(order)) != 0 ==>
	\result == pfn - Pow2(order) && \result % (2 * Pow2(order)) == 0 &&
	\result % Pow2(order + 1) == 0;
*/
static uint32_t find_buddy_pfn(uint32_t pfn, unsigned int order)
{
	uint32_t sz = buddy_block_pages(order);

	/*@ assert size: 1 <= sz <= 512 && sz == Pow2(order); */
	/*@ assert two: 2 * sz == Pow2(order + 1); */
	/*@ assert low: pfn % (2 * sz) == 0 <==> pfn % (uint32_t)(2 * sz) == 0; */
	if (pfn % (2 * sz) == 0)
		return pfn + sz;
	/*@ assert high: pfn >= sz && (pfn - sz) % (2 * sz) == 0; */
	return pfn - sz;
}

/*
 * Free-list primitives: doubly linked through struct page next/prev.
 *
 * The single writes first: one link of one page, or the ends and count of one free list.
 * Each says what it leaves alone (a link write: every zone field; a list write: every
 * page link), so that the proofs above them only combine contracts and never have to show
 * a page apart from a zone themselves.
 */
/*@ requires valid: \valid(pages + (0 .. nr - 1)) && \valid(zones + (0 .. MAX_NR_ZONES - 1));
    requires sep: \separated(pages + (0 .. nr - 1), zones + (0 .. MAX_NR_ZONES - 1));
    requires x: x < nr;
    assigns pages[x].next;
    ensures set: pages[x].next == v;
    ensures zones: ZonesSame{Pre,Post}(zones);
    ensures marks: MarksSame{Pre,Post}(pages, nr);
    ensures frames: NextFrame{Pre,Post}(pages, nr, x, x) &&
	PrevFrame{Pre,Post}(pages, nr, PFN_NONE, PFN_NONE);
*/
static void page_set_next(struct page *pages, uint32_t x,
			  uint32_t v) /*@ ghost (uint32_t nr, struct zone *zones) */
{
	pages[x].next = v;
}

/*@ requires valid: \valid(pages + (0 .. nr - 1)) && \valid(zones + (0 .. MAX_NR_ZONES - 1));
    requires sep: \separated(pages + (0 .. nr - 1), zones + (0 .. MAX_NR_ZONES - 1));
    requires x: x < nr;
    assigns pages[x].prev;
    ensures set: pages[x].prev == v;
    ensures zones: ZonesSame{Pre,Post}(zones);
    ensures marks: MarksSame{Pre,Post}(pages, nr);
    ensures frames: PrevFrame{Pre,Post}(pages, nr, x, x) &&
	NextFrame{Pre,Post}(pages, nr, PFN_NONE, PFN_NONE);
*/
static void page_set_prev(struct page *pages, uint32_t x,
			  uint32_t v) /*@ ghost (uint32_t nr, struct zone *zones) */
{
	pages[x].prev = v;
}

/*@ requires valid: \valid(pages + (0 .. nr - 1)) && \valid(zones + (0 .. MAX_NR_ZONES - 1));
    requires sep: \separated(pages + (0 .. nr - 1), zones + (0 .. MAX_NR_ZONES - 1));
    requires zone: 0 <= zt < MAX_NR_ZONES;
    requires order: order <= MAX_PAGE_ORDER;
    assigns zones[zt].free_area[order].head, zones[zt].free_area[order].tail,
	zones[zt].free_area[order].nr_free;
    ensures set: zones[zt].free_area[order].head == head &&
	zones[zt].free_area[order].tail == tail && zones[zt].free_area[order].nr_free == nr_free;
    ensures zframe: AreasFrame{Pre,Post}(zones, zt, order);
    ensures kept: ZonesKept{Pre,Post}(zones, MAX_NR_ZONES);
    ensures links: LinksSame{Pre,Post}(pages, nr);
    ensures marks: MarksSame{Pre,Post}(pages, nr);
*/
static void area_set(struct zone *zones, enum zone_type zt, unsigned int order, uint32_t head,
		     uint32_t tail, uint32_t nr_free) /*@ ghost (struct page *pages, uint32_t nr) */
{
	struct free_area *area = &zones[zt].free_area[order];

	area->head = head;
	area->tail = tail;
	area->nr_free = nr_free;
}

/*
 * The marks of a block head: its flags and order (set_buddy_order(), clear_buddy()).
 */
/*@ requires valid: \valid(pages + (0 .. nr - 1));
    requires x: x < nr;
    requires order: order <= MAX_PAGE_ORDER;
    assigns pages[x].flags, pages[x].order;
    ensures set: pages[x].flags == flags && pages[x].order == order;
    ensures frame: MarksFrame{Pre,Post}(pages, nr, x);
*/
static void page_set_mark(struct page *pages, uint32_t x, uint16_t flags,
			  unsigned int order) /*@ ghost (uint32_t nr) */
{
	pages[x].flags = flags;
	pages[x].order = (uint8_t)order;
}

/*
 * The three cases of __add_to_free_list(), each straight-line: pfn alone on an empty list;
 * pfn after the tail; pfn before the head.
 */
/*@ requires valid: \valid(pages + (0 .. nr - 1)) && \valid(zones + (0 .. MAX_NR_ZONES - 1));
    requires sep: \separated(pages + (0 .. nr - 1), zones + (0 .. MAX_NR_ZONES - 1));
    requires zone: 0 <= zt < MAX_NR_ZONES;
    requires order: order <= MAX_PAGE_ORDER;
    requires pfn: pfn < nr;
    assigns zones[zt].free_area[order].head, zones[zt].free_area[order].tail,
	zones[zt].free_area[order].nr_free, pages[pfn].next, pages[pfn].prev;
    ensures zframe: AreasFrame{Pre,Post}(zones, zt, order);
    ensures kept: ZonesKept{Pre,Post}(zones, MAX_NR_ZONES);
    ensures count: zones[zt].free_area[order].nr_free ==
	(uint32_t)(\old(zones[zt].free_area[order].nr_free) + 1);
    ensures nframe: NextFrame{Pre,Post}(pages, nr, pfn, pfn);
    ensures pframe: PrevFrame{Pre,Post}(pages, nr, pfn, pfn);
    ensures links: pages[pfn].next == PFN_NONE && pages[pfn].prev == PFN_NONE;
    ensures ends: zones[zt].free_area[order].head == pfn && zones[zt].free_area[order].tail == pfn;
    ensures marks: MarksSame{Pre,Post}(pages, nr);
*/
static void list_add_empty(struct page *pages, struct zone *zones, enum zone_type zt,
			   unsigned int order, uint32_t pfn) /*@ ghost (uint32_t nr) */
{
	uint32_t nr_free = zones[zt].free_area[order].nr_free;

	page_set_next(pages, pfn, PFN_NONE) /*@ ghost (nr, zones) */;
	page_set_prev(pages, pfn, PFN_NONE) /*@ ghost (nr, zones) */;
	/*@ assert set: pages[pfn].next == PFN_NONE && pages[pfn].prev == PFN_NONE; */
	/*@ assert nframe: NextFrame{Pre,Here}(pages, nr, pfn, pfn); */
	/*@ assert pframe: PrevFrame{Pre,Here}(pages, nr, pfn, pfn); */
	/*@ assert zones: ZonesSame{Pre,Here}(zones); */
	/*@ assert marks: MarksSame{Pre,Here}(pages, nr); */
	area_set(zones, zt, order, pfn, pfn, nr_free + 1) /*@ ghost (pages, nr) */;
}

/*@ requires valid: \valid(pages + (0 .. nr - 1)) && \valid(zones + (0 .. MAX_NR_ZONES - 1));
    requires sep: \separated(pages + (0 .. nr - 1), zones + (0 .. MAX_NR_ZONES - 1));
    requires zone: 0 <= zt < MAX_NR_ZONES;
    requires order: order <= MAX_PAGE_ORDER;
    requires pfn: pfn < nr;
    requires tail: zones[zt].free_area[order].tail < nr &&
	zones[zt].free_area[order].tail != pfn;
    assigns zones[zt].free_area[order].head, zones[zt].free_area[order].tail,
	zones[zt].free_area[order].nr_free, pages[pfn].next, pages[pfn].prev,
	pages[zones[zt].free_area[order].tail].next;
    ensures zframe: AreasFrame{Pre,Post}(zones, zt, order);
    ensures kept: ZonesKept{Pre,Post}(zones, MAX_NR_ZONES);
    ensures count: zones[zt].free_area[order].nr_free ==
	(uint32_t)(\old(zones[zt].free_area[order].nr_free) + 1);
    ensures nframe: NextFrame{Pre,Post}(pages, nr, pfn, \old(zones[zt].free_area[order].tail));
    ensures pframe: PrevFrame{Pre,Post}(pages, nr, pfn, pfn);
    ensures links: \let t = \old(zones[zt].free_area[order].tail);
	pages[pfn].next == PFN_NONE && pages[pfn].prev == t && pages[t].next == pfn &&
	pages[t].prev == \old(pages[t].prev);
    ensures ends: zones[zt].free_area[order].head == \old(zones[zt].free_area[order].head) &&
	zones[zt].free_area[order].tail == pfn;
    ensures marks: MarksSame{Pre,Post}(pages, nr);
*/
static void list_add_tail(struct page *pages, struct zone *zones, enum zone_type zt,
			  unsigned int order, uint32_t pfn) /*@ ghost (uint32_t nr) */
{
	const struct free_area *area = &zones[zt].free_area[order];
	uint32_t head = area->head, tail = area->tail, nr_free = area->nr_free;

	page_set_next(pages, pfn, PFN_NONE) /*@ ghost (nr, zones) */;
	page_set_prev(pages, pfn, tail) /*@ ghost (nr, zones) */;
	/*@ assert set1: \let t = \at(zones[zt].free_area[order].tail, Pre);
		pages[pfn].next == PFN_NONE && pages[pfn].prev == t &&
		pages[t].next == \at(pages[t].next, Pre) && pages[t].prev == \at(pages[t].prev, Pre); */
	/*@ assert nframe1: NextFrame{Pre,Here}(pages, nr, pfn, pfn); */
	/*@ assert zones1: ZonesSame{Pre,Here}(zones); */
	page_set_next(pages, tail, pfn) /*@ ghost (nr, zones) */;
	/*@ assert set: \let t = \at(zones[zt].free_area[order].tail, Pre);
		pages[pfn].next == PFN_NONE && pages[pfn].prev == t &&
		pages[t].next == pfn && pages[t].prev == \at(pages[t].prev, Pre); */
	/*@ assert nframe: NextFrame{Pre,Here}(pages, nr, pfn, tail); */
	/*@ assert pframe: PrevFrame{Pre,Here}(pages, nr, pfn, pfn); */
	/*@ assert zones: ZonesSame{Pre,Here}(zones); */
	/*@ assert marks: MarksSame{Pre,Here}(pages, nr); */
	area_set(zones, zt, order, head, pfn, nr_free + 1) /*@ ghost (pages, nr) */;
}

/*@ requires valid: \valid(pages + (0 .. nr - 1)) && \valid(zones + (0 .. MAX_NR_ZONES - 1));
    requires sep: \separated(pages + (0 .. nr - 1), zones + (0 .. MAX_NR_ZONES - 1));
    requires zone: 0 <= zt < MAX_NR_ZONES;
    requires order: order <= MAX_PAGE_ORDER;
    requires pfn: pfn < nr;
    requires head: zones[zt].free_area[order].head < nr &&
	zones[zt].free_area[order].head != pfn;
    assigns zones[zt].free_area[order].head, zones[zt].free_area[order].tail,
	zones[zt].free_area[order].nr_free, pages[pfn].next, pages[pfn].prev,
	pages[zones[zt].free_area[order].head].prev;
    ensures zframe: AreasFrame{Pre,Post}(zones, zt, order);
    ensures kept: ZonesKept{Pre,Post}(zones, MAX_NR_ZONES);
    ensures count: zones[zt].free_area[order].nr_free ==
	(uint32_t)(\old(zones[zt].free_area[order].nr_free) + 1);
    ensures nframe: NextFrame{Pre,Post}(pages, nr, pfn, pfn);
    ensures pframe: PrevFrame{Pre,Post}(pages, nr, pfn, \old(zones[zt].free_area[order].head));
    ensures links: \let h = \old(zones[zt].free_area[order].head);
	pages[pfn].prev == PFN_NONE && pages[pfn].next == h && pages[h].prev == pfn &&
	pages[h].next == \old(pages[h].next);
    ensures ends: zones[zt].free_area[order].head == pfn &&
	zones[zt].free_area[order].tail == \old(zones[zt].free_area[order].tail);
    ensures marks: MarksSame{Pre,Post}(pages, nr);
*/
static void list_add_head(struct page *pages, struct zone *zones, enum zone_type zt,
			  unsigned int order, uint32_t pfn) /*@ ghost (uint32_t nr) */
{
	const struct free_area *area = &zones[zt].free_area[order];
	uint32_t head = area->head, tail = area->tail, nr_free = area->nr_free;

	page_set_prev(pages, pfn, PFN_NONE) /*@ ghost (nr, zones) */;
	page_set_next(pages, pfn, head) /*@ ghost (nr, zones) */;
	/*@ assert set1: \let h = \at(zones[zt].free_area[order].head, Pre);
		pages[pfn].prev == PFN_NONE && pages[pfn].next == h &&
		pages[h].prev == \at(pages[h].prev, Pre) && pages[h].next == \at(pages[h].next, Pre); */
	/*@ assert pframe1: PrevFrame{Pre,Here}(pages, nr, pfn, pfn); */
	/*@ assert zones1: ZonesSame{Pre,Here}(zones); */
	page_set_prev(pages, head, pfn) /*@ ghost (nr, zones) */;
	/*@ assert set: \let h = \at(zones[zt].free_area[order].head, Pre);
		pages[pfn].prev == PFN_NONE && pages[pfn].next == h &&
		pages[h].prev == pfn && pages[h].next == \at(pages[h].next, Pre); */
	/*@ assert nframe: NextFrame{Pre,Here}(pages, nr, pfn, pfn); */
	/*@ assert pframe: PrevFrame{Pre,Here}(pages, nr, pfn, head); */
	/*@ assert zones: ZonesSame{Pre,Here}(zones); */
	/*@ assert marks: MarksSame{Pre,Here}(pages, nr); */
	area_set(zones, zt, order, pfn, tail, nr_free + 1) /*@ ghost (pages, nr) */;
	/*@ assert nframe_end: NextFrame{Pre,Here}(pages, nr, pfn, pfn); */
}

/*
 * free_list_add() links pfn into the list of (zt, order), at the head or the tail, and
 * marks it the head of a free block of that order (Linux: __add_to_free_list() then
 * set_buddy_order()). The work is done by list_add_mark(), whose contract says exactly
 * what it changes; free_list_add() states what that keeps (the proofs of the two are then
 * small).
 */
/*@ requires nr: nr <= PHYS_MAX_PAGES;
    requires valid: \valid(pages + (0 .. nr - 1)) && \valid(zones + (0 .. MAX_NR_ZONES - 1));
    requires sep: \separated(pages + (0 .. nr - 1), zones + (0 .. MAX_NR_ZONES - 1));
    requires zone: 0 <= zt < MAX_NR_ZONES;
    requires order: order <= MAX_PAGE_ORDER;
    requires pfn: pfn < nr;
    requires ends: LinkOk2(nr, zones[zt].free_area[order].head) &&
	LinkOk2(nr, zones[zt].free_area[order].tail) &&
	(zones[zt].free_area[order].head == PFN_NONE <==> zones[zt].free_area[order].tail == PFN_NONE);
    requires apart: pfn != zones[zt].free_area[order].head && pfn != zones[zt].free_area[order].tail;
    assigns zones[0 .. MAX_NR_ZONES - 1], pages[0 .. nr - 1];
    ensures marks: pages[pfn].flags == PG_buddy && pages[pfn].order == order &&
	MarksFrame{Pre,Post}(pages, nr, pfn);
    ensures kept: ZonesKept{Pre,Post}(zones, MAX_NR_ZONES);
    ensures count: zones[zt].free_area[order].nr_free ==
	(uint32_t)(\old(zones[zt].free_area[order].nr_free) + 1);
    behavior empty:
	assumes zones[zt].free_area[order].head == PFN_NONE;
	ensures zframe: AreasFrame{Pre,Post}(zones, zt, order);
	ensures nframe: NextFrame{Pre,Post}(pages, nr, pfn, pfn);
	ensures pframe: PrevFrame{Pre,Post}(pages, nr, pfn, pfn);
	ensures links: pages[pfn].next == PFN_NONE && pages[pfn].prev == PFN_NONE;
	ensures ends: zones[zt].free_area[order].head == pfn && zones[zt].free_area[order].tail == pfn;
    behavior tail:
	assumes zones[zt].free_area[order].head != PFN_NONE && to_tail;
	ensures zframe: AreasFrame{Pre,Post}(zones, zt, order);
	ensures nframe: NextFrame{Pre,Post}(pages, nr, pfn, \old(zones[zt].free_area[order].tail));
	ensures pframe: PrevFrame{Pre,Post}(pages, nr, pfn, pfn);
	ensures links: \let t = \old(zones[zt].free_area[order].tail);
	    pages[pfn].next == PFN_NONE && pages[pfn].prev == t && pages[t].next == pfn &&
	    pages[t].prev == \old(pages[t].prev);
	ensures ends: zones[zt].free_area[order].head == \old(zones[zt].free_area[order].head) &&
	    zones[zt].free_area[order].tail == pfn;
    behavior head:
	assumes zones[zt].free_area[order].head != PFN_NONE && !to_tail;
	ensures zframe: AreasFrame{Pre,Post}(zones, zt, order);
	ensures nframe: NextFrame{Pre,Post}(pages, nr, pfn, pfn);
	ensures pframe: PrevFrame{Pre,Post}(pages, nr, pfn, \old(zones[zt].free_area[order].head));
	ensures links: \let h = \old(zones[zt].free_area[order].head);
	    pages[pfn].prev == PFN_NONE && pages[pfn].next == h && pages[h].prev == pfn &&
	    pages[h].next == \old(pages[h].next);
	ensures ends: zones[zt].free_area[order].head == pfn &&
	    zones[zt].free_area[order].tail == \old(zones[zt].free_area[order].tail);
    complete behaviors;
    disjoint behaviors;
*/
static void list_add_mark(struct page *pages, struct zone *zones, enum zone_type zt,
			  unsigned int order, uint32_t pfn, bool to_tail) /*@ ghost (uint32_t nr) */
{
	/* set_buddy_order() first: the list steps below never read or write the marks. */
	page_set_mark(pages, pfn, PG_buddy, order) /*@ ghost (nr) */;
	if (zones[zt].free_area[order].head == PFN_NONE) {
		list_add_empty(pages, zones, zt, order, pfn) /*@ ghost (nr) */;
		/*@ assert count_empty: zones[zt].free_area[order].nr_free ==
			(uint32_t)(\at(zones[zt].free_area[order].nr_free, Pre) + 1); */
	} else if (to_tail) {
		list_add_tail(pages, zones, zt, order, pfn) /*@ ghost (nr) */;
		/*@ assert count_tail: zones[zt].free_area[order].nr_free ==
			(uint32_t)(\at(zones[zt].free_area[order].nr_free, Pre) + 1); */
	} else {
		list_add_head(pages, zones, zt, order, pfn) /*@ ghost (nr) */;
		/*@ assert count_head: zones[zt].free_area[order].nr_free ==
			(uint32_t)(\at(zones[zt].free_area[order].nr_free, Pre) + 1); */
	}
	/*@ assert count: zones[zt].free_area[order].nr_free ==
		(uint32_t)(\at(zones[zt].free_area[order].nr_free, Pre) + 1); */
}

/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires zone: zt == ZoneOf(pfn);
    requires order: order <= MAX_PAGE_ORDER;
    requires block: pfn < nr && Fits(nr, pfn, order);
    requires clear: Clear(pages, nr, pfn, order);
    assigns zones[0 .. MAX_NR_ZONES - 1], pages[0 .. nr - 1];
    ensures inner: Inner(pages, nr, zones);
    ensures added: PgFreeAt(pages, nr, zt, order, pfn);
    ensures count: zones[zt].free_area[order].nr_free ==
	(uint32_t)(\old(zones[zt].free_area[order].nr_free) + 1);
    ensures kept: ZonesKept{Pre,Post}(zones, MAX_NR_ZONES);
    ensures keep_clear: \forall integer x, o; \old(Clear(pages, nr, x, o)) &&
	(x + Pow2(o) <= pfn || pfn + Pow2(order) <= x) ==> Clear(pages, nr, x, o);
    ensures keep_below: \forall integer e; \old(Below(pages, nr, e)) && pfn + Pow2(order) <= e ==>
	Below(pages, nr, e);
    ensures heads: HeadsKept{Pre,Post}(pages, nr);
*/
static void free_list_add(struct page *pages, struct zone *zones, enum zone_type zt,
			  unsigned int order, uint32_t pfn, bool to_tail) /*@ ghost (uint32_t nr) */
{
	/*@ assert free_ok0: FreeOk(pages, nr); */
	/*@ assert head_ok0: HeadOk(pages, nr); */
	/*@ assert disjoint0: Disjoint(pages, nr); */
	/*@ assert next_ok0: NextOk(pages, nr, zones); */
	/*@ assert prev_ok0: PrevOk(pages, nr, zones); */
	/*@ assert ends_ok0: EndsIff(zones) && HeadsOk(pages, nr, zones) && TailsOk(pages, nr, zones); */
	/*@ assert area: AreaOk(pages, nr, zones, zt, order); */
	/*@ assert new: !PgBlock(pages, pfn); */
	list_add_mark(pages, zones, zt, order, pfn, to_tail) /*@ ghost (nr) */;
	/*@ assert before: AddBefore{Pre}(pages, nr, zones, zt, order, pfn); */
	/*@ assert marks: AddMarks{Pre,Here}(pages, nr, pfn, order); */
	/*@ assert empty: \at(zones[zt].free_area[order].head, Pre) == PFN_NONE ==>
		AddEmpty{Pre,Here}(pages, nr, zones, zt, order, pfn); */
	/*@ assert tail: \at(zones[zt].free_area[order].head, Pre) != PFN_NONE && to_tail ==>
		AddTail{Pre,Here}(pages, nr, zones, zt, order, pfn); */
	/*@ assert head: \at(zones[zt].free_area[order].head, Pre) != PFN_NONE && !to_tail ==>
		AddHead{Pre,Here}(pages, nr, zones, zt, order, pfn); */
	/*@ assert blocks: BlocksFrame{Pre,Here}(pages, nr, pfn); */
	/*@ assert end: PgEnd(pages, pfn) == pfn + Pow2(order); */
	/*@ assert free_ok: FreeOk(pages, nr); */
	/*@ assert head_ok: HeadOk(pages, nr); */
	/*@ assert disjoint: Disjoint(pages, nr); */
	/*@ assert next_ok: NextOk(pages, nr, zones); */
	/*@ assert prev_ok: PrevOk(pages, nr, zones); */
	/*@ assert iff: EndsIff(zones); */
	/*@ assert heads: HeadsOk(pages, nr, zones); */
	/*@ assert tails: TailsOk(pages, nr, zones); */
}

/*
 * The link writes of list_del_unmark(), in its order: prev's next, next's prev, then both
 * links of the page itself.
 */
/*@ requires valid: \valid(pages + (0 .. nr - 1)) && \valid(zones + (0 .. MAX_NR_ZONES - 1));
    requires sep: \separated(pages + (0 .. nr - 1), zones + (0 .. MAX_NR_ZONES - 1));
    requires x: x < nr;
    requires prev: LinkOk2(nr, prev);
    requires next: LinkOk2(nr, next);
    assigns pages[0 .. nr - 1];
    ensures nframe: NextFrame{Pre,Post}(pages, nr, x, prev);
    ensures pframe: PrevFrame{Pre,Post}(pages, nr, x, next);
    ensures self: pages[x].next == PFN_NONE && pages[x].prev == PFN_NONE;
    ensures prev_next: prev != PFN_NONE && prev != x ==> pages[prev].next == next;
    ensures next_prev: next != PFN_NONE && next != x ==> pages[next].prev == prev;
    ensures zones: ZonesSame{Pre,Post}(zones);
    ensures marks: MarksSame{Pre,Post}(pages, nr);
*/
static void list_unlink(struct page *pages, uint32_t x, uint32_t prev,
			uint32_t next) /*@ ghost (uint32_t nr, struct zone *zones) */
{
	if (prev != PFN_NONE)
		page_set_next(pages, prev, next) /*@ ghost (nr, zones) */;
	if (next != PFN_NONE)
		page_set_prev(pages, next, prev) /*@ ghost (nr, zones) */;
	page_set_next(pages, x, PFN_NONE) /*@ ghost (nr, zones) */;
	page_set_prev(pages, x, PFN_NONE) /*@ ghost (nr, zones) */;
}

/*
 * free_list_del() unlinks the free block at pfn from the list of (zt, order) and unmarks
 * it (Linux: __del_page_from_free_list(), with __ClearPageBuddy() and
 * set_page_private(page, 0)). The page's prev and next are read into locals first; the work is
 * done by list_del_unmark(), whose contract says exactly what it changes, and
 * free_list_del() states what that keeps.
 */
/*@ requires nr: nr <= PHYS_MAX_PAGES;
    requires valid: \valid(pages + (0 .. nr - 1)) && \valid(zones + (0 .. MAX_NR_ZONES - 1));
    requires sep: \separated(pages + (0 .. nr - 1), zones + (0 .. MAX_NR_ZONES - 1));
    requires zone: 0 <= zt < MAX_NR_ZONES;
    requires order: order <= MAX_PAGE_ORDER;
    requires pfn: pfn < nr;
    requires links: LinkOk2(nr, pages[pfn].next) && LinkOk2(nr, pages[pfn].prev);
    assigns zones[0 .. MAX_NR_ZONES - 1], pages[0 .. nr - 1];
    ensures marks: pages[pfn].flags == 0 && pages[pfn].order == 0 &&
	MarksFrame{Pre,Post}(pages, nr, pfn);
    ensures kept: ZonesKept{Pre,Post}(zones, MAX_NR_ZONES);
    ensures count: zones[zt].free_area[order].nr_free ==
	(uint32_t)(\old(zones[zt].free_area[order].nr_free) - 1);
    ensures zframe: AreasFrame{Pre,Post}(zones, zt, order);
    ensures self: pages[pfn].next == PFN_NONE && pages[pfn].prev == PFN_NONE;
    ensures head: zones[zt].free_area[order].head == (\old(pages[pfn].prev) == PFN_NONE ?
	\old(pages[pfn].next) : \old(zones[zt].free_area[order].head));
    ensures tail: zones[zt].free_area[order].tail == (\old(pages[pfn].next) == PFN_NONE ?
	\old(pages[pfn].prev) : \old(zones[zt].free_area[order].tail));
    behavior no_prev:
	assumes pages[pfn].prev == PFN_NONE;
	ensures nframe: NextFrame{Pre,Post}(pages, nr, pfn, \old(pages[pfn].prev));
    behavior prev:
	assumes pages[pfn].prev != PFN_NONE;
	ensures nframe: NextFrame{Pre,Post}(pages, nr, pfn, \old(pages[pfn].prev));
	ensures prev_next: \let pv = \old(pages[pfn].prev);
	    pv != pfn ==> pages[pv].next == \old(pages[pfn].next);
    behavior no_next:
	assumes pages[pfn].next == PFN_NONE;
	ensures pframe: PrevFrame{Pre,Post}(pages, nr, pfn, \old(pages[pfn].next));
    behavior next:
	assumes pages[pfn].next != PFN_NONE;
	ensures pframe: PrevFrame{Pre,Post}(pages, nr, pfn, \old(pages[pfn].next));
	ensures next_prev: \let nx = \old(pages[pfn].next);
	    nx != pfn ==> pages[nx].prev == \old(pages[pfn].prev);
*/
static void list_del_unmark(struct page *pages, struct zone *zones, enum zone_type zt,
			    unsigned int order, uint32_t pfn) /*@ ghost (uint32_t nr) */
{
	const struct free_area *area = &zones[zt].free_area[order];
	uint32_t prev = pages[pfn].prev, next = pages[pfn].next;
	uint32_t head = area->head, tail = area->tail, nr_free = area->nr_free;

	/* clear_buddy() first: the list steps below never read or write the marks. */
	page_set_mark(pages, pfn, 0, 0) /*@ ghost (nr) */;
	/* The links, then the list ends (the area is never inside the page array). */
	list_unlink(pages, pfn, prev, next) /*@ ghost (nr, zones) */;
	if (prev == PFN_NONE)
		head = next;
	if (next == PFN_NONE)
		tail = prev;
	area_set(zones, zt, order, head, tail, nr_free - 1) /*@ ghost (pages, nr) */;
}

/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires order: order <= MAX_PAGE_ORDER;
    requires pfn: PgFreeAt(pages, nr, zt, order, pfn);
    assigns zones[0 .. MAX_NR_ZONES - 1], pages[0 .. nr - 1];
    ensures inner: Inner(pages, nr, zones);
    ensures removed: !PgBlock(pages, pfn);
    ensures clear: Clear(pages, nr, pfn, order);
    ensures count: zones[zt].free_area[order].nr_free ==
	(uint32_t)(\old(zones[zt].free_area[order].nr_free) - 1);
    ensures kept: ZonesKept{Pre,Post}(zones, MAX_NR_ZONES);
    ensures keep_clear: \forall integer x, o; \old(Clear(pages, nr, x, o)) ==> Clear(pages, nr, x, o);
    ensures keep_below: \forall integer e; \old(Below(pages, nr, e)) ==> Below(pages, nr, e);
    ensures heads: HeadsKept{Pre,Post}(pages, nr);
    ensures was_free: \old(pages[pfn].flags) == PG_buddy;
*/
static void free_list_del(struct page *pages, struct zone *zones, enum zone_type zt,
			  unsigned int order, uint32_t pfn) /*@ ghost (uint32_t nr) */
{
	/*@ assert free_ok0: FreeOk(pages, nr); */
	/*@ assert head_ok0: HeadOk(pages, nr); */
	/*@ assert disjoint0: Disjoint(pages, nr); */
	/*@ assert next_ok0: NextOk(pages, nr, zones); */
	/*@ assert prev_ok0: PrevOk(pages, nr, zones); */
	/*@ assert ends_ok0: EndsIff(zones) && HeadsOk(pages, nr, zones) && TailsOk(pages, nr, zones); */
	/*@ assert next_at: NextAt(pages, nr, zones, pfn); */
	/*@ assert prev_at: PrevAt(pages, nr, zones, pfn); */
	/*@ assert area: AreaOk(pages, nr, zones, zt, order); */
	/*@ assert before: DelBefore(pages, nr, zones, zt, order, pfn); */
	list_del_unmark(pages, zones, zt, order, pfn) /*@ ghost (nr) */;
	/*@ assert marks: DelMarks{Pre,Here}(pages, nr, pfn); */
	/*@ assert links: DelLinks{Pre,Here}(pages, nr, zones, zt, order, pfn); */
	/*@ assert blocks: BlocksFrame{Pre,Here}(pages, nr, pfn); */
	/*@ assert end: \at(PgEnd(pages, pfn), Pre) == pfn + Pow2(order); */
	/*@ assert was_block: \at(PgBlock(pages, pfn), Pre); */
	/*@ assert removed: !PgBlock(pages, pfn); */
	/*@ assert free_ok: FreeOk(pages, nr); */
	/*@ assert head_ok: HeadOk(pages, nr); */
	/*@ assert disjoint: Disjoint(pages, nr); */
	/*@ assert next_ok: NextOk(pages, nr, zones); */
	/*@ assert prev_ok: PrevOk(pages, nr, zones); */
	/*@ assert iff: EndsIff(zones); */
	/*@ assert heads: HeadsOk(pages, nr, zones); */
	/*@ assert tails: TailsOk(pages, nr, zones); */
}

/*
 * Facts the invariant gives about one block, as ghost lemma functions: a caller that needs
 * one calls the function (in ghost code) rather than unfolding Inner in its own goals.
 */
/*@ ghost
/@ requires mem: PagesMem(pages, nr, zones);
   requires inner: Inner(pages, nr, zones);
   requires pfn: pfn < nr && HasFlag(pages[pfn].flags, PG_buddy);
   assigns \nothing;
   ensures free: PgFree(pages, pfn) && Fits(nr, pfn, pages[pfn].order);
@/
static void free_block_fits(struct page *pages, uint32_t nr, struct zone *zones, uint32_t pfn)
{
	/@ assert free_ok: FreeOk(pages, nr); @/
}

/@ requires mem: PagesMem(pages, nr, zones);
   requires inner: Inner(pages, nr, zones);
   requires zone: 0 <= zt < MAX_NR_ZONES;
   requires order: order <= MAX_PAGE_ORDER;
   requires found: zones[zt].free_area[order].head != PFN_NONE;
   assigns \nothing;
   ensures first: PgFreeAt(pages, nr, zt, order, zones[zt].free_area[order].head) &&
	Fits(nr, zones[zt].free_area[order].head, order);
@/
static void list_first_fits(struct page *pages, uint32_t nr, struct zone *zones,
			    enum zone_type zt, unsigned int order)
{
	/@ assert heads: HeadsOk(pages, nr, zones); @/
	/@ assert free_ok: FreeOk(pages, nr); @/
}
*/

/*
 * A zone's free and managed counts (Linux: __mod_zone_page_state(), managed_pages). Only
 * counters change: the lists and blocks, and so Inner, stay as they were.
 */
/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires zone: 0 <= zt < MAX_NR_ZONES;
    assigns zones[zt].free_pages;
    ensures inner: Inner(pages, nr, zones);
    ensures counted: zones[zt].free_pages == (uint32_t)(\old(zones[zt].free_pages) + n);
    ensures kept: ZonesKept{Pre,Post}(zones, zt);
*/
static void zone_free_add(struct zone *zones, enum zone_type zt,
			  uint32_t n) /*@ ghost (struct page *pages, uint32_t nr) */
{
	zones[zt].free_pages += n;
	/*@ assert same: PagesSame{Pre,Here}(pages, nr) && AreasSame{Pre,Here}(zones); */
}

/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires zone: 0 <= zt < MAX_NR_ZONES;
    assigns zones[zt].free_pages;
    ensures inner: Inner(pages, nr, zones);
    ensures counted: zones[zt].free_pages == (uint32_t)(\old(zones[zt].free_pages) - n);
    ensures kept: ZonesKept{Pre,Post}(zones, zt);
*/
static void zone_free_sub(struct zone *zones, enum zone_type zt,
			  uint32_t n) /*@ ghost (struct page *pages, uint32_t nr) */
{
	zones[zt].free_pages -= n;
	/*@ assert same: PagesSame{Pre,Here}(pages, nr) && AreasSame{Pre,Here}(zones); */
}

/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires zone: 0 <= zt < MAX_NR_ZONES;
    assigns zones[zt].managed_pages;
    ensures inner: Inner(pages, nr, zones);
    ensures bounds: \forall integer zi; 0 <= zi < MAX_NR_ZONES ==>
	zones[zi].start_pfn == \old(zones[zi].start_pfn) && zones[zi].end_pfn == \old(zones[zi].end_pfn);
    ensures zshape: \old(ZShape(zones, nr)) ==> ZShape(zones, nr);
*/
static void zone_managed_add(struct zone *zones, enum zone_type zt,
			     uint32_t n) /*@ ghost (struct page *pages, uint32_t nr) */
{
	zones[zt].managed_pages += n;
	/*@ assert same: PagesSame{Pre,Here}(pages, nr) && AreasSame{Pre,Here}(zones); */
}

/*
 * Models mm/page_alloc.c: page_is_buddy(). Is the block at buddy a free block of the
 * same order in the same zone (so the two may merge)?
 */
/*@ requires pages: \valid_read(pages + (0 .. nr - 1));
    requires zones: \valid_read(zones + (0 .. MAX_NR_ZONES - 1)) && ZShape(zones, nr);
    requires nr: nr <= PHYS_MAX_PAGES;
    requires zone: 0 <= zt < MAX_NR_ZONES;
    assigns \nothing;
    ensures exact: \result <==> (buddy < nr && ZoneOf(buddy) == zt &&
	HasFlag(pages[buddy].flags, PG_buddy) && pages[buddy].order == order);
*/
static bool page_is_buddy(const struct page *pages, const struct zone *zones, enum zone_type zt,
			  uint32_t buddy, unsigned int order) /*@ ghost (uint32_t nr) */
{
	const struct zone *z = &zones[zt];
	const struct page *page;

	if (buddy < z->start_pfn || buddy >= z->end_pfn)
		return false;
	page = &pages[buddy];
	return flag_set(page->flags, PG_buddy) && page->order == order;
}

/*
 * Models mm/page_alloc.c: buddy_merge_likely(). After a block of this order at pfn
 * stopped merging, is the buddy of the block one order up free? Then this block is
 * likely to merge soon: put it at the tail of its list so it is not handed out first.
 */
/*@ requires pages: \valid_read(pages + (0 .. nr - 1));
    requires zones: \valid_read(zones + (0 .. MAX_NR_ZONES - 1)) && ZShape(zones, nr);
    requires nr: nr <= PHYS_MAX_PAGES;
    requires zone: 0 <= zt < MAX_NR_ZONES;
    requires order: order <= MAX_PAGE_ORDER;
    requires pfn: pfn <= PHYS_MAX_PAGES;
    assigns \nothing;
*/
static bool buddy_merge_likely(const struct page *pages, const struct zone *zones,
			       enum zone_type zt, uint32_t pfn,
			       unsigned int order) /*@ ghost (uint32_t nr) */
{
	uint32_t sz, higher, higher_buddy;

	if (order >= MAX_PAGE_ORDER - 1)
		return false;
	sz = buddy_block_pages(order);
	/*@ assert size: 1 <= sz <= 256 && sz == Pow2(order); */
	higher = pfn - pfn % (2 * sz);
	/*@ assert round: higher == pfn - pfn % (2 * Pow2(order)) && higher <= pfn; */
	/*@ assert aligned: Aligned(higher, order + 1); */
	higher_buddy = find_buddy_pfn(higher, order + 1);
	return page_is_buddy(pages, zones, zt, higher_buddy, order + 1) /*@ ghost (nr) */;
}

/*
 * Models mm/page_alloc.c: __free_one_page(). Merge the free block at pfn with its
 * buddies as far as they are free, then put it on the free list: at the tail when
 * to_tail (boot) or when buddy_merge_likely(), else at the head.
 */
/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires zshape: ZShape(zones, nr);
    requires zone: zt == ZoneOf(pfn);
    requires block: pfn < nr && Fits(nr, pfn, order);
    requires clear: Clear(pages, nr, pfn, order);
    assigns zones[0 .. MAX_NR_ZONES - 1], pages[0 .. nr - 1];
    ensures inner: Inner(pages, nr, zones);
    ensures counted: zones[zt].free_pages == (uint32_t)(\old(zones[zt].free_pages) + Pow2(order));
    ensures below: \old(Below(pages, nr, pfn)) ==> Below(pages, nr, pfn + Pow2(order));
    ensures kept: ZonesKept{Pre,Post}(zones, zt);
*/
static void free_one_page_inner(struct page *pages, struct zone *zones, enum zone_type zt,
				uint32_t pfn, unsigned int order,
				bool to_tail) /*@ ghost (uint32_t nr) */
{
	uint32_t size = buddy_block_pages(order);
	/*@ ghost uint32_t end = pfn + size; */

	/*@ loop invariant inner: Inner(pages, nr, zones);
	    loop invariant order: \at(order, Pre) <= order <= MAX_PAGE_ORDER;
	    loop invariant zshape: ZShape(zones, nr);
	    loop invariant block: pfn < nr && Fits(nr, pfn, order) && ZoneOf(pfn) == zt;
	    loop invariant clear: Clear(pages, nr, pfn, order);
	    loop invariant kept: ZonesKept{Pre,Here}(zones, MAX_NR_ZONES);
	    loop invariant below: \at(Below(pages, nr, pfn), Pre) ==>
		Below(pages, nr, \at(pfn, Pre)) && pfn + Pow2(order) == end;
	    loop assigns order, pfn, zones[0 .. MAX_NR_ZONES - 1], pages[0 .. nr - 1];
	    loop variant MAX_PAGE_ORDER - order;
	*/
	while (order < MAX_PAGE_ORDER) {
		uint32_t buddy = find_buddy_pfn(pfn, order);

		if (!page_is_buddy(pages, zones, zt, buddy, order) /*@ ghost (nr) */)
			break;
		/*@ ghost free_block_fits(pages, nr, zones, buddy); */
		/*@ assert boot_low: \at(Below(pages, nr, pfn), Pre) ==> buddy < pfn; */
		free_list_del(pages, zones, zt, order, buddy) /*@ ghost (nr) */;
		/*@ assert clear_pfn: Clear(pages, nr, pfn, order); */
		if (buddy < pfn)
			pfn = buddy;
		/*@ assert merged: Clear(pages, nr, pfn, order + 1); */
		order++;
	}
	/*@ assert below: \at(Below(pages, nr, pfn), Pre) ==> Below(pages, nr, end); */
	if (!to_tail)
		to_tail = buddy_merge_likely(pages, zones, zt, pfn, order) /*@ ghost (nr) */;
	free_list_add(pages, zones, zt, order, pfn, to_tail) /*@ ghost (nr) */;
	/*@ assert kept_max: ZonesKept{Pre,Here}(zones, MAX_NR_ZONES); */
	/*@ assert kept_add: ZonesKept{Pre,Here}(zones, zt); */
	zone_free_add(zones, zt, size) /*@ ghost (pages, nr) */;
}

/*
 * Models mm/page_alloc.c: expand(). The block of 2^high frames at pfn is split down to
 * 2^low; each upper half goes to the head of its order's free list.
 */
/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires zone: zt == ZoneOf(pfn);
    requires orders: low <= high <= MAX_PAGE_ORDER;
    requires block: pfn < nr && Fits(nr, pfn, high);
    requires clear: Clear(pages, nr, pfn, high);
    assigns zones[0 .. MAX_NR_ZONES - 1], pages[0 .. nr - 1];
    ensures inner: Inner(pages, nr, zones);
    ensures fits: Fits(nr, pfn, low);
    ensures clear: Clear(pages, nr, pfn, low);
    ensures kept: ZonesKept{Pre,Post}(zones, MAX_NR_ZONES);
    ensures heads: HeadsKept{Pre,Post}(pages, nr);
*/
static void expand(struct page *pages, struct zone *zones, enum zone_type zt, uint32_t pfn,
		   unsigned int low, unsigned int high) /*@ ghost (uint32_t nr) */
{
	/*@ loop invariant inner: Inner(pages, nr, zones);
	    loop invariant orders: low <= high <= \at(high, Pre);
	    loop invariant fits: Fits(nr, pfn, high);
	    loop invariant clear: Clear(pages, nr, pfn, high);
	    loop invariant kept: ZonesKept{Pre,Here}(zones, MAX_NR_ZONES);
	    loop invariant heads: HeadsKept{Pre,Here}(pages, nr);
	    loop assigns high, zones[0 .. MAX_NR_ZONES - 1], pages[0 .. nr - 1];
	    loop variant high - low;
	*/
	while (high > low) {
		uint32_t half;

		high--;
		half = pfn + buddy_block_pages(high);
		/*@ assert clear: Clear(pages, nr, pfn, high) && Clear(pages, nr, half, high); */
		/*@ assert whole: Aligned(pfn, high + 1); */
		/*@ assert halves: Aligned(pfn, high) && Aligned(half, high); */
		/*@ assert fits: Fits(nr, pfn, high) && Fits(nr, half, high) && ZoneOf(half) == zt; */
		free_list_add(pages, zones, zt, high, half, false) /*@ ghost (nr) */;
	}
}

/*
 * The first half of mm/page_alloc.c: __rmqueue_smallest(): the first order >= order
 * whose free list in zone zt is not empty; NR_PAGE_ORDERS when there is none.
 */
/*@ requires zones: \valid_read(zones + (0 .. MAX_NR_ZONES - 1));
    requires zone: 0 <= zt < MAX_NR_ZONES;
    requires order: order <= MAX_PAGE_ORDER;
    assigns \nothing;
    ensures range: order <= \result <= NR_PAGE_ORDERS;
    ensures empty: \forall integer o; order <= o < \result ==>
	zones[zt].free_area[o].head == PFN_NONE;
    ensures found: \result <= MAX_PAGE_ORDER ==> zones[zt].free_area[\result].head != PFN_NONE;
*/
static unsigned int rmqueue_order(const struct zone *zones, enum zone_type zt, unsigned int order)
{
	unsigned int current_order;

	/*@ loop invariant orders: order <= current_order <= MAX_PAGE_ORDER + 1;
	    loop invariant empty: \forall integer o; order <= o < current_order ==>
		zones[zt].free_area[o].head == PFN_NONE;
	    loop assigns current_order;
	    loop variant MAX_PAGE_ORDER + 1 - current_order;
	*/
	for (current_order = order; current_order <= MAX_PAGE_ORDER; current_order++)
		if (zones[zt].free_area[current_order].head != PFN_NONE)
			break;
	return current_order;
}

/*
 * The second half of __rmqueue_smallest(): take the head of the (non-empty) free list
 * of current_order and split it down to order.
 */
/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires zone: 0 <= zt < MAX_NR_ZONES;
    requires orders: order <= current_order <= MAX_PAGE_ORDER;
    requires found: zones[zt].free_area[current_order].head != PFN_NONE;
    assigns zones[0 .. MAX_NR_ZONES - 1], pages[0 .. nr - 1];
    ensures inner: Inner(pages, nr, zones);
    ensures block: \result < nr && Fits(nr, \result, order) && ZoneOf(\result) == zt;
    ensures clear: Clear(pages, nr, \result, order);
    ensures counted: zones[zt].free_pages == (uint32_t)(\old(zones[zt].free_pages) - Pow2(order));
    ensures kept: ZonesKept{Pre,Post}(zones, zt);
    ensures heads: HeadsKept{Pre,Post}(pages, nr);
    ensures fresh: \old(pages[\result].flags) == PG_buddy;
*/
static uint32_t rmqueue_smallest(struct page *pages, struct zone *zones, enum zone_type zt,
				 unsigned int order,
				 unsigned int current_order) /*@ ghost (uint32_t nr) */
{
	uint32_t pfn = zones[zt].free_area[current_order].head;

	/*@ ghost list_first_fits(pages, nr, zones, zt, current_order); */
	free_list_del(pages, zones, zt, current_order, pfn) /*@ ghost (nr) */;
	expand(pages, zones, zt, pfn, order, current_order) /*@ ghost (nr) */;
	zone_free_sub(zones, zt, buddy_block_pages(order)) /*@ ghost (pages, nr) */;
	return pfn;
}

/*
 * Page-level steps of allocating and freeing a block. Each writes one struct page and
 * states what that keeps: set_page_head() makes a clear range an allocated block,
 * clear_page_head() turns an allocated block back into a clear range, set_tail() writes a
 * page inside a block (a compound tail, or clears one).
 */
/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires block: pfn < nr && Fits(nr, pfn, order);
    requires clear: Clear(pages, nr, pfn, order);
    requires flags: HeadFlags(flags);
    assigns pages[pfn];
    ensures inner: Inner(pages, nr, zones);
    ensures head: pages[pfn].flags == flags && pages[pfn].order == order &&
	pages[pfn].refcount == 1;
    ensures inside: \forall integer j; pfn < j < pfn + Pow2(order) ==> !PgBlock(pages, j);
    ensures heads: HeadsKept{Pre,Post}(pages, nr);
    ensures kept: ZonesKept{Pre,Post}(zones, MAX_NR_ZONES);
*/
static void set_page_head(struct page *pages, uint32_t pfn, unsigned int order,
			  uint16_t flags) /*@ ghost (uint32_t nr, struct zone *zones) */
{
	struct page *head = &pages[pfn];

	head->flags = flags;
	head->order = (uint8_t)order;
	head->refcount = 1;
	head->next = PFN_NONE;
	head->prev = PFN_NONE;
	/*@ assert parts0: \at(FreeOk(pages, nr) && HeadOk(pages, nr) && Disjoint(pages, nr) &&
		NextOk(pages, nr, zones) && PrevOk(pages, nr, zones) && EndsIff(zones) &&
		HeadsOk(pages, nr, zones) && TailsOk(pages, nr, zones), Pre); */
	/*@ assert others: OthersSame{Pre,Here}(pages, nr, pfn); */
	/*@ assert areas: AreasSame{Pre,Here}(zones); */
	/*@ assert not_free: NotFreeBoth{Pre,Here}(pages, pfn); */
	/*@ assert blocks: BlocksFrame{Pre,Here}(pages, nr, pfn); */
	/*@ assert free_ok: FreeOk(pages, nr); */
	/*@ assert head_ok: HeadOk(pages, nr); */
	/*@ assert end: PgEnd(pages, pfn) == pfn + Pow2(order); */
	/*@ assert disjoint_pre: \at(Disjoint(pages, nr), Pre) && \at(Clear(pages, nr, pfn, order), Pre); */
	/*@ assert disjoint: Disjoint(pages, nr); */
	/*@ assert next_ok: NextOk(pages, nr, zones); */
	/*@ assert prev_ok: PrevOk(pages, nr, zones); */
	/*@ assert iff: EndsIff(zones); */
	/*@ assert heads: HeadsOk(pages, nr, zones); */
	/*@ assert tails: TailsOk(pages, nr, zones); */
}

/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires head: pfn < nr && PgHead(pages, pfn);
    assigns pages[pfn];
    ensures inner: Inner(pages, nr, zones);
    ensures clear: Clear(pages, nr, pfn, \old(pages[pfn].order));
    ensures cleared: pages[pfn].flags == 0;
    ensures kept: ZonesKept{Pre,Post}(zones, MAX_NR_ZONES);
*/
static void clear_page_head(struct page *pages,
			    uint32_t pfn) /*@ ghost (uint32_t nr, struct zone *zones) */
{
	struct page *head = &pages[pfn];

	head->flags = 0;
	head->order = 0;
	head->refcount = 0;
	head->slab_cache = 0;
	head->next = PFN_NONE;
	head->prev = PFN_NONE;
	/*@ assert parts0: \at(FreeOk(pages, nr) && HeadOk(pages, nr) && Disjoint(pages, nr) &&
		NextOk(pages, nr, zones) && PrevOk(pages, nr, zones) && EndsIff(zones) &&
		HeadsOk(pages, nr, zones) && TailsOk(pages, nr, zones), Pre); */
	/*@ assert others: OthersSame{Pre,Here}(pages, nr, pfn); */
	/*@ assert areas: AreasSame{Pre,Here}(zones); */
	/*@ assert not_free: NotFreeBoth{Pre,Here}(pages, pfn); */
	/*@ assert blocks: BlocksFrame{Pre,Here}(pages, nr, pfn); */
	/*@ assert end: \at(PgEnd(pages, pfn), Pre) == pfn + Pow2(\at(pages[pfn].order, Pre)); */
	/*@ assert free_ok: FreeOk(pages, nr); */
	/*@ assert head_ok: HeadOk(pages, nr); */
	/*@ assert unmarked: !PgBlock(pages, pfn) && \at(PgBlock(pages, pfn), Pre); */
	/*@ assert disjoint: Disjoint(pages, nr); */
	/*@ assert clear: Clear(pages, nr, pfn, \at(pages[pfn].order, Pre)); */
	/*@ assert next_ok: NextOk(pages, nr, zones); */
	/*@ assert prev_ok: PrevOk(pages, nr, zones); */
	/*@ assert iff: EndsIff(zones); */
	/*@ assert heads: HeadsOk(pages, nr, zones); */
	/*@ assert tails: TailsOk(pages, nr, zones); */
}

/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires page: x < nr && !PgBlock(pages, x);
    requires flags: flags == 0 || flags == PG_tail;
    assigns pages[x];
    ensures inner: Inner(pages, nr, zones);
    ensures set: pages[x].flags == flags && pages[x].next == next && !PgBlock(pages, x);
    ensures heads: HeadsKept{Pre,Post}(pages, nr);
    ensures kept: ZonesKept{Pre,Post}(zones, MAX_NR_ZONES);
*/
static void set_tail(struct page *pages, uint32_t x, uint16_t flags,
		     uint32_t next) /*@ ghost (uint32_t nr, struct zone *zones) */
{
	pages[x].flags = flags;
	pages[x].next = next;
	/*@ assert parts0: \at(FreeOk(pages, nr) && HeadOk(pages, nr) && Disjoint(pages, nr) &&
		NextOk(pages, nr, zones) && PrevOk(pages, nr, zones) && EndsIff(zones) &&
		HeadsOk(pages, nr, zones) && TailsOk(pages, nr, zones), Pre); */
	/*@ assert same: OthersSame{Pre,Here}(pages, nr, x) && AreasSame{Pre,Here}(zones); */
	/*@ assert not_free: NotFreeBoth{Pre,Here}(pages, x); */
	/*@ assert blocks: BlocksFrame{Pre,Here}(pages, nr, x); */
	/*@ assert free_ok: FreeOk(pages, nr); */
	/*@ assert head_ok: HeadOk(pages, nr); */
	/*@ assert disjoint: Disjoint(pages, nr); */
	/*@ assert next_ok: NextOk(pages, nr, zones); */
	/*@ assert prev_ok: PrevOk(pages, nr, zones); */
	/*@ assert iff: EndsIff(zones); */
	/*@ assert heads: HeadsOk(pages, nr, zones); */
	/*@ assert tails: TailsOk(pages, nr, zones); */
}

/*
 * Models mm/page_alloc.c: prep_compound_page(), the tails: every frame after the head
 * points to it and carries PG_tail.
 */
/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires block: pfn < nr && 1 <= n && pfn + n <= nr;
    requires inside: \forall integer j; pfn < j < pfn + n ==> !PgBlock(pages, j);
    assigns pages[pfn + 1 .. pfn + n - 1];
    ensures inner: Inner(pages, nr, zones);
    ensures heads: HeadsKept{Pre,Post}(pages, nr);
    ensures kept: ZonesKept{Pre,Post}(zones, MAX_NR_ZONES);
*/
static void prep_compound_tails(struct page *pages, uint32_t pfn,
				uint32_t n) /*@ ghost (uint32_t nr, struct zone *zones) */
{
	uint32_t i;

	/*@ loop invariant bound: 1 <= i <= n;
	    loop invariant inner: Inner(pages, nr, zones);
	    loop invariant inside: \forall integer j; pfn + i <= j < pfn + n ==> !PgBlock(pages, j);
	    loop invariant heads: HeadsKept{Pre,Here}(pages, nr);
	    loop invariant kept: ZonesKept{Pre,Here}(zones, MAX_NR_ZONES);
	    loop assigns i, pages[pfn + 1 .. pfn + n - 1];
	    loop variant n - i;
	*/
	for (i = 1; i < n; i++)
		set_tail(pages, pfn + i, PG_tail, pfn) /*@ ghost (nr, zones) */;
}

/* __GFP_ZERO: clear the n frames from pfn (mm/page_alloc.c: kernel_init_pages()). */
/*@ requires frames: \valid(mem + (pfn * PAGE_WORDS .. (pfn + n) * PAGE_WORDS - 1));
    requires range: pfn + n <= PHYS_MAX_PAGES;
    assigns mem[pfn * PAGE_WORDS .. (pfn + n) * PAGE_WORDS - 1];
*/
static void zero_frames(uint64_t *mem, uint32_t pfn, uint32_t n)
{
	uint64_t *words = mem + (size_t)pfn * PAGE_WORDS;
	size_t len = (size_t)n * PAGE_WORDS, i;

	/*@ loop invariant bound: 0 <= i <= len;
	    loop assigns i, words[0 .. len - 1];
	    loop variant len - i;
	*/
	for (i = 0; i < len; i++)
		words[i] = 0;
}

/*
 * Models mm/page_alloc.c: prep_new_page() and prep_compound_page(). The block is now
 * allocated: a PG_head with refcount 1; compound tails point to the head; __GFP_ZERO
 * clears the frames.
 */
/*@ requires mem: PagesMem(pages, nr, zones);
    requires frames: \valid(mem + (0 .. nr * PAGE_WORDS - 1)) &&
	\separated(mem + (0 .. nr * PAGE_WORDS - 1), pages + (0 .. nr - 1),
		   zones + (0 .. MAX_NR_ZONES - 1));
    requires inner: Inner(pages, nr, zones);
    requires block: pfn < nr && Fits(nr, pfn, order);
    requires clear: Clear(pages, nr, pfn, order);
    assigns pages[pfn .. pfn + Pow2(order) - 1],
	mem[pfn * PAGE_WORDS .. (pfn + Pow2(order)) * PAGE_WORDS - 1];
    ensures inner: Inner(pages, nr, zones);
    ensures head: HeadFlags(pages[pfn].flags) &&
	pages[pfn].order == order && pages[pfn].refcount == 1;
    ensures kept: ZonesKept{Pre,Post}(zones, MAX_NR_ZONES);
    ensures heads: HeadsKept{Pre,Post}(pages, nr);
*/
static void prep_new_page(struct page *pages, uint64_t *mem, uint32_t pfn, unsigned int order,
			  gfp_t gfp) /*@ ghost (uint32_t nr, struct zone *zones) */
{
	uint32_t n = buddy_block_pages(order);
	bool compound = flag_set(gfp, __GFP_COMP) && order > 0;

	set_page_head(pages, pfn, order,
		      compound ? PG_head | PG_compound : PG_head) /*@ ghost (nr, zones) */;
	if (compound)
		prep_compound_tails(pages, pfn, n) /*@ ghost (nr, zones) */;
	if (flag_set(gfp, __GFP_ZERO))
		zero_frames(mem, pfn, n);
}

/* Where alloc_pages() takes its block from: a zone and the order of a non-empty free list. */
struct alloc_pick {
	enum zone_type zt;
	unsigned int order; /* > MAX_PAGE_ORDER: this zone (or every allowed zone) cannot serve */
};

/*
 * Can zone zt serve an allocation of 2^order frames? It needs that many free frames
 * (mm/page_alloc.c: the watermark check of get_page_from_freelist(), without the
 * watermark) and a free list of order >= order (the search of __rmqueue_smallest()).
 */
/*@ requires valid: \valid_read(p);
    requires zone: zt == ZONE_DMA || zt == ZONE_NORMAL;
    requires order: order <= MAX_PAGE_ORDER;
    assigns \nothing;
    ensures zone: \result.zt == zt;
    ensures none: \result.order > MAX_PAGE_ORDER <==> ZoneCannotServe(p, zt, order);
    ensures found: \result.order <= MAX_PAGE_ORDER ==> order <= \result.order &&
	p->zones[zt].free_pages >= Pow2(order) &&
	p->zones[zt].free_area[\result.order].head != PFN_NONE;
*/
static struct alloc_pick zone_pick(const struct phys *p, enum zone_type zt, unsigned int order)
{
	struct alloc_pick pick = {zt, NR_PAGE_ORDERS};

	if (p->zones[zt].free_pages >= buddy_block_pages(order))
		pick.order = rmqueue_order(p->zones, zt, order);
	return pick;
}

/*
 * The zonelist walk of get_page_from_freelist() on x86: GFP_KERNEL tries ZONE_NORMAL, then
 * ZONE_DMA; __GFP_DMA allocates from ZONE_DMA only. The first zone that can serve.
 */
/*@ requires valid: \valid_read(p);
    requires order: order <= MAX_PAGE_ORDER;
    assigns \nothing;
    ensures none: \result.order > MAX_PAGE_ORDER <==> (ZoneCannotServe(p, ZONE_DMA, order) &&
	(HasFlag(gfp, __GFP_DMA) || ZoneCannotServe(p, ZONE_NORMAL, order)));
    ensures found: \result.order <= MAX_PAGE_ORDER ==>
	(\result.zt == ZONE_DMA || \result.zt == ZONE_NORMAL) && order <= \result.order &&
	p->zones[\result.zt].free_pages >= Pow2(order) &&
	p->zones[\result.zt].free_area[\result.order].head != PFN_NONE;
    ensures dma: \result.order <= MAX_PAGE_ORDER && HasFlag(gfp, __GFP_DMA) ==>
	\result.zt == ZONE_DMA;
*/
static struct alloc_pick alloc_pick(const struct phys *p, gfp_t gfp, unsigned int order)
{
	if (!flag_set(gfp, __GFP_DMA)) {
		struct alloc_pick pick = zone_pick(p, ZONE_NORMAL, order);

		if (pick.order <= MAX_PAGE_ORDER)
			return pick;
	}
	return zone_pick(p, ZONE_DMA, order);
}

/*
 * The allocation proper, on the page array: take the first block of the free list of
 * (zt, current_order), split it down to order (__rmqueue_smallest()), and prepare its
 * pages (prep_new_page()).
 */
/*@ requires mem: PagesMem(pages, nr, zones);
    requires frames: \valid(mem + (0 .. nr * PAGE_WORDS - 1)) &&
	\separated(mem + (0 .. nr * PAGE_WORDS - 1), pages + (0 .. nr - 1),
		   zones + (0 .. MAX_NR_ZONES - 1));
    requires inner: Inner(pages, nr, zones);
    requires zone: 0 <= zt < MAX_NR_ZONES;
    requires orders: order <= current_order <= MAX_PAGE_ORDER;
    requires found: zones[zt].free_area[current_order].head != PFN_NONE;
    requires nrp: \valid_read(nrp) && *nrp == nr &&
	\separated(nrp, pages + (0 .. nr - 1), zones + (0 .. MAX_NR_ZONES - 1));
    assigns zones[0 .. MAX_NR_ZONES - 1], pages[0 .. nr - 1], mem[0 .. nr * PAGE_WORDS - 1];
    ensures nr: *nrp == nr;
    ensures inner: Inner(pages, nr, zones);
    ensures block: \result < nr && Fits(nr, \result, order) && ZoneOf(\result) == zt;
    ensures head: HeadFlags(pages[\result].flags) &&
	pages[\result].order == order && pages[\result].refcount == 1;
    ensures counted: zones[zt].free_pages == (uint32_t)(\old(zones[zt].free_pages) - Pow2(order));
    ensures kept: ZonesKept{Pre,Post}(zones, zt);
    ensures heads: HeadsKept{Pre,Post}(pages, nr);
    ensures fresh: \old(pages[\result].flags) == PG_buddy;
    ensures mem_kept: \forall integer j; 0 <= j < nr * PAGE_WORDS &&
	(j < \result * PAGE_WORDS || j >= (\result + Pow2(order)) * PAGE_WORDS) ==>
	mem[j] == \old(mem[j]);
*/
static uint32_t alloc_block(struct page *pages, struct zone *zones, uint64_t *mem,
			    enum zone_type zt, unsigned int order, unsigned int current_order,
			    gfp_t gfp) /*@ ghost (uint32_t nr, uint32_t *nrp) */
{
	uint32_t pfn = rmqueue_smallest(pages, zones, zt, order, current_order) /*@ ghost (nr) */;

	prep_new_page(pages, mem, pfn, order, gfp) /*@ ghost (nr, zones) */;
	return pfn;
}

/*
 * alloc_block() on p's arrays, with what alloc_pages() promises stated on p. The asserts
 * carry p->nr_pages over the call: the call writes only the page array and the zones.
 */
/*@ requires safe: BuddySafe(p);
    requires booted: p->booted;
    requires zone: zt == ZONE_DMA || zt == ZONE_NORMAL;
    requires orders: order <= current_order <= MAX_PAGE_ORDER;
    requires found: p->zones[zt].free_pages >= Pow2(order) &&
	p->zones[zt].free_area[current_order].head != PFN_NONE;
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures booted: p->booted;
    ensures in_ram: \result < p->nr_pages;
    ensures aligned: \result % Pow2(order) == 0;
    ensures fits: \result + Pow2(order) <= p->nr_pages;
    ensures in_zone: BlockFits(p, \result, order);
    ensures zone: ZoneOf(\result) == zt;
    ensures head: IsHead(p, \result) && p->pages[\result].order == order &&
	p->pages[\result].refcount == 1;
    ensures not_free: !IsFree(p, \result);
    ensures counted: p->zones[zt].free_pages == \old(p->zones[zt].free_pages) - Pow2(order);
    ensures other_zone: p->zones[1 - zt].free_pages == \old(p->zones[1 - zt].free_pages);
    ensures fresh: \at(p->pages[\result].flags, Pre) == PG_buddy;
    ensures heads_kept: \forall integer x; 0 <= x < p->nr_pages && IsHead{Pre}(p, x) ==>
	IsHead(p, x);
    ensures mem_kept: \forall integer j; 0 <= j < RamWords(p) &&
	(j < \result * PAGE_WORDS || j >= (\result + Pow2(order)) * PAGE_WORDS) ==>
	p->mem[j] == \old(p->mem[j]);
*/
static uint32_t alloc_from(struct phys *p, enum zone_type zt, unsigned int order,
			   unsigned int current_order, gfp_t gfp)
{
	uint32_t pfn;

	/*@ assert apart: \separated(&p->nr_pages, p->pages + (0 .. p->nr_pages - 1)); */
	/*@ assert shape0: ShapeOf(p, p->pages, p->mem, p->nr_pages); */
	/*@ assert zones0: ZShape(&p->zones[0], p->nr_pages); */
	/*@ assert nr_apart: NrApart(&p->nr_pages, &p->zones[0]); */
	pfn = alloc_block(p->pages, p->zones, p->mem, zt, order, current_order,
			  gfp) /*@ ghost (p->nr_pages, &p->nr_pages) */;
	/*@ assert shape: PhysShape(p); */
	/*@ assert zshape: ZShape(&p->zones[0], p->nr_pages); */
	/*@ assert zones: ZonesShape(p); */
	/*@ assert inner: Inner(p->pages, p->nr_pages, &p->zones[0]); */
	/*@ assert flags: HeadFlags(p->pages[pfn].flags); */
	return pfn;
}

uint32_t alloc_pages(struct phys *p, gfp_t gfp, unsigned int order)
{
	struct alloc_pick pick;

	if (!p->booted || order > MAX_PAGE_ORDER)
		return PFN_NONE;
	pick = alloc_pick(p, gfp, order);
	if (pick.order > MAX_PAGE_ORDER)
		return PFN_NONE;
	return alloc_from(p, pick.zt, order, pick.order, gfp);
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

/* What the invariant says about an allocated block: it fits its zone, nothing starts inside. */
/*@ ghost
/@ requires mem: PagesMem(pages, nr, zones);
   requires inner: Inner(pages, nr, zones);
   requires head: pfn < nr && PgHead(pages, pfn);
   assigns \nothing;
   ensures fits: Fits(nr, pfn, pages[pfn].order);
   ensures inside: \forall integer j; pfn < j < pfn + Pow2(pages[pfn].order) ==> !PgBlock(pages, j);
@/
static void head_block_facts(struct page *pages, uint32_t nr, struct zone *zones, uint32_t pfn)
{
	/@ assert head_ok: HeadOk(pages, nr); @/
	/@ assert disjoint: Disjoint(pages, nr); @/
}
*/

/* A compound block's tails back to plain frames (mm/page_alloc.c: free_tail_page_prepare()). */
/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires block: pfn < nr && 1 <= n && pfn + n <= nr;
    requires inside: \forall integer j; pfn < j < pfn + n ==> !PgBlock(pages, j);
    assigns pages[pfn + 1 .. pfn + n - 1];
    ensures inner: Inner(pages, nr, zones);
    ensures kept: ZonesKept{Pre,Post}(zones, MAX_NR_ZONES);
*/
static void clear_compound_tails(struct page *pages, uint32_t pfn,
				 uint32_t n) /*@ ghost (uint32_t nr, struct zone *zones) */
{
	uint32_t i;

	/*@ loop invariant bound: 1 <= i <= n;
	    loop invariant inner: Inner(pages, nr, zones);
	    loop invariant inside: \forall integer j; pfn + i <= j < pfn + n ==> !PgBlock(pages, j);
	    loop invariant kept: ZonesKept{Pre,Here}(zones, MAX_NR_ZONES);
	    loop assigns i, pages[pfn + 1 .. pfn + n - 1];
	    loop variant n - i;
	*/
	for (i = 1; i < n; i++)
		set_tail(pages, pfn + i, 0, PFN_NONE) /*@ ghost (nr, zones) */;
}

/* Return an allocated block to its zone: clear the tails and the head, then merge. */
/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires zshape: ZShape(zones, nr);
    requires head: pfn < nr && PgHead(pages, pfn) && pages[pfn].order == order;
    requires nrp: \valid_read(nrp) && *nrp == nr &&
	\separated(nrp, pages + (0 .. nr - 1), zones + (0 .. MAX_NR_ZONES - 1));
    assigns zones[0 .. MAX_NR_ZONES - 1], pages[0 .. nr - 1];
    ensures inner: Inner(pages, nr, zones);
    ensures counted: zones[ZoneOf(pfn)].free_pages ==
	(uint32_t)(\old(zones[ZoneOf(pfn)].free_pages) + Pow2(order));
    ensures kept: ZonesKept{Pre,Post}(zones, ZoneOf(pfn));
    ensures nr: *nrp == nr;
*/
static void free_block(struct page *pages, struct zone *zones, uint32_t pfn,
		       unsigned int order) /*@ ghost (uint32_t nr, uint32_t *nrp) */
{
	/*@ ghost head_block_facts(pages, nr, zones, pfn); */
	if (flag_set(pages[pfn].flags, PG_compound))
		clear_compound_tails(pages, pfn, buddy_block_pages(order)) /*@ ghost (nr, zones) */;
	/*@ assert kept1: ZonesKept{Pre,Here}(zones, MAX_NR_ZONES); */
	clear_page_head(pages, pfn) /*@ ghost (nr, zones) */;
	/*@ assert kept2: ZonesKept{Pre,Here}(zones, MAX_NR_ZONES); */
	free_one_page_inner(pages, zones, page_zonenum(pfn), pfn, order, false) /*@ ghost (nr) */;
}

/*
 * free_block() on p's arrays, with what free_pages_inner() promises stated on p (see
 * alloc_from() for the asserts).
 */
/*@ requires safe: BuddySafe(p);
    requires booted: p->booted;
    requires head: pfn < p->nr_pages && IsHead(p, pfn) && p->pages[pfn].order == order;
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures counted: p->zones[ZoneOf(pfn)].free_pages ==
	(uint32_t)(\old(p->zones[ZoneOf(pfn)].free_pages) + Pow2(order));
    ensures other_zone: p->zones[1 - ZoneOf(pfn)].free_pages ==
	\old(p->zones[1 - ZoneOf(pfn)].free_pages);
*/
static void free_from(struct phys *p, uint32_t pfn, unsigned int order)
{
	/*@ assert apart: \separated(&p->nr_pages, p->pages + (0 .. p->nr_pages - 1)); */
	/*@ assert shape0: ShapeOf(p, p->pages, p->mem, p->nr_pages); */
	/*@ assert zones0: ZShape(&p->zones[0], p->nr_pages); */
	/*@ assert nr_apart: NrApart(&p->nr_pages, &p->zones[0]); */
	free_block(p->pages, p->zones, pfn, order) /*@ ghost (p->nr_pages, &p->nr_pages) */;
	/*@ assert shape: PhysShape(p); */
	/*@ assert zshape: ZShape(&p->zones[0], p->nr_pages); */
	/*@ assert zones: ZonesShape(p); */
	/*@ assert inner: Inner(p->pages, p->nr_pages, &p->zones[0]); */
}

/* Models include/linux/mm.h: put_page_testzero(). Drop a reference; is it the last one? */
/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires pfn: pfn < nr;
    assigns pages[pfn].refcount;
    ensures inner: Inner(pages, nr, zones);
    ensures dropped: pages[pfn].refcount == (uint16_t)(\old(pages[pfn].refcount) - 1);
    ensures result: \result <==> \old(pages[pfn].refcount) == 1;
*/
static bool put_page_testzero(struct page *pages,
			      uint32_t pfn) /*@ ghost (uint32_t nr, struct zone *zones) */
{
	uint16_t old = pages[pfn].refcount;
	bool zero = old == 1; /* the new count, (uint16_t)(old - 1), is 0 */

	pages[pfn].refcount = (uint16_t)(old - 1);

	/*@ assert same: PagesSame{Pre,Here}(pages, nr) && AreasSame{Pre,Here}(zones); */
	return zero;
}

int free_pages_inner(struct phys *p, uint32_t pfn, unsigned int order)
{
	int err = check_free(p, pfn, order);

	if (err != 0)
		return err;
	if (put_page_testzero(p->pages, pfn) /*@ ghost (p->nr_pages, p->zones) */)
		free_from(p, pfn, order);
	return 0;
}

/* (free_block() clears the refcount with the rest of the head.) */
void buddy_free_owned(struct phys *p, uint32_t pfn, unsigned int order)
{
	free_from(p, pfn, order);
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
	gfp_t dma_gfp = flag_set(gfp, GFP_DMA) ? gfp : gfp + GFP_DMA;

	/*@ assert dma: HasFlag(dma_gfp, __GFP_DMA); */
	return get_free_pages_inner(p, dma_gfp, order);
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
/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires zshape: ZShape(zones, nr);
    requires range: start < end <= nr;
    requires below: Below(pages, nr, start);
    assigns zones[0 .. MAX_NR_ZONES - 1], pages[0 .. nr - 1];
    ensures inner: Inner(pages, nr, zones);
    ensures below: Below(pages, nr, end);
    ensures zshape: ZShape(zones, nr);
*/
static void free_pages_memory(struct page *pages, struct zone *zones, uint32_t start,
			      uint32_t end) /*@ ghost (uint32_t nr) */
{
	/*@ loop invariant inner: Inner(pages, nr, zones);
	    loop invariant range: start <= end;
	    loop invariant below: Below(pages, nr, start);
	    loop invariant zshape: ZShape(zones, nr);
	    loop assigns start, zones[0 .. MAX_NR_ZONES - 1], pages[0 .. nr - 1];
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
		/*@ assert aligned: Aligned(start, order); */
		/*@ assert dma: start < MAX_DMA_PFN ==> start + Pow2(order) <= MAX_DMA_PFN; */
		/*@ assert fits: Fits(nr, start, order); */
		/*@ assert clear: Clear(pages, nr, start, order); */
		zone_managed_add(zones, zt, buddy_block_pages(order)) /*@ ghost (pages, nr) */;
		free_one_page_inner(pages, zones, zt, start, order, true) /*@ ghost (nr) */;
		start += buddy_block_pages(order);
	}
}

/* Before boot every frame is clear and every list empty: the invariant holds. */
/*@ ghost
/@ requires mem: PagesMem(pages, nr, zones);
   requires no_flags: \forall integer i; 0 <= i < nr ==> pages[i].flags == 0;
   requires empty: \forall integer zi, o; 0 <= zi < MAX_NR_ZONES && 0 <= o < NR_PAGE_ORDERS ==>
	zones[zi].free_area[o].head == PFN_NONE && zones[zi].free_area[o].tail == PFN_NONE;
   assigns \nothing;
   ensures inner: Inner(pages, nr, zones);
   ensures below: Below(pages, nr, 0);
@/
static void inner_empty(struct page *pages, uint32_t nr, struct zone *zones)
{
	/@ assert free_ok: FreeOk(pages, nr); @/
	/@ assert head_ok: HeadOk(pages, nr); @/
	/@ assert disjoint: Disjoint(pages, nr); @/
	/@ assert next_ok: NextOk(pages, nr, zones); @/
	/@ assert prev_ok: PrevOk(pages, nr, zones); @/
	/@ assert iff: EndsIff(zones); @/
	/@ assert heads: HeadsOk(pages, nr, zones); @/
	/@ assert tails: TailsOk(pages, nr, zones); @/
}
*/

/* A boot-reserved frame: PG_reserved with a reference (memblock_reserve()d memory). */
/*@ requires mem: PagesMem(pages, nr, zones);
    requires inner: Inner(pages, nr, zones);
    requires pfn: pfn < nr;
    requires below: Below(pages, nr, pfn);
    assigns pages[0 .. nr - 1];
    ensures inner: Inner(pages, nr, zones);
    ensures below: Below(pages, nr, pfn + 1);
    ensures reserved: pages[pfn].flags == PG_reserved && pages[pfn].refcount == 1;
*/
static void reserve_page(struct page *pages,
			 uint32_t pfn) /*@ ghost (uint32_t nr, struct zone *zones) */
{
	/*@ assert not_block: !PgBlock(pages, pfn); */
	pages[pfn].flags = PG_reserved;
	pages[pfn].refcount = 1;
	/*@ assert parts0: \at(FreeOk(pages, nr) && HeadOk(pages, nr) && Disjoint(pages, nr) &&
		NextOk(pages, nr, zones) && PrevOk(pages, nr, zones) && EndsIff(zones) &&
		HeadsOk(pages, nr, zones) && TailsOk(pages, nr, zones), Pre); */
	/*@ assert others: OthersSame{Pre,Here}(pages, nr, pfn); */
	/*@ assert areas: AreasSame{Pre,Here}(zones); */
	/*@ assert not_free: NotFreeBoth{Pre,Here}(pages, pfn); */
	/*@ assert blocks: BlocksFrame{Pre,Here}(pages, nr, pfn); */
	/*@ assert free_ok: FreeOk(pages, nr); */
	/*@ assert head_ok: HeadOk(pages, nr); */
	/*@ assert disjoint: Disjoint(pages, nr); */
	/*@ assert next_ok: NextOk(pages, nr, zones); */
	/*@ assert prev_ok: PrevOk(pages, nr, zones); */
	/*@ assert iff: EndsIff(zones); */
	/*@ assert heads: HeadsOk(pages, nr, zones); */
	/*@ assert tails: TailsOk(pages, nr, zones); */
}

/*
 * Models mm/memblock.c: memblock_free_all(): every reserved frame marked PG_reserved, every
 * run of other frames given to the allocator, in ascending order. Returns the number of
 * reserved frames. p is only read (the memblock ranges, through pfn_reserved()).
 */
/*@ requires mem: PagesMem(pages, nr, zones);
    requires regions: \valid_read(p);
    requires inner: Inner(pages, nr, zones);
    requires zshape: ZShape(zones, nr);
    requires below: Below(pages, nr, 0);
    assigns zones[0 .. MAX_NR_ZONES - 1], pages[0 .. nr - 1];
    ensures inner: Inner(pages, nr, zones);
    ensures zshape: ZShape(zones, nr);
*/
static uint32_t memblock_free_all(const struct phys *p, struct page *pages, struct zone *zones,
				  uint32_t nr)
{
	uint32_t pfn, run = 0, reserved = 0;

	/*@ loop invariant bound: 0 <= run <= pfn <= nr;
	    loop invariant zshape: ZShape(zones, nr);
	    loop invariant inner: Inner(pages, nr, zones);
	    loop invariant below: Below(pages, nr, run);
	    loop assigns pfn, run, reserved, zones[0 .. MAX_NR_ZONES - 1], pages[0 .. nr - 1];
	    loop variant nr - pfn;
	*/
	for (pfn = 0; pfn < nr; pfn++) {
		if (pfn_reserved(p, pfn)) {
			if (run < pfn)
				free_pages_memory(pages, zones, run, pfn) /*@ ghost (nr) */;
			reserve_page(pages, pfn) /*@ ghost (nr, zones) */;
			reserved++;
			run = pfn + 1;
		}
	}
	if (run < nr)
		free_pages_memory(pages, zones, run, nr) /*@ ghost (nr) */;
	return reserved;
}

/*
 * The end of boot: the reserved count, and booted. Nothing the invariant reads changes;
 * the invariant in the terms of struct phys follows from Inner (PhysViews_Of_Inner).
 */
/*@ requires shape: PhysShape(p);
    requires zones: ZonesShape(p);
    requires inner: Inner(p->pages, p->nr_pages, &p->zones[0]);
    assigns p->reserved_pages, p->booted;
    ensures done: p->reserved_pages == reserved && p->booted;
    ensures shape: PhysShape(p);
    ensures zones: ZonesShape(p);
    ensures inner: Inner(p->pages, p->nr_pages, &p->zones[0]);
    ensures views: FreeBlocksOk(p) && HeadBlocksOk(p) && FreeLinksInRange(p) && ListRange(p);
*/
static void boot_done(struct phys *p, uint32_t reserved)
{
	p->reserved_pages = reserved;
	p->booted = true;
	/*@ assert same: PagesSame{Pre,Here}(p->pages, p->nr_pages) && AreasSame{Pre,Here}(&p->zones[0]); */
}

int mem_init(struct phys *p)
{
	struct page *pages = p->pages;
	struct zone *zones = p->zones;
	uint32_t nr = p->nr_pages, dma_end;

	if (p->booted)
		return -MERR_BOOTED;
	dma_end = nr < MAX_DMA_PFN ? nr : MAX_DMA_PFN;
	zones[ZONE_DMA].start_pfn = 0;
	zones[ZONE_DMA].end_pfn = dma_end;
	zones[ZONE_NORMAL].start_pfn = dma_end;
	zones[ZONE_NORMAL].end_pfn = nr;
	/*@ ghost inner_empty(pages, nr, zones); */
	boot_done(p, memblock_free_all(p, pages, zones, nr));
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
	uint32_t counted[MAX_NR_ZONES * NR_PAGE_ORDERS] = {0}; /* [zone][order], flat */
	uint32_t zone_free[MAX_NR_ZONES] = {0, 0};
	uint32_t free = 0, allocated = 0, reserved = 0, pfn = 0, zt, o;

	if (!p->booted)
		return r;
	/*@ loop invariant bound: pfn <= p->nr_pages;
	    loop assigns pfn, zt, o, r, free, allocated, reserved, counted[0 .. MAX_NR_ZONES * NR_PAGE_ORDERS - 1],
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
			    page_is_buddy(p->pages, p->zones, (enum zone_type)zt,
					  find_buddy_pfn(pfn, page->order),
					  page->order) /*@ ghost (p->nr_pages) */)
				return bad("free block not coalesced with its free buddy", pfn);
			/*@ assert index: zt < MAX_NR_ZONES && page->order < NR_PAGE_ORDERS; */
			counted[zt * NR_PAGE_ORDERS + page->order]++;
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
			if (counted[zt * NR_PAGE_ORDERS + o] != z->free_area[o].nr_free)
				return bad("a free block is not on its free list", o);
		}
	}
	return r;
}
