/* SPDX-License-Identifier: MIT */
/*
 * sweep.c - `mmref sweep`: the exhaustive page-walk sweep. See sweep.h.
 *
 * How it works
 * ------------
 * One test address, its own path of tables, every entry on the path taken from a menu of
 * variants per level (kvm-unit-tests' x86/access.c flags, and more). The menus:
 *
 *   level    not present   table (next level)        leaf                 reserved (terminal)
 *   PML5E    0, junk       RW x US x NX, +ignored    -                    51, MAXPHYADDR, PS
 *   PML4E    0, junk       RW x US x NX, +ignored    -                    51, MAXPHYADDR, PS
 *   PDPTE    0, junk       RW x US x NX, +ignored    1G: RW x US x NX x   51, MAXPHYADDR;
 *                                                     A x D, +ignored     1G: 13, 29
 *                                                     (without 1 GiB pages, PS itself is
 *                                                     reserved: every 1G variant faults)
 *   PDE      0, junk       RW x US x NX x A, +ign.   2M: RW x US x NX x   51, MAXPHYADDR;
 *                                                     A x D, +ignored     2M: 13, 20
 *   PTE      0, junk       -                         RW x US x NX x A x D 51, MAXPHYADDR
 *                                                     +ignored
 *
 * ("junk": P clear and every other bit set, which the walk must not look at; "+ignored":
 * a variant with the bits the SDM says are ignored set -- D, G, 11:9, 62:52 in a table
 * entry, G, PAT, 11:9, 58:52 in a leaf.) Crossing all five menus is far beyond what a
 * guest can run (hundreds of millions of cases per mode), so there are two families:
 *
 *   LOW   access.c's: the PDE's and the PTE's menus crossed, the levels above a
 *         permissive table entry (P RW US, A clear);
 *   HIGH  the PML5E's, PML4E's and PDPTE's menus crossed with each other and with the
 *         leaf below them: a permissive PDE over a PTE (RW x US x NX x A x D, +ignored)
 *         or a 2 MiB PDE (the same).
 *
 * A configuration is a path through the menus: a level whose entry ends the walk (not
 * present, reserved, a leaf, or NX while EFER.NXE is clear, which is a reserved bit) has
 * no levels below it, so at most one reserved bit is ever set, as access.c requires.
 * Every configuration runs under every CPU mode (LA57 x EFER.NXE x CR0.WP x CR4.SMEP x
 * CR4.SMAP with RFLAGS.AC x CR4.PKE with the leaf's key and PKRU's AD/WD for it), for
 * every access (kernel/user x read/write/fetch), once on a cold TLB and once after a
 * kernel read of the same address ("twice" in access.c: a cached translation may serve
 * the second walk). The cases are numbered in that order -- mode, family, PML5E .. PTE,
 * twice, access -- the same on every host, so `--case N` reruns one case anywhere.
 *
 * The tables: a PGD whose kernel half is a copy of the kernel's with NX cleared (the
 * guest runs there, also under EFER.NXE = 0), entry 0 leading to the user stubs
 * ([vdso], user-executable), entry 1 to the test path; for 5-level paging a PML5 with
 * entries 0 and 511 on that PGD and entry 1 on a PML4 whose entry 1 is the test path's.
 * The test address reaches the same data frame through a 4 KiB, a 2 MiB or a 1 GiB page.
 * Every entry is written with kvm_diff_store() (host and guest: a shadow MMU sees only
 * the guest's writes), only when its value in memory differs (the guest sets A/D), and
 * the address is invlpg'ed before each case. Modes are grouped: one KVM_SET_SREGS and
 * one TLB flush per mode.
 *
 * A mode this vCPU lacks is never faked: its cases are skipped and counted by the
 * feature they need. 1 GiB pages are not a mode but part of the CPU (CPUID Page1GB): the
 * model's CPU has the vCPU's (cpu_state.gbpages), so on a vCPU without them the PDPTE's
 * 1G variants run too, as reserved-bit cases (PS in a PDPTE: #PF with RSVD). 5-level paging is tried once, by vmm_open() (vmm_has_la57()):
 * CPUID may offer LA57 while KVM refuses CR4.LA57.
 */
#define _POSIX_C_SOURCE 200809L
#include "sweep.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buddy.h"
#include "kvm_diff.h"

#define BIT(n) (1ull << (n))

/* Paging levels, top first; a 4-level walk starts at L_PML4. */
enum { L_PML5, L_PML4, L_PDPT, L_PD, L_PT, NR_LEVELS };

static const char *const level_names[NR_LEVELS] = {"pml5e", "pml4e", "pdpte", "pde", "pte"};

enum vkind {
	V_NP,	      /* not present */
	V_TABLE,      /* points to the next level */
	V_LEAF,	      /* maps the page (PS at PDPTE/PDE) */
	V_RSVD_TABLE, /* a reserved bit, the address of the next table */
	V_RSVD_LEAF,  /* a reserved bit, the address of the page */
};

