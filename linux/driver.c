/* SPDX-License-Identifier: MIT */
/*
 * driver.c - the model and the host kernel side by side. See driver.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver.h"
#include "dump.h"
#include "names.h"

#define MAPS_BUF   (8u << 20) /* bytes of maps text one side may have */
#define MAX_INODES 256u
#define SWEEP_MAX  65536u /* pages one residency sweep compares at most */
#define DESYNC_MAX 64u	  /* pages touched on the model only, remembered per process */

/* What compared touches did (on both sides): counted for the fuzz statistics. */
enum touch_kind {
	TK_NONE,     /* no fault */
	TK_ZERO,     /* the zero page mapped */
	TK_ANON,     /* a new anonymous page */
	TK_COW,	     /* the zero page copied */
	TK_SHMEM,    /* a shmem page */
	TK_SPURIOUS, /* a spurious fault */
	TK_MAPERR,   /* SIGSEGV SEGV_MAPERR */
	TK_ACCERR,   /* SIGSEGV SEGV_ACCERR */
	TK_PKUERR,   /* SIGSEGV SEGV_PKUERR */
	TK_GP,	     /* SIGSEGV from #GP */
	TK_GREW,     /* a stack grew */
	TK_NR
};

/* Importing the child's layout --------------------------------------------------------- */

static uint64_t perm_flags(const char *perms)
{
	uint64_t f = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

	if (perms[0] == 'r')
		f |= VM_READ;
	if (perms[1] == 'w')
		f |= VM_WRITE;
	if (perms[2] == 'x')
		f |= VM_EXEC;
	if (perms[3] == 's')
		f |= VM_SHARED | VM_MAYSHARE;
	return f;
}

/* What Linux sets for a mapping that looks like x in maps. */
static int import_vma(struct vma_pool *v, const struct linux_vma *x, struct mm_layout_vma *o,
		      struct mm_layout *l, char *err, size_t errlen)
{
	uint64_t f = perm_flags(x->perms);
	bool special = strcmp(x->name, "[vvar]") == 0 || strcmp(x->name, "[vvar_vclock]") == 0 ||
		       strcmp(x->name, "[vdso]") == 0;

	o->start = x->start;
	o->end = x->end;
	o->file = 0;
	o->pgoff = x->offset / PAGE_SIZE;
	if (special) {
		o->file = vm_file_get(v, x->name, 0, 0, 0, true);
		/* _install_special_mapping(): VM_DONTEXPAND; [vvar*] are VM_PFNMAP without
		 * VM_MAYWRITE (mprotect to writable: -EACCES) */
		f |= VM_DONTEXPAND;
		if (x->name[2] == 'v')
			f = (f & ~(VM_MAYWRITE | VM_MAYEXEC)) | VM_IO | VM_PFNMAP | VM_DONTDUMP;
		o->pgoff = 0;
	} else if (x->name[0] == '/') {
		o->file = vm_file_get(v, x->name, x->dev_major, x->dev_minor, x->inode, false);
		if ((f & (VM_WRITE | VM_SHARED)) == VM_WRITE)
			f |= VM_ACCOUNT;
	} else if (x->name[0] == '\0' || strcmp(x->name, "[heap]") == 0 ||
		   strcmp(x->name, "[stack]") == 0) {
		if ((f & (VM_WRITE | VM_SHARED)) == VM_WRITE)
			f |= VM_ACCOUNT;
		if (strcmp(x->name, "[stack]") == 0)
			f |= VM_GROWSDOWN;
		o->pgoff = x->start / PAGE_SIZE;
	} else {
		snprintf(err, errlen, "linux: cannot import the mapping %llx-%llx %s",
			 (unsigned long long)x->start, (unsigned long long)x->end, x->name);
		return -1;
	}
	if (special || x->name[0] == '/') {
		if (o->file == 0) {
			snprintf(err, errlen, "linux: the model's file table is full");
			return -1;
		}
	}
	o->flags = f;
	(void)l;
	return 0;
}

int linux_import_layout(struct vma_pool *v, const struct linux_layout *in, struct mm_layout *out,
			char *err, size_t errlen)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->start_code = in->start_code;
	out->end_code = in->end_code;
	out->start_data = in->start_data;
	out->end_data = in->end_data;
	out->start_brk = in->start_brk;
	out->brk = in->brk;
	out->start_stack = in->start_stack;
	for (i = 0; i < RLIM_NLIMITS; i++) {
		out->rlim[i].rlim_cur = RLIM_INFINITY;
		out->rlim[i].rlim_max = RLIM_INFINITY;
	}
	out->rlim[RLIMIT_DATA].rlim_cur = in->rlim_data.cur;
	out->rlim[RLIMIT_DATA].rlim_max = in->rlim_data.max;
	out->rlim[RLIMIT_AS].rlim_cur = in->rlim_as.cur;
	out->rlim[RLIMIT_AS].rlim_max = in->rlim_as.max;
	out->rlim[RLIMIT_STACK].rlim_cur = in->rlim_stack.cur;
	out->rlim[RLIMIT_STACK].rlim_max = in->rlim_stack.max;
	out->rlim[RLIMIT_MEMLOCK].rlim_cur = in->rlim_memlock.cur;
	out->rlim[RLIMIT_MEMLOCK].rlim_max = in->rlim_memlock.max;
	out->privileged = false; /* the child drops its capabilities */
	for (i = 0; i < in->nr_vmas; i++) {
		const struct linux_vma *x = &in->vmas[i];

		if (strcmp(x->name, "[vsyscall]") == 0) {
			out->has_vsyscall = true;
			continue;
		}
		if (out->nr_vmas >= MM_LAYOUT_MAX_VMAS) {
			snprintf(err, errlen, "linux: more than %u VMAs at start",
				 MM_LAYOUT_MAX_VMAS);
			return -1;
		}
		if (import_vma(v, x, &out->vmas[out->nr_vmas], out, err, errlen) != 0)
			return -1;
		out->nr_vmas++;
	}
	return 0;
}

/* The two sides -------------------------------------------------------------------------- */

struct side_by_side {
	struct trace_exec x; /* the model */
	struct linux_child child[MACHINE_MAX_PROCS];
	struct mm_layout layout[MACHINE_MAX_PROCS];
	char name[MACHINE_MAX_PROCS][PROC_NAME_LEN];
	int cur; /* index of the current child, -1: none */
	uint64_t inode_model[MAX_INODES], inode_kernel[MAX_INODES];
	uint32_t nr_inodes;
	char *model_text, *kernel_text;
	struct linux_vma *model_vmas, *kernel_vmas;
	size_t max_vmas;
	unsigned child_flags;
	FILE *out;
	size_t nr_model_vmas; /* of the last compare_maps() */
	/* RSS at the last (re)base, per process: the kernel's statm resident pages and the
	 * model's rss_anon; compared as differences from there */
	uint64_t base_resident[MACHINE_MAX_PROCS], base_shared[MACHINE_MAX_PROCS];
	uint64_t base_model[MACHINE_MAX_PROCS];
	uint8_t *kstates;	      /* page states of a sweep (SWEEP_MAX) */
	uint64_t *kentries;	      /* their pagemap entries */
	struct linux_op_facts *facts; /* where the current op's facts go, or NULL */
	/* pages a model-only touch may have mapped (the kernel did not touch them): their
	 * faults and states are not compared any more; nr_desync > DESYNC_MAX: all pages */
	uint64_t desync[MACHINE_MAX_PROCS][DESYNC_MAX];
	uint32_t nr_desync[MACHINE_MAX_PROCS];
	uint32_t touches;	     /* touches compared on both sides */
	uint32_t touch_kinds[TK_NR]; /* of those: what the model did (fuzz statistics) */
	uint32_t model_only;	     /* kernel-mode touches, fetches: the model only */
	uint32_t model_only_cpu;     /* user touches after `cpu` changed the model's CPU */
};

