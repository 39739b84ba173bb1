/*
 * edge's container init: clone(2) and, in the child, the init program the C# side built (InitPlan).
 *
 * Why C: the child of a clone of the multi-threaded .NET runtime must never run managed code. A garbage
 * collection requested by another thread at the instant of the clone leaves the runtime's "threads must
 * stop" flag set in the child's copy of memory, and the first GC poll in the child (after any P/Invoke,
 * even one marked SuppressGCTransition) waits forever for a collector that does not exist there. A
 * no-GC region does not prevent it when other threads allocate (tests/Edge.Tests/Integration/CloneHazardTests.cs reproduces it).
 * So the clone happens here and the child only runs this file, as dotnet/runtime's own fork does
 * (pal_process.c). Everything is decided by the parent; this is a plain interpreter of system calls.
 *
 * The child is a copy of edge, and a hostile container must never reach edge through it (docs/security.md):
 * - it is not dumpable, so nothing in the container can open /proc/PID/{exe,root,fd} of it;
 * - the first thing it does is close every fd it inherited but the few the plan names, so no host fd is
 *   open while anything the container controls is resolved (CVE-2024-21626);
 * - procfs is only written through a handle checked to be a real procfs (CVE-2025-52881), and every path
 *   in the rootfs is resolved inside the root from an fd;
 * - it never execs the container's program itself: it execs a tiny sealed stub (exec-stub.c) that does,
 *   so /proc/self/exe during that exec is never the host binary (CVE-2019-5736);
 * - it dies with the parent until the parent commits to it (PR_SET_PDEATHSIG, and end of file on the sync
 *   socket), so a killed `edge create` leaves no orphan init behind.
 *
 * The structs below mirror src/Edge.Runtime/Init/InitStep.cs; InitOp numbers are fixed on both sides.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#define EDGE_RESOLVE_NO_XDEV 0x01
#define EDGE_RESOLVE_NO_MAGICLINKS 0x02
#define EDGE_RESOLVE_NO_SYMLINKS 0x04
#define EDGE_RESOLVE_BENEATH 0x08
#define EDGE_RESOLVE_IN_ROOT 0x10
#define EDGE_PROC_SUPER_MAGIC 0x9fa0
#define EDGE_PROC_ROOT_INO 1

/* The exec stub (exec-stub.c), built for the target before this file and embedded here. */
#ifndef EDGE_EXEC_STUB
#error "EDGE_EXEC_STUB must name the built exec stub (see EdgeCompileInit in src/Edge.Cli/Edge.Cli.csproj)"
#endif
__asm__(".section .rodata\n.balign 16\n.global edge_exec_stub\nedge_exec_stub:\n.incbin \"" EDGE_EXEC_STUB "\"\n"
        ".global edge_exec_stub_end\nedge_exec_stub_end:\n.previous\n");
extern const char edge_exec_stub[], edge_exec_stub_end[];

enum init_op {
    OP_SET_DUMPABLE = 0, OP_SETNS = 1, OP_WAIT_PARENT = 2, OP_UNSHARE = 3, OP_SET_ROOT_IDS = 4,
    OP_SET_HOSTNAME = 5, OP_SET_DOMAINNAME = 6, OP_MOUNT_PROPAGATION = 7, OP_BIND_ROOTFS = 8,
    OP_OPEN_ROOT = 9, OP_MOUNT = 10, OP_MKNOD = 11, OP_BIND_DEVICE = 12, OP_SYMLINK = 13, OP_PIVOT_ROOT = 14,
    OP_MOVE_ROOT = 15, OP_PROC_WRITE = 16, OP_MASK_PATH = 17, OP_READONLY_PATH = 18,
    OP_REMOUNT_ROOT_READONLY = 19, OP_CHMOD = 20, OP_CONSOLE = 21, OP_SETSID = 22, OP_RLIMIT = 23,
    OP_UMASK = 24, OP_DROP_BOUNDING = 25, OP_KEEP_CAPS = 26, OP_SET_GROUPS = 27, OP_SET_IDS = 28,
    OP_CAPSET = 29, OP_AMBIENT_RAISE = 30, OP_NO_NEW_PRIVILEGES = 31, OP_CHDIR = 32, OP_CLOSE_FDS = 33,
    OP_RESOLVE_EXEC = 34, OP_READY = 35, OP_WAIT_START = 36, OP_EXEC = 37, OP_TIME_NAMESPACE = 38,
    OP_SESSION_KEYRING = 39, OP_RECEIVE_STATE = 40, OP_HOOK = 41, OP_SECCOMP = 42, OP_IDMAP_MOUNT = 43,
    OP_PARENT_DEATH_SIGNAL = 44, OP_OPEN_PROC = 45, OP_COMMIT = 46, OP_CHROOT = 47, OP_MAKE_DIRECTORY = 48,
    OP_LOOPBACK_UP = 49, OP_DEFAULT_HOME = 50, OP_JOIN_CGROUP = 51,
};

struct init_step {
    int32_t op;
    int32_t reserved;
    int64_t a, b, c, d;
    char *s1, *s2, *s3, *s4;
};

struct init_program {
    struct init_step *steps;
    int32_t count;
    int32_t sync_fd;
    char *exec_path;
    int32_t exec_path_size;
    /* Container state documents for hooks run by the init: "create JSON\0start JSON\0", from the parent. */
    char *state;
    int32_t state_size;
    /* The inherited fds the init keeps (sorted): during set-up, and until execve. Everything else is
     * closed by OP_CLOSE_FDS; stdio, the sync socket and the exec stub are always kept. */
    int32_t *keep_setup;
    int32_t keep_setup_count;
    int32_t keep_exec_count;
    int32_t *keep_exec;
    /* Set by edge_clone_init (the sealed exec stub) and by OP_OPEN_PROC (the procfs handle). */
    int32_t stub_fd;
    int32_t proc_fd;
    /* 1: resolve paths in the root with the component walk even where openat2 exists (tests). */
    int32_t no_openat2;
};

/* Errors of the init beyond errno: the parent turns them into words (InitProcess.DescribeError). */
#define HOOK_EXIT_STATUS 1000   /* + exit status */
#define HOOK_SIGNALLED 1300     /* + signal */
#define HOOK_TIMED_OUT 1400
#define CWD_OUTSIDE_ROOT 1500
#define MOUNT_IN_PROC 1501
#define NULL_NOT_DEVICE 1502

struct init_message {
    int32_t kind; /* 1 ready, 2 error, 3 seccomp listener fd attached (SCM_RIGHTS) */
    int32_t step;
    int32_t error;
};

struct edge_open_how {
    uint64_t flags, mode, resolve;
};

static int check(int rc) { return rc == 0 ? 0 : errno; }

static void fail(struct init_program *p, int step, int error)
{
    struct init_message m = { 2, step, error == 0 ? EIO : error };
    (void)!write(p->sync_fd, &m, sizeof m);
    _exit(127);
}

