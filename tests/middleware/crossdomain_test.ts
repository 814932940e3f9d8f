/**
 * egg:swift#crossdomain: unit tests, and the same requests against Swift 2.30's crossdomain
 * (_filter_oracle.py).
 */
import { assertEquals } from "@std/assert";
import { CROSSDOMAIN_FILTER } from "../../lib/config/options/crossdomain.ts";
import { crossdomainFilter, crossdomainInfo } from "../../lib/middleware/crossdomain.ts";
import {
  assertSameAsSwift,
  FakeBackend,
  type FilterCase,
  serve,
  stageOf,
} from "./_filter_oracle.ts";

const DEFAULT_BODY = '<?xml version="1.0"?>\n' +
  '<!DOCTYPE cross-domain-policy SYSTEM "http://www.adobe.com/xml/dtds/cross-domain-policy.dtd" >\n' +
  "<cross-domain-policy>\n" +
  '<allow-access-from domain="*" secure="false" />\n' +
  "</cross-domain-policy>";

Deno.test("crossdomainFilter() answers GET /crossdomain.xml with the default policy", async () => {
  const response = await serve(
    crossdomainFilter(stageOf(CROSSDOMAIN_FILTER)),
    new Request("http://localhost/crossdomain.xml"),
  );
  assertEquals(response.status, 200);
  assertEquals(response.headers.get("Content-Type"), "application/xml");
  assertEquals(await response.text(), DEFAULT_BODY);
});

Deno.test("crossdomainFilter() puts a multi-line cross_domain_policy in the document", async () => {
  const policy = '<allow-access-from domain="*.example.com" />\n' +
    '<allow-access-from domain="www.example.com" secure="false" />';
  const response = await serve(
    crossdomainFilter(stageOf(CROSSDOMAIN_FILTER, { cross_domain_policy: policy })),
    new Request("http://localhost/crossdomain.xml"),
  );
  assertEquals(await response.text(), DEFAULT_BODY.replace(/<allow[^\n]*/, policy));
});

Deno.test("crossdomainFilter() passes other methods and paths on", async () => {
  const backend = new FakeBackend();
  const filter = crossdomainFilter(stageOf(CROSSDOMAIN_FILTER));
  for (const [method, path] of [["HEAD", "/crossdomain.xml"], ["GET", "/v1/crossdomain.xml"]]) {
    const response = await serve(filter, new Request(`http://localhost${path}`, { method }), {
      next: backend.handler,
    });
    await response.body?.cancel();
  }
  assertEquals(backend.calls.map((c) => [c[0], c[1]]), [
    ["HEAD", "/crossdomain.xml"],
    ["GET", "/v1/crossdomain.xml"],
  ]);
});

const CASES: FilterCase[] = [
  { filter: "crossdomain", path: "/crossdomain.xml" },
  { filter: "crossdomain", path: "/crossdomain.xml?x=1" },
  { filter: "crossdomain", path: "/%63rossdomain.xml" },
  { filter: "crossdomain", path: "/crossdomain.xml", method: "HEAD" },
  { filter: "crossdomain", path: "/crossdomain.xml", method: "POST", body: "x" },
  { filter: "crossdomain", path: "/crossdomain.xml/" },
  { filter: "crossdomain", path: "/v1/a/crossdomain.xml" },
  {
    filter: "crossdomain",
    conf: { cross_domain_policy: '<allow-access-from domain="é.example" />\n<x/>' },
    path: "/crossdomain.xml",
  },
  { filter: "crossdomain", conf: { cross_domain_policy: "" }, path: "/crossdomain.xml" },
];

Deno.test("crossdomainFilter() answers every request as Swift 2.30's crossdomain", async () => {
  const swift = await assertSameAsSwift(
    CASES,
    (c) => crossdomainFilter(stageOf(CROSSDOMAIN_FILTER, c.conf)),
  );
  for (const outcome of swift) assertEquals(crossdomainInfo({} as never), outcome.swift_info);
});
