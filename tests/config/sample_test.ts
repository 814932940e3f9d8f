import { assertEquals } from "@std/assert";
import { sampleConfig, sampleFileName } from "../../lib/config/sample.ts";
import { loadServerConfig } from "../../lib/config/load.ts";
import { type ServerName, SERVERS } from "../../lib/config/options/servers.ts";

const CONF_DIR = new URL("../../conf/", import.meta.url);

for (const server of Object.keys(SERVERS) as ServerName[]) {
  Deno.test(`conf/${sampleFileName(server)} is what the option tables generate`, () => {
    const file = new URL(sampleFileName(server), CONF_DIR);
    const expected = sampleConfig(server);
    if (Deno.env.get("UPDATE_SAMPLES") === "1") Deno.writeTextFileSync(file, expected);
    assertEquals(
      Deno.readTextFileSync(file),
      expected,
      `conf/${sampleFileName(server)} drifted from lib/config/options: ` +
        "run `UPDATE_SAMPLES=1 deno task test tests/config/sample_test.ts`",
    );
  });
}

Deno.test("the generated object-server sample loads with no warning", () => {
  const config = loadServerConfig(
    new URL("object-server.conf-sample", CONF_DIR).pathname,
    "object-server",
  );
  assertEquals(config.warnings, []);
  assertEquals(config.settings.bind_port, 6200);
});
