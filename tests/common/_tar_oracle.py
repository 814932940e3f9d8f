"""Python 3.11's tarfile in stream mode ("r|", "r|gz", "r|bz2") over a generated corpus, for
tests/common/tar_reader_test.ts: every member's name, type, size, link name, pax headers,
sparse map and data (read whole, as Swift's FakeSwift reads a PUT body), and the error that
ended the archive, if any. GNU tar (always on Debian) makes the sparse archives.
"""
import base64
import bz2
import gzip
import hashlib
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zlib

rng = random.Random(77)


def b64(data):
    return base64.b64encode(data).decode("ascii")


def member(tar, name, data=b"", **attrs):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in attrs.items():
        setattr(info, key, value)
    tar.addfile(info, io.BytesIO(data) if data else None)


def archive(fmt, build, **kwargs):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt, **kwargs) as tar:
        build(tar)
    return out.getvalue()


def tree(tar):
    member(tar, "cont/", type=tarfile.DIRTYPE)
    member(tar, "cont/a.txt", b"hello")
    member(tar, "./cont/dir/b.txt", b"b" * 1000)
    member(tar, "/cont/empty", b"")
    member(tar, "top-level", b"ignored by bulk")
    member(tar, "cont/link", type=tarfile.SYMTYPE, linkname="a.txt")
    member(tar, "cont/hard", type=tarfile.LNKTYPE, linkname="cont/a.txt")
    member(tar, "cont/fifo", type=tarfile.FIFOTYPE)
    member(tar, "cont2/" + "d" * 150 + "/file", b"long path")
    member(tar, "cont2/" + "n" * 120, b"long name")


def unicode_tree(tar):
    member(tar, "cont/\u00e9t\u00e9/\u2603.txt", b"snow")
    member(tar, "cont/\udcff\udcfe-not-utf8", b"latin")


def xattrs(tar):
    member(tar, "cont/typed", b"x", pax_headers={
        "SCHILY.xattr.user.mime_type": "application/x-swift",
        "SCHILY.xattr.user.meta.lunch": "burger and fries",
        "LIBARCHIVE.xattr.user.meta.dinner": "baked \u00e9",
        "SCHILY.xattr.user.stuff": "whee",
        "mtime": "1234.5",
        "uid": "not a number",
    })
    member(tar, "cont/sized", b"12345", pax_headers={"size": "3"})


def corpus():
    cases = {}
    for fmt, label in ((tarfile.USTAR_FORMAT, "ustar"), (tarfile.GNU_FORMAT, "gnu"),
                       (tarfile.PAX_FORMAT, "pax")):
        try:
            cases[f"tree {label}"] = archive(fmt, tree)
        except ValueError:
            pass
        cases[f"unicode {label}"] = archive(fmt, unicode_tree, encoding="utf-8",
                                            errors="surrogateescape")
    cases["xattrs pax"] = archive(tarfile.PAX_FORMAT, xattrs)
    cases["global pax"] = archive(tarfile.PAX_FORMAT, tree, pax_headers={
        "comment": "global", "path": "renamed-by-global/"})
    big = archive(tarfile.GNU_FORMAT, lambda t: [
        member(t, f"c{i % 3}/obj{i}", bytes(rng.randrange(256) for _ in range(rng.randrange(3000))))
        for i in range(30)])
    cases["many files"] = big
    cases["empty"] = b""
    cases["one zero block"] = b"\0" * 512
    cases["short"] = b"x" * 511
    cases["garbage"] = bytes(rng.randrange(256) for _ in range(2048))
    tree_gnu = cases["tree gnu"]
    for cut in (100, 512, 513, 1000, 1024, 1536, 2048, 2600, len(tree_gnu) - 1024):
        cases[f"tree cut to {cut}"] = tree_gnu[:cut]
    for at in (0, 148, 156, 200, 512 + 148, 1024 + 124, 2048 + 150):
        bad = bytearray(tree_gnu)
        bad[at] ^= 0x41
        cases[f"tree flipped at {at}"] = bytes(bad)
    cases["odd numbers"] = odd_numbers()
    cases["pax records"] = b"".join(pax_variants())
    for i, raw in enumerate(pax_variants()):
        cases[f"pax variant {i}"] = raw
    cases.update(sparse_archives())
    return cases


