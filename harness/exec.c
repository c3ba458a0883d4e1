/* SPDX-License-Identifier: MIT */
/*
 * exec.c - running a parsed trace: the machine it runs on, one step at a time, and the
 * three ways to run a whole trace (quiet, printing it back, checking it). See trace.h.
 *
 * How it works
 * ------------
 * The machine's RAM is an anonymous mapping (MAP_NORESERVE: a 16G machine costs only the
 * frames it touches), its struct pages a calloc'ed array. Ops run in file order; an op
 * that binds a name stores its value in the name's slot, and later arguments read the
 * slot when their op runs. Dump ops print through dump.c into a memory stream that is
 * cut into lines (trailing blanks dropped: a /proc/PID/maps line without a name ends in
 * "0 " in the kernel, "0" here), so that `run` can print them as `| ` lines and `check`
 * can compare them line by line.
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE, open_memstream */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dump.h"
#include "names.h"
#include "trace.h"

#define RESULT_LEN  NAMES_RESULT_LEN
#define TEXT_COLUMN 32 /* where `run` puts `=>`, when the op is shorter */

int trace_exec_open(struct trace_exec *x, uint64_t ram, uint32_t nr_slots)
{
	uint32_t nr_pages = (uint32_t)(ram / PAGE_SIZE);
	void *mem;

	memset(x, 0, sizeof(*x));
	mem = mmap(NULL, (size_t)ram, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return -1;
	x->mem = mem;
	x->mem_len = (size_t)ram;
	x->pages = calloc(nr_pages, sizeof(*x->pages));
	x->m = calloc(1, sizeof(*x->m));
	x->slots = calloc(nr_slots > 0 ? nr_slots : 1, sizeof(*x->slots));
	x->nr_slots = nr_slots;
	if (x->pages == NULL || x->m == NULL || x->slots == NULL ||
	    machine_init(x->m, x->mem, x->pages, nr_pages) != 0) {
		trace_exec_close(x);
		return -1;
	}
	return 0;
}

void trace_exec_close(struct trace_exec *x)
{
	if (x->mem != NULL)
		munmap(x->mem, x->mem_len);
	free(x->pages);
	free(x->m);
	free(x->slots);
	memset(x, 0, sizeof(*x));
}

static uint64_t value_of(const struct trace_exec *x, const struct trace_value *v)
{
	if (x != NULL && v->slot >= 0 && (uint32_t)v->slot < x->nr_slots)
		return x->slots[v->slot] + v->offset;
	return v->offset;
}

struct mm_op trace_exec_decode(const struct trace_exec *x, const struct trace_op *op)
{
	struct mm_op o;

	memset(&o, 0, sizeof(o));
	o.kind = (enum mm_op_kind)op->kind;
	o.a = value_of(x, &op->a);
	o.b = value_of(x, &op->b);
	o.gfp = op->gfp;
	o.flags = op->flags;
	o.prot = op->prot;
	o.mflags = op->mflags;
	memcpy(o.name, op->name, sizeof(o.name));
	return o;
}

/*
 * The value an op binds: its address, pfn, count or VMA start; the physical address a
 * touch reached or a walk translated to (0 when it faulted); 0 for anything else.
 */
static uint64_t bound_value(const struct mm_result *r)
{
	return r->kind == RES_ADDR || r->kind == RES_PFN || r->kind == RES_COUNT ||
		       r->kind == RES_RANGE || r->kind == RES_TOUCH || r->kind == RES_WALK
		   ? r->value
		   : 0;
}

struct mm_result trace_exec_step(struct trace_exec *x, const struct trace_op *op)
{
	struct mm_result r;

	if (op->kind == TRACE_OP_RAM) { /* done when the machine was sized */
		memset(&r, 0, sizeof(r));
		r.kind = RES_OK;
	} else {
		struct mm_op o = trace_exec_decode(x, op);

		r = machine_apply(x->m, &o);
	}
	if (op->bind >= 0 && (uint32_t)op->bind < x->nr_slots)
		x->slots[op->bind] = bound_value(&r);
	return r;
}

void trace_lines_free(char **lines, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* Cut buf[0..len) into malloc'ed lines, trailing blanks trimmed. Returns 0 or -1. */
static int split_lines(const char *buf, size_t len, char ***lines, uint32_t *n)
{
	size_t pos = 0, count = 0, i;
	char **v;

	for (i = 0; i < len; i++)
		count += buf[i] == '\n';
	v = calloc(count + 1, sizeof(*v));
	if (v == NULL)
		return -1;
	for (i = 0; i < count; i++) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = (size_t)(nl - buf), e = end;

		while (e > pos && (buf[e - 1] == ' ' || buf[e - 1] == '\t'))
			e--;
		v[i] = malloc(e - pos + 1);
		if (v[i] == NULL) {
			trace_lines_free(v, (uint32_t)i);
			return -1;
		}
		memcpy(v[i], buf + pos, e - pos);
		v[i][e - pos] = 0;
		pos = end + 1;
	}
	*lines = v;
	*n = (uint32_t)count;
	return 0;
}

int trace_exec_output(const struct trace_exec *x, int kind, char ***lines, uint32_t *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	*lines = NULL;
	*n = 0;
	if (!names_op_is_dump(kind))
		return 0;
	f = open_memstream(&buf, &len);
	if (f == NULL)
		return -1;
	if (kind == OP_BUDDYINFO)
		dump_buddyinfo(f, &x->m->phys);
	else if (kind == OP_SLABINFO)
		dump_slabinfo(f, &x->m->kmem);
	else
		dump_maps(f, &x->m->vmas, machine_current_mm(x->m));
	if (fclose(f) != 0) {
		free(buf);
		return -1;
	}
	rc = split_lines(buf, len, lines, n);
	free(buf);
	return rc;
}

/* Whole traces --------------------------------------------------------------------- */

static int open_for(struct trace_exec *x, const struct trace *t, uint64_t ram)
{
	if (trace_exec_open(x, ram, t->nr_names) == 0)
		return 0;
	fprintf(stderr, "%s: no memory for a machine with %llu bytes of RAM\n", t->name,
		(unsigned long long)ram);
	return -1;
}

int trace_run_quiet(const struct trace *t)
{
	struct trace_exec x;
	uint64_t ram = t->ram < TRACE_QUIET_MAX_RAM ? t->ram : TRACE_QUIET_MAX_RAM;
	uint32_t i;

	if (trace_exec_open(&x, ram, t->nr_names) != 0)
		return -1;
	for (i = 0; i < t->nr_items; i++) {
		const struct trace_op *op = &t->items[i].op;
		char **lines;
		uint32_t n;

		if (t->items[i].kind != TRACE_OP)
			continue;
		trace_exec_step(&x, op);
		if (trace_exec_output(&x, op->kind, &lines, &n) == 0)
			trace_lines_free(lines, n);
	}
	trace_exec_close(&x);
	return 0;
}

/*
 * Print one op line as `run` does: text, `=> result`, comment. A dump op that worked
 * (quiet) shows no result: its output is the `|` lines.
 */
static void print_op(FILE *out, const struct trace_op *op, const char *result, bool quiet)
{
	if (quiet)
		fputs(op->text, out);
	else
		fprintf(out, "%-*s => %s", TEXT_COLUMN - 4, op->text, result);
	if (op->comment != NULL)
		fprintf(out, "  %s", op->comment);
	fputc('\n', out);
}

int trace_run_print(const struct trace *t, FILE *out)
{
	struct trace_exec x;
	uint32_t i, j;

	if (open_for(&x, t, t->ram) != 0)
		return -1;
	for (i = 0; i < t->nr_items; i++) {
		const struct trace_op *op = &t->items[i].op;
		char result[RESULT_LEN];
		struct mm_result r;
		char **lines;
		uint32_t n;

		if (t->items[i].kind == TRACE_TEXT) {
			fprintf(out, "%s\n", t->items[i].text);
			continue;
		}
		r = trace_exec_step(&x, op);
		names_format_result(op->kind, &r, result, sizeof(result));
		if (trace_exec_output(&x, op->kind, &lines, &n) != 0) {
			fprintf(stderr, "%s: out of memory\n", t->name);
			trace_exec_close(&x);
			return -1;
		}
		print_op(out, op, result, names_op_is_dump(op->kind) && r.kind == RES_OK);
		for (j = 0; j < n; j++)
			fprintf(out, "| %s\n", lines[j]);
		trace_lines_free(lines, n);
	}
	trace_exec_close(&x);
	return 0;
}
