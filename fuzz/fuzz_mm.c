/* SPDX-License-Identifier: MIT */
/*
 * fuzz_mm.c - libFuzzer target: whole-system op sequences (two processes, mmap, munmap,
 * mprotect, brk, touches) with the page-table invariants after every op and a leak check
 * at the end (harness/fuzzing.h). A failed check aborts so that libFuzzer keeps the input;
 * `mmref decode fuzz_mm INPUT` prints it as a trace.
 */
#include <stdlib.h>

#include "fuzzing.h"

FUZZ_TARGET(fuzz_mm_run)
