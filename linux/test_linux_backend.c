/* SPDX-License-Identifier: MIT */
/*
 * test_linux_backend.c - the live-kernel backend's behaviours, each stated as a test: the
 * protocol round trip, what the kernel answers for a few ops, reset, and a dead child.
 * Exit 77 (skipped) when the host cannot run the child: no /proc, no fork.
 *
 * The child's address space, as drawn in the tests (addresses from the initial layout):
 *
 *   text rodata data bss [heap>      ...      mmap area< vvar vdso    [stack]
 *   0x400000             start_brk            mmap_base = below [vvar]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"
#include "linux_backend.h"
#include "test.h"

#ifndef SI_KERNEL
#define SI_KERNEL 0x80
#endif

#define PAGE	 4096ull
#define RW	 (PROT_READ | PROT_WRITE)
#define ANON	 (MAP_PRIVATE | MAP_ANONYMOUS)
#define SKIPPED	 77
#define BIG_TEXT (1u << 20)

static struct linux_child child;
static char text[BIG_TEXT];

/* The VMA of the current maps that contains addr, or NULL. */
static const struct linux_vma *maps_vma_at(uint64_t addr)
{
	static struct linux_vma vmas[256];
	int i, n;

	if (linux_child_maps(&child, text, sizeof(text)) < 0)
		return NULL;
	n = linux_maps_parse(text, vmas, 256);
	for (i = 0; i < n && i < 256; i++)
		if (vmas[i].start <= addr && addr < vmas[i].end)
			return &vmas[i];
	return NULL;
}

static const struct linux_vma *initial_vma_named(const char *name)
{
	size_t i;

	for (i = 0; i < child.initial.nr_vmas; i++)
		if (strcmp(child.initial.vmas[i].name, name) == 0)
			return &child.initial.vmas[i];
	return NULL;
}

static bool reset_ok(void)
{
	if (linux_child_reset(&child) == 0)
		return true;
	printf("  reset: %s\n", child.err);
	return false;
}

/* A line of each kind parses, the name may hold blanks or be empty. */
static void test_maps_parse(void)
{
	const char *t = "00400000-00401000 r--p 00000000 fe:00 5316944          /bin/x y\n"
			"00404000-00424000 rw-p 00000000 00:00 0 \n"
			"7ffff7ff3000-7ffff7ff7000 rw-s 00001000 00:01 1049   /dev/zero (deleted)\n"
			"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]\n";
	struct linux_vma v[4];

	report(linux_maps_parse(t, v, 4) == 4, "four lines");
	report(v[0].start == 0x400000 && v[0].end == 0x401000 && v[0].inode == 5316944,
	       "numbers of line 1");
	report(v[0].dev_major == 0xfe && v[0].dev_minor == 0, "device fe:00");
	report(strcmp(v[0].name, "/bin/x y") == 0, "name with a blank: '%s'", v[0].name);
	report(strcmp(v[1].perms, "rw-p") == 0 && v[1].name[0] == '\0', "anonymous, no name");
	report(v[2].offset == 0x1000 && strcmp(v[2].name, "/dev/zero (deleted)") == 0,
	       "shared anon: offset and name");
	report(v[3].start == 0xffffffffff600000ull && strcmp(v[3].name, "[vsyscall]") == 0,
	       "vsyscall");
	report(linux_maps_parse(t, v, 1) == 4, "count beyond max");
	report(linux_maps_parse("00400000 r--p\n", v, 4) == -1, "malformed line");
	report(linux_maps_parse("", v, 4) == 0, "empty text");
}

/*
 * Right after start: brk is start_brk, the heap does not exist yet, the binary comes
 * first, [stack] holds start_stack, and the rlimits are read.
 */
