/**
 * Sends UDP datagrams to one IP address with libc's sendto() through FFI, synchronously, as
 * Python's SysLogHandler does. node:dgram completes each send asynchronously, and Deno
 * completes concurrent sends last-first, so the handler had to queue lines and send them one
 * by one: under load that queue grew faster than it drained (memory) and every completion
 * paid for an Array.shift() of it (CPU). A sendto() on an unconnected UDP socket costs a few
 * microseconds and never waits: with MSG_DONTWAIT a full socket buffer is an EAGAIN, which the
 * caller reports as a lost line instead of stalling the request.
 *
 * Only IP literals are handled here; a host name needs a resolver, which is asynchronous.
 */
import { isIPv4, isIPv6 } from "node:net";
import { AddressFamily, DatagramSocket, Errno } from "../common/datagram_socket.ts";

const { AF_INET, AF_INET6 } = AddressFamily;

/** The 16 bytes of an IPv6 literal (no zone id), or undefined when it is not one. */
export function ipv6Bytes(text: string): Uint8Array | undefined {
  if (!isIPv6(text) || text.includes("%")) return undefined;
  let groups: string[];
  const tailV4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let head = text;
  const v4: number[] = [];
  if (tailV4) {
    v4.push(...tailV4[1].split(".").map(Number));
    head = text.slice(0, -tailV4[1].length);
    if (head.endsWith(":") && !head.endsWith("::")) head = head.slice(0, -1);
  }
  const want = tailV4 ? 6 : 8;
  const gap = head.indexOf("::");
  if (gap >= 0) {
    const left = head.slice(0, gap).split(":").filter(Boolean);
    const right = head.slice(gap + 2).split(":").filter(Boolean);
    groups = [...left, ...Array(want - left.length - right.length).fill("0"), ...right];
  } else {
    groups = head.split(":").filter(Boolean);
  }
  if (groups.length !== want) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    out[2 * i] = value >> 8;
    out[2 * i + 1] = value & 0xff;
  });
  out.set(v4, 12);
  return out;
}

/** struct sockaddr_in or sockaddr_in6 for `ip`:`port`, or undefined when `ip` is no IP. */
function socketAddress(ip: string, port: number): Uint8Array<ArrayBuffer> | undefined {
  if (isIPv4(ip)) {
    // sa_family (host order: little-endian on our targets), port (network order), address.
    const out = new Uint8Array(16);
    const view = new DataView(out.buffer);
    view.setUint16(0, AF_INET, true);
    view.setUint16(2, port, false);
    out.set(ip.split(".").map(Number), 4);
    return out;
  }
  const bytes = ipv6Bytes(ip);
  if (!bytes) return undefined;
  // sa_family, port, flowinfo (0), 16 address bytes, scope id (0).
  const out = new Uint8Array(28);
  const view = new DataView(out.buffer);
  view.setUint16(0, AF_INET6, true);
  view.setUint16(2, port, false);
  out.set(bytes, 8);
  return out;
}

/** An unbound UDP socket aimed at one IP address and port. */
export class UdpSender {
  readonly #socket: DatagramSocket;

  private constructor(address: Uint8Array<ArrayBuffer>) {
    const family = address.length === 16 ? AF_INET : AF_INET6;
    this.#socket = new DatagramSocket(family, address, {
      what: "a UDP socket",
      closedErrno: Errno.EBADF,
    });
  }

  /** A sender to `ip`:`port`, or undefined when `ip` is not an IP literal (a host name). */
  static forIp(ip: string, port: number): UdpSender | undefined {
    const address = socketAddress(ip.replace(/^\[(.*)\]$/, "$1"), port);
    return address ? new UdpSender(address) : undefined;
  }

  /** Sends one datagram now; returns 0, or the errno of a failed send (the datagram is lost). */
  send(data: Uint8Array<ArrayBuffer>): number {
    return this.#socket.send(data);
  }

  /** Closes the socket; later sends fail with EBADF. */
  close(): void {
    this.#socket.close();
  }
}

/** errno of a send on a closed sender. */
export const EBADF: number = Errno.EBADF;