struct variant {
	uint64_t bits; /* the entry without its address */
	uint8_t kind;
	const char *tag; /* what the variant tests */
};

#define MAX_VARIANTS 64

struct menu {
	struct variant v[MAX_VARIANTS];
	uint32_t n;
};

/*
 * The two families of configurations: LOW, kvm-unit-tests' access.c -- every bit of the
 * PDE and the PTE (with 2 MiB leaves), the levels above permissive; HIGH -- every bit of
 * the PML5E, the PML4E and the PDPTE (with 1 GiB leaves), crossed with each other and
 * with the rights (RW x US x NX) of the 2 MiB or 4 KiB leaf below.
 */
enum { FAM_LOW, FAM_HIGH, NR_FAMILIES };

static const char *const family_names[NR_FAMILIES] = {"low", "high"};

/* What a mode or a case needs that a vCPU may lack. */
enum feature { F_LA57, F_NX, F_SMEP, F_SMAP, F_PKU, NR_FEATURES };

static const char *const feature_names[NR_FEATURES] = {"LA57 (5-level paging)", "NX", "SMEP",
						       "SMAP", "PKU (CR4.PKE)"};

/* A CPU mode: what the walk depends on besides the tables. */
struct mode {
	bool la57, nxe, wp, smep, smap, ac, pke;
	uint8_t pkey;  /* the leaf's protection key (under CR4.PKE) */
	uint32_t pkru; /* AD/WD for that key */
};

#define NR_MODES 432 /* 2 LA57 x 2 NXE x 2 WP x 2 SMEP x 3 SMAP/AC x 9 PKE */

/* The accesses, innermost: kernel/user x read/write/fetch. */
#define NR_ACCESSES	 6
#define NR_TWICE	 2
#define CASES_PER_CONFIG (NR_TWICE * NR_ACCESSES)

static const char *const type_names[] = {"read", "write", "fetch"};