static void test_initial_layout(void)
{
	const struct linux_layout *l = &child.initial;
	const struct linux_vma *stack = initial_vma_named("[stack]");

	report(l->nr_vmas >= 6, "%zu initial VMAs", l->nr_vmas);
	report(l->vmas[0].start == 0x400000, "static non-PIE binary at 0x400000");
	report(strstr(l->vmas[0].name, LINUX_CHILD_NAME) != NULL, "first VMA is the binary");
	report(l->start_code >= 0x400000 && l->start_code < l->end_code, "code range");
	report(l->start_data < l->end_data && l->end_data <= l->start_brk, "data below brk");
	report(l->brk == l->start_brk && l->start_brk % PAGE == 0, "brk at start_brk, aligned");
	report(initial_vma_named("[heap]") == NULL, "no heap before the first brk");
	report(stack && stack->start <= l->start_stack && l->start_stack < stack->end,
	       "start_stack in [stack]");
	report(l->rlim_stack.cur != 0 && l->rlim_data.max != 0, "rlimits read");
	report(child.initial_maps_len > 0 && child.initial_maps[child.initial_maps_len - 1] == '\n',
	       "initial maps text kept");
}

/* mmap returns an address that maps shows as rw-p; munmap removes it. */
static void test_mmap_then_munmap(void)
{
	int64_t a = linux_child_mmap(&child, 0, PAGE, RW, ANON);
	const struct linux_vma *v;

	report(a > 0 && a % (int64_t)PAGE == 0, "mmap => %#" PRIx64, (uint64_t)a);
	v = maps_vma_at((uint64_t)a);
	report(v && strcmp(v->perms, "rw-p") == 0 && v->inode == 0, "in maps as rw-p anon");
	report(linux_child_munmap(&child, (uint64_t)a, PAGE) == 0, "munmap => 0");
	report(maps_vma_at((uint64_t)a) == NULL, "gone from maps");
	report(reset_ok(), "reset");
}

/*
 * mprotect of the middle page splits one VMA in three:
 *   before  AAA (rw-)     after  A B A  (rw- r-- rw-)
 */
static void test_mprotect_splits(void)
{
	uint64_t a = (uint64_t)linux_child_mmap(&child, 0, 3 * PAGE, RW, ANON);
	const struct linux_vma *v;

	report(linux_child_mprotect(&child, a + PAGE, PAGE, PROT_READ) == 0, "mprotect => 0");
	v = maps_vma_at(a + PAGE);
	report(v && v->start == a + PAGE && v->end == a + 2 * PAGE && strcmp(v->perms, "r--p") == 0,
	       "middle page is its own r--p VMA");
	v = maps_vma_at(a);
	report(v && v->end == a + PAGE && strcmp(v->perms, "rw-p") == 0, "first page stays rw-p");
	report(reset_ok(), "reset");
}

/* Invalid arguments come back as the kernel's -errno, unchanged. */
static void test_errors_are_raw(void)
{
	uint64_t a = (uint64_t)linux_child_mmap(&child, 0, 2 * PAGE, RW, ANON);

	report(linux_child_munmap(&child, a + 1, PAGE) == -EINVAL, "munmap unaligned: -EINVAL");
	report(linux_child_munmap(&child, a, 0) == -EINVAL, "munmap len 0: -EINVAL");
	report(linux_child_mmap(&child, 0, 0, RW, ANON) == -EINVAL, "mmap len 0: -EINVAL");
	report(linux_child_mmap(&child, 0, PAGE, RW, MAP_ANONYMOUS) == -EINVAL,
	       "neither private nor shared: -EINVAL");
	report(linux_child_mmap(&child, a, PAGE, RW, ANON | MAP_FIXED_NOREPLACE) == -EEXIST,
	       "MAP_FIXED_NOREPLACE over a mapping: -EEXIST");
	report(linux_child_mprotect(&child, a, PAGE, 0x10) == -EINVAL, "unknown prot bit: -EINVAL");
	report(linux_child_munmap(&child, a, 2 * PAGE) == 0, "munmap");
	report(linux_child_mprotect(&child, a, PAGE, PROT_READ) == -ENOMEM,
	       "mprotect of unmapped: -ENOMEM");
	report(linux_child_mmap(&child, 0, PAGE, RW, ANON | MAP_FIXED) == -EPERM,
	       "MAP_FIXED at 0 without CAP_SYS_RAWIO: -EPERM");
	report(reset_ok(), "reset");
}

