#ifndef CBOX_SPAWN_CHILD_H
#define CBOX_SPAWN_CHILD_H
#include "CBoxRuntime.h"

/// The child half of `cbox_spawn`: runs the setup steps and execs, or reports a `struct cbox_failure` on
/// `error_fd` and exits with 127.
__attribute__((noreturn)) void cbox_child_main(const struct cbox_spawn_config *config, int error_fd);

#endif