def header(name, size, typeflag=b"0", size_field=None, extra=b"", prefix=b""):
    buf = bytearray(512)
    buf[0:len(name)] = name
    buf[100:108] = b"0000644\0"
    buf[108:116] = b"0000000\0"
    buf[116:124] = b"0000000\0"
    buf[124:136] = size_field if size_field is not None else b"%011o\0" % size
    buf[136:148] = b"00000000000\0"
    buf[156:157] = typeflag
    buf[257:265] = b"ustar\x0000"
    buf[345:345 + len(prefix)] = prefix
    buf[148:156] = b" " * 8
    buf[148:156] = b"%06o\0 " % sum(buf)
    return bytes(buf) + extra


def pad(data):
    return data + b"\0" * (-len(data) % 512)


def odd_numbers():
    parts = [
        header(b"c/plus", 3, size_field=b"+3\0" + b" " * 9) + pad(b"abc"),
        header(b"c/under", 8, size_field=b"1_0\0" + b"\0" * 8) + pad(b"12345678"),
        header(b"c/prefix", 2, size_field=b"0o2 \0" + b"\0" * 7) + pad(b"ab"),
        header(b"c/space", 4, size_field=b"  4  \0" + b"\0" * 6) + pad(b"abcd"),
        header(b"c/b256", 5, size_field=b"\x80" + b"\0" * 10 + b"\x05") + pad(b"bytes"),
        header(b"c/negative", 0, size_field=b"\xff" * 12),
        header(b"c/v7dir/", 0, typeflag=b"\0"),
        header(b"c/odd type", 6, typeflag=b"Z") + pad(b"zzzzzz"),
        header(b"file", 3, prefix=b"c/from-prefix") + pad(b"pre"),
    ]
    return b"".join(parts) + b"\0" * 1024


def pax_variants():
    def pax(records, then=None):
        body = b"".join(records)
        return (header(b"././@PaxHeader", len(body), typeflag=b"x") + pad(body)
                + (then or header(b"c/after-pax", 2) + pad(b"ok")) + b"\0" * 1024)

    def rec(key, value):
        text = b" " + key + b"=" + value + b"\n"
        n = len(text) + 1
        while len(str(n).encode()) + len(text) != n:
            n += 1
        return str(n).encode() + text
    yield pax([rec(b"path", b"c/pax-path///"), rec(b"comment", b"\xff\xfe")])
    yield pax([rec(b"hdrcharset", b"BINARY"), rec(b"path", b"c/bin\xe9")])
    yield pax([b"3 x=\n"])
    yield pax([b"12 path=c/x\n" + b"junk"])
    yield pax([b"06 a=b\n", b"0\0"])
    yield pax([rec(b"size", b"\u0665".decode("latin-1").encode("utf-8") + b"")])
    yield pax([rec(b"size", "\u0663".encode("utf-8"))], header(b"c/arabic", 3) + pad(b"abc"))
    yield pax([rec(b"GNU.sparse.size", b"oops")])
    yield pax([rec(b"GNU.sparse.map", b"0,1,x")])
    yield header(b"c/first", 1) + pad(b"1") + pax([b"4 x=\n"])
    yield header(b"././@LongLink", 200, typeflag=b"L") + pad(b"c/" + b"L" * 198) + \
        header(b"short", 1) + pad(b"L") + b"\0" * 1024
    yield header(b"././@LongLink", 10, typeflag=b"L") + pad(b"c/dir/\0xx") + \
        header(b"short", 0, typeflag=b"5") + b"\0" * 1024
    yield header(b"././@LongLink", 10, typeflag=b"L") + pad(b"c/x") + b"\0" * 100


