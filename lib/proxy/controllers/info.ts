/**
 * InfoController (swift/proxy/controllers/info.py): GET/HEAD /info with the registered
 * capabilities, less disallowed_sections; with swiftinfo_sig and swiftinfo_expires signed by
 * admin_key (HMAC-SHA1 of "METHOD\nEXPIRES\n/info"), everything plus the admin section.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { pythonJsonDumps } from "../../common/python_json.ts";
import { swobResponse } from "../../object/swob_response.ts";
import type { ProxyCall } from "../call.ts";
import { SWIFT_INFO } from "../../common/swift_info.ts";
import type { Action, Controller } from "./base.ts";

/** Methods whose signature a HEAD or GET may carry (a GET signature does not allow HEAD). */
const ALLOWED_HMAC_METHODS: Record<string, readonly string[]> = {
  HEAD: ["HEAD", "GET"],
  GET: ["GET"],
};

/** get_hmac(method, "/info", expires, key) with SHA-1. */
export function infoHmac(method: string, expires: number, key: string): string {
  return createHmac("sha1", key).update(`${method}\n${expires}\n/info`).digest("hex");
}

/** The /info controller. */
export function infoController(): Controller {
  const getOrHead: Action = { run: infoGetOrHead, delayDenial: true };
  return {
    GET: getOrHead,
    HEAD: getOrHead,
    OPTIONS: {
      run: (call) =>
        Promise.resolve(
          swobResponse(call.req, { status: 200, headers: { Allow: "HEAD, GET, OPTIONS" } }),
        ),
      delayDenial: true,
    },
  };
}

function infoGetOrHead(call: ProxyCall): Promise<Response> {
  const { settings } = call.app;
  const { req } = call;
  if (!settings.exposeInfo) return Promise.resolve(swobResponse(req, { status: 403 }));
  const sig = call.params.get("swiftinfo_sig") ?? "";
  const expiresText = call.params.get("swiftinfo_expires") ?? "";
  let admin = false;
  if (sig !== "" || expiresText !== "") {
    admin = true;
    if (!settings.adminKey) return Promise.resolve(swobResponse(req, { status: 403 }));
    const expires = /^\s*[+-]?\d+\s*$/.test(expiresText) ? Number(expiresText) : NaN;
    if (Number.isNaN(expires) || expires < Date.now() / 1000) {
      return Promise.resolve(swobResponse(req, { status: 401 }));
    }
    const valid = (ALLOWED_HMAC_METHODS[req.method] ?? []).some((method) =>
      constantTimeEqual(infoHmac(method, expires, settings.adminKey!), sig)
    );
    if (!valid) return Promise.resolve(swobResponse(req, { status: 401 }));
  }
  const headers: Record<string, string> = { "Content-Type": "application/json; charset=UTF-8" };
  const origin = req.headers.get("Origin");
  if (origin !== undefined) {
    headers["Access-Control-Allow-Origin"] = origin;
    headers["Access-Control-Expose-Headers"] = "x-trans-id";
  }
  const info = SWIFT_INFO.get({ admin, disallowedSections: settings.disallowedSections });
  return Promise.resolve(
    swobResponse(req, { status: 200, headers, body: pythonJsonDumps(info) }),
  );
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
