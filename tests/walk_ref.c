/* SPDX-License-Identifier: MIT */
/*
 * walk_ref.c - the naive reference walk (walk_ref.h says which rules, and why). Written
 * from the SDM and kvm-unit-tests x86/access.c, not from model/pgtable.c.
 */
#include <stdio.h>
#include <string.h>

#include "walk_ref.h"

#define BIT(n) (1ull << (n))

/* Bits hi..lo set (hi >= lo). */
static uint64_t bits(unsigned int hi, unsigned int lo)
{
	uint64_t m = 0;
	unsigned int i;

	for (i = lo; i <= hi; i++)
		m |= BIT(i);
	return m;
}

/* Bits 51:MAXPHYADDR: reserved in every entry. Empty when MAXPHYADDR is 52. */
static uint64_t above_maxphyaddr(uint32_t maxphyaddr)
{
	if (maxphyaddr >= 52)
		return 0;
	return bits(51, maxphyaddr);
}

/* The reserved bits every present entry shares: above MAXPHYADDR, and XD without NXE. */
static bool common_reserved(const struct cpu_state *cpu, uint64_t e)
{
	if ((e & above_maxphyaddr(cpu->maxphyaddr)) != 0)
		return true;
	if (!cpu->efer_nxe && (e & BIT(63)) != 0)
		return true;
	return false;
}

/* The next table's (or the page's) address from an entry: bits MAXPHYADDR-1:lo. */
static uint64_t entry_address(const struct cpu_state *cpu, uint64_t e, unsigned int lo)
{
	return e & bits(cpu->maxphyaddr - 1, lo);
}

/* Read entry number index of the table at table; outside RAM reads as 0. */
static uint64_t read_entry(const struct phys *p, struct walk *w, uint64_t table, uint64_t index)
{
	uint64_t addr = table + index * 8;
	uint64_t ram = (uint64_t)p->nr_pages * PAGE_SIZE;
	uint64_t e = 0;

	if (addr + 8 <= ram)
		e = p->mem[addr / 8];
	w->entry_addr[w->levels] = addr;
	w->entry[w->levels] = e;
	w->levels++;
	return e;
}

/* The error-code bits that describe the access itself (SDM 4.7). */
static uint32_t access_bits(const struct cpu_state *cpu, struct access acc)
{
	uint32_t err = 0;

	if (acc.type == ACCESS_WRITE)
		err |= X86_PF_WRITE;
	if (acc.user && !acc.implicit)
		err |= X86_PF_USER;
	if (acc.type == ACCESS_FETCH && (cpu->cr4_smep || cpu->efer_nxe))
		err |= X86_PF_INSTR;
	return err;
}

/* Entry number levels-1 was not present: A may be set in the ones above it. */
static struct walk not_present(struct walk w, const struct cpu_state *cpu, uint64_t vaddr,
			       struct access acc)
{
	w.pf = true;
	w.error_code = access_bits(cpu, acc);
	w.cr2 = vaddr;
	w.must_a = 0;
	w.may_a = (1u << (w.levels - 1)) - 1;
	w.must_d = false;
	return w;
}

/* Entry number levels-1 had a reserved bit set. */
static struct walk reserved(struct walk w, const struct cpu_state *cpu, uint64_t vaddr,
			    struct access acc)
{
	w.pf = true;
	w.error_code = access_bits(cpu, acc) | X86_PF_RSVD | X86_PF_PROT;
	w.cr2 = vaddr;
	w.must_a = 0;
	w.may_a = (1u << (w.levels - 1)) - 1;
	w.must_d = false;
	return w;
}

static bool is_canonical(const struct cpu_state *cpu, uint64_t vaddr)
{
	unsigned int top = cpu->cr4_la57 ? 56 : 47;
	uint64_t high = vaddr & bits(63, top);

	return high == 0 || high == bits(63, top);
}

/* What a translation found: the leaf and the rights gathered on the way down. */
struct found {
	uint64_t leaf;
	bool user;     /* U/S = 1 at every level */
	bool writable; /* R/W = 1 at every level */
	bool xd;       /* XD = 1 at some level */
};

static void gather(struct found *f, uint64_t e)
{
	if ((e & _PAGE_USER) == 0)
		f->user = false;
	if ((e & _PAGE_RW) == 0)
		f->writable = false;
	if ((e & _PAGE_NX) != 0)
		f->xd = true;
}

/* Does the protection key of a user-mode page deny this data access? (SDM 4.6.2) */
static bool pkey_denies(const struct cpu_state *cpu, const struct found *f, struct access acc)
{
	bool user_mode = acc.user && !acc.implicit;
	unsigned int key;
	bool ad, wd;

	if (!cpu->cr4_pke)
		return false;
	if (!f->user)
		return false;
	if (acc.type == ACCESS_FETCH)
		return false;
	key = (unsigned int)((f->leaf >> 59) & 15);
	ad = ((cpu->pkru >> (2 * key)) & 1) != 0;
	wd = ((cpu->pkru >> (2 * key + 1)) & 1) != 0;
	if (ad)
		return true;
	if (acc.type == ACCESS_WRITE && wd) {
		if (user_mode)
			return true;
		if (cpu->cr0_wp)
			return true;
	}
	return false;
}

