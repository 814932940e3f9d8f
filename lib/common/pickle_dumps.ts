/**
 * A pickle writer producing the same bytes as CPython 3.11's `pickle.dumps(value, protocol)`
 * (the C `_pickle` module) for the data Swift stores: object metadata and hashes.pkl
 * (protocol 2), async_pending files (protocol 0, with a HeaderKeyDict), `.pending` records
 * (protocol 2 tuples).
 *
 * Byte equality needs CPython's memo, which is keyed by object identity: an object pickled
 * twice is written once and then fetched with GET. Here arrays, Maps, PyTuples and Uint8Arrays
 * keep their JS identity; strings have none, so the writer follows what CPython's data paths
 * yield: the empty str/bytes and one-byte bytes are shared singletons (CPython caches them, and
 * str.encode() returns them), one-char strs are shared only on request (see
 * `shareOneCharStrs`), and every other str/bytes occurrence is a distinct object unless
 * `shareEqualStrs` asks for swiftd's `.pending` form.
 *
 * @module
 */

import { encodePickleUnicodeLine } from "./_pickle_text.ts";
import { BATCH_SIZE, FRAME_SIZE_MIN, FRAME_SIZE_TARGET, OP } from "./_pickle_opcodes.ts";
import { PyFloat, PyHeaderKeyDict, pythonTypeName, PyTuple } from "./pickle_value.ts";
import type { PickleValue } from "./pickle_value.ts";
import { decodeLatin1, encodeUtf8 } from "./python_codecs.ts";
import { pythonFloatRepr } from "./python_float_repr.ts";

/** Pickle protocol versions Python 3.8+ writes. */
export type PickleProtocol = 0 | 1 | 2 | 3 | 4 | 5;

/** Options of dumpPickle(). */
export interface DumpPickleOptions {
  /** Protocol to write: Swift uses 2 for metadata/hashes.pkl/.pending and 0 for async_pending. */
  protocol: PickleProtocol;
  /**
   * Treat equal one-character latin-1 strs as one object, pickled once then fetched from the
   * memo. CPython shares those made by decoding, slicing or literals but not those made by
   * str(int) or split(), so it depends on the writer's code: Swift's async_pending headers
   * (e.g. two "0" values from str()) need false, the default.
   */
  shareOneCharStrs?: boolean;
  /**
   * Treat all equal strs as one object, as if the writer had interned them (implies
   * `shareOneCharStrs`). swiftd's `.pending` records have always been written so: where a
   * record repeats a str of two or more chars Swift writes it again and swiftd fetches it from
   * the memo; Python reads both as the same tuple.
   */
  shareEqualStrs?: boolean;
}

/** Thrown when a value has no pickle form (e.g. `undefined` or a plain object). */
export class PicklingError extends Error {
  /** Builds the error; the message names the offending type. */
  constructor(message: string) {
    super(message);
    this.name = "PicklingError";
  }
}

/** Serializes `value` byte-for-byte like CPython's `pickle.dumps(value, protocol)`. */
export function dumpPickle(value: PickleValue, options: DumpPickleOptions): Uint8Array {
  return new Pickler(options).dump(value);
}

const FRAME_HEADER_SIZE = 9;
const LATIN1_CONSTANT = Symbol("'latin1' argument of _codecs.encode");
const HEADER_KEY_DICT = ["swift.common.header_key_dict", "HeaderKeyDict"] as const;
const TEXT = new TextEncoder();

/** Whether CPython's str made by decoding/slicing is a cached singleton (empty, or latin-1 char). */
function isSingletonStr(s: string): boolean {
  return s.length === 0 || (s.length === 1 && s.charCodeAt(0) < 0x100);
}

class Pickler {
  #proto: PickleProtocol;
  #shareOneCharStrs: boolean;
  #shareEqualStrs: boolean;
  #buf = new Uint8Array(256);
  #len = 0;
  #framing = false;
  #frameStart = -1;
  #memo = new Map<unknown, number>();

