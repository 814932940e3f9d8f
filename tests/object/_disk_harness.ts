/**
 * Helpers of the disk backend tests: a swift.conf, the object server over DiskBackend (its
 * container updates fail, so they become async_pending files as in the oracle), real Swift's
 * object server through _disk_swift_oracle.py, and snapshots of device trees to compare.
 */
import { assertEquals } from "@std/assert";
import { fromFileUrl, join, relative } from "@std/path";
import { loadPickle, type PickleValue, PyFloat } from "../../lib/common/pickle.ts";
import { loadSwiftConf, type SwiftConf } from "../../lib/common/swift_conf.ts";
import { getXattr, listXattrs } from "../../lib/common/xattr.ts";
import { fallocateReserve } from "../../lib/config/values.ts";
import type { Handler } from "../../lib/middleware/compose.ts";
import { ContainerUpdater } from "../../lib/object/container_update.ts";
import { DiskBackend, type DiskBackendOptions } from "../../lib/object/disk_backend.ts";
import { diskBackendSettings } from "../../lib/object/disk_settings.ts";
import { METADATA_KEY, readMetadata } from "../../lib/object/metadata.ts";
import { objectServer } from "../../lib/object/server.ts";
import { objectServerSettings } from "../../lib/object/settings.ts";
import { SWIFT_PYTHON } from "../_helpers/python.ts";
import type { TempDir } from "../_helpers/temp_dir.ts";
import { type LoggedLine, objectOptions, testContext } from "./_server.ts";

/** A swift.conf with two replication policies and an erasure-coded one. */
export const SWIFT_CONF = `[swift-hash]
swift_hash_path_prefix = swiftd-pre
swift_hash_path_suffix = swiftd-suf

[storage-policy:0]
name = gold
default = yes

[storage-policy:1]
name = silver

[storage-policy:2]
name = deepfreeze
policy_type = erasure_coding
ec_type = liberasurecode_rs_vand
ec_num_data_fragments = 4
ec_num_parity_fragments = 2
`;

/**
 * A scratch directory on tmpfs, removed at the end of an `await using` block: tmpfs keeps the
 * >4 KiB xattrs of large metadata (ext4 does not), and its fsync() costs nothing.
 */
export async function shmTempDir(prefix: string): Promise<TempDir> {
  const path = await Deno.makeTempDir({ dir: "/dev/shm", prefix: `swiftd-${prefix}-` });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}

/** Writes SWIFT_CONF into `dir` and loads it. */
export async function writeSwiftConf(dir: string): Promise<SwiftConf> {
  await Deno.writeTextFile(join(dir, "swift.conf"), SWIFT_CONF);
  return loadSwiftConf(dir);
}

/** One request, as both servers get it. */
export interface DiskRequest {
  readonly method: string;
  /** Percent-encoded path. */
  readonly path: string;
  readonly headers: [string, string][];
  /** Base64 body, or null. */
  readonly body: string | null;
  /** Send without Content-Length (Transfer-Encoding: chunked). */
  readonly chunked?: boolean;
}

/** One answer. */
export interface DiskAnswer {
  readonly status: number;
  readonly headers: [string, string][];
  /** Base64 body. */
  readonly body: string;
}

/** The object server over a DiskBackend of `devices`. */
export interface DiskServer {
  readonly handler: Handler;
  readonly backend: DiskBackend;
  readonly lines: LoggedLine[];
  readonly updater: ContainerUpdater;
}

/** An object server over `devices` with `options` (object-server.conf keys). */
export function diskServer(
  devices: string,
  conf: SwiftConf,
  options: Record<string, string> = {},
  backendOptions: DiskBackendOptions = {},
): DiskServer {
  const parsed = objectOptions({ mount_check: "false", log_requests: "false", ...options });
  const settings = objectServerSettings(parsed, {
    policies: new Set(conf.policies.all.map((p) => p.index)),
    constraints: conf.constraints,
    hashPath: conf.hashPath,
  });
  const backend = new DiskBackend(
    diskBackendSettings({
      ...parsed,
      devices,
      fallocate_reserve: fallocateReserve(options.fallocate_reserve ?? "0", () => {}),
      disable_fallocate: options.disable_fallocate === "true",
    }, conf),
    backendOptions,
  );
  // Nothing answers container updates, as in the oracle: they all go to async_pending.
  const updater = new ContainerUpdater(
    backend,
    settings.updates,
    () => Promise.reject(new Error("refused")),
  );
  return { handler: objectServer(settings, { backend, updater }), backend, lines: [], updater };
}

