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

#define VEC_NONE 0xffu /* no exception: the access completed */
#define VEC_UD	 6u
#define VEC_GP	 13u
#define VEC_PF	 14u

#define RFLAGS_FIXED 0x2ull
#define RFLAGS_AC    (1ull << 18)

/* Room a batch keeps for the commands prepare() and the access add, and GOP_END. */
#define BATCH_ROOM  40u
#define TOUCHES_MAX (MB_MAX_CMDS - BATCH_ROOM)

_Static_assert(MB_MAX_CMDS <= KVM_DIFF_MAX_CMDS, "kvm_diff.ops[] holds a batch");
_Static_assert(MB_MAX_CMDS *CMD_CODE + 5 <= BATCH_PAGES * 4096, "the batch code fits");
_Static_assert(MB_RES + MB_MAX_CMDS * 8 <= 4096, "the values read fit the mailbox");

/* The instructions the host writes a batch with (x86-64 encodings). */
#define X_REX_W	      0x48
#define X_MOVABS_RAX  0xb8 /* REX.W B8+r imm64: movabs $imm64, %rax */
#define X_MOVABS_RDX  0xba
#define X_MOVABS_RSI  0xbe
#define X_MOVABS_RDI  0xbf
#define X_LOAD_MOFFS  0xa1 /* REX.W A1 moffs64: movabs moffs64, %rax */
#define X_STORE_MOFFS 0xa3 /* REX.W A3 moffs64: movabs %rax, moffs64 */
#define X_JMP_REL32   0xe9
_Static_assert(TOUCHES_MAX < UCMD_MAX, "the user loop's page holds a batch and UOP_END");

/* The guest's entry points: ring-0 code at the image, user code at the [vdso] vdso. */
static uint64_t guest_va(uint32_t w)
{
	return KIMAGE_VA + vmm_guest_header()[w];
}

static uint64_t user_va(uint64_t vdso, uint32_t w)
{
	return vdso + vmm_guest_header()[w];
}

/* The host's view of a guest address in the image. */
static uint64_t *image_word(struct kvm_diff *d, uint64_t va)
{
	return (uint64_t *)(d->image + (va - KIMAGE_VA));
}

static uint64_t *mbox(struct kvm_diff *d, uint32_t off)
{
	return (uint64_t *)(d->image + PG_MBOX * 4096 + off);
}

/* Where the guest stores the value command i read. */
static uint64_t res_va(uint32_t i)
{
	return MBOX_VA + MB_RES + (uint64_t)i * 8;
}

static uint64_t *res_slot(struct kvm_diff *d, uint32_t i)
{
	return mbox(d, MB_RES + i * 8);
}

static uint64_t *ucmd_slot(struct kvm_diff *d, uint32_t i)
{
	return (uint64_t *)(d->image + PG_UCMD * 4096 + i * UCMD_SIZE);
}

/* A word of the model's memory as mmu_walk() reads it (outside RAM: 0). */
static uint64_t read_word(const struct kvm_diff *d, uint64_t paddr)
{
	return paddr + 8 <= d->x.mem_len ? d->x.mem[paddr / 8] : 0;
}

/* The model's prediction of an access: mmu_walk() of the tables as they are (with
 * mutate_paddr, the checker's own test, a read's physical address moved by a page). */
static struct walk predict_walk(struct kvm_diff *d, uint64_t cr3, uint64_t addr, struct access acc)
{
	struct walk w = mmu_walk(&d->x.m->phys, &d->x.m->cpu, cr3, addr, acc, false);

