/**
 * egg:swift#formpost (swift/common/middleware/formpost.py, Swift 2.30): a browser form
 * (multipart/form-data POST to /v1/a/c[/prefix]) uploads its files as objects, without a
 * token, when its `signature` field is the HMAC of
 * `PATH\nREDIRECT\nMAX_FILE_SIZE\nMAX_FILE_COUNT\nEXPIRES` (the fields as sent) under one of
 * the account's or container's temp URL keys and `expires` has not passed.
 *
 * Fields are read in order as the body streams in; each file part becomes a pre-authorized
 * PUT subrequest (swift.source "FP") of PATH + "/" + filename, its data streamed from the
 * form without buffering and cut off past max_file_size. Only fields before a file apply to
 * it (and are what its signature is checked against), as in Swift. The answer is the last
 * PUT's status line (or the error's) as text/plain, or, with a `redirect` field, a 303 to
 * it with `status` and `message` added to its query.
 *
 * Refusals, as Swift words them: 400 text/plain "FormPost: invalid starting boundary",
 * "FormPost: max_file_size exceeded", "FormPost: <field> not an integer..."; 401
 * "FormPost: Invalid Signature" / "FormPost: Form Expired"; the per-form limits (max file
 * count, no files) as the answer's status and message. Deviation: a part whose headers pass
 * 1 MiB is refused with 400 "FormPost: MIME headers too long", where Swift would buffer
 * them whole (multipart.ts). Keys come from account and container info, swift.source "FP".
 *
 * Not done: the statsd counter formpost.digests.<algo>.
 */
import { optionsOf, type StageConfig } from "../config/load.ts";
import { FORMPOST_FILTER } from "../config/options/formpost.ts";
import type { AllowedDigests } from "../config/options/tempurl.ts";
import { RESPONSE_REASONS } from "../common/response_reasons.ts";
import { pyQuote, pyTitle } from "../object/wsgi_text.ts";
import type { RequestContext } from "../server/context.ts";
import type { BuildContext, Filter, Handler } from "./compose.ts";
import { validApiVersion } from "./_info_lookup.ts";
import { parseContentDisposition, parseMimeHeaders } from "./formpost/mime_headers.ts";
import {
  BodyReader,
  iterMultipartMimeDocuments,
  type MimeDocument,
  MimeHeadersTooLong,
  MimeInvalid,
} from "./formpost/multipart.ts";
import { FormInvalid, FormUnauthorized, pyIntOrThrow, uploadFile } from "./formpost/upload.ts";
import { tempurlKeys } from "./tempurl/keys.ts";
import { pathInfoOf } from "./tempurl/python_text.ts";

/** The size of the form's reads and the longest field value kept (the rest is dropped). */
const READ_CHUNK_SIZE = 4096;
const MAX_VALUE_LENGTH = 4096;

/** What formpostFilterWith() takes besides the allowed digests. */
export interface FormpostOptions {
  /** Seconds since the epoch (Swift's time()); tests pass a fixed one. */
  readonly clock?: () => number;
}

/** register_swift_info('formpost', ...): the /info section. */
export function formpostInfo(
  options: { readonly allowed_digests: AllowedDigests } = {
    allowed_digests: {
      allowed: ["sha1", "sha256", "sha512"],
      deprecated: ["sha1"],
      byDefault: true,
    },
  },
): Record<string, unknown> {
  const info: Record<string, unknown> = { allowed_digests: [...options.allowed_digests.allowed] };
  if (options.allowed_digests.deprecated.length) {
    info.deprecated_digests = [...options.allowed_digests.deprecated];
  }
  return info;
}

/** Builds the formpost filter from its [filter:formpost] stage. */
export function formpostFilter(stage: StageConfig, build: BuildContext): Filter {
  const { allowed_digests } = optionsOf(stage, FORMPOST_FILTER);
  if (allowed_digests.byDefault && allowed_digests.deprecated.length) {
    build.logger.warning(
      `The following digest algorithms are allowed by default but deprecated: ` +
        `${allowed_digests.deprecated.join(", ")}. Support will be disabled by default in a ` +
        `future release, and later removed entirely.`,
    );
  }
  return formpostFilterWith(allowed_digests.allowed);
}

const encoder = new TextEncoder();

/** A text/plain 400 as formpost writes it by hand. */
function badRequest(message: string): Response {
  const body = encoder.encode(message);
  return new Response(body, {
    status: 400,
    statusText: "Bad Request",
    headers: { "Content-Type": "text/plain", "Content-Length": String(body.length) },
  });
}

/** HTTPUnauthorized(body=...) made without a request: the realm is "unknown". */
function unauthorized(message: string): Response {
  const body = encoder.encode(message);
  return new Response(body, {
    status: 401,
    headers: {
      "Content-Type": "text/html; charset=UTF-8",
      "Content-Length": String(body.length),
      "Www-Authenticate": 'Swift realm="unknown"',
    },
  });
}

/** Python's str.rstrip("\r\n-"). */
function rstripField(text: string): string {
  return text.replace(/[\r\n-]+$/, "");
}

/** A field's value: at most MAX_VALUE_LENGTH bytes kept, the rest of the part read and dropped. */
async function readField(doc: MimeDocument): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let left = MAX_VALUE_LENGTH;
  while (left) {
    const chunk = await doc.read(left);
    if (!chunk.length) break;
    left -= chunk.length;
    parts.push(chunk.slice());
  }
  while ((await doc.read(READ_CHUNK_SIZE)).length);
  const out = new Uint8Array(MAX_VALUE_LENGTH - left);
  let at = 0;
  for (const part of parts) out.set(part, at), at += part.length;
  return out;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The status line of a response: swob's reason for its code. */
