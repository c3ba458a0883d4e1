/* SPDX-License-Identifier: MIT */
/*
 * linux_backend.h - the live kernel as an oracle: run brk/mmap/munmap/mprotect for real
 * in a child process and read back the results and /proc/self/maps.
 *
 * How it works
 * ------------
 * linux_child_start() forks. Before execve the new process turns ASLR off
 * (personality(ADDR_NO_RANDOMIZE)) and transparent huge pages off
 * (prctl(PR_SET_THP_DISABLE)), sets RLIMIT_CORE to 0 (a child killed by one of its own
 * ops leaves no core), puts its end of an AF_UNIX socketpair on fd 3 and execs
 * mmref-linux-child (child.c): a static, non-PIE, libc-free program that never maps
 * memory on its own behalf, so its address space is fixed by its ELF file. The child
 * then empties its capability sets and serves requests (linux_protocol.h): one syscall per
 * request, the raw return value back.
 *
 * Why the child drops its capabilities (checked on this host, see FACTS.md): as root,
 * MAP_FIXED below vm.mmap_min_addr succeeds (CAP_SYS_RAWIO), RLIMIT_MEMLOCK does not
 * limit mlockall (CAP_IPC_LOCK); setrlimit could raise a hard limit with
 * CAP_SYS_RESOURCE (which root on this host does not have). The model describes an
 * unprivileged process. Dropping is clean: capset with empty sets, uid stays 0, nothing
 * in mm looks at the uid. Set
 * LINUX_CHILD_KEEP_CAPS in c->flags before start to keep them (for experiments).
 *
 * Right after start the child's state is read once into c->initial (its maps, the
 * /proc/self/stat layout fields, brk, rlimits): that is where the model starts.
 * linux_child_reset() brings the child back to exactly that state, much faster than a
 * new fork+exec, and proves it by comparing /proc/self/maps with the initial text.
 *
 * Each request is one round trip over the socket, two context switches. When parent and
 * child run on different CPUs every wake-up is a cross-CPU IPI, which costs ~3x more on
 * a VM (measured: 32 us per op instead of 10 us). LINUX_CHILD_SAME_CPU pins the calling
 * thread (for good: its affinity is not restored) and the child to the CPU the caller
 * runs on; the fuzz mode wants it, a one-off trace does not need it.
 *
 * Touches: linux_child_touch() makes the child read or write one byte; a SIGSEGV or
 * SIGBUS is caught and reported (si_code, si_addr), with the minor and major faults the
 * access took (getrusage around it). The child makes its own .data, .bss and stack top
 * resident at start, so that its RSS stays put. What is resident is read by the parent
 * (root, CAP_SYS_ADMIN): /proc/PID/pagemap and /proc/kpageflags
 * (linux_child_page_states()), RSS from /proc/PID/statm and status.
 *
 * Every call waits at most LINUX_CHILD_TIMEOUT_MS for the child. A child that died
 * (an op unmapped its own text or stack) or hung is reaped and reported in c->err
 * ("child killed by signal 11 (Segmentation fault)"); c->term_signal holds the signal.
 * After that every call fails until linux_child_stop() and a new linux_child_start().
 *
 * Locating the child binary: $MMREF_LINUX_CHILD, else mmref-linux-child next to
 * /proc/self/exe, else the path it was built at (MMREF_LINUX_CHILD_PATH).
 */
#ifndef MMREF_LINUX_BACKEND_H
#define MMREF_LINUX_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "linux_protocol.h"

#define LINUX_CHILD_TIMEOUT_MS 5000
#define LINUX_CHILD_NAME       "mmref-linux-child"

/* Returned by the int64_t calls when the child did not answer (c->err says why). */
#define LINUX_CHILD_LOST INT64_MIN

/* struct linux_child.flags, set before linux_child_start(). */
#define LINUX_CHILD_KEEP_CAPS 0x1u /* do not drop capabilities (root's view) */
#define LINUX_CHILD_SAME_CPU  0x2u /* pin the caller's thread and the child to one CPU */

#define LINUX_VMA_NAME_MAX    256
#define LINUX_LAYOUT_MAX_VMAS 64
#define LINUX_MAPS_MAX	      8192 /* bytes of initial maps text kept for reset */

