import { assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { DENO_FLAGS } from "../../lib/supervisor/self_command.ts";
import { makeTempDir } from "../_helpers/temp_dir.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

async function swiftd(...args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...DENO_FLAGS, MAIN, ...args],
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("swiftd --help lists usage, signals and every runtime option with its default", async () => {
  const { code, stdout } = await swiftd("--help");
  assertEquals(code, 0);
  assertStringIncludes(stdout, "swiftd SERVER CONF");
  assertStringIncludes(stdout, "SIGUSR1");
  assertStringIncludes(stdout, "max_clients = 1024");
  assertStringIncludes(stdout, "graceful_shutdown_timeout = 60");
});

Deno.test("swiftd --version prints the version", async () => {
  const { code, stdout } = await swiftd("--version");
  assertEquals(code, 0);
  assertMatch(stdout, /^swiftd \d+\.\d+\.\d+ /);
});

Deno.test("wrong usage prints one line and the usage, exit code 2", async () => {
  const { code, stderr } = await swiftd("objct-server", "x.conf");
  assertEquals(code, 2);
  assertMatch(stderr, /^swiftd: Unknown command "objct-server"[^\n]*\n\nUsage:/);
});

Deno.test("--test-config reports a malformed config with file:line and exit code 1", async () => {
  await using dir = await makeTempDir("cli");
  const path = join(dir.path, "o.conf");
  Deno.writeTextFileSync(path, "[DEFAULT]\nbind_port = 6200\nbind_port = 6201\n");
  const { code, stderr } = await swiftd("object-server", path, "--test-config");
  assertEquals(code, 1);
  assertEquals(
    stderr.trim(),
    `Cannot load "${path}:3" [DEFAULT]: 'bind_port' is set twice in this section of this file ` +
      `(first at line 2); ConfigParser refuses duplicate keys`,
  );
});

Deno.test("--test-config accepts a good config and prints its warnings", async () => {
  await using dir = await makeTempDir("cli");
  const path = join(dir.path, "o.conf");
  Deno.writeTextFileSync(
    path,
    "[DEFAULT]\nbind_port = 6200\nuser =\n[pipeline:main]\npipeline = healthcheck object-server\n" +
      "[app:object-server]\nuse = egg:swift#mem_object\n[filter:healthcheck]\n" +
      "use = egg:swift#healthcheck\ndisabel_path = /x\n",
  );
  const { code, stdout, stderr } = await swiftd("object-server", path, "--test-config");
  assertEquals(code, 0);
  assertStringIncludes(stdout, "configuration OK");
  assertStringIncludes(
    stderr,
    `"${path}:10" [filter:healthcheck]: 'disabel_path' is not a setting`,
  );
});

Deno.test("swiftd config prints what swift-config prints, and -w the paste view", async () => {
  await using dir = await makeTempDir("cli");
  const path = join(dir.path, "o.conf");
  Deno.writeTextFileSync(
    path,
    "[DEFAULT]\nbind_port = 6200\n[pipeline:main]\npipeline = healthcheck object-server\n" +
      "[app:object-server]\nuse = egg:swift#object\nWorkers = 3\n[filter:healthcheck]\n" +
      "use = egg:swift#healthcheck\n",
  );
  const plain = await swiftd("config", path);
  assertEquals(plain.code, 0);
  assertEquals(
    plain.stdout,
    `# ${path}\n[pipeline:main]\nbind_port = 6200\npipeline = healthcheck object-server\n\n` +
      `[app:object-server]\nbind_port = 6200\nuse = egg:swift#object\nworkers = 3\n\n` +
      `[filter:healthcheck]\nbind_port = 6200\nuse = egg:swift#healthcheck\n\n` +
      `# log_name = None\n# __file__ = ${path}\n`,
  );
  const wsgi = await swiftd("config", path, "-w", "-s", "application:object-server");
  assertEquals(
    wsgi.stdout,
    `# ${path}\n[application:object-server]\nhere = ${dir.path}\n__file__ = ${path}\n` +
      `bind_port = 6200\n__name__ = object-server\nWorkers = 3\n\n`,
  );
});

Deno.test("swiftd ring build writes a ring Swift's Ring class reads with the same devices", async () => {
  await using dir = await makeTempDir("ring");
  const file = join(dir.path, "object.ring.gz");
  const built = await swiftd(
    "ring",
    "build",
    file,
    "6",
    "2",
    "r1z1-127.0.0.1:6200/sda1",
    "r1z2-127.0.0.1:6200/sdb1@50",
  );
  assertEquals(built.code, 0, built.stderr);
  assertStringIncludes(built.stdout, "64 partitions, 2 replicas, 2 devices");
  const shown = await swiftd("ring", "show", file);
  assertStringIncludes(shown.stdout, "1 1 2 127.0.0.1:6200/sdb1 50 ");
  const python = await new Deno.Command("/usr/bin/python3", {
    args: [
      "-c",
      `from swift.common.ring import RingData
r = RingData.load(${JSON.stringify(file)})
print(len(r._replica2part2dev_id), len(r._replica2part2dev_id[0]), [d['device'] for d in r.devs])`,
    ],
  }).output();
  assertEquals(new TextDecoder().decode(python.stdout).trim(), "2 64 ['sda1', 'sdb1']");
  const bad = await swiftd("ring", "build", file, "6", "2", "sda1");
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, 'Bad device "sda1"');
});
