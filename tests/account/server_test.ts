/**
 * Behaviours of the account server a request shows beyond the generated sequences: the
 * replicator's RPC compared with Swift 2.30's ReplicatorRpc, device checks, and the app
 * factory.
 */
import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { accountServerApp } from "../../lib/account/app.ts";
import { loadServerConfig } from "../../lib/config/load.ts";
import { hashPath } from "../../lib/ring/hash_path.ts";
import { keepingLogger, testContext } from "../object/_server.ts";
import { comparableDump } from "../container/_compare.ts";
import {
  askSwift,
  askSwiftd,
  base64Text,
  makeCluster,
  swiftdAccountServer,
  type WireAnswer,
  type WireRequest,
} from "../container/_harness.ts";

const HASH = hashPath("AUTH_t", undefined, undefined, { prefix: "pre", suffix: "suf" });

function replicate(args: unknown, hash = HASH): WireRequest {
  return {
    method: "REPLICATE",
    path: `/sda/2/${hash}`,
    headers: [],
    body: base64Text(JSON.stringify(args)),
  };
}

function containerRow(name: string, put: string, objects: number): WireRequest {
  return {
    method: "PUT",
    path: `/sda/2/AUTH_t/${encodeURIComponent(name)}`,
    headers: [
      ["X-Put-Timestamp", put],
      ["X-Delete-Timestamp", "0"],
      ["X-Object-Count", String(objects)],
      ["X-Bytes-Used", String(objects * 10)],
      ["X-Backend-Storage-Policy-Index", "2"],
    ],
  };
}

const REQUESTS: WireRequest[] = [
  { method: "PUT", path: "/sda/2/AUTH_t", headers: [["X-Timestamp", "10"]] },
  containerRow("c1", "0000000011.00000", 3),
  containerRow("cé", "0000000012.00000", 1),
  replicate([
    "sync",
    -1,
    "x",
    "remote1",
    "0000000001.00000",
    "0000000030.00000",
    "0",
    JSON.stringify({ "X-Account-Meta-Q": ["z", "0000000030.00000"] }),
  ]),
  replicate(["merge_items", [{
    name: "c2",
    put_timestamp: "0000000013.00000",
    delete_timestamp: "0",
    object_count: 4,
    bytes_used: 40,
    deleted: 0,
    storage_policy_index: 1,
    ROWID: 7,
  }], "remote1"]),
  replicate(["merge_syncs", [{ remote_id: "r2", sync_point: 3 }]]),
  { method: "HEAD", path: "/sda/2/AUTH_t", headers: [] },
  { method: "GET", path: "/sda/2/AUTH_t?format=json", headers: [] },
  replicate(["sync", -1, "x", "r", "0", "0", "0", ""], "0123456789abcdef0123456789abcdef"),
  replicate(42),
];

function comparable(answer: WireAnswer): unknown {
  let body: unknown = atob(answer.body);
  try {
    const info = JSON.parse(body as string);
    if (info && typeof info === "object" && "created_at" in info) {
      body = { ...info, created_at: "<created_at>", id: "<id>" };
    }
  } catch {
    // Not JSON: compared as text.
  }
  return {
    status: answer.status,
    headers: answer.headers.filter(([k]) => k !== "x-timestamp"),
    body,
  };
}

Deno.test("accountServer() answers the replicator's sync, merge_items and merge_syncs as Swift does", async () => {
  await using cluster = await makeCluster();
  const mine = cluster.devices("mine");
  const theirs = cluster.devices("theirs");
  const swiftd = await askSwiftd(swiftdAccountServer(cluster, mine), REQUESTS);
  const swift = await askSwift({
    server: "account",
    swiftDir: cluster.swiftDir,
    runs: [{ devices: theirs, requests: REQUESTS }],
    dump: [mine, theirs],
  });
  for (let i = 0; i < REQUESTS.length; i++) {
    assertEquals(comparable(swiftd[i]), comparable(swift.runs[0][i]), `request #${i}`);
  }
  assertEquals(comparableDump(swift.dumps[0]), comparableDump(swift.dumps[1]));
});

Deno.test("accountServer() answers 507 for a device that is not a mount point when mount_check is on", async () => {
  await using cluster = await makeCluster();
  const server = swiftdAccountServer(cluster, cluster.devices(), { mount_check: "true" });
  const [refused] = await askSwiftd(server, [REQUESTS[0]]);
  assertEquals(refused.status, 507);
});

Deno.test("accountServerApp builds the account server from a config file's [app:account-server]", async () => {
  await using cluster = await makeCluster();
  const devices = cluster.devices();
  const conf = join(cluster.root, "account-server.conf");
  Deno.writeTextFileSync(
    conf,
    `[DEFAULT]\nbind_port = 6202\ndevices = ${devices}\nmount_check = false\n` +
      `swift_dir = ${cluster.swiftDir}\n[pipeline:main]\npipeline = account-server\n` +
      "[app:account-server]\nuse = egg:swift#account\nlog_requests = false\n",
  );
  const config = loadServerConfig(conf, "account-server");
  const handler = accountServerApp(config.app, {
    logger: keepingLogger([]),
    server: "account-server",
    onClose: () => {},
  });
  const put = await handler(
    new Request("http://localhost/sda/1/a", { method: "PUT", headers: { "X-Timestamp": "1" } }),
    testContext(),
  );
  assertEquals(put.status, 201);
  const head = await handler(
    new Request("http://localhost/sda/1/a", { method: "HEAD" }),
    testContext(),
  );
  assertEquals(head.status, 204);
  assertEquals(head.headers.get("X-Account-Container-Count"), "0");
});
