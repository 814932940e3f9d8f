/**
 * The runtime of issue 3 with real processes, signals and sockets: swiftd object-server with
 * the mem_object app, on a free port, checked by pids in /proc, exit codes and HTTP responses.
 */
import { assert, assertEquals, assertMatch, assertNotEquals } from "@std/assert";
import { makeTempDir } from "../_helpers/temp_dir.ts";
import {
  childPids,
  freePort,
  get,
  isAlive,
  memObjectConf,
  rawRequest,
  startSwiftd,
  waitUntil,
  writeFile,
} from "../_helpers/swiftd.ts";

const READY = /serving on 127\.0\.0\.1:\d+ with/;

async function started(extra = "", workers?: number) {
  const dir = await makeTempDir("runtime");
  const port = freePort();
  const conf = memObjectConf(port, `${dir.path}/run`, extra).replace(
    "workers = 2",
    `workers = ${workers ?? 2}`,
  );
  const path = writeFile(dir.path, "object-server.conf", conf);
  const swiftd = startSwiftd(["object-server", path]);
  return { dir, port, path, swiftd };
}

/** A PUT whose body trickles in over `ms`, so the request stays in flight that long. */
async function slowPut(port: number, name: string, ms: number): Promise<Response> {
  const chunks = 10;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, ms / chunks));
      controller.enqueue(new TextEncoder().encode("x"));
      if (--pulls === 0) controller.close();
    },
  });
  let pulls = chunks;
  return await fetch(`http://127.0.0.1:${port}/sda1/0/a/c/${name}`, {
    method: "PUT",
    body,
    headers: {
      "X-Timestamp": (Date.now() / 1000).toFixed(5),
      "Content-Type": "text/plain",
      "Content-Length": String(chunks),
    },
  });
}

Deno.test("swiftd runs N workers with distinct pids that all serve", async () => {
  const { dir, port, swiftd } = await started("", 3);
  await using _dir = dir;
  await using _swiftd = swiftd;
  await swiftd.waitForLine(READY);
  const workers = childPids(swiftd.pid);
  assertEquals(workers.length, 3);
  const startedLines = swiftd.linesMatching(/Started child \d+ from parent \d+/);
  assertEquals(startedLines.length, 3);
  for (const line of startedLines) assert(line.endsWith(`from parent ${swiftd.pid}`));
  const seen = new Set<string>();
  for (let i = 0; i < 60 && seen.size < 3; i++) {
    const response = await fetch(`http://127.0.0.1:${port}/healthcheck`, {
      headers: { Connection: "close" },
    });
    assertEquals(await response.text(), "OK");
    seen.add(response.headers.get("X-Trans-Id")!);
  }
  assertEquals(seen.size > 1, true);
});

Deno.test("SIGTERM stops the parent and every worker, exit code 0", async () => {
  const { dir, swiftd } = await started();
  await using _dir = dir;
  await using _swiftd = swiftd;
  await swiftd.waitForLine(READY);
  const workers = childPids(swiftd.pid);
  swiftd.kill("SIGTERM");
  const status = await swiftd.exited(5_000);
  assertEquals(status.code, 0);
  await waitUntil(() => workers.every((pid) => !isAlive(pid)), 5_000, "workers to exit");
  await swiftd.waitForLine(new RegExp(`SIGTERM received \\(${swiftd.pid}\\)`));
  await swiftd.waitForLine(new RegExp(`Exited \\(${swiftd.pid}\\)`));
});

Deno.test("SIGHUP lets a slow request in flight finish with 201, then exits 0", async () => {
  const { dir, port, swiftd } = await started();
  await using _dir = dir;
  await using _swiftd = swiftd;
  await swiftd.waitForLine(READY);
  const upload = slowPut(port, "slow", 1500);
  await new Promise((resolve) => setTimeout(resolve, 300));
  swiftd.kill("SIGHUP");
  const response = await upload;
  await response.body?.cancel();
  assertEquals(response.status, 201);
  assertEquals((await swiftd.exited()).code, 0);
  await swiftd.waitForLine(/SIGHUP received/);
});

