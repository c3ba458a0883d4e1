/* SPDX-License-Identifier: MIT */
/*
 * machine.h - the whole modelled system behind one entry point: machine_apply() takes
 * one operation (what a trace line or a fuzzer byte sequence says) and returns its
 * result. Traces, fuzzers, tests and benchmarks all drive the model through it.
 *
 * How it works
 * ------------
 * A machine starts unbooted: boot-time operations (reserve, memblock_alloc, cpus) shape
 * memory. The first other operation boots it -- mem_init() gives all unreserved frames
 * to the buddy allocator, kmem_cache_init() creates the kmalloc caches -- exactly once.
 * Every operation either succeeds or returns an error and leaves the machine as it was.
 */
#ifndef MMREF_MACHINE_H
#define MMREF_MACHINE_H

#include "vmalloc.h"

#define MACHINE_DEFAULT_CPUS 2u
#define MACHINE_MAX_PROCS    16u
#define PROC_NAME_LEN	     CACHE_NAME_LEN

/* One process: a name and an address space. */
struct process {
	char name[PROC_NAME_LEN];
	struct mm_struct mm;
};

struct machine {
	struct phys phys;
	struct kmem kmem;
	uint32_t nr_cpus;
	struct mm_env env; /* sysctls and the allocators the mm code uses */
	int current;	   /* index in procs of the current process, -1: none */
	struct process procs[MACHINE_MAX_PROCS];
	struct vma_pool vmas;	  /* VMA descriptors and index leaves of every process */
	struct mm_layout *layout; /* when set, `process` starts from it (the Linux backend) */
	struct cpu_state cpu;	  /* the CPU the processes run on (CR0, CR4, EFER, PKRU, AC);
				       cpu.cr4_la57 == env.pgtable_l5, both fixed at boot */
	bool linear_used;	  /* memblock_alloc() handed out a linear-map address */
	struct vmap_state vmap;	  /* vmalloc areas */
};

enum mm_op_kind {
	/* boot time */
	OP_RESERVE,	   /* memblock_reserve(a = phys base, b = size) */
	OP_MEMBLOCK_ALLOC, /* memblock_alloc(a = size, b = align) */
	OP_CPUS,	   /* nr_cpus = a (SLUB geometry) */
	OP_BOOT,	   /* mem_init() + kmem_cache_init() */
	/* page allocator */
	OP_ALLOC_PAGES,	    /* alloc_pages(gfp, a = order) -> pfn */
	OP_FREE_PAGES_PFN,  /* __free_pages(a = pfn, b = order) */
	OP_GET_FREE_PAGES,  /* __get_free_pages(gfp, a = order) -> address */
	OP_GET_ZEROED_PAGE, /* get_zeroed_page(gfp) -> address */
	OP_GET_DMA_PAGES,   /* __get_dma_pages(gfp, a = order) -> address */
	OP_FREE_PAGES,	    /* free_pages(a = address, b = order) */
	OP_FREE_PAGE,	    /* free_page(a = address) */
	OP_NR_FREE_PAGES,   /* -> count */
	/* slab */
	OP_KMEM_CACHE_CREATE,  /* (name, a = size, b = align, flags) -> geometry */
	OP_KMEM_CACHE_ALLOC,   /* (name, gfp) -> address */
	OP_KMEM_CACHE_FREE,    /* (name, a = address) */
	OP_KMEM_CACHE_SHRINK,  /* (name) */
	OP_KMEM_CACHE_DESTROY, /* (name) */
	OP_KMALLOC,	       /* (a = size, gfp) -> address */
	OP_KZALLOC,	       /* (a = size, gfp) -> address */
	OP_KFREE,	       /* (a = address) */
	OP_KSIZE,	       /* (a = address) -> count */
	/* linear map */
	OP_PA, /* __pa(a) -> physical address */
	OP_VA, /* __va(a) -> linear-map address */
	/* memory contents */
	OP_WRITE, /* store the 64-bit value b at kernel address a (8-byte aligned) */
	OP_READ,  /* load the 64-bit value at kernel address a (8-byte aligned) */
	/* address spaces (the current process) */
	OP_PROCESS,  /* (name, flags = enum mm_profile) create a process and switch to it */
	OP_SWITCH,   /* (name) make a process current */
	OP_EXIT,     /* (name) exit_mmap() and forget a process */
	OP_BRK,	     /* brk(a) -> the resulting brk */
	OP_MMAP,     /* mmap(a, b, prot, mflags) -> address */
	OP_MUNMAP,   /* munmap(a, b) */
	OP_MPROTECT, /* mprotect(a, b, prot) */
	OP_MLOCKALL, /* mlockall(mflags) */
	OP_MUNLOCKALL,
	OP_SETRLIMIT, /* setrlimit(flags = resource, a = cur, b = max) */
	OP_SYSCTL,    /* (flags = enum mm_sysctl, a = value) */
	OP_FIND_VMA,  /* find_vma(a) -> the VMA's range */
	/* paging */
	OP_TOUCH,   /* an access to a: flags = enum access_type, mflags = TOUCH_* */
	OP_CPU,	    /* set a CPU field: flags = enum cpu_field, a = value */
	OP_PTE,	    /* the walk of a (a read by the kernel, committing nothing) */
	OP_GUP,	    /* get_user_pages(a, b pages, flags = ACCESS_WRITE or not) -> count */
	OP_VMALLOC, /* vmalloc(a) -> address */
	OP_VFREE,   /* vfree(a) */
	/* inspection */
	OP_MAPS,      /* /proc/PID/maps of the current process (formatted by the harness) */
	OP_BUDDYINFO, /* /proc/buddyinfo (formatted by the harness) */
	OP_SLABINFO,  /* /proc/slabinfo (formatted by the harness) */
	OP_VALIDATE,  /* buddy_validate() and slab_validate() */
	NR_MM_OPS
};

