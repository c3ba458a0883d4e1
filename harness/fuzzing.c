/* SPDX-License-Identifier: MIT */
/*
 * fuzzing.c - decoders, references and checks for fuzz_buddy and fuzz_slab. See
 * fuzzing.h for what is checked.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzing.h"
#include "fuzz_bytes.h"
#include "machine.h"
#include "names.h"

#define FUZZ_MAX_OPS  512u
#define FUZZ_MAX_LIVE FUZZ_MAX_OPS

/* One machine for every run: fuzzers call us millions of times; no allocation per run. */
static uint64_t fuzz_mem[(size_t)FUZZ_MAX_PAGES * PAGE_WORDS];
static struct page fuzz_pages[FUZZ_MAX_PAGES];
static struct machine fuzz_m;

/* The output side: a trace when decoding, nothing when fuzzing. */
struct run {
	FILE *out;
	int nr_ops;
	bool failed;
};

static void emit(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->out == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
}

/* Print op's line with its result: "op args => result". */
static void emit_op(struct run *r, const char *binding, const struct mm_op *op,
		    const struct mm_result *res)
{
	char line[256], result[NAMES_RESULT_LEN];

	if (r->out == NULL)
		return;
	names_format_op(op, line, sizeof(line));
	names_format_result(op->kind, res, result, sizeof(result));
	if (binding != NULL)
		fprintf(r->out, "%s = ", binding);
	fprintf(r->out, "%s => %s\n", line, result);
}

/* A broken check: say what, where, and stop the run. */
static int fail(struct run *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "fuzz check failed after op %d: ", r->nr_ops);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	if (r->out != NULL) {
		va_start(ap, fmt);
		fprintf(r->out, "# CHECK FAILED after the op above: ");
		vfprintf(r->out, fmt, ap);
		fprintf(r->out, "\n");
		va_end(ap);
	}
	r->failed = true;
	return 1;
}

/* Validators run after every validate_every-th operation, and after the last one. */
static unsigned int validate_every = 1;

void fuzz_set_validate_every(unsigned int n)
{
	validate_every = n == 0 ? 1 : n;
}

void fuzz_configure_from_env(void)
{
	const char *every = getenv("MMREF_FUZZ_VALIDATE_EVERY");

	if (every != NULL)
		fuzz_set_validate_every((unsigned int)strtoul(every, NULL, 10));
}

static bool validate_due(unsigned int step)
{
	return step % validate_every == 0;
}

static struct mm_result apply(struct run *r, const struct mm_op *op)
{
	r->nr_ops++;
	return machine_apply(&fuzz_m, op);
}

static int check_valid(struct run *r)
{
	struct validate_result v = machine_validate(&fuzz_m);

	return v.ok ? 0 : fail(r, "validator: %s at %u", v.what, v.where);
}

/* fuzz_buddy makes no slab calls: the page allocator's validator is the one that applies. */
static int check_buddy_valid(struct run *r)
{
	struct validate_result v = buddy_validate(&fuzz_m.phys);

	return v.ok ? 0 : fail(r, "validator: %s at %u", v.what, v.where);
}

/*
 * Machine set-up from the first bytes: RAM, then up to three boot reservations. Half of
 * all inputs get 1 MiB (256 frames: the validators run after every op, so small machines
 * keep the fuzzer fast); the rest get 2 MiB or 4 MiB (orders 9 and 10), 4 MiB and a few
 * frames (a ragged end), or 17-24 MiB (ZONE_NORMAL exists: zone fallback).
 */
static uint32_t machine_pages(uint8_t size)
{
	switch (size % 8) {
	case 4:
		return 512;
	case 5:
		return 1024;
	case 6:
		return 1024 + 1 + (size >> 3) % 15;
	case 7:
		return MAX_DMA_PFN + 256u * (1 + (size >> 3) % 8);
	default:
		return 256;
	}
}

static int setup_machine(struct run *r, struct fuzz_bytes *b)
{
	uint8_t size = fuzz_next8(b), nres = fuzz_next8(b) % 4, i;
	uint32_t nr_pages = machine_pages(size);
	struct mm_op op = {0};

	if (machine_init(&fuzz_m, fuzz_mem, fuzz_pages, nr_pages) != 0)
		return fail(r, "machine_init(%u pages) refused", nr_pages);
	emit(r, "ram %uK\n", nr_pages * 4);
	for (i = 0; i < nres; i++) {
		struct mm_result res;

		op.kind = OP_RESERVE;
		op.a = (uint64_t)(fuzz_next16(b) % nr_pages) * PAGE_SIZE;
		op.b = (uint64_t)(1 + fuzz_next8(b) % 64) * PAGE_SIZE;
		res = apply(r, &op);
		emit_op(r, NULL, &op, &res); /* a range past the end is refused: also fine */
	}
	op.kind = OP_BOOT;
	{
		struct mm_result res = apply(r, &op);

		emit_op(r, NULL, &op, &res);
		if (res.kind != RES_OK)
			return fail(r, "boot failed");
	}
	return check_valid(r);
}

/* fuzz_buddy ---------------------------------------------------------------------- */

struct block {
	uint32_t pfn;
	uint32_t order;
	int id; /* binding number in the decoded trace */
};

struct buddy_ref {
	uint64_t used[FUZZ_MAX_PAGES / 64]; /* a bit a frame: allocated or reserved */
	struct block live[FUZZ_MAX_LIVE];
	uint32_t nr_live;
	struct block freed[8]; /* recently freed, for double frees */
	uint32_t nr_freed;
	uint32_t free_pages;
};

static struct buddy_ref bref;

static bool ref_used(uint32_t pfn)
{
	return (bref.used[pfn / 64] >> (pfn % 64)) & 1;
}

static void ref_set(uint32_t pfn, bool used)
{
	if (used)
		bref.used[pfn / 64] |= 1ull << (pfn % 64);
	else
		bref.used[pfn / 64] &= ~(1ull << (pfn % 64));
}

/* Mark the n frames from s (aligned to n, a power of two) used or free. */
static void ref_set_block(uint32_t s, uint32_t n, bool used)
{
	uint32_t w;

	if (n < 64) {
		uint64_t mask = ((1ull << n) - 1) << (s % 64);

		bref.used[s / 64] = used ? bref.used[s / 64] | mask : bref.used[s / 64] & ~mask;
		return;
	}
	for (w = s / 64; w < (s + n) / 64; w++)
		bref.used[w] = used ? ~0ull : 0;
}

/* Are the n frames from s (aligned to n, a power of two) all free? */
static bool ref_block_free(uint32_t s, uint32_t n)
{
	uint32_t w;

	if (n < 64) /* inside one word */
		return ((bref.used[s / 64] >> (s % 64)) & ((1ull << n) - 1)) == 0;
	for (w = s / 64; w < (s + n) / 64; w++)
		if (bref.used[w] != 0)
			return false;
	return true;
}

