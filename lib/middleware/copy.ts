/**
 * egg:swift#copy (swift/common/middleware/copy.py, Swift 2.30): server-side copy. A COPY with
 * Destination (and Destination-Account) is rewritten into a PUT of the destination with
 * X-Copy-From (and X-Copy-From-Account); a PUT with X-Copy-From GETs the source through the
 * rest of the pipeline (X-Newest, the client's headers, so Range and If-* apply to the source)
 * and PUTs its body to the destination with the source's metadata under the client's. OPTIONS
 * answers list COPY among the allowed methods.
 *
 * Metadata: by default every source header except X-Static-Large-Object, X-Object-Manifest,
 * ETag, Content-Type and the timestamps is carried over, the client's headers win; with
 * X-Fresh-Metadata only system metadata (source, then client) is kept. Copying a manifest with
 * `?multipart-manifest=get` copies the manifest itself (an SLO manifest is re-PUT with
 * `multipart-manifest=put`, a DLO keeps X-Object-Manifest). The source ETag is sent for
 * verification only for a plain 200 body.
 *
 * Swift 2.30 has no object_post_as_copy and no swift.copy_hook any more (both went with
 * 2.10-era post-as-copy), and the copy middleware registers nothing in /info.
 */
import { clusterConstraints } from "../common/swift_conf.ts";
import { optionsOf, type StageConfig } from "../config/load.ts";
import { COPY_FILTER } from "../config/options/copy.ts";
import { pathInfoOf } from "../object/swob_request.ts";
import { SwobError } from "../object/swob_status.ts";
import { isTrue } from "../object/wsgi_text.ts";
import type { RequestContext } from "../server/context.ts";
import type { BuildContext, Filter, Handler } from "./compose.ts";
import {
  encodeParams,
  errorResponseFor,
  isObjectMeta,
  isObjectSysmeta,
  isTransientSysmeta,
  pathHeader,
  queryStringOf,
  splitPathOrUndefined,
  swobParams,
  wsgiQuote,
  wsgiUnquote,
} from "./segments/swob.ts";
import { makeSubrequest } from "./segments/subrequest.ts";

/** What the copy filter needs to know. */
export interface CopySettings {
  /** MAX_FILE_SIZE (swift.conf max_file_size): larger sources are refused with 413. */
  readonly maxFileSize: number;
}

/** Builds the copy filter (Swift's filter_factory). */
export function copyFilter(stage: StageConfig, _build: BuildContext): Filter {
  const { constraints } = clusterConstraints(optionsOf(stage, COPY_FILTER).swift_dir);
  return copyFilterWith({ maxFileSize: constraints.maxFileSize });
}

/** Headers never carried over from the source unless the client sends them. */
const NOT_COPIED = new Set([
  "x-static-large-object",
  "x-object-manifest",
  "etag",
  "content-type",
  "x-timestamp",
  "x-backend-timestamp",
]);

const OVERRIDE_PREFIX = "x-object-sysmeta-container-update-override-";

/** A client request being served: the mutable parts the COPY rewrite changes. */
interface CopyRequest {
  readonly original: Request;
  method: string;
  pathInfo: string;
  readonly headers: Headers;
  readonly query: string;
}

/** Builds the copy filter from explicit settings. */
export function copyFilterWith(settings: CopySettings): Filter {
  return (next) =>
    async function copy(req, ctx) {
      const pathInfo = pathInfoOf(req);
      const parts = splitPathOrUndefined(pathInfo, 4, 4, true);
      if (!parts) return await next(req, ctx);
      const copyReq: CopyRequest = {
        original: req,
        method: req.method,
        pathInfo,
        headers: new Headers(req.headers),
        query: queryStringOf(req.url),
      };
      try {
        if (req.method === "PUT" && req.headers.get("X-Copy-From")) {
          return await handlePut(copyReq, ctx, next, settings);
        }
        if (req.method === "COPY") {
          // proxy_logging shows the method the client sent, not the PUT it became.
          ctx.env["swift.orig_req_method"] = req.method;
          return await handleCopy(copyReq, ctx, next, settings, parts as string[]);
        }
        if (req.method === "OPTIONS") return await handleOptions(req, ctx, next);
      } catch (err) {
        if (err instanceof SwobError) return errorResponseFor(req, err);
        throw err;
      }
      return await next(req, ctx);
    };
}

