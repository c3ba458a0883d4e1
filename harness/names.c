/* SPDX-License-Identifier: MIT */
/*
 * names.c - the harness's code <-> name tables. See names.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "names.h"

/* Ops ------------------------------------------------------------------------------ */

static const struct names_op op_table[] = {
    {"ram", TRACE_OP_RAM, "V", 1, "SIZE"},
    {"cpus", OP_CPUS, "V", 1, "N"},
    {"reserve", OP_RESERVE, "VV", 2, "BASE SIZE"},
    {"memblock_alloc", OP_MEMBLOCK_ALLOC, "VV", 2, "SIZE ALIGN"},
    {"boot", OP_BOOT, "", 0, ""},
    {"alloc_pages", OP_ALLOC_PAGES, "GV", 2, "GFP ORDER"},
    {"__free_pages", OP_FREE_PAGES_PFN, "VV", 2, "PFN ORDER"},
    {"__get_free_pages", OP_GET_FREE_PAGES, "GV", 2, "GFP ORDER"},
    {"get_zeroed_page", OP_GET_ZEROED_PAGE, "G", 1, "GFP"},
    {"__get_dma_pages", OP_GET_DMA_PAGES, "GV", 2, "GFP ORDER"},
    {"free_pages", OP_FREE_PAGES, "VV", 2, "ADDR ORDER"},
    {"free_page", OP_FREE_PAGE, "V", 1, "ADDR"},
    {"nr_free_pages", OP_NR_FREE_PAGES, "", 0, ""},
    {"kmem_cache_create", OP_KMEM_CACHE_CREATE, "CVVF", 2, "NAME SIZE [ALIGN [FLAGS]]"},
    {"kmem_cache_alloc", OP_KMEM_CACHE_ALLOC, "CG", 2, "NAME GFP"},
    {"kmem_cache_free", OP_KMEM_CACHE_FREE, "CV", 2, "NAME ADDR"},
    {"kmem_cache_shrink", OP_KMEM_CACHE_SHRINK, "C", 1, "NAME"},
    {"kmem_cache_destroy", OP_KMEM_CACHE_DESTROY, "C", 1, "NAME"},
    {"kmalloc", OP_KMALLOC, "VG", 2, "SIZE GFP"},
    {"kzalloc", OP_KZALLOC, "VG", 2, "SIZE GFP"},
    {"kfree", OP_KFREE, "V", 1, "ADDR"},
    {"ksize", OP_KSIZE, "V", 1, "ADDR"},
    {"__pa", OP_PA, "V", 1, "ADDR"},
    {"virt_to_phys", OP_PA, "V", 1, "ADDR"},
    {"__va", OP_VA, "V", 1, "PHYS"},
    {"write", OP_WRITE, "VV", 2, "ADDR VALUE"},
    {"read", OP_READ, "V", 1, "ADDR"},
    {"process", OP_PROCESS, "NO", 1, "NAME [PROFILE]"},
    {"switch", OP_SWITCH, "N", 1, "NAME"},
    {"exit", OP_EXIT, "N", 1, "NAME"},
    {"brk", OP_BRK, "V", 1, "ADDR"},
    {"mmap", OP_MMAP, "VVPM", 4, "ADDR LEN PROT FLAGS"},
    {"munmap", OP_MUNMAP, "VV", 2, "ADDR LEN"},
    {"mprotect", OP_MPROTECT, "VVQ", 3, "ADDR LEN PROT"},
    {"mlockall", OP_MLOCKALL, "L", 1, "FLAGS"},
    {"munlockall", OP_MUNLOCKALL, "", 0, ""},
    {"rlimit", OP_SETRLIMIT, "RUU", 2, "RESOURCE CUR [MAX]"},
    {"setrlimit", OP_SETRLIMIT, "RUU", 2, "RESOURCE CUR [MAX]"},
    {"sysctl", OP_SYSCTL, "SV", 2, "NAME VALUE"},
    {"find_vma", OP_FIND_VMA, "V", 1, "ADDR"},
    {"touch", OP_TOUCH, "VATT", 2, "ADDR r|w|x [user|kernel] [implicit]"},
    {"cpu", OP_CPU, "ZB", 2, "FIELD VALUE"},
    {"pte", OP_PTE, "V", 1, "ADDR"},
    {"get_user_pages", OP_GUP, "VVA", 3, "ADDR NR r|w"},
    {"vmalloc", OP_VMALLOC, "V", 1, "SIZE"},
    {"vfree", OP_VFREE, "V", 1, "ADDR"},
    {"maps", OP_MAPS, "", 0, ""},
    {"buddyinfo", OP_BUDDYINFO, "", 0, ""},
    {"slabinfo", OP_SLABINFO, "", 0, ""},
    {"validate", OP_VALIDATE, "", 0, ""},
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Does the NUL-terminated name spell exactly s[0..len)? */
static bool spells(const char *name, const char *s, size_t len)
{
	return strlen(name) == len && memcmp(name, s, len) == 0;
}

const struct names_op *names_op_lookup(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(op_table); i++)
		if (spells(op_table[i].name, s, len))
			return &op_table[i];
	return NULL;
}

