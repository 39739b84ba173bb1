/* entered-functions ADDRESSES HITS COMMAND [ARGS...]: runs COMMAND (a static, non-PIE binary) with a one-shot
 * breakpoint on each address in the file ADDRESSES (hexadecimal, one per line: the functions' first bytes) and
 * appends to the file HITS, when it is done, the addresses that were reached, in the order they were first
 * reached (appending, so that one file can gather several commands). This is
 * exact coverage, where sampling misses short functions and pages (touched-pages.c) also count a touched
 * function's neighbours: toolchain/hot-methods.sh lays out exactly what a path runs.
 *
 * Every process and thread the command starts is traced too (they run the same image until they execve); a
 * breakpoint, once hit in a process, is replaced by its original instruction there and the process resumes
 * at it. A process that execs another program is let go. The tracer ends with the command and exits with its
 * status; processes of it still running then are killed (PTRACE_O_EXITKILL), so trace commands that wait for
 * theirs (run, exec, delete), not create.
 * x86-64 (int3) and arm64 (brk #0). */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#if defined(__aarch64__)
#include <asm/ptrace.h>
#endif
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define TRAP_SIZE 1
static const uint64_t trap = 0xcc;
static const uint64_t trap_mask = 0xff;
#elif defined(__aarch64__)
#define TRAP_SIZE 4
static const uint64_t trap = 0xd4200000; /* brk #0 */
static const uint64_t trap_mask = 0xffffffff;
#else
#error "x86-64 or arm64 only"
#endif

struct site { uint64_t address, original; int hit; };
static struct site *sites;
static size_t nsites;
static uint64_t *order;
static size_t nhit;

static int by_address(const void *a, const void *b) {
    uint64_t x = ((const struct site *)a)->address, y = ((const struct site *)b)->address;
    return x < y ? -1 : x > y;
}

static struct site *find(uint64_t address) {
    struct site key = { .address = address };
    return bsearch(&key, sites, nsites, sizeof *sites, by_address);
}

/* The instruction bytes at ADDRESS are replaced by VALUE (TRAP_SIZE bytes) in PID's memory. */
static int poke(pid_t pid, uint64_t address, uint64_t value, uint64_t *previous) {
    errno = 0;
    uint64_t word = (uint64_t)ptrace(PTRACE_PEEKTEXT, pid, (void *)address, 0);
    if (errno) return -1;
    if (previous) *previous = word & trap_mask;
    word = (word & ~trap_mask) | (value & trap_mask);
    return (int)ptrace(PTRACE_POKETEXT, pid, (void *)address, (void *)word);
}

/* After a breakpoint trap: the address of the breakpoint, and PID set to run the original instruction. */
static int rewind_to_trap(pid_t pid, uint64_t *address) {
#if defined(__x86_64__)
    struct user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, pid, 0, &regs) != 0) return -1;
    *address = regs.rip - 1; /* int3 stops after itself */
    if (!find(*address)) return -1;
    regs.rip = *address;
    return (int)ptrace(PTRACE_SETREGS, pid, 0, &regs);
#else
    struct user_pt_regs regs;
    struct iovec io = { &regs, sizeof regs };
    if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &io) != 0) return -1;
    *address = regs.pc; /* brk stops at itself */
    return 0;
#endif
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: entered-functions ADDRESSES HITS COMMAND [ARGS...]\n"); return 2; }
    FILE *list = fopen(argv[1], "r");
    if (!list) { perror(argv[1]); return 2; }
    size_t capacity = 1024;
    sites = malloc(capacity * sizeof *sites);
    unsigned long long address;
    while (fscanf(list, "%llx", &address) == 1) {
        if (nsites == capacity) sites = realloc(sites, (capacity *= 2) * sizeof *sites);
        sites[nsites++] = (struct site){ .address = address };
    }
    fclose(list);
    qsort(sites, nsites, sizeof *sites, by_address);
    order = malloc((nsites + 1) * sizeof *order);

    pid_t command = fork();
    if (command < 0) { perror("fork"); return 2; }
    if (command == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        raise(SIGSTOP);
        execvp(argv[3], argv + 3);
        _exit(127);
    }
    int status, exit_status = 0, armed = 0;
    waitpid(command, &status, 0);
    ptrace(PTRACE_SETOPTIONS, command, 0, PTRACE_O_TRACEEXEC | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK |
           PTRACE_O_TRACEVFORK | PTRACE_O_EXITKILL);
    ptrace(PTRACE_CONT, command, 0, 0);
    for (;;) {
        pid_t pid = waitpid(-1, &status, __WALL);
        if (pid < 0) break; /* no traced process left */
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            if (pid != command) continue;
            exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
        int signal = WSTOPSIG(status), event = status >> 16;
        if (event == PTRACE_EVENT_EXEC) {
            if (pid == command && !armed) { /* the command's own image: arm every site */
                armed = 1;
                for (size_t i = 0; i < nsites; i++)
                    if (poke(pid, sites[i].address, trap, &sites[i].original) != 0) {
                        fprintf(stderr, "entered-functions: cannot set a breakpoint at %llx\n", (unsigned long long)sites[i].address);
                        return 2;
                    }
                ptrace(PTRACE_CONT, pid, 0, 0);
            } else {
                ptrace(PTRACE_DETACH, pid, 0, 0); /* another program now: not ours to watch */
            }
            continue;
        }
        if (event != 0 || signal == SIGSTOP) { /* new process or thread, or its first stop */
            ptrace(PTRACE_CONT, pid, 0, 0);
            continue;
        }
        if (signal == SIGTRAP && armed) {
            uint64_t at;
            struct site *site;
            if (rewind_to_trap(pid, &at) == 0 && (site = find(at)) != NULL) {
                if (!site->hit) { site->hit = 1; order[nhit++] = at; }
                poke(pid, at, site->original, NULL); /* this process's copy of the code */
                ptrace(PTRACE_CONT, pid, 0, 0);
                continue;
            }
        }
        ptrace(PTRACE_CONT, pid, 0, signal);
    }
    FILE *hits = fopen(argv[2], "a");
    if (!hits) { perror(argv[2]); return 2; }
    for (size_t i = 0; i < nhit; i++) fprintf(hits, "%llx\n", (unsigned long long)order[i]);
    fclose(hits);
    return exit_status;
}
