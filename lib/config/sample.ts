/**
 * conf/SERVER.conf-sample, generated from the option tables: every key swiftd reads, commented
 * out at its default with its doc line, in the section Swift's own samples put it.
 * tests/config/sample_test.ts regenerates them and fails when the files drift.
 */
import { APP_TABLES } from "./options/apps.ts";
import { FILTER_TABLES } from "./options/filters.ts";
import type { OptionSpec } from "./options/option.ts";
import { type ServerName, SERVERS } from "./options/servers.ts";

/** `text` as `# ` comment lines of at most 80 characters. */
function wrapComment(text: string): string[] {
  const lines: string[] = [];
  let line = "#";
  for (const word of text.split(" ")) {
    if (line.length + 1 + word.length > 80 && line !== "#") {
      lines.push(line);
      line = "#";
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

function commented(options: readonly OptionSpec[]): string[] {
  return options.flatMap((o) => [...wrapComment(o.doc), `# ${o.key} = ${o.default}`, ""]);
}

/** The text of conf/SERVER.conf-sample. */
export function sampleConfig(server: ServerName): string {
  const spec = SERVERS[server];
  const app = APP_TABLES[spec.apps[0]];
  const shared = app.options.filter((o) => o.sampleIn === "DEFAULT");
  const own = app.options.filter((o) => o.sampleIn !== "DEFAULT");
  const sharedKeys = new Set(shared.map((o) => o.key));
  const lines = [
    `# swiftd sample config for ${server}, generated from lib/config/options; do not edit.`,
    `# Swift's own ${server}.conf works as is; this lists what swiftd reads, at its defaults.`,
    "",
    "[DEFAULT]",
    `bind_port = ${spec.samplePort}`,
    "",
    ...commented(shared.filter((o) => o.key !== "bind_port")),
    "[pipeline:main]",
    `pipeline = ${spec.samplePipeline.join(" ")}`,
    "",
    `[app:${server}]`,
    `use = egg:swift#${app.name}`,
    "",
    ...commented(own),
  ];
  for (const name of spec.samplePipeline.slice(0, -1)) {
    const table = FILTER_TABLES[name];
    lines.push(`[filter:${name}]`, `use = egg:swift#${table.name}`, "");
    lines.push(...commented(table.options.filter((o) => !sharedKeys.has(o.key))));
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

/** The sample file name of each server. */
export function sampleFileName(server: ServerName): string {
  return `${server}.conf-sample`;
}
