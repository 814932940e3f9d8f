/**
 * egg:swift#domain_remap: unit tests of the Host rules (Swift's test_domain_remap.py cases),
 * and the same requests against Swift 2.30's domain_remap (_filter_oracle.py): the path the
 * backend gets, and Location headers turned back.
 */
import { assertEquals } from "@std/assert";
import { DOMAIN_REMAP_FILTER } from "../../lib/config/options/domain_remap.ts";
import {
  domainRemapFilter,
  domainRemapInfo,
  type Remap,
  remapper,
} from "../../lib/middleware/domain_remap.ts";
import {
  assertSameAsSwift,
  FakeBackend,
  type FilterCase,
  serve,
  stageOf,
} from "./_filter_oracle.ts";

function remapOf(conf: Record<string, string> = {}) {
  const remap = remapper(
    stageOf(DOMAIN_REMAP_FILTER, conf).options as Parameters<typeof remapper>[0],
  );
  return (host: string, path = "/"): string | Remap["kind"] => {
    const decision = remap(host, path);
    return decision.kind === "remap" ? decision.path : decision.kind;
  };
}

Deno.test("remapper() leaves hosts outside the storage domain alone", () => {
  const remap = remapOf();
  assertEquals(remap("example.com"), "pass");
  assertEquals(remap("example.com:8080"), "pass");
  assertEquals(remap("c.aexample.com", "/dontchange"), "pass");
});

Deno.test("remapper() takes the account and the container from the subdomains", () => {
  const remap = remapOf();
  assertEquals(remap("AUTH_a.example.com"), "/v1/AUTH_a/");
  assertEquals(remap("AUTH-uuid.example.com"), "/v1/AUTH_uuid/");
  assertEquals(remap("c.AUTH_a.example.com:8080", "/obj"), "/v1/AUTH_a/c/obj");
  assertEquals(remap("x.y.c.AUTH_a.example.com"), "bad-domain");
});

Deno.test("remapper() gives the reseller prefix its configured case", () => {
  const remap = remapOf();
  for (const host of ["auth-account", "AUTH-account", "auth_account", "AUTH_account"]) {
    assertEquals(remap(`${host}.example.com`, "/c/o"), "/v1/AUTH_account/c/o");
  }
  assertEquals(
    remapOf({ reseller_prefixes: "PREFIX" })("c.prefix_uuid.example.com", "/t"),
    "/v1/PREFIX_uuid/c/t",
  );
  assertEquals(
    remapOf({ reseller_prefixes: "UNKNOWN" })("c.prefix_uuid.example.com", "/t"),
    "pass",
  );
  assertEquals(remapOf({ reseller_prefixes: "" })("c.uuid.example.com", "/t"), "/v1/uuid/c/t");
});

Deno.test("remapper() adds default_reseller_prefix to unprefixed accounts", () => {
  assertEquals(
    remapOf({ default_reseller_prefix: "FOO" })("uuid.example.com", "/t"),
    "/v1/FOO_uuid/t",
  );
  assertEquals(
    remapOf({ default_reseller_prefix: "AUTH" })("auth-uuid.example.com", "/t"),
    "/v1/AUTH_uuid/t",
  );
});

Deno.test("remapper() keeps a client's path root unless mangle_client_paths", () => {
  const keep = remapOf();
  assertEquals(keep("c.AUTH_a.example.com", "/v1"), "/v1/AUTH_a/c/v1");
  assertEquals(keep("c.AUTH_a.example.com", "/v1/obj"), "/v1/AUTH_a/c/v1/obj");
  const mangle = remapOf({ mangle_client_paths: "yes" });
  assertEquals(mangle("c.AUTH_a.example.com", "/v1"), "/v1/AUTH_a/c/");
  assertEquals(mangle("c.AUTH_a.example.com", "/v1/obj"), "/v1/AUTH_a/c/obj");
  assertEquals(mangle("c.AUTH_a.example.com", "/v1//v1"), "/v1/AUTH_a/c//v1");
  assertEquals(mangle("c.AUTH_a.example.com", "/v1obj"), "/v1/AUTH_a/c/v1obj");
});

Deno.test("remapper() tries every storage domain and is off with none", () => {
  const remap = remapOf({ storage_domain: "storage1.com, .storage2.com" });
  assertEquals(remap("auth-uuid.storage1.com", "/t"), "/v1/AUTH_uuid/t");
  assertEquals(remap("auth-uuid.storage2.com", "/t"), "/v1/AUTH_uuid/t");
  assertEquals(remap("auth-uuid.storage3.com", "/t"), "pass");
  assertEquals(remapOf({ storage_domain: "" })("c.AUTH_a.example.com", "/t"), "pass");
});

Deno.test("domainRemapFilter() turns a redirect to the rewritten path back into the requested one", async () => {
  const backend = new FakeBackend([{
    method: "GET",
    path: "/v1/AUTH_uuid/cont",
    status: 301,
    headers: { Location: "http://auth-uuid.example.com/v1/AUTH_uuid/cont/" },
  }]);
  const response = await serve(
    domainRemapFilter(stageOf(DOMAIN_REMAP_FILTER)),
    new Request("http://localhost/cont", { headers: { Host: "auth-uuid.example.com" } }),
    { next: backend.handler },
  );
  await response.body?.cancel();
  assertEquals(response.status, 301);
  assertEquals(response.headers.get("Location"), "http://auth-uuid.example.com/cont/");
});