/* Decimal digits of V (>= -1) into BUFFER, NUL-terminated; returns the length. No stdio in the child. */
static int format_int(long v, char *buffer)
{
    char digits[24];
    int i = 0, n = 0;
    if (v < 0) { buffer[i++] = '-'; v = -v; }
    do { digits[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) buffer[i++] = digits[--n];
    buffer[i] = 0;
    return i;
}

/* "self/fd/N": the magic link of FD, relative to the procfs handle, which is the init's cwd whenever it
 * mounts. An absolute /proc/self/fd/N would be resolved through the container's /proc after pivot_root,
 * and that /proc may be a directory of the image until (or instead of) a real procfs. */
static void proc_fd(int fd, char *buffer)
{
    memcpy(buffer, "self/fd/", 8);
    format_int(fd, buffer + 8);
}

static int openat2_(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
    struct edge_open_how how = { flags, 0, resolve };
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

static int is_type(int fd, const char *path, int flags, mode_t type)
{
    struct stat st;
    if (fstatat(fd, path, &st, flags) != 0) return 0;
    return (st.st_mode & S_IFMT) == type;
}

/* ---- procfs ---------------------------------------------------------------------------------------- */

static int is_procfs(int fd)
{
    struct statfs sfs;
    return fstatfs(fd, &sfs) == 0 && sfs.f_type == EDGE_PROC_SUPER_MAGIC;
}

/* A handle on a real procfs: a private instance for this pid namespace (fsopen, Linux 5.2), else the /proc
 * this process sees, checked to be the root of a procfs. Only called while the mount table is still the
 * host's. Returns the fd, or -errno. */
static int open_procfs(void)
{
    int fs = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
    if (fs >= 0) {
        int fd = -1;
        if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
            fd = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        close(fs);
        if (fd >= 0 && is_procfs(fd)) return fd;
        if (fd >= 0) close(fd);
    }
    int fd = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct stat st;
    if (!is_procfs(fd) || fstat(fd, &st) != 0 || st.st_ino != EDGE_PROC_ROOT_INO) {
        close(fd);
        return -ENODEV;
    }
    return fd;
}

/* Opens PATH under the procfs handle PROC with no symlink, magic link or mount crossing on the way, and
 * checks that what it opened is procfs. A leading "self/" is this process's own directory: procfs's
 * "self" is itself a symlink, read here rather than followed. */
static int proc_open(int proc, const char *path, int flags, int *out)
{
    char full[512];
    size_t length = strlen(path);
    if (strncmp(path, "self/", 5) == 0) {
        char pid[24];
        ssize_t n = readlinkat(proc, "self", pid, sizeof pid - 1);
        if (n <= 0) return n == 0 ? ENOENT : errno;
        if ((size_t)n + length - 4 >= sizeof full) return ENAMETOOLONG;
        memcpy(full, pid, (size_t)n);
        memcpy(full + n, path + 4, length - 4 + 1);
    } else {
        if (length >= sizeof full) return ENAMETOOLONG;
        memcpy(full, path, length + 1);
    }
    int fd = openat2_(proc, full, (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
                      EDGE_RESOLVE_BENEATH | EDGE_RESOLVE_NO_SYMLINKS | EDGE_RESOLVE_NO_MAGICLINKS | EDGE_RESOLVE_NO_XDEV);
    if (fd < 0 && errno == ENOSYS) fd = openat(proc, full, flags | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno;
    if (!is_procfs(fd)) {
        close(fd);
        return EXDEV;
    }
    *out = fd;
    return 0;
}

static int proc_write(int proc, const char *path, const char *data, size_t length)
{
    int fd, error = proc_open(proc, path, O_WRONLY, &fd);
    if (error) return error;
    ssize_t n = write(fd, data, length);
    error = n < 0 ? errno : (size_t)n != length ? EIO : 0;
    close(fd);
    return error;
}

/* For the parent (C#, ProcFiles): writes DATA to /proc/PID/NAME through a checked handle. 0 or errno. */
int32_t edge_proc_write(int32_t pid, const char *name, const char *data, int32_t length)
{
    int proc = open_procfs();
    if (proc < 0) return -proc;
    char path[128];
    int n = format_int(pid, path);
    if ((size_t)n + 1 + strlen(name) >= sizeof path) { close(proc); return ENAMETOOLONG; }
    path[n] = '/';
    strcpy(path + n + 1, name);
    int error = proc_write(proc, path, data, (size_t)length);
    close(proc);
    return error;
}

/* ---- paths inside the root ------------------------------------------------------------------------- */

/* Set from the plan (EDGE_NO_OPENAT2=1): resolve with the component walk on any kernel, for tests. */
static int no_openat2;

/* The component walk for kernels without openat2 (< 5.6), by the same rule as Edge.Linux.InRoot.Walk:
 * every component is opened with O_NOFOLLOW from its parent's fd; a symlink is read and spliced into the
 * rest of the path (an absolute one starts again at the root); ".." pops a directory but never the root; at
 * most 40 links. No link is ever followed by the kernel, so a magic link in a procfs cannot jump out. */
static int walk_in_root(int root, const char *path, int flags)
{
    char pending[8192], name[256], link[4096];
    size_t start = 0, end = strlen(path);
    if (end >= sizeof pending) { errno = ENAMETOOLONG; return -1; }
    memcpy(pending, path, end + 1);
    int stack[128], depth = 0, links = 0, result = -1, error = 0;
    stack[depth] = openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (stack[depth++] < 0) return -1;
    for (;;) {
        while (start < end && pending[start] == '/') start++;
        if (start >= end) { /* the path ended at a directory already open */
            result = openat(stack[depth - 1], ".", flags | O_CLOEXEC);
            error = errno;
            break;
        }
        size_t stop = start;
        while (stop < end && pending[stop] != '/') stop++;
        size_t n = stop - start, after = stop;
        while (after < end && pending[after] == '/') after++;
        int last = after >= end;
        if (n >= sizeof name) { error = ENAMETOOLONG; break; }
        memcpy(name, pending + start, n);
        name[n] = 0;
        start = stop;
        if (n == 1 && name[0] == '.') continue;
        if (n == 2 && name[0] == '.' && name[1] == '.') {
            if (depth > 1) close(stack[--depth]);
            continue;
        }
        int next = openat(stack[depth - 1], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0) { error = errno; break; }
        ssize_t l = readlinkat(next, "", link, sizeof link);
        if (l >= 0) {
            close(next);
            if (++links > 40 || (last && (flags & O_NOFOLLOW))) { error = ELOOP; break; }
            size_t rest = end - start;
            if ((size_t)l + rest >= sizeof pending) { error = ENAMETOOLONG; break; }
            memmove(pending + l, pending + start, rest + 1);
            memcpy(pending, link, (size_t)l);
            start = 0;
            end = (size_t)l + rest;
            if (pending[0] == '/') while (depth > 1) close(stack[--depth]);
            continue;
        }
        if (last) {
            if (flags == O_PATH) { result = next; break; }
            close(next);
            result = openat(stack[depth - 1], name, flags | O_NOFOLLOW | O_CLOEXEC);
            error = errno;
            break;
        }
        if (depth == (int)(sizeof stack / sizeof stack[0])) { close(next); error = ENAMETOOLONG; break; }
        stack[depth++] = next;
    }
    while (depth > 0) close(stack[--depth]);
    errno = error;
    return result;
}

/* Opens PATH inside the root with FLAGS: openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, or on kernels
 * without it the component walk above (the same rule). Returns the fd, or -1 with errno set. */
static int open_in_root(int root, const char *path, int flags)
{
    if (!no_openat2) {
        int fd = openat2_(root, path, (uint64_t)(flags | O_CLOEXEC), EDGE_RESOLVE_IN_ROOT | EDGE_RESOLVE_NO_MAGICLINKS);
        if (fd >= 0 || errno != ENOSYS) return fd;
    }
    return walk_in_root(root, path, flags);
}

/* Lexically cleans PATH in place into a relative path below the root: "." dropped, ".." clamped at the
 * root, no leading or doubled slashes. An empty result becomes ".". The same rule as the C# side's
 * Edge.Linux.PathClean. */
static void clean_relative(char *path)
{
    char out[4096];
    size_t o = 0, i = 0, length = strlen(path);
    while (i < length) {
        while (i < length && path[i] == '/') i++;
        size_t start = i;
        while (i < length && path[i] != '/') i++;
        size_t n = i - start;
        if (n == 0 || (n == 1 && path[start] == '.')) continue;
        if (n == 2 && path[start] == '.' && path[start + 1] == '.') {
            while (o > 0 && out[o - 1] != '/') o--;
            if (o > 0) o--;
            continue;
        }
        if (o > 0) out[o++] = '/';
        memcpy(out + o, path + start, n);
        o += n;
    }
    if (o == 0) out[o++] = '.';
    out[o] = 0;
    memcpy(path, out, o + 1);
}

/* open_in_root as O_PATH, creating missing directories (and the last component as a file when FILE). A
 * symlink met on the way is followed inside the root (an absolute link is relative to the root, ".." stops
 * at it), and what it points to is created there: nothing is ever created outside the rootfs. */
static int resolve(int root, const char *path, int create, int file, int *out)
{
    int fd = open_in_root(root, path, O_PATH);
    if (fd >= 0) { *out = fd; return 0; }
    if (errno != ENOENT || !create) return errno;

    char current[4096], prefix[4096], link[4096];
    if (strlen(path) >= sizeof current) return ENAMETOOLONG;
    strcpy(current, path);
    clean_relative(current);
    int links = 0;
restart:;
    size_t length = strlen(current);
    size_t start = 0;
    while (start < length) {
        size_t end = start;
        while (end < length && current[end] != '/') end++;
        int last = end == length;
        memcpy(prefix, current, end);
        prefix[end] = 0;
        int existing = open_in_root(root, prefix, O_PATH);
        if (existing >= 0) {
            close(existing);
            start = end + 1;
            continue;
        }
        if (errno != ENOENT) return errno;
        int parent;
        if (start == 0) {
            parent = openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        } else {
            prefix[start - 1] = 0;
            parent = open_in_root(root, prefix, O_PATH);
            prefix[start - 1] = '/';
        }
        if (parent < 0) return errno;
        const char *name = prefix + start;
        ssize_t n = readlinkat(parent, name, link, sizeof link - 1);
        if (n >= 0) {
            /* A dangling symlink: continue from where it points, inside the root. */
            close(parent);
            if (++links > 40) return ELOOP;
            link[n] = 0;
            char next[4096];
            size_t o = 0;
            if (link[0] != '/' && start > 0) {
                memcpy(next, current, start);
                o = start;
            }
            size_t rest = last ? 0 : length - end;
            if (o + (size_t)n + rest + 1 >= sizeof next) return ENAMETOOLONG;
            memcpy(next + o, link, (size_t)n);
            o += (size_t)n;
            memcpy(next + o, current + end, rest);
            o += rest;
            next[o] = 0;
            clean_relative(next);
            strcpy(current, next);
            goto restart;
        }
        int rc;
        if (last && file) {
            int created = openat(parent, name, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
            rc = created < 0 ? -1 : close(created);
        } else {
            rc = mkdirat(parent, name, 0755);
        }
        int error = rc != 0 ? errno : 0;
        close(parent);
        if (error != 0 && error != EEXIST) return error;
        start = end + 1;
    }
    fd = open_in_root(root, path, O_PATH);
    if (fd < 0) return errno;
    *out = fd;
    return 0;
}

/* ---- mounts ---------------------------------------------------------------------------------------- */

/* Bind-remounts TARGET adding FLAGS to the flags it has: in a user namespace the kernel refuses a remount
 * that would clear a locked nosuid, nodev or noexec. */
static int remount(const char *target, unsigned long flags)
{
    struct statfs sfs;
    if (statfs(target, &sfs) != 0) return errno;
    unsigned long keep = sfs.f_flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME);
    if (sfs.f_flags & ST_RELATIME) keep |= MS_RELATIME;
    return check(mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | keep | flags, NULL));
}

/* After a mount on PATH: remounts it with the bind mount's own flags (BIND_FLAGS, when not 0) and applies
 * PROPAGATION. PATH is resolved again: an fd taken before the mount names the directory underneath. */
static int adjust_mount(int root, const char *path, unsigned long bind_flags, unsigned long propagation)
{
    if (!bind_flags && !propagation) return 0;
    int fd, error = resolve(root, path, 0, 0, &fd);
    if (error) return error;
    char target[32];
    proc_fd(fd, target);
    if (bind_flags) error = remount(target, bind_flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT));
    if (!error && propagation) error = check(mount(NULL, target, NULL, propagation, NULL));
    close(fd);
    return error;
}

/* Nothing may be mounted over procfs (it would hide what masked and read-only paths protect, or redirect
 * what edge writes there), wherever the target's path led: only a fresh proc itself, and the few files
 * lxcfs emulates, as under runc. TARGET is the resolved fd, PATH its cleaned path, TYPE the fs type. */
static int check_proc_target(int target, const char *path, const char *type)
{
    static const char *const lxcfs[] = {
        "proc/cpuinfo", "proc/diskstats", "proc/meminfo", "proc/stat", "proc/swaps", "proc/uptime",
        "proc/loadavg", "proc/slabinfo", "proc/sys/kernel/ns_last_pid", "proc/sys/crypto/fips_enabled",
    };
    if (!is_procfs(target)) return 0;
    if (type && strcmp(type, "proc") == 0) return 0;
    for (size_t i = 0; i < sizeof lxcfs / sizeof lxcfs[0]; i++)
        if (strcmp(path, lxcfs[i]) == 0) return 0;
    return MOUNT_IN_PROC;
}

/* tmpcopyup (runc's): what was under a new tmpfs is copied into it. Files, directories, symlinks, device
 * nodes and fifos keep their owners, modes and times; hard links become copies, sockets are left out. No
 * name is followed: each is opened in its directory's fd with O_NOFOLLOW, and must still be what fstatat
 * said. The tmpfs's size bounds what a hostile image can make it hold. */
#define COPY_UP_DEPTH 128

static int copy_attributes(int to, const char *name, const struct stat *st, int is_link)
{
    if (fchownat(to, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) != 0) return errno;
    /* after chown, which clears set-id bits; a symlink has no mode of its own */
    if (!is_link && fchmodat(to, name, st->st_mode & 07777, 0) != 0) return errno;
    struct timespec times[2] = { st->st_atim, st->st_mtim };
    return utimensat(to, name, times, AT_SYMLINK_NOFOLLOW) != 0 ? errno : 0;
}

static int copy_file(int from, int to, const char *name)
{
    static char buffer[65536];
    int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (in < 0) return errno;
    struct stat st;
    if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) { close(in); return EINVAL; }
    int out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0) { int error = errno; close(in); return error; }
    int error = 0;
    for (;;) {
        ssize_t n = read(in, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { error = errno; break; }
        if (n == 0) break;
        for (ssize_t done = 0; done < n; ) {
            ssize_t w = write(out, buffer + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) { error = errno; break; }
            done += w;
        }
        if (error) break;
    }
    close(in);
    close(out);
    return error;
}

static int copy_tree(int from, int to, int depth)
{
    if (depth > COPY_UP_DEPTH) return ELOOP;
    int list = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (list < 0) return errno;
    char entries[2048];
    int error = 0;
    while (!error) {
        long n = syscall(SYS_getdents64, list, entries, sizeof entries);
        if (n < 0) { error = errno; break; }
        if (n == 0) break;
        for (long offset = 0; offset < n && !error; ) {
            /* struct linux_dirent64: ino, off, reclen, type, name */
            unsigned short length;
            memcpy(&length, entries + offset + 16, sizeof length);
            const char *name = entries + offset + 19;
            offset += length;
            if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
            struct stat st;
            if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) != 0) { error = errno; break; }
            int is_link = 0;
            if (S_ISDIR(st.st_mode)) {
                if (mkdirat(to, name, 0700) != 0) { error = errno; break; }
                int sub_from = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int sub_to = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub_from < 0 || sub_to < 0) error = errno;
                else error = copy_tree(sub_from, sub_to, depth + 1);
                if (sub_from >= 0) close(sub_from);
                if (sub_to >= 0) close(sub_to);
            } else if (S_ISREG(st.st_mode)) {
                error = copy_file(from, to, name);
            } else if (S_ISLNK(st.st_mode)) {
                char link[4096];
                ssize_t size = readlinkat(from, name, link, sizeof link - 1);
                if (size < 0) { error = errno; break; }
                link[size] = 0;
                if (symlinkat(link, to, name) != 0) error = errno;
                is_link = 1;
            } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
                if (mknodat(to, name, (st.st_mode & S_IFMT) | 0600, st.st_rdev) != 0) error = errno;
            } else {
                continue; /* a socket: nothing to copy */
            }
            if (!error) error = copy_attributes(to, name, &st, is_link);
        }
    }
    close(list);
    return error;
}

