/**
 * Container requests under object versioning (ContainerContext in Swift 2.30's
 * object_versioning.py): X-Versions-Enabled on PUT/POST (creating the hidden
 * `\x00versions\x00<container>` on first use, in the container's policy), DELETE (refused with
 * 409 while versions remain, taking the versions container along), and listings, where version
 * links show their target's size and etag, and `?versions` lists every version.
 */
import { SwobError } from "../../object/swob_status.ts";
import { wsgiQuote } from "../../object/wsgi_text.ts";
import { splitPath } from "../../object/request_path.ts";
import { bestMatch } from "../../common/listing_formats.ts";
import { type PyJson, pyJsonDumps, pyJsonLoads } from "../recon/python_json.ts";
import { parseHeader } from "../symlink/listing.ts";
import {
  drain,
  encodeParams,
  isSuccess,
  mutable,
  RaisedResponse,
  subrequest,
  type WsgiRequest,
  wsgiUnquote,
} from "../symlink/wsgi.ts";
import { authorizeWithAcl } from "../_info_lookup.ts";
import {
  comparePy,
  constrainLimit,
  containerInfoOf,
  sysmetaOf,
  type Versioning,
} from "./common.ts";
import {
  DELETE_MARKER_CONTENT_TYPE,
  RESERVED,
  reservedName,
  splitReservedName,
  splitVersionFromName,
  strToWsgi,
  versionsContainerName,
  versionsObjectName,
  versionsObjectPrefix,
  wsgiToStr,
} from "./names.ts";
import { Timestamp } from "../../common/timestamp.ts";

export const CLIENT_VERSIONS_ENABLED = "x-versions-enabled";
export const SYSMETA_VERSIONS_ENABLED = "x-container-sysmeta-versions-enabled";
export const SYSMETA_VERSIONS_CONT = "x-container-sysmeta-versions-container";

type Item = Map<string, PyJson>;

/** build_listing(): the entries merged by name or subdir, maybe reversed, cut to `limit`. */
export function buildListing(lists: PyJson[][], reverse: boolean, limit: number): Uint8Array {
  const key = (item: PyJson) => {
    const map = item as Item;
    return String(map.has("subdir") ? map.get("subdir") : map.get("name"));
  };
  const all = lists.flat();
  all.sort((a, b) => reverse ? comparePy(key(b), key(a)) : comparePy(key(a), key(b)));
  return new TextEncoder().encode(pyJsonDumps(all.slice(0, limit)));
}

function withBody(resp: Response, body: Uint8Array): Response {
  const out = mutable(resp, body as BodyInit);
  out.headers.set("Content-Length", String(body.length));
  return out;
}

function isTrue(value: string | undefined | null): boolean {
  return typeof value === "string" &&
    ["true", "1", "yes", "on", "t", "y"].includes(value.toLowerCase());
}

