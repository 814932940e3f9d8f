/**
 * MD5 of object data, as every PUT computes it (the ETag) and every whole GET checks it.
 *
 * It is most of a large object's CPU cost, and node:crypto's MD5 (Rust, without assembly)
 * runs at about 75% of OpenSSL's, which Swift's hashlib uses: on the bench machine 440 MiB/s
 * against 560. So OpenSSL's libcrypto is called through FFI when the system has one (every
 * distribution that ships Python or OpenSSH does), and node:crypto otherwise. Both give the
 * same digest; only the speed differs.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";

/** An incremental MD5. */
export interface Md5 {
  /** Adds `data` to the digest. */
  update(data: Uint8Array): void;
  /** The digest of everything added, as lower-case hex; the hash cannot be used afterwards. */
  digestHex(): string;
  /** An independent hash in the same state (for a digest before the end). */
  copy(): Md5;
}

const SYMBOLS = {
  EVP_md5: { parameters: [], result: "pointer" },
  EVP_MD_CTX_new: { parameters: [], result: "pointer" },
  EVP_MD_CTX_free: { parameters: ["pointer"], result: "void" },
  EVP_MD_CTX_copy_ex: { parameters: ["pointer", "pointer"], result: "i32" },
  EVP_DigestInit_ex: { parameters: ["pointer", "pointer", "pointer"], result: "i32" },
  EVP_DigestUpdate: { parameters: ["pointer", "buffer", "usize"], result: "i32" },
  EVP_DigestFinal_ex: { parameters: ["pointer", "buffer", "pointer"], result: "i32" },
} as const;

type Crypto = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** libcrypto's symbols, or null when it cannot be loaded (then node:crypto is used). */
let libcrypto: { symbols: Crypto; md5: Deno.PointerValue } | null | undefined;

function openssl(): { symbols: Crypto; md5: Deno.PointerValue } | null {
  if (libcrypto !== undefined) return libcrypto;
  libcrypto = null;
  for (const name of ["libcrypto.so.3", "libcrypto.so"]) {
    try {
      const { symbols } = Deno.dlopen(name, SYMBOLS);
      const md5 = symbols.EVP_md5();
      if (md5 !== null) {
        libcrypto = { symbols, md5 };
        break;
      }
    } catch {
      // Not this soname (or no libcrypto at all): try the next, then node:crypto.
    }
  }
  return libcrypto;
}

/** Contexts not finalized (an aborted upload) are freed when their hash is collected. */
const contexts = new FinalizationRegistry<Deno.PointerObject>((ctx) => {
  libcrypto?.symbols.EVP_MD_CTX_free(ctx);
});

class OpensslMd5 implements Md5 {
  readonly #crypto: Crypto;
  #ctx: Deno.PointerObject | null;

  constructor(crypto: Crypto, ctx: Deno.PointerObject) {
    this.#crypto = crypto;
    this.#ctx = ctx;
    contexts.register(this, ctx, this);
  }

  #context(): Deno.PointerObject {
    if (this.#ctx === null) throw new Error("MD5 already finalized");
    return this.#ctx;
  }

  update(data: Uint8Array): void {
    if (data.length === 0) return;
    // FFI buffers must be backed by an ArrayBuffer; copy views of shared memory.
    const bytes = data.buffer instanceof ArrayBuffer
      ? data as Uint8Array<ArrayBuffer>
      : new Uint8Array(data);
    if (this.#crypto.EVP_DigestUpdate(this.#context(), bytes, BigInt(bytes.length)) !== 1) {
      throw new Error("EVP_DigestUpdate(MD5) failed");
    }
  }

  digestHex(): string {
    const ctx = this.#context();
    const out = new Uint8Array(16);
    const ok = this.#crypto.EVP_DigestFinal_ex(ctx, out, null);
    this.#ctx = null;
    contexts.unregister(this);
    this.#crypto.EVP_MD_CTX_free(ctx);
    if (ok !== 1) throw new Error("EVP_DigestFinal_ex(MD5) failed");
    let hex = "";
    for (const byte of out) hex += byte.toString(16).padStart(2, "0");
    return hex;
  }

  copy(): Md5 {
    const ctx = this.#crypto.EVP_MD_CTX_new();
    if (ctx === null) throw new Error("EVP_MD_CTX_new() failed");
    if (this.#crypto.EVP_MD_CTX_copy_ex(ctx, this.#context()) !== 1) {
      this.#crypto.EVP_MD_CTX_free(ctx);
      throw new Error("EVP_MD_CTX_copy_ex(MD5) failed");
    }
    return new OpensslMd5(this.#crypto, ctx);
  }
}

class NodeMd5 implements Md5 {
  readonly #hash: Hash;

  constructor(hash: Hash = createHash("md5")) {
    this.#hash = hash;
  }

  update(data: Uint8Array): void {
    this.#hash.update(data);
  }

  digestHex(): string {
    return this.#hash.digest("hex");
  }

  copy(): Md5 {
    return new NodeMd5(this.#hash.copy());
  }
}

/** A new MD5, through OpenSSL when available. */
export function createMd5(): Md5 {
  const lib = openssl();
  if (lib) {
    const ctx = lib.symbols.EVP_MD_CTX_new();
    if (ctx !== null && lib.symbols.EVP_DigestInit_ex(ctx, lib.md5, null) === 1) {
      return new OpensslMd5(lib.symbols, ctx);
    }
    if (ctx !== null) lib.symbols.EVP_MD_CTX_free(ctx);
  }
  return new NodeMd5();
}

/** node:crypto's MD5 whatever the system has (tests compare both implementations). */
export function createNodeMd5(): Md5 {
  return new NodeMd5();
}
