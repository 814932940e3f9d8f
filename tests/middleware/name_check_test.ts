/**
 * egg:swift#name_check: unit tests per check, a raw-HTTP test for "." and ".." segments (a
 * Request built in a test would resolve them), and the same requests against Swift 2.30's
 * name_check (_filter_oracle.py).
 */
import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { BaseHandler, Logger, type LogRecord } from "@std/log";
import { SwiftLogger } from "../../lib/log/logger.ts";
import { ConfigError } from "../../lib/config/errors.ts";
import { NAME_CHECK_FILTER } from "../../lib/config/options/name_check.ts";
import { nameCheckFilter, nameCheckInfo } from "../../lib/middleware/name_check.ts";
import {
  assertSameAsSwift,
  contextOf,
  FakeBackend,
  type FilterCase,
  serve,
  stageOf,
} from "./_filter_oracle.ts";

function filterOf(conf: Record<string, string> = {}) {
  return nameCheckFilter(stageOf(NAME_CHECK_FILTER, conf));
}

async function answer(path: string, conf: Record<string, string> = {}) {
  const response = await serve(filterOf(conf), new Request(`http://localhost${path}`));
  return { status: response.status, body: await response.text() };
}

Deno.test("nameCheckFilter() passes an ordinary object path to the next handler", async () => {
  const backend = new FakeBackend();
  const response = await serve(filterOf(), new Request("http://localhost/v1/a/c/o"), {
    next: backend.handler,
  });
  assertEquals(response.status, 200);
  await response.body?.cancel();
  assertEquals(backend.calls.map((c) => c[1]), ["/v1/a/c/o"]);
});

Deno.test("nameCheckFilter() refuses a decoded forbidden character naming the set", async () => {
  assertEquals(await answer("/v1/a/c/o%27x"), {
    status: 400,
    body: "Object/Container/Account name contains forbidden chars from '\"`<>",
  });
  assertEquals((await answer("/v1/a/c/%3Cb%3E")).status, 400);
});

Deno.test("nameCheckFilter() counts the length of the decoded path in bytes", async () => {
  const ok = `/v1/a/c/${"x".repeat(255 - 8)}`;
  assertEquals((await answer(ok)).status, 200);
  assertEquals(await answer(`${ok}x`), {
    status: 400,
    body: "Object/Container/Account name longer than the allowed maximum 255",
  });
  // "é" is two bytes of UTF-8: 124 of them after "/v1/a/c/" make 256 bytes.
  assertEquals((await answer(`/v1/a/c/${"%C3%A9".repeat(124)}`)).status, 400);
  assertEquals((await answer("/v1/a/c/o", { maximum_length: "8" })).status, 400);
});

Deno.test("nameCheckFilter() reports forbidden chars before length and regexp", async () => {
  const { body } = await answer(`/v1/a/c/%22${"x".repeat(300)}`);
  assertStringIncludes(body, "forbidden chars");
});

Deno.test("nameCheckFilter() matches forbidden_regexp as Python does, $ before a final newline", async () => {
  assertEquals(await answer("/v1/a/c/.%0A"), {
    status: 400,
    body: "Object/Container/Account name contains a forbidden substring from regular " +
      "expression /\\./|/\\.\\./|/\\.$|/\\.\\.$",
  });
  assertEquals((await answer("/v1/a/c/.x")).status, 200);
  assertEquals((await answer("/v1/a/c/.x", { forbidden_regexp: "" })).status, 200);
  assertEquals((await answer("/v1/a/zz/zz", { forbidden_regexp: "(?P<z>z+)/(?P=z)" })).status, 400);
});

