/**
 * lib/common/bzip2.ts against Python's bz2 (libbzip2 1.0.8, _bzip2_oracle.py): single and
 * multi-block streams at several levels, several streams in a row, trailing garbage,
 * truncations and bit flips must give the same output, the same output per call when fed in
 * chunks, the same errors, eof and unused data.
 */
import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { fromFileUrl } from "@std/path";
import {
  Bzip2DataError,
  bzip2Decompress,
  Bzip2DecompressionStream,
  Bzip2Decompressor,
  Bzip2EOFError,
} from "../../lib/common/bzip2.ts";
import { runPythonJson } from "../_helpers/python.ts";

const ORACLE = fromFileUrl(new URL("./_bzip2_oracle.py", import.meta.url));

interface Chunked {
  calls: (string | { error: string; message: string })[];
  eof: boolean;
  unused: string;
}
interface Case {
  data: string;
  oneshot: string | { error: string; message: string };
  file: string | { error: string; message: string };
  chunked: Record<string, Chunked>;
}

/** Python's exception class for each of ours. */
function pythonError(err: unknown): { error: string; message: string } {
  if (err instanceof Bzip2DataError) return { error: "OSError", message: err.message };
  if (err instanceof Bzip2EOFError) {
    const type = err.message.startsWith("Compressed data ended") ? "ValueError" : "EOFError";
    return { error: type, message: err.message };
  }
  throw err;
}

async function digest(data: Uint8Array): Promise<string> {
  const hash = new Uint8Array(
    await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>),
  );
  const hex = Array.from(hash.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
  return `${data.length}:${hex}`;
}

const decode64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const encode64 = (data: Uint8Array) => btoa(String.fromCharCode(...data));

async function ours(data: Uint8Array, sizes: string[]): Promise<Omit<Case, "data">> {
  let oneshot: Case["oneshot"];
  try {
    oneshot = await digest(bzip2Decompress(data));
  } catch (err) {
    oneshot = pythonError(err);
  }
  let file: Case["file"];
  try {
    const stream = ReadableStream.from([data]).pipeThrough(new Bzip2DecompressionStream());
    file = await digest(new Uint8Array(await new Response(stream).arrayBuffer()));
  } catch (err) {
    file = pythonError(err);
  }
  const chunked: Record<string, Chunked> = {};
  for (const key of sizes) {
    const size = Number(key);
    const d = new Bzip2Decompressor();
    const calls: Chunked["calls"] = [];
    for (let at = 0; at < Math.max(data.length, 1); at += size) {
      try {
        const out = d.decompress(data.subarray(at, at + size));
        calls.push(out.length ? await digest(out) : "");
      } catch (err) {
        calls.push(pythonError(err));
        break;
      }
    }
    chunked[key] = { calls, eof: d.eof, unused: encode64(d.unusedData) };
  }
  return { oneshot, file, chunked };
}

/** bzip2's block CRC of `data`. */
function crc(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
  }
  return ~c >>> 0;
}

/**
 * A valid stream with a randomised block (no bzip2 since 0.9.5 writes them): `data`'s
 * stream with the block's randomised bit set and its CRCs patched to those of what a decoder
 * then outputs: the BWT output XORed with bzip2's random schedule, RLE1-decoded.
 */
function randomisedStream(stream: Uint8Array, data: Uint8Array): Uint8Array {
  const rnums = [619, 720, 127, 481, 931, 816, 813, 233, 566, 247, 985, 724, 205, 454, 863, 491];
  const masked = data.slice();
  let toGo = 0;
  let tPos = 0;
  for (let i = 0; i < masked.length; i++) {
    if (toGo === 0) toGo = rnums[tPos++];
    toGo--;
    if (toGo === 1) masked[i] ^= 1;
  }
  const out: number[] = [];
  for (let i = 0; i < masked.length;) {
    let run = 1;
    while (run < 4 && i + run < masked.length && masked[i + run] === masked[i]) run++;
    for (let k = 0; k < run; k++) out.push(masked[i]);
    i += run;
    if (run === 4 && i < masked.length) {
      for (let k = 0; k < masked[i]; k++) out.push(masked[i - 1]);
      i++;
    }
  }
  const expected = Uint8Array.from(out);
  const patched = stream.slice();
  const blockCrc = crc(expected);
  new DataView(patched.buffer).setUint32(10, blockCrc);
  patched[14] |= 0x80;
  // The stream CRC follows the end-of-stream magic, at whatever bit it ends on.
  const bits = (at: number) => (patched[at >> 3] >> (7 - (at & 7))) & 1;
  for (let start = patched.length * 8 - 80; start >= 0; start--) {
    let magic = 0n;
    for (let k = 0; k < 48; k++) magic = (magic << 1n) | BigInt(bits(start + k));
    if (magic !== 0x177245385090n) continue;
    for (let k = 0; k < 32; k++) {
      const at = start + 48 + k;
      const bit = (blockCrc >>> (31 - k)) & 1;
      patched[at >> 3] = (patched[at >> 3] & ~(1 << (7 - (at & 7)))) | (bit << (7 - (at & 7)));
    }
    return patched;
  }
  throw new Error("No end-of-stream marker");
}

// Text without runs of four (so the BWT input is the text itself), shorter than the random
// schedule spelled out in randomisedStream().
const RANDOMISED_TEXT = new TextEncoder().encode(
  Array.from({ length: 240 }, (_, i) => `line ${i} of the randomised block\n`).join(""),
);
Deno.test("Bzip2Decompressor matches Python's bz2 on streams, chunks, truncations and bit flips", async () => {
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-c", "import bz2,sys;sys.stdout.buffer.write(bz2.compress(sys.stdin.buffer.read()))"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(RANDOMISED_TEXT);
  await writer.close();
  const stream = new Uint8Array((await child.output()).stdout);
  const crafted = randomisedStream(stream, RANDOMISED_TEXT);
  const python = await runPythonJson(ORACLE, [encode64(crafted)]) as Record<string, Case>;
  let count = 0;
  for (const [name, expected] of Object.entries(python)) {
    const data = decode64(expected.data);
    const got = await ours(data, Object.keys(expected.chunked));
    assertEquals(got, {
      oneshot: expected.oneshot,
      file: expected.file,
      chunked: expected.chunked,
    }, name);
    count++;
  }
  assertEquals(count > 90, true);
  // The crafted randomised block must be one Python accepts, or it tests nothing.
  assertEquals(typeof python["argument 0"].oneshot, "string");
});

Deno.test("Bzip2Decompressor refuses input after the end of its stream, as BZ2Decompressor does", () => {
  const empty = Uint8Array.from([
    0x42,
    0x5a,
    0x68,
    0x39,
    0x17,
    0x72,
    0x45,
    0x38,
    0x50,
    0x90,
    0,
    0,
    0,
    0,
  ]);
  const d = new Bzip2Decompressor();
  assertEquals(d.decompress(Uint8Array.from([...empty, 1, 2])).length, 0);
  assertEquals([d.eof, [...d.unusedData]], [true, [1, 2]]);
  assertThrows(
    () => d.decompress(new Uint8Array(1)),
    Bzip2EOFError,
    "End of stream already reached",
  );
});

Deno.test("Bzip2DecompressionStream fails a stream that ends before its end-of-stream marker", async () => {
  const stream = ReadableStream.from([Uint8Array.from([0x42, 0x5a, 0x68, 0x39])])
    .pipeThrough(new Bzip2DecompressionStream());
  await assertRejects(() => new Response(stream).arrayBuffer(), Bzip2EOFError);
});
