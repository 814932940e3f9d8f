import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { failures, parseWrk, putScript, wrkArgs } from "../../bench/lib/wrk.ts";

const CLEAN = `Running 3s test @ http://127.0.0.1:18611/sda1/0/a/c/o
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.50ms    0.87ms  12.79ms   89.20%
    Req/Sec    10.17k     1.87k   12.21k    75.00%
  Latency Distribution
     50%  221.00us
     75%    2.67ms
     90%    1.05s 
     99%    1.10m 
  60725 requests in 3.00s, 13.55MB read
Requests/sec:  20227.88
Transfer/sec:      4.51MB
`;

const FAILING = `Running 2s test @ http://127.0.0.1:18622/nonexistent
  2 threads and 500 connections
  Latency Distribution
     50%    4.97ms
     75%    8.10ms
     90%   11.76ms
     99%  410.38ms
  1862 requests in 2.01s, 0.92MB read
  Socket errors: connect 3, read 4, write 5, timeout 6
  Non-2xx or 3xx responses: 1862
Requests/sec:    927.39
Transfer/sec:    470.94KB
`;

Deno.test("parseWrk() reads requests/s and latency percentiles in every unit wrk prints", () => {
  const result = parseWrk(CLEAN);
  assertEquals(result.requestsPerSecond, 20227.88);
  assertEquals(result.requests, 60725);
  assertEquals(result.latencyMs, { p50: 0.221, p75: 2.67, p90: 1050, p99: 66_000 });
  assertEquals(failures(result), 0);
});

Deno.test("parseWrk() counts non-2xx answers and every kind of socket error as failures", () => {
  const result = parseWrk(FAILING);
  assertEquals(result.non2xx, 1862);
  assertEquals(result.socketErrors, { connect: 3, read: 4, write: 5, timeout: 6 });
  assertEquals(failures(result), 1862 + 18);
});

Deno.test("parseWrk() rejects a report without the latency distribution", () => {
  assertThrows(() => parseWrk(CLEAN.replace(/ +99%.*\n/, "")), Error, "99% latency");
});

Deno.test("wrkArgs() passes headers and the script, and always asks for --latency", () => {
  const args = wrkArgs(
    8080,
    { path: "/x", expect: 200 },
    { threads: 2, connections: 50, seconds: 10, timeoutSeconds: 5, headers: { "X-A": "1" } },
    "/tmp/m.lua",
  );
  assertEquals(args, [
    "-t2",
    "-c50",
    "-d10s",
    "--timeout",
    "5s",
    "--latency",
    "-H",
    "X-A: 1",
    "-s",
    "/tmp/m.lua",
    "http://127.0.0.1:8080/x",
  ]);
});

Deno.test("putScript() gives each PUT a name per thread, cycling over `names` when set", () => {
  const cycling = putScript("/sda1/0/a/c/big", { bytes: 16, names: 4, timestamp: true }, {
    "X-Auth-Token": "t",
  });
  assertStringIncludes(cycling, "n = counter % 4");
  assertStringIncludes(cycling, 'string.rep("x", 16)');
  assertStringIncludes(cycling, '["Content-Length"] = "16"');
  assertStringIncludes(cycling, '["X-Auth-Token"] = "t"');
  assertStringIncludes(cycling, 'headers["X-Timestamp"]');
  assertStringIncludes(cycling, '"/sda1/0/a/c/big" .. "-" .. "fixed" .. "-" .. id .. "-" .. n');

  const fresh = putScript("/v1/AUTH_test/bench/new", { bytes: 4096, timestamp: false }, {});
  assertEquals(fresh.includes("counter %"), false);
  assertEquals(fresh.includes("X-Timestamp"), false);
  assertStringIncludes(fresh, '"/v1/AUTH_test/bench/new" .. "-" .. run .. "-" .. id .. "-" .. n');
});
