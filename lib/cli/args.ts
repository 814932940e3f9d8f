/**
 * The command line, on @std/cli's parseArgs:
 *
 *   swiftd                                  the all-in-one default config (conf/)
 *   swiftd SERVER CONF [-v] [-o] [--test-config]   as swift-SERVER CONF [verbose] [once]
 *   swiftd config CONF [-s SECTION] [-w]    the effective config, like swift-config
 *   swiftd help [SERVER] | --help | --version
 */
import { parseArgs } from "@std/cli/parse-args";
import { isServerName, type ServerName, SERVERS } from "../config/options/servers.ts";
import { WORKER_COMMAND } from "../supervisor/protocol.ts";

/** What the user asked for. */
export type Command =
  | { readonly kind: "default"; readonly bindIp?: string }
  | {
    readonly kind: "serve";
    readonly server: ServerName;
    readonly conf: string;
    readonly verbose: boolean;
    readonly once: boolean;
  }
  | { readonly kind: "test-config"; readonly server: ServerName; readonly conf: string }
  | {
    readonly kind: "config";
    readonly conf: string;
    readonly section?: string;
    readonly wsgi: boolean;
  }
  | {
    readonly kind: "ring";
    readonly action: "build" | "show";
    readonly file: string;
    readonly partPower?: number;
    readonly replicas?: number;
    readonly devices?: readonly string[];
  }
  | { readonly kind: "healthcheck"; readonly url: string }
  | { readonly kind: "help"; readonly server?: ServerName }
  | { readonly kind: "version" }
  | { readonly kind: "worker" };

/** A command line that cannot be understood; the message is one line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** What `swiftd healthcheck` asks by default: the all-in-one proxy's healthcheck filter. */
export const DEFAULT_HEALTHCHECK_URL = "http://127.0.0.1:8080/healthcheck";

/** The usage summary printed with --help and after a usage error. */
export const USAGE = `Usage:
  swiftd [--bind-ip IP]                    run the all-in-one default (see README); the proxy
                                           listens on IP:8080 (default 127.0.0.1; 0.0.0.0 or
                                           :: in a container)
  swiftd SERVER CONF [-v] [-o] [--test-config]
  swiftd config CONF [-s SECTION] [-w]
  swiftd ring build FILE PART_POWER REPLICAS DEVICE...   (DEVICE: [rR]zZ-IP:PORT/NAME[@WEIGHT])
  swiftd ring show FILE
  swiftd healthcheck [URL]   exit 0 when URL (default ${DEFAULT_HEALTHCHECK_URL}) answers 200
  swiftd help [SERVER]   |   swiftd --help   |   swiftd --version

SERVER is one of: ${Object.keys(SERVERS).join(", ")}.
CONF is a config file or a conf.d directory, as Swift reads them.`;

const SERVE_FLAGS = ["verbose", "once", "test-config", "help"];

/** Parses `argv` (without the program name). */
export function parseCommand(argv: readonly string[]): Command {
  if (argv.length === 0) return { kind: "default" };
  const [word, ...rest] = argv;
  if (word === "--bind-ip" || word.startsWith("--bind-ip=")) return defaultCommand(argv);
  if (word === WORKER_COMMAND) return { kind: "worker" };
  if (word === "--version" || word === "-V") return { kind: "version" };
  if (word === "--help" || word === "-h") return { kind: "help" };
  if (word === "help") return helpCommand(rest);
  if (word === "config") return configCommand(rest);
  if (word === "ring") return ringCommand(rest);
  if (word === "healthcheck") {
    if (rest.length > 1) throw new UsageError(`Unexpected argument "${rest[1]}" after URL`);
    return { kind: "healthcheck", url: rest[0] ?? DEFAULT_HEALTHCHECK_URL };
  }
  if (isServerName(word)) return serverCommand(word, rest);
  throw new UsageError(
    word.startsWith("-")
      ? `Unknown option "${word}" before SERVER`
      : `Unknown command "${word}": expected a SERVER (${Object.keys(SERVERS).join(", ")}), ` +
        `"config" or "help"`,
  );
}

