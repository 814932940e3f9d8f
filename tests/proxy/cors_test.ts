import { assertEquals } from "@std/assert";
import { startCluster, TEST_SWIFT_CONF, type TestCluster } from "./_cluster.ts";
import { startInteropCluster } from "./_swift_cluster.ts";

/** What a browser reads from a CORS answer; Swift builds its lists from sets, so sorted. */
async function corsView(response: Response): Promise<Record<string, string>> {
  const body = await response.text();
  const view: Record<string, string> = { status: String(response.status) };
  for (const [name, value] of response.headers) {
    if (!/^(allow|access-control-.*|vary|content-type)$/.test(name)) continue;
    const list = /^(allow|access-control-(allow|expose)-(methods|headers)|vary)$/.test(name);
    // Swift's proxy here runs the required copy filter, which adds COPY; swiftd's has none.
    view[name] = list
      ? value.split(",").map((v) => v.trim()).filter((v) => v !== "COPY").sort().join(", ")
      : value;
  }
  view.body = body.length > 0 ? "yes" : "no";
  return view;
}

const CONTAINERS: Record<string, Record<string, string>> = {
  listed: {
    "X-Container-Meta-Access-Control-Allow-Origin": "http://a.example  http://b.example",
    "X-Container-Meta-Access-Control-Max-Age": "600",
    "X-Container-Meta-Access-Control-Expose-Headers": "X-Foo  x-bar",
  },
  star: { "X-Container-Meta-Access-Control-Allow-Origin": " * " },
  plain: {},
};

const PREFLIGHTS: Record<string, string>[] = [
  {},
  { Origin: "http://a.example" },
  { Origin: "http://a.example", "Access-Control-Request-Method": "GET" },
  {
    Origin: "http://b.example",
    "Access-Control-Request-Method": "PUT",
    "Access-Control-Request-Headers": "x-foo, X-Bar,x-foo",
  },
  { Origin: "http://c.example", "Access-Control-Request-Method": "GET" },
  { Origin: "http://a.example", "Access-Control-Request-Method": "PATCH" },
];

/** The same requests through one proxy; returns what each answered. */
async function scenario(base: string, account: string): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  const send = async (method: string, path: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${base}/v1/${account}${path}`, { method, headers });
    out.push({ request: `${method} ${path} ${JSON.stringify(headers)}`, ...await corsView(r) });
  };
  for (const [name, headers] of Object.entries(CONTAINERS)) {
    await (await fetch(`${base}/v1/${account}/${name}`, { method: "PUT", headers })).body?.cancel();
    const put = await fetch(`${base}/v1/${account}/${name}/o`, {
      method: "PUT",
      body: "data",
      headers: { "X-Object-Meta-Color": "blue" },
    });
    await put.body?.cancel();
  }
  for (const path of ["", "/listed", "/listed/o", "/star/o", "/plain", "/plain/o"]) {
    for (const headers of PREFLIGHTS) await send("OPTIONS", path, headers);
  }
  for (const path of ["/listed", "/listed/o", "/star", "/star/o", "/plain/o", "/listed/nope"]) {
    for (const origin of ["http://a.example", "http://c.example"]) {
      await send("GET", path, { Origin: origin });
      await send("HEAD", path, { Origin: origin });
    }
  }
  await send("GET", "", { Origin: "http://a.example" });
  await send("POST", "/listed/o", { Origin: "http://b.example", "X-Object-Meta-Shape": "round" });
  await send("PUT", "/star/new", { Origin: "http://z.example" });
  await send("DELETE", "/star/new", { Origin: "http://z.example" });
  return out;
}

Deno.test("OPTIONS and CORS headers answer as Swift 2.30's proxy does for accounts, containers and objects", async () => {
  await using cluster = await startInteropCluster(TEST_SWIFT_CONF);
  const swift = await scenario(cluster.swiftProxy, "AUTH_swift");
  const swiftd = await scenario(cluster.swiftdProxy, "AUTH_swiftd");
  assertEquals(swiftd, swift);
});

async function send(
  cluster: TestCluster,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  const r = await cluster.fetch(method, path, { headers });
  await r.body?.cancel();
  return r;
}

Deno.test("cors_allow_origin admits origins for every container and strict_cors_mode off answers any origin", async () => {
  await using cluster = await startCluster({
    proxy: {
      account_autocreate: "true",
      cors_allow_origin: "http://ops.example, http://two.example",
      strict_cors_mode: "false",
      cors_expose_headers: "X-Ops",
    },
  });
  await send(cluster, "PUT", "/v1/AUTH_t/c");
  await (await cluster.fetch("PUT", "/v1/AUTH_t/c/o", { body: "x" })).body?.cancel();
  const preflight = await send(cluster, "OPTIONS", "/v1/AUTH_t/c/o", {
    Origin: "http://two.example",
    "Access-Control-Request-Method": "DELETE",
  });
  assertEquals(preflight.status, 200);
  assertEquals(preflight.headers.get("Access-Control-Allow-Origin"), "http://two.example");
  assertEquals(preflight.headers.get("Vary"), "Origin");
  assertEquals(preflight.headers.get("Content-Type"), null);
  const refused = await send(cluster, "OPTIONS", "/v1/AUTH_t/c/o", {
    Origin: "http://other.example",
    "Access-Control-Request-Method": "GET",
  });
  assertEquals(refused.status, 401);
  // Not strict: the actual request's answer names even an origin the preflight refused.
  const get = await send(cluster, "GET", "/v1/AUTH_t/c/o", { Origin: "http://other.example" });
  assertEquals(get.status, 200);
  assertEquals(get.headers.get("Access-Control-Allow-Origin"), "http://other.example");
  assertEquals(get.headers.get("Vary"), "Origin");
  const exposed = get.headers.get("Access-Control-Expose-Headers")!.split(", ");
  assertEquals(exposed.includes("X-Ops"), true);
  assertEquals(exposed.includes("x-trans-id"), true);
});
