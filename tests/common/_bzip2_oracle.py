"""Python's bz2 (libbzip2 1.0.8) over a generated corpus, for tests/common/bzip2_test.ts.

Prints one JSON document: for each case, the compressed input (base64) and what Python makes of
it: bz2.decompress() at once, BZ2File reading it, and a BZ2Decompressor fed in chunks of each
size listed (output length and SHA-256 per call, the error that stopped it, eof, unused_data).
Extra inputs made by the TypeScript side (crafted randomised blocks) come as base64 arguments.
"""
import base64
import bz2
import hashlib
import io
import json
import random
import sys

rng = random.Random(20240607)
CHUNKS = [10240, 997, 7, 1 << 30]


def digest(data):
    return f"{len(data)}:{hashlib.sha256(data).hexdigest()[:16]}"


def error(err):
    return {"error": type(err).__name__, "message": str(err)}


def call(data):
    return "" if not data else digest(data)


def run(data):
    out = {"data": base64.b64encode(data).decode("ascii")}
    try:
        out["oneshot"] = digest(bz2.decompress(data))
    except Exception as err:
        out["oneshot"] = error(err)
    try:
        out["file"] = digest(bz2.BZ2File(io.BytesIO(data)).read())
    except Exception as err:
        out["file"] = error(err)
    out["chunked"] = {}
    for size in CHUNKS:
        if size < 100 and len(data) > 5000:
            continue
        d = bz2.BZ2Decompressor()
        calls = []
        for at in range(0, max(len(data), 1), size):
            try:
                calls.append(call(d.decompress(data[at:at + size])))
            except Exception as err:
                calls.append(error(err))
                break
        out["chunked"][str(size)] = {
            "calls": calls,
            "eof": d.eof,
            "unused": base64.b64encode(d.unused_data).decode("ascii"),
        }
    return out


def text(n):
    words = [b"swift", b"object", b"container", b"account", b"ring", b"\n", b" ", b"proxy"]
    return b"".join(rng.choice(words) for _ in range(n))


def runs(n):
    out = bytearray()
    while len(out) < n:
        out += bytes([rng.randrange(256)]) * rng.choice([1, 2, 3, 4, 5, 6, 255, 256, 259, 1000])
    return bytes(out[:n])


def main():
    cases = {}
    plain = {
        "empty": b"",
        "one byte": b"a",
        "text": text(20000),
        "random": bytes(rng.randrange(256) for _ in range(50000)),
        "runs": runs(120000),
        "zeros": b"\0" * 300000,
        "all bytes": bytes(rng.randrange(256) for _ in range(3000)) * 20,
        "multi block": text(60000) + runs(100000) + bytes(rng.randrange(256) for _ in range(80000)),
    }
    for name, data in plain.items():
        for level in (1, 9):
            cases[f"{name} level {level}"] = bz2.compress(data, level)
    a = bz2.compress(text(3000))
    b = bz2.compress(runs(5000), 3)
    big = cases["multi block level 1"]
    cases["two streams"] = a + b
    cases["stream then garbage"] = a + b"garbage"
    cases["stream then zeros"] = a + b"\0" * 100
    cases["stream then bad magic"] = a + b"BZh0"
    cases["stream then truncated stream"] = a + b[: len(b) // 2]
    cases["three streams"] = a + b + a
    for cut in (1, 3, 4, 5, 9, 10, 11, 14, 40, len(big) // 3, len(big) // 2, len(big) - 1,
                len(big) - 4, len(big) - 6, len(big) - 10, len(big) - 11):
        cases[f"multi block cut to {cut}"] = big[:cut]
    small = cases["text level 9"]
    for cut in (len(small) - 1, len(small) - 5, len(small) - 10, len(small) - 11):
        cases[f"text cut to {cut}"] = small[:cut]
    for source in ("text level 9", "runs level 1", "multi block level 1", "all bytes level 9"):
        data = cases[source]
        for _ in range(12):
            flipped = bytearray(data)
            at = rng.randrange(len(flipped))
            flipped[at] ^= 1 << rng.randrange(8)
            cases[f"{source} bit flip at {at}"] = bytes(flipped)
    for raw in (b"hello", b"BZh0", b"BZx", b"BZh9", b"BZh91AY&SX", b"BZh91AY&SY", b"BZh9\x17"):
        cases[f"raw {raw!r}"] = raw
    for i, arg in enumerate(sys.argv[1:]):
        cases[f"argument {i}"] = base64.b64decode(arg)
    json.dump({name: run(data) for name, data in cases.items()}, sys.stdout)


main()
