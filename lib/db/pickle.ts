/**
 * The subset of Python's pickle format that Swift's .pending files hold:
 * protocol-2 tuples of str, int, float, bool and None (Swift writes them with
 * PICKLE_PROTOCOL = 2 and reads them with `pickle.loads(..., encoding='utf8')`).
 * Python 2 era str (BINSTRING) and Python 3 bytes are read as UTF-8 text,
 * as Swift's loader and merge_items() do.
 */

/** A value that can travel through a pending-file pickle. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[];

const OP = {
  MARK: 0x28, // (
  STOP: 0x2e, // .
  EMPTY_TUPLE: 0x29, // )
  TUPLE: 0x74, // t
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  EMPTY_LIST: 0x5d, // ]
  APPEND: 0x61, // a
  APPENDS: 0x65, // e
  LIST: 0x6c, // l
  BINPUT: 0x71, // q
  LONG_BINPUT: 0x72, // r
  BINGET: 0x68, // h
  LONG_BINGET: 0x6a, // j
  MEMOIZE: 0x94,
  FRAME: 0x95,
  PROTO: 0x80,
  NONE: 0x4e, // N
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  BININT: 0x4a, // J
  BININT1: 0x4b, // K
  BININT2: 0x4d, // M
  LONG1: 0x8a,
  LONG4: 0x8b,
  BINFLOAT: 0x47, // G
  BINUNICODE: 0x58, // X
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE8: 0x8d,
  BINSTRING: 0x54, // T
  SHORT_BINSTRING: 0x55, // U
  BINBYTES: 0x42, // B
  SHORT_BINBYTES: 0x43, // C
  BINBYTES8: 0x8e,
  GLOBAL: 0x63, // c
  REDUCE: 0x52, // R
} as const;

const encoder = new TextEncoder();
const utf8 = new TextDecoder();
const latin1 = new TextDecoder("latin1");

/** Serializes `value` the way Python's pickle.dumps(value, protocol=2) does. */
export function encodePickle(value: PickleValue): Uint8Array {
  const out = new ByteWriter();
  const memo = new Map<string, number>();
  out.bytes([OP.PROTO, 2]);
  writeValue(out, value, memo);
  out.bytes([OP.STOP]);
  return out.finish();
}

function writeValue(out: ByteWriter, value: PickleValue, memo: Map<string, number>): void {
  if (value === null) out.bytes([OP.NONE]);
  else if (typeof value === "boolean") out.bytes([value ? OP.NEWTRUE : OP.NEWFALSE]);
  else if (typeof value === "bigint") writeInt(out, value);
  else if (typeof value === "number") {
    if (Number.isInteger(value)) writeInt(out, BigInt(value));
    else {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, value, false);
      out.bytes([OP.BINFLOAT, ...new Uint8Array(view.buffer)]);
    }
  } else if (typeof value === "string") {
    const seen = memo.get(value);
    if (seen !== undefined) {
      writeMemoOp(out, OP.BINGET, OP.LONG_BINGET, seen);
      return;
    }
    const data = encoder.encode(value);
    out.bytes([OP.BINUNICODE, ...uint32le(data.length)]);
    out.bytes(data);
    memo.set(value, memo.size);
    writeMemoOp(out, OP.BINPUT, OP.LONG_BINPUT, memo.size - 1);
  } else if (value instanceof Uint8Array) {
    // Protocol 2 has no bytes opcode: Python 3 pickles bytes as
    // _codecs.encode(latin1 text, 'latin1'); we write text instead because
    // Swift's loaders decode every name to str anyway.
    writeValue(out, utf8.decode(value), memo);
  } else {
    if (value.length === 0) out.bytes([OP.EMPTY_TUPLE]);
    else if (value.length <= 3) {
      for (const item of value) writeValue(out, item, memo);
      out.bytes([OP.TUPLE1 + value.length - 1]);
    } else {
      out.bytes([OP.MARK]);
      for (const item of value) writeValue(out, item, memo);
      out.bytes([OP.TUPLE]);
    }
    // Python memoizes every tuple; an unused slot keeps our indexes in step.
    memo.set(`\u0000tuple:${memo.size}`, memo.size);
    writeMemoOp(out, OP.BINPUT, OP.LONG_BINPUT, memo.size - 1);
  }
}

