/* SPDX-License-Identifier: MIT */
/*
 * guest.S - the KVM backend's guest: a ring-0 loop that runs the host's commands (accesses
 * at CPL 0 and CPL 3, invlpg, CR3 loads, wrpkru) from the mailbox and writes one result
 * per command, and exception handlers that record vector, error code, CR2, RAX and RIP,
 * exit to the host, and then retry the faulting instruction or go on with the next
 * command, as the host says. abi.h has the layout.
 *
 * Ring-0 code runs under PVM's instruction emulator (about 0.25 us an instruction):
 * every path is kept to a few instructions. Registers held across the loop:
 * r15 = mailbox, r14 = results, rbx = index of the command, rbp = its result slot,
 * r13 = its op.
 */
#include "abi.h"

	.section .text.head, "ax"
	.code64
	.globl guest_image
guest_image:
	.quad HDR_MAGIC
	.quad entry - guest_image
	.quad vectors - guest_image
	.quad ustubs - ustub_page

entry:
	movabs $STACK_TOP, %rsp
	movabs $MBOX_VA, %r15
	movabs $RES_VA, %r14
batch_done:
	out %al, $PORT_BATCH
next:
	mov MB_I(%r15), %rbx
	cmp MB_N(%r15), %rbx
	jae batch_done
	mov %rbx, %rcx
	shl $6, %rcx
	lea (%r14, %rcx), %rbp
	shr $1, %rcx
	mov MB_CMD + CMD_ADDR(%r15, %rcx), %rdi
	mov MB_CMD + CMD_DATA(%r15, %rcx), %rsi
	mov MB_CMD + CMD_OP(%r15, %rcx), %rcx
	mov %ecx, %r13d
	movq $VEC_NONE, RES_VECTOR(%rbp)
	cmp $OP_CTL, %ecx
	jae control
	test $OPF_USER, %cl
	jnz user
	test $OPF_AC, %cl	/* RFLAGS.AC by popf: stac needs SMAP in CPUID */
	jz 1f
	pushq $0x40002
	popfq
1:	and $OPF_TYPE, %ecx
	jz kread
	cmp $1, %ecx
	je kwrite
	movabs $NONCANONICAL, %rax
	jmp *%rdi		/* a fetch: ends in an exception either way */
kread:	mov (%rdi), %rax
	jmp kdone
kwrite:	mov %rsi, (%rdi)
kdone:	test $OPF_AC, %r13b
	jnz 3f
4:	mov %rax, RES_RAX(%rbp)
	incq MB_I(%r15)
	jmp next
3:	pushq $2		/* AC off again */
	popfq
	jmp 4b

user:	/* iretq to the user stub of the access type; it ends in ud2 (or an exception) */
	and $OPF_TYPE, %ecx
	shl $4, %ecx
	add MB_USTUB(%r15), %rcx
	pushq $SEL_UDATA
	pushq $0
	pushq $2
	pushq $SEL_UCODE
	push %rcx
	iretq

control:
	cmp $OP_INVLPG, %ecx
	jne 1f
	invlpg (%rdi)
	jmp cdone
1:	cmp $OP_CR3, %ecx
	jne 2f
	mov %rsi, %cr3
	jmp cdone
2:	cmp $OP_STORE, %ecx
	jne 3f
	mov %rsi, (%rdi)
	jmp cdone
3:	mov %esi, %eax		/* OP_PKRU */
	xor %ecx, %ecx
	xor %edx, %edx
	wrpkru
cdone:	incq MB_I(%r15)
	jmp next

/* Vector stubs: the same frame for every vector (a dummy error code where the CPU pushes
 * none), then the vector number. */
	.balign VEC_STUB_SIZE
vectors:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.balign VEC_STUB_SIZE
	.if (\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
	pushq $\v
	.else
	pushq $0
	pushq $\v
	.endif
	jmp common
	.endr

common:	/* stack: vector, error code, RIP, CS, RFLAGS, RSP, SS */
	mov %rax, RES_RAX(%rbp)
	pop %rax
	mov %rax, RES_VECTOR(%rbp)
	pop %rax
	mov %rax, RES_ERROR(%rbp)
	mov %cr2, %rax
	mov %rax, RES_CR2(%rbp)
	mov (%rsp), %rax
	mov %rax, RES_RIP(%rbp)
	mov 8(%rsp), %rax
	mov %rax, RES_CS(%rbp)
	out %al, $PORT_FAULT
	cmpq $ACT_RETRY, MB_ACTION(%r15)
	jne 1f
	mov MB_FLUSH(%r15), %rax	/* a flush the fault handler owes (COW) */
	test %rax, %rax
	jz 2f
	invlpg (%rax)
2:	mov RES_RAX(%rbp), %rax
	iretq
1:	movabs $STACK_TOP, %rsp
	pushq $2		/* AC off */
	popfq
	incq MB_I(%r15)
	jmp next

/* The [vdso] page: user-mode stubs, position independent (they run at the [vdso] VMA's
 * address), USTUB_SIZE bytes each, in access-type order. */
	.section .text.vdso, "ax"
ustub_page:
	.balign USTUB_SIZE
ustubs:
	mov (%rdi), %rax	/* read */
	ud2
	.balign USTUB_SIZE
	mov %rsi, (%rdi)	/* write */
	ud2
	.balign USTUB_SIZE
	movabs $NONCANONICAL, %rax /* fetch */
	jmp *%rdi
