/* SPDX-License-Identifier: MIT */
/*
 * probe.c - mmref-linux-probe: run a script of mm syscalls in the live-kernel child and
 * print each result, for experiments (linux/FACTS.md was written with it).
 *
 * How it works
 * ------------
 * One command per line on stdin (or in the files named on the command line); '#' starts
 * a comment. A result can be named and used later as $name; $ is the last result.
 *
 *   a = mmap 0 4K rw private,anon      -> a = mmap ... => 0x7ffff7ffb000
 *   mprotect $a+4K 4K r                -> ... => 0
 *   munmap $a 3                        -> ... => -EINVAL
 *   maps | smaps | stat | status       the child's /proc/self file
 *   layout                             the parsed start state (stat fields, brk, rlimits)
 *   brk, mlockall current,future, munlockall, setrlimit data 1M inf, getrlimit memlock
 *   reset | restart [keep-caps]        back to the initial state; a new child
 *   bench N                            mmap+munmap pairs timed in the child
 *   costs                              start, op, maps read and reset times in µs
 *   ! shell command                    e.g. ! sysctl vm.max_map_count=100
 *
 * Numbers: 0x.., decimal, with K/M/G suffixes; EXPR is terms joined by + and -.
 * Predefined: $start_brk $brk0 $end_data $start_stack (from the initial layout).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#include "linux_backend.h"

#define MAX_VARS 64

static struct linux_child child;
static char text[1 << 24];
static struct {
	char name[32];
	uint64_t value;
} vars[MAX_VARS];
static int nr_vars;
static uint64_t last;

static void set_var(const char *name, uint64_t value)
{
	int i;

	for (i = 0; i < nr_vars; i++)
		if (strcmp(vars[i].name, name) == 0)
			break;
	if (i == nr_vars) {
		if (nr_vars == MAX_VARS)
			return;
		nr_vars++;
	}
	snprintf(vars[i].name, sizeof(vars[i].name), "%s", name);
	vars[i].value = value;
}

static bool get_var(const char *name, size_t n, uint64_t *out)
{
	int i;

	if (n == 0) {
		*out = last;
		return true;
	}
	for (i = 0; i < nr_vars; i++)
		if (strlen(vars[i].name) == n && strncmp(vars[i].name, name, n) == 0) {
			*out = vars[i].value;
			return true;
		}
	return false;
}

/* One term: a number with an optional K/M/G suffix, $name or $. */
static bool term(const char **s, uint64_t *out)
{
	const char *p = *s;
	char *end;

	if (*p == '$') {
		size_t n = 0;

		p++;
		while (isalnum((unsigned char)p[n]) || p[n] == '_')
			n++;
		if (!get_var(p, n, out))
			return false;
		*s = p + n;
		return true;
	}
	if (strncmp(p, "inf", 3) == 0) {
		*out = UINT64_MAX;
		*s = p + 3;
		return true;
	}
	*out = strtoull(p, &end, 0);
	if (end == p)
		return false;
	switch (*end) {
	case 'K':
		*out <<= 10, end++;
		break;
	case 'M':
		*out <<= 20, end++;
		break;
	case 'G':
		*out <<= 30, end++;
		break;
	}
	*s = end;
	return true;
}

static bool expr(const char *s, uint64_t *out)
{
	uint64_t v, t;

	if (!term(&s, &v))
		return false;
	while (*s == '+' || *s == '-') {
		char op = *s++;

		if (!term(&s, &t))
			return false;
		v = op == '+' ? v + t : v - t;
	}
	*out = v;
	return *s == '\0';
}

struct flag_name {
	const char *name;
	uint64_t value;
};

static const struct flag_name prot_names[] = {{"r", PROT_READ}, {"w", PROT_WRITE}, {"x", PROT_EXEC},
					      {"none", 0},	{"sem", 0x8},	   {NULL, 0}};

static const struct flag_name map_names[] = {{"private", MAP_PRIVATE},
					     {"shared", MAP_SHARED},
					     {"anon", MAP_ANONYMOUS},
					     {"fixed", MAP_FIXED},
					     {"noreplace", MAP_FIXED_NOREPLACE},
					     {"growsdown", MAP_GROWSDOWN},
					     {"populate", MAP_POPULATE},
					     {"noreserve", MAP_NORESERVE},
					     {"locked", MAP_LOCKED},
					     {"stack", MAP_STACK},
					     {"shared_validate", MAP_SHARED_VALIDATE},
					     {"huge", MAP_HUGETLB},
					     {"normal", 0},
					     {NULL, 0}};