/* Recursive mount attributes (runc's "rro", "rnosuid", ...) for the whole tree at FD: mount_setattr(2). */
static int set_tree_attributes(int fd, uint64_t set, uint64_t clear)
{
    if (!set && !clear) return 0;
    struct mount_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.attr_set = set;
    attr.attr_clr = clear;
    return syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0 ? errno : 0;
}

/* S1 source, S2 target, S3 type, S4 data, A flags, B propagation; C bit 0 = file target, bit 1 = tmpcopyup,
 * bits 32.. = recursive attributes to clear; D bit 0 = bind with remount flags, bits 32.. = ones to set. */
static int do_mount(struct init_step *s, int root)
{
    unsigned long flags = (unsigned long)s->a, propagation = (unsigned long)s->b;
    int bind = (flags & MS_BIND) != 0, copy_up = !bind && (s->c & 2);
    /* A tmpfs over an existing directory starts with that directory's mode (a mode= in the options still
     * wins, coming later), as under runc. */
    static char tmpfs_data[8192];
    const char *data = s->s4;
    if (!bind && s->s3 && strcmp(s->s3, "tmpfs") == 0) {
        int existing = open_in_root(root, s->s2, O_PATH);
        struct stat st;
        if (existing >= 0 && fstat(existing, &st) == 0 && S_ISDIR(st.st_mode)) {
            size_t length = s->s4 ? strlen(s->s4) : 0;
            if (length + 16 > sizeof tmpfs_data) { close(existing); return E2BIG; }
            memcpy(tmpfs_data, "mode=0000", 10);
            for (int i = 0; i < 4; i++) tmpfs_data[5 + i] = (char)('0' + ((st.st_mode >> (3 * (3 - i))) & 7));
            if (length) { tmpfs_data[9] = ','; memcpy(tmpfs_data + 10, s->s4, length + 1); }
            data = tmpfs_data;
        }
        if (existing >= 0) close(existing);
    }
    int fd, error = resolve(root, s->s2, 1, s->c & 1, &fd);
    if (error) return error;
    error = check_proc_target(fd, s->s2, bind ? NULL : s->s3);
    if (error) { close(fd); return error; }
    /* Taken before the mount, this fd keeps naming the directory the tmpfs covers. */
    int lower = copy_up ? openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (copy_up && lower < 0) { error = errno; close(fd); return error; }
    char target[32];
    proc_fd(fd, target);
    /* A bind mount ignores most flags on the first call: bind first, then remount with them. */
    unsigned long first = bind ? flags & (MS_BIND | MS_REC) : flags & ~(unsigned long)MS_REC;
    int rc = mount(s->s1, target, s->s3, first, bind ? NULL : data);
    error = rc ? errno : 0;
    close(fd);
    if (!error && (copy_up || (s->c >> 32) || (s->d >> 32))) {
        int mounted = -1;
        error = resolve(root, s->s2, 0, 0, &mounted);
        if (!error && copy_up) {
            int upper = openat(mounted, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            struct stat st;
            if (upper < 0) error = errno;
            else {
                error = copy_tree(lower, upper, 0);
                if (!error && fstat(lower, &st) == 0 && fchown(upper, st.st_uid, st.st_gid) != 0) error = errno;
                close(upper);
            }
        }
        if (!error) error = set_tree_attributes(mounted, (uint64_t)s->d >> 32, (uint64_t)s->c >> 32);
        if (mounted >= 0) close(mounted);
    }
    if (lower >= 0) close(lower);
    if (error) return error;
    return adjust_mount(root, s->s2, bind && (s->d & 1) ? flags : 0, propagation);
}

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* An idmapped bind mount: a detached copy of the source (open_tree), its ids shifted through the user
 * namespace B (mount_setattr MOUNT_ATTR_IDMAP), moved onto the target. A = mount flags (MS_REC: the whole
 * tree), C = 1 for a file target, D = 1 when the flags need a remount (ro, nosuid, ...). */
static int do_idmap_mount(struct init_step *s, int root)
{
    unsigned long flags = (unsigned long)s->a;
    unsigned int recursive = (flags & MS_REC) ? AT_RECURSIVE : 0;
    int tree = (int)syscall(SYS_open_tree, AT_FDCWD, s->s1, OPEN_TREE_CLONE | O_CLOEXEC | recursive);
    if (tree < 0) return errno;
    struct mount_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = (uint64_t)s->b;
    if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | recursive, &attr, sizeof attr) != 0) {
        int error = errno;
        close(tree);
        return error;
    }
    int fd, error = resolve(root, s->s2, 1, s->c & 1, &fd);
    if (!error) error = check_proc_target(fd, s->s2, NULL);
    if (error) { if (error == MOUNT_IN_PROC) close(fd); close(tree); return error; }
    error = syscall(SYS_move_mount, tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0 ? errno : 0;
    close(tree);
    close(fd);
    if (error) return error;
    return adjust_mount(root, s->s2, (s->d & 1) ? flags : 0, 0);
}

