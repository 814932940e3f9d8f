"""Swift 2.30's HTTP server, for limits_test.ts: eventlet.wsgi with Swift's settings.

Usage: /usr/bin/python3 _limits_oracle.py SWIFT_DIR

Reads SWIFT_DIR/swift.conf the way swift-*-server reads /etc/swift/swift.conf (constraints at
import time, so http.client._MAXHEADERS = MAX_HEADER_COUNT * 1.6 follows its max_meta_count),
imports swift.common.wsgi (which sets eventlet's MAX_HEADER_LINE) and swift.common.bufferedhttp
(which raises _MAXHEADERS), and serves with the protocol and options of Swift's run_server():
SwiftHttpProtocol, socket_timeout, no header capitalisation. The app is Swift's healthcheck
filter in front of a 404, so /healthcheck answers as a Swift server's does.

Binds 127.0.0.1 on a free port, prints the port on one line, and serves until killed.
"""
import os
import sys
import warnings

from swift.common import utils

utils.SWIFT_CONF_FILE = os.path.join(sys.argv[1], 'swift.conf')

import eventlet  # noqa: E402
from eventlet import wsgi  # noqa: E402
import swift.common.wsgi  # noqa: E402,F401  (sets wsgi.MAX_HEADER_LINE)
import swift.common.bufferedhttp  # noqa: E402,F401  (raises _MAXHEADERS)
from swift.common.http_protocol import SwiftHttpProtocol  # noqa: E402
from swift.common.middleware.healthcheck import HealthCheckMiddleware  # noqa: E402
from swift.common.swob import HTTPNotFound  # noqa: E402


class NullLog(object):
    def write(self, *args):
        pass

    def info(self, *args, **kwargs):
        pass

    def debug(self, *args, **kwargs):
        pass

    def error(self, *args, **kwargs):
        pass


def main():
    app = HealthCheckMiddleware(HTTPNotFound(), {})
    sock = eventlet.listen(('127.0.0.1', 0))
    print(sock.getsockname()[1], flush=True)
    # eventlet warns that capitalize_response_headers=False is unusual; Swift sets it.
    warnings.simplefilter('ignore', DeprecationWarning)
    wsgi.server(sock, app, NullLog(), protocol=SwiftHttpProtocol,
                socket_timeout=60, capitalize_response_headers=False)


if __name__ == '__main__':
    main()
