/* SPDX-License-Identifier: MIT */
/*
 * vmm.c - the KVM virtual machine monitor. See vmm.h.
 */
#define _GNU_SOURCE
#include "vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "abi.h"

/* The guest image, built from kvm/guest/guest.S (guest_blob.S includes it). */
extern const unsigned char mmref_guest_bin[];
extern const unsigned char mmref_guest_bin_end[];

#define X86_CR0_PE	(1ull << 0)
#define X86_CR0_MP	(1ull << 1)
#define X86_CR0_ET	(1ull << 4)
#define X86_CR0_NE	(1ull << 5)
#define X86_CR0_WP	(1ull << 16)
#define X86_CR0_AM	(1ull << 18)
#define X86_CR0_PG	(1ull << 31)
#define X86_CR4_PAE	(1ull << 5)
#define X86_CR4_LA57	(1ull << 12)
#define X86_CR4_OSXSAVE (1ull << 18)
#define X86_CR4_SMEP	(1ull << 20)
#define X86_CR4_SMAP	(1ull << 21)
#define X86_CR4_PKE	(1ull << 22)
#define EFER_SCE	(1ull << 0)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)
#define EFER_NXE	(1ull << 11)

/* Watchdog: a periodic SIGALRM interrupts KVM_RUN; WATCHDOG_HANG_TICKS ticks in one
 * vmm_run() (2 s: a busy host can hold the vCPU thread off for a while) = a hang. */
#define WATCHDOG_NS	    250000000L
#define WATCHDOG_HANG_TICKS 8
static volatile sig_atomic_t watchdog_ticks;

static void on_watchdog(int sig)
{
	(void)sig;
	watchdog_ticks++;
}

static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

