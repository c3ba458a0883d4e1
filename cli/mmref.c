/* SPDX-License-Identifier: MIT */
/*
 * mmref.c - the mmref command: run, check and decode traces, run benchmarks.
 *
 * How it works
 * ------------
 * One table of commands, each with a one-line summary, its usage text and a function
 * taking (argc, argv) with argv[0] the command's name. Exit codes: 0 ok, 1 a check
 * mismatch (or a decoded fuzz input whose checks broke), 2 usage errors and malformed
 * input (messages on stderr as "file:line:col: message").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "decode.h"
#include "trace.h"
#ifdef MMREF_HAVE_LINUX
#include "driver.h"
#endif
#ifdef MMREF_HAVE_KVM
#include "kvm_diff.h"
#include "sweep.h"
#endif

#define EXIT_MISMATCH	 1
#define EXIT_USAGE	 2
#define EXIT_UNAVAILABLE 3 /* a backend that cannot run on this machine */

extern const char mmref_demo_trace[];

struct command {
	const char *name;
	const char *summary;
	const char *usage;
	int (*fn)(int argc, char **argv);
};

static const struct command *find_command(const char *name);
static void print_help(FILE *out);

static bool is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* If argv[1] asks for help, print the command's usage and return true. */
static bool wants_help(int argc, char **argv)
{
	const struct command *c = find_command(argv[0]);
	int i;

	for (i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(c->usage, stdout);
			return true;
		}
	}
	return false;
}

static int usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr, "mmref %s: %s\n", cmd, msg);
	fprintf(stderr, "Try 'mmref help %s'.\n", cmd);
	return EXIT_USAGE;
}

