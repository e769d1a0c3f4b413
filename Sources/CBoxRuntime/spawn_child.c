// The child half of a launch. It runs on a copy of a multi-threaded parent's memory, so it does only raw system
// calls on memory the parent prepared: no malloc, no stdio, no libc wrapper that takes a lock or signals other
// threads (glibc's setresuid does). The steps follow docs/runtime.md §1.2, in order.
#include "spawn_child.h"
#include "task_init.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

static const char *const device_names[] = {"null", "zero", "full", "random", "urandom", "tty"};
#define DEVICE_COUNT (sizeof device_names / sizeof device_names[0])
// Host source and target (relative to the new root, before pivot_root) of each device, in the order above.
static const char *const device_sources[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
                                             "/dev/tty"};
static const char *const device_targets[] = {"dev/null", "dev/zero", "dev/full", "dev/random", "dev/urandom",
                                             "dev/tty"};

// The kernel's struct sigaction for rt_sigaction (glibc's differs and its wrapper refuses its own signals).
struct kernel_sigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

// The kernel's capability structures, version 3 (two 32-bit halves).
struct cap_header {
    uint32_t version;
    int pid;
};
struct cap_data {
    uint32_t effective;
    uint32_t permitted;
    uint32_t inheritable;
};
#define CAP_VERSION_3 0x20080522

__attribute__((noreturn)) static void fail(int error_fd, int32_t step, int32_t index) {
    struct cbox_failure failure = {.step = step, .error = errno, .index = index};
    (void)syscall(SYS_write, error_fd, &failure, sizeof failure);
    syscall(SYS_exit_group, 127);
    __builtin_unreachable();
}

#define CHECK(call, step, index) \
    do { \
        if ((call) < 0) fail(error_fd, (step), (index)); \
    } while (0)

static long sys_mount(const char *source, const char *target, const char *type, unsigned long flags,
                      const char *data) {
    return syscall(SYS_mount, source, target, type, flags, data);
}

// A directory directly under the working directory; an existing symlink is refused, so an image cannot redirect a
// mount onto a host path before pivot_root.
static long ensure_directory(const char *name, mode_t mode) {
    if (syscall(SYS_mkdirat, AT_FDCWD, name, mode) == 0) return 0;
    if (errno != EEXIST) return -1;
    struct stat st;
    if (syscall(SYS_newfstatat, AT_FDCWD, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

// A file to bind-mount onto; O_NOFOLLOW refuses a symlink in its last component.
static long ensure_file(const char *path) {
    long fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0644);
    if (fd < 0) return -1;
    syscall(SYS_close, fd);
    return 0;
}

static void reset_signals(const struct cbox_spawn_config *config, int error_fd) {
    (void)config;
    struct kernel_sigaction action;
    memset(&action, 0, sizeof action);
    action.handler = SIG_DFL;
    for (int sig = 1; sig <= 64; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        CHECK(syscall(SYS_rt_sigaction, sig, &action, NULL, sizeof(uint64_t)), CBOX_STEP_SIGNALS, sig);
    }
    uint64_t empty = 0;
    CHECK(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, sizeof empty), CBOX_STEP_SIGNALS, 0);
}

static void setup_stdio(const struct cbox_spawn_config *config, int error_fd) {
    int fds[3];
    for (int i = 0; i < 3; i++) {
        fds[i] = config->stdio_fds[i];
        // Move a source that sits on 0..2 out of the way, so one dup3 cannot clobber another's source.
        if (fds[i] >= 0 && fds[i] < 3) {
            long moved = syscall(SYS_fcntl, fds[i], F_DUPFD_CLOEXEC, 3);
            CHECK(moved, CBOX_STEP_STDIO, i);
            fds[i] = (int)moved;
        }
    }
    for (int i = 0; i < 3; i++) {
        if (fds[i] < 0) continue;
        CHECK(syscall(SYS_dup3, fds[i], i, 0), CBOX_STEP_STDIO, i);
    }
    // Close (not just mark close-on-exec) every other descriptor now: the parent's threads may have files open for
    // writing (a layer being unpacked, a binary being copied), and while this copy of such a descriptor lives, every
    // exec of that file, here or in a sibling, fails with ETXTBSY. The setup below may take long under load.
    unsigned keep = (unsigned)error_fd;
    if (keep > 3) CHECK(syscall(SYS_close_range, 3, keep - 1, 0), CBOX_STEP_CLOSE_RANGE, 0);
    CHECK(syscall(SYS_close_range, keep < 3 ? 3 : keep + 1, ~0U, 0), CBOX_STEP_CLOSE_RANGE, 0);
}

static void bind_file(const char *source, const char *target, int32_t step, int error_fd) {
    CHECK(ensure_file(target), step, 0);
    CHECK(sys_mount(source, target, NULL, MS_BIND, NULL), step, 0);
}

// Rootfs mode, run with the rootfs as working directory: /proc, /dev, /etc files, all relative to it.
static void populate_rootfs(const struct cbox_spawn_config *config, int error_fd) {
    CHECK(ensure_directory("proc", 0555), CBOX_STEP_MOUNT_PROC, 0);
    CHECK(sys_mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL), CBOX_STEP_MOUNT_PROC, 0);
    CHECK(ensure_directory("dev", 0755), CBOX_STEP_MOUNT_DEV, 0);
    CHECK(sys_mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"), CBOX_STEP_MOUNT_DEV,
          0);
    for (size_t i = 0; i < DEVICE_COUNT; i++) {
        CHECK(ensure_file(device_targets[i]), CBOX_STEP_BIND_DEVICE, (int32_t)i);
        CHECK(sys_mount(device_sources[i], device_targets[i], NULL, MS_BIND, NULL), CBOX_STEP_BIND_DEVICE, (int32_t)i);
    }
    CHECK(ensure_directory("dev/pts", 0755), CBOX_STEP_MOUNT_DEVPTS, 0);
    CHECK(sys_mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"),
          CBOX_STEP_MOUNT_DEVPTS, 0);
    CHECK(ensure_directory("dev/shm", 01777), CBOX_STEP_MOUNT_SHM, 0);
    CHECK(sys_mount("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k"),
          CBOX_STEP_MOUNT_SHM, 0);
    static const char *const link_targets[] = {"pts/ptmx", "/proc/self/fd", "/proc/self/fd/0", "/proc/self/fd/1",
                                               "/proc/self/fd/2"};
    static const char *const link_names[] = {"dev/ptmx", "dev/fd", "dev/stdin", "dev/stdout", "dev/stderr"};
    for (int i = 0; i < 5; i++) {
        CHECK(syscall(SYS_symlinkat, link_targets[i], AT_FDCWD, link_names[i]), CBOX_STEP_DEV_LINKS, i);
    }
    if (config->hosts_file != NULL || config->resolv_conf != NULL) {
        CHECK(ensure_directory("etc", 0755), config->hosts_file ? CBOX_STEP_BIND_HOSTS : CBOX_STEP_BIND_RESOLV, 0);
    }
    if (config->hosts_file != NULL) bind_file(config->hosts_file, "etc/hosts", CBOX_STEP_BIND_HOSTS, error_fd);
    if (config->resolv_conf != NULL) {
        bind_file(config->resolv_conf, "etc/resolv.conf", CBOX_STEP_BIND_RESOLV, error_fd);
    }
}

