"""Runs request sequences against Swift 2.30's in-memory object server (swift.obj.mem_server).

Reads JSON from stdin: a list of sequences, each a list of requests
{"method", "path" (as on the wire, percent-encoded), "headers": [[name, value], ...],
"body": base64 or null}. Writes the responses, in the same shape, as JSON:
{"status", "headers": [[name, value], ...], "body": base64}.

One app serves every sequence (sequences use distinct object names), as one server would.
Swob turns header values into WSGI strings, so values travel as latin-1 text.
"""
import base64
import json
import sys

from swift.common.swob import Request, WsgiBytesIO
from swift.obj import mem_server


def main():
    sequences = json.load(sys.stdin)
    app = mem_server.app_factory({}, log_requests='false')
    out = []
    for sequence in sequences:
        answers = []
        for item in sequence:
            body = base64.b64decode(item['body']) if item['body'] else b''
            environ = {'REQUEST_METHOD': item['method'],
                       'wsgi.input': WsgiBytesIO(body)}
            req = Request.blank(item['path'], environ=environ)
            for name, value in item['headers']:
                req.headers[name] = value
            resp = req.get_response(app)
            answers.append({
                'status': resp.status_int,
                'headers': sorted([k, v] for k, v in resp.headers.items()),
                'body': base64.b64encode(resp.body).decode('ascii'),
            })
        out.append(answers)
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
