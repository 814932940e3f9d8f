/**
 * The legacy versioning modes (VersionedWritesMiddleware, swift/common/middleware/
 * versioned_writes/legacy.py, Swift 2.30). A container with X-Versions-Location (stack mode)
 * or X-History-Location (history mode) names an archive container; each overwrite first copies
 * the current object there as `<3-hex-digit length><name>/<timestamp>`. DELETE in history mode
 * archives the object and writes a delete marker; in stack mode it restores the newest archived
 * version (or, past a delete marker, the version before it).
 *
 * The locations are kept as container sysmeta (versions-location, versions-mode); containers
 * from before this filter may still carry the container server's X-Versions-Location.
 */
import { Timestamp } from "../../common/timestamp.ts";
import { SwobError } from "../../object/swob_status.ts";
import { wsgiQuote } from "../../object/wsgi_text.ts";
import type { Handler } from "../compose.ts";
import { checkNameFormat } from "../symlink/object.ts";
import {
  drain,
  isSuccess,
  mutable,
  subrequest,
  type WsgiRequest,
  wsgiUnquote,
} from "../symlink/wsgi.ts";
import {
  authorizeWrite,
  containerInfoOf,
  getSourceObject,
  putVersionedObj,
  sourceTimestamp,
  sysmetaOf,
  type Versioning,
} from "./common.ts";
import { listingPages } from "./legacy_listing.ts";
import { DELETE_MARKER_CONTENT_TYPE, strToWsgi } from "./names.ts";

export const CLIENT_VERSIONS_LOC = "x-versions-location";
export const CLIENT_HISTORY_LOC = "x-history-location";
const SYSMETA_VERSIONS_LOC = "x-container-sysmeta-versions-location";
const SYSMETA_VERSIONS_MODE = "x-container-sysmeta-versions-mode";
const REMOVE_HEADERS = ["X-Remove-Versions-Location", "X-Remove-History-Location"];

/** The object a legacy request is about, and where its versions go (WSGI strings). */
interface LegacyTarget {
  readonly version: string;
  readonly account: string;
  readonly container: string;
  readonly obj: string;
  readonly versionsCont: string;
}

/** _check_response_error(): 412 for a client error (no archive, no access), else 503. */
async function checkResponseError(resp: Response): Promise<void> {
  if (isSuccess(resp.status)) return;
  await drain(resp);
  if (resp.status >= 400 && resp.status < 500) throw new SwobError(412);
  throw new SwobError(503);
}

function versionsPrefix(obj: string): string {
  return `${obj.length.toString(16).padStart(3, "0")}${obj}/`;
}

function versionsName(obj: string, ts: string | number): string {
  return versionsPrefix(obj) + new Timestamp(ts).internal;
}

/** _copy_current(): archives the current object, if there is one. */
async function copyCurrent(req: WsgiRequest, v: Versioning, t: LegacyTarget): Promise<void> {
  await authorizeWrite(req, v.next, "VW");
  const current = await getSourceObject(req, v, req.pathInfo, "VW");
  if (current.status === 404) return void await drain(current);
  await checkResponseError(current);
  const name = versionsName(t.obj, sourceTimestamp(current));
  req.query = "";
  const path = `/${t.version}/${t.account}/${t.versionsCont}/${name}`;
  const put = await putVersionedObj(req, v, path, current, "VW");
  await checkResponseError(put);
  await drain(put);
}

/** handle_obj_versions_delete_push(): history mode archives, marks the delete, deletes. */
async function deletePush(req: WsgiRequest, v: Versioning, t: LegacyTarget): Promise<void> {
  await copyCurrent(req, v, t);
  const name = versionsName(t.obj, v.now());
  const marker = subrequest(req, {
    method: "PUT",
    path: wsgiQuote(`/${t.version}/${t.account}/${t.versionsCont}/${name}`),
    headers: {
      "content-type": DELETE_MARKER_CONTENT_TYPE,
      "content-length": "0",
      "x-auth-token": req.headers.get("x-auth-token"),
    },
    swiftSource: "VW",
    preAuthed: true,
  });
  marker.ctx.env["swift.content_type_overridden"] = true;
  const resp = await marker.send(v.next);
  await checkResponseError(resp);
  await drain(resp);
}

