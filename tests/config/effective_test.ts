/**
 * effectiveConfig() against the real `swift-config [-w]` of Swift 2.30 over the configs Debian's
 * swift packages install in /etc/swift, and over a conf.d split of proxy-server.conf.
 */
import { assert, assertEquals } from "@std/assert";
import { basename, join } from "@std/path";
import { effectiveConfig } from "../../lib/config/effective.ts";
import { runCommand } from "../_helpers/python.ts";
import { makeTempDir } from "../_helpers/temp_dir.ts";

const SWIFT_CONFIG = "/usr/bin/swift-config";
const ETC_SWIFT = "/etc/swift";

/** What swift-config prints for one path. */
interface ConfigView {
  sections: [string, [string, string][]][];
  flat: [string, string][];
}

/**
 * Parses swift-config's output for `paths`: `# PATH`, then per section `[name]`, `key = value`
 * lines and a blank line, then `# key = value` lines for the values outside any section.
 */
function parseSwiftConfigOutput(text: string, paths: readonly string[]): Map<string, ConfigView> {
  const views = new Map<string, ConfigView>();
  let view: ConfigView | undefined;
  let section: [string, string][] | undefined;
  const pair = (line: string): [string, string] => {
    const at = line.indexOf(" = ");
    if (at < 0) throw new Error(`swift-config printed an unexpected line: ${JSON.stringify(line)}`);
    return [line.slice(0, at), line.slice(at + 3)];
  };
  for (const line of text.split("\n")) {
    const path = paths.find((p) => line === `# ${p}`);
    if (path !== undefined) {
      view = { sections: [], flat: [] };
      views.set(path, view);
      section = undefined;
    } else if (!view) {
      throw new Error(`swift-config output does not start with "# PATH": ${JSON.stringify(line)}`);
    } else if (line === "") {
      section = undefined;
    } else if (section === undefined && /^\[.*\]$/.test(line)) {
      section = [];
      view.sections.push([line.slice(1, -1), section]);
    } else if (section === undefined && line.startsWith("# ")) {
      view.flat.push(pair(line.slice(2)));
    } else if (section !== undefined) {
      section.push(pair(line));
    } else {
      throw new Error(`swift-config printed an unexpected line: ${JSON.stringify(line)}`);
    }
  }
  return views;
}

/** Runs swift-config once over all `paths` (it accepts several) and parses its output. */
async function swiftConfig(
  paths: readonly string[],
  wsgi: boolean,
): Promise<Map<string, ConfigView>> {
  const { code, stdout, stderr } = await runCommand(SWIFT_CONFIG, [
    ...(wsgi ? ["-w"] : []),
    ...paths,
  ]);
  assertEquals(code, 0, `swift-config ${wsgi ? "-w " : ""}failed:\n${stderr}`);
  const views = parseSwiftConfigOutput(stdout, paths);
  assertEquals([...views.keys()], [...paths]);
  return views;
}

function swiftdView(path: string, wsgi: boolean): ConfigView {
  const { sections, flat } = effectiveConfig(path, { wsgi });
  return {
    sections: sections.map(([name, pairs]) => [name, pairs.map(([k, v]) => [k, v])]),
    flat: flat.map(([k, v]) => [k, v]),
  };
}

/** Debian's /etc/swift/*.conf files, by absolute path. */
function debianConfigs(): string[] {
  const files = [...Deno.readDirSync(ETC_SWIFT)]
    .filter((entry) => entry.isFile && entry.name.endsWith(".conf"))
    .map((entry) => join(ETC_SWIFT, entry.name))
    .sort();
  for (const expected of ["proxy-server.conf", "object-server.conf", "swift.conf"]) {
    assert(files.includes(join(ETC_SWIFT, expected)), `${expected} is not in ${ETC_SWIFT}`);
  }
  return files;
}

/** Whether paste.deploy can load the file: it needs [pipeline:main] or [app:main]. */
function hasMainSection(path: string): boolean {
  return /^\[(pipeline|app|application):main\]/m.test(Deno.readTextFileSync(path));
}