/* The SDM 4.6.1 case list, without protection keys: is the access allowed? */
static bool rights_allow(const struct cpu_state *cpu, const struct found *f, struct access acc)
{
	bool user_mode = acc.user && !acc.implicit;
	bool executable = !(cpu->efer_nxe && f->xd);
	bool smap_blocks = cpu->cr4_smap && (!cpu->rflags_ac || acc.implicit);

	if (user_mode) {
		if (!f->user)
			return false;
		if (acc.type == ACCESS_READ)
			return true;
		if (acc.type == ACCESS_WRITE)
			return f->writable;
		return executable;
	}
	/* Supervisor-mode access. */
	if (acc.type == ACCESS_READ) {
		if (f->user && smap_blocks)
			return false;
		return true;
	}
	if (acc.type == ACCESS_WRITE) {
		if (f->user && smap_blocks)
			return false;
		if (cpu->cr0_wp)
			return f->writable;
		return true;
	}
	/* Supervisor fetch. */
	if (f->user && cpu->cr4_smep)
		return false;
	return executable;
}

/* The translation is complete: decide the rights, fill in the result. */
static struct walk finish(struct walk w, const struct cpu_state *cpu, uint64_t vaddr,
			  struct access acc, const struct found *f, uint64_t paddr, uint64_t size)
{
	bool pk = pkey_denies(cpu, f, acc);
	bool ok = rights_allow(cpu, f, acc);
	uint32_t all = (1u << w.levels) - 1;

	if (ok && !pk) {
		w.paddr = paddr;
		w.page_size = size;
		w.must_a = all;
		w.may_a = all;
		w.must_d = acc.type == ACCESS_WRITE;
		return w;
	}
	w.pf = true;
	w.error_code = access_bits(cpu, acc) | X86_PF_PROT;
	if (pk)
		w.error_code |= X86_PF_PK;
	w.cr2 = vaddr;
	w.must_a = 0;
	w.may_a = all;
	w.must_d = false;
	return w;
}

struct walk walk_ref(const struct phys *p, const struct cpu_state *cpu, uint64_t cr3,
		     uint64_t vaddr, struct access acc)
{
	struct walk w;
	struct found f;
	uint64_t table, e, paddr;

	memset(&w, 0, sizeof(w));
	if (!is_canonical(cpu, vaddr)) {
		w.gp = true;
		return w;
	}
	f.leaf = 0;
	f.user = true;
	f.writable = true;
	f.xd = false;
	table = cr3 & bits(51, 12);

	/* PML5E: 5-level paging only. Bits 56:48 of the address. PS is reserved. */
	if (cpu->cr4_la57) {
		e = read_entry(p, &w, table, (vaddr >> 48) & 511);
		if ((e & _PAGE_PRESENT) == 0)
			return not_present(w, cpu, vaddr, acc);
		if (common_reserved(cpu, e) || (e & _PAGE_PSE) != 0)
			return reserved(w, cpu, vaddr, acc);
		gather(&f, e);
		table = entry_address(cpu, e, 12);
	}

	/* PML4E: bits 47:39. PS is reserved. */
	e = read_entry(p, &w, table, (vaddr >> 39) & 511);
	if ((e & _PAGE_PRESENT) == 0)
		return not_present(w, cpu, vaddr, acc);
	if (common_reserved(cpu, e) || (e & _PAGE_PSE) != 0)
		return reserved(w, cpu, vaddr, acc);
	gather(&f, e);
	table = entry_address(cpu, e, 12);

	/*
	 * PDPTE: bits 38:30. With PS, a 1 GiB page; bits 29:13 are reserved. A CPU without
	 * 1 GiB pages has no such page: there PS itself is reserved.
	 */
	e = read_entry(p, &w, table, (vaddr >> 30) & 511);
	if ((e & _PAGE_PRESENT) == 0)
		return not_present(w, cpu, vaddr, acc);
	if (common_reserved(cpu, e))
		return reserved(w, cpu, vaddr, acc);
	if ((e & _PAGE_PSE) != 0) {
		if (!cpu->gbpages)
			return reserved(w, cpu, vaddr, acc);
		if ((e & bits(29, 13)) != 0)
			return reserved(w, cpu, vaddr, acc);
		gather(&f, e);
		f.leaf = e;
		paddr = entry_address(cpu, e, 30) | (vaddr & bits(29, 0));
		return finish(w, cpu, vaddr, acc, &f, paddr, 1ull << 30);
	}
	gather(&f, e);
	table = entry_address(cpu, e, 12);

	/* PDE: bits 29:21. With PS, a 2 MiB page; bits 20:13 are reserved. */
	e = read_entry(p, &w, table, (vaddr >> 21) & 511);
	if ((e & _PAGE_PRESENT) == 0)
		return not_present(w, cpu, vaddr, acc);
	if (common_reserved(cpu, e))
		return reserved(w, cpu, vaddr, acc);
	if ((e & _PAGE_PSE) != 0) {
		if ((e & bits(20, 13)) != 0)
			return reserved(w, cpu, vaddr, acc);
		gather(&f, e);
		f.leaf = e;
		paddr = entry_address(cpu, e, 21) | (vaddr & bits(20, 0));
		return finish(w, cpu, vaddr, acc, &f, paddr, 1ull << 21);
	}
	gather(&f, e);
	table = entry_address(cpu, e, 12);

	/* PTE: bits 20:12. Bit 7 is PAT, not PS. */
	e = read_entry(p, &w, table, (vaddr >> 12) & 511);
	if ((e & _PAGE_PRESENT) == 0)
		return not_present(w, cpu, vaddr, acc);
	if (common_reserved(cpu, e))
		return reserved(w, cpu, vaddr, acc);
	gather(&f, e);
	f.leaf = e;
	paddr = entry_address(cpu, e, 12) | (vaddr & bits(11, 0));
	return finish(w, cpu, vaddr, acc, &f, paddr, 1ull << 12);
}