const char *names_op_name(int kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(op_table); i++)
		if (op_table[i].kind == kind)
			return op_table[i].name;
	return "?";
}

bool names_op_is_dump(int kind)
{
	return kind == OP_BUDDYINFO || kind == OP_SLABINFO || kind == OP_MAPS;
}

/* Flags ---------------------------------------------------------------------------- */

struct flag_name {
	const char *name;
	uint32_t value;
};

static const struct flag_name gfp_table[] = {
    {"GFP_KERNEL", GFP_KERNEL},
    {"GFP_ATOMIC", GFP_ATOMIC},
    {"GFP_NOWAIT", GFP_NOWAIT},
    {"GFP_USER", GFP_USER},
    {"GFP_DMA", GFP_DMA},
    {"GFP_HIGHUSER", GFP_HIGHUSER},
    {"__GFP_DMA", __GFP_DMA},
    {"__GFP_ZERO", __GFP_ZERO},
    {"__GFP_COMP", __GFP_COMP},
    {"__GFP_NOWARN", __GFP_NOWARN},
    {"__GFP_HIGH", __GFP_HIGH},
    {"__GFP_ACCOUNT", __GFP_ACCOUNT},
    {"__GFP_MOVABLE", __GFP_MOVABLE},
    {"__GFP_DMA32", __GFP_DMA32},
    {"__GFP_HIGHMEM", __GFP_HIGHMEM},
};

static const struct flag_name slab_flag_table[] = {
    {"SLAB_HWCACHE_ALIGN", SLAB_HWCACHE_ALIGN},
    {"SLAB_CACHE_DMA", SLAB_CACHE_DMA},
};

static const struct flag_name prot_table[] = {
    {"none", PROT_NONE},      {"sem", PROT_SEM},	  {"PROT_NONE", PROT_NONE},
    {"PROT_READ", PROT_READ}, {"PROT_WRITE", PROT_WRITE}, {"PROT_EXEC", PROT_EXEC},
    {"PROT_SEM", PROT_SEM},
};

/* What mprotect(2) accepts on top of prot_table. */
static const struct flag_name prot_grows_table[] = {
    {"growsdown", PROT_GROWSDOWN},
    {"growsup", PROT_GROWSUP},
    {"PROT_GROWSDOWN", PROT_GROWSDOWN},
    {"PROT_GROWSUP", PROT_GROWSUP},
};

static const struct flag_name map_table[] = {
    {"MAP_SHARED", MAP_SHARED},
    {"MAP_PRIVATE", MAP_PRIVATE},
    {"MAP_SHARED_VALIDATE", MAP_SHARED_VALIDATE},
    {"MAP_DROPPABLE", MAP_DROPPABLE},
    {"MAP_FIXED", MAP_FIXED},
    {"MAP_ANONYMOUS", MAP_ANONYMOUS},
    {"MAP_ANON", MAP_ANONYMOUS},
    {"MAP_32BIT", MAP_32BIT},
    {"MAP_GROWSDOWN", MAP_GROWSDOWN},
    {"MAP_DENYWRITE", MAP_DENYWRITE},
    {"MAP_EXECUTABLE", MAP_EXECUTABLE},
    {"MAP_LOCKED", MAP_LOCKED},
    {"MAP_NORESERVE", MAP_NORESERVE},
    {"MAP_POPULATE", MAP_POPULATE},
    {"MAP_NONBLOCK", MAP_NONBLOCK},
    {"MAP_STACK", MAP_STACK},
    {"MAP_HUGETLB", MAP_HUGETLB},
    {"MAP_SYNC", MAP_SYNC},
    {"MAP_FIXED_NOREPLACE", MAP_FIXED_NOREPLACE},
    {"shared", MAP_SHARED},
    {"private", MAP_PRIVATE},
    {"shared_validate", MAP_SHARED_VALIDATE},
    {"droppable", MAP_DROPPABLE},
    {"fixed", MAP_FIXED},
    {"anonymous", MAP_ANONYMOUS},
    {"anon", MAP_ANONYMOUS},
    {"32bit", MAP_32BIT},
    {"growsdown", MAP_GROWSDOWN},
    {"denywrite", MAP_DENYWRITE},
    {"executable", MAP_EXECUTABLE},
    {"locked", MAP_LOCKED},
    {"noreserve", MAP_NORESERVE},
    {"populate", MAP_POPULATE},
    {"nonblock", MAP_NONBLOCK},
    {"stack", MAP_STACK},
    {"hugetlb", MAP_HUGETLB},
    {"sync", MAP_SYNC},
    {"fixed_noreplace", MAP_FIXED_NOREPLACE},
    {"noreplace", MAP_FIXED_NOREPLACE},
};

