/* SPDX-License-Identifier: MIT */
/*
 * test_vma.c - the VMA set of an address space through the public API: the process comes
 * from machine_apply(OP_PROCESS) (the built-in layout, 9 VMAs), the system calls from
 * machine_apply(OP_MMAP / OP_MUNMAP / OP_MPROTECT / OP_SYSCTL), and the lookups
 * (find_vma(), find_vma_prev(), find_vma_intersection()) and the walk (vma_first_pos(),
 * vma_pos_next(), vma_pos_prev(), vma_at()) straight from model/vma.h.
 *
 * The stress test is what the fuzzers cannot do: their address spaces are small, so they
 * never split a leaf of the index (VMA_LEAF_SLOTS VMAs), fold a thin one into its
 * neighbour, move entries of the top array or climb more than a level or two of the gap
 * tree. Here 20000 one-page mappings make over a thousand leaves, and every lookup is
 * compared with a scan of the VMAs in address order, every hint-less mmap with a top-down
 * search of a page-by-page shadow, and the whole arena with that shadow.
 */
#include <string.h>

#include "model_fixture.h"
#include "test.h"

#define KIB 1024ull
#define PG  4096ull

/* The built-in process (mm_default_layout()): 9 VMAs, [vsyscall] is not one. */
#define LAYOUT_VMAS 9u

/* A value no syscall result can have: the op gave a result of an unexpected kind. */
#define BAD_KIND (-999999)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* The machine and its current process. */
static struct fixture *new_process(uint32_t nr_pages)
{
	struct fixture *f = fixture_new(nr_pages);
	struct mm_op op;
	struct mm_result r;

	memset(&op, 0, sizeof(op));
	op.kind = OP_PROCESS;
	op.flags = PROFILE_LINUX_6_18;
	strcpy(op.name, "p");
	r = machine_apply(&f->m, &op);
	report(r.kind == RES_OK, "process p: result kind %d err %d", r.kind, r.err);
	return f;
}

static struct mm_struct *mm_of(struct fixture *f)
{
	return machine_current_mm(&f->m);
}

/* One syscall through machine_apply(): the address, 0 for ok, or -errno. */
static int64_t apply(struct fixture *f, enum mm_op_kind kind, uint64_t a, uint64_t b, uint32_t prot,
		     uint32_t mflags)
{
	struct mm_op op;
	struct mm_result r;

	memset(&op, 0, sizeof(op));
	op.kind = kind;
	op.a = a;
	op.b = b;
	op.prot = prot;
	op.mflags = mflags;
	r = machine_apply(&f->m, &op);
	switch (r.kind) {
	case RES_ADDR:
		return (int64_t)r.value;
	case RES_OK:
		return 0;
	case RES_ERROR:
		return r.err;
	default:
		return BAD_KIND;
	}
}

#define ANON_FIXED (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static int64_t mmap_fixed(struct fixture *f, uint64_t addr, uint64_t len, uint32_t prot)
{
	return apply(f, OP_MMAP, addr, len, prot, ANON_FIXED);
}

static int64_t munmap_(struct fixture *f, uint64_t addr, uint64_t len)
{
	return apply(f, OP_MUNMAP, addr, len, 0, 0);
}

static int64_t mprotect_(struct fixture *f, uint64_t addr, uint64_t len, uint32_t prot)
{
	return apply(f, OP_MPROTECT, addr, len, prot, 0);
}

static int64_t brk_(struct fixture *f, uint64_t addr)
{
	return apply(f, OP_BRK, addr, 0, 0, 0);
}

static void set_max_map_count(struct fixture *f, uint64_t n)
{
	struct mm_op op;
	struct mm_result r;

	memset(&op, 0, sizeof(op));
	op.kind = OP_SYSCTL;
	op.flags = SYSCTL_MAX_MAP_COUNT;
	op.a = n;
	r = machine_apply(&f->m, &op);
	report(r.kind == RES_OK, "sysctl vm.max_map_count %llu", (unsigned long long)n);
}

static bool valid(struct fixture *f)
{
	struct validate_result r = mm_validate(&f->m.env, mm_of(f));

	if (!r.ok)
		printf("  mm_validate: %s at %u\n", r.what, r.where);
	return r.ok;
}

/* The VMAs in address order, by the walk -------------------------------------------- */

struct span {
	uint64_t start, end, flags, pgoff;
	uint32_t id, anon_vma, file;
};

/* Walk the index from the first position; -1 when the walk is longer than max. */
static int64_t walk(struct fixture *f, struct span *out, uint32_t max)
{
	const struct vma_pool *v = &f->m.vmas;
	const struct vma_set *s = &mm_of(f)->vmas;
	struct vma_pos pos = vma_first_pos(s);
	uint32_t n = 0, id;

	while ((id = vma_at(v, s, pos)) != VMA_NONE) {
		const struct vm_area_struct *vma = &v->vma[id];

		if (n == max)
			return -1;
		out[n].start = vma->vm_start;
		out[n].end = vma->vm_end;
		out[n].flags = vma->vm_flags;
		out[n].pgoff = vma->vm_pgoff;
		out[n].id = id;
		out[n].anon_vma = vma->anon_vma;
		out[n].file = vma->file;
		n++;
		pos = vma_pos_next(v, s, pos);
	}
	return n;
}

/* Everything about the VMAs a refused call must leave as it was. */
struct snapshot {
	uint32_t n, map_count;
	uint64_t total_vm, data_vm, stack_vm, exec_vm, locked_vm, brk;
	struct span *v;
};

