/**
 * egg:swift#proxy_logging against Swift 2.30's own (_proxy_logging_oracle.py): the same
 * scripted requests, apps and clients (with time.time() answering the same values on both
 * sides) must give the same access lines, the same statsd datagrams, and the same bytes to
 * the client. Cases are generated over templates, anonymization, header logging, sensitive
 * values, paths, methods, policies, body sizes against Content-Length, failing apps and
 * bodies, and clients that go away.
 */
import { assertEquals, assertThrows } from "@std/assert";
import { BaseHandler, Logger, type LogRecord } from "@std/log";
import { fromFileUrl } from "@std/path";
import { pythonInt } from "../../lib/common/constraints.ts";
import { parseOptions } from "../../lib/config/load.ts";
import { PROXY_LOGGING_FILTER } from "../../lib/config/options/proxy_logging.ts";
import type { TypedConfig } from "../../lib/config/options/option.ts";
import { SwiftLogger } from "../../lib/log/logger.ts";
import { createStatsdClient } from "../../lib/log/statsd.ts";
import { compose, type Filter, type Handler } from "../../lib/middleware/compose.ts";
import {
  proxyLoggingFilter,
  proxyLoggingFilterWith,
  proxyLoggingSettings,
} from "../../lib/middleware/proxy_logging.ts";
import { LogTemplate } from "../../lib/middleware/proxy_logging/log_template.ts";
import {
  formatFloat,
  formatInt,
  formatText,
  parseSpec,
  pyFixed,
} from "../../lib/middleware/proxy_logging/python_text.ts";
import { pythonFloatRepr } from "../../lib/common/python_float_repr.ts";
import { registerSensitiveParam } from "../../lib/middleware/proxy_logging/sensitive.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { HttpError } from "../../lib/server/http_error.ts";
import { runPythonJson } from "../_helpers/python.ts";
import { SeededRandom } from "../_helpers/random.ts";

const ORACLE = fromFileUrl(new URL("./_proxy_logging_oracle.py", import.meta.url));
const PID = 4242;
const POLICIES = [0, 2];
const SENSITIVE_PARAMS = ["temp_url_sig"];

interface AppSpec {
  read: number;
  env: Record<string, string | string[]>;
  raise_before: boolean;
  status: string;
  headers: [string, string][];
  chunks: string[];
  raise_after: number | null;
}

interface Case {
  conf: Record<string, string>;
  clock: number[];
  method: string;
  path: string;
  query: string;
  protocol: string;
  remote_addr: string;
  trans_id: string | null;
  headers: [string, string][];
  input: { chunks: string[]; error_after: number | null };
  app: AppSpec;
  consume: number | null;
  pipeline?: boolean;
}

interface Answer {
  lines: string[];
  datagrams: string[];
  status: number | null;
  body: string;
  error: boolean;
}

class CaptureHandler extends BaseHandler {
  readonly messages: string[] = [];
  override handle(record: LogRecord): void {
    this.messages.push(record.msg);
  }
  log(): void {}
}

const latin1Bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);
const decoder = new TextDecoder();

/** A stream of latin-1 chunks that fails after `errorAfter` of them (when not null). */
function chunkStream(chunks: string[], errorAfter: number | null, what: string) {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (errorAfter !== null && i >= errorAfter) return controller.error(new Error(what));
      if (i < chunks.length) controller.enqueue(latin1Bytes(chunks[i++]));
      else controller.close();
    },
  });
}

function scriptedApp(spec: AppSpec): Handler {
  return async (req, ctx) => {
    if (req.body) {
      const reader = req.body.getReader();
      for (let i = 0; i < spec.read; i++) if ((await reader.read()).done) break;
      reader.releaseLock();
    }
    Object.assign(ctx.env, spec.env);
    if (spec.raise_before) throw new Error("app failed");
    const status = Number(spec.status.slice(0, 3));
    const empty = !spec.chunks.length && spec.raise_after === null;
    return new Response(
      empty || req.method === "HEAD"
        ? null
        : chunkStream(spec.chunks, spec.raise_after, "body failed"),
      { status, statusText: spec.status.slice(4), headers: spec.headers },
    );
  };
}

