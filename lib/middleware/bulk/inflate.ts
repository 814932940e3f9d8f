/**
 * Raw deflate decompression with the behaviour of Python's zlib.decompressobj(-15), which
 * tarfile's "r|gz" stream reads gzip members with (zlib 1.2.13's inflate()):
 *
 * - the same data refused, with zlib's messages: block type 3, stored lengths that do not
 *   match, more than 286/30 length/distance codes, over-subscribed or incomplete code
 *   lengths (a single one-bit code excepted, as inflate_table() allows), a repeat with
 *   nothing to repeat or past the end, no end-of-block code, codes 286-287 and 30-31, and
 *   distances further back than the output so far;
 * - everything decodable is returned at once, and input after the last block is kept as
 *   `unusedData` (decompressing more after that returns nothing, as zlib does).
 *
 * node:zlib has no synchronous streaming inflater, and tarfile needs each call's output at
 * once, so this is written out. Each item (block header, code tables, one symbol with its
 * extra bits) is read whole or, when the input ends inside it, read again with more input.
 */

/** zlib.error of a corrupt stream: "Error -3 while decompressing data: <zlib's message>". */
export class InflateError extends Error {
  constructor(reason: string) {
    super(`Error -3 while decompressing data: ${reason}`);
    this.name = "InflateError";
  }
}

const NEED_INPUT = Symbol("need input");
const WINDOW = 32768;
const LENGTH_BASE = [
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  10,
  11,
  13,
  15,
  17,
  19,
  23,
  27,
  31,
  35,
  43,
  51,
  59,
  67,
  83,
  99,
  115,
  131,
  163,
  195,
  227,
  258,
];
const LENGTH_EXTRA = [
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  1,
  1,
  1,
  1,
  2,
  2,
  2,
  2,
  3,
  3,
  3,
  3,
  4,
  4,
  4,
  4,
  5,
  5,
  5,
  5,
  0,
];
const DIST_BASE = [
  1,
  2,
  3,
  4,
  5,
  7,
  9,
  13,
  17,
  25,
  33,
  49,
  65,
  97,
  129,
  193,
  257,
  385,
  513,
  769,
  1025,
  1537,
  2049,
  3073,
  4097,
  6145,
  8193,
  12289,
  16385,
  24577,
];
const DIST_EXTRA = [
  0,
  0,
  0,
  0,
  1,
  1,
  2,
  2,
  3,
  3,
  4,
  4,
  5,
  5,
  6,
  6,
  7,
  7,
  8,
  8,
  9,
  9,
  10,
  10,
  11,
  11,
  12,
  12,
  13,
  13,
];
/** The order code length code lengths come in. */
const CLEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * A decoding table indexed by the next `bits` input bits: (symbol << 4) | code length, or
 * INVALID << 4 | length for codes the set leaves unassigned.
 */
interface Table {
  readonly bits: number;
  readonly entries: Int32Array;
}
const INVALID = 0xffff;

type CodeType = "codes" | "lens" | "dists";

/** inflate_table()'s checks, then a flat table; undefined for a set zlib refuses. */
function buildTable(lengths: ArrayLike<number>, type: CodeType): Table | undefined {
  const count = new Array(16).fill(0);
  for (let i = 0; i < lengths.length; i++) count[lengths[i]]++;
  let max = 15;
  while (max >= 1 && count[max] === 0) max--;
  if (max === 0) {
    // No codes at all: fine until one is needed, then invalid after one bit.
    return { bits: 1, entries: Int32Array.of((INVALID << 4) | 1, (INVALID << 4) | 1) };
  }
  let left = 1;
  for (let len = 1; len <= 15; len++) {
    left = (left << 1) - count[len];
    if (left < 0) return undefined;
  }
  if (left > 0 && (type === "codes" || max !== 1)) return undefined;
  const entries = new Int32Array(1 << max).fill((INVALID << 4) | max);
  // Canonical codes: each length's first code follows the codes of the shorter lengths.
  const next = new Array(16).fill(0);
  for (let len = 2; len <= max; len++) next[len] = (next[len - 1] + count[len - 1]) << 1;
  for (let sym = 0; sym < lengths.length; sym++) {
    const len = lengths[sym];
    if (!len) continue;
    let reversed = 0;
    for (let k = 0, c = next[len]++; k < len; k++, c >>= 1) reversed = (reversed << 1) | (c & 1);
    for (let i = reversed; i < entries.length; i += 1 << len) entries[i] = (sym << 4) | len;
  }
  return { bits: max, entries };
}

