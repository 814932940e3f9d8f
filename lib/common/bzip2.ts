/**
 * A streaming bzip2 decompressor in TypeScript, a port of libbzip2 1.0.8's decoder
 * (decompress.c, huffman.c, bzlib.c) with CPython 3.11's BZ2Decompressor around it:
 *
 * - the same data checks, made at the same bit (magic, block and stream CRCs, Huffman
 *   tables, selectors, origPtr, run lengths, the inverse BWT), so a corrupt or truncated
 *   stream fails exactly where Python's bz2 fails, and randomised blocks still decode;
 * - the same output per call: when a call's input runs out while a block is being
 *   written, CPython stops at the end of its output buffer (32 KiB, then 64 KiB, 256 KiB...)
 *   and keeps the rest for the next call; tarfile's reads depend on it;
 * - one stream per Bzip2Decompressor (then `eof`, `unusedData`, EOFError on more input),
 *   several in bzip2Decompress() and Bzip2DecompressionStream (bz2.decompress/BZ2File).
 *
 * Parsing works on a checkpoint: a block header, one Huffman symbol and the end-of-stream
 * marker are each read whole or not at all, and libbzip2 reads bits lazily in the same
 * order, so running out of input mid-item is the same as libbzip2 saving its state there.
 */

/** Python's OSError("Invalid data stream"): the input is not bzip2 or is corrupt. */
export class Bzip2DataError extends Error {
  constructor() {
    super("Invalid data stream");
    this.name = "Bzip2DataError";
  }
}

/** Python's EOFError: input given to a decompressor after its end-of-stream marker. */
export class Bzip2EOFError extends Error {
  constructor(message = "End of stream already reached") {
    super(message);
    this.name = "Bzip2EOFError";
  }
}

const RNUMS = Int16Array.from(
  ("619 720 127 481 931 816 813 233 566 247 985 724 205 454 863 491 741 242 949 214 733 859 " +
    "335 708 621 574 73 654 730 472 419 436 278 496 867 210 399 680 480 51 878 465 811 169 869 " +
    "675 611 697 867 561 862 687 507 283 482 129 807 591 733 623 150 238 59 379 684 877 625 169 " +
    "643 105 170 607 520 932 727 476 693 425 174 647 73 122 335 530 442 853 695 249 445 515 909 " +
    "545 703 919 874 474 882 500 594 612 641 801 220 162 819 984 589 513 495 799 161 604 958 533 " +
    "221 400 386 867 600 782 382 596 414 171 516 375 682 485 911 276 98 553 163 354 666 933 424 " +
    "341 533 870 227 730 475 186 263 647 537 686 600 224 469 68 770 919 190 373 294 822 808 206 " +
    "184 943 795 384 383 461 404 758 839 887 715 67 618 276 204 918 873 777 604 560 951 160 578 " +
    "722 79 804 96 409 713 940 652 934 970 447 318 353 859 672 112 785 645 863 803 350 139 93 354 " +
    "99 820 908 609 772 154 274 580 184 79 626 630 742 653 282 762 623 680 81 927 626 789 125 411 " +
    "521 938 300 821 78 343 175 128 250 170 774 972 275 999 639 495 78 352 126 857 956 358 619 " +
    "580 124 737 594 701 612 669 112 134 694 363 992 809 743 168 974 944 375 748 52 600 747 642 " +
    "182 862 81 344 805 988 739 511 655 814 334 249 515 897 955 664 981 649 113 974 459 893 228 " +
    "433 837 553 268 926 240 102 654 459 51 686 754 806 760 493 403 415 394 687 700 946 670 656 " +
    "610 738 392 760 799 887 653 978 321 576 617 626 502 894 679 243 440 680 879 194 572 640 724 " +
    "926 56 204 700 707 151 457 449 797 195 791 558 945 679 297 59 87 824 713 663 412 693 342 606 " +
    "134 108 571 364 631 212 174 643 304 329 343 97 430 751 497 314 983 374 822 928 140 206 73 263 " +
    "980 736 876 478 430 305 170 514 364 692 829 82 855 953 676 246 369 970 294 750 807 827 150 " +
    "790 288 923 804 378 215 828 592 281 565 555 710 82 896 831 547 261 524 462 293 465 502 56 661 " +
    "821 976 991 658 869 905 758 745 193 768 550 608 933 378 286 215 979 792 961 61 688 793 644 " +
    "986 403 106 366 905 644 372 567 466 434 645 210 389 550 919 135 780 773 635 389 707 100 626 " +
    "958 165 504 920 176 193 713 857 265 203 50 668 108 645 990 626 197 510 357 358 850 858 364 " +
    "936 638").split(" "),
  Number,
);