static const struct flag_name mcl_names[] = {
    {"current", MCL_CURRENT}, {"future", MCL_FUTURE}, {"onfault", MCL_ONFAULT}, {NULL, 0}};

static const struct flag_name rlimit_names[] = {
    {"data", RLIMIT_DATA},	 {"as", RLIMIT_AS},	    {"stack", RLIMIT_STACK},
    {"memlock", RLIMIT_MEMLOCK}, {"nofile", RLIMIT_NOFILE}, {NULL, 0}};

/* "rw" (prot letters), "private,anon" (comma list), or an expression. */
static bool flags(const char *s, const struct flag_name *t, bool letters, uint64_t *out)
{
	char buf[128], *tok, *save = NULL;
	const struct flag_name *f;

	if (isdigit((unsigned char)s[0]) || s[0] == '$')
		return expr(s, out);
	*out = 0;
	if (letters && strcmp(s, "none") != 0) {
		for (; *s; s++) {
			for (f = t; f->name && !(f->name[0] == *s && !f->name[1]); f++)
				;
			if (!f->name)
				return false;
			*out |= f->value;
		}
		return true;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",|", &save); tok; tok = strtok_r(NULL, ",|", &save)) {
		uint64_t v;

		for (f = t; f->name && strcmp(f->name, tok) != 0; f++)
			;
		if (f->name)
			*out |= f->value;
		else if (expr(tok, &v))
			*out |= v;
		else
			return false;
	}
	return true;
}

static void print_result(const char *line, int64_t r)
{
	if (r == LINUX_CHILD_LOST)
		printf("%s => LOST (%s)\n", line, child.err);
	else if (r < 0 && r >= -4095)
		printf("%s => -%s\n", line, strerrorname_np((int)-r));
	else if (r >= 0 && r < 4096)
		printf("%s => %" PRId64 "\n", line, r);
	else
		printf("%s => %#" PRIx64 "\n", line, (uint64_t)r);
}

static void print_file(enum lx_file which)
{
	long n = linux_child_read(&child, which, text, sizeof(text));

	if (n < 0)
		printf("  (failed: %s)\n", child.err);
	else
		printf("%s", text);
}

static void print_layout(const struct linux_layout *l)
{
	size_t i;

	printf("start_code %#" PRIx64 " end_code %#" PRIx64 " start_data %#" PRIx64
	       " end_data %#" PRIx64 "\n",
	       l->start_code, l->end_code, l->start_data, l->end_data);
	printf("start_brk %#" PRIx64 " brk %#" PRIx64 " start_stack %#" PRIx64 "\n", l->start_brk,
	       l->brk, l->start_stack);
	printf("arg %#" PRIx64 "-%#" PRIx64 " env %#" PRIx64 "-%#" PRIx64 "\n", l->arg_start,
	       l->arg_end, l->env_start, l->env_end);
	printf("rlimit data %#" PRIx64 "/%#" PRIx64 " as %#" PRIx64 "/%#" PRIx64 " stack %#" PRIx64
	       "/%#" PRIx64 " memlock %#" PRIx64 "/%#" PRIx64 "\n",
	       l->rlim_data.cur, l->rlim_data.max, l->rlim_as.cur, l->rlim_as.max,
	       l->rlim_stack.cur, l->rlim_stack.max, l->rlim_memlock.cur, l->rlim_memlock.max);
	for (i = 0; i < l->nr_vmas; i++)
		printf("  vma %#" PRIx64 "-%#" PRIx64 " %s off %#" PRIx64 " %02x:%02x ino %" PRIu64
		       " '%s'\n",
		       l->vmas[i].start, l->vmas[i].end, l->vmas[i].perms, l->vmas[i].offset,
		       l->vmas[i].dev_major, l->vmas[i].dev_minor, l->vmas[i].inode,
		       l->vmas[i].name);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void define_vars(void)
{
	set_var("start_brk", child.initial.start_brk);
	set_var("brk0", child.initial.brk);
	set_var("end_data", child.initial.end_data);
	set_var("start_stack", child.initial.start_stack);
}

static int restart(unsigned flags)
{
	char err[256];

	linux_child_stop(&child);
	child.flags = flags;
	if (linux_child_start(&child, err, sizeof(err)) != 0) {
		printf("start failed: %s\n", err);
		return -1;
	}
	define_vars();
	return 0;
}

/* n sequences of 10 random mmap/mprotect/munmap/brk ops, maps after each, then reset. */
static double sequences_per_second(int n)
{
	unsigned seed = 1;
	double t0 = now_us();
	int i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < 10; k++) {
			uint64_t addr = 0x10000000 + (uint64_t)(rand_r(&seed) % 64) * 4096;
			uint64_t len = (uint64_t)(1 + rand_r(&seed) % 8) * 4096;

			switch (rand_r(&seed) % 4) {
			case 0:
				linux_child_mmap(&child, addr, len, PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
				break;
			case 1:
				linux_child_mprotect(&child, addr, len, PROT_READ);
				break;
			case 2:
				linux_child_munmap(&child, addr, len);
				break;
			default:
				linux_child_brk(&child, child.initial.brk + len);
				break;
			}
			linux_child_maps(&child, text, sizeof(text));
		}
		if (linux_child_reset(&child) != 0 && restart(child.flags) != 0)
			return -1;
	}
	return n / ((now_us() - t0) / 1e6);
}

