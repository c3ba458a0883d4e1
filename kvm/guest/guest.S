/* SPDX-License-Identifier: MIT */
/*
 * guest.S - the KVM backend's guest: a ring-0 loop that runs the host's commands from the
 * mailbox (kernel accesses, invlpg, CR3 loads, stores, wrpkru, entries to ring 3), a
 * ring-3 loop in the [vdso] that performs a list of user accesses natively, and one
 * two- or three-instruction stub per exception vector. abi.h has the layout.
 *
 * How it works
 * ------------
 * Under PVM, ring-0 code is run by KVM's instruction emulator (0.25 us an instruction
 * idle, several under load) and ring-3 code natively; so the guest keeps ring 0 to a
 * handful of instructions a command and records nothing it can leave to the host:
 *
 *   ring-0 loop    next: add $CMD_SIZE, %rsi; mov CMD_ADDR(%rsi), %rdi; jmp *CMD_OP(%rsi)
 *                  op_read: mov (%rdi), %rax; mov %rax, CMD_X(%rsi); jmp next
 *   a stub         out %al, $PORT_EXC+v; [add $8, %rsp;] iretq
 *   user loop      reads compared in the loop with the value the host expects; it stops
 *                  (ud2) at a mismatch or at the end, and at a fault only through #PF
 *
 * At an exception exit the host reads the vector from the port, RSP and the registers
 * from KVM_CAP_SYNC_REGS, the error code, RIP, CS and RFLAGS from the frame at RSP, CR2
 * from the synced special registers; the guest waits in the stub. The host then lets
 * the stub return (a retry of the faulting instruction), or rewrites the frame first
 * (abandon the access: go on at the loop's next command; start a new batch in ring 0 or
 * in the user loop), or moves RIP to flush_retry (a retry after invlpg, for COW).
 *
 * Registers: rsi = the current command (ring-0 loop: the mailbox; user loop: the
 * [vdso]'s second page), rdi = its address, rdx = its data, rax = the value read.
 */
#include "abi.h"

	.section .text.head, "ax"
	.code64
	.globl guest_image
guest_image:
	.quad HDR_MAGIC
	.quad entry - guest_image
	.quad vectors - guest_image
	.quad restart - guest_image
	.quad next - guest_image
	.quad flush_retry - guest_image
	.quad ustubs - ustub_page
	.quad uloop - ustub_page
	.quad unext - ustub_page
	.quad uend - ustub_page
	.quad umismatch - ustub_page
	.quad uread - ustub_page
	.quad uwrite - ustub_page
	.quad 0, 0, 0
	/* HDR_W_OPS: the handlers in op order (abi.h) */
	.quad op_read - guest_image
	.quad op_write - guest_image
	.quad op_fetch - guest_image
	.quad op_user - guest_image
	.quad op_invlpg - guest_image
	.quad op_cr3 - guest_image
	.quad op_write - guest_image	/* GOP_STORE */
	.quad op_pkru - guest_image
	.quad op_rflags - guest_image
	.quad op_end - guest_image

entry:
	movabs $STACK_TOP, %rsp
op_end:
	out %al, $PORT_BATCH
restart:
	movabs $(MBOX_VA + MB_CMD - CMD_SIZE), %rsi
next:
	add $CMD_SIZE, %rsi
	mov CMD_ADDR(%rsi), %rdi
	jmp *CMD_OP(%rsi)

op_read:
	mov (%rdi), %rax
	mov %rax, CMD_X(%rsi)
	jmp next
op_write:
	mov CMD_DATA(%rsi), %rdx
	mov %rdx, (%rdi)
	jmp next
op_fetch:			/* ends in an exception either way */
	movabs $NONCANONICAL, %rax
	jmp *%rdi
op_user:			/* iretq to ring 3 at x; it comes back through an exception */
	mov CMD_DATA(%rsi), %rdx
	pushq $SEL_UDATA
	pushq $0
	pushq $2
	pushq $SEL_UCODE
	pushq CMD_X(%rsi)
	iretq
op_invlpg:
	invlpg (%rdi)
	jmp next
op_cr3:
	mov CMD_DATA(%rsi), %rax
	mov %rax, %cr3
	jmp next
op_pkru:
	mov CMD_DATA(%rsi), %eax
	xor %ecx, %ecx
	xor %edx, %edx
	wrpkru
	jmp next
op_rflags:
	pushq CMD_DATA(%rsi)
	popfq
	jmp next

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
