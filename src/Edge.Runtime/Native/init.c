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
 * The structs below mirror src/Edge.Runtime/Init/InitStep.cs; InitOp numbers are fixed on both sides.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
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

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#define EDGE_RESOLVE_NO_MAGICLINKS 0x02
#define EDGE_RESOLVE_IN_ROOT 0x10
#define EDGE_CLOSE_RANGE_CLOEXEC 4

enum init_op {
    OP_SET_DUMPABLE, OP_SETNS, OP_WAIT_PARENT, OP_UNSHARE, OP_SET_ROOT_IDS, OP_SET_HOSTNAME, OP_SET_DOMAINNAME,
    OP_MOUNT_PROPAGATION, OP_BIND_ROOTFS, OP_OPEN_ROOT, OP_MOUNT, OP_MKNOD, OP_BIND_DEVICE, OP_SYMLINK,
    OP_PIVOT_ROOT, OP_MOVE_ROOT, OP_WRITE_FILE, OP_MASK_PATH, OP_READONLY_PATH, OP_REMOUNT_ROOT_READONLY,
    OP_CHMOD, OP_CONSOLE, OP_SETSID, OP_RLIMIT, OP_UMASK, OP_DROP_BOUNDING, OP_KEEP_CAPS, OP_SET_GROUPS,
    OP_SET_IDS, OP_CAPSET, OP_AMBIENT_RAISE, OP_NO_NEW_PRIVILEGES, OP_CHDIR, OP_CLOSE_FROM, OP_RESOLVE_EXEC,
    OP_READY, OP_WAIT_START, OP_EXEC, OP_TIME_NAMESPACE, OP_SESSION_KEYRING, OP_RECEIVE_STATE, OP_HOOK,
    OP_SECCOMP, OP_IDMAP_MOUNT,
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
    int32_t o_directory, o_nofollow;
    char *exec_path;
    int32_t exec_path_size;
    /* Container state documents for hooks run by the init: "create JSON\0start JSON\0", from the parent. */
    char *state;
    int32_t state_size;
};

/* Errors of hooks run by the init, beyond errno: the parent turns them into words. */
#define HOOK_EXIT_STATUS 1000   /* + exit status */
#define HOOK_SIGNALLED 1300     /* + signal */
#define HOOK_TIMED_OUT 1400

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

static void proc_fd(int fd, char *buffer)
{
    static const char prefix[] = "/proc/self/fd/";
    char digits[12];
    int i = 0, n = 0;
    memcpy(buffer, prefix, sizeof prefix - 1);
    i = sizeof prefix - 1;
    unsigned v = (unsigned)fd;
    do { digits[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) buffer[i++] = digits[--n];
    buffer[i] = 0;
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

/* Opens PATH (relative, cleaned of "..") inside the root as O_PATH: openat2 RESOLVE_IN_ROOT, or on kernels
 * without it (< 5.6) a component walk that refuses every symlink. */
static int open_in_root(struct init_program *p, int root, const char *path)
{
    int fd = openat2_(root, path, O_PATH | O_CLOEXEC, EDGE_RESOLVE_IN_ROOT | EDGE_RESOLVE_NO_MAGICLINKS);
    if (fd >= 0 || errno != ENOSYS) return fd;

    int current = openat(root, ".", O_PATH | p->o_directory | O_CLOEXEC);
    if (current < 0) return -1;
    char name[256];
    int i = 0;
    while (path[i]) {
        int n = 0;
        while (path[i] && path[i] != '/') { if (n < 255) name[n++] = path[i]; i++; }
        name[n] = 0;
        if (path[i] == '/') i++;
        if (n == 0) continue;
        int next = openat(current, name, O_PATH | O_CLOEXEC | p->o_nofollow);
        int error = errno;
        close(current);
        if (next < 0) { errno = error; return -1; }
        current = next;
        if (is_type(current, "", AT_EMPTY_PATH, S_IFLNK)) { close(current); errno = ELOOP; return -1; }
    }
    return current;
}

/* Lexically cleans PATH in place into a relative path below the root: "." dropped, ".." clamped at the
 * root, no leading or doubled slashes. An empty result becomes ".". */
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

/* open_in_root, creating missing directories (and the last component as a file when FILE). A symlink met
 * on the way is followed inside the root (an absolute link is relative to the root, ".." stops at it), and
 * what it points to is created there: nothing is ever created outside the rootfs. */
static int resolve(struct init_program *p, int root, const char *path, int create, int file, int *out)
{
    int fd = open_in_root(p, root, path);
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
        int existing = open_in_root(p, root, prefix);
        if (existing >= 0) {
            close(existing);
            start = end + 1;
            continue;
        }
        if (errno != ENOENT) return errno;
        int parent;
        if (start == 0) {
            parent = openat(root, ".", O_PATH | p->o_directory | O_CLOEXEC);
        } else {
            prefix[start - 1] = 0;
            parent = open_in_root(p, root, prefix);
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
            int created = openat(parent, name, O_WRONLY | O_CREAT | O_CLOEXEC | p->o_nofollow, 0644);
            rc = created < 0 ? -1 : close(created);
        } else {
            rc = mkdirat(parent, name, 0755);
        }
        int error = rc != 0 ? errno : 0;
        close(parent);
        if (error != 0 && error != EEXIST) return error;
        start = end + 1;
    }
    fd = open_in_root(p, root, path);
    if (fd < 0) return errno;
    *out = fd;
    return 0;
}

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
static int adjust_mount(struct init_program *p, int root, const char *path, unsigned long bind_flags, unsigned long propagation)
{
    if (!bind_flags && !propagation) return 0;
    int fd, error = resolve(p, root, path, 0, 0, &fd);
    if (error) return error;
    char target[32];
    proc_fd(fd, target);
    if (bind_flags) error = remount(target, bind_flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT));
    if (!error && propagation) error = check(mount(NULL, target, NULL, propagation, NULL));
    close(fd);
    return error;
}

