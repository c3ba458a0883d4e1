/* SPDX-License-Identifier: MIT */
/*
 * fuzzing.h - fuzzer bytes -> model operations, with the checks run after every one.
 *
 * How it works
 * ------------
 * A fuzz input is decoded a few bytes at a time into operations (the first bytes choose
 * the machine: RAM size and boot reservations). Each operation runs on the model, then
 * the validators run, then the result is compared with a trivially correct reference:
 *
 *   buddy: a byte per frame (allocated or not) and the list of live blocks. A block
 *          handed out must be free, aligned and in an allowed zone in the reference; an
 *          allocation of order k fails if and only if the reference has no fully free,
 *          2^k-aligned block in the allowed zones; a free succeeds if and only if it names
 *          a live block with its order; the free counts agree.
 *   slab:  the list of live objects with their requested sizes. A new object must not
 *          overlap a live one or leave RAM; each object is filled with a pattern that must
 *          be intact when it is freed (catches overlap and metadata written into live
 *          objects); kfree/kmem_cache_free succeed if and only if the object is live (and
 *          of that cache); kmem_cache_destroy succeeds if and only if the cache has no live
 *          objects; ksize is at least the size asked for.
 *   vma:   a byte per page of an arena (mapped, rwx, shared, growsdown): see
 *          fuzz_vma_run().
 *
 * The same function runs the fuzzer and `mmref decode`: with out != NULL it also prints
 * every operation as an .mmt line with its result, so a crash input becomes a trace a
 * person can read and `mmref run` can replay.
 */
#ifndef MMREF_FUZZING_H
#define MMREF_FUZZING_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decode.h"
#include "machine.h"

/* Largest machine a fuzz input can ask for: 24 MiB, so both zones are exercised. */
#define FUZZ_MAX_PAGES (24u * 256u)

/**
 * fuzz_buddy_run() / fuzz_slab_run() - decode and run one input. Returns 0 when every
 * check held; otherwise prints what broke (to stderr, and as a comment to out) and
 * returns 1. Never crashes on any input.
 */
int fuzz_buddy_run(const uint8_t *data, size_t size, FILE *out);
int fuzz_slab_run(const uint8_t *data, size_t size, FILE *out);

/**
 * fuzz_vma_run() - one process; mmap (fixed, fixed-noreplace, hint, none; private,
 * shared, growsdown, populate), munmap and mprotect over an arena of pages just below the
 * special mappings, and brk over the heap's first pages. Checked after every op: the
 * result (address, errno) and every page's state (mapped, rwx, shared, growsdown)
 * against a page-granular reference, and mm_validate() with the other validators. Some
 * inputs lower vm.max_map_count, where -ENOMEM is allowed and must change nothing (or,
 * for mprotect, change only a prefix of the range).
 */
int fuzz_vma_run(const uint8_t *data, size_t size, FILE *out);

/**
 * fuzz_mm_run() - the whole system: two processes, mmap/munmap/mprotect/brk and user
 * touches (read, write, fetch) in an arena, the heap and below the stack. After every
 * op: mm_validate() with the page-table invariants (every mapped PTE inside a VMA with
 * the VMA's rights, an allocated frame or the zero page, RSS = mapped pages, table pages
 * counted). Every touch must end as the VMA set alone says (done, or SIGSEGV; stack
 * growth and OOM may go either way) within two faults. At the end both processes exit
 * and the free page count must be back at what it was before them: no leak.
 */
int fuzz_mm_run(const uint8_t *data, size_t size, FILE *out);

/*
 * fuzz_mm's input, which fuzz_kvm_mm (fuzz/fuzz_kvm_mm.c) decodes the same way, so that
 * the two corpora mix: a byte for the RAM size (512 + 256 x (byte % 4) pages; fuzz_kvm_mm
 * reads and ignores it), then 4 bytes an op -- kind, page, length, prot/flags, missing
 * bytes 0 -- until the input ends or FUZZ_MM_MAX_OPS ops have run, the set-up's
 * FUZZ_MM_SETUP_OPS (a warm-up process created and gone, the vm_area_struct cache
 * shrunk, processes "a" and "b") counted.
 */
