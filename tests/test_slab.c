/* SPDX-License-Identifier: MIT */
/*
 * test_slab.c - the slab allocator's behaviours. Expected geometries are those the live
 * Linux 6.18 kernel on a 2-CPU machine of this project reports in /proc/slabinfo.
 */
#include <string.h>

#include "model_fixture.h"
#include "test.h"

static struct fixture *booted(void)
{
	struct fixture *f = fixture_new(64 * 256);

	report(machine_boot(&f->m) == 0, "boot");
	return f;
}

static bool valid(struct fixture *f)
{
	struct validate_result r = machine_validate(&f->m);

	if (!r.ok)
		printf("  validate: %s at %u\n", r.what, r.where);
	return r.ok;
}

static const struct kmem_cache *cache(struct fixture *f, const char *name)
{
	int id = kmem_cache_find(&f->m.kmem, name);

	return id > 0 ? &f->m.kmem.caches[id - 1] : NULL;
}

/* kmalloc caches: objsize, objperslab, pagesperslab as /proc/slabinfo shows them. */
static void test_kmalloc_geometry_matches_linux(void)
{
	static const struct {
		const char *name;
		uint32_t size, objects, pages;
	} want[] = {
	    {"kmalloc-8", 8, 512, 1},	 {"kmalloc-16", 16, 256, 1},	{"kmalloc-32", 32, 128, 1},
	    {"kmalloc-64", 64, 64, 1},	 {"kmalloc-96", 96, 42, 1},	{"kmalloc-128", 128, 32, 1},
	    {"kmalloc-192", 192, 21, 1}, {"kmalloc-256", 256, 16, 1},	{"kmalloc-512", 512, 16, 2},
	    {"kmalloc-1k", 1024, 16, 4}, {"kmalloc-2k", 2048, 16, 8},	{"kmalloc-4k", 4096, 8, 8},
	    {"kmalloc-8k", 8192, 4, 8},	 {"dma-kmalloc-96", 96, 42, 1},
	};
	struct fixture *f = booted();
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct kmem_cache *c = cache(f, want[i].name);

		report(c != NULL && c->size == want[i].size && c->objects == want[i].objects &&
			   buddy_block_pages(c->order) == want[i].pages,
		       "%s: size %u objects %u pages %u", want[i].name, c ? c->size : 0,
		       c ? c->objects : 0, c ? buddy_block_pages(c->order) : 0);
	}
	fixture_free(f);
}

/* kmalloc picks the smallest class that fits: 65..96 -> 96, 129..192 -> 192. */
static void test_kmalloc_size_classes(void)
{
	static const uint64_t size[] = {1, 8, 9, 64, 65, 96, 97, 128, 129, 192, 193, 4096, 8192};
	static const uint64_t class[] = {8, 8, 16, 64, 96, 96, 128, 128, 192, 192, 256, 4096, 8192};
	struct fixture *f = booted();
	size_t i;

	for (i = 0; i < sizeof(size) / sizeof(size[0]); i++) {
		struct obj_result o = kmalloc(&f->m.phys, &f->m.kmem, size[i], GFP_KERNEL);
		struct obj_result s = ksize(&f->m.phys, &f->m.kmem, o.addr);

		report(o.err == 0 && s.addr == class[i], "kmalloc(%llu): ksize %llu, want %llu",
		       (unsigned long long)size[i], (unsigned long long)s.addr,
		       (unsigned long long)class[i]);
	}
	report(valid(f), "valid");
	fixture_free(f);
}

/* Objects come out of a new slab in address order; a freed object is reused first. */
static void test_objects_in_address_order_then_lifo(void)
{
	struct fixture *f = booted();
	uint64_t a = kmalloc(&f->m.phys, &f->m.kmem, 64, GFP_KERNEL).addr;
	uint64_t b = kmalloc(&f->m.phys, &f->m.kmem, 64, GFP_KERNEL).addr;
	uint64_t c = kmalloc(&f->m.phys, &f->m.kmem, 64, GFP_KERNEL).addr;

	report(a % PAGE_SIZE == 0 && b == a + 64 && c == b + 64, "address order");
	report(kfree(&f->m.phys, &f->m.kmem, b) == 0, "free b");
	report(kmalloc(&f->m.phys, &f->m.kmem, 64, GFP_KERNEL).addr == b, "b comes back first");
	report(valid(f), "valid");
	fixture_free(f);
}

