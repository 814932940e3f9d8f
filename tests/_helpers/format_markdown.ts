/**
 * Generated documents (docs/benchmarks.md, docs/functional-tests.md) are formatted with the
 * repository's `deno fmt` settings as they are written, so the committed file passes
 * `deno task check` unchanged (markdown tables get their columns aligned).
 */
import { fromFileUrl } from "@std/path";

export async function formatMarkdown(path: string | URL): Promise<void> {
  if (path instanceof URL) path = fromFileUrl(path);
  const config = fromFileUrl(new URL("../../deno.json", import.meta.url));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--config", config, path],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`deno fmt ${path} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}
