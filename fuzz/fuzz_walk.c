/* SPDX-License-Identifier: MIT */
/*
 * fuzz_walk.c - libFuzzer target: mmu_walk() against the naive reference walk_ref()
 * (tests/walk_ref.h). Each input builds one small machine and asks one question.
 *
 * How it works
 * ------------
 * RAM is 256 frames (1 MiB). The input chooses, in this order (missing bytes read 0):
 *
 *   cpu    8 bytes: CR0.WP, CR4.SMEP/SMAP/PKE/LA57, EFER.NXE, RFLAGS.AC, PKRU,
 *                   MAXPHYADDR (36..52) and 1 GiB pages (off in 1 of 4) from one byte,
 *                   and whether to make the address non-canonical
 *   access 1 byte:  read/write/fetch x user/supervisor x implicit (data accesses only)
 *   cr3    3 bytes: the top table's frame and CR3's low 12 bits
 *   vaddr  10 bytes: the low 30 bits, then a 9-bit index each for PML5, PML4, PDPT
 *   levels 5 x 12 bytes: one entry per level (PML5E, PML4E, PDPTE, PDE, PTE; the PML5E
 *                   is used only with LA57), placed at the index the address selects in
 *                   the table the level above points at
 *
 * An entry is mostly "valid-looking": present, pointing at the frame the input names for
 * the next table, with random R/W, U/S, A, D, PWT, PCD, G, XD, PS and protection-key
 * bits. Some entries are 0, not present with junk, or fully random; some point outside
 * RAM (which reads as 0) or set a bit above MAXPHYADDR or another reserved bit. Table
 * frames may coincide, so entries may alias; both walks read the same memory.
 *
 * Checks: mmu_walk(commit = false) equals walk_ref() in every field the contract
 * defines; must_a is inside may_a; and mmu_walk(commit = true) writes exactly the A bits
 * of must_a and the leaf's D of must_d into memory, nothing else. On a difference, the
 * machine, the access and both results are printed with field names, then abort().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_bytes.h"
#include "pgtable.h"
#include "walk_ref.h"

#define WALK_FRAMES 256u
#define RAM_BYTES   ((uint64_t)WALK_FRAMES * PAGE_SIZE)

static uint64_t walk_mem[(size_t)WALK_FRAMES * PAGE_WORDS] __attribute__((aligned(4096)));
static struct page walk_pages[WALK_FRAMES];
static struct phys walk_phys;
static bool walk_ready;

static uint64_t mask(unsigned int hi, unsigned int lo)
{
	uint64_t top = hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1;

	return top & ~((1ull << lo) - 1);
}

/* One question: the machine, as the input built it. */
struct scene {
	struct cpu_state cpu;
	struct access acc;
	uint64_t cr3, vaddr;
	uint32_t nr_written;
	uint64_t written_addr[5];
	uint64_t written[5];
	unsigned int written_level[5];
};

static const char *const level_names[5] = {"PML5E", "PML4E", "PDPTE", "PDE", "PTE"};
static const char *const access_names[3] = {"read", "write", "fetch"};

static void print_scene(const struct scene *s)
{
	const struct cpu_state *c = &s->cpu;
	char flags[80];
	uint32_t i;

	printf("cpu: wp %d smep %d smap %d pke %d la57 %d nxe %d ac %d pkru 0x%08x maxphyaddr %u "
	       "gbpages %d\n",
	       c->cr0_wp, c->cr4_smep, c->cr4_smap, c->cr4_pke, c->cr4_la57, c->efer_nxe,
	       c->rflags_ac, c->pkru, c->maxphyaddr, c->gbpages);
	printf("access: %s %s%s\n", access_names[s->acc.type], s->acc.user ? "user" : "supervisor",
	       s->acc.implicit ? " implicit" : "");
	printf("cr3 0x%llx vaddr 0x%016llx\n", (unsigned long long)s->cr3,
	       (unsigned long long)s->vaddr);
	for (i = 0; i < s->nr_written; i++) {
		walk_ref_entry_flags(s->written[i], flags, sizeof(flags));
		printf("%-5s 0x%016llx at 0x%llx (%s)\n", level_names[s->written_level[i]],
		       (unsigned long long)s->written[i], (unsigned long long)s->written_addr[i],
		       flags);
	}
}

static void decode_cpu(struct fuzz_bytes *b, struct scene *s, bool *noncanonical, uint8_t *which)
{
	uint8_t f = fuzz_next8(b), m;

	s->cpu.cr0_wp = (f & 1) != 0;
	s->cpu.cr4_smep = (f & 2) != 0;
	s->cpu.cr4_smap = (f & 4) != 0;
	s->cpu.cr4_pke = (f & 8) != 0;
	s->cpu.cr4_la57 = (f & 16) != 0;
	s->cpu.efer_nxe = (f & 32) != 0;
	s->cpu.rflags_ac = (f & 64) != 0;
	s->cpu.pkru = (uint32_t)fuzz_next_n(b, 4);
	m = fuzz_next8(b);
	s->cpu.maxphyaddr = 36u + m % 17u;
	s->cpu.gbpages = (m & 0xc0) != 0xc0; /* 1 in 4 without 1 GiB pages */
	*which = fuzz_next8(b);
	*noncanonical = (f & 128) != 0 && (*which & 7) == 0; /* 1 in 16 */
}

