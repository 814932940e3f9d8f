/**
 * ReconMiddleware._from_recon_cache(): the asked keys of one daemon's recon cache file, each
 * null when missing, and every key null when the file cannot be read or is not a JSON object
 * (the error is logged, as Swift logs it, and the request still answers 200).
 *
 * @module
 */
import type { SwiftLogger } from "../../log/logger.ts";
import { type PyJson, pythonJsonLoadsExact } from "../../common/python_json.ts";

/** Reads `keys` from the recon cache file `file`. */
export async function fromReconCache(
  keys: readonly string[],
  file: string,
  options: { logger: SwiftLogger; ignoreMissing?: boolean },
): Promise<Map<string, PyJson>> {
  const empty = new Map<string, PyJson>(keys.map((key) => [key, null]));
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (err) {
    // Some caches (relinker.recon) exist only while their daemon runs; absence is normal there.
    if (!(options.ignoreMissing && err instanceof Deno.errors.NotFound)) {
      options.logger.exception("Error reading recon cache file", err);
    }
    return empty;
  }
  let data: PyJson;
  try {
    // open(file, 'r') decodes strictly as UTF-8 (Python's UTF-8 mode) and keeps a BOM, which
    // json.load() then refuses.
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    data = pythonJsonLoadsExact(text);
  } catch (err) {
    options.logger.exception("Error parsing recon cache file", err);
    return empty;
  }
  if (!(data instanceof Map)) {
    // recondata.get() on a list or a number raises AttributeError in Swift.
    options.logger.exception(
      "Error retrieving recon data",
      new TypeError(`${file} holds JSON that is not an object`),
    );
    return empty;
  }
  return new Map(keys.map((key) => [key, data.has(key) ? data.get(key)! : null]));
}
