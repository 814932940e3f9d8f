"""Differential oracle for tests/common/pickle_test.ts, run with /usr/bin/python3.

Values cross the process boundary in a tagged JSON form that keeps every Python type apart:
  ["none"] ["bool", b] ["int", "123"] ["float", "<16 hex digits of the IEEE double>"]
  ["str", "<hex of utf-8/surrogatepass>"] ["bytes", "<hex>"] ["list", [..]] ["tuple", [..]]
  ["dict", [[k, v], ..]] ["hkd", [[k, v], ..]]   (hkd = swift HeaderKeyDict)

Commands (one JSON document per stdin line, one per stdout line):
  corpus SEED COUNT   -> {"tagged": T, "pickles": ["<hex proto 0>", .., "<hex proto 5>"]}
  load                <- {"hex": .., "encoding": ..} -> {"tagged": T} or {"error": msg}
  dump                <- {"tagged": T, "protocol": p, "singletons": b} -> {"hex": ..}
                         (singletons: one-char strs are CPython's cached objects)
"""
import json
import pickle
import random
import struct
import sys

from swift.common.header_key_dict import HeaderKeyDict


def to_tagged(v):
    if v is None:
        return ["none"]
    if isinstance(v, bool):
        return ["bool", v]
    if isinstance(v, int):
        return ["int", str(v)]
    if isinstance(v, float):
        return ["float", struct.pack(">d", v).hex()]
    if isinstance(v, str):
        return ["str", v.encode("utf-8", "surrogatepass").hex()]
    if isinstance(v, bytes):
        return ["bytes", v.hex()]
    if isinstance(v, list):
        return ["list", [to_tagged(x) for x in v]]
    if isinstance(v, tuple):
        return ["tuple", [to_tagged(x) for x in v]]
    if isinstance(v, HeaderKeyDict):
        return ["hkd", [[to_tagged(k), to_tagged(x)] for k, x in v.items()]]
    if isinstance(v, dict):
        return ["dict", [[to_tagged(k), to_tagged(x)] for k, x in v.items()]]
    raise TypeError("untaggable %r" % type(v))


def from_tagged(t, singletons=False):
    """Builds fresh objects, so identity sharing is only what CPython itself caches."""
    kind = t[0]
    if kind == "none":
        return None
    if kind == "bool":
        return t[1]
    if kind == "int":
        return int(t[1])
    if kind == "float":
        return struct.unpack(">d", bytes.fromhex(t[1]))[0]
    if kind == "str":
        s = bytes.fromhex(t[1]).decode("utf-8", "surrogatepass")
        # A fresh object even for one char (decoding would return CPython's cached one), the
        # way str(int) and split() make them: dumpPickle's default.
        return "".join([s, ""]) if len(s) == 1 and not singletons else s
    if kind == "bytes":
        return bytes.fromhex(t[1])
    if kind == "list":
        return [from_tagged(x, singletons) for x in t[1]]
    if kind == "tuple":
        return tuple(from_tagged(x, singletons) for x in t[1])
    if kind == "dict":
        return {from_tagged(k, singletons): from_tagged(v, singletons) for k, v in t[1]}
    if kind == "hkd":
        h = HeaderKeyDict()
        for k, v in t[1]:
            h[from_tagged(k, singletons)] = from_tagged(v, singletons)
        return h
    raise ValueError(kind)


CHAR_POOLS = [
    [chr(c) for c in range(0x20, 0x7F)],
    ["\n", "\r", "\0", "\\", "\x1a", "'", '"', "\t", "\x7f"],
    [chr(c) for c in range(0x80, 0x100)],
    [chr(c) for c in range(0x100, 0x800, 7)] + ["\u20ac", "\uffff", "\ufeff"],
    ["\U0001F600", "\U00010000", "\U0010FFFF", "\U0001D11E"],
    # Lone low surrogates are what 'surrogateescape' makes of invalid UTF-8 bytes.
    [chr(c) for c in range(0xDC80, 0xDD00)],
]


def rand_str(rng):
    n = rng.choice([0, 1, 1, 2, 5, 20, 300])
    pools = rng.sample(CHAR_POOLS, rng.randint(1, 3))
    return "".join(rng.choice(rng.choice(pools)) for _ in range(n))


def rand_bytes(rng):
    n = rng.choice([0, 1, 1, 2, 7, 40, 300])
    if rng.random() < 0.5:
        # Mostly-UTF-8 with stray invalid bytes, like non-ASCII header values.
        return (rand_str(rng).encode("utf-8", "surrogateescape") + bytes([0xFF, 0xC3]))[:n]
    return bytes(rng.randrange(256) for _ in range(n))


