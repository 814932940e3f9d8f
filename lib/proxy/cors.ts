/**
 * CORS in the proxy (swift/proxy/controllers/base.py): the OPTIONS handler every controller
 * publishes (preflight checked against the container's X-Container-Meta-Access-Control-*
 * and cors_allow_origin), and cors_validation, which the container and object methods wear:
 * a request with an Origin gets Access-Control-Allow-Origin and -Expose-Headers on the
 * response its method returned. Errors the method throws (Swift's raised HTTPExceptions)
 * pass through without them, as they do in Swift.
 */
import { swobResponse } from "../object/swob_response.ts";
import type { ProxyCall } from "./call.ts";
import { type Action, containerInfo, type HttpMethod } from "./controllers/base.ts";

/** A container's CORS settings as get_container_info() reports them. */
export interface CorsInfo {
  readonly allow_origin?: string | null;
  readonly expose_headers?: string | null;
  readonly max_age?: string | null;
}

/** Response headers every CORS response exposes (simple ones and Swift's own). */
const EXPOSED_ALWAYS = [
  "cache-control",
  "content-language",
  "content-type",
  "expires",
  "last-modified",
  "pragma",
  "etag",
  "x-timestamp",
  "x-trans-id",
  "x-openstack-request-id",
];

/** is_origin_allowed(): the container's space-separated origins plus cors_allow_origin. */
export function isOriginAllowed(
  cors: CorsInfo,
  origin: string,
  clusterOrigins: readonly string[],
): boolean {
  const allowed = new Set(
    (cors.allow_origin ?? "").split(" ").map((a) => a.trim()).filter((a) => a !== ""),
  );
  for (const a of clusterOrigins) allowed.add(a);
  return allowed.has(origin) || allowed.has("*");
}

/** The cors dict of the container's info (all null for a container that does not exist). */
async function corsOf(call: ProxyCall, account: string, container: string): Promise<CorsInfo> {
  const info = await containerInfo(call, account, container);
  return (info.cors as CorsInfo | undefined) ?? {};
}

/** Where a controller's CORS info comes from: its container; an account has none. */
export interface CorsTarget {
  readonly account: string;
  readonly container?: string;
}

/** Controller.OPTIONS(): Allow for everyone, and the preflight answer for an Origin. */
export function optionsAction(target: CorsTarget, allowed: () => readonly string[]): Action {
  return {
    delayDenial: false,
    run: async (call) => {
      const allow = allowed().join(", ");
      const plain = () => swobResponse(call.req, { status: 200, headers: { Allow: allow } });
      const origin = call.req.headers.get("Origin");
      if (!origin || target.container === undefined) return plain();
      const cors = await corsOf(call, target.account, target.container);
      const method = call.req.headers.get("Access-Control-Request-Method");
      if (
        !isOriginAllowed(cors, origin, call.app.settings.corsAllowOrigin) ||
        method === undefined || !allowed().includes(method)
      ) {
        // Swift sets the status on the prepared 200, so Allow stays and no challenge is added.
        return swobResponse(call.req, { status: 401, headers: { Allow: allow } });
      }
      // Swift replaces the response's headers wholesale here, so no Content-Type is sent.
      const headers = new Headers({ Allow: allow });
      const vary: string[] = [];
      if (cors.allow_origin && cors.allow_origin.trim() === "*") {
        headers.set("Access-Control-Allow-Origin", "*");
      } else {
        headers.set("Access-Control-Allow-Origin", origin);
        vary.push("Origin");
      }
      if (cors.max_age !== null && cors.max_age !== undefined) {
        headers.set("Access-Control-Max-Age", cors.max_age);
      }
      headers.set("Access-Control-Allow-Methods", allow);
      const requested = [
        ...new Set(
          (call.req.headers.get("Access-Control-Request-Headers") ?? "").split(",")
            .map((h) => h.trim()).filter((h) => h !== ""),
        ),
      ];
      if (requested.length > 0) {
        headers.set("Access-Control-Allow-Headers", requested.join(", "));
        vary.push("Access-Control-Request-Headers");
      }
      if (vary.length > 0) headers.set("Vary", vary.join(", "));
      return new Response(null, { status: 200, headers });
    },
  };
}

/** @cors_validation: `action` with the CORS response headers added for requests with Origin. */
export function corsValidation(target: Required<CorsTarget>, action: Action): Action {
  return {
    delayDenial: action.delayDenial,
    run: async (call) => {
      const origin = call.req.headers.get("Origin");
      if (!origin) return await action.run(call);
      // Looked up before the method runs, as Swift does: a PUT must not see its own result.
      const cors = await corsOf(call, target.account, target.container);
      const response = await action.run(call);
      const { settings } = call.app;
      if (settings.strictCorsMode && !isOriginAllowed(cors, origin, settings.corsAllowOrigin)) {
        return response;
      }
      // The controllers' responses are built here, never fetch()'s, so their headers can change.
      const { headers } = response;
      if (!headers.has("Access-Control-Expose-Headers")) {
        const expose = new Set([...EXPOSED_ALWAYS, ...settings.corsExposeHeaders]);
        for (const name of headers.keys()) {
          if (name.startsWith("x-container-meta") || name.startsWith("x-object-meta")) {
            expose.add(name);
          }
        }
        for (const name of (cors.expose_headers ?? "").split(" ")) {
          if (name.trim()) expose.add(name.trim().toLowerCase());
        }
        headers.set("Access-Control-Expose-Headers", [...expose].join(", "));
      }
      if (!headers.has("Access-Control-Allow-Origin")) {
        if (cors.allow_origin && cors.allow_origin.trim() === "*") {
          headers.set("Access-Control-Allow-Origin", "*");
        } else {
          headers.set("Access-Control-Allow-Origin", origin);
          const vary = headers.get("Vary");
          headers.set("Vary", vary === null ? "Origin" : `${vary}, Origin`);
        }
      }
      return response;
    },
  };
}

/** The methods a controller publishes, for Allow: its table's keys. */
export function publishedMethods(table: Partial<Record<HttpMethod, unknown>>): string[] {
  return Object.keys(table).sort();
}
