"""Swift 2.30's proxy_logging over a batch of scripted requests, for proxy_logging_test.ts.

Usage: /usr/bin/python3 _proxy_logging_oracle.py SPEC.json

SPEC is {"sensitive_params": [...], "policies": [index, ...], "cases": [CASE, ...]}. A CASE:

  conf          the filter's conf (access_log_statsd_host/port are added, pointing at a UDP
                socket this script reads)
  clock         what time.time() answers, call after call
  method, path (percent-encoded), query (QUERY_STRING), protocol, remote_addr, trans_id
  headers       [[name, value], ...]: HTTP_* environ keys (Content-Length/-Type as CONTENT_*)
  input         {"chunks": [latin-1 text, ...], "error_after": n or null}: wsgi.input answers
                one chunk per read() and raises once it has given n chunks
  app           {"read": n, "env": {...}, "raise_before": bool, "status": "200 OK",
                 "headers": [[name, value], ...], "chunks": [latin-1 text, ...],
                 "raise_after": n or null}: reads wsgi.input n times, sets "env" keys, then
                raises or answers with a generator that raises after n chunks
  consume       the client reads that many chunks, then goes away (null: reads them all)
  pipeline      true: proxy_logging, a middleware making a GET subrequest (swift.source "SW")
                to /v1/a/c/index.html, proxy_logging again, then the app (Swift's pipeline)

Prints one JSON object per case: {"lines": [access line, ...], "datagrams": [statsd text, ...],
"status": int or null, "body": latin-1 text, "error": bool}.
"""
import json
import socket
import sys
import types
from urllib.parse import unquote

from swift.common import registry
from swift.common.middleware import proxy_logging
from swift.common.storage_policy import StoragePolicy, StoragePolicyCollection
from swift.common.swob import Request

PID = 4242


class ScriptedInput(object):
    def __init__(self, chunks, error_after):
        self.chunks = [c.encode("latin-1") for c in chunks]
        self.error_after = error_after
        self.given = 0

    def read(self, *args, **kwargs):
        if self.error_after is not None and self.given >= self.error_after:
            raise IOError("client went away")
        self.given += 1
        return self.chunks.pop(0) if self.chunks else b""

    readline = read


def make_app(spec):
    def app(env, start_response):
        for _ in range(spec["read"]):
            env["wsgi.input"].read()
        env.update(spec["env"])
        if spec["raise_before"]:
            raise RuntimeError("app failed")
        start_response(spec["status"], [tuple(h) for h in spec["headers"]])

        def body():
            for i, chunk in enumerate(spec["chunks"]):
                if spec["raise_after"] is not None and i >= spec["raise_after"]:
                    raise RuntimeError("body failed")
                yield chunk.encode("latin-1")
            if spec["raise_after"] is not None and spec["raise_after"] >= len(spec["chunks"]):
                raise RuntimeError("body failed")
        return body()
    return app


def subrequest_middleware(app):
    def mid(env, start_response):
        sub = Request.blank("/v1/a/c/index.html", environ={
            "REQUEST_METHOD": "GET", "swift.source": "SW",
            "REMOTE_ADDR": env["REMOTE_ADDR"], "SERVER_PROTOCOL": env["SERVER_PROTOCOL"],
            "swift.trans_id": env.get("swift.trans_id")}).environ
        del sub["HTTP_HOST"]
        b"".join(app(sub, lambda *a: None))
        return app(env, start_response)
    return mid


def run(case, receiver, port):
    lines = []
    clock = iter(case["clock"])
    proxy_logging.time = types.SimpleNamespace(time=lambda: next(clock))
    conf = dict(case["conf"], access_log_statsd_host="127.0.0.1",
                access_log_statsd_port=str(port))

    def logging_filter(app):
        mw = proxy_logging.filter_factory({}, **conf)(app)
        mw.pid = PID
        mw.access_logger.info = lambda msg, *a, **kw: lines.append(msg)
        return mw

    app = make_app(case["app"])
    if case.get("pipeline"):
        app = logging_filter(subrequest_middleware(logging_filter(app)))
    else:
        app = logging_filter(app)
    env = Request.blank("/", environ={
        "REQUEST_METHOD": case["method"],
        "PATH_INFO": unquote(case["path"], encoding="latin-1"),
        "QUERY_STRING": case["query"],
        "SERVER_PROTOCOL": case["protocol"],
        "REMOTE_ADDR": case["remote_addr"],
    }).environ
    del env["HTTP_HOST"]
    if case["trans_id"] is not None:
        env["swift.trans_id"] = case["trans_id"]
    for name, value in case["headers"]:
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        env[key] = value
    env["wsgi.input"] = ScriptedInput(case["input"]["chunks"], case["input"]["error_after"])
    got = {"status": None}

    def start_response(status, headers, exc_info=None):
        got["status"] = int(status.split(" ", 1)[0])

    body = b""
    error = False
    try:
        resp = app(env, start_response)
        for i, chunk in enumerate(resp):
            if case["consume"] is not None and i >= case["consume"]:
                resp.close()
                break
            body += chunk
    except Exception:
        error = True
    datagrams = []
    while True:
        try:
            datagrams.append(receiver.recv(65536).decode("utf-8"))
        except BlockingIOError:
            break
    return {"lines": lines, "datagrams": datagrams, "status": got["status"],
            "body": body.decode("latin-1"), "error": error}


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    for name in spec["sensitive_params"]:
        registry.register_sensitive_param(name)
    proxy_logging.POLICIES = StoragePolicyCollection(
        [StoragePolicy(i, "p%d" % i, is_default=(n == 0))
         for n, i in enumerate(spec["policies"])])
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.setblocking(False)
    port = receiver.getsockname()[1]
    print(json.dumps([run(case, receiver, port) for case in spec["cases"]]))


if __name__ == "__main__":
    main()
