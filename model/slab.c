/* SPDX-License-Identifier: MIT */
/*
 * slab.c - the slab allocator after SLUB (v6.x). See slab.h for how it works.
 *
 * Written for Frama-C/WP (docs/proofs.md): flag bits through flag_set() and small
 * helpers, every write to a struct page in one helper that keeps BuddySafe, and the
 * facts about a slab's struct page that no contract carries across the page allocator's
 * calls (the frame is a slab of the cache, its first free object is one of its objects)
 * checked where they are read: a state slab_validate() accepts never fails those checks,
 * a corrupted one gets -MERR_CORRUPT instead of an access outside RAM.
 */
#include "slab.h"

#ifdef __FRAMAC__
/*
 * For the frame facts after a call of the page allocator: field f of every cache as it
 * was at Pre (KMEM_KEPT), and the postconditions of a wrapper that states them, one per
 * field (KMEM_FRAME: each is proved with nothing but the call in the context; together,
 * or as the struct equality, they time out: docs/proofs.md, lessons 9-10).
 */
/* clang-format off */
#define KMEM_KEPT(f) \
	(\forall integer j; 0 <= j < MAX_CACHES ==> k->caches[j].f == \at(k->caches[j].f, Pre))
#define KMEM_FRAME \
	ensures k_object_size: KMEM_KEPT(object_size); \
	ensures k_size: KMEM_KEPT(size); \
	ensures k_align: KMEM_KEPT(align); \
	ensures k_offset: KMEM_KEPT(offset); \
	ensures k_flags: KMEM_KEPT(flags); \
	ensures k_order: KMEM_KEPT(order); \
	ensures k_objects: KMEM_KEPT(objects); \
	ensures k_min_order: KMEM_KEPT(min_order); \
	ensures k_min_partial: KMEM_KEPT(min_partial); \
	ensures k_partial_head: KMEM_KEPT(partial_head); \
	ensures k_partial_tail: KMEM_KEPT(partial_tail); \
	ensures k_nr_partial: KMEM_KEPT(nr_partial); \
	ensures k_nr_slabs: KMEM_KEPT(nr_slabs); \
	ensures k_created: KMEM_KEPT(created); \
	ensures k_total_objects: KMEM_KEPT(total_objects); \
	ensures k_active_objects: KMEM_KEPT(active_objects); \
	ensures k_nr_cpus: k->nr_cpus == \old(k->nr_cpus); \
	ensures k_next_created: k->next_created == \old(k->next_created); \
	ensures k_kmalloc_ids: \forall integer i; 0 <= i < NR_KMALLOC_SIZES ==> \
		k->kmalloc_caches[i] == \old(k->kmalloc_caches[i]) && \
		k->kmalloc_dma_caches[i] == \old(k->kmalloc_dma_caches[i]);
/*
 * The postconditions of cache_install() and cache_open(): every cache slot but slot as it
 * was, one field per postcondition (a postcondition is no hypothesis of the next: the
 * solvers time out on them together, or on CacheSame at once), and the CPU count and the
 * kmalloc ids.
 */
#define SLOT_KEPT \
	ensures kept_in_use: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].in_use == \old(k->caches[j].in_use); \
	ensures kept_kmalloc: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].kmalloc == \old(k->caches[j].kmalloc); \
	ensures kept_object_size: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].object_size == \old(k->caches[j].object_size); \
	ensures kept_size: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].size == \old(k->caches[j].size); \
	ensures kept_offset: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].offset == \old(k->caches[j].offset); \
	ensures kept_order: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].order == \old(k->caches[j].order); \
	ensures kept_min_order: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].min_order == \old(k->caches[j].min_order); \
	ensures kept_align: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].align == \old(k->caches[j].align); \
	ensures kept_flags: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].flags == \old(k->caches[j].flags); \
	ensures kept_objects: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].objects == \old(k->caches[j].objects); \
	ensures kept_min_partial: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].min_partial == \old(k->caches[j].min_partial); \
	ensures kept_created: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].created == \old(k->caches[j].created); \
	ensures kept_partial_head: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].partial_head == \old(k->caches[j].partial_head); \
	ensures kept_partial_tail: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].partial_tail == \old(k->caches[j].partial_tail); \
	ensures kept_nr_partial: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].nr_partial == \old(k->caches[j].nr_partial); \
	ensures kept_nr_slabs: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].nr_slabs == \old(k->caches[j].nr_slabs); \
	ensures kept_total_objects: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].total_objects == \old(k->caches[j].total_objects); \
	ensures kept_active_objects: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==> \
		k->caches[j].active_objects == \old(k->caches[j].active_objects); \
	ensures kept_name: \forall integer j, m; 0 <= j < MAX_CACHES && j != slot && 0 <= m < CACHE_NAME_LEN ==> \
		k->caches[j].name[m] == \old(k->caches[j].name[m]); \
	ensures cpus: k->nr_cpus == \old(k->nr_cpus); \
	ensures kmalloc_ids: \forall integer i; 0 <= i < NR_KMALLOC_SIZES ==> \
		k->kmalloc_caches[i] == \old(k->kmalloc_caches[i]) && \
		k->kmalloc_dma_caches[i] == \old(k->kmalloc_dma_caches[i]);
/* clang-format on */
#endif

/* The slab allocator frees the blocks it owns through buddy_free_owned() (buddy.h). */

static const uint32_t kmalloc_sizes[NR_KMALLOC_SIZES] = {8,   16,  32,	 64,   96,   128, 192,
							 256, 512, 1024, 2048, 4096, 8192};
static const char kmalloc_names[NR_KMALLOC_SIZES][CACHE_NAME_LEN] = {
    "kmalloc-8",   "kmalloc-16",  "kmalloc-32",	 "kmalloc-64",	"kmalloc-96",
    "kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512", "kmalloc-1k",
    "kmalloc-2k",  "kmalloc-4k",  "kmalloc-8k"};
static const char kmalloc_dma_names[NR_KMALLOC_SIZES][CACHE_NAME_LEN] = {
    "dma-kmalloc-8",   "dma-kmalloc-16",  "dma-kmalloc-32",  "dma-kmalloc-64",	"dma-kmalloc-96",
    "dma-kmalloc-128", "dma-kmalloc-192", "dma-kmalloc-256", "dma-kmalloc-512", "dma-kmalloc-1k",
    "dma-kmalloc-2k",  "dma-kmalloc-4k",  "dma-kmalloc-8k"};

uint32_t kmalloc_size(unsigned int i)
{
	return i < NR_KMALLOC_SIZES ? kmalloc_sizes[i] : 0;
}

/* Small helpers ------------------------------------------------------------------- */

/*@ requires a: \valid_read(a + (0 .. CACHE_NAME_LEN - 1));
    requires b: \valid_read(b + (0 .. CACHE_NAME_LEN - 1));
    assigns \nothing;
    ensures exact: \result <==> NameEq(a, b);
*/
static bool name_eq(const char *a, const char *b)
{
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= CACHE_NAME_LEN;
	    loop invariant same: \forall integer j; 0 <= j < i ==> a[j] == b[j] && a[j] != 0;
	    loop assigns i;
	    loop variant CACHE_NAME_LEN - i;
	*/
	for (i = 0; i < CACHE_NAME_LEN; i++) {
		if (a[i] != b[i])
			return false;
		if (a[i] == 0)
			return true;
	}
	return true;
}

/* Length of name if it is a valid cache name (printable, no blanks, < 32), else 0. */
/*@ requires name: \valid_read(name + (0 .. CACHE_NAME_LEN - 1));
    assigns \nothing;
    ensures length: \result < CACHE_NAME_LEN;
    ensures exact: \result != 0 <==> ValidName(name);
*/
static uint32_t valid_name_len(const char *name)
{
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= CACHE_NAME_LEN;
	    loop invariant printable: \forall integer j; 0 <= j < i ==> Printable(name[j]);
	    loop assigns i;
	    loop variant CACHE_NAME_LEN - i;
	*/
	for (i = 0; i < CACHE_NAME_LEN; i++) {
		char c = name[i];

		if (c == 0)
			return i;
		if (c <= ' ' || c > '~')
			return 0;
	}
	return 0;
}

/* flags & ~SLAB_MODEL_VALID_FLAGS == 0, without '&' (see flag_set()). */
/*@ assigns \nothing;
    ensures exact: \result <==> FlagsOk(flags);
*/
static bool slab_flags_valid(uint32_t flags)
{
	return flags == 0 || flags == SLAB_HWCACHE_ALIGN || flags == SLAB_CACHE_DMA ||
	       flags == (SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA);
}

/* align is 0 or a power of two up to PAGE_SIZE: (align & (align - 1)) == 0, bounded. */
/*@ assigns \nothing;
    ensures exact: \result <==> AlignOk(align);
*/
static bool slab_align_valid(uint32_t align)
{
	switch (align) {
	case 0:
	case 1:
	case 2:
	case 4:
	case 8:
	case 16:
	case 32:
	case 64:
	case 128:
	case 256:
	case 512:
	case 1024:
	case 2048:
	case 4096:
		return true;
	default:
		return false;
	}
}

/* get_order(): the smallest order whose block holds n bytes (n >= 1). */
/*@ assigns \nothing;
    ensures range: \result <= 63;
    ensures fits: \result <= MAX_PAGE_ORDER ==> n <= Pow2(\result) * PAGE_SIZE;
    ensures small: n <= KMALLOC_MAX_SIZE ==> \result <= MAX_PAGE_ORDER;
    ensures page: n <= PAGE_SIZE ==> \result == 0;
*/
static uint32_t get_order(uint64_t n)
{
	uint32_t order = 0;
	uint64_t block = PAGE_SIZE;

	/*@ loop invariant bound: 0 <= order <= 63;
	    loop invariant block: order <= MAX_PAGE_ORDER ==> block == Pow2(order) * PAGE_SIZE;
	    loop invariant big: order > MAX_PAGE_ORDER ==> n > KMALLOC_MAX_SIZE;
	    loop invariant page: order > 0 ==> n > PAGE_SIZE;
	    loop assigns block, order;
	    loop variant 63 - order;
	*/
	while (block < n && order < 63) {
		block *= 2;
		order++;
	}
	return order;
}

/* Bytes in a slab of this order (order <= MAX_PAGE_ORDER). */
/*@ assigns \nothing;
    ensures bytes: order <= MAX_PAGE_ORDER ==> \result == Pow2(order) * PAGE_SIZE;
    ensures none: order > MAX_PAGE_ORDER ==> \result == 0;
*/
static uint32_t slab_bytes(uint32_t order)
{
	return buddy_block_pages(order) * PAGE_SIZE;
}

/*@ assigns \nothing;
    ensures bound: \result <= v;
*/
static uint32_t ilog2_u32(uint32_t v)
{
	uint32_t r = 0;

	/*@ loop invariant bound: 0 <= r <= \at(v, Pre) - v;
	    loop assigns v, r;
	    loop variant v;
	*/
	while (v > 1) {
		v /= 2;
		r++;
	}
	return r;
}

/* fls(): position of the highest set bit, counting from 1; 0 for 0. */
/*@ requires small: v <= 4096;
    assigns \nothing;
    ensures bound: \result <= 4097;
*/
static uint32_t fls_u32(uint32_t v)
{
	return v == 0 ? 0 : ilog2_u32(v) + 1;
}

/*
 * The word at a linear-map address inside RAM. Free pointers sit at 8-byte aligned
 * places: slabs start on a page, object sizes and the free pointer offset are multiples
 * of 8.
 */
/*@ requires shape: PhysShape(p);
    requires in_ram: PAGE_OFFSET <= va && va - PAGE_OFFSET + 8 <= RamBytes(p);
    assigns \nothing;
    ensures exact: \result == p->mem[(va - PAGE_OFFSET) / 8];
*/
static uint64_t read_u64(const struct phys *p, uint64_t va)
{
	return p->mem[(va - PAGE_OFFSET) / 8];
}

/*@ requires shape: PhysShape(p);
    requires in_ram: PAGE_OFFSET <= va && va - PAGE_OFFSET + 8 <= RamBytes(p);
    assigns p->mem[(va - PAGE_OFFSET) / 8];
    ensures exact: p->mem[(va - PAGE_OFFSET) / 8] == v;
*/
static void write_u64(struct phys *p, uint64_t va, uint64_t v)
{
	p->mem[(va - PAGE_OFFSET) / 8] = v;
}

/* Zero words 8-byte words from the linear-map address va on (__GFP_ZERO). */
/*@ requires shape: PhysShape(p);
    requires in_ram: PAGE_OFFSET <= va && (va - PAGE_OFFSET) / 8 + words <= RamWords(p);
    assigns p->mem[(va - PAGE_OFFSET) / 8 .. (va - PAGE_OFFSET) / 8 + words - 1];
*/
static void zero_words(struct phys *p, uint64_t va, uint32_t words)
{
	uint64_t first = (va - PAGE_OFFSET) / 8;
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= words;
	    loop assigns i, p->mem[first .. first + words - 1];
	    loop variant words - i;
	*/
	for (i = 0; i < words; i++)
		p->mem[first + i] = 0;
}

/* The slab counters in struct page prev: first free object and objects in use. */
/*@ requires valid: \valid_read(page);
    assigns \nothing;
    ensures exact: \result == SlabFree(page->prev);
*/
static uint32_t slab_freelist(const struct page *page)
{
	return page->prev % 65536u;
}

/*@ requires valid: \valid_read(page);
    assigns \nothing;
    ensures exact: \result == SlabInuse(page->prev);
*/
static uint32_t slab_inuse(const struct page *page)
{
	return page->prev / 65536u;
}

/* Objects of size bytes in a slab of the head's order. */
/*@ requires valid: \valid_read(head);
    requires size: size >= 8;
    assigns \nothing;
    ensures objects: head->order <= MAX_PAGE_ORDER ==> \result == SlabObjects(head->order, size);
*/
static uint32_t slab_objects(uint32_t size, const struct page *head)
{
	return slab_bytes(head->order) / size;
}

/* The address of object idx (of size bytes) of the slab at frame slab_pfn. */
/*@ requires size: 8 <= size <= KMALLOC_MAX_SIZE;
    requires pfn: slab_pfn < PHYS_MAX_PAGES;
    requires idx: idx <= 65535 || idx * size <= KMALLOC_MAX_SIZE;
    assigns \nothing;
    ensures exact: \result == ObjAddr(slab_pfn, idx, size);
*/
static uint64_t object_addr(uint32_t size, uint32_t slab_pfn, uint32_t idx)
{
	return pfn_to_virt(slab_pfn) + (uint64_t)idx * size;
}

/* The end of object idx of a slab holding objects objects: a lemma, as a ghost function. */
/*@ ghost
  /@ requires idx: idx < objects;
     assigns \nothing;
     ensures end: idx * size + size <= objects * size;
  @/
  static void object_end(uint32_t idx, uint32_t size, uint32_t objects) { }
*/

/* An object of a slab lies in RAM: a lemma, as a ghost function. */
/*@ ghost
  /@ requires size: 8 <= size;
     requires obj: ObjectIn(p, id, size, s, i, addr);
     assigns \nothing;
     ensures in_ram: VirtInRam(p, addr) && addr + size <= PAGE_OFFSET + RamBytes(p);
  @/
  static void object_in_ram(const struct phys *p, uint16_t id, uint32_t size, uint32_t s,
			    uint32_t i, uint64_t addr)
  {
	/@ assert end: i * size + size <= Pow2(p->pages[s].order) * PAGE_SIZE; @/ // Slab_Obj_End
	/@ assert top: s * PAGE_SIZE + Pow2(p->pages[s].order) * PAGE_SIZE <= RamBytes(p); @/
  }
*/

/*@ requires valid: \valid_read(k);
    assigns \nothing;
    ensures exact: \result <==> LiveCache(k, id);
*/
static bool cache_live(const struct kmem *k, int id)
{
	return id >= 1 && id <= (int)MAX_CACHES && k->caches[id - 1].in_use;
}

/* Page flags: single bits added or removed without '|' and '&' (see flag_set()). */
/*@ requires bit: bit == PG_slab || bit == PG_large_kmalloc;
    assigns \nothing;
    behavior slab:
	assumes bit == PG_slab;
	ensures set: HasFlag(\result, PG_slab);
	ensures head: HasFlag(\result, PG_head) == HasFlag(flags, PG_head);
	ensures buddy: HasFlag(\result, PG_buddy) == HasFlag(flags, PG_buddy);
    behavior large:
	assumes bit == PG_large_kmalloc;
	ensures set: HasFlag(\result, PG_large_kmalloc);
	ensures head: HasFlag(\result, PG_head) == HasFlag(flags, PG_head);
	ensures buddy: HasFlag(\result, PG_buddy) == HasFlag(flags, PG_buddy);
    complete behaviors;
    disjoint behaviors;
*/
static uint16_t flags_add(uint16_t flags, uint16_t bit)
{
	return flag_set(flags, bit) ? flags : (uint16_t)(flags + bit);
}

/*@ requires bit: bit == PG_slab || bit == PG_large_kmalloc;
    assigns \nothing;
    behavior slab:
	assumes bit == PG_slab;
	ensures clear: !HasFlag(\result, PG_slab);
	ensures head: HasFlag(\result, PG_head) == HasFlag(flags, PG_head);
	ensures buddy: HasFlag(\result, PG_buddy) == HasFlag(flags, PG_buddy);
    behavior large:
	assumes bit == PG_large_kmalloc;
	ensures clear: !HasFlag(\result, PG_large_kmalloc);
	ensures head: HasFlag(\result, PG_head) == HasFlag(flags, PG_head);
	ensures buddy: HasFlag(\result, PG_buddy) == HasFlag(flags, PG_buddy);
    complete behaviors;
    disjoint behaviors;
*/
static uint16_t flags_remove(uint16_t flags, uint16_t bit)
{
	return flag_set(flags, bit) ? (uint16_t)(flags - bit) : flags;
}

/*
 * The writes the slab allocator makes to struct pages, each to an allocated block head
 * that stays one: the page allocator's state (BuddySafe) is kept.
 */
/*@ requires safe: BuddySafe(p);
    requires head: pfn < p->nr_pages && IsHead(p, pfn);
    requires keeps: HasFlag(flags, PG_head) &&
	HasFlag(flags, PG_buddy) == HasFlag(p->pages[pfn].flags, PG_buddy);
    assigns p->pages[pfn].flags, p->pages[pfn].slab_cache;
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures flags: p->pages[pfn].flags == flags;
    ensures cache: p->pages[pfn].slab_cache == cache;
*/
static void page_set_owner(struct phys *p, uint32_t pfn, uint16_t flags, uint16_t cache)
{
	//@ assert before: p->booted && PhysShape(p) && ZonesShape(p);
	//@ assert free_ok: FreeOk(p->pages, p->nr_pages);
	//@ assert not_free: !HasFlag(p->pages[pfn].flags, PG_buddy);
	p->pages[pfn].flags = flags;
	p->pages[pfn].slab_cache = cache;
	/*@ assert fields: p->nr_pages == \at(p->nr_pages, Pre) && p->pages == \at(p->pages, Pre) &&
		p->mem == \at(p->mem, Pre) && p->booted; */
	//@ assert shape: PhysShape(p) && ZonesShape(p);
	//@ assert others: OthersSame{Pre,Here}(p->pages, p->nr_pages, pfn);
	//@ assert step: HeadStep{Pre,Here}(p->pages, p->nr_pages, pfn);
	//@ assert areas: AreasSame{Pre,Here}(&p->zones[0]);
	//@ assert inner: Inner(p->pages, p->nr_pages, &p->zones[0]);
}

