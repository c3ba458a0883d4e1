/* SPDX-License-Identifier: MIT */
/*
 * mmap.c - an address space and its system calls. See mmap.h; the rules, with the kernel
 * functions they come from, are in docs/address-space.md.
 */
#include "fault.h"

#define VM_SYNC 0x00800000ull

/*@ requires valid: \valid_read(e) && \valid_read(e->pool);
    requires id: id < VMA_POOL_SIZE;
    assigns \nothing;
    ensures exact: \result == &e->pool->vma[id];
*/
static struct vm_area_struct *V(struct mm_env *e, uint32_t id)
{
	return &e->pool->vma[id];
}

/*@ assigns \nothing;
    ensures exact: \result == PageAlign(x);
    ensures aligned: \result % PAGE_SIZE == 0;
    ensures nowrap: x < 0xfffffffffffff000 ==> \result == (x + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
    ensures top: x == 0xfffffffffffff000 ==> \result == x;
*/
static uint64_t page_align(uint64_t x)
{
	return (x + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
}

/*
 * (flags & bit) != 0 for a single-bit bit, written with division: the provers do not
 * reason about '&' on a variable, and a goal whose context holds one fails (docs/proofs.md).
 */
/*@ requires bit: bit > 0;
    assigns \nothing;
    ensures exact: \result <==> HasFlag(flags, bit);
*/
static bool vm_flag_set(uint64_t flags, uint64_t bit)
{
	return flags / bit % 2 != 0;
}

/*@ requires valid: \valid_read(vma);
    assigns \nothing;
    ensures exact: \result == VmaPages(vma);
*/
static uint64_t vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) / PAGE_SIZE;
}

/*@ requires valid: \valid(e) && \valid_read(p);
    requires sep: \separated(e, p);
    assigns e->phys, e->kmem, e->pool, e->max_map_count, e->mmap_min_addr,
	e->lsm_mmap_min_addr, e->overcommit_memory, e->commit_pages;
    ensures shared: e->phys == p && e->kmem == k && e->pool == pool;
    ensures sysctl: e->max_map_count == MAX_MAP_COUNT_DEFAULT &&
	e->mmap_min_addr == MMAP_MIN_ADDR_DEFAULT && e->lsm_mmap_min_addr == LSM_MMAP_MIN_ADDR &&
	e->overcommit_memory == 0 && e->commit_pages == p->nr_pages;
*/
void mm_env_init(struct mm_env *e, struct phys *p, struct kmem *k, struct vma_pool *pool)
{
	e->phys = p;
	e->kmem = k;
	e->pool = pool;
	e->max_map_count = MAX_MAP_COUNT_DEFAULT;
	e->mmap_min_addr = MMAP_MIN_ADDR_DEFAULT;
	e->lsm_mmap_min_addr = LSM_MMAP_MIN_ADDR;
	e->overcommit_memory = 0;
	e->commit_pages = p->nr_pages;
}

/* Files ------------------------------------------------------------------------------ */

/*@ requires valid: \valid_read(a + (0 .. VMA_FILE_NAME - 1)) &&
	\valid_read(b + (0 .. VMA_FILE_NAME - 1));
    assigns \nothing;
*/
static bool same_name(const char *a, const char *b)
{
	uint32_t i;

	/*@ loop invariant bound: 0 <= i <= VMA_FILE_NAME;
	    loop assigns i;
	    loop variant VMA_FILE_NAME - i;
	*/
	for (i = 0; i < VMA_FILE_NAME; i++) {
		if (a[i] != b[i])
			return false;
		if (a[i] == '\0')
			return true;
	}
	return true;
}

/* The file entry with these fields (created, pinned or not, when missing); 0: full. */
static uint32_t file_lookup(struct vma_pool *v, const char *name, uint32_t dev_major,
			    uint32_t dev_minor, uint64_t inode, bool special, bool pin)
{
	uint32_t i, j, free = VMA_NONE;

	for (i = 0; i < VMA_NR_FILES; i++) {
		struct vm_file *f = &v->files[i];

		if (!f->in_use) {
			if (free == VMA_NONE)
				free = i;
			continue;
		}
		if (f->special == special && f->dev_major == dev_major &&
		    f->dev_minor == dev_minor && f->inode == inode && same_name(f->name, name)) {
			f->pinned = f->pinned || pin;
			return i + 1;
		}
	}
	if (free == VMA_NONE)
		return 0;
	v->files[free].in_use = true;
	v->files[free].special = special;
	v->files[free].pinned = pin;
	v->files[free].dev_major = dev_major;
	v->files[free].dev_minor = dev_minor;
	v->files[free].inode = inode;
	v->files[free].refs = 0;
	for (j = 0; j + 1 < VMA_FILE_NAME && name[j] != '\0'; j++)
		v->files[free].name[j] = name[j];
	v->files[free].name[j] = '\0';
	return free + 1;
}

uint32_t vm_file_get(struct vma_pool *v, const char *name, uint32_t dev_major, uint32_t dev_minor,
		     uint64_t inode, bool special)
{
	return file_lookup(v, name, dev_major, dev_minor, inode, special, true);
}

/*
 * The accounting of a VMA just put into mm's set: mm->map_count and a reference on its
 * file (0: none). These two counts are all it writes. The postconditions say what that
 * keeps of mm's set, as set_brk()'s do: in vma_link_at()'s larger context the provers do
 * not find it (the counts share the provers' memory of 32-bit words with the set's and
 * the leaves' indices and counts).
 */
/*@ requires valid: \valid_read(e) && \valid(e->pool) && \valid(mm) && \separated(mm, e->pool);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires file: file <= VMA_NR_FILES;
    assigns mm->map_count, e->pool->files[0 .. VMA_NR_FILES - 1].refs;
    ensures vmas: VSetOk(e->pool, &mm->vmas);
    ensures mapped: SameMapped{Pre, Post}(e->pool, &mm->vmas);
    ensures pool: VPoolOk(e->pool) <==> \old(VPoolOk(e->pool));
*/
static void vma_linked(struct mm_env *e, struct mm_struct *mm, uint32_t file)
{
	struct vma_pool *v = e->pool;

	mm->map_count++;
	if (file != 0)
		v->files[file - 1].refs++;
	/*@ assert top: mm->vmas.nr_leaves == \at(mm->vmas.nr_leaves, Pre) &&
	      \forall integer k; 0 <= k < VMA_MAX_LEAVES ==>
		mm->vmas.leaf[k] == \at(mm->vmas.leaf[k], Pre) &&
		mm->vmas.last_end[k] == \at(mm->vmas.last_end[k], Pre); */
	/*@ assert slots: \forall integer j, i; 0 <= j < VMA_LEAF_POOL && 0 <= i < VMA_LEAF_SLOTS ==>
	      v->leaves[j].slot[i] == \at(e->pool->leaves[j].slot[i], Pre); */
	/*@ assert nrs: \forall integer j; 0 <= j < VMA_LEAF_POOL ==>
	      v->leaves[j].nr == \at(e->pool->leaves[j].nr, Pre) &&
	      v->leaves[j].next_free == \at(e->pool->leaves[j].next_free, Pre); */
	/*@ assert descs: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
	      v->vma[x].next_free == \at(e->pool->vma[x].next_free, Pre); */
	/*@ assert heads: v->vma_used == \at(e->pool->vma_used, Pre) && v->vma_free == \at(e->pool->vma_free, Pre) &&
	      v->leaf_used == \at(e->pool->leaf_used, Pre) && v->leaf_free == \at(e->pool->leaf_free, Pre); */
	/*@ assert pos: \forall integer k, i; InSet(v, &mm->vmas, k, i) <==> \at(InSet(e->pool, &mm->vmas, k, i), Pre); */
	/*@ assert ids: \forall integer k, i; InSet(v, &mm->vmas, k, i) ==>
	      SlotId(v, &mm->vmas, k, i) == \at(SlotId(e->pool, &mm->vmas, k, i), Pre); */
	/*@ assert lnr: \forall integer k; 0 <= k < mm->vmas.nr_leaves ==>
	      LeafNr(v, &mm->vmas, k) == \at(LeafNr(e->pool, &mm->vmas, k), Pre); */
	/*@ assert shape: VSetShape(v, &mm->vmas); */
	/*@ assert copies: CopiesOk(v, &mm->vmas); */
	/*@ assert vmas_ok: VmasOk(v, &mm->vmas); */
	/*@ assert sorted: VSorted(v, &mm->vmas); */
	/*@ assert last_ends: LastEnds(v, &mm->vmas); */
}

/*@ requires valid: \valid_read(e) && \valid(e->pool);
    requires file: file <= VMA_NR_FILES;
    assigns e->pool->files[0 .. VMA_NR_FILES - 1];
*/
static void file_put(struct mm_env *e, uint32_t file)
{
	if (file != 0 && --e->pool->files[file - 1].refs == 0 && !e->pool->files[file - 1].pinned)
		e->pool->files[file - 1].in_use = false;
}

/* Accounting (mm/mmap.c: mm_account(), may_expand_vm(); mm/util.c) --------------- */

/*@ assigns \nothing; */
static bool is_exec_mapping(uint64_t flags)
{
	return (flags & (VM_EXEC | VM_WRITE | VM_STACK)) == VM_EXEC;
}

/*@ assigns \nothing; */
static bool is_stack_mapping(uint64_t flags)
{
	return (flags & VM_STACK) == VM_STACK;
}

