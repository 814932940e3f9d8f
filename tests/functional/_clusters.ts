/**
 * The clusters Swift's functional suite runs against, set up alike: swiftd's all-in-one
 * default (`swiftd` with no arguments in an empty directory); real Swift 2.30 reading the
 * same four conf/all-in-one configs through Debian's servers, with the same data layout
 * (bootstrapAllInOne) under its own directory; and the mixed one, that same real Swift with
 * `swiftd proxy-server` in place of Swift's proxy.
 *
 * The all-in-one binds fixed ports (8080, 6200-6202), which a developer's own swiftd may hold,
 * so as root each cluster gets a network namespace of its own (its own loopback) and both run
 * at once; otherwise they run one after the other on the host's loopback.
 */
import { join } from "@std/path";
import { bootstrapAllInOne } from "../../lib/supervisor/all_in_one.ts";
import { freePort, startSwiftd, type SwiftdProcess, waitUntil } from "../_helpers/swiftd.ts";

const REPO = new URL("../..", import.meta.url).pathname;

/** Where a cluster's processes run: a network namespace (a command prefix) or the host. */
export interface Place extends AsyncDisposable {
  readonly prefix: readonly string[];
  readonly isolated: boolean;
}

async function run(args: readonly string[]): Promise<Deno.CommandOutput> {
  return await new Deno.Command(args[0], { args: args.slice(1), stdout: "piped", stderr: "piped" })
    .output();
}

/** Whether `ip netns` works here (root with iproute2). */
export async function canIsolate(): Promise<boolean> {
  if (Deno.uid() !== 0) return false;
  return (await run(["ip", "netns", "list"]).catch(() => undefined))?.success === true;
}

/** A fresh network namespace with loopback up, or the host when `isolate` is false. */
export async function place(name: string, isolate: boolean): Promise<Place> {
  if (!isolate) return { prefix: [], isolated: false, async [Symbol.asyncDispose]() {} };
  const ns = `swiftd-func-${name}-${Deno.pid}`;
  const added = await run(["ip", "netns", "add", ns]);
  if (!added.success) {
    throw new Error(`ip netns add ${ns}: ${new TextDecoder().decode(added.stderr)}`);
  }
  const prefix = ["ip", "netns", "exec", ns];
  await run([...prefix, "ip", "link", "set", "lo", "up"]);
  return {
    prefix,
    isolated: true,
    async [Symbol.asyncDispose]() {
      await run(["ip", "netns", "del", ns]);
    },
  };
}

/** Whether 127.0.0.1:`port` answers /healthcheck with 200, asked from inside `where`. */
async function healthy(where: Place, port: number): Promise<boolean> {
  const out = await run([
    ...where.prefix,
    "curl",
    "-sf",
    "-o",
    "/dev/null",
    "--max-time",
    "2",
    `http://127.0.0.1:${port}/healthcheck`,
  ]).catch(() => undefined);
  return out?.success === true;
}

/** A scratch directory on tmpfs when it has room: ext4 caps a file's xattrs at 4 KiB. */
export async function scratchDir(prefix: string): Promise<string> {
  const df = await run(["df", "--output=avail", "-B1", "/dev/shm"]).catch(() => undefined);
  const avail = Number(new TextDecoder().decode(df?.stdout ?? new Uint8Array()).split("\n")[1]);
  // Each run stores about 35 MB; both runs may share /dev/shm at once.
  const dir = avail > 512 * 2 ** 20 ? "/dev/shm" : undefined;
  return await Deno.makeTempDir({ dir, prefix });
}

/** A running cluster: its proxy on 127.0.0.1:8080 inside `where`. */
export interface Cluster extends AsyncDisposable {
  readonly where: Place;
  readonly root: string;
  /** What the cluster wrote to stderr, for failure messages. */
  log(): string;
}

/** `swiftd` with no arguments in an empty directory, as a user starts it. */
export async function startSwiftdCluster(where: Place): Promise<Cluster> {
  const root = await scratchDir("swiftd-func-swiftd-");
  const swiftd: SwiftdProcess = startSwiftd([], { cwd: root, prefix: [...where.prefix] });
  const cluster: Cluster = {
    where,
    root,
    log: () => swiftd.lines.slice(-60).join("\n"),
    async [Symbol.asyncDispose]() {
      await swiftd[Symbol.asyncDispose]();
      await Deno.remove(root, { recursive: true });
    },
  };
  try {
    await waitUntil(() => healthy(where, 8080), 60_000, "swiftd's /healthcheck on 8080");
  } catch (err) {
    await cluster[Symbol.asyncDispose]();
    throw new Error(`${(err as Error).message}\n${swiftd.stderr}`);
  }
  return cluster;
}

