/* SPDX-License-Identifier: MIT */
/*
 * child.c - mmref-linux-child: the process whose address space the live kernel manages
 * while the model predicts it. Freestanding, static, non-PIE x86-64; no libc.
 *
 * How it works
 * ------------
 * The parent (linux_backend.c) forks, turns ASLR and THP off for the new process, puts
 * one end of a socketpair on fd LX_FD and execs this program. _start calls child_main(),
 * which drops every capability (unless argv[1] is "--keep-caps") and then loops: read
 * one struct lx_request, run the one syscall it names, write the reply (linux_protocol.h).
 *
 * The program never calls brk or mmap on its own behalf: every buffer is static (.bss)
 * and the stack is the one the kernel set up at execve. So its address space right
 * after execve is fixed by the ELF file alone:
 *
 *   0x400000 r--p  ELF headers     (the binary)
 *   0x401000 r-xp  .text           (the binary)
 *   ...      r--p  .rodata         (the binary)
 *   ...      rw-p  .data           (the binary)
 *   ...      rw-p  .bss            (anonymous)
 *   7ffff7ff.. [vvar] [vvar_vclock] [vdso]  7ffffffde000 [stack]  [vsyscall]
 *
 * and every later change to it is one the parent asked for.
 *
 * Why capabilities are dropped: the parent runs as root, and root's capabilities change
 * what mm syscalls answer: CAP_SYS_RAWIO lets MAP_FIXED go below vm.mmap_min_addr
 * (otherwise -EPERM), CAP_IPC_LOCK bypasses RLIMIT_MEMLOCK for mlock/mlockall/MAP_LOCKED,
 * CAP_SYS_RESOURCE lets setrlimit raise a hard limit, CAP_SYS_ADMIN changes the
 * overcommit reserve. The model describes an ordinary process, so the child is one.
 * Only the capability sets are emptied; the uid stays 0, which no mm path looks at.
 */
#include <stddef.h>
#include <stdint.h>

#include "linux_protocol.h"

/* x86-64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl, a fact of the ABI). */
enum {
	NR_read = 0,
	NR_write = 1,
	NR_close = 3,
	NR_lseek = 8,
	NR_mmap = 9,
	NR_mprotect = 10,
	NR_munmap = 11,
	NR_brk = 12,
	NR_rt_sigaction = 13,
	NR_exit = 60,
	NR_getrlimit = 97,
	NR_getrusage = 98,
	NR_capset = 126,
	NR_mlockall = 151,
	NR_munlockall = 152,
	NR_setrlimit = 160,
	NR_clock_gettime = 228,
	NR_exit_group = 231,
	NR_openat = 257,
};

#define AT_FDCWD	  (-100)
#define O_RDONLY	  0
#define O_CLOEXEC	  02000000
#define SEEK_SET	  0
#define PROT_RW		  3
#define MAP_PRIVATE_ANON  0x22
#define MAP_FIXED	  0x10
#define CLOCK_MONOTONIC	  1
#define ENOSYS		  38
#define EINVAL		  22
#define SIGBUS		  7
#define SIGSEGV		  11
#define SA_SIGINFO	  0x4
#define SA_RESTORER	  0x04000000
#define RUSAGE_SELF	  0
#define UC_RIP		  168 /* ucontext: uc_mcontext (at 40) .rip (gregs[16]) */
#define PAGE_SIZE	  4096ul
#define CAP_VERSION_3	  0x20080522
#define EXIT_BAD_REQUEST  2
#define EXIT_CAPSET_FAILS 3
#define EXIT_SIGACTION_FAILS 4

/* One syscall: number in rax, arguments in rdi rsi rdx r10 r8 r9; result in rax. */
static inline long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long sys3(long nr, long a, long b, long c)
{
	return sys6(nr, a, b, c, 0, 0, 0);
}

/* Compilers may emit calls to these for struct copies and zeroing; no libc provides them. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

void *memset(void *dst, int c, size_t n)
{
	volatile unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

static __attribute__((noreturn)) void child_exit(int code)
{
	for (;;)
		sys3(NR_exit_group, code, 0, 0);
}

/* Static buffers: the child's only memory besides its stack. */
static struct lx_request req;
static unsigned char payload[LX_CHUNK];
static struct {
	struct lx_reply hdr;
	unsigned char data[LX_CHUNK];
} out;
static long file_fd[LX_FILE_NR] = {-1, -1, -1, -1};

