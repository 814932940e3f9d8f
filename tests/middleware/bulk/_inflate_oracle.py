"""Python's zlib.decompressobj(-15) (zlib 1.2.13) over a generated corpus of raw deflate data,
for tests/middleware/bulk/inflate_test.ts: for each input and chunk size, the output of each
call (length and SHA-256 prefix), the error that stopped it, eof and unused_data.
"""
import base64
import hashlib
import json
import random
import sys
import zlib

rng = random.Random(1952)
CHUNKS = [10240, 7, 1 << 30]


def call(data):
    return "" if not data else f"{len(data)}:{hashlib.sha256(data).hexdigest()[:16]}"


def run(data):
    out = {"data": base64.b64encode(data).decode("ascii"), "chunked": {}}
    for size in CHUNKS:
        if size < 100 and len(data) > 5000:
            continue
        d = zlib.decompressobj(-zlib.MAX_WBITS)
        calls = []
        for at in range(0, max(len(data), 1), size):
            try:
                calls.append(call(d.decompress(data[at:at + size])))
            except zlib.error as err:
                calls.append({"error": str(err)})
                break
        out["chunked"][str(size)] = {
            "calls": calls,
            "eof": d.eof,
            "unused": base64.b64encode(d.unused_data).decode("ascii"),
        }
    return out


def deflate(data, level=6, strategy=zlib.Z_DEFAULT_STRATEGY):
    c = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, 9, strategy)
    return c.compress(data) + c.flush()


def text(n):
    words = [b"swift", b"object", b"container", b"account", b"ring", b"\n", b" ", b"proxy"]
    return b"".join(rng.choice(words) for _ in range(n))


def bits(fields):
    """Packs (value, width) fields LSB first, as deflate does."""
    acc = n = 0
    for value, width in fields:
        acc |= (value & ((1 << width) - 1)) << n
        n += width
    return acc.to_bytes((n + 7) // 8, "little")


def dynamic(code_lengths, symbols, nlen=257, ndist=1):
    """A dynamic block header: code length code lengths (in storage order), then `symbols`
    as (code, width) pairs written with them."""
    head = [(1, 1), (2, 2), (nlen - 257, 5), (ndist - 1, 5), (len(code_lengths) - 4, 4)]
    return bits(head + [(n, 3) for n in code_lengths] + symbols)


def main():
    plain = {
        "empty": b"",
        "text": text(30000),
        "random": bytes(rng.randrange(256) for _ in range(40000)),
        "zeros": b"\0" * 200000,
        "mixed": text(5000) + bytes(rng.randrange(256) for _ in range(5000)) + b"ab" * 40000,
    }
    cases = {}
    for name, data in plain.items():
        for level in (0, 1, 6, 9):
            cases[f"{name} level {level}"] = deflate(data, level)
        cases[f"{name} fixed"] = deflate(data, 6, zlib.Z_FIXED)
        cases[f"{name} huffman only"] = deflate(data, 6, zlib.Z_HUFFMAN_ONLY)
        cases[f"{name} rle"] = deflate(data, 6, zlib.Z_RLE)
    cases["text then trailer"] = cases["text level 6"] + b"\x01\x02\x03\x04garbage"
    full = cases["mixed level 6"]
    for cut in (0, 1, 2, 3, 10, 100, len(full) // 2, len(full) - 1, len(full) - 2):
        cases[f"mixed cut to {cut}"] = full[:cut]
    for source in ("text level 6", "mixed level 9", "text fixed", "random level 1", "zeros rle",
                   "mixed level 0"):
        data = cases[source]
        for _ in range(25):
            flipped = bytearray(data)
            at = rng.randrange(min(len(flipped), 400))
            flipped[at] ^= 1 << rng.randrange(8)
            cases[f"{source} bit flip at {at}"] = bytes(flipped)
    for i in range(400):
        cases[f"garbage {i}"] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 48)))
    cases["block type 3"] = b"\x07"
    cases["stored bad lengths"] = b"\x01\x05\x00\xff\xff"
    cases["stored empty"] = b"\x01\x00\x00\xff\xff"
    cases["fixed end only"] = b"\x03\x00"
    # Code length codes 16 and 1, one bit each (1 -> '0', 16 -> '1'; order 16 17 18 0 8 7 9 6
    # 10 5 11 4 12 3 13 2 14 1).
    two = [1] + [0] * 16 + [1]
    cases["repeat with nothing before"] = dynamic(two, [(1, 1), (0, 2)])
    cases["repeat past the end"] = dynamic(two, [(0, 1)] + [(1, 1), (3, 2)] * 86)
    cases["too many symbols"] = dynamic(two, [], nlen=287)
    cases["over-subscribed literals"] = dynamic(two, [(0, 1)] * 258)
    # Only 0 and 1 as code lengths: lengths 0 for all but symbol 0 (no end-of-block).
    zero_one = [0, 0, 0, 1] + [0] * 13 + [1]
    cases["no end of block"] = dynamic(zero_one, [(1, 1)] + [(0, 1)] * 257)
    # End-of-block alone: a one-bit code, incomplete but allowed; no distance codes at all.
    lone = [(0, 1)] * 256 + [(1, 1), (0, 1)]
    cases["lone end of block"] = dynamic(zero_one, lone + [(0, 1)])
    cases["lone end of block, unused code"] = dynamic(zero_one, lone + [(1, 1)])
    cases["over-subscribed distances"] = dynamic(
        zero_one, [(0, 1)] * 256 + [(1, 1)] * 4, ndist=3)
    json.dump({name: run(data) for name, data in cases.items()}, sys.stdout)


main()