/* brk grows the heap right at start_brk; brk below start_brk changes nothing. */
static void test_brk_grows_heap(void)
{
	uint64_t start = child.initial.start_brk;
	const struct linux_vma *v;

	report(linux_child_brk(&child, 0) == (int64_t)start, "brk(0) = start_brk");
	report(linux_child_brk(&child, start + 2 * PAGE) == (int64_t)(start + 2 * PAGE),
	       "brk grows");
	v = maps_vma_at(start);
	report(v && v->start == start && v->end == start + 2 * PAGE &&
		   strcmp(v->name, "[heap]") == 0,
	       "[heap] is [start_brk, brk)");
	report(linux_child_brk(&child, start - PAGE) == (int64_t)(start + 2 * PAGE),
	       "brk below start_brk: refused, old brk returned");
	report(reset_ok(), "reset");
	report(linux_child_brk(&child, 0) == (int64_t)start, "reset brought brk back");
}

/* setrlimit/getrlimit round trip; reset restores a lowered soft limit. */
static void test_rlimits(void)
{
	struct linux_rlimit r = {0, 0};
	uint64_t max = child.initial.rlim_data.max;

	report(linux_child_setrlimit(&child, RLIMIT_DATA, 1 << 20, max) == 0, "setrlimit");
	report(linux_child_getrlimit(&child, RLIMIT_DATA, &r) == 0 && r.cur == 1 << 20 &&
		   r.max == max,
	       "getrlimit reads it back");
	report(linux_child_getrlimit(&child, 1000, &r) == -EINVAL, "unknown resource: -EINVAL");
	report(reset_ok(), "reset");
	report(linux_child_getrlimit(&child, RLIMIT_DATA, &r) == 0 &&
		   r.cur == child.initial.rlim_data.cur,
	       "reset restored the soft limit");
}

/*
 * Reset after a mix of ops: every mapping gone, heap gone, MCL_FUTURE off; and a second
 * round gives the same addresses as the first (the child is deterministic).
 */
static void test_reset_restores_initial_maps(void)
{
	int64_t first = 0, again = 0;
	int round;

	for (round = 0; round < 2; round++) {
		int64_t a = linux_child_mmap(&child, 0, 5 * PAGE, RW, ANON);

		linux_child_mmap(&child, 0x10000000, PAGE, PROT_READ, ANON | MAP_FIXED);
		linux_child_mmap(&child, 0, 2 << 20, RW, MAP_SHARED | MAP_ANONYMOUS);
		linux_child_mprotect(&child, (uint64_t)a + PAGE, PAGE, PROT_NONE);
		linux_child_brk(&child, child.initial.start_brk + 5 * PAGE);
		linux_child_mlockall(&child, MCL_FUTURE);
		if (round == 0)
			first = a;
		else
			again = a;
		report(reset_ok(), "reset, round %d", round);
	}
	report(first == again && first > 0, "same address after reset: %#" PRIx64 " %#" PRIx64,
	       (uint64_t)first, (uint64_t)again);
	report(linux_child_brk(&child, 0) == (int64_t)child.initial.brk, "brk restored");
}

/* An op that changes an initial VMA makes reset fail: the caller must restart. */
static void test_reset_detects_changed_initial_vma(void)
{
	const struct linux_vma *vdso = initial_vma_named("[vdso]");
	char err[200];

	if (!vdso) {
		report(true, "no [vdso] on this host");
		return;
	}
	report(linux_child_munmap(&child, vdso->start, vdso->end - vdso->start) == 0,
	       "munmap [vdso] (the child never uses it)");
	report(linux_child_reset(&child) == -1, "reset refuses");
	report(strstr(child.err, "maps differ") != NULL, "and says why: %s", child.err);
	linux_child_stop(&child);
	report(linux_child_start(&child, err, sizeof(err)) == 0, "restart: %s", err);
}

