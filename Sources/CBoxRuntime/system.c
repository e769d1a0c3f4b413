// Small system calls Swift cannot reach (statfs), or should not spell out (pidfds, openat2).
#include "CBoxRuntime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef RESOLVE_IN_ROOT
#define RESOLVE_IN_ROOT 0x10
#endif

// The kernel's struct open_how (<linux/openat2.h> is not on every build machine).
struct cbox_open_how {
    uint64_t flags;
    uint64_t mode;
    uint64_t resolve;
};

int64_t cbox_statfs_type(const char *path) {
    struct statfs result;
    if (statfs(path, &result) < 0) return -(int64_t)errno;
    return (int64_t)result.f_type;
}

int cbox_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 ? errno : 0; }

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cbox_signal_then_kill(pid_t pid, int sig, int grace_ms) {
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) return -errno;
    if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    // A pidfd polls readable once the process has exited (zombie or reaped), whoever its parent is.
    int64_t deadline = now_ms() + (grace_ms > 0 ? grace_ms : 0);
    for (;;) {
        int64_t left = deadline - now_ms();
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int ready = poll(&pfd, 1, left > 0 ? (int)left : 0);
        if (ready > 0) {
            close(fd);
            return 0;
        }
        if (ready < 0 && errno == EINTR) continue;
        break;
    }
    int result = 1;
    if (syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) < 0) result = errno == ESRCH ? 0 : -errno;
    close(fd);
    return result;
}

int cbox_executable_in_root(const char *root, const char *path) {
    int root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) return errno;
    struct cbox_open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT;
    int fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof how);
    int error = fd < 0 ? errno : 0;
    close(root_fd);
    if (fd < 0) return error;
    struct stat st;
    error = fstat(fd, &st) < 0 ? errno : 0;
    close(fd);
    if (error != 0) return error;
    if (!S_ISREG(st.st_mode)) return S_ISDIR(st.st_mode) ? EISDIR : EACCES;
    return (st.st_mode & 0111) ? 0 : EACCES;
}
