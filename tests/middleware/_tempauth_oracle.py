"""Swift 2.30's tempauth answering a batch of requests, for tempauth_test.ts.

Usage: /usr/bin/python3 _tempauth_oracle.py SPEC.json

SPEC is {"memcache": "host:port" or null, "cases": [CASE, ...]}. A CASE is
{"conf": {...filter conf...}, "seed": {key: value}, "account_acls": {account: sysmeta},
 "cache_down": bool, "requests": [REQUEST, ...]}, a REQUEST being
{"method", "path" (quoted), "headers": {...}, "acl": container ACL or null,
 "env": {"swift.authorize_override": bool, "swift_sync_key": str, "preauth": bool},
 "save": name}.

Each case builds its own TempAuth (filter_factory) over a fake proxy app, and its own cache:
a FakeMemcache seeded with "seed" (values JSON round-tripped as memcached would), or Swift's
real MemcacheRing on SPEC's "memcache" server. "${name}" in a header value is replaced by the
token a request with "save": name got; tokens in the output are replaced back by "${name}".

The fake app plays the proxy: it calls env['swift.authorize'](req) the way the proxy's
controllers do (with req.acl set to the request's "acl") and records what it returned and
what tempauth left in the environ. Requests with swift.source "TA" are get_account_info()'s
HEAD: it answers them with the account's X-Account-Sysmeta-Core-Access-Control.

Prints one JSON object per case: "settings" (what TempAuth read from the conf, or {"error":
class name} when it refused it), "responses", one item per request: {"status", "headers": [[k, v], ...]
sorted, lower-case names, "body", "app": record or null}, or {"error": class name}; and
"tokens": the saved tokens' cache entries, {name: {"groups", "users" whose key points to it}}.
"""
import json
import sys

from swift.common.memcached import MemcacheConnectionError, MemcacheRing
from swift.common.middleware import tempauth
from swift.common.swob import Request, str_to_wsgi, wsgi_to_str


class FakeMemcache(object):
    """A dict with MemcacheRing's get/set; values cross as JSON like real memcached."""

    def __init__(self, seed, down=False):
        self.store = {k: json.dumps(v) for k, v in seed.items()}
        self.down = down

    def get(self, key, raise_on_error=False):
        if self.down:
            return None
        value = self.store.get(key)
        return None if value is None else json.loads(value)

    def set(self, key, value, serialize=True, time=0, min_compress_len=0,
            raise_on_error=False):
        if self.down:
            if raise_on_error:
                raise MemcacheConnectionError("No memcached connections succeeded.")
            return
        self.store[key] = json.dumps(value)

    def delete(self, key, server_key=None):
        self.store.pop(key, None)


def other_authorize(req):
    """Another auth middleware's swift.authorize, installed before tempauth."""
    return None


def rendered(app, env):
    """Status, headers and body a WSGI app (a swob Response...) answers, as it sends them."""
    got = {}

    def start_response(status, headers, exc_info=None):
        got["status"] = int(status.split(" ", 1)[0])
        got["headers"] = sorted([k.lower(), v] for k, v in headers)

    body = b"".join(app(env, start_response))
    got["body"] = body.decode("latin-1")
    return got


def make_app(case, records):
    acls = case.get("account_acls", {})

    def app(env, start_response):
        if env.get("swift.source") == "TA":
            account = wsgi_to_str(env["PATH_INFO"].split("/")[2])
            headers = [("Content-Length", "0")]
            if account in acls:
                headers.append(("X-Account-Sysmeta-Core-Access-Control",
                                str_to_wsgi(acls[account])))
            start_response("204 No Content", headers)
            return [b""]
        req = Request(env)
        spec = env["oracle.request"]
        if spec.get("acl") is not None:
            req.acl = spec["acl"]
        rec = {}
        authorize = env.get("swift.authorize")
        if authorize is None:
            rec["authorize"] = "absent"
        elif authorize is other_authorize:
            rec["authorize"] = "other"
        else:
            try:
                resp = authorize(req)
                rec["authorize"] = "allowed" if resp is None else rendered(resp, dict(env))
            except Exception as err:
                rec["authorize"] = {"error": type(err).__name__}
        rec["remote_user"] = env.get("REMOTE_USER")
        rec["swift_owner"] = bool(env.get("swift_owner", False))
        rec["reseller_request"] = bool(env.get("reseller_request", False))
        rec["clean_acl"] = "swift.clean_acl" in env
        rec["sysmeta_acl"] = req.headers.get("X-Account-Sysmeta-Core-Access-Control")
        rec["acl_header"] = req.headers.get("X-Account-Access-Control")
        records.append(rec)
        start_response("200 OK", [("Content-Length", "3"), ("Content-Type", "text/plain")])
        return [b"app"]

    return app


def run_case(case, memcache_server):
    records = []
    if memcache_server:
        cache = MemcacheRing([memcache_server])
    else:
        cache = FakeMemcache(case.get("seed", {}), case.get("cache_down", False))
    conf = dict(case["conf"])
    try:
        middleware = tempauth.filter_factory({}, **conf)(make_app(case, records))
    except Exception as err:
        return {"settings": {"error": type(err).__name__}, "responses": [], "tokens": {}}
    settings = {
        "users": middleware.users,
        "prefixes": middleware.reseller_prefixes,
        "require_groups": {p: r["require_group"] for p, r in middleware.account_rules.items()},
        "auth_prefix": middleware.auth_prefix,
        "token_life": middleware.token_life,
        "allow_overrides": middleware.allow_overrides,
        "storage_url_scheme": middleware.storage_url_scheme,
    }
    tokens = {}
    out = []
    for spec in case["requests"]:
        headers = {}
        for name, value in spec.get("headers", {}).items():
            for saved, token in tokens.items():
                value = value.replace("${%s}" % saved, token)
            headers[name] = value
        env = {"REQUEST_METHOD": spec.get("method", "GET"), "swift.cache": cache,
               "oracle.request": spec}
        extra = spec.get("env", {})
        if extra.get("swift.authorize_override"):
            env["swift.authorize_override"] = True
        if extra.get("swift_sync_key"):
            env["swift_sync_key"] = extra["swift_sync_key"]
        if extra.get("preauth"):
            env["swift.authorize"] = other_authorize
        req = Request.blank(spec["path"], environ=env, headers=headers)
        del records[:]
        try:
            got = rendered(middleware, req.environ)
        except Exception as err:
            out.append({"error": type(err).__name__})
            continue
        got["app"] = records[0] if records else None
        token = dict(got["headers"]).get("x-auth-token")
        if spec.get("save") and token and got["status"] == 200:
            tokens[spec["save"]] = token
        for saved, token in tokens.items():
            got["headers"] = [[k, v.replace(token, "${%s}" % saved)] for k, v in got["headers"]]
        out.append(got)
    prefix = middleware.reseller_prefix
    saved = {}
    for name, token in tokens.items():
        entry = cache.get("%s/token/%s" % (prefix, token))
        users = [u for u in middleware.users
                 if cache.get("%s/user/%s" % (prefix, u)) == token]
        saved[name] = {"groups": entry[1] if entry else None, "users": users}
    return {"settings": settings, "responses": out, "tokens": saved}


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    results = [run_case(case, spec.get("memcache")) for case in spec["cases"]]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
