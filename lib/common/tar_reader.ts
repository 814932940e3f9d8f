/**
 * Reads a tar archive from a forward-only stream exactly as Python 3.11's tarfile does in
 * stream mode (`tarfile.open(mode="r|...")`, Debian's 3.11.2 with its pax header checks),
 * which is how Swift's bulk middleware reads uploads:
 *
 * - ustar, GNU (long names and links, old sparse members) and pax (extended and global
 *   headers, GNU sparse 0.0/0.1/1.0) headers, names decoded as UTF-8 with surrogateescape;
 * - the same acceptance of odd numbers (signs, `_`, base-256, negative sizes) and checksums;
 * - the same end of archive: a zero block, or a bad, empty or short header after the first
 *   member, ends it quietly; on the first member it is an error;
 * - the same errors (TarError subclasses with tarfile's messages) and, where tarfile fails
 *   with a Python error instead (IndexError, ValueError...), a TarPythonError.
 *
 * Member data is read on demand and skipped when not read, never buffered whole. The only
 * thing kept in memory is header data: GNU long names and pax headers beyond MAX_HEADER_DATA
 * bytes are cut there (Python reads them whole; a proxy refuses such names anyway).
 */
import { decodeUtf8 } from "./python_codecs.ts";

/** Where tarfile reads from (its _Stream): sequential reads, short only at the end. */
export interface TarSource {
  /** Bytes read so far (_Stream.tell()). */
  readonly pos: number;
  /** Up to `size` bytes; Python slice semantics for a negative size. */
  read(size: number): Promise<Uint8Array>;
}

/** tarfile.TarError. */
export class TarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
/** tarfile.ReadError. */
export class ReadError extends TarError {}
/** tarfile.CompressionError. */
export class CompressionError extends TarError {}
/** tarfile.StreamError. */
export class StreamError extends TarError {}
class HeaderError extends TarError {}
class EmptyHeaderError extends HeaderError {}
class TruncatedHeaderError extends HeaderError {}
class EOFHeaderError extends HeaderError {}
class InvalidHeaderError extends HeaderError {}
class SubsequentHeaderError extends HeaderError {}

/** A Python exception tarfile lets through that is not a TarError (Swift answers 500). */
export class TarPythonError extends Error {
  constructor(type: string, message: string) {
    super(`${type}: ${message}`);
    this.name = "TarPythonError";
  }
}

const BLOCKSIZE = 512;
/** tarfile.RECORDSIZE, the bufsize of stream mode. */
export const RECORDSIZE = BLOCKSIZE * 20;
/** Most bytes of a GNU long name or a pax header kept in memory. */
export const MAX_HEADER_DATA = 1 << 20;

const REGULAR_TYPES = ["0", "\0", "7", "S"];
const SUPPORTED_TYPES = ["0", "\0", "1", "2", "5", "6", "7", "3", "4", "L", "K", "S"];
const GNU_TYPES = ["L", "K", "S"];

const textDecoder = (bytes: Uint8Array) => decodeUtf8(bytes, "surrogateescape");

/** nts(): bytes up to the first NUL. */
function nul(bytes: Uint8Array): Uint8Array {
  const at = bytes.indexOf(0);
  return at < 0 ? bytes : bytes.subarray(0, at);
}

/** Python's str.isspace() characters (JavaScript's \s has U+FEFF and lacks U+001C-U+001F). */
const PY_SPACE = "[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, "g");

/** nti(): a number field (octal text, or base-256 after 0o200/0o377). */
function nti(s: Uint8Array): number {
  if (s.length === 0) throw new TarPythonError("IndexError", "index out of range");
  if (s[0] === 0o200 || s[0] === 0o377) {
    let n = 0n;
    for (let i = 1; i < s.length; i++) n = (n << 8n) + BigInt(s[i]);
    if (s[0] === 0o377) n = -(256n ** BigInt(s.length - 1) - n);
    return Number(n);
  }
  const field = nul(s);
  if (field.some((b) => b > 0x7f)) throw new InvalidHeaderError("invalid header");
  const text = String.fromCharCode(...field).replace(PY_STRIP, "") || "0";
  // int(text, 8): a sign, an optional 0o prefix, octal digits with single `_` between them.
  if (!/^[+-]?(?:0[oO]_?)?[0-7](?:_?[0-7])*$/.test(text)) {
    throw new InvalidHeaderError("invalid header");
  }
  const negative = text.startsWith("-");
  const digits = text.replace(/^[+-]/, "").replace(/^0[oO]/, "").replaceAll("_", "");
  const value = Number(BigInt("0o" + digits));
  return negative ? -value : value;
}

