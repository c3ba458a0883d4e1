/* SPDX-License-Identifier: MIT */
/*
 * test_walk.c - x86-64 page walks with exact expected results, in the style of
 * kvm-unit-tests x86/access.c: one mapping, one CPU state, one access, and the fault,
 * error code, physical address and A/D bits the SDM (vol. 3, chapter 4) predicts. Each
 * case is checked against BOTH mmu_walk() (model/pgtable.c) and the naive reference
 * walk_ref() (tests/walk_ref.c), and the two must agree field by field.
 *
 * The machine: 1 MiB of RAM; the tables sit in fixed frames, the page at PAGE_PHYS:
 *
 *   CR3 -> [PML5 frame 5] -> [PML4 frame 1] -> [PDPT frame 2] -> [PD frame 3] -> [PT frame 4]
 *          (LA57 only)                                            |               |
 *                                                   1 GiB leaf <--+  2 MiB leaf <-+-> 4 KiB
 */
#include <string.h>

#include "pgtable.h"
#include "test.h"
#include "walk_ref.h"

#define FRAMES	   256u
#define PML5_PHYS  0x5000ull
#define PML4_PHYS  0x1000ull
#define PDPT_PHYS  0x2000ull
#define PD_PHYS	   0x3000ull
#define PT_PHYS	   0x4000ull
#define PAGE_PHYS  0x80000ull		 /* the 4 KiB page */
#define LARGE_PHYS 0x40000000ull	 /* a 2 MiB / 1 GiB page: outside RAM, never read */
#define USER_VA	   0x00007f1234567abcull /* PML4 254, PDPT 72, PD 418, PT 359 */
#define KERN_VA	   0xffff888000123456ull /* a kernel address: PML4 273 */
#define LA57_VA	   0x00ab7f1234567abcull /* PML5 171: canonical only with LA57 */

#define P   _PAGE_PRESENT
#define RW  _PAGE_RW
#define US  _PAGE_USER
#define PS  _PAGE_PSE
#define NX  _PAGE_NX
#define PFP X86_PF_PROT
#define PFW X86_PF_WRITE
#define PFU X86_PF_USER
#define PFR X86_PF_RSVD
#define PFI X86_PF_INSTR
#define PFK X86_PF_PK

static uint64_t mem[(size_t)FRAMES * PAGE_WORDS] __attribute__((aligned(4096)));
static struct page pages[FRAMES];
static struct phys phys;
static uint64_t cr3;

static const struct access READ = {ACCESS_READ, false, false};
static const struct access WRITE = {ACCESS_WRITE, false, false};
static const struct access FETCH = {ACCESS_FETCH, false, false};
static const struct access UREAD = {ACCESS_READ, true, false};
static const struct access UWRITE = {ACCESS_WRITE, true, false};
static const struct access UFETCH = {ACCESS_FETCH, true, false};
static const struct access IMPLICIT_READ = {ACCESS_READ, false, true};
static const struct access IMPLICIT_READ_CPL3 = {ACCESS_READ, true, true};

/* One mapping: the flags of the entries above the leaf, the leaf's, and the page size. */
struct mapping {
	uint64_t upper; /* PML5E, PML4E, PDPTE, PDE as far as they are tables */
	uint64_t leaf;	/* flags (and reserved bits) of the leaf; its address is added */
	uint64_t size;	/* 4 KiB, 2 MiB or 1 GiB */
	bool la57;
};

static void set_entry(uint64_t table, uint64_t vaddr, unsigned int shift, uint64_t value)
{
	mem[(table + ((vaddr >> shift) & 511) * 8) / 8] = value;
}

/* Clear the tables and map vaddr as m says (kvm-unit-tests: install_pte). */
static void install(const struct mapping *m, uint64_t vaddr)
{
	memset(mem, 0, sizeof(mem));
	cr3 = PML4_PHYS;
	if (m->la57) {
		set_entry(PML5_PHYS, vaddr, 48, PML4_PHYS | m->upper);
		cr3 = PML5_PHYS;
	}
	set_entry(PML4_PHYS, vaddr, 39, PDPT_PHYS | m->upper);
	if (m->size == 1ull << 30) {
		set_entry(PDPT_PHYS, vaddr, 30, LARGE_PHYS | m->leaf | PS);
		return;
	}
	set_entry(PDPT_PHYS, vaddr, 30, PD_PHYS | m->upper);
	if (m->size == 1ull << 21) {
		set_entry(PD_PHYS, vaddr, 21, LARGE_PHYS | m->leaf | PS);
		return;
	}
	set_entry(PD_PHYS, vaddr, 21, PT_PHYS | m->upper);
	set_entry(PT_PHYS, vaddr, 12, PAGE_PHYS | m->leaf);
}