static void decode_access(struct fuzz_bytes *b, struct scene *s)
{
	uint8_t a = fuzz_next8(b);

	s->acc.type = (enum access_type)(a % 3);
	s->acc.user = ((a >> 2) & 1) != 0;
	s->acc.implicit = s->acc.type != ACCESS_FETCH && ((a >> 3) & 3) == 3;
}

/* The address from the indices: sign-extended, or with one high bit flipped. */
static uint64_t decode_vaddr(struct fuzz_bytes *b, const struct cpu_state *cpu, bool noncanonical,
			     uint8_t which)
{
	unsigned int top = cpu->cr4_la57 ? 56 : 47;
	uint64_t v = fuzz_next_n(b, 4) & mask(29, 0); /* PDE and PTE index, page offset */
	uint64_t pml5 = fuzz_next_n(b, 2) & 511, pml4 = fuzz_next_n(b, 2) & 511,
		 pdpt = fuzz_next_n(b, 2) & 511;

	v |= pml5 << 48 | pml4 << 39 | pdpt << 30;
	v &= mask(top, 0);
	if ((v >> top) & 1)
		v |= mask(63, top + 1);
	if (noncanonical)
		v ^= 1ull << (top + 1 + (which >> 3) % (63 - top));
	return v;
}

/* A present entry's address part: in RAM, anywhere below MAXPHYADDR, or above it. */
static uint64_t entry_target(const struct cpu_state *cpu, uint8_t frame, uint8_t how, uint64_t rnd,
			     unsigned int align)
{
	switch (how % 8) {
	case 0:
		return rnd & mask(cpu->maxphyaddr - 1, align);
	case 1:
		if (cpu->maxphyaddr < 52)
			return (rnd & mask(cpu->maxphyaddr - 1, align)) |
			       1ull << (cpu->maxphyaddr + (rnd >> 56) % (52 - cpu->maxphyaddr));
		return rnd & mask(51, align);
	default:
		return ((uint64_t)frame << PAGE_SHIFT) & mask(63, align);
	}
}

/*
 * One entry for level lvl (0 = PML5E .. 4 = PTE). next_frame names the table the entry
 * points at (a leaf's page for the PTE).
 */
static uint64_t make_entry(struct fuzz_bytes *b, const struct cpu_state *cpu, unsigned int lvl,
			   uint8_t *next_frame)
{
	uint8_t mode = fuzz_next8(b), perm = fuzz_next8(b), extra = fuzz_next8(b);
	uint64_t rnd = fuzz_next_n(b, 8), e;
	bool large;

	*next_frame = fuzz_next8(b);
	if (mode % 32 == 0)
		return 0;
	if (mode % 32 == 1)
		return rnd;
	if (mode % 32 == 2)
		return rnd & ~_PAGE_PRESENT;
	e = _PAGE_PRESENT;
	e |= (perm & 1) ? _PAGE_RW : 0;
	e |= (perm & 2) ? _PAGE_USER : 0;
	e |= (perm & 4) ? _PAGE_ACCESSED : 0;
	e |= (perm & 8) ? _PAGE_DIRTY : 0;
	e |= (perm & 16) ? _PAGE_PWT | _PAGE_GLOBAL : 0;
	e |= (perm & 32) ? _PAGE_PCD : 0;
	e |= (perm & 0xc0) == 0xc0 && (mode & 0x18) == 0x18 ? _PAGE_NX : 0;
	e |= (uint64_t)(extra >> 4) << _PAGE_PKEY_SHIFT;
	if ((mode & 0x30) == 0x30) /* ignored bits: 11:9 and 58:52 */
		e |= rnd & (mask(11, 9) | mask(58, 52));
	large = false;
	if (lvl == 2 || lvl == 3)
		large = (extra & 3) == 3;
	else if (lvl < 2)
		large = (extra & 15) == 15 && (mode & 4); /* PS in a PML5E/PML4E: reserved */
	else
		large = (extra & 1) != 0; /* PAT in a PTE */
	if (large)
		e |= _PAGE_PSE;
	if (large && (lvl == 2 || lvl == 3)) {
		unsigned int shift = lvl == 2 ? 30 : 21;

		e |= entry_target(cpu, *next_frame, mode >> 5, rnd, shift);
		e |= (extra & 4) ? _PAGE_PAT_LARGE : 0;
		if ((extra & 8) && (rnd & 7) == 0) /* reserved bits 29:13 / 20:13 */
			e |= 1ull << (13 + (rnd >> 8) % (shift - 13));
		return e;
	}
	e |= entry_target(cpu, *next_frame, (extra >> 2) & 3 ? 2 : mode >> 5, rnd, 12);
	return e;
}

