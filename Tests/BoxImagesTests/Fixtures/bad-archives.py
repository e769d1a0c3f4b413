"""Writes OCI archives that clusterbox must refuse, each a tar of an OCI layout with one gzip layer tagged "bad"
(and good.tar, a valid one, for the CLI tests):

escape.tar          a layer entry ../escape
absolute.tar        a layer entry /etc/evil
symlink-escape.tar  a clean-named layer: link -> ../../../../../../../../OUTSIDE, then link/pwned and a hard link
                    link/hard to it (OUTSIDE: a host directory the test watches); unpacking must refuse it
bad-diffid.tar      a config whose diff_id is not the layer's
bad-blob.tar        a blob whose content does not hash to its name
Usage: bad-archives.py OUTDIR OUTSIDE
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

out, outside = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)


def layer(entries):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, link, data in entries:
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.mode, info.mtime = kind, link, 0o644, 1_700_000_000
            if kind == tarfile.REGTYPE:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return buffer.getvalue()


def archive(path, tar_bytes, diff_id=None, corrupt_blob=False):
    compressed = gzip.compress(tar_bytes, mtime=0)
    blobs = {}

    def put(data):
        digest = hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return {"digest": "sha256:" + digest, "size": len(data)}

    layer_desc = put(compressed)
    layer_desc["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
    config = {"architecture": "amd64", "os": "linux",
              "config": {"Cmd": ["/bin/sh"]},
              "rootfs": {"type": "layers", "diff_ids": [diff_id or "sha256:" + hashlib.sha256(tar_bytes).hexdigest()]}}
    config_desc = put(json.dumps(config).encode())
    config_desc["mediaType"] = "application/vnd.oci.image.config.v1+json"
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": config_desc, "layers": [layer_desc]}
    manifest_desc = put(json.dumps(manifest).encode())
    manifest_desc["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    manifest_desc["annotations"] = {"org.opencontainers.image.ref.name": "bad"}
    index = {"schemaVersion": 2, "manifests": [manifest_desc]}
    if corrupt_blob:
        digest = layer_desc["digest"][7:]
        blobs[digest] = blobs[digest][:-1] + bytes([blobs[digest][-1] ^ 0xFF])
    with tarfile.open(path, "w") as tar:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        add("index.json", json.dumps(index).encode())
        for digest, data in blobs.items():
            add("blobs/sha256/" + digest, data)


ok = [("ok.txt", tarfile.REGTYPE, "", b"fine\n")]
archive(os.path.join(out, "good.tar"), layer(ok))
archive(os.path.join(out, "escape.tar"), layer(ok + [("../escape", tarfile.REGTYPE, "", b"escaped\n")]))
archive(os.path.join(out, "absolute.tar"), layer(ok + [("/etc/evil", tarfile.REGTYPE, "", b"evil\n")]))
up = "../" * 12
archive(os.path.join(out, "symlink-escape.tar"), layer(ok + [
    ("link", tarfile.SYMTYPE, up + outside.lstrip("/"), b""),
    ("link/pwned", tarfile.REGTYPE, "", b"pwned\n"),
]))
archive(os.path.join(out, "symlink-hardlink-escape.tar"), layer(ok + [
    ("link", tarfile.SYMTYPE, up + outside.lstrip("/"), b""),
    ("hard", tarfile.LNKTYPE, "link/victim", b""),
]))
archive(os.path.join(out, "bad-diffid.tar"), layer(ok), diff_id="sha256:" + "0" * 64)
archive(os.path.join(out, "bad-blob.tar"), layer(ok), corrupt_blob=True)
