"""Writes the hand-made layers of make-images.sh (uncompressed tars for `umoci raw add-layer`).

pax: data/.wh..wh..opq (hides the lower /data), data/fresh.txt, etc/secret (0600, 65534:65534), etc/secret-hard
     (a hard link to it), link-to-secret -> /etc/secret, bin/suid (04755), shared/ (01777), run/fifo, a file with a
     131-character path and a user xattr.
gnu: a GNU-format layer whose long names and link targets need 'L' and 'K' entries.
"""
import io
import sys
import tarfile

kind, out = sys.argv[1], sys.argv[2]
MTIME = 1_700_000_000


def add(tar, name, kind=tarfile.REGTYPE, data=b"", mode=0o644, uid=0, gid=0, link="", pax=None):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.uid, info.gid = uid, gid
    info.mtime = MTIME
    info.linkname = link
    if pax:
        info.pax_headers = pax
    if kind == tarfile.REGTYPE:
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    else:
        tar.addfile(info)


if kind == "pax":
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        add(tar, "data", tarfile.DIRTYPE, mode=0o755)
        add(tar, "data/.wh..wh..opq")
        add(tar, "data/fresh.txt", data=b"fresh data from the top layer\n")
        add(tar, "etc", tarfile.DIRTYPE, mode=0o755)
        add(tar, "etc/secret", data=b"s3cret\n", mode=0o600, uid=65534, gid=65534)
        add(tar, "etc/secret-hard", tarfile.LNKTYPE, link="etc/secret")
        add(tar, "link-to-secret", tarfile.SYMTYPE, link="/etc/secret", mode=0o777)
        add(tar, "bin/suid", data=b"#!/bin/sh\necho suid\n", mode=0o4755)
        add(tar, "shared", tarfile.DIRTYPE, mode=0o1777)
        add(tar, "run", tarfile.DIRTYPE, mode=0o755)
        add(tar, "run/fifo", tarfile.FIFOTYPE, mode=0o620)
        long_dir = "deep/" + "d" * 60 + "/" + "e" * 60
        add(tar, long_dir + "/long-name-file.txt", data=b"long pax name\n", pax={"SCHILY.xattr.user.note": "hi"})
else:
    with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as tar:
        target = "gnu/" + "t" * 120
        add(tar, "gnu", tarfile.DIRTYPE, mode=0o755)
        add(tar, target, data=b"gnu long name\n")
        add(tar, "gnu/" + "l" * 110, tarfile.SYMTYPE, link=target, mode=0o777)
        add(tar, "gnu/" + "h" * 105, tarfile.LNKTYPE, link=target)
