/* SPDX-License-Identifier: MIT */
/*
 * kvm_diff.c - the KVM differential loop. See kvm_diff.h.
 */
#include "kvm_diff.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "names.h"

/* Linux's tlb_single_page_flush_ceiling: more pages than this and it reloads CR3. */
#define FLUSH_CEILING 33u

#define VEC_UD 6u
#define VEC_GP 13u
#define VEC_PF 14u

static uint64_t *mbox(struct kvm_diff *d, uint32_t off)
{
	return (uint64_t *)(d->image + PG_MBOX * 4096 + off);
}

static uint64_t *result_slot(struct kvm_diff *d, uint64_t i)
{
	return (uint64_t *)(d->image + PG_RESULTS * 4096 + i * RES_SIZE);
}

static void say(struct kvm_diff *d, const char *fmt, ...)
{
	size_t used = strlen(d->report);
	va_list ap;

	if (used + 1 >= sizeof(d->report))
		return;
	va_start(ap, fmt);
	vsnprintf(d->report + used, sizeof(d->report) - used, fmt, ap);
	va_end(ap);
}

int kvm_diff_open(struct kvm_diff *d, uint64_t ram, uint32_t nr_slots, char *why, size_t len)
{
	int err;

	memset(d, 0, sizeof(*d));
	/* the image at CONFIG_PHYSICAL_START (16 MiB) when RAM allows, else at 1 MiB */
	if (ram >= (32ull << 20))
		d->kimage_phys = 16ull << 20;
	else if (ram >= (4ull << 20))
		d->kimage_phys = 1ull << 20;
	else {
		snprintf(why, len,
			 "the KVM backend needs at least 4 MiB of RAM (the trace has %" PRIu64
			 " KiB)",
			 ram >> 10);
		return -1;
	}
	if (trace_exec_open(&d->x, ram, nr_slots) != 0) {
		snprintf(why, len, "no host memory for a %" PRIu64 " MiB machine", ram >> 20);
		return -1;
	}
	err = machine_set_kimage(d->x.m, d->kimage_phys, KIMAGE_PAGES, KIMAGE_VDSO_FIRST,
				 KIMAGE_VDSO_PAGES);
	if (err != 0) {
		snprintf(why, len, "cannot reserve the kernel image: %s", names_err_name(err));
		trace_exec_close(&d->x);
		return -1;
	}
	d->image = (uint8_t *)d->x.mem + d->kimage_phys;
	if (vmm_open(&d->vmm, d->x.mem, d->x.mem_len, why, len) != 0) {
		trace_exec_close(&d->x);
		return 77;
	}
	d->vm_open = true;
	/* the model's CPU is this vCPU: its physical-address width, and the default modes
	 * (SMEP, SMAP, NX on) only where it has them */
	d->x.m->cpu.maxphyaddr = d->vmm.feat.maxphyaddr;
	d->x.m->cpu.cr4_smep = d->x.m->cpu.cr4_smep && d->vmm.feat.smep;
	d->x.m->cpu.cr4_smap = d->x.m->cpu.cr4_smap && d->vmm.feat.smap;
	d->x.m->cpu.efer_nxe = d->x.m->cpu.efer_nxe && d->vmm.feat.nx;
	d->token = 0x6d6d726566000001ull;
	return 0;
}

void kvm_diff_close(struct kvm_diff *d)
{
	if (d->vm_open)
		vmm_close(&d->vmm);
	d->vm_open = false;
	trace_exec_close(&d->x);
}

/* Guest commands ---------------------------------------------------------------------- */

static enum kvm_verdict broken(struct kvm_diff *d, const char *why)
{
	d->report[0] = '\0';
	say(d, "kvm: the guest or KVM failed: %s\n", why);
	return KVM_BROKEN;
}

static enum kvm_verdict unsupported(struct kvm_diff *d, const char *why)
{
	d->report[0] = '\0';
	say(d, "kvm: unsupported on this vCPU (%s): %s\n", vmm_oracle(&d->vmm), why);
	return KVM_UNSUPPORTED;
}

static void queue(struct kvm_diff *d, uint64_t op, uint64_t addr, uint64_t data)
{
	uint64_t *c = mbox(d, MB_CMD + d->queued * CMD_SIZE);

	c[CMD_OP / 8] = op;
	c[CMD_ADDR / 8] = addr;
	c[CMD_DATA / 8] = data;
	d->queued++;
}

/* Run the queued commands: the port the guest stopped at, or -1 (why set). */
static int run_batch(struct kvm_diff *d, char *why, size_t len)
{
	int port;

	*mbox(d, MB_N) = d->queued;
	if (d->paused) { /* the guest waits in its handler: go on at command 0 */
		*mbox(d, MB_ACTION) = ACT_NEXT;
		*mbox(d, MB_I) = (uint64_t)-1;
	} else {
		*mbox(d, MB_I) = 0;
	}
	d->last_cmd = d->queued - 1;
	d->queued = 0;
	d->paused = false;
	port = vmm_run(&d->vmm, why, len);
	if (port == PORT_FAULT)
		d->paused = true;
	return port;
}

