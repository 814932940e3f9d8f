/**
 * egg:swift#recon against Swift 2.30's own recon middleware (_recon_oracle.py): the same
 * requests over the same devices directory, recon cache files, rings and swift.conf must get
 * the same status, headers, body and log messages. Values that differ between two processes
 * (load, mem, sockstat, time, free disk space) are checked for shape and sanity instead.
 */
import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { BaseHandler, Logger, type LogRecord } from "@std/log";
import { fromFileUrl, join } from "@std/path";
import { ConfigError } from "../../lib/config/errors.ts";
import { parseOptions, type StageConfig } from "../../lib/config/load.ts";
import { RECON_FILTER } from "../../lib/config/options/recon.ts";
import { SwiftLogger } from "../../lib/log/logger.ts";
import type { Handler } from "../../lib/middleware/compose.ts";
import { reconFilter, reconFilterWith } from "../../lib/middleware/recon.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { runPythonJson } from "../_helpers/python.ts";
import { makeTempDir } from "../_helpers/temp_dir.ts";

const ORACLE = fromFileUrl(new URL("./_recon_oracle.py", import.meta.url));

/** What one request got: a response, or the error the middleware raised. */
type Answer =
  | { status: number; headers: [string, string][]; body: string; logs: string[] }
  | { error: string; logs: string[] };

/** One recon filter and the requests it gets. */
interface Case {
  readonly conf: Record<string, string>;
  /** Replaces /etc/swift/swift.conf on both sides. */
  readonly swiftConf?: string;
  /** [method, path]. */
  readonly requests: [string, string][];
}

class CaptureHandler extends BaseHandler {
  readonly messages: string[] = [];
  override handle(record: LogRecord): void {
    // SwiftLogger.exception() appends ": " and the stack; Swift's message is the part before.
    this.messages.push(record.msg.replace(/: $/, ""));
  }
  log(): void {}
}

function captureLogger(): { logger: SwiftLogger; messages: string[] } {
  const handler = new CaptureHandler("DEBUG");
  const logger = new SwiftLogger(new Logger("recon", "DEBUG", { handlers: [handler] }), "recon", 0);
  return { logger, messages: handler.messages };
}

/** The stage a [filter:recon] section with `conf` gives, parsed through RECON_FILTER. */
function reconStage(conf: Record<string, string>): StageConfig {
  const entries = new Map(Object.entries(conf).map(([key, value]) => [key, { value }]));
  return {
    kind: "filter",
    name: "recon",
    section: "filter:recon",
    entryPoint: "recon",
    conf: entries,
    options: parseOptions(RECON_FILTER, entries, { file: "test.conf" }, () => {}),
    origin: { file: "test.conf" },
  };
}

const next: Handler = () =>
  Promise.resolve(new Response("next", { headers: { "Content-Type": "text/plain" } }));

/** swiftd's recon handler for `spec`, logging into `messages`. */
function swiftdRecon(spec: Case): { handler: Handler; messages: string[] } {
  const { logger, messages } = captureLogger();
  const stage = reconStage(spec.conf);
  const filter = spec.swiftConf === undefined
    ? reconFilter(stage, { logger, server: "object-server", onClose: () => {} })
    : reconFilterWith({
      devices: stage.options.devices as string,
      swiftDir: stage.options.swift_dir as string,
      reconCachePath: stage.options.recon_cache_path as string,
      swiftConfFile: spec.swiftConf,
    }, logger);
  return { handler: filter(next), messages };
}

async function answer(handler: Handler, req: Request, messages: string[]): Promise<Answer> {
  messages.length = 0;
  const ctx = newRequestContext(captureLogger().logger, {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: 1,
  });
  let response: Response;
  try {
    response = await handler(req, ctx);
  } catch (err) {
    return { error: (err as Error).name, logs: [...messages] };
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  return {
    status: response.status,
    headers: [...response.headers].map(([k, v]) => [canonical(k), v] as [string, string]).sort(),
    body: String.fromCharCode(...bytes),
    logs: [...messages],
  };
}

function canonical(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash, c) => dash + c.toUpperCase());
}

