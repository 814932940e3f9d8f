import { assertEquals } from "@std/assert";
import { startCluster } from "./_cluster.ts";

Deno.test("a missing account is 404 without account_autocreate and containers cannot be made", async () => {
  await using cluster = await startCluster();
  let r = await cluster.fetch("HEAD", "/v1/AUTH_none");
  assertEquals(r.status, 404);
  r = await cluster.fetch("PUT", "/v1/AUTH_none/c");
  assertEquals(r.status, 404);
  await r.body?.cancel();
});

Deno.test("container PUT takes X-Storage-Policy by name or alias and refuses unknown or deprecated ones", async () => {
  await using cluster = await startCluster({ proxy: { account_autocreate: "true" } });
  let r = await cluster.fetch("PUT", "/v1/AUTH_a/silver", {
    headers: { "X-Storage-Policy": "SILVER" },
  });
  assertEquals(r.status, 201);
  r = await cluster.fetch("HEAD", "/v1/AUTH_a/silver");
  assertEquals(r.headers.get("X-Storage-Policy"), "silver");
  r = await cluster.fetch("PUT", "/v1/AUTH_a/yellow", {
    headers: { "X-Storage-Policy": "yellow" },
  });
  r = await cluster.fetch("HEAD", "/v1/AUTH_a/yellow");
  assertEquals(r.headers.get("X-Storage-Policy"), "gold");
  r = await cluster.fetch("PUT", "/v1/AUTH_a/x", { headers: { "X-Storage-Policy": "nope" } });
  assertEquals([r.status, await r.text()], [400, "Invalid X-Storage-Policy 'nope'"]);
  r = await cluster.fetch("PUT", "/v1/AUTH_a/x", { headers: { "X-Storage-Policy": "old" } });
  assertEquals([r.status, await r.text()], [400, "Storage Policy 'old' is deprecated"]);
});

Deno.test("account and container metadata round-trip and listings are JSON from the backends", async () => {
  await using cluster = await startCluster({ proxy: { account_autocreate: "true" } });
  let r = await cluster.fetch("POST", "/v1/AUTH_m", {
    headers: { "X-Account-Meta-Color": "blue" },
  });
  assertEquals(r.status, 204);
  r = await cluster.fetch("PUT", "/v1/AUTH_m/c", {
    headers: { "X-Container-Meta-Shape": "round" },
  });
  assertEquals(r.status, 201);
  r = await cluster.fetch("POST", "/v1/AUTH_m/c", { headers: { "X-Container-Meta-Size": "big" } });
  assertEquals(r.status, 204);
  r = await cluster.fetch("HEAD", "/v1/AUTH_m/c");
  assertEquals(r.headers.get("X-Container-Meta-Shape"), "round");
  assertEquals(r.headers.get("X-Container-Meta-Size"), "big");
  r = await cluster.fetch("HEAD", "/v1/AUTH_m");
  assertEquals(r.headers.get("X-Account-Meta-Color"), "blue");
  r = await cluster.fetch("GET", "/v1/AUTH_m");
  assertEquals(r.headers.get("Content-Type"), "application/json; charset=utf-8");
  const listing = await r.json();
  assertEquals(listing.map((c: { name: string }) => c.name), ["c"]);
  r = await cluster.fetch("POST", "/v1/AUTH_m/c", {
    headers: { "X-Container-Meta-Too-Long": "x".repeat(257) },
  });
  assertEquals([r.status, await r.text()], [
    400,
    // Swift names the header as swob lists it: title-cased after the prefix.
    "Metadata value longer than 256: x-container-meta-Too-Long",
  ]);
});

Deno.test("deleting a missing container is 404 and a non-empty one 409", async () => {
  await using cluster = await startCluster({ proxy: { account_autocreate: "true" } });
  let r = await cluster.fetch("DELETE", "/v1/AUTH_d/none");
  assertEquals(r.status, 404);
  await r.body?.cancel();
  await (await cluster.fetch("PUT", "/v1/AUTH_d/c")).body?.cancel();
  await (await cluster.fetch("PUT", "/v1/AUTH_d/c/o", { body: new Uint8Array([1]) })).body
    ?.cancel();
  r = await cluster.fetch("DELETE", "/v1/AUTH_d/c");
  assertEquals(r.status, 409);
  await r.body?.cancel();
  r = await cluster.fetch("DELETE", "/v1/AUTH_d/c/o");
  assertEquals(r.status, 204);
  r = await cluster.fetch("DELETE", "/v1/AUTH_d/c");
  assertEquals(r.status, 204);
});

Deno.test("a container name over the length limit is refused with swob's text/html 400", async () => {
  await using cluster = await startCluster({ proxy: { account_autocreate: "true" } });
  const r = await cluster.fetch("PUT", `/v1/AUTH_a/${"X".repeat(257)}`);
  assertEquals(r.status, 400);
  assertEquals(r.headers.get("Content-Type"), "text/html; charset=UTF-8");
  assertEquals(await r.text(), "Container name length of 257 longer than 256");
});