static bool read_param(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (f == NULL)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

static bool param_on(const char *v)
{
	return strcmp(v, "Y") == 0 || strcmp(v, "1") == 0 || strcmp(v, "y") == 0;
}

/* Name the code that walks the guest's page tables: the loaded module and its knobs. */
static void detect_oracle(struct vmm *v)
{
	char p[32];

	v->shadow = true;
	if (access("/sys/module/kvm_pvm", F_OK) == 0) {
		snprintf(v->oracle, sizeof(v->oracle), "PVM shadow MMU (kvm_pvm%s)",
			 read_param("/sys/module/kvm/parameters/tdp_mmu", p, sizeof(p))
			     ? (param_on(p) ? ", tdp_mmu=Y" : ", tdp_mmu=N")
			     : "");
	} else if (access("/sys/module/kvm_intel", F_OK) == 0) {
		if (read_param("/sys/module/kvm_intel/parameters/ept", p, sizeof(p)) &&
		    param_on(p)) {
			snprintf(v->oracle, sizeof(v->oracle), "VMX+EPT (kvm_intel)");
			v->shadow = false;
		} else {
			snprintf(v->oracle, sizeof(v->oracle), "shadow paging (kvm_intel, ept=0)");
		}
	} else if (access("/sys/module/kvm_amd", F_OK) == 0) {
		if (read_param("/sys/module/kvm_amd/parameters/npt", p, sizeof(p)) && param_on(p)) {
			snprintf(v->oracle, sizeof(v->oracle), "SVM+NPT (kvm_amd)");
			v->shadow = false;
		} else
			snprintf(v->oracle, sizeof(v->oracle), "shadow paging (kvm_amd, npt=0)");
	} else {
		snprintf(v->oracle, sizeof(v->oracle), "unknown KVM module");
	}
}

const char *vmm_oracle(const struct vmm *v)
{
	return v->oracle;
}

/* Give the vCPU what KVM supports, and read the features the model needs from it. */
static int setup_cpuid(struct vmm *v, char *why, size_t len)
{
	enum { MAX_ENT = 256 };
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + MAX_ENT * sizeof(struct kvm_cpuid_entry2));
	uint32_t i;
	int r;

	if (c == NULL)
		return fail(why, len, "no memory for CPUID");
	c->nent = MAX_ENT;
	if (ioctl(v->kvm, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		free(c);
		return fail(why, len, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	}
	for (i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 0) {
			/* "Auth" (AuthenticAMD) or "Hygo" (HygonGenuine) in EBX */
			v->feat.amd = e->ebx == 0x68747541u || e->ebx == 0x6f677948u;
		} else if (e->function == 7 && e->index == 0) {
			v->feat.smep = (e->ebx >> 7) & 1;
			v->feat.smap = (e->ebx >> 20) & 1;
			v->feat.pku = (e->ecx >> 3) & 1;
			v->feat.la57 = (e->ecx >> 16) & 1;
		} else if (e->function == 0x80000001) {
			v->feat.nx = (e->edx >> 20) & 1;
			v->feat.gbpages = (e->edx >> 26) & 1;
		} else if (e->function == 0x80000008) {
			v->feat.maxphyaddr = e->eax & 0xff;
		}
	}
	if (v->feat.maxphyaddr == 0)
		v->feat.maxphyaddr = 36; /* no leaf 0x80000008: the architectural default */
	r = ioctl(v->vcpu, KVM_SET_CPUID2, c);
	free(c);
	if (r < 0)
		return fail(why, len, "KVM_SET_CPUID2: %s", strerror(errno));
	return 0;
}

static int check_cap(struct vmm *v, long cap, const char *name, char *why, size_t len)
{
	if (ioctl(v->kvm, KVM_CHECK_EXTENSION, cap) <= 0)
		return fail(why, len, "KVM lacks %s", name);
	return 0;
}

static int start_watchdog(char *why, size_t len)
{
	static bool started;
	struct sigaction sa;
	struct sigevent sev;
	struct itimerspec its;
	timer_t t;

	if (started)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_watchdog; /* no SA_RESTART: KVM_RUN returns EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		return fail(why, len, "sigaction: %s", strerror(errno));
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGALRM;
	if (timer_create(CLOCK_MONOTONIC, &sev, &t) < 0)
		return fail(why, len, "timer_create: %s", strerror(errno));
	its.it_interval.tv_sec = 0;
	its.it_interval.tv_nsec = WATCHDOG_NS;
	its.it_value = its.it_interval;
	if (timer_settime(t, 0, &its, NULL) < 0)
		return fail(why, len, "timer_settime: %s", strerror(errno));
	started = true;
	return 0;
}

static int set_slot(struct vmm *v, uint64_t size, char *why, size_t len)
{
	struct kvm_userspace_memory_region slot;

	memset(&slot, 0, sizeof(slot));
	slot.slot = 0;
	slot.guest_phys_addr = 0;
	slot.memory_size = size;
	slot.userspace_addr = (uint64_t)(uintptr_t)v->mem;
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return fail(why, len, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	return 0;
}

int vmm_resync(struct vmm *v, char *why, size_t len)
{
	if (!v->shadow)
		return 0;
	v->resyncs++;
	if (set_slot(v, 0, why, len) < 0 || set_slot(v, v->mem_size, why, len) < 0)
		return -1;
	return 0;
}

static void probe_la57(struct vmm *v);

int vmm_open(struct vmm *v, void *mem, uint64_t size, char *why, size_t len)
{
	int r;

	memset(v, 0, sizeof(*v));
	v->kvm = v->vm = v->vcpu = -1;
	v->mem = mem;
	v->mem_size = size;
	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->kvm < 0)
		return fail(why, len, "/dev/kvm: %s", strerror(errno));
	r = ioctl(v->kvm, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION) {
		fail(why, len, "KVM API version %d, not %d", r, KVM_API_VERSION);
		goto out;
	}
	if (check_cap(v, KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", why, len) < 0 ||
	    check_cap(v, KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", why, len) < 0 ||
	    check_cap(v, KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT", why, len) < 0)
		goto out;
	detect_oracle(v);
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	if (v->vm < 0) {
		fail(why, len, "KVM_CREATE_VM: %s", strerror(errno));
		goto out;
	}
	if (set_slot(v, size, why, len) < 0)
		goto out;
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0) {
		fail(why, len, "KVM_CREATE_VCPU: %s", strerror(errno));
		goto out;
	}
	r = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0) {
		fail(why, len, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		goto out;
	}
	v->run_size = (size_t)r;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		fail(why, len, "mmap of the vCPU: %s", strerror(errno));
		goto out;
	}
	if (setup_cpuid(v, why, len) < 0 || start_watchdog(why, len) < 0)
		goto out;
	probe_la57(v);
	r = ioctl(v->kvm, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
	v->sync_regs = r > 0 &&
		       (r & (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) ==
			   (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS) &&
		       getenv("MMREF_KVM_NO_SYNC_REGS") == NULL;
	v->sync_sregs = v->sync_regs;
	return 0;
out:
	vmm_close(v);
	return -1;
}

void vmm_close(struct vmm *v)
{
	if (v->run != NULL)
		munmap(v->run, v->run_size);
	if (v->vcpu >= 0)
		close(v->vcpu);
	if (v->vm >= 0)
		close(v->vm);
	if (v->kvm >= 0)
		close(v->kvm);
	v->run = NULL;
	v->vcpu = v->vm = v->kvm = -1;
}

/* A code or data segment descriptor for the GDT, and the matching kvm_segment. */
static uint64_t gdt_entry(uint32_t access, uint32_t flags)
{
	/* base 0, limit 0xfffff; access byte at bits 47:40, flags (G, D/B, L) at 55:52 */
	return 0xffffull | (0xfull << 48) | ((uint64_t)access << 40) | ((uint64_t)flags << 52);
}

static struct kvm_segment segment(uint16_t sel, uint8_t type, bool code64, uint8_t dpl)
{
	struct kvm_segment s;

	memset(&s, 0, sizeof(s));
	s.base = 0;
	s.limit = 0xffffffff;
	s.selector = sel;
	s.type = type;
	s.present = 1;
	s.dpl = dpl;
	s.db = code64 ? 0 : 1;
	s.s = 1;
	s.l = code64 ? 1 : 0;
	s.g = 1;
	return s;
}

/*
 * The guest's 64-bit state in sr: Linux's selectors, the TSS, GDT and IDT in the image,
 * paging on with 4 levels, CR3 0 (vmm_set_cpu() sets it before the first run).
 */
static void long_mode_sregs(struct kvm_sregs *sr)
{
	const uint64_t tss_va = KIMAGE_VA + PG_GDT * 4096 + GDT_TSS_OFF;

	sr->cs = segment(SEL_KCODE, 0xb, true, 0);
	sr->ds = sr->es = sr->ss = segment(SEL_KDATA, 0x3, false, 0);
	sr->fs = sr->gs = sr->ds;
	memset(&sr->tr, 0, sizeof(sr->tr));
	sr->tr.base = tss_va;
	sr->tr.limit = 0x67;
	sr->tr.selector = SEL_TSS;
	sr->tr.type = 0xb;
	sr->tr.present = 1;
	memset(&sr->ldt, 0, sizeof(sr->ldt));
	sr->ldt.unusable = 1;
	sr->gdt.base = KIMAGE_VA + PG_GDT * 4096;
	sr->gdt.limit = SEL_TSS + 15;
	sr->idt.base = KIMAGE_VA + PG_IDT * 4096;
	sr->idt.limit = 32 * 16 - 1;
	sr->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	sr->cr4 = X86_CR4_PAE;
	sr->efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	sr->cr3 = 0;
}

/*
 * Can the vCPU enter 5-level paging? CPUID may offer LA57 while KVM refuses CR4.LA57 in
 * KVM_SET_SREGS (PVM keeps the guest in the host's 4-level mode: EINVAL, in long mode
 * and with paging off alike). Tried once, here: the 64-bit state without LA57 first (it
 * must be taken, or the probe tells nothing), then with it; the vCPU is left in the
 * first, which vmm_load_guest() replaces. Nothing runs: in long mode KVM_SET_SREGS reads
 * no page table, so CR3 0 does. Sets feat.la57_loads, and la57_why when it is false.
 */
static void probe_la57(struct vmm *v)
{
	struct kvm_sregs sr;

	v->feat.la57_loads = false;
	if (!v->feat.la57) {
		snprintf(v->la57_why, sizeof(v->la57_why), "the vCPU's CPUID has no LA57");
		return;
	}
	if (ioctl(v->vcpu, KVM_GET_SREGS, &sr) < 0) {
		snprintf(v->la57_why, sizeof(v->la57_why), "KVM_GET_SREGS: %s", strerror(errno));
		return;
	}
	long_mode_sregs(&sr);
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sr) < 0) {
		snprintf(v->la57_why, sizeof(v->la57_why),
			 "KVM_SET_SREGS refuses the 4-level state the probe starts from: %s",
			 strerror(errno));
		return;
	}
	sr.cr4 |= X86_CR4_LA57;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sr) < 0) {
		snprintf(v->la57_why, sizeof(v->la57_why), "KVM_SET_SREGS refuses CR4.LA57 (%s)",
			 strerror(errno));
		return;
	}
	v->feat.la57_loads = true;
	v->la57_why[0] = '\0';
	sr.cr4 &= ~X86_CR4_LA57;
	(void)ioctl(v->vcpu, KVM_SET_SREGS, &sr);
}

