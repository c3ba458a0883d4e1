/* SPDX-License-Identifier: MIT */
/*
 * kvm_diff.h - the KVM differential loop: the model predicts every access with
 * mmu_walk(), the guest performs it on the model's own page tables, and the host compares
 * fault or not, vector, error code, CR2, the data, and the accessed/dirty bits at every
 * level against the model's allowed set; then the model's fault handler runs (its
 * page-table writes land in guest memory) and the guest retries the access, or abandons
 * it as the kernel would (SIGSEGV, SIGBUS, OOM, oops, -EFAULT).
 *
 * How it works
 * ------------
 * kvm_diff_open() creates a model machine whose RAM is the guest's, with the kernel
 * image reserved (machine_set_kimage()) for the guest; the VM is created then, the guest
 * started at the first access. Between accesses the model runs alone (mmap, munmap, ...);
 * the TLB invalidations it owes (mm->tlb_flush_start/end: invlpg per page up to Linux's
 * tlb_single_page_flush_ceiling of 33 pages, a CR3 reload beyond) and the CPU state
 * (CR0/CR4/EFER/CR3 through KVM_SET_SREGS, PKRU by wrpkru in the guest) follow it to the
 * guest before the next access, in the same batch. The model has no TLB: its prediction
 * is the walk of an empty one, so after a `cpu` op (a mode change Linux never makes
 * without a flush) the guest's TLB is emptied too. Accesses from the sweep and the
 * benchmarks skip the fault handler (kvm_diff_walk()): raw page tables, one walk each.
 *
 * A difference is a finding: kvm_diff_report() says it kvm-unit-tests style (the entry
 * of every level with its flag names, the CPU mode, expected and observed outcome).
 */
#ifndef MMREF_KVM_DIFF_H
#define MMREF_KVM_DIFF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "trace.h"
#include "vmm.h"

struct kvm_diff_stats {
	uint64_t ops;	     /* ops applied */
	uint64_t accesses;   /* accesses performed by the guest and compared */
	uint64_t faults;     /* of them: #PF/#GP the guest took */
	uint64_t model_only; /* touches the guest cannot perform (implicit accesses) */
	uint64_t flushes;    /* invlpg and CR3 reloads sent */
	uint64_t hole;	     /* touches in PVM's hypervisor hole, not compared (model only) */
};

/* Where the guest stopped at its last exit (KVM_CTX_*: which code it was running). */
enum { KVM_CTX_KERNEL, KVM_CTX_USTUB, KVM_CTX_ULOOP };

struct kvm_exit {
	int port;		  /* PORT_BATCH (the batch ended), or PORT_EXC + vector */
	uint32_t vector;	  /* 0xff at PORT_BATCH */
	uint64_t error;		  /* the frame's error code (0 for a vector that pushes none) */
	uint64_t cr2;		  /* at a #PF */
	uint64_t rip, cs, rflags; /* the exception frame */
	uint64_t frame;		  /* the guest address of the frame's RIP word */
	uint64_t rax;		  /* at the exception */
	int ctx;		  /* ring 0, a user stub it entered, the user loop */
	uint32_t cmd;		  /* the command of that loop it stopped at (UINT32_MAX: none) */
};

#define KVM_DIFF_MAX_CMDS 128

struct kvm_diff {
	struct vmm vmm;
	struct trace_exec x; /* the model machine; its RAM is the guest's */
	uint64_t kimage_phys;
	uint8_t *image; /* the image in host memory */
	bool vm_open, started;
	bool paused;			/* the guest waits in an exception stub (ex says where) */
	struct kvm_exit ex;		/* the last exit */
	uint32_t queued;		/* ring-0 commands written for the next batch ... */
	uint32_t code_len;		/* ... as code of that many bytes */
	uint32_t batch_n;		/* the commands of the batch run last (or being written) */
	uint8_t ops[KVM_DIFF_MAX_CMDS]; /* their ops (abi.h GOP_*) */
	uint64_t cmd_rip[KVM_DIFF_MAX_CMDS]; /* where each one's code starts (and ends) */
	uint64_t acc_rip[KVM_DIFF_MAX_CMDS]; /* its access instruction (reads, writes) */
	uint32_t access_cmd;		     /* the single access's command in the batch run last */
	bool in_uloop;			     /* the batch run last entered the user loop ... */
	uint64_t uloop_vdso;		     /* ... at this [vdso] */
	bool ac_loaded;			     /* RFLAGS.AC in ring 0 */
	uint32_t pkru;			     /* PKRU loaded in the guest */
	bool pkru_loaded;
	uint64_t token;	   /* the next value a write stores */
	bool flush_all;	   /* a CPU mode changed: empty the TLB before the next access */
	bool store_failed; /* a full batch of stores did not run */
	bool mutate;	   /* the checker's own test: flip W in every predicted #PF error
			       code, so that each faulting access must be found to differ */
	bool mutate_paddr; /* the same: move every predicted physical address of a read
			       by a page, so that each completed read must be found to differ */
	struct kvm_diff_stats st;
	char report[4096]; /* the last difference */
};

/**
 * kvm_diff_open() - a model machine of ram bytes and a VM over it. Returns 0, 77 when
 * KVM cannot run here (no /dev/kvm, no permission, ...; the reason in why), or -1 with a
 * reason (the RAM is too small for the guest, no host memory).
 */
int kvm_diff_open(struct kvm_diff *d, uint64_t ram, uint32_t nr_slots, char *why, size_t whylen);

void kvm_diff_close(struct kvm_diff *d);

