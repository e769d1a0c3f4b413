#ifndef CBOXIMAGES_H
#define CBOXIMAGES_H

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>

/// Flags Swift's Glibc module may not show (they need _GNU_SOURCE).
static const int CBOX_O_PATH = 010000000;
static const int CBOX_O_NOFOLLOW = 0400000;
static const int CBOX_O_DIRECTORY = 0200000;
static const int CBOX_O_CLOEXEC = 02000000;
static const int CBOX_AT_EMPTY_PATH = 0x1000;
static const int CBOX_MNT_DETACH = 2;

/// The name of a directory entry (Swift sees `d_name` as a 256-tuple).
static inline const char *cbox_dirent_name(const struct dirent *entry) { return entry->d_name; }

/// openat2(2) (kernel 5.6+): `path` resolved under `dirfd` with the RESOLVE_* flags in `resolve`.
/// Returns the new fd, or -errno. Swift cannot call the variadic syscall(2).
int cbox_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);

/// The RESOLVE_* flags of <linux/openat2.h>, which is not on every build machine.
#define CBOX_RESOLVE_NO_XDEV 0x01
#define CBOX_RESOLVE_NO_MAGICLINKS 0x02
#define CBOX_RESOLVE_NO_SYMLINKS 0x04
#define CBOX_RESOLVE_BENEATH 0x08
#define CBOX_RESOLVE_IN_ROOT 0x10

/// makedev(3), a macro in glibc.
static inline dev_t cbox_makedev(unsigned int major, unsigned int minor) {
    return ((dev_t)(major & 0xfffff000u) << 32) | ((dev_t)(major & 0xfffu) << 8) | ((dev_t)(minor & 0xffffff00u) << 12)
        | (dev_t)(minor & 0xffu);
}
static inline unsigned int cbox_major(dev_t dev) {
    return (unsigned int)(((dev >> 32) & 0xfffff000u) | ((dev >> 8) & 0xfffu));
}
static inline unsigned int cbox_minor(dev_t dev) {
    return (unsigned int)(((dev >> 12) & 0xffffff00u) | (dev & 0xffu));
}

#endif
