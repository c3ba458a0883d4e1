/* SPDX-License-Identifier: MIT */
/*
 * machine.c - one entry point over the whole model. See machine.h.
 */
#include "machine.h"

/* The linear map the allocators' own addresses cover (phys_to_virt(): pa < 2^46). */
#define LINEAR_WINDOW (1ull << 46)

/*
 * page_offset_base as the allocators see it and as the running kernel has it. The
 * allocators (phys, buddy, slab, with their proofs) compute linear-map addresses from the
 * constant PAGE_OFFSET, 4-level paging's __PAGE_OFFSET_BASE_L4; with 5-level paging the
 * kernel's linear map is at __PAGE_OFFSET_BASE_L5 (fault.h). machine_apply() is the one
 * place addresses cross between the two: linear_out() rebases every linear-map address
 * an op returns, linear_in() every one an op takes. Under 4-level paging both are the
 * identity.
 */
static uint64_t linear_out(const struct machine *m, uint64_t va)
{
	if (!m->env.pgtable_l5 || va - PAGE_OFFSET >= LINEAR_WINDOW)
		return va;
	return va - PAGE_OFFSET + page_offset_base(&m->env);
}

/* The allocators' address for va. Under 5-level paging an address in the 4-level map is
 * no linear-map address: it moves below that map, where the allocators find nothing. */
static uint64_t linear_in(const struct machine *m, uint64_t va)
{
	if (!m->env.pgtable_l5)
		return va;
	if (va - page_offset_base(&m->env) < LINEAR_WINDOW)
		return va - page_offset_base(&m->env) + PAGE_OFFSET;
	if (va - PAGE_OFFSET < LINEAR_WINDOW)
		return va - LINEAR_WINDOW;
	return va;
}

int machine_init(struct machine *m, uint64_t *mem, struct page *pages, uint32_t nr_pages)
{
	uint32_t i;
	int err;

	m->nr_cpus = MACHINE_DEFAULT_CPUS;
	err = phys_init(&m->phys, mem, pages, nr_pages);
	if (err != 0)
		return err;
	vma_pool_init(&m->vmas);
	mm_env_init(&m->env, &m->phys, &m->kmem, &m->vmas);
	/* no kernel page tables, zero page or kernel image yet, whatever a machine reused
	 * (a fuzzer's) had: paging_init() builds them again, in the mode chosen now */
	m->env.paging_ready = false;
	m->env.pgtable_l5 = false;
	m->env.kernel_pgd = 0;
	m->env.zero_pfn = 0;
	m->env.kimage_pfn = m->env.kimage_pages = 0;
	m->env.kimage_vdso_pfn = m->env.kimage_vdso_pages = 0;
	m->current = -1;
	m->layout = 0;
	m->linear_used = false;
	m->cpu = cpu_state_default();
	vmap_init(&m->vmap);
	for (i = 0; i < MACHINE_MAX_PROCS; i++)
		m->procs[i].mm.in_use = false;
	return 0;
}

int machine_set_kimage(struct machine *m, uint64_t base, uint32_t pages, uint32_t vdso_first,
		       uint32_t vdso_pages)
{
	int err;

	if (m->phys.booted)
		return -MERR_BOOTED;
	if (pages == 0 || base % PAGE_SIZE != 0 || vdso_first > pages ||
	    vdso_pages > pages - vdso_first || m->env.kimage_pages != 0)
		return -EINVAL;
	err = memblock_reserve(&m->phys, base, (uint64_t)pages * PAGE_SIZE);
	if (err != 0)
		return err;
	m->env.kimage_pfn = (uint32_t)(base / PAGE_SIZE);
	m->env.kimage_pages = pages;
	m->env.kimage_vdso_pfn = m->env.kimage_pfn + vdso_first;
	m->env.kimage_vdso_pages = vdso_pages;
	return 0;
}

int machine_boot(struct machine *m)
{
	int err = mem_init(&m->phys);

	if (err != 0)
		return err;
	return kmem_cache_init(&m->kmem, m->nr_cpus);
}

static struct mm_result res(enum mm_result_kind kind, uint64_t value)
{
	struct mm_result r;

	/* every field zero, then the two that matter */
	r = (struct mm_result){0};
	r.kind = kind;
	r.value = value;
	return r;
}

static struct mm_result res_err(int err)
{
	struct mm_result r = res(RES_ERROR, 0);

	r.err = err;
	return r;
}

/* 0 -> ok, else the error. */
static struct mm_result res_status(int err)
{
	return err == 0 ? res(RES_OK, 0) : res_err(err);
}

