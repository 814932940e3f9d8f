/** A temporary directory that removes itself at the end of an `await using` block. */
export interface TempDir extends AsyncDisposable {
  readonly path: string;
}

/** Creates a fresh temporary directory; `await using dir = await makeTempDir("x")`. */
export async function makeTempDir(prefix: string): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix: `swiftd-${prefix}-` });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}
