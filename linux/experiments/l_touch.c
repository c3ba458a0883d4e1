/* SPDX-License-Identifier: MIT */
/*
 * l_touch.c - experiment (l) of FACTS.md: what one user-mode touch costs and leaves behind
 * in the live child: minor faults (getrusage), the signal and si_code, the page's state
 * (pagemap + kpageflags) and RSS. Not part of the build; run it as root from the
 * repository root after building the child (e.g. in build-lx):
 *
 *   cc -O2 -Wall -Ilinux linux/experiments/l_touch.c linux/linux_backend.c -o /tmp/l_touch
 *   MMREF_LINUX_CHILD=build-lx/mmref-linux-child /tmp/l_touch > linux/experiments/l_touch.out
 *
 * Every line: the op, then for a touch "minflt N majflt N  signal  page-state  rss".
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "linux_backend.h"

#define PAGE 4096ull
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define SHAN (MAP_SHARED | MAP_ANONYMOUS)

static struct linux_child c;
static struct linux_rss base;

static void die(const char *what)
{
	fprintf(stderr, "%s: %s\n", what, c.err);
	exit(1);
}

static const char *state(uint64_t addr)
{
	uint8_t st;

	if (linux_child_page_states(&c, addr, 1, &st, NULL) != 0)
		die("pagemap");
	return linux_page_state_name(st);
}

static void rss(char *buf, size_t len)
{
	struct linux_rss r;

	if (linux_child_rss(&c, &r) != 0)
		die("rss");
	snprintf(buf, len, "rss anon %+lld shmem %+lld", (long long)(r.anon - base.anon),
		 (long long)(r.shmem - base.shmem));
}

static void touch(const char *label, uint64_t addr, bool write)
{
	struct linux_touch t;
	char r[80];

	if (linux_child_touch(&c, addr, write, &t) != 0)
		die("touch");
	rss(r, sizeof(r));
	printf("touch %-28s %c  minflt %" PRIu64 " majflt %" PRIu64 "  %-14s %-6s  %s\n", label,
	       write ? 'w' : 'r', t.minflt, t.majflt,
	       t.signo == 0 ? "done"
	       : t.signo == 7	    ? "SIGBUS"
	       : t.sig_code == 1 ? "SIGSEGV maperr"
	       : t.sig_code == 2 ? "SIGSEGV accerr"
	       : t.sig_code == 0x80 ? "SIGSEGV kernel"
				   : "SIGSEGV ?",
	       state(addr & ~(PAGE - 1)), r);
	if (t.signo != 0 && t.sig_addr != (t.sig_code == 0x80 ? 0 : addr))
		printf("  si_addr %#" PRIx64 " != %#" PRIx64 "\n", t.sig_addr, addr);
}

static uint64_t op(const char *label, int64_t r)
{
	printf("%-40s => %#" PRIx64 "\n", label, (uint64_t)r);
	if (r < 0 && r > -4096)
		exit(1);
	return (uint64_t)r;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void costs(void)
{
	uint64_t a = op("a = mmap 0 4M rw private,anon", linux_child_mmap(&c, 0, 4 << 20, 3, ANON));
	struct linux_touch t;
	struct linux_rss r;
	uint64_t e[256];
	uint8_t st[256];
	double t0;
	int i;

	t0 = now_us();
	for (i = 0; i < 1000; i++)
		linux_child_touch(&c, a + (uint64_t)i * PAGE, true, &t);
	printf("cost: touch (write fault, round trip)  %.1f us\n", (now_us() - t0) / 1000);
	t0 = now_us();
	for (i = 0; i < 1000; i++)
		linux_child_touch(&c, a + (uint64_t)i * PAGE, true, &t);
	printf("cost: touch (no fault, round trip)     %.1f us\n", (now_us() - t0) / 1000);
	t0 = now_us();
	for (i = 0; i < 1000; i++)
		linux_child_touch(&c, 0x1000, false, &t);
	printf("cost: touch (SIGSEGV, round trip)      %.1f us\n", (now_us() - t0) / 1000);
	t0 = now_us();
	for (i = 0; i < 1000; i++)
		linux_child_pagemap(&c, a, 1, e);
	printf("cost: pagemap, 1 page                  %.1f us\n", (now_us() - t0) / 1000);
	t0 = now_us();
	for (i = 0; i < 1000; i++)
		linux_child_pagemap(&c, a, 256, e);
	printf("cost: pagemap, 256 pages               %.1f us\n", (now_us() - t0) / 1000);
	t0 = now_us();
	for (i = 0; i < 1000; i++)
		linux_kpageflags(&c, e[0] & PM_PFN_MASK, &e[1]);
	printf("cost: kpageflags, 1 pfn                %.1f us\n", (now_us() - t0) / 1000);
	t0 = now_us();
	for (i = 0; i < 1000; i++)
		linux_child_page_states(&c, a, 256, st, NULL);
	printf("cost: page states, 256 pages           %.1f us\n", (now_us() - t0) / 1000);
	t0 = now_us();
	for (i = 0; i < 1000; i++)
		linux_child_rss(&c, &r);
	printf("cost: rss (/proc/PID/status)           %.1f us\n", (now_us() - t0) / 1000);
	t0 = now_us();
	for (i = 0; i < 1000; i++)
		linux_child_statm(&c, &e[0], &e[1]);
	printf("cost: statm (/proc/PID/statm)          %.1f us\n", (now_us() - t0) / 1000);
}

int main(void)
{
	char err[200], r[80];
	uint64_t a, s, p, g, h, brk0;
	struct linux_rss r0;

	c.flags = LINUX_CHILD_SAME_CPU;
	if (linux_child_start(&c, err, sizeof(err)) != 0) {
		fprintf(stderr, "start: %s\n", err);
		return 1;
	}
	if (linux_child_rss(&c, &base) != 0)
		die("rss");
	printf("# rss at start: anon %" PRIu64 " file %" PRIu64 " shmem %" PRIu64 " pages\n",
	       base.anon, base.file, base.shmem);

	printf("# private anonymous\n");
	a = op("a = mmap 0 16K rw private,anon", linux_child_mmap(&c, 0, 4 * PAGE, 3, ANON));
	touch("a (fresh)", a, false);
	touch("a again", a, false);
	touch("a (zero page)", a, true);
	touch("a again", a, true);
	touch("a+4K (fresh)", a + PAGE, true);
	touch("a+4K (anon)", a + PAGE, false);
	touch("a+8K+123 (fresh, unaligned)", a + 2 * PAGE + 123, false);
	op("mprotect a 16K r", linux_child_mprotect(&c, a, 4 * PAGE, PROT_READ));
	touch("a (zero page, now r)", a, true);
	touch("a+4K (anon, now r)", a + PAGE, true);
	touch("a+4K (anon, now r)", a + PAGE, false);
	touch("a+12K (fresh, r)", a + 3 * PAGE, false);
	op("mprotect a 16K none", linux_child_mprotect(&c, a, 4 * PAGE, PROT_NONE));
	touch("a+4K (anon, now none)", a + PAGE, false);
	printf("  after mprotect none: a %s, a+4K %s\n", state(a), state(a + PAGE));
	op("mprotect a 16K rw", linux_child_mprotect(&c, a, 4 * PAGE, PROT_READ | PROT_WRITE));
	touch("a+4K (anon, rw again)", a + PAGE, true);
	touch("a+12K (zero, rw again)", a + 3 * PAGE, true);
	op("munmap a 16K", linux_child_munmap(&c, a, 4 * PAGE));
	touch("a (unmapped)", a, false);
	touch("a (unmapped)", a, true);
	rss(r, sizeof(r));
	printf("  after munmap: a %s, %s\n", state(a), r);

	printf("# MAP_POPULATE\n");
	p = op("p = mmap 0 8K rw private,anon,populate",
	       linux_child_mmap(&c, 0, 2 * PAGE, 3, ANON | MAP_POPULATE));
	printf("  p %s, p+4K %s\n", state(p), state(p + PAGE));
	touch("p (populated)", p, true);
	g = op("g = mmap 0 8K r private,anon,populate",
	       linux_child_mmap(&c, 0, 2 * PAGE, PROT_READ, ANON | MAP_POPULATE));
	printf("  g %s, g+4K %s\n", state(g), state(g + PAGE));
	op("mprotect g 8K rw", linux_child_mprotect(&c, g, 2 * PAGE, 3));
	touch("g (populated zero)", g, true);
	h = op("h = mmap 0 8K none private,anon,populate",
	       linux_child_mmap(&c, 0, 2 * PAGE, PROT_NONE, ANON | MAP_POPULATE));
	printf("  h %s\n", state(h));
	linux_child_reset(&c);

	printf("# shared anonymous (shmem)\n");
	s = op("s = mmap 0 16K rw shared,anon", linux_child_mmap(&c, 0, 4 * PAGE, 3, SHAN));
	touch("s (fresh)", s, false);
	touch("s (shmem)", s, true);
	touch("s+4K (fresh)", s + PAGE, true);
	op("mprotect s 16K r", linux_child_mprotect(&c, s, 4 * PAGE, PROT_READ));
	touch("s+8K (fresh, r)", s + 2 * PAGE, false);
	op("mprotect s 16K rw", linux_child_mprotect(&c, s, 4 * PAGE, 3));
	touch("s+8K (shmem, rw again)", s + 2 * PAGE, true);
	touch("s (shmem, rw again)", s, true);
	p = op("p = mmap 0 8K r shared,anon,populate",
	       linux_child_mmap(&c, 0, 2 * PAGE, PROT_READ, SHAN | MAP_POPULATE));
	printf("  p %s, p+4K %s\n", state(p), state(p + PAGE));
	op("munmap s 16K", linux_child_munmap(&c, s, 4 * PAGE));
	rss(r, sizeof(r));
	printf("  after munmap s: %s\n", r);
	linux_child_reset(&c);

	printf("# brk, stack growth, odd addresses\n");
	brk0 = c.initial.start_brk;
	op("brk start_brk+8K", linux_child_brk(&c, brk0 + 2 * PAGE));
	touch("start_brk (fresh heap)", brk0, true);
	touch("start_brk+4K (fresh heap)", brk0 + PAGE, false);
	op("brk start_brk", linux_child_brk(&c, brk0));
	touch("start_brk (heap gone)", brk0, false);
	g = op("g = mmap 0 64K rw private,anon,growsdown",
	       linux_child_mmap(&c, 0, 16 * PAGE, 3, ANON | MAP_GROWSDOWN));
	touch("g-4K (below a growsdown VMA)", g - PAGE, true);
	touch("g-64K (further below)", g - 16 * PAGE - 16 * PAGE, false);
	touch("0 (NULL)", 0, false);
	touch("0xffff800000000000 (kernel)", 0xffff800000000000ull, false);
	touch("0x800000000000 (non-canonical)", 0x800000000000ull, false);
	touch(".text", c.initial.vmas[1].start, true);
	linux_child_reset(&c);

	printf("# RSS after 64 writes and after 64 reads\n");
	a = op("a = mmap 0 512K rw private,anon", linux_child_mmap(&c, 0, 128 * PAGE, 3, ANON));
	if (linux_child_rss(&c, &r0) != 0)
		die("rss");
	for (int i = 0; i < 64; i++) {
		struct linux_touch t;

		linux_child_touch(&c, a + (uint64_t)i * PAGE, true, &t);
		linux_child_touch(&c, a + (uint64_t)(64 + i) * PAGE, false, &t);
	}
	rss(r, sizeof(r));
	printf("  %s\n", r);
	linux_child_reset(&c);

	printf("# the special mappings (initial VMAs; their pages are not the model's)\n");
	for (size_t i = 0; i < c.initial.nr_vmas; i++) {
		const struct linux_vma *x = &c.initial.vmas[i];
		char label[64];

		if (x->name[0] != '[' || strcmp(x->name, "[stack]") == 0 ||
		    strcmp(x->name, "[vsyscall]") == 0)
			continue;
		for (uint64_t q = x->start; q < x->end; q += PAGE) {
			snprintf(label, sizeof(label), "%s+%#llx", x->name,
				 (unsigned long long)(q - x->start));
			touch(label, q, false);
			touch(label, q, true);
		}
	}
	linux_child_reset(&c);

	costs();
	linux_child_stop(&c);
	return 0;
}
