/* SPDX-License-Identifier: MIT */
/*
 * kvm_fuzz.h - what the KVM fuzz targets (fuzz_kvm_walk, fuzz_kvm_mm) share: one VM for
 * the whole campaign, a snapshot of the model and the guest taken once, and a fast reset
 * to it before every input.
 *
 * How it works
 * ------------
 * The first input opens the differential loop (kvm_diff_open(), kvm_diff_start()), lets
 * the target build its fixed set-up (tables, processes), and snapshots: the guest RAM,
 * the struct machine and the struct page array are copied aside, and the two large ones
 * (RAM, machine) are write-protected with userfaultfd in asynchronous mode
 * (UFFD_FEATURE_WP_ASYNC): the kernel resolves each first write to a page itself and
 * remembers it. That covers the model's writes and the guest's alike (KVM writes guest
 * RAM through the same host page tables). Before each later input the reset
 *
 *   1. brings a guest paused at a fault back to its idle loop (ACT_NEXT, an empty batch);
 *   2. asks PAGEMAP_SCAN for the pages written since the last reset, copies those pages
 *      back from the snapshot and write-protects them again; copies the small struct
 *      page array whole;
 *   3. restores the kvm_diff fields (queue, token, flags) but keeps the live vCPU state,
 *      marks the vCPU's control registers stale (the next access reloads CR0/CR4/EFER/CR3
 *      with KVM_SET_SREGS) and calls vmm_resync(): the host rewrote guest memory under
 *      KVM's shadow MMU.
 *
 * Where userfaultfd or PAGEMAP_SCAN (Linux 6.7) is missing, every reset copies the three
 * objects whole instead (slow: the struct machine is about 19 MB). kvm_fuzz_stats() says
 * which way it runs and what a reset costs.
 *
 * Hangs: vmm_open() installs a SIGALRM watchdog. libFuzzer's own SIGALRM handler (its
 * -timeout) is kept by chaining: both run on every SIGALRM.
 *
 * KVM missing (no /dev/kvm, no permission): the libFuzzer binary prints one SKIP line and
 * takes every input as uninteresting; the replay binary (built with
 * MMREF_KVM_FUZZ_REPLAY) exits 77, which CTest counts as skipped.
 */
#ifndef MMREF_FUZZ_KVM_FUZZ_H
#define MMREF_FUZZ_KVM_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvm_diff.h"

/*
 * kvm_fuzz_begin() - the differential loop ready for one input: on the first call, open
 * it with ram bytes of guest RAM, run setup(d) once (0 on success, else a message in
 * why) and snapshot; on later calls, reset to the snapshot. Returns NULL when the input
 * is to be skipped (KVM unavailable). A set-up or reset that fails is a broken harness:
 * it prints why and aborts.
 *
 * mark_tables: NULL, or how to find the RAM frames that may be guest page tables an input
 * changes: it sets map[pfn] for each (the snapshot's are kept too). Those are the only
 * pages KVM's shadow MMU can hold a stale copy of once the host has put them back (A/D
 * bits of the kernel's own tables aside, which no compared walk reads). The reset then
 * stores their changed words again through the guest (kvm_diff_store()) and reloads CR3
 * in the guest instead of vmm_resync(), and leaves the vCPU's registers as they are;
 * unless a process owes a TLB flush or the loop an emptied TLB (freed tables KVM may
 * still shadow), or a frame is a table now that was none at the snapshot (KVM would keep
 * its shadow page, write-protected and trusted, after the host reuses the frame): only a
 * resync makes KVM forget those.
 *
 * lazy: the stores (and no CR3 reload) are only queued, to run in the input's first
 * batch; the target promises an invlpg or a CR3 reload before each of its accesses
 * wherever CR3 stays what it was, and no access before its stores run (stores in a batch
 * run first). Otherwise they run at once, on the snapshot's CR3, with a CR3 reload.
 */
struct kvm_diff *kvm_fuzz_begin(const char *target, uint64_t ram,
				int (*setup)(struct kvm_diff *d, char *why, size_t len),
				void (*mark_tables)(const struct kvm_diff *d, uint8_t *map),
				bool lazy);

/*
 * kvm_fuzz_verdict() - after a step: KVM_AGREE -> true (go on); KVM_UNSUPPORTED -> false
 * (skip the rest of the input); KVM_DIFFER or KVM_BROKEN -> a finding: print what,
 * d->report and the oracle, then abort() (libFuzzer keeps the input).
 */
bool kvm_fuzz_verdict(struct kvm_diff *d, enum kvm_verdict v, const char *what);

/* How the resets went (printed at exit when MMREF_KVM_FUZZ_STATS is set). */
struct kvm_fuzz_stats {
	bool tracked; /* userfaultfd dirty tracking (false: whole copies) */
	uint64_t resets;
	uint64_t pages_copied;	   /* 4 KiB pages copied back, over all resets */
	double reset_us;	   /* time in resets, microseconds, resync included */
	double resync_us;	   /* of which vmm_resync() */
	uint64_t slow_resyncs;	   /* vmm_resync() calls over 1 ms (KVM waits for an SRCU grace
				  period; on a busy host the wake-up comes late) */
	uint64_t guest_stores;	   /* table words put back through the guest (mark_tables) */
	uint64_t resync_resets;	   /* resets that resynced */
	uint64_t new_table_resets; /* of them: a page table the snapshot does not have */
};
struct kvm_fuzz_stats kvm_fuzz_stats(void);

/*
 * KVM_FUZZ_REPLAY_INIT(begin) - in the replay binary (MMREF_KVM_FUZZ_REPLAY), an
 * LLVMFuzzerInitialize() that runs begin, the target's kvm_fuzz_begin() call, before the
 * first input: where KVM cannot run, the replay test skips (77) there. Nothing in the
 * libFuzzer binary.
 */
#ifdef MMREF_KVM_FUZZ_REPLAY
#define KVM_FUZZ_REPLAY_INIT(begin)                                                                \
	int LLVMFuzzerInitialize(int *argc, char ***argv);                                         \
	int LLVMFuzzerInitialize(int *argc, char ***argv)                                          \
	{                                                                                          \
		(void)argc;                                                                        \
		(void)argv;                                                                        \
		(void)(begin);                                                                     \
		return 0;                                                                          \
	}
#else
#define KVM_FUZZ_REPLAY_INIT(begin)
#endif

#endif /* MMREF_FUZZ_KVM_FUZZ_H */