struct sweep {
	struct kvm_diff *d;
	const struct sweep_opts *o;
	FILE *out, *err;
	struct menu menu[NR_FAMILIES][NR_LEVELS];
	struct mode modes[NR_MODES];
	/* the tables (physical addresses) and the addresses */
	uint64_t root4, root5, pml4_t, pdpt_t, pd_t, pt_t, data_pa;
	uint64_t addr4, addr5, stub;
	/* the walk being enumerated */
	const struct mode *loaded; /* the mode in the vCPU */
	uint32_t fam;		   /* the family being enumerated */
	uint32_t choice[NR_LEVELS];
	uint64_t cnt[NR_LEVELS]; /* configurations from each level down, current mode */
	uint64_t idx;		 /* the next case's number */
	/* figures */
	uint64_t stride; /* the selection: index % stride == seed % stride */
	uint64_t mode_cases[NR_MODES], mode_runnable[NR_MODES];
	uint64_t total, total_runnable, total_by[NR_FEATURES];
	uint64_t selected_runnable; /* the cases this run intends to run */
	uint64_t run, faults, mismatches, skipped, unsupported_at_run;
	bool stop;
	int rc;
	double t0, last_progress;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The menus -------------------------------------------------------------------------- */

static void add(struct menu *mu, uint64_t bits, enum vkind kind, const char *tag)
{
	if (mu->n < MAX_VARIANTS)
		mu->v[mu->n++] = (struct variant){bits, (uint8_t)kind, tag};
}

/* The reserved address bits every level tests: 51 and MAXPHYADDR (one when they meet). */
static void add_reserved_address(struct menu *mu, uint64_t base, uint32_t maxphyaddr,
				 enum vkind kind)
{
	if (maxphyaddr < 52)
		add(mu, base | BIT(maxphyaddr), kind, "rsvd-maxphyaddr");
	if (maxphyaddr < 51)
		add(mu, base | BIT(51), kind, "rsvd-51");
}

/* Table entries: RW x US x NX with A clear (x A at the PDE, as access.c), and one with
 * A and every ignored bit set. */
static void add_tables(struct menu *mu, bool with_a)
{
	const uint64_t ignored =
	    _PAGE_DIRTY | _PAGE_GLOBAL | BIT(9) | BIT(10) | BIT(11) | (0x7ffull << 52); /* 62:52 */
	uint32_t f;

	for (f = 0; f < (with_a ? 16u : 8u); f++)
		add(mu,
		    _PAGE_PRESENT | (f & 1 ? _PAGE_RW : 0) | (f & 2 ? _PAGE_USER : 0) |
			(f & 4 ? _PAGE_NX : 0) | (f & 8 ? _PAGE_ACCESSED : 0),
		    V_TABLE, "table");
	add(mu, _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | ignored, V_TABLE,
	    "table+ignored");
}

/* Leaves: RW x US x NX x A x D, and one with every ignored bit (and PAT) set. */
static void add_leaves(struct menu *mu, uint64_t ps, uint64_t pat, const char *tag,
		       const char *tag_ignored)
{
	const uint64_t ignored =
	    _PAGE_GLOBAL | BIT(9) | BIT(10) | BIT(11) | (0x7full << 52); /* 58:52 */
	uint32_t f;

	for (f = 0; f < 32; f++)
		add(mu,
		    _PAGE_PRESENT | ps | (f & 1 ? _PAGE_RW : 0) | (f & 2 ? _PAGE_USER : 0) |
			(f & 4 ? _PAGE_NX : 0) | (f & 8 ? _PAGE_ACCESSED : 0) |
			(f & 16 ? _PAGE_DIRTY : 0),
		    V_LEAF, tag);
	add(mu,
	    _PAGE_PRESENT | ps | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY | pat |
		ignored,
	    V_LEAF, tag_ignored);
}

static void add_not_present(struct menu *mu)
{
	add(mu, 0, V_NP, "not-present");
	add(mu, ~_PAGE_PRESENT, V_NP, "not-present+junk");
}

static void build_menus(struct sweep *s, uint32_t maxphyaddr)
{
	const uint64_t prwu = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER;
	struct menu *low = s->menu[FAM_LOW], *high = s->menu[FAM_HIGH], *mu;
	uint32_t l;

	/* LOW: the levels above the PDE permissive (A clear: the walk must set it) */
	for (l = L_PML5; l <= L_PDPT; l++)
		add(&low[l], prwu, V_TABLE, "table");
	mu = &low[L_PD];
	add_not_present(mu);
	add_tables(mu, true);
	add_reserved_address(mu, prwu, maxphyaddr, V_RSVD_TABLE);
	add_leaves(mu, _PAGE_PSE, _PAGE_PAT_LARGE, "2m", "2m+ignored+pat");
	add(mu, prwu | _PAGE_PSE | BIT(13), V_RSVD_LEAF, "2m-rsvd-13");
	add(mu, prwu | _PAGE_PSE | BIT(20), V_RSVD_LEAF, "2m-rsvd-20");
	mu = &low[L_PT];
	add_not_present(mu);
	add_leaves(mu, 0, BIT(7), "4k", "4k+ignored+pat");
	add_reserved_address(mu, prwu, maxphyaddr, V_RSVD_LEAF);

	/* HIGH: every bit of the upper levels, the leaf's rights below them */
	for (l = L_PML5; l <= L_PML4; l++) {
		mu = &high[l];
		add_not_present(mu);
		add_tables(mu, false);
		add_reserved_address(mu, prwu, maxphyaddr, V_RSVD_TABLE);
		add(mu, prwu | _PAGE_PSE, V_RSVD_TABLE, "rsvd-ps");
	}
	mu = &high[L_PDPT];
	add_not_present(mu);
	add_tables(mu, false);
	add_reserved_address(mu, prwu, maxphyaddr, V_RSVD_TABLE);
	add_leaves(mu, _PAGE_PSE, _PAGE_PAT_LARGE, "1g", "1g+ignored+pat");
	add(mu, prwu | _PAGE_PSE | BIT(13), V_RSVD_LEAF, "1g-rsvd-13");
	add(mu, prwu | _PAGE_PSE | BIT(29), V_RSVD_LEAF, "1g-rsvd-29");
	add(&high[L_PD], prwu, V_TABLE, "table");
	add_leaves(&high[L_PD], _PAGE_PSE, _PAGE_PAT_LARGE, "2m", "2m+ignored+pat");
	add_leaves(&high[L_PT], 0, BIT(7), "4k", "4k+ignored+pat");
}

/* Does this entry end the walk under mode m? (NX without EFER.NXE is a reserved bit.) */
static bool ends_walk(const struct mode *m, const struct variant *v)
{
	return v->kind != V_TABLE || (!m->nxe && (v->bits & _PAGE_NX) != 0);
}

/* Configurations of family fam from level l down, under mode m. */
static uint64_t count_configs(const struct sweep *s, const struct mode *m, uint32_t fam, uint32_t l)
{
	const struct menu *mu = &s->menu[fam][l];
	uint64_t below = 0, n = 0;
	uint32_t i;

	if (l + 1 < NR_LEVELS)
		below = count_configs(s, m, fam, l + 1);
	for (i = 0; i < mu->n; i++)
		n += ends_walk(m, &mu->v[i]) ? 1 : below;
	return n;
}

/* The modes ---------------------------------------------------------------------------- */

static void build_modes(struct sweep *s)
{
	uint32_t n = 0, la57, nxe, wp, smep, smap, pk;

	for (la57 = 0; la57 < 2; la57++)
		for (nxe = 0; nxe < 2; nxe++)
			for (wp = 0; wp < 2; wp++)
				for (smep = 0; smep < 2; smep++)
					for (smap = 0; smap < 3; smap++)
						for (pk = 0; pk < 9; pk++) {
							struct mode *m = &s->modes[n++];

							m->la57 = la57;
							m->nxe = nxe;
							m->wp = wp;
							m->smep = smep;
							m->smap = smap > 0;
							m->ac = smap == 2;
							/* pk 0: CR4.PKE clear; 1..8: the leaf's key
							 * (0 or 1) x AD x WD for it */
							m->pke = pk > 0;
							m->pkey = pk > 4;
							m->pkru = pk > 0 ? ((pk - 1) & 3u)
									       << (2 * m->pkey)
									 : 0;
						}
}

/* The features mode m needs that this vCPU lacks, as a mask of 1 << F_*. */
static uint32_t mode_lacks(const struct sweep *s, const struct mode *m)
{
	const struct vmm_features *f = &s->d->vmm.feat;

	return (m->la57 && !vmm_has_la57(&s->d->vmm) ? 1u << F_LA57 : 0) |
	       (m->nxe && !f->nx ? 1u << F_NX : 0) | (m->smep && !f->smep ? 1u << F_SMEP : 0) |
	       (m->smap && !f->smap ? 1u << F_SMAP : 0) | (m->pke && !f->pku ? 1u << F_PKU : 0);
}

static void print_mode(FILE *f, const struct sweep *s, const struct mode *m)
{
	fprintf(f,
		"la57=%d nxe=%d wp=%d smep=%d smap=%d ac=%d pke=%d pkey=%u pkru=%#x maxphyaddr=%u "
		"gbpages=%d",
		m->la57, m->nxe, m->wp, m->smep, m->smap, m->ac, m->pke, m->pkey, m->pkru,
		s->d->x.m->cpu.maxphyaddr, s->d->x.m->cpu.gbpages);
}

/* Load mode m into the model's CPU; kvm_diff_walk() takes it to the vCPU. A mode change
 * empties the guest's TLB, as the model has none. */
static void load_mode(struct sweep *s, const struct mode *m)
{
	struct cpu_state *c = &s->d->x.m->cpu;

	if (s->loaded == m)
		return;
	c->cr0_wp = m->wp;
	c->cr4_smep = m->smep;
	c->cr4_smap = m->smap;
	c->rflags_ac = m->ac;
	c->cr4_pke = m->pke;
	c->pkru = m->pkru;
	c->cr4_la57 = m->la57;
	c->efer_nxe = m->nxe;
	s->d->flush_all = true;
	s->loaded = m;
}

/* Selection ---------------------------------------------------------------------------- */

/* Selected cases in [0, x). */
static uint64_t selected_below(const struct sweep *s, uint64_t x)
{
	uint64_t r = s->o->seed % s->stride;

	if (s->o->only_case >= 0)
		return x > (uint64_t)s->o->only_case ? 1 : 0;
	return x > r ? (x - r - 1) / s->stride + 1 : 0;
}

static uint64_t selected_in(const struct sweep *s, uint64_t start, uint64_t n)
{
	return selected_below(s, start + n) - selected_below(s, start);
}

/* The tables --------------------------------------------------------------------------- */

static uint64_t table_frame(struct sweep *s)
{
	uint32_t pfn = alloc_pages(&s->d->x.m->phys, GFP_KERNEL | __GFP_ZERO, 0);

	return pfn == PFN_NONE ? 0 : (uint64_t)pfn * PAGE_SIZE;
}

/* Write an entry (host and guest) unless memory already holds that value. */
static void set_entry(struct sweep *s, uint64_t paddr, uint64_t value)
{
	if (s->d->x.mem[paddr / 8] != value)
		kvm_diff_store(s->d, paddr, value);
}

static uint64_t index_of(uint64_t addr, uint32_t shift)
{
	return (addr >> shift) & 511;
}

/*
 * A copy of the kernel's entry e at level (4: PGD .. 1: PTE) and of the tables below it,
 * with NX cleared everywhere: under EFER.NXE = 0 an NX bit is reserved, and the guest's
 * stores go through the kernel's direct map, which Linux maps NX. Returns the entry, or
 * 0 when there are no frames.
 */
static uint64_t copy_kernel_entry(struct sweep *s, uint64_t e, uint32_t level)
{
	const uint64_t addr = pte_pfn_mask(s->d->x.m->cpu.maxphyaddr);
	uint64_t from = e & addr, to;
	uint32_t i;

	e &= ~_PAGE_NX;
	if (level == 1 || (e & _PAGE_PSE))
		return e;
	to = table_frame(s);
	if (to == 0)
		return 0;
	for (i = 0; i < 512; i++) {
		uint64_t c = s->d->x.mem[from / 8 + i];

		if ((c & _PAGE_PRESENT) && (c = copy_kernel_entry(s, c, level - 1)) == 0)
			return 0;
		if (c != 0)
			set_entry(s, to + i * 8, c);
	}
	return (e & ~addr) | to;
}

/*
 * The fixed part: the roots with the kernel half, the path to the user stubs at 4 MiB,
 * the test path's frames. Returns 0 or -1 (no frames).
 */
static int build_tables(struct sweep *s)
{
	struct kvm_diff *d = s->d;
	const uint64_t table = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;
	const uint64_t kpgd = (uint64_t)d->x.m->env.kernel_pgd * PAGE_SIZE;
	uint64_t pdpt_s, pd_s, pt_s, data;
	uint32_t i;

	s->root4 = table_frame(s);
	s->root5 = table_frame(s);
	s->pml4_t = table_frame(s);
	s->pdpt_t = table_frame(s);
	s->pd_t = table_frame(s);
	s->pt_t = table_frame(s);
	pdpt_s = table_frame(s);
	pd_s = table_frame(s);
	pt_s = table_frame(s);
	data = table_frame(s);
	if (!s->root4 || !s->root5 || !s->pml4_t || !s->pdpt_t || !s->pd_t || !s->pt_t || !pdpt_s ||
	    !pd_s || !pt_s || !data)
		return -1;
	for (i = 256; i < 512; i++) {
		uint64_t e = d->x.mem[kpgd / 8 + i];

		if ((e & _PAGE_PRESENT) && (e = copy_kernel_entry(s, e, 4)) == 0)
			return -1;
		if (e != 0)
			set_entry(s, s->root4 + i * 8, e);
	}
	/* the user stubs at 4 MiB: PGD 0, PUD 0, PMD 2, PTE 0 */
	s->stub = 4ull << 20;
	set_entry(s, s->root4 + 0 * 8, pdpt_s | table);
	set_entry(s, pdpt_s + 0 * 8, pd_s | table);
	set_entry(s, pd_s + 2 * 8, pt_s | table);
	set_entry(s, pt_s + 0 * 8,
		  (uint64_t)d->x.m->env.kimage_vdso_pfn * PAGE_SIZE | _PAGE_PRESENT | _PAGE_USER |
		      _PAGE_ACCESSED);
	/* 5-level: the PGD serves user addresses below 2^48 (entry 0) and the kernel's
	 * (entry 511: bits 56:48 of a kernel address are all ones) */
	set_entry(s, s->root5 + 0 * 8, s->root4 | table);
	set_entry(s, s->root5 + 511 * 8,
		  s->root4 | _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY);
	/* the test address: PGD 1 (PML5 1, PML4 1), PUD 3, then the data frame's own
	 * indices, so that 4 KiB, 2 MiB and 1 GiB pages all reach data_pa */
	s->data_pa = data + 0x2c0;
	s->addr4 = BIT(39) | (3ull << 30) | (s->data_pa & (BIT(30) - 1));
	s->addr5 = BIT(48) | s->addr4;
	return 0;
}

/* Where level l's entry for the test address lives under mode m. */
static uint64_t entry_slot(const struct sweep *s, const struct mode *m, uint32_t l)
{
	uint64_t a = s->addr4;

	switch (l) {
	case L_PML5:
		return s->root5 + index_of(s->addr5, 48) * 8;
	case L_PML4:
		return (m->la57 ? s->pml4_t : s->root4) + index_of(a, 39) * 8;
	case L_PDPT:
		return s->pdpt_t + index_of(a, 30) * 8;
	case L_PD:
		return s->pd_t + index_of(a, 21) * 8;
	default:
		return s->pt_t + index_of(a, 12) * 8;
	}
}

/* The value of level l's entry for variant v under mode m. */
static uint64_t entry_value(const struct sweep *s, const struct mode *m, uint32_t l,
			    const struct variant *v)
{
	static const uint64_t page_mask[NR_LEVELS] = {0, 0, ~(BIT(30) - 1), ~(BIT(21) - 1),
						      ~(BIT(12) - 1)};
	const uint64_t next[NR_LEVELS] = {s->pml4_t, s->pdpt_t, s->pd_t, s->pt_t, 0};
	uint64_t pkey = m->pke ? (uint64_t)m->pkey << _PAGE_PKEY_SHIFT : 0;

	switch (v->kind) {
	case V_NP:
		return v->bits;
	case V_TABLE:
	case V_RSVD_TABLE:
		return v->bits | next[l];
	default:
		return v->bits | (s->data_pa & page_mask[l]) | pkey;
	}
}

/* Reports ------------------------------------------------------------------------------ */

static void entry_text(uint64_t e, char *buf, size_t len)
{
	snprintf(buf, len, "%#018" PRIx64 " %s%s%s%s%s%s%s%s%s pk=%u", e,
		 (e & _PAGE_PRESENT) ? "P" : "-", (e & _PAGE_RW) ? " RW" : "",
		 (e & _PAGE_USER) ? " US" : "", (e & _PAGE_ACCESSED) ? " A" : "",
		 (e & _PAGE_DIRTY) ? " D" : "", (e & _PAGE_PSE) ? " PS" : "",
		 (e & _PAGE_GLOBAL) ? " G" : "", (e & _PAGE_NX) ? " NX" : "",
		 (e & BIT(51)) ? " bit51" : "",
		 (unsigned)((e & _PAGE_PKEY_MASK) >> _PAGE_PKEY_SHIFT));
}

struct case_desc {
	uint64_t index;
	const struct mode *m;
	uint32_t fam;
	uint32_t last; /* the level whose entry ends the walk */
	bool twice;
	uint32_t access; /* 0..5: kernel r/w/x, user r/w/x */
};

static struct access access_of(uint32_t a)
{
	struct access acc = {(enum access_type)(a % 3), a >= 3, false};