/*@ assigns \nothing; */
static bool is_data_mapping(uint64_t flags)
{
	return (flags & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE;
}

/* npages may be "negative" (two's complement): the counters wrap back. */
void mm_account(struct mm_struct *mm, uint64_t flags, uint64_t npages)
{
	mm->total_vm += npages;
	if (is_exec_mapping(flags))
		mm->exec_vm += npages;
	else if (is_stack_mapping(flags))
		mm->stack_vm += npages;
	else if (is_data_mapping(flags))
		mm->data_vm += npages;
}

/*@ requires valid: \valid_read(mm);
    assigns \nothing;
*/
static bool may_expand_vm(const struct mm_struct *mm, uint64_t flags, uint64_t npages);

bool mm_may_expand(const struct mm_env *e, const struct mm_struct *mm, uint64_t flags,
		   uint64_t npages)
{
	(void)e;
	return may_expand_vm(mm, flags, npages);
}

static bool may_expand_vm(const struct mm_struct *mm, uint64_t flags, uint64_t npages)
{
	uint64_t as = mm->rlim[RLIMIT_AS].rlim_cur / PAGE_SIZE;
	uint64_t data = mm->rlim[RLIMIT_DATA].rlim_cur / PAGE_SIZE;

	if (mm->total_vm + npages > as)
		return false;
	if (is_data_mapping(flags) && mm->data_vm + npages > data) {
		/* The Valgrind workaround: a zero soft limit falls back to the hard one. */
		if (mm->rlim[RLIMIT_DATA].rlim_cur == 0 &&
		    mm->data_vm + npages <= mm->rlim[RLIMIT_DATA].rlim_max / PAGE_SIZE)
			return true;
		return false; /* ignore_rlimit_data is off */
	}
	return true;
}

/* security_vm_enough_memory_mm() with overcommit 0 (heuristic) or 1 (always). */
/*@ requires valid: \valid_read(e);
    assigns \nothing;
    ensures exact: \result <==> e->overcommit_memory == 1 || npages <= e->commit_pages;
*/
static bool vm_enough_memory(const struct mm_env *e, uint64_t npages)
{
	return e->overcommit_memory == 1 || npages <= e->commit_pages;
}

/*@ requires valid: \valid_read(mm);
    assigns \nothing;
    ensures exact: \result <==> mm->rlim[RLIMIT_MEMLOCK].rlim_cur != 0 || mm->privileged;
*/
static bool can_do_mlock(const struct mm_struct *mm)
{
	return mm->rlim[RLIMIT_MEMLOCK].rlim_cur != 0 || mm->privileged;
}

bool mlock_future_ok(const struct mm_struct *mm, uint64_t flags, uint64_t bytes)
{
	if ((flags & VM_LOCKED) == 0 || mm->privileged)
		return true;
	return bytes / PAGE_SIZE + mm->locked_vm <= mm->rlim[RLIMIT_MEMLOCK].rlim_cur / PAGE_SIZE;
}

/* The effective mmap_min_addr (security/min_addr.c: update_mmap_min_addr()). */
/*@ requires valid: \valid_read(e);
    assigns \nothing;
    ensures max: \result >= e->mmap_min_addr && \result >= e->lsm_mmap_min_addr;
    ensures one: \result == e->mmap_min_addr || \result == e->lsm_mmap_min_addr;
*/
static uint64_t min_addr(const struct mm_env *e)
{
	return e->mmap_min_addr > e->lsm_mmap_min_addr ? e->mmap_min_addr : e->lsm_mmap_min_addr;
}

/* VMA life cycle --------------------------------------------------------------------- */

/*
 * The frames of the unlinking (lesson 37). In mmap.c, not in mmap.acsl: mmap.h, which
 * includes mmap.acsl, is in fault.c's proof too, and these lemmas there cost that proof
 * its lemma VSame_Shape.
 */
/*@
  // MmAllocOk carried across a write that leaves the allocators alone: every field its
  // parts read, unchanged. The index's writes (vma.h) change the same typed memories
  // (uint32, uint64) as struct page's links and struct zone's counters; with MmAllocOk
  // unfolded in a call's context the provers do not find that nothing it reads moved
  // (docs/proofs.md, lesson 37). A goal that names AllocSame gets these lemmas and shows
  // field equalities, each one read, instead.
  axiomatic AllocFrame {
    // The page allocator's state: the sizes, the frame and page arrays, every page's
    // flags, order and links, every zone's bounds and free lists.
    predicate BuddyStateSame{L1,L2}(struct phys *p) =
      \at(p->nr_pages, L1) == \at(p->nr_pages, L2) && \at(p->booted, L1) == \at(p->booted, L2) &&
      \at(p->pages, L1) == \at(p->pages, L2) && \at(p->mem, L1) == \at(p->mem, L2) &&
      PagesSame{L1,L2}(\at(p->pages, L1), \at(p->nr_pages, L1)) &&
      AreasSame{L1,L2}(\at(&p->zones[0], L1)) &&
      (\forall integer zi; 0 <= zi < MAX_NR_ZONES ==>
        \at(p->zones[zi].start_pfn, L1) == \at(p->zones[zi].start_pfn, L2) &&
        \at(p->zones[zi].end_pfn, L1) == \at(p->zones[zi].end_pfn, L2));

    // BuddySafe's parts one by one (together they time out), then BuddySafe.
    lemma Inner_Same{L1,L2}: \forall struct phys *p;
      Inner{L1}(\at(p->pages, L1), \at(p->nr_pages, L1), \at(&p->zones[0], L1)) &&
      BuddyStateSame{L1,L2}(p) ==>
      Inner{L2}(\at(p->pages, L2), \at(p->nr_pages, L2), \at(&p->zones[0], L2));
    lemma ZonesShape_Same{L1,L2}: \forall struct phys *p;
      ZonesShape{L1}(p) && BuddyStateSame{L1,L2}(p) ==> ZonesShape{L2}(p);
    lemma NoBlocks_Same{L1,L2}: \forall struct phys *p;
      NoBlocks{L1}(p) && BuddyStateSame{L1,L2}(p) ==> NoBlocks{L2}(p);
    lemma BuddySafe_Same{L1,L2}: \forall struct phys *p;
      BuddySafe{L1}(p) && PhysShape{L2}(p) && BuddyStateSame{L1,L2}(p) ==> BuddySafe{L2}(p);
    lemma ListHeads_Same{L1,L2}: \forall struct phys *p;
      ListHeads{L1}(p) && BuddyStateSame{L1,L2}(p) ==> ListHeads{L2}(p);

    // e's three pointers, the page allocator's state and every slab cache's geometry and
    // identity (KeptExcept with no exception), unchanged.
    predicate AllocSame{L1,L2}(struct mm_env *e) =
      \at(e->pool, L1) == \at(e->pool, L2) && \at(e->phys, L1) == \at(e->phys, L2) &&
      \at(e->kmem, L1) == \at(e->kmem, L2) && BuddyStateSame{L1,L2}(\at(e->phys, L1)) &&
      KeptExcept{L1,L2}(\at(e->kmem, L1), MAX_CACHES) && KmemIdsSame{L1,L2}(\at(e->kmem, L1));

    lemma MmAllocOk_Same{L1,L2}: \forall struct mm_env *e;
      MmAllocOk{L1}(e) && AllocSame{L1,L2}(e) && VPoolOk{L2}(\at(e->pool, L2)) &&
      PhysShape{L2}(\at(e->phys, L2)) && \valid{L2}(\at(e->kmem, L2)) ==> MmAllocOk{L2}(e);
  }

  // The set carried across a write that leaves the index alone (vm_area_free(): the
  // descriptor's object and free link, the allocators): s, every leaf of the pool and
  // every descriptor's range unchanged. Asserted once, it gives each part of VSetOk and
  // the mapped addresses again, where unfolding them in the call's context took 20-33 s
  // or did not prove (lesson 37).
  axiomatic SetFrame {
    // (The pool's part is vm_area_free()'s postcondition IndexSame, vma.h: lesson 38.)
    predicate SetSame{L1,L2}(struct vma_pool *v, struct vma_set *s) =
      \at(s->nr_leaves, L1) == \at(s->nr_leaves, L2) &&
      (\forall integer k; 0 <= k < VMA_MAX_LEAVES ==>
        \at(s->leaf[k], L1) == \at(s->leaf[k], L2) &&
        \at(s->last_end[k], L1) == \at(s->last_end[k], L2)) &&
      IndexSame{L1,L2}(v);

    // One position at a time: a leaf of the set keeps its pool index and count, a
    // position of it its descriptor and copies.
    lemma Leaf_Same{L1,L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
      SetSame{L1,L2}(v, s) && 0 <= k < \at(s->nr_leaves, L1) && \at(s->leaf[k], L1) < VMA_LEAF_POOL &&
      \at(s->nr_leaves, L1) <= VMA_MAX_LEAVES ==>
      \at(s->leaf[k], L2) == \at(s->leaf[k], L1) && LeafNr{L2}(v, s, k) == LeafNr{L1}(v, s, k);
    lemma InSet_Same{L1,L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
      VSetShape{L1}(v, s) && SetSame{L1,L2}(v, s) ==>
      (InSet{L1}(v, s, k, i) <==> InSet{L2}(v, s, k, i));
    lemma Pos_Same{L1,L2}: \forall struct vma_pool *v, struct vma_set *s, integer k, i;
      VSetShape{L1}(v, s) && SetSame{L1,L2}(v, s) && InSet{L1}(v, s, k, i) ==>
      SlotId{L2}(v, s, k, i) == SlotId{L1}(v, s, k, i) &&
      VStart{L2}(v, s, k, i) == VStart{L1}(v, s, k, i) &&
      VEnd{L2}(v, s, k, i) == VEnd{L1}(v, s, k, i);
    lemma Last_Same{L1,L2}: \forall struct vma_pool *v, struct vma_set *s, integer k;
      VSetShape{L1}(v, s) && SetSame{L1,L2}(v, s) && 0 <= k < \at(s->nr_leaves, L1) ==>
      VEnd{L2}(v, s, k, LeafNr{L2}(v, s, k) - 1) == VEnd{L1}(v, s, k, LeafNr{L1}(v, s, k) - 1);
    lemma Shape_Leaves_Same{L1,L2}: \forall struct vma_pool *v, struct vma_set *s;
      VSetShape{L1}(v, s) && SetSame{L1,L2}(v, s) ==>
      \at(s->nr_leaves, L2) <= VMA_MAX_LEAVES &&
      (\forall integer k; 0 <= k < \at(s->nr_leaves, L2) ==> \at(s->leaf[k], L2) < VMA_LEAF_POOL) &&
      (\forall integer k; 0 <= k < \at(s->nr_leaves, L2) ==> 1 <= LeafNr{L2}(v, s, k) <= VMA_LEAF_SLOTS);
    lemma Shape_Ids_Same{L1,L2}: \forall struct vma_pool *v, struct vma_set *s;
      VSetShape{L1}(v, s) && SetSame{L1,L2}(v, s) ==>
      \forall integer k, i; InSet{L2}(v, s, k, i) ==> SlotId{L2}(v, s, k, i) < VMA_POOL_SIZE;
    lemma Distinct_Same{L1,L2}: \forall struct vma_pool *v, struct vma_set *s;
      VSetShape{L1}(v, s) && LeavesDistinct{L1}(s) && SetSame{L1,L2}(v, s) ==>
      LeavesDistinct{L2}(s);
    lemma Copies_Same{L1,L2}: \forall struct vma_pool *v, struct vma_set *s;
      VSetShape{L1}(v, s) && CopiesOk{L1}(v, s) && SetSame{L1,L2}(v, s) ==> CopiesOk{L2}(v, s);
    lemma Vmas_Same{L1,L2}: \forall struct vma_pool *v, struct vma_set *s;
      VSetShape{L1}(v, s) && VmasOk{L1}(v, s) && SetSame{L1,L2}(v, s) ==> VmasOk{L2}(v, s);
    lemma Sorted_Same{L1,L2}: \forall struct vma_pool *v, struct vma_set *s;
      VSetShape{L1}(v, s) && VSorted{L1}(v, s) && SetSame{L1,L2}(v, s) ==> VSorted{L2}(v, s);
    lemma LastEnds_Same{L1,L2}: \forall struct vma_pool *v, struct vma_set *s;
      VSetShape{L1}(v, s) && LastEnds{L1}(v, s) && SetSame{L1,L2}(v, s) ==> LastEnds{L2}(v, s);
    lemma VSetOk_Same{L1,L2}: \forall struct vma_pool *v, struct vma_set *s;
      VSetOk{L1}(v, s) && SetSame{L1,L2}(v, s) ==> VSetOk{L2}(v, s);
    lemma Mapped_Same{L1,L2}: \forall struct vma_pool *v, struct vma_set *s;
      VSetShape{L1}(v, s) && SetSame{L1,L2}(v, s) ==> SameMapped{L1,L2}(v, s);
  }
*/

/*@ axiomatic LinkFacts {
  // vma_set_insert_at()'s members: every descriptor of the set at L1 is in it at L2.
  // The same predicate as vma.c's MembersKept, which this file does not see: the one
  // home for both is proofs/logic/vma.acsl, and an edit there re-proves every goal of
  // vma, mmap and fault cold (docs/proofs.md, lesson 11), so it waits for that run.
  predicate KeptMembers{L1, L2}(struct vma_pool *v, struct vma_set *s) =
    \forall integer x; \at(InVSet(v, s, x), L1) ==> \at(InVSet(v, s, x), L2);

  // An address in a VMA lies in the range of a member descriptor, and back: the two
  // steps of Members_Mapped, one existential each (without them Members_Mapped does not
  // prove: Z3 runs out of memory, CVC4 out of time).
  lemma Mapped_Member{L}: \forall struct vma_pool *v, struct vma_set *s, integer a;
    CopiesOk(v, s) &&
    (\forall integer k, i; InSet(v, s, k, i) ==> 0 <= SlotId(v, s, k, i) < VMA_POOL_SIZE) &&
    Mapped(v, s, a) ==>
    \exists integer x; 0 <= x < VMA_POOL_SIZE && InVSet(v, s, x) &&
      v->vma[x].vm_start <= a < v->vma[x].vm_end;

  lemma Member_Mapped{L}: \forall struct vma_pool *v, struct vma_set *s, integer x, a;
    CopiesOk(v, s) && InVSet(v, s, x) && v->vma[x].vm_start <= a < v->vma[x].vm_end ==>
    Mapped(v, s, a);

  // The members kept, with their ranges: every address that lay in a VMA still does.
  lemma Members_Mapped{L1, L2}: \forall struct vma_pool *v, struct vma_set *s;
    KeptMembers{L1, L2}(v, s) && CopiesOk{L1}(v, s) && CopiesOk{L2}(v, s) &&
    (\forall integer k, i; \at(InSet(v, s, k, i), L1) ==>
      0 <= \at(SlotId(v, s, k, i), L1) < VMA_POOL_SIZE) &&
    (\forall integer x; 0 <= x < VMA_POOL_SIZE ==>
      \at(v->vma[x].vm_start, L2) == \at(v->vma[x].vm_start, L1) &&
      \at(v->vma[x].vm_end, L2) == \at(v->vma[x].vm_end, L1)) ==>
    MappedKept{L1, L2}(v, s, 0, 0);

  // vma_set_remove_at()'s members: every descriptor of the set at L1 but gone is in it
  // at L2.
  predicate KeptMembersBut{L1, L2}(struct vma_pool *v, struct vma_set *s, integer gone) =
    \forall integer x; \at(InVSet(v, s, x), L1) && x != gone ==> \at(InVSet(v, s, x), L2);

  // The members kept but gone, with their ranges: every address that lay in a VMA, and not
  // in gone's range, still does.
  lemma MembersBut_Mapped{L1, L2}: \forall struct vma_pool *v, struct vma_set *s, integer gone;
    KeptMembersBut{L1, L2}(v, s, gone) && CopiesOk{L1}(v, s) && CopiesOk{L2}(v, s) &&
    (\forall integer k, i; \at(InSet(v, s, k, i), L1) ==>
      0 <= \at(SlotId(v, s, k, i), L1) < VMA_POOL_SIZE) &&
    (\forall integer x; 0 <= x < VMA_POOL_SIZE ==>
      \at(v->vma[x].vm_start, L2) == \at(v->vma[x].vm_start, L1) &&
      \at(v->vma[x].vm_end, L2) == \at(v->vma[x].vm_end, L1)) ==>
    MappedKept{L1, L2}(v, s, \at(v->vma[gone].vm_start, L1), \at(v->vma[gone].vm_end, L1));

  // An address inside a member's range finds that member: the lookup's position is the
  // member's own (the set is sorted and disjoint).
  lemma Lookup_Inside{L}: \forall struct vma_pool *v, struct vma_set *s, struct vma_pos pos,
      integer k, i, a;
    VSorted(v, s) && InSet(v, s, k, i) && VStart(v, s, k, i) <= a < VEnd(v, s, k, i) &&
    LookupPos(v, s, a, pos) ==> pos.leaf == k && pos.slot == i;

  // A member's range is mapped.
  lemma Member_Covered{L}: \forall struct vma_pool *v, struct vma_set *s, integer id;
    CopiesOk(v, s) && InVSet(v, s, id) ==> Covered(v, s, v->vma[id].vm_start, v->vma[id].vm_end);
  } */

/*
 * Put the prepared descriptor id into mm at pos, its vma_lookup_pos() in mm's set as it
 * is. The caller has checked vma_set_room().
 */
/*@ requires apart: MmApart(e, mm);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires pool: VPoolOk(e->pool);
    requires index: IndexRoom(e->pool, &mm->vmas);
    requires room: (uint32_t)(VMA_LEAF_POOL - e->pool->nr_leaves) >= 1 &&
	(uint32_t)(mm->vmas.nr_leaves + 1) <= VMA_MAX_LEAVES &&
	(uint32_t)((uint32_t)mm->vmas.nr_vmas + 1) <= VMA_MAX_PER_MM;
    requires new: NewVma(e->pool, id);
    requires free: Apart(e->pool, &mm->vmas, id);
    requires pos: LookupPos(e->pool, &mm->vmas, e->pool->vma[id].vm_start, pos);
    requires file: e->pool->vma[id].file <= VMA_NR_FILES;
    assigns mm->vmas, mm->map_count, e->pool->leaf_free, e->pool->leaf_used,
	e->pool->nr_leaves, e->pool->leaves[0 .. VMA_LEAF_POOL - 1],
	e->pool->files[0 .. VMA_NR_FILES - 1].refs;
    ensures vmas: VSetOk(e->pool, &mm->vmas);
    ensures kept: MappedKept{Pre, Post}(e->pool, &mm->vmas, 0, 0);
    ensures mapped: Covered(e->pool, &mm->vmas, e->pool->vma[id].vm_start, e->pool->vma[id].vm_end);
*/
static void vma_link_at(struct mm_env *e, struct mm_struct *mm, uint32_t id, struct vma_pos pos)
{
	uint32_t file = V(e, id)->file;

	/*@ assert ids: \forall integer k, i; InSet(e->pool, &mm->vmas, k, i) ==>
		0 <= SlotId(e->pool, &mm->vmas, k, i) < VMA_POOL_SIZE; */
	/* where the insertion writes: leaves of the pool */
	/*@ assert next: 0 <= NextLeaf(e->pool) < VMA_LEAF_POOL; */
	/*@ assert tops: \forall integer j; 0 <= j < mm->vmas.nr_leaves ==>
		0 <= mm->vmas.leaf[j] < VMA_LEAF_POOL; */
	(void)vma_set_insert_at(e->pool, &mm->vmas, id, pos); /* room: it returns 0 */
	/* from the insertion's ranges (its assigns imply them, the provers do not: lesson 34) */
	/*@ assert descs: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
		e->pool->vma[x].vm_start == \at(e->pool->vma[x].vm_start, Pre) &&
		e->pool->vma[x].vm_end == \at(e->pool->vma[x].vm_end, Pre); */
	/*@ assert members: KeptMembers{Pre, Here}(e->pool, &mm->vmas); */
	/*@ assert member: InVSet(e->pool, &mm->vmas, id); */
	/*@ assert kept_here: MappedKept{Pre, Here}(e->pool, &mm->vmas, 0, 0); */
	/*@ assert mapped_here: Covered(e->pool, &mm->vmas, e->pool->vma[id].vm_start,
				       e->pool->vma[id].vm_end); */
	vma_linked(e, mm, file);
	/*@ assert kept_got: MappedKept{Pre, Here}(e->pool, &mm->vmas, 0, 0); */
	/*@ assert mapped_got: Covered(e->pool, &mm->vmas, e->pool->vma[id].vm_start,
				      e->pool->vma[id].vm_end); */
}

/* Put the prepared descriptor id into mm. The caller has checked vma_set_room(). */
static void vma_link(struct mm_env *e, struct mm_struct *mm, uint32_t id)
{
	vma_link_at(e, mm, id, vma_lookup_pos(e->pool, &mm->vmas, V(e, id)->vm_start));
}

/*
 * The accounting of a VMA just taken out of mm's set: vma_linked() undone (the file's
 * entry goes when its last reference does and it is not pinned). The postconditions are
 * vma_linked()'s, for the same reason.
 */
/*@ requires valid: \valid_read(e) && \valid(e->pool) && \valid(mm) && \separated(mm, e->pool);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires file: file <= VMA_NR_FILES;
    assigns mm->map_count, e->pool->files[0 .. VMA_NR_FILES - 1];
    ensures vmas: VSetOk(e->pool, &mm->vmas);
    ensures mapped: SameMapped{Pre, Post}(e->pool, &mm->vmas);
    ensures pool: VPoolOk(e->pool) <==> \old(VPoolOk(e->pool));
    ensures owned: LeavesOwned(e->pool, &mm->vmas) <==> \old(LeavesOwned(e->pool, &mm->vmas));
*/
static void vma_unlinked(struct mm_env *e, struct mm_struct *mm, uint32_t file)
{
	struct vma_pool *v = e->pool;

	(void)v; /* read by the annotations only */
	mm->map_count--;
	file_put(e, file);
	/*@ assert top: mm->vmas.nr_leaves == \at(mm->vmas.nr_leaves, Pre) &&
	      \forall integer k; 0 <= k < VMA_MAX_LEAVES ==>
		mm->vmas.leaf[k] == \at(mm->vmas.leaf[k], Pre) &&
		mm->vmas.last_end[k] == \at(mm->vmas.last_end[k], Pre); */
	/*@ assert slots: \forall integer j, i; 0 <= j < VMA_LEAF_POOL && 0 <= i < VMA_LEAF_SLOTS ==>
	      v->leaves[j].slot[i] == \at(e->pool->leaves[j].slot[i], Pre) &&
	      v->leaves[j].start[i] == \at(e->pool->leaves[j].start[i], Pre) &&
	      v->leaves[j].end[i] == \at(e->pool->leaves[j].end[i], Pre); */
	/*@ assert nrs: \forall integer j; 0 <= j < VMA_LEAF_POOL ==>
	      v->leaves[j].nr == \at(e->pool->leaves[j].nr, Pre) &&
	      v->leaves[j].next_free == \at(e->pool->leaves[j].next_free, Pre); */
	/*@ assert descs: \forall integer x; 0 <= x < VMA_POOL_SIZE ==>
	      v->vma[x].next_free == \at(e->pool->vma[x].next_free, Pre) &&
	      v->vma[x].vm_start == \at(e->pool->vma[x].vm_start, Pre) &&
	      v->vma[x].vm_end == \at(e->pool->vma[x].vm_end, Pre); */
	/*@ assert heads: v->vma_used == \at(e->pool->vma_used, Pre) && v->vma_free == \at(e->pool->vma_free, Pre) &&
	      v->leaf_used == \at(e->pool->leaf_used, Pre) && v->leaf_free == \at(e->pool->leaf_free, Pre); */
	/*@ assert pos: \forall integer k, i; InSet(v, &mm->vmas, k, i) <==> \at(InSet(e->pool, &mm->vmas, k, i), Pre); */
	/*@ assert ids: \forall integer k, i; InSet(v, &mm->vmas, k, i) ==>
	      SlotId(v, &mm->vmas, k, i) == \at(SlotId(e->pool, &mm->vmas, k, i), Pre); */
	/*@ assert lnr: \forall integer k; 0 <= k < mm->vmas.nr_leaves ==>
	      LeafNr(v, &mm->vmas, k) == \at(LeafNr(e->pool, &mm->vmas, k), Pre); */
	/*@ assert bounds: \forall integer k, i; InSet(v, &mm->vmas, k, i) ==>
	      VStart(v, &mm->vmas, k, i) == \at(VStart(e->pool, &mm->vmas, k, i), Pre) &&
	      VEnd(v, &mm->vmas, k, i) == \at(VEnd(e->pool, &mm->vmas, k, i), Pre); */
	/*@ assert shape_top: mm->vmas.nr_leaves <= VMA_MAX_LEAVES && \forall integer k;
	      0 <= k < mm->vmas.nr_leaves ==> mm->vmas.leaf[k] < VMA_LEAF_POOL; */
	/*@ assert shape_nrs: \forall integer k; 0 <= k < mm->vmas.nr_leaves ==>
	      1 <= LeafNr(v, &mm->vmas, k) <= VMA_LEAF_SLOTS; */
	/*@ assert shape_ids: \forall integer k, i; InSet(v, &mm->vmas, k, i) ==>
	      SlotId(v, &mm->vmas, k, i) < VMA_POOL_SIZE; */
	/*@ assert shape: VSetShape(v, &mm->vmas); */
	/*@ assert copies: CopiesOk(v, &mm->vmas); */
	/*@ assert vmas_ok: VmasOk(v, &mm->vmas); */
	/*@ assert sorted: VSorted(v, &mm->vmas); */
	/*@ assert last_ends: LastEnds(v, &mm->vmas); */
	/*@ assert mapped_to: \forall integer a; \at(Mapped(e->pool, &mm->vmas, a), Pre) ==>
	      Mapped(v, &mm->vmas, a); */
	/*@ assert mapped_from: \forall integer a; Mapped(v, &mm->vmas, a) ==>
	      \at(Mapped(e->pool, &mm->vmas, a), Pre); */
}

/*
 * vma_unlinked() and what it leaves of the allocators (same), shown here, where the
 * context has neither MmAllocOk nor vma_unlinked()'s own asserts (lesson 37).
 */
/*@ requires apart: MmApart(e, mm);
    requires kmem: \valid(e->kmem);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires file: file <= VMA_NR_FILES;
    assigns mm->map_count, e->pool->files[0 .. VMA_NR_FILES - 1];
    ensures same: AllocSame{Pre, Post}(e);
    ensures shape: PhysShape(e->phys) && \valid(e->kmem);
    ensures vmas: VSetOk(e->pool, &mm->vmas);
    ensures mapped: SameMapped{Pre, Post}(e->pool, &mm->vmas);
    ensures pool: VPoolOk(e->pool) <==> \old(VPoolOk(e->pool));
    ensures owned: LeavesOwned(e->pool, &mm->vmas) <==> \old(LeavesOwned(e->pool, &mm->vmas));
*/
static void vma_unlinked_kept(struct mm_env *e, struct mm_struct *mm, uint32_t file)
{
	/*@ assert files_apart: \separated(e->pool->files + (0 .. VMA_NR_FILES - 1), e->phys, e->kmem,
			e->phys->pages + (0 .. e->phys->nr_pages - 1)); */
	vma_unlinked(e, mm, file);
	/* the allocators' state as it was, one part at a time (lesson 37) */
	/*@ assert same_ptrs: e->pool == \at(e->pool, Pre) && e->phys == \at(e->phys, Pre) &&
		e->kmem == \at(e->kmem, Pre); */
	/*@ assert same_sizes: e->phys->nr_pages == \at(e->phys->nr_pages, Pre) &&
		e->phys->booted == \at(e->phys->booted, Pre) &&
		e->phys->pages == \at(e->phys->pages, Pre) && e->phys->mem == \at(e->phys->mem, Pre); */
	/*@ assert same_pages: PagesSame{Pre, Here}(\at(e->phys->pages, Pre),
						 \at(e->phys->nr_pages, Pre)); */
	/*@ assert same_areas: AreasSame{Pre, Here}(\at(&e->phys->zones[0], Pre)); */
	/*@ assert same_zones: \forall integer zi; 0 <= zi < MAX_NR_ZONES ==>
		e->phys->zones[zi].start_pfn == \at(e->phys->zones[zi].start_pfn, Pre) &&
		e->phys->zones[zi].end_pfn == \at(e->phys->zones[zi].end_pfn, Pre); */
	/*@ assert same_k_object_size: \forall integer i; 0 <= i < MAX_CACHES ==>
		e->kmem->caches[i].object_size == \at(e->kmem->caches[i].object_size, Pre); */
	/*@ assert same_k_size: \forall integer i; 0 <= i < MAX_CACHES ==>
		e->kmem->caches[i].size == \at(e->kmem->caches[i].size, Pre); */
	/*@ assert same_k_offset: \forall integer i; 0 <= i < MAX_CACHES ==>
		e->kmem->caches[i].offset == \at(e->kmem->caches[i].offset, Pre); */
	/*@ assert same_k_order: \forall integer i; 0 <= i < MAX_CACHES ==>
		e->kmem->caches[i].order == \at(e->kmem->caches[i].order, Pre); */
	/*@ assert same_k_min_order: \forall integer i; 0 <= i < MAX_CACHES ==>
		e->kmem->caches[i].min_order == \at(e->kmem->caches[i].min_order, Pre); */
	/*@ assert same_k_flags: \forall integer i; 0 <= i < MAX_CACHES ==>
		e->kmem->caches[i].in_use == \at(e->kmem->caches[i].in_use, Pre) &&
		e->kmem->caches[i].kmalloc == \at(e->kmem->caches[i].kmalloc, Pre); */
	/*@ assert same_caches: KeptExcept{Pre, Here}(\at(e->kmem, Pre), MAX_CACHES); */
	/*@ assert same_k_cpus: e->kmem->nr_cpus == \at(e->kmem->nr_cpus, Pre); */
	/*@ assert same_ids: KmemIdsSame{Pre, Here}(\at(e->kmem, Pre)); */
}

/*
 * vm_area_free() of a descriptor already out of the set s, and what that keeps of s: it
 * stays well formed with the same addresses mapped. The parameters are vm_area_free()'s
 * and the set, not mm_env and mm: through e, in MmApart's and MmAllocOk's context, the
 * provers do not find even booted again within the time limit (docs/proofs.md, lesson
 * 36). heads: the page allocator's free-list heads hold again because it has booted.
 * same: vm_area_free()'s IndexSame and the set's own fields; vmas, mapped and owned
 * follow from it through the lemmas of SetFrame (lesson 38).
 */
/*@ requires valid: \valid(v) && \valid(s);
    requires used: id < v->vma_used;
    requires heads: ListHeads(p);
    requires booted: p->booted;
    VMA_SLAB_REQUIRES
    requires set: \separated(s, v, k, p, p->pages + (0 .. p->nr_pages - 1),
			      p->mem + (0 .. RamWords(p) - 1));
    requires vmas: VSetOk(v, s);
    VMA_FREE_ASSIGNS
    ensures pool: VPoolOk(v);
    ensures safe: BuddySafe(p);
    ensures kmem: KmemOk(k);
    ensures heads: ListHeads(p);
    ensures booted: p->booted;
    ensures nr: p->nr_pages == \old(p->nr_pages);
    ensures vmas: VSetOk(v, s);
    ensures mapped: SameMapped{Pre, Post}(v, s);
    ensures owned: LeavesOwned(v, s) <==> \old(LeavesOwned(v, s));
*/
static void vma_desc_free(struct vma_pool *v, struct phys *p, struct kmem *k, struct vma_set *s,
			  uint32_t id)
{
	(void)s; /* read by the annotations only */
	/* the set apart from each location the call writes, one field at a time (lesson 36) */
	/*@ assert apart_nr: \separated(&s->nr_leaves, k, p->zones + (0 .. MAX_NR_ZONES - 1),
			p->pages + (0 .. p->nr_pages - 1), &v->vma[id].next_free, &v->vma_free,
			&v->nr_vmas); */
	/*@ assert apart_leaf: \forall integer x; 0 <= x < VMA_MAX_LEAVES ==>
		\separated(&s->leaf[x], k, p->zones + (0 .. MAX_NR_ZONES - 1),
			   p->pages + (0 .. p->nr_pages - 1), &v->vma[id].next_free, &v->vma_free,
			   &v->nr_vmas); */
	/*@ assert apart_last: \forall integer x; 0 <= x < VMA_MAX_LEAVES ==>
		\separated(&s->last_end[x], k, p->mem + (0 .. RamWords(p) - 1), &v->vma[id].obj); */
	/*@ assert apart_pages: \separated(&p->nr_pages, k, p->zones + (0 .. MAX_NR_ZONES - 1),
			p->pages + (0 .. p->nr_pages - 1), p->mem + (0 .. RamWords(p) - 1),
			&v->vma[id].obj, &v->vma[id].next_free, &v->vma_free, &v->nr_vmas); */
	vm_area_free(v, p, k, id);
	/*@ assert kept_pages: p->nr_pages == \at(p->nr_pages, Pre); */
	/*@ assert kept_nr: s->nr_leaves == \at(s->nr_leaves, Pre); */
	/*@ assert kept_leaf: \forall integer x; 0 <= x < VMA_MAX_LEAVES ==>
		s->leaf[x] == \at(s->leaf[x], Pre); */
	/*@ assert kept_last: \forall integer x; 0 <= x < VMA_MAX_LEAVES ==>
		s->last_end[x] == \at(s->last_end[x], Pre); */
	/* the set, every leaf and every range as they were: VSetOk and the mapped addresses
	   carry over through the lemmas of SetFrame (lessons 37, 38) */
	/*@ assert same: SetSame{Pre, Here}(v, s); */
}

#ifdef __FRAMAC__
/*
 * What taking VMA id out of mm writes and what it keeps: the frame and postconditions of
 * vma_unlink_free_at() and vma_unlink_free(), one text.
 */
/* clang-format off */
#define MM_UNLINK_FREE_FRAME \
	assigns mm->vmas, mm->map_count, e->pool->leaf_free, e->pool->nr_leaves, \
		e->pool->leaves[0 .. VMA_LEAF_POOL - 1], e->pool->files[0 .. VMA_NR_FILES - 1], \
		e->pool->vma[id].obj, \
		e->pool->vma[id].next_free, e->pool->vma_free, e->pool->nr_vmas, *e->kmem, \
		e->phys->zones[0 .. MAX_NR_ZONES - 1], e->phys->pages[0 .. e->phys->nr_pages - 1], \
		e->phys->mem[0 .. RamWords(e->phys) - 1]; \
	ensures vmas: VSetOk(e->pool, &mm->vmas); \
	ensures alloc: MmAllocOk(e); \
	ensures owned: LeavesOwned(e->pool, &mm->vmas); \
	ensures count: mm->vmas.nr_vmas == \old(mm->vmas.nr_vmas) - 1; \
	ensures kept: MappedKept{Pre, Post}(e->pool, &mm->vmas, \old(e->pool->vma[id].vm_start), \
					    \old(e->pool->vma[id].vm_end)); \
	ensures phys: e->phys->nr_pages == \old(e->phys->nr_pages);
/* clang-format on */
#endif

/*
 * The index's part of the unlinking: take the VMA at pos (descriptor id) out of mm's set.
 * A step of its own so that its goals have no MmAllocOk in their context. Not proved
 * yet: same, the allocators' fields across the removal's frame, whose parts are asserted
 * one by one in vma_unlinked_kept(); here the page links and free lists do not prove
 * (docs/proofs.md, lesson 37).
 */
/*@ requires apart: MmApart(e, mm);
    requires kmem: \valid(e->kmem);
    requires pool: VPoolOk(e->pool);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires owned: LeavesOwned(e->pool, &mm->vmas);
    requires pos: InSet(e->pool, &mm->vmas, pos.leaf, pos.slot) &&
	SlotId(e->pool, &mm->vmas, pos.leaf, pos.slot) == id;
    requires count: 0 < mm->vmas.nr_vmas;
    assigns mm->vmas, e->pool->leaf_free, e->pool->nr_leaves,
	e->pool->leaves[0 .. VMA_LEAF_POOL - 1];
    ensures vmas: VSetOk(e->pool, &mm->vmas);
    ensures pool: VPoolOk(e->pool);
    ensures owned: LeavesOwned(e->pool, &mm->vmas);
    ensures count: mm->vmas.nr_vmas == \old(mm->vmas.nr_vmas) - 1;
    ensures kept: MappedKept{Pre, Post}(e->pool, &mm->vmas, \old(e->pool->vma[id].vm_start),
					\old(e->pool->vma[id].vm_end));
    ensures same: AllocSame{Pre, Post}(e);
    ensures shape: PhysShape(e->phys) && \valid(e->kmem);
    ensures used: e->pool->vma_used == \old(e->pool->vma_used);
*/
static void vma_unlink_at(struct mm_env *e, struct mm_struct *mm, uint32_t id, struct vma_pos pos)
{
	(void)id; /* read by the annotations only */
	/*@ assert ids: \forall integer k, i; InSet(e->pool, &mm->vmas, k, i) ==>
		0 <= SlotId(e->pool, &mm->vmas, k, i) < VMA_POOL_SIZE; */
	/*@ assert in_pool: \forall integer j; 0 <= j < mm->vmas.nr_leaves ==>
		0 <= mm->vmas.leaf[j] < VMA_LEAF_POOL; */
	vma_set_remove_at(e->pool, &mm->vmas, pos);
	/*@ assert members: KeptMembersBut{Pre, Here}(e->pool, &mm->vmas, id); */
}

/*
 * Take id, at position pos of mm's set, out of mm and free it: the index's part
 * (vma_unlink_at()), the descriptor (vma_desc_free()), the counts
 * (vma_unlinked_kept()). Every other VMA keeps its place and range, so every address
 * mapped outside id's range still is (kept); MmAllocOk holds again after each step
 * through MmAllocOk_Same (lesson 37).
 */
/*@ requires apart: MmApart(e, mm);
    requires alloc: MmAllocOk(e);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires owned: LeavesOwned(e->pool, &mm->vmas);
    requires pos: InSet(e->pool, &mm->vmas, pos.leaf, pos.slot) &&
	SlotId(e->pool, &mm->vmas, pos.leaf, pos.slot) == id;
    requires count: 0 < mm->vmas.nr_vmas;
    requires used: id < e->pool->vma_used;
    requires file: e->pool->vma[id].file <= VMA_NR_FILES;
    MM_UNLINK_FREE_FRAME
*/
static void vma_unlink_free_at(struct mm_env *e, struct mm_struct *mm, uint32_t id,
			       struct vma_pos pos)
{
	uint32_t file = V(e, id)->file;

	vma_unlink_at(e, mm, id, pos);
	/*@ assert alloc_removed: MmAllocOk(e); */
	/*@ assert set_apart: \separated(&mm->vmas, e->pool, e->kmem, e->phys,
			e->phys->pages + (0 .. e->phys->nr_pages - 1),
			e->phys->mem + (0 .. RamWords(e->phys) - 1)); */
	vma_desc_free(e->pool, e->phys, e->kmem, &mm->vmas, id);
	/*@ assert nr_freed: e->phys->nr_pages == \at(e->phys->nr_pages, Pre); */
	/*@ assert alloc_freed: MmAllocOk(e); */
	/*@ assert shape_freed: PhysShape(e->phys); */
	/*@ assert apart_freed: MmApart(e, mm); */
	/*@ assert kept_freed: MappedKept{Pre, Here}(e->pool, &mm->vmas, \at(e->pool->vma[id].vm_start, Pre),
						   \at(e->pool->vma[id].vm_end, Pre)); */
	vma_unlinked_kept(e, mm, file);
	/*@ assert alloc_unlinked: MmAllocOk(e); */
}

/* Take id, a member of mm's set, out of mm and free it: vma_unlink_free_at() at its
 * position, which the lookup of its vm_start finds (Lookup_Inside). */
/*@ requires apart: MmApart(e, mm);
    requires alloc: MmAllocOk(e);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires owned: LeavesOwned(e->pool, &mm->vmas);
    requires member: InVSet(e->pool, &mm->vmas, id);
    requires count: 0 < mm->vmas.nr_vmas;
    requires used: id < e->pool->vma_used;
    requires file: e->pool->vma[id].file <= VMA_NR_FILES;
    MM_UNLINK_FREE_FRAME
*/
static void vma_unlink_free(struct mm_env *e, struct mm_struct *mm, uint32_t id)
{
	struct vma_pos pos = vma_lookup_pos(e->pool, &mm->vmas, V(e, id)->vm_start);

	/*@ assert at: InSet(e->pool, &mm->vmas, pos.leaf, pos.slot) &&
		SlotId(e->pool, &mm->vmas, pos.leaf, pos.slot) == id; */
	vma_unlink_free_at(e, mm, id, pos);
}

/*
 * __split_vma(): split id at addr with the spare descriptor fresh. new_below: fresh takes
 * the part below addr, else the part from addr. Returns the descriptor of the part from
 * addr when new_below, of the part below otherwise -- that is, id.
 */
static void split_vma_with(struct mm_env *e, struct mm_struct *mm, uint32_t id, uint64_t addr,
			   uint32_t fresh, bool new_below)
{
	struct vm_area_struct *vma = V(e, id), *n = V(e, fresh);
	uint64_t delta = (addr - vma->vm_start) / PAGE_SIZE;

	n->vm_flags = vma->vm_flags;
	n->anon_vma = vma->anon_vma;
	n->file = vma->file;
	if (new_below) {
		n->vm_start = vma->vm_start;
		n->vm_end = addr;
		n->vm_pgoff = vma->vm_pgoff;
		vma->vm_start = addr;
		vma->vm_pgoff += delta;
	} else {
		n->vm_start = addr;
		n->vm_end = vma->vm_end;
		n->vm_pgoff = vma->vm_pgoff + delta;
		vma->vm_end = addr;
	}
	vma_set_resized(e->pool, &mm->vmas, id);
	vma_link(e, mm, fresh);
}

/*
 * The vm_ops->may_split() of a special mapping ([vvar], [vdso]: special_mapping_split()):
 * the kernel expects their page count, so splitting one is -EINVAL.
 */
/*@ requires valid: \valid_read(e) && \valid_read(e->pool);
    requires id: id < VMA_POOL_SIZE;
    requires file: e->pool->vma[id].file <= VMA_NR_FILES;
    assigns \nothing;
    ensures result: \result == 0 || \result == -EINVAL;
*/
static int may_split(struct mm_env *e, uint32_t id)
{
	uint32_t file = V(e, id)->file;

	return file != 0 && e->pool->files[file - 1].special ? -EINVAL : 0;
}

/* A descriptor and index room for one split: err 0 and id[0], or -ENOMEM. */
/*@ requires apart: MmApart(e, mm);
    requires alloc: MmAllocOk(e);
    assigns e->pool->vma[0 .. VMA_POOL_SIZE - 1], e->pool->vma_free, e->pool->vma_used,
	e->pool->nr_vmas, *e->kmem, e->phys->zones[0 .. MAX_NR_ZONES - 1],
	e->phys->pages[0 .. e->phys->nr_pages - 1], e->phys->mem[0 .. RamWords(e->phys) - 1];
    ensures result: \result.err == 0 || \result.err == -ENOMEM;
    ensures fresh: \result.err == 0 ==> \result.id[0] < VMA_POOL_SIZE;
    ensures pool: VPoolOk(e->pool);
*/
static struct vma_batch split_prepare(struct mm_env *e, struct mm_struct *mm)
{
	struct vma_batch none = VMA_BATCH_NONE(-ENOMEM);

	if (!vma_set_room(e->pool, &mm->vmas, 1))
		return none;
	return vma_prealloc(e->pool, e->phys, e->kmem, 1);
}

/* split_vma(): with the map_count check of mm/vma.c. */
static int split_vma(struct mm_env *e, struct mm_struct *mm, uint32_t id, uint64_t addr,
		     bool new_below)
{
	struct vma_batch fresh;
	int err;

	if (mm->map_count >= e->max_map_count)
		return -ENOMEM;
	err = may_split(e, id);
	if (err != 0)
		return err;
	fresh = split_prepare(e, mm);
	if (fresh.err != 0)
		return fresh.err;
	split_vma_with(e, mm, id, addr, fresh.id[0], new_below);
	return 0;
}

/*
 * anon_vma_prepare(): give id an anon_vma, reusing a neighbour's when the two could be
 * one VMA but for their protections (mm/rmap.c: find_mergeable_anon_vma(), next first).
 */
void anon_vma_prepare(struct mm_env *e, struct mm_struct *mm, uint32_t id)
{
	struct vma_pool *v = e->pool;
	uint32_t prev, next;

	if (V(e, id)->anon_vma != 0)
		return;
	next = find_vma_prev(v, &mm->vmas, V(e, id)->vm_end, &prev);
	if (next != VMA_NONE && V(e, next)->anon_vma != 0 &&
	    anon_vma_compatible(V(e, id), V(e, next))) {
		V(e, id)->anon_vma = V(e, next)->anon_vma;
		return;
	}
	(void)find_vma_prev(v, &mm->vmas, V(e, id)->vm_start, &prev);
	if (prev != VMA_NONE && V(e, prev)->anon_vma != 0 &&
	    anon_vma_compatible(V(e, prev), V(e, id))) {
		V(e, id)->anon_vma = V(e, prev)->anon_vma;
		return;
	}
	V(e, id)->anon_vma = v->next_anon_vma++;
}

/*
 * mm_populate(): fault the range in (fault.c: populate_range()). Of the pool it writes
 * anon_vma and next_anon_vma only; it assigns all of *e->pool because its callers do
 * (docs/proofs.md, lesson 9): what it keeps of the set is in vmas and mapped.
 */
/*@ requires apart: MmApart(e, mm);
    requires alloc: MmAllocOk(e);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    assigns e->phys->zones[0 .. MAX_NR_ZONES - 1], e->phys->pages[0 .. e->phys->nr_pages - 1],
	e->phys->mem[0 .. RamWords(e->phys) - 1], mm->pgtables, mm->rss_anon,
	mm->tlb_flush_start, mm->tlb_flush_end, *e->pool;
    ensures vmas: VSetOk(e->pool, &mm->vmas);
    ensures mapped: SameMapped{Pre, Post}(e->pool, &mm->vmas);
    ensures brk: mm->brk == \old(mm->brk) && mm->start_brk == \old(mm->start_brk);
*/
static void mm_populate(struct mm_env *e, struct mm_struct *mm, uint64_t start, uint64_t end)
{
	populate_range(e, mm, start, end);
}

/* Creation and destruction ------------------------------------------------------------ */

/*@ assigns \nothing;
    ensures aligned: \result % PAGE_SIZE == 0;
    ensures below: \result <= TASK_SIZE;
*/
static uint64_t mmap_base(uint64_t stack_rlimit)
{
	uint64_t gap = stack_rlimit, pad = STACK_GUARD_GAP; /* no randomization */
	uint64_t gap_min = 128ull << 20, gap_max = TASK_SIZE / 6 * 5;

	if (gap + pad > gap)
		gap += pad;
	if (gap < gap_min)
		gap = gap_min;
	else if (gap > gap_max)
		gap = gap_max;
	return page_align(TASK_SIZE - gap);
}

/*@ requires valid: \valid(r);
    assigns *r;
    ensures set: r->rlim_cur == cur && r->rlim_max == max;
*/
static void set_rlimit(struct mm_rlimit *r, uint64_t cur, uint64_t max)
{
	r->rlim_cur = cur;
	r->rlim_max = max;
}

int mm_default_layout(struct vma_pool *v, struct mm_layout *l)
{
	static const char exe[] = "/usr/libexec/mmref/mmref-linux-child";
	uint32_t text = vm_file_get(v, exe, 0xfe, 0, 1, false);
	uint32_t vvar = vm_file_get(v, "[vvar]", 0, 0, 0, true);
	uint32_t vclock = vm_file_get(v, "[vvar_vclock]", 0, 0, 0, true);
	uint32_t vdso = vm_file_get(v, "[vdso]", 0, 0, 0, true);
	const uint64_t may = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	const uint64_t rw = VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT;
	const uint64_t vv = VM_READ | VM_MAYREAD | VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	const struct mm_layout_vma vmas[] = {
	    {0x400000, 0x401000, VM_READ | may, 0, text},	    /* ELF headers */
	    {0x401000, 0x402000, VM_READ | VM_EXEC | may, 1, text}, /* .text */
	    {0x402000, 0x403000, VM_READ | may, 2, text},	    /* .rodata */
	    {0x403000, 0x404000, rw, 2, text},			    /* .data */
	    {0x404000, 0x424000, rw, 0x404, 0},			    /* .bss */
	    {0x7ffff7ff7000, 0x7ffff7ffb000, vv, 0, vvar},
	    {0x7ffff7ffb000, 0x7ffff7ffd000, vv, 0, vclock},
	    {0x7ffff7ffd000, 0x7ffff7fff000, VM_READ | VM_EXEC | may | VM_DONTEXPAND, 0, vdso},
	    {0x7ffffffde000, 0x7ffffffff000, rw | VM_GROWSDOWN, 0x7ffffffde, 0}, /* [stack] */
	};
	uint32_t i;

	if (text == 0 || vvar == 0 || vclock == 0 || vdso == 0)
		return -MERR_NO_SLOT;
	l->start_code = 0x401000;
	l->end_code = 0x401823;
	l->start_data = 0x403100;
	l->end_data = 0x403120;
	l->start_brk = 0x424000;
	l->brk = 0x424000;
	l->start_stack = 0x7fffffffee00;
	for (i = 0; i < RLIM_NLIMITS; i++)
		set_rlimit(&l->rlim[i], RLIM_INFINITY, RLIM_INFINITY);
	set_rlimit(&l->rlim[RLIMIT_STACK], 8ull << 20, RLIM_INFINITY);
	set_rlimit(&l->rlim[RLIMIT_MEMLOCK], 8ull << 20, 8ull << 20);
	l->has_vsyscall = true;
	l->privileged = false;
	l->nr_vmas = sizeof(vmas) / sizeof(vmas[0]);
	for (i = 0; i < l->nr_vmas; i++)
		l->vmas[i] = vmas[i];
	return 0;
}

/*@ requires valid: \valid_read(l);
    assigns \nothing;
    ensures nr: \result ==> l->nr_vmas <= MM_LAYOUT_MAX_VMAS;
*/
static bool layout_ok(const struct mm_layout *l)
{
	uint64_t prev_end = 0;
	uint32_t i;

	if (l->nr_vmas > MM_LAYOUT_MAX_VMAS)
		return false;
	/*@ loop invariant bound: 0 <= i <= l->nr_vmas;
	    loop assigns i, prev_end;
	    loop variant l->nr_vmas - i;
	*/
	for (i = 0; i < l->nr_vmas; i++) {
		const struct mm_layout_vma *x = &l->vmas[i];

		if (x->start % PAGE_SIZE != 0 || x->end % PAGE_SIZE != 0 || x->start >= x->end ||
		    x->end > TASK_SIZE || x->start < prev_end || x->file > VMA_NR_FILES)
			return false;
		prev_end = x->end;
	}
	return true;
}

int mm_create(struct mm_env *e, struct mm_struct *mm, const struct mm_layout *l,
	      enum mm_profile profile)
{
	struct vma_pool *v = e->pool;
	uint32_t i;

	if (!layout_ok(l) || profile >= NR_MM_PROFILES)
		return -EINVAL;
	if (v->vm_area_cachep <= 0) {
		int id = kmem_cache_find(e->kmem, "vm_area_struct");

		if (id < 0)
			id = kmem_cache_create(e->kmem, "vm_area_struct", VMA_OBJ_SIZE, 0,
					       SLAB_HWCACHE_ALIGN);
		if (id < 0)
			return -ENOMEM;
		v->vm_area_cachep = id;
	}
	vma_set_init(&mm->vmas);
	mm->map_count = 0;
	mm->pgd = 0;
	mm->pgtables = 0;
	mm->rss_anon = 0;
	if (pgd_alloc(e, mm) != 0)
		return -ENOMEM;
	mm->profile = profile;
	mm->compat_brk = profile != PROFILE_LINUX_6_18; /* Kconfig default y; Debian: n */
	mm->privileged = l->privileged;
	mm->has_vsyscall = l->has_vsyscall;
	mm->start_code = l->start_code;
	mm->end_code = l->end_code;
	mm->start_data = l->start_data;
	mm->end_data = l->end_data;
	mm->start_brk = l->start_brk;
	mm->brk = l->brk;
	mm->start_stack = l->start_stack;
	mm->total_vm = mm->data_vm = mm->exec_vm = mm->stack_vm = mm->locked_vm = 0;
	mm->def_flags = 0;
	mm->split_leftovers = 0;
	for (i = 0; i < RLIM_NLIMITS; i++)
		mm->rlim[i] = l->rlim[i];
	mm->mmap_base = mmap_base(l->rlim[RLIMIT_STACK].rlim_cur);
	mm->mmap_legacy_base = page_align(TASK_SIZE / 3);
	if (!vma_set_room(v, &mm->vmas, l->nr_vmas)) {
		pgd_free(e, mm);
		return -ENOMEM;
	}
	for (i = 0; i < l->nr_vmas; i++) {
		const struct mm_layout_vma *x = &l->vmas[i];
		uint32_t id = vm_area_alloc(v, e->phys, e->kmem);

		if (id == VMA_NONE) {
			mm_destroy(e, mm);
			return -ENOMEM;
		}
		V(e, id)->vm_start = x->start;
		V(e, id)->vm_end = x->end;
		V(e, id)->vm_flags = x->flags;
		V(e, id)->vm_pgoff = x->pgoff;
		V(e, id)->file = x->file;
		vma_link(e, mm, id);
		mm_account(mm, x->flags, vma_pages(V(e, id)));
		if ((x->flags & VM_LOCKED) != 0)
			mm->locked_vm += vma_pages(V(e, id));
	}
	mm->in_use = true;
	return 0;
}

void mm_destroy(struct mm_env *e, struct mm_struct *mm)
{
	while (mm->vmas.nr_vmas > 0)
		vma_unlink_free(e, mm, vma_at(e->pool, &mm->vmas, vma_first_pos(&mm->vmas)));
	pgd_free(e, mm); /* exit_mmap(): every page and table */
	mm->in_use = false;
}

/* munmap -------------------------------------------------------------------------------- */

/* Pages of [start, end) covered by VMAs (count_vma_pages_range()), and of those with
 * VM_ACCOUNT in *accounted. */
/*@ requires apart: MmApart(e, mm);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires out: \valid(accounted) && \separated(accounted, e, mm, e->pool);
    assigns *accounted;
*/
static uint64_t range_pages(struct mm_env *e, struct mm_struct *mm, uint64_t start, uint64_t end,
			    uint64_t *accounted)
{
	uint64_t n = 0, acc = 0, addr = start;

	/* The loop writes locals only, so the set it reads stays as the precondition says. */
	/*@ loop assigns n, acc, addr;
	    loop variant end - addr;
	*/
	while (addr < end) {
		uint32_t id = find_vma(e->pool, &mm->vmas, addr);
		uint64_t s, t;

		if (id == VMA_NONE || V(e, id)->vm_start >= end)
			break;
		s = V(e, id)->vm_start > start ? V(e, id)->vm_start : start;
		t = V(e, id)->vm_end < end ? V(e, id)->vm_end : end;
		n += (t - s) / PAGE_SIZE;
		if ((V(e, id)->vm_flags & VM_ACCOUNT) != 0)
			acc += (t - s) / PAGE_SIZE;
		addr = V(e, id)->vm_end;
	}
	*accounted = acc;
	return n;
}

/*
 * What munmap_prepare() found for [start, end): an errno, the spare descriptors its
 * splits need (VMA_NONE when a split is not needed), and the position of the first VMA
 * that ends above start, which munmap_commit() starts from.
 */
struct munmap_plan {
	int err;
	uint32_t fresh[2]; /* for the split at start, at end */
	struct vma_pos pos;
};

/*
 * The checks of vms_gather_munmap_vmas() for [start, end), given pos, the
 * vma_lookup_pos() of start, and the descriptors its splits need. err is 0, or -ENOMEM
 * (map_count, no memory) or -EINVAL (a special mapping would be split) with nothing
 * held.
 */
static struct munmap_plan munmap_prepare(struct mm_env *e, struct mm_struct *mm, uint64_t start,
					 uint64_t end, struct vma_pos pos)
{
	struct munmap_plan plan = {0, {VMA_NONE, VMA_NONE}, pos};
	uint32_t first = vma_at(e->pool, &mm->vmas, pos), last, n = 0;
	struct vma_batch got;
	bool split_start, split_end;

	if (first == VMA_NONE || V(e, first)->vm_start >= end)
		return plan;
	split_start = V(e, first)->vm_start < start;
	if (split_start && end < V(e, first)->vm_end && mm->map_count >= e->max_map_count) {
		plan.err = -ENOMEM;
		return plan;
	}
	if (split_start && may_split(e, first) != 0) {
		plan.err = -EINVAL;
		return plan;
	}
	/* find_vma(end - 1): first again when it reaches end */
	last = V(e, first)->vm_end >= end ? first : find_vma(e->pool, &mm->vmas, end - 1);
	split_end = last != VMA_NONE && V(e, last)->vm_start < end && V(e, last)->vm_end > end;
	if (split_end && may_split(e, last) != 0) {
		/* Linux splits at start first and keeps that split when the end one is
		 * refused: two equal neighbours stay. */
		if (split_start) {
			got = split_prepare(e, mm);
			if (got.err == 0) {
				split_vma_with(e, mm, first, start, got.id[0], true);
				mm->split_leftovers++;
			}
		}
		plan.err = -EINVAL;
		return plan;
	}
	n = (split_start ? 1u : 0u) + (split_end ? 1u : 0u);
	if (n == 0)
		return plan;
	if (!vma_set_room(e->pool, &mm->vmas, n)) {
		plan.err = -ENOMEM;
		return plan;
	}
	got = vma_prealloc(e->pool, e->phys, e->kmem, n);
	if (got.err != 0) {
		plan.err = got.err;
		return plan;
	}
	plan.fresh[0] = split_start ? got.id[0] : VMA_NONE;
	plan.fresh[1] = split_end ? got.id[n - 1] : VMA_NONE;
	return plan;
}

/*
 * Remove [start, end) from mm with what munmap_prepare() gave (mm unchanged since). A
 * split moves positions: the position of the VMA from start is looked up again then.
 */
static void munmap_commit(struct mm_env *e, struct mm_struct *mm, uint64_t start, uint64_t end,
			  const struct munmap_plan *plan)
{
	struct vma_pos pos = plan->pos;
	uint32_t id = vma_at(e->pool, &mm->vmas, pos);

	if (id == VMA_NONE || V(e, id)->vm_start >= end)
		return;
	if (plan->fresh[0] != VMA_NONE) { /* the part below start stays, in the new descriptor */
		split_vma_with(e, mm, id, start, plan->fresh[0], true);
		pos = vma_lookup_pos(e->pool, &mm->vmas, start);
	}
	for (;;) {
		struct vm_area_struct *vma = V(e, id);
		uint64_t vma_start, vma_end;

		if (vma->vm_end > end) { /* the part from end stays */
			split_vma_with(e, mm, id, end, plan->fresh[1], false);
			pos = vma_lookup_pos(e->pool, &mm->vmas, start);
		}
		vma_start = vma->vm_start;
		vma_end = vma->vm_end;
		mm_account(mm, vma->vm_flags, 0 - vma_pages(vma));
		if ((vma->vm_flags & VM_LOCKED) != 0)
			mm->locked_vm -= vma_pages(vma);
		vma_unlink_free_at(e, mm, id, pos);
		zap_range(e, mm, start > vma_start ? start : vma_start, vma_end);
		if (vma_end >= end) /* the next VMA starts at or above end */
			return;
		pos = vma_lookup_pos(e->pool, &mm->vmas, start);
		id = vma_at(e->pool, &mm->vmas, pos);
		if (id == VMA_NONE || V(e, id)->vm_start >= end)
			return;
	}
}

/*
 * An mmap() over [start, end) that fails after munmap_prepare(): Linux has split the
 * VMAs at both ends already, and its abort (vms_abort_munmap_vmas()) puts the middle back
 * without joining the pieces. Do the same splits, nothing else.
 */
static void munmap_abort(struct mm_env *e, struct mm_struct *mm, uint64_t start, uint64_t end,
			 const struct munmap_plan *plan)
{
	uint32_t id;

	if (plan->fresh[0] != VMA_NONE) {
		id = find_vma(e->pool, &mm->vmas, start);
		split_vma_with(e, mm, id, start, plan->fresh[0], true);
		mm->split_leftovers++;
	}
	if (plan->fresh[1] != VMA_NONE) {
		id = find_vma(e->pool, &mm->vmas, end - 1);
		split_vma_with(e, mm, id, end, plan->fresh[1], false);
		mm->split_leftovers++;
	}
}

/*
 * do_vmi_munmap() after its argument checks. Returns 0 with [start, end) unmapped and
 * every other address mapped as before, or -ENOMEM / -EINVAL with the same addresses
 * mapped as before (a split at start may stay, as in Linux).
 */
/*@ requires apart: MmApart(e, mm);
    requires alloc: MmAllocOk(e);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires index: IndexRoom(e->pool, &mm->vmas);
    assigns mm->vmas, mm->map_count, mm->split_leftovers, mm->total_vm,
	mm->data_vm, mm->exec_vm, mm->stack_vm, mm->locked_vm, mm->pgtables, mm->rss_anon,
	mm->tlb_flush_start, mm->tlb_flush_end, *e->pool, *e->kmem,
	e->phys->zones[0 .. MAX_NR_ZONES - 1], e->phys->pages[0 .. e->phys->nr_pages - 1],
	e->phys->mem[0 .. RamWords(e->phys) - 1];
    ensures result: \result == 0 || \result == -ENOMEM || \result == -EINVAL;
    ensures vmas: VSetOk(e->pool, &mm->vmas);
    ensures alloc: MmAllocOk(e);
    ensures kept: MappedKept{Pre, Post}(e->pool, &mm->vmas, start, end);
    ensures failed: \result != 0 ==> SameMapped{Pre, Post}(e->pool, &mm->vmas);
    ensures brk: mm->brk == \old(mm->brk) && mm->start_brk == \old(mm->start_brk);
*/
static int do_munmap(struct mm_env *e, struct mm_struct *mm, uint64_t start, uint64_t end)
{
	struct munmap_plan plan =
	    munmap_prepare(e, mm, start, end, vma_lookup_pos(e->pool, &mm->vmas, start));

	if (plan.err == 0)
		munmap_commit(e, mm, start, end, &plan);
	return plan.err;
}

int sys_munmap(struct mm_env *e, struct mm_struct *mm, uint64_t addr, uint64_t len)
{
	if (addr % PAGE_SIZE != 0 || addr > TASK_SIZE || len > TASK_SIZE - addr)
		return -EINVAL;
	len = page_align(len);
	if (len == 0)
		return -EINVAL;
	return do_munmap(e, mm, addr, addr + len);
}

/* get_unmapped_area ---------------------------------------------------------------- */

/*
 * The highest raw gap (between VMAs, guard gaps ignored) with len bytes inside
 * [low, high): its usable top (min(gap end, high)) in *top and the VMA just above it (or
 * VMA_NONE) in *next. Leaves whose largest gap is too small are skipped through the gap
 * tree (the maple tree's gap tracking does the same). false when there is none.
 */
static bool highest_gap(struct mm_env *e, struct mm_struct *mm, uint64_t len, uint64_t low,
			uint64_t high, uint64_t *top, uint32_t *next)
{
	struct vma_pool *v = e->pool;
	struct vma_set *s = &mm->vmas;
	struct vma_pos pos = vma_lookup_pos(v, s, high - 1); /* first VMA ending >= high */
	uint32_t k = pos.leaf, i = pos.slot + 1;

	if (pos.leaf == s->nr_leaves) { /* the open gap above the last VMA */
		uint64_t bottom = s->nr_vmas == 0 ? 0 : s->last_end[s->nr_leaves - 1];

		if (bottom < low)
			bottom = low;
		if (high >= bottom + len) {
			*top = high;
			*next = VMA_NONE;
			return true;
		}
		if (s->nr_leaves == 0)
			return false;
		k = s->nr_leaves - 1;
		i = v->leaves[s->leaf[k]].nr;
	}
	if (s->max_gap[k] < len) /* nothing in this leaf: go down at once */
		i = 0;
	for (;;) {
		const struct vma_leaf *l = &v->leaves[s->leaf[k]];

		while (i > 0) { /* the gaps in front of slots i - 1 .. 0 */
			uint64_t prev_end, t, b;

			i--;
			prev_end = i > 0 ? l->end[i - 1] : k > 0 ? s->last_end[k - 1] : 0;
			/* Only a raw gap that fits may fit once cut to [low, high). */
			if (l->start[i] - prev_end >= len) {
				t = l->start[i] < high ? l->start[i] : high;
				b = prev_end > low ? prev_end : low;
				if (t > b && t - b >= len) {
					*top = t;
					*next = l->slot[i];
					return true;
				}
			}
			if (prev_end <= low)
				return false;
		}
		/* Down to the next leaf with a gap that could fit (the gap tree skips the
		 * others); none if its gaps all lie under low. */
		k = vma_gap_prev_leaf(s, k, len);
		if (k == VMA_NONE || s->last_end[k] <= low)
			return false;
		i = v->leaves[s->leaf[k]].nr;
	}
}

/*
 * unmapped_area_topdown(): the highest raw gap that fits; when the VMA above it has a
 * guard gap reaching below the gap's top, search again under that guard's start (as
 * mm/vma.c does: this skips every gap between). Returns the address or -ENOMEM.
 */
static uint64_t unmapped_area_topdown(struct mm_env *e, struct mm_struct *mm, uint64_t len,
				      uint64_t low, uint64_t high)
{
	uint64_t top;
	uint32_t next;

	if (low < min_addr(e))
		low = min_addr(e);
	for (;;) {
		if (high < len || high - len < low ||
		    !highest_gap(e, mm, len, low, high, &top, &next))
			return (uint64_t)-ENOMEM;
		if (next != VMA_NONE && vma_start_gap(V(e, next)) < top) {
			high = vma_start_gap(V(e, next));
			continue;
		}
		return top - len;
	}
}

/* The lowest raw gap with len bytes inside [low, high): its usable bottom and the VMA
 * above it (or VMA_NONE). */
static bool lowest_gap(struct mm_env *e, struct mm_struct *mm, uint64_t len, uint64_t low,
		       uint64_t high, uint64_t *bottom, uint32_t *next)
{
	struct vma_pool *v = e->pool;
	struct vma_set *s = &mm->vmas;
	struct vma_pos pos = vma_lookup_pos(v, s, low);
	uint32_t k = pos.leaf, i = pos.slot;
	uint64_t b;

	while (k < s->nr_leaves) {
		const struct vma_leaf *l = &v->leaves[s->leaf[k]];

		for (; i < l->nr; i++) {
			uint64_t prev_end = i > 0 ? l->end[i - 1] : k > 0 ? s->last_end[k - 1] : 0;
			uint64_t t = l->start[i] < high ? l->start[i] : high;

			b = prev_end > low ? prev_end : low;
			if (t > b && t - b >= len) {
				*bottom = b;
				*next = l->slot[i];
				return true;
			}
			if (l->start[i] >= high)
				return false;
		}
		/* Up to the next leaf with a gap that could fit (the gap tree skips the
		 * others), or past the last leaf. */
		k = vma_gap_next_leaf(s, k, len);
		if (k == VMA_NONE)
			k = s->nr_leaves;
		i = 0;
	}
	b = s->nr_vmas == 0 ? 0 : s->last_end[s->nr_leaves - 1];
	if (b < low)
		b = low;
	if (high > b && high - b >= len) {
		*bottom = b;
		*next = VMA_NONE;
		return true;
	}
	return false;
}

/* unmapped_area(): the lowest fit; a guard gap of the VMA above it moves the search to
 * above that VMA. */
static uint64_t unmapped_area(struct mm_env *e, struct mm_struct *mm, uint64_t len, uint64_t low,
			      uint64_t high)
{
	uint64_t bottom;
	uint32_t next;

	if (low < min_addr(e))
		low = min_addr(e);
	for (;;) {
		if (high < len || high - len < low ||
		    !lowest_gap(e, mm, len, low, high, &bottom, &next))
			return (uint64_t)-ENOMEM;
		if (next != VMA_NONE && (V(e, next)->vm_flags & VM_GROWSDOWN) != 0 &&
		    vma_start_gap(V(e, next)) < bottom + len) {
			low = V(e, next)->vm_end;
			continue;
		}
		return bottom;
	}
}

/* The VMA at or after addr has room for [addr, addr + len) up to its start gap. */
/*@ requires apart: MmApart(e, mm);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    assigns \nothing;
*/
static bool hint_fits(struct mm_env *e, struct mm_struct *mm, uint64_t addr, uint64_t len)
{
	uint32_t id = find_vma(e->pool, &mm->vmas, addr);

	return id == VMA_NONE || addr + len <= vma_start_gap(V(e, id));
}

/* arch_get_unmapped_area_vmflags() (x86 bottom-up) for a non-fixed request. */
static uint64_t get_area_bottomup(struct mm_env *e, struct mm_struct *mm, uint64_t addr,
				  uint64_t len, uint32_t flags)
{
	uint64_t begin = mm->mmap_legacy_base, end = TASK_SIZE;

	if ((flags & MAP_32BIT) != 0) {
		begin = 0x40000000ull;
		end = 0x80000000ull;
	}
	if (len > end)
		return (uint64_t)-ENOMEM;
	if (addr != 0) {
		addr = page_align(addr);
		if (end - len >= addr && hint_fits(e, mm, addr, len))
			return addr;
	}
	return unmapped_area(e, mm, len, begin, end);
}

/* arch_get_unmapped_area_topdown_vmflags() (x86). */
static uint64_t get_area_topdown(struct mm_env *e, struct mm_struct *mm, uint64_t addr,
				 uint64_t len, uint32_t flags)
{
	uint64_t a;

	if (len > TASK_SIZE)
		return (uint64_t)-ENOMEM;
	if ((flags & MAP_FIXED) != 0)
		return addr;
	if ((flags & MAP_32BIT) != 0)
		return get_area_bottomup(e, mm, 0, len, flags);
	if (addr != 0) {
		addr = addr / PAGE_SIZE * PAGE_SIZE;
		/* mmap_address_hint_valid() */
		if (TASK_SIZE - len >= addr && hint_fits(e, mm, addr, len))
			return addr;
	}
	a = unmapped_area_topdown(e, mm, len, PAGE_SIZE, mm->mmap_base);
	if (!IS_ERR_VALUE(a))
		return a;
	return get_area_bottomup(e, mm, 0, len, flags);
}

/*
 * __thp_get_unmapped_area() for an anonymous request without a hint whose length is a
 * multiple of PMD_SIZE: search for len + PMD_SIZE, then place the mapping on a PMD
 * boundary inside that room. 0 when the padded search fails.
 */
static uint64_t thp_get_unmapped_area(struct mm_env *e, struct mm_struct *mm, uint64_t len,
				      uint32_t flags)
{
	uint64_t pad = len + PMD_SIZE, ret, off_sub;

	if (pad < len)
		return 0;
	ret = get_area_topdown(e, mm, 0, pad, flags);
	if (IS_ERR_VALUE(ret))
		return 0;
	off_sub = (0 - ret) % PMD_SIZE;
	if (off_sub == 0)
		return ret + PMD_SIZE; /* top-down: the aligned slot at the top of the room */
	return ret + off_sub;
}

/* __get_unmapped_area() for an anonymous mapping. */
static uint64_t get_unmapped_area(struct mm_env *e, struct mm_struct *mm, uint64_t addr,
				  uint64_t len, uint32_t flags)
{
	uint64_t a = 0;

	if (len > TASK_SIZE)
		return (uint64_t)-ENOMEM;
	if ((flags & MAP_SHARED) == 0 && addr == 0 && len % PMD_SIZE == 0 &&
	    (flags & MAP_FIXED) == 0)
		a = thp_get_unmapped_area(e, mm, len, flags);
	if (a == 0)
		a = get_area_topdown(e, mm, addr, len, flags);
	if (IS_ERR_VALUE(a))
		return a;
	if (a > TASK_SIZE - len)
		return (uint64_t)-ENOMEM;
	if (a % PAGE_SIZE != 0)
		return (uint64_t)-EINVAL;
	if (a < e->mmap_min_addr && !mm->privileged) /* cap_mmap_addr(): dac_mmap_min_addr */
		return (uint64_t)-EPERM;
	return a;
}

/* mmap ------------------------------------------------------------------------------- */

/*
 * vma_merge_new_range(): join the new range [start, end) with its neighbours; pos is
 * vma_lookup_pos() of start (the next VMA's place; the previous VMA is just before it).
 * Returns the VMA that now covers the range, or VMA_NONE (and mm unchanged) when no merge
 * applies. just_expand: only the VMA below is tried (do_brk_flags()).
 */
static uint32_t vma_merge_new_range(struct mm_env *e, struct mm_struct *mm, struct vma_pos pos,
				    uint64_t start, uint64_t end, uint64_t flags, uint32_t file,
				    uint64_t pgoff, bool just_expand)
{
	struct vma_pool *v = e->pool;
	struct vma_pos before = pos;
	uint32_t next = vma_at(v, &mm->vmas, pos);
	uint32_t prev =
	    vma_pos_prev(v, &mm->vmas, &before) ? vma_at(v, &mm->vmas, before) : VMA_NONE;
	uint64_t pages = (end - start) / PAGE_SIZE;
	bool left, right;

	if ((flags & VM_SPECIAL) != 0)
		return VMA_NONE;
	left = prev != VMA_NONE && can_vma_merge_after(V(e, prev), start, flags, file, 0, pgoff);
	right = !just_expand && next != VMA_NONE &&
		can_vma_merge_before(V(e, next), end, flags, file, 0, pgoff, pages);
	if (left && right && !is_mergeable_anon_vma(V(e, prev)->anon_vma, V(e, next)->anon_vma))
		right = false;
	if (left && right) {
		uint64_t next_end = V(e, next)->vm_end;
		uint32_t anon = V(e, next)->anon_vma;

		vma_unlink_free(e, mm, next);
		V(e, prev)->vm_end = next_end;
		if (V(e, prev)->anon_vma == 0)
			V(e, prev)->anon_vma = anon;
		vma_set_resized(v, &mm->vmas, prev);
		return prev;
	}
	if (left) {
		V(e, prev)->vm_end = end;
		vma_set_resized_at(v, &mm->vmas, prev, before);
		return prev;
	}
	if (right) {
		V(e, next)->vm_start = start;
		V(e, next)->vm_pgoff = pgoff;
		vma_set_resized_at(v, &mm->vmas, next, pos);
		return next;
	}
	return VMA_NONE;
}

/*@ assigns \nothing; */
static uint64_t calc_vm_prot_bits(uint32_t prot)
{
	return ((prot & PROT_READ) != 0 ? VM_READ : 0) | ((prot & PROT_WRITE) != 0 ? VM_WRITE : 0) |
	       ((prot & PROT_EXEC) != 0 ? VM_EXEC : 0);
}

/*@ assigns \nothing; */
static uint64_t calc_vm_flag_bits(uint32_t flags)
{
	return ((flags & MAP_GROWSDOWN) != 0 ? VM_GROWSDOWN : 0) |
	       ((flags & MAP_LOCKED) != 0 ? VM_LOCKED : 0) |
	       ((flags & MAP_SYNC) != 0 ? VM_SYNC : 0) |
	       ((flags & MAP_STACK) != 0 ? VM_NOHUGEPAGE : 0);
}

/* mmap_region() for an anonymous mapping at a chosen address. */
static uint64_t mmap_region(struct mm_env *e, struct mm_struct *mm, uint64_t addr, uint64_t len,
			    uint64_t flags, uint64_t pgoff)
{
	uint64_t end = addr + len, pglen = len / PAGE_SIZE, old_pages, accounted;
	uint32_t id = VMA_NONE, file = 0;
	struct vma_batch got;
	/* One lookup for the overlap check, the merge and the insertion. */
	struct vma_pos pos = vma_lookup_pos(e->pool, &mm->vmas, addr);
	uint32_t at = vma_at(e->pool, &mm->vmas, pos);
	bool overlap = at != VMA_NONE && V(e, at)->vm_start < end; /* find_vma_intersection() */
	struct munmap_plan plan = {0, {VMA_NONE, VMA_NONE}, pos};

	accounted = old_pages = 0;
	if (overlap) { /* MAP_FIXED over mappings: the munmap part first */
		plan = munmap_prepare(e, mm, addr, end, pos);
		if (plan.err != 0)
			return (uint64_t)(int64_t)plan.err;
		old_pages = range_pages(e, mm, addr, end, &accounted);
	}
	if (!may_expand_vm(mm, flags, pglen - old_pages))
		goto nomem;
	if ((flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE) {
		if (pglen > accounted && !vm_enough_memory(e, pglen - accounted))
			goto nomem;
		flags |= VM_ACCOUNT;
	}
	if ((flags & VM_SHARED) != 0) { /* shmem_zero_setup(): a file of its own */
		file = file_lookup(e->pool, "/dev/zero (deleted)", 0, 1, e->pool->next_inode, false,
				   false);
		if (file == 0)
			goto nomem;
	}
	/* A descriptor for the new VMA, in case no merge applies: taken before any change. */
	if (!vma_set_room(e->pool, &mm->vmas, 3))
		goto nomem;
	got = vma_prealloc(e->pool, e->phys, e->kmem, 1);
	if (got.err != 0)
		goto nomem;
	id = got.id[0];
	if (file != 0)
		e->pool->next_inode++;
	if (overlap) {
		munmap_commit(e, mm, addr, end, &plan);
		pos = vma_lookup_pos(e->pool, &mm->vmas, addr);
	}
	if (file == 0) {
		uint32_t merged =
		    vma_merge_new_range(e, mm, pos, addr, end, flags, 0, pgoff, false);

		if (merged != VMA_NONE) {
			vm_area_free(e->pool, e->phys, e->kmem, id);
			id = merged;
			goto done;
		}
	}
	V(e, id)->vm_start = addr;
	V(e, id)->vm_end = end;
	V(e, id)->vm_flags = flags;
	V(e, id)->vm_pgoff = pgoff;
	V(e, id)->file = file;
	vma_link_at(e, mm, id, pos);
done:
	mm_account(mm, flags, pglen);
	if ((flags & VM_LOCKED) != 0)
		mm->locked_vm += pglen;
	return addr;
nomem:
	if (file != 0 && e->pool->files[file - 1].refs == 0)
		e->pool->files[file - 1].in_use = false;
	munmap_abort(e, mm, addr, end, &plan);
	return (uint64_t)-ENOMEM;
}

uint64_t sys_mmap(struct mm_env *e, struct mm_struct *mm, uint64_t addr, uint64_t len,
		  uint32_t prot, uint32_t flags)
{
	uint64_t vm_flags, pgoff = 0, ret;

	if ((flags & MAP_ANONYMOUS) == 0)
		return (uint64_t)-EBADF; /* fd -1 */
	if ((flags & MAP_HUGETLB) != 0)
		return (uint64_t)-MERR_UNSUPPORTED;
	if (len == 0)
		return (uint64_t)-EINVAL;
	if ((flags & MAP_FIXED_NOREPLACE) != 0)
		flags |= MAP_FIXED;
	if ((flags & MAP_FIXED) == 0) { /* round_hint_to_min() */
		addr = addr / PAGE_SIZE * PAGE_SIZE;
		if (addr != 0 && addr < min_addr(e))
			addr = page_align(min_addr(e));
	}
	if (len > (uint64_t)0 - PAGE_SIZE)
		return (uint64_t)-ENOMEM;
	len = page_align(len);
	if (mm->map_count > e->max_map_count)
		return (uint64_t)-ENOMEM;
	vm_flags = calc_vm_prot_bits(prot) | calc_vm_flag_bits(flags) | mm->def_flags | VM_MAYREAD |
		   VM_MAYWRITE | VM_MAYEXEC;
	addr = get_unmapped_area(e, mm, addr, len, flags);
	if (IS_ERR_VALUE(addr))
		return addr;
	if ((flags & MAP_FIXED_NOREPLACE) != 0 &&
	    find_vma_intersection(e->pool, &mm->vmas, addr, addr + len) != VMA_NONE)
		return (uint64_t)-EEXIST;
	if ((flags & MAP_LOCKED) != 0 && !can_do_mlock(mm))
		return (uint64_t)-EPERM;
	if (!mlock_future_ok(mm, vm_flags, len))
		return (uint64_t)-EAGAIN;
	switch (flags & MAP_TYPE) {
	case MAP_SHARED:
		if ((vm_flags & VM_GROWSDOWN) != 0)
			return (uint64_t)-EINVAL;
		vm_flags |= VM_SHARED | VM_MAYSHARE;
		break;
	case MAP_DROPPABLE: /* pages the kernel may drop: never locked, reserved or dumped */
		if ((flags & (MAP_LOCKED | MAP_HUGETLB)) != 0 || (vm_flags & VM_GROWSDOWN) != 0)
			return (uint64_t)-EINVAL;
		vm_flags |= VM_DROPPABLE | VM_NORESERVE | VM_WIPEONFORK | VM_DONTDUMP;
		pgoff = addr / PAGE_SIZE;
		break;
	case MAP_PRIVATE:
		pgoff = addr / PAGE_SIZE; /* for anon_vma */
		break;
	default:
		return (uint64_t)-EINVAL;
	}
	if ((flags & MAP_NORESERVE) != 0 && e->overcommit_memory != 2)
		vm_flags |= VM_NORESERVE;
	ret = mmap_region(e, mm, addr, len, vm_flags, pgoff);
	if (!IS_ERR_VALUE(ret) && ((vm_flags & VM_LOCKED) != 0 ||
				   (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE))
		mm_populate(e, mm, ret, ret + len);
	return ret;
}

/* Changing flags: mprotect, mlock -------------------------------------------------------- */

/*
 * vma_modify_flags(): give [start, end) of id (inside it) the flags newflags, merging with
 * prev (the VMA before start, or VMA_NONE) and the next VMA where the rules allow,
 * splitting otherwise (vma_merge_existing_range(), then split_vma() at each end). Returns
 * the descriptor that covers [start, end) afterwards, or VMA_NONE with *err set.
 */
static uint32_t vma_modify_flags(struct mm_env *e, struct mm_struct *mm, uint32_t prev, uint32_t id,
				 uint64_t start, uint64_t end, uint64_t newflags, int *err)
{
	struct vma_pool *v = e->pool;
	struct vm_area_struct *vma = V(e, id);
	uint64_t pgoff = vma->vm_pgoff + (start - vma->vm_start) / PAGE_SIZE;
	uint64_t pages = (end - start) / PAGE_SIZE;
	bool left_side = start == vma->vm_start, right_side = end == vma->vm_end;
	uint32_t next = VMA_NONE;
	bool merge_left, merge_right;

	*err = 0;
	if (right_side) {
		struct vma_pos pos =
		    vma_pos_next(v, &mm->vmas, vma_lookup_pos(v, &mm->vmas, start));

		next = vma_at(v, &mm->vmas, pos);
	}
	merge_left =
	    left_side && prev != VMA_NONE && (newflags & VM_SPECIAL) == 0 &&
	    can_vma_merge_after(V(e, prev), start, newflags, vma->file, vma->anon_vma, pgoff);
	merge_right =
	    right_side && next != VMA_NONE && (newflags & VM_SPECIAL) == 0 &&
	    can_vma_merge_before(V(e, next), end, newflags, vma->file, vma->anon_vma, pgoff, pages);
	if (merge_left && merge_right &&
	    !is_mergeable_anon_vma(V(e, prev)->anon_vma, V(e, next)->anon_vma))
		merge_right = false;
	if (merge_left || merge_right) {
		uint32_t anon = vma->anon_vma;

		if (merge_left && merge_right) { /* prev, vma and next become prev */
			uint64_t next_end = V(e, next)->vm_end;

			if (anon == 0)
				anon = V(e, next)->anon_vma;
			vma_unlink_free(e, mm, next);
			vma_unlink_free(e, mm, id);
			V(e, prev)->vm_end = next_end;
		} else if (merge_left && right_side) { /* vma joins prev */
			vma_unlink_free(e, mm, id);
			V(e, prev)->vm_end = end;
		} else if (merge_left) { /* prev takes [start, end) from vma */
			V(e, prev)->vm_end = end;
			vma->vm_start = end;
			vma->vm_pgoff += pages;
			vma_set_resized(v, &mm->vmas, id);
		} else { /* next takes [start, end): all of vma, or its top */
			if (left_side) {
				vma_unlink_free(e, mm, id);
			} else {
				vma->vm_end = start;
				vma_set_resized(v, &mm->vmas, id);
			}
			V(e, next)->vm_start = start;
			V(e, next)->vm_pgoff = pgoff;
			vma_set_resized(v, &mm->vmas, next);
			if (V(e, next)->anon_vma == 0)
				V(e, next)->anon_vma = anon;
			return next;
		}
		vma_set_resized(v, &mm->vmas, prev);
		if (V(e, prev)->anon_vma == 0)
			V(e, prev)->anon_vma = anon;
		return prev;
	}
	if (!left_side) {
		*err = split_vma(e, mm, id, start, true);
		if (*err != 0)
			return VMA_NONE;
	}
	if (!right_side) {
		*err = split_vma(e, mm, id, end, false);
		if (*err != 0) {
			if (!left_side) /* Linux keeps the first split: two equal neighbours */
				mm->split_leftovers++;
			return VMA_NONE;
		}
	}
	V(e, id)->vm_flags = newflags;
	vma_set_resized(v, &mm->vmas, id); /* its stack guard gap may have changed */
	return id;
}

/* mprotect_fixup(). *prev becomes the VMA that covers [start, end) afterwards. */
static int mprotect_fixup(struct mm_env *e, struct mm_struct *mm, uint32_t *prev, uint32_t id,
			  uint64_t start, uint64_t end, uint64_t newflags)
{
	uint64_t oldflags = V(e, id)->vm_flags, nrpages = (end - start) / PAGE_SIZE;
	uint32_t res;
	int err;

	if (newflags == oldflags) {
		*prev = id;
		return 0;
	}
	if ((newflags & VM_WRITE) != 0) {
		if (!may_expand_vm(mm, newflags, nrpages) && may_expand_vm(mm, oldflags, nrpages))
			return -ENOMEM;
		if ((oldflags & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE)) == 0) {
			if (!vm_enough_memory(e, nrpages))
				return -ENOMEM;
			newflags |= VM_ACCOUNT;
		}
	} else if ((oldflags & VM_ACCOUNT) != 0 && V(e, id)->file == 0 && V(e, id)->anon_vma == 0) {
		newflags &= ~VM_ACCOUNT;
	}
	res = vma_modify_flags(e, mm, *prev, id, start, end, newflags, &err);
	if (res == VMA_NONE)
		return err;
	*prev = res;
	V(e, res)->vm_flags = newflags;
	change_protection(e, mm, start, end, newflags);
	mm_account(mm, oldflags, 0 - nrpages);
	mm_account(mm, newflags, nrpages);
	/* A private VM_LOCKED VMA made writable: break COW now (populate_vma_page_range()),
	 * as mprotect_fixup() does, so that no write fault comes later. */
	if ((oldflags & (VM_WRITE | VM_SHARED | VM_LOCKED)) == VM_LOCKED &&
	    (newflags & VM_WRITE) != 0)
		populate_range(e, mm, start, end);
	return 0;
}

int sys_mprotect(struct mm_env *e, struct mm_struct *mm, uint64_t start, uint64_t len,
		 uint32_t prot)
{
	struct vma_pool *v = e->pool;
	uint32_t grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP), id, prev;
	uint64_t end, nstart, tmp;
	int error;

	prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (start % PAGE_SIZE != 0)
		return -EINVAL;
	if (len == 0)
		return 0;
	len = page_align(len);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) != 0)
		return -EINVAL;
	id = find_vma(v, &mm->vmas, start);
	if (id == VMA_NONE || V(e, id)->vm_start >= end)
		return -ENOMEM;
	if (grows == PROT_GROWSDOWN) {
		if ((V(e, id)->vm_flags & VM_GROWSDOWN) == 0)
			return -EINVAL;
		start = V(e, id)->vm_start;
	} else {
		if (V(e, id)->vm_start > start)
			return -ENOMEM;
		if (grows == PROT_GROWSUP) /* no VM_GROWSUP on x86 */
			return -EINVAL;
	}
	(void)find_vma_prev(v, &mm->vmas, start, &prev);
	if (start > V(e, id)->vm_start)
		prev = id;
	nstart = start;
	tmp = V(e, id)->vm_start;
	error = 0;
	for (;;) {
		uint64_t newflags;
		struct vm_area_struct *vma;

		id = find_vma(v, &mm->vmas, nstart);
		if (id == VMA_NONE || V(e, id)->vm_start >= end)
			break;
		vma = V(e, id);
		if (vma->vm_start != tmp) {
			error = -ENOMEM;
			break;
		}
		newflags = calc_vm_prot_bits(prot) | (vma->vm_flags & ~VM_ACCESS_FLAGS);
		/* newflags >> 4 puts VM_MAY* where VM_* are */
		if ((newflags & ~(newflags >> 4) & VM_ACCESS_FLAGS) != 0) {
			error = -EACCES;
			break;
		}
		tmp = vma->vm_end < end ? vma->vm_end : end;
		error = mprotect_fixup(e, mm, &prev, id, nstart, tmp, newflags);
		if (error != 0)
			break;
		tmp = V(e, prev)->vm_end; /* vma_iter_end(): past a merged neighbour too */
		nstart = tmp;
		if (nstart >= end)
			break;
	}
	if (error == 0 && tmp < end)
		error = -ENOMEM;
	return error;
}