/* A child killed by its own op is reported with the signal, not a hang. */
static void test_dead_child_is_reported(void)
{
	const struct linux_vma *text = &child.initial.vmas[1];
	char err[200];

	report(strcmp(text->perms, "r-xp") == 0, "vma 1 is .text");
	report(linux_child_munmap(&child, text->start, text->end - text->start) == LINUX_CHILD_LOST,
	       "munmap of its own text: lost");
	report(child.term_signal == SIGSEGV, "killed by SIGSEGV (%d): %s", child.term_signal,
	       child.err);
	report(linux_child_brk(&child, 0) == LINUX_CHILD_LOST, "later calls fail at once");
	linux_child_stop(&child);
	linux_child_stop(&child);
	report(linux_child_start(&child, err, sizeof(err)) == 0, "restart: %s", err);
}

/*
 * A /proc file longer than one frame arrives whole (200 VMAs of alternating protection
 * give ~200 KiB of smaps); a short buffer gets the start and the full length.
 */
static void test_long_text_in_frames(void)
{
	uint64_t base = 0x200000000ull;
	char small[100];
	long n, m;
	int i;

	for (i = 0; i < 200; i++)
		linux_child_mmap(&child, base + 2 * i * PAGE, PAGE, i % 2 ? PROT_READ : RW,
				 ANON | MAP_FIXED);
	n = linux_child_read(&child, LX_FILE_SMAPS, text, sizeof(text));
	report(n > (long)LX_CHUNK && (size_t)n == strlen(text), "smaps %ld bytes, whole", n);
	report(n > 0 && text[n - 1] == '\n', "ends with a newline");
	m = linux_child_read(&child, LX_FILE_SMAPS, small, sizeof(small));
	report(m == n && strlen(small) == sizeof(small) - 1, "truncated copy, full length");
	report(strncmp(small, text, sizeof(small) - 1) == 0, "truncated copy is the start");
	report(reset_ok(), "reset");
}

/* The state of the page at addr: pagemap and kpageflags, read by the parent. */
static enum linux_page_state page_at(uint64_t addr)
{
	uint8_t st = LINUX_PAGE_NR;

	if (linux_child_page_states(&child, addr, 1, &st, NULL) != 0)
		printf("  pagemap: %s\n", child.err);
	return (enum linux_page_state)st;
}

static struct linux_touch ctouch(uint64_t addr, bool write)
{
	struct linux_touch t;

	memset(&t, 0xff, sizeof(t));
	if (linux_child_touch(&child, addr, write, &t) != 0)
		printf("  touch: %s\n", child.err);
	return t;
}

/*
 * A fresh private page: a read maps the zero page (one minor fault), the first write
 * copies it (a second one), later accesses take none. RSS counts the copy only.
 */
