/**
 * effectiveConfig(path, {wsgi: true}) against real paste.deploy driven by Swift 2.30
 * (swift.common.wsgi.appconfig plus swift-config's inspect_app_config) over seeded generated
 * configs, single files and conf.d directories: the same contexts, keys, values and order, and
 * a failure wherever paste.deploy fails.
 */
import { assert, assertEquals } from "@std/assert";
import { basename, join } from "@std/path";
import { ConfigError } from "../../lib/config/errors.ts";
import { effectiveConfig } from "../../lib/config/effective.ts";
import { generatePasteCorpus, type PasteCase } from "../_helpers/paste_corpus.ts";
import { runPythonJson } from "../_helpers/python.ts";
import { makeTempDir } from "../_helpers/temp_dir.ts";

const SEED = 2030;
const CASE_COUNT = 400;
const ORACLE = new URL("./_paste_oracle.py", import.meta.url);

type Effective = [string, [string, string][]][] | { error: string };

async function writeCase(root: string, pasteCase: PasteCase): Promise<string> {
  const dir = join(root, `case-${pasteCase.id}`);
  await Deno.mkdir(dir);
  for (const file of pasteCase.files) await Deno.writeTextFile(join(dir, file.name), file.text);
  return pasteCase.isDirectory ? dir : join(dir, pasteCase.files[0].name);
}

function swiftdEffective(path: string): Effective {
  try {
    const { sections } = effectiveConfig(path, { wsgi: true });
    return sections.map(([name, pairs]) => [name, pairs.map(([k, v]) => [k, v])]);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { error: err.message };
  }
}

/** Failures are compared by their existence only: the messages differ by design. */
function comparable(result: Effective): Effective {
  return "error" in result ? { error: "fails" } : result;
}

function describeCase(pasteCase: PasteCase, path: string): string {
  const files = pasteCase.files.map((file) => `  --- ${file.name}\n${file.text}`).join("");
  return `case ${pasteCase.id} ${path} (flaws: ${pasteCase.flaws.join(", ") || "none"})\n${files}`;
}

Deno.test("effectiveConfig -w resolves generated paste configs exactly as paste.deploy does", async (t) => {
  await using root = await makeTempDir("paste-corpus");
  const cases = generatePasteCorpus(SEED, CASE_COUNT);
  const paths: string[] = [];
  for (const pasteCase of cases) paths.push(await writeCase(root.path, pasteCase));
  const oracle = await runPythonJson(ORACLE, paths) as Effective[];
  assertEquals(oracle.length, cases.length);

  await t.step("the corpus holds mostly loadable configs, files and conf.d directories", () => {
    const loadable = oracle.filter((result) => !("error" in result)).length;
    assert(loadable > CASE_COUNT * 0.75, `only ${loadable} of ${CASE_COUNT} load`);
    assert(cases.filter((c) => c.isDirectory).length > CASE_COUNT / 5);
    const unexpected = oracle.flatMap((result, i) =>
      "error" in result && cases[i].flaws.length === 0 ? [`${paths[i]}: ${result.error}`] : []
    );
    assertEquals(unexpected, [], "configs without a deliberate flaw must load");
  });

  await t.step("contexts, keys, values and their order match swift-config -w", () => {
    const mismatches: string[] = [];
    for (const [i, pasteCase] of cases.entries()) {
      const actual = swiftdEffective(paths[i]);
      if (JSON.stringify(comparable(oracle[i])) !== JSON.stringify(comparable(actual))) {
        mismatches.push(
          `${describeCase(pasteCase, paths[i])}  paste.deploy: ${JSON.stringify(oracle[i])}\n` +
            `  swiftd:       ${JSON.stringify(actual)}`,
        );
      }
    }
    assertEquals(
      mismatches.length,
      0,
      `${mismatches.length} of ${cases.length} configs differ; the first ones:\n\n` +
        mismatches.slice(0, 4).join("\n\n"),
    );
  });
});

/** Small configs, one per paste.deploy rule that is easy to get wrong. */
const HANDWRITTEN: Record<string, string> = {
  "use-chain.conf": "[pipeline:main]\npipeline = a proxy\n[filter:a]\nuse = b\nlocal = a\n" +
    "[filter:b]\nuse = egg:swift#healthcheck\nx = 1\n[app:proxy]\nuse = egg:swift#proxy\n",
  "app-before-application.conf": "[app:main]\nuse = egg:swift#proxy\nwhich = app\n" +
    "[application:main]\nuse = egg:swift#proxy\nwhich = application\n",
  "bare-app-section.conf": "[app]\nuse = egg:swift#proxy\n",
  "default-wins.conf": "[DEFAULT]\nlog_name = d\n[app:main]\nuse = egg:swift#proxy\n" +
    "log_name = local\nset log_level = DEBUG\nget got = log_name\n",
  "egg-in-pipeline.conf": "[DEFAULT]\nuser = swift\n[pipeline:main]\n" +
    "pipeline = egg:swift#healthcheck proxy\nset log_name = p\n[app:proxy]\nuse = egg:swift#proxy\n",
};

Deno.test("effectiveConfig -w resolves `use` chains and section names as paste.deploy does", async () => {
  await using root = await makeTempDir("paste-handwritten");
  const paths = Object.keys(HANDWRITTEN).map((name) => join(root.path, name));
  for (const [i, text] of Object.values(HANDWRITTEN).entries()) {
    await Deno.writeTextFile(paths[i], text);
  }
  const oracle = await runPythonJson(ORACLE, paths) as Effective[];
  const failures = paths.flatMap((path, i) => {
    const actual = swiftdEffective(path);
    if (JSON.stringify(comparable(oracle[i])) === JSON.stringify(comparable(actual))) return [];
    return [
      `${basename(path)}\n  paste.deploy: ${JSON.stringify(oracle[i])}\n` +
      `  swiftd:       ${JSON.stringify(actual)}`,
    ];
  });
  assertEquals(failures, []);
});