/** handle_request(): listings and HEADs, with version links shown as what they link to. */
export async function handleContainer(req: WsgiRequest, v: Versioning): Promise<Response> {
  const method = req.method;
  const params = req.params;
  const resp = mutable(await req.send(v.next));
  const [, account, container] = splitPath(req.pathInfo, 3, 4, true) as string[];
  let location = resp.headers.get(SYSMETA_VERSIONS_CONT) ?? "";
  const enabled = resp.headers.get(SYSMETA_VERSIONS_ENABLED);
  if (enabled !== null) resp.headers.set("X-Versions-Enabled", enabled);
  const bytesUsed = resp.headers.get("X-Container-Bytes-Used");
  if (location) {
    location = wsgiUnquote(location);
    if (bytesUsed !== null) {
      // The container's bytes include its old versions.
      const head = subrequest(req, {
        method: "HEAD",
        path: wsgiQuote(`/v1/${account}/${location}`),
        headers: { "X-Backend-Allow-Reserved-Names": "true" },
        swiftSource: "OV",
        preAuthed: true,
      });
      const vresp = await head.send(v.next);
      if (isSuccess(vresp.status)) {
        const versionBytes = vresp.headers.get("X-Container-Bytes-Used") ?? "0";
        resp.headers.set(
          "X-Container-Bytes-Used",
          String(BigInt(bytesUsed.trim()) + BigInt(versionBytes.trim())),
        );
      }
      await drain(vresp);
    }
  } else if (isSuccess(resp.status)) {
    // Versioning may have been enabled after the metadata we saw: list versions anyway.
    try {
      location = versionsContainerName(container);
    } catch {
      // A listing of a reserved-name container.
    }
  }
  if (!isSuccess(resp.status) || method !== "GET") return resp;
  const body = new Uint8Array(await resp.arrayBuffer());
  let listing: PyJson;
  try {
    listing = pyJsonLoads(new TextDecoder().decode(body));
  } catch {
    return withBody(resp, body);
  }
  for (const item of listing as Item[]) {
    if (!(["symlink_path", "symlink_etag", "symlink_bytes"].every((k) => item.has(k)))) continue;
    const path = wsgiUnquote(strToWsgi(String(item.get("symlink_path"))));
    const [, tgtAcct, tgtContainer, tgtObj] = splitPath(path, 4, 4, true) as string[];
    if (tgtContainer !== location) continue;
    const [, meta] = parseHeader(String(item.get("hash")));
    const bytes = item.get("symlink_bytes")!;
    item.delete("symlink_bytes");
    item.set("bytes", bytes);
    item.set("version_symlink", true);
    const etag = String(item.get("symlink_etag"));
    item.delete("symlink_etag");
    item.set("hash", etag + [...meta].map(([k, val]) => `; ${k}=${val}`).join(""));
    const [name, version] = splitVersionFromName(tgtObj);
    if (version && !params.has("versions")) {
      item.set(
        "symlink_path",
        `${wsgiQuote(`/v1/${tgtAcct}/${container}/${name}`)}?version-id=${version.internal}`,
      );
    }
  }
  if (params.has("versions")) {
    return await listVersions(req, v, resp, location, listing as Item[]);
  }
  return withBody(resp, new TextEncoder().encode(pyJsonDumps(listing)));
}

/** The listing entries of a versions container, turned back into object names. */
function versionEntries(
  listing: Item[],
  account: string,
  location: string,
  current: Map<string, Item>,
  latest: Set<string>,
  subdirs: Set<string>,
): Item[] {
  const out: Item[] = [];
  for (const item of listing) {
    if (!item.has("name")) {
      subdirs.add(splitReservedName(String(item.get("subdir")))[0]);
      continue;
    }
    const [name, ts] = splitVersionFromName(String(item.get("name")));
    if (!ts) continue;
    const path = `/v1/${wsgiToStr(account)}/${wsgiToStr(location)}/${item.get("name")}`;
    if (current.has(path)) {
      item.set("is_latest", true);
      latest.add(name);
      current.delete(path);
    } else if (item.get("content_type") === DELETE_MARKER_CONTENT_TYPE && !latest.has(name)) {
      item.set("is_latest", true);
      latest.add(name);
    } else {
      item.set("is_latest", false);
    }
    item.set("name", name);
    item.set("version_id", ts.internal);
    out.push(item);
  }
  return out;
}

function brokenEntry(item: Item, name: string, isLatest: boolean, ts: Timestamp): Item {
  return new Map<string, PyJson>([
    ["name", name],
    ["is_latest", isLatest],
    ["version_id", ts.internal],
    ["content_type", item.get("content_type")!],
    ["bytes", item.get("bytes")!],
    ["hash", item.get("hash")!],
    ["last_modified", item.get("last_modified")!],
  ]);
}

