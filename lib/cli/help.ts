/** `--help` text, generated from the option tables so it cannot drift from the code. */
import { APP_TABLES } from "../config/options/apps.ts";
import { FILTER_TABLES } from "../config/options/filters.ts";
import type { OptionTable } from "../config/options/option.ts";
import { RUNTIME_OPTIONS } from "../config/options/runtime.ts";
import { type ServerName, SERVERS } from "../config/options/servers.ts";
import { USAGE } from "./args.ts";

const SIGNALS = `Signals (to the parent process):
  SIGTERM   stop now (drain instead with graceful_sigterm = true)
  SIGHUP    finish requests in flight, then exit (bounded by graceful_shutdown_timeout)
  SIGINT    as SIGHUP, logging "User quit"
  SIGUSR1   reload config and executable without dropping requests
  SIGTTIN   one more worker;  SIGTTOU  one worker fewer`;

function optionLines(options: OptionTable["options"]): string[] {
  return options.flatMap((o) => [`  ${o.key} = ${o.default}`, `      ${o.doc}`]);
}

/** The text of `swiftd --help`, or of `swiftd help SERVER`. */
export function helpText(server?: ServerName): string {
  if (!server) {
    return [
      "swiftd: OpenStack Swift's servers in one executable, reading Swift's own configs.",
      "",
      USAGE,
      "",
      "  -v, --verbose      also log to stderr (Swift's log_to_console)",
      "  -o, --once         accepted for swift-init; servers have no single pass, as in Swift",
      "  --test-config      load the config and pipeline, print problems, start nothing",
      "  -s, --section S    (config) only section S",
      "  -w, --wsgi         (config) the paste.deploy view of [pipeline:main], like swift-config -w",
      "",
      SIGNALS,
      "",
      "Settings every server reads ([DEFAULT] or its [app:SERVER] section):",
      ...optionLines(RUNTIME_OPTIONS),
      "",
      "`swiftd help SERVER` lists that server's own settings and its filters.",
    ].join("\n");
  }
  const spec = SERVERS[server];
  const runtime = new Set<string>(RUNTIME_OPTIONS.map((o) => o.key));
  const lines = [`swiftd ${server} CONF: settings beyond the ones every server reads.`, ""];
  for (const app of spec.apps) {
    const table = APP_TABLES[app];
    lines.push(`[app:${server}] use = egg:swift#${app}: ${table.doc}`);
    lines.push(...optionLines(table.options.filter((o) => !runtime.has(o.key))), "");
  }
  lines.push("Filters ([filter:NAME] use = egg:swift#NAME):");
  for (const table of Object.values(FILTER_TABLES)) {
    lines.push(`egg:swift#${table.name}: ${table.doc}`);
    lines.push(...optionLines(table.options.filter((o) => !o.key.startsWith("log_"))));
  }
  return lines.join("\n");
}
