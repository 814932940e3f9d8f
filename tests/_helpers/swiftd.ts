/**
 * Runs the real swiftd (main.ts under `deno run`, exactly as `deno task swiftd` does) for
 * integration tests: a free port, a config in a temp dir, stderr collected line by line,
 * worker pids from /proc, and cleanup that reaps every process it started.
 */
import { join } from "@std/path";
import { DENO_FLAGS } from "../../lib/supervisor/self_command.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** A port nothing listens on now: bind :0, read it, close it. */
export function freePort(hostname = "127.0.0.1"): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A config for an object server (mem_object) behind catch_errors and healthcheck. */
export function memObjectConf(port: number, runDir: string, extra = ""): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 2
user =
run_dir = ${runDir}
bind_timeout = 2
graceful_shutdown_timeout = 10
${extra}

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

/** A running swiftd and its stderr. */
export class SwiftdProcess implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly lines: string[] = [];
  readonly status: Promise<Deno.CommandStatus>;
  #waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  #stderrDone: Promise<void>;

  constructor(child: Deno.ChildProcess) {
    this.child = child;
    this.#stderrDone = this.#collect();
    this.status = child.status;
    child.stdout.cancel();
  }

  get pid(): number {
    return this.child.pid;
  }

  async #collect(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of this.child.stderr) {
      buffer += decoder.decode(chunk, { stream: true });
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        this.lines.push(line);
        this.#waiters = this.#waiters.filter((w) => {
          if (!w.pattern.test(line)) return true;
          w.resolve(line);
          return false;
        });
      }
    }
    if (buffer) this.lines.push(buffer);
  }

  /** All stderr so far. */
  get stderr(): string {
    return this.lines.join("\n");
  }

  /** Waits for a stderr line matching `pattern` (including one already seen). */
  waitForLine(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const seen = this.lines.find((line) => pattern.test(line));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`No stderr line matched ${pattern} in ${timeoutMs} ms:\n${this.stderr}`));
      }, timeoutMs);
      this.#waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  /** Lines matching `pattern` seen so far. */
  linesMatching(pattern: RegExp): string[] {
    return this.lines.filter((line) => pattern.test(line));
  }

  /** Sends a signal to the parent. */
  kill(signal: Deno.Signal): void {
    try {
      this.child.kill(signal);
    } catch {
      // already exited
    }
  }

  /** Waits for the parent to exit, failing after `timeoutMs`. */
  async exited(timeoutMs = 20_000): Promise<Deno.CommandStatus> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`swiftd did not exit:\n${this.stderr}`)),
        timeoutMs,
      );
    });
    try {
      const status = await Promise.race([this.status, timeout]);
      await this.#stderrDone;
      return status;
    } finally {
      clearTimeout(timer);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const workers = childPids(this.pid);
    this.kill("SIGKILL");
    await this.status;
    await this.#stderrDone;
    for (const pid of workers) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
    await waitUntil(() => workers.every((pid) => !isAlive(pid)), 10_000);
  }
}

/** Starts `swiftd ...args` (`deno run` with the shared flags); stdout is discarded. */
export function startSwiftd(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; prefix?: string[] } = {},
): SwiftdProcess {
  const command = [...(options.prefix ?? []), Deno.execPath()];
  const child = new Deno.Command(command[0], {
    args: [...command.slice(1), "run", ...DENO_FLAGS, "--config", CONFIG, MAIN, ...args],
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return new SwiftdProcess(child);
}

/** Writes `text` to `dir/name` and returns the path. */
export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  Deno.writeTextFileSync(path, text);
  return path;
}

/** Whether a process exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return !/^State:\s+Z/m.test(status);
  } catch {
    return false;
  }
}

/** The pids whose parent is `ppid`, from /proc. */
export function childPids(ppid: number): number[] {
  const out: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const status = Deno.readTextFileSync(`/proc/${entry.name}/status`);
      if (new RegExp(`^PPid:\\s+${ppid}$`, "m").test(status) && !/^State:\s+Z/m.test(status)) {
        out.push(Number(entry.name));
      }
    } catch {
      // exited while we looked
    }
  }
  return out.sort((a, b) => a - b);
}

/** Polls `condition` every 50 ms until it holds; throws after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** GET `path` and return status and body text (no keep-alive between tests). */
export async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

/** Sends raw bytes on a new connection and returns everything the server sends back. */
export async function rawRequest(port: number, data: string | Uint8Array): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(typeof data === "string" ? new TextEncoder().encode(data) : data);
    const chunks: Uint8Array[] = [];
    const buffer = new Uint8Array(65536);
    while (true) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
    }
    return new TextDecoder().decode(
      chunks.reduce((all, c) => new Uint8Array([...all, ...c]), new Uint8Array()),
    );
  } finally {
    conn.close();
  }
}
