import { assertEquals } from "@std/assert";
import { CATCH_ERRORS_FILTER } from "../../lib/config/options/filters.ts";
import { catchErrorsFilter, titleCase } from "../../lib/middleware/catch_errors.ts";
import { stageOf } from "../proxy/_cluster.ts";
import { testContext } from "../object/_server.ts";

Deno.test("titleCase() capitalizes as Python's bytes.title() does", () => {
  assertEquals(
    ["x-object-meta-color", "ETAG", "x-object-meta-a1b", "content-md5", "www-authenticate"].map(
      titleCase,
    ),
    ["X-Object-Meta-Color", "Etag", "X-Object-Meta-A1B", "Content-Md5", "Www-Authenticate"],
  );
});

Deno.test("catch_errors sends every header name title-cased, as swob's HeaderKeyDict does", async () => {
  const filter = catchErrorsFilter(stageOf(CATCH_ERRORS_FILTER, {}));
  const handler = filter(() =>
    Promise.resolve(
      new Response(null, {
        headers: [["x-object-meta-color", "blUe"], ["etag", "abc"], ["Set-Cookie", "a=1"], [
          "set-cookie",
          "b=2",
        ]],
      }),
    )
  );
  const response = await handler(new Request("http://127.0.0.1/v1/a/c/o"), testContext());
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => response);
  try {
    // Headers objects lowercase names when read back, so look at what goes on the wire.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await conn.write(
      new TextEncoder().encode("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    );
    let head = "";
    const buffer = new Uint8Array(4096);
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      head += new TextDecoder().decode(buffer.subarray(0, n));
    }
    conn.close();
    const names = head.split("\r\n").slice(1).map((line) => line.split(":")[0]).filter((n) =>
      n && !/^(content-length|date|connection)$/.test(n)
    );
    assertEquals(names.sort(), [
      "Etag",
      "Set-Cookie",
      "Set-Cookie",
      "X-Object-Meta-Color",
      "X-Openstack-Request-Id",
      "X-Trans-Id",
    ]);
  } finally {
    await server.shutdown();
  }
});