/**
 * Asks Swift's recon (one Python process for all cases, after building `rings` with
 * swift-ring-builder) and swiftd's the same requests; returns both sides' answers per case.
 */
async function askBoth(
  dir: string,
  cases: readonly Case[],
  rings: [string, string][] = [],
): Promise<{ swift: Answer[][]; swiftd: Answer[][] }> {
  const swift = await askSwift(dir, cases, rings);
  const swiftd: Answer[][] = [];
  for (const spec of cases) {
    const { handler, messages } = swiftdRecon(spec);
    const answers: Answer[] = [];
    for (const [method, path] of spec.requests) {
      const req = new Request(`http://127.0.0.1${path}`, { method });
      answers.push(await answer(handler, req, messages));
    }
    swiftd.push(answers);
  }
  return { swift, swiftd };
}

async function askSwift(
  dir: string,
  cases: readonly Case[],
  rings: [string, string][] = [],
): Promise<Answer[][]> {
  const specFile = join(dir, "oracle-spec.json");
  const oracleCases = cases.map((c) => ({ ...c, swift_conf: c.swiftConf ?? null }));
  await Deno.writeTextFile(specFile, JSON.stringify({ rings, cases: oracleCases }));
  return await runPythonJson(ORACLE, [specFile]) as Answer[][];
}

/** Both sides answered every request of every case identically (errors as "it raised"). */
async function assertSameAsSwift(
  dir: string,
  cases: readonly Case[],
  rings: [string, string][] = [],
): Promise<Answer[][]> {
  const { swift, swiftd } = await askBoth(dir, cases, rings);
  cases.forEach((spec, c) => {
    spec.requests.forEach(([method, path], i) => {
      const [want, got] = [swift[c][i], swiftd[c][i]];
      const what = `case ${c}: ${method} ${path}`;
      if ("error" in want) {
        assert("error" in got, `${what}: Swift raised ${want.error}, swiftd answered`);
        assertEquals(got.logs, want.logs, `${what} logs`);
      } else {
        assertEquals(got, want, what);
      }
    });
  });
  return swiftd;
}

/** The body of an answer that is a response. */
function bodyOf(answer: Answer): string {
  assert("body" in answer, `expected a response, got ${JSON.stringify(answer)}`);
  return answer.body;
}

async function write(path: string, text: string): Promise<void> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await Deno.writeTextFile(path, text);
}

// Shapes copied from what Swift 2.30's daemons dump: the object replicator, auditor (one entry
// per device with several workers), updater, expirer, reconstructor; the container replicator,
// auditor, updater and sharder; the account auditor; swift-drive-audit; swift-object-relinker.
const OBJECT_RECON = `{"async_pending": 12, "async_pending_last": 1712345678.9046571,
 "object_auditor_stats_ALL": {"sda": {"audit_time": 0.0, "bytes_processed": 0, "errors": 0,
   "passes": 1, "quarantined": 0, "start_time": 1712345670.1234567}, "sdb": {"audit_time":
   12.5, "bytes_processed": 1048576, "errors": 0, "passes": 17, "quarantined": 1,
   "start_time": 1712345671.0}},
 "object_auditor_stats_ZBF": {"audit_time": 0.005, "bytes_processed": 0, "errors": 0,
   "passes": 0, "quarantined": 0, "start_time": 1712345671.5},
 "object_expiration_pass": 0.018702030181884766, "expired_last_pass": 0,
 "object_reconstruction_last": 1712345600.0, "object_reconstruction_time": 0.0007,
 "object_replication_last": 1712345611.3, "object_replication_time": 0.0123,
 "replication_last": 1712345611.3, "replication_stats": {"attempted": 4, "failure": 1,
   "failure_nodes": {"10.0.0.2": {"sdb": 1}}, "hashmatch": 4, "remove": 0, "rsync": 0,
   "success": 8, "suffix_count": 3, "suffix_hash": 0, "suffix_sync": 0},
 "replication_time": 0.0123, "object_updater_sweep": 0.030000000000000002}`;