function writeMemoOp(out: ByteWriter, short: number, long: number, index: number): void {
  if (index < 256) out.bytes([short, index]);
  else out.bytes([long, ...uint32le(index)]);
}

function writeInt(out: ByteWriter, n: bigint): void {
  if (n >= 0n && n <= 0xffn) out.bytes([OP.BININT1, Number(n)]);
  else if (n >= 0n && n <= 0xffffn) out.bytes([OP.BININT2, Number(n & 0xffn), Number(n >> 8n)]);
  else if (n >= -0x80000000n && n <= 0x7fffffffn) {
    const view = new DataView(new ArrayBuffer(4));
    view.setInt32(0, Number(n), true);
    out.bytes([OP.BININT, ...new Uint8Array(view.buffer)]);
  } else {
    const data = encodeLong(n);
    out.bytes([OP.LONG1, data.length, ...data]);
  }
}

/** Little-endian two's complement in as few bytes as keep the sign (pickle's encode_long). */
function encodeLong(n: bigint): number[] {
  const bytes: number[] = [];
  let rest = n;
  for (;;) {
    const byte = Number(BigInt.asUintN(8, rest));
    bytes.push(byte);
    rest >>= 8n;
    const signBit = (byte & 0x80) !== 0;
    if ((rest === 0n && !signBit) || (rest === -1n && signBit)) return bytes;
  }
}

