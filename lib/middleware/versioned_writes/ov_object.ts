/**
 * Object requests in a container with object versioning (ObjectContext in Swift 2.30's
 * object_versioning.py). Each PUT writes the data as a new version,
 * `\x00versions\x00<container>/\x00<object>\x00<inverted timestamp>`, and then a static
 * symlink to it under the object's own name; DELETE writes a delete marker version and
 * removes the link; GET/HEAD follow the link (the symlink filter below) and report the
 * version id. With `?version-id=`, GET/HEAD/DELETE act on one version and PUT makes that
 * version current again.
 */
import { Timestamp } from "../../common/timestamp.ts";
import { splitPath } from "../../object/request_path.ts";
import { SwobError } from "../../object/swob_status.ts";
import { wsgiQuote } from "../../object/wsgi_text.ts";
import {
  ALLOW_RESERVED_NAMES,
  SYMLOOP_EXTEND,
  TGT_ACCT_SYMLINK_HDR,
  TGT_BYTES_SYSMETA_SYMLINK_HDR,
  TGT_ETAG_SYSMETA_SYMLINK_HDR,
  TGT_OBJ_SYMLINK_HDR,
} from "../symlink.ts";
import {
  drain,
  isSuccess,
  mutable,
  RaisedResponse,
  subrequest,
  type WsgiRequest,
  wsgiUnquote,
} from "../symlink/wsgi.ts";
import {
  authorizeWrite,
  ensureXTimestamp,
  getSourceObject,
  putVersionedObj,
  sourceTimestamp,
  type Versioning,
} from "./common.ts";
import { DELETE_MARKER_CONTENT_TYPE, splitVersionFromName, versionsObjectName } from "./names.ts";

/** Marks the links object versioning writes (X-Object-Sysmeta-Versions-Symlink). */
export const SYSMETA_VERSIONS_SYMLINK = "x-object-sysmeta-versions-symlink";

export const NO_VERSIONS_CONTAINER = "The versions container does not exist. You may want to " +
  "re-enable object versioning.";

/** Where one object request goes: its names (WSGI) and its container's versioning. */
export interface ObjectTarget {
  readonly version: string;
  readonly account: string;
  readonly container: string;
  readonly obj: string;
  /** The versions container ("" when the container was never versioned). */
  readonly versionsCont: string;
  readonly isEnabled: boolean;
}

export function serverError(body: string): SwobError {
  return new SwobError(500, { body, contentType: "text/plain" });
}

/** non_expiry_header(): headers a version keeps from the client's request. */
function nonExpiry(name: string): boolean {
  return !["x-delete-at", "x-delete-after"].includes(name.toLowerCase());
}

/** _check_response_error(): 412 for a 404, the backend's answer for other 4xx, else 503. */
export async function checkResponseError(resp: Response): Promise<void> {
  if (isSuccess(resp.status)) return;
  const body = new Uint8Array(await resp.arrayBuffer());
  if (resp.status >= 400 && resp.status < 500) {
    if (resp.status === 404) throw new SwobError(412);
    throw new RaisedResponse(
      new Response(body.length ? body : null, { status: resp.status, headers: resp.headers }),
    );
  }
  throw new SwobError(503);
}

/** The path of a version of the target's object. */
export function versionPath(t: ObjectTarget, versionObj: string): string {
  return `/${t.version}/${t.account}/${t.versionsCont}/${versionObj}`;
}

/** _copy_current(): moves an unversioned current object into the versions container. */
async function copyCurrent(req: WsgiRequest, v: Versioning, t: ObjectTarget): Promise<void> {
  await authorizeWrite(req, v.next, "OV");
  const current = await getSourceObject(req, v, req.pathInfo, "OV");
  if (current.status === 404) return void await drain(current);
  await checkResponseError(current);
  if (current.headers.get(SYSMETA_VERSIONS_SYMLINK) === "true") return void await drain(current);
  const name = versionsObjectName(t.obj, sourceTimestamp(current));
  const put = await putVersionedObj(req, v, versionPath(t, name), current, "OV", {
    "X-Backend-Allow-Reserved-Names": "true",
  });
  // Swift drains this PUT's answer before looking at it, which leaves a body the proxy made
  // itself (an error page) in place: it is read here before being dropped.
  if (put.status === 404) {
    await drain(put);
    throw serverError(NO_VERSIONS_CONTAINER);
  }
  await checkResponseError(put);
  await drain(put);
}

/** Counts the bytes of a client upload as they go by (ByteCountingReader). */
function counted(
  body: ReadableStream<Uint8Array> | null,
): [ReadableStream<Uint8Array>, () => number] {
  let total = 0;
  const source = body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  const stream = source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        total += chunk.length;
        controller.enqueue(chunk);
      },
    }),
  );
  return [stream, () => total];
}