/* Copies the parent of PATH ("." when none) into BUFFER and returns the last component. */
static const char *split_parent(const char *path, char *buffer, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash) { strcpy(buffer, "."); return path; }
    size_t n = (size_t)(slash - path);
    if (n >= size) n = size - 1;
    memcpy(buffer, path, n);
    buffer[n] = 0;
    return slash + 1;
}

static int do_mknod(struct init_step *s, int root)
{
    char parent[4096];
    const char *name = split_parent(s->s2, parent, sizeof parent);
    int dir, error = resolve(root, parent, 1, 0, &dir);
    if (error) return error;
    error = mknodat(dir, name, (mode_t)s->a, (dev_t)s->b) != 0 && errno != EEXIST ? errno : 0;
    /* mknod applies the umask; the spec's fileMode is exact. */
    if (!error && fchmodat(dir, name, (mode_t)s->a & 07777, 0) != 0) error = errno;
    if (!error && fchownat(dir, name, (uid_t)s->c, (gid_t)s->d, AT_SYMLINK_NOFOLLOW) != 0) error = errno;
    close(dir);
    return error;
}

static int do_symlink(struct init_step *s, int root)
{
    char parent[4096];
    const char *name = split_parent(s->s2, parent, sizeof parent);
    int dir, error = resolve(root, parent, 1, 0, &dir);
    if (error) return error;
    error = symlinkat(s->s1, dir, name) != 0 && errno != EEXIST ? errno : 0;
    close(dir);
    return error;
}

static int do_bind_device(struct init_step *s, int root)
{
    int fd, error = resolve(root, s->s2, 1, 1, &fd);
    if (error) return error;
    char target[32];
    proc_fd(fd, target);
    error = check(mount(s->s1, target, NULL, MS_BIND, NULL));
    close(fd);
    return error;
}

/* After the root changed: back into the procfs handle, the cwd every later mount is relative to. */
static int enter_proc(struct init_program *p)
{
    return p->proc_fd >= 0 ? check(fchdir(p->proc_fd)) : 0;
}

/* pivot_root(".", ".") with the new root as cwd, then detach the old root stacked on top of it. */
static int do_pivot_root(struct init_program *p, int root)
{
    if (fchdir(root) != 0) return errno;
    if (syscall(SYS_pivot_root, ".", ".") != 0) return errno;
    /* The old root must not propagate our unmount back to the host. */
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) != 0) return errno;
    if (umount2(".", MNT_DETACH) != 0) return errno;
    if (chdir("/") != 0) return errno;
    return enter_proc(p);
}

static int do_move_root(struct init_program *p, struct init_step *s)
{
    if (chdir(s->s1) != 0) return errno;
    if (mount(".", "/", NULL, MS_MOVE, NULL) != 0) return errno;
    if (chroot(".") != 0) return errno;
    if (chdir("/") != 0) return errno;
    return enter_proc(p);
}

/* Without a mount namespace of its own the container shares the host's mounts: pivot_root there would
 * move the host's root. The container only gets chroot(2) into its rootfs, as under runc. */
static int do_chroot(struct init_program *p, int root)
{
    if (fchdir(root) != 0) return errno;
    if (chroot(".") != 0) return errno;
    if (chdir("/") != 0) return errno;
    return enter_proc(p);
}

static int do_mask_path(struct init_step *s, int root)
{
    int fd, error = resolve(root, s->s2, 0, 0, &fd);
    if (error == ENOENT || error == ENOTDIR) return 0; /* nothing to mask */
    if (error) return error;
    char target[32];
    proc_fd(fd, target);
    if (is_type(fd, "", AT_EMPTY_PATH, S_IFDIR)) {
        error = check(mount("tmpfs", target, "tmpfs", MS_RDONLY, NULL));
    } else {
        /* The container's own /dev/null (a host fd would be in another mount namespace), and only if it
         * really is the null device: a rootfs could ship a regular file, a symlink or another device
         * there (CVE-2025-31133). */
        int null_fd = open_in_root(root, "dev/null", O_PATH);
        if (null_fd < 0) { error = errno; close(fd); return error; }
        struct stat st;
        if (fstat(null_fd, &st) != 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3) {
            close(null_fd);
            close(fd);
            return NULL_NOT_DEVICE;
        }
        char source[32];
        proc_fd(null_fd, source);
        error = check(mount(source, target, NULL, MS_BIND, NULL));
        close(null_fd);
    }
    close(fd);
    return error;
}

static int do_readonly_path(struct init_step *s, int root)
{
    int fd, error = resolve(root, s->s2, 0, 0, &fd);
    if (error == ENOENT || error == ENOTDIR) return 0;
    if (error) return error;
    char target[32];
    proc_fd(fd, target);
    error = check(mount(target, target, NULL, MS_BIND | MS_REC, NULL));
    close(fd);
    if (error) return error;
    error = resolve(root, s->s2, 0, 0, &fd);
    if (error) return error;
    proc_fd(fd, target);
    error = remount(target, MS_RDONLY);
    close(fd);
    return error;
}

/* ---- terminal -------------------------------------------------------------------------------------- */

