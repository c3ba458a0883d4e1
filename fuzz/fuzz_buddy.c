/* SPDX-License-Identifier: MIT */
/*
 * fuzz_buddy.c - libFuzzer target: page-allocator op sequences, validators after every
 * op, and a bitmap reference (harness/fuzzing.h says what is checked). A failed check
 * aborts so that libFuzzer keeps the input; `mmref decode fuzz_buddy INPUT` prints it
 * as a trace.
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
	if (fuzz_buddy_run(data, size, NULL) != 0)
		abort();
	return 0;
}