/* A CPU with every protection feature off (1 GiB pages on); tests switch on what they need. */
static struct cpu_state plain_cpu(void)
{
	struct cpu_state c;

	memset(&c, 0, sizeof(c));
	c.gbpages = true;
	c.maxphyaddr = 46;
	return c;
}

/* What a case expects. */
struct expect {
	bool gp;
	bool pf;
	uint32_t error_code;
	uint64_t paddr;
	uint64_t page_size;
	uint32_t levels;
};

static struct expect fault(uint32_t error_code, uint32_t levels)
{
	struct expect e = {false, true, error_code, 0, 0, levels};

	return e;
}

static struct expect ok(uint64_t paddr, uint64_t page_size, uint32_t levels)
{
	struct expect e = {false, false, 0, paddr, page_size, levels};

	return e;
}

static struct expect gp(void)
{
	struct expect e = {true, false, 0, 0, 0, 0};

	return e;
}

static bool matches(const struct walk *w, const struct expect *e, uint64_t vaddr)
{
	if (w->gp != e->gp || w->pf != e->pf || w->levels != e->levels)
		return false;
	if (e->gp)
		return true;
	if (e->pf)
		return w->error_code == e->error_code && w->cr2 == vaddr && w->must_a == 0 &&
		       !w->must_d;
	return w->paddr == e->paddr && w->page_size == e->page_size &&
	       w->must_a == (1u << e->levels) - 1 && w->may_a == w->must_a;
}

/* One access, checked against the expectation on both walks, and the two against each other. */
static void check(const char *what, const struct cpu_state *cpu, uint64_t vaddr, struct access acc,
		  struct expect want)
{
	struct walk m = mmu_walk(&phys, cpu, cr3, vaddr, acc, false);
	struct walk r = walk_ref(&phys, cpu, cr3, vaddr, acc);
	const char *diff = walk_ref_diff(&m, &r);
	bool m_ok = matches(&m, &want, vaddr), r_ok = matches(&r, &want, vaddr);

	report(m_ok, "%s: mmu_walk", what);
	report(r_ok, "%s: walk_ref", what);
	report(diff == NULL, "%s: mmu_walk and walk_ref differ in %s", what,
	       diff != NULL ? diff : "");
	if (!m_ok || !r_ok || diff != NULL) {
		printf(
		    "  expected: gp %d pf %d error_code 0x%x paddr 0x%llx size 0x%llx levels %u\n",
		    want.gp, want.pf, want.error_code, (unsigned long long)want.paddr,
		    (unsigned long long)want.page_size, want.levels);
		printf("  mmu_walk:\n");
		walk_ref_print("    ", &m);
		printf("  walk_ref:\n");
		walk_ref_print("    ", &r);
	}
}

static const struct mapping user_rw_4k = {P | RW | US, P | RW | US, 1ull << 12, false};
static const struct mapping user_ro_4k = {P | RW | US, P | US, 1ull << 12, false};
static const struct mapping kern_ro_4k = {P | RW, P, 1ull << 12, false};

#define USER_PADDR (PAGE_PHYS | (USER_VA & 0xfff))