Deno.test("nameCheckFilter() refuses . and .. segments exactly as the client sent them", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => serve(filterOf(), req),
  );
  try {
    for (const path of ["/v1/a/./o", "/v1/a/c/..", "/v1/a/../c/o"]) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
      await conn.write(
        new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      );
      const raw = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
      assertStringIncludes(raw, "HTTP/1.1 400 Bad Request", path);
      assertStringIncludes(raw, "forbidden substring", path);
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("nameCheckFilter() logs the path and the forbidden characters at DEBUG", async () => {
  const messages: string[] = [];
  const capture = new class extends BaseHandler {
    override handle(record: LogRecord): void {
      messages.push(record.msg);
    }
    log(): void {}
  }("DEBUG");
  const ctx = contextOf();
  ctx.logger = new SwiftLogger(new Logger("nc", "DEBUG", { handlers: [capture] }), "nc", 0);
  const response = await serve(filterOf(), new Request("http://localhost/v1/a/c/%C3%A9"), { ctx });
  await response.body?.cancel();
  assertEquals(messages, [
    "name_check: path /v1/a/c/%C3%A9",
    "name_check: self.forbidden_chars '\"`<>",
    "name_check: path /v1/a/c/%C3%A9",
    "name_check: self.forbidden_regexp /\\./|/\\.\\./|/\\.$|/\\.\\.$",
  ]);
});

Deno.test("nameCheckInfo() publishes the settings as Swift registers them", () => {
  const options = stageOf(NAME_CHECK_FILTER, { forbidden_regexp: "" }).options;
  assertEquals(nameCheckInfo(options as Parameters<typeof nameCheckInfo>[0]), {
    forbidden_chars: "'\"`<>",
    maximum_length: 255,
    forbidden_regexp: "",
  });
});

Deno.test("NAME_CHECK_FILTER refuses a forbidden_regexp that does not compile", () => {
  assertThrows(() => stageOf(NAME_CHECK_FILTER, { forbidden_regexp: "(" }), ConfigError);
});

const CASES: FilterCase[] = [
  { filter: "name_check", path: "/v1/a/c/o" },
  { filter: "name_check", path: "/v1/a/c/o%27" },
  { filter: "name_check", path: "/v1/a/c/o%22" },
  { filter: "name_check", path: "/v1/a/c/o%60" },
  { filter: "name_check", path: "/v1/a/c/%3C" },
  { filter: "name_check", path: "/v1/a/c/%3E", method: "PUT", body: "x" },
  { filter: "name_check", path: "/v1/a/c/o%27", method: "HEAD" },
  { filter: "name_check", path: `/v1/a/c/${"x".repeat(247)}` },
  { filter: "name_check", path: `/v1/a/c/${"x".repeat(248)}` },
  { filter: "name_check", path: `/v1/a/c/${"%C3%A9".repeat(123)}x` },
  { filter: "name_check", path: `/v1/a/c/${"%C3%A9".repeat(124)}` },
  { filter: "name_check", path: `/v1/a/c/%22${"x".repeat(300)}` },
  { filter: "name_check", path: "/v1/a/c/.%0A" },
  { filter: "name_check", path: "/v1/a/c/..%0A" },
  { filter: "name_check", path: "/v1/a/c/.x/" },
  { filter: "name_check", path: "/v1/a/c/o?x=%27" },
  { filter: "name_check", conf: { forbidden_chars: "ab" }, path: "/v1/x/c/o%27" },
  { filter: "name_check", conf: { forbidden_chars: "ab" }, path: "/v1/a/c/o" },
  { filter: "name_check", conf: { forbidden_chars: "é" }, path: "/v1/x/c/%C3%A9" },
  { filter: "name_check", conf: { forbidden_chars: "é" }, path: "/v1/x/c/%E9" },
  { filter: "name_check", conf: { maximum_length: "10" }, path: "/v1/a/c/o1" },
  { filter: "name_check", conf: { maximum_length: "10" }, path: "/v1/a/c/o12" },
  { filter: "name_check", conf: { maximum_length: "-1" }, path: "/" },
  { filter: "name_check", conf: { forbidden_regexp: "" }, path: "/v1/a/c/.%0A" },
  { filter: "name_check", conf: { forbidden_regexp: "\\Av2" }, path: "/v2/a" },
  { filter: "name_check", conf: { forbidden_regexp: "\\A/v2" }, path: "/v2/a" },
  { filter: "name_check", conf: { forbidden_regexp: "o\\Z" }, path: "/v1/a/c/o%0A" },
  { filter: "name_check", conf: { forbidden_regexp: "o$" }, path: "/v1/a/c/o%0A" },
  { filter: "name_check", conf: { forbidden_regexp: "[]x]" }, path: "/v1/a/c/]" },
  { filter: "name_check", conf: { forbidden_regexp: "(?P<z>z+)/(?P=z)" }, path: "/v1/a/zz/zz" },
  { filter: "name_check", conf: { forbidden_regexp: "(?P<z>z+)/(?P=z)" }, path: "/v1/a/zz/z" },
];

Deno.test("nameCheckFilter() answers every request as Swift 2.30's name_check", async () => {
  const swift = await assertSameAsSwift(CASES, (c) => filterOf(c.conf));
  for (const [i, c] of CASES.entries()) {
    const options = stageOf(NAME_CHECK_FILTER, c.conf).options;
    assertEquals(
      nameCheckInfo(options as Parameters<typeof nameCheckInfo>[0]),
      swift[i].swift_info,
    );
  }
});