/* One line of /proc/PID/maps. */
struct linux_vma {
	uint64_t start, end; /* [start, end) */
	char perms[5];	     /* "rw-p": r/-, w/-, x/-, p (private) or s (shared) */
	uint64_t offset;     /* file offset, or vm_pgoff << PAGE_SHIFT for anon */
	unsigned dev_major, dev_minor;
	uint64_t inode;
	char name[LINUX_VMA_NAME_MAX]; /* path, "[heap]", "[stack]", ... or "" (truncated) */
};

struct linux_rlimit {
	uint64_t cur, max; /* RLIM_INFINITY = UINT64_MAX */
};

/* What the model needs to start from the child's state. */
struct linux_layout {
	uint64_t start_code, end_code;	  /* /proc/self/stat fields 26, 27 */
	uint64_t start_stack;		  /* field 28 */
	uint64_t start_data, end_data;	  /* fields 45, 46 */
	uint64_t start_brk;		  /* field 47 */
	uint64_t arg_start, arg_end;	  /* fields 48, 49 */
	uint64_t env_start, env_end;	  /* fields 50, 51 */
	uint64_t brk;			  /* current brk: brk(0) */
	struct linux_rlimit rlim_data;	  /* RLIMIT_DATA */
	struct linux_rlimit rlim_as;	  /* RLIMIT_AS */
	struct linux_rlimit rlim_stack;	  /* RLIMIT_STACK */
	struct linux_rlimit rlim_memlock; /* RLIMIT_MEMLOCK */
	size_t nr_vmas;
	struct linux_vma vmas[LINUX_LAYOUT_MAX_VMAS];
};

struct linux_child {
	int pid;	 /* 0: not running */
	int fd;		 /* the parent's end of the socket */
	int pagemap_fd;	 /* /proc/PID/pagemap, opened by the parent on first use, or -1 */
	int status_fd;	 /* /proc/PID/status, likewise */
	int statm_fd;	 /* /proc/PID/statm, likewise */
	int kpageflags_fd; /* /proc/kpageflags, likewise */
	uint64_t zero_pfn; /* the zero page's PFN once kpageflags has named it, else 0 */
	unsigned flags;	 /* LINUX_CHILD_* */
	int term_signal; /* the signal that killed the child, or 0 */
	char path[512];	 /* the binary that was executed */
	char err[200];	 /* why the last call failed, one line */
	struct linux_layout initial;
	char initial_maps[LINUX_MAPS_MAX];
	size_t initial_maps_len;
	char scratch[LINUX_MAPS_MAX]; /* maps and stat text while parsing */
};

/**
 * linux_child_start - fork and exec the child; read its initial state into c->initial.
 * @c: zeroed, or stopped; c->flags may be set first
 * @err: where a one-line reason goes on failure (may be NULL)
 * @errlen: size of @err
 *
 * Returns: 0, or -1 with the reason in @err and c->err (binary not found, socketpair,
 * fork or execve failed, child died at start, unexpected initial state). On -1 no process
 * or fd is left behind.
 */
int linux_child_start(struct linux_child *c, char *err, size_t errlen);

/**
 * linux_child_stop - end the child: ask it to exit, SIGKILL it if it does not, reap it,
 * close the socket. Safe to call twice or on a child that never started.
 */
void linux_child_stop(struct linux_child *c);

/*
 * One call per syscall. Each returns the syscall's raw result: the value (address, new
 * brk, 0) or -errno, exactly as the kernel returned it; or LINUX_CHILD_LOST when the
 * child did not answer (c->err says why: died with a signal, timed out).
 */
int64_t linux_child_brk(struct linux_child *c, uint64_t addr);
/* Anonymous only: fd -1, offset 0 are implied. */
int64_t linux_child_mmap(struct linux_child *c, uint64_t addr, uint64_t len, uint64_t prot,
			 uint64_t flags);
int64_t linux_child_munmap(struct linux_child *c, uint64_t addr, uint64_t len);
int64_t linux_child_mprotect(struct linux_child *c, uint64_t addr, uint64_t len, uint64_t prot);
int64_t linux_child_mlockall(struct linux_child *c, uint64_t flags);
int64_t linux_child_munlockall(struct linux_child *c);
int64_t linux_child_setrlimit(struct linux_child *c, unsigned resource, uint64_t cur, uint64_t max);
/* @out is written only when the result is 0. */
int64_t linux_child_getrlimit(struct linux_child *c, unsigned resource, struct linux_rlimit *out);

