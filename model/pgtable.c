/* SPDX-License-Identifier: MIT */
/*
 * pgtable.c - the x86-64 MMU walk. See pgtable.h; every rule names its SDM section.
 *
 * Proved with Frama-C/WP against proofs/logic/pgtable.acsl (docs/proofs.md, "pgtable").
 * The code is shaped for the provers, with the same results as a plain bit-mask walk:
 *
 *   - every field of an entry is read by a small decoder (entry_flag(), entry_table(),
 *     ...) whose contract names the logic field; the decoders use division by powers of
 *     two, not '&' (bit n of e is e / 2^n % 2), which the provers cannot link to numbers;
 *   - no shift by a variable amount but PKRU's (whose contract is the shift itself):
 *     2^MAXPHYADDR by doubling, level sizes and masks from small tables;
 *   - error codes are sums of distinct bits;
 *   - the loop reads one level per iteration, and its invariant says which level of the
 *     logic walk (WTable, WEnt, WStop, WUser, ...) it has reached.
 */
#include "pgtable.h"

struct cpu_state cpu_state_default(void)
{
	struct cpu_state c = {
	    .cr0_wp = true,
	    .cr4_smep = true,
	    .cr4_smap = true,
	    .cr4_pke = false,
	    .cr4_la57 = false,
	    .efer_nxe = true,
	    .rflags_ac = false,
	    .gbpages = true,
	    .pkru = 0,
	    .maxphyaddr = 46,
	};

	return c;
}

/*
 * 2^MAXPHYADDR with MAXPHYADDR clamped to [12, 52]: one past the highest physical address
 * an entry can hold (4.1.4). Every walk needs it: the widths of x86-64 CPUs (36..52) by
 * cases, a jump table; the others by doubling. Not a shift: the provers cannot use a
 * shift by a variable amount.
 */
/*@ assigns \nothing;
    ensures top: \result == PhysTop(maxphyaddr);
    ensures range: 0x1000 <= \result <= 0x10000000000000;
*/
static uint64_t phys_top(uint32_t maxphyaddr)
{
	uint64_t top = 0x1000;
	uint32_t width;

	switch (maxphyaddr) {
	case 36:
		return 0x1000000000ull;
	case 37:
		return 0x2000000000ull;
	case 38:
		return 0x4000000000ull;
	case 39:
		return 0x8000000000ull;
	case 40:
		return 0x10000000000ull;
	case 41:
		return 0x20000000000ull;
	case 42:
		return 0x40000000000ull;
	case 43:
		return 0x80000000000ull;
	case 44:
		return 0x100000000000ull;
	case 45:
		return 0x200000000000ull;
	case 46:
		return 0x400000000000ull;
	case 47:
		return 0x800000000000ull;
	case 48:
		return 0x1000000000000ull;
	case 49:
		return 0x2000000000000ull;
	case 50:
		return 0x4000000000000ull;
	case 51:
		return 0x8000000000000ull;
	case 52:
		return 0x10000000000000ull;
	default:
		break;
	}
	if (maxphyaddr > 52)
		return 0x10000000000000ull;
	/*@ loop invariant width: 12 <= width <= 52;
	    loop invariant below: width <= maxphyaddr || width == 12;
	    loop invariant top: top == Pow2Phys(width);
	    loop assigns width, top;
	    loop variant 52 - width;
	*/
	for (width = 12; width < maxphyaddr && width < 52; width++)
		top *= 2;
	return top;
}

uint64_t pte_pfn_mask(uint32_t maxphyaddr)
{
	return phys_top(maxphyaddr) - 0x1000; /* bits MAXPHYADDR-1:12 */
}

/* 4.5: canonical -- bits 63:N-1 all equal, N = 48 (4-level) or 57 (5-level). */
/*@ assigns \nothing;
    ensures canonical: \result <==> Canonical(vaddr, la57 != 0);
*/
static bool canonical(uint64_t vaddr, bool la57)
{
	uint64_t top = la57 ? vaddr / 0x100000000000000ull : vaddr / 0x800000000000ull;
	uint64_t ones = la57 ? 0xffull : 0x1ffffull;

	return top == 0 || top == ones;
}

