/**
 * egg:swift#staticweb: unit tests of the page pieces, and Swift's own test_staticweb.py
 * site (containers c1..c14, their objects and listings) served by Swift 2.30's staticweb
 * (_web_filters_oracle.py) and by swiftd's: statuses, headers, pages byte for byte, the
 * subrequests made, the ACLs asked about; with url_base, relative redirects, denials, and
 * tempauth's .r:* / .rlistings ACLs in front.
 */
import { assert, assertEquals } from "@std/assert";
import { STATICWEB_FILTER } from "../../lib/config/options/staticweb.ts";
import {
  staticwebFilterWith,
  staticwebInfo,
  staticwebSettings,
} from "../../lib/middleware/staticweb.ts";
import {
  cssPath,
  htmlEscape,
  humanReadable,
  swiftQuote,
} from "../../lib/middleware/staticweb/listing.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { rawPath, requestFor } from "../../lib/server/request_path.ts";
import { CASES } from "./_staticweb_site.ts";
import {
  type BuildDeps,
  comparable,
  recordingLogger,
  stageOf,
  swiftdOutcome,
  swiftOutcomes,
  type WebCase,
} from "./_web_filters_oracle.ts";

Deno.test("htmlEscape(), swiftQuote() and humanReadable() write what Python writes", () => {
  assertEquals(
    htmlEscape(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;",
  );
  assertEquals(swiftQuote("a b/\u2603?\ud800"), "a%20b/%E2%98%83%3F%3F");
  assertEquals(swiftQuote("http://h/x y.css", ":/"), "http://h/x%20y.css");
  assertEquals([0, 1023, 1024, 1535, 1536, 2560, 72981, 1 << 30].map(humanReadable), [
    "0",
    "1023",
    "1Ki",
    "1Ki",
    "2Ki",
    "2Ki",
    "71Ki",
    "1Gi",
  ]);
  assertEquals(cssPath("listing.css", "a/b/"), "../../listing.css");
  assertEquals(cssPath("/abs/listing.css", "a/"), "/abs/listing.css");
});

Deno.test("staticwebSettings() keeps url_base's scheme and host as urlparse() splits them", () => {
  const of = (url_base: string) => staticwebSettings(stageOf(STATICWEB_FILTER, { url_base }));
  assertEquals(of("https://"), { urlScheme: "https", urlHost: "" });
  assertEquals(of("//example.com:8080/x"), { urlScheme: "", urlHost: "example.com:8080" });
  assertEquals(of("HTTP://example.com"), { urlScheme: "http", urlHost: "example.com" });
  assertEquals(of("example.com"), { urlScheme: "", urlHost: "" });
  assertEquals(staticwebInfo(), {});
});

Deno.test("staticwebFilterWith() asks for an object with dot segments by its name as sent", async () => {
  const seen: string[] = [];
  const filter = staticwebFilterWith({ urlScheme: "", urlHost: "" })((req) => {
    seen.push(`${req.method} ${rawPath(req)}`);
    if (req.method === "HEAD") return Promise.resolve(new Response(null, { status: 204 }));
    return Promise.resolve(new Response("dots", { status: 200 }));
  });
  const ctx = newRequestContext(recordingLogger([]), { transport: "tcp", hostname: "h", port: 1 });
  ctx.env["swift.authorize"] = () => undefined;
  const res = await filter(requestFor("/v1/a/c/x/../y", "http://localhost"), ctx);
  assertEquals([res.status, await res.text()], [200, "dots"]);
  assertEquals(seen, ["GET /v1/a/c/x/../y", "HEAD /v1/a", "HEAD /v1/a/c"]);
});

function build(c: WebCase, deps: BuildDeps) {
  deps.setInfo(staticwebInfo());
  return staticwebFilterWith(staticwebSettings(stageOf(STATICWEB_FILTER, c.conf)), deps);
}

Deno.test("staticwebFilterWith() serves Swift's test site exactly as Swift 2.30's staticweb", async () => {
  const swift = await swiftOutcomes("staticweb", CASES);
  for (const [i, c] of CASES.entries()) {
    const expected = comparable(c, swift[i], {}) as { requests: unknown[] };
    const actual = comparable(c, await swiftdOutcome(c, build), {}) as { requests: unknown[] };
    for (const [j, req] of c.requests.entries()) {
      assertEquals(
        actual.requests[j],
        expected.requests[j],
        `case ${i} request ${j}: ${JSON.stringify(req)}`,
      );
    }
    assertEquals(actual, expected);
  }
  // The site does reach each kind of answer.
  const statuses = new Set(swift.flatMap((o) => o.requests.map((q) => q.status)));
  for (const status of [200, 204, 301, 401, 404, 503]) assert(statuses.has(status), `${status}`);
  assert(swift[0].requests.some((q) => q.body?.includes("Listing of /v1/a/c4/subdir/")));
  assertEquals(swift[4].requests.map((q) => q.status), [401, 200, 404, 200, 200, 401, 401, 401]);
  assertEquals(swift[4].requests[0].body, "log in");
});
