"""Swift 2.30's tempurl and formpost over a batch of requests, for tempurl_test.ts and
formpost_test.ts (through _tempurl_harness.ts).

Usage: /usr/bin/python3 _tempurl_oracle.py SPEC.json

SPEC: {"cases": [CASE, ...]}. A CASE: {"filter": "tempurl" | "formpost", "conf": {...},
"now": time() in seconds, "method", "path" (as on the wire: quoted, query included),
"headers": [[name, value]...], "body": latin-1 text, "remote_addr", "responses": [{"method",
"path", "status", "headers": {...}, "body"}], "probes": [path, ...]}.

The app behind the filter is Swift's FakeSwift (test/unit/common/middleware/helpers.py),
accepting any method, answering the registered responses (an unregistered request is an
error, as in Swift's tests). Before FakeSwift sees a request, the wrapper records it and, for
a request without swift.source (the client's own, let through), asks its swift.authorize
about a GET of each probe path.

Prints a JSON list, one object per case: {"status", "headers": [[lower-case name, value]...]
sorted, "body"} or {"error": exception class}; "calls": [[method, PATH_INFO, QUERY_STRING,
swift.source, {lower-case header: value}, REMOTE_USER, swift.authorize_override, body]];
"probes": [status of each probe's swift.authorize answer, or null when it allowed it];
"infocache": sorted swift.infocache keys; "swift_info": what the filter registered.
"""
import io
import json
import os
import sys
import unittest.mock

os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
sys.path.insert(0, '/var/tmp/swiftd-swift-source/swift-2.30.1')
# Debian ships the `mock` package Swift's test helpers import separately.
sys.modules.setdefault('mock', unittest.mock)

from swift.common import registry, swob  # noqa: E402
from swift.common.middleware import formpost, tempurl  # noqa: E402
from test.unit.common.middleware.helpers import FakeSwift  # noqa: E402

MODULES = {'tempurl': tempurl, 'formpost': formpost}


class AnyMethod(object):
    def __contains__(self, method):
        return True


class Backend(FakeSwift):
    """FakeSwift taking any method, recording what reached it."""
    ALLOWED_METHODS = AnyMethod()

    def __init__(self, probes):
        super(Backend, self).__init__()
        self.seen = []
        self.probes = probes
        self.probed = []

    def __call__(self, env, start_response):
        body = None
        if env['REQUEST_METHOD'] in ('PUT', 'POST'):
            # What the proxy does: read the upload to its end (formpost's cap raises here).
            body = b''.join(iter(env['wsgi.input'].read, b''))
            env['wsgi.input'] = io.BytesIO(body)
            body = body.decode('latin-1')
        headers = {k.lower(): str(v) for k, v in swob.Request(env).headers.items()}
        headers.pop('host', None)
        self.seen.append([
            env['REQUEST_METHOD'], env['PATH_INFO'], env.get('QUERY_STRING', ''),
            env.get('swift.source'), headers, env.get('REMOTE_USER'),
            env.get('swift.authorize_override', False), body])
        if env.get('swift.source') is None and 'swift.authorize' in env:
            for probe in self.probes:
                denial = env['swift.authorize'](swob.Request.blank(probe))
                self.probed.append(None if denial is None else denial.status_int)
        return super(Backend, self).__call__(env, start_response)


def run(case):
    app = Backend(case.get('probes', []))
    for r in case.get('responses', []):
        # Registered paths are quoted, as swiftd's FakeSwift sees them; this one matches
        # PATH_INFO.
        path, sep, query = r['path'].partition('?')
        app.register(r['method'], swob.wsgi_unquote(path) + sep + query,
                     swob.status_map[r['status']],
                     r.get('headers', {}), r.get('body', '').encode('latin-1'))
    module = MODULES[case['filter']]
    out = {}
    # register_swift_info() adds to what an earlier case registered.
    registry._swift_info.pop(case['filter'], None)
    with unittest.mock.patch.object(module, 'time', return_value=case['now']):
        try:
            mw = module.filter_factory({}, **case.get('conf', {}))(app)
        except Exception as e:
            return {'build_error': type(e).__name__}
        out['swift_info'] = registry.get_swift_info().get(case['filter'])
        body = case.get('body')
        env = {'REQUEST_METHOD': case.get('method', 'GET'),
               'REMOTE_ADDR': case.get('remote_addr', '127.0.0.1')}
        req = swob.Request.blank(
            case['path'], environ=env, headers=dict(case.get('headers', [])),
            body=None if body is None else body.encode('latin-1'))
        got = {}

        def start_response(status, headers, exc_info=None):
            got['status'] = int(status.split(' ', 1)[0])
            got['headers'] = sorted([k.lower(), str(v)] for k, v in headers)

        try:
            chunks = mw(req.environ, start_response)
            got['body'] = b''.join(chunks).decode('latin-1')
        except Exception as e:
            got = {'error': type(e).__name__}
    out.update(got)
    out['calls'] = app.seen
    out['probes'] = app.probed
    out['infocache'] = sorted(req.environ.get('swift.infocache', {}))
    return out


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    json.dump([run(case) for case in spec['cases']], sys.stdout)


if __name__ == '__main__':
    main()
