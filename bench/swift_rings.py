"""Builds one-device, one-replica rings the way swift-ring-builder does, for the bench.

Usage: python3 swift_rings.py DIR NAME:PORT [NAME:PORT...]

Writes DIR/NAME.ring.gz for each NAME (account, container, object) with a single device
127.0.0.1:PORT/sda1, part power 8 and one replica. Both Swift and swiftd read these files.
"""
import os
import sys

from swift.common.ring import RingBuilder


def main(directory, *specs):
    for spec in specs:
        name, port = spec.split(':')
        builder = RingBuilder(8, 1, 1)
        builder.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1',
                         'port': int(port), 'device': 'sda1', 'weight': 100})
        builder.rebalance()
        builder.get_ring().save(os.path.join(directory, '%s.ring.gz' % name))
    return 0


if __name__ == '__main__':
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
