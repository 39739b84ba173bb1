/* What a page costs on this machine (bench/page-costs.sh): the first touch of fresh anonymous pages, with and
 * without MAP_POPULATE, against a second touch; and how much of a cached file one read fault maps
 * (fault-around), with MADV_RANDOM and with every other page its own VMA.
 *   page-costs FILE     (FILE: at least 8 MiB, in the page cache) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static long rss_kib(void)
{
    long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &size, &resident) != 2) exit(2);
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: page-costs FILE\n"); return 2; }
    const size_t fresh = 64 * 4096;
    for (int populate = 0; populate <= 1; populate++) {
        char *p = mmap(NULL, fresh, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0), -1, 0);
        if (p == MAP_FAILED) return 2;
        double t0 = now_us();
        memset(p, 1, fresh);
        double t1 = now_us();
        memset(p, 2, fresh);
        double t2 = now_us();
        printf("fresh%s %zu pages: first touch %.0f us, second %.0f us\n", populate ? " (MAP_POPULATE)" : "", fresh / 4096, t1 - t0, t2 - t1);
        munmap(p, fresh);
    }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) { perror(argv[1]); return 2; }
    const size_t length = 8 << 20;
    const char *how[] = { "plain", "MADV_RANDOM", "a VMA per page" };
    for (int mode = 0; mode < 3; mode++) {
        char *p = mmap(NULL, length, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) return 2;
        if (mode == 1) madvise(p, length, MADV_RANDOM);
        if (mode == 2) /* a flag on every other page splits the mapping into one VMA per page */
            for (size_t o = 4096; o < length; o += 8192) madvise(p + o, 4096, MADV_RANDOM);
        long before = rss_kib();
        volatile char sink = 0;
        for (size_t o = 0; o < length; o += 65536) sink += p[o];
        printf("file, %s: %zu reads 64 KiB apart map %ld KiB\n", how[mode], length / 65536, rss_kib() - before);
        munmap(p, length);
    }
    close(fd);
    return 0;
}