/* Parse path (or "-"), reporting any error. Returns 0 or EXIT_USAGE. */
static int load(const char *path, struct trace *t)
{
	char err[TRACE_ERR_LEN];

	if (trace_parse_file(path, t, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "%s\n", err);
	return EXIT_USAGE;
}

/* mmref run ------------------------------------------------------------------------ */

static int cmd_run(int argc, char **argv)
{
	struct trace t;
	char err[TRACE_ERR_LEN];
	int rc;

	if (wants_help(argc, argv))
		return 0;
	if (argc > 2)
		return usage_error("run", "too many arguments");
	if (argc == 2 && argv[1][0] == '-' && argv[1][1] != 0)
		return usage_error("run", "unknown option");
	if (argc == 2) {
		rc = load(argv[1], &t);
		if (rc != 0)
			return rc;
	} else if (trace_parse_buffer("<demo>", mmref_demo_trace, strlen(mmref_demo_trace), &t, err,
				      sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err); /* cannot happen: the demo is tested */
		return EXIT_USAGE;
	}
	rc = trace_run_print(&t, stdout);
	trace_free(&t);
	return rc == 0 ? 0 : EXIT_USAGE;
}

/* mmref check ---------------------------------------------------------------------- */

/* --backend NAME or --backend=NAME at argv[*i]: NULL when argv[*i] is not one. */
static const char *backend_arg(int argc, char **argv, int *i, bool *missing)
{
	const char *a = argv[*i];

	*missing = false;
	if (strncmp(a, "--backend=", 10) == 0)
		return a + 10;
	if (strcmp(a, "--backend") != 0)
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

static int cmd_check(int argc, char **argv)
{
	const char *file = NULL;
	struct trace t;
	bool linux_backend = false, kvm_backend = false;
	int i, rc;

	if (wants_help(argc, argv))
		return 0;
	for (i = 1; i < argc; i++) {
		bool missing;
		const char *backend = backend_arg(argc, argv, &i, &missing);

		if (missing)
			return usage_error("check", "--backend needs a value");
		if (backend != NULL) {
			if (strcmp(backend, "linux") == 0) {
				linux_backend = true;
			} else if (strcmp(backend, "kvm") == 0) {
				kvm_backend = true;
			} else if (strcmp(backend, "model") != 0) {
				fprintf(stderr,
					"mmref check: no backend '%s'; the backends are 'model', "
					"'linux' and 'kvm'\n",
					backend);
				return EXIT_USAGE;
			}
		} else if (argv[i][0] == '-' && argv[i][1] != 0) {
			return usage_error("check", "unknown option");
		} else if (file != NULL) {
			return usage_error("check", "only one FILE");
		} else {
			file = argv[i];
		}
	}
	if (file == NULL)
		return usage_error("check", "missing FILE");
	rc = load(file, &t);
	if (rc != 0)
		return rc;
	if (linux_backend) {
#ifdef MMREF_HAVE_LINUX
		rc = linux_check_trace(&t, stdout);
		trace_free(&t);
		return rc == 0	 ? 0
		       : rc == 1 ? EXIT_MISMATCH
		       : rc == 2 ? EXIT_USAGE
				 : EXIT_UNAVAILABLE;
#else
		trace_free(&t);
		fprintf(stderr,
			"mmref check: this build has no linux backend (x86-64 Linux only)\n");
		return EXIT_UNAVAILABLE;
#endif
	}
	if (kvm_backend) {
#ifdef MMREF_HAVE_KVM
		rc = kvm_diff_check_trace(&t, stdout);
		trace_free(&t);
		/* a broken guest (-1: hang, triple fault, odd exit) is a finding, not "cannot run" */
		return rc == 0	 ? 0
		       : rc == 2 ? EXIT_USAGE
		       : rc == 3 ? EXIT_UNAVAILABLE
				 : EXIT_MISMATCH;
#else
		trace_free(&t);
		fprintf(stderr, "mmref check: this build has no kvm backend (x86-64 Linux only)\n");
		return EXIT_UNAVAILABLE;
#endif
	}
	rc = trace_check(&t, stdout);
	trace_free(&t);
	return rc == 0 ? 0 : rc == 1 ? EXIT_MISMATCH : EXIT_USAGE;
}

/* mmref fuzz ------------------------------------------------------------------------ */

static int cmd_fuzz(int argc, char **argv)
{
	double seconds = 10;
	unsigned long long seed = 1, sequences = 0;
	bool linux_backend = false;
	int i;

	if (wants_help(argc, argv))
		return 0;
	for (i = 1; i < argc; i++) {
		bool missing;
		const char *backend = backend_arg(argc, argv, &i, &missing);
		char *end = NULL;

		if (missing)
			return usage_error("fuzz", "--backend needs a value");
		if (backend != NULL) {
			if (strcmp(backend, "linux") != 0)
				return usage_error("fuzz", "the only fuzz backend is 'linux' (the "
							   "model's own fuzzers are fuzz/fuzz_*)");
			linux_backend = true;
		} else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			seconds = strtod(argv[++i], &end);
			if (*end != '\0' || !(seconds > 0))
				return usage_error("fuzz", "--seconds needs a positive number");
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			seed = strtoull(argv[++i], &end, 0);
			if (*end != '\0')
				return usage_error("fuzz", "--seed needs a number");
		} else if (strcmp(argv[i], "--sequences") == 0 && i + 1 < argc) {
			sequences = strtoull(argv[++i], &end, 0);
			if (*end != '\0')
				return usage_error("fuzz", "--sequences needs a number");
		} else {
			return usage_error("fuzz", "unknown argument");
		}
	}
	if (!linux_backend)
		return usage_error("fuzz", "say --backend linux");
#ifdef MMREF_HAVE_LINUX
	{
		struct linux_fuzz_stats st;
		int rc = linux_fuzz(seconds, sequences, seed, stdout, &st);

		printf("linux.fuzz.sequences %llu\n", (unsigned long long)st.sequences);
		printf("linux.fuzz.ops %llu\n", (unsigned long long)st.ops);
		printf("linux.fuzz.sequences_per_s %.1f seq/s\n",
		       st.seconds > 0 ? (double)st.sequences / st.seconds : 0.0);
		printf("linux.fuzz.mismatches %d\n", rc == 1 ? 1 : 0);
		return rc == 0 ? 0 : rc == 1 ? EXIT_MISMATCH : EXIT_UNAVAILABLE;
	}
#else
	fprintf(stderr, "mmref fuzz: this build has no linux backend (x86-64 Linux only)\n");
	return EXIT_UNAVAILABLE;
#endif
}

/* mmref decode --------------------------------------------------------------------- */

/* Read all of path into *data (malloc'ed), *size set. Returns 0 or -1 (reported). */
static int read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			uint8_t *q = cap >= TRACE_MAX_FILE ? NULL : realloc(buf, cap + 65536);

			if (q == NULL) {
				fprintf(stderr, "%s: too large\n", path);
				free(buf);
				if (f != stdin)
					fclose(f);
				return -1;
			}
			buf = q;
			cap += 65536;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (f != stdin)
		fclose(f);
	*data = buf;
	*size = len;
	return 0;
}

