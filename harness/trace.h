/* SPDX-License-Identifier: MIT */
/*
 * trace.h - the .mmt trace language: parse a trace, run it against a fresh machine,
 * print it back with its results, check its expectations. The grammar is in
 * docs/trace-format.md.
 *
 * How it works
 * ------------
 * A trace is parsed whole before anything runs: every line becomes an item, either
 * text kept verbatim (a blank or comment line) or an op with its arguments decoded
 * (numbers, gfp and slab flags, cache and process names, mmap prot and flags, profiles,
 * rlimit resources, sysctl names, access types, touch modes, CPU fields), its
 * expectation (the text after `=>`) and its
 * expected output lines (the `|` lines under a dump op). A NAME bound with
 * `NAME = op` becomes a slot number; arguments that use it hold the slot plus an offset,
 * and the runner fills the slot with the op's value (address, pfn, count or a VMA's
 * start; 0 when the op failed) when that op runs. Malformed input gives one message,
 * "file:line:col: what", and no trace.
 *
 * Running (struct trace_exec) owns one machine: RAM as the trace's `ram` op says (64M
 * when absent), its struct pages, and the binding slots. Each op goes through
 * machine_apply(); dump ops (buddyinfo, slabinfo, maps) then print the model's state.
 */
#ifndef MMREF_TRACE_H
#define MMREF_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "machine.h"

#define TRACE_DEFAULT_RAM   (64ull << 20)
#define TRACE_MIN_RAM	    ((uint64_t)PHYS_MIN_PAGES * PAGE_SIZE) /* 1M */
#define TRACE_MAX_RAM	    ((uint64_t)PHYS_MAX_PAGES * PAGE_SIZE) /* 16G */
#define TRACE_MAX_LINE	    4096u	/* bytes in one line, without its newline */
#define TRACE_MAX_NAMES	    4096u	/* distinct binding names in one trace */
#define TRACE_MAX_NAME_LEN  63u		/* bytes in one binding name */
#define TRACE_MAX_FILE	    (64u << 20) /* bytes in one trace file */
#define TRACE_QUIET_MAX_RAM (256ull << 20)
#define TRACE_ERR_LEN	    512u

/* One value argument: a number, or a binding's value plus a (wrapping) offset. */
struct trace_value {
	int32_t slot;	 /* binding slot, or -1 for a plain number */
	uint64_t offset; /* the number, or what to add to the binding (mod 2^64) */
};

/* One op line, decoded. */
struct trace_op {
	uint32_t line;		   /* 1-based line number */
	int kind;		   /* enum mm_op_kind, or TRACE_OP_RAM (names.h) */
	int32_t bind;		   /* slot this op's value is bound to, or -1 */
	struct trace_value a;	   /* the first value argument (mm_op.a) */
	struct trace_value b;	   /* the second value argument (mm_op.b) */
	gfp_t gfp;		   /* mm_op.gfp */
	uint32_t flags;		   /* mm_op.flags: SLAB_*, profile, resource, sysctl,
				      access type, cpu field */
	uint32_t prot;		   /* mm_op.prot: PROT_* */
	uint32_t mflags;	   /* mm_op.mflags: MAP_*, MCL_*, TOUCH_* */
	char name[CACHE_NAME_LEN]; /* mm_op.name: a cache or process name */
	char *text;		   /* the op as written, binding included, blanks trimmed */
	char *comment;		   /* the trailing comment from '#', or NULL */
	char *expect;		   /* the text after `=>`, whitespace collapsed, or NULL */
	char **out;		   /* expected output lines (after '|'), collapsed */
	uint32_t nr_out;
};

enum trace_item_kind {
	TRACE_TEXT, /* a blank or comment line, kept verbatim */
	TRACE_OP,
};

struct trace_item {
	enum trace_item_kind kind;
	char *text;	    /* TRACE_TEXT: the line, trailing blanks trimmed */
	struct trace_op op; /* TRACE_OP */
};

struct trace {
	char *name;		  /* file name, for messages */
	struct trace_item *items; /* every line that is not a '|' line, in order */
	uint32_t nr_items;
	uint32_t nr_ops;
	uint32_t nr_expect; /* `=>` expectations plus '|' lines */
	uint64_t ram;	    /* bytes: the `ram` op, or TRACE_DEFAULT_RAM */
	char **names;	    /* binding names, by slot */
	uint32_t nr_names;
};

