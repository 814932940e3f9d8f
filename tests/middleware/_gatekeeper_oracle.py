"""Swift 2.30's gatekeeper middleware over a batch of requests, for gatekeeper_test.ts.

Usage: /usr/bin/python3 _gatekeeper_oracle.py SPEC.json

SPEC is a list of cases {"conf": {...filter conf...}, "headers": [[name, value], ...],
"leave_relative_location": bool, "response": [[name, value], ...]}. Request headers go into
the environ the way eventlet puts them there (HTTP_ + upper case, "-" as "_", repeats joined
with ","). The app behind the gatekeeper records the headers it is given, sets
swift.leave_relative_location when asked, and answers 200 with the "response" headers.

Prints one JSON object per case: {"seen": [[header, value], ...] (as swob's req.headers lists
them), "headers": [[name, value], ...] (the response's), "logs": [debug message, ...]}, or
{"error": exception class name, "logs": [...]} when the middleware raises.
"""
import json
import sys

from swift.common.middleware import gatekeeper
from swift.common.swob import Request


class CaptureLogger(object):
    def __init__(self):
        self.messages = []

    def __getattr__(self, level):
        def log(msg, *args, **kwargs):
            self.messages.append(msg % args if args else msg)
        return log


def run(case):
    seen = []

    def app(env, start_response):
        seen.extend(Request(env).headers.items())
        if case.get("leave_relative_location"):
            env["swift.leave_relative_location"] = True
        start_response("200 OK", [tuple(h) for h in case["response"]])
        return [b""]

    mw = gatekeeper.filter_factory({}, **case["conf"])(app)
    mw.logger = CaptureLogger()
    env = Request.blank("/v1/a/c/o").environ
    del env["HTTP_HOST"]
    for name, value in case["headers"]:
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        env[key] = env[key] + "," + value if key in env else value
    got = {}

    def start_response(status, headers, exc_info=None):
        got["headers"] = [list(h) for h in headers]

    try:
        b"".join(mw(env, start_response))
    except Exception as exc:
        return {"error": type(exc).__name__, "logs": mw.logger.messages}
    return {"seen": [list(h) for h in seen], "headers": got["headers"],
            "logs": mw.logger.messages}


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    print(json.dumps([run(case) for case in spec]))


if __name__ == "__main__":
    main()
