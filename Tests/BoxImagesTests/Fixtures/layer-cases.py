"""Writes single-layer tars for LayerUnpackerTests, one per case (uncompressed):

whiteout-then-child  .wh.foo, then foo/bar with no foo/ entry
child-then-whiteout  foo/x, then .wh.foo (the layer's own foo stays, the lower one is hidden)
file-then-whiteout   f, then .wh.f (the layer's own file stays)
replacements         a file "a" then a directory "a/" with a child; "d/" then a file "d"; "dup" twice (the
                     second wins)
root-opaque          .wh..wh..opq at the root, and ok.txt
modes                a 0555 directory ro/ with a child written after it, a char device 1/3, a hard link to a
                     symlink, a setgid directory
fake-opaque          a directory whose pax header carries trusted.overlay.opaque=y (must not be set from a tar)
Usage: layer-cases.py OUTDIR
"""
import io
import os
import sys
import tarfile

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def write(name, entries):
    with tarfile.open(os.path.join(out, name + ".tar"), "w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            path, kind = entry[0], entry[1]
            info = tarfile.TarInfo(path)
            info.type, info.mode, info.mtime = kind, entry[3] if len(entry) > 3 else 0o644, 1_600_000_000
            data = b""
            if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                info.linkname = entry[2]
            elif kind == tarfile.REGTYPE:
                data = entry[2] if len(entry) > 2 else b""
                info.size = len(data)
            elif kind == tarfile.CHRTYPE:
                info.devmajor, info.devminor = 1, 3
            if len(entry) > 4:
                info.pax_headers = entry[4]
            tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


R, D, L, H, C = tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE
write("whiteout-then-child", [(".wh.foo", R), ("foo/bar", R, b"bar\n")])
write("child-then-whiteout", [("foo/x", R, b"x\n"), (".wh.foo", R)])
write("file-then-whiteout", [("f", R, b"mine\n"), (".wh.f", R)])
write("replacements", [("a", R, b"file\n"), ("a/", D, b"", 0o755), ("a/child", R, b"c\n"),
                       ("d/", D, b"", 0o755), ("d/gone", R, b"g\n"), ("d", R, b"now a file\n"),
                       ("dup", R, b"first\n"), ("dup", R, b"second\n")])
write("root-opaque", [(".wh..wh..opq", R), ("ok.txt", R, b"ok\n")])
write("modes", [("ro/", D, b"", 0o555), ("ro/child", R, b"c\n"), ("null", C, b"", 0o666),
                ("sym", L, "target-elsewhere", 0o777), ("sym-hard", H, "sym"), ("sgid/", D, b"", 0o2775)])
write("fake-opaque", [("dir/", D, b"", 0o755, {"SCHILY.xattr.trusted.overlay.opaque": "y",
                                                "SCHILY.xattr.user.kept": "yes"})])
