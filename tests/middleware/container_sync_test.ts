/**
 * egg:swift#container_sync: unit tests of the realms file and the signature, and the same
 * scenarios against Swift 2.30's container_sync (_web_filters_oracle.py): signed sync
 * requests (valid with key or key2, bad realm, missing user key, bad signature, moved
 * X-Timestamp), X-Container-Sync-To checks, /info realms kept fresh as Swift keeps them, and
 * the realms file reloaded on its mtime every mtime_check_interval.
 */
import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { ContainerSyncRealms, containerSyncSig } from "../../lib/common/container_sync_realms.ts";
import { CONTAINER_SYNC_FILTER } from "../../lib/config/options/container_sync.ts";
import {
  containerSyncFilterWith,
  containerSyncInfo,
  containerSyncSettings,
} from "../../lib/middleware/container_sync.ts";
import {
  type BuildDeps,
  comparable,
  type Registered,
  stageOf,
  type Step,
  swiftdOutcome,
  swiftOutcomes,
  type WebCase,
  type WebRequest,
} from "./_web_filters_oracle.ts";

const REALMS = "[US]\nkey = 9ff3b71c849749dbaec4ccdd3cbab62b\n" +
  "key2 = 1a0a5a0cbd66448084089304442d6776\ncluster_dfw1 = http://dfw1.host/v1/\n" +
  "cluster_ord = http://ord.host/v1/\n\n[uk]\nkey = 400b3b357a80413f9d956badff1d9dfe\n" +
  "cluster_lon3 = http://lon3.host/v1/\n\n[nokey]\ncluster_x = http://x/\n\n[empty]\nkey = k\n";
const KEY = "9ff3b71c849749dbaec4ccdd3cbab62b";
const KEY2 = "1a0a5a0cbd66448084089304442d6776";
const TS = "1455221706.72699_0123456789abcdef";

