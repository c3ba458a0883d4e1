/* SPDX-License-Identifier: MIT */
/*
 * test_names.c - names_format_op() is the inverse of the trace parser. For every op line
 * of the traces named on the command line (every .mmt under tests/traces) whose values
 * are plain numbers, the op is formatted, the text parsed again, and every field of the
 * two ops compared. Then ops the fuzzers make but the traces may not hold (every prot,
 * map and gfp bit, leftover bits as numbers, the touch modes) go the same way.
 */
#include <string.h>

#include "names.h"
#include "test.h"
#include "trace.h"

/* Format op, parse the text back, compare. where names the op's origin in a failure. */
static void round_trip(const struct mm_op *op, const char *where)
{
	char line[512], err[TRACE_ERR_LEN];
	struct trace t;
	struct mm_op back;

	names_format_op(op, line, sizeof(line));
	if (trace_parse_buffer("formatted", line, strlen(line), &t, err, sizeof(err)) != 0) {
		report(false, "%s: '%s' does not parse: %s", where, line, err);
		return;
	}
	if (t.nr_ops != 1 || t.items[0].kind != TRACE_OP) {
		report(false, "%s: '%s' is not one op", where, line);
		trace_free(&t);
		return;
	}
	back = trace_exec_decode(NULL, &t.items[0].op);
	report(back.kind == op->kind && back.a == op->a && back.b == op->b && back.gfp == op->gfp &&
		   back.flags == op->flags && back.prot == op->prot && back.mflags == op->mflags &&
		   strcmp(back.name, op->name) == 0,
	       "%s: '%s' reads back as another op (a 0x%llx/0x%llx b 0x%llx/0x%llx gfp 0x%x/0x%x "
	       "flags 0x%x/0x%x prot 0x%x/0x%x mflags 0x%x/0x%x)",
	       where, line, (unsigned long long)op->a, (unsigned long long)back.a,
	       (unsigned long long)op->b, (unsigned long long)back.b, op->gfp, back.gfp, op->flags,
	       back.flags, op->prot, back.prot, op->mflags, back.mflags);
	trace_free(&t);
}

static unsigned int test_trace_file(const char *path)
{
	char err[TRACE_ERR_LEN], where[600];
	struct trace t;
	unsigned int n = 0;
	uint32_t i;

	if (trace_parse_file(path, &t, err, sizeof(err)) != 0) {
		report(false, "%s does not parse: %s", path, err);
		return 0;
	}
	for (i = 0; i < t.nr_items; i++) {
		const struct trace_op *o = &t.items[i].op;
		struct mm_op op;

		if (t.items[i].kind != TRACE_OP || o->kind == TRACE_OP_RAM || o->a.slot >= 0 ||
		    o->b.slot >= 0)
			continue;
		op = trace_exec_decode(NULL, o);
		snprintf(where, sizeof(where), "%s:%u", path, o->line);
		round_trip(&op, where);
		n++;
	}
	trace_free(&t);
	return n;
}

/* The flag combinations the fuzzers generate, and bits no name covers. */
static void test_fuzzer_ops(void)
{
	static const uint32_t map_flags[] = {
	    MAP_ANONYMOUS | MAP_PRIVATE,
	    MAP_ANONYMOUS | MAP_SHARED | MAP_FIXED | MAP_POPULATE,
	    MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED_NOREPLACE | MAP_GROWSDOWN | MAP_LOCKED,
	    MAP_SHARED_VALIDATE | MAP_ANONYMOUS | MAP_32BIT | MAP_NORESERVE | MAP_STACK,
	    0,
	    0x80000000u | MAP_PRIVATE,
	};
	static const gfp_t gfps[] = {GFP_KERNEL,
				     GFP_NOWAIT,
				     GFP_KERNEL | __GFP_DMA | __GFP_ZERO,
				     GFP_ATOMIC | __GFP_COMP,
				     __GFP_RECLAIM,
				     GFP_MODEL_VALID};
	struct mm_op op;
	unsigned int i;

	for (i = 0; i < sizeof(map_flags) / sizeof(map_flags[0]); i++) {
		memset(&op, 0, sizeof(op));
		op.kind = OP_MMAP;
		op.a = 0x7f0000000000ull + i * 4096;
		op.b = (i + 1) * 4096ull;
		op.prot = i % 8;
		op.mflags = map_flags[i];
		round_trip(&op, "mmap flags");
	}
	for (i = 0; i < 16; i++) {
		memset(&op, 0, sizeof(op));
		op.kind = OP_MPROTECT;
		op.a = 0x1000;
		op.b = 0x2000;
		op.prot = (i % 8) | (i >= 8 ? PROT_GROWSDOWN | PROT_SEM : 0);
		round_trip(&op, "mprotect prot");
	}
	for (i = 0; i < sizeof(gfps) / sizeof(gfps[0]); i++) {
		memset(&op, 0, sizeof(op));
		op.kind = OP_ALLOC_PAGES;
		op.gfp = gfps[i];
		op.a = i;
		round_trip(&op, "alloc_pages gfp");
	}
	for (i = 0; i < 6; i++) {
		memset(&op, 0, sizeof(op));
		op.kind = OP_TOUCH;
		op.a = 0x400000 + i * 8;
		op.flags = i % 3;
		op.mflags = (i < 3 ? TOUCH_USER : 0) | (i == 4 ? TOUCH_IMPLICIT : 0);
		round_trip(&op, "touch");
	}
	memset(&op, 0, sizeof(op));
	op.kind = OP_KMEM_CACHE_CREATE;
	strcpy(op.name, "c");
	op.a = 100;
	op.flags = SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA;
	round_trip(&op, "kmem_cache_create");
	memset(&op, 0, sizeof(op));
	op.kind = OP_SETRLIMIT;
	op.flags = RLIMIT_STACK;
	op.a = 8ull << 20;
	op.b = RLIM_INFINITY;
	round_trip(&op, "setrlimit");
	op.a = RLIM_INFINITY;
	round_trip(&op, "setrlimit unlimited");
	memset(&op, 0, sizeof(op));
	op.kind = OP_MLOCKALL;
	op.mflags = MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT;
	round_trip(&op, "mlockall");
	memset(&op, 0, sizeof(op));
	op.kind = OP_PROCESS;
	strcpy(op.name, "p");
	op.flags = PROFILE_LINUX_2_6_34;
	round_trip(&op, "process");
}

int main(int argc, char **argv)
{
	unsigned int n = 0;
	int i;

	for (i = 1; i < argc; i++)
		n += test_trace_file(argv[i]);
	printf("%u op lines of %d traces read back\n", n, argc - 1);
	report(n > 100, "the traces hold %u op lines with plain values; expected many", n);
	RUN(test_fuzzer_ops);
	return test_summary();
}
