/* SPDX-License-Identifier: MIT */
/*
 * vma.c - the VMA set: descriptors, the two-level index, lookups and the merge rules.
 * See vma.h.
 */
#include "vma.h"

void vma_pool_init(struct vma_pool *v)
{
	uint32_t i;

	v->vma_free = VMA_NONE;
	v->vma_used = 0;
	v->leaf_free = VMA_NONE;
	v->leaf_used = 0;
	v->nr_vmas = 0;
	v->nr_leaves = 0;
	v->vm_area_cachep = 0;
	v->next_anon_vma = 1;
	v->next_inode = 1;
	/*@ loop invariant range: 0 <= i <= VMA_NR_FILES;
	    loop invariant cleared: \forall integer j; 0 <= j < i ==> !v->files[j].in_use;
	    loop assigns i, v->files[0 .. VMA_NR_FILES - 1].in_use;
	    loop variant VMA_NR_FILES - i;
	*/
	for (i = 0; i < VMA_NR_FILES; i++)
		v->files[i].in_use = false;
}

void vma_set_init(struct vma_set *s)
{
	s->nr_vmas = 0;
	s->nr_leaves = 0;
}

/* Descriptors ------------------------------------------------------------------------ */

/* A descriptor off the free list, or a never-used one; VMA_NONE when there is none. */
/*@ requires valid: \valid(v);
    requires pool: VPoolOk(v);
    assigns v->vma_free, v->vma_used, v->nr_vmas;
    ensures none: \result == VMA_NONE <==>
	\old(v->vma_free) == VMA_NONE && \old(v->vma_used) >= VMA_POOL_SIZE;
    ensures unchanged: \result == VMA_NONE ==> v->vma_free == \old(v->vma_free) &&
	v->vma_used == \old(v->vma_used) && v->nr_vmas == \old(v->nr_vmas);
    ensures id: \result != VMA_NONE ==> \result == \old(NextVma(v)) && \result < v->vma_used;
    ensures used: \old(v->vma_used) <= v->vma_used <= VMA_POOL_SIZE;
    ensures free: v->vma_free == VMA_NONE || v->vma_free < v->vma_used;
    ensures links: \forall integer i; 0 <= i < v->vma_used && i != \result ==>
	v->vma[i].next_free == VMA_NONE || v->vma[i].next_free < v->vma_used;
    ensures leaves: v->leaf_used <= VMA_LEAF_POOL &&
	(v->leaf_free == VMA_NONE || v->leaf_free < v->leaf_used);
    ensures leaf_links: \forall integer j; 0 <= j < v->leaf_used ==>
	v->leaves[j].next_free == VMA_NONE || v->leaves[j].next_free < v->leaf_used;
*/
static uint32_t pool_pop(struct vma_pool *v)
{
	uint32_t id;

	if (v->vma_free != VMA_NONE) {
		id = v->vma_free;
		v->vma_free = v->vma[id].next_free;
	} else if (v->vma_used < VMA_POOL_SIZE) {
		id = v->vma_used++;
	} else {
		return VMA_NONE;
	}
	v->nr_vmas++;
	return id;
}

/* Descriptor id, just popped, zeroed with its object recorded (off every list). */
/*@ requires valid: \valid(v);
    requires id: id < v->vma_used;
    requires used: v->vma_used <= VMA_POOL_SIZE;
    requires free: v->vma_free == VMA_NONE || v->vma_free < v->vma_used;
    requires links: \forall integer i; 0 <= i < v->vma_used && i != id ==>
	v->vma[i].next_free == VMA_NONE || v->vma[i].next_free < v->vma_used;
    requires leaves: v->leaf_used <= VMA_LEAF_POOL &&
	(v->leaf_free == VMA_NONE || v->leaf_free < v->leaf_used);
    requires leaf_links: \forall integer j; 0 <= j < v->leaf_used ==>
	v->leaves[j].next_free == VMA_NONE || v->leaves[j].next_free < v->leaf_used;
    assigns v->vma[id];
    ensures pool: VPoolOk(v);
    ensures zeroed: v->vma[id].vm_start == 0 && v->vma[id].vm_end == 0 &&
	v->vma[id].vm_flags == 0 && v->vma[id].vm_pgoff == 0 && v->vma[id].anon_vma == 0 &&
	v->vma[id].file == 0 && v->vma[id].obj == obj;
    ensures others: \forall integer i; 0 <= i < VMA_POOL_SIZE && i != id ==>
	v->vma[i].vm_start == \old(v->vma[i].vm_start) && v->vma[i].vm_end == \old(v->vma[i].vm_end);
*/
static void vma_reset(struct vma_pool *v, uint32_t id, uint64_t obj)
{
	struct vm_area_struct *vma = &v->vma[id];

	vma->vm_start = 0;
	vma->vm_end = 0;
	vma->vm_flags = 0;
	vma->vm_pgoff = 0;
	vma->obj = obj;
	vma->anon_vma = 0;
	vma->file = 0;
	vma->next_free = VMA_NONE;
}

#ifdef __FRAMAC__
/*
 * pool_take() and pool_give() run right after a slab call: what they keep of the slab's
 * and the page allocator's state, field by field (p and k are ghost parameters). The
 * caller puts BuddySafe and KmemOk back together from it (Slab_Safe_Kept,
 * Slab_KmemOk_All): across the write to the pool, neither carries over in one step.
 */
/* clang-format off */
#define VMA_POOL_FRAME \
    requires apart: \separated(v, k, p, p->pages + (0 .. p->nr_pages - 1), \
				p->mem + (0 .. RamWords(p) - 1)); \
    requires shape: PhysShape(p) && \valid(k); \
    ensures p_fields: p->nr_pages == \old(p->nr_pages) && p->booted == \old(p->booted) && \
	p->pages == \old(p->pages) && p->mem == \old(p->mem); \
    ensures p_pages: PagesSame{Pre, Post}(\old(p->pages), \old(p->nr_pages)); \
    ensures p_areas: AreasSame{Pre, Post}(\old(&p->zones[0])); \
    ensures p_zones: \forall integer zi; 0 <= zi < MAX_NR_ZONES ==> \
	p->zones[zi].start_pfn == \old(p->zones[zi].start_pfn) && \
	p->zones[zi].end_pfn == \old(p->zones[zi].end_pfn) && \
	p->zones[zi].free_pages == \old(p->zones[zi].free_pages); \
    ensures p_kept: SlabPhysKept{Pre, Post}(p) && PhysShape(p); \
    ensures k_kept: KeptExcept{Pre, Post}(k, MAX_CACHES); \
    ensures k_ids: KmemIdsSame{Pre, Post}(k) && \valid(k);
/* clang-format on */
#endif

/*
 * A descriptor off the free list (or a never-used one), zeroed, its object recorded;
 * VMA_NONE when the pool is exhausted (nothing changed then).
 */
/*@ requires valid: \valid(v);
    requires pool: VPoolOk(v);
    VMA_POOL_FRAME
    assigns v->vma_free, v->vma_used, v->nr_vmas, v->vma[NextVma(v)];
    ensures none: \result == VMA_NONE <==>
	\old(v->vma_free) == VMA_NONE && \old(v->vma_used) >= VMA_POOL_SIZE;
    ensures unchanged: \result == VMA_NONE ==> v->vma_free == \old(v->vma_free) &&
	v->vma_used == \old(v->vma_used) && v->nr_vmas == \old(v->nr_vmas);
    ensures id: \result != VMA_NONE ==> \result < v->vma_used;
    ensures used: \old(v->vma_used) <= v->vma_used;
    ensures pool: VPoolOk(v);
    ensures zeroed: \result != VMA_NONE ==> v->vma[\result].vm_start == 0 &&
	v->vma[\result].vm_end == 0 && v->vma[\result].vm_flags == 0 &&
	v->vma[\result].vm_pgoff == 0 && v->vma[\result].anon_vma == 0 &&
	v->vma[\result].file == 0 && v->vma[\result].obj == obj;
    ensures others: \forall integer i; 0 <= i < VMA_POOL_SIZE && i != \result ==>
	v->vma[i].vm_start == \old(v->vma[i].vm_start) && v->vma[i].vm_end == \old(v->vma[i].vm_end);
*/
static uint32_t pool_take(struct vma_pool *v,
			  uint64_t obj) /*@ ghost (struct phys *p, struct kmem *k) */
{
	uint32_t id = pool_pop(v);

	/* p's free areas across each call in turn (across both at once: 19 s, a timeout cold) */
	/*@ assert p_areas_pop: AreasSame{Pre, Here}(\at(&p->zones[0], Pre)); */
Popped:
	__attribute__((unused));
	if (id != VMA_NONE)
		vma_reset(v, id, obj);
	/*@ assert p_areas_reset: AreasSame{Popped, Here}(\at(&p->zones[0], Pre)); */
	/*@ assert p_fields: p->nr_pages == \at(p->nr_pages, Pre) && p->booted == \at(p->booted, Pre) &&
		p->pages == \at(p->pages, Pre) && p->mem == \at(p->mem, Pre); */
	//@ assert p_pages: PagesSame{Pre, Here}(\at(p->pages, Pre), \at(p->nr_pages, Pre));
	//@ assert p_areas: AreasSame{Pre, Here}(\at(&p->zones[0], Pre));
	/*@ assert p_zones: \forall integer zi; 0 <= zi < MAX_NR_ZONES ==>
		p->zones[zi].start_pfn == \at(p->zones[zi].start_pfn, Pre) &&
		p->zones[zi].end_pfn == \at(p->zones[zi].end_pfn, Pre) &&
		p->zones[zi].free_pages == \at(p->zones[zi].free_pages, Pre); */
	/*@ assert p_shape: PhysShape(p); */
	/* *k field by field (KeptExcept at once times out after the two calls). */
	/*@ assert k_in_use: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].in_use == \at(k->caches[j].in_use, Pre); */
	/*@ assert k_kmalloc: \forall integer j; 0 <= j < MAX_CACHES ==>
		k->caches[j].kmalloc == \at(k->caches[j].kmalloc, Pre); */
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
	return id;
}

/* Put descriptor id (in use) back on the free list. */
/*@ requires valid: \valid(v);
    requires pool: VPoolOk(v);
    requires id: id < v->vma_used;
    VMA_POOL_FRAME
    assigns v->vma[id].next_free, v->vma[id].obj, v->vma_free, v->nr_vmas;
    ensures pool: VPoolOk(v);
    ensures head: v->vma_free == id && v->vma[id].obj == 0;
    ensures same: IndexSame{Pre, Post}(v);
*/
static void pool_give(struct vma_pool *v, uint32_t id) /*@ ghost (struct phys *p, struct kmem *k) */
{
	v->vma[id].obj = 0;
	v->vma[id].next_free = v->vma_free;
	v->vma_free = id;
	v->nr_vmas--;
}

/*
 * The slab calls below write *k, p->zones, p->pages[] and p->mem[] (their assigns); the
 * asserts before each call show every pool location the contracts read apart from those,
 * field by field, and the asserts after it carry the values across (in one step the
 * provers time out).
 */

#ifdef __FRAMAC__
/* What vma_obj_alloc() and vma_obj_free() write (the slab's state), and keep. */
/* clang-format off */
#define VMA_SLAB_CALL \
	assigns *k, p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. p->nr_pages - 1], \
		p->mem[0 .. RamWords(p) - 1]; \
	ensures safe: BuddySafe(p); \
	ensures kmem: KmemOk(k); \
	ensures pool: VPoolOk(v); \
	ensures kept: v->vma_free == \old(v->vma_free) && v->vma_used == \old(v->vma_used) && \
		v->nr_vmas == \old(v->nr_vmas);
/* clang-format on */
#endif

/* An object of vm_area_cachep (live), which leaves the pool as it was. */
/*@ requires valid: \valid(v);
    requires heads: ListHeads(p);
    VMA_SLAB_REQUIRES
    VMA_SLAB_CALL
    ensures ranges: \forall integer i; 0 <= i < VMA_POOL_SIZE ==>
	v->vma[i].vm_start == \old(v->vma[i].vm_start) && v->vma[i].vm_end == \old(v->vma[i].vm_end);
    ensures null: \result.err != 0 ==> \result.addr == 0;
    ensures booted: \result.err == 0 ==> p->booted;
*/
static struct obj_result vma_obj_alloc(const struct vma_pool *v, struct phys *p, struct kmem *k)
{
	struct obj_result o = {-MERR_NOT_FOUND, 0};

	/* kmem_cache_alloc() would refuse a bad cache id the same way: see vma_obj_free(). */
	if (v->vm_area_cachep <= 0 || v->vm_area_cachep > (int)MAX_CACHES)
		return o;

	/*@ assert apart_links: \forall integer i; 0 <= i < VMA_POOL_SIZE ==>
		\separated(&v->vma[i].next_free, k, p->zones + (0 .. MAX_NR_ZONES - 1),
			   p->pages + (0 .. p->nr_pages - 1)); */
	/*@ assert apart_leaf_links: \forall integer j; 0 <= j < VMA_LEAF_POOL ==>
		\separated(&v->leaves[j].next_free, k, p->zones + (0 .. MAX_NR_ZONES - 1),
			   p->pages + (0 .. p->nr_pages - 1)); */
	/*@ assert apart_starts: \forall integer i; 0 <= i < VMA_POOL_SIZE ==>
		\separated(&v->vma[i].vm_start, k, p->zones + (0 .. MAX_NR_ZONES - 1),
			   p->pages + (0 .. p->nr_pages - 1), p->mem + (0 .. RamWords(p) - 1)); */
	/*@ assert apart_ends: \forall integer i; 0 <= i < VMA_POOL_SIZE ==>
		\separated(&v->vma[i].vm_end, k, p->zones + (0 .. MAX_NR_ZONES - 1),
			   p->pages + (0 .. p->nr_pages - 1), p->mem + (0 .. RamWords(p) - 1)); */
	/*@ assert apart_scalars: \separated(&v->vma_used, &v->vma_free, &v->leaf_used, &v->leaf_free,
		&v->nr_vmas, &v->vm_area_cachep, k, p->zones + (0 .. MAX_NR_ZONES - 1),
		p->pages + (0 .. p->nr_pages - 1), p->mem + (0 .. RamWords(p) - 1)); */
	o = kmem_cache_alloc(p, k, v->vm_area_cachep, GFP_KERNEL | __GFP_ZERO);
	/* An object comes from a slab, a block of the page allocator: it runs (booted). */
	/*@ assert taken: o.err == 0 ==> ObjectTaken{Pre, Here}(p, k, v->vm_area_cachep, o.addr); */
	/*@ assert head: o.err == 0 ==> \exists integer x; 0 <= x < p->nr_pages && IsHead(p, x); */
	/*@ assert in_ram: o.err == 0 ==> \exists integer x; HeadInRam(p, x); */
	/*@ assert kept_used: v->vma_used == \at(v->vma_used, Pre); */
	/*@ assert kept_free: v->vma_free == \at(v->vma_free, Pre); */
	/*@ assert kept_leaf_used: v->leaf_used == \at(v->leaf_used, Pre); */
	/*@ assert kept_leaf_free: v->leaf_free == \at(v->leaf_free, Pre); */
	/*@ assert kept_links: \forall integer i; 0 <= i < VMA_POOL_SIZE ==>
		v->vma[i].next_free == \at(v->vma[i].next_free, Pre); */
	/*@ assert kept_leaf_links: \forall integer j; 0 <= j < VMA_LEAF_POOL ==>
		v->leaves[j].next_free == \at(v->leaves[j].next_free, Pre); */
	return o;
}

uint32_t vm_area_alloc(struct vma_pool *v, struct phys *p, struct kmem *k)
{
	struct obj_result o;

	if (v->vma_free == VMA_NONE && v->vma_used >= VMA_POOL_SIZE)
		return VMA_NONE;
	o = vma_obj_alloc(v, p, k); /* an error without a cache (vma_obj_alloc() checks it) */
	if (o.err != 0)
		return VMA_NONE;
	return pool_take(v, o.addr) /*@ ghost (p, k) */;
}

/*
 * Give obj back to vm_area_cachep, which leaves the pool as it was: its leaves and the
 * descriptors' ranges too (the slab writes 64-bit words, as the ranges are: each field
 * apart from the slab's state, then unchanged, one assert each).
 */
/*@ requires valid: \valid_read(v);
    VMA_SLAB_REQUIRES
    VMA_SLAB_CALL
    ensures leaves: VMA_LEAVES_SAME;
    ensures ranges: VMA_RANGES_SAME;
    ensures leaf_used: v->leaf_used == \old(v->leaf_used);
*/
static void vma_obj_free(const struct vma_pool *v, struct phys *p, struct kmem *k, uint64_t obj)
{
	/*@ assert apart_links: \forall integer i; 0 <= i < VMA_POOL_SIZE ==>
		\separated(&v->vma[i].next_free, k, p->zones + (0 .. MAX_NR_ZONES - 1),
			   p->pages + (0 .. p->nr_pages - 1)); */
	/*@ assert apart_leaf_links: \forall integer j; 0 <= j < VMA_LEAF_POOL ==>
		\separated(&v->leaves[j].next_free, k, p->zones + (0 .. MAX_NR_ZONES - 1),
			   p->pages + (0 .. p->nr_pages - 1)); */
	/*
	 * The object came from this cache: the free cannot fail. The cache id is checked
	 * first although kmem_cache_free() would refuse a bad one the same way (changing
	 * nothing): kmem_cache_free()'s assigns name k->caches[id - 1], which lies inside
	 * *k, apart from *v, only for an id in range.
	 */
	if (v->vm_area_cachep <= 0 || v->vm_area_cachep > (int)MAX_CACHES)
		return;
	/*@ assert apart_scalars: \separated(&v->vma_used, &v->vma_free, &v->leaf_used, &v->leaf_free,
		&v->nr_vmas, &v->vm_area_cachep, k, p->zones + (0 .. MAX_NR_ZONES - 1),
		p->pages + (0 .. p->nr_pages - 1), p->mem + (0 .. RamWords(p) - 1)); */
	(void)kmem_cache_free(p, k, v->vm_area_cachep, obj);
	/*@ assert kept_used: v->vma_used == \at(v->vma_used, Pre); */
	/*@ assert kept_free: v->vma_free == \at(v->vma_free, Pre); */
	/*@ assert kept_leaf_used: v->leaf_used == \at(v->leaf_used, Pre); */
	/*@ assert kept_leaf_free: v->leaf_free == \at(v->leaf_free, Pre); */
	/*@ assert kept_links: \forall integer i; 0 <= i < VMA_POOL_SIZE ==>
		v->vma[i].next_free == \at(v->vma[i].next_free, Pre); */
	/*@ assert kept_leaf_links: \forall integer j; 0 <= j < VMA_LEAF_POOL ==>
		v->leaves[j].next_free == \at(v->leaves[j].next_free, Pre); */
	/*@ assert apart_leaf_ends: \forall integer j, i; 0 <= j < VMA_LEAF_POOL && 0 <= i < VMA_LEAF_SLOTS ==>
		\separated(&v->leaves[j].end[i], k, p->zones + (0 .. MAX_NR_ZONES - 1),
			   \at(p->pages, Pre) + (0 .. \at(p->nr_pages, Pre) - 1),
			   \at(p->mem, Pre) + (0 .. \at(RamWords(p), Pre) - 1)); */
	/*@ assert kept_end0: \forall integer j; 0 <= j < VMA_LEAF_POOL ==>
		v->leaves[j].end[0] == \at(v->leaves[j].end[0], Pre); */
	/*@ assert kept_ends_up: \forall integer j, i; 0 <= j < VMA_LEAF_POOL && 0 < i < VMA_LEAF_SLOTS ==>
		v->leaves[j].end[i] == \at(v->leaves[j].end[i], Pre); */
	/*@ assert kept_ends: \forall integer j, i; 0 <= j < VMA_LEAF_POOL && 0 <= i < VMA_LEAF_SLOTS ==>
		v->leaves[j].end[i] == \at(v->leaves[j].end[i], Pre); */
	/*@ assert apart_slots: \forall integer j, i; 0 <= j < VMA_LEAF_POOL && 0 <= i < VMA_LEAF_SLOTS ==>
		\separated(&v->leaves[j].slot[i], k, p->zones + (0 .. MAX_NR_ZONES - 1),
			   \at(p->pages, Pre) + (0 .. \at(p->nr_pages, Pre) - 1)); */
	/*@ assert kept_slots: \forall integer j, i; 0 <= j < VMA_LEAF_POOL && 0 <= i < VMA_LEAF_SLOTS ==>
		v->leaves[j].slot[i] == \at(v->leaves[j].slot[i], Pre); */
	/*@ assert apart_nrs: \forall integer j; 0 <= j < VMA_LEAF_POOL ==>
		\separated(&v->leaves[j].nr, k, p->zones + (0 .. MAX_NR_ZONES - 1),
			   \at(p->pages, Pre) + (0 .. \at(p->nr_pages, Pre) - 1)); */
	/*@ assert kept_nrs: \forall integer j; 0 <= j < VMA_LEAF_POOL ==>
		v->leaves[j].nr == \at(v->leaves[j].nr, Pre); */
	/*@ assert kept_starts: \forall integer j, i; 0 <= j < VMA_LEAF_POOL && 0 <= i < VMA_LEAF_SLOTS ==>
		v->leaves[j].start[i] == \at(v->leaves[j].start[i], Pre); */
	/*@ assert kept_vm_starts: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
		v->vma[x].vm_start == \at(v->vma[x].vm_start, Pre); */
	/*@ assert kept_vm_ends: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
		v->vma[x].vm_end == \at(v->vma[x].vm_end, Pre); */
}

void vm_area_free(struct vma_pool *v, struct phys *p, struct kmem *k, uint32_t id)
{
	vma_obj_free(v, p, k, v->vma[id].obj);
	/* the index as it was, one predicate (same): its callers meet it whole (vma.h) */
	/*@ assert same_obj: IndexSame{Pre, Here}(v); */
	pool_give(v, id) /*@ ghost (p, k) */;
	/* heads_kept: a running allocator's lists have their heads (slab.acsl) */
	/*@ assert safe_booted: p->booted ==> SafeBooted(p); */
}

struct vma_batch vma_prealloc(struct vma_pool *v, struct phys *p, struct kmem *k, uint32_t n)
{
	struct vma_batch b = VMA_BATCH_NONE(0);
	uint32_t i;

	/*
	 * The slab's state is carried from call to call. ListHeads: the first call has it
	 * from the precondition; a call that returned a descriptor shows the page allocator
	 * running (p->booted), and a running allocator's lists have their heads
	 * (SafeBooted, slab.acsl). The loops' assigns name p's arrays by their size at Pre:
	 * sized by the state they havoc, the ranges could not be shown apart from p.
	 */
	/*@ loop invariant range: 0 <= i <= n;
	    loop invariant pool: VPoolOk(v);
	    loop invariant ids: \forall integer j; 0 <= j < i ==> b.id[j] < v->vma_used;
	    loop invariant rest: \forall integer j; i <= j < VMA_PREALLOC_MAX ==> b.id[j] == VMA_NONE;
	    loop invariant err: b.err == 0;
	    loop invariant safe: BuddySafe(p);
	    loop invariant kmem: KmemOk(k);
	    loop invariant phys: p->nr_pages == \at(p->nr_pages, Pre) && p->pages == \at(p->pages, Pre) &&
		p->mem == \at(p->mem, Pre);
	    loop invariant first: i == 0 ==> ListHeads(p);
	    loop invariant booted: i > 0 ==> SafeBooted(p);
	    loop assigns i, b, v->vma[0 .. VMA_POOL_SIZE - 1], v->vma_free, v->vma_used, v->nr_vmas, *k,
		p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. \at(p->nr_pages, Pre) - 1],
		p->mem[0 .. \at(RamWords(p), Pre) - 1];
	    loop variant n - i;
	*/
	for (i = 0; i < n; i++) {
		//@ assert heads: ListHeads(p);
		b.id[i] = vm_area_alloc(v, p, k);
		if (b.id[i] == VMA_NONE) {
			/*@ loop invariant range: 0 <= i <= n;
			    loop invariant pool: VPoolOk(v);
			    loop invariant ids: \forall integer j; 0 <= j < i ==> b.id[j] < v->vma_used;
			    loop invariant rest: \forall integer j; i <= j < VMA_PREALLOC_MAX ==> b.id[j] == VMA_NONE;
			    loop invariant safe: BuddySafe(p);
			    loop invariant kmem: KmemOk(k);
			    loop invariant phys: p->nr_pages == \at(p->nr_pages, Pre) &&
				p->pages == \at(p->pages, Pre) && p->mem == \at(p->mem, Pre);
			    loop invariant booted: i > 0 ==> SafeBooted(p);
			    loop assigns i, b, v->vma[0 .. VMA_POOL_SIZE - 1], v->vma_free, v->nr_vmas, *k,
				p->zones[0 .. MAX_NR_ZONES - 1], p->pages[0 .. \at(p->nr_pages, Pre) - 1],
				p->mem[0 .. \at(RamWords(p), Pre) - 1];
			    loop variant i;
			*/
			while (i > 0) {
				i--;
				//@ assert heads: ListHeads(p);
				//@ assert id: b.id[i] < v->vma_used <= VMA_POOL_SIZE;
				//@ assert words: RamWords(p) == \at(RamWords(p), Pre);
				vm_area_free(v, p, k, b.id[i]);
				b.id[i] = VMA_NONE;
			}
			b.err = -ENOMEM;
			return b;
		}
	}
	return b;
}

/* Leaves ------------------------------------------------------------------------------ */

/* The descriptors' ranges as they were: the frame every helper below that writes only
 * the leaves or the set states. */
/* clang-format off */
#define VMA_VMAS_KEPT ensures vmas_kept: VMA_RANGES_SAME;
/* clang-format on */

/* The free lists and the pool's counters as they were: the frame of the helpers that
 * write only the leaves' arrays and counts, from which VPoolOk is rebuilt (vpool_ok()). */
/* clang-format off */
#define VMA_LINKS_KEPT \
    ensures links: \forall integer z; 0 <= z < VMA_LEAF_POOL ==> \
	v->leaves[z].next_free == \old(v->leaves[z].next_free); \
    ensures vma_links: \forall integer z; 0 <= z < VMA_POOL_SIZE ==> \
	v->vma[z].next_free == \old(v->vma[z].next_free); \
    ensures scalars: v->vma_used == \old(v->vma_used) && v->leaf_used == \old(v->leaf_used) && \
	v->vma_free == \old(v->vma_free) && v->leaf_free == \old(v->leaf_free);
/* clang-format on */

/*@ requires valid: \valid_read(v);
    assigns \nothing;
    ensures exact: \result == (uint32_t)(VMA_LEAF_POOL - v->nr_leaves);
*/
static uint32_t leaves_free(const struct vma_pool *v)
{
	return VMA_LEAF_POOL - v->nr_leaves;
}

bool vma_set_room(const struct vma_pool *v, const struct vma_set *s, uint32_t n)
{
	return leaves_free(v) >= n && s->nr_leaves + n <= VMA_MAX_LEAVES &&
	       s->nr_vmas + n <= VMA_MAX_PER_MM;
}

/*@ requires valid: \valid(v);
    requires pool: VPoolOk(v);
    requires avail: LeafAvail(v);
    assigns v->leaf_free, v->leaf_used, v->nr_leaves, v->leaves[NextLeaf(v)].nr,
	v->leaves[NextLeaf(v)].next_free;
    ensures id: \result == \old(NextLeaf(v)) && \result < v->leaf_used;
    ensures empty: v->leaves[\result].nr == 0;
    ensures pool: VPoolOk(v);
    ensures used: v->leaf_used >= \old(v->leaf_used);
    ensures kept: \forall integer y, x; 0 <= y < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS ==>
	v->leaves[y].slot[x] == \old(v->leaves[y].slot[x]) &&
	v->leaves[y].start[x] == \old(v->leaves[y].start[x]) &&
	v->leaves[y].end[x] == \old(v->leaves[y].end[x]);
    ensures nr_kept: \forall integer y; 0 <= y < VMA_LEAF_POOL && y != \result ==>
	v->leaves[y].nr == \old(v->leaves[y].nr);
    VMA_VMAS_KEPT
*/
static uint32_t leaf_take(struct vma_pool *v)
{
	uint32_t id;

	if (v->leaf_free != VMA_NONE) {
		id = v->leaf_free;
		v->leaf_free = v->leaves[id].next_free;
	} else {
		id = v->leaf_used++;
	}
	v->leaves[id].nr = 0;
	v->leaves[id].next_free = VMA_NONE;
	v->nr_leaves++;
	return id;
}

/* Pool leaf id back on the free list; the frame over the rest of the pool (lesson 23). */
/*@ requires valid: \valid(v);
    requires id: id < VMA_LEAF_POOL;
    assigns v->leaves[id].next_free, v->leaf_free, v->nr_leaves;
    ensures pool: \old(VPoolOk(v)) && id < v->leaf_used ==> VPoolOk(v);
    ensures used: v->leaf_used == \old(v->leaf_used);
    ensures kept: \forall integer y, x; 0 <= y < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS ==>
	v->leaves[y].slot[x] == \old(v->leaves[y].slot[x]) &&
	v->leaves[y].start[x] == \old(v->leaves[y].start[x]) &&
	v->leaves[y].end[x] == \old(v->leaves[y].end[x]);
    ensures nr_kept: \forall integer y; 0 <= y < VMA_LEAF_POOL ==>
	v->leaves[y].nr == \old(v->leaves[y].nr);
    VMA_VMAS_KEPT
*/
static void leaf_give(struct vma_pool *v, uint32_t id)
{
	v->leaves[id].next_free = v->leaf_free;
	v->leaf_free = id;
	v->nr_leaves--;
}

/* vm_flags --------------------------------------------------------------------------- */

/* What the arithmetic forms below rely on (a negative array size if not). */
typedef char vma_access_flags_are_low_three_bits[VM_ACCESS_FLAGS == 7u ? 1 : -1];
typedef char vma_ignore_merge_is_one_bit[VM_IGNORE_MERGE == VM_SOFTDIRTY ? 1 : -1];

/*
 * (flags & bit) != 0 and flags & ~bit for a single-bit bit, written with division: the
 * provers cannot reason about '&' and '~' on a variable (docs/proofs.md).
 */
/*@ requires bit: bit > 0;
    assigns \nothing;
    ensures exact: \result <==> HasFlag(flags, bit);
*/
static bool vm_flag(uint64_t flags, uint64_t bit)
{
	return flags / bit % 2u != 0;
}

/*@ requires bit: bit > 0;
    assigns \nothing;
    ensures exact: \result == ClearFlag(flags, bit);
*/
static uint64_t vm_flag_clear(uint64_t flags, uint64_t bit)
{
	return vm_flag(flags, bit) ? flags - bit : flags;
}

/* Lookup ------------------------------------------------------------------------------ */

uint64_t vma_start_gap(const struct vm_area_struct *vma)
{
	if (!vm_flag(vma->vm_flags, VM_GROWSDOWN))
		return vma->vm_start;
	return vma->vm_start >= STACK_GUARD_GAP ? vma->vm_start - STACK_GUARD_GAP : 0;
}

/* vma_leaf_max_gap() with the end of the VMA before the leaf given (it may be about to
 * change: leaf_refresh()). */
/*@ requires valid: \valid_read(v) && \valid_read(s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    requires leaf: s->leaf[k] < VMA_LEAF_POOL && LeafNr(v, s, k) <= VMA_LEAF_SLOTS;
    assigns \nothing;
*/
static uint64_t leaf_max_gap_from(const struct vma_pool *v, const struct vma_set *s, uint32_t k,
				  uint64_t prev_end)
{
	const struct vma_leaf *l = &v->leaves[s->leaf[k]];
	uint64_t best = 0;
	uint32_t i;

	/*@ loop invariant range: 0 <= i <= l->nr;
	    loop assigns i, best, prev_end;
	    loop variant l->nr - i;
	*/
	for (i = 0; i < l->nr; i++) {
		if (l->start[i] > prev_end && l->start[i] - prev_end > best)
			best = l->start[i] - prev_end;
		prev_end = l->end[i];
	}
	return best;
}