/** int() of a str (Unicode digits, `_`, sign, whitespace), or undefined for ValueError. */
export function pythonInt(text: string): number | undefined {
  const match = /^([+-]?)(\p{Nd}+(?:_\p{Nd}+)*)$/u.exec(text.replace(PY_STRIP, ""));
  if (!match) return undefined;
  let digits = "";
  for (const char of match[2]) {
    if (char === "_") continue;
    // Unicode puts each script's digits 0-9 in runs of ten.
    let cp = char.codePointAt(0)!;
    let run = 0;
    while (run < 100 && /\p{Nd}/u.test(String.fromCodePoint(cp - 1))) cp--, run++;
    digits += /[0-9]/.test(char) ? char : String(run % 10);
  }
  const n = Number(BigInt(digits));
  return match[1] === "-" ? -n : n;
}

/** TarInfo._block(): `count` rounded up to whole blocks (floor division, as Python). */
function block(count: number): number {
  let blocks = Math.floor(count / BLOCKSIZE);
  if (count - blocks * BLOCKSIZE) blocks++;
  return blocks * BLOCKSIZE;
}

function checksums(buf: Uint8Array): [number, number] {
  let unsigned = 256;
  let signed = 256;
  for (let i = 0; i < BLOCKSIZE; i++) {
    if (i >= 148 && i < 156) continue;
    unsigned += buf[i];
    signed += buf[i] > 127 ? buf[i] - 256 : buf[i];
  }
  return [unsigned, signed];
}

/** One member's header (tarfile.TarInfo). */
export class TarInfo {
  name = "";
  size = 0;
  /** The type flag, one character ("" when the header has none). */
  type = "0";
  linkname = "";
  /** The pax headers that apply to this member, in their order. */
  paxHeaders = new Map<string, string>();
  /** Sparse map [offset, numbytes][] of a sparse member. */
  sparse: [number, number][] | undefined;
  /** Where the header starts. */
  offset = 0;
  /** Where the data starts. */
  offsetData = 0;
  sparseStructs: [[number, number][], boolean, number] | undefined;

  /** A regular file (tarfile's isreg()/isfile()). */
  isfile(): boolean {
    return REGULAR_TYPES.includes(this.type);
  }

  isdir(): boolean {
    return this.type === "5";
  }

  /** TarInfo.frombuf(). */
  static frombuf(buf: Uint8Array): TarInfo {
    if (buf.length === 0) throw new EmptyHeaderError("empty header");
    if (buf.length !== BLOCKSIZE) throw new TruncatedHeaderError("truncated header");
    if (buf.every((b) => b === 0)) throw new EOFHeaderError("end of file header");
    const chksum = nti(buf.subarray(148, 156));
    if (!checksums(buf).includes(chksum)) throw new InvalidHeaderError("bad checksum");
    const obj = new TarInfo();
    obj.name = textDecoder(nul(buf.subarray(0, 100)));
    for (const [start, end] of [[100, 108], [108, 116], [116, 124]]) nti(buf.subarray(start, end));
    obj.size = nti(buf.subarray(124, 136));
    nti(buf.subarray(136, 148));
    obj.type = String.fromCharCode(...buf.subarray(156, 157));
    obj.linkname = textDecoder(nul(buf.subarray(157, 257)));
    nti(buf.subarray(329, 337));
    nti(buf.subarray(337, 345));
    const prefix = textDecoder(nul(buf.subarray(345, 500)));
    // Old V7 tar format represents a directory as a regular file with a trailing slash.
    if (obj.type === "\0" && obj.name.endsWith("/")) obj.type = "5";
    if (obj.type === "S") {
      const structs: [number, number][] = [];
      for (let pos = 386; pos < 386 + 4 * 24; pos += 24) {
        structs.push([nti(buf.subarray(pos, pos + 12)), nti(buf.subarray(pos + 12, pos + 24))]);
      }
      obj.sparseStructs = [structs, buf[482] !== 0, nti(buf.subarray(483, 495))];
    }
    if (obj.isdir()) obj.name = obj.name.replace(/\/+$/, "");
    if (prefix && !GNU_TYPES.includes(obj.type)) obj.name = prefix + "/" + obj.name;
    return obj;
  }
}

/** _Stream.seek(): forward only, by reading (a record at a time). */
async function seek(source: TarSource, pos: number): Promise<void> {
  if (pos - source.pos < 0) throw new StreamError("seeking backwards is not allowed");
  const blocks = Math.floor((pos - source.pos) / RECORDSIZE);
  const remainder = pos - source.pos - blocks * RECORDSIZE;
  for (let i = 0; i < blocks; i++) await source.read(RECORDSIZE);
  await source.read(remainder);
}

