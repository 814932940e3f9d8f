/**
 * `swiftd config CONF [-s SECTION] [-w]`: the effective config, in the layout of Swift's
 * swift-config, written with @std/ini. Multi-line values are written as indented continuation
 * lines so the output reads back as the same config.
 */
import { stringify } from "@std/ini";
import { effectiveConfig } from "../config/effective.ts";

/** The text `swiftd config` prints for `conf`. */
export function configText(conf: string, options: { section?: string; wsgi: boolean }): string {
  const effective = effectiveConfig(conf, { wsgi: options.wsgi });
  const blocks = [`# ${conf}`];
  for (const [name, pairs] of effective.sections) {
    if (options.section && name !== options.section) continue;
    blocks.push(
      stringify({ [name]: Object.fromEntries(pairs) }, {
        pretty: true,
        replacer: (_key, value) => String(value).replaceAll("\n", "\n\t"),
      }) + "\n",
    );
  }
  const flat = effective.flat.map(([key, value]) => `# ${key} = ${value}`).join("\n");
  return `${blocks.join("\n")}\n${flat ? `${flat}\n` : ""}`;
}
