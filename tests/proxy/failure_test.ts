import { assert, assertEquals } from "@std/assert";
import { join } from "@std/path";
import { Ring } from "../../lib/ring/ring.ts";
import { startCluster, type TestCluster } from "./_cluster.ts";
import { FaultyForwarder } from "./_faulty.ts";

const encoder = new TextEncoder();

/** An object name whose primaries include the device of node `index`. */
function nameOnNode(cluster: TestCluster, index: number, primary = true): string {
  const ring = new Ring(cluster.swiftDir, {
    ringName: "object",
    hashPathPrefix: "changeme",
    hashPathSuffix: "changeme",
  });
  const device = cluster.nodes[index].device;
  for (let i = 0;; i++) {
    const name = `o${i}`;
    const { nodes } = ring.getNodes("AUTH_f", "c", name);
    if (nodes.some((n) => n.device === device) === primary) return name;
  }
}

async function setup(cluster: TestCluster): Promise<void> {
  const r = await cluster.fetch("PUT", "/v1/AUTH_f/c");
  assertEquals(r.status, 201);
  await r.body?.cancel();
}

Deno.test("with one object server down, uploads reach a quorum and reads find the data", async () => {
  await using cluster = await startCluster({
    nodes: 4,
    replicas: 3,
    proxy: { account_autocreate: "true", node_timeout: "2" },
  });
  await setup(cluster);
  const name = nameOnNode(cluster, 0);
  await cluster.stopObjectServer(0);
  const body = encoder.encode("survives a dead disk");
  const put = await cluster.fetch("PUT", `/v1/AUTH_f/c/${name}`, { body });
  assertEquals(put.status, 201, await put.text());
  const get = await cluster.fetch("GET", `/v1/AUTH_f/c/${name}`);
  assertEquals([get.status, await get.text()], [200, "survives a dead disk"]);
  const logged = cluster.proxy.lines.map((l) => l.message).join("\n");
  assert(logged.includes("Expect: 100-continue on"), logged);
  assert(logged.includes("Connection refused"), logged);
});

Deno.test("a stalled object server costs node_timeout and the next node answers", async () => {
  const stalled = new FaultyForwarder();
  stalled.mode = { kind: "stall" };
  try {
    await using cluster = await startCluster({
      nodes: 4,
      replicas: 3,
      objectPorts: [stalled.port],
      proxy: {
        account_autocreate: "true",
        node_timeout: "0.5",
        sorting_method: "affinity",
        // Node 0 sits in zone 1: reads try it first.
        read_affinity: "r1z1=1",
      },
    });
    await setup(cluster);
    const name = nameOnNode(cluster, 0);
    const put = await cluster.fetch("PUT", `/v1/AUTH_f/c/${name}`, {
      body: encoder.encode("slow disks happen"),
    });
    assertEquals(put.status, 201, await put.text());
    const get = await cluster.fetch("GET", `/v1/AUTH_f/c/${name}`);
    assertEquals([get.status, await get.text()], [200, "slow disks happen"]);
    const logged = cluster.proxy.lines.map((l) => l.message).join("\n");
    assert(logged.includes("ResponseTimeout (0.5s)"), logged);
  } finally {
    await stalled.close();
  }
});

Deno.test("a GET whose node stops mid-body resumes from another node with a Range", async () => {
  const faulty = new FaultyForwarder();
  try {
    await using cluster = await startCluster({
      nodes: 3,
      replicas: 3,
      objectPorts: [faulty.port],
      proxy: {
        account_autocreate: "true",
        node_timeout: "1",
        recoverable_node_timeout: "0.5",
        sorting_method: "affinity",
        read_affinity: "r1z1=1",
      },
    });
    // The forwarder's target is a real object server started for node 0.
    const { runApp, stageOf } = await import("./_cluster.ts");
    const { memObjectApp } = await import("../../lib/object/app.ts");
    const { MEM_OBJECT_APP } = await import("../../lib/config/options/apps.ts");
    const backend = runApp(
      memObjectApp,
      stageOf(MEM_OBJECT_APP, {
        swift_dir: cluster.swiftDir,
        devices: join(cluster.root, "srv"),
        mount_check: "false",
        log_requests: "false",
        bind_port: "6200",
      }),
      "object-server",
    );
    faulty.target = backend.port;
    try {
      await setup(cluster);
      const data = new Uint8Array(200_000).map((_, i) => i % 253);
      const put = await cluster.fetch("PUT", "/v1/AUTH_f/c/big", { body: data });
      assertEquals(put.status, 201, await put.text());
      faulty.mode = { kind: "cut", afterBytes: 70_000 };
      const get = await cluster.fetch("GET", "/v1/AUTH_f/c/big");
      assertEquals(get.status, 200);
      assertEquals(new Uint8Array(await get.arrayBuffer()), data);
      const logged = cluster.proxy.lines.map((l) => l.message).join("\n");
      assert(logged.includes("Trying to read object during GET (retrying)"), logged);
    } finally {
      await backend.close();
    }
  } finally {
    await faulty.close();
  }
});

Deno.test("a client that disconnects mid-upload leaves no object behind", async () => {
  await using cluster = await startCluster({ proxy: { account_autocreate: "true" } });
  await setup(cluster);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: cluster.proxy.port });
  const head = "PUT /v1/AUTH_f/c/partial HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n" +
    "Content-Type: text/plain\r\n\r\n";
  await conn.write(encoder.encode(head + "x".repeat(5000)));
  // Let the proxy connect to the object servers and forward the first bytes.
  for (let i = 0; i < 100 && !cluster.proxy.lines.length; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  conn.close();
  let status = 0;
  for (let i = 0; i < 100; i++) {
    const r = await cluster.fetch("HEAD", "/v1/AUTH_f/c/partial");
    status = r.status;
    if (status === 404) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assertEquals(status, 404);
  const logged = cluster.proxy.lines.map((l) => l.message).join("\n");
  assert(logged.includes("Client disconnected"), logged);
});
