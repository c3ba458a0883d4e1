/* SPDX-License-Identifier: MIT */
/*
 * machine.c - one entry point over the whole model. See machine.h.
 */
#include "machine.h"

int machine_init(struct machine *m, uint64_t *mem, struct page *pages, uint32_t nr_pages)
{
	m->nr_cpus = MACHINE_DEFAULT_CPUS;
	return phys_init(&m->phys, mem, pages, nr_pages);
}

int machine_boot(struct machine *m)
{
	int err = mem_init(&m->phys);

	if (err != 0)
		return err;
	return kmem_cache_init(&m->kmem, m->nr_cpus);
}

static struct mm_result res(enum mm_result_kind kind, uint64_t value)
{
	struct mm_result r = {kind, 0, value, 0, 0, 0, 0, 0, 0};

	return r;
}

static struct mm_result res_err(int err)
{
	struct mm_result r = res(RES_ERROR, 0);

	r.err = err;
	return r;
}

/* 0 -> ok, else the error. */
static struct mm_result res_status(int err)
{
	return err == 0 ? res(RES_OK, 0) : res_err(err);
}

/* An address from an allocator: 0 is NULL. */
static struct mm_result res_addr(uint64_t addr)
{
	return addr == 0 ? res(RES_NULL, 0) : res(RES_ADDR, addr);
}

/* An object allocation: -ENOMEM is Linux's NULL; model errors stay errors. */
static struct mm_result res_obj(struct obj_result o)
{
	if (o.err == -ENOMEM)
		return res(RES_NULL, 0);
	return o.err != 0 ? res_err(o.err) : res(RES_ADDR, o.addr);
}

static bool is_boot_op(enum mm_op_kind kind)
{
	return kind == OP_RESERVE || kind == OP_MEMBLOCK_ALLOC || kind == OP_CPUS ||
	       kind == OP_BOOT;
}

static struct mm_result apply_boot_op(struct machine *m, const struct mm_op *op)
{
	if (m->phys.booted)
		return res_err(-MERR_BOOTED);
	switch (op->kind) {
	case OP_RESERVE:
		return res_status(memblock_reserve(&m->phys, op->a, op->b));
	case OP_MEMBLOCK_ALLOC:
		return res_addr(memblock_alloc(&m->phys, op->a, op->b));
	case OP_CPUS:
		if (op->a < 1 || op->a > 4096)
			return res_err(-EINVAL);
		m->nr_cpus = (uint32_t)op->a;
		return res(RES_OK, 0);
	default:
		return res_status(machine_boot(m));
	}
}

static struct mm_result apply_cache_op(struct machine *m, const struct mm_op *op)
{
	struct phys *p = &m->phys;
	int id;

	if (op->kind == OP_KMEM_CACHE_CREATE) {
		struct mm_result r;

		if (op->a > UINT32_MAX || op->b > UINT32_MAX)
			return res_err(-EINVAL);
		id = kmem_cache_create(&m->kmem, op->name, (uint32_t)op->a, (uint32_t)op->b,
				       op->flags);
		if (id < 0)
			return res_err(id);
		r = res(RES_GEOMETRY, 0);
		r.size = m->kmem.caches[id - 1].size;
		r.align = m->kmem.caches[id - 1].align;
		r.order = m->kmem.caches[id - 1].order;
		r.objects = m->kmem.caches[id - 1].objects;
		return r;
	}
	id = kmem_cache_find(&m->kmem, op->name);
	if (id < 0)
		return res_err(id);
	switch (op->kind) {
	case OP_KMEM_CACHE_ALLOC:
		return res_obj(kmem_cache_alloc(p, &m->kmem, id, op->gfp));
	case OP_KMEM_CACHE_FREE:
		return res_status(kmem_cache_free(p, &m->kmem, id, op->a));
	case OP_KMEM_CACHE_SHRINK:
		return res_status(kmem_cache_shrink(p, &m->kmem, id));
	default:
		return res_status(kmem_cache_destroy(p, &m->kmem, id));
	}
}

/* The order argument of the page API: anything above MAX_PAGE_ORDER stays above it. */
static unsigned int order_arg(uint64_t v)
{
	return v > MAX_PAGE_ORDER ? MAX_PAGE_ORDER + 1 : (unsigned int)v;
}

