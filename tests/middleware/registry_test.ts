import { assertEquals } from "@std/assert";
import { APP_TABLES } from "../../lib/config/options/apps.ts";
import { FILTER_TABLES } from "../../lib/config/options/filters.ts";
import { FILTER_FACTORIES } from "../../lib/middleware/registry.ts";
import { APP_FACTORIES } from "../../lib/supervisor/pipeline.ts";

Deno.test("every filter with an option table has a factory, and the other way round", () => {
  assertEquals(Object.keys(FILTER_FACTORIES).sort(), Object.keys(FILTER_TABLES).sort());
});

Deno.test("every app factory has an option table", () => {
  for (const name of Object.keys(APP_FACTORIES)) assertEquals(APP_TABLES[name]?.name, name);
});
