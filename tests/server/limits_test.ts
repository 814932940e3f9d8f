import { assert, assertEquals, assertMatch } from "@std/assert";
import { checkRequestLimits } from "../../lib/server/limits.ts";
import { SWIFT_PYTHON } from "../_helpers/python.ts";
import { makeTempDir } from "../_helpers/temp_dir.ts";
import { freePort, memObjectConf, startSwiftd, writeFile } from "../_helpers/swiftd.ts";

/** Swift's MAX_HEADER_COUNT with swift.conf's defaults: 90 + 36 + 0. */
const DEFAULT_MAX_HEADER_COUNT = 126;

function withHeaders(count: number, target = "/"): Request {
  const headers = new Headers();
  for (let i = 0; i < count; i++) headers.append(`x-h${i}`, "v");
  return new Request(`http://h${target}`, { headers });
}

Deno.test("checkRequestLimits() answers 414 with an empty body once the request line reaches 8192 bytes", async () => {
  // "GET " + target + " HTTP/1.1\r\n": 8191 bytes pass, 8192 do not.
  const at = (length: number) => withHeaders(0, "/" + "a".repeat(length - 3 - 12 - 1));
  assertEquals(checkRequestLimits(at(8191), DEFAULT_MAX_HEADER_COUNT), undefined);
  const refused = checkRequestLimits(at(8192), DEFAULT_MAX_HEADER_COUNT)!;
  assertEquals(refused.status, 414);
  assertEquals(refused.headers.get("connection"), "close");
  assertEquals(await refused.text(), "");
});

Deno.test("checkRequestLimits() answers 400 with an empty body once a header line reaches 8192 bytes", async () => {
  // "x-big: " + value + "\r\n": 8191 bytes pass, 8192 do not.
  const at = (length: number) =>
    new Request("http://h/", { headers: { "x-big": "b".repeat(length - 5 - 4) } });
  assertEquals(checkRequestLimits(at(8191), DEFAULT_MAX_HEADER_COUNT), undefined);
  const refused = checkRequestLimits(at(8192), DEFAULT_MAX_HEADER_COUNT)!;
  assertEquals(refused.status, 400);
  assertEquals(await refused.text(), "");
});

Deno.test("checkRequestLimits() allows 200 header lines by default and answers 431 with Python's page for 201", async () => {
  assertEquals(checkRequestLimits(withHeaders(200), DEFAULT_MAX_HEADER_COUNT), undefined);
  const refused = checkRequestLimits(withHeaders(201), DEFAULT_MAX_HEADER_COUNT)!;
  assertEquals(refused.status, 431);
  assertEquals(refused.headers.get("content-type"), "text/html;charset=utf-8");
  assertEquals(refused.headers.get("connection"), "close");
  assertMatch(
    await refused.text(),
    /<p>Error code explanation: 431 - got more than 201 headers\.<\/p>/,
  );
});

Deno.test("checkRequestLimits() takes the header count from MAX_HEADER_COUNT (max_meta_count 20: 88 lines)", () => {
  const maxHeaderCount = 20 + 36;
  assertEquals(checkRequestLimits(withHeaders(88), maxHeaderCount), undefined);
  assertEquals(checkRequestLimits(withHeaders(89), maxHeaderCount)?.status, 431);
});