function uint32le(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

class ByteWriter {
  #chunks: number[] = [];
  bytes(data: ArrayLike<number>): void {
    for (let i = 0; i < data.length; i++) this.#chunks.push(data[i]);
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.#chunks);
  }
}

const MARK = Symbol("mark");
type Callable = (args: PickleValue[]) => PickleValue;
type StackItem = PickleValue | typeof MARK | Callable;

// Only the globals a Python 3 Swift produces when a bytes value slips into a
// record; anything else in a pending file is not Swift's and is refused.
const GLOBALS: Record<string, Callable> = {
  "_codecs\nencode": ([text, encoding]) => {
    if (typeof text !== "string") throw new TypeError("_codecs.encode expects text");
    return encoding === "latin1" || encoding === "latin-1"
      ? Uint8Array.from(text, (c) => c.charCodeAt(0))
      : encoder.encode(text);
  },
  "__builtin__\nbytes": () => new Uint8Array(0),
  "builtins\nbytes": () => new Uint8Array(0),
};

/** Parses a pickle as Python's pickle.loads(data, encoding='utf8') would, for Swift's records. */
export function decodePickle(data: Uint8Array): PickleValue {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, StackItem>();
  let pos = 0;
  const need = (n: number): number => {
    if (pos + n > data.length) {
      throw new RangeError(
        `Pickle is truncated: needs ${n} bytes at offset ${pos} of ${data.length}`,
      );
    }
    const at = pos;
    pos += n;
    return at;
  };
  const popMark = (): StackItem[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) throw new RangeError(`Pickle has no MARK before offset ${pos}`);
    const items = stack.splice(at);
    return items.slice(1);
  };
  const top = (): StackItem => {
    if (stack.length === 0) throw new RangeError(`Pickle stack is empty at offset ${pos}`);
    return stack[stack.length - 1];
  };
  const pop = (): StackItem => {
    const item = top();
    stack.pop();
    return item;
  };
  const readLine = (): string => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) throw new RangeError(`Pickle line at offset ${pos} has no newline`);
    const line = latin1.decode(data.subarray(pos, end));
    pos = end + 1;
    return line;
  };
  for (;;) {
    const op = data[need(1)];
    switch (op) {
      case OP.PROTO:
        need(1);
        break;
      case OP.FRAME:
        need(8);
        break;
      case OP.STOP:
        return asValue(pop(), pos);
      case OP.MARK:
        stack.push(MARK);
        break;
      case OP.EMPTY_TUPLE:
      case OP.EMPTY_LIST:
        stack.push([]);
        break;
      case OP.TUPLE:
      case OP.LIST:
        stack.push(popMark().map((item) => asValue(item, pos)));
        break;
      case OP.TUPLE1:
      case OP.TUPLE2:
      case OP.TUPLE3: {
        const n = op - OP.TUPLE1 + 1;
        if (stack.length < n) throw new RangeError(`Pickle stack underflow at offset ${pos}`);
        stack.push(stack.splice(stack.length - n).map((item) => asValue(item, pos)));
        break;
      }
      case OP.APPEND: {
        const item = asValue(pop(), pos);
        asList(top(), pos).push(item);
        break;
      }
      case OP.APPENDS: {
        const items = popMark().map((item) => asValue(item, pos));
        asList(top(), pos).push(...items);
        break;
      }
      case OP.BINPUT:
        memo.set(data[need(1)], top());
        break;
      case OP.LONG_BINPUT:
        memo.set(view.getUint32(need(4), true), top());
        break;
      case OP.MEMOIZE:
        memo.set(memo.size, top());
        break;
      case OP.BINGET:
      case OP.LONG_BINGET: {
        const index = op === OP.BINGET ? data[need(1)] : view.getUint32(need(4), true);
        if (!memo.has(index)) {
          throw new RangeError(`Pickle memo ${index} is unset at offset ${pos}`);
        }
        stack.push(memo.get(index) as StackItem);
        break;
      }
      case OP.NONE:
        stack.push(null);
        break;
      case OP.NEWTRUE:
        stack.push(true);
        break;
      case OP.NEWFALSE:
        stack.push(false);
        break;
      case OP.BININT1:
        stack.push(data[need(1)]);
        break;
      case OP.BININT2:
        stack.push(view.getUint16(need(2), true));
        break;
      case OP.BININT:
        stack.push(view.getInt32(need(4), true));
        break;
      case OP.LONG1:
      case OP.LONG4: {
        const n = op === OP.LONG1 ? data[need(1)] : view.getInt32(need(4), true);
        stack.push(decodeLong(data.subarray(need(n), pos)));
        break;
      }
      case OP.BINFLOAT:
        stack.push(view.getFloat64(need(8), false));
        break;
      case OP.BINUNICODE:
      case OP.BINSTRING:
      case OP.BINBYTES: {
        const n = view.getUint32(need(4), true);
        const bytes = data.subarray(need(n), pos);
        stack.push(op === OP.BINBYTES ? bytes.slice() : utf8.decode(bytes));
        break;
      }
      case OP.SHORT_BINUNICODE:
      case OP.SHORT_BINSTRING:
      case OP.SHORT_BINBYTES: {
        const n = data[need(1)];
        const bytes = data.subarray(need(n), pos);
        stack.push(op === OP.SHORT_BINBYTES ? bytes.slice() : utf8.decode(bytes));
        break;
      }
      case OP.BINUNICODE8:
      case OP.BINBYTES8: {
        const n = Number(view.getBigUint64(need(8), true));
        const bytes = data.subarray(need(n), pos);
        stack.push(op === OP.BINBYTES8 ? bytes.slice() : utf8.decode(bytes));
        break;
      }
      case OP.GLOBAL: {
        const name = `${readLine()}\n${readLine()}`;
        const fn = GLOBALS[name];
        if (!fn) {
          throw new RangeError(
            `Pickle refers to an unsupported global "${name.replace("\n", ".")}"`,
          );
        }
        stack.push(fn);
        break;
      }
      case OP.REDUCE: {
        const args = pop();
        const fn = pop();
        if (typeof fn !== "function" || !Array.isArray(args)) {
          throw new RangeError(`Pickle REDUCE at offset ${pos} has no callable and argument tuple`);
        }
        stack.push(fn(args));
        break;
      }
      default:
        throw new RangeError(
          `Pickle opcode 0x${op.toString(16)} at offset ${pos - 1} is not supported`,
        );
    }
  }
}

function asValue(item: StackItem, pos: number): PickleValue {
  if (item === MARK || typeof item === "function") {
    throw new RangeError(`Pickle has a dangling mark or global at offset ${pos}`);
  }
  return item;
}

function asList(item: StackItem, pos: number): PickleValue[] {
  if (!Array.isArray(item)) throw new RangeError(`Pickle APPEND at offset ${pos} has no list`);
  return item;
}

function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) n -= 1n << BigInt(bytes.length * 8);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(n)
    : n;
}
