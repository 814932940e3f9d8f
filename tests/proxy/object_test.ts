import { assertEquals, assertMatch } from "@std/assert";
import { testContext } from "../object/_server.ts";
import { startCluster, type TestCluster } from "./_cluster.ts";

const encoder = new TextEncoder();

async function withContainer(cluster: TestCluster): Promise<void> {
  const r = await cluster.fetch("PUT", "/v1/AUTH_o/c");
  assertEquals(r.status, 201);
  await r.body?.cancel();
}

Deno.test("object PUT checks the ETag, size, names and guesses the Content-Type", async () => {
  await using cluster = await startCluster({ proxy: { account_autocreate: "true" } });
  await withContainer(cluster);
  const body = encoder.encode("abc");
  let r = await cluster.fetch("PUT", "/v1/AUTH_o/c/a.json", {
    body,
    headers: { ETag: "900150983cd24fb0d6963f7d28e17f72" },
  });
  assertEquals(r.status, 201);
  assertEquals(r.headers.get("ETag"), "900150983cd24fb0d6963f7d28e17f72");
  assertMatch(r.headers.get("Last-Modified") ?? "", /GMT$/);
  r = await cluster.fetch("HEAD", "/v1/AUTH_o/c/a.json");
  assertEquals(r.headers.get("Content-Type"), "application/json");
  assertEquals(r.headers.get("Content-Length"), "3");
  r = await cluster.fetch("PUT", "/v1/AUTH_o/c/b", { body, headers: { ETag: "nope" } });
  assertEquals(r.status, 422);
  await r.body?.cancel();
  r = await cluster.fetch("PUT", `/v1/AUTH_o/c/${"n".repeat(1025)}`, { body });
  assertEquals([r.status, await r.text()], [400, "Object name length of 1025 longer than 1024"]);
  r = await cluster.fetch("PUT", "/v1/AUTH_o/c/d", {
    body,
    headers: { "Content-Type": "text/plain;swift_bytes=3" },
  });
  assertEquals([r.status, await r.text()], [
    400,
    "Invalid Content-Type, swift_* is not a valid parameter name.",
  ]);
  r = await cluster.fetch("PUT", "/v1/AUTH_o/c/e", {
    body,
    headers: { "If-None-Match": "abc" },
  });
  assertEquals([r.status, await r.text()], [400, "If-None-Match only supports *"]);
  r = await cluster.fetch("PUT", "/v1/AUTH_o/c/a.json", {
    body,
    headers: { "If-None-Match": "*" },
  });
  assertEquals(r.status, 412);
  await r.body?.cancel();
});

Deno.test("object uploads larger than max_file_size are refused with 413", async () => {
  await using cluster = await startCluster({ proxy: { account_autocreate: "true" } });
  await withContainer(cluster);
  const r = await cluster.fetch("PUT", "/v1/AUTH_o/c/huge", {
    body: new Uint8Array(0),
    headers: { "Content-Length": "0" },
  });
  assertEquals(r.status, 201);
  // Content-Length above the limit is refused before any byte is read.
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: cluster.proxy.port });
  await conn.write(encoder.encode(
    "PUT /v1/AUTH_o/c/huge HTTP/1.1\r\nHost: x\r\nContent-Length: 5368709123\r\n" +
      "Expect: 100-continue\r\nConnection: close\r\n\r\n",
  ));
  // Deno's server may send "100 Continue" first; the final answer follows without any body.
  let answer = "";
  const buf = new Uint8Array(4096);
  while (!/HTTP\/1\.1 [2-5]\d\d/.test(answer)) {
    const n = await conn.read(buf);
    if (n === null) break;
    answer += new TextDecoder().decode(buf.subarray(0, n));
  }
  conn.close();
  assertMatch(answer, /HTTP\/1\.1 413/);
});

