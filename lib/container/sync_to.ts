/**
 * X-Container-Sync-To validation (swift.common.utils.validate_sync_to) against the realms of
 * container-sync-realms.conf (swift.common.container_sync_realms) or, for a plain URL, the
 * allowed_sync_hosts option. The server answers 400 with the message when it fails.
 */
import { IniDocument } from "../config/ini.ts";
import { pyRepr } from "../common/python_repr.ts";
import type { SwiftLogger } from "../log/logger.ts";

interface Realm {
  readonly key?: string;
  readonly clusters: ReadonlyMap<string, string>;
}

/** The realms of container-sync-realms.conf, reread whenever the file changes. */
export class SyncRealms {
  readonly #path: string;
  readonly #logger: SwiftLogger;
  #mtime: number | null = null;
  #realms = new Map<string, Realm>();

  constructor(path: string, logger: SwiftLogger) {
    this.#path = path;
    this.#logger = logger;
  }

  // Swift checks the mtime every mtime_check_interval seconds; a stat per validation is cheap
  // enough here and picks changes up sooner.
  #reload(): void {
    let mtime: number;
    try {
      mtime = Deno.statSync(this.#path).mtime?.getTime() ?? 0;
    } catch (err) {
      const message = `Could not load '${this.#path}': ${(err as Error).message}`;
      if (err instanceof Deno.errors.NotFound) this.#logger.debug(message);
      else this.#logger.error(message);
      return;
    }
    if (mtime === this.#mtime) return;
    this.#mtime = mtime;
    const doc = new IniDocument({ lowercaseKeys: true });
    try {
      doc.read(Deno.readTextFileSync(this.#path), this.#path);
    } catch (err) {
      this.#logger.error(`Could not load '${this.#path}': ${(err as Error).message}`);
      return;
    }
    const realms = new Map<string, Realm>();
    for (const section of doc.sections()) {
      let key: string | undefined;
      const clusters = new Map<string, string>();
      for (const [option, value] of doc.items(section)) {
        if (option === "key") key = value.value;
        else if (option.startsWith("cluster_")) {
          clusters.set(option.slice(8).toUpperCase(), value.value);
        }
      }
      realms.set(section.toUpperCase(), { key, clusters });
    }
    this.#realms = realms;
  }

  /** The realm's key, if the realm exists and has one. */
  key(realm: string): string | undefined {
    this.#reload();
    return this.#realms.get(realm.toUpperCase())?.key;
  }

  /** The endpoint of `cluster` in `realm`. */
  endpoint(realm: string, cluster: string): string | undefined {
    this.#reload();
    return this.#realms.get(realm.toUpperCase())?.clusters.get(cluster.toUpperCase());
  }
}

/** The parts of urllib.parse.urlparse() that validate_sync_to() reads. */
interface ParsedUrl {
  scheme: string;
  netloc: string;
  path: string;
  params: string;
  query: string;
  fragment: string;
}

const SCHEME_CHARS = /^[A-Za-z0-9+\-.]+$/;

/** urllib.parse.urlparse() of Python 3.11. */
function urlparse(raw: string): ParsedUrl {
  // Python 3.11 strips C0 controls and spaces around the URL and drops tabs and newlines.
  // deno-lint-ignore no-control-regex
  let url = raw.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, "").replace(/[\t\r\n]/g, "");
  let scheme = "";
  const colon = url.indexOf(":");
  if (colon > 0 && /^[A-Za-z]/.test(url) && SCHEME_CHARS.test(url.slice(0, colon))) {
    scheme = url.slice(0, colon).toLowerCase();
    url = url.slice(colon + 1);
  }
  let netloc = "";
  if (url.startsWith("//")) {
    const rest = url.slice(2);
    const end = rest.search(/[/?#]/);
    netloc = end < 0 ? rest : rest.slice(0, end);
    url = end < 0 ? "" : rest.slice(end);
  }
  let fragment = "";
  let query = "";
  const hash = url.indexOf("#");
  if (hash >= 0) [url, fragment] = [url.slice(0, hash), url.slice(hash + 1)];
  const mark = url.indexOf("?");
  if (mark >= 0) [url, query] = [url.slice(0, mark), url.slice(mark + 1)];
  let params = "";
  if (["http", "https"].includes(scheme) && url.includes(";")) {
    const at = url.includes("/") ? url.indexOf(";", url.lastIndexOf("/")) : url.indexOf(";");
    if (at >= 0) [url, params] = [url.slice(0, at), url.slice(at + 1)];
  }
  return { scheme, netloc, path: url, params, query, fragment };
}

/** SplitResult.hostname: the netloc's host, lower-cased, without brackets; null when empty. */
function hostnameOf(netloc: string): string | null {
  const host = netloc.slice(netloc.lastIndexOf("@") + 1);
  let name: string;
  if (host.includes("[")) {
    const close = host.indexOf("]");
    name = host.slice(host.indexOf("[") + 1, close < 0 ? undefined : close);
  } else {
    name = host.split(":")[0];
  }
  return name ? name.toLowerCase() : null;
}

/** validate_sync_to(): the error message, or undefined when the value is acceptable. */
export function syncToError(
  value: string,
  allowedHosts: readonly string[],
  realms: SyncRealms,
): string | undefined {
  const original = value;
  value = value.replace(/\/+$/, "");
  if (!value) return undefined;
  if (value.startsWith("//")) {
    const data = value.slice(2).split("/");
    if (data.length !== 4) return `Invalid X-Container-Sync-To format ${pyRepr(original)}`;
    const [realm, cluster] = data;
    if (!realms.key(realm)) return `No realm key for ${pyRepr(realm)}`;
    if (!realms.endpoint(realm, cluster)) {
      return `No cluster endpoint for ${pyRepr(realm)} ${pyRepr(cluster)}`;
    }
    return undefined;
  }
  const p = urlparse(value);
  if (p.scheme !== "http" && p.scheme !== "https") {
    return `Invalid scheme ${pyRepr(p.scheme)} in X-Container-Sync-To, must be "//", "http", ` +
      `or "https".`;
  }
  if (!p.path) return "Path required in X-Container-Sync-To";
  if (p.params || p.query || p.fragment) {
    return "Params, queries, and fragments not allowed in X-Container-Sync-To";
  }
  const host = hostnameOf(p.netloc);
  if (host === null || !allowedHosts.includes(host)) {
    return `Invalid host ${host === null ? "None" : pyRepr(host)} in X-Container-Sync-To`;
  }
  return undefined;
}