	return acc;
}

/* The case as text: mode, access, the entry of every level with its slot. */
static void print_case(FILE *f, const struct sweep *s, const struct case_desc *c)
{
	const struct mode *m = c->m;
	struct access acc = access_of(c->access);
	uint32_t l;
	char buf[160];

	fprintf(f, "# mmref sweep case %" PRIu64 " (rerun: mmref sweep --case %" PRIu64 ")\n",
		c->index, c->index);
	fprintf(f, "mode    ");
	print_mode(f, s, m);
	fprintf(f, "\nfamily  %s", family_names[c->fam]);
	fprintf(f, "\naccess  %s %s %#" PRIx64 "%s (user stubs at %#" PRIx64 ")\n",
		acc.user ? "user" : "kernel", type_names[acc.type], m->la57 ? s->addr5 : s->addr4,
		c->twice ? ", after a kernel read of it (no flush between)" : ", TLB flushed",
		s->stub);
	for (l = m->la57 ? L_PML5 : L_PML4; l <= c->last; l++) {
		const struct variant *v = &s->menu[c->fam][l].v[s->choice[l]];
		uint64_t slot = entry_slot(s, m, l);

		entry_text(entry_value(s, m, l, v), buf, sizeof(buf));
		fprintf(f, "%-6s  table %#" PRIx64 "[%3" PRIu64 "] = %s  (%s)\n", level_names[l],
			slot & ~(uint64_t)4095, (slot & 4095) / 8, buf, v->tag);
	}
}

static void report_case(struct sweep *s, const struct case_desc *c, const char *what)
{
	fprintf(s->out, "\n%s\n%s", what, s->d->report);
	fprintf(s->out, "reproducer:\n");
	print_case(s->out, s, c);
	if (s->o->repro_dir != NULL) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/sweep-case-%" PRIu64 ".txt", s->o->repro_dir,
			 c->index);
		f = fopen(path, "w");
		if (f == NULL) {
			fprintf(s->err, "sweep: cannot write %s: %s\n", path, strerror(errno));
			return;
		}
		print_case(f, s, c);
		fprintf(f, "\n%s%s", what, s->d->report);
		fclose(f);
		fprintf(s->out, "(written to %s)\n", path);
	}
}

