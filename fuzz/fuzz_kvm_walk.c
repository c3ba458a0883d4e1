/* SPDX-License-Identifier: MIT */
/*
 * fuzz_kvm_walk.c - libFuzzer target: raw page tables, walked by the model (mmu_walk())
 * and by KVM's x86 paging code under a real guest, compared access by access
 * (kvm_diff_walk()). Where fuzz_walk checks mmu_walk() against a second statement of the
 * SDM written here, this checks it against an implementation no one here wrote: on this
 * machine PVM's shadow-MMU walker, on a VT-x/EPT or SVM/NPT host the CPU itself.
 *
 * How it works
 * ------------
 * One VM for the whole campaign (fuzz/kvm_fuzz.h): 4 MiB of guest RAM, reset to a
 * snapshot before every input. The snapshot holds, besides the kernel's own tables and
 * the guest:
 *
 *   pool   512 frames, 2 MiB-aligned (a buddy block of order 9). Frame 0 is the PGD:
 *          its kernel half (entries 256..511) is the kernel's (the guest runs there),
 *          entry 255 leads to the user stubs, entries 0..254 are the input's. Frames
 *          0..31 are the tables an entry can point at (zero); any frame can be a 4 KiB
 *          page, the whole pool a 2 MiB page; frames 32..511 hold a pattern that names
 *          each word (its address), so that a read through a stale translation shows.
 *   stubs  the image's [vdso] frame (env.kimage_vdso_pfn) mapped user-executable at
 *          255 << 39 (255 << 48 under LA57) by three (four) tables of its own.
 *   PML5   when the vCPU has 5-level paging (vmm_has_la57(): CPUID offers LA57 and
 *          KVM_SET_SREGS takes CR4.LA57; PVM refuses it): entry 511 on the kernel's PGD,
 *          255 on the stubs' PML4, 0..254 the input's.
 *
 * The input (missing bytes read 0):
 *
 *   cpu     1 byte: CR0.WP, EFER.NXE, CR4.SMEP, CR4.SMAP, CR4.PKE, RFLAGS.AC, CR4.LA57,
 *           each kept only if the vCPU has it (vmm.feat); MAXPHYADDR is the vCPU's
 *   pkru    4 bytes
 *   then up to 16 accesses, each:
 *   access  1 byte: bits 0-1 read/write/fetch (3: read), bit 2 user, bit 3 a CR3 reload
 *           instead of invlpg before it, bit 4 (with bit 63 of the address) non-canonical
 *   address 8 bytes: kept to the user half, 8-byte aligned, never in the stubs' top slot
 *   entries one per level, top first: the entry at the index the address selects in the
 *           table the entry above points at (the top table for the first). 1 byte mode:
 *             0 keep what is there        1 zero
 *             2 not present, 8 random bytes for the other bits
 *             3 8 random bytes, the address bits replaced by a pool frame
 *             4..15 present: 4 more bytes, perm (RW US A D PWT PCD G NX), extra (PS or
 *               PAT, PAT of a large page, a reserved low bit of a large page, which
 *               frame, a reserved address bit above MAXPHYADDR), frame, more
 *               (protection key, ignored bits 11:9 and 58:52)
 *           An entry that points outside the pool, at the PGD itself, or nowhere ends
 *           the chain: the levels below are decoded and not written.
 *
 * Every entry is written with kvm_diff_store() (the model's memory and the guest's
 * store, so that a shadow MMU sees it), and every access is preceded by an invlpg of its
 * address or a CR3 reload (none when CR3 is about to change anyway). The reset puts the
 * pool's tables back the same way (kvm_fuzz.h, mark_tables(), lazy: the stores run in
 * the input's first batch). The guest's stores go through the linear map, whose entries
 * have NX: under EFER.NXE = 0 they run first under NXE, with a kernel read of the image
 * (compared too), and the TLB is emptied after.
 *
 * What is not asked: a write or fetch whose predicted page is not the input's (the
 * kernel's tables, the guest, the stubs: a 2 MiB page at RAM base, a 1 GiB page), or
 * that lands on an entry of its own walk (the comparison of A/D would see the data), and
 * any access whose predicted address is outside RAM (a guest access there is an MMIO
 * exit; the model reads 0), and any walk that reads one entry at two levels (a table
 * that points at itself through the same slot): kvm_diff's comparison of A/D takes each
 * level alone, so the D a leaf sets in a word that is also an upper entry reads as "D
 * set where the walk may not set it". PS in a PDPTE is written on every vCPU: the model's
 * CPU has the vCPU's 1 GiB pages (cpu_state.gbpages), so where the vCPU has none it is a
 * reserved bit (#PF with RSVD) that both must agree on.
 *
 * A difference (KVM_DIFFER) or a failed guest (KVM_BROKEN) prints the report, the CPU
 * and the entries written, and aborts: libFuzzer keeps the input. KVM_UNSUPPORTED ends
 * the input.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy.h"
#include "fuzz_bytes.h"
#include "kvm_fuzz.h"
/* the guest's layout (KIMAGE_VA) */
#include "abi.h"