/* A cache of one's own: geometry by SLUB's rules, objects in the linear map. */
static void test_cache_create_alloc_free_destroy(void)
{
	struct fixture *f = booted();
	struct phys *p = &f->m.phys;
	struct kmem *k = &f->m.kmem;
	int id = kmem_cache_create(k, "task_struct", 100, 0, SLAB_HWCACHE_ALIGN);
	const struct kmem_cache *c = cache(f, "task_struct");
	uint32_t free_before = nr_free_pages(p);
	struct obj_result o;

	report(id > 0 && c->size == 128 && c->align == 64, "100 bytes, HWCACHE_ALIGN -> 128");
	report(kmem_cache_create(k, "task_struct", 8, 0, 0) == -EEXIST, "name taken");
	report(kmem_cache_create(k, "bad name", 8, 0, 0) == -EINVAL, "blank in name");
	report(kmem_cache_create(k, "x", 8, 3, 0) == -EINVAL, "align not a power of two");
	report(kmem_cache_create(k, "y", 0, 0, 0) == -EINVAL, "size 0");
	o = kmem_cache_alloc(p, k, id, GFP_KERNEL | __GFP_ZERO);
	report(o.err == 0 && virt_addr_valid(p, o.addr), "object in the linear map");
	report(nr_free_pages(p) == free_before - buddy_block_pages(c->order), "one slab taken");
	report(kmem_cache_destroy(p, k, id) == -MERR_BUSY, "destroy refused while in use");
	report(kmem_cache_free(p, k, kmem_cache_find(k, "kmalloc-128"), o.addr) ==
		   -MERR_WRONG_CACHE,
	       "freed to the wrong cache");
	report(kmem_cache_free(p, k, id, o.addr) == 0, "free");
	report(kmem_cache_free(p, k, id, o.addr) == -MERR_DOUBLE_FREE, "double free");
	report(kmem_cache_destroy(p, k, id) == 0, "destroy");
	report(nr_free_pages(p) == free_before, "slab back to the page allocator");
	report(kmem_cache_find(k, "task_struct") == -MERR_NOT_FOUND, "gone");
	report(kmem_cache_destroy(p, k, kmem_cache_find(k, "kmalloc-64")) == -MERR_PERMANENT,
	       "kmalloc caches stay");
	report(valid(f), "valid");
	fixture_free(f);
}

/*
 * Empty slabs stay while the cache has fewer than min_partial partial slabs. SLUB's test
 * (nr_partial >= min_partial) counts the emptied slab itself: min_partial - 1 are kept.
 */
static void test_empty_slabs_kept_up_to_min_partial(void)
{
	struct fixture *f = booted();
	struct phys *p = &f->m.phys;
	struct kmem *k = &f->m.kmem;
	int id = kmem_cache_create(k, "big", 4096, 0, 0);
	const struct kmem_cache *c = cache(f, "big");
	uint64_t obj[8 * 7];
	uint32_t i;

	report(c->objects == 8 && c->min_partial == 6, "8 objects a slab, min_partial 6");
	for (i = 0; i < 8 * 7; i++)
		obj[i] = kmem_cache_alloc(p, k, id, GFP_KERNEL).addr;
	report(c->nr_slabs == 7 && c->nr_partial == 0, "7 full slabs");
	for (i = 0; i < 8 * 7; i++)
		kmem_cache_free(p, k, id, obj[i]);
	report(c->nr_slabs == 5 && c->nr_partial == 5, "5 empty slabs kept, 2 freed (%u, %u)",
	       c->nr_slabs, c->nr_partial);
	report(kmem_cache_shrink(p, k, id) == 0 && c->nr_slabs == 0, "shrink frees them");
	report(valid(f), "valid");
	fixture_free(f);
}

/* Large kmalloc goes to the page allocator as a compound block. */
static void test_large_kmalloc(void)
{
	struct fixture *f = booted();
	struct phys *p = &f->m.phys;
	uint32_t before = nr_free_pages(p);
	struct obj_result o = kmalloc(p, &f->m.kmem, 8193, GFP_KERNEL);

	report(o.err == 0 && nr_free_pages(p) == before - 4, "8193 bytes: an order-2 block");
	report(ksize(p, &f->m.kmem, o.addr).addr == 4 * PAGE_SIZE, "ksize is the block");
	report(kfree(p, &f->m.kmem, o.addr + PAGE_SIZE) == -MERR_MISALIGNED, "inside the block");
	report(free_pages(p, o.addr, 2) == -MERR_FOREIGN, "not free_pages()'s to free");
	report(kfree(p, &f->m.kmem, o.addr) == 0 && nr_free_pages(p) == before, "kfree");
	report(kmalloc(p, &f->m.kmem, KMALLOC_MAX_SIZE + 1, GFP_KERNEL).err == -ENOMEM,
	       "above KMALLOC_MAX_SIZE");
	report(kmalloc(p, &f->m.kmem, 0, GFP_KERNEL).addr == ZERO_SIZE_PTR, "kmalloc(0)");
	report(kfree(p, &f->m.kmem, ZERO_SIZE_PTR) == 0 && kfree(p, &f->m.kmem, 0) == 0,
	       "kfree(ZERO_SIZE_PTR), kfree(NULL)");
	report(valid(f), "valid");
	fixture_free(f);
}