/*@ requires safe: BuddySafe(p);
    requires head: pfn < p->nr_pages && IsHead(p, pfn);
    requires counters: freelist < 65536 && inuse < 65536;
    assigns p->pages[pfn].prev;
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures free: SlabFree(p->pages[pfn].prev) == freelist;
    ensures inuse: SlabInuse(p->pages[pfn].prev) == inuse;
*/
static void slab_set_counters(struct phys *p, uint32_t pfn, uint32_t freelist, uint32_t inuse)
{
	//@ assert before: p->booted && PhysShape(p) && ZonesShape(p);
	//@ assert free_ok: FreeOk(p->pages, p->nr_pages);
	//@ assert not_free: !HasFlag(p->pages[pfn].flags, PG_buddy);
	p->pages[pfn].prev = inuse * 65536u + freelist;
	/*@ assert fields: p->nr_pages == \at(p->nr_pages, Pre) && p->pages == \at(p->pages, Pre) &&
		p->mem == \at(p->mem, Pre) && p->booted; */
	//@ assert shape: PhysShape(p) && ZonesShape(p);
	//@ assert others: OthersSame{Pre,Here}(p->pages, p->nr_pages, pfn);
	//@ assert step: HeadStep{Pre,Here}(p->pages, p->nr_pages, pfn);
	//@ assert areas: AreasSame{Pre,Here}(&p->zones[0]);
	//@ assert inner: Inner(p->pages, p->nr_pages, &p->zones[0]);
}

/*@ requires safe: BuddySafe(p);
    requires head: pfn < p->nr_pages && IsHead(p, pfn);
    assigns p->pages[pfn].next;
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures next: p->pages[pfn].next == next;
    ensures kept_prev: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].prev == \old(p->pages[i].prev);
*/
static void slab_set_next(struct phys *p, uint32_t pfn, uint32_t next)
{
	//@ assert before: p->booted && PhysShape(p) && ZonesShape(p);
	//@ assert free_ok: FreeOk(p->pages, p->nr_pages);
	//@ assert not_free: !HasFlag(p->pages[pfn].flags, PG_buddy);
	p->pages[pfn].next = next;
	/*@ assert fields: p->nr_pages == \at(p->nr_pages, Pre) && p->pages == \at(p->pages, Pre) &&
		p->mem == \at(p->mem, Pre) && p->booted; */
	//@ assert shape: PhysShape(p) && ZonesShape(p);
	//@ assert others: OthersSame{Pre,Here}(p->pages, p->nr_pages, pfn);
	//@ assert step: HeadStep{Pre,Here}(p->pages, p->nr_pages, pfn);
	//@ assert areas: AreasSame{Pre,Here}(&p->zones[0]);
	//@ assert inner: Inner(p->pages, p->nr_pages, &p->zones[0]);
}

/* Cache geometry ------------------------------------------------------------------ */

/* Models mm/slab_common.c: calculate_alignment(). */
/*@ requires size: size >= 1;
    requires align: AlignOk(align);
    assigns \nothing;
    ensures range: AlignVal(\result);
*/
static uint32_t calculate_alignment(uint32_t flags, uint32_t align, uint32_t size)
{
	if (flag_set(flags, SLAB_HWCACHE_ALIGN)) {
		uint32_t ralign = CACHE_LINE_SIZE;

		/*@ loop invariant bound: ralign == 1 || ralign == 2 || ralign == 4 || ralign == 8 ||
			ralign == 16 || ralign == 32 || ralign == 64;
		    loop assigns ralign;
		    loop variant ralign;
		*/
		while (size <= ralign / 2)
			ralign /= 2;
		if (ralign > align)
			align = ralign;
	}
	if (align < 8)
		align = 8;
	return (align + 7) / 8 * 8;
}

/* x rounded up to a multiple of the alignment a (one behavior per alignment: constant moduli). */
/*@ requires align: AlignVal(a);
    requires x: 1 <= x <= KMALLOC_MAX_SIZE && x % 8 == 0;
    assigns \nothing;
    ensures range: x <= \result <= KMALLOC_MAX_SIZE;
    behavior a8:
	assumes a == 8;
	ensures aligned: \result % 8 == 0;
    behavior a16:
	assumes a == 16;
	ensures aligned: \result % 16 == 0 && \result % 8 == 0;
    behavior a32:
	assumes a == 32;
	ensures aligned: \result % 32 == 0 && \result % 8 == 0;
    behavior a64:
	assumes a == 64;
	ensures aligned: \result % 64 == 0 && \result % 8 == 0;
    behavior a128:
	assumes a == 128;
	ensures aligned: \result % 128 == 0 && \result % 8 == 0;
    behavior a256:
	assumes a == 256;
	ensures aligned: \result % 256 == 0 && \result % 8 == 0;
    behavior a512:
	assumes a == 512;
	ensures aligned: \result % 512 == 0 && \result % 8 == 0;
    behavior a1024:
	assumes a == 1024;
	ensures aligned: \result % 1024 == 0 && \result % 8 == 0;
    behavior a2048:
	assumes a == 2048;
	ensures aligned: \result % 2048 == 0 && \result % 8 == 0;
    behavior a4096:
	assumes a == 4096;
	ensures aligned: \result % 4096 == 0 && \result % 8 == 0;
    complete behaviors;
    disjoint behaviors;
*/
static uint32_t align_up(uint32_t x, uint32_t a)
{
	return (x + a - 1) / a * a;
}

/* Models mm/slub.c: calc_slab_order(). */
/*@ requires size: size >= 1;
    requires fraction: fract_leftover >= 1;
    requires max: max_order <= SLUB_MAX_ORDER;
    assigns \nothing;
    ensures low: \result >= min_order;
    ensures range: \result == min_order || \result <= max_order + 1;
*/
static uint32_t calc_slab_order(uint32_t size, uint32_t min_order, uint32_t max_order,
				uint32_t fract_leftover)
{
	uint32_t order;

	/*@ loop invariant bound: order == min_order || (min_order <= order <= max_order + 1);
	    loop assigns order;
	    loop variant max_order + 1 - order;
	*/
	for (order = min_order; order <= max_order; order++) {
		uint32_t bytes = slab_bytes(order);

		if (bytes % size <= bytes / fract_leftover)
			break;
	}
	return order;
}

/*
 * Models mm/slub.c: calculate_order(). Returns MAX_PAGE_ORDER + 1 when even one object
 * does not fit in the largest block (never for size <= KMALLOC_MAX_SIZE).
 */
/*@ requires size: 8 <= size <= KMALLOC_MAX_SIZE;
    requires cpus: nr_cpus <= 4096;
    assigns \nothing;
    ensures range: \result <= MAX_PAGE_ORDER;
    ensures fits: size <= Pow2(\result) * PAGE_SIZE;
*/
static uint32_t calculate_order(uint32_t size, uint32_t nr_cpus)
{
	uint32_t min_objects = 4 * (fls_u32(nr_cpus) + 1);
	uint32_t max_objects = slab_bytes(SLUB_MAX_ORDER) / size;
	uint32_t min_order, fraction, order;

	if (max_objects < 1)
		max_objects = 1;
	if (min_objects > max_objects)
		min_objects = max_objects;
	//@ assert least: (uint64_t)min_objects * size >= size;
	min_order = get_order((uint64_t)min_objects * size);
	/*@ loop invariant bound: 1 <= fraction <= 16;
	    loop assigns fraction, order;
	    loop variant fraction;
	*/
	for (fraction = 16; fraction > 1; fraction /= 2) {
		order = calc_slab_order(size, min_order, SLUB_MAX_ORDER, fraction);
		if (order <= SLUB_MAX_ORDER)
			return order;
	}
	order = get_order(size);
	return order <= MAX_PAGE_ORDER ? order : MAX_PAGE_ORDER + 1;
}

/* A cache's sizes, as calculate_sizes() finds them (err: no order fits). */
struct cache_sizes {
	int err;
	uint32_t align;
	uint32_t size;
	uint32_t order;
	uint32_t objects;
	uint32_t min_order;
	uint32_t offset;
};

/*
 * Models mm/slub.c: calculate_sizes(): alignment, object size with alignment, slab
 * orders and objects per slab, free pointer offset. (-EINVAL when no order fits, which
 * size <= KMALLOC_MAX_SIZE rules out.)
 */
/*@ requires size: 1 <= size <= KMALLOC_MAX_SIZE;
    requires align: AlignOk(align);
    requires cpus: nr_cpus <= 4096;
    assigns \nothing;
    ensures result: \result.err == 0;
    ensures geometry: CacheGeo(size, \result.size, \result.align, \result.order,
			       \result.min_order, \result.objects, \result.offset);
*/
static struct cache_sizes calculate_sizes(uint32_t size, uint32_t align, uint32_t flags,
					  uint32_t nr_cpus)
{
	struct cache_sizes g = {0, 0, 0, 0, 0, 0, 0};

	g.align = calculate_alignment(flags, align, size);
	g.size = align_up((size + 7) / 8 * 8, g.align);
	g.order = calculate_order(g.size, nr_cpus);
	if (g.order > MAX_PAGE_ORDER) {
		g.err = -EINVAL;
		return g;
	}
	g.objects = slab_bytes(g.order) / g.size;
	//@ assert g_objs: g.objects == SlabObjects(g.order, g.size);
	//@ assert g_objects: 1 <= g.objects && g.objects * g.size <= Pow2(g.order) * PAGE_SIZE;
	g.min_order = get_order(g.size);
	g.offset = size / 2 / 8 * 8;
	return g;
}

/* Copy a valid name (up to and including its NUL) into the cache. */
/*@ requires valid: \valid(c);
    requires name: \valid_read(name + (0 .. CACHE_NAME_LEN - 1)) &&
	\separated(c, name + (0 .. CACHE_NAME_LEN - 1));
    assigns c->name[0 .. CACHE_NAME_LEN - 1];
    ensures name: NameEq(&c->name[0], name);
*/
static void cache_set_name(struct kmem_cache *c, const char *name)
{
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= CACHE_NAME_LEN;
	    loop invariant copied: \forall integer j; 0 <= j < i ==> c->name[j] == name[j] && name[j] != 0;
	    loop assigns i, c->name[0 .. CACHE_NAME_LEN - 1];
	    loop variant CACHE_NAME_LEN - i;
	*/
	for (i = 0; i < CACHE_NAME_LEN; i++) {
		c->name[i] = name[i];
		if (name[i] == 0)
			break;
	}
}

/*
 * Every field of a new cache (kmem_cache_open()), its lists empty. One helper writes
 * the whole slot, so that for its callers the slot is one assigned object: the other
 * slots are kept by its assigns clause, not field by field.
 */
/*@ requires valid: \valid(c);
    requires name: \valid_read(name + (0 .. CACHE_NAME_LEN - 1)) &&
	\separated(c, name + (0 .. CACHE_NAME_LEN - 1));
    assigns *c;
    ensures geometry: c->align == g.align && c->size == g.size && c->order == g.order &&
	c->objects == g.objects && c->min_order == g.min_order && c->offset == g.offset;
    ensures live: c->in_use && c->kmalloc == permanent;
    ensures object_size: c->object_size == size;
    ensures flags: c->flags == flags;
    ensures created: c->created == created;
    ensures empty: c->partial_head == PFN_NONE && c->partial_tail == PFN_NONE &&
	c->nr_partial == 0 && c->nr_slabs == 0 && c->total_objects == 0 && c->active_objects == 0;
    ensures name: NameEq(&c->name[0], name);
*/
static void cache_fill(struct kmem_cache *c, struct cache_sizes g, const char *name, uint32_t size,
		       uint32_t flags, bool permanent, uint32_t created)
{
	uint32_t min_partial = ilog2_u32(g.size) / 2;

	c->align = g.align;
	c->size = g.size;
	c->order = g.order;
	c->objects = g.objects;
	c->min_order = g.min_order;
	c->object_size = size;
	c->offset = g.offset;
	c->flags = flags;
	c->min_partial = min_partial < 5 ? 5 : min_partial > 10 ? 10 : min_partial;
	c->partial_head = PFN_NONE;
	c->partial_tail = PFN_NONE;
	c->nr_partial = 0;
	c->nr_slabs = 0;
	c->total_objects = 0;
	c->active_objects = 0;
	c->kmalloc = permanent;
	c->created = created;
	c->in_use = true;
	cache_set_name(c, name);
}

/*
 * Fill in cache slot of k (cache_fill()) and count the creation (/proc/slabinfo order):
 * the writes of cache_open(), apart from its computation, so that the frame facts (the
 * other slots kept, field by field, one postcondition each: a postcondition is no
 * hypothesis of the next, and the solvers time out on them together or on CacheSame at
 * once) are proved in a context without the geometry's arithmetic.
 */
/*@ requires valid: \valid(k);
    requires slot: 0 <= slot < MAX_CACHES;
    requires name: \valid_read(name + (0 .. CACHE_NAME_LEN - 1)) &&
	\separated(k, name + (0 .. CACHE_NAME_LEN - 1));
    assigns k->caches[slot], k->next_created;
    SLOT_KEPT
    ensures geometry: k->caches[slot].align == g.align && k->caches[slot].size == g.size &&
	k->caches[slot].order == g.order && k->caches[slot].objects == g.objects &&
	k->caches[slot].min_order == g.min_order && k->caches[slot].offset == g.offset;
    ensures live: k->caches[slot].in_use && k->caches[slot].kmalloc == permanent;
    ensures object_size: k->caches[slot].object_size == size;
    ensures flags: k->caches[slot].flags == flags;
    ensures created: k->caches[slot].created == \old(k->next_created) &&
	k->next_created == (uint32_t)(\old(k->next_created) + 1);
    ensures empty: k->caches[slot].partial_head == PFN_NONE &&
	k->caches[slot].partial_tail == PFN_NONE && k->caches[slot].nr_partial == 0 &&
	k->caches[slot].nr_slabs == 0 && k->caches[slot].total_objects == 0 &&
	k->caches[slot].active_objects == 0;
    ensures name: NameEq(&k->caches[slot].name[0], name);
*/
static void cache_install(struct kmem *k, int slot, struct cache_sizes g, const char *name,
			  uint32_t size, uint32_t flags, bool permanent)
{
	cache_fill(&k->caches[slot], g, name, size, flags, permanent, k->next_created);
	k->next_created++;
}

/*
 * Fill in cache slot of k: models mm/slub.c: kmem_cache_open(), and count the creation
 * (/proc/slabinfo order). Everything is computed before the first write; only the slot
 * and the creation count are written. The other slots are kept field by field, one
 * postcondition each (a postcondition is no hypothesis of the next: the solvers time out
 * on them together, or on CacheSame at once).
 */
/*@ requires valid: \valid(k);
    requires slot: 0 <= slot < MAX_CACHES;
    requires name: \valid_read(name + (0 .. CACHE_NAME_LEN - 1)) &&
	\separated(k, name + (0 .. CACHE_NAME_LEN - 1));
    requires align: AlignOk(align);
    requires cpus: k->nr_cpus <= 4096;
    assigns k->caches[slot], k->next_created;
    SLOT_KEPT
    behavior bad_size:
	assumes size == 0 || size > KMALLOC_MAX_SIZE;
	assigns \nothing;
	ensures result: \result == -EINVAL;
    behavior ok:
	assumes 1 <= size <= KMALLOC_MAX_SIZE;
	ensures result: \result == 0;
	ensures geometry: CacheGeo(k->caches[slot].object_size, k->caches[slot].size,
				   k->caches[slot].align, k->caches[slot].order,
				   k->caches[slot].min_order, k->caches[slot].objects,
				   k->caches[slot].offset);
	ensures live: k->caches[slot].in_use && k->caches[slot].kmalloc == permanent;
	ensures object_size: k->caches[slot].object_size == size;
	ensures flags: k->caches[slot].flags == flags;
	ensures created: k->caches[slot].created == \old(k->next_created) &&
	    k->next_created == (uint32_t)(\old(k->next_created) + 1);
	ensures empty: k->caches[slot].partial_head == PFN_NONE &&
	    k->caches[slot].partial_tail == PFN_NONE && k->caches[slot].nr_partial == 0 &&
	    k->caches[slot].nr_slabs == 0 && k->caches[slot].total_objects == 0 &&
	    k->caches[slot].active_objects == 0;
	ensures name: NameEq(&k->caches[slot].name[0], name);
	ensures live_cache: LiveCache(k, slot + 1);
	ensures cache_geometry: CacheGeometry(&k->caches[slot]);
    complete behaviors;
    disjoint behaviors;
*/
static int cache_open(struct kmem *k, int slot, const char *name, uint32_t size, uint32_t align,
		      uint32_t flags, bool permanent)
{
	struct cache_sizes g;

	if (size == 0 || size > KMALLOC_MAX_SIZE)
		return -EINVAL;
	g = calculate_sizes(size, align, flags, k->nr_cpus);
	if (g.err != 0)
		return -EINVAL;
	cache_install(k, slot, g, name, size, flags, permanent);
	/*@ assert geo: CacheGeo(k->caches[slot].object_size, k->caches[slot].size,
		k->caches[slot].align, k->caches[slot].order, k->caches[slot].min_order,
		k->caches[slot].objects, k->caches[slot].offset); */
	return 0;
}

/*@ requires valid: \valid_read(k);
    assigns \nothing;
    ensures full: \result == -1 <==> SlotsFull(k);
    ensures free: \result != -1 ==> 0 <= \result < MAX_CACHES && !k->caches[\result].in_use;
*/
static int find_free_slot(const struct kmem *k)
{
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= MAX_CACHES;
	    loop invariant used: \forall integer j; 0 <= j < i ==> k->caches[j].in_use;
	    loop assigns i;
	    loop variant MAX_CACHES - i;
	*/
	for (i = 0; i < MAX_CACHES; i++)
		if (!k->caches[i].in_use)
			return (int)i;
	return -1;
}

int kmem_cache_find(const struct kmem *k, const char *name)
{
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= MAX_CACHES;
	    loop invariant none: \forall integer j; 0 <= j < i ==>
		!(k->caches[j].in_use && NameEq(&k->caches[j].name[0], name));
	    loop assigns i;
	    loop variant MAX_CACHES - i;
	*/
	for (i = 0; i < MAX_CACHES; i++)
		if (k->caches[i].in_use && name_eq(k->caches[i].name, name))
			return (int)i + 1;
	return -MERR_NOT_FOUND;
}

/*
 * The creating part of kmem_cache_create(), every check passed: open the free slot.
 * Its own function, so that the refused paths of kmem_cache_create() are proved in a
 * context without this one.
 */
