/* SPDX-License-Identifier: MIT */
/*
 * pgtable.h - x86-64 paging as the hardware does it: the entry format, and the MMU walk
 * (mmu_walk()) as a specification that the KVM backend holds real CPUs to.
 *
 * How it works
 * ------------
 * Page tables are real 64-bit entries in the model's physical memory (struct phys: the
 * frames a KVM guest runs on). mmu_walk() translates one linear address for one access
 * under one CPU state, following Intel SDM volume 3, chapter 4 (section numbers below
 * and in docs/paging.md):
 *
 *   4.5      4-level and 5-level (CR4.LA57) paging; canonical addresses (else #GP);
 *            4 KiB pages, 2 MiB pages (PS in a PDE) and 1 GiB pages (PS in a PDPTE).
 *   4.5.4    reserved bits: above MAXPHYADDR, PS in a PML4E/PML5E, PS in a PDPTE when
 *            the CPU has no 1 GiB pages (CPUID.80000001H:EDX.Page1GB, 4.1.4), bits
 *            20:13 of a 2 MiB PDE and 29:13 of a 1 GiB PDPTE (PAT lives at bit 12), XD
 *            with EFER.NXE = 0 -- each gives #PF with RSVD set.
 *   4.6      access rights: user/supervisor from U/S at every level, R/W at every level,
 *            CR0.WP for supervisor writes, XD at every level (with EFER.NXE), SMEP,
 *            SMAP with RFLAGS.AC (implicit supervisor accesses ignore AC), and
 *            protection keys (CR4.PKE, PKRU AD/WD) for user-mode pages.
 *   4.7      the #PF error code: P, W/R, U/S, RSVD, I/D, PK; CR2 = the linear address.
 *   4.8      accessed and dirty flags: a successful walk sets A in every entry it used
 *            and D in the leaf on a write. A walk that faults may or may not have set A
 *            in the entries it read before the fault (the SDM allows both); the result
 *            states which A bits are required and which are allowed.
 *
 * The walk reads the entries from memory and, when asked (commit = true), writes the
 * required A/D bits back, as the CPU would. It never allocates.
 */
#ifndef MMREF_PGTABLE_H
#define MMREF_PGTABLE_H

#include "phys.h"

/* Entry bits (arch/x86/include/asm/pgtable_types.h). */
#define _PAGE_PRESENT	 0x001ull
#define _PAGE_RW	 0x002ull
#define _PAGE_USER	 0x004ull
#define _PAGE_PWT	 0x008ull
#define _PAGE_PCD	 0x010ull
#define _PAGE_ACCESSED	 0x020ull
#define _PAGE_DIRTY	 0x040ull
#define _PAGE_PSE	 0x080ull /* PS: a large page at PDPTE/PDE level */
#define _PAGE_GLOBAL	 0x100ull
#define _PAGE_PAT_LARGE	 0x1000ull /* PAT bit of a 2 MiB / 1 GiB entry */
#define _PAGE_NX	 0x8000000000000000ull
#define _PAGE_PKEY_SHIFT 59
#define _PAGE_PKEY_MASK	 0x7800000000000000ull
#define PTE_PFN_MASK_52	 0x000ffffffffff000ull /* address bits of an entry, before MAXPHYADDR */

/* #PF error code bits (arch/x86/include/asm/trap_pf.h). */
#define X86_PF_PROT  0x01u /* P: the fault was a protection violation (else not present) */
#define X86_PF_WRITE 0x02u
#define X86_PF_USER  0x04u
#define X86_PF_RSVD  0x08u
#define X86_PF_INSTR 0x10u
#define X86_PF_PK    0x20u

#define X86_TRAP_GP 13u
#define X86_TRAP_PF 14u

/* Paging levels, leaf first (the kernel's names: pte, pmd, pud, p4d, pgd). */
enum pt_level { PT_PTE = 1, PT_PMD = 2, PT_PUD = 3, PT_P4D = 4, PT_PGD5 = 5 };

/* The CPU state a walk depends on. */
struct cpu_state {
	bool cr0_wp;	     /* CR0.WP */
	bool cr4_smep;	     /* CR4.SMEP */
	bool cr4_smap;	     /* CR4.SMAP */
	bool cr4_pke;	     /* CR4.PKE */
	bool cr4_la57;	     /* CR4.LA57: 5-level paging */
	bool efer_nxe;	     /* EFER.NXE */
	bool rflags_ac;	     /* RFLAGS.AC */
	bool gbpages;	     /* CPUID.80000001H:EDX.Page1GB: 1 GiB pages */
	uint32_t pkru;	     /* PKRU: AD = bit 2k, WD = bit 2k+1 for key k */
	uint32_t maxphyaddr; /* physical-address width, 36..52 */
};

enum access_type { ACCESS_READ, ACCESS_WRITE, ACCESS_FETCH };

