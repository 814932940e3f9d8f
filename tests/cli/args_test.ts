import { assertEquals, assertThrows } from "@std/assert";
import { parseCommand, UsageError } from "../../lib/cli/args.ts";

Deno.test("parseCommand() reads swiftd SERVER CONF with flags or Swift's positional words", () => {
  assertEquals(parseCommand(["object-server", "/etc/swift/object-server.conf", "-v"]), {
    kind: "serve",
    server: "object-server",
    conf: "/etc/swift/object-server.conf",
    verbose: true,
    once: false,
  });
  assertEquals(parseCommand(["proxy-server", "p.conf", "verbose", "once"]), {
    kind: "serve",
    server: "proxy-server",
    conf: "p.conf",
    verbose: true,
    once: true,
  });
  assertEquals(parseCommand(["account-server", "a.conf", "--test-config"]), {
    kind: "test-config",
    server: "account-server",
    conf: "a.conf",
  });
});

Deno.test("parseCommand() reads the config command like swift-config", () => {
  assertEquals(parseCommand(["config", "x.conf", "-w", "-s", "app:proxy-server"]), {
    kind: "config",
    conf: "x.conf",
    section: "app:proxy-server",
    wsgi: true,
  });
});

Deno.test("parseCommand() treats no arguments as the built-in default and knows help and version", () => {
  assertEquals(parseCommand([]), { kind: "default" });
  assertEquals(parseCommand(["--help"]), { kind: "help" });
  assertEquals(parseCommand(["help", "object-server"]), { kind: "help", server: "object-server" });
  assertEquals(parseCommand(["object-server", "--help"]), {
    kind: "help",
    server: "object-server",
  });
  assertEquals(parseCommand(["--version"]), { kind: "version" });
  assertEquals(parseCommand(["--bind-ip", "0.0.0.0"]), { kind: "default", bindIp: "0.0.0.0" });
  assertEquals(parseCommand(["--bind-ip=::"]), { kind: "default", bindIp: "::" });
});

Deno.test("parseCommand() refuses wrong usage with one clear line", () => {
  const cases: [string[], RegExp][] = [
    [["object-servr", "x.conf"], /Unknown command "object-servr": expected a SERVER/],
    [["object-server"], /Missing CONF: swiftd object-server needs a config file/],
    [["object-server", "x.conf", "--wat"], /Unknown option "--wat"/],
    [["--bind-ip"], /--bind-ip needs an address/],
    [["--bind-ip", "0.0.0.0", "extra"], /Unexpected argument "extra"/],
    [["--bind-ip", "0.0.0.0", "--wat"], /Unknown option "--wat"/],
    [["object-server", "x.conf", "extra"], /Unexpected argument "extra" after CONF/],
    [["config"], /Missing CONF/],
  ];
  for (const [argv, message] of cases) {
    const error = assertThrows(() => parseCommand(argv), UsageError);
    assertEquals(message.test(error.message), true, error.message);
    assertEquals(error.message.includes("\n"), false);
  }
});
