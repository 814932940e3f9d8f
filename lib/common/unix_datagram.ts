/**
 * Sends datagrams to a Unix socket path (syslog's /dev/log, systemd's NOTIFY_SOCKET) from an
 * unbound socket, as Python's socket module does. Deno's own Unix datagram API must bind a
 * path of its own first, which would leave socket files behind; libc through FFI does not.
 *
 * Sends never block: a syslog daemon that stops reading must not stall request handling,
 * so a full queue is reported (EAGAIN) to the caller, which counts the loss.
 */

import { AddressFamily, DatagramSocket, Errno } from "./datagram_socket.ts";

/** sizeof(sockaddr_un.sun_path) on Linux. */
const SUN_PATH_MAX = 108;

/** errno values callers act on. */
export { Errno };

/** An unbound AF_UNIX/SOCK_DGRAM socket aimed at one path (`@name` = abstract namespace). */
export class UnixDatagramSender {
  readonly path: string;
  readonly #socket: DatagramSocket;

  constructor(path: string) {
    const name = new TextEncoder().encode(path.startsWith("@") ? `\0${path.slice(1)}` : path);
    if (name.length >= SUN_PATH_MAX) {
      throw new Error(`Unix socket path "${path}" is longer than ${SUN_PATH_MAX - 1} bytes`);
    }
    // struct sockaddr_un: sa_family_t (u16, native byte order; Linux targets are little-endian)
    // then the path; a filesystem path is NUL-terminated, an abstract one is not.
    const abstract = path.startsWith("@");
    const address = new Uint8Array(2 + name.length + (abstract ? 0 : 1));
    new DataView(address.buffer).setUint16(0, AddressFamily.AF_UNIX, true);
    address.set(name, 2);
    this.path = path;
    this.#socket = new DatagramSocket(AddressFamily.AF_UNIX, address, {
      what: "a Unix datagram socket",
      closedErrno: Errno.ENOENT,
    });
  }

  /** Sends one datagram; returns 0, or the errno of a failed send (the datagram is lost). */
  send(data: Uint8Array<ArrayBuffer>): number {
    return this.#socket.send(data);
  }

  /** Closes the socket; later sends fail with ENOENT. */
  close(): void {
    this.#socket.close();
  }
}
