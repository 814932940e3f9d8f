/**
 * A safe reader for the pickles Swift keeps on disk (object metadata, hashes.pkl,
 * async_pending, container/account `.pending` records), protocols 0 to 5, written by Python 3
 * or by Python 2 Swift.
 *
 * These files can be attacker-influenced (metadata comes from client headers, files come from
 * replication), so this is not Python's general unpickler: it builds plain data only and
 * refuses every opcode or global that could run code. The few globals Python's own pickler
 * emits for Swift's data are interpreted here, never looked up:
 * `_codecs.encode(str, "latin1")` and `bytes()` (how protocols 0-2 spell bytes),
 * `swift.common.header_key_dict.HeaderKeyDict` (also under its old `swift.common.swob` home),
 * and `copyreg._reconstructor(HeaderKeyDict, dict, state)` (its protocol 0-1 form).
 *
 * @module
 */

import { decodeEscapedBytes, decodeRawUnicodeEscape } from "./_pickle_text.ts";
import { OP, OP_NAME } from "./_pickle_opcodes.ts";
import { callGlobal, checkBuild, findGlobal, newObject } from "./_pickle_globals.ts";
import { decodeLong, normalizeInt } from "./_pickle_numbers.ts";
import { PyFloat, PyTuple } from "./pickle_value.ts";
import type { PickleValue } from "./pickle_value.ts";
import { decodeLatin1, decodeUtf8 } from "./python_codecs.ts";
import {
  describeItem,
  finishLoadedValue,
  type PickleGlobal,
  setDictItem,
} from "./_pickle_load_items.ts";

/** How Python 2 `str` objects are decoded: Python's `pickle.loads(..., encoding=)`. */
export type Py2StringEncoding = "ascii" | "bytes" | "latin1" | "utf8";

/** Options of loadPickle(). */
export interface LoadPickleOptions {
  /**
   * Decoding of Python 2 `str` (STRING/BINSTRING/SHORT_BINSTRING). Python's default is
   * "ascii"; Swift reads object metadata with "bytes" and `.pending` records with "utf8".
   */
  encoding?: Py2StringEncoding;
  /** Return every float as a PyFloat, so int/float survive a read-write round trip. */
  exactFloats?: boolean;
}

/** Thrown when a pickle is malformed or uses something this reader refuses to run. */
export class UnpicklingError extends Error {
  /** Builds the error; `offset` is where the offending opcode starts in the input. */
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = "UnpicklingError";
  }
}

type StackItem = PickleValue | PickleGlobal;

/** Reads one pickle from `data` like Python's `pickle.loads`, for plain data only. */
export function loadPickle(data: Uint8Array, options: LoadPickleOptions = {}): PickleValue {
  return new Unpickler(data, options).load();
}

class Unpickler {
  #data: Uint8Array;
  #view: DataView;
  #pos = 0;
  #opStart = 0;
  #stack: StackItem[] = [];
  #marks: number[] = [];
  #memo = new Map<number, StackItem>();
  #encoding: Py2StringEncoding;
  #exactFloats: boolean;

  constructor(data: Uint8Array, options: LoadPickleOptions) {
    this.#data = data;
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.#encoding = options.encoding ?? "ascii";
    this.#exactFloats = options.exactFloats ?? false;
  }

  load(): PickleValue {
    for (;;) {
      this.#opStart = this.#pos;
      const op = this.#byte();
      if (op === OP.STOP) {
        const value = this.#pop();
        try {
          return finishLoadedValue(value);
        } catch (err) {
          throw this.#error((err as Error).message);
        }
      }
      this.#dispatch(op);
    }
  }