/** _put_versioned_obj_from_client(): the client's data written as a new version. */
async function putFromClient(req: WsgiRequest, v: Versioning, t: ObjectTarget, ts: Timestamp) {
  const versionObj = versionsObjectName(t.obj, ts.internal);
  const put = subrequest(req, {
    method: "PUT",
    path: wsgiQuote(versionPath(t, versionObj)),
    headers: { "X-Backend-Allow-Reserved-Names": "true" },
    swiftSource: "OV",
    preAuthed: true,
  });
  const chunked = /chunked/i.test(req.headers.get("Transfer-Encoding") ?? "");
  if (chunked) put.headers.set("Transfer-Encoding", req.headers.get("Transfer-Encoding")!);
  else if (req.headers.has("Content-Length")) {
    put.headers.set("Content-Length", req.headers.get("Content-Length")!);
  }
  const [body, bytesRead] = counted(req.body);
  put.body = body;
  // req.body = b'': the client's request continues as the (empty) symlink PUT. Swift then
  // copies that Content-Length of 0 onto the version's PUT too; the proxy sends a body with
  // Content-Length 0 chunked, so the data still arrives whole.
  req.body = null;
  req.headers.set("Content-Length", "0");
  for (const [name, value] of req.headers) if (nonExpiry(name)) put.headers.set(name, value);
  if ("swift.content_type_overridden" in req.ctx.env) {
    put.ctx.env["swift.content_type_overridden"] = req.ctx.env["swift.content_type_overridden"];
    delete req.ctx.env["swift.content_type_overridden"];
  }
  const resp = await put.send(v.next);
  if (resp.status === 404) {
    await drain(resp);
    throw serverError(NO_VERSIONS_CONTAINER);
  }
  await checkResponseError(resp);
  await drain(resp);
  const sloSize = put.headers.get("X-Object-Sysmeta-Slo-Size");
  const putBytes = sloSize ? sloSize : String(bytesRead());
  const contentType = (put.headers.get("Content-Type") ?? "").split(";")[0].trim();
  return { resp, versionObj, putBytes, contentType };
}

/** _put_symlink_to_version(): the client's request becomes the link to a version. */
export async function putSymlinkToVersion(
  req: WsgiRequest,
  v: Versioning,
  t: ObjectTarget,
  versionObj: string,
  link: { etag: string; bytes: string; contentType: string },
): Promise<Response> {
  req.method = "PUT";
  const ts = ensureXTimestamp(req, v);
  // A version and its link share the client's timestamp; the link must win over the data.
  req.headers.set("X-Timestamp", new Timestamp(ts, { offset: 1 }).internal);
  req.headers.set(TGT_ETAG_SYSMETA_SYMLINK_HDR, link.etag);
  req.headers.set(TGT_BYTES_SYSMETA_SYMLINK_HDR, link.bytes);
  req.headers.set("Content-Type", link.contentType);
  req.headers.set(TGT_OBJ_SYMLINK_HDR, wsgiQuote(`${t.versionsCont}/${versionObj}`));
  req.headers.set(SYSMETA_VERSIONS_SYMLINK, "true");
  req.headers.set(SYMLOOP_EXTEND, "true");
  req.headers.set(ALLOW_RESERVED_NAMES, "true");
  req.headers.set("X-Backend-Allow-Reserved-Names", "true");
  for (
    const name of [
      "ETag",
      "X-If-Delete-At",
      TGT_ACCT_SYMLINK_HDR,
      "X-Object-Manifest",
      "X-Static-Large-Object",
      "X-Object-Sysmeta-Slo-Etag",
      "X-Object-Sysmeta-Slo-Size",
    ]
  ) req.headers.delete(name);
  req.ctx.env["swift.source"] = "OV";
  req.body = null;
  req.headers.set("Content-Length", "0");
  const resp = mutable(await req.send(v.next));
  resp.headers.set("ETag", link.etag);
  resp.headers.set("X-Object-Version-Id", splitVersionFromName(versionObj)[1]!.internal);
  return resp;
}

/** handle_put(): data as a new version, then the link to it. */
async function handlePut(req: WsgiRequest, v: Versioning, t: ObjectTarget): Promise<Response> {
  if (!t.isEnabled) return await req.send(v.next);
  await copyCurrent(req, v, t);
  const ts = ensureXTimestamp(req, v);
  const put = await putFromClient(req, v, t, ts);
  const etag = put.resp.headers.get("Etag");
  if (etag === null) throw new Error("KeyError: Etag");
  return await putSymlinkToVersion(req, v, t, put.versionObj, {
    etag,
    bytes: put.putBytes,
    contentType: put.contentType,
  });
}