bool vmm_has_la57(const struct vmm *v)
{
	return v->feat.la57 && v->feat.la57_loads;
}

int vmm_load_guest(struct vmm *v, uint64_t image_phys, char *why, size_t len)
{
	size_t blob = (size_t)(mmref_guest_bin_end - mmref_guest_bin);
	uint8_t *img = v->mem + image_phys;
	const uint64_t *hdr = (const uint64_t *)mmref_guest_bin;
	uint64_t *gdt, *idt, tss_va = KIMAGE_VA + PG_GDT * 4096 + GDT_TSS_OFF;
	uint8_t *tss;
	struct kvm_sregs sr;
	struct kvm_regs regs;
	uint32_t i;

	if (image_phys + (uint64_t)KIMAGE_PAGES * 4096 > v->mem_size)
		return fail(why, len, "the kernel image does not fit in guest RAM");
	if (blob > (size_t)(PG_VDSO + 1) * 4096 || blob < HDR_WORDS * 8 ||
	    hdr[HDR_W_MAGIC] != HDR_MAGIC)
		return fail(why, len, "the built-in guest image is malformed");
	memset(img, 0, (size_t)KIMAGE_PAGES * 4096);
	memcpy(img, mmref_guest_bin, blob);

	/* GDT: Linux's selectors; the TSS descriptor takes two slots. */
	gdt = (uint64_t *)(img + PG_GDT * 4096);
	gdt[SEL_KCODE / 8] = gdt_entry(0x9b, 0xa); /* P, DPL 0, code exec/read/accessed; G, L */
	gdt[SEL_KDATA / 8] = gdt_entry(0x93, 0xc); /* P, DPL 0, data rw/accessed; G, D/B */
	gdt[SEL_UDATA / 8] = gdt_entry(0xf3, 0xc); /* DPL 3 */
	gdt[SEL_UCODE / 8] = gdt_entry(0xfb, 0xa);
	gdt[SEL_TSS / 8] = 0x67ull | ((tss_va & 0xffffffull) << 16) | (0x8bull << 40) |
			   (((tss_va >> 24) & 0xffull) << 56); /* busy 64-bit TSS */
	gdt[SEL_TSS / 8 + 1] = tss_va >> 32;
	/* TSS: RSP0 for entries from ring 3; no I/O bitmap */
	tss = img + PG_GDT * 4096 + GDT_TSS_OFF;
	{
		uint64_t rsp0 = STACK_TOP;
		uint16_t iomap = 0x68;

		memcpy(tss + 4, &rsp0, 8);
		memcpy(tss + 102, &iomap, 2);
	}
	/* IDT: vectors 0..31 to their stubs, interrupt gates, DPL 0 */
	idt = (uint64_t *)(img + PG_IDT * 4096);
	for (i = 0; i < 32; i++) {
		uint64_t h = KIMAGE_VA + hdr[HDR_W_VECTORS] + i * VEC_STUB_SIZE;

		idt[2 * i] = (h & 0xffff) | ((uint64_t)SEL_KCODE << 16) | (0x8eull << 40) |
			     ((h >> 16) & 0xffff) << 48;
		idt[2 * i + 1] = h >> 32;
	}
	if (ioctl(v->vcpu, KVM_GET_SREGS, &sr) < 0)
		return fail(why, len, "KVM_GET_SREGS: %s", strerror(errno));
	long_mode_sregs(&sr);
	v->cr0 = sr.cr0;
	v->cr4 = sr.cr4;
	v->efer = sr.efer;
	v->cr3 = 0;
	v->sregs_valid = false;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sr) < 0)
		return fail(why, len, "KVM_SET_SREGS: %s", strerror(errno));
	memset(&regs, 0, sizeof(regs));
	regs.rip = KIMAGE_VA + hdr[HDR_W_ENTRY];
	regs.rsp = STACK_TOP;
	regs.rflags = 0x2;
	if (ioctl(v->vcpu, KVM_SET_REGS, &regs) < 0)
		return fail(why, len, "KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

int vmm_set_cpu(struct vmm *v, const struct vmm_cpu *c, char *why, size_t len)
{
	struct kvm_sregs sr;
	uint64_t cr0 = (v->cr0 & ~X86_CR0_WP) | (c->wp ? X86_CR0_WP : 0);
	uint64_t cr4 = (v->cr4 & ~(X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PKE | X86_CR4_LA57)) |
		       (c->smep ? X86_CR4_SMEP : 0) | (c->smap ? X86_CR4_SMAP : 0) |
		       (c->pke ? X86_CR4_PKE : 0) | (c->la57 ? X86_CR4_LA57 : 0);
	uint64_t efer = (v->efer & ~EFER_NXE) | (c->nxe ? EFER_NXE : 0);

	if ((c->smep && !v->feat.smep) || (c->smap && !v->feat.smap) || (c->pke && !v->feat.pku) ||
	    (c->la57 && !vmm_has_la57(v)) || (c->nxe && !v->feat.nx))
		return fail(why, len, "the vCPU lacks %s",
			    c->smep && !v->feat.smep	  ? "SMEP"
			    : c->smap && !v->feat.smap	  ? "SMAP"
			    : c->pke && !v->feat.pku	  ? "PKU"
			    : c->la57 && !vmm_has_la57(v) ? "LA57 (5-level paging)"
							  : "NX");
	if (v->sregs_valid && cr0 == v->cr0 && cr4 == v->cr4 && efer == v->efer && c->cr3 == v->cr3)
		return 0;
	if (ioctl(v->vcpu, KVM_GET_SREGS, &sr) < 0)
		return fail(why, len, "KVM_GET_SREGS: %s", strerror(errno));
	sr.cr0 = cr0;
	sr.cr4 = cr4;
	sr.efer = efer;
	sr.cr3 = c->cr3;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sr) < 0)
		return fail(why, len, "KVM_SET_SREGS (cr0 %#llx cr4 %#llx efer %#llx): %s",
			    (unsigned long long)cr0, (unsigned long long)cr4,
			    (unsigned long long)efer, strerror(errno));
	v->cr0 = cr0;
	v->cr4 = cr4;
	v->efer = efer;
	v->cr3 = c->cr3;
	v->sregs_valid = true;
	return 0;
}

