/* SPDX-License-Identifier: MIT */
/*
 * walk_ref.h - a second, deliberately naive statement of the x86-64 paging rules (Intel
 * SDM vol. 3, chapter 4), written without looking at model/pgtable.c, to check
 * mmu_walk() against: fuzz/fuzz_walk.c and tests/test_walk.c compare the two field by
 * field.
 *
 * How it works
 * ------------
 * walk_ref() is one straight function: each paging level is written out on its own
 * (PML5E, PML4E, PDPTE, PDE, PTE), each with its own reserved-bit test, and the access
 * rights are then decided by the SDM 4.6 case list, one access kind at a time. No table
 * of masks, no loop over levels, no shared cleverness with the model.
 *
 * The rules it states (SDM section numbers):
 *
 *   4.5    not canonical (bits 63:48, or 63:57 with LA57, not all equal to bit 47 / 56)
 *          -> #GP, nothing read. Else walk from CR3 (low 12 bits ignored).
 *   4.5.4  an entry with P = 0 -> #PF, error code without P; reserved bits are not
 *          looked at. An entry with P = 1 and a reserved bit -> #PF with RSVD and P.
 *          Reserved: bits 51:MAXPHYADDR in every entry; bit 63 (XD) when EFER.NXE = 0;
 *          PS (bit 7) in a PML5E and a PML4E; PS in a PDPTE when the CPU has no 1 GiB
 *          pages (CPUID.80000001H:EDX.Page1GB, 4.1.4); bits 29:13 of a 1 GiB PDPTE; bits
 *          20:13 of a 2 MiB PDE. Bits 62:52 of other entries are ignored.
 *   4.6    a user-mode address: U/S = 1 at every level. Writable: R/W = 1 at every
 *          level. Executable: XD = 0 at every level, or EFER.NXE = 0. A user-mode access
 *          is one at CPL 3 that is not an implicit supervisor access.
 *          - user read: user-mode address; write: also writable; fetch: also executable.
 *          - supervisor read: of a user-mode address, denied by SMAP unless RFLAGS.AC = 1
 *            and the access is explicit.
 *          - supervisor write: the same SMAP rule; then with CR0.WP = 1 it must be
 *            writable (with WP = 0 anything may be written).
 *          - supervisor fetch: executable, and not a user-mode address under SMEP.
 *          - protection keys (CR4.PKE = 1, data accesses to user-mode addresses only,
 *            key = bits 62:59 of the leaf): AD denies every data access; WD denies
 *            writes from user mode, and supervisor writes only when CR0.WP = 1.
 *   4.7    error code: P = there was a translation (a protection violation or RSVD);
 *          W/R = a write; U/S = a user-mode access; RSVD; I/D = a fetch while SMEP or
 *          NXE is on; PK = the protection-key rule above denies the access (whether or
 *          not another rule denies it too). CR2 = the linear address.
 *   4.8    success: A must be set in every entry read, D in the leaf on a write.
 *          A fault: no A is required; A may have been set in every entry that was
 *          present and free of reserved bits (after a protection fault: every entry
 *          read, since the TLB may cache a translation whatever its rights).
 */
#ifndef MMREF_WALK_REF_H
#define MMREF_WALK_REF_H

#include "pgtable.h"

/**
 * walk_ref() - what the SDM says one walk does: the same question as mmu_walk(p, cpu,
 * cr3, vaddr, acc, false) and an answer in the same struct. Fields that the contract
 * leaves open are zero: paddr and page_size after a fault, cr2 and error_code without a
 * #PF, everything but gp after a #GP, entry[i] and entry_addr[i] for i >= levels.
 * Memory is only read.
 */
struct walk walk_ref(const struct phys *p, const struct cpu_state *cpu, uint64_t cr3,
		     uint64_t vaddr, struct access acc);

/** walk_ref_entry_flags() - an entry's flags by name ("P RW US A ... pkey 0") into buf. */
void walk_ref_entry_flags(uint64_t e, char *buf, size_t len);

/** walk_ref_print() - every field of w, one "name value" per line, each line prefixed. */
void walk_ref_print(const char *prefix, const struct walk *w);

/**
 * walk_ref_diff() - compare two walk results field by field, only the fields the
 * contract defines for that outcome (paddr and page_size without a fault, cr2 and
 * error_code with a #PF, entries below levels). Returns the name of the first field
 * that differs, or NULL when they agree.
 */
const char *walk_ref_diff(const struct walk *a, const struct walk *b);

#endif /* MMREF_WALK_REF_H */
