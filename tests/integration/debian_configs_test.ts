/**
 * The configs Debian's swift packages install in /etc/swift, unchanged, run under swiftd: each
 * server gets a conf.d directory holding a copy of the stock file and a later file that only
 * points it at this test's ports, disks, rings and run directory (and turns on the proxy's
 * account_autocreate), as an operator's override would. The stock proxy pipeline names every
 * filter of Swift's sample (cache, container_sync, bulk, tempurl, ratelimit, tempauth, copy,
 * quotas, slo, dlo, versioned_writes, symlink), so this is the "drop swiftd onto a Debian node"
 * check. Workers run as Debian's `swift` user when it exists, as Swift's default `user` says.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { makeCluster, startMemcached, swiftCli } from "../_helpers/real_swift.ts";
import { runCommand } from "../_helpers/python.ts";
import { makeTempDir } from "../_helpers/temp_dir.ts";
import { freePort, startSwiftd, type SwiftdProcess } from "../_helpers/swiftd.ts";

const ETC_SWIFT = "/etc/swift";
const SERVERS = ["account", "container", "object", "proxy"] as const;
// Stock Swift has neither account autocreation nor account management on, so an operator with
// tempauth turns the first on (as SAIO does); without it Swift and swiftd both answer 404.
const PROXY_LOCAL = "\n[app:proxy-server]\naccount_autocreate = true\n";

Deno.test({
  name: "Debian's stock /etc/swift configs run unchanged: --test-config, then swiftclient",
  ignore: SERVERS.some((s) => {
    try {
      return !Deno.statSync(join(ETC_SWIFT, `${s}-server.conf`)).isFile;
    } catch {
      return true;
    }
  }),
  async fn() {
    await using dir = await makeTempDir("debian-configs");
    const cluster = await makeCluster(dir.path, 1);
    await using memcached = await startMemcached();
    // The stock [filter:cache] names no servers: Swift then reads memcache.conf in swift_dir.
    await Deno.writeTextFile(
      join(cluster.swiftDir, "memcache.conf"),
      `[memcache]\nmemcache_servers = 127.0.0.1:${memcached.port}\n`,
    );
    const asRootWithSwiftUser = Deno.uid() === 0 &&
      (await runCommand("getent", ["passwd", "swift"])).code === 0;
    if (asRootWithSwiftUser) await runCommand("chown", ["-R", "swift:", dir.path]);
    await Deno.chmod(dir.path, 0o755);

    const proxyPort = freePort();
    const ports = { ...cluster.ports, proxy: proxyPort };
    const confDirs: Record<string, string> = {};
    for (const server of SERVERS) {
      const confDir = join(dir.path, `${server}-server.conf.d`);
      await Deno.mkdir(confDir);
      await Deno.copyFile(
        join(ETC_SWIFT, `${server}-server.conf`),
        join(confDir, "00-debian.conf"),
      );
      await Deno.writeTextFile(
        join(confDir, "99-local.conf"),
        `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${ports[server]}
workers = 1
swift_dir = ${cluster.swiftDir}
devices = ${cluster.devices}
mount_check = false
run_dir = ${join(dir.path, "run")}
recon_cache_path = ${join(dir.path, "recon")}
${asRootWithSwiftUser ? "" : "user =\n"}${server === "proxy" ? PROXY_LOCAL : ""}`,
      );
      confDirs[server] = confDir;
    }

    for (const server of SERVERS) {
      const check = startSwiftd([`${server}-server`, confDirs[server], "--test-config"]);
      const status = await check.exited(60_000);
      assertEquals(status.code, 0, `${server}-server --test-config:\n${check.stderr}`);
    }

    const running: SwiftdProcess[] = [];
    try {
      for (const server of SERVERS) {
        const process = startSwiftd([`${server}-server`, confDirs[server]]);
        running.push(process);
        await process.waitForLine(/serving on /, 60_000);
      }
      const auth = `http://127.0.0.1:${proxyPort}/auth/v1.0`;
      const work = join(dir.path, "work");
      await Deno.mkdir(work);
      await Deno.writeTextFile(join(work, "hello.txt"), "hello from a stock config\n");
      await swiftCli(auth, ["upload", "stock", "hello.txt"], work);
      assertEquals((await swiftCli(auth, ["list", "stock"])).trim(), "hello.txt");
      assertEquals(
        await swiftCli(auth, ["download", "stock", "hello.txt", "--output", "-"]),
        "hello from a stock config\n",
      );

      // symlink is in the stock pipeline: a link answers with its target's body.
      const token = await tempauthToken(proxyPort, "test:tester", "testing");
      const link = await fetch(`http://127.0.0.1:${proxyPort}/v1/AUTH_test/stock/link`, {
        method: "PUT",
        headers: { "X-Auth-Token": token, "X-Symlink-Target": "stock/hello.txt" },
        body: "",
      });
      await link.body?.cancel();
      assertEquals(link.status, 201);
      const viaLink = await fetch(`http://127.0.0.1:${proxyPort}/v1/AUTH_test/stock/link`, {
        headers: { "X-Auth-Token": token },
      });
      assertEquals(await viaLink.text(), "hello from a stock config\n");

      // /info lists what the stock filters register; versioning stays off as in the stock file.
      const info = await (await fetch(`http://127.0.0.1:${proxyPort}/info`)).json();
      for (const section of ["swift", "tempauth", "slo", "bulk_upload", "tempurl", "symlink"]) {
        assert(section in info, `/info lacks ${section}: ${Object.keys(info)}`);
      }
      assert(!("versioned_writes" in info) && !("object_versioning" in info));
      assertStringIncludes(await swiftCli(auth, ["stat"]), "Containers: 1");
    } finally {
      for (const process of running) await process[Symbol.asyncDispose]();
    }
  },
});

/** A tempauth token for `user` (ACCOUNT:USER). */
async function tempauthToken(port: number, user: string, key: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/auth/v1.0`, {
    headers: { "X-Auth-User": user, "X-Auth-Key": key },
  });
  await response.body?.cancel();
  const token = response.headers.get("X-Auth-Token");
  assert(token, `no token: ${response.status}`);
  return token;
}
