/* sd-notify MESSAGE: sends MESSAGE ("\n" written as backslash-n) as one datagram to $NOTIFY_SOCKET, as an
 * application's sd_notify() does. Built static for the systemd VM (tests/vm/systemd-scenarios.sh), where
 * the busybox image has no tool that speaks AF_UNIX datagrams. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(int argc, char **argv) {
    const char *path = getenv("NOTIFY_SOCKET");
    if (argc != 2 || path == NULL || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        fprintf(stderr, "usage: NOTIFY_SOCKET=PATH sd-notify MESSAGE\n");
        return 2;
    }
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strcpy(a.sun_path, path);
    char buf[1024];
    size_t n = 0;
    for (const char *s = argv[1]; *s && n < sizeof buf - 1; s++) {
        if (s[0] == '\\' && s[1] == 'n') { buf[n++] = '\n'; s++; } else buf[n++] = *s;
    }
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0 || sendto(fd, buf, n, 0, (struct sockaddr *)&a, sizeof a) < 0) { perror("sd-notify"); return 1; }
    return 0;
}