/* Resume a guest paused at a fault: retry (after invlpg flush, when not 0) or next. */
static int resume(struct kvm_diff *d, uint64_t action, uint64_t flush, char *why, size_t len)
{
	int port;

	*mbox(d, MB_ACTION) = action;
	*mbox(d, MB_FLUSH) = flush;
	if (action == ACT_RETRY) /* a retry that completes in ring 0 leaves the slot alone */
		result_slot(d, *mbox(d, MB_I))[RES_VECTOR / 8] = VEC_NONE;
	d->paused = false;
	port = vmm_run(&d->vmm, why, len);
	if (port == PORT_FAULT)
		d->paused = true;
	return port;
}

static uint64_t current_cr3(struct kvm_diff *d)
{
	struct mm_struct *mm = machine_current_mm(d->x.m);

	if (mm != NULL && mm->pgd != 0)
		return (uint64_t)mm->pgd * PAGE_SIZE;
	return (uint64_t)d->x.m->env.kernel_pgd * PAGE_SIZE;
}

/* The CPU modes of the model that this vCPU lacks, or NULL. */
static const char *cpu_lacks(const struct kvm_diff *d)
{
	const struct cpu_state *c = &d->x.m->cpu;
	const struct vmm_features *f = &d->vmm.feat;

	if (c->cr4_la57 && !f->la57)
		return "CR4.LA57: the vCPU has no 5-level paging";
	if (c->cr4_smep && !f->smep)
		return "CR4.SMEP: the vCPU has no SMEP";
	if (c->cr4_smap && !f->smap)
		return "CR4.SMAP: the vCPU has no SMAP";
	if (c->cr4_pke && !f->pku)
		return "CR4.PKE: the vCPU has no protection keys";
	if (c->efer_nxe && !f->nx)
		return "EFER.NXE: the vCPU has no NX";
	if (c->maxphyaddr != f->maxphyaddr)
		return "MAXPHYADDR differs from the vCPU's";
	return NULL;
}

/* Start the guest (once), load the CPU state and CR3, queue the PKRU load. */
static enum kvm_verdict prepare(struct kvm_diff *d, uint64_t cr3)
{
	const struct cpu_state *c = &d->x.m->cpu;
	struct vmm_cpu vc = {c->cr0_wp,	  c->cr4_smep, c->cr4_smap, c->cr4_pke,
			     c->cr4_la57, c->efer_nxe, cr3};
	const char *lack = cpu_lacks(d);
	char why[256];

	if (lack != NULL)
		return unsupported(d, lack);
	if (!d->started) {
		if (!d->x.m->phys.booted && machine_boot(d->x.m) != 0)
			return broken(d, "the model machine does not boot");
		if (paging_init(&d->x.m->env) != 0)
			return broken(d, "no memory for the kernel page tables");
		if (vmm_load_guest(&d->vmm, d->kimage_phys, why, sizeof(why)) != 0)
			return broken(d, why);
		vc.cr3 = (uint64_t)d->x.m->env.kernel_pgd * PAGE_SIZE;
		if (vmm_set_cpu(&d->vmm, &vc, why, sizeof(why)) != 0)
			return broken(d, why);
		if (vmm_run(&d->vmm, why, sizeof(why)) != PORT_BATCH)
			return broken(d, why);
		d->started = true;
		if (cr3 == 0) /* asked before paging_init(): the kernel's tables */
			cr3 = (uint64_t)d->x.m->env.kernel_pgd * PAGE_SIZE;
		vc.cr3 = cr3;
	}
	if (cr3 != d->vmm.cr3) {
		/* switch_mm(): a CR3 load flushes the non-global TLB, every mm's debt with it.
		 * Tables another mm freed may be this one's now: the shadow MMU must forget
		 * them (vmm_resync()). */
		uint32_t i;

		for (i = 0; i < MACHINE_MAX_PROCS; i++)
			d->x.m->procs[i].mm.tlb_flush_start = d->x.m->procs[i].mm.tlb_flush_end = 0;
		if (vmm_resync(&d->vmm, why, sizeof(why)) != 0)
			return broken(d, why);
	}
	if (vmm_set_cpu(&d->vmm, &vc, why, sizeof(why)) != 0)
		return broken(d, why);
	if (d->flush_all) {
		if (vmm_resync(&d->vmm, why, sizeof(why)) != 0)
			return broken(d, why);
		queue(d, OP_CR3, 0, cr3);
		d->st.flushes++;
		d->flush_all = false;
	}
	if (c->cr4_pke && (!d->pkru_loaded || d->pkru != c->pkru)) {
		queue(d, OP_PKRU, 0, c->pkru);
		d->pkru = c->pkru;
		d->pkru_loaded = true;
	}
	return KVM_AGREE;
}

/*
 * The TLB flush the current mm owes: invlpg per page, or a CR3 reload past the ceiling.
 * Under a shadow MMU the host's own writes to the tables must reach KVM first.
 */
static enum kvm_verdict queue_owed_flush(struct kvm_diff *d, uint64_t cr3)
{
	struct mm_struct *mm = machine_current_mm(d->x.m);
	char why[256];
	uint64_t a;

