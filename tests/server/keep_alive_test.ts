import { assertEquals } from "@std/assert";
import { withKeepAliveEcho } from "../../lib/server/keep_alive.ts";

function asking(connection?: string): Request {
  return new Request("http://h/", { headers: connection ? { Connection: connection } : {} });
}

const sized = () => new Response("ok", { headers: { "Content-Length": "2" } });

Deno.test("withKeepAliveEcho() answers Connection: keep-alive, in any case, with keep-alive", () => {
  for (const asked of ["keep-alive", "Keep-Alive"]) {
    assertEquals(withKeepAliveEcho(asking(asked), sized()).headers.get("connection"), "keep-alive");
  }
  const empty = withKeepAliveEcho(asking("keep-alive"), new Response(null, { status: 204 }));
  assertEquals(empty.headers.get("connection"), "keep-alive");
});

Deno.test("withKeepAliveEcho() adds nothing unless the request's Connection is exactly keep-alive", () => {
  for (const asked of [undefined, "close", "keep-alive, Upgrade"]) {
    assertEquals(withKeepAliveEcho(asking(asked), sized()).headers.has("connection"), false);
  }
});

Deno.test("withKeepAliveEcho() keeps a response's own Connection header (close while draining)", () => {
  const closing = new Response("ok", { headers: { "Content-Length": "2", Connection: "close" } });
  assertEquals(withKeepAliveEcho(asking("keep-alive"), closing).headers.get("connection"), "close");
});

Deno.test("withKeepAliveEcho() leaves a body of unknown length alone: HTTP/1.0 ends it by closing", () => {
  const streamed = new Response(new ReadableStream({ start: (c) => c.close() }));
  assertEquals(withKeepAliveEcho(asking("keep-alive"), streamed).headers.has("connection"), false);
});

Deno.test("withKeepAliveEcho() copies a response whose headers are immutable", () => {
  const redirect = Response.redirect("http://h/elsewhere", 301);
  const echoed = withKeepAliveEcho(asking("keep-alive"), redirect);
  assertEquals(echoed.status, 301);
  assertEquals(echoed.headers.get("location"), "http://h/elsewhere");
  assertEquals(echoed.headers.get("connection"), "keep-alive");
});
