/**
 * lib/common/tar_reader.ts (with lib/middleware/bulk/tar_stream.ts for "r|gz" and "r|bz2")
 * against Python 3.11's tarfile in stream mode (_tar_oracle.py): ustar, GNU and pax archives,
 * long names, global and extended pax headers, GNU sparse members in all four formats, odd
 * number fields, malformed pax records, truncated, corrupt and oddly compressed archives must
 * give the same members, data and errors.
 */
import { assertEquals } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { Bzip2EOFError } from "../../lib/common/bzip2.ts";
import { TarError, TarPythonError, TarReader } from "../../lib/common/tar_reader.ts";
import { BodyReader, type Compression, TarStream } from "../../lib/middleware/bulk/tar_stream.ts";
import { runPythonJson } from "../_helpers/python.ts";

const ORACLE = fromFileUrl(new URL("./_tar_oracle.py", import.meta.url));

type Event = Record<string, unknown>;

const decode64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const encode64 = (data: Uint8Array) => {
  let binary = "";
  for (let i = 0; i < data.length; i += 8192) {
    binary += String.fromCharCode(...data.subarray(i, i + 8192));
  }
  return btoa(binary);
};
const surrogateBytes = (text: string) => {
  // The name as Python's str.encode("utf-8", "surrogateescape") gives it.
  const out: number[] = [];
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    if (cp >= 0xdc80 && cp <= 0xdcff) out.push(cp - 0xdc00);
    else out.push(...new TextEncoder().encode(char));
  }
  return Uint8Array.from(out);
};

async function digest(data: Uint8Array): Promise<string> {
  const hash = new Uint8Array(
    await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>),
  );
  const hex = Array.from(hash.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
  return `${data.length}:${hex}`;
}

/** The body in uneven pieces, as a network would deliver it. */
function body(data: Uint8Array): ReadableStream<Uint8Array> {
  const pieces: Uint8Array[] = [];
  for (let at = 0, n = 1; at < data.length; at += n, n = (n * 7 + 3) % 5000 + 1) {
    pieces.push(data.slice(at, at + n));
  }
  return ReadableStream.from(pieces);
}

async function read(data: Uint8Array, comptype: Compression): Promise<Event[]> {
  const events: Event[] = [];
  const file = new BodyReader(body(data));
  try {
    const tar = await TarReader.open(await TarStream.open(file, comptype));
    for (let info = await tar.next(); info; info = await tar.next()) {
      const entry: Event = {
        name: encode64(surrogateBytes(info.name)),
        type: info.type,
        size: info.size,
        linkname: encode64(surrogateBytes(info.linkname)),
        pax: [...info.paxHeaders].map(([k, v]) => [
          encode64(surrogateBytes(k)),
          encode64(surrogateBytes(v)),
        ]),
        sparse: info.sparse ?? null,
      };
      events.push(entry);
      if (info.isfile()) {
        const member = tar.extractfile(info);
        entry.data = await digest(
          new Uint8Array(await new Response(member.stream()).arrayBuffer()),
        );
      }
    }
  } catch (err) {
    if (err instanceof TarPythonError) events.push({ error: err.message.split(":")[0] });
    else if (err instanceof Bzip2EOFError) events.push({ error: "EOFError" });
    else if (err instanceof TarError) events.push({ error: err.name, message: err.message });
    else throw err;
  } finally {
    await file.cancel();
  }
  return events;
}

Deno.test("TarReader reads members, data and errors as Python's tarfile in stream mode", async () => {
  const python = await runPythonJson(ORACLE) as Record<
    string,
    { comptype: Compression; data: string; events: Event[] }
  >;
  for (const [name, expected] of Object.entries(python)) {
    assertEquals(await read(decode64(expected.data), expected.comptype), expected.events, name);
  }
});
