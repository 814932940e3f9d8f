import { assert, assertEquals, assertThrows } from "@std/assert";
import { parseOptions } from "../../lib/config/load.ts";
import { TEMPURL_FILTER } from "../../lib/config/options/tempurl.ts";
import { ConfigError } from "../../lib/config/errors.ts";
import { nullLogger } from "../../lib/log/logger.ts";
import {
  type TempurlConfig,
  tempurlFilterWith,
  tempurlInfo,
} from "../../lib/middleware/tempurl.ts";
import { extractDigestAndAlgorithm, streqConstTime } from "../../lib/middleware/tempurl/digest.ts";
import { expiresHeader, parseExpires } from "../../lib/middleware/tempurl/expires.ts";
import { ipAddress, ipNetwork, networkContains } from "../../lib/middleware/tempurl/ip_range.ts";
import { parseQs, pyIntOf } from "../../lib/middleware/tempurl/python_text.ts";
import { sensitiveNames } from "../../lib/middleware/proxy_logging/sensitive.ts";
import { newRequestContext } from "../../lib/server/context.ts";
import { requestFor } from "../../lib/server/request_path.ts";
import { FakeSwift } from "../_helpers/fake_swift.ts";
import { NOW, TEMPURL_CORPUS } from "./_tempurl_corpus.ts";
import { comparable, sign, swiftdOutcome, swiftOutcomes } from "./_tempurl_harness.ts";

function configOf(conf: Record<string, string> = {}): TempurlConfig {
  const entries = new Map(Object.entries(conf).map(([key, value]) => [key, { value }]));
  return parseOptions(TEMPURL_FILTER, entries, { file: "test.conf" }, () => {}) as TempurlConfig;
}

Deno.test("tempurl answers the corpus exactly as Swift 2.30's tempurl does", async () => {
  const swift = await swiftOutcomes(TEMPURL_CORPUS);
  for (const [i, spec] of TEMPURL_CORPUS.entries()) {
    const ours = await swiftdOutcome(spec);
    assertEquals(comparable(ours), comparable(swift[i]), `case "${spec.name}"`);
  }
});

/** A fake proxy with keys "akey" on account a, answering GET /v1/a/c/<anything>. */
function fakeProxy(): FakeSwift {
  const fake = new FakeSwift();
  fake.register("HEAD", "/v1/a", 204, { "X-Account-Meta-Temp-Url-Key": "akey" });
  fake.register("HEAD", "/v1/a/c", 204);
  return fake;
}

async function get(path: string, fake: FakeSwift, conf: Record<string, string> = {}) {
  const handler = tempurlFilterWith(configOf(conf), { clock: () => NOW })(fake.handler);
  const ctx = newRequestContext(nullLogger("test"), {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: 1,
  });
  const resp = await handler(requestFor(path, "http://localhost"), ctx);
  return { resp, body: await resp.text(), ctx };
}

Deno.test("tempurl names the attachment after a non-ASCII object and signs its text", async () => {
  const fake = fakeProxy();
  fake.register("GET", "/v1/a/c/%C3%A9t%C3%A9", 200, {}, "summer");
  const sig = sign({ method: "GET", expires: NOW + 60, path: "/v1/a/c/été" }, "akey");
  const { resp, body } = await get(
    `/v1/a/c/%C3%A9t%C3%A9?temp_url_sig=${sig}&temp_url_expires=${NOW + 60}`,
    fake,
  );
  assertEquals([resp.status, body], [200, "summer"]);
  assertEquals(
    resp.headers.get("Content-Disposition"),
    "attachment; filename=\"%C3%A9t%C3%A9\"; filename*=UTF-8''%C3%A9t%C3%A9",
  );
  assertEquals(resp.headers.get("Expires"), "Tue, 14 Nov 2023 22:14:20 GMT");
});