static const struct flag_name mcl_table[] = {
    {"current", MCL_CURRENT},	  {"future", MCL_FUTURE},     {"onfault", MCL_ONFAULT},
    {"MCL_CURRENT", MCL_CURRENT}, {"MCL_FUTURE", MCL_FUTURE}, {"MCL_ONFAULT", MCL_ONFAULT},
};

/* A number (decimal or 0x-hex) spelling all of s[0..len) that fits 32 bits, or -1. */
static int64_t parse_u32(const char *s, size_t len)
{
	uint64_t v = 0;
	unsigned int base = 10;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		return -1;
	for (; i < len; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -1;
		v = v * base + d;
		if (v > UINT32_MAX)
			return -1;
	}
	return (int64_t)v;
}

/* The flag sets parse_flags() knows. */
enum flag_set {
	FLAGS_GFP,
	FLAGS_SLAB,
	FLAGS_PROT,
	FLAGS_MPROT,
	FLAGS_MAP,
	FLAGS_MCL,
};

/* The value of name s[0..len) in table, or -1. */
static int64_t table_value(const struct flag_name *table, size_t n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (spells(table[i].name, s, len))
			return table[i].value;
	return -1;
}

/*
 * Prot as letters: `r`, `w`, `x` in that order, each at most once (`rw`, `rx`, `wx`), or
 * the three columns of /proc/PID/maps (`rw-`, `r-x`, `---`). The PROT_* bits, or -1.
 */
static int64_t prot_letters(const char *s, size_t len)
{
	static const char rwx[] = "rwx";
	static const uint32_t bit[] = {PROT_READ, PROT_WRITE, PROT_EXEC};
	uint32_t v = 0;
	size_t i, next = 0;

	if (len == 3 && memchr(s, '-', 3) != NULL) {
		for (i = 0; i < 3; i++) {
			if (s[i] == rwx[i])
				v |= bit[i];
			else if (s[i] != '-')
				return -1;
		}
		return v;
	}
	if (len == 0 || len > 3)
		return -1;
	for (i = 0; i < len; i++) {
		while (next < 3 && s[i] != rwx[next])
			next++;
		if (next == 3)
			return -1;
		v |= bit[next++];
	}
	return v;
}

/* The value of one part s[0..len) of a flag set: a number or a name; -1 if neither. */
static int64_t part_value(enum flag_set set, const char *s, size_t len)
{
	int64_t v = parse_u32(s, len);

	if (v >= 0)
		return v;
	switch (set) {
	case FLAGS_GFP:
		return table_value(gfp_table, ARRAY_SIZE(gfp_table), s, len);
	case FLAGS_SLAB:
		return table_value(slab_flag_table, ARRAY_SIZE(slab_flag_table), s, len);
	case FLAGS_MPROT:
		v = table_value(prot_grows_table, ARRAY_SIZE(prot_grows_table), s, len);
		if (v >= 0)
			return v;
		/* fall through */
	case FLAGS_PROT:
		v = table_value(prot_table, ARRAY_SIZE(prot_table), s, len);
		return v >= 0 ? v : prot_letters(s, len);
	case FLAGS_MAP:
		return table_value(map_table, ARRAY_SIZE(map_table), s, len);
	default:
		return table_value(mcl_table, ARRAY_SIZE(mcl_table), s, len);
	}
}

/* Is c a separator of the parts of set? '|' always; ',' too for mmap and mlockall flags. */
static bool is_separator(enum flag_set set, char c)
{
	return c == '|' || (c == ',' && (set == FLAGS_MAP || set == FLAGS_MCL));
}

/* Parts of set (names or numbers) joined by separators, ORed. See names_gfp_parse(). */
static int parse_flags(enum flag_set set, const char *s, size_t len, uint32_t *out, size_t *bad_at)
{
	uint32_t v = 0;
	size_t start = 0;

	for (;;) {
		size_t end = start;
		int64_t part;

		while (end < len && !is_separator(set, s[end]))
			end++;
		part = part_value(set, s + start, end - start);
		if (part < 0) {
			*bad_at = start;
			return -1;
		}
		v |= (uint32_t)part;
		if (end == len)
			break;
		start = end + 1;
	}
	*out = v;
	return 0;
}

