/**
 * egg:swift#healthcheck (swift/common/middleware/healthcheck.py): /healthcheck answers 200 "OK",
 * or 503 "DISABLED BY FILE" while the disable_path file exists, so a load balancer can be told
 * to drain a node without stopping it.
 */
import { optionsOf, type StageConfig } from "../config/load.ts";
import { HEALTHCHECK_FILTER } from "../config/options/filters.ts";
import type { Filter } from "./compose.ts";

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Builds the healthcheck filter. */
export function healthcheckFilter(stage: StageConfig): Filter {
  const { disable_path } = optionsOf(stage, HEALTHCHECK_FILTER);
  return (next) =>
    function healthcheck(req, ctx) {
      const path = req.url.slice(req.url.indexOf("/", req.url.indexOf("//") + 2)).split("?")[0];
      if (path !== "/healthcheck") return next(req, ctx);
      const disabled = disable_path !== undefined && existsSync(disable_path);
      const body = disabled ? "DISABLED BY FILE" : "OK";
      return Promise.resolve(
        new Response(req.method === "HEAD" ? null : body, {
          status: disabled ? 503 : 200,
          headers: { "Content-Type": "text/plain", "Content-Length": String(body.length) },
        }),
      );
    };
}