/** The middleware of Swift's staticweb-like subrequest: a GET with swift.source "SW". */
const subrequestFilter: Filter = (next) => async (req, ctx) => {
  const sub = newRequestContext(ctx.logger, ctx.remoteAddr);
  sub.env["swift.source"] = "SW";
  sub.env["SERVER_PROTOCOL"] = ctx.env["SERVER_PROTOCOL"];
  sub.txnId = ctx.txnId;
  await (await next(new Request("http://localhost/v1/a/c/index.html"), sub)).arrayBuffer();
  return await next(req, ctx);
};

function optionsOf(conf: Record<string, string>): TypedConfig<typeof PROXY_LOGGING_FILTER.options> {
  const entries = new Map(Object.entries(conf).map(([key, value]) => [key, { value }]));
  return parseOptions(
    PROXY_LOGGING_FILTER,
    entries,
    { file: "test.conf" },
    () => {},
  ) as TypedConfig<
    typeof PROXY_LOGGING_FILTER.options
  >;
}

const policyExists = (index: string) => {
  const value = index === "" ? 0n : pythonInt(index);
  return value !== undefined && POLICIES.includes(Number(value));
};

/** What swiftd's filter does with `spec`: its lines, datagrams and what the client got. */
async function swiftd(spec: Case): Promise<Answer> {
  const capture = new CaptureHandler("DEBUG");
  const logger = new SwiftLogger(new Logger("pl", "DEBUG", { handlers: [capture] }), "pl", 0);
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const options = optionsOf(spec.conf);
  const statsd = createStatsdClient({
    log_statsd_host: "127.0.0.1",
    log_statsd_port: (socket.addr as Deno.NetAddr).port,
    log_statsd_metric_prefix: options.access_log_statsd_metric_prefix ??
      options.log_statsd_metric_prefix,
    log_statsd_default_sample_rate: 1,
    log_statsd_sample_rate_factor: 1,
  }, "proxy-server")!;
  const clock = [...spec.clock];
  const settings = {
    ...proxyLoggingSettings(options, policyExists),
    pid: PID,
    now: () => clock.shift()!,
  };
  const logging = proxyLoggingFilterWith(settings, { logger, statsd });
  const filters = spec.pipeline ? [logging, subrequestFilter, logging] : [logging];
  const handler = compose(filters, scriptedApp(spec.app));
  const ctx = newRequestContext(logger, { transport: "tcp", hostname: spec.remote_addr, port: 1 });
  ctx.env["SERVER_PROTOCOL"] = spec.protocol;
  if (spec.trans_id !== null) ctx.txnId = spec.trans_id;
  const hasBody = !["GET", "HEAD"].includes(spec.method);
  const url = `http://localhost${spec.path}${spec.query ? `?${spec.query}` : ""}`;
  const request = new Request(url, {
    method: spec.method,
    headers: spec.headers,
    body: hasBody
      ? chunkStream(spec.input.chunks, spec.input.error_after, "client went away")
      : null,
    duplex: "half",
  } as RequestInit);
  const answer: Answer = { lines: [], datagrams: [], status: null, body: "", error: false };
  try {
    const response = await handler(request, ctx);
    answer.status = response.status;
    if (response.body) {
      const reader = response.body.getReader();
      for (let i = 0;; i++) {
        const { done, value } = await reader.read();
        if (done) break;
        if (spec.consume !== null && i >= spec.consume) {
          await reader.cancel();
          break;
        }
        answer.body += latin1(value);
      }
    }
  } catch {
    answer.error = true;
  } finally {
    statsd.updateStats("sentinel", 1);
    for (;;) {
      const text = decoder.decode((await socket.receive())[0]);
      if (text.endsWith("sentinel:1|c")) break;
      answer.datagrams.push(text);
    }
    statsd.close();
    socket.close();
  }
  answer.lines = capture.messages;
  return answer;
}