/* A not-present PTE: P = 0 in the error code; W/R and U/S describe the access. */
static void test_not_present_pte(void)
{
	struct mapping m = user_rw_4k;
	struct cpu_state c = plain_cpu();

	m.leaf = RW | US; /* P = 0 */
	install(&m, USER_VA);
	check("supervisor read", &c, USER_VA, READ, fault(0, 4));
	check("supervisor write", &c, USER_VA, WRITE, fault(PFW, 4));
	check("user read", &c, USER_VA, UREAD, fault(PFU, 4));
	check("user write", &c, USER_VA, UWRITE, fault(PFU | PFW, 4));
	/* I/D only when NXE or SMEP is on (SDM 4.7). */
	check("user fetch, NXE and SMEP off", &c, USER_VA, UFETCH, fault(PFU, 4));
	c.efer_nxe = true;
	check("user fetch, NXE on", &c, USER_VA, UFETCH, fault(PFU | PFI, 4));
	c.efer_nxe = false;
	c.cr4_smep = true;
	check("supervisor fetch, SMEP on", &c, USER_VA, FETCH, fault(PFI, 4));
	/* Reserved bits in a not-present entry are not looked at. */
	m.leaf = RW | US | (1ull << 50);
	install(&m, USER_VA);
	check("not present with bit 50", &c, USER_VA, READ, fault(0, 4));
}

/* A not-present entry high up ends the walk there. */
static void test_not_present_upper_levels(void)
{
	struct mapping m = user_rw_4k;
	struct cpu_state c = plain_cpu();

	install(&m, USER_VA);
	check("user read, PML4E for another address", &c, USER_VA ^ (1ull << 39), UREAD,
	      fault(PFU, 1));
	check("kernel address, nothing mapped", &c, KERN_VA, WRITE, fault(PFW, 1));
	mem[(PD_PHYS + ((USER_VA >> 21) & 511) * 8) / 8] &= ~P;
	check("PDE not present", &c, USER_VA, UWRITE, fault(PFU | PFW, 3));
}

/* R/W: user writes need R/W = 1 everywhere; supervisor writes only with CR0.WP = 1. */
static void test_write_protect(void)
{
	struct mapping m = user_ro_4k;
	struct cpu_state c = plain_cpu();

	install(&m, USER_VA);
	check("user read of read-only", &c, USER_VA, UREAD, ok(USER_PADDR, 1ull << 12, 4));
	check("user write to read-only", &c, USER_VA, UWRITE, fault(PFP | PFW | PFU, 4));
	check("supervisor write to read-only, WP = 0", &c, USER_VA, WRITE,
	      ok(USER_PADDR, 1ull << 12, 4));
	c.cr0_wp = true;
	check("supervisor write to read-only, WP = 1", &c, USER_VA, WRITE, fault(PFP | PFW, 4));
	/* R/W = 0 in an upper level is just as read-only. */
	m = user_rw_4k;
	m.upper = P | US;
	install(&m, USER_VA);
	check("user write, upper levels read-only", &c, USER_VA, UWRITE, fault(PFP | PFW | PFU, 4));
	/* A supervisor page. */
	install(&kern_ro_4k, KERN_VA);
	check("user read of a supervisor page", &c, KERN_VA, UREAD, fault(PFP | PFU, 4));
	check("supervisor write, WP = 1", &c, KERN_VA, WRITE, fault(PFP | PFW, 4));
	c.cr0_wp = false;
	check("supervisor write, WP = 0", &c, KERN_VA, WRITE,
	      ok(PAGE_PHYS | (KERN_VA & 0xfff), 1ull << 12, 4));
}

/* SMEP: no supervisor fetch from a user-mode page, whatever XD says. */
static void test_smep(void)
{
	struct cpu_state c = plain_cpu();

	install(&user_rw_4k, USER_VA);
	check("supervisor fetch from user page, SMEP off", &c, USER_VA, FETCH,
	      ok(USER_PADDR, 1ull << 12, 4));
	c.cr4_smep = true;
	check("supervisor fetch from user page, SMEP on", &c, USER_VA, FETCH, fault(PFP | PFI, 4));
	check("user fetch, SMEP on", &c, USER_VA, UFETCH, ok(USER_PADDR, 1ull << 12, 4));
	check("supervisor read, SMEP on", &c, USER_VA, READ, ok(USER_PADDR, 1ull << 12, 4));
	install(&kern_ro_4k, KERN_VA);
	check("supervisor fetch from supervisor page", &c, KERN_VA, FETCH,
	      ok(PAGE_PHYS | (KERN_VA & 0xfff), 1ull << 12, 4));
}

