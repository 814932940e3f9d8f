/**
 * FormPost._perform_subrequest(): checks one file part's form (limits, expiry, signature)
 * and PUTs the file through the rest of the pipeline as a pre-authorized subrequest whose
 * body streams straight from the form, cut off past max_file_size.
 */
import { encodeUtf8 } from "../../common/python_codecs.ts";
import { wsgiQuote } from "../../object/wsgi_text.ts";
import type { RequestContext } from "../../server/context.ts";
import { requestFor } from "../../server/request_path.ts";
import type { Handler } from "../compose.ts";
import { extractDigestAndAlgorithm, streqConstTime } from "../tempurl/digest.ts";
import { pyIntOf, strToWsgi, wsgiToStr } from "../tempurl/python_text.ts";
import { createHmac } from "node:crypto";
import type { MimeDocument } from "./multipart.ts";

/** A form field Swift cannot use: answered 400 "FormPost: <message>". */
export class FormInvalid extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FormInvalid";
  }
}

/** A form that may not upload: answered 401 "FormPost: <Message Titled>". */
export class FormUnauthorized extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FormUnauthorized";
  }
}

/** int(text), or FormInvalid(message) where Python raises ValueError. */
export function pyIntOrThrow(text: string, message: string): bigint {
  const value = pyIntOf(text);
  if (value === undefined) throw new FormInvalid(message);
  return value;
}

/** One file to upload. */
export interface Upload {
  readonly next: Handler;
  /** The form POST. */
  readonly req: Request;
  readonly ctx: RequestContext;
  /** The POST's PATH_INFO. */
  readonly pathInfo: string;
  /** The POST's User-Agent with " FormPost" added, which the PUT carries. */
  readonly userAgent: string;
  /** The fields before this file, plus filename, content-type and content-encoding. */
  readonly attributes: ReadonlyMap<string, string>;
  /** The file part, positioned at its data. */
  readonly doc: MimeDocument;
  readonly keys: readonly string[];
  readonly allowedDigests: readonly string[];
  /** Seconds since the epoch. */
  readonly now: number;
}

/** The client headers and environ keys make_env() copies into a subrequest. */
const COPIED_HEADERS = [
  "Host",
  "Origin",
  "Access-Control-Request-Method",
  "X-User-Id",
  "X-Project-Id",
  "Referer",
];
const COPIED_ENV = [
  "swift.cache",
  "swift.trans_id",
  "swift.infocache",
  "swift.shard_listing_history",
];

/** How much of the file the PUT may read at a time (the proxy's client_chunk_size). */
const PUT_CHUNK_SIZE = 65536;

/**
 * _CappedFileLikeObject over the file part, as a stream: reads are pulled one at a time on
 * demand (so none is in flight once the subrequest is over), and reading past `max` bytes
 * errors the stream and sets `exceeded`.
 */
class CappedBody {
  exceeded = false;
  #read = 0;
  #pulling: Promise<void> = Promise.resolve();
  readonly stream: ReadableStream<Uint8Array>;

  constructor(doc: MimeDocument, max: bigint) {
    this.stream = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        this.#pulling = (async () => {
          const chunk = await doc.read(PUT_CHUNK_SIZE);
          this.#read += chunk.length;
          if (BigInt(this.#read) > max) {
            this.exceeded = true;
            controller.error(new RangeError("max_file_size exceeded"));
          } else if (!chunk.length) {
            controller.close();
          } else {
            controller.enqueue(chunk.slice());
          }
        })();
        return this.#pulling;
      },
    }, { highWaterMark: 0 });
  }

  /** Waits for a read in progress, then drops the rest of the stream. */
  async finish(): Promise<void> {
    await this.#pulling.catch(() => {});
    await this.stream.cancel().catch(() => {});
  }
}