const TEMPLATES = [
  undefined,
  "{client_ip} {remote_addr} {end_time.datetime} {method} {path} {protocol} {status_int} " +
  "{referer} {user_agent} {auth_token} {bytes_recvd} {bytes_sent} {client_etag} " +
  "{transaction_id} {headers} {request_time} {source} {log_info} {start_time} {end_time} " +
  "{policy_index} {ttfb} {pid} {wire_status_int}",
  "{domain} {account} {container} {object} {start_time.ms} {end_time.us} {end_time.ns} {end_time.s}",
  "{start_time.iso8601} {end_time.asctime} {start_time.a} {start_time.B} {start_time.j} " +
  "{start_time.U} {start_time.W} {start_time.I}{start_time.p} {start_time.x} {start_time.Z} " +
  "{start_time.time}",
  "{client_ip.anonymized} {path.anonymized} {user_agent.anonymized} {object.anonymized} {{literal}}",
  "{method!r} {source!s} {policy_index!r} {status_int:>5} {path:.12} {method:*^9} {bytes_sent:<6}|",
];

const PATHS = [
  "/v1/a",
  "/v1/AUTH_test/c",
  "/v1/AUTH_test/c/o",
  "/v1/AUTH_test/c/dir/obj/with/slashes",
  "/v1/AUTH_t/c%20d/%E2%98%83",
  "/v1/",
  "/v1//c",
  "/info",
  "/healthcheck",
  "/v1.0/a/c",
];
const QUERIES = [
  "",
  "a=b",
  "temp_url_sig=abcdef0123456789abcdef&temp_url_expires=1&a=1&a=2",
  "multipart-manifest=get&x=%20+y",
  "x=%E2%98%83&flag",
];
const HEADERS: [string, string[]][] = [
  ["X-Auth-Token", ["AUTH_tk0123456789abcdef0123456789", "short"]],
  ["X-Storage-Token", ["AUTH_tk0123456789abcdefXYZ"]],
  ["Referer", ["http://example.com/page?x=1"]],
  ["User-Agent", ["curl/7.88.1", "caf\u00c3\u00a9 agent"]],
  ["Etag", ["d41d8cd98f00b204e9800998ecf8427e"]],
  ["X-Forwarded-For", ["1.1.1.1, 2.2.2.2", ",9.9.9.9"]],
  ["X-Cluster-Client-Ip", ["3.3.3.3"]],
  ["X-Backend-Storage-Policy-Index", ["0", "2", "5", "abc"]],
  ["Host", ["example.com:8080", "[::1]:80", "plain.example"]],
  ["X-Object-Meta-Foo1bar", ["v"]],
  ["Content-Type", ["text/plain"]],
];
const APP_ENVS: Record<string, string | string[]>[] = [
  {},
  {},
  { "swift.source": "SW" },
  { "swift.log_info": ["x-delete-at:1", "b c"] },
  { "swift.backend_path": "/v1/AUTH_x/c/o" },
  { "swift.orig_req_method": "POST" },
  { "HTTP_X_BACKEND_STORAGE_POLICY_INDEX": "2" },
];

