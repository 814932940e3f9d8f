/**
 * THE table of what the bench measures. Each scenario names the servers to start (one config
 * text per server, run unchanged by both implementations), the requests that prepare them,
 * and the load or the startup probe. New measurements are rows here, not code elsewhere.
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
  /** swift.conf and the rings of this run (both read swift_dir from the config). */
  readonly swiftDir: string;
  /** The devices directory of this run: `sda1` in it is the only device. */
  readonly devices: string;
  /** The memcached of this run, when the scenario asked for one. */
  readonly memcachePort?: number;
}

/** One server of a scenario and its config. */
export interface ServerSpec {
  readonly server: ServerName;
  readonly config: (ctx: ConfigContext) => string;
}

/** Values setup steps captured (an auth token...), for later requests and the load. */
export type Vars = Readonly<Record<string, string>>;

/** A request that prepares the server before the load. */
export interface SetupStep {
  /** Called for each send, so a header such as X-Timestamp can change every time. */
  readonly request: (vars: Vars) => RequestSpec;
  /** Answers that count as done. */
  readonly ok: readonly number[];
  /**
   * The step changes state private to a worker (mem_object keeps objects per process): send it
   * on fresh connections until the load request succeeds on every connection tried.
   */
  readonly everyWorker?: boolean;
  /** Response headers to keep: variable name -> header name. */
  readonly capture?: Readonly<Record<string, string>>;
}

/** A wrk load: GET unless `put` says otherwise. */
export interface LoadSpec {
  readonly path: string;
  readonly headers?: (vars: Vars) => Readonly<Record<string, string>>;
  /** The status every answer must have; others are reported as errors. */
  readonly expect: number;
  /** Body size checked before the load, so a wrong answer is not benchmarked. */
  readonly bytes?: number;
  /**
   * PUTs of `bytes` bytes: `path` is a prefix each request completes with a name of its own
   * (unique per request, or one of `names` per wrk thread, overwritten in turn, to bound the
   * disk space used), with an X-Timestamp when `timestamp` (the object server requires one;
   * a proxy sets its own).
   */
  readonly put?: {
    readonly bytes: number;
    readonly names?: number;
    readonly timestamp: boolean;
  };
}

/** Requests per second and latency under wrk, for each workers x connections. */
export interface LoadScenario {
  readonly kind: "load";
  readonly name: string;
  readonly title: string;
  /** The servers to start; the first one gets the load. */
  readonly servers: readonly ServerSpec[];
  /** Rings (one device, sda1, one replica) for account, container and object servers. */
  readonly rings?: boolean;
  /** A memcached started for each measurement (tempauth tokens). */
  readonly memcached?: boolean;
  readonly setup: readonly SetupStep[];
  readonly load: LoadSpec;
  readonly workers: readonly number[];
  readonly connections: readonly number[];
  /** Also report MiB/s: the object size each request moves (large objects). */
  readonly throughputBytes?: number;
  /** Also compare the throughput with dd writing (PUT) or reading (GET) the same disk. */
  readonly dd?: "write" | "read";
  /** Requests/s target as a multiple of Swift's (default TARGETS.requestsRatio). */
  readonly requestsRatio?: number;
}

/** Time from process start to the first `expect` answer of `probe`. */
export interface StartupScenario {
  readonly kind: "startup";
  readonly name: string;
  readonly title: string;
  readonly servers: readonly [ServerSpec];
  readonly probe: string;
  readonly expect: number;
  readonly workers: readonly number[];
}

/** A row of the scenario table. */
export type Scenario = LoadScenario | StartupScenario;

/** Logs go to syslog over UDP for both (see memObjectConfig), and the run's paths. */
function defaults(ctx: ConfigContext, extra = ""): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${ctx.port}
workers = ${ctx.workers}
user = ${ctx.user}
run_dir = ${ctx.runDir}
swift_dir = ${ctx.swiftDir}
log_udp_host = 127.0.0.1
log_udp_port = 514
${extra}`;
}

/**
 * Swift's in-memory object server behind catch_errors and healthcheck. Logs go to syslog over
 * UDP for both: Swift falls back to UDP localhost:514 where /dev/log is missing while swiftd
 * falls back to stderr, so naming UDP makes both pay the same for each access log line.
 */
export function memObjectConfig(ctx: ConfigContext): string {
  return `${defaults(ctx)}
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