/* Does [start, end) hold a fully free, aligned block of 2^order frames? */
static bool ref_has_block(uint32_t start, uint32_t end, uint32_t order)
{
	uint32_t n = buddy_block_pages(order), s;

	for (s = (start + n - 1) / n * n; s + n <= end; s += n)
		if (ref_block_free(s, n))
			return true;
	return false;
}

static uint32_t dma_end(void)
{
	return fuzz_m.phys.nr_pages < MAX_DMA_PFN ? fuzz_m.phys.nr_pages : MAX_DMA_PFN;
}

/* The allocation result against the reference (see fuzzing.h). */
static int check_buddy_alloc(struct run *r, gfp_t gfp, uint32_t order, uint32_t pfn)
{
	uint32_t n = buddy_block_pages(order), i, ram = fuzz_m.phys.nr_pages, de = dma_end();
	bool dma_only = (gfp & __GFP_DMA) != 0;
	bool in_normal = order <= MAX_PAGE_ORDER && ref_has_block(de, ram, order);
	bool in_dma = order <= MAX_PAGE_ORDER && ref_has_block(0, de, order);

	if (pfn == PFN_NONE) {
		if (in_dma || (!dma_only && in_normal))
			return fail(r, "order-%u allocation failed with a free block available",
				    order);
		return 0;
	}
	if (order > MAX_PAGE_ORDER || pfn % n != 0 || pfn + n > ram)
		return fail(r, "block %u of order %u misplaced", pfn, order);
	if (dma_only && pfn + n > de)
		return fail(r, "GFP_DMA block %u outside ZONE_DMA", pfn);
	if (!dma_only && pfn < de && in_normal)
		return fail(r, "block %u from ZONE_DMA while ZONE_NORMAL had one", pfn);
	if (!ref_block_free(pfn, n)) {
		for (i = 0; ref_used(pfn + i) == false; i++)
			;
		return fail(r, "frame %u handed out twice", pfn + i);
	}
	ref_set_block(pfn, n, true);
	bref.free_pages -= n;
	return 0;
}

/* Which live block is (pfn, order)? -1 if none. */
static int live_index(uint32_t pfn, uint32_t order)
{
	uint32_t i;

	for (i = 0; i < bref.nr_live; i++)
		if (bref.live[i].pfn == pfn && bref.live[i].order == order)
			return (int)i;
	return -1;
}

static void ref_release(uint32_t li)
{
	struct block b = bref.live[li];
	uint32_t n = buddy_block_pages(b.order);

	ref_set_block(b.pfn, n, false);
	bref.free_pages += n;
	bref.freed[bref.nr_freed++ % 8] = b;
	bref.live[li] = bref.live[--bref.nr_live];
}

static gfp_t gfp_from(uint8_t k)
{
	return GFP_KERNEL | ((k & 0x08) != 0 ? __GFP_DMA : 0) | ((k & 0x10) != 0 ? __GFP_ZERO : 0) |
	       ((k & 0x20) != 0 ? __GFP_COMP : 0);
}

static int buddy_alloc_op(struct run *r, uint8_t k, uint8_t arg)
{
	struct mm_op op = {0};
	struct mm_result res;
	uint32_t order = (arg & 0x80) != 0 ? arg % 4 : arg % 12; /* 11: over the maximum */
	uint32_t pfn;
	char name[16];
	int id = r->nr_ops;

	op.kind = (k & 0x40) != 0 ? OP_GET_FREE_PAGES : OP_ALLOC_PAGES;
	op.gfp = gfp_from(k);
	if (order > 1)
		op.gfp &= ~__GFP_ZERO; /* clearing large blocks costs time, not coverage */
	op.a = order;
	res = apply(r, &op);
	if (r->out != NULL)
		snprintf(name, sizeof(name), "b%d", id);
	emit_op(r, name, &op, &res);
	if (res.kind == RES_NULL)
		pfn = PFN_NONE;
	else if (res.kind == RES_PFN)
		pfn = (uint32_t)res.value;
	else if (res.kind == RES_ADDR)
		pfn = (uint32_t)((res.value - PAGE_OFFSET) / PAGE_SIZE);
	else
		return fail(r, "allocation returned neither a block nor NULL");
	if (check_buddy_alloc(r, op.gfp, order, pfn) != 0)
		return 1;
	if (pfn != PFN_NONE) {
		struct block b = {pfn, order, id};

		bref.live[bref.nr_live++] = b;
	}
	return 0;
}

/* A free, good or bad: the model must accept it iff it names a live block exactly. */
static int buddy_free_op(struct run *r, uint8_t k, uint8_t arg, bool mutate)
{
	struct mm_op op = {0};
	struct mm_result res;
	struct block b = {(uint32_t)arg * 7 % fuzz_m.phys.nr_pages, 0, -1};
	int li;

	if (bref.nr_live > 0 && !(mutate && arg % 6 == 0))
		b = bref.live[arg % bref.nr_live];
	if (mutate) {
		switch (arg % 6) {
		case 0: /* an arbitrary frame, order 0 */
			break;
		case 1:
			b.order = (b.order + 1 + k % 3) % 12; /* other orders, and 11 */
			break;
		case 2:
			b.pfn += 1 + k % 3; /* inside the block or next to it */
			break;
		case 3:
			if (bref.nr_freed > 0)
				b = bref.freed[k % (bref.nr_freed < 8 ? bref.nr_freed : 8)];
			break;
		case 4:
			b.pfn = fuzz_m.phys.nr_pages + k; /* past RAM */
			break;
		default:
			b.pfn = b.pfn - b.pfn % 2 + 1; /* odd: misaligned for order > 0 */
			b.order = 1 + k % 3;
			break;
		}
	}
	li = live_index(b.pfn, b.order);
	op.b = b.order;
	if ((k & 0x40) != 0 && b.pfn < fuzz_m.phys.nr_pages) {
		op.kind = OP_FREE_PAGES;
		op.a = pfn_to_virt(b.pfn);
	} else {
		op.kind = OP_FREE_PAGES_PFN;
		op.a = b.pfn;
	}
	res = apply(r, &op);
	emit_op(r, NULL, &op, &res);
	if ((li >= 0) != (res.kind == RES_OK))
		return fail(r, "free of pfn %u order %u: %s, but the block is %s", b.pfn, b.order,
			    res.kind == RES_OK ? "accepted" : "refused",
			    li >= 0 ? "live" : "not live");
	if (li >= 0)
		ref_release((uint32_t)li);
	return 0;
}

