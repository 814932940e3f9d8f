/**
 * Behaviours of the container server a request shows, one per test: device checks, free
 * space, the access log, errors, replication_server, sync realms, and the app factory.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { join } from "@std/path";
import { containerServerApp } from "../../lib/container/app.ts";
import { loadServerConfig } from "../../lib/config/load.ts";
import { keepingLogger, testContext } from "../object/_server.ts";
import {
  askSwift,
  askSwiftd,
  makeCluster,
  swiftdContainerServer,
  type WireRequest,
} from "./_harness.ts";

const CREATE: WireRequest = { method: "PUT", path: "/sda/1/a/c", headers: [["X-Timestamp", "1"]] };

Deno.test("containerServer() answers 507 for a device that is not a mount point when mount_check is on", async () => {
  await using cluster = await makeCluster();
  const devices = cluster.devices();
  const server = swiftdContainerServer(cluster, devices, { overrides: { mount_check: "true" } });
  const [refused] = await askSwiftd(server, [CREATE]);
  assertEquals(refused.status, 507);
  assertMatch(atob(refused.body), /Drive: sda/);
  // Swift's stub for devices it cannot detect as mounts (containers, SAIO symlinks).
  Deno.writeTextFileSync(join(devices, "sda", ".ismount"), "");
  const [created] = await askSwiftd(server, [CREATE]);
  assertEquals(created.status, 201);
});

Deno.test("containerServer() answers 507 to writes on a drive below fallocate_reserve and still serves reads", async () => {
  await using cluster = await makeCluster();
  const devices = cluster.devices();
  await askSwiftd(swiftdContainerServer(cluster, devices), [CREATE]);
  const full = swiftdContainerServer(cluster, devices, {
    overrides: { fallocate_reserve: "100%" },
  });
  const [put, head] = await askSwiftd(full, [
    { method: "PUT", path: "/sda/1/a/c2", headers: [["X-Timestamp", "2"]] },
    { method: "HEAD", path: "/sda/1/a/c", headers: [] },
  ]);
  assertEquals([put.status, head.status], [507, 204]);
});

Deno.test("containerServer() logs Swift's access line per request, REPLICATE at debug level", async () => {
  await using cluster = await makeCluster();
  const server = swiftdContainerServer(cluster, cluster.devices(), {
    overrides: { log_requests: "true" },
  });
  await askSwiftd(server, [
    { ...CREATE, headers: [["X-Timestamp", "1"], ["X-Trans-Id", "tx9"], ["User-Agent", "ua"]] },
    { method: "REPLICATE", path: "/sda/1/abc", headers: [], body: btoa("[]") },
  ]);
  assertEquals(server.lines.length, 2);
  assertEquals(server.lines[0].level, 20);
  assertMatch(
    server.lines[0].message,
    /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "PUT \/sda\/1\/a\/c" 201 - "-" "tx9" "ua" \d+\.\d{4} "-" \d+ 0$/,
  );
  assertEquals(server.lines[1].level, 10);
});

Deno.test("containerServer() answers an unexpected failure with 500 and its trace, and logs it", async () => {
  await using cluster = await makeCluster();
  const server = swiftdContainerServer(cluster, cluster.devices());
  const [, failed] = await askSwiftd(server, [CREATE, {
    method: "PUT",
    path: "/sda/1/a/c/o",
    headers: [["X-Timestamp", "2"], ["X-Content-Type", "t"], ["X-Etag", "e"]],
  }]);
  assertEquals(failed.status, 500);
  assertMatch(atob(failed.body), /x-size/i);
  assert(
    server.lines.some((l) => l.message.startsWith("ERROR __call__ error with PUT /sda/1/a/c/o")),
  );
});

Deno.test("containerServer() without replication_server refuses REPLICATE and leaves it out of Allow", async () => {
  await using cluster = await makeCluster();
  const server = swiftdContainerServer(cluster, cluster.devices(), {
    overrides: { replication_server: "false" },
  });
  const [replicate, options] = await askSwiftd(server, [
    { method: "REPLICATE", path: "/sda/1/abc", headers: [], body: btoa("[]") },
    { method: "OPTIONS", path: "/sda/1/a/c", headers: [] },
  ]);
  assertEquals(replicate.status, 405);
  assertEquals(
    options.headers.find(([k]) => k === "allow")?.[1],
    "DELETE, GET, HEAD, OPTIONS, POST, PUT, UPDATE",
  );
});

Deno.test("containerServer() checks X-Container-Sync-To realms as Swift does", async () => {
  await using cluster = await makeCluster();
  Deno.writeTextFileSync(
    join(cluster.swiftDir, "container-sync-realms.conf"),
    "[realm1]\nkey = k1\ncluster_east = http://east/v1/\n[nokey]\ncluster_x = http://x/\n",
  );
  const requests = [
    "//realm1/east/a/c",
    "//REALM1/West/a/c",
    "//nokey/x/a/c",
    "//realm1/east/a",
    "http://127.0.0.1:8080/v1/a/c?x=1",
    "https://[::1]/v1/a/c",
    "http://127.0.0.1:8080/v1/a/c",
  ]
    .map((to, i): WireRequest => ({
      method: "PUT",
      path: `/sda/1/a/c${i}`,
      headers: [["X-Timestamp", "1"], ["X-Container-Sync-To", to], ["X-Container-Sync-Key", "s"]],
    }));
  const swiftd = await askSwiftd(swiftdContainerServer(cluster, cluster.devices("mine")), requests);
  const swift = await askSwift({
    server: "container",
    swiftDir: cluster.swiftDir,
    runs: [{ devices: cluster.devices("theirs"), requests }],
  });
  const shown = (a: { status: number; body: string }) => [a.status, atob(a.body)];
  assertEquals(swiftd.map(shown), swift.runs[0].map(shown));
  assertEquals(swiftd.map((a) => a.status), [201, 400, 400, 400, 400, 400, 201]);
});

Deno.test("containerServerApp builds the container server from a config file's [app:container-server]", async () => {
  await using cluster = await makeCluster();
  const devices = cluster.devices();
  const conf = join(cluster.root, "container-server.conf");
  Deno.writeTextFileSync(
    conf,
    `[DEFAULT]\nbind_port = 6201\ndevices = ${devices}\nmount_check = false\nswift_dir = ${cluster.swiftDir}\n` +
      "[pipeline:main]\npipeline = container-server\n" +
      "[app:container-server]\nuse = egg:swift#container\nlog_requests = false\n",
  );
  const config = loadServerConfig(conf, "container-server");
  const handler = containerServerApp(config.app, {
    logger: keepingLogger([]),
    server: "container-server",
    onClose: () => {},
  });
  const response = await handler(
    new Request("http://localhost/sda/1/a/c", { method: "PUT", headers: { "X-Timestamp": "1" } }),
    testContext(),
  );
  assertEquals(response.status, 201);
  assertEquals(response.headers.get("X-Backend-Storage-Policy-Index"), "0");
});