/** Reads `size` bytes of header data, keeping at most MAX_HEADER_DATA of them. */
async function readHeaderData(source: TarSource, size: number): Promise<Uint8Array> {
  if (size <= MAX_HEADER_DATA) return await source.read(size);
  const kept = await source.read(MAX_HEADER_DATA);
  for (let left = size - kept.length; left > 0 && kept.length === MAX_HEADER_DATA;) {
    const skipped = await source.read(Math.min(left, RECORDSIZE));
    if (!skipped.length) break;
    left -= skipped.length;
  }
  return kept;
}

/** A tar archive read member by member (tarfile.TarFile opened "r|"). */
export class TarReader {
  readonly #source: TarSource;
  /** tarfile.offset: where the next header starts. */
  #offset: number;
  readonly #globalPax = new Map<string, string>();
  #first: TarInfo | undefined;
  #member: TarMember | undefined;

  private constructor(source: TarSource) {
    this.#source = source;
    this.#offset = source.pos;
  }

  /** Opens the archive and reads the first header (TarFile.__init__). */
  static async open(source: TarSource): Promise<TarReader> {
    const reader = new TarReader(source);
    reader.#first = await reader.next();
    return reader;
  }

  /** The next member, or undefined at the end of the archive (TarFile.next()). */
  async next(): Promise<TarInfo | undefined> {
    if (this.#first) {
      const first = this.#first;
      this.#first = undefined;
      return first;
    }
    await this.#member?.close();
    this.#member = undefined;
    const source = this.#source;
    if (this.#offset !== source.pos) {
      if (this.#offset === 0) return undefined;
      await seek(source, this.#offset - 1);
      if (!(await source.read(1)).length) throw new ReadError("unexpected end of data");
    }
    try {
      return await this.#fromtarfile();
    } catch (err) {
      if (err instanceof EOFHeaderError) return undefined;
      if (err instanceof InvalidHeaderError || err instanceof TruncatedHeaderError) {
        if (this.#offset === 0) throw new ReadError(err.message);
        return undefined;
      }
      if (err instanceof EmptyHeaderError) {
        if (this.#offset === 0) throw new ReadError("empty file");
        return undefined;
      }
      if (err instanceof SubsequentHeaderError) throw new ReadError(err.message);
      throw err;
    }
  }

  /** The data of a regular (or unknown type) member (TarFile.extractfile()). */
  extractfile(info: TarInfo): TarMember {
    this.#member = new TarMember(this.#source, info);
    return this.#member;
  }

  async #fromtarfile(): Promise<TarInfo> {
    const buf = await this.#source.read(BLOCKSIZE);
    const obj = TarInfo.frombuf(buf);
    obj.offset = this.#source.pos - BLOCKSIZE;
    const type = obj.type;
    if (type === "L" || type === "K") return await this.#procGnulong(obj);
    if (type === "S") return await this.#procSparse(obj);
    if (type === "x" || type === "g" || type === "X") return await this.#procPax(obj);
    return this.#procBuiltin(obj);
  }

  async #subsequent(): Promise<TarInfo> {
    try {
      return await this.#fromtarfile();
    } catch (err) {
      if (err instanceof HeaderError) throw new SubsequentHeaderError(err.message);
      throw err;
    }
  }

  #procBuiltin(obj: TarInfo): TarInfo {
    obj.offsetData = this.#source.pos;
    let offset = obj.offsetData;
    if (obj.isfile() || !SUPPORTED_TYPES.includes(obj.type)) offset += block(obj.size);
    this.#offset = offset;
    applyPaxInfo(obj, this.#globalPax);
    if (obj.isdir()) obj.name = obj.name.replace(/\/+$/, "");
    return obj;
  }

  async #procGnulong(obj: TarInfo): Promise<TarInfo> {
    const buf = await readHeaderData(this.#source, block(obj.size));
    const next = await this.#subsequent();
    next.offset = obj.offset;
    if (obj.type === "L") next.name = textDecoder(nul(buf));
    else next.linkname = textDecoder(nul(buf));
    if (next.isdir() && next.name.endsWith("/")) next.name = next.name.slice(0, -1);
    return next;
  }

  /** _proc_sparse(): an old GNU sparse member, its map continued in extension blocks. */
  async #procSparse(obj: TarInfo): Promise<TarInfo> {
    let [structs, isextended] = obj.sparseStructs!;
    const origsize = obj.sparseStructs![2];
    obj.sparseStructs = undefined;
    while (isextended) {
      const buf = await this.#source.read(BLOCKSIZE);
      for (let i = 0, pos = 0; i < 21; i++, pos += 24) {
        const offset = nti(buf.subarray(pos, pos + 12));
        const numbytes = nti(buf.subarray(pos + 12, pos + 24));
        if (offset && numbytes) structs.push([offset, numbytes]);
      }
      if (buf.length <= 504) throw new TarPythonError("IndexError", "index out of range");
      isextended = buf[504] !== 0;
    }
    obj.sparse = structs;
    obj.offsetData = this.#source.pos;
    this.#offset = obj.offsetData + block(obj.size);
    obj.size = origsize;
    return obj;
  }

  async #procPax(obj: TarInfo): Promise<TarInfo> {
    const buf = await readHeaderData(this.#source, block(obj.size));
    const pax = obj.type === "g" ? this.#globalPax : new Map(this.#globalPax);
    const raw = parsePaxRecords(buf);
    for (const [keyword, value] of raw) pax.set(textDecoder(keyword), textDecoder(value));
    const next = await this.#subsequent();
    if (pax.has("GNU.sparse.map")) {
      const numbers = pax.get("GNU.sparse.map")!.split(",").map((x) => {
        const n = pythonInt(x);
        if (n === undefined) throw new TarPythonError("ValueError", "invalid literal for int()");
        return n;
      });
      next.sparse = pairs(numbers);
    } else if (pax.has("GNU.sparse.size")) {
      const offsets: number[] = [];
      const numbytes: number[] = [];
      for (const [keyword, value] of raw) {
        const name = String.fromCharCode(...keyword);
        if (name !== "GNU.sparse.offset" && name !== "GNU.sparse.numbytes") continue;
        let n: number | undefined;
        try {
          n = pythonInt(decodeUtf8(value));
        } catch {
          n = undefined;
        }
        if (n === undefined) throw new InvalidHeaderError("invalid header");
        (name === "GNU.sparse.offset" ? offsets : numbytes).push(n);
      }
      next.sparse = offsets.slice(0, numbytes.length).map((o, i) => [o, numbytes[i]]);
    } else if (pax.get("GNU.sparse.major") === "1" && pax.get("GNU.sparse.minor") === "0") {
      await this.#procGnusparse10(next);
    }
    if (obj.type === "x" || obj.type === "X") {
      applyPaxInfo(next, pax);
      next.offset = obj.offset;
      if (pax.has("size")) {
        let offset = next.offsetData;
        if (next.isfile() || !SUPPORTED_TYPES.includes(next.type)) offset += block(next.size);
        this.#offset = offset;
      }
    }
    return next;
  }

  /** _proc_gnusparse_10(): the sparse map as decimal lines at the start of the data. */
  async #procGnusparse10(next: TarInfo): Promise<void> {
    const numbers: number[] = [];
    let buf = await this.#source.read(BLOCKSIZE);
    const bytesInt = (line: Uint8Array) => {
      // int() of bytes skips only ASCII whitespace.
      const n = line.some((b) => b > 0x7f || (b >= 0x1c && b <= 0x1f))
        ? undefined
        : pythonInt(String.fromCharCode(...line));
      if (n === undefined) throw new TarPythonError("ValueError", "invalid literal for int()");
      return n;
    };
    const splitLine = (): Uint8Array => {
      const at = buf.indexOf(0x0a);
      if (at < 0) throw new TarPythonError("ValueError", "not enough values to unpack");
      const line = buf.subarray(0, at);
      buf = buf.subarray(at + 1);
      return line;
    };
    const fields = bytesInt(splitLine());
    while (numbers.length < fields * 2) {
      if (buf.indexOf(0x0a) < 0) {
        const more = await this.#source.read(BLOCKSIZE);
        const joined = new Uint8Array(buf.length + more.length);
        joined.set(buf);
        joined.set(more, buf.length);
        buf = joined;
      }
      numbers.push(bytesInt(splitLine()));
    }
    next.offsetData = this.#source.pos;
    next.sparse = pairs(numbers);
  }
}