static int do_mount(struct init_program *p, struct init_step *s, int root)
{
    unsigned long flags = (unsigned long)s->a, propagation = (unsigned long)s->b;
    int bind = (flags & MS_BIND) != 0;
    int fd, error = resolve(p, root, s->s2, 1, s->c == 1, &fd);
    if (error) return error;
    char target[32];
    proc_fd(fd, target);
    /* A bind mount ignores most flags on the first call: bind first, then remount with them. */
    unsigned long first = bind ? flags & (MS_BIND | MS_REC) : flags & ~(unsigned long)MS_REC;
    int rc = mount(s->s1, target, s->s3, first, bind ? NULL : s->s4);
    error = rc ? errno : 0;
    close(fd);
    if (error) return error;
    return adjust_mount(p, root, s->s2, bind && s->d == 1 ? flags : 0, propagation);
}

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* An idmapped bind mount: a detached copy of the source (open_tree), its ids shifted through the user
 * namespace B (mount_setattr MOUNT_ATTR_IDMAP), moved onto the target. A = mount flags (MS_REC: the whole
 * tree), C = 1 for a file target, D = 1 when the flags need a remount (ro, nosuid, ...). */
static int do_idmap_mount(struct init_program *p, struct init_step *s, int root)
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
    int fd, error = resolve(p, root, s->s2, 1, s->c == 1, &fd);
    if (error) { close(tree); return error; }
    error = syscall(SYS_move_mount, tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0 ? errno : 0;
    close(tree);
    close(fd);
    if (error) return error;
    return adjust_mount(p, root, s->s2, s->d == 1 ? flags : 0, 0);
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

static int do_mknod(struct init_program *p, struct init_step *s, int root)
{
    char parent[4096];
    const char *name = split_parent(s->s2, parent, sizeof parent);
    int dir, error = resolve(p, root, parent, 1, 0, &dir);
    if (error) return error;
    error = mknodat(dir, name, (mode_t)s->a, (dev_t)s->b) != 0 && errno != EEXIST ? errno : 0;
    /* mknod applies the umask; the spec's fileMode is exact. */
    if (!error && fchmodat(dir, name, (mode_t)s->a & 07777, 0) != 0) error = errno;
    if (!error && fchownat(dir, name, (uid_t)s->c, (gid_t)s->d, AT_SYMLINK_NOFOLLOW) != 0) error = errno;
    close(dir);
    return error;
}

static int do_symlink(struct init_program *p, struct init_step *s, int root)
{
    char parent[4096];
    const char *name = split_parent(s->s2, parent, sizeof parent);
    int dir, error = resolve(p, root, parent, 1, 0, &dir);
    if (error) return error;
    error = symlinkat(s->s1, dir, name) != 0 && errno != EEXIST ? errno : 0;
    close(dir);
    return error;
}

static int do_bind_device(struct init_program *p, struct init_step *s, int root)
{
    int fd, error = resolve(p, root, s->s2, 1, 1, &fd);
    if (error) return error;
    char target[32];
    proc_fd(fd, target);
    error = check(mount(s->s1, target, NULL, MS_BIND, NULL));
    close(fd);
    return error;
}

/* pivot_root(".", ".") with the new root as cwd, then detach the old root stacked on top of it. */
static int do_pivot_root(int root)
{
    if (fchdir(root) != 0) return errno;
    if (syscall(SYS_pivot_root, ".", ".") != 0) return errno;
    /* The old root must not propagate our unmount back to the host. */
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) != 0) return errno;
    if (umount2(".", MNT_DETACH) != 0) return errno;
    return check(chdir("/"));
}

