/* Runs a command in a private mount namespace without /sys/fs/cgroup/unified.
 *
 * crun 1.8 refuses this host's hybrid cgroups (v1 controllers plus a cgroup2 mount), so every runtime
 * in a comparison runs through this wrapper. It replaces `unshare -m sh -c 'umount ...; exec ...'`,
 * which cost about 16 ms per command (three execs) and diluted every ratio; this costs one exec. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: hide-cgroup2 COMMAND [ARGS...]\n"); return 2; }
    if (unshare(CLONE_NEWNS) != 0) { perror("hide-cgroup2: unshare"); return 2; }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) { perror("hide-cgroup2: mount"); return 2; }
    umount2("/sys/fs/cgroup/unified", MNT_DETACH); /* absent on a pure v1 or v2 host: nothing to hide */
    execvp(argv[1], argv + 1);
    perror("hide-cgroup2: exec");
    return 127;
}
