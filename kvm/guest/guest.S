/* SPDX-License-Identifier: MIT */
/*
 * guest.S - the KVM backend's fixed guest code: the entry, the end of a batch, the way
 * into ring 3, one two- or three-instruction stub per exception vector, and, in the
 * [vdso], the user stubs and a ring-3 loop that performs a list of user accesses
 * natively. The batches of ring-0 commands themselves are code the host writes (page 8,
 * kvm_diff.c). abi.h has the layout.
 *
 * How it works
 * ------------
 * Under PVM, ring-0 code is run by KVM's instruction emulator (0.25 us an instruction
 * idle, several under load) and ring-3 code natively; so the guest keeps ring 0 to the
 * fewest instructions and records nothing the host can read itself:
 *
 *   a batch (host-written)  movabs 0xADDR, %rax; movabs %rax, MB_RES+8*i    (a read)
 *                           movabs $DATA, %rax; movabs %rax, 0xADDR         (a write)
 *                           ...; jmp op_end
 *   op_end                  out %al, $PORT_BATCH; jmp the batch (rewritten meanwhile)
 *   a stub                  out %al, $PORT_EXC+v; [add $8, %rsp;] iretq
 *   the user loop           reads compared in the loop with the value the host expects;
 *                           it stops (ud2) at a mismatch or at the end, at a fault only
 *                           through #PF
 *
 * At an exception exit the host reads the vector from the port, RSP and the registers
 * from KVM_CAP_SYNC_REGS, the error code, RIP, CS and RFLAGS from the frame at RSP, CR2
 * from the synced special registers; the guest waits in the stub. The host then sends it
 * on: a retry in ring 0 by writing RIP, RSP and RFLAGS from the frame itself (the stub's
 * return not emulated), else by letting the stub return, after rewriting the frame to
 * go elsewhere (the batch's start, the user loop) or moving RIP to flush_retry (a retry
 * after invlpg, for COW).
 *
 * Registers: rsi = the command (a ring-0 command leaving the batch code loads its index;
 * the user loop points it at its command), rdi = an address, rdx = data, rax = a value.
 */
#include "abi.h"

	.section .text.head, "ax"
	.code64
	.globl guest_image
guest_image:
	.quad HDR_MAGIC
	.quad entry - guest_image
	.quad vectors - guest_image
	.quad op_end - guest_image
	.quad op_user - guest_image
	.quad flush_retry - guest_image
	.quad ustubs - ustub_page
	.quad uloop - ustub_page
	.quad unext - ustub_page
	.quad uend - ustub_page
	.quad umismatch - ustub_page
	.quad uread - ustub_page
	.quad uwrite - ustub_page

entry:
	movabs $STACK_TOP, %rsp
op_end:				/* the end of a batch; then the next one, written meanwhile */
	out %al, $PORT_BATCH
	jmp BATCH_VA

op_user:			/* iretq to ring 3 at rax; it comes back through an exception */
	pushq $SEL_UDATA
	pushq $0
	pushq $2
	pushq $SEL_UCODE
	push %rax
	iretq

/* Reached only by the host moving RIP here from the #PF stub (after its out): invlpg
 * the mailbox's MB_FLUSH, then retry the faulting instruction. */
flush_retry:
	push %rax
	movabs $(MBOX_VA + MB_FLUSH), %rax
	mov (%rax), %rax
	invlpg (%rax)
	pop %rax
	add $8, %rsp
	iretq

/* Vector stubs: exit through the vector's port, drop the error code where the CPU pushes
 * one, return to what the host made of the frame. */
	.balign VEC_STUB_SIZE
vectors:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.balign VEC_STUB_SIZE
	out %al, $(PORT_EXC + \v)
	.if (\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
	add $8, %rsp
	.endif
	iretq
	.endr

/* The [vdso] page: user-mode code, position independent (it runs at the [vdso] VMA's
 * address). First the stubs for single accesses, USTUB_SIZE bytes each, in access-type
 * order; each ends in ud2 (or an exception). */
	.section .text.vdso, "ax"
ustub_page:
	.balign USTUB_SIZE
ustubs:
	mov (%rdi), %rax	/* read */
	ud2
	.balign USTUB_SIZE
	mov %rdx, (%rdi)	/* write */
	ud2
	.balign USTUB_SIZE
	movabs $NONCANONICAL, %rax /* fetch */
	jmp *%rdi

/* The user loop: the commands of the [vdso]'s second page in order, natively. A read
 * must return the command's data, else the loop stops at umismatch with the value in
 * rax; the loop stops at uend. Both stops are ud2: the host sees #UD at that RIP. */
	.balign 16
uloop:
	lea (ustub_page + 4096 - UCMD_SIZE)(%rip), %rsi
unext:
	add $UCMD_SIZE, %rsi
	mov UCMD_ADDR(%rsi), %rdi
	mov UCMD_OP(%rsi), %rcx
	cmp $UOP_READ, %rcx
	je uread
	cmp $UOP_WRITE, %rcx
	je 1f
uend:
	ud2
uread:
	mov (%rdi), %rax
	cmp UCMD_DATA(%rsi), %rax
	je unext
umismatch:
	ud2
1:	mov UCMD_DATA(%rsi), %rdx
uwrite:
	mov %rdx, (%rdi)
	jmp unext