/** check_account_format(): 412 for an empty account or one with a slash. */
function checkAccountFormat(name: string): string {
  if (!name) throw new SwobError(412, { body: "Account name cannot be empty" });
  if (name.includes("/")) throw new SwobError(412, { body: "Account name cannot contain slashes" });
  return name;
}

function handleCopy(
  req: CopyRequest,
  ctx: RequestContext,
  next: Handler,
  settings: CopySettings,
  [version, account, container, obj]: string[],
): Promise<Response> {
  if (!req.headers.get("Destination")) {
    throw new SwobError(412, { body: "Destination header required" });
  }
  let destAccount = account;
  if (req.headers.has("Destination-Account")) {
    destAccount = checkAccountFormat(wsgiUnquote(req.headers.get("Destination-Account")!));
    req.headers.set("X-Copy-From-Account", wsgiQuote(account));
    req.headers.delete("Destination-Account");
  }
  const [destContainer, destObject] = pathHeader(
    req.headers,
    "Destination",
    "Destination header must be of the form <container name>/<object name>",
  );
  // The request itself becomes the PUT, so the proxy picks the destination's policy.
  req.method = "PUT";
  req.pathInfo = `/${version}/${destAccount}/${destContainer}/${destObject}`;
  req.headers.set("Content-Length", "0");
  req.headers.set("X-Copy-From", wsgiQuote(`/${container}/${obj}`));
  req.headers.delete("Destination");
  return handlePut(req, ctx, next, settings);
}

async function handlePut(
  req: CopyRequest,
  ctx: RequestContext,
  next: Handler,
  settings: CopySettings,
): Promise<Response> {
  const length = req.headers.get("Content-Length");
  if (length && Number(length)) {
    throw new SwobError(400, {
      body: "Copy requests require a zero byte body",
      contentType: "text/plain",
    });
  }
  const [version, account] = splitPathOrUndefined(req.pathInfo, 2, 3, true)!;
  const fromAccount = req.headers.get("X-Copy-From-Account");
  const srcAccount = fromAccount ? checkAccountFormat(wsgiUnquote(fromAccount)) : account!;
  const [srcContainer, srcObject] = pathHeader(
    req.headers,
    "X-Copy-From",
    "X-Copy-From header must be of the form <container name>/<object name>",
  );
  const sourcePath = `/${version}/${srcAccount}/${srcContainer}/${srcObject}`;
  const params = swobParams(req.query);
  const manifestGet = params.get("multipart-manifest") === "get";

  const source = await getSource(req, ctx, next, sourcePath, manifestGet);
  const sourceLength = source.headers.get("Content-Length");
  if (sourceLength === null || Number(sourceLength) > settings.maxFileSize) {
    // A chunked source is a large object with more segments than one listing holds.
    await source.body?.cancel();
    throw new SwobError(413);
  }
  if (source.status >= 300) return source;

  // The sink starts as the client's request (req.environ copied).
  const sink = new Headers(req.headers);
  if (isTrue(req.headers.get("X-Fresh-Metadata") ?? "false")) {
    for (const [name, value] of source.headers) if (isObjectSysmeta(name)) sink.set(name, value);
    for (const [name, value] of req.headers) if (isObjectSysmeta(name)) sink.set(name, value);
  } else {
    for (const [name, value] of source.headers) if (!NOT_COPIED.has(name)) sink.set(name, value);
    for (const [name, value] of req.headers) sink.set(name, value);
  }
  const isSlo = source.headers.has("X-Static-Large-Object");
  const dloManifest = source.headers.get("X-Object-Manifest");
  let sinkQuery = req.query;
  let queryChanged = false;
  if (manifestGet) {
    if (isSlo) params.set("multipart-manifest", "put");
    if (dloManifest !== null) {
      params.delete("multipart-manifest");
      sink.set("X-Object-Manifest", dloManifest);
    }
    queryChanged = true;
  }
  if (params.has("version-id")) {
    params.delete("version-id");
    queryChanged = true;
  }
  if (queryChanged) sinkQuery = encodeParams(params);
  sink.set("Content-Length", sourceLength);
  if (source.status === 200 && !isSlo && (dloManifest === null || manifestGet)) {
    // Verify the copy against the source's ETag, which for anything but a plain 200 body
    // (a range, a large object's ETag, an SLO manifest's generated ETag) is not its MD5.
    sink.set("ETag", source.headers.get("ETag")?.replaceAll('"', "") ?? "");
  } else {
    for (const [name] of [...sink]) if (name.startsWith(OVERRIDE_PREFIX)) sink.delete(name);
  }
  sink.delete("X-Copy-From");
  sink.delete("X-Copy-From-Account");
  if (!req.headers.get("Content-Type")) {
    sink.set("Content-Type", source.headers.get("Content-Type") ?? "");
  }

  const copied = copiedFromHeaders(sourcePath, source, sink);
  const target = wsgiQuote(req.pathInfo) + (sinkQuery ? `?${sinkQuery}` : "");
  const putReq = new Request(new URL(target, req.original.url), {
    method: "PUT",
    headers: sink,
    body: source.body,
    duplex: "half",
  } as RequestInit);
  const putResp = await next(putReq, { ...ctx, env: { ...ctx.env, "swift.source": "SSC" } });
  if (putResp.status < 200 || putResp.status > 299) return putResp;
  const headers = new Headers(putResp.headers);
  for (const [name, value] of copied) headers.append(name, value);
  return new Response(putResp.body, { status: putResp.status, headers });
}