/*
 * A 64-bit access through the linear map: -EFAULT outside RAM, -EINVAL when not 8-byte
 * aligned (the model's memory is an array of words).
 */
static struct mm_result apply_mem_op(struct machine *m, const struct mm_op *op)
{
	uint64_t *word;

	if (!virt_addr_valid(&m->phys, op->a))
		return res_err(-EFAULT);
	if ((op->a - PAGE_OFFSET) % 8 != 0)
		return res_err(-EINVAL);
	word = &m->phys.mem[(op->a - PAGE_OFFSET) / 8];
	if (op->kind == OP_WRITE) {
		*word = op->b;
		return res(RES_OK, 0);
	}
	return res(RES_COUNT, *word);
}

struct validate_result machine_validate(const struct machine *m)
{
	struct validate_result r = buddy_validate(&m->phys);

	if (!r.ok || !m->phys.booted)
		return r;
	return slab_validate(&m->phys, &m->kmem);
}

struct mm_result machine_apply(struct machine *m, const struct mm_op *op)
{
	struct phys *p = &m->phys;
	uint32_t pfn;

	if (is_boot_op(op->kind))
		return apply_boot_op(m, op);
	if (!p->booted) {
		int err = machine_boot(m);

		if (err != 0)
			return res_err(err);
	}
	switch (op->kind) {
	case OP_ALLOC_PAGES:
		pfn = alloc_pages(p, op->gfp, order_arg(op->a));
		return pfn == PFN_NONE ? res(RES_NULL, 0) : res(RES_PFN, pfn);
	case OP_FREE_PAGES_PFN:
		if (op->a >= p->nr_pages)
			return res_err(-MERR_OUT_OF_RANGE);
		return res_status(free_pages_inner(p, (uint32_t)op->a, order_arg(op->b)));
	case OP_GET_FREE_PAGES:
		return res_addr(get_free_pages_inner(p, op->gfp, order_arg(op->a)));
	case OP_GET_ZEROED_PAGE:
		return res_addr(get_zeroed_page(p, op->gfp));
	case OP_GET_DMA_PAGES:
		return res_addr(get_dma_pages_inner(p, op->gfp, order_arg(op->a)));
	case OP_FREE_PAGES:
		return res_status(free_pages(p, op->a, order_arg(op->b)));
	case OP_FREE_PAGE:
		return res_status(free_page(p, op->a));
	case OP_NR_FREE_PAGES:
		return res(RES_COUNT, nr_free_pages(p));
	case OP_KMEM_CACHE_CREATE:
	case OP_KMEM_CACHE_ALLOC:
	case OP_KMEM_CACHE_FREE:
	case OP_KMEM_CACHE_SHRINK:
	case OP_KMEM_CACHE_DESTROY:
		return apply_cache_op(m, op);
	case OP_KMALLOC:
		return res_obj(kmalloc(p, &m->kmem, op->a, op->gfp));
	case OP_KZALLOC:
		return res_obj(kzalloc(p, &m->kmem, op->a, op->gfp));
	case OP_KFREE:
		return res_status(kfree(p, &m->kmem, op->a));
	case OP_KSIZE: {
		struct obj_result o = ksize(p, &m->kmem, op->a);

		return o.err != 0 ? res_err(o.err) : res(RES_COUNT, o.addr);
	}
	case OP_PA:
		return virt_addr_valid(p, op->a) ? res(RES_ADDR, virt_to_phys(op->a))
						 : res_err(-MERR_OUT_OF_RANGE);
	case OP_VA:
		return op->a < (uint64_t)p->nr_pages * PAGE_SIZE
			   ? res(RES_ADDR, phys_to_virt(op->a))
			   : res_err(-MERR_OUT_OF_RANGE);
	case OP_WRITE:
	case OP_READ:
		return apply_mem_op(m, op);
	case OP_VALIDATE: {
		struct validate_result v = machine_validate(m);
		struct mm_result r = res(RES_OK, 0);

		if (!v.ok) {
			r = res_err(-MERR_CORRUPT);
			r.what = v.what;
			r.where = v.where;
		}
		return r;
	}
	default: /* OP_BUDDYINFO, OP_SLABINFO: the harness prints the state */
		return res(RES_OK, 0);
	}
}
