/**
 * Stand-ins the web filter tests build swiftd's side with: a stage from a conf, a logger that
 * keeps its lines, and a memcached with MemcacheRing's semantics that records every operation
 * (the Python oracle's FakeMemcache records the same way).
 */
import { Logger } from "@std/log";
import { MemcacheConnectionError } from "../../lib/common/memcached.ts";
import { parseOptions, type StageConfig } from "../../lib/config/load.ts";
import type { OptionTable } from "../../lib/config/options/option.ts";
import { SwiftLogger } from "../../lib/log/logger.ts";

/** A stage of `table` whose section sets `conf`. */
export function stageOf(table: OptionTable, conf: Record<string, string> = {}): StageConfig {
  const entries = new Map(Object.entries(conf).map(([key, value]) => [key, { value, line: 1 }]));
  return {
    kind: "filter",
    name: table.name,
    section: `filter:${table.name}`,
    entryPoint: table.name,
    conf: entries,
    options: parseOptions(table, entries, { file: "test.conf" }, () => {}),
    origin: { file: "test.conf" },
  };
}

/** A logger keeping [level, message] of everything. */
export function recordingLogger(lines: [string, string][]): SwiftLogger {
  const logger = new SwiftLogger(new Logger("web-filters", "CRITICAL", { handlers: [] }), "t", 0);
  for (const level of ["debug", "info", "warning", "error"] as const) {
    logger[level] = (message: string) => void lines.push([level, message]);
  }
  return logger;
}

/** memcached's semantics as MemcacheRing shows them, every operation recorded. */
export class RecordingMemcache {
  readonly ops: unknown[][] = [];
  readonly #values: Map<string, unknown>;
  constructor(values: Record<string, unknown> = {}, readonly down = false) {
    this.#values = new Map(Object.entries(structuredClone(values)));
  }
  get(key: string): Promise<unknown> {
    this.ops.push(["get", key]);
    return Promise.resolve(this.down ? null : structuredClone(this.#values.get(key) ?? null));
  }
  set(key: string, value: unknown, options: { serialize?: boolean; time?: number } = {}) {
    const serialize = options.serialize ?? true;
    this.ops.push(["set", key, value, serialize, options.time ?? 0]);
    if (!this.down) this.#values.set(key, serialize ? structuredClone(value) : String(value));
    return Promise.resolve();
  }
  incr(key: string, delta = 1): Promise<number> {
    this.ops.push(["incr", key, delta]);
    return this.#add(key, delta);
  }
  decr(key: string, delta = 1): Promise<number> {
    this.ops.push(["decr", key, delta]);
    return this.#add(key, -delta);
  }
  delete(key: string): Promise<void> {
    this.ops.push(["delete", key]);
    this.#values.delete(key);
    return Promise.resolve();
  }
  #add(key: string, delta: number): Promise<number> {
    if (this.down) {
      return Promise.reject(new MemcacheConnectionError("No Memcached connections succeeded."));
    }
    const old = this.#values.get(key);
    const value = Math.max(old === undefined ? delta : Number(old) + delta, 0);
    this.#values.set(key, String(value));
    return Promise.resolve(value);
  }
}
