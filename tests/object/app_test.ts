import { assertEquals, assertMatch } from "@std/assert";
import { join } from "@std/path";
import { loadServerConfig } from "../../lib/config/load.ts";
import { Level } from "../../lib/log/format.ts";
import { memObjectApp } from "../../lib/object/app.ts";
import { makeTempDir } from "../_helpers/temp_dir.ts";
import { bytes, keepingLogger, type LoggedLine, testContext } from "./_server.ts";

async function buildApp(conf: string) {
  await using dir = await makeTempDir("mem-object");
  const path = join(dir.path, "object-server.conf");
  await Deno.writeTextFile(path, conf);
  const config = loadServerConfig(path, "object-server");
  const cleanups: (() => void | Promise<void>)[] = [];
  const lines: LoggedLine[] = [];
  const handler = memObjectApp(config.app, {
    logger: keepingLogger(lines),
    server: "object-server",
    onClose: (cleanup) => cleanups.push(cleanup),
  });
  return { handler, cleanups, lines };
}

const CONF = `[DEFAULT]
bind_port = 6200

[pipeline:main]
pipeline = object-server

[app:object-server]
use = egg:swift#mem_object
`;

Deno.test("egg:swift#mem_object serves objects from memory and logs access lines", async () => {
  const { handler, cleanups } = await buildApp(CONF);
  const lines: LoggedLine[] = [];
  const put = await handler(
    new Request("http://127.0.0.1:6200/sda1/0/a/c/o", {
      method: "PUT",
      headers: { "X-Timestamp": "1700000000", "Content-Type": "a/b", "Content-Length": "2" },
      body: bytes("hi"),
    }),
    testContext(lines),
  );
  assertEquals(put.status, 201);
  const get = await handler(new Request("http://127.0.0.1:6200/sda1/0/a/c/o"), testContext(lines));
  assertEquals(await get.text(), "hi");
  assertEquals(lines.map((l) => l.level), [Level.INFO, Level.INFO]);
  assertMatch(lines[1].message, /"GET \/sda1\/0\/a\/c\/o" 200 2 /);
  for (const cleanup of cleanups) await cleanup();
});

Deno.test("egg:swift#mem_object reads its options: allowed_headers and log_requests", async () => {
  const { handler } = await buildApp(
    CONF + "allowed_headers = x-color, etag\nlog_requests = no\n",
  );
  const lines: LoggedLine[] = [];
  await handler(
    new Request("http://127.0.0.1:6200/sda1/0/a/c/o", {
      method: "PUT",
      headers: {
        "X-Timestamp": "1700000000",
        "Content-Type": "a/b",
        "Content-Length": "0",
        "X-Color": "blue",
        "Cache-Control": "no-store",
      },
    }),
    testContext(lines),
  );
  const head = await handler(
    new Request("http://127.0.0.1:6200/sda1/0/a/c/o", { method: "HEAD" }),
    testContext(lines),
  );
  assertEquals(head.headers.get("X-Color"), "blue");
  assertEquals(head.headers.get("Cache-Control"), null);
  assertEquals(lines, []);
});