/* An address from an allocator: 0 is NULL. */
static struct mm_result res_addr(uint64_t addr)
{
	return addr == 0 ? res(RES_NULL, 0) : res(RES_ADDR, addr);
}

/* An object allocation: -ENOMEM is Linux's NULL; model errors stay errors. */
static struct mm_result res_obj(const struct machine *m, struct obj_result o)
{
	if (o.err == -ENOMEM)
		return res(RES_NULL, 0);
	return o.err != 0 ? res_err(o.err) : res(RES_ADDR, linear_out(m, o.addr));
}

static bool is_boot_op(enum mm_op_kind kind)
{
	return kind == OP_RESERVE || kind == OP_MEMBLOCK_ALLOC || kind == OP_CPUS ||
	       kind == OP_BOOT;
}

static struct mm_result apply_boot_op(struct machine *m, const struct mm_op *op)
{
	if (m->phys.booted)
		return res_err(-MERR_BOOTED);
	switch (op->kind) {
	case OP_RESERVE:
		return res_status(memblock_reserve(&m->phys, op->a, op->b));
	case OP_MEMBLOCK_ALLOC: {
		uint64_t va = memblock_alloc(&m->phys, op->a, op->b);

		m->linear_used = m->linear_used || va != 0;
		return res_addr(linear_out(m, va));
	}
	case OP_CPUS:
		if (op->a < 1 || op->a > 4096)
			return res_err(-EINVAL);
		m->nr_cpus = (uint32_t)op->a;
		return res(RES_OK, 0);
	default:
		return res_status(machine_boot(m));
	}
}

static struct mm_result apply_cache_op(struct machine *m, const struct mm_op *op)
{
	struct phys *p = &m->phys;
	int id;

	if (op->kind == OP_KMEM_CACHE_CREATE) {
		struct mm_result r;

		if (op->a > UINT32_MAX || op->b > UINT32_MAX)
			return res_err(-EINVAL);
		id = kmem_cache_create(&m->kmem, op->name, (uint32_t)op->a, (uint32_t)op->b,
				       op->flags);
		if (id < 0)
			return res_err(id);
		r = res(RES_GEOMETRY, 0);
		r.size = m->kmem.caches[id - 1].size;
		r.align = m->kmem.caches[id - 1].align;
		r.order = m->kmem.caches[id - 1].order;
		r.objects = m->kmem.caches[id - 1].objects;
		return r;
	}
	id = kmem_cache_find(&m->kmem, op->name);
	if (id < 0)
		return res_err(id);
	switch (op->kind) {
	case OP_KMEM_CACHE_ALLOC:
		return res_obj(m, kmem_cache_alloc(p, &m->kmem, id, op->gfp));
	case OP_KMEM_CACHE_FREE:
		return res_status(kmem_cache_free(p, &m->kmem, id, linear_in(m, op->a)));
	case OP_KMEM_CACHE_SHRINK:
		return res_status(kmem_cache_shrink(p, &m->kmem, id));
	default:
		return res_status(kmem_cache_destroy(p, &m->kmem, id));
	}
}

/* The order argument of the page API: anything above MAX_PAGE_ORDER stays above it. */
static unsigned int order_arg(uint64_t v)
{
	return v > MAX_PAGE_ORDER ? MAX_PAGE_ORDER + 1 : (unsigned int)v;
}

/*
 * A 64-bit access through the linear map: -EFAULT outside RAM, -EINVAL when not 8-byte
 * aligned (the model's memory is an array of words).
 */
static struct mm_result apply_mem_op(struct machine *m, const struct mm_op *op)
{
	uint64_t *word, va = linear_in(m, op->a);

	if (!virt_addr_valid(&m->phys, va))
		return res_err(-EFAULT);
	if ((va - PAGE_OFFSET) % 8 != 0)
		return res_err(-EINVAL);
	word = &m->phys.mem[(va - PAGE_OFFSET) / 8];
	if (op->kind == OP_WRITE) {
		*word = op->b;
		return res(RES_OK, 0);
	}
	return res(RES_COUNT, *word);
}

struct validate_result machine_validate(const struct machine *m)
{
	struct validate_result r = buddy_validate(&m->phys);
	uint32_t i;