	if (mm == NULL || mm->tlb_flush_start >= mm->tlb_flush_end)
		return KVM_AGREE;
	if (vmm_resync(&d->vmm, why, sizeof(why)) != 0)
		return broken(d, why);
	if ((mm->tlb_flush_end - mm->tlb_flush_start) / PAGE_SIZE > FLUSH_CEILING) {
		queue(d, OP_CR3, 0, cr3);
		d->st.flushes++;
	} else {
		for (a = mm->tlb_flush_start; a < mm->tlb_flush_end; a += PAGE_SIZE) {
			queue(d, OP_INVLPG, a, 0);
			d->st.flushes++;
		}
	}
	mm->tlb_flush_start = mm->tlb_flush_end = 0;
	return KVM_AGREE;
}

/* Comparison -------------------------------------------------------------------------- */

static const char *level_name(uint32_t levels, uint32_t i)
{
	static const char *const four[] = {"pml4e", "pdpte", "pde", "pte"};
	static const char *const five[] = {"pml5e", "pml4e", "pdpte", "pde", "pte"};

	return levels == 5 || (levels < 5 && i >= 4) ? five[i < 5 ? i : 4] : four[i < 4 ? i : 3];
}

static void entry_flags(uint64_t e, char *buf, size_t len)
{
	snprintf(buf, len, "%#018" PRIx64 "%s%s%s%s%s%s%s%s%s%s pk=%u", e,
		 (e & _PAGE_PRESENT) ? " P" : " -", (e & _PAGE_RW) ? " RW" : "",
		 (e & _PAGE_USER) ? " US" : "", (e & _PAGE_PWT) ? " PWT" : "",
		 (e & _PAGE_PCD) ? " PCD" : "", (e & _PAGE_ACCESSED) ? " A" : "",
		 (e & _PAGE_DIRTY) ? " D" : "", (e & _PAGE_PSE) ? " PS" : "",
		 (e & _PAGE_GLOBAL) ? " G" : "", (e & _PAGE_NX) ? " NX" : "",
		 (unsigned)((e & _PAGE_PKEY_MASK) >> _PAGE_PKEY_SHIFT));
}

static void error_names(uint32_t ec, char *buf, size_t len)
{
	snprintf(buf, len, "%#x (%s%s%s%s%s%s)", ec, (ec & X86_PF_PROT) ? "P" : "not-present",
		 (ec & X86_PF_WRITE) ? " W" : "", (ec & X86_PF_USER) ? " U" : "",
		 (ec & X86_PF_RSVD) ? " RSVD" : "", (ec & X86_PF_INSTR) ? " I" : "",
		 (ec & X86_PF_PK) ? " PK" : "");
}

static const char *const access_names[] = {"r", "w", "x"};

/* The header of a difference: the access, the CPU, the entries before and after. */
static void report_header(struct kvm_diff *d, uint64_t addr, struct access acc,
			  const struct walk *w, const uint64_t *after)
{
	const struct cpu_state *c = &d->x.m->cpu;
	char b1[128], b2[128];
	uint32_t i;

	d->report[0] = '\0';
	say(d, "kvm: %s access %s 0x%" PRIx64 ": the guest and the model differ\n",
	    acc.user ? "user" : "kernel", access_names[acc.type], addr);
	say(d, "  cpu: wp=%d smep=%d smap=%d ac=%d pke=%d pkru=%#x nxe=%d la57=%d maxphyaddr=%u\n",
	    c->cr0_wp, c->cr4_smep, c->cr4_smap, c->rflags_ac, c->cr4_pke, c->pkru, c->efer_nxe,
	    c->cr4_la57, c->maxphyaddr);
	say(d, "  oracle: %s\n", vmm_oracle(&d->vmm));
	for (i = 0; i < w->levels; i++) {
		entry_flags(w->entry[i], b1, sizeof(b1));
		entry_flags(after[i], b2, sizeof(b2));
		say(d, "  %-5s @%#" PRIx64 " %s%s%s\n", level_name(w->levels, i), w->entry_addr[i],
		    b1, after[i] != w->entry[i] ? "  ->  " : "", after[i] != w->entry[i] ? b2 : "");
	}
}

static void describe_walk(const struct walk *w, char *buf, size_t len)
{
	char ec[64];

	if (w->gp) {
		snprintf(buf, len, "#GP (non-canonical)");
	} else if (w->pf) {
		error_names(w->error_code, ec, sizeof(ec));
		snprintf(buf, len, "#PF error %s cr2 %#" PRIx64, ec, w->cr2);
	} else {
		snprintf(buf, len, "no fault, paddr %#" PRIx64 " (page %" PRIu64 " KiB)", w->paddr,
			 w->page_size >> 10);
	}
}