/* What one touch did in the child (linux_child_touch()). */
struct linux_touch {
	int signo;	  /* 0: the access completed; SIGSEGV (11) or SIGBUS (7) */
	int sig_code;	  /* SEGV_MAPERR 1, SEGV_ACCERR 2, SEGV_PKUERR 4; SI_KERNEL 0x80: #GP */
	uint64_t sig_addr; /* the faulting address (0 for a #GP) */
	uint64_t minflt;  /* minor faults the access took: ru_minflt after - before */
	uint64_t majflt;  /* major faults, likewise */
};

/**
 * linux_child_touch - one user-mode access to one byte in the child: a read (movb) or a
 * write (lock orb $0: the byte keeps its value). A SIGSEGV or SIGBUS it raises is caught
 * and reported, and the child goes on. Fetches are not done (see linux_protocol.h).
 *
 * Returns: 0 with @out filled, -errno from the child, or LINUX_CHILD_LOST.
 */
int64_t linux_child_touch(struct linux_child *c, uint64_t addr, bool write,
			  struct linux_touch *out);

/**
 * linux_child_touch_pkru - linux_child_touch() with PKRU = @pkru during the access when
 * @use_pkru (every page of the child has protection key 0: PKRU bit 0 denies its reads
 * and writes, bit 1 its writes).
 *
 * Returns: as linux_child_touch(); -ENOSYS when the CPU or kernel has no protection keys.
 */
int64_t linux_child_touch_pkru(struct linux_child *c, uint64_t addr, bool write, bool use_pkru,
			       uint32_t pkru, struct linux_touch *out);

/** linux_child_getrusage - the child's ru_minflt and ru_majflt. 0, or LINUX_CHILD_LOST. */
int64_t linux_child_getrusage(struct linux_child *c, uint64_t *minflt, uint64_t *majflt);

/*
 * One page of the child as the parent sees it in /proc/PID/pagemap (present: bit 63,
 * swapped: bit 62, file page or shared anonymous: bit 61, PFN: bits 0-54, shown because
 * the parent has CAP_SYS_ADMIN) and /proc/kpageflags (KPF_ZERO_PAGE: bit 24).
 */
enum linux_page_state {
	LINUX_PAGE_NONE,   /* nothing mapped (pagemap present and swapped clear) */
	LINUX_PAGE_ZERO,   /* the shared zero page */
	LINUX_PAGE_ANON,   /* a private anonymous page */
	LINUX_PAGE_SHARED, /* a page-cache page: a file's or shmem's (MAP_SHARED|MAP_ANONYMOUS) */
	LINUX_PAGE_SWAP,   /* swapped out */
	LINUX_PAGE_NR
};

#define PM_PRESENT	(1ull << 63)
#define PM_SWAP		(1ull << 62)
#define PM_FILE		(1ull << 61)
#define PM_PFN_MASK	((1ull << 55) - 1)
#define KPF_ZERO_PAGE	24

/** linux_page_state_name - "none", "zero", "anon", "shared", "swap". */
const char *linux_page_state_name(enum linux_page_state s);

/**
 * linux_child_pagemap - the raw /proc/PID/pagemap entries of @n pages from @addr.
 *
 * Returns: 0, or -1 (c->err: open or read failed, e.g. no CAP_SYS_ADMIN for PFNs).
 */
int linux_child_pagemap(struct linux_child *c, uint64_t addr, size_t n, uint64_t *entries);

/**
 * linux_child_page_states - the state of @n pages from @addr. A present page is the zero
 * page when /proc/kpageflags says KPF_ZERO_PAGE for its PFN; once one page has been named
 * so, its PFN is remembered (c->zero_pfn) and later pages are compared with it instead (x86
 * has one zero page; the huge zero page needs THP, which the child has disabled).
 * @entries (may be NULL) receives the raw pagemap entries.
 *
 * Returns: 0, or -1 (c->err).
 */
int linux_child_page_states(struct linux_child *c, uint64_t addr, size_t n, uint8_t *states,
			    uint64_t *entries);

/**
 * linux_kpageflags - /proc/kpageflags of one PFN.
 *
 * Returns: 0 with *flags set, or -1 (c->err).
 */
int linux_kpageflags(struct linux_child *c, uint64_t pfn, uint64_t *flags);

/* The child's resident pages by kind: /proc/PID/status RssAnon, RssFile, RssShmem / 4 KiB. */
struct linux_rss {
	uint64_t anon, file, shmem;
};