int fuzz_buddy_run(const uint8_t *data, size_t size, FILE *out)
{
	struct fuzz_bytes b = {data, size};
	struct run r = {out, 0, false};
	uint32_t i, step = 0;

	if (setup_machine(&r, &b) != 0)
		return 1;
	memset(bref.used, 0, sizeof(bref.used));
	for (i = 0; i < fuzz_m.phys.nr_pages; i++)
		ref_set(i, (fuzz_m.phys.pages[i].flags & PG_reserved) != 0);
	bref.nr_live = 0;
	bref.nr_freed = 0;
	bref.free_pages = nr_free_pages(&fuzz_m.phys);
	while (b.n > 0 && r.nr_ops < (int)FUZZ_MAX_OPS) {
		uint8_t k = fuzz_next8(&b), arg = fuzz_next8(&b);
		int err;

		switch (k % 8) {
		case 0:
		case 1:
		case 2:
		case 3:
			err = bref.nr_live < FUZZ_MAX_LIVE ? buddy_alloc_op(&r, k, arg) : 0;
			break;
		case 4:
		case 5:
		case 6:
			err = buddy_free_op(&r, k, arg, false);
			break;
		default:
			err = buddy_free_op(&r, k, arg, true);
			break;
		}
		if (err != 0 || (validate_due(++step) && check_buddy_valid(&r) != 0))
			return 1;
		if (nr_free_pages(&fuzz_m.phys) != bref.free_pages)
			return fail(&r, "model has %u free frames, reference %u",
				    nr_free_pages(&fuzz_m.phys), bref.free_pages);
	}
	return check_buddy_valid(&r);
}

/* fuzz_slab ----------------------------------------------------------------------- */

#define FUZZ_MAX_CACHES 8u

struct object {
	uint64_t addr;
	uint64_t size; /* asked for */
	int cache;     /* index in sref.caches, or -1 for kmalloc */
	uint8_t seed;  /* fill pattern */
	int id;
};

struct slab_ref {
	struct object live[FUZZ_MAX_LIVE];
	uint32_t nr_live;
	struct object freed[8];
	uint32_t nr_freed;
	char caches[FUZZ_MAX_CACHES][CACHE_NAME_LEN];
	uint32_t cache_size[FUZZ_MAX_CACHES];
	bool cache_live[FUZZ_MAX_CACHES];
	uint32_t nr_caches;
	struct block pages[64]; /* alloc_pages blocks, for foreign kfree */
	uint32_t nr_pages;
};

static struct slab_ref sref;

static uint8_t *obj_bytes(uint64_t addr)
{
	return (uint8_t *)fuzz_mem + (addr - PAGE_OFFSET);
}

static void fill(const struct object *o)
{
	uint64_t i;

	for (i = 0; i < o->size; i++)
		obj_bytes(o->addr)[i] = (uint8_t)(o->seed + i * 7);
}

static bool intact(const struct object *o)
{
	uint64_t i;

	for (i = 0; i < o->size; i++)
		if (obj_bytes(o->addr)[i] != (uint8_t)(o->seed + i * 7))
			return false;
	return true;
}

/* A new object: inside RAM, overlapping no live object; then fill it. */
static int slab_new_object(struct run *r, struct object *o, uint64_t usable)
{
	uint32_t i;

	if (!virt_addr_valid(&fuzz_m.phys, o->addr) ||
	    !virt_addr_valid(&fuzz_m.phys, o->addr + usable - 1))
		return fail(r, "object 0x%llx+%llu outside RAM", (unsigned long long)o->addr,
			    (unsigned long long)usable);
	for (i = 0; i < sref.nr_live; i++) {
		const struct object *l = &sref.live[i];

		if (o->addr < l->addr + (l->size ? l->size : 1) && l->addr < o->addr + usable)
			return fail(r, "object 0x%llx overlaps live object 0x%llx",
				    (unsigned long long)o->addr, (unsigned long long)l->addr);
	}
	fill(o);
	sref.live[sref.nr_live++] = *o;
	return 0;
}

static int slab_create_op(struct run *r, uint8_t k, uint8_t arg)
{
	static const uint32_t sizes[] = {1, 8, 24, 40, 64, 100, 200, 256, 700, 1500, 4000, 9000};
	struct mm_op op = {0};
	struct mm_result res;
	uint32_t c = sref.nr_caches;

	if (c >= FUZZ_MAX_CACHES)
		return 0;
	op.kind = OP_KMEM_CACHE_CREATE;
	snprintf(op.name, sizeof(op.name), "cache%u", c);
	op.a = (k & 0x40) != 0 ? arg * 3u + 1 : sizes[arg % 12];
	op.b = (k & 0x20) != 0 ? 1u << (arg % 8) : 0;
	op.flags = (k & 0x10) != 0 ? SLAB_HWCACHE_ALIGN : 0;
	op.flags |= (k & 0x08) != 0 ? SLAB_CACHE_DMA : 0;
	res = apply(r, &op);
	emit_op(r, NULL, &op, &res);
	if (res.kind != RES_GEOMETRY)
		return fail(r, "kmem_cache_create(%llu) refused", (unsigned long long)op.a);
	if (res.size < op.a || res.size % res.align != 0 || res.objects < 1 ||
	    (uint64_t)res.objects * res.size > (uint64_t)buddy_block_pages(res.order) * PAGE_SIZE)
		return fail(r, "bad geometry for size %llu", (unsigned long long)op.a);
	memcpy(sref.caches[c], op.name, CACHE_NAME_LEN);
	sref.cache_size[c] = (uint32_t)op.a;
	sref.cache_live[c] = true;
	sref.nr_caches++;
	return 0;
}

static int live_caches_pick(uint8_t arg)
{
	uint32_t i, n = 0;

	for (i = 0; i < sref.nr_caches; i++)
		n += sref.cache_live[i];
	if (n == 0)
		return -1;
	n = arg % n;
	for (i = 0; i < sref.nr_caches; i++)
		if (sref.cache_live[i] && n-- == 0)
			return (int)i;
	return -1;
}

static int slab_alloc_op(struct run *r, uint8_t k, uint8_t arg, bool from_cache)
{
	static const uint64_t sizes[] = {0,  1,	  8,   9,    64,   65,	 96,
					 97, 192, 193, 4096, 8192, 8193, 20000};
	struct mm_op op = {0};
	struct mm_result res;
	struct object o = {0, 0, -1, (uint8_t)(k ^ arg), r->nr_ops};
	char name[16];
	int c = from_cache ? live_caches_pick(arg) : -1;

	if (from_cache && c < 0)
		return 0;
	if (sref.nr_live >= FUZZ_MAX_LIVE)
		return 0;
	op.gfp = GFP_KERNEL | ((k & 0x10) != 0 ? __GFP_ZERO : 0);
	if (from_cache) {
		op.kind = OP_KMEM_CACHE_ALLOC;
		memcpy(op.name, sref.caches[c], CACHE_NAME_LEN);
		o.size = sref.cache_size[c];
		o.cache = c;
	} else {
		op.kind = (k & 0x10) != 0 ? OP_KZALLOC : OP_KMALLOC;
		op.gfp |= (k & 0x20) != 0 ? __GFP_DMA : 0;
		o.size = (k & 0x40) != 0 ? arg * 13u : sizes[arg % 14];
		op.a = o.size;
	}
	res = apply(r, &op);
	if (r->out != NULL)
		snprintf(name, sizeof(name), "o%d", o.id);
	emit_op(r, name, &op, &res);
	if (res.kind == RES_NULL)
		return 0; /* out of memory is an answer; the validators judge the state */
	if (res.kind != RES_ADDR)
		return fail(r, "allocation returned neither an object nor NULL");
	o.addr = res.value;
	if (o.size == 0) {
		if (o.addr != ZERO_SIZE_PTR)
			return fail(r, "kmalloc(0) != ZERO_SIZE_PTR");
		return 0;
	}
	if ((op.gfp & __GFP_ZERO) != 0)
		for (uint64_t i = 0; i < o.size; i++)
			if (obj_bytes(o.addr)[i] != 0)
				return fail(r, "zeroed object has a non-zero byte at %llu",
					    (unsigned long long)i);
	if ((op.gfp & __GFP_DMA) != 0 && o.addr - PAGE_OFFSET >= (uint64_t)MAX_DMA_PFN * PAGE_SIZE)
		return fail(r, "GFP_DMA object above 16 MiB");
	if (!from_cache) {
		struct mm_op ks = {0};
		struct mm_result kr;

		ks.kind = OP_KSIZE;
		ks.a = o.addr;
		kr = machine_apply(&fuzz_m, &ks);
		if (kr.kind != RES_COUNT || kr.value < o.size)
			return fail(r, "ksize(0x%llx) < %llu", (unsigned long long)o.addr,
				    (unsigned long long)o.size);
	}
	return slab_new_object(r, &o, o.size);
}

