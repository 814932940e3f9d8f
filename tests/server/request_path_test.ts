import { assertEquals } from "@std/assert";
import { rawPath, rawQuery, rawTarget, requestFor } from "../../lib/server/request_path.ts";

Deno.test("rawPath() keeps dot segments and percent-encoding that new URL() would rewrite", () => {
  // Deno.serve hands over req.url with the target unchanged; a Request built from text the same.
  const served = { url: "http://h/v1/a/c/../x/./y%2E%2E?q=/../" } as Request;
  assertEquals(rawPath(served), "/v1/a/c/../x/./y%2E%2E");
  assertEquals(rawQuery(served), "q=/../");
  assertEquals(new URL(served.url).pathname, "/v1/a/x/y%2E%2E");
});

Deno.test("requestFor() builds a subrequest that remembers its raw target", () => {
  const sub = requestFor("/v1/AUTH_a/c/../o?multipart-manifest=get", "http://proxy:8080/x", {
    method: "HEAD",
  });
  assertEquals(sub.method, "HEAD");
  assertEquals(rawTarget(sub), "/v1/AUTH_a/c/../o?multipart-manifest=get");
  assertEquals(rawPath(sub), "/v1/AUTH_a/c/../o");
  assertEquals(new URL(sub.url).pathname, "/v1/AUTH_a/o");
});
