/**
 * Requests with `?version-id=` (handle_versioned_request() and its helpers in Swift 2.30's
 * object_versioning.py): GET and HEAD of one version (404 for a delete marker), DELETE of one
 * version (with the link when it is the current one), PUT making a version current again;
 * POST is refused. `version-id=null` means the object itself, when it is no version link.
 */
import { SwobError } from "../../object/swob_status.ts";
import { wsgiQuote } from "../../object/wsgi_text.ts";
import { TGT_OBJ_SYMLINK_HDR } from "../symlink.ts";
import { hasBody } from "../symlink/object.ts";
import {
  drain,
  isSuccess,
  mutable,
  subrequest,
  type WsgiRequest,
  wsgiUnquote,
} from "../symlink/wsgi.ts";
import { containerInfoOf, type Versioning } from "./common.ts";
import {
  DELETE_MARKER_CONTENT_TYPE,
  reservedName,
  splitVersionFromName,
  timestampOrUndefined,
  versionsObjectName,
} from "./names.ts";
import {
  checkResponseError,
  NO_VERSIONS_CONTAINER,
  type ObjectTarget,
  putSymlinkToVersion,
  serverError,
  SYSMETA_VERSIONS_SYMLINK,
  versionPath,
} from "./ov_object.ts";

/** _check_head(): whether the object is gone, and the version its link points at. */
async function checkHead(req: WsgiRequest, v: Versioning): Promise<[boolean, string | null]> {
  const head = subrequest(req, {
    method: "HEAD",
    path: `${wsgiQuote(req.pathInfo)}?symlink=get`,
    headers: { "X-Newest": "True", "X-Auth-Token": req.headers.get("X-Auth-Token") },
    swiftSource: "OV",
    preAuthed: true,
  });
  const resp = await head.send(v.next);
  if (resp.status === 404) {
    await drain(resp);
    return [true, null];
  }
  await checkResponseError(resp);
  const target = resp.headers.get(SYSMETA_VERSIONS_SYMLINK) === "true"
    ? resp.headers.get(TGT_OBJ_SYMLINK_HDR)
    : null;
  await drain(resp);
  return [false, target];
}

/** handle_delete_version(): one version goes; the link too when it is the current one. */
async function handleDeleteVersion(
  req: WsgiRequest,
  v: Versioning,
  t: ObjectTarget,
  version: string,
): Promise<Response | undefined> {
  // The null version is the object itself (or its link): the DELETE goes through as sent.
  if (version === "null") return undefined;
  const [tombstone, target] = await checkHead(req, v);
  const versionObj = versionsObjectName(t.obj, version);
  let current: string;
  if (
    tombstone || !target || wsgiUnquote(target) !== wsgiUnquote(`${t.versionsCont}/${versionObj}`)
  ) {
    req.pathInfo = versionPath(t, versionObj);
    req.headers.set("X-Backend-Allow-Reserved-Names", "true");
    if (tombstone || !target) current = "null";
    else {
      const linked = wsgiUnquote(target);
      const [, name] = [
        linked.slice(0, linked.indexOf("/")),
        linked.slice(linked.indexOf("/") + 1),
      ];
      const ts = splitVersionFromName(name)[1];
      if (!ts) throw new Error("AttributeError: 'NoneType' object has no attribute 'internal'");
      current = ts.internal;
    }
  } else {
    // Deleting the current version: first the link, then the data it points at.
    req.query = "";
    const linkResp = await req.send(v.next);
    await checkResponseError(linkResp);
    await drain(linkResp);
    req.pathInfo = versionPath(t, versionObj);
    req.headers.set("X-Backend-Allow-Reserved-Names", "true");
    current = "null";
  }
  const resp = mutable(await req.send(v.next));
  resp.headers.set("X-Object-Version-Id", version);
  resp.headers.set("X-Object-Current-Version-Id", current);
  return resp;
}

/** handle_put_version(): a PUT ?version-id= makes that version current again. */
async function handlePutVersion(
  req: WsgiRequest,
  v: Versioning,
  t: ObjectTarget,
  version: string,
): Promise<Response> {
  if (await hasBody(req)) {
    throw new SwobError(400, {
      body: "PUT version-id requests require a zero byte body",
      contentType: "text/plain",
    });
  }
  const versionObj = versionsObjectName(t.obj, version);
  const path = versionPath(t, versionObj);
  const head = subrequest(req, {
    method: "HEAD",
    path: `${wsgiQuote(path)}?symlink=get`,
    headers: { "X-Backend-Allow-Reserved-Names": "true" },
    swiftSource: "OV",
    preAuthed: true,
  });
  const resp = await head.send(v.next);
  if (resp.status === 404) {
    await drain(resp);
    const info = await containerInfoOf(head, v.next, "OV", path);
    if (isSuccess(info.status as number)) {
      throw new SwobError(404, {
        body: "The specified version does not exist",
        contentType: "text/plain",
      });
    }
    throw serverError(NO_VERSIONS_CONTAINER);
  }
  await checkResponseError(resp);
  await drain(resp);
  return await putSymlinkToVersion(req, v, t, versionObj, {
    etag: resp.headers.get("ETag") ?? "",
    bytes: resp.headers.get("Content-Length") ?? "",
    contentType: resp.headers.get("Content-Type") ?? "",
  });
}

/** handle_versioned_request(): requests with ?version-id=. */
export async function handleVersionedRequest(
  req: WsgiRequest,
  v: Versioning,
  t: ObjectTarget,
  version: string,
): Promise<Response | undefined> {
  if (req.method === "POST") {
    throw new SwobError(400, { body: `${req.method} to a specific version is not allowed` });
  }
  if (!t.versionsCont && version !== "null") {
    throw new SwobError(400, {
      body: "version-aware operations require that the container is versioned",
    });
  }
  if (version !== "null" && !timestampOrUndefined(version)) {
    throw new SwobError(400, { body: "Invalid version parameter" });
  }
  if (req.method === "DELETE") return await handleDeleteVersion(req, v, t, version);
  if (req.method === "PUT") return await handlePutVersion(req, v, t, version);
  const method = req.method;
  if (version === "null") {
    const resp = mutable(await req.send(v.next));
    if (isSuccess(resp.status)) {
      const location = wsgiUnquote(resp.headers.get("Content-Location") ?? "");
      if (location.includes(reservedName("versions", ""))) {
        // The current object is a version with an id of its own, not the null version.
        await resp.body?.cancel();
        throw new SwobError(404);
      }
      resp.headers.set("X-Object-Version-Id", "null");
      if (method === "HEAD") await drain(resp);
    }
    return resp;
  }
  req.pathInfo = versionPath(t, versionsObjectName(t.obj, version));
  req.headers.set("X-Backend-Allow-Reserved-Names", "true");
  const resp = mutable(await req.send(v.next));
  if (isSuccess(resp.status)) resp.headers.set("X-Object-Version-Id", version);
  const contentType = resp.headers.get("X-Backend-Content-Type") ??
    resp.headers.get("Content-Type");
  if (method === "HEAD") await drain(resp);
  if (contentType === DELETE_MARKER_CONTENT_TYPE) {
    await resp.body?.cancel();
    throw new SwobError(404, {
      headers: { "X-Object-Version-Id": version, "Content-Type": DELETE_MARKER_CONTENT_TYPE },
    });
  }
  return resp;
}