/** Decodes base64. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** Encodes base64. */
export function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return btoa(text);
}

/** Sends `requests` to `server` in order, as the oracle does. */
export async function askSwiftd(
  server: DiskServer,
  requests: readonly DiskRequest[],
): Promise<DiskAnswer[]> {
  const answers: DiskAnswer[] = [];
  for (const item of requests) {
    const headers = new Headers({ Host: "127.0.0.1:6200" });
    for (const [name, value] of item.headers) headers.set(name, value);
    let body: BodyInit | undefined;
    if (item.body !== null) {
      const bytes = fromBase64(item.body);
      if (item.chunked) {
        headers.set("Transfer-Encoding", "chunked");
        body = new ReadableStream({
          start(controller) {
            for (let i = 0; i < bytes.length; i += 65536) {
              controller.enqueue(bytes.slice(i, i + 65536));
            }
            controller.close();
          },
        });
      } else {
        if (!headers.has("Content-Length")) headers.set("Content-Length", String(bytes.length));
        body = bytes;
      }
    }
    const response = await server.handler(
      new Request(`http://127.0.0.1:6200${item.path}`, { method: item.method, headers, body }),
      testContext(server.lines),
    );
    answers.push({
      status: response.status,
      headers: [...response.headers].map(([k, v]) => [k, v] as [string, string]),
      body: toBase64(new Uint8Array(await response.arrayBuffer())),
    });
  }
  await server.updater.drain();
  return answers;
}

/** Bytes written over (or appended to) a file before a job's requests. */
export interface Damage {
  readonly path: string;
  /** Base64. */
  readonly data: string;
  readonly append?: boolean;
}

/** A job for the oracle: requests through Swift's object server over `devices`. */
export interface SwiftJob {
  readonly devices: string;
  readonly conf?: Record<string, string>;
  readonly fallocateReserve?: string;
  /** False makes Swift write through tmp[-N] as on filesystems without O_TMPFILE. */
  readonly useLinkat?: boolean;
  readonly damage?: readonly Damage[];
  readonly requests: readonly DiskRequest[];
}

/** What get_ondisk_files() chose in a list of names (paths under "/hash"). */
export interface OndiskChoice {
  readonly data: string | null;
  readonly meta: string | null;
  readonly ts: string | null;
  readonly ctype: string | null;
  readonly obsolete: string[];
  readonly possibleReclaim: string[];
  readonly unexpected: string[];
}

/** What the oracle answers. */
export interface SwiftResult {
  readonly jobs: DiskAnswer[][];
  readonly objectInfo: { code: number; output: string }[];
  readonly ondisk: OndiskChoice[];
}

/** More for the oracle to do besides jobs. */
export interface SwiftExtras {
  /** Data files for swift-object-info. */
  readonly objectInfo?: readonly string[];
  /** Lists of names for get_ondisk_files(). */
  readonly ondisk?: readonly (readonly string[])[];
}

const ORACLE = fromFileUrl(new URL("./_disk_swift_oracle.py", import.meta.url));

