/**
 * egg:swift#crossdomain (swift/common/middleware/crossdomain.py, Swift 2.30): GET
 * /crossdomain.xml answers the cross-domain policy document that Flash, Java and Silverlight
 * clients fetch before talking to another site; every other request passes.
 */
import { optionsOf, type StageConfig } from "../config/load.ts";
import { CROSSDOMAIN_FILTER } from "../config/options/crossdomain.ts";
import type { TypedConfig } from "../config/options/option.ts";
import type { Filter } from "./compose.ts";
import { pathInfo } from "./_info_lookup.ts";

type Options = TypedConfig<typeof CROSSDOMAIN_FILTER["options"]>;

/** The /info section Swift registers: an empty `crossdomain` entry. */
export function crossdomainInfo(_options: Options): Record<string, unknown> {
  return {};
}

/** The policy document, byte for byte as CrossDomainMiddleware.GET() writes it. */
export function crossdomainBody(policy: string): string {
  return '<?xml version="1.0"?>\n' +
    "<!DOCTYPE cross-domain-policy SYSTEM " +
    '"http://www.adobe.com/xml/dtds/cross-domain-policy.dtd" >\n' +
    "<cross-domain-policy>\n" +
    `${policy}\n` +
    "</cross-domain-policy>";
}

/** Builds the crossdomain filter. */
export function crossdomainFilter(stage: StageConfig): Filter {
  const body = new TextEncoder().encode(
    crossdomainBody(optionsOf(stage, CROSSDOMAIN_FILTER).cross_domain_policy),
  );
  return (next) =>
    function crossdomain(req, ctx) {
      // Swift compares the decoded path, so /%63rossdomain.xml is answered too.
      if (req.method !== "GET" || pathInfo(req) !== "/crossdomain.xml") return next(req, ctx);
      return Promise.resolve(
        new Response(body, {
          status: 200,
          headers: { "Content-Type": "application/xml", "Content-Length": String(body.length) },
        }),
      );
    };
}
