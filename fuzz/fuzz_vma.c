/* SPDX-License-Identifier: MIT */
/*
 * fuzz_vma.c - libFuzzer target: address-space op sequences (mmap, munmap, mprotect,
 * brk) with mm_validate() after every op and a page-granular reference (harness/fuzzing.h
 * says what is checked). A failed check aborts so that libFuzzer keeps the input;
 * `mmref decode fuzz_vma INPUT` prints it as a trace.
 */
#include <stdlib.h>

#include "fuzzing.h"

FUZZ_TARGET(fuzz_vma_run)
