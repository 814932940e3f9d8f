/**
 * ObjectVersioningMiddleware (swift/common/middleware/versioned_writes/object_versioning.py,
 * Swift 2.30): the X-Versions-Enabled API. Account listings count each container's hidden
 * versions container in its bytes (and show orphaned ones); container and object requests go
 * to ov_container.ts and ov_object.ts.
 */
import { validApiVersion } from "../_info_lookup.ts";
import { splitPath } from "../../object/request_path.ts";
import { wsgiQuote } from "../../object/wsgi_text.ts";
import { type PyJson, pythonJsonLoadsExact } from "../../common/python_json.ts";
import { encodeParams, isSuccess, mutable, subrequest, type WsgiRequest } from "../symlink/wsgi.ts";
import { constrainLimit, containerInfoOf, sysmetaOf, type Versioning } from "./common.ts";
import { reservedName, splitVersionsContainerName, versionsContainerName } from "./names.ts";
import { buildListing } from "./ov_listing.ts";
import {
  CLIENT_VERSIONS_ENABLED,
  enableVersioning,
  handleContainer,
  handleContainerDelete,
} from "./ov_container.ts";
import { handleObjectRequest } from "./ov_object.ts";
import { handleVersionedRequest } from "./ov_version.ts";
import { wsgiUnquote } from "../symlink/wsgi.ts";
import { strToWsgi } from "./names.ts";

type Item = Map<string, PyJson>;

function isTrue(value: string | undefined): boolean {
  return typeof value === "string" &&
    ["true", "1", "yes", "on", "t", "y"].includes(value.toLowerCase());
}

/** list_containers(): account listings with the versions containers' bytes added. */
async function listContainers(req: WsgiRequest, v: Versioning, account: string) {
  const params = req.params;
  const resp = await req.send(v.next);
  if (!isSuccess(resp.status)) return resp;
  const body = new Uint8Array(await resp.arrayBuffer());
  let listing: PyJson;
  try {
    listing = pythonJsonLoadsExact(new TextDecoder().decode(body));
  } catch {
    return mutable(resp, body as BodyInit);
  }
  if (params.has("prefix")) {
    try {
      params.set("prefix", versionsContainerName(params.get("prefix")!));
    } catch {
      // A prefix with the reserved byte came from a client allowed to use it: left alone.
    }
  } else {
    params.set("prefix", reservedName("versions"));
  }
  for (const p of ["marker", "end_marker"]) {
    if (!params.has(p)) continue;
    try {
      params.set(p, versionsContainerName(params.get(p)!));
    } catch {
      // Left alone, as the prefix.
    }
  }
  const listReq = subrequest(req, {
    method: "GET",
    path: `${wsgiQuote(`/v1/${account}`)}?${encodeParams(params)}`,
    headers: { "X-Backend-Allow-Reserved-Names": "true" },
    swiftSource: "OV",
    preAuthed: true,
  });
  const versionsResp = await listReq.send(v.next);
  let versionsListing: PyJson[] = [];
  try {
    const parsed = pythonJsonLoadsExact(new TextDecoder().decode(await versionsResp.arrayBuffer()));
    if (Array.isArray(parsed)) versionsListing = parsed;
  } catch {
    versionsListing = [];
  }
  const versions = new Map<string, Item>();
  for (const item of versionsListing as Item[]) {
    if (item.has("name")) versions.set(splitVersionsContainerName(String(item.get("name"))), item);
  }
  if (versions.size) {
    for (const item of listing as Item[]) {
      if (!item.has("name")) continue;
      const name = String(item.get("name"));
      const info = versions.get(name);
      if (info === undefined) continue;
      versions.delete(name);
      item.set("bytes", addInts(item.get("bytes")!, info.get("bytes")!));
    }
  }
  // Versions containers left over show up, so that their owners can find and clean them.
  for (const [name, item] of versions) {
    item.set("name", name);
    item.set("count", 0);
    (listing as Item[]).push(item);
  }
  const limit = constrainLimit(req.params, v.accountListingLimit);
  const out = buildListing([listing as PyJson[]], isTrue(params.get("reverse") ?? "no"), limit);
  const answer = mutable(resp, out as BodyInit);
  answer.headers.set("Content-Length", String(out.length));
  return answer;
}

function addInts(a: PyJson, b: PyJson): PyJson {
  const sum = BigInt(a as number | bigint) + BigInt(b as number | bigint);
  return sum <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(sum) : sum;
}

/** object_request(): requests in a versioned container, or with ?version-id=. */
async function objectRequest(
  req: WsgiRequest,
  v: Versioning,
  names: string[],
): Promise<Response | undefined> {
  const [version, account, container, obj] = names;
  const info = await containerInfoOf(req, v.next, "OV");
  const sysmeta = sysmetaOf(info);
  let versionsCont = sysmeta["versions-container"] ?? "";
  const isEnabled = isTrue(sysmeta["versions-enabled"]);
  if (versionsCont) versionsCont = wsgiUnquote(strToWsgi(versionsCont)).split("/")[0];
  const target = { version, account, container, obj, versionsCont, isEnabled };
  const versionId = req.params.get("version-id");
  if (versionId) return await handleVersionedRequest(req, v, target, versionId);
  if (versionsCont) return await handleObjectRequest(req, v, target);
  return undefined;
}

/**
 * ObjectVersioningMiddleware.__call__(): the response, or undefined when the request goes
 * on unchanged.
 */
export async function objectVersioning(
  req: WsgiRequest,
  v: Versioning,
): Promise<Response | undefined> {
  let names: (string | undefined)[];
  try {
    names = splitPath(req.pathInfo, 2, 4, true);
  } catch {
    return undefined;
  }
  if (!validApiVersion(names[0])) return undefined;
  const [, account, container, obj] = names;
  if (!container) {
    return req.method === "GET" ? await listContainers(req, v, account!) : undefined;
  }
  if (!obj) {
    if (
      (req.method === "PUT" || req.method === "POST") && req.headers.has(CLIENT_VERSIONS_ENABLED)
    ) {
      return await enableVersioning(req, v);
    }
    if (req.method === "DELETE") return await handleContainerDelete(req, v);
    return await handleContainer(req, v);
  }
  return await objectRequest(req, v, names as string[]);
}