/* One access: its type and privilege. */
struct access {
	enum access_type type;
	bool user;     /* CPL 3 */
	bool implicit; /* an implicit supervisor access (e.g. a descriptor-table read) */
};

/* What one walk does. */
struct walk {
	bool gp;	     /* #GP: a non-canonical address (no walk) */
	bool pf;	     /* #PF */
	uint32_t error_code; /* #PF error code */
	uint64_t cr2;	     /* #PF: the address */
	uint64_t paddr;	     /* no fault: the physical address */
	uint64_t page_size;  /* no fault: 4 KiB, 2 MiB or 1 GiB */
	uint32_t levels;     /* entries read: entry[0] is the top level, entry[levels-1] the last */
	uint64_t entry_addr[5]; /* physical address of each entry read */
	uint64_t entry[5];	/* its value as read */
	/*
	 * A/D: which entries the CPU must set A in (must_a), may set A in (may_a: a superset),
	 * and whether the leaf's D must be set (must_d). A bit i stands for entry[i].
	 */
	uint32_t must_a, may_a;
	bool must_d;
};

#ifdef __FRAMAC__
#include "../proofs/logic/pgtable.acsl"
#endif

/**
 * pt_index() - vaddr's entry in a table of this level: bits 12+9*level-1 : 12+9*(level-1)
 * (pte_index(), pmd_index(), ...). Spelt out per level: a constant divisor compiles to
 * a shift, a variable one to a 64-bit div in every step of every walk; and the provers
 * cannot use a shift by a variable amount.
 */
/*@ requires level: 1 <= level <= 5;
    assigns \nothing;
    ensures index: \result == VaIndex(vaddr, level);
    ensures range: \result < 512;
*/
static inline uint32_t pt_index(uint64_t vaddr, uint32_t level)
{
	switch (level) {
	case PT_PTE:
		return (uint32_t)(vaddr / 0x1000 % 512);
	case PT_PMD:
		return (uint32_t)(vaddr / 0x200000 % 512);
	case PT_PUD:
		return (uint32_t)(vaddr / 0x40000000 % 512);
	case PT_P4D:
		return (uint32_t)(vaddr / 0x8000000000ull % 512);
	default:
		return (uint32_t)(vaddr / 0x1000000000000ull % 512);
	}
}

/**
 * pte_pfn_mask() - the address bits of an entry under this MAXPHYADDR: bits
 * MAXPHYADDR-1:12, MAXPHYADDR taken as 12 below 12 and as 52 above 52.
 */
/*@ assigns \nothing;
    ensures mask: \result == PfnMask(maxphyaddr);
    ensures range: \result <= PTE_PFN_MASK_52;
*/
uint64_t pte_pfn_mask(uint32_t maxphyaddr);

/**
 * mmu_walk() - translate vaddr for access acc under cpu, from the top-level table at
 * cr3 (its physical address; CR3's low flag bits are ignored). Entries are read from p's
 * memory; an entry address outside RAM reads as 0 (not present). With commit, the
 * required A/D bits are written back (a successful walk only: a faulting one sets none
 * here, which is one of its allowed outcomes).
 *
 * The contract states the walk against its logic definition (proofs/logic/pgtable.acsl):
 * which entries it reads (WAddr, WEnt, from the top level WTop down to WStop), and five
 * complete, disjoint outcomes: #GP for a non-canonical address; #PF for a missing page,
 * for a reserved bit, or for rights / a protection key that deny the access, each with
 * its error code, CR2 and the A bits it may have set; or the translation, with the A/D
 * bits it must set and, with commit, the memory words it writes (and no others).
 */
