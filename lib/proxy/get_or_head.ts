/**
 * Swift's GetOrHeadHandler (swift/proxy/controllers/base.py): asks the nodes of a partition in
 * turn until one has what the client wants, skipping 404s that handoffs and (once) primaries
 * give for data they never had, remembering the newest 404 so an older copy found later is
 * not served, and answering with the quorum of what the others said when none has it.
 */
import { Timestamp } from "../common/timestamp.ts";
import type { BackendResponse } from "../http/response.ts";
import { normalizeEtag } from "../object/conditional.ts";
import { defaultBody } from "../object/swob_status.ts";
import { readSmallBody, sendToNode } from "./backend.ts";
import type { ProxyCall } from "./call.ts";
import type { Node, NodeIter } from "./node_iter.ts";
import { type BackendAnswer, bestResponse, updateHeaders } from "./quorum.ts";
import { resumableBody } from "./resumable_body.ts";

/** One GET or HEAD to send to the nodes of a partition. */
export interface GetOrHeadRequest {
  /** "Account", "Container" or "Object". */
  readonly serverType: string;
  readonly nodes: NodeIter;
  readonly partition: number;
  /** The entity path (WSGI string). */
  readonly path: string;
  readonly query: string;
  /** Headers for every node; Range is rewritten when an object GET resumes. */
  readonly headers: Headers;
}

/** A node that answered with what was asked for. */
export interface Source {
  readonly response: BackendResponse;
  readonly node: Node;
}

/** source_key(): the timestamp a backend's answer describes. */
function sourceTimestamp(response: BackendResponse): Timestamp {
  const h = response.headers;
  return toTimestamp(
    h.get("X-Backend-Data-Timestamp") || h.get("X-Backend-Timestamp") ||
      h.get("X-Put-Timestamp") || h.get("X-Timestamp") || "0",
  );
}

function toTimestamp(value: string | null | undefined): Timestamp {
  try {
    return new Timestamp(value || 0, { checkBounds: false });
  } catch {
    return new Timestamp(0);
  }
}

/** The node walk of one GET or HEAD, and what it learned. */
export class GetOrHeadHandler {
  readonly call: ProxyCall;
  readonly request: GetOrHeadRequest;
  readonly newest: boolean;
  answers: BackendAnswer[] = [];
  #sources: Source[] = [];
  #usedNodes = new Set<Node>();
  #usedSourceEtag = "";
  #latest404 = new Timestamp(0);
  #missingSuppression: number;

