"""Runs one of Swift 2.30's servers (account, container, object or proxy) on a private
swift_dir: swift.conf and the rings come from that directory, not /etc/swift.

usage: _swift_server.py SWIFT_DIR SERVER CONF
"""
import sys

from swift.common import constraints
from swift.common.storage_policy import reload_storage_policies
from swift.common.utils import set_swift_dir
from swift.common.wsgi import run_wsgi


def main():
    swift_dir, server, conf = sys.argv[1:4]
    set_swift_dir(swift_dir)
    # Policies and constraints were read from /etc/swift at import time.
    reload_storage_policies()
    constraints.reload_constraints()
    kwargs = {}
    if server == 'object-server':
        from swift.obj import server as obj_server
        kwargs['global_conf_callback'] = obj_server.global_conf_callback
    sys.exit(run_wsgi(conf, server, verbose=True, **kwargs))


if __name__ == '__main__':
    main()
