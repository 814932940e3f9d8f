/**
 * Real Swift (Debian's packages) for interop tests: a cluster directory with swift.conf and
 * rings, and Swift servers started on it through a tiny launcher, since Swift's own binaries
 * always read /etc/swift/swift.conf.
 */
import { join } from "@std/path";
import { freePort, isAlive, waitUntil } from "./swiftd.ts";

const LAUNCHER = `
import sys
from swift.common.utils import set_swift_dir
set_swift_dir(sys.argv[3])
from swift.common.wsgi import run_wsgi
sys.exit(run_wsgi(sys.argv[1], sys.argv[2]))
`;

/** Ports of a one-node cluster's storage servers. */
export interface ClusterPorts {
  readonly account: number;
  readonly container: number;
  readonly object: number;
}

/** A cluster directory: etc/ (swift.conf, rings), node/sda1..sdaN, run/, the launcher. */
export interface Cluster {
  readonly root: string;
  readonly swiftDir: string;
  readonly devices: string;
  readonly ports: ClusterPorts;
}

async function run(command: string, args: string[]): Promise<void> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
    .output();
  if (!output.success) {
    throw new Error(
      `${command} ${args.join(" ")} failed: ${new TextDecoder().decode(output.stderr)}`,
    );
  }
}

/** Builds a cluster under `root` with `replicas` devices per ring, rings made by swift-ring-builder. */
export async function makeCluster(root: string, replicas = 1): Promise<Cluster> {
  const swiftDir = join(root, "etc");
  const devices = join(root, "node");
  await Deno.mkdir(swiftDir, { recursive: true });
  for (let i = 1; i <= replicas; i++) {
    await Deno.mkdir(join(devices, `sda${i}`), { recursive: true });
  }
  await Deno.writeTextFile(
    join(swiftDir, "swift.conf"),
    "[swift-hash]\nswift_hash_path_prefix = interop\nswift_hash_path_suffix = test\n\n" +
      "[storage-policy:0]\nname = gold\ndefault = yes\n",
  );
  await Deno.writeTextFile(join(root, "launcher.py"), LAUNCHER);
  const ports = { account: freePort(), container: freePort(), object: freePort() };
  for (const [ring, port] of Object.entries(ports)) {
    const builder = join(swiftDir, `${ring}.builder`);
    await run("swift-ring-builder", [builder, "create", "6", String(replicas), "0"]);
    for (let i = 1; i <= replicas; i++) {
      await run("swift-ring-builder", [builder, "add", `r1z${i}-127.0.0.1:${port}/sda${i}`, "100"]);
    }
    await run("swift-ring-builder", [builder, "rebalance"]);
  }
  return { root, swiftDir, devices, ports };
}

/** The config of one storage server of `cluster` (Swift's and swiftd's alike). */
export function storageConf(cluster: Cluster, server: keyof ClusterPorts, workers = 1): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${cluster.ports[server]}
workers = ${workers}
user = ${Deno.env.get("USER") ?? "root"}
swift_dir = ${cluster.swiftDir}
devices = ${cluster.devices}
mount_check = false
run_dir = ${cluster.root}/run
log_address = /nonexistent

[pipeline:main]
pipeline = healthcheck ${server}-server

[app:${server}-server]
use = egg:swift#${server}

[filter:healthcheck]
use = egg:swift#healthcheck
`;
}

/** A real Swift server process. */
export class RealSwift implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly port: number;

  constructor(child: Deno.ChildProcess, port: number) {
    this.child = child;
    this.port = port;
  }

  /** Starts `server` (e.g. "proxy-server") from `conf` on `cluster`, waiting for /healthcheck. */
  static async start(
    cluster: Cluster,
    server: string,
    conf: string,
    port: number,
  ): Promise<RealSwift> {
    const path = join(cluster.root, `swift-${server}.conf`);
    await Deno.writeTextFile(path, conf);
    const child = new Deno.Command("/usr/bin/python3", {
      args: [join(cluster.root, "launcher.py"), path, server, cluster.swiftDir],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const swift = new RealSwift(child, port);
    await waitUntil(
      async () => {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/healthcheck`);
          await response.body?.cancel();
          return response.ok;
        } catch {
          return false;
        }
      },
      30_000,
      `real Swift ${server} on port ${port}`,
    );
    return swift;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    // run_wsgi's parent kills its process group on SIGTERM; reap it and its workers.
    try {
      this.child.kill("SIGTERM");
    } catch {
      // gone
    }
    await this.child.status;
    await waitUntil(() => !isAlive(this.child.pid), 10_000);
  }
}

/** A memcached on a free port, for Swift's tempauth (which requires one). */
export async function startMemcached(): Promise<{ port: number } & AsyncDisposable> {
  const port = freePort();
  const child = new Deno.Command("memcached", {
    args: ["-l", "127.0.0.1", "-p", String(port), "-U", "0", "-u", "nobody"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitUntil(
    async () => {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        return true;
      } catch {
        return false;
      }
    },
    10_000,
    "memcached",
  );
  return {
    port,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

/** Runs python-swiftclient's `swift` CLI; returns stdout, failing with its stderr. */
export async function swiftCli(authUrl: string, args: string[], cwd?: string): Promise<string> {
  const output = await new Deno.Command("swift", {
    args: ["-A", authUrl, "-U", "test:tester", "-K", "testing", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(`swift ${args.join(" ")} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return text;
}
