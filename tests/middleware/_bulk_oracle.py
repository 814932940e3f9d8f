"""Swift 2.30's bulk middleware over Swift's own FakeSwift, for bulk_test.ts.

Usage: /usr/bin/python3 _bulk_oracle.py SPEC.json

SPEC: {"cases": [case, ...]}; a case:
  {"conf": {...filter conf...},
   "register": [[method, path, [[status, [[header, value], ...], body_b64], ...]], ...],
   "request": {"method": ..., "path": quoted path with query, "headers": [[name, value], ...],
               "archive": name of an archive built below | null, "body": base64 | null,
               "chunked": bool},
   "tick": seconds time.time() advances at each call (heartbeats), 0 for none}

Registered paths are PATH_INFO (unquoted, one char per byte); a list of several answers is
given in turn. Archives are made here with tarfile/gzip/bz2 and returned (base64) so that
swiftd's side reads the same bytes. Prints {"archives": {name: base64}, "results": [...]}, a
result being:
  {"status": int, "content_type": str, "chunks": [latin-1 text, ...],
   "calls": [[method, path, {header: value}], ...], "sources": [...],
   "put_bodies": [sha256 prefix | null, ...], "sleeps": [seconds, ...], "errors_logged": int}
"""
import base64
import bz2
import gzip
import hashlib
import io
import json
import sys
import tarfile
import unittest.mock

sys.modules.setdefault('mock', unittest.mock)
sys.path.insert(0, '/var/tmp/swiftd-swift-source/swift-2.30.1')

import eventlet  # noqa: E402
from swift.common import swob  # noqa: E402
from swift.common.middleware import bulk  # noqa: E402
from test.debug_logger import debug_logger  # noqa: E402
from test.unit.common.middleware.helpers import FakeSwift  # noqa: E402

CALL_HEADERS = [
    'X-Auth-Token', 'User-Agent', 'Content-Length', 'Content-Type', 'X-Delete-At',
    'X-Delete-After', 'X-Object-Meta-Color', 'X-Object-Meta-Lunch', 'X-Object-Meta-Dinner',
    'X-Trans-Id-Extra',
]


def member(tar, name, data=b'', **attrs):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in attrs.items():
        setattr(info, key, value)
    tar.addfile(info, io.BytesIO(data) if data else None)


def tar_of(build, fmt=tarfile.GNU_FORMAT):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode='w', format=fmt, encoding='utf-8',
                      errors='surrogateescape') as tar:
        build(tar)
    return out.getvalue()


def simple(tar):
    member(tar, 'cont/', type=tarfile.DIRTYPE)
    member(tar, 'cont/a.txt', b'hello')
    member(tar, './cont/dir/b.txt', b'b' * 3000)
    member(tar, '/cont/empty', b'')
    member(tar, 'top-level', b'ignored')
    member(tar, 'cont/link', type=tarfile.SYMTYPE, linkname='a.txt')
    member(tar, 'cont2/c.txt', b'second container')


def names(tar):
    member(tar, 'cont/' + 'long' * 40, b'long name')
    member(tar, 'cont/caf\u00e9 \u2603', b'unicode')
    member(tar, 'cont/bad\udcff', b'not utf-8')
    member(tar, 'cont/a%20b+c', b'percent')
    member(tar, 'cont/' + 'x' * 1300, b'too long for Swift')
    member(tar, ('\u00e9' * 700) + '/obj', b'long container')


def dots(tar):
    member(tar, 'cont/../other/x', b'up')
    member(tar, 'cont/./y', b'dot')
    member(tar, '../../etc/z', b'escape')
    member(tar, './cont/z', b'plain')


def xattrs(tar):
    member(tar, 'cont/typed', b'x', pax_headers={
        'SCHILY.xattr.user.mime_type': 'application/x-swift',
        'SCHILY.xattr.user.meta.lunch': 'burger and fries',
        'LIBARCHIVE.xattr.user.meta.dinner': 'baked \u00e9',
        'SCHILY.xattr.user.stuff': 'whee',
    })
    member(tar, 'cont/plain', b'y')


def bad_xattr(tar):
    member(tar, 'cont/ok', b'1')
    member(tar, 'cont/bad', b'2', pax_headers={
        'SCHILY.xattr.user.meta.lunch': 'caf\udce9'})


def many(tar):
    for i in range(12):
        member(tar, 'c%d/obj%d' % (i % 4, i), b'%d' % i)


