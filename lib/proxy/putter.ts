/**
 * Swift's Putter (swift/proxy/controllers/obj.py): one object server receiving an upload.
 * connect() sends the head with `Expect: 100-continue` and waits for the server's go-ahead
 * (or its final answer: 507 and 5xx mean "try another node", anything else is the answer);
 * send() forwards a chunk with node_timeout; a failed putter is dropped, not retried.
 */
import type { HttpConnection } from "../http/connection.ts";
import { expectContinue } from "../http/request.ts";
import type { BackendResponse } from "../http/response.ts";
import { pyQuote } from "../object/wsgi_text.ts";
import type { ProxyApplication } from "./application.ts";
import { backendPath } from "./backend.ts";
import type { Node } from "./node_iter.ts";
import type { SwiftLogger } from "../log/logger.ts";

/** The node answered 507 to the PUT's head. */
export class InsufficientStorage extends Error {
  constructor() {
    super("Insufficient Storage");
    this.name = "InsufficientStorage";
  }
}

/** The node answered a 5xx other than 507 to the PUT's head. */
export class PutterConnectError extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`Expect: 100-continue answered ${status}`);
    this.name = "PutterConnectError";
    this.status = status;
  }
}

/** An upload to one object server. */
export class Putter {
  readonly node: Node;
  readonly #app: ProxyApplication;
  readonly #conn: HttpConnection;
  readonly #path: string;
  readonly #logger: SwiftLogger;
  /** The server's final answer, if it gave one instead of `100 Continue`. */
  readonly finalResponse: BackendResponse | undefined;
  /** Set once a write failed; the putter gets no more data. */
  failed = false;

  private constructor(
    app: ProxyApplication,
    node: Node,
    conn: HttpConnection,
    finalResponse: BackendResponse | undefined,
    meta: { path: string; logger: SwiftLogger },
  ) {
    this.#app = app;
    this.node = node;
    this.#conn = conn;
    this.finalResponse = finalResponse;
    this.#path = meta.path;
    this.#logger = meta.logger;
  }

  /** Putter.connect(): the head sent and the 100 (or a final answer) received. */
  static async connect(
    app: ProxyApplication,
    node: Node,
    init: { partition: number; path: string; headers: Headers; logger: SwiftLogger },
  ): Promise<Putter> {
    const started = performance.now();
    const outcome = await expectContinue({ host: node.ip, port: node.port }, {
      method: "PUT",
      path: backendPath(node, init.partition, init.path),
      headers: init.headers,
      connTimeout: app.settings.connTimeout,
      nodeTimeout: app.settings.nodeTimeout,
      pool: app.pool,
    });
    app.setNodeTiming(node, (performance.now() - started) / 1000);
    let final: BackendResponse | undefined;
    if (outcome.kind === "response") {
      const status = outcome.response.status;
      if (status >= 500) {
        outcome.response.cancel();
        outcome.connection.close();
        if (status === 507) throw new InsufficientStorage();
        throw new PutterConnectError(status);
      }
      final = outcome.response;
    }
    return new Putter(app, node, outcome.connection, final, {
      path: init.path,
      logger: init.logger,
    });
  }

  /** Whether the putter takes data: connected, no final answer yet, no failure. */
  get sending(): boolean {
    return !this.failed && this.finalResponse === undefined;
  }

  /** send_chunk(): forwards one chunk; a failure marks the putter failed and is logged. */
  async send(chunk: Uint8Array): Promise<void> {
    if (!this.sending || chunk.length === 0) return;
    try {
      await this.#conn.write(chunk);
    } catch (err) {
      this.#fail(err);
    }
  }

  /** end_of_object_data(): the last chunk of a chunked body (or the Content-Length check). */
  async end(): Promise<void> {
    if (!this.sending) return;
    try {
      await this.#conn.end();
    } catch (err) {
      this.#fail(err);
    }
  }

  /** await_response(): the final answer, within node_timeout. */
  async response(): Promise<BackendResponse> {
    if (this.finalResponse) return this.finalResponse;
    return await this.#conn.readResponse(this.#app.settings.nodeTimeout);
  }

  /** Drops the connection: an unfinished upload is abandoned, so no partial object is stored. */
  close(): void {
    if (this.#conn.busy) this.#conn.close();
  }

  #fail(err: unknown): void {
    this.failed = true;
    this.#conn.close();
    this.#app.errors.exception(
      this.node,
      "Object",
      `Trying to write to ${pyQuote(this.#path)}`,
      err,
      this.#logger,
    );
  }
}