/*@ requires ram: RamWritable(p); // as PhysShape(p) implies
    requires cpu: \valid_read(cpu);
    requires sep: \separated(cpu, p->mem + (0 .. RamWords(p) - 1));
    requires type: AccessTypeOk(acc);
    assigns p->mem[0 .. RamWords(p) - 1];
    ensures levels: WCanonical{Pre}(cpu, vaddr) ==>
	\result.levels == WLevels{Pre}(p, cpu, cr3, vaddr);
    ensures entries: \forall integer k; 0 <= k < \result.levels ==>
	\result.entry_addr[k] == WAddr{Pre}(p, cpu, cr3, vaddr, WTop{Pre}(cpu) - k) &&
	\result.entry[k] == WEnt{Pre}(p, cpu, cr3, vaddr, WTop{Pre}(cpu) - k);
    ensures unread: \forall integer k; \result.levels <= k < 5 ==>
	\result.entry_addr[k] == 0 && \result.entry[k] == 0;
    ensures ad_bits: commit && !\result.gp && !\result.pf ==>
	\forall integer j; 0 <= j < RamWords(p) ==>
	p->mem[j] ==
	(\result.must_d && j == \result.entry_addr[\result.levels - 1] / 8 ?
	 EntMkDirty(EntMkYoung(\result.entry[\result.levels - 1])) :
	 AdPrefix(j, \result.levels, \result.entry_addr[0], \result.entry_addr[1],
		  \result.entry_addr[2], \result.entry_addr[3], \result.entry_addr[4],
		  \result.entry[0], \result.entry[1], \result.entry[2], \result.entry[3],
		  \result.entry[4], \old(p->mem[j])));
    ensures no_commit: !commit ==> \forall integer j; 0 <= j < RamWords(p) ==>
	p->mem[j] == \old(p->mem[j]);
    behavior gp:
	assumes !WCanonical(cpu, vaddr);
	assigns \nothing;
	ensures gp: \result.gp && !\result.pf && \result.levels == 0;
	ensures zero: \result.error_code == 0 && \result.cr2 == 0 && \result.paddr == 0 &&
	    \result.page_size == 0 && \result.must_a == 0 && \result.may_a == 0 &&
	    !\result.must_d;
    behavior not_present:
	assumes WCanonical(cpu, vaddr) && WNotPresent(p, cpu, cr3, vaddr);
	assigns \nothing;
	ensures pf: !\result.gp && \result.pf && \result.cr2 == vaddr;
	ensures error_code: \result.error_code == AccessBits{Pre}(cpu, acc);
	ensures no_page: \result.paddr == 0 && \result.page_size == 0;
	ensures ad: \result.must_a == 0 && \result.may_a == LowMask(\result.levels - 1) &&
	    !\result.must_d;
    behavior reserved:
	assumes WCanonical(cpu, vaddr) && WReserved(p, cpu, cr3, vaddr);
	assigns \nothing;
	ensures pf: !\result.gp && \result.pf && \result.cr2 == vaddr;
	ensures error_code:
	    \result.error_code == AccessBits{Pre}(cpu, acc) + X86_PF_RSVD + X86_PF_PROT;
	ensures no_page: \result.paddr == 0 && \result.page_size == 0;
	ensures ad: \result.must_a == 0 && \result.may_a == LowMask(\result.levels - 1) &&
	    !\result.must_d;
    behavior denied:
	assumes WCanonical(cpu, vaddr) && WMapped(p, cpu, cr3, vaddr) &&
	    WDenied(p, cpu, cr3, vaddr, acc);
	assigns \nothing;
	ensures pf: !\result.gp && \result.pf && \result.cr2 == vaddr;
	ensures error_code_pk: WPkeyDenies{Pre}(p, cpu, cr3, vaddr, acc) ==>
	    \result.error_code == AccessBits{Pre}(cpu, acc) + X86_PF_PROT + X86_PF_PK;
	ensures error_code: !WPkeyDenies{Pre}(p, cpu, cr3, vaddr, acc) ==>
	    \result.error_code == AccessBits{Pre}(cpu, acc) + X86_PF_PROT;
	ensures no_page: \result.paddr == 0 && \result.page_size == 0;
	ensures ad: \result.must_a == 0 && \result.may_a == LowMask(\result.levels) &&
	    !\result.must_d;
    behavior ok:
	assumes WCanonical(cpu, vaddr) && WMapped(p, cpu, cr3, vaddr) &&
	    !WDenied(p, cpu, cr3, vaddr, acc);
	ensures ok: !\result.gp && !\result.pf && \result.error_code == 0 && \result.cr2 == 0;
	ensures size: \result.page_size == LevelSize(WStop{Pre}(p, cpu, cr3, vaddr));
	ensures paddr: \result.paddr ==
	    EntFrame(WLast{Pre}(p, cpu, cr3, vaddr), \result.page_size) +
	    vaddr % \result.page_size;
	ensures ad: \result.must_a == LowMask(\result.levels) &&
	    \result.may_a == \result.must_a && (\result.must_d <==> acc.type == ACCESS_WRITE);
    complete behaviors;
    disjoint behaviors;
*/
struct walk mmu_walk(struct phys *p, const struct cpu_state *cpu, uint64_t cr3, uint64_t vaddr,
		     struct access acc, bool commit);

/**
 * cpu_state_default() - a Linux-like CPU: WP, SMEP, SMAP, NXE on; 1 GiB pages; LA57, PKE
 * off; MAXPHYADDR 46.
 */
/*@ assigns \nothing;
    ensures on: \result.cr0_wp && \result.cr4_smep && \result.cr4_smap && \result.efer_nxe &&
	\result.gbpages;
    ensures off: !\result.cr4_pke && !\result.cr4_la57 && !\result.rflags_ac &&
	\result.pkru == 0;
    ensures maxphyaddr: \result.maxphyaddr == 46;
*/
struct cpu_state cpu_state_default(void);

#endif /* MMREF_PGTABLE_H */
