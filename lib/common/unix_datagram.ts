/**
 * Sends datagrams to a Unix socket path (syslog's /dev/log, systemd's NOTIFY_SOCKET) from an
 * unbound socket, as Python's socket module does. Deno's own Unix datagram API must bind a
 * path of its own first, which would leave socket files behind; libc through FFI does not.
 *
 * Sends never block: a syslog daemon that stops reading must not stall request handling,
 * so a full queue is reported (EAGAIN) to the caller, which counts the loss.
 */

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
/** sizeof(sockaddr_un.sun_path) on Linux. */
const SUN_PATH_MAX = 108;

/** errno values callers act on. */
export const Errno = { ENOENT: 2, EAGAIN: 11, ECONNREFUSED: 111 } as const;

let libc: Deno.DynamicLibrary<typeof SYMBOLS>["symbols"] | undefined;

function symbols(): Deno.DynamicLibrary<typeof SYMBOLS>["symbols"] {
  libc ??= Deno.dlopen("libc.so.6", SYMBOLS).symbols;
  return libc;
}

function errno(): number {
  const pointer = symbols().__errno_location();
  return pointer ? new Deno.UnsafePointerView(pointer).getInt32() : 0;
}

/** An unbound AF_UNIX/SOCK_DGRAM socket aimed at one path (`@name` = abstract namespace). */
export class UnixDatagramSender {
  readonly path: string;
  #fd: number;
  readonly #address: Uint8Array<ArrayBuffer>;

  constructor(path: string) {
    const name = new TextEncoder().encode(path.startsWith("@") ? `\0${path.slice(1)}` : path);
    if (name.length >= SUN_PATH_MAX) {
      throw new Error(`Unix socket path "${path}" is longer than ${SUN_PATH_MAX - 1} bytes`);
    }
    // struct sockaddr_un: sa_family_t (u16, native byte order; Linux targets are little-endian)
    // then the path; a filesystem path is NUL-terminated, an abstract one is not.
    const abstract = path.startsWith("@");
    this.#address = new Uint8Array(2 + name.length + (abstract ? 0 : 1));
    new DataView(this.#address.buffer).setUint16(0, AF_UNIX, true);
    this.#address.set(name, 2);
    this.path = path;
    this.#fd = symbols().socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (this.#fd < 0) throw new Error(`Cannot create a Unix datagram socket: errno ${errno()}`);
  }

  /** Sends one datagram; returns 0, or the errno of a failed send (the datagram is lost). */
  send(data: Uint8Array<ArrayBuffer>): number {
    if (this.#fd < 0) return Errno.ENOENT;
    const sent = symbols().sendto(
      this.#fd,
      data,
      BigInt(data.length),
      MSG_DONTWAIT | MSG_NOSIGNAL,
      this.#address,
      this.#address.length,
    );
    return sent < 0 ? errno() : 0;
  }

  /** Closes the socket; later sends fail with ENOENT. */
  close(): void {
    if (this.#fd >= 0) symbols().close(this.#fd);
    this.#fd = -1;
  }
}