/* costs: fork+exec, one op round trip, one maps read, one reset after 8 ops. */
static void costs(void)
{
	const int n = 200;
	double t0, t_start, t_op, t_maps, t_reset = 0;
	int i, k;

	t0 = now_us();
	for (i = 0; i < 20; i++)
		restart(child.flags);
	t_start = (now_us() - t0) / 20;
	t0 = now_us();
	for (i = 0; i < n; i++)
		linux_child_brk(&child, 0);
	t_op = (now_us() - t0) / n;
	t0 = now_us();
	for (i = 0; i < n; i++)
		linux_child_maps(&child, text, sizeof(text));
	t_maps = (now_us() - t0) / n;
	for (i = 0; i < n; i++) {
		for (k = 0; k < 4; k++)
			linux_child_mmap(&child, 0, 4096u << k, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS);
		linux_child_brk(&child, child.initial.brk + 0x3000);
		t0 = now_us();
		if (linux_child_reset(&child) != 0)
			printf("reset failed: %s\n", child.err);
		t_reset += now_us() - t0;
	}
	printf("start %.1f us, op %.1f us, maps read %.1f us, reset %.1f us, "
	       "mmap+munmap in child %.0f ns\n",
	       t_start, t_op, t_maps, t_reset / n, linux_mmap_munmap_ns(&child, 100000));
	printf("fuzz-like sequences (10 ops, maps after each, reset): %.0f per second\n",
	       sequences_per_second(n));
}

static int64_t run_syscall(const char *cmd, int argc, char **argv, bool *ok)
{
	uint64_t a[4] = {0, 0, 0, 0};

	*ok = false;
	if (strcmp(cmd, "brk") == 0 && argc == 1 && expr(argv[0], &a[0]))
		return *ok = true, linux_child_brk(&child, a[0]);
	if (strcmp(cmd, "mmap") == 0 && argc == 4 && expr(argv[0], &a[0]) && expr(argv[1], &a[1]) &&
	    flags(argv[2], prot_names, true, &a[2]) && flags(argv[3], map_names, false, &a[3]))
		return *ok = true, linux_child_mmap(&child, a[0], a[1], a[2], a[3]);
	if (strcmp(cmd, "munmap") == 0 && argc == 2 && expr(argv[0], &a[0]) && expr(argv[1], &a[1]))
		return *ok = true, linux_child_munmap(&child, a[0], a[1]);
	if (strcmp(cmd, "mprotect") == 0 && argc == 3 && expr(argv[0], &a[0]) &&
	    expr(argv[1], &a[1]) && flags(argv[2], prot_names, true, &a[2]))
		return *ok = true, linux_child_mprotect(&child, a[0], a[1], a[2]);
	if (strcmp(cmd, "mlockall") == 0 && argc == 1 && flags(argv[0], mcl_names, false, &a[0]))
		return *ok = true, linux_child_mlockall(&child, a[0]);
	if (strcmp(cmd, "munlockall") == 0 && argc == 0)
		return *ok = true, linux_child_munlockall(&child);
	if (strcmp(cmd, "setrlimit") == 0 && argc == 3 &&
	    flags(argv[0], rlimit_names, false, &a[0]) && expr(argv[1], &a[1]) &&
	    expr(argv[2], &a[2]))
		return *ok = true, linux_child_setrlimit(&child, (unsigned)a[0], a[1], a[2]);
	return 0;
}

