"""Answers questions about swob and swift.common.utils helpers, for the object tests.

Reads a JSON list of [function, args...] from argv[1]; prints the answers as JSON, where
an exception is {"error": "ExceptionType: message"}.
"""
import json
import sys

from swift.common import swob, utils
from swift.common.request_helpers import validate_device_partition


def parsedate_seconds(value):
    req = swob.Request.blank('/', headers={'If-Modified-Since': value})
    when = req.if_modified_since
    return None if when is None else int(when.timestamp())


def ranges(header, length):
    rng = swob.Request.blank('/', headers={'Range': header}).range
    if rng is None:
        return None
    found = rng.ranges_for_length(length)
    return None if found is None else [list(r) for r in found]


FUNCTIONS = {
    'split_path': lambda path, mn, mx, rest: utils.split_path(path, mn, mx, rest),
    'validate_device_partition': validate_device_partition,
    'parsedate': parsedate_seconds,
    'ranges': ranges,
}


def main():
    out = []
    for name, *args in json.loads(sys.argv[1]):
        try:
            out.append(FUNCTIONS[name](*args))
        except Exception as err:
            out.append({'error': '%s: %s' % (type(err).__name__, err)})
    print(json.dumps(out))


if __name__ == '__main__':
    main()
