/**
 * egg:swift#proxy_logging (swift/common/middleware/proxy_logging.py, Swift 2.30): one access
 * line per request, in log_msg_template's format, and its statsd metrics:
 *
 *   <type>.<METHOD>.<status>.timing / .xfer             (type: account, container, object,
 *   <type>.<METHOD>.<status>.first-byte.timing           or swift.source off the /v1 API)
 *   object.policy.<index>.<METHOD>.<status>.timing ...   (for an existing storage policy)
 *
 * prefixed with `log_statsd_metric_prefix.proxy-server.`. Methods outside
 * log_statsd_valid_http_methods count as BAD_METHOD.
 *
 * A request is logged once: the first proxy_logging it meets marks `swift.proxy_access_log_made`
 * in ctx.env, so in Swift's usual pipeline (proxy_logging twice) the left one logs client
 * requests and the right one the subrequests middleware makes with an env of their own (and a
 * swift.source). The line is written when the response body has been sent (status as sent),
 * when the client went away (499, also when reading the request body failed), or when the
 * body failed or did not match its Content-Length (500). Bytes are counted as they stream.
 *
 * Deliberately unlike Swift: a HEAD response's body is dropped rather than failing the
 * request with a 500 (Deno.serve would not send it anyway), and a downstream HttpError is
 * logged as the response it stands for.
 */
import { pythonInt } from "../common/constraints.ts";
import { clusterConstraints } from "../common/swift_conf.ts";
import { pyStrip } from "../config/ini.ts";
import { optionsOf, type StageConfig } from "../config/load.ts";
import { PROXY_LOGGING_FILTER } from "../config/options/proxy_logging.ts";
import type { TypedConfig } from "../config/options/option.ts";
import { createLogger, type SwiftLogger } from "../log/logger.ts";
import { createStatsdClient, type StatsdClient } from "../log/statsd.ts";
import type { RequestContext } from "../server/context.ts";
import { HttpError } from "../server/http_error.ts";
import type { BuildContext, Filter } from "./compose.ts";
import { type LogFields, LogTemplate } from "./proxy_logging/log_template.ts";
import { type BodyEnd, InputCounter, meter } from "./proxy_logging/metered_body.ts";
import { pyFixed } from "./proxy_logging/python_text.ts";
import {
  header,
  obscure,
  requestPath,
  requestPathQs,
  type RequestView,
  requestView,
  titleCase,
} from "./proxy_logging/request_view.ts";
import { registerSensitiveHeader, sensitiveNames } from "./proxy_logging/sensitive.ts";

/** What the filter does, from its options (and swift.conf's storage policies). */
export interface ProxyLoggingSettings {
  readonly template: LogTemplate;
  /** Log request headers in {headers}. */
  readonly logHeaders: boolean;
  /** Only these (title-cased) headers, when not empty. */
  readonly logHeadersOnly: readonly string[];
  /** Methods with metrics of their own. */
  readonly validMethods: readonly string[];
  readonly revealSensitivePrefix: number;
  /** POLICIES.get_by_index(index) is not None. */
  readonly policyExists: (index: string) => boolean;
  /** The {pid} field. */
  readonly pid: number;
  /** time.time(): seconds since the epoch. */
  readonly now: () => number;
}

/** Where lines and metrics go. */
export interface ProxyLoggingOutputs {
  readonly logger: SwiftLogger;
  readonly statsd?: StatsdClient;
}

const POLICY_HEADER = "X-Backend-Storage-Policy-Index";

