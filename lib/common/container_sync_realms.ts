/**
 * container-sync-realms.conf (swift/common/container_sync_realms.py, Swift 2.30): the realms a
 * cluster syncs containers with, their keys and cluster endpoints, and the HMAC-SHA1 signature
 * of a sync request, for the container_sync filter (X-Container-Sync-Auth, /info). It lives
 * in lib/common because the container server reads the same file (lib/container/sync_to.ts
 * has its own, key-only reader for now).
 *
 * As in Swift, the file's mtime is checked at most every mtime_check_interval seconds (300,
 * or [DEFAULT] mtime_check_interval), so an edited file is picked up within that time without
 * a restart; [DEFAULT] keys show up in every realm, as ConfigParser.items() gives them.
 *
 * Deviations: the file is parsed by lib/config/ini.ts, whose interpolation is Swift's
 * NicerInterpolation (only values containing `%(` are interpolated), so `%%` outside such a
 * value stays `%%` where Swift's plain ConfigParser would read `%`; and duplicate sections or
 * keys are logged as a load error instead of escaping as an exception.
 */
import { createHmac } from "node:crypto";
import { IniDocument } from "../config/ini.ts";
import { encodeLatin1, encodeUtf8 } from "./python_codecs.ts";
import { pyRepr } from "./python_repr.ts";

/** What the realms log through (SwiftLogger fits). */
export interface RealmsLogger {
  debug(message: string): void;
  error(message: string): void;
}

interface Realm {
  key?: string;
  key2?: string;
  /** Cluster name (upper case) -> endpoint, in file order. */
  clusters: Map<string, string>;
}

const DEFAULT_INTERVAL = 300;

/** Python's float() of a config value, or undefined where it raises ValueError. */
function pyFloat(raw: string): number | undefined {
  const text = raw.trim();
  if (/^[+-]?(inf|infinity|nan)$/i.test(text)) {
    return /nan/i.test(text) ? NaN : text.startsWith("-") ? -Infinity : Infinity;
  }
  if (!/^[+-]?(\d+(_\d+)*)?(\.(\d+(_\d+)*)?)?([eE][+-]?\d+(_\d+)*)?$/.test(text)) return undefined;
  if (!/\d/.test(text.split(/[eE]/)[0])) return undefined;
  return Number(text.replaceAll("_", ""));
}

/** The realms of container-sync-realms.conf, reloaded when the file changes. */
export class ContainerSyncRealms {
  readonly #path: string;
  readonly #logger: RealmsLogger;
  readonly #clock: () => number;
  #nextMtimeCheck = 0;
  #mtimeCheckInterval = DEFAULT_INTERVAL;
  #mtime = 0;
  #data = new Map<string, Realm>();

  /** Reads `path` now; `clock` gives seconds since the epoch (time.time()). */
  constructor(
    path: string,
    logger: RealmsLogger,
    options: { readonly clock?: () => number } = {},
  ) {
    this.#path = path;
    this.#logger = logger;
    this.#clock = options.clock ?? (() => Date.now() / 1000);
    this.reload();
  }

  /** Forces a reload of the file. */
  reload(): void {
    this.#nextMtimeCheck = 0;
    this.#mtime = 0;
    this.#reload();
  }