Deno.test("tempurl quotes CR LF of an object name in Content-Disposition", async () => {
  // Swift's test_obj_odd_chars; its FakeSwift cannot serve this name, so no differential case.
  const fake = fakeProxy();
  fake.register("GET", "/v1/a/c/a%0D%0Ab", 200, {}, "odd");
  const sig = sign({ method: "GET", expires: NOW + 60, path: "/v1/a/c/a\r\nb" }, "akey");
  const { resp } = await get(
    `/v1/a/c/a%0D%0Ab?temp_url_sig=${sig}&temp_url_expires=${NOW + 60}`,
    fake,
  );
  assertEquals(
    resp.headers.get("Content-Disposition"),
    "attachment; filename=\"a%0D%0Ab\"; filename*=UTF-8''a%0D%0Ab",
  );
});

Deno.test("tempurl keeps dot segments of the object name in the signed path", async () => {
  const fake = fakeProxy();
  fake.register("GET", "/v1/a/c/x/../y", 200, {}, "the object named x/../y");
  const sig = sign({ method: "GET", expires: NOW + 60, path: "/v1/a/c/x/../y" }, "akey");
  const query = `temp_url_sig=${sig}&temp_url_expires=${NOW + 60}`;
  // A URL normalized to /v1/a/c/y would not match the signature of the name with "..".
  const { resp, body, ctx } = await get(`/v1/a/c/x/../y?${query}`, fake);
  assertEquals([resp.status, body], [200, "the object named x/../y"]);
  assertEquals(ctx.env.REMOTE_USER, ".wsgi.tempurl");
  assertEquals(fake.calls.at(-1)?.method, "GET");
});

Deno.test("tempurl refuses with a 401 whose body says the temp URL is invalid", async () => {
  const { resp, body } = await get("/v1/a/c/o?temp_url_sig=00&temp_url_expires=1", fakeProxy());
  assertEquals(resp.status, 401);
  assertEquals(body, "401 Unauthorized: Temp URL invalid\n");
  assertEquals(resp.headers.get("Www-Authenticate"), 'Swift realm="unknown"');
});

Deno.test("tempurl registers temp_url_sig as a sensitive parameter for the access log", () => {
  tempurlFilterWith(configOf());
  assert(sensitiveNames().params.has("temp_url_sig"));
});

Deno.test("tempurlInfo() lists the settings as Swift's /info does", () => {
  assertEquals(tempurlInfo(configOf()), {
    methods: ["GET", "HEAD", "PUT", "POST", "DELETE"],
    incoming_remove_headers: ["x-timestamp"],
    incoming_allow_headers: [],
    outgoing_remove_headers: ["x-object-meta-*"],
    outgoing_allow_headers: ["x-object-meta-public-*"],
    allowed_digests: ["sha1", "sha256", "sha512"],
    deprecated_digests: ["sha1"],
  });
  assertEquals(tempurlInfo(configOf({ allowed_digests: "sha512 sha256" })).allowed_digests, [
    "sha256",
    "sha512",
  ]);
  assert(!("deprecated_digests" in tempurlInfo(configOf({ allowed_digests: "sha256" }))));
});

Deno.test("allowed_digests with no supported digest stops the filter from loading", () => {
  assertThrows(
    () =>
      parseOptions(
        TEMPURL_FILTER,
        new Map([["allowed_digests", { value: "md5 crc32", file: "p.conf", line: 3 }]]),
        { file: "p.conf" },
        () => {},
      ),
    ConfigError,
    "allowed_digests",
  );
});