const FIXED_LENS = buildTable(
  Array.from({ length: 288 }, (_, i) => i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8),
  "lens",
)!;
const FIXED_DISTS = buildTable(new Array(32).fill(5), "dists")!;

type State = "header" | "stored" | "codes" | "done";

/** One raw deflate stream (zlib.decompressobj(-zlib.MAX_WBITS)). */
export class RawInflater {
  /** True once the last block ended. */
  eof = false;
  /** Input after the last block. */
  unusedData: Uint8Array = new Uint8Array(0);

  #state: State = "header";
  #error: InflateError | undefined;
  #in = new Uint8Array(0);
  #pos = 0;
  #hold = 0;
  #bits = 0;
  #last = false;
  #storedLeft = 0;
  #lens: Table = FIXED_LENS;
  #dists: Table = FIXED_DISTS;
  #window = new Uint8Array(WINDOW);
  #whave = 0;
  #wnext = 0;
  #out: Uint8Array = new Uint8Array(0);
  #outLen = 0;

  /** Decompresses `data`: all the output it completes (Decompress.decompress()). */
  decompress(data: Uint8Array): Uint8Array {
    if (this.#error) throw this.#error;
    if (this.eof) {
      const unused = new Uint8Array(this.unusedData.length + data.length);
      unused.set(this.unusedData);
      unused.set(data, this.unusedData.length);
      this.unusedData = unused;
      return new Uint8Array(0);
    }
    const rest = this.#in.subarray(this.#pos);
    this.#in = new Uint8Array(rest.length + data.length);
    this.#in.set(rest);
    this.#in.set(data, rest.length);
    this.#pos = 0;
    this.#out = new Uint8Array(Math.max(1024, data.length * 4));
    this.#outLen = 0;
    try {
      this.#run();
    } catch (err) {
      if (err instanceof InflateError) this.#error = err;
      throw err;
    }
    if (this.eof) this.unusedData = this.#in.slice(this.#pos);
    return this.#out.slice(0, this.#outLen);
  }

  #run(): void {
    for (;;) {
      const pos = this.#pos;
      const hold = this.#hold;
      const bits = this.#bits;
      try {
        if (this.#state === "header") this.#readHeader();
        else if (this.#state === "stored") {
          if (!this.#copyStored()) return;
        } else if (this.#state === "codes") this.#readCodes();
        else return;
      } catch (err) {
        if (err !== NEED_INPUT) throw err;
        if (this.#state !== "codes") {
          this.#pos = pos;
          this.#hold = hold;
          this.#bits = bits;
        }
        return;
      }
    }
  }

  /** Makes `n` bits (at most 24) available, or throws NEED_INPUT. */
  #need(n: number): void {
    while (this.#bits < n) {
      if (this.#pos >= this.#in.length) throw NEED_INPUT;
      this.#hold = (this.#hold | (this.#in[this.#pos++] << this.#bits)) >>> 0;
      this.#bits += 8;
    }
  }

  #take(n: number): number {
    this.#need(n);
    const v = this.#hold & ((1 << n) - 1);
    this.#hold >>>= n;
    this.#bits -= n;
    return v;
  }

  /** The next symbol of `table`, read as zlib does: only as many bits as its code has. */
  #decode(table: Table): number {
    while (this.#bits < table.bits && this.#pos < this.#in.length) {
      this.#hold = (this.#hold | (this.#in[this.#pos++] << this.#bits)) >>> 0;
      this.#bits += 8;
    }
    const entry = table.entries[this.#hold & ((1 << table.bits) - 1)];
    const len = entry & 15;
    if (len > this.#bits) throw NEED_INPUT;
    this.#hold >>>= len;
    this.#bits -= len;
    return entry >> 4;
  }

  #readHeader(): void {
    this.#last = this.#take(1) === 1;
    const type = this.#take(2);
    if (type === 0) {
      this.#take(this.#bits & 7);
      const len = this.#take(16);
      const nlen = this.#take(16);
      if (len !== (~nlen & 0xffff)) throw new InflateError("invalid stored block lengths");
      this.#storedLeft = len;
      this.#state = "stored";
    } else if (type === 1) {
      this.#lens = FIXED_LENS;
      this.#dists = FIXED_DISTS;
      this.#state = "codes";
    } else if (type === 2) {
      this.#readDynamicTables();
      this.#state = "codes";
    } else {
      throw new InflateError("invalid block type");
    }
  }

  #readDynamicTables(): void {
    const nlen = this.#take(5) + 257;
    const ndist = this.#take(5) + 1;
    const ncode = this.#take(4) + 4;
    if (nlen > 286 || ndist > 30) throw new InflateError("too many length or distance symbols");
    const clens = new Array(19).fill(0);
    for (let i = 0; i < ncode; i++) clens[CLEN_ORDER[i]] = this.#take(3);
    const codes = buildTable(clens, "codes");
    if (!codes) throw new InflateError("invalid code lengths set");
    const lens = new Uint8Array(nlen + ndist);
    for (let have = 0; have < nlen + ndist;) {
      const sym = this.#decode(codes);
      if (sym < 16) {
        lens[have++] = sym;
        continue;
      }
      let value = 0;
      let copy: number;
      if (sym === 16) {
        this.#need(2);
        if (have === 0) throw new InflateError("invalid bit length repeat");
        value = lens[have - 1];
        copy = 3 + this.#take(2);
      } else if (sym === 17) {
        copy = 3 + this.#take(3);
      } else {
        copy = 11 + this.#take(7);
      }
      if (have + copy > nlen + ndist) throw new InflateError("invalid bit length repeat");
      lens.fill(value, have, have + copy);
      have += copy;
    }
    if (lens[256] === 0) throw new InflateError("invalid code -- missing end-of-block");
    const litlen = buildTable(lens.subarray(0, nlen), "lens");
    if (!litlen) throw new InflateError("invalid literal/lengths set");
    const dists = buildTable(lens.subarray(nlen), "dists");
    if (!dists) throw new InflateError("invalid distances set");
    this.#lens = litlen;
    this.#dists = dists;
  }

  /** Copies a stored block as far as the input goes; true once it is all copied. */
  #copyStored(): boolean {
    while (this.#storedLeft > 0 && this.#bits >= 8) {
      this.#put(this.#take(8));
      this.#storedLeft--;
    }
    while (this.#storedLeft > 0) {
      if (this.#pos >= this.#in.length) return false;
      const n = Math.min(this.#storedLeft, this.#in.length - this.#pos);
      for (let i = 0; i < n; i++) this.#put(this.#in[this.#pos + i]);
      this.#pos += n;
      this.#storedLeft -= n;
    }
    this.#endBlock();
    return true;
  }

  /** The symbols of a huffman block; each literal or match is read whole or not at all. */
  #readCodes(): void {
    for (;;) {
      const pos = this.#pos;
      const hold = this.#hold;
      const bits = this.#bits;
      try {
        const sym = this.#decode(this.#lens);
        if (sym < 256) {
          this.#put(sym);
          continue;
        }
        if (sym === 256) return this.#endBlock();
        if (sym > 285) throw new InflateError("invalid literal/length code");
        const len = LENGTH_BASE[sym - 257] + this.#take(LENGTH_EXTRA[sym - 257]);
        const dsym = this.#decode(this.#dists);
        if (dsym > 29) throw new InflateError("invalid distance code");
        const dist = DIST_BASE[dsym] + this.#take(DIST_EXTRA[dsym]);
        if (dist > this.#whave) throw new InflateError("invalid distance too far back");
        this.#copyMatch(dist, len);
      } catch (err) {
        if (err === NEED_INPUT) {
          this.#pos = pos;
          this.#hold = hold;
          this.#bits = bits;
        }
        throw err;
      }
    }
  }

  #endBlock(): void {
    if (!this.#last) {
      this.#state = "header";
      return;
    }
    // Whole bytes read ahead go back to the input; the rest of the last byte is padding.
    this.#pos -= this.#bits >> 3;
    this.#hold = 0;
    this.#bits = 0;
    this.#state = "done";
    this.eof = true;
  }

  #put(byte: number): void {
    if (this.#outLen === this.#out.length) {
      const bigger = new Uint8Array(this.#out.length * 2);
      bigger.set(this.#out);
      this.#out = bigger;
    }
    this.#out[this.#outLen++] = byte;
    this.#window[this.#wnext] = byte;
    this.#wnext = (this.#wnext + 1) & (WINDOW - 1);
    if (this.#whave < WINDOW) this.#whave++;
  }

  #copyMatch(dist: number, len: number): void {
    for (let i = 0; i < len; i++) this.#put(this.#window[(this.#wnext - dist) & (WINDOW - 1)]);
  }
}
