/**
 * The all-in-one default (`swiftd` with no arguments) as a user meets it: python-swiftclient
 * against 127.0.0.1:8080, the refusals a Swift endpoint owes its users, the healthcheck command
 * for containers, and PID-1 signal handling. The all-in-one binds fixed ports (8080, 6200-6202),
 * so these tests run one at a time, as Deno runs the tests of a file.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { makeTempDir } from "../_helpers/temp_dir.ts";
import {
  childPids,
  isAlive,
  startSwiftd,
  type SwiftdProcess,
  waitUntil,
} from "../_helpers/swiftd.ts";
import { swiftCli } from "../_helpers/real_swift.ts";
import { DENO_FLAGS } from "../../lib/supervisor/self_command.ts";

const AUTH = "http://127.0.0.1:8080/auth/v1.0";
const PROXY = "http://127.0.0.1:8080";
const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

async function startAllInOne(cwd: string): Promise<SwiftdProcess> {
  const swiftd = startSwiftd([], { cwd });
  await swiftd.waitForLine(/proxy-server serving on 127\.0\.0\.1:8080/);
  return swiftd;
}

async function token(user: string, key: string): Promise<{ token: string; url: string }> {
  const response = await fetch(AUTH, { headers: { "X-Auth-User": user, "X-Auth-Key": key } });
  await response.body?.cancel();
  assertEquals(response.status, 200);
  return {
    token: response.headers.get("X-Auth-Token")!,
    url: response.headers.get("X-Storage-Url")!,
  };
}

async function request(
  method: string,
  url: string,
  init: { token?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Headers; body: string }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers["X-Auth-Token"] = init.token;
  const response = await fetch(url, { method, headers, body: init.body });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

Deno.test("swiftclient uploads a tree with segments, lists, downloads, copies and deletes", async () => {
  await using dir = await makeTempDir("aio-client");
  await using _swiftd = await startAllInOne(dir.path);
  const work = join(dir.path, "work");
  await Deno.mkdir(join(work, "docs/2026"), { recursive: true });
  const files: Record<string, string> = {
    "docs/readme.txt": "read me\n",
    "docs/2026/report.csv": "a,b\n".repeat(5000),
    "docs/2026/日本語.txt": "unicode name\n",
  };
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(join(work, name), text);
  }
  const big = new Uint8Array(2_500_000).map((_, i) => (i * 13) % 256);
  await Deno.writeFile(join(work, "big.bin"), big);

  await swiftCli(AUTH, ["upload", "archive", "docs"], work);
  await swiftCli(AUTH, ["upload", "--segment-size", "1000000", "archive", "big.bin"], work);
  await swiftCli(
    AUTH,
    [
      "upload",
      "--use-slo",
      "--segment-size",
      "1000000",
      "archive",
      "big.bin",
      "--object-name",
      "big-slo",
    ],
    work,
  );
  assertEquals(
    (await swiftCli(AUTH, ["list", "archive", "--prefix", "docs/", "--delimiter", "/"])).trim()
      .split("\n"),
    [
      "docs/2026/",
      "docs/readme.txt",
    ],
  );
  assertStringIncludes(
    await swiftCli(AUTH, ["stat", "archive", "big.bin"]),
    "Manifest: archive_segments/big.bin/",
  );

  const out = join(dir.path, "out");
  await Deno.mkdir(out);
  await swiftCli(AUTH, ["download", "archive", "--output-dir", out]);
  for (const [name, text] of Object.entries(files)) {
    assertEquals(await Deno.readTextFile(join(out, name)), text);
  }
  assertEquals(await Deno.readFile(join(out, "big.bin")), big);
  assertEquals(await Deno.readFile(join(out, "big-slo")), big);

  await swiftCli(AUTH, ["post", "archive", "docs/readme.txt", "-m", "Reviewed:yes"]);
  assertMatch(await swiftCli(AUTH, ["stat", "archive", "docs/readme.txt"]), /Meta Reviewed: yes/);
  await swiftCli(AUTH, [
    "copy",
    "archive",
    "docs/readme.txt",
    "--destination",
    "/backup/readme.txt",
  ]);
  assertEquals((await swiftCli(AUTH, ["list", "backup"])).trim(), "readme.txt");
  await swiftCli(AUTH, ["delete", "--all"]);
  assertEquals((await swiftCli(AUTH, ["list"])).trim(), "");
});

const haveRclone = (await new Deno.Command("rclone", { args: ["version"], stdout: "null" })
  .output().catch(() => undefined))?.success === true;

/** Runs rclone against the all-in-one as test:tester (remote `aio:`); returns its stdout. */
async function rclone(args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command("rclone", {
    args: [...args, "--config", "/dev/null", "--retries", "1"],
    cwd,
    env: {
      RCLONE_CONFIG_AIO_TYPE: "swift",
      RCLONE_CONFIG_AIO_AUTH: AUTH,
      RCLONE_CONFIG_AIO_USER: "test:tester",
      RCLONE_CONFIG_AIO_KEY: "testing",
      // Files over 1 MiB go up as Swift large objects (segments in CONTAINER_segments, a DLO).
      RCLONE_SWIFT_CHUNK_SIZE: "1M",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  if (!out.success) throw new Error(`rclone ${args.join(" ")}: ${text(out.stderr)}`);
  return text(out.stdout);
}

Deno.test({
  name: "rclone syncs a tree with a chunked file to the all-in-one and back, byte for byte",
  // .ci/run installs Debian's rclone.
  ignore: !haveRclone,
  async fn() {
    await using dir = await makeTempDir("aio-rclone");
    await using _swiftd = await startAllInOne(dir.path);
    const src = join(dir.path, "src");
    await Deno.mkdir(join(src, "a/b"), { recursive: true });
    await Deno.writeTextFile(join(src, "a/one.txt"), "one\n");
    await Deno.writeTextFile(join(src, "a/b/ünï.txt"), "unicode\n");
    await Deno.writeFile(
      join(src, "big.bin"),
      new Uint8Array(3_300_000).map((_, i) => (i * 31) % 251),
    );
    await rclone(["copy", src, "aio:photos"], dir.path);
    assertEquals(
      (await rclone(["lsf", "-R", "--files-only", "aio:photos"], dir.path)).split("\n").sort(),
      ["", "a/b/ünï.txt", "a/one.txt", "big.bin"],
    );
    // rclone check compares sizes and hashes (MD5 ETags; the large object's by download).
    await rclone(["check", "--download", src, "aio:photos"], dir.path);
    const back = join(dir.path, "back");
    await rclone(["copy", "aio:photos", back], dir.path);
    assertEquals(
      await Deno.readFile(join(back, "big.bin")),
      await Deno.readFile(join(src, "big.bin")),
    );
    await rclone(["purge", "aio:photos"], dir.path);
    assertEquals(await rclone(["lsf", "aio:"], dir.path), "photos_segments/\n");
  },
});

Deno.test("the all-in-one refuses cross-account access, backend headers and bad names", async () => {
  await using dir = await makeTempDir("aio-security");
  await using _swiftd = await startAllInOne(dir.path);
  const test = await token("test:tester", "testing");
  const test2 = await token("test2:tester2", "testing2");
  const test3 = await token("test:tester3", "testing3");
  assert(
    (await fetch(AUTH, { headers: { "X-Auth-User": "test:tester", "X-Auth-Key": "wrong" } }))
      .status === 401,
  );

  assertEquals((await request("PUT", `${test.url}/private`, { token: test.token })).status, 201);
  assertEquals(
    (await request("PUT", `${test.url}/private/o`, { token: test.token, body: "secret" })).status,
    201,
  );
  // Another account's token, a non-admin of the same account, and no token at all.
  assertEquals((await request("GET", `${test.url}/private/o`, { token: test2.token })).status, 403);
  assertEquals(
    (await request("PUT", `${test.url}/private/x`, { token: test2.token, body: "x" })).status,
    403,
  );
  assertEquals((await request("GET", `${test.url}/private/o`, { token: test3.token })).status, 403);
  assertEquals((await request("GET", `${test.url}/private/o`)).status, 401);
  assertEquals((await request("GET", test.url, { token: test2.token })).status, 403);
  // A container ACL opens exactly what it names.
  await request("POST", `${test.url}/private`, {
    token: test.token,
    headers: { "X-Container-Read": ".r:*" },
  });
  assertEquals((await request("GET", `${test.url}/private/o`)).body, "secret");
  assertEquals(
    (await request("PUT", `${test.url}/private/y`, { token: test2.token, body: "y" })).status,
    403,
  );

  // gatekeeper: clients can neither set nor read backend or sysmeta headers.
  await request("PUT", `${test.url}/private/meta`, {
    token: test.token,
    body: "m",
    headers: { "X-Object-Sysmeta-Owner": "mallory", "X-Backend-Storage-Policy-Index": "7" },
  });
  const head = await request("HEAD", `${test.url}/private/meta`, { token: test.token });
  assertEquals(head.status, 200);
  for (const name of head.headers.keys()) {
    assert(!/^x-(object-sysmeta|backend)-/.test(name), `${name} leaked to the client`);
  }

  // Names: invalid UTF-8 and NUL are refused; listings escape what they show.
  assertEquals((await request("PUT", `${test.url}/bad%FFname`, { token: test.token })).status, 412);
  assertEquals(
    (await request("PUT", `${test.url}/private/nul%00x`, { token: test.token, body: "" })).status,
    412,
  );
  await request("PUT", `${test.url}/private/%3Ca%20%26%20b%3E`, { token: test.token, body: "" });
  const xml = await request("GET", `${test.url}/private?format=xml`, { token: test.token });
  assertStringIncludes(xml.body, "<name>&lt;a &amp; b&gt;</name>");
  const json = JSON.parse(
    (await request("GET", `${test.url}/private?format=json`, { token: test.token })).body,
  );
  assert(json.some((entry: { name: string }) => entry.name === "<a & b>"));
});

Deno.test("`swiftd healthcheck` exits 0 while the all-in-one answers, 1 otherwise", async () => {
  await using dir = await makeTempDir("aio-health");
  const healthcheck = async () =>
    (await new Deno.Command(Deno.execPath(), {
      args: ["run", ...DENO_FLAGS, "--config", CONFIG, MAIN, "healthcheck"],
      stdout: "null",
      stderr: "null",
    }).output()).code;
  {
    await using _swiftd = await startAllInOne(dir.path);
    assertEquals(await healthcheck(), 0);
    assertEquals(await fetch(`${PROXY}/healthcheck`).then((r) => r.text()), "OK");
  }
  assertEquals(await healthcheck(), 1);
});

Deno.test("`swiftd --bind-ip 0.0.0.0` puts the all-in-one's proxy on every address", async () => {
  await using dir = await makeTempDir("aio-bind-ip");
  await using swiftd = startSwiftd(["--bind-ip", "0.0.0.0"], { cwd: dir.path });
  await swiftd.waitForLine(/proxy-server serving on 0\.0\.0\.0:8080/);
  assertStringIncludes(swiftd.stderr, "all-in-one Swift on http://0.0.0.0:8080");
  const auth = await token("test:tester", "testing");
  const head = await request("HEAD", auth.url, { token: auth.token });
  assert(head.status >= 200 && head.status < 300, `HEAD of the account: ${head.status}`);
  // The storage servers stay on loopback, where the rings point.
  await swiftd.waitForLine(/object-server serving on 127\.0\.0\.1:6200/);
});

const haveUnshare = (await new Deno.Command("unshare", { args: ["--version"], stdout: "null" })
  .output().catch(() => undefined))?.success === true;

Deno.test({
  name: "as PID 1 of a container, the all-in-one stops on SIGTERM with exit code 0",
  ignore: !haveUnshare || Deno.uid() !== 0,
  async fn() {
    await using dir = await makeTempDir("aio-pid1");
    // unshare --fork makes swiftd PID 1 of a new PID namespace, as a container runtime does.
    await using swiftd = startSwiftd([], {
      cwd: dir.path,
      prefix: ["unshare", "--pid", "--fork", "--mount-proc"],
    });
    await swiftd.waitForLine(/proxy-server serving on/);
    let pid1 = 0;
    await waitUntil(() => (pid1 = childPids(swiftd.pid)[0] ?? 0) > 0, 10_000, "swiftd as PID 1");
    assertMatch(Deno.readTextFileSync(`/proc/${pid1}/status`), /^NSpid:\s+\d+\s+1$/m);
    Deno.kill(pid1, "SIGTERM");
    assertEquals((await swiftd.exited()).code, 0);
    assert(!isAlive(pid1));
    await swiftd.waitForLine(/proxy-server: Exited \(1\)/);
  },
});