static void write_word(struct scene *s, unsigned int lvl, uint64_t addr, uint64_t value)
{
	uint32_t i;

	if (addr + 8 > RAM_BYTES)
		return;
	walk_mem[addr / 8] = value;
	for (i = 0; i < s->nr_written; i++) {
		if (s->written_addr[i] == addr) { /* a later level overwrote an earlier one */
			s->written[i] = value;
			s->written_level[i] = lvl;
			return;
		}
	}
	s->written_level[s->nr_written] = lvl;
	s->written_addr[s->nr_written] = addr;
	s->written[s->nr_written] = value;
	s->nr_written++;
}

static void build_tables(struct fuzz_bytes *b, struct scene *s)
{
	uint64_t table = s->cr3 & mask(51, 12);
	unsigned int lvl;

	for (lvl = 0; lvl < 5; lvl++) {
		uint8_t next_frame;
		uint64_t e = make_entry(b, &s->cpu, lvl, &next_frame);
		uint64_t index = (s->vaddr >> (48 - 9 * lvl)) & 511;

		if (lvl == 0 && !s->cpu.cr4_la57)
			continue;
		write_word(s, lvl, table + index * 8, e);
		table = (uint64_t)next_frame << PAGE_SHIFT;
	}
}

static void clear_tables(const struct scene *s)
{
	uint32_t i;

	for (i = 0; i < s->nr_written; i++)
		walk_mem[s->written_addr[i] / 8] = 0;
}

static void fail(const struct scene *s, const struct walk *model, const struct walk *ref,
		 const char *what)
{
	printf("fuzz_walk: %s\n", what);
	print_scene(s);
	printf("mmu_walk:\n");
	walk_ref_print("  ", model);
	if (ref != NULL) {
		printf("walk_ref:\n");
		walk_ref_print("  ", ref);
	}
	fflush(stdout);
	abort();
}

/* mmu_walk(commit = true) must set exactly the required A/D bits. */
static void check_commit(const struct scene *s, const struct walk *w)
{
	uint64_t expect[5];
	uint32_t i, j;
	struct walk c;

	for (i = 0; i < s->nr_written; i++) {
		expect[i] = s->written[i];
		for (j = 0; j < w->levels; j++) {
			if (w->entry_addr[j] != s->written_addr[i])
				continue;
			if (w->must_a & (1u << j))
				expect[i] |= _PAGE_ACCESSED;
			if (w->must_d && j + 1 == w->levels)
				expect[i] |= _PAGE_DIRTY;
		}
	}
	c = mmu_walk(&walk_phys, &s->cpu, s->cr3, s->vaddr, s->acc, true);
	for (i = 0; i < s->nr_written; i++) {
		if (walk_mem[s->written_addr[i] / 8] != expect[i]) {
			printf("commit: at 0x%llx found 0x%016llx, expected 0x%016llx\n",
			       (unsigned long long)s->written_addr[i],
			       (unsigned long long)walk_mem[s->written_addr[i] / 8],
			       (unsigned long long)expect[i]);
			fail(s, &c, w, "commit = true wrote other A/D bits than must_a/must_d");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_bytes b = {data, size};
	struct scene s;
	struct walk model, ref;
	bool noncanonical;
	uint8_t which;
	const char *diff;

	if (!walk_ready) {
		if (phys_init(&walk_phys, walk_mem, walk_pages, WALK_FRAMES) != 0)
			abort();
		walk_ready = true;
	}
	memset(&s, 0, sizeof(s));
	decode_cpu(&b, &s, &noncanonical, &which);
	decode_access(&b, &s);
	s.cr3 = (uint64_t)fuzz_next8(&b) << PAGE_SHIFT | (fuzz_next_n(&b, 2) & 0xfff);
	s.vaddr = decode_vaddr(&b, &s.cpu, noncanonical, which);
	build_tables(&b, &s);

	model = mmu_walk(&walk_phys, &s.cpu, s.cr3, s.vaddr, s.acc, false);
	ref = walk_ref(&walk_phys, &s.cpu, s.cr3, s.vaddr, s.acc);
	diff = walk_ref_diff(&model, &ref);
	if (diff != NULL) {
		char what[64];

		snprintf(what, sizeof(what), "mmu_walk and walk_ref differ in %s", diff);
		fail(&s, &model, &ref, what);
	}
	if ((model.must_a & ~model.may_a) != 0)
		fail(&s, &model, &ref, "must_a is not inside may_a");
	check_commit(&s, &model);
	clear_tables(&s);
	return 0;
}