/* mlock_fixup() over a whole VMA. */
static void mlock_fixup(struct mm_env *e, struct mm_struct *mm, uint32_t *prev, uint32_t id,
			uint64_t newflags)
{
	uint64_t oldflags = V(e, id)->vm_flags, start = V(e, id)->vm_start, end = V(e, id)->vm_end;
	uint64_t nr = (end - start) / PAGE_SIZE;
	uint32_t res;
	int err;

	if (newflags == oldflags || (oldflags & VM_SPECIAL) != 0) {
		*prev = id;
		return;
	}
	res = vma_modify_flags(e, mm, *prev, id, start, end, newflags, &err);
	if (res == VMA_NONE) {
		*prev = id;
		return;
	}
	V(e, res)->vm_flags = newflags;
	if ((newflags & VM_LOCKED) == 0)
		mm->locked_vm -= nr;
	else if ((oldflags & VM_LOCKED) == 0)
		mm->locked_vm += nr;
	*prev = res;
}

/* apply_mlockall_flags() */
static void apply_mlockall_flags(struct mm_env *e, struct mm_struct *mm, uint32_t flags)
{
	uint64_t to_add = 0, addr = 0;
	uint32_t prev = VMA_NONE;

	mm->def_flags &= ~VM_LOCKED_MASK;
	if ((flags & MCL_FUTURE) != 0) {
		mm->def_flags |= VM_LOCKED;
		if ((flags & MCL_ONFAULT) != 0)
			mm->def_flags |= VM_LOCKONFAULT;
		if ((flags & MCL_CURRENT) == 0)
			return;
	}
	if ((flags & MCL_CURRENT) != 0) {
		to_add |= VM_LOCKED;
		if ((flags & MCL_ONFAULT) != 0)
			to_add |= VM_LOCKONFAULT;
	}
	for (;;) {
		uint32_t id = find_vma(e->pool, &mm->vmas, addr);
		uint64_t end;

		if (id == VMA_NONE)
			return;
		end = V(e, id)->vm_end;
		mlock_fixup(e, mm, &prev, id, (V(e, id)->vm_flags & ~VM_LOCKED_MASK) | to_add);
		addr = end;
	}
}