#define KW_RAM	     (4ull << 20)
#define POOL_FRAMES  512u
#define TABLE_FRAMES 32u
#define MAX_ACCESSES 16u
#define STUB_SLOT    255u
#define MAX_STORES   (MAX_ACCESSES * 5u)
#define ADDR_BITS    0x000ffffffffff000ull
#define E_TABLE	     (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define DATA_PATTERN 0x5a5a000000000000ull

static struct {
	uint64_t pool; /* physical address of pool frame 0, the PGD */
	uint64_t pml5; /* the PML5 (0: no LA57 on this vCPU) */
	uint64_t ram;
} L;

static uint64_t frame_of(struct kvm_diff *d)
{
	uint32_t pfn = alloc_pages(&d->x.m->phys, GFP_KERNEL, 0);

	if (pfn == PFN_NONE)
		return 0;
	memset(&d->x.mem[(uint64_t)pfn * PAGE_WORDS], 0, PAGE_SIZE);
	return (uint64_t)pfn * PAGE_SIZE;
}

/* Host writes: before the snapshot, which resyncs the shadow MMU. */
static void put(struct kvm_diff *d, uint64_t table, uint32_t index, uint64_t value)
{
	d->x.mem[table / 8 + index] = value;
}

/* The vCPU on the pool's PGD from the start: the first access's flush is an invlpg. */
static int load_pool_pgd(struct kvm_diff *d, char *why, size_t len)
{
	const struct cpu_state *c = &d->x.m->cpu;
	struct vmm_cpu vc = {c->cr0_wp, c->cr4_smep, c->cr4_smap, c->cr4_pke,
			     false,	c->efer_nxe, L.pool};

	return vmm_set_cpu(&d->vmm, &vc, why, len);
}

