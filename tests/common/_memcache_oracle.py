"""Differential oracle for tests/common/memcached_test.ts and tests/middleware/memcache_test.ts,
run with /usr/bin/python3: Swift 2.30's own MemcacheRing and MemcacheMiddleware.

Usage: _memcache_oracle.py COMMAND INPUT.json; prints one JSON document.

  corpus  {"servers", "count", "seed"}
      Generates keys and values, stores them with MemcacheRing.set()/incr() and returns
      {"entries": [{"key", "kind": "json"|"raw"|"incr", "dumps"?, "raw"?, "n"?}]}.
  ops     {"servers", "options", "ops": [[op, ...args]]}
      (options: MemcacheRing's keyword arguments, plus tls_cafile/tls_certfile/tls_keyfile)
      Runs the operations in order on one MemcacheRing and returns
      {"results": [shown result | {"error": "<exception class>"}], "logs": ["LEVEL message"]}.
      A value crosses as {"json": json.dumps(v)} (JSON values), {"raw": hex} (bytes) or null;
      a value to store crosses as {"json": text} (json.loads'ed here) or {"raw": hex}.
  middleware  {"confs": [{key: value}]}
      Builds MemcacheMiddleware(app, conf) for each conf and returns the MemcacheRing
      arguments each chose: [{"servers", "max_conns", ..., "tls": bool} or {"error": class}].
"""
import json
import logging
import random
import ssl
import sys

from swift.common import memcached
from swift.common.middleware import memcache as memcache_middleware

LOGS = []


class Capture(logging.Handler):
    def emit(self, record):
        LOGS.append("%s %s" % (record.levelname, record.getMessage()))


def logger():
    log = logging.getLogger("memcache-oracle")
    log.handlers = [Capture()]
    log.propagate = False
    log.setLevel(logging.DEBUG)
    return log


def tls_context(opts):
    if not opts.get("tls_cafile"):
        return None
    context = ssl.create_default_context(cafile=opts["tls_cafile"])
    if opts.get("tls_certfile"):
        context.load_cert_chain(opts["tls_certfile"], opts.get("tls_keyfile"))
    return context


def ring(spec):
    opts = spec.get("options", {})
    return memcached.MemcacheRing(
        spec["servers"],
        connect_timeout=opts.get("connect_timeout", memcached.CONN_TIMEOUT),
        io_timeout=opts.get("io_timeout", memcached.IO_TIMEOUT),
        pool_timeout=opts.get("pool_timeout", memcached.POOL_TIMEOUT),
        tries=opts.get("tries", memcached.TRY_COUNT),
        max_conns=opts.get("max_conns", 2),
        error_limit_count=opts.get("error_limit_count", memcached.ERROR_LIMIT_COUNT),
        error_limit_time=opts.get("error_limit_time", memcached.ERROR_LIMIT_TIME),
        error_limit_duration=opts.get("error_limit_duration", memcached.ERROR_LIMIT_DURATION),
        item_size_warning_threshold=opts.get(
            "item_size_warning_threshold", memcached.DEFAULT_ITEM_SIZE_WARNING_THRESHOLD),
        tls_context=tls_context(opts),
        logger=logger())


def show(value):
    if value is None:
        return None
    if isinstance(value, bytes):
        return {"raw": value.hex()}
    return {"json": json.dumps(value)}


def stored(value):
    if "raw" in value:
        return bytes.fromhex(value["raw"])
    return json.loads(value["json"])


# ---- corpus ---------------------------------------------------------------------------------

TEXT = ["a", "Z", " ", "/", "\\", '"', "\n", "\t", "\x00", "\x1f", "\x7f", "\xe9", "\u20ac",
        "\U0001f600", "\udcff", "%", "AUTH_", "é"]


def text(rng, n=None):
    return "".join(rng.choice(TEXT) for _ in range(rng.randint(0, 8) if n is None else n))


def number(rng):
    kind = rng.randint(0, 6)
    if kind == 0:
        return rng.randint(-10, 10)
    if kind == 1:
        return rng.choice([2 ** 53 + 1, -(2 ** 70), 10 ** 21])
    if kind == 2:
        # An integral float below 2**53 reads back as a JS number that is written as an int.
        x = rng.random() * 10 ** rng.randint(-8, 20)
        return x + 0.5 if x.is_integer() and x < 2 ** 53 else x
    if kind == 3:
        return rng.choice([1e16 + 2.5, 1.5e300, 5e-324, 0.1, -2.75, 1e-7])
    if kind == 4:
        return rng.choice([float("nan"), float("inf"), float("-inf")])
    return rng.randint(0, 2 ** 40)


