/* SPDX-License-Identifier: MIT */
/* decode.h - print a fuzzer input as a readable .mmt trace (implemented in fuzzing.c). */
#ifndef MMREF_DECODE_H
#define MMREF_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/**
 * decode_fuzz_input() - run the input through the named fuzzer's decoder and checks,
 * printing each operation as an .mmt line with its result. fuzzer: "fuzz_buddy" or
 * "fuzz_slab" (the "fuzz_" prefix is optional). Returns 0 when every check held, 1 when
 * one broke (the trace ends with a comment saying which), -1 for an unknown fuzzer.
 */
int decode_fuzz_input(const char *fuzzer, const uint8_t *data, size_t size, FILE *out);

#endif