/* What one step gave. */
enum kvm_verdict {
	KVM_AGREE,	 /* the guest did what the model predicted */
	KVM_DIFFER,	 /* a difference: d->report says it */
	KVM_UNSUPPORTED, /* the vCPU lacks a mode the op sets ("unsupported on this vCPU"),
			    or the backend does not do what it asks ("unsupported by the KVM
			    backend"): d->report */
	KVM_BROKEN,	 /* the guest or KVM failed (hang, triple fault): d->report */
};

/**
 * kvm_diff_op() - apply one trace op: a touch runs in the guest and is compared; any
 * other op runs on the model (and a cpu op also reaches the vCPU). *res gets the
 * model's result (for a touch: the faults met as touch() would report them).
 */
enum kvm_verdict kvm_diff_op(struct kvm_diff *d, const struct trace_op *op, struct mm_result *res);

/**
 * kvm_diff_mm_op() - kvm_diff_op() for an op already decoded (no bindings): a touch runs
 * in the guest and is compared, any other op runs on the model (a cpu op also reaches
 * the vCPU). For callers that make struct mm_op themselves (fuzz/fuzz_kvm_mm.c).
 */
enum kvm_verdict kvm_diff_mm_op(struct kvm_diff *d, const struct mm_op *op, struct mm_result *res);

/** kvm_diff_vdso_start() - where mm's [vdso] VMA starts (the guest's user code), or 0. */
uint64_t kvm_diff_vdso_start(const struct kvm_diff *d, const struct mm_struct *mm);

/**
 * kvm_diff_start() - boot the model if needed, build the kernel page tables, load and
 * start the guest (on the current process's tables, or the kernel's). Touches do it
 * themselves; a caller that writes raw tables (kvm_diff_store()) calls it first.
 */
enum kvm_verdict kvm_diff_start(struct kvm_diff *d);

/**
 * kvm_diff_store() - write value at paddr of the model's memory, and have the guest
 * store it there too (queued, run before the next access): how raw page tables are
 * written, so that a shadow MMU, which sees only the guest's own writes, stays exact.
 */
void kvm_diff_store(struct kvm_diff *d, uint64_t paddr, uint64_t value);

/**
 * kvm_diff_walk() - one access on raw page tables: predict with mmu_walk() from cr3
 * under the machine's CPU state, perform it in the guest, compare, and abandon it if it
 * faulted (no fault handler). The tables are written with kvm_diff_store() beforehand;
 * the kernel half of cr3's table must be the kernel's (the guest runs there), and for a
 * user access the user stubs (the image's first [vdso] page, env.kimage_vdso_pfn) must be
 * mapped user-executable at stub. The guest's TLB is the caller's business (invlpg:
 * kvm_diff_flush()).
 */
enum kvm_verdict kvm_diff_walk(struct kvm_diff *d, uint64_t cr3, uint64_t stub, uint64_t addr,
			       struct access acc, struct walk *predicted);

/** kvm_diff_flush() - queue an invlpg of addr (0: a CR3 reload) before the next access. */
void kvm_diff_flush(struct kvm_diff *d, uint64_t addr);

/**
 * kvm_diff_touches() - n accesses acc (reads or writes, 8-aligned, on distinct pages) of
 * the current process in one batch: kernel-mode ones by ring-0 batch code, user-mode ones
 * by the user loop, which runs natively at CPL 3 from the process's [vdso] and checks
 * each read against the predicted value itself. The guest exits only at a fault (after
 * which the model's handler runs and the guest retries) and once at the end. Every
 * access and fault is compared as by a touch. Faults that end an access (SIGSEGV, ...)
 * or owe a flush are refused (KVM_UNSUPPORTED): this is the fast path for demand paging
 * and hits, used by `bench kvm`.
 */
enum kvm_verdict kvm_diff_touches(struct kvm_diff *d, const uint64_t *addrs, uint32_t n,
				  struct access acc);

/**
 * kvm_diff_floor() - the cost floor of a guest #PF round trip, for `bench kvm`: n kernel
 * reads of pages whose PTE (only) is missing, in one batch; at each fault the host writes
 * the PTE (the zero page, read-only) straight into memory and the guest retries. No
 * prediction, no comparison, no fault handler: the model's tables are not kept
 * consistent with its VMAs, so use a machine for nothing else. 0, or -1.
 */
int kvm_diff_floor(struct kvm_diff *d, const uint64_t *addrs, uint32_t n);

/**
 * kvm_diff_quiesce() - a guest waiting at an exception goes back to ring 0 (op_end),
 * ready for a batch; queued commands stay queued. Returns 0, or -1 with a reason.
 */
int kvm_diff_quiesce(struct kvm_diff *d, char *why, size_t whylen);

/**
 * kvm_diff_run_queued() - run the queued commands now (or quiesce, when none are): the
 * guest then waits in its loop. Returns 0, or -1 with a reason (an exception in one).
 */
int kvm_diff_run_queued(struct kvm_diff *d, char *why, size_t whylen);

/** kvm_diff_describe_exit() - print where the guest stopped last (for a broken run). */
void kvm_diff_describe_exit(const struct kvm_diff *d, FILE *out);

/** kvm_diff_check_trace() - `mmref check --backend kvm`: 0 agree, 1 differ, 2 unsupported,
 * 3 KVM unavailable (skip), -1 broken. Prints a summary or the difference to out. */
int kvm_diff_check_trace(const struct trace *t, FILE *out);

#endif /* MMREF_KVM_DIFF_H */
