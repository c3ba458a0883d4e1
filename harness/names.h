/* SPDX-License-Identifier: MIT */
/*
 * names.h - every code <-> name table of the harness in one place: trace op names,
 * gfp flag names, slab flag names, mmap prot and flag names, mlockall flags, kernel
 * profiles, rlimit resources, sysctls, access types and CPU fields, errno and model
 * error names, fault actions and page-table entry bits, and the canonical text of a
 * result.
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
#define ARG_VALUE    'V' /* number, size, or NAME[+-NUM] */
#define ARG_GFP	     'G' /* gfp flags */
#define ARG_CACHE    'C' /* cache name */
#define ARG_FLAGS    'F' /* SLAB_* flags */
#define ARG_PROC     'N' /* process name */
#define ARG_PROFILE  'O' /* kernel profile: linux-6.18, linux-4.14, linux-2.6.34 */
#define ARG_PROT     'P' /* mmap prot: rw, r-x, none, PROT_READ|PROT_WRITE, a number */
#define ARG_MPROT    'Q' /* mprotect prot: as ARG_PROT, and growsdown, growsup */
#define ARG_MAP	     'M' /* MAP_* flags */
#define ARG_MCL	     'L' /* MCL_* flags */
#define ARG_RESOURCE 'R' /* rlimit resource: data, stack, as, memlock */
#define ARG_LIMIT    'U' /* a value, or `unlimited` (RLIM_INFINITY); absent: unlimited */
#define ARG_SYSCTL   'S' /* sysctl name: max_map_count, mmap_min_addr, overcommit_memory */
#define ARG_ACCESS   'A' /* access type: r, w, x, read, write, fetch */
#define ARG_TOUCH    'T' /* touch mode word: user, kernel, implicit (each at most once) */
#define ARG_CPU	     'Z' /* CPU field: wp, smep, ..., pkru, maxphyaddr, gbpages (names.c) */
#define ARG_CPU_VAL  'B' /* the field's value: 0, 1, on, off; a value for pkru, maxphyaddr */

/* The longest text names_format_result() writes (a 4-level walk with every flag). */
#define NAMES_RESULT_LEN 512

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
 * names_op_is_dump() - does an op of this kind print the model's state as `|` lines
 * (buddyinfo, slabinfo, maps)?
 */
bool names_op_is_dump(int kind);

/**
 * names_gfp_parse() - gfp flags: names joined by '|', or numbers (model bit values).
 * Returns 0 and *out, or -1 with *bad_at set to the offset of the bad part.
 */
int names_gfp_parse(const char *s, size_t len, gfp_t *out, size_t *bad_at);

/** names_slab_flags_parse() - SLAB_* names joined by '|', a number, or 0. As above. */
int names_slab_flags_parse(const char *s, size_t len, uint32_t *out, size_t *bad_at);

/**
 * names_prot_parse() - mmap(2) prot: parts joined by '|', each `none`, `sem`, rwx letters
 * (`r`, `rw`, `rx`, `rwx`, `w`, `wx`, `x`, or three columns `rw-`, `r-x`, `---`), a
 * PROT_* name or a number; with mprotect also `growsdown`, `growsup` and their PROT_
 * names. Returns 0 and *out, or -1 with *bad_at set to the offset of the bad part.
 */
int names_prot_parse(const char *s, size_t len, bool mprotect, uint32_t *out, size_t *bad_at);

/**
 * names_map_flags_parse() - mmap(2) flags: MAP_* names or their lowercase forms without
 * the prefix (`private|anonymous|fixed`), `anon` and `noreplace` for short, numbers;
 * joined by '|' or ','. As names_gfp_parse().
 */
int names_map_flags_parse(const char *s, size_t len, uint32_t *out, size_t *bad_at);

/** names_mcl_flags_parse() - mlockall(2) flags: `current|future|onfault`, MCL_* names,
 * numbers; joined by '|' or ','. As names_gfp_parse(). */
int names_mcl_flags_parse(const char *s, size_t len, uint32_t *out, size_t *bad_at);

/** names_profile_lookup() - the enum mm_profile spelled s[0..len) ("linux-4.14"), or -1. */
int names_profile_lookup(const char *s, size_t len);

/** names_profile_name() - "linux-6.18" for PROFILE_LINUX_6_18 ("?" when unknown). */
const char *names_profile_name(unsigned int profile);

/**
 * names_rlimit_lookup() - the RLIMIT_* value of `data`, `stack`, `as`, `memlock` (or
 * RLIMIT_DATA, ..., or a number, which the model may refuse), or -1.
 */
int64_t names_rlimit_lookup(const char *s, size_t len);

/**
 * names_sysctl_lookup() - the enum mm_sysctl of `max_map_count`, `mmap_min_addr`,
 * `overcommit_memory`, each also with a `vm.` prefix, or -1.
 */
int names_sysctl_lookup(const char *s, size_t len);

/** names_access_lookup() - the enum access_type of r, w, x, read, write, fetch; or -1. */
int names_access_lookup(const char *s, size_t len);

/**
 * names_cpu_field_lookup() - the enum cpu_field of wp, smep, smap, pke, la57, nxe, ac,
 * pkru, maxphyaddr, gbpages; or -1.
 */
int names_cpu_field_lookup(const char *s, size_t len);

/** names_cpu_field_name() - "smap" for CPU_SMAP ("?" when unknown). */
const char *names_cpu_field_name(unsigned int field);

/** names_cpu_field_is_bool() - is the field one bit (all but pkru and maxphyaddr)? */
bool names_cpu_field_is_bool(unsigned int field);

/** names_err_name() - "-ENOMEM" for -ENOMEM, "error busy" for -MERR_BUSY. */
const char *names_err_name(int err);

/* si_code of a SIGSEGV the kernel sends for a #GP (a non-canonical address): SI_KERNEL. */
#define NAMES_SI_KERNEL 0x80

/** names_segv_name() - "maperr", "accerr", "pkuerr", "kernel" (SI_KERNEL); "?" else. */
const char *names_segv_name(int si_code);

/** names_zone_name() - "DMA", "Normal". */
const char *names_zone_name(unsigned int zone);

/**
 * names_format_result() - the canonical text of the result r of an op of kind kind:
 * ok, 0x..., pfn 0x..., NULL, a count, cache size=.. align=.. order=.. objects=..,
 * 0xSTART-0xEND (a VMA), -EINVAL, error <name>, error corrupt: <rule> at <where>;
 * for touch the faults and the end (`fault not-present err=0x6: anon-page 0x1a3; ok`),
 * for pte the entries of the walk (`pgd 0x... P RW US A | ... -> 0x...`); see
 * docs/trace-format.md. Always NUL-terminated (NAMES_RESULT_LEN bytes are enough).
 */
void names_format_result(int kind, const struct mm_result *r, char *buf, size_t len);

/**
 * names_format_op() - op as one .mmt line, without its result: the inverse of the trace
 * parser, driven by the same op table (so `mmref run` reads back what it writes). Values
 * below 4096 in decimal, the rest in hex; flags by name (prot as `rw-`), the leftover
 * bits as a number; optional arguments at their defaults left out. Always
 * NUL-terminated.
 */
void names_format_op(const struct mm_op *op, char *buf, size_t len);

/**
 * names_collapse() - copy s[0..len) to buf with every run of blanks made one space and
 * none at either end. Returns buf.
 */
char *names_collapse(const char *s, size_t len, char *buf, size_t buflen);

#endif /* MMREF_NAMES_H */
