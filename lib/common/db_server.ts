/**
 * What Swift's account and container servers share (BaseStorageServer and their __call__):
 * the UTF-8 check of the path (412), dispatch through a method table (405 for the rest),
 * swob errors answered as responses and anything unexpected as a logged 500 with the trace as
 * body, OPTIONS, the access log line, and the per-request path, drive and free-space checks.
 */
import type { FallocateReserve } from "../config/values.ts";
import type { SwiftLogger } from "../log/logger.ts";
import type { Handler } from "../middleware/compose.ts";
import type { RequestContext } from "../server/context.ts";
import { HttpError } from "../server/http_error.ts";
import { checkUtf8, splitPath, validateDevicePartition } from "../object/request_path.ts";
import { SWIFT_VERSION } from "../object/settings.ts";
import { errorResponse, swobResponse } from "../object/swob_response.ts";
import { SwobRequest } from "../object/swob_request.ts";
import { SwobError } from "../object/swob_status.ts";
import { latin1, latin1Bytes, utf8 } from "../object/wsgi_text.ts";
import type { DbCluster } from "./db_cluster.ts";
import { checkDrive } from "./drive_check.ts";
import { fsHasFreeSpace } from "./fs_free_space.ts";
import { storageLogFieldsOf, storageLogLine } from "./storage_access_log.ts";

/** Settings every account and container server reads (BaseStorageServer and __init__). */
export interface DbServerSettings {
  /** `devices`: the directory of the device mount points. */
  readonly devices: string;
  readonly mountCheck: boolean;
  readonly fallocateReserve: FallocateReserve;
  readonly replicationServer: boolean;
  readonly logRequests: boolean;
  readonly logFormat: string;
  readonly logAnonymizationMethod: string;
  readonly logAnonymizationSalt: string;
  /** auto_create_account_prefix: the app option when set, else swift.conf's. */
  readonly autoCreateAccountPrefix: string;
  readonly cluster: DbCluster;
}

/** One request being served. */
export interface DbCall {
  readonly req: SwobRequest;
  /** The request's logger, carrying its X-Trans-Id. */
  readonly logger: SwiftLogger;
}

/** Answers one HTTP method. */
export type DbHandler = (call: DbCall) => Promise<Response>;

/** How one server (account or container) answers. */
export interface DbServerSpec {
  /** "account-server" or "container-server" (OPTIONS' Server header). */
  readonly serverType: string;
  /** The 412 body for a path that is not UTF-8 (the two servers word it differently). */
  readonly invalidPathBody: string;
  /** The methods served, OPTIONS excluded (it is added here). */
  readonly methods: Readonly<Record<string, DbHandler>>;
  readonly settings: DbServerSettings;
  /** The access line's additional_info for a response. */
  readonly additionalInfo?: (res: Response) => string;
}

/** The server as a Handler. */
export function dbServer(spec: DbServerSpec): Handler {
  const names = [...Object.keys(spec.methods), "OPTIONS"].sort();
  const allow = names.join(", ");
  const table: Record<string, DbHandler> = {
    ...spec.methods,
    OPTIONS: ({ req }) =>
      Promise.resolve(swobResponse(req, {
        status: 200,
        headers: { Allow: allow, Server: `${spec.serverType}/${SWIFT_VERSION}` },
      })),
  };
  const settings = spec.settings;

  return async function dbController(raw: Request, ctx: RequestContext): Promise<Response> {
    const start = performance.now();
    const req = new SwobRequest(raw, ctx.remoteAddr.hostname);
    const txnId = req.headers.get("X-Trans-Id");
    const logger = txnId ? ctx.logger.child({ txnId }) : ctx.logger;
    let res: Response;
    try {
      if (!checkUtf8(req.pathInfo, true)) {
        throw new SwobError(412, { body: spec.invalidPathBody });
      }
      const handler = Object.hasOwn(table, req.method) ? table[req.method] : undefined;
      if (!handler) throw new SwobError(405);
      res = await handler({ req, logger });
    } catch (err) {
      res = errorAnswer(req, err, logger);
    }
    if (settings.logRequests) {
      const transTime = (performance.now() - start) / 1000;
      const line = storageLogLine(
        storageLogFieldsOf(raw, res, {
          remoteAddr: req.remoteAddr,
          transTime,
          additionalInfo: spec.additionalInfo?.(res),
        }),
        {
          format: settings.logFormat,
          anonymizationMethod: settings.logAnonymizationMethod,
          anonymizationSalt: settings.logAnonymizationSalt,
        },
      );
      if (req.method === "REPLICATE") logger.debug(line);
      else logger.info(line);
    }
    return res;
  };
}