function generatedCases(count: number): Case[] {
  const rng = new SeededRandom(424242);
  return Array.from({ length: count }, (): Case => {
    const method = rng.pick([
      "GET",
      "GET",
      "GET",
      "HEAD",
      "PUT",
      "POST",
      "DELETE",
      "COPY",
      "OPTIONS",
      "FOO",
    ]);
    const hasBody = !["GET", "HEAD"].includes(method);
    const inputChunks = hasBody
      ? Array.from({ length: rng.int(0, 3) }, () => "x".repeat(rng.int(1, 9)))
      : [];
    const headers = rng.shuffle(HEADERS).slice(0, rng.int(0, 6))
      .map(([name, values]): [string, string] => [name, rng.pick(values)]);
    if (hasBody && rng.chance(0.5)) {
      headers.push(["Content-Length", String(inputChunks.join("").length)]);
    }
    headers.sort((a, b) => (a[0].toLowerCase() < b[0].toLowerCase() ? -1 : 1));
    const chunks = method === "HEAD" ? [] : Array.from(
      { length: rng.int(0, 4) },
      () => (rng.chance(0.15) ? "" : "b".repeat(rng.int(1, 20))),
    );
    const total = chunks.join("").length;
    const responseHeaders: [string, string][] = [["Content-Type", "text/plain"]];
    const lengthKind = rng.pick(["exact", "exact", "exact", "none", "short", "long"]);
    if (lengthKind !== "none") {
      const delta = lengthKind === "short" ? -1 : lengthKind === "long" ? 3 : 0;
      responseHeaders.push(["Content-Length", String(Math.max(0, total + delta))]);
    }
    if (rng.chance(0.3)) {
      responseHeaders.push(["X-Backend-Storage-Policy-Index", rng.pick(["0", "2", "7"])]);
    }
    const conf: Record<string, string> = {};
    const template = rng.pick(TEMPLATES);
    if (template) conf.log_msg_template = template;
    if (rng.chance(0.3)) conf.log_anonymization_method = rng.pick(["sha256", "SHA1", "md5"]);
    if (rng.chance(0.3)) conf.log_anonymization_salt = "pepper";
    if (rng.chance(0.3)) conf[rng.pick(["access_log_headers", "log_headers"])] = "true";
    if (rng.chance(0.2)) conf.access_log_headers_only = "x-auth-token, user-agent,HOST";
    if (rng.chance(0.2)) conf.reveal_sensitive_prefix = rng.pick(["0", "3", "-2", "40"]);
    if (rng.chance(0.2)) conf.access_log_statsd_valid_http_methods = "GET,put, head";
    if (rng.chance(0.3)) {
      conf[rng.pick(["log_statsd_metric_prefix", "access_log_statsd_metric_prefix"])] = "east";
    }
    let t = 1700000000 + rng.int(0, 10 ** 8) + rng.int(0, 1023) / 1024;
    const clock = Array.from(
      { length: 12 },
      () => (t += rng.pick([0, 1 / 1024, 0.0123456, 1.5, rng.next()])),
    );
    return {
      conf,
      clock,
      method,
      path: rng.pick(PATHS),
      query: rng.pick(QUERIES),
      protocol: rng.pick(["HTTP/1.1", "HTTP/1.0"]),
      remote_addr: rng.pick(["10.0.0.1", "::1", "192.168.1.2"]),
      trans_id: rng.chance(0.8) ? "tx0123456789abcdef01234-0065a1b2c3" : null,
      headers,
      input: {
        chunks: inputChunks,
        error_after: hasBody && rng.chance(0.1) ? rng.int(0, inputChunks.length) : null,
      },
      app: {
        read: hasBody ? rng.int(0, inputChunks.length + 1) : 0,
        env: rng.pick(APP_ENVS),
        raise_before: rng.chance(0.05),
        status: rng.pick([
          "200 OK",
          "200 OK",
          "201 Created",
          "404 Not Found",
          "500 Internal Error",
          "206 Partial Content",
        ]),
        headers: responseHeaders,
        chunks,
        raise_after: chunks.length && rng.chance(0.1) ? rng.int(0, chunks.length) : null,
      },
      consume: chunks.length > 1 && rng.chance(0.1) ? rng.int(0, chunks.length - 2) : null,
      pipeline: rng.chance(0.05),
    };
  });
}

Deno.test("proxy_logging writes Swift's access lines and statsd datagrams for the same requests", async () => {
  for (const name of SENSITIVE_PARAMS) registerSensitiveParam(name);
  const cases = generatedCases(400);
  const spec = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(
      spec,
      JSON.stringify({ sensitive_params: SENSITIVE_PARAMS, policies: POLICIES, cases }),
    );
    const expected = await runPythonJson(ORACLE, [spec]) as Answer[];
    for (const [i, c] of cases.entries()) {
      assertEquals(await swiftd(c), expected[i], `case ${i}: ${JSON.stringify(c)}`);
    }
  } finally {
    await Deno.remove(spec);
  }
});

Deno.test("a template Swift refuses at startup is refused when the filter is built", () => {
  for (
    const template of [
      "{nope}",
      "{}",
      "{0}",
      "{status_int:d}",
      "{ttfb:.3f}",
      "{start_time:>5}",
      "{start_time.q}",
      "{x",
      "}",
    ]
  ) {
    assertThrows(
      () => new LogTemplate(template, { method: "md5", salt: "" }),
      Error,
      "Cannot interpolate log_msg_template",
    );
  }
});