/* The entry at physical address pa; outside RAM it reads as 0, not present (pgtable.h). */
/*@ requires ram: RamReadable(p);
    assigns \nothing;
    ensures read: \result == ReadEntry(p, pa);
    ensures in_ram: pa / PAGE_SIZE < p->nr_pages ==> \result == p->mem[pa / 8];
    ensures outside: pa / PAGE_SIZE >= p->nr_pages ==> \result == 0;
*/
static uint64_t read_entry(const struct phys *p, uint64_t pa)
{
	if (pa / PAGE_SIZE >= p->nr_pages)
		return 0;
	return p->mem[pa / 8];
}

/* Entry decoders (4.5, tables 4-15 to 4-20). */

/** entry_flag() - is the single-bit flag bit set in entry e? (e & bit) != 0. */
/*@ requires bit: bit > 0;
    assigns \nothing;
    ensures flag: \result <==> EntFlag(e, bit);
*/
static bool entry_flag(uint64_t e, uint64_t bit)
{
	return e / bit % 2 != 0;
}

/** entry_pkey() - the protection key of a leaf entry: bits 62:59. */
/*@ assigns \nothing;
    ensures pkey: \result == EntPkey(e);
    ensures range: \result <= 15;
*/
static uint32_t entry_pkey(uint64_t e)
{
	return (uint32_t)(e / 0x800000000000000ull % 16); /* (e & _PAGE_PKEY_MASK) >> 59 */
}

/**
 * entry_table() - the next table's address: bits 51:12. In an entry without reserved
 * bits, bits 51:MAXPHYADDR are 0, so this is e & pte_pfn_mask(MAXPHYADDR).
 */
/*@ assigns \nothing;
    ensures table: \result == EntTable(e);
    ensures range: \result < 0x10000000000000;
*/
static uint64_t entry_table(uint64_t e)
{
	return e % 0x10000000000000ull / 0x1000 * 0x1000;
}

/** entry_frame() - the page a leaf maps, size bytes: e & pte_pfn_mask() & ~(size - 1). */
/*@ requires size: size == 0x1000 || size == 0x200000 || size == 0x40000000;
    assigns \nothing;
    ensures frame: \result == EntFrame(e, size);
    ensures range: \result + size <= 0x10000000000000;
*/
static uint64_t entry_frame(uint64_t e, uint64_t size)
{
	/* constant divisors: shifts, not a 64-bit div per walk */
	if (size == 0x1000)
		return e % 0x10000000000000ull / 0x1000 * 0x1000;
	if (size == 0x200000)
		return e % 0x10000000000000ull / 0x200000 * 0x200000;
	return e % 0x10000000000000ull / 0x40000000 * 0x40000000;
}

/** page_offset() - vaddr's offset in its page of size bytes: vaddr & (size - 1). */
/*@ requires size: size == 0x1000 || size == 0x200000 || size == 0x40000000;
    assigns \nothing;
    ensures offset: \result == vaddr % size;
*/
static uint64_t page_offset(uint64_t vaddr, uint64_t size)
{
	if (size == 0x1000)
		return vaddr % 0x1000;
	if (size == 0x200000)
		return vaddr % 0x200000;
	return vaddr % 0x40000000;
}

/** entry_mkyoung() - e with A set: e | _PAGE_ACCESSED. */
/*@ assigns \nothing;
    ensures young: \result == EntMkYoung(e);
*/
static uint64_t entry_mkyoung(uint64_t e)
{
	return entry_flag(e, _PAGE_ACCESSED) ? e : e + _PAGE_ACCESSED;
}

/** entry_mkdirty() - e with D set: e | _PAGE_DIRTY. */
/*@ assigns \nothing;
    ensures dirty: \result == EntMkDirty(e);
*/
static uint64_t entry_mkdirty(uint64_t e)
{
	return entry_flag(e, _PAGE_DIRTY) ? e : e + _PAGE_DIRTY;
}