/** _get_source_object(): the client's request turned into a GET of the source. */
function getSource(
  req: CopyRequest,
  ctx: RequestContext,
  next: Handler,
  sourcePath: string,
  manifestGet: boolean,
): Promise<Response> {
  // copy_get() keeps every client header; the source uses its own container's policy.
  const headers: Record<string, string> = Object.fromEntries(req.headers);
  headers["content-length"] = "0";
  delete headers["x-backend-storage-policy-index"];
  headers["x-newest"] = "true";
  let query = req.query;
  if (manifestGet) {
    // An SLO manifest is read as stored (format=raw), to be PUT again as a manifest.
    const params = swobParams(query);
    params.set("format", "raw");
    query = encodeParams(params);
  }
  const sub = makeSubrequest(req.original, ctx, {
    method: "GET",
    path: wsgiQuote(sourcePath) + (query ? `?${query}` : ""),
    headers,
    swiftSource: "SSC",
  });
  return next(sub.req, sub.ctx);
}

/** _create_response_headers(): where the copy came from, and the metadata it got. */
function copiedFromHeaders(
  sourcePath: string,
  source: Response,
  sink: Headers,
): [string, string][] {
  const [account, path] = splitThree(sourcePath);
  const out: [string, string][] = [
    ["X-Copied-From-Account", wsgiQuote(account)],
    ["X-Copied-From", wsgiQuote(path)],
  ];
  const lastModified = source.headers.get("Last-Modified");
  if (lastModified !== null) out.push(["X-Copied-From-Last-Modified", lastModified]);
  const versionId = source.headers.get("X-Object-Version-Id");
  if (versionId !== null) out.push(["X-Copied-From-Version-Id", versionId]);
  for (const [name, value] of sink) {
    if (isObjectMeta(name) || isTransientSysmeta(name) || name === "x-delete-at") {
      out.push([name, value]);
    }
  }
  return out;
}

/** source_path.split('/', 3)[2:4]: the account, and container/object. */
function splitThree(path: string): [string, string] {
  const first = path.indexOf("/", 1);
  const second = path.indexOf("/", first + 1);
  return [path.slice(first + 1, second), path.slice(second + 1)];
}

async function handleOptions(req: Request, ctx: RequestContext, next: Handler): Promise<Response> {
  const resp = await next(req, ctx);
  if (resp.status < 200 || resp.status > 299) return resp;
  const headers = new Headers(resp.headers);
  for (const name of ["Allow", "Access-Control-Allow-Methods"]) {
    const value = headers.get(name);
    if (value !== null && !value.includes("COPY")) headers.set(name, `${value}, COPY`);
  }
  return new Response(resp.body, { status: resp.status, statusText: resp.statusText, headers });
}
