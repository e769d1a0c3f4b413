// openat2(2) for BoxImages: every path inside an image's layer or rootfs is resolved relative to its root
// directory, so that `..` and symlinks (absolute ones included) cannot leave it.
#include "CBoxImages.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

// The kernel's struct open_how.
struct cbox_images_open_how {
    uint64_t flags;
    uint64_t mode;
    uint64_t resolve;
};

int cbox_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct cbox_images_open_how how;
    memset(&how, 0, sizeof how);
    how.flags = flags;
    how.mode = mode;
    how.resolve = resolve;
    for (;;) {
        long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (fd >= 0) return (int)fd;
        // EAGAIN: a concurrent rename raced the RESOLVE_IN_ROOT walk; the kernel asks for a retry.
        if (errno == EINTR || errno == EAGAIN) continue;
        return -errno;
    }
}
