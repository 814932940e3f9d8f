/**
 * A thin layer over node:sqlite that binds and reads values the way
 * Python's sqlite3 module does for Swift:
 * - integers bind as INTEGER (node:sqlite binds every JS number as REAL, and a
 *   REAL stored into a TEXT column reads back as "5.0" instead of "5");
 * - text containing NUL binds as a BLOB that the SQL casts back to TEXT, and is
 *   read back through CAST(... AS BLOB), because node:sqlite cuts text at the
 *   first NUL and Swift's reserved names ("\x00versions\x00...") start with one.
 *   Statements therefore write `CAST(? AS TEXT)` wherever a name is bound and
 *   select names with {@linkcode textColumn}.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";

/** A parameter as Swift code would pass it to sqlite3. */
export type SqlParam = string | number | bigint | boolean | null | Uint8Array | Real;

/** A number that must bind as REAL even when it is integral (Python float). */
export class Real {
  /** The float value. */
  readonly value: number;
  /** Wraps `value`. */
  constructor(value: number) {
    this.value = value;
  }
}

/** A row as an object keyed by column name. */
export type SqlRow = Record<string, unknown>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `CAST(<column> AS BLOB) AS <alias>`: reads text with NULs intact. */
export function textColumn(column: string, alias = column): string {
  return `CAST(${column} AS BLOB) AS ${alias}`;
}

/** Converts one Swift-style value into what node:sqlite binds like Python's sqlite3. */
export function bindValue(value: SqlParam): SQLInputValue {
  if (value instanceof Real) return value.value;
  if (typeof value === "boolean") return value ? 1n : 0n;
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (typeof value === "string" && value.includes("\u0000")) return encoder.encode(value);
  return value;
}

function decodeRow(row: SqlRow): SqlRow {
  for (const key of Object.keys(row)) {
    // No Swift table stores real BLOBs; every blob here is a CAST name.
    const value = row[key];
    if (value instanceof Uint8Array) row[key] = decoder.decode(value);
  }
  return row;
}

/** One open database with Swift's binding rules. */
export class SqlConnection {
  /** The node:sqlite handle, for the few callers that need it directly. */
  readonly db: DatabaseSync;
  #statements = new Map<string, StatementSync>();

  /** Wraps an open node:sqlite database. */
  constructor(db: DatabaseSync) {
    this.db = db;
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs a statement that returns no rows; resolves to the number of changed rows. */
  run(sql: string, params: SqlParam[] = []): number {
    const result = this.#prepare(sql).run(...params.map(bindValue));
    return Number(result.changes);
  }

  /** All rows as objects. */
  all(sql: string, params: SqlParam[] = []): SqlRow[] {
    return (this.#prepare(sql).all(...params.map(bindValue)) as SqlRow[]).map(decodeRow);
  }

  /**
   * All rows as arrays in column order (Python's tuples). Column names must be
   * distinct and not integer-like, or object key order would differ.
   */
  tuples(sql: string, params: SqlParam[] = []): unknown[][] {
    return this.all(sql, params).map((row) => Object.values(row));
  }

  /** The first row as an object, or undefined. */
  get(sql: string, params: SqlParam[] = []): SqlRow | undefined {
    const row = this.#prepare(sql).get(...params.map(bindValue)) as SqlRow | undefined;
    return row ? decodeRow(row) : undefined;
  }

  /** Runs a script of several statements (Python's executescript). */
  exec(sql: string): void {
    this.db.exec(sql);
  }

  /**
   * Runs `fn` inside BEGIN IMMEDIATE ... COMMIT, rolling back if it throws.
   * Swift relies on sqlite3's implicit transactions plus explicit commit();
   * one explicit transaction gives the same all-or-nothing result.
   */
  transaction<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      this.db.exec("COMMIT");
      return result;
    } catch (err) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      throw err;
    }
  }

  /** Closes the database; statements prepared on it become unusable. */
  close(): void {
    this.#statements.clear();
    if (this.db.isOpen) this.db.close();
  }
}