/*@ requires kmem: KmemOk(k);
    requires slot: 0 <= slot < MAX_CACHES && !k->caches[slot].in_use;
    requires name: \valid_read(name + (0 .. CACHE_NAME_LEN - 1)) &&
	\separated(k, name + (0 .. CACHE_NAME_LEN - 1));
    requires align: AlignOk(align);
    requires size: 1 <= size <= KMALLOC_MAX_SIZE;
    assigns k->caches[slot], k->next_created;
    ensures kmem: KmemOk(k);
    ensures result: \result == slot + 1;
    ensures live: LiveCache(k, slot + 1) && !k->caches[slot].kmalloc;
    ensures object_size: k->caches[slot].object_size == size;
    ensures geometry: CacheGeometry(&k->caches[slot]);
    ensures flags: k->caches[slot].flags == flags;
    ensures name: NameEq(&k->caches[slot].name[0], name);
    ensures empty: k->caches[slot].nr_slabs == 0 && k->caches[slot].active_objects == 0 &&
	k->caches[slot].total_objects == 0 && k->caches[slot].nr_partial == 0 &&
	k->caches[slot].partial_head == PFN_NONE;
    ensures created: k->caches[slot].created == \old(k->next_created) &&
	k->next_created == (uint32_t)(\old(k->next_created) + 1);
    ensures others: OtherCachesSame{Pre,Post}(k, slot);
*/
static int cache_create_at(struct kmem *k, int slot, const char *name, uint32_t size,
			   uint32_t align, uint32_t flags)
{
	cache_open(k, slot, name, size, align, flags, false);
	//@ assert live: LiveCache(k, slot + 1) && !k->caches[slot].kmalloc;
	//@ assert geometry: CacheGeometry(&k->caches[slot]);
	//@ assert shape: CacheShape(&k->caches[slot]);
	/*@ assert kept: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==>
		CacheKept{Pre,Here}(&k->caches[j]); */
	/*@ assert rest: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==>
		CacheRest{Pre,Here}(&k->caches[j]); */
	/*@ assert lists: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==>
		CacheLists{Pre,Here}(&k->caches[j]); */
	/*@ assert names: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==>
		CacheName{Pre,Here}(&k->caches[j]); */
	//@ assert others: OtherCachesSame{Pre,Here}(k, slot);
	//@ assert ids: KmemIdsSame{Pre,Here}(k);
	//@ assert step: KmemReplaceStep{Pre,Here}(k, slot);
	//@ assert kmem: KmemOk(k);
	return slot + 1;
}

int kmem_cache_create(struct kmem *k, const char *name, uint32_t size, uint32_t align,
		      uint32_t flags)
{
	int slot;

	if (valid_name_len(name) == 0)
		return -EINVAL;
	if (!slab_flags_valid(flags) || !slab_align_valid(align))
		return -EINVAL;
	if (kmem_cache_find(k, name) > 0)
		return -EEXIST;
	slot = find_free_slot(k);
	if (slot < 0)
		return -MERR_NO_SLOT;
	/* Every check before the first write: a refused create changes nothing. */
	if (size == 0 || size > KMALLOC_MAX_SIZE)
		return -EINVAL;
	return cache_create_at(k, slot, name, size, align, flags);
}

/*
 * Models mm/slab_common.c: create_kmalloc_caches() (v6.x): per type, kmalloc-96 and
 * kmalloc-192 first, then the powers of two; flags 0, ARCH_KMALLOC_MINALIGN (8).
 * /proc/slabinfo lists newest first, so the order shows there. Slot n of a type holds
 * class kmalloc_create_order[n]; class i is in slot kmalloc_slot[i] (the inverse).
 */
static const uint8_t kmalloc_create_order[NR_KMALLOC_SIZES] = {4, 6, 0, 1,  2,	3, 5,
							       7, 8, 9, 10, 11, 12};
static const uint8_t kmalloc_slot[NR_KMALLOC_SIZES] = {2, 3, 4, 5, 0, 6, 1, 7, 8, 9, 10, 11, 12};

/*@
  // kmalloc_create_order[] and kmalloc_slot[] in logic.
  logic integer CreateOrder(integer n) =
    n == 0 ? 4 : n == 1 ? 6 : n == 2 ? 0 : n == 3 ? 1 : n == 4 ? 2 : n == 5 ? 3 : n == 6 ? 5 : n;
  logic integer KmallocSlot(integer i) =
    i == 0 ? 2 : i == 1 ? 3 : i == 2 ? 4 : i == 3 ? 5 : i == 4 ? 0 : i == 5 ? 6 : i == 6 ? 1 : i;

  // The class kmem_cache_init() puts in slot j: the normal caches in slots 0 .. 12, the
  // DMA ones in 13 .. 25, each in creation order.
  logic integer SlotClass(integer j) =
    CreateOrder(j < NR_KMALLOC_SIZES ? j : j - NR_KMALLOC_SIZES);
  // Slot j holds its live, permanent kmalloc cache.
  predicate KmallocSlotOk(struct kmem *k, integer j) =
    k->caches[j].in_use && k->caches[j].kmalloc && CacheShape(&k->caches[j]) &&
    k->caches[j].object_size == KmallocSize(SlotClass(j));
  // kmem_cache_init() opened slots 0 .. s - 1, and no slot above is live.
  predicate KmallocOpened(struct kmem *k, integer s) =
    (\forall integer j; 0 <= j < s ==> KmallocSlotOk(k, j)) &&
    (\forall integer j; s <= j < MAX_CACHES ==> !k->caches[j].in_use);
*/

/* The class of the n-th cache of a type to be created. */
/*@ requires n: n < NR_KMALLOC_SIZES;
    assigns \nothing;
    ensures cls: \result == CreateOrder(n) && \result < NR_KMALLOC_SIZES;
*/
static uint32_t kmalloc_create_class(uint32_t n)
{
	return kmalloc_create_order[n];
}

/* The slot of class i within its type: the inverse of kmalloc_create_class(). */
/*@ requires i: i < NR_KMALLOC_SIZES;
    assigns \nothing;
    ensures slot: \result == KmallocSlot(i) && \result < NR_KMALLOC_SIZES && CreateOrder(\result) == i;
*/
static uint32_t kmalloc_slot_of(uint32_t i)
{
	return kmalloc_slot[i];
}

/*
 * The name of the kmalloc cache of class i, type t (0 normal, 1 DMA). (Its own function:
 * the name tables stay out of the callers' proof contexts.)
 */
/*@ requires valid: \valid_read(k);
    requires cls: i < NR_KMALLOC_SIZES;
    assigns \nothing;
    ensures name: \valid_read(\result + (0 .. CACHE_NAME_LEN - 1)) &&
	\separated(k, \result + (0 .. CACHE_NAME_LEN - 1));
*/
static const char *kmalloc_name(const struct kmem *k, uint32_t t, uint32_t i)
{
	(void)k; /* for the contract only */
	return t == 0 ? kmalloc_names[i] : kmalloc_dma_names[i];
}

/*
 * What KmallocOpened() says of the slots below s, one fact each: a lemma, as a ghost
 * function. Each fact names KmallocSlotOk(k, j) too: a quantified KmallocSlotOk is used
 * by the solvers only where such a term occurs (their trigger).
 */
/*@ ghost
  /@ requires valid: \valid_read(k);
     requires opened: KmallocOpened(k, s);
     assigns \nothing;
     ensures in_use: \forall integer j; 0 <= j < s ==> KmallocSlotOk(k, j) && k->caches[j].in_use;
     ensures kmalloc: \forall integer j; 0 <= j < s ==> KmallocSlotOk(k, j) && k->caches[j].kmalloc;
     ensures shape: \forall integer j; 0 <= j < s ==>
	KmallocSlotOk(k, j) && CacheShape(&k->caches[j]);
     ensures size: \forall integer j; 0 <= j < s ==>
	KmallocSlotOk(k, j) && k->caches[j].object_size == KmallocSize(SlotClass(j));
  @/
  static void opened_parts(const struct kmem *k, uint32_t s) { }
*/

/* One more slot opened: a lemma, as a ghost function (a context of its facts alone). */
/*@ ghost
  /@ requires valid: \valid_read(k);
     requires slot: slot < MAX_CACHES;
     requires old: \forall integer j; 0 <= j < slot ==> KmallocSlotOk(k, j);
     requires new: KmallocSlotOk(k, slot);
     requires rest: \forall integer j; slot + 1 <= j < MAX_CACHES ==> !k->caches[j].in_use;
     assigns \nothing;
     ensures opened: KmallocOpened(k, slot + 1);
  @/
  static void opened_next(const struct kmem *k, uint32_t slot) { }
*/

/* Open kmalloc cache slot (type t: 0 normal, 1 DMA) as a permanent cache of class i. */
/*@ requires valid: \valid(k);
    requires slot: slot < MAX_CACHES;
    requires cls: i < NR_KMALLOC_SIZES;
    requires cpus: k->nr_cpus <= 4096;
    requires types: slot < 2 * NR_KMALLOC_SIZES;
    requires class: i == SlotClass(slot);
    requires opened: KmallocOpened(k, slot);
    assigns k->caches[slot], k->next_created;
    ensures opened: KmallocOpened(k, slot + 1);
    ensures cache: k->caches[slot].in_use && k->caches[slot].kmalloc &&
	k->caches[slot].object_size == KmallocSize(i);
    ensures geometry: CacheGeo(k->caches[slot].object_size, k->caches[slot].size,
			       k->caches[slot].align, k->caches[slot].order,
			       k->caches[slot].min_order, k->caches[slot].objects,
			       k->caches[slot].offset);
    ensures cpus: k->nr_cpus == \old(k->nr_cpus);
    ensures kept_in_use: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==>
	k->caches[j].in_use == \old(k->caches[j].in_use);
    ensures kept_kmalloc: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==>
	k->caches[j].kmalloc == \old(k->caches[j].kmalloc);
    ensures kept_object_size: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==>
	k->caches[j].object_size == \old(k->caches[j].object_size);
    ensures kept_size: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==>
	k->caches[j].size == \old(k->caches[j].size);
    ensures kept_offset: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==>
	k->caches[j].offset == \old(k->caches[j].offset);
    ensures kept_order: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==>
	k->caches[j].order == \old(k->caches[j].order);
    ensures kept_min_order: \forall integer j; 0 <= j < MAX_CACHES && j != slot ==>
	k->caches[j].min_order == \old(k->caches[j].min_order);
*/
static void kmalloc_cache_open(struct kmem *k, uint32_t slot, uint32_t t, uint32_t i)
{
	uint32_t size = kmalloc_size(i);
	int s = (int)slot;

	//@ assert size: 8 <= size <= KMALLOC_MAX_CACHE_SIZE;
	//@ assert slot: s == slot;
	/* The slots below as they are, one fact of KmallocSlotOk at a time. */
	//@ ghost opened_parts(k, slot);
	cache_open(k, s, kmalloc_name(k, t, i), size, 8, t == 0 ? 0 : SLAB_CACHE_DMA, true);
	//@ assert new_slot: KmallocSlotOk(k, slot);
	/* ... and after. */
	//@ assert o_in_use: \forall integer j; 0 <= j < slot ==> k->caches[j].in_use;
	//@ assert o_kmalloc: \forall integer j; 0 <= j < slot ==> k->caches[j].kmalloc;
	//@ assert o_shape: \forall integer j; 0 <= j < slot ==> CacheShape(&k->caches[j]);
	/*@ assert o_size: \forall integer j; 0 <= j < slot ==>
		k->caches[j].object_size == KmallocSize(SlotClass(j)); */
	//@ assert old_slots: \forall integer j; 0 <= j < slot ==> KmallocSlotOk(k, j);
	//@ assert rest: \forall integer j; slot + 1 <= j < MAX_CACHES ==> !k->caches[j].in_use;
	//@ ghost opened_next(k, slot);
}

/* What KmallocOpened() says of every slot: a lemma, as a ghost function. */
/*@ ghost
  /@ requires valid: \valid_read(k);
     requires opened: KmallocOpened(k, 2 * NR_KMALLOC_SIZES);
     assigns \nothing;
     ensures geo: GeoAll(k);
     ensures only_kmalloc: \forall integer j; 0 <= j < MAX_CACHES && k->caches[j].in_use ==>
	k->caches[j].kmalloc;
  @/
  static void opened_geo(const struct kmem *k)
  {
	opened_parts(k, 2 * NR_KMALLOC_SIZES);
	/@ assert empty: \forall integer j; 2 * NR_KMALLOC_SIZES <= j < MAX_CACHES ==>
		!k->caches[j].in_use; @/
  }
*/

/*
 * The id of the kmalloc cache of class i, type t (0 normal, 1 DMA), in the slots
 * kmem_cache_init() opened. (Its own function: in kmalloc_ids_set()'s loops the class
 * tables stay out of the context.)
 */
/*@ requires valid: \valid_read(k);
    requires opened: KmallocOpened(k, 2 * NR_KMALLOC_SIZES);
    requires cls: i < NR_KMALLOC_SIZES;
    requires type: t <= 1;
    assigns \nothing;
    ensures cache: KmallocCache(k, \result, i);
*/
static uint16_t kmalloc_id(const struct kmem *k, uint32_t t, uint32_t i)
{
	uint32_t slot = kmalloc_slot_of(i) + t * NR_KMALLOC_SIZES;

	(void)k; /* for the contract */
	//@ assert order: SlotClass(slot) == i && slot < 2 * NR_KMALLOC_SIZES;
	//@ assert ok: KmallocSlotOk(k, slot);
	return (uint16_t)(slot + 1);
}

/*
 * The kmalloc cache ids (kmalloc_caches[], kmalloc_dma_caches[]) of the slots
 * kmem_cache_init() opened; the caches themselves are not written.
 */
/*@ requires valid: \valid(k);
    requires opened: KmallocOpened(k, 2 * NR_KMALLOC_SIZES);
    assigns k->kmalloc_caches[0 .. NR_KMALLOC_SIZES - 1],
	k->kmalloc_dma_caches[0 .. NR_KMALLOC_SIZES - 1];
    ensures ids: KmallocAll(k);
    ensures geo: GeoAll(k);
    ensures only_kmalloc: \forall integer j; 0 <= j < MAX_CACHES && k->caches[j].in_use ==>
	k->caches[j].kmalloc;
*/
static void kmalloc_ids_set(struct kmem *k)
{
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= NR_KMALLOC_SIZES;
	    loop invariant ids_normal: \forall integer j; 0 <= j < i ==>
		KmallocCache(k, k->kmalloc_caches[j], j);
	    loop invariant ids_dma: \forall integer j; 0 <= j < i ==>
		KmallocCache(k, k->kmalloc_dma_caches[j], j);
	    loop assigns i, k->kmalloc_caches[0 .. NR_KMALLOC_SIZES - 1],
		k->kmalloc_dma_caches[0 .. NR_KMALLOC_SIZES - 1];
	    loop variant NR_KMALLOC_SIZES - i;
	*/
	for (i = 0; i < NR_KMALLOC_SIZES; i++) {
		k->kmalloc_caches[i] = kmalloc_id(k, 0, i);
		k->kmalloc_dma_caches[i] = kmalloc_id(k, 1, i);
	}
	//@ assert opened: KmallocOpened(k, 2 * NR_KMALLOC_SIZES);
	//@ ghost opened_geo(k);
}

int kmem_cache_init(struct kmem *k, uint32_t nr_cpus)
{
	uint32_t i, s;

	if (nr_cpus < 1 || nr_cpus > 4096)
		return -EINVAL;
	/*@ loop invariant bound: 0 <= i <= MAX_CACHES;
	    loop invariant clear: \forall integer j; 0 <= j < i ==> !k->caches[j].in_use;
	    loop assigns i, k->caches[0 .. MAX_CACHES - 1].in_use;
	    loop variant MAX_CACHES - i;
	*/
	for (i = 0; i < MAX_CACHES; i++)
		k->caches[i].in_use = false;
	k->nr_cpus = nr_cpus;
	k->next_created = 0;
	/* Slot s: the normal caches, then the DMA ones, each type's classes in creation order. */
	/*@ loop invariant bound: 0 <= s <= 2 * NR_KMALLOC_SIZES;
	    loop invariant opened: KmallocOpened(k, s);
	    loop invariant cpus: k->nr_cpus == nr_cpus;
	    loop assigns s, k->caches[0 .. MAX_CACHES - 1], k->next_created;
	    loop variant 2 * NR_KMALLOC_SIZES - s;
	*/
	for (s = 0; s < 2 * NR_KMALLOC_SIZES; s++) {
		uint32_t t = s < NR_KMALLOC_SIZES ? 0 : 1;
		uint32_t n = s < NR_KMALLOC_SIZES ? s : s - NR_KMALLOC_SIZES;
		uint32_t cls = kmalloc_create_class(n);

		//@ assert class: cls == SlotClass(s);
		kmalloc_cache_open(k, s, t, cls);
	}
	//@ assert opened: KmallocOpened(k, 2 * NR_KMALLOC_SIZES);
	kmalloc_ids_set(k);
	return 0;
}

/* Slabs --------------------------------------------------------------------------- */

/*
 * The slab code works on a cache through two small copies: its geometry (constant while
 * the cache lives) and its lists and counters, which are written back to the cache at
 * the end of an operation (cache_state_put()). Between the two, only the page
 * allocator's state changes; no contract has to carry facts about the other caches
 * across the page allocator's calls.
 */
struct slab_geo {
	uint32_t size; /* per object, with alignment */
	uint32_t object_size;
	uint32_t offset; /* of the free pointer */
	uint32_t order;
	uint32_t min_order;
	uint32_t flags;
	uint32_t min_partial;
};

struct slab_state {
	uint32_t partial_head;
	uint32_t partial_tail;
	uint32_t nr_partial;
	uint32_t nr_slabs;
	uint64_t total_objects;
	uint64_t active_objects;
};

/*@
  // A live cache's geometry (CacheGeometry, for the fields the slab code reads).
  predicate GeoOk(struct slab_geo g) =
    1 <= g.object_size <= g.size && 8 <= g.size <= KMALLOC_MAX_SIZE && g.size % 8 == 0 &&
    g.order <= MAX_PAGE_ORDER && g.size <= Pow2(g.order) * PAGE_SIZE &&
    g.min_order <= MAX_PAGE_ORDER && g.size <= Pow2(g.min_order) * PAGE_SIZE &&
    g.offset % 8 == 0 && g.offset + 8 <= g.size;
  predicate GeoOf(struct slab_geo g, struct kmem_cache *c) =
    g.size == c->size && g.object_size == c->object_size && g.offset == c->offset &&
    g.order == c->order && g.min_order == c->min_order && g.flags == c->flags &&
    g.min_partial == c->min_partial;
*/

/*@ requires valid: \valid_read(c);
    requires shape: CacheShape(c);
    assigns \nothing;
    ensures of: GeoOf(\result, c);
    ensures ok: GeoOk(\result);
*/
static struct slab_geo cache_geo(const struct kmem_cache *c)
{
	struct slab_geo g = {c->size,	   c->object_size, c->offset,	  c->order,
			     c->min_order, c->flags,	   c->min_partial};

	return g;
}

/*@ requires valid: \valid_read(c);
    assigns \nothing;
    ensures of: \result.partial_head == c->partial_head && \result.partial_tail == c->partial_tail &&
	\result.nr_partial == c->nr_partial && \result.nr_slabs == c->nr_slabs &&
	\result.total_objects == c->total_objects && \result.active_objects == c->active_objects;
*/
static struct slab_state cache_state(const struct kmem_cache *c)
{
	struct slab_state st = {c->partial_head, c->partial_tail,  c->nr_partial,
				c->nr_slabs,	 c->total_objects, c->active_objects};

	return st;
}

/*
 * Write the lists and counters back to live cache id. Only those fields of that cache
 * change, so the allocator's state stays well formed.
 */
