/**
 * egg:swift#gatekeeper against Swift 2.30's own gatekeeper (_gatekeeper_oracle.py): the same
 * request and response headers must leave the same headers on each side and the same debug
 * lines. Headers are listed in the order Fetch iterates them (sorted, lower-cased), so both
 * sides see them in the same order.
 */
import { assertEquals } from "@std/assert";
import { BaseHandler, Logger, type LogRecord } from "@std/log";
import { fromFileUrl } from "@std/path";
import { parseOptions, type StageConfig } from "../../lib/config/load.ts";
import { GATEKEEPER_FILTER } from "../../lib/config/options/gatekeeper.ts";
import { SwiftLogger } from "../../lib/log/logger.ts";
import type { Handler } from "../../lib/middleware/compose.ts";
import { gatekeeperFilter, relativePath } from "../../lib/middleware/gatekeeper.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { runPythonJson } from "../_helpers/python.ts";
import { SeededRandom } from "../_helpers/random.ts";

const ORACLE = fromFileUrl(new URL("./_gatekeeper_oracle.py", import.meta.url));

interface Case {
  readonly conf: Record<string, string>;
  readonly headers: [string, string][];
  readonly leave_relative_location?: boolean;
  readonly response: [string, string][];
}

type Answer =
  | { seen: [string, string][]; headers: [string, string][]; logs: string[] }
  | { error: string; logs: string[] };

class CaptureHandler extends BaseHandler {
  readonly messages: string[] = [];
  override handle(record: LogRecord): void {
    this.messages.push(record.msg);
  }
  log(): void {}
}

function stageOf(conf: Record<string, string>): StageConfig {
  const entries = new Map(Object.entries(conf).map(([key, value]) => [key, { value }]));
  return {
    kind: "filter",
    name: "gatekeeper",
    section: "filter:gatekeeper",
    entryPoint: "gatekeeper",
    conf: entries,
    options: parseOptions(GATEKEEPER_FILTER, entries, { file: "test.conf" }, () => {}),
    origin: { file: "test.conf" },
  };
}

/** Swift's names for the headers a handler got: "x_foo-bar" is X-Foo-Bar in the environ. */
function environItems(headers: Headers): [string, string][] {
  return [...headers].map(([k, v]) => [
    k.replaceAll("_", "-").replace(/(^|[^a-z])([a-z])/g, (_, b, c) => b + c.toUpperCase()),
    v,
  ]);
}

