/**
 * AccountController (swift/proxy/controllers/account.py): HEAD/GET (listings fetched as JSON,
 * a fake empty listing for missing accounts under account_autocreate), and PUT/POST/DELETE,
 * PUT and DELETE only with allow_account_management.
 */
import { listingContentType } from "../../common/listing_formats.ts";
import { Timestamp } from "../../common/timestamp.ts";
import { swobResponse } from "../../object/swob_response.ts";
import { SwobError } from "../../object/swob_status.ts";
import { generateRequestHeaders } from "../backend.ts";
import { isSwiftOwner, type ProxyCall } from "../call.ts";
import { checkMetadata } from "../check_metadata.ts";
import { optionsAction, publishedMethods } from "../cors.ts";
import { clearInfoCache, setInfoCache } from "../info_cache.ts";
import { makeRequests } from "../make_requests.ts";
import {
  type Action,
  autocreateAccount,
  type Controller,
  getOrHeadBase,
  listingQuery,
  nameLengthLimit,
  type Target,
  withStatus,
} from "./base.ts";

const ACCOUNT_TRANSFER = { serverType: "account", passThrough: [], removeHeaders: [] };
const ACCESS_CONTROL_SYSMETA = "x-account-sysmeta-core-access-control";

/** The account controller for `target`. */
export function accountController(target: Target, allowManagement: boolean): Controller {
  const action = (run: (call: ProxyCall) => Promise<Response>): Action => ({
    run,
    delayDenial: false,
  });
  const getOrHead = action((call) => accountGetOrHead(call, target));
  // Swift leaves the account's GET and HEAD without @cors_validation; OPTIONS has no container.
  const table: Controller = {
    GET: getOrHead,
    HEAD: getOrHead,
    POST: action((call) => accountPost(call, target)),
    OPTIONS: optionsAction(target, () => publishedMethods(table)),
    ...(allowManagement
      ? {
        PUT: action((call) => accountPut(call, target)),
        DELETE: action((call) => accountDelete(call, target)),
      }
      : {}),
  };
  return table;
}

function checkNameLength(call: ProxyCall, account: string): void {
  const limit = nameLengthLimit(call, account, call.app.swiftConf.constraints.maxAccountNameLength);
  const length = [...account].length;
  if (length > limit) {
    throw new SwobError(400, { body: `Account name length of ${length} longer than ${limit}` });
  }
}

async function accountGetOrHead(call: ProxyCall, target: Target): Promise<Response> {
  const account = target.account;
  // Not cached: a bad name is cheap to recompute and says nothing about the account.
  checkNameLength(call, account);
  const { app } = call;
  const partition = app.accountRing.getPart(account);
  let response = await getOrHeadBase(call, {
    serverType: "Account",
    ring: app.accountRing,
    partition,
    path: target.entityPath.replace(/\/+$/, ""),
    query: listingQuery(call, { format: "json" }),
  });
  if (response.status === 404) {
    if ((response.headers.get("X-Account-Status") ?? "").toLowerCase() === "deleted") {
      response = withStatus(response, 410);
    } else if (app.settings.accountAutocreate) {
      await response.body?.cancel();
      response = fakeAccountListing(call, target);
    }
  }
  response.headers.set(
    "X-Backend-Recheck-Account-Existence",
    String(app.settings.recheckAccountExistence),
  );
  await setInfoCache(call.ctx, { account }, response, app.swiftConf.policies);
  if (isSwiftOwner(call)) addAclsFromSysMetadata(call, response);
  else for (const name of app.settings.swiftOwnerHeaders) response.headers.delete(name);
  return response;
}