/*@ requires kmem: KmemOk(k);
    requires live: LiveCache(k, id);
    requires safe: BuddySafe(p);
    requires apart: KmemApart(p, k);
    assigns k->caches[id - 1].partial_head, k->caches[id - 1].partial_tail,
	k->caches[id - 1].nr_partial, k->caches[id - 1].nr_slabs,
	k->caches[id - 1].total_objects, k->caches[id - 1].active_objects;
    ensures kmem: KmemOk(k);
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures pages: PagesSame{Pre,Post}(p->pages, p->nr_pages);
    ensures pages_cache: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].slab_cache == \old(p->pages[i].slab_cache);
    ensures state: k->caches[id - 1].partial_head == st.partial_head &&
	k->caches[id - 1].partial_tail == st.partial_tail &&
	k->caches[id - 1].nr_partial == st.nr_partial && k->caches[id - 1].nr_slabs == st.nr_slabs &&
	k->caches[id - 1].total_objects == st.total_objects &&
	k->caches[id - 1].active_objects == st.active_objects;
*/
static void cache_state_put(const struct phys *p, struct kmem *k, int id, struct slab_state st)
{
	struct kmem_cache *c = &k->caches[id - 1];

	(void)p; /* for the contract */
	/*@ assert apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
		p->mem + (0 .. RamWords(p) - 1)); */
	c->partial_head = st.partial_head;
	c->partial_tail = st.partial_tail;
	c->nr_partial = st.nr_partial;
	c->nr_slabs = st.nr_slabs;
	c->total_objects = st.total_objects;
	c->active_objects = st.active_objects;
	/* The zones as they were, zone by zone (ground goals). */
	/*@ assert p_z0: p->zones[0].start_pfn == \at(p->zones[0].start_pfn, Pre) &&
		p->zones[0].end_pfn == \at(p->zones[0].end_pfn, Pre) &&
		p->zones[0].free_pages == \at(p->zones[0].free_pages, Pre); */
	/*@ assert p_z1: p->zones[1].start_pfn == \at(p->zones[1].start_pfn, Pre) &&
		p->zones[1].end_pfn == \at(p->zones[1].end_pfn, Pre) &&
		p->zones[1].free_pages == \at(p->zones[1].free_pages, Pre); */
	/* Every cache's shape as it was, field by field (one goal each). */
	/*@ assert kept_object_size: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].object_size == \at(k->caches[j].object_size, Pre); */
	/*@ assert kept_size: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].size == \at(k->caches[j].size, Pre); */
	/*@ assert kept_offset: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].offset == \at(k->caches[j].offset, Pre); */
	/*@ assert kept_order: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].order == \at(k->caches[j].order, Pre); */
	/*@ assert kept_min_order: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].min_order == \at(k->caches[j].min_order, Pre); */
	//@ assert kept: KeptExcept{Pre,Here}(k, MAX_CACHES);
	//@ assert ids: KmemIdsSame{Pre,Here}(k);
	/* The page allocator's state as it was (k is apart from it): BuddySafe carries over. */
	/*@ assert p_fields: p->nr_pages == \at(p->nr_pages, Pre) && p->booted == \at(p->booted, Pre) &&
		p->pages == \at(p->pages, Pre) && p->mem == \at(p->mem, Pre); */
	//@ assert p_pages: PagesSame{Pre,Here}(p->pages, p->nr_pages);
	/*@ assert p_cache: \forall integer i; 0 <= i < p->nr_pages ==>
		p->pages[i].slab_cache == \at(p->pages[i].slab_cache, Pre); */
	//@ assert p_areas: AreasSame{Pre,Here}(&p->zones[0]);
	/*@ assert p_zones: \forall integer zi; 0 <= zi < MAX_NR_ZONES ==>
		p->zones[zi].start_pfn == \at(p->zones[zi].start_pfn, Pre) &&
		p->zones[zi].end_pfn == \at(p->zones[zi].end_pfn, Pre) &&
		p->zones[zi].free_pages == \at(p->zones[zi].free_pages, Pre); */
	//@ assert p_shape: PhysShape(p);
	//@ assert p_kept: SlabPhysKept{Pre,Here}(p);
}

/*
 * The objects of the slab at pfn, if pfn is the head frame of a slab of cache id (a
 * frame of RAM marked PG_head and PG_slab, slab_cache id) holding 1 .. 65534 objects;
 * 0 otherwise, which only a corrupted state gives (slab_validate() reports it).
 */
/*@ requires safe: BuddySafe(p);
    requires size: 8 <= size <= KMALLOC_MAX_SIZE;
    assigns \nothing;
    ensures slab: \result != 0 ==> SlabOf(p, id, pfn) &&
	p->pages[pfn].order <= MAX_PAGE_ORDER && pfn + Pow2(p->pages[pfn].order) <= p->nr_pages &&
	\result == SlabObjects(p->pages[pfn].order, size) && \result < SLAB_FREELIST_END;
*/
static uint32_t slab_capacity(const struct phys *p, uint32_t size, uint16_t id, uint32_t pfn)
{
	const struct page *head;
	uint32_t objects;

	if (pfn >= p->nr_pages)
		return 0;
	head = &p->pages[pfn];
	if (!flag_set(head->flags, PG_head) || !flag_set(head->flags, PG_slab) ||
	    head->slab_cache != id)
		return 0;
	//@ assert in_ram: HeadInRam(p, pfn);
	objects = slab_objects(size, head);
	return objects < SLAB_FREELIST_END ? objects : 0;
}

/*
 * Chain the objects of a new slab in address order, the last one ending the chain
 * (allocate_slab()). Only words of RAM change.
 */
/*@ requires shape: PhysShape(p);
    requires geo: GeoOk(g);
    requires slab: pfn < p->nr_pages && p->pages[pfn].order <= MAX_PAGE_ORDER &&
	pfn + Pow2(p->pages[pfn].order) <= p->nr_pages;
    requires objects: objects == SlabObjects(p->pages[pfn].order, g.size);
    assigns p->mem[0 .. RamWords(p) - 1];
*/
static void slab_chain(struct phys *p, struct slab_geo g, uint32_t pfn, uint32_t objects)
{
	uint32_t i;

	//@ assert fit: objects * g.size <= Pow2(p->pages[pfn].order) * PAGE_SIZE;
	//@ assert pow: Pow2(p->pages[pfn].order) <= 1024;
	/*@ loop invariant bound: 0 <= i <= objects;
	    loop assigns i, p->mem[0 .. RamWords(p) - 1];
	    loop variant objects - i;
	*/
	for (i = 0; i < objects; i++) {
		uint64_t next = i + 1 < objects ? object_addr(g.size, pfn, i + 1) : 0;

		//@ ghost object_end(i, g.size, objects);
		//@ assert obj: i * g.size + g.size <= Pow2(p->pages[pfn].order) * PAGE_SIZE;
		write_u64(p, object_addr(g.size, pfn, i) + g.offset, next);
	}
}

/* One alloc_pages() for slab_pages(): a compound block of that order, or PFN_NONE. */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures block: \result != PFN_NONE ==> \result < p->nr_pages && IsHead(p, \result) &&
	p->pages[\result].order == order && \result + Pow2(order) <= p->nr_pages;
*/
static uint32_t slab_block(struct phys *p, gfp_t gfp, uint32_t order)
{
	//@ assert valid: \valid(p);
	/*@ assert sep: \separated(&p->nr_pages, p->pages + (0 .. p->nr_pages - 1),
		p->mem + (0 .. RamWords(p) - 1)); */
	return alloc_pages(p, gfp, order);
}

/*
 * A block for a new slab: of the cache's order, or of its minimum order when that cannot
 * be had. Before boot alloc_pages() fails for every order, so the fallback is tried
 * after boot only (where ListHeads follows from BuddySafe: buddy.h does not ensure it
 * after a call).
 */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    requires geo: GeoOk(g);
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures block: \result != PFN_NONE ==> \result < p->nr_pages && IsHead(p, \result) &&
	(p->pages[\result].order == g.order || p->pages[\result].order == g.min_order) &&
	\result + Pow2(p->pages[\result].order) <= p->nr_pages;
*/
static uint32_t slab_pages(struct phys *p, struct slab_geo g)
{
	gfp_t gfp = flag_set(g.flags, SLAB_CACHE_DMA) ? __GFP_COMP | __GFP_DMA : __GFP_COMP;
	uint32_t pfn;

	pfn = slab_block(p, gfp, g.order);
	if (pfn == PFN_NONE && g.min_order < g.order && p->booted) {
		//@ assert heads: SafeBooted(p);
		pfn = slab_block(p, gfp, g.min_order);
	}
	return pfn;
}

/* A new slab's head frame (PFN_NONE when none could be had) and the counters after. */
struct slab_new {
	uint32_t pfn;
	struct slab_state st;
};

/*
 * Models mm/slub.c: allocate_slab(). A compound block of the cache's order (or of its
 * minimum order when that cannot be had: slab_pages()), objects chained in address order.
 */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    requires geo: GeoOk(g);
    requires id: 1 <= id <= MAX_CACHES;
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures slab: \result.pfn != PFN_NONE ==> SlabOf(p, id, \result.pfn) &&
	(p->pages[\result.pfn].order == g.order || p->pages[\result.pfn].order == g.min_order) &&
	\result.pfn + Pow2(p->pages[\result.pfn].order) <= p->nr_pages &&
	SlabFree(p->pages[\result.pfn].prev) == 0 && SlabInuse(p->pages[\result.pfn].prev) == 0;
    ensures counted: \result.pfn != PFN_NONE ==> \result.st.nr_slabs == (uint32_t)(st.nr_slabs + 1);
    ensures failed: \result.pfn == PFN_NONE ==> \result.st.nr_slabs == st.nr_slabs &&
	\result.st.total_objects == st.total_objects;
    ensures kept: \result.st.partial_head == st.partial_head &&
	\result.st.partial_tail == st.partial_tail && \result.st.nr_partial == st.nr_partial &&
	\result.st.active_objects == st.active_objects;
*/
static struct slab_new allocate_slab(struct phys *p, struct slab_geo g, uint16_t id,
				     struct slab_state st)
{
	uint32_t pfn = slab_pages(p, g), objects;
	struct slab_new r = {PFN_NONE, st};

	if (pfn == PFN_NONE)
		return r;
	//@ assert page: \valid(&p->pages[pfn]);
	page_set_owner(p, pfn, flags_add(p->pages[pfn].flags, PG_slab), id);
	//@ assert head: IsHead(p, pfn);
	//@ assert in_ram: HeadInRam(p, pfn);
	objects = slab_objects(g.size, &p->pages[pfn]);
	slab_chain(p, g, pfn, objects);
	slab_set_counters(p, pfn, 0, 0);
	r.pfn = pfn;
	r.st.nr_slabs++;
	r.st.total_objects += objects;
	return r;
}

/* Models mm/slub.c: discard_slab(). Returns the lists and counters with the slab gone. */
/*@ requires safe: BuddySafe(p);
    requires geo: GeoOk(g);
    requires head: pfn < p->nr_pages && IsHead(p, pfn);
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures counted: \result.nr_slabs == (uint32_t)(st.nr_slabs - 1);
    ensures kept: \result.partial_head == st.partial_head &&
	\result.partial_tail == st.partial_tail && \result.nr_partial == st.nr_partial &&
	\result.active_objects == st.active_objects;
*/
static struct slab_state discard_slab(struct phys *p, struct slab_geo g, struct slab_state st,
				      uint32_t pfn)
{
	/*@ assert sep: \separated(&p->nr_pages, p->pages + (0 .. p->nr_pages - 1),
		p->mem + (0 .. RamWords(p) - 1)); */
	//@ assert in_ram: HeadInRam(p, pfn);
	st.nr_slabs--;
	st.total_objects -= slab_objects(g.size, &p->pages[pfn]);
	page_set_owner(p, pfn, flags_remove(p->pages[pfn].flags, PG_slab), 0);
	buddy_free_owned(p, pfn, p->pages[pfn].order);
	return st;
}

/*
 * The partial list: singly linked through struct page next, head and tail kept. Only
 * the links (next) of frames change (kept_*). Both take the lists and counters by value
 * and return them: the provers keep BuddySafe across no write outside the page
 * allocator. The assigns name whole struct pages, as the callers' do: that a range of
 * one field lies inside a range of whole structs is an existential goal that Z3 and
 * CVC4 do not prove (WP's Qed leaves it), so the kept fields are postconditions.
 */
/*@ requires safe: BuddySafe(p);
    requires head: pfn < p->nr_pages && IsHead(p, pfn);
    requires tail: st.partial_head != PFN_NONE && to_tail ==>
	st.partial_tail < p->nr_pages && IsHead(p, st.partial_tail);
    assigns p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures kept_prev: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].prev == \old(p->pages[i].prev);
    ensures kept_flags: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].flags == \old(p->pages[i].flags);
    ensures kept_refcount: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].refcount == \old(p->pages[i].refcount);
    ensures kept_order: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].order == \old(p->pages[i].order);
    ensures kept_reserved: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].reserved_byte == \old(p->pages[i].reserved_byte);
    ensures kept_cache: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].slab_cache == \old(p->pages[i].slab_cache);
    ensures count: \result.nr_partial == (uint32_t)(st.nr_partial + 1);
    ensures kept: \result.nr_slabs == st.nr_slabs && \result.total_objects == st.total_objects &&
	\result.active_objects == st.active_objects;
*/
static struct slab_state add_partial(struct phys *p, struct slab_state st, uint32_t pfn,
				     bool to_tail)
{
	slab_set_next(p, pfn, PFN_NONE);
	if (st.partial_head == PFN_NONE) {
		st.partial_head = pfn;
		st.partial_tail = pfn;
	} else if (to_tail) {
		slab_set_next(p, st.partial_tail, pfn);
		st.partial_tail = pfn;
	} else {
		slab_set_next(p, pfn, st.partial_head);
		st.partial_head = pfn;
	}
	st.nr_partial++;
	return st;
}

/*
 * The struct pages as they are: remove_partial()'s postconditions on its path that
 * writes nothing (in the goal that merges the paths the provers do not see them).
 */
/*@ ghost
  /@ requires safe: BuddySafe(p);
     assigns \nothing;
     ensures safe: BuddySafe(p);
     ensures nr: p->nr_pages == \old(p->nr_pages);
     ensures kept_prev: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].prev == \old(p->pages[i].prev);
     ensures kept_flags: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].flags == \old(p->pages[i].flags);
     ensures kept_refcount: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].refcount == \old(p->pages[i].refcount);
     ensures kept_order: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].order == \old(p->pages[i].order);
     ensures kept_reserved: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].reserved_byte == \old(p->pages[i].reserved_byte);
     ensures kept_cache: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].slab_cache == \old(p->pages[i].slab_cache);
  @/
  static void pages_kept(const struct phys *p) { }
*/

/*
 * Take pfn, found on the partial list after prev (PFN_NONE: at its head), off the list.
 * Its own function (no loop in the context): remove_partial()'s frame facts are its
 * postconditions.
 */
/*@ requires safe: BuddySafe(p);
    requires head: pfn < p->nr_pages && IsHead(p, pfn);
    requires prev: prev == PFN_NONE || (prev < p->nr_pages && IsHead(p, prev));
    assigns p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures kept_prev: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].prev == \old(p->pages[i].prev);
    ensures kept_flags: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].flags == \old(p->pages[i].flags);
    ensures kept_refcount: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].refcount == \old(p->pages[i].refcount);
    ensures kept_order: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].order == \old(p->pages[i].order);
    ensures kept_reserved: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].reserved_byte == \old(p->pages[i].reserved_byte);
    ensures kept_cache: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].slab_cache == \old(p->pages[i].slab_cache);
    ensures kept: \result.nr_slabs == st.nr_slabs && \result.total_objects == st.total_objects &&
	\result.active_objects == st.active_objects;
*/
static struct slab_state partial_unlink(struct phys *p, struct slab_state st, uint32_t prev,
					uint32_t pfn)
{
	if (prev == PFN_NONE)
		st.partial_head = p->pages[pfn].next;
	else
		slab_set_next(p, prev, p->pages[pfn].next);
	if (st.partial_tail == pfn)
		st.partial_tail = prev;
	slab_set_next(p, pfn, PFN_NONE);
	st.nr_partial--;
	return st;
}

/* Unlink pfn; a walk that meets a frame that is no block head stops (corrupted state). */
/*@ requires safe: BuddySafe(p);
    requires head: pfn < p->nr_pages && IsHead(p, pfn);
    assigns p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures kept_prev: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].prev == \old(p->pages[i].prev);
    ensures kept_flags: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].flags == \old(p->pages[i].flags);
    ensures kept_refcount: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].refcount == \old(p->pages[i].refcount);
    ensures kept_order: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].order == \old(p->pages[i].order);
    ensures kept_reserved: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].reserved_byte == \old(p->pages[i].reserved_byte);
    ensures kept_cache: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].slab_cache == \old(p->pages[i].slab_cache);
    ensures kept: \result.nr_slabs == st.nr_slabs && \result.total_objects == st.total_objects &&
	\result.active_objects == st.active_objects;
*/
static struct slab_state remove_partial(struct phys *p, struct slab_state st, uint32_t pfn)
{
	uint32_t prev = PFN_NONE, cur = st.partial_head, n;

	/*@ loop invariant bound: 0 <= n <= st.nr_partial;
	    loop invariant prev: prev == PFN_NONE || (prev < p->nr_pages && IsHead(p, prev));
	    loop assigns n, prev, cur;
	    loop variant st.nr_partial - n;
	*/
	for (n = 0; cur != PFN_NONE && cur != pfn && n < st.nr_partial; n++) {
		if (cur >= p->nr_pages || !flag_set(p->pages[cur].flags, PG_head))
			break; /* not a slab: slab_validate() reports such a list */
		prev = cur;
		cur = p->pages[cur].next;
	}
	/* Not on the list (or the walk broke off): slab_validate() reports such a state. */
	if (cur == pfn) {
		st = partial_unlink(p, st, prev, pfn);
	} /*@ ghost else {
		pages_kept(p);
	} */
	/* One exit, and a split at it: each path is proved alone. */
	/*@ split cur == pfn; */
	return st;
}

/*
 * Decode a free pointer read from a slab: the index of the object it names, or
 * SLAB_FREELIST_END for 0; objects (an impossible index) when it names no object of
 * this slab, i.e. the chain was overwritten.
 */
/*@ requires size: 8 <= size;
    requires pfn: slab_pfn < PHYS_MAX_PAGES;
    assigns \nothing;
    ensures range: \result == SLAB_FREELIST_END || \result <= objects;
*/
static uint32_t free_pointer_index(uint32_t size, uint32_t slab_pfn, uint32_t objects, uint64_t fp)
{
	uint64_t base = pfn_to_virt(slab_pfn);

	if (fp == 0)
		return SLAB_FREELIST_END;
	if (fp < base || (fp - base) % size != 0 || (fp - base) / size >= objects)
		return objects;
	return (uint32_t)((fp - base) / size);
}

/* The free pointer of object idx of the slab at pfn, decoded (free_pointer_index()). */
/*@ requires shape: PhysShape(p);
    requires geo: GeoOk(g);
    requires slab: pfn < p->nr_pages && p->pages[pfn].order <= MAX_PAGE_ORDER &&
	pfn + Pow2(p->pages[pfn].order) <= p->nr_pages;
    requires objects: objects == SlabObjects(p->pages[pfn].order, g.size) &&
	objects < SLAB_FREELIST_END;
    requires idx: idx < objects;
    assigns \nothing;
    ensures range: \result == SLAB_FREELIST_END || \result <= objects;
*/
static uint32_t free_pointer_next(const struct phys *p, struct slab_geo g, uint32_t pfn,
				  uint32_t objects, uint32_t idx)
{
	//@ ghost object_end(idx, g.size, objects);
	//@ assert obj: idx * g.size + g.size <= Pow2(p->pages[pfn].order) * PAGE_SIZE;
	return free_pointer_index(g.size, pfn, objects,
				  read_u64(p, object_addr(g.size, pfn, idx) + g.offset));
}

/* Objects -------------------------------------------------------------------------- */

/*@ assigns \nothing;
    ensures err: \result.err == err && \result.addr == 0;
*/
static struct obj_result obj_err(int err)
{
	struct obj_result r = {err, 0};