/** The object server on disk (egg:swift#object) over the run's devices, as a SAIO node has it. */
export function diskObjectConfig(ctx: ConfigContext): string {
  return `${defaults(ctx, `devices = ${ctx.devices}\nmount_check = false\n`)}
[pipeline:main]
pipeline = healthcheck object-server

[app:object-server]
use = egg:swift#object

[filter:healthcheck]
use = egg:swift#healthcheck
`;
}

function dbServerConfig(server: "account" | "container") {
  return (ctx: ConfigContext) =>
    `${defaults(ctx, `devices = ${ctx.devices}\nmount_check = false\n`)}
[pipeline:main]
pipeline = healthcheck ${server}-server

[app:${server}-server]
use = egg:swift#${server}

[filter:healthcheck]
use = egg:swift#healthcheck
`;
}

/**
 * SAIO's proxy pipeline less crossdomain, container_sync, s3api and staticweb: tempauth with
 * tokens in memcached, which Swift's tempauth needs, and both versioning APIs with symlink as
 * SAIO (and swiftd's all-in-one default) has them.
 */
export function proxyConfig(ctx: ConfigContext): string {
  return `${defaults(ctx)}
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl ratelimit tempauth copy container-quotas account-quotas slo dlo versioned_writes symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${ctx.memcachePort}

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:bulk]
use = egg:swift#bulk

[filter:tempurl]
use = egg:swift#tempurl

[filter:ratelimit]
use = egg:swift#ratelimit

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin

[filter:copy]
use = egg:swift#copy

[filter:container-quotas]
use = egg:swift#container_quotas

[filter:account-quotas]
use = egg:swift#account_quotas

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo

[filter:versioned_writes]
use = egg:swift#versioned_writes
allow_versioned_writes = true
allow_object_versioning = true

[filter:symlink]
use = egg:swift#symlink
`;
}

let lastTimestamp = 0;

