/*
 * edge-exec: the last program every process edge starts in a container runs before the container's own.
 *
 * Why: a process edge starts in a container is a clone of edge, so until it execs, /proc/self/exe is the
 * host's edge binary. If it exec'd the container's program directly, a program that is a script starting
 * "#!/proc/self/exe" would have the kernel run the *host binary* inside the container, where the container
 * could then open /proc/PID/exe and rewrite it (CVE-2019-5736). So edge execs this stub instead, from a
 * sealed memfd made fresh for each container process (Native/init.c, make_exec_stub), and the stub execs
 * the container's program. Whatever the container does with /proc/self/exe now reaches a sealed copy of
 * these few hundred bytes, never a file on the host.
 *
 * argv: "edge-exec", REPORT_FD, STEP, PATH, ARGV0, ARGV1, ...; the environment is the process's own.
 * On success the process is PATH with ARGV0...; on failure (STEP, errno) is written to REPORT_FD (the
 * init's sync socket, or a pipe for hooks: the same message init.c sends) and the stub exits 127.
 * REPORT_FD is made close-on-exec first, so the container never inherits it.
 *
 * Freestanding: no libc, four system calls, nothing else. Built with -nostdlib -static for the target
 * (Edge.Cli.csproj, EdgeCompileInit) and embedded into init.o with .incbin.
 */
#include <asm/unistd.h>

#define F_SETFD 2
#define FD_CLOEXEC 1

#if defined(__x86_64__)
static long sys3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}
__asm__(".text\n.global _start\n_start:\n\txor %rbp, %rbp\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall stub_main\n\thlt\n");
#elif defined(__aarch64__)
static long sys3(long n, long a, long b, long c)
{
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}
__asm__(".text\n.global _start\n_start:\n\tmov x0, sp\n\tbl stub_main\n\tbrk #0\n");
#else
#error "edge-exec: unsupported architecture"
#endif

static int equal(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

static int number(const char *s, long *out)
{
    long v = 0, sign = 1;
    if (*s == '-') { sign = -1; s++; }
    if (!*s) return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000000) return 0;
        v = v * 10 + (*s - '0');
    }
    *out = v * sign;
    return 1;
}

static void say(const char *text)
{
    long n = 0;
    while (text[n]) n++;
    sys3(__NR_write, 2, (long)text, n);
}

void stub_main(long *sp) __attribute__((noreturn, used));
void stub_main(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    long fd = -1, step = 0; /* set by number(); initialised for compilers that cannot see exit_group ends the branch */
    if (argc < 5 || !equal(argv[0], "edge-exec") || !number(argv[1], &fd) || !number(argv[2], &step)) {
        say("edge-exec: this program only starts a container's process for edge\n");
        sys3(__NR_exit_group, 127, 0, 0);
    }
    /* If the descriptor cannot be made close-on-exec (a seccomp filter), it is closed: the container must
     * not inherit it, and the error then goes to stderr. */
    if (fd >= 0 && sys3(__NR_fcntl, fd, F_SETFD, FD_CLOEXEC) != 0) {
        sys3(__NR_close, fd, 0, 0);
        fd = -1;
    }
    long rc = sys3(__NR_execve, (long)argv[3], (long)(argv + 4), (long)envp);
    if (fd >= 0) {
        int message[3] = { 2, (int)step, (int)-rc };
        sys3(__NR_write, fd, (long)message, sizeof message);
    } else {
        say("edge-exec: exec failed\n");
    }
    sys3(__NR_exit_group, 127, 0, 0);
    for (;;) {}
}