const uint64_t *vmm_guest_header(void)
{
	return (const uint64_t *)mmref_guest_bin;
}

int vmm_exit_regs(struct vmm *v, struct vmm_regs *r, uint64_t *cr2, char *why, size_t len)
{
	const struct kvm_regs *k;
	struct kvm_regs buf;

	if (v->sync_regs) {
		k = &v->run->s.regs.regs;
	} else {
		if (ioctl(v->vcpu, KVM_GET_REGS, &buf) < 0)
			return fail(why, len, "KVM_GET_REGS: %s", strerror(errno));
		k = &buf;
	}
	*r = (struct vmm_regs){k->rax, k->rbx, k->rcx, k->rdx, k->rsi,
			       k->rdi, k->rsp, k->rbp, k->rip, k->rflags};
	if (cr2 == NULL)
		return 0;
	if (v->sync_regs && v->sync_sregs) {
		*cr2 = v->run->s.regs.sregs.cr2;
	} else {
		struct kvm_sregs sr;

		if (ioctl(v->vcpu, KVM_GET_SREGS, &sr) < 0)
			return fail(why, len, "KVM_GET_SREGS: %s", strerror(errno));
		*cr2 = sr.cr2;
	}
	return 0;
}

bool vmm_return(struct vmm *v, uint64_t rip, uint64_t rsp, uint64_t rflags)
{
	if (!v->sync_regs)
		return false;
	v->run->s.regs.regs.rip = rip;
	v->run->s.regs.regs.rsp = rsp;
	v->run->s.regs.regs.rflags = rflags;
	v->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	return true;
}

