"""Swift 2.30's listing_formats middleware over a batch of requests, for listing_formats_test.ts.

Usage: /usr/bin/python3 _listing_formats_oracle.py SPEC.json

SPEC is a list of cases {"method": str, "path": percent-encoded path, "query": QUERY_STRING,
"headers": [[name, value], ...], "take_over": bool, "response": {"status": "200 OK",
"headers": [[name, value], ...], "body": latin-1 text of the bytes}}. The app behind the
filter records the QUERY_STRING and Accept header it is given, sets swift.format_listing to
False when "take_over" (as staticweb does), and answers with "response".

Prints one JSON object per case: {"status": int, "reason": str, "headers": [[name, value],
...], "body": latin-1 text, "seen": {"query": str, "accept": str or null} or null (the app was
not called), "logs": [message, ...]}, or {"error": exception class name, "logs": [...]} when
the middleware raises (catch_errors would answer 500).
"""
import json
import sys
from urllib.parse import unquote

from swift.common.middleware import listing_formats
from swift.common.swob import Request


class CaptureLogger(object):
    def __init__(self):
        self.messages = []

    def __getattr__(self, level):
        def log(msg, *args, **kwargs):
            self.messages.append(msg % args if args else msg)
        return log


def run(case):
    seen = {}

    def app(env, start_response):
        seen["query"] = env.get("QUERY_STRING", "")
        seen["accept"] = env.get("HTTP_ACCEPT")
        if case.get("take_over"):
            env["swift.format_listing"] = False
        response = case["response"]
        start_response(response["status"], [tuple(h) for h in response["headers"]])
        return [response["body"].encode("latin-1")]

    logger = CaptureLogger()
    mw = listing_formats.ListingFilter(app, {}, logger=logger)
    env = Request.blank("/", environ={
        "REQUEST_METHOD": case["method"],
        "PATH_INFO": unquote(case["path"], encoding="latin-1"),
        "QUERY_STRING": case["query"],
    }).environ
    del env["HTTP_HOST"]
    for name, value in case["headers"]:
        env["HTTP_" + name.upper().replace("-", "_")] = value
    got = {}

    def start_response(status, headers, exc_info=None):
        got["status"] = status
        got["headers"] = [list(h) for h in headers]

    try:
        body = b"".join(mw(env, start_response))
    except Exception as exc:
        return {"error": type(exc).__name__, "logs": logger.messages}
    code, reason = got["status"].split(" ", 1)
    return {"status": int(code), "reason": reason, "headers": got["headers"],
            "body": body.decode("latin-1"), "seen": seen or None,
            "logs": logger.messages}


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    print(json.dumps([run(case) for case in spec]))


if __name__ == "__main__":
    main()