int sys_mlockall(struct mm_env *e, struct mm_struct *mm, uint32_t flags)
{
	if (flags == 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) != 0 ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	if (!can_do_mlock(mm))
		return -EPERM;
	if ((flags & MCL_CURRENT) != 0 && !mm->privileged &&
	    mm->total_vm > mm->rlim[RLIMIT_MEMLOCK].rlim_cur / PAGE_SIZE)
		return -ENOMEM;
	apply_mlockall_flags(e, mm, flags);
	if ((flags & MCL_CURRENT) != 0)
		mm_populate(e, mm, 0, TASK_SIZE);
	return 0;
}

int sys_munlockall(struct mm_env *e, struct mm_struct *mm)
{
	apply_mlockall_flags(e, mm, 0);
	return 0;
}

int sys_setrlimit(struct mm_struct *mm, uint32_t resource, uint64_t cur, uint64_t max)
{
	if (resource != RLIMIT_DATA && resource != RLIMIT_STACK && resource != RLIMIT_AS &&
	    resource != RLIMIT_MEMLOCK)
		return -EINVAL;
	if (cur > max)
		return -EINVAL;
	if (max > mm->rlim[resource].rlim_max && !mm->privileged)
		return -EPERM;
	mm->rlim[resource].rlim_cur = cur;
	mm->rlim[resource].rlim_max = max;
	return 0;
}