/* SMAP: supervisor data accesses to user pages, unless RFLAGS.AC and explicit. */
static void test_smap(void)
{
	struct cpu_state c = plain_cpu();

	install(&user_rw_4k, USER_VA);
	c.cr4_smap = true;
	check("supervisor read, AC = 0", &c, USER_VA, READ, fault(PFP, 4));
	check("supervisor write, AC = 0", &c, USER_VA, WRITE, fault(PFP | PFW, 4));
	check("user read is not affected", &c, USER_VA, UREAD, ok(USER_PADDR, 1ull << 12, 4));
	c.rflags_ac = true;
	check("supervisor read, AC = 1", &c, USER_VA, READ, ok(USER_PADDR, 1ull << 12, 4));
	check("supervisor write, AC = 1", &c, USER_VA, WRITE, ok(USER_PADDR, 1ull << 12, 4));
	/* Implicit supervisor accesses ignore AC; at CPL 3 they are still supervisor (U/S 0). */
	check("implicit read, AC = 1", &c, USER_VA, IMPLICIT_READ, fault(PFP, 4));
	check("implicit read at CPL 3, AC = 1", &c, USER_VA, IMPLICIT_READ_CPL3, fault(PFP, 4));
	c.cr4_smap = false;
	check("implicit read at CPL 3, SMAP off", &c, USER_VA, IMPLICIT_READ_CPL3,
	      ok(USER_PADDR, 1ull << 12, 4));
	/* SMAP does not make WP go away: AC = 1 to a read-only user page with WP. */
	install(&user_ro_4k, USER_VA);
	c.cr4_smap = true;
	c.cr0_wp = true;
	check("supervisor write, AC = 1, read-only, WP", &c, USER_VA, WRITE, fault(PFP | PFW, 4));
	/* Supervisor pages are not affected. */
	install(&kern_ro_4k, KERN_VA);
	c.rflags_ac = false;
	check("supervisor read of supervisor page", &c, KERN_VA, READ,
	      ok(PAGE_PHYS | (KERN_VA & 0xfff), 1ull << 12, 4));
}

/* XD: with EFER.NXE, no fetch through XD = 1 at any level; without it, bit 63 is reserved. */
static void test_nx(void)
{
	struct mapping m = user_rw_4k;
	struct cpu_state c = plain_cpu();

	m.leaf |= NX;
	install(&m, USER_VA);
	c.efer_nxe = true;
	check("user fetch, XD in PTE", &c, USER_VA, UFETCH, fault(PFP | PFU | PFI, 4));
	check("supervisor fetch, XD in PTE", &c, USER_VA, FETCH, fault(PFP | PFI, 4));
	check("user read, XD in PTE", &c, USER_VA, UREAD, ok(USER_PADDR, 1ull << 12, 4));
	c.efer_nxe = false;
	check("user read, XD without NXE: reserved", &c, USER_VA, UREAD, fault(PFP | PFR | PFU, 4));
	check("user fetch, XD without NXE: reserved, no I/D", &c, USER_VA, UFETCH,
	      fault(PFP | PFR | PFU, 4));
	m = user_rw_4k;
	m.upper |= NX;
	install(&m, USER_VA);
	c.efer_nxe = true;
	check("user fetch, XD in the upper levels", &c, USER_VA, UFETCH, fault(PFP | PFU | PFI, 4));
	c.efer_nxe = false;
	check("XD in the PML4E without NXE: reserved at level 1", &c, USER_VA, READ,
	      fault(PFP | PFR, 1));
}