void walk_ref_entry_flags(uint64_t e, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s%s%s%s%s%s pkey %u", (e & _PAGE_PRESENT) ? "P" : "-",
		 (e & _PAGE_RW) ? " RW" : "", (e & _PAGE_USER) ? " US" : "",
		 (e & _PAGE_PWT) ? " PWT" : "", (e & _PAGE_PCD) ? " PCD" : "",
		 (e & _PAGE_ACCESSED) ? " A" : "", (e & _PAGE_DIRTY) ? " D" : "",
		 (e & _PAGE_PSE) ? " PS" : "", (e & _PAGE_GLOBAL) ? " G" : "",
		 (e & _PAGE_NX) ? " XD" : "", (unsigned int)((e >> _PAGE_PKEY_SHIFT) & 15));
}

void walk_ref_print(const char *prefix, const struct walk *w)
{
	char flags[80];
	uint32_t i;

	printf("%sgp %d pf %d error_code 0x%x [%s%s%s%s%s%s] cr2 0x%llx\n", prefix, w->gp, w->pf,
	       w->error_code, (w->error_code & X86_PF_PROT) ? " P" : "",
	       (w->error_code & X86_PF_WRITE) ? " W" : "",
	       (w->error_code & X86_PF_USER) ? " U" : "",
	       (w->error_code & X86_PF_RSVD) ? " RSVD" : "",
	       (w->error_code & X86_PF_INSTR) ? " I/D" : "",
	       (w->error_code & X86_PF_PK) ? " PK" : "", (unsigned long long)w->cr2);
	printf("%spaddr 0x%llx page_size 0x%llx levels %u must_a 0x%x may_a 0x%x must_d %d\n",
	       prefix, (unsigned long long)w->paddr, (unsigned long long)w->page_size, w->levels,
	       w->must_a, w->may_a, w->must_d);
	for (i = 0; i < w->levels && i < 5; i++) {
		walk_ref_entry_flags(w->entry[i], flags, sizeof(flags));
		printf("%sentry[%u] at 0x%llx = 0x%016llx (%s)\n", prefix, i,
		       (unsigned long long)w->entry_addr[i], (unsigned long long)w->entry[i],
		       flags);
	}
}

const char *walk_ref_diff(const struct walk *a, const struct walk *b)
{
	uint32_t i;

	if (a->gp != b->gp)
		return "gp";
	if (a->gp)
		return a->levels != b->levels ? "levels" : NULL;
	if (a->pf != b->pf)
		return "pf";
	if (a->pf && a->error_code != b->error_code)
		return "error_code";
	if (a->pf && a->cr2 != b->cr2)
		return "cr2";
	if (!a->pf && a->paddr != b->paddr)
		return "paddr";
	if (!a->pf && a->page_size != b->page_size)
		return "page_size";
	if (a->levels != b->levels)
		return "levels";
	for (i = 0; i < a->levels && i < 5; i++) {
		if (a->entry_addr[i] != b->entry_addr[i])
			return "entry_addr";
		if (a->entry[i] != b->entry[i])
			return "entry";
	}
	if (a->must_a != b->must_a)
		return "must_a";
	if (a->may_a != b->may_a)
		return "may_a";
	if (a->must_d != b->must_d)
		return "must_d";
	return NULL;
}