/** _restore_data(): copies an archived version back; its path, or undefined when gone. */
async function restoreData(
  req: WsgiRequest,
  v: Versioning,
  t: LegacyTarget,
  prevName: string,
): Promise<string | undefined> {
  const getPath = `/${t.version}/${t.account}/${t.versionsCont}/${prevName}`;
  const source = await getSourceObject(req, v, getPath, "VW");
  if (source.status === 404) return void await drain(source);
  await checkResponseError(source);
  const put = await putVersionedObj(
    req,
    v,
    `/${t.version}/${t.account}/${t.container}/${t.obj}`,
    source,
    "VW",
  );
  await checkResponseError(put);
  await drain(put);
  return getPath;
}

/**
 * handle_obj_versions_delete_pop(): stack mode. Returns the request to send in place of the
 * client's DELETE (the archived copy just restored, or the delete marker).
 */
async function deletePop(
  req: WsgiRequest,
  v: Versioning,
  t: LegacyTarget,
): Promise<WsgiRequest | Response> {
  const items = listingPages(req, v, t.account, t.versionsCont, versionsPrefix(t.obj));
  const auth = { "X-Auth-Token": req.headers.get("X-Auth-Token") };
  const preAuthedDelete = (path: string) =>
    subrequest(req, {
      method: "DELETE",
      path: wsgiQuote(path),
      headers: auth,
      swiftSource: "VW",
      preAuthed: true,
    });
  let authed = false;
  let out: WsgiRequest = req;
  for await (const previous of items) {
    if (!authed && "swift.authorize" in req.ctx.env) {
      try {
        await authorizeWrite(req, v.next, "VW");
      } catch (err) {
        await items.return(undefined);
        if (err instanceof Error && "response" in err) {
          return (err as { response: Response }).response;
        }
        throw err;
      }
      authed = true;
    }
    const prevName = strToWsgi(String(previous.get("name")));
    if (previous.get("content_type") === DELETE_MARKER_CONTENT_TYPE) {
      // The newest archive entry is a delete marker: is there data in the container now?
      const head = subrequest(req, {
        method: "HEAD",
        path: wsgiQuote(req.pathInfo),
        headers: { "X-Newest": "True", ...auth },
        swiftSource: "VW",
        preAuthed: true,
      });
      const hresp = await head.send(v.next);
      await drain(hresp);
      if (hresp.status !== 404) {
        await checkResponseError(hresp);
        // There is: the DELETE goes through, back to the delete-marker state.
        break;
      }
      for await (const toRestore of items) {
        if (toRestore.get("content_type") === DELETE_MARKER_CONTENT_TYPE) break;
        req.query = "";
        const restored = await restoreData(req, v, t, strToWsgi(String(toRestore.get("name"))));
        if (!restored) continue;
        const del = await preAuthedDelete(restored).send(v.next);
        await drain(del);
        if (del.status !== 404) await checkResponseError(del);
        break;
      }
      out = preAuthedDelete(`/${t.version}/${t.account}/${t.versionsCont}/${prevName}`);
    } else {
      req.query = "";
      const restored = await restoreData(req, v, t, prevName);
      if (!restored) continue;
      // The DELETE now removes the archived copy that was just restored.
      out = preAuthedDelete(restored);
    }
    // X-If-Delete-At was about the current object, not the older copy.
    out.headers.delete("X-If-Delete-At");
    break;
  }
  return out;
}

