/**
 * A small cluster for proxy tests, all in this process on free loopback ports: N storage
 * nodes (each an account, a container and a mem_object server with one device), rings built
 * with lib/ring/builder.ts in a temporary swift_dir, and swiftd's proxy app served by
 * Deno.serve. Every server and the proxy's connections close in close().
 */
import { join } from "@std/path";
import { accountServerApp } from "../../lib/account/app.ts";
import type { ConfValue } from "../../lib/config/ini.ts";
import { parseOptions, type StageConfig } from "../../lib/config/load.ts";
import {
  ACCOUNT_APP,
  CONTAINER_APP,
  MEM_OBJECT_APP,
  PROXY_APP,
} from "../../lib/config/options/apps.ts";
import type { OptionTable } from "../../lib/config/options/option.ts";
import { PROXY_SERVER_TABLE } from "../../lib/config/options/proxy.ts";
import { containerServerApp } from "../../lib/container/app.ts";
import type { AppFactory, BuildContext, Handler } from "../../lib/middleware/compose.ts";
import { memObjectApp } from "../../lib/object/app.ts";
import { proxyServerApp } from "../../lib/proxy/app.ts";
import { buildRing, writeRing } from "../../lib/ring/builder.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { keepingLogger, type LoggedLine } from "../object/_server.ts";

/** swift.conf of the test clusters: Debian's hash salt, two replicated policies. */
export const TEST_SWIFT_CONF = `[swift-hash]
swift_hash_path_prefix = changeme
swift_hash_path_suffix = changeme

[storage-policy:0]
name = gold
aliases = yellow
default = yes

[storage-policy:1]
name = silver

[storage-policy:2]
name = old
deprecated = yes
`;

/** A stage config for `table`'s entry point with `conf` as its settings. */
export function stageOf(
  table: OptionTable,
  conf: Record<string, string>,
  extraTables: OptionTable[] = [],
): StageConfig {
  const map = new Map<string, ConfValue>(
    Object.entries(conf).map(([key, value]) => [key, { value, file: "test.conf" }]),
  );
  const where = { file: "test.conf", section: `app:${table.name}` };
  const options: Record<string, unknown> = {};
  for (const t of [table, ...extraTables]) {
    Object.assign(options, parseOptions(t, map, where, () => {}));
  }
  return {
    kind: "app",
    name: table.name,
    section: where.section,
    entryPoint: table.name,
    conf: map,
    options,
    origin: { file: "test.conf" },
  };
}

/** A handler served on a free loopback port. */
export interface Served {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1:0 with a fresh request context per request. */
export function serve(handler: Handler, lines: LoggedLine[]): Served {
  const logger = keepingLogger(lines);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req, info) => handler(req, newRequestContext(logger, info.remoteAddr)),
  );
  return { port: server.addr.port, close: () => server.shutdown() };
}

/** A running app and how to stop it (its onClose callbacks included). */
export interface RunningApp extends Served {
  readonly handler: Handler;
  readonly lines: LoggedLine[];
}

/** Builds `factory` from `stage` and serves it. */
export function runApp(factory: AppFactory, stage: StageConfig, server: string): RunningApp {
  const lines: LoggedLine[] = [];
  const cleanups: (() => void | Promise<void>)[] = [];
  const build: BuildContext = {
    logger: keepingLogger(lines),
    server,
    onClose: (cleanup) => cleanups.push(cleanup),
  };
  const handler = factory(stage, build);
  const served = serve(handler, lines);
  return {
    port: served.port,
    handler,
    lines,
    close: async () => {
      await served.close();
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}

/** One storage node: account, container and object servers with device `sdN`. */
export interface StorageNode {
  readonly device: string;
  account?: RunningApp;
  container?: RunningApp;
  object?: RunningApp;
}

/** A test cluster. */
export interface TestCluster extends AsyncDisposable {
  readonly root: string;
  readonly swiftDir: string;
  readonly nodes: StorageNode[];
  readonly proxy: RunningApp;
  /** http://127.0.0.1:PORT of the proxy. */
  readonly url: string;
  /** Sends a request to the proxy over HTTP. */
  fetch(method: string, path: string, init?: RequestInit): Promise<Response>;
  /** Stops the object server of node `i` (its port then refuses connections). */
  stopObjectServer(i: number): Promise<void>;
}

/** Options of startCluster(). */
export interface ClusterOptions {
  readonly nodes?: number;
  readonly replicas?: number;
  /** Extra proxy settings ([app:proxy-server] keys). */
  readonly proxy?: Record<string, string>;
  /** Object server ports to put in the ring instead of starting servers (stalled, dead). */
  readonly objectPorts?: (number | undefined)[];
}

/** Starts storage nodes, writes the rings and starts the proxy. */
export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const count = options.nodes ?? 3;
  const replicas = options.replicas ?? 3;
  const root = await Deno.makeTempDir({ prefix: "swiftd-proxy-" });
  const swiftDir = join(root, "etc");
  const devices = join(root, "srv");
  await Deno.mkdir(swiftDir);
  await Deno.writeTextFile(join(swiftDir, "swift.conf"), TEST_SWIFT_CONF);
  const nodes: StorageNode[] = [];
  const common = {
    swift_dir: swiftDir,
    devices,
    mount_check: "false",
    log_requests: "false",
    bind_port: "6200",
    fallocate_reserve: "0",
  };
  for (let i = 0; i < count; i++) {
    const device = `sd${String.fromCharCode(97 + i)}`;
    await Deno.mkdir(join(devices, device), { recursive: true });
    const node: StorageNode = { device };
    node.account = runApp(accountServerApp, stageOf(ACCOUNT_APP, common), "account-server");
    node.container = runApp(containerServerApp, stageOf(CONTAINER_APP, common), "container-server");
    if (options.objectPorts?.[i] === undefined) {
      node.object = runApp(memObjectApp, stageOf(MEM_OBJECT_APP, common), "object-server");
    }
    nodes.push(node);
  }
  const ring = (port: (node: StorageNode, i: number) => number) =>
    buildRing(
      nodes.map((node, i) => ({
        ip: "127.0.0.1",
        port: port(node, i),
        device: node.device,
        weight: 100,
        zone: i + 1,
      })),
      { replicas: Math.min(replicas, count), partPower: 4 },
    );
  writeRing(join(swiftDir, "account.ring.gz"), ring((n) => n.account!.port));
  writeRing(join(swiftDir, "container.ring.gz"), ring((n) => n.container!.port));
  const objectRing = ring((n, i) => n.object?.port ?? options.objectPorts![i]!);
  for (const name of ["object", "object-1", "object-2"]) {
    writeRing(join(swiftDir, `${name}.ring.gz`), objectRing);
  }
  const proxy = runApp(
    proxyServerApp,
    stageOf(PROXY_APP, { swift_dir: swiftDir, bind_port: "8080", ...options.proxy }, [
      PROXY_SERVER_TABLE,
    ]),
    "proxy-server",
  );
  const url = `http://127.0.0.1:${proxy.port}`;
  return {
    root,
    swiftDir,
    nodes,
    proxy,
    url,
    fetch: (method, path, init = {}) => fetch(`${url}${path}`, { ...init, method }),
    async stopObjectServer(i) {
      await nodes[i].object?.close();
      nodes[i].object = undefined;
    },
    async [Symbol.asyncDispose]() {
      await proxy.close();
      for (const node of nodes) {
        await node.object?.close();
        await node.container?.close();
        await node.account?.close();
      }
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** Reads a response body as text. */
export async function text(response: Response): Promise<string> {
  return await response.text();
}
