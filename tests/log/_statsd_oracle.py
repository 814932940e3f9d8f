"""Swift 2.30's StatsdClient sending a batch of metrics, for statsd_test.ts.

Usage: /usr/bin/python3 _statsd_oracle.py SPEC.json

SPEC is a list of cases {"host": "127.0.0.1" | "::1" | "localhost", "client": {kwargs of
StatsdClient besides host and port}, "randoms": [float, ...], "calls": [[method, arg...], ...]}.
Each case binds its own UDP socket (on the loopback address of the host's family), points a
StatsdClient at it, makes the calls with random.random() answering "randoms" in turn, and
collects what arrived. An argument {"float": N} is passed as float(N).

Prints one JSON list per case: the datagrams, as text, in the order they arrived.
"""
import json
import socket
import sys

from swift.common.utils import StatsdClient


def run(case):
    family = socket.AF_INET6 if case["host"] == "::1" else socket.AF_INET
    bind_host = "::1" if family == socket.AF_INET6 else "127.0.0.1"
    receiver = socket.socket(family, socket.SOCK_DGRAM)
    receiver.bind((bind_host, 0))
    port = receiver.getsockname()[1]
    client = StatsdClient(case["host"], port, **case["client"])
    randoms = iter(case["randoms"])
    client.random = lambda: next(randoms)
    for name, *args in case["calls"]:
        # {"float": 5} is the float 5.0 (JSON cannot tell 5.0 from 5).
        args = [float(a["float"]) if isinstance(a, dict) else a for a in args]
        getattr(client, name)(*args)
    # Every sendto() has returned, so the datagrams are queued on the loopback socket.
    receiver.setblocking(False)
    out = []
    while True:
        try:
            out.append(receiver.recv(65536).decode("utf-8"))
        except BlockingIOError:
            break
    receiver.close()
    return out


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    print(json.dumps([run(case) for case in spec]))


if __name__ == "__main__":
    main()