static void getrlimit_cmd(const char *line, const char *res)
{
	uint64_t r;
	struct linux_rlimit lim = {0, 0};
	int64_t ret;

	if (!flags(res, rlimit_names, false, &r)) {
		printf("%s => ? (bad resource)\n", line);
		return;
	}
	ret = linux_child_getrlimit(&child, (unsigned)r, &lim);
	print_result(line, ret);
	if (ret == 0)
		printf("  cur %#" PRIx64 " max %#" PRIx64 "\n", lim.cur, lim.max);
}

static void command(char *line)
{
	char copy[512], *argv[8], *name = NULL, *cmd, *save = NULL;
	int argc = 0;
	bool ok;
	int64_t r;

	line[strcspn(line, "#\n")] = '\0';
	if (line[0] == '!') {
		fflush(stdout);
		if (system(line + 1) != 0)
			printf("  (shell command failed)\n");
		return;
	}
	snprintf(copy, sizeof(copy), "%s", line);
	cmd = strtok_r(copy, " \t", &save);
	if (!cmd)
		return;
	if (strcmp(cmd, "echo") == 0) {
		printf("%s\n", line + strspn(line, " \t") + 4);
		return;
	}
	if ((argv[0] = strtok_r(NULL, " \t", &save)) && strcmp(argv[0], "=") == 0) {
		name = cmd;
		cmd = strtok_r(NULL, " \t", &save);
		argv[0] = cmd ? strtok_r(NULL, " \t", &save) : NULL;
	}
	while (argv[argc] && argc < 7)
		argv[++argc] = strtok_r(NULL, " \t", &save);
	if (!cmd)
		return;
	while (*line == ' ' || *line == '\t')
		line++;
	r = run_syscall(cmd, argc, argv, &ok);
	if (ok) {
		print_result(line, r);
		last = (uint64_t)r;
		if (name)
			set_var(name, last);
		if (r == LINUX_CHILD_LOST)
			restart(child.flags);
	} else if (strcmp(cmd, "getrlimit") == 0 && argc == 1) {
		getrlimit_cmd(line, argv[0]);
	} else if (strcmp(cmd, "maps") == 0) {
		print_file(LX_FILE_MAPS);
	} else if (strcmp(cmd, "smaps") == 0) {
		print_file(LX_FILE_SMAPS);
	} else if (strcmp(cmd, "stat") == 0) {
		print_file(LX_FILE_STAT);
	} else if (strcmp(cmd, "status") == 0) {
		print_file(LX_FILE_STATUS);
	} else if (strcmp(cmd, "layout") == 0) {
		struct linux_layout *l = malloc(sizeof(*l));

		if (l && linux_child_layout(&child, l) == 0)
			print_layout(l);
		else
			printf("layout failed: %s\n", child.err);
		free(l);
	} else if (strcmp(cmd, "reset") == 0) {
		if (linux_child_reset(&child) == 0) {
			printf("%s => ok\n", line);
		} else {
			printf("%s => %s; restarting\n", line, child.err);
			restart(child.flags);
		}
	} else if (strcmp(cmd, "restart") == 0) {
		restart(argc && strcmp(argv[0], "keep-caps") == 0 ? LINUX_CHILD_KEEP_CAPS : 0);
		printf("%s => pid %d\n", line, child.pid);
	} else if (strcmp(cmd, "bench") == 0 && argc == 1 && expr(argv[0], &last)) {
		printf("%s => %.1f ns per mmap+munmap\n", line,
		       linux_mmap_munmap_ns(&child, (unsigned)last));
	} else if (strcmp(cmd, "costs") == 0) {
		costs();
	} else {
		printf("%s => ? (unknown command or bad arguments)\n", line);
	}
}

static void run_file(FILE *f)
{
	char line[512];

	while (fgets(line, sizeof(line), f))
		command(line);
}

int main(int argc, char **argv)
{
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (restart(getenv("MMREF_LINUX_SAME_CPU") ? LINUX_CHILD_SAME_CPU : 0) != 0)
		return 1;
	if (argc == 1)
		run_file(stdin);
	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");

		if (!f) {
			perror(argv[i]);
			continue;
		}
		run_file(f);
		fclose(f);
	}
	linux_child_stop(&child);
	return 0;
}