/* Bits 51:MAXPHYADDR are reserved in every entry: RSVD and P. */
static void test_reserved_above_maxphyaddr(void)
{
	struct mapping m = user_rw_4k;
	struct cpu_state c = plain_cpu();

	m.leaf |= 1ull << 46;
	install(&m, USER_VA);
	check("PTE bit 46, MAXPHYADDR 46", &c, USER_VA, READ, fault(PFP | PFR, 4));
	check("PTE bit 46, user write", &c, USER_VA, UWRITE, fault(PFP | PFR | PFU | PFW, 4));
	c.maxphyaddr = 47;
	check("PTE bit 46, MAXPHYADDR 47: an address", &c, USER_VA, READ,
	      ok((1ull << 46) | USER_PADDR, 1ull << 12, 4));
	c.maxphyaddr = 52;
	check("PTE bit 46, MAXPHYADDR 52", &c, USER_VA, READ,
	      ok((1ull << 46) | USER_PADDR, 1ull << 12, 4));
	c.maxphyaddr = 36;
	m = user_rw_4k;
	install(&m, USER_VA);
	mem[(PDPT_PHYS + ((USER_VA >> 30) & 511) * 8) / 8] |= 1ull << 51;
	check("PDPTE bit 51, MAXPHYADDR 36", &c, USER_VA, UREAD, fault(PFP | PFR | PFU, 2));
	/* Bits 62:52 of a table entry are ignored. */
	m.upper |= 0x7ffull << 52;
	install(&m, USER_VA);
	check("table entries with bits 62:52", &c, USER_VA, UREAD, ok(USER_PADDR, 1ull << 12, 4));
	/* PS in a PML4E is reserved. */
	m.upper = P | RW | US | PS;
	install(&m, USER_VA);
	check("PS in the PML4E", &c, USER_VA, READ, fault(PFP | PFR, 1));
}

/* A 2 MiB page: PS in the PDE; bits 20:13 reserved, bit 12 is PAT. */
static void test_2m_page(void)
{
	struct mapping m = {P | RW | US, P | RW | US, 1ull << 21, false};
	struct cpu_state c = plain_cpu();
	uint64_t paddr = LARGE_PHYS | (USER_VA & ((1ull << 21) - 1));

	install(&m, USER_VA);
	check("2 MiB user write", &c, USER_VA, UWRITE, ok(paddr, 1ull << 21, 3));
	m.leaf |= _PAGE_PAT_LARGE;
	install(&m, USER_VA);
	check("2 MiB with PAT", &c, USER_VA, UREAD, ok(paddr, 1ull << 21, 3));
	m.leaf = P | RW | US | (1ull << 13);
	install(&m, USER_VA);
	check("2 MiB with bit 13", &c, USER_VA, UREAD, fault(PFP | PFR | PFU, 3));
	m.leaf = P | US;
	install(&m, USER_VA);
	check("2 MiB read-only, user write", &c, USER_VA, UWRITE, fault(PFP | PFW | PFU, 3));
}

/* A 1 GiB page: PS in the PDPTE; bits 29:13 reserved. */
static void test_1g_page(void)
{
	struct mapping m = {P | RW | US, P | RW | US, 1ull << 30, false};
	struct cpu_state c = plain_cpu();
	uint64_t paddr = LARGE_PHYS | (USER_VA & ((1ull << 30) - 1));

	install(&m, USER_VA);
	check("1 GiB supervisor write", &c, USER_VA, WRITE, ok(paddr, 1ull << 30, 2));
	m.leaf |= 1ull << 29;
	install(&m, USER_VA);
	check("1 GiB with bit 29", &c, USER_VA, READ, fault(PFP | PFR, 2));
	m.leaf = P | RW | US | _PAGE_PAT_LARGE;
	install(&m, USER_VA);
	check("1 GiB with PAT", &c, USER_VA, READ, ok(paddr, 1ull << 30, 2));
	/* without 1 GiB pages (CPUID.80000001H:EDX.Page1GB = 0), PS in a PDPTE is reserved */
	c.gbpages = false;
	check("no 1 GiB pages: PS in the PDPTE", &c, USER_VA, UREAD, fault(PFP | PFR | PFU, 2));
	check("no 1 GiB pages: supervisor fetch", &c, USER_VA, FETCH, fault(PFP | PFR, 2));
	m.leaf = P | RW | US;
	install(&m, USER_VA);
	mem[(PML4_PHYS + ((USER_VA >> 39) & 511) * 8) / 8] = 0;
	check("no 1 GiB pages: PML4E not present first", &c, USER_VA, UREAD, fault(PFU, 1));
	install(&user_rw_4k, USER_VA);
	check("no 1 GiB pages: 4 KiB pages walk on", &c, USER_VA, UWRITE,
	      ok(USER_PADDR, 1ull << 12, 4));
}

