/* SPDX-License-Identifier: MIT */
/*
 * fuzz_bytes.h - a fuzz input read a few bytes at a time: the one byte reader of every
 * decoder of fuzzer bytes (harness/fuzzing.c, fuzz/fuzz_walk.c, fuzz/fuzz_kvm_walk.c,
 * fuzz/fuzz_kvm_mm.c). An input that runs out reads as zeros from there on, so every
 * input, however short, decodes to something; multi-byte values are little-endian.
 */
#ifndef MMREF_FUZZ_BYTES_H
#define MMREF_FUZZ_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* What is left of the input: n bytes at p. */
struct fuzz_bytes {
	const uint8_t *p;
	size_t n;
};

/** fuzz_next8() - the next byte, or 0 when the input has run out. */
static inline uint8_t fuzz_next8(struct fuzz_bytes *b)
{
	if (b->n == 0)
		return 0;
	b->n--;
	return *b->p++;
}

/** fuzz_next_n() - the next n bytes (n <= 8) as a little-endian number. */
static inline uint64_t fuzz_next_n(struct fuzz_bytes *b, unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)fuzz_next8(b) << (8 * i);
	return v;
}

/** fuzz_next16() - the next two bytes, little-endian. */
static inline uint16_t fuzz_next16(struct fuzz_bytes *b)
{
	return (uint16_t)fuzz_next_n(b, 2);
}

#endif /* MMREF_FUZZ_BYTES_H */
