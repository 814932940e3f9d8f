"""Swift 2.30's ratelimit, container_sync and staticweb middleware over a batch of requests,
for the tests that compare swiftd's filters with them.

Usage: /usr/bin/python3 _web_filters_oracle.py SPEC.json

SPEC: {"filter": "ratelimit" | "container_sync" | "staticweb", "cases": [CASE...],
"memcached": optional "host:port" of a real memcached every case's swift.cache uses}. A CASE
builds the filter once (Swift's filter_factory with "conf"), in front of Swift's FakeSwift
answering "responses" ([{"method", "path" (PATH_INFO, query allowed), "status", "headers",
"body"}]), and sends it "requests" in turn: [{"method", "path" (as on the wire), "headers":
[[name, value]...], "body" (latin-1), "env": {...}, "at": seconds}].

Request "env": "authorize" (a swift.authorize: "allow", "deny401", "deny403", "deny_listing",
"deny_objects", "acl" (401 unless req.acl has .r:*)), "remote_user", "infocache",
"leave_relative_location"; with the case's "proxy_acls", GET/HEAD reaching the backend are
authorized with the container's X-Container-Read as req.acl, as the proxy does; "memcache" ({"values": {...}, "down": bool}) is one
swift.cache shared by its requests; "tempauth" (a conf) puts Swift's tempauth in front.

Case "steps" (container_sync): [{"write": text, "mtime": n} | {"clock": t} | {"request": i}]
run in order, the realms file living in "dir"; "info" is what the filter registered after
each step.

Prints, per case, per request: {"status", "headers", "body"} or {"error": class name}, plus
"calls" ([method, PATH_INFO, QUERY_STRING, swift.source, {header: value}, {override flags}]),
"acls", "log_info", "sleeps"; per case: "memcache" (every get/set/incr/decr), "logs"
([level, message]), "info" (the registered /info section).
"""
import copy
import functools
import io
import json
import os
import sys
import types
import unittest.mock

os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
sys.path.insert(0, '/var/tmp/swiftd-swift-source/swift-2.30.1')
sys.modules.setdefault('mock', unittest.mock)

from swift.common import container_sync_realms, registry, swob  # noqa: E402
from swift.common.memcached import (  # noqa: E402
    MemcacheConnectionError, MemcacheRing)
from swift.common.middleware import (  # noqa: E402
    container_sync, ratelimit, staticweb, tempauth)
from test.unit.common.middleware.helpers import FakeSwift  # noqa: E402

FLAGS = ('swift.authorize_override', 'swift.slo_override',
         'swift.symlink_override')


class Clock(object):
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class Logger(object):
    def __init__(self):
        self.lines = []

    def _log(self, level, msg, *args):
        # logging's rule: a lone dict argument fills %(name)s fields.
        if len(args) == 1 and isinstance(args[0], dict):
            args = args[0]
        self.lines.append([level, msg % args if args else msg])

    def debug(self, msg, *args, **kw):
        self._log('debug', msg, *args)

    def info(self, msg, *args, **kw):
        self._log('info', msg, *args)

    def warning(self, msg, *args, **kw):
        self._log('warning', msg, *args)

    def error(self, msg, *args, **kw):
        self._log('error', msg, *args)

    def exception(self, msg, *args, **kw):
        self._log('error', msg, *args)


class AnyMethod(object):
    def __contains__(self, method):
        return True


class Backend(FakeSwift):
    """FakeSwift taking any method, recording what reached it before auth."""
    ALLOWED_METHODS = AnyMethod()

    def __init__(self, read_acls=None):
        super(Backend, self).__init__()
        self.seen = []
        # Container path -> read ACL, to authorize GET/HEAD as the proxy does (req.acl set).
        self.read_acls = read_acls

    def __call__(self, env, start_response):
        headers = dict(swob.Request(env).headers.items())
        flags = dict((k, True) for k in FLAGS if env.get(k))
        self.seen.append([env['REQUEST_METHOD'], env['PATH_INFO'],
                          env.get('QUERY_STRING', ''), env.get('swift.source'),
                          headers, flags])
        if self.read_acls is not None and 'swift.authorize' in env and \
                env['REQUEST_METHOD'] in ('GET', 'HEAD'):
            container = '/'.join(env['PATH_INFO'].split('/')[:4])
            acl = self.read_acls.get(container)
            authorize = env['swift.authorize']

            def with_acl(req):
                req.acl = acl
                return authorize(req)
            env = dict(env, **{'swift.authorize': with_acl})
        return super(Backend, self).__call__(env, start_response)


class FakeMemcache(object):
    """memcached's semantics as MemcacheRing shows them, every operation recorded."""

    def __init__(self, values, down=False):
        self.values = copy.deepcopy(values)
        self.down = down
        self.ops = []

    def get(self, key, raise_on_error=False):
        self.ops.append(['get', key])
        return None if self.down else copy.deepcopy(self.values.get(key))

    def set(self, key, value, serialize=True, time=0, min_compress_len=0,
            raise_on_error=False):
        self.ops.append(['set', key, value, serialize, time])
        if not self.down:
            self.values[key] = value if serialize else str(value)

    def incr(self, key, delta=1, time=0):
        self.ops.append(['incr', key, delta])
        return self._add(key, delta)

    def _add(self, key, delta):
        if self.down:
            raise MemcacheConnectionError('No Memcached connections succeeded.')
        if key not in self.values:
            self.values[key] = str(max(delta, 0))
        else:
            self.values[key] = str(max(int(self.values[key]) + delta, 0))
        return int(self.values[key])

    def decr(self, key, delta=1, time=0):
        self.ops.append(['decr', key, delta])
        return self._add(key, -delta)

    def delete(self, key, server_key=None):
        self.ops.append(['delete', key])
        self.values.pop(key, None)