/** bzip2's CRC-32 (MSB first, polynomial 0x04c11db7). */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** CPython's _BlocksOutputBuffer block sizes: how far one call's output buffer grows. */
const OUTPUT_BLOCKS = [32, 64, 256, 1024, 4096, 8192, 16384, 16384, 32768, 32768, 32768, 32768]
  .map((kib) => kib * 1024);

const MAX_GROUPS = 6;
const MAX_ALPHA = 258;
const MAX_CODE_LEN = 23;
const MAX_SELECTORS = 18002;
const G_SIZE = 50;
const RUNA = 0;
const RUNB = 1;

/** Thrown inside the parser when the input ends mid-item; the item is read again later. */
const NEED_INPUT = Symbol("need input");

type State = "magic" | "block" | "symbols" | "output" | "end";

/** One bzip2 stream, decompressed as input arrives (Python's bz2.BZ2Decompressor). */
export class Bzip2Decompressor {
  /** True once the end-of-stream marker and the stream CRC were read. */
  eof = false;
  /** Bytes after the end of the stream. */
  unusedData: Uint8Array = new Uint8Array(0);

  #state: State = "magic";
  #error: Error | undefined;
  #in = new Uint8Array(0);
  #pos = 0;
  #bsBuff = 0;
  #bsLive = 0;
  #blockSize100k = 0;
  #tt = new Uint32Array(0);
  #storedBlockCrc = 0;
  #storedCombinedCrc = 0;
  #combinedCrc = 0;
  #randomised = false;
  #origPtr = 0;
  // Tables of the current block (kept from block to block, as in libbzip2's DState).
  #seqToUnseq = new Uint8Array(256);
  #nInUse = 0;
  #selector = new Uint8Array(MAX_SELECTORS);
  #selectorMtf = new Uint8Array(MAX_SELECTORS);
  #nSelectors = 0;
  #len = Array.from({ length: MAX_GROUPS }, () => new Uint8Array(MAX_ALPHA));
  #limit = Array.from({ length: MAX_GROUPS }, () => new Int32Array(MAX_CODE_LEN));
  #base = Array.from({ length: MAX_GROUPS }, () => new Int32Array(MAX_CODE_LEN));
  #perm = Array.from({ length: MAX_GROUPS }, () => new Int32Array(MAX_ALPHA));
  #minLens = new Int32Array(MAX_GROUPS);
  // Symbol decoding state.
  #eob = 0;
  #groupNo = -1;
  #groupPos = 0;
  #nblock = 0;
  #inRun = false;
  #es = 0;
  #runN = 0;
  #unzftab = new Int32Array(256);
  #mtfa = new Uint8Array(4096);
  #mtfbase = new Int32Array(16);
  // Output (unRLE) state.
  #tPos = 0;
  #k0 = 0;
  #nblockUsed = 0;
  #outLen = 0;
  #outCh = 0;
  #blockCrc = 0;
  #rNToGo = 0;
  #rTPos = 0;