/** account_listing_response() over FakeAccountBroker: an empty, existing-looking account. */
function fakeAccountListing(call: ProxyCall, target: Target): Response {
  const now = Timestamp.now();
  const type = listingContentType(call.req, call.params);
  const headers: Record<string, string> = {
    "X-Account-Container-Count": "0",
    "X-Account-Object-Count": "0",
    "X-Account-Bytes-Used": "0",
    "X-Timestamp": now.normal,
    "X-PUT-Timestamp": now.normal,
    "Content-Type": `${type}; charset=utf-8`,
    "X-Backend-Fake-Account-Listing": "yes",
  };
  const account = target.entityPath.slice(1).replace(/\/+$/, "");
  if (type.endsWith("/xml")) {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<account name="${account}"></account>`;
    return swobResponse(call.req, { status: 200, headers, body });
  }
  if (type.endsWith("/json")) return swobResponse(call.req, { status: 200, headers, body: "[]" });
  return swobResponse(call.req, { status: 204, headers, body: "" });
}

/** add_acls_from_sys_metadata(): the account ACL sysmeta shown as X-Account-Access-Control. */
function addAclsFromSysMetadata(call: ProxyCall, response: Response): void {
  if (!["HEAD", "GET", "PUT", "POST"].includes(call.req.method)) return;
  const data = response.headers.get(ACCESS_CONTROL_SYSMETA);
  response.headers.delete(ACCESS_CONTROL_SYSMETA);
  const acl = parseAclV2(data);
  if (acl && Object.keys(acl).length > 0) {
    response.headers.set("X-Account-Access-Control", formatAclV2(acl));
  }
}

function parseAclV2(data: string | null): Record<string, unknown> | undefined {
  if (!data) return undefined;
  try {
    const parsed = JSON.parse(data);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** json.dumps(acl, ensure_ascii=True, separators=(",", ":"), sort_keys=True). */
function formatAclV2(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(formatAclV2).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
    return `{${entries.map(([k, v]) => `${formatAclV2(k)}:${formatAclV2(v)}`).join(",")}}`;
  }
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

async function accountWrite(call: ProxyCall, target: Target, method: "PUT" | "POST") {
  const { app } = call;
  const account = target.account;
  const { part, nodes } = app.accountRing.getNodes(account);
  const headers = generateRequestHeaders(call, { transfer: ACCOUNT_TRANSFER });
  await clearInfoCache(call.ctx, account);
  return await makeRequests(call, {
    ring: app.accountRing,
    partition: part,
    method,
    path: target.entityPath,
    headers: nodes.map(() => new Headers(headers)),
    serverType: "Account",
  });
}

async function accountPost(call: ProxyCall, target: Target): Promise<Response> {
  checkNameLength(call, target.account);
  checkMetadata(call.req, "account", call.app.swiftConf.constraints);
  let response = await accountWrite(call, target, "POST");
  if (response.status === 404 && call.app.settings.accountAutocreate) {
    await response.body?.cancel();
    await autocreateAccount(call, target.account);
    response = await accountWrite(call, target, "POST");
  }
  addAclsFromSysMetadata(call, response);
  return response;
}

async function accountDelete(call: ProxyCall, target: Target): Promise<Response> {
  const account = target.account;
  // A query string here is most likely a typo for middleware's bulk delete.
  if (call.req.url.search.length > 1) throw new SwobError(400);
  const { app } = call;
  const { part, nodes } = app.accountRing.getNodes(account);
  const headers = generateRequestHeaders(call);
  await clearInfoCache(call.ctx, account);
  return await makeRequests(call, {
    ring: app.accountRing,
    partition: part,
    method: "DELETE",
    path: target.entityPath,
    headers: nodes.map(() => new Headers(headers)),
    serverType: "Account",
  });
}

/** Account PUT (allow_account_management): metadata and name checked first. */
async function accountPut(call: ProxyCall, target: Target): Promise<Response> {
  checkMetadata(call.req, "account", call.app.swiftConf.constraints);
  checkNameLength(call, target.account);
  const response = await accountWrite(call, target, "PUT");
  addAclsFromSysMetadata(call, response);
  return response;
}