	return r;
}

/* An object taken from a slab: where it is, for the contracts. */
struct slab_obj {
	int err;
	uint32_t pfn; /* the slab's head frame */
	uint32_t idx; /* the object's index in it */
	uint64_t addr;
	struct slab_state st; /* the cache's lists and counters after */
};

/*@ assigns \nothing;
    ensures err: \result.err == err && \result.addr == 0 && \result.st == st;
*/
static struct slab_obj slab_obj_err(int err, struct slab_state st)
{
	struct slab_obj r = {err, 0, 0, 0, st};

	return r;
}

/*
 * What allocating from the slab at pfn reads before it writes anything: pfn is the
 * head of a slab of cache id inside RAM, its first free object idx is one of its
 * objects, it counts fewer objects in use than it holds, and the free pointer of idx
 * names another of its objects (next) or ends the chain (SLAB_FREELIST_END).
 */
/*@
  predicate PartialPick(struct phys *p, integer id, integer size, integer pfn, integer idx,
                        integer next) =
    SlabOf(p, id, pfn) && p->pages[pfn].order <= MAX_PAGE_ORDER &&
    pfn + Pow2(p->pages[pfn].order) <= p->nr_pages &&
    SlabObjects(p->pages[pfn].order, size) < SLAB_FREELIST_END &&
    idx == SlabFree(p->pages[pfn].prev) && 0 <= idx < SlabObjects(p->pages[pfn].order, size) &&
    SlabInuse(p->pages[pfn].prev) < SlabObjects(p->pages[pfn].order, size) &&
    (next == SLAB_FREELIST_END || 0 <= next < SlabObjects(p->pages[pfn].order, size)) &&
    next != idx;
*/

/* What partial_check() found: 0, the first free object and the one after it; or the error. */
struct partial_pick {
	int err;
	uint32_t idx;
	uint32_t next;
};

/*@ assigns \nothing;
    ensures err: \result.err == err && \result.idx == 0 && \result.next == 0;
*/
static struct partial_pick partial_pick_err(int err)
{
	struct partial_pick r = {err, 0, 0};

	return r;
}

/*
 * The checks of an allocation from the partial slab at pfn (-MERR_CORRUPT: no slab of
 * the cache, counters out of range, or a free pointer that names no other object of
 * the slab, i.e. the chain was overwritten). Nothing is written.
 */
/*@ requires safe: BuddySafe(p);
    requires geo: GeoOk(g);
    assigns \nothing;
    ensures result: \result.err == 0 || \result.err == -MERR_CORRUPT;
    ensures ok: \result.err == 0 ==> PartialPick(p, id, g.size, pfn, \result.idx, \result.next);
*/
static struct partial_pick partial_check(const struct phys *p, struct slab_geo g, uint16_t id,
					 uint32_t pfn)
{
	uint32_t objects = slab_capacity(p, g.size, id, pfn), idx, inuse, next;
	struct partial_pick r = {0, 0, 0};

	if (objects == 0)
		return partial_pick_err(-MERR_CORRUPT);
	idx = slab_freelist(&p->pages[pfn]);
	inuse = slab_inuse(&p->pages[pfn]);
	if (idx >= objects || inuse >= objects)
		return partial_pick_err(-MERR_CORRUPT);
	next = free_pointer_next(p, g, pfn, objects, idx);
	if (next == objects || next == idx)
		return partial_pick_err(-MERR_CORRUPT);
	r.idx = idx;
	r.next = next;
	return r;
}

/*
 * The first free object of the first partial slab (mm/slub.c: ___slab_alloc() without
 * per-CPU slabs), partial_check() passed. A slab that becomes full leaves the list.
 */
/*@ requires safe: BuddySafe(p);
    requires geo: GeoOk(g);
    requires picked: PartialPick(p, id, g.size, st.partial_head, idx, next);
    assigns p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures kept_flags: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].flags == \old(p->pages[i].flags);
    ensures kept_refcount: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].refcount == \old(p->pages[i].refcount);
    ensures kept_order: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].order == \old(p->pages[i].order);
    ensures kept_reserved: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].reserved_byte == \old(p->pages[i].reserved_byte);
    ensures kept_cache: \forall integer i; 0 <= i < p->nr_pages ==>
	p->pages[i].slab_cache == \old(p->pages[i].slab_cache);
    ensures result: \result.err == 0;
    ensures object: ObjectIn(p, id, g.size, \result.pfn, \result.idx, \result.addr) &&
	SlabFree(p->pages[\result.pfn].prev) != \result.idx &&
	SlabInuse(p->pages[\result.pfn].prev) == \old(SlabInuse(p->pages[\result.pfn].prev)) + 1;
    ensures counted: \result.st.active_objects == (uint64_t)(st.active_objects + 1) &&
	\result.st.nr_slabs == st.nr_slabs;
*/
static struct slab_obj alloc_from_partial(struct phys *p, struct slab_geo g, uint16_t id,
					  struct slab_state st, uint32_t idx, uint32_t next)
{
	uint32_t pfn = st.partial_head;
	struct slab_obj r = {0, 0, 0, 0, st};

	(void)id; /* for the contract */
	r.pfn = pfn;
	r.idx = idx;
	r.addr = object_addr(g.size, pfn, idx);
	//@ ghost uint32_t prev0 = p->pages[pfn].prev;
	slab_set_counters(p, pfn, next, slab_inuse(&p->pages[pfn]) + 1);
	//@ assert set: SlabFree(p->pages[pfn].prev) != idx && SlabInuse(p->pages[pfn].prev) == SlabInuse(prev0) + 1;
	//@ assert obj: ObjectIn(p, id, g.size, pfn, idx, r.addr);
	st.active_objects++;
	if (next == SLAB_FREELIST_END) {
		//@ ghost uint32_t prev1 = p->pages[pfn].prev;
		/* the head of the list: O(1) */
		st = remove_partial(p, st, pfn);
		//@ assert o_prev: p->pages[pfn].prev == prev1;
		//@ assert o_obj: ObjectIn(p, id, g.size, pfn, idx, r.addr);
	}
	r.st = st;
	return r;
}

/*
 * The first object of a new slab (mm/slub.c: new_slab()). allocate_slab() chained
 * object 0 to object 1 (or ended the chain when the slab holds one object): the slab's
 * next free object is that one, and with one left it joins the partial list.
 */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    requires geo: GeoOk(g);
    requires id: 1 <= id <= MAX_CACHES;
    requires empty: st.partial_head == PFN_NONE;
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures result: \result.err == 0 || \result.err == -ENOMEM;
    ensures null: \result.err != 0 ==> \result.addr == 0;
    ensures untouched: \result.err != 0 ==> \result.st == st;
    ensures object: \result.err == 0 ==>
	ObjectIn(p, id, g.size, \result.pfn, \result.idx, \result.addr) &&
	SlabFree(p->pages[\result.pfn].prev) != \result.idx &&
	SlabInuse(p->pages[\result.pfn].prev) == 1;
    ensures counted: \result.err == 0 ==>
	\result.st.active_objects == (uint64_t)(st.active_objects + 1) &&
	\result.st.nr_slabs == (uint32_t)(st.nr_slabs + 1);
*/
static struct slab_obj alloc_from_new_slab(struct phys *p, struct slab_geo g, uint16_t id,
					   struct slab_state st)
{
	struct slab_new s = allocate_slab(p, g, id, st);
	uint32_t pfn = s.pfn, objects, next;
	struct slab_obj r = {0, 0, 0, 0, st};

	if (pfn == PFN_NONE)
		return slab_obj_err(-ENOMEM, st);
	st = s.st;
	//@ assert one: SlabObjects(p->pages[pfn].order, g.size) >= 1;
	objects = slab_objects(g.size, &p->pages[pfn]);
	r.pfn = pfn;
	r.idx = 0;
	r.addr = object_addr(g.size, pfn, 0);
	next = objects > 1 ? 1 : SLAB_FREELIST_END;
	slab_set_counters(p, pfn, next, 1);
	/*@ assert obj: ObjectIn(p, id, g.size, pfn, 0, r.addr) && SlabFree(p->pages[pfn].prev) != 0 &&
		SlabInuse(p->pages[pfn].prev) == 1; */
	//@ assert nr0: p->nr_pages == \at(p->nr_pages, Pre);
	st.active_objects++;
	if (next != SLAB_FREELIST_END) {
		//@ ghost uint32_t prev1 = p->pages[pfn].prev;
		//@ ghost uint16_t flags1 = p->pages[pfn].flags;
		//@ ghost uint16_t cache1 = p->pages[pfn].slab_cache;
		//@ ghost uint8_t order1 = p->pages[pfn].order;
		st = add_partial(p, st, pfn, false);
		//@ assert nr1: p->nr_pages == \at(p->nr_pages, Pre);
		//@ assert f_prev: p->pages[pfn].prev == prev1;
		//@ assert f_flags: p->pages[pfn].flags == flags1;
		//@ assert f_cache: p->pages[pfn].slab_cache == cache1;
		//@ assert f_order: p->pages[pfn].order == order1;
		//@ assert kept: ObjectIn(p, id, g.size, pfn, 0, r.addr);
	}
	r.st = st;
	return r;
}

/*
 * cache_state_put() after an allocation, with what kmem_cache_alloc() needs of the slab
 * it took the object from (the struct pages are not written), proved in a context of
 * the call alone.
 */
/*@ requires kmem: KmemOk(k);
    requires live: LiveCache(k, id);
    requires safe: BuddySafe(p);
    requires apart: KmemApart(p, k);
    requires obj: ObjectIn(p, id, size, pfn, idx, addr);
    assigns k->caches[id - 1].partial_head, k->caches[id - 1].partial_tail,
	k->caches[id - 1].nr_partial, k->caches[id - 1].nr_slabs,
	k->caches[id - 1].total_objects, k->caches[id - 1].active_objects;
    ensures kmem: KmemOk(k);
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures obj: ObjectIn(p, id, size, pfn, idx, addr);
    ensures prev: p->pages[pfn].prev == \old(p->pages[pfn].prev);
    ensures state: k->caches[id - 1].partial_head == st.partial_head &&
	k->caches[id - 1].partial_tail == st.partial_tail &&
	k->caches[id - 1].nr_partial == st.nr_partial && k->caches[id - 1].nr_slabs == st.nr_slabs &&
	k->caches[id - 1].total_objects == st.total_objects &&
	k->caches[id - 1].active_objects == st.active_objects;
*/
static void cache_state_put_obj(const struct phys *p, struct kmem *k, int id, struct slab_state st,
				uint32_t size, uint32_t pfn, uint32_t idx, uint64_t addr)
{
	(void)size, (void)pfn, (void)idx, (void)addr; /* for the contract */
	cache_state_put(p, k, id, st);
}

/*
 * k as it is: KmemSame of a state with itself, a lemma as a ghost function (in a large
 * context the provers do not see that the struct equality is reflexive).
 */
/*@ ghost
  /@ requires valid: \valid_read(k);
     assigns \nothing;
     ensures same: KmemSame{Pre,Post}(k);
  @/
  static void kmem_same(const struct kmem *k) { }
*/

/*
 * The page allocator's side of kmem_cache_alloc() for a cache whose state and geometry
 * were read from k, each step with the frame fact on k (KMEM_FRAME), and then put
 * together (slab_alloc_obj()): the struct kmem is not written here.
 */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    requires geo: GeoOk(g);
    requires id: 1 <= id <= MAX_CACHES;
    requires empty: st.partial_head == PFN_NONE;
    requires apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
	p->mem + (0 .. RamWords(p) - 1));
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures result: \result.err == 0 || \result.err == -ENOMEM;
    ensures null: \result.err != 0 ==> \result.addr == 0;
    ensures object: \result.err == 0 ==>
	ObjectIn(p, id, g.size, \result.pfn, \result.idx, \result.addr) &&
	SlabFree(p->pages[\result.pfn].prev) != \result.idx &&
	SlabInuse(p->pages[\result.pfn].prev) == 1;
    ensures counted: \result.err == 0 ==>
	\result.st.active_objects == (uint64_t)(st.active_objects + 1) &&
	\result.st.nr_slabs == (uint32_t)(st.nr_slabs + 1);
    KMEM_FRAME
*/
static struct slab_obj new_slab_kept(struct phys *p, const struct kmem *k, struct slab_geo g,
				     uint16_t id, struct slab_state st)
{
	(void)k; /* for the contract */
	return alloc_from_new_slab(p, g, id, st);
}

/*@ requires safe: BuddySafe(p);
    requires geo: GeoOk(g);
    requires picked: PartialPick(p, id, g.size, st.partial_head, idx, next);
    requires apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
	p->mem + (0 .. RamWords(p) - 1));
    assigns p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures result: \result.err == 0;
    ensures object: ObjectIn(p, id, g.size, \result.pfn, \result.idx, \result.addr) &&
	SlabFree(p->pages[\result.pfn].prev) != \result.idx &&
	SlabInuse(p->pages[\result.pfn].prev) == \old(SlabInuse(p->pages[\result.pfn].prev)) + 1;
    ensures counted: \result.st.active_objects == (uint64_t)(st.active_objects + 1) &&
	\result.st.nr_slabs == st.nr_slabs;
    KMEM_FRAME
*/
static struct slab_obj partial_kept(struct phys *p, const struct kmem *k, struct slab_geo g,
				    uint16_t id, struct slab_state st, uint32_t idx, uint32_t next)
{
	(void)k; /* for the contract */
	return alloc_from_partial(p, g, id, st, idx, next);
}

/*@ requires shape: PhysShape(p);
    requires in_ram: PAGE_OFFSET <= va && (va - PAGE_OFFSET) / 8 + words <= RamWords(p);
    requires apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
	p->mem + (0 .. RamWords(p) - 1));
    assigns p->mem[(va - PAGE_OFFSET) / 8 .. (va - PAGE_OFFSET) / 8 + words - 1];
    KMEM_FRAME
*/
static void zero_words_kept(struct phys *p, const struct kmem *k, uint64_t va, uint32_t words)
{
	(void)k; /* for the contract */
	zero_words(p, va, words);
}

/*
 * One object for a cache with geometry g and state st (both read from k), zeroed for
 * __GFP_ZERO: a new slab when the partial list is empty, else the first partial slab,
 * checked before the first write (a refused allocation changes nothing). k is as it was.
 */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    requires geo: GeoOk(g);
    requires id: 1 <= id <= MAX_CACHES;
    requires apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
	p->mem + (0 .. RamWords(p) - 1));
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures result: \result.err == 0 || \result.err == -ENOMEM || \result.err == -MERR_CORRUPT;
    ensures null: \result.err != 0 ==> \result.addr == 0;
    ensures untouched: \result.err == -MERR_CORRUPT ==> PhysSame{Pre,Post}(p);
    ensures object: \result.err == 0 ==>
	ObjectIn(p, id, g.size, \result.pfn, \result.idx, \result.addr) &&
	SlabFree(p->pages[\result.pfn].prev) != \result.idx;
    ensures from_partial: \result.err == 0 && st.partial_head != PFN_NONE ==>
	SlabInuse(p->pages[\result.pfn].prev) == \old(SlabInuse(p->pages[\result.pfn].prev)) + 1 &&
	\result.st.nr_slabs == st.nr_slabs;
    ensures from_new_slab: \result.err == 0 && st.partial_head == PFN_NONE ==>
	SlabInuse(p->pages[\result.pfn].prev) == 1 &&
	\result.st.nr_slabs == (uint32_t)(st.nr_slabs + 1);
    ensures counted: \result.err == 0 ==>
	\result.st.active_objects == (uint64_t)(st.active_objects + 1);
    ensures in_ram: \result.err == 0 ==>
	VirtInRam(p, \result.addr) && \result.addr + g.size <= PAGE_OFFSET + RamBytes(p);
    ensures k_same: KmemSame{Pre,Post}(k);
    ensures k_kept: KeptExcept{Pre,Post}(k, MAX_CACHES);
    ensures k_ids: KmemIdsSame{Pre,Post}(k);
*/
static struct slab_obj slab_alloc_obj(struct phys *p, const struct kmem *k, struct slab_geo g,
				      uint16_t id, struct slab_state st, gfp_t gfp)
{
	struct slab_obj o;

	if (st.partial_head == PFN_NONE) {
		o = new_slab_kept(p, k, g, id, st);
	} else {
		struct partial_pick c = partial_check(p, g, id, st.partial_head);

		if (c.err != 0)
			return slab_obj_err(c.err, st);
		o = partial_kept(p, k, g, id, st, c.idx, c.next);
	}
	//@ ghost if (o.err == 0) object_in_ram(p, id, g.size, o.pfn, o.idx, o.addr);
	/* Whole words: the object size with alignment is a multiple of 8. */
	if (o.err == 0 && flag_set(gfp, __GFP_ZERO))
		zero_words_kept(p, k, o.addr, (g.object_size + 7) / 8);
	/* Field by field, one goal each, across both branches (KMEM_FRAME of each step). */
	//@ assert k_object_size: KMEM_KEPT(object_size);
	//@ assert k_size: KMEM_KEPT(size);
	//@ assert k_align: KMEM_KEPT(align);
	//@ assert k_offset: KMEM_KEPT(offset);
	//@ assert k_flags: KMEM_KEPT(flags);
	//@ assert k_order: KMEM_KEPT(order);
	//@ assert k_objects: KMEM_KEPT(objects);
	//@ assert k_min_order: KMEM_KEPT(min_order);
	//@ assert k_min_partial: KMEM_KEPT(min_partial);
	//@ assert k_partial_head: KMEM_KEPT(partial_head);
	//@ assert k_partial_tail: KMEM_KEPT(partial_tail);
	//@ assert k_nr_partial: KMEM_KEPT(nr_partial);
	//@ assert k_nr_slabs: KMEM_KEPT(nr_slabs);
	//@ assert k_created: KMEM_KEPT(created);
	//@ assert k_total_objects: KMEM_KEPT(total_objects);
	//@ assert k_active_objects: KMEM_KEPT(active_objects);
	/*@ assert k_kmalloc_ids: \forall integer i; 0 <= i < NR_KMALLOC_SIZES ==>
		k->kmalloc_caches[i] == \at(k->kmalloc_caches[i], Pre) &&
		k->kmalloc_dma_caches[i] == \at(k->kmalloc_dma_caches[i], Pre); */
	//@ assert k_in_use: KMEM_KEPT(in_use) && KMEM_KEPT(kmalloc);
	/*@ assert k_name: \forall integer j, m; 0 <= j < MAX_CACHES && 0 <= m < CACHE_NAME_LEN ==>
		k->caches[j].name[m] == \at(k->caches[j].name[m], Pre); */
	/*@ assert k_arrays: \at(k->kmalloc_caches, Pre) == k->kmalloc_caches &&
		\at(k->kmalloc_dma_caches, Pre) == k->kmalloc_dma_caches; */
	/*@ assert k_caches: \forall integer j; 0 <= j < MAX_CACHES ==>
		CacheSame{Pre,Here}(&k->caches[j]); */
	//@ assert k_eq: CachesEq{Pre,Here}(k);
	return o;
}

struct obj_result kmem_cache_alloc(struct phys *p, struct kmem *k, int id, gfp_t gfp)
{
	struct slab_geo g;
	struct slab_state st;
	struct slab_obj o;
	struct obj_result r = {-MERR_NOT_FOUND, 0};
	uint16_t cid;
	//@ ghost bool taken = 0;

