/* SPDX-License-Identifier: MIT */
/*
 * slab.c - the slab allocator after SLUB (v6.x). See slab.h for how it works.
 */
#include "slab.h"

/* The slab allocator frees the blocks it owns through buddy_free_owned() (buddy.h). */

static const uint32_t kmalloc_sizes[NR_KMALLOC_SIZES] = {8,   16,  32,	 64,   96,   128, 192,
							 256, 512, 1024, 2048, 4096, 8192};
static const char *const kmalloc_names[NR_KMALLOC_SIZES] = {
    "kmalloc-8",   "kmalloc-16",  "kmalloc-32",	 "kmalloc-64",	"kmalloc-96",
    "kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512", "kmalloc-1k",
    "kmalloc-2k",  "kmalloc-4k",  "kmalloc-8k"};
static const char *const kmalloc_dma_names[NR_KMALLOC_SIZES] = {
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
*/
static bool name_eq(const char *a, const char *b)
{
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= CACHE_NAME_LEN;
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
*/
static uint32_t valid_name_len(const char *name)
{
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= CACHE_NAME_LEN;
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

/* get_order(): the smallest order whose block holds n bytes (n >= 1). */
/*@ assigns \nothing;
    ensures range: \result <= 63;
    ensures small: n <= PAGE_SIZE ==> \result == 0;
*/
static uint32_t get_order(uint64_t n)
{
	uint32_t order = 0;
	uint64_t block = PAGE_SIZE;

	/*@ loop invariant bound: 0 <= order <= 63;
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

/*@ assigns \nothing; */
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
/*@ assigns \nothing; */
static uint32_t fls_u32(uint32_t v)
{
	return v == 0 ? 0 : ilog2_u32(v) + 1;
}

/*
 * The word at a linear-map address inside RAM. Free pointers sit at 8-byte aligned
 * places: slabs start on a page, object sizes and the free pointer offset are multiples
 * of 8.
 */
static uint64_t read_u64(const struct phys *p, uint64_t va)
{
	return p->mem[(va - PAGE_OFFSET) / 8];
}

static void write_u64(struct phys *p, uint64_t va, uint64_t v)
{
	p->mem[(va - PAGE_OFFSET) / 8] = v;
}

/* The slab counters in struct page prev: first free object and objects in use. */
static uint32_t slab_freelist(const struct page *page)
{
	return page->prev % 65536u;
}

static uint32_t slab_inuse(const struct page *page)
{
	return page->prev / 65536u;
}

static void slab_set_counters(struct page *page, uint32_t freelist, uint32_t inuse)
{
	page->prev = inuse * 65536u + freelist;
}

static uint32_t slab_objects(const struct kmem_cache *c, const struct page *head)
{
	return slab_bytes(head->order) / c->size;
}

static uint64_t object_addr(const struct kmem_cache *c, uint32_t slab_pfn, uint32_t idx)
{
	return pfn_to_virt(slab_pfn) + (uint64_t)idx * c->size;
}

static struct kmem_cache *cache_of(struct kmem *k, int id)
{
	if (id < 1 || id > (int)MAX_CACHES || !k->caches[id - 1].in_use)
		return 0;
	return &k->caches[id - 1];
}

/* Cache geometry ------------------------------------------------------------------ */

/* Models mm/slab_common.c: calculate_alignment(). */
/*@ requires size: size >= 1;
    requires align: align <= PAGE_SIZE;
    assigns \nothing;
    ensures range: 8 <= \result <= PAGE_SIZE && \result % 8 == 0;
*/
static uint32_t calculate_alignment(uint32_t flags, uint32_t align, uint32_t size)
{
	if (flag_set(flags, SLAB_HWCACHE_ALIGN)) {
		uint32_t ralign = CACHE_LINE_SIZE;

		/*@ loop invariant bound: 1 <= ralign <= CACHE_LINE_SIZE;
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

/* Models mm/slub.c: calc_slab_order(). */
/*@ requires size: size >= 1;
    requires fraction: fract_leftover >= 1;
    requires max: max_order <= SLUB_MAX_ORDER;
    assigns \nothing;
    ensures range: \result <= min_order || \result <= max_order + 1;
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
 * does not fit in the largest block.
 */
/*@ requires size: size >= 1;
    assigns \nothing;
    ensures range: \result <= MAX_PAGE_ORDER + 1;
    ensures fits: \result <= MAX_PAGE_ORDER ==> Pow2(\result) * PAGE_SIZE >= size;
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

/* Fill in a cache slot: models mm/slub.c: kmem_cache_open() and calculate_sizes(). */
static int cache_open(struct kmem *k, struct kmem_cache *c, const char *name, uint32_t size,
		      uint32_t align, uint32_t flags)
{
	uint32_t i, min_partial;

	if (size == 0 || size > KMALLOC_MAX_SIZE)
		return -EINVAL;
	c->align = calculate_alignment(flags, align, size);
	c->size = ((size + 7) / 8 * 8 + c->align - 1) / c->align * c->align;
	c->order = calculate_order(c->size, k->nr_cpus);
	if (c->order > MAX_PAGE_ORDER)
		return -EINVAL;
	c->objects = slab_bytes(c->order) / c->size;
	c->min_order = get_order(c->size);
	c->object_size = size;
	c->offset = size / 2 / 8 * 8;
	c->flags = flags;
	min_partial = ilog2_u32(c->size) / 2;
	c->min_partial = min_partial < 5 ? 5 : min_partial > 10 ? 10 : min_partial;
	c->partial_head = PFN_NONE;
	c->partial_tail = PFN_NONE;
	c->nr_partial = 0;
	c->nr_slabs = 0;
	c->total_objects = 0;
	c->active_objects = 0;
	c->kmalloc = false;
	c->created = k->next_created++;
	/*@ loop invariant bound: 0 <= i <= CACHE_NAME_LEN;
	    loop assigns i, c->name[0 .. CACHE_NAME_LEN - 1];
	    loop variant CACHE_NAME_LEN - i;
	*/
	for (i = 0; i < CACHE_NAME_LEN; i++) {
		c->name[i] = name[i];
		if (name[i] == 0)
			break;
	}
	c->in_use = true;
	return 0;
}

/*@ requires valid: \valid_read(k);
    assigns \nothing;
    ensures result: \result == -1 || (0 <= \result < MAX_CACHES && !k->caches[\result].in_use);
*/
static int find_free_slot(const struct kmem *k)
{
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= MAX_CACHES;
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
	    loop assigns i;
	    loop variant MAX_CACHES - i;
	*/
	for (i = 0; i < MAX_CACHES; i++)
		if (k->caches[i].in_use && name_eq(k->caches[i].name, name))
			return (int)i + 1;
	return -MERR_NOT_FOUND;
}

int kmem_cache_create(struct kmem *k, const char *name, uint32_t size, uint32_t align,
		      uint32_t flags)
{
	struct kmem_cache c;
	int slot, err;

	if (valid_name_len(name) == 0)
		return -EINVAL;
	if ((flags & ~SLAB_MODEL_VALID_FLAGS) != 0 || (align & (align - 1)) != 0 ||
	    align > PAGE_SIZE)
		return -EINVAL;
	if (kmem_cache_find(k, name) > 0)
		return -EEXIST;
	slot = find_free_slot(k);
	if (slot < 0)
		return -MERR_NO_SLOT;
	/* Built aside and copied in on success: a refused create changes nothing. */
	err = cache_open(k, &c, name, size, align, flags);
	if (err != 0)
		return err;
	k->caches[slot] = c;
	return slot + 1;
}

int kmem_cache_init(struct kmem *k, uint32_t nr_cpus)
{
	uint32_t i, t, n;

	if (nr_cpus < 1 || nr_cpus > 4096)
		return -EINVAL;
	/*@ loop invariant bound: 0 <= i <= MAX_CACHES;
	    loop assigns i, k->caches[0 .. MAX_CACHES - 1].in_use;
	    loop variant MAX_CACHES - i;
	*/
	for (i = 0; i < MAX_CACHES; i++)
		k->caches[i].in_use = false;
	k->nr_cpus = nr_cpus;
	k->next_created = 0;
	/*
	 * Models mm/slab_common.c: create_kmalloc_caches() (v6.x): per type, kmalloc-96 and
	 * kmalloc-192 first, then the powers of two; flags 0, ARCH_KMALLOC_MINALIGN (8).
	 * /proc/slabinfo lists newest first, so the order shows there.
	 */
	/*@ loop invariant bound: 0 <= t <= 2;
	    loop assigns t, n, k->caches[0 .. MAX_CACHES - 1], k->next_created,
		k->kmalloc_caches[0 .. NR_KMALLOC_SIZES - 1],
		k->kmalloc_dma_caches[0 .. NR_KMALLOC_SIZES - 1];
	    loop variant 2 - t;
	*/
	for (t = 0; t < 2; t++) {
		/*@ loop invariant bound: 0 <= n <= NR_KMALLOC_SIZES;
		    loop assigns n, k->caches[0 .. MAX_CACHES - 1], k->next_created,
			k->kmalloc_caches[0 .. NR_KMALLOC_SIZES - 1],
			k->kmalloc_dma_caches[0 .. NR_KMALLOC_SIZES - 1];
		    loop variant NR_KMALLOC_SIZES - n;
		*/
		for (n = 0; n < NR_KMALLOC_SIZES; n++) {
			static const uint8_t order[NR_KMALLOC_SIZES] = {4, 6, 0, 1,  2,	 3, 5,
									7, 8, 9, 10, 11, 12};
			uint32_t i = order[n], slot = t * NR_KMALLOC_SIZES + n;

			/* Names known distinct, slots known free: no search needed. */
			cache_open(k, &k->caches[slot],
				   t == 0 ? kmalloc_names[i] : kmalloc_dma_names[i],
				   kmalloc_sizes[i], 8, t == 0 ? 0 : SLAB_CACHE_DMA);
			k->caches[slot].kmalloc = true;
			if (t == 0)
				k->kmalloc_caches[i] = (uint16_t)(slot + 1);
			else
				k->kmalloc_dma_caches[i] = (uint16_t)(slot + 1);
		}
	}
	return 0;
}

/* Slabs --------------------------------------------------------------------------- */

/*
 * Models mm/slub.c: allocate_slab(). A compound block of the cache's order (or of its
 * minimum order when that cannot be had), objects chained in address order.
 */
static uint32_t allocate_slab(struct phys *p, struct kmem_cache *c, int id)
{
	gfp_t gfp = __GFP_COMP | ((c->flags & SLAB_CACHE_DMA) != 0 ? __GFP_DMA : 0);
	uint32_t pfn = alloc_pages(p, gfp, c->order), objects, i;
	struct page *head;

	if (pfn == PFN_NONE && c->min_order < c->order)
		pfn = alloc_pages(p, gfp, c->min_order);
	if (pfn == PFN_NONE)
		return PFN_NONE;
	head = &p->pages[pfn];
	head->flags |= PG_slab;
	head->slab_cache = (uint16_t)id;
	objects = slab_objects(c, head);
	/*@ loop invariant bound: 0 <= i <= objects;
	    loop assigns i, p->mem[0 .. RamWords(p) - 1];
	    loop variant objects - i;
	*/
	for (i = 0; i < objects; i++) {
		uint64_t next = i + 1 < objects ? object_addr(c, pfn, i + 1) : 0;

		write_u64(p, object_addr(c, pfn, i) + c->offset, next);
	}
	slab_set_counters(head, 0, 0);
	c->nr_slabs++;
	c->total_objects += objects;
	return pfn;
}

/* Models mm/slub.c: discard_slab(). */
static void discard_slab(struct phys *p, struct kmem_cache *c, uint32_t pfn)
{
	struct page *head = &p->pages[pfn];

	c->nr_slabs--;
	c->total_objects -= slab_objects(c, head);
	head->flags &= (uint16_t)~PG_slab;
	head->slab_cache = 0;
	buddy_free_owned(p, pfn, head->order);
}

/* The partial list: singly linked through struct page next, head and tail kept. */
static void add_partial(struct phys *p, struct kmem_cache *c, uint32_t pfn, bool to_tail)
{
	p->pages[pfn].next = PFN_NONE;
	if (c->partial_head == PFN_NONE) {
		c->partial_head = pfn;
		c->partial_tail = pfn;
	} else if (to_tail) {
		p->pages[c->partial_tail].next = pfn;
		c->partial_tail = pfn;
	} else {
		p->pages[pfn].next = c->partial_head;
		c->partial_head = pfn;
	}
	c->nr_partial++;
}

static void remove_partial(struct phys *p, struct kmem_cache *c, uint32_t pfn)
{
	uint32_t prev = PFN_NONE, cur = c->partial_head, n;

	/*@ loop invariant bound: 0 <= n <= c->nr_partial;
	    loop assigns n, prev, cur;
	    loop variant c->nr_partial - n;
	*/
	for (n = 0; cur != PFN_NONE && cur != pfn && n < c->nr_partial; n++) {
		prev = cur;
		cur = p->pages[cur].next;
	}
	if (cur != pfn)
		return; /* not on the list: slab_validate() reports such a state */
	if (prev == PFN_NONE)
		c->partial_head = p->pages[pfn].next;
	else
		p->pages[prev].next = p->pages[pfn].next;
	if (c->partial_tail == pfn)
		c->partial_tail = prev;
	p->pages[pfn].next = PFN_NONE;
	c->nr_partial--;
}

/*
 * Decode a free pointer read from a slab: the index of the object it names, or
 * SLAB_FREELIST_END for 0; objects (an impossible index) when it names no object of
 * this slab, i.e. the chain was overwritten.
 */
static uint32_t free_pointer_index(const struct kmem_cache *c, uint32_t slab_pfn, uint32_t objects,
				   uint64_t fp)
{
	uint64_t base = pfn_to_virt(slab_pfn);

	if (fp == 0)
		return SLAB_FREELIST_END;
	if (fp < base || (fp - base) % c->size != 0 || (fp - base) / c->size >= objects)
		return objects;
	return (uint32_t)((fp - base) / c->size);
}

/* Objects -------------------------------------------------------------------------- */

static struct obj_result obj_err(int err)
{
	struct obj_result r = {err, 0};

	return r;
}

struct obj_result kmem_cache_alloc(struct phys *p, struct kmem *k, int id, gfp_t gfp)
{
	struct kmem_cache *c = cache_of(k, id);
	struct obj_result r = {0, 0};
	uint32_t pfn, objects, idx, next;
	struct page *head;
	bool fresh = false;

	if (c == 0)
		return obj_err(-MERR_NOT_FOUND);
	pfn = c->partial_head;
	if (pfn == PFN_NONE) {
		pfn = allocate_slab(p, c, id);
		if (pfn == PFN_NONE)
			return obj_err(-ENOMEM);
		fresh = true;
	}
	head = &p->pages[pfn];
	objects = slab_objects(c, head);
	idx = slab_freelist(head);
	r.addr = object_addr(c, pfn, idx);
	next = free_pointer_index(c, pfn, objects, read_u64(p, r.addr + c->offset));
	if (next == objects)
		return obj_err(-MERR_CORRUPT); /* a fresh slab's chain is never corrupt */
	slab_set_counters(head, next, slab_inuse(head) + 1);
	c->active_objects++;
	if (fresh && next != SLAB_FREELIST_END)
		add_partial(p, c, pfn, false);
	else if (!fresh && next == SLAB_FREELIST_END)
		remove_partial(p, c, pfn); /* the head of the list: O(1) */
	if ((gfp & __GFP_ZERO) != 0) {
		uint64_t *w = p->mem + (size_t)(r.addr - PAGE_OFFSET) / 8;
		uint32_t i;

		/* Whole words: c->size is a multiple of 8 and at least object_size. */
		/*@ loop invariant bound: 0 <= i <= (c->object_size + 7) / 8;
		    loop assigns i, p->mem[0 .. RamWords(p) - 1];
		    loop variant (c->object_size + 7) / 8 - i;
		*/
		for (i = 0; i < (c->object_size + 7) / 8; i++)
			w[i] = 0;
	}
	return r;
}

/*
 * Models include/linux/mm.h: virt_to_head_page(). The head frame of the compound block
 * behind a linear-map address (the frame itself when not compound), or
 * -MERR_OUT_OF_RANGE.
 */
static int64_t virt_to_head(const struct phys *p, uint64_t addr)
{
	uint32_t pfn = virt_to_pfn(p, addr);

	if (pfn == PFN_NONE)
		return -MERR_OUT_OF_RANGE;
	if ((p->pages[pfn].flags & PG_tail) != 0)
		return p->pages[pfn].next; /* compound_head() */
	return pfn;
}

/* The slab behind an object address: its head pfn, or a negative error. */
static int64_t virt_to_slab(const struct phys *p, uint64_t addr)
{
	int64_t pfn = virt_to_head(p, addr);

	if (pfn >= 0 && (p->pages[pfn].flags & PG_slab) == 0)
		return -MERR_FOREIGN;
	return pfn;
}

/* Is object idx already on the slab's free chain? -MERR_CORRUPT if the chain is bad. */
static int object_is_free(const struct phys *p, const struct kmem_cache *c, uint32_t pfn,
			  uint32_t idx)
{
	const struct page *head = &p->pages[pfn];
	uint32_t objects = slab_objects(c, head), cur = slab_freelist(head), n;

	/*@ loop invariant bound: 0 <= n <= objects;
	    loop assigns n, cur;
	    loop variant objects - n;
	*/
	for (n = 0; cur != SLAB_FREELIST_END; n++) {
		if (cur >= objects || n >= objects)
			return -MERR_CORRUPT;
		if (cur == idx)
			return 1;
		cur = free_pointer_index(c, pfn, objects,
					 read_u64(p, object_addr(c, pfn, cur) + c->offset));
	}
	return 0;
}

/* Models mm/slub.c: __slab_free(): checks first, then the free; no change on error. */
static int slab_free(struct phys *p, struct kmem_cache *c, uint32_t pfn, uint64_t addr)
{
	struct page *head = &p->pages[pfn];
	uint64_t offset = addr - pfn_to_virt(pfn);
	uint32_t objects = slab_objects(c, head), idx, old_free, inuse;
	int is_free;

	if (offset % c->size != 0 || offset / c->size >= objects)
		return -MERR_MISALIGNED;
	idx = (uint32_t)(offset / c->size);
	is_free = object_is_free(p, c, pfn, idx);
	if (is_free != 0)
		return is_free > 0 ? -MERR_DOUBLE_FREE : is_free;
	old_free = slab_freelist(head);
	write_u64(p, addr + c->offset,
		  old_free == SLAB_FREELIST_END ? 0 : object_addr(c, pfn, old_free));
	inuse = slab_inuse(head) - 1;
	slab_set_counters(head, idx, inuse);
	c->active_objects--;
	if (inuse == 0 && c->nr_partial >= c->min_partial) {
		if (old_free != SLAB_FREELIST_END)
			remove_partial(p, c, pfn);
		discard_slab(p, c, pfn);
	} else if (old_free == SLAB_FREELIST_END) {
		add_partial(p, c, pfn, true);
	}
	return 0;
}

int kmem_cache_free(struct phys *p, struct kmem *k, int id, uint64_t addr)
{
	struct kmem_cache *c = cache_of(k, id);
	int64_t pfn;

	if (c == 0)
		return -MERR_NOT_FOUND;
	pfn = virt_to_slab(p, addr);
	if (pfn < 0)
		return (int)pfn;
	if (p->pages[pfn].slab_cache != id)
		return -MERR_WRONG_CACHE;
	return slab_free(p, c, (uint32_t)pfn, addr);
}

int kmem_cache_shrink(struct phys *p, struct kmem *k, int id)
{
	struct kmem_cache *c = cache_of(k, id);
	uint32_t pfn;

	if (c == 0)
		return -MERR_NOT_FOUND;
	pfn = c->partial_head;
	/* No loop variant: this walk ends because the partial list is acyclic, a fact
	 * slab_validate() checks at run time but no contract states (docs/proofs.md). */
	/*@ loop assigns pfn, *c, p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1];
	*/
	while (pfn != PFN_NONE) {
		uint32_t next = p->pages[pfn].next;

		if (slab_inuse(&p->pages[pfn]) == 0) {
			remove_partial(p, c, pfn);
			discard_slab(p, c, pfn);
		}
		pfn = next;
	}
	return 0;
}

int kmem_cache_destroy(struct phys *p, struct kmem *k, int id)
{
	struct kmem_cache *c = cache_of(k, id);

	if (c == 0)
		return -MERR_NOT_FOUND;
	if (c->kmalloc)
		return -MERR_PERMANENT;
	if (c->active_objects != 0)
		return -MERR_BUSY;
	kmem_cache_shrink(p, k, id);
	c->in_use = false;
	return 0;
}

/* kmalloc --------------------------------------------------------------------------- */

/* Models include/linux/slab.h: kmalloc_index(): the class that holds size (1..8192). */
/*@ assigns \nothing;
    ensures range: \result <= NR_KMALLOC_SIZES;
    ensures fits: \result < NR_KMALLOC_SIZES ==> size <= kmalloc_sizes[\result];
*/
static uint32_t kmalloc_index(uint64_t size)
{
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= NR_KMALLOC_SIZES;
	    loop assigns i;
	    loop variant NR_KMALLOC_SIZES - i;
	*/
	for (i = 0; i < NR_KMALLOC_SIZES; i++)
		if (size <= kmalloc_sizes[i])
			return i;
	return NR_KMALLOC_SIZES;
}

/* Models mm/slub.c: __kmalloc_large_node(). */
static struct obj_result kmalloc_large(struct phys *p, uint64_t size, gfp_t gfp)
{
	uint32_t order = get_order(size);
	uint32_t pfn = alloc_pages(p, gfp | __GFP_COMP, order);
	struct obj_result r = {0, 0};

	if (pfn == PFN_NONE)
		return obj_err(-ENOMEM);
	p->pages[pfn].flags |= PG_large_kmalloc;
	r.addr = pfn_to_virt(pfn);
	return r;
}

struct obj_result kmalloc(struct phys *p, struct kmem *k, uint64_t size, gfp_t gfp)
{
	struct obj_result r = {0, ZERO_SIZE_PTR};
	uint32_t i;

	if (size == 0)
		return r;
	if (size > KMALLOC_MAX_SIZE)
		return obj_err(-ENOMEM);
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_large(p, size, gfp);
	i = kmalloc_index(size);
	return kmem_cache_alloc(
	    p, k, (gfp & __GFP_DMA) != 0 ? k->kmalloc_dma_caches[i] : k->kmalloc_caches[i], gfp);
}

struct obj_result kzalloc(struct phys *p, struct kmem *k, uint64_t size, gfp_t gfp)
{
	return kmalloc(p, k, size, gfp | __GFP_ZERO);
}

/* Is addr the start of a large kmalloc block? Returns its head pfn, or an error. */
static int64_t large_kmalloc_head(const struct phys *p, uint64_t addr)
{
	int64_t pfn = virt_to_head(p, addr);

	if (pfn < 0)
		return pfn;
	if ((p->pages[pfn].flags & (PG_head | PG_reserved)) == 0)
		return -MERR_NOT_ALLOCATED; /* a free frame: never allocated, or freed already */
	if ((p->pages[pfn].flags & PG_large_kmalloc) == 0)
		return -MERR_FOREIGN;
	if (pfn_to_virt((uint32_t)pfn) != addr)
		return -MERR_MISALIGNED; /* inside the block */
	return pfn;
}

int kfree(struct phys *p, struct kmem *k, uint64_t addr)
{
	int64_t pfn;

	if (addr == 0 || addr == ZERO_SIZE_PTR)
		return 0;
	pfn = virt_to_slab(p, addr);
	if (pfn >= 0)
		return slab_free(p, &k->caches[p->pages[pfn].slab_cache - 1], (uint32_t)pfn, addr);
	if (pfn != -MERR_FOREIGN)
		return (int)pfn;
	pfn = large_kmalloc_head(p, addr);
	if (pfn < 0)
		return (int)pfn;
	p->pages[pfn].flags &= (uint16_t)~PG_large_kmalloc;
	buddy_free_owned(p, (uint32_t)pfn, p->pages[pfn].order);
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
		const struct kmem_cache *c = &k->caches[p->pages[pfn].slab_cache - 1];
		uint64_t offset = addr - pfn_to_virt((uint32_t)pfn);

		if (offset % c->size != 0 || offset / c->size >= slab_objects(c, &p->pages[pfn]))
			return obj_err(-MERR_MISALIGNED);
		r.addr = c->size; /* slab_ksize(): s->size without debugging */
		return r;
	}
	if (pfn != -MERR_FOREIGN)
		return obj_err((int)pfn);
	pfn = large_kmalloc_head(p, addr);
	if (pfn < 0)
		return obj_err((int)pfn);
	r.addr = (uint64_t)buddy_block_pages(p->pages[pfn].order) * PAGE_SIZE;
	return r;
}

/* Validation ------------------------------------------------------------------------ */

static struct validate_result slab_bad(const char *what, uint32_t where)
{
	struct validate_result r = {false, what, where};

	return r;
}

/* One slab: chain inside the slab, no repeats, inuse + free = objects. */
static struct validate_result validate_slab(const struct phys *p, const struct kmem_cache *c,
					    uint32_t pfn, uint32_t *free_out)
{
	const struct page *head = &p->pages[pfn];
	uint32_t objects = slab_objects(c, head), cur = slab_freelist(head), n = 0;
	struct validate_result ok = {true, 0, 0};

	if (objects == 0 || objects >= SLAB_FREELIST_END)
		return slab_bad("slab holds no objects", pfn);
	/*@ loop invariant bound: n <= (uint32_t)(objects - head->prev / 65536);
	    loop assigns n, cur;
	    loop variant (uint32_t)(objects - head->prev / 65536) - n;
	*/
	while (cur != SLAB_FREELIST_END) {
		if (cur >= objects)
			return slab_bad("slab free chain leaves the slab (overwritten?)", pfn);
		if (++n > objects - slab_inuse(head))
			return slab_bad("slab free chain longer than objects - inuse (repeat)",
					pfn);
		cur = free_pointer_index(c, pfn, objects,
					 read_u64(p, object_addr(c, pfn, cur) + c->offset));
	}
	if (slab_inuse(head) + n != objects)
		return slab_bad("slab inuse + free != objects", pfn);
	*free_out = n;
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
		if (++n > c->nr_partial)
			return slab_bad("partial list longer than nr_partial (or cyclic)", pfn);
		if ((head->flags & PG_slab) == 0 || head->slab_cache != id)
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
	    loop assigns pfn, r, tally[0 .. MAX_CACHES - 1];
	    loop variant p->nr_pages - pfn;
	*/
	for (pfn = 0; pfn < p->nr_pages; pfn++) {
		const struct page *head = &p->pages[pfn];
		const struct kmem_cache *c;
		struct slab_tally *t;
		uint32_t free = 0;

		if ((head->flags & PG_slab) == 0)
			continue;
		if ((head->flags & PG_head) == 0 || head->slab_cache < 1 ||
		    head->slab_cache > MAX_CACHES || !k->caches[head->slab_cache - 1].in_use)
			return slab_bad("slab frame of no live cache", pfn);
		c = &k->caches[head->slab_cache - 1];
		r = validate_slab(p, c, pfn, &free);
		if (!r.ok)
			return r;
		t = &tally[head->slab_cache - 1];
		t->slabs++;
		t->nonfull += free != 0;
		t->total += slab_objects(c, head);
		t->active += slab_inuse(head);
	}
	/*@ loop invariant bound: 0 <= i <= MAX_CACHES;
	    loop assigns i, r;
	    loop variant MAX_CACHES - i;
	*/
	for (i = 0; i < MAX_CACHES; i++) {
		const struct kmem_cache *c = &k->caches[i];
		const struct slab_tally *t = &tally[i];

		if (!c->in_use)
			continue;
		if (t->slabs != c->nr_slabs || t->total != c->total_objects ||
		    t->active != c->active_objects)
			return slab_bad("cache counters differ from its slabs", i + 1);
		r = validate_partial(p, c, (int)i + 1);
		if (!r.ok)
			return r;
		if (t->nonfull != c->nr_partial)
			return slab_bad("a slab with free objects is not on the partial list",
					i + 1);
	}
	return r;
}