static int cmd_decode(int argc, char **argv)
{
	uint8_t *data;
	size_t size;
	int rc;

	if (wants_help(argc, argv))
		return 0;
	if (argc != 3)
		return usage_error("decode", "need FUZZER and INPUT");
	if (read_file(argv[2], &data, &size) != 0)
		return EXIT_USAGE;
	rc = decode_fuzz_input(argv[1], data, size, stdout);
	free(data);
	if (rc < 0) {
		fprintf(stderr, "mmref decode: unknown fuzzer '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	return rc == 0 ? 0 : EXIT_MISMATCH;
}

/* mmref sweep ---------------------------------------------------------------------- */

/* Parse a number option's value into *v. Returns false when it is not a number. */
static bool number_arg(const char *s, unsigned long long *v)
{
	char *end = NULL;

	if (*s == '\0' || *s == '-')
		return false;
	*v = strtoull(s, &end, 0);
	return *end == '\0';
}

static int cmd_sweep(int argc, char **argv)
{
#ifdef MMREF_HAVE_KVM
	struct sweep_opts o;
	int i;

	if (wants_help(argc, argv))
		return 0;
	sweep_opts_default(&o);
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i];
		unsigned long long v = 0;

		if (strcmp(opt, "--reduced") == 0) {
			o.reduced = true;
			continue;
		}
		if (strcmp(opt, "--no-progress") == 0) {
			o.progress_s = 0;
			continue;
		}
		if (i + 1 >= argc)
			return usage_error("sweep",
					   "unknown option, or an option without its value");
		if (strcmp(opt, "--repro-dir") == 0) {
			o.repro_dir = argv[++i];
			continue;
		}
		if (!number_arg(argv[++i], &v))
			return usage_error("sweep", "an option's value is not a number");
		if (strcmp(opt, "--stride") == 0 && v > 0)
			o.stride = v;
		else if (strcmp(opt, "--seed") == 0)
			o.seed = v;
		else if (strcmp(opt, "--limit") == 0)
			o.limit = v;
		else if (strcmp(opt, "--case") == 0 && v < (1ull << 62))
			o.only_case = (int64_t)v;
		else if (strcmp(opt, "--max-mismatches") == 0 && v > 0 && v < (1ull << 31))
			o.max_mismatches = (uint32_t)v;
		else
			return usage_error("sweep", "unknown option, or a value out of range");
	}
	return sweep_run(&o, stdout, stderr);
#else
	if (wants_help(argc, argv))
		return 0;
	fprintf(stderr, "mmref sweep: this build has no kvm backend (x86-64 Linux only)\n");
	return EXIT_UNAVAILABLE;
#endif
}

/* mmref bench, mmref help ---------------------------------------------------------- */

static int cmd_bench(int argc, char **argv)
{
	return bench_main(argc, argv);
}