static const char *const file_path[LX_FILE_NR] = {
    [LX_FILE_MAPS] = "/proc/self/maps",
    [LX_FILE_STAT] = "/proc/self/stat",
    [LX_FILE_SMAPS] = "/proc/self/smaps",
    [LX_FILE_STATUS] = "/proc/self/status",
};

/* read()/write() until n bytes moved; false on EOF or error. */
static int read_full(void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n) {
		long r = sys3(NR_read, LX_FD, (long)p, (long)n);

		if (r <= 0)
			return 0;
		p += r;
		n -= (size_t)r;
	}
	return 1;
}

static void write_full(const void *buf, size_t n)
{
	const unsigned char *p = buf;

	while (n) {
		long r = sys3(NR_write, LX_FD, (long)p, (long)n);

		if (r <= 0)
			child_exit(0); /* the parent is gone */
		p += r;
		n -= (size_t)r;
	}
}

/* Send one frame: out.hdr plus the first len bytes of out.data. */
static void send_frame(int64_t ret, uint32_t len, uint32_t more)
{
	out.hdr.ret = ret;
	out.hdr.len = len;
	out.hdr.more = more;
	write_full(&out, sizeof(out.hdr) + len);
}

static void reply(int64_t ret)
{
	send_frame(ret, 0, 0);
}

/*
 * READ: the whole file, in frames of up to LX_CHUNK bytes. The fd stays open between
 * requests (seq_file regenerates the text after a seek to 0), saving an openat per read.
 */
static void do_read(uint64_t which)
{
	int64_t total = 0;
	uint32_t fill = 0;
	long fd, r;

	if (which >= LX_FILE_NR) {
		reply(-EINVAL);
		return;
	}
	if (file_fd[which] < 0) {
		fd = sys6(NR_openat, AT_FDCWD, (long)file_path[which], O_RDONLY | O_CLOEXEC, 0, 0,
			  0);
		if (fd < 0) {
			reply(fd);
			return;
		}
		file_fd[which] = fd;
	}
	fd = file_fd[which];
	r = sys3(NR_lseek, fd, 0, SEEK_SET);
	if (r < 0) {
		reply(r);
		return;
	}
	for (;;) {
		r = sys3(NR_read, fd, (long)(out.data + fill), (long)(LX_CHUNK - fill));
		if (r < 0) {
			send_frame(r, 0, 0);
			return;
		}
		if (r == 0) {
			send_frame(total, fill, 0);
			return;
		}
		fill += (uint32_t)r;
		total += r;
		if (fill == LX_CHUNK) {
			send_frame(0, fill, 1);
			fill = 0;
		}
	}
}

static void do_getrlimit(uint64_t resource)
{
	uint64_t lim[2];
	long r = sys3(NR_getrlimit, (long)resource, (long)lim, 0);

	if (r < 0) {
		reply(r);
		return;
	}
	memcpy(out.data, lim, sizeof(lim));
	send_frame(0, sizeof(lim), 0);
}

static void do_setrlimit(uint64_t resource, uint64_t cur, uint64_t max)
{
	uint64_t lim[2] = {cur, max};

	reply(sys3(NR_setrlimit, (long)resource, (long)lim, 0));
}

/*
 * RESET: munlockall, brk back to arg0, munmap every (start, end) pair of the payload.
 * brk only shrinks when some VMA lies in [new brk, old brk); if the heap was unmapped
 * by a test, one page is mapped there first so the shrink happens and mm->brk is reset.
 */