static void describe_obs(const uint64_t *o, char *buf, size_t len)
{
	char ec[64];

	if (o[RES_VECTOR / 8] == VEC_NONE) {
		snprintf(buf, len, "no exception, rax %#" PRIx64, o[RES_RAX / 8]);
	} else if (o[RES_VECTOR / 8] == VEC_PF) {
		error_names((uint32_t)o[RES_ERROR / 8], ec, sizeof(ec));
		snprintf(buf, len, "#PF error %s cr2 %#" PRIx64 " rip %#" PRIx64, ec,
			 o[RES_CR2 / 8], o[RES_RIP / 8]);
	} else {
		snprintf(buf, len,
			 "vector %" PRIu64 " error %#" PRIx64 " rip %#" PRIx64 " rax %#" PRIx64,
			 o[RES_VECTOR / 8], o[RES_ERROR / 8], o[RES_RIP / 8], o[RES_RAX / 8]);
	}
}

/* One access performed once (or retried) in the guest. */
struct attempt {
	uint64_t addr;
	struct access acc;
	uint64_t stub; /* user stubs' address (user accesses) */
	uint64_t data; /* what a write stores */
};

/*
 * Compare the outcome obs of the access with the prediction w: the exception (vector,
 * error code, CR2), the data, and A/D at every level (must_a set, nothing outside may_a
 * newly set, D as must_d, no other bit changed). Returns true when they agree; else the
 * report says how.
 */
static bool compare(struct kvm_diff *d, const struct attempt *t, const struct walk *w,
		    const uint64_t *obs, uint64_t data)
{
	const uint64_t vec = obs[RES_VECTOR / 8], rip = obs[RES_RIP / 8];
	struct walk mutated;
	uint64_t after[5];
	char exp[160], got[200];
	const char *bad = NULL;
	uint32_t i;

	if (d->mutate && w->pf) {
		mutated = *w;
		mutated.error_code ^= X86_PF_WRITE;
		w = &mutated;
	}
	for (i = 0; i < w->levels; i++)
		after[i] = d->x.mem[w->entry_addr[i] / 8];
	if (w->gp) {
		if (vec != VEC_GP)
			bad = "the model says #GP";
	} else if (w->pf) {
		if (vec != VEC_PF)
			bad = "the model says #PF";
		else if ((uint32_t)obs[RES_ERROR / 8] != w->error_code)
			bad = "the error codes differ";
		else if (obs[RES_CR2 / 8] != t->addr)
			bad = "CR2 is not the address";
	} else if (t->acc.type == ACCESS_FETCH) {
		if (vec != VEC_UD || rip != t->addr)
			bad = "the fetch should have reached the ud2 placed at the target";
	} else {
		bool user_ok = vec == VEC_UD && rip >= t->stub + t->acc.type * USTUB_SIZE &&
			       rip < t->stub + (t->acc.type + 1) * USTUB_SIZE;

		if (t->acc.user ? !user_ok : vec != VEC_NONE)
			bad = "the access should have completed";
		else if (t->acc.type == ACCESS_READ && obs[RES_RAX / 8] != d->x.mem[w->paddr / 8])
			bad = "the value read is not the one at the predicted physical address";
		else if (t->acc.type == ACCESS_WRITE && d->x.mem[w->paddr / 8] != data)
			bad = "the value written is not at the predicted physical address";
	}
	for (i = 0; bad == NULL && i < w->levels; i++) {
		uint64_t set = after[i] & ~w->entry[i];
		bool leaf = i + 1 == w->levels && !w->pf && !w->gp;

		if ((after[i] & ~(uint64_t)(_PAGE_ACCESSED | _PAGE_DIRTY)) !=
		    (w->entry[i] & ~(uint64_t)(_PAGE_ACCESSED | _PAGE_DIRTY)))
			bad = "a bit other than A/D changed";
		else if ((w->must_a >> i & 1) && !(after[i] & _PAGE_ACCESSED))
			bad = "A must be set";
		else if ((set & _PAGE_ACCESSED) && !(w->may_a >> i & 1))
			bad = "A was set where the walk may not set it";
		else if (leaf && w->must_d && !(after[i] & _PAGE_DIRTY))
			bad = "D must be set";
		else if ((set & _PAGE_DIRTY) && !(leaf && w->must_d))
			bad = "D was set where the walk may not set it";
		if (bad != NULL) {
			report_header(d, t->addr, t->acc, w, after);
			say(d, "  at %s: %s\n", level_name(w->levels, i), bad);
			describe_walk(w, exp, sizeof(exp));
			describe_obs(obs, got, sizeof(got));
			say(d,
			    "  expected: %s (must A %#x, may A %#x, must D %d)\n  observed: %s\n",
			    exp, w->must_a, w->may_a, w->must_d, got);
			return false;
		}
	}
	if (bad != NULL) {
		report_header(d, t->addr, t->acc, w, after);
		describe_walk(w, exp, sizeof(exp));
		describe_obs(obs, got, sizeof(got));
		say(d, "  %s\n  expected: %s\n  observed: %s\n", bad, exp, got);
		return false;
	}
	return true;
}

/*
 * Perform the access (queued after any pending control commands) or, with retry, let the
 * paused guest re-execute it after flushing flush; compare with the prediction w, made
 * on the tables as they are now.
 */