static void enter_rootfs(const struct cbox_spawn_config *config, int error_fd) {
    // Bind first, then chdir (runtime.md §0.2): the working directory must be on the new mount for pivot_root.
    CHECK(sys_mount(config->rootfs, config->rootfs, NULL, MS_BIND | MS_REC, NULL), CBOX_STEP_BIND_ROOTFS, 0);
    CHECK(syscall(SYS_chdir, config->rootfs), CBOX_STEP_CHDIR_ROOTFS, 0);
    populate_rootfs(config, error_fd);
    CHECK(syscall(SYS_sethostname, config->hostname, strlen(config->hostname)), CBOX_STEP_SETHOSTNAME, 0);
    // pivot_root(".", ".") stacks the old root on top of the new one; detaching "." then drops it.
    CHECK(syscall(SYS_pivot_root, ".", "."), CBOX_STEP_PIVOT_ROOT, 0);
    CHECK(syscall(SYS_umount2, ".", MNT_DETACH), CBOX_STEP_UMOUNT_OLD_ROOT, 0);
    CHECK(syscall(SYS_chdir, config->cwd), CBOX_STEP_CHDIR, 0);
}

// A sandbox under /tmp (test clusters keep their data there) would be reachable only as the working directory once
// the private tmpfs covers /tmp, and a program asking getcwd() for its path would find nothing there: the same path
// is made in the tmpfs and the sandbox (still the working directory) bound onto it.
static void keep_sandbox_path(const struct cbox_spawn_config *config, int error_fd) {
    const char *cwd = config->cwd;
    if (strncmp(cwd, "/tmp/", 5) != 0) return;
    char path[4096];
    size_t length = strlen(cwd);
    if (length >= sizeof path) {
        errno = ENAMETOOLONG;
        fail(error_fd, CBOX_STEP_MOUNT_TMP, 1);
    }
    for (size_t i = 5; i <= length; i++) {
        if (cwd[i] != '/' && cwd[i] != '\0') continue;
        memcpy(path, cwd, i);
        path[i] = '\0';
        if (syscall(SYS_mkdirat, AT_FDCWD, path, 0755) < 0 && errno != EEXIST) fail(error_fd, CBOX_STEP_MOUNT_TMP, 1);
    }
    CHECK(sys_mount(".", cwd, NULL, MS_BIND, NULL), CBOX_STEP_MOUNT_TMP, 2);
    CHECK(syscall(SYS_chdir, cwd), CBOX_STEP_CHDIR, 0);
}