/** The response for what a handler threw; unexpected errors are logged and become a 500. */
function errorAnswer(req: SwobRequest, err: unknown, logger: SwiftLogger): Response {
  if (err instanceof SwobError) return errorResponse(req, err);
  if (err instanceof HttpError) {
    return swobResponse(req, { status: err.status, headers: err.headers, body: err.message });
  }
  logger.exception(`ERROR __call__ error with ${req.method} ${req.path} `, err);
  const trace = err instanceof Error ? err.stack ?? String(err) : String(err);
  return swobResponse(req, { status: 500, body: trace });
}

/**
 * split_and_validate_path(): the path's segments as text (undefined when absent); 400 with
 * Swift's "Invalid path" or "Invalid device/partition" message.
 */
export function splitAndValidatePath(
  req: SwobRequest,
  min: number,
  max = min,
  restWithLast = false,
): (string | undefined)[] {
  let segs: (string | undefined)[];
  try {
    segs = splitPath(req.pathInfo, min, max, restWithLast);
    validateDevicePartition(segs[0], segs[1]);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new SwobError(400, { body: err.message, contentType: "text/plain" });
  }
  // __call__ checked that the whole path is UTF-8.
  return segs.map((seg) => seg === undefined ? undefined : wsgiToStr(seg));
}

/** json.load(wsgi.input), or 400 with the parse error as text/plain. */
export async function jsonBody(req: SwobRequest): Promise<unknown> {
  const text = await req.raw.text();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SwobError(400, { body: (err as Error).message, contentType: "text/plain" });
  }
}

/** check_drive(), answering 507 naming the drive when it cannot be used. */
export function checkDriveOr507(settings: DbServerSettings, drive: string): string {
  try {
    return checkDrive(settings.devices, drive, settings.mountCheck);
  } catch (err) {
    if (err instanceof RangeError) throw new SwobError(507, { drive });
    throw err;
  }
}

/** check_free_space(): 507 when the drive is below fallocate_reserve. */
export function checkFreeSpaceOr507(settings: DbServerSettings, drive: string): void {
  if (!fsHasFreeSpace(`${settings.devices}/${drive}`, settings.fallocateReserve)) {
    throw new SwobError(507, { drive });
  }
}

/** swob's str_to_wsgi(): text as the WSGI string of its UTF-8 bytes (a header value). */
export function strToWsgi(text: string): string {
  return latin1(utf8(text));
}

/**
 * swob's wsgi_to_str(): a WSGI string's bytes decoded as UTF-8, each byte that is not part of
 * valid UTF-8 kept as a lone surrogate (Python's surrogateescape), so validation can refuse it.
 */
export function wsgiToStr(wsgi: string): string {
  const bytes = latin1Bytes(wsgi);
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length === 0) {
      out += String.fromCharCode(0xdc00 + bytes[i]);
      i += 1;
    } else {
      out += utf8Decoder.decode(bytes.subarray(i, i + length));
      i += length;
    }
  }
  return out;
}

const utf8Decoder = new TextDecoder();

/** The length of the valid UTF-8 sequence at `at`, or 0 (Python's codec refuses surrogates). */
function sequenceLength(bytes: Uint8Array, at: number): number {
  const first = bytes[at];
  if (first < 0x80) return 1;
  const need = first >= 0xc2 && first <= 0xdf
    ? 1
    : first >= 0xe0 && first <= 0xef
    ? 2
    : first >= 0xf0 && first <= 0xf4
    ? 3
    : 0;
  if (!need || at + need >= bytes.length) return 0;
  for (let k = 1; k <= need; k++) if ((bytes[at + k] & 0xc0) !== 0x80) return 0;
  const second = bytes[at + 1];
  // Overlong forms, surrogates and values past U+10FFFF.
  if (first === 0xe0 && second < 0xa0) return 0;
  if (first === 0xed && second >= 0xa0) return 0;
  if (first === 0xf0 && second < 0x90) return 0;
  if (first === 0xf4 && second >= 0x90) return 0;
  return need + 1;
}

/** is_sys_or_user_meta(serverType, key): X-<Type>-Meta-* or X-<Type>-Sysmeta-* with a name. */
export function isSysOrUserMeta(serverType: "account" | "container", key: string): boolean {
  const lower = key.toLowerCase();
  const user = `x-${serverType}-meta-`;
  const sys = `x-${serverType}-sysmeta-`;
  return (key.length > user.length && lower.startsWith(user)) ||
    (key.length > sys.length && lower.startsWith(sys));
}