static enum kvm_verdict attempt(struct kvm_diff *d, const struct attempt *t, const struct walk *w,
				bool retry, uint64_t flush)
{
	uint64_t data = t->data, saved = 0, *obs;
	uint64_t *code = NULL;
	char why[256];
	int port;

	if (t->acc.type == ACCESS_FETCH && !w->pf && !w->gp) {
		/* a ud2 at the target shows that the fetch went through; put back after */
		if (w->paddr % 8 > 6)
			return unsupported(d, "a fetch target whose first two bytes straddle 8");
		code = &d->x.mem[w->paddr / 8];
		saved = *code;
		*code = (saved & ~(0xffffull << (8 * (w->paddr % 8)))) |
			(0x0b0full << (8 * (w->paddr % 8)));
	}
	if (!retry) {
		uint64_t op = (uint64_t)t->acc.type | (t->acc.user ? OPF_USER : 0) |
			      (!t->acc.user && d->x.m->cpu.rflags_ac ? OPF_AC : 0);

		queue(d, op, t->addr, data);
		port = run_batch(d, why, sizeof(why));
	} else {
		port = resume(d, ACT_RETRY, flush, why, sizeof(why));
	}
	if (code != NULL)
		*code = saved;
	if (port != PORT_FAULT && port != PORT_BATCH)
		return broken(d, why);
	obs = result_slot(d, port == PORT_FAULT ? *mbox(d, MB_I) : d->last_cmd);
	if (port == PORT_FAULT && *mbox(d, MB_I) != d->last_cmd)
		return broken(d, "an exception in a control command");
	d->st.accesses++;
	if (w->pf || w->gp)
		d->st.faults++;
	return compare(d, t, w, obs, data) ? KVM_AGREE : KVM_DIFFER;
}

uint64_t kvm_diff_vdso_start(const struct kvm_diff *d, const struct mm_struct *mm)
{
	const struct vma_pool *v = d->x.m->env.pool;
	struct vma_pos pos = vma_first_pos(&mm->vmas);
	uint32_t id;

	while ((id = vma_at(v, &mm->vmas, pos)) != VMA_NONE) {
		const struct vm_area_struct *vma = &v->vma[id];

		if (vma->file != 0 && v->files[vma->file - 1].special && vma->vm_pgoff == 0 &&
		    strcmp(v->files[vma->file - 1].name, "[vdso]") == 0)
			return vma->vm_start;
		pos = vma_pos_next(v, &mm->vmas, pos);
	}
	return 0;
}

/*
 * PVM runs its switcher in the hypervisor hole Linux leaves at the bottom of the kernel
 * half (0xffff800000000000..0xffff87ffffffffff, Documentation/arch/x86/x86_64/mm.rst):
 * there the guest sees reserved-bit faults whatever its tables say.
 */
static bool in_pvm_hole(const struct kvm_diff *d, uint64_t addr)
{
	return strncmp(d->vmm.oracle, "PVM", 3) == 0 && addr >= 0xffff800000000000ull &&
	       addr < 0xffff880000000000ull;
}

/* A touch: the differential loop with the model's fault handler between attempts. */
static enum kvm_verdict touch_op(struct kvm_diff *d, const struct mm_op *op, struct mm_result *res)
{
	struct machine *m = d->x.m;
	struct mm_struct *mm = machine_current_mm(m);
	struct attempt t = {op->a,
			    {(enum access_type)op->flags, (op->mflags & TOUCH_USER) != 0,
			     (op->mflags & TOUCH_IMPLICIT) != 0},
			    0,
			    d->token++};
	struct touch_result *r = &res->touch;
	enum kvm_verdict v;
	uint64_t cr3, flush = 0;