def archives():
    out = {}
    plain = tar_of(simple)
    out['simple.tar'] = plain
    out['simple.tar.gz'] = gzip.compress(plain, mtime=0)
    out['simple.tar.bz2'] = bz2.compress(plain)
    out['names.tar'] = tar_of(names)
    out['names.pax.tar'] = tar_of(names, tarfile.PAX_FORMAT)
    out['dots.tar'] = tar_of(dots)
    out['xattrs.tar'] = tar_of(xattrs, tarfile.PAX_FORMAT)
    out['bad-xattr.tar'] = tar_of(bad_xattr, tarfile.PAX_FORMAT)
    out['many.tar'] = tar_of(many)
    small = tar_of(lambda t: member(t, 'cont/small', b'small'))
    info = tarfile.TarInfo('cont/huge')
    info.size = 6 * 1024 ** 3
    out['huge.tar'] = small[:1024] + info.tobuf(tarfile.GNU_FORMAT) + b'data'
    out['empty'] = b''
    out['garbage.tar'] = b'this is not a tar file' * 30
    big = tar_of(many)
    out['truncated.tar'] = big[:2000]
    gz = gzip.compress(big, mtime=0)
    out['truncated.tar.gz'] = gz[:len(gz) // 2]
    out['corrupt.tar.gz'] = gz[:30] + b'\xff' * 20 + gz[50:]
    bz = bz2.compress(big)
    out['truncated.tar.bz2'] = bz[:len(bz) // 2]
    out['corrupt.tar.bz2'] = bz[:60] + b'\x00' * 20 + bz[80:]
    half = len(plain) // 2
    out['two-streams.tar.bz2'] = bz2.compress(plain[:half]) + bz2.compress(plain[half:])
    bad = bytearray(plain)
    bad[0] ^= 0x20
    out['bad-checksum.tar'] = bytes(bad)
    return out


def digest(data):
    return hashlib.sha256(data).hexdigest()[:16]


def run(case, archive_bytes):
    fake = FakeSwift()
    for method, path, answers in case['register']:
        answers = [(swob.status_map[status], dict(headers), base64.b64decode(body))
                   for status, headers, body in answers]
        # One answer serves every request; several are given in turn.
        if len(answers) == 1:
            fake.register(method, path, *answers[0])
        else:
            fake.register_responses(method, path, answers)
    app = bulk.filter_factory({}, **case.get('conf', {}))(fake)
    logger = debug_logger()
    app.logger = logger
    request = case['request']
    if request.get('archive') is not None:
        body = archive_bytes[request['archive']]
    else:
        body = base64.b64decode(request.get('body') or '')
    req = swob.Request.blank(request['path'], environ={'REQUEST_METHOD': request['method']},
                             headers=dict(request.get('headers', [])), body=body)
    if request.get('chunked'):
        del req.environ['CONTENT_LENGTH']
        req.environ['HTTP_TRANSFER_ENCODING'] = 'chunked'
    if request.get('no_length'):
        del req.environ['CONTENT_LENGTH']
    clock = {'now': 1000000.0}

    def fake_time():
        clock['now'] += case.get('tick', 0)
        return clock['now']
    sleeps = []

    def fake_sleep(seconds):
        sleeps.append(seconds)
        eventlet.sleep(0)
    with unittest.mock.patch.object(bulk, 'time', fake_time), \
            unittest.mock.patch.object(bulk, 'sleep', fake_sleep):
        status, headers, app_iter = req.call_application(app)
        chunks = [chunk.decode('latin-1') for chunk in app_iter if chunk]
    calls = []
    for method, path, call_headers in fake.calls_with_headers:
        calls.append([method, path, {k: call_headers[k] for k in CALL_HEADERS
                                     if k in call_headers}])
    return {
        'status': int(status.split()[0]),
        'content_type': dict(headers).get('Content-Type'),
        'chunks': chunks,
        'calls': calls,
        'sources': fake.swift_sources,
        'put_bodies': [digest(b) if b is not None else None for b in fake.req_bodies],
        'sleeps': sleeps,
        'errors_logged': len(logger.get_lines_for_level('error')),
    }


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    built = archives()
    out, sys.stdout = sys.stdout, sys.stderr  # debug_logger prints its lines
    try:
        results = [run(case, built) for case in spec['cases']]
    finally:
        sys.stdout = out
    json.dump({
        'archives': {k: base64.b64encode(v).decode('ascii') for k, v in built.items()},
        'results': results,
    }, sys.stdout)


main()