/** Builds the proxy_logging filter (Swift's filter_factory) with its own access logger. */
export function proxyLoggingFilter(stage: StageConfig, build: BuildContext): Filter {
  const options = optionsOf(stage, PROXY_LOGGING_FILTER);
  const log = createLogger({
    name: options.access_log_name ?? options.log_name ?? "swift",
    facility: options.access_log_facility ?? options.log_facility,
    level: options.access_log_level ?? options.log_level,
    // Swift's access logger is built from access_log_* / log_* for these keys only.
    address: "/dev/log",
    udpHost: options.access_log_udp_host ?? options.log_udp_host,
    udpPort: options.access_log_udp_port ?? options.log_udp_port,
    maxLineLength: 0,
  });
  build.onClose(() => log.close());
  if (log.fallbackReason) build.logger.notice(`Access lines go to stderr: ${log.fallbackReason}`);
  const statsd = createStatsdClient(
    {
      log_statsd_host: options.access_log_statsd_host ?? options.log_statsd_host,
      log_statsd_port: options.access_log_statsd_port ?? options.log_statsd_port,
      log_statsd_metric_prefix: options.access_log_statsd_metric_prefix ??
        options.log_statsd_metric_prefix,
      log_statsd_default_sample_rate: options.access_log_statsd_default_sample_rate ??
        options.log_statsd_default_sample_rate,
      log_statsd_sample_rate_factor: options.access_log_statsd_sample_rate_factor ??
        options.log_statsd_sample_rate_factor,
    },
    "proxy-server",
    { logger: log.logger },
  );
  if (statsd) build.onClose(() => statsd.close());
  return proxyLoggingFilterWith(proxyLoggingSettings(options, clusterPolicies(options.swift_dir)), {
    logger: log.logger,
    statsd,
  });
}

/** The settings of parsed options; `policyExists` says which storage policies exist. */
export function proxyLoggingSettings(
  options: TypedConfig<typeof PROXY_LOGGING_FILTER.options>,
  policyExists: (index: string) => boolean,
): ProxyLoggingSettings {
  return {
    template: new LogTemplate(options.log_msg_template, {
      method: options.log_anonymization_method,
      salt: options.log_anonymization_salt,
    }),
    logHeaders: options.access_log_headers ?? options.log_headers,
    logHeadersOnly: options.access_log_headers_only.map(titleCase),
    validMethods: options.access_log_statsd_valid_http_methods ??
      options.log_statsd_valid_http_methods,
    revealSensitivePrefix: options.reveal_sensitive_prefix,
    policyExists,
    pid: Deno.pid,
    now: () => (performance.timeOrigin + performance.now()) / 1000,
  };
}

/** POLICIES.get_by_index() of swift_dir's swift.conf; without the file only policy 0 exists. */
function clusterPolicies(swiftDir: string): (index: string) => boolean {
  const { policies } = clusterConstraints(swiftDir);
  return (index) => policies.get(index) !== undefined;
}

/** Builds the proxy_logging filter from explicit settings and outputs. */
export function proxyLoggingFilterWith(
  settings: ProxyLoggingSettings,
  outputs: ProxyLoggingOutputs,
): Filter {
  // Auth middleware from other projects may read these, so proxy_logging registers them.
  registerSensitiveHeader("x-auth-token");
  registerSensitiveHeader("x-storage-token");
  const log = new AccessLog(settings, outputs);
  return (next) =>
    async function proxyLogging(req, ctx) {
      if (ctx.env["swift.proxy_access_log_made"]) return await next(req, ctx);
      ctx.env["swift.proxy_access_log_made"] = true;
      const input = new InputCounter();
      const counted = input.wrap(req);
      const start = settings.now();
      const view = () => requestView(counted, ctx.env, ctx.remoteAddr.hostname);
      let response: Response;
      try {
        response = await next(counted, ctx);
      } catch (err) {
        if (!(err instanceof HttpError)) {
          const status = input.clientDisconnect ? 499 : 500;
          log.request(view(), ctx, { status, received: input.bytesReceived, sent: 0, start });
          throw err;
        }
        response = err.toResponse(req.method);
      }
      const method = methodOf(view(), ctx);
      let contentLength = contentLengthOf(response.headers);
      if (method === "HEAD") {
        contentLength = 0;
        await response.body?.cancel();
        response = new Response(null, response);
      }
      const wire = response.status;
      const responseHeaders = response.headers;
      let ttfb = 0;
      return await meter(response, contentLength, {
        onStart: () => {
          if (method !== "GET") return;
          ttfb = settings.now() - start;
          log.firstByte(view(), ctx, wire, responseHeaders, ttfb);
        },
        onEnd: (end: BodyEnd, sent: number) => {
          let status = end === "client-disconnect" ? 499 : end === "error" ? 500 : wire;
          if (input.clientDisconnect) status = 499;
          log.request(view(), ctx, {
            status,
            received: input.bytesReceived,
            sent,
            start,
            responseHeaders,
            ttfb,
            wire,
          });
        },
      });
    };
}

