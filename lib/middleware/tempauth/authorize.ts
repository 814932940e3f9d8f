/**
 * TempAuth.authorize() and denied_response(): what `swift.authorize` answers when the proxy
 * asks whether the user in REMOTE_USER may do this request, in Swift's order: reseller
 * admin, reseller reader, account owner (with require_group), container sync key, OPTIONS,
 * the container ACL's referrers and groups, then the account's X-Account-Access-Control.
 *
 * Groups come only from REMOTE_USER, which tempauth set from the token's cache entry (the
 * client cannot set environ keys), so a token for one account reaches another account only
 * through an ACL that names one of its groups.
 */
import {
  type AccountAcls,
  aclsFromAccountInfo,
  parseAclV1,
  parseAclV2,
  referrerAllowed,
} from "../../common/acl.ts";
import { pyRepr } from "../../common/python_repr.ts";
import type { RequestContext } from "../../server/context.ts";
import type { TempAuthSettings } from "./settings.ts";
import { splitPath, swobResponse, wsgiToStr } from "./swob.ts";

/** Request headers as swob reads them (lib/object/swob_headers.ts: undefined when absent). */
export interface AuthorizeHeaders {
  get(name: string): string | undefined;
  has(name: string): boolean;
  set(name: string, value: string): void;
  delete(name: string): void;
}

/**
 * What the proxy hands to `swift.authorize` (lib/proxy/call.ts): its swob-style request, the
 * pipeline context, and the container's read or write ACL (Swift's req.acl) when known.
 */
export interface AuthorizeRequest {
  readonly req: {
    readonly method: string;
    /** PATH_INFO: the percent-decoded path, one char per byte (`/v1/AUTH_test/c/o`). */
    readonly pathInfo: string;
    /**
     * Mutable: a valid X-Account-Access-Control is moved to
     * X-Account-Sysmeta-Core-Access-Control here, which the proxy then sends to the account.
     */
    readonly headers: AuthorizeHeaders;
  };
  /** ctx.env: REMOTE_USER and swift_sync_key are read, swift_owner is set. */
  readonly ctx: RequestContext;
  readonly acl?: string | null;
}

/** `swift.authorize`: undefined to let the request through, else the response to send. */
export type Authorize = (req: AuthorizeRequest) => Promise<Response | undefined>;

/** What authorize() knows of an account (get_account_info()'s sysmeta). */
export interface AccountInfo {
  readonly sysmeta?: Readonly<Record<string, unknown>>;
}

/** Looks an account's info up (get_account_info() with swift_source "TA"). */
export type AccountInfoLookup = (req: AuthorizeRequest) => Promise<AccountInfo>;

const SYSMETA_ACL = "X-Account-Sysmeta-Core-Access-Control";
const TEMPAUTH_ACL_KEYS = ["admin", "read-write", "read-only"];

/** _get_account_prefix(): the reseller prefix `account` starts with ("" last), or undefined. */
export function accountPrefix(
  settings: TempAuthSettings,
  account: string | undefined,
): string | undefined {
  if (account === undefined) return undefined;
  for (const prefix of settings.resellerPrefixes) {
    if (prefix !== "" && account.startsWith(prefix)) return prefix;
  }
  return settings.resellerPrefixes.includes("") ? "" : undefined;
}

/** _dot_account(): whether the name after the prefix starts with "." (Swift's own accounts). */
function dotAccount(settings: TempAuthSettings, account: string): boolean {
  const prefix = accountPrefix(settings, account);
  return prefix !== undefined && account[prefix.length] === ".";
}

/** denied_response(): 403 for a known user, 401 (with Www-Authenticate) for anonymous. */
export function deniedResponse({ req, ctx }: AuthorizeRequest): Response {
  return swobResponse(ctx.env.REMOTE_USER ? 403 : 401, req.method, { path: req.pathInfo });
}

