/**
 * Test helpers for the object server: settings from the option table's defaults, a request
 * context whose logger keeps its lines, and a mem_object server to send requests to.
 */
import { BaseHandler, Logger, type LogRecord } from "@std/log";
import { OBJECT_SERVER_OPTIONS } from "../../lib/config/options/object.ts";
import { SwiftLogger } from "../../lib/log/logger.ts";
import type { SwiftRecord } from "../../lib/log/format.ts";
import type { Handler } from "../../lib/middleware/compose.ts";
import type { RequestContext } from "../../lib/server/context.ts";
import type { ObjectBackend } from "../../lib/object/backend.ts";
import { ContainerUpdater, type UpdateSender } from "../../lib/object/container_update.ts";
import { MemBackend } from "../../lib/object/mem_backend.ts";
import { objectServer } from "../../lib/object/server.ts";
import {
  type ObjectOptions,
  type ObjectServerSettings,
  objectServerSettings,
} from "../../lib/object/settings.ts";

/** The object server options as a config file that sets `overrides` would give them. */
export function objectOptions(overrides: Record<string, string> = {}): ObjectOptions {
  const out: Record<string, unknown> = {};
  for (const spec of OBJECT_SERVER_OPTIONS) {
    out[spec.key] = spec.parse(overrides[spec.key] ?? spec.default, () => {});
  }
  out.log_requests = (overrides.log_requests ?? "true") === "true";
  return out as ObjectOptions;
}

/** A logged line: Swift level number and message. */
export interface LoggedLine {
  readonly level: number;
  readonly message: string;
  readonly error?: unknown;
  readonly txnId?: string;
}

class KeepHandler extends BaseHandler {
  readonly lines: LoggedLine[];
  constructor(lines: LoggedLine[]) {
    super("NOTSET");
    this.lines = lines;
  }
  override handle(record: LogRecord): void {
    const swift = record.args[0] as SwiftRecord;
    this.lines.push({
      level: swift.level,
      message: swift.message,
      error: swift.error,
      txnId: swift.txnId,
    });
  }
  override log(_msg: string): void {}
}

/** A logger (DEBUG and up) whose lines land in `lines`. */
export function keepingLogger(lines: LoggedLine[]): SwiftLogger {
  const std = new Logger("object-server", "NOTSET", { handlers: [new KeepHandler(lines)] });
  return new SwiftLogger(std, "object-server", 10);
}

/** A request context from 127.0.0.1 logging into `lines`. */
export function testContext(lines: LoggedLine[] = []): RequestContext {
  return {
    logger: keepingLogger(lines),
    remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 40000 },
    startTime: Date.now(),
    env: {},
  };
}

/** A test object server and what it is made of. */
export interface TestServer {
  readonly handler: Handler;
  readonly backend: ObjectBackend;
  readonly settings: ObjectServerSettings;
  readonly updater: ContainerUpdater;
  readonly lines: LoggedLine[];
  /** Sends a request to the server (to http://127.0.0.1:6200 + path). */
  send(method: string, path: string, init?: RequestInit): Promise<Response>;
}

/** An object server over `backend` (a fresh MemBackend by default). */
export function testServer(opts: {
  backend?: ObjectBackend;
  options?: Record<string, string>;
  send?: UpdateSender;
  policies?: ReadonlySet<number>;
} = {}): TestServer {
  const backend = opts.backend ?? new MemBackend();
  const settings = objectServerSettings(objectOptions(opts.options), {
    policies: opts.policies,
  });
  const updater = new ContainerUpdater(backend, settings.updates, opts.send);
  const handler = objectServer(settings, { backend, updater });
  const lines: LoggedLine[] = [];
  return {
    handler,
    backend,
    settings,
    updater,
    lines,
    send: (method, path, init = {}) =>
      handler(new Request(`http://127.0.0.1:6200${path}`, { ...init, method }), testContext(lines)),
  };
}

/** A Uint8Array body (a string body would make Fetch add a Content-Type). */
export function bytes(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text);
}

/** PUTs `body` at `path` with a Content-Length, text/plain and the given headers. */
export function putText(
  server: TestServer,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  const data = bytes(body);
  return server.send("PUT", path, {
    headers: {
      "X-Timestamp": "1700000000.00000",
      "Content-Type": "text/plain",
      "Content-Length": String(data.length),
      ...headers,
    },
    body: data,
  });
}

/** The response's headers as a plain object (lower-case names). */
export function headersOf(response: Response): Record<string, string> {
  return Object.fromEntries(response.headers);
}
