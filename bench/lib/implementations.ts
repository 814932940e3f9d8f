/**
 * The two implementations under test and how each is started on the same config file:
 * swiftd (`deno run main.ts` or a compiled binary) and real Swift (Debian's, through
 * swift_launcher.py so it reads a private swift.conf instead of /etc/swift).
 */
import { dirname, fromFileUrl, join } from "@std/path";
import type { ServerName } from "./scenarios.ts";

/** An implementation: its name in reports and the command that runs one server. */
export interface Implementation {
  readonly name: string;
  /** argv that runs `server` on `conf`, whose swift_dir is `swiftDir`. */
  command(server: ServerName, conf: string, swiftDir: string): string[];
}

/** main.ts of the checkout this bench belongs to. */
export const DEFAULT_SWIFTD = fromFileUrl(new URL("../../main.ts", import.meta.url));

const LAUNCHER = fromFileUrl(new URL("../swift_launcher.py", import.meta.url));

/**
 * swiftd from `path`: a `.ts` main module runs under `deno run` with the flags of deno.json's
 * tasks and the deno.json beside it (so imports resolve whatever the cwd); anything else is a
 * compiled `swiftd` executable.
 */
export function swiftd(path: string): Implementation {
  const prefix = path.endsWith(".ts")
    ? [
      Deno.execPath(),
      "run",
      "--allow-all",
      "--unstable-net",
      "--config",
      join(dirname(path), "deno.json"),
      path,
    ]
    : [path];
  return { name: "swiftd", command: (server, conf) => [...prefix, server, conf] };
}

/**
 * Real Swift under `python`. Swift reads swift.conf from /etc/swift unless told otherwise
 * before its modules load; the launcher points it at the run's swift_dir (writeSwiftDir()).
 */
export function swift(python: string): Implementation {
  return {
    name: "Swift",
    command: (server, conf, swiftDir) => [python, LAUNCHER, swiftDir, conf, server],
  };
}

/** Writes the swift.conf both need (hash prefix and suffix, one policy) into `dir`. */
export function writeSwiftDir(dir: string): void {
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(
    join(dir, "swift.conf"),
    "[swift-hash]\nswift_hash_path_prefix = bench\nswift_hash_path_suffix = bench\n\n" +
      "[storage-policy:0]\nname = Policy-0\ndefault = yes\n",
  );
}

const RINGS = fromFileUrl(new URL("../swift_rings.py", import.meta.url));

/**
 * Builds account, container and object rings in `dir` with Swift's RingBuilder: one device
 * (127.0.0.1:port/sda1), one replica, part power 8, as SAIO's remakerings does with more.
 */
export async function writeRings(
  python: string,
  dir: string,
  ports: Readonly<Record<string, number>>,
): Promise<void> {
  const out = await new Deno.Command(python, {
    args: [RINGS, dir, ...Object.entries(ports).map(([ring, port]) => `${ring}:${port}`)],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`Building rings failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}