/** handle_delete(): a delete marker version, then the link goes. */
async function handleDelete(req: WsgiRequest, v: Versioning, t: ObjectTarget): Promise<Response> {
  if (!t.isEnabled) return await req.send(v.next);
  await copyCurrent(req, v, t);
  const ts = ensureXTimestamp(req, v);
  const markerName = versionsObjectName(t.obj, ts.internal);
  const marker = subrequest(req, {
    method: "PUT",
    path: wsgiQuote(versionPath(t, markerName)),
    headers: {
      "content-type": DELETE_MARKER_CONTENT_TYPE,
      "content-length": "0",
      "x-auth-token": req.headers.get("x-auth-token"),
      "X-Backend-Allow-Reserved-Names": "true",
    },
    swiftSource: "OV",
    preAuthed: true,
  });
  marker.ctx.env["swift.content_type_overridden"] = true;
  const markerResp = await marker.send(v.next);
  await checkResponseError(markerResp);
  await drain(markerResp);
  const resp = mutable(await req.send(v.next));
  if (isSuccess(resp.status) || resp.status === 404) {
    resp.headers.set("X-Object-Version-Id", splitVersionFromName(markerName)[1]!.internal);
    resp.headers.set("X-Backend-Content-Type", DELETE_MARKER_CONTENT_TYPE);
  }
  // Swift drains this response before returning it, so the client gets its headers but
  // none of its body (a body shorter than its Content-Length, in Swift); here it is empty.
  await drain(resp);
  resp.headers.set("Content-Length", "0");
  return mutable(resp, null);
}

/** handle_post(): a POST that reached a version link is applied to the version. */
async function handlePost(req: WsgiRequest, v: Versioning, t: ObjectTarget): Promise<Response> {
  // Built first so that the metadata is the client's, before any filter below changes it.
  const post = subrequest(req, {
    method: "POST",
    path: wsgiQuote(req.pathInfo),
    headers: { "X-Backend-Allow-Reserved-Names": "true" },
    swiftSource: "OV",
    preAuthed: true,
  });
  for (const [name, value] of req.headers) if (nonExpiry(name)) post.headers.set(name, value);
  const resp = await req.send(v.next);
  if (resp.status !== 307 || !isTrue(resp.headers.get(SYSMETA_VERSIONS_SYMLINK) ?? "false")) {
    return resp;
  }
  const loc = wsgiUnquote(resp.headers.get("Location") ?? "");
  const parts = splitPath(loc, 4, 4, true);
  if (parts[1] !== t.account || parts[2] !== t.versionsCont) return resp;
  await drain(resp);
  post.pathInfo = loc;
  return await post.send(v.next);
}

/** handle_request(): requests without ?version-id= in a versioned container. */
export async function handleObjectRequest(
  req: WsgiRequest,
  v: Versioning,
  t: ObjectTarget,
): Promise<Response> {
  if (req.method === "PUT") return await handlePut(req, v, t);
  if (req.method === "POST") return await handlePost(req, v, t);
  if (req.method === "DELETE") return await handleDelete(req, v, t);
  const resp = mutable(await req.send(v.next));
  resp.headers.set("X-Object-Version-Id", "null");
  const loc = wsgiUnquote(resp.headers.get("Content-Location") ?? "");
  if (loc) {
    const [, acct, cont, versionObj] = splitPath(loc, 4, 4, true) as string[];
    if (acct === t.account && cont === t.versionsCont) {
      const version = splitVersionFromName(versionObj)[1];
      if (version) {
        resp.headers.set("X-Object-Version-Id", version.internal);
        resp.headers.set(
          "Content-Location",
          `${
            wsgiQuote(`/${t.version}/${t.account}/${t.container}/${t.obj}`)
          }?version-id=${version.internal}`,
        );
      }
    }
  }
  const target = wsgiUnquote(resp.headers.get("X-Symlink-Target") ?? "");
  if (target) {
    const [cont, versionObj] = splitPath(`/${target}`, 2, 2, true) as string[];
    if (cont === t.versionsCont) {
      const version = splitVersionFromName(versionObj)[1];
      if (version) {
        resp.headers.set("X-Object-Version-Id", version.internal);
        resp.headers.set(
          "X-Symlink-Target",
          `${wsgiQuote(`${t.container}/${t.obj}`)}?version-id=${version.internal}`,
        );
      }
    }
  }
  return resp;
}

function isTrue(value: string): boolean {
  return ["true", "1", "yes", "on", "t", "y"].includes(value.toLowerCase());
}
