/* SPDX-License-Identifier: MIT */
/*
 * vmalloc.c - vmalloc() and vfree(). See vmalloc.h.
 */
#include "vmalloc.h"

#define PAGE_KERNEL                                                                                \
	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL | _PAGE_NX)

void vmap_init(struct vmap_state *v)
{
	v->nr = 0;
}

/* The PTE for the kernel address va, allocating the tables under the preallocated one
 * (PUD with 4 levels, P4D with 5); NULL when a table cannot be had. */
static uint64_t *kernel_pte(struct mm_env *e, uint64_t va, bool alloc)
{
	uint64_t *t = &e->phys->mem[(uint64_t)e->kernel_pgd * PAGE_SIZE / 8];
	uint32_t level;

	for (level = pgtable_levels(e); level > PT_PTE; level--) {
		uint64_t *x = &t[(va >> (12 + 9 * (level - 1))) % 512];

		if ((*x & _PAGE_PRESENT) == 0) {
			uint32_t n;

			if (!alloc)
				return 0;
			n = alloc_pages(e->phys, GFP_KERNEL | __GFP_ZERO, 0);
			if (n == PFN_NONE)
				return 0;
			*x = (uint64_t)n * PAGE_SIZE | _KERNPG_TABLE;
		}
		t = &e->phys->mem[(*x & PTE_PFN_MASK_52) / 8];
	}
	return &t[(va >> 12) % 512];
}

/* Unmap and free the pages of [start, end). */
static void unmap_free(struct mm_env *e, uint64_t start, uint64_t end)
{
	uint64_t va;

	for (va = start; va < end; va += PAGE_SIZE) {
		uint64_t *pte = kernel_pte(e, va, false);

		if (pte == 0 || (*pte & _PAGE_PRESENT) == 0)
			continue;
		(void)free_pages_inner(e->phys, (uint32_t)((*pte & PTE_PFN_MASK_52) / PAGE_SIZE),
				       0);
		*pte = 0;
	}
}

uint64_t vmalloc(struct mm_env *e, struct vmap_state *v, uint64_t size)
{
	uint64_t start = vmalloc_base(e), end = vmalloc_base(e) + VMALLOC_SIZE, len, va;
	uint32_t i, at;

	if (size == 0 || size > VMALLOC_SIZE - PAGE_SIZE || v->nr >= VMAP_MAX_AREAS ||
	    paging_init(e) != 0)
		return 0;
	len = (size + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
	/* alloc_vmap_area(): the lowest gap for len plus the guard page */
	for (at = 0; at < v->nr; at++) {
		if (v->area[at].va_start >= start + len + PAGE_SIZE)
			break;
		start = v->area[at].va_end + PAGE_SIZE;
	}
	if (start + len + PAGE_SIZE > end)
		return 0;
	for (va = start; va < start + len; va += PAGE_SIZE) {
		uint64_t *pte = kernel_pte(e, va, true);
		uint32_t pfn =
		    pte == 0 ? PFN_NONE : alloc_pages(e->phys, GFP_KERNEL | __GFP_HIGHMEM, 0);

		if (pfn == PFN_NONE) {
			unmap_free(e, start, va);
			return 0;
		}
		*pte = (uint64_t)pfn * PAGE_SIZE | PAGE_KERNEL;
	}
	for (i = v->nr; i > at; i--)
		v->area[i] = v->area[i - 1];
	v->area[at].va_start = start;
	v->area[at].va_end = start + len;
	v->nr++;
	return start;
}

int vfree(struct mm_env *e, struct vmap_state *v, uint64_t addr)
{
	uint32_t i;

	for (i = 0; i < v->nr; i++) {
		if (v->area[i].va_start != addr)
			continue;
		unmap_free(e, v->area[i].va_start, v->area[i].va_end);
		for (; i + 1 < v->nr; i++)
			v->area[i] = v->area[i + 1];
		v->nr--;
		return 0;
	}
	return -MERR_FOREIGN;
}
