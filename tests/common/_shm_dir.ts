/**
 * Scratch directories on tmpfs for xattr tests.
 *
 * tmpfs keeps user.* xattrs of up to 64 KiB per value, which Swift's large metadata needs
 * (ext4 caps all of a file's xattrs at one 4 KiB block). Deno refuses its own fs calls under
 * /dev without --allow-all, so the directory and files are made with coreutils; the code under
 * test only uses libc through FFI, which these permissions do not cover.
 *
 * @module
 */

async function run(cmd: string, ...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(cmd, { args }).output();
  if (code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(stderr)}`);
  }
  return new TextDecoder().decode(stdout).trim();
}

/** Creates empty files (like touch(1)) at `paths`. */
export async function touch(...paths: string[]): Promise<void> {
  await run("touch", "--", ...paths);
}

/** Runs `fn` with a fresh directory under /dev/shm, removed afterwards. */
export async function withShmDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await run("mktemp", "-d", "/dev/shm/swiftd-test-XXXXXXXX");
  try {
    await fn(dir);
  } finally {
    await run("rm", "-rf", "--", dir);
  }
}
