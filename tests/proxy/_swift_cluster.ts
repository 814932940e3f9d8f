/**
 * Debian's Swift 2.30 for interop tests: its account, container and object servers (one
 * process each, three devices sda..sdc, rings made by swift-ring-builder) and its proxy
 * server, all on a private swift_dir and free loopback ports, plus swiftd's proxy app
 * in-process in front of the same storage servers. close() stops and reaps every process.
 */
import { fromFileUrl, join } from "@std/path";
import { PROXY_APP } from "../../lib/config/options/apps.ts";
import { CATCH_ERRORS_FILTER } from "../../lib/config/options/filters.ts";
import { catchErrorsFilter } from "../../lib/middleware/catch_errors.ts";
import { type AppFactory, compose } from "../../lib/middleware/compose.ts";
import { gatekeeperFilterWith } from "../../lib/middleware/gatekeeper.ts";
import { listingFormatsFilterWith } from "../../lib/middleware/listing_formats.ts";
import { PROXY_SERVER_TABLE } from "../../lib/config/options/proxy.ts";
import { proxyServerApp } from "../../lib/proxy/app.ts";
import { freePort } from "../_helpers/swiftd.ts";
import { SWIFT_PYTHON } from "../_helpers/python.ts";
import { runApp, type RunningApp, stageOf } from "./_cluster.ts";

const LAUNCHER = fromFileUrl(new URL("./_swift_server.py", import.meta.url));
const DEVICES = ["sda", "sdb", "sdc"];

/** Storage servers and both proxies. */
export interface InteropCluster extends AsyncDisposable {
  readonly swiftDir: string;
  /** http://127.0.0.1:PORT of Swift's proxy. */
  readonly swiftProxy: string;
  /** http://127.0.0.1:PORT of swiftd's proxy. */
  readonly swiftdProxy: string;
  readonly swiftd: RunningApp;
}

async function run(cmd: string, args: string[], cwd?: string): Promise<void> {
  const { code, stderr } = await new Deno.Command(cmd, {
    args,
    cwd,
    stdout: "null",
    stderr: "piped",
  })
    .output();
  // swift-ring-builder exits 1 for a rebalance that only warns.
  if (code > 1) throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(stderr)}`);
}

async function waitForPort(port: number, child: Deno.ChildProcess): Promise<void> {
  let exited = false;
  child.status.then(() => exited = true);
  // Generous: Swift's imports take seconds, many more on a busy machine.
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`Swift server for port ${port} exited early`);
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`Swift server on port ${port} did not start`);
}

function serverConf(root: string, port: number, server: string, extra = ""): string {
  const egg = server.replace("-server", "");
  return `[DEFAULT]
devices = ${join(root, "srv")}
mount_check = false
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 0
swift_dir = ${join(root, "etc")}
log_name = ${server}
log_facility = LOG_LOCAL7

[pipeline:main]
pipeline = ${server === "proxy-server" ? "catch_errors proxy-server" : server}

[filter:catch_errors]
use = egg:swift#catch_errors

[app:${server}]
use = egg:swift#${egg}
${extra}
`;
}

/**
 * The proxy app behind the filters Swift's proxy runs here (catch_errors plus the required
 * gatekeeper and listing_formats), so both proxies answer clients through the same layers.
 */
const swiftPipeline: AppFactory = (stage, build) => {
  const catchErrors = catchErrorsFilter(stageOf(CATCH_ERRORS_FILTER, {}));
  return compose([
    catchErrors,
    gatekeeperFilterWith(
      { shuntInboundXTimestamp: true, allowReservedNamesHeader: false },
      build.logger,
    ),
    listingFormatsFilterWith({ validApiVersions: ["v1", "v1.0"] }, build.logger),
  ], proxyServerApp(stage, build));
};

/** Starts Swift's servers on a fresh swift_dir with `swiftConf`, and both proxies. */
export async function startInteropCluster(swiftConf: string): Promise<InteropCluster> {
  const root = await Deno.makeTempDir({ prefix: "swiftd-interop-" });
  const etc = join(root, "etc");
  await Deno.mkdir(etc);
  for (const dev of DEVICES) await Deno.mkdir(join(root, "srv", dev), { recursive: true });
  await Deno.writeTextFile(join(etc, "swift.conf"), swiftConf);
  const ports: Record<string, number> = {
    "account-server": freePort(),
    "container-server": freePort(),
    "object-server": freePort(),
    "proxy-server": freePort(),
  };
  for (const type of ["account", "container", "object"]) {
    const builder = `${type}.builder`;
    await run("swift-ring-builder", [builder, "create", "4", "3", "1"], etc);
    for (const [i, dev] of DEVICES.entries()) {
      await run(
        "swift-ring-builder",
        [builder, "add", `r1z${i + 1}-127.0.0.1:${ports[`${type}-server`]}/${dev}`, "100"],
        etc,
      );
    }
    await run("swift-ring-builder", [builder, "rebalance"], etc);
  }
  // Every policy needs a ring; the others share policy 0's placement.
  for (const name of ["object-1", "object-2"]) {
    await Deno.copyFile(join(etc, "object.ring.gz"), join(etc, `${name}.ring.gz`));
  }
  const children: Deno.ChildProcess[] = [];
  const stop = async () => {
    for (const child of children) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    }
    for (const child of children) await child.status;
  };
  let swiftd: RunningApp | undefined;
  try {
    for (const [server, port] of Object.entries(ports)) {
      const conf = join(etc, `${server}.conf`);
      const extra = server === "proxy-server" ? "account_autocreate = true\n" : "";
      await Deno.writeTextFile(conf, serverConf(root, port, server, extra));
      const child = new Deno.Command(SWIFT_PYTHON, {
        args: [LAUNCHER, etc, server, conf],
        stdin: "null",
        stdout: "null",
        stderr: Deno.env.get("SWIFTD_TEST_SWIFT_STDERR") ? "inherit" : "null",
      }).spawn();
      children.push(child);
    }
    await Promise.all(Object.values(ports).map((port, i) => waitForPort(port, children[i])));
    swiftd = runApp(
      swiftPipeline,
      stageOf(
        PROXY_APP,
        { swift_dir: etc, bind_port: "8080", account_autocreate: "true" },
        [PROXY_SERVER_TABLE],
      ),
      "proxy-server",
    );
  } catch (err) {
    await stop();
    await Deno.remove(root, { recursive: true });
    throw err;
  }
  const running = swiftd;
  return {
    swiftDir: etc,
    swiftProxy: `http://127.0.0.1:${ports["proxy-server"]}`,
    swiftdProxy: `http://127.0.0.1:${running.port}`,
    swiftd: running,
    async [Symbol.asyncDispose]() {
      await running.close();
      await stop();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** The output of python-swiftclient's `swift` CLI against `storageUrl`. */
export async function swiftCli(
  storageUrl: string,
  args: string[],
  cwd?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command("/usr/bin/swift", {
    args: ["--os-storage-url", storageUrl, "--os-auth-token", "x", ...args],
    cwd,
    env: { PYTHONDONTWRITEBYTECODE: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}