// Swift's servers read /etc/swift/swift.conf unless told otherwise before they start.
const LAUNCHER = `import sys
from swift.common.utils import set_swift_dir
set_swift_dir(sys.argv[3])
from swift.common.wsgi import run_wsgi
sys.exit(run_wsgi(sys.argv[1], sys.argv[2]))
`;

/**
 * An all-in-one config as real Swift can run it: `user` named (Swift calls getpwnam() on it),
 * %(here)s spelled out (the proxy re-reads its file with readconf(), which has no `here`),
 * and for the proxy a memcache filter, without which Swift's tempauth cannot keep tokens.
 */
export function swiftConfOf(text: string, root: string, user: string, memcached: number): string {
  let out = text.replace(/^user =.*$/m, `user = ${user}`).replaceAll("%(here)s", root);
  if (/^\[app:proxy-server\]/m.test(out)) {
    out = out.replace(/^(pipeline = .*?proxy-logging )/m, "$1cache ") +
      `\n[filter:cache]\nuse = egg:swift#memcache\nmemcache_servers = 127.0.0.1:${memcached}\n`;
  }
  return out;
}

/**
 * Real Swift 2.30 (Debian's packages) on the all-in-one configs and layout; with `proxy` =
 * "swiftd", swiftd's proxy-server on the same proxy config in front of Swift's storage servers.
 */
export async function startSwiftCluster(
  where: Place,
  proxy: "swift" | "swiftd" = "swift",
): Promise<Cluster> {
  const root = await scratchDir("swiftd-func-swift-");
  bootstrapAllInOne(root);
  const swiftDir = join(root, "data", "etc");
  await Deno.writeTextFile(join(root, "launcher.py"), LAUNCHER);
  const memcachedPort = where.isolated ? 11211 : freePort();
  const user = new TextDecoder().decode((await run(["id", "-un"])).stdout).trim();
  const children: {
    name: string;
    child: Deno.ChildProcess;
    stderr: string[];
    read: Promise<void>;
  }[] = [];
  const spawn = (name: string, args: string[]) => {
    const command = [...where.prefix, ...args];
    const child = new Deno.Command(command[0], {
      args: command.slice(1),
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr: string[] = [];
    const read = (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        stderr.push(chunk);
      }
    })();
    children.push({ name, child, stderr, read });
  };
  // memcached refuses to run as root unless told which user to become.
  const asUser = Deno.uid() === 0 ? ["-u", "nobody"] : [];
  spawn("memcached", [
    "memcached",
    "-l",
    "127.0.0.1",
    "-p",
    String(memcachedPort),
    "-U",
    "0",
    ...asUser,
  ]);
  let swiftdProxy: SwiftdProcess | undefined;
  for (const server of ["account", "container", "object", "proxy"]) {
    const text = await Deno.readTextFile(join(REPO, "conf", "all-in-one", `${server}-server.conf`));
    const conf = join(root, `${server}-server.conf`);
    await Deno.writeTextFile(conf, swiftConfOf(text, root, user, memcachedPort));
    if (server === "proxy" && proxy === "swiftd") {
      swiftdProxy = startSwiftd(["proxy-server", conf], { cwd: root, prefix: [...where.prefix] });
      continue;
    }
    spawn(server, [
      "/usr/bin/python3",
      join(root, "launcher.py"),
      conf,
      `${server}-server`,
      swiftDir,
    ]);
  }
  const cluster: Cluster = {
    where,
    root,
    log: () =>
      [
        ...children.map((c) => `${c.name}: ${c.stderr.join("").slice(-2000)}`),
        ...(swiftdProxy ? [`swiftd proxy: ${swiftdProxy.lines.slice(-40).join("\n")}`] : []),
      ].join("\n"),
    async [Symbol.asyncDispose]() {
      await swiftdProxy?.[Symbol.asyncDispose]();
      for (const { child } of children) {
        try {
          child.kill("SIGTERM");
        } catch {
          // exited already
        }
      }
      for (const { child, read } of children) await Promise.all([child.status, read]);
      await Deno.remove(root, { recursive: true });
    },
  };
  try {
    for (const port of [6202, 6201, 6200, 8080]) {
      const what = port === 8080 && swiftdProxy ? "swiftd's proxy" : "real Swift";
      await waitUntil(() => healthy(where, port), 60_000, `${what}'s /healthcheck on ${port}`);
    }
  } catch (err) {
    const log = cluster.log();
    await cluster[Symbol.asyncDispose]();
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  return cluster;
}