static long reset_brk(uint64_t target)
{
	long cur = sys3(NR_brk, (long)target, 0, 0);
	uint64_t lo = (target + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	if ((uint64_t)cur == target)
		return 0;
	if ((uint64_t)cur > lo)
		sys6(NR_mmap, (long)lo, PAGE_SIZE, PROT_RW, MAP_PRIVATE_ANON | MAP_FIXED, -1, 0);
	cur = sys3(NR_brk, (long)target, 0, 0);
	return (uint64_t)cur == target ? 0 : -EINVAL;
}

static void do_reset(uint64_t brk, uint32_t payload_len)
{
	const uint64_t *range = (const uint64_t *)payload;
	long first = sys3(NR_munlockall, 0, 0, 0);
	long r = reset_brk(brk);
	uint32_t i;

	if (first == 0)
		first = r;
	for (i = 0; i + 1 < payload_len / 8; i += 2) {
		r = sys3(NR_munmap, (long)range[i], (long)(range[i + 1] - range[i]), 0);
		if (first == 0)
			first = r;
	}
	reply(first);
}

static int64_t now_ns(void)
{
	int64_t ts[2];

	sys3(NR_clock_gettime, CLOCK_MONOTONIC, (long)ts, 0);
	return ts[0] * 1000000000 + ts[1];
}

/* BENCH: N anonymous 4 KiB mmap + munmap pairs, timed here so the pipe is not counted. */
static void do_bench(uint64_t n)
{
	int64_t t0 = now_ns();
	uint64_t i;

	for (i = 0; i < n; i++) {
		long a = sys6(NR_mmap, 0, PAGE_SIZE, PROT_RW, MAP_PRIVATE_ANON, -1, 0);

		if (a < 0) {
			reply(a);
			return;
		}
		sys3(NR_munmap, a, PAGE_SIZE, 0);
	}
	reply(now_ns() - t0);
}

/*
 * TOUCH: one access by one fixed instruction, in asm, so that the handler knows where it
 * is and where to resume:
 *   lx_read_insn:   movb (%rdi), %al        a read
 *   lx_write_insn:  lock orb $0, (%rdi)     a write that leaves the byte as it was (a
 *                                           locked RMW faults as a write: W=1, one fault)
 * A fault the kernel does not fix raises SIGSEGV (or SIGBUS); on_fault() records signo,
 * si_code and si_addr and moves RIP to lx_touch_resume, so the touch returns as if the
 * access had completed. A signal at any other RIP is a real crash: the default action
 * is restored and the instruction faults again, killing the child. The minor and major
 * fault counts are read with getrusage() right before and after the access; nothing in
 * between can fault but the access itself (the signal frame goes on the stack, whose top
 * 32 KiB prefault() made resident, like all of .data and .bss).
 *
 * With use_pkru, PKRU holds pkru for the access alone (WRPKRU before, the old value back
 * at lx_touch_resume, before the ret reads the stack): the child's own pages have key 0
 * too, so a PKRU that denies key 0 must not outlive the access. The kernel delivers the
 * signal with its default PKRU and rt_sigreturn brings the touch's PKRU back, which
 * lx_touch_resume then undoes.
 *
 *   void lx_touch(uint64_t addr, uint64_t write, uint64_t pkru, uint64_t use_pkru)
 */
void lx_touch(uint64_t addr, uint64_t write, uint64_t pkru, uint64_t use_pkru);
void lx_restorer(void);
extern const char lx_read_insn[], lx_write_insn[], lx_touch_resume[];

__asm__(".text\n"
	"lx_touch:\n"
	"	xor %r10d, %r10d\n"
	"	test %ecx, %ecx\n"
	"	jz 1f\n"
	"	mov %edx, %r8d\n"
	"	xor %ecx, %ecx\n"
	"	rdpkru\n" /* eax = PKRU, edx = 0 */
	"	mov %eax, %r9d\n"
	"	mov %r8d, %eax\n"
	"	wrpkru\n" /* ecx = edx = 0 */
	"	mov $1, %r10d\n"
	"1:	test %esi, %esi\n"
	"	jnz 2f\n"
	"lx_read_insn:\n"
	"	movb (%rdi), %al\n"
	"	jmp lx_touch_resume\n"
	"2:\n"
	"lx_write_insn:\n"
	"	lock orb $0, (%rdi)\n"
	"lx_touch_resume:\n"
	"	test %r10d, %r10d\n"
	"	jz 3f\n"
	"	mov %r9d, %eax\n"
	"	xor %ecx, %ecx\n"
	"	xor %edx, %edx\n"
	"	wrpkru\n"
	"3:	ret\n"
	"lx_restorer:\n" /* SA_RESTORER: the handler returns here */
	"	mov $15, %eax\n"  /* rt_sigreturn */
	"	syscall\n");

static volatile int32_t fault_signo, fault_code;
static volatile uint64_t fault_addr;
static int has_pku; /* CPUID.(EAX=7,ECX=0):ECX.OSPKE[bit 4]: RDPKRU/WRPKRU work */

static long set_handler(long sig, void *handler)
{
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		uint64_t mask;
	} sa = {handler, SA_SIGINFO | SA_RESTORER, (void *)lx_restorer, 0};

	return sys6(NR_rt_sigaction, sig, (long)&sa, 0, sizeof(sa.mask), 0, 0);
}

