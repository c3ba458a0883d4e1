/* SPDX-License-Identifier: MIT */
/*
 * names.h - every code <-> name table of the harness in one place: trace op names,
 * gfp flag names, slab flag names, errno and model error names, and the canonical text
 * of a result.
 *
 * How it works
 * ------------
 * Each table is an array of {name, value} rows. Lookups go both ways: a name (as a
 * trace spells it, with its length, since names are read straight out of a line) gives
 * the value, and a value gives the name that `mmref run` prints. A result's canonical
 * text (names_format_result()) is what follows `=>` in a trace and what `mmref check`
 * compares, after collapsing whitespace.
 */
#ifndef MMREF_NAMES_H
#define MMREF_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine.h"

/* The harness-level op `ram SIZE`: not a model op, it sizes the machine. */
#define TRACE_OP_RAM ((int)NR_MM_OPS)

/* Argument kinds of a trace op, one letter each in names_op's args. */
#define ARG_VALUE 'V' /* number, size, or NAME[+-NUM] */
#define ARG_GFP	  'G' /* gfp flags */
#define ARG_CACHE 'C' /* cache name */
#define ARG_FLAGS 'F' /* SLAB_* flags */

/* One trace op: its spelling, what it models, and its arguments. */
struct names_op {
	const char *name;
	int kind;	   /* enum mm_op_kind, or TRACE_OP_RAM */
	const char *args;  /* argument kinds, in order (ARG_*) */
	unsigned int min;  /* how many of args are required */
	const char *usage; /* argument names for messages and help: "GFP ORDER" */
};

/** names_op_lookup() - the op spelled s[0..len), or NULL. */
const struct names_op *names_op_lookup(const char *s, size_t len);

/** names_op_name() - the canonical spelling of an op kind ("?" when unknown). */
const char *names_op_name(int kind);

/**
 * names_gfp_parse() - gfp flags: names joined by '|', or numbers (model bit values).
 * Returns 0 and *out, or -1 with *bad_at set to the offset of the bad part.
 */
int names_gfp_parse(const char *s, size_t len, gfp_t *out, size_t *bad_at);

/** names_slab_flags_parse() - SLAB_* names joined by '|', a number, or 0. As above. */
int names_slab_flags_parse(const char *s, size_t len, uint32_t *out, size_t *bad_at);

/** names_err_name() - "-ENOMEM" for -ENOMEM, "error busy" for -MERR_BUSY. */
const char *names_err_name(int err);

/** names_zone_name() - "DMA", "Normal". */
const char *names_zone_name(unsigned int zone);

/**
 * names_format_result() - the canonical text of the result r of an op of kind kind:
 * ok, 0x..., pfn 0x..., NULL, a count, cache size=.. align=.. order=.. objects=..,
 * -EINVAL, error <name>, error corrupt: <rule> at <where>. Always NUL-terminated.
 */
void names_format_result(int kind, const struct mm_result *r, char *buf, size_t len);

/**
 * names_collapse() - copy s[0..len) to buf with every run of blanks made one space and
 * none at either end. Returns buf.
 */
char *names_collapse(const char *s, size_t len, char *buf, size_t buflen);

#endif /* MMREF_NAMES_H */
