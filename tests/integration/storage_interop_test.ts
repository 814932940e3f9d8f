/**
 * swiftd's account, container and object servers behind Debian's real Swift proxy: a Swift
 * client cannot tell them from Swift's own storage servers.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { makeTempDir } from "../_helpers/temp_dir.ts";
import { freePort, startSwiftd, type SwiftdProcess } from "../_helpers/swiftd.ts";
import {
  type Cluster,
  makeCluster,
  RealSwift,
  startMemcached,
  storageConf,
  swiftCli,
} from "../_helpers/real_swift.ts";

function realProxyConf(cluster: Cluster, port: number, memcachedPort: number): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 1
user = ${Deno.env.get("USER") ?? "root"}
swift_dir = ${cluster.swiftDir}
log_address = /nonexistent

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck cache listing_formats tempauth copy dlo slo proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${memcachedPort}
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
[filter:copy]
use = egg:swift#copy
[filter:dlo]
use = egg:swift#dlo
[filter:slo]
use = egg:swift#slo
`;
}

async function startStorage(cluster: Cluster): Promise<SwiftdProcess[]> {
  const servers: SwiftdProcess[] = [];
  for (const server of ["account", "container", "object"] as const) {
    const path = join(cluster.root, `${server}-server.conf`);
    await Deno.writeTextFile(path, storageConf(cluster, server));
    const process = startSwiftd([`${server}-server`, path]);
    servers.push(process);
    await process.waitForLine(/serving on /);
  }
  return servers;
}

Deno.test("Debian's Swift proxy in front of swiftd's storage servers serves swiftclient", async () => {
  await using dir = await makeTempDir("storage-interop");
  const cluster = await makeCluster(dir.path, 1);
  const storage = await startStorage(cluster);
  await using memcached = await startMemcached();
  const proxyPort = freePort();
  try {
    await using _proxy = await RealSwift.start(
      cluster,
      "proxy-server",
      realProxyConf(cluster, proxyPort, memcached.port),
      proxyPort,
    );
    const auth = `http://127.0.0.1:${proxyPort}/auth/v1.0`;
    const work = join(dir.path, "work");
    await Deno.mkdir(join(work, "tree/sub"), { recursive: true });
    const files: Record<string, string> = {
      "tree/a.txt": "alpha\n",
      "tree/sub/b.txt": "beta ".repeat(1000),
      "tree/sub/ünïcødé.txt": "unicode\n",
    };
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(join(work, name), text);
    }
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) % 251);
    await Deno.writeFile(join(work, "big.bin"), big);

    await swiftCli(auth, ["upload", "c1", "tree"], work);
    await swiftCli(auth, ["upload", "--segment-size", "1048576", "c1", "big.bin"], work);
    await swiftCli(auth, [
      "upload",
      "--use-slo",
      "--segment-size",
      "1048576",
      "c1",
      "big.bin",
      "--object-name",
      "big-slo",
    ], work);

    const listing = (await swiftCli(auth, ["list", "c1"])).trim().split("\n");
    assertEquals(listing, [
      "big-slo",
      "big.bin",
      "tree/a.txt",
      "tree/sub/b.txt",
      "tree/sub/ünïcødé.txt",
    ]);
    assertEquals(
      (await swiftCli(auth, ["list", "c1", "--prefix", "tree/", "--delimiter", "/"])).trim().split(
        "\n",
      ),
      ["tree/a.txt", "tree/sub/"],
    );

    const out = join(dir.path, "out");
    await Deno.mkdir(out);
    await swiftCli(auth, ["download", "c1", "--output-dir", out]);
    for (const [name, text] of Object.entries(files)) {
      assertEquals(await Deno.readTextFile(join(out, name)), text, name);
    }
    assertEquals(await Deno.readFile(join(out, "big.bin")), big);
    assertEquals(await Deno.readFile(join(out, "big-slo")), big);

    await swiftCli(auth, ["post", "c1", "tree/a.txt", "-m", "Color:blue"]);
    assertMatch(await swiftCli(auth, ["stat", "c1", "tree/a.txt"]), /Meta Color: blue/);
    await swiftCli(auth, ["copy", "c1", "tree/a.txt", "--destination", "/c2/copied.txt"]);
    await swiftCli(auth, ["download", "c2", "copied.txt", "--output", join(out, "copied.txt")]);
    assertEquals(await Deno.readTextFile(join(out, "copied.txt")), files["tree/a.txt"]);

    const accountStat = await swiftCli(auth, ["stat"]);
    assertStringIncludes(accountStat, "Containers: 3"); // c1, c2 and c1_segments
    await swiftCli(auth, ["delete", "c1", "tree/a.txt"]);
    assert(!(await swiftCli(auth, ["list", "c1"])).includes("tree/a.txt"));
    await swiftCli(auth, ["delete", "--all"]);
    assertEquals((await swiftCli(auth, ["list"])).trim(), "");
  } finally {
    for (const server of storage) await server[Symbol.asyncDispose]();
  }
});