// Host mode (the Mesos containerizer without an image): the host's filesystem, with its own /proc and /tmp.
static void stay_on_host(const struct cbox_spawn_config *config, int error_fd) {
    // chdir first: a sandbox under /tmp stays reachable as the working directory once the tmpfs hides it.
    CHECK(syscall(SYS_chdir, config->cwd), CBOX_STEP_CHDIR, 0);
    CHECK(sys_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL), CBOX_STEP_MOUNT_PROC, 0);
    CHECK(sys_mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"), CBOX_STEP_MOUNT_TMP, 0);
    keep_sandbox_path(config, error_fd);
    if (config->hosts_file != NULL) {
        CHECK(sys_mount(config->hosts_file, "/etc/hosts", NULL, MS_BIND, NULL), CBOX_STEP_BIND_HOSTS, 0);
    }
    if (config->resolv_conf != NULL) {
        CHECK(sys_mount(config->resolv_conf, "/etc/resolv.conf", NULL, MS_BIND, NULL), CBOX_STEP_BIND_RESOLV, 0);
    }
    CHECK(syscall(SYS_sethostname, config->hostname, strlen(config->hostname)), CBOX_STEP_SETHOSTNAME, 0);
}

static void drop_privileges(const struct cbox_spawn_config *config, int error_fd) {
    for (int cap = 0; cap <= config->cap_last_cap && cap < 64; cap++) {
        if (config->capabilities & (1ULL << cap)) continue;
        CHECK(syscall(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0), CBOX_STEP_CAPBSET_DROP, cap);
    }
    CHECK(syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), CBOX_STEP_AMBIENT, 0);
    // Raw syscalls: these change only this thread's credentials, and the child has only this thread.
    CHECK(syscall(SYS_setgroups, config->group_count, config->groups), CBOX_STEP_SETGROUPS, 0);
    CHECK(syscall(SYS_setresgid, config->gid, config->gid, config->gid), CBOX_STEP_SETRESGID, 0);
    // Moving every uid away from 0 clears the permitted and effective sets; uid 0 keeps them, so reduce them.
    CHECK(syscall(SYS_setresuid, config->uid, config->uid, config->uid), CBOX_STEP_SETRESUID, 0);
    if (config->uid == 0) {
        struct cap_header header = {.version = CAP_VERSION_3, .pid = 0};
        uint32_t low = (uint32_t)config->capabilities, high = (uint32_t)(config->capabilities >> 32);
        struct cap_data data[2] = {{low, low, 0}, {high, high, 0}};
        CHECK(syscall(SYS_capset, &header, data), CBOX_STEP_CAPSET, 0);
    }
    CHECK(syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), CBOX_STEP_NO_NEW_PRIVS, 0);
}

const char *cbox_device_name(int32_t index) {
    return index >= 0 && (size_t)index < DEVICE_COUNT ? device_names[index] : NULL;
}

void cbox_child_main(const struct cbox_spawn_config *config, int error_fd) {
    for (size_t i = 0; i < config->cgroup_procs_count; i++) {
        // "0" is the writing process, on v1 and v2 alike.
        CHECK(syscall(SYS_write, config->cgroup_procs_fds[i], "0", 1), CBOX_STEP_JOIN_CGROUP, (int32_t)i);
    }
    reset_signals(config, error_fd);
    setup_stdio(config, error_fd);
    // Private propagation first, so no mount below leaks into the host's namespace.
    CHECK(sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), CBOX_STEP_PRIVATE_ROOT, 0);
    if (config->rootfs != NULL) {
        enter_rootfs(config, error_fd);
    } else {
        stay_on_host(config, error_fd);
    }
    drop_privileges(config, error_fd);
    struct sock_fprog program = {.len = config->seccomp_filter_len,
                                 .filter = (struct sock_filter *)config->seccomp_filter};
    if (config->with_init) {
        // Signals stay blocked from here in the init (it takes them with rt_sigtimedwait); the task unblocks them.
        uint64_t all = ~(uint64_t)0, none = 0;
        CHECK(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, sizeof all), CBOX_STEP_SIGNALS, 0);
        long task = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
        CHECK(task, CBOX_STEP_FORK_TASK, 0);
        if (task > 0) {
            // The init. The task's copy of error_fd reports its exec; the parent reads EOF once both are closed.
            syscall(SYS_close, error_fd);
            cbox_run_init(config, (pid_t)task, config->seccomp_filter != NULL ? &program : NULL);
        }
        CHECK(syscall(SYS_setpgid, 0, 0), CBOX_STEP_FORK_TASK, 1);
        CHECK(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof none), CBOX_STEP_SIGNALS, 0);
    }
    if (config->seccomp_filter != NULL) {
        // Last before exec, so the filter never has to allow the setup's own calls.
        CHECK(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program), CBOX_STEP_SECCOMP, 0);
    }
    // ETXTBSY: some process forked while a thread of the parent had this file open for writing (a layer being
    // unpacked, a file being copied), and its copy of that descriptor lives until it closes it or execs: a sibling
    // launch closes it early (setup_stdio), another fork may not. Wait it out, up to 2 s.
    for (int attempt = 0; attempt < 1000; attempt++) {
        syscall(SYS_execve, config->path, config->argv, config->envp);
        if (errno != ETXTBSY) break;
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 2000000};
        syscall(SYS_nanosleep, &pause, NULL);
    }
    fail(error_fd, CBOX_STEP_EXECVE, 0);
}