/* brk -------------------------------------------------------------------------------- */

/* check_data_rlimit() */
/*@ requires valid: \valid_read(mm);
    assigns \nothing;
    ensures exact: \result <==> DataRlimitExceeded(mm, brk);
*/
static bool data_rlimit_exceeded(const struct mm_struct *mm, uint64_t brk)
{
	uint64_t rlim = mm->rlim[RLIMIT_DATA].rlim_cur;

	return rlim < RLIM_INFINITY &&
	       (brk - mm->start_brk) + (mm->end_data - mm->start_data) > rlim;
}

/*
 * do_brk_flags(): map [addr, addr + len) as heap, extending the VMA below when it ends at
 * addr and may grow (6.18: only that one; older kernels: vma_merge() with both
 * neighbours). Returns 0 or -errno; nothing changed on error.
 *
 * ASSUMPTIONS: [addr, addr + len) is free when it lies in user space (sys_brk() checked),
 * so the older kernels' do_munmap() here finds nothing to unmap.
 */
/*@ requires apart: MmApart(e, mm);
    requires alloc: MmAllocOk(e);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires index: IndexRoom(e->pool, &mm->vmas);
    requires aligned: addr % PAGE_SIZE == 0 && len % PAGE_SIZE == 0 && len > 0;
    requires free: addr + len <= TASK_SIZE ==> Unmapped(e->pool, &mm->vmas, addr, addr + len);
    assigns mm->vmas, mm->map_count, mm->split_leftovers, mm->total_vm,
	mm->data_vm, mm->exec_vm, mm->stack_vm, mm->locked_vm, mm->pgtables, mm->rss_anon,
	mm->tlb_flush_start, mm->tlb_flush_end, *e->pool, *e->kmem,
	e->phys->zones[0 .. MAX_NR_ZONES - 1], e->phys->pages[0 .. e->phys->nr_pages - 1],
	e->phys->mem[0 .. RamWords(e->phys) - 1];
    ensures result: \result == 0 || \result == -ENOMEM || \result == -EAGAIN;
    ensures vmas: VSetOk(e->pool, &mm->vmas);
    ensures alloc: MmAllocOk(e);
    ensures kept: MappedKept{Pre, Post}(e->pool, &mm->vmas, 0, 0);
    ensures mapped: \result == 0 ==> Covered(e->pool, &mm->vmas, addr, addr + len);
    ensures failed: \result != 0 ==> SameMapped{Pre, Post}(e->pool, &mm->vmas);
    ensures brk: mm->brk == \old(mm->brk) && mm->start_brk == \old(mm->start_brk);
    ensures apart: MmApart(e, mm);
    ensures phys: e->phys->nr_pages == \old(e->phys->nr_pages);
*/
static int do_brk_flags(struct mm_env *e, struct mm_struct *mm, uint64_t addr, uint64_t len)
{
	uint64_t flags = VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | mm->def_flags;
	uint64_t pages = len / PAGE_SIZE, pgoff = addr / PAGE_SIZE;
	uint32_t id, merged;
	struct vma_pos pos;

	/* get_unmapped_area(MAP_FIXED) and the mlock limit: check_brk_limits() in 6.18,
	 * the start of do_brk() before */
	if (len > TASK_SIZE || addr > TASK_SIZE - len)
		return -ENOMEM;
	if (!mlock_future_ok(mm, flags, len))
		return -EAGAIN;
	if (mm->profile != PROFILE_LINUX_6_18) {
		if (find_vma_intersection(e->pool, &mm->vmas, addr, addr + len) != VMA_NONE) {
			int err = do_munmap(e, mm, addr, addr + len);

			if (err != 0)
				return -ENOMEM;
		}
		if (mm->profile == PROFILE_LINUX_2_6_34) { /* may_expand_vm() without RLIMIT_DATA */
			if (mm->total_vm + pages > mm->rlim[RLIMIT_AS].rlim_cur / PAGE_SIZE)
				return -ENOMEM;
		} else if (!may_expand_vm(mm, flags, pages)) {
			return -ENOMEM;
		}
	} else if (!may_expand_vm(mm, flags, pages)) {
		return -ENOMEM;
	}
	if (mm->map_count > e->max_map_count)
		return -ENOMEM;
	if (!vm_enough_memory(e, pages))
		return -ENOMEM;
	pos = vma_lookup_pos(e->pool, &mm->vmas, addr);
	if (mm->profile == PROFILE_LINUX_6_18) {
		struct vma_pos before = pos;
		uint32_t prev = vma_pos_prev(e->pool, &mm->vmas, &before)
				    ? vma_at(e->pool, &mm->vmas, before)
				    : VMA_NONE;

		/* brkvma: the VMA just below addr, if it reaches above start_brk */
		merged = VMA_NONE;
		if (prev != VMA_NONE && V(e, prev)->vm_end == addr &&
		    V(e, prev)->vm_end > mm->start_brk)
			merged = vma_merge_new_range(e, mm, pos, addr, addr + len, flags, 0, pgoff,
						     true);
	} else {
		merged = vma_merge_new_range(e, mm, pos, addr, addr + len, flags, 0, pgoff, false);
	}
	if (merged == VMA_NONE) {
		if (!vma_set_room(e->pool, &mm->vmas, 1))
			return -ENOMEM;
		id = vm_area_alloc(e->pool, e->phys, e->kmem);
		if (id == VMA_NONE)
			return -ENOMEM;
		V(e, id)->vm_start = addr;
		V(e, id)->vm_end = addr + len;
		V(e, id)->vm_flags = flags;
		V(e, id)->vm_pgoff = pgoff;
		vma_link_at(e, mm, id, pos); /* no merge: mm as it was at the lookup */
	}
	mm_account(mm, flags, pages);
	if ((flags & VM_LOCKED) != 0)
		mm->locked_vm += pages;
	return 0;
}

