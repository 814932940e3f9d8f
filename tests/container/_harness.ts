/**
 * Test harness for the account and container servers: a temporary cluster (swift.conf with
 * three policies, devices sda and sdb), swiftd's servers built from the option tables, wire
 * requests both implementations can replay, and Swift 2.30's servers run in one Python process.
 */
import { fromFileUrl, join } from "@std/path";
import { accountServer } from "../../lib/account/server.ts";
import { accountServerSettings } from "../../lib/account/settings.ts";
import { loadDbCluster } from "../../lib/common/db_cluster.ts";
import { ACCOUNT_APP, CONTAINER_APP } from "../../lib/config/options/apps.ts";
import type { OptionTable } from "../../lib/config/options/option.ts";
import type { AccountUpdateSender } from "../../lib/container/account_update.ts";
import { containerServer } from "../../lib/container/server.ts";
import { containerServerSettings } from "../../lib/container/settings.ts";
import type { Handler } from "../../lib/middleware/compose.ts";
import { SWIFT_PYTHON } from "../_helpers/python.ts";
import { keepingLogger, type LoggedLine, testContext } from "../object/_server.ts";

/** swift.conf of the test cluster. */
export const SWIFT_CONF = `[swift-hash]
swift_hash_path_prefix = pre
swift_hash_path_suffix = suf

[storage-policy:0]
name = gold
default = yes

[storage-policy:1]
name = silver

[storage-policy:2]
name = bronze

[swift-constraints]
container_listing_limit = 50
account_listing_limit = 40
`;

/** A temporary cluster directory: swift_dir and devices with sda and sdb. */
export interface TestCluster extends AsyncDisposable {
  readonly root: string;
  readonly swiftDir: string;
  /** A devices directory of its own; call again for another. */
  devices(name?: string): string;
}

/** Creates a cluster directory, removed at the end of an `await using` block. */
export async function makeCluster(): Promise<TestCluster> {
  const root = await Deno.makeTempDir({ prefix: "swiftd-dbserver-" });
  const swiftDir = join(root, "etc");
  await Deno.mkdir(swiftDir);
  await Deno.writeTextFile(join(swiftDir, "swift.conf"), SWIFT_CONF);
  return {
    root,
    swiftDir,
    devices(name = "srv") {
      const dir = join(root, name);
      for (const dev of ["sda", "sdb"]) Deno.mkdirSync(join(dir, dev), { recursive: true });
      return dir;
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** Options of `table` as a config file setting `overrides` would give them. */
function optionsFrom(
  table: OptionTable,
  overrides: Record<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of table.options) {
    out[spec.key] = spec.parse(overrides[spec.key] ?? spec.default, () => {});
  }
  return out;
}

/** A server under test and the lines it logged. */
export interface TestDbServer {
  readonly handler: Handler;
  readonly lines: LoggedLine[];
  /** Sends a request to http://localhost + path. */
  send(request: WireRequest): Promise<Response>;
}

function testDbServer(handler: Handler, lines: LoggedLine[]): TestDbServer {
  return {
    handler,
    lines,
    send: (request) => handler(toFetch(request), testContext(lines)),
  };
}

/** swiftd's container server over `devices`, mount_check off, not logging requests. */
export function swiftdContainerServer(
  cluster: TestCluster,
  devices: string,
  opts: { overrides?: Record<string, string>; send?: AccountUpdateSender } = {},
): TestDbServer {
  const options = optionsFrom(CONTAINER_APP, {
    bind_port: "6201",
    devices,
    mount_check: "false",
    log_requests: "false",
    swift_dir: cluster.swiftDir,
    fallocate_reserve: "0",
    ...opts.overrides,
  });
  const lines: LoggedLine[] = [];
  const settings = containerServerSettings(
    options as Parameters<typeof containerServerSettings>[0],
    loadDbCluster(cluster.swiftDir),
  );
  return testDbServer(
    containerServer(settings, { logger: keepingLogger(lines), sendAccountUpdate: opts.send }),
    lines,
  );
}

/** swiftd's account server over `devices`, mount_check off, not logging requests. */
export function swiftdAccountServer(
  cluster: TestCluster,
  devices: string,
  overrides: Record<string, string> = {},
): TestDbServer {
  const options = optionsFrom(ACCOUNT_APP, {
    bind_port: "6202",
    devices,
    mount_check: "false",
    log_requests: "false",
    swift_dir: cluster.swiftDir,
    fallocate_reserve: "0",
    ...overrides,
  });
  const settings = accountServerSettings(
    options as Parameters<typeof accountServerSettings>[0],
    loadDbCluster(cluster.swiftDir),
  );
  return testDbServer(accountServer(settings), []);
}

/** A request as it goes on the wire: percent-encoded path, byte-string header values. */
export interface WireRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: [string, string][];
  /** The body, base64. */
  readonly body?: string | null;
}

/** An answer with lower-cased, sorted headers and a base64 body. */
export interface WireAnswer {
  readonly status: number;
  readonly headers: [string, string][];
  readonly body: string;
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

/** The Fetch request for a wire request. */
export function toFetch(request: WireRequest): Request {
  const body = request.body
    ? Uint8Array.from(atob(request.body), (c) => c.charCodeAt(0))
    : undefined;
  return new Request(`http://localhost${request.path}`, {
    method: request.method,
    headers: request.headers,
    body,
  });
}

/** A Fetch response as a wire answer. */
export async function toAnswer(response: Response): Promise<WireAnswer> {
  const headers = [...response.headers].map(([k, v]) => [k.toLowerCase(), v] as [string, string])
    .sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  return {
    status: response.status,
    headers,
    body: toBase64(new Uint8Array(await response.arrayBuffer())),
  };
}

/** The base64 of a text's UTF-8 bytes. */
export function base64Text(text: string): string {
  return toBase64(new TextEncoder().encode(text));
}

/** What Swift answered in each run, and its description of the dumped directories. */
export interface SwiftRun {
  readonly runs: WireAnswer[][];
  readonly dumps: Record<string, unknown>[];
}

const ORACLE = fromFileUrl(new URL("./_swift_db_oracle.py", import.meta.url));

/**
 * Runs request batches through Swift's account or container server in one Python process,
 * one app per batch over the batch's devices directory, then describes the `dump` dirs.
 */
export async function askSwift(job: {
  server: "account" | "container";
  swiftDir: string;
  runs: readonly { devices: string; requests: readonly WireRequest[] }[];
  dump?: readonly string[];
  conf?: Record<string, string>;
}): Promise<SwiftRun> {
  const child = new Deno.Command(SWIFT_PYTHON, {
    args: [ORACLE],
    env: { PYTHONDONTWRITEBYTECODE: "1", PYTHONHASHSEED: "0" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify({
    server: job.server,
    swift_dir: job.swiftDir,
    runs: job.runs,
    dump: job.dump ?? [],
    conf: job.conf ?? {},
  })));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) throw new Error(`Swift oracle failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

/** Sends `requests` to a swiftd server in order and collects the answers. */
export async function askSwiftd(
  server: TestDbServer,
  requests: readonly WireRequest[],
): Promise<WireAnswer[]> {
  const out: WireAnswer[] = [];
  for (const request of requests) out.push(await toAnswer(await server.send(request)));
  return out;
}