/** json.dumps() of a str (ensure_ascii). */
function jsonString(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * extract_acl_and_report_errors(): Swift's message for an X-Account-Access-Control tempauth
 * cannot use, or undefined after moving the header to its sysmeta name.
 */
function extractAclErrors(headers: AuthorizeHeaders): string | undefined {
  const data = wsgiToStr(headers.get("X-Account-Access-Control")!);
  const result = parseAclV2(data);
  if (result === undefined) return `Syntax error in input (${pyRepr(data)})`;
  for (const key of Object.keys(result)) {
    if (!TEMPAUTH_ACL_KEYS.includes(key)) return `Key ${jsonString(key)} not recognized`;
  }
  for (const key of TEMPAUTH_ACL_KEYS) {
    if (!Object.hasOwn(result, key)) continue;
    const grantees = result[key];
    if (!Array.isArray(grantees)) return `Value for key ${jsonString(key)} must be a list`;
    if (!grantees.every((g) => typeof g === "string")) {
      return `Elements of ${jsonString(key)} list must be strings`;
    }
  }
  headers.set(SYSMETA_ACL, headers.get("X-Account-Access-Control")!);
  headers.delete("X-Account-Access-Control");
  return undefined;
}

/** The members of a stored ACL value as Python's set.intersection() iterates it. */
function members(value: unknown): string[] {
  if (Array.isArray(value)) {
    // Numbers never match a group; a list or dict in the list is unhashable: TypeError.
    if (value.some((v) => typeof v === "object" && v !== null)) {
      throw new TypeError("unhashable ACL member");
    }
    return value.filter((v): v is string => typeof v === "string");
  }
  if (typeof value === "string") return [...value];
  if (typeof value === "object" && value !== null) return Object.keys(value);
  // set.intersection(5) raises TypeError in Swift: a 500, not a grant.
  throw new TypeError(`ACL value ${JSON.stringify(value)} is not iterable`);
}

function intersects(groups: ReadonlySet<string>, value: unknown): boolean {
  return members(value).some((m) => groups.has(m));
}

/** TempAuth.authorize(). */
export async function authorize(
  settings: TempAuthSettings,
  request: AuthorizeRequest,
  lookup: AccountInfoLookup,
): Promise<Response | undefined> {
  const { req, ctx } = request;
  const env = ctx.env;
  let parts: (string | undefined)[];
  try {
    parts = splitPath(req.pathInfo, 1, 4, true);
  } catch {
    return swobResponse(404, req.method, { path: req.pathInfo });
  }
  const [, account, container, obj] = parts;
  if (accountPrefix(settings, account) === undefined) return deniedResponse(request);
  const owned = account!;

  const aclData = req.headers.get("X-Account-Access-Control");
  if (aclData !== undefined) {
    const error = extractAclErrors(req.headers);
    if (error) {
      return swobResponse(400, req.method, {
        body: `X-Account-Access-Control invalid: ${error}\n\nInput: ${aclData}\n`,
        headers: { "Content-Type": "text/plain; charset=UTF-8" },
      });
    }
  }

  const userGroups = String(env.REMOTE_USER || "").split(",");
  const method = req.method;
  const isRead = method === "GET" || method === "HEAD";
  const notResellerAccount = () =>
    !settings.resellerPrefixes.includes(owned) && !dotAccount(settings, owned);

  if (userGroups.includes(".reseller_admin") && notResellerAccount()) {
    env.swift_owner = true;
    return undefined;
  }
  if (userGroups.includes(".reseller_reader") && notResellerAccount() && isRead) {
    return undefined;
  }
  if (userGroups.includes(wsgiToStr(owned)) && (!["DELETE", "PUT"].includes(method) || container)) {
    // The user is an admin of the account, and not creating or deleting the account itself.
    const requireGroup = settings.requireGroups.get(accountPrefix(settings, owned)!) ?? "";
    if (!requireGroup || userGroups.includes(requireGroup)) {
      env.swift_owner = true;
      return undefined;
    }
  }

  const syncKey = env.swift_sync_key;
  if (
    syncKey && syncKey === req.headers.get("X-Container-Sync-Key") &&
    req.headers.has("X-Timestamp")
  ) {
    return undefined;
  }
  if (method === "OPTIONS") return undefined;

  const { referrers, groups } = parseAclV1(request.acl);
  if (referrerAllowed(req.headers.get("Referer"), referrers)) {
    if (obj || groups.includes(".rlistings")) return undefined;
  }
  if (userGroups.some((group) => groups.includes(group))) return undefined;

  const acls: AccountAcls | undefined = aclsFromAccountInfo(await lookup(request));
  if (acls) {
    const mine = new Set(userGroups);
    if (intersects(mine, acls.admin)) {
      env.swift_owner = true;
      return undefined;
    }
    // read-write allows everything in containers, but only reads of the account itself.
    if (intersects(mine, acls["read-write"]) && (container || isRead)) return undefined;
    if (intersects(mine, acls["read-only"]) && isRead) return undefined;
  }
  return deniedResponse(request);
}
