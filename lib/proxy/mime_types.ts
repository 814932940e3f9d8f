/**
 * mimetypes.guess_type() as Swift's proxy uses it for object PUTs without a Content-Type:
 * Python's built-in table, then the system mime.types files, then swift_dir/mime.types, later
 * files overriding earlier ones (mimetypes.init(knownfiles + [swift_dir/mime.types])).
 */
import { join } from "@std/path";

/** mimetypes.knownfiles on Linux. */
const KNOWN_FILES = [
  "/etc/mime.types",
  "/etc/httpd/mime.types",
  "/etc/httpd/conf/mime.types",
  "/etc/apache/mime.types",
  "/etc/apache2/mime.types",
  "/usr/local/etc/httpd/conf/mime.types",
  "/usr/local/lib/netscape/mime.types",
  "/usr/local/etc/mime.types",
];

const SUFFIX_MAP: Record<string, string> = {
  ".svgz": ".svg.gz",
  ".tgz": ".tar.gz",
  ".taz": ".tar.gz",
  ".tz": ".tar.gz",
  ".tbz2": ".tar.bz2",
  ".txz": ".tar.xz",
};

const ENCODINGS = new Set([".gz", ".Z", ".bz2", ".xz", ".br"]);

// The most common entries of Python's built-in types_map; the system files add the rest.
const BUILTIN: Record<string, string> = {
  ".js": "application/javascript",
  ".json": "application/json",
  ".pdf": "application/pdf",
  ".zip": "application/zip",
  ".tar": "application/x-tar",
  ".xml": "text/xml",
  ".html": "text/html",
  ".htm": "text/html",
  ".txt": "text/plain",
  ".text": "text/plain",
  ".css": "text/css",
  ".csv": "text/csv",
  ".py": "text/x-python",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".svg": "image/svg+xml",
  ".ico": "image/vnd.microsoft.icon",
  ".mp3": "audio/mpeg",
  ".mp4": "video/mp4",
  ".bin": "application/octet-stream",
  ".sh": "application/x-sh",
  ".wasm": "application/wasm",
};

/** Extension -> type, read once per worker. */
export class MimeTypes {
  readonly #types = new Map<string, string>(Object.entries(BUILTIN));

  /** Reads the system files and `swiftDir`/mime.types that exist. */
  constructor(swiftDir: string) {
    for (const file of [...KNOWN_FILES, join(swiftDir, "mime.types")]) this.#read(file);
  }

  /** The type of `path`'s extension, or undefined (guess_type(path)[0]). */
  guess(path: string): string | undefined {
    let [base, ext] = splitext(path);
    while (SUFFIX_MAP[ext.toLowerCase()] !== undefined) {
      [base, ext] = splitext(base + SUFFIX_MAP[ext.toLowerCase()]);
    }
    if (ENCODINGS.has(ext) || ENCODINGS.has(ext.toLowerCase())) [base, ext] = splitext(base);
    return this.#types.get(ext) ?? this.#types.get(ext.toLowerCase());
  }

  #read(file: string): void {
    let text: string;
    try {
      text = Deno.readTextFileSync(file);
    } catch {
      return;
    }
    for (const line of text.split("\n")) {
      const words = line.split("#")[0].trim().split(/\s+/).filter(Boolean);
      if (words.length < 2) continue;
      for (const ext of words.slice(1)) this.#types.set(`.${ext}`, words[0]);
    }
  }
}

/** posixpath.splitext(). */
function splitext(path: string): [string, string] {
  const slash = path.lastIndexOf("/");
  const dot = path.lastIndexOf(".");
  if (dot <= slash + 1) return [path, ""];
  // Leading dots of the last component do not start an extension.
  const name = path.slice(slash + 1);
  if (/^\.+[^.]*$/.test(name)) return [path, ""];
  return [path.slice(0, dot), path.slice(dot)];
}
