"""Swift 2.30's get_log_line() for given requests and responses, at a fixed time and pid.

argv[1] is a JSON list of cases: {"method", "path" (on the wire), "remote_addr", "headers",
"status", "response_headers", "trans_time", "additional_info", "time", "pid", "format",
"method_hash", "salt"}. Prints the log lines as a JSON list.
"""
import json
import os
import sys
import time as real_time
import types

from swift.common import swob, utils


def main():
    lines = []
    for case in json.loads(sys.argv[1]):
        fake = types.SimpleNamespace(**{
            name: getattr(real_time, name) for name in dir(real_time)
            if not name.startswith('_')})
        fake.time = lambda: case['time']
        utils.time = fake
        os.getpid = lambda: case['pid']
        req = swob.Request.blank(case['path'], environ={
            'REQUEST_METHOD': case['method'], 'REMOTE_ADDR': case['remote_addr']})
        for name, value in case['headers']:
            req.headers[name] = value
        res = swob.Response(status=case['status'],
                            headers=dict(case['response_headers']))
        lines.append(utils.get_log_line(
            req, res, case['trans_time'], case['additional_info'],
            case['format'], case['method_hash'], case['salt']))
    print(json.dumps(lines))


if __name__ == '__main__':
    main()