const CONTAINER_RECON = `{"container_audits_failed": 0, "container_audits_passed": 5,
 "container_audits_since": 1712345600.05, "container_auditor_pass_completed": 0.023,
 "container_updater_sweep": 0.11, "replication_last": 1712345655.0,
 "replication_stats": {"attempted": 1, "diff": 0, "diff_capped": 0, "empty": 0, "failure": 0,
   "failure_nodes": {}, "hashmatch": 0, "no_change": 2, "remote_merge": 0, "remove": 0,
   "rsync": 0, "start": 1712345654.99, "success": 2, "ts_repl": 0},
 "replication_time": 0.009, "sharding_last": 1712345660.25,
 "sharding_stats": {"attempted": 0, "deferred": 0, "diff": 0, "failure": 0, "hashmatch": 0,
   "no_change": 0, "remote_merge": 0, "remove": 0, "rsync": 0, "start": 1712345660.0,
   "success": 0, "ts_repl": 0, "sharding": {"audit_root": {"attempted": 0, "failure": 0,
   "has_overlap": 0, "num_overlap": 0, "success": 0}, "sharding_candidates": {"found": 0,
   "top": []}}}, "sharding_time": 0.02}`;
const ACCOUNT_RECON = `{"account_audits_failed": 0, "account_audits_passed": 3,
 "account_audits_since": 1712345500.5, "account_auditor_pass_completed": 0.0021,
 "replication_last": 1712345511.0, "replication_time": 0.004,
 "replication_stats": {"attempted": 2, "success": 4, "failure": 0, "failure_nodes": {}}}`;
const RELINKER_RECON = `{"devices": {"sda": {"parts_done": 10, "policies": {"1": {
   "next_part_power": 11, "start_time": 1712345000.5, "stats": {"errors": 0, "files": 3,
   "linked": 3, "policies": 1, "removed": 0}, "step": "relink", "timestamp": 1712345010.0}},
   "start_time": 1712345000.5, "stats": {"errors": 0}, "timestamp": 1712345010.0}},
 "workers": {"100": {"devices": ["sda"], "return_code": 0, "timestamp": 1712345010.0},
   "2": {"devices": ["sdb"], "return_code": null, "timestamp": 1712345011.0}}}`;

const CACHE_CHECKS = [
  "/recon/async",
  "/recon/replication",
  "/recon/replication/account",
  "/recon/replication/container",
  "/recon/replication/object",
  "/recon/replication/",
  "/recon/replication/object/sda",
  "/recon/replication/proxy",
  "/recon/auditor/account",
  "/recon/auditor/container",
  "/recon/auditor/object",
  "/recon/auditor",
  "/recon/updater/container",
  "/recon/updater/object",
  "/recon/updater/account",
  "/recon/expirer/object",
  "/recon/expirer/container",
  "/recon/reconstruction/object",
  "/recon/reconstruction",
  "/recon/sharding",
  "/recon/relinker",
  "/recon/driveaudit",
  "/recon/version",
];

Deno.test("recon answers every recon cache check byte for byte as Swift's recon does", async () => {
  await using dir = await makeTempDir("recon");
  const cache = join(dir.path, "cache");
  await write(join(cache, "object.recon"), OBJECT_RECON);
  await write(join(cache, "container.recon"), CONTAINER_RECON);
  await write(join(cache, "account.recon"), ACCOUNT_RECON);
  await write(join(cache, "drive.recon"), `{"drive_audit_errors": 2}`);
  await write(join(cache, "relinker.recon"), RELINKER_RECON);
  const spec: Case = {
    conf: { recon_cache_path: cache, devices: join(dir.path, "devs"), swift_dir: dir.path },
    requests: [
      ...CACHE_CHECKS.map((path) => ["GET", path] as [string, string]),
      ["HEAD", "/recon/async"],
      ["DELETE", "/recon/version"],
      ["PUT", "/recon/auditor/object?x=1"],
      ["GET", "/recon/%61sync"],
    ],
  };
  const [swiftd] = await assertSameAsSwift(dir.path, [spec]);
  assertEquals(swiftd.at(-4), { ...swiftd[0], body: "" }, "HEAD keeps Content-Length, no body");
});