/* The bytes one entry of a level maps: 4 KiB, 2 MiB, 1 GiB, 512 GiB, 256 TiB (4.5). */
/*@ requires level: 1 <= level <= 5;
    assigns \nothing;
    ensures size: \result == LevelSize(level);
*/
static uint64_t level_size(uint32_t level)
{
	switch (level) {
	case PT_PTE:
		return 0x1000;
	case PT_PMD:
		return 0x200000;
	case PT_PUD:
		return 0x40000000;
	case PT_P4D:
		return 0x8000000000ull;
	default:
		return 0x1000000000000ull;
	}
}

/* The top-level table: CR3 bits MAXPHYADDR-1:12, i.e. cr3 & pte_pfn_mask(MAXPHYADDR). */
/*@ requires top: 0x1000 <= top <= 0x10000000000000;
    assigns \nothing;
    ensures table: \result == Cr3Table(cr3, top);
    ensures range: \result < 0x10000000000000;
*/
static uint64_t cr3_table(uint64_t cr3, uint64_t top)
{
	if (cr3 < top) /* always, but for reserved CR3 bits: no 64-bit div per walk */
		return cr3 / 0x1000 * 0x1000;
	return cr3 % top / 0x1000 * 0x1000;
}

/*
 * 4.5.4: the reserved bits of a present entry at level (top = 2^MAXPHYADDR). Address bits
 * at or above MAXPHYADDR; XD without EFER.NXE; PS in a PML4E/PML5E; PS in a PDPTE
 * without 1 GiB pages (4.1.4: CPUID.80000001H:EDX.Page1GB); bits 20:13 of a 2 MiB PDE
 * and 29:13 of a 1 GiB PDPTE (bit 12 is PAT).
 */
/*@ assigns \nothing;
    ensures reserved: \result <==> EntReserved(e, level, nxe != 0, gbpages != 0, top);
    ensures nx: !\result ==> nxe || !EntXd(e);
*/
static bool entry_reserved(uint64_t e, uint32_t level, bool nxe, bool gbpages, uint64_t top)
{
	bool large = entry_flag(e, _PAGE_PSE);

	if (e % 0x10000000000000ull >= top) /* a bit in 51:MAXPHYADDR */
		return true;
	if (!nxe && entry_flag(e, _PAGE_NX))
		return true;
	if (level >= PT_P4D && large)
		return true;
	if (level == PT_PUD && large && !gbpages) /* no 1 GiB pages */
		return true;
	if (level == PT_PMD && large && e / 0x2000 % 0x100 != 0) /* bits 20:13 */
		return true;
	if (level == PT_PUD && large && e / 0x2000 % 0x20000 != 0) /* bits 29:13 */
		return true;
	return false;
}

/* 4.5: a present entry without reserved bits maps a page: a PTE; a PDE or PDPTE with PS. */
/*@ assigns \nothing;
    ensures leaf: \result <==> EntLeaf(e, level);
*/
static bool entry_leaf(uint64_t e, uint32_t level)
{
	return level == PT_PTE ||
	       ((level == PT_PMD || level == PT_PUD) && entry_flag(e, _PAGE_PSE));
}

/* Does the walk go on below this entry: present, no reserved bit, a table? */
/*@ assigns \nothing;
    ensures goes_on: \result <==> EntGoesOn(e, level, nxe != 0, gbpages != 0, top);
    ensures present: \result ==> EntPresent(e);
    ensures nx: \result ==> nxe || !EntXd(e);
*/
static bool entry_goes_on(uint64_t e, uint32_t level, bool nxe, bool gbpages, uint64_t top)
{
	return entry_flag(e, _PAGE_PRESENT) && !entry_reserved(e, level, nxe, gbpages, top) &&
	       !entry_leaf(e, level);
}