  constructor({ protocol, shareOneCharStrs, shareEqualStrs }: DumpPickleOptions) {
    this.#shareOneCharStrs = shareOneCharStrs ?? false;
    this.#shareEqualStrs = shareEqualStrs ?? false;
    if (![0, 1, 2, 3, 4, 5].includes(protocol)) {
      throw new PicklingError(`Cannot pickle with protocol ${protocol}: supported are 0 to 5`);
    }
    this.#proto = protocol;
  }

  dump(value: PickleValue): Uint8Array {
    if (this.#proto >= 2) this.#write([OP.PROTO, this.#proto]);
    if (this.#proto >= 4) this.#framing = true;
    this.#save(value);
    this.#write([OP.STOP]);
    this.#commitFrame();
    return this.#buf.slice(0, this.#len);
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const grown = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    grown.set(this.#buf.subarray(0, this.#len));
    this.#buf = grown;
  }

  #write(bytes: ArrayLike<number>): void {
    if (this.#framing && this.#frameStart === -1) {
      this.#reserve(FRAME_HEADER_SIZE);
      this.#frameStart = this.#len;
      this.#len += FRAME_HEADER_SIZE;
    }
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }

  #commitFrame(): void {
    if (!this.#framing || this.#frameStart === -1) return;
    const frameLen = this.#len - this.#frameStart - FRAME_HEADER_SIZE;
    if (frameLen >= FRAME_SIZE_MIN) {
      const view = new DataView(this.#buf.buffer);
      this.#buf[this.#frameStart] = OP.FRAME;
      view.setBigUint64(this.#frameStart + 1, BigInt(frameLen), true);
    } else {
      this.#buf.copyWithin(
        this.#frameStart,
        this.#frameStart + FRAME_HEADER_SIZE,
        this.#len,
      );
      this.#len -= FRAME_HEADER_SIZE;
    }
    this.#frameStart = -1;
  }

  #opcodeBoundary(): void {
    if (!this.#framing || this.#frameStart === -1) return;
    if (this.#len - this.#frameStart - FRAME_HEADER_SIZE >= FRAME_SIZE_TARGET) this.#commitFrame();
  }

  /** Writes an opcode header and payload; large payloads go outside frames, as in _pickle.c. */
  #writeLarge(header: ArrayLike<number>, payload: Uint8Array): void {
    const bypass = payload.length >= FRAME_SIZE_TARGET;
    const framing = this.#framing;
    if (bypass) {
      this.#commitFrame();
      this.#framing = false;
    }
    this.#write(header);
    this.#write(payload);
    this.#framing = framing;
  }

  #sizeHeader(op: number, size: number, width: 1 | 4 | 8): Uint8Array {
    const out = new Uint8Array(1 + width);
    out[0] = op;
    const view = new DataView(out.buffer);
    if (width === 1) out[1] = size;
    else if (width === 4) view.setUint32(1, size, true);
    else view.setBigUint64(1, BigInt(size), true);
    return out;
  }

  #memoize(key: unknown): void {
    const index = this.#memo.size;
    this.#memo.set(key, index);
    if (this.#proto >= 4) this.#write([OP.MEMOIZE]);
    else if (this.#proto >= 1) {
      this.#write(index < 256 ? [OP.BINPUT, index] : this.#sizeHeader(OP.LONG_BINPUT, index, 4));
    } else this.#write(TEXT.encode(`p${index}\n`));
  }

  #get(index: number): void {
    if (this.#proto >= 1) {
      this.#write(index < 256 ? [OP.BINGET, index] : this.#sizeHeader(OP.LONG_BINGET, index, 4));
    } else this.#write(TEXT.encode(`g${index}\n`));
  }

  /** The memo key CPython's identity-keyed memo would use for this value. */
  #memoKey(value: PickleValue): unknown {
    if (typeof value === "string") {
      const shared = this.#shareEqualStrs || value.length === 0 ||
        (this.#shareOneCharStrs && isSingletonStr(value));
      return shared ? `s${value}` : undefined;
    }
    if (value instanceof Uint8Array && value.length <= 1) return `b${decodeLatin1(value)}`;
    return value;
  }

  #save(value: PickleValue): void {
    this.#opcodeBoundary();
    if (value === null) return this.#write([OP.NONE]);
    if (typeof value === "boolean") return this.#saveBool(value);
    if (typeof value === "bigint") return this.#saveInt(value);
    if (typeof value === "number") {
      return Number.isSafeInteger(value) ? this.#saveInt(BigInt(value)) : this.#saveFloat(value);
    }
    if (value instanceof PyFloat) return this.#saveFloat(value.value);
    const key = this.#memoKey(value);
    const seen = key === undefined ? undefined : this.#memo.get(key);
    if (seen !== undefined) return this.#get(seen);
    if (typeof value === "string") return this.#saveStr(value, key);
    if (value instanceof Uint8Array) return this.#saveBytes(value, key);
    if (value instanceof PyHeaderKeyDict) return this.#saveHeaderKeyDict(value);
    if (value instanceof Map) return this.#saveDict(value);
    if (Array.isArray(value)) return this.#saveList(value);
    if (value instanceof PyTuple) return this.#saveTuple(value);
    throw new PicklingError(`Cannot pickle a value of type "${pythonTypeName(value)}"`);
  }

