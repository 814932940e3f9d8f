import { assertEquals, assertInstanceOf, assertThrows } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import {
  DiskFileBadMetadata,
  DiskFileBadMetadataChecksum,
  METADATA_CHECKSUM_KEY,
  METADATA_KEY,
  readMetadata,
  writeMetadata,
} from "../../lib/object/metadata.ts";
import type { DiskFileMetadata } from "../../lib/object/metadata.ts";
import { getXattr, listXattrs, removeXattr, setXattr, XattrError } from "../../lib/common/xattr.ts";
import { openRawFd } from "../../lib/common/raw_fd.ts";
import { encodeUtf8 } from "../../lib/common/python_codecs.ts";
import { touch, withShmDir } from "../common/_shm_dir.ts";

const ORACLE = fromFileUrl(new URL("./_swift_metadata_oracle.py", import.meta.url));

type OracleAnswer = {
  ok?: boolean;
  metadata?: DiskFileMetadata;
  error?: string;
  message?: string;
};

type OracleRequest = { cmd: "write" | "read" | "read-fd"; path: string; metadata?: unknown };

/** Runs a batch of requests through Swift's own write_metadata/read_metadata. */
async function swift(...requests: OracleRequest[]): Promise<OracleAnswer[]> {
  const child = new Deno.Command("/usr/bin/python3", {
    args: [ORACLE],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(requests.map((r) => JSON.stringify(r)).join("\n")));
  await writer.close();
  const { code, stdout, stderr } = await output;
  if (code !== 0) throw new Error(`Swift oracle failed: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout).trim().split("\n").map((l) => JSON.parse(l));
}

/** The WSGI string of a UTF-8 header value: what Swift's py3 object server puts in metadata. */
function wsgi(text: string): string {
  return String.fromCharCode(...encodeUtf8(text));
}

function bigMetadata(bytes: number): DiskFileMetadata {
  const md: DiskFileMetadata = { name: "/a/c/big", "X-Timestamp": "1700000000.00000" };
  for (let i = 0; md["X-Object-Meta-Pad"] === undefined || i * 300 < bytes; i++) {
    md[`X-Object-Meta-K${i}`] = wsgi("ünïcödé ✓ ") + "v".repeat(280) + String(i);
    md["X-Object-Meta-Pad"] = "";
  }
  return md;
}

const CASES: Record<string, DiskFileMetadata> = {
  "a typical PUT": {
    "X-Timestamp": "1795754408.65131",
    "Content-Type": "text/plain",
    "Content-Length": "2",
    ETag: "49f68a5c8493ec2c0bf489821c21fc3b",
    "X-Object-Meta-Foo": wsgi("bér"),
    name: "/a/c/oé",
  },
  "empty and one-byte values that CPython shares in its memo": {
    name: "/a/c/o",
    "X-Object-Meta-A": "1",
    "X-Object-Meta-B": "1",
    "X-Object-Meta-E": "",
    "X-Object-Meta-F": "",
    "X-Object-Meta-G": "é",
  },
  "non-BMP names and undecodable bytes kept as surrogates": {
    name: "/a/c/\u{1F600}\udcff",
    "X-Object-Meta-Raw": wsgi("x") + "\udc80\udcfe",
    "X-Object-Sysmeta-Emoji": wsgi("\u{1F4A9}"),
  },
  "64 KiB of metadata spanning several xattrs": bigMetadata(64 * 1024),
  "200 KiB of metadata": bigMetadata(200 * 1024),
};

async function withFile(fn: (path: string) => Promise<void> | void): Promise<void> {
  await withShmDir(async (dir) => {
    const path = join(dir, "1700000000.00000.data");
    await touch(path);
    await fn(path);
  });
}

function swiftXattrs(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of listXattrs(path).filter((n) => n.startsWith("user.swift.")).sort()) {
    out[name] = Array.from(getXattr(path, name), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  return out;
}

/** Runs `fn` with one fresh file per metadata case, all in one tmpfs directory. */
async function withCaseFiles(fn: (files: [string, DiskFileMetadata, string][]) => Promise<void>) {
  await withShmDir(async (dir) => {
    const files = Object.entries(CASES).map(([what, md], i) =>
      [what, md, join(dir, `${i}.data`)] as [string, DiskFileMetadata, string]
    );
    await touch(...files.map(([, , path]) => path));
    await fn(files);
  });
}

Deno.test("readMetadata() returns what Swift's write_metadata() stored", async () => {
  await withCaseFiles(async (files) => {
    const answers = await swift(...files.map(([, metadata, path]) => ({
      cmd: "write" as const,
      path,
      metadata,
    })));
    for (const [i, [what, metadata, path]] of files.entries()) {
      assertEquals(answers[i], { ok: true }, what);
      assertEquals(readMetadata(path), metadata, what);
      using fd = openRawFd(path);
      assertEquals(readMetadata(fd.fd), metadata, what);
    }
  });
});

Deno.test("Swift's read_metadata() returns what writeMetadata() stored, by path and by fd", async () => {
  await withCaseFiles(async (files) => {
    for (const [, metadata, path] of files) writeMetadata(path, metadata);
    const answers = await swift(
      ...files.flatMap(([, , path]) => [
        { cmd: "read" as const, path },
        { cmd: "read-fd" as const, path },
      ]),
    );
    for (const [i, [what, metadata]] of files.entries()) {
      assertEquals(answers[2 * i], { metadata }, what);
      assertEquals(answers[2 * i + 1], { metadata }, what);
    }
  });
});

Deno.test("writeMetadata() stores the same xattrs, byte for byte, as Swift's write_metadata()", async () => {
  await withCaseFiles(async (files) => {
    const ours = files.map(([, , path]) => path + ".ours");
    await touch(...ours);
    await swift(...files.map(([, metadata, path]) => ({ cmd: "write" as const, path, metadata })));
    for (const [i, [what, metadata, theirs]] of files.entries()) {
      using fd = openRawFd(ours[i], { write: true });
      writeMetadata(fd.fd, metadata);
      const stored = swiftXattrs(theirs);
      assertEquals(swiftXattrs(ours[i]), stored, what);
      if (what.startsWith("200 KiB")) assertEquals(stored[`${METADATA_KEY}3`] !== undefined, true);
    }
  });
});

Deno.test("readMetadata() rejects a checksum mismatch for quarantine, as Swift does", async () => {
  await withFile(async (path) => {
    writeMetadata(path, CASES["a typical PUT"]);
    const pickle = getXattr(path, METADATA_KEY);
    pickle[pickle.length - 3] ^= 0x01; // flip a bit inside the last value
    setXattr(path, METADATA_KEY, pickle);
    const err = assertThrows(() => readMetadata(path), DiskFileBadMetadataChecksum);
    assertEquals(err.reason.startsWith(`Metadata checksum mismatch for ${path}: stored`), true);
    assertEquals((await swift({ cmd: "read", path }))[0].error, "DiskFileBadMetadataChecksum");
  });
});

Deno.test("readMetadata() rejects an unreadable pickle for quarantine, as Swift fails to load it", async () => {
  const garbage: Record<string, Uint8Array> = {
    "a truncated pickle": new TextEncoder().encode("\x80\x02}q\x00(X"),
    "a pickled list": new Uint8Array([0x80, 0x02, 0x5d, 0x2e]),
    "a refused global": new TextEncoder().encode("cos\nsystem\n(S'true'\ntR."),
    "no metadata at all": new Uint8Array(0),
  };
  await withShmDir(async (dir) => {
    const cases = Object.entries(garbage).map(([what, bytes], i) =>
      [what, bytes, join(dir, `${i}.data`)] as const
    );
    await touch(...cases.map(([, , path]) => path));
    for (const [what, bytes, path] of cases) {
      if (bytes.length > 0) setXattr(path, METADATA_KEY, bytes);
      const err = assertThrows(() => readMetadata(path), DiskFileBadMetadata, undefined, what);
      assertEquals(err instanceof DiskFileBadMetadataChecksum, false, what);
      assertEquals(err.reason.startsWith("Exception reading metadata: "), true, what);
    }
    const answers = await swift(...cases.map(([, , path]) => ({ cmd: "read" as const, path })));
    for (const [i, [what]] of cases.entries()) {
      assertEquals(answers[i].metadata, undefined, `Swift reads ${what}`);
      assertEquals(typeof answers[i].error, "string", `Swift reads ${what}`);
    }
  });
});

Deno.test("readMetadata() reads Python 2 era metadata without a checksum like Swift does", async () => {
  // py2 Swift: dict of str at protocol 2 (SHORT_BINSTRING), one unicode value (lp#1678018).
  const str = (s: string) => `U${String.fromCharCode(s.length)}${s}`;
  const py2 = `\x80\x02}q\x01(${str("name")}${str("/a/c/\xc3\xa9")}${str("X-Timestamp")}` +
    `${str("1700000000.00000")}${str("X-Object-Meta-Unic")}X\x02\x00\x00\x00\xc3\xa9u.`;
  await withFile(async (path) => {
    setXattr(path, METADATA_KEY, Uint8Array.from(py2, (c) => c.charCodeAt(0)));
    const [answer] = await swift({ cmd: "read", path });
    assertEquals(readMetadata(path), answer.metadata);
    assertEquals(readMetadata(path).name, "/a/c/é");
    assertEquals(listXattrs(path).includes(METADATA_CHECKSUM_KEY), false);
  });
});

Deno.test("readMetadata() adds a missing checksum only when asked, with Swift's value", async () => {
  await withFile(async (path) => {
    await swift({ cmd: "write", path, metadata: CASES["a typical PUT"] });
    const swiftChecksum = getXattr(path, METADATA_CHECKSUM_KEY);
    removeXattr(path, METADATA_CHECKSUM_KEY);
    readMetadata(path);
    assertEquals(listXattrs(path).includes(METADATA_CHECKSUM_KEY), false);
    readMetadata(path, { addMissingChecksum: true });
    assertEquals(getXattr(path, METADATA_CHECKSUM_KEY), swiftChecksum);
  });
});

Deno.test("writeMetadata() removes chunks left over from longer metadata", async () => {
  await withFile(async (path) => {
    writeMetadata(path, CASES["200 KiB of metadata"]);
    writeMetadata(path, CASES["a typical PUT"]);
    assertEquals(listXattrs(path).filter((n) => n.startsWith(METADATA_KEY)).sort(), [
      METADATA_KEY,
      METADATA_CHECKSUM_KEY,
    ]);
    assertEquals(await swift({ cmd: "read", path }), [{ metadata: CASES["a typical PUT"] }]);
  });
});

Deno.test("readMetadata() and writeMetadata() report a missing file and missing xattr support", () => {
  const readErr = assertThrows(() => readMetadata("/nonexistent/swiftd/x.data"), XattrError);
  assertEquals(readErr.code, "ENOENT");
  const writeErr = assertThrows(() => writeMetadata("/proc/self/status", { a: "b" }), XattrError);
  assertEquals(writeErr.code, "ENOTSUP");
});

Deno.test("writeMetadata() reports ENOSPC where ext4 cannot hold 64 KiB, like Swift's DiskFileNoSpace", async () => {
  // ext4 keeps all of an inode's xattrs in one 4 KiB block, so Swift fails there the same way.
  const dir = await Deno.makeTempDir({ prefix: "swiftd-metadata-" });
  try {
    const { stdout } = await new Deno.Command("stat", { args: ["-f", "-c", "%T", dir] }).output();
    if (!new TextDecoder().decode(stdout).startsWith("ext")) {
      console.warn(`Skipping ENOSPC check: ${dir} is not on ext4`);
      return;
    }
    const path = join(dir, "1700000000.00000.data");
    await Deno.writeFile(path, new Uint8Array(0));
    const err = assertThrows(() =>
      writeMetadata(path, CASES["64 KiB of metadata spanning several xattrs"])
    );
    assertInstanceOf(err, XattrError);
    assertEquals(err.code, "ENOSPC");
    const [answer] = await swift({
      cmd: "write",
      path,
      metadata: CASES["64 KiB of metadata spanning several xattrs"],
    });
    assertEquals(answer.error, "DiskFileNoSpace");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
