/**
 * The parent <-> worker handshake. The parent writes one JSON line on the worker's stdin
 * (the config snapshot and the worker's identity) and keeps stdin open: EOF tells the worker
 * its parent is gone. The worker answers with one line on stdout: `READY` once it serves, or
 * `FAILED <message>` when it cannot boot.
 */
import type { ConfigSource } from "../config/paste.ts";
import type { ServerName } from "../config/options/servers.ts";

/** What a worker needs to know, sent as the first line of its stdin. */
export interface WorkerHello {
  readonly server: ServerName;
  readonly configPath: string;
  readonly snapshot: ConfigSource;
  readonly generation: number;
  readonly index: number;
  readonly verbose: boolean;
}

/** The hidden command word that starts a worker. */
export const WORKER_COMMAND = "__worker";

/** The worker's line when it serves. */
export const READY_LINE = "READY";

/** The prefix of the worker's line when it cannot boot. */
export const FAILED_PREFIX = "FAILED ";

/** Encodes the hello line. */
export function encodeHello(hello: WorkerHello): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(hello)}\n`);
}

/** Reads lines from a stream, one at a time. */
export class LineReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = "";

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** The next line without its newline, or undefined at end of stream. */
  async next(): Promise<string | undefined> {
    while (true) {
      const newline = this.#buffer.indexOf("\n");
      if (newline >= 0) {
        const line = this.#buffer.slice(0, newline);
        this.#buffer = this.#buffer.slice(newline + 1);
        return line;
      }
      const { done, value } = await this.#reader.read();
      if (done) {
        const rest = this.#buffer;
        this.#buffer = "";
        return rest || undefined;
      }
      this.#buffer += this.#decoder.decode(value, { stream: true });
    }
  }

  /** Waits for end of stream, discarding anything else. */
  async untilEnd(): Promise<void> {
    while ((await this.#reader.read()).done === false) { /* discard */ }
  }

  /** Stops reading. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}