int names_gfp_parse(const char *s, size_t len, gfp_t *out, size_t *bad_at)
{
	return parse_flags(FLAGS_GFP, s, len, out, bad_at);
}

int names_slab_flags_parse(const char *s, size_t len, uint32_t *out, size_t *bad_at)
{
	return parse_flags(FLAGS_SLAB, s, len, out, bad_at);
}

int names_prot_parse(const char *s, size_t len, bool mprotect, uint32_t *out, size_t *bad_at)
{
	return parse_flags(mprotect ? FLAGS_MPROT : FLAGS_PROT, s, len, out, bad_at);
}

int names_map_flags_parse(const char *s, size_t len, uint32_t *out, size_t *bad_at)
{
	return parse_flags(FLAGS_MAP, s, len, out, bad_at);
}

int names_mcl_flags_parse(const char *s, size_t len, uint32_t *out, size_t *bad_at)
{
	return parse_flags(FLAGS_MCL, s, len, out, bad_at);
}

/* Address spaces ----------------------------------------------------------------------- */

static const char *const profile_names[NR_MM_PROFILES] = {
    [PROFILE_LINUX_6_18] = "linux-6.18",
    [PROFILE_LINUX_4_14] = "linux-4.14",
    [PROFILE_LINUX_2_6_34] = "linux-2.6.34",
};

int names_profile_lookup(const char *s, size_t len)
{
	int i;

	for (i = 0; i < (int)NR_MM_PROFILES; i++)
		if (spells(profile_names[i], s, len))
			return i;
	return -1;
}

const char *names_profile_name(unsigned int profile)
{
	return profile < NR_MM_PROFILES ? profile_names[profile] : "?";
}

static const struct flag_name rlimit_table[] = {
    {"data", RLIMIT_DATA},
    {"stack", RLIMIT_STACK},
    {"as", RLIMIT_AS},
    {"memlock", RLIMIT_MEMLOCK},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
};

int64_t names_rlimit_lookup(const char *s, size_t len)
{
	int64_t v = parse_u32(s, len);

	return v >= 0 ? v : table_value(rlimit_table, ARRAY_SIZE(rlimit_table), s, len);
}

static const struct flag_name sysctl_table[] = {
    {"max_map_count", SYSCTL_MAX_MAP_COUNT},
    {"mmap_min_addr", SYSCTL_MMAP_MIN_ADDR},
    {"overcommit_memory", SYSCTL_OVERCOMMIT_MEMORY},
};

int names_sysctl_lookup(const char *s, size_t len)
{
	if (len > 3 && memcmp(s, "vm.", 3) == 0) {
		s += 3;
		len -= 3;
	}
	return (int)table_value(sysctl_table, ARRAY_SIZE(sysctl_table), s, len);
}

/* Paging ----------------------------------------------------------------------------- */

static const struct flag_name access_table[] = {
    {"r", ACCESS_READ},	   {"w", ACCESS_WRITE},	    {"x", ACCESS_FETCH},
    {"read", ACCESS_READ}, {"write", ACCESS_WRITE}, {"fetch", ACCESS_FETCH},
};

int names_access_lookup(const char *s, size_t len)
{
	return (int)table_value(access_table, ARRAY_SIZE(access_table), s, len);
}

static const char *const cpu_field_names[NR_CPU_FIELDS] = {
    [CPU_WP] = "wp",	       [CPU_SMEP] = "smep", [CPU_SMAP] = "smap",
    [CPU_PKE] = "pke",	       [CPU_LA57] = "la57", [CPU_NXE] = "nxe",
    [CPU_AC] = "ac",	       [CPU_PKRU] = "pkru", [CPU_MAXPHYADDR] = "maxphyaddr",
    [CPU_GBPAGES] = "gbpages",
};

int names_cpu_field_lookup(const char *s, size_t len)
{
	int i;

	for (i = 0; i < (int)NR_CPU_FIELDS; i++)
		if (spells(cpu_field_names[i], s, len))
			return i;
	return -1;
}

const char *names_cpu_field_name(unsigned int field)
{
	return field < NR_CPU_FIELDS ? cpu_field_names[field] : "?";
}

bool names_cpu_field_is_bool(unsigned int field)
{
	return field != CPU_PKRU && field != CPU_MAXPHYADDR;
}

/* Errors --------------------------------------------------------------------------- */

struct err_name {
	int code; /* negative */
	const char *name;
};

