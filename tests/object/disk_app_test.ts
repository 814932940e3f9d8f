/**
 * egg:swift#object: the app factory reads object-server.conf and swift_dir/swift.conf and
 * serves objects from the devices directory in Swift's layout.
 */
import { assertEquals, assertMatch, assertThrows } from "@std/assert";
import { join } from "@std/path";
import { ConfigError } from "../../lib/config/errors.ts";
import { loadServerConfig } from "../../lib/config/load.ts";
import { loadPickle } from "../../lib/common/pickle.ts";
import { objectServerApp } from "../../lib/object/disk_app.ts";
import { hashPath } from "../../lib/ring/hash_path.ts";
import { bytes, keepingLogger, type LoggedLine, testContext } from "./_server.ts";
import { shmTempDir, writeSwiftConf } from "./_disk_harness.ts";

function buildApp(dir: string, extra = "") {
  const path = join(dir, "object-server.conf");
  Deno.writeTextFileSync(
    path,
    `[DEFAULT]
bind_port = 6200
devices = ${dir}/node
mount_check = false
swift_dir = ${dir}

[pipeline:main]
pipeline = object-server

[app:object-server]
use = egg:swift#object
${extra}`,
  );
  const config = loadServerConfig(path, "object-server");
  const cleanups: (() => void | Promise<void>)[] = [];
  const lines: LoggedLine[] = [];
  const handler = objectServerApp(config.app, {
    logger: keepingLogger(lines),
    server: "object-server",
    onClose: (cleanup) => cleanups.push(cleanup),
  });
  return { handler, cleanups, lines };
}

Deno.test("egg:swift#object stores objects in Swift's layout under devices, salted by swift.conf", async () => {
  await using dir = await shmTempDir("disk-app");
  const conf = await writeSwiftConf(dir.path);
  await Deno.mkdir(join(dir.path, "node", "sda1"), { recursive: true });
  const { handler, cleanups } = buildApp(dir.path);
  const lines: LoggedLine[] = [];
  const send = (method: string, path: string, init: RequestInit = {}) =>
    handler(new Request(`http://127.0.0.1:6200${path}`, { ...init, method }), testContext(lines));
  const put = await send("PUT", "/sda1/17/a/c/o", {
    headers: { "X-Timestamp": "1795000000.00000", "Content-Type": "a/b", "Content-Length": "2" },
    body: bytes("hi"),
  });
  assertEquals(put.status, 201);
  const hash = hashPath("a", "c", "o", conf.hashPath);
  const data = join(
    dir.path,
    "node/sda1/objects/17",
    hash.slice(-3),
    hash,
    "1795000000.00000.data",
  );
  assertEquals(await Deno.readTextFile(data), "hi");
  const get = await send("GET", "/sda1/17/a/c/o");
  assertEquals(await get.text(), "hi");
  const replicate = await send("REPLICATE", "/sda1/17");
  const hashes = loadPickle(new Uint8Array(await replicate.arrayBuffer())) as Map<string, string>;
  assertEquals([...hashes.keys()], [hash.slice(-3)]);
  assertMatch(lines[1].message, /"GET \/sda1\/17\/a\/c\/o" 200 2 /);
  for (const cleanup of cleanups) await cleanup();
});

Deno.test("egg:swift#object refuses to start without a readable swift.conf, naming it", async () => {
  await using dir = await shmTempDir("disk-app-noconf");
  const error = assertThrows(() => buildApp(dir.path), ConfigError);
  assertMatch(error.message, /swift\.conf/);
});
