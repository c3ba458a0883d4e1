/* SPDX-License-Identifier: MIT */
/*
 * vmm.h - a minimal KVM virtual machine monitor (in the spirit of kvmtool) for the
 * model's guest: one VM and one vCPU per run or campaign, the model's frames as the
 * guest's RAM (one memory slot at guest-physical 0), the guest (kvm/guest/) loaded into
 * the kernel image the model reserved, the CPU set up in 64-bit mode on the model's
 * page tables.
 *
 * How it works
 * ------------
 * vmm_open() opens /dev/kvm, checks the API version and every capability used, creates
 * the VM, the slot and the vCPU, gives the vCPU the host's supported CPUID, reads from it
 * what the model must know (MAXPHYADDR, SMEP, SMAP, PKU, LA57, NX, 1 GiB pages), tries
 * once whether KVM_SET_SREGS takes CR4.LA57 (CPUID may offer LA57 where KVM refuses it:
 * PVM), and names the oracle: which code walks the guest's page tables (vmm_oracle()). It fails
 * with a reason, never half-open. vmm_load_guest() copies the guest into the image and
 * builds its GDT, TSS and IDT there; vmm_set_cpu() loads CR0/CR4/EFER/CR3 (one
 * KVM_SET_SREGS, only when something changed); vmm_run() runs the vCPU to the guest's
 * next port exit, under a watchdog: a guest that hangs, triple-faults or exits in any
 * other way is an error with a reason, never a host crash. At an exit the guest's
 * registers (and CR2) come from the kvm_run page where KVM_CAP_SYNC_REGS has KVM copy
 * them (vmm_exit_regs()), without an ioctl; where the capability is missing (or
 * MMREF_KVM_NO_SYNC_REGS is set) from KVM_GET_REGS and KVM_GET_SREGS.
 */
#ifndef MMREF_KVM_VMM_H
#define MMREF_KVM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the vCPU has (from KVM_GET_SUPPORTED_CPUID), and whether KVM lets it use LA57. */
struct vmm_features {
	uint32_t maxphyaddr;
	bool smep, smap, pku, la57, nx, gbpages; /* the CPUID bits */
	bool la57_loads; /* KVM_SET_SREGS takes CR4.LA57 (probed once in vmm_open()) */
	bool amd;	 /* CPUID.0 vendor AuthenticAMD or HygonGenuine */
};

struct vmm {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem; /* guest RAM = the model's frames */
	uint64_t mem_size;
	struct vmm_features feat;
	char la57_why[160]; /* why the vCPU has no 5-level paging ("" when it has) */
	char oracle[96];
	/* The control registers last loaded (0 before the first vmm_set_cpu()). */
	uint64_t cr0, cr3, cr4, efer;
	bool sregs_valid;
	uint64_t exits;	  /* KVM_RUN returns */
	uint64_t run_ns;  /* time spent in vmm_run() (the guest and KVM, not the host) */
	bool shadow;	  /* KVM walks the guest's tables in software (PVM, ept=0, npt=0) */
	uint64_t resyncs; /* vmm_resync() calls */
	bool sync_regs;	  /* KVM_CAP_SYNC_REGS with the GPRs and special registers */
	bool sync_sregs;  /* have KVM sync the special registers (CR2) at each exit too */
};

/* The guest's registers at an exit, as the host reads them. */
struct vmm_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, rip, rflags;
};

/**
 * vmm_open() - a VM over mem (size bytes, page-aligned) and its vCPU. Returns 0, or -1
 * with the reason in why (no /dev/kvm, wrong API version, a missing capability, ...).
 */
int vmm_open(struct vmm *v, void *mem, uint64_t size, char *why, size_t whylen);

/**
 * vmm_has_la57() - whether the guest can run with 5-level paging: CPUID offers LA57 and
 * KVM_SET_SREGS took CR4.LA57 when vmm_open() tried it. Where not, v->la57_why says why.
 */
bool vmm_has_la57(const struct vmm *v);

/** vmm_close() - destroy the vCPU and the VM. */
void vmm_close(struct vmm *v);

/**
 * vmm_load_guest() - copy the guest into the image at image_phys (inside mem), build its
 * descriptor tables, and point the vCPU at its entry with stack, segments and TSS.
 * Returns 0, or -1 with a reason.
 */
int vmm_load_guest(struct vmm *v, uint64_t image_phys, char *why, size_t whylen);

/* The paging-related CPU state the guest runs under. */
struct vmm_cpu {
	bool wp, smep, smap, pke, la57, nxe;
	uint64_t cr3;
};

/**
 * vmm_set_cpu() - load CR0.WP, CR4.SMEP/SMAP/PKE/LA57, EFER.NXE and CR3 (with
 * KVM_SET_SREGS, only if one differs from what is loaded). A mode the vCPU lacks is
 * refused: -1 with a reason.
 */
int vmm_set_cpu(struct vmm *v, const struct vmm_cpu *c, char *why, size_t whylen);

/**
 * vmm_run() - run until the guest writes to an I/O port; returns the port, or -1 with a
 * reason (hang past the watchdog, shutdown/triple fault, an unexpected exit or error).
 */
int vmm_run(struct vmm *v, char *why, size_t whylen);

/**
 * vmm_resync() - make KVM forget every shadow page table it built from guest memory.
 * Host writes to guest page tables are invisible to a shadow MMU (it tracks the guest's
 * own writes only), so after the host changed or removed a present entry, an invlpg in
 * the guest alone would leave KVM's copy stale. Recreating the memory slot makes every
 * shadow page obsolete. A no-op where the hardware walks (EPT, NPT). Returns 0 or -1.
 */
int vmm_resync(struct vmm *v, char *why, size_t whylen);

/**
 * vmm_exit_regs() - the guest's registers at the last exit, and CR2 when cr2 is not
 * NULL: from the kvm_run page (KVM_CAP_SYNC_REGS; CR2 there when sync_sregs is set),
 * else by KVM_GET_REGS and KVM_GET_SREGS. Returns 0, or -1 with a reason.
 */
int vmm_exit_regs(struct vmm *v, struct vmm_regs *r, uint64_t *cr2, char *why, size_t whylen);

/**
 * vmm_set_rip() - where the guest goes on at the next vmm_run() (after an exit whose
 * registers were read with vmm_exit_regs()). Returns 0, or -1 with a reason.
 */
int vmm_set_rip(struct vmm *v, uint64_t rip, char *why, size_t whylen);

/**
 * vmm_return() - the guest goes on at rip with rsp and rflags at the next vmm_run(), as
 * an IRETQ to code of the same privilege would send it (without the guest running it).
 * Only through the kvm_run page: false where KVM_CAP_SYNC_REGS is missing (the caller
 * lets the guest's own IRETQ run).
 */
bool vmm_return(struct vmm *v, uint64_t rip, uint64_t rsp, uint64_t rflags);

/** vmm_guest_header() - the built-in guest image's header words (abi.h, HDR_W_*). */
const uint64_t *vmm_guest_header(void);

/** vmm_oracle() - which code walks the guest's page tables, e.g. "PVM shadow MMU". */
const char *vmm_oracle(const struct vmm *v);

#endif /* MMREF_KVM_VMM_H */