/* sendmsg(2) of one fd with SCM_RIGHTS and PAYLOAD. */
static int send_message_with_fd(int socket, const void *payload, size_t size, int fd)
{
    struct iovec iov = { (void *)payload, size };
    union { char buffer[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    memset(&control, 0, sizeof control);
    struct msghdr message = { 0 };
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control.buffer;
    message.msg_controllen = sizeof control.buffer;
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&message);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
    ssize_t sent;
    do sent = sendmsg(socket, &message, 0); while (sent < 0 && errno == EINTR);
    return sent < 0 ? errno : 0;
}

/* /dev/console of the container, as an O_PATH fd to bind the terminal onto: an existing entry must be a
 * regular file or a character device, never a symlink (CVE-2025-52565: a symlink there would redirect the
 * bind mount to a file of the attacker's choosing, such as one in procfs); a missing one is created. */
static int open_console_target(int root, int *out)
{
    int dev, error = resolve(root, "dev", 1, 0, &dev);
    if (error) return error;
    int fd = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        int created = openat(dev, "console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (created >= 0) close(created);
        fd = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    }
    error = fd < 0 ? errno : 0;
    close(dev);
    if (error) return error;
    struct stat st;
    if (fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
        close(fd);
        return S_ISLNK(st.st_mode) ? ELOOP : ENODEV;
    }
    *out = fd;
    return 0;
}

/* The container's terminal from its own devpts: the master goes to the console socket (A), the slave
 * becomes the controlling terminal, stdio and, with D = 1 (a new container with its own mounts),
 * /dev/console. The payload is the terminal's name, as runc sends it. */
static int do_console(struct init_step *s, int root)
{
    int master = root >= 0 ? open_in_root(root, "dev/ptmx", O_RDWR | O_NOCTTY) : open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return errno;
    int unlock = 0, error = 0;
    unsigned number = 0;
    /* TIOCGPTN only succeeds on a pseudo-terminal master, whatever /dev/ptmx pointed to. */
    if (ioctl(master, TIOCSPTLCK, &unlock) != 0 || ioctl(master, TIOCGPTN, &number) != 0) {
        error = errno;
        close(master);
        return error;
    }
    char slave_path[32];
    memcpy(slave_path, "/dev/pts/", 9);
    format_int(number, slave_path + 9);
    /* The slave straight from the master (Linux 4.13): no path to resolve in the container. */
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0 && root >= 0) slave = open_in_root(root, slave_path + 1, O_RDWR | O_NOCTTY);
    if (slave < 0) { error = errno; close(master); return error; }
    if (s->b > 0 && s->c > 0) {
        struct winsize size = { (unsigned short)s->b, (unsigned short)s->c, 0, 0 };
        ioctl(slave, TIOCSWINSZ, &size);
    }
    if (s->d == 1) {
        int console;
        error = open_console_target(root, &console);
        if (!error) {
            char source[32], target[32];
            proc_fd(slave, source);
            proc_fd(console, target);
            error = check(mount(source, target, NULL, MS_BIND, NULL));
            close(console);
        }
    }
    if (!error) error = send_message_with_fd((int)s->a, slave_path, strlen(slave_path), master);
    close(master);
    if (!error && setsid() < 0) error = errno;
    if (!error && ioctl(slave, TIOCSCTTY, 0) != 0) error = errno;
    for (int fd = 0; fd < 3 && !error; fd++)
        if (dup2(slave, fd) < 0) error = errno;
    if (slave > 2) close(slave);
    return error;
}

/* ---- credentials and the program --------------------------------------------------------------------- */

static int do_capset(struct init_step *s)
{
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    uint64_t e = (uint64_t)s->a, pm = (uint64_t)s->b, in = (uint64_t)s->c;
    data[0].effective = (uint32_t)e; data[0].permitted = (uint32_t)pm; data[0].inheritable = (uint32_t)in;
    data[1].effective = (uint32_t)(e >> 32); data[1].permitted = (uint32_t)(pm >> 32); data[1].inheritable = (uint32_t)(in >> 32);
    return syscall(SYS_capset, &header, data) != 0 ? errno : 0;
}

/* A regular file this process may execute. A seccomp filter may refuse faccessat2 (EPERM, or ENOSYS for a
 * profile older than the call): then stat alone decides, and execve has the last word. */
static int executable(const char *path)
{
    struct stat st;
    if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) != 0 && errno != EPERM && errno != ENOSYS) return 0;
    if (stat(path, &st) != 0) return 0;
    if (!S_ISREG(st.st_mode)) { errno = EACCES; return 0; }
    return 1;
}

/* execvp's search, done before `start` so that a missing program fails `create`, as runc's does. */
static int do_resolve_exec(struct init_program *p, struct init_step *s)
{
    const char *file = s->s1;
    size_t file_length = strlen(file);
    if (s->a == 0) {
        if (file_length >= (size_t)p->exec_path_size) return ENAMETOOLONG;
        memcpy(p->exec_path, file, file_length + 1);
        return executable(p->exec_path) ? 0 : errno;
    }
    const char *path = s->s2;
    int first_error = ENOENT;
    size_t start = 0;
    for (;;) {
        size_t end = start;
        while (path[end] && path[end] != ':') end++;
        size_t dir_length = end - start;
        if (dir_length + 2 + file_length < (size_t)p->exec_path_size) {
            size_t o = 0;
            if (dir_length == 0) p->exec_path[o++] = '.';
            memcpy(p->exec_path + o, path + start, dir_length);
            o += dir_length;
            p->exec_path[o++] = '/';
            memcpy(p->exec_path + o, file, file_length + 1);
            if (executable(p->exec_path)) return 0;
            if (errno == EACCES) first_error = EACCES;
        }
        if (!path[end]) break;
        start = end + 1;
    }
    return first_error;
}

/* The working directory, resolved inside the root (no magic links: "/proc/self/fd/N" cannot name a host
 * directory) and checked afterwards: getcwd(2) starts with "(unreachable)" when the cwd is outside this
 * process's root (CVE-2024-21626). As runc does, the first try (A = 0) is made before the process takes on
 * its user and a permission error is left to the second (A = 1), after it. A seccomp filter may refuse
 * getcwd; the resolution alone then decides. The root's fd is closed once the cwd is set. */
static int do_chdir(struct init_step *s, int *root)
{
    if (*root < 0) return s->a == 1 ? 0 : EBADF; /* done by the first try */
    int fd = open_in_root(*root, s->s1, O_PATH | O_DIRECTORY);
    int error = fd < 0 ? errno : check(fchdir(fd));
    if (fd >= 0) close(fd);
    if (s->a == 0 && (error == EACCES || error == EPERM)) return 0;
    if (error) return error;
    close(*root);
    *root = -1;
    char cwd[4096];
    long n = syscall(SYS_getcwd, cwd, sizeof cwd);
    if (n < 0) return errno == EPERM || errno == ENOSYS || errno == ENAMETOOLONG || errno == ERANGE ? 0 : errno;
    return cwd[0] == '/' ? 0 : CWD_OUTSIDE_ROOT;
}

/* ---- fds ------------------------------------------------------------------------------------------- */

static int close_range_(unsigned first, unsigned last)
{
    if (first > last) return 0;
    if (syscall(SYS_close_range, first, last, 0) == 0) return 0;
    if (errno != ENOSYS) return errno;
    /* Linux < 5.9: one close per possible fd. */
    struct rlimit limit;
    unsigned max = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 1048576 ? (unsigned)limit.rlim_cur : 1048576;
    for (unsigned fd = first; fd <= last && fd < max; fd++) close((int)fd);
    return 0;
}

/* Closes every fd but stdio, the sync socket, the exec stub, EXTRA (when >= 0) and the plan's list for this
 * phase (A = 0: set-up, 1: until execve). Everything the init inherited from edge, the other end of the
 * sync socket among it, is gone after the first call. */
static int close_fds(struct init_program *p, int until_exec, int extra)
{
    const int32_t *list = until_exec ? p->keep_exec : p->keep_setup;
    int count = until_exec ? p->keep_exec_count : p->keep_setup_count;
    int keep[1024 + 8];
    if (count < 0 || count > 1024) return EMFILE;
    int n = 0;
    for (int i = 0; i < count; i++) keep[n++] = list[i];
    keep[n++] = 0; keep[n++] = 1; keep[n++] = 2;
    keep[n++] = p->sync_fd;
    keep[n++] = p->stub_fd;
    if (extra >= 0) keep[n++] = extra;
    for (int i = 1; i < n; i++) /* insertion sort: a handful of numbers */
        for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) { int t = keep[j]; keep[j] = keep[j - 1]; keep[j - 1] = t; }
    if (until_exec) p->proc_fd = -1; /* the procfs handle is never kept for the container's process */
    unsigned next = 0;
    for (int i = 0; i < n; i++) {
        if (keep[i] < 0 || (unsigned)keep[i] < next) continue;
        if ((unsigned)keep[i] > next) {
            int error = close_range_(next, (unsigned)keep[i] - 1);
            if (error) return error;
        }
        next = (unsigned)keep[i] + 1;
    }
    return close_range_(next, ~0U);
}