static int setup(struct kvm_diff *d, char *why, size_t len)
{
	struct machine *m = d->x.m;
	uint64_t kpgd = (uint64_t)m->env.kernel_pgd * PAGE_SIZE;
	uint64_t vdso = (uint64_t)m->env.kimage_vdso_pfn * PAGE_SIZE;
	uint64_t s4, s3, s2, s1;
	uint32_t pfn, i;

	pfn = alloc_pages(&m->phys, GFP_KERNEL, 9);
	if (pfn == PFN_NONE || pfn % POOL_FRAMES != 0 || vdso == 0) {
		snprintf(why, len, "no 2 MiB block for the pool, or no [vdso] frame");
		return -1;
	}
	L.pool = (uint64_t)pfn * PAGE_SIZE;
	L.ram = d->x.mem_len;
	/* tables zero (not present); data frames a pattern that names each word, so that
	 * a read through a stale translation shows */
	memset(&d->x.mem[L.pool / 8], 0, (size_t)TABLE_FRAMES * PAGE_SIZE);
	for (i = TABLE_FRAMES * PAGE_WORDS; i < POOL_FRAMES * PAGE_WORDS; i++)
		d->x.mem[L.pool / 8 + i] = DATA_PATTERN | (L.pool + (uint64_t)i * 8);
	s4 = frame_of(d);
	s3 = frame_of(d);
	s2 = frame_of(d);
	s1 = frame_of(d);
	if (s4 == 0 || s3 == 0 || s2 == 0 || s1 == 0) {
		snprintf(why, len, "no frames for the stubs' tables");
		return -1;
	}
	for (i = 256; i < 512; i++) { /* A set: the guest's walks leave them alone */
		uint64_t e = d->x.mem[kpgd / 8 + i];

		put(d, L.pool, i, (e & _PAGE_PRESENT) ? e | _PAGE_ACCESSED : e);
	}
	put(d, L.pool, STUB_SLOT, s3 | E_TABLE);
	put(d, s4, 0, s3 | E_TABLE);
	put(d, s3, 0, s2 | E_TABLE);
	put(d, s2, 0, s1 | E_TABLE);
	put(d, s1, 0, vdso | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED);
	if (vmm_has_la57(&d->vmm)) {
		L.pml5 = frame_of(d);
		if (L.pml5 == 0) {
			snprintf(why, len, "no frame for the PML5");
			return -1;
		}
		put(d, L.pml5, 511, kpgd | _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED);
		put(d, L.pml5, STUB_SLOT, s4 | E_TABLE);
	}
	return load_pool_pgd(d, why, len);
}

/* May the guest write the word at pa (a data write, or the ud2 a fetch is checked by)? */
static bool owned(uint64_t pa)
{
	if (pa >= L.pool && pa < L.pool + (uint64_t)POOL_FRAMES * PAGE_SIZE)
		return pa >= L.pool + PAGE_SIZE || (pa - L.pool) / 8 < STUB_SLOT;
	return L.pml5 != 0 && pa >= L.pml5 && (pa - L.pml5) / 8 < STUB_SLOT;
}

/* What the input wrote, for the report. */
struct store {
	uint64_t paddr, value;
	uint8_t depth;
};

struct input {
	struct cpu_state cpu;
	uint32_t levels;
	uint64_t top;
	struct store st[MAX_STORES];
	uint32_t nr_st;
};

/* An address the input names: a pool frame (tables: one of the first 32), or one with a
 * bit above MAXPHYADDR set (a reserved bit: the walk stops at it). */
static uint64_t target(const struct cpu_state *cpu, uint32_t depth, bool large, uint8_t extra,
		       uint8_t frame)
{
	uint64_t a;

	if (large) /* 2 MiB: the pool, or RAM's first 2 MiB; 1 GiB: RAM's first */
		a = depth == 1 && !(extra & 0x10) ? L.pool : 0;
	else if (depth == 0)
		a = L.pool + (uint64_t)(frame | (extra & 0x10) << 4) * PAGE_SIZE;
	else
		a = L.pool + (uint64_t)(frame % TABLE_FRAMES) * PAGE_SIZE;
	if ((extra >> 5) == 0 && cpu->maxphyaddr < 52)
		a |= 1ull << (cpu->maxphyaddr + frame % (52 - cpu->maxphyaddr));
	return a;
}

/*
 * The entry for a table at depth (0 PTE, 1 PDE, 2 PDPTE, 3 PML4E, 4 PML5E). Returns false
 * for "keep what is there".
 */
