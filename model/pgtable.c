/* SPDX-License-Identifier: MIT */
/*
 * pgtable.c - the x86-64 MMU walk. See pgtable.h; every rule names its SDM section.
 */
#include "pgtable.h"

struct cpu_state cpu_state_default(void)
{
	struct cpu_state c = {true, true, true, false, false, true, false, 0, 46};

	return c;
}

uint64_t pte_pfn_mask(uint32_t maxphyaddr)
{
	uint64_t top = maxphyaddr >= 52 ? (1ull << 52) : (1ull << maxphyaddr);

	return (top - 1) & ~0xfffull;
}

/* 4.5: canonical -- bits 63:N-1 all equal, N = 48 (4-level) or 57 (5-level). */
static bool canonical(uint64_t vaddr, bool la57)
{
	uint64_t top = la57 ? vaddr >> 56 : vaddr >> 47;
	uint64_t ones = la57 ? 0xffull : 0x1ffffull;

	return top == 0 || top == ones;
}

static uint64_t read_entry(const struct phys *p, uint64_t pa)
{
	if (pa / PAGE_SIZE >= p->nr_pages)
		return 0; /* outside RAM: reads as not present (pgtable.h) */
	return p->mem[pa / 8];
}

/*
 * 4.5.4: the reserved bits of a present entry at level (leaf: it maps a page). Address
 * bits at or above MAXPHYADDR; XD without EFER.NXE; PS in a PML4E/PML5E; bits 20:13 of a
 * 2 MiB PDE and 29:13 of a 1 GiB PDPTE.
 */
static bool reserved_bits(uint64_t e, uint32_t level, bool leaf, const struct cpu_state *cpu)
{
	uint64_t addr_bits = e & PTE_PFN_MASK_52;

	if ((addr_bits & ~pte_pfn_mask(cpu->maxphyaddr)) != 0)
		return true;
	if (!cpu->efer_nxe && (e & _PAGE_NX) != 0)
		return true;
	if (level >= PT_P4D && (e & _PAGE_PSE) != 0)
		return true;
	if (leaf && level == PT_PMD && (e & 0x1fe000ull) != 0)
		return true;
	if (leaf && level == PT_PUD && (e & 0x3fffe000ull) != 0)
		return true;
	return false;
}

static uint64_t level_shift(uint32_t level)
{
	return 12 + 9 * (uint64_t)(level - 1);
}

/* The error code bits every #PF of this access carries (4.7): W/R, U/S, I/D. */
static uint32_t access_bits(const struct cpu_state *cpu, struct access acc)
{
	uint32_t e = 0;

	if (acc.type == ACCESS_WRITE)
		e |= X86_PF_WRITE;
	if (acc.user && !acc.implicit)
		e |= X86_PF_USER;
	if (acc.type == ACCESS_FETCH && (cpu->cr4_smep || cpu->efer_nxe))
		e |= X86_PF_INSTR;
	return e;
}

/*
 * 4.6: may this access go to a page whose combined rights are user (U/S = 1 at every
 * level), writable (R/W = 1 at every level), xd (XD = 1 at some level, with NXE)?
 */
static bool rights_allow(const struct cpu_state *cpu, struct access acc, bool user, bool writable,
			 bool xd)
{
	bool supervisor = !acc.user || acc.implicit;

	if (acc.type == ACCESS_FETCH) {
		if (xd)
			return false;
		if (!supervisor)
			return user;
		return !(user && cpu->cr4_smep); /* SMEP: no fetch from a user page */
	}
	if (!supervisor) /* CPL 3, explicit */
		return user && (acc.type == ACCESS_READ || writable);
	/* supervisor data access; SMAP for user pages: explicit with AC = 1 only */
	if (user && cpu->cr4_smap && (acc.implicit || !cpu->rflags_ac))
		return false;
	if (acc.type == ACCESS_WRITE && cpu->cr0_wp && !writable)
		return false;
	return true;
}

/*
 * 4.6.2: protection keys. For a data access to a user page with CR4.PKE: AD forbids
 * every data access; WD forbids writes from user mode, and from supervisor mode when
 * CR0.WP = 1. These are also exactly the conditions of the error code's PK bit (4.7).
 */
