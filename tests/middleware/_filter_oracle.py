"""Swift 2.30's own middleware over a batch of requests, for the filter tests that compare
swiftd's filters with Swift's (crossdomain, etag_quoter, name_check, read_only, domain_remap,
list_endpoints, container_quotas, account_quotas).

Usage: /usr/bin/python3 _filter_oracle.py SPEC.json

SPEC: {"cluster": optional {"dir", "hash_prefix", "hash_suffix", "swift_conf", "rings":
{name: {"replica2part2dev": [[dev id...]...], "devs": [...], "part_shift": n}}}, "cases": [...]}.
With a cluster, swift.conf and the rings are written to dir (for swiftd to read too) and
Swift's hash path salt and POLICIES are loaded from them.

A case: {"filter": module name, "conf": {...}, "method", "path" (as on the wire, query
included), "headers": [[name, value]...], "body": latin-1 text, "env": {"reseller_request":
bool, "authorize": "allow" | "deny401" | "deny403", "infocache": {...}, "memcache": {...}},
"responses": [{"method", "path" (PATH_INFO), "status", "headers": {...}, "body"}]}.
The app behind the filter is Swift's FakeSwift (test/unit/common/middleware/helpers.py)
answering the registered responses, and 200 with X-Fake-Default: yes for anything else.

Prints one JSON object per case: {"status", "headers", "body"} or {"error": exception class},
plus "calls" (what reached FakeSwift: [method, PATH_INFO, QUERY_STRING, swift.source,
{header: value}]), "acls" (req.acl of each swift.authorize call), "infocache" (the request's
swift.infocache afterwards), "memcache_sets" ([key, value, time] of each set) and
"swift_info" (what the filter registered for /info under its name, or null).
"""
import array
import io
import copy
import functools
import json
import os
import sys
import unittest.mock

# eventlet's green DNS resolver takes seconds to set up and no test here resolves a name.
os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
sys.path.insert(0, '/var/tmp/swiftd-swift-source/swift-2.30.1')
# Swift's test helpers import the `mock` package, which Debian ships separately
# (python3-mock); the standard library's unittest.mock is the same API.
sys.modules.setdefault('mock', unittest.mock)

from swift.common import registry, ring, storage_policy, swob, utils  # noqa: E402
from swift.common.middleware import (  # noqa: E402
    account_quotas, container_quotas, crossdomain, domain_remap, etag_quoter,
    list_endpoints, name_check, read_only)
from test.unit.common.middleware.helpers import FakeSwift  # noqa: E402

MODULES = {
    'account_quotas': account_quotas, 'container_quotas': container_quotas,
    'crossdomain': crossdomain, 'domain_remap': domain_remap,
    'etag_quoter': etag_quoter, 'list_endpoints': list_endpoints,
    'name_check': name_check, 'read_only': read_only,
}


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
        except KeyError as exc:
            if 'allowed responses' not in str(exc):
                raise
            return swob.HTTPOk(headers={'X-Fake-Default': 'yes'})(
                env, start_response)


class FakeMemcache(object):
    def __init__(self, values):
        self.values = values
        self.sets = []

    def get(self, key, raise_on_error=False):
        return copy.deepcopy(self.values.get(key))

    def set(self, key, value, serialize=True, time=0, min_compress_len=0,
            raise_on_error=False):
        self.sets.append([key, value, time])
        self.values[key] = value

    def delete(self, key, server_key=None):
        self.values.pop(key, None)


def authorizer(kind, acls):
    def authorize(req):
        acls.append(req.acl)
        # Fixed denials, so that both sides answer the same bytes whatever the request.
        if kind == 'deny401':
            return swob.Response(status=401, body=b'denied', headers={
                'Www-Authenticate': 'Swift realm="test"'})
        if kind == 'deny403':
            return swob.Response(status=403, body=b'denied')
        return None
    return authorize


def setup_cluster(cluster):
    path = cluster['dir']
    conf = os.path.join(path, 'swift.conf')
    with open(conf, 'w') as f:
        f.write(cluster['swift_conf'])
    utils.HASH_PATH_PREFIX = cluster['hash_prefix'].encode('utf8')
    utils.HASH_PATH_SUFFIX = cluster['hash_suffix'].encode('utf8')
    utils.SWIFT_CONF_FILE = conf
    storage_policy.reload_storage_policies()
    for name, data in cluster['rings'].items():
        ring.RingData([array.array('H', row) for row in data['replica2part2dev']],
                      data['devs'], data['part_shift']).save(
            os.path.join(path, name + '.ring.gz'))


def run(case):
    app = Backend()
    for r in case.get('responses', []):
        app.register(r['method'], r['path'],
                     functools.partial(swob.Response, status=r['status']),
                     dict(r.get('headers', {})),
                     r.get('body', '').encode('latin-1'))
    registry._swift_info = {}
    try:
        mw = MODULES[case['filter']].filter_factory({}, **case.get('conf', {}))(app)
    except Exception as exc:
        return {'build_error': type(exc).__name__}
    swift_info = registry._swift_info.get(case['filter'])
    # A full URL, so that a path starting with // is not read as a host.
    env = swob.Request.blank('http://localhost' + case['path']).environ
    env['REQUEST_METHOD'] = case.get('method', 'GET')
    body = case.get('body', '').encode('latin-1')
    env['wsgi.input'] = io.BytesIO(body)
    for name, value in case.get('headers', []):
        key = name.upper().replace('-', '_')
        if key not in ('CONTENT_TYPE', 'CONTENT_LENGTH'):
            key = 'HTTP_' + key
        env[key] = value
    extra = case.get('env', {})
    acls = []
    memcache = None
    if 'reseller_request' in extra:
        env['reseller_request'] = extra['reseller_request']
    if 'authorize' in extra:
        env['swift.authorize'] = authorizer(extra['authorize'], acls)
    if 'infocache' in extra:
        env['swift.infocache'] = copy.deepcopy(extra['infocache'])
    if 'memcache' in extra:
        memcache = FakeMemcache(copy.deepcopy(extra['memcache']))
        env['swift.cache'] = memcache
    got = {}

    def start_response(status, headers, exc_info=None):
        got['status'] = int(status.split(' ', 1)[0])
        got['headers'] = [list(h) for h in headers]

    try:
        got['body'] = b''.join(mw(env, start_response)).decode('latin-1')
    except Exception as exc:
        got = {'error': type(exc).__name__}
    got['calls'] = app.seen
    got['acls'] = acls
    got['infocache'] = env.get('swift.infocache', {})
    got['memcache_sets'] = memcache.sets if memcache else []
    got['swift_info'] = swift_info
    return got


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    if spec.get('cluster'):
        setup_cluster(spec['cluster'])
    print(json.dumps([run(case) for case in spec['cases']]))


if __name__ == '__main__':
    main()