int vmm_set_rip(struct vmm *v, uint64_t rip, char *why, size_t len)
{
	struct kvm_regs regs;

	if (v->sync_regs) {
		v->run->s.regs.regs.rip = rip;
		v->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
		return 0;
	}
	if (ioctl(v->vcpu, KVM_GET_REGS, &regs) < 0)
		return fail(why, len, "KVM_GET_REGS: %s", strerror(errno));
	regs.rip = rip;
	if (ioctl(v->vcpu, KVM_SET_REGS, &regs) < 0)
		return fail(why, len, "KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int run_vcpu(struct vmm *v, char *why, size_t len);

int vmm_run(struct vmm *v, char *why, size_t len)
{
	uint64_t t0 = now_ns();
	int port = run_vcpu(v, why, len);

	v->run_ns += now_ns() - t0;
	return port;
}

static int run_vcpu(struct vmm *v, char *why, size_t len)
{
	watchdog_ticks = 0;
	if (v->sync_regs)
		v->run->kvm_valid_regs =
		    KVM_SYNC_X86_REGS | (v->sync_sregs ? KVM_SYNC_X86_SREGS : 0);
	for (;;) {
		int r = ioctl(v->vcpu, KVM_RUN, 0);

		v->exits++;
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				if (watchdog_ticks >= WATCHDOG_HANG_TICKS)
					return fail(why, len,
						    "the guest hangs (no exit for %ld ms)",
						    WATCHDOG_HANG_TICKS * WATCHDOG_NS / 1000000);
				continue;
			}
			return fail(why, len, "KVM_RUN: %s", strerror(errno));
		}
		switch (v->run->exit_reason) {
		case KVM_EXIT_IO:
			if (v->run->io.direction == KVM_EXIT_IO_OUT)
				return v->run->io.port;
			return fail(why, len, "the guest read port %#x", v->run->io.port);
		case KVM_EXIT_INTR:
			if (watchdog_ticks >= WATCHDOG_HANG_TICKS)
				return fail(why, len, "the guest hangs");
			continue;
		case KVM_EXIT_SHUTDOWN:
			return fail(why, len, "the guest shut down (triple fault)");
		case KVM_EXIT_HLT:
			return fail(why, len, "the guest halted");
		case KVM_EXIT_FAIL_ENTRY:
			return fail(
			    why, len, "VM entry failed (reason %#llx)",
			    (unsigned long long)v->run->fail_entry.hardware_entry_failure_reason);
		case KVM_EXIT_INTERNAL_ERROR: {
			struct kvm_regs regs;
			unsigned long long rip = 0;

			if (ioctl(v->vcpu, KVM_GET_REGS, &regs) == 0)
				rip = regs.rip;
			return fail(why, len, "KVM internal error (suberror %u%s) at rip %#llx",
				    v->run->internal.suberror,
				    v->run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
					? ": an instruction the emulator cannot run"
					: "",
				    rip);
		}
		default:
			return fail(why, len, "unexpected KVM exit %u", v->run->exit_reason);
		}
	}
}
