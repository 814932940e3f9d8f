/**
 * The account updates a container PUT or DELETE sends, over real HTTP to a local account
 * server stand-in, compared with the ones Swift 2.30's ContainerController sends for the same
 * requests: same paths and headers, the same 404 when every account server says 404, and no
 * effect on the answer when only some fail.
 */
import { assertEquals } from "@std/assert";
import {
  askSwift,
  askSwiftd,
  makeCluster,
  swiftdContainerServer,
  type WireRequest,
} from "./_harness.ts";

/** What an account server stand-in saw: method, path and the headers Swift sets. */
interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
}

const SWIFT_HEADERS = [
  "x-put-timestamp",
  "x-delete-timestamp",
  "x-object-count",
  "x-bytes-used",
  "x-trans-id",
  "x-backend-storage-policy-index",
  "user-agent",
  "referer",
  "x-account-override-deleted",
];

/** An account server stand-in: 404 for device "gone", 503 for "sick", else 201. */
function standIn(): { server: Deno.HttpServer<Deno.NetAddr>; seen: Seen[] } {
  const seen: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const url = new URL(req.url);
    const headers: Record<string, string> = {};
    for (const name of SWIFT_HEADERS) {
      const value = req.headers.get(name);
      if (value !== null) headers[name] = value.replace(/ \d+$/, " <pid>");
    }
    seen.push({ method: req.method, path: url.pathname, headers });
    const device = url.pathname.split("/")[1];
    const status = device === "gone" ? 404 : device === "sick" ? 503 : 201;
    return new Response(null, { status });
  });
  return { server, seen };
}

function requests(port: number): WireRequest[] {
  const host = `127.0.0.1:${port}`;
  const to = (devices: string, extra: [string, string][] = []): [string, string][] => [
    ["X-Account-Host", devices.split(",").map(() => host).join(",")],
    ["X-Account-Device", devices],
    ["X-Account-Partition", "7"],
    ["X-Trans-Id", "tx-update"],
    ...extra,
  ];
  return [
    { method: "PUT", path: "/sda/1/a/c%C3%A9", headers: [["X-Timestamp", "10"], ...to("d1,d2")] },
    {
      method: "PUT",
      path: "/sda/1/a/c%C3%A9/o",
      headers: [["X-Timestamp", "11"], ["X-Size", "4"], ["X-Content-Type", "t/p"], [
        "X-Etag",
        "e",
      ]],
    },
    {
      method: "PUT",
      path: "/sda/1/a/c%C3%A9",
      headers: [["X-Timestamp", "12"], ...to("d1", [["X-Account-Override-Deleted", "yes"]])],
    },
    { method: "PUT", path: "/sda/1/a/other", headers: [["X-Timestamp", "13"], ...to("gone,gone")] },
    { method: "PUT", path: "/sda/1/a/third", headers: [["X-Timestamp", "14"], ...to("gone,sick")] },
    { method: "PUT", path: "/sda/1/a/fourth", headers: [["X-Timestamp", "15"], ...to("d1,d2,d3")] },
    {
      method: "PUT",
      path: "/sda/1/a/mismatch",
      headers: [["X-Timestamp", "16"], ["X-Account-Host", host], ["X-Account-Device", "d1,d2"], [
        "X-Account-Partition",
        "7",
      ]],
    },
    { method: "DELETE", path: "/sda/1/a/c%C3%A9/o", headers: [["X-Timestamp", "17"]] },
    { method: "DELETE", path: "/sda/1/a/c%C3%A9", headers: [["X-Timestamp", "18"], ...to("d1")] },
    { method: "DELETE", path: "/sda/1/a/fourth", headers: [["X-Timestamp", "19"], ...to("gone")] },
  ];
}

Deno.test("containerServer() sends the account updates Swift sends and answers as Swift does", async () => {
  await using cluster = await makeCluster();
  const { server, seen } = standIn();
  try {
    const batch = requests(server.addr.port);
    const swiftd = await askSwiftd(swiftdContainerServer(cluster, cluster.devices("mine")), batch);
    const mine = seen.splice(0);
    const swift = await askSwift({
      server: "container",
      swiftDir: cluster.swiftDir,
      runs: [{ devices: cluster.devices("theirs"), requests: batch }],
    });
    assertEquals(swiftd.map((a) => a.status), swift.runs[0].map((a) => a.status));
    assertEquals(mine, seen);
    assertEquals(mine.length, 12);
    assertEquals(swiftd.map((a) => a.status), [201, 201, 202, 404, 201, 201, 400, 204, 204, 404]);
  } finally {
    await server.shutdown();
  }
});
