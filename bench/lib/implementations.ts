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
  /** argv that runs `server` on `conf`. */
  command(server: ServerName, conf: string): string[];
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
 * Real Swift under `python`. Swift always reads swift.conf from its swift_dir (/etc/swift by
 * default); the launcher points it at `swiftDir`, where writeSwiftDir() put a private one.
 */
export function swift(python: string, swiftDir: string): Implementation {
  return {
    name: "Swift",
    command: (server, conf) => [python, LAUNCHER, swiftDir, conf, server],
  };
}

/** Writes the swift.conf Swift needs (hash prefix and suffix) into `dir`. */
export function writeSwiftDir(dir: string): void {
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(
    join(dir, "swift.conf"),
    "[swift-hash]\nswift_hash_path_prefix = bench\nswift_hash_path_suffix = bench\n",
  );
}