def rand_int(rng):
    return rng.choice([
        0, 1, -1, 255, 256, 65535, 65536, -32768, 2**31 - 1, -(2**31), 2**31, -(2**31) - 1,
        2**53 - 1, 2**53, -(2**53) - 1, 2**63, -(2**64) - 7, 10**300, -(2**2040),
        rng.randrange(-10**6, 10**6), rng.randrange(-2**70, 2**70),
    ])


def rand_float(rng):
    return rng.choice([
        0.0, -0.0, 1.0, -2.5, 1e16, 1e15, 1e-4, 1e-5, 123456789.125, 1.5e300, 5e-324,
        float("inf"), float("-inf"), float("nan"), 1700000000.12345,
        struct.unpack(">d", struct.pack(">Q", rng.getrandbits(64)))[0],
        rng.uniform(-1e6, 1e6),
    ])


def plain_nan(x):
    # NaN payloads do not survive JS number handling (nor Python's protocol 0), so use the one
    # canonical quiet NaN that both sides produce.
    return float("nan") if x != x else x


def rand_key(rng, depth):
    choice = rng.randrange(4)
    if choice == 0:
        return rand_str(rng)
    if choice == 1:
        return rand_bytes(rng)
    if choice == 2:
        return rand_int(rng)
    return tuple(rand_key(rng, depth + 1) for _ in range(rng.randint(0, 3))) if depth < 2 \
        else rand_str(rng)


def rand_value(rng, depth=0):
    leaf = depth >= 3 or rng.random() < 0.45
    if leaf:
        return rng.choice([
            lambda: None, lambda: rng.random() < 0.5, lambda: rand_int(rng),
            lambda: plain_nan(rand_float(rng)), lambda: rand_str(rng), lambda: rand_bytes(rng),
        ])()
    kind = rng.randrange(4)
    n = rng.choice([0, 1, 2, 3, 4, 6])
    if kind == 0:
        return [rand_value(rng, depth + 1) for _ in range(n)]
    if kind == 1:
        return tuple(rand_value(rng, depth + 1) for _ in range(n))
    if kind == 2:
        return {rand_key(rng, depth): rand_value(rng, depth + 1) for _ in range(n)}
    h = HeaderKeyDict()
    for _ in range(n):
        h["x-" + "".join(rng.choice("abcXYZ-09") for _ in range(5))] = rand_str(rng)
    return h


def fixed_values():
    """Shapes that exercise batching (1000 items), frames (64 KiB) and Swift's files."""
    big_str = "".join(chr(0x41 + i % 26) for i in range(70000))
    return [
        list(range(2500)),
        [str(i) for i in range(1000)],
        {str(i): i for i in range(1000)},
        {str(i): i for i in range(1001)},
        {str(i): i for i in range(2000)},
        HeaderKeyDict({"x-%d" % i: str(i) for i in range(1001)}),
        HeaderKeyDict({"x-%d" % i: str(i) for i in range(1000)}),
        [big_str, "short", bytes(70000), ["x" * 300] * 1],
        [("x" * 1000 + str(i)) for i in range(200)],
        {b"name": b"/a/c/o", b"X-Timestamp": b"1700000000.12345", b"X-Object-Meta-A": b"1",
         b"X-Object-Meta-B": b"1", b"E": b"", b"F": b"", b"U": "\xc3\xa9".encode("utf-8")},
        {"abc": "d41d8cd98f00b204e9800998ecf8427e", "fff": None, "valid": True,
         "updated": 1700000000.5},
        ("o", "1700000000.00000", 12, "text/plain", "etag", 0, 0, "1700000000.00000",
         "1700000000.00000"),
    ]


def main():
    cmd = sys.argv[1]
    if cmd == "corpus":
        rng = random.Random(int(sys.argv[2]))
        values = fixed_values() + [rand_value(rng) for _ in range(int(sys.argv[3]))]
        for v in values:
            # Round-trip through the tagged form so objects are fresh, as TS will rebuild them.
            v = from_tagged(to_tagged(v))
            print(json.dumps({"tagged": to_tagged(v),
                              "pickles": [pickle.dumps(v, p).hex() for p in range(6)]}))
        return
    for line in sys.stdin:
        req = json.loads(line)
        if cmd == "load":
            try:
                v = pickle.loads(bytes.fromhex(req["hex"]), encoding=req.get("encoding", "ASCII"))
                out = {"tagged": to_tagged(v)}
            except Exception as e:  # the test compares accept/refuse, not messages
                out = {"error": "%s: %s" % (type(e).__name__, e)}
        elif cmd == "dump":
            value = from_tagged(req["tagged"], req.get("singletons", False))
            out = {"hex": pickle.dumps(value, req["protocol"]).hex()}
        else:
            raise SystemExit("unknown command %r" % cmd)
        print(json.dumps(out))


if __name__ == "__main__":
    main()