static void test_touch_read_then_write(void)
{
	uint64_t a = (uint64_t)linux_child_mmap(&child, 0, 2 * PAGE, RW, ANON), r0, r1, sh;
	struct linux_touch t;

	report(linux_child_statm(&child, &r0, &sh) == 0, "statm: %s", child.err);
	report(page_at(a) == LINUX_PAGE_NONE, "fresh page: not present");
	t = ctouch(a, false);
	report(t.signo == 0 && t.minflt == 1 && t.majflt == 0, "read: done, 1 minor fault (%d, %llu)",
	       t.signo, (unsigned long long)t.minflt);
	report(page_at(a) == LINUX_PAGE_ZERO, "then the zero page (KPF_ZERO_PAGE)");
	report(child.zero_pfn != 0, "zero page's PFN learned: %#llx",
	       (unsigned long long)child.zero_pfn);
	t = ctouch(a + 100, false);
	report(t.signo == 0 && t.minflt == 0, "read again: no fault");
	t = ctouch(a, true);
	report(t.signo == 0 && t.minflt == 1, "write: 1 minor fault (COW of the zero page)");
	report(page_at(a) == LINUX_PAGE_ANON, "then an anonymous page");
	t = ctouch(a, true);
	report(t.signo == 0 && t.minflt == 0, "write again: no fault");
	t = ctouch(a + PAGE, true);
	report(t.signo == 0 && t.minflt == 1 && page_at(a + PAGE) == LINUX_PAGE_ANON,
	       "write to a fresh page: 1 fault, an anonymous page");
	report(linux_child_statm(&child, &r1, &sh) == 0 && r1 - r0 == 2,
	       "resident +2 pages (%llu -> %llu)", (unsigned long long)r0,
	       (unsigned long long)r1);
	report(reset_ok(), "reset");
}

/* Bad accesses come back as SIGSEGV with si_code and si_addr; the child goes on. */
static void test_touch_sigsegv(void)
{
	uint64_t a = (uint64_t)linux_child_mmap(&child, 0, PAGE, PROT_READ, ANON);
	struct linux_touch t;

	t = ctouch(a + 0x123, true);
	report(t.signo == SIGSEGV && t.sig_code == SEGV_ACCERR && t.sig_addr == a + 0x123 &&
		   t.minflt == 0,
	       "write to a read-only VMA: SEGV_ACCERR at the byte, no fault counted");
	report(linux_child_munmap(&child, a, PAGE) == 0, "munmap");
	t = ctouch(a, false);
	report(t.signo == SIGSEGV && t.sig_code == SEGV_MAPERR && t.sig_addr == a,
	       "read after munmap: SEGV_MAPERR (%d %d)", t.signo, t.sig_code);
	t = ctouch(0x800000000000ull, false);
	report(t.signo == SIGSEGV && t.sig_code == SI_KERNEL && t.sig_addr == 0,
	       "non-canonical: #GP, SI_KERNEL, si_addr 0 (%d %#x)", t.signo, t.sig_code);
	t = ctouch(child.initial.vmas[1].start, true);
	report(t.signo == SIGSEGV && t.sig_code == SEGV_ACCERR, "write to its own .text: ACCERR");
	report(linux_child_brk(&child, 0) == (int64_t)child.initial.brk, "the child goes on");
	report(reset_ok(), "reset");
}

/* MAP_SHARED|MAP_ANONYMOUS: a read allocates a shmem page (no zero page); RssShmem. */
static void test_touch_shared(void)
{
	uint64_t a = (uint64_t)linux_child_mmap(&child, 0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS);
	struct linux_rss r0, r1;
	struct linux_touch t;

	report(linux_child_rss(&child, &r0) == 0, "rss: %s", child.err);
	t = ctouch(a, false);
	report(t.signo == 0 && t.minflt == 1 && page_at(a) == LINUX_PAGE_SHARED,
	       "read: 1 fault, a shared (page-cache) page");
	t = ctouch(a, true);
	report(t.signo == 0 && t.minflt == 0, "write: no fault (mapped writable by the read)");
	report(linux_child_rss(&child, &r1) == 0 && r1.shmem == r0.shmem + 1 && r1.anon == r0.anon,
	       "RssShmem +1, RssAnon unchanged");
	report(reset_ok(), "reset");
}

/* MAP_POPULATE: writable private pages are written (anonymous), read-only ones read
 * (the zero page); PROT_NONE is not populated. */
