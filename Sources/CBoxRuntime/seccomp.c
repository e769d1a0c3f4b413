// Compiling a seccomp filter with libseccomp, in the parent (libseccomp allocates), into a BPF program the child
// loads with seccomp(2). libseccomp 2.5 exports only to a file descriptor, so the program goes through a memfd.
#include "CBoxRuntime.h"

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CBOX_BAD_ACTION 0xffffffffU

static uint32_t scmp_action(uint32_t action, uint32_t errno_ret) {
    switch (action) {
    case CBOX_SCMP_ALLOW: return SCMP_ACT_ALLOW;
    case CBOX_SCMP_ERRNO: return SCMP_ACT_ERRNO(errno_ret);
    case CBOX_SCMP_KILL_THREAD: return SCMP_ACT_KILL;
    case CBOX_SCMP_KILL_PROCESS: return SCMP_ACT_KILL_PROCESS;
    case CBOX_SCMP_LOG: return SCMP_ACT_LOG;
    case CBOX_SCMP_TRAP: return SCMP_ACT_TRAP;
    default: return CBOX_BAD_ACTION;
    }
}

static enum scmp_compare scmp_op(uint32_t op) {
    switch (op) {
    case CBOX_CMP_NE: return SCMP_CMP_NE;
    case CBOX_CMP_LT: return SCMP_CMP_LT;
    case CBOX_CMP_LE: return SCMP_CMP_LE;
    case CBOX_CMP_EQ: return SCMP_CMP_EQ;
    case CBOX_CMP_GE: return SCMP_CMP_GE;
    case CBOX_CMP_GT: return SCMP_CMP_GT;
    case CBOX_CMP_MASKED_EQ: return SCMP_CMP_MASKED_EQ;
    default: return _SCMP_CMP_MIN;
    }
}

int cbox_seccomp_syscall_known(const char *name) { return seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR; }

static int add_rule(scmp_filter_ctx ctx, uint32_t default_action, const struct cbox_seccomp_rule *rule,
                    size_t *skipped) {
    int nr = seccomp_syscall_resolve_name(rule->syscall);
    if (nr == __NR_SCMP_ERROR) {
        (*skipped)++;
        return 0;
    }
    uint32_t action = scmp_action(rule->action, rule->errno_ret);
    if (action == CBOX_BAD_ACTION || rule->arg_count > 6) return EINVAL;
    if (action == default_action) return 0;  // libseccomp refuses a rule that repeats the default; it adds nothing
    struct scmp_arg_cmp comparisons[6];
    for (uint32_t i = 0; i < rule->arg_count; i++) {
        const struct cbox_seccomp_arg *arg = &rule->args[i];
        enum scmp_compare op = scmp_op(arg->op);
        if (op == _SCMP_CMP_MIN || arg->index > 5) return EINVAL;
        comparisons[i] = (struct scmp_arg_cmp){.arg = arg->index, .op = op, .datum_a = arg->value,
                                               .datum_b = arg->value_two};
    }
    int result = seccomp_rule_add_array(ctx, action, nr, rule->arg_count, comparisons);
    return result < 0 ? -result : 0;
}

static int export_bpf(scmp_filter_ctx ctx, struct cbox_bpf *out) {
    int fd = memfd_create("clusterbox-seccomp", MFD_CLOEXEC);
    if (fd < 0) return errno;
    int result = seccomp_export_bpf(ctx, fd);
    struct stat st;
    if (result == 0 && fstat(fd, &st) < 0) result = -errno;
    if (result < 0) {
        close(fd);
        return -result;
    }
    size_t size = (size_t)st.st_size;
    void *buffer = malloc(size > 0 ? size : 1);
    if (buffer == NULL) {
        close(fd);
        return ENOMEM;
    }
    size_t done = 0;
    while (done < size) {
        ssize_t n = pread(fd, (char *)buffer + done, size - done, (off_t)done);
        if (n <= 0) {
            int error = n < 0 ? errno : EIO;
            free(buffer);
            close(fd);
            return error;
        }
        done += (size_t)n;
    }
    close(fd);
    out->instructions = buffer;
    out->count = size / 8;  // sizeof(struct sock_filter)
    return 0;
}

int cbox_seccomp_compile(const struct cbox_seccomp_filter *filter, struct cbox_bpf *out, long *failed_rule) {
    memset(out, 0, sizeof *out);
    *failed_rule = -1;
    uint32_t default_action = scmp_action(filter->default_action, filter->default_errno);
    if (default_action == CBOX_BAD_ACTION) return EINVAL;
    scmp_filter_ctx ctx = seccomp_init(default_action);
    if (ctx == NULL) return EINVAL;
    int error = 0;
    for (size_t i = 0; i < filter->extra_arch_count && error == 0; i++) {
        uint32_t arch = seccomp_arch_resolve_name(filter->extra_arches[i]);
        if (arch == 0) {
            error = EINVAL;
            break;
        }
        int result = seccomp_arch_add(ctx, arch);
        if (result < 0 && result != -EEXIST) error = -result;
    }
    size_t skipped = 0;
    for (size_t i = 0; i < filter->rule_count && error == 0; i++) {
        error = add_rule(ctx, default_action, &filter->rules[i], &skipped);
        if (error != 0) *failed_rule = (long)i;
    }
    if (error == 0) error = export_bpf(ctx, out);
    out->skipped = skipped;
    seccomp_release(ctx);
    return error;
}

void cbox_bpf_free(struct cbox_bpf *bpf) {
    free(bpf->instructions);
    bpf->instructions = NULL;
    bpf->count = 0;
}