def sparse_archives():
    out = {}
    tmp = tempfile.mkdtemp()
    try:
        path = os.path.join(tmp, "cont")
        os.mkdir(path)
        with open(os.path.join(path, "sparse"), "wb") as f:
            for at in (0, 40000, 90000, 150000):
                f.seek(at)
                f.write(bytes(rng.randrange(1, 256) for _ in range(700)))
            f.truncate(200000)
        with open(os.path.join(path, "plain"), "wb") as f:
            f.write(b"plain data")
        flags = {"gnu sparse": ["--format=gnu"]}
        for version in ("0.0", "0.1", "1.0"):
            flags[f"pax sparse {version}"] = ["--format=posix", f"--sparse-version={version}"]
        for name, extra in flags.items():
            out[name] = subprocess.run(
                ["tar", "-S", "-cf", "-", "--owner=0", "--group=0", "--mtime=@0", *extra,
                 "-C", tmp, "cont"], check=True, capture_output=True).stdout
    finally:
        shutil.rmtree(tmp)
    return out


def gzip_variants(data):
    deflated = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflated.compress(data) + deflated.flush()
    trailer = struct.pack("<LL", zlib.crc32(data), len(data) & 0xffffffff)

    def gz(flag, extra=b""):
        return b"\x1f\x8b\x08" + bytes([flag]) + b"\0" * 6 + extra + body + trailer
    return {
        "gz fname": gz(8, b"name.tar\0"),
        "gz fcomment fhcrc": gz(16 | 2, b"comment\0\x12\x34"),
        "gz fextra": gz(4, b"\x04\x00abcd"),
        "gz fextra empty": gz(4, b"\x00\x00"),
        "gz bad method": b"\x1f\x8b\x07" + b"\0" * 7 + body,
        "gz not gzip": b"PK\x03\x04" + body,
        "gz short": b"\x1f\x8b\x08",
        "gz short xlen": b"\x1f\x8b\x08\x04" + b"\0" * 6 + b"\x05",
        "gz truncated": gz(0)[:len(body) // 2],
        "gz corrupt": gz(0)[:20] + b"\xff" * 40 + gz(0)[60:],
        "gz two members": gz(0) + gzip.compress(data, mtime=0),
    }


def compressed(cases):
    out = {}
    for name in ("tree gnu", "many files", "xattrs pax", "gnu sparse", "empty", "tree cut to 2600"):
        data = cases[name]
        out[f"{name} gz"] = ("gz", gzip.compress(data, 9, mtime=0))
        out[f"{name} bz2"] = ("bz2", bz2.compress(data, 1))
    for name, data in gzip_variants(cases["many files"]).items():
        out[name] = ("gz", data)
    many = cases["many files"]
    good = bz2.compress(many)
    half = len(many) // 2
    out["bz2 two streams"] = ("bz2", bz2.compress(many[:half]) + bz2.compress(many[half:]))
    out["bz2 trailing garbage"] = ("bz2", good + b"garbage" * 3000)
    out["bz2 truncated"] = ("bz2", good[: len(good) * 2 // 3])
    out["bz2 corrupt"] = ("bz2", good[:100] + b"\x55" * 50 + good[150:])
    out["bz2 not bzip2"] = ("bz2", many[:3000])
    out["gz of bz2"] = ("gz", good)
    return out


def read(data, comptype):
    events = []
    try:
        tar = tarfile.open(mode="r|" + comptype, fileobj=io.BytesIO(data))
        while True:
            info = tar.next()
            if info is None:
                break
            entry = {
                "name": b64(info.name.encode("utf-8", "surrogateescape")),
                "type": info.type.decode("latin-1"),
                "size": info.size,
                "linkname": b64(info.linkname.encode("utf-8", "surrogateescape")),
                "pax": [[b64(k.encode("utf-8", "surrogateescape")),
                         b64(v.encode("utf-8", "surrogateescape"))]
                        for k, v in info.pax_headers.items()],
                "sparse": info.sparse,
            }
            events.append(entry)
            if info.isfile():
                body = tar.extractfile(info).read()
                entry["data"] = f"{len(body)}:{hashlib.sha256(body).hexdigest()[:16]}"
    except tarfile.TarError as err:
        events.append({"error": type(err).__name__, "message": str(err)})
    except Exception as err:
        events.append({"error": type(err).__name__})
    return events


def main():
    cases = corpus()
    result = {}
    for name, data in cases.items():
        result[name] = {"comptype": "", "data": b64(data), "events": read(data, "")}
    for name, (comptype, data) in compressed(cases).items():
        result[name] = {"comptype": comptype, "data": b64(data), "events": read(data, comptype)}
    json.dump(result, sys.stdout)


main()