static void progress(struct sweep *s, bool final)
{
	double t = now(), el = t - s->t0;

	if (s->o->progress_s <= 0 || (!final && t - s->last_progress < s->o->progress_s))
		return;
	s->last_progress = t;
	fprintf(s->err,
		"sweep: %" PRIu64 "/%" PRIu64 " cases (%.1f%%), %" PRIu64
		" mismatches, %.0f cases/s, case #%" PRIu64 "\n",
		s->run, s->selected_runnable,
		s->selected_runnable ? 100.0 * (double)s->run / (double)s->selected_runnable
				     : 100.0,
		s->mismatches, el > 0 ? (double)s->run / el : 0.0, s->idx);
}

/* Running ------------------------------------------------------------------------------ */

/* One kvm_diff_walk(); false when the sweep must stop (the guest broke, the mismatch limit). */
static bool walk_once(struct sweep *s, const struct case_desc *c, struct access acc, bool prime)
{
	struct kvm_diff *d = s->d;
	uint64_t addr = c->m->la57 ? s->addr5 : s->addr4;
	uint64_t cr3 = c->m->la57 ? s->root5 : s->root4;
	struct walk w;
	enum kvm_verdict v;

	memset(&w, 0, sizeof(w));
	v = kvm_diff_walk(d, cr3, s->stub, addr, acc, &w);
	if (!prime && (v == KVM_AGREE || v == KVM_DIFFER) && (w.pf || w.gp))
		s->faults++;
	switch (v) {
	case KVM_AGREE:
		return true;
	case KVM_DIFFER:
		s->mismatches++;
		s->rc = 1;
		report_case(
		    s, c, prime ? "MISMATCH (in the kernel read before the access):" : "MISMATCH:");
		if (s->mismatches >= s->o->max_mismatches) {
			fprintf(s->out, "sweep: stopping at %u mismatches (--max-mismatches)\n",
				s->o->max_mismatches);
			return false;
		}
		return true;
	case KVM_UNSUPPORTED:
		if (s->unsupported_at_run++ == 0)
			report_case(s, c, "UNSUPPORTED at run time (counted, not compared):");
		return true;
	default:
		s->rc = 1;
		report_case(s, c, "BROKEN: the guest or KVM failed:");
		kvm_diff_describe_exit(s->d, s->out);
		return false;
	}
}

