"""Runs request sequences against Swift 2.30's account or container server, in-process.

Reads JSON from stdin:
  {"server": "container" | "account", "swift_dir": ..., "conf": {extra app options},
   "runs": [{"devices": ..., "requests": [{"method", "path" (as on the wire),
             "headers": [[name, value], ...], "body": base64 or null}]}],
   "dump": [devices dirs whose databases to describe afterwards]}
Each run gets its own app over its devices directory. Writes
{"runs": [[{"status", "headers", "body" (base64)}]], "dumps": [{relpath: db}]}.

Databases are described through Swift's own brokers (so pending files are merged, and a
database written by swiftd is read by Swift's code) and then plain SQL, identically for every
directory, so the test can compare Swift's files with swiftd's.
"""
import base64
import json
import os
import sqlite3
import sys

from swift.common import constraints, request_helpers, storage_policy, utils


def configure(swift_dir):
    utils.SWIFT_CONF_FILE = os.path.join(swift_dir, 'swift.conf')
    utils.HASH_PATH_PREFIX = b''
    utils.HASH_PATH_SUFFIX = b''
    utils.validate_hash_conf()
    storage_policy.reload_storage_policies()
    constraints.reload_constraints()
    request_helpers.CONTAINER_LISTING_LIMIT = constraints.CONTAINER_LISTING_LIMIT


def describe(path, kind):
    if kind == 'containers':
        from swift.container.backend import ContainerBroker
        broker = ContainerBroker(path)
        broker.get_info()
        table, stat = 'object', 'container_stat'
    else:
        from swift.account.backend import AccountBroker
        broker = AccountBroker(path)
        broker.get_info()
        table, stat = 'container', 'account_stat'
    conn = sqlite3.connect(path)
    conn.text_factory = lambda b: b.decode('utf-8', 'surrogateescape')
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute('SELECT * FROM %s ORDER BY name, ROWID' % table)]
    for r in rows:
        r.pop('ROWID', None)
    info = dict(conn.execute('SELECT * FROM %s' % stat).fetchone())
    policy = [dict(r) for r in conn.execute(
        'SELECT * FROM policy_stat ORDER BY storage_policy_index')]
    metadata = json.loads(info.pop('metadata') or '{}')
    syncs = [dict(r) for r in conn.execute('SELECT * FROM incoming_sync ORDER BY remote_id')]
    conn.close()
    return {'rows': rows, 'stat': info, 'policy_stat': policy, 'metadata': metadata,
            'incoming_sync': syncs}


def dump(devices):
    out = {}
    for root, dirs, files in os.walk(devices):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(root, name)
            rel = os.path.relpath(full, devices)
            if os.path.islink(full):
                out[rel] = {'link': os.path.relpath(os.readlink(full), devices)}
            elif name.endswith('.db'):
                out[rel] = describe(full, rel.split(os.sep)[1])
    return out


def main():
    job = json.load(sys.stdin)
    configure(job['swift_dir'])
    from swift.common.swob import Request, WsgiBytesIO
    if job['server'] == 'container':
        from swift.container.server import ContainerController as App
    else:
        from swift.account.server import AccountController as App
    runs = []
    for run in job['runs']:
        conf = {'devices': run['devices'], 'mount_check': 'false',
                'fallocate_reserve': '0', 'log_requests': 'false',
                'swift_dir': job['swift_dir']}
        conf.update(job.get('conf', {}))
        app = App(conf)
        answers = []
        for item in run['requests']:
            body = base64.b64decode(item['body']) if item.get('body') else b''
            environ = {'REQUEST_METHOD': item['method'],
                       'wsgi.input': WsgiBytesIO(body),
                       'CONTENT_LENGTH': str(len(body))}
            req = Request.blank(item['path'], environ=environ)
            for name, value in item['headers']:
                req.headers[name] = value
            resp = req.get_response(app)
            answers.append({
                'status': resp.status_int,
                'headers': sorted([k.lower(), v] for k, v in resp.headers.items()),
                'body': base64.b64encode(resp.body).decode('ascii'),
            })
        runs.append(answers)
    dumps = [dump(d) for d in job.get('dump', [])]
    json.dump({'runs': runs, 'dumps': dumps}, sys.stdout)


if __name__ == '__main__':
    main()