  /** Decompresses `data`, returning what CPython's decompress(data) returns. */
  decompress(data: Uint8Array): Uint8Array {
    if (this.eof) throw new Bzip2EOFError();
    if (this.#error) throw this.#error;
    const rest = this.#in.subarray(this.#pos);
    const input = new Uint8Array(rest.length + data.length);
    input.set(rest);
    input.set(data, rest.length);
    this.#in = input;
    this.#pos = 0;
    const out = new Output();
    try {
      this.#run(out);
    } catch (err) {
      if (err instanceof Bzip2DataError) this.#error = err;
      throw err;
    }
    if (this.eof) this.unusedData = this.#in.slice(this.#pos);
    return out.bytes();
  }

  #run(out: Output): void {
    for (;;) {
      if (this.#state === "output") {
        this.#unRle(out);
        if (this.#nblockUsed === this.#nblock + 1 && this.#outLen === 0) {
          if ((~this.#blockCrc >>> 0) !== this.#storedBlockCrc) throw new Bzip2DataError();
          this.#combinedCrc = ((this.#combinedCrc << 1) | (this.#combinedCrc >>> 31)) >>> 0;
          this.#combinedCrc = (this.#combinedCrc ^ (~this.#blockCrc >>> 0)) >>> 0;
          this.#state = "block";
          continue;
        }
        // The output buffer is full: CPython grows it only while input is left.
        if (this.#pos < this.#in.length) {
          out.grow();
          continue;
        }
        return;
      }
      const checkpoint = [this.#pos, this.#bsBuff, this.#bsLive];
      try {
        if (this.#state === "magic") this.#readMagic();
        else if (this.#state === "block") this.#readBlockHeader();
        else if (this.#state === "symbols") this.#readSymbols();
        else if (this.#state === "end") return;
      } catch (err) {
        if (err !== NEED_INPUT) throw err;
        // #readSymbols() went back to the start of its symbol itself.
        if (this.#state !== "symbols") [this.#pos, this.#bsBuff, this.#bsLive] = checkpoint;
        return;
      }
    }
  }

  #bits(n: number): number {
    while (this.#bsLive < n) {
      if (this.#pos >= this.#in.length) throw NEED_INPUT;
      this.#bsBuff = ((this.#bsBuff << 8) | this.#in[this.#pos++]) >>> 0;
      this.#bsLive += 8;
    }
    const v = (this.#bsBuff >>> (this.#bsLive - n)) & ((1 << n) - 1);
    this.#bsLive -= n;
    return v;
  }

  #readMagic(): void {
    if (this.#bits(8) !== 0x42) throw new Bzip2DataError();
    if (this.#bits(8) !== 0x5a) throw new Bzip2DataError();
    if (this.#bits(8) !== 0x68) throw new Bzip2DataError();
    const level = this.#bits(8);
    if (level < 0x31 || level > 0x39) throw new Bzip2DataError();
    this.#blockSize100k = level - 0x30;
    this.#tt = new Uint32Array(this.#blockSize100k * 100000);
    this.#state = "block";
  }

  #readBlockHeader(): void {
    const first = this.#bits(8);
    if (first === 0x17) return this.#readEnd();
    for (const expected of [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]) {
      if ((expected === 0x31 ? first : this.#bits(8)) !== expected) throw new Bzip2DataError();
    }
    this.#storedBlockCrc = this.#uint32();
    this.#randomised = this.#bits(1) === 1;
    this.#origPtr = (this.#bits(8) << 16) | (this.#bits(8) << 8) | this.#bits(8);
    if (this.#origPtr > 10 + 100000 * this.#blockSize100k) throw new Bzip2DataError();

    const inUse16: boolean[] = [];
    for (let i = 0; i < 16; i++) inUse16.push(this.#bits(1) === 1);
    this.#nInUse = 0;
    for (let i = 0; i < 16; i++) {
      if (!inUse16[i]) continue;
      for (let j = 0; j < 16; j++) {
        if (this.#bits(1) === 1) this.#seqToUnseq[this.#nInUse++] = i * 16 + j;
      }
    }
    if (this.#nInUse === 0) throw new Bzip2DataError();
    const alphaSize = this.#nInUse + 2;

    const nGroups = this.#bits(3);
    if (nGroups < 2 || nGroups > MAX_GROUPS) throw new Bzip2DataError();
    let nSelectors = this.#bits(15);
    if (nSelectors < 1) throw new Bzip2DataError();
    for (let i = 0; i < nSelectors; i++) {
      let j = 0;
      while (this.#bits(1) === 1) {
        if (++j >= nGroups) throw new Bzip2DataError();
      }
      // libbzip2 1.0.8 reads selectors past the most a block can use, and ignores them.
      if (i < MAX_SELECTORS) this.#selectorMtf[i] = j;
    }
    nSelectors = Math.min(nSelectors, MAX_SELECTORS);
    const pos = [0, 1, 2, 3, 4, 5];
    for (let i = 0; i < nSelectors; i++) {
      let v = this.#selectorMtf[i];
      const tmp = pos[v];
      for (; v > 0; v--) pos[v] = pos[v - 1];
      pos[0] = tmp;
      this.#selector[i] = tmp;
    }
    this.#nSelectors = nSelectors;

    for (let t = 0; t < nGroups; t++) {
      let curr = this.#bits(5);
      for (let i = 0; i < alphaSize; i++) {
        for (;;) {
          if (curr < 1 || curr > 20) throw new Bzip2DataError();
          if (this.#bits(1) === 0) break;
          curr += this.#bits(1) === 0 ? 1 : -1;
        }
        this.#len[t][i] = curr;
      }
    }
    for (let t = 0; t < nGroups; t++) {
      const len = this.#len[t];
      let minLen = 32;
      let maxLen = 0;
      for (let i = 0; i < alphaSize; i++) {
        maxLen = Math.max(maxLen, len[i]);
        minLen = Math.min(minLen, len[i]);
      }
      createDecodeTables(
        this.#limit[t],
        this.#base[t],
        this.#perm[t],
        len,
        minLen,
        maxLen,
        alphaSize,
      );
      this.#minLens[t] = minLen;
    }

    this.#eob = this.#nInUse + 1;
    this.#groupNo = -1;
    this.#groupPos = 0;
    this.#unzftab.fill(0);
    let kk = 4095;
    for (let ii = 15; ii >= 0; ii--) {
      for (let jj = 15; jj >= 0; jj--) this.#mtfa[kk--] = ii * 16 + jj;
      this.#mtfbase[ii] = kk + 1;
    }
    this.#nblock = 0;
    this.#inRun = false;
    this.#state = "symbols";
  }

  #uint32(): number {
    return ((this.#bits(8) << 24) | (this.#bits(8) << 16) | (this.#bits(8) << 8) |
      this.#bits(8)) >>>
      0;
  }

  /** GET_MTF_VAL: one Huffman symbol; the group only advances once the symbol is whole. */
  #decodeSymbol(): number {
    let groupNo = this.#groupNo;
    let groupPos = this.#groupPos;
    if (groupPos === 0) {
      if (++groupNo >= this.#nSelectors) throw new Bzip2DataError();
      groupPos = G_SIZE;
    }
    const sel = this.#selector[groupNo];
    const limit = this.#limit[sel];
    let zn = this.#minLens[sel];
    let zvec = this.#bits(zn);
    for (;;) {
      if (zn > 20) throw new Bzip2DataError();
      if (zvec <= limit[zn]) break;
      zn++;
      zvec = (zvec << 1) | this.#bits(1);
    }
    const index = zvec - this.#base[sel][zn];
    if (index < 0 || index >= MAX_ALPHA) throw new Bzip2DataError();
    this.#groupNo = groupNo;
    this.#groupPos = groupPos - 1;
    return this.#perm[sel][index];
  }

  /** The symbols of the block up to its end-of-block, one at a time. */
  #readSymbols(): void {
    const nblockMax = 100000 * this.#blockSize100k;
    for (;;) {
      const pos = this.#pos;
      const buff = this.#bsBuff;
      const live = this.#bsLive;
      let sym: number;
      try {
        sym = this.#decodeSymbol();
      } catch (err) {
        // Only this symbol is read again: the ones before it are done with.
        if (err === NEED_INPUT) {
          this.#pos = pos;
          this.#bsBuff = buff;
          this.#bsLive = live;
        }
        throw err;
      }
      if (this.#inRun) {
        if (sym === RUNA || sym === RUNB) {
          if (this.#runN >= 2 * 1024 * 1024) throw new Bzip2DataError();
          this.#es += (sym + 1) * this.#runN;
          this.#runN *= 2;
          continue;
        }
        this.#inRun = false;
        const es = this.#es + 1;
        const uc = this.#seqToUnseq[this.#mtfa[this.#mtfbase[0]]];
        this.#unzftab[uc] += es;
        for (let k = 0; k < es; k++) {
          if (this.#nblock >= nblockMax) throw new Bzip2DataError();
          this.#tt[this.#nblock++] = uc;
        }
      }
      if (sym === this.#eob) return this.#endBlock();
      if (sym === RUNA || sym === RUNB) {
        this.#inRun = true;
        this.#es = sym;
        this.#runN = 2;
        continue;
      }
      if (this.#nblock >= nblockMax) throw new Bzip2DataError();
      const uc = this.#mtf(sym - 1);
      this.#unzftab[this.#seqToUnseq[uc]]++;
      this.#tt[this.#nblock++] = this.#seqToUnseq[uc];
    }
  }

  /** libbzip2's two-level move-to-front of symbol `nn`. */
  #mtf(nn: number): number {
    const mtfa = this.#mtfa;
    const mtfbase = this.#mtfbase;
    if (nn < 16) {
      const pp = mtfbase[0];
      const uc = mtfa[pp + nn];
      for (; nn > 0; nn--) mtfa[pp + nn] = mtfa[pp + nn - 1];
      mtfa[pp] = uc;
      return uc;
    }
    let lno = nn >> 4;
    let pp = mtfbase[lno] + (nn & 15);
    const uc = mtfa[pp];
    for (; pp > mtfbase[lno]; pp--) mtfa[pp] = mtfa[pp - 1];
    mtfbase[lno]++;
    for (; lno > 0; lno--) {
      mtfbase[lno]--;
      mtfa[mtfbase[lno]] = mtfa[mtfbase[lno - 1] + 15];
    }
    mtfbase[0]--;
    mtfa[mtfbase[0]] = uc;
    if (mtfbase[0] === 0) {
      let kk = 4095;
      for (let ii = 15; ii >= 0; ii--) {
        for (let jj = 15; jj >= 0; jj--) mtfa[kk--] = mtfa[mtfbase[ii] + jj];
        mtfbase[ii] = kk + 1;
      }
    }
    return uc;
  }

  #endBlock(): void {
    const nblock = this.#nblock;
    if (this.#origPtr >= nblock) throw new Bzip2DataError();
    for (let i = 0; i <= 255; i++) {
      if (this.#unzftab[i] < 0 || this.#unzftab[i] > nblock) throw new Bzip2DataError();
    }
    const cftab = new Int32Array(257);
    for (let i = 1; i <= 256; i++) cftab[i] = cftab[i - 1] + this.#unzftab[i - 1];
    for (let i = 0; i <= 256; i++) {
      if (cftab[i] < 0 || cftab[i] > nblock) throw new Bzip2DataError();
    }
    const tt = this.#tt;
    for (let i = 0; i < nblock; i++) {
      const uc = tt[i] & 0xff;
      tt[cftab[uc]] |= i << 8;
      cftab[uc]++;
    }
    this.#outLen = 0;
    this.#outCh = 0;
    this.#blockCrc = 0xffffffff;
    this.#tPos = tt[this.#origPtr] >>> 8;
    this.#nblockUsed = 0;
    this.#state = "output";
    this.#rNToGo = 0;
    this.#rTPos = 0;
    this.#k0 = this.#next(); // tPos < nblock here, so never out of range
    this.#nblockUsed++;
  }

  #readEnd(): void {
    for (const expected of [0x72, 0x45, 0x38, 0x50, 0x90]) {
      if (this.#bits(8) !== expected) throw new Bzip2DataError();
    }
    this.#storedCombinedCrc = this.#uint32();
    if (this.#storedCombinedCrc !== this.#combinedCrc) throw new Bzip2DataError();
    this.#state = "end";
    this.eof = true;
  }

  /** BZ_GET_FAST (with BZ_RAND_UPD_MASK in a randomised block), or -1 when corrupt. */
  #next(): number {
    if (this.#tPos >= 100000 * this.#blockSize100k) return -1;
    this.#tPos = this.#tt[this.#tPos];
    let c = this.#tPos & 0xff;
    this.#tPos >>>= 8;
    if (this.#randomised) {
      if (this.#rNToGo === 0) {
        this.#rNToGo = RNUMS[this.#rTPos];
        if (++this.#rTPos === 512) this.#rTPos = 0;
      }
      this.#rNToGo--;
      c ^= this.#rNToGo === 1 ? 1 : 0;
    }
    return c;
  }

  #emit(out: Output, ch: number): void {
    out.push(ch);
    this.#blockCrc = ((this.#blockCrc << 8) ^ CRC_TABLE[(this.#blockCrc >>> 24) ^ ch]) >>> 0;
  }

  /** unRLE_obuf_to_output_FAST(): writes the block until it or the output buffer ends. */
  #unRle(out: Output): void {
    if (this.#randomised) return this.#unRleRandomised(out);
    const end = this.#nblock + 1;
    let eqOne = false;
    for (;;) {
      if (eqOne || this.#outLen > 0) {
        if (!eqOne) {
          for (;;) {
            if (out.full) return;
            if (this.#outLen === 1) break;
            this.#emit(out, this.#outCh);
            this.#outLen--;
          }
        }
        eqOne = false;
        if (out.full) {
          this.#outLen = 1;
          return;
        }
        this.#emit(out, this.#outCh);
      }
      if (this.#nblockUsed > end) throw new Bzip2DataError();
      if (this.#nblockUsed === end) {
        this.#outLen = 0;
        return;
      }
      this.#outCh = this.#k0;
      let k1 = this.#fetch();
      if (k1 !== this.#k0) {
        this.#k0 = k1;
        eqOne = true;
        continue;
      }
      if (this.#nblockUsed === end) {
        eqOne = true;
        continue;
      }
      this.#outLen = 2;
      k1 = this.#fetch();
      if (this.#nblockUsed === end) continue;
      if (k1 !== this.#k0) {
        this.#k0 = k1;
        continue;
      }
      this.#outLen = 3;
      k1 = this.#fetch();
      if (this.#nblockUsed === end) continue;
      if (k1 !== this.#k0) {
        this.#k0 = k1;
        continue;
      }
      this.#outLen = this.#fetch() + 4;
      this.#k0 = this.#fetch();
    }
  }

  #fetch(): number {
    const c = this.#next();
    if (c < 0) throw new Bzip2DataError();
    this.#nblockUsed++;
    return c;
  }

  /** The randomised-block branch of unRLE_obuf_to_output_FAST(). */
  #unRleRandomised(out: Output): void {
    const end = this.#nblock + 1;
    for (;;) {
      for (;;) {
        if (out.full) return;
        if (this.#outLen === 0) break;
        this.#emit(out, this.#outCh);
        this.#outLen--;
      }
      if (this.#nblockUsed === end) return;
      if (this.#nblockUsed > end) throw new Bzip2DataError();
      this.#outLen = 1;
      this.#outCh = this.#k0;
      let run = true;
      for (const len of [2, 3]) {
        const k1 = this.#fetch();
        if (this.#nblockUsed === end || k1 !== this.#k0) {
          if (this.#nblockUsed !== end) this.#k0 = k1;
          run = false;
          break;
        }
        this.#outLen = len;
      }
      if (!run) continue;
      const k1 = this.#fetch();
      if (this.#nblockUsed === end) continue;
      if (k1 !== this.#k0) {
        this.#k0 = k1;
        continue;
      }
      this.#outLen = this.#fetch() + 4;
      this.#k0 = this.#fetch();
    }
  }
}

/** BZ2_hbCreateDecodeTables(). */
function createDecodeTables(
  limit: Int32Array,
  base: Int32Array,
  perm: Int32Array,
  length: Uint8Array,
  minLen: number,
  maxLen: number,
  alphaSize: number,
): void {
  let pp = 0;
  for (let i = minLen; i <= maxLen; i++) {
    for (let j = 0; j < alphaSize; j++) if (length[j] === i) perm[pp++] = j;
  }
  base.fill(0);
  for (let i = 0; i < alphaSize; i++) base[length[i] + 1]++;
  for (let i = 1; i < MAX_CODE_LEN; i++) base[i] += base[i - 1];
  limit.fill(0);
  let vec = 0;
  for (let i = minLen; i <= maxLen; i++) {
    vec += base[i + 1] - base[i];
    limit[i] = vec - 1;
    vec <<= 1;
  }
  for (let i = minLen + 1; i <= maxLen; i++) base[i] = ((limit[i - 1] + 1) << 1) - base[i];
}

/** One call's output, in CPython's growing blocks. */
class Output {
  #chunks: Uint8Array[] = [];
  #current = new Uint8Array(OUTPUT_BLOCKS[0]);
  #used = 0;

  get full(): boolean {
    return this.#used === this.#current.length;
  }

  push(byte: number): void {
    this.#current[this.#used++] = byte;
  }

  grow(): void {
    this.#chunks.push(this.#current);
    const size = OUTPUT_BLOCKS[Math.min(this.#chunks.length, OUTPUT_BLOCKS.length - 1)];
    this.#current = new Uint8Array(size);
    this.#used = 0;
  }

  bytes(): Uint8Array {
    const total = this.#chunks.reduce((n, c) => n + c.length, 0) + this.#used;
    const out = new Uint8Array(total);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    out.set(this.#current.subarray(0, this.#used), at);
    return out;
  }
}

/**
 * bz2.decompress(): every stream of `data` in turn; data after the first stream that is not
 * a valid stream is ignored, a stream cut short is an error.
 */
export function bzip2Decompress(data: Uint8Array): Uint8Array {
  const results: Uint8Array[] = [];
  let rest = data;
  while (rest.length) {
    const decompressor = new Bzip2Decompressor();
    let result: Uint8Array;
    try {
      result = decompressor.decompress(rest);
    } catch (err) {
      if (err instanceof Bzip2DataError && results.length) break;
      throw err;
    }
    results.push(result);
    if (!decompressor.eof) {
      throw new Bzip2EOFError(
        "Compressed data ended before the end-of-stream marker was reached",
      );
    }
    rest = decompressor.unusedData;
  }
  const out = new Uint8Array(results.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of results) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}

/**
 * Decompresses a byte stream of one or more bzip2 streams as BZ2File reads a file: data
 * after a complete stream that does not start a valid stream ends the output, input that
 * ends inside a stream is an error.
 */
export class Bzip2DecompressionStream extends TransformStream<Uint8Array, Uint8Array> {
  constructor() {
    let decompressor = new Bzip2Decompressor();
    let done = false;
    const feed = (chunk: Uint8Array, controller: TransformStreamDefaultController<Uint8Array>) => {
      while (chunk.length && !done) {
        let fresh = false;
        if (decompressor.eof) {
          decompressor = new Bzip2Decompressor();
          fresh = true;
        }
        let out: Uint8Array;
        try {
          out = decompressor.decompress(chunk);
        } catch (err) {
          // BZ2File: a later stream that does not even start right is trailing garbage.
          if (err instanceof Bzip2DataError && fresh) {
            done = true;
            return;
          }
          throw err;
        }
        if (out.length) controller.enqueue(out);
        chunk = decompressor.eof ? decompressor.unusedData : new Uint8Array(0);
      }
    };
    super({
      transform: (chunk, controller) => feed(chunk, controller),
      flush: (controller) => {
        if (done || decompressor.eof) return;
        // Output CPython held back for want of input comes out without more input.
        for (let out = decompressor.decompress(new Uint8Array(0)); out.length;) {
          controller.enqueue(out);
          if (decompressor.eof) return;
          out = decompressor.decompress(new Uint8Array(0));
        }
        if (!decompressor.eof) {
          throw new Bzip2EOFError(
            "Compressed file ended before the end-of-stream marker was reached",
          );
        }
      },
    });
  }
}
