/**
 * `?versions` listings (_list_versions() and build_listing() in Swift 2.30's
 * object_versioning.py): the container's own objects (version id "null") merged with every
 * entry of its versions container, names and version ids recovered from the reserved names,
 * the newest version of each object (or its delete marker) marked is_latest. JSON only;
 * marker/version_marker, prefix, delimiter, limit and reverse apply, end_marker does not.
 */
import { SwobError } from "../../object/swob_status.ts";
import { wsgiQuote } from "../../object/wsgi_text.ts";
import { splitPath } from "../../object/request_path.ts";
import { bestMatch } from "../../common/listing_formats.ts";
import { Timestamp } from "../../common/timestamp.ts";
import { type PyJson, pythonJsonDumps, pythonJsonLoadsExact } from "../../common/python_json.ts";
import {
  drain,
  encodeParams,
  isSuccess,
  mutable,
  subrequest,
  type WsgiRequest,
  wsgiUnquote,
} from "../symlink/wsgi.ts";
import { comparePy, constrainLimit, type Versioning } from "./common.ts";
import {
  DELETE_MARKER_CONTENT_TYPE,
  RESERVED,
  reservedName,
  splitReservedName,
  splitVersionFromName,
  strToWsgi,
  versionsObjectName,
  versionsObjectPrefix,
  wsgiToStr,
} from "./names.ts";

type Item = Map<string, PyJson>;

/** build_listing(): the entries merged by name or subdir, maybe reversed, cut to `limit`. */
export function buildListing(lists: PyJson[][], reverse: boolean, limit: number): Uint8Array {
  const key = (item: PyJson) => {
    const map = item as Item;
    return String(map.has("subdir") ? map.get("subdir") : map.get("name"));
  };
  const all = lists.flat();
  all.sort((a, b) => reverse ? comparePy(key(b), key(a)) : comparePy(key(a), key(b)));
  return new TextEncoder().encode(pythonJsonDumps(all.slice(0, limit)));
}

export function withBody(resp: Response, body: Uint8Array): Response {
  const out = mutable(resp, body as BodyInit);
  out.headers.set("Content-Length", String(body.length));
  return out;
}

function isTrue(value: string | undefined | null): boolean {
  return typeof value === "string" &&
    ["true", "1", "yes", "on", "t", "y"].includes(value.toLowerCase());
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
export async function listVersions(
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
      listing = pythonJsonLoadsExact(text);
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
