// libsystemd's sd-bus, for the systemd cgroup driver (BoxRuntime/Systemd). Swift calls only the non-variadic
// functions: sd_bus_message_append_basic / _open_container instead of sd_bus_message_append (runtime.md §0.3).
#include <systemd/sd-bus.h>
// getxattr, for the trusted.delegate attribute systemd sets on delegated cgroups (CgroupDriverChoice).
#include <sys/xattr.h>
