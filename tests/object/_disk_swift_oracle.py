"""Runs requests through real Swift 2.30's object server (swift.obj.server.ObjectController)
over devices directories, and swift-object-info over data files, for the disk backend tests.

Reads JSON from stdin:
  {"swiftDir": dir of swift.conf, "pid": the pid to put in container update User-Agents,
   "jobs": [{"devices", "conf": {...object-server.conf keys...}, "fallocateReserve": "1%",
             "useLinkat": false to write through tmp/ as without O_TMPFILE,
             "damage": [{"path", "data": base64, "append": bool}] (written first),
             "requests": [{"method", "path" (percent-encoded), "headers": [[k, v]],
                           "body": base64 or null, "chunked": bool}]}],
   "objectInfo": [data file paths],
   "ondisk": [[file names of a hash directory, in listing order]]}
Writes JSON: {"jobs": [[{"status", "headers": [[k, v]], "body": base64}]],
              "objectInfo": [{"code", "output"}],
              "ondisk": [what DiskFileManager.get_ondisk_files() makes of each list]}.

Container updates fail (nothing answers), so they become async_pending files; the pid is
the test process's, so those files can be compared byte for byte with swiftd's.
"""
import base64
import contextlib
import io
import json
import logging
import sys
from unittest import mock

from swift.cli import info
from swift.common import storage_policy, utils
from swift.common.swob import Request, WsgiBytesIO
from swift.obj import diskfile, server as object_server


def run_job(job):
    conf = {'mount_check': 'false', 'log_requests': 'false'}
    conf.update(job.get('conf', {}))
    conf['devices'] = job['devices']
    utils.FALLOCATE_RESERVE, utils.FALLOCATE_IS_PERCENT = \
        utils.config_fallocate_value(job.get('fallocateReserve', '0'))
    app = object_server.ObjectController(conf)
    if job.get('useLinkat') is False:
        for mgr in app._diskfile_router.policy_to_manager.values():
            mgr.use_linkat = False
    for damage in job.get('damage', []):
        with open(damage['path'], 'ab' if damage.get('append') else 'wb') as f:
            f.write(base64.b64decode(damage['data']))
    answers = []
    for item in job['requests']:
        body = base64.b64decode(item['body']) if item['body'] else b''
        environ = {'REQUEST_METHOD': item['method'], 'wsgi.input': WsgiBytesIO(body),
                   'SERVER_NAME': '127.0.0.1', 'SERVER_PORT': '6200',
                   'HTTP_HOST': '127.0.0.1:6200'}
        req = Request.blank(item['path'], environ=environ)
        # In the order swiftd sees them: Fetch's Headers iterate sorted by name, and the
        # order of metadata headers is the order of the keys in the stored pickle.
        for name, value in sorted(item['headers'], key=lambda h: h[0].lower()):
            req.headers[name] = value
        if item.get('chunked'):
            req.environ.pop('CONTENT_LENGTH', None)
            req.headers['Transfer-Encoding'] = 'chunked'
        elif item['body'] is not None and 'Content-Length' not in req.headers:
            req.headers['Content-Length'] = str(len(body))
        with mock.patch('swift.obj.server.http_connect',
                        side_effect=OSError('refused')):
            resp = req.get_response(app)
            payload = resp.body
        answers.append({
            'status': resp.status_int,
            'headers': sorted([k, v] for k, v in resp.headers.items()),
            'body': base64.b64encode(payload).decode('ascii'),
        })
    return answers


def object_info(path, swift_dir):
    out = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out):
        try:
            info.print_obj(path, swift_dir=swift_dir)
        except info.InfoSystemExit:
            code = 1
    return {'code': code, 'output': out.getvalue()}


def ondisk(files):
    mgr = diskfile.DiskFileManager({}, logging.getLogger('ondisk'))
    found = mgr.get_ondisk_files(list(files), '/hash', verify=True)
    names = lambda infos: [info['filename'] for info in infos]
    return {
        'data': found['data_file'], 'meta': found['meta_file'], 'ts': found['ts_file'],
        'ctype': found['ctype_file'],
        'obsolete': names(found.get('obsolete', [])),
        'possibleReclaim': names(found.get('possible_reclaim', [])),
        'unexpected': found.get('unexpected', []),
    }


def main():
    task = json.load(sys.stdin)
    swift_dir = task['swiftDir']
    utils.set_swift_dir(swift_dir)
    storage_policy.reload_storage_policies()
    with mock.patch('os.getpid', return_value=task['pid']):
        jobs = [run_job(job) for job in task.get('jobs', [])]
    infos = [object_info(path, swift_dir) for path in task.get('objectInfo', [])]
    found = [ondisk(files) for files in task.get('ondisk', [])]
    json.dump({'jobs': jobs, 'objectInfo': infos, 'ondisk': found}, sys.stdout)


if __name__ == '__main__':
    main()