/** _list_versions(): the container's objects and every version of them (JSON only). */
async function listVersions(
  req: WsgiRequest,
  v: Versioning,
  resp: Response,
  location: string,
  primary: Item[],
): Promise<Response> {
  // This filter answers in JSON; listing_formats must leave it alone.
  req.ctx.env["swift.format_listing"] = false;
  let accepted: string | undefined;
  try {
    accepted = bestMatch(req.headers.get("Accept") ?? undefined, ["application/json"]);
  } catch {
    throw new Error("ValueError: invalid Accept header");
  }
  if (!accepted) throw new SwobError(406);
  const params = req.params;
  if (params.has("version_marker")) {
    if (!params.has("marker")) {
      throw new SwobError(400, { body: "version_marker param requires marker" });
    }
    if (params.get("version_marker") !== "null") {
      let ts: Timestamp;
      try {
        ts = new Timestamp(params.get("version_marker")!);
      } catch {
        throw new SwobError(400, { body: "invalid version_marker param" });
      }
      params.delete("version_marker");
      params.set("marker", versionsObjectName(params.get("marker")!, ts));
    }
  } else if (params.has("marker")) {
    // Just past every version of the marker object (":" sorts after the digits).
    params.set("marker", versionsObjectPrefix(params.get("marker")!) + ":");
  }
  const delimiter = params.get("delimiter") ?? "";
  if ([...delimiter].some((c) => "0123456789.".includes(c) || c === RESERVED)) {
    throw new SwobError(400, { body: "invalid delimiter param" });
  }
  const nullListing: Item[] = [];
  const subdirs = new Set<string>();
  const current = new Map<string, Item>();
  const latest = new Set<string>();
  for (const item of primary) {
    if (!item.has("name")) subdirs.add(String(item.get("subdir")));
    else if (item.get("version_symlink")) {
      current.set(wsgiToStr(wsgiUnquote(strToWsgi(String(item.get("symlink_path"))))), item);
    } else {
      nullListing.push(new Map([...item, ["version_id", "null"], ["is_latest", true]]));
      latest.add(String(item.get("name")));
    }
  }
  const account = splitPath(req.pathInfo, 3, 3, true)[1]!;
  if (params.has("prefix")) params.set("prefix", reservedName(params.get("prefix")!));
  const query = new Map<string, string>();
  for (const k of ["prefix", "marker", "limit", "delimiter", "reverse"]) {
    query.set(k, params.get(k) ?? "");
  }
  const listReq = subrequest(req, {
    method: "GET",
    path: `${wsgiQuote(`/v1/${account}/${location}`)}?${encodeParams(query)}`,
    headers: { "X-Backend-Allow-Reserved-Names": "true" },
    swiftSource: "OV",
    preAuthed: true,
  });
  const versionsResp = await listReq.send(v.next);
  const reverse = isTrue(params.get("reverse") ?? "no");
  const subdirList = () => [...subdirs].map((s) => new Map<string, PyJson>([["subdir", s]]));
  let body: Uint8Array;
  if (versionsResp.status === 404) {
    const broken: Item[] = [];
    for (const item of current.values()) {
      const linked = wsgiToStr(wsgiUnquote(strToWsgi(String(item.get("symlink_path")))));
      const [name, ts] = splitVersionFromName(linked.split("/").slice(4).join("/"));
      if (!ts) continue;
      const isLatest = !latest.has(name);
      latest.add(name);
      broken.push(brokenEntry(item, name, isLatest, ts));
    }
    const limit = constrainLimit(req.params, v.containerListingLimit);
    body = buildListing([nullListing, subdirList(), broken], reverse, limit);
    await drain(versionsResp);
  } else if (isSuccess(versionsResp.status)) {
    const text = new TextDecoder().decode(await versionsResp.arrayBuffer());
    let listing: PyJson;
    try {
      listing = pyJsonLoads(text);
    } catch {
      // Swift answers with a variable it never set here.
      throw new Error("UnboundLocalError: local variable 'body' referenced before assignment");
    }
    const versions = versionEntries(listing as Item[], account, location, current, latest, subdirs);
    // Swift looks for the links' versions in "v1/..." (the path less its first "/" only),
    // where no version name is found, so links to missing versions are never listed.
    const limit = constrainLimit(req.params, v.containerListingLimit);
    body = buildListing([nullListing, versions, subdirList()], reverse, limit);
  } else {
    return versionsResp;
  }
  return withBody(resp, body);
}

/** handle_delete(): the versions container goes first, and only when it is empty. */
export async function handleContainerDelete(req: WsgiRequest, v: Versioning): Promise<Response> {
  const info = await containerInfoOf(req, v.next, "OV");
  const versionsCont = decodeURIComponentPy(sysmetaOf(info)["versions-container"] ?? "");
  if (versionsCont) {
    const account = splitPath(req.pathInfo, 3, 3, true)[1]!;
    // A HEAD rather than cached info: the count must be current.
    const head = subrequest(req, {
      method: "HEAD",
      path: wsgiQuote(`/v1/${account}/${strToWsgi(versionsCont)}`),
      headers: { "X-Backend-Allow-Reserved-Names": "true" },
      swiftSource: "OV",
      preAuthed: true,
    });
    const vresp = await head.send(v.next);
    await drain(vresp);
    const count = Number(vresp.headers.get("X-Container-Object-Count") ?? "0");
    if (isSuccess(vresp.status) && count > 0) {
      throw new SwobError(409, { body: "Delete all versions before deleting container." });
    } else if (!isSuccess(vresp.status) && vresp.status !== 404) {
      throw new SwobError(500, { body: "Error deleting versioned container" });
    }
    head.method = "DELETE";
    const dresp = await head.send(v.next);
    await drain(dresp);
    if (!isSuccess(dresp.status) && dresp.status !== 404) {
      throw new SwobError(500, { body: "Error deleting versioned container" });
    }
  }
  return await req.send(v.next);
}