#define FUZZ_MM_MAX_OPS	    512u
#define FUZZ_MM_SETUP_OPS   5u
#define FUZZ_MM_ARENA_PAGES 64u

/* fuzz_mm's two processes' names, "a" and "b" (procs[i] is process i). */
extern const char *const fuzz_mm_procs[2];

/**
 * fuzz_mm_arena() - where the current process's arena starts: FUZZ_MM_ARENA_PAGES pages
 * right below the mappings under its mmap_base (the special mappings). For a process just
 * created, before any op.
 */
uint64_t fuzz_mm_arena(struct machine *m);

/* What an op is decoded against: the current process. */
struct fuzz_mm_ctx {
	int current;	      /* which process, 0 ("a") or 1 ("b") */
	uint64_t arena;	      /* its arena (fuzz_mm_arena() when it was created) */
	uint64_t start_brk;   /* its heap's start */
	uint64_t start_stack; /* its stack's top */
};

/** fuzz_mm_ctx() - the context of m's current process, arena[i] being process i's. */
struct fuzz_mm_ctx fuzz_mm_ctx(struct machine *m, const uint64_t arena[2]);

/**
 * fuzz_mm_decode_op() - one op of a fuzz_mm input from its 4 bytes (kind, page, length,
 * prot/flags) in context c. By kind % 10:
 *
 *   0, 1     mmap of 1..8 pages at an arena page (MAP_FIXED), or hint-less; anonymous,
 *            private or shared, maybe MAP_POPULATE, prot from the last byte
 *   2        munmap of 1..8 pages at an arena page
 *   3        mprotect of 1..8 pages at an arena page
 *   4        brk to start_brk + up to 31 pages + up to 255 bytes
 *   5        a touch of one of the heap's first 32 pages
 *   6        a touch below the stack (0x21000 and up to 255 pages more: growth)
 *   7, 8     a touch in the arena (at a multiple of 8 within its first 64 bytes)
 *   9        a switch to the other process
 *
 * A touch is an OP_TOUCH op: op.a the address (always 8-aligned), op.flags the access
 * (read, write, fetch: last byte % 3), op.mflags TOUCH_USER.
 */
struct mm_op fuzz_mm_decode_op(const uint8_t bytes[4], const struct fuzz_mm_ctx *c);

/**
 * fuzz_set_validate_every() - run the validators after every n-th operation and after
 * the last (default 1: after every operation). The references are checked after every
 * operation regardless. The fuzz targets read MMREF_FUZZ_VALIDATE_EVERY; a campaign
 * trades per-operation validation for throughput with it (docs/fuzzing.md).
 */
void fuzz_set_validate_every(unsigned int n);

/** fuzz_configure_from_env() - apply MMREF_FUZZ_VALIDATE_EVERY, if set. */
void fuzz_configure_from_env(void);

/*
 * FUZZ_TARGET(run) - the two libFuzzer entry points of a target whose checks are
 * run(data, size, NULL): configuration from the environment, and abort() on a failed
 * check so that libFuzzer keeps the input.
 */
#define FUZZ_TARGET(run)                                                                           \
	int LLVMFuzzerInitialize(int *argc, char ***argv);                                         \
	int LLVMFuzzerInitialize(int *argc, char ***argv)                                          \
	{                                                                                          \
		(void)argc;                                                                        \
		(void)argv;                                                                        \
		fuzz_configure_from_env();                                                         \
		return 0;                                                                          \
	}                                                                                          \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                              \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                               \
	{                                                                                          \
		if (run(data, size, NULL) != 0)                                                    \
			abort();                                                                   \
		return 0;                                                                          \
	}

#endif /* MMREF_FUZZING_H */
