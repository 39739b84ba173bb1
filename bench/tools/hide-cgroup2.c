/* Runs a command in a private mount namespace without /sys/fs/cgroup/unified.
 *
 * crun 1.8 refuses this host's hybrid cgroups (v1 controllers plus a cgroup2 mount), so every runtime
 * in a comparison runs through this wrapper, and what it costs is counted on every side alike. It replaced
 * `unshare -m sh -c 'umount ...; exec ...'` (about 16 ms: three execs). It is freestanding, without libc,
 * for the same reason: a static glibc program runs 68 CPUID instructions while it starts (cache sizes), and
 * a virtual machine traps each one; on the bench host that was 0.9 ms of every command
 * (bench/results/size.md, "Tenth round").
 *
 * Built by bench/tools/build-hide-cgroup2.sh. The command is looked up in PATH as execvp(3) does. */
#include <asm/unistd.h>

#define CLONE_NEWNS 0x00020000
#define MS_REC 0x4000
#define MS_PRIVATE 0x40000
#define MNT_DETACH 2
#define ENOENT 2
#define EACCES 13
#define ENOTDIR 20
#define PATH_BUFFER 4096

#if defined(__x86_64__)
static long sys5(long n, long a, long b, long c, long d, long e)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
    return r;
}
__asm__(".text\n.global _start\n_start:\n\txor %rbp, %rbp\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall wrapper_main\n\thlt\n");
#elif defined(__aarch64__)
static long sys5(long n, long a, long b, long c, long d, long e)
{
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
    return x0;
}
__asm__(".text\n.global _start\n_start:\n\tmov x0, sp\n\tbl wrapper_main\n\tbrk #0\n");
#else
#error "hide-cgroup2: unsupported architecture"
#endif

static long length(const char *s)
{
    long n = 0;
    while (s[n]) n++;
    return n;
}

static void say(const char *text)
{
    sys5(__NR_write, 2, (long)text, length(text), 0, 0);
}

static __attribute__((noreturn)) void fail(int status, const char *what, const char *name, long error)
{
    char digits[24];
    int i = sizeof digits - 1;
    digits[i] = 0;
    for (long rest = error; i == sizeof digits - 1 || (rest > 0 && i > 0); rest /= 10) digits[--i] = (char)('0' + rest % 10);
    say("hide-cgroup2: ");
    say(what);
    say(name);
    say(error == ENOENT ? ": not found (errno " : ": errno ");
    say(digits + i);
    say(error == ENOENT ? ")\n" : "\n");
    sys5(__NR_exit_group, status, 0, 0, 0, 0);
    for (;;) {}
}

static const char *path_variable(char **envp)
{
    for (; *envp; envp++) {
        const char *e = *envp;
        if (e[0] == 'P' && e[1] == 'A' && e[2] == 'T' && e[3] == 'H' && e[4] == '=') return e + 5;
    }
    return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/* execvp: a name with a slash is run as it is; otherwise each PATH entry in turn (an empty one is the
 * current directory), going on past a missing or forbidden candidate, and reporting EACCES if that was all. */
static long exec_in_path(char **argv, char **envp)
{
    const char *name = argv[0];
    for (const char *c = name; *c; c++)
        if (*c == '/') return sys5(__NR_execve, (long)name, (long)argv, (long)envp, 0, 0);
    long name_length = length(name), result = -ENOENT;
    char candidate[PATH_BUFFER];
    for (const char *dir = path_variable(envp);; ) {
        const char *end = dir;
        while (*end && *end != ':') end++;
        long dir_length = end - dir, n = 0;
        if (dir_length + 1 + name_length + 1 <= PATH_BUFFER) {
            for (long i = 0; i < dir_length; i++) candidate[n++] = dir[i];
            if (n > 0) candidate[n++] = '/';
            for (long i = 0; i <= name_length; i++) candidate[n++] = name[i];
            long rc = sys5(__NR_execve, (long)candidate, (long)argv, (long)envp, 0, 0);
            if (rc == -EACCES) result = rc;
            else if (rc != -ENOENT && rc != -ENOTDIR) return rc;
        }
        if (!*end) return result;
        dir = end + 1;
    }
}

void wrapper_main(long *sp) __attribute__((noreturn, used));
void wrapper_main(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    long rc;
    if (argc < 2) {
        say("usage: hide-cgroup2 COMMAND [ARGS...]\n");
        sys5(__NR_exit_group, 2, 0, 0, 0, 0);
    }
    if ((rc = sys5(__NR_unshare, CLONE_NEWNS, 0, 0, 0, 0)) != 0) fail(2, "unshare", "", -rc);
    if ((rc = sys5(__NR_mount, 0, (long)"/", 0, MS_REC | MS_PRIVATE, 0)) != 0) fail(2, "mount", " /", -rc);
    sys5(__NR_umount2, (long)"/sys/fs/cgroup/unified", MNT_DETACH, 0, 0, 0); /* absent on a pure v1 or v2 host */
    rc = exec_in_path(argv + 1, envp);
    fail(127, "exec ", argv[1], -rc);
}