	if (d->mutate_paddr && acc.type == ACCESS_READ && !w.pf && !w.gp)
		w.paddr ^= PAGE_SIZE;
	return w;
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
	/* the model's CPU is this vCPU: its physical-address width and 1 GiB pages, and the
	 * default modes (SMEP, SMAP, NX on) only where it has them */
	d->x.m->cpu.maxphyaddr = d->vmm.feat.maxphyaddr;
	d->x.m->cpu.gbpages = d->vmm.feat.gbpages;
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

/* A mode the vCPU lacks (why: "FEATURE: reason", cpu_lacks()): a skip, never faked. */
static enum kvm_verdict unsupported_vcpu(struct kvm_diff *d, const char *why)
{
	d->report[0] = '\0';
	say(d, "kvm: unsupported on this vCPU (%s); oracle: %s\n", why, vmm_oracle(&d->vmm));
	return KVM_UNSUPPORTED;
}

/* What the KVM backend itself does not do, whatever the vCPU (the page the guest's user
 * code runs from changed by the trace, a fast path's limits). */
static enum kvm_verdict unsupported_backend(struct kvm_diff *d, const char *why)
{
	d->report[0] = '\0';
	say(d, "kvm: unsupported by the KVM backend: %s\n", why);
	return KVM_UNSUPPORTED;
}

/* Append bytes to the batch code being written. */
static void emit(struct kvm_diff *d, const uint8_t *b, uint32_t n)
{
	memcpy(d->image + PG_BATCH * 4096 + d->code_len, b, n);
	d->code_len += n;
}

/* REX.W, an opcode, a 64-bit operand: movabs of an immediate or from/to an address. */
static void emit_imm64(struct kvm_diff *d, uint8_t opcode, uint64_t v)
{
	uint8_t b[10] = {X_REX_W, opcode};

	memcpy(b + 2, &v, 8);
	emit(d, b, sizeof(b));
}

static void emit_jmp(struct kvm_diff *d, uint64_t target)
{
	uint8_t b[5] = {X_JMP_REL32};
	int32_t rel = (int32_t)(int64_t)(target - (BATCH_VA + d->code_len + sizeof(b)));

	memcpy(b + 1, &rel, 4);
	emit(d, b, sizeof(b));
}

/* The guest address the next instruction written will have. */
static uint64_t code_va(const struct kvm_diff *d)
{
	return BATCH_VA + d->code_len;
}

/*
 * Write ring-0 command op as code at the end of the batch (abi.h GOP_*): two or three
 * instructions, recording where the command starts and where its access instruction is.
 */
static void queue(struct kvm_diff *d, uint32_t op, uint64_t addr, uint64_t data, uint64_t x)
{
	static const uint8_t invlpg_rax[] = {0x0f, 0x01, 0x38}, mov_rax_cr3[] = {0x0f, 0x22, 0xd8},
			     wrpkru_eax[] = {0x31, 0xc9, 0x31, 0xd2, 0x0f, 0x01, 0xef},
			     popfq_rax[] = {0x50, 0x9d}, jmp_rdi[] = {0xff, 0xe7};
	uint32_t i = d->queued;
	uint8_t mov_eax[5] = {0xb8};

	if (i >= MB_MAX_CMDS) { /* run_batch() refuses the batch */
		d->queued++;
		return;
	}
	if (i == 0) /* a new batch (whoever set queued to 0) */
		d->code_len = 0;
	d->cmd_rip[i] = code_va(d);
	d->acc_rip[i] = 0;
	d->ops[i] = (uint8_t)op;
	switch (op) {
	case GOP_READ:
		d->acc_rip[i] = code_va(d);
		emit_imm64(d, X_LOAD_MOFFS, addr);
		emit_imm64(d, X_STORE_MOFFS, res_va(i));
		break;
	case GOP_WRITE:
	case GOP_STORE:
		emit_imm64(d, X_MOVABS_RAX, data);
		d->acc_rip[i] = code_va(d);
		emit_imm64(d, X_STORE_MOFFS, addr);
		break;
	case GOP_FETCH:
		emit_imm64(d, X_MOVABS_RSI, i);
		emit_imm64(d, X_MOVABS_RDI, addr);
		emit_imm64(d, X_MOVABS_RAX, NONCANONICAL);
		emit(d, jmp_rdi, sizeof(jmp_rdi));
		break;
	case GOP_USER:
		emit_imm64(d, X_MOVABS_RSI, i);
		emit_imm64(d, X_MOVABS_RDX, data);
		emit_imm64(d, X_MOVABS_RDI, addr);
		emit_imm64(d, X_MOVABS_RAX, x);
		emit_jmp(d, guest_va(HDR_W_USER));
		break;
	case GOP_INVLPG:
		emit_imm64(d, X_MOVABS_RAX, addr);
		emit(d, invlpg_rax, sizeof(invlpg_rax));
		break;
	case GOP_CR3:
		emit_imm64(d, X_MOVABS_RAX, data);
		emit(d, mov_rax_cr3, sizeof(mov_rax_cr3));
		break;
	case GOP_PKRU:
		memcpy(mov_eax + 1, &(uint32_t){(uint32_t)data}, 4);
		emit(d, mov_eax, sizeof(mov_eax));
		emit(d, wrpkru_eax, sizeof(wrpkru_eax));
		break;
	case GOP_RFLAGS:
		emit_imm64(d, X_MOVABS_RAX, data);
		emit(d, popfq_rax, sizeof(popfq_rax));
		break;
	default: /* GOP_END */
		emit_jmp(d, guest_va(HDR_W_END));
		break;
	}
	d->queued++;
	d->cmd_rip[d->queued] = code_va(d);
}

/* RFLAGS.AC in ring 0 as the model's CPU has it, for a kernel access. */
static void sync_ac(struct kvm_diff *d)
{
	bool ac = d->x.m->cpu.rflags_ac;

	if (ac != d->ac_loaded) {
		queue(d, GOP_RFLAGS, 0, RFLAGS_FIXED | (ac ? RFLAGS_AC : 0), 0);
		d->ac_loaded = ac;
	}
}

static bool vector_has_error_code(uint32_t v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

/* The command of the batch run last whose code holds rip, or UINT32_MAX. */
static uint32_t cmd_at(const struct kvm_diff *d, uint64_t rip)
{
	uint32_t lo = 0, hi = d->batch_n;

	if (d->batch_n == 0 || rip < d->cmd_rip[0] || rip >= d->cmd_rip[d->batch_n])
		return UINT32_MAX;
	while (hi - lo > 1) { /* cmd_rip[lo] <= rip < cmd_rip[hi] */
		uint32_t mid = (lo + hi) / 2;

		if (d->cmd_rip[mid] <= rip)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Which command the guest stopped at: in the batch code, the one whose code holds RIP;
 * elsewhere in ring 0 (a fetch's target) or in a user stub, the fetch or entry to ring 3
 * whose index is in rsi; in the user loop, the command rsi points at.
 */
static void locate(struct kvm_diff *d, uint64_t rsi)
{
	struct kvm_exit *e = &d->ex;
	uint64_t base = d->uloop_vdso + 4096;

	e->ctx = e->cs == SEL_KCODE ? KVM_CTX_KERNEL : KVM_CTX_USTUB;
	e->cmd = UINT32_MAX;
	if (e->cs != SEL_KCODE && d->in_uloop) {
		e->ctx = KVM_CTX_ULOOP;
		if (rsi >= base && (rsi - base) % UCMD_SIZE == 0 &&
		    (rsi - base) / UCMD_SIZE < UCMD_MAX)
			e->cmd = (uint32_t)((rsi - base) / UCMD_SIZE);
	} else if (e->ctx == KVM_CTX_KERNEL && cmd_at(d, e->rip) != UINT32_MAX) {
		e->cmd = cmd_at(d, e->rip);
	} else if (rsi < d->batch_n &&
		   d->ops[rsi] == (e->ctx == KVM_CTX_KERNEL ? GOP_FETCH : GOP_USER)) {
		e->cmd = (uint32_t)rsi;
	}
}

/* Whether the exception is the access of its command: a ring-0 read or write at its
 * access instruction, a fetch anywhere (its target), a user access in ring 3. */
static bool at_access(const struct kvm_diff *d)
{
	const struct kvm_exit *e = &d->ex;

	if (e->cmd == UINT32_MAX || e->ctx == KVM_CTX_ULOOP)
		return false;
	switch (d->ops[e->cmd]) {
	case GOP_READ:
	case GOP_WRITE:
		return e->rip == d->acc_rip[e->cmd];
	case GOP_FETCH:
	case GOP_USER:
		return true;
	default:
		return false;
	}
}

/*
 * Run the guest to its next exit and decode it into d->ex: at an exception, the vector
 * (from the port), the frame's error code, RIP, CS and RFLAGS, CR2 for a #PF, RAX, and
 * the command it stopped at. Returns the port, or -1 (why set).
 */
static int guest_run(struct kvm_diff *d, char *why, size_t len)
{
	struct kvm_exit *e = &d->ex;
	struct vmm_regs r;
	const uint64_t *f;
	uint32_t err;
	int port = vmm_run(&d->vmm, why, len);

	d->paused = false;
	memset(e, 0, sizeof(*e));
	e->port = port;
	e->vector = VEC_NONE;
	e->cmd = UINT32_MAX;
	if (port < 0 || port == PORT_BATCH)
		return port;
	if (port < PORT_EXC || port >= PORT_EXC + 32) {
		snprintf(why, len, "the guest wrote to port %#x", port);
		return -1;
	}
	e->vector = (uint32_t)(port - PORT_EXC);
	if (vmm_exit_regs(&d->vmm, &r, e->vector == VEC_PF ? &e->cr2 : NULL, why, len) != 0)
		return -1;
	err = vector_has_error_code(e->vector) ? 1 : 0;
	if (r.rsp < STACK_TOP - 2 * 4096 || r.rsp > STACK_TOP - (5 + err) * 8 || r.rsp % 8) {
		snprintf(why, len, "vector %u with RSP %#" PRIx64 " off the guest's stack",
			 e->vector, r.rsp);
		return -1;
	}
	f = image_word(d, r.rsp);
	e->error = err ? f[0] : 0;
	e->frame = r.rsp + err * 8;
	e->rip = f[err];
	e->cs = f[err + 1];
	e->rflags = f[err + 2];
	e->rax = r.rax;
	locate(d, r.rsi);
	d->paused = true;
	return port;
}

/*
 * The paused guest's stub returns to rip in ring 0: from ring-0 code on the loop's
 * stack; from ring 3 with the loop's RFLAGS (AC as loaded) and stack as well.
 */
static void frame_to_ring0(struct kvm_diff *d, uint64_t rip)
{
	uint64_t *f = image_word(d, d->ex.frame);

	f[0] = rip;
	f[3] = STACK_TOP;
	if (d->ex.ctx != KVM_CTX_KERNEL) {
		f[1] = SEL_KCODE;
		f[2] = RFLAGS_FIXED | (d->ac_loaded ? RFLAGS_AC : 0);
		f[4] = SEL_KDATA;
	}
}

/*
 * End the batch being written with GOP_END and make it the one to run: a paused guest is
 * sent to its start; uloop_vdso: the batch enters the user loop at that [vdso] (0: not).
 * Returns 0, or -1 (why set) when it does not fit.
 */
static int close_batch(struct kvm_diff *d, uint64_t uloop_vdso, char *why, size_t len)
{
	queue(d, GOP_END, 0, 0, 0);
	d->batch_n = d->queued > MB_MAX_CMDS ? 0 : d->queued;
	d->queued = 0;
	d->code_len = 0;
	if (d->batch_n == 0) {
		snprintf(why, len, "more commands than a batch holds");
		return -1;
	}
	if (d->paused)
		frame_to_ring0(d, BATCH_VA);
	d->in_uloop = uloop_vdso != 0;
	d->uloop_vdso = uloop_vdso;
	return 0;
}

/* Run the queued commands (close_batch()): the port the guest stopped at, or -1. */
static int run_batch(struct kvm_diff *d, uint64_t uloop_vdso, char *why, size_t len)
{
	if (close_batch(d, uloop_vdso, why, len) != 0)
		return -1;
	return guest_run(d, why, len);
}

/*
 * A ring-0 exception's return done by the host: RIP, RSP and RFLAGS from the frame (the
 * stub's add and iretq not run: two emulated instructions fewer a fault), where the
 * registers are written without an ioctl; else the stub returns itself.
 */
static void return_from_host(struct kvm_diff *d, uint64_t frame)
{
	const uint64_t *f = image_word(d, frame);

	(void)vmm_return(&d->vmm, f[0], f[3], f[2]);
}

/* Let the paused guest retry the faulting instruction, after invlpg flush if not 0. */
static int resume_retry(struct kvm_diff *d, uint64_t flush, char *why, size_t len)
{
	if (flush != 0) {
		if (d->ex.vector != VEC_PF) {
			snprintf(why, len, "a flush before the retry of vector %u", d->ex.vector);
			return -1;
		}
		*mbox(d, MB_FLUSH) = flush;
		if (vmm_set_rip(&d->vmm, guest_va(HDR_W_FLUSH), why, len) != 0)
			return -1;
	} else if (d->ex.ctx == KVM_CTX_KERNEL) {
		return_from_host(d, d->ex.frame);
	}
	return guest_run(d, why, len);
}

/*
 * Run the user loop over the commands in its page: straight from the stub where the
 * guest waits after the last user batch (same [vdso], nothing queued for ring 0), else
 * through ring 0 (GOP_USER after what is queued).
 */
static int enter_uloop(struct kvm_diff *d, uint64_t vdso, char *why, size_t len)
{
	if (d->paused && d->ex.ctx == KVM_CTX_ULOOP && d->uloop_vdso == vdso && d->queued == 0 &&
	    d->ex.rip == user_va(vdso, HDR_W_UEND)) {
		image_word(d, d->ex.frame)[0] = user_va(vdso, HDR_W_ULOOP);
		return guest_run(d, why, len);
	}
	queue(d, GOP_USER, 0, 0, user_va(vdso, HDR_W_ULOOP));
	return run_batch(d, vdso, why, len);
}

int kvm_diff_quiesce(struct kvm_diff *d, char *why, size_t len)
{
	int port;

	if (!d->paused)
		return 0;
	frame_to_ring0(d, guest_va(HDR_W_END));
	port = guest_run(d, why, len);
	if (port == PORT_BATCH)
		return 0;
	if (port >= 0)
		snprintf(why, len, "vector %u on the way back to the loop", d->ex.vector);
	return -1;
}

int kvm_diff_run_queued(struct kvm_diff *d, char *why, size_t len)
{
	int port;

	if (d->queued == 0)
		return kvm_diff_quiesce(d, why, len);
	port = run_batch(d, 0, why, len);
	if (port == PORT_BATCH)
		return 0;
	if (port >= 0)
		snprintf(why, len, "vector %u in a queued command (%u)", d->ex.vector, d->ex.cmd);
	return -1;
}

void kvm_diff_describe_exit(const struct kvm_diff *d, FILE *out)
{
	static const char *const ctx[] = {"ring 0", "a user stub", "the user loop"};
	static const char *const op[] = {"read", "write", "fetch", "user",   "invlpg",
					 "cr3",	 "store", "pkru",  "rflags", "end"};
	const struct kvm_exit *e = &d->ex;

	if (e->port == PORT_BATCH) {
		fprintf(out, "guest: at the end of a batch\n");
		return;
	}
	if (e->vector == VEC_NONE) {
		fprintf(out, "guest: no exit decoded (port %d)\n", e->port);
		return;
	}
	fprintf(out,
		"guest: vector %u error %#" PRIx64 " cr2 %#" PRIx64 " rip %#" PRIx64 " cs %#" PRIx64
		" rflags %#" PRIx64 " rax %#" PRIx64 " in %s, command %d (%s) of %u\n",
		e->vector, e->error, e->cr2, e->rip, e->cs, e->rflags, e->rax, ctx[e->ctx],
		e->cmd == UINT32_MAX ? -1 : (int)e->cmd,
		e->cmd == UINT32_MAX	    ? "-"
		: e->ctx == KVM_CTX_ULOOP   ? "user loop"
		: d->ops[e->cmd] <= GOP_END ? op[d->ops[e->cmd]]
					    : "?",
		d->batch_n);
}

static uint64_t current_cr3(struct kvm_diff *d)
{
	struct mm_struct *mm = machine_current_mm(d->x.m);

	if (mm != NULL && mm->pgd != 0)
		return (uint64_t)mm->pgd * PAGE_SIZE;
	return (uint64_t)d->x.m->env.kernel_pgd * PAGE_SIZE;
}

/* The first CPU mode of the model that this vCPU lacks, as "FEATURE: why", or NULL. */
static const char *cpu_lacks(const struct kvm_diff *d)
{
	const struct cpu_state *c = &d->x.m->cpu;
	const struct vmm_features *f = &d->vmm.feat;

	if (c->cr4_la57 && !vmm_has_la57(&d->vmm))
		return f->la57 ? "LA57: KVM_SET_SREGS refuses CR4.LA57"
			       : "LA57: not in the vCPU's CPUID";
	if (c->cr4_smep && !f->smep)
		return "SMEP: not in the vCPU's CPUID";
	if (c->cr4_smap && !f->smap)
		return "SMAP: not in the vCPU's CPUID";
	if (c->cr4_pke && !f->pku)
		return "PKU (CR4.PKE): not in the vCPU's CPUID";
	if (c->efer_nxe && !f->nx)
		return "NX (EFER.NXE): not in the vCPU's CPUID";
	if (c->maxphyaddr != f->maxphyaddr)
		return "MAXPHYADDR: not the vCPU's";
	if (c->gbpages && !f->gbpages)
		return "1 GiB pages: not in the vCPU's CPUID";
	if (!c->gbpages && f->gbpages)
		return "no 1 GiB pages: the vCPU has them (a CPU that walks the tables itself "
		       "ignores a CPUID without them)";
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
		return unsupported_vcpu(d, lack);
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
		queue(d, GOP_CR3, 0, cr3, 0);
		d->st.flushes++;
		d->flush_all = false;
	}
	if (c->cr4_pke && (!d->pkru_loaded || d->pkru != c->pkru)) {
		queue(d, GOP_PKRU, 0, c->pkru, 0);
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
		queue(d, GOP_CR3, 0, cr3, 0);
		d->st.flushes++;
	} else {
		for (a = mm->tlb_flush_start; a < mm->tlb_flush_end; a += PAGE_SIZE) {
			queue(d, GOP_INVLPG, a, 0, 0);
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
	say(d,
	    "  cpu: wp=%d smep=%d smap=%d ac=%d pke=%d pkru=%#x nxe=%d la57=%d maxphyaddr=%u "
	    "gbpages=%d\n",
	    c->cr0_wp, c->cr4_smep, c->cr4_smap, c->rflags_ac, c->cr4_pke, c->pkru, c->efer_nxe,
	    c->cr4_la57, c->maxphyaddr, c->gbpages);
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

/* What the guest showed for one access. */
struct observed {
	uint32_t vector; /* VEC_NONE: completed without an exception */
	uint64_t error, cr2, rax, rip, cs;
};

/* An access that completed; rax: the value read (the ring-0 batch stored it, or the user
 * loop checked that it was this). */
static struct observed observed_done(uint64_t rax)
{
	return (struct observed){VEC_NONE, 0, 0, rax, 0, 0};
}

/* The exception the guest stopped at. */
static struct observed observed_exit(const struct kvm_exit *e)
{
	return (struct observed){e->vector, e->error, e->cr2, e->rax, e->rip, e->cs};
}

static void describe_obs(const struct observed *o, char *buf, size_t len)
{
	char ec[64];

	if (o->vector == VEC_NONE) {
		snprintf(buf, len, "no exception, rax %#" PRIx64, o->rax);
	} else if (o->vector == VEC_PF) {
		error_names((uint32_t)o->error, ec, sizeof(ec));
		snprintf(buf, len, "#PF error %s cr2 %#" PRIx64 " rip %#" PRIx64, ec, o->cr2,
			 o->rip);
	} else {
		snprintf(buf, len,
			 "vector %u error %#" PRIx64 " rip %#" PRIx64 " cs %#" PRIx64
			 " rax %#" PRIx64,
			 o->vector, o->error, o->rip, o->cs, o->rax);
	}
}

/* One access performed once (or retried) in the guest. */
struct attempt {
	uint64_t addr;
	struct access acc;
	uint64_t stub; /* a user access by a stub: the stubs' page (0: by the user loop) */
	uint64_t data; /* what a write stores */
};

/* Whether the access completed: in ring 0 without an exception, in the user loop
 * likewise, by a user stub at its ud2. */
static bool completed(const struct attempt *t, const struct observed *o)
{
	uint64_t s = t->stub + vmm_guest_header()[HDR_W_USTUB] + t->acc.type * USTUB_SIZE;

	if (t->acc.user && t->stub != 0)
		return o->vector == VEC_UD && o->rip >= s && o->rip < s + USTUB_SIZE;
	return o->vector == VEC_NONE;
}

/*
 * Compare the outcome o of the access with the prediction w: the exception (vector,
 * error code, CR2), the data, and A/D at every level (must_a set, nothing outside may_a
 * newly set, D as must_d, no other bit changed). Returns true when they agree; else the
 * report says how.
 */
static bool compare(struct kvm_diff *d, const struct attempt *t, const struct walk *w,
		    const struct observed *o)
{
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
		after[i] = read_word(d, w->entry_addr[i]);
	if (w->gp) {
		if (o->vector != VEC_GP)
			bad = "the model says #GP";
	} else if (w->pf) {
		if (o->vector != VEC_PF)
			bad = "the model says #PF";
		else if ((uint32_t)o->error != w->error_code)
			bad = "the error codes differ";
		else if (o->cr2 != t->addr)
			bad = "CR2 is not the address";
	} else if (t->acc.type == ACCESS_FETCH) {
		if (o->vector != VEC_UD || o->rip != t->addr)
			bad = "the fetch should have reached the ud2 placed at the target";
	} else if (!completed(t, o)) {
		bad = "the access should have completed";
	} else if (t->acc.type == ACCESS_READ && o->rax != read_word(d, w->paddr)) {
		bad = "the value read is not the one at the predicted physical address";
	} else if (t->acc.type == ACCESS_WRITE && read_word(d, w->paddr) != t->data) {
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
			describe_obs(o, got, sizeof(got));
			say(d,
			    "  expected: %s (must A %#x, may A %#x, must D %d)\n  observed: %s\n",
			    exp, w->must_a, w->may_a, w->must_d, got);
			return false;
		}
	}
	if (bad != NULL) {
		report_header(d, t->addr, t->acc, w, after);
		describe_walk(w, exp, sizeof(exp));
		describe_obs(o, got, sizeof(got));
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
	uint64_t saved = 0, *code = NULL;
	struct observed o;
	char why[256];
	int port;

	if (t->acc.type == ACCESS_FETCH && !w->pf && !w->gp) {
		/* a ud2 at the target shows that the fetch went through; put back after */
		if (w->paddr % 8 > 6)
			return unsupported_backend(
			    d, "a fetch target whose first two bytes straddle 8");
		code = &d->x.mem[w->paddr / 8];
		saved = *code;
		*code = (saved & ~(0xffffull << (8 * (w->paddr % 8)))) |
			(0x0b0full << (8 * (w->paddr % 8)));
	}
	if (!retry) {
		if (!t->acc.user)
			sync_ac(d);
		d->access_cmd = d->queued;
		if (t->acc.user)
			queue(d, GOP_USER, t->addr, t->data,
			      t->stub + vmm_guest_header()[HDR_W_USTUB] + t->acc.type * USTUB_SIZE);
		else
			queue(d, (uint32_t)t->acc.type, t->addr, t->data, 0);
		port = run_batch(d, 0, why, sizeof(why));
	} else {
		port = resume_retry(d, flush, why, sizeof(why));
	}
	if (code != NULL)
		*code = saved;
	if (port < 0)
		return broken(d, why);
	if (port == PORT_BATCH && t->acc.user)
		return broken(d, "a user access came back without an exception");
	if (port != PORT_BATCH && (d->ex.cmd != d->access_cmd || !at_access(d)))
		return broken(d, "an exception outside the access (in a control command)");
	o = port == PORT_BATCH ? observed_done(*res_slot(d, d->access_cmd)) : observed_exit(&d->ex);
	d->st.accesses++;
	if (w->pf || w->gp)
		d->st.faults++;
	return compare(d, t, w, &o) ? KVM_AGREE : KVM_DIFFER;
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

/* The walk of addr for acc in the current process, faulted in by the model first if it
 * faults (the flush that owes queued). KVM_AGREE, or why not. */
static enum kvm_verdict fault_in(struct kvm_diff *d, struct mm_struct *mm, uint64_t cr3,
				 uint64_t addr, struct access acc, struct walk *w)
{
	struct machine *m = d->x.m;
	struct touch_result st;

	*w = mmu_walk(&m->phys, &m->cpu, cr3, addr, acc, false);
	if (!w->pf)
		return KVM_AGREE;
	st = touch(&m->env, mm, &m->cpu, addr, acc);
	if (!st.done)
		return unsupported_backend(d, "the [vdso] cannot be run or read by user code");
	*w = mmu_walk(&m->phys, &m->cpu, cr3, addr, acc, false);
	return queue_owed_flush(d, cr3);
}

/*
 * The current process's [vdso] made ready for the guest's user code, its address in
 * *vdso: the first page mapped user-executable (faulted in by the model where the process
 * has not run it yet) and still the image's code; with loop (the user loop), the second
 * mapped user-readable onto the image's command page. KVM_AGREE, or why not.
 */
static enum kvm_verdict user_code(struct kvm_diff *d, struct mm_struct *mm, uint64_t cr3, bool loop,
				  uint64_t *vdso)
{
	struct access fetch = {ACCESS_FETCH, true, false}, read = {ACCESS_READ, true, false};
	struct walk w;
	enum kvm_verdict v;

	*vdso = kvm_diff_vdso_start(d, mm);
	if (*vdso == 0)
		return unsupported_backend(d, "the process has no [vdso] to run user code from");
	v = fault_in(d, mm, cr3, *vdso, fetch, &w);
	if (v != KVM_AGREE)
		return v;
	/* the code must be the image's: a [vdso] made writable and written (its COW copy)
	 * holds the trace's data, not the guest's code */
	if (w.pf || w.gp || memcmp(&d->x.mem[w.paddr / 8], d->image + PG_VDSO * 4096, 4096) != 0)
		return unsupported_backend(d, "the trace changed the [vdso] page that the guest's "
					      "user code runs from");
	if (!loop)
		return KVM_AGREE;
	v = fault_in(d, mm, cr3, *vdso + 4096, read, &w);
	if (v != KVM_AGREE)
		return v;
	if (w.pf || w.gp || w.paddr != d->kimage_phys + PG_UCMD * 4096)
		return unsupported_backend(
		    d, "the [vdso]'s second page is not the image's command page");
	return KVM_AGREE;
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
		v = user_code(d, mm, cr3, false, &t.stub);
		if (v != KVM_AGREE)
			return v;
	}
	memset(res, 0, sizeof(*res));
	res->kind = RES_TOUCH;
	for (;;) {
		struct walk w = predict_walk(d, cr3, t.addr, t.acc);
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
/* After an op the model ran alone: a cpu op also reaches the vCPU (or cannot). */
static enum kvm_verdict model_op_done(struct kvm_diff *d, int kind, const struct mm_result *res)
{
	if (kind == OP_EXIT && res->kind != RES_ERROR)
		d->flush_all = true; /* its freed tables may become the current mm's */
	if (kind == OP_CPU && res->kind != RES_ERROR) {
		if (cpu_lacks(d) != NULL)
			return unsupported_vcpu(d, cpu_lacks(d));
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
/* Queue a control command for the caller, running the batch first when it is full
 * (room is kept for the commands prepare() and the access add). */
static void queue_ctl(struct kvm_diff *d, uint32_t op, uint64_t addr, uint64_t data)
{
	if (d->queued + BATCH_ROOM >= MB_MAX_CMDS) {
		char why[256];

		if (!d->started || run_batch(d, 0, why, sizeof(why)) != PORT_BATCH)
			d->store_failed = true;
	}
	queue(d, op, addr, data, 0);
}

void kvm_diff_store(struct kvm_diff *d, uint64_t paddr, uint64_t value)
{
	d->x.mem[paddr / 8] = value;
	queue_ctl(d, GOP_STORE, page_offset_base(&d->x.m->env) + paddr, value);
}

/*
 * Does the walk read a present non-leaf PML5E, PML4E or PDPTE with bit 8 set? The Intel
 * SDM, which mmu_walk() follows, ignores that bit there; AMD CPUs reserve it (a #PF with
 * RSVD; Linux's KVM: __reset_rsvds_bits_mask(), "nonleaf_bit8_rsvd"). The model has no
 * vendor mode yet, so on an AMD vCPU such a walk is not compared.
 */
static bool amd_nonleaf_bit8(const struct cpu_state *cpu, const struct walk *w)
{
	uint32_t pdpte = cpu->cr4_la57 ? 2 : 1, i;

	for (i = 0; i < w->levels && i <= pdpte; i++) {
		uint64_t e = w->entry[i];
		bool leaf = i == pdpte && (e & _PAGE_PSE) != 0;

		/* bit 8: _PAGE_GLOBAL in a leaf */
		if ((e & _PAGE_PRESENT) != 0 && !leaf && (e & _PAGE_GLOBAL) != 0)
			return true;
	}
	return false;
}

enum kvm_verdict kvm_diff_walk(struct kvm_diff *d, uint64_t cr3, uint64_t stub, uint64_t addr,
			       struct access acc, struct walk *predicted)
{
	struct attempt t = {addr, acc, stub, d->token++};
	enum kvm_verdict v = prepare(d, cr3);

	if (v != KVM_AGREE)
		return v;
	if (d->store_failed) {
		d->store_failed = false;
		return broken(d, "a batch of page-table stores failed");
	}
	*predicted = predict_walk(d, cr3, addr, acc);
	if (d->vmm.feat.amd && amd_nonleaf_bit8(&d->x.m->cpu, predicted))
		return unsupported_vcpu(d, "AMD: bit 8 of a non-leaf PML5E/PML4E/PDPTE is reserved "
					   "(the Intel SDM, which the model follows, ignores it)");
	return attempt(d, &t, predicted, false, 0);
}

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
		queue_ctl(d, GOP_CR3, 0, d->vmm.cr3);
	else
		queue_ctl(d, GOP_INVLPG, addr, 0);
	d->st.flushes++;
}

/*
 * Batched touches (kvm_diff_touches()): all accesses go to the guest at once, kernel ones
 * to ring 0 as batch code, user ones to the user loop; it exits only at a fault (and once at
 * the end). At each exit the accesses that completed since the last one are compared
 * with their predictions, the fault with its own; the model's handler runs; then every
 * prediction still to be used whose walk read an entry that has changed since (the
 * handler's writes, A/D bits the guest set) is made afresh, so that each access is
 * compared with the walk of the tables it met. A user read's prediction also gives the
 * user loop the value the read must return.
 */
struct pending {
	struct attempt t;
	struct walk w;
	uint32_t steps;
};

/* Whether w still is the walk of the tables as they are: a walk depends on the CPU state
 * and on the entries it read alone, so it holds while each of them does. */
static bool walk_holds(const struct kvm_diff *d, const struct walk *w)
{
	uint32_t i;

	for (i = 0; i < w->levels; i++)
		if (read_word(d, w->entry_addr[i]) != w->entry[i])
			return false;
	return true;
}

/* (Re)make the prediction of access j where it no longer holds (or, with fresh, at
 * all); for the user loop (user), the value its read must return. */
static void predict(struct kvm_diff *d, struct pending *p, uint32_t j, uint64_t cr3, bool user,
		    bool fresh)
{
	struct pending *q = &p[j];

	if (!fresh && walk_holds(d, &q->w))
		return;
	q->w = predict_walk(d, cr3, q->t.addr, q->t.acc);
	if (user && q->t.acc.type == ACCESS_READ)
		ucmd_slot(d, j)[UCMD_DATA / 8] = q->w.pf || q->w.gp ? 0 : read_word(d, q->w.paddr);
}

/* Compare accesses [from, to) of the batch, which completed. */
static enum kvm_verdict verify_done(struct kvm_diff *d, const struct pending *p, uint32_t base,
				    bool user, uint32_t from, uint32_t to)
{
	uint32_t j;

	for (j = from; j < to; j++) {
		const struct pending *q = &p[j];
		struct observed o =
		    observed_done(user ? ucmd_slot(d, j)[UCMD_DATA / 8] : *res_slot(d, base + j));

		d->st.accesses++;
		if (!compare(d, &q->t, &q->w, &o))
			return KVM_DIFFER;
	}
	return KVM_AGREE;
}

/* Whether the addresses lie on distinct pages and are 8-aligned (so that no access of
 * the batch reads or writes what another one wrote). */
static bool distinct_pages(const uint64_t *addrs, uint32_t n)
{
	uint32_t i, j;

	for (i = 0; i < n; i++) {
		if (addrs[i] % 8 != 0)
			return false;
		for (j = 0; j < i; j++)
			if ((addrs[i] ^ addrs[j]) < PAGE_SIZE)
				return false;
	}
	return true;
}

/* Write the batch: the commands of the user loop, or the ring-0 batch's after what is
 * queued (their first in *base); predict every access. */
static void write_batch(struct kvm_diff *d, struct pending *p, const uint64_t *addrs, uint32_t n,
			struct access acc, uint64_t cr3, uint32_t *base)
{
	uint32_t i;

	if (!acc.user)
		sync_ac(d);
	*base = d->queued;
	for (i = 0; i < n; i++) {
		p[i].t = (struct attempt){addrs[i], acc, 0, d->token++};
		if (acc.user) {
			uint64_t *c = ucmd_slot(d, i);

			c[UCMD_OP / 8] = acc.type == ACCESS_WRITE ? UOP_WRITE : UOP_READ;
			c[UCMD_ADDR / 8] = addrs[i];
			c[UCMD_DATA / 8] = p[i].t.data;
		} else {
			queue(d, (uint32_t)acc.type, addrs[i], p[i].t.data, 0);
		}
		predict(d, p, i, cr3, acc.user, true);
	}
	if (acc.user)
		ucmd_slot(d, n)[UCMD_OP / 8] = UOP_END;
}

/*
 * Which access of the batch the guest stopped at, in *i, and what the stop is: 0 a fault
 * in an access, 1 the user loop's end, 2 the user loop's mismatch, -1 anything else.
 */
static int batch_stop(const struct kvm_diff *d, uint32_t base, uint32_t n, bool user, uint32_t *i)
{
	const struct kvm_exit *e = &d->ex;

	if (!user) {
		*i = e->cmd - base;
		return e->ctx == KVM_CTX_KERNEL && e->cmd >= base && e->cmd < base + n &&
			       at_access(d)
			   ? 0
			   : -1;
	}
	*i = e->cmd;
	if (e->ctx != KVM_CTX_ULOOP || e->cmd > n)
		return -1;
	if (e->vector == VEC_UD && e->rip == user_va(d->uloop_vdso, HDR_W_UEND))
		return e->cmd == n ? 1 : -1;
	if (e->cmd == n)
		return -1;
	if (e->vector == VEC_UD && e->rip == user_va(d->uloop_vdso, HDR_W_UMISMATCH))
		return 2;
	return e->rip == user_va(d->uloop_vdso, HDR_W_UACCESS) ||
		       e->rip == user_va(d->uloop_vdso, HDR_W_UACCESS_W)
		   ? 0
		   : -1;
}

/* At a fault of access i: compare it, run the model's handler, re-predict what it
 * changed. The fast path's limits: the handler must end in a retry without a flush. */
static enum kvm_verdict batch_fault(struct kvm_diff *d, struct pending *p, uint32_t i, uint32_t n,
				    uint64_t cr3, bool user)
{
	struct machine *m = d->x.m;
	struct pending *f = &p[i];
	struct observed o = observed_exit(&d->ex);
	struct mm_struct *mm = machine_current_mm(m);
	struct fault_step s;
	uint32_t j;

	d->st.accesses++;
	d->st.faults++;
	if (!compare(d, &f->t, &f->w, &o))
		return KVM_DIFFER;
	s = exc_page_fault(&m->env, mm, &m->cpu, f->t.addr, f->w.error_code, f->t.acc);
	if (fault_step_final(&s) || ++f->steps >= MAX_FAULT_STEPS ||
	    mm->tlb_flush_start < mm->tlb_flush_end)
		return unsupported_backend(d,
					   "kvm_diff_touches: a fault that does not end in a retry "
					   "without flush (use touches one by one)");
	for (j = i; j < n; j++)
		predict(d, p, j, cr3, user, false);
	return KVM_AGREE;
}

enum kvm_verdict kvm_diff_touches(struct kvm_diff *d, const uint64_t *addrs, uint32_t n,
				  struct access acc)
{
	struct mm_struct *mm = machine_current_mm(d->x.m);
	struct pending *p;
	enum kvm_verdict v;
	uint64_t cr3, vdso = 0;
	uint32_t base, done = 0, i;
	char why[256];
	int port, stop;

	if (mm == NULL || acc.implicit || acc.type == ACCESS_FETCH || n == 0 || n > TOUCHES_MAX ||
	    !distinct_pages(addrs, n))
		return unsupported_backend(
		    d, "kvm_diff_touches: reads or writes of a process, 1..86 of "
		       "them, 8-aligned, on distinct pages");
	cr3 = current_cr3(d);
	v = prepare(d, cr3);
	if (v == KVM_AGREE)
		v = queue_owed_flush(d, cr3);
	if (v == KVM_AGREE && acc.user)
		v = user_code(d, mm, cr3, true, &vdso);
	if (v != KVM_AGREE)
		return v;
	p = calloc(n, sizeof(*p));
	if (p == NULL)
		return broken(d, "no memory");
	write_batch(d, p, addrs, n, acc, cr3, &base);
	port =
	    acc.user ? enter_uloop(d, vdso, why, sizeof(why)) : run_batch(d, 0, why, sizeof(why));
	for (;;) {
		if (port < 0 || (port == PORT_BATCH && acc.user)) {
			v = broken(d, port < 0 ? why : "the user loop came back to ring 0");
			break;
		}
		if (port == PORT_BATCH) {
			v = verify_done(d, p, base, false, done, n);
			break;
		}
		stop = batch_stop(d, base, n, acc.user, &i);
		if (stop < 0) {
			v = broken(d, "an exception outside the batch's accesses");
			break;
		}
		v = verify_done(d, p, base, acc.user, done, stop == 1 ? n : i);
		if (v != KVM_AGREE || stop == 1)
			break;
		if (stop == 2) { /* the loop read another value: compare() must say so */
			struct observed o = observed_done(d->ex.rax);

			d->st.accesses++;
			v = compare(d, &p[i].t, &p[i].w, &o)
				? broken(d, "the user loop saw a mismatch that compare() does not")
				: KVM_DIFFER;
			break;
		}
		v = batch_fault(d, p, i, n, cr3, acc.user);
		if (v != KVM_AGREE)
			break;
		done = i;
		port = resume_retry(d, 0, why, sizeof(why));
	}
	free(p);
	return v;
}

int kvm_diff_floor(struct kvm_diff *d, const uint64_t *addrs, uint32_t n)
{
	struct machine *m = d->x.m;
	struct access acc = {ACCESS_READ, false, false};
	uint64_t cr3 = current_cr3(d), zero = (uint64_t)m->env.zero_pfn * PAGE_SIZE;
	bool sync_sregs = d->vmm.sync_sregs;
	uint32_t i, base;
	char why[256];
	int port;

	if (n == 0 || n > TOUCHES_MAX || prepare(d, cr3) != KVM_AGREE)
		return -1;
	if (d->paused && kvm_diff_quiesce(d, why, sizeof(why)) != 0)
		return -1;
	base = d->queued;
	for (i = 0; i < n; i++)
		queue(d, GOP_READ, addrs[i], 0, 0);
	if (close_batch(d, 0, why, sizeof(why)) != 0)
		return -1;
	d->vmm.sync_sregs = false; /* the floor needs no CR2 */
	port = vmm_run(&d->vmm, why, sizeof(why));
	while (port == PORT_EXC + (int)VEC_PF) {
		struct vmm_regs r;
		struct walk w;

		if (vmm_exit_regs(&d->vmm, &r, NULL, why, sizeof(why)) != 0)
			break;
		i = cmd_at(d, image_word(d, r.rsp + 8)[0]) - base;
		w = mmu_walk(&m->phys, &m->cpu, cr3, i < n ? addrs[i] : 0, acc, false);
		if (!w.pf || w.levels == 0 || (w.entry[w.levels - 1] & _PAGE_PRESENT) != 0)
			break; /* only a missing leaf is fixed here */
		d->x.mem[w.entry_addr[w.levels - 1] / 8] =
		    zero | _PAGE_PRESENT | _PAGE_USER | _PAGE_SPECIAL | _PAGE_NX;
		return_from_host(d, r.rsp + 8);
		port = vmm_run(&d->vmm, why, sizeof(why));
	}
	d->vmm.sync_sregs = sync_sregs;
	return port == PORT_BATCH ? 0 : -1;
}