uint64_t vma_leaf_max_gap(const struct vma_pool *v, const struct vma_set *s, uint32_t k)
{
	return leaf_max_gap_from(v, s, k, k > 0 ? s->last_end[k - 1] : 0);
}

/*
 * The gap tree. gap_tree (vma.h) is a max tree over max_gap: leaf k is node
 * VMA_MAX_LEAVES + k, node n has the children 2n and 2n + 1, and a node of span s (the
 * leaves under it, a power of two) covers the leaves from n * s - VMA_MAX_LEAVES on:
 *
 *                              gap_tree[1]                          span 16384
 *                     /                       \
 *               gap_tree[2]                 gap_tree[3]              span 8192
 *                 /     \                     /     \
 *               ...     ...                 ...     ...
 *        max_gap[0] max_gap[1] max_gap[2] ...  max_gap[16383]       span 1
 *
 * A node whose leaves all lie at or beyond nr_leaves reads as 0, whatever the array
 * holds: an empty set needs no clearing and a set that shrinks leaves no stale maximum.
 * The set's root is the lowest node above leaf 0 whose span reaches nr_leaves (span 2 for
 * two leaves): only it and the nodes under it are kept and read, so every walk is
 * O(log nr_leaves), not O(log VMA_MAX_LEAVES). A change of one max_gap updates the path
 * above it, up to the first node whose value stays; a move of the top array rebuilds
 * the nodes above the leaves that moved.
 */

/*
 * The gap tree's nodes, level by level: node n of span span (a power of two) lies at the
 * level where VMA_MAX_LEAVES / span <= n < 2 * VMA_MAX_LEAVES / span, and its first leaf
 * is n * span - VMA_MAX_LEAVES. Stated as one case per level, the products are products
 * by constants, which the provers handle (n * span with both variable they do not; see
 * docs/proofs.md). Here rather than in vma.acsl: only the gap tree's functions use them, and
 * in an axiomatic block, whose lemmas reach only the goals that name GapNode or GapNodeAt.
 */
typedef char vma_gap_levels_are_fifteen[VMA_MAX_LEAVES == 16384u ? 1 : -1];

/*@ axiomatic GapFacts {
  predicate GapNode(integer n, integer span) =
    (span == 1 && 16384 <= n < 32768) ||
    (span == 2 && 8192 <= n < 16384) ||
    (span == 4 && 4096 <= n < 8192) ||
    (span == 8 && 2048 <= n < 4096) ||
    (span == 16 && 1024 <= n < 2048) ||
    (span == 32 && 512 <= n < 1024) ||
    (span == 64 && 256 <= n < 512) ||
    (span == 128 && 128 <= n < 256) ||
    (span == 256 && 64 <= n < 128) ||
    (span == 512 && 32 <= n < 64) ||
    (span == 1024 && 16 <= n < 32) ||
    (span == 2048 && 8 <= n < 16) ||
    (span == 4096 && 4 <= n < 8) ||
    (span == 8192 && 2 <= n < 4) ||
    (span == 16384 && 1 <= n < 2);

  // GapNode, and the node's first leaf, again one case per level: stated as
  // GapNode(n, span) && first == n * span - VMA_MAX_LEAVES, the product is back and
  // vma_gap_prev_leaf()'s climb no longer proves.
  predicate GapNodeAt(integer n, integer span, integer first) =
    (span == 1 && 16384 <= n < 32768 && first == n - VMA_MAX_LEAVES) ||
    (span == 2 && 8192 <= n < 16384 && first == 2 * n - VMA_MAX_LEAVES) ||
    (span == 4 && 4096 <= n < 8192 && first == 4 * n - VMA_MAX_LEAVES) ||
    (span == 8 && 2048 <= n < 4096 && first == 8 * n - VMA_MAX_LEAVES) ||
    (span == 16 && 1024 <= n < 2048 && first == 16 * n - VMA_MAX_LEAVES) ||
    (span == 32 && 512 <= n < 1024 && first == 32 * n - VMA_MAX_LEAVES) ||
    (span == 64 && 256 <= n < 512 && first == 64 * n - VMA_MAX_LEAVES) ||
    (span == 128 && 128 <= n < 256 && first == 128 * n - VMA_MAX_LEAVES) ||
    (span == 256 && 64 <= n < 128 && first == 256 * n - VMA_MAX_LEAVES) ||
    (span == 512 && 32 <= n < 64 && first == 512 * n - VMA_MAX_LEAVES) ||
    (span == 1024 && 16 <= n < 32 && first == 1024 * n - VMA_MAX_LEAVES) ||
    (span == 2048 && 8 <= n < 16 && first == 2048 * n - VMA_MAX_LEAVES) ||
    (span == 4096 && 4 <= n < 8 && first == 4096 * n - VMA_MAX_LEAVES) ||
    (span == 8192 && 2 <= n < 4 && first == 8192 * n - VMA_MAX_LEAVES) ||
    (span == 16384 && 1 <= n < 2 && first == 16384 * n - VMA_MAX_LEAVES);

  lemma Gap_Node_Range: \forall integer n, span; GapNode(n, span) ==>
    1 <= n < 2 * VMA_MAX_LEAVES && 1 <= span <= VMA_MAX_LEAVES &&
    VMA_MAX_LEAVES <= n * span < 2 * VMA_MAX_LEAVES &&
    (n >= VMA_MAX_LEAVES <==> span == 1) && (n >= VMA_MAX_LEAVES / 2 <==> span <= 2);

  lemma Gap_Node_At: \forall integer n, span, first; GapNodeAt(n, span, first) ==>
    GapNode(n, span) && 0 <= first && first + span <= VMA_MAX_LEAVES;

  lemma Gap_Node_Between: \forall integer lo, hi, n, span;
    GapNode(lo, span) && GapNode(hi, span) && lo <= n <= hi ==> GapNode(n, span);

  lemma Gap_Up: \forall integer n, span; GapNode(n, span) && span < VMA_MAX_LEAVES ==>
    GapNode(n / 2, 2 * span);

  lemma Gap_Up_Left: \forall integer n, span, first;
    GapNodeAt(n, span, first) && span < VMA_MAX_LEAVES && n % 2 == 0 ==>
      GapNodeAt(n / 2, 2 * span, first);

  lemma Gap_Up_Right: \forall integer n, span, first;
    GapNodeAt(n, span, first) && span < VMA_MAX_LEAVES && n % 2 != 0 ==>
      GapNodeAt(n / 2, 2 * span, first - span);

  lemma Gap_Down: \forall integer n, span, first; GapNodeAt(n, span, first) && span > 1 ==>
    GapNodeAt(2 * n, span / 2, first) && GapNodeAt(2 * n + 1, span / 2, first + span / 2);

  lemma Gap_Left_Sibling: \forall integer n, span, first;
    GapNodeAt(n, span, first) && span < VMA_MAX_LEAVES && n % 2 != 0 ==>
      GapNodeAt(n - 1, span, first - span);

  lemma Gap_Right_Sibling: \forall integer n, span, first;
    GapNodeAt(n, span, first) && span < VMA_MAX_LEAVES && n % 2 == 0 ==>
      GapNodeAt(n + 1, span, first + span);

  // The two children of a node of span 2 * span, each of span span.
  lemma Gap_Children: \forall integer p, span; GapNode(p, 2 * span) && 1 <= span ==>
    GapNode(2 * p, span) && GapNode(2 * p + 1, span);
  } */

/* Node n of span span: the largest max_gap under it, 0 when it lies beyond the set. */
/*@ requires valid: \valid_read(s);
    requires node: GapNode(n, span);
    assigns \nothing;
*/
static uint64_t gap_node(const struct vma_set *s, uint32_t n, uint32_t span)
{
	if (n * span - VMA_MAX_LEAVES >= s->nr_leaves)
		return 0;
	return n >= VMA_MAX_LEAVES ? s->max_gap[n - VMA_MAX_LEAVES] : s->gap_tree[n];
}

/* What node p holds: the larger of its children, each of span span. */
/*@ requires valid: \valid_read(s);
    requires node: GapNode(p, 2 * span) && 1 <= span;
    assigns \nothing;
*/
static uint64_t gap_children(const struct vma_set *s, uint32_t p, uint32_t span)
{
	uint64_t a = gap_node(s, 2 * p, span), b = gap_node(s, 2 * p + 1, span);

	return a > b ? a : b;
}

/*
 * The nodes above leaf k (k < nr_leaves), after max_gap[k] changed: each becomes the
 * larger of the value below it and its other child, up to the first node that keeps its
 * value (the nodes above it keep theirs), at most up to the set's root. The leaf level
 * comes first (its nodes are in max_gap); only a right sibling can lie beyond the set.
 */
/*@ requires valid: \valid(s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    assigns s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
*/
static void gap_path_update(struct vma_set *s, uint32_t k)
{
	uint32_t n = (VMA_MAX_LEAVES + k) / 2, first = k - k % 2, span = 2;
	uint64_t g = s->max_gap[k], other;

	if (s->nr_leaves <= 1)
		return;
	other = k % 2 != 0 ? s->max_gap[k - 1] : k + 1 < s->nr_leaves ? s->max_gap[k + 1] : 0;
	if (other > g)
		g = other;
	//@ assert start: GapNodeAt(n, span, first);
	/*@ loop invariant node: GapNodeAt(n, span, first) && 2 <= span;
	    loop assigns n, first, span, g, other, s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
	    loop variant VMA_MAX_LEAVES - span;
	*/
	for (;;) {
		if (s->gap_tree[n] == g)
			return;
		s->gap_tree[n] = g;
		if (span >= s->nr_leaves)
			return;
		if (n % 2 != 0) { /* a right child: its left sibling is in the set */
			other = s->gap_tree[n - 1];
			first -= span;
		} else {
			other = first + span < s->nr_leaves ? s->gap_tree[n + 1] : 0;
		}
		if (other > g)
			g = other;
		n /= 2;
		span *= 2;
	}
}

/* Every node above leaves first .. last - 1, bottom up (after the top array moved
 * there, or nr_leaves changed inside that range). */
/*@ requires valid: \valid(s);
    requires range: first < last <= VMA_MAX_LEAVES;
    requires leaves: s->nr_leaves <= VMA_MAX_LEAVES;
    assigns s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
*/
static void gap_rebuild(struct vma_set *s, uint32_t first, uint32_t last)
{
	uint32_t lo = VMA_MAX_LEAVES + first, hi = VMA_MAX_LEAVES + last - 1, span = 1, p;

	/*@ loop invariant nodes: GapNode(lo, span) && GapNode(hi, span) && lo <= hi;
	    loop assigns lo, hi, span, p, s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
	    loop variant lo;
	*/
	while (span < s->nr_leaves) {
		lo /= 2;
		hi /= 2;
		//@ assert parents: GapNode(lo, 2 * span) && GapNode(hi, 2 * span) && lo <= hi;
		/*@ loop invariant range: lo <= p <= hi + 1;
		    loop assigns p, s->gap_tree[lo .. hi];
		    loop variant hi + 1 - p;
		*/
		for (p = lo; p <= hi; p++) {
			//@ assert node: GapNode(p, 2 * span);
			s->gap_tree[p] = gap_children(s, p, span);
		}
		span *= 2;
	}
}

/* max_gap[k] = gap (k < nr_leaves), and the gap tree above it. */
/*@ requires valid: \valid(s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    assigns s->max_gap[k], s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
    ensures gap: s->max_gap[k] == gap;
*/
static void set_max_gap(struct vma_set *s, uint32_t k, uint64_t gap)
{
	if (s->max_gap[k] == gap)
		return;
	s->max_gap[k] = gap;
	gap_path_update(s, k);
}

/* The raw gap in front of slot i of leaf k: from the VMA before it (the previous leaf's
 * last, 0 for the lowest) to its start; 0 if they touch. */
/*@ requires valid: \valid_read(v) && \valid_read(s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    requires leaf: s->leaf[k] < VMA_LEAF_POOL && i < LeafNr(v, s, k) <= VMA_LEAF_SLOTS;
    assigns \nothing;
*/
static uint64_t slot_gap(const struct vma_pool *v, const struct vma_set *s, uint32_t k, uint32_t i)
{
	const struct vma_leaf *l = &v->leaves[s->leaf[k]];
	uint64_t prev_end = i > 0 ? l->end[i - 1] : k > 0 ? s->last_end[k - 1] : 0;

	return l->start[i] > prev_end ? l->start[i] - prev_end : 0;
}

/* What leaf_refresh() stores: leaf k's last end and largest gap, and whether the next
 * leaf's first gap moved (k's last end did) with that leaf's largest gap then. */
struct leaf_summary {
	uint64_t last;
	uint64_t gap;
	uint64_t next_gap;
	bool next;
};

/*@ requires valid: \valid_read(v) && \valid_read(s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    requires leaf: s->leaf[k] < VMA_LEAF_POOL && 1 <= LeafNr(v, s, k) <= VMA_LEAF_SLOTS;
    requires leaves: \forall integer j; 0 <= j < s->nr_leaves ==>
	s->leaf[j] < VMA_LEAF_POOL && LeafNr(v, s, j) <= VMA_LEAF_SLOTS;
    assigns \nothing;
    ensures last: \result.last == VEnd(v, s, k, LeafNr(v, s, k) - 1);
    ensures next: \result.next ==> k + 1 < s->nr_leaves;
*/
static struct leaf_summary leaf_summary_of(const struct vma_pool *v, const struct vma_set *s,
					   uint32_t k)
{
	const struct vma_leaf *l = &v->leaves[s->leaf[k]];
	struct leaf_summary sum;

	sum.last = l->end[l->nr - 1];
	/*@ assert last: sum.last == VEnd(v, s, k, LeafNr(v, s, k) - 1); */
	sum.gap = leaf_max_gap_from(v, s, k, k > 0 ? s->last_end[k - 1] : 0);
	sum.next = false;
	sum.next_gap = 0;
	if (s->last_end[k] != sum.last && k + 1 < s->nr_leaves) {
		sum.next = true;
		sum.next_gap = leaf_max_gap_from(v, s, k + 1, sum.last);
	}
	return sum;
}

/*
 * Leaf k's summary: last_end[k] = last, max_gap[k] = gap, and when next, max_gap[k + 1] =
 * next_gap (the next leaf's first gap starts at last); the gap tree above both.
 */
/*@ requires valid: \valid(s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    requires next: next ==> k + 1 < s->nr_leaves;
    assigns s->last_end[k], s->max_gap[k .. s->nr_leaves - 1],
	s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
    ensures last_end: s->last_end[k] == last;
    ensures ends_kept: \forall integer j; 0 <= j < s->nr_leaves && j != k ==>
	s->last_end[j] == \old(s->last_end[j]);
*/
static void leaf_summary_store(struct vma_set *s, uint32_t k, uint64_t last, uint64_t gap,
			       bool next, uint64_t next_gap)
{
	s->last_end[k] = last;
	set_max_gap(s, k, gap);
	if (next)
		set_max_gap(s, k + 1, next_gap);
}

/* What leaf_refresh() and leaf_refresh_pair() keep of the set: its top array, ids and counts,
 * and each part of VSetOk but LastEnds, and every insertion point. */
/* clang-format off */
#define VMA_REFRESH_KEPT \
	ensures top_kept: s->nr_leaves == \old(s->nr_leaves) && \
		\forall integer j; 0 <= j < VMA_MAX_LEAVES ==> s->leaf[j] == \old(s->leaf[j]); \
	ensures ids_kept: \forall integer j, i; 0 <= j < s->nr_leaves ==> \
		LeafNr(v, s, j) == \old(LeafNr(v, s, j)) && SlotId(v, s, j, i) == \old(SlotId(v, s, j, i)); \
	ensures shape_kept: \old(VSetShape(v, s)) ==> VSetShape(v, s); \
	ensures distinct_kept: \old(LeavesDistinct(s)) ==> LeavesDistinct(s); \
	ensures copies_ok_kept: \old(CopiesOk(v, s)) && \
		\old(\forall integer j, x; InSet(v, s, j, x) ==> SlotId(v, s, j, x) < VMA_POOL_SIZE) ==> \
		CopiesOk(v, s); \
	ensures vmas_ok_kept: \old(VmasOk(v, s)) ==> VmasOk(v, s); \
	ensures sorted_kept: \old(VSorted(v, s)) ==> VSorted(v, s); \
	ensures point_kept: \forall integer kk, ii, a, b; \
		\old(InsertPoint(v, s, kk, ii, a, b)) ==> InsertPoint(v, s, kk, ii, a, b);
/* clang-format on */

/* Leaf k changed (its copies are current): its summary, the next leaf's gap when k's
 * last end moved (that gap starts there), and the gap tree above both. */
/*@ requires valid: \valid_read(v) && \valid(s);
    requires sep: \separated(v, s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    requires leaf: s->leaf[k] < VMA_LEAF_POOL && 1 <= LeafNr(v, s, k) <= VMA_LEAF_SLOTS;
    requires leaves: \forall integer j; 0 <= j < s->nr_leaves ==>
	s->leaf[j] < VMA_LEAF_POOL && LeafNr(v, s, j) <= VMA_LEAF_SLOTS;
    assigns s->last_end[k], s->max_gap[k .. s->nr_leaves - 1],
	s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
    ensures last_end: s->last_end[k] == \old(VEnd(v, s, k, LeafNr(v, s, k) - 1));
    ensures ends_kept: \forall integer j; 0 <= j < s->nr_leaves && j != k ==>
	s->last_end[j] == \old(s->last_end[j]);
    ensures copies_kept: \forall integer x, j; 0 <= x < VMA_LEAF_POOL && 0 <= j < VMA_LEAF_SLOTS ==>
	v->leaves[x].start[j] == \old(v->leaves[x].start[j]) &&
	v->leaves[x].end[j] == \old(v->leaves[x].end[j]);
    VMA_VMAS_KEPT
    ensures set_kept: \forall integer j, i; 0 <= j < s->nr_leaves && 0 <= i < VMA_LEAF_SLOTS ==>
	VStart(v, s, j, i) == \old(VStart(v, s, j, i));
    ensures set_kept_end: \forall integer j, i; 0 <= j < s->nr_leaves && 0 <= i < VMA_LEAF_SLOTS ==>
	VEnd(v, s, j, i) == \old(VEnd(v, s, j, i));
    VMA_REFRESH_KEPT
*/
static void leaf_refresh(struct vma_pool *v, struct vma_set *s, uint32_t k)
{
	struct leaf_summary sum = leaf_summary_of(v, s, k);

	leaf_summary_store(s, k, sum.last, sum.gap, sum.next, sum.next_gap);
	/*@ assert starts: \forall integer x, j; 0 <= x < VMA_LEAF_POOL && 0 <= j < VMA_LEAF_SLOTS ==>
		v->leaves[x].start[j] == \at(v->leaves[x].start[j], Pre); */
	/*@ assert ends: \forall integer x, j; 0 <= x < VMA_LEAF_POOL && 0 <= j < VMA_LEAF_SLOTS ==>
		v->leaves[x].end[j] == \at(v->leaves[x].end[j], Pre); */
	/*@ assert leaves_kept: \forall integer x; 0 <= x < VMA_LEAF_POOL ==>
		v->leaves[x].nr == \at(v->leaves[x].nr, Pre) &&
		\forall integer j; 0 <= j < VMA_LEAF_SLOTS ==>
		v->leaves[x].slot[j] == \at(v->leaves[x].slot[j], Pre); */
	/*@ assert vmas: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
		v->vma[x].vm_start == \at(v->vma[x].vm_start, Pre) &&
		v->vma[x].vm_end == \at(v->vma[x].vm_end, Pre); */
	/*@ assert top: s->nr_leaves == \at(s->nr_leaves, Pre) &&
		\forall integer j; 0 <= j < VMA_MAX_LEAVES ==> s->leaf[j] == \at(s->leaf[j], Pre); */
	/*@ assert ids: \forall integer j, x; 0 <= j < s->nr_leaves && 0 <= x < VMA_LEAF_SLOTS ==>
		LeafNr(v, s, j) == \at(LeafNr(v, s, j), Pre) &&
		SlotId(v, s, j, x) == \at(SlotId(v, s, j, x), Pre) &&
		VStart(v, s, j, x) == \at(VStart(v, s, j, x), Pre) &&
		VEnd(v, s, j, x) == \at(VEnd(v, s, j, x), Pre); */
	/*@ assert copies_start: \at(CopiesOk(v, s), Pre) && \at(\forall integer j, x; InSet(v, s, j, x) ==>
		SlotId(v, s, j, x) < VMA_POOL_SIZE, Pre) ==> \forall integer k2, x;
		InSet(v, s, k2, x) ==> v->vma[SlotId(v, s, k2, x)].vm_start == VStart(v, s, k2, x); */
	/*@ assert copies_end: \at(CopiesOk(v, s), Pre) && \at(\forall integer j, x; InSet(v, s, j, x) ==>
		SlotId(v, s, j, x) < VMA_POOL_SIZE, Pre) ==> \forall integer k2, x;
		InSet(v, s, k2, x) ==> v->vma[SlotId(v, s, k2, x)].vm_end == VEnd(v, s, k2, x); */
}

/*
 * leaf_refresh() on leaves k and k + 1, which leaf_split() changed, with what the set keeps:
 * a function of its own, so that the last_end reasoning runs without leaf_split()'s
 * context (docs/proofs.md, lesson 24).
 */
/*@ requires valid: \valid_read(v) && \valid(s);
    requires sep: \separated(v, s);
    requires k: k + 1 < s->nr_leaves <= VMA_MAX_LEAVES;
    requires leaves: \forall integer j; 0 <= j < s->nr_leaves ==>
	s->leaf[j] < VMA_LEAF_POOL && 1 <= LeafNr(v, s, j) <= VMA_LEAF_SLOTS;
    requires ends_others: \forall integer j; 0 <= j < s->nr_leaves && j != k && j != k + 1 ==>
	s->last_end[j] == VEnd(v, s, j, LeafNr(v, s, j) - 1);
    assigns s->last_end[k .. k + 1], s->max_gap[k .. s->nr_leaves - 1],
	s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
    ensures last_ends: LastEnds(v, s);
    VMA_VMAS_KEPT
    VMA_REFRESH_KEPT
*/
static void leaf_refresh_pair(struct vma_pool *v, struct vma_set *s, uint32_t k)
{
	/* To the provers next is to_uint32(1 + k) until this assert says otherwise (end_k1). */
	uint32_t next = k + 1;

	/*@ assert next: next == k + 1; */
	leaf_refresh(v, s, k);
	/*@ assert end_k: s->last_end[k] == VEnd(v, s, k, LeafNr(v, s, k) - 1); */
	/*@ assert others_1: \forall integer j; 0 <= j < s->nr_leaves && j != k && j != k + 1 ==>
		s->last_end[j] == VEnd(v, s, j, LeafNr(v, s, j) - 1); */
	leaf_refresh(v, s, next);
	/*@ assert end_next: s->last_end[next] == VEnd(v, s, next, LeafNr(v, s, next) - 1); */
	/*@ assert end_k1: s->last_end[k + 1] == VEnd(v, s, k + 1, LeafNr(v, s, k + 1) - 1); */
	/*@ assert end_k_kept: s->last_end[k] == VEnd(v, s, k, LeafNr(v, s, k) - 1); */
	/*@ assert others_2: \forall integer j; 0 <= j < s->nr_leaves && j != k && j != k + 1 ==>
		s->last_end[j] == VEnd(v, s, j, LeafNr(v, s, j) - 1); */
	/* Leaves k and k + 1 as ranges of one, for LastEnds (lesson 26). */
	/*@ assert end_k_j: \forall integer j; k <= j < k + 1 ==>
		s->last_end[j] == VEnd(v, s, j, LeafNr(v, s, j) - 1); */
	/*@ assert end_next_j: \forall integer j; k < j < k + 2 ==>
		s->last_end[j] == VEnd(v, s, j, LeafNr(v, s, j) - 1); */
}

/* max_gap[k] anew (leaf k's gaps changed, its last end did not), with what the set keeps. */
/*@ requires valid: \valid_read(v) && \valid(s);
    requires sep: \separated(v, s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    requires leaves: \forall integer j; 0 <= j < s->nr_leaves ==>
	s->leaf[j] < VMA_LEAF_POOL && 1 <= LeafNr(v, s, j) <= VMA_LEAF_SLOTS;
    assigns s->max_gap[k], s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
    ensures ends_kept: \forall integer j; 0 <= j < VMA_MAX_LEAVES ==>
	s->last_end[j] == \old(s->last_end[j]);
    ensures last_ends_kept: \old(LastEnds(v, s)) ==> LastEnds(v, s);
    VMA_VMAS_KEPT
    VMA_REFRESH_KEPT
*/
static void leaf_gap_refresh(const struct vma_pool *v, struct vma_set *s, uint32_t k)
{
	set_max_gap(s, k, vma_leaf_max_gap(v, s, k));
	/*@ assert starts: \forall integer x, j; 0 <= x < VMA_LEAF_POOL && 0 <= j < VMA_LEAF_SLOTS ==>
		v->leaves[x].start[j] == \at(v->leaves[x].start[j], Pre); */
	/*@ assert ends: \forall integer x, j; 0 <= x < VMA_LEAF_POOL && 0 <= j < VMA_LEAF_SLOTS ==>
		v->leaves[x].end[j] == \at(v->leaves[x].end[j], Pre); */
	/*@ assert vmas: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
		v->vma[x].vm_start == \at(v->vma[x].vm_start, Pre) &&
		v->vma[x].vm_end == \at(v->vma[x].vm_end, Pre); */
	/*@ assert top: s->nr_leaves == \at(s->nr_leaves, Pre) &&
		\forall integer j; 0 <= j < VMA_MAX_LEAVES ==> s->leaf[j] == \at(s->leaf[j], Pre) &&
		s->last_end[j] == \at(s->last_end[j], Pre); */
	/*@ assert ids: \forall integer j, x; 0 <= j < s->nr_leaves && 0 <= x < VMA_LEAF_SLOTS ==>
		LeafNr(v, s, j) == \at(LeafNr(v, s, j), Pre) &&
		SlotId(v, s, j, x) == \at(SlotId(v, s, j, x), Pre) &&
		VStart(v, s, j, x) == \at(VStart(v, s, j, x), Pre) &&
		VEnd(v, s, j, x) == \at(VEnd(v, s, j, x), Pre); */
	/*@ assert copies_start: \at(CopiesOk(v, s), Pre) && \at(\forall integer j, x; InSet(v, s, j, x) ==>
		SlotId(v, s, j, x) < VMA_POOL_SIZE, Pre) ==> \forall integer k2, x;
		InSet(v, s, k2, x) ==> v->vma[SlotId(v, s, k2, x)].vm_start == VStart(v, s, k2, x); */
	/*@ assert copies_end: \at(CopiesOk(v, s), Pre) && \at(\forall integer j, x; InSet(v, s, j, x) ==>
		SlotId(v, s, j, x) < VMA_POOL_SIZE, Pre) ==> \forall integer k2, x;
		InSet(v, s, k2, x) ==> v->vma[SlotId(v, s, k2, x)].vm_end == VEnd(v, s, k2, x); */
	/*@ assert last_vend: \forall integer j; 0 <= j < s->nr_leaves ==>
		VEnd(v, s, j, LeafNr(v, s, j) - 1) == \at(VEnd(v, s, j, LeafNr(v, s, j) - 1), Pre); */
	/*@ assert last_ends: \at(LastEnds(v, s), Pre) ==> LastEnds(v, s); */
}

/*
 * Slot i of pool leaf y holds descriptor id: its copies from the descriptor. The frame
 * over the rest of the pool is stated here, where the context is small (lesson 23).
 */
/*@ requires valid: \valid(v);
    requires range: y < VMA_LEAF_POOL && i < VMA_LEAF_SLOTS && id < VMA_POOL_SIZE;
    assigns v->leaves[y].slot[i], v->leaves[y].start[i], v->leaves[y].end[i];
    ensures put: v->leaves[y].slot[i] == id && v->leaves[y].start[i] == v->vma[id].vm_start &&
	v->leaves[y].end[i] == v->vma[id].vm_end;
    ensures kept: \forall integer z, x; 0 <= z < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS &&
	(z != y || x != i) ==> v->leaves[z].slot[x] == \old(v->leaves[z].slot[x]) &&
	v->leaves[z].start[x] == \old(v->leaves[z].start[x]) &&
	v->leaves[z].end[x] == \old(v->leaves[z].end[x]);
    ensures nr_kept: \forall integer z; 0 <= z < VMA_LEAF_POOL ==>
	v->leaves[z].nr == \old(v->leaves[z].nr);
    VMA_VMAS_KEPT
*/
static void leaf_put(struct vma_pool *v, uint32_t y, uint32_t i, uint32_t id)
{
	struct vma_leaf *l = &v->leaves[y];

	l->slot[i] = id;
	l->start[i] = v->vma[id].vm_start;
	l->end[i] = v->vma[id].vm_end;
}

/* Pool leaf y holds nr entries; the frame over the rest of the pool (lesson 23). */
/*@ requires valid: \valid(v);
    requires range: y < VMA_LEAF_POOL;
    assigns v->leaves[y].nr;
    ensures nr: v->leaves[y].nr == nr;
    ensures kept: \forall integer z, x; 0 <= z < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS ==>
	v->leaves[z].slot[x] == \old(v->leaves[z].slot[x]) &&
	v->leaves[z].start[x] == \old(v->leaves[z].start[x]) &&
	v->leaves[z].end[x] == \old(v->leaves[z].end[x]);
    ensures nr_kept: \forall integer z; 0 <= z < VMA_LEAF_POOL && z != y ==>
	v->leaves[z].nr == \old(v->leaves[z].nr);
    VMA_VMAS_KEPT
    VMA_LINKS_KEPT
*/
static void leaf_set_nr(struct vma_pool *v, uint32_t y, uint32_t nr)
{
	v->leaves[y].nr = nr;
}

/*
 * Move slots i .. nr - 1 of pool leaf y (nr: its entry count) up by one, which frees slot i.
 * A function of its own, with one loop per array: each loop stores into one array and
 * its invariants talk about that array alone (one loop with the three stores leaves the
 * provers three interleaved memories to work through). The callers see one call whose
 * assigns name the three ranges, and the frame over the rest of the pool is stated here,
 * where the context is small (lesson 23).
 */
/*@ requires valid: \valid(v);
    requires range: y < VMA_LEAF_POOL && i <= nr < VMA_LEAF_SLOTS;
    assigns v->leaves[y].slot[i + 1 .. nr], v->leaves[y].start[i + 1 .. nr],
	v->leaves[y].end[i + 1 .. nr];
    ensures moved: \forall integer x; i < x <= nr ==>
	v->leaves[y].slot[x] == \old(v->leaves[y].slot[x - 1]) &&
	v->leaves[y].start[x] == \old(v->leaves[y].start[x - 1]) &&
	v->leaves[y].end[x] == \old(v->leaves[y].end[x - 1]);
    ensures kept: \forall integer z, x; 0 <= z < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS &&
	(z != y || x <= i || nr < x) ==> v->leaves[z].slot[x] == \old(v->leaves[z].slot[x]) &&
	v->leaves[z].start[x] == \old(v->leaves[z].start[x]) &&
	v->leaves[z].end[x] == \old(v->leaves[z].end[x]);
    ensures nr_kept: \forall integer z; 0 <= z < VMA_LEAF_POOL ==>
	v->leaves[z].nr == \old(v->leaves[z].nr);
    VMA_VMAS_KEPT
*/
static void leaf_shift_up(struct vma_pool *v, uint32_t y, uint32_t i, uint32_t nr)
{
	struct vma_leaf *l = &v->leaves[y];
	uint32_t j;

	/*@ loop invariant range: i <= j <= nr;
	    loop invariant moved: \forall integer x; j < x <= nr ==>
		l->slot[x] == \at(v->leaves[y].slot[x - 1], Pre);
	    loop invariant kept: \forall integer x; i <= x <= j ==> l->slot[x] == \at(v->leaves[y].slot[x], Pre);
	    loop assigns j, l->slot[i + 1 .. nr];
	    loop variant j;
	*/
	for (j = nr; j > i; j--)
		l->slot[j] = l->slot[j - 1];
	/*@ loop invariant range: i <= j <= nr;
	    loop invariant moved: \forall integer x; j < x <= nr ==>
		l->start[x] == \at(v->leaves[y].start[x - 1], Pre);
	    loop invariant kept: \forall integer x; i <= x <= j ==> l->start[x] == \at(v->leaves[y].start[x], Pre);
	    loop assigns j, l->start[i + 1 .. nr];
	    loop variant j;
	*/
	for (j = nr; j > i; j--)
		l->start[j] = l->start[j - 1];
	/*@ loop invariant range: i <= j <= nr;
	    loop invariant moved: \forall integer x; j < x <= nr ==>
		l->end[x] == \at(v->leaves[y].end[x - 1], Pre);
	    loop invariant kept: \forall integer x; i <= x <= j ==> l->end[x] == \at(v->leaves[y].end[x], Pre);
	    loop assigns j, l->end[i + 1 .. nr];
	    loop variant j;
	*/
	for (j = nr; j > i; j--)
		l->end[j] = l->end[j - 1];
}

