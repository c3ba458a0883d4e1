/* SPDX-License-Identifier: MIT */
/*
 * mm_types.h - the vocabulary every model file shares: page geometry, the linear map,
 * gfp flags, Linux errno values, the model's own error codes and struct page.
 *
 * How it works
 * ------------
 * The model is freestanding: it includes only <stdint.h>, <stddef.h> and <stdbool.h>,
 * allocates nothing, and keeps all of its state in structs the caller hands it. Physical
 * memory is one contiguous byte array (the frames) plus one struct page per frame (the
 * metadata, Linux's mem_map). Frame numbers (pfn) are 32-bit indexes into both arrays.
 *
 * Results follow Linux: an errno is returned negated (-ENOMEM). Where Linux would hit a
 * BUG or a "Bad page state" report (freeing a page that is not allocated, a double
 * kfree), the model returns one of its own codes (-MERR_*), leaves every byte of its
 * state as it was, and carries on. The model never aborts.
 */
#ifndef MMREF_MM_TYPES_H
#define MMREF_MM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Page geometry, x86-64. */
#define PAGE_SHIFT     12
#define PAGE_SIZE      4096u
#define PAGE_WORDS     512u /* 8-byte words in a page: the frames are a uint64_t array */
#define MAX_PAGE_ORDER 10   /* orders 0..10, as Linux >= 6.4 names it */
#define NR_PAGE_ORDERS 11

/* The direct (linear) map of all RAM: x86-64, 4-level paging, no KASLR. */
#define PAGE_OFFSET 0xffff888000000000ull
/* The kernel image's mapping (arch/x86/include/asm/page_64_types.h): _text is at
 * __START_KERNEL_map + CONFIG_PHYSICAL_START (16 MiB), whatever its physical address. */
#define __START_KERNEL_map 0xffffffff80000000ull
#define KERNEL_TEXT_START  0xffffffff81000000ull

/* Simulated RAM: from 1 MiB (256 frames) up to 16 GiB. */
#define PHYS_MIN_PAGES 256u
#define PHYS_MAX_PAGES (4u * 1024u * 1024u)

/* "No frame": the null struct page pointer of the model. */
#define PFN_NONE 0xffffffffu

/* Linux errno values the model returns (negated). */
#define EPERM  1
#define ENOENT 2
#define E2BIG  7
#define ENOMEM 12
#define EBADF  9
#define EAGAIN 11
#define EACCES 13
#define EFAULT 14
#define EBUSY  16
#define EEXIST 17
#define EINVAL 22
#define ENOSPC 28

/*
 * The model's own errors: what Linux answers with BUG(), WARN() or a "Bad page state"
 * report instead of an errno. Returned negated, like errnos, above the errno range.
 */
enum model_err {
	MERR_BASE = 1000,
	MERR_NOT_ALLOCATED, /* free of a frame the allocator did not hand out */
	MERR_WRONG_ORDER,   /* free with an order other than the allocation's */
	MERR_MISALIGNED,    /* address not at the start of a page / an object */
	MERR_RESERVED,	    /* a boot-reserved frame */
	MERR_OUT_OF_RANGE,  /* address outside RAM or outside the linear map */
	MERR_DOUBLE_FREE,   /* object or page already free */
	MERR_FOREIGN,	    /* pointer not from this allocator */
	MERR_WRONG_CACHE,   /* kmem_cache_free with another cache's object */
	MERR_BUSY,	    /* kmem_cache_destroy with objects still allocated */
	MERR_CORRUPT,	    /* in-memory metadata (a slab free pointer) was overwritten */
	MERR_BOOTED,	    /* boot-time configuration after boot */
	MERR_NOT_BOOTED,    /* allocation before boot */
	MERR_NO_SLOT,	    /* a fixed model pool (caches, reservations) is full */
	MERR_NOT_FOUND,	    /* no cache of that name */
	MERR_PERMANENT,	    /* the kmalloc caches cannot be destroyed */
	MERR_LIMIT,	    /* a model limit, such as a refcount at its maximum */
	MERR_UNSUPPORTED,   /* a Linux feature the model does not have (MAP_HUGETLB) */
	MERR_NO_PROCESS,    /* an address-space operation before any `process` */
	MERR_END
};

/* gfp flags: Linux's names; the bit values are the model's own. */
typedef uint32_t gfp_t;
#define __GFP_DMA	0x0001u
#define __GFP_HIGHMEM	0x0002u
#define __GFP_DMA32	0x0004u
#define __GFP_MOVABLE	0x0008u
#define __GFP_RECLAIM	0x0010u
#define __GFP_IO	0x0020u
#define __GFP_FS	0x0040u
#define __GFP_HIGH	0x0080u
#define __GFP_ZERO	0x0100u
#define __GFP_COMP	0x0200u
#define __GFP_NOWARN	0x0400u
#define __GFP_ACCOUNT	0x0800u
#define GFP_ATOMIC	(__GFP_HIGH)
#define GFP_NOWAIT	0x0000u
#define GFP_KERNEL	(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_USER	(GFP_KERNEL)
#define GFP_DMA		(__GFP_DMA)
#define GFP_HIGHUSER	(GFP_USER | __GFP_HIGHMEM)
#define GFP_MODEL_VALID 0x0fffu

/*
 * struct page - what the model knows about one 4 KiB frame. 16 bytes.
 *
 * Like Linux's struct page, some fields mean different things for different kinds of
 * page; the flags say which kind a page is:
 *
 *   kind                    flags                next            prev
 *   free block head         PG_buddy             free-list link  free-list link
 *   inside a free block     0                    -               -
 *   reserved at boot        PG_reserved          -               -
 *   allocated block head    PG_head [+PG_slab]   slab: partial   slab: freelist
 *                                                list link       and inuse (below)
 *   inside an allocated     PG_tail              pfn of the head -
 *   __GFP_COMP block
 *   inside another          0                    -               -
 *   allocated block
 *
 * order is the block's order for PG_buddy and PG_head pages. refcount is _refcount: 0
 * for free frames, 1 once allocated. slab_cache is the owning cache's id for PG_slab.
 * For a slab the 32-bit prev holds SLUB's counters: the index of the first free object
 * (low 16 bits; SLAB_FREELIST_END when none) and the objects in use (high 16 bits).
 */
struct page {
	uint32_t next;
	uint32_t prev;
	uint16_t flags;
	uint16_t refcount;
	uint8_t order;
	uint8_t reserved_byte; /* always 0 */
	uint16_t slab_cache;
};

#define PG_reserved	 0x0001u
#define PG_buddy	 0x0002u
#define PG_head		 0x0004u
#define PG_tail		 0x0008u
#define PG_slab		 0x0010u
#define PG_large_kmalloc 0x0020u
#define PG_compound	 0x0040u /* head of a __GFP_COMP block: its tails carry PG_tail */

#endif /* MMREF_MM_TYPES_H */