static const struct err_name err_table[] = {
    {-EPERM, "-EPERM"},
    {-ENOENT, "-ENOENT"},
    {-E2BIG, "-E2BIG"},
    {-EBADF, "-EBADF"},
    {-EAGAIN, "-EAGAIN"},
    {-ENOMEM, "-ENOMEM"},
    {-EACCES, "-EACCES"},
    {-EFAULT, "-EFAULT"},
    {-EBUSY, "-EBUSY"},
    {-EEXIST, "-EEXIST"},
    {-EINVAL, "-EINVAL"},
    {-ENOSPC, "-ENOSPC"},
    {-MERR_NOT_ALLOCATED, "error not-allocated"},
    {-MERR_WRONG_ORDER, "error wrong-order"},
    {-MERR_MISALIGNED, "error misaligned"},
    {-MERR_RESERVED, "error reserved"},
    {-MERR_OUT_OF_RANGE, "error out-of-range"},
    {-MERR_DOUBLE_FREE, "error double-free"},
    {-MERR_FOREIGN, "error foreign"},
    {-MERR_WRONG_CACHE, "error wrong-cache"},
    {-MERR_BUSY, "error busy"},
    {-MERR_CORRUPT, "error corrupt"},
    {-MERR_BOOTED, "error booted"},
    {-MERR_NOT_BOOTED, "error not-booted"},
    {-MERR_NO_SLOT, "error no-slot"},
    {-MERR_NOT_FOUND, "error not-found"},
    {-MERR_PERMANENT, "error permanent"},
    {-MERR_LIMIT, "error limit"},
    {-MERR_UNSUPPORTED, "error unsupported"},
    {-MERR_NO_PROCESS, "error no-process"},
};

const char *names_err_name(int err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(err_table); i++)
		if (err_table[i].code == err)
			return err_table[i].name;
	return NULL;
}

const char *names_zone_name(unsigned int zone)
{
	static const char *const zone_names[MAX_NR_ZONES] = {"DMA", "Normal"};

	return zone < MAX_NR_ZONES ? zone_names[zone] : "?";
}

/* Results -------------------------------------------------------------------------- */

/*
 * Appending to a fixed buffer: each call adds what fits and keeps buf NUL-terminated;
 * *at counts what was asked for, so a cut-off text is at least never corrupt.
 */
static void add(char *buf, size_t len, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at += (size_t)n;
}

/* The class of a #PF from its error code: P clear, RSVD set, or a protection fault. */
static const char *fault_class(uint32_t error_code)
{
	if ((error_code & X86_PF_RSVD) != 0)
		return "reserved";
	return (error_code & X86_PF_PROT) == 0 ? "not-present" : "protection";
}

const char *names_segv_name(int si_code)
{
	switch (si_code) {
	case SEGV_MAPERR:
		return "maperr";
	case SEGV_ACCERR:
		return "accerr";
	case SEGV_PKUERR:
		return "pkuerr";
	case NAMES_SI_KERNEL:
		return "kernel";
	default:
		return "?";
	}
}

/* One fault: `fault CLASS err=0xE: ACTION[ (stack grew)]`. */
static void format_fault_step(const struct fault_step *s, char *buf, size_t len, size_t *at)
{
	add(buf, len, at, "fault %s err=0x%" PRIx32 ": ", fault_class(s->error_code),
	    s->error_code);
	switch (s->action) {
	case FAULT_ANON_PAGE:
		add(buf, len, at, "anon-page 0x%" PRIx32, s->pfn);
		break;
	case FAULT_ZERO_PAGE:
		add(buf, len, at, "zero-page");
		break;
	case FAULT_COW:
		add(buf, len, at, "cow 0x%" PRIx32, s->pfn);
		break;
	case FAULT_SHMEM:
		add(buf, len, at, "shmem-page 0x%" PRIx32, s->pfn);
		break;
	case FAULT_SPURIOUS:
		add(buf, len, at, "spurious");
		break;
	case FAULT_SIGSEGV:
		add(buf, len, at, "sigsegv %s", names_segv_name(s->si_code));
		break;
	case FAULT_OOM:
		add(buf, len, at, "oom");
		break;
	case FAULT_OOPS:
		add(buf, len, at, "oops");
		break;
	case FAULT_EFAULT:
		add(buf, len, at, "efault");
		break;
	case FAULT_SPECIAL_PAGE:
		add(buf, len, at, "special-page 0x%" PRIx32, s->pfn);
		break;
	case FAULT_SIGBUS:
		add(buf, len, at, "sigbus");
		break;
	default:
		add(buf, len, at, "action %d", (int)s->action);
		break;
	}
	if (s->stack_grew)
		add(buf, len, at, " (stack grew)");
}

