/**
 * swiftd's proxy in front of Debian's real Swift 2.30 account, container and object servers,
 * driven by python-swiftclient and compared with Swift's own proxy on the same servers.
 */
import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { TEST_SWIFT_CONF } from "./_cluster.ts";
import { startInteropCluster, swiftCli } from "./_swift_cluster.ts";

/** `swift stat` lines that differ between two runs (ids, times) are left out. */
function stableStat(text: string, account: string): string[] {
  return text.split("\n").map((line) => line.trim().replace(account, "ACCOUNT")).filter((line) =>
    line &&
    !/^(X-Trans-Id|X-Openstack-Request-Id|X-Timestamp|Last[ -]Modified|Date|Connection|Keep-Alive|X-Put-Timestamp|Transfer-Encoding)/i
      .test(line)
  ).sort();
}

Deno.test("swiftclient sees the same cluster through swiftd's proxy as through Swift's", async () => {
  await using cluster = await startInteropCluster(TEST_SWIFT_CONF);
  const dir = await Deno.makeTempDir({ prefix: "swiftd-interop-files-" });
  try {
    const small = join(dir, "small.txt");
    const big = join(dir, "big.bin");
    await Deno.writeTextFile(small, "hello from swiftclient\n");
    const data = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
    await Deno.writeFile(big, data);
    const outputs: Record<string, string[]> = {};
    for (const [name, proxy] of [["swift", cluster.swiftProxy], ["swiftd", cluster.swiftdProxy]]) {
      const account = `AUTH_${name}`;
      const url = `${proxy}/v1/${account}`;
      const lines: string[] = [];
      const cli = async (...args: string[]) => {
        const r = await swiftCli(url, args, dir);
        assertEquals(r.code, 0, `${name}: swift ${args.join(" ")}: ${r.stderr}`);
        return r.stdout;
      };
      await cli("post", "c1", "-m", "color:blue");
      await cli("post", "c2", "-H", "X-Storage-Policy: silver");
      await cli("upload", "c1", "small.txt", "--object-name", "dir/small.txt");
      await cli("upload", "c1", "big.bin", "-H", "X-Object-Meta-Kind: data");
      lines.push(...(await cli("list")).split("\n"));
      lines.push(...(await cli("list", "c1")).split("\n"));
      lines.push(...(await cli("list", "c1", "--prefix", "dir/", "--delimiter", "/")).split("\n"));
      lines.push(...stableStat(await cli("stat", "c1"), account));
      lines.push(...stableStat(await cli("stat", "c2"), account));
      lines.push(...stableStat(await cli("stat", "c1", "big.bin"), account));
      lines.push(await cli("download", "c1", "dir/small.txt", "-o", "-"));
      const out = join(dir, `${name}.bin`);
      await cli("download", "c1", "big.bin", "-o", out);
      assertEquals(await Deno.readFile(out), data);
      await cli("post", "c1", "big.bin", "-m", "kind:more");
      lines.push(...stableStat(await cli("stat", "c1", "big.bin"), account));
      await cli("delete", "c1", "dir/small.txt");
      lines.push(...(await cli("list", "c1")).split("\n"));
      const missing = await swiftCli(url, ["stat", "c1", "nope"], dir);
      const failure = missing.stderr.split("\n")[0].replace(url, "URL");
      lines.push(`missing: ${missing.code} ${failure}`);
      outputs[name] = lines;
    }
    assertEquals(outputs.swiftd, outputs.swift);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("objects written through one proxy are read through the other", async () => {
  await using cluster = await startInteropCluster(TEST_SWIFT_CONF);
  const put = await fetch(`${cluster.swiftdProxy}/v1/AUTH_x/c`, { method: "PUT" });
  assertEquals(put.status, 201);
  const body = new TextEncoder().encode("written by swiftd");
  const obj = await fetch(`${cluster.swiftdProxy}/v1/AUTH_x/c/o`, { method: "PUT", body });
  assertEquals(obj.status, 201);
  await obj.body?.cancel();
  const viaSwift = await fetch(`${cluster.swiftProxy}/v1/AUTH_x/c/o`);
  assertEquals(await viaSwift.text(), "written by swiftd");
  assertEquals(viaSwift.headers.get("Content-Type"), "application/octet-stream");
  const back = await fetch(`${cluster.swiftProxy}/v1/AUTH_x/c/o2`, {
    method: "PUT",
    body: new TextEncoder().encode("written by swift"),
    headers: { "Content-Type": "text/plain" },
  });
  assertEquals(back.status, 201);
  await back.body?.cancel();
  const viaSwiftd = await fetch(`${cluster.swiftdProxy}/v1/AUTH_x/c/o2`, {
    headers: { Range: "bytes=8-" },
  });
  assertEquals([viaSwiftd.status, await viaSwiftd.text()], [206, "by swift"]);
  const listing = await fetch(`${cluster.swiftdProxy}/v1/AUTH_x/c?format=json`);
  assertEquals((await listing.json()).map((o: { name: string }) => o.name), ["o", "o2"]);
});
