/**
 * setsockopt() and shutdown() on descriptors Deno owns (found with socket_table.ts), through
 * libc: Deno has no API for TCP keepalive settings, nor to end one accepted connection.
 */

import { openLibc } from "../common/libc.ts";

const SYMBOLS = {
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
} as const;

const SOL_SOCKET = 1;
const SO_KEEPALIVE = 9;
const IPPROTO_TCP = 6;
const TCP_KEEPIDLE = 4;
const SHUT_RDWR = 2;

const symbols = openLibc(SYMBOLS);

function setInt(fd: number, level: number, name: number, value: number): boolean {
  const buffer = new Int32Array([value]);
  return symbols().setsockopt(fd, level, name, new Uint8Array(buffer.buffer), 4) === 0;
}

/**
 * Swift's get_socket(): SO_KEEPALIVE and TCP_KEEPIDLE on the listening socket. Linux copies
 * both to every connection accept() returns, so dead peers are found after `idleSeconds`.
 */
export function setKeepalive(fd: number, idleSeconds: number): boolean {
  return setInt(fd, SOL_SOCKET, SO_KEEPALIVE, 1) &&
    setInt(fd, IPPROTO_TCP, TCP_KEEPIDLE, idleSeconds);
}

/**
 * Ends a connection in both directions without closing the descriptor, so Deno still owns
 * (and later closes) it and the number cannot be reused under it.
 */
export function shutdownSocket(fd: number): boolean {
  return symbols().shutdown(fd, SHUT_RDWR) === 0;
}