/* Bad kfrees are refused and change nothing (metadata and frame bytes alike). */
static void test_bad_kfree_changes_nothing(void)
{
	struct fixture *f = booted();
	struct phys *p = &f->m.phys;
	uint64_t a = kmalloc(p, &f->m.kmem, 64, GFP_KERNEL).addr;
	uint64_t page = get_free_pages_inner(p, GFP_KERNEL, 0);
	size_t n = 64 * 256;
	struct page *pages = malloc(n * sizeof(struct page));
	uint8_t *mem = malloc(n * PAGE_SIZE);
	struct kmem *kmem = malloc(sizeof(struct kmem));

	memcpy(pages, p->pages, n * sizeof(struct page));
	memcpy(mem, p->mem, n * PAGE_SIZE);
	memcpy(kmem, &f->m.kmem, sizeof(*kmem));
	report(kfree(p, &f->m.kmem, a + 8) == -MERR_MISALIGNED, "inside an object");
	report(kfree(p, &f->m.kmem, a + 64) == -MERR_DOUBLE_FREE, "a free object");
	report(kfree(p, &f->m.kmem, page) == -MERR_FOREIGN, "a page-allocator page");
	report(kfree(p, &f->m.kmem, 0x1000) == -MERR_OUT_OF_RANGE, "not in the linear map");
	report(memcmp(pages, p->pages, n * sizeof(struct page)) == 0 &&
		   memcmp(mem, p->mem, n * PAGE_SIZE) == 0 &&
		   memcmp(kmem, &f->m.kmem, sizeof(*kmem)) == 0,
	       "nothing changed");
	free(pages);
	free(mem);
	free(kmem);
	fixture_free(f);
}

/*
 * A use-after-free overwrites the free pointer of b, a free object at the head of its
 * slab's chain (LIFO), with value (b itself when self): the validator sees it, and the
 * next allocation refuses with -MERR_CORRUPT and changes nothing.
 */
static void check_overwritten_free_pointer(uint64_t value, bool self, const char *what)
{
	struct fixture *f = booted();
	struct phys *p = &f->m.phys;
	const struct kmem_cache *c = cache(f, "kmalloc-64");
	uint64_t a = kmalloc(p, &f->m.kmem, 64, GFP_KERNEL).addr;
	uint64_t b = kmalloc(p, &f->m.kmem, 64, GFP_KERNEL).addr;

	kfree(p, &f->m.kmem, b);
	p->mem[(b - PAGE_OFFSET + c->offset) / 8] = self ? b : value; /* write after free */
	report(!machine_validate(&f->m).ok, "validator sees the broken chain");
	report(kmalloc(p, &f->m.kmem, 64, GFP_KERNEL).err == -MERR_CORRUPT, "%s", what);
	report(c->active_objects == 1, "nothing changed");
	kfree(p, &f->m.kmem, a);
	fixture_free(f);
}

/* A free pointer that leads nowhere is caught, not followed. */
static void test_overwritten_free_pointer_is_detected(void)
{
	check_overwritten_free_pointer(0x4141414141414141ull, false,
				       "b is not handed out: its free pointer leads nowhere");
}

/* A free pointer naming its own object: taking b would leave b at the head of the chain,
 * to be handed out a second time. */
static void test_free_pointer_to_itself_is_detected(void)
{
	check_overwritten_free_pointer(0, true,
				       "b is not handed out: its free pointer names b itself");
}

int main(void)
{
	RUN(test_kmalloc_geometry_matches_linux);
	RUN(test_kmalloc_size_classes);
	RUN(test_objects_in_address_order_then_lifo);
	RUN(test_cache_create_alloc_free_destroy);
	RUN(test_empty_slabs_kept_up_to_min_partial);
	RUN(test_large_kmalloc);
	RUN(test_bad_kfree_changes_nothing);
	RUN(test_overwritten_free_pointer_is_detected);
	RUN(test_free_pointer_to_itself_is_detected);
	return test_summary();
}