/* Move slots i + 1 .. nr - 1 of pool leaf y (nr: its entry count) down by one, over slot i. */
/*@ requires valid: \valid(v);
    requires range: y < VMA_LEAF_POOL && i < nr <= VMA_LEAF_SLOTS;
    assigns v->leaves[y].slot[i .. nr - 2], v->leaves[y].start[i .. nr - 2],
	v->leaves[y].end[i .. nr - 2];
    ensures moved: \forall integer x; i <= x < nr - 1 ==>
	v->leaves[y].slot[x] == \old(v->leaves[y].slot[x + 1]) &&
	v->leaves[y].start[x] == \old(v->leaves[y].start[x + 1]) &&
	v->leaves[y].end[x] == \old(v->leaves[y].end[x + 1]);
    ensures kept: \forall integer z, x; 0 <= z < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS &&
	(z != y || x < i || nr - 1 <= x) ==> v->leaves[z].slot[x] == \old(v->leaves[z].slot[x]) &&
	v->leaves[z].start[x] == \old(v->leaves[z].start[x]) &&
	v->leaves[z].end[x] == \old(v->leaves[z].end[x]);
    ensures nr_kept: \forall integer z; 0 <= z < VMA_LEAF_POOL ==>
	v->leaves[z].nr == \old(v->leaves[z].nr);
    VMA_VMAS_KEPT
    VMA_LINKS_KEPT
*/
static void leaf_shift_down(struct vma_pool *v, uint32_t y, uint32_t i, uint32_t nr)
{
	struct vma_leaf *l = &v->leaves[y];
	uint32_t j;

	/*@ loop invariant range: i <= j < nr;
	    loop invariant moved: \forall integer x; i <= x < j ==>
		l->slot[x] == \at(v->leaves[y].slot[x + 1], Pre);
	    loop invariant kept: \forall integer x; j <= x < nr ==> l->slot[x] == \at(v->leaves[y].slot[x], Pre);
	    loop assigns j, l->slot[i .. nr - 2];
	    loop variant nr - j;
	*/
	for (j = i; j + 1 < nr; j++)
		l->slot[j] = l->slot[j + 1];
	/*@ loop invariant range: i <= j < nr;
	    loop invariant moved: \forall integer x; i <= x < j ==>
		l->start[x] == \at(v->leaves[y].start[x + 1], Pre);
	    loop invariant kept: \forall integer x; j <= x < nr ==> l->start[x] == \at(v->leaves[y].start[x], Pre);
	    loop assigns j, l->start[i .. nr - 2];
	    loop variant nr - j;
	*/
	for (j = i; j + 1 < nr; j++)
		l->start[j] = l->start[j + 1];
	/*@ loop invariant range: i <= j < nr;
	    loop invariant moved: \forall integer x; i <= x < j ==>
		l->end[x] == \at(v->leaves[y].end[x + 1], Pre);
	    loop invariant kept: \forall integer x; j <= x < nr ==> l->end[x] == \at(v->leaves[y].end[x], Pre);
	    loop assigns j, l->end[i .. nr - 2];
	    loop variant nr - j;
	*/
	for (j = i; j + 1 < nr; j++)
		l->end[j] = l->end[j + 1];
}

struct vma_pos vma_first_pos(const struct vma_set *s)
{
	struct vma_pos pos = {s->nr_vmas == 0 ? s->nr_leaves : 0, 0};

	return pos;
}

/*
 * Both searches below are free of data-dependent branches: a lookup at an unpredictable
 * address pays for no mispredicted branch. Few leaves (and the entries of one leaf) are
 * counted: the number of sorted ends at or below addr is the index sought. Many leaves
 * are searched by halving with a fixed number of steps (top_rank()).
 */
/*
 * The number of leaves whose last_end is at or below addr (nr_leaves > VMA_LEAF_SLOTS),
 * by halving in VMA_GAP_LEVELS steps, which compilers unroll into conditional moves. p is
 * the largest power of two at most nr_leaves. The first probe leaves p - 1 candidates
 * after base: the answer is below p (base 0) or, when the first p leaves all end at or
 * below addr, from p on (base nr_leaves - p + 1 <= p: the two ranges overlap). Steps of
 * p / 2 .. 1 then halve them. The steps of VMA_MAX_LEAVES / 2 .. p come first and move
 * nothing (a step of 0: they read the leaf at base, inside the set), so that the number
 * of steps is fixed.
 */
/*@
  // The leaves after base that may still end at or below addr, before the step of step:
  // p - 1 before the first halving, 2 * step - 1 before a step of step, none at the end.
  logic integer Window(integer step, integer p) =
    step >= p ? p - 1 : step == 0 ? 0 : 2 * step - 1;

  // x is a power of two from 1 to VMA_MAX_LEAVES (the values of p and of step).
  predicate TopPow2(integer x) =
    x == 1 || x == 2 || x == 4 || x == 8 || x == 16 || x == 32 || x == 64 || x == 128 ||
    x == 256 || x == 512 || x == 1024 || x == 2048 || x == 4096 || x == 8192 || x == 16384;
*/
/*@ requires valid: \valid_read(s);
    requires nr: VMA_LEAF_SLOTS < s->nr_leaves <= VMA_MAX_LEAVES;
    requires sorted: \forall integer k1, k2; 0 <= k1 < k2 < s->nr_leaves ==>
	s->last_end[k1] < s->last_end[k2];
    assigns \nothing;
    ensures range: \result <= s->nr_leaves;
    ensures below: \forall integer k; 0 <= k < \result ==> s->last_end[k] <= addr;
    ensures above: \forall integer k; \result <= k < s->nr_leaves ==> s->last_end[k] > addr;
*/
static uint32_t top_rank(const struct vma_set *s, uint64_t addr)
{
	uint32_t p = VMA_LEAF_SLOTS, base, step, half, n;

	/*@ loop invariant p: VMA_LEAF_SLOTS <= p <= s->nr_leaves && TopPow2(p);
	    loop assigns p;
	    loop variant s->nr_leaves - p;
	*/
	while (p * 2 <= s->nr_leaves)
		p *= 2;
	base = s->last_end[p - 1] <= addr ? s->nr_leaves - p + 1 : 0;
	/*@ loop invariant step: step == 0 || (TopPow2(step) && step <= VMA_MAX_LEAVES / 2);
	    loop invariant aligned: step >= p || 2 * step <= p;
	    loop invariant range: base + Window(step, p) <= s->nr_leaves;
	    loop invariant below: \forall integer k; 0 <= k < base ==> s->last_end[k] <= addr;
	    loop invariant above: \forall integer k;
		base + Window(step, p) <= k < s->nr_leaves ==> s->last_end[k] > addr;
	    loop assigns step, half, n, base;
	    loop variant step;
	*/
	for (step = VMA_MAX_LEAVES / 2; step > 0; step /= 2) {
		half = step < p ? step : 0;
		n = base + half - (half != 0 ? 1u : 0u);
		base = s->last_end[n] <= addr ? base + half : base;
	}
	return base; /* after the step of 1: every leaf from base on ends above addr */
}

struct vma_pos vma_lookup_pos(const struct vma_pool *v, const struct vma_set *s, uint64_t addr)
{
	struct vma_pos pos;
	const struct vma_leaf *l;
	uint32_t base = 0, n = 0;

	pos.leaf = s->nr_leaves;
	pos.slot = 0;
	if (s->nr_leaves == 0)
		return pos;
	/*@ assert sorted: \forall integer k1, k2; 0 <= k1 < k2 < s->nr_leaves ==>
		s->last_end[k1] < s->last_end[k2]; */
	/* The first leaf whose last VMA ends above addr. */
	if (s->nr_leaves <= VMA_LEAF_SLOTS) {
		/*@ loop invariant sorted: \forall integer k1, k2; 0 <= k1 < k2 < s->nr_leaves ==>
			s->last_end[k1] < s->last_end[k2];
		    loop invariant range: 0 <= base <= s->nr_leaves && n <= base;
		    loop invariant below: \forall integer k; 0 <= k < n ==> s->last_end[k] <= addr;
		    loop invariant above: \forall integer k; n <= k < base ==> s->last_end[k] > addr;
		    loop assigns base, n;
		    loop variant s->nr_leaves - base;
		*/
		for (base = 0; base < s->nr_leaves; base++) {
			/*@ assert first_above: n < base ==> s->last_end[n] > addr; */
			/*@ assert next: s->last_end[base] <= addr ==> n == base; */
			n += s->last_end[base] <= addr ? 1u : 0u;
		}
		base = n;
	} else {
		base = top_rank(s, addr);
	}
	if (base >= s->nr_leaves) {
		/*@ assert end: \forall integer k, i; InSet(v, s, k, i) ==> VEnd(v, s, k, i) <= addr; */
		return pos;
	}
	pos.leaf = base;
	l = &v->leaves[s->leaf[base]];
	/*
	 * The first VMA of that leaf that ends above addr (its last one does): the number of
	 * VMAs that end at or below it, counted over the whole leaf without a branch (the
	 * ends are sorted; at most VMA_LEAF_SLOTS of them, in two cache lines).
	 */
	n = 0;
	/*@ loop invariant sorted: \forall integer i, j; 0 <= i <= j < LeafNr(v, s, pos.leaf) ==>
		VEnd(v, s, pos.leaf, i) <= VEnd(v, s, pos.leaf, j);
	    loop invariant range: 0 <= base <= LeafNr(v, s, pos.leaf) && n <= base;
	    loop invariant below: \forall integer i; 0 <= i < n ==> VEnd(v, s, pos.leaf, i) <= addr;
	    loop invariant above: \forall integer i; n <= i < base ==> VEnd(v, s, pos.leaf, i) > addr;
	    loop assigns base, n;
	    loop variant LeafNr(v, s, pos.leaf) - base;
	*/
	for (base = 0; base < l->nr; base++) {
		/*@ assert first_above: n < base ==> VEnd(v, s, pos.leaf, n) > addr; */
		/*@ assert next: VEnd(v, s, pos.leaf, base) <= addr ==> n == base; */
		n += l->end[base] <= addr ? 1u : 0u;
	}
	/*@ assert last: VEnd(v, s, pos.leaf, LeafNr(v, s, pos.leaf) - 1) > addr; */
	pos.slot = n;
	/*@ assert found: InSet(v, s, pos.leaf, pos.slot) && VEnd(v, s, pos.leaf, pos.slot) > addr; */
	/*@ assert first: \forall integer k, i; InSet(v, s, k, i) && PosLt(k, i, pos.leaf, pos.slot) ==>
		VEnd(v, s, k, i) <= addr; */
	return pos;
}

uint32_t vma_at(const struct vma_pool *v, const struct vma_set *s, struct vma_pos pos)
{
	if (pos.leaf >= s->nr_leaves)
		return VMA_NONE;
	return v->leaves[s->leaf[pos.leaf]].slot[pos.slot];
}

struct vma_pos vma_pos_next(const struct vma_pool *v, const struct vma_set *s, struct vma_pos pos)
{
	if (pos.leaf >= s->nr_leaves)
		return pos;
	pos.slot++;
	if (pos.slot >= v->leaves[s->leaf[pos.leaf]].nr) {
		pos.leaf++;
		pos.slot = 0;
	}
	return pos;
}

bool vma_pos_prev(const struct vma_pool *v, const struct vma_set *s, struct vma_pos *pos)
{
	if (pos->slot > 0 && pos->leaf < s->nr_leaves) {
		pos->slot--;
		return true;
	}
	if (pos->leaf == 0)
		return false;
	pos->leaf--;
	pos->slot = v->leaves[s->leaf[pos->leaf]].nr - 1;
	return true;
}

uint32_t find_vma(const struct vma_pool *v, const struct vma_set *s, uint64_t addr)
{
	return vma_at(v, s, vma_lookup_pos(v, s, addr));
}

uint32_t find_vma_prev(const struct vma_pool *v, const struct vma_set *s, uint64_t addr,
		       uint32_t *prev)
{
	struct vma_pos pos = vma_lookup_pos(v, s, addr);
	struct vma_pos before = pos;
	uint32_t id = vma_at(v, s, pos);

	/*@ assert none: id == VMA_NONE ==>
		\forall integer k, i; InSet(v, s, k, i) ==> VEnd(v, s, k, i) <= addr; */
	if (vma_pos_prev(v, s, &before)) {
		*prev = vma_at(v, s, before);
		/*@ assert some: *prev < VMA_POOL_SIZE; */
	} else {
		/*@ assert no_prev: \forall integer k, i; InSet(v, s, k, i) ==>
			VEnd(v, s, k, i) > addr; */
		/*@ assert no_prev_pre: \forall integer k, i; \at(InSet(v, s, k, i), Pre) ==>
			\at(VEnd(v, s, k, i), Pre) > addr; */
		*prev = VMA_NONE;
	}
	/*@ assert kept: s->nr_leaves == \at(s->nr_leaves, Pre) &&
		(\forall integer k; 0 <= k < VMA_MAX_LEAVES ==> s->leaf[k] == \at(s->leaf[k], Pre)) &&
		(\forall integer j; 0 <= j < VMA_LEAF_POOL ==> v->leaves[j].nr == \at(v->leaves[j].nr, Pre)); */
	/*@ assert leaves: \forall integer k; 0 <= k < s->nr_leaves ==>
		s->leaf[k] == \at(s->leaf[k], Pre) && \at(s->leaf[k], Pre) < VMA_LEAF_POOL &&
		LeafNr(v, s, k) == \at(LeafNr(v, s, k), Pre); */
	/*@ assert in_set: \forall integer k, i; InSet(v, s, k, i) ==> \at(InSet(v, s, k, i), Pre) &&
		VEnd(v, s, k, i) == \at(VEnd(v, s, k, i), Pre); */
	return id;
}

uint32_t find_vma_intersection(const struct vma_pool *v, const struct vma_set *s, uint64_t start,
			       uint64_t end)
{
	uint32_t id = find_vma(v, s, start);

	if (id != VMA_NONE && v->vma[id].vm_start < end)
		return id;
	return VMA_NONE;
}

/* Changes ----------------------------------------------------------------------------- */

/* Open a place for a new leaf at top-array index k. */
/*@ requires valid: \valid(s);
    requires room: s->nr_leaves < VMA_MAX_LEAVES;
    requires k: k <= s->nr_leaves;
    assigns s->leaf[k .. VMA_MAX_LEAVES - 1], s->last_end[k .. VMA_MAX_LEAVES - 1],
	s->max_gap[k .. VMA_MAX_LEAVES - 1], s->nr_leaves,
	s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
    ensures nr: s->nr_leaves == \old(s->nr_leaves) + 1;
    ensures opened: s->leaf[k] == leaf && s->last_end[k] == 0;
    ensures moved: \forall integer j; k < j < s->nr_leaves ==>
	s->leaf[j] == \old(s->leaf[j - 1]) && s->last_end[j] == \old(s->last_end[j - 1]);
    ensures kept: \forall integer j; 0 <= j < k ==>
	s->leaf[j] == \old(s->leaf[j]) && s->last_end[j] == \old(s->last_end[j]);
*/
static void top_open(struct vma_set *s, uint32_t k, uint32_t leaf)
{
	uint32_t i;

	/* One loop per array (see leaf_shift_up()). */
	/*@ loop invariant range: k <= i <= \at(s->nr_leaves, Pre);
	    loop invariant moved: \forall integer j; i < j <= \at(s->nr_leaves, Pre) ==>
		s->leaf[j] == \at(s->leaf[j - 1], Pre);
	    loop invariant kept: \forall integer j; k <= j <= i ==> s->leaf[j] == \at(s->leaf[j], Pre);
	    loop assigns i, s->leaf[k + 1 .. \at(s->nr_leaves, Pre)];
	    loop variant i;
	*/
	for (i = s->nr_leaves; i > k; i--)
		s->leaf[i] = s->leaf[i - 1];
	/*@ loop invariant range: k <= i <= \at(s->nr_leaves, Pre);
	    loop invariant moved: \forall integer j; i < j <= \at(s->nr_leaves, Pre) ==>
		s->last_end[j] == \at(s->last_end[j - 1], Pre);
	    loop invariant kept: \forall integer j; k <= j <= i ==>
		s->last_end[j] == \at(s->last_end[j], Pre);
	    loop assigns i, s->last_end[k + 1 .. \at(s->nr_leaves, Pre)];
	    loop variant i;
	*/
	for (i = s->nr_leaves; i > k; i--)
		s->last_end[i] = s->last_end[i - 1];
	/*@ loop invariant range: k <= i <= \at(s->nr_leaves, Pre);
	    loop assigns i, s->max_gap[k + 1 .. \at(s->nr_leaves, Pre)];
	    loop variant i;
	*/
	for (i = s->nr_leaves; i > k; i--)
		s->max_gap[i] = s->max_gap[i - 1];
	s->leaf[k] = leaf;
	s->last_end[k] = 0;
	s->max_gap[k] = 0;
	s->nr_leaves++;
	gap_rebuild(s, k, s->nr_leaves);
}

/* The pool as it was, for the wrappers of the top-array moves (top_open_after(),
 * top_close_pool()), which write only *s. */
/* clang-format off */
#define VMA_POOL_UNTOUCHED \
    ensures nrs: \forall integer y; 0 <= y < VMA_LEAF_POOL ==> v->leaves[y].nr == \old(v->leaves[y].nr); \
    ensures slots: \forall integer y, x; 0 <= y < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS ==> \
	v->leaves[y].slot[x] == \old(v->leaves[y].slot[x]); \
    ensures starts: \forall integer y, x; 0 <= y < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS ==> \
	v->leaves[y].start[x] == \old(v->leaves[y].start[x]); \
    ensures ends: \forall integer y, x; 0 <= y < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS ==> \
	v->leaves[y].end[x] == \old(v->leaves[y].end[x]); \
    ensures links: \forall integer z; 0 <= z < VMA_LEAF_POOL ==> \
	v->leaves[z].next_free == \old(v->leaves[z].next_free); \
    ensures vmas: \forall integer z; 0 <= z < VMA_POOL_SIZE ==> \
	v->vma[z].vm_start == \old(v->vma[z].vm_start) && \
	v->vma[z].vm_end == \old(v->vma[z].vm_end) && \
	v->vma[z].next_free == \old(v->vma[z].next_free); \
    ensures scalars: v->vma_used == \old(v->vma_used) && v->leaf_used == \old(v->leaf_used) && \
	v->vma_free == \old(v->vma_free) && v->leaf_free == \old(v->leaf_free);
/* clang-format on */

/*
 * top_open(s, k + 1, leaf) in a context that holds the pool (for leaf_split()): the pool is
 * untouched (top_open() writes only *s). Proved here, over the call's assigns, so that leaf_split()'s larger context gets the
 * frame as equalities (docs/proofs.md, lesson 24).
 */
/*@ requires valid: \valid_read(v) && \valid(s);
    requires sep: \separated(v, s);
    requires room: s->nr_leaves < VMA_MAX_LEAVES;
    requires k: k < s->nr_leaves;
    assigns s->leaf[k + 1 .. VMA_MAX_LEAVES - 1], s->last_end[k + 1 .. VMA_MAX_LEAVES - 1],
	s->max_gap[k + 1 .. VMA_MAX_LEAVES - 1], s->nr_leaves,
	s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
    ensures nr: s->nr_leaves == \old(s->nr_leaves) + 1;
    ensures opened: s->leaf[k + 1] == leaf && s->last_end[k + 1] == 0;
    ensures moved: \forall integer j; k + 1 < j < s->nr_leaves ==>
	s->leaf[j] == \old(s->leaf[j - 1]) && s->last_end[j] == \old(s->last_end[j - 1]);
    ensures kept: \forall integer j; 0 <= j <= k ==>
	s->leaf[j] == \old(s->leaf[j]) && s->last_end[j] == \old(s->last_end[j]);
    VMA_POOL_UNTOUCHED
*/
static void top_open_after(const struct vma_pool *v, struct vma_set *s, uint32_t k, uint32_t leaf)
{
	(void)v;
	top_open(s, k + 1, leaf);
}

/* Close top-array index k. */
/*@ requires valid: \valid(s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    assigns s->leaf[k .. VMA_MAX_LEAVES - 1], s->last_end[k .. VMA_MAX_LEAVES - 1],
	s->max_gap[k .. VMA_MAX_LEAVES - 1], s->nr_leaves,
	s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
    ensures nr: s->nr_leaves == \old(s->nr_leaves) - 1;
    ensures moved: \forall integer j; k <= j < s->nr_leaves ==>
	s->leaf[j] == \old(s->leaf[j + 1]) && s->last_end[j] == \old(s->last_end[j + 1]);
    ensures kept: \forall integer j; 0 <= j < k ==>
	s->leaf[j] == \old(s->leaf[j]) && s->last_end[j] == \old(s->last_end[j]);
*/
static void top_close(struct vma_set *s, uint32_t k)
{
	uint32_t i;

	/*@ loop invariant range: k <= i <= s->nr_leaves - 1;
	    loop invariant moved: \forall integer j; k <= j < i ==>
		s->leaf[j] == \at(s->leaf[j + 1], Pre) &&
		s->last_end[j] == \at(s->last_end[j + 1], Pre);
	    loop invariant kept: \forall integer j; i <= j < s->nr_leaves ==>
		s->leaf[j] == \at(s->leaf[j], Pre) && s->last_end[j] == \at(s->last_end[j], Pre);
	    loop assigns i, s->leaf[k .. s->nr_leaves - 1], s->last_end[k .. s->nr_leaves - 1],
		s->max_gap[k .. s->nr_leaves - 1];
	    loop variant s->nr_leaves - i;
	*/
	for (i = k; i + 1 < s->nr_leaves; i++) {
		s->leaf[i] = s->leaf[i + 1];
		s->last_end[i] = s->last_end[i + 1];
		s->max_gap[i] = s->max_gap[i + 1];
	}
	s->nr_leaves--;
	gap_rebuild(s, k, s->nr_leaves + 1); /* the last leaf left the set too */
}

/* VPoolOk put together in the state at hand, from its parts written out: after a write
 * to the leaves' arrays, Qed sees through the write on the parts' field reads, not inside
 * the predicate (a lemma, as a ghost function: docs/proofs.md, lessons 15 and 24). */
/*@ ghost
  /@ requires valid: \valid_read(v);
     requires used: v->vma_used <= VMA_POOL_SIZE && v->leaf_used <= VMA_LEAF_POOL;
     requires heads: (v->vma_free == VMA_NONE || v->vma_free < v->vma_used) &&
	(v->leaf_free == VMA_NONE || v->leaf_free < v->leaf_used);
     requires vma_links: \forall integer i; 0 <= i < v->vma_used ==>
	v->vma[i].next_free == VMA_NONE || v->vma[i].next_free < v->vma_used;
     requires leaf_links: \forall integer j; 0 <= j < v->leaf_used ==>
	v->leaves[j].next_free == VMA_NONE || v->leaves[j].next_free < v->leaf_used;
     assigns \nothing;
     ensures ok: VPoolOk(v);
  @/
  static void vpool_ok(const struct vma_pool *v) { }
*/

/*
 * top_close(s, k) in a context that holds the pool (for leaf_drop() and leaf_fold()): the
 * pool is untouched, stated here over the call's assigns (as top_open_after()).
 */
/*@ requires valid: \valid_read(v) && \valid(s);
    requires sep: \separated(v, s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    requires pool: VPoolOk(v);
    assigns s->leaf[k .. VMA_MAX_LEAVES - 1], s->last_end[k .. VMA_MAX_LEAVES - 1],
	s->max_gap[k .. VMA_MAX_LEAVES - 1], s->nr_leaves,
	s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
    ensures nr: s->nr_leaves == \old(s->nr_leaves) - 1;
    ensures moved: \forall integer j; k <= j < s->nr_leaves ==>
	s->leaf[j] == \old(s->leaf[j + 1]) && s->last_end[j] == \old(s->last_end[j + 1]);
    ensures kept: \forall integer j; 0 <= j < k ==>
	s->leaf[j] == \old(s->leaf[j]) && s->last_end[j] == \old(s->last_end[j]);
    ensures pool: VPoolOk(v);
    VMA_POOL_UNTOUCHED
*/
static void top_close_pool(const struct vma_pool *v, struct vma_set *s, uint32_t k)
{
	(void)v;
	top_close(s, k);
	//@ ghost vpool_ok(v);
}

/*
 * Move the upper half of full leaf from into the empty leaf to: slots VMA_LEAF_SLOTS / 2
 * .. VMA_LEAF_SLOTS - 1 of from become slots 0 .. VMA_LEAF_SLOTS / 2 - 1 of to. One loop
 * per array (see leaf_shift_up()). Its frame is stated here, over the whole pool, where
 * the context is small (docs/proofs.md, lesson 23).
 */
/*@ requires valid: \valid(v);
    requires ids: to < VMA_LEAF_POOL && from < VMA_LEAF_POOL && to != from;
    requires pool: VPoolOk(v);
    assigns v->leaves[to].slot[0 .. VMA_LEAF_SLOTS / 2 - 1],
	v->leaves[to].start[0 .. VMA_LEAF_SLOTS / 2 - 1],
	v->leaves[to].end[0 .. VMA_LEAF_SLOTS / 2 - 1], v->leaves[to].nr, v->leaves[from].nr;
    ensures nr: v->leaves[to].nr == VMA_LEAF_SLOTS / 2 && v->leaves[from].nr == VMA_LEAF_SLOTS / 2;
    ensures moved: \forall integer x; 0 <= x < VMA_LEAF_SLOTS / 2 ==>
	v->leaves[to].slot[x] == v->leaves[from].slot[x + VMA_LEAF_SLOTS / 2] &&
	v->leaves[to].start[x] == v->leaves[from].start[x + VMA_LEAF_SLOTS / 2] &&
	v->leaves[to].end[x] == v->leaves[from].end[x + VMA_LEAF_SLOTS / 2];
    ensures kept: \forall integer y, x; 0 <= y < VMA_LEAF_POOL && y != to &&
	0 <= x < VMA_LEAF_SLOTS ==> v->leaves[y].slot[x] == \old(v->leaves[y].slot[x]) &&
	v->leaves[y].start[x] == \old(v->leaves[y].start[x]) &&
	v->leaves[y].end[x] == \old(v->leaves[y].end[x]);
    ensures nr_kept: \forall integer y; 0 <= y < VMA_LEAF_POOL && y != to && y != from ==>
	v->leaves[y].nr == \old(v->leaves[y].nr);
    VMA_LINKS_KEPT
    ensures pool: VPoolOk(v);
    VMA_VMAS_KEPT
*/
static void leaf_halve(struct vma_pool *v, uint32_t to, uint32_t from)
{
	struct vma_leaf *n = &v->leaves[to];
	const struct vma_leaf *l = &v->leaves[from];
	uint32_t half = VMA_LEAF_SLOTS / 2, x;

	/*@ loop invariant range: 0 <= x <= VMA_LEAF_SLOTS / 2;
	    loop invariant moved: \forall integer y; 0 <= y < x ==>
		n->slot[y] == l->slot[y + VMA_LEAF_SLOTS / 2];
	    loop assigns x, n->slot[0 .. VMA_LEAF_SLOTS / 2 - 1];
	    loop variant VMA_LEAF_SLOTS / 2 - x;
	*/
	for (x = 0; x < half; x++)
		n->slot[x] = l->slot[x + half];
	/*@ loop invariant range: 0 <= x <= VMA_LEAF_SLOTS / 2;
	    loop invariant moved: \forall integer y; 0 <= y < x ==>
		n->start[y] == l->start[y + VMA_LEAF_SLOTS / 2];
	    loop assigns x, n->start[0 .. VMA_LEAF_SLOTS / 2 - 1];
	    loop variant VMA_LEAF_SLOTS / 2 - x;
	*/
	for (x = 0; x < half; x++)
		n->start[x] = l->start[x + half];
	/*@ loop invariant range: 0 <= x <= VMA_LEAF_SLOTS / 2;
	    loop invariant moved: \forall integer y; 0 <= y < x ==>
		n->end[y] == l->end[y + VMA_LEAF_SLOTS / 2];
	    loop assigns x, n->end[0 .. VMA_LEAF_SLOTS / 2 - 1];
	    loop variant VMA_LEAF_SLOTS / 2 - x;
	*/
	for (x = 0; x < half; x++)
		n->end[x] = l->end[x + half];
	n->nr = half;
	v->leaves[from].nr = half;
	//@ ghost vpool_ok(v);
}

