/* How long it takes to put a new process into a cgroup, by each way a runtime can (bench/cgroup-join.sh):
 *   parent-procs   the parent writes the child's pid to cgroup.procs (runc, crun on v1; edge before)
 *   child-procs0   the child writes "0" to cgroup.procs
 *   child-tasks0   the child, one thread, writes "0" to a v1 `tasks` file (edge's init)
 *   clone-into     clone3(CLONE_INTO_CGROUP) into a v2 directory (edge's init, crun on v2)
 * Usage: cgroup-move-cost MODE DIRECTORY ROUNDS GAP_MS. DIRECTORY is an existing cgroup (v1 for the tasks mode,
 * v2 for clone-into). Each round makes one child, times its placement, and lets it exit; GAP_MS of sleep
 * between rounds lets the kernel's threadgroup rwsem go back to its fast path, as between two container starts
 * minutes apart; 0 runs them back to back. Prints one time per round, in milliseconds. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void write_or_die(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, text, strlen(text)) < 0) {
        fprintf(stderr, "cgroup-move-cost: %s: %s\n", path, strerror(errno));
        _exit(1);
    }
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: cgroup-move-cost parent-procs|child-procs0|child-tasks0|clone-into DIRECTORY ROUNDS GAP_MS\n");
        return 2;
    }
    const char *mode = argv[1], *dir = argv[2];
    int rounds = atoi(argv[3]), gap = atoi(argv[4]);
    char procs[4096], tasks[4096];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
    snprintf(tasks, sizeof tasks, "%s/tasks", dir);
    for (int i = 0; i < rounds; i++) {
        if (gap > 0) usleep((useconds_t)gap * 1000);
        int go[2], report[2];
        if (pipe(go) != 0 || pipe(report) != 0) return 1;
        double start = 0, took = 0;
        pid_t child;
        if (strcmp(mode, "clone-into") == 0) {
            int cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (cg < 0) { perror(dir); return 1; }
            struct { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup; } args;
            memset(&args, 0, sizeof args);
            args.flags = CLONE_INTO_CGROUP;
            args.exit_signal = SIGCHLD;
            args.cgroup = (uint64_t)cg;
            start = now_ms();
            child = (pid_t)syscall(SYS_clone3, &args, sizeof args);
            if (child == 0) _exit(0);
            took = now_ms() - start;
            close(cg);
            if (child < 0) { perror("clone3"); return 1; }
        } else {
            child = fork();
            if (child == 0) {
                char b;
                if (read(go[0], &b, 1) != 1) _exit(1);
                if (strncmp(mode, "child-", 6) == 0) {
                    double t0 = now_ms();
                    write_or_die(strcmp(mode, "child-tasks0") == 0 ? tasks : procs, "0");
                    double t = now_ms() - t0;
                    if (write(report[1], &t, sizeof t) != sizeof t) _exit(1);
                }
                _exit(0);
            }
            if (strcmp(mode, "parent-procs") == 0) {
                char pid[16];
                snprintf(pid, sizeof pid, "%d", child);
                start = now_ms();
                write_or_die(procs, pid);
                took = now_ms() - start;
            }
            if (write(go[1], "x", 1) != 1) return 1;
            if (strncmp(mode, "child-", 6) == 0 && read(report[0], &took, sizeof took) != sizeof took) return 1;
        }
        waitpid(child, NULL, 0);
        close(go[0]); close(go[1]); close(report[0]); close(report[1]);
        printf("%.3f\n", took);
    }
    return 0;
}