Deno.test("effectiveConfig() gives what swift-config prints for every Debian /etc/swift/*.conf", async () => {
  const paths = debianConfigs();
  const expected = await swiftConfig(paths, false);
  for (const path of paths) assertEquals(swiftdView(path, false), expected.get(path), path);
  assert(expected.get(join(ETC_SWIFT, "proxy-server.conf"))!.sections.length > 10);
});

Deno.test("effectiveConfig({wsgi}) gives what swift-config -w prints for Debian's server configs", async () => {
  // swift-config -w crashes (LookupError) on a file without [pipeline:main] or [app:main]
  // (swift.conf, memcache.conf, dispersion.conf, ...): those are not paste configs, so they
  // are left out. Paths are absolute: with a relative one swift-config -w crashes too
  // ("Cannot resolve relative uri 'config:...'; no relative_to keyword argument given").
  const paths = debianConfigs().filter(hasMainSection);
  assert(paths.includes(join(ETC_SWIFT, "proxy-server.conf")));
  const expected = await swiftConfig(paths, true);
  for (const path of paths) assertEquals(swiftdView(path, true), expected.get(path), path);
  const proxy = expected.get(join(ETC_SWIFT, "proxy-server.conf"))!;
  assertEquals(proxy.sections[0][0], "pipeline:main");
  assert(proxy.sections.length > 10);
});

/** Splits a config's text at its section headers: [header line, the section's text][]. */
function splitSections(text: string): [string, string][] {
  const chunks: [string, string][] = [];
  for (const line of text.split("\n")) {
    if (/^\[.*\]/.test(line) || chunks.length === 0) chunks.push([line, ""]);
    chunks[chunks.length - 1][1] += `${line}\n`;
  }
  return chunks;
}

/** Copies /etc/swift to `root` and splits proxy-server.conf into a conf.d directory there. */
async function writeProxyConfD(root: string): Promise<string> {
  for (const path of debianConfigs()) await Deno.copyFile(path, join(root, basename(path)));
  const dir = join(root, "proxy-server.conf.d");
  await Deno.mkdir(dir);
  const files: Record<string, string> = {
    "00-main.conf": "",
    "10-filters.conf": "",
    "20-app.conf": "",
    // Reopens a section of an earlier file and adds to [DEFAULT]: sections merge across files.
    "30-overrides.conf": "[filter:cache]\nmemcache_servers = 127.0.0.1:11211\n\n" +
      "[DEFAULT]\nlog_level = DEBUG\n",
    // read_conf_dir() reads only *.conf files whose name does not start with a dot.
    ".hidden.conf": "[DEFAULT]\nhidden = yes\n",
    "README": "[DEFAULT]\nreadme = yes\n",
  };
  const proxy = await Deno.readTextFile(join(root, "proxy-server.conf"));
  for (const [header, text] of splitSections(proxy)) {
    const file = header.startsWith("[filter:")
      ? "10-filters.conf"
      : header.startsWith("[app:")
      ? "20-app.conf"
      : "00-main.conf";
    files[file] += text;
  }
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(join(dir, name), text);
  return dir;
}

Deno.test("effectiveConfig() reads a conf.d split of proxy-server.conf as swift-config does", async () => {
  await using temp = await makeTempDir("etc-swift");
  const dir = await writeProxyConfD(temp.path);
  const expected = await swiftConfig([dir], false);
  assertEquals(swiftdView(dir, false), expected.get(dir));
  assertEquals(swiftdView(dir, false).flat, [["log_name", "None"], ["__file__", dir]]);
});

Deno.test("effectiveConfig({wsgi}) reads a conf.d split of proxy-server.conf as swift-config -w does", async () => {
  await using temp = await makeTempDir("etc-swift");
  const dir = await writeProxyConfD(temp.path);
  const expected = await swiftConfig([dir], true);
  assertEquals(swiftdView(dir, true), expected.get(dir));
  const cache = new Map(expected.get(dir)!.sections.find(([name]) => name === "filter:cache")![1]);
  assertEquals(cache.get("memcache_servers"), "127.0.0.1:11211");
  assertEquals(cache.get("log_level"), "DEBUG");
  assertEquals(cache.get("__file__"), dir);
});