def value(rng, depth=0):
    kind = rng.randint(0, 7 if depth < 3 else 4)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return number(rng)
    if kind in (3, 4):
        return text(rng)
    if kind == 5:
        return [value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if kind == 6:
        return tuple(value(rng, depth + 1) for _ in range(rng.randint(0, 3)))
    # Keys that are not integer-like: a JS object would list those first.
    return dict(("k" + text(rng), value(rng, depth + 1)) for _ in range(rng.randint(0, 4)))


def corpus(spec):
    rng = random.Random(spec["seed"])
    mc = ring(spec)
    entries = []
    for i in range(spec["count"]):
        key = rng.choice([
            "AUTH_test/c%d/o%d" % (i, rng.randint(0, 99)),
            "AUTH_tk%032x" % rng.getrandbits(128),
            "account/AUTH_%s%d" % (text(rng, 3), i),
            "shard-listing/AUTH_a/c%d" % i,
        ])
        kind = rng.choice(["json", "json", "json", "raw", "incr"])
        if kind == "json":
            v = value(rng)
            if isinstance(v, tuple):
                v = list(v)
            mc.set(key, v, time=rng.choice([0, 60, 3600]))
            entries.append({"key": key, "kind": kind, "dumps": json.dumps(v)})
        elif kind == "raw":
            raw = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 40)))
            mc.set(key, raw, serialize=False)
            entries.append({"key": key, "kind": kind, "raw": raw.hex()})
        else:
            n = rng.randint(0, 2 ** 32)
            mc.incr(key, n, time=3600)
            entries.append({"key": key, "kind": kind, "n": n})
    return {"entries": entries, "logs": LOGS}


# ---- ops ------------------------------------------------------------------------------------

def run_op(mc, op):
    name, args = op[0], op[1:]
    if name == "set":
        key, v, opts = args
        mc.set(key, stored(v), serialize=opts.get("serialize", True), time=opts.get("time", 0),
               raise_on_error=opts.get("raise_on_error", False))
        return None
    if name == "get":
        key, opts = args
        return show(mc.get(key, raise_on_error=opts.get("raise_on_error", False)))
    if name == "incr":
        key, delta, opts = args
        return show(mc.incr(key, delta, time=opts.get("time", 0)))
    if name == "decr":
        key, delta, opts = args
        return show(mc.decr(key, delta, time=opts.get("time", 0)))
    if name == "delete":
        key, opts = args
        mc.delete(key, server_key=opts.get("server_key"))
        return None
    if name == "set_multi":
        mapping, server_key, opts = args
        mc.set_multi(dict((k, stored(v)) for k, v in mapping), server_key,
                     serialize=opts.get("serialize", True), time=opts.get("time", 0))
        return None
    if name == "get_multi":
        keys, server_key = args
        values = mc.get_multi(keys, server_key)
        return None if values is None else [show(v) for v in values]
    raise ValueError("unknown op %r" % name)


def ops(spec):
    mc = ring(spec)
    results = []
    for op in spec["ops"]:
        try:
            results.append(run_op(mc, op))
        except Exception as e:
            results.append({"error": type(e).__name__})
    return {"results": results, "logs": LOGS}


# ---- middleware -----------------------------------------------------------------------------

REAL_RING = memcache_middleware.MemcacheRing


def middleware_choice(conf):
    chosen = {}

    def record(servers, **kwargs):
        REAL_RING(servers, **kwargs)  # parses the server names, as the real call would
        chosen["servers"] = servers
        chosen.update(kwargs)

    memcache_middleware.MemcacheRing = record
    try:
        memcache_middleware.MemcacheMiddleware(None, conf)
    except Exception as e:
        return {"error": type(e).__name__}
    finally:
        memcache_middleware.MemcacheRing = REAL_RING
    chosen["tls"] = chosen.pop("tls_context") is not None
    del chosen["logger"]
    return chosen


def middleware(spec):
    return [middleware_choice(conf) for conf in spec["confs"]]


COMMANDS = {"corpus": corpus, "ops": ops, "middleware": middleware}

if __name__ == "__main__":
    with open(sys.argv[2]) as f:
        spec = json.load(f)
    json.dump(COMMANDS[sys.argv[1]](spec), sys.stdout)