function statusLine(resp: Response): string {
  return `${resp.status} ${RESPONSE_REASONS[resp.status]?.[0] ?? (resp.statusText || "Unknown")}`;
}

/** Builds the formpost filter. */
export function formpostFilterWith(
  allowedDigests: readonly string[],
  options: FormpostOptions = {},
): Filter {
  const clock = options.clock ?? (() => Date.now() / 1000);

  return (next: Handler) => {
    /** FormPost._get_keys(): none unless the path names a container of a valid API version. */
    async function keysFor(req: Request, ctx: RequestContext, path: string): Promise<string[]> {
      const parts = path.split("/");
      if (parts.length < 4 || parts[0] || !validApiVersion(parts[1]) || !parts[2] || !parts[3]) {
        return [];
      }
      const keys = await tempurlKeys({ next, req, ctx, source: "FP" }, path);
      return [...keys.account, ...keys.container];
    }

    /** _translate_form(): uploads the files, then answers. */
    async function translateForm(
      req: Request,
      ctx: RequestContext,
      boundary: string,
      userAgent: string,
    ): Promise<Response> {
      const pathInfo = pathInfoOf(req);
      const keys = await keysFor(req, ctx, pathInfo);
      const input = new BodyReader(req.body);
      let status = "";
      let message = "";
      const attributes = new Map<string, string>();
      let subheaders = new Headers();
      let fileCount = 0;
      try {
        for await (
          const doc of iterMultipartMimeDocuments(input, encoder.encode(boundary), READ_CHUNK_SIZE)
        ) {
          const hdrs = await parseMimeHeaders(doc);
          const [disposition, attrs] = parseContentDisposition(
            hdrs.get("Content-Disposition") ?? "",
          );
          if (disposition === "form-data" && attrs.get("filename")) {
            fileCount++;
            const maxCount = attributes.get("max_file_count") || "0";
            const limit = pyIntOrThrow(maxCount, "max_file_count not an integer");
            if (BigInt(fileCount) > limit) {
              status = "400 Bad Request";
              message = "max file count exceeded";
              break;
            }
            const fileAttributes = new Map(attributes);
            fileAttributes.set("filename", attrs.get("filename") || "filename");
            if (!attributes.has("content-type") && hdrs.has("Content-Type")) {
              fileAttributes.set(
                "content-type",
                hdrs.get("Content-Type") || "application/octet-stream",
              );
            }
            if (!attributes.has("content-encoding") && hdrs.has("Content-Encoding")) {
              fileAttributes.set("content-encoding", hdrs.get("Content-Encoding")!);
            }
            const resp = await uploadFile({
              next,
              req,
              ctx,
              pathInfo,
              userAgent,
              attributes: fileAttributes,
              doc,
              keys,
              allowedDigests,
              now: clock(),
            });
            status = statusLine(resp);
            subheaders = resp.headers;
            if (!status.startsWith("2")) break;
          } else {
            // Invalid UTF-8 in a field is an error Swift does not catch (a 500).
            const data = strictUtf8.decode(await readField(doc));
            const name = attrs.get("name");
            if (name !== undefined) attributes.set(name.toLowerCase(), rstripField(data));
          }
        }
      } finally {
        await input.cancel();
      }
      if (!status) {
        status = "400 Bad Request";
        message = "no files to process";
      }
      const headers = new Headers();
      for (const [name, value] of subheaders) {
        if (name.toLowerCase().startsWith("access-control")) headers.append(name, value);
      }
      const redirect = attributes.get("redirect");
      if (!redirect) {
        const text = message ? `${status}\r\nFormPost: ${pyTitle(message)}` : status;
        headers.set("Content-Type", "text/plain");
        headers.set("Content-Length", String(text.length));
        const code = Number(status.split(" ")[0]);
        return new Response(encoder.encode(text), {
          status: code,
          statusText: status.slice(status.indexOf(" ") + 1),
          headers,
        });
      }
      const location = `${redirect}${redirect.includes("?") ? "&" : "?"}` +
        `status=${pyQuote(status.split(" ")[0])}&message=${pyQuote(message)}`;
      const body = encoder.encode(
        `<html><body><p><a href="${location}">Click to continue...</a></p></body></html>`,
      );
      headers.set("Location", location);
      headers.set("Content-Length", String(body.length));
      return new Response(body, { status: 303, statusText: "See Other", headers });
    }

    return async function formpost(req: Request, ctx: RequestContext): Promise<Response> {
      if (req.method !== "POST") return await next(req, ctx);
      const [contentType, attrs] = parseContentDisposition(req.headers.get("Content-Type") ?? "");
      const boundary = attrs.get("boundary");
      if (contentType !== "multipart/form-data" || boundary === undefined) {
        return await next(req, ctx);
      }
      const userAgent = `${req.headers.get("User-Agent") ?? ""} FormPost`.trim();
      try {
        return await translateForm(req, ctx, boundary, userAgent);
      } catch (err) {
        if (err instanceof MimeInvalid) return badRequest("FormPost: invalid starting boundary");
        if (err instanceof MimeHeadersTooLong) {
          return badRequest("FormPost: MIME headers too long");
        }
        if (err instanceof FormInvalid) return badRequest(`FormPost: ${err.message}`);
        if (err instanceof FormUnauthorized) {
          return unauthorized(`FormPost: ${pyTitle(err.message)}`);
        }
        throw err;
      }
    };
  };
}
