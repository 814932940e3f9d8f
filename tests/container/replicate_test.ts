/**
 * REPLICATE as a container replicator calls it: `sync` (merging the caller's metadata,
 * timestamps, sync point and winning storage policy), `merge_items` and `merge_syncs` compared
 * with Swift 2.30's ContainerReplicatorRpc, and `complete_rsync` / `rsync_then_merge` moving
 * an rsynced database into place so Swift reads it back.
 */
import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { hashPath } from "../../lib/ring/hash_path.ts";
import { comparableDump } from "./_compare.ts";
import {
  askSwift,
  askSwiftd,
  base64Text,
  makeCluster,
  swiftdContainerServer,
  type WireAnswer,
  type WireRequest,
} from "./_harness.ts";

const HASH = hashPath("a", "c", undefined, { prefix: "pre", suffix: "suf" });

function replicate(args: unknown, hash = HASH): WireRequest {
  return {
    method: "REPLICATE",
    path: `/sda/1/${hash}`,
    headers: [],
    body: base64Text(JSON.stringify(args)),
  };
}

function objectPut(name: string, timestamp: string): WireRequest {
  return {
    method: "PUT",
    path: `/sda/1/a/c/${name}`,
    headers: [["X-Timestamp", timestamp], ["X-Size", "3"], ["X-Content-Type", "t/p"], [
      "X-Etag",
      "e",
    ]],
  };
}

const REMOTE_METADATA = JSON.stringify({ "X-Container-Meta-R": ["v", "0000000020.00000"] });

const REQUESTS: WireRequest[] = [
  { method: "PUT", path: "/sda/1/a/c", headers: [["X-Timestamp", "10"]] },
  objectPut("o1", "11"),
  objectPut("o2", "12"),
  replicate([
    "sync",
    -1,
    "x",
    "remote1",
    "0000000001.00000",
    "0000000020.00000",
    "0",
    REMOTE_METADATA,
    "0000000005.00000",
    2,
    1,
  ]),
  replicate(["merge_items", [{
    name: "o3",
    created_at: "0000000013.00000",
    size: 9,
    content_type: "a/b",
    etag: "e3",
    deleted: 0,
    storage_policy_index: 1,
    ROWID: 5,
  }], "remote1"]),
  replicate(["merge_syncs", [{ remote_id: "r2", sync_point: 9 }]]),
  replicate(["sync", 3, "y", "remote1", "0000000001.00000", "0000000020.00000", "0", ""]),
  { method: "HEAD", path: "/sda/1/a/c", headers: [] },
  {
    method: "GET",
    path: "/sda/1/a/c?format=json",
    headers: [["X-Backend-Storage-Policy-Index", "1"]],
  },
  replicate(["sync", -1, "x", "r", "0", "0", "0", ""], "0123456789abcdef0123456789abcdef"),
  replicate("not a list"),
  replicate(["merge_syncs", [{ remote_id: "r3", sync_point: 1 }]], HASH),
  { method: "REPLICATE", path: `/sdx/1/${HASH}`, headers: [], body: base64Text("[]") },
];

/** The answer with created_at and id (each side's own) masked in a JSON `sync` body. */
function comparable(answer: WireAnswer): unknown {
  let body: unknown = atob(answer.body);
  try {
    const info = JSON.parse(body as string);
    if (info && typeof info === "object" && "created_at" in info) {
      // Adopting the caller's policy stamps status_changed_at with the current time.
      body = { ...info, created_at: "<created_at>", id: "<id>", status_changed_at: "<now>" };
    }
  } catch {
    // Not JSON: compared as text.
  }
  const headers = answer.headers.filter(([k]) =>
    !["x-timestamp", "x-backend-timestamp", "x-backend-status-changed-at"].includes(k)
  );
  return { status: answer.status, headers, body };
}

Deno.test("containerServer() answers the replicator's sync, merge_items and merge_syncs as Swift does", async () => {
  await using cluster = await makeCluster();
  const mine = cluster.devices("mine");
  const theirs = cluster.devices("theirs");
  const swiftd = await askSwiftd(swiftdContainerServer(cluster, mine), REQUESTS);
  const swift = await askSwift({
    server: "container",
    swiftDir: cluster.swiftDir,
    runs: [{ devices: theirs, requests: REQUESTS }],
    dump: [mine, theirs],
  });
  for (let i = 0; i < REQUESTS.length; i++) {
    assertEquals(comparable(swiftd[i]), comparable(swift.runs[0][i]), `request #${i}`);
  }
  const withoutStatusTime = (dump: Record<string, unknown>) =>
    Object.values(comparableDump(dump)).map((db) => {
      const { stat, ...rest } = db as { stat: Record<string, unknown> };
      return { ...rest, stat: { ...stat, status_changed_at: "<now>" } };
    });
  assertEquals(withoutStatusTime(swift.dumps[0]), withoutStatusTime(swift.dumps[1]));
});

Deno.test("containerServer() answers replication ops it does not implement with 501", async () => {
  await using cluster = await makeCluster();
  const server = swiftdContainerServer(cluster, cluster.devices());
  await askSwiftd(server, [REQUESTS[0]]);
  for (const op of ["get_shard_ranges", "merge_shard_ranges", "bogus"]) {
    const response = await server.send(replicate([op, []]));
    assertEquals(response.status, 501);
    await response.body?.cancel();
  }
});

Deno.test("containerServer() moves rsynced databases into place for complete_rsync and rsync_then_merge", async () => {
  await using cluster = await makeCluster();
  const devices = cluster.devices();
  const server = swiftdContainerServer(cluster, devices);
  // The HEAD merges the pending file, as the replicator does before it rsyncs.
  const head: WireRequest = { method: "HEAD", path: "/sda/1/a/c", headers: [] };
  await askSwiftd(server, [REQUESTS[0], objectPut("o1", "11"), head]);
  const otherHash = hashPath("a", "copy", undefined, { prefix: "pre", suffix: "suf" });
  const source = join(devices, "sda", "containers", "1", HASH.slice(-3), HASH, `${HASH}.db`);
  // The replicator rsyncs a copy of a database into <device>/tmp, then asks to move it.
  Deno.mkdirSync(join(devices, "sda", "tmp"));
  Deno.copyFileSync(source, join(devices, "sda", "tmp", "incoming"));
  const completed = await server.send(
    replicate(["complete_rsync", "incoming", `${otherHash}.db`], otherHash),
  );
  assertEquals(completed.status, 204);
  await completed.body?.cancel();
  Deno.copyFileSync(source, join(devices, "sda", "tmp", "again"));
  await askSwiftd(server, [objectPut("o2", "12")]);
  const merged = await server.send(replicate(["rsync_then_merge", "again"]));
  assertEquals(merged.status, 204);
  await merged.body?.cancel();
  const swift = await askSwift({
    server: "container",
    swiftDir: cluster.swiftDir,
    runs: [],
    dump: [devices],
  });
  const dbs = swift.dumps[0] as Record<string, { rows: { name: string }[] }>;
  const names = (hash: string) =>
    dbs[`sda/containers/1/${hash.slice(-3)}/${hash}/${hash}.db`].rows.map((r) => r.name);
  assertEquals(names(otherHash), ["o1"]);
  assertEquals(names(HASH), ["o1", "o2"]);
});