function pairs(numbers: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < numbers.length; i += 2) out.push([numbers[i], numbers[i + 1]]);
  return out;
}

/** The records of a pax header, raw ("%d %s=%s\n"), with tarfile 3.11.2's framing checks. */
function parsePaxRecords(buf: Uint8Array): [Uint8Array, Uint8Array][] {
  const records: [Uint8Array, Uint8Array][] = [];
  let pos = 0;
  while (buf.length > pos && buf[pos] !== 0) {
    let digitsEnd = pos;
    while (
      digitsEnd < buf.length && digitsEnd - pos < 20 && buf[digitsEnd] >= 0x30 &&
      buf[digitsEnd] <= 0x39
    ) {
      digitsEnd++;
    }
    if (digitsEnd === pos || buf[digitsEnd] !== 0x20) {
      throw new InvalidHeaderError("invalid header");
    }
    const length = Number(String.fromCharCode(...buf.subarray(pos, digitsEnd)));
    if (length < 5 || pos + length > buf.length) throw new InvalidHeaderError("invalid header");
    const end = pos + length - 1;
    const record = buf.subarray(digitsEnd + 1, Math.max(digitsEnd + 1, end));
    const eq = record.indexOf(0x3d);
    if (eq <= 0 || buf[end] !== 0x0a) throw new InvalidHeaderError("invalid header");
    records.push([record.subarray(0, eq), record.subarray(eq + 1)]);
    pos += length;
  }
  return records;
}