/* The error code bits every #PF of this access carries (4.7): W/R, U/S, I/D. */
/*@ requires cpu: \valid_read(cpu);
    assigns \nothing;
    ensures bits: \result == AccessBits(cpu, acc);
    ensures range: \result <= X86_PF_WRITE + X86_PF_USER + X86_PF_INSTR;
*/
static uint32_t access_bits(const struct cpu_state *cpu, struct access acc)
{
	uint32_t e = 0;

	if (acc.type == ACCESS_WRITE)
		e += X86_PF_WRITE;
	if (acc.user && !acc.implicit)
		e += X86_PF_USER;
	if (acc.type == ACCESS_FETCH && (cpu->cr4_smep || cpu->efer_nxe))
		e += X86_PF_INSTR;
	return e;
}

/*
 * 4.6: may this access go to a page whose combined rights are user (U/S = 1 at every
 * level), writable (R/W = 1 at every level), xd (XD = 1 at some level, with NXE)?
 */
/*@ requires cpu: \valid_read(cpu);
    requires type: AccessTypeOk(acc);
    requires nx: xd ==> cpu->efer_nxe;
    assigns \nothing;
    ensures allow: \result <==> RightsAllow(cpu, acc, user != 0, writable != 0, xd != 0);
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

/* PKRU's bits for key: bit 0 is AD, bit 1 WD (4.6.2). */
/*@ requires key: key <= 15;
    assigns \nothing;
    ensures bits: \result == PkruBits(pkru, key);
*/
static uint32_t pkru_bits(uint32_t pkru, uint32_t key)
{
	return pkru >> (2 * key);
}

/*
 * 4.6.2: protection keys. For a data access to a user page with CR4.PKE: AD forbids
 * every data access; WD forbids writes from user mode, and from supervisor mode when
 * CR0.WP = 1. These are also exactly the conditions of the error code's PK bit (4.7).
 */
/*@ requires cpu: \valid_read(cpu);
    assigns \nothing;
    ensures denies: \result <==> PkeyDenies(cpu, acc, user != 0, leaf);
*/
static bool pkey_denies(const struct cpu_state *cpu, struct access acc, bool user, uint64_t leaf)
{
	uint32_t bits = pkru_bits(cpu->pkru, entry_pkey(leaf));
	bool ad = bits % 2 != 0, wd = bits / 2 % 2 != 0;
	bool supervisor = !acc.user || acc.implicit;

	if (!cpu->cr4_pke || !user || acc.type == ACCESS_FETCH)
		return false;
	if (ad)
		return true;
	return wd && acc.type == ACCESS_WRITE && (!supervisor || cpu->cr0_wp);
}

/* Bits n-1:0: the A/D mask of entries 0..n-1 (bit k stands for w.entry[k]). */
/*@ requires n: n <= 5;
    assigns \nothing;
    ensures mask: \result == LowMask(n);
*/
static uint32_t entries_mask(uint32_t n)
{
	switch (n) {
	case 0:
		return 0;
	case 1:
		return 0x1;
	case 2:
		return 0x3;
	case 3:
		return 0x7;
	case 4:
		return 0xf;
	default:
		return 0x1f;
	}
}

/* What the last entry read decides (4.6, 4.7): a #PF and its error code, or a page. */
struct walk_outcome {
	bool pf;
	uint32_t error_code;
	uint32_t must_a, may_a; /* bit k: entry k */
	bool must_d;
	uint64_t paddr, page_size;
};

/*
 * The outcome of a walk that read levels entries and ended with e at level (top =
 * 2^MAXPHYADDR), with the rights user, writable and xd of every entry read (4.6).
 */
