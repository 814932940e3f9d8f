"""Takes Swift 2.30's partition lock (swift.common.utils.lock_path) on request, to check that
swiftd's lock and Swift's exclude each other.

Reads one JSON command per line from stdin and answers each with one line on stdout:
  {"try": dir, "timeout": seconds} -> "locked" (then released) or "timeout"
  {"hold": dir}                    -> "held" (kept until the next command or EOF)
"""
import json
import sys

from swift.common.exceptions import LockTimeout
from swift.common.utils import lock_path


def main():
    held = None
    for line in sys.stdin:
        command = json.loads(line)
        if held is not None:
            held.__exit__(None, None, None)
            held = None
        if 'try' in command:
            try:
                with lock_path(command['try'], timeout=command['timeout']):
                    answer = 'locked'
            except LockTimeout:
                answer = 'timeout'
        else:
            held = lock_path(command['hold'])
            held.__enter__()
            answer = 'held'
        print(answer, flush=True)


if __name__ == '__main__':
    main()