/*
 * Protection keys: user-mode pages only, data accesses only. AD denies every data
 * access; WD denies user writes, and supervisor writes only with CR0.WP = 1.
 */
static void test_pku(void)
{
	struct mapping m = user_rw_4k;
	struct cpu_state c = plain_cpu();

	m.leaf |= 1ull << _PAGE_PKEY_SHIFT; /* key 1 */
	install(&m, USER_VA);
	c.cr4_pke = true;
	c.efer_nxe = true;
	c.pkru = 1u << 2; /* AD1 */
	check("AD: user read", &c, USER_VA, UREAD, fault(PFP | PFU | PFK, 4));
	check("AD: user write", &c, USER_VA, UWRITE, fault(PFP | PFU | PFW | PFK, 4));
	check("AD: supervisor read", &c, USER_VA, READ, fault(PFP | PFK, 4));
	check("AD: user fetch is not a data access", &c, USER_VA, UFETCH,
	      ok(USER_PADDR, 1ull << 12, 4));
	c.pkru = 1u << 3; /* WD1 */
	check("WD: user read", &c, USER_VA, UREAD, ok(USER_PADDR, 1ull << 12, 4));
	check("WD: user write", &c, USER_VA, UWRITE, fault(PFP | PFU | PFW | PFK, 4));
	check("WD: supervisor write, WP = 0", &c, USER_VA, WRITE, ok(USER_PADDR, 1ull << 12, 4));
	c.cr0_wp = true;
	check("WD: supervisor write, WP = 1", &c, USER_VA, WRITE, fault(PFP | PFW | PFK, 4));
	c.pkru = 3u << 0; /* key 0 fully denied, key 1 free */
	check("other key's bits", &c, USER_VA, UWRITE, ok(USER_PADDR, 1ull << 12, 4));
	c.cr4_pke = false;
	c.pkru = 3u << 2;
	check("PKE off", &c, USER_VA, UWRITE, ok(USER_PADDR, 1ull << 12, 4));
	/* Both a read-only page and WD: PK is set as well (its conditions hold). */
	c.cr4_pke = true;
	m.leaf &= ~RW;
	install(&m, USER_VA);
	c.pkru = 1u << 3;
	check("WD and read-only: user write", &c, USER_VA, UWRITE, fault(PFP | PFU | PFW | PFK, 4));
	/* A key on a supervisor page is not looked at. */
	m = kern_ro_4k;
	m.leaf |= 1ull << _PAGE_PKEY_SHIFT;
	install(&m, KERN_VA);
	c.pkru = 3u << 2;
	check("AD on a supervisor page", &c, KERN_VA, READ,
	      ok(PAGE_PHYS | (KERN_VA & 0xfff), 1ull << 12, 4));
	/* The key comes from the leaf: bits 62:59 of a table entry are ignored. */
	m = user_rw_4k;
	m.upper |= 1ull << _PAGE_PKEY_SHIFT;
	install(&m, USER_VA);
	check("key bits in table entries", &c, USER_VA, UREAD, ok(USER_PADDR, 1ull << 12, 4));
}

/* Canonical addresses: 48 bits, or 57 with CR4.LA57; otherwise #GP and no walk. */
static void test_canonical_and_la57(void)
{
	struct mapping m = user_rw_4k;
	struct cpu_state c = plain_cpu();

	install(&m, USER_VA);
	check("non-canonical, 4-level", &c, USER_VA | (1ull << 47), READ, gp());
	check("bit 63 alone", &c, 0x8000000000000000ull, UREAD, gp());
	check("LA57 address under 4-level paging", &c, LA57_VA, READ, gp());
	m.la57 = true;
	install(&m, LA57_VA);
	c.cr4_la57 = true;
	check("LA57: 5 levels", &c, LA57_VA, UWRITE, ok(USER_PADDR, 1ull << 12, 5));
	check("LA57: bit 57 flipped", &c, LA57_VA | (1ull << 57), READ, gp());
	check("LA57: bits 63:57 not all equal to bit 56", &c, 0xfe00000000000000ull, READ, gp());
	check("LA57: kernel half, nothing mapped", &c, 0xff11000000000000ull, READ, fault(0, 1));
	mem[(PML5_PHYS + ((LA57_VA >> 48) & 511) * 8) / 8] |= PS;
	check("LA57: PS in the PML5E", &c, LA57_VA, READ, fault(PFP | PFR, 1));
}

