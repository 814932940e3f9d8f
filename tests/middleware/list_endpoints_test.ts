/**
 * egg:swift#list_endpoints: the rings of Swift's test_list_endpoints.py (two policies, a
 * removed device), unit tests of the path parsing and the answers, and the same requests
 * against Swift 2.30's list_endpoints reading the same swift.conf and ring files (there
 * _filter_oracle.py writes them with Swift's RingData.save(), so swiftd reads Swift's files).
 */
import { assertEquals, assertThrows } from "@std/assert";
import { join } from "@std/path";
import { LIST_ENDPOINTS_FILTER } from "../../lib/config/options/list_endpoints.ts";
import { listEndpointsFilter, parseEndpointsPath } from "../../lib/middleware/list_endpoints.ts";
import { writeRingData } from "../../lib/ring/ring_data.ts";
import {
  assertSameAsSwift,
  type ClusterSpec,
  FakeBackend,
  type FilterCase,
  type Registered,
  serve,
  stageOf,
} from "./_filter_oracle.ts";

const DEVS: (
  | { id: number; zone: number; weight: number; ip: string; port: number; device: string }
  | null
)[] = [
  { id: 0, zone: 0, weight: 1.0, ip: "10.1.1.1", port: 6200, device: "sda1" },
  { id: 1, zone: 0, weight: 1.0, ip: "10.1.1.1", port: 6200, device: "sdb1" },
  null,
  { id: 3, zone: 2, weight: 1.0, ip: "10.1.2.1", port: 6200, device: "sdc1" },
  { id: 4, zone: 2, weight: 1.0, ip: "10.1.2.2", port: 6200, device: "sdd1" },
];

function clusterIn(dir: string): ClusterSpec {
  const ring = (replica2part2dev: number[][]) => ({ replica2part2dev, devs: DEVS, part_shift: 30 });
  return {
    dir,
    hash_prefix: "",
    hash_suffix: "endcap",
    swift_conf: "[swift-hash]\nswift_hash_path_suffix = endcap\n\n" +
      "[storage-policy:0]\nname = zero\n\n[storage-policy:1]\nname = one\ndefault = yes\n",
    rings: {
      account: ring([[3, 1, 3, 1], [0, 3, 1, 4], [1, 4, 0, 3]]),
      container: ring([[4, 3, 0, 1], [0, 1, 3, 4], [3, 4, 0, 1]]),
      object: ring([[0, 1, 0, 1], [0, 1, 0, 1], [3, 4, 3, 4]]),
      "object-1": ring([[1, 0, 1, 0], [1, 0, 1, 0], [4, 3, 4, 3]]),
    },
  };
}

