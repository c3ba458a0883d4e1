/* SPDX-License-Identifier: MIT */
/*
 * fuzz_vma.c - libFuzzer target: address-space op sequences (mmap, munmap, mprotect,
 * brk) with mm_validate() after every op and a page-granular reference (harness/fuzzing.h
 * says what is checked). A failed check aborts so that libFuzzer keeps the input;
 * `mmref decode fuzz_vma INPUT` prints it as a trace.
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
	if (fuzz_vma_run(data, size, NULL) != 0)
		abort();
	return 0;
}