Deno.test("recon answers nulls and logs like Swift for missing, invalid and non-object caches", async () => {
  await using dir = await makeTempDir("recon");
  const cache = join(dir.path, "cache");
  await write(join(cache, "object.recon"), `{"async_pending": 1,`);
  await write(join(cache, "container.recon"), `[{"container_updater_sweep": 1.0}]`);
  await write(join(cache, "drive.recon"), `\ufeff{"drive_audit_errors": 2}`);
  await Deno.mkdir(join(cache, "account.recon"));
  const spec: Case = {
    conf: { recon_cache_path: cache },
    requests: [
      ["GET", "/recon/async"],
      ["GET", "/recon/updater/container"],
      ["GET", "/recon/driveaudit"],
      ["GET", "/recon/auditor/account"],
      ["GET", "/recon/relinker"],
    ],
  };
  const [swiftd] = await assertSameAsSwift(dir.path, [spec]);
  assertEquals(
    swiftd.map((a) => a.logs.length),
    [1, 1, 1, 1, 0],
    "a missing relinker.recon is normal",
  );
});

Deno.test("recon writes cache values back as Python's json does", async () => {
  await using dir = await makeTempDir("recon");
  const cache = join(dir.path, "cache");
  // Integral floats, exponent forms, ints past 2**53, NaN and infinities, integer-like keys
  // in text order, a repeated key, escapes, astral and lone surrogates, all as Python reads them.
  await write(
    join(cache, "object.recon"),
    `{"async_pending": {"10": 1.0, "2": -0.0, "1": [1e16, 1E-5, 123456789012345678901234567890,
      -0, 1.5e300, 1e400, -1e400, NaN, Infinity, -Infinity, 0.1, 100.0, 1234567890123456.7],
      "s": "caf\\u00e9 \\ud83d\\ude00 \\ud800 \\u0001\\t\\/ \u00e9 \u007f", "10": {}, "e": []},
     "async_pending_last": 1712345678.0,
     "object_updater_sweep": 9007199254740993}`,
  );
  await write(join(cache, "container.recon"), `{"container_updater_sweep": ${"9".repeat(4301)}}`);
  await write(join(cache, "account.recon"), `{"replication_time": 01}`);
  await write(join(cache, "drive.recon"), `{"drive_audit_errors": 2}\u000b`);
  const spec: Case = {
    conf: { recon_cache_path: cache },
    requests: [
      ["GET", "/recon/async"],
      ["GET", "/recon/updater/object"],
      ["GET", "/recon/updater/container"],
      ["GET", "/recon/replication/account"],
      ["GET", "/recon/driveaudit"],
    ],
  };
  await assertSameAsSwift(dir.path, [spec]);
});