static int do_move_root(struct init_step *s)
{
    if (chdir(s->s1) != 0) return errno;
    if (mount(".", "/", NULL, MS_MOVE, NULL) != 0) return errno;
    if (chroot(".") != 0) return errno;
    return check(chdir("/"));
}

static int do_mask_path(struct init_program *p, struct init_step *s, int root)
{
    int fd, error = resolve(p, root, s->s2, 0, 0, &fd);
    if (error == ENOENT || error == ENOTDIR) return 0; /* nothing to mask */
    if (error) return error;
    char target[32];
    proc_fd(fd, target);
    if (is_type(fd, "", AT_EMPTY_PATH, S_IFDIR)) {
        error = check(mount("tmpfs", target, "tmpfs", MS_RDONLY, NULL));
    } else {
        /* The container's own /dev/null (a host fd would be in another mount namespace), and only if it
         * really is the null device: a rootfs could ship a regular file or another device there. */
        int null_fd = open_in_root(p, root, "dev/null");
        if (null_fd < 0) { error = errno; close(fd); return error; }
        struct stat st;
        if (fstat(null_fd, &st) != 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3) {
            close(null_fd);
            close(fd);
            return ENODEV;
        }
        char source[32];
        proc_fd(null_fd, source);
        error = check(mount(source, target, NULL, MS_BIND, NULL));
        close(null_fd);
    }
    close(fd);
    return error;
}

static int do_readonly_path(struct init_program *p, struct init_step *s, int root)
{
    int fd, error = resolve(p, root, s->s2, 0, 0, &fd);
    if (error == ENOENT || error == ENOTDIR) return 0;
    if (error) return error;
    char target[32];
    proc_fd(fd, target);
    error = check(mount(target, target, NULL, MS_BIND | MS_REC, NULL));
    close(fd);
    if (error) return error;
    error = resolve(p, root, s->s2, 0, 0, &fd);
    if (error) return error;
    proc_fd(fd, target);
    error = remount(target, MS_RDONLY);
    close(fd);
    return error;
}

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

/* The terminal's master for the console socket; the payload is the terminal's name, as runc sends it. */
static int send_fd(int socket, int fd, const char *name)
{
    return send_message_with_fd(socket, name, strlen(name), fd);
}

/* The container's terminal from its own devpts: the master goes to the console socket, the slave becomes
 * the controlling terminal, stdio and /dev/console. */
static int do_console(struct init_step *s)
{
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return errno;
    int unlock = 0;
    unsigned number = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) != 0) return errno;
    if (ioctl(master, TIOCGPTN, &number) != 0) return errno;
    char slave_path[32];
    char digits[12];
    int i = 9, n = 0;
    memcpy(slave_path, "/dev/pts/", 9);
    do { digits[n++] = (char)('0' + number % 10); number /= 10; } while (number);
    while (n) slave_path[i++] = digits[--n];
    slave_path[i] = 0;
    int slave = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) return errno;
    if (s->b > 0 && s->c > 0) {
        struct winsize size = { (unsigned short)s->b, (unsigned short)s->c, 0, 0 };
        ioctl(slave, TIOCSWINSZ, &size);
    }
    int created = open("/dev/console", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (created >= 0) close(created);
    mount(slave_path, "/dev/console", NULL, MS_BIND, NULL);

    int error = send_fd((int)s->a, master, slave_path);
    close(master);
    if (error) return error;
    if (setsid() < 0) return errno;
    if (ioctl(slave, TIOCSCTTY, 0) != 0) return errno;
    for (int fd = 0; fd < 3; fd++)
        if (dup2(slave, fd) < 0) return errno;
    if (slave > 2) close(slave);
    return 0;
}

static int do_capset(struct init_step *s)
{
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    uint64_t e = (uint64_t)s->a, pm = (uint64_t)s->b, in = (uint64_t)s->c;
    data[0].effective = (uint32_t)e; data[0].permitted = (uint32_t)pm; data[0].inheritable = (uint32_t)in;
    data[1].effective = (uint32_t)(e >> 32); data[1].permitted = (uint32_t)(pm >> 32); data[1].inheritable = (uint32_t)(in >> 32);
    return syscall(SYS_capset, &header, data) != 0 ? errno : 0;
}