	if (mm == NULL || op->flags > ACCESS_FETCH || t.acc.implicit || in_pvm_hole(d, t.addr)) {
		/* no process (an error), an implicit supervisor access (which the guest
		 * cannot aim at an address), PVM's hole: the model alone */
		*res = machine_apply(m, op);
		if (res->kind == RES_TOUCH && t.acc.implicit)
			d->st.model_only++;
		else if (res->kind == RES_TOUCH)
			d->st.hole++;
		return KVM_AGREE;
	}
	cr3 = current_cr3(d);
	v = prepare(d, cr3);
	if (v != KVM_AGREE)
		return v;
	v = queue_owed_flush(d, cr3);
	if (v != KVM_AGREE)
		return v;
	if (t.acc.user) {
		struct access fetch = {ACCESS_FETCH, true, false};
		struct walk sw;

		t.stub = kvm_diff_vdso_start(d, mm);
		if (t.stub == 0)
			return unsupported(d, "the process has no [vdso] to run user code from");
		sw = mmu_walk(&m->phys, &m->cpu, cr3, t.stub, fetch, false);
		if (sw.pf) { /* the process has not run its [vdso] yet: fault it in */
			struct touch_result st = touch(&m->env, mm, &m->cpu, t.stub, fetch);

			if (!st.done)
				return unsupported(
				    d, "the [vdso] page cannot be fetched by user code");
			v = queue_owed_flush(d, cr3);
			if (v != KVM_AGREE)
				return v;
			sw = mmu_walk(&m->phys, &m->cpu, cr3, t.stub, fetch, false);
		}
		/* the stubs must be the image's: a [vdso] made writable and written (its COW
		 * copy) holds the trace's data, not the guest's code */
		if (sw.pf || sw.gp ||
		    memcmp(&m->phys.mem[sw.paddr / 8], d->image + PG_VDSO * 4096, 4096) != 0)
			return unsupported(d, "the trace changed the [vdso] page that the guest's "
					      "user code runs from");
		*mbox(d, MB_USTUB) = t.stub;
	}
	memset(res, 0, sizeof(*res));
	res->kind = RES_TOUCH;
	for (;;) {
		struct walk w = mmu_walk(&m->phys, &m->cpu, cr3, t.addr, t.acc, false);
		struct fault_step *s;

		v = attempt(d, &t, &w, r->nr_steps > 0, flush);
		if (v != KVM_AGREE)
			return v;
		if (w.gp) {
			r->gp = true;
			break;
		}
		if (!w.pf) {
			r->done = true;
			r->paddr = w.paddr;
			break;
		}
		if (r->nr_steps == MAX_FAULT_STEPS)
			break;
		s = &r->step[r->nr_steps++];
		*s = exc_page_fault(&m->env, mm, &m->cpu, t.addr, w.error_code, t.acc);
		if (fault_step_final(s))
			break;
		if (s->action == FAULT_SPURIOUS && r->nr_steps > 1 &&
		    r->step[r->nr_steps - 2].action == FAULT_SPURIOUS)
			break;
		/* the flush the handler owes (COW: one page) happens before the retry */
		flush = 0;
		if (mm->tlb_flush_start < mm->tlb_flush_end) {
			if (mm->tlb_flush_end - mm->tlb_flush_start > PAGE_SIZE)
				return broken(d, "a fault handler owes more than one page's flush");
			flush = mm->tlb_flush_start;
			mm->tlb_flush_start = mm->tlb_flush_end = 0;
			d->st.flushes++;
		}
	}
	res->value = r->paddr;
	return KVM_AGREE;
}

/* After an op the model ran alone: a cpu op also reaches the vCPU (or cannot). */
static enum kvm_verdict model_op_done(struct kvm_diff *d, int kind, const struct mm_result *res)
{
	if (kind == OP_EXIT && res->kind != RES_ERROR)
		d->flush_all = true; /* its freed tables may become the current mm's */
	if (kind == OP_CPU && res->kind != RES_ERROR) {
		if (cpu_lacks(d) != NULL)
			return unsupported(d, cpu_lacks(d));
		d->flush_all = true;
	}
	return KVM_AGREE;
}

enum kvm_verdict kvm_diff_mm_op(struct kvm_diff *d, const struct mm_op *op, struct mm_result *res)
{
	d->st.ops++;
	if (op->kind == OP_TOUCH)
		return touch_op(d, op, res);
	*res = machine_apply(d->x.m, op);
	return model_op_done(d, op->kind, res);
}

enum kvm_verdict kvm_diff_op(struct kvm_diff *d, const struct trace_op *top, struct mm_result *res)
{
	if (top->kind == OP_TOUCH) {
		struct mm_op op = trace_exec_decode(&d->x, top);
		enum kvm_verdict v = kvm_diff_mm_op(d, &op, res);

		if (top->bind >= 0 && (uint32_t)top->bind < d->x.nr_slots)
			d->x.slots[top->bind] = res->value;
		return v;
	}
	/* the rest through the trace runner, which binds their values (and knows `ram`) */
	d->st.ops++;
	*res = trace_exec_step(&d->x, top);
	return model_op_done(d, top->kind, res);
}

/* Queue a control command for the caller, running the batch first when it is full
 * (room is kept for the commands prepare() and the access add). */
static void queue_ctl(struct kvm_diff *d, uint64_t op, uint64_t addr, uint64_t data)
{
	if (d->queued + 40 >= MB_MAX_CMDS) {
		char why[256];

		if (!d->started || run_batch(d, why, sizeof(why)) != PORT_BATCH)
			d->store_failed = true;
	}
	queue(d, op, addr, data);
}

void kvm_diff_store(struct kvm_diff *d, uint64_t paddr, uint64_t value)
{
	d->x.mem[paddr / 8] = value;
	queue_ctl(d, OP_STORE, PAGE_OFFSET + paddr, value);
}

enum kvm_verdict kvm_diff_walk(struct kvm_diff *d, uint64_t cr3, uint64_t stub, uint64_t addr,
			       struct access acc, struct walk *predicted)
{
	struct attempt t = {addr, acc, stub, d->token++};
	enum kvm_verdict v = prepare(d, cr3);

	if (v != KVM_AGREE)
		return v;
	*mbox(d, MB_USTUB) = stub;
	if (d->store_failed) {
		d->store_failed = false;
		return broken(d, "a batch of page-table stores failed");
	}
	*predicted = mmu_walk(&d->x.m->phys, &d->x.m->cpu, cr3, addr, acc, false);
	return attempt(d, &t, predicted, false, 0);
}

