/**
 * One HTTP listener serving a pipeline: Swift's get_socket() + run_server() on Deno.serve.
 * Binding retries while the port is in use (bind_timeout), the listener gets TCP keepalive
 * (keep_idle), at most max_clients requests run at once (FIFO, waiting at most
 * client_timeout), Swift's request limits apply (the header count from swift.conf), a request
 * asking for keep-alive is answered `Connection: keep-alive` as eventlet does, and idle or
 * stalled clients are cut off after client_timeout. Any error a request raises becomes a
 * response; the worker lives on.
 *
 * Draining is swiftd's own: Deno's HttpServer.shutdown() breaks request bodies still being
 * read (an upload in flight fails), so drain() does what Swift does instead: it shuts the
 * listening socket down (new connections go to sibling listeners, or are refused), lets every
 * request in flight finish, answers requests arriving on open keep-alive connections with
 * `Connection: close`, and closes the remaining idle connections once none has unread data.
 */
import { clusterConstraints } from "../common/swift_conf.ts";
import type { TypedConfig } from "../config/options/option.ts";
import type { RUNTIME_OPTIONS } from "../config/options/runtime.ts";
import type { Handler } from "../middleware/compose.ts";
import type { SwiftLogger } from "../log/logger.ts";
import { withBodyTimeout } from "./body_timeout.ts";
import { newRequestContext, type RequestContext } from "./context.ts";
import { HttpError } from "./http_error.ts";
import { IdleReaper } from "./idle_reaper.ts";
import { withKeepAliveEcho } from "./keep_alive.ts";
import { checkRequestLimits } from "./limits.ts";
import { type Permit, Semaphore } from "./semaphore.ts";
import { setKeepalive, shutdownSocket } from "./socket_options.ts";
import { socketInodes, tcpSocketsOnPort, TcpState } from "./socket_table.ts";

/** Listener settings, from the runtime options. */
export interface ServeSettings {
  readonly bindIp: string;
  readonly bindPort: number;
  readonly backlog: number;
  /** Seconds to retry while the port is in use. */
  readonly bindTimeout: number;
  /** Seconds before TCP keepalive probes start. */
  readonly keepIdle: number;
  readonly maxClients: number;
  /** Seconds a client may stall; also the longest wait for a permit. */
  readonly clientTimeout: number;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Share the port with sibling workers (SO_REUSEPORT). */
  readonly reusePort: boolean;
  /** swift.conf's MAX_HEADER_COUNT, which sets how many header lines a request may have. */
  readonly maxHeaderCount: number;
}

/** A bound, serving listener. */
export interface RunningServer {
  readonly addr: Deno.NetAddr;
  readonly semaphore: Semaphore;
  /** Serves later requests with another pipeline (in-process reload). */
  setHandler(handler: Handler): void;
  /** Stops accepting and resolves when in-flight requests are answered. */
  drain(): Promise<void>;
  /** Closes the listener and every connection now. */
  close(): Promise<void>;
  /** Settles when the server has stopped. */
  readonly finished: Promise<void>;
}

/** Thrown when the listener cannot be bound (the message is the whole story). */
export class BindError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BindError";
  }
}