Deno.test("ContainerSyncRealms reads realms, keys and clusters, [DEFAULT] keys in each realm", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "realms.conf");
    await Deno.writeTextFile(path, "[DEFAULT]\ncluster_all = http://all/\n" + REALMS);
    const realms = new ContainerSyncRealms(path, { debug: () => {}, error: () => {} });
    assertEquals(realms.realms(), ["US", "UK", "NOKEY", "EMPTY"]);
    assertEquals(realms.key("us"), KEY);
    assertEquals(realms.key2("US"), KEY2);
    assertEquals(realms.key2("uk"), undefined);
    assertEquals(realms.clusters("us"), ["ALL", "DFW1", "ORD"]);
    assertEquals(realms.endpoint("uk", "lon3"), "http://lon3.host/v1/");
    assertEquals(realms.clusters("nowhere"), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ContainerSyncRealms picks a changed file up only after mtime_check_interval", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "realms.conf");
    await Deno.writeTextFile(path, "[DEFAULT]\nmtime_check_interval = 10\n[a]\nkey = 1\n");
    let now = 1000;
    const realms = new ContainerSyncRealms(path, { debug: () => {}, error: () => {} }, {
      clock: () => now,
    });
    await Deno.writeTextFile(path, "[a]\nkey = 2\n");
    await Deno.utime(path, 5, 5);
    now = 1009;
    assertEquals(realms.key("a"), "1");
    now = 1010;
    assertEquals(realms.key("a"), "2");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("containerSyncSig() is the HMAC-SHA1 Swift's get_sig() computes", () => {
  // Values of ContainerSyncRealms.get_sig() in Swift 2.30.
  assertEquals(
    containerSyncSig("GET", "/v1/a/c", TS, "nonce", KEY, "abc"),
    "0dca37057960d281753ec4d81b17f15b95d75f6d",
  );
  assertEquals(
    containerSyncSig("PUT", "/v1/a/c%20d", "0", "n\u00e9", "k\u2603", "\u00e9"),
    "5c3b76cc53d997309f4629f91cff3de1ea859ea1",
  );
});

Deno.test("containerSyncInfo() of a stage reads the realms file and marks the current cluster", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "container-sync-realms.conf"), REALMS);
    const stage = stageOf(CONTAINER_SYNC_FILTER, { swift_dir: dir, current: "//us/ord" });
    assertEquals(containerSyncInfo(stage), {
      realms: {
        US: { clusters: { DFW1: {}, ORD: { current: true } } },
        UK: { clusters: { LON3: {} } },
        NOKEY: { clusters: { X: {} } },
      },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const ACCOUNT: Registered = { method: "HEAD", path: "/v1/a", status: 204 };

function containerHead(headers: Record<string, string> = {}, path = "/v1/a/c"): Registered {
  return { method: "HEAD", path, status: 204, headers };
}

const BACKEND: Registered[] = [
  ...["GET", "PUT", "POST", "DELETE"].flatMap((method) => [
    { method, path: "/v1/a/c", status: 200, body: "container" },
    { method, path: "/v1/a/c/o", status: 201, body: "object" },
    { method, path: "/v1/a/c d/o~", status: 201, body: "quoted" },
  ]),
  { method: "GET", path: "/info", status: 200, body: "{}" },
  { method: "GET", path: "/v1/a", status: 200, body: "[]" },
  { method: "PUT", path: "/v2/a/c", status: 201 },
];

function auth(
  method: string,
  path: string,
  opts: { key?: string; ts?: string; realm?: string } = {},
) {
  const sig = containerSyncSig(method, path, opts.ts ?? "0", "nonce", opts.key ?? KEY, "abc");
  return `${opts.realm ?? "US"} nonce ${sig}`;
}

const SYNCED = containerHead({ "X-Container-Sync-Key": "abc" });
const SYNCED_SPACE = containerHead({ "X-Container-Sync-Key": "abc" }, "/v1/a/c d");

function scenario(
  requests: WebRequest[],
  extra: { conf?: Record<string, string>; responses?: Registered[]; steps?: Step[] } = {},
): WebCase {
  return {
    conf: { swift_dir: "{dir}", ...extra.conf },
    requests,
    responses: [...(extra.responses ?? [ACCOUNT, SYNCED]), ...BACKEND],
    steps: extra.steps ?? [
      { write: REALMS, mtime: 1000 },
      { build: true },
      ...requests.map((_, i) => ({ request: i })),
    ],
  };
}

const CASES: WebCase[] = [
  scenario([{ path: "/v1/a/c" }, { path: "/v1/a/c/o", method: "PUT", body: "data" }]),
  // Signed requests: wrong shape, unknown realm, no sync key, bad and good signatures.
  scenario([
    { path: "/v1/a/c", headers: [["X-Container-Sync-Auth", "a"]] },
    { path: "/v1/a/c", headers: [["X-Container-Sync-Auth", "a b c d"]] },
    { path: "/v1/a/c", headers: [["X-Container-Sync-Auth", "invalid nonce sig"]] },
    { path: "/v1/a/c", headers: [["X-Container-Sync-Auth", "nokey nonce sig"]] },
    { path: "/v1/a/c", headers: [["X-Container-Sync-Auth", "US nonce sig"]] },
    { path: "/v1/a/c", method: "HEAD", headers: [["X-Container-Sync-Auth", "US nonce sig"]] },
  ]),
  scenario([{ path: "/v1/a/c", headers: [["X-Container-Sync-Auth", auth("GET", "/v1/a/c")]] }], {
    responses: [ACCOUNT, containerHead()],
  }),
  scenario([
    { path: "/v1/a/c", headers: [["X-Container-Sync-Auth", auth("GET", "/v1/a/c")]] },
    {
      path: "/v1/a/c",
      headers: [["X-Container-Sync-Auth", auth("GET", "/v1/a/c", { key: KEY2 })]],
    },
    {
      path: "/v1/a/c",
      headers: [["X-Container-Sync-Auth", `us\tnonce  ${auth("GET", "/v1/a/c").split(" ")[2]}`]],
    },
    { path: "/v1/a/c", headers: [["X-Container-Sync-Auth", auth("GET", "/v1/a/c", { key: "x" })]] },
    { path: "/v1/a/c", headers: [["X-Container-Sync-Auth", auth("PUT", "/v1/a/c")]] },
    {
      path: "/v1/a/c/o",
      method: "PUT",
      body: "synced",
      headers: [
        ["X-Container-Sync-Auth", auth("PUT", "/v1/a/c/o", { ts: TS })],
        ["X-Timestamp", TS],
      ],
    },
    {
      path: "/v1/a/c/o",
      method: "DELETE",
      headers: [
        ["X-Container-Sync-Auth", auth("DELETE", "/v1/a/c/o", { ts: TS })],
        ["X-Backend-Inbound-X-Timestamp", TS],
        ["X-Timestamp", "1"],
      ],
    },
    {
      path: "/v1/a/c/o",
      method: "DELETE",
      headers: [["X-Container-Sync-Auth", auth("DELETE", "/v1/a/c/o", { ts: TS })]],
    },
  ]),
  scenario([{
    path: "/v1/a/c%20d/o~",
    method: "POST",
    headers: [["X-Container-Sync-Auth", auth("POST", "/v1/a/c%20d/o~", { realm: "us" })]],
  }], { responses: [ACCOUNT, SYNCED_SPACE] }),
  // X-Container-Sync-To on containers with versioning, and full URLs.
  scenario([
    { path: "/v1/a/c", method: "PUT", headers: [["X-Container-Sync-To", "//US/DFW1/a/c"]] },
    { path: "/v1/a/c", method: "POST", headers: [["X-Container-Sync-To", "http://h/v1/a/c"]] },
    { path: "/v1/a/c", method: "POST", headers: [["X-Container-Sync-To", ""]] },
    { path: "/v1/a/c/o", method: "PUT", headers: [["X-Container-Sync-To", "//US/DFW1/a/c"]] },
  ], {
    responses: [
      ACCOUNT,
      containerHead({ "X-Container-Sysmeta-Versions-Container": "v" }),
      containerHead({}, "/v1/a/v"),
    ],
  }),
  scenario([
    { path: "/v1/a/c", method: "PUT", headers: [["X-Container-Sync-To", "http://h/v1/a/c"]] },
    { path: "/v1/a/c", method: "HEAD", headers: [["X-Container-Sync-To", "https://h/v1/a/c"]] },
    { path: "/v1/a/c", method: "POST", headers: [["X-Container-Sync-To", "//US/DFW1/a/c"]] },
    { path: "/v1/a/c/o", method: "PUT", headers: [["X-Container-Sync-To", "/v1/a/c"]] },
  ], { conf: { allow_full_urls: "false" } }),
  // Paths left alone.
  scenario([
    { path: "/v1/a" },
    { path: "/v2/a/c", method: "PUT", headers: [["X-Container-Sync-Auth", "x"]] },
    { path: "/info" },
  ]),
  // `current` in /info, valid, unknown and malformed.
  scenario([{ path: "/info" }], { conf: { current: "//us/dfw1" } }),
  scenario([], { conf: { current: "//UK/LON3/" } }),
  scenario([], { conf: { current: "foo/bar" } }),
  scenario([], { conf: { current: "foo" } }),
  // No realms file: no realms, a debug line, every signed request refused.
  scenario([{ path: "/v1/a/c", headers: [["X-Container-Sync-Auth", auth("GET", "/v1/a/c")]] }], {
    steps: [{ build: true }, { request: 0 }],
  }),
  // /info follows the file, within mtime_check_interval (300 s, or the file's own).
  scenario([{ path: "/info" }, { path: "/info" }, { path: "/info" }], {
    steps: [
      { clock: 100 },
      { write: REALMS, mtime: 1000 },
      { build: true },
      { write: "[NEW]\nkey = k\ncluster_c1 = http://c1/\n", mtime: 2000 },
      { clock: 399 },
      { request: 0 },
      { clock: 400 },
      { request: 1 },
      {
        write: "[DEFAULT]\nmtime_check_interval = 5\nkey = d\n[X]\ncluster_y = http://y\n",
        mtime: 3000,
      },
      { clock: 700 },
      { request: 2 },
    ],
  }),
];

Deno.test("containerSyncFilterWith() answers every scenario as Swift 2.30's container_sync", async () => {
  const swiftDir = await Deno.makeTempDir();
  const swiftdDir = await Deno.makeTempDir();
  try {
    const withDir = (c: WebCase, dir: string): WebCase =>
      JSON.parse(JSON.stringify(c).replaceAll("{dir}", dir));
    const swift = await swiftOutcomes("container_sync", CASES.map((c) => withDir(c, swiftDir)));
    for (const [i, c] of CASES.entries()) {
      await Deno.remove(join(swiftdDir, "container-sync-realms.conf")).catch(() => {});
      await Deno.remove(join(swiftDir, "container-sync-realms.conf")).catch(() => {});
      const build = (k: WebCase, deps: BuildDeps) =>
        containerSyncFilterWith(
          containerSyncSettings(stageOf(CONTAINER_SYNC_FILTER, k.conf)),
          deps,
        );
      const ours = await swiftdOutcome(withDir(c, swiftdDir), build, { dir: swiftdDir });
      const logs = (dir: string) => (l: [string, string]): [string, string] => [
        l[0],
        l[1].replaceAll(dir, "DIR"),
      ];
      assertEquals(
        comparable(c, ours, { logs: logs(swiftdDir) }),
        comparable(c, swift[i], { logs: logs(swiftDir) }),
        `case ${i}: ${JSON.stringify(c)}`,
      );
    }
    // The scenarios do reach Swift's answers they were written for.
    const statuses = (i: number) => swift[i].requests.map((r) => r.status);
    assertEquals(statuses(3), [200, 200, 200, 401, 401, 201, 201, 401]);
    assertEquals(statuses(5), [400, 400, 200, 201]);
  } finally {
    await Deno.remove(swiftDir, { recursive: true });
    await Deno.remove(swiftdDir, { recursive: true });
  }
});
