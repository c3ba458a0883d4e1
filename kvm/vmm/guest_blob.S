/* SPDX-License-Identifier: MIT */
/* The guest image (kvm/guest/guest.S, linked and flattened by CMake) as host data. */
	.section .rodata
	.balign 4096
	.globl mmref_guest_bin
mmref_guest_bin:
	.incbin MMREF_GUEST_BIN
	.globl mmref_guest_bin_end
mmref_guest_bin_end:
	.section .note.GNU-stack, "", @progbits
