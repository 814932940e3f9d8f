"""Swift 2.30's copy, dlo and slo middlewares over Swift's own FakeSwift, for copy_test.ts,
dlo_test.ts and slo_test.ts.

Usage: /usr/bin/python3 _large_object_oracle.py SPEC.json

SPEC is a list of cases:
  {"middleware": "copy" | "dlo" | "slo", "conf": {...filter conf...},
   "can_ignore_range": bool, "listing_limit": CONTAINER_LISTING_LIMIT or null,
   "register": [[method, path, status, [[header, value], ...], body_base64 | null], ...],
   "request": {"method": ..., "path": quoted path with query,
               "headers": [[name, value], ...], "body": base64}}

The FakeSwift behind the middleware answers the registered (method, path) pairs as Swift's
middleware unit tests make it answer. Prints a JSON list, one object per case:
  {"status": int, "headers": [[name, value], ...], "body": base64, "error": bool,
   "calls": [[method, path, {header: value}], ...], "sources": [swift.source, ...],
   "put_bodies": [base64 | null, ...]}
"error" is true when the middleware or reading the body raised (catch_errors would answer
500, or the WSGI server drop the connection); a raise before the response is status 500.
"""
import base64
import json
import sys
import unittest.mock

# Swift's test helpers import the `mock` backport; the standard library has the same API.
sys.modules.setdefault('mock', unittest.mock)
sys.path.insert(0, '/var/tmp/swiftd-swift-source/swift-2.30.1')

from swift.common import swob  # noqa: E402
from swift.common.middleware import copy, dlo, slo  # noqa: E402
from test.unit.common.middleware.helpers import FakeSwift  # noqa: E402

from swift.common import constraints  # noqa: E402

LISTING_LIMIT = constraints.CONTAINER_LISTING_LIMIT

FACTORIES = {
    'copy': copy.filter_factory,
    'dlo': dlo.filter_factory,
    'slo': slo.filter_factory,
}

CALL_HEADERS = [
    'Range', 'X-Newest', 'X-Backend-Etag-Is-At',
    'X-Backend-Ignore-Range-If-Metadata-Present', 'Etag', 'Content-Type',
    'Content-Length', 'X-Static-Large-Object', 'X-Object-Manifest',
    'X-Object-Sysmeta-Slo-Etag', 'X-Object-Sysmeta-Slo-Size',
    'X-Object-Sysmeta-Container-Update-Override-Etag', 'User-Agent',
    'X-Auth-Token', 'X-Copy-From', 'X-Object-Meta-Color', 'X-Object-Meta-Shape',
    'X-Object-Sysmeta-Test', 'X-Fresh-Metadata', 'If-Match', 'If-None-Match',
]


def b64(data):
    return base64.b64encode(data).decode('ascii') if data is not None else None


def run(case):
    constraints.CONTAINER_LISTING_LIMIT = LISTING_LIMIT
    fake = FakeSwift()
    fake.can_ignore_range = case.get('can_ignore_range', False)
    for method, path, status, headers, body in case['register']:
        body = base64.b64decode(body) if body is not None else b''
        # FakeSwift matches PATH_INFO, the unquoted path.
        path, _, query = path.partition('?')
        path = swob.wsgi_unquote(path) + ('?' + query if query else '')
        fake.register(method, path, swob.status_map[status], dict(headers), body)
    conf = dict(case.get('conf', {}))
    if case['middleware'] == 'dlo':
        conf.setdefault('__file__', '/nonexistent')
        conf.setdefault('max_get_time', '86400')
    app = FACTORIES[case['middleware']]({}, **conf)(fake)
    if case.get('listing_limit'):
        # Swift's tests patch the constant the same way.
        constraints.CONTAINER_LISTING_LIMIT = case['listing_limit']
    request = case['request']
    req = swob.Request.blank(
        request['path'], environ={'REQUEST_METHOD': request['method']},
        body=base64.b64decode(request.get('body') or ''))
    if not request.get('body'):
        req.environ.pop('CONTENT_LENGTH', None)
    for name, value in request['headers']:
        req.headers[name] = value
    out = {'error': False}
    try:
        resp = req.get_response(app)
    except Exception:
        # catch_errors would answer 500.
        resp = swob.Response(status=500, body=b'', headers={})
        resp.headers.clear()
        out['error'] = True
    chunks = []
    try:
        for chunk in resp.app_iter:
            chunks.append(chunk)
    except Exception:
        out['error'] = True
    out['status'] = resp.status_int
    out['headers'] = [[k, str(v)] for k, v in resp.headers.items()]
    out['body'] = b64(b''.join(chunks))
    out['calls'] = [
        [method, path, {h: headers[h] for h in CALL_HEADERS if h in headers}]
        for method, path, headers in fake.calls_with_headers]
    out['sources'] = fake.swift_sources
    out['put_bodies'] = [b64(body) for body in fake.req_bodies]
    return out


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    print(json.dumps([run(case) for case in spec]))


if __name__ == '__main__':
    main()