Deno.test("SIGKILL to a worker gets it replaced", async () => {
  const { dir, port, swiftd } = await started();
  await using _dir = dir;
  await using _swiftd = swiftd;
  await swiftd.waitForLine(READY);
  const [victim, survivor] = childPids(swiftd.pid);
  Deno.kill(victim, "SIGKILL");
  await swiftd.waitForLine(new RegExp(`Removing dead child ${victim} from parent ${swiftd.pid}`));
  await waitUntil(() => childPids(swiftd.pid).length === 2, 10_000, "a replacement worker");
  const now = childPids(swiftd.pid);
  assert(now.includes(survivor));
  assert(!now.includes(victim));
  assertEquals((await get(port, "/healthcheck")).body, "OK");
});

Deno.test("SIGKILL to the parent: the workers notice and exit, leaving no orphans", async () => {
  const { dir, swiftd } = await started();
  await using _dir = dir;
  await using _swiftd = swiftd;
  await swiftd.waitForLine(READY);
  const workers = childPids(swiftd.pid);
  assertEquals(workers.length, 2);
  swiftd.kill("SIGKILL");
  await swiftd.status;
  await waitUntil(() => workers.every((pid) => !isAlive(pid)), 10_000, "orphaned workers to exit");
});

Deno.test("a bad config at SIGUSR1 keeps the old workers serving", async () => {
  const { dir, port, path, swiftd } = await started();
  await using _dir = dir;
  await using _swiftd = swiftd;
  await swiftd.waitForLine(READY);
  const before = childPids(swiftd.pid);
  Deno.writeTextFileSync(path, Deno.readTextFileSync(path).replace("workers = 2", "workers = -2"));
  swiftd.kill("SIGUSR1");
  const refused = await swiftd.waitForLine(/Reload refused/);
  assertMatch(refused, /'workers' must be an integer >= 0 or "auto": current value is "-2"/);
  assertEquals(childPids(swiftd.pid), before);
  assertEquals((await get(port, "/healthcheck")).status, 200);
});

Deno.test("SIGUSR1 replaces every worker, keeps the parent, and applies the new config", async () => {
  const { dir, port, path, swiftd } = await started();
  await using _dir = dir;
  await using _swiftd = swiftd;
  await swiftd.waitForLine(READY);
  const before = childPids(swiftd.pid);
  Deno.writeTextFileSync(path, Deno.readTextFileSync(path).replace("workers = 2", "workers = 3"));
  swiftd.kill("SIGUSR1");
  await swiftd.waitForLine(/Reloaded:/);
  await waitUntil(
    () => {
      const now = childPids(swiftd.pid);
      return now.length === 3 && now.every((pid) => !before.includes(pid));
    },
    15_000,
    "the old generation to drain",
  );
  assert(isAlive(swiftd.pid));
  assertEquals((await get(port, "/healthcheck")).status, 200);
  assertEquals(swiftd.linesMatching(/Debugger listening/), []);
});

Deno.test("SIGTTIN and SIGTTOU add and remove one worker", async () => {
  const { dir, swiftd } = await started();
  await using _dir = dir;
  await using _swiftd = swiftd;
  await swiftd.waitForLine(READY);
  swiftd.kill("SIGTTIN");
  await waitUntil(() => childPids(swiftd.pid).length === 3, 10_000, "a third worker");
  // Two identical signals sent back to back can merge into one: wait between them.
  swiftd.kill("SIGTTOU");
  await waitUntil(() => childPids(swiftd.pid).length === 2, 10_000, "two workers");
  swiftd.kill("SIGTTOU");
  await waitUntil(() => childPids(swiftd.pid).length === 1, 10_000, "one worker");
  swiftd.kill("SIGTTOU");
  await swiftd.waitForLine(/SIGTTOU ignored: at least one worker must run/);
});