static bool make_entry(struct fuzz_bytes *b, const struct cpu_state *cpu, uint32_t depth,
		       uint64_t *out)
{
	uint8_t mode = fuzz_next8(b), perm, extra, frame, more;
	/* PS makes a large page at a PDE or PDPTE (at a PDPTE without 1 GiB pages, and in a
	 * PML4E or PML5E, PS is a reserved bit) */
	bool large = depth == 1 || depth == 2;
	uint64_t e, rnd;

	switch (mode % 16) {
	case 0:
		return false;
	case 1:
		*out = 0;
		return true;
	case 2:
		*out = fuzz_next_n(b, 8) & ~_PAGE_PRESENT;
		return true;
	case 3:
		rnd = fuzz_next_n(b, 8);
		e = rnd & ~ADDR_BITS;
		*out = e | target(cpu, depth, (e & _PAGE_PSE) && large, (uint8_t)rnd,
				  (uint8_t)(rnd >> 24));
		return true;
	default:
		break;
	}
	perm = fuzz_next8(b);
	extra = fuzz_next8(b);
	frame = fuzz_next8(b);
	more = fuzz_next8(b);
	e = _PAGE_PRESENT;
	e |= (perm & 1) ? _PAGE_RW : 0;
	e |= (perm & 2) ? _PAGE_USER : 0;
	e |= (perm & 4) ? _PAGE_ACCESSED : 0;
	e |= (perm & 8) ? _PAGE_DIRTY : 0;
	e |= (perm & 16) ? _PAGE_PWT : 0;
	e |= (perm & 32) ? _PAGE_PCD : 0;
	e |= (perm & 64) ? _PAGE_GLOBAL : 0;
	e |= (perm & 128) ? _PAGE_NX : 0;
	e |= (uint64_t)(more & 15) << _PAGE_PKEY_SHIFT;
	if (more & 16)
		e |= (uint64_t)((more >> 5) & 7) << 9; /* ignored 11:9 */
	if ((more & 0x90) == 0x90)
		e |= (uint64_t)(frame & 0x7f) << 52; /* ignored 58:52 */
	if (depth == 0) {
		e |= (extra & 1) ? _PAGE_PSE : 0; /* PAT in a PTE */
		*out = e | target(cpu, depth, false, extra, frame);
		return true;
	}
	if ((extra & 3) == 3) {
		e |= _PAGE_PSE;
		if (large) {
			uint32_t shift = depth == 1 ? 21 : 30;

			e |= (extra & 4) ? _PAGE_PAT_LARGE : 0;
			if (extra & 8) /* a reserved bit in 20:13 / 29:13 */
				e |= 1ull << (13 + frame % (shift - 13));
			*out = e | target(cpu, depth, true, extra, frame);
			return true;
		}
	}
	*out = e | target(cpu, depth, false, extra, frame);
	return true;
}

/* The table an entry at depth points at, if the input may write there; else 0. */
static uint64_t next_table(const struct cpu_state *cpu, uint32_t depth, uint64_t e)
{
	uint64_t a = e & ADDR_BITS;

	if (!(e & _PAGE_PRESENT) || depth == 0 || (e & _PAGE_PSE))
		return 0;
	if (cpu->maxphyaddr < 52 && (a >> cpu->maxphyaddr) != 0)
		return 0;
	if (a < L.pool + PAGE_SIZE || a >= L.pool + (uint64_t)TABLE_FRAMES * PAGE_SIZE)
		return 0; /* outside the tables, or the PGD itself (its kernel half is the guest's) */
	return a;
}

static void store(struct kvm_diff *d, struct input *in, uint32_t depth, uint64_t paddr,
		  uint64_t value)
{
	kvm_diff_store(d, paddr, value);
	if (in->nr_st < MAX_STORES)
		in->st[in->nr_st++] = (struct store){paddr, value, (uint8_t)depth};
}