/** The response's Content-Length as Swift's int() reads it. */
function contentLengthOf(headers: Headers): number | undefined {
  const text = headers.get("Content-Length");
  if (text === null) return undefined;
  const value = pythonInt(text);
  // int() raising fails the request before any line is written, as in Swift.
  if (value === undefined) throw new TypeError(`Invalid Content-Length "${text}"`);
  return Number(value);
}

/** method_from_req(): the method the client used, even when middleware changed it. */
function methodOf(view: RequestView, ctx: RequestContext): string {
  const original = ctx.env["swift.orig_req_method"];
  return typeof original === "string" ? original : view.method;
}

/** What log_request() gets besides the request. */
interface Outcome {
  readonly status: number;
  readonly received: number;
  readonly sent: number;
  readonly start: number;
  readonly responseHeaders?: Headers;
  readonly ttfb?: number;
  readonly wire?: number;
}

/** The line and metrics of finished requests. */
class AccessLog {
  readonly #settings: ProxyLoggingSettings;
  readonly #logger: SwiftLogger;
  readonly #statsd?: StatsdClient;

  constructor(settings: ProxyLoggingSettings, outputs: ProxyLoggingOutputs) {
    this.#settings = settings;
    this.#logger = outputs.logger;
    this.#statsd = outputs.statsd;
  }

  /** The first-byte timings of a GET, when its first chunk is ready. */
  firstByte(view: RequestView, ctx: RequestContext, wire: number, res: Headers, ttfb: number) {
    const method = methodOf(view, ctx);
    const policy = policyIndexOf(view, res);
    for (
      const name of [
        this.#metric(view, ctx, wire, method),
        this.#policyMetric(view, ctx, wire, method, policy),
      ]
    ) {
      if (name) this.#statsd?.timing(`${name}.first-byte.timing`, ttfb * 1000);
    }
  }

  /**
   * log_request(): the access line, then the timing and transfer metrics. It runs inside the
   * response stream, so a failure is logged rather than allowed to break the response.
   */
  request(view: RequestView, ctx: RequestContext, outcome: Outcome): void {
    try {
      this.#request(view, ctx, outcome);
    } catch (err) {
      this.#logger.exception("Cannot write the access line", err);
    }
  }