/* PR_SET_PDEATHSIG, then a check that the parent did not die before it took effect: its end of the sync
 * socket is closed then (the init's copy of it went with the first close_fds). The signal covers the steps
 * that may block (mounts, hooks); it is cleared before the last ones, which cannot block, and before any
 * seccomp filter: from there on the parent's death shows as end of file (or EPIPE) on the sync socket,
 * which the init reads (READY, COMMIT) before it may outlive the parent. */
static int parent_death_signal(struct init_program *p, int sig)
{
    if (prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0, 0, 0) != 0) return errno;
    if (sig == 0) return 0;
    struct pollfd f = { p->sync_fd, POLLRDHUP, 0 };
    if (poll(&f, 1, 0) > 0 && (f.revents & (POLLHUP | POLLRDHUP))) return ESRCH;
    return 0;
}

/* ---- exec ------------------------------------------------------------------------------------------ */

/* execveat(2) of the sealed stub with ARGV ("edge-exec", REPORT_FD, STEP, PATH, ARGV0...) and ENVP. A
 * seccomp profile without execveat gets the same file through /proc/self/fd (plain execve). Returns errno. */
static int exec_stub(int stub_fd, char **argv, char **envp)
{
    syscall(SYS_execveat, stub_fd, "", argv, envp, AT_EMPTY_PATH);
    int error = errno;
    if (error == ENOSYS || error == EPERM) {
        char path[32] = "/proc/self/fd/";
        format_int(stub_fd, path + 14);
        execve(path, argv, envp);
    }
    return error;
}

/* The container's process: the stub execs it and reports a failure on the sync socket, which it may
 * inherit for that purpose only (it makes it close-on-exec again first). */
static int do_exec(struct init_program *p, struct init_step *s, int step)
{
    char **argv = (char **)s->s1;
    int report = fcntl(p->sync_fd, F_SETFD, 0) == 0 ? p->sync_fd : -1;
    format_int(report, argv[1]);
    format_int(step, argv[2]);
    argv[3] = p->exec_path;
    int error = exec_stub(p->stub_fd, argv, (char **)s->s2);
    if (report >= 0) fcntl(report, F_SETFD, FD_CLOEXEC);
    return error;
}

static void reset_signals(void);

/* Runs a hook and waits for it, TIMEOUT_S seconds at most (<= 0: no limit), with STATE on its stdin and ENVP
 * as its environment (NULL: this process's own, as runc and crun give a hook without "env"). With a stub
 * (STUB_FD >= 0) ARGV is the stub's (exec-stub.c) and the stub execs PATH; otherwise ARGV is exactly the
 * hook's (its argv[0] included: docker's libnetwork-setkey hook is dockerd itself, chosen by argv[0]) and
 * PATH is exec'd directly. A CWD >= 0 becomes its working directory. Forked with a raw clone (glibc's fork
 * would take locks other threads of a multi-threaded parent may hold); the child runs only this code.
 * Returns 0, HOOK_EXIT_STATUS + status, HOOK_SIGNALLED + signal, HOOK_TIMED_OUT, or the errno of a failed
 * exec, reported on a close-on-exec pipe. */
static int spawn_hook(int stub_fd, const char *path, char **argv, char **envp, const char *state, long timeout_s, int cwd)
{
    int input[2], report[2];
    if (pipe2(input, O_CLOEXEC) != 0) return errno;
    if (pipe2(report, O_CLOEXEC) != 0) { int error = errno; close(input[0]); close(input[1]); return error; }
    long pid = syscall(SYS_clone, (unsigned long)SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) {
        int error = errno;
        close(input[0]); close(input[1]); close(report[0]); close(report[1]);
        return error;
    }
    if (pid == 0) {
        reset_signals();
        if (dup2(input[0], 0) < 0) _exit(126);
        if (cwd >= 0 && fchdir(cwd) != 0) _exit(126);
        if (envp == NULL) envp = environ;
        if (stub_fd >= 0) {
            if (fcntl(report[1], F_SETFD, 0) != 0) _exit(126);
            format_int(report[1], argv[1]);
            exec_stub(stub_fd, argv, envp);
        } else {
            execve(path, argv, envp);
            struct init_message m = { 2, 0, errno };
            (void)!write(report[1], &m, sizeof m);
        }
        _exit(127);
    }
    close(input[0]);
    close(report[1]);
    size_t left = strlen(state);
    while (left > 0) {
        ssize_t n = write(input[1], state, left);
        if (n < 0) { if (errno == EINTR) continue; break; } /* a hook that does not read stdin is fine */
        state += n;
        left -= (size_t)n;
    }
    close(input[1]);
    long waited_ms = 0, timeout_ms = timeout_s > 0 ? timeout_s * 1000 : -1;
    int result = 0;
    for (;;) {
        int status;
        pid_t r = waitpid((pid_t)pid, &status, timeout_ms < 0 ? 0 : WNOHANG);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { result = errno; break; }
        if (r == (pid_t)pid) {
            struct init_message m;
            if (read(report[0], &m, sizeof m) == (ssize_t)sizeof m && m.kind == 2) result = m.error;
            else if (WIFEXITED(status)) result = WEXITSTATUS(status) == 0 ? 0 : HOOK_EXIT_STATUS + WEXITSTATUS(status);
            else result = HOOK_SIGNALLED + WTERMSIG(status);
            break;
        }
        if (waited_ms >= timeout_ms) {
            kill((pid_t)pid, SIGKILL);
            waitpid((pid_t)pid, &status, 0);
            result = HOOK_TIMED_OUT;
            break;
        }
        struct timespec tick = { 0, 10 * 1000 * 1000 };
        nanosleep(&tick, NULL);
        waited_ms += 10;
    }
    close(report[0]);
    return result;
}

/* A createContainer or startContainer hook, run by the init in the container's namespaces, exec'd through
 * the stub like the container's process (its path may be the container's). createContainer hooks run with
 * the rootfs as cwd, as under runc. S2 = the stub's argv, S3 = envp, A = timeout. */
static int run_hook(struct init_program *p, struct init_step *s, int root)
{
    const char *state = p->state;
    if (s->b == 1) state += strlen(state) + 1;
    return spawn_hook(p->stub_fd, s->s1, (char **)s->s2, (char **)s->s3, state, (long)s->a, root);
}

/* For the parent (C#, HookRunner): prestart, createRuntime, poststart and poststop hooks, run by edge in the
 * runtime's namespaces with exactly ARGV (see spawn_hook). */
int32_t edge_run_hook(const char *path, char **argv, char **envp, const char *state, int32_t timeout_s)
{
    return spawn_hook(-1, path, argv, envp, state, timeout_s, -1);
}

/* Sets IFF_UP on "lo" of the current network namespace (a new one has it down). */
static int loopback_up(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    struct ifreq request;
    memset(&request, 0, sizeof request);
    memcpy(request.ifr_name, "lo", 3);
    int error = 0;
    if (ioctl(fd, SIOCGIFFLAGS, &request) != 0) error = errno;
    else if (!(request.ifr_flags & IFF_UP)) {
        request.ifr_flags |= IFF_UP;
        if (ioctl(fd, SIOCSIFFLAGS, &request) != 0) error = errno;
    }
    close(fd);
    return error;
}

/* HOME for a process whose env has none: the home directory of uid A in the container's /etc/passwd (read
 * once the root is the container's, so mounts over it count, as under runc), else "/". S1 = the process's
 * envp, whose entry B is replaced. A passwd that is not a regular file, or is over 4 MiB, counts as absent. */