/** Runs `body` with the cluster's swift.conf and rings written by swiftd into a temp dir. */
async function withCluster(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const cluster = clusterIn(dir);
    await Deno.writeTextFile(join(dir, "swift.conf"), cluster.swift_conf);
    for (const [name, ring] of Object.entries(cluster.rings)) {
      writeRingData(join(dir, `${name}.ring.gz`), {
        devs: DEVS.map((d) =>
          d && { ...d, region: 1, replication_ip: d.ip, replication_port: d.port, meta: "" }
        ),
        replica2part2dev: ring.replica2part2dev.map((row) => Uint16Array.from(row)),
        partShift: ring.part_shift,
        nextPartPower: null,
        version: null,
      });
    }
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function container(policy: string): Registered[] {
  return [
    { method: "HEAD", path: "/v1/a", status: 204 },
    {
      method: "HEAD",
      path: "/v1/a/c",
      status: 204,
      headers: { "X-Backend-Storage-Policy-Index": policy },
    },
  ];
}

Deno.test("parseEndpointsPath() reads the version, or takes the first segment as the account", () => {
  for (
    const [version, expected] of [
      ["", 1],
      ["/1", 1],
      ["/v1", 1],
      ["/1.0", 1],
      ["/v1.0", 1],
      ["/2", 2],
      ["/v2", 2],
      ["/2.0", 2],
      ["/v2.0", 2],
    ] as const
  ) {
    for (const account of ["AUTH_test", "test"]) {
      assertEquals(parseEndpointsPath(`${version}/${account}/c/o`), {
        version: expected,
        account,
        container: "c",
        obj: "o",
      });
    }
  }
  assertEquals(parseEndpointsPath("/v_3/a/c/o"), {
    version: 1,
    account: "v_3",
    container: "a",
    obj: "c/o",
  });
  assertEquals(parseEndpointsPath("/v1/c/o"), {
    version: 1,
    account: "c",
    container: "o",
    obj: undefined,
  });
  assertEquals(parseEndpointsPath("/a/c%20d/%C3%A9"), {
    version: 1,
    account: "a",
    container: "c d",
    obj: "é",
  });
});

Deno.test("parseEndpointsPath() refuses unknown versions and missing accounts", () => {
  assertThrows(() => parseEndpointsPath("/v3/a/c/o"), RangeError, "Unsupported version 'v3'");
  assertThrows(() => parseEndpointsPath("/v3.0/c/o"), RangeError, "Unsupported version 'v3.0'");
  for (const path of ["/v1", "/v2", "/"]) {
    assertThrows(() => parseEndpointsPath(path), RangeError, "No account specified");
  }
});

Deno.test("listEndpointsFilter() lists the nodes of objects by their container's policy", async () => {
  await withCluster(async (dir) => {
    const filter = listEndpointsFilter(stageOf(LIST_ENDPOINTS_FILTER, { swift_dir: dir }));
    const expected = {
      "0": ["http://10.1.1.1:6200/sdb1/1/a/c/o1", "http://10.1.2.2:6200/sdd1/1/a/c/o1"],
      "1": ["http://10.1.1.1:6200/sda1/1/a/c/o1", "http://10.1.2.1:6200/sdc1/1/a/c/o1"],
    };
    for (const [policy, endpoints] of Object.entries(expected)) {
      const response = await serve(filter, new Request("http://localhost/endpoints/a/c/o1"), {
        next: new FakeBackend(container(policy)).handler,
      });
      assertEquals(response.headers.get("Content-Type"), "application/json");
      assertEquals(await response.json(), endpoints);
    }
  });
});

Deno.test("listEndpointsFilter() answers v2 with the policy header to send", async () => {
  await withCluster(async (dir) => {
    const filter = listEndpointsFilter(stageOf(LIST_ENDPOINTS_FILTER, { swift_dir: dir }));
    const response = await serve(filter, new Request("http://localhost/endpoints/v2/a/c/o1"), {
      next: new FakeBackend(container("0")).handler,
    });
    assertEquals(await response.json(), {
      endpoints: ["http://10.1.1.1:6200/sdb1/1/a/c/o1", "http://10.1.2.2:6200/sdd1/1/a/c/o1"],
      headers: { "X-Backend-Storage-Policy-Index": "0" },
    });
    const account = await serve(filter, new Request("http://localhost/endpoints/v2/a"));
    assertEquals(await account.json(), {
      endpoints: [
        "http://10.1.2.1:6200/sdc1/0/a",
        "http://10.1.1.1:6200/sda1/0/a",
        "http://10.1.1.1:6200/sdb1/0/a",
      ],
      headers: {},
    });
  });
});

Deno.test("listEndpointsFilter() refuses methods other than GET with Allow: GET", async () => {
  await withCluster(async (dir) => {
    const filter = listEndpointsFilter(stageOf(LIST_ENDPOINTS_FILTER, { swift_dir: dir }));
    const response = await serve(
      filter,
      new Request("http://localhost/endpoints/a/c/o1", { method: "POST" }),
    );
    await response.body?.cancel();
    assertEquals(response.status, 405);
    assertEquals(response.headers.get("Allow"), "GET");
  });
});

const CASES: FilterCase[] = [
  { filter: "list_endpoints", path: "/endpoints/a1" },
  { filter: "list_endpoints", path: "/endpoints/a/c2" },
  { filter: "list_endpoints", path: "/endpoints/a/c/o1", responses: container("0") },
  { filter: "list_endpoints", path: "/endpoints/a/c/o1", responses: container("1") },
  { filter: "list_endpoints", path: "/endpoints/v2/a/c/o1", responses: container("1") },
  { filter: "list_endpoints", path: "/endpoints/a/c/o1/", responses: container("0") },
  { filter: "list_endpoints", path: "/endpoints/a/c/", responses: container("0") },
  { filter: "list_endpoints", path: "/endpoints/a/c/o1", responses: container("7") },
  {
    filter: "list_endpoints",
    path: "/endpoints/a/c/o1",
    responses: [{ method: "HEAD", path: "/v1/a", status: 404 }],
  },
  {
    filter: "list_endpoints",
    path: "/endpoints/a/c/o1",
    responses: [{ method: "HEAD", path: "/v1/a", status: 204 }, {
      method: "HEAD",
      path: "/v1/a/c",
      status: 503,
    }],
  },
  // A fresh environ: the client's infocache is not used.
  {
    filter: "list_endpoints",
    path: "/endpoints/a/c/o1",
    responses: container("0"),
    env: { infocache: { "container/a/c": { status: 200, storage_policy: "1" } } },
  },
  { filter: "list_endpoints", path: "/endpoints/a/c%202" },
  { filter: "list_endpoints", path: "/endpoints/ac%20count/con%20tainer" },
  { filter: "list_endpoints", path: "/endpoints/a/c%2Fd" },
  { filter: "list_endpoints", path: "/endpoints/a/%C3%A9t%C3%A9" },
  { filter: "list_endpoints", path: "/endpoints/a/%FF" },
  {
    filter: "list_endpoints",
    path: "/endpoints/a/c/%E4%BD%A0%E5%A5%BD",
    responses: container("1"),
  },
  // Swift puts the names in a WSGI PATH_INFO, which fails beyond latin-1: a 500.
  { filter: "list_endpoints", path: "/endpoints/%E4%BD%A0/c/o", responses: container("1") },
  { filter: "list_endpoints", path: "/endpoints/v1/a" },
  { filter: "list_endpoints", path: "/endpoints/v1.0/a" },
  { filter: "list_endpoints", path: "/endpoints/2.0/a/c" },
  { filter: "list_endpoints", path: "/endpoints/v2/a" },
  { filter: "list_endpoints", path: "/endpoints/vv1/a" },
  { filter: "list_endpoints", path: "/endpoints/0_1/a" },
  { filter: "list_endpoints", path: "/endpoints/1e0/a" },
  { filter: "list_endpoints", path: "/endpoints/v3/a" },
  { filter: "list_endpoints", path: "/endpoints/v3%27/a" },
  { filter: "list_endpoints", path: "/endpoints/v_3/a/c" },
  { filter: "list_endpoints", path: "/endpoints/v1" },
  { filter: "list_endpoints", path: "/endpoints/" },
  { filter: "list_endpoints", path: "/endpoints" },
  { filter: "list_endpoints", path: "/endpoints/v2/" },
  { filter: "list_endpoints", path: "/endpoints//a" },
  { filter: "list_endpoints", path: "/endpoints/a?format=json" },
  { filter: "list_endpoints", path: "/endpoints/a/c/o1", method: "POST" },
  { filter: "list_endpoints", path: "/endpoints/a", method: "HEAD" },
  { filter: "list_endpoints", path: "/not-endpoints" },
  { filter: "list_endpoints", path: "/v1/a/c" },
  {
    filter: "list_endpoints",
    conf: { list_endpoints_path: "/some/another/path/" },
    path: "/some/another/path/a/c2",
  },
  {
    filter: "list_endpoints",
    conf: { list_endpoints_path: "/some/another/path" },
    path: "/some/another/path/a/c2",
  },
  {
    filter: "list_endpoints",
    conf: { list_endpoints_path: "/some/another/path" },
    path: "/some/another/pathx/a",
  },
  {
    filter: "list_endpoints",
    conf: { list_endpoints_path: "/some/another/path" },
    path: "/endpoints/a",
  },
];

Deno.test("listEndpointsFilter() answers every request as Swift 2.30's list_endpoints", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cluster = clusterIn(dir);
    const cases = CASES.map((c) => ({ ...c, conf: { swift_dir: dir, ...c.conf } }));
    const swift = await assertSameAsSwift(
      cases,
      (c) => listEndpointsFilter(stageOf(LIST_ENDPOINTS_FILTER, c.conf)),
      cluster,
    );
    for (const outcome of swift) assertEquals(outcome.swift_info, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("listEndpointsFilter() cannot be built without the account and container rings", async () => {
  await withCluster(async (dir) => {
    await Deno.remove(`${dir}/container.ring.gz`);
    assertThrows(() => listEndpointsFilter(stageOf(LIST_ENDPOINTS_FILTER, { swift_dir: dir })));
  });
});