/*@ axiomatic SplitFacts {
  // Where position (j, x) of the set after leaf_split(k) was before it: leaves up to k
  // stay, leaf k + 1 is the upper half of old leaf k, the leaves above move up by one.
  logic integer SplitLeaf(integer k, integer j) = j <= k ? j : j == k + 1 ? k : j - 1;
  logic integer SplitSlot(integer k, integer j, integer x) =
    j == k + 1 ? x + VMA_LEAF_SLOTS / 2 : x;

  // The map keeps the order of positions (leaf k holds the lower half only).
  lemma Split_Order: \forall integer k, j1, x1, j2, x2;
    0 <= x1 && 0 <= x2 && (j1 == k ==> x1 < VMA_LEAF_SLOTS / 2) &&
    (j2 == k ==> x2 < VMA_LEAF_SLOTS / 2) ==>
      (PosLt(j1, x1, j2, x2) <==>
       PosLt(SplitLeaf(k, j1), SplitSlot(k, j1, x1), SplitLeaf(k, j2), SplitSlot(k, j2, x2)));

  // What leaf_split(k) did to the ranges, piece by piece as its asserts state it (L1
  // before, L2 after): leaves up to k keep their slots (leaf k its lower half), leaf k + 1
  // holds the upper half of old leaf k, the leaves above moved up by one.
  predicate SplitPieces{L1, L2}(struct vma_pool *v, struct vma_set *s, integer k) =
    \at(s->nr_leaves, L2) == \at(s->nr_leaves, L1) + 1 && 0 <= k < \at(s->nr_leaves, L1) &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L1) ==> \at(LeafNr(v, s, j), L1) <= VMA_LEAF_SLOTS) &&
    \at(LeafNr(v, s, k), L1) == VMA_LEAF_SLOTS &&
    \at(LeafNr(v, s, k), L2) == VMA_LEAF_SLOTS / 2 &&
    (\forall integer j; k < j < k + 2 ==> \at(LeafNr(v, s, j), L2) == VMA_LEAF_SLOTS / 2) &&
    (\forall integer j; 0 <= j < k ==> \at(LeafNr(v, s, j), L2) == \at(LeafNr(v, s, j), L1)) &&
    (\forall integer j; k + 1 < j < \at(s->nr_leaves, L2) ==>
      \at(LeafNr(v, s, j), L2) == \at(LeafNr(v, s, j - 1), L1)) &&
    (\forall integer j, x; 0 <= j <= k && 0 <= x < VMA_LEAF_SLOTS ==>
      \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, j, x), L1) &&
      \at(VStart(v, s, j, x), L2) == \at(VStart(v, s, j, x), L1) &&
      \at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, j, x), L1)) &&
    (\forall integer j, x; k < j < k + 2 && 0 <= x < VMA_LEAF_SLOTS / 2 ==>
      \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, k, x + VMA_LEAF_SLOTS / 2), L1) &&
      \at(VStart(v, s, j, x), L2) == \at(VStart(v, s, k, x + VMA_LEAF_SLOTS / 2), L1) &&
      \at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, k, x + VMA_LEAF_SLOTS / 2), L1)) &&
    (\forall integer j, x; k + 1 < j < \at(s->nr_leaves, L2) && 0 <= x < VMA_LEAF_SLOTS ==>
      \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, j - 1, x), L1) &&
      \at(VStart(v, s, j, x), L2) == \at(VStart(v, s, j - 1, x), L1) &&
      \at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, j - 1, x), L1));

  // Where each region of the set at L2 was at L1, one region a lemma (lesson 25).
  lemma Split_Below{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitPieces{L1, L2}(v, s, k) ==> \forall integer j, x;
      j <= k && \at(InSet(v, s, j, x), L2) ==> \at(InSet(v, s, j, x), L1) &&
	\at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, j, x), L1) &&
	\at(VStart(v, s, j, x), L2) == \at(VStart(v, s, j, x), L1) &&
	\at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, j, x), L1);

  lemma Split_New{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitPieces{L1, L2}(v, s, k) ==> \forall integer j, x;
      k < j < k + 2 && \at(InSet(v, s, j, x), L2) ==>
	\at(InSet(v, s, k, x + VMA_LEAF_SLOTS / 2), L1) &&
	\at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, k, x + VMA_LEAF_SLOTS / 2), L1) &&
	\at(VStart(v, s, j, x), L2) == \at(VStart(v, s, k, x + VMA_LEAF_SLOTS / 2), L1) &&
	\at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, k, x + VMA_LEAF_SLOTS / 2), L1);

  lemma Split_Above{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitPieces{L1, L2}(v, s, k) ==> \forall integer j, x;
      k + 1 < j && \at(InSet(v, s, j, x), L2) ==> \at(InSet(v, s, j - 1, x), L1) &&
	\at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, j - 1, x), L1) &&
	\at(VStart(v, s, j, x), L2) == \at(VStart(v, s, j - 1, x), L1) &&
	\at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, j - 1, x), L1);

  lemma Split_Low_Half{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitPieces{L1, L2}(v, s, k) ==> \forall integer x; \at(InSet(v, s, k, x), L2) ==>
      x < VMA_LEAF_SLOTS / 2;

  // The position map, case by case.
  lemma SplitPos_Below: \forall integer k, j, x; j <= k ==> SplitLeaf(k, j) == j;
  lemma SplitPos_New: \forall integer k, j; k < j < k + 2 ==> SplitLeaf(k, j) == k;
  lemma SplitPos_Above: \forall integer k, j; k + 1 < j ==> SplitLeaf(k, j) == j - 1;
  lemma SplitSlot_New: \forall integer k, j, x; k < j < k + 2 ==>
    SplitSlot(k, j, x) == x + VMA_LEAF_SLOTS / 2;
  lemma SplitSlot_Same: \forall integer k, j, x; j != k + 1 ==> SplitSlot(k, j, x) == x;

  // Split_New as a predicate (SplitRegions names it, so Split_Map_New matches it).
  predicate SplitNewLeaf{L1, L2}(struct vma_pool *v, struct vma_set *s, integer k) =
    (\forall integer j, x; k < j < k + 2 && \at(InSet(v, s, j, x), L2) ==>
      \at(InSet(v, s, k, x + VMA_LEAF_SLOTS / 2), L1) &&
      \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, k, x + VMA_LEAF_SLOTS / 2), L1) &&
      \at(VStart(v, s, j, x), L2) == \at(VStart(v, s, k, x + VMA_LEAF_SLOTS / 2), L1) &&
      \at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, k, x + VMA_LEAF_SLOTS / 2), L1));

  // The four region lemmas in one predicate, without the rest of SplitPieces.
  predicate SplitRegions{L1, L2}(struct vma_pool *v, struct vma_set *s, integer k) =
    (\forall integer j, x; j <= k && \at(InSet(v, s, j, x), L2) ==> \at(InSet(v, s, j, x), L1) &&
      \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, j, x), L1) &&
      \at(VStart(v, s, j, x), L2) == \at(VStart(v, s, j, x), L1) &&
      \at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, j, x), L1)) &&
    SplitNewLeaf{L1, L2}(v, s, k) &&
    (\forall integer j, x; k + 1 < j && \at(InSet(v, s, j, x), L2) ==>
      \at(InSet(v, s, j - 1, x), L1) &&
      \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, j - 1, x), L1) &&
      \at(VStart(v, s, j, x), L2) == \at(VStart(v, s, j - 1, x), L1) &&
      \at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, j - 1, x), L1)) &&
    (\forall integer x; \at(InSet(v, s, k, x), L2) ==> x < VMA_LEAF_SLOTS / 2);

  lemma Split_Regions{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitPieces{L1, L2}(v, s, k) ==> SplitRegions{L1, L2}(v, s, k);

  // Each region through the position map.
  lemma Split_Map_Below{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitRegions{L1, L2}(v, s, k) ==> \forall integer j, x;
      j <= k && \at(InSet(v, s, j, x), L2) ==>
	\at(InSet(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1) &&
	\at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1) &&
	\at(VStart(v, s, j, x), L2) == \at(VStart(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1) &&
	\at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1);

  lemma Split_Map_New{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitNewLeaf{L1, L2}(v, s, k) ==> \forall integer j, x;
      k < j < k + 2 && \at(InSet(v, s, j, x), L2) ==>
	\at(InSet(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1) &&
	\at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1) &&
	\at(VStart(v, s, j, x), L2) == \at(VStart(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1) &&
	\at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1);

  lemma Split_Map_Above{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitRegions{L1, L2}(v, s, k) ==> \forall integer j, x;
      k + 1 < j && \at(InSet(v, s, j, x), L2) ==>
	\at(InSet(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1) &&
	\at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1) &&
	\at(VStart(v, s, j, x), L2) == \at(VStart(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1) &&
	\at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1);

  // The three regions put together, one fact a lemma.
  lemma Split_In{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitRegions{L1, L2}(v, s, k) ==> \forall integer j, x; \at(InSet(v, s, j, x), L2) ==>
      \at(InSet(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1);

  lemma Split_Slot{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitRegions{L1, L2}(v, s, k) ==> \forall integer j, x; \at(InSet(v, s, j, x), L2) ==>
      \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1);

  lemma Split_Start{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitRegions{L1, L2}(v, s, k) ==> \forall integer j, x; \at(InSet(v, s, j, x), L2) ==>
      \at(VStart(v, s, j, x), L2) == \at(VStart(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1);

  lemma Split_End{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitRegions{L1, L2}(v, s, k) ==> \forall integer j, x; \at(InSet(v, s, j, x), L2) ==>
      \at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1);

  // The four lemmas above and the lower half in one predicate, without the regions.
  predicate SplitView{L1, L2}(struct vma_pool *v, struct vma_set *s, integer k) =
    (\forall integer j, x; \at(InSet(v, s, j, x), L2) ==>
      \at(InSet(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1)) &&
    (\forall integer x; \at(InSet(v, s, k, x), L2) ==> x < VMA_LEAF_SLOTS / 2) &&
    (\forall integer j, x; \at(InSet(v, s, j, x), L2) ==>
      \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1)) &&
    (\forall integer j, x; \at(InSet(v, s, j, x), L2) ==>
      \at(VStart(v, s, j, x), L2) == \at(VStart(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1)) &&
    (\forall integer j, x; \at(InSet(v, s, j, x), L2) ==>
      \at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, SplitLeaf(k, j), SplitSlot(k, j, x)), L1));

  lemma Split_View{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitRegions{L1, L2}(v, s, k) ==> SplitView{L1, L2}(v, s, k);

  // The map keeps the order of two positions of the set at L2 (Split_Order, one way).
  lemma Split_Lt: \forall integer k, j1, x1, j2, x2;
    0 <= x1 && 0 <= x2 && (j1 == k ==> x1 < VMA_LEAF_SLOTS / 2) &&
    (j2 == k ==> x2 < VMA_LEAF_SLOTS / 2) && PosLt(j1, x1, j2, x2) ==>
      PosLt(SplitLeaf(k, j1), SplitSlot(k, j1, x1), SplitLeaf(k, j2), SplitSlot(k, j2, x2));

  // Two positions of the set at L2 in order were in order at L1.
  lemma Split_Pair{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitView{L1, L2}(v, s, k) ==> \forall integer j1, x1, j2, x2;
      \at(InSet(v, s, j1, x1), L2) && \at(InSet(v, s, j2, x2), L2) && PosLt(j1, x1, j2, x2) ==>
	PosLt(SplitLeaf(k, j1), SplitSlot(k, j1, x1), SplitLeaf(k, j2), SplitSlot(k, j2, x2));

  // Two positions of the set at L2, at their places at L1, in order (VSorted at L1).
  lemma Split_Old_Order{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    VSorted{L1}(v, s) && SplitView{L1, L2}(v, s, k) ==> \forall integer j1, x1, j2, x2;
      \at(InSet(v, s, j1, x1), L2) && \at(InSet(v, s, j2, x2), L2) &&
      PosLt(SplitLeaf(k, j1), SplitSlot(k, j1, x1), SplitLeaf(k, j2), SplitSlot(k, j2, x2)) ==>
	\at(VEnd(v, s, SplitLeaf(k, j1), SplitSlot(k, j1, x1)), L1) <=
	\at(VStart(v, s, SplitLeaf(k, j2), SplitSlot(k, j2, x2)), L1);

  // The set's properties across the split, from the view.
  lemma Split_Sorted{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    VSorted{L1}(v, s) && SplitView{L1, L2}(v, s, k) ==> VSorted{L2}(v, s);

  lemma Split_Vmas{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    VmasOk{L1}(v, s) && SplitView{L1, L2}(v, s, k) ==> VmasOk{L2}(v, s);

  lemma Split_Copies{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    CopiesOk{L1}(v, s) && SplitView{L1, L2}(v, s, k) &&
    (\forall integer j, x; \at(InSet(v, s, j, x), L1) ==> 0 <= \at(SlotId(v, s, j, x), L1) < VMA_POOL_SIZE) &&
    (\forall integer x; 0 <= x < VMA_POOL_SIZE ==>
      \at(v->vma[x].vm_start, L2) == \at(v->vma[x].vm_start, L1) &&
      \at(v->vma[x].vm_end, L2) == \at(v->vma[x].vm_end, L1)) ==> CopiesOk{L2}(v, s);

  lemma Split_Ids{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitView{L1, L2}(v, s, k) &&
    (\forall integer j, x; \at(InSet(v, s, j, x), L1) ==> \at(SlotId(v, s, j, x), L1) < VMA_POOL_SIZE) ==>
    \forall integer j, x; \at(InSet(v, s, j, x), L2) ==> \at(SlotId(v, s, j, x), L2) < VMA_POOL_SIZE;

  lemma Split_Point_Low{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i, a, b;
    SplitPieces{L1, L2}(v, s, k) && SplitView{L1, L2}(v, s, k) && i < VMA_LEAF_SLOTS / 2 &&
    InsertPoint{L1}(v, s, k, i, a, b) ==> InsertPoint{L2}(v, s, k, i, a, b);

  // A position before (k + 1, i - VMA_LEAF_SLOTS / 2) at L2 is one before (k, i) at L1.
  lemma Split_Lt_Point: \forall integer k, j, x, i;
    0 <= x && (j == k ==> x < VMA_LEAF_SLOTS / 2) && VMA_LEAF_SLOTS / 2 <= i ==>
      (PosLt(j, x, k + 1, i - VMA_LEAF_SLOTS / 2) <==>
       PosLt(SplitLeaf(k, j), SplitSlot(k, j, x), k, i));

  lemma Split_Point_Before{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i, a, b;
    SplitView{L1, L2}(v, s, k) && i >= VMA_LEAF_SLOTS / 2 && InsertPoint{L1}(v, s, k, i, a, b) ==>
      \forall integer j, x; \at(InSet(v, s, j, x), L2) &&
	PosLt(j, x, k + 1, i - VMA_LEAF_SLOTS / 2) ==> \at(VEnd(v, s, j, x), L2) <= a;

  lemma Split_Point_After{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i, a, b;
    SplitView{L1, L2}(v, s, k) && i >= VMA_LEAF_SLOTS / 2 && InsertPoint{L1}(v, s, k, i, a, b) ==>
      \forall integer j, x; \at(InSet(v, s, j, x), L2) &&
	!PosLt(j, x, k + 1, i - VMA_LEAF_SLOTS / 2) ==> b <= \at(VStart(v, s, j, x), L2);

  lemma Split_Point_High{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i, a, b;
    SplitPieces{L1, L2}(v, s, k) && SplitView{L1, L2}(v, s, k) && i >= VMA_LEAF_SLOTS / 2 &&
    InsertPoint{L1}(v, s, k, i, a, b) ==> InsertPoint{L2}(v, s, k + 1, i - VMA_LEAF_SLOTS / 2, a, b);

  // Every leaf of the set at L2 holds 1 to VMA_LEAF_SLOTS VMAs.
  lemma Split_Nr{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitPieces{L1, L2}(v, s, k) &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L1) ==> 1 <= \at(LeafNr(v, s, j), L1)) ==>
    \forall integer j; 0 <= j < \at(s->nr_leaves, L2) ==>
      1 <= \at(LeafNr(v, s, j), L2) <= VMA_LEAF_SLOTS;

  lemma Split_Shape{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    VSetShape{L1}(v, s) && SplitPieces{L1, L2}(v, s, k) && SplitView{L1, L2}(v, s, k) &&
    \at(s->nr_leaves, L2) <= VMA_MAX_LEAVES &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L2) ==> \at(s->leaf[j], L2) < VMA_LEAF_POOL) ==>
    VSetShape{L2}(v, s);

  // The top array: leaves up to k stay, id is leaf k + 1, the others moved up by one.
  predicate SplitLeaves{L1, L2}(struct vma_set *s, integer k, integer id) =
    \at(s->nr_leaves, L2) == \at(s->nr_leaves, L1) + 1 && 0 <= k < \at(s->nr_leaves, L1) &&
    \at(s->leaf[k + 1], L2) == id &&
    (\forall integer j; 0 <= j <= k ==> \at(s->leaf[j], L2) == \at(s->leaf[j], L1)) &&
    (\forall integer j; k + 1 < j < \at(s->nr_leaves, L2) ==>
      \at(s->leaf[j], L2) == \at(s->leaf[j - 1], L1)) &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L1) ==> \at(s->leaf[j], L1) != id);

  lemma Split_Distinct{L1, L2}: \forall struct vma_set *s, integer k, id;
    LeavesDistinct{L1}(s) && SplitLeaves{L1, L2}(s, k, id) ==> LeavesDistinct{L2}(s);

  lemma Split_Owned{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, id;
    LeavesOwned{L1}(v, s) && SplitLeaves{L1, L2}(s, k, id) && id < \at(v->leaf_used, L1) &&
    \at(v->leaf_used, L2) == \at(v->leaf_used, L1) ==> LeavesOwned{L2}(v, s);

  // last_end of the leaves other than k and k + 1 (the two that leaf_refresh() redoes).
  lemma Split_Ends_Below{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    LastEnds{L1}(v, s) && SplitPieces{L1, L2}(v, s, k) &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L1) ==> 1 <= \at(LeafNr(v, s, j), L1)) &&
    (\forall integer j; 0 <= j < k ==> \at(s->last_end[j], L2) == \at(s->last_end[j], L1)) ==>
    \forall integer j; 0 <= j < k ==>
      \at(s->last_end[j], L2) == \at(VEnd(v, s, j, LeafNr(v, s, j) - 1), L2);

  lemma Split_Last_Above{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitPieces{L1, L2}(v, s, k) &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L1) ==> 1 <= \at(LeafNr(v, s, j), L1)) ==>
    \forall integer j; k + 1 < j < \at(s->nr_leaves, L2) ==>
      \at(VEnd(v, s, j, LeafNr(v, s, j) - 1), L2) ==
      \at(VEnd(v, s, j - 1, LeafNr(v, s, j - 1) - 1), L1);

  lemma Split_Ends_Above{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    LastEnds{L1}(v, s) && SplitPieces{L1, L2}(v, s, k) &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L1) ==> 1 <= \at(LeafNr(v, s, j), L1)) &&
    (\forall integer j; k + 1 < j < \at(s->nr_leaves, L2) ==>
      \at(s->last_end[j], L2) == \at(s->last_end[j - 1], L1)) ==>
    \forall integer j; k + 1 < j < \at(s->nr_leaves, L2) ==>
      \at(s->last_end[j], L2) == \at(VEnd(v, s, j, LeafNr(v, s, j) - 1), L2);

  lemma Split_Ends{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    LastEnds{L1}(v, s) && SplitPieces{L1, L2}(v, s, k) &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L1) ==> 1 <= \at(LeafNr(v, s, j), L1) <= VMA_LEAF_SLOTS) &&
    (\forall integer j; 0 <= j < k ==> \at(s->last_end[j], L2) == \at(s->last_end[j], L1)) &&
    (\forall integer j; k + 1 < j < \at(s->nr_leaves, L2) ==>
      \at(s->last_end[j], L2) == \at(s->last_end[j - 1], L1)) ==>
    \forall integer j; 0 <= j < \at(s->nr_leaves, L2) && j != k && j != k + 1 ==>
      \at(s->last_end[j], L2) == \at(VEnd(v, s, j, LeafNr(v, s, j) - 1), L2);
  } */

/*@ axiomatic MemberFacts {
  // Every descriptor in the set at L1 is in it at L2: what an insertion keeps (vma.h's
  // members, which mmap.c's vma_link_at() turns into "every address stays mapped").
  predicate MembersKept{L1, L2}(struct vma_pool *v, struct vma_set *s) =
    \forall integer id; \at(InVSet(v, s, id), L1) ==> \at(InVSet(v, s, id), L2);

  lemma Members_Trans{L1, L2, L3}: \forall struct vma_pool *v, struct vma_set *s;
    MembersKept{L1, L2}(v, s) && MembersKept{L2, L3}(v, s) ==> MembersKept{L1, L3}(v, s);

  // The split (SplitPieces) forward, where each position of the set at L1 went, one
  // region a lemma: below leaf k and its lower half stay, its upper half is leaf k + 1,
  // the leaves above moved up by one.
  lemma Split_Keep_Low{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitPieces{L1, L2}(v, s, k) ==> \forall integer j, x;
      \at(InSet(v, s, j, x), L1) && (j < k || (j == k && x < VMA_LEAF_SLOTS / 2)) ==>
	\at(InSet(v, s, j, x), L2) && \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, j, x), L1);

  lemma Split_Keep_Half{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitPieces{L1, L2}(v, s, k) ==> \forall integer x;
      \at(InSet(v, s, k, x), L1) && x >= VMA_LEAF_SLOTS / 2 ==>
	\at(InSet(v, s, k + 1, x - VMA_LEAF_SLOTS / 2), L2) &&
	\at(SlotId(v, s, k + 1, x - VMA_LEAF_SLOTS / 2), L2) == \at(SlotId(v, s, k, x), L1);

  lemma Split_Keep_Above{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitPieces{L1, L2}(v, s, k) ==> \forall integer j, x;
      \at(InSet(v, s, j, x), L1) && j > k ==>
	\at(InSet(v, s, j + 1, x), L2) && \at(SlotId(v, s, j + 1, x), L2) == \at(SlotId(v, s, j, x), L1);

  lemma Split_Members{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    SplitPieces{L1, L2}(v, s, k) ==> MembersKept{L1, L2}(v, s);

  // leaf_insert_slot(k, i): leaf k's slots from i on moved up by one, the rest stayed.
  predicate SlotShifted{L1, L2}(struct vma_pool *v, struct vma_set *s, integer k, integer i) =
    0 <= k < \at(s->nr_leaves, L1) && \at(s->nr_leaves, L2) == \at(s->nr_leaves, L1) &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L1) ==> \at(LeafNr(v, s, j), L1) <= VMA_LEAF_SLOTS) &&
    \at(LeafNr(v, s, k), L2) == \at(LeafNr(v, s, k), L1) + 1 &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L1) && j != k ==>
      \at(LeafNr(v, s, j), L2) == \at(LeafNr(v, s, j), L1)) &&
    (\forall integer x; 0 <= x < i ==> \at(SlotId(v, s, k, x), L2) == \at(SlotId(v, s, k, x), L1)) &&
    (\forall integer x; i <= x < \at(LeafNr(v, s, k), L1) ==>
      \at(SlotId(v, s, k, x + 1), L2) == \at(SlotId(v, s, k, x), L1)) &&
    (\forall integer j, x; 0 <= j < \at(s->nr_leaves, L1) && j != k && 0 <= x < VMA_LEAF_SLOTS ==>
      \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, j, x), L1));

  lemma Shift_Keep_Same{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
    SlotShifted{L1, L2}(v, s, k, i) ==> \forall integer j, x;
      \at(InSet(v, s, j, x), L1) && (j != k || x < i) ==>
	\at(InSet(v, s, j, x), L2) && \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, j, x), L1);

  lemma Shift_Keep_Up{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
    SlotShifted{L1, L2}(v, s, k, i) ==> \forall integer x;
      \at(InSet(v, s, k, x), L1) && x >= i ==>
	\at(InSet(v, s, k, x + 1), L2) && \at(SlotId(v, s, k, x + 1), L2) == \at(SlotId(v, s, k, x), L1);

  lemma Shifted_Members{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
    SlotShifted{L1, L2}(v, s, k, i) ==> MembersKept{L1, L2}(v, s);

  // An empty set has no members to keep.
  lemma Empty_Members{L1, L2}: \forall struct vma_pool *v, struct vma_set *s;
    \at(s->nr_leaves, L1) == 0 ==> MembersKept{L1, L2}(v, s);
  } */

/*
 * The pool half of leaf_split(): take a leaf and move the upper half of full leaf k into
 * it. Only the pool changes, so its postconditions name the set as it is; leaf_split()
 * then opens the new leaf's place in the top array (docs/proofs.md, lesson 24).
 */
/*@ requires valid: \valid(v) && \valid_read(s);
    requires sep: \separated(v, s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    requires leaves: \forall integer j; 0 <= j < s->nr_leaves ==> s->leaf[j] < VMA_LEAF_POOL;
    requires distinct: LeavesDistinct(s);
    requires full: LeafNr(v, s, k) == VMA_LEAF_SLOTS;
    requires pool: VPoolOk(v);
    requires avail: LeafAvail(v);
    requires owned: LeavesOwned(v, s);
    requires fresh: NextLeafFresh(v, s);
    assigns v->leaf_free, v->leaf_used, v->nr_leaves, v->leaves[NextLeaf(v)],
	v->leaves[s->leaf[k]].nr;
    ensures id: \result == \old(NextLeaf(v)) && \result < VMA_LEAF_POOL &&
	\result < v->leaf_used;
    ensures fresh: \forall integer j; 0 <= j < s->nr_leaves ==> s->leaf[j] != \result;
    ensures halves: LeafNr(v, s, k) == VMA_LEAF_SLOTS / 2 &&
	v->leaves[\result].nr == VMA_LEAF_SLOTS / 2;
    ensures nr_kept: \forall integer j; 0 <= j < s->nr_leaves && j != k ==>
	LeafNr(v, s, j) == \old(LeafNr(v, s, j));
    ensures kept: \forall integer j, x; 0 <= j < s->nr_leaves && 0 <= x < VMA_LEAF_SLOTS ==>
	SlotId(v, s, j, x) == \old(SlotId(v, s, j, x)) &&
	VStart(v, s, j, x) == \old(VStart(v, s, j, x)) &&
	VEnd(v, s, j, x) == \old(VEnd(v, s, j, x));
    ensures high: \forall integer x; 0 <= x < VMA_LEAF_SLOTS / 2 ==>
	v->leaves[\result].slot[x] == \old(SlotId(v, s, k, x + VMA_LEAF_SLOTS / 2)) &&
	v->leaves[\result].start[x] == \old(VStart(v, s, k, x + VMA_LEAF_SLOTS / 2)) &&
	v->leaves[\result].end[x] == \old(VEnd(v, s, k, x + VMA_LEAF_SLOTS / 2));
    ensures vmas_kept: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
	v->vma[x].vm_start == \old(v->vma[x].vm_start) &&
	v->vma[x].vm_end == \old(v->vma[x].vm_end);
    ensures pool: VPoolOk(v);
    ensures owned: LeavesOwned(v, s);
    ensures set_kept: s->nr_leaves == \old(s->nr_leaves) &&
	\forall integer j; 0 <= j < VMA_MAX_LEAVES ==> s->leaf[j] == \old(s->leaf[j]) &&
	s->last_end[j] == \old(s->last_end[j]);
*/
static uint32_t leaf_split_pool(struct vma_pool *v, const struct vma_set *s, uint32_t k)
{
	uint32_t id = leaf_take(v);

	/*@ assert fresh: id != s->leaf[k] && id < VMA_LEAF_POOL; */
	/*@ assert take_pool: VPoolOk(v) && LeavesOwned(v, s); */
	/*@ assert set_kept: s->nr_leaves == \at(s->nr_leaves, Pre) &&
		\forall integer j; 0 <= j < VMA_MAX_LEAVES ==> s->leaf[j] == \at(s->leaf[j], Pre) &&
		s->last_end[j] == \at(s->last_end[j], Pre); */
	/*@ assert take_arrays: \forall integer y, x; 0 <= y < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS ==>
		v->leaves[y].slot[x] == \at(v->leaves[y].slot[x], Pre) &&
		v->leaves[y].start[x] == \at(v->leaves[y].start[x], Pre) &&
		v->leaves[y].end[x] == \at(v->leaves[y].end[x], Pre); */
	/*@ assert take_fresh: \forall integer j; 0 <= j < s->nr_leaves ==>
		s->leaf[j] != id && s->leaf[j] < VMA_LEAF_POOL; */
	/*@ assert take_nr: \forall integer j; 0 <= j < s->nr_leaves ==>
		LeafNr(v, s, j) == \at(LeafNr(v, s, j), Pre); */
	leaf_halve(v, id, s->leaf[k]);
	/*@ assert set_kept_2: s->nr_leaves == \at(s->nr_leaves, Pre) &&
		\forall integer j; 0 <= j < VMA_MAX_LEAVES ==> s->leaf[j] == \at(s->leaf[j], Pre) &&
		s->last_end[j] == \at(s->last_end[j], Pre); */
	/*@ assert halve_pool: VPoolOk(v); */
	/*@ assert halve_owned: \forall integer j; 0 <= j < s->nr_leaves ==> s->leaf[j] < v->leaf_used; */
	/*@ assert halve_nr: \forall integer y; 0 <= y < VMA_LEAF_POOL && y != id && y != s->leaf[k] ==>
		v->leaves[y].nr == \at(v->leaves[y].nr, Pre); */
	/*@ assert halve_arrays: \forall integer y, x; 0 <= y < VMA_LEAF_POOL && y != id &&
		0 <= x < VMA_LEAF_SLOTS ==> v->leaves[y].slot[x] == \at(v->leaves[y].slot[x], Pre) &&
		v->leaves[y].start[x] == \at(v->leaves[y].start[x], Pre) &&
		v->leaves[y].end[x] == \at(v->leaves[y].end[x], Pre); */
	/*@ assert others_apart: \forall integer j; 0 <= j < s->nr_leaves && j != k ==>
		s->leaf[j] != s->leaf[k] && s->leaf[j] != id && s->leaf[j] < VMA_LEAF_POOL; */
	/*@ assert nr_kept_u: \forall integer j; 0 <= j < s->nr_leaves && j != k ==>
		v->leaves[s->leaf[j]].nr == \at(v->leaves[s->leaf[j]].nr, Pre); */
	/*@ assert nr_kept: \forall integer j; 0 <= j < s->nr_leaves && j != k ==>
		LeafNr(v, s, j) == \at(LeafNr(v, s, j), Pre); */
	return id;
}