/* Write the chain of entries for addr, top first. */
static void build_chain(struct kvm_diff *d, struct fuzz_bytes *b, struct input *in, uint64_t addr)
{
	uint64_t table = in->top;
	uint32_t l;

	for (l = 0; l < in->levels; l++) {
		uint32_t depth = in->levels - 1 - l;
		uint64_t slot, e;
		bool write = make_entry(b, &in->cpu, depth, &e);

		if (table == 0)
			continue; /* the chain ended above: decode, do not write */
		slot = table + ((addr >> (12 + 9 * depth)) & 511) * 8;
		if (write && d->x.mem[slot / 8] != e)
			store(d, in, depth, slot, e);
		table = next_table(&in->cpu, depth, d->x.mem[slot / 8]);
	}
}

/* Whether the guest may perform acc at addr: see the header comment. */
static bool askable(const struct walk *w, struct access acc)
{
	uint32_t i, j;

	for (i = 0; i < w->levels; i++) /* one word at two levels: see the header */
		for (j = i + 1; j < w->levels; j++)
			if (w->entry_addr[i] / 8 == w->entry_addr[j] / 8)
				return false;
	if (w->gp || w->pf)
		return true;
	if (w->paddr + 8 > L.ram)
		return false;
	if (acc.type == ACCESS_READ)
		return true;
	if (!owned(w->paddr))
		return false;
	for (i = 0; i < w->levels; i++)
		if (w->entry_addr[i] / 8 == w->paddr / 8)
			return false;
	return true;
}

static const char *const type_names[] = {"read", "write", "fetch"};
static const char *const depth_names[] = {"pte", "pde", "pdpte", "pml4e", "pml5e"};

static void print_input(const struct input *in, uint32_t n, uint64_t addr, struct access acc)
{
	const struct cpu_state *c = &in->cpu;
	uint32_t i;

	printf("fuzz_kvm_walk: access %u: %s %s 0x%016" PRIx64 ", cr3 0x%" PRIx64 "\n", n,
	       acc.user ? "user" : "kernel", type_names[acc.type], addr, in->top);
	printf("cpu: wp %d nxe %d smep %d smap %d ac %d pke %d pkru 0x%08x la57 %d maxphyaddr %u "
	       "gbpages %d\n",
	       c->cr0_wp, c->efer_nxe, c->cr4_smep, c->cr4_smap, c->rflags_ac, c->cr4_pke, c->pkru,
	       c->cr4_la57, c->maxphyaddr, c->gbpages);
	printf("pool at 0x%" PRIx64 " (tables: its first %u frames); entries written, in order:\n",
	       L.pool, TABLE_FRAMES);
	for (i = 0; i < in->nr_st; i++)
		printf("  %-5s @0x%" PRIx64 " = 0x%016" PRIx64 "\n", depth_names[in->st[i].depth],
		       in->st[i].paddr, in->st[i].value);
}

/*
 * Run the queued stores now, with a kernel read of the image (compared like any access),
 * under EFER.NXE: they go through the linear map, whose entries have NX, a reserved bit
 * without NXE. Returns false when the input is to end.
 */
static bool run_stores(struct kvm_diff *d, const struct input *in, uint64_t stub, uint32_t n)
{
	struct access kread = {ACCESS_READ, false, false};
	struct walk kw;
	enum kvm_verdict v;

	d->x.m->cpu.efer_nxe = d->vmm.feat.nx;
	v = kvm_diff_walk(d, in->top, stub, KIMAGE_VA, kread, &kw);
	d->x.m->cpu = in->cpu;
	if (v == KVM_AGREE)
		return true;
	if (v != KVM_UNSUPPORTED) {
		print_input(in, n, KIMAGE_VA, kread);
		kvm_fuzz_verdict(d, v, "fuzz_kvm_walk (a kernel read to run the stores)");
	}
	return false;
}