/** TarInfo._apply_pax_info(). */
function applyPaxInfo(obj: TarInfo, pax: ReadonlyMap<string, string>): void {
  for (const [keyword, value] of pax) {
    if (keyword === "GNU.sparse.name") {
      obj.name = value;
    } else if (keyword === "GNU.sparse.size" || keyword === "GNU.sparse.realsize") {
      const n = pythonInt(value);
      if (n === undefined) throw new TarPythonError("ValueError", "invalid literal for int()");
      obj.size = n;
    } else if (keyword === "path") {
      obj.name = value.replace(/\/+$/, "");
    } else if (keyword === "linkpath") {
      obj.linkname = value;
    } else if (keyword === "size") {
      obj.size = pythonInt(value) ?? 0;
    }
  }
  obj.paxHeaders = new Map(pax);
}

/** The data of one member (tarfile's _FileInFile under ExFileObject), sparse holes as NULs. */
export class TarMember {
  /** The member's size (with sparse holes). */
  readonly size: number;
  readonly #source: TarSource;
  readonly #map: [boolean, number, number, number][] = [];
  #mapIndex = 0;
  #position = 0;
  #closed = false;
  #reading: Promise<unknown> = Promise.resolve();

  constructor(source: TarSource, info: TarInfo) {
    this.#source = source;
    this.size = info.size;
    let lastpos = 0;
    let realpos = info.offsetData;
    for (const [offset, size] of info.sparse ?? [[0, info.size]]) {
      if (offset > lastpos) this.#map.push([false, lastpos, offset, 0]);
      this.#map.push([true, offset, offset + size, realpos]);
      realpos += size;
      lastpos = offset + size;
    }
    if (lastpos < this.size) this.#map.push([false, lastpos, this.size, 0]);
  }

  /** Up to `size` bytes of the member; empty at its end or once the archive moved on. */
  read(size: number): Promise<Uint8Array> {
    const result = this.#reading.then(() => this.#read(size));
    this.#reading = result.catch(() => {});
    return result;
  }

  /** Waits for a read in progress; later reads return nothing (the archive moves on). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#reading;
  }

  /** The member's data as a stream of chunks of at most `chunk` bytes. */
  stream(chunk = 65536): ReadableStream<Uint8Array> {
    return new ReadableStream({
      pull: async (controller) => {
        const data = await this.read(chunk);
        if (data.length) controller.enqueue(data);
        else controller.close();
      },
    });
  }

  async #read(size: number): Promise<Uint8Array> {
    if (this.#closed) return new Uint8Array(0);
    size = Math.min(size, this.size - this.#position);
    const parts: Uint8Array[] = [];
    while (size > 0) {
      let [data, start, stop, offset] = this.#map[this.#mapIndex];
      for (let seen = 0; !(start <= this.#position && this.#position < stop); seen++) {
        // tarfile would loop forever on a sparse map with a hole in it.
        if (seen > this.#map.length) {
          throw new TarPythonError("RuntimeError", "sparse map leaves a hole in the data");
        }
        this.#mapIndex = (this.#mapIndex + 1) % this.#map.length;
        [data, start, stop, offset] = this.#map[this.#mapIndex];
      }
      const length = Math.min(size, stop - this.#position);
      if (data) {
        await seek(this.#source, offset + (this.#position - start));
        const b = await this.#source.read(length);
        if (b.length !== length) throw new ReadError("unexpected end of data");
        parts.push(b);
      } else {
        parts.push(new Uint8Array(length));
      }
      size -= length;
      this.#position += length;
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}