static void snap(struct fixture *f, struct snapshot *s)
{
	struct mm_struct *mm = mm_of(f);
	int64_t n;

	s->v = malloc((mm->map_count + 16) * sizeof(struct span));
	n = walk(f, s->v, mm->map_count + 16);
	s->n = n < 0 ? 0xffffffffu : (uint32_t)n;
	s->map_count = mm->map_count;
	s->total_vm = mm->total_vm;
	s->data_vm = mm->data_vm;
	s->stack_vm = mm->stack_vm;
	s->exec_vm = mm->exec_vm;
	s->locked_vm = mm->locked_vm;
	s->brk = mm->brk;
}

static bool same_spans(const struct span *a, const struct span *b)
{
	return a->start == b->start && a->end == b->end && a->flags == b->flags &&
	       a->pgoff == b->pgoff && a->id == b->id && a->anon_vma == b->anon_vma &&
	       a->file == b->file;
}

/* Is the state the same as in s? Prints the first difference. Frees s. */
static bool unchanged(struct fixture *f, struct snapshot *s)
{
	struct snapshot now;
	bool same;
	uint32_t i;

	snap(f, &now);
	same = now.n == s->n && now.map_count == s->map_count && now.total_vm == s->total_vm &&
	       now.data_vm == s->data_vm && now.stack_vm == s->stack_vm &&
	       now.exec_vm == s->exec_vm && now.locked_vm == s->locked_vm && now.brk == s->brk;
	if (!same)
		printf("  changed: %u VMAs (was %u), map_count %u (was %u), total_vm %llu (was "
		       "%llu)\n",
		       now.n, s->n, now.map_count, s->map_count, (unsigned long long)now.total_vm,
		       (unsigned long long)s->total_vm);
	for (i = 0; same && i < now.n; i++) {
		if (!same_spans(&now.v[i], &s->v[i])) {
			printf("  VMA %u changed: %llx-%llx flags %llx, was %llx-%llx flags %llx\n",
			       i, (unsigned long long)now.v[i].start,
			       (unsigned long long)now.v[i].end, (unsigned long long)now.v[i].flags,
			       (unsigned long long)s->v[i].start, (unsigned long long)s->v[i].end,
			       (unsigned long long)s->v[i].flags);
			same = false;
		}
	}
	free(now.v);
	free(s->v);
	return same;
}

/* The VMA holding addr, by a scan: its [start, end) in *start, *end; false if none. */
static bool vma_holding(struct fixture *f, uint64_t addr, uint64_t *start, uint64_t *end)
{
	struct span buf[64];
	int64_t n = walk(f, buf, 64), i;

	for (i = 0; i < n; i++) {
		if (buf[i].start <= addr && addr < buf[i].end) {
			*start = buf[i].start;
			*end = buf[i].end;
			return true;
		}
	}
	return false;
}

/* a. Thousands of VMAs ---------------------------------------------------------------- */

/* The arena ends where [vvar] starts: hint-less mmaps search it top-down. */
#define ARENA_TOP     0x7ffff7ff7000ull
#define ARENA	      (ARENA_TOP - ARENA_PAGES * PG)
#define ARENA_PAGES   20000u
#define ARENA_END     (ARENA + ARENA_PAGES * PG)
#define UNMAPPED      0xffu
#define MAX_SPANS     (ARENA_PAGES + 64u)
#define NR_RANDOM_Q   2000u
#define STRESS_ROUNDS 120u
#define OPS_PER_ROUND 60u

