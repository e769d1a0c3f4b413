// The parent half of a launch: the error pipe, the clone, and reading what the child reported.
#include "CBoxRuntime.h"
#include "spawn_child.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// A private copy of the kernel's struct clone_args (<linux/sched.h> clashes with glibc's <sched.h>).
struct cbox_clone_args {
    uint64_t flags;
    uint64_t pidfd;
    uint64_t child_tid;
    uint64_t parent_tid;
    uint64_t exit_signal;
    uint64_t stack;
    uint64_t stack_size;
    uint64_t tls;
    uint64_t set_tid;
    uint64_t set_tid_size;
    uint64_t cgroup;
};

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

#define CBOX_NAMESPACES (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC)

static const char *const step_names[] = {
    [CBOX_STEP_NONE] = "none",
    [CBOX_STEP_PIPE] = "pipe2",
    [CBOX_STEP_CLONE] = "clone",
    [CBOX_STEP_JOIN_CGROUP] = "join cgroup",
    [CBOX_STEP_SIGNALS] = "reset signals",
    [CBOX_STEP_STDIO] = "dup2 stdio",
    [CBOX_STEP_CLOSE_RANGE] = "close_range",
    [CBOX_STEP_PRIVATE_ROOT] = "make / private",
    [CBOX_STEP_BIND_ROOTFS] = "bind rootfs",
    [CBOX_STEP_CHDIR_ROOTFS] = "chdir rootfs",
    [CBOX_STEP_MOUNT_PROC] = "mount /proc",
    [CBOX_STEP_MOUNT_DEV] = "mount /dev",
    [CBOX_STEP_BIND_DEVICE] = "bind device",
    [CBOX_STEP_MOUNT_DEVPTS] = "mount /dev/pts",
    [CBOX_STEP_MOUNT_SHM] = "mount /dev/shm",
    [CBOX_STEP_DEV_LINKS] = "/dev symlinks",
    [CBOX_STEP_BIND_HOSTS] = "bind /etc/hosts",
    [CBOX_STEP_BIND_RESOLV] = "bind /etc/resolv.conf",
    [CBOX_STEP_SETHOSTNAME] = "sethostname",
    [CBOX_STEP_PIVOT_ROOT] = "pivot_root",
    [CBOX_STEP_UMOUNT_OLD_ROOT] = "umount old root",
    [CBOX_STEP_CHDIR] = "chdir",
    [CBOX_STEP_MOUNT_TMP] = "mount /tmp",
    [CBOX_STEP_CAPBSET_DROP] = "drop bounding capability",
    [CBOX_STEP_AMBIENT] = "clear ambient capabilities",
    [CBOX_STEP_SETGROUPS] = "setgroups",
    [CBOX_STEP_SETRESGID] = "setresgid",
    [CBOX_STEP_SETRESUID] = "setresuid",
    [CBOX_STEP_CAPSET] = "capset",
    [CBOX_STEP_NO_NEW_PRIVS] = "no_new_privs",
    [CBOX_STEP_SECCOMP] = "seccomp",
    [CBOX_STEP_EXECVE] = "execve",
    [CBOX_STEP_ERROR_PIPE] = "read error pipe",
    [CBOX_STEP_FORK_TASK] = "fork (init)",
};

const char *cbox_step_name(int32_t step) {
    if (step < 0 || (size_t)step >= sizeof step_names / sizeof step_names[0] || step_names[step] == NULL) {
        return "unknown step";
    }
    return step_names[step];
}

static long clone_task(const struct cbox_spawn_config *config) {
    if (config->cgroup_dir_fd >= 0) {
        // Fork-like clone3 (no stack): the child starts inside the v2 cgroup, before it can allocate anything.
        struct cbox_clone_args args;
        memset(&args, 0, sizeof args);
        args.flags = CBOX_NAMESPACES | CLONE_INTO_CGROUP;
        args.exit_signal = SIGCHLD;
        args.cgroup = (uint64_t)config->cgroup_dir_fd;
        return syscall(SYS_clone3, &args, sizeof args);
    }
    // Fork-like clone: no new stack, so the child continues here on a copy of this thread's stack.
    return syscall(SYS_clone, CBOX_NAMESPACES | SIGCHLD, 0, NULL, NULL, 0);
}

static int fail_parent(struct cbox_failure *failure, int32_t step, int error) {
    failure->step = step;
    failure->error = error;
    failure->index = 0;
    return -1;
}

int cbox_spawn(const struct cbox_spawn_config *config, pid_t *pid, struct cbox_failure *failure) {
    memset(failure, 0, sizeof *failure);
    *pid = -1;
    int error_pipe[2];
    if (pipe2(error_pipe, O_CLOEXEC) < 0) return fail_parent(failure, CBOX_STEP_PIPE, errno);

    // Block every signal around the clone: no handler of the parent's may run in the child before it resets them.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    long child = clone_task(config);
    if (child == 0) cbox_child_main(config, error_pipe[1]);  // never returns
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(error_pipe[1]);
    if (child < 0) {
        close(error_pipe[0]);
        return fail_parent(failure, CBOX_STEP_CLONE, clone_errno);
    }
    *pid = (pid_t)child;

    // EOF (the write end closed by execve through O_CLOEXEC) means the exec succeeded.
    struct cbox_failure reported;
    ssize_t n;
    do {
        n = read(error_pipe[0], &reported, sizeof reported);
    } while (n < 0 && errno == EINTR);
    int read_errno = errno;
    close(error_pipe[0]);
    if (n == 0) return 0;
    if (n != (ssize_t)sizeof reported) {
        reported.step = CBOX_STEP_ERROR_PIPE;
        reported.error = n < 0 ? read_errno : EPROTO;
        reported.index = 0;
        kill((pid_t)child, SIGKILL);
    }
    // The child has exited (or is about to, with exit_group(127)): reap it. ECHILD means a reaper got there first.
    int status;
    while (waitpid((pid_t)child, &status, __WALL) < 0 && errno == EINTR) {
    }
    *failure = reported;
    return -1;
}