Deno.test("ranges, conditional headers and chunked uploads pass through to the object servers", async () => {
  await using cluster = await startCluster({ proxy: { account_autocreate: "true" } });
  await withContainer(cluster);
  const chunks = ["hello ", "chunked ", "world"];
  const stream = ReadableStream.from(chunks.map((c) => encoder.encode(c)));
  let r = await cluster.fetch("PUT", "/v1/AUTH_o/c/ch", { body: stream });
  assertEquals(r.status, 201);
  r = await cluster.fetch("GET", "/v1/AUTH_o/c/ch", { headers: { Range: "bytes=6-12" } });
  assertEquals([r.status, await r.text()], [206, "chunked"]);
  assertEquals(r.headers.get("Content-Range"), "bytes 6-12/19");
  const etag = r.headers.get("ETag")!;
  r = await cluster.fetch("GET", "/v1/AUTH_o/c/ch", { headers: { "If-None-Match": etag } });
  assertEquals(r.status, 304);
  await r.body?.cancel();
  r = await cluster.fetch("POST", "/v1/AUTH_o/c/ch", {
    headers: { "X-Object-Meta-Color": "red", "X-Delete-After": "3600" },
  });
  assertEquals(r.status, 202);
  await r.body?.cancel();
  r = await cluster.fetch("HEAD", "/v1/AUTH_o/c/ch");
  assertEquals(r.headers.get("X-Object-Meta-Color"), "red");
  assertMatch(r.headers.get("X-Delete-At") ?? "", /^\d{10}$/);
  r = await cluster.fetch("POST", "/v1/AUTH_o/c/ch", { headers: { "X-Delete-At": "1" } });
  assertEquals([r.status, await r.text()], [400, "X-Delete-At in past"]);
  r = await cluster.fetch("DELETE", "/v1/AUTH_o/c/ch");
  assertEquals(r.status, 204);
  r = await cluster.fetch("DELETE", "/v1/AUTH_o/c/ch");
  assertEquals(r.status, 404);
  await r.body?.cancel();
  r = await cluster.fetch("GET", "/v1/AUTH_o/nocontainer/x");
  assertEquals(r.status, 404);
  await r.body?.cancel();
});

Deno.test("account and container info go to memcached under Swift's keys and shapes", async () => {
  await using cluster = await startCluster({ proxy: { account_autocreate: "true" } });
  await withContainer(cluster);
  const stored = new Map<string, { value: unknown; time?: number }>();
  const cache = {
    get: (key: string) => Promise.resolve(stored.get(key)?.value ?? null),
    set: (key: string, value: unknown, options: { time?: number } = {}) => {
      stored.set(key, { value, time: options.time });
      return Promise.resolve();
    },
    delete: (key: string) => {
      stored.delete(key);
      return Promise.resolve();
    },
  };
  const ctx = testContext();
  ctx.env["swift.cache"] = cache;
  const r = await cluster.proxy.handler(
    new Request(`${cluster.url}/v1/AUTH_o/c/missing`, { method: "HEAD" }),
    ctx,
  );
  assertEquals(r.status, 404);
  assertEquals([...stored.keys()].sort(), ["account/AUTH_o", "container/AUTH_o/c"]);
  const container = stored.get("container/AUTH_o/c")!;
  assertEquals(container.time, 60);
  assertEquals(Object.keys(container.value as object), [
    "status",
    "read_acl",
    "write_acl",
    "sync_to",
    "sync_key",
    "object_count",
    "bytes",
    "versions",
    "storage_policy",
    "cors",
    "meta",
    "sysmeta",
    "sharding_state",
    "created_at",
    "put_timestamp",
    "delete_timestamp",
    "status_changed_at",
  ]);
  const account = stored.get("account/AUTH_o")!.value as Record<string, unknown>;
  assertEquals(account.status, 204);
  assertEquals(account.container_count, "1");
  assertEquals(account.account_really_exists, true);
  assertEquals(Object.keys(account.storage_policies as object), ["0", "1", "2"]);
});