static int object_index(uint64_t addr)
{
	uint32_t i;

	for (i = 0; i < sref.nr_live; i++)
		if (sref.live[i].addr == addr)
			return (int)i;
	return -1;
}

/* A free, good or bad: accepted iff the object is live (and of the cache named). */
static int slab_free_op(struct run *r, uint8_t k, uint8_t arg, bool mutate)
{
	struct mm_op op = {0};
	struct mm_result res;
	struct object o = {pfn_to_virt(arg % fuzz_m.phys.nr_pages) + k, 1, -1, 0, -1};
	int li, cache;
	bool expect;

	if (sref.nr_live > 0)
		o = sref.live[arg % sref.nr_live];
	if (mutate) {
		switch (k % 5) {
		case 0:
			if (sref.nr_freed > 0)
				o = sref.freed[arg % (sref.nr_freed < 8 ? sref.nr_freed : 8)];
			break;
		case 1:
			o.addr += 8 + arg % 64;
			break;
		case 2:
			o.addr = pfn_to_virt(arg % fuzz_m.phys.nr_pages) + (k & 0x38);
			break;
		case 3:
			if (sref.nr_pages > 0)
				o.addr = pfn_to_virt(sref.pages[arg % sref.nr_pages].pfn);
			break;
		default:
			o.cache = live_caches_pick(arg); /* perhaps the wrong cache */
			break;
		}
	}
	cache = (k & 0x40) != 0 ? o.cache : -1;
	li = object_index(o.addr);
	expect = li >= 0 && (cache < 0 || sref.live[li].cache == cache);
	if (cache >= 0) {
		op.kind = OP_KMEM_CACHE_FREE;
		memcpy(op.name, sref.caches[cache], CACHE_NAME_LEN);
	} else {
		op.kind = OP_KFREE;
	}
	op.a = o.addr;
	if (li >= 0 && !intact(&sref.live[li]))
		return fail(r, "live object 0x%llx was overwritten", (unsigned long long)o.addr);
	res = apply(r, &op);
	emit_op(r, NULL, &op, &res);
	if (expect != (res.kind == RES_OK))
		return fail(r, "free of 0x%llx %s, but it is %s", (unsigned long long)o.addr,
			    res.kind == RES_OK ? "accepted" : "refused",
			    expect ? "a live object of that cache" : "not a live object of it");
	if (expect) {
		sref.freed[sref.nr_freed++ % 8] = sref.live[li];
		sref.live[li] = sref.live[--sref.nr_live];
	}
	return 0;
}

static int slab_cache_op(struct run *r, uint8_t k, uint8_t arg)
{
	struct mm_op op = {0};
	struct mm_result res;
	int c = live_caches_pick(arg);
	uint32_t i;
	bool busy = false;

	if (c < 0)
		return 0;
	for (i = 0; i < sref.nr_live; i++)
		busy = busy || sref.live[i].cache == c;
	op.kind = (k & 0x10) != 0 ? OP_KMEM_CACHE_SHRINK : OP_KMEM_CACHE_DESTROY;
	memcpy(op.name, sref.caches[c], CACHE_NAME_LEN);
	res = apply(r, &op);
	emit_op(r, NULL, &op, &res);
	if (op.kind == OP_KMEM_CACHE_SHRINK)
		return res.kind == RES_OK ? 0 : fail(r, "kmem_cache_shrink refused");
	if (busy != (res.kind != RES_OK))
		return fail(r, "kmem_cache_destroy %s with %s objects",
			    res.kind == RES_OK ? "accepted" : "refused", busy ? "live" : "no");
	if (!busy)
		sref.cache_live[c] = false;
	return 0;
}

/* Page allocations beside the slabs: memory pressure, and blocks for foreign kfree. */
static int slab_pages_op(struct run *r, uint8_t k, uint8_t arg)
{
	struct mm_op op = {0};
	struct mm_result res;

	if ((k & 0x10) != 0 && sref.nr_pages > 0) {
		uint32_t i = arg % sref.nr_pages;

		op.kind = OP_FREE_PAGES_PFN;
		op.a = sref.pages[i].pfn;
		op.b = sref.pages[i].order;
		res = apply(r, &op);
		emit_op(r, NULL, &op, &res);
		if (res.kind != RES_OK)
			return fail(r, "free of a live page block refused");
		sref.pages[i] = sref.pages[--sref.nr_pages];
		return 0;
	}
	if (sref.nr_pages >= 64)
		return 0;
	op.kind = OP_ALLOC_PAGES;
	op.gfp = GFP_KERNEL;
	op.a = arg % 4;
	res = apply(r, &op);
	emit_op(r, NULL, &op, &res);
	if (res.kind == RES_PFN) {
		struct block b = {(uint32_t)res.value, (uint32_t)op.a, r->nr_ops};

		sref.pages[sref.nr_pages++] = b;
	}
	return 0;
}

int fuzz_slab_run(const uint8_t *data, size_t size, FILE *out)
{
	struct fuzz_bytes b = {data, size};
	struct run r = {out, 0, false};
	unsigned int step = 0;

	if (setup_machine(&r, &b) != 0)
		return 1;
	memset(&sref, 0, sizeof(sref));
	while (b.n > 0 && r.nr_ops < (int)FUZZ_MAX_OPS) {
		uint8_t k = fuzz_next8(&b), arg = fuzz_next8(&b);
		int err;

		switch (k % 10) {
		case 0:
			err = slab_create_op(&r, k, arg);
			break;
		case 1:
		case 2:
			err = slab_alloc_op(&r, k, arg, true);
			break;
		case 3:
		case 4:
			err = slab_alloc_op(&r, k, arg, false);
			break;
		case 5:
		case 6:
			err = slab_free_op(&r, k, arg, false);
			break;
		case 7:
			err = slab_free_op(&r, k, arg, true);
			break;
		case 8:
			err = slab_cache_op(&r, k, arg);
			break;
		default:
			err = slab_pages_op(&r, k, arg);
			break;
		}
		if (err != 0 || (validate_due(++step) && check_valid(&r) != 0))
			return 1;
	}
	return check_valid(&r);
}

