"""Swift 2.30's versioned_writes and symlink middleware over a batch of requests, for the
differential tests of swiftd's filters (versioned_writes_test.ts, object_versioning_test.ts,
symlink_test.ts).

Usage: /usr/bin/python3 _versioning_oracle.py SPEC.json

SPEC: {"cases": [...]}. A case: {"pipeline": ["versioned_writes", "symlink"] (outermost
first), "conf": {filter name: {...}}, "method", "path" (as on the wire, query included),
"headers": [[name, value]...] (CONTENT_TYPE is "" unless given, as Swift's server sets it),
"body": latin-1 text, "now": seconds (time.time() during the
request), "env": {"authorize": "allow" | "deny401" | "deny403"},
"responses": [{"method", "path" (PATH_INFO, query allowed), "status", "headers", "body"} or
{"method", "path", "sequence": [{"status", "headers", "body"}...]}]}.

The app behind the filters is Swift's FakeSwift (test/unit/common/middleware/helpers.py)
answering the registered responses (a sequence answers successive requests), and 200 with
X-Fake-Default: yes for anything else.

Prints a JSON list, one object per case: {"status", "headers", "body"} or {"error": exception
class}, plus "calls" ([method, PATH_INFO, QUERY_STRING, swift.source, {header: value}] of
each request that reached FakeSwift) and "swift_info" (what the filters registered).
"""
import functools
import io
import json
import os
import sys
import unittest.mock

os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
sys.path.insert(0, '/var/tmp/swiftd-swift-source/swift-2.30.1')
sys.modules.setdefault('mock', unittest.mock)

from swift.common import registry, swob  # noqa: E402
from swift.common.middleware import symlink, versioned_writes  # noqa: E402
from test.unit.common.middleware.helpers import FakeSwift  # noqa: E402

FACTORIES = {'symlink': symlink, 'versioned_writes': versioned_writes}


class AnyMethod(object):
    def __contains__(self, method):
        return True


class Backend(FakeSwift):
    """FakeSwift taking any method, recording PATH_INFO as given, with a default answer."""
    ALLOWED_METHODS = AnyMethod()

    def __init__(self):
        super(Backend, self).__init__()
        self.seen = []

    def __call__(self, env, start_response):
        headers = dict(swob.Request(env).headers.items())
        self.seen.append([env['REQUEST_METHOD'], env['PATH_INFO'],
                          env.get('QUERY_STRING', ''), env.get('swift.source'),
                          headers])
        try:
            return super(Backend, self).__call__(env, start_response)
        except (KeyError, IndexError) as exc:
            if 'allowed responses' not in str(exc):
                raise
            return swob.HTTPOk(headers={'X-Fake-Default': 'yes'})(
                env, start_response)


def authorizer(kind):
    # HTTPException responses, as auth middleware returns (the versioning code raises them).
    def authorize(req):
        if kind == 'deny401':
            return swob.HTTPUnauthorized(body=b'denied', headers={
                'Www-Authenticate': 'Swift realm="test"'})
        if kind == 'deny403':
            return swob.HTTPForbidden(body=b'denied')
        return None
    return authorize


def answer(r):
    return (functools.partial(swob.Response, status=r['status']),
            dict(r.get('headers', {})), r.get('body', '').encode('latin-1'))


def build(case, app):
    registry._swift_info = {}
    confs = case.get('conf', {})
    factories = [FACTORIES[name].filter_factory({}, **confs.get(name, {}))
                 for name in case['pipeline']]
    for factory in reversed(factories):
        app = factory(app)
    return app


def run(case):
    app = Backend()
    for r in case.get('responses', []):
        if 'sequence' in r:
            app.register_responses(r['method'], r['path'],
                                   [answer(a) for a in r['sequence']])
        else:
            app.register(r['method'], r['path'], *answer(r))
    try:
        mw = build(case, app)
    except Exception as exc:
        return {'build_error': type(exc).__name__}
    swift_info = dict(registry._swift_info)
    env = swob.Request.blank('http://localhost' + case['path']).environ
    env['REQUEST_METHOD'] = case.get('method', 'GET')
    env['wsgi.input'] = io.BytesIO(case.get('body', '').encode('latin-1'))
    # Swift's HTTP protocol gives a request without Content-Type an empty CONTENT_TYPE
    # (swift.common.http_protocol), which object versioning reads.
    env['CONTENT_TYPE'] = ''
    for name, value in case.get('headers', []):
        key = name.upper().replace('-', '_')
        if key not in ('CONTENT_TYPE', 'CONTENT_LENGTH'):
            key = 'HTTP_' + key
        env[key] = value
    extra = case.get('env', {})
    if 'authorize' in extra:
        env['swift.authorize'] = authorizer(extra['authorize'])
    got = {}

    def start_response(status, headers, exc_info=None):
        got['status'] = int(status.split(' ', 1)[0])
        got['headers'] = [list(h) for h in headers]

    with unittest.mock.patch('time.time', return_value=case.get('now', 1700000000.0)):
        try:
            got['body'] = b''.join(mw(env, start_response)).decode('latin-1')
        except Exception as exc:
            got = {'error': type(exc).__name__}
    got['calls'] = app.seen
    got['swift_info'] = swift_info
    return got


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    print(json.dumps([run(case) for case in spec['cases']]))


if __name__ == '__main__':
    main()
