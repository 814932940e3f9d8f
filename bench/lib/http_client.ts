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

/** The status, headers (names in lower case) and body size of an answer. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
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
  const timer = setTimeout(() => conn.close(), options.timeoutMs ?? 60_000);
  try {
    const bytes = encodeRequest(spec, port);
    for (let sent = 0; sent < bytes.length;) sent += await conn.write(bytes.subarray(sent));
    // The head is kept; the body (up to 64 MiB) is only counted.
    let head = "";
    let bodyBytes = 0;
    const decoder = new TextDecoder("latin1");
    const buffer = new Uint8Array(256 * 1024);
    for (let n; (n = await conn.read(buffer)) !== null;) {
      if (head.includes("\r\n\r\n")) {
        bodyBytes += n;
        continue;
      }
      head += decoder.decode(buffer.subarray(0, n));
      const end = head.indexOf("\r\n\r\n");
      if (end >= 0) {
        bodyBytes = head.length - end - 4;
        head = head.slice(0, end + 4);
      }
    }
    return parseAnswer(head, bodyBytes);
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // Already closed by the timeout.
    }
  }
}

function parseAnswer(head: string, bytes: number): Answer {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  if (!match) throw new Error(`Not an HTTP answer: "${head.slice(0, 80)}"`);
  const headers: Record<string, string> = {};
  for (const line of head.split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  }
  return { status: Number(match[1]), headers, bytes };
}
