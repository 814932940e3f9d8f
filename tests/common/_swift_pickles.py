"""Makes the pickle files real Swift 2.30 writes, for tests/common/pickle_test.ts.

Usage: /usr/bin/python3 _swift_pickles.py SCRATCH_DIR
Prints one JSON line per file: {"what", "protocol", "encoding" (how Swift reads it back),
"shareOneCharStrs" (whether its 1-char strs are CPython's cached ones), "hex"}.
"""
import base64
import glob
import json
import os
import pickle
import sys
import time
from unittest import mock

import swift.common.storage_policy as storage_policy
from swift.common import utils
from swift.common.swob import Request
from swift.common.utils import Timestamp, write_pickle
from swift.obj import server as object_server
from swift.obj.diskfile import write_hashes

storage_policy._POLICIES = storage_policy.StoragePolicyCollection(
    [storage_policy.StoragePolicy(0, "gold", is_default=True)])
utils.HASH_PATH_SUFFIX = b"x"


def emit(what, protocol, data, encoding="ascii", share=False):
    print(json.dumps({"what": what, "protocol": protocol, "encoding": encoding,
                      "shareOneCharStrs": share, "hex": data.hex()}))


def object_server_async_pendings(root):
    """Object PUTs whose container update fails (nothing listens on port 1) go async."""
    devices = os.path.join(root, "node")
    os.makedirs(os.path.join(devices, "sda1"))
    app = object_server.ObjectController({"devices": devices, "mount_check": "false"})
    requests = [
        ("/sda1/p/a/c/o", b"", {}),
        ("/sda1/p/acct/cont/obj\xc3\xa9\xf0\x9f\x98\x80", b"hi",
         {"X-Object-Meta-Foo": "b\xc3\xa9r"}),
        ("/sda1/p/a/c/expiring", b"x", {
            "X-Delete-At": str(int(time.time()) + 86400), "X-Delete-At-Host": "127.0.0.1:1",
            "X-Delete-At-Device": "sdb1", "X-Delete-At-Partition": "9",
            "X-Delete-At-Container": "1700000000"}),
    ]
    for path, body, extra in requests:
        headers = {"X-Timestamp": Timestamp.now().internal, "Content-Type": "text/plain",
                   "X-Container-Host": "127.0.0.1:1", "X-Container-Device": "sdb1",
                   "X-Container-Partition": "3"}
        headers.update(extra)
        req = Request.blank(path, environ={"REQUEST_METHOD": "PUT"}, headers=headers, body=body)
        with mock.patch("swift.obj.server.http_connect", side_effect=OSError("refused")):
            resp = req.get_response(app)
        assert resp.status_int == 201, resp.status
    files = sorted(glob.glob(os.path.join(devices, "sda1", "async_pending", "*", "*")))
    for path in files:
        with open(path, "rb") as f:
            emit("async_pending " + os.path.basename(path), 0, f.read())
    # The updater rewrites a loaded update after partial success; loaded strs are decoded
    # ones, so there one-char strs are CPython's shared singletons.
    update = pickle.load(open(files[0], "rb"))
    update["successes"] = [1, 2]
    write_pickle(update, files[0], os.path.join(root, "tmp"))
    with open(files[0], "rb") as f:
        emit("async_pending rewritten by the updater", 0, f.read(), share=True)


def hashes_pkl(root):
    part = os.path.join(root, "part")
    os.makedirs(part)
    write_hashes(part, {"abc": "d41d8cd98f00b204e9800998ecf8427e", "0ff": None, "valid": True})
    with open(os.path.join(part, "hashes.pkl"), "rb") as f:
        emit("hashes.pkl", 2, f.read())


def db_pending(root):
    from swift.account.backend import AccountBroker
    from swift.container.backend import ContainerBroker
    cb = ContainerBroker(os.path.join(root, "c.db"), account="a", container="c")
    cb.initialize(Timestamp.now().internal, 0)
    cb.put_object("obj\u00e9", Timestamp.now().internal, 123, "text/plain",
                  "d41d8cd98f00b204e9800998ecf8427e")
    cb.put_object("gone", Timestamp.now().internal, 0, "application/deleted", "noetag",
                  deleted=1)
    ab = AccountBroker(os.path.join(root, "a.db"), account="a")
    ab.initialize(Timestamp.now().internal)
    ab.put_container("cont", Timestamp.now().internal, "0", 5, 1024, 0)
    for name in ("c.db.pending", "a.db.pending"):
        with open(os.path.join(root, name), "rb") as f:
            for i, entry in enumerate(e for e in f.read().split(b":") if e):
                emit("%s entry %d" % (name, i), 2, base64.b64decode(entry), encoding="utf8")


def main():
    root = sys.argv[1]
    hashes_pkl(root)
    object_server_async_pendings(root)
    db_pending(root)


if __name__ == "__main__":
    main()