/** A [filter:proxy-logging] stage with `conf`. */
function stageOf(conf: Record<string, string>) {
  const entries = new Map(Object.entries(conf).map(([key, value]) => [key, { value }]));
  return {
    kind: "filter" as const,
    name: "proxy-logging",
    section: "filter:proxy-logging",
    entryPoint: "proxy_logging",
    conf: entries,
    options: parseOptions(PROXY_LOGGING_FILTER, entries, { file: "test.conf" }, () => {}),
    origin: { file: "test.conf" },
  };
}

Deno.test("the factory logs through its own access logger and statsd client, access_log_* first", async () => {
  const syslog = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const metrics = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const cleanups: (() => void | Promise<void>)[] = [];
  const logger = new SwiftLogger(new Logger("pl", "DEBUG"), "pl", 0);
  const filter = proxyLoggingFilter(
    stageOf({
      log_name: "proxy-server",
      access_log_name: "swift-proxy-proxy-logging",
      log_facility: "LOG_LOCAL3",
      access_log_udp_host: "127.0.0.1",
      access_log_udp_port: String((syslog.addr as Deno.NetAddr).port),
      log_statsd_host: "127.0.0.1",
      log_statsd_port: String((metrics.addr as Deno.NetAddr).port),
      access_log_statsd_metric_prefix: "east",
      log_headers: "true",
      access_log_headers: "false",
      log_msg_template: "{method} {path} {status_int} {headers}",
    }),
    { logger, server: "proxy-server", onClose: (c) => cleanups.push(c) },
  );
  try {
    const handler = filter(() => Promise.resolve(new Response("hello")));
    const ctx = newRequestContext(logger, { transport: "tcp", hostname: "10.1.1.1", port: 9 });
    ctx.txnId = "txabc";
    const response = await handler(new Request("http://h/v1/a/c/o", { method: "PUT" }), ctx);
    assertEquals(await response.text(), "hello");
    // LOG_LOCAL3 (19) * 8 + INFO (6); the txn id is appended since the line does not hold it.
    assertEquals(
      decoder.decode((await syslog.receive())[0]),
      "<158>swift-proxy-proxy-logging: PUT /v1/a/c/o 200 - (txn: txabc)\0",
    );
    const timing = decoder.decode((await metrics.receive())[0]);
    assertEquals(
      timing.replace(/:[\d.e+-]+\|/, ":T|"),
      "east.proxy-server.object.PUT.200.timing:T|ms",
    );
    assertEquals(
      decoder.decode((await metrics.receive())[0]),
      "east.proxy-server.object.PUT.200.xfer:5|c",
    );
  } finally {
    for (const cleanup of cleanups) await cleanup();
    syslog.close();
    metrics.close();
  }
});

/** swiftd's filter over `app`, with a fixed clock and the access lines it writes. */
function logged(app: Handler): { handler: Handler; lines: string[] } {
  const capture = new CaptureHandler("DEBUG");
  const logger = new SwiftLogger(new Logger("pl", "DEBUG", { handlers: [capture] }), "pl", 0);
  const options = optionsOf({
    log_msg_template: "{method} {status_int} {bytes_sent} {wire_status_int}",
  });
  const settings = { ...proxyLoggingSettings(options, policyExists), now: () => 1000 };
  return { handler: proxyLoggingFilterWith(settings, { logger })(app), lines: capture.messages };
}

function context() {
  const logger = new SwiftLogger(new Logger("pl", "DEBUG"), "pl", 0);
  return newRequestContext(logger, { transport: "tcp", hostname: "10.1.1.1", port: 9 });
}

Deno.test("a HEAD response's body is dropped, not counted as an error", async () => {
  const { handler, lines } = logged(() =>
    Promise.resolve(new Response("body", { headers: { "Content-Length": "4" } }))
  );
  const response = await handler(new Request("http://h/v1/a", { method: "HEAD" }), context());
  assertEquals(response.body, null);
  assertEquals(response.headers.get("Content-Length"), "4");
  assertEquals(lines, ["HEAD 200 - 200"]);
});

Deno.test("an HttpError thrown downstream is logged as the response it becomes", async () => {
  const { handler, lines } = logged(() => Promise.reject(new HttpError(404, "Not Found")));
  const response = await handler(new Request("http://h/v1/a/c"), context());
  assertEquals(response.status, 404);
  assertEquals(await response.text(), "Not Found");
  assertEquals(lines, ["GET 404 9 404"]);
});