/** `swiftd --bind-ip IP`: the all-in-one with its proxy on IP. */
function defaultCommand(args: readonly string[]): Command {
  const parsed = strictParse(args, { string: ["bind-ip"] });
  if (parsed._.length > 0) throw new UsageError(`Unexpected argument "${parsed._[0]}"`);
  const bindIp = parsed["bind-ip"];
  if (!bindIp) throw new UsageError(`--bind-ip needs an address, such as 0.0.0.0`);
  return { kind: "default", bindIp };
}

function strictParse(
  args: readonly string[],
  spec: { boolean?: string[]; string?: string[]; alias?: Record<string, string> },
) {
  return parseArgs([...args], {
    ...spec,
    unknown: (arg) => {
      if (arg.startsWith("-")) throw new UsageError(`Unknown option "${arg}"`);
      return true;
    },
  });
}

function serverCommand(server: ServerName, args: readonly string[]): Command {
  const parsed = strictParse(args, {
    boolean: SERVE_FLAGS,
    alias: { v: "verbose", o: "once", h: "help" },
  });
  if (parsed.help) return { kind: "help", server };
  const positional = parsed._.map(String);
  // swift-SERVER CONF [verbose] [once]: named options may also be given as plain words.
  const words = new Set(positional.slice(1));
  for (const word of words) {
    if (word !== "verbose" && word !== "once") {
      throw new UsageError(`Unexpected argument "${word}" after CONF`);
    }
  }
  const conf = positional[0];
  if (!conf) {
    throw new UsageError(`Missing CONF: swiftd ${server} needs a config file or directory`);
  }
  if (parsed["test-config"]) return { kind: "test-config", server, conf };
  return {
    kind: "serve",
    server,
    conf,
    verbose: Boolean(parsed.verbose) || words.has("verbose"),
    once: Boolean(parsed.once) || words.has("once"),
  };
}

function configCommand(args: readonly string[]): Command {
  const parsed = strictParse(args, {
    boolean: ["wsgi"],
    string: ["section"],
    alias: { w: "wsgi", s: "section" },
  });
  const positional = parsed._.map(String);
  if (positional.length !== 1) {
    throw new UsageError(
      positional.length === 0
        ? "Missing CONF: swiftd config needs a config file or directory"
        : `Unexpected argument "${positional[1]}" after CONF`,
    );
  }
  return {
    kind: "config",
    conf: positional[0],
    section: parsed.section || undefined,
    wsgi: Boolean(parsed.wsgi),
  };
}

function ringCommand(args: readonly string[]): Command {
  const [action, file, ...rest] = args;
  if (action === "show" && file && rest.length === 0) return { kind: "ring", action, file };
  if (action === "build" && file && rest.length >= 3) {
    const [power, replicas, ...devices] = rest;
    const partPower = Number(power);
    const count = Number(replicas);
    if (!Number.isInteger(partPower) || partPower < 0 || partPower > 32) {
      throw new UsageError(
        `PART_POWER must be an integer from 0 to 32: current value is "${power}"`,
      );
    }
    if (!Number.isInteger(count) || count < 1) {
      throw new UsageError(`REPLICAS must be an integer >= 1: current value is "${replicas}"`);
    }
    return { kind: "ring", action, file, partPower, replicas: count, devices };
  }
  throw new UsageError(
    "Usage: swiftd ring build FILE PART_POWER REPLICAS DEVICE... | swiftd ring show FILE",
  );
}

function helpCommand(args: readonly string[]): Command {
  if (args.length === 0) return { kind: "help" };
  if (args.length === 1 && isServerName(args[0])) return { kind: "help", server: args[0] };
  throw new UsageError(`Unknown help topic "${args.join(" ")}": expected a SERVER`);
}
