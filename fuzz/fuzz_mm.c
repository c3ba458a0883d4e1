/* SPDX-License-Identifier: MIT */
/*
 * fuzz_mm.c - libFuzzer target: whole-system op sequences (two processes, mmap, munmap,
 * mprotect, brk, touches) with the page-table invariants after every op and a leak check
 * at the end (harness/fuzzing.h). A failed check aborts so that libFuzzer keeps the input;
 * `mmref decode fuzz_mm INPUT` prints it as a trace.
 */
#include <stdlib.h>

#include "fuzzing.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_configure_from_env();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_mm_run(data, size, NULL) != 0)
		abort();
	return 0;
}