static int default_home(struct init_step *s)
{
    static char entry[4096] = "HOME=/";
    ((char **)s->s1)[s->b] = entry;
    int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return 0;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size >= (off_t)(4 << 20)) {
        close(fd);
        return 0;
    }
    /* Mapped at the file's size here, not a static 4 MiB array: that would sit in the .bss of every edge
     * process and span an aligned 2 MiB range, which a kernel with transparent huge pages "always" backs
     * with a whole huge page when a neighbouring variable is touched (+2 MiB of peak RSS on arm64,
     * bench/results/size.md). */
    size_t capacity = (size_t)st.st_size + 1, length = 0;
    char *text = mmap(NULL, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (text == MAP_FAILED) {
        close(fd);
        return 0;
    }
    while (length < capacity - 1) {
        ssize_t n = read(fd, text + length, capacity - 1 - length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        length += (size_t)n;
    }
    close(fd);
    text[length] = 0;
    char uid[24];
    format_int((long)s->a, uid);
    /* name:password:uid:gid:gecos:home:shell */
    for (char *line = text; line && *line; ) {
        char *next = strchr(line, '\n');
        if (next) *next++ = 0;
        char *field[7] = { line };
        int count = 1;
        for (char *c = line; *c && count < 7; c++)
            if (*c == ':') { *c = 0; field[count++] = c + 1; }
        if (line[0] != '#' && count >= 6 && strcmp(field[2], uid) == 0) {
            char *end = field[5] + strcspn(field[5], ":");
            *end = 0;
            if (field[5][0] && strlen(field[5]) < sizeof entry - 6) {
                memcpy(entry + 5, field[5], strlen(field[5]) + 1);
            }
            break;
        }
        line = next;
    }
    munmap(text, capacity);
    return 0;
}

/* Writes "0" to a cgroup v1 `tasks` file the parent opened (FD): the calling thread, which is the whole init,
 * moves there. A thread moving itself takes only cgroup_mutex; the parent writing the pid to cgroup.procs
 * would write-lock the global threadgroup rwsem, whose first writer waits an RCU grace period (ms). */
static int join_cgroup(int fd)
{
    ssize_t n;
    do n = write(fd, "0", 1); while (n < 0 && errno == EINTR);
    int error = n == 1 ? 0 : n < 0 ? errno : EIO;
    close(fd);
    return error;
}

static int read_one(int fd)
{
    char b;
    ssize_t n;
    do n = read(fd, &b, 1); while (n < 0 && errno == EINTR);
    return n == 1 ? 0 : n == 0 ? ENOENT : errno;
}

/* ---- the interpreter ------------------------------------------------------------------------------- */

static int execute(struct init_program *p, struct init_step *s, int index, int *root)
{
    switch (s->op) {
    case OP_SET_DUMPABLE: return check(prctl(PR_SET_DUMPABLE, (unsigned long)s->a, 0, 0, 0));
    case OP_CLOSE_FDS: return close_fds(p, (int)s->a, s->b ? *root : -1);
    case OP_PARENT_DEATH_SIGNAL: return parent_death_signal(p, (int)s->a);
    case OP_OPEN_PROC: {
        int fd = open_procfs();
        if (fd < 0) return -fd;
        p->proc_fd = fd;
        return enter_proc(p);
    }
    case OP_SETNS:
        if (setns((int)s->a, (int)s->b) != 0) return errno;
        /* Joining a mount namespace moves the cwd to its root: back into the procfs handle. */
        return s->b == CLONE_NEWNS ? enter_proc(p) : 0;
    case OP_WAIT_PARENT: return read_one(p->sync_fd);
    case OP_UNSHARE: return check(unshare((int)s->a));
    case OP_SET_ROOT_IDS:
        if (syscall(SYS_setresgid, 0, 0, 0) != 0) return errno;
        return syscall(SYS_setresuid, 0, 0, 0) != 0 ? errno : 0;
    case OP_SET_HOSTNAME: return check(sethostname(s->s1, strlen(s->s1)));
    case OP_SET_DOMAINNAME: return check(setdomainname(s->s1, strlen(s->s1)));
    case OP_MOUNT_PROPAGATION: return check(mount(NULL, s->s1 ? s->s1 : "/", NULL, (unsigned long)s->a, NULL));
    case OP_BIND_ROOTFS: return check(mount(s->s1, s->s1, NULL, MS_BIND | MS_REC, NULL));
    case OP_OPEN_ROOT:
        *root = open(s->s1, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return *root < 0 ? errno : 0;
    case OP_MOUNT: return do_mount(s, *root);
    case OP_IDMAP_MOUNT: return do_idmap_mount(s, *root);
    case OP_MKNOD: return do_mknod(s, *root);
    case OP_BIND_DEVICE: return do_bind_device(s, *root);
    case OP_SYMLINK: return do_symlink(s, *root);
    case OP_MAKE_DIRECTORY: {
        int fd, error = resolve(*root, s->s2, 1, 0, &fd);
        if (!error) close(fd);
        return error;
    }
    case OP_LOOPBACK_UP: return loopback_up();
    case OP_DEFAULT_HOME: return default_home(s);
    case OP_JOIN_CGROUP: return join_cgroup((int)s->a);
    case OP_PIVOT_ROOT: return do_pivot_root(p, *root);
    case OP_MOVE_ROOT: return do_move_root(p, s);
    case OP_CHROOT: return do_chroot(p, *root);
    case OP_PROC_WRITE: return p->proc_fd < 0 ? EBADF : proc_write(p->proc_fd, s->s1, s->s2, (size_t)s->a);
    case OP_MASK_PATH: return do_mask_path(s, *root);
    case OP_READONLY_PATH: return do_readonly_path(s, *root);
    case OP_REMOUNT_ROOT_READONLY: return remount("/", MS_RDONLY);
    case OP_CHMOD: {
        int fd = open_in_root(*root, s->s2, O_RDONLY | O_DIRECTORY);
        if (fd < 0) return errno;
        int error = check(fchmod(fd, (mode_t)s->a));
        close(fd);
        return error;
    }
    case OP_CONSOLE: return do_console(s, *root);
    case OP_SETSID: return setsid() < 0 ? errno : 0;
    case OP_RLIMIT: {
        struct rlimit limit = { (rlim_t)s->b, (rlim_t)s->c };
        return check(setrlimit((int)s->a, &limit));
    }
    case OP_UMASK: umask((mode_t)s->a); return 0;
    case OP_DROP_BOUNDING:
        for (int cap = 0; cap <= s->b; cap++) {
            if ((uint64_t)s->a & (1ULL << cap)) continue;
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) return errno;
        }
        return 0;
    case OP_KEEP_CAPS: return check(prctl(PR_SET_KEEPCAPS, (unsigned long)s->a, 0, 0, 0));
    /* Raw system calls: glibc's wrappers would try to apply them to the parent's threads as well. */
    case OP_SET_GROUPS: return syscall(SYS_setgroups, (size_t)s->a, s->s1) != 0 ? errno : 0;
    case OP_SET_IDS:
        if (syscall(SYS_setresgid, (gid_t)s->b, (gid_t)s->b, (gid_t)s->b) != 0) return errno;
        return syscall(SYS_setresuid, (uid_t)s->a, (uid_t)s->a, (uid_t)s->a) != 0 ? errno : 0;
    case OP_CAPSET: return do_capset(s);
    case OP_AMBIENT_RAISE:
        for (int cap = 0; cap < 64; cap++) {
            if (!((uint64_t)s->a & (1ULL << cap))) continue;
            if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) return errno;
        }
        return 0;
    case OP_NO_NEW_PRIVILEGES: return check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    case OP_CHDIR: return do_chdir(s, root);
    case OP_RESOLVE_EXEC: return do_resolve_exec(p, s);
    case OP_READY: {
        struct init_message m = { 1, 0, 0 };
        return write(p->sync_fd, &m, sizeof m) < 0 ? errno : 0;
    }
    case OP_COMMIT:
        /* The parent recorded the container: from here on the init outlives it (`edge create` exits, and
         * `edge start` releases the init later). End of file instead means the parent died first, and the
         * init goes with it. */
        return read_one(p->sync_fd);
    case OP_WAIT_START: return read_one((int)s->a);
    case OP_EXEC: return do_exec(p, s, index);
    case OP_SESSION_KEYRING:
        /* keyctl(KEYCTL_JOIN_SESSION_KEYRING, name): the container gets its own session keyring instead of
         * sharing the caller's (runc's default; --no-new-keyring skips it). Kernels without keys: fine. */
        if (syscall(SYS_keyctl, 1, s->s1) < 0 && errno != ENOSYS) return errno;
        return 0;
    case OP_RECEIVE_STATE: {
        ssize_t n;
        do n = read(p->sync_fd, p->state, (size_t)p->state_size - 1); while (n < 0 && errno == EINTR);
        if (n <= 0) return n == 0 ? ENOENT : errno;
        p->state[n] = 0;
        return 0;
    }
    case OP_HOOK: return run_hook(p, s, *root);
    case OP_SECCOMP: {
        /* s1 = struct sock_filter[a], compiled by the parent; b = SECCOMP_FILTER_FLAG_*; c = 1 when the
         * profile has SCMP_ACT_NOTIFY rules: the kernel returns a listener fd, which goes to the parent
         * (still waiting for READY) to be passed on to the spec's listenerPath. */
        struct sock_fprog prog = { .len = (unsigned short)s->a, .filter = (struct sock_filter *)s->s1 };
        unsigned int flags = (unsigned int)s->b | (s->c ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
        long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
        if (fd < 0) return errno;
        if (!s->c) return 0;
        struct init_message m = { 3, 0, 0 };
        int error = send_message_with_fd(p->sync_fd, &m, sizeof m, (int)fd);
        close((int)fd);
        return error;
    }
    case OP_TIME_NAMESPACE: {
        /* A new time namespace applies to children and, since Linux 5.11, to this process at execve; its
         * offsets can only be written before anything enters it. S1 holds "monotonic S N\nboottime S N\n". */
        if (unshare(CLONE_NEWTIME) != 0) return errno;
        return p->proc_fd < 0 ? EBADF : proc_write(p->proc_fd, "self/timens_offsets", s->s1, strlen(s->s1));
    }
    default: return ENOSYS;
    }
}

/* The child starts with the parent's signal set-up: the .NET runtime's handlers (which would write to the
 * runtime's signal pipe, shared with the parent), SIGPIPE ignored by the runtime, and whatever edge's
 * caller ignored (a shell's background job ignores SIGINT and SIGQUIT, nohup SIGHUP). The container's
 * process starts with every signal at its default and nothing blocked, as under runc and crun. */
static void reset_signals(void)
{
    struct sigaction reset;
    memset(&reset, 0, sizeof reset);
    reset.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        sigaction(sig, &reset, NULL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static void run_program(struct init_program *p)
{
    int root = -1;
    no_openat2 = p->no_openat2;
    reset_signals();
    for (int i = 0; i < p->count; i++) {
        int error = execute(p, &p->steps[i], i, &root);
        if (error) fail(p, i, error);
    }
    fail(p, p->count - 1, errno);
}

/* A sealed memfd holding the exec stub, opened read-only (a file open for writing cannot be exec'd on
 * older kernels: ETXTBSY). Fresh for each container process: nothing is shared between containers, and
 * nothing in it can be changed. Returns the fd, or -errno. */
static int make_exec_stub(void)
{
    int fd = memfd_create("edge-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (fd < 0 && errno == EINVAL) fd = memfd_create("edge-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING); /* < 6.3 */
    if (fd < 0) return -errno;
    const char *data = edge_exec_stub;
    size_t left = (size_t)(edge_exec_stub_end - edge_exec_stub);
    int error = 0;
    while (left > 0 && !error) {
        ssize_t n = write(fd, data, left);
        if (n < 0) { if (errno != EINTR) error = errno; continue; }
        data += n;
        left -= (size_t)n;
    }
    if (!error && fchmod(fd, 0555) != 0) error = errno;
    if (!error && fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0) error = errno;
    int reopened = -1;
    if (!error) {
        char path[32] = "/proc/self/fd/";
        format_int(fd, path + 14);
        reopened = open(path, O_RDONLY | O_CLOEXEC);
        if (reopened < 0) error = errno;
    }
    close(fd);
    return error ? -error : reopened;
}

/* Clones the container init with FLAGS (CLONE_NEW*) and runs PROGRAM in it. With CGROUP_FD >= 0 (a cgroup v2
 * directory) the init is born in that cgroup (CLONE_INTO_CGROUP, Linux 5.7), which moves no process and so
 * takes no global lock; *INTO_CGROUP says whether that happened (an older kernel, or a cgroup that refuses,
 * leaves it to the parent's cgroup.procs write). Returns the child's pid, or -errno. The child never returns. */
int64_t edge_clone_init(struct init_program *program, uint64_t flags, int32_t cgroup_fd, int32_t *into_cgroup)
{
    *into_cgroup = 0;
    int stub = make_exec_stub();
    if (stub < 0) return stub;
    program->stub_fd = stub;
    program->proc_fd = -1;
    struct {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
    } args;
    memset(&args, 0, sizeof args);
    args.exit_signal = SIGCHLD;
    long pid = -1;
    if (cgroup_fd >= 0) {
        args.flags = flags | CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cgroup_fd;
        pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid > 0) *into_cgroup = 1;
    }
    if (pid < 0) {
        args.flags = flags;
        args.cgroup = 0;
        pid = syscall(SYS_clone3, &args, sizeof args);
    }
    if (pid < 0 && errno == ENOSYS) {
        /* Linux < 5.3. With a null stack clone behaves like fork; the argument order differs between
         * architectures, but with zeros after the flags it does not matter. */
        pid = syscall(SYS_clone, (unsigned long)(flags | SIGCHLD), 0, 0, 0, 0);
    }
    if (pid == 0) {
        run_program(program);
        _exit(127);
    }
    int error = errno;
    close(stub);
    return pid < 0 ? -(int64_t)error : (int64_t)pid;
}

/* A user namespace with UID_MAP and GID_MAP ("inside outside count" lines), for idmapped mounts. A child is
 * cloned into a new user namespace and blocks on a pipe while the parent writes its maps and opens
 * /proc/PID/ns/user; then it exits. The child makes raw system calls only (it is a copy of the multi-threaded
 * runtime). Returns the namespace fd (close-on-exec), or -errno. */
int64_t edge_userns_fd(const char *uid_map, const char *gid_map)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) return -(int64_t)errno;
    long pid = syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), 0, 0, 0, 0);
    if (pid == 0) {
        char c;
        syscall(SYS_close, pipefd[1]);
        syscall(SYS_read, pipefd[0], &c, 1);
        syscall(SYS_exit, 0);
    }
    int error = pid < 0 ? errno : 0;
    close(pipefd[0]);
    int ns = -1;
    if (!error) error = edge_proc_write((int32_t)pid, "uid_map", uid_map, (int32_t)strlen(uid_map));
    if (!error) error = edge_proc_write((int32_t)pid, "gid_map", gid_map, (int32_t)strlen(gid_map));
    if (!error) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%ld/ns/user", pid);
        ns = open(path, O_RDONLY | O_CLOEXEC);
        if (ns < 0) error = errno;
    }
    close(pipefd[1]);
    if (pid > 0) while (waitpid((pid_t)pid, NULL, 0) < 0 && errno == EINTR) {}
    return error ? -(int64_t)error : ns;
}