/** One response read off a connection: status code, headers (names lower-cased) and body. */
interface Reply {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

/** Reads one response from `conn`; `reader` keeps bytes that arrived past it. */
class ReplyReader {
  #conn: Deno.Conn;
  #pending = new Uint8Array(0);

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  async #more(): Promise<boolean> {
    const buffer = new Uint8Array(65536);
    const n = await this.#conn.read(buffer);
    if (n === null) return false;
    const joined = new Uint8Array(this.#pending.length + n);
    joined.set(this.#pending);
    joined.set(buffer.subarray(0, n), this.#pending.length);
    this.#pending = joined;
    return true;
  }

  async next(): Promise<Reply> {
    const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);
    let end;
    while ((end = latin1(this.#pending).indexOf("\r\n\r\n")) < 0) {
      if (!await this.#more()) throw new Error("Connection closed before a response head");
    }
    const [statusLine, ...lines] = latin1(this.#pending.subarray(0, end)).split("\r\n");
    const headers = lines.map((line) => {
      const colon = line.indexOf(":");
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const;
    });
    const length = Number(headers.find(([name]) => name === "content-length")?.[1] ?? 0);
    while (this.#pending.length < end + 4 + length) {
      if (!await this.#more()) break;
    }
    const body = latin1(this.#pending.subarray(end + 4, end + 4 + length));
    this.#pending = this.#pending.slice(end + 4 + length);
    return { status: Number(statusLine.split(" ")[1]), headers, body };
  }
}

/** Sends `raw` on a new connection and reads the response. */
async function exchange(port: number, raw: string): Promise<Reply> {
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(raw));
  return await new ReplyReader(conn).next();
}

/**
 * What a client can tell apart, without what is known to differ: the reason phrase and
 * HTTP version of the status line (Deno.serve's own), Date, and the `Server: BaseHTTP/0.6
 * Python/3.11` of Python's error page. Over HTTP/1.0, Deno.serve adds its own
 * `Connection: keep-alive` beside swiftd's, so repeated Connection values count once.
 */
function comparable(reply: Reply) {
  const values = (name: string) => [
    ...new Set(reply.headers.filter(([n]) => n === name).map(([, v]) => v.toLowerCase())),
  ];
  return {
    status: reply.status,
    connection: values("connection"),
    contentType: values("content-type"),
    body: reply.body,
  };
}

function request(options: { target?: string; headers?: string[]; version?: string } = {}) {
  const { target = "/healthcheck", headers = [], version = "HTTP/1.1" } = options;
  return `GET ${target} ${version}\r\nHost: h\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n`;
}

/** `count` header lines in all, Host included. */
function headerLines(count: number): string[] {
  return Array.from({ length: count - 1 }, (_, i) => `X-H${i}: v`);
}

/** Starts the eventlet oracle on `swiftDir`; resolves with its port and a disposer. */
async function startOracle(swiftDir: string) {
  const child = new Deno.Command(SWIFT_PYTHON, {
    args: [new URL("./_limits_oracle.py", import.meta.url).pathname, swiftDir],
    env: { PYTHONDONTWRITEBYTECODE: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  // The first line is the port; nothing follows it, so the pipe is then let go.
  let text = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel();
  assert(text.includes("\n"), "the eventlet oracle exited before printing its port");
  return {
    port: Number(text.trim()),
    async [Symbol.asyncDispose]() {
      child.kill("SIGKILL");
      await child.status;
    },
  };
}

const READY = /serving on 127\.0\.0\.1:\d+ with/;

/** swiftd's object-server (mem_object behind healthcheck) on `swiftDir`, one worker. */
async function startSwiftdOn(dir: string, swiftDir: string) {
  const port = freePort();
  const conf = memObjectConf(port, `${dir}/run`, `swift_dir = ${swiftDir}`)
    .replace("workers = 2", "workers = 1");
  const swiftd = startSwiftd(["object-server", writeFile(dir, "object-server.conf", conf)]);
  await swiftd.waitForLine(READY);
  return { port, swiftd };
}

Deno.test("swiftd answers over-limit requests and Connection: keep-alive as eventlet with Swift's settings does", async () => {
  await using dir = await makeTempDir("limits");
  // max_meta_count = 20 makes MAX_HEADER_COUNT 56 and the limit 88 lines, below the 128 that
  // Deno.serve itself refuses beyond, so the 431 can be compared.
  writeFile(
    dir.path,
    "swift.conf",
    "[swift-hash]\nswift_hash_path_suffix = limits\n\n[swift-constraints]\nmax_meta_count = 20\n",
  );
  await using oracle = await startOracle(dir.path);
  const { port, swiftd } = await startSwiftdOn(dir.path, dir.path);
  await using _swiftd = swiftd;

  // "GET " + target + " HTTP/1.1\r\n" is 8191 or 8192 bytes; "X-Big: " + value + "\r\n" too.
  const paddedTarget = (length: number) =>
    "/healthcheck?" + "a".repeat(length - 3 - 12 - "/healthcheck?".length);
  const bigHeader = (length: number) => `X-Big: ${"b".repeat(length - 5 - 4)}`;
  const cases: Record<string, string> = {
    "request line of 8191 bytes": request({ target: paddedTarget(8191) }),
    "request line of 8192 bytes": request({ target: paddedTarget(8192) }),
    "header line of 8191 bytes": request({ headers: [bigHeader(8191)] }),
    "header line of 8192 bytes": request({ headers: [bigHeader(8192)] }),
    "88 header lines": request({ headers: headerLines(88) }),
    "89 header lines": request({ headers: headerLines(89) }),
    "HTTP/1.1 without Connection": request(),
    "HTTP/1.1 Connection: keep-alive": request({ headers: ["Connection: keep-alive"] }),
    "HTTP/1.1 Connection: Keep-Alive": request({ headers: ["Connection: Keep-Alive"] }),
    "HTTP/1.1 Connection: close": request({ headers: ["Connection: close"] }),
    "HTTP/1.0 Connection: keep-alive": request({
      version: "HTTP/1.0",
      headers: ["Connection: keep-alive"],
    }),
  };
  for (const [name, raw] of Object.entries(cases)) {
    const expected = comparable(await exchange(oracle.port, raw));
    const actual = comparable(await exchange(port, raw));
    assertEquals(actual, expected, name);
  }
  const refused = await exchange(port, request({ headers: headerLines(89) }));
  assertMatch(refused.body, /got more than 89 headers/);
});

Deno.test("swiftd keeps a connection it answered with Connection: keep-alive open", async () => {
  await using dir = await makeTempDir("keep-alive");
  const { port, swiftd } = await startSwiftdOn(dir.path, dir.path);
  await using _swiftd = swiftd;
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const replies = new ReplyReader(conn);
  const raw = new TextEncoder().encode(request({ headers: ["Connection: keep-alive"] }));
  for (let i = 0; i < 2; i++) {
    await conn.write(raw);
    const reply = await replies.next();
    assertEquals([reply.status, reply.body], [200, "OK"]);
    assertEquals(comparable(reply).connection, ["keep-alive"]);
  }
});

Deno.test("swiftd serves 128 header lines with swift.conf's defaults; Deno.serve refuses 129 itself", async () => {
  await using dir = await makeTempDir("limits-default");
  // No swift.conf in swift_dir: Swift's default constraints, a limit of 200 lines.
  const { port, swiftd } = await startSwiftdOn(dir.path, dir.path);
  await using _swiftd = swiftd;
  assertEquals((await exchange(port, request({ headers: headerLines(128) }))).status, 200);
  assertEquals((await exchange(port, request({ headers: headerLines(129) }))).status, 400);
});