static int sbs_open(struct side_by_side *s, uint64_t ram, uint32_t nr_slots, FILE *out)
{
	memset(s, 0, sizeof(*s));
	s->cur = -1;
	s->out = out;
	s->max_vmas = 70000;
	s->model_text = malloc(MAPS_BUF);
	s->kernel_text = malloc(MAPS_BUF);
	s->model_vmas = malloc(s->max_vmas * sizeof(struct linux_vma));
	s->kernel_vmas = malloc(s->max_vmas * sizeof(struct linux_vma));
	s->kstates = malloc(SWEEP_MAX);
	s->kentries = malloc(SWEEP_MAX * sizeof(uint64_t));
	if (s->model_text == NULL || s->kernel_text == NULL || s->model_vmas == NULL ||
	    s->kernel_vmas == NULL || s->kstates == NULL || s->kentries == NULL ||
	    trace_exec_open(&s->x, ram, nr_slots) != 0) {
		fprintf(out, "linux: no memory for the model\n");
		return -1;
	}
	return 0;
}

static void sbs_close(struct side_by_side *s)
{
	uint32_t i;

	for (i = 0; i < MACHINE_MAX_PROCS; i++)
		if (s->child[i].pid != 0)
			linux_child_stop(&s->child[i]);
	if (s->x.m != NULL)
		trace_exec_close(&s->x);
	free(s->model_text);
	free(s->kernel_text);
	free(s->model_vmas);
	free(s->kernel_vmas);
	free(s->kstates);
	free(s->kentries);
}

static int mem_rebase(struct side_by_side *s);
static int import_anon_vmas(struct side_by_side *s);

/* `process NAME`: a child, its layout imported, and the model's process from it. */
static int sbs_process(struct side_by_side *s, const struct mm_op *op, struct mm_result *res)
{
	struct linux_layout *ll;
	char err[256];
	int i, slot = -1;

	if (op->flags != PROFILE_LINUX_6_18) {
		fprintf(s->out,
			"linux: the host kernel runs linux-6.18; profile %u cannot be "
			"compared with it\n",
			op->flags);
		return 2;
	}
	for (i = 0; i < (int)MACHINE_MAX_PROCS && slot < 0; i++)
		if (s->child[i].pid == 0)
			slot = i;
	if (slot < 0) {
		fprintf(s->out, "linux: more than %u processes\n", MACHINE_MAX_PROCS);
		return 2;
	}
	s->child[slot].flags = s->child_flags;
	if (linux_child_start(&s->child[slot], err, sizeof(err)) != 0) {
		fprintf(s->out, "linux: cannot start the child: %s\n", err);
		return -1;
	}
	ll = malloc(sizeof(*ll));
	if (ll == NULL || linux_child_layout(&s->child[slot], ll) != 0 ||
	    linux_import_layout(&s->x.m->vmas, ll, &s->layout[slot], err, sizeof(err)) != 0) {
		fprintf(s->out, "linux: cannot import the child's layout: %s\n",
			ll == NULL		? "no memory"
			: s->child[slot].err[0] ? s->child[slot].err
						: err);
		free(ll);
		return -1;
	}
	free(ll);
	s->x.m->layout = &s->layout[slot];
	*res = machine_apply(s->x.m, op);
	s->x.m->layout = NULL;
	memcpy(s->name[slot], op->name, PROC_NAME_LEN);
	s->cur = slot;
	s->nr_desync[slot] = 0;
	if (res->kind != RES_OK)
		return 0;
	return import_anon_vmas(s) != 0 ? -1 : mem_rebase(s);
}

static int sbs_find(struct side_by_side *s, const char *name)
{
	int i;

	for (i = 0; i < (int)MACHINE_MAX_PROCS; i++)
		if (s->child[i].pid != 0 && strncmp(s->name[i], name, PROC_NAME_LEN) == 0)
			return i;
	return -1;
}

/* The kernel's side of op, or false when op has no system call. */
static bool kernel_apply(struct linux_child *c, const struct mm_op *op, int64_t *k)
{
	switch (op->kind) {
	case OP_BRK:
		*k = linux_child_brk(c, op->a);
		return true;
	case OP_MMAP:
		*k = linux_child_mmap(c, op->a, op->b, op->prot, op->mflags);
		return true;
	case OP_MUNMAP:
		*k = linux_child_munmap(c, op->a, op->b);
		return true;
	case OP_MPROTECT:
		*k = linux_child_mprotect(c, op->a, op->b, op->prot);
		return true;
	case OP_MLOCKALL:
		*k = linux_child_mlockall(c, op->mflags);
		return true;
	case OP_MUNLOCKALL:
		*k = linux_child_munlockall(c);
		return true;
	case OP_SETRLIMIT:
		*k = linux_child_setrlimit(c, op->flags, op->a, op->b);
		return true;
	default:
		return false;
	}
}

static bool results_agree(const struct mm_result *r, int64_t k)
{
	switch (r->kind) {
	case RES_ADDR:
		return k >= 0 && (uint64_t)k == r->value;
	case RES_OK:
		return k == 0;
	case RES_ERROR:
		return r->err > -4096 && k == r->err;
	default:
		return false;
	}
}

static void kernel_result_text(int64_t k, char *buf, size_t len)
{
	if (k == LINUX_CHILD_LOST)
		snprintf(buf, len, "(no answer)");
	else if (k < 0 && k > -4096)
		snprintf(buf, len, "%s", names_err_name((int)k));
	else if (k == 0)
		snprintf(buf, len, "0 (ok)");
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)k);
}

/* The model's maps of the current process, parsed like the kernel's. */
static int model_maps(struct side_by_side *s, size_t *n)
{
	FILE *f = fmemopen(s->model_text, MAPS_BUF, "w");
	int r;

	if (f == NULL)
		return -1;
	dump_maps(f, &s->x.m->vmas, machine_current_mm(s->x.m));
	fputc('\0', f);
	fclose(f);
	s->model_text[MAPS_BUF - 1] = '\0';
	r = linux_maps_parse(s->model_text, s->model_vmas, s->max_vmas);
	if (r < 0 || (size_t)r > s->max_vmas)
		return -1;
	*n = (size_t)r;
	return 0;
}

static int kernel_maps(struct side_by_side *s, size_t *n)
{
	int len = linux_child_maps(&s->child[s->cur], s->kernel_text, MAPS_BUF);
	int r;

	if (len < 0 || (size_t)len >= MAPS_BUF)
		return -1;
	r = linux_maps_parse(s->kernel_text, s->kernel_vmas, s->max_vmas);
	if (r < 0 || (size_t)r > s->max_vmas)
		return -1;
	*n = (size_t)r;
	return 0;
}