static bool pkey_denies(const struct cpu_state *cpu, struct access acc, bool user, uint64_t leaf)
{
	uint32_t key = (uint32_t)((leaf & _PAGE_PKEY_MASK) >> _PAGE_PKEY_SHIFT);
	bool ad = (cpu->pkru >> (2 * key)) & 1u, wd = (cpu->pkru >> (2 * key + 1)) & 1u;
	bool supervisor = !acc.user || acc.implicit;

	if (!cpu->cr4_pke || !user || acc.type == ACCESS_FETCH)
		return false;
	if (ad)
		return true;
	return wd && acc.type == ACCESS_WRITE && (!supervisor || cpu->cr0_wp);
}

struct walk mmu_walk(struct phys *p, const struct cpu_state *cpu, uint64_t cr3, uint64_t vaddr,
		     struct access acc, bool commit)
{
	struct walk w = {0};
	uint32_t levels = cpu->cr4_la57 ? 5 : 4, level, i;
	uint64_t table = cr3 & pte_pfn_mask(cpu->maxphyaddr);
	bool user = true, writable = true, xd = false;

	if (!canonical(vaddr, cpu->cr4_la57)) {
		w.gp = true;
		return w;
	}
	w.cr2 = vaddr;
	for (level = levels; level >= PT_PTE; level--) {
		uint64_t idx = (vaddr >> level_shift(level)) % 512, e;
		bool leaf;

		w.entry_addr[w.levels] = table + idx * 8;
		e = read_entry(p, w.entry_addr[w.levels]);
		w.entry[w.levels] = e;
		w.levels++;
		if ((e & _PAGE_PRESENT) == 0) { /* 4.7: P = 0 */
			w.pf = true;
			w.error_code = access_bits(cpu, acc);
			w.may_a = (1u << (w.levels - 1)) - 1; /* the present entries above */
			return w;
		}
		leaf = level == PT_PTE ||
		       ((level == PT_PMD || level == PT_PUD) && (e & _PAGE_PSE) != 0);
		if (reserved_bits(e, level, leaf, cpu)) { /* 4.7: RSVD, with P */
			w.pf = true;
			w.error_code = access_bits(cpu, acc) | X86_PF_RSVD | X86_PF_PROT;
			w.may_a = (1u << (w.levels - 1)) - 1;
			return w;
		}
		user = user && (e & _PAGE_USER) != 0;
		writable = writable && (e & _PAGE_RW) != 0;
		xd = xd || (e & _PAGE_NX) != 0;
		if (leaf) {
			uint64_t size = 1ull << level_shift(level);
			uint64_t frame = e & pte_pfn_mask(cpu->maxphyaddr) & ~(size - 1);

			w.paddr = frame + vaddr % size;
			w.page_size = size;
			break;
		}
		table = e & pte_pfn_mask(cpu->maxphyaddr);
	}
	if (!rights_allow(cpu, acc, user, writable, xd) ||
	    pkey_denies(cpu, acc, user, w.entry[w.levels - 1])) {
		w.pf = true;
		w.error_code = access_bits(cpu, acc) | X86_PF_PROT;
		if (pkey_denies(cpu, acc, user, w.entry[w.levels - 1]))
			w.error_code |= X86_PF_PK;
		w.paddr = 0;
		w.page_size = 0;
		w.may_a = (1u << w.levels) - 1; /* every entry was used */
		return w;
	}
	w.must_a = (1u << w.levels) - 1;
	w.may_a = w.must_a;
	w.must_d = acc.type == ACCESS_WRITE;
	w.cr2 = 0;
	if (commit) { /* 4.8: A in every entry used, D in the leaf on a write */
		for (i = 0; i < w.levels; i++)
			p->mem[w.entry_addr[i] / 8] |= _PAGE_ACCESSED;
		if (w.must_d)
			p->mem[w.entry_addr[w.levels - 1] / 8] |= _PAGE_DIRTY;
	}
	return w;
}