static void run_case(struct sweep *s, const struct case_desc *c)
{
	const struct mode *m = c->m;
	uint32_t l;

	load_mode(s, m);
	for (l = m->la57 ? L_PML5 : L_PML4; l <= c->last; l++)
		set_entry(s, entry_slot(s, m, l),
			  entry_value(s, m, l, &s->menu[c->fam][l].v[s->choice[l]]));
	kvm_diff_flush(s->d, m->la57 ? s->addr5 : s->addr4);
	s->run++;
	if (c->twice && !walk_once(s, c, access_of(0), true)) {
		s->stop = true;
		return;
	}
	if (!walk_once(s, c, access_of(c->access), false))
		s->stop = true;
}

/* The cases of the configuration that ends at level last: twice x access. */
static void run_config(struct sweep *s, const struct mode *m, uint32_t last)
{
	uint32_t t, a;

	for (t = 0; t < NR_TWICE && !s->stop; t++) {
		for (a = 0; a < NR_ACCESSES && !s->stop; a++) {
			struct case_desc c = {s->idx++, m, s->fam, last, t == 1, a};

			if (selected_in(s, c.index, 1) == 0)
				continue;
			if (s->o->limit != 0 && s->run >= s->o->limit) {
				s->stop = true;
				return;
			}
			run_case(s, &c);
			progress(s, false);
		}
	}
}

