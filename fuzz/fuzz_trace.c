/* SPDX-License-Identifier: MIT */
/*
 * fuzz_trace.c - libFuzzer target for the .mmt parser: any bytes either parse or get a
 * message; what parses runs on a fresh machine. Nothing may crash, leak or hang.
 */
#include <stdlib.h>

#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace t;
	char err[256];

	if (size > 4096)
		return 0; /* long inputs add time, not coverage */
	if (trace_parse_buffer("fuzz.mmt", (const char *)data, size, &t, err, sizeof(err)) != 0)
		return 0;
	trace_run_quiet(&t);
	trace_free(&t);
	return 0;
}