Deno.test("extractDigestAndAlgorithm() reads hex by length and prefixed base64", () => {
  assertEquals(extractDigestAndAlgorithm("ab".repeat(20)), ["sha1", "ab".repeat(20)]);
  assertEquals(extractDigestAndAlgorithm("AB".repeat(32)), ["sha256", "AB".repeat(32)]);
  assertEquals(extractDigestAndAlgorithm("sha1:q83vASNFZ4mrze8BI0VniavN7wE="), [
    "sha1",
    "abcdef0123456789abcdef0123456789abcdef01",
  ]);
  // URL-safe alphabet, no padding, leftover bits dropped as binascii does.
  assertEquals(extractDigestAndAlgorithm("x:-_8"), ["x", "fbff"]);
  assertThrows(() => extractDigestAndAlgorithm("abc"), RangeError);
  assertThrows(() => extractDigestAndAlgorithm("ab".repeat(21)), RangeError);
  assertThrows(() => extractDigestAndAlgorithm("sha1:abcde"), RangeError);
  assertThrows(() => extractDigestAndAlgorithm("sha1:ab=cd"), RangeError);
});

Deno.test("streqConstTime() compares whole strings only", () => {
  assert(streqConstTime("abc", "abc"));
  assert(!streqConstTime("abc", "abd"));
  assert(!streqConstTime("abc", "ab"));
  assert(!streqConstTime("é", "e"));
});

Deno.test("parseExpires() reads Unix and ISO 8601 times and zeroes past ones", () => {
  assertEquals(parseExpires("1700000001", 1700000000.5), 1700000001n);
  assertEquals(parseExpires("1700000000", 1700000000.5), 0n);
  assertEquals(parseExpires("2023-11-14T22:13:21Z", 1700000000), 1700000001n);
  assertEquals(parseExpires("2024-02-29T00:00:00Z", 0), 1709164800n);
  assertEquals(parseExpires("2023-02-29T00:00:00Z", 0), 0n);
  assertEquals(parseExpires("99999999999999999999", 0), 99999999999999999999n);
  assertEquals(parseExpires("1e10", 0), 0n);
});

Deno.test("expiresHeader() formats HTTP dates far beyond JavaScript's Date range", () => {
  assertEquals(expiresHeader(90061n), "Fri, 02 Jan 1970 01:01:01 GMT");
  assertEquals(expiresHeader(10n ** 12n), "Fri, 27 Sep 33658 01:46:40 GMT");
  assertEquals(expiresHeader(10n ** 15n), "Sun, 05 Jul 31690708 01:46:40 GMT");
  assertThrows(() => expiresHeader(10n ** 17n), RangeError);
});

Deno.test("ipNetwork() accepts what Python's ip_network(strict=True) accepts", () => {
  const ok = ["10.0.0.0/8", "10.0.0.0/255.0.0.0", "10.0.0.0/0.255.255.255", "1.2.3.4", "::/0"];
  for (const text of [...ok, "2001:db8::/32", "::ffff:1.2.3.0/120", "fe80::%1/64", "0.0.0.0/0"]) {
    assert(ipNetwork(text), text);
  }
  const bad = ["10.0.0.1/8", "010.0.0.0/8", "1.2.3", "1.2.3.4/33", "1::2::3", "12345::/16"];
  for (const text of [...bad, "::/129", "2001:db8::/ffff::", "1.2.3.4/1.2.3.4", "", "a/b/c"]) {
    assertEquals(ipNetwork(text), undefined, text);
  }
  const net = ipNetwork("192.168.0.0/16")!;
  assert(networkContains(net, ipAddress("192.168.4.5")!));
  assert(!networkContains(net, ipAddress("192.169.0.1")!));
  assert(!networkContains(ipNetwork("::/0")!, ipAddress("127.0.0.1")!));
});

Deno.test("parseQs() splits on & only and decodes as urllib does", () => {
  const qs = parseQs("a=1;b=2&c=%ff&d=+x+&&e&f=&a=2");
  assertEquals([...qs], [["a", ["1;b=2", "2"]], ["c", ["\ufffd"]], ["d", [" x "]], ["e", [""]], [
    "f",
    [""],
  ]]);
  assertEquals(pyIntOf(" -1_0 "), -10n);
  assertEquals(pyIntOf("1__0"), undefined);
});