	if (!r.ok || !m->phys.booted)
		return r;
	if (m->cpu.cr4_la57 != m->env.pgtable_l5) {
		r.ok = false;
		r.what = "cpu: CR4.LA57 is not the page tables' mode (pgtable_l5_enabled())";
		r.where = 0;
		return r;
	}
	r = slab_validate(&m->phys, &m->kmem);
	for (i = 0; r.ok && i < MACHINE_MAX_PROCS; i++)
		if (m->procs[i].mm.in_use)
			r = mm_validate(&m->env, &m->procs[i].mm);
	return r;
}

struct mm_struct *machine_current_mm(struct machine *m)
{
	return m->current < 0 ? 0 : &m->procs[m->current].mm;
}

static bool same_proc_name(const char *a, const char *b)
{
	uint32_t i;

	for (i = 0; i < PROC_NAME_LEN; i++) {
		if (a[i] != b[i])
			return false;
		if (a[i] == '\0')
			return true;
	}
	return true;
}

static int find_proc(const struct machine *m, const char *name)
{
	uint32_t i;

	for (i = 0; i < MACHINE_MAX_PROCS; i++)
		if (m->procs[i].mm.in_use && same_proc_name(m->procs[i].name, name))
			return (int)i;
	return -1;
}

/* `process NAME [PROFILE]`: a new address space from the layout, made current. */
static struct mm_result apply_process(struct machine *m, const struct mm_op *op)
{
	struct mm_layout def;
	const struct mm_layout *l = m->layout;
	int i, err, slot = -1;
	uint32_t j;

	if (find_proc(m, op->name) >= 0)
		return res_err(-EEXIST);
	for (i = 0; i < (int)MACHINE_MAX_PROCS && slot < 0; i++)
		if (!m->procs[i].mm.in_use)
			slot = i;
	if (slot < 0)
		return res_err(-MERR_NO_SLOT);
	if (l == 0) {
		err = mm_default_layout(&m->vmas, &def);
		if (err != 0)
			return res_err(err);
		l = &def;
	}
	err = mm_create(&m->env, &m->procs[slot].mm, l, (enum mm_profile)op->flags);
	if (err != 0)
		return res_err(err);
	for (j = 0; j < PROC_NAME_LEN; j++)
		m->procs[slot].name[j] = op->name[j];
	m->current = slot;
	return res(RES_OK, 0);
}

/*
 * `cpu la57 V`: 5-level paging or not. Linux decides in early boot (check_la57_support():
 * __pgtable_l5_enabled, page_offset_base, vmalloc_base), before memblock hands out
 * memory, and never again; so here: before boot and before any memblock_alloc() (whose
 * address would move), without booting the machine. Later, V equal to the mode is ok and
 * any other answers -MERR_BOOTED, nothing changed.
 */
static struct mm_result apply_la57(struct machine *m, const struct mm_op *op)
{
	bool on = op->a != 0;

	if (op->a > 1)
		return res_err(-EINVAL);
	if (on == m->cpu.cr4_la57)
		return res(RES_OK, 0);
	if (m->phys.booted || m->linear_used || m->env.paging_ready)
		return res_err(-MERR_BOOTED);
	m->cpu.cr4_la57 = on;
	m->env.pgtable_l5 = on;
	return res(RES_OK, 0);
}

static struct mm_result apply_cpu(struct machine *m, const struct mm_op *op)
{
	struct cpu_state *c = &m->cpu;
	bool on = op->a != 0;

	if (op->flags != CPU_PKRU && op->flags != CPU_MAXPHYADDR && op->a > 1)
		return res_err(-EINVAL);
	switch (op->flags) {
	case CPU_WP:
		c->cr0_wp = on;
		break;
	case CPU_SMEP:
		c->cr4_smep = on;
		break;
	case CPU_SMAP:
		c->cr4_smap = on;
		break;
	case CPU_PKE:
		c->cr4_pke = on;
		break;
	case CPU_LA57:
		return apply_la57(m, op);
	case CPU_NXE:
		c->efer_nxe = on;
		break;
	case CPU_AC:
		c->rflags_ac = on;
		break;
	case CPU_GBPAGES:
		c->gbpages = on;
		break;
	case CPU_PKRU:
		if (op->a > 0xffffffffull)
			return res_err(-EINVAL);
		c->pkru = (uint32_t)op->a;
		break;
	case CPU_MAXPHYADDR:
		if (op->a < 36 || op->a > 52)
			return res_err(-EINVAL);
		c->maxphyaddr = (uint32_t)op->a;
		break;
	default:
		return res_err(-EINVAL);
	}
	return res(RES_OK, 0);
}