/*@ requires cpu: \valid_read(cpu);
    requires type: AccessTypeOk(acc);
    requires levels: 1 <= levels <= 5;
    requires level: 1 <= level <= 5;
    requires leaf: EntPresent(e) &&
	!EntReserved(e, level, cpu->efer_nxe != 0, cpu->gbpages != 0, top) ==> level <= 3;
    requires nx: EntPresent(e) &&
	!EntReserved(e, level, cpu->efer_nxe != 0, cpu->gbpages != 0, top) ==> xd ==> cpu->efer_nxe;
    assigns \nothing;
    behavior not_present:
	assumes !EntPresent(e);
	ensures pf: \result.pf;
	ensures error_code: \result.error_code == AccessBits(cpu, acc);
	ensures ad: \result.must_a == 0 && \result.may_a == LowMask(levels - 1) &&
	    !\result.must_d;
	ensures no_page: \result.paddr == 0 && \result.page_size == 0;
    behavior reserved:
	assumes EntPresent(e) &&
	    EntReserved(e, level, cpu->efer_nxe != 0, cpu->gbpages != 0, top);
	ensures pf: \result.pf;
	ensures error_code:
	    \result.error_code == AccessBits(cpu, acc) + X86_PF_RSVD + X86_PF_PROT;
	ensures ad: \result.must_a == 0 && \result.may_a == LowMask(levels - 1) &&
	    !\result.must_d;
	ensures no_page: \result.paddr == 0 && \result.page_size == 0;
    behavior denied:
	assumes EntPresent(e) &&
	    !EntReserved(e, level, cpu->efer_nxe != 0, cpu->gbpages != 0, top);
	assumes !RightsAllow(cpu, acc, user != 0, writable != 0, xd != 0) ||
	    PkeyDenies(cpu, acc, user != 0, e);
	ensures pf: \result.pf;
	ensures error_code_pk: PkeyDenies(cpu, acc, user != 0, e) ==>
	    \result.error_code == AccessBits(cpu, acc) + X86_PF_PROT + X86_PF_PK;
	ensures error_code: !PkeyDenies(cpu, acc, user != 0, e) ==>
	    \result.error_code == AccessBits(cpu, acc) + X86_PF_PROT;
	ensures ad: \result.must_a == 0 && \result.may_a == LowMask(levels) && !\result.must_d;
	ensures no_page: \result.paddr == 0 && \result.page_size == 0;
    behavior ok:
	assumes EntPresent(e) &&
	    !EntReserved(e, level, cpu->efer_nxe != 0, cpu->gbpages != 0, top);
	assumes RightsAllow(cpu, acc, user != 0, writable != 0, xd != 0) &&
	    !PkeyDenies(cpu, acc, user != 0, e);
	ensures ok: !\result.pf && \result.error_code == 0;
	ensures ad: \result.must_a == LowMask(levels) && \result.may_a == \result.must_a &&
	    (\result.must_d <==> acc.type == ACCESS_WRITE);
	ensures size: \result.page_size == LevelSize(level);
	ensures paddr: \result.paddr == EntFrame(e, \result.page_size) + vaddr % \result.page_size;
    complete behaviors;
    disjoint behaviors;
*/
static struct walk_outcome walk_decide(const struct cpu_state *cpu, struct access acc, uint64_t e,
				       uint32_t level, uint32_t levels, bool user, bool writable,
				       bool xd, uint64_t top, uint64_t vaddr)
{
	struct walk_outcome o = {0};
	bool pk;

	if (!entry_flag(e, _PAGE_PRESENT)) {
		/* 4.7: P = 0; A may be set in the present entries above */
		o.pf = true;
		o.error_code = access_bits(cpu, acc);
		o.may_a = entries_mask(levels - 1);
	} else if (entry_reserved(e, level, cpu->efer_nxe, cpu->gbpages, top)) {
		/* 4.7: RSVD, with P */
		o.pf = true;
		o.error_code = access_bits(cpu, acc) + X86_PF_RSVD + X86_PF_PROT;
		o.may_a = entries_mask(levels - 1);
	} else {
		/* e maps a page: the rights of every level decide (4.6) */
		pk = pkey_denies(cpu, acc, user, e);
		if (!rights_allow(cpu, acc, user, writable, xd) || pk) {
			o.pf = true;
			o.error_code = access_bits(cpu, acc) + X86_PF_PROT + (pk ? X86_PF_PK : 0);
			o.may_a = entries_mask(levels); /* every entry was used */
		} else {
			o.page_size = level_size(level);
			o.paddr = entry_frame(e, o.page_size) + page_offset(vaddr, o.page_size);
			o.must_a = entries_mask(levels);
			o.may_a = o.must_a;
			o.must_d = acc.type == ACCESS_WRITE;
		}
	}
	return o;
}

