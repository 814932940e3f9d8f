"""Runs Swift 2.30's own diskfile metadata helpers for tests/object/metadata_test.ts.

Reads JSON requests, one per stdin line, and answers each on one stdout line (one process per
batch, because importing swift takes most of a second):
  {"cmd": "write", "path": P, "metadata": {str: str}} -> {"ok": true} | {"error": .., ..}
      write_metadata(P, metadata); lone surrogates arrive as \\udcXX JSON escapes
  {"cmd": "read" | "read-fd", "path": P} -> {"metadata": {..}} | {"error": .., "message": ..}
      read_metadata(P), or read_metadata(fd) on an fd opened read-only
"""
import json
import os
import sys

from swift.obj.diskfile import read_metadata, write_metadata


def handle(req):
    path = req["path"]
    if req["cmd"] == "write":
        write_metadata(path, req["metadata"])
        return {"ok": True}
    if req["cmd"] == "read-fd":
        fd = os.open(path, os.O_RDONLY)
        try:
            return {"metadata": read_metadata(fd)}
        finally:
            os.close(fd)
    return {"metadata": read_metadata(path)}


def main():
    for line in sys.stdin:
        try:
            out = handle(json.loads(line))
        except Exception as e:  # the tests compare Swift's exception class
            out = {"error": type(e).__name__, "message": str(e)}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