	/*
	 * One exit, and a split annotation at it: each path is proved alone (merged, the
	 * refused ones and the one that took an object overwhelm the provers).
	 */
	if (!cache_live(k, id)) {
		//@ ghost kmem_same(k);
	} else {
		/*@ assert apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
			p->mem + (0 .. RamWords(p) - 1)); */
		cid = (uint16_t)id;
		//@ assert cid: cid == id;
		g = cache_geo(&k->caches[id - 1]);
		st = cache_state(&k->caches[id - 1]);
		o = slab_alloc_obj(p, k, g, cid, st, gfp);
		//@ assert k_ok: KmemOk(k);
		//@ assert g_size: k->caches[id - 1].size == g.size;
		if (o.err != 0) {
			//@ assert refused: KmemSame{Pre,Here}(k);
			r.err = o.err;
		} else {
			//@ assert c_slabs: st.nr_slabs == \at(k->caches[id - 1].nr_slabs, Pre);
			//@ assert c_in: ObjectIn(p, id, g.size, o.pfn, o.idx, o.addr);
			//@ assert c_ram: o.addr + g.object_size <= PAGE_OFFSET + RamBytes(p);
			/*@ ghost C:; */
			cache_state_put_obj(p, k, id, o.st, g.size, o.pfn, o.idx, o.addr);
			//@ assert size: k->caches[id - 1].size == g.size;
			//@ assert slabs: k->caches[id - 1].nr_slabs == o.st.nr_slabs;
			/*@ assert inuse: SlabInuse(p->pages[o.pfn].prev) ==
				SlabInuse(\at(p->pages[\at(o.pfn, Here)].prev, C)); */
			//@ assert t_in: ObjectIn(p, id, k->caches[id - 1].size, o.pfn, o.idx, o.addr);
			//@ assert t_free: SlabFree(p->pages[o.pfn].prev) != o.idx;
			//@ assert t_ram: o.addr + g.object_size <= PAGE_OFFSET + RamBytes(p);
			/* Which way the object came, one case at a time (no disjunction). */
			/*@ ghost
			  if (st.partial_head != PFN_NONE) {
				/@ assert t_partial:
				    SlabInuse(p->pages[o.pfn].prev) ==
					SlabInuse(\at(p->pages[\at(o.pfn, Here)].prev, Pre)) + 1 &&
				    k->caches[id - 1].nr_slabs == \at(k->caches[id - 1].nr_slabs, Pre); @/
			  } else {
				/@ assert t_new_slab: SlabInuse(p->pages[o.pfn].prev) == 1 &&
				    k->caches[id - 1].nr_slabs ==
					(uint32_t)(\at(k->caches[id - 1].nr_slabs, Pre) + 1); @/
			  }
			*/
			r.err = 0;
			r.addr = o.addr;
			//@ ghost taken = 1;
		}
	}
	/*@ split taken; */
	return r;
}

/*
 * Models include/linux/mm.h: virt_to_head_page(). The head frame of the compound block
 * behind a linear-map address (the frame itself when not compound), or
 * -MERR_OUT_OF_RANGE; -MERR_CORRUPT for a tail whose head link leaves RAM.
 */
/*@ requires shape: PhysShape(p);
    assigns \nothing;
    ensures result: \result == -MERR_OUT_OF_RANGE || \result == -MERR_CORRUPT ||
	0 <= \result < p->nr_pages;
    ensures out_of_range: \result == -MERR_OUT_OF_RANGE <==> !VirtInRam(p, addr);
    ensures head: \result >= 0 ==> \result == HeadPfn(p, addr);
*/
static int64_t virt_to_head(const struct phys *p, uint64_t addr)
{
	uint32_t pfn = virt_to_pfn(p, addr), head;

	if (pfn == PFN_NONE)
		return -MERR_OUT_OF_RANGE;
	if (!flag_set(p->pages[pfn].flags, PG_tail))
		return pfn;
	head = p->pages[pfn].next; /* compound_head() */
	if (head >= p->nr_pages)
		return -MERR_CORRUPT;
	return head;
}

/* The slab behind an object address: its head pfn, or a negative error. */
/*@ requires shape: PhysShape(p);
    assigns \nothing;
    ensures result: \result == -MERR_OUT_OF_RANGE || \result == -MERR_CORRUPT ||
	\result == -MERR_FOREIGN || 0 <= \result < p->nr_pages;
    ensures out_of_range: \result == -MERR_OUT_OF_RANGE <==> !VirtInRam(p, addr);
    ensures slab: \result >= 0 ==> \result == HeadPfn(p, addr) && IsHead(p, \result) &&
	HasFlag(p->pages[\result].flags, PG_slab);
    ensures foreign: \result == -MERR_FOREIGN ==> 0 <= HeadPfn(p, addr) < p->nr_pages &&
	!HasFlag(p->pages[HeadPfn(p, addr)].flags, PG_slab);
*/
static int64_t virt_to_slab(const struct phys *p, uint64_t addr)
{
	int64_t pfn = virt_to_head(p, addr);

	if (pfn < 0)
		return pfn;
	if (!flag_set(p->pages[pfn].flags, PG_slab))
		return -MERR_FOREIGN;
	if (!flag_set(p->pages[pfn].flags, PG_head))
		return -MERR_CORRUPT;
	return pfn;
}

/*
 * Is object idx already on the slab's free chain? -MERR_CORRUPT if the chain is bad
 * (leaves the slab, or is longer than the slab).
 */
/*@ requires shape: PhysShape(p);
    requires geo: GeoOk(g);
    requires slab: pfn < p->nr_pages && p->pages[pfn].order <= MAX_PAGE_ORDER &&
	pfn + Pow2(p->pages[pfn].order) <= p->nr_pages;
    requires objects: objects == SlabObjects(p->pages[pfn].order, g.size) &&
	objects < SLAB_FREELIST_END;
    assigns \nothing;
    ensures result: \result == -MERR_CORRUPT || \result == 0 || \result == 1;
*/
static int object_is_free(const struct phys *p, struct slab_geo g, uint32_t pfn, uint32_t objects,
			  uint32_t idx)
{
	uint32_t cur = slab_freelist(&p->pages[pfn]), n;

	/*@ loop invariant bound: 0 <= n <= objects;
	    loop assigns n, cur;
	    loop variant objects - n;
	*/
	for (n = 0; cur != SLAB_FREELIST_END; n++) {
		if (cur >= objects || n >= objects)
			return -MERR_CORRUPT;
		if (cur == idx)
			return 1;
		//@ assert cur: 0 <= cur < SlabObjects(p->pages[pfn].order, g.size);
		//@ ghost object_end(cur, g.size, objects);
		//@ assert obj: cur * g.size + g.size <= Pow2(p->pages[pfn].order) * PAGE_SIZE;
		cur = free_pointer_index(g.size, pfn, objects,
					 read_u64(p, object_addr(g.size, pfn, cur) + g.offset));
	}
	return 0;
}

/* The partial list can take a slab at its tail: empty, or its tail is a block head. */
/*@ requires shape: PhysShape(p);
    assigns \nothing;
    ensures exact: \result <==> st.partial_head == PFN_NONE ||
	(st.partial_tail < p->nr_pages && IsHead(p, st.partial_tail));
*/
static bool partial_tail_ok(const struct phys *p, struct slab_state st)
{
	return st.partial_head == PFN_NONE || (st.partial_tail < p->nr_pages &&
					       flag_set(p->pages[st.partial_tail].flags, PG_head));
}

/*
 * What a free checks before it writes anything (mm/slub.c: __slab_free() and its
 * debug checks): pfn is the head of a slab of cache id inside RAM holding fewer than
 * SLAB_FREELIST_END objects, addr is the start of its object idx, the slab counts an
 * object in use; and the partial list can take a slab at its tail.
 */
/*@
  predicate FreeChecked(struct phys *p, integer id, integer size, integer pfn, integer idx,
                        integer addr) =
    SlabOf(p, id, pfn) && p->pages[pfn].order <= MAX_PAGE_ORDER &&
    pfn + Pow2(p->pages[pfn].order) <= p->nr_pages &&
    SlabObjects(p->pages[pfn].order, size) < SLAB_FREELIST_END &&
    0 <= idx < SlabObjects(p->pages[pfn].order, size) &&
    idx * size + size <= Pow2(p->pages[pfn].order) * PAGE_SIZE &&
    addr == ObjAddr(pfn, idx, size) && idx == (addr - ObjAddr(pfn, 0, size)) / size &&
    SlabInuse(p->pages[pfn].prev) >= 1;
  predicate TailOk(struct phys *p, integer head, integer tail) =
    head == PFN_NONE || (0 <= tail < p->nr_pages && IsHead(p, tail));
*/

/*
 * The index of the object offset bytes into a slab of objects of size bytes, if that is
 * the start of one of its first objects; objects (no index) otherwise.
 */
/*@ requires size: 8 <= size <= KMALLOC_MAX_SIZE;
    assigns \nothing;
    ensures range: \result <= objects;
    ensures exact: \result < objects ==> offset == \result * size && \result == offset / size;
    ensures inside: \result < objects ==> offset + size <= objects * size;
*/
static uint32_t object_index(uint64_t offset, uint32_t size, uint32_t objects)
{
	if (offset % size != 0 || offset / size >= objects)
		return objects;
	//@ assert euclid: offset == offset / size * size + offset % size;
	//@ assert mono: (offset / size + 1) * size <= objects * size;
	return (uint32_t)(offset / size);
}

/* What cache_free_check() found: 0 and the object's index, or the error. */
struct slab_check {
	int err;
	uint32_t idx;
};

/*@ assigns \nothing;
    ensures err: \result.err == err && \result.idx == 0;
*/
static struct slab_check slab_check_err(int err)
{
	struct slab_check r = {err, 0};

	return r;
}

/*
 * The checks of a free of addr from the slab at pfn of live cache id, in the order
 * Linux makes them; nothing is written. Errors: -MERR_CORRUPT (no slab of the cache, a
 * broken free chain, counters or list), -MERR_MISALIGNED (not the start of an object),
 * -MERR_DOUBLE_FREE (the object is free already).
 */
/*@ requires safe: BuddySafe(p);
    requires kmem: KmemOk(k);
    requires live: LiveCache(k, id);
    requires slab: pfn < p->nr_pages;
    assigns \nothing;
    ensures result: \result.err == 0 || \result.err == -MERR_MISALIGNED ||
	\result.err == -MERR_DOUBLE_FREE || \result.err == -MERR_CORRUPT;
    ensures checked: \result.err == 0 ==> FreeChecked(p, id, k->caches[id - 1].size, pfn, \result.idx, addr);
    ensures tail: \result.err == 0 ==>
	TailOk(p, k->caches[id - 1].partial_head, k->caches[id - 1].partial_tail);
*/
static struct slab_check cache_free_check(const struct phys *p, const struct kmem *k, int id,
					  uint32_t pfn, uint64_t addr)
{
	struct slab_geo g = cache_geo(&k->caches[id - 1]);
	struct slab_state st = cache_state(&k->caches[id - 1]);
	uint16_t cid = (uint16_t)id;
	uint32_t objects, idx;
	uint64_t base;
	int is_free;
	struct slab_check r = {0, 0};

	//@ assert cid: cid == id;
	objects = slab_capacity(p, g.size, cid, pfn);
	if (objects == 0)
		return slab_check_err(-MERR_CORRUPT);
	base = pfn_to_virt(pfn);
	/* (below base, addr - base wraps past every object: misaligned either way) */
	if (addr < base)
		return slab_check_err(-MERR_MISALIGNED);
	idx = object_index(addr - base, g.size, objects);
	if (idx == objects)
		return slab_check_err(-MERR_MISALIGNED);
	//@ assert size: g.size == k->caches[id - 1].size;
	//@ assert off: addr - base == idx * g.size && (addr - base) / g.size == idx;
	//@ assert idx: addr == ObjAddr(pfn, idx, g.size);
	//@ assert back: (addr - ObjAddr(pfn, 0, g.size)) / g.size == idx;
	//@ assert end: idx * g.size + g.size <= SlabObjects(p->pages[pfn].order, g.size) * g.size;
	//@ assert obj: idx * g.size + g.size <= Pow2(p->pages[pfn].order) * PAGE_SIZE;
	is_free = object_is_free(p, g, pfn, objects, idx);
	if (is_free != 0)
		return slab_check_err(is_free > 0 ? -MERR_DOUBLE_FREE : is_free);
	if (slab_inuse(&p->pages[pfn]) == 0 || !partial_tail_ok(p, st))
		/* counters or list broken: slab_validate() says which */
		return slab_check_err(-MERR_CORRUPT);
	//@ assert inuse: SlabInuse(p->pages[pfn].prev) >= 1;
	/*@ assert c_slab: SlabOf(p, id, pfn) && p->pages[pfn].order <= MAX_PAGE_ORDER &&
		pfn + Pow2(p->pages[pfn].order) <= p->nr_pages; */
	/*@ assert c_objs: SlabObjects(p->pages[pfn].order, g.size) < SLAB_FREELIST_END &&
		0 <= idx < SlabObjects(p->pages[pfn].order, g.size); */
	//@ assert c_size: g.size == k->caches[id - 1].size;
	//@ assert c_geo: FreeChecked(p, id, g.size, pfn, idx, addr);
	r.idx = idx;
	return r;
}

/*
 * Models mm/slub.c: __slab_free() once cache_free_check() has passed: object idx at
 * addr goes back to the slab at pfn. Returns the cache's lists and counters after.
 */
/*@ requires safe: BuddySafe(p);
    requires geo: GeoOk(g);
    requires checked: FreeChecked(p, id, g.size, pfn, idx, addr);
    requires tail: TailOk(p, st.partial_head, st.partial_tail);
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures counted: \result.active_objects == (uint64_t)(st.active_objects - 1);
    ensures freed: (SlabOf(p, id, pfn) && SlabFree(p->pages[pfn].prev) == idx &&
	SlabInuse(p->pages[pfn].prev) == \old(SlabInuse(p->pages[pfn].prev)) - 1 &&
	\result.nr_slabs == st.nr_slabs) ||
	\result.nr_slabs == (uint32_t)(st.nr_slabs - 1);
*/
static struct slab_state slab_free(struct phys *p, struct slab_geo g, uint16_t id,
				   struct slab_state st, uint32_t pfn, uint64_t addr, uint32_t idx)
{
	uint32_t inuse = slab_inuse(&p->pages[pfn]), old_free = slab_freelist(&p->pages[pfn]);

	(void)id; /* for the contract */
	write_u64(p, addr + g.offset,
		  old_free == SLAB_FREELIST_END ? 0 : object_addr(g.size, pfn, old_free));
	slab_set_counters(p, pfn, idx, inuse - 1);
	/*@ assert set: SlabOf(p, id, pfn) && SlabFree(p->pages[pfn].prev) == idx &&
		SlabInuse(p->pages[pfn].prev) == \at(SlabInuse(p->pages[pfn].prev), Pre) - 1; */
	//@ assert nr0: p->nr_pages == \at(p->nr_pages, Pre);
	st.active_objects--;
	if (inuse == 1 && st.nr_partial >= g.min_partial) {
		if (old_free != SLAB_FREELIST_END)
			st = remove_partial(p, st, pfn);
		//@ assert nr1: p->nr_pages == \at(p->nr_pages, Pre);
		//@ assert slabs1: st.nr_slabs == \at(st.nr_slabs, Pre);
		st = discard_slab(p, g, st, pfn);
		//@ assert gone: st.nr_slabs == (uint32_t)(\at(st.nr_slabs, Pre) - 1);
	} else if (old_free == SLAB_FREELIST_END) {
		//@ ghost uint32_t prev1 = p->pages[pfn].prev;
		st = add_partial(p, st, pfn, true);
		//@ assert kept: SlabOf(p, id, pfn) && p->pages[pfn].prev == prev1;
		//@ assert slabs2: st.nr_slabs == \at(st.nr_slabs, Pre);
	}
	return st;
}

/* slab_free() with the frame fact on k (KMEM_FRAME) for cache_free(). */
/*@ requires safe: BuddySafe(p);
    requires geo: GeoOk(g);
    requires checked: FreeChecked(p, id, g.size, pfn, idx, addr);
    requires tail: TailOk(p, st.partial_head, st.partial_tail);
    requires apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
	p->mem + (0 .. RamWords(p) - 1));
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures counted: \result.active_objects == (uint64_t)(st.active_objects - 1);
    ensures freed: (SlabOf(p, id, pfn) && SlabFree(p->pages[pfn].prev) == idx &&
	SlabInuse(p->pages[pfn].prev) == \old(SlabInuse(p->pages[pfn].prev)) - 1 &&
	\result.nr_slabs == st.nr_slabs) ||
	\result.nr_slabs == (uint32_t)(st.nr_slabs - 1);
    KMEM_FRAME
*/
static struct slab_state slab_free_kept(struct phys *p, const struct kmem *k, struct slab_geo g,
					uint16_t id, struct slab_state st, uint32_t pfn,
					uint64_t addr, uint32_t idx)
{
	(void)k; /* for the contract */
	return slab_free(p, g, id, st, pfn, addr, idx);
}

/*
 * Free object idx at addr in the slab at pfn of live cache id, cache_free_check()
 * passed (kmem_cache_free(), kfree()).
 */
/*@ requires safe: BuddySafe(p);
    requires kmem: KmemOk(k);
    requires apart: KmemApart(p, k);
    requires live: LiveCache(k, id);
    requires checked: FreeChecked(p, id, k->caches[id - 1].size, pfn, idx, addr);
    requires tail: TailOk(p, k->caches[id - 1].partial_head, k->caches[id - 1].partial_tail);
    assigns k->caches[id - 1].partial_head, k->caches[id - 1].partial_tail,
	k->caches[id - 1].nr_partial, k->caches[id - 1].nr_slabs,
	k->caches[id - 1].total_objects, k->caches[id - 1].active_objects,
	p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures kmem: KmemOk(k);
    ensures freed: SlabFreed{Pre,Post}(p, &k->caches[id - 1], id, pfn, addr);
*/
static void cache_free(struct phys *p, struct kmem *k, int id, uint32_t pfn, uint64_t addr,
		       uint32_t idx)
{
	struct slab_geo g = cache_geo(&k->caches[id - 1]);
	uint16_t cid = (uint16_t)id;
	struct slab_state st;

	/*@ assert apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
		p->mem + (0 .. RamWords(p) - 1)); */
	//@ assert cid: cid == id;
	st = slab_free_kept(p, k, g, cid, cache_state(&k->caches[id - 1]), pfn, addr, idx);

	/* k as it was across the page allocator's calls, field by field (one goal each). */
	/*@ assert k_object_size: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].object_size == \at(k->caches[j].object_size, Pre); */
	/*@ assert k_size: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].size == \at(k->caches[j].size, Pre); */
	/*@ assert k_offset: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].offset == \at(k->caches[j].offset, Pre); */
	/*@ assert k_order: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].order == \at(k->caches[j].order, Pre); */
	/*@ assert k_min_order: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].min_order == \at(k->caches[j].min_order, Pre); */
	/*@ assert k_cpus: k->nr_cpus == \at(k->nr_cpus, Pre); */
	/*@ assert k_kc: \forall integer i; 0 <= i < NR_KMALLOC_SIZES ==>
		k->kmalloc_caches[i] == \at(k->kmalloc_caches[i], Pre); */
	/*@ assert k_kdc: \forall integer i; 0 <= i < NR_KMALLOC_SIZES ==>
		k->kmalloc_dma_caches[i] == \at(k->kmalloc_dma_caches[i], Pre); */
	//@ assert k_ids: KmemIdsSame{Pre,Here}(k);
	//@ assert k_kept: KeptExcept{Pre,Here}(k, MAX_CACHES);
	//@ assert k_ok: KmemOk(k);
	/*@ assert f_mid: (SlabOf(p, id, pfn) && SlabFree(p->pages[pfn].prev) == idx &&
		SlabInuse(p->pages[pfn].prev) == \at(SlabInuse(p->pages[pfn].prev), Pre) - 1 &&
		st.nr_slabs == \at(k->caches[id - 1].nr_slabs, Pre)) ||
		st.nr_slabs == (uint32_t)(\at(k->caches[id - 1].nr_slabs, Pre) - 1); */
	/*@ assert f_active:
		st.active_objects == (uint64_t)(\at(k->caches[id - 1].active_objects, Pre) - 1); */
	cache_state_put(p, k, id, st);
	//@ assert f_size: k->caches[id - 1].size == \at(k->caches[id - 1].size, Pre);
}