/* Split full leaf k in two halves; the upper half becomes leaf k + 1. */
/*@ requires valid: \valid(v) && \valid(s);
    requires sep: \separated(v, s);
    requires ok: VSetOk(v, s);
    requires k: k < s->nr_leaves;
    requires full: LeafNr(v, s, k) == VMA_LEAF_SLOTS;
    requires room: s->nr_leaves < VMA_MAX_LEAVES;
    requires pool: VPoolOk(v);
    requires avail: LeafAvail(v);
    requires owned: LeavesOwned(v, s);
    requires fresh: NextLeafFresh(v, s);
    assigns v->leaf_free, v->leaf_used, v->nr_leaves, v->leaves[NextLeaf(v)],
	v->leaves[s->leaf[k]].nr, s->leaf[k + 1 .. VMA_MAX_LEAVES - 1],
	s->last_end[k .. VMA_MAX_LEAVES - 1], s->max_gap[k .. VMA_MAX_LEAVES - 1], s->nr_leaves,
	s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
    ensures nr: s->nr_leaves == \old(s->nr_leaves) + 1;
    ensures halves: LeafNr(v, s, k) == VMA_LEAF_SLOTS / 2 &&
	LeafNr(v, s, k + 1) == VMA_LEAF_SLOTS / 2;
    ensures shape: VSetShape(v, s);
    ensures distinct: LeavesDistinct(s);
    ensures copies: CopiesOk(v, s);
    ensures vmas: VmasOk(v, s);
    ensures sorted: VSorted(v, s);
    ensures last_ends: LastEnds(v, s);
    ensures point: \forall integer i, a, b; \old(InsertPoint(v, s, k, i, a, b)) ==>
	(i < VMA_LEAF_SLOTS / 2 ? InsertPoint(v, s, k, i, a, b) :
				  InsertPoint(v, s, k + 1, i - VMA_LEAF_SLOTS / 2, a, b));
    ensures pool: VPoolOk(v);
    ensures owned: LeavesOwned(v, s);
    ensures leaves: s->leaf[k + 1] == \old(NextLeaf(v)) &&
	(\forall integer j; 0 <= j <= k ==> s->leaf[j] == \old(s->leaf[j])) &&
	(\forall integer j; k + 1 < j < s->nr_leaves ==> s->leaf[j] == \old(s->leaf[j - 1]));
    ensures members: MembersKept{Pre, Post}(v, s);
    VMA_VMAS_KEPT
*/
static void leaf_split(struct vma_pool *v, struct vma_set *s, uint32_t k)
{
	uint32_t id = leaf_split_pool(v, s, k);

	/*@ assert distinct_h: LeavesDistinct(s); */
	/* A label for the annotations below (state after the halving). */
Halved:
	__attribute__((unused));
	top_open_after(v, s, k, id);
	/*@ assert pool_same: \forall integer y, x; 0 <= y < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS ==>
		v->leaves[y].slot[x] == \at(v->leaves[y].slot[x], Halved) &&
		v->leaves[y].start[x] == \at(v->leaves[y].start[x], Halved) &&
		v->leaves[y].end[x] == \at(v->leaves[y].end[x], Halved); */
	/*@ assert top_low: \forall integer j; 0 <= j <= k ==> s->leaf[j] == \at(s->leaf[j], Pre) &&
		s->last_end[j] == \at(s->last_end[j], Pre); */
	/*@ assert nr_low_h: \forall integer j; 0 <= j <= k ==>
		LeafNr(v, s, j) == \at(LeafNr(v, s, j), Halved); */
	/*@ assert top_low_h: \forall integer j; 0 <= j <= k ==>
		s->leaf[j] == \at(s->leaf[j], Halved) && 0 <= s->leaf[j] < VMA_LEAF_POOL; */
	/*@ assert low_slot_h: \forall integer j, x; 0 <= j <= k && 0 <= x < VMA_LEAF_SLOTS ==>
		SlotId(v, s, j, x) == \at(SlotId(v, s, j, x), Halved); */
	/*@ assert low_start_h: \forall integer j, x; 0 <= j <= k && 0 <= x < VMA_LEAF_SLOTS ==>
		VStart(v, s, j, x) == \at(VStart(v, s, j, x), Halved); */
	/*@ assert low_end_h: \forall integer j, x; 0 <= j <= k && 0 <= x < VMA_LEAF_SLOTS ==>
		VEnd(v, s, j, x) == \at(VEnd(v, s, j, x), Halved); */
	/*@ assert low_h: \forall integer j, x; 0 <= j <= k && 0 <= x < VMA_LEAF_SLOTS ==>
		SlotId(v, s, j, x) == \at(SlotId(v, s, j, x), Halved) &&
		VStart(v, s, j, x) == \at(VStart(v, s, j, x), Halved) &&
		VEnd(v, s, j, x) == \at(VEnd(v, s, j, x), Halved); */
	/*@ assert low: \forall integer j, x; 0 <= j <= k && 0 <= x < VMA_LEAF_SLOTS ==>
		SlotId(v, s, j, x) == \at(SlotId(v, s, j, x), Pre) &&
		VStart(v, s, j, x) == \at(VStart(v, s, j, x), Pre) &&
		VEnd(v, s, j, x) == \at(VEnd(v, s, j, x), Pre); */
	/*@ assert nr_low: \forall integer j; 0 <= j < k ==>
		LeafNr(v, s, j) == \at(LeafNr(v, s, j), Pre); */
	/*@ assert nr_high_h: s->leaf[k + 1] == id && LeafNr(v, s, k + 1) == \at(v->leaves[id].nr, Halved); */
	/* Leaf k + 1 as "k < j < k + 2", not "j == k + 1": see docs/proofs.md, lesson 26. */
	/*@ assert leaf_new: \forall integer j; k < j < k + 2 ==> s->leaf[j] == id; */
	/*@ assert high_h: \forall integer j, x; k < j < k + 2 && 0 <= x < VMA_LEAF_SLOTS ==>
		SlotId(v, s, j, x) == \at(v->leaves[id].slot[x], Halved) &&
		VStart(v, s, j, x) == \at(v->leaves[id].start[x], Halved) &&
		VEnd(v, s, j, x) == \at(v->leaves[id].end[x], Halved); */
	/*@ assert halves: LeafNr(v, s, k) == VMA_LEAF_SLOTS / 2 &&
		LeafNr(v, s, k + 1) == VMA_LEAF_SLOTS / 2; */
	/*@ assert halves_new: \forall integer j; k < j < k + 2 ==> LeafNr(v, s, j) == VMA_LEAF_SLOTS / 2; */
	/*@ assert high: \forall integer j, x; k < j < k + 2 && 0 <= x < VMA_LEAF_SLOTS / 2 ==>
		SlotId(v, s, j, x) == \at(SlotId(v, s, k, x + VMA_LEAF_SLOTS / 2), Pre) &&
		VStart(v, s, j, x) == \at(VStart(v, s, k, x + VMA_LEAF_SLOTS / 2), Pre) &&
		VEnd(v, s, j, x) == \at(VEnd(v, s, k, x + VMA_LEAF_SLOTS / 2), Pre); */
	/*@ assert nr_above_h: \forall integer j; k + 1 < j < s->nr_leaves ==>
		LeafNr(v, s, j) == \at(LeafNr(v, s, j - 1), Halved); */
	/*@ assert above_h: \forall integer j, x; k + 1 < j < s->nr_leaves && 0 <= x < VMA_LEAF_SLOTS ==>
		SlotId(v, s, j, x) == \at(SlotId(v, s, j - 1, x), Halved) &&
		VStart(v, s, j, x) == \at(VStart(v, s, j - 1, x), Halved) &&
		VEnd(v, s, j, x) == \at(VEnd(v, s, j - 1, x), Halved); */
	/*@ assert nr_above: \forall integer j; k + 1 < j < s->nr_leaves ==>
		s->leaf[j] == \at(s->leaf[j - 1], Pre) &&
		LeafNr(v, s, j) == \at(LeafNr(v, s, j - 1), Pre); */
	/*@ assert above: \forall integer j, x; k + 1 < j < s->nr_leaves && 0 <= x < VMA_LEAF_SLOTS ==>
		SlotId(v, s, j, x) == \at(SlotId(v, s, j - 1, x), Pre) &&
		VStart(v, s, j, x) == \at(VStart(v, s, j - 1, x), Pre) &&
		VEnd(v, s, j, x) == \at(VEnd(v, s, j - 1, x), Pre); */
	/*@ assert nr_split: s->nr_leaves == \at(s->nr_leaves, Pre) + 1; */
	/*@ assert bound: \forall integer j; 0 <= j < \at(s->nr_leaves, Pre) ==>
		1 <= \at(LeafNr(v, s, j), Pre) <= VMA_LEAF_SLOTS; */
	/*@ assert pieces: SplitPieces{Pre, Here}(v, s, k); */
	/*@ assert regions: SplitRegions{Pre, Here}(v, s, k); */
	/*@ assert view: SplitView{Pre, Here}(v, s, k); */
	/*@ assert ids_pre: \forall integer j, x; \at(InSet(v, s, j, x), Pre) ==>
		0 <= \at(SlotId(v, s, j, x), Pre) < VMA_POOL_SIZE; */
	/*@ assert vmas_kept: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
		v->vma[x].vm_start == \at(v->vma[x].vm_start, Pre) &&
		v->vma[x].vm_end == \at(v->vma[x].vm_end, Pre); */
	/*@ assert leaves_h: SplitLeaves{Halved, Here}(s, k, id); */
	/*@ assert pool_h: VPoolOk(v) && v->leaf_used <= VMA_LEAF_POOL; */
	/*@ assert owned: LeavesOwned(v, s); */
	/*@ assert leaf_bound: \forall integer j; 0 <= j < s->nr_leaves ==> s->leaf[j] < VMA_LEAF_POOL; */
	/*@ assert shape: VSetShape(v, s); */
	/*@ assert distinct: LeavesDistinct(s); */
	/*@ assert copies: CopiesOk(v, s); */
	/*@ assert vmas: VmasOk(v, s); */
	/*@ assert sorted: VSorted(v, s); */
	/*@ assert ends_low: \forall integer j; 0 <= j < k ==> s->last_end[j] == \at(s->last_end[j], Pre); */
	/*@ assert ends_above: \forall integer j; k + 1 < j < s->nr_leaves ==>
		s->last_end[j] == \at(s->last_end[j - 1], Pre); */
	/*@ assert ends_others: \forall integer j; 0 <= j < s->nr_leaves && j != k && j != k + 1 ==>
		s->last_end[j] == VEnd(v, s, j, LeafNr(v, s, j) - 1); */
	/*@ assert point_low: \forall integer i, a, b; i < VMA_LEAF_SLOTS / 2 &&
		\at(InsertPoint(v, s, k, i, a, b), Pre) ==> InsertPoint(v, s, k, i, a, b); */
	/*@ assert point_high: \forall integer i, a, b; i >= VMA_LEAF_SLOTS / 2 &&
		\at(InsertPoint(v, s, k, i, a, b), Pre) ==>
		InsertPoint(v, s, k + 1, i - VMA_LEAF_SLOTS / 2, a, b); */
	/*@ assert leaves: s->leaf[k + 1] == \at(NextLeaf(v), Pre) &&
		(\forall integer j; 0 <= j <= k ==> s->leaf[j] == \at(s->leaf[j], Pre)) &&
		(\forall integer j; k + 1 < j < s->nr_leaves ==> s->leaf[j] == \at(s->leaf[j - 1], Pre)); */
	/*@ assert members: MembersKept{Pre, Here}(v, s); */
	leaf_refresh_pair(v, s, k);
	/*@ assert nr: s->nr_leaves == \at(s->nr_leaves, Pre) + 1; */
	/*@ assert pool: VPoolOk(v); */
}

/*
 * Put descriptor id at slot i of pool leaf y, moving the slots above it up: the pool half
 * of leaf_insert_slot(), with its frame over the rest of the pool (lesson 23). Its three
 * steps leave their postconditions here, so leaf_insert_slot() sees one call.
 */
/*@ requires valid: \valid(v);
    requires range: y < VMA_LEAF_POOL && i <= v->leaves[y].nr < VMA_LEAF_SLOTS &&
	id < VMA_POOL_SIZE;
    assigns v->leaves[y].slot[0 .. VMA_LEAF_SLOTS - 1], v->leaves[y].start[0 .. VMA_LEAF_SLOTS - 1],
	v->leaves[y].end[0 .. VMA_LEAF_SLOTS - 1], v->leaves[y].nr;
    ensures nr: v->leaves[y].nr == \old(v->leaves[y].nr) + 1;
    ensures low: \forall integer x; 0 <= x < i ==>
	v->leaves[y].slot[x] == \old(v->leaves[y].slot[x]) &&
	v->leaves[y].start[x] == \old(v->leaves[y].start[x]) &&
	v->leaves[y].end[x] == \old(v->leaves[y].end[x]);
    ensures at: v->leaves[y].slot[i] == id && v->leaves[y].start[i] == v->vma[id].vm_start &&
	v->leaves[y].end[i] == v->vma[id].vm_end;
    ensures high: \forall integer x; i < x <= \old(v->leaves[y].nr) ==>
	v->leaves[y].slot[x] == \old(v->leaves[y].slot[x - 1]) &&
	v->leaves[y].start[x] == \old(v->leaves[y].start[x - 1]) &&
	v->leaves[y].end[x] == \old(v->leaves[y].end[x - 1]);
    ensures nr_kept: \forall integer z; 0 <= z < VMA_LEAF_POOL && z != y ==>
	v->leaves[z].nr == \old(v->leaves[z].nr);
    ensures kept: \forall integer z, x; 0 <= z < VMA_LEAF_POOL && z != y &&
	0 <= x < VMA_LEAF_SLOTS ==> v->leaves[z].slot[x] == \old(v->leaves[z].slot[x]) &&
	v->leaves[z].start[x] == \old(v->leaves[z].start[x]) &&
	v->leaves[z].end[x] == \old(v->leaves[z].end[x]);
    VMA_VMAS_KEPT
*/
static void leaf_put_at(struct vma_pool *v, uint32_t y, uint32_t i, uint32_t id)
{
	leaf_shift_up(v, y, i, v->leaves[y].nr);
	/*@ assert shifted_nr: \forall integer z; 0 <= z < VMA_LEAF_POOL && z != y ==>
		v->leaves[z].nr == \at(v->leaves[z].nr, Pre); */
	/*@ assert shifted: \forall integer z, x; 0 <= z < VMA_LEAF_POOL && z != y &&
		0 <= x < VMA_LEAF_SLOTS ==>
		v->leaves[z].slot[x] == \at(v->leaves[z].slot[x], Pre) &&
		v->leaves[z].start[x] == \at(v->leaves[z].start[x], Pre) &&
		v->leaves[z].end[x] == \at(v->leaves[z].end[x], Pre); */
	leaf_put(v, y, i, id);
	/*@ assert put_nr: \forall integer z; 0 <= z < VMA_LEAF_POOL && z != y ==>
		v->leaves[z].nr == \at(v->leaves[z].nr, Pre); */
	/*@ assert put: \forall integer z, x; 0 <= z < VMA_LEAF_POOL && z != y &&
		0 <= x < VMA_LEAF_SLOTS ==>
		v->leaves[z].slot[x] == \at(v->leaves[z].slot[x], Pre) &&
		v->leaves[z].start[x] == \at(v->leaves[z].start[x], Pre) &&
		v->leaves[z].end[x] == \at(v->leaves[z].end[x], Pre); */
	leaf_set_nr(v, y, v->leaves[y].nr + 1);
}

/*@ axiomatic InsertFacts {
  // The ranges of the set at L2 are those at L1 with [a, b) put at position (k, i): the
  // slots of leaf k from i on move up by one, the other leaves keep theirs.
  predicate InsertedRanges{L1, L2}(struct vma_pool *v, struct vma_set *s, integer k, integer i,
				   integer a, integer b) =
    \at(s->nr_leaves, L2) == \at(s->nr_leaves, L1) && 0 <= k < \at(s->nr_leaves, L1) &&
    0 <= i <= \at(LeafNr(v, s, k), L1) &&
    \at(LeafNr(v, s, k), L2) == \at(LeafNr(v, s, k), L1) + 1 &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L1) && j != k ==>
      \at(LeafNr(v, s, j), L2) == \at(LeafNr(v, s, j), L1)) &&
    (\forall integer j, x; 0 <= j < \at(s->nr_leaves, L1) && j != k &&
      0 <= x < \at(LeafNr(v, s, j), L1) ==>
      \at(VStart(v, s, j, x), L2) == \at(VStart(v, s, j, x), L1)) &&
    (\forall integer j, x; 0 <= j < \at(s->nr_leaves, L1) && j != k &&
      0 <= x < \at(LeafNr(v, s, j), L1) ==>
      \at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, j, x), L1)) &&
    (\forall integer x; 0 <= x < i ==> \at(VStart(v, s, k, x), L2) == \at(VStart(v, s, k, x), L1)) &&
    (\forall integer x; 0 <= x < i ==> \at(VEnd(v, s, k, x), L2) == \at(VEnd(v, s, k, x), L1)) &&
    \at(VStart(v, s, k, i), L2) == a && \at(VEnd(v, s, k, i), L2) == b &&
    (\forall integer x; i < x < \at(LeafNr(v, s, k), L2) ==>
      \at(VStart(v, s, k, x), L2) == \at(VStart(v, s, k, x - 1), L1)) &&
    (\forall integer x; i < x < \at(LeafNr(v, s, k), L2) ==>
      \at(VEnd(v, s, k, x), L2) == \at(VEnd(v, s, k, x - 1), L1));

  // A VMA put at its insertion point keeps the set sorted: by where the two positions
  // are (neither, the first, the second, or both in leaf k).
  predicate InsertCase{L1, L2}(struct vma_pool *v, struct vma_set *s, integer k, integer i,
			       integer a, integer b) =
    VSorted{L1}(v, s) && InsertPoint{L1}(v, s, k, i, a, b) &&
    InsertedRanges{L1, L2}(v, s, k, i, a, b);

  // Where each position of the set at L2 was at L1 (the three frames of InsertedRanges,
  // one lemma each, so that the order lemmas below instantiate one fact at a time).
  lemma Inserted_Other{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i, a, b;
    InsertedRanges{L1, L2}(v, s, k, i, a, b) ==> \forall integer j, x;
      j != k && \at(InSet(v, s, j, x), L2) ==> \at(InSet(v, s, j, x), L1) &&
	\at(VStart(v, s, j, x), L2) == \at(VStart(v, s, j, x), L1) &&
	\at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, j, x), L1);

  lemma Inserted_Below{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i, a, b;
    InsertedRanges{L1, L2}(v, s, k, i, a, b) ==> \forall integer x;
      0 <= x < i ==> \at(InSet(v, s, k, x), L1) && \at(InSet(v, s, k, x), L2) &&
	\at(VStart(v, s, k, x), L2) == \at(VStart(v, s, k, x), L1) &&
	\at(VEnd(v, s, k, x), L2) == \at(VEnd(v, s, k, x), L1);

  lemma Inserted_Above{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i, a, b;
    InsertedRanges{L1, L2}(v, s, k, i, a, b) ==> \forall integer x;
      i < x && \at(InSet(v, s, k, x), L2) ==> \at(InSet(v, s, k, x - 1), L1) &&
	\at(VStart(v, s, k, x), L2) == \at(VStart(v, s, k, x - 1), L1) &&
	\at(VEnd(v, s, k, x), L2) == \at(VEnd(v, s, k, x - 1), L1);

  // The position at L1 of a VMA at (j, x) at L2, other than the inserted one.
  logic integer OldPos(integer j, integer x, integer k, integer i) =
    j == k && x > i ? x - 1 : x;

  lemma OldPos_Same: \forall integer j, x, k, i; j != k || x < i ==> OldPos(j, x, k, i) == x;
  lemma OldPos_Shift: \forall integer j, x, k, i; j == k && x > i ==> OldPos(j, x, k, i) == x - 1;

  lemma Inserted_Old_In{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i, a, b;
    InsertedRanges{L1, L2}(v, s, k, i, a, b) ==> \forall integer j, x;
      \at(InSet(v, s, j, x), L2) && !(j == k && x == i) ==>
	\at(InSet(v, s, j, OldPos(j, x, k, i)), L1);

  lemma Inserted_Old_Start{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i, a, b;
    InsertedRanges{L1, L2}(v, s, k, i, a, b) ==> \forall integer j, x;
      \at(InSet(v, s, j, x), L2) && !(j == k && x == i) ==>
	\at(VStart(v, s, j, x), L2) == \at(VStart(v, s, j, OldPos(j, x, k, i)), L1);

  lemma Inserted_Old_End{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i, a, b;
    InsertedRanges{L1, L2}(v, s, k, i, a, b) ==> \forall integer j, x;
      \at(InSet(v, s, j, x), L2) && !(j == k && x == i) ==>
	\at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, j, OldPos(j, x, k, i)), L1);

  // Removing the inserted position keeps the order of the others.
  lemma OldPos_Lt: \forall integer k1, x1, k2, x2, k, i;
    PosLt(k1, x1, k2, x2) && !(k1 == k && x1 == i) && !(k2 == k && x2 == i) ==>
      PosLt(k1, OldPos(k1, x1, k, i), k2, OldPos(k2, x2, k, i));

  // The three lemmas above in one predicate, without the rest of InsertedRanges.
  predicate OldPositions{L1, L2}(struct vma_pool *v, struct vma_set *s, integer k, integer i) =
    (\forall integer j, x; \at(InSet(v, s, j, x), L2) && !(j == k && x == i) ==>
      \at(InSet(v, s, j, OldPos(j, x, k, i)), L1)) &&
    (\forall integer j, x; \at(InSet(v, s, j, x), L2) && !(j == k && x == i) ==>
      \at(VStart(v, s, j, x), L2) == \at(VStart(v, s, j, OldPos(j, x, k, i)), L1)) &&
    (\forall integer j, x; \at(InSet(v, s, j, x), L2) && !(j == k && x == i) ==>
      \at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, j, OldPos(j, x, k, i)), L1));

  lemma Inserted_Old{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i, a, b;
    InsertedRanges{L1, L2}(v, s, k, i, a, b) ==> OldPositions{L1, L2}(v, s, k, i);

  // Two VMAs that were there at L1, at their old positions, in order (VSorted at L1).
  lemma Insert_Old_Order{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
    VSorted{L1}(v, s) && OldPositions{L1, L2}(v, s, k, i) ==>
      \forall integer k1, x1, k2, x2;
	\at(InSet(v, s, k1, x1), L2) && \at(InSet(v, s, k2, x2), L2) &&
	!(k1 == k && x1 == i) && !(k2 == k && x2 == i) &&
	PosLt(k1, OldPos(k1, x1, k, i), k2, OldPos(k2, x2, k, i)) ==>
	  \at(VEnd(v, s, k1, OldPos(k1, x1, k, i)), L1) <=
	  \at(VStart(v, s, k2, OldPos(k2, x2, k, i)), L1);

  // Two VMAs that were there at L1 keep their order.
  lemma Insert_Sorted_Old{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
    VSorted{L1}(v, s) && OldPositions{L1, L2}(v, s, k, i) ==>
      \forall integer k1, x1, k2, x2;
	\at(InSet(v, s, k1, x1), L2) && \at(InSet(v, s, k2, x2), L2) && PosLt(k1, x1, k2, x2) &&
	!(k1 == k && x1 == i) && !(k2 == k && x2 == i) ==>
	  \at(VEnd(v, s, k1, x1), L2) <= \at(VStart(v, s, k2, x2), L2);

  // A position after the inserted one was, at L1, at or after the insertion point.
  lemma OldPos_After: \forall integer k2, x2, k, i;
    PosLt(k, i, k2, x2) ==> !PosLt(k2, OldPos(k2, x2, k, i), k, i);

  lemma OldPos_Before: \forall integer k1, x1, k, i;
    PosLt(k1, x1, k, i) ==> OldPos(k1, x1, k, i) == x1;

  // The inserted VMA against the others: InsertPoint at L1.
  lemma Insert_Sorted_At{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i, a, b;
    InsertCase{L1, L2}(v, s, k, i, a, b) ==> \forall integer k1, x1, k2, x2;
      \at(InSet(v, s, k1, x1), L2) && \at(InSet(v, s, k2, x2), L2) && PosLt(k1, x1, k2, x2) &&
      ((k1 == k && x1 == i) || (k2 == k && x2 == i)) ==>
	\at(VEnd(v, s, k1, x1), L2) <= \at(VStart(v, s, k2, x2), L2);

  lemma Insert_Sorted{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i, a, b;
    InsertCase{L1, L2}(v, s, k, i, a, b) ==> VSorted{L2}(v, s);
  } */

/*
 * The pool half of leaf_insert_slot(): leaf_put_at() on leaf k's pool leaf, with what it
 * did stated over the set (which it only reads), in a context without the set's order
 * (docs/proofs.md, lesson 24).
 */
/*@ requires valid: \valid(v) && \valid_read(s);
    requires sep: \separated(v, s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    requires leaves: \forall integer j; 0 <= j < s->nr_leaves ==> s->leaf[j] < VMA_LEAF_POOL;
    requires distinct: LeavesDistinct(s);
    requires room: i <= LeafNr(v, s, k) < VMA_LEAF_SLOTS;
    requires id: id < VMA_POOL_SIZE;
    assigns v->leaves[s->leaf[k]].slot[0 .. VMA_LEAF_SLOTS - 1],
	v->leaves[s->leaf[k]].start[0 .. VMA_LEAF_SLOTS - 1],
	v->leaves[s->leaf[k]].end[0 .. VMA_LEAF_SLOTS - 1], v->leaves[s->leaf[k]].nr;
    ensures top: s->nr_leaves == \old(s->nr_leaves) &&
	\forall integer x; 0 <= x < VMA_MAX_LEAVES ==> s->leaf[x] == \old(s->leaf[x]) &&
	s->last_end[x] == \old(s->last_end[x]);
    VMA_VMAS_KEPT
    ensures nr: LeafNr(v, s, k) == \old(LeafNr(v, s, k)) + 1;
    ensures low: \forall integer x; 0 <= x < i ==> SlotId(v, s, k, x) == \old(SlotId(v, s, k, x)) &&
	VStart(v, s, k, x) == \old(VStart(v, s, k, x)) && VEnd(v, s, k, x) == \old(VEnd(v, s, k, x));
    ensures at: SlotId(v, s, k, i) == id && VStart(v, s, k, i) == v->vma[id].vm_start &&
	VEnd(v, s, k, i) == v->vma[id].vm_end;
    ensures high: \forall integer x; i < x < LeafNr(v, s, k) ==>
	SlotId(v, s, k, x) == \old(SlotId(v, s, k, x - 1)) &&
	VStart(v, s, k, x) == \old(VStart(v, s, k, x - 1)) &&
	VEnd(v, s, k, x) == \old(VEnd(v, s, k, x - 1));
    ensures others_nr: \forall integer k2; 0 <= k2 < s->nr_leaves && k2 != k ==>
	LeafNr(v, s, k2) == \old(LeafNr(v, s, k2));
    ensures others: \forall integer k2, x; 0 <= k2 < s->nr_leaves && k2 != k &&
	0 <= x < VMA_LEAF_SLOTS ==> SlotId(v, s, k2, x) == \old(SlotId(v, s, k2, x)) &&
	VStart(v, s, k2, x) == \old(VStart(v, s, k2, x)) && VEnd(v, s, k2, x) == \old(VEnd(v, s, k2, x));
*/
static void leaf_insert_pool(struct vma_pool *v, const struct vma_set *s, uint32_t k, uint32_t i,
			     uint32_t id)
{
	/*@ assert leaf: s->leaf[k] < VMA_LEAF_POOL; */
	/*@ assert apart_top: \separated(&s->nr_leaves, &v->leaves[s->leaf[k]]) && \forall integer x;
		0 <= x < VMA_MAX_LEAVES ==> \separated(&s->leaf[x], &v->leaves[s->leaf[k]]) &&
		\separated(&s->last_end[x], &v->leaves[s->leaf[k]]); */
	leaf_put_at(v, s->leaf[k], i, id);
	/*@ assert pool_kept_nr: \forall integer z; 0 <= z < VMA_LEAF_POOL && z != s->leaf[k] ==>
		v->leaves[z].nr == \at(v->leaves[z].nr, Pre); */
	/*@ assert pool_kept: \forall integer z, x; 0 <= z < VMA_LEAF_POOL && z != s->leaf[k] &&
		0 <= x < VMA_LEAF_SLOTS ==>
		v->leaves[z].slot[x] == \at(v->leaves[z].slot[x], Pre) &&
		v->leaves[z].start[x] == \at(v->leaves[z].start[x], Pre) &&
		v->leaves[z].end[x] == \at(v->leaves[z].end[x], Pre); */
	/*@ assert top: s->nr_leaves == \at(s->nr_leaves, Pre) &&
		\forall integer x; 0 <= x < VMA_MAX_LEAVES ==> s->leaf[x] == \at(s->leaf[x], Pre) &&
		s->last_end[x] == \at(s->last_end[x], Pre); */
	/*@ assert vmas_kept: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
		v->vma[x].vm_start == \at(v->vma[x].vm_start, Pre) &&
		v->vma[x].vm_end == \at(v->vma[x].vm_end, Pre); */
	/*@ assert nr: LeafNr(v, s, k) == \at(LeafNr(v, s, k), Pre) + 1; */
	/*@ assert low: \forall integer x; 0 <= x < i ==>
		SlotId(v, s, k, x) == \at(SlotId(v, s, k, x), Pre) &&
		VStart(v, s, k, x) == \at(VStart(v, s, k, x), Pre) &&
		VEnd(v, s, k, x) == \at(VEnd(v, s, k, x), Pre); */
	/*@ assert at: SlotId(v, s, k, i) == id && VStart(v, s, k, i) == v->vma[id].vm_start &&
		VEnd(v, s, k, i) == v->vma[id].vm_end; */
	/*@ assert high: \forall integer x; i < x < LeafNr(v, s, k) ==>
		SlotId(v, s, k, x) == \at(SlotId(v, s, k, x - 1), Pre) &&
		VStart(v, s, k, x) == \at(VStart(v, s, k, x - 1), Pre) &&
		VEnd(v, s, k, x) == \at(VEnd(v, s, k, x - 1), Pre); */
	/*@ assert others_apart: \forall integer j; 0 <= j < s->nr_leaves && j != k ==>
		s->leaf[j] != s->leaf[k] && s->leaf[j] < VMA_LEAF_POOL; */
	/*@ assert others_nr: \forall integer k2; 0 <= k2 < s->nr_leaves && k2 != k ==>
		LeafNr(v, s, k2) == \at(LeafNr(v, s, k2), Pre); */
	/*@ assert others: \forall integer k2, x; 0 <= k2 < s->nr_leaves && k2 != k && 0 <= x < VMA_LEAF_SLOTS ==>
		SlotId(v, s, k2, x) == \at(SlotId(v, s, k2, x), Pre) &&
		VStart(v, s, k2, x) == \at(VStart(v, s, k2, x), Pre) &&
		VEnd(v, s, k2, x) == \at(VEnd(v, s, k2, x), Pre); */
}

/*@ axiomatic RangeFacts {
  // No descriptor's range changed from L1 to L2: VMA_VMAS_KEPT as a predicate, for the
  // insertion's callers (vma.h's ranges). Named, it proves where two paths join, as
  // MembersKept does; the quantified form did not (docs/proofs.md, lesson 34).
  predicate RangesKept{L1, L2}(struct vma_pool *v) =
    \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
      \at(v->vma[x].vm_start, L2) == \at(v->vma[x].vm_start, L1) &&
      \at(v->vma[x].vm_end, L2) == \at(v->vma[x].vm_end, L1);
  } */

/*
 * Put descriptor id at slot i of leaf k, moving the slots above it up; leaf k has room.
 * The leaf's summaries are not touched (leaf_insert() refreshes them).
 */
/*@ requires valid: \valid(v) && \valid(s);
    requires sep: \separated(v, s);
    requires ok: VSetOkAt(v, s, k);
    requires new: NewVma(v, id);
    requires point: InsertPoint(v, s, k, i, v->vma[id].vm_start, v->vma[id].vm_end);
    requires last: i < LeafNr(v, s, k) ==> s->last_end[k] == VEnd(v, s, k, LeafNr(v, s, k) - 1);
    assigns v->leaves[s->leaf[k]].slot[0 .. VMA_LEAF_SLOTS - 1],
	v->leaves[s->leaf[k]].start[0 .. VMA_LEAF_SLOTS - 1],
	v->leaves[s->leaf[k]].end[0 .. VMA_LEAF_SLOTS - 1], v->leaves[s->leaf[k]].nr;
    ensures nr: LeafNr(v, s, k) == \old(LeafNr(v, s, k)) + 1;
    ensures at: SlotId(v, s, k, i) == id && InSet(v, s, k, i);
    ensures shape: VSetShape(v, s);
    ensures distinct: LeavesDistinct(s);
    ensures copies: CopiesOk(v, s);
    ensures vmas: VmasOk(v, s);
    ensures sorted: VSorted(v, s);
    ensures ends_others: \forall integer j; 0 <= j < s->nr_leaves && j != k ==>
	s->last_end[j] == VEnd(v, s, j, LeafNr(v, s, j) - 1);
    ensures last: i < \old(LeafNr(v, s, k)) ==>
	s->last_end[k] == VEnd(v, s, k, LeafNr(v, s, k) - 1);
    ensures members: MembersKept{Pre, Post}(v, s);
    ensures ranges: RangesKept{Pre, Post}(v);
*/
static void leaf_insert_slot(struct vma_pool *v, struct vma_set *s, uint32_t k, uint32_t i,
			     uint32_t id)
{
	leaf_insert_pool(v, s, k, i, id);
	/*@ assert inserted: InsertedRanges{Pre, Here}(v, s, k, i, v->vma[id].vm_start, v->vma[id].vm_end); */
	/*@ assert sorted: VSorted(v, s); */
	/*@ assert shape: VSetShape(v, s); */
	/*@ assert copies_low: \forall integer x; 0 <= x < i ==>
		v->vma[SlotId(v, s, k, x)].vm_start == VStart(v, s, k, x) &&
		v->vma[SlotId(v, s, k, x)].vm_end == VEnd(v, s, k, x); */
	/*@ assert copies_high: \forall integer x; i < x < LeafNr(v, s, k) ==>
		v->vma[SlotId(v, s, k, x)].vm_start == VStart(v, s, k, x) &&
		v->vma[SlotId(v, s, k, x)].vm_end == VEnd(v, s, k, x); */
	/*@ assert copies_others: \forall integer k2, x; InSet(v, s, k2, x) && k2 != k ==>
		v->vma[SlotId(v, s, k2, x)].vm_start == VStart(v, s, k2, x) &&
		v->vma[SlotId(v, s, k2, x)].vm_end == VEnd(v, s, k2, x); */
	/*@ assert copies: CopiesOk(v, s); */
	/*@ assert vmas: VmasOk(v, s); */
	/*@ assert ends_others: \forall integer j2; 0 <= j2 < s->nr_leaves && j2 != k ==>
		s->last_end[j2] == VEnd(v, s, j2, LeafNr(v, s, j2) - 1); */
	/*@ assert last: i < \at(LeafNr(v, s, k), Pre) ==>
		s->last_end[k] == VEnd(v, s, k, LeafNr(v, s, k) - 1); */
	/*@ assert shifted: SlotShifted{Pre, Here}(v, s, k, i); */
	/*@ assert members: MembersKept{Pre, Here}(v, s); */
	/*@ assert ranges: RangesKept{Pre, Here}(v); */
}

/*
 * Put descriptor id at slot i of leaf k, moving the slots above it up; leaf k has room.
 * Then refresh the leaf's summaries.
 */
