/**
 * Object PUT for replicated policies (BaseObjectController.PUT + ReplicatedObjectController
 * _store_object): connect to as many nodes as the ring has replicas (primaries, then
 * handoffs for those that refuse or fail) with `Expect: 100-continue`, stream the client's
 * body to all of them at the pace of the slowest (each chunk is written everywhere before the
 * next is read), then let a quorum of their answers decide. A client that disconnects or
 * stalls gets 499 or 408 and every backend connection is dropped mid-body, so no object
 * server commits a partial object.
 */
import { formatHttpDate } from "../../object/http_date.ts";
import { checkObjectCreation } from "../../object/constraints.ts";
import { swobResponse } from "../../object/swob_response.ts";
import { badRequest, SwobError } from "../../object/swob_status.ts";
import { HttpError } from "../../server/http_error.ts";
import { readSmallBody } from "../backend.ts";
import { authorize, ensureXTimestamp, type ProxyCall } from "../call.ts";
import type { Node } from "../node_iter.ts";
import { InsufficientStorage, Putter, PutterConnectError } from "../putter.ts";
import { type BackendAnswer, bestResponse, haveQuorum, quorumSize } from "../quorum.ts";
import type { Target } from "./base.ts";
import {
  configObjExpiration,
  nodesLocalFirst,
  objectBackendRequests,
  objectPlacement,
} from "./object.ts";

/** The PUT handler. */
export async function objectPut(call: ProxyCall, target: Target): Promise<Response> {
  const { req, app } = call;
  const ifNoneMatch = req.headers.get("If-None-Match");
  if (ifNoneMatch !== undefined && !ifNoneMatch.includes("*")) {
    // Sending an etag with If-None-Match is not supported by Swift either.
    throw badRequest("If-None-Match only supports *");
  }
  const { info, ring } = await objectPlacement(call, target);
  call.acl = (info.write_acl as string | null) ?? undefined;
  call.ctx.env["swift_sync_key"] = info.sync_key;
  const denied = await authorize(call);
  if (denied) return denied;
  if (!info.nodes) return swobResponse(req, { status: 404 });
  updateContentType(call);
  const timestamp = ensureXTimestamp(req);
  checkObjectCreation(req, target.object!, app.swiftConf.constraints);
  checkContentType(call);
  const deleteAt = configObjExpiration(call, target);
  const { part, nodes } = ring.getNodes(target.account, target.container!, target.object!);
  if (nodes.length === 0) return swobResponse(req, { status: 404 });
  const headers = objectBackendRequests(call, {
    outgoing: nodes.length,
    info,
    objectRing: ring,
    deleteAt,
  });
  const length = req.messageLength();
  for (const h of headers) {
    // RFC 9110 forbids 100-continue without a body, so an empty upload goes chunked.
    if (length !== undefined && length > 0) h.set("Content-Length", String(length));
    else h.set("Transfer-Encoding", "chunked");
  }
  const minConns = quorumSize(nodes.length);
  const nodeIter = nodesLocalFirst(call, ring, part);
  const putters = (await Promise.all(
    headers.map((h) =>
      connectPutNode(call, nodeIter, { partition: part, path: target.entityPath, headers: h })
    ),
  )).filter((p): p is Putter => p !== undefined);
  let answers: BackendAnswer[];
  let etags: Set<string>;
  try {
    checkFailurePutConnections(call, putters, minConns);
    await transferData(call, putters, minConns);
    ({ answers, etags } = await putResponses(call, putters, nodes.length));
  } finally {
    for (const putter of putters) putter.close();
  }
  if (etags.size > 1) {
    call.ctx.logger.error(`Object servers returned ${etags.size} mismatched etags`);
    return swobResponse(req, { status: 500 });
  }
  const response = bestResponse(req, answers, {
    serverType: "Object PUT",
    logger: call.ctx.logger,
    etag: etags.size === 1 ? [...etags][0] : undefined,
  });
  response.headers.set("Last-Modified", formatHttpDate(timestamp.ceil()));
  return response;
}

/** _update_content_type(): guessed from the name when absent or X-Detect-Content-Type. */
function updateContentType(call: ProxyCall): void {
  const { req } = call;
  const detect = ["true", "1", "yes", "on", "t", "y"].includes(
    (req.headers.get("X-Detect-Content-Type") ?? "").toLowerCase(),
  );
  if (detect || !req.headers.get("Content-Type")) {
    req.headers.set(
      "Content-Type",
      call.app.mimeTypes.guess(req.pathInfo) ?? "application/octet-stream",
    );
    if (detect) req.headers.delete("X-Detect-Content-Type");
  }
}

/** check_content_type(): swift_* Content-Type parameters are reserved for Swift. */
function checkContentType(call: ProxyCall): void {
  if (call.ctx.env["swift.content_type_overridden"]) return;
  const type = call.req.headers.get("Content-Type") ?? "";
  if (!type.includes(";")) return;
  for (const param of type.split(";").slice(1)) {
    if (param.trimStart().startsWith("swift_")) {
      throw new SwobError(400, {
        body: "Invalid Content-Type, swift_* is not a valid parameter name.",
      });
    }
  }
}

