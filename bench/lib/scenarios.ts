/**
 * THE table of what the bench measures. Each scenario names a config (one text, run unchanged
 * by both implementations), the requests that prepare the server, and the load or the startup
 * probe. Later issues add rows here (object server on disk, proxy...), not code elsewhere.
 */
import type { RequestSpec } from "./http_client.ts";

/** Swift servers the launchers know how to start. */
export type ServerName = "object-server" | "proxy-server" | "account-server" | "container-server";

/** What a config generator gets: everything that differs between runs. */
export interface ConfigContext {
  readonly port: number;
  readonly workers: number;
  /** A private directory of this run (swiftd's run_dir goes there; Swift ignores the key). */
  readonly runDir: string;
  /** The current user: both implementations drop privileges to it. */
  readonly user: string;
}

/** A request that prepares the server before the load. */
export interface SetupStep {
  /** Called for each send, so a header such as X-Timestamp can change every time. */
  readonly request: () => RequestSpec;
  /** Answers that count as done. */
  readonly ok: readonly number[];
  /**
   * The step changes state private to a worker (mem_object keeps objects per process): send it
   * on fresh connections until the load request succeeds on every connection tried.
   */
  readonly everyWorker?: boolean;
}

/** A wrk load: GET unless `method` says otherwise. */
export interface LoadSpec {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The status every answer must have; others are reported as errors. */
  readonly expect: number;
  /** Body size checked before the load, so a wrong answer is not benchmarked. */
  readonly bytes?: number;
}

/** Requests per second and latency under wrk, for each workers x connections. */
export interface LoadScenario {
  readonly kind: "load";
  readonly name: string;
  readonly title: string;
  readonly server: ServerName;
  readonly config: (ctx: ConfigContext) => string;
  readonly setup: readonly SetupStep[];
  readonly load: LoadSpec;
  readonly workers: readonly number[];
  readonly connections: readonly number[];
}

/** Time from process start to the first `expect` answer of `probe`. */
export interface StartupScenario {
  readonly kind: "startup";
  readonly name: string;
  readonly title: string;
  readonly server: ServerName;
  readonly config: (ctx: ConfigContext) => string;
  readonly probe: string;
  readonly expect: number;
  readonly workers: readonly number[];
}

/** A row of the scenario table. */
export type Scenario = LoadScenario | StartupScenario;

/**
 * Swift's in-memory object server behind catch_errors and healthcheck. Logs go to syslog over
 * UDP for both: Swift falls back to UDP localhost:514 where /dev/log is missing while swiftd
 * falls back to stderr, so naming UDP makes both pay the same for each access log line.
 */
export function memObjectConfig(ctx: ConfigContext): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${ctx.port}
workers = ${ctx.workers}
user = ${ctx.user}
run_dir = ${ctx.runDir}
log_udp_host = 127.0.0.1
log_udp_port = 514

[pipeline:main]
pipeline = catch_errors healthcheck object-server

[app:object-server]
use = egg:swift#mem_object

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:healthcheck]
use = egg:swift#healthcheck
`;
}

let lastTimestamp = 0;

/** Now as Swift's X-Timestamp (`%.5f`), strictly increasing so no PUT is older than another. */
export function xTimestamp(): string {
  lastTimestamp = Math.max(Date.now() / 1000, lastTimestamp + 0.00001);
  return lastTimestamp.toFixed(5);
}

const OBJECT_4K = new Uint8Array(4096).map((_, i) => 97 + (i % 26));
const OBJECT_PATH = "/sda1/0/a/c/o";

function put4k(): RequestSpec {
  return {
    method: "PUT",
    path: OBJECT_PATH,
    headers: { "X-Timestamp": xTimestamp(), "Content-Type": "application/octet-stream" },
    body: OBJECT_4K,
  };
}

/** Every scenario, in the order they run. */
export const SCENARIOS: readonly Scenario[] = [
  {
    kind: "load",
    name: "healthcheck",
    title: "GET /healthcheck",
    server: "object-server",
    config: memObjectConfig,
    setup: [],
    load: { path: "/healthcheck", expect: 200 },
    workers: [1, 2],
    connections: [50, 500],
  },
  {
    kind: "load",
    name: "get-4k",
    title: "GET of a 4 KiB object (mem_object)",
    server: "object-server",
    config: memObjectConfig,
    // 409: a worker already holds a newer copy from a PUT that overtook this one.
    setup: [{ request: put4k, ok: [201, 409], everyWorker: true }],
    load: { path: OBJECT_PATH, expect: 200, bytes: OBJECT_4K.length },
    workers: [1, 2],
    connections: [50, 500],
  },
  {
    kind: "startup",
    name: "startup",
    title: "Start to first 200 of GET /healthcheck",
    server: "object-server",
    config: memObjectConfig,
    probe: "/healthcheck",
    expect: 200,
    workers: [1, 2],
  },
];