/** container_request(): the client's locations, validated and stored as sysmeta. */
function prepareContainerRequest(req: WsgiRequest, enabled: string): void {
  const h = req.headers;
  if (h.has(CLIENT_VERSIONS_LOC) && h.has(CLIENT_HISTORY_LOC)) {
    if (!h.get(CLIENT_HISTORY_LOC)) h.delete(CLIENT_HISTORY_LOC);
    else if (h.get(CLIENT_VERSIONS_LOC)) {
      throw new SwobError(400, {
        body: `Only one of ${CLIENT_VERSIONS_LOC} or ${CLIENT_HISTORY_LOC} may be specified`,
        contentType: "text/plain",
      });
    } else h.delete(CLIENT_VERSIONS_LOC);
  }
  if (h.has(CLIENT_VERSIONS_LOC) || h.has(CLIENT_HISTORY_LOC)) {
    const stack = h.has(CLIENT_VERSIONS_LOC);
    const value = h.get(stack ? CLIENT_VERSIONS_LOC : CLIENT_HISTORY_LOC)!;
    if (!value) {
      h.set("X-Remove-Versions-Location", "x");
    } else if (!isTrue(enabled) && (req.method === "PUT" || req.method === "POST")) {
      throw new SwobError(412, { body: "Versioned Writes is disabled", contentType: "text/plain" });
    } else {
      h.set(SYSMETA_VERSIONS_LOC, checkNameFormat(value, "Container"));
      h.set(SYSMETA_VERSIONS_MODE, stack ? "stack" : "history");
      // Only the sysmeta says where versions go from now on.
      h.set(CLIENT_VERSIONS_LOC, "");
      for (const name of REMOVE_HEADERS) h.delete(name);
    }
  }
  if (REMOVE_HEADERS.some((name) => h.get(name))) {
    h.set(CLIENT_VERSIONS_LOC, "");
    h.set(SYSMETA_VERSIONS_LOC, "");
    h.set(SYSMETA_VERSIONS_MODE, "");
    for (const name of REMOVE_HEADERS) h.delete(name);
  }
}

/** handle_container_request(): the sysmeta location shown as the client's header. */
async function containerRequest(req: WsgiRequest, next: Handler, enabled: string) {
  prepareContainerRequest(req, enabled);
  const resp = mutable(await req.send(next));
  const location = resp.headers.get(SYSMETA_VERSIONS_LOC);
  const mode = resp.headers.get(SYSMETA_VERSIONS_MODE);
  if (location) {
    resp.headers.set(mode === "history" ? "X-History-Location" : "X-Versions-Location", location);
  }
  return resp;
}

/** object_request(): PUT and DELETE in a container with a versions location. */
async function objectRequest(
  req: WsgiRequest,
  v: Versioning,
  names: string[],
  allow: string | undefined,
): Promise<Response> {
  const [version, account, container, obj] = names;
  let isEnabled = isTrue(allow);
  const info = await containerInfoOf(req, v.next, "VW");
  const sysmeta = sysmetaOf(info);
  let versionsCont: string | undefined = sysmeta["versions-location"];
  const mode = sysmeta["versions-mode"] ?? "stack";
  if (!versionsCont) {
    versionsCont = (info.versions as string | null | undefined) ?? undefined;
    // Containers versioned through the container server's allow_versions keep working when
    // this filter was not told either way.
    if (!allow && versionsCont) isEnabled = true;
  }
  if (!isEnabled || !versionsCont) return await req.send(v.next);
  const t: LegacyTarget = {
    version,
    account,
    container,
    obj,
    versionsCont: wsgiUnquote(strToWsgi(versionsCont)).split("/")[0],
  };
  if (req.method === "PUT") {
    await copyCurrent(req, v, t);
  } else if (mode === "history") {
    await deletePush(req, v, t);
  } else {
    const out = await deletePop(req, v, t);
    if (out instanceof Response) return out;
    return await out.send(v.next);
  }
  return await req.send(v.next);
}

/**
 * VersionedWritesMiddleware.__call__() over `v.next` (object versioning and what follows);
 * `allow` is allow_versioned_writes as written in the config.
 */
export async function legacyVersioning(
  req: WsgiRequest,
  v: Versioning,
  names: (string | undefined)[],
  allow: string | undefined,
): Promise<Response> {
  const [, , container, obj] = names;
  if (allow && container && !obj) return await containerRequest(req, v.next, allow);
  if (obj && (req.method === "PUT" || req.method === "DELETE")) {
    return await objectRequest(req, v, names as string[], allow);
  }
  return await req.send(v.next);
}

function isTrue(value: string | undefined | null): boolean {
  return typeof value === "string" &&
    ["true", "1", "yes", "on", "t", "y"].includes(value.toLowerCase());
}
