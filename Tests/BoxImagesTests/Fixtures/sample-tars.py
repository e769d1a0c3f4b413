"""Writes the tar archives TarReaderTests reads, with Python's tarfile as the reference writer:

ustar.tar     a directory, a file, a symlink, a hard link, a fifo, a char device, a 155+100-character ustar name
pax.tar       pax headers: a 300-character path, a 200-character link target, uid 3000000, a fractional mtime,
              an xattr, a file larger than the ustar octal size field would hold is not written (too big), but
              a pax `size` record is
gnu.tar       GNU format: 'L' and 'K' long names, base-256 uid
two.tar.gz    ustar.tar gzip-compressed as two concatenated gzip members (gzip(1) reads them as one stream)
Usage: sample-tars.py OUTDIR
"""
import gzip
import io
import os
import sys
import tarfile

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def entry(name, kind=tarfile.REGTYPE, data=b"", mode=0o644, uid=0, gid=0, link="", mtime=1_700_000_000, **extra):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.uid, info.gid, info.mtime, info.linkname = kind, mode, uid, gid, mtime, link
    for key, value in extra.items():
        setattr(info, key, value)
    if kind == tarfile.REGTYPE:
        info.size = len(data)
        return info, io.BytesIO(data)
    return info, None


def write(path, fmt, entries):
    with tarfile.open(path, "w", format=fmt) as tar:
        for info, data in entries:
            tar.addfile(info, data)


ustar_long = "p" * 150 + "/" + "n" * 99
write(os.path.join(out, "ustar.tar"), tarfile.USTAR_FORMAT, [
    entry("dir/", tarfile.DIRTYPE, mode=0o755),
    entry("dir/file.txt", data=b"hello tar\n", mode=0o640, uid=1000, gid=100, uname="app", gname="users"),
    entry("dir/link", tarfile.SYMTYPE, link="file.txt", mode=0o777),
    entry("dir/hard", tarfile.LNKTYPE, link="dir/file.txt"),
    entry("dir/fifo", tarfile.FIFOTYPE, mode=0o600),
    entry("dir/null", tarfile.CHRTYPE, mode=0o666, devmajor=1, devminor=3),
    entry(ustar_long, data=b"x" * 1000),
])

long_path = "a/" + "b" * 298
long_link = "t" * 200
write(os.path.join(out, "pax.tar"), tarfile.PAX_FORMAT, [
    entry(long_path, data=b"pax\n", uid=3_000_000, gid=3_000_001, mtime=1_700_000_000.25,
          pax_headers={"SCHILY.xattr.user.mime": "text/plain", "SCHILY.xattr.security.capability": "\x01\x02"}),
    entry("sym", tarfile.SYMTYPE, link=long_link, mode=0o777),
])

write(os.path.join(out, "gnu.tar"), tarfile.GNU_FORMAT, [
    entry("g/" + "n" * 200, data=b"gnu\n", uid=2 ** 21 + 5),
    entry("g/l", tarfile.SYMTYPE, link="k" * 150, mode=0o777),
])

with open(os.path.join(out, "ustar.tar"), "rb") as f:
    data = f.read()
half = len(data) // 2
with open(os.path.join(out, "two.tar.gz"), "wb") as f:
    f.write(gzip.compress(data[:half]))
    f.write(gzip.compress(data[half:]))