  #reload(): void {
    const now = this.#clock();
    if (now < this.#nextMtimeCheck) return;
    this.#nextMtimeCheck = now + this.#mtimeCheckInterval;
    let mtime: number;
    try {
      mtime = (Deno.statSync(this.#path).mtime?.getTime() ?? 0) / 1000;
    } catch (err) {
      // A missing file means no realms (a cluster that does not sync), not a fault.
      const missing = err instanceof Deno.errors.NotFound;
      const reason = missing
        ? `[Errno 2] No such file or directory: ${pyRepr(this.#path)}`
        : (err as Error).message;
      const message = `Could not load ${pyRepr(this.#path)}: ${reason}`;
      if (missing) this.#logger.debug(message);
      else this.#logger.error(message);
      return;
    }
    if (mtime === this.#mtime) return;
    this.#mtime = mtime;
    const doc = new IniDocument({ lowercaseKeys: true });
    try {
      // ConfigParser.read() skips a file it cannot open.
      let text = "";
      try {
        text = Deno.readTextFileSync(this.#path);
      } catch { /* read as empty */ }
      doc.read(text, this.#path);
    } catch (err) {
      this.#logger.error(`Could not load ${pyRepr(this.#path)}: ${(err as Error).message}`);
      return;
    }
    const interval = doc.defaultKeys().includes("mtime_check_interval")
      ? doc.get("DEFAULT", "mtime_check_interval").value
      : undefined;
    if (interval === undefined) {
      this.#mtimeCheckInterval = DEFAULT_INTERVAL;
      this.#nextMtimeCheck = now + DEFAULT_INTERVAL;
    } else {
      const value = pyFloat(interval);
      if (value === undefined) {
        this.#logger.error(
          `Error in ${pyRepr(this.#path)} with mtime_check_interval: could not convert ` +
            `string to float: ${pyRepr(interval)}`,
        );
      } else {
        this.#mtimeCheckInterval = value;
        this.#nextMtimeCheck = now + value;
      }
    }
    const realms = new Map<string, Realm>();
    for (const section of doc.sections()) {
      const realm: Realm = { clusters: new Map() };
      for (const [option, { value }] of doc.items(section)) {
        if (option === "key" || option === "key2") realm[option] = value;
        else if (option.startsWith("cluster_")) {
          realm.clusters.set(option.slice(8).toUpperCase(), value);
        }
      }
      realms.set(section.toUpperCase(), realm);
    }
    this.#data = realms;
  }

  /** The realm names (upper case), in file order. */
  realms(): string[] {
    this.#reload();
    return [...this.#data.keys()];
  }

  /** The realm's key, if the realm exists and sets one. */
  key(realm: string): string | undefined {
    this.#reload();
    return this.#data.get(realm.toUpperCase())?.key;
  }

  /** The realm's second key (for key rotation), if any. */
  key2(realm: string): string | undefined {
    this.#reload();
    return this.#data.get(realm.toUpperCase())?.key2;
  }

  /** The realm's cluster names (upper case), in file order; [] for an unknown realm. */
  clusters(realm: string): string[] {
    this.#reload();
    return [...(this.#data.get(realm.toUpperCase())?.clusters.keys() ?? [])];
  }

  /** The endpoint of `cluster` in `realm`. */
  endpoint(realm: string, cluster: string): string | undefined {
    this.#reload();
    return this.#data.get(realm.toUpperCase())?.clusters.get(cluster.toUpperCase());
  }
}

/**
 * get_valid_utf8_str() of a WSGI or native string: its UTF-8 bytes, each lone surrogate
 * replaced by "?" (Python's 'replace' handler on encode).
 */
function validUtf8(text: string): Uint8Array {
  return encodeUtf8(
    text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "?"),
  );
}

/** Python's str.encode('ascii'): throws where Swift would raise UnicodeEncodeError. */
function ascii(text: string): Uint8Array {
  // deno-lint-ignore no-control-regex
  if (!/^[\x00-\x7f]*$/.test(text)) {
    throw new RangeError(`'ascii' codec can't encode ${pyRepr(text)}`);
  }
  return encodeLatin1(text);
}

/**
 * ContainerSyncRealms.get_sig(): hex HMAC-SHA1 under `realmKey` of
 * "METHOD\nPATH\nX-TIMESTAMP\nNONCE\nUSER-KEY", `path` being the quoted request path.
 */
export function containerSyncSig(
  method: string,
  path: string,
  xTimestamp: string,
  nonce: string,
  realmKey: string,
  userKey: string,
): string {
  const nl = Uint8Array.of(0x0a);
  return createHmac("sha1", validUtf8(realmKey))
    .update(ascii(method)).update(nl)
    .update(encodeUtf8(path, "surrogateescape")).update(nl)
    .update(ascii(xTimestamp)).update(nl)
    .update(validUtf8(nonce)).update(nl)
    .update(validUtf8(userKey))
    .digest("hex");
}
