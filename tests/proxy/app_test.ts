import { assertEquals } from "@std/assert";
import { startCluster } from "./_cluster.ts";

Deno.test("the proxy creates a container, stores an object and reads it back", async () => {
  await using cluster = await startCluster({ proxy: { account_autocreate: "true" } });
  let r = await cluster.fetch("PUT", "/v1/AUTH_test/c1");
  assertEquals([r.status, await r.text()], [201, ""]);
  r = await cluster.fetch("PUT", "/v1/AUTH_test/c1/o1", {
    body: new TextEncoder().encode("hello world"),
    headers: { "Content-Type": "text/plain" },
  });
  assertEquals(r.status, 201, await r.text());
  r = await cluster.fetch("GET", "/v1/AUTH_test/c1/o1");
  assertEquals([r.status, await r.text()], [200, "hello world"]);
  r = await cluster.fetch("GET", "/v1/AUTH_test/c1?format=json");
  const listing = await r.json();
  assertEquals(listing.map((o: { name: string }) => o.name), ["o1"]);
});
