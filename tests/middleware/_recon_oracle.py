"""Swift 2.30's recon middleware answering a batch of requests, for recon_test.ts.

Usage: /usr/bin/python3 _recon_oracle.py SPEC.json

SPEC is {"rings": [[dir, name], ...], "cases": [CASE, ...]}, a CASE being {"conf": {...filter
conf...}, "swift_conf": path or null, "requests": [[method, path], ...]}.

- "rings" are built first with swift-ring-builder's own main() (create, add, rebalance), so
  ring md5s are taken of real ring files.
- Each case builds its own middleware. Its "swift_conf" replaces /etc/swift/swift.conf
  (swift.common.utils.SWIFT_CONF_FILE) and the storage policies are reloaded from it first.
- Each request goes through swob's Request.blank(path).get_response(middleware).

Prints one JSON list per case, one item per request: {"status": int, "headers": [[k, v], ...],
"body": latin-1 text, "logs": [message, ...]}, or {"error": exception class name, "logs": [...]}
when the middleware raises (catch_errors would answer 500).
"""
import contextlib
import io
import json
import sys

from swift.cli import ringbuilder
from swift.common import storage_policy, utils
from swift.common.middleware import recon
from swift.common.swob import Request

ETC_SWIFT_CONF = utils.SWIFT_CONF_FILE


class CaptureLogger(object):
    """Records the messages recon logs instead of sending them to syslog."""

    def __init__(self):
        self.messages = []

    def __getattr__(self, level):
        def log(msg, *args, **kwargs):
            self.messages.append(msg % args if args else msg)
        return log


def build_ring(directory, name):
    builder = "%s/%s.builder" % (directory, name)
    for argv in (
        [builder, "create", "4", "1", "0"],
        [builder, "add", "r1z1-127.0.0.1:6200/sda", "100"],
        [builder, "rebalance"],
    ):
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                ringbuilder.main(["swift-ring-builder"] + argv)
            except SystemExit as exc:
                # 1 is "done, with warnings" (a one-device ring cannot be balanced).
                if exc.code not in (None, 0, 1):
                    raise RuntimeError("swift-ring-builder %s failed" % argv)


def next_app(env, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"next"]


def run_case(case):
    swift_conf = case.get("swift_conf") or ETC_SWIFT_CONF
    utils.SWIFT_CONF_FILE = recon.SWIFT_CONF_FILE = swift_conf
    storage_policy.reload_storage_policies()
    logger = CaptureLogger()
    recon.get_logger = lambda conf, log_route=None: logger
    middleware = recon.filter_factory({}, **case["conf"])(next_app)
    out = []
    for method, path in case["requests"]:
        del logger.messages[:]
        req = Request.blank(path, environ={"REQUEST_METHOD": method})
        try:
            resp = req.get_response(middleware)
        except Exception as exc:
            out.append({"error": type(exc).__name__, "logs": list(logger.messages)})
            continue
        out.append({
            "status": resp.status_int,
            "headers": sorted([k, v] for k, v in resp.headers.items()),
            "body": resp.body.decode("latin-1"),
            "logs": list(logger.messages),
        })
    return out


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    for directory, name in spec["rings"]:
        build_ring(directory, name)
    print(json.dumps([run_case(case) for case in spec["cases"]]))


if __name__ == "__main__":
    main()
