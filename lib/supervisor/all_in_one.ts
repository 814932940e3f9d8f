/**
 * The all-in-one default (`swiftd` with no arguments): a proxy with tempauth and an account,
 * container and object server in one process tree, with everything under ./data. The four
 * configs are embedded in the executable (conf/all-in-one/*.conf, ordinary Swift configs a user
 * can copy), read as if they were files in the current directory, so `%(here)s/data` is ./data.
 *
 * On first start the data directory gets a swift.conf with a random hash path prefix and suffix
 * (the cluster's identity: it must never change afterwards), one device, and a one-replica ring
 * for each of account, container and object.
 */
import { join, resolve } from "@std/path";
import proxyConf from "../../conf/all-in-one/proxy-server.conf" with { type: "text" };
import accountConf from "../../conf/all-in-one/account-server.conf" with { type: "text" };
import containerConf from "../../conf/all-in-one/container-server.conf" with { type: "text" };
import objectConf from "../../conf/all-in-one/object-server.conf" with { type: "text" };
import type { ServerName } from "../config/options/servers.ts";
import { buildRing, writeRing } from "../ring/mod.ts";
import type { ServiceOptions } from "./service.ts";

/** The embedded configs, by server, with the port each one binds. */
const SERVICES: readonly { server: ServerName; text: string; port: number }[] = [
  { server: "account-server", text: accountConf, port: 6202 },
  { server: "container-server", text: containerConf, port: 6201 },
  { server: "object-server", text: objectConf, port: 6200 },
  { server: "proxy-server", text: proxyConf, port: 8080 },
];

/** Where the all-in-one keeps its state, under `root`. */
export interface AllInOneLayout {
  readonly data: string;
  readonly swiftDir: string;
  readonly devices: string;
}

/** The layout under `root` (the directory swiftd is started in). */
export function allInOneLayout(root: string): AllInOneLayout {
  const data = join(resolve(root), "data");
  return { data, swiftDir: join(data, "etc"), devices: join(data, "node") };
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Creates ./data, swift.conf and the rings if they are missing; returns what it created. */
export function bootstrapAllInOne(root: string): string[] {
  const layout = allInOneLayout(root);
  const created: string[] = [];
  for (
    const dir of [
      layout.swiftDir,
      join(layout.devices, "sda1"),
      join(layout.data, "run"),
      join(layout.data, "cache"),
    ]
  ) {
    if (!exists(dir)) {
      Deno.mkdirSync(dir, { recursive: true });
      created.push(dir);
    }
  }
  const swiftConf = join(layout.swiftDir, "swift.conf");
  if (!exists(swiftConf)) {
    const random = () => crypto.randomUUID().replaceAll("-", "");
    Deno.writeTextFileSync(
      swiftConf,
      `# Written by swiftd on first start. The hash path prefix and suffix decide where every\n` +
        `# object lives: never change them once data is stored.\n` +
        `[swift-hash]\nswift_hash_path_prefix = ${random()}\nswift_hash_path_suffix = ${random()}\n\n` +
        `[storage-policy:0]\nname = Policy-0\ndefault = yes\n`,
    );
    created.push(swiftConf);
  }
  for (const { server, port } of SERVICES) {
    if (server === "proxy-server") continue;
    const ring = join(layout.swiftDir, `${server.replace("-server", "")}.ring.gz`);
    if (exists(ring)) continue;
    const devices = [{ ip: "127.0.0.1", port, device: "sda1", weight: 100, region: 1, zone: 1 }];
    writeRing(ring, buildRing(devices, { replicas: 1, partPower: 8 }));
    created.push(ring);
  }
  return created;
}

const PROXY_BIND_IP = /^bind_ip = 127\.0\.0\.1$/m;

/**
 * The four services of the all-in-one, their configs read as files in `root`. `bindIp` moves
 * the proxy (`swiftd --bind-ip 0.0.0.0` in a container); the storage servers stay on loopback,
 * where the rings point.
 */
export function allInOneServices(
  root: string,
  verbose: boolean,
  bindIp?: string,
): ServiceOptions[] {
  return SERVICES.map(({ server, text }) => {
    const path = join(resolve(root), `${server}.conf`);
    if (server === "proxy-server" && bindIp !== undefined) {
      if (!PROXY_BIND_IP.test(text)) throw new Error("proxy-server.conf lost its bind_ip line");
      text = text.replace(PROXY_BIND_IP, `bind_ip = ${bindIp}`);
    }
    return {
      server,
      configPath: path,
      verbose,
      snapshot: { path, absolutePath: path, isDirectory: false, files: [[path, text]] },
    };
  });
}
