/* SPDX-License-Identifier: MIT */
/*
 * abi.h - what the guest (guest.S) and the host (kvm/vmm/) agree on: where the guest's
 * pages sit in the kernel image, the mailbox, the command and result formats, the ports
 * the guest exits through, the segment selectors. Included by C and by the assembler.
 *
 * The image: KIMAGE_PAGES frames (reserved by the model at boot, at 16 MiB physical when
 * RAM allows, else at 1 MiB) mapped at KIMAGE_VA (the kernel's _text) like kernel text:
 *
 *   page 0      header + the guest kernel's code          (ring 0)
 *   page 1, 2   the [vdso] pages: user-mode stubs          (ring 3, at the [vdso] VMA)
 *   page 3      GDT (+ the TSS at GDT_TSS_OFF)
 *   page 4      IDT
 *   page 5      mailbox: control words + commands          (host writes)
 *   page 6, 7   ring-0 stack
 *   page 8      results                                   (guest writes)
 */
#ifndef MMREF_KVM_ABI_H
#define MMREF_KVM_ABI_H

#define KIMAGE_VA    0xffffffff81000000
#define KIMAGE_PAGES 16
#define KIMAGE_VDSO_FIRST 1
#define KIMAGE_VDSO_PAGES 2

#define PG_TEXT	   0
#define PG_VDSO	   1
#define PG_GDT	   3
#define PG_IDT	   4
#define PG_MBOX	   5
#define PG_STACK   6
#define PG_RESULTS 8
#define STACK_TOP  (KIMAGE_VA + 8 * 4096)
#define MBOX_VA	   (KIMAGE_VA + PG_MBOX * 4096)
#define RES_VA	   (KIMAGE_VA + PG_RESULTS * 4096)
#define GDT_TSS_OFF 0x100

/* Header at the start of page 0 (8-byte words). */
#define HDR_MAGIC     0x31746567666572 /* "refget1" */
#define HDR_W_MAGIC   0
#define HDR_W_ENTRY   1 /* offset of the entry point in the image */
#define HDR_W_VECTORS 2 /* offset of 32 vector stubs, VEC_STUB_SIZE bytes each */
#define HDR_W_USTUB   3 /* offset of the user stubs in the [vdso] page, USTUB_SIZE each */
#define VEC_STUB_SIZE 16
#define USTUB_SIZE    16

/* Mailbox control words (byte offsets). */
#define MB_N	  0x00 /* commands in this batch */
#define MB_I	  0x08 /* the command being run (the guest advances it) */
#define MB_ACTION 0x10 /* after a fault exit: ACT_RETRY or ACT_NEXT */
#define MB_USTUB  0x18 /* user address of the user stubs (the [vdso] page) */
#define MB_FLUSH  0x20 /* ACT_RETRY: invlpg this address first (0: none) */
#define MB_CMD	  0x40 /* commands, CMD_SIZE bytes each */
#define CMD_SIZE  32
#define MB_MAX_CMDS ((4096 - MB_CMD) / CMD_SIZE)

#define ACT_RETRY 0 /* iretq: the faulting instruction runs again */
#define ACT_NEXT  1 /* abandon (or finish) the access, go on with the next command */

/* A command: op, addr, data. op: an access, or a control op (>= OP_CTL). */
#define CMD_OP	 0
#define CMD_ADDR 8
#define CMD_DATA 16
#define OPF_TYPE  0x3 /* 0 read, 1 write, 2 fetch */
#define OPF_USER  0x4 /* at CPL 3 */
#define OPF_AC	  0x8 /* RFLAGS.AC set for a CPL 0 access (stac) */
#define OP_CTL	  0x100
#define OP_INVLPG 0x100 /* invlpg addr */
#define OP_CR3	  0x101 /* mov data, %cr3 */
#define OP_PKRU	  0x102 /* wrpkru data */
#define OP_STORE  0x103 /* mov data, (addr): the guest writes its own page tables, so that
			   a shadow MMU sees the write (kvm_diff_store()) */

/* A result (guest-written), RES_SIZE bytes: vector (VEC_NONE: completed in ring 0 without
 * an exception), error code, CR2, RAX (the value read), RIP, CS. */
#define RES_VECTOR 0
#define RES_ERROR  8
#define RES_CR2	   16
#define RES_RAX	   24
#define RES_RIP	   32
#define RES_CS	   40
#define RES_SIZE   64
#define VEC_NONE   0xff

/* Ports the guest exits through (out %al). */
#define PORT_BATCH 0x10 /* the batch is done (or the guest is ready) */
#define PORT_FAULT 0x11 /* an exception: the result slot of MB_I holds it */

/* Selectors: Linux's numbers (PVM insists on them). */
#define SEL_KCODE 0x10
#define SEL_KDATA 0x18
#define SEL_UDATA 0x2b
#define SEL_UCODE 0x33
#define SEL_TSS	  0x40

#define NONCANONICAL 0x8000000000000000

#endif /* MMREF_KVM_ABI_H */