/*
 * mm->brk = brk, in a function of its own: the write leaves the VMA set alone, which
 * the provers do not find in the larger contexts of the callers.
 */
/*@ requires valid: \valid(mm) && \valid_read(v);
    requires sep: \separated(mm, v);
    requires vmas: VSetOk(v, &mm->vmas);
    assigns mm->brk;
    ensures brk: mm->brk == brk && mm->start_brk == \old(mm->start_brk);
    ensures vmas: VSetOk(v, &mm->vmas);
    ensures mapped: SameMapped{Pre, Post}(v, &mm->vmas);
*/
static void set_brk(struct mm_struct *mm, const struct vma_pool *v, uint64_t brk)
{
	(void)v; /* read by the annotations only */
	mm->brk = brk;
	/*@ assert leaves: \forall integer k; 0 <= k < VMA_MAX_LEAVES ==>
	      mm->vmas.last_end[k] == \at(mm->vmas.last_end[k], Pre);
	*/
	/*@ assert ranges: \forall integer j, i; 0 <= j < VMA_LEAF_POOL && 0 <= i < VMA_LEAF_SLOTS ==>
	      v->leaves[j].start[i] == \at(v->leaves[j].start[i], Pre) &&
	      v->leaves[j].end[i] == \at(v->leaves[j].end[i], Pre);
	*/
	/*@ assert vmas: \forall integer i; 0 <= i < VMA_POOL_SIZE ==>
	      v->vma[i].vm_start == \at(v->vma[i].vm_start, Pre) &&
	      v->vma[i].vm_end == \at(v->vma[i].vm_end, Pre);
	*/	/*@ assert pos: \forall integer k, i; InSet(v, &mm->vmas, k, i) ==>
	      VStart(v, &mm->vmas, k, i) == \at(VStart(v, &mm->vmas, k, i), Pre) &&
	      VEnd(v, &mm->vmas, k, i) == \at(VEnd(v, &mm->vmas, k, i), Pre) &&
	      v->vma[SlotId(v, &mm->vmas, k, i)].vm_start ==
		\at(v->vma[SlotId(v, &mm->vmas, k, i)].vm_start, Pre) &&
	      v->vma[SlotId(v, &mm->vmas, k, i)].vm_end ==
		\at(v->vma[SlotId(v, &mm->vmas, k, i)].vm_end, Pre);
	*/
	/*@ assert last: \forall integer k; 0 <= k < mm->vmas.nr_leaves ==>
	      mm->vmas.last_end[k] == \at(mm->vmas.last_end[k], Pre);
	*/
	/*@ assert copies: CopiesOk(v, &mm->vmas); */
	/*@ assert vmas_ok: VmasOk(v, &mm->vmas); */
	/*@ assert sorted: VSorted(v, &mm->vmas); */
	/*@ assert last_ends: LastEnds(v, &mm->vmas); */
}