/* fuzz_vma -------------------------------------------------------------------------- */

/*
 * The reference: a byte per page of an arena of VREF_PAGES pages just below the default
 * layout's [vvar] (where hint-less mmaps land) and of the heap's first VREF_HEAP pages.
 * A byte holds 0 (unmapped) or VREF_MAPPED | prot | VREF_SHARED | VREF_GROWSDOWN.
 */
#define VREF_PAGES     512u
#define VREF_HEAP      256u
#define VREF_MAPPED    0x80u
#define VREF_SHARED    0x08u
#define VREF_GROWSDOWN 0x10u
#define VREF_PROT      0x07u

static struct vma_ref {
	uint64_t arena;	    /* first byte of the arena */
	uint64_t start_brk; /* first byte of the heap window */
	uint64_t brk;
	uint8_t page[VREF_PAGES];
	uint8_t heap[VREF_HEAP];
	bool tight; /* max_map_count lowered: -ENOMEM is an allowed outcome */
} vref;

/* After each op: the address space's invariants; the allocators' at the end of a run. */
static int check_mm_valid(struct run *r)
{
	struct validate_result v = mm_validate(&fuzz_m.env, machine_current_mm(&fuzz_m));

	return v.ok ? 0 : fail(r, "mm_validate: %s at %u", v.what, v.where);
}

static uint8_t vref_state_of(uint32_t prot, uint32_t flags)
{
	return (uint8_t)(VREF_MAPPED | (prot & VREF_PROT) |
			 ((flags & MAP_TYPE) == MAP_SHARED ? VREF_SHARED : 0) |
			 ((flags & MAP_GROWSDOWN) != 0 ? VREF_GROWSDOWN : 0));
}

/* The model's view of the page at addr, in the reference's encoding. */
static uint8_t model_page_state(uint64_t addr)
{
	struct mm_struct *mm = machine_current_mm(&fuzz_m);
	uint32_t id = find_vma(&fuzz_m.vmas, &mm->vmas, addr);
	const struct vm_area_struct *vma;
	uint8_t st;

	if (id == VMA_NONE || fuzz_m.vmas.vma[id].vm_start > addr)
		return 0;
	vma = &fuzz_m.vmas.vma[id];
	st = (uint8_t)(VREF_MAPPED | (vma->vm_flags & VM_ACCESS_FLAGS));
	if ((vma->vm_flags & VM_SHARED) != 0)
		st |= VREF_SHARED;
	if ((vma->vm_flags & VM_GROWSDOWN) != 0)
		st |= VREF_GROWSDOWN;
	return st;
}

/* The model's states of the n pages from base, one walk over its VMAs there. */
static void model_states(uint64_t base, uint32_t n, uint8_t *out)
{
	struct mm_struct *mm = machine_current_mm(&fuzz_m);
	const struct vma_set *s = &mm->vmas;
	struct vma_pos pos = vma_lookup_pos(&fuzz_m.vmas, s, base);
	uint64_t end = base + (uint64_t)n * PAGE_SIZE;

	memset(out, 0, n);
	for (; pos.leaf < s->nr_leaves; pos = vma_pos_next(&fuzz_m.vmas, s, pos)) {
		const struct vm_area_struct *vma = &fuzz_m.vmas.vma[vma_at(&fuzz_m.vmas, s, pos)];
		uint64_t a = vma->vm_start > base ? vma->vm_start : base;
		uint64_t b = vma->vm_end < end ? vma->vm_end : end;

		if (vma->vm_start >= end)
			break;
		if (a < b)
			memset(out + (a - base) / PAGE_SIZE, model_page_state(a),
			       (b - a) / PAGE_SIZE);
	}
}

static int vref_compare(struct run *r)
{
	uint8_t m[VREF_PAGES];
	uint32_t i;

	model_states(vref.arena, VREF_PAGES, m);
	if (memcmp(m, vref.page, VREF_PAGES) != 0)
		for (i = 0; i < VREF_PAGES; i++)
			if (m[i] != vref.page[i])
				return fail(
				    r, "page 0x%llx: model state 0x%x, reference 0x%x",
				    (unsigned long long)(vref.arena + (uint64_t)i * PAGE_SIZE),
				    m[i], vref.page[i]);
	model_states(vref.start_brk, VREF_HEAP, m);
	if (memcmp(m, vref.heap, VREF_HEAP) != 0)
		for (i = 0; i < VREF_HEAP; i++)
			if (m[i] != vref.heap[i])
				return fail(r, "heap page %u: model state 0x%x, reference 0x%x", i,
					    m[i], vref.heap[i]);
	return 0;
}

/* Take the model's page states as the reference's (after an op whose partial effect the
 * reference does not predict: the states are then checked to be old or new). */
static int vref_resync(struct run *r, uint32_t first, uint32_t n, uint8_t newst)
{
	uint32_t i;

	for (i = first; i < first + n && i < VREF_PAGES; i++) {
		uint8_t m = model_page_state(vref.arena + (uint64_t)i * PAGE_SIZE);
		uint8_t want = (uint8_t)((vref.page[i] & ~VREF_PROT) | (newst & VREF_PROT));

		if (m != vref.page[i] && !(vref.page[i] != 0 && m == want))
			return fail(r, "page %u after a failed op: 0x%x is neither 0x%x nor 0x%x",
				    i, m, vref.page[i], want);
		vref.page[i] = m;
	}
	return 0;
}

/* Does [first, first + n) of the arena hold only unmapped pages? */
static bool vref_free(uint32_t first, uint32_t n)
{
	uint32_t i;

	for (i = first; i < first + n; i++)
		if (vref.page[i] != 0)
			return false;
	return true;
}

static bool vref_has_growsdown(void)
{
	uint32_t i;

	for (i = 0; i < VREF_PAGES; i++)
		if ((vref.page[i] & VREF_GROWSDOWN) != 0)
			return true;
	return false;
}

/* Where a hint-less mmap of n pages goes: the highest free run of the arena (whose top
 * is the [vvar] mapping, under mmap_base), or VREF_PAGES when none. */
static uint32_t vref_topdown(uint32_t n)
{
	uint32_t top = VREF_PAGES, run = 0;

	while (top > 0) {
		if (vref.page[top - 1] == 0) {
			run++;
			if (run == n)
				return top - 1;
		} else {
			run = 0;
		}
		top--;
	}
	return VREF_PAGES;
}

static struct mm_result vma_apply(struct run *r, struct mm_op *op)
{
	struct mm_result res = apply(r, op);

	emit_op(r, NULL, op, &res);
	return res;
}

