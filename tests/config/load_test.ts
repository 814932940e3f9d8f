import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { join } from "@std/path";
import { ConfigError } from "../../lib/config/errors.ts";
import { loadServerConfig, optionsOf } from "../../lib/config/load.ts";
import { HEALTHCHECK_FILTER } from "../../lib/config/options/filters.ts";

const BASE = `[DEFAULT]
bind_port = 6200
user =

[pipeline:main]
pipeline = catch_errors healthcheck object-server

[app:object-server]
use = egg:swift#mem_object

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:healthcheck]
use = egg:swift#healthcheck
`;

function withConf(text: string, fn: (path: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix: "swiftd-load-" });
  try {
    const path = join(dir, "object-server.conf");
    Deno.writeTextFileSync(path, text);
    fn(path);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

function loadError(text: string): ConfigError {
  let error: ConfigError | undefined;
  withConf(text, (path) => {
    error = assertThrows(() => loadServerConfig(path, "object-server"), ConfigError);
  });
  return error!;
}

Deno.test("loadServerConfig() reads typed settings from [DEFAULT] and [app:SERVER]", () => {
  withConf(BASE + "\n[app:object-server]\n", () => {});
  withConf(
    BASE.replace("user =", "user =\nworkers = 3\nmax_clients = 7\nlog_level = notice"),
    (path) => {
      const config = loadServerConfig(path, "object-server");
      assertEquals(config.settings.bind_port, 6200);
      assertEquals(config.settings.workers, 3);
      assertEquals(config.settings.max_clients, 7);
      assertEquals(config.settings.log_level, 25);
      assertEquals(config.settings.bind_ip, "0.0.0.0");
      assertEquals(config.logName, "object-server");
      assertEquals(config.pipeline.filters.map((f) => f.entryPoint), [
        "catch_errors",
        "healthcheck",
      ]);
      assertEquals(config.pipeline.app.entryPoint, "mem_object");
      assert(Object.isFrozen(config.settings));
    },
  );
});

Deno.test("loadServerConfig() rejects negative workers naming file and line", () => {
  const error = loadError(BASE.replace("user =", "user =\nworkers = -2"));
  assertEquals(error.line, 4);
  assertEquals(error.section, "DEFAULT");
  assertEquals(error.key, "workers");
  assertMatch(
    error.message,
    /^Cannot load ".*object-server\.conf:4" \[DEFAULT\]: 'workers' must be an integer >= 0 or "auto": current value is "-2"$/,
  );
});

Deno.test("loadServerConfig() gives Swift's message when bind_port is missing", () => {
  const error = loadError(BASE.replace("bind_port = 6200\n", ""));
  assertEquals(error.key, "bind_port");
  assertMatch(error.message, /'bind_port' wasn't properly set in the config file/);
});

Deno.test("loadServerConfig() warns that a plain key loses to [DEFAULT], as in paste.deploy", () => {
  withConf(
    BASE.replace("use = egg:swift#mem_object", "use = egg:swift#mem_object\nbind_port = 6300"),
    (path) => {
      const config = loadServerConfig(path, "object-server");
      assertEquals(config.settings.bind_port, 6200);
      assertEquals([config.warnings[0].line, config.warnings[0].key], [10, "bind_port"]);
      assertMatch(config.warnings[0].message, /write "set bind_port = 6300" to override/);
    },
  );
});

Deno.test("loadServerConfig() rejects a port out of range where it is set", () => {
  const error = loadError(
    BASE.replace("use = egg:swift#mem_object", "use = egg:swift#mem_object\nset bind_port = 70000"),
  );
  assertEquals([error.section, error.line, error.key], ["app:object-server", 10, "bind_port"]);
  assertMatch(error.reason, /from 1 to 65535: current value is "70000"/);
});

Deno.test("loadServerConfig() names a Swift filter swiftd lacks and lists the known ones", () => {
  const error = loadError(BASE.replace("use = egg:swift#healthcheck", "use = egg:swift#s3api"));
  assertEquals([error.section, error.key, error.line], ["filter:healthcheck", "use", 15]);
  assertMatch(error.message, /egg:swift#s3api, a Swift filter that swiftd does not provide yet/);
  assertMatch(error.message, /healthcheck/);
});

Deno.test("loadServerConfig() refuses Python factories and other eggs with a clear error", () => {
  const python = loadError(
    BASE.replace("use = egg:swift#healthcheck", "paste.filter_factory = mymod:factory"),
  );
  assertMatch(python.message, /Python factory .*swiftd cannot load Python code/);
  assertEquals(python.line, 15);
  const other = loadError(BASE.replace("use = egg:swift#healthcheck", "use = egg:other#thing"));
  assertMatch(other.message, /"egg:other#thing", which swiftd cannot load/);
});

Deno.test("loadServerConfig() warns about an unknown key with file:line and a suggestion", () => {
  withConf(
    BASE.replace("use = egg:swift#healthcheck", "use = egg:swift#healthcheck\ndisable_pat = /x"),
    (path) => {
      const config = loadServerConfig(path, "object-server");
      assertEquals(config.warnings.length, 1);
      const [warning] = config.warnings;
      assertEquals([warning.line, warning.key, warning.section], [
        16,
        "disable_pat",
        "filter:healthcheck",
      ]);
      assertMatch(warning.message, /did you mean 'disable_path'\?/);
    },
  );
});

Deno.test("loadServerConfig() applies [DEFAULT] over local keys and `set` over [DEFAULT]", () => {
  const text = BASE.replace("user =", "user =\ndisable_path = /from-default")
    .replace("use = egg:swift#healthcheck", "use = egg:swift#healthcheck\ndisable_path = /local")
    .replace("use = egg:swift#mem_object", "use = egg:swift#mem_object\nset log_name = objsrv");
  withConf(text, (path) => {
    const config = loadServerConfig(path, "object-server");
    const healthcheck = config.pipeline.filters[1];
    assertEquals(optionsOf(healthcheck, HEALTHCHECK_FILTER).disable_path, "/from-default");
    assertEquals(config.logName, "objsrv");
    // run_wsgi() passes the server's log_name to every stage as a global setting.
    assertEquals(healthcheck.conf.get("log_name")?.value, "objsrv");
  });
});

Deno.test("loadServerConfig() reads a conf.d directory, later files overriding earlier ones", () => {
  const dir = Deno.makeTempDirSync({ prefix: "swiftd-confd-" });
  try {
    Deno.writeTextFileSync(join(dir, "10-base.conf"), BASE);
    Deno.writeTextFileSync(join(dir, "20-override.conf"), "[DEFAULT]\nbind_port = 6300\n");
    Deno.writeTextFileSync(join(dir, ".hidden.conf"), "[DEFAULT]\nbind_port = 1\n");
    Deno.writeTextFileSync(join(dir, "30-ignored.txt"), "[DEFAULT]\nbind_port = 2\n");
    const config = loadServerConfig(dir, "object-server");
    assertEquals(config.settings.bind_port, 6300);
    assertEquals(config.source.files.map(([file]) => file.slice(dir.length + 1)), [
      "10-base.conf",
      "20-override.conf",
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("loadServerConfig() warns when a boolean would silently be false in Swift", () => {
  withConf(BASE.replace("user =", "user =\ngraceful_sigterm = ture"), (path) => {
    const config = loadServerConfig(path, "object-server");
    assertEquals(config.settings.graceful_sigterm, false);
    assertMatch(config.warnings[0].message, /'graceful_sigterm' is read as false/);
  });
});

Deno.test("loadServerConfig() refuses an app that does not fit the server", () => {
  const error = loadError(BASE.replace("egg:swift#mem_object", "egg:swift#proxy"));
  assertMatch(error.message, /egg:swift#proxy, which is not a object-server app/);
});

Deno.test("loadServerConfig() adds the proxy's required filters where Swift puts them", () => {
  const dir = Deno.makeTempDirSync({ prefix: "swiftd-required-" });
  try {
    const path = join(dir, "proxy-server.conf");
    Deno.writeTextFileSync(
      path,
      "[DEFAULT]\nbind_port = 8080\n[pipeline:main]\npipeline = healthcheck proxy-server\n" +
        "[app:proxy-server]\nuse = egg:swift#proxy\n[filter:healthcheck]\nuse = egg:swift#healthcheck\n",
    );
    const config = loadServerConfig(path, "proxy-server");
    assertEquals(config.pipeline.filters[0].entryPoint, "catch_errors");
    assertEquals(config.pipeline.filters[0].conf.get("log_name")?.value, "proxy-server");
    assert(
      config.pipeline.changes.includes(
        "Adding required filter catch_errors to pipeline at position 0",
      ),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