/** Now as Swift's X-Timestamp (`%.5f`), strictly increasing so no PUT is older than another. */
export function xTimestamp(): string {
  lastTimestamp = Math.max(Date.now() / 1000, lastTimestamp + 0.00001);
  return lastTimestamp.toFixed(5);
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** `size` bytes of text (the same bytes every call, cached per size). */
const payloads = new Map<number, Uint8Array>();
function payload(size: number): Uint8Array {
  let bytes = payloads.get(size);
  if (!bytes) {
    bytes = new Uint8Array(size).map((_, i) => 97 + (i % 26));
    payloads.set(size, bytes);
  }
  return bytes;
}

const OBJECT_PATH = "/sda1/0/a/c/o";

/** A PUT of `size` bytes straight to an object server. */
function objectPut(path: string, size: number): (vars: Vars) => RequestSpec {
  return () => ({
    method: "PUT",
    path,
    headers: { "X-Timestamp": xTimestamp(), "Content-Type": "application/octet-stream" },
    body: payload(size),
  });
}

const MEM_OBJECT: readonly [ServerSpec] = [{ server: "object-server", config: memObjectConfig }];
const DISK_OBJECT: readonly ServerSpec[] = [{ server: "object-server", config: diskObjectConfig }];
const CLUSTER: readonly ServerSpec[] = [
  { server: "proxy-server", config: proxyConfig },
  { server: "account-server", config: dbServerConfig("account") },
  { server: "container-server", config: dbServerConfig("container") },
  { server: "object-server", config: diskObjectConfig },
];

/** Through the proxy: a token from tempauth, then the container and the objects to GET. */
const CLUSTER_SETUP: readonly SetupStep[] = [
  {
    request: () => ({
      method: "GET",
      path: "/auth/v1.0",
      headers: { "X-Auth-User": "test:tester", "X-Auth-Key": "testing" },
    }),
    ok: [200],
    capture: { token: "X-Auth-Token" },
  },
  {
    request: (vars) => ({
      method: "PUT",
      path: "/v1/AUTH_test/bench",
      headers: { "X-Auth-Token": vars.token },
    }),
    ok: [201, 202],
  },
  ...[4 * KiB, 64 * MiB].map((size): SetupStep => ({
    request: (vars) => ({
      method: "PUT",
      path: `/v1/AUTH_test/bench/o${size}`,
      headers: { "X-Auth-Token": vars.token, "Content-Type": "application/octet-stream" },
      body: payload(size),
    }),
    ok: [201],
  })),
];

const withToken = (vars: Vars) => ({ "X-Auth-Token": vars.token });

/** Every scenario, in the order they run. */
export const SCENARIOS: readonly Scenario[] = [
  {
    kind: "load",
    name: "healthcheck",
    title: "GET /healthcheck",
    servers: MEM_OBJECT,
    setup: [],
    load: { path: "/healthcheck", expect: 200 },
    workers: [1, 2],
    connections: [50, 500],
  },
  {
    kind: "load",
    name: "get-4k",
    title: "GET of a 4 KiB object (mem_object)",
    servers: MEM_OBJECT,
    // 409: a worker already holds a newer copy from a PUT that overtook this one.
    setup: [{ request: objectPut(OBJECT_PATH, 4 * KiB), ok: [201, 409], everyWorker: true }],
    load: { path: OBJECT_PATH, expect: 200, bytes: 4 * KiB },
    workers: [1, 2],
    connections: [50, 500],
  },
  {
    kind: "load",
    name: "disk-put-4k",
    title: "PUT of new 4 KiB objects to the object server on disk",
    servers: DISK_OBJECT,
    setup: [],
    load: {
      path: "/sda1/0/a/c/new",
      expect: 201,
      put: { bytes: 4 * KiB, timestamp: true },
    },
    workers: [2],
    connections: [50],
    requestsRatio: 5,
  },
  {
    kind: "load",
    name: "disk-get-4k",
    title: "GET of a 4 KiB object from the object server on disk",
    servers: DISK_OBJECT,
    setup: [{ request: objectPut(OBJECT_PATH, 4 * KiB), ok: [201] }],
    load: { path: OBJECT_PATH, expect: 200, bytes: 4 * KiB },
    workers: [2],
    connections: [50],
    requestsRatio: 5,
  },
  {
    kind: "load",
    name: "disk-put-16m",
    title: "PUT of 16 MiB objects to the object server on disk (4 names per wrk thread)",
    servers: DISK_OBJECT,
    setup: [],
    load: {
      path: "/sda1/0/a/c/big",
      expect: 201,
      put: { bytes: 16 * MiB, names: 4, timestamp: true },
    },
    workers: [2],
    connections: [8],
    throughputBytes: 16 * MiB,
    dd: "write",
  },
  {
    kind: "load",
    name: "disk-get-16m",
    title: "GET of a 16 MiB object from the object server on disk",
    servers: DISK_OBJECT,
    setup: [{ request: objectPut("/sda1/0/a/c/big", 16 * MiB), ok: [201] }],
    load: { path: "/sda1/0/a/c/big", expect: 200, bytes: 16 * MiB },
    workers: [2],
    connections: [8],
    throughputBytes: 16 * MiB,
    dd: "read",
  },
  {
    kind: "load",
    name: "proxy-put-4k",
    title: "PUT of new 4 KiB objects through the proxy (proxy, account, container, object)",
    servers: CLUSTER,
    rings: true,
    memcached: true,
    setup: CLUSTER_SETUP,
    load: {
      path: "/v1/AUTH_test/bench/new",
      headers: withToken,
      expect: 201,
      put: { bytes: 4 * KiB, timestamp: false },
    },
    workers: [1],
    connections: [20],
    requestsRatio: 5,
  },
  {
    kind: "load",
    name: "proxy-get-4k",
    title: "GET of a 4 KiB object through the proxy",
    servers: CLUSTER,
    rings: true,
    memcached: true,
    setup: CLUSTER_SETUP,
    load: {
      path: `/v1/AUTH_test/bench/o${4 * KiB}`,
      headers: withToken,
      expect: 200,
      bytes: 4 * KiB,
    },
    workers: [1],
    connections: [50],
    requestsRatio: 5,
  },
  {
    kind: "load",
    name: "proxy-get-64m",
    title: "GET of a 64 MiB object through the proxy",
    servers: CLUSTER,
    rings: true,
    memcached: true,
    setup: CLUSTER_SETUP,
    load: {
      path: `/v1/AUTH_test/bench/o${64 * MiB}`,
      headers: withToken,
      expect: 200,
      bytes: 64 * MiB,
    },
    workers: [1],
    connections: [4],
    throughputBytes: 64 * MiB,
  },
  {
    kind: "startup",
    name: "startup",
    title: "Start to first 200 of GET /healthcheck",
    servers: MEM_OBJECT,
    probe: "/healthcheck",
    expect: 200,
    workers: [1, 2],
  },
];