/** linux_child_rss - read /proc/PID/status (~16 us). 0, or -1 (c->err). */
int linux_child_rss(struct linux_child *c, struct linux_rss *out);

/**
 * linux_child_statm - resident and shared pages from /proc/PID/statm (~2 us): resident =
 * RssAnon + RssFile + RssShmem, shared = RssFile + RssShmem (in 6.18 both are exact sums
 * of the per-CPU counters). 0, or -1 (c->err).
 */
int linux_child_statm(struct linux_child *c, uint64_t *resident, uint64_t *shared);

/**
 * linux_child_read - the text of one of the child's /proc/self files.
 * @c: a running child
 * @which: LX_FILE_MAPS, LX_FILE_STAT, LX_FILE_SMAPS or LX_FILE_STATUS
 * @buf: receives the text, always NUL-terminated when @len > 0
 * @len: size of @buf
 *
 * Returns: the text's full length (like snprintf: >= @len means truncated), or -1
 * (c->err: child lost, or the kernel's error opening or reading the file).
 */
long linux_child_read(struct linux_child *c, enum lx_file which, char *buf, size_t len);

/**
 * linux_child_maps - the child's /proc/self/maps text.
 *
 * Returns: as linux_child_read().
 */
int linux_child_maps(struct linux_child *c, char *buf, size_t len);

/**
 * linux_maps_parse - parse /proc/PID/maps text.
 * @text: NUL-terminated maps text
 * @out: receives the first @max VMAs in address order
 * @max: capacity of @out
 *
 * Returns: the number of VMAs in @text (may exceed @max: only @max were stored), or -1
 * if a line is malformed.
 */
int linux_maps_parse(const char *text, struct linux_vma *out, size_t max);

/**
 * linux_child_layout - the child's current layout: /proc/self/stat fields, brk(0),
 * RLIMIT_DATA/AS/STACK/MEMLOCK and the parsed maps.
 *
 * ASSUMPTIONS: brk(0) changes nothing (0 is below start_brk, so the kernel answers the
 * current brk).
 *
 * Returns: 0, or -1 (c->err: child lost, stat unparsable, more than
 * LINUX_LAYOUT_MAX_VMAS VMAs).
 */
int linux_child_layout(struct linux_child *c, struct linux_layout *out);

/**
 * linux_child_reset - bring the child back to its initial address space.
 *
 * Restores RLIMIT_DATA/AS/STACK/MEMLOCK from the parent (prlimit: raising a hard limit
 * needs the parent's CAP_SYS_RESOURCE), then the child does munlockall, brk back to the
 * initial brk and munmap of every gap between the initial VMAs. Then the maps are read
 * and compared with the initial text.
 *
 * Other resources set with linux_child_setrlimit() are not restored. The check sees what
 * maps shows, not VmFlags: an mprotect round trip on an initial VMA that ends with the
 * same permissions (e.g. .text r-x -> rwx -> r-x leaves VM_ACCOUNT set) passes unseen.
 *
 * Returns: 0 when /proc/self/maps equals the initial maps byte for byte and brk is the
 * initial brk; -1 otherwise (c->err names the first difference). After -1 the caller
 * stops and restarts the child (an op changed an initial VMA, e.g. mprotect of .text).
 */
int linux_child_reset(struct linux_child *c);

/**
 * linux_mmap_munmap_ns - the kernel's cost of mmap(NULL, 4096, RW, PRIVATE|ANON) plus
 * munmap, timed inside the child over @iters pairs (the socket is not counted).
 *
 * Returns: nanoseconds per pair, or a negative value (c->err) on failure.
 */
double linux_mmap_munmap_ns(struct linux_child *c, unsigned iters);

/**
 * linux_anon_faults_per_s - the kernel's demand-paging rate: the child maps @bytes of
 * private anonymous memory, writes one byte of every page (one fault each: a new zeroed
 * page, THP being off) timed in the child, and unmaps it.
 *
 * Returns: faults per second, or a negative value (c->err: the mmap failed, the child
 * was lost, or ru_minflt did not grow by one per page).
 */
double linux_anon_faults_per_s(struct linux_child *c, uint64_t bytes);

/**
 * linux_child_path - where the child binary is: $MMREF_LINUX_CHILD, else next to
 * /proc/self/exe, else the build-time path.
 *
 * Returns: 0 with the path in @buf, or -1 when none of them is an executable file.
 */
int linux_child_path(char *buf, size_t len);

#endif
