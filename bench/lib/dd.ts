/**
 * What the disk itself gives, for the large-object scenarios to be compared with: dd writing
 * a file in 1 MiB blocks and fsyncing it (a PUT fsyncs its data file), then reading it back
 * after dropping its pages from the cache (both object servers drop the pages of large objects
 * they read, so a later GET reads the disk). The file lives in the bench's temp directory, on
 * the disk the servers' devices are on, and is removed afterwards.
 */
import { join } from "@std/path";
import { median } from "./stats.ts";

/** dd's throughput on the bench's disk, in MiB/s. */
export interface DiskBaseline {
  readonly writeMiBs: number;
  readonly readMiBs: number;
  /** The dd commands, for the report. */
  readonly commands: readonly string[];
}

const MIB = 2 ** 20;

/** Runs dd; returns its throughput in MiB/s (0 when it copied nothing). */
async function dd(args: string[]): Promise<number> {
  const out = await new Deno.Command("dd", { args, stdout: "null", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`dd ${args.join(" ")} failed: ${text}`);
  // "268435456 bytes (268 MB, 256 MiB) copied, 0.61 s, 440 MB/s"
  const match = /^(\d+) bytes .*copied, ([\d.]+) s/m.exec(text);
  if (!match) throw new Error(`dd printed no throughput: ${text}`);
  const bytes = Number(match[1]);
  return bytes === 0 ? 0 : bytes / Number(match[2]) / MIB;
}

/** Median of `samples` dd writes and reads of a `mib` MiB file in `dir`. */
export async function measureDisk(
  dir: string,
  options: { mib?: number; samples?: number } = {},
): Promise<DiskBaseline> {
  const mib = options.mib ?? 256;
  const file = join(dir, "dd-baseline");
  const write = ["if=/dev/zero", `of=${file}`, "bs=1M", `count=${mib}`, "conv=fsync"];
  const drop = [`if=${file}`, "iflag=nocache", "count=0"];
  const read = [`if=${file}`, "of=/dev/null", "bs=1M"];
  const writes: number[] = [];
  const reads: number[] = [];
  try {
    for (let i = 0; i < (options.samples ?? 3); i++) {
      writes.push(await dd(write));
      await dd(drop);
      reads.push(await dd(read));
    }
  } finally {
    Deno.removeSync(file);
  }
  return {
    writeMiBs: median(writes),
    readMiBs: median(reads),
    commands: [write, drop, read].map((args) => `dd ${args.join(" ")}`.replace(file, "TMP/file")),
  };
}