/*
 * Run the ops of t that keep says (all, when keep is NULL) on a fresh machine and VM up
 * to item stop (or the end); the verdict of the first op that does not agree, and its
 * item in *at (nr_items when all agree). *d is left open for the caller to close.
 */
static enum kvm_verdict run_items(struct kvm_diff *d, const struct trace *t, const bool *keep,
				  uint32_t stop, uint32_t *at, char *why, size_t len)
{
	uint32_t i;
	int rc = kvm_diff_open(d, t->ram, t->nr_names, why, len);

	*at = t->nr_items;
	if (rc != 0)
		return rc == 77 ? KVM_UNSUPPORTED : KVM_BROKEN;
	for (i = 0; i < t->nr_items && i <= stop; i++) {
		const struct trace_item *it = &t->items[i];
		struct mm_result r;
		enum kvm_verdict v;

		if (it->kind != TRACE_OP || it->op.kind == TRACE_OP_RAM || (keep && !keep[i]))
			continue;
		v = kvm_diff_op(d, &it->op, &r);
		if (v != KVM_AGREE) {
			*at = i;
			return v;
		}
	}
	return KVM_AGREE;
}

/*
 * A minimal reproducer of the difference at item bad: drop the ops before it one at a
 * time (those that bind a name stay), keeping each drop after which the same op still
 * differs; print what is left as a trace.
 */
static void print_reproducer(const struct trace *t, uint32_t bad, FILE *out)
{
	struct kvm_diff *d = calloc(1, sizeof(*d));
	bool *keep = calloc(t->nr_items, sizeof(*keep));
	char why[256];
	uint32_t i, at;

	if (d == NULL || keep == NULL) {
		free(d);
		free(keep);
		return;
	}
	for (i = 0; i < t->nr_items; i++)
		keep[i] = t->items[i].kind == TRACE_OP;
	for (i = 0; i < bad; i++) {
		enum kvm_verdict v;

		if (!keep[i] || t->items[i].op.bind >= 0 || t->items[i].op.kind == TRACE_OP_RAM)
			continue;
		keep[i] = false;
		v = run_items(d, t, keep, bad, &at, why, sizeof(why));
		kvm_diff_close(d);
		if (v != KVM_DIFFER || at != bad)
			keep[i] = true;
	}
	fprintf(out,
		"# A reproducer (ops that did not matter dropped): `mmref check --backend "
		"kvm` differs at its last op.\nram %lluK\n",
		(unsigned long long)(t->ram >> 10));
	for (i = 0; i <= bad; i++)
		if (keep[i] && t->items[i].op.kind != TRACE_OP_RAM)
			fprintf(out, "%s\n", t->items[i].op.text);
	free(keep);
	free(d);
}

int kvm_diff_check_trace(const struct trace *t, FILE *out)
{
	struct kvm_diff *d = calloc(1, sizeof(*d));
	enum kvm_verdict v;
	char why[256];
	uint32_t at;
	int rc;

	if (d == NULL) {
		fprintf(out, "check --backend kvm: no memory\n");
		return -1;
	}
	v = run_items(d, t, NULL, t->nr_items, &at, why, sizeof(why));
	if (at == t->nr_items && v != KVM_AGREE) { /* the backend did not open */
		fprintf(out, "check --backend kvm: %s%s\n", v == KVM_UNSUPPORTED ? "SKIP: " : "",
			why);
		free(d);
		return v == KVM_UNSUPPORTED ? 3 : 2;
	}
	if (v == KVM_AGREE)
		fprintf(out,
			"check --backend kvm: %" PRIu64 " ops, %" PRIu64
			" accesses compared (%" PRIu64 " faults, %" PRIu64 " flushes, %" PRIu64
			" implicit touches and %" PRIu64
			" in PVM's hypervisor hole on the model only), all agree; oracle: %s\n",
			d->st.ops, d->st.accesses, d->st.faults, d->st.flushes, d->st.model_only,
			d->st.hole, vmm_oracle(&d->vmm));
	else
		fprintf(out, "%s:%u: %s\n%s", t->name, t->items[at].op.line, t->items[at].op.text,
			d->report);
	kvm_diff_close(d);
	free(d);
	rc = v == KVM_AGREE ? 0 : v == KVM_DIFFER ? 1 : v == KVM_UNSUPPORTED ? 2 : -1;
	if (v == KVM_DIFFER)
		print_reproducer(t, at, out);
	return rc;
}

enum kvm_verdict kvm_diff_start(struct kvm_diff *d)
{
	return prepare(d, current_cr3(d));
}

void kvm_diff_flush(struct kvm_diff *d, uint64_t addr)
{
	if (addr == 0)
		queue_ctl(d, OP_CR3, 0, d->vmm.cr3);
	else
		queue_ctl(d, OP_INVLPG, addr, 0);
	d->st.flushes++;
}

/*
 * Batched touches (kvm_diff_touches()): all accesses go to the guest at once; it exits
 * only at a fault. At each exit the accesses that completed since the last one are
 * compared with the predictions made then, the fault with its own, the model's handler
 * runs, and the remaining predictions are made afresh on the tables as they are now.
 */