/* A shmem inode: the model's and the kernel's numbers are paired when first seen. */
static bool inode_agrees(struct side_by_side *s, uint64_t model, uint64_t kernel)
{
	uint32_t i;

	for (i = 0; i < s->nr_inodes; i++) {
		if (s->inode_model[i] == model || s->inode_kernel[i] == kernel)
			return s->inode_model[i] == model && s->inode_kernel[i] == kernel;
	}
	if (s->nr_inodes < MAX_INODES) {
		s->inode_model[s->nr_inodes] = model;
		s->inode_kernel[s->nr_inodes++] = kernel;
	}
	return true;
}

static bool vma_agrees(struct side_by_side *s, const struct linux_vma *m, const struct linux_vma *k)
{
	bool shmem = strcmp(m->name, "/dev/zero (deleted)") == 0;

	if (m->start != k->start || m->end != k->end || strcmp(m->perms, k->perms) != 0 ||
	    m->offset != k->offset || strcmp(m->name, k->name) != 0)
		return false;
	if (shmem)
		return m->dev_major == k->dev_major && m->dev_minor == k->dev_minor &&
		       inode_agrees(s, m->inode, k->inode);
	return m->dev_major == k->dev_major && m->dev_minor == k->dev_minor && m->inode == k->inode;
}

static void print_vma(FILE *out, const struct linux_vma *v, int width)
{
	char line[400];

	snprintf(line, sizeof(line), "%08llx-%08llx %s %08llx %02x:%02x %llu %s",
		 (unsigned long long)v->start, (unsigned long long)v->end, v->perms,
		 (unsigned long long)v->offset, v->dev_major, v->dev_minor,
		 (unsigned long long)v->inode, v->name);
	fprintf(out, "%-*.*s", width, width, line);
}

/* Both maps, side by side, '!' where the lines differ. */
static void print_side_by_side(struct side_by_side *s, size_t nm, size_t nk)
{
	size_t i, n = nm > nk ? nm : nk;
	const int w = 72;

	fprintf(s->out, "  %-*s   %s\n", w, "model", "linux");
	for (i = 0; i < n; i++) {
		bool same =
		    i < nm && i < nk && vma_agrees(s, &s->model_vmas[i], &s->kernel_vmas[i]);

		fprintf(s->out, "%c ", same ? ' ' : '!');
		if (i < nm)
			print_vma(s->out, &s->model_vmas[i], w);
		else
			fprintf(s->out, "%-*s", w, "");
		fprintf(s->out, " | ");
		if (i < nk)
			print_vma(s->out, &s->kernel_vmas[i], w);
		fprintf(s->out, "\n");
	}
}

/* Compare the maps of the current process. 0: equal; 1: different (printed). */
static int compare_maps(struct side_by_side *s)
{
	size_t nm, nk, i;

	if (model_maps(s, &nm) != 0 || kernel_maps(s, &nk) != 0) {
		fprintf(s->out, "linux: cannot read or parse maps (%s)\n", s->child[s->cur].err);
		return 1;
	}
	s->nr_model_vmas = nm < s->max_vmas ? nm : s->max_vmas;
	for (i = 0; i < nm && i < nk; i++)
		if (!vma_agrees(s, &s->model_vmas[i], &s->kernel_vmas[i]))
			break;
	if (i == nm && i == nk)
		return 0;
	fprintf(s->out, "maps differ (first at line %zu):\n", i + 1);
	print_side_by_side(s, nm, nk);
	return 1;
}

/* Pages, faults and RSS ---------------------------------------------------------------- */

/*
 * The child's own pages: those of its initial VMAs (binary, .bss, [vvar], [vdso],
 * [stack]). The kernel has some of them resident from the start (the child prefaults its
 * .data, .bss and stack top) while the model, which imports only the VMAs, has none; and
 * the binary's pages are file pages, which the model does not have. Fault counts and page
 * states are therefore not compared there, and an op that may change their residency
 * rebases the RSS comparison instead of comparing.
 */
static bool own_range(const struct side_by_side *s, uint64_t lo, uint64_t hi)
{
	const struct linux_layout *l = &s->child[s->cur].initial;
	size_t i;

	for (i = 0; i < l->nr_vmas; i++)
		if (l->vmas[i].start < TASK_SIZE && l->vmas[i].start < hi && lo < l->vmas[i].end)
			return true;
	return false;
}

/* A page the model touched alone (a kernel-mode touch, a fetch): the sides may differ. */
static bool desynced(const struct side_by_side *s, uint64_t addr)
{
	uint32_t i, n = s->nr_desync[s->cur];

	if (n > DESYNC_MAX)
		return true;
	for (i = 0; i < n; i++)
		if (s->desync[s->cur][i] == addr / PAGE_SIZE)
			return true;
	return false;
}

static void desync(struct side_by_side *s, uint64_t addr)
{
	uint32_t *n = &s->nr_desync[s->cur];

	if (desynced(s, addr))
		return;
	if (*n < DESYNC_MAX)
		s->desync[s->cur][*n] = addr / PAGE_SIZE;
	(*n)++;
}

/* A page not compared: the child's own, or one the model touched alone. */
static bool skip_page(const struct side_by_side *s, uint64_t addr)
{
	return own_range(s, addr, addr + 1) || desynced(s, addr);
}

/* The model's view of one page of the current process: its PTE through mmu_walk(). */
static enum linux_page_state model_page(struct side_by_side *s, uint64_t addr, uint64_t *pte)
{
	struct machine *m = s->x.m;
	struct mm_struct *mm = machine_current_mm(m);
	struct cpu_state cpu = cpu_state_default(); /* the default CPU in the tables' mode */
	struct access acc = {ACCESS_READ, true, false};
	struct walk w;
	uint32_t id;

	*pte = 0;
	if (mm == NULL || mm->pgd == 0)
		return LINUX_PAGE_NONE;
	cpu.cr4_la57 = pgtable_levels(&m->env) == PT_PGD5;
	w = mmu_walk(&m->phys, &cpu, (uint64_t)mm->pgd * PAGE_SIZE, addr, acc, false);
	if (w.gp || w.levels < pgtable_levels(&m->env))
		return LINUX_PAGE_NONE;
	*pte = w.entry[w.levels - 1];
	if ((*pte & (_PAGE_PRESENT | _PAGE_PROTNONE)) == 0)
		return LINUX_PAGE_NONE;
	if (pte_frame(*pte) == (uint64_t)m->env.zero_pfn * PAGE_SIZE)
		return LINUX_PAGE_ZERO;
	id = find_vma(&m->vmas, &mm->vmas, addr);
	if (id != VMA_NONE && m->vmas.vma[id].vm_start <= addr &&
	    (m->vmas.vma[id].vm_flags & VM_SHARED) != 0)
		return LINUX_PAGE_SHARED;
	return LINUX_PAGE_ANON;
}

