/* SPDX-License-Identifier: MIT */
/*
 * check.c - `mmref check`: run a trace and compare every expectation with the model.
 * See trace.h: trace_check().
 *
 * How it works
 * ------------
 * Ops run in order, exactly as for `mmref run`. An op's `=>` text is compared with the
 * canonical text of its result, its `|` lines with the lines of its dump, both after
 * collapsing blanks. The first difference stops the run and is reported with the line
 * it is on and the CONTEXT ops before it, each with its result, so that the report
 * alone says how the machine got there.
 */
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "trace.h"

#define CONTEXT	   3
#define RESULT_LEN NAMES_RESULT_LEN
#define SHOWN_LEN  (TRACE_MAX_LINE + RESULT_LEN + 64)

/* The ops already run, for the report: the last CONTEXT + 1 of them, printed. */
struct history {
	char line[CONTEXT + 1][SHOWN_LEN];
	uint32_t n; /* ops recorded so far */
};

static void remember(struct history *h, const struct trace *t, const struct trace_op *op,
		     const char *result, bool dump)
{
	char *slot = h->line[h->n % (CONTEXT + 1)];

	if (dump)
		snprintf(slot, SHOWN_LEN, "%s:%u: %s", t->name, op->line, op->text);
	else
		snprintf(slot, SHOWN_LEN, "%s:%u: %s => %s", t->name, op->line, op->text, result);
	h->n++;
}

/* The report: where, what differs, and the ops that led there (the failing one last). */
static void report(FILE *out, const struct trace *t, const struct history *h, uint32_t line,
		   const char *want, const char *got)
{
	uint32_t first = h->n > CONTEXT + 1 ? h->n - CONTEXT - 1 : 0, i;

	fprintf(out, "%s:%u: expected '%s', got '%s'\n", t->name, line, want, got);
	if (h->n <= 1)
		return;
	fprintf(out, "context:\n");
	for (i = first; i + 1 < h->n; i++)
		fprintf(out, "    %s\n", h->line[i % (CONTEXT + 1)]);
}

/*
 * Compare the dump lines got[0..n) with op's '|' lines. Returns 0 when they match (or
 * op has none), 1 after reporting the first difference.
 */
static int compare_output(FILE *out, const struct trace *t, const struct history *h,
			  const struct trace_op *op, char **got, uint32_t n)
{
	char buf[TRACE_MAX_LINE + 1];
	uint32_t i;

	if (op->nr_out == 0)
		return 0;
	for (i = 0; i < op->nr_out && i < n; i++) {
		names_collapse(got[i], strlen(got[i]), buf, sizeof(buf));
		if (strcmp(buf, op->out[i]) != 0) {
			report(out, t, h, op->line + 1 + i, op->out[i], buf);
			return 1;
		}
	}
	if (op->nr_out < n) {
		names_collapse(got[i], strlen(got[i]), buf, sizeof(buf));
		report(out, t, h, op->line + op->nr_out, "<end of output>", buf);
		return 1;
	}
	if (op->nr_out > n) {
		report(out, t, h, op->line + 1 + n, op->out[n], "<end of output>");
		return 1;
	}
	return 0;
}

/* Run op and compare. Returns 0 (match), 1 (reported difference) or -1 (no memory). */
static int check_op(FILE *out, const struct trace *t, struct trace_exec *x, struct history *h,
		    const struct trace_op *op)
{
	bool dump = op->kind == OP_BUDDYINFO || op->kind == OP_SLABINFO;
	char result[RESULT_LEN], got[RESULT_LEN];
	struct mm_result r = trace_exec_step(x, op);
	char **lines;
	uint32_t n;
	int rc = 0;

	names_format_result(op->kind, &r, result, sizeof(result));
	remember(h, t, op, result, dump);
	if (op->expect != NULL) {
		names_collapse(result, strlen(result), got, sizeof(got));
		if (strcmp(got, op->expect) != 0) {
			report(out, t, h, op->line, op->expect, got);
			return 1;
		}
	}
	if (trace_exec_output(x, op->kind, &lines, &n) != 0) {
		fprintf(stderr, "%s: out of memory\n", t->name);
		return -1;
	}
	rc = compare_output(out, t, h, op, lines, n);
	trace_lines_free(lines, n);
	return rc;
}

int trace_check(const struct trace *t, FILE *out)
{
	struct history *h = calloc(1, sizeof(*h));
	struct trace_exec x;
	uint32_t i;
	int rc = 0;

	if (h == NULL || trace_exec_open(&x, t->ram, t->nr_names) != 0) {
		fprintf(stderr, "%s: no memory for a machine with %llu bytes of RAM\n", t->name,
			(unsigned long long)t->ram);
		free(h);
		return -1;
	}
	for (i = 0; i < t->nr_items && rc == 0; i++)
		if (t->items[i].kind == TRACE_OP)
			rc = check_op(out, t, &x, h, &t->items[i].op);
	trace_exec_close(&x);
	free(h);
	if (rc == 0)
		fprintf(out, "check: %u ops, %u expectations, all match\n", t->nr_ops,
			t->nr_expect);
	return rc;
}
