/* SPDX-License-Identifier: MIT */
/*
 * driver.h - the live-kernel differential: the model and the host kernel (a child process,
 * linux_backend.h) run the same address-space operations, and every result and the whole
 * /proc/PID/maps are compared after every operation.
 *
 * How it works
 * ------------
 * Each `process` of a trace starts a child and imports its starting state into an
 * mm_layout (linux_import_layout()): every line of its maps becomes a VMA with the flags
 * Linux gives such a mapping (a file's writable private segment and anonymous writable
 * memory carry VM_ACCOUNT; [stack] VM_GROWSDOWN; [vvar], [vvar_vclock] and [vdso] are
 * special mappings that never merge; [vsyscall] is the gate area, not a VMA), and the
 * mm fields and rlimits come from /proc/PID/stat and getrlimit. The model's process is
 * created from that layout, so both sides start equal.
 *
 * Then each op runs on both sides. brk, mmap, munmap, mprotect, mlockall, munlockall and
 * rlimit are system calls in the child; their return values (errno included) must equal
 * the model's. After each of them, the model's maps (harness/dump.c) and the child's
 * /proc/self/maps must be equal line by line; a shared anonymous mapping's inode is
 * compared through the pairing established when it first appeared (the kernel numbers
 * shmem inodes its own way). Ops with no system call (kmalloc, find_vma, ...) run on
 * the model only; `sysctl` is refused, since a vm.* sysctl is machine-wide.
 *
 * Memory, too: after each system call the state of every page it may have changed (none,
 * the zero page, anonymous, shared: the model's PTE against the child's pagemap and
 * kpageflags) and RSS (the model's rss_anon against statm's resident pages, both since
 * the process started). A user-mode `touch ADDR r|w` runs in the child as well; per touch
 * the outcome (done, or SIGSEGV with si_code and si_addr), the number of faults Linux
 * counts (ru_minflt: the model's anon, zero-page, COW, shmem and spurious steps), the
 * page's state afterwards and RSS must agree. Kernel-mode and implicit touches and
 * fetches run on the model only; the child's own initial VMAs are compared for the
 * outcome only. linux/README.md has the details.
 */
#ifndef MMREF_LINUX_DRIVER_H
#define MMREF_LINUX_DRIVER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "linux_backend.h"
#include "trace.h"

/**
 * linux_import_layout() - the model's starting layout for the child's state in. File
 * names go to v's file table. Returns 0, or -1 with a reason in err (a maps line the
 * model cannot represent, too many VMAs, a full file table).
 */
int linux_import_layout(struct vma_pool *v, const struct linux_layout *in, struct mm_layout *out,
			char *err, size_t errlen);

/**
 * linux_check_trace() - run t on the model and the kernel side by side. At the first
 * difference print the op, both results and both maps side by side to out and return 1;
 * when all agree print "check --backend linux: N ops compared, all agree" and return 0.
 * Returns 2 when t has an op the backend cannot run (sysctl, a profile other than
 * linux-6.18), and -1 when the child cannot be run here (message on out).
 */
int linux_check_trace(const struct trace *t, FILE *out);

/* What one op showed on both sides (linux_check_ops()). */
struct linux_op_facts {
	bool kernel_ran;	/* a system call ran in the child too */
	bool touch;		/* a touch ran on both sides */
	int model_sig_code;	/* touch: si_code of the SIGSEGV, 0 when none */
	int kernel_sig_code;
	unsigned model_faults;	/* touch: the faults Linux would count (see driver.c) */
	uint64_t kernel_faults; /* touch: ru_minflt + ru_majflt it took */
	uint8_t model_page;	/* touch: enum linux_page_state of the page afterwards */
	uint8_t kernel_page;
	int64_t model_rss;	/* rss_anon since the process started, pages */
	int64_t kernel_rss;	/* statm resident pages since then */
};

/**
 * linux_check_ops() - as linux_check_trace(), for ops given as struct mm_op (the first
 * one a `process`); ram is the model's RAM. When facts is not NULL, facts[i] receives what
 * op i showed. Returns as linux_check_trace(); prints only differences and errors.
 */
int linux_check_ops(const struct mm_op *ops, uint32_t n, uint64_t ram, FILE *out,
		    struct linux_op_facts *facts);

/* What linux_fuzz() did. */
struct linux_fuzz_stats {
	uint64_t sequences;
	uint64_t ops;
	uint64_t touches; /* of the ops: touches compared on both sides */
	double seconds;
};

/**
 * linux_fuzz() - random op sequences (seeded; ops in an arena under the special
 * mappings, around the heap, and the error cases) run on the model and the kernel,
 * compared after every op; the child is reset between sequences. Stops after seconds
 * or max_sequences (0: no limit), or at the first difference: then the sequence is
 * printed to out as a .mmt reproducer (with the difference as comments) and 1 is
 * returned. 0 when all agreed, -1 when the child cannot be run.
 */
int linux_fuzz(double seconds, uint64_t max_sequences, uint64_t seed, FILE *out,
	       struct linux_fuzz_stats *stats);

#endif /* MMREF_LINUX_DRIVER_H */