/*
 * The child's writable private VMAs that hold anonymous pages (.data after its COW, .bss,
 * [stack]) have an anon_vma in the kernel, which decides merges (a heap VMA next to .bss
 * shares .bss's anon_vma when it gets one; VMAs with two different ones never merge).
 * The imported layout has no anon_vmas, so the model writes one such page of each of
 * them (a model-only touch: the pages are the child's own, never compared) and gets them
 * the same way. Returns 0, or -1 when the child's pagemap cannot be read.
 */
static int import_anon_vmas(struct side_by_side *s)
{
	const struct linux_layout *l = &s->child[s->cur].initial;
	struct linux_child *c = &s->child[s->cur];
	size_t i;

	for (i = 0; i < l->nr_vmas; i++) {
		const struct linux_vma *x = &l->vmas[i];
		uint64_t n = (x->end - x->start) / PAGE_SIZE, j;

		if (x->start >= TASK_SIZE || x->perms[1] != 'w' || x->perms[3] != 'p')
			continue;
		n = n > SWEEP_MAX ? SWEEP_MAX : n;
		if (linux_child_page_states(c, x->start, n, s->kstates, NULL) != 0) {
			fprintf(s->out, "linux: %s\n", c->err);
			return -1;
		}
		for (j = 0; j < n; j++)
			if (s->kstates[j] == LINUX_PAGE_ANON) {
				struct mm_op op = {.kind = OP_TOUCH,
						   .a = x->start + j * PAGE_SIZE,
						   .flags = ACCESS_WRITE,
						   .mflags = TOUCH_USER};

				(void)machine_apply(s->x.m, &op);
				break;
			}
	}
	return 0;
}

/* Start comparing RSS from here: the kernel's resident pages and the model's rss_anon. */
static int mem_rebase(struct side_by_side *s)
{
	struct linux_child *c = &s->child[s->cur];
	struct mm_struct *mm = machine_current_mm(s->x.m);

	if (linux_child_statm(c, &s->base_resident[s->cur], &s->base_shared[s->cur]) != 0) {
		fprintf(s->out, "linux: %s\n", c->err);
		return -1;
	}
	s->base_model[s->cur] = mm != NULL ? mm->rss_anon : 0;
	return 0;
}

/*
 * RSS since the base: the model's rss_anon (which counts shmem pages too) against the
 * kernel's resident pages (RssAnon + RssShmem; RssFile stays put: the child's own file
 * pages only change with ops that rebase). 0 agree, 1 differ (printed), -1 lost.
 */
static int compare_rss(struct side_by_side *s, const char *text)
{
	struct linux_child *c = &s->child[s->cur];
	struct mm_struct *mm = machine_current_mm(s->x.m);
	uint64_t res, shr;
	int64_t km, mm_d;

	if (linux_child_statm(c, &res, &shr) != 0) {
		fprintf(s->out, "linux: %s\n", c->err);
		return -1;
	}
	km = (int64_t)(res - s->base_resident[s->cur]);
	mm_d = (int64_t)(mm->rss_anon - s->base_model[s->cur]);
	if (s->facts != NULL) {
		s->facts->model_rss = mm_d;
		s->facts->kernel_rss = km;
	}
	if (km == mm_d)
		return 0;
	fprintf(s->out,
		"RSS differs after `%s`: model rss_anon %+lld pages, linux %+lld pages "
		"(RssAnon %+lld, RssShmem/RssFile %+lld) since the process started\n",
		text, (long long)mm_d, (long long)km,
		(long long)(km - (int64_t)(shr - s->base_shared[s->cur])),
		(long long)(int64_t)(shr - s->base_shared[s->cur]));
	return 1;
}

static void print_page_difference(struct side_by_side *s, const char *text, uint64_t addr,
				  enum linux_page_state mp, uint64_t pte, enum linux_page_state kp,
				  uint64_t entry)
{
	fprintf(s->out,
		"page differs after `%s` at 0x%llx: model %s (pte 0x%llx), linux %s (pagemap "
		"0x%llx)\n",
		text, (unsigned long long)addr, linux_page_state_name(mp), (unsigned long long)pte,
		linux_page_state_name(kp), (unsigned long long)entry);
}

/*
 * Every page of [lo, hi) that lies in a VMA and is not the child's own: the model's state
 * (PTE) against the kernel's (pagemap, kpageflags). 0 agree, 1 differ (printed), -1 lost.
 */
static int compare_pages(struct side_by_side *s, uint64_t lo, uint64_t hi, const char *text)
{
	struct linux_child *c = &s->child[s->cur];
	uint64_t budget = SWEEP_MAX;
	size_t v;

	lo = lo / PAGE_SIZE * PAGE_SIZE;
	hi = hi > TASK_SIZE ? TASK_SIZE : hi;
	for (v = 0; v < s->nr_model_vmas && lo < hi && budget > 0; v++) {
		const struct linux_vma *x = &s->model_vmas[v];
		uint64_t a = x->start > lo ? x->start : lo, b = x->end < hi ? x->end : hi, n, i;

		if (a >= b || own_range(s, a, b))
			continue;
		n = (b - a) / PAGE_SIZE;
		n = n > budget ? budget : n;
		budget -= n;
		if (linux_child_page_states(c, a, n, s->kstates, s->kentries) != 0) {
			fprintf(s->out, "linux: %s\n", c->err);
			return c->pid > 0 ? 1 : -1;
		}
		for (i = 0; i < n; i++) {
			uint64_t pte;
			enum linux_page_state mp;

			if (s->nr_desync[s->cur] > 0 && desynced(s, a + i * PAGE_SIZE))
				continue;
			mp = model_page(s, a + i * PAGE_SIZE, &pte);
			if (mp != s->kstates[i]) {
				print_page_difference(s, text, a + i * PAGE_SIZE, mp, pte,
						      s->kstates[i], s->kentries[i]);
				return 1;
			}
		}
	}
	return 0;
}

