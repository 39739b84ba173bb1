/* touched-pages FILE COMMAND [ARGS...]: runs COMMAND and, when it exits (stopped by ptrace at its exit event,
 * before its memory is released), prints the page numbers of FILE (the page's offset in the file / 4096) that
 * its mappings of FILE hold, one per line, from /proc/PID/pagemap. With /sys/kernel/debug/fault_around_bytes
 * at 4096 every read fault maps its own page only, so these are the pages the command touched: how
 * toolchain/hot-methods.sh learns a path it cannot sample on this host (cgroup v2 in toolchain/cgroup2-vm.sh).
 * Only the command's process is traced, not the processes it starts. Exits with the command's status. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static void print_pages(pid_t pid, const struct stat *file) {
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    FILE *maps = fopen(path, "r");
    snprintf(path, sizeof path, "/proc/%d/pagemap", pid);
    int pagemap = open(path, O_RDONLY);
    if (!maps || pagemap < 0) { perror("touched-pages: /proc"); exit(2); }
    while (fgets(line, sizeof line, maps)) {
        unsigned long start, end, offset, inode;
        unsigned major, minor;
        if (sscanf(line, "%lx-%lx %*s %lx %x:%x %lu", &start, &end, &offset, &major, &minor, &inode) != 6) continue;
        if (inode != file->st_ino || makedev(major, minor) != file->st_dev) continue;
        for (unsigned long page = start; page < end; page += 4096) {
            uint64_t entry;
            if (pread(pagemap, &entry, sizeof entry, (off_t)(page / 4096 * sizeof entry)) != sizeof entry) break;
            if (entry >> 63) printf("%lu\n", (offset + page - start) / 4096);  /* bit 63: present */
        }
    }
    fclose(maps);
    close(pagemap);
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: touched-pages FILE COMMAND [ARGS...]\n"); return 2; }
    struct stat file;
    if (stat(argv[1], &file) != 0) { perror(argv[1]); return 2; }
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 2; }
    if (pid == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        raise(SIGSTOP);
        execvp(argv[2], argv + 2);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC);
    ptrace(PTRACE_CONT, pid, 0, 0);
    for (;;) {
        if (waitpid(pid, &status, 0) < 0) { perror("waitpid"); return 2; }
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
        int signal = WSTOPSIG(status);
        if (status >> 16 == PTRACE_EVENT_EXIT) { print_pages(pid, &file); signal = 0; }
        else if (status >> 16 == PTRACE_EVENT_EXEC || signal == SIGTRAP) signal = 0;
        ptrace(PTRACE_CONT, pid, 0, signal);
    }
}
