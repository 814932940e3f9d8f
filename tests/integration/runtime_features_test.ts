/**
 * More of the runtime with the real program: TLS, dropping privileges, systemd notifications,
 * graceful_sigterm, and where logs go.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { join } from "@std/path";
import { makeTempDir } from "../_helpers/temp_dir.ts";
import {
  childPids,
  freePort,
  get,
  memObjectConf,
  startSwiftd,
  waitUntil,
  writeFile,
} from "../_helpers/swiftd.ts";

const READY = /serving on /;

Deno.test("swiftd serves HTTPS with cert_file and key_file", async () => {
  await using dir = await makeTempDir("tls");
  const cert = join(dir.path, "cert.pem");
  const key = join(dir.path, "key.pem");
  const openssl = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-addext",
      "basicConstraints=critical,CA:FALSE",
    ],
    stdout: "null",
    stderr: "null",
  }).output();
  assert(openssl.success, "openssl could not make a certificate");
  const port = freePort();
  const path = writeFile(
    dir.path,
    "o.conf",
    memObjectConf(port, `${dir.path}/run`, `cert_file = ${cert}\nkey_file = ${key}`),
  );
  await using swiftd = startSwiftd(["object-server", path]);
  await swiftd.waitForLine(READY);
  using client = Deno.createHttpClient({ caCerts: [Deno.readTextFileSync(cert)] });
  const response = await fetch(`https://127.0.0.1:${port}/healthcheck`, { client });
  assertEquals([response.status, await response.text()], [200, "OK"]);
});

Deno.test({
  name: "started as root with user = nobody, workers run with nobody's uid, gid and groups",
  ignore: Deno.uid() !== 0,
  async fn() {
    await using dir = await makeTempDir("user");
    const port = freePort();
    const conf = memObjectConf(port, `${dir.path}/run`).replace("user =", "user = nobody");
    const path = writeFile(dir.path, "o.conf", conf);
    await using swiftd = startSwiftd(["object-server", path]);
    await swiftd.waitForLine(READY);
    const passwd = Deno.readTextFileSync("/etc/passwd").split("\n").find((l) =>
      l.startsWith("nobody:")
    )!;
    const [, , uid, gid] = passwd.split(":");
    for (const worker of childPids(swiftd.pid)) {
      for (const task of Deno.readDirSync(`/proc/${worker}/task`)) {
        const status = Deno.readTextFileSync(`/proc/${worker}/task/${task.name}/status`);
        assertMatch(status, new RegExp(`^Uid:\\s+${uid}\\s+${uid}\\s+${uid}\\s+${uid}$`, "m"));
        assertMatch(status, new RegExp(`^Gid:\\s+${gid}\\s+${gid}\\s+${gid}\\s+${gid}$`, "m"));
        assertMatch(status, /^Groups:\s+(\d+\s*)*$/m);
        assert(!/^Groups:.*\b0\b/m.test(status), "root's group survived");
      }
    }
    const parent = Deno.readTextFileSync(`/proc/${swiftd.pid}/status`);
    assertMatch(parent, /^Uid:\s+0\s/m);
    assertEquals((await get(port, "/healthcheck")).body, "OK");
    // The worker still reads /proc/self after setuid, so idle connections are still reaped.
    assertEquals(swiftd.linesMatching(/Could not enable TCP keepalive|EACCES|denied/i), []);
  },
});

Deno.test("an unknown user stops startup with a clear error and exit code 1", async () => {
  await using dir = await makeTempDir("user");
  const conf = memObjectConf(freePort(), `${dir.path}/run`).replace(
    "user =",
    "user = no-such-user-x",
  );
  await using swiftd = startSwiftd(["object-server", writeFile(dir.path, "o.conf", conf)]);
  assertEquals((await swiftd.exited()).code, 1);
  assertMatch(swiftd.stderr, /Cannot run as user "no-such-user-x": no such user/);
});

Deno.test("with NOTIFY_SOCKET, systemd hears READY, RELOADING, READY and STOPPING", async () => {
  await using dir = await makeTempDir("notify");
  const socketPath = join(dir.path, "notify.sock");
  const socket = Deno.listenDatagram({ transport: "unixpacket", path: socketPath });
  try {
    const port = freePort();
    const path = writeFile(dir.path, "o.conf", memObjectConf(port, `${dir.path}/run`));
    await using swiftd = startSwiftd(["object-server", path], {
      env: { NOTIFY_SOCKET: socketPath },
    });
    const next = async () => new TextDecoder().decode((await socket.receive())[0]);
    assertEquals(await next(), `READY=1\nMAINPID=${swiftd.pid}`);
    swiftd.kill("SIGUSR1");
    assertMatch(await next(), /^RELOADING=1\nMONOTONIC_USEC=\d+$/);
    assertEquals(await next(), `READY=1\nMAINPID=${swiftd.pid}`);
    swiftd.kill("SIGTERM");
    assertEquals(await next(), "STOPPING=1");
    assertEquals((await swiftd.exited()).code, 0);
  } finally {
    socket.close();
  }
});

Deno.test("graceful_sigterm = true makes SIGTERM finish requests in flight", async () => {
  await using dir = await makeTempDir("gsigterm");
  const port = freePort();
  const path = writeFile(
    dir.path,
    "o.conf",
    memObjectConf(port, `${dir.path}/run`, "graceful_sigterm = true"),
  );
  await using swiftd = startSwiftd(["object-server", path]);
  await swiftd.waitForLine(READY);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      controller.enqueue(new Uint8Array([120]));
      if (++sent === 8) controller.close();
    },
  });
  let sent = 0;
  const upload = fetch(`http://127.0.0.1:${port}/sda1/0/a/c/o`, {
    method: "PUT",
    body,
    headers: { "X-Timestamp": "1700000000.00000", "Content-Type": "x/y", "Content-Length": "8" },
  });
  await new Promise((resolve) => setTimeout(resolve, 250));
  swiftd.kill("SIGTERM");
  const response = await upload;
  await response.body?.cancel();
  assertEquals(response.status, 201);
  assertEquals((await swiftd.exited()).code, 0);
});

Deno.test("without a syslog socket, logs go to stderr in Swift's format and say why once", async () => {
  await using dir = await makeTempDir("stderr-log");
  const port = freePort();
  const path = writeFile(
    dir.path,
    "o.conf",
    memObjectConf(port, `${dir.path}/run`, "log_address = /nonexistent/dev-log\nlog_name = objx"),
  );
  await using swiftd = startSwiftd(["object-server", path]);
  await swiftd.waitForLine(READY);
  assertEquals(
    swiftd.linesMatching(/Logging to stderr/),
    [`objx: Logging to stderr: log_address "/nonexistent/dev-log" does not exist and log_udp_host is not set`],
  );
  assert(swiftd.lines.every((line) => line.startsWith("objx: ") || line.includes("inspector")));
  await waitUntil(() => childPids(swiftd.pid).length === 2);
});