struct pending {
	struct attempt t;
	struct walk w;
	uint32_t steps;
};

/* Compare commands [from, to) of the batch, which completed; p[0] is command base. */
static enum kvm_verdict verify_done(struct kvm_diff *d, const struct pending *p, uint64_t base,
				    uint64_t from, uint64_t to)
{
	uint64_t j;

	for (j = from; j < to; j++) {
		const struct pending *q = &p[j - base];

		d->st.accesses++;
		if (!compare(d, &q->t, &q->w, result_slot(d, j), q->t.data))
			return KVM_DIFFER;
	}
	return KVM_AGREE;
}

enum kvm_verdict kvm_diff_touches(struct kvm_diff *d, const uint64_t *addrs, uint32_t n,
				  struct access acc)
{
	struct machine *m = d->x.m;
	struct mm_struct *mm = machine_current_mm(m);
	struct pending *p;
	enum kvm_verdict v;
	uint64_t cr3, done = 0, i;
	char why[256];
	int port;

	if (mm == NULL || acc.implicit || acc.user || n == 0 || n > MB_MAX_CMDS - 40)
		return unsupported(d,
				   "kvm_diff_touches: kernel accesses of a process, 1..86 of them");
	cr3 = current_cr3(d);
	v = prepare(d, cr3);
	if (v == KVM_AGREE)
		v = queue_owed_flush(d, cr3);
	if (v != KVM_AGREE)
		return v;
	p = calloc(n, sizeof(*p));
	if (p == NULL)
		return broken(d, "no memory");
	/* the control commands queued so far run first: the accesses are numbered after */
	{
		uint32_t base = d->queued;

		for (i = 0; i < n; i++) {
			uint64_t op = (uint64_t)acc.type | (m->cpu.rflags_ac ? OPF_AC : 0);

			p[i].t = (struct attempt){addrs[i], acc, 0, d->token++};
			p[i].w = mmu_walk(&m->phys, &m->cpu, cr3, addrs[i], acc, false);
			queue(d, op, addrs[i], p[i].t.data);
		}
		done = base;
		port = run_batch(d, why, sizeof(why));
		for (;;) {
			struct pending *f;
			struct fault_step s;

			if (port == PORT_BATCH) {
				v = verify_done(d, p, base, done, base + n);
				break;
			}
			if (port != PORT_FAULT) {
				v = broken(d, why);
				break;
			}
			i = *mbox(d, MB_I);
			if (i < base) {
				v = broken(d, "an exception in a control command");
				break;
			}
			v = verify_done(d, p, base, done, i);
			if (v != KVM_AGREE)
				break;
			f = &p[i - base];
			d->st.accesses++;
			d->st.faults++;
			if (!compare(d, &f->t, &f->w, result_slot(d, i), f->t.data)) {
				v = KVM_DIFFER;
				break;
			}
			s = exc_page_fault(&m->env, mm, &m->cpu, f->t.addr, f->w.error_code, acc);
			if (fault_step_final(&s) || ++f->steps >= MAX_FAULT_STEPS ||
			    mm->tlb_flush_start < mm->tlb_flush_end) {
				v = unsupported(d,
						"kvm_diff_touches: a fault that does not end in a "
						"retry without flush (use touches one by one)");
				break;
			}
			for (done = i; done < base + n; done++)
				p[done - base].w = mmu_walk(&m->phys, &m->cpu, cr3,
							    p[done - base].t.addr, acc, false);
			done = i;
			port = resume(d, ACT_RETRY, 0, why, sizeof(why));
		}
	}
	free(p);
	return v;
}

int kvm_diff_floor(struct kvm_diff *d, const uint64_t *addrs, uint32_t n)
{
	struct machine *m = d->x.m;
	struct access acc = {ACCESS_READ, false, false};
	uint64_t cr3 = current_cr3(d), zero = (uint64_t)m->env.zero_pfn * PAGE_SIZE;
	char why[256];
	uint32_t i;
	int port;

	if (n == 0 || n > MB_MAX_CMDS - 40 || prepare(d, cr3) != KVM_AGREE)
		return -1;
	for (i = 0; i < n; i++)
		queue(d, ACCESS_READ, addrs[i], 0);
	port = run_batch(d, why, sizeof(why));
	while (port == PORT_FAULT) {
		struct walk w =
		    mmu_walk(&m->phys, &m->cpu, cr3, *mbox(d, MB_I) < n ? addrs[*mbox(d, MB_I)] : 0,
			     acc, false);

		if (!w.pf || w.levels == 0 || (w.entry[w.levels - 1] & _PAGE_PRESENT) != 0)
			return -1; /* only a missing leaf is fixed here */
		d->x.mem[w.entry_addr[w.levels - 1] / 8] =
		    zero | _PAGE_PRESENT | _PAGE_USER | _PAGE_SPECIAL | _PAGE_NX;
		port = resume(d, ACT_RETRY, 0, why, sizeof(why));
	}
	return port == PORT_BATCH ? 0 : -1;
}