/*@ requires valid: \valid(v) && \valid(s);
    requires sep: \separated(v, s);
    requires ok: VSetOkAt(v, s, k);
    requires new: NewVma(v, id);
    requires point: InsertPoint(v, s, k, i, v->vma[id].vm_start, v->vma[id].vm_end);
    requires last: i < LeafNr(v, s, k) ==> s->last_end[k] == VEnd(v, s, k, LeafNr(v, s, k) - 1);
    assigns v->leaves[s->leaf[k]], s->last_end[k], s->max_gap[k .. s->nr_leaves - 1],
	s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
    ensures nr: LeafNr(v, s, k) == \old(LeafNr(v, s, k)) + 1;
    ensures at: SlotId(v, s, k, i) == id;
    ensures member: InVSet(v, s, id);
    ensures shape: VSetShape(v, s);
    ensures distinct: LeavesDistinct(s);
    ensures copies: CopiesOk(v, s);
    ensures vmas: VmasOk(v, s);
    ensures sorted: VSorted(v, s);
    ensures last_ends: LastEnds(v, s);
    ensures members: MembersKept{Pre, Post}(v, s);
    ensures ranges: RangesKept{Pre, Post}(v);
*/
static void leaf_insert(struct vma_pool *v, struct vma_set *s, uint32_t k, uint32_t i, uint32_t id)
{
	bool append = i == v->leaves[s->leaf[k]].nr;
	uint64_t split = append ? 0 : slot_gap(v, s, k, i); /* the gap the VMA goes into */

	leaf_insert_slot(v, s, k, i, id);
	/*@ assert inserted: InSet(v, s, k, i) && SlotId(v, s, k, i) == id; */
	/* The VMA cut one gap in two smaller ones: the leaf's largest gap changes only if it
	 * was that one. An append moves last_end (and the next leaf's first gap). */
	if (append || split >= s->max_gap[k]) {
		leaf_refresh(v, s, k);
		/*@ assert vmas: VmasOk(v, s); */
		/*@ assert copies_start: \forall integer k2, x; InSet(v, s, k2, x) ==>
			v->vma[SlotId(v, s, k2, x)].vm_start == VStart(v, s, k2, x); */
		/*@ assert copies_end: \forall integer k2, x; InSet(v, s, k2, x) ==>
			v->vma[SlotId(v, s, k2, x)].vm_end == VEnd(v, s, k2, x); */
		/*@ assert copies: CopiesOk(v, s); */
		/*@ assert sorted: VSorted(v, s); */
		/*@ assert last_k: s->last_end[k] == VEnd(v, s, k, LeafNr(v, s, k) - 1); */
		/*@ assert last_others: \forall integer j; 0 <= j < s->nr_leaves && j != k ==>
			s->last_end[j] == VEnd(v, s, j, LeafNr(v, s, j) - 1); */
		/*@ assert last_ends: LastEnds(v, s); */
		/*@ assert ranges_refreshed: RangesKept{Pre, Here}(v); */
	}
	/*@ assert member: InSet(v, s, k, i) && SlotId(v, s, k, i) == id; */
	/*@ assert members: MembersKept{Pre, Here}(v, s); */
	/*@ assert ranges: RangesKept{Pre, Here}(v); */
}

/*@ axiomatic EmptyFacts {
  // A set of one leaf, empty.
  predicate OneEmptyLeaf(struct vma_pool *v, struct vma_set *s) =
    s->nr_leaves == 1 && s->leaf[0] < VMA_LEAF_POOL && LeafNr(v, s, 0) == 0;

  lemma Empty_None{L}: \forall struct vma_pool *v, struct vma_set *s;
    OneEmptyLeaf(v, s) ==> \forall integer k, i; !InSet(v, s, k, i);

  lemma Empty_Ok_At{L}: \forall struct vma_pool *v, struct vma_set *s;
    OneEmptyLeaf(v, s) ==> VSetOkAt(v, s, 0);

  lemma Empty_Point{L}: \forall struct vma_pool *v, struct vma_set *s;
    OneEmptyLeaf(v, s) ==> \forall integer a, b; InsertPoint(v, s, 0, 0, a, b);
  } */

/* The first leaf of an empty set: one empty leaf, where any VMA goes. */
/*@ requires valid: \valid(v) && \valid(s);
    requires sep: \separated(v, s);
    requires empty: s->nr_leaves == 0;
    requires pool: VPoolOk(v);
    requires avail: LeafAvail(v);
    assigns v->leaf_free, v->leaf_used, v->nr_leaves, v->leaves[NextLeaf(v)].nr,
	v->leaves[NextLeaf(v)].next_free, s->leaf[0 .. VMA_MAX_LEAVES - 1],
	s->last_end[0 .. VMA_MAX_LEAVES - 1], s->max_gap[0 .. VMA_MAX_LEAVES - 1], s->nr_leaves,
	s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
    ensures ok: VSetOkAt(v, s, 0) && LeafNr(v, s, 0) == 0;
    ensures point: \forall integer a, b; InsertPoint(v, s, 0, 0, a, b);
    ensures leaf: s->leaf[0] == \old(NextLeaf(v)) && s->nr_leaves == 1;
    VMA_VMAS_KEPT
*/
static void vma_set_open_first(struct vma_pool *v, struct vma_set *s)
{
	uint32_t leaf = leaf_take(v);

	/*@ assert vmas_taken: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
		v->vma[x].vm_start == \at(v->vma[x].vm_start, Pre) &&
		v->vma[x].vm_end == \at(v->vma[x].vm_end, Pre); */
	/*@ ghost Taken:; */
	top_open(s, 0, leaf);
	/*@ assert vmas_opened: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
		v->vma[x].vm_start == \at(v->vma[x].vm_start, Taken) &&
		v->vma[x].vm_end == \at(v->vma[x].vm_end, Taken); */
	/*@ assert one: OneEmptyLeaf(v, s) && s->leaf[0] == leaf; */
}

int vma_set_insert(struct vma_pool *v, struct vma_set *s, uint32_t id)
{
	return vma_set_insert_at(v, s, id, vma_lookup_pos(v, s, v->vma[id].vm_start));
}

int vma_set_insert_at(struct vma_pool *v, struct vma_set *s, uint32_t id, struct vma_pos pos)
{
	/* One leaf_insert() call in each of the three cases (an empty set, a full leaf, a
	 * leaf with room): the call's assigns are then checked on one path each. */
	if (!vma_set_room(v, s, 1))
		return -ENOMEM;
	if (s->nr_leaves == 0) {
		vma_set_open_first(v, s);
		/*@ assert ok_at: VSetOkAt(v, s, 0) && NewVma(v, id); */
		/*@ assert point_empty: InsertPoint(v, s, 0, 0, v->vma[id].vm_start, v->vma[id].vm_end); */
		/*@ assert leaf_from: s->leaf[0] == \at(NextLeaf(v), Pre) && s->nr_leaves == 1; */
		leaf_insert(v, s, 0, 0, id);
		/*@ assert members_empty: MembersKept{Pre, Here}(v, s); */
		/*@ assert ranges_empty: RangesKept{Pre, Here}(v); */
	} else {
		if (pos.leaf == s->nr_leaves) { /* above every VMA: append to the last leaf */
			pos.leaf = s->nr_leaves - 1;
			pos.slot = v->leaves[s->leaf[pos.leaf]].nr;
		}
		/*@ assert point: InsertPoint(v, s, pos.leaf, pos.slot, v->vma[id].vm_start,
					      v->vma[id].vm_end); */
		if (v->leaves[s->leaf[pos.leaf]].nr == VMA_LEAF_SLOTS) {
			uint32_t half = VMA_LEAF_SLOTS / 2, k = pos.leaf, i = pos.slot;

			leaf_split(v, s, k);
			/* A label for the annotations below (state after the split). */
		Split:
			__attribute__((unused));
			/*@ assert split_point: i < half ?
				InsertPoint(v, s, k, i, v->vma[id].vm_start, v->vma[id].vm_end) :
				InsertPoint(v, s, k + 1, i - half, v->vma[id].vm_start, v->vma[id].vm_end); */
			if (i >= half) {
				pos.leaf = k + 1;
				pos.slot = i - half;
				/* As end_k1 in leaf_refresh_pair(): k + 1 and i - half without the wrap. */
				/*@ assert moved: pos.leaf == k + 1 && pos.slot == i - half; */
			}
			/*@ assert split_ok: VSetShape(v, s) && LeavesDistinct(s) && CopiesOk(v, s) &&
				VmasOk(v, s) && VSorted(v, s) && LastEnds(v, s) && NewVma(v, id) &&
				pos.leaf < s->nr_leaves && LeafNr(v, s, pos.leaf) < VMA_LEAF_SLOTS; */
			/*@ assert point_split: InsertPoint(v, s, pos.leaf, pos.slot, v->vma[id].vm_start,
							    v->vma[id].vm_end); */
			/*@ assert ok_split: VSetOkAt(v, s, pos.leaf); */
			/* For the assigns: the leaf written is leaf k as it was, or the new one. */
			/*@ assert leaf_from: \let kk = k; kk < \at(s->nr_leaves, Pre) &&
				(i >= half ==> s->leaf[pos.leaf] == \at(NextLeaf(v), Pre)) &&
				(i < half ==> s->leaf[pos.leaf] == \at(s->leaf[kk], Pre)); */
			/*@ assert top_range: pos.leaf < s->nr_leaves <= VMA_MAX_LEAVES; */
			leaf_insert(v, s, pos.leaf, pos.slot, id);
			/*@ assert members_split: MembersKept{Pre, Split}(v, s); */
			/*@ assert members_after: MembersKept{Split, Here}(v, s); */
			/*@ assert members_full: MembersKept{Pre, Here}(v, s); */
			/*@ assert ranges_split: RangesKept{Pre, Split}(v); */
			/*@ assert ranges_full: RangesKept{Pre, Here}(v); */
		} else {
			/*@ assert room_ok: VSetShape(v, s) && LeavesDistinct(s) && CopiesOk(v, s) &&
				VmasOk(v, s) && VSorted(v, s) && LastEnds(v, s) && NewVma(v, id) &&
				pos.leaf < s->nr_leaves && LeafNr(v, s, pos.leaf) < VMA_LEAF_SLOTS; */
			/*@ assert ok_room: VSetOkAt(v, s, pos.leaf); */
			/*@ assert leaf_from: \let kk = pos.leaf; s->leaf[kk] == \at(s->leaf[kk], Pre) &&
				kk < \at(s->nr_leaves, Pre); */
			/*@ assert top_range: pos.leaf < s->nr_leaves <= VMA_MAX_LEAVES; */
			leaf_insert(v, s, pos.leaf, pos.slot, id);
			/*@ assert members_room: MembersKept{Pre, Here}(v, s); */
			/*@ assert ranges_room: RangesKept{Pre, Here}(v); */
		}
	}
	/*@ assert members: MembersKept{Pre, Here}(v, s); */
	/*@ assert ranges: RangesKept{Pre, Here}(v); */
	s->nr_vmas++;
	return 0;
}

void vma_set_remove(struct vma_pool *v, struct vma_set *s, uint32_t id)
{
	struct vma_pos pos = vma_lookup_pos(v, s, v->vma[id].vm_start);

	/*@ assert at: InSet(v, s, pos.leaf, pos.slot) && SlotId(v, s, pos.leaf, pos.slot) == id; */
	vma_set_remove_at(v, s, pos);
}

/*
 * Lemmas of the removal, here rather than in vma.acsl: a lemma is a hypothesis of every
 * goal after it, and the lookups above do not need these.
 */
/*@
  // The converse: leaf kk full enough again, with its last_end current.
  lemma At_Ok{L}: \forall struct vma_pool *v, struct vma_set *s, integer kk;
    VSetOkAt(v, s, kk) && 1 <= LeafNr(v, s, kk) &&
    s->last_end[kk] == VEnd(v, s, kk, LeafNr(v, s, kk) - 1) ==> VSetOk(v, s);

  // A descriptor sits at one position at most (two positions with one descriptor would
  // have one range twice, and ranges are non-empty and disjoint).
  lemma Ids_Unique{L}: \forall struct vma_pool *v, struct vma_set *s;
    CopiesOk(v, s) && VmasOk(v, s) && VSorted(v, s) ==> \forall integer k1, i1, k2, i2;
      InSet(v, s, k1, i1) && InSet(v, s, k2, i2) && SlotId(v, s, k1, i1) == SlotId(v, s, k2, i2) ==>
	k1 == k2 && i1 == i2;
*/

/*@ axiomatic MoveFacts {
  // Each step of a removal moves one block of the set's positions and keeps the others:
  // a position (j, x) at L2 with lo <= j <= hi and x >= b was at (j + dj, x + dx) at L1,
  // any other was where it is. leaf_delete() at (k, i) is the move (k, k, i, 0, 1),
  // leaf_drop() of top index k is (k, VMA_MAX_LEAVES, 0, 1, 0), and leaf_fold() of leaf
  // a + 1 into leaf a, which held na VMAs, is (a, a, na, 1, -na). What a move keeps (the
  // set's order, its ids, the copies of the ranges, its members) is stated once, here.
  logic integer OldLeaf(integer j, integer x, integer lo, integer hi, integer b, integer dj) =
    lo <= j <= hi && x >= b ? j + dj : j;
  logic integer OldSlot(integer j, integer x, integer lo, integer hi, integer b, integer dx) =
    lo <= j <= hi && x >= b ? x + dx : x;

  predicate Moved{L1, L2}(struct vma_pool *v, struct vma_set *s, integer lo, integer hi,
			  integer b, integer dj, integer dx) =
    (\forall integer j, x; \at(InSet(v, s, j, x), L2) ==>
      \at(InSet(v, s, OldLeaf(j, x, lo, hi, b, dj), OldSlot(j, x, lo, hi, b, dx)), L1)) &&
    (\forall integer j, x; \at(InSet(v, s, j, x), L2) ==> \at(SlotId(v, s, j, x), L2) ==
      \at(SlotId(v, s, OldLeaf(j, x, lo, hi, b, dj), OldSlot(j, x, lo, hi, b, dx)), L1)) &&
    (\forall integer j, x; \at(InSet(v, s, j, x), L2) ==> \at(VStart(v, s, j, x), L2) ==
      \at(VStart(v, s, OldLeaf(j, x, lo, hi, b, dj), OldSlot(j, x, lo, hi, b, dx)), L1)) &&
    (\forall integer j, x; \at(InSet(v, s, j, x), L2) ==> \at(VEnd(v, s, j, x), L2) ==
      \at(VEnd(v, s, OldLeaf(j, x, lo, hi, b, dj), OldSlot(j, x, lo, hi, b, dx)), L1));

  // The move keeps the order of the set's positions at L (each kind shows it below).
  predicate MoveOrdered{L}(struct vma_pool *v, struct vma_set *s, integer lo, integer hi,
			   integer b, integer dj, integer dx) =
    \forall integer j1, x1, j2, x2;
      InSet(v, s, j1, x1) && InSet(v, s, j2, x2) && PosLt(j1, x1, j2, x2) ==>
	PosLt(OldLeaf(j1, x1, lo, hi, b, dj), OldSlot(j1, x1, lo, hi, b, dx),
	      OldLeaf(j2, x2, lo, hi, b, dj), OldSlot(j2, x2, lo, hi, b, dx));

  lemma Moved_In{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer lo, hi, b, dj, dx;
    Moved{L1, L2}(v, s, lo, hi, b, dj, dx) ==> \forall integer j, x; \at(InSet(v, s, j, x), L2) ==>
      \at(InSet(v, s, OldLeaf(j, x, lo, hi, b, dj), OldSlot(j, x, lo, hi, b, dx)), L1);

  // Two VMAs at L2 whose old positions are in order: their old ranges are (VSorted at L1).
  lemma Moved_Order{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer lo, hi, b, dj, dx;
    VSorted{L1}(v, s) && Moved{L1, L2}(v, s, lo, hi, b, dj, dx) ==> \forall integer j1, x1, j2, x2;
      \at(InSet(v, s, j1, x1), L2) && \at(InSet(v, s, j2, x2), L2) &&
      PosLt(OldLeaf(j1, x1, lo, hi, b, dj), OldSlot(j1, x1, lo, hi, b, dx),
	    OldLeaf(j2, x2, lo, hi, b, dj), OldSlot(j2, x2, lo, hi, b, dx)) ==>
	\at(VEnd(v, s, OldLeaf(j1, x1, lo, hi, b, dj), OldSlot(j1, x1, lo, hi, b, dx)), L1) <=
	\at(VStart(v, s, OldLeaf(j2, x2, lo, hi, b, dj), OldSlot(j2, x2, lo, hi, b, dx)), L1);

  lemma Moved_Sorted{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer lo, hi, b, dj, dx;
    VSorted{L1}(v, s) && Moved{L1, L2}(v, s, lo, hi, b, dj, dx) &&
    MoveOrdered{L2}(v, s, lo, hi, b, dj, dx) ==> VSorted{L2}(v, s);

  lemma Moved_Vmas{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer lo, hi, b, dj, dx;
    VmasOk{L1}(v, s) && Moved{L1, L2}(v, s, lo, hi, b, dj, dx) ==> VmasOk{L2}(v, s);

  lemma Moved_Ids{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer lo, hi, b, dj, dx;
    (\forall integer j, x; \at(InSet(v, s, j, x), L1) ==> \at(SlotId(v, s, j, x), L1) < VMA_POOL_SIZE) &&
    Moved{L1, L2}(v, s, lo, hi, b, dj, dx) ==>
      \forall integer j, x; \at(InSet(v, s, j, x), L2) ==> \at(SlotId(v, s, j, x), L2) < VMA_POOL_SIZE;

  // The descriptors' ranges did not change, so their copies are still right.
  lemma Moved_Copies{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer lo, hi, b, dj, dx;
    CopiesOk{L1}(v, s) && Moved{L1, L2}(v, s, lo, hi, b, dj, dx) &&
    (\forall integer j, x; \at(InSet(v, s, j, x), L1) ==> \at(SlotId(v, s, j, x), L1) < VMA_POOL_SIZE) &&
    (\forall integer x; 0 <= x < VMA_POOL_SIZE ==>
      \at(v->vma[x].vm_start, L2) == \at(v->vma[x].vm_start, L1) &&
      \at(v->vma[x].vm_end, L2) == \at(v->vma[x].vm_end, L1)) ==> CopiesOk{L2}(v, s);

  lemma Moved_Members{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer lo, hi, b, dj, dx;
    Moved{L1, L2}(v, s, lo, hi, b, dj, dx) ==> \forall integer id;
      \at(InVSet(v, s, id), L2) ==> \at(InVSet(v, s, id), L1);

  // The fold (leaf_fold_pool(a)): leaf a's slots from na on (na: its count before) were
  // leaf a + 1's. Here rather than in a block of its own: a block without a symbol of its
  // own would put its lemmas in every goal after it (docs/proofs.md, lesson 25).
  lemma Fold_Same: \forall integer j, x, a, na; j != a || x < na ==>
    OldLeaf(j, x, a, a, na, 1) == j && OldSlot(j, x, a, a, na, -na) == x;
  lemma Fold_Shift: \forall integer j, x, a, na; j == a && x >= na ==>
    OldLeaf(j, x, a, a, na, 1) == a + 1 && OldSlot(j, x, a, a, na, -na) == x - na;

  // The move keeps the order of the positions once leaf a + 1 is empty.
  lemma Fold_PosLt: \forall integer j1, x1, j2, x2, a, na;
    j1 != a + 1 && j2 != a + 1 && PosLt(j1, x1, j2, x2) ==>
      PosLt(OldLeaf(j1, x1, a, a, na, 1), OldSlot(j1, x1, a, a, na, -na),
	    OldLeaf(j2, x2, a, a, na, 1), OldSlot(j2, x2, a, a, na, -na));

  // Leaf a + 1 is empty at L: no position of the set is in it.
  lemma Fold_Not_Next{L}: \forall struct vma_pool *v, struct vma_set *s, integer a;
    LeafNr(v, s, a + 1) == 0 ==> \forall integer j, x; InSet(v, s, j, x) ==> j != a + 1;

  lemma Fold_Ordered{L}: \forall struct vma_pool *v, struct vma_set *s, integer a, na;
    LeafNr(v, s, a + 1) == 0 ==> MoveOrdered(v, s, a, a, na, 1, -na);
  } */

/*@ axiomatic DeleteFacts {
  // The ranges of the set at L2 are those at L1 without position (k, i): the slots of leaf
  // k above i move down by one, the other leaves keep theirs.
  predicate DeletedRanges{L1, L2}(struct vma_pool *v, struct vma_set *s, integer k, integer i) =
    \at(s->nr_leaves, L2) == \at(s->nr_leaves, L1) && 0 <= k < \at(s->nr_leaves, L1) &&
    0 <= i < \at(LeafNr(v, s, k), L1) &&
    \at(LeafNr(v, s, k), L2) == \at(LeafNr(v, s, k), L1) - 1 &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L1) && j != k ==>
      \at(LeafNr(v, s, j), L2) == \at(LeafNr(v, s, j), L1)) &&
    (\forall integer j, x; 0 <= j < \at(s->nr_leaves, L1) && j != k &&
      0 <= x < \at(LeafNr(v, s, j), L1) ==>
      \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, j, x), L1)) &&
    (\forall integer j, x; 0 <= j < \at(s->nr_leaves, L1) && j != k &&
      0 <= x < \at(LeafNr(v, s, j), L1) ==>
      \at(VStart(v, s, j, x), L2) == \at(VStart(v, s, j, x), L1)) &&
    (\forall integer j, x; 0 <= j < \at(s->nr_leaves, L1) && j != k &&
      0 <= x < \at(LeafNr(v, s, j), L1) ==>
      \at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, j, x), L1)) &&
    (\forall integer x; 0 <= x < i ==> \at(SlotId(v, s, k, x), L2) == \at(SlotId(v, s, k, x), L1)) &&
    (\forall integer x; 0 <= x < i ==> \at(VStart(v, s, k, x), L2) == \at(VStart(v, s, k, x), L1)) &&
    (\forall integer x; 0 <= x < i ==> \at(VEnd(v, s, k, x), L2) == \at(VEnd(v, s, k, x), L1)) &&
    (\forall integer x; i <= x < \at(LeafNr(v, s, k), L2) ==>
      \at(SlotId(v, s, k, x), L2) == \at(SlotId(v, s, k, x + 1), L1)) &&
    (\forall integer x; i <= x < \at(LeafNr(v, s, k), L2) ==>
      \at(VStart(v, s, k, x), L2) == \at(VStart(v, s, k, x + 1), L1)) &&
    (\forall integer x; i <= x < \at(LeafNr(v, s, k), L2) ==>
      \at(VEnd(v, s, k, x), L2) == \at(VEnd(v, s, k, x + 1), L1));

  // The deletion as a move (MoveFacts): the slots of leaf k from i on were one further.
  lemma Delete_PosLt: \forall integer k1, x1, k2, x2, k, i;
    PosLt(k1, x1, k2, x2) ==>
      PosLt(OldLeaf(k1, x1, k, k, i, 0), OldSlot(k1, x1, k, k, i, 1),
	    OldLeaf(k2, x2, k, k, i, 0), OldSlot(k2, x2, k, k, i, 1));

  lemma Delete_Ordered{L}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
    MoveOrdered(v, s, k, k, i, 0, 1);

  lemma Delete_Leaf: \forall integer j, x, k, i; OldLeaf(j, x, k, k, i, 0) == j;
  lemma Delete_Same: \forall integer j, x, k, i; j != k || x < i ==> OldSlot(j, x, k, k, i, 1) == x;
  lemma Delete_Shift: \forall integer j, x, k, i; j == k && x >= i ==> OldSlot(j, x, k, k, i, 1) == x + 1;

  lemma Delete_Not: \forall integer x, k, i; OldSlot(k, x, k, k, i, 1) != i;

  // Where each position of the set at L2 was at L1, one lemma a fact (lesson 25).
  lemma Deleted_Old_In{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
    DeletedRanges{L1, L2}(v, s, k, i) ==> \forall integer j, x;
      \at(InSet(v, s, j, x), L2) ==> \at(InSet(v, s, j, OldSlot(j, x, k, k, i, 1)), L1);

  lemma Deleted_Old_Id{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
    DeletedRanges{L1, L2}(v, s, k, i) ==> \forall integer j, x;
      \at(InSet(v, s, j, x), L2) ==>
	\at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, j, OldSlot(j, x, k, k, i, 1)), L1);

  lemma Deleted_Old_Start{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
    DeletedRanges{L1, L2}(v, s, k, i) ==> \forall integer j, x;
      \at(InSet(v, s, j, x), L2) ==>
	\at(VStart(v, s, j, x), L2) == \at(VStart(v, s, j, OldSlot(j, x, k, k, i, 1)), L1);

  lemma Deleted_Old_End{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
    DeletedRanges{L1, L2}(v, s, k, i) ==> \forall integer j, x;
      \at(InSet(v, s, j, x), L2) ==>
	\at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, j, OldSlot(j, x, k, k, i, 1)), L1);

  lemma Deleted_Moved{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
    DeletedRanges{L1, L2}(v, s, k, i) ==> Moved{L1, L2}(v, s, k, k, i, 0, 1);

  // The descriptor that was at (k, i) is in the set no more (Ids_Unique at L1).
  lemma Delete_Removed{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
    (\forall integer k1, i1, k2, i2; \at(InSet(v, s, k1, i1), L1) && \at(InSet(v, s, k2, i2), L1) &&
      \at(SlotId(v, s, k1, i1), L1) == \at(SlotId(v, s, k2, i2), L1) ==> k1 == k2 && i1 == i2) &&
    \at(InSet(v, s, k, i), L1) && Moved{L1, L2}(v, s, k, k, i, 0, 1) ==>
      \forall integer j, x; \at(InSet(v, s, j, x), L2) ==>
	\at(SlotId(v, s, j, x), L2) != \at(SlotId(v, s, k, i), L1);

  lemma Delete_Gone{L}: \forall struct vma_pool *v, struct vma_set *s, integer id;
    (\forall integer j, x; InSet(v, s, j, x) ==> SlotId(v, s, j, x) != id) ==> !InVSet(v, s, id);
  } */

/*
 * The pool half of leaf_delete(): leaf_shift_down() and the new count on leaf k's pool
 * leaf, with what they did stated over the set (which they only read), in a context
 * without the set's order (lesson 24).
 */
/*@ requires valid: \valid(v) && \valid_read(s);
    requires sep: \separated(v, s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    requires leaves: \forall integer j; 0 <= j < s->nr_leaves ==> s->leaf[j] < VMA_LEAF_POOL;
    requires distinct: LeavesDistinct(s);
    requires pos: i < LeafNr(v, s, k) <= VMA_LEAF_SLOTS;
    requires pool: VPoolOk(v);
    assigns v->leaves[s->leaf[k]].slot[0 .. VMA_LEAF_SLOTS - 1],
	v->leaves[s->leaf[k]].start[0 .. VMA_LEAF_SLOTS - 1],
	v->leaves[s->leaf[k]].end[0 .. VMA_LEAF_SLOTS - 1], v->leaves[s->leaf[k]].nr;
    ensures pool: VPoolOk(v);
    ensures used: v->leaf_used == \old(v->leaf_used);
    ensures top: s->nr_leaves == \old(s->nr_leaves) &&
	\forall integer x; 0 <= x < VMA_MAX_LEAVES ==> s->leaf[x] == \old(s->leaf[x]) &&
	s->last_end[x] == \old(s->last_end[x]);
    ensures distinct: LeavesDistinct(s);
    VMA_VMAS_KEPT
    ensures nr: LeafNr(v, s, k) == \old(LeafNr(v, s, k)) - 1;
    ensures low: \forall integer x; 0 <= x < i ==> SlotId(v, s, k, x) == \old(SlotId(v, s, k, x)) &&
	VStart(v, s, k, x) == \old(VStart(v, s, k, x)) && VEnd(v, s, k, x) == \old(VEnd(v, s, k, x));
    ensures high: \forall integer x; i <= x < LeafNr(v, s, k) ==>
	SlotId(v, s, k, x) == \old(SlotId(v, s, k, x + 1)) &&
	VStart(v, s, k, x) == \old(VStart(v, s, k, x + 1)) &&
	VEnd(v, s, k, x) == \old(VEnd(v, s, k, x + 1));
    ensures others_nr: \forall integer k2; 0 <= k2 < s->nr_leaves && k2 != k ==>
	LeafNr(v, s, k2) == \old(LeafNr(v, s, k2));
    ensures others: \forall integer k2, x; 0 <= k2 < s->nr_leaves && k2 != k &&
	0 <= x < VMA_LEAF_SLOTS ==> SlotId(v, s, k2, x) == \old(SlotId(v, s, k2, x)) &&
	VStart(v, s, k2, x) == \old(VStart(v, s, k2, x)) && VEnd(v, s, k2, x) == \old(VEnd(v, s, k2, x));
*/
static void leaf_delete_pool(struct vma_pool *v, const struct vma_set *s, uint32_t k, uint32_t i)
{
	struct vma_leaf *l = &v->leaves[s->leaf[k]];

	/*@ assert leaf: s->leaf[k] < VMA_LEAF_POOL; */
	/*@ assert apart_top: \separated(&s->nr_leaves, l) && \forall integer x;
		0 <= x < VMA_MAX_LEAVES ==> \separated(&s->leaf[x], l) && \separated(&s->last_end[x], l); */
	leaf_shift_down(v, s->leaf[k], i, l->nr);
	leaf_set_nr(v, s->leaf[k], l->nr - 1);
	/*@ assert pool_kept_nr: \forall integer z; 0 <= z < VMA_LEAF_POOL && z != s->leaf[k] ==>
		v->leaves[z].nr == \at(v->leaves[z].nr, Pre); */
	/*@ assert pool_kept: \forall integer z, x; 0 <= z < VMA_LEAF_POOL && z != s->leaf[k] &&
		0 <= x < VMA_LEAF_SLOTS ==>
		v->leaves[z].slot[x] == \at(v->leaves[z].slot[x], Pre) &&
		v->leaves[z].start[x] == \at(v->leaves[z].start[x], Pre) &&
		v->leaves[z].end[x] == \at(v->leaves[z].end[x], Pre); */
	/*@ assert top: s->nr_leaves == \at(s->nr_leaves, Pre) &&
		\forall integer x; 0 <= x < VMA_MAX_LEAVES ==> s->leaf[x] == \at(s->leaf[x], Pre) &&
		s->last_end[x] == \at(s->last_end[x], Pre); */
	/*@ assert distinct: LeavesDistinct(s); */
	/*@ assert vmas_kept: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
		v->vma[x].vm_start == \at(v->vma[x].vm_start, Pre) &&
		v->vma[x].vm_end == \at(v->vma[x].vm_end, Pre); */
	/*@ assert nr: LeafNr(v, s, k) == \at(LeafNr(v, s, k), Pre) - 1; */
	/*@ assert low: \forall integer x; 0 <= x < i ==>
		SlotId(v, s, k, x) == \at(SlotId(v, s, k, x), Pre) &&
		VStart(v, s, k, x) == \at(VStart(v, s, k, x), Pre) &&
		VEnd(v, s, k, x) == \at(VEnd(v, s, k, x), Pre); */
	/*@ assert high: \forall integer x; i <= x < LeafNr(v, s, k) ==>
		SlotId(v, s, k, x) == \at(SlotId(v, s, k, x + 1), Pre) &&
		VStart(v, s, k, x) == \at(VStart(v, s, k, x + 1), Pre) &&
		VEnd(v, s, k, x) == \at(VEnd(v, s, k, x + 1), Pre); */
	/*@ assert others_apart: \forall integer j; 0 <= j < s->nr_leaves && j != k ==>
		s->leaf[j] != s->leaf[k] && s->leaf[j] < VMA_LEAF_POOL; */
	/*@ assert others_nr: \forall integer k2; 0 <= k2 < s->nr_leaves && k2 != k ==>
		LeafNr(v, s, k2) == \at(LeafNr(v, s, k2), Pre); */
	/*@ assert others: \forall integer k2, x; 0 <= k2 < s->nr_leaves && k2 != k && 0 <= x < VMA_LEAF_SLOTS ==>
		SlotId(v, s, k2, x) == \at(SlotId(v, s, k2, x), Pre) &&
		VStart(v, s, k2, x) == \at(VStart(v, s, k2, x), Pre) &&
		VEnd(v, s, k2, x) == \at(VEnd(v, s, k2, x), Pre); */
	//@ ghost vpool_ok(v);
}

