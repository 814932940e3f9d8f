/**
 * Opening account/container databases the way swift/common/db.py does:
 * get_db_connection() for existing files, and the fast unsafe settings
 * initialize() uses while it builds a new file that nobody else can see yet.
 */
import { DatabaseSync } from "node:sqlite";
import { chexor } from "./chexor.ts";
import { DatabaseConnectionError } from "./errors.ts";
import { SqlConnection } from "./sql.ts";

/** Swift's BROKER_TIMEOUT: seconds to wait for another writer's lock. */
export const BROKER_TIMEOUT = 25;

/** Opens an existing database with Swift's PRAGMAs and the chexor() function its triggers call. */
export function getDbConnection(path: string, timeoutSeconds = BROKER_TIMEOUT): SqlConnection {
  // Swift refuses to let sqlite create a missing file here; checking first
  // avoids leaving an empty file behind as sqlite3.connect() would.
  try {
    Deno.statSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new DatabaseConnectionError(path, "DB doesn't exist");
    }
    throw err;
  }
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { timeout: Math.round(timeoutSeconds * 1000) });
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA count_changes = OFF");
    db.exec("PRAGMA temp_store = MEMORY");
    db.exec("PRAGMA journal_mode = DELETE");
    registerChexor(db);
    return new SqlConnection(db);
  } catch (err) {
    if (db?.isOpen) db.close();
    throw new DatabaseConnectionError(path, (err as Error).message, { cause: err });
  }
}

/** Opens a brand-new file for initialize(): no fsync and an in-memory journal until the final rename. */
export function createDbConnection(path: string): SqlConnection {
  const db = new DatabaseSync(path, { timeout: 0 });
  db.exec("PRAGMA synchronous = OFF");
  db.exec("PRAGMA temp_store = MEMORY");
  db.exec("PRAGMA journal_mode = MEMORY");
  registerChexor(db);
  return new SqlConnection(db);
}

function registerChexor(db: DatabaseSync): void {
  db.function("chexor", (old, name, timestamp) => chexor(String(old), name, timestamp));
}