/* min_brk: end_code (2.6.34) or end_data (later) under CONFIG_COMPAT_BRK, else start_brk. */
/*@ requires valid: \valid_read(mm);
    assigns \nothing;
    ensures exact: \result == MinBrk(mm);
*/
static uint64_t brk_floor(const struct mm_struct *mm)
{
	if (mm->profile == PROFILE_LINUX_2_6_34)
		return mm->compat_brk ? mm->end_code : mm->start_brk;
	return mm->compat_brk ? mm->end_data : mm->start_brk; /* brk not randomized */
}

/*
 * The shrinking half of brk(): unmap [newbrk, oldbrk). 6.18 refuses when no VMA is
 * there to shrink. true on success; on failure the same addresses stay mapped.
 */
/*@ requires apart: MmApart(e, mm);
    requires alloc: MmAllocOk(e);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires index: IndexRoom(e->pool, &mm->vmas);
    assigns mm->vmas, mm->map_count, mm->split_leftovers, mm->total_vm,
	mm->data_vm, mm->exec_vm, mm->stack_vm, mm->locked_vm, mm->pgtables, mm->rss_anon,
	mm->tlb_flush_start, mm->tlb_flush_end, *e->pool, *e->kmem,
	e->phys->zones[0 .. MAX_NR_ZONES - 1], e->phys->pages[0 .. e->phys->nr_pages - 1],
	e->phys->mem[0 .. RamWords(e->phys) - 1];
    ensures vmas: VSetOk(e->pool, &mm->vmas);
    ensures kept: MappedKept{Pre, Post}(e->pool, &mm->vmas, newbrk, oldbrk);
    ensures failed: !\result ==> SameMapped{Pre, Post}(e->pool, &mm->vmas);
    ensures brk: mm->brk == \old(mm->brk) && mm->start_brk == \old(mm->start_brk);
*/
static bool brk_shrink(struct mm_env *e, struct mm_struct *mm, uint64_t newbrk, uint64_t oldbrk)
{
	bool nothing = mm->profile == PROFILE_LINUX_6_18 &&
		       find_vma_intersection(e->pool, &mm->vmas, newbrk, oldbrk) == VMA_NONE;
	bool ok = false;

	if (!nothing)
		ok = do_munmap(e, mm, newbrk, oldbrk) == 0;
	/*@ split nothing; */ /* one goal per path: merged, they overwhelm the provers */
	return ok;
}

/*
 * May the heap grow from oldbrk to newbrk? 2.6.34: nothing in [oldbrk, newbrk + a page);
 * later kernels: the next VMA's guard gap starts a page above newbrk or higher. Either
 * way [oldbrk, newbrk) is free when it lies in user space.
 */