/*
 * A touch: its faults joined by "; ", then `ok` when the access completed. `gp` alone
 * for a non-canonical address. An access that neither completed nor ended in a
 * terminal action (sigsegv, oom, oops, efault) is one the model gave up on after
 * MAX_FAULT_STEPS faults: its steps alone say so.
 */
static void format_touch(const struct touch_result *t, char *buf, size_t len)
{
	size_t at = 0;
	uint32_t i;

	if (len == 0)
		return;
	buf[0] = 0;
	if (t->gp) {
		add(buf, len, &at, "gp");
		return;
	}
	for (i = 0; i < t->nr_steps && i < MAX_FAULT_STEPS; i++) {
		if (i > 0)
			add(buf, len, &at, "; ");
		format_fault_step(&t->step[i], buf, len, &at);
	}
	if (t->done)
		add(buf, len, &at, "%sok", t->nr_steps > 0 ? "; " : "");
}

/* Entry bits by name, low to high (arch/x86/include/asm/pgtable_types.h). */
static const struct {
	uint64_t bit;
	const char *name;
} entry_bits[] = {
    {_PAGE_PRESENT, "P"}, {_PAGE_RW, "RW"},	      {_PAGE_USER, "US"}, {_PAGE_PWT, "PWT"},
    {_PAGE_PCD, "PCD"},	  {_PAGE_ACCESSED, "A"},      {_PAGE_DIRTY, "D"}, {_PAGE_PSE, "PS"},
    {_PAGE_GLOBAL, "G"},  {_PAGE_SPECIAL, "SPECIAL"}, {_PAGE_NX, "NX"},
};

/*
 * One entry: `0xE` and the names of its set bits. Bit 8 is G in a present entry and
 * PROTNONE in a non-present one (Linux's reading: a PROT_NONE PTE); pkey=N when the
 * protection-key bits are not 0.
 */
static void format_entry(uint64_t e, char *buf, size_t len, size_t *at)
{
	uint64_t key = (e & _PAGE_PKEY_MASK) >> _PAGE_PKEY_SHIFT;
	size_t i;

	add(buf, len, at, "0x%" PRIx64, e);
	for (i = 0; i < ARRAY_SIZE(entry_bits); i++) {
		const char *name = entry_bits[i].name;

		if ((e & entry_bits[i].bit) == 0)
			continue;
		if (entry_bits[i].bit == _PAGE_GLOBAL && (e & _PAGE_PRESENT) == 0)
			name = "PROTNONE";
		add(buf, len, at, " %s", name);
	}
	if (key != 0)
		add(buf, len, at, " pkey=%" PRIu64, key);
}

/*
 * A walk: the entries read, top level first, `LEVEL 0xE FLAGS` joined by " | ", then
 * `-> 0xPADDR` or `-> fault err=0xE`; `gp` alone for a non-canonical address. The
 * levels are named as Linux names them: pgd pud pmd pte under 4-level paging (p4d is
 * folded), pgd p4d pud pmd pte under 5-level paging. top is the level of the first entry
 * (PT_PGD5 or PT_P4D); 0 when unknown: five entries are then a 5-level walk. `->`, not
 * `=>`: a trace line keeps one arrow.
 */
static void format_walk(const struct walk *w, uint32_t top, char *buf, size_t len)
{
	static const char *const level_name[] = {"?", "pte", "pmd", "pud", "p4d", "pgd"};
	size_t at = 0;
	uint32_t i;

	if (top != PT_PGD5 && top != PT_P4D)
		top = w->levels == 5 ? PT_PGD5 : PT_P4D;

	if (len == 0)
		return;
	buf[0] = 0;
	if (w->gp) {
		add(buf, len, &at, "gp");
		return;
	}
	for (i = 0; i < w->levels && i < top; i++) {
		add(buf, len, &at, "%s%s ", i > 0 ? " | " : "",
		    i == 0 ? "pgd" : level_name[top - i]);
		format_entry(w->entry[i], buf, len, &at);
	}
	if (w->pf)
		add(buf, len, &at, " -> fault err=0x%" PRIx32, w->error_code);
	else
		add(buf, len, &at, " -> 0x%" PRIx64, w->paddr);
}

static void format_error(const struct mm_result *r, char *buf, size_t len)
{
	const char *name = names_err_name(r->err);

	if (r->err == -MERR_CORRUPT && r->what != NULL)
		snprintf(buf, len, "error corrupt: %s at %" PRIu32, r->what, r->where);
	else if (name != NULL)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "error code %d", r->err);
}