/** urllib.parse.unquote(): %XX escapes as UTF-8 (invalid bytes as U+FFFD). */
function decodeURIComponentPy(text: string): string {
  const bytes: number[] = [];
  let out = "";
  const flush = () => {
    if (bytes.length) out += new TextDecoder().decode(Uint8Array.from(bytes));
    bytes.length = 0;
  };
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === "%" && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      flush();
      out += text[i];
    }
  }
  flush();
  return out;
}

/** enable_versioning(): X-Versions-Enabled on container PUT or POST. */
export async function enableVersioning(req: WsgiRequest, v: Versioning): Promise<Response> {
  const info = await containerInfoOf(req, v.next, "OV");
  const sysmeta = sysmetaOf(info);
  if (sysmeta["versions-location"] || info.versions) {
    throw new SwobError(400, {
      body: "Cannot enable object versioning on a container that is already using the " +
        "legacy versioned writes feature.",
    });
  }
  if (info.sync_to) {
    throw new SwobError(400, {
      body: "Cannot enable object versioning on a container configured as source of " +
        "container syncing.",
    });
  }
  const isEnabled = isTrue(req.headers.get(CLIENT_VERSIONS_ENABLED));
  req.headers.set(SYSMETA_VERSIONS_ENABLED, isEnabled ? "True" : "False");
  let headers: Record<string, string> = {};
  let versionsPath: string | undefined;
  if (isEnabled) {
    const [version, account, container] = splitPath(req.pathInfo, 3, 4, true) as string[];
    if (isSuccess(info.status as number)) {
      const policy = v.policies.get(info.storage_policy as number);
      if (policy?.isDeprecated) {
        const hook = req.ctx.env["swift.authorize"];
        if (typeof hook === "function") {
          const denial = await authorizeWithAcl(req.peek(), req.ctx, undefined);
          if (denial) throw new RaisedResponse(denial);
        }
        throw new SwobError(400, {
          body: "Cannot enable object versioning on a container that uses a deprecated " +
            "storage policy.",
        });
      }
      if (!policy) throw new Error(`KeyError: No policy with index ${info.storage_policy}`);
      headers = { "X-Storage-Policy": policy.name };
    } else if (req.method === "PUT" && req.headers.has("X-Storage-Policy")) {
      headers = { "X-Storage-Policy": req.headers.get("X-Storage-Policy")! };
    }
    headers["X-Backend-Allow-Reserved-Names"] = "true";
    versionsPath = `/${version}/${account}/${versionsContainerName(container)}`;
    const put = subrequest(req, {
      method: "PUT",
      path: wsgiQuote(versionsPath),
      headers,
      swiftSource: "OV",
      preAuthed: true,
    });
    const resp = await put.send(v.next);
    await drain(resp);
    if (!isSuccess(resp.status) && resp.status !== 409) {
      throw new SwobError(500, { body: "Error enabling object versioning" });
    }
    req.headers.set(SYSMETA_VERSIONS_CONT, wsgiQuote(versionsContainerName(container)));
  }
  const resp = mutable(await req.send(v.next));
  if (!isSuccess(resp.status) && versionsPath !== undefined) {
    // The container request failed: drop the versions container so a retry starts clean.
    const del = subrequest(req, {
      method: "DELETE",
      path: wsgiQuote(versionsPath),
      headers,
      swiftSource: "OV",
      preAuthed: true,
    });
    await drain(await del.send(v.next));
  }
  const enabled = resp.headers.get(SYSMETA_VERSIONS_ENABLED);
  if (enabled !== null) resp.headers.set("X-Versions-Enabled", enabled);
  return resp;
}

export { splitReservedName };