Deno.test("max_clients = 2: of 6 concurrent downloads never more than 2 run at once", async () => {
  const { dir, port, swiftd } = await started("max_clients = 2", 1);
  await using _dir = dir;
  await using _swiftd = swiftd;
  await swiftd.waitForLine(READY);
  // A request holds its permit until its response body is sent. A 32 MiB body cannot fit in the
  // socket buffers, so a client that reads slowly keeps its request running; a waiting request
  // has not even got its status line. The wire shows how many run at once.
  const size = 32 * 1024 * 1024;
  const put = await fetch(`http://127.0.0.1:${port}/sda1/0/a/c/big`, {
    method: "PUT",
    body: new Uint8Array(size),
    headers: { "X-Timestamp": "1700000000.00000", "Content-Type": "application/octet-stream" },
  });
  assertEquals(put.status, 201);
  let running = 0;
  let peak = 0;
  const client = async () => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await conn.write(new TextEncoder().encode(
        "GET /sda1/0/a/c/big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      ));
      const buffer = new Uint8Array(65536);
      let received = (await conn.read(buffer))!;
      assertMatch(new TextDecoder().decode(buffer.subarray(0, 12)), /^HTTP\/1\.1 200/);
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setTimeout(resolve, 300));
      let counted = true;
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) break;
        received += n;
        // The server finishes (and frees the permit) once the last bytes are in the socket
        // buffers, before this client has read them; stop counting well before the end.
        if (counted && received > size / 2) {
          counted = false;
          running--;
        }
      }
      assert(received > size);
    } finally {
      conn.close();
    }
  };
  await Promise.all(Array.from({ length: 6 }, client));
  assertEquals(peak, 2);
});

Deno.test("a port held by another process fails startup with Swift's bind_timeout message", async () => {
  await using dir = await makeTempDir("bind");
  const port = freePort();
  const holder = Deno.listen({ hostname: "127.0.0.1", port });
  try {
    const path = writeFile(dir.path, "o.conf", memObjectConf(port, `${dir.path}/run`));
    await using swiftd = startSwiftd(["object-server", path]);
    const status = await swiftd.exited();
    assertEquals(status.code, 1);
    assertMatch(
      swiftd.stderr,
      new RegExp(`Could not bind to 127\\.0\\.0\\.1:${port} after trying for 2 seconds`),
    );
  } finally {
    holder.close();
  }
});

Deno.test("workers launched while the parent checks the config are stopped when a check fails", async () => {
  await using dir = await makeTempDir("early");
  const port = freePort();
  const holder = Deno.listen({ hostname: "127.0.0.1", port });
  try {
    const path = writeFile(dir.path, "o.conf", memObjectConf(port, `${dir.path}/run`));
    await using swiftd = startSwiftd(["object-server", path]);
    // The port check waits bind_timeout (2 s): the workers exist meanwhile, not serving.
    const workers: number[] = [];
    await waitUntil(() => {
      workers.splice(0, workers.length, ...childPids(swiftd.pid));
      return workers.length === 2;
    }, 2_000);
    assertEquals((await swiftd.exited()).code, 1);
    assertEquals(workers.filter(isAlive), []);
  } finally {
    holder.close();
  }
});

Deno.test("a second swiftd on the same port refuses to start", async () => {
  const { dir, path, swiftd } = await started();
  await using _dir = dir;
  await using _swiftd = swiftd;
  await swiftd.waitForLine(READY);
  await using second = startSwiftd(["object-server", path]);
  assertEquals((await second.exited()).code, 1);
  assertMatch(
    second.stderr,
    new RegExp(`already served by another swiftd \\(pid ${swiftd.pid}\\)`),
  );
});

