/**
 * An unbound SOCK_DGRAM socket that sends each datagram to one socket address with libc's
 * sendto() through FFI, synchronously: the sending half of Python's socket module that
 * syslog and sd_notify need. Deno's Unix datagram API must bind a path of its own first
 * (leaving socket files behind) and node:dgram completes sends asynchronously and out of
 * order; a sendto() costs microseconds and, with MSG_DONTWAIT, never waits: a full socket
 * buffer is an EAGAIN, which the caller reports as a lost datagram instead of stalling.
 * Callers build the address: unix_datagram.ts (sockaddr_un), log/udp_sender.ts (sockaddr_in/6).
 */

import { lastErrno, openLibc } from "./libc.ts";

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
} as const;

/** Linux address families, the sa_family of the socket address. */
export const AddressFamily = { AF_UNIX: 1, AF_INET: 2, AF_INET6: 10 } as const;

/** errno values callers act on. */
export const Errno = { ENOENT: 2, EBADF: 9, EAGAIN: 11, ECONNREFUSED: 111 } as const;

const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;

const symbols = openLibc(SYMBOLS);

/** How a socket names itself in errors and what a send after close() returns. */
export interface DatagramSocketOptions {
  /** "a Unix datagram socket", "a UDP socket". */
  readonly what: string;
  /** The errno send() returns once the socket is closed. */
  readonly closedErrno: number;
}

/** An unbound datagram socket of `family` aimed at `address` (a struct sockaddr_*). */
export class DatagramSocket {
  readonly #address: Uint8Array<ArrayBuffer>;
  readonly #closedErrno: number;
  #fd: number;

  /** Opens the socket; throws naming `options.what` when socket() fails. */
  constructor(
    family: number,
    address: Uint8Array<ArrayBuffer>,
    options: DatagramSocketOptions,
  ) {
    this.#address = address;
    this.#closedErrno = options.closedErrno;
    this.#fd = symbols().socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (this.#fd < 0) throw new Error(`Cannot create ${options.what}: errno ${lastErrno()}`);
  }

  /** Sends one datagram now; returns 0, or the errno of a failed send (the datagram is lost). */
  send(data: Uint8Array<ArrayBuffer>): number {
    if (this.#fd < 0) return this.#closedErrno;
    const sent = symbols().sendto(
      this.#fd,
      data,
      BigInt(data.length),
      MSG_DONTWAIT | MSG_NOSIGNAL,
      this.#address,
      this.#address.length,
    );
    return sent < 0 ? lastErrno() : 0;
  }

  /** Closes the socket; later sends return the closed errno. */
  close(): void {
    if (this.#fd >= 0) symbols().close(this.#fd);
    this.#fd = -1;
  }
}