/* mmap at page first (fixed / noreplace / hint) or hint-less. */
static int vma_mmap_op(struct run *r, uint8_t k, uint32_t first, uint32_t n, uint8_t p)
{
	struct mm_op op = {0};
	struct mm_result res;
	uint32_t prot = p & 7, kind = k % 4, expect_at;
	uint32_t flags = MAP_ANONYMOUS | ((p & 8) != 0 ? MAP_SHARED : MAP_PRIVATE);
	bool growsdown = (p & 16) != 0 && (flags & MAP_TYPE) == MAP_PRIVATE;

	if (growsdown)
		flags |= MAP_GROWSDOWN;
	if ((p & 32) != 0)
		flags |= MAP_POPULATE;
	if (first + n > VREF_PAGES)
		n = VREF_PAGES - first;
	op.kind = OP_MMAP;
	op.prot = prot;
	op.b = (uint64_t)n * PAGE_SIZE;
	if (kind == 0 || kind == 1) { /* MAP_FIXED, MAP_FIXED_NOREPLACE */
		bool noreplace = kind == 1;

		op.mflags = flags | (noreplace ? MAP_FIXED_NOREPLACE : MAP_FIXED);
		op.a = vref.arena + (uint64_t)first * PAGE_SIZE;
		if ((p & 64) != 0 && (p & 128) != 0)
			op.a += 8; /* unaligned */
		res = vma_apply(r, &op);
		if (res.kind == RES_ERROR && res.err == -ENOMEM && vref.tight)
			return vref_compare(r); /* map_count: nothing may have changed */
		if (op.a % PAGE_SIZE != 0)
			return res.kind == RES_ERROR && res.err == -EINVAL
				   ? 0
				   : fail(r, "unaligned MAP_FIXED did not give -EINVAL");
		if (noreplace && !vref_free(first, n))
			return res.kind == RES_ERROR && res.err == -EEXIST
				   ? 0
				   : fail(r, "MAP_FIXED_NOREPLACE over a mapping: no -EEXIST");
		if (res.kind != RES_ADDR || res.value != op.a)
			return fail(r, "MAP_FIXED at 0x%llx did not map there",
				    (unsigned long long)op.a);
		expect_at = first;
	} else { /* a hint at first (kind 2) or none (kind 3) */
		uint32_t at;

		if (n > 64)
			n = 1 + n % 64; /* below PMD_SIZE: no THP alignment */
		op.b = (uint64_t)n * PAGE_SIZE;
		op.mflags = flags;
		op.a = kind == 2 ? vref.arena + (uint64_t)first * PAGE_SIZE : 0;
		at = kind == 2 && first + n <= VREF_PAGES && vref_free(first, n) &&
			     (first + n == VREF_PAGES || vref.page[first + n] == 0 ||
			      (vref.page[first + n] & VREF_GROWSDOWN) == 0)
			 ? first
			 : vref_topdown(n);
		if (at == VREF_PAGES)
			return 0; /* the arena is full: the mapping would land outside it */
		if (kind == 2 && at == first && vref_has_growsdown())
			return 0; /* a guard gap further up may refuse the hint */
		res = vma_apply(r, &op);
		if (res.kind == RES_ERROR && res.err == -ENOMEM && vref.tight)
			return vref_compare(r);
		if (res.kind != RES_ADDR)
			return fail(r, "mmap with room failed");
		if (vref_has_growsdown()) {
			/* Guard gaps move it, maybe below the arena: only "somewhere free". */
			uint64_t lo = res.value, hi = res.value + op.b;
			uint64_t arena_end = vref.arena + (uint64_t)VREF_PAGES * PAGE_SIZE;
			uint32_t a0, a1;

			if (hi > arena_end || lo % PAGE_SIZE != 0)
				return fail(r,
					    "mmap result 0x%llx is not below the special mappings",
					    (unsigned long long)res.value);
			if (hi <= vref.arena)
				return vref_compare(r); /* below the arena: not tracked */
			a0 = lo < vref.arena ? 0 : (uint32_t)((lo - vref.arena) / PAGE_SIZE);
			a1 = (uint32_t)((hi - vref.arena) / PAGE_SIZE);
			if (!vref_free(a0, a1 - a0))
				return fail(r, "mmap result 0x%llx overlaps a mapping",
					    (unsigned long long)res.value);
			memset(&vref.page[a0], vref_state_of(prot, flags), a1 - a0);
			return vref_compare(r);
		} else {
			if (res.value != vref.arena + (uint64_t)at * PAGE_SIZE)
				return fail(
				    r, "mmap placed at 0x%llx, the reference says 0x%llx",
				    (unsigned long long)res.value,
				    (unsigned long long)(vref.arena + (uint64_t)at * PAGE_SIZE));
			expect_at = at;
		}
	}
	memset(&vref.page[expect_at], vref_state_of(prot, flags), n);
	return vref_compare(r);
}

static int vma_munmap_op(struct run *r, uint32_t first, uint32_t n, uint8_t p)
{
	struct mm_op op = {0};
	struct mm_result res;

	if (first + n > VREF_PAGES)
		n = VREF_PAGES - first;
	op.kind = OP_MUNMAP;
	op.a = vref.arena + (uint64_t)first * PAGE_SIZE;
	op.b = (uint64_t)n * PAGE_SIZE - ((p & 1) != 0 ? 100 : 0); /* rounded up */
	if ((p & 6) == 6)
		op.b = 0;
	res = vma_apply(r, &op);
	if (op.b == 0)
		return res.kind == RES_ERROR && res.err == -EINVAL
			   ? 0
			   : fail(r, "munmap of length 0 did not give -EINVAL");
	if (res.kind == RES_ERROR && res.err == -ENOMEM && vref.tight)
		return vref_compare(r);
	if (res.kind != RES_OK)
		return fail(r, "munmap failed");
	memset(&vref.page[first], 0, n);
	return vref_compare(r);
}

/*
 * mprotect: -ENOMEM with nothing changed when the first page is unmapped; otherwise the
 * pages up to the first hole change and a hole gives -ENOMEM (Linux's partial effect).
 */
static int vma_mprotect_op(struct run *r, uint32_t first, uint32_t n, uint8_t p)
{
	struct mm_op op = {0};
	struct mm_result res;
	uint32_t i, done = 0;
	bool hole = false;

	if (first + n > VREF_PAGES)
		n = VREF_PAGES - first;
	op.kind = OP_MPROTECT;
	op.a = vref.arena + (uint64_t)first * PAGE_SIZE;
	op.b = (uint64_t)n * PAGE_SIZE;
	op.prot = p & 7;
	res = vma_apply(r, &op);
	for (i = first; i < first + n; i++) {
		if (vref.page[i] == 0) {
			hole = true;
			break;
		}
		done++;
	}
	if (res.kind == RES_ERROR && res.err == -ENOMEM && vref.tight)
		return vref_resync(r, first, done, (uint8_t)op.prot) || vref_compare(r);
	if (hole != (res.kind == RES_ERROR && res.err == -ENOMEM))
		return fail(r, "mprotect: hole %d but result %s", hole,
			    res.kind == RES_OK ? "ok" : names_err_name(res.err));
	if (!hole && res.kind != RES_OK)
		return fail(r, "mprotect failed without a hole");
	for (i = first; i < first + done; i++)
		vref.page[i] = (uint8_t)((vref.page[i] & ~VREF_PROT) | op.prot);
	return vref_compare(r);
}

