/**
 * The machine and software a run measured, for the report: results mean little without the
 * CPU, core count, kernel and the versions of Deno, Python, Swift and wrk.
 */
import { dirname } from "@std/path";

/** What the report says about the machine. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly kernel: string;
  readonly deno: string;
  readonly python: string;
  readonly swift: string;
  readonly wrk: string;
  readonly swiftd: string;
  readonly date: string;
  /** Load averages (1, 5, 15 min) when the run started and ended: other work skews results. */
  readonly loadBefore: string;
  readonly loadAfter: string;
}

/** The 1, 5 and 15 minute load averages from /proc/loadavg. */
export function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

async function output(argv: string[], cwd?: string): Promise<string> {
  try {
    const out = await new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return out.success || text.trim() ? text.trim() : "unknown";
  } catch {
    return "unknown";
  }
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(Deno.readTextFileSync("/proc/cpuinfo"));
    return match ? match[1].trim() : "unknown";
  } catch {
    return "unknown";
  }
}

/** Which swiftd ran: the git commit of a checkout (with "+changes" if dirty) or `--version`. */
async function swiftdVersion(path: string): Promise<string> {
  if (!path.endsWith(".ts")) return (await output([path, "--version"])).split("\n")[0];
  const dir = dirname(path);
  const commit = await output(["git", "rev-parse", "--short", "HEAD"], dir);
  if (commit === "unknown" || commit.includes("fatal")) return `${path} (not a git checkout)`;
  const dirty = await output(["git", "status", "--porcelain", "--untracked-files=no"], dir);
  return `commit ${commit}${dirty && dirty !== "unknown" ? " with uncommitted changes" : ""}`;
}

/** Collects the machine facts; `python` and `swiftd` are what the run started. */
export async function describeMachine(
  options: { python: string; swiftd: string; loadBefore: string },
): Promise<Machine> {
  const { python, swiftd } = options;
  const dpkg = await output(["dpkg-query", "-W", "-f=${Version}", "swift"]);
  const swift = await output([python, "-c", "import swift; print(swift.__version__)"]);
  return {
    cpu: cpuModel(),
    cores: navigator.hardwareConcurrency,
    kernel: `${Deno.build.os} ${Deno.osRelease()} (${Deno.build.arch})`,
    deno: `${Deno.version.deno} (V8 ${Deno.version.v8})`,
    python: (await output([python, "--version"])).replace(/^Python /, ""),
    swift: dpkg === "unknown" ? swift : `${swift} (Debian package ${dpkg})`,
    wrk: (await output(["wrk", "--version"])).split("\n")[0].replace(/ Copyright.*/, ""),
    swiftd: await swiftdVersion(swiftd),
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    loadBefore: options.loadBefore,
    loadAfter: loadAverage(),
  };
}
