/**
 * DatabaseBroker.initialize()'s file handling: build the database under a
 * temporary name with fast unsafe settings, fsync it, then rename it into
 * place under Swift's directory lock so no reader ever sees a half-built file.
 */
import { dirname } from "@std/path";
import { SYNC_TABLES_SCRIPT } from "./broker_schema.ts";
import { createDbConnection } from "./connection.ts";
import { DatabaseAlreadyExistsError } from "./errors.ts";
import { withParentDirectoryLock } from "./lock_parent_directory.ts";
import type { SqlConnection } from "./sql.ts";

/** Creates `dbFile` with the sync tables plus whatever `build` adds; throws DatabaseAlreadyExistsError if it exists. */
export async function createDbFile(
  dbFile: string,
  lockTimeout: number,
  build: (conn: SqlConnection) => void,
): Promise<void> {
  const dir = dirname(dbFile);
  Deno.mkdirSync(dir, { recursive: true });
  const tmpFile = Deno.makeTempFileSync({ dir, prefix: "tmp", suffix: ".tmp" });
  try {
    const conn = createDbConnection(tmpFile);
    try {
      conn.transaction(() => {
        conn.exec(SYNC_TABLES_SCRIPT);
        build(conn);
      });
    } finally {
      conn.close();
    }
    {
      using file = Deno.openSync(tmpFile, { read: true, write: true });
      file.syncSync();
    }
    await withParentDirectoryLock(dbFile, lockTimeout, () => {
      if (pathExists(dbFile)) throw new DatabaseAlreadyExistsError(dbFile);
      Deno.renameSync(tmpFile, dbFile);
      using dirHandle = Deno.openSync(dir, { read: true });
      dirHandle.syncSync();
    });
  } finally {
    // Swift leaves the temp file behind when it loses the race; removing it is tidier and harmless.
    if (pathExists(tmpFile)) Deno.removeSync(tmpFile);
  }
}

/** True when `path` exists (without following a final symlink). */
export function pathExists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}