/* Which pages an op may have changed, and whether it may change the child's own pages. */
static void op_range(const struct side_by_side *s, const struct mm_op *op,
		     const struct mm_result *r, uint64_t old_brk, uint64_t *lo, uint64_t *hi,
		     bool *own)
{
	uint64_t len = (op->b + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;

	*lo = *hi = 0;
	*own = false;
	switch (op->kind) {
	case OP_MMAP:
		*lo = r->kind == RES_ADDR ? r->value : op->a;
		if (r->kind != RES_ADDR && (op->mflags & MAP_FIXED) == 0)
			return;
		*hi = *lo + len < *lo ? TASK_SIZE : *lo + len;
		break;
	case OP_MUNMAP:
	case OP_MPROTECT:
		*lo = op->a;
		*hi = op->a + len < op->a ? TASK_SIZE : op->a + len;
		break;
	case OP_BRK: {
		uint64_t now = machine_current_mm(s->x.m)->brk;

		*lo = old_brk < now ? old_brk : now;
		*hi = (old_brk < now ? now : old_brk) + PAGE_SIZE;
		break;
	}
	case OP_MLOCKALL:
		*lo = 0;
		*hi = TASK_SIZE;
		*own = (op->mflags & MCL_CURRENT) != 0;
		return;
	default:
		return;
	}
	*own = *lo < *hi && own_range(s, *lo, *hi);
}

/* After a system call agreed and the maps agree: the pages it may have changed, and RSS. */
static int compare_memory(struct side_by_side *s, const struct mm_op *op, const struct mm_result *r,
			  uint64_t old_brk, const char *text)
{
	uint64_t lo, hi;
	bool own;
	int rc;

	op_range(s, op, r, old_brk, &lo, &hi, &own);
	if (lo < hi) {
		rc = compare_pages(s, lo, hi, text);
		if (rc != 0)
			return rc;
	}
	return own ? mem_rebase(s) : compare_rss(s, text);
}

/* What the model's touch amounts to, in the terms the child reports. */
struct touch_view {
	bool done;	 /* the access completed */
	bool segv;	 /* SIGSEGV */
	int code;	 /* its si_code */
	uint64_t addr;	 /* its si_addr */
	unsigned faults; /* faults Linux counts in ru_minflt/ru_majflt */
	const char *odd; /* the model ended otherwise (oom, a fault loop): why */
};

/*
 * mm_account_fault() (mm/memory.c) counts every fault that went through handle_mm_fault()
 * and did not end in VM_FAULT_ERROR or VM_FAULT_RETRY: a new anonymous page, the zero
 * page, a COW, a shmem page and a spurious fault (the PTE already allowed the access)
 * alike. A fault that ends in SIGSEGV (bad_area, access_error) never reaches
 * handle_mm_fault(); an OOM is VM_FAULT_OOM, an error: neither counts.
 */
static bool counted_fault(enum fault_action a)
{
	return a == FAULT_ANON_PAGE || a == FAULT_ZERO_PAGE || a == FAULT_COW || a == FAULT_SHMEM ||
	       a == FAULT_SPURIOUS;
}

static struct touch_view model_view(const struct touch_result *t, uint64_t addr)
{
	struct touch_view v = {0};
	uint32_t i;

	for (i = 0; i < t->nr_steps && i < MAX_FAULT_STEPS; i++)
		v.faults += counted_fault(t->step[i].action);
	if (t->gp) {
		v.segv = true;
		v.code = NAMES_SI_KERNEL;
		return v;
	}
	if (t->done) {
		v.done = true;
		return v;
	}
	if (t->nr_steps > 0 && t->step[t->nr_steps - 1].action == FAULT_SIGSEGV) {
		v.segv = true;
		v.code = t->step[t->nr_steps - 1].si_code;
		v.addr = addr;
		return v;
	}
	v.odd = t->nr_steps > 0 && t->step[t->nr_steps - 1].action == FAULT_OOM
		    ? "oom (the model's RAM ran out)"
		    : "neither completed nor SIGSEGV (a fault loop)";
	return v;
}

static void view_text(const struct touch_view *v, char *buf, size_t len)
{
	if (v->odd)
		snprintf(buf, len, "%s", v->odd);
	else if (v->segv)
		snprintf(buf, len, "SIGSEGV %s at 0x%llx, %u fault(s)", names_segv_name(v->code),
			 (unsigned long long)v->addr, v->faults);
	else
		snprintf(buf, len, "done, %u fault(s)", v->faults);
}

static void count_touch(struct side_by_side *s, const struct touch_result *t)
{
	uint32_t i;

	if (t->nr_steps == 0)
		s->touch_kinds[t->gp ? TK_GP : TK_NONE]++;
	for (i = 0; i < t->nr_steps && i < MAX_FAULT_STEPS; i++) {
		const struct fault_step *f = &t->step[i];

		s->touch_kinds[TK_GREW] += f->stack_grew;
		switch (f->action) {
		case FAULT_ZERO_PAGE:
			s->touch_kinds[TK_ZERO]++;
			break;
		case FAULT_ANON_PAGE:
			s->touch_kinds[TK_ANON]++;
			break;
		case FAULT_COW:
			s->touch_kinds[TK_COW]++;
			break;
		case FAULT_SHMEM:
			s->touch_kinds[TK_SHMEM]++;
			break;
		case FAULT_SPURIOUS:
			s->touch_kinds[TK_SPURIOUS]++;
			break;
		case FAULT_SIGSEGV:
			s->touch_kinds[f->si_code == SEGV_MAPERR   ? TK_MAPERR
				       : f->si_code == SEGV_ACCERR ? TK_ACCERR
								   : TK_PKUERR]++;
			break;
		default:
			break;
		}
	}
}

/*
 * Can the host do a user-mode read or write as the model's CPU would? WP, SMEP, SMAP and
 * AC only bind supervisor accesses; NXE, LA57 and MAXPHYADDR change the walk (reserved
 * bits, depth), which the host cannot. Protection keys bind user accesses: with CR4.PKE
 * the child runs the access under the model's PKRU (every page has key 0); without it,
 * under its own, which lets key 0 read and write, as no PKE does.
 */
static bool user_cpu_as_host(const struct cpu_state *cpu)
{
	struct cpu_state def = cpu_state_default();

	return cpu->efer_nxe == def.efer_nxe && cpu->cr4_la57 == def.cr4_la57 &&
	       cpu->maxphyaddr == def.maxphyaddr;
}

/*
 * A touch the kernel cannot run: the model may have mapped the page (and counted RSS)
 * alone. That page is not compared any more in this process, and RSS is rebased. A stack
 * the model grew alone would make every later maps differ: the check stops (2).
 */
static int model_only_touch(struct side_by_side *s, const struct mm_result *model,
			    const struct mm_op *op, const char *text)
{
	uint32_t i;

	for (i = 0; i < model->touch.nr_steps && i < MAX_FAULT_STEPS; i++)
		if (model->touch.step[i].stack_grew) {
			fprintf(s->out,
				"linux: `%s` grew a stack on the model only (the kernel does not "
				"run kernel-mode touches and fetches); the sides cannot be "
				"compared after it\n",
				text);
			return 2;
		}
	if (model->touch.nr_steps == 0)
		return 0; /* nothing changed */
	desync(s, op->a);
	return mem_rebase(s);
}

/*
 * `touch`: a user-mode read or write runs on both sides; per touch the outcome (done, or
 * SIGSEGV with si_code and si_addr), the number of faults Linux counts, the touched page's
 * state afterwards and RSS must agree. Kernel-mode touches and fetches have no user-space
 * equivalent: model only. So are user touches once `cpu` changed the model's CPU.
 */
static int sbs_touch(struct side_by_side *s, const struct mm_op *op, struct mm_result *model,
		     const char *text)
{
	struct linux_child *c;
	struct touch_view mv, kv = {0};
	struct linux_touch kt;
	char mt[NAMES_RESULT_LEN], mvt[160], kvt[160];
	enum linux_page_state mp, kp;
	uint8_t kst;
	uint64_t pte, entry;
	bool own;
	int64_t k;
	int rc;

	*model = machine_apply(s->x.m, op);
	if (s->cur < 0 || model->kind != RES_TOUCH)
		return 0;
	if ((op->mflags & TOUCH_USER) == 0 || (op->mflags & TOUCH_IMPLICIT) != 0 ||
	    op->flags == ACCESS_FETCH || !user_cpu_as_host(&s->x.m->cpu)) {
		if ((op->mflags & TOUCH_USER) == 0 || (op->mflags & TOUCH_IMPLICIT) != 0 ||
		    op->flags == ACCESS_FETCH)
			s->model_only++;
		else
			s->model_only_cpu++;
		return model_only_touch(s, model, op, text);
	}
	c = &s->child[s->cur];
	k = linux_child_touch_pkru(c, op->a, op->flags == ACCESS_WRITE, s->x.m->cpu.cr4_pke,
				   s->x.m->cpu.pkru, &kt);
	if (k == -ENOSYS && s->x.m->cpu.cr4_pke) { /* no protection keys on this host */
		s->model_only_cpu++;
		return model_only_touch(s, model, op, text);
	}
	if (k == LINUX_CHILD_LOST) {
		fprintf(s->out, "linux: `%s`: %s\n", text, c->err);
		return -1;
	}
	if (k != 0) {
		fprintf(s->out, "linux: `%s`: the child could not touch: %s\n", text,
			names_err_name((int)k));
		return 1;
	}
	s->touches++;
	own = skip_page(s, op->a);
	mv = model_view(&model->touch, op->a);
	kv.done = kt.signo == 0;
	kv.segv = kt.signo == SIGSEGV;
	kv.code = kt.sig_code;
	kv.addr = kt.sig_addr;
	kv.faults = (unsigned)(kt.minflt + kt.majflt);
	if (kt.signo != 0 && kt.signo != SIGSEGV)
		kv.odd = kt.signo == SIGBUS ? "SIGBUS" : "another signal";
	if (s->facts != NULL) {
		s->facts->touch = true;
		s->facts->model_sig_code = mv.segv ? mv.code : 0;
		s->facts->kernel_sig_code = kv.segv ? kv.code : 0;
		s->facts->model_faults = mv.faults;
		s->facts->kernel_faults = kt.minflt + kt.majflt;
	}
	if (mv.odd != NULL || kv.odd != NULL || mv.done != kv.done || mv.segv != kv.segv ||
	    (mv.segv && (mv.code != kv.code || mv.addr != kv.addr)) ||
	    (!own && mv.faults != kv.faults)) {
		names_format_result(op->kind, model, mt, sizeof(mt));
		view_text(&mv, mvt, sizeof(mvt));
		view_text(&kv, kvt, sizeof(kvt));
		fprintf(s->out,
			"touch differs at `%s`:\n  model %s\n        (%s)\n  linux %s (minflt "
			"%llu, majflt %llu)\n",
			text, mvt, mt, kvt, (unsigned long long)kt.minflt,
			(unsigned long long)kt.majflt);
		return 1;
	}
	count_touch(s, &model->touch);
	if (own)
		return mem_rebase(s);
	mp = model_page(s, op->a, &pte);
	if (linux_child_page_states(c, op->a / PAGE_SIZE * PAGE_SIZE, 1, &kst, &entry) != 0) {
		fprintf(s->out, "linux: %s\n", c->err);
		return c->pid > 0 ? 1 : -1;
	}
	kp = (enum linux_page_state)kst;
	if (s->facts != NULL) {
		s->facts->model_page = (uint8_t)mp;
		s->facts->kernel_page = (uint8_t)kp;
	}
	if (mp != kp) {
		print_page_difference(s, text, op->a, mp, pte, kp, entry);
		return 1;
	}
	rc = 0;
	if (model->touch.nr_steps > 0 && model->touch.step[0].stack_grew)
		rc = compare_maps(s); /* the stack VMA moved */
	return rc != 0 ? rc : compare_rss(s, text);
}

/*
 * One op on both sides. Returns 0 (agree), 1 (differ: reported), 2 (op not runnable on
 * the kernel), -1 (child lost). *model gets the model's result.
 */
static int sbs_step(struct side_by_side *s, const struct mm_op *op, struct mm_result *model,
		    const char *text)
{
	char mt[200], kt[64];
	struct mm_struct *mm;
	uint64_t old_brk;
	int64_t k;
	int i, rc;

	switch (op->kind) {
	case OP_SYSCTL:
		fprintf(s->out,
			"linux: `%s`: a vm.* sysctl is machine-wide; the linux backend "
			"does not run it\n",
			text);
		return 2;
	case OP_PROCESS:
		return sbs_process(s, op, model);
	case OP_SWITCH:
	case OP_EXIT:
		*model = machine_apply(s->x.m, op);
		i = sbs_find(s, op->name);
		if (i >= 0 && op->kind == OP_SWITCH)
			s->cur = i;
		if (i >= 0 && op->kind == OP_EXIT) {
			linux_child_stop(&s->child[i]);
			if (s->cur == i)
				s->cur = -1;
		}
		return 0;
	case OP_TOUCH:
		return sbs_touch(s, op, model, text);
	default:
		break;
	}
	mm = machine_current_mm(s->x.m);
	old_brk = mm != NULL ? mm->brk : 0;
	*model = machine_apply(s->x.m, op);
	if (s->cur < 0 || !kernel_apply(&s->child[s->cur], op, &k))
		return 0; /* model only */
	if (s->facts != NULL)
		s->facts->kernel_ran = true;
	if (k == LINUX_CHILD_LOST) {
		fprintf(s->out, "linux: `%s`: %s\n", text, s->child[s->cur].err);
		return -1;
	}
	if (!results_agree(model, k)) {
		names_format_result(op->kind, model, mt, sizeof(mt));
		kernel_result_text(k, kt, sizeof(kt));
		fprintf(s->out, "results differ at `%s`: model %s, linux %s\n", text, mt, kt);
		(void)compare_maps(s);
		return 1;
	}
	rc = compare_maps(s);
	return rc != 0 ? rc : compare_memory(s, op, model, old_brk, text);
}

/* check --backend linux --------------------------------------------------------------- */

/* The end of a check: how many ops ran where. */
static void print_summary(const struct side_by_side *s, uint32_t compared, FILE *out)
{
	fprintf(out, "check --backend linux: %u ops compared, all agree", compared);
	if (s->touches > 0)
		fprintf(out, "; %u touches compared (signal, faults, page, RSS)", s->touches);
	if (s->model_only > 0)
		fprintf(out, "; %u kernel-mode touches and fetches on the model only",
			s->model_only);
	if (s->model_only_cpu > 0)
		fprintf(out, "; %u touches on the model only (its CPU was changed by `cpu`)",
			s->model_only_cpu);
	fprintf(out, "\n");
}

int linux_check_ops(const struct mm_op *ops, uint32_t n, uint64_t ram, FILE *out,
		    struct linux_op_facts *facts)
{
	struct side_by_side *s = malloc(sizeof(*s));
	uint32_t i;
	int rc = 0;

	if (s == NULL || sbs_open(s, ram, 1, out) != 0) {
		free(s);
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		struct mm_result r;
		char text[160];

		if (facts != NULL) {
			memset(&facts[i], 0, sizeof(facts[i]));
			s->facts = &facts[i];
		}
		names_format_op(&ops[i], text, sizeof(text));
		rc = sbs_step(s, &ops[i], &r, text);
		if (rc == 1)
			fprintf(out, "op %u (`%s`): the model and linux differ (above)\n", i + 1,
				text);
	}
	s->facts = NULL;
	sbs_close(s);
	free(s);
	return rc;
}

int linux_check_trace(const struct trace *t, FILE *out)
{
	struct side_by_side *s = malloc(sizeof(*s));
	uint32_t i, compared = 0;
	int rc = 0;

	if (s == NULL || sbs_open(s, t->ram, t->nr_names, out) != 0) {
		free(s);
		return -1;
	}
	for (i = 0; i < t->nr_items && rc == 0; i++) {
		const struct trace_op *top = &t->items[i].op;
		struct mm_op op;
		struct mm_result r;

		if (t->items[i].kind != TRACE_OP || top->kind == TRACE_OP_RAM)
			continue;
		op = trace_exec_decode(&s->x, top);
		rc = sbs_step(s, &op, &r, top->text);
		if (rc == 1)
			fprintf(out, "%s:%u: the model and linux differ (above)\n", t->name,
				top->line);
		if (rc == 0) {
			if (top->bind >= 0 && (uint32_t)top->bind < s->x.nr_slots)
				s->x.slots[top->bind] = r.kind == RES_ADDR || r.kind == RES_RANGE ||
								r.kind == RES_PFN ||
								r.kind == RES_COUNT
							    ? r.value
							    : 0;
			compared++;
		}
	}
	if (rc == 0)
		print_summary(s, compared, out);
	sbs_close(s);
	free(s);
	return rc;
}

/* fuzz --backend linux ------------------------------------------------------------- */

static uint64_t rng_next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

#define FUZZ_ARENA_PAGES 256u
#define FUZZ_HEAP_PAGES	 64u
#define FUZZ_SEQ_MAX	 32u
#define FUZZ_RECENT	 8u

/* What a sequence touched lately: touches come back to these pages, so that a read is
 * followed by a write of the same page (zero page, then COW) and a page is touched again
 * after an mprotect or munmap. */
struct fuzz_recent {
	uint64_t addr[FUZZ_RECENT];
	uint32_t n;
};

/*
 * A user-mode read (3 in 5) or write (2 in 5). Where:
 *   4 in 12  a page touched lately in this sequence (read then write: zero page then
 *            COW; a page again after mprotect or munmap);
 *   5 in 12  a page of a VMA of this sequence (any mapping below mmap_base that is not
 *            the child's own: the arena, the 2 and 4 MiB mappings below it, the heap,
 *            hinted ones low down);
 *   1 in 12  1 to 3 pages below such a VMA (a MAP_GROWSDOWN one grows);
 *   2 in 12  any page of the arena or of the heap's first FUZZ_HEAP_PAGES pages, mapped
 *            or not.
 * Never a page of the child's own initial VMAs (their pages are not modelled: [vvar] has
 * pages that raise SIGBUS). The byte in the page is random.
 */
static void random_touch(uint64_t *rng, struct side_by_side *s, const struct mm_struct *mm,
			 uint64_t arena, struct fuzz_recent *rc, struct mm_op *op)
{
	const struct vma_pool *v = &s->x.m->vmas;
	uint64_t r = rng_next(rng), r2 = rng_next(rng), addr, lo, hi, at = 0;
	uint32_t ids[64], n = 0, id, pick = (uint32_t)((r >> 16) % 12);

	op->kind = OP_TOUCH;
	op->flags = r % 5 < 2 ? ACCESS_WRITE : ACCESS_READ;
	op->mflags = TOUCH_USER;
	if ((r >> 8) % 4 == 0)
		addr = mm->start_brk + (r2 % FUZZ_HEAP_PAGES) * PAGE_SIZE;
	else
		addr = arena + (r2 % FUZZ_ARENA_PAGES) * PAGE_SIZE;
	if (pick < 4 && rc->n > 0) {
		addr = rc->addr[(r2 >> 20) % (rc->n < FUZZ_RECENT ? rc->n : FUZZ_RECENT)];
	} else if (pick < 10) {
		while (n < 64 && (id = find_vma(v, &mm->vmas, at)) != VMA_NONE &&
		       v->vma[id].vm_start < mm->mmap_base) {
			if (!own_range(s, v->vma[id].vm_start, v->vma[id].vm_end))
				ids[n++] = id;
			at = v->vma[id].vm_end;
		}
		if (n > 0) {
			id = ids[(r2 >> 20) % n];
			lo = v->vma[id].vm_start;
			hi = v->vma[id].vm_end;
			addr = pick == 9 ? lo - PAGE_SIZE * (1 + (r2 >> 40) % 3)
					 : lo + (r2 >> 24) % ((hi - lo) / PAGE_SIZE) * PAGE_SIZE;
		}
	}
	if (own_range(s, addr, addr + 1))
		addr = arena + (r2 % FUZZ_ARENA_PAGES) * PAGE_SIZE;
	addr = addr / PAGE_SIZE * PAGE_SIZE + (r >> 32) % PAGE_SIZE;
	op->a = addr;
	rc->addr[rc->n % FUZZ_RECENT] = addr;
	rc->n++;
}

/* A random op of the sequence, in an arena of pages below the special mappings, around
 * the heap, or an error case. */
static void random_op(uint64_t *rng, const struct mm_struct *mm, uint64_t arena, struct mm_op *op)
{
	uint64_t r = rng_next(rng), page = r % FUZZ_ARENA_PAGES, n = 1 + (r >> 8) % 12;
	static const uint32_t prots[] = {PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE,
					 PROT_READ | PROT_WRITE | PROT_EXEC, PROT_READ | PROT_EXEC};
	uint32_t prot = prots[(r >> 16) % 5], f = (uint32_t)(r >> 24);

	memset(op, 0, sizeof(*op));
	op->prot = prot;
	switch ((r >> 40) % 10) {
	case 0:
	case 1:
	case 2:
		op->kind = OP_MMAP;
		op->mflags = MAP_ANONYMOUS | (f % 5 == 0 ? MAP_SHARED : MAP_PRIVATE);
		op->a = arena + page * PAGE_SIZE;
		switch (f / 5 % 6) {
		case 0:
			op->a = 0; /* hint-less */
			break;
		case 1:
			op->mflags |= MAP_FIXED;
			break;
		case 2:
			op->mflags |= MAP_FIXED_NOREPLACE;
			break;
		case 3:
			op->a = 0;
			n = 512 * (1 + f / 30 % 2); /* 2 or 4 MiB: THP alignment */
			break;
		default:
			break; /* a hint */
		}
		if (f / 200 % 8 == 1 && (op->mflags & MAP_TYPE) == MAP_PRIVATE)
			op->mflags |= MAP_GROWSDOWN;
		if (f / 200 % 8 == 2)
			op->mflags |= MAP_POPULATE;
		if (f / 200 % 8 == 3)
			op->mflags |= MAP_NORESERVE;
		op->b = n * PAGE_SIZE;
		break;
	case 3:
	case 4:
		op->kind = OP_MUNMAP;
		op->a = arena + page * PAGE_SIZE;
		op->b = n * PAGE_SIZE - (f % 4 == 0 ? 100 : 0);
		break;
	case 5:
	case 6:
		op->kind = OP_MPROTECT;
		op->a = arena + page * PAGE_SIZE;
		op->b = n * PAGE_SIZE;
		break;
	case 7:
	case 8:
		op->kind = OP_BRK;
		op->a =
		    mm->start_brk + (r >> 8) % (64 * PAGE_SIZE) - (f % 8 == 0 ? 8 * PAGE_SIZE : 0);
		break;
	default: /* the error cases, and mlockall */
		switch (f % 8) {
		case 0:
			op->kind = OP_MUNMAP;
			op->a = arena + page * PAGE_SIZE + 8; /* unaligned */
			op->b = PAGE_SIZE;
			break;
		case 1:
			op->kind = OP_MMAP;
			op->mflags = MAP_ANONYMOUS; /* neither private nor shared */
			op->b = PAGE_SIZE;
			break;
		case 2:
			op->kind = OP_MPROTECT; /* a range running into a hole or outside */
			op->a = arena + page * PAGE_SIZE;
			op->b = 64 * PAGE_SIZE;
			break;
		case 3:
			op->kind = OP_MMAP; /* below mmap_min_addr */
			op->a = 0x1000 * (f % 32);
			op->b = PAGE_SIZE;
			op->mflags = MAP_ANONYMOUS | MAP_PRIVATE | (f % 64 < 32 ? MAP_FIXED : 0);
			break;
		case 4:
			op->kind = OP_MMAP;
			op->a = 0;
			op->b = 0;
			op->mflags = MAP_ANONYMOUS | MAP_PRIVATE;
			break;
		case 6: {
			static const uint32_t mcl[] = {
			    MCL_FUTURE, MCL_CURRENT, MCL_CURRENT | MCL_FUTURE,
			    MCL_FUTURE | MCL_ONFAULT, MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT};

			op->kind = OP_MLOCKALL; /* then mmaps are populated, or not (onfault) */
			op->mflags = mcl[f / 8 % 5];
			break;
		}
		case 7:
			op->kind = f / 8 % 2 ? OP_MUNLOCKALL : OP_BRK;
			op->a = mm->start_brk + (f / 16 % 8) * PAGE_SIZE;
			break;
		default:
			op->kind = OP_SETRLIMIT;
			op->flags = RLIMIT_DATA;
			op->a = (f % 3 == 0) ? RLIM_INFINITY : (uint64_t)(f % 64) * 16 * PAGE_SIZE;
			op->b = RLIM_INFINITY;
			break;
		}
		break;
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A fresh `process p` on both sides (the child reset, or restarted when reset fails). */
static int fuzz_begin(struct side_by_side *s)
{
	struct mm_op op;
	struct mm_result r;

	memset(&op, 0, sizeof(op));
	strcpy(op.name, "p");
	if (s->cur >= 0) {
		op.kind = OP_EXIT;
		(void)machine_apply(s->x.m, &op);
		if (linux_child_reset(&s->child[s->cur]) == 0) {
			s->x.m->layout = &s->layout[s->cur];
			op.kind = OP_PROCESS;
			r = machine_apply(s->x.m, &op);
			s->x.m->layout = NULL;
			s->nr_desync[s->cur] = 0;
			if (r.kind != RES_OK || import_anon_vmas(s) != 0)
				return -1;
			return mem_rebase(s);
		}
		linux_child_stop(&s->child[s->cur]);
		s->cur = -1;
	}
	op.kind = OP_PROCESS;
	return sbs_process(s, &op, &r) == 0 && r.kind == RES_OK ? 0 : -1;
}

int linux_fuzz(double seconds, uint64_t max_sequences, uint64_t seed, FILE *out,
	       struct linux_fuzz_stats *stats)
{
	struct side_by_side *s = malloc(sizeof(*s));
	struct mm_op seq[FUZZ_SEQ_MAX];
	struct fuzz_recent recent;
	double t0 = now_s();
	uint64_t rng = seed * 2654435761u + 0x9e3779b97f4a7c15ull;
	int rc = 0;

	memset(stats, 0, sizeof(*stats));
	/* 256 MiB: a sequence may populate 32 mappings of 4 MiB; the model must not run out
	 * of RAM where the host does not */
	if (s == NULL || sbs_open(s, 256ull << 20, 1, out) != 0) {
		free(s);
		return -1;
	}
	s->child_flags = LINUX_CHILD_SAME_CPU;
	while (rc == 0 && (max_sequences == 0 || stats->sequences < max_sequences) &&
	       now_s() - t0 < seconds) {
		struct mm_struct *mm;
		uint64_t arena, top;
		uint32_t n = 4 + (uint32_t)(rng_next(&rng) % (FUZZ_SEQ_MAX - 4)), i, id;

		if (fuzz_begin(s) != 0) {
			fprintf(out, "linux: cannot (re)start the child: %s\n",
				s->cur >= 0 ? s->child[s->cur].err : "start failed");
			rc = -1;
			break;
		}
		mm = machine_current_mm(s->x.m);
		top = mm->mmap_base; /* the arena ends at the lowest special mapping under it */
		for (;;) {
			id = find_vma(&s->x.m->vmas, &mm->vmas, top - 1);
			if (id == VMA_NONE || s->x.m->vmas.vma[id].vm_start >= top)
				break;
			top = s->x.m->vmas.vma[id].vm_start;
		}
		arena = top - (uint64_t)FUZZ_ARENA_PAGES * PAGE_SIZE;
		recent.n = 0;
		for (i = 0; i < n && rc == 0; i++) {
			struct mm_result r;
			char text[160];

			if (rng_next(&rng) % 5 < 2) {
				memset(&seq[i], 0, sizeof(seq[i]));
				random_touch(&rng, s, mm, arena, &recent, &seq[i]);
			} else {
				random_op(&rng, mm, arena, &seq[i]);
			}
			names_format_op(&seq[i], text, sizeof(text));
			rc = sbs_step(s, &seq[i], &r, text);
			stats->ops++;
			if (rc != 0) {
				uint32_t j;

				fprintf(out,
					"# linux fuzz: sequence %llu (seed %llu) differs at op %u; "
					"a reproducer:\nprocess p\n",
					(unsigned long long)stats->sequences,
					(unsigned long long)seed, i + 1);
				for (j = 0; j <= i; j++) {
					names_format_op(&seq[j], text, sizeof(text));
					fprintf(out, "%s%s\n", text,
						j == i ? "   # <- differs" : "");
				}
				fprintf(out, "maps\n");
				rc = rc == 2 ? -1 : rc;
			}
		}
		stats->sequences++;
	}
	stats->seconds = now_s() - t0;
	stats->touches = s->touches;
	fprintf(out,
		"# linux fuzz: %u touches compared: no fault %u, zero page %u, anon page %u, "
		"cow %u, shmem %u, spurious %u, sigsegv maperr %u, accerr %u, pkuerr %u, "
		"#GP %u; stacks grown %u\n",
		s->touches, s->touch_kinds[TK_NONE], s->touch_kinds[TK_ZERO],
		s->touch_kinds[TK_ANON], s->touch_kinds[TK_COW], s->touch_kinds[TK_SHMEM],
		s->touch_kinds[TK_SPURIOUS], s->touch_kinds[TK_MAPERR], s->touch_kinds[TK_ACCERR],
		s->touch_kinds[TK_PKUERR], s->touch_kinds[TK_GP], s->touch_kinds[TK_GREW]);
	sbs_close(s);
	free(s);
	return rc;
}