/** A devices directory with mounted-looking, unmounted and odd entries. */
async function makeDevices(root: string): Promise<string> {
  const devs = join(root, "devs");
  for (const name of ["sda", "sdb", "sd e", "sdf+1", "sdé", "targets/marked", "targets/plain"]) {
    await Deno.mkdir(join(name.startsWith("targets") ? root : devs, name), { recursive: true });
  }
  // Swift's ismount() takes an ".ismount" stub file as a mount point (containers, SAIO).
  for (const name of ["sda", "sd e", "sdé"]) {
    await Deno.writeTextFile(join(devs, name, ".ismount"), "");
  }
  await Deno.writeTextFile(join(root, "targets/marked/.ismount"), "");
  await Deno.symlink(join(root, "targets/marked"), join(devs, "sdc"));
  await Deno.symlink(join(root, "targets/plain"), join(devs, "sdd"));
  await Deno.symlink(join(root, "nowhere"), join(devs, "dangling"));
  await Deno.writeTextFile(join(devs, "notadir"), "");
  // Quarantined items: each one a subdirectory, counted from the type directory's st_nlink.
  const quarantined = {
    "sda/quarantined/objects": 3,
    "sda/quarantined/objects-1": 2,
    "sda/quarantined/objectsx": 1,
    "sda/quarantined/containers": 1,
    "sda/quarantined/accounts": 0,
    "sdb/quarantined/objects-1": 1,
    "sdb/quarantined/objects-10": 2,
    "sdb/quarantined/containers": 2,
  };
  for (const [path, items] of Object.entries(quarantined)) {
    for (let i = 0; i < Math.max(items, 1); i++) {
      await Deno.mkdir(join(devs, path, items ? `item${i}` : ""), { recursive: true });
    }
  }
  return devs;
}

Deno.test("recon reports devices, unmounted and quarantined as Swift does, whatever mount_check says", async () => {
  await using dir = await makeTempDir("recon");
  const devs = await makeDevices(dir.path);
  const requests: [string, string][] = [
    ["GET", "/recon/devices"],
    ["GET", "/recon/unmounted"],
    ["GET", "/recon/quarantined"],
  ];
  await assertSameAsSwift(dir.path, [
    // recon's check_mount() ignores the server's mount_check; so does swiftd's.
    { conf: { devices: devs, mount_check: "true" }, requests },
    { conf: { devices: devs, mount_check: "false" }, requests },
    // A devices path with ".." and a trailing "/" is echoed and joined as Swift does.
    { conf: { devices: `${dir.path}/targets/../devs/` }, requests },
  ]);
});

Deno.test("recon reports disk usage of mounted devices as Swift's statvfs does", async () => {
  await using dir = await makeTempDir("recon");
  const devs = await makeDevices(dir.path);
  const cases = [devs, "/"].map((devices) => ({
    conf: { devices },
    requests: [["GET", "/recon/diskusage"]] as [string, string][],
  }));
  const answers = await askBoth(dir.path, cases);
  for (const [c, { conf: { devices } }] of cases.entries()) {
    const [swift, swiftd] = [answers.swift[c][0], answers.swiftd[c][0]];
    if ("error" in swift) {
      assert("error" in swiftd, `Swift raised ${swift.error} for ${devices}, swiftd answered`);
      continue;
    }
    assert(!("error" in swiftd));
    assertEquals([swiftd.status, swiftd.headers[1]], [swift.status, swift.headers[1]]);
    // Free space may move between the two processes; which devices, their mount state and
    // sizes may not, and used + avail is always the size.
    const want = JSON.parse(swift.body) as Record<string, unknown>[];
    const got = JSON.parse(swiftd.body) as Record<string, unknown>[];
    assertEquals(got.map((d) => [d.device, d.mounted]), want.map((d) => [d.device, d.mounted]));
    got.forEach((disk, i) => {
      if (!disk.mounted || want[i].size === 0) return assertEquals(disk, want[i]);
      assertEquals(disk.size, want[i].size, `${disk.device} size`);
      assertEquals(
        Number(disk.used) + Number(disk.avail),
        disk.size,
        `${disk.device} used + avail`,
      );
    });
    assert(want.some((d) => d.mounted === true), `${devices} has a mounted device`);
  }
});