void names_format_result(int kind, const struct mm_result *r, char *buf, size_t len)
{
	switch (r->kind) {
	case RES_OK:
		snprintf(buf, len, "ok");
		break;
	case RES_ADDR:
		snprintf(buf, len, "0x%" PRIx64, r->value);
		break;
	case RES_PFN:
		snprintf(buf, len, "pfn 0x%" PRIx64, r->value);
		break;
	case RES_NULL:
		snprintf(buf, len, "NULL");
		break;
	case RES_COUNT:
		if (kind == OP_READ)
			snprintf(buf, len, "0x%" PRIx64, r->value);
		else
			snprintf(buf, len, "%" PRIu64, r->value);
		break;
	case RES_GEOMETRY:
		snprintf(buf, len,
			 "cache size=%" PRIu32 " align=%" PRIu32 " order=%" PRIu32
			 " objects=%" PRIu32,
			 r->size, r->align, r->order, r->objects);
		break;
	case RES_RANGE:
		snprintf(buf, len, "0x%" PRIx64 "-0x%" PRIx64, r->value, r->end);
		break;
	case RES_TOUCH:
		format_touch(&r->touch, buf, len);
		break;
	case RES_WALK:
		format_walk(&r->walk, r->walk_top, buf, len);
		break;
	case RES_GUP: {
		size_t at = (size_t)snprintf(buf, len, "%" PRIu32 " page%s:", r->gup.nr,
					     r->gup.nr == 1 ? "" : "s");
		uint32_t i;

		for (i = 0; i < r->gup.nr && at < len; i++)
			at += (size_t)(r->gup.zero[i] ? snprintf(buf + at, len - at, " zero")
						      : snprintf(buf + at, len - at, " 0x%" PRIx32,
								 r->gup.pfn[i]));
		if (r->gup.faults > 0 && at < len)
			snprintf(buf + at, len - at, " (%" PRIu32 " fault%s)", r->gup.faults,
				 r->gup.faults == 1 ? "" : "s");
		break;
	}
	case RES_ERROR:
		format_error(r, buf, len);
		break;
	default:
		snprintf(buf, len, "result kind %d", (int)r->kind);
		break;
	}
}

char *names_collapse(const char *s, size_t len, char *buf, size_t buflen)
{
	size_t i, o = 0;
	bool blank = false;

	if (buflen == 0)
		return buf;
	for (i = 0; i < len && o + 1 < buflen; i++) {
		char c = s[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			blank = o > 0;
			continue;
		}
		if (blank && o + 2 < buflen)
			buf[o++] = ' ';
		blank = false;
		buf[o++] = c;
	}
	buf[o] = 0;
	return buf;
}

/* Ops as text ----------------------------------------------------------------------- */

/* The name of value in table[0..n), or NULL. */
static const char *table_name(const struct flag_name *table, size_t n, uint32_t value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (table[i].value == value)
			return table[i].name;
	return NULL;
}

/*
 * Flags v by the names of table[0..n): each name whose bits are all still left is taken
 * (first match wins), the bits no name covers as one number. v == 0 is the table's name
 * for 0, else "0".
 */
static void add_flags(char *buf, size_t len, size_t *at, const struct flag_name *table, size_t n,
		      uint32_t v)
{
	const char *sep = "";
	size_t i;

	if (v == 0) {
		const char *zero = table_name(table, n, 0);

		add(buf, len, at, "%s", zero != NULL ? zero : "0");
		return;
	}
	for (i = 0; i < n && v != 0; i++) {
		if (table[i].value == 0 || (v & table[i].value) != table[i].value)
			continue;
		add(buf, len, at, "%s%s", sep, table[i].name);
		sep = "|";
		v &= ~table[i].value;
	}
	if (v != 0)
		add(buf, len, at, "%s0x%x", sep, v);
}

/* prot: the maps columns (`rw-`, `---`), then `sem`, `growsdown`, `growsup`, a number. */
static void add_prot(char *buf, size_t len, size_t *at, uint32_t prot)
{
	uint32_t rest = prot & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC);

	add(buf, len, at, "%c%c%c", (prot & PROT_READ) != 0 ? 'r' : '-',
	    (prot & PROT_WRITE) != 0 ? 'w' : '-', (prot & PROT_EXEC) != 0 ? 'x' : '-');
	if ((rest & PROT_SEM) != 0)
		add(buf, len, at, "|sem");
	if ((rest & PROT_GROWSDOWN) != 0)
		add(buf, len, at, "|growsdown");
	if ((rest & PROT_GROWSUP) != 0)
		add(buf, len, at, "|growsup");
	rest &= ~(uint32_t)(PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP);
	if (rest != 0)
		add(buf, len, at, "|0x%x", rest);
}

static void add_value(char *buf, size_t len, size_t *at, uint64_t v)
{
	if (v < 4096)
		add(buf, len, at, "%" PRIu64, v);
	else
		add(buf, len, at, "0x%" PRIx64, v);
}