struct stress {
	struct fixture *f;
	uint8_t shadow[ARENA_PAGES]; /* the prot of each page, or UNMAPPED */
	struct span *spans;
	uint64_t *queries;
	uint32_t max_leaves, min_leaves_seen;
	uint32_t checks;
	uint32_t topdown_inside, topdown_below; /* where hint-less mmaps landed */
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static const char *name_of(uint32_t id, char *buf)
{
	if (id == VMA_NONE)
		return "none";
	sprintf(buf, "#%u", id);
	return buf;
}

/*
 * The whole check after a batch:
 *  - the walk forwards is sorted and disjoint, as long as map_count and the index's count,
 *    and the walk backwards (vma_pos_prev() from the end position) is its mirror image;
 *  - the arena holds exactly the maximal runs of equal protection of the shadow (pages
 *    that can merge have merged, no more), with those protections;
 *  - find_vma(), find_vma_prev() and find_vma_intersection() at every VMA's edges (start-1,
 *    start, end-1, end) and at random addresses agree with a linear scan of the walk;
 *  - mm_validate().
 */
static void stress_check(struct stress *t, const char *when)
{
	struct fixture *f = t->f;
	const struct vma_pool *v = &f->m.vmas;
	const struct vma_set *s = &mm_of(f)->vmas;
	struct span *sp = t->spans;
	int64_t got = walk(f, sp, MAX_SPANS);
	uint32_t n, i, j, nq = 0, idx, bad = 0, first_bad_q = 0;
	struct vma_pos pos;
	bool sorted = true, mirror = true, arena_ok = true;
	char b1[16], b2[16], b3[16];

	t->checks++;
	report(got >= 0, "%s: the walk ends", when);
	if (got < 0)
		return;
	n = (uint32_t)got;
	report(n == mm_of(f)->map_count && (int)n == s->nr_vmas,
	       "%s: walk %u, map_count %u, index %d", when, n, mm_of(f)->map_count, s->nr_vmas);
	for (i = 0; i < n; i++)
		sorted =
		    sorted && sp[i].start < sp[i].end && (i == 0 || sp[i - 1].end <= sp[i].start);
	report(sorted, "%s: the walk is sorted and disjoint", when);

	pos.leaf = s->nr_leaves;
	pos.slot = 0;
	for (i = n; i > 0; i--) {
		if (!vma_pos_prev(v, s, &pos) || vma_at(v, s, pos) != sp[i - 1].id) {
			mirror = false;
			break;
		}
	}
	mirror = mirror && !vma_pos_prev(v, s, &pos);
	report(mirror, "%s: the walk backwards is the walk forwards reversed (stopped at %u)", when,
	       i);

	/* The arena against the shadow: the runs of equal protection, one VMA each. */
	for (i = 0; i < n && sp[i].end <= ARENA; i++)
		;
	for (j = 0; j < ARENA_PAGES && arena_ok;) {
		uint32_t k = j;
		uint64_t want_flags;

		if (t->shadow[j] == UNMAPPED) {
			j++;
			continue;
		}
		while (k < ARENA_PAGES && t->shadow[k] == t->shadow[j])
			k++;
		want_flags = ((t->shadow[j] & PROT_READ) ? VM_READ : 0) |
			     ((t->shadow[j] & PROT_WRITE) ? VM_WRITE : 0) |
			     ((t->shadow[j] & PROT_EXEC) ? VM_EXEC : 0);
		if (i >= n || sp[i].start != ARENA + j * PG || sp[i].end != ARENA + k * PG ||
		    (sp[i].flags & VM_ACCESS_FLAGS) != want_flags ||
		    sp[i].pgoff != sp[i].start / PG) {
			printf(
			    "  %s: arena pages %u..%u (prot %u) should be one VMA, got %llx-%llx "
			    "flags %llx\n",
			    when, j, k, t->shadow[j], i < n ? (unsigned long long)sp[i].start : 0,
			    i < n ? (unsigned long long)sp[i].end : 0,
			    i < n ? (unsigned long long)sp[i].flags : 0);
			arena_ok = false;
		}
		i++;
		j = k;
	}
	arena_ok = arena_ok && (i >= n || sp[i].start >= ARENA_END);
	report(arena_ok, "%s: the arena is the shadow's runs, one VMA each", when);

	/* The queries, sorted, answered by one linear scan of the walk. */
	for (i = 0; i < n; i++) {
		t->queries[nq++] = sp[i].start - 1;
		t->queries[nq++] = sp[i].start;
		t->queries[nq++] = sp[i].end - 1;
		t->queries[nq++] = sp[i].end;
	}
	for (i = 0; i < NR_RANDOM_Q; i++) {
		uint64_t r = rnd();

		t->queries[nq++] = i % 4 == 0 ? r % (TASK_SIZE + PG)
					      : ARENA - PG + r % (ARENA_END - ARENA + 2 * PG);
	}
	t->queries[nq++] = 0;
	t->queries[nq++] = TASK_SIZE;
	t->queries[nq++] = ~0ull;
	qsort(t->queries, nq, sizeof(uint64_t), cmp_u64);
	idx = 0;
	for (i = 0; i < nq; i++) {
		uint64_t a = t->queries[i], lens[4], r = rnd();
		uint32_t want = VMA_NONE, want_prev, got_id, got_prev, q;

		while (idx < n && sp[idx].end <= a)
			idx++;
		if (idx < n)
			want = sp[idx].id;
		want_prev = idx > 0 ? sp[idx - 1].id : VMA_NONE;
		got_id = find_vma(v, s, a);
		got_prev = 0x12345678u;
		q = find_vma_prev(v, s, a, &got_prev);
		if (got_id != want || q != want || got_prev != want_prev) {
			if (bad++ == 0)
				printf("  %s: at %llx find_vma %s, find_vma_prev %s prev %s; the "
				       "scan: "
				       "%s prev %s\n",
				       when, (unsigned long long)a, name_of(got_id, b1),
				       name_of(q, b2), name_of(got_prev, b3), name_of(want, b1),
				       name_of(want_prev, b2));
			first_bad_q = i;
		}
		/* [a, a + len) for lengths that end in the same page, the next one, a few
		 * pages on, and past everything. */
		lens[0] = 1;
		lens[1] = PG;
		lens[2] = (1 + r % 64) * PG;
		lens[3] = ~0ull - a;
		for (q = 0; q < 4; q++) {
			uint64_t end = a + lens[q];
			uint32_t w = VMA_NONE, g;

			if (lens[q] == 0 || end < a)
				continue;
			if (idx < n && sp[idx].start < end)
				w = sp[idx].id;
			g = find_vma_intersection(v, s, a, end);
			if (g != w) {
				if (bad++ == 0)
					printf(
					    "  %s: find_vma_intersection(%llx, %llx) %s, the scan "
					    "%s\n",
					    when, (unsigned long long)a, (unsigned long long)end,
					    name_of(g, b1), name_of(w, b2));
				first_bad_q = i;
			}
		}
	}
	(void)first_bad_q;
	report(bad == 0, "%s: %u of %u lookups differ from the scan", when, bad, nq * 5);
	report(valid(f), "%s: mm_validate", when);
	if (s->nr_leaves > t->max_leaves)
		t->max_leaves = s->nr_leaves;
	/* Every leaf holds at most VMA_LEAF_SLOTS: never fewer leaves than that needs. */
	report(s->nr_leaves >= (n + VMA_LEAF_SLOTS - 1) / VMA_LEAF_SLOTS,
	       "%s: %u leaves for %u VMAs", when, s->nr_leaves, n);
}

static uint32_t random_prot(uint64_t r)
{
	static const uint32_t prots[] = {PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE,
					 PROT_READ | PROT_EXEC};

	return prots[r % 4];
}

/* The pages [p, p + n) of the arena as the shadow expects mprotect to leave them. */
static int64_t shadow_mprotect(struct stress *t, uint32_t p, uint32_t n, uint32_t prot)
{
	uint32_t i;

	if (t->shadow[p] == UNMAPPED)
		return -ENOMEM; /* nothing at start: nothing changes */
	for (i = p; i < p + n; i++) {
		if (t->shadow[i] == UNMAPPED)
			return -ENOMEM; /* the VMAs below the hole keep their new protection */
		t->shadow[i] = (uint8_t)prot;
	}
	return 0;
}

/*
 * Where a hint-less mmap of n pages lands (top-down, linux/FACTS.md b): at the top of the
 * highest free run of the arena that holds n pages -- the arena ends at [vvar], and its
 * lowest free run goes on below it, so there is always one. The page index, negative
 * when the mapping starts below the arena.
 */
static int64_t shadow_topdown(const struct stress *t, uint32_t n)
{
	int64_t end = ARENA_PAGES, i;

	for (i = ARENA_PAGES - 1; i >= 0; i--) {
		if (t->shadow[i] == UNMAPPED)
			continue;
		if (end - (i + 1) >= (int64_t)n)
			return end - n;
		end = i;
	}
	return end - n;
}

static void test_thousands_of_vmas(void)
{
	struct stress *t = calloc(1, sizeof(*t));
	uint32_t *order = malloc(ARENA_PAGES * sizeof(uint32_t));
	uint32_t i, round, bad_results = 0, leaves_full;
	char when[64];

	t->f = new_process(64u << 8); /* 64 MiB */
	t->spans = malloc(MAX_SPANS * sizeof(struct span));
	t->queries = malloc((4 * MAX_SPANS + NR_RANDOM_Q + 8) * sizeof(uint64_t));
	memset(t->shadow, UNMAPPED, sizeof(t->shadow));
	stress_check(t, "start");
	report(mm_of(t->f)->vmas.nr_leaves == 1, "the layout's 9 VMAs fit one leaf");

	/* 20000 one-page mappings in a random order, neighbours of alternating protection
	 * (r-- and rw-: never mergeable), each a VMA of its own. */
	for (i = 0; i < ARENA_PAGES; i++)
		order[i] = i;
	for (i = ARENA_PAGES - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(rnd() % (i + 1)), x = order[i];

		order[i] = order[j];
		order[j] = x;
	}
	for (i = 0; i < ARENA_PAGES; i++) {
		uint32_t p = order[i], prot = p % 2 ? PROT_READ : PROT_READ | PROT_WRITE;
		int64_t r = mmap_fixed(t->f, ARENA + p * PG, PG, prot);

		if (r != (int64_t)(ARENA + p * PG) && bad_results++ == 0)
			printf("  mmap page %u: %lld\n", p, (long long)r);
		t->shadow[p] = (uint8_t)prot;
		if ((i + 1) % 2500 == 0) {
			snprintf(when, sizeof(when), "after %u mmaps", i + 1);
			stress_check(t, when);
		}
	}
	report(bad_results == 0, "%u of 20000 MAP_FIXED mmaps failed", bad_results);
	report(mm_of(t->f)->map_count == LAYOUT_VMAS + ARENA_PAGES, "20009 VMAs, got %u",
	       mm_of(t->f)->map_count);
	leaves_full = mm_of(t->f)->vmas.nr_leaves;
	/* A leaf holds at most VMA_LEAF_SLOTS; a split leaves two halves, so at least half
	 * of that (but for the last leaf). */
	report(leaves_full >= (20009 + VMA_LEAF_SLOTS - 1) / VMA_LEAF_SLOTS &&
		   leaves_full <= 2 * (20009 / VMA_LEAF_SLOTS + 1),
	       "20009 VMAs in %u leaves of %u slots", leaves_full, VMA_LEAF_SLOTS);
	/* Over 1024 leaves: the gap search climbs and descends ten levels of the gap tree. */
	report(leaves_full > 1024, "%u leaves, more than 1024", leaves_full);

	/* Random munmap, mprotect, MAP_FIXED and hint-less mmap of 1..48 pages. */
	for (round = 0; round < STRESS_ROUNDS; round++) {
		uint32_t k;

		for (k = 0; k < OPS_PER_ROUND; k++) {
			uint64_t r = rnd();
			uint32_t n = 1 + (uint32_t)(r % 48),
				 p = (uint32_t)((r >> 8) % (ARENA_PAGES - n));
			uint32_t prot = random_prot(r >> 40), kind = (uint32_t)((r >> 50) % 8), j;
			uint64_t addr = ARENA + p * PG;
			int64_t got, want;

			if (kind < 3) { /* munmap: more often, so that leaves empty and fold */
				got = munmap_(t->f, addr, n * PG);
				want = 0;
				for (j = p; j < p + n; j++)
					t->shadow[j] = UNMAPPED;
			} else if (kind < 6) {
				got = mprotect_(t->f, addr, n * PG, prot);
				want = shadow_mprotect(t, p, n, prot);
			} else if (kind < 7) {
				got = mmap_fixed(t->f, addr, n * PG, prot);
				want = (int64_t)addr;
				for (j = p; j < p + n; j++)
					t->shadow[j] = (uint8_t)prot;
			} else { /* hint-less: the gap summaries of the index find the place */
				int64_t at = shadow_topdown(t, n), q;

				got = apply(t->f, OP_MMAP, 0, n * PG, prot,
					    MAP_PRIVATE | MAP_ANONYMOUS);
				want = (int64_t)ARENA + at * (int64_t)PG;
				if (at >= 0)
					t->topdown_inside++;
				else
					t->topdown_below++;
				for (q = at < 0 ? 0 : at; q < at + n; q++)
					t->shadow[q] = (uint8_t)prot;
				/* The part below the arena, if any, goes again. */
				if (at < 0 && got == want &&
				    munmap_(t->f, (uint64_t)want, (uint64_t)-at * PG) != 0 &&
				    bad_results++ == 0)
					printf("  munmap below the arena failed\n");
			}
			if (got != want && bad_results++ == 0)
				printf(
				    "  round %u op %u kind %u [%u, +%u) prot %u: %lld, want %lld\n",
				    round, k, kind, p, n, prot, (long long)got, (long long)want);
		}
		snprintf(when, sizeof(when), "round %u", round);
		stress_check(t, when);
	}
	report(bad_results == 0, "%u random ops gave another result than the shadow's",
	       bad_results);
	/* Most hint-less mmaps fill a hole in the arena: the search skips leaves. */
	report(t->topdown_inside > 500 && t->topdown_below > 0,
	       "hint-less mmaps: %u in an arena hole, %u below the arena", t->topdown_inside,
	       t->topdown_below);

	/* Empty the arena in random chunks: leaves empty, thin ones fold into neighbours. */
	t->min_leaves_seen = mm_of(t->f)->vmas.nr_leaves;
	for (i = 0; i < ARENA_PAGES;) {
		uint32_t n = 1 + (uint32_t)(rnd() % 400), j;

		if (n > ARENA_PAGES - i)
			n = ARENA_PAGES - i;
		if (munmap_(t->f, ARENA + i * PG, n * PG) != 0 && bad_results++ == 0)
			printf("  munmap [%u, +%u) failed\n", i, n);
		for (j = i; j < i + n; j++)
			t->shadow[j] = UNMAPPED;
		i += n;
		if (i % 8 == 0 || i == ARENA_PAGES) {
			snprintf(when, sizeof(when), "drained to page %u", i);
			stress_check(t, when);
		}
	}
	report(bad_results == 0, "the drain's munmaps all worked");
	report(mm_of(t->f)->map_count == LAYOUT_VMAS, "back to the layout's 9 VMAs, got %u",
	       mm_of(t->f)->map_count);
	/* Folded back: no leaf under a quarter full while a neighbour has room. */
	report(mm_of(t->f)->vmas.nr_leaves <= LAYOUT_VMAS / (VMA_LEAF_SLOTS / 4),
	       "folded back into at most %u leaves, got %u", LAYOUT_VMAS / (VMA_LEAF_SLOTS / 4),
	       mm_of(t->f)->vmas.nr_leaves);
	report(t->max_leaves >= leaves_full, "at most %u leaves at once", t->max_leaves);
	report(t->checks >= 1 + 8 + STRESS_ROUNDS + 1, "%u full checks", t->checks);
	free(order);
	free(t->spans);
	free(t->queries);
	fixture_free(t->f);
	free(t);
}

/* Far above the heap, far below the mmap area. */
#define LOW 0x10000000ull

/* The lookups at the edges of a tiny set, with hand-written answers. */
static void test_lookups_by_hand(void)
{
	struct fixture *f = new_process(16u << 8);
	const struct vma_pool *v = &f->m.vmas;
	const struct vma_set *s = &mm_of(f)->vmas;
	uint32_t a, b, prev, id;

	/*   0x10000000  0x10002000       0x10005000  0x10006000
	 *   |AAAAAAAAAAA|                |BBBBBBBBBBB|              */
	report(mmap_fixed(f, LOW, 8 * KIB, PROT_READ) == (int64_t)LOW, "A");
	report(mmap_fixed(f, LOW + 0x5000, 4 * KIB, PROT_READ) == (int64_t)(LOW + 0x5000), "B");
	a = find_vma(v, s, LOW);
	b = find_vma(v, s, LOW + 0x5000);
	report(a != VMA_NONE && v->vma[a].vm_start == LOW && v->vma[a].vm_end == LOW + 0x2000,
	       "find_vma(A) is A");
	report(b != VMA_NONE && v->vma[b].vm_start == LOW + 0x5000 &&
		   v->vma[b].vm_end == LOW + 0x6000,
	       "find_vma(B) is B");
	report(find_vma(v, s, LOW + 0x1fff) == a, "last byte of A");
	report(find_vma(v, s, LOW + 0x2000) == b, "the hole's first byte: next is B");
	report(find_vma(v, s, LOW + 0x4fff) == b, "the hole's last byte: next is B");
	id = find_vma_prev(v, s, LOW + 0x3000, &prev);
	report(id == b && prev == a, "find_vma_prev in the hole: B, prev A");
	id = find_vma_prev(v, s, LOW + 0x1000, &prev);
	report(id == a && prev != VMA_NONE && v->vma[prev].vm_end <= LOW,
	       "find_vma_prev inside A: A, prev the VMA below (.bss)");
	id = find_vma_prev(v, s, 0, &prev);
	report(id != VMA_NONE && v->vma[id].vm_start == 0x400000 && prev == VMA_NONE,
	       "find_vma_prev(0): the first VMA, no prev");
	id = find_vma_prev(v, s, TASK_SIZE, &prev);
	report(id == VMA_NONE && prev != VMA_NONE && v->vma[prev].vm_end == TASK_SIZE,
	       "find_vma_prev(TASK_SIZE): none, prev the last VMA ([stack])");
	report(find_vma_intersection(v, s, LOW + 0x2000, LOW + 0x5000) == VMA_NONE,
	       "the hole intersects nothing");
	report(find_vma_intersection(v, s, LOW + 0x2000, LOW + 0x5001) == b, "one byte into B");
	report(find_vma_intersection(v, s, LOW + 0x1fff, LOW + 0x5001) == a,
	       "the first one that overlaps: A");
	report(find_vma_intersection(v, s, LOW + 0x6000, LOW + 0x7000) == VMA_NONE,
	       "above B, below the next");
	report(valid(f), "valid");
	fixture_free(f);
}

/* b. vm.max_map_count (linux/FACTS.md j) ----------------------------------------------- */

#define MA 0x10000000ull
#define MB 0x20000000ull
#define MC 0x30000000ull
#define MD 0x40000000ull

static void test_max_map_count(void)
{
	struct fixture *f = new_process(16u << 8);
	struct mm_struct *mm = mm_of(f);
	struct snapshot s;
	uint64_t heap = mm->start_brk, st, en;

	report(mm->map_count == LAYOUT_VMAS, "9 VMAs at start, got %u", mm->map_count);
	set_max_map_count(f, 12);
	report(mmap_fixed(f, MA, 16 * KIB, PROT_READ | PROT_WRITE) == (int64_t)MA, "a");
	report(mmap_fixed(f, MB, 16 * KIB, PROT_READ | PROT_WRITE) == (int64_t)MB, "b");
	report(mprotect_(f, MA, 4 * KIB, PROT_READ) == 0, "11 < 12: one split (-> 12)");
	report(mm->map_count == 12, "12 VMAs, got %u", mm->map_count);

	/* map_count 12 == max: no split, in munmap or in mprotect. */
	snap(f, &s);
	report(munmap_(f, MB + 4 * KIB, 4 * KIB) == -ENOMEM, "12 == max: munmap of b's middle");
	report(unchanged(f, &s), "refused munmap changed nothing");
	snap(f, &s);
	report(mprotect_(f, MB + 4 * KIB, 4 * KIB, PROT_READ) == -ENOMEM,
	       "12 == max: mprotect of b's middle (two splits)");
	report(unchanged(f, &s), "refused mprotect changed nothing");
	snap(f, &s);
	report(mprotect_(f, MB, 4 * KIB, PROT_READ) == -ENOMEM,
	       "12 == max: mprotect of b's first page (one split)");
	report(unchanged(f, &s), "refused mprotect changed nothing");
	report(munmap_(f, MB + 12 * KIB, 4 * KIB) == 0, "munmap of b's last page: no split");
	report(vma_holding(f, MB, &st, &en) && st == MB && en == MB + 12 * KIB, "b is 12K now");
	/* A new mapping is refused only when map_count > max. */
	report(mmap_fixed(f, MC, 4 * KIB, PROT_READ | PROT_WRITE) == (int64_t)MC,
	       "12 == max: a new mapping still works");
	report(mm->map_count == 13, "13 VMAs, got %u", mm->map_count);

	/* map_count 13 > max. */
	snap(f, &s);
	report(mmap_fixed(f, MD, 4 * KIB, PROT_READ | PROT_WRITE) == -ENOMEM,
	       "13 > max: new mapping");
	report(mmap_fixed(f, MC + 4 * KIB, 4 * KIB, PROT_READ | PROT_WRITE) == -ENOMEM,
	       "13 > max: a mapping that would only extend c");
	report(apply(f, OP_MMAP, 0, 4 * KIB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS) == -ENOMEM,
	       "13 > max: hint-less mapping");
	report(unchanged(f, &s), "refused mmaps changed nothing");
	report(munmap_(f, MC, 8 * KIB) == 0, "13 > max: munmap of a whole VMA works");
	report(mm->map_count == 12, "12 again, got %u", mm->map_count);

	/* brk: a new heap VMA at 12 (-> 13), then growing it is refused (13 > 12). */
	report(brk_(f, heap + 4 * KIB) == (int64_t)(heap + 4 * KIB), "brk +4K at 12: a new VMA");
	report(mm->map_count == 13, "13, got %u", mm->map_count);
	snap(f, &s);
	report(brk_(f, heap + 8 * KIB) == (int64_t)(heap + 4 * KIB),
	       "brk +8K at 13 > 12: refused (the old brk)");
	report(unchanged(f, &s), "refused brk changed nothing");
	report(valid(f), "valid");
	fixture_free(f);

	/* j2: the count one below the limit. */
	f = new_process(16u << 8);
	mm = mm_of(f);
	set_max_map_count(f, 12);
	report(mmap_fixed(f, MA, 16 * KIB, PROT_READ | PROT_WRITE) == (int64_t)MA, "a");
	report(mm->map_count == 10, "10, got %u", mm->map_count);
	report(mprotect_(f, MA + 4 * KIB, 4 * KIB, PROT_READ) == 0, "10: two splits (-> 12)");
	report(mm->map_count == 12, "12, got %u", mm->map_count);
	report(mprotect_(f, MA + 4 * KIB, 4 * KIB, PROT_READ | PROT_WRITE) == 0,
	       "back to rw: merged again");
	report(mm->map_count == 10, "10, got %u", mm->map_count);
	report(mmap_fixed(f, MB, 16 * KIB, PROT_READ | PROT_WRITE) == (int64_t)MB, "b (-> 11)");
	report(munmap_(f, MA + 4 * KIB, 4 * KIB) == 0, "11: munmap of a's middle (-> 12)");
	report(mm->map_count == 12, "12, got %u", mm->map_count);
	report(munmap_(f, MA, 4 * KIB) == 0, "munmap of a's first page (-> 11)");
	report(mm->map_count == 11, "11, got %u", mm->map_count);
	/* 11: the middle of b needs two splits. The first one (-> 12) is done and kept, the
	 * second refused: b stays in two pieces with its old protection. */
	report(mprotect_(f, MB + 4 * KIB, 4 * KIB, PROT_READ) == -ENOMEM,
	       "11: mprotect of b's middle needs 13");
	report(vma_holding(f, MB, &st, &en) && st == MB && en == MB + 4 * KIB,
	       "b's first page split off");
	report(vma_holding(f, MB + 4 * KIB, &st, &en) && st == MB + 4 * KIB && en == MB + 16 * KIB,
	       "the rest of b is one VMA");
	report(vma_holding(f, MB + 4 * KIB, &st, &en) &&
		   (f->m.vmas.vma[find_vma(&f->m.vmas, &mm->vmas, MB + 4 * KIB)].vm_flags &
		    VM_ACCESS_FLAGS) == (VM_READ | VM_WRITE),
	       "its protection unchanged (rw)");
	report(mm->map_count == 12, "12, got %u", mm->map_count);
	report(valid(f), "valid (split_leftovers allows the equal neighbours)");

	/* Raising the limit again lifts every refusal. */
	set_max_map_count(f, MAX_MAP_COUNT_DEFAULT);
	report(mprotect_(f, MB + 4 * KIB, 4 * KIB, PROT_READ) == 0, "65530: the same works");
	report(valid(f), "valid");
	fixture_free(f);
}

/* c. No memory for vm_area_struct ------------------------------------------------------- */

/*
 * Exhaust the buddy allocator with order-0 pages, then map one-page VMAs of alternating
 * protection (no merging) until the vm_area_struct slab's last free object is gone: the
 * next mmap must fail with -ENOMEM and change nothing. Returns the number of VMAs mapped
 * after the pages ran out; *pages gets the pages taken (freed by the caller).
 */
static uint32_t fill_memory(struct fixture *f, uint32_t *pfns, uint32_t max_pfns, uint32_t *pages,
			    uint64_t *next_addr)
{
	uint32_t n = 0, mapped = 0;
	int64_t r;

	while (n < max_pfns) {
		uint32_t pfn = alloc_pages(&f->m.phys, GFP_KERNEL, 0);

		if (pfn == PFN_NONE)
			break;
		pfns[n++] = pfn;
	}
	*pages = n;
	for (;;) {
		uint32_t prot = mapped % 2 ? PROT_READ : PROT_READ | PROT_WRITE;

		r = mmap_fixed(f, *next_addr, PG, prot);
		if (r != (int64_t)*next_addr)
			break;
		*next_addr += PG;
		mapped++;
	}
	report(r == -ENOMEM, "the mmap after the last vm_area_struct: -ENOMEM, got %lld",
	       (long long)r);
	return mapped;
}

static void test_out_of_memory(void)
{
	struct fixture *f = new_process(16u << 8); /* 16 MiB: 4096 frames */
	uint32_t *pfns = malloc(8192 * sizeof(uint32_t)), pages, mapped, i;
	uint64_t next = LOW, st, en;
	struct snapshot s;
	int64_t r;

	report(mmap_fixed(f, MB, 16 * KIB, PROT_READ | PROT_WRITE) == (int64_t)MB,
	       "a 4-page VMA to split later");
	mapped = fill_memory(f, pfns, 8192, &pages, &next);
	report(pages > 3000, "the buddy allocator gave %u pages", pages);
	report(nr_free_pages(&f->m.phys) == 0, "no free page left");
	/* A vm_area_struct slab page holds 21 objects: at most 20 were still free. */
	report(mapped < 21, "%u VMAs fit in what the slab had left", mapped);

	/* Every call that needs a new descriptor fails and leaves the maps as they were. */
	snap(f, &s);
	r = mmap_fixed(f, next + PG, PG, PROT_READ);
	report(r == -ENOMEM, "a new VMA: -ENOMEM, got %lld", (long long)r);
	r = apply(f, OP_MMAP, 0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	report(r == -ENOMEM, "hint-less: -ENOMEM, got %lld", (long long)r);
	r = apply(f, OP_MMAP, 0, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
	report(r == -ENOMEM, "shared: -ENOMEM, got %lld", (long long)r);
	r = mmap_fixed(f, MB + 4 * KIB, PG, PROT_READ);
	report(r == -ENOMEM, "MAP_FIXED into the middle of a VMA (a split + a new VMA): %lld",
	       (long long)r);
	r = mmap_fixed(f, MB, 16 * KIB, PROT_READ);
	report(r == -ENOMEM, "MAP_FIXED exactly over a VMA (no split, a new VMA): %lld",
	       (long long)r);
	r = mmap_fixed(f, LOW, 2 * PG, PROT_READ);
	report(r == -ENOMEM, "MAP_FIXED exactly over two VMAs: %lld", (long long)r);
	r = munmap_(f, MB + 4 * KIB, PG);
	report(r == -ENOMEM, "munmap of the middle (a split): %lld", (long long)r);
	r = mprotect_(f, MB, PG, PROT_READ);
	report(r == -ENOMEM, "mprotect of the first page (a split): %lld", (long long)r);
	r = mprotect_(f, MB + 4 * KIB, 8 * KIB, PROT_READ);
	report(r == -ENOMEM, "mprotect of the middle (two splits): %lld", (long long)r);
	r = brk_(f, mm_of(f)->start_brk + PG);
	report(r == (int64_t)mm_of(f)->start_brk, "brk that needs a new VMA: refused, %llx",
	       (unsigned long long)r);
	report(unchanged(f, &s), "nothing changed");
	report(valid(f), "valid");

	/* What needs no new descriptor still works: unmapping whole VMAs, and mprotect of a
	 * whole VMA. */
	report(mprotect_(f, MB, 16 * KIB, PROT_READ) == 0, "mprotect of a whole VMA");
	report(munmap_(f, MB, 16 * KIB) == 0, "munmap of a whole VMA");
	/* Its descriptor's object is free again: one new VMA fits, the next does not. */
	report(mmap_fixed(f, MB, PG, PROT_READ) == (int64_t)MB, "one VMA in the freed object");
	report(vma_holding(f, MB, &st, &en) && st == MB && en == MB + PG, "mapped");
	snap(f, &s);
	report(mmap_fixed(f, MC, PG, PROT_READ) == -ENOMEM, "and no more");
	report(unchanged(f, &s), "nothing changed");

	/* vma_prealloc() is all or nothing: with one object free, two descriptors are
	 * refused, and the one it took is given back. */
	report(munmap_(f, MB, PG) == 0, "one object free again");
	{
		struct vma_batch b;
		uint32_t nr_vmas = f->m.vmas.nr_vmas;
		uint32_t j;

		b = vma_prealloc(&f->m.vmas, &f->m.phys, &f->m.kmem, 2);
		report(b.err == -ENOMEM, "two descriptors: -ENOMEM, got %d", b.err);
		for (j = 0; j < VMA_PREALLOC_MAX; j++)
			report(b.id[j] == VMA_NONE, "id[%u] is VMA_NONE, got %u", j, b.id[j]);
		report(f->m.vmas.nr_vmas == nr_vmas, "no descriptor held: %u, was %u",
		       f->m.vmas.nr_vmas, nr_vmas);
		b = vma_prealloc(&f->m.vmas, &f->m.phys, &f->m.kmem, 1);
		report(b.err == 0 && b.id[0] < VMA_POOL_SIZE && b.id[1] == VMA_NONE,
		       "one descriptor: err %d id %u", b.err, b.id[0]);
		report(f->m.vmas.nr_vmas == nr_vmas + 1, "one held");
		if (b.err == 0)
			vm_area_free(&f->m.vmas, &f->m.phys, &f->m.kmem, b.id[0]);
		report(f->m.vmas.nr_vmas == nr_vmas, "given back");
	}
	report(mmap_fixed(f, MB, PG, PROT_READ) == (int64_t)MB, "the object is free for a VMA");

	/* Memory back: a page for the slab, and mmap works again. */
	for (i = 0; i < pages; i++)
		free_pages_inner(&f->m.phys, pfns[i], 0);
	report(mmap_fixed(f, MC, PG, PROT_READ) == (int64_t)MC, "with memory back, mmap works");
	report(munmap_(f, MB + 0, PG) == 0 &&
		   mmap_fixed(f, MB, 16 * KIB, PROT_READ | PROT_WRITE) == (int64_t)MB,
	       "b again");
	report(mprotect_(f, MB + 4 * KIB, 4 * KIB, PROT_READ) == 0, "and splits work");
	report(valid(f), "valid");
	free(pfns);
	fixture_free(f);
}

/* A machine too small for the vm_area_struct objects of the layout itself. */
static void test_tiny_machine(void)
{
	struct fixture *f = fixture_new(256); /* 1 MiB, the smallest RAM */
	uint32_t *pfns = malloc(512 * sizeof(uint32_t)), pages, mapped, i;
	uint64_t next = LOW;
	struct mm_op op;
	struct mm_result r;

	memset(&op, 0, sizeof(op));
	op.kind = OP_PROCESS;
	strcpy(op.name, "p");
	r = machine_apply(&f->m, &op);
	report(r.kind == RES_OK, "a process fits in 1 MiB: kind %d err %d", r.kind, r.err);
	if (r.kind == RES_OK) {
		mapped = fill_memory(f, pfns, 512, &pages, &next);
		report(mm_of(f)->map_count == LAYOUT_VMAS + mapped, "%u VMAs", mm_of(f)->map_count);
		report(valid(f), "valid");
		for (i = 0; i < pages; i++)
			free_pages_inner(&f->m.phys, pfns[i], 0);
	}
	/* With every page taken before the first process, its VMAs cannot be had. */
	fixture_free(f);
	f = fixture_new(256);
	report(machine_boot(&f->m) == 0, "boot");
	pages = 0;
	while (pages < 512 && (pfns[pages] = alloc_pages(&f->m.phys, GFP_KERNEL, 0)) != PFN_NONE)
		pages++;
	r = machine_apply(&f->m, &op);
	report(r.kind == RES_ERROR && r.err == -ENOMEM,
	       "process with no memory: -ENOMEM, got %d %d", r.kind, r.err);
	report(machine_current_mm(&f->m) == NULL, "no process");
	report(f->m.vmas.nr_vmas == 0, "no descriptor held, got %d", f->m.vmas.nr_vmas);
	for (i = 0; i < pages; i++)
		free_pages_inner(&f->m.phys, pfns[i], 0);
	r = machine_apply(&f->m, &op);
	report(r.kind == RES_OK, "with the pages back it works");
	report(mm_of(f) != NULL && mm_of(f)->map_count == LAYOUT_VMAS && valid(f), "9 VMAs");
	free(pfns);
	fixture_free(f);
}

int main(void)
{
	RUN(test_lookups_by_hand);
	RUN(test_thousands_of_vmas);
	RUN(test_max_map_count);
	RUN(test_out_of_memory);
	RUN(test_tiny_machine);
	return test_summary();
}
