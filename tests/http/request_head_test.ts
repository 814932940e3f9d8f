import { assertEquals, assertThrows } from "@std/assert";
import { encodeRequestHead, HeadBuffer } from "../../lib/http/request_head.ts";

const endpoint = { host: "127.0.0.1", port: 6200 };

function encode(head: Parameters<typeof encodeRequestHead>[1]) {
  const out = new HeadBuffer(16);
  const facts = encodeRequestHead(endpoint, head, out);
  return { text: String.fromCharCode(...out.view()), facts };
}

Deno.test("encodeRequestHead() writes the path verbatim, Host and Accept-Encoding first, then headers in order and case", () => {
  const { text, facts } = encode({
    method: "PUT",
    path: "/sda1/123/AUTH_t/c/o%20x%2F?multipart-manifest=put",
    headers: [["X-Timestamp", "1700000000.00000"], ["content-LENGTH", "5"], ["x-b", "2"]],
  });
  assertEquals(
    text,
    "PUT /sda1/123/AUTH_t/c/o%20x%2F?multipart-manifest=put HTTP/1.1\r\n" +
      "Host: 127.0.0.1:6200\r\nAccept-Encoding: identity\r\n" +
      "X-Timestamp: 1700000000.00000\r\ncontent-LENGTH: 5\r\nx-b: 2\r\n\r\n",
  );
  assertEquals(facts, { bodyMode: "length", contentLength: 5, closeRequested: false });
});

Deno.test("encodeRequestHead() keeps a caller's Host and Accept-Encoding instead of adding its own", () => {
  const { text } = encode({
    method: "GET",
    path: "/",
    headers: { "accept-encoding": "gzip", host: "example" },
  });
  assertEquals(text, "GET / HTTP/1.1\r\naccept-encoding: gzip\r\nhost: example\r\n\r\n");
});

Deno.test("encodeRequestHead() puts IPv6 hosts in brackets in the Host header", () => {
  const out = new HeadBuffer();
  encodeRequestHead({ host: "::1", port: 6201 }, { method: "HEAD", path: "/" }, out);
  assertEquals(String.fromCharCode(...out.view()).split("\r\n")[1], "Host: [::1]:6201");
});

Deno.test("encodeRequestHead() writes header values U+0080-U+00FF as single latin-1 bytes", () => {
  const out = new HeadBuffer();
  encodeRequestHead(endpoint, {
    method: "POST",
    path: "/",
    headers: [["X-Object-Meta-Name", "caf\u00c3\u00a9"]],
  }, out);
  const bytes = out.view();
  const at = bytes.indexOf(0xc3);
  assertEquals([...bytes.subarray(at - 3, at + 2)], [0x63, 0x61, 0x66, 0xc3, 0xa9]);
});

Deno.test("encodeRequestHead() reads chunked framing, no body from Content-Length 0, and Connection: close", () => {
  assertEquals(
    encode({ method: "PUT", path: "/", headers: { "Transfer-Encoding": "chunked" } }).facts,
    { bodyMode: "chunked", contentLength: 0, closeRequested: false },
  );
  assertEquals(
    encode({ method: "PUT", path: "/", headers: { "Content-Length": 0 } }).facts,
    { bodyMode: "none", contentLength: 0, closeRequested: false },
  );
  assertEquals(
    encode({ method: "GET", path: "/", headers: { Connection: "keep-alive, Close" } }).facts,
    { bodyMode: "none", contentLength: 0, closeRequested: true },
  );
});

Deno.test("encodeRequestHead() refuses a CR or LF in a header value, naming the header", () => {
  const err = assertThrows(
    () => encode({ method: "GET", path: "/", headers: { "X-Evil": "a\r\nX-Injected: 1" } }),
    TypeError,
  );
  assertEquals(
    err.message,
    'Cannot send GET to "127.0.0.1:6200": header "X-Evil" value "a\\r\\nX-Injected: 1" has ' +
      "character U+000D at index 1",
  );
});

Deno.test("encodeRequestHead() refuses unquoted paths, bad methods and header names", () => {
  assertThrows(() => encode({ method: "GET", path: "/a b" }), TypeError, "U+0020 at index 2");
  assertThrows(() => encode({ method: "GET", path: "/caf\u00e9" }), TypeError, "quote it first");
  assertThrows(() => encode({ method: "G T", path: "/" }), TypeError, "method");
  assertThrows(
    () => encode({ method: "GET", path: "/", headers: [["Bad Name", "x"]] }),
    TypeError,
    'header name "Bad Name"',
  );
  assertThrows(
    () => encode({ method: "GET", path: "/", headers: [["X-Name", "\u0100"]] }),
    TypeError,
    "U+0100",
  );
});

Deno.test("encodeRequestHead() refuses Content-Length together with chunked, and a non-numeric length", () => {
  assertThrows(
    () =>
      encode({
        method: "PUT",
        path: "/",
        headers: { "Content-Length": "5", "Transfer-Encoding": "chunked" },
      }),
    TypeError,
    "both Content-Length",
  );
  assertThrows(
    () => encode({ method: "PUT", path: "/", headers: { "Content-Length": "-1" } }),
    TypeError,
    'Content-Length "-1" is not a number',
  );
  assertThrows(
    () => encode({ method: "PUT", path: "/", headers: { "Transfer-Encoding": "gzip" } }),
    TypeError,
    "does not end in chunked",
  );
});
