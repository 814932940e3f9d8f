/**
 * The rules that pick an object's files, and the partition lock, against Swift 2.30 itself:
 * getOndiskFiles() over generated hash directory listings against DiskFileManager's
 * get_ondisk_files(), and lockPath() against swift.common.utils.lock_path() in another process.
 */
import { assertEquals, assertRejects } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import { encodeTimestamps, Timestamp } from "../../lib/common/timestamp.ts";
import { lockPath, LockTimeout } from "../../lib/object/disk_lock.ts";
import { getOndiskFiles, makeOnDiskFilename } from "../../lib/object/disk_ondisk.ts";
import { SWIFT_PYTHON } from "../_helpers/python.ts";
import { SeededRandom } from "../_helpers/random.ts";
import { makeTempDir } from "../_helpers/temp_dir.ts";
import { askSwift, type OndiskChoice, shmTempDir, writeSwiftConf } from "./_disk_harness.ts";

const BASE = 1700000000;

function timestamp(rng: SeededRandom): Timestamp {
  return new Timestamp(BASE + rng.int(0, 4), { offset: rng.chance(0.2) ? rng.int(1, 2) : 0 });
}

/** A name a hash directory may hold: mostly Swift's files, sometimes strays. */
function fileName(rng: SeededRandom): string {
  const roll = rng.int(0, 99);
  if (roll < 30) return makeOnDiskFilename(timestamp(rng), ".data");
  if (roll < 50) return makeOnDiskFilename(timestamp(rng), ".ts");
  if (roll < 70) {
    const t = new Timestamp(BASE + rng.int(0, 4));
    const ctype = new Timestamp(BASE + rng.int(0, 4) + rng.pick([0, 0.5]));
    return rng.chance(0.5)
      ? makeOnDiskFilename(t, ".meta", ctype)
      : `${encodeTimestamps(timestamp(rng))}.meta`;
  }
  if (roll < 80) return makeOnDiskFilename(timestamp(rng), rng.pick([".durable", ".x"]));
  return rng.pick([
    "junk",
    ".lock",
    "1700000001.00000.data.tmp",
    "abc.data",
    ".1700000001.00000.data.Ab12Cd",
    "1700000001.00000",
    "1700000001.00000+zz.meta",
    "99999999999.00000.data",
  ]);
}

/** A .meta of a POST after a PUT at BASE, with a Content-Type time or none. */
function postedMeta(rng: SeededRandom): string {
  const t = new Timestamp(BASE + rng.int(1, 4));
  if (rng.chance(0.3)) return makeOnDiskFilename(t, ".meta");
  return makeOnDiskFilename(t, ".meta", new Timestamp(BASE + rng.int(0, 8) / 2));
}

function listing(rng: SeededRandom): string[] {
  const names = new Set<string>();
  if (rng.chance(0.4)) {
    // The fast-POST story: a .data and the .meta files of POSTs after it.
    names.add(makeOnDiskFilename(new Timestamp(BASE), ".data"));
    for (let n = rng.int(1, 4); n > 0; n--) names.add(postedMeta(rng));
  }
  for (let n = rng.int(0, 7); n > 0; n--) names.add(fileName(rng));
  const list = [...names];
  for (let i = list.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

function mine(files: readonly string[]): OndiskChoice {
  const found = getOndiskFiles(files, "/hash");
  return {
    data: found.dataFile ?? null,
    meta: found.metaFile ?? null,
    ts: found.tsFile ?? null,
    ctype: found.ctypeFile ?? null,
    obsolete: found.obsolete.map((info) => info.filename),
    possibleReclaim: found.possibleReclaim.map((info) => info.filename),
    unexpected: [...found.unexpected],
  };
}

Deno.test("getOndiskFiles() keeps, hides and discards the files Swift's get_ondisk_files() does", async () => {
  await using scratch = await shmTempDir("ondisk");
  await writeSwiftConf(scratch.path);
  const rng = new SeededRandom(Number(Deno.env.get("SEED") ?? 20250303));
  const lists = Array.from({ length: 600 }, () => listing(rng));
  const swift = await askSwift(scratch.path, [], { ondisk: lists });
  let withCtype = 0;
  for (const [i, files] of lists.entries()) {
    assertEquals(mine(files), swift.ondisk[i], `listing ${i}: ${JSON.stringify(files)}`);
    if (swift.ondisk[i].ctype && swift.ondisk[i].ctype !== swift.ondisk[i].meta) withCtype++;
  }
  assertEquals(withCtype > 5, true, `only ${withCtype} listings kept a second .meta`);
});

/** Swift's lock_path() in a process that takes commands one line at a time. */
class SwiftLocker implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: ReadableStreamDefaultReader<string>;

  constructor() {
    this.#child = new Deno.Command(SWIFT_PYTHON, {
      args: [fromFileUrl(new URL("./_disk_lock_oracle.py", import.meta.url))],
      env: { PYTHONDONTWRITEBYTECODE: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#lines = this.#child.stdout
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(lineSplitter())
      .getReader();
  }

  async ask(command: Record<string, unknown>): Promise<string> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(command) + "\n"));
    const { value } = await this.#lines.read();
    return value ?? "(no answer)";
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#writer.close();
    await this.#lines.cancel();
    await this.#child.status;
  }
}

function lineSplitter(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(text, controller) {
      const parts = (rest + text).split("\n");
      rest = parts.pop()!;
      for (const line of parts) controller.enqueue(line);
    },
  });
}

Deno.test("lockPath() and Swift's lock_path() exclude each other on a partition", async () => {
  await using dir = await makeTempDir("disk-lock");
  const [mineDir, theirsDir] = [join(dir.path, "mine"), join(dir.path, "theirs")];
  await using swift = new SwiftLocker();
  {
    using _held = await lockPath(mineDir);
    assertEquals(await swift.ask({ try: mineDir, timeout: 0.05 }), "timeout");
  }
  assertEquals(await swift.ask({ try: mineDir, timeout: 1 }), "locked");
  assertEquals(await swift.ask({ hold: theirsDir }), "held");
  await assertRejects(() => lockPath(theirsDir, { timeout: 0.05 }), LockTimeout);
  assertEquals(await swift.ask({ try: mineDir, timeout: 1 }), "locked");
  using _free = await lockPath(theirsDir, { timeout: 1 });
});