Deno.test("recon fails like Swift when the devices directory cannot be walked", async () => {
  await using dir = await makeTempDir("recon");
  const devs = join(dir.path, "devs");
  // An unknown quarantine type with items makes Swift's qcounts[qtype] raise KeyError.
  await Deno.mkdir(join(devs, "sda/quarantined/tmp/item0"), { recursive: true });
  await assertSameAsSwift(
    dir.path,
    [devs, join(dir.path, "missing")].map((devices) => ({
      conf: { devices },
      requests: [
        ["GET", "/recon/quarantined"],
        ["GET", "/recon/unmounted"],
        ["GET", "/recon/diskusage"],
        ["GET", "/recon/devices"],
      ],
    })),
  );
});

Deno.test("recon sums the rings of swift.conf's storage policies and swift.conf itself as Swift does", async () => {
  await using dir = await makeTempDir("recon");
  const swiftDir = join(dir.path, "etc");
  await Deno.mkdir(swiftDir);
  const swiftConf = join(swiftDir, "swift.conf");
  // Policy 1 comes first in the file and so in the answer; object-2.ring.gz does not exist.
  await Deno.writeTextFile(
    swiftConf,
    "[swift-hash]\nswift_hash_path_suffix = x\n\n[storage-policy:1]\nname = one\n\n" +
      "[storage-policy:0]\nname = zero\ndefault = yes\n\n[storage-policy:2]\nname = two\n",
  );
  // A second swift_dir, written with a trailing "/", where container.ring.gz cannot be read.
  const otherDir = join(dir.path, "other");
  await Deno.mkdir(join(otherDir, "container.ring.gz"), { recursive: true });
  const rings: [string, string][] = [
    ...["account", "container", "object", "object-1"].map((n) => [swiftDir, n]),
    ...["account", "object"].map((n) => [otherDir, n]),
  ] as [string, string][];
  const requests: [string, string][] = [["GET", "/recon/ringmd5"], ["GET", "/recon/swiftconfmd5"]];
  const [ours, other] = await assertSameAsSwift(dir.path, [
    { conf: { swift_dir: swiftDir }, swiftConf, requests },
    { conf: { swift_dir: `${otherDir}/` }, swiftConf, requests },
  ], rings);
  assertEquals(Object.keys(JSON.parse(bodyOf(ours[0]))).length, 4);
  assertMatch(bodyOf(other[0]), /other\/container\.ring\.gz": null/);
});

// Swift's recon sums /etc/swift/swift.conf whatever swift_dir is; swiftd sums the swift.conf of
// swift_dir, the one the rest of swiftd reads (lib/middleware/recon.ts), so only rings compare.
Deno.test("recon sums the rings of swift_dir as Swift does", async () => {
  await using dir = await makeTempDir("recon");
  await assertSameAsSwift(dir.path, [{
    conf: { swift_dir: dir.path },
    requests: [["GET", "/recon/ringmd5"]],
  }], [[dir.path, "object"]]);
});

Deno.test("recon answers load, mem, sockstat, mounted and time with Swift's shapes", async () => {
  await using dir = await makeTempDir("recon");
  const paths = ["/recon/load", "/recon/mem", "/recon/sockstat", "/recon/mounted", "/recon/time"];
  const spec: Case = { conf: {}, requests: paths.map((p) => ["GET", p]) };
  const before = Date.now() / 1000;
  const { swift: [swift], swiftd: [swiftd] } = await askBoth(dir.path, [spec]);
  const after = Date.now() / 1000;
  const bodies = swiftd.map((a, i) => {
    assert(!("error" in a) && !("error" in swift[i]), paths[i]);
    const want = swift[i] as { headers: [string, string][] };
    assertEquals([a.status, a.headers[1]], [200, want.headers[1]], paths[i]);
    return [JSON.parse(a.body), JSON.parse(bodyOf(swift[i]))];
  });
  const [[load, pyLoad], [mem, pyMem], [sock, pySock], [mounted, pyMounted], [time]] = bodies;
  assertEquals(Object.keys(load), Object.keys(pyLoad));
  assertMatch(load.tasks, /^\d+\/\d+$/);
  assert(Number.isInteger(load.processes) && load["1m"] >= 0 && load["15m"] >= 0);
  assertEquals(Object.keys(mem), Object.keys(pyMem));
  assertMatch(mem.MemTotal, /^\d+ kB$/);
  assertEquals(Object.keys(sock), Object.keys(pySock));
  assert(Object.values(sock).every((n) => Number.isInteger(n) && (n as number) >= 0));
  assertEquals(mounted, pyMounted);
  assert(time >= before && time <= after, `time ${time} is now`);
  // Python writes floats with a fraction or exponent, never as a bare integer.
  assertMatch(bodyOf(swiftd[0]), /"1m": -?\d+\.\d+/);
});

Deno.test("recon answers unknown checks and traversal attempts with Swift's 404 over HTTP", async () => {
  await using dir = await makeTempDir("recon");
  const paths = [
    "/recon/../x",
    "/recon/%2e%2e/x",
    "/recon/../../etc/passwd",
    "/recon/replication/../../../etc",
    "/recon/./version",
    "/recon/nope",
    "/recon/",
    "/recon//version",
    "/recon/caf%C3%A9%20x?y=1",
    "/recon/caf\u00e9",
    "/%72econ/version",
    "/recon/version%2Fx",
    "/recon/replication%2Fcontainer",
  ];
  const spec: Case = { conf: { devices: dir.path }, requests: paths.map((p) => ["GET", p]) };
  const [swift] = await askSwift(dir.path, [{
    ...spec,
    requests: paths.map((p) => ["GET", asciiPath(p)]),
  }]);
  const { handler } = swiftdRecon(spec);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req, info) => handler(req, newRequestContext(captureLogger().logger, info.remoteAddr)),
  );
  try {
    for (const [i, path] of paths.entries()) {
      const [status, body] = await rawGet(server.addr.port, path);
      assertEquals(
        [status, body],
        [(swift[i] as { status: number }).status, bodyOf(swift[i])],
        path,
      );
    }
  } finally {
    await server.shutdown();
  }
  // Everything outside /recon/ goes on down the pipeline.
  for (const path of ["/recon", "/reconx/version", "//recon/version", "/x/recon/version"]) {
    const got = await answer(handler, new Request(`http://127.0.0.1${path}`), []);
    assertEquals("body" in got && got.body, "next", path);
  }
});

