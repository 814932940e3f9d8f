/**
 * lib/middleware/bulk/inflate.ts against Python's zlib.decompressobj(-15) (zlib 1.2.13,
 * _inflate_oracle.py): stored, fixed and dynamic blocks at every level and strategy,
 * truncations, bit flips and random garbage must give the same output per call when fed in
 * chunks, the same zlib errors, eof and unused data.
 */
import { assertEquals } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { InflateError, RawInflater } from "../../../lib/middleware/bulk/inflate.ts";
import { runPythonJson } from "../../_helpers/python.ts";

const ORACLE = fromFileUrl(new URL("./_inflate_oracle.py", import.meta.url));

interface Chunked {
  calls: (string | { error: string })[];
  eof: boolean;
  unused: string;
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

async function chunked(data: Uint8Array, size: number): Promise<Chunked> {
  const d = new RawInflater();
  const calls: Chunked["calls"] = [];
  for (let at = 0; at < Math.max(data.length, 1); at += size) {
    try {
      const out = d.decompress(data.subarray(at, at + size));
      calls.push(out.length ? await digest(out) : "");
    } catch (err) {
      if (!(err instanceof InflateError)) throw err;
      calls.push({ error: err.message });
      break;
    }
  }
  return { calls, eof: d.eof, unused: encode64(d.unusedData) };
}

Deno.test("RawInflater matches zlib's raw inflate on blocks, chunks, truncations and corruption", async () => {
  const python = await runPythonJson(ORACLE) as Record<
    string,
    { data: string; chunked: Record<string, Chunked> }
  >;
  for (const [name, expected] of Object.entries(python)) {
    const data = decode64(expected.data);
    for (const [size, want] of Object.entries(expected.chunked)) {
      assertEquals(await chunked(data, Number(size)), want, `${name}, chunks of ${size}`);
    }
  }
});
