import { assertEquals } from "@std/assert";
import { DENO_FLAGS, selfCommand } from "../../lib/supervisor/self_command.ts";
import denoConfig from "../../deno.json" with { type: "json" };

Deno.test("deno.json's swiftd, start, compile and bench tasks use exactly DENO_FLAGS", () => {
  const flags = DENO_FLAGS.join(" ");
  assertEquals(denoConfig.tasks.swiftd, `deno run ${flags} main.ts`);
  assertEquals(denoConfig.tasks.start, `deno run ${flags} main.ts`);
  assertEquals(denoConfig.tasks.compile, `deno compile ${flags} --output dist/swiftd main.ts`);
  assertEquals(denoConfig.tasks.bench, `deno run ${flags} bench/main.ts`);
  assertEquals(denoConfig.tasks.test.startsWith(`deno test ${flags} `), true);
});

Deno.test("selfCommand() re-runs this Deno with the shared flags, config and main module", () => {
  const { command, args } = selfCommand(["__worker"]);
  assertEquals(command, Deno.execPath());
  assertEquals(args.slice(0, 1 + DENO_FLAGS.length), ["run", ...DENO_FLAGS]);
  assertEquals(args[args.length - 1], "__worker");
  assertEquals(args.includes("--config"), true);
});
