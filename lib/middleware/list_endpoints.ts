/**
 * egg:swift#list_endpoints (swift/common/middleware/list_endpoints.py, Swift 2.30): answers
 * GET <list_endpoints_path>[v1/|v2/]<account>[/<container>[/<object>]] with the URLs of the
 * primary storage nodes holding it (`http://ip:port/device/partition/a/c/o`), from the rings,
 * for services inside the cluster that want data locality (Hadoop and the like). v1 (also
 * the default when no version is given) answers a JSON list; v2 a JSON object with the list
 * under "endpoints" and, for objects, the X-Backend-Storage-Policy-Index to send under
 * "headers". The answer is not authenticated: keep such proxies off untrusted networks.
 *
 * An object's policy comes from get_container_info() of a fresh request (no infocache, no
 * memcached: Swift builds a new environ) with swift.source "LE"; an unknown policy is a 500,
 * as in Swift. swift.conf is read from swift_dir (Swift reads /etc/swift/swift.conf).
 */
import { loadSwiftConf } from "../common/swift_conf.ts";
import { pyRepr } from "../common/python_repr.ts";
import type { StoragePolicies } from "../common/storage_policy.ts";
import { optionsOf, type StageConfig } from "../config/load.ts";
import { LIST_ENDPOINTS_FILTER } from "../config/options/list_endpoints.ts";
import { Ring, type RingOptions } from "../ring/ring.ts";
import { HttpError } from "../server/http_error.ts";
import type { Filter } from "./compose.ts";
import { containerInfo, pathInfo, splitPath } from "./_info_lookup.ts";
import { pythonJsonDumps } from "../common/python_json.ts";
import { wsgiQuote } from "./recon/request_path.ts";

/** The parsed request: response version (1 or 2) and the unquoted names. */
export interface EndpointsPath {
  readonly version: number;
  readonly account: string;
  readonly container?: string;
  readonly obj?: string;
}

const PY_FLOAT =
  /^[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*(?:[eE][+-]?\d+(?:_\d+)*)?|\d+(?:_\d+)*\.)$/;

/** _parse_version(): 1 or 2 from "v1", "2.0", "v1.0"...; undefined for anything else. */
function parseVersion(raw: string): number | undefined {
  const text = raw.replace(/^v+/, "").trim();
  if (!PY_FLOAT.test(text)) return undefined;
  const value = Number(text.replaceAll("_", ""));
  return value === 1 || value === 2 ? value : undefined;
}

function segments(path: string, min: number, max: number): (string | undefined)[] {
  try {
    return splitPath(path, min, max, true);
  } catch {
    throw new RangeError("No account specified");
  }
}

/**
 * _parse_path() of the quoted path after the prefix (starting with "/"): throws RangeError
 * with the 400 body. A first segment that is no version is taken as the account, unless it
 * looks like one ("v" and no "_").
 */
export function parseEndpointsPath(clean: string): EndpointsPath {
  const [rawVersion, rest] = segments(clean, 1, 2) as [string, string | undefined];
  let version = parseVersion(rawVersion);
  let names: string;
  if (version === undefined) {
    if (rawVersion.startsWith("v") && !rawVersion.includes("_")) {
      throw new RangeError(`Unsupported version ${pyRepr(rawVersion)}`);
    }
    version = 1;
    names = clean;
  } else {
    names = rest ? `/${rest}` : "/";
  }
  const [account, container, obj] = segments(names, 1, 3).map((s) =>
    s === undefined ? undefined : unquote(s)
  );
  return { version, account: account!, container, obj };
}

/** urllib.parse.unquote(): %XX runs read as UTF-8, invalid bytes as U+FFFD. */
function unquote(text: string): string {
  return text.replace(
    /(?:%[0-9a-fA-F]{2})+/g,
    (run) =>
      new TextDecoder().decode(
        Uint8Array.from(run.slice(1).split("%"), (hex) => parseInt(hex, 16)),
      ),
  );
}