/* The entry for vaddr in the table at table of this level (4.5). */
/*@ requires level: 1 <= level <= 5;
    requires table: table < 0x10000000000000;
    assigns \nothing;
    ensures addr: \result == EntryAt(table, vaddr, level);
*/
static uint64_t pt_entry_addr(uint64_t table, uint64_t vaddr, int level)
{
	return table + pt_index(vaddr, (uint32_t)level) * 8;
}

/* What walk_down() found: the entries it read and the rights they give. */
struct walk_path {
	uint64_t entry_addr[5], entry[5]; /* entries 0..n-1 as in struct walk; the rest 0 */
	int n;				  /* entries read */
	int level;			  /* the level of the last one: where the walk ended */
	bool user, writable, xd;	  /* U/S, R/W at every level read, XD at some (4.6) */
};

/*
 * Walk down from the top-level table (4.5), one level per iteration, until an entry is
 * not present, has a reserved bit set (top = 2^MAXPHYADDR), or maps a page.
 */
/*@ requires ram: RamReadable(p);
    requires cpu: \valid_read(cpu);
    requires top: top == WPhysTop(cpu);
    assigns \nothing;
    ensures level: \result.level == WStop(p, cpu, cr3, vaddr);
    ensures n: \result.n == WLevels(p, cpu, cr3, vaddr) && 1 <= \result.n <= 5;
    ensures entries: \forall integer k; 0 <= k < \result.n ==>
	\result.entry_addr[k] == WAddr(p, cpu, cr3, vaddr, WTop(cpu) - k) &&
	\result.entry[k] == WEnt(p, cpu, cr3, vaddr, WTop(cpu) - k);
    ensures last: \result.entry[\result.n - 1] == WLast(p, cpu, cr3, vaddr);
    ensures in_ram: \forall integer k; 0 <= k < \result.n - 1 ==>
	\result.entry_addr[k] / PAGE_SIZE < p->nr_pages &&
	\result.entry[k] == p->mem[\result.entry_addr[k] / 8];
    ensures last_in_ram: EntPresent(\result.entry[\result.n - 1]) ==>
	\result.entry_addr[\result.n - 1] / PAGE_SIZE < p->nr_pages &&
	\result.entry[\result.n - 1] == p->mem[\result.entry_addr[\result.n - 1] / 8];
    ensures unread: \forall integer k; \result.n <= k < 5 ==>
	\result.entry_addr[k] == 0 && \result.entry[k] == 0;
    ensures user: \result.user <==> WUser(p, cpu, cr3, vaddr, \result.level);
    ensures writable: \result.writable <==> WWritable(p, cpu, cr3, vaddr, \result.level);
    ensures xd: \result.xd <==> WXd(p, cpu, cr3, vaddr, \result.level);
    ensures nx: WMapped(p, cpu, cr3, vaddr) ==> \result.xd ==> cpu->efer_nxe;
    ensures leaf: WMapped(p, cpu, cr3, vaddr) ==> 1 <= \result.level <= 3;
    ensures range: 1 <= \result.level <= 5;
*/
static struct walk_path walk_down(const struct phys *p, const struct cpu_state *cpu, uint64_t cr3,
				  uint64_t vaddr, uint64_t top)
{
	struct walk_path r = {0};
	int level = cpu->cr4_la57 ? PT_PGD5 : PT_P4D, n = 0;
	uint64_t table = cr3_table(cr3, top), e;
	bool user = true, writable = true, xd = false, on;

	/*@ loop invariant level: 1 <= level <= WTop(cpu);
	    loop invariant count: n == WTop(cpu) - level;
	    loop invariant stop: WStop(p, cpu, cr3, vaddr) <= level;
	    loop invariant table: table == WTable(p, cpu, cr3, vaddr, level);
	    loop invariant table_range: table < 0x10000000000000;
	    loop invariant user: user <==> WUser(p, cpu, cr3, vaddr, level + 1);
	    loop invariant writable: writable <==> WWritable(p, cpu, cr3, vaddr, level + 1);
	    loop invariant xd: xd <==> WXd(p, cpu, cr3, vaddr, level + 1);
	    loop invariant nx: xd ==> cpu->efer_nxe;
	    loop invariant entries: \forall integer k; 0 <= k < n ==>
		r.entry_addr[k] == WAddr(p, cpu, cr3, vaddr, WTop(cpu) - k) &&
		r.entry[k] == WEnt(p, cpu, cr3, vaddr, WTop(cpu) - k);
	    loop invariant in_ram: \forall integer k; 0 <= k < n ==>
		r.entry_addr[k] / PAGE_SIZE < p->nr_pages &&
		r.entry[k] == p->mem[r.entry_addr[k] / 8];
	    loop invariant unread: \forall integer k; n <= k < 5 ==>
		r.entry_addr[k] == 0 && r.entry[k] == 0;
	    loop assigns level, n, table, e, on, user, writable, xd, r.entry_addr[0 .. 4],
		r.entry[0 .. 4];
	    loop variant level;
	*/
	for (;;) {
		r.entry_addr[n] = pt_entry_addr(table, vaddr, level);
		e = read_entry(p, r.entry_addr[n]);
		/*@ assert entry: e == WEnt(p, cpu, cr3, vaddr, level); */
		r.entry[n] = e;
		n++;
		user = user && entry_flag(e, _PAGE_USER);
		writable = writable && entry_flag(e, _PAGE_RW);
		xd = xd || entry_flag(e, _PAGE_NX);
		on = entry_goes_on(e, (uint32_t)level, cpu->efer_nxe, cpu->gbpages, top);
		/*@ assert on: on <==> WGoesOn(p, cpu, cr3, vaddr, level); */
		if (!on) {
			/*@ assert stop: level == WStop(p, cpu, cr3, vaddr); */
			break; /* not present, a reserved bit, or a page */
		}
		/*@ assert below: WStop(p, cpu, cr3, vaddr) <= level - 1; */
		table = entry_table(e);
		level--;
	}
	r.n = n;
	r.level = level;
	r.user = user;
	r.writable = writable;
	r.xd = xd;
	return r;
}