/** Checks the form for this file and PUTs it; the PUT's response, body already dropped. */
export async function uploadFile(upload: Upload): Promise<Response> {
  const { attributes: attrs, keys } = upload;
  if (!keys.length) throw new FormUnauthorized("invalid signature");
  const maxFileSize = pyIntOrThrow(
    attrs.get("max_file_size") || "0",
    "max_file_size not an integer",
  );

  const headers = new Headers();
  for (const name of COPIED_HEADERS) {
    const value = upload.req.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  headers.set("User-Agent", upload.userAgent);
  // The proxy must read the file to its end, not to a length the form never states.
  headers.set("Transfer-Encoding", "chunked");
  let path = upload.pathInfo;
  if (!path.endsWith("/") && path.split("/").length - 1 < 4) path += "/";
  path += strToWsgi(attrs.get("filename") || "filename");
  const deleteAt = attrs.get("x_delete_at");
  if (deleteAt !== undefined) {
    const at = pyIntOrThrow(deleteAt, "x_delete_at not an integer: Unix timestamp required.");
    headers.set("X-Delete-At", String(at));
  }
  const deleteAfter = attrs.get("x_delete_after");
  if (deleteAfter !== undefined) {
    const after = pyIntOrThrow(
      deleteAfter,
      "x_delete_after not an integer: Number of seconds required.",
    );
    headers.set("X-Delete-After", String(after));
  }
  if (attrs.has("content-type")) {
    headers.set("Content-Type", attrs.get("content-type") || "application/octet-stream");
  }
  if (attrs.has("content-encoding")) {
    headers.set("Content-Encoding", attrs.get("content-encoding")!);
  }

  const expires = pyIntOrThrow(attrs.get("expires") || "0", "expired not an integer");
  if (expires < BigInt(Math.ceil(upload.now))) throw new FormUnauthorized("form expired");

  // The signed fields as the form sent them, not as parsed ("010" stays "010").
  const hmacBody = encodeUtf8(
    [
      wsgiToStr(upload.pathInfo),
      attrs.get("redirect") || "",
      attrs.get("max_file_size") || "0",
      attrs.get("max_file_count") || "0",
      attrs.get("expires") || "0",
    ].join("\n"),
    "strict",
  );
  let hashName: string;
  let signature: string;
  try {
    [hashName, signature] = extractDigestAndAlgorithm(attrs.get("signature") ?? "");
  } catch {
    throw new FormUnauthorized("invalid signature");
  }
  if (!upload.allowedDigests.includes(hashName)) throw new FormUnauthorized("invalid signature");
  let valid = false;
  // Every key is tried, so the time taken does not tell which one matched.
  for (const key of keys) {
    const sig = createHmac(hashName, encodeUtf8(key, "strict")).update(hmacBody).digest("hex");
    if (streqConstTime(sig, signature)) valid = true;
  }
  if (!valid) throw new FormUnauthorized("invalid signature");

  const env: Record<string, unknown> = {};
  for (const key of COPIED_ENV) if (key in upload.ctx.env) env[key] = upload.ctx.env[key];
  env["swift.source"] = "FP";
  env["swift.authorize"] = () => Promise.resolve(undefined);
  env["swift.authorize_override"] = true;
  env.REMOTE_USER = ".wsgi.pre_authed";
  const body = new CappedBody(upload.doc, maxFileSize);
  const sub = requestFor(wsgiQuote(path), upload.req, {
    method: "PUT",
    headers,
    body: body.stream,
    duplex: "half",
  } as RequestInit);
  const subCtx: RequestContext = { ...upload.ctx, startTime: Date.now(), env };
  let resp: Response;
  try {
    resp = await upload.next(sub, subCtx);
  } catch (err) {
    await body.finish();
    if (body.exceeded) throw new FormInvalid("max_file_size exceeded");
    throw err;
  }
  await body.finish();
  await resp.body?.cancel();
  if (body.exceeded) throw new FormInvalid("max_file_size exceeded");
  return resp;
}