/** _connect_put_node(): the first node of the shared iterator that accepts the upload. */
async function connectPutNode(
  call: ProxyCall,
  nodes: Iterator<Node>,
  init: { partition: number; path: string; headers: Headers },
): Promise<Putter | undefined> {
  const { app } = call;
  const logger = call.ctx.logger;
  for (let next = nodes.next(); !next.done; next = nodes.next()) {
    const node = next.value;
    try {
      return await Putter.connect(app, node, { ...init, logger });
    } catch (err) {
      if (err instanceof InsufficientStorage) {
        app.errors.limit(node, "ERROR Insufficient Storage", logger);
      } else if (err instanceof PutterConnectError) {
        app.errors.occurred(
          node,
          `ERROR ${err.status} Expect: 100-continue From Object Server`,
          logger,
        );
      } else {
        app.errors.exception(
          node,
          "Object",
          `Expect: 100-continue on ${call.req.path}`,
          err,
          logger,
        );
      }
    }
  }
  return undefined;
}

/** _check_failure_put_connections(). */
function checkFailurePutConnections(call: ProxyCall, putters: Putter[], minConns: number): void {
  const statuses = putters.flatMap((p) => p.finalResponse ? [p.finalResponse.status] : []);
  if ((call.req.headers.get("If-None-Match") ?? "").includes("*") && statuses.includes(412)) {
    // Some node has the object already.
    throw new SwobError(412);
  }
  if (statuses.includes(409)) {
    call.ctx.logger.debug(
      `Object PUT returning 202 for 409: ${call.req.headers.get("X-Timestamp")}`,
    );
    throw new SwobError(202);
  }
  checkMinConn(call, putters.length, minConns);
}

function checkMinConn(call: ProxyCall, conns: number, minConns: number, what?: string): void {
  if (conns >= minConns) return;
  call.ctx.logger.error(
    `${what ?? "Object PUT returning 503"}, ${conns}/${minConns} required connections`,
  );
  throw new SwobError(503);
}

/** _transfer_data(): the client's body to every putter, checking size and the quorum. */
async function transferData(call: ProxyCall, putters: Putter[], minConns: number): Promise<void> {
  const { req, app } = call;
  const logger = call.ctx.logger;
  const maxFileSize = app.swiftConf.constraints.maxFileSize;
  const reader = req.raw.body?.getReader();
  let transferred = 0;
  try {
    while (reader) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (err instanceof HttpError && err.status === 408) {
          logger.warning(`ERROR Client read timeout (${app.settings.clientTimeout}s)`);
          throw new SwobError(408);
        }
        logger.warning("Client disconnected without sending last chunk");
        throw new SwobError(499);
      }
      if (chunk.done) break;
      transferred += chunk.value.length;
      if (transferred > maxFileSize) throw new SwobError(413);
      await Promise.all(putters.map((p) => p.send(chunk.value)));
      checkMinConn(
        call,
        putters.filter((p) => !p.failed).length,
        minConns,
        "Object PUT exceptions during send",
      );
    }
  } catch (err) {
    reader?.cancel().catch(() => {});
    throw err;
  }
  const length = req.messageLength();
  if (length && transferred < length) {
    logger.warning("Client disconnected without sending enough data");
    throw new SwobError(499);
  }
  await Promise.all(putters.map((p) => p.end()));
  checkMinConn(
    call,
    putters.filter((p) => !p.failed).length,
    minConns,
    "Object PUT exceptions after last send",
  );
}

/** _get_put_responses(): the putters' answers until a quorum agrees, then post_quorum_timeout. */
async function putResponses(
  call: ProxyCall,
  putters: Putter[],
  nodeCount: number,
): Promise<{ answers: BackendAnswer[]; etags: Set<string> }> {
  const { app, req } = call;
  const logger = call.ctx.logger;
  const answers: BackendAnswer[] = [];
  const etags = new Set<string>();
  let open = true;
  const handle = (putter: Putter, answer: BackendAnswer, etag: string | null) => {
    answers.push(answer);
    if (answer.status === 507) {
      putter.failed = true;
      app.errors.limit(putter.node, "ERROR Insufficient Storage", logger);
    } else if (answer.status >= 500) {
      putter.failed = true;
      const body = new TextDecoder().decode(answer.body.subarray(0, 1024));
      app.errors.occurred(
        putter.node,
        `ERROR ${answer.status} ${body} From Object Server re: ${req.path}`,
        logger,
      );
    } else if (answer.status >= 200 && answer.status < 300) {
      etags.add((etag ?? "").replace(/^"(.*)"$/, "$1"));
    }
  };
  const { promise: decided, resolve: decide } = Promise.withResolvers<void>();
  const active = putters.filter((p) => !p.failed);
  let pending = active.length;
  if (pending === 0) decide();
  const tasks = active.map(async (putter) => {
    try {
      const response = await putter.response();
      const body = await readSmallBody(response);
      if (open) {
        handle(putter, {
          status: response.status,
          reason: response.reason,
          headers: [...response.headers],
          body,
        }, response.headers.get("ETag"));
        if (haveQuorum(answers.map((a) => a.status), nodeCount)) decide();
      }
    } catch (err) {
      putter.failed = true;
      app.errors.exception(
        putter.node,
        "Object",
        `Trying to get final status of PUT to ${req.path}`,
        err,
        logger,
      );
    } finally {
      if (--pending === 0) decide();
    }
  });
  await decided;
  if (pending > 0) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const all = Promise.all(tasks);
    await Promise.race([
      all,
      new Promise((resolve) => timer = setTimeout(resolve, app.settings.postQuorumTimeout * 1000)),
    ]);
    clearTimeout(timer);
    app.track(all);
  }
  open = false;
  const out = [...answers];
  while (out.length < nodeCount) {
    out.push({ status: 503, reason: "", headers: [], body: new Uint8Array() });
  }
  return { answers: out, etags };
}
