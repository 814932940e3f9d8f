import { assert, assertEquals } from "@std/assert";
import { nullLogger } from "../../lib/log/logger.ts";
import { formpostFilterWith, formpostInfo } from "../../lib/middleware/formpost.ts";
import {
  parseContentDisposition,
  parseEmailHeaders,
} from "../../lib/middleware/formpost/mime_headers.ts";
import {
  BodyReader,
  iterMultipartMimeDocuments,
  MimeInvalid,
} from "../../lib/middleware/formpost/multipart.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { requestFor } from "../../lib/server/request_path.ts";
import { FakeSwift } from "../_helpers/fake_swift.ts";
import { FORMPOST_CORPUS, NOW } from "./_formpost_corpus.ts";
import {
  comparable,
  formBody,
  signForm,
  swiftdOutcome,
  swiftOutcomes,
} from "./_tempurl_harness.ts";

Deno.test("formpost answers the corpus exactly as Swift 2.30's formpost does", async () => {
  const swift = await swiftOutcomes(FORMPOST_CORPUS);
  for (const [i, spec] of FORMPOST_CORPUS.entries()) {
    const ours = await swiftdOutcome(spec);
    assertEquals(comparable(ours), comparable(swift[i]), `case "${spec.name}"`);
  }
});

const encoder = new TextEncoder();

/** A body stream handing out `bytes` in chunks of `size`. */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function partsOf(body: string, size: number): Promise<string[]> {
  const input = new BodyReader(chunked(encoder.encode(body), size));
  const out: string[] = [];
  for await (const doc of iterMultipartMimeDocuments(input, encoder.encode("b"), 7)) {
    let text = "";
    for (let chunk = await doc.read(5); chunk.length; chunk = await doc.read(5)) {
      text += new TextDecoder().decode(chunk);
    }
    out.push(text);
  }
  await input.cancel();
  return out;
}

Deno.test("the multipart reader gives the same parts whatever the body's chunking", async () => {
  const body = "\r\n--b\r\nh: 1\r\n\r\none\r\n--b\r\n\r\ntwo --b \r\n-b\r\n--b--\r\nepilogue";
  const expected = ["h: 1\r\n\r\none", "\r\ntwo --b \r\n-b"];
  for (const size of [1, 2, 3, 5, 64]) assertEquals(await partsOf(body, size), expected, `${size}`);
});

Deno.test("the multipart reader refuses a body not starting with the boundary", async () => {
  let error: unknown;
  try {
    await partsOf("--c\r\n\r\nx\r\n--c--", 4);
  } catch (err) {
    error = err;
  }
  assert(error instanceof MimeInvalid);
});

Deno.test("parseEmailHeaders() reads headers as Python's email parser does", () => {
  assertEquals(
    parseEmailHeaders("From nobody\r\nA: 1\r\n  more\r\n:x\r\nB:2\nC : 3\r\nD: 4\r\n\r\nE: 5\r\n"),
    [["A", "1\r\n  more"], ["B", "2"]],
  );
  assertEquals(parseEmailHeaders(" lead\r\nX:\ty \r\n"), [["X", "y "]]);
});

Deno.test("parseContentDisposition() reads attributes until one does not parse", () => {
  assertEquals(parseContentDisposition('form-data; name="a;b"; filename=x.txt'), [
    "form-data",
    new Map([["name", "a;b"], ["filename", "x.txt"]]),
  ]);
  assertEquals(parseContentDisposition("form-data; bad; name=a"), ["form-data", new Map()]);
  assertEquals(parseContentDisposition(" form-data"), [" form-data", new Map()]);
});

Deno.test("formpostInfo() lists the allowed and deprecated digests", () => {
  assertEquals(formpostInfo(), {
    allowed_digests: ["sha1", "sha256", "sha512"],
    deprecated_digests: ["sha1"],
  });
});

Deno.test("formpost streams a file to the object PUT without buffering the form", async () => {
  const fake = new FakeSwift();
  fake.register("HEAD", "/v1/a", 204, { "X-Account-Meta-Temp-Url-Key": "k" });
  fake.register("HEAD", "/v1/a/c", 204);
  const size = 4 << 20;
  const expires = String(NOW + 60);
  const fields = formBody("B", [
    { name: "max_file_size", value: String(size) },
    { name: "max_file_count", value: "1" },
    { name: "expires", value: expires },
    {
      name: "signature",
      value: signForm(
        { path: "/v1/a/c", maxFileSize: String(size), maxFileCount: "1", expires },
        "k",
      ),
    },
  ]).replace("--B--\r\n", "");
  const head = encoder.encode(
    `${fields}--B\r\nContent-Disposition: form-data; name="f"; filename="big"\r\n\r\n`,
  );
  const tail = encoder.encode("\r\n--B--\r\n");
  // The client sends the file in 64 KiB pieces; the PUT must see the first ones before the
  // client has sent the rest.
  let sent = 0;
  let sentWhenPutStarted = -1;
  const piece = new Uint8Array(65536).fill(0x61);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) controller.enqueue(head);
      if (sent >= size) {
        controller.enqueue(tail);
        return controller.close();
      }
      controller.enqueue(piece);
      sent += piece.length;
    },
  }, { highWaterMark: 0 });
  let received = 0;
  const backend = async (req: Request, ctx: Parameters<typeof fake.handler>[1]) => {
    if (req.method !== "PUT") return await fake.handler(req, ctx);
    for await (const chunk of req.body!) {
      if (sentWhenPutStarted < 0) sentWhenPutStarted = sent;
      received += chunk.length;
    }
    return new Response(null, { status: 201 });
  };
  const handler = formpostFilterWith(["sha256"], { clock: () => NOW })(backend);
  const req = requestFor("/v1/a/c", "http://localhost", {
    method: "POST",
    headers: { "Content-Type": "multipart/form-data; boundary=B" },
    body,
    duplex: "half",
  } as RequestInit);
  const ctx = newRequestContext(nullLogger("t"), { transport: "tcp", hostname: "::1", port: 1 });
  const resp = await handler(req, ctx);
  assertEquals([resp.status, await resp.text()], [201, "201 Created"]);
  assertEquals(received, size);
  assert(sentWhenPutStarted < size / 4, `${sentWhenPutStarted} bytes sent before the PUT read`);
});

Deno.test("formpost refuses part headers longer than 1 MiB instead of buffering them", async () => {
  const fake = new FakeSwift();
  fake.register("HEAD", "/v1/a", 204, { "X-Account-Meta-Temp-Url-Key": "k" });
  fake.register("HEAD", "/v1/a/c", 204);
  const line = "X-Junk: " + "j".repeat((1 << 20) + 65536);
  const body = encoder.encode(`--B\r\n${line}\r\n\r\nvalue\r\n--B--\r\n`);
  const handler = formpostFilterWith(["sha256"], { clock: () => NOW })(fake.handler);
  const req = requestFor("/v1/a/c", "http://localhost", {
    method: "POST",
    headers: { "Content-Type": "multipart/form-data; boundary=B" },
    body: chunked(body, 65536),
    duplex: "half",
  } as RequestInit);
  const ctx = newRequestContext(nullLogger("t"), { transport: "tcp", hostname: "::1", port: 1 });
  const resp = await handler(req, ctx);
  assertEquals([resp.status, await resp.text()], [400, "FormPost: MIME headers too long"]);
});
