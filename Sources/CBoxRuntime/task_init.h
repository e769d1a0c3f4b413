#ifndef CBOX_TASK_INIT_H
#define CBOX_TASK_INIT_H
#include "CBoxRuntime.h"

/// The init loop, run by the launch child after it forked the task (`task`, in its own process group). All
/// signals must already be blocked. `seccomp_program` (a `struct sock_fprog`, or NULL) is loaded into the init too.
/// Exits with the task's status; never returns.
__attribute__((noreturn)) void cbox_run_init(const struct cbox_spawn_config *config, pid_t task,
                                             const void *seccomp_program);

#endif