static int executable(const char *path)
{
    struct stat st;
    if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) != 0) return 0;
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

/* A createContainer or startContainer hook, run by the init in the container's namespaces: the state on
 * stdin, its own argv and env, a timeout. Forked with a raw clone (glibc's fork would take locks that other
 * threads of the parent may have held at our own clone). */
static int run_hook(struct init_program *p, struct init_step *s)
{
    const char *state = p->state;
    if (s->b == 1) state += strlen(state) + 1;
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) return errno;
    long pid = syscall(SYS_clone, (unsigned long)SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) { int error = errno; close(pipefd[0]); close(pipefd[1]); return error; }
    if (pid == 0) {
        if (dup2(pipefd[0], 0) < 0) _exit(126);
        execve(s->s1, (char **)s->s2, (char **)s->s3);
        _exit(127);
    }
    close(pipefd[0]);
    size_t left = strlen(state);
    while (left > 0) {
        ssize_t n = write(pipefd[1], state, left);
        if (n < 0) { if (errno == EINTR) continue; break; } /* a hook that does not read stdin is fine */
        state += n;
        left -= (size_t)n;
    }
    close(pipefd[1]);
    long waited_ms = 0, timeout_ms = s->a > 0 ? s->a * 1000 : -1;
    for (;;) {
        int status;
        pid_t r = waitpid((pid_t)pid, &status, timeout_ms < 0 ? 0 : WNOHANG);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return errno;
        if (r == (pid_t)pid) {
            if (WIFEXITED(status)) return WEXITSTATUS(status) == 0 ? 0 : HOOK_EXIT_STATUS + WEXITSTATUS(status);
            return HOOK_SIGNALLED + WTERMSIG(status);
        }
        if (waited_ms >= timeout_ms) {
            kill((pid_t)pid, SIGKILL);
            waitpid((pid_t)pid, &status, 0);
            return HOOK_TIMED_OUT;
        }
        struct timespec tick = { 0, 10 * 1000 * 1000 };
        nanosleep(&tick, NULL);
        waited_ms += 10;
    }
}

static int read_one(int fd)
{
    char b;
    ssize_t n;
    do n = read(fd, &b, 1); while (n < 0 && errno == EINTR);
    return n == 1 ? 0 : n == 0 ? ENOENT : errno;
}

static int execute(struct init_program *p, struct init_step *s, int *root)
{
    switch (s->op) {
    case OP_SET_DUMPABLE: return check(prctl(PR_SET_DUMPABLE, (unsigned long)s->a, 0, 0, 0));
    case OP_SETNS: return check(setns((int)s->a, (int)s->b));
    case OP_WAIT_PARENT: return read_one(p->sync_fd);
    case OP_UNSHARE: return check(unshare((int)s->a));
    case OP_SET_ROOT_IDS:
        if (syscall(SYS_setresgid, 0, 0, 0) != 0) return errno;
        return syscall(SYS_setresuid, 0, 0, 0) != 0 ? errno : 0;
    case OP_SET_HOSTNAME: return check(sethostname(s->s1, strlen(s->s1)));
    case OP_SET_DOMAINNAME: return check(setdomainname(s->s1, strlen(s->s1)));
    case OP_MOUNT_PROPAGATION: return check(mount(NULL, "/", NULL, (unsigned long)s->a, NULL));
    case OP_BIND_ROOTFS: return check(mount(s->s1, s->s1, NULL, MS_BIND | MS_REC, NULL));
    case OP_OPEN_ROOT:
        *root = open(s->s1, O_PATH | p->o_directory | O_CLOEXEC);
        return *root < 0 ? errno : 0;
    case OP_MOUNT: return do_mount(p, s, *root);
    case OP_IDMAP_MOUNT: return do_idmap_mount(p, s, *root);
    case OP_MKNOD: return do_mknod(p, s, *root);
    case OP_BIND_DEVICE: return do_bind_device(p, s, *root);
    case OP_SYMLINK: return do_symlink(p, s, *root);
    case OP_PIVOT_ROOT: return do_pivot_root(*root);
    case OP_MOVE_ROOT: return do_move_root(s);
    case OP_WRITE_FILE: {
        int fd = open(s->s1, O_WRONLY | O_CLOEXEC);
        if (fd < 0) return errno;
        int error = write(fd, s->s2, (size_t)s->a) < 0 ? errno : 0;
        close(fd);
        return error;
    }
    case OP_MASK_PATH: return do_mask_path(p, s, *root);
    case OP_READONLY_PATH: return do_readonly_path(p, s, *root);
    case OP_REMOUNT_ROOT_READONLY: return remount("/", MS_RDONLY);
    case OP_CHMOD: {
        int fd = openat2_(*root, s->s2, O_RDONLY | p->o_directory | O_CLOEXEC, EDGE_RESOLVE_IN_ROOT | EDGE_RESOLVE_NO_MAGICLINKS);
        if (fd < 0) return errno;
        int error = check(fchmod(fd, (mode_t)s->a));
        close(fd);
        return error;
    }
    case OP_CONSOLE: return do_console(s);
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
    case OP_CHDIR: return check(chdir(s->s1));
    case OP_CLOSE_FROM:
        /* Mark, not close: the sync socket and the exec fifo are needed until execve closes them. */
        return syscall(SYS_close_range, (unsigned)s->a, ~0U, EDGE_CLOSE_RANGE_CLOEXEC) != 0 ? errno : 0;
    case OP_RESOLVE_EXEC: return do_resolve_exec(p, s);
    case OP_READY: {
        struct init_message m = { 1, 0, 0 };
        return write(p->sync_fd, &m, sizeof m) < 0 ? errno : 0;
    }
    case OP_WAIT_START: return read_one((int)s->a);
    case OP_EXEC:
        execve(p->exec_path, (char **)s->s1, (char **)s->s2);
        return errno;
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
    case OP_HOOK: return run_hook(p, s);
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
        int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
        if (fd < 0) return errno;
        int error = write(fd, s->s1, strlen(s->s1)) < 0 ? errno : 0;
        close(fd);
        return error;
    }
    default: return ENOSYS;
    }
}

