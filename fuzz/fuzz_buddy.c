/* SPDX-License-Identifier: MIT */
/*
 * fuzz_buddy.c - libFuzzer target: page-allocator op sequences, validators after every
 * op, and a bitmap reference (harness/fuzzing.h says what is checked). A failed check
 * aborts so that libFuzzer keeps the input; `mmref decode fuzz_buddy INPUT` prints it
 * as a trace.
 */
#include <stdlib.h>

#include "fuzzing.h"

FUZZ_TARGET(fuzz_buddy_run)