static void test_populate_residency(void)
{
	uint64_t w = (uint64_t)linux_child_mmap(&child, 0, 2 * PAGE, RW, ANON | MAP_POPULATE);
	uint64_t r = (uint64_t)linux_child_mmap(&child, 0, 2 * PAGE, PROT_READ, ANON | MAP_POPULATE);
	uint64_t n = (uint64_t)linux_child_mmap(&child, 0, PAGE, PROT_NONE, ANON | MAP_POPULATE);
	uint8_t st[2];

	report(linux_child_page_states(&child, w, 2, st, NULL) == 0 && st[0] == LINUX_PAGE_ANON &&
		   st[1] == LINUX_PAGE_ANON,
	       "rw populate: anonymous pages");
	report(linux_child_page_states(&child, r, 2, st, NULL) == 0 && st[0] == LINUX_PAGE_ZERO &&
		   st[1] == LINUX_PAGE_ZERO,
	       "r populate: the zero page");
	report(page_at(n) == LINUX_PAGE_NONE, "none populate: nothing");
	report(ctouch(w, true).minflt == 0, "a populated page takes no fault");
	report(page_at(0x800000000000ull) == LINUX_PAGE_NONE, "beyond TASK_SIZE: none");
	report(reset_ok(), "reset");
}

/* Protection keys: the child runs a touch under a given PKRU (key 0 for every page). */
static void test_touch_pkru(void)
{
	uint64_t a = (uint64_t)linux_child_mmap(&child, 0, PAGE, RW, ANON);
	struct linux_touch t;
	int64_t k;

	k = linux_child_touch_pkru(&child, a, false, true, 1, &t);
	if (k == -ENOSYS) {
		report(true, "no protection keys on this host");
		report(reset_ok(), "reset");
		return;
	}
	report(k == 0 && t.signo == SIGSEGV && t.sig_code == SEGV_PKUERR && t.minflt == 0,
	       "AD for key 0, missing page: SEGV_PKUERR at once, no fault (%d %d %llu)", t.signo,
	       t.sig_code, (unsigned long long)t.minflt);
	report(page_at(a) == LINUX_PAGE_NONE, "nothing mapped");
	k = linux_child_touch_pkru(&child, a, true, true, 2, &t);
	report(k == 0 && t.signo == SIGSEGV && t.sig_code == SEGV_PKUERR, "WD: write refused");
	k = linux_child_touch_pkru(&child, a, false, true, 2, &t);
	report(k == 0 && t.signo == 0 && t.minflt == 1, "WD: read done");
	t = ctouch(a, true);
	report(t.signo == 0 && t.minflt == 1, "PKRU back to the child's own after the touch");
	report(reset_ok(), "reset");
}

/* getrusage counts the child's faults; a touch's count is the difference around it. */
static void test_getrusage(void)
{
	uint64_t a = (uint64_t)linux_child_mmap(&child, 0, 4 * PAGE, RW, ANON), min0, maj0, min1,
		 maj1;
	int i;

	report(linux_child_getrusage(&child, &min0, &maj0) == 0 && min0 > 0, "getrusage: %llu",
	       (unsigned long long)min0);
	for (i = 0; i < 4; i++)
		ctouch(a + (uint64_t)i * PAGE, true);
	report(linux_child_getrusage(&child, &min1, &maj1) == 0 && min1 - min0 == 4 && maj1 == maj0,
	       "4 write touches: ru_minflt +4 (%llu)", (unsigned long long)(min1 - min0));
	report(reset_ok(), "reset");
}

/*
 * The model and the kernel side by side (linux_check_ops()): a read then a write of a
 * fresh page is two faults on both sides (the zero page, then its copy), a write to a
 * read-only page and a read after munmap are SIGSEGV with the same si_code, MAP_POPULATE
 * leaves the same pages, a kernel-mode touch runs on the model only.
 */