  #request(view: RequestView, ctx: RequestContext, outcome: Outcome): void {
    const settings = this.#settings;
    const end = settings.now();
    obscure(view, sensitiveNames(), settings.revealSensitivePrefix);
    const method = methodOf(view, ctx);
    const policy = policyIndexOf(view, outcome.responseHeaders);
    const swiftPath = backendPath(view, ctx);
    // split_path(path, 1, 4, True): ["v1", account, container, the rest as the object].
    const segs = swiftPath.startsWith("/v1/") ? swiftPath.split("/") : [];
    const [account, container] = [segs[2], segs[3]];
    const object = segs.length > 4 ? segs.slice(4).join("/") : undefined;
    const colon = view.host.lastIndexOf(":");
    const logInfo = ctx.env["swift.log_info"];
    const fields: LogFields = {
      end_time: end,
      start_time: outcome.start,
      client_ip: remoteClient(view),
      remote_addr: view.remoteAddr,
      domain: colon < 0 ? view.host : view.host.slice(0, colon),
      path: requestPathQs(view),
      referer: header(view, "Referer"),
      user_agent: header(view, "User-Agent"),
      headers: settings.logHeaders ? loggedHeaders(view, settings.logHeadersOnly) : undefined,
      client_etag: header(view, "Etag"),
      account,
      container,
      object,
      method,
      protocol: view.protocol,
      status_int: outcome.status,
      auth_token: header(view, "X-Auth-Token"),
      bytes_recvd: outcome.received,
      bytes_sent: outcome.sent,
      transaction_id: ctx.txnId ?? stringOf(ctx.env["swift.trans_id"]),
      request_time: pyFixed(end - outcome.start, 4),
      source: stringOf(ctx.env["swift.source"]),
      // ','.join() of the list (of a string's characters, were it a string).
      log_info: Array.isArray(logInfo) ? logInfo.join(",") : [...stringOf(logInfo) ?? ""].join(","),
      policy_index: policy,
      ttfb: outcome.ttfb ?? 0,
      pid: settings.pid,
      wire_status_int: outcome.wire ?? outcome.status,
    };
    const logger = ctx.txnId ? this.#logger.child({ txnId: ctx.txnId }) : this.#logger;
    logger.info(settings.template.format(fields));
    const metrics = [
      this.#metric(view, ctx, outcome.status, method),
      this.#policyMetric(view, ctx, outcome.status, method, policy),
    ];
    for (const name of metrics) {
      if (!name) continue;
      this.#statsd?.timing(`${name}.timing`, (end - outcome.start) * 1000);
      this.#statsd?.updateStats(`${name}.xfer`, outcome.received + outcome.sent);
    }
  }

  /** statsd_metric_name(): `<type>.<METHOD>.<status>`, or undefined for no metric. */
  #metric(view: RequestView, ctx: RequestContext, status: number, method: string) {
    const type = metricType(view, ctx);
    if (type === undefined) return undefined;
    return `${type}.${this.#method(method)}.${status}`;
  }

  /** statsd_metric_name_policy(): object requests of an existing policy only. */
  #policyMetric(
    view: RequestView,
    ctx: RequestContext,
    status: number,
    method: string,
    policy: string | undefined,
  ) {
    if (policy === undefined || metricType(view, ctx) !== "object") return undefined;
    if (!this.#settings.policyExists(policy)) return undefined;
    return `object.policy.${policy}.${this.#method(method)}.${status}`;
  }

  #method(method: string): string {
    return this.#settings.validMethods.includes(method) ? method : "BAD_METHOD";
  }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** swift.backend_path, else the request path. */
function backendPath(view: RequestView, ctx: RequestContext): string {
  return stringOf(ctx.env["swift.backend_path"]) ?? requestPath(view);
}

/** get_metric_name_type(): account/container/object by depth on /v1/, else swift.source. */
function metricType(view: RequestView, ctx: RequestContext): string | undefined {
  const path = backendPath(view, ctx);
  if (!path.startsWith("/v1/")) return stringOf(ctx.env["swift.source"]);
  const depth = path.replace(/^\/+|\/+$/g, "").split("/").length - 1;
  return depth === 0 ? undefined : (["account", "container", "object"][depth - 1] ?? "object");
}

/** get_policy_index(): the response's header, else the request's. */
function policyIndexOf(view: RequestView, res: Headers | undefined): string | undefined {
  return res?.get(POLICY_HEADER) ?? header(view, POLICY_HEADER);
}

/** get_remote_client(): X-Cluster-Client-Ip, the first X-Forwarded-For, or REMOTE_ADDR. */
function remoteClient(view: RequestView): string {
  const cluster = header(view, "X-Cluster-Client-Ip");
  if (cluster) return cluster;
  const forwarded = header(view, "X-Forwarded-For");
  const first = forwarded === undefined ? "" : pyStrip(forwarded.split(",")[0]);
  return first || view.remoteAddr;
}

/** The {headers} field: "Name: value" lines. */
function loggedHeaders(view: RequestView, only: readonly string[]): string {
  return view.headers.filter(([name]) => !only.length || only.includes(name))
    .map(([name, value]) => `${name}: ${value}`).join("\n");
}