Deno.test("a bad request line or oversized headers get Swift's 414/400 and the worker lives", async () => {
  const { dir, port, swiftd } = await started("", 1);
  await using _dir = dir;
  await using _swiftd = swiftd;
  await swiftd.waitForLine(READY);
  const [worker] = childPids(swiftd.pid);
  const longLine = await rawRequest(
    port,
    `GET /${"a".repeat(9000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  );
  assertMatch(longLine, /^HTTP\/1\.1 414 /);
  const longHeader = await rawRequest(
    port,
    `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(9000)}\r\nConnection: close\r\n\r\n`,
  );
  assertMatch(longHeader, /^HTTP\/1\.1 400 /);
  // More header lines than Deno.serve takes (128): its own 400, before swiftd's 431 (from 201).
  const headers = Array.from({ length: 130 }, (_, i) => `X-H${i}: v\r\n`).join("");
  const many = await rawRequest(
    port,
    `GET / HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`,
  );
  assertMatch(many, /^HTTP\/1\.1 400 /);
  const garbage = await rawRequest(port, "\x16\x03\x01 not http at all\r\n\r\n");
  assertMatch(garbage, /^HTTP\/1\.1 400 /);
  assertEquals(childPids(swiftd.pid), [worker]);
  assertEquals((await get(port, "/healthcheck")).body, "OK");
});

Deno.test("slow-loris clients do not block others and are cut off after client_timeout", async () => {
  const { dir, port, swiftd } = await started("client_timeout = 2", 1);
  await using _dir = dir;
  await using _swiftd = swiftd;
  await swiftd.waitForLine(READY);
  const loris = await Promise.all(
    Array.from({ length: 20 }, () => Deno.connect({ hostname: "127.0.0.1", port })),
  );
  try {
    for (const conn of loris) {
      await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n"));
    }
    assertEquals((await get(port, "/healthcheck")).body, "OK");
    // Each incomplete request is ended by the server: the read sees end of stream or a reset.
    const ends = await Promise.all(loris.map(async (conn) => {
      const buffer = new Uint8Array(16);
      try {
        return await conn.read(buffer);
      } catch {
        return null;
      }
    }));
    assertEquals(ends.every((n) => n === null), true);
  } finally {
    for (const conn of loris) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  }
});

Deno.test("workers = 0 serves from the parent alone and drains on SIGHUP", async () => {
  const { dir, port, swiftd } = await started("", 0);
  await using _dir = dir;
  await using _swiftd = swiftd;
  await swiftd.waitForLine(/with no workers \(in-process\)/);
  assertEquals(childPids(swiftd.pid), []);
  assertEquals((await get(port, "/healthcheck")).body, "OK");
  const upload = slowPut(port, "slow0", 1000);
  await new Promise((resolve) => setTimeout(resolve, 200));
  swiftd.kill("SIGHUP");
  const response = await upload;
  await response.body?.cancel();
  assertEquals(response.status, 201);
  assertEquals((await swiftd.exited()).code, 0);
});

Deno.test("a worker that cannot boot stops startup with its error and exit code 1", async () => {
  await using dir = await makeTempDir("boot");
  const port = freePort();
  const conf = memObjectConf(port, `${dir.path}/run`).replace(
    "bind_ip = 127.0.0.1",
    "bind_ip = 192.0.2.1",
  );
  const path = writeFile(dir.path, "o.conf", conf);
  await using swiftd = startSwiftd(["object-server", path]);
  assertEquals((await swiftd.exited()).code, 1);
  assertMatch(
    swiftd.stderr,
    /Cannot bind to 192\.0\.2\.1:\d+: no interface of this host has that address/,
  );
  assertEquals(swiftd.linesMatching(/Started child/).length, 0);
  assertNotEquals(swiftd.linesMatching(/could not start/).length, 0);
});

Deno.test("a second swiftd with another run_dir still refuses a port the first serves", async () => {
  const { dir, port, swiftd } = await started();
  await using _dir = dir;
  await using _swiftd = swiftd;
  await swiftd.waitForLine(READY);
  // Another run_dir means another lock; SO_REUSEPORT would let both bind and split the traffic.
  const other = writeFile(dir.path, "other.conf", memObjectConf(port, `${dir.path}/other-run`));
  await using second = startSwiftd(["object-server", other]);
  assertEquals((await second.exited()).code, 1);
  assertMatch(
    second.stderr,
    new RegExp(
      `Could not bind to 127\\.0\\.0\\.1:${port} after trying for 2 seconds: another process listens`,
    ),
  );
  assertEquals((await get(port, "/healthcheck")).status, 200);
});