static void test_both_sides(void)
{
	const uint64_t a = 0x10000000;
	struct mm_op ops[] = {
	    {.kind = OP_PROCESS, .name = "p"},
	    {.kind = OP_MMAP, .a = a, .b = 4 * PAGE, .prot = RW, .mflags = ANON | MAP_FIXED},
	    {.kind = OP_TOUCH, .a = a, .flags = ACCESS_READ, .mflags = TOUCH_USER},
	    {.kind = OP_TOUCH, .a = a, .flags = ACCESS_WRITE, .mflags = TOUCH_USER},
	    {.kind = OP_TOUCH, .a = a + PAGE, .flags = ACCESS_WRITE, .mflags = TOUCH_USER},
	    {.kind = OP_MPROTECT, .a = a, .b = 4 * PAGE, .prot = PROT_READ},
	    {.kind = OP_TOUCH, .a = a + 2 * PAGE, .flags = ACCESS_WRITE, .mflags = TOUCH_USER},
	    {.kind = OP_MUNMAP, .a = a, .b = PAGE},
	    {.kind = OP_TOUCH, .a = a, .flags = ACCESS_READ, .mflags = TOUCH_USER},
	    {.kind = OP_MMAP, .a = a + 8 * PAGE, .b = 2 * PAGE, .prot = PROT_READ,
	     .mflags = ANON | MAP_FIXED | MAP_POPULATE},
	    {.kind = OP_TOUCH, .a = a + 8 * PAGE, .flags = ACCESS_READ, .mflags = TOUCH_USER},
	    {.kind = OP_TOUCH, .a = a + 3 * PAGE, .flags = ACCESS_READ, .mflags = 0},
	};
	enum { N = sizeof(ops) / sizeof(ops[0]) };
	struct linux_op_facts f[N];
	int rc = linux_check_ops(ops, N, 64ull << 20, stdout, f);

	report(rc == 0, "all agree (%d)", rc);
	if (rc != 0)
		return;
	report(f[2].touch && f[2].model_faults == 1 && f[2].kernel_faults == 1 &&
		   f[2].model_page == LINUX_PAGE_ZERO && f[2].kernel_page == LINUX_PAGE_ZERO,
	       "read of a fresh page: 1 fault each, the zero page on both sides");
	report(f[3].model_faults == 1 && f[3].kernel_faults == 1 &&
		   f[3].model_page == LINUX_PAGE_ANON && f[3].kernel_page == LINUX_PAGE_ANON,
	       "then a write: 1 fault each (COW), an anonymous page");
	report(f[4].model_faults == 1 && f[4].kernel_faults == 1 && f[4].model_rss == 2 &&
		   f[4].kernel_rss == 2,
	       "write to a fresh page: 1 fault each; RSS +2 on both sides (%lld %lld)",
	       (long long)f[4].model_rss, (long long)f[4].kernel_rss);
	report(f[6].model_sig_code == SEGV_ACCERR && f[6].kernel_sig_code == SEGV_ACCERR,
	       "write to read-only: SEGV_ACCERR on both sides");
	report(f[8].model_sig_code == SEGV_MAPERR && f[8].kernel_sig_code == SEGV_MAPERR &&
		   f[8].model_page == LINUX_PAGE_NONE && f[8].kernel_page == LINUX_PAGE_NONE,
	       "read after munmap: SEGV_MAPERR on both sides, no page");
	report(f[10].model_faults == 0 && f[10].kernel_faults == 0 &&
		   f[10].model_page == LINUX_PAGE_ZERO,
	       "MAP_POPULATE read-only: the zero page already there, no fault");
	report(!f[11].touch && !f[11].kernel_ran, "a kernel-mode touch: the model only");
}

static double now_us(void);

static int open_fds(void)
{
	int n = 0, fd;

	for (fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) != -1;
	return n;
}

/* stop and start leave no process and no fd behind, also after a kill. */
static void test_no_leaks(void)
{
	int before, after;
	char err[200];

	linux_child_stop(&child);
	before = open_fds();
	report(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "no child before");
	report(linux_child_start(&child, err, sizeof(err)) == 0, "start: %s", err);
	report(open_fds() == before + 1, "one socket while running");
	linux_child_munmap(&child, child.initial.vmas[1].start, PAGE); /* dies */
	linux_child_stop(&child);
	after = open_fds();
	report(after == before, "fds: %d before, %d after", before, after);
	report(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "no zombie");
	report(linux_child_start(&child, err, sizeof(err)) == 0, "restart: %s", err);
}