/* Where map_table's lowercase names start ("shared"): those are what we write. */
static size_t map_short_names(void)
{
	size_t i = 0;

	while (i + 1 < ARRAY_SIZE(map_table) && strcmp(map_table[i].name, "shared") != 0)
		i++;
	return i;
}

void names_format_op(const struct mm_op *op, char *buf, size_t len)
{
	const struct names_op *desc = NULL;
	size_t at = 0, i, nargs, cut;
	unsigned int nvalues = 0;
	bool touch_mode_done = false;
	char arg[8][256];
	bool dflt[8];

	for (i = 0; i < ARRAY_SIZE(op_table) && desc == NULL; i++)
		if (op_table[i].kind == (int)op->kind)
			desc = &op_table[i];
	if (len == 0)
		return;
	buf[0] = 0;
	if (desc == NULL) {
		add(buf, len, &at, "? (op kind %d)", (int)op->kind);
		return;
	}
	nargs = strlen(desc->args);
	if (nargs > 8)
		nargs = 8;
	for (i = 0; i < nargs; i++) {
		char kind = desc->args[i];
		uint64_t v = nvalues == 0 ? op->a : op->b;
		size_t a = 0, al = sizeof(arg[i]);
		const char *word;

		arg[i][0] = 0;
		dflt[i] = false;
		if (kind == ARG_VALUE || kind == ARG_LIMIT || kind == ARG_CPU_VAL)
			nvalues++;
		switch (kind) {
		case ARG_VALUE:
		case ARG_CPU_VAL:
			add_value(arg[i], al, &a, v);
			dflt[i] = v == 0;
			break;
		case ARG_LIMIT:
			if (v == RLIM_INFINITY)
				add(arg[i], al, &a, "unlimited");
			else
				add_value(arg[i], al, &a, v);
			dflt[i] = v == RLIM_INFINITY;
			break;
		case ARG_CACHE:
		case ARG_PROC:
			add(arg[i], al, &a, "%.*s", (int)sizeof(op->name), op->name);
			break;
		case ARG_PROFILE:
			add(arg[i], al, &a, "%s", names_profile_name(op->flags));
			dflt[i] = op->flags == PROFILE_LINUX_6_18;
			break;
		case ARG_RESOURCE:
			word = table_name(rlimit_table, ARRAY_SIZE(rlimit_table), op->flags);
			if (word != NULL)
				add(arg[i], al, &a, "%s", word);
			else
				add(arg[i], al, &a, "%u", op->flags);
			break;
		case ARG_SYSCTL:
			word = table_name(sysctl_table, ARRAY_SIZE(sysctl_table), op->flags);
			add(arg[i], al, &a, "%s", word != NULL ? word : "?");
			break;
		case ARG_ACCESS:
			word = table_name(access_table, ARRAY_SIZE(access_table), op->flags);
			add(arg[i], al, &a, "%s", word != NULL ? word : "?");
			break;
		case ARG_TOUCH:
			if (!touch_mode_done)
				add(arg[i], al, &a, "%s%s",
				    (op->mflags & TOUCH_USER) != 0 ? "user" : "kernel",
				    (op->mflags & TOUCH_IMPLICIT) != 0 ? " implicit" : "");
			touch_mode_done = true;
			dflt[i] = a == 0;
			break;
		case ARG_CPU:
			add(arg[i], al, &a, "%s", names_cpu_field_name(op->flags));
			break;
		case ARG_GFP:
			add_flags(arg[i], al, &a, gfp_table, ARRAY_SIZE(gfp_table), op->gfp);
			break;
		case ARG_FLAGS:
			add_flags(arg[i], al, &a, slab_flag_table, ARRAY_SIZE(slab_flag_table),
				  op->flags);
			dflt[i] = op->flags == 0;
			break;
		case ARG_PROT:
		case ARG_MPROT:
			add_prot(arg[i], al, &a, op->prot);
			break;
		case ARG_MAP:
			add_flags(arg[i], al, &a, map_table + map_short_names(),
				  ARRAY_SIZE(map_table) - map_short_names(), op->mflags);
			break;
		default: /* ARG_MCL */
			add_flags(arg[i], al, &a, mcl_table, 3, op->mflags);
			break;
		}
	}
	/* optional arguments at their defaults are left out, from the end */
	cut = nargs;
	while (cut > desc->min && dflt[cut - 1])
		cut--;
	add(buf, len, &at, "%s", desc->name);
	for (i = 0; i < cut; i++)
		if (arg[i][0] != 0)
			add(buf, len, &at, " %s", arg[i]);
}