/* Every configuration from level l down, under mode m. */
static void visit(struct sweep *s, const struct mode *m, uint32_t l)
{
	const struct menu *mu = &s->menu[s->fam][l];
	uint32_t i;

	for (i = 0; i < mu->n && !s->stop; i++) {
		const struct variant *v = &mu->v[i];
		bool last = ends_walk(m, v);
		uint64_t n = (last ? 1 : s->cnt[l + 1]) * CASES_PER_CONFIG;
		uint64_t sel = selected_in(s, s->idx, n);

		if (sel == 0) { /* nothing chosen here */
			s->idx += n;
			continue;
		}
		s->choice[l] = i;
		if (last)
			run_config(s, m, l);
		else
			visit(s, m, l + 1);
	}
}

/* The whole enumeration's figures, by mode, before anything runs. */
static void count_all(struct sweep *s)
{
	uint32_t i, f, fam;

	for (i = 0; i < NR_MODES; i++) {
		const struct mode *m = &s->modes[i];
		uint32_t top = m->la57 ? L_PML5 : L_PML4, lacks = mode_lacks(s, m);
		uint64_t all = 0;

		for (fam = 0; fam < NR_FAMILIES; fam++)
			all += count_configs(s, m, fam, top) * CASES_PER_CONFIG;
		s->mode_cases[i] = all;
		s->mode_runnable[i] = lacks != 0 ? 0 : all;
		s->total += all;
		s->total_runnable += s->mode_runnable[i];
		for (f = 0; f < NR_FEATURES; f++)
			if (lacks & (1u << f))
				s->total_by[f] += all;
	}
}

/*
 * --reduced: the smallest stride that leaves about SWEEP_REDUCED_CASES of the cases this
 * vCPU can run, prime to 2 and 3 so that it steps through the 12 accesses of a
 * configuration rather than keeping one.
 */
static uint64_t reduced_stride(const struct sweep *s)
{
	uint64_t n = (s->total_runnable + SWEEP_REDUCED_CASES - 1) / SWEEP_REDUCED_CASES;

	if (n <= 1)
		return 1;
	while (n % 2 == 0 || n % 3 == 0)
		n++;
	return n;
}

/* How many cases this run will take: exact for a whole sweep, else about. */
static void count_selected(struct sweep *s)
{
	uint64_t start = 0;
	uint32_t i;

	for (i = 0; i < NR_MODES; i++) {
		uint64_t all = s->mode_cases[i], run = s->mode_runnable[i];

		if (s->stride == 1 && s->o->only_case < 0)
			s->selected_runnable += run;
		else if (run != 0)
			s->selected_runnable += (uint64_t)((double)selected_in(s, start, all) *
							       (double)run / (double)all +
							   0.5);
		start += all;
	}
	if (s->o->limit != 0 && s->selected_runnable > s->o->limit)
		s->selected_runnable = s->o->limit;
}

static void run_modes(struct sweep *s)
{
	uint32_t i, l;

	for (i = 0; i < NR_MODES && !s->stop; i++) {
		const struct mode *m = &s->modes[i];
		uint32_t top = m->la57 ? L_PML5 : L_PML4;

		for (s->fam = 0; s->fam < NR_FAMILIES && !s->stop; s->fam++) {
			uint64_t n;

			for (l = top; l < NR_LEVELS; l++)
				s->cnt[l] = count_configs(s, m, s->fam, l);
			n = s->cnt[top] * CASES_PER_CONFIG;
			if (mode_lacks(s, m) != 0 || selected_in(s, s->idx, n) == 0) {
				if (mode_lacks(s, m) != 0)
					s->skipped += selected_in(s, s->idx, n);
				s->idx += n;
				continue;
			}
			visit(s, m, top);
		}
	}
}