/* A child that stops answering is killed after LINUX_CHILD_TIMEOUT_MS, never a hang. */
static void test_hung_child_times_out(void)
{
	double t0 = now_us(), waited;
	char err[200];

	kill(child.pid, SIGSTOP);
	report(linux_child_brk(&child, 0) == LINUX_CHILD_LOST, "lost");
	waited = (now_us() - t0) / 1000;
	report(waited >= LINUX_CHILD_TIMEOUT_MS - 100 && waited < LINUX_CHILD_TIMEOUT_MS + 2000,
	       "waited %.0f ms", waited);
	report(strstr(child.err, "did not answer") != NULL, "says so: %s", child.err);
	report(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "reaped");
	report(linux_child_start(&child, err, sizeof(err)) == 0, "restart: %s", err);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* The costs the fuzz mode depends on, printed for the record (not asserted). */
static void test_costs(void)
{
	double t0 = now_us(), op, maps, reset, rate;
	double ns = linux_mmap_munmap_ns(&child, 10000);
	int i;

	report(ns > 0, "bench: %.0f ns per mmap+munmap", ns);
	t0 = now_us();
	for (i = 0; i < 100; i++)
		linux_child_brk(&child, 0);
	op = (now_us() - t0) / 100;
	t0 = now_us();
	for (i = 0; i < 100; i++)
		linux_child_maps(&child, text, sizeof(text));
	maps = (now_us() - t0) / 100;
	t0 = now_us();
	for (i = 0; i < 100; i++) {
		linux_child_mmap(&child, 0, PAGE, RW, ANON);
		report(linux_child_reset(&child) == 0, "reset %d", i);
	}
	reset = (now_us() - t0) / 100;
	printf("  costs: op %.1f us, maps read %.1f us, mmap+reset %.1f us, kernel mmap+munmap "
	       "%.0f ns\n",
	       op, maps, reset, ns);
	rate = linux_anon_faults_per_s(&child, 64ull << 20);
	report(rate > 0, "bench fault: %s", child.err);
	printf("  kernel anonymous write faults: %.0f per second (64 MiB, timed in the child)\n",
	       rate);
	report(reset_ok(), "reset after the fault bench");
}

int main(void)
{
	char err[200];
	double t0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN(test_maps_parse);
	if (access("/proc/self/maps", R_OK) != 0) {
		printf("skipped: no /proc\n");
		return SKIPPED;
	}
	t0 = now_us();
	if (linux_child_start(&child, err, sizeof(err)) != 0) {
		printf("%s: %s\n", strstr(err, "fork") ? "skipped" : "FAIL start", err);
		return strstr(err, "fork") ? SKIPPED : 1;
	}
	printf("  start (fork+exec+initial layout): %.0f us\n", now_us() - t0);
	RUN(test_initial_layout);
	RUN(test_mmap_then_munmap);
	RUN(test_mprotect_splits);
	RUN(test_errors_are_raw);
	RUN(test_brk_grows_heap);
	RUN(test_rlimits);
	RUN(test_reset_restores_initial_maps);
	RUN(test_reset_detects_changed_initial_vma);
	RUN(test_dead_child_is_reported);
	RUN(test_long_text_in_frames);
	RUN(test_touch_read_then_write);
	RUN(test_touch_sigsegv);
	RUN(test_touch_shared);
	RUN(test_populate_residency);
	RUN(test_touch_pkru);
	RUN(test_getrusage);
	RUN(test_both_sides);
	RUN(test_no_leaks);
	RUN(test_hung_child_times_out);
	RUN(test_costs);
	linux_child_stop(&child);
	return test_summary();
}