/** urllib.parse.quote(): UTF-8 bytes outside letters, digits, "_.-~/" as %XX. */
function quote(text: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~\/-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The rings of a cluster, object rings loaded on first use as POLICIES.get_object_ring(). */
class Rings {
  readonly account: Ring;
  readonly container: Ring;
  readonly #objects = new Map<number, Ring>();
  readonly #dir: string;
  readonly #hash: Pick<RingOptions, "hashPathPrefix" | "hashPathSuffix">;
  readonly #policies: StoragePolicies;

  constructor(swiftDir: string) {
    const conf = loadSwiftConf(swiftDir);
    this.#dir = swiftDir;
    this.#hash = { hashPathPrefix: conf.hashPath.prefix, hashPathSuffix: conf.hashPath.suffix };
    this.#policies = conf.policies;
    this.account = new Ring(swiftDir, { ...this.#hash, ringName: "account" });
    this.container = new Ring(swiftDir, { ...this.#hash, ringName: "container" });
  }

  object(index: number): Ring {
    const policy = this.#policies.get(index);
    if (!policy) throw new Error(`No policy with index ${index}`);
    let ring = this.#objects.get(policy.index);
    if (!ring) {
      ring = new Ring(this.#dir, { ...this.#hash, ringName: policy.ringName });
      this.#objects.set(policy.index, ring);
    }
    return ring;
  }
}

/** Builds the list_endpoints filter; the account and container rings must exist. */
export function listEndpointsFilter(stage: StageConfig): Filter {
  const options = optionsOf(stage, LIST_ENDPOINTS_FILTER);
  const prefix = options.list_endpoints_path.endsWith("/")
    ? options.list_endpoints_path
    : `${options.list_endpoints_path}/`;
  const rings = new Rings(options.swift_dir);
  return (next) =>
    async function listEndpoints(req, ctx) {
      const path = wsgiQuote(pathInfo(req));
      if (!path.startsWith(prefix)) return await next(req, ctx);
      if (req.method !== "GET") {
        throw new HttpError(
          405,
          "<html><h1>Method Not Allowed</h1><p>The method is not allowed for this resource.</p></html>",
          { Allow: "GET" },
        );
      }
      let parsed: EndpointsPath;
      try {
        parsed = parseEndpointsPath(path.slice(prefix.length - 1));
      } catch (err) {
        throw new HttpError(400, (err as Error).message);
      }
      const { account, container, obj } = parsed;
      let policyIndex: number | undefined;
      let located: { part: number; nodes: { ip: string; port: number; device: string }[] };
      let names = quote(account);
      if (obj !== undefined) {
        // Swift puts the unquoted names in PATH_INFO, a WSGI string: beyond latin-1 that
        // fails (a 500), within it each char stands for one byte.
        const wsgi = `/v1/${account}/${container}`;
        if ([...wsgi].some((c) => c.charCodeAt(0) > 0xff)) {
          throw new Error(`Expected a WSGI string; got ${pyRepr(wsgi)}`);
        }
        // Swift's fresh environ has no Host either; swob's Request.blank() then sends its
        // default one.
        const blank = new Request(new URL("/", req.url), { headers: { Host: "localhost:80" } });
        const fresh = { ...ctx, env: {} };
        const info = await containerInfo({ next, req: blank, ctx: fresh, source: "LE" }, wsgi);
        policyIndex = info.storage_policy as number;
        located = rings.object(policyIndex).getNodes(account, container!, obj);
        names += `/${quote(container!)}/${quote(obj)}`;
      } else if (container !== undefined) {
        located = rings.container.getNodes(account, container);
        names += `/${quote(container)}`;
      } else {
        located = rings.account.getNodes(account);
      }
      const endpoints = located.nodes.map((node) =>
        `http://${node.ip}:${node.port}/${node.device}/${located.part}/${names}`
      );
      const body = parsed.version === 1 ? pythonJsonDumps(endpoints) : pythonJsonDumps(
        new Map<string, string[] | Map<string, string>>([
          ["endpoints", endpoints],
          [
            "headers",
            new Map(
              policyIndex === undefined
                ? []
                : [["X-Backend-Storage-Policy-Index", String(policyIndex)]],
            ),
          ],
        ]),
      );
      return new Response(body, {
        status: 200,
        headers: { "Content-Type": "application/json", "Content-Length": String(body.length) },
      });
    };
}