Deno.test("a request already logged by a proxy_logging on the left is not logged again", async () => {
  const { handler, lines } = logged(() => Promise.resolve(new Response("x")));
  const ctx = context();
  ctx.env["swift.proxy_access_log_made"] = true;
  await (await handler(new Request("http://h/v1/a"), ctx)).text();
  assertEquals(lines, []);
});

Deno.test("a client that goes away mid-body over a real socket is logged as 499", async () => {
  const logged = Promise.withResolvers<string>();
  class Resolve extends BaseHandler {
    override handle(record: LogRecord): void {
      logged.resolve(record.msg);
    }
    log(): void {}
  }
  const logger = new SwiftLogger(
    new Logger("pl", "DEBUG", { handlers: [new Resolve("DEBUG")] }),
    "pl",
    0,
  );
  const options = optionsOf({ log_msg_template: "{method} {path} {status_int} {wire_status_int}" });
  const handler = proxyLoggingFilterWith(proxyLoggingSettings(options, policyExists), { logger })(
    () => {
      // An endless body: only the client going away ends it.
      const chunk = new Uint8Array(65536);
      return Promise.resolve(new Response(new ReadableStream({ pull: (c) => c.enqueue(chunk) })));
    },
  );
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (req, info) => handler(req, newRequestContext(logger, info.remoteAddr)),
  );
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await conn.write(new TextEncoder().encode("GET /v1/a/c/big HTTP/1.1\r\nHost: h\r\n\r\n"));
    await conn.read(new Uint8Array(1024));
    conn.close();
    assertEquals(await logged.promise, "GET /v1/a/c/big 499 200");
  } finally {
    await server.shutdown();
  }
});

Deno.test("fixed-point times and format specs come out as Python's % and format() write them", async () => {
  const rng = new SeededRandom(99);
  const floats = [0.03125, 0.5, 2.5, 1 / 1024, 1700000000.0009766, 0.00005, 123.456789, 1e-10];
  for (let i = 0; i < 200; i++) {
    floats.push(rng.next() * 10 ** rng.int(-3, 9), rng.int(0, 2 ** 20) / 2 ** rng.int(1, 30));
  }
  const specs = ["", ">12", "<8", "^9", "*^11", "08", "+", " 6", ",", "_", ".3", "x>4"];
  const ints = [0, 7, -42, 1234567, 200];
  const texts = ["GET", "", "caf\u00e9", "a longer value"];
  const script = await Deno.makeTempFile({ suffix: ".py" });
  try {
    await Deno.writeTextFile(
      script,
      `
import json, sys
spec = json.load(open(sys.argv[1]))
def attempt(f):
    try:
        return f()
    except ValueError:
        return None
print(json.dumps({
  "fixed": [["%.4f" % float(x), "%.9f" % float(x)] for x in spec["floats"]],
  "ints": [[attempt(lambda: format(i, s)) for s in spec["specs"]] for i in spec["ints"]],
  "texts": [[attempt(lambda: format(t, s)) for s in spec["specs"]] for t in spec["texts"]],
  "floats": [[attempt(lambda: format(float(x), s)) for s in ["", ">14", "+", "012"]]
             for x in spec["floats"][:20]],
}))
`,
    );
    const input = await Deno.makeTempFile({ suffix: ".json" });
    await Deno.writeTextFile(input, JSON.stringify({ floats, specs, ints, texts }));
    const expected = await runPythonJson(script, [input]);
    await Deno.remove(input);
    const attempt = (f: () => string) => {
      try {
        return f();
      } catch {
        return null;
      }
    };
    assertEquals({
      fixed: floats.map((x) => [pyFixed(x, 4), pyFixed(x, 9)]),
      ints: ints.map((i) => specs.map((s) => attempt(() => formatInt(i, parseSpec(s))))),
      texts: texts.map((t) => specs.map((s) => attempt(() => formatText(t, parseSpec(s))))),
      floats: floats.slice(0, 20).map((x) =>
        ["", ">14", "+", "012"].map((s) =>
          attempt(() => formatFloat(x, parseSpec(s), pythonFloatRepr))
        )
      ),
    }, expected);
  } finally {
    await Deno.remove(script);
  }
});
