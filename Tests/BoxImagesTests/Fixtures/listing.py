"""Prints one line per entry under ROOT (not ROOT itself), sorted: path, type, mode, owner, size (files), link
target (symlinks). What the tests compare between umoci's unpacking and ours."""
import os
import stat
import sys

root = sys.argv[1]
lines = []
for directory, dirs, files in os.walk(root):
    for name in dirs + files:
        path = os.path.join(directory, name)
        st = os.lstat(path)
        kind = {stat.S_IFDIR: "dir", stat.S_IFREG: "file", stat.S_IFLNK: "symlink", stat.S_IFIFO: "fifo",
                stat.S_IFCHR: "chr", stat.S_IFBLK: "blk"}.get(stat.S_IFMT(st.st_mode), "other")
        size = str(st.st_size) if kind == "file" else "-"
        target = os.readlink(path) if kind == "symlink" else "-"
        rel = os.path.relpath(path, root)
        lines.append(f"{rel} {kind} {stat.S_IMODE(st.st_mode):04o} {st.st_uid}:{st.st_gid} {size} {target}")
print("\n".join(sorted(lines)))
