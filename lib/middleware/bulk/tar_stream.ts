/**
 * tarfile's _Stream in read mode, over the request body: raw records of RECORDSIZE bytes,
 * decompressed for "gz" (raw deflate after tarfile's own gzip header parsing, quirks
 * included: an FEXTRA field is skipped in *decompressed* bytes) and "bz2" (one bzip2
 * stream; input past its end is Python's EOFError). Corrupt compressed data is
 * ReadError("invalid compressed data"), as tarfile reports it.
 */
import { Bzip2DataError, Bzip2Decompressor } from "../../common/bzip2.ts";
import {
  CompressionError,
  ReadError,
  RECORDSIZE,
  TarPythonError,
  type TarSource,
} from "../../common/tar_reader.ts";
import { InflateError, RawInflater } from "./inflate.ts";

/** The compressions Swift's extract-archive accepts ("" is a plain tar). */
export type Compression = "" | "gz" | "bz2";

/** file.read(n) of the request body: exactly n bytes unless the body ends first. */
export class BodyReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #pending: Uint8Array = new Uint8Array(0);
  #done = false;

  constructor(body: ReadableStream<Uint8Array> | null) {
    this.#reader = body?.getReader();
    if (!this.#reader) this.#done = true;
  }

  async read(size: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let have = 0;
    while (have < size) {
      if (!this.#pending.length) {
        if (this.#done) break;
        const { done, value } = await this.#reader!.read();
        if (done) {
          this.#done = true;
          break;
        }
        this.#pending = value;
      }
      const take = this.#pending.subarray(0, size - have);
      this.#pending = this.#pending.subarray(take.length);
      parts.push(take);
      have += take.length;
    }
    return concat(parts);
  }

  /** Stops reading the body (the rest is not wanted). */
  async cancel(): Promise<void> {
    if (!this.#done) await this.#reader?.cancel().catch(() => {});
    this.#done = true;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Python's t[:size] and t[size:] (a negative size counts from the end). */
function head(t: Uint8Array, size: number): Uint8Array {
  return t.subarray(0, size >= 0 ? size : Math.max(0, t.length + size));
}
function tail(t: Uint8Array, size: number): Uint8Array {
  return t.subarray(size >= 0 ? Math.min(size, t.length) : Math.max(0, t.length + size));
}

interface Decompressor {
  decompress(data: Uint8Array): Uint8Array;
}

/** tarfile._Stream(name, "r", comptype, fileobj, RECORDSIZE). */
export class TarStream implements TarSource {
  pos = 0;
  readonly #file: BodyReader;
  readonly #comptype: Compression;
  #buf: Uint8Array = new Uint8Array(0);
  #dbuf: Uint8Array = new Uint8Array(0);
  #cmp: Decompressor | undefined;
  #initializing = false;

  private constructor(file: BodyReader, comptype: Compression) {
    this.#file = file;
    this.#comptype = comptype;
  }

  /** Opens the stream; a gzip stream's header is read here, as _Stream.__init__ does. */
  static async open(file: BodyReader, comptype: Compression): Promise<TarStream> {
    const stream = new TarStream(file, comptype);
    if (comptype === "gz") await stream.#initReadGz();
    if (comptype === "bz2") stream.#cmp = new Bzip2Decompressor();
    return stream;
  }

  async #initReadGz(): Promise<void> {
    this.#cmp = new RawInflater();
    const magic = await this.#rawRead(2);
    if (magic.length !== 2 || magic[0] !== 0x1f || magic[1] !== 0x8b) {
      throw new ReadError("not a gzip file");
    }
    const method = await this.#rawRead(1);
    if (method.length !== 1 || method[0] !== 8) {
      throw new CompressionError("unsupported compression method");
    }
    const flag = ord(await this.#rawRead(1));
    await this.#rawRead(6);
    if (flag & 4) {
      const xlen = ord(await this.#rawRead(1)) + 256 * ord(await this.#rawRead(1));
      // tarfile reads the extra field with read(), through the decompressor, before it sets
      // the exception class it catches: a decompression error here is an AttributeError.
      this.#initializing = true;
      await this.read(xlen);
      this.#initializing = false;
    }
    for (const bit of [8, 16]) {
      if (!(flag & bit)) continue;
      for (;;) {
        const s = await this.#rawRead(1);
        if (!s.length || s[0] === 0) break;
      }
    }
    if (flag & 2) await this.#rawRead(2);
  }

  /** _Stream.read(). */
  async read(size: number): Promise<Uint8Array> {
    const buf = this.#comptype === "" ? await this.#rawRead(size) : await this.#inflated(size);
    this.pos += buf.length;
    return buf;
  }

  /** _Stream._read(): decompressed bytes. */
  async #inflated(size: number): Promise<Uint8Array> {
    const parts = [this.#dbuf];
    let c = this.#dbuf.length;
    while (c < size) {
      let buf: Uint8Array;
      if (this.#buf.length) {
        buf = this.#buf;
        this.#buf = new Uint8Array(0);
      } else {
        buf = await this.#file.read(RECORDSIZE);
        if (!buf.length) break;
      }
      try {
        buf = this.#cmp!.decompress(buf);
      } catch (err) {
        if (err instanceof InflateError && this.#initializing) {
          throw new TarPythonError(
            "AttributeError",
            "'_Stream' object has no attribute 'exception'",
          );
        }
        if (err instanceof InflateError || err instanceof Bzip2DataError) {
          throw new ReadError("invalid compressed data");
        }
        throw err;
      }
      parts.push(buf);
      c += buf.length;
    }
    const t = concat(parts);
    this.#dbuf = tail(t, size);
    return head(t, size);
  }

  /** _Stream.__read(): raw bytes. */
  async #rawRead(size: number): Promise<Uint8Array> {
    const parts = [this.#buf];
    let c = this.#buf.length;
    while (c < size) {
      const buf = await this.#file.read(RECORDSIZE);
      if (!buf.length) break;
      parts.push(buf);
      c += buf.length;
    }
    const t = concat(parts);
    this.#buf = tail(t, size);
    return head(t, size);
  }
}

/** ord() of one byte; Python's TypeError for none. */
function ord(bytes: Uint8Array): number {
  if (bytes.length !== 1) {
    throw new TarPythonError(
      "TypeError",
      `ord() expected a character, but string of length ${bytes.length} found`,
    );
  }
  return bytes[0];
}