/* The child starts with the parent's signal set-up: the .NET runtime's handlers (which would write to the
 * runtime's signal pipe, shared with the parent) and SIGPIPE ignored by the runtime. Handlers go back to
 * the default, SIGPIPE too; other ignored signals were ignored by edge's caller and stay so across execve,
 * as they do under runc. Nothing is blocked. */
static void reset_signals(void)
{
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        struct sigaction current;
        if (sigaction(sig, NULL, &current) != 0) continue;
        if (sig == SIGPIPE || (current.sa_handler != SIG_IGN && current.sa_handler != SIG_DFL)) {
            struct sigaction reset;
            memset(&reset, 0, sizeof reset);
            reset.sa_handler = SIG_DFL;
            sigaction(sig, &reset, NULL);
        }
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static void run_program(struct init_program *p)
{
    int root = -1;
    reset_signals();
    for (int i = 0; i < p->count; i++) {
        int error = execute(p, &p->steps[i], &root);
        if (error) fail(p, i, error);
    }
    fail(p, p->count - 1, errno);
}

/* Clones the container init with FLAGS (CLONE_NEW*) and runs PROGRAM in it. Returns the child's pid, or
 * -errno. The child never returns. */
int64_t edge_clone_init(struct init_program *program, uint64_t flags)
{
    struct {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
    } args;
    memset(&args, 0, sizeof args);
    args.flags = flags;
    args.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0 && errno == ENOSYS) {
        /* Linux < 5.3. With a null stack clone behaves like fork; the argument order differs between
         * architectures, but with zeros after the flags it does not matter. */
        pid = syscall(SYS_clone, (unsigned long)(flags | SIGCHLD), 0, 0, 0, 0);
    }
    if (pid == 0) {
        run_program(program);
        _exit(127);
    }
    return pid < 0 ? -(int64_t)errno : (int64_t)pid;
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
    if (!error) {
        char path[64];
        const char *names[2] = { "uid_map", "gid_map" };
        const char *maps[2] = { uid_map, gid_map };
        for (int i = 0; i < 2 && !error; i++) {
            snprintf(path, sizeof path, "/proc/%ld/%s", pid, names[i]);
            int fd = open(path, O_WRONLY | O_CLOEXEC);
            if (fd < 0) { error = errno; break; }
            if (write(fd, maps[i], strlen(maps[i])) < 0) error = errno;
            close(fd);
        }
        if (!error) {
            snprintf(path, sizeof path, "/proc/%ld/ns/user", pid);
            ns = open(path, O_RDONLY | O_CLOEXEC);
            if (ns < 0) error = errno;
        }
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