/*@ axiomatic RemovalMembers {
  // Every descriptor in the set at L1 but gone is in it at L2: what a removal keeps
  // (vma.h's members of vma_set_remove_at()).
  predicate MembersKeptBut{L1, L2}(struct vma_pool *v, struct vma_set *s, integer gone) =
    \forall integer id; \at(InVSet(v, s, id), L1) && id != gone ==> \at(InVSet(v, s, id), L2);

  lemma MembersBut_Trans{L1, L2, L3}: \forall struct vma_pool *v, struct vma_set *s, integer g;
    MembersKeptBut{L1, L2}(v, s, g) && MembersKept{L2, L3}(v, s) ==> MembersKeptBut{L1, L3}(v, s, g);

  // The deletion forward, where each other position of the set at L1 went: the slots of
  // leaf k below i and the other leaves stay, the slots above i moved down by one.
  lemma Deleted_Keep_Same{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
    DeletedRanges{L1, L2}(v, s, k, i) ==> \forall integer j, x;
      \at(InSet(v, s, j, x), L1) && (j != k || x < i) ==>
	\at(InSet(v, s, j, x), L2) && \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, j, x), L1);

  lemma Deleted_Keep_Down{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
    DeletedRanges{L1, L2}(v, s, k, i) ==> \forall integer x;
      \at(InSet(v, s, k, x), L1) && x > i ==>
	\at(InSet(v, s, k, x - 1), L2) && \at(SlotId(v, s, k, x - 1), L2) == \at(SlotId(v, s, k, x), L1);

  lemma Deleted_Members{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
    DeletedRanges{L1, L2}(v, s, k, i) ==> MembersKeptBut{L1, L2}(v, s, \at(SlotId(v, s, k, i), L1));
  } */

/*
 * Take slot i out of leaf k, moving the slots above it down. The leaf may be empty then,
 * and its last_end is stale when i was its last slot.
 */
/*@ requires valid: \valid(v) && \valid_read(s);
    requires sep: \separated(v, s);
    requires ok: VSetOk(v, s);
    requires pos: InSet(v, s, k, i);
    requires pool: VPoolOk(v);
    requires owned: LeavesOwned(v, s);
    assigns v->leaves[s->leaf[k]].slot[0 .. VMA_LEAF_SLOTS - 1],
	v->leaves[s->leaf[k]].start[0 .. VMA_LEAF_SLOTS - 1],
	v->leaves[s->leaf[k]].end[0 .. VMA_LEAF_SLOTS - 1], v->leaves[s->leaf[k]].nr;
    ensures pool: VPoolOk(v);
    ensures owned: LeavesOwned(v, s);
    ensures nr: LeafNr(v, s, k) == \old(LeafNr(v, s, k)) - 1;
    ensures ok: VSetOkAt(v, s, k);
    ensures last: i < LeafNr(v, s, k) ==> s->last_end[k] == VEnd(v, s, k, LeafNr(v, s, k) - 1);
    ensures removed: !InVSet(v, s, \old(SlotId(v, s, k, i)));
    ensures members: MembersKeptBut{Pre, Post}(v, s, \old(SlotId(v, s, k, i)));
    ensures ranges: RangesKept{Pre, Post}(v);
*/
static void leaf_delete(struct vma_pool *v, const struct vma_set *s, uint32_t k, uint32_t i)
{
	leaf_delete_pool(v, s, k, i);
	/* DeletedRanges a part at a time: the frame of the other leaves is stated up to
	 * VMA_LEAF_SLOTS, the predicate up to each leaf's count. */
	/*@ assert del_nr: s->nr_leaves == \at(s->nr_leaves, Pre) && 0 <= k < \at(s->nr_leaves, Pre) &&
		0 <= i < \at(LeafNr(v, s, k), Pre) && LeafNr(v, s, k) == \at(LeafNr(v, s, k), Pre) - 1 &&
		(\forall integer j; 0 <= j < \at(s->nr_leaves, Pre) && j != k ==>
			LeafNr(v, s, j) == \at(LeafNr(v, s, j), Pre)); */
	/*@ assert del_fit: \forall integer j; 0 <= j < \at(s->nr_leaves, Pre) ==>
		\at(LeafNr(v, s, j), Pre) <= VMA_LEAF_SLOTS; */
	/*@ assert del_other_id: \forall integer j, x; 0 <= j < \at(s->nr_leaves, Pre) && j != k &&
		0 <= x < \at(LeafNr(v, s, j), Pre) ==> SlotId(v, s, j, x) == \at(SlotId(v, s, j, x), Pre); */
	/*@ assert del_other_start: \forall integer j, x; 0 <= j < \at(s->nr_leaves, Pre) && j != k &&
		0 <= x < \at(LeafNr(v, s, j), Pre) ==> VStart(v, s, j, x) == \at(VStart(v, s, j, x), Pre); */
	/*@ assert del_other_end: \forall integer j, x; 0 <= j < \at(s->nr_leaves, Pre) && j != k &&
		0 <= x < \at(LeafNr(v, s, j), Pre) ==> VEnd(v, s, j, x) == \at(VEnd(v, s, j, x), Pre); */
	/*@ assert del_low_id: \forall integer x; 0 <= x < i ==> SlotId(v, s, k, x) == \at(SlotId(v, s, k, x), Pre); */
	/*@ assert del_low_start: \forall integer x; 0 <= x < i ==> VStart(v, s, k, x) == \at(VStart(v, s, k, x), Pre); */
	/*@ assert del_low_end: \forall integer x; 0 <= x < i ==> VEnd(v, s, k, x) == \at(VEnd(v, s, k, x), Pre); */
	/*@ assert del_high_id: \forall integer x; i <= x < LeafNr(v, s, k) ==>
		SlotId(v, s, k, x) == \at(SlotId(v, s, k, x + 1), Pre); */
	/*@ assert del_high_start: \forall integer x; i <= x < LeafNr(v, s, k) ==>
		VStart(v, s, k, x) == \at(VStart(v, s, k, x + 1), Pre); */
	/*@ assert del_high_end: \forall integer x; i <= x < LeafNr(v, s, k) ==>
		VEnd(v, s, k, x) == \at(VEnd(v, s, k, x + 1), Pre); */
	/*@ assert deleted: DeletedRanges{Pre, Here}(v, s, k, i); */
	/*@ assert positions: Moved{Pre, Here}(v, s, k, k, i, 0, 1); */
	/*@ assert ordered: MoveOrdered(v, s, k, k, i, 0, 1); */
	/*@ assert unique: \forall integer k1, i1, k2, i2; \at(InSet(v, s, k1, i1), Pre) &&
		\at(InSet(v, s, k2, i2), Pre) && \at(SlotId(v, s, k1, i1), Pre) == \at(SlotId(v, s, k2, i2), Pre) ==>
		k1 == k2 && i1 == i2; */
	/*@ assert gone: \forall integer j, x; InSet(v, s, j, x) ==> SlotId(v, s, j, x) != \at(SlotId(v, s, k, i), Pre); */
	/*@ assert removed: !InVSet(v, s, \at(SlotId(v, s, k, i), Pre)); */
	/*@ assert shape: s->nr_leaves <= VMA_MAX_LEAVES && 0 <= k < s->nr_leaves &&
		(\forall integer k2; 0 <= k2 < s->nr_leaves ==> s->leaf[k2] < VMA_LEAF_POOL) &&
		(\forall integer k2; 0 <= k2 < s->nr_leaves && k2 != k ==>
			1 <= LeafNr(v, s, k2) <= VMA_LEAF_SLOTS) &&
		LeafNr(v, s, k) < VMA_LEAF_SLOTS; */
	/*@ assert ids: \forall integer k2, x; InSet(v, s, k2, x) ==> SlotId(v, s, k2, x) < VMA_POOL_SIZE; */
	/*@ assert distinct: LeavesDistinct(s); */
	/*@ assert copies: CopiesOk(v, s); */
	/*@ assert vmas: VmasOk(v, s); */
	/*@ assert sorted: VSorted(v, s); */
	/*@ assert ends: \forall integer k2; 0 <= k2 < s->nr_leaves && k2 != k ==>
		s->last_end[k2] == VEnd(v, s, k2, LeafNr(v, s, k2) - 1); */
	/*@ assert ok: VSetOkAt(v, s, k); */
	/*@ assert last_moved: i < LeafNr(v, s, k) ==>
		VEnd(v, s, k, LeafNr(v, s, k) - 1) == \at(VEnd(v, s, k, LeafNr(v, s, k) - 1), Pre); */
	/*@ assert last: i < LeafNr(v, s, k) ==> s->last_end[k] == VEnd(v, s, k, LeafNr(v, s, k) - 1); */
	/*@ assert members: MembersKeptBut{Pre, Here}(v, s, \at(SlotId(v, s, k, i), Pre)); */
	/*@ assert ranges: RangesKept{Pre, Here}(v); */
}

/*@ axiomatic UpFacts {
  // The top-array index at L1 of leaf j at L2, after index k closed. (An axiomatic of its
  // own: a goal about Up alone then has none of DropFacts' lemmas in its context.)
  logic integer Up(integer j, integer k) = j < k ? j : j + 1;

  lemma Up_Not: \forall integer j, k; Up(j, k) != k;
  lemma Up_Lt: \forall integer j1, j2, k; j1 < j2 ==> Up(j1, k) < Up(j2, k);
  lemma Up_PosLt: \forall integer j1, x1, j2, x2, k;
    PosLt(j1, x1, j2, x2) ==> PosLt(Up(j1, k), x1, Up(j2, k), x2);
  } */

/*
 * The top-array and pool half of leaf_drop(): leaf k's place in the top array closed, its
 * pool leaf back on the free list. Stated over the index map Up in a context without the
 * set's order (lesson 24), so that leaf_drop() reads each fact off in one step.
 */
/*@ requires valid: \valid(v) && \valid(s);
    requires sep: \separated(v, s);
    requires k: k < s->nr_leaves <= VMA_MAX_LEAVES;
    requires leaf: s->leaf[k] < v->leaf_used;
    requires pool: VPoolOk(v);
    assigns v->leaves[s->leaf[k]].next_free, v->leaf_free, v->nr_leaves,
	s->leaf[k .. VMA_MAX_LEAVES - 1], s->last_end[k .. VMA_MAX_LEAVES - 1],
	s->max_gap[k .. VMA_MAX_LEAVES - 1], s->nr_leaves, s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
    ensures nr: s->nr_leaves == \old(s->nr_leaves) - 1;
    ensures up: \forall integer j; 0 <= j < s->nr_leaves ==>
	s->leaf[j] == \old(s->leaf[Up(j, k)]) && s->last_end[j] == \old(s->last_end[Up(j, k)]);
    ensures pool: VPoolOk(v);
    ensures used: v->leaf_used == \old(v->leaf_used);
    ensures nrs: \forall integer y; 0 <= y < VMA_LEAF_POOL ==> v->leaves[y].nr == \old(v->leaves[y].nr);
    ensures arrays: \forall integer y, x; 0 <= y < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS ==>
	v->leaves[y].slot[x] == \old(v->leaves[y].slot[x]) &&
	v->leaves[y].start[x] == \old(v->leaves[y].start[x]) &&
	v->leaves[y].end[x] == \old(v->leaves[y].end[x]);
    VMA_VMAS_KEPT
*/
static void leaf_unlink(struct vma_pool *v, struct vma_set *s, uint32_t k)
{
	uint32_t id = s->leaf[k];

	/* The top array first: its postconditions are then over Pre, and leaf_give()'s frame
	 * carries them index for index (lesson 29). */
	top_close_pool(v, s, k);
	/*@ assert closed_up: \forall integer j; 0 <= j < s->nr_leaves ==>
		s->leaf[j] == \at(s->leaf[Up(j, k)], Pre) && s->last_end[j] == \at(s->last_end[Up(j, k)], Pre); */
	/*@ ghost Closed:; */
	leaf_give(v, id);
	/*@ assert given_top: s->nr_leaves == \at(s->nr_leaves, Closed) &&
		\forall integer j; 0 <= j < VMA_MAX_LEAVES ==> s->leaf[j] == \at(s->leaf[j], Closed) &&
		s->last_end[j] == \at(s->last_end[j], Closed); */
}

/*@ axiomatic DropFacts {

  // The set at L2 is the one at L1 without leaf k: the top array closed at k, the pool's
  // leaves as they were.
  predicate DroppedLeaf{L1, L2}(struct vma_pool *v, struct vma_set *s, integer k) =
    0 <= k < \at(s->nr_leaves, L1) && \at(s->nr_leaves, L2) == \at(s->nr_leaves, L1) - 1 &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L1) ==> \at(s->leaf[j], L1) < VMA_LEAF_POOL) &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L2) ==>
      \at(s->leaf[j], L2) == \at(s->leaf[Up(j, k)], L1)) &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L2) ==>
      \at(s->last_end[j], L2) == \at(s->last_end[Up(j, k)], L1)) &&
    (\forall integer y; 0 <= y < VMA_LEAF_POOL ==> \at(v->leaves[y].nr, L2) == \at(v->leaves[y].nr, L1)) &&
    (\forall integer y, x; 0 <= y < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS ==>
      \at(v->leaves[y].slot[x], L2) == \at(v->leaves[y].slot[x], L1)) &&
    (\forall integer y, x; 0 <= y < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS ==>
      \at(v->leaves[y].start[x], L2) == \at(v->leaves[y].start[x], L1)) &&
    (\forall integer y, x; 0 <= y < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS ==>
      \at(v->leaves[y].end[x], L2) == \at(v->leaves[y].end[x], L1));

  // What DroppedLeaf says of the set's terms, one fact a lemma (lesson 25).
  lemma Dropped_Nr{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    DroppedLeaf{L1, L2}(v, s, k) ==> \forall integer j; 0 <= j < \at(s->nr_leaves, L2) ==>
      \at(LeafNr(v, s, j), L2) == \at(LeafNr(v, s, Up(j, k)), L1);

  // Every leaf at L1 within its slots (leaf k may be empty: VSetOkAt, not VSetShape).
  predicate LeavesFit{L}(struct vma_pool *v, struct vma_set *s) =
    \forall integer j; 0 <= j < s->nr_leaves ==> LeafNr(v, s, j) <= VMA_LEAF_SLOTS;

  lemma Dropped_Id{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    DroppedLeaf{L1, L2}(v, s, k) && LeavesFit{L1}(v, s) ==> \forall integer j, x;
      \at(InSet(v, s, j, x), L2) ==> \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, Up(j, k), x), L1);

  lemma Dropped_Start{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    DroppedLeaf{L1, L2}(v, s, k) && LeavesFit{L1}(v, s) ==> \forall integer j, x;
      \at(InSet(v, s, j, x), L2) ==> \at(VStart(v, s, j, x), L2) == \at(VStart(v, s, Up(j, k), x), L1);

  lemma Dropped_End{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    DroppedLeaf{L1, L2}(v, s, k) && LeavesFit{L1}(v, s) ==> \forall integer j, x;
      \at(InSet(v, s, j, x), L2) ==> \at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, Up(j, k), x), L1);

  // The four in one predicate, over the positions of the set at L2.
  predicate DropPositions{L1, L2}(struct vma_pool *v, struct vma_set *s, integer k) =
    \at(s->nr_leaves, L2) == \at(s->nr_leaves, L1) - 1 &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L2) ==>
      \at(LeafNr(v, s, j), L2) == \at(LeafNr(v, s, Up(j, k)), L1)) &&
    (\forall integer j, x; \at(InSet(v, s, j, x), L2) ==>
      \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, Up(j, k), x), L1)) &&
    (\forall integer j, x; \at(InSet(v, s, j, x), L2) ==>
      \at(VStart(v, s, j, x), L2) == \at(VStart(v, s, Up(j, k), x), L1)) &&
    (\forall integer j, x; \at(InSet(v, s, j, x), L2) ==>
      \at(VEnd(v, s, j, x), L2) == \at(VEnd(v, s, Up(j, k), x), L1));

  lemma Drop_In{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    DropPositions{L1, L2}(v, s, k) ==> \forall integer j, x;
      \at(InSet(v, s, j, x), L2) ==> \at(InSet(v, s, Up(j, k), x), L1);

  // Every leaf left has a VMA: the one dropped was the only empty one.
  lemma Drop_Shape{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    VSetOkAt{L1}(v, s, k) && DroppedLeaf{L1, L2}(v, s, k) && DropPositions{L1, L2}(v, s, k) ==>
      VSetShape{L2}(v, s);

  lemma Drop_Distinct{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    LeavesDistinct{L1}(s) && DroppedLeaf{L1, L2}(v, s, k) ==> LeavesDistinct{L2}(s);

  lemma Drop_Ends{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    VSetOkAt{L1}(v, s, k) && DroppedLeaf{L1, L2}(v, s, k) && DropPositions{L1, L2}(v, s, k) ==>
      LastEnds{L2}(v, s);

  // The drop as a move (MoveFacts): the leaves from k on were one further.
  lemma Drop_Map: \forall integer j, x, k; 0 <= x && j <= VMA_MAX_LEAVES ==>
    OldLeaf(j, x, k, VMA_MAX_LEAVES, 0, 1) == Up(j, k) && OldSlot(j, x, k, VMA_MAX_LEAVES, 0, 0) == x;

  lemma Drop_Moved{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    DropPositions{L1, L2}(v, s, k) && \at(s->nr_leaves, L2) <= VMA_MAX_LEAVES ==>
      Moved{L1, L2}(v, s, k, VMA_MAX_LEAVES, 0, 1, 0);

  lemma Drop_Ordered{L}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    s->nr_leaves <= VMA_MAX_LEAVES ==> MoveOrdered(v, s, k, VMA_MAX_LEAVES, 0, 1, 0);
  } */

/*@ axiomatic DropKeepFacts {
  // leaf_drop() of the empty leaf k, forward: the leaves below k stay, those above moved
  // down by one.
  predicate DropKeeps{L1, L2}(struct vma_pool *v, struct vma_set *s, integer k) =
    DropPositions{L1, L2}(v, s, k) && 0 <= k < \at(s->nr_leaves, L1) &&
    \at(LeafNr(v, s, k), L1) == 0;

  lemma Drop_Keep_Low{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    DropKeeps{L1, L2}(v, s, k) ==> \forall integer j, x; \at(InSet(v, s, j, x), L1) && j < k ==>
      \at(InSet(v, s, j, x), L2) && \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, j, x), L1);

  lemma Drop_Keep_High{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    DropKeeps{L1, L2}(v, s, k) ==> \forall integer j, x; \at(InSet(v, s, j, x), L1) && j > k ==>
      \at(InSet(v, s, j - 1, x), L2) && \at(SlotId(v, s, j - 1, x), L2) == \at(SlotId(v, s, j, x), L1);

  lemma Drop_Keep_Not{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    DropKeeps{L1, L2}(v, s, k) ==> \forall integer x; !\at(InSet(v, s, k, x), L1);

  lemma Drop_Members{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
    DropKeeps{L1, L2}(v, s, k) ==> MembersKept{L1, L2}(v, s);
  } */

/* Leaf k is empty: give it back and close its place in the top array. */
/*@ requires valid: \valid(v) && \valid(s);
    requires sep: \separated(v, s);
    requires ok: VSetOkAt(v, s, k);
    requires empty: LeafNr(v, s, k) == 0;
    requires pool: VPoolOk(v);
    requires owned: LeavesOwned(v, s);
    assigns v->leaves[s->leaf[k]].next_free, v->leaf_free, v->nr_leaves,
	s->leaf[k .. VMA_MAX_LEAVES - 1], s->last_end[k .. VMA_MAX_LEAVES - 1],
	s->max_gap[k .. VMA_MAX_LEAVES - 1], s->nr_leaves, s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
    ensures shape: VSetShape(v, s);
    ensures distinct: LeavesDistinct(s);
    ensures copies: CopiesOk(v, s);
    ensures vmas: VmasOk(v, s);
    ensures sorted: VSorted(v, s);
    ensures last_ends: LastEnds(v, s);
    ensures members: \forall integer x; InVSet(v, s, x) ==> \old(InVSet(v, s, x));
    ensures pool: VPoolOk(v);
    ensures owned: LeavesOwned(v, s);
    ensures kept: MembersKept{Pre, Post}(v, s);
    ensures ranges: RangesKept{Pre, Post}(v);
*/
static void leaf_drop(struct vma_pool *v, struct vma_set *s, uint32_t k)
{
	/*@ assert top_max: s->nr_leaves <= VMA_MAX_LEAVES; */
	leaf_unlink(v, s, k);
	/* DroppedLeaf a part at a time (as DeletedRanges in leaf_delete()). */
	/*@ assert drop_top: 0 <= k < \at(s->nr_leaves, Pre) &&
		s->nr_leaves == \at(s->nr_leaves, Pre) - 1 &&
		(\forall integer j; 0 <= j < \at(s->nr_leaves, Pre) ==> \at(s->leaf[j], Pre) < VMA_LEAF_POOL); */
	/*@ assert up_low: \forall integer j; 0 <= j < k ==> Up(j, k) == j; */
	/*@ assert up_high: \forall integer j; k <= j ==> Up(j, k) == j + 1; */
	/*@ assert drop_leaf: \forall integer j; 0 <= j < s->nr_leaves ==>
		s->leaf[j] == \at(s->leaf[Up(j, k)], Pre); */
	/*@ assert drop_last_end: \forall integer j; 0 <= j < s->nr_leaves ==>
		s->last_end[j] == \at(s->last_end[Up(j, k)], Pre); */
	/*@ assert drop_nr: \forall integer y; 0 <= y < VMA_LEAF_POOL ==>
		v->leaves[y].nr == \at(v->leaves[y].nr, Pre); */
	/*@ assert drop_slot: \forall integer y, x; 0 <= y < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS ==>
		v->leaves[y].slot[x] == \at(v->leaves[y].slot[x], Pre); */
	/*@ assert drop_start: \forall integer y, x; 0 <= y < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS ==>
		v->leaves[y].start[x] == \at(v->leaves[y].start[x], Pre); */
	/*@ assert drop_end: \forall integer y, x; 0 <= y < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS ==>
		v->leaves[y].end[x] == \at(v->leaves[y].end[x], Pre); */
	/*@ assert drop_vmas: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
		v->vma[x].vm_start == \at(v->vma[x].vm_start, Pre) &&
		v->vma[x].vm_end == \at(v->vma[x].vm_end, Pre); */
	/*@ assert dropped: DroppedLeaf{Pre, Here}(v, s, k); */
	/*@ assert fit: LeavesFit{Pre}(v, s); */
	/*@ assert pos_nr: \forall integer j; 0 <= j < s->nr_leaves ==>
		LeafNr(v, s, j) == \at(LeafNr(v, s, Up(j, k)), Pre); */
	/*@ assert pos_id: \forall integer j, x; InSet(v, s, j, x) ==>
		SlotId(v, s, j, x) == \at(SlotId(v, s, Up(j, k), x), Pre); */
	/*@ assert pos_start: \forall integer j, x; InSet(v, s, j, x) ==>
		VStart(v, s, j, x) == \at(VStart(v, s, Up(j, k), x), Pre); */
	/*@ assert pos_end: \forall integer j, x; InSet(v, s, j, x) ==>
		VEnd(v, s, j, x) == \at(VEnd(v, s, Up(j, k), x), Pre); */
	/*@ assert positions: DropPositions{Pre, Here}(v, s, k); */
	/*@ assert moved: Moved{Pre, Here}(v, s, k, VMA_MAX_LEAVES, 0, 1, 0); */
	/*@ assert ordered: MoveOrdered(v, s, k, VMA_MAX_LEAVES, 0, 1, 0); */
	/*@ assert shape: VSetShape(v, s); */
	/*@ assert distinct: LeavesDistinct(s); */
	/*@ assert copies: CopiesOk(v, s); */
	/*@ assert vmas: VmasOk(v, s); */
	/*@ assert sorted: VSorted(v, s); */
	/*@ assert last_ends: LastEnds(v, s); */
	/*@ assert members: \forall integer x; InVSet(v, s, x) ==> \at(InVSet(v, s, x), Pre); */
	/*@ assert owned: LeavesOwned(v, s); */
	/*@ assert keeps: DropKeeps{Pre, Here}(v, s, k); */
	/*@ assert kept: MembersKept{Pre, Here}(v, s); */
	/*@ assert ranges: RangesKept{Pre, Here}(v); */
	if (k < s->nr_leaves)
		leaf_gap_refresh(v, s, k);
	/*@ assert kept_refreshed: MembersKept{Pre, Here}(v, s); */
	/*@ assert ranges_refreshed: RangesKept{Pre, Here}(v); */
}

/*
 * Slots 0 .. nr - 1 of pool leaf from appended to pool leaf to, at its slot at (its count
 * is the caller's). One loop per array (see leaf_halve()); the frame over the whole pool.
 */
/*@ requires valid: \valid(v);
    requires ids: to < VMA_LEAF_POOL && from < VMA_LEAF_POOL && to != from;
    requires fit: at + nr <= VMA_LEAF_SLOTS;
    assigns v->leaves[to].slot[at .. at + nr - 1], v->leaves[to].start[at .. at + nr - 1],
	v->leaves[to].end[at .. at + nr - 1];
    ensures moved: \forall integer x; 0 <= x < nr ==>
	v->leaves[to].slot[at + x] == v->leaves[from].slot[x] &&
	v->leaves[to].start[at + x] == v->leaves[from].start[x] &&
	v->leaves[to].end[at + x] == v->leaves[from].end[x];
    ensures kept: \forall integer y, x; 0 <= y < VMA_LEAF_POOL && 0 <= x < VMA_LEAF_SLOTS &&
	(y != to || x < at || at + nr <= x) ==> v->leaves[y].slot[x] == \old(v->leaves[y].slot[x]) &&
	v->leaves[y].start[x] == \old(v->leaves[y].start[x]) &&
	v->leaves[y].end[x] == \old(v->leaves[y].end[x]);
    ensures nr_kept: \forall integer y; 0 <= y < VMA_LEAF_POOL ==>
	v->leaves[y].nr == \old(v->leaves[y].nr);
    VMA_LINKS_KEPT
    VMA_VMAS_KEPT
*/
static void leaf_append(struct vma_pool *v, uint32_t to, uint32_t at, uint32_t from, uint32_t nr)
{
	struct vma_leaf *n = &v->leaves[to];
	const struct vma_leaf *l = &v->leaves[from];
	uint32_t x;

	/*@ loop invariant range: 0 <= x <= nr;
	    loop invariant moved: \forall integer y; 0 <= y < x ==> n->slot[at + y] == l->slot[y];
	    loop assigns x, n->slot[at .. at + nr - 1];
	    loop variant nr - x;
	*/
	for (x = 0; x < nr; x++)
		n->slot[at + x] = l->slot[x];
	/*@ loop invariant range: 0 <= x <= nr;
	    loop invariant moved: \forall integer y; 0 <= y < x ==> n->start[at + y] == l->start[y];
	    loop assigns x, n->start[at .. at + nr - 1];
	    loop variant nr - x;
	*/
	for (x = 0; x < nr; x++)
		n->start[at + x] = l->start[x];
	/*@ loop invariant range: 0 <= x <= nr;
	    loop invariant moved: \forall integer y; 0 <= y < x ==> n->end[at + y] == l->end[y];
	    loop assigns x, n->end[at .. at + nr - 1];
	    loop variant nr - x;
	*/
	for (x = 0; x < nr; x++)
		n->end[at + x] = l->end[x];
}

/*
 * The pool half of leaf_fold(): leaf into + 1's entries appended to leaf into's, leaf
 * into + 1 left empty, stated over the set (which this only reads) as leaf_delete_pool().
 */
/*@ requires valid: \valid(v) && \valid_read(s);
    requires sep: \separated(v, s);
    requires into: into + 1 < s->nr_leaves <= VMA_MAX_LEAVES;
    requires leaves: \forall integer j; 0 <= j < s->nr_leaves ==> s->leaf[j] < VMA_LEAF_POOL;
    requires distinct: LeavesDistinct(s);
    requires fit: LeafNr(v, s, into) + LeafNr(v, s, into + 1) <= VMA_LEAF_SLOTS;
    requires pool: VPoolOk(v);
    assigns v->leaves[s->leaf[into]].slot[0 .. VMA_LEAF_SLOTS - 1],
	v->leaves[s->leaf[into]].start[0 .. VMA_LEAF_SLOTS - 1],
	v->leaves[s->leaf[into]].end[0 .. VMA_LEAF_SLOTS - 1], v->leaves[s->leaf[into]].nr,
	v->leaves[s->leaf[into + 1]].nr;
    ensures pool: VPoolOk(v);
    ensures used: v->leaf_used == \old(v->leaf_used);
    ensures top: s->nr_leaves == \old(s->nr_leaves) &&
	\forall integer x; 0 <= x < VMA_MAX_LEAVES ==> s->leaf[x] == \old(s->leaf[x]) &&
	s->last_end[x] == \old(s->last_end[x]);
    VMA_VMAS_KEPT
    ensures nr: LeafNr(v, s, into) == \old(LeafNr(v, s, into)) + \old(LeafNr(v, s, into + 1)) &&
	LeafNr(v, s, into + 1) == 0;
    ensures low: \forall integer x; 0 <= x < \old(LeafNr(v, s, into)) ==>
	SlotId(v, s, into, x) == \old(SlotId(v, s, into, x)) &&
	VStart(v, s, into, x) == \old(VStart(v, s, into, x)) &&
	VEnd(v, s, into, x) == \old(VEnd(v, s, into, x));
    ensures high: \forall integer x; \old(LeafNr(v, s, into)) <= x < LeafNr(v, s, into) ==>
	SlotId(v, s, into, x) == \old(SlotId(v, s, into + 1, x - LeafNr(v, s, into))) &&
	VStart(v, s, into, x) == \old(VStart(v, s, into + 1, x - LeafNr(v, s, into))) &&
	VEnd(v, s, into, x) == \old(VEnd(v, s, into + 1, x - LeafNr(v, s, into)));
    ensures others_nr: \forall integer k2; 0 <= k2 < s->nr_leaves && k2 != into && k2 != into + 1 ==>
	LeafNr(v, s, k2) == \old(LeafNr(v, s, k2));
    ensures others: \forall integer k2, x; 0 <= k2 < s->nr_leaves && k2 != into && k2 != into + 1 &&
	0 <= x < VMA_LEAF_SLOTS ==> SlotId(v, s, k2, x) == \old(SlotId(v, s, k2, x)) &&
	VStart(v, s, k2, x) == \old(VStart(v, s, k2, x)) && VEnd(v, s, k2, x) == \old(VEnd(v, s, k2, x));
*/
static void leaf_fold_pool(struct vma_pool *v, const struct vma_set *s, uint32_t into)
{
	uint32_t a = s->leaf[into], b = s->leaf[into + 1];
	uint32_t na = v->leaves[a].nr, nb = v->leaves[b].nr;

	/* into + 1 does not wrap: said once here, not inside every goal that meets b. */
	/*@ assert b_at: b == s->leaf[into + 1]; */
	/*@ assert apart: a != b && a < VMA_LEAF_POOL && b < VMA_LEAF_POOL; */
	/*@ assert counts: na == LeafNr(v, s, into) && nb == LeafNr(v, s, into + 1); */
	/*@ assert apart_top: \separated(&s->nr_leaves, v) && \forall integer x;
		0 <= x < VMA_MAX_LEAVES ==> \separated(&s->leaf[x], v) && \separated(&s->last_end[x], v); */
	/*@ assert apart_pre: \forall integer j; 0 <= j < s->nr_leaves && j != into && j != into + 1 ==>
		s->leaf[j] != a && s->leaf[j] != b; */
	leaf_append(v, a, na, b, nb);
	/* The top array (in s, apart from v) unchanged, one call at a time. */
	/*@ assert top_append: s->nr_leaves == \at(s->nr_leaves, Pre) &&
		\forall integer x; 0 <= x < VMA_MAX_LEAVES ==> s->leaf[x] == \at(s->leaf[x], Pre) &&
		s->last_end[x] == \at(s->last_end[x], Pre); */
	leaf_set_nr(v, a, na + nb);
	/*@ assert a_nr: v->leaves[a].nr == na + nb; */
	/*@ assert top_a: s->nr_leaves == \at(s->nr_leaves, Pre) &&
		\forall integer x; 0 <= x < VMA_MAX_LEAVES ==> s->leaf[x] == \at(s->leaf[x], Pre) &&
		s->last_end[x] == \at(s->last_end[x], Pre); */
	leaf_set_nr(v, b, 0);
	/*@ assert ab_nr: v->leaves[a].nr == na + nb && v->leaves[b].nr == 0; */
	/*@ assert pool_kept_nr: \forall integer z; 0 <= z < VMA_LEAF_POOL && z != a && z != b ==>
		v->leaves[z].nr == \at(v->leaves[z].nr, Pre); */
	/*@ assert pool_kept: \forall integer z, x; 0 <= z < VMA_LEAF_POOL && z != a &&
		0 <= x < VMA_LEAF_SLOTS ==>
		v->leaves[z].slot[x] == \at(v->leaves[z].slot[x], Pre) &&
		v->leaves[z].start[x] == \at(v->leaves[z].start[x], Pre) &&
		v->leaves[z].end[x] == \at(v->leaves[z].end[x], Pre); */
	/*@ assert a_low: \let ya = a; \forall integer x; 0 <= x < na ==>
		v->leaves[ya].slot[x] == \at(v->leaves[ya].slot[x], Pre) &&
		v->leaves[ya].start[x] == \at(v->leaves[ya].start[x], Pre) &&
		v->leaves[ya].end[x] == \at(v->leaves[ya].end[x], Pre); */
	/*@ assert a_high: \let ya = a; \let yb = b; \let n = na; \forall integer x; na <= x < na + nb ==>
		v->leaves[ya].slot[x] == \at(v->leaves[yb].slot[x - n], Pre) &&
		v->leaves[ya].start[x] == \at(v->leaves[yb].start[x - n], Pre) &&
		v->leaves[ya].end[x] == \at(v->leaves[yb].end[x - n], Pre); */
	/*@ assert top: s->nr_leaves == \at(s->nr_leaves, Pre) &&
		\forall integer x; 0 <= x < VMA_MAX_LEAVES ==> s->leaf[x] == \at(s->leaf[x], Pre) &&
		s->last_end[x] == \at(s->last_end[x], Pre); */
	/*@ assert ids_now: s->leaf[into] == a && s->leaf[into + 1] == b; */
	/*@ assert nr: LeafNr(v, s, into) == na + nb && LeafNr(v, s, into + 1) == 0; */
	/*@ assert high_slot: \let n = na; \forall integer x; n <= x < LeafNr(v, s, into) ==>
		SlotId(v, s, into, x) == \at(SlotId(v, s, into + 1, x - n), Pre); */
	/*@ assert high_start: \let n = na; \forall integer x; n <= x < LeafNr(v, s, into) ==>
		VStart(v, s, into, x) == \at(VStart(v, s, into + 1, x - n), Pre); */
	/*@ assert high_end: \let n = na; \forall integer x; n <= x < LeafNr(v, s, into) ==>
		VEnd(v, s, into, x) == \at(VEnd(v, s, into + 1, x - n), Pre); */
	/*@ assert others_apart: \forall integer j; 0 <= j < s->nr_leaves && j != into && j != into + 1 ==>
		s->leaf[j] != a && s->leaf[j] != b && s->leaf[j] < VMA_LEAF_POOL; */
	//@ ghost vpool_ok(v);
}