  /** Prepares the walk; `newest` (X-Newest) asks every node and serves the newest copy. */
  constructor(call: ProxyCall, request: GetOrHeadRequest) {
    this.call = call;
    this.request = request;
    this.newest = ["true", "1", "yes", "on", "t", "y"].includes(
      (call.req.headers.get("X-Newest") ?? "f").toLowerCase(),
    );
    this.#missingSuppression = Math.min(
      call.app.settings.rebalanceMissingSuppressionCount,
      request.nodes.numPrimaryNodes - 1,
    );
  }

  /** _get_source_and_node(): the best source among the next nodes, or undefined. */
  async sourceAndNode(): Promise<Source | undefined> {
    this.answers = [];
    this.#sources = [];
    const { app } = this.call;
    const nodeTimeout = this.request.serverType === "Object" && !this.newest
      ? app.settings.recoverableNodeTimeout
      : app.settings.nodeTimeout;
    for (const node of this.request.nodes) {
      if (await this.#tryNode(node, nodeTimeout)) break;
    }
    let sources = this.#sources.filter((s) =>
      sourceTimestamp(s.response).greaterOrEqual(this.#latest404)
    );
    if (sources.length === 0) {
      for (const s of this.#sources) s.response.cancel();
      return undefined;
    }
    sources = sources.sort((a, b) =>
      sourceTimestamp(a.response).compare(sourceTimestamp(b.response))
    );
    const best = sources.pop()!;
    for (const s of this.#sources) if (s !== best) s.response.cancel();
    this.#usedNodes.add(best.node);
    this.#usedSourceEtag = normalizeEtag(best.response.headers.get("ETag") ?? "");
    return best;
  }

  /** _make_node_request(): true when `node` is a good enough source to stop looking. */
  async #tryNode(node: Node, nodeTimeout: number): Promise<boolean> {
    if (this.#usedNodes.has(node)) return false;
    const { app } = this.call;
    const logger = this.call.ctx.logger;
    const serverType = this.request.serverType;
    let response: BackendResponse;
    try {
      response = await sendToNode(app, node, {
        partition: this.request.partition,
        method: this.call.req.method,
        path: this.request.path,
        headers: this.request.headers,
        query: this.request.query,
        nodeTimeout,
      });
    } catch (err) {
      app.errors.exception(
        node,
        serverType,
        `Trying to ${this.call.req.method} ${this.call.req.path}`,
        err,
        logger,
      );
      return false;
    }
    const status = response.status;
    const good = (status >= 200 && status < 400) || (serverType === "Object" && status === 416);
    if (good) {
      if (!Number(response.headers.get("X-Put-Timestamp") ?? "1")) {
        // A database that exists but was never PUT (a replica being created): not there.
        this.answers.push({ status: 404, reason: "", headers: [], body: new Uint8Array() });
        response.cancel();
        return false;
      }
      const etag = normalizeEtag(response.headers.get("ETag") ?? "");
      if (this.#usedSourceEtag && this.#usedSourceEtag !== etag) {
        // Another version of the object: resuming from it would splice two versions.
        this.answers.push({ status: 404, reason: "", headers: [], body: new Uint8Array() });
        response.cancel();
        return false;
      }
      if (sourceTimestamp(response).greaterOrEqual(this.#latest404)) {
        this.answers.push({
          status,
          reason: response.reason,
          headers: [...response.headers],
          body: new Uint8Array(),
        });
        this.#sources.push({ response, node });
        return !this.newest;
      }
      response.cancel();
      return false;
    }
    const backendTimestamp = toTimestamp(response.headers.get("X-Backend-Timestamp"));
    if (
      node.handoff_index !== undefined && (status >= 500 || status === 404) &&
      !backendTimestamp.isNonZero()
    ) {
      // Handoffs have no say about data they never had.
      response.cancel();
      return false;
    }
    if (this.#missingSuppression > 0 && status === 404 && !backendTimestamp.isNonZero()) {
      this.#missingSuppression -= 1;
      response.cancel();
      return false;
    }
    const body = await readSmallBody(response);
    this.answers.push({ status, reason: response.reason, headers: [...response.headers], body });
    if (
      serverType === "Object" && status === 404 && backendTimestamp.greaterThan(this.#latest404)
    ) {
      this.#latest404 = backendTimestamp;
    }
    if (status === 507) {
      app.errors.limit(node, "ERROR Insufficient Storage", logger);
    } else if (status >= 500) {
      const text = new TextDecoder().decode(body.subarray(0, 1024));
      app.errors.occurred(node, `ERROR ${status} ${text} From ${serverType} Server`, logger);
    }
    return false;
  }

  /** get_working_response() or, without a source, best_response() of what the nodes said. */
  async response(): Promise<Response> {
    const { req } = this.call;
    const source = await this.sourceAndNode();
    if (source === undefined) {
      return bestResponse(req, this.answers, {
        serverType: `${this.request.serverType} ${req.method}`,
        logger: this.call.ctx.logger,
      });
    }
    const backend = source.response;
    const headers = new Headers({ "Content-Type": "text/html; charset=UTF-8" });
    updateHeaders(headers, backend.headers);
    headers.set("Accept-Ranges", "bytes");
    const length = backend.headers.get("Content-Length");
    if (length !== null) headers.set("Content-Length", length);
    const type = backend.headers.get("Content-Type");
    if (type) headers.set("Content-Type", type);
    const status = backend.status;
    if (req.method === "GET" && (status === 200 || status === 206)) {
      return new Response(resumableBody(this, source), { status, headers });
    }
    backend.cancel();
    const page = req.method === "GET" ? defaultBody(status) : "";
    if (page) headers.set("Content-Length", String(new TextEncoder().encode(page).length));
    return new Response(page || null, { status, headers });
  }
}