/*
 * 4.8: set A in every entry a successful walk used and, with dirty, D in the leaf (the
 * last entry read). Each word becomes the value the walk read with A (and D) set.
 */
/*@ requires ram: RamWritable(p);
    requires path: \valid_read(path) && \separated(path, p->mem + (0 .. RamWords(p) - 1));
    requires n: 1 <= path->n <= 5;
    requires in_ram: \forall integer k; 0 <= k < path->n ==>
	path->entry_addr[k] / PAGE_SIZE < p->nr_pages;
    assigns p->mem[0 .. RamWords(p) - 1];
    ensures ad_bits: \forall integer j; 0 <= j < RamWords(p) ==>
	p->mem[j] ==
	(dirty && j == \old(path->entry_addr[path->n - 1]) / 8 ?
	 EntMkDirty(EntMkYoung(\old(path->entry[path->n - 1]))) :
	 AdPrefix(j, \old(path->n), \old(path->entry_addr[0]), \old(path->entry_addr[1]),
		  \old(path->entry_addr[2]), \old(path->entry_addr[3]),
		  \old(path->entry_addr[4]), \old(path->entry[0]), \old(path->entry[1]),
		  \old(path->entry[2]), \old(path->entry[3]), \old(path->entry[4]),
		  \old(p->mem[j])));
*/
static void walk_set_ad(struct phys *p, const struct walk_path *path, bool dirty)
{
	uint64_t addr[5], val[5], word; /* the entries, as values the writes cannot change */
	int n = path->n, i;
	uint64_t leaf_addr = path->entry_addr[n - 1], leaf = path->entry[n - 1];

	addr[0] = path->entry_addr[0];
	addr[1] = path->entry_addr[1];
	addr[2] = path->entry_addr[2];
	addr[3] = path->entry_addr[3];
	addr[4] = path->entry_addr[4];
	val[0] = path->entry[0];
	val[1] = path->entry[1];
	val[2] = path->entry[2];
	val[3] = path->entry[3];
	val[4] = path->entry[4];
	/*@ loop invariant i: 0 <= i <= n && n == \at(path->n, Pre);
	    loop invariant ad_bits: \forall integer j; 0 <= j < RamWords(p) ==>
		p->mem[j] == AdPrefix(j, i, addr[0], addr[1], addr[2], addr[3], addr[4], val[0],
				      val[1], val[2], val[3], val[4], \at(p->mem[j], Pre));
	    loop assigns i, word, p->mem[0 .. RamWords(p) - 1];
	    loop variant n - i;
	*/
	for (i = 0; i < n; i++) { /* A in every entry used */
		word = addr[i] / 8;
		p->mem[word] = entry_mkyoung(val[i]);
	}
	if (dirty) { /* and D in the leaf */
		word = leaf_addr / 8;
		/*@ assert word: word == leaf_addr / 8; */
		p->mem[word] = entry_mkdirty(entry_mkyoung(leaf));
	}
}

