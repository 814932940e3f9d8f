/**
 * swiftd: OpenStack Swift's servers in one executable.
 * argv -> command -> lib/...; see lib/cli/args.ts for the command line.
 */
import denoConfig from "./deno.json" with { type: "json" };
import { type Command, parseCommand, USAGE, UsageError } from "./lib/cli/args.ts";
import { configText } from "./lib/cli/config_command.ts";
import { helpText } from "./lib/cli/help.ts";
import { buildRingFile, showRingFile } from "./lib/cli/ring_command.ts";
import { ExitCode } from "./lib/common/exit_codes.ts";
import {
  allInOneLayout,
  allInOneServices,
  bootstrapAllInOne,
} from "./lib/supervisor/all_in_one.ts";
import { prepare } from "./lib/supervisor/prepare.ts";
import { supervise } from "./lib/supervisor/supervisor.ts";
import { runWorker } from "./lib/supervisor/worker_main.ts";

/** The version of this build. */
export const VERSION: string = denoConfig.version;

function print(text: string): void {
  console.log(text);
}

function printError(text: string): void {
  console.error(text);
}

type Runner<K extends Command["kind"]> = (
  command: Extract<Command, { kind: K }>,
) => Promise<number>;

/** What each command does. */
const RUNNERS: { [K in Command["kind"]]: Runner<K> } = {
  default: (cmd) => {
    const created = bootstrapAllInOne(Deno.cwd());
    const { data } = allInOneLayout(Deno.cwd());
    const ip = cmd.bindIp ?? "127.0.0.1";
    const bracketed = (host: string) => host.includes(":") ? `[${host}]` : host;
    // Where a client on this machine reaches it: a wildcard address answers on loopback.
    const local = `http://${ip === "0.0.0.0" || ip === "::" ? "127.0.0.1" : bracketed(ip)}:8080`;
    printError(
      `swiftd ${VERSION}: all-in-one Swift on http://${bracketed(ip)}:8080 (data in ${data}` +
        `${created.length ? ", created now" : ""})\n` +
        `  auth URL:  ${local}/auth/v1.0\n` +
        `  user:      test:tester   key: testing   (also test2:tester2/testing2, ` +
        `test:tester3/testing3, admin:admin/admin)\n` +
        `  try:       swift -A ${local}/auth/v1.0 -U test:tester -K testing stat\n` +
        `  Ctrl-C stops it; conf/all-in-one/*.conf are the configs it runs.`,
    );
    return supervise(...allInOneServices(Deno.cwd(), false, cmd.bindIp));
  },
  serve: (cmd) => supervise({ server: cmd.server, configPath: cmd.conf, verbose: cmd.verbose }),
  "test-config": async (cmd) => {
    try {
      const { config } = await prepare(cmd.conf, cmd.server);
      for (const warning of config.warnings) printError(`Warning: ${warning.message}`);
      print(
        `${cmd.conf}: configuration OK (${config.pipeline.filters.length} filters, ` +
          `app egg:swift#${config.pipeline.app.entryPoint})`,
      );
      return ExitCode.OK;
    } catch (err) {
      printError((err as Error).message);
      return ExitCode.CONFIG;
    }
  },
  config: (cmd) => {
    try {
      Deno.stdout.writeSync(new TextEncoder().encode(configText(cmd.conf, cmd)));
      return Promise.resolve(ExitCode.OK);
    } catch (err) {
      printError((err as Error).message);
      return Promise.resolve(ExitCode.CONFIG);
    }
  },
  ring: (cmd) => {
    try {
      print(
        cmd.action === "show"
          ? showRingFile(cmd.file)
          : buildRingFile(cmd.file, cmd.partPower!, cmd.replicas!, [...cmd.devices!]),
      );
      return Promise.resolve(ExitCode.OK);
    } catch (err) {
      if (err instanceof UsageError) {
        printError(`swiftd: ${err.message}`);
        return Promise.resolve(ExitCode.USAGE);
      }
      printError((err as Error).message);
      return Promise.resolve(ExitCode.CONFIG);
    }
  },
  // For container HEALTHCHECKs: images of the single binary have no curl.
  healthcheck: async (cmd) => {
    try {
      const response = await fetch(cmd.url, { signal: AbortSignal.timeout(5000) });
      const body = await response.text();
      if (response.status === 200) return ExitCode.OK;
      printError(`${cmd.url}: ${response.status} ${body.slice(0, 200)}`);
    } catch (err) {
      printError(`${cmd.url}: ${(err as Error).message}`);
    }
    return ExitCode.CONFIG;
  },
  help: (cmd) => {
    print(helpText(cmd.server));
    return Promise.resolve(ExitCode.OK);
  },
  version: () => {
    print(`swiftd ${VERSION} (Deno ${Deno.version.deno}; Swift 2.30 compatible)`);
    return Promise.resolve(ExitCode.OK);
  },
  worker: () => runWorker(),
};

/** Runs swiftd with `args`; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    printError(`swiftd: ${err.message}\n\n${USAGE}`);
    return ExitCode.USAGE;
  }
  const run = RUNNERS[command.kind] as Runner<typeof command.kind>;
  return await run(command as never);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
