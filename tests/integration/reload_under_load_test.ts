/**
 * SIGUSR1 under load loses no request. Inside a network namespace the test creates (with
 * net.ipv4.tcp_migrate_req = 1, so connections queued on a closing listener move to a
 * sibling), several clients send requests in a loop while the server reloads twice.
 */
import { assert, assertEquals } from "@std/assert";
import { makeTempDir } from "../_helpers/temp_dir.ts";
import { childPids, memObjectConf, startSwiftd, waitUntil, writeFile } from "../_helpers/swiftd.ts";

const CLIENT = `
const [port, clients, seconds] = Deno.args.map(Number);
const deadline = Date.now() + seconds * 1000;
const request = new TextEncoder().encode("GET /healthcheck HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n");
let ok = 0;
const failures = [];
async function one() {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(request);
    let text = "";
    const buffer = new Uint8Array(4096);
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    if (!text.startsWith("HTTP/1.1 200")) throw new Error("got " + JSON.stringify(text.slice(0, 40)));
  } finally {
    conn.close();
  }
}
await Promise.all(Array.from({ length: clients }, async () => {
  while (Date.now() < deadline && ok + failures.length < 20000) {
    try { await one(); ok++; } catch (err) { failures.push(String(err)); }
  }
}));
console.log(JSON.stringify({ ok, failures }));
`;

function run(args: string[]): Promise<Deno.CommandOutput> {
  return new Deno.Command(args[0], { args: args.slice(1), stdout: "piped", stderr: "piped" })
    .output();
}

const haveIp = (await run(["ip", "netns", "list"]).catch(() => undefined))?.success === true;

Deno.test({
  name:
    "SIGUSR1 under a stream of requests from several clients loses none and replaces every worker",
  ignore: !haveIp || Deno.uid() !== 0,
  async fn() {
    await using dir = await makeTempDir("reload-load");
    const ns = `swiftd-test-${Deno.pid}`;
    await run(["ip", "netns", "add", ns]);
    try {
      const inNs = ["ip", "netns", "exec", ns];
      assert((await run([...inNs, "ip", "link", "set", "lo", "up"])).success);
      assert((await run([...inNs, "sysctl", "-qw", "net.ipv4.tcp_migrate_req=1"])).success);
      const port = 18080;
      const path = writeFile(dir.path, "o.conf", memObjectConf(port, `${dir.path}/run`));
      await using swiftd = startSwiftd(["object-server", path], { prefix: inNs });
      await swiftd.waitForLine(/serving on/);
      assertEquals(swiftd.linesMatching(/tcp_migrate_req is 0/), []);
      const first = childPids(swiftd.pid);
      const client = writeFile(dir.path, "client.ts", CLIENT);
      const load = new Deno.Command(inNs[0], {
        args: [...inNs.slice(1), Deno.execPath(), "run", "-A", client, String(port), "4", "6"],
        stdout: "piped",
        stderr: "inherit",
      }).output();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      swiftd.kill("SIGUSR1");
      await swiftd.waitForLine(/Reloaded:/);
      await waitUntil(() => childPids(swiftd.pid).every((pid) => !first.includes(pid)), 15_000);
      const second = childPids(swiftd.pid);
      await new Promise((resolve) => setTimeout(resolve, 500));
      swiftd.kill("SIGUSR1");
      await waitUntil(() => swiftd.linesMatching(/Reloaded:/).length === 2, 15_000);
      const result = JSON.parse(new TextDecoder().decode((await load).stdout));
      assertEquals(result.failures, []);
      assert(result.ok > 100, `only ${result.ok} requests were made`);
      const third = childPids(swiftd.pid);
      assertEquals(third.length, 2);
      assert(third.every((pid) => !second.includes(pid) && !first.includes(pid)));
    } finally {
      await run(["ip", "netns", "del", ns]);
    }
  },
});