  #saveBool(value: boolean): void {
    if (this.#proto >= 2) this.#write([value ? OP.NEWTRUE : OP.NEWFALSE]);
    else this.#write(TEXT.encode(value ? "I01\n" : "I00\n"));
  }

  #saveInt(value: bigint): void {
    const fits32 = value >= -0x80000000n && value <= 0x7fffffffn;
    if (fits32 && this.#proto >= 1) {
      const n = Number(value);
      if (n >= 0 && n <= 0xff) return this.#write([OP.BININT1, n]);
      if (n >= 0 && n <= 0xffff) return this.#write([OP.BININT2, n & 0xff, n >> 8]);
      const out = new Uint8Array(5);
      out[0] = OP.BININT;
      new DataView(out.buffer).setInt32(1, n, true);
      return this.#write(out);
    }
    if (fits32) return this.#write(TEXT.encode(`I${value}\n`));
    if (this.#proto >= 2) {
      const encoded = encodeLong(value);
      const header = encoded.length < 256
        ? [OP.LONG1, encoded.length]
        : this.#sizeHeader(OP.LONG4, encoded.length, 4);
      this.#write(header);
      return this.#write(encoded);
    }
    this.#write(TEXT.encode(`L${value}L\n`));
  }

  #saveFloat(value: number): void {
    if (this.#proto === 0) return this.#write(TEXT.encode(`F${pythonFloatRepr(value)}\n`));
    const out = new Uint8Array(9);
    out[0] = OP.BINFLOAT;
    new DataView(out.buffer).setFloat64(1, value, false);
    this.#write(out);
  }

  #saveStr(value: string, key: unknown): void {
    if (this.#proto === 0) {
      this.#write([OP.UNICODE]);
      this.#write(encodePickleUnicodeLine(value));
      this.#write([0x0a]);
    } else {
      const utf8 = encodeUtf8(value, "surrogatepass");
      const n = utf8.length;
      const header = this.#proto >= 4 && n < 256
        ? this.#sizeHeader(OP.SHORT_BINUNICODE, n, 1)
        : this.#proto >= 4 && n > 0xffffffff
        ? this.#sizeHeader(OP.BINUNICODE8, n, 8)
        : this.#sizeHeader(OP.BINUNICODE, n, 4);
      this.#writeLarge(header, utf8);
    }
    this.#memoize(key ?? {});
  }

  #saveBytes(value: Uint8Array, key: unknown): void {
    if (this.#proto >= 3) {
      const n = value.length;
      const header = n < 256
        ? this.#sizeHeader(OP.SHORT_BINBYTES, n, 1)
        : n <= 0xffffffff
        ? this.#sizeHeader(OP.BINBYTES, n, 4)
        : this.#sizeHeader(OP.BINBYTES8, n, 8);
      this.#writeLarge(header, value);
      return this.#memoize(key);
    }
    // Protocols 0-2 have no bytes opcode; Python 3 writes _codecs.encode(latin1_str, 'latin1').
    if (value.length === 0) {
      this.#saveGlobal("builtins", "bytes");
      this.#saveEmptyTuple();
    } else {
      this.#saveGlobal("_codecs", "encode");
      this.#saveArgsTuple([decodeLatin1(value), LATIN1_CONSTANT]);
    }
    this.#write([OP.REDUCE]);
    this.#memoize(key);
  }

  /** Saves the fresh (str, 'latin1') argument tuple of a bytes REDUCE. */
  #saveArgsTuple(items: [string, typeof LATIN1_CONSTANT]): void {
    this.#opcodeBoundary();
    if (this.#proto < 2) this.#write([OP.MARK]);
    // The str is str(bytes, 'latin1'), a CPython singleton when one char long, whatever the
    // sharing option says about the caller's own strs.
    this.#opcodeBoundary();
    const text = items[0];
    const key = isSingletonStr(text) ? `s${text}` : undefined;
    const seen = key === undefined ? undefined : this.#memo.get(key);
    if (seen !== undefined) this.#get(seen);
    else this.#saveStr(text, key);
    this.#opcodeBoundary();
    const latin1 = this.#memo.get(LATIN1_CONSTANT);
    if (latin1 !== undefined) this.#get(latin1);
    else this.#saveStr("latin1", LATIN1_CONSTANT);
    this.#write([this.#proto >= 2 ? OP.TUPLE2 : OP.TUPLE]);
    this.#memoize({});
  }

  #saveEmptyTuple(): void {
    this.#opcodeBoundary();
    this.#write(this.#proto >= 1 ? [OP.EMPTY_TUPLE] : [OP.MARK, OP.TUPLE]);
  }

  #saveGlobal(module: string, name: string): void {
    this.#opcodeBoundary();
    const key = `global ${module}.${name}`;
    const seen = this.#memo.get(key);
    if (seen !== undefined) return this.#get(seen);
    if (this.#proto >= 4) {
      this.#save(module);
      this.#save(name);
      this.#write([OP.STACK_GLOBAL]);
    } else {
      // Protocols < 3 use Python 2 module names so Python 2 can read them (fix_imports=True).
      const fixed = this.#proto < 3
        ? ({ builtins: "__builtin__", copyreg: "copy_reg" } as Record<string, string>)[module] ??
          module
        : module;
      this.#write([OP.GLOBAL]);
      this.#write(TEXT.encode(`${fixed}\n${name}\n`));
    }
    this.#memoize(key);
  }

  #saveTuple(tuple: PyTuple): void {
    const items = tuple.items;
    if (items.length === 0) return this.#saveEmptyTuple();
    const short = items.length <= 3 && this.#proto >= 2;
    if (!short) this.#write([OP.MARK]);
    for (const item of items) this.#save(item);
    const recursive = this.#memo.get(tuple);
    if (recursive !== undefined) {
      // The tuple was reached through one of its own items: drop what was pushed, fetch it.
      if (short) this.#write(new Array(items.length).fill(OP.POP));
      else if (this.#proto >= 1) this.#write([OP.POP_MARK]);
      else this.#write(new Array(items.length + 1).fill(OP.POP));
      return this.#get(recursive);
    }
    this.#write([short ? OP.TUPLE1 + items.length - 1 : OP.TUPLE]);
    this.#memoize(tuple);
  }

  #saveList(list: PickleValue[]): void {
    this.#write(this.#proto >= 1 ? [OP.EMPTY_LIST] : [OP.MARK, OP.LIST]);
    this.#memoize(list);
    if (list.length === 0) return;
    if (this.#proto === 0) {
      for (const item of list) {
        this.#save(item);
        this.#write([OP.APPEND]);
      }
      return;
    }
    if (list.length === 1) {
      this.#save(list[0]);
      return this.#write([OP.APPEND]);
    }
    // batch_list_exact(): full batches of APPENDS, never an empty trailing batch.
    for (let start = 0; start < list.length; start += BATCH_SIZE) {
      this.#write([OP.MARK]);
      for (const item of list.slice(start, start + BATCH_SIZE)) this.#save(item);
      this.#write([OP.APPENDS]);
    }
  }

  #saveDict(dict: Map<PickleValue, PickleValue>): void {
    this.#write(this.#proto >= 1 ? [OP.EMPTY_DICT] : [OP.MARK, OP.DICT]);
    this.#memoize(dict);
    if (dict.size === 0) return;
    if (this.#proto === 0) return this.#setItemsOneByOne(dict);
    const entries = [...dict];
    if (entries.length === 1) return this.#setItemsOneByOne(dict);
    // batch_dict_exact() loops while a batch was full, so a multiple of 1000 items ends with
    // an empty MARK SETITEMS pair.
    for (let start = 0;; start += BATCH_SIZE) {
      const batch = entries.slice(start, start + BATCH_SIZE);
      this.#write([OP.MARK]);
      for (const [k, v] of batch) {
        this.#save(k);
        this.#save(v);
      }
      this.#write([OP.SETITEMS]);
      if (batch.length < BATCH_SIZE) break;
    }
  }

  #setItemsOneByOne(dict: Map<PickleValue, PickleValue>): void {
    for (const [k, v] of dict) {
      this.#save(k);
      this.#save(v);
      this.#write([OP.SETITEM]);
    }
  }

  #saveHeaderKeyDict(dict: PyHeaderKeyDict): void {
    if (this.#proto < 2) {
      // copyreg._reduce_ex: _reconstructor(HeaderKeyDict, dict, dict(self)) via REDUCE.
      this.#saveGlobal("copyreg", "_reconstructor");
      this.#opcodeBoundary();
      this.#write([OP.MARK]);
      this.#saveGlobal(...HEADER_KEY_DICT);
      this.#saveGlobal("builtins", "dict");
      this.#save(new Map(dict));
      this.#write([OP.TUPLE]);
      this.#memoize({});
      this.#write([OP.REDUCE]);
      return this.#memoize(dict);
    }
    // object.__reduce_ex__(2): NEWOBJ of the class, then the items through batch_dict().
    this.#saveGlobal(...HEADER_KEY_DICT);
    this.#saveEmptyTuple();
    this.#write([OP.NEWOBJ]);
    this.#memoize(dict);
    const entries = [...dict];
    for (let start = 0; start < entries.length; start += BATCH_SIZE) {
      const batch = entries.slice(start, start + BATCH_SIZE);
      if (batch.length === 1) {
        this.#save(batch[0][0]);
        this.#save(batch[0][1]);
        this.#write([OP.SETITEM]);
        break;
      }
      this.#write([OP.MARK]);
      for (const [k, v] of batch) {
        this.#save(k);
        this.#save(v);
      }
      this.#write([OP.SETITEMS]);
    }
  }
}

/** Python's pickle.encode_long: minimal little-endian two's complement, empty for zero. */
function encodeLong(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array(0);
  const bits = (value < 0n ? -value : value).toString(2).length;
  let nbytes = (bits >> 3) + 1;
  let v = value < 0n ? (1n << BigInt(nbytes * 8)) + value : value;
  const out = new Uint8Array(nbytes);
  for (let i = 0; i < nbytes; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  if (value < 0n && nbytes > 1 && out[nbytes - 1] === 0xff && (out[nbytes - 2] & 0x80) !== 0) {
    nbytes--;
  }
  return out.slice(0, nbytes);
}
