/* SPDX-License-Identifier: MIT */
/*
 * abi.h - what the guest (guest.S) and the host (kvm/vmm/) agree on: where the guest's
 * pages sit in the kernel image, the batch code and the user command page, the ports
 * the guest exits through, the segment selectors. Included by C and by the assembler.
 *
 * The image: KIMAGE_PAGES frames (reserved by the model at boot, at 16 MiB physical when
 * RAM allows, else at 1 MiB) mapped at KIMAGE_VA (the kernel's _text) like kernel text:
 *
 *   page 0      header + the guest kernel's fixed code         (ring 0)
 *   page 1      [vdso] page 1: user stubs and the user loop    (ring 3, at the [vdso] VMA)
 *   page 2      [vdso] page 2: the user loop's commands        (host writes, ring 3 reads)
 *   page 3      GDT (+ the TSS at GDT_TSS_OFF)
 *   page 4      IDT
 *   page 5      mailbox: a control word, the kernel reads' values (guest writes)
 *   page 6, 7   ring-0 stack
 *   page 8, 9   the batch: ring-0 code the host writes for each batch of commands
 *
 * The host writes each batch of ring-0 commands (accesses, invlpg, CR3 loads, ...) as
 * straight-line code, two or three instructions a command, ended by a jump to op_end.
 * Nothing in the guest stores an outcome but a kernel read (its value, into the
 * mailbox): the host reads vector (the port), error code, RIP, CS, RFLAGS (the exception
 * frame on the ring-0 stack), CR2 and the registers (KVM_CAP_SYNC_REGS) at the exit.
 */
#ifndef MMREF_KVM_ABI_H
#define MMREF_KVM_ABI_H

#define KIMAGE_VA	  0xffffffff81000000
#define KIMAGE_PAGES	  16
#define KIMAGE_VDSO_FIRST 1
#define KIMAGE_VDSO_PAGES 2

#define PG_TEXT	    0
#define PG_VDSO	    1
#define PG_UCMD	    2 /* the second [vdso] page */
#define PG_GDT	    3
#define PG_IDT	    4
#define PG_MBOX	    5
#define PG_STACK    6
#define PG_BATCH    8
#define BATCH_PAGES 2
#define STACK_TOP   (KIMAGE_VA + 8 * 4096)
#define MBOX_VA	    (KIMAGE_VA + PG_MBOX * 4096)
#define BATCH_VA    (KIMAGE_VA + PG_BATCH * 4096)
#define GDT_TSS_OFF 0x100

/* Header at the start of page 0 (8-byte words): offsets from the image's start (ring-0
 * code) or from the [vdso] page's start (user code, which runs wherever the VMA is). */
#define HDR_MAGIC	0x33746567666572 /* "refget3" */
#define HDR_W_MAGIC	0
#define HDR_W_ENTRY	1  /* the entry point */
#define HDR_W_VECTORS	2  /* 32 vector stubs, VEC_STUB_SIZE bytes each */
#define HDR_W_END	3  /* ring 0: out PORT_BATCH, then the batch from its start */
#define HDR_W_USER	4  /* ring 0: iretq to ring 3 at %rax */
#define HDR_W_FLUSH	5  /* ring 0, in the #PF stub: invlpg MB_FLUSH, then retry */
#define HDR_W_USTUB	6  /* [vdso]: the user stubs, USTUB_SIZE each, by access type */
#define HDR_W_ULOOP	7  /* [vdso]: the user loop's start */
#define HDR_W_UNEXT	8  /* [vdso]: the user loop's next command */
#define HDR_W_UEND	9  /* [vdso]: the user loop's end (ud2) */
#define HDR_W_UMISMATCH 10 /* [vdso]: a read returned another value (ud2; RAX holds it) */
#define HDR_W_UACCESS	11 /* [vdso]: the user loop's read instruction */
#define HDR_W_UACCESS_W 12 /* [vdso]: the user loop's write instruction */
#define HDR_WORDS	13
#define VEC_STUB_SIZE	16
#define USTUB_SIZE	16

/* Mailbox (byte offsets): a control word, then one word a command: a kernel read's value. */
#define MB_FLUSH    0x00 /* the address HDR_W_FLUSH invalidates */
#define MB_RES	    0x40 /* 8 bytes a command */
#define MB_MAX_CMDS 126	 /* commands in a batch */
#define CMD_CODE    64	 /* bytes of batch code a command takes at most */

/*
 * The ring-0 commands, as the host writes them (kvm_diff.c). A command that leaves the
 * batch code (a fetch, an entry to ring 3) first loads its index into rsi, so that an
 * exception there names it.
 */
#define GOP_READ  0 /* movabs addr, %rax; movabs %rax, MB_RES[i] */
#define GOP_WRITE 1 /* movabs $data, %rax; movabs %rax, addr */
#define GOP_FETCH 2 /* jmp to addr (ends in an exception: the host places ud2 at a target) */
#define GOP_USER                                                                                   \
	3	     /* iretq to ring 3 at x with rdi = addr, rdx = data (a user stub, the
		      * user loop) */
#define GOP_INVLPG 4 /* invlpg (addr) */
#define GOP_CR3	   5 /* mov data, %cr3 */
#define GOP_STORE                                                                                  \
	6	     /* as GOP_WRITE: the guest writes its own page tables, so that a
		      * shadow MMU sees the write (kvm_diff_store()) */
#define GOP_PKRU   7 /* wrpkru data */
#define GOP_RFLAGS 8 /* popfq data (RFLAGS.AC for CPL-0 accesses: stac needs SMAP) */
#define GOP_END	   9 /* jmp op_end */

/* The user loop's commands, in the [vdso]'s second page: op, addr, data (the value a
 * read must return; what a write stores). The loop ends at the first UOP_END. */
#define UCMD_OP	  0
#define UCMD_ADDR 8
#define UCMD_DATA 16
#define UCMD_SIZE 32
#define UCMD_MAX  (4096 / UCMD_SIZE)
#define UOP_READ  0
#define UOP_WRITE 1
#define UOP_END	  2

/* Ports the guest exits through (out %al). */
#define PORT_BATCH 0x10 /* GOP_END: the batch is done (or the guest is ready) */
#define PORT_EXC   0x20 /* + vector: an exception; the guest waits in the vector's stub */

/* Selectors: Linux's numbers (PVM insists on them). */
#define SEL_KCODE 0x10
#define SEL_KDATA 0x18
#define SEL_UDATA 0x2b
#define SEL_UCODE 0x33
#define SEL_TSS	  0x40

#define NONCANONICAL 0x8000000000000000

#endif /* MMREF_KVM_ABI_H */