/* Foreground `run` and `exec`: the signals a supervisor sends edge go to the container's process. A plain
 * handler that only calls kill(2) and alarm(2), so no runtime thread is started for it. SIGTERM becomes
 * STOP_SIGNAL (an image's StopSignal); with STOP_TIMEOUT >= 0 seconds, SIGKILL follows that much later
 * (through SIGALRM, which is forwarded as itself otherwise). */
static volatile sig_atomic_t forward_pid, forward_stop_signal, forward_stop_timeout = -1, forward_stopping;
static struct sigaction forward_saved[65];

static void forward_signal(int sig)
{
    int saved = errno;
    pid_t pid = (pid_t)forward_pid;
    if (pid > 0) {
        if (sig == SIGTERM) {
            kill(pid, forward_stop_signal);
            if (!forward_stopping && forward_stop_timeout == 0) kill(pid, SIGKILL);
            else if (!forward_stopping && forward_stop_timeout > 0) alarm((unsigned)forward_stop_timeout);
            forward_stopping = 1;
        } else if (sig == SIGALRM && forward_stopping && forward_stop_timeout > 0) {
            kill(pid, SIGKILL);
        } else {
            kill(pid, sig);
        }
    }
    errno = saved;
}

void edge_forward_end(const int32_t *signals, int32_t count)
{
    for (int i = 0; i < count; i++)
        if (signals[i] > 0 && signals[i] < 65) sigaction(signals[i], &forward_saved[signals[i]], NULL);
    alarm(0);
    forward_pid = 0;
}

int32_t edge_forward_signals(int32_t pid, int32_t stop_signal, int32_t stop_timeout, const int32_t *signals, int32_t count)
{
    forward_pid = pid;
    forward_stop_signal = stop_signal;
    forward_stop_timeout = stop_timeout;
    forward_stopping = 0;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = forward_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < count; i++) {
        if (signals[i] <= 0 || signals[i] >= 65 || sigaction(signals[i], &action, &forward_saved[signals[i]]) == 0) continue;
        int error = errno;
        edge_forward_end(signals, i); /* what was installed goes back; the rest was never touched */
        return error;
    }
    return 0;
}
