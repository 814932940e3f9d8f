import { assertEquals, assertThrows } from "@std/assert";
import { fromFileUrl } from "@std/path";
import {
  DEFAULT_STORAGE_LOG_FORMAT,
  storageLogFieldsOf,
  storageLogLine,
} from "../../lib/common/storage_access_log.ts";
import { runPythonJson } from "../_helpers/python.ts";

const ORACLE = fromFileUrl(new URL("./_storage_log_oracle.py", import.meta.url));

interface Case {
  method: string;
  path: string;
  remote_addr: string;
  headers: [string, string][];
  status: number;
  response_headers: [string, string][];
  trans_time: number;
  additional_info: string;
  time: number;
  pid: number;
  format: string;
  method_hash: string;
  salt: string;
}

function makeCase(overrides: Partial<Case>): Case {
  return {
    method: "GET",
    path: "/sda1/0/a/c/o",
    remote_addr: "10.1.2.3",
    headers: [],
    status: 200,
    response_headers: [["Content-Length", "5"]],
    trans_time: 0.0123456,
    additional_info: "",
    time: 1700000000.25,
    pid: 4242,
    format: DEFAULT_STORAGE_LOG_FORMAT,
    method_hash: "md5",
    salt: "",
    ...overrides,
  };
}

const CUSTOM = "{time} {time.a} {time.A} {time.B} {time.c} {time.I} {time.j} {time.m} " +
  "{time.p} {time.U} {time.w} {time.W} {time.x} {time.X} {time.y} {time.Z} {time.asctime} " +
  "{time.datetime} {time.iso8601} {time.ms} {time.us} {time.ns} | {disk} {partition} " +
  "{account} {container} {object} {path.anonymized} {account.anonymized} " +
  "{user_agent.anonymized} {remote_addr.anonymized} {trans_time:.2f} {{literal}}";

const CASES: Case[] = [
  makeCase({}),
  makeCase({
    method: "PUT",
    status: 201,
    response_headers: [],
    headers: [
      ["X-Trans-Id", "tx0123456789abcdef01234-0065539f00"],
      ["User-Agent", "proxy-server 1234"],
      ["Referer", "PUT http://proxy/v1/a/c/o"],
      ["X-Backend-Storage-Policy-Index", "2"],
    ],
  }),
  makeCase({ status: 404, response_headers: [["Content-Length", "70"]], trans_time: 0 }),
  makeCase({ method: "HEAD", response_headers: [["Content-Length", "0"]] }),
  makeCase({
    path: "/sda1/0/a/c/caf%C3%A9%20au%20lait/x?q=1",
    response_headers: [["X-Backend-Storage-Policy-Index", "1"], ["Content-Length", "9"]],
    headers: [["X-Backend-Storage-Policy-Index", "0"]],
  }),
  makeCase({ path: "/sda1/0", method: "REPLICATE", additional_info: "extra info" }),
  makeCase({ path: "/sda1/0/a/c/o/deep/er", remote_addr: "::1", time: 951782400.999999 }),
  makeCase({ format: CUSTOM, headers: [["User-Agent", "ua"]] }),
  makeCase({ format: CUSTOM, method_hash: "sha256", salt: "pepper", time: 1704067199 }),
  makeCase({ format: CUSTOM, method_hash: "sha1", time: 1230768000, path: "/d" }),
];

Deno.test("storageLogLine() writes the lines Swift's get_log_line() writes", async () => {
  const expected = await runPythonJson(ORACLE, [JSON.stringify(CASES)]);
  const actual = CASES.map((c) => {
    const req = new Request(`http://127.0.0.1${c.path}`, { method: c.method, headers: c.headers });
    const res = new Response(null, { status: c.status, headers: c.response_headers });
    const fields = storageLogFieldsOf(req, res, {
      remoteAddr: c.remote_addr,
      transTime: c.trans_time,
      additionalInfo: c.additional_info,
      time: c.time,
      pid: c.pid,
    });
    return storageLogLine(fields, {
      format: c.format,
      anonymizationMethod: c.method_hash,
      anonymizationSalt: c.salt,
    });
  });
  assertEquals(actual, expected);
});

Deno.test("storageLogLine() shows absent and empty fields as a dash", () => {
  const line = storageLogLine({
    remoteAddr: "1.2.3.4",
    method: "DELETE",
    path: "/sda1/0/a/c/o",
    status: 204,
    contentLength: 0,
    transTime: 0.5,
    pid: 7,
    time: 0,
  });
  assertEquals(
    line,
    '1.2.3.4 - - [01/Jan/1970:00:00:00 +0000] "DELETE /sda1/0/a/c/o" 204 - "-" "-" "-" ' +
      '0.5000 "-" 7 -',
  );
});

Deno.test("storageLogLine() refuses a log_format field Swift does not know", () => {
  const fields = {
    remoteAddr: "",
    method: "GET",
    path: "/",
    status: 200,
    transTime: 0,
    pid: 1,
    time: 0,
  };
  assertThrows(() => storageLogLine(fields, { format: "{nope}" }), RangeError, '"nope"');
  assertThrows(() => storageLogLine(fields, { format: "{time.Q}" }), RangeError, "Q");
});