const byName = (a: [string, string], b: [string, string]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1;

/** What swiftd's gatekeeper does with `spec`. */
async function swiftd(spec: Case): Promise<Answer> {
  const capture = new CaptureHandler("DEBUG");
  const logger = new SwiftLogger(new Logger("gk", "DEBUG", { handlers: [capture] }), "gk", 0);
  let seen: [string, string][] = [];
  const app: Handler = (req, ctx) => {
    seen = environItems(req.headers);
    if (spec.leave_relative_location) ctx.env["swift.leave_relative_location"] = true;
    return Promise.resolve(new Response(null, { headers: spec.response }));
  };
  const handler = gatekeeperFilter(stageOf(spec.conf), {
    logger,
    server: "proxy-server",
    onClose: () => {},
  })(app);
  const ctx = newRequestContext(logger, { transport: "tcp", hostname: "127.0.0.1", port: 1 });
  try {
    const response = await handler(
      new Request("http://localhost/v1/a/c/o", { headers: spec.headers }),
      ctx,
    );
    return {
      seen,
      headers: [...response.headers].map(([k, v]) => [k, v]),
      logs: capture.messages,
    };
  } catch (err) {
    return { error: (err as Error).name, logs: capture.messages };
  }
}

/** Lower-cases names and sorts, for lists whose order and case Fetch does not keep. */
function normalized(answer: Answer): Answer {
  if ("error" in answer) return { error: "raised", logs: answer.logs };
  return {
    seen: [...answer.seen].sort(byName),
    headers: answer.headers.map(([k, v]): [string, string] => [k.toLowerCase(), v]).sort(byName),
    logs: answer.logs,
  };
}

/** Sorts headers the way Fetch iterates them (by lower-cased name). */
function fetchOrder(headers: [string, string][]): [string, string][] {
  return [...headers].sort((a, b) => byName([a[0].toLowerCase(), ""], [b[0].toLowerCase(), ""]));
}

const REQUEST_NAMES = [
  "X-Backend-Storage-Policy-Index",
  "x_backend_use_replication_network",
  "X-Backendish",
  "X-Account-Sysmeta-Quota",
  "X-Container-Sysmeta-Versions",
  "X-Object-Sysmeta-Crypto-Meta",
  "X-Object-Transient-Sysmeta-Crypto",
  "X-Account-Host",
  "X-Account-Hosts",
  "X-Account-Partition",
  "X-Container-Device",
  "X-Container-Root-Db-State",
  "X-Container-Root-Db-States",
  "X-Delete-At-Container",
  "X-Delete-At",
  "X-Timestamp",
  "X-Allow-Reserved-Names",
  "X-Backend-Inbound-X-Timestamp",
  "X-Object-Meta-Sysmeta-Color",
  "X-Sysmeta-Foo",
  "X-Auth-Token",
  "Content-Type",
  // (Header names are ASCII tokens: Deno.serve refuses anything else before Swift could see it.)
  "X-Object-Meta-Ascii-9x",
];

const RESPONSE_NAMES = [
  "X-Backend-Storage-Policy-Index",
  "X-Backend-Timestamp",
  "X_Backend_Kept",
  "X-Object-Sysmeta-Slo-Etag",
  "X-Object-Transient-Sysmeta-Foo",
  "X-Container-Partition",
  "X-Delete-At",
  "X-Object-Meta-Color",
  "Etag",
  "Location",
];

const LOCATIONS = [
  "http://proxy:8080/v1/a/c/o?multipart-manifest=get#frag",
  "/v1/a/c/o",
  "https://h/p;params?q=1",
  "//netloc/only/path",
  "http://[::1]:8080/p?",
  "http://h",
  "mailto:someone@example.com",
  "http://h/with\ttab?x",
  "1http://not-a-scheme/p",
];

function generatedCases(count: number): Case[] {
  const rng = new SeededRandom(20240611);
  const values = ["1", "1700000000.12345", "yes", "caf\u00c3\u00a9", "a, b", ""];
  return Array.from({ length: count }, () => {
    const requestNames = rng.shuffle(REQUEST_NAMES).slice(0, rng.int(0, 8));
    const responseNames = rng.shuffle(RESPONSE_NAMES).slice(0, rng.int(0, 6));
    return {
      conf: {
        shunt_inbound_x_timestamp: rng.pick(["true", "false", "yes", "0"]),
        allow_reserved_names_header: rng.pick(["true", "false", "on"]),
      },
      headers: fetchOrder(requestNames.map((n) => [n, rng.pick(values)])),
      leave_relative_location: rng.chance(0.5),
      response: fetchOrder(
        responseNames.map((n) => [n, n === "Location" ? rng.pick(LOCATIONS) : rng.pick(values)]),
      ),
    };
  });
}

const HAND_CASES: Case[] = [
  // Defaults: X-Timestamp shunted, X-Allow-Reserved-Names passed on as it is.
  {
    conf: {},
    headers: [["X-Allow-Reserved-Names", "true"], ["X-Timestamp", "1.5"]],
    response: [],
  },
  // Underscores spell the same environ key, so they are stripped and shunted too.
  {
    conf: { allow_reserved_names_header: "true" },
    headers: [["x_allow_reserved_names", "1"], ["x_backend_foo", "v"], ["x_timestamp", "2"]],
    response: [],
  },
  // A client's own X-Backend-Inbound-X-Timestamp never survives.
  {
    conf: {},
    headers: [["X-Backend-Inbound-X-Timestamp", "9"], ["X-Timestamp", "1"]],
    response: [],
  },
  {
    conf: { shunt_inbound_x_timestamp: "false" },
    headers: [["X-Backend-Inbound-X-Timestamp", "9"], ["X-Timestamp", "1"]],
    response: [],
  },
  // Locations are left alone unless swift.leave_relative_location is set.
  { conf: {}, headers: [], response: [["Location", "http://h/v1/a?x#y"]] },
  {
    conf: {},
    headers: [],
    leave_relative_location: true,
    response: [["Location", "http://h/v1/a?x#y"], ["X-Backend-Foo", "1"]],
  },
  // A malformed bracketed host makes urlsplit() raise, and the request fail.
  {
    conf: {},
    headers: [],
    leave_relative_location: true,
    response: [["Location", "http://[::1/p"]],
  },
  {
    conf: {},
    headers: [],
    leave_relative_location: true,
    response: [["Location", "http://[1.2.3.4]/p"]],
  },
];

Deno.test("gatekeeper strips, shunts and rewrites headers exactly as Swift's gatekeeper", async () => {
  const cases = [...HAND_CASES, ...generatedCases(300)];
  const spec = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(spec, JSON.stringify(cases));
    const expected = await runPythonJson(ORACLE, [spec]) as Answer[];
    for (const [i, c] of cases.entries()) {
      assertEquals(
        normalized(await swiftd(c)),
        normalized(expected[i]),
        `case ${i}: ${JSON.stringify(c)}`,
      );
    }
  } finally {
    await Deno.remove(spec);
  }
});

Deno.test("relativePath() keeps path, query and fragment as urlsplit() splits them", () => {
  assertEquals(relativePath("http://h:1/a/b?c=d#e"), "/a/b?c=d#e");
  assertEquals(relativePath("http://h/a?#"), "/a");
  assertEquals(relativePath("//h"), "");
});

Deno.test("a request without internal headers reaches the app unchanged", async () => {
  const logger = new SwiftLogger(new Logger("gk", "DEBUG"), "gk", 0);
  const original = new Request("http://localhost/v1/a", { headers: { "X-Object-Meta-A": "1" } });
  let got: Request | undefined;
  const handler = gatekeeperFilter(stageOf({}), { logger, server: "proxy-server", onClose() {} })(
    (req) => {
      got = req;
      return Promise.resolve(new Response("ok"));
    },
  );
  const ctx = newRequestContext(logger, { transport: "tcp", hostname: "127.0.0.1", port: 1 });
  const response = await handler(original, ctx);
  assertEquals(got, original);
  assertEquals(await response.text(), "ok");
});