static struct mm_result apply_sysctl(struct machine *m, const struct mm_op *op)
{
	switch (op->flags) {
	case SYSCTL_MAX_MAP_COUNT:
		if (op->a > 0x7fffffff)
			return res_err(-EINVAL);
		m->env.max_map_count = (uint32_t)op->a;
		return res(RES_OK, 0);
	case SYSCTL_MMAP_MIN_ADDR:
		m->env.mmap_min_addr = op->a;
		return res(RES_OK, 0);
	case SYSCTL_OVERCOMMIT_MEMORY:
		if (op->a > 2)
			return res_err(-EINVAL);
		if (op->a == 2)
			return res_err(-MERR_UNSUPPORTED);
		m->env.overcommit_memory = (uint32_t)op->a;
		return res(RES_OK, 0);
	default:
		return res_err(-EINVAL);
	}
}

/* An errno returned in a syscall's register. */
static struct mm_result res_syscall(uint64_t ret)
{
	return IS_ERR_VALUE(ret) ? res_err((int)(int64_t)ret) : res(RES_ADDR, ret);
}

static struct mm_result apply_mm_op(struct machine *m, const struct mm_op *op)
{
	struct mm_struct *mm;
	int i;

	switch (op->kind) {
	case OP_PROCESS:
		return apply_process(m, op);
	case OP_SWITCH:
	case OP_EXIT:
		i = find_proc(m, op->name);
		if (i < 0)
			return res_err(-MERR_NOT_FOUND);
		if (op->kind == OP_SWITCH) {
			m->current = i;
		} else {
			mm_destroy(&m->env, &m->procs[i].mm);
			if (m->current == i)
				m->current = -1;
		}
		return res(RES_OK, 0);
	case OP_SYSCTL:
		return apply_sysctl(m, op);
	case OP_CPU:
		return apply_cpu(m, op);
	case OP_VMALLOC:
		return res_addr(vmalloc(&m->env, &m->vmap, op->a));
	case OP_VFREE:
		return res_status(vfree(&m->env, &m->vmap, op->a));
	default:
		break;
	}
	mm = machine_current_mm(m);
	if (mm == 0)
		return res_err(-MERR_NO_PROCESS);
	switch (op->kind) {
	case OP_BRK:
		return res(RES_ADDR, sys_brk(&m->env, mm, op->a));
	case OP_MMAP:
		return res_syscall(sys_mmap(&m->env, mm, op->a, op->b, op->prot, op->mflags));
	case OP_MUNMAP:
		return res_status(sys_munmap(&m->env, mm, op->a, op->b));
	case OP_MPROTECT:
		return res_status(sys_mprotect(&m->env, mm, op->a, op->b, op->prot));
	case OP_MLOCKALL:
		return res_status(sys_mlockall(&m->env, mm, op->mflags));
	case OP_MUNLOCKALL:
		return res_status(sys_munlockall(&m->env, mm));
	case OP_SETRLIMIT:
		return res_status(sys_setrlimit(mm, op->flags, op->a, op->b));
	case OP_TOUCH: {
		struct access acc = {(enum access_type)op->flags, (op->mflags & TOUCH_USER) != 0,
				     (op->mflags & TOUCH_IMPLICIT) != 0};
		struct mm_result r;

		if (op->flags > ACCESS_FETCH)
			return res_err(-EINVAL);
		r = res(RES_TOUCH, 0);
		r.touch = touch(&m->env, mm, &m->cpu, op->a, acc);
		r.value = r.touch.paddr;
		return r;
	}
	case OP_PTE: {
		struct access acc = {ACCESS_READ, false, false};
		struct mm_result r = res(RES_WALK, 0);

		struct cpu_state view = m->cpu;

		view.cr4_smap = false; /* the kernel's look at the tables, not an access */
		r.walk =
		    mmu_walk(&m->phys, &view, (uint64_t)mm->pgd * PAGE_SIZE, op->a, acc, false);
		r.walk_top = view.cr4_la57 ? PT_PGD5 : PT_P4D;
		r.value = r.walk.paddr;
		return r;
	}
	case OP_GUP: {
		struct mm_result r = res(RES_GUP, 0);

		r.gup =
		    get_user_pages(&m->env, mm, op->a, op->b > GUP_MAX ? GUP_MAX : (uint32_t)op->b,
				   op->flags == ACCESS_WRITE);
		if (r.gup.err != 0)
			return res_err(r.gup.err);
		r.value = r.gup.nr;
		return r;
	}
	case OP_FIND_VMA: {
		uint32_t id = find_vma(&m->vmas, &mm->vmas, op->a);
		struct mm_result r;

		if (id == VMA_NONE)
			return res(RES_NULL, 0);
		r = res(RES_RANGE, m->vmas.vma[id].vm_start);
		r.end = m->vmas.vma[id].vm_end;
		return r;
	}
	default: /* OP_MAPS: the harness prints the state */
		return res(RES_OK, 0);
	}
}