/* OP_TOUCH mflags. */
#define TOUCH_USER     0x1u /* CPL 3 (else CPL 0) */
#define TOUCH_IMPLICIT 0x2u /* an implicit supervisor access */

/* The CPU fields OP_CPU sets. */
enum cpu_field {
	CPU_WP,		/* CR0.WP */
	CPU_SMEP,	/* CR4.SMEP */
	CPU_SMAP,	/* CR4.SMAP */
	CPU_PKE,	/* CR4.PKE */
	CPU_LA57,	/* CR4.LA57 */
	CPU_NXE,	/* EFER.NXE */
	CPU_AC,		/* RFLAGS.AC */
	CPU_PKRU,	/* PKRU */
	CPU_MAXPHYADDR, /* physical-address width */
	CPU_GBPAGES,	/* CPUID.80000001H:EDX.Page1GB: 1 GiB pages */
	NR_CPU_FIELDS
};

/* The settings OP_SYSCTL changes. */
enum mm_sysctl {
	SYSCTL_MAX_MAP_COUNT,	  /* vm.max_map_count */
	SYSCTL_MMAP_MIN_ADDR,	  /* vm.mmap_min_addr */
	SYSCTL_OVERCOMMIT_MEMORY, /* vm.overcommit_memory (0 or 1) */
	NR_MM_SYSCTLS
};

struct mm_op {
	enum mm_op_kind kind;
	uint64_t a;
	uint64_t b;
	gfp_t gfp;
	uint32_t flags;		   /* SLAB_* for kmem_cache_create; profile, resource, sysctl */
	uint32_t prot;		   /* PROT_* */
	uint32_t mflags;	   /* MAP_* for mmap, MCL_* for mlockall */
	char name[CACHE_NAME_LEN]; /* cache name, NUL-terminated */
};

enum mm_result_kind {
	RES_OK,	      /* done, nothing to return */
	RES_ADDR,     /* value: an address (virtual or physical) */
	RES_PFN,      /* value: a frame number */
	RES_NULL,     /* the allocation failed the way Linux reports it: NULL */
	RES_COUNT,    /* value: a number */
	RES_GEOMETRY, /* a new cache's size, align, order and objects */
	RES_RANGE,    /* value .. end: a VMA */
	RES_TOUCH,    /* touch: the faults met and how the access ended */
	RES_WALK,     /* pte: the entries of a walk */
	RES_GUP,      /* get_user_pages: value pages had, gup the frames */
	RES_ERROR,    /* err: -errno or -MERR_* */
};

struct mm_result {
	enum mm_result_kind kind;
	int err;
	uint64_t value;
	uint32_t size, align, order, objects; /* RES_GEOMETRY */
	uint64_t end;			      /* RES_RANGE */
	struct touch_result touch;	      /* RES_TOUCH */
	struct walk walk;		      /* RES_WALK */
	uint32_t walk_top;     /* RES_WALK: the level of walk.entry[0], PT_PGD5 or PT_P4D (4-level:
			      the pgd is the p4d level) */
	struct gup_result gup; /* RES_GUP */
	const char *what;      /* RES_ERROR from OP_VALIDATE: the broken rule */
	uint32_t where;
};

/**
 * machine_init() - a fresh, unbooted machine over the frames mem (nr_pages * PAGE_WORDS
 * 64-bit words, the whole RAM; page-aligned if a KVM guest is to run on it) and
 * the metadata array pages. Returns 0 or -EINVAL for a RAM size out of range.
 */
int machine_init(struct machine *m, uint64_t *mem, struct page *pages, uint32_t nr_pages);

/**
 * machine_set_kimage() - before boot: a kernel image of pages frames at physical base,
 * reserved (memblock_reserve()) and mapped from KERNEL_TEXT_START on in the kernel half
 * of every page table; its frames [vdso_first, vdso_first + vdso_pages) are the pages of
 * every process's [vdso]. The KVM backend's guest lives there. Returns 0, -MERR_BOOTED,
 * -EINVAL (bad geometry, or an image already set) or memblock_reserve()'s error.
 */
int machine_set_kimage(struct machine *m, uint64_t base, uint32_t pages, uint32_t vdso_first,
		       uint32_t vdso_pages);

/** machine_boot() - boot now if not yet booted. Returns 0 or -MERR_BOOTED. */
int machine_boot(struct machine *m);

/**
 * machine_apply() - perform one operation. Boots first when op is not a boot-time
 * operation. On error the machine is unchanged.
 */
struct mm_result machine_apply(struct machine *m, const struct mm_op *op);

/** machine_current_mm() - the current process's mm, or NULL before any `process`. */
struct mm_struct *machine_current_mm(struct machine *m);

/** machine_validate() - every validator; the first broken rule. */
struct validate_result machine_validate(const struct machine *m);

#endif /* MMREF_MACHINE_H */
