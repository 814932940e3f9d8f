/**
 * The consistent hashing of Swift's MemcacheRing: which memcached server holds a key, and
 * which ones to try next. Placement must match Swift's exactly, or a Swift proxy and swiftd
 * sharing a memcached pool would miss each other's entries (tempauth tokens, info dicts).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { encodeUtf8 } from "../python_codecs.ts";

/** Points each server gets on the ring (swift.common.memcached.NODE_WEIGHT). */
export const NODE_WEIGHT = 50;

/** A cache key as Swift accepts it: text (UTF-8, surrogateescape) or bytes. */
export type MemcacheKey = string | Uint8Array;

/**
 * swift.common.memcached.md5hash(): the lower-case hex md5 of the key's UTF-8 bytes
 * (surrogateescape, so keys Swift built from undecodable paths hash alike). Every key is
 * stored under this digest, and the ring is searched with it.
 */
export function md5hash(key: MemcacheKey): string {
  const bytes = typeof key === "string" ? encodeUtf8(key, "surrogateescape") : key;
  return createHash("md5").update(bytes).digest("hex");
}

/** Python's str ordering (by code point), which sorted() applies to the server names. */
function byCodePoint(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

/** bisect.bisect_right(): the index after the last element <= `value`. */
function bisectRight(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value < sorted[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The md5 ring of MemcacheRing.__init__ and the walk of MemcacheRing._get_conns(). */
export class HashRing {
  readonly #points = new Map<string, string>();
  readonly #sorted: readonly string[];

  /** Puts NODE_WEIGHT points per server on the ring, at md5hash(`${server}-${i}`). */
  constructor(servers: readonly string[]) {
    // Swift fills a dict in sorted server order, so on a digest collision the later name wins.
    for (const server of [...servers].sort(byCodePoint)) {
      for (let i = 0; i < NODE_WEIGHT; i++) this.#points.set(md5hash(`${server}-${i}`), server);
    }
    // Hex digests are ASCII, so JS string order is Python's bytes order.
    this.#sorted = [...this.#points.keys()].sort();
  }

  /**
   * The servers to try for a hashed key, in order, without repeats, at most `tries` of them.
   * Swift starts one point *after* bisect_right(key); keeping that quirk is what makes the
   * first server the same as Swift's.
   */
  *serversFor(hashedKey: string, tries: number): Generator<string> {
    const distinct = new Set(this.#points.values()).size;
    // Swift loops forever when `tries` exceeds the distinct servers (a name listed twice);
    // stopping after each distinct server once is the only outcome that loop could mean.
    const limit = Math.min(tries, distinct);
    const served = new Set<string>();
    let pos = bisectRight(this.#sorted, hashedKey);
    while (served.size < limit) {
      pos = (pos + 1) % this.#sorted.length;
      const server = this.#points.get(this.#sorted[pos])!;
      if (served.has(server)) continue;
      served.add(server);
      yield server;
    }
  }
}