int kmem_cache_free(struct phys *p, struct kmem *k, int id, uint64_t addr)
{
	int64_t head;
	uint32_t pfn;
	struct slab_check c;

	if (!cache_live(k, id))
		return -MERR_NOT_FOUND;
	head = virt_to_slab(p, addr);
	if (head < 0)
		return (int)head;
	pfn = (uint32_t)head;
	//@ assert pfn: pfn == HeadPfn(p, addr);
	if (p->pages[pfn].slab_cache != id)
		return -MERR_WRONG_CACHE;
	/* Every check before the first write: a refused free changes nothing. */
	c = cache_free_check(p, k, id, pfn, addr);
	if (c.err != 0)
		return c.err;
	cache_free(p, k, id, pfn, addr, c.idx);
	return 0;
}

/* The slab at pfn, if empty, leaves the partial list and goes back to the page allocator. */
/*@ requires safe: BuddySafe(p);
    requires geo: GeoOk(g);
    requires head: pfn < p->nr_pages && IsHead(p, pfn);
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures active: \result.active_objects == st.active_objects;
*/
static struct slab_state shrink_slab(struct phys *p, struct slab_geo g, struct slab_state st,
				     uint32_t pfn)
{
	if (slab_inuse(&p->pages[pfn]) != 0)
		return st;
	st = remove_partial(p, st, pfn);
	//@ assert nr: p->nr_pages == \at(p->nr_pages, Pre);
	return discard_slab(p, g, st, pfn);
}

/*
 * Return the empty slabs of the partial list to the page allocator. The walk takes at
 * most nr_partial steps (the list's length, which slab_validate() checks) and stops at
 * a frame that is no block head (a corrupted list).
 */
/*@ requires safe: BuddySafe(p);
    requires geo: GeoOk(g);
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures active: \result.active_objects == st.active_objects;
*/
static struct slab_state shrink_partial(struct phys *p, struct slab_geo g, struct slab_state st)
{
	uint32_t pfn = st.partial_head, limit = st.nr_partial, n;

	/*@ loop invariant bound: 0 <= n <= limit;
	    loop invariant safe: BuddySafe(p);
	    loop invariant nr: p->nr_pages == \at(p->nr_pages, Pre);
	    loop invariant active: st.active_objects == \at(st.active_objects, Pre);
	    loop assigns n, pfn, st, p->zones[0 .. MAX_NR_ZONES - 1],
		p->pages[0 .. \at(p->nr_pages, Pre) - 1];
	    loop variant limit - n;
	*/
	for (n = 0; pfn != PFN_NONE && n < limit; n++) {
		uint32_t next;

		if (pfn >= p->nr_pages || !flag_set(p->pages[pfn].flags, PG_head))
			return st; /* not a slab: slab_validate() reports such a list */
		next = p->pages[pfn].next;
		st = shrink_slab(p, g, st, pfn);
		pfn = next;
	}
	return st;
}

/* kmem_cache_shrink() of live cache id. */
/*@ requires safe: BuddySafe(p);
    requires kmem: KmemOk(k);
    requires apart: KmemApart(p, k);
    requires live: LiveCache(k, id);
    assigns k->caches[id - 1].partial_head, k->caches[id - 1].partial_tail,
	k->caches[id - 1].nr_partial, k->caches[id - 1].nr_slabs,
	k->caches[id - 1].total_objects, k->caches[id - 1].active_objects,
	p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures kmem: KmemOk(k);
    ensures active: k->caches[id - 1].active_objects == \old(k->caches[id - 1].active_objects);
*/
static void cache_shrink(struct phys *p, struct kmem *k, int id)
{
	struct slab_geo g = cache_geo(&k->caches[id - 1]);
	struct slab_state st;

	/*@ assert apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
		p->mem + (0 .. RamWords(p) - 1)); */
	st = shrink_partial(p, g, cache_state(&k->caches[id - 1]));

	/* k as it was across the page allocator's calls, field by field (one goal each). */
	/*@ assert k_object_size: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].object_size == \at(k->caches[j].object_size, Pre); */
	/*@ assert k_size: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].size == \at(k->caches[j].size, Pre); */
	/*@ assert k_offset: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].offset == \at(k->caches[j].offset, Pre); */
	/*@ assert k_order: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].order == \at(k->caches[j].order, Pre); */
	/*@ assert k_min_order: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].min_order == \at(k->caches[j].min_order, Pre); */
	/*@ assert k_cpus: k->nr_cpus == \at(k->nr_cpus, Pre); */
	/*@ assert k_kc: \forall integer i; 0 <= i < NR_KMALLOC_SIZES ==>
		k->kmalloc_caches[i] == \at(k->kmalloc_caches[i], Pre); */
	/*@ assert k_kdc: \forall integer i; 0 <= i < NR_KMALLOC_SIZES ==>
		k->kmalloc_dma_caches[i] == \at(k->kmalloc_dma_caches[i], Pre); */
	//@ assert k_ids: KmemIdsSame{Pre,Here}(k);
	//@ assert k_kept: KeptExcept{Pre,Here}(k, MAX_CACHES);
	//@ assert k_ok: KmemOk(k);
	cache_state_put(p, k, id, st);
}

int kmem_cache_shrink(struct phys *p, struct kmem *k, int id)
{
	if (!cache_live(k, id))
		return -MERR_NOT_FOUND;
	cache_shrink(p, k, id);
	return 0;
}

/* Free the slot of live cache id, no kmalloc cache: the allocator's state stays well formed. */
/*@ requires kmem: KmemOk(k);
    requires live: LiveCache(k, id);
    requires not_kmalloc: !k->caches[id - 1].kmalloc;
    assigns k->caches[id - 1].in_use;
    ensures kmem: KmemOk(k);
    ensures gone: !k->caches[id - 1].in_use;
*/
static void cache_close(struct kmem *k, int id)
{
	k->caches[id - 1].in_use = false;
	//@ assert kept: KeptExcept{Pre,Here}(k, id - 1);
	//@ assert ids: KmemIdsSame{Pre,Here}(k);
	//@ assert geo: GeoAll(k);
	//@ assert kmalloc: KmallocAll(k);
}

int kmem_cache_destroy(struct phys *p, struct kmem *k, int id)
{
	if (!cache_live(k, id))
		return -MERR_NOT_FOUND;
	if (k->caches[id - 1].kmalloc)
		return -MERR_PERMANENT;
	if (k->caches[id - 1].active_objects != 0)
		return -MERR_BUSY;
	cache_shrink(p, k, id);
	cache_close(k, id);
	return 0;
}

/* kmalloc --------------------------------------------------------------------------- */

/* Models include/linux/slab.h: kmalloc_index(): the class that holds size (1..8192). */
/*@ assigns \nothing;
    ensures range: \result <= NR_KMALLOC_SIZES;
    ensures fits: \result < NR_KMALLOC_SIZES ==> size <= KmallocSize(\result);
    ensures small: size <= KMALLOC_MAX_CACHE_SIZE ==> \result < NR_KMALLOC_SIZES;
*/
static uint32_t kmalloc_index(uint64_t size)
{
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= NR_KMALLOC_SIZES;
	    loop invariant above: \forall integer j; 0 <= j < i ==> size > KmallocSize(j);
	    loop assigns i;
	    loop variant NR_KMALLOC_SIZES - i;
	*/
	for (i = 0; i < NR_KMALLOC_SIZES; i++)
		if (size <= kmalloc_sizes[i])
			return i;
	//@ assert last: size > KmallocSize(NR_KMALLOC_SIZES - 1);
	return NR_KMALLOC_SIZES;
}

/* Mark the block at pfn a large kmalloc block, or no longer one. */
/*@ requires safe: BuddySafe(p);
    requires head: pfn < p->nr_pages && IsHead(p, pfn);
    assigns p->pages[pfn].flags;
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures head: IsHead(p, pfn);
    ensures large: HasFlag(p->pages[pfn].flags, PG_large_kmalloc) == on;
*/
static void large_kmalloc_mark(struct phys *p, uint32_t pfn, bool on)
{
	uint16_t flags = p->pages[pfn].flags;

	//@ assert before: p->booted && PhysShape(p) && ZonesShape(p);
	//@ assert free_ok: FreeOk(p->pages, p->nr_pages);
	//@ assert not_free: !HasFlag(p->pages[pfn].flags, PG_buddy);
	p->pages[pfn].flags =
	    on ? flags_add(flags, PG_large_kmalloc) : flags_remove(flags, PG_large_kmalloc);
	/*@ assert fields: p->nr_pages == \at(p->nr_pages, Pre) && p->pages == \at(p->pages, Pre) &&
		p->mem == \at(p->mem, Pre) && p->booted; */
	//@ assert shape: PhysShape(p) && ZonesShape(p);
	//@ assert others: OthersSame{Pre,Here}(p->pages, p->nr_pages, pfn);
	//@ assert step: HeadStep{Pre,Here}(p->pages, p->nr_pages, pfn);
	//@ assert areas: AreasSame{Pre,Here}(&p->zones[0]);
	//@ assert inner: Inner(p->pages, p->nr_pages, &p->zones[0]);
}

/* large_kmalloc_mark() with its frame fact for kmalloc's cache ids, as buddy_free_kept(). */
/*@ requires safe: BuddySafe(p);
    requires head: pfn < p->nr_pages && IsHead(p, pfn);
    requires apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
	p->mem + (0 .. RamWords(p) - 1));
    assigns p->pages[pfn].flags;
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures head: IsHead(p, pfn);
    ensures large: HasFlag(p->pages[pfn].flags, PG_large_kmalloc) == on;
    ensures k_kmalloc_ids: \forall integer i; 0 <= i < NR_KMALLOC_SIZES ==>
	k->kmalloc_caches[i] == \old(k->kmalloc_caches[i]) &&
	k->kmalloc_dma_caches[i] == \old(k->kmalloc_dma_caches[i]);
*/
static void large_kmalloc_mark_kept(struct phys *p, const struct kmem *k, uint32_t pfn, bool on)
{
	(void)k; /* for the contract */
	large_kmalloc_mark(p, pfn, on);
}

/*
 * buddy_free_owned() and alloc_pages() for the large kmalloc blocks, with the frame fact
 * they give: every uint32 (and uint64) field of struct kmem as it was, one postcondition
 * per field, each proved with nothing but the call in the context (postconditions are no
 * hypotheses of each other). Together in one context, or as the struct equality, these
 * facts time out; the callers put them together (large_block_free(), KmemFrame in
 * slab.acsl).
 */
/*@ requires safe: BuddySafe(p);
    requires booted: p->booted;
    requires head: pfn < p->nr_pages && IsHead(p, pfn) && p->pages[pfn].order == order;
    requires apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
	p->mem + (0 .. RamWords(p) - 1));
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures counted: p->zones[ZoneOf(pfn)].free_pages ==
	(uint32_t)(\old(p->zones[ZoneOf(pfn)].free_pages) + Pow2(order));
    ensures k_object_size: KMEM_KEPT(object_size);
    ensures k_size: KMEM_KEPT(size);
    ensures k_align: KMEM_KEPT(align);
    ensures k_offset: KMEM_KEPT(offset);
    ensures k_flags: KMEM_KEPT(flags);
    ensures k_order: KMEM_KEPT(order);
    ensures k_objects: KMEM_KEPT(objects);
    ensures k_min_order: KMEM_KEPT(min_order);
    ensures k_min_partial: KMEM_KEPT(min_partial);
    ensures k_partial_head: KMEM_KEPT(partial_head);
    ensures k_partial_tail: KMEM_KEPT(partial_tail);
    ensures k_nr_partial: KMEM_KEPT(nr_partial);
    ensures k_nr_slabs: KMEM_KEPT(nr_slabs);
    ensures k_created: KMEM_KEPT(created);
    ensures k_nr_cpus: k->nr_cpus == \old(k->nr_cpus);
    ensures k_next_created: k->next_created == \old(k->next_created);
    ensures k_kmalloc_ids: \forall integer i; 0 <= i < NR_KMALLOC_SIZES ==>
	k->kmalloc_caches[i] == \old(k->kmalloc_caches[i]) &&
	k->kmalloc_dma_caches[i] == \old(k->kmalloc_dma_caches[i]);
*/
static void buddy_free_kept(struct phys *p, const struct kmem *k, uint32_t pfn, unsigned int order)
{
	(void)k; /* for the contract */
	buddy_free_owned(p, pfn, order);
}

/*
 * alloc_pages() with only what kmalloc_large() needs of its contract: a smaller context
 * for the frame facts of alloc_pages_kept().
 */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures block: \result == PFN_NONE || (\result < p->nr_pages && IsHead(p, \result) &&
	\result + Pow2(order) <= p->nr_pages);
*/
static uint32_t alloc_pages_block(struct phys *p, gfp_t gfp, unsigned int order)
{
	return alloc_pages(p, gfp, order);
}

/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    requires apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
	p->mem + (0 .. RamWords(p) - 1));
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures block: \result == PFN_NONE || (\result < p->nr_pages && IsHead(p, \result) &&
	\result + Pow2(order) <= p->nr_pages);
    ensures k_object_size: KMEM_KEPT(object_size);
    ensures k_size: KMEM_KEPT(size);
    ensures k_align: KMEM_KEPT(align);
    ensures k_offset: KMEM_KEPT(offset);
    ensures k_flags: KMEM_KEPT(flags);
    ensures k_order: KMEM_KEPT(order);
    ensures k_objects: KMEM_KEPT(objects);
    ensures k_min_order: KMEM_KEPT(min_order);
    ensures k_min_partial: KMEM_KEPT(min_partial);
    ensures k_partial_head: KMEM_KEPT(partial_head);
    ensures k_partial_tail: KMEM_KEPT(partial_tail);
    ensures k_nr_partial: KMEM_KEPT(nr_partial);
    ensures k_nr_slabs: KMEM_KEPT(nr_slabs);
    ensures k_created: KMEM_KEPT(created);
    ensures k_total_objects: KMEM_KEPT(total_objects);
    ensures k_active_objects: KMEM_KEPT(active_objects);
    ensures k_nr_cpus: k->nr_cpus == \old(k->nr_cpus);
    ensures k_next_created: k->next_created == \old(k->next_created);
    ensures k_kmalloc_ids: \forall integer i; 0 <= i < NR_KMALLOC_SIZES ==>
	k->kmalloc_caches[i] == \old(k->kmalloc_caches[i]) &&
	k->kmalloc_dma_caches[i] == \old(k->kmalloc_dma_caches[i]);
*/
static uint32_t alloc_pages_kept(struct phys *p, const struct kmem *k, gfp_t gfp,
				 unsigned int order)
{
	(void)k; /* for the contract */
	return alloc_pages_block(p, gfp, order);
}

/*
 * The page allocator's part of kmalloc_large(): a compound block of 2^order frames marked
 * a large kmalloc block, or PFN_NONE. Its own function for the frame fact, as
 * large_block_free().
 */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    requires order: order <= MAX_PAGE_ORDER;
    requires apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
	p->mem + (0 .. RamWords(p) - 1));
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures block: \result != PFN_NONE ==> \result < p->nr_pages &&
	\result + Pow2(order) <= p->nr_pages;
    ensures k_same: KmemSame{Pre,Post}(k);
    ensures k_kept: KeptExcept{Pre,Post}(k, MAX_CACHES);
    ensures k_ids: KmemIdsSame{Pre,Post}(k);
*/
static uint32_t large_block_alloc(struct phys *p, const struct kmem *k, gfp_t gfp, uint32_t order)
{
	uint32_t pfn;

	(void)k; /* for the contract */
	/*@ assert sep: \separated(&p->nr_pages, p->pages + (0 .. p->nr_pages - 1),
		p->mem + (0 .. RamWords(p) - 1)); */
	pfn = alloc_pages_kept(p, k, flag_set(gfp, __GFP_COMP) ? gfp : gfp + __GFP_COMP, order);
	if (pfn != PFN_NONE)
		large_kmalloc_mark_kept(p, k, pfn, true);
	/*@ assert k_kmalloc_ids: \forall integer i; 0 <= i < NR_KMALLOC_SIZES ==>
		k->kmalloc_caches[i] == \at(k->kmalloc_caches[i], Pre) &&
		k->kmalloc_dma_caches[i] == \at(k->kmalloc_dma_caches[i], Pre); */
	//@ assert k_in_use: KMEM_KEPT(in_use) && KMEM_KEPT(kmalloc);
	/*@ assert k_name: \forall integer j, m; 0 <= j < MAX_CACHES && 0 <= m < CACHE_NAME_LEN ==>
		k->caches[j].name[m] == \at(k->caches[j].name[m], Pre); */
	//@ assert k_counts: KMEM_KEPT(total_objects) && KMEM_KEPT(active_objects);
	/*@ assert k_arrays: \at(k->kmalloc_caches, Pre) == k->kmalloc_caches &&
		\at(k->kmalloc_dma_caches, Pre) == k->kmalloc_dma_caches; */
	/*@ assert k_caches: \forall integer j; 0 <= j < MAX_CACHES ==>
		CacheSame{Pre,Here}(&k->caches[j]); */
	//@ assert k_eq: CachesEq{Pre,Here}(k);
	return pfn;
}

/* Models mm/slub.c: __kmalloc_large_node(). */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    requires kmem: KmemOk(k);
    requires apart: KmemApart(p, k);
    requires size: KMALLOC_MAX_CACHE_SIZE < size <= KMALLOC_MAX_SIZE;
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures kmem: KmemOk(k);
    ensures k_same: KmemSame{Pre,Post}(k);
    ensures result: KmallocSized(p, size, \result);
    ensures nomem: \result.err == 0 || \result.err == -ENOMEM;
*/
static struct obj_result kmalloc_large(struct phys *p, const struct kmem *k, uint64_t size,
				       gfp_t gfp)
{
	uint32_t order = get_order(size), pfn;
	struct obj_result r = {0, 0};

	/*@ assert apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
		p->mem + (0 .. RamWords(p) - 1)); */
	pfn = large_block_alloc(p, k, gfp, order);
	if (pfn != PFN_NONE)
		r.addr = pfn_to_virt(pfn);
	else
		r.err = -ENOMEM;
	return r;
}