def authorizer(kind, acls):
    def authorize(req):
        acls.append(req.acl)
        parts = req.path.strip('/').split('/')
        denied = (
            kind in ('deny401', 'deny403')
            or (kind == 'deny_listing' and len(parts) == 3)
            or (kind == 'deny_objects' and len(parts) > 3)
            or (kind == 'acl' and '.r:*' not in (req.acl or '')))
        if not denied:
            return None
        if kind == 'deny403':
            return swob.Response(status=403, body=b'denied')
        return swob.Response(status=401, body=b'denied', headers={
            'Www-Authenticate': 'Swift realm="test"'})
    return authorize


def build(spec_filter, case, app, logger):
    conf = dict(case.get('conf', {}))
    registry._swift_info = {}
    if spec_filter == 'ratelimit':
        mw = ratelimit.filter_factory(conf)(app)
        mw.logger = logger
    elif spec_filter == 'container_sync':
        registry.register_swift_info('container_sync')
        mw = container_sync.ContainerSync(app, conf, logger=logger)
    else:
        mw = staticweb.filter_factory(conf)(app)
    if case.get('tempauth') is not None:
        mw = tempauth.filter_factory(case['tempauth'])(mw)
    return mw


def run_request(mw, app, r, memcache, clock):
    before = len(app.seen)
    if 'at' in r:
        clock.now = r['at']
    clock.sleeps = []
    env = swob.Request.blank(r['path']).environ
    env['REQUEST_METHOD'] = r.get('method', 'GET')
    body = r.get('body', '').encode('latin-1')
    env['wsgi.input'] = io.BytesIO(body)
    for name, value in r.get('headers', []):
        key = name.upper().replace('-', '_')
        if key not in ('CONTENT_TYPE', 'CONTENT_LENGTH'):
            key = 'HTTP_' + key
        env[key] = value
    extra = r.get('env', {})
    acls = []
    if 'authorize' in extra:
        env['swift.authorize'] = authorizer(extra['authorize'], acls)
    if 'remote_user' in extra:
        env['REMOTE_USER'] = extra['remote_user']
    if 'infocache' in extra:
        env['swift.infocache'] = copy.deepcopy(extra['infocache'])
    if extra.get('leave_relative_location'):
        env['swift.leave_relative_location'] = True
    if memcache is not None:
        env['swift.cache'] = memcache
    got = {}

    def start_response(status, headers, exc_info=None):
        got['status'] = int(status.split(' ', 1)[0])
        got['headers'] = [list(h) for h in headers]

    try:
        got['body'] = b''.join(mw(env, start_response)).decode('latin-1')
    except Exception as exc:
        got = {'error': type(exc).__name__}
    got['calls'] = app.seen[before:]
    got['acls'] = acls
    got['log_info'] = env.get('swift.log_info', [])
    got['sleeps'] = clock.sleeps
    got['flags'] = dict((k, True) for k in FLAGS if env.get(k))
    return got


def run(spec_filter, case, server=None):
    read_acls = None
    if case.get('proxy_acls'):
        read_acls = dict(
            (r['path'], r.get('headers', {}).get('X-Container-Read'))
            for r in case.get('responses', [])
            if r['method'] == 'HEAD' and len(r['path'].split('/')) == 4)
    app = Backend(read_acls)
    for r in case.get('responses', []):
        app.register(r['method'], r['path'],
                     functools.partial(swob.Response, status=r['status']),
                     dict(r.get('headers', {})),
                     r.get('body', '').encode('latin-1'))
    logger = Logger()
    clock = Clock()
    mc = case.get('memcache')
    memcache = None if mc is None else FakeMemcache(
        mc.get('values', {}), mc.get('down', False))
    if server:
        # A real memcached shared with swiftd: what one proxy counted, the other sees.
        memcache = MemcacheRing([server])
    out = {'requests': [], 'info': []}
    swift_dir = case.get('conf', {}).get('swift_dir')
    if swift_dir:
        # Each case starts without a realms file; its steps write one.
        try:
            os.unlink(os.path.join(swift_dir, 'container-sync-realms.conf'))
        except OSError:
            pass
    with unittest.mock.patch.object(ratelimit, 'time', types.SimpleNamespace(
            time=clock.time)), \
            unittest.mock.patch.object(ratelimit.eventlet, 'sleep', clock.sleep), \
            unittest.mock.patch.object(container_sync_realms, 'time', types.SimpleNamespace(
                time=clock.time)):
        steps = case.get('steps')
        if steps is None:
            steps = [{'build': True}] + [
                {'request': i} for i in range(len(case.get('requests', [])))]
        mw = None
        for step in steps:
            if 'write' in step:
                path = os.path.join(case['conf']['swift_dir'],
                                    'container-sync-realms.conf')
                with open(path, 'w') as f:
                    f.write(step['write'])
                os.utime(path, (step['mtime'], step['mtime']))
            elif 'clock' in step:
                clock.now = step['clock']
            elif 'build' in step:
                try:
                    mw = build(spec_filter, case, app, logger)
                except Exception as exc:
                    out['build_error'] = type(exc).__name__
                    break
                out['info'].append(copy.deepcopy(
                    registry._swift_info.get(spec_filter)))
            else:
                out['requests'].append(run_request(
                    mw, app, case['requests'][step['request']], memcache,
                    clock))
                out['info'].append(copy.deepcopy(
                    registry._swift_info.get(spec_filter)))
    out['memcache'] = getattr(memcache, 'ops', [])
    out['logs'] = logger.lines
    return out


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    server = spec.get('memcached')
    print(json.dumps([run(spec['filter'], case, server)
                      for case in spec['cases']]))


if __name__ == '__main__':
    main()
