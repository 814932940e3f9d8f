"""Runs one real Swift server the way /usr/bin/swift-SERVER does, on a private swift_dir.

Usage: python3 swift_launcher.py SWIFT_DIR CONF SERVER

Swift reads swift.conf (hash prefix and suffix, storage policies) from /etc/swift unless
set_swift_dir() points it elsewhere before the server module is imported, so the bench can run
Swift without touching the machine's /etc/swift.
"""
import importlib
import sys

from swift.common.utils import set_swift_dir

# The servers whose /usr/bin script passes a global_conf_callback to run_wsgi().
CALLBACKS = {'object-server': 'swift.obj.server'}


def main(swift_dir, conf, server):
    set_swift_dir(swift_dir)
    from swift.common.wsgi import run_wsgi
    options = {}
    if server in CALLBACKS:
        module = importlib.import_module(CALLBACKS[server])
        options['global_conf_callback'] = module.global_conf_callback
    return run_wsgi(conf, server, **options)


if __name__ == '__main__':
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