/**
 * trace_parse_buffer() - parse text[0..len) (any bytes; need not be NUL-terminated)
 * into *out. name is used in messages. Returns 0, or -1 with "name:line:col: message"
 * in err (errlen bytes, NUL-terminated) and *out left empty (trace_free() is harmless).
 * Never reads outside text[0..len), never crashes, frees everything on error.
 */
int trace_parse_buffer(const char *name, const char *text, size_t len, struct trace *out, char *err,
		       size_t errlen);

/**
 * trace_parse_file() - read path ("-" is stdin) and parse it. Returns 0, or -1 with a
 * message in err (a read error, a file over TRACE_MAX_FILE, or a parse error).
 */
int trace_parse_file(const char *path, struct trace *out, char *err, size_t errlen);

/** trace_free() - release everything a parse gave *t; *t becomes empty. */
void trace_free(struct trace *t);

/* Running -------------------------------------------------------------------------- */

/* One run of a trace: a fresh machine and the binding values. */
struct trace_exec {
	struct machine *m;
	uint64_t *mem; /* ram words (PAGE_WORDS a frame), mmap'ed */
	size_t mem_len;
	struct page *pages;
	uint64_t *slots; /* binding values */
	uint32_t nr_slots;
};

/**
 * trace_exec_open() - a fresh, unbooted machine with ram bytes of RAM and nr_slots
 * binding slots (all 0). Returns 0, or -1 when the host has no memory for it (nothing
 * is then held).
 */
int trace_exec_open(struct trace_exec *x, uint64_t ram, uint32_t nr_slots);

/** trace_exec_close() - release the machine. */
void trace_exec_close(struct trace_exec *x);

/**
 * trace_exec_decode() - the struct mm_op that op stands for, bindings resolved. x may be
 * NULL for an op without bindings (a value naming one then counts as its offset).
 */
struct mm_op trace_exec_decode(const struct trace_exec *x, const struct trace_op *op);

/**
 * trace_exec_step() - apply op (not `ram`, which the caller handles by sizing the
 * machine) and bind its value. Returns machine_apply()'s result.
 */
struct mm_result trace_exec_step(struct trace_exec *x, const struct trace_op *op);

/**
 * trace_exec_output() - the output lines of a dump op just run (buddyinfo, slabinfo,
 * maps: nothing without a current process) in *lines (a malloc'ed array of malloc'ed strings without newlines; free with
 * trace_lines_free()), *n set. No lines for other ops. Returns 0 or -1 (no memory).
 */
int trace_exec_output(const struct trace_exec *x, int kind, char ***lines, uint32_t *n);

/** trace_lines_free() - free what trace_exec_output() gave. */
void trace_lines_free(char **lines, uint32_t n);

/**
 * trace_run_quiet() - run t against a fresh machine, printing nothing: for fuzzers.
 * RAM is the trace's, capped at TRACE_QUIET_MAX_RAM so that a fuzzed `ram 16G` stays
 * cheap (results are not reported, so the cap changes nothing observable). Dump ops
 * format their output (exercising the dump code) and throw it away; every `=>` is
 * ignored. Returns 0 when every op ran, -1 when the host had no memory for the
 * machine. Errors that ops answer with (-ENOMEM, error double-free, ...) are normal
 * results, not failures; a model crash, leak or UB is for the sanitizers to catch.
 */
int trace_run_quiet(const struct trace *t);

/**
 * trace_run_print() - run t and print it back to out as a valid trace with every
 * result filled in: `op args => result`, comments and blank lines kept, dump output as
 * `| ` lines. Returns 0, or -1 when the host had no memory (message on stderr).
 */
int trace_run_print(const struct trace *t, FILE *out);

/**
 * trace_check() - run t and compare every `=>` and every `|` line with what the model
 * gives. At the first difference print "file:line: expected '...', got '...'" and the
 * ops before it (with their results) to out and return 1; when all match print
 * "check: N ops, M expectations, all match" and return 0; -1 when the host had no
 * memory.
 */
int trace_check(const struct trace *t, FILE *out);

#endif /* MMREF_TRACE_H */