/** The path with its non-ASCII characters percent-encoded as UTF-8 (what the raw bytes decode to). */
function asciiPath(path: string): string {
  return path.replace(/\P{ASCII}/gu, (c) => encodeURIComponent(c));
}

/** Sends the request line as raw bytes (no URL normalization) and returns status and body. */
async function rawGet(port: number, path: string): Promise<[number, string]> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const request = new TextEncoder().encode(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
  );
  await conn.write(request);
  const chunks: Uint8Array[] = [];
  for await (const chunk of conn.readable) chunks.push(chunk);
  const text = new TextDecoder().decode(
    Uint8Array.from(chunks.flatMap((c) => [...c])),
  );
  const [head, body] = text.split("\r\n\r\n");
  return [Number(head.split(" ")[1]), body];
}

Deno.test("recon refuses a swift.conf whose storage policy index Swift refuses", async () => {
  await using dir = await makeTempDir("recon");
  const swiftConf = join(dir.path, "swift.conf");
  const { logger } = captureLogger();
  const settings = { devices: dir.path, swiftDir: dir.path, reconCachePath: dir.path };
  for (
    const [sections, reason] of [
      ["[storage-policy:x]\nname = x\n", "index must be an integer >= 0"],
      [
        "[storage-policy:1]\nname = a\n[storage-policy:01]\nname = b\n",
        "repeats storage policy index 1",
      ],
    ]
  ) {
    await Deno.writeTextFile(swiftConf, sections);
    assertThrows(
      () => reconFilterWith({ ...settings, swiftConfFile: swiftConf }, logger),
      ConfigError,
      reason,
    );
  }
});
