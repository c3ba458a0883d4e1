/* SPDX-License-Identifier: MIT */
/*
 * vmalloc.h - virtually contiguous kernel memory from scattered frames (mm/vmalloc.c):
 * vmalloc() and vfree() in the vmalloc area of the kernel half that every process shares.
 *
 * How it works
 * ------------
 * An allocation takes order-0 frames one by one from the buddy allocator, finds the
 * lowest free range of the vmalloc area that holds them plus one guard page (as
 * alloc_vmap_area() does, first fit from VMALLOC_START), and maps them with PAGE_KERNEL
 * entries (present, writable, NX, global, accessed, dirty) in init_mm's tables. The
 * guard page stays unmapped: touching it faults. vfree() unmaps and frees the frames; the
 * page tables stay (as Linux keeps them). The model's area is the first 512 GiB of
 * Linux's, from vmalloc_base() (0xffffc90000000000 with 4-level paging, 0xffa0000000000000
 * with 5-level): one PGD slot, whose next-level table (a PUD page with 4 levels, a P4D
 * page with 5) is allocated with the kernel's tables, so every process sees every
 * mapping -- Linux preallocates that level (preallocate_vmalloc_pages()) for the same
 * reason. The tables below it come as vmalloc() needs them.
 */
#ifndef MMREF_VMALLOC_H
#define MMREF_VMALLOC_H

#include "fault.h"

#define VMALLOC_SIZE   (512ull << 30) /* the model's part, from vmalloc_base() (fault.h) */
#define VMAP_MAX_AREAS 1024u

struct vmap_area {
	uint64_t va_start; /* first mapped byte */
	uint64_t va_end;   /* end of the mapping, guard page excluded */
};

struct vmap_state {
	uint32_t nr; /* areas, sorted by address */
	struct vmap_area area[VMAP_MAX_AREAS];
};

/** vmap_init() - no areas. */
void vmap_init(struct vmap_state *v);

/**
 * vmalloc() - size bytes (rounded up to pages) mapped contiguously in the vmalloc area.
 * Returns the address, or 0 (NULL) when size is 0, too large, or frames, page tables or
 * area slots are missing -- nothing is then held.
 */
uint64_t vmalloc(struct mm_env *e, struct vmap_state *v, uint64_t size);

/**
 * vfree() - give back what vmalloc() returned at addr. Returns 0, or -MERR_FOREIGN when
 * addr is not the start of a vmalloc area (Linux warns and does nothing).
 */
int vfree(struct mm_env *e, struct vmap_state *v, uint64_t addr);

#endif /* MMREF_VMALLOC_H */