/*@ requires apart: MmApart(e, mm);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires order: oldbrk <= newbrk;
    assigns \nothing;
    ensures free: \result && newbrk <= TASK_SIZE ==> Unmapped(e->pool, &mm->vmas, oldbrk, newbrk);
*/
static bool brk_room(struct mm_env *e, struct mm_struct *mm, uint64_t oldbrk, uint64_t newbrk)
{
	uint32_t next;

	if (mm->profile == PROFILE_LINUX_2_6_34)
		return find_vma_intersection(e->pool, &mm->vmas, oldbrk, newbrk + PAGE_SIZE) ==
		       VMA_NONE;
	next = find_vma(e->pool, &mm->vmas, oldbrk);
	return next == VMA_NONE || newbrk + PAGE_SIZE <= vma_start_gap(V(e, next));
}

/*
 * A lemma as a ghost function: HeapCovered(v, mm) is its own definition, stated in the
 * memory of the call. After a callee changed the pool, the provers do not find by
 * themselves that HeapCovered, a predicate over the whole memory, reads mm->brk and
 * mm->start_brk where the caller's Covered fact read them (brk_down()).
 */
/*@ ghost
  /@ requires Covered(v, &mm->vmas, mm->start_brk, PageAlign(mm->brk));
     assigns \nothing;
     ensures HeapCovered(v, mm);
  @/
  static void heap_covered_from(struct vma_pool *v, struct mm_struct *mm)
  {
  }
*/

/*
 * brk() moving down across a page boundary: unmap [newbrk, oldbrk), the pages of
 * brk and of the old brk. Returns the resulting brk.
 *
 * The functions of brk() have one exit and a split annotation at it: the provers fail
 * on the goal that merges a path that changed the address space with one that did not,
 * and prove each path alone at once.
 */
/*@ requires apart: MmApart(e, mm);
    requires alloc: MmAllocOk(e);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires index: IndexRoom(e->pool, &mm->vmas);
    requires heap: HeapCovered(e->pool, mm);
    requires pages: newbrk == PageAlign(brk) && oldbrk == PageAlign(mm->brk) && newbrk < oldbrk;
    assigns mm->brk, mm->vmas, mm->map_count, mm->split_leftovers, mm->total_vm,
	mm->data_vm, mm->exec_vm, mm->stack_vm, mm->locked_vm, mm->pgtables, mm->rss_anon,
	mm->tlb_flush_start, mm->tlb_flush_end, *e->pool, *e->kmem,
	e->phys->zones[0 .. MAX_NR_ZONES - 1], e->phys->pages[0 .. e->phys->nr_pages - 1],
	e->phys->mem[0 .. RamWords(e->phys) - 1];
    ensures vmas: VSetOk(e->pool, &mm->vmas);
    ensures heap: HeapCovered(e->pool, mm);
    ensures result: (\result == brk && mm->brk == brk) ||
	(\result == \old(mm->brk) && mm->brk == \old(mm->brk) &&
	 SameMapped{Pre, Post}(e->pool, &mm->vmas));
*/
static uint64_t brk_down(struct mm_env *e, struct mm_struct *mm, uint64_t brk, uint64_t newbrk,
			 uint64_t oldbrk)
{
	uint64_t ret = mm->brk;
	bool ok = brk_shrink(e, mm, newbrk, oldbrk);

	/* the heap below newbrk was mapped and lies outside what was unmapped */
	//@ assert pre: Covered{Pre}(e->pool, &mm->vmas, mm->start_brk, oldbrk);
	//@ assert same_mapped: !ok ==> Covered(e->pool, &mm->vmas, mm->start_brk, oldbrk);
	//@ assert same_brk: !ok ==> oldbrk == PageAlign(mm->brk);
	//@ assert same_al: !ok ==> Covered(e->pool, &mm->vmas, mm->start_brk, PageAlign(mm->brk));
	//@ ghost if (!ok) heap_covered_from(e->pool, mm);
	//@ assert same: !ok ==> HeapCovered(e->pool, mm);
	//@ assert below: ok ==> Covered(e->pool, &mm->vmas, mm->start_brk, newbrk);
	if (ok) {
		set_brk(mm, e->pool, brk);
		//@ assert moved: Covered(e->pool, &mm->vmas, mm->start_brk, newbrk);
		//@ assert moved_al: Covered(e->pool, &mm->vmas, mm->start_brk, PageAlign(mm->brk));
		//@ ghost heap_covered_from(e->pool, mm);
		ret = brk;
	}
	/*@ split ok; */
	return ret;
}

/*
 * brk() moving up across a page boundary: map [oldbrk, newbrk) when nothing is in the
 * way, and fault it in under mlockall(MCL_FUTURE). Returns the resulting brk.
 */
/*@ requires apart: MmApart(e, mm);
    requires alloc: MmAllocOk(e);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires index: IndexRoom(e->pool, &mm->vmas);
    requires heap: HeapCovered(e->pool, mm);
    requires pages: newbrk == PageAlign(brk) && oldbrk == PageAlign(mm->brk) && oldbrk < newbrk;
    requires aligned: oldbrk % PAGE_SIZE == 0 && newbrk % PAGE_SIZE == 0;
    assigns mm->brk, mm->vmas, mm->map_count, mm->split_leftovers, mm->total_vm,
	mm->data_vm, mm->exec_vm, mm->stack_vm, mm->locked_vm, mm->pgtables, mm->rss_anon,
	mm->tlb_flush_start, mm->tlb_flush_end, *e->pool, *e->kmem,
	e->phys->zones[0 .. MAX_NR_ZONES - 1], e->phys->pages[0 .. e->phys->nr_pages - 1],
	e->phys->mem[0 .. RamWords(e->phys) - 1];
    ensures vmas: VSetOk(e->pool, &mm->vmas);
    ensures heap: HeapCovered(e->pool, mm);
    ensures result: (\result == brk && mm->brk == brk) ||
	(\result == \old(mm->brk) && mm->brk == \old(mm->brk) &&
	 SameMapped{Pre, Post}(e->pool, &mm->vmas));
*/
static uint64_t brk_up(struct mm_env *e, struct mm_struct *mm, uint64_t brk, uint64_t newbrk,
		       uint64_t oldbrk)
{
	uint64_t ret = mm->brk;
	bool room = brk_room(e, mm, oldbrk, newbrk), ok = false;

	//@ assert pre: Covered{Pre}(e->pool, &mm->vmas, mm->start_brk, oldbrk);
	/* e->phys->nr_pages lies outside what do_brk_flags() writes (for mm_populate()) */
	/*@ assert phys_apart: \separated(&e->phys->nr_pages,
		e->phys->pages + (0 .. e->phys->nr_pages - 1), e->phys->zones + (0 .. MAX_NR_ZONES - 1),
		e->pool, e->kmem, mm); */
	/*@ assert phys_mm: \separated(&e->phys->nr_pages, &mm->vmas, &mm->map_count,
		&mm->split_leftovers); */
	if (room) {
		ok = do_brk_flags(e, mm, oldbrk, newbrk - oldbrk) == 0;
		/*@ assert env: e->pool == \at(e->pool, Pre) && e->phys == \at(e->phys, Pre) &&
			e->kmem == \at(e->kmem, Pre); */
		//@ assert apart: MmApart(e, mm);
		/* where mm_populate() writes: RAM and the page array as they were at Pre */
		/*@ assert phys_ptrs: e->phys->pages == \at(e->phys->pages, Pre) &&
			e->phys->mem == \at(e->phys->mem, Pre); */
		/* from do_brk_flags()'s phys (its assigns imply it, the provers do not: lesson 34) */
		/*@ assert phys_nr: e->phys->nr_pages == \at(e->phys->nr_pages, Pre); */
		/*@ assert phys: e->phys->nr_pages == \at(e->phys->nr_pages, Pre) &&
			e->phys->pages == \at(e->phys->pages, Pre) && e->phys->mem == \at(e->phys->mem, Pre); */
		if (ok) {
			bool lock = vm_flag_set(mm->def_flags, VM_LOCKED);

			/* the heap below oldbrk stayed mapped and [oldbrk, newbrk) is mapped now */
			//@ assert mapped: Covered(e->pool, &mm->vmas, oldbrk, newbrk);
			//@ assert kept: MappedKept{Pre, Here}(e->pool, &mm->vmas, 0, 0);
			//@ assert start: mm->start_brk == \at(mm->start_brk, Pre);
			//@ assert grown: Covered(e->pool, &mm->vmas, mm->start_brk, newbrk);
			set_brk(mm, e->pool, brk);
			//@ assert moved: Covered(e->pool, &mm->vmas, mm->start_brk, PageAlign(mm->brk));
			//@ assert apart_set: MmApart(e, mm);
			ret = brk;
			/*@ assert phys_set: e->phys->nr_pages == \at(e->phys->nr_pages, Pre) &&
				e->phys->pages == \at(e->phys->pages, Pre) &&
				e->phys->mem == \at(e->phys->mem, Pre); */
			if (lock)
				mm_populate(e, mm, oldbrk, newbrk);
			/*@ split lock; */
			//@ assert populated: Covered(e->pool, &mm->vmas, mm->start_brk, PageAlign(mm->brk));
			//@ ghost heap_covered_from(e->pool, mm);
		} else {
			//@ assert same: SameMapped{Pre, Here}(e->pool, &mm->vmas);
			//@ assert same_mapped: Covered(e->pool, &mm->vmas, mm->start_brk, oldbrk);
			//@ assert same_brk: oldbrk == PageAlign(mm->brk);
			//@ ghost heap_covered_from(e->pool, mm);
		}
		/*@ split ok; */
	}
	/*@ split room; */
	return ret;
}

/*
 * brk() across a page boundary: brk_down() or brk_up(). Returns the resulting brk.
 */
/*@ requires apart: MmApart(e, mm);
    requires alloc: MmAllocOk(e);
    requires vmas: VSetOk(e->pool, &mm->vmas);
    requires index: IndexRoom(e->pool, &mm->vmas);
    requires heap: HeapCovered(e->pool, mm);
    requires brk: brk <= 0xfffffffffffff000 && mm->brk <= 0xfffffffffffff000;
    requires pages: newbrk == PageAlign(brk) && oldbrk == PageAlign(mm->brk) && newbrk != oldbrk;
    requires order: (brk <= mm->brk ==> newbrk < oldbrk) && (brk > mm->brk ==> oldbrk < newbrk);
    requires aligned: oldbrk % PAGE_SIZE == 0 && newbrk % PAGE_SIZE == 0;
    assigns mm->brk, mm->vmas, mm->map_count, mm->split_leftovers, mm->total_vm,
	mm->data_vm, mm->exec_vm, mm->stack_vm, mm->locked_vm, mm->pgtables, mm->rss_anon,
	mm->tlb_flush_start, mm->tlb_flush_end, *e->pool, *e->kmem,
	e->phys->zones[0 .. MAX_NR_ZONES - 1], e->phys->pages[0 .. e->phys->nr_pages - 1],
	e->phys->mem[0 .. RamWords(e->phys) - 1];
    ensures vmas: VSetOk(e->pool, &mm->vmas);
    ensures heap: HeapCovered(e->pool, mm);
    ensures result: (\result == brk && mm->brk == brk) ||
	(\result == \old(mm->brk) && mm->brk == \old(mm->brk) &&
	 SameMapped{Pre, Post}(e->pool, &mm->vmas));
*/
static uint64_t brk_change(struct mm_env *e, struct mm_struct *mm, uint64_t brk, uint64_t newbrk,
			   uint64_t oldbrk)
{
	bool down = brk <= mm->brk; /* always allow shrinking */
	uint64_t ret;

	if (down)
		ret = brk_down(e, mm, brk, newbrk, oldbrk);
	else
		ret = brk_up(e, mm, brk, newbrk, oldbrk);
	/*@ split down; */
	return ret;
}

uint64_t sys_brk(struct mm_env *e, struct mm_struct *mm, uint64_t brk)
{
	uint64_t ret = mm->brk, newbrk = page_align(brk), oldbrk = page_align(mm->brk);
	bool ok = brk >= brk_floor(mm) && !data_rlimit_exceeded(mm, brk) &&
		  brk <= (uint64_t)0 - PAGE_SIZE; /* else PAGE_ALIGN() would wrap */
	bool same = ok && oldbrk == newbrk, move = ok && oldbrk != newbrk;

	if (same) {
		set_brk(mm, e->pool, brk);
		ret = brk;
	}
	if (move)
		ret = brk_change(e, mm, brk, newbrk, oldbrk);
	/*@ split same; */
	/*@ split move; */
	return ret;
}

/* Validation ------------------------------------------------------------------------- */

/*@ assigns \nothing;
    ensures bad: !\result.ok && \result.what == what && \result.where == where;
*/
static struct validate_result mm_bad(const char *what, uint32_t where)
{
	struct validate_result r = {false, what, where};

	return r;
}

struct validate_result mm_validate(const struct mm_env *e, const struct mm_struct *mm)
{
	const struct vma_pool *v = e->pool;
	const struct vma_set *s = &mm->vmas;
	uint64_t prev_end = 0, total = 0;
	uint32_t k, i, n = 0, prev = VMA_NONE;
	uint64_t heap_end = mm->start_brk; /* [start_brk, heap_end) lies in VMAs */

	if (s->nr_leaves > VMA_MAX_LEAVES)
		return mm_bad("vma index: too many leaves", s->nr_leaves);
	for (k = 0; k < s->nr_leaves; k++) {
		const struct vma_leaf *l = &v->leaves[s->leaf[k]];

		if (l->nr == 0 || l->nr > VMA_LEAF_SLOTS)
			return mm_bad("vma index: leaf size", k);
		for (i = 0; i < l->nr; i++) {
			uint32_t id = l->slot[i];
			const struct vm_area_struct *vma;

			if (id >= v->vma_used)
				return mm_bad("vma index: bad descriptor", id);
			vma = &v->vma[id];
			if (vma->vm_start % PAGE_SIZE != 0 || vma->vm_end % PAGE_SIZE != 0)
				return mm_bad("vma: not page-aligned", n);
			if (vma->vm_start >= vma->vm_end)
				return mm_bad("vma: empty", n);
			if (vma->vm_end > TASK_SIZE)
				return mm_bad("vma: outside user space", n);
			if (vma->vm_start < prev_end)
				return mm_bad("vma: not sorted and disjoint", n);
			if (vma->file != 0 &&
			    (vma->file > VMA_NR_FILES || !v->files[vma->file - 1].in_use))
				return mm_bad("vma: file not in the table", n);
			if (prev != VMA_NONE && mm->split_leftovers == 0 &&
			    vma->vm_start != mm->start_brk && (vma->vm_flags & VM_SPECIAL) == 0 &&
			    can_vma_merge_after(&v->vma[prev], vma->vm_start, vma->vm_flags,
						vma->file, vma->anon_vma, vma->vm_pgoff))
				return mm_bad("vma: mergeable with the one before", n);
			/* the heap may be several VMAs (mprotect() of a part splits it) */
			if (vma->vm_start <= heap_end && vma->vm_end > heap_end)
				heap_end = vma->vm_end;
			total += vma->vm_end - vma->vm_start;
			prev_end = vma->vm_end;
			prev = id;
			n++;
		}
		for (i = 0; i < l->nr; i++)
			if (l->start[i] != v->vma[l->slot[i]].vm_start ||
			    l->end[i] != v->vma[l->slot[i]].vm_end)
				return mm_bad("vma index: stale start/end copy", k);
		if (s->last_end[k] != prev_end)
			return mm_bad("vma index: stale last_end", k);
		if (s->max_gap[k] != vma_leaf_max_gap(v, s, k))
			return mm_bad("vma index: stale max_gap", k);
	}
	k = vma_gap_tree_stale(s);
	if (k != 0)
		return mm_bad("vma index: stale gap tree node", k);
	if (s->nr_vmas < 0 || n != (uint32_t)s->nr_vmas)
		return mm_bad("vma index: count", n);
	if (n != mm->map_count)
		return mm_bad("map_count is not the number of VMAs", mm->map_count);
	if (total / PAGE_SIZE != mm->total_vm)
		return mm_bad("total_vm is not the pages of all VMAs", n);
	if (mm->brk < mm->start_brk && !mm->compat_brk) /* COMPAT_BRK may go below */
		return mm_bad("brk below start_brk", 0);
	if (page_align(mm->brk) > mm->start_brk && heap_end < page_align(mm->brk))
		return mm_bad("brk: the VMAs do not cover [start_brk, brk)", 0);
	return pgtables_validate(e, mm);
}
