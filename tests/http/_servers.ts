/**
 * Servers for the lib/http tests: Deno.serve for well-behaved HTTP, a raw TCP server scripted
 * byte by byte for everything a real server should not do, and a listener whose accept queue
 * is full so connecting to it hangs (the only way to time out a connect on loopback).
 */
import type { Endpoint } from "../../lib/http/endpoint.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A running test server. */
export interface TestServer {
  readonly endpoint: Endpoint;
  /** Connections accepted so far. */
  readonly accepted: () => number;
  close(): Promise<void>;
}

/** Deno.serve on a free loopback port; counts distinct client ports as connections. */
export function httpServer(
  handler: (
    req: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  ) => Response | Promise<Response>,
): TestServer {
  const ports = new Set<number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req, info) => {
      ports.add(info.remoteAddr.port);
      return handler(req, info);
    },
  );
  return {
    endpoint: { host: "127.0.0.1", port: server.addr.port },
    accepted: () => ports.size,
    close: () => server.shutdown(),
  };
}

/** One accepted raw connection with a small buffered reader for scripting a server. */
export class RawPeer {
  readonly conn: Deno.TcpConn;
  #buf = new Uint8Array(0);
  /** Bytes received in total (head, body and all). */
  received = 0;

  constructor(conn: Deno.TcpConn) {
    this.conn = conn;
  }

  /** Reads until CRLF CRLF; returns the head as text, or null at end of stream. */
  async readHead(): Promise<string | null> {
    for (;;) {
      const text = decoder.decode(this.#buf);
      const end = text.indexOf("\r\n\r\n");
      if (end !== -1) {
        this.#buf = this.#buf.slice(end + 4);
        return text.slice(0, end + 4);
      }
      if (!await this.#more()) return null;
    }
  }

  /** Reads exactly `n` bytes (fewer at end of stream). */
  async readBytes(n: number): Promise<Uint8Array> {
    while (this.#buf.length < n && await this.#more()) {
      // Keep reading until enough is buffered.
    }
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(out.length);
    return out;
  }

  /** Decodes a chunked body; returns its payload. */
  async readChunked(): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for (;;) {
      const line = await this.#readLine();
      const size = parseInt(line, 16);
      if (size === 0) {
        await this.#readLine();
        return concat(parts);
      }
      parts.push(await this.readBytes(size));
      await this.#readLine();
    }
  }

  /** Reads to end of stream; returns how many bytes came (buffered ones included). */
  async drain(): Promise<number> {
    let total = this.#buf.length;
    this.#buf = new Uint8Array(0);
    const scratch = new Uint8Array(65536);
    for (;;) {
      const n = await this.conn.read(scratch).catch(() => null);
      if (n === null) return total;
      total += n;
      this.received += n;
    }
  }

  /** Writes text (latin-1 is not needed by any script) or bytes. */
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    let offset = 0;
    while (offset < bytes.length) offset += await this.conn.write(bytes.subarray(offset));
  }

  /** Bytes already buffered but not consumed. */
  get buffered(): number {
    return this.#buf.length;
  }

  async #readLine(): Promise<string> {
    for (;;) {
      const at = this.#buf.indexOf(0x0a);
      if (at !== -1) {
        const line = decoder.decode(this.#buf.subarray(0, at)).replace(/\r$/, "");
        this.#buf = this.#buf.slice(at + 1);
        return line;
      }
      if (!await this.#more()) throw new Error("Peer closed inside a line");
    }
  }

  async #more(): Promise<boolean> {
    const scratch = new Uint8Array(65536);
    const n = await this.conn.read(scratch).catch(() => null);
    if (n === null) return false;
    this.received += n;
    this.#buf = concat([this.#buf, scratch.subarray(0, n)]);
    return true;
  }
}

/** A raw TCP server running `script` for each connection (index from 0). */
export function rawServer(script: (peer: RawPeer, index: number) => Promise<void>): TestServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.TcpConn[] = [];
  const scripts: Promise<void>[] = [];
  const failures: unknown[] = [];
  const loop = (async () => {
    for await (const conn of listener) {
      const index = conns.length;
      conns.push(conn);
      scripts.push(
        script(new RawPeer(conn), index).catch((err) => {
          failures.push(err);
        }).finally(() => closeQuietly(conn)),
      );
    }
  })();
  return {
    endpoint: { host: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port },
    accepted: () => conns.length,
    async close() {
      listener.close();
      await loop.catch(() => {});
      for (const conn of conns) closeQuietly(conn);
      await Promise.all(scripts);
      if (failures.length > 0) throw failures[0];
    },
  };
}

/**
 * A loopback listener that never accepts, its one-slot accept queue already taken: the kernel
 * drops further SYNs, so a connect hangs until the client gives up. Deno.listen has no backlog
 * option, hence Python.
 */
export async function unresponsiveListener(): Promise<TestServer> {
  const child = new Deno.Command("/usr/bin/python3", {
    args: [
      "-c",
      "import socket,sys\n" +
      "s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(0)\n" +
      "print(s.getsockname()[1], flush=True); sys.stdin.read()",
    ],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("python3 listener exited before printing its port");
    text += decoder.decode(value);
  }
  reader.releaseLock();
  const endpoint = { host: "127.0.0.1", port: Number(text.trim()) };
  // Fills the queue: this connection completes the handshake and is never accepted.
  const filler = await Deno.connect({ hostname: endpoint.host, port: endpoint.port });
  return {
    endpoint,
    accepted: () => 0,
    async close() {
      filler.close();
      await child.stdin.close();
      await child.stdout.cancel();
      await child.status;
    },
  };
}

/** A port with nothing listening (bound, read, closed). */
export function closedPort(): Endpoint {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return { host: "127.0.0.1", port };
}

/** Concatenates byte arrays. */
export function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Waits until `condition()` holds, failing with `what` after a generous bound. */
export async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Still not true after 5 s: ${what}`);
}

function closeQuietly(conn: Deno.TcpConn): void {
  try {
    conn.close();
  } catch {
    // Already closed by the script.
  }
}
