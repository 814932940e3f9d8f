import { assertEquals, assertMatch } from "@std/assert";
import { testContext } from "../object/_server.ts";
import { startCluster } from "./_cluster.ts";

Deno.test("the proxy answers Swift's statuses for bad paths, versions and methods", async () => {
  await using cluster = await startCluster({ proxy: { deny_host_headers: "evil.example" } });
  const cases: [string, string, number, string][] = [
    ["GET", "/", 404, "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>"],
    ["GET", "/v1", 412, "Bad URL"],
    ["GET", "/v2/AUTH_test", 400, ""],
    ["GET", "/v1/AUTH_test/c/%FF", 412, "Invalid UTF8 or contains NULL"],
    ["GET", "/v1/AUTH_test/c%00", 412, "Invalid UTF8 or contains NULL"],
    ["COPY", "/v1/AUTH_test/c/o", 405, ""],
    ["PUT", "/v1/AUTH_test", 405, ""],
  ];
  for (const [method, path, status, body] of cases) {
    const r = await cluster.fetch(method, path);
    const text = await r.text();
    assertEquals(r.status, status, `${method} ${path}: ${text}`);
    if (body) assertEquals(text, body, `${method} ${path}`);
  }
  const r = await cluster.fetch("PUT", "/v1/AUTH_test");
  await r.body?.cancel();
  // Every controller publishes OPTIONS, as Swift's base Controller does.
  assertEquals(r.headers.get("Allow"), "GET, HEAD, OPTIONS, POST");
  // fetch() sets Host itself, so the proxy's handler gets this request directly.
  const denied = await cluster.proxy.handler(
    new Request(`${cluster.url}/v1/AUTH_test`, { headers: { Host: "evil.example:8080" } }),
    testContext(),
  );
  assertEquals([denied.status, await denied.text()], [403, "Invalid host header"]);
});

Deno.test("/info shows the swift section and hides disallowed sections", async () => {
  await using cluster = await startCluster({ proxy: { admin_key: "secret" } });
  const r = await cluster.fetch("GET", "/info");
  assertEquals(r.headers.get("Content-Type"), "application/json; charset=UTF-8");
  const info = await r.json();
  assertEquals(info.swift.version, "2.30.1");
  assertEquals(info.swift.policies, [
    { name: "gold", aliases: "gold, yellow", default: true },
    { name: "silver", aliases: "silver" },
  ]);
  assertEquals(info.swift.valid_api_versions, undefined);
  assertEquals(info.swift.max_file_size, 5368709122);
  const expires = Math.floor(Date.now() / 1000) + 60;
  const { infoHmac } = await import("../../lib/proxy/controllers/info.ts");
  const sig = infoHmac("GET", expires, "secret");
  const admin = await cluster.fetch(
    "GET",
    `/info?swiftinfo_sig=${sig}&swiftinfo_expires=${expires}`,
  );
  const adminInfo = await admin.json();
  assertEquals(adminInfo.admin.disallowed_sections, [
    "swift.auto_create_account_prefix",
    "swift.valid_api_versions",
  ]);
  const bad = await cluster.fetch("GET", `/info?swiftinfo_sig=x&swiftinfo_expires=${expires}`);
  assertEquals(bad.status, 401);
  await bad.body?.cancel();
});

Deno.test("a missing account looks empty and real under account_autocreate", async () => {
  await using cluster = await startCluster({ proxy: { account_autocreate: "true" } });
  const r = await cluster.fetch("HEAD", "/v1/AUTH_test");
  // JSON, as the proxy app asks backends for; listing_formats makes it 204 text/plain.
  assertEquals(r.status, 200);
  assertEquals(r.headers.get("X-Backend-Fake-Account-Listing"), "yes");
  assertMatch(r.headers.get("X-Account-Container-Count") ?? "", /^0$/);
});
