// The task's init: PID 1 of its pid namespace when a launch asks for one (`with_init`). Like the launch child it
// came from, it runs on a copy of the multi-threaded parent's memory, so it makes only raw system calls.
//
// A pid namespace's init gets only the signals it handles, so a command running as PID 1 ignores SIGTERM and a
// graceful stop becomes a SIGKILL after the grace period. The init keeps every signal blocked and takes them with
// rt_sigtimedwait (blocked signals are queued, never ignored), forwards each to the command's process group, reaps
// the orphans the namespace hands it, and exits with the command's status once the command has ended. Its own exit
// then takes the namespace's remaining processes with it.
#include "task_init.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

static const char init_name[] = "clusterbox-init";

// `ps` reads /proc/PID/cmdline, which is the argv area of the process: the parent's command line in this copy.
static void rename_init(const struct cbox_spawn_config *config) {
    (void)syscall(SYS_prctl, PR_SET_NAME, init_name, 0, 0, 0);
    if (config->argument_area == NULL || config->argument_area_len < sizeof init_name) return;
    memset(config->argument_area, 0, config->argument_area_len);
    memcpy(config->argument_area, init_name, sizeof init_name);
}

static void forward(pid_t task, int sig) {
    // The group reaches `sh -c`'s children too; a task that left its group still gets the signal itself.
    if (syscall(SYS_kill, -task, sig) < 0) (void)syscall(SYS_kill, task, sig);
}

void cbox_run_init(const struct cbox_spawn_config *config, pid_t task, const void *seccomp_program) {
    // Not dumpable: the task runs as the same uid and must not ptrace its way into an init that outlives it.
    (void)syscall(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0);
    rename_init(config);
    // Every descriptor goes, not only stdio: the rest are the agent's (listening sockets, the store's files), only
    // marked close-on-exec, and the init never execs. An init that kept them would hold the daemon's ports after a
    // SIGKILL of the daemon, and the next `clusterbox up` could not bind them.
    if (syscall(SYS_close_range, 0, ~0U, 0) < 0) {
        for (int fd = 0; fd < 65536; fd++) (void)syscall(SYS_close, fd);
    }
    if (seccomp_program != NULL) (void)syscall(SYS_seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, 0, seccomp_program);
    uint64_t all = ~(uint64_t)0;
    for (;;) {
        siginfo_t info;
        long sig = syscall(SYS_rt_sigtimedwait, &all, &info, NULL, sizeof all);
        if (sig < 0) continue;  // EINTR
        if (sig != SIGCHLD) {
            forward(task, (int)sig);
            continue;
        }
        for (;;) {
            int status = 0;
            long pid = syscall(SYS_wait4, -1, &status, WNOHANG, NULL);
            if (pid <= 0) break;
            if (pid != task) continue;  // an orphan
            int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            syscall(SYS_exit_group, code);
        }
    }
}