/* brk inside the heap window: succeeds (nothing else is mapped there) unless
 * vm.max_map_count was lowered. */
static int vma_brk_op(struct run *r, uint16_t arg)
{
	struct mm_op op = {0};
	struct mm_result res;
	uint64_t want = vref.start_brk + (uint64_t)(arg % (VREF_HEAP * 16)) * (PAGE_SIZE / 16);
	uint64_t end = (want + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
	uint32_t i;

	op.kind = OP_BRK;
	op.a = want;
	res = vma_apply(r, &op);
	if (vref.tight && res.kind == RES_ADDR && res.value == vref.brk)
		return vref_compare(r); /* map_count > max_map_count: refused, unchanged */
	if (res.kind != RES_ADDR || res.value != want)
		return fail(r, "brk(0x%llx) gave 0x%llx", (unsigned long long)want,
			    (unsigned long long)res.value);
	for (i = 0; i < VREF_HEAP; i++)
		vref.heap[i] = vref.start_brk + (uint64_t)i * PAGE_SIZE < end
				   ? (uint8_t)(VREF_MAPPED | PROT_READ | PROT_WRITE)
				   : 0;
	vref.brk = want;
	return vref_compare(r);
}

int fuzz_vma_run(const uint8_t *data, size_t size, FILE *out)
{
	struct fuzz_bytes b = {data, size};
	struct run r = {out, 0, false};
	struct mm_op op = {0};
	struct mm_result res;
	unsigned int step = 0;
	uint8_t mode;

	if (machine_init(&fuzz_m, fuzz_mem, fuzz_pages, 512) != 0)
		return fail(&r, "machine_init refused");
	emit(&r, "ram 2M\n");
	memset(&vref, 0, sizeof(vref));
	op.kind = OP_PROCESS;
	strcpy(op.name, "p");
	res = vma_apply(&r, &op);
	if (res.kind != RES_OK)
		return fail(&r, "process creation failed");
	{
		struct mm_struct *mm = machine_current_mm(&fuzz_m);
		uint32_t heap = find_vma(&fuzz_m.vmas, &mm->vmas, mm->start_brk);
		uint64_t top = mm->mmap_base;
		uint32_t id;

		/* The arena ends where the special mappings under mmap_base begin. */
		for (;;) {
			id = find_vma(&fuzz_m.vmas, &mm->vmas, top - 1);
			if (id == VMA_NONE || fuzz_m.vmas.vma[id].vm_start >= top)
				break;
			top = fuzz_m.vmas.vma[id].vm_start;
		}
		vref.arena = top - (uint64_t)VREF_PAGES * PAGE_SIZE;
		vref.start_brk = mm->start_brk;
		vref.brk = mm->brk;
		if (heap != VMA_NONE &&
		    fuzz_m.vmas.vma[heap].vm_start < vref.start_brk + VREF_HEAP * PAGE_SIZE)
			return fail(&r, "the default layout maps something above start_brk");
	}
	mode = fuzz_next8(&b);
	if (mode % 8 == 0) {
		op.kind = OP_SYSCTL;
		op.flags = SYSCTL_MAX_MAP_COUNT;
		op.a = machine_current_mm(&fuzz_m)->map_count + 1 + mode / 8 % 8;
		vref.tight = true;
		(void)vma_apply(&r, &op);
	}
	if (vref_compare(&r) != 0)
		return 1;
	while (b.n > 0 && r.nr_ops < (int)FUZZ_MAX_OPS) {
		uint8_t k = fuzz_next8(&b);
		uint16_t at = fuzz_next16(&b);
		uint8_t len = fuzz_next8(&b), p = fuzz_next8(&b);
		uint32_t first = at % VREF_PAGES, n = 1 + (len % 8 == 0 ? len : len % 16);
		int err;

		switch (k % 8) {
		case 0:
		case 1:
		case 2:
			err = vma_mmap_op(&r, k / 8, first, n, p);
			break;
		case 3:
		case 4:
			err = vma_munmap_op(&r, first, n, p);
			break;
		case 5:
		case 6:
			err = vma_mprotect_op(&r, first, n, p);
			break;
		default:
			err = vma_brk_op(&r, at);
			break;
		}
		if (err != 0 || (validate_due(++step) && check_mm_valid(&r) != 0))
			return 1;
	}
	return check_valid(&r);
}

/* fuzz_mm ---------------------------------------------------------------------------- */

/* What a touch of addr must end in, from the VMA set alone (no paging involved):
 * 1 done, 2 SIGSEGV, 0 either (stack growth, OOM). */
static int mm_expected(struct mm_struct *mm, uint64_t addr, enum access_type t)
{
	uint32_t id = find_vma(&fuzz_m.vmas, &mm->vmas, addr);
	const struct vm_area_struct *vma;

	if (id == VMA_NONE)
		return 2;
	vma = &fuzz_m.vmas.vma[id];
	if (vma->vm_start > addr)
		return (vma->vm_flags & VM_GROWSDOWN) != 0 ? 0 : 2;
	if (t == ACCESS_WRITE)
		return (vma->vm_flags & VM_WRITE) != 0 ? 1 : 2;
	if (t == ACCESS_FETCH)
		return (vma->vm_flags & VM_EXEC) != 0 ? 1 : 2;
	return (vma->vm_flags & VM_ACCESS_FLAGS) != 0 ? 1 : 2;
}

static int mm_touch_op(struct run *r, struct mm_op *op)
{
	struct mm_struct *mm = machine_current_mm(&fuzz_m);
	struct mm_result res;
	uint64_t addr = op->a;
	enum access_type t = (enum access_type)op->flags;
	int want = mm_expected(mm, addr, t);
	const struct fault_step *last;

	res = vma_apply(r, op);
	if (res.kind != RES_TOUCH)
		return fail(r, "touch did not give a touch result");
	last = res.touch.nr_steps > 0 ? &res.touch.step[res.touch.nr_steps - 1] : NULL;
	if (last != NULL && last->action == FAULT_OOM)
		return 0; /* an allowed end on a small machine */
	if (want == 1 && !res.touch.done)
		return fail(r, "touch 0x%llx (%d) should complete", (unsigned long long)addr, t);
	if (want == 2 && (last == NULL || last->action != FAULT_SIGSEGV))
		return fail(r, "touch 0x%llx (%d) should give SIGSEGV", (unsigned long long)addr,
			    t);
	if (res.touch.nr_steps > 2)
		return fail(r, "touch 0x%llx took %u faults", (unsigned long long)addr,
			    res.touch.nr_steps);
	return 0;
}

static int check_mm_all(struct run *r)
{
	struct validate_result v = machine_validate(&fuzz_m);

	return v.ok ? 0 : fail(r, "validator: %s at %u", v.what, v.where);
}

const char *const fuzz_mm_procs[2] = {"a", "b"};

uint64_t fuzz_mm_arena(struct machine *m)
{
	struct mm_struct *mm = machine_current_mm(m);
	uint64_t top = mm->mmap_base;
	uint32_t id;

	for (;;) {
		id = find_vma(&m->vmas, &mm->vmas, top - 1);
		if (id == VMA_NONE || m->vmas.vma[id].vm_start >= top)
			break;
		top = m->vmas.vma[id].vm_start;
	}
	return top - (uint64_t)FUZZ_MM_ARENA_PAGES * PAGE_SIZE;
}

struct fuzz_mm_ctx fuzz_mm_ctx(struct machine *m, const uint64_t arena[2])
{
	struct mm_struct *mm = machine_current_mm(m);
	struct fuzz_mm_ctx c = {m->current, arena[m->current], mm->start_brk, mm->start_stack};

	return c;
}

/* A user touch of addr; the access type from the op's last byte. */
static struct mm_op mm_touch(uint64_t addr, uint8_t p)
{
	struct mm_op op = {0};

	op.kind = OP_TOUCH;
	op.a = addr;
	op.flags = p % 3;
	op.mflags = TOUCH_USER;
	return op;
}

struct mm_op fuzz_mm_decode_op(const uint8_t bytes[4], const struct fuzz_mm_ctx *c)
{
	const uint8_t k = bytes[0], at = bytes[1], len = bytes[2], p = bytes[3];
	const uint64_t addr = c->arena + (uint64_t)(at % FUZZ_MM_ARENA_PAGES) * PAGE_SIZE;
	const uint64_t n = 1 + len % 8;
	struct mm_op op = {0};

	switch (k % 10) {
	case 0:
	case 1: /* mmap */
		op.kind = OP_MMAP;
		op.a = (p & 0x40) != 0 ? 0 : addr;
		op.b = n * PAGE_SIZE;
		op.prot = p % 8;
		op.mflags = MAP_ANONYMOUS | ((p & 8) != 0 ? MAP_SHARED : MAP_PRIVATE) |
			    ((p & 0x40) != 0 ? 0 : MAP_FIXED) |
			    ((p & 0x10) != 0 ? MAP_POPULATE : 0);
		return op;
	case 2: /* munmap */
		op.kind = OP_MUNMAP;
		op.a = addr;
		op.b = n * PAGE_SIZE;
		return op;
	case 3: /* mprotect */
		op.kind = OP_MPROTECT;
		op.a = addr;
		op.b = n * PAGE_SIZE;
		op.prot = p % 8;
		return op;
	case 4: /* brk */
		op.kind = OP_BRK;
		op.a = c->start_brk + (uint64_t)(p % 32) * PAGE_SIZE + at;
		return op;
	case 5: /* a touch in the heap */
		return mm_touch(c->start_brk + (uint64_t)(at % 32) * PAGE_SIZE, p);
	case 6: /* a touch around the stack (growth) */
		return mm_touch(c->start_stack - 0x21000 - (uint64_t)at * PAGE_SIZE, p);
	case 9: /* the other process */
		op.kind = OP_SWITCH;
		strcpy(op.name, fuzz_mm_procs[1 - c->current]);
		return op;
	default: /* a touch in the arena */
		return mm_touch(addr + (p & 0x38), p);
	}
}

int fuzz_mm_run(const uint8_t *data, size_t size, FILE *out)
{
	struct fuzz_bytes b = {data, size};
	struct run r = {out, 0, false};
	struct mm_op op = {0};
	struct mm_result res;
	uint32_t base_free, pages = 512u + 256u * (fuzz_next8(&b) % 4), i;
	uint64_t arena[2];

	if (machine_init(&fuzz_m, fuzz_mem, fuzz_pages, pages) != 0 || machine_boot(&fuzz_m) != 0 ||
	    paging_init(&fuzz_m.env) != 0)
		return fail(&r, "machine set-up failed");
	emit(&r, "ram %uK\n", pages * 4);
	/* The baseline: after one process came and went (the vm_area_struct cache and the
	 * kernel's page tables then exist for good). */
	op.kind = OP_PROCESS;
	strcpy(op.name, "warmup");
	(void)vma_apply(&r, &op);
	op.kind = OP_EXIT;
	(void)vma_apply(&r, &op);
	op.kind = OP_KMEM_CACHE_SHRINK;
	strcpy(op.name, "vm_area_struct");
	(void)vma_apply(&r, &op);
	base_free = nr_free_pages(&fuzz_m.phys);
	for (i = 0; i < 2; i++) {
		op.kind = OP_PROCESS;
		strcpy(op.name, fuzz_mm_procs[i]);
		res = vma_apply(&r, &op);
		if (res.kind != RES_OK)
			return fail(&r, "process creation failed");
		arena[i] = fuzz_mm_arena(&fuzz_m);
	}
	while (b.n > 0 && r.nr_ops < (int)FUZZ_MM_MAX_OPS) {
		struct fuzz_mm_ctx c = fuzz_mm_ctx(&fuzz_m, arena);
		uint8_t bytes[4];
		int err = 0;

		for (i = 0; i < 4; i++)
			bytes[i] = fuzz_next8(&b);
		op = fuzz_mm_decode_op(bytes, &c);
		if (op.kind == OP_TOUCH)
			err = mm_touch_op(&r, &op);
		else
			(void)vma_apply(&r, &op);
		if (err != 0 || check_mm_valid(&r) != 0)
			return 1;
	}
	if (check_mm_all(&r) != 0)
		return 1;
	/* Exit both: every page, table and descriptor comes back. */
	memset(&op, 0, sizeof(op));
	for (i = 0; i < 2; i++) {
		op.kind = OP_EXIT;
		strcpy(op.name, fuzz_mm_procs[i]);
		(void)vma_apply(&r, &op);
	}
	op.kind = OP_KMEM_CACHE_SHRINK;
	strcpy(op.name, "vm_area_struct");
	(void)vma_apply(&r, &op);
	if (nr_free_pages(&fuzz_m.phys) != base_free)
		return fail(&r, "leak: %u free pages after exit, %u before the processes",
			    nr_free_pages(&fuzz_m.phys), base_free);
	return check_valid(&r);
}

int decode_fuzz_input(const char *fuzzer, const uint8_t *data, size_t size, FILE *out)
{
	if (strncmp(fuzzer, "fuzz_", 5) == 0)
		fuzzer += 5;
	if (strcmp(fuzzer, "buddy") != 0 && strcmp(fuzzer, "slab") != 0 &&
	    strcmp(fuzzer, "vma") != 0 && strcmp(fuzzer, "mm") != 0)
		return -1;
	fprintf(out, "# decoded from a fuzz_%s input of %zu bytes\n", fuzzer, size);
	if (strcmp(fuzzer, "buddy") == 0)
		return fuzz_buddy_run(data, size, out);
	if (strcmp(fuzzer, "vma") == 0)
		return fuzz_vma_run(data, size, out);
	if (strcmp(fuzzer, "mm") == 0)
		return fuzz_mm_run(data, size, out);
	return fuzz_slab_run(data, size, out);
}