/** Binds `settings` and serves `handler` until drained or closed. */
export async function startServer(
  settings: ServeSettings,
  handler: Handler,
  logger: SwiftLogger,
): Promise<RunningServer> {
  const semaphore = new Semaphore(settings.maxClients);
  const reaper = new IdleReaper(settings.bindPort, settings.clientTimeout * 1000);
  const clientTimeoutMs = settings.clientTimeout * 1000;
  let current = handler;
  const abort = new AbortController();
  const drainStarted = Promise.withResolvers<void>();
  const tls = readTls(settings);

  let active = 0;
  let draining = false;
  const serveRequest = async (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => {
    const refused = checkRequestLimits(req, settings.maxHeaderCount);
    if (refused) return refused;
    active++;
    const key = reaper.begin(info.remoteAddr);
    // The permit is held until the response body has been sent, not just until the handler
    // returns (as `using` would do): a streamed GET is work in progress for max_clients.
    const state: { permit?: Permit; done: boolean } = { done: false };
    info.completed.catch(() => {}).finally(() => {
      state.done = true;
      state.permit?.release();
      reaper.end(key);
      active--;
    });
    try {
      state.permit = await semaphore.acquire(clientTimeoutMs);
    } catch {
      return busy(settings.clientTimeout);
    }
    if (state.done) state.permit.release();
    const ctx = newRequestContext(logger, info.remoteAddr);
    let response: Response;
    try {
      response = await current(withBodyTimeout(req, clientTimeoutMs), ctx);
    } catch (err) {
      response = lastResort(err, req, ctx);
    }
    return draining ? withConnectionClose(response) : withKeepAliveEcho(req, response);
  };

  // Another server of this process may listen on the same port (a reload in progress): its
  // socket is one we hold already. (Listing our descriptors is cheaper than the TCP table.)
  const before = socketInodes();
  const server = await bind(settings, tls, abort.signal, serveRequest);
  const listeners = configureListener(settings, before, logger);
  reaper.start();
  // Shutting the listener down ends Deno's accept loop with EINVAL; that is the point. The
  // server has stopped only when drain() or close() says so.
  const acceptLoopDone = server.finished.catch(() => {});
  const stopped = Promise.withResolvers<void>();
  const finished = stopped.promise.finally(() => reaper.stop());
  const drained = (async () => {
    await drainStarted.promise;
    draining = true;
    for (const fd of listeners) shutdownSocket(fd);
    // Done when no request is in flight and no open connection holds unread bytes (a request
    // that arrived but is not parsed yet); checked every 50 ms.
    while (active > 0 || hasUnreadRequests(settings.bindPort)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    abort.abort();
    await acceptLoopDone;
    stopped.resolve();
  })();
  return {
    addr: server.addr,
    semaphore,
    setHandler: (next) => {
      current = next;
    },
    drain: () => {
      drainStarted.resolve();
      return drained;
    },
    close: async () => {
      abort.abort();
      await acceptLoopDone;
      stopped.resolve();
      await finished;
    },
    finished,
  };
}

function listenersOn(port: number) {
  return tcpSocketsOnPort(port).filter((s) => s.state === TcpState.LISTEN);
}

/** Whether one of our connections on `port` has received bytes we have not read yet. */
function hasUnreadRequests(port: number): boolean {
  return tcpSocketsOnPort(port).some((s) => s.state === TcpState.ESTABLISHED && s.unread > 0);
}

/** The response with `Connection: close`, so a keep-alive client leaves a draining worker. */
function withConnectionClose(response: Response): Response {
  try {
    response.headers.set("Connection", "close");
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set("Connection", "close");
    return copy;
  }
}

function readTls(settings: ServeSettings): { cert: string; key: string } | undefined {
  if (!settings.certFile && !settings.keyFile) return undefined;
  if (!settings.certFile || !settings.keyFile) {
    throw new BindError("TLS needs both cert_file and key_file: only one of them is set");
  }
  const read = (path: string, key: string) => {
    try {
      return Deno.readTextFileSync(path);
    } catch (err) {
      throw new BindError(`Cannot read ${key} "${path}": ${(err as Error).message}`);
    }
  };
  return { cert: read(settings.certFile, "cert_file"), key: read(settings.keyFile, "key_file") };
}

/** Deno.serve with get_socket()'s retry loop: EADDRINUSE is retried every 0.1 s. */
async function bind(
  settings: ServeSettings,
  tls: { cert: string; key: string } | undefined,
  signal: AbortSignal,
  handler: Deno.ServeHandler<Deno.NetAddr>,
): Promise<Deno.HttpServer<Deno.NetAddr>> {
  const hostname = settings.bindIp.replace(/^\[(.*)\]$/, "$1");
  const where = `${settings.bindIp}:${settings.bindPort}`;
  const deadline = Date.now() + settings.bindTimeout * 1000;
  while (true) {
    try {
      return Deno.serve({
        hostname,
        port: settings.bindPort,
        reusePort: settings.reusePort,
        tcpBacklog: settings.backlog,
        signal,
        onListen: () => {},
        ...tls,
      }, handler);
    } catch (err) {
      if (err instanceof Deno.errors.AddrInUse) {
        if (Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          continue;
        }
        throw new BindError(
          `Could not bind to ${where} after trying for ${settings.bindTimeout} seconds`,
        );
      }
      if (err instanceof Deno.errors.PermissionDenied) {
        throw new BindError(
          `Cannot bind to ${where}: permission denied. Ports below 1024 need root, the ` +
            `CAP_NET_BIND_SERVICE capability, or a lower net.ipv4.ip_unprivileged_port_start`,
        );
      }
      if (err instanceof Deno.errors.AddrNotAvailable) {
        throw new BindError(`Cannot bind to ${where}: no interface of this host has that address`);
      }
      throw new BindError(`Cannot bind to ${where}: ${(err as Error).message}`);
    }
  }
}

/**
 * SO_KEEPALIVE + TCP_KEEPIDLE on our listening socket, as get_socket() sets them; returns the
 * listener's descriptors (drain() shuts them down).
 */
function configureListener(
  settings: ServeSettings,
  others: ReadonlySet<string>,
  logger: SwiftLogger,
): number[] {
  const listeners = listenersOn(settings.bindPort).filter((s) => !others.has(s.inode));
  const configured = listeners.filter((s) => setKeepalive(s.fd, settings.keepIdle));
  if (configured.length === 0) {
    logger.warning(
      `Could not enable TCP keepalive on port ${settings.bindPort}: dead clients will hold ` +
        `connections until client_timeout`,
    );
  }
  return listeners.map((s) => s.fd);
}

function busy(clientTimeout: number): Response {
  return new Response(`Server busy: no request slot freed within ${clientTimeout} seconds`, {
    status: 503,
    headers: { "Content-Type": "text/plain", "Retry-After": "1" },
  });
}

/** What a request gets when the pipeline let an error through (no catch_errors in it). */
function lastResort(err: unknown, req: Request, ctx: RequestContext): Response {
  if (err instanceof HttpError) return err.toResponse(req.method);
  ctx.logger.exception("Error: An error occurred", err);
  const headers: Record<string, string> = { "Content-Type": "text/plain" };
  if (ctx.txnId) {
    headers["X-Trans-Id"] = ctx.txnId;
    headers["X-Openstack-Request-Id"] = ctx.txnId;
  }
  return new Response(req.method === "HEAD" ? null : "An error occurred", {
    status: 500,
    headers,
  });
}

/**
 * ServeSettings from a server's runtime options; swift.conf in swift_dir gives the header count
 * limit (Swift's defaults without one).
 */
export function serveSettingsFrom(
  settings: TypedConfig<typeof RUNTIME_OPTIONS>,
  reusePort: boolean,
): ServeSettings {
  return {
    bindIp: settings.bind_ip,
    bindPort: settings.bind_port,
    backlog: settings.backlog,
    bindTimeout: settings.bind_timeout,
    keepIdle: settings.keep_idle,
    maxClients: settings.max_clients,
    clientTimeout: settings.client_timeout,
    certFile: settings.cert_file,
    keyFile: settings.key_file,
    reusePort,
    maxHeaderCount: clusterConstraints(settings.swift_dir).constraints.maxHeaderCount,
  };
}