/* siginfo: si_signo, si_errno, si_code (int32 each), then si_addr at 16. */
static void on_fault(int sig, void *info, void *ucontext)
{
	uint64_t *rip = (uint64_t *)((char *)ucontext + UC_RIP);

	if (*rip != (uint64_t)lx_read_insn && *rip != (uint64_t)lx_write_insn) {
		set_handler(sig, 0); /* SIG_DFL */
		return;
	}
	fault_signo = sig;
	fault_code = ((const int32_t *)info)[2];
	fault_addr = *(const uint64_t *)((const char *)info + 16);
	*rip = (uint64_t)lx_touch_resume;
}

static int ospke(void)
{
	uint32_t a = 7, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (c >> 4) & 1;
}

/* ru_minflt and ru_majflt: words 8 and 9 of struct rusage (after two timevals, 4 longs). */
static void faults(uint64_t *minflt, uint64_t *majflt)
{
	uint64_t ru[18];

	sys3(NR_getrusage, RUSAGE_SELF, (long)ru, 0);
	*minflt = ru[8];
	*majflt = ru[9];
}

static void do_touch(uint64_t addr, uint64_t kind, uint64_t pkru, uint64_t use_pkru)
{
	struct lx_touch_reply *t = (struct lx_touch_reply *)out.data;

	if (kind > LX_TOUCH_WRITE || (use_pkru && !has_pku)) {
		reply(kind == LX_TOUCH_FETCH || use_pkru ? -ENOSYS : -EINVAL);
		return;
	}
	fault_signo = 0;
	fault_code = 0;
	fault_addr = 0;
	faults(&t->minflt_before, &t->majflt_before);
	lx_touch(addr, kind == LX_TOUCH_WRITE, pkru, use_pkru);
	faults(&t->minflt_after, &t->majflt_after);
	t->signo = fault_signo;
	t->sig_code = fault_code;
	t->sig_addr = fault_addr;
	send_frame(0, sizeof(*t), 0);
}

/* BENCH_FAULT: write every page of a fresh anonymous mapping once, timed here. */
static void do_bench_fault(uint64_t bytes)
{
	uint64_t *f = (uint64_t *)out.data, min0, min1, maj;
	long a = sys6(NR_mmap, 0, (long)bytes, PROT_RW, MAP_PRIVATE_ANON, -1, 0);
	int64_t t0, t;
	uint64_t i;

	if (a < 0) {
		reply(a);
		return;
	}
	faults(&min0, &maj);
	t0 = now_ns();
	for (i = 0; i < bytes; i += PAGE_SIZE)
		*(volatile unsigned char *)(a + i) = 1;
	t = now_ns() - t0;
	faults(&min1, &maj);
	sys3(NR_munmap, a, (long)bytes, 0);
	f[0] = min1 - min0;
	send_frame(t, sizeof(uint64_t), 0);
}

static void do_getrusage(void)
{
	uint64_t *f = (uint64_t *)out.data;

	faults(&f[0], &f[1]);
	send_frame(0, 2 * sizeof(uint64_t), 0);
}

/*
 * Make the child's own memory resident once, so that its RSS stays put while it serves
 * requests (a long reply would otherwise fault in more of out.data): every page of
 * .data and .bss, and the top 32 KiB of the stack below this frame.
 */
extern unsigned char __bss_start[], _end[]; /* from the linker's default script */