/*
 * kmem_cache_alloc() of a live cache, with the frame fact kmalloc_small() needs (the
 * cache's object size as it was), proved in a context of the call alone.
 */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    requires kmem: KmemOk(k);
    requires apart: KmemApart(p, k);
    requires live: LiveCache(k, id);
    assigns k->caches[id - 1].partial_head, k->caches[id - 1].partial_tail,
	k->caches[id - 1].nr_partial, k->caches[id - 1].nr_slabs,
	k->caches[id - 1].total_objects, k->caches[id - 1].active_objects,
	p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures kmem: KmemOk(k);
    ensures null: \result.err != 0 ==> \result.addr == 0;
    ensures refused: \result.err != 0 ==> KmemSame{Pre,Post}(k);
    ensures result: \result.err == 0 || \result.err == -ENOMEM || \result.err == -MERR_CORRUPT;
    ensures in_ram: \result.err == 0 ==> VirtInRam(p, \result.addr) &&
	\result.addr + k->caches[id - 1].object_size <= PAGE_OFFSET + RamBytes(p);
    ensures kept: k->caches[id - 1].object_size == \old(k->caches[id - 1].object_size);
*/
static struct obj_result kmalloc_cache_alloc(struct phys *p, struct kmem *k, int id, gfp_t gfp)
{
	return kmem_cache_alloc(p, k, id, gfp);
}

/*
 * kmalloc() of 1 .. KMALLOC_MAX_CACHE_SIZE bytes: from the kmalloc cache of the class. The
 * writes are declared over every cache, as kmalloc()'s: for kmalloc() one step.
 */
/*@ requires safe: BuddySafe(p);
    requires heads: ListHeads(p);
    requires kmem: KmemOk(k);
    requires apart: KmemApart(p, k);
    requires size: 0 < size <= KMALLOC_MAX_CACHE_SIZE;
    assigns k->caches[0 .. MAX_CACHES - 1].partial_head, k->caches[0 .. MAX_CACHES - 1].partial_tail,
	k->caches[0 .. MAX_CACHES - 1].nr_partial, k->caches[0 .. MAX_CACHES - 1].nr_slabs,
	k->caches[0 .. MAX_CACHES - 1].total_objects, k->caches[0 .. MAX_CACHES - 1].active_objects,
	p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures kmem: KmemOk(k);
    ensures refused: \result.err != 0 ==> KmemSame{Pre,Post}(k);
    ensures result: KmallocSized(p, size, \result);
*/
static struct obj_result kmalloc_small(struct phys *p, struct kmem *k, uint64_t size, gfp_t gfp)
{
	uint32_t i = kmalloc_index(size);
	int id = flag_set(gfp, __GFP_DMA) ? k->kmalloc_dma_caches[i] : k->kmalloc_caches[i];
	struct obj_result r;

	//@ assert cache: KmallocCache(k, id, i);
	//@ assert slot: 1 <= id <= MAX_CACHES && 0 <= id - 1 < MAX_CACHES;
	//@ assert fits: size <= k->caches[id - 1].object_size;
	//@ ghost uint32_t object_size = k->caches[id - 1].object_size;
	r = kmalloc_cache_alloc(p, k, id, gfp);
	//@ assert kept: k->caches[id - 1].object_size == object_size;
	return r;
}

struct obj_result kmalloc(struct phys *p, struct kmem *k, uint64_t size, gfp_t gfp)
{
	struct obj_result r = {0, ZERO_SIZE_PTR};

	if (size == 0)
		return r;
	if (size > KMALLOC_MAX_SIZE)
		return obj_err(-ENOMEM);
	if (size > KMALLOC_MAX_CACHE_SIZE) {
		/*@ assert apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
			p->mem + (0 .. RamWords(p) - 1)); */
		r = kmalloc_large(p, k, size, gfp);
		return r;
	}
	return kmalloc_small(p, k, size, gfp);
}

struct obj_result kzalloc(struct phys *p, struct kmem *k, uint64_t size, gfp_t gfp)
{
	struct obj_result r = {0, ZERO_SIZE_PTR};

	/*
	 * kmalloc()'s own refusals, repeated here: WP does not use a callee's per-behavior
	 * assigns, so only a return before the call shows that they change nothing.
	 */
	if (size == 0)
		return r;
	if (size > KMALLOC_MAX_SIZE)
		return obj_err(-ENOMEM);
	return kmalloc(p, k, size, flag_set(gfp, __GFP_ZERO) ? gfp : gfp + __GFP_ZERO);
}

/* Is addr the start of a large kmalloc block? Returns its head pfn, or an error. */
/*@ requires shape: PhysShape(p);
    assigns \nothing;
    ensures result: \result == -MERR_OUT_OF_RANGE || \result == -MERR_CORRUPT ||
	\result == -MERR_NOT_ALLOCATED || \result == -MERR_FOREIGN ||
	\result == -MERR_MISALIGNED || 0 <= \result < p->nr_pages;
    ensures out_of_range: \result == -MERR_OUT_OF_RANGE <==> !VirtInRam(p, addr);
    ensures large: \result >= 0 ==> \result == HeadPfn(p, addr) && IsHead(p, \result) &&
	HasFlag(p->pages[\result].flags, PG_large_kmalloc) && addr == PAGE_OFFSET + \result * PAGE_SIZE;
*/
static int64_t large_kmalloc_head(const struct phys *p, uint64_t addr)
{
	int64_t pfn = virt_to_head(p, addr);
	uint16_t flags;

	if (pfn < 0)
		return pfn;
	flags = p->pages[pfn].flags;
	if (!flag_set(flags, PG_head) && !flag_set(flags, PG_reserved))
		return -MERR_NOT_ALLOCATED; /* a free frame: never allocated, or freed already */
	if (!flag_set(flags, PG_large_kmalloc) || !flag_set(flags, PG_head))
		return -MERR_FOREIGN;
	if (pfn_to_virt((uint32_t)pfn) != addr)
		return -MERR_MISALIGNED; /* inside the block */
	return pfn;
}

/*
 * The page allocator's part of kfree_large(): unmark the block and free it. Its own
 * function so that the frame fact -- struct kmem as it was -- is proved with nothing
 * but the calls in the context: one field per assert (KMEM_KEPT), then the lemmas of
 * KmemFrame (slab.acsl) put them together.
 */
/*@ requires safe: BuddySafe(p);
    requires booted: p->booted;
    requires head: pfn < p->nr_pages && IsHead(p, pfn);
    requires apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
	p->mem + (0 .. RamWords(p) - 1));
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures counted: p->zones[ZoneOf(pfn)].free_pages ==
	(uint32_t)(\old(p->zones[ZoneOf(pfn)].free_pages) + Pow2(\old(p->pages[pfn].order)));
    ensures k_same: KmemSame{Pre,Post}(k);
    ensures k_kept: KeptExcept{Pre,Post}(k, MAX_CACHES);
    ensures k_ids: KmemIdsSame{Pre,Post}(k);
*/
static void large_block_free(struct phys *p, const struct kmem *k, uint32_t pfn)
{
	(void)k; /* for the contract */
	/*@ assert sep: \separated(&p->nr_pages, p->pages + (0 .. p->nr_pages - 1),
		p->mem + (0 .. RamWords(p) - 1)); */
	large_kmalloc_mark_kept(p, k, pfn, false);
	/*@ assert k_kmalloc_ids_mark: \forall integer i; 0 <= i < NR_KMALLOC_SIZES ==>
		k->kmalloc_caches[i] == \at(k->kmalloc_caches[i], Pre) &&
		k->kmalloc_dma_caches[i] == \at(k->kmalloc_dma_caches[i], Pre); */
	buddy_free_kept(p, k, pfn, p->pages[pfn].order);
	/*@ assert k_kmalloc_ids: \forall integer i; 0 <= i < NR_KMALLOC_SIZES ==>
		k->kmalloc_caches[i] == \at(k->kmalloc_caches[i], Pre) &&
		k->kmalloc_dma_caches[i] == \at(k->kmalloc_dma_caches[i], Pre); */
	//@ assert k_in_use: KMEM_KEPT(in_use) && KMEM_KEPT(kmalloc);
	/*@ assert k_name: \forall integer j, m; 0 <= j < MAX_CACHES && 0 <= m < CACHE_NAME_LEN ==>
		k->caches[j].name[m] == \at(k->caches[j].name[m], Pre); */
	//@ assert k_counts: KMEM_KEPT(total_objects) && KMEM_KEPT(active_objects);
	/*@ assert k_arrays: \at(k->kmalloc_caches, Pre) == k->kmalloc_caches &&
		\at(k->kmalloc_dma_caches, Pre) == k->kmalloc_dma_caches; */
	/*@ assert k_caches: \forall integer j; 0 <= j < MAX_CACHES ==>
		CacheSame{Pre,Here}(&k->caches[j]); */
	//@ assert k_eq: CachesEq{Pre,Here}(k);
}

/* Free the large kmalloc block at pfn (kfree()). */
/*@ requires safe: BuddySafe(p);
    requires head: pfn < p->nr_pages && IsHead(p, pfn);
    requires kmem: KmemOk(k);
    requires apart: KmemApart(p, k);
    assigns p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1];
    ensures safe: BuddySafe(p);
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures kmem: KmemOk(k);
    ensures k_same: KmemSame{Pre,Post}(k);
    ensures counted: p->zones[ZoneOf(pfn)].free_pages ==
	(uint32_t)(\old(p->zones[ZoneOf(pfn)].free_pages) + Pow2(\old(p->pages[pfn].order)));
*/
static void kfree_large(struct phys *p, const struct kmem *k, uint32_t pfn)
{
	/*@ assert apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
		p->mem + (0 .. RamWords(p) - 1)); */
	//@ assert booted: p->booted;
	large_block_free(p, k, pfn);
}

/*
 * kfree() of an address whose compound head s is a slab (virt_to_slab()). The writes
 * are declared over every cache, as kfree()'s: for kfree() this call is then one step.
 */
/*@ requires safe: BuddySafe(p);
    requires kmem: KmemOk(k);
    requires apart: KmemApart(p, k);
    requires slab: s < p->nr_pages;
    assigns k->caches[0 .. MAX_CACHES - 1].partial_head, k->caches[0 .. MAX_CACHES - 1].partial_tail,
	k->caches[0 .. MAX_CACHES - 1].nr_partial, k->caches[0 .. MAX_CACHES - 1].nr_slabs,
	k->caches[0 .. MAX_CACHES - 1].total_objects, k->caches[0 .. MAX_CACHES - 1].active_objects,
	p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1],
	p->mem[0 .. RamWords(p) - 1];
    ensures safe: BuddySafe(p);
    ensures kmem: KmemOk(k);
    ensures refused: \result != 0 ==> KmemSame{Pre,Post}(k) && PhysSame{Pre,Post}(p);
    ensures result: \result == 0 || \result == -MERR_MISALIGNED || \result == -MERR_DOUBLE_FREE ||
	\result == -MERR_CORRUPT;
    ensures freed: \result == 0 ==> \let id = \old(p->pages[s].slab_cache);
	1 <= id <= MAX_CACHES && SlabFreed{Pre,Post}(p, &k->caches[id - 1], id, s, addr);
*/
static int kfree_slab(struct phys *p, struct kmem *k, uint64_t addr, uint32_t s)
{
	uint16_t id = p->pages[s].slab_cache;
	struct slab_check c;

	if (!cache_live(k, id))
		return -MERR_CORRUPT; /* a slab of no live cache */
	c = cache_free_check(p, k, id, s, addr);
	if (c.err != 0)
		return c.err;
	cache_free(p, k, id, s, addr, c.idx);
	return 0;
}

int kfree(struct phys *p, struct kmem *k, uint64_t addr)
{
	int64_t pfn;
	uint32_t block;

	if (addr == 0 || addr == ZERO_SIZE_PTR)
		return 0;
	/*@ assert apart: \separated(k, p, p->pages + (0 .. p->nr_pages - 1),
		p->mem + (0 .. RamWords(p) - 1)); */
	pfn = virt_to_slab(p, addr);
	if (pfn >= 0) {
		block = (uint32_t)pfn;
		//@ assert pfn: block == HeadPfn(p, addr);
		return kfree_slab(p, k, addr, block);
	}
	if (pfn != -MERR_FOREIGN)
		return (int)pfn;
	pfn = large_kmalloc_head(p, addr);
	if (pfn < 0)
		return (int)pfn;
	block = (uint32_t)pfn;
	//@ assert block: block == HeadPfn(p, addr);
	kfree_large(p, k, block);
	return 0;
}

struct obj_result ksize(const struct phys *p, const struct kmem *k, uint64_t addr)
{
	struct obj_result r = {0, 0};
	int64_t pfn;

	if (addr == 0 || addr == ZERO_SIZE_PTR)
		return r;
	pfn = virt_to_slab(p, addr);
	if (pfn >= 0) {
		uint16_t id = p->pages[pfn].slab_cache;
		const struct kmem_cache *c;
		uint64_t offset;

		if (!cache_live(k, id))
			return obj_err(-MERR_CORRUPT);
		c = &k->caches[id - 1];
		offset = addr - pfn_to_virt((uint32_t)pfn);
		if (offset % c->size != 0 ||
		    offset / c->size >= slab_objects(c->size, &p->pages[pfn]))
			return obj_err(-MERR_MISALIGNED);
		r.addr = c->size; /* slab_ksize(): s->size without debugging */
		return r;
	}
	if (pfn != -MERR_FOREIGN)
		return obj_err((int)pfn);
	pfn = large_kmalloc_head(p, addr);
	if (pfn < 0)
		return obj_err((int)pfn);
	//@ assert in_ram: HeadInRam(p, pfn);
	r.addr = (uint64_t)buddy_block_pages(p->pages[pfn].order) * PAGE_SIZE;
	return r;
}

/* Validation ------------------------------------------------------------------------ */

/*@ assigns \nothing;
    ensures bad: !\result.ok;
*/
static struct validate_result slab_bad(const char *what, uint32_t where)
{
	struct validate_result r = {false, what, where};

	return r;
}

/* What validate_slab() found: r.ok and the slab's free objects, or what is wrong. */
struct slab_count {
	struct validate_result r;
	uint32_t free;
};

/*@ assigns \nothing;
    ensures bad: !\result.r.ok;
*/
static struct slab_count slab_count_bad(const char *what, uint32_t where)
{
	struct slab_count r = {slab_bad(what, where), 0};

	return r;
}

/*
 * One slab: chain inside the slab, no repeats, inuse + free = objects. (The count is
 * returned, not written through a pointer: slab_validate()'s loop then writes no memory
 * that its invariants read.)
 */
/*@ requires safe: BuddySafe(p);
    requires shape: PhysShape(p);
    requires valid: \valid_read(c);
    requires geometry: CacheShape(c);
    requires slab: pfn < p->nr_pages && IsHead(p, pfn);
    assigns \nothing;
*/
static struct slab_count validate_slab(const struct phys *p, const struct kmem_cache *c,
				       uint32_t pfn)
{
	const struct page *head = &p->pages[pfn];
	uint32_t objects = slab_objects(c->size, head), cur = slab_freelist(head), n = 0;
	uint32_t room = objects - slab_inuse(head); /* wraps when inuse > objects */
	struct slab_count ok = {{true, 0, 0}, 0};

	//@ assert in_ram: HeadInRam(p, pfn);
	if (objects == 0 || objects >= SLAB_FREELIST_END)
		return slab_count_bad("slab holds no objects", pfn);
	/*@ loop invariant bound: n <= room;
	    loop assigns n, cur;
	    loop variant room - n;
	*/
	while (cur != SLAB_FREELIST_END) {
		if (cur >= objects)
			return slab_count_bad("slab free chain leaves the slab (overwritten?)",
					      pfn);
		if (n >= room)
			return slab_count_bad(
			    "slab free chain longer than objects - inuse (repeat)", pfn);
		n++;
		cur = free_pointer_next(p, cache_geo(c), pfn, objects, cur);
	}
	if (slab_inuse(head) + n != objects)
		return slab_count_bad("slab inuse + free != objects", pfn);
	ok.free = n;
	return ok;
}

/* Per-cache sums over the slabs found in RAM, for slab_validate(). */
struct slab_tally {
	uint32_t slabs;
	uint32_t nonfull;
	uint64_t total;
	uint64_t active;
};

/* The partial list: well linked, nr_partial distinct members, none full, all its own. */
/*@ requires shape: PhysShape(p);
    requires valid: \valid_read(c);
    assigns \nothing;
*/
static struct validate_result validate_partial(const struct phys *p, const struct kmem_cache *c,
					       int id)
{
	uint32_t pfn = c->partial_head, n = 0, last = PFN_NONE;
	struct validate_result ok = {true, 0, 0};

	/*@ loop invariant bound: n <= c->nr_partial;
	    loop assigns pfn, n, last;
	    loop variant c->nr_partial - n;
	*/
	while (pfn != PFN_NONE) {
		const struct page *head;

		if (pfn >= p->nr_pages)
			return slab_bad("partial list leaves RAM", pfn);
		head = &p->pages[pfn];
		if (n >= c->nr_partial)
			return slab_bad("partial list longer than nr_partial (or cyclic)", pfn);
		n++;
		if (!flag_set(head->flags, PG_slab) || head->slab_cache != id)
			return slab_bad("partial list member is not a slab of the cache", pfn);
		if (slab_freelist(head) == SLAB_FREELIST_END)
			return slab_bad("full slab on the partial list", pfn);
		last = pfn;
		pfn = head->next;
	}
	if (n != c->nr_partial || c->partial_tail != last)
		return slab_bad("partial list length or tail wrong", (uint32_t)id);
	return ok;
}

/*
 * One pass over RAM checks every slab and sums per cache; then each cache's counters
 * and partial list are compared with the sums. The partial-list walk sees nr_partial
 * distinct non-full slabs; if RAM holds exactly that many non-full slabs of the cache,
 * every one of them is on the list.
 */
struct validate_result slab_validate(const struct phys *p, const struct kmem *k)
{
	struct slab_tally tally[MAX_CACHES] = {{0, 0, 0, 0}};
	struct validate_result r = {true, 0, 0};
	uint32_t i, pfn;

	/*@ loop invariant bound: 0 <= pfn <= p->nr_pages;
	    loop invariant safe: BuddySafe(p);
	    loop invariant kmem: KmemOk(k);
	    loop assigns pfn, r, tally[0 .. MAX_CACHES - 1];
	    loop variant p->nr_pages - pfn;
	*/
	for (pfn = 0; pfn < p->nr_pages; pfn++) {
		const struct page *head = &p->pages[pfn];
		const struct kmem_cache *c;
		struct slab_count sc;
		uint16_t id = head->slab_cache;

		if (!flag_set(head->flags, PG_slab))
			continue;
		if (!flag_set(head->flags, PG_head) || !cache_live(k, id))
			return slab_bad("slab frame of no live cache", pfn);
		c = &k->caches[id - 1];
		sc = validate_slab(p, c, pfn);
		if (!sc.r.ok)
			return sc.r;
		/* tally is indexed, never pointed into: it stays out of memory for WP. */
		tally[id - 1].slabs++;
		tally[id - 1].nonfull += sc.free != 0;
		tally[id - 1].total += slab_objects(c->size, head);
		tally[id - 1].active += slab_inuse(head);
	}
	/*@ loop invariant bound: 0 <= i <= MAX_CACHES;
	    loop assigns i, r;
	    loop variant MAX_CACHES - i;
	*/
	for (i = 0; i < MAX_CACHES; i++) {
		const struct kmem_cache *c = &k->caches[i];

		if (!c->in_use)
			continue;
		if (tally[i].slabs != c->nr_slabs || tally[i].total != c->total_objects ||
		    tally[i].active != c->active_objects)
			return slab_bad("cache counters differ from its slabs", i + 1);
		r = validate_partial(p, c, (int)i + 1);
		if (!r.ok)
			return r;
		if (tally[i].nonfull != c->nr_partial)
			return slab_bad("a slab with free objects is not on the partial list",
					i + 1);
	}
	return r;
}