  #error(message: string): UnpicklingError {
    return new UnpicklingError(
      `Cannot unpickle: ${message} (opcode at offset ${this.#opStart})`,
      this.#opStart,
    );
  }

  #need(n: number): void {
    if (n > this.#data.length - this.#pos) {
      throw this.#error(
        `pickle data was truncated: need ${n} more bytes, ${this.#data.length - this.#pos} left`,
      );
    }
  }

  #byte(): number {
    this.#need(1);
    return this.#data[this.#pos++];
  }

  #take(n: number | bigint): Uint8Array {
    // 8-byte lengths arrive as bigint; anything past the input is truncation, not a huge alloc.
    this.#need(
      typeof n === "bigint" && n > BigInt(this.#data.length) ? this.#data.length + 1 : Number(n),
    );
    n = Number(n);
    const out = this.#data.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  #u16(): number {
    this.#need(2);
    const v = this.#view.getUint16(this.#pos, true);
    this.#pos += 2;
    return v;
  }

  #i32(): number {
    this.#need(4);
    const v = this.#view.getInt32(this.#pos, true);
    this.#pos += 4;
    return v;
  }

  #u32(): number {
    this.#need(4);
    const v = this.#view.getUint32(this.#pos, true);
    this.#pos += 4;
    return v;
  }

  #u64(): bigint {
    this.#need(8);
    const v = this.#view.getBigUint64(this.#pos, true);
    this.#pos += 8;
    return v;
  }

  #line(): Uint8Array {
    const end = this.#data.indexOf(0x0a, this.#pos);
    if (end < 0) throw this.#error("pickle data was truncated: no newline after a text opcode");
    const line = this.#data.subarray(this.#pos, end);
    this.#pos = end + 1;
    return line;
  }

  #asciiLine(): string {
    return decodeLatin1(this.#line());
  }

  #push(v: StackItem): void {
    this.#stack.push(v);
  }

  #pop(): StackItem {
    if (this.#stack.length === 0 || this.#stack.length === this.#marks.at(-1)) {
      throw this.#error("stack underflow");
    }
    return this.#stack.pop()!;
  }

  #top(): StackItem {
    if (this.#stack.length === 0) throw this.#error("stack underflow");
    return this.#stack[this.#stack.length - 1];
  }

  #popMark(): StackItem[] {
    const mark = this.#marks.pop();
    if (mark === undefined) throw this.#error("could not find MARK");
    return this.#stack.splice(mark);
  }

  #int(text: string, what: string): number | bigint {
    if (!/^[+-]?\d+$/.test(text)) throw this.#error(`invalid ${what} literal "${text}"`);
    return normalizeInt(BigInt(text));
  }

  #float(text: string): number {
    const t = text.trim().toLowerCase();
    const m = /^([+-]?)(inf|infinity|nan)$/.exec(t);
    if (m) return m[2] === "nan" ? NaN : m[1] === "-" ? -Infinity : Infinity;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) {
      throw this.#error(`invalid FLOAT literal "${text}"`);
    }
    return Number(t);
  }

  #floatValue(x: number): PickleValue {
    return this.#exactFloats ? new PyFloat(x) : x;
  }

  #py2String(bytes: Uint8Array): PickleValue {
    try {
      switch (this.#encoding) {
        case "bytes":
          return bytes.slice();
        case "latin1":
          return decodeLatin1(bytes);
        case "utf8":
          return decodeUtf8(bytes, "strict");
        case "ascii":
          if (bytes.some((b) => b >= 0x80)) {
            throw new Error(
              `Python 2 str has non-ASCII byte(s): ${JSON.stringify(decodeLatin1(bytes))}`,
            );
          }
          return decodeLatin1(bytes);
      }
    } catch (err) {
      throw this.#error(`${(err as Error).message} (encoding "${this.#encoding}")`);
    }
  }

  #unicode(bytes: Uint8Array): string {
    try {
      return decodeUtf8(bytes, "surrogatepass");
    } catch (err) {
      throw this.#error((err as Error).message);
    }
  }

  #global(module: string, name: string): PickleGlobal {
    return this.#guard(() => findGlobal(module, name));
  }

  #memoGet(index: number): void {
    if (!this.#memo.has(index)) throw this.#error(`memo key ${index} not found`);
    this.#push(this.#memo.get(index)!);
  }

  #memoPut(index: number): void {
    if (index < 0) throw this.#error(`negative memo key ${index}`);
    this.#memo.set(index, this.#top());
  }

  #setItems(items: StackItem[]): void {
    const target = this.#top();
    if (!(target instanceof Map)) {
      throw this.#error(`SETITEM(S) on a ${describeItem(target)}, not a dict`);
    }
    if (items.length % 2 !== 0) throw this.#error("SETITEMS with an odd number of items");
    try {
      for (let i = 0; i < items.length; i += 2) setDictItem(target, items[i], items[i + 1]);
    } catch (err) {
      throw this.#error((err as Error).message);
    }
  }

  #append(items: StackItem[]): void {
    const target = this.#top();
    if (!Array.isArray(target)) {
      throw this.#error(`APPEND(S) on a ${describeItem(target)}, not a list`);
    }
    for (const item of items) target.push(item as PickleValue);
  }

  /** Runs `fn`, turning its plain Error into an UnpicklingError at the current opcode. */
  #guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof UnpicklingError) throw err;
      throw this.#error((err as Error).message);
    }
  }

  #reduce(): void {
    const args = this.#pop();
    const callable = this.#pop();
    this.#push(this.#guard(() => callGlobal(callable, args)));
  }

  #newObj(cls: StackItem, args: StackItem, kwargs?: StackItem): void {
    this.#push(this.#guard(() => newObject(cls, args, kwargs)));
  }

  #build(): void {
    const state = this.#pop();
    const target = this.#top();
    this.#guard(() => checkBuild(target, state));
  }

  #dispatch(op: number): void {
    switch (op) {
      case OP.PROTO: {
        const proto = this.#byte();
        if (proto > 5) throw this.#error(`unsupported pickle protocol ${proto}`);
        return;
      }
      case OP.FRAME: {
        // Frames only group opcodes for buffered I/O; the content reads the same without them.
        const size = this.#u64();
        if (size > BigInt(this.#data.length - this.#pos)) {
          throw this.#error(
            `frame of ${size} bytes exceeds the ${this.#data.length - this.#pos} left`,
          );
        }
        return;
      }
      case OP.MARK:
        this.#marks.push(this.#stack.length);
        return;
      case OP.POP:
        if (this.#stack.length === this.#marks.at(-1)) this.#popMark();
        else this.#pop();
        return;
      case OP.POP_MARK:
        this.#popMark();
        return;
      case OP.DUP:
        return this.#push(this.#top());
      case OP.NONE:
        return this.#push(null);
      case OP.NEWTRUE:
        return this.#push(true);
      case OP.NEWFALSE:
        return this.#push(false);
      case OP.INT: {
        const text = this.#asciiLine();
        if (text === "00") return this.#push(false);
        if (text === "01") return this.#push(true);
        return this.#push(this.#int(text, "INT"));
      }
      case OP.LONG: {
        const text = this.#asciiLine();
        return this.#push(this.#int(text.endsWith("L") ? text.slice(0, -1) : text, "LONG"));
      }
      case OP.BININT:
        return this.#push(this.#i32());
      case OP.BININT1:
        return this.#push(this.#byte());
      case OP.BININT2:
        return this.#push(this.#u16());
      case OP.LONG1:
        return this.#push(decodeLong(this.#take(this.#byte())));
      case OP.LONG4: {
        const n = this.#i32();
        if (n < 0) throw this.#error(`LONG pickle has negative byte count ${n}`);
        return this.#push(decodeLong(this.#take(n)));
      }
      case OP.FLOAT:
        return this.#push(this.#floatValue(this.#float(this.#asciiLine())));
      case OP.BINFLOAT: {
        this.#need(8);
        const x = this.#view.getFloat64(this.#pos, false);
        this.#pos += 8;
        return this.#push(this.#floatValue(x));
      }
      case OP.STRING: {
        const line = this.#line();
        const q = line[0];
        if (line.length < 2 || q !== line[line.length - 1] || (q !== 0x22 && q !== 0x27)) {
          throw this.#error("the STRING opcode argument must be quoted");
        }
        let raw: Uint8Array;
        try {
          raw = decodeEscapedBytes(line.subarray(1, -1));
        } catch (err) {
          throw this.#error((err as Error).message);
        }
        return this.#push(this.#py2String(raw));
      }
      case OP.BINSTRING: {
        const n = this.#i32();
        if (n < 0) throw this.#error(`BINSTRING pickle has negative byte count ${n}`);
        return this.#push(this.#py2String(this.#take(n)));
      }
      case OP.SHORT_BINSTRING:
        return this.#push(this.#py2String(this.#take(this.#byte())));
      case OP.UNICODE:
        try {
          return this.#push(decodeRawUnicodeEscape(this.#line()));
        } catch (err) {
          throw this.#error((err as Error).message);
        }
      case OP.BINUNICODE:
        return this.#push(this.#unicode(this.#take(this.#u32())));
      case OP.SHORT_BINUNICODE:
        return this.#push(this.#unicode(this.#take(this.#byte())));
      case OP.BINUNICODE8:
        return this.#push(this.#unicode(this.#take(this.#u64())));
      case OP.BINBYTES:
        return this.#push(this.#take(this.#u32()).slice());
      case OP.SHORT_BINBYTES:
        return this.#push(this.#take(this.#byte()).slice());
      case OP.BINBYTES8:
        return this.#push(this.#take(this.#u64()).slice());
      case OP.EMPTY_TUPLE:
        return this.#push(new PyTuple([]));
      case OP.TUPLE:
        return this.#push(new PyTuple(this.#popMark() as PickleValue[]));
      case OP.TUPLE1:
      case OP.TUPLE2:
      case OP.TUPLE3: {
        const n = op - OP.TUPLE1 + 1;
        const items: StackItem[] = [];
        for (let i = 0; i < n; i++) items.unshift(this.#pop());
        return this.#push(new PyTuple(items as PickleValue[]));
      }
      case OP.EMPTY_LIST:
        return this.#push([]);
      case OP.LIST:
        return this.#push(this.#popMark() as PickleValue[]);
      case OP.APPEND:
        return this.#append([this.#pop()]);
      case OP.APPENDS:
        return this.#append(this.#popMark());
      case OP.EMPTY_DICT:
        return this.#push(new Map());
      case OP.DICT: {
        const items = this.#popMark();
        this.#push(new Map());
        return this.#setItems(items);
      }
      case OP.SETITEM: {
        const value = this.#pop();
        const key = this.#pop();
        return this.#setItems([key, value]);
      }
      case OP.SETITEMS:
        return this.#setItems(this.#popMark());
      case OP.GET:
        return this.#memoGet(Number(this.#int(this.#asciiLine(), "GET")));
      case OP.BINGET:
        return this.#memoGet(this.#byte());
      case OP.LONG_BINGET:
        return this.#memoGet(this.#u32());
      case OP.PUT:
        return this.#memoPut(Number(this.#int(this.#asciiLine(), "PUT")));
      case OP.BINPUT:
        return this.#memoPut(this.#byte());
      case OP.LONG_BINPUT:
        return this.#memoPut(this.#u32());
      case OP.MEMOIZE:
        return this.#memoPut(this.#memo.size);
      case OP.GLOBAL: {
        const module = this.#unicode(this.#line());
        const name = this.#unicode(this.#line());
        return this.#push(this.#global(module, name));
      }
      case OP.STACK_GLOBAL: {
        const name = this.#pop();
        const module = this.#pop();
        if (typeof module !== "string" || typeof name !== "string") {
          throw this.#error("STACK_GLOBAL requires str module and name");
        }
        return this.#push(this.#global(module, name));
      }
      case OP.REDUCE:
        return this.#reduce();
      case OP.NEWOBJ: {
        const args = this.#pop();
        return this.#newObj(this.#pop(), args);
      }
      case OP.NEWOBJ_EX: {
        const kwargs = this.#pop();
        const args = this.#pop();
        return this.#newObj(this.#pop(), args, kwargs);
      }
      case OP.BUILD:
        return this.#build();
    }
    const name = OP_NAME.get(op);
    throw this.#error(
      name === undefined
        ? `invalid load key 0x${op.toString(16).padStart(2, "0")}`
        : `refusing opcode ${name}: it can run code or builds a type Swift never stores`,
    );
  }
}