/* The only frames an input makes guest page tables of: the pool's tables, the PML5. */
static void mark_tables(const struct kvm_diff *d, uint8_t *map)
{
	uint32_t i;

	(void)d;
	for (i = 0; i < TABLE_FRAMES; i++)
		map[L.pool / PAGE_SIZE + i] = 1;
	if (L.pml5 != 0)
		map[L.pml5 / PAGE_SIZE] = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvm_diff *d = kvm_fuzz_begin("fuzz_kvm_walk", KW_RAM, setup, mark_tables, true);
	const struct vmm_features *f;
	struct fuzz_bytes b = {data, size};
	struct input in;
	uint64_t stub;
	uint8_t c;
	uint32_t n;
	bool reload = false; /* a CR3 reload (not invlpg) before the next access */

	if (d == NULL)
		return 0;
	f = &d->vmm.feat;
	memset(&in, 0, sizeof(in));
	c = fuzz_next8(&b);
	in.cpu.cr0_wp = (c & 1) != 0;
	in.cpu.efer_nxe = (c & 2) && f->nx;
	in.cpu.cr4_smep = (c & 4) && f->smep;
	in.cpu.cr4_smap = (c & 8) && f->smap;
	in.cpu.cr4_pke = (c & 16) && f->pku;
	in.cpu.rflags_ac = (c & 32) && f->smap;
	in.cpu.cr4_la57 = (c & 64) && L.pml5 != 0;
	in.cpu.pkru = (uint32_t)fuzz_next_n(&b, 4);
	in.cpu.maxphyaddr = f->maxphyaddr;
	in.cpu.gbpages = f->gbpages;
	d->x.m->cpu = in.cpu;
	in.levels = in.cpu.cr4_la57 ? 5 : 4;
	in.top = in.cpu.cr4_la57 ? L.pml5 : L.pool;
	stub = (uint64_t)STUB_SLOT << (in.cpu.cr4_la57 ? 48 : 39);

	for (n = 0; n < MAX_ACCESSES && b.n > 0; n++) {
		uint8_t a = fuzz_next8(&b);
		uint64_t raw = fuzz_next_n(&b, 8), addr, caddr;
		unsigned int top_bit = in.cpu.cr4_la57 ? 56 : 47;
		struct access acc = {(enum access_type)((a & 3) == 3 ? 0 : a & 3), (a & 4) != 0,
				     false};
		struct walk w;
		enum kvm_verdict v;

		/* kvm_diff runs a full queue itself, under whatever mode the vCPU has: run
		 * the stores while there is room (inputs whose accesses are not asked) */
		if (d->queued >= 48 && !run_stores(d, &in, stub, n))
			return 0;
		addr = raw & ((1ull << top_bit) - 1) & ~7ull;
		if ((addr >> (top_bit - 8)) == STUB_SLOT)
			addr ^= 1ull << (top_bit - 8);
		caddr = addr;
		build_chain(d, &b, &in, addr);
		if ((a & 16) && (raw >> 63))
			addr |= 1ull << (top_bit + 1 + (raw >> 56) % (62 - top_bit));
		w = mmu_walk(&d->x.m->phys, &in.cpu, in.top, addr, acc, false);
		if (!askable(&w, acc))
			continue;
		if (!in.cpu.efer_nxe && d->queued > 0) {
			if (!run_stores(d, &in, stub, n))
				return 0;
			reload = true; /* EFER.NXE changes back: empty the TLB */
		}
		/* the TLB: invlpg of the address or a CR3 reload; none when CR3 is about to
		 * change (LA57 on or off since the last input), which empties it anyway */
		if (d->vmm.cr3 == in.top)
			kvm_diff_flush(
			    d, reload || (a & 8) || (caddr >> 12) == 0 ? 0 : caddr & ~0xfffull);
		reload = false;
		v = kvm_diff_walk(d, in.top, stub, addr, acc, &w);
		if (v == KVM_UNSUPPORTED)
			break;
		if (v != KVM_AGREE) {
			print_input(&in, n, addr, acc);
			kvm_fuzz_verdict(d, v, "fuzz_kvm_walk");
		}
	}
	return 0;
}

KVM_FUZZ_REPLAY_INIT(kvm_fuzz_begin("fuzz_kvm_walk", KW_RAM, setup, mark_tables, true))