static void print_summary(struct sweep *s, double seconds)
{
	struct kvm_diff *d = s->d;
	uint32_t f;
	bool any = false;

	fprintf(s->out, "sweep: oracle: %s\n", vmm_oracle(&d->vmm));
	fprintf(
	    s->out,
	    "sweep: vCPU: maxphyaddr %u, nx %d, la57 %d, smep %d, smap %d, pku %d, 1g pages %d\n",
	    d->vmm.feat.maxphyaddr, d->vmm.feat.nx, d->vmm.feat.la57, d->vmm.feat.smep,
	    d->vmm.feat.smap, d->vmm.feat.pku, d->vmm.feat.gbpages);
	if (!vmm_has_la57(&d->vmm))
		fprintf(s->out, "sweep: no 5-level paging on this vCPU: %s\n", d->vmm.la57_why);
	if (!d->x.m->cpu.gbpages)
		fprintf(s->out,
			"sweep: no 1 GiB pages on this vCPU, nor on the model's CPU: PS in a "
			"PDPTE is a reserved bit (the 1g variants fault with RSVD)\n");
	fprintf(s->out,
		"sweep: enumeration: %" PRIu64 " cases in %u modes; this vCPU can run %" PRIu64
		"\n",
		s->total, NR_MODES, s->total_runnable);
	fprintf(s->out, "sweep: unsupported on this vCPU: %" PRIu64 " cases",
		s->total - s->total_runnable);
	for (f = 0; f < NR_FEATURES; f++) {
		if (s->total_by[f] == 0)
			continue;
		fprintf(s->out, "%s %s %" PRIu64, any ? "," : " (need", feature_names[f],
			s->total_by[f]);
		any = true;
	}
	fprintf(s->out, "%s\n", any ? "; a case needing several counts under each)" : "");
	if (s->o->only_case >= 0)
		fprintf(s->out, "sweep: selection: case %" PRId64 " only\n", s->o->only_case);
	else if (s->stride > 1)
		fprintf(s->out,
			"sweep: selection: every %" PRIu64 "th case (index %% %" PRIu64
			" == %" PRIu64 ")\n",
			s->stride, s->stride, s->o->seed % s->stride);
	fprintf(s->out, "sweep.cases %" PRIu64 "\n", s->run);
	fprintf(s->out, "sweep.skipped_unsupported %" PRIu64 "\n", s->skipped);
	fprintf(s->out, "sweep.faults %" PRIu64 "\n", s->faults);
	fprintf(s->out, "sweep.guest_accesses %" PRIu64 "\n", d->st.accesses);
	fprintf(s->out, "sweep.mismatches %" PRIu64 "\n", s->mismatches);
	fprintf(s->out, "sweep.kvm_exits %" PRIu64 "\n", d->vmm.exits);
	fprintf(s->out, "sweep.seconds %.1f s\n", seconds);
	fprintf(s->out, "sweep.cases_per_s %.0f cases/s\n",
		seconds > 0 ? (double)s->run / seconds : 0.0);
	if (s->unsupported_at_run != 0)
		fprintf(s->out, "sweep.unsupported_at_run %" PRIu64 "\n", s->unsupported_at_run);
}

void sweep_opts_default(struct sweep_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->stride = 1;
	o->reduced = false;
	o->only_case = -1;
	o->max_mismatches = 10;
	o->progress_s = 2;
}

int sweep_run(const struct sweep_opts *o, FILE *out, FILE *err)
{
	struct sweep *s = calloc(1, sizeof(*s));
	struct kvm_diff *d = calloc(1, sizeof(*d));
	char why[256];
	int rc;

	if (s == NULL || d == NULL) {
		free(s);
		free(d);
		fprintf(out, "sweep: no memory\n");
		return 2;
	}
	s->d = d;
	s->o = o;
	s->out = out;
	s->err = err;
	rc = kvm_diff_open(d, 64ull << 20, 0, why, sizeof(why));
	if (rc != 0) {
		fprintf(out, "%s%s\n", rc == 77 ? "SKIP: " : "sweep: ", why);
		free(s);
		free(d);
		return rc == 77 ? 3 : 2;
	}
	if (kvm_diff_start(d) != KVM_AGREE) {
		fprintf(out, "sweep: the guest does not start:\n%s", d->report);
		rc = 1;
	} else if (build_tables(s) != 0) {
		fprintf(out, "sweep: no frames for the tables\n");
		rc = 2;
	} else {
		build_menus(s, d->x.m->cpu.maxphyaddr);
		build_modes(s);
		count_all(s);
		s->stride = o->reduced ? reduced_stride(s) : o->stride;
		count_selected(s);
		s->t0 = s->last_progress = now();
		run_modes(s);
		progress(s, true);
		print_summary(s, now() - s->t0);
		rc = s->rc;
	}
	kvm_diff_close(d);
	free(d);
	free(s);
	return rc;
}
