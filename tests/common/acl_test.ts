/**
 * lib/common/acl.ts against Swift 2.30's swift.common.middleware.acl (_acl_oracle.py): the
 * same inputs must give the same cleaned ACLs and error messages, parsed ACLs, referrer
 * decisions (including urlparse()'s errors), formatted ACLs and account ACLs.
 */
import { assertEquals, assertThrows } from "@std/assert";
import { fromFileUrl } from "@std/path";
import {
  AclError,
  aclsFromAccountInfo,
  cleanAcl,
  formatAcl,
  parseAcl,
  referrerAllowed,
} from "../../lib/common/acl.ts";
import { runPythonJson } from "../_helpers/python.ts";
import { makeTempDir } from "../_helpers/temp_dir.ts";

const ORACLE = fromFileUrl(new URL("./_acl_oracle.py", import.meta.url));

const HEADERS = ["X-Container-Read", "X-Container-Write", "x-account-access-control"];

const ACL_VALUES = [
  "",
  "bob, sue",
  "bob , sue",
  "bob,,,sue",
  ".referrer : *",
  ".ref:*.example.com",
  ".r:*, .rlistings",
  ".r:*,.r:-.thief.com,bobs_account,sues_account:sue",
  ".r:",
  ".r:-",
  ".r:- *",
  ".r:-*.x.com",
  ".r:*",
  ".r:.",
  ".r:*.",
  ".referer:host",
  ".rx:host",
  ".:x",
  ":x",
  "a:b:c",
  " .r : - . example.com ",
  "\u00a0bob\u0085,\u3000sue\x1c",
  ".r:\u00e9xample.com",
  "\u00e9:x",
  ".r:'quoted'",
  '.r:"both\'"',
  ".r\t:x",
  "te%73t,%E2%82%AC,%zz,%,%C3,caf%C3%A9",
  ",",
];

const REFERERS = [
  null,
  "",
  "http://example.com/x",
  "http://www.example.com/page",
  "HTTP://WWW.EXAMPLE.COM:80/",
  "https://user:pw@host.example.com:8443/p?q#f",
  "//www.example.com/",
  "www.example.com",
  "ftp://a.b/",
  "1http://x.com/",
  " \x01http://space.example.com/",
  "http://exa\tmple.com/",
  "http://[::1]/",
  "http://[::1]:80/",
  "http://[fe80::1%25eth0]/",
  "http://[fe80::1%eTh0]/",
  "http://[::ffff:1.2.3.4]/",
  "http://[1::2::3]/",
  "http://[1:2:3:4:5:6:7:8]/",
  "http://[1:2:3:4:5:6:7:8:9]/",
  "http://[1:2:3:4::5:6:7:8]/",
  "http://[1:2:3:4:5:6:1.2.3.4]/",
  "http://[::1.2.3.04]/",
  "http://[::1:2:3:4:5:6:7]/",
  "http://[1:2:3:4:5:6:7::]/",
  "http://[:1]/",
  "http://[1.2.3.4]/",
  "http://[v1.fe]/",
  "http://[vx.fe]/",
  "http://[bad/",
  "http://bad]/",
  "http://[::1]x/",
  "http://a[::1]/",
  "http://[a]@host.com/",
  "http://\uff0fevil.com/",
  "http://ex\u00e4mple.com/",
  "http://:80/",
  "http://@/",
];

const DESIGNATIONS = [
  [],
  ["*"],
  ["*", "-.example.com"],
  [".example.com", "-bad.example.com"],
  ["-www.example.com", "*"],
  ["www.example.com"],
  ["unknown"],
  ["::1"],
  ["fe80::1%eTh0"],
];

const V2 = [
  null,
  "",
  "{}",
  '{"admin":["a"],"read-only":[]}',
  '{"z":1,"a":[true,null,1.5,-2,"\u00e9"]}',
  '{"admin":NaN,"x":Infinity,"y":-Infinity}',
  '{"big":123456789012345678901234567890}',
  "[]",
  '"s"',
  "nope",
  "\ufeff{}",
  '{"a":1} x',
  '{"dup":1,"dup":2}',
  '{"\\ud800":"\\udc80"}',
];

function spec() {
  return {
    clean: HEADERS.flatMap((h) => ACL_VALUES.map((v) => [h, v])),
    parse_v1: [null, ...ACL_VALUES],
    parse_v2: V2,
    referrer: REFERERS.flatMap((r) => DESIGNATIONS.map((d) => [r, d])),
    format_v1: [
      {},
      { groups: ["a", "b"] },
      { groups: ["a"], referrers: ["*", "-.x.com"] },
      { referrers: ["*.x.com"], header_name: "X-Container-Read" },
      { referrers: ["*"], header_name: "X-Container-Write" },
      { groups: [" a ", ""], header_name: "X-Container-Read" },
    ],
    format_v2: [{}, { b: [1], a: "\u00e9\ud83d\ude00", "\u00e9": null, A: { z: true } }],
    acls: [null, ...V2.filter((v) => v !== null), '{"admin":"x"}', '{"read-write":0}'],
  };
}

function attempt<T>(fn: () => T): { ok: T } | { error: string } {
  try {
    return { ok: fn() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

Deno.test("acl functions give what Swift 2.30's acl module gives for the same inputs", async () => {
  const input = spec();
  await using dir = await makeTempDir("acl");
  await Deno.writeTextFile(`${dir.path}/spec.json`, JSON.stringify(input));
  const swift = await runPythonJson(ORACLE, [`${dir.path}/spec.json`]) as Record<string, unknown[]>;
  const swiftd = {
    clean: input.clean.map(([h, v]) => attempt(() => cleanAcl(h, v))),
    parse_v1: input.parse_v1.map((v) => {
      const { referrers, groups } = parseAcl(v);
      return [referrers, groups];
    }),
    parse_v2: input.parse_v2.map((v) => {
      const result = parseAcl(v, 2);
      return result === undefined ? null : formatAcl(2, { aclDict: result });
    }),
    referrer: input.referrer.map(([r, d]) =>
      attempt(() => referrerAllowed(r as string | null, d as string[]))
    ),
    format_v1: input.format_v1.map((kw) =>
      attempt(() =>
        formatAcl(1, {
          groups: kw.groups,
          referrers: kw.referrers,
          headerName: kw.header_name,
        })
      )
    ),
    format_v2: input.format_v2.map((d) => formatAcl(2, { aclDict: d })),
    acls: input.acls.map((data) => {
      const info = data === null ? {} : { sysmeta: { "core-access-control": data } };
      const acls = aclsFromAccountInfo(info);
      return acls === undefined ? null : formatAcl(2, { aclDict: { ...acls } });
    }),
  };
  for (const key of Object.keys(swiftd) as (keyof typeof swiftd)[]) {
    swiftd[key].forEach((got, i) => {
      const given = (input[key] as unknown[])[i];
      assertEquals(got, swift[key][i], `${key}(${JSON.stringify(given)})`);
    });
  }
});

Deno.test("cleanAcl() refuses referrers in write ACLs and unknown designators with AclError", () => {
  assertThrows(() => cleanAcl("X-Container-Write", ".r:*"), AclError, "Referrers not allowed");
  assertThrows(() => cleanAcl("X-Container-Read", ".x:y"), AclError, "Unknown designator");
  assertEquals(
    cleanAcl("X-Container-Read", " .referrer : *.example.com , bob"),
    ".r:.example.com,bob",
  );
});
