// CBoxRuntime: the mechanism between fork and exec, in C. Policy (what to mount, which capabilities to keep, which
// syscalls to refuse) is decided in Swift (BoxRuntime); every function here reports failure as an errno-style value.
//
// This header must stay importable by Swift: no kernel headers that clash with glibc, no variadic functions, no
// function-like macros. Arrays are passed as pointer + count.
#ifndef CBOX_RUNTIME_H
#define CBOX_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

// MARK: - Spawning a contained task

/// The steps of a launch, in the order the child runs them (parent-side steps first). `cbox_step_name` spells them.
enum cbox_step {
    CBOX_STEP_NONE = 0,
    CBOX_STEP_PIPE = 1,           // parent: pipe2 for the error pipe
    CBOX_STEP_CLONE = 2,          // parent: clone / clone3
    CBOX_STEP_JOIN_CGROUP = 3,    // write "0" to cgroup.procs fd number `index`
    CBOX_STEP_SIGNALS = 4,        // reset dispositions and the mask
    CBOX_STEP_STDIO = 5,          // dup2 onto fd `index`
    CBOX_STEP_CLOSE_RANGE = 6,
    CBOX_STEP_PRIVATE_ROOT = 7,   // make / private (recursive)
    CBOX_STEP_BIND_ROOTFS = 8,
    CBOX_STEP_CHDIR_ROOTFS = 9,
    CBOX_STEP_MOUNT_PROC = 10,
    CBOX_STEP_MOUNT_DEV = 11,
    CBOX_STEP_BIND_DEVICE = 12,   // cbox_device_names[index]
    CBOX_STEP_MOUNT_DEVPTS = 13,
    CBOX_STEP_MOUNT_SHM = 14,
    CBOX_STEP_DEV_LINKS = 15,
    CBOX_STEP_BIND_HOSTS = 16,
    CBOX_STEP_BIND_RESOLV = 17,
    CBOX_STEP_SETHOSTNAME = 18,
    CBOX_STEP_PIVOT_ROOT = 19,
    CBOX_STEP_UMOUNT_OLD_ROOT = 20,
    CBOX_STEP_CHDIR = 21,
    CBOX_STEP_MOUNT_TMP = 22,
    CBOX_STEP_CAPBSET_DROP = 23,  // capability number `index`
    CBOX_STEP_AMBIENT = 24,
    CBOX_STEP_SETGROUPS = 25,
    CBOX_STEP_SETRESGID = 26,
    CBOX_STEP_SETRESUID = 27,
    CBOX_STEP_CAPSET = 28,
    CBOX_STEP_NO_NEW_PRIVS = 29,
    CBOX_STEP_SECCOMP = 30,
    CBOX_STEP_EXECVE = 31,
    CBOX_STEP_ERROR_PIPE = 32,    // parent: reading the error pipe
    CBOX_STEP_FORK_TASK = 33,     // with an init: the fork that makes the task the init's child
};

/// Where the child stopped: its step, the errno, and an index for steps that repeat (see `enum cbox_step`).
struct cbox_failure {
    int32_t step;
    int32_t error;
    int32_t index;
};

/// The device nodes bind-mounted from the host into the task's /dev ("null", "zero", …), by
/// `CBOX_STEP_BIND_DEVICE` index; NULL past the end.
const char *cbox_device_name(int32_t index);

/// Everything the child needs, prepared by the parent. The child only reads it (it runs on a copy of the parent's
/// memory and must not allocate). Pointers must stay valid for the duration of `cbox_spawn`.
struct cbox_spawn_config {
    const char *path;        // the file to execve: inside the rootfs when one is given, on the host otherwise
    char *const *argv;       // NULL-terminated
    char *const *envp;       // NULL-terminated
    const char *rootfs;      // absolute host path of the rootfs, or NULL for host mode (no pivot_root)
    const char *cwd;         // working directory: inside the rootfs, or the sandbox on the host
    const char *hostname;
    const char *hosts_file;  // host path bound onto /etc/hosts, or NULL
    const char *resolv_conf; // host path bound onto /etc/resolv.conf, or NULL
    int stdio_fds[3];        // opened by the parent; dup2'ed onto 0, 1, 2
    const int *cgroup_procs_fds;
    size_t cgroup_procs_count;
    int cgroup_dir_fd;       // a cgroup v2 directory for clone3(CLONE_INTO_CGROUP), or -1
    uint32_t uid;
    uint32_t gid;
    const uint32_t *groups;
    size_t group_count;
    uint64_t capabilities;   // the keep mask (bit n = capability n)
    int cap_last_cap;        // /proc/sys/kernel/cap_last_cap
    const void *seccomp_filter; // struct sock_filter[], or NULL for no filter
    uint16_t seccomp_filter_len; // in instructions
    // With an init (`with_init` non-zero), PID 1 of the task's namespace is a tiny init of ours and the command runs
    // as its child (PID 2) in a process group of its own: the init forwards every signal it gets to that group,
    // reaps orphans, and exits with the command's status (128 + n when a signal n ended it), like `docker --init`.
    // Without one, the command is PID 1 and, like any init, ignores the signals it does not handle (SIGTERM).
    int with_init;
    // The calling process's argv area (arg_start..arg_end of /proc/self/stat), which the init, a copy of the caller,
    // overwrites with its own name so that `ps` in the task shows "clusterbox-init"; NULL to leave it.
    void *argument_area;
    size_t argument_area_len;
};

