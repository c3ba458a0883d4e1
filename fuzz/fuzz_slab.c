/* SPDX-License-Identifier: MIT */
/*
 * fuzz_slab.c - libFuzzer target: slab and kmalloc op sequences, validators after every
 * op, and a live-object reference (harness/fuzzing.h says what is checked). A failed check
 * aborts so that libFuzzer keeps the input; `mmref decode fuzz_slab INPUT` prints it
 * as a trace.
 */
#include <stdlib.h>

#include "fuzzing.h"

FUZZ_TARGET(fuzz_slab_run)