struct mm_result machine_apply(struct machine *m, const struct mm_op *op)
{
	struct phys *p = &m->phys;
	uint32_t pfn;

	if (is_boot_op(op->kind))
		return apply_boot_op(m, op);
	if (op->kind == OP_CPU && op->flags == CPU_LA57)
		return apply_la57(m, op); /* a boot-time choice that does not boot */
	if (!p->booted) {
		int err = machine_boot(m);

		if (err != 0)
			return res_err(err);
	}
	switch (op->kind) {
	case OP_ALLOC_PAGES:
		pfn = alloc_pages(p, op->gfp, order_arg(op->a));
		return pfn == PFN_NONE ? res(RES_NULL, 0) : res(RES_PFN, pfn);
	case OP_FREE_PAGES_PFN:
		if (op->a >= p->nr_pages)
			return res_err(-MERR_OUT_OF_RANGE);
		return res_status(free_pages_inner(p, (uint32_t)op->a, order_arg(op->b)));
	case OP_GET_FREE_PAGES:
		return res_addr(linear_out(m, get_free_pages_inner(p, op->gfp, order_arg(op->a))));
	case OP_GET_ZEROED_PAGE:
		return res_addr(linear_out(m, get_zeroed_page(p, op->gfp)));
	case OP_GET_DMA_PAGES:
		return res_addr(linear_out(m, get_dma_pages_inner(p, op->gfp, order_arg(op->a))));
	case OP_FREE_PAGES:
		return res_status(free_pages(p, linear_in(m, op->a), order_arg(op->b)));
	case OP_FREE_PAGE:
		return res_status(free_page(p, linear_in(m, op->a)));
	case OP_NR_FREE_PAGES:
		return res(RES_COUNT, nr_free_pages(p));
	case OP_KMEM_CACHE_CREATE:
	case OP_KMEM_CACHE_ALLOC:
	case OP_KMEM_CACHE_FREE:
	case OP_KMEM_CACHE_SHRINK:
	case OP_KMEM_CACHE_DESTROY:
		return apply_cache_op(m, op);
	case OP_KMALLOC:
		return res_obj(m, kmalloc(p, &m->kmem, op->a, op->gfp));
	case OP_KZALLOC:
		return res_obj(m, kzalloc(p, &m->kmem, op->a, op->gfp));
	case OP_KFREE:
		return res_status(kfree(p, &m->kmem, linear_in(m, op->a)));
	case OP_KSIZE: {
		struct obj_result o = ksize(p, &m->kmem, linear_in(m, op->a));

		return o.err != 0 ? res_err(o.err) : res(RES_COUNT, o.addr);
	}
	case OP_PA:
		return virt_addr_valid(p, linear_in(m, op->a))
			   ? res(RES_ADDR, virt_to_phys(linear_in(m, op->a)))
			   : res_err(-MERR_OUT_OF_RANGE);
	case OP_VA:
		return op->a < (uint64_t)p->nr_pages * PAGE_SIZE
			   ? res(RES_ADDR, linear_out(m, phys_to_virt(op->a)))
			   : res_err(-MERR_OUT_OF_RANGE);
	case OP_WRITE:
	case OP_READ:
		return apply_mem_op(m, op);
	case OP_PROCESS:
	case OP_SWITCH:
	case OP_EXIT:
	case OP_BRK:
	case OP_MMAP:
	case OP_MUNMAP:
	case OP_MPROTECT:
	case OP_MLOCKALL:
	case OP_MUNLOCKALL:
	case OP_SETRLIMIT:
	case OP_SYSCTL:
	case OP_FIND_VMA:
	case OP_MAPS:
	case OP_TOUCH:
	case OP_CPU:
	case OP_PTE:
	case OP_GUP:
	case OP_VMALLOC:
	case OP_VFREE:
		return apply_mm_op(m, op);
	case OP_VALIDATE: {
		struct validate_result v = machine_validate(m);
		struct mm_result r = res(RES_OK, 0);

		if (!v.ok) {
			r = res_err(-MERR_CORRUPT);
			r.what = v.what;
			r.where = v.where;
		}
		return r;
	}
	default: /* OP_BUDDYINFO, OP_SLABINFO: the harness prints the state */
		return res(RES_OK, 0);
	}
}
