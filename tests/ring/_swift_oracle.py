"""Answers ring questions with real Swift 2.30 for swiftd's differential tests.

Reads a JSON list of operations on stdin, runs them in order in this one process (importing
swift costs over a second, so the tests batch everything), and prints a JSON list of results.
Hash prefix and suffix travel as hex so any bytes can be tested.

Operations:
  {"op": "ringbuilder", "argv": [...]}: runs swift-ring-builder's own main() with argv
  {"op": "hash", "prefix": hex, "suffix": hex, "names": [[a, c, o], ...]}
  {"op": "ring", "path": p, "prefix": hex, "suffix": hex, "names": [[a, c, o], ...],
   "handoffs": n, "parts": [p, ...]}: nodes and first n handoffs per name; every handoff
   (as [id, handoff_index]) per listed partition
  {"op": "ringdata", "path": p}: what RingData.load() reads
  {"op": "resave", "path": p, "out": q}: RingData.load(p).save(q); run with cwd in q's
   directory, as save() makes its temporary file in the current directory
"""

import contextlib
import io
import itertools
import json
import sys

from swift.cli import ringbuilder
from swift.common import utils
from swift.common.ring import Ring, RingData


def set_hash(op):
    utils.HASH_PATH_PREFIX = bytes.fromhex(op["prefix"])
    utils.HASH_PATH_SUFFIX = bytes.fromhex(op["suffix"])


def run_ringbuilder(op):
    out = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out):
        try:
            ringbuilder.main(["swift-ring-builder"] + op["argv"])
        except SystemExit as exc:
            code = exc.code or 0
    return {"code": code, "output": out.getvalue()}


def run_hash(op):
    set_hash(op)
    return [
        [utils.hash_path(a, c, o), utils.hash_path(a, c, o, raw_digest=True).hex()]
        for a, c, o in op["names"]
    ]


def run_ring(op):
    set_hash(op)
    ring = Ring(op["path"], reload_time=3600)
    names = []
    for a, c, o in op["names"]:
        part, nodes = ring.get_nodes(a, c, o)
        handoffs = list(itertools.islice(ring.get_more_nodes(part), op["handoffs"]))
        names.append({"part": part, "nodes": nodes, "handoffs": handoffs})
    parts = [
        [[d["id"], d["handoff_index"]] for d in ring.get_more_nodes(p)]
        for p in op["parts"]
    ]
    return {
        "replica_count": ring.replica_count,
        "partition_count": ring.partition_count,
        "part_power": ring.part_power,
        "devs": ring.devs,
        "names": names,
        "parts": parts,
    }


def run_ringdata(op):
    data = RingData.load(op["path"]).to_dict()
    return {
        "devs": data["devs"],
        "part_shift": data["part_shift"],
        "next_part_power": data["next_part_power"],
        "version": data["version"],
        "replica2part2dev": [list(row) for row in data["replica2part2dev_id"]],
    }


def run_resave(op):
    RingData.load(op["path"]).save(op["out"])
    return None


OPS = {
    "ringbuilder": run_ringbuilder,
    "hash": run_hash,
    "ring": run_ring,
    "ringdata": run_ringdata,
    "resave": run_resave,
}


def main():
    ops = json.load(sys.stdin)
    json.dump([OPS[op["op"]](op) for op in ops], sys.stdout)


if __name__ == "__main__":
    main()