/** Runs jobs, swift-object-info and get_ondisk_files() in one Swift process. */
export async function askSwift(
  swiftDir: string,
  jobs: readonly SwiftJob[],
  extras: SwiftExtras = {},
): Promise<SwiftResult> {
  const child = new Deno.Command(SWIFT_PYTHON, {
    args: [ORACLE],
    env: { PYTHONDONTWRITEBYTECODE: "1", PYTHONHASHSEED: "0", PYTHONUTF8: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(
    new TextEncoder().encode(JSON.stringify({ swiftDir, pid: Deno.pid, jobs, ...extras })),
  );
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) throw new Error(`Swift oracle failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

/** An answer with lower-case sorted headers and a decoded body, for assertEquals. */
export function normalized(
  answer: DiskAnswer,
): { status: number; headers: string[][]; body: string } {
  const headers = answer.headers.map(([k, v]) => [k.toLowerCase(), v])
    .filter(([k]) => k !== "allow")
    .sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  let body = new TextDecoder("latin1").decode(fromBase64(answer.body));
  // Multipart boundaries are random in both.
  const type = headers.find(([k]) => k === "content-type")?.[1] ?? "";
  const boundary = /boundary=([0-9a-f]+)/.exec(type)?.[1];
  if (boundary) {
    body = body.replaceAll(boundary, "BOUNDARY");
    for (const h of headers) h[1] = h[1].replaceAll(boundary, "BOUNDARY");
  }
  // A 500's body is the failure's stack: Python's and Deno's cannot match.
  if (answer.status === 500) body = "(stack)";
  return { status: answer.status, headers, body };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function describePickle(value: PickleValue): unknown {
  if (value instanceof Map) {
    return [...value].map(([k, v]) => [describePickle(k), describePickle(v)]);
  }
  if (value instanceof PyFloat) return `float:${value.value}`;
  if (value instanceof Uint8Array) return `bytes:${hex(value)}`;
  return value;
}

/** What snapshotTree() shows. */
export interface SnapshotOptions {
  /**
   * Show object metadata as its sorted items rather than the xattrs' bytes, whose key order
   * is the order the controller built the dict in (for headers, Swift keeps the order they
   * arrived in; Fetch's Headers sort them).
   */
  readonly metadataAsDict?: boolean;
}

/**
 * Asserts that two trees have the same snapshot, naming only the entries that differ (each
 * shortened: values of large xattrs run to megabytes).
 */
export async function assertSameTree(
  actual: string,
  expected: string,
  options: SnapshotOptions = {},
): Promise<void> {
  const [mine, theirs] = [
    await snapshotTree(actual, options),
    await snapshotTree(expected, options),
  ];
  const short = (line: string) => {
    if (line.length <= 400) return line;
    const other = [...mine, ...theirs].find((l) =>
      l !== line && l.slice(0, 80) === line.slice(0, 80)
    );
    let at = 0;
    while (other !== undefined && at < line.length && line[at] === other[at]) at++;
    return `${line.slice(0, 120)}... [${at}] ${line.slice(Math.max(0, at - 60), at + 200)}...`;
  };
  const onlyMine = mine.filter((line) => !theirs.includes(line)).map(short);
  const onlyTheirs = theirs.filter((line) => !mine.includes(line)).map(short);
  assertEquals({ onlyMine, onlyTheirs }, { onlyMine: [], onlyTheirs: [] });
  assertEquals(mine, theirs);
}

/**
 * Every directory and file under `root`, sorted: mode, xattrs and content. hashes.pkl is shown
 * decoded without its "updated" time (when it was written differs between runs).
 */
export async function snapshotTree(
  root: string,
  options: SnapshotOptions = {},
): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = [];
    for await (const entry of Deno.readDir(dir)) entries.push(entry);
    for (const entry of entries.sort((a, b) => a.name < b.name ? -1 : 1)) {
      const path = join(dir, entry.name);
      const rel = relative(root, path);
      const info = await Deno.lstat(path);
      const mode = (info.mode! & 0o7777).toString(8);
      if (info.isDirectory) {
        out.push(`dir ${rel} ${mode}`);
        await walk(path);
        continue;
      }
      const xattrs = options.metadataAsDict && listXattrs(path).includes(METADATA_KEY)
        ? [JSON.stringify(Object.entries(readMetadata(path)).sort())]
        : listXattrs(path).filter((n) => n.startsWith("user.")).sort()
          .map((name) => `${name}=${hex(getXattr(path, name))}`);
      const data = await Deno.readFile(path);
      let content = hex(data);
      if (entry.name === "hashes.pkl") {
        const hashes = loadPickle(data, { exactFloats: true }) as Map<string, PickleValue>;
        if (hashes.get("updated") instanceof PyFloat) hashes.set("updated", "(time)");
        content = JSON.stringify(describePickle(hashes));
      }
      out.push(`file ${rel} ${mode} ${content} ${xattrs.join(" ")}`);
    }
  }
  await walk(root);
  return out;
}