Deno.test("domainRemapInfo() publishes default_reseller_prefix", () => {
  assertEquals(domainRemapInfo({ default_reseller_prefix: undefined } as never), {
    default_reseller_prefix: null,
  });
  assertEquals(domainRemapInfo({ default_reseller_prefix: "cupcake" } as never), {
    default_reseller_prefix: "cupcake",
  });
});

function get(host: string, path = "/", extra: Partial<FilterCase> = {}): FilterCase {
  return { filter: "domain_remap", path, headers: [["Host", host]], ...extra };
}

const CASES: FilterCase[] = [
  get("example.com"),
  get("example.com:8080"),
  get("AUTH_a.example.com"),
  get("AUTH-uuid.example.com"),
  get("auth-uuid.example.com:443", "/c/o?multipart-manifest=get"),
  get("c.AUTH_a.example.com"),
  get("x.y.c.AUTH_a.example.com"),
  get("x.y.c.AUTH_a.example.com", "/", { method: "HEAD" }),
  get("AUTH_a.example.com", "/v1"),
  get("AUTH_a.example.com", "/%E4%BD%A0%E5%A5%BD"),
  get("c.AUTH_a.example.com", "/v1"),
  get("c.AUTH_a.example.com", "//v1"),
  get("c.AUTH_a.example.com", "/v1//v1"),
  get("c.AUTH_a.example.com", "/obj/"),
  get("c.AUTH_a.example.com", "/v1/obj"),
  get("c.AUTH_a.example.com", "/v1obj"),
  get("c.AUTH_a.example.com", "/o%20b%25j%3F"),
  get("c.aexample.com", "/dontchange"),
  get(".example.com", "/x"),
  get("a-b-c.example.com", "/x"),
  get("AUTH_a.example.com.", "/x"),
  get("c.AUTH_a.example.com", "/test", { conf: { storage_domain: "" } }),
  get("c.prefix_uuid.example.com", "/test", { conf: { reseller_prefixes: "PREFIX" } }),
  get("c.prefix_uuid.example.com", "/test", { conf: { reseller_prefixes: "UNKNOWN" } }),
  get("c.uuid.example.com", "/test", { conf: { reseller_prefixes: "" } }),
  get("c.uuid.example.com", "/test", { conf: { reseller_prefixes: ", ," } }),
  get("uuid.example.com", "/test", { conf: { default_reseller_prefix: "FOO" } }),
  get("auth-uuid.example.com", "/test", { conf: { default_reseller_prefix: "AUTH" } }),
  get("Other_x.example.com", "/test", { conf: { reseller_prefixes: "AUTH, other" } }),
  ...["storage1.com", "storage2.com", "storage3.com", "x.storage2.com"].map((domain) =>
    get(`auth-uuid.${domain}`, "/test", { conf: { storage_domain: "storage1.com, .storage2.com" } })
  ),
  get("auth-uuid.b.com", "/t", { conf: { storage_domain: ".b.com, a.b.com" } }),
  get("auth-uuid.a.b.com", "/t", { conf: { storage_domain: ".b.com, a.b.com" } }),
  get("c.AUTH_a.example.com", "/x", { conf: { path_root: "/v2/" } }),
  get("c.AUTH_a.example.com", "/x", { conf: { path_root: "" } }),
  ...["/v1", "/v1/", "/v1/obj", "//v1", "/v1//v1", "/v1obj", "/obj/"].map((path) =>
    get("c.AUTH_a.example.com", path, { conf: { mangle_client_paths: "true" } })
  ),
  get("AUTH_a.example.com", "/v2/x", { conf: { mangle_client_paths: "true", path_root: "v2" } }),
  // Location and Content-Location of the answer.
  get("auth-uuid.example.com", "/cont", {
    responses: [{
      method: "GET",
      path: "/v1/AUTH_uuid/cont",
      status: 301,
      headers: { Location: "http://auth-uuid.example.com/v1/AUTH_uuid/cont/" },
    }],
  }),
  get("cont.auth-uuid.example.com", "/test", {
    responses: [{
      method: "GET",
      path: "/v1/AUTH_uuid/cont/test",
      status: 301,
      headers: {
        Location: "https://h:8080/v1/AUTH_uuid/cont/test/?a=b",
        "Content-Location": "http://h/v1/AUTH_uuid/cont/test",
      },
    }],
  }),
  get("cont.auth-uuid.example.com", "/test", {
    responses: [{
      method: "GET",
      path: "/v1/AUTH_uuid/cont/test",
      status: 302,
      headers: {
        Location: "http:///v1/AUTH_uuid/cont/test/",
        "Content-Location": "ftp://h/v1/AUTH_uuid/cont/test",
      },
    }],
  }),
  get("cont.auth-uuid.example.com", "/t%20x", {
    responses: [{
      method: "GET",
      path: "/v1/AUTH_uuid/cont/t x",
      status: 301,
      headers: { Location: "http://h/v1/AUTH_uuid/cont/t%20x/" },
    }],
  }),
  get("c.AUTH_a.example.com", "/o", {
    method: "PUT",
    headers: [["Host", "c.AUTH_a.example.com"], ["Content-Length", "3"]],
    body: "abc",
    responses: [{ method: "PUT", path: "/v1/AUTH_a/c/o", status: 201 }],
  }),
];

Deno.test("domainRemapFilter() answers every request as Swift 2.30's domain_remap", async () => {
  const swift = await assertSameAsSwift(
    CASES,
    (c) => domainRemapFilter(stageOf(DOMAIN_REMAP_FILTER, c.conf)),
  );
  for (const [i, c] of CASES.entries()) {
    const options = stageOf(DOMAIN_REMAP_FILTER, c.conf).options;
    assertEquals(domainRemapInfo(options as never), swift[i].swift_info);
  }
});
