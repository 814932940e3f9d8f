import { assertEquals, assertThrows } from "@std/assert";
import { join } from "@std/path";
import {
  getXattr,
  getXattrUnlessMissing,
  listXattrs,
  removeXattr,
  removeXattrIfSet,
  setXattr,
  XattrError,
} from "../../lib/common/xattr.ts";
import { openRawFd } from "../../lib/common/raw_fd.ts";
import { touch, withShmDir } from "./_shm_dir.ts";

async function withShmFile(fn: (path: string) => Promise<void> | void): Promise<void> {
  await withShmDir(async (dir) => {
    const path = join(dir, "f");
    await touch(path);
    await fn(path);
  });
}

function errorCode(fn: () => unknown): string {
  const err = assertThrows(fn, XattrError);
  return err.code;
}

function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

async function python(script: string, ...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", script, ...args],
  }).output();
  if (code !== 0) throw new Error(`python3 failed: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout).trim();
}

Deno.test("setXattr() and getXattr() round-trip values by path and by raw fd", async () => {
  await withShmFile((path) => {
    setXattr(path, "user.a", new TextEncoder().encode("by path"));
    using fd = openRawFd(path, { write: true });
    setXattr(fd.fd, "user.b", new Uint8Array([0, 255, 0]));
    assertEquals(new TextDecoder().decode(getXattr(fd.fd, "user.a")), "by path");
    assertEquals(getXattr(path, "user.b"), new Uint8Array([0, 255, 0]));
    setXattr(path, "user.empty", new Uint8Array(0));
    assertEquals(getXattr(fd.fd, "user.empty"), new Uint8Array(0));
  });
});

Deno.test("getXattr() reports a missing attribute as ENODATA and a missing file as ENOENT", async () => {
  await withShmFile((path) => {
    assertEquals(errorCode(() => getXattr(path, "user.nope")), "ENODATA");
    using fd = openRawFd(path);
    assertEquals(errorCode(() => getXattr(fd.fd, "user.nope")), "ENODATA");
    assertEquals(errorCode(() => getXattr(path + ".missing", "user.a")), "ENOENT");
    assertEquals(errorCode(() => removeXattr(path, "user.nope")), "ENODATA");
  });
});

Deno.test("listXattrs() lists the names set and removeXattr() removes one", async () => {
  await withShmFile((path) => {
    for (const name of ["user.x", "user.y", "user.z"]) setXattr(path, name, new Uint8Array([1]));
    using fd = openRawFd(path, { write: true });
    removeXattr(fd.fd, "user.y");
    assertEquals(listXattrs(path).filter((n) => n.startsWith("user.")).sort(), [
      "user.x",
      "user.z",
    ]);
    assertEquals(listXattrs(fd.fd).filter((n) => n.startsWith("user.")).length, 2);
  });
});

Deno.test("setXattr() honours create and replace, failing with EEXIST and ENODATA", async () => {
  await withShmFile((path) => {
    setXattr(path, "user.c", new Uint8Array([1]), { create: true });
    assertEquals(
      errorCode(() => setXattr(path, "user.c", new Uint8Array([2]), { create: true })),
      "EEXIST",
    );
    assertEquals(
      errorCode(() => setXattr(path, "user.d", new Uint8Array([2]), { replace: true })),
      "ENODATA",
    );
  });
});

Deno.test("setXattr() reports E2BIG for a value over 64 KiB and ENOTSUP where xattrs are unsupported", async () => {
  await withShmFile((path) => {
    assertEquals(errorCode(() => setXattr(path, "user.big", new Uint8Array(65537))), "E2BIG");
  });
  assertEquals(
    errorCode(() => setXattr("/proc/self/status", "user.a", new Uint8Array(1))),
    "ENOTSUP",
  );
});

Deno.test("XattrError names the call, the target, the attribute and errno", async () => {
  await withShmFile((path) => {
    const err = assertThrows(() => getXattr(path, "user.nope"), XattrError);
    assertEquals(
      err.message,
      `getxattr() failed on "${path}" attribute "user.nope": ENODATA (errno 61)`,
    );
  });
});

Deno.test("values written here read back identically in python-xattr, and the reverse", async () => {
  await withShmFile(async (path) => {
    const sizes = [0, 1, 255, 4096, 65536];
    for (const [i, n] of sizes.entries()) setXattr(path, `user.ts${i}`, randomBytes(n, i + 1));
    const script = `
import sys, xattr, hashlib, random
p = sys.argv[1]
out = []
for i in range(${sizes.length}):
    out.append(xattr.getxattr(p, 'user.ts%d' % i).hex())
    rnd = random.Random(i)
    xattr.setxattr(p, 'user.py%d' % i, bytes(rnd.randrange(256) for _ in range(${sizes[3]})))
print(','.join(out))
`;
    const hexes = (await python(script, path)).split(",");
    for (const [i, n] of sizes.entries()) {
      const expected = Array.from(randomBytes(n, i + 1), (b) => b.toString(16).padStart(2, "0"));
      assertEquals(hexes[i], expected.join(""), `user.ts${i}`);
    }
    const pyHex = await python(
      "import sys, xattr\nprint(xattr.getxattr(sys.argv[1], 'user.py2').hex())",
      path,
    );
    const ours = Array.from(getXattr(path, "user.py2"), (b) => b.toString(16).padStart(2, "0"));
    assertEquals(ours.join(""), pyHex);
  });
});

Deno.test("setXattr() reports ENOSPC when an ext4 inode cannot hold a 64 KiB value", async () => {
  // ext4 keeps all of an inode's xattrs in one 4 KiB block: Swift sees ENOSPC there too.
  const dir = await Deno.makeTempDir({ prefix: "swiftd-xattr-" });
  try {
    const fsType = (await new Deno.Command("stat", { args: ["-f", "-c", "%T", dir] }).output())
      .stdout;
    if (!new TextDecoder().decode(fsType).startsWith("ext")) {
      console.warn(`Skipping ENOSPC check: ${dir} is not on ext4`);
      return;
    }
    const path = join(dir, "f");
    await Deno.writeFile(path, new Uint8Array(0));
    assertEquals(errorCode(() => setXattr(path, "user.big", new Uint8Array(65536))), "ENOSPC");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a closed RawFd refuses further use instead of touching a reused fd number", async () => {
  await withShmFile((path) => {
    const fd = openRawFd(path);
    fd.close();
    fd.close();
    assertThrows(() => fd.fd, Error, "already closed");
    assertThrows(() => openRawFd(path + ".missing"), Error, "ENOENT");
  });
});

Deno.test("getXattrUnlessMissing() and removeXattrIfSet() answer a missing attribute without throwing", async () => {
  await withShmFile((path) => {
    assertEquals(getXattrUnlessMissing(path, "user.none"), undefined);
    assertEquals(removeXattrIfSet(path, "user.none"), false);
    setXattr(path, "user.a", new TextEncoder().encode("v"));
    using raw = openRawFd(path);
    assertEquals(new TextDecoder().decode(getXattrUnlessMissing(raw.fd, "user.a")), "v");
    assertEquals(removeXattrIfSet(raw.fd, "user.a"), true);
    assertEquals(getXattrUnlessMissing(raw.fd, "user.a"), undefined);
    // Other failures still throw, with their errno.
    assertEquals(
      errorCode(() => getXattrUnlessMissing(`${path}-gone`, "user.a")),
      "ENOENT",
    );
    assertEquals(errorCode(() => removeXattrIfSet(`${path}-gone`, "user.a")), "ENOENT");
  });
});