/*
 * The walk: walk_down() reads the entries, walk_decide() judges the last one, and a
 * translation with commit sets the A/D bits (walk_set_ad()).
 */
struct walk mmu_walk(struct phys *p, const struct cpu_state *cpu, uint64_t cr3, uint64_t vaddr,
		     struct access acc, bool commit)
{
	struct walk w = {0};
	uint64_t top = phys_top(cpu->maxphyaddr);

	if (!canonical(vaddr, cpu->cr4_la57)) {
		w.gp = true;
		return w;
	}
	/* Both initialized where declared: an assignment would copy them with memcpy. */
	struct walk_path path = walk_down(p, cpu, cr3, vaddr, top);
	struct walk_outcome o =
	    walk_decide(cpu, acc, path.entry[path.n - 1], (uint32_t)path.level, (uint32_t)path.n,
			path.user, path.writable, path.xd, top, vaddr);

	w.entry_addr[0] = path.entry_addr[0];
	w.entry_addr[1] = path.entry_addr[1];
	w.entry_addr[2] = path.entry_addr[2];
	w.entry_addr[3] = path.entry_addr[3];
	w.entry_addr[4] = path.entry_addr[4];
	w.entry[0] = path.entry[0];
	w.entry[1] = path.entry[1];
	w.entry[2] = path.entry[2];
	w.entry[3] = path.entry[3];
	w.entry[4] = path.entry[4];
	w.levels = (uint32_t)path.n;
	/*@ assert levels: w.levels == path.n; */
	/*@ assert entries: \forall integer k; 0 <= k < w.levels ==>
		w.entry_addr[k] == WAddr(p, cpu, cr3, vaddr, WTop(cpu) - k) &&
		w.entry[k] == WEnt(p, cpu, cr3, vaddr, WTop(cpu) - k); */
	/*@ assert leaf: w.entry_addr[w.levels - 1] == path.entry_addr[path.n - 1] &&
		w.entry[w.levels - 1] == path.entry[path.n - 1]; */
	w.pf = o.pf;
	w.error_code = o.error_code;
	w.cr2 = o.pf ? vaddr : 0;
	w.paddr = o.paddr;
	w.page_size = o.page_size;
	w.must_a = o.must_a;
	w.may_a = o.may_a;
	w.must_d = o.must_d;
	if (!o.pf && commit) { /* 4.8: A in every entry used, D in the leaf on a write */
		walk_set_ad(p, &path, o.must_d);
		/*@ assert set: \forall integer j; 0 <= j < RamWords(p) ==>
			p->mem[j] ==
			(w.must_d && j == w.entry_addr[w.levels - 1] / 8 ?
			 EntMkDirty(EntMkYoung(w.entry[w.levels - 1])) :
			 AdPrefix(j, w.levels, w.entry_addr[0], w.entry_addr[1], w.entry_addr[2],
				  w.entry_addr[3], w.entry_addr[4], w.entry[0], w.entry[1],
				  w.entry[2], w.entry[3], w.entry[4], \at(p->mem[j], Pre))); */
	}
	return w;
}