static __attribute__((noinline)) void prefault(void)
{
	volatile unsigned char stack[32768];
	volatile unsigned char *p;
	size_t i;

	for (i = 0; i < sizeof(stack); i += PAGE_SIZE)
		stack[i] = 0;
	file_fd[0] = file_fd[0]; /* .data */
	for (p = __bss_start; p < _end; p += PAGE_SIZE)
		*p = *p;
	p = (volatile unsigned char *)((uintptr_t)_end - 1); /* the last page */
	*p = *p;
}

/* One request: the switch mirrors enum lx_op. */
static void serve(void)
{
	const uint64_t *a = req.arg;

	switch (req.op) {
	case LX_OP_BRK:
		reply(sys3(NR_brk, (long)a[0], 0, 0));
		break;
	case LX_OP_MMAP:
		reply(sys6(NR_mmap, (long)a[0], (long)a[1], (long)a[2], (long)a[3], -1, 0));
		break;
	case LX_OP_MUNMAP:
		reply(sys3(NR_munmap, (long)a[0], (long)a[1], 0));
		break;
	case LX_OP_MPROTECT:
		reply(sys3(NR_mprotect, (long)a[0], (long)a[1], (long)a[2]));
		break;
	case LX_OP_MLOCKALL:
		reply(sys3(NR_mlockall, (long)a[0], 0, 0));
		break;
	case LX_OP_MUNLOCKALL:
		reply(sys3(NR_munlockall, 0, 0, 0));
		break;
	case LX_OP_SETRLIMIT:
		do_setrlimit(a[0], a[1], a[2]);
		break;
	case LX_OP_GETRLIMIT:
		do_getrlimit(a[0]);
		break;
	case LX_OP_READ:
		do_read(a[0]);
		break;
	case LX_OP_RESET:
		do_reset(a[0], req.payload_len);
		break;
	case LX_OP_BENCH:
		do_bench(a[0]);
		break;
	case LX_OP_EXIT:
		reply(0);
		child_exit(0);
	case LX_OP_TOUCH:
		do_touch(a[0], a[1], a[2], a[3]);
		break;
	case LX_OP_GETRUSAGE:
		do_getrusage();
		break;
	case LX_OP_BENCH_FAULT:
		do_bench_fault(a[0]);
		break;
	/* PAGEMAP: the parent reads /proc/PID/pagemap itself (here, without CAP_SYS_ADMIN,
	 * every PFN would read as 0). */
	default:
		reply(-ENOSYS);
		break;
	}
}

/* Empty effective, permitted and inheritable sets: an unprivileged process from now on. */
static void drop_capabilities(void)
{
	struct {
		uint32_t version;
		int32_t pid;
	} hdr = {CAP_VERSION_3, 0};
	uint32_t data[6] = {0, 0, 0, 0, 0, 0};

	if (sys3(NR_capset, (long)&hdr, (long)data, 0) != 0)
		child_exit(EXIT_CAPSET_FAILS);
}

static int is_keep_caps(const char *s)
{
	const char *k = "--keep-caps";

	while (*s && *s == *k) {
		s++;
		k++;
	}
	return *s == 0 && *k == 0;
}

__attribute__((noreturn, used)) void child_main(uint64_t *sp);

/* sp points at argc, then argv[0..argc-1], NULL, envp..., as execve left them. */
__attribute__((noreturn, used)) void child_main(uint64_t *sp)
{
	uint64_t argc = sp[0];
	const char *const *argv = (const char *const *)(sp + 1);

	if (!(argc >= 2 && is_keep_caps(argv[1])))
		drop_capabilities();
	if (set_handler(SIGSEGV, (void *)on_fault) != 0 || set_handler(SIGBUS, (void *)on_fault) != 0)
		child_exit(EXIT_SIGACTION_FAILS);
	prefault();
	has_pku = ospke();
	for (;;) {
		if (!read_full(&req, sizeof(req)))
			child_exit(0);
		if (req.payload_len > LX_CHUNK || !read_full(payload, req.payload_len))
			child_exit(EXIT_BAD_REQUEST);
		serve();
	}
}

/* The entry point: no frame, align the stack, pass the initial stack pointer. */
__asm__(".text\n"
	".global _start\n"
	".type _start, @function\n"
	"_start:\n"
	"	xor %ebp, %ebp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call child_main\n"
	"	hlt\n");
