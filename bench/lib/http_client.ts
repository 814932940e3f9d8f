/**
 * One HTTP/1.1 request on a fresh connection (`Connection: close`), read to EOF. The bench
 * needs a new connection each time: a worker is chosen per connection (SO_REUSEPORT hashing
 * in swiftd, accept() races in Swift), so fresh connections are how setup requests reach every
 * worker, and how the startup probe sees the first worker that answers.
 */

/** A request to send; the body, if any, gets a Content-Length. */
export interface RequestSpec {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
}

/** The status and body size of an answer. */
export interface Answer {
  readonly status: number;
  readonly bytes: number;
}

const encoder = new TextEncoder();

function encodeRequest(spec: RequestSpec, port: number): Uint8Array {
  const headers: Record<string, string> = {
    Host: `127.0.0.1:${port}`,
    Connection: "close",
    ...spec.headers,
  };
  if (spec.body) headers["Content-Length"] = String(spec.body.length);
  const head = `${spec.method} ${spec.path} HTTP/1.1\r\n` +
    Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("") + "\r\n";
  const headBytes = encoder.encode(head);
  const out = new Uint8Array(headBytes.length + (spec.body?.length ?? 0));
  out.set(headBytes);
  if (spec.body) out.set(spec.body, headBytes.length);
  return out;
}

/** Sends `spec` to 127.0.0.1:`port` and reads the whole answer; throws on a connection error. */
export async function request(
  port: number,
  spec: RequestSpec,
  options: { timeoutMs?: number } = {},
): Promise<Answer> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  // A server that accepts and then hangs must not hang the bench.
  const timer = setTimeout(() => conn.close(), options.timeoutMs ?? 10_000);
  try {
    const bytes = encodeRequest(spec, port);
    for (let sent = 0; sent < bytes.length;) sent += await conn.write(bytes.subarray(sent));
    const chunks: Uint8Array[] = [];
    const buffer = new Uint8Array(64 * 1024);
    for (let n; (n = await conn.read(buffer)) !== null;) chunks.push(buffer.slice(0, n));
    const all = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
    chunks.reduce((offset, c) => (all.set(c, offset), offset + c.length), 0);
    return parseAnswer(all);
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // Already closed by the timeout.
    }
  }
}

function parseAnswer(all: Uint8Array): Answer {
  const text = new TextDecoder("latin1").decode(all);
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (!match) throw new Error(`Not an HTTP answer: "${text.slice(0, 80)}"`);
  const headEnd = text.indexOf("\r\n\r\n");
  return { status: Number(match[1]), bytes: headEnd < 0 ? 0 : all.length - headEnd - 4 };
}