/*@ axiomatic FoldKeepFacts {
  // leaf_fold_pool(a) forward: leaf a's slots stay, leaf a + 1's follow them, the other
  // leaves stay.
  predicate FoldKeeps{L1, L2}(struct vma_pool *v, struct vma_set *s, integer a) =
    0 <= a && a + 1 < \at(s->nr_leaves, L1) && \at(s->nr_leaves, L2) == \at(s->nr_leaves, L1) &&
    \at(LeafNr(v, s, a), L2) == \at(LeafNr(v, s, a), L1) + \at(LeafNr(v, s, a + 1), L1) &&
    (\forall integer j; 0 <= j < \at(s->nr_leaves, L1) && j != a && j != a + 1 ==>
      \at(LeafNr(v, s, j), L2) == \at(LeafNr(v, s, j), L1)) &&
    (\forall integer x; 0 <= x < \at(LeafNr(v, s, a), L1) ==>
      \at(SlotId(v, s, a, x), L2) == \at(SlotId(v, s, a, x), L1)) &&
    (\forall integer x; 0 <= x < \at(LeafNr(v, s, a + 1), L1) ==>
      \at(SlotId(v, s, a, x + \at(LeafNr(v, s, a), L1)), L2) == \at(SlotId(v, s, a + 1, x), L1)) &&
    (\forall integer j, x; 0 <= j < \at(s->nr_leaves, L1) && j != a && j != a + 1 &&
      0 <= x < \at(LeafNr(v, s, j), L1) ==> \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, j, x), L1));

  lemma Fold_Keep_Low{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer a;
    FoldKeeps{L1, L2}(v, s, a) ==> \forall integer x; \at(InSet(v, s, a, x), L1) ==>
      \at(InSet(v, s, a, x), L2) && \at(SlotId(v, s, a, x), L2) == \at(SlotId(v, s, a, x), L1);

  lemma Fold_Keep_High{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer a;
    FoldKeeps{L1, L2}(v, s, a) ==> \forall integer x; \at(InSet(v, s, a + 1, x), L1) ==>
      \at(InSet(v, s, a, x + \at(LeafNr(v, s, a), L1)), L2) &&
      \at(SlotId(v, s, a, x + \at(LeafNr(v, s, a), L1)), L2) == \at(SlotId(v, s, a + 1, x), L1);

  lemma Fold_Keep_Other{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer a;
    FoldKeeps{L1, L2}(v, s, a) ==> \forall integer j, x;
      \at(InSet(v, s, j, x), L1) && j != a && j != a + 1 ==>
	\at(InSet(v, s, j, x), L2) && \at(SlotId(v, s, j, x), L2) == \at(SlotId(v, s, j, x), L1);

  lemma Fold_Members{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer a;
    FoldKeeps{L1, L2}(v, s, a) ==> MembersKept{L1, L2}(v, s);
  } */

/*
 * Fold leaf into + 1 into leaf into (they fit in one), then drop the emptied leaf
 * (leaf_drop()). One of the two may be leaf kk, the one a removal left with a stale
 * last_end: leaf into's is made current before the drop.
 */
/*@ requires valid: \valid(v) && \valid(s);
    requires sep: \separated(v, s);
    requires ok: VSetOkAt(v, s, kk);
    requires kk: kk == into || kk == into + 1;
    requires into: into + 1 < s->nr_leaves;
    requires fit: 1 <= LeafNr(v, s, into) + LeafNr(v, s, into + 1) <= VMA_LEAF_SLOTS;
    requires pool: VPoolOk(v);
    requires owned: LeavesOwned(v, s);
    assigns v->leaves[s->leaf[into]], v->leaves[s->leaf[into + 1]], v->leaf_free,
	v->nr_leaves, s->leaf[into + 1 .. VMA_MAX_LEAVES - 1],
	s->last_end[into .. VMA_MAX_LEAVES - 1], s->max_gap[into .. VMA_MAX_LEAVES - 1],
	s->nr_leaves, s->gap_tree[1 .. VMA_MAX_LEAVES - 1];
    ensures shape: VSetShape(v, s);
    ensures distinct: LeavesDistinct(s);
    ensures copies: CopiesOk(v, s);
    ensures vmas: VmasOk(v, s);
    ensures sorted: VSorted(v, s);
    ensures last_ends: LastEnds(v, s);
    ensures members: \forall integer x; InVSet(v, s, x) ==> \old(InVSet(v, s, x));
    ensures pool: VPoolOk(v);
    ensures owned: LeavesOwned(v, s);
    ensures kept: MembersKept{Pre, Post}(v, s);
    ensures ranges: RangesKept{Pre, Post}(v);
*/
static void leaf_fold(struct vma_pool *v, struct vma_set *s,
		      uint32_t into) /*@ ghost (uint32_t kk) */
{
	uint32_t next = into + 1;

	/*@ assert next: next == into + 1; */
	/*@ assert ids: \forall integer j, x; InSet(v, s, j, x) ==> SlotId(v, s, j, x) < VMA_POOL_SIZE; */
	/*@ assert ends_pre: \forall integer j; 0 <= j < s->nr_leaves && j != into && j != into + 1 ==>
		1 <= LeafNr(v, s, j) <= VMA_LEAF_SLOTS && 0 <= LeafNr(v, s, j) - 1 < VMA_LEAF_SLOTS &&
		s->last_end[j] == VEnd(v, s, j, LeafNr(v, s, j) - 1); */
	/*@ assert fit_all: \forall integer j; 0 <= j < s->nr_leaves ==> LeafNr(v, s, j) <= VMA_LEAF_SLOTS; */
	leaf_fold_pool(v, s, into);
	/*@ assert owned_folded: LeavesOwned(v, s); */
	/* The move a part at a time (as DropPositions in leaf_drop()), the map's cases
	 * first. */
	/*@ assert map_low: \let na = \at(LeafNr(v, s, into), Pre); \forall integer x; x < na ==>
		OldLeaf(into, x, into, into, na, 1) == into && OldSlot(into, x, into, into, na, -na) == x; */
	/*@ assert map_high: \let na = \at(LeafNr(v, s, into), Pre); \forall integer x; na <= x ==>
		OldLeaf(into, x, into, into, na, 1) == into + 1 &&
		OldSlot(into, x, into, into, na, -na) == x - na; */
	/*@ assert map_other: \let na = \at(LeafNr(v, s, into), Pre); \forall integer j, x; j != into ==>
		OldLeaf(j, x, into, into, na, 1) == j && OldSlot(j, x, into, into, na, -na) == x; */
	/*@ assert fold_in: \forall integer j, x; InSet(v, s, j, x) ==>
		\at(InSet(v, s, OldLeaf(j, x, into, into, LeafNr(v, s, into), 1),
			OldSlot(j, x, into, into, LeafNr(v, s, into), -LeafNr(v, s, into))), Pre); */
	/*@ assert id_other: \forall integer j, x; InSet(v, s, j, x) && j != into ==>
		SlotId(v, s, j, x) == \at(SlotId(v, s, j, x), Pre); */
	/*@ assert id_low: \let na = \at(LeafNr(v, s, into), Pre); \forall integer x;
		InSet(v, s, into, x) && x < na ==> SlotId(v, s, into, x) == \at(SlotId(v, s, into, x), Pre); */
	/*@ assert id_high: \let na = \at(LeafNr(v, s, into), Pre); \forall integer x;
		InSet(v, s, into, x) && na <= x ==>
		SlotId(v, s, into, x) == \at(SlotId(v, s, into + 1, x - na), Pre); */
	/*@ assert fold_id: \forall integer j, x; InSet(v, s, j, x) ==> SlotId(v, s, j, x) ==
		\at(SlotId(v, s, OldLeaf(j, x, into, into, LeafNr(v, s, into), 1),
			OldSlot(j, x, into, into, LeafNr(v, s, into), -LeafNr(v, s, into))), Pre); */
	/*@ assert fold_start: \forall integer j, x; InSet(v, s, j, x) ==> VStart(v, s, j, x) ==
		\at(VStart(v, s, OldLeaf(j, x, into, into, LeafNr(v, s, into), 1),
			OldSlot(j, x, into, into, LeafNr(v, s, into), -LeafNr(v, s, into))), Pre); */
	/*@ assert fold_end: \forall integer j, x; InSet(v, s, j, x) ==> VEnd(v, s, j, x) ==
		\at(VEnd(v, s, OldLeaf(j, x, into, into, LeafNr(v, s, into), 1),
			OldSlot(j, x, into, into, LeafNr(v, s, into), -LeafNr(v, s, into))), Pre); */
	/*@ assert folded: Moved{Pre, Here}(v, s, into, into, \at(LeafNr(v, s, into), Pre), 1,
		-\at(LeafNr(v, s, into), Pre)); */
	/*@ assert ordered: MoveOrdered(v, s, into, into, \at(LeafNr(v, s, into), Pre), 1,
		-\at(LeafNr(v, s, into), Pre)); */
	/*@ assert counts: \forall integer j; 0 <= j < s->nr_leaves && j != into + 1 ==>
		1 <= LeafNr(v, s, j) <= VMA_LEAF_SLOTS; */
	/*@ assert ends: \forall integer j; 0 <= j < s->nr_leaves && j != into && j != into + 1 ==>
		s->last_end[j] == VEnd(v, s, j, LeafNr(v, s, j) - 1); */
	/*@ assert sorted: VSorted(v, s); */
	/*@ assert vmas: VmasOk(v, s); */
	/*@ assert fold_ids: \forall integer j, x; InSet(v, s, j, x) ==> SlotId(v, s, j, x) < VMA_POOL_SIZE; */
	/*@ assert copies: CopiesOk(v, s); */
	/*@ assert members: \forall integer x; InVSet(v, s, x) ==> \at(InVSet(v, s, x), Pre); */
	/*@ assert distinct: LeavesDistinct(s); */
	/*@ ghost Folded:; */
	leaf_refresh(v, s, into);
	/*@ assert refreshed_end: s->last_end[into] == VEnd(v, s, into, LeafNr(v, s, into) - 1); */
	/*@ assert refreshed_others: \forall integer j; 0 <= j < s->nr_leaves && j != into && j != into + 1 ==>
		s->last_end[j] == VEnd(v, s, j, LeafNr(v, s, j) - 1); */
	/*@ assert refreshed_ends: \forall integer j; 0 <= j < s->nr_leaves && j != into + 1 ==>
		s->last_end[j] == VEnd(v, s, j, LeafNr(v, s, j) - 1); */
	/*@ assert refreshed_counts: \forall integer j; 0 <= j < s->nr_leaves && j != into + 1 ==>
		1 <= LeafNr(v, s, j) <= VMA_LEAF_SLOTS; */
	/*@ assert refreshed_ids: \forall integer j, x; InSet(v, s, j, x) ==> SlotId(v, s, j, x) < VMA_POOL_SIZE; */
	/*@ assert refreshed: VSetOkAt(v, s, into + 1) && LeafNr(v, s, into + 1) == 0; */
	/*@ assert refreshed_members: \forall integer x; InVSet(v, s, x) ==> \at(InVSet(v, s, x), Folded); */
	/*@ assert keeps: FoldKeeps{Pre, Folded}(v, s, into); */
	/*@ assert kept_folded: MembersKept{Pre, Folded}(v, s); */
	/*@ assert kept_refreshed: MembersKept{Folded, Here}(v, s); */
	/*@ assert ranges_refreshed: RangesKept{Pre, Here}(v); */
	leaf_drop(v, s, next);
	/*@ assert kept: MembersKept{Pre, Here}(v, s); */
	/*@ assert ranges: RangesKept{Pre, Here}(v); */
}

void vma_set_remove_at(struct vma_pool *v, struct vma_set *s, struct vma_pos pos)
{
	uint32_t k = pos.leaf, nr;

	leaf_delete(v, s, k, pos.slot);
	s->nr_vmas--;
	nr = v->leaves[s->leaf[k]].nr;
	/*@ assert deleted: VSetOkAt(v, s, k) && VPoolOk(v) && LeavesOwned(v, s) && nr == LeafNr(v, s, k) &&
		!InVSet(v, s, \at(SlotId(v, s, pos.leaf, pos.slot), Pre)); */
	/*@ assert gone_deleted: MembersKeptBut{Pre, Here}(v, s, \at(SlotId(v, s, pos.leaf, pos.slot), Pre)); */
	/*@ assert ranges_deleted: RangesKept{Pre, Here}(v); */
	if (nr == 0) {
		leaf_drop(v, s, k);
		/*@ assert gone_dropped: MembersKeptBut{Pre, Here}(v, s, \at(SlotId(v, s, pos.leaf, pos.slot), Pre)); */
		/*@ assert ranges_dropped: RangesKept{Pre, Here}(v); */
		goto out;
	}
	/* Keep leaves at least a quarter full: fold a thin leaf into a neighbour that has
	 * room. */
	if (nr < VMA_LEAF_SLOTS / 4) {
		/* The neighbours' indices through locals, each with its value asserted where
		 * the context is short (lesson 26). */
		uint32_t next = k + 1;

		/*@ assert next: next == k + 1; */
		if (next < s->nr_leaves && v->leaves[s->leaf[next]].nr + nr <= VMA_LEAF_SLOTS) {
			/*@ assert fold_next: 1 <= LeafNr(v, s, k) + LeafNr(v, s, next) <= VMA_LEAF_SLOTS; */
			leaf_fold(v, s, k) /*@ ghost (k) */;
			/*@ assert gone_next: MembersKeptBut{Pre, Here}(v, s, \at(SlotId(v, s, pos.leaf, pos.slot), Pre)); */
			/*@ assert ranges_next: RangesKept{Pre, Here}(v); */
			goto out;
		}
		if (k > 0) {
			uint32_t prev = k - 1;

			/*@ assert prev: prev + 1 == k; */
			if (v->leaves[s->leaf[prev]].nr + nr <= VMA_LEAF_SLOTS) {
				/*@ assert fold_prev: 1 <= LeafNr(v, s, prev) + LeafNr(v, s, prev + 1) <= VMA_LEAF_SLOTS; */
				leaf_fold(v, s, prev) /*@ ghost (k) */;
				/*@ assert gone_prev: MembersKeptBut{Pre, Here}(v, s, \at(SlotId(v, s, pos.leaf, pos.slot), Pre)); */
				/*@ assert ranges_prev: RangesKept{Pre, Here}(v); */
				goto out;
			}
		}
	}
	/*@ assert shape: VSetShape(v, s); */
	/*@ assert ends_other: \forall integer j; 0 <= j < s->nr_leaves && j != k ==>
		s->last_end[j] == VEnd(v, s, j, LeafNr(v, s, j) - 1); */
	if (pos.slot < nr) {
		/* The gaps on both sides of the VMA and its range became one gap, in front of
		 * slot pos.slot now: last_end stays, no other leaf's gap changed. */
		/*@ assert whole: VSetOk(v, s); */
		leaf_gap_refresh(v, s, k);
		/*@ assert done: VSetOk(v, s); */
		/*@ assert gone_gap: MembersKeptBut{Pre, Here}(v, s, \at(SlotId(v, s, pos.leaf, pos.slot), Pre)); */
		/*@ assert ranges_gap: RangesKept{Pre, Here}(v); */
		goto out;
	}
	/* The last VMA left: last_end moved, a gap went. */
	leaf_refresh(v, s, k);
	/*@ assert end_k: s->last_end[k] == VEnd(v, s, k, LeafNr(v, s, k) - 1); */
	/*@ assert end_other: \forall integer j; 0 <= j < s->nr_leaves && j != k ==>
		s->last_end[j] == VEnd(v, s, j, LeafNr(v, s, j) - 1); */
	/*@ assert ends: LastEnds(v, s); */
	/*@ assert done: VSetOk(v, s); */
	/*@ assert gone_last: MembersKeptBut{Pre, Here}(v, s, \at(SlotId(v, s, pos.leaf, pos.slot), Pre)); */
	/*@ assert ranges_last: RangesKept{Pre, Here}(v); */
out:
	/* One exit: the five ways join here, where the predicates below prove (lesson 34). */
	/*@ assert gone: MembersKeptBut{Pre, Here}(v, s, \at(SlotId(v, s, pos.leaf, pos.slot), Pre)); */
	/*@ assert ranges: RangesKept{Pre, Here}(v); */
	return;
}

void vma_set_resized(struct vma_pool *v, struct vma_set *s, uint32_t id)
{
	vma_set_resized_at(v, s, id, vma_lookup_pos(v, s, v->vma[id].vm_start));
}

void vma_set_resized_at(struct vma_pool *v, struct vma_set *s, uint32_t id, struct vma_pos pos)
{
	leaf_put(v, s->leaf[pos.leaf], pos.slot, id);
	/*@ assert top: s->nr_leaves == \at(s->nr_leaves, Pre) &&
		\forall integer x; 0 <= x < VMA_MAX_LEAVES ==> s->leaf[x] == \at(s->leaf[x], Pre) &&
		s->last_end[x] == \at(s->last_end[x], Pre); */
	/*@ assert vmas_same: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
		v->vma[x].vm_start == \at(v->vma[x].vm_start, Pre) &&
		v->vma[x].vm_end == \at(v->vma[x].vm_end, Pre); */
	/*@ assert nr: \forall integer k; 0 <= k < s->nr_leaves ==>
		LeafNr(v, s, k) == \at(LeafNr(v, s, k), Pre); */
	/*@ assert put: SlotId(v, s, pos.leaf, pos.slot) == id &&
		VStart(v, s, pos.leaf, pos.slot) == v->vma[id].vm_start &&
		VEnd(v, s, pos.leaf, pos.slot) == v->vma[id].vm_end; */
	/*@ assert other_leaves: \forall integer k, i; 0 <= k < s->nr_leaves && k != pos.leaf &&
		0 <= i < VMA_LEAF_SLOTS ==> s->leaf[k] != s->leaf[pos.leaf] &&
		SlotId(v, s, k, i) == \at(SlotId(v, s, k, i), Pre) &&
		VStart(v, s, k, i) == \at(VStart(v, s, k, i), Pre) &&
		VEnd(v, s, k, i) == \at(VEnd(v, s, k, i), Pre); */
	/*@ assert other_slots: \forall integer i; 0 <= i < VMA_LEAF_SLOTS && i != pos.slot ==>
		SlotId(v, s, pos.leaf, i) == \at(SlotId(v, s, pos.leaf, i), Pre) &&
		VStart(v, s, pos.leaf, i) == \at(VStart(v, s, pos.leaf, i), Pre) &&
		VEnd(v, s, pos.leaf, i) == \at(VEnd(v, s, pos.leaf, i), Pre); */
	/*@ assert others: \forall integer k, i; InSet(v, s, k, i) && (k != pos.leaf || i != pos.slot) ==>
		SlotId(v, s, k, i) == \at(SlotId(v, s, k, i), Pre) &&
		VStart(v, s, k, i) == \at(VStart(v, s, k, i), Pre) &&
		VEnd(v, s, k, i) == \at(VEnd(v, s, k, i), Pre); */
	/*@ assert vmas: VmasOk(v, s); */
	/*@ assert sorted: VSorted(v, s); */
	/*@ assert copies: \at(CopiesOkBut(v, s, pos.leaf, pos.slot), Pre) ==> CopiesOk(v, s); */
	leaf_refresh(v, s, pos.leaf);
	/*@ assert last_end: s->last_end[pos.leaf] == VEnd(v, s, pos.leaf, LeafNr(v, s, pos.leaf) - 1); */
	/*@ assert vmas_post: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
		v->vma[x].vm_start == \at(v->vma[x].vm_start, Pre) &&
		v->vma[x].vm_end == \at(v->vma[x].vm_end, Pre); */
	/*@ assert put_post: SlotId(v, s, pos.leaf, pos.slot) == id &&
		VStart(v, s, pos.leaf, pos.slot) == v->vma[id].vm_start &&
		VEnd(v, s, pos.leaf, pos.slot) == v->vma[id].vm_end; */
	/*@ assert others_post: \forall integer k, i; InSet(v, s, k, i) &&
		(k != pos.leaf || i != pos.slot) ==>
		SlotId(v, s, k, i) == \at(SlotId(v, s, k, i), Pre) &&
		VStart(v, s, k, i) == \at(VStart(v, s, k, i), Pre) &&
		VEnd(v, s, k, i) == \at(VEnd(v, s, k, i), Pre); */
	/*@ assert nr_post: s->nr_leaves == \at(s->nr_leaves, Pre) &&
		\forall integer k; 0 <= k < s->nr_leaves ==> s->leaf[k] == \at(s->leaf[k], Pre) &&
		LeafNr(v, s, k) == \at(LeafNr(v, s, k), Pre); */
	/*@ assert ends_post: \forall integer k; 0 <= k < s->nr_leaves && k != pos.leaf ==>
		s->last_end[k] == \at(s->last_end[k], Pre); */
	/*@ assert last_ends_others: \forall integer k; 0 <= k < s->nr_leaves && k != pos.leaf ==>
		s->last_end[k] == VEnd(v, s, k, LeafNr(v, s, k) - 1); */
	/* Leaf pos.leaf as a range of one, for LastEnds (lesson 26). */
	/*@ assert last_end_j: \forall integer k; pos.leaf <= k < pos.leaf + 1 ==>
		s->last_end[k] == VEnd(v, s, k, LeafNr(v, s, k) - 1); */
}

/* Merge rules ------------------------------------------------------------------------- */

bool is_mergeable_anon_vma(uint32_t a, uint32_t b)
{
	return a == 0 || b == 0 || a == b;
}

/*
 * ((vma->vm_flags ^ flags) & ~VM_IGNORE_MERGE) != 0 is written as the two words differing
 * outside VM_IGNORE_MERGE (a single bit), (flags & VM_SPECIAL) != 0 as a test of each of
 * its four bits.
 */
/*@ requires valid: \valid_read(vma);
    assigns \nothing;
    ensures exact: \result <==> MergeableVma(vma, flags, file);
*/
static bool is_mergeable_vma(const struct vm_area_struct *vma, uint64_t flags, uint32_t file)
{
	if (vm_flag_clear(vma->vm_flags, VM_IGNORE_MERGE) != vm_flag_clear(flags, VM_IGNORE_MERGE))
		return false;
	if (vm_flag(flags, VM_IO) || vm_flag(flags, VM_DONTEXPAND) || vm_flag(flags, VM_PFNMAP) ||
	    vm_flag(flags, VM_MIXEDMAP))
		return false;
	return vma->file == file;
}

/*@ requires valid: \valid_read(vma);
    assigns \nothing;
    ensures exact: \result == VmaPages(vma);
*/
static uint64_t vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) / PAGE_SIZE;
}

/* The page offset just past vma: where a range merged after it must start. */
/*@ requires valid: \valid_read(vma);
    assigns \nothing;
    ensures exact: \result == (uint64_t)(vma->vm_pgoff + VmaPages(vma));
*/
static uint64_t vma_pgoff_end(const struct vm_area_struct *vma)
{
	return vma->vm_pgoff + vma_pages(vma);
}

bool can_vma_merge_after(const struct vm_area_struct *prev, uint64_t start, uint64_t flags,
			 uint32_t file, uint32_t anon_vma, uint64_t pgoff)
{
	if (prev->vm_end != start || !is_mergeable_vma(prev, flags, file))
		return false;
	return is_mergeable_anon_vma(prev->anon_vma, anon_vma) && vma_pgoff_end(prev) == pgoff;
}

bool can_vma_merge_before(const struct vm_area_struct *next, uint64_t end, uint64_t flags,
			  uint32_t file, uint32_t anon_vma, uint64_t pgoff, uint64_t pages)
{
	return next->vm_start == end && is_mergeable_vma(next, flags, file) &&
	       is_mergeable_anon_vma(next->anon_vma, anon_vma) && next->vm_pgoff == pgoff + pages;
}

/*
 * The part of flags that must agree for anon_vma_compatible(): ((a ^ b) &
 * ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) == 0 iff the words agree above bit 2 (VM_ACCESS_FLAGS
 * are the low three bits) once VM_SOFTDIRTY is cleared.
 */
/*@ assigns \nothing;
    ensures exact: \result == AnonCompatFlags(flags);
*/
static uint64_t anon_compat_flags(uint64_t flags)
{
	return vm_flag_clear(flags, VM_SOFTDIRTY) / 8u;
}

bool anon_vma_compatible(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start && a->file == b->file &&
	       anon_compat_flags(a->vm_flags) == anon_compat_flags(b->vm_flags) &&
	       b->vm_pgoff == a->vm_pgoff + vma_pages(a);
}

/* Gap searches ----------------------------------------------------------------------- */

/*
 * The two searches below climb from leaf k while the sibling on the wanted side has no
 * gap that fits, then go down from that sibling to its nearest leaf whose gap fits. The
 * leaf level is done apart (its nodes are in max_gap), the levels above read gap_tree.
 */
uint32_t vma_gap_prev_leaf(const struct vma_set *s, uint32_t k, uint64_t len)
{
	uint32_t n = (VMA_MAX_LEAVES + k) / 2, span = 2;
	//@ ghost uint32_t first = k - k % 2;

	if (k % 2 != 0 && s->max_gap[k - 1] >= len) /* the left sibling leaf */
		return k - 1;
	/* Up while n is a left child, or its left sibling has no gap that fits. */
	/*@ loop invariant node: GapNodeAt(n, span, first) && 2 <= span;
	    loop invariant below: first <= k;
	    loop assigns n, span, first;
	    loop variant VMA_MAX_LEAVES - span;
	*/
	while (span < s->nr_leaves && (n % 2 == 0 || s->gap_tree[n - 1] < len)) {
		//@ ghost first = n % 2 != 0 ? first - span : first;
		n /= 2;
		span *= 2;
	}
	if (span >= s->nr_leaves) /* at the set's root: nothing to the left */
		return VMA_NONE;
	//@ assert left: n % 2 != 0;
	n--;
	//@ ghost first = first - span;
	/* Down to the node of two leaves at the right end of those with a gap that fits. */
	/*@ loop invariant node: GapNodeAt(n, span, first) && 2 <= span;
	    loop invariant below: first + span <= k;
	    loop assigns n, span, first;
	    loop variant span;
	*/
	while (span > 2) {
		span /= 2;
		//@ ghost first = s->gap_tree[2 * n + 1] >= len ? first + span : first;
		n = s->gap_tree[2 * n + 1] >= len ? 2 * n + 1 : 2 * n;
	}
	//@ assert leaves: span == 2 && first == 2 * n - VMA_MAX_LEAVES;
	k = 2 * n - VMA_MAX_LEAVES;
	if (s->max_gap[k + 1] >= len)
		return k + 1;
	return s->max_gap[k] >= len ? k : VMA_NONE;
}

uint32_t vma_gap_next_leaf(const struct vma_set *s, uint32_t k, uint64_t len)
{
	uint32_t n = (VMA_MAX_LEAVES + k) / 2, span = 2, first = k - k % 2;

	if (k % 2 == 0 && k + 1 < s->nr_leaves && s->max_gap[k + 1] >= len)
		return k + 1; /* the right sibling leaf */
	/* Up while n is a right child, or its right sibling lies beyond the set or has no
	 * gap that fits. first: n's first leaf. */
	/*@ loop invariant node: GapNodeAt(n, span, first) && 2 <= span;
	    loop invariant inside: first <= k < first + span;
	    loop assigns n, span, first;
	    loop variant VMA_MAX_LEAVES - span;
	*/
	while (span < s->nr_leaves &&
	       (n % 2 != 0 || first + span >= s->nr_leaves || s->gap_tree[n + 1] < len)) {
		if (n % 2 != 0)
			first -= span;
		n /= 2;
		span *= 2;
	}
	if (span >= s->nr_leaves) /* at the set's root: nothing to the right */
		return VMA_NONE;
	//@ assert left: n % 2 == 0;
	n++;
	first += span;
	/* Down to the node of two leaves at the left end of those with a gap that fits. */
	/*@ loop invariant node: GapNodeAt(n, span, first) && 2 <= span;
	    loop invariant above: k < first;
	    loop assigns n, span, first;
	    loop variant span;
	*/
	while (span > 2) {
		span /= 2;
		if (s->gap_tree[2 * n] >= len) {
			n = 2 * n;
		} else {
			n = 2 * n + 1;
			first += span;
		}
	}
	if (first < s->nr_leaves && s->max_gap[first] >= len)
		return first;
	return first + 1 < s->nr_leaves && s->max_gap[first + 1] >= len ? first + 1 : VMA_NONE;
}

uint32_t vma_gap_tree_stale(const struct vma_set *s)
{
	uint32_t lo = VMA_MAX_LEAVES, hi, span = 1, p;

	if (s->nr_leaves == 0)
		return 0;
	hi = VMA_MAX_LEAVES + s->nr_leaves - 1;
	/*@ loop invariant nodes: GapNode(lo, span) && GapNode(hi, span) && lo <= hi;
	    loop assigns lo, hi, span, p;
	    loop variant lo;
	*/
	while (span < s->nr_leaves) {
		lo /= 2;
		hi /= 2;
		//@ assert parents: GapNode(lo, 2 * span) && GapNode(hi, 2 * span);
		/*@ loop invariant range: lo <= p <= hi + 1;
		    loop assigns p;
		    loop variant hi + 1 - p;
		*/
		for (p = lo; p <= hi; p++) {
			//@ assert node: GapNode(p, 2 * span);
			if (s->gap_tree[p] != gap_children(s, p, span))
				return p;
		}
		span *= 2;
	}
	return 0;
}