/// Clones a task into new pid, mount, UTS and IPC namespaces, runs the setup steps in the child and execs.
/// Returns 0 and sets `*pid` when execve succeeded. Returns -1 and fills `*failure` otherwise; when a child was
/// created it has been reaped, and `*pid` still names it (for logs). Blocks all signals in the calling thread for
/// the duration of the clone.
int cbox_spawn(const struct cbox_spawn_config *config, pid_t *pid, struct cbox_failure *failure);

/// A short name for a step ("pivot_root", "mount /proc"); the index is added by the Swift side where it matters.
const char *cbox_step_name(int32_t step);

// MARK: - seccomp (libseccomp, parent only)

enum cbox_seccomp_action {
    CBOX_SCMP_ALLOW = 0,
    CBOX_SCMP_ERRNO = 1,        // with `errno_ret`
    CBOX_SCMP_KILL_THREAD = 2,  // SCMP_ACT_KILL
    CBOX_SCMP_KILL_PROCESS = 3,
    CBOX_SCMP_LOG = 4,
    CBOX_SCMP_TRAP = 5,
};

enum cbox_seccomp_op {
    CBOX_CMP_NE = 1,
    CBOX_CMP_LT = 2,
    CBOX_CMP_LE = 3,
    CBOX_CMP_EQ = 4,
    CBOX_CMP_GE = 5,
    CBOX_CMP_GT = 6,
    CBOX_CMP_MASKED_EQ = 7,  // (arg & value) == value_two
};

struct cbox_seccomp_arg {
    uint32_t index;
    uint32_t op;
    uint64_t value;
    uint64_t value_two;
};

struct cbox_seccomp_rule {
    const char *syscall;  // by name; names this architecture does not know are skipped (counted in `skipped`)
    uint32_t action;
    uint32_t errno_ret;
    const struct cbox_seccomp_arg *args;
    uint32_t arg_count;
};

struct cbox_seccomp_filter {
    uint32_t default_action;
    uint32_t default_errno;
    const struct cbox_seccomp_rule *rules;
    size_t rule_count;
    const char *const *extra_arches;  // libseccomp arch names ("x86", "x32") besides the native one
    size_t extra_arch_count;
};

/// A compiled BPF program: `instructions` of 8-byte `struct sock_filter`, allocated with malloc.
struct cbox_bpf {
    void *instructions;
    size_t count;
    size_t skipped;  // rules skipped because their syscall is unknown on this architecture
};

/// Compiles a filter with libseccomp and exports it through a memfd. Returns 0, or an errno with `failed_rule` set
/// to the index of the rule libseccomp refused (or -1 when the failure is not a rule's).
int cbox_seccomp_compile(const struct cbox_seccomp_filter *filter, struct cbox_bpf *out, long *failed_rule);
void cbox_bpf_free(struct cbox_bpf *bpf);
/// Non-zero when libseccomp knows `name` on the native architecture.
int cbox_seccomp_syscall_known(const char *name);

// MARK: - Small system helpers

/// statfs(2)'s f_type for `path`, or -errno. (Swift's Glibc module does not expose statfs.)
int64_t cbox_statfs_type(const char *path);
/// prctl(PR_SET_CHILD_SUBREAPER, 1): 0 or errno.
int cbox_set_child_subreaper(void);
/// Sends `sig` through a pidfd (no pid-reuse race), waits up to `grace_ms` for the process to exit, then SIGKILLs
/// it. Returns 0 if it exited within the grace, 1 if it had to be killed, or -errno (ESRCH: already gone).
/// The process is not reaped: its parent still gets its status.
int cbox_signal_then_kill(pid_t pid, int sig, int grace_ms);
/// Whether `path` names an executable regular file, resolving symlinks as if `root` were "/"
/// (openat2 RESOLVE_IN_ROOT), so an image's absolute symlinks do not reach the host. 0 or errno.
int cbox_executable_in_root(const char *root, const char *path);

#endif