/* A/D: a successful walk sets A everywhere and D in the leaf on a write; commit writes them. */
static void test_accessed_dirty(void)
{
	struct cpu_state c = plain_cpu();
	struct walk w;
	uint64_t pte;

	install(&user_rw_4k, USER_VA);
	w = mmu_walk(&phys, &c, cr3, USER_VA, UREAD, false);
	report(w.must_a == 0xf && !w.must_d, "read: A in all four, no D");
	w = mmu_walk(&phys, &c, cr3, USER_VA, UWRITE, false);
	report(w.must_a == 0xf && w.must_d, "write: A in all four, D");
	pte = mem[(PT_PHYS + ((USER_VA >> 12) & 511) * 8) / 8];
	report((pte & (_PAGE_ACCESSED | _PAGE_DIRTY)) == 0, "commit = false writes nothing");
	w = mmu_walk(&phys, &c, cr3, USER_VA, UWRITE, true);
	pte = mem[(PT_PHYS + ((USER_VA >> 12) & 511) * 8) / 8];
	report((pte & (_PAGE_ACCESSED | _PAGE_DIRTY)) == (_PAGE_ACCESSED | _PAGE_DIRTY),
	       "commit = true: A and D in the PTE");
	report((mem[(PD_PHYS + ((USER_VA >> 21) & 511) * 8) / 8] & _PAGE_DIRTY) == 0,
	       "no D in a table entry");
	install(&user_ro_4k, USER_VA);
	w = walk_ref(&phys, &c, cr3, USER_VA, UWRITE);
	report(w.pf && w.must_a == 0 && w.may_a == 0xf && !w.must_d,
	       "protection fault: no A required, all allowed");
	w = mmu_walk(&phys, &c, cr3, USER_VA, UWRITE, true);
	report(w.pf && w.must_a == 0, "mmu_walk: protection fault, no A required");
	pte = mem[(PT_PHYS + ((USER_VA >> 12) & 511) * 8) / 8];
	report((pte & _PAGE_DIRTY) == 0, "a faulting write sets no D");
}

/*
 * CR3 bits MAXPHYADDR-1:12 locate the top table; the bits above are dropped (a CPU
 * refuses to load them: #GP on MOV to CR3), and so are CR3's low flag bits. The walk
 * takes a shortcut when CR3 is below 2^MAXPHYADDR: both ways give the same table.
 */
static void test_cr3_bits(void)
{
	struct cpu_state c = plain_cpu();
	struct walk plain, high, lowbits;

	install(&user_rw_4k, USER_VA);
	plain = mmu_walk(&phys, &c, cr3, USER_VA, UREAD, false);
	high = mmu_walk(&phys, &c, cr3 | 1ull << c.maxphyaddr, USER_VA, UREAD, false);
	lowbits = mmu_walk(&phys, &c, cr3 | 0x18, USER_VA, UREAD, false);
	report(!plain.pf && plain.levels == 4, "CR3 below 2^MAXPHYADDR: the page");
	report(!high.pf && high.paddr == plain.paddr && high.entry_addr[0] == plain.entry_addr[0],
	       "a CR3 bit at MAXPHYADDR is dropped: the same top table and page");
	report(!lowbits.pf && lowbits.paddr == plain.paddr &&
		   lowbits.entry_addr[0] == plain.entry_addr[0],
	       "CR3's PWT/PCD bits are not address bits");
}

int main(void)
{
	if (phys_init(&phys, mem, pages, FRAMES) != 0)
		return 2;
	RUN(test_not_present_pte);
	RUN(test_not_present_upper_levels);
	RUN(test_write_protect);
	RUN(test_smep);
	RUN(test_smap);
	RUN(test_nx);
	RUN(test_reserved_above_maxphyaddr);
	RUN(test_2m_page);
	RUN(test_1g_page);
	RUN(test_pku);
	RUN(test_canonical_and_la57);
	RUN(test_accessed_dirty);
	RUN(test_cr3_bits);
	return test_summary();
}