static int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		print_help(stdout);
		return 0;
	}
	c = find_command(argv[1]);
	if (c == NULL) {
		fprintf(stderr, "mmref help: no command '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	fputs(c->usage, stdout);
	return 0;
}

static const struct command commands[] = {
    {"run", "run a trace and print it with every result filled in",
     "Usage: mmref run [FILE]\n"
     "\n"
     "Run the .mmt trace FILE ('-' for stdin) on a fresh model machine and print it\n"
     "back as a valid trace: every op with '=> result', comments and blank lines\n"
     "kept, the output of buddyinfo and slabinfo as '| ' lines. Expectations already\n"
     "in FILE are replaced, not checked (use 'mmref check' for that).\n"
     "\n"
     "Without FILE, run the built-in demo: boot, the buddy allocator splitting and\n"
     "merging, the slab allocator, kmalloc size classes and the errors Linux answers\n"
     "bad frees with. Save its output to get a trace to edit:\n"
     "    mmref run > demo.mmt && mmref check demo.mmt\n"
     "\n"
     "Exit: 0 ok; 2 malformed trace (file:line:col: message on stderr).\n"
     "The trace format: docs/trace-format.md.\n",
     cmd_run},
    {"check", "run a trace and compare every expected result",
     "Usage: mmref check [--backend model|linux] FILE\n"
     "\n"
     "Run the .mmt trace FILE ('-' for stdin) and compare the result of every op that\n"
     "has '=> EXPECTED' and every '| ' output line with what the model gives (blanks\n"
     "collapsed). At the first difference print\n"
     "    FILE:LINE: expected '...', got '...'\n"
     "and the three ops before it with their results, and exit 1. When everything\n"
     "matches print 'check: N ops, M expectations, all match' and exit 0.\n"
     "\n"
     "  --backend model  (the default) as above.\n"
     "  --backend linux  run the address-space ops (process, brk, mmap, munmap,\n"
     "                   mprotect, mlockall, munlockall, rlimit) on the model and in\n"
     "                   a child process on this kernel, side by side, and compare\n"
     "                   every result and the whole maps after every op; on a\n"
     "                   difference print both maps side by side. The model starts\n"
     "                   from the child's own layout; '=>' lines are not used.\n"
     "\n"
     "Exit: 0 all match; 1 a difference; 2 usage error or malformed trace (or an op\n"
     "the linux backend cannot run: sysctl); 3 the backend cannot run here.\n",
     cmd_check},
    {"fuzz", "random op sequences, model against the live kernel",
     "Usage: mmref fuzz --backend linux [--seconds S] [--seed N] [--sequences N]\n"
     "\n"
     "Generate random address-space op sequences (mmap fixed/hinted/hint-less,\n"
     "shared, growsdown, populate, 2 and 4 MiB lengths; munmap; mprotect; brk; the\n"
     "error cases; RLIMIT_DATA) and run each on the model and in a child process on\n"
     "this kernel, comparing every result and the whole maps after every op. The\n"
     "child is reset between sequences. Stops after S seconds (default 10) or N\n"
     "sequences, or at the first difference, printed as a .mmt reproducer.\n"
     "Prints linux.fuzz.* figures, including sequences per second.\n"
     "\n"
     "Exit: 0 all agreed; 1 a difference; 2 usage; 3 no child can run here.\n",
     cmd_fuzz},
    {"decode", "print a fuzzer input as a readable trace",
     "Usage: mmref decode FUZZER INPUT\n"
     "\n"
     "Decode the fuzzer input file INPUT the way FUZZER (fuzz_buddy, fuzz_slab; the\n"
     "fuzz_ prefix is optional) does, run it with the fuzzer's checks, and print it as\n"
     "an .mmt trace with results, ending with a comment on any check that broke.\n"
     "\n"
     "Exit: 0 every check held; 1 a check broke; 2 unknown fuzzer or unreadable INPUT.\n",
     cmd_decode},
    {"sweep", "every page-table configuration x CPU mode x access, KVM guest vs model",
     "Usage: mmref sweep [--reduced] [--stride N] [--seed N] [--limit N] [--case N]\n"
     "                   [--max-mismatches N] [--repro-dir DIR] [--no-progress]\n"
     "\n"
     "The exhaustive page-walk sweep (kvm-unit-tests' x86/access.c and beyond): every\n"
     "configuration of one address's page-table path (P/RW/US/A/D/NX/PS, ignored and\n"
     "reserved bits at every level: PML5E, PML4E, PDPTE, PDE, PTE; 4 KiB, 2 MiB and\n"
     "1 GiB pages) under every CPU mode (LA57, EFER.NXE, CR0.WP, CR4.SMEP, CR4.SMAP\n"
     "with RFLAGS.AC, CR4.PKE with the page's key and PKRU AD/WD), for every access\n"
     "(kernel/user x read/write/fetch, on a cold TLB and after a kernel read). The KVM\n"
     "guest performs each access on the model's own tables and the result -- fault or\n"
     "not, error code, CR2, the data, A/D at every level -- is compared with the model's\n"
     "mmu_walk(). What the vCPU lacks is skipped and counted, never faked.\n"
     "Enumeration: docs/kvm-sweep.md.\n"
     "\n"
     "  --reduced          every Nth case of the full enumeration, N chosen so that\n"
     "                     about 20000 of the cases this vCPU can run are run (every\n"
     "                     mode, family and access stays represented): for tests,\n"
     "                     well under 60 s\n"
     "  --stride N         every Nth case (index % N == seed % N)\n"
     "  --seed N           which residue --stride/--reduced take (default 0)\n"
     "  --limit N          stop after N cases\n"
     "  --case N           run case N only (the reproducers name it)\n"
     "  --max-mismatches N stop after N differences (default 10)\n"
     "  --repro-dir DIR    also write each reproducer to DIR/sweep-case-N.txt\n"
     "  --no-progress      no progress line on stderr (default: every 2 s)\n"
     "\n"
     "Each difference is printed kvm-unit-tests style (entries with flag names, CPU\n"
     "mode, expected and observed outcome) with a reproducer: the case as text (CPU\n"
     "mode, access, the entry of every level). Prints sweep.* figures: cases run,\n"
     "mismatches, cases/s, and the oracle (which code walked the guest's tables).\n"
     "\n"
     "Exit: 0 all agree; 1 a difference, or the guest or KVM failed; 2 usage;\n"
     "3 KVM cannot run here (\"SKIP: reason\").\n",
     cmd_sweep},
    {"bench", "run a benchmark (mmref bench alloc)",
     "Usage: mmref bench NAME [ARGS]\n"
     "\n"
     "Run a benchmark; each prints '<figure> <value> <unit>' lines. 'mmref bench'\n"
     "alone lists them.\n",
     cmd_bench},
    {"help", "show help for a command",
     "Usage: mmref help [COMMAND]\n"
     "\n"
     "Show the help of COMMAND, or the list of commands.\n",
     cmd_help},
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void print_help(FILE *out)
{
	size_t i;

	fputs("Usage: mmref COMMAND [ARGS]\n"
	      "\n"
	      "mmref is an executable model of Linux memory management (buddy allocator,\n"
	      "slab allocator). It runs .mmt traces: one kernel operation a line, with the\n"
	      "result the model predicts after '=>'.\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\n"
	      "'mmref help COMMAND' or 'mmref COMMAND --help' for more.\n"
	      "Exit codes: 0 ok, 1 check mismatch, 2 usage error or malformed input.\n",
	      out);
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (is_help(argv[1])) {
		print_help(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("mmref 0.1.0\n");
		return 0;
	}
	c = find_command(argv[1]);
	if (c == NULL) {
		fprintf(stderr, "mmref: unknown command '%s'\n", argv[1]);
		fprintf(stderr, "Try 'mmref --help'.\n");
		return EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}
