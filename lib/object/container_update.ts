/**
 * Container updates (swift/obj/server.py container_update, delete_at_update, async_update):
 * after a PUT, POST or DELETE the object server tells the container servers named by the
 * X-Container-Host/-Device/-Partition headers, and the expirer queue named by X-Delete-At-*,
 * waiting at most container_update_timeout; an update that fails is kept by the backend
 * (saveAsyncUpdate, Swift's async_pending) for the object-updater to retry.
 */
import { Timestamp } from "../common/timestamp.ts";
import type { SwiftLogger } from "../log/logger.ts";
import { hashPath, type HashPathConfig } from "../ring/hash_path.ts";
import type { ObjectBackend, ObjectLocation } from "./backend.ts";
import { normalizeDeleteAt } from "./constraints.ts";
import { splitPath } from "./request_path.ts";
import type { SwobRequest } from "./swob_request.ts";
import { isTrue, pyQuote, pyTitle, pyUnquote } from "./wsgi_text.ts";

/** Headers keyed as Swift's HeaderKeyDict keys them (title case). */
export type HeaderDict = Record<string, string>;

/** Sets `name` in a HeaderKeyDict-like record. */
export function setHeader(headers: HeaderDict, name: string, value: string): void {
  headers[pyTitle(name)] = value;
}

/** One request to a container server, as http_connect() sends it. */
export interface UpdateRequest {
  /** "ip:port" of X-Container-Host (IPv6 as "[::1]:6201" or "::1:6201"). */
  readonly host: string;
  readonly device: string;
  readonly partition: string;
  readonly op: "PUT" | "DELETE";
  /** "/account/container/object", unquoted. */
  readonly path: string;
  readonly headers: Readonly<HeaderDict>;
  /** Seconds to wait for the connection and the answer. */
  readonly timeout: number;
}

/** What a container server answered. */
export interface UpdateAnswer {
  readonly status: number;
  readonly headers: Headers;
}

/** Sends one container update; the default speaks HTTP, tests may answer in-process. */
export type UpdateSender = (update: UpdateRequest) => Promise<UpdateAnswer>;

/** The ip and port of "host:port" (rsplit(':', 1)), IPv6 literals bracketed for a URL. */
function splitHost(host: string): [string, string] {
  const at = host.lastIndexOf(":");
  const ip = host.slice(0, at);
  return [ip.includes(":") && !ip.startsWith("[") ? `[${ip}]` : ip, host.slice(at + 1)];
}

/** http_connect(): PUT/DELETE http://ip:port/quote(/device/partition/path). */
export const httpUpdateSender: UpdateSender = async (update) => {
  const [ip, port] = splitHost(update.host);
  const path = pyQuote(`/${update.device}/${update.partition}${update.path}`);
  const response = await fetch(`http://${ip}:${port}${path}`, {
    method: update.op,
    headers: update.headers,
    redirect: "manual",
    signal: AbortSignal.timeout(update.timeout * 1000),
  });
  await response.body?.cancel();
  return { status: response.status, headers: response.headers };
};

/** The settings of the updates (the object server's options). */
export interface ContainerUpdateSettings {
  readonly connTimeout: number;
  readonly nodeTimeout: number;
  readonly containerUpdateTimeout: number;
  /** The expirer queue's account: auto_create_account_prefix + expiring_objects_account_name. */
  readonly expiringObjectsAccount: string;
  readonly expiringObjectsContainerDivisor: number;
  /** swift.conf [swift-hash], for the expirer queue container of a DELETE. */
  readonly hashPath: HashPathConfig;
}

/** get_expirer_container(): the queue container of a delete-at time for a/c/o. */
export function expirerContainer(
  deleteAt: number,
  divisor: number,
  location: Pick<ObjectLocation, "account" | "container" | "object">,
  hashPathConfig: HashPathConfig,
): string {
  const hex = hashPath(location.account, location.container, location.object, hashPathConfig);
  const shard = Number(BigInt(`0x${hex}`) % 100n);
  return normalizeDeleteAt(Math.floor(deleteAt / divisor) * divisor - shard);
}

/** get_redirect_data(): the account/container a 301 names, or undefined without Location. */
function redirectPath(headers: Headers): string | undefined {
  const location = headers.get("Location");
  if (location === null) return undefined;
  // urlparse(location).path: what follows scheme://netloc, without ?query or #fragment.
  let path = location.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, "").replace(/[?#].*$/, "");
  if (isTrue(headers.get("X-Backend-Location-Is-Quoted") ?? "false")) path = pyUnquote(path);
  const [account, container] = splitPath(path, 2, 3, true);
  const value = headers.get("X-Backend-Redirect-Timestamp");
  try {
    new Timestamp(value ?? "");
  } catch {
    throw new RangeError(`Invalid timestamp value: ${value ?? "None"}`);
  }
  return `${account}/${container}`;
}

/** One container_update() or delete_at_update() call's inputs. */
interface AsyncUpdateArgs {
  readonly op: "PUT" | "DELETE";
  readonly account: string;
  readonly container: string;
  readonly object: string;
  readonly host?: string;
  readonly partition?: string;
  readonly device?: string;
  readonly headers: HeaderDict;
  readonly location: ObjectLocation;
  readonly containerPath?: string;
}

/** Sends container and expirer-queue updates for one object server. */
export class ContainerUpdater {
  readonly #backend: ObjectBackend;
  readonly #settings: ContainerUpdateSettings;
  readonly #send: UpdateSender;
  readonly #pending = new Set<Promise<void>>();

  constructor(
    backend: ObjectBackend,
    settings: ContainerUpdateSettings,
    send: UpdateSender = httpUpdateSender,
  ) {
    this.#backend = backend;
    this.#settings = settings;
    this.#send = send;
  }

  /** Waits for updates still running after their request was answered. */
  async drain(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  /** async_update(): sends one update, or saves it as async_pending when that fails. */
  async asyncUpdate(args: AsyncUpdateArgs, logger: SwiftLogger): Promise<void> {
    setHeader(args.headers, "user-agent", `object-server ${Deno.pid}`);
    let containerPath = args.containerPath;
    const path = containerPath
      ? `/${containerPath}/${args.object}`
      : `/${args.account}/${args.container}/${args.object}`;
    let redirect: string | undefined;
    if (args.host && args.partition && args.device) {
      const where = `${args.host}/${args.device}`;
      try {
        const answer = await this.#send({
          host: args.host,
          device: args.device,
          partition: args.partition,
          op: args.op,
          path,
          headers: { ...args.headers },
          timeout: this.#settings.connTimeout + this.#settings.nodeTimeout,
        });
        if (answer.status >= 200 && answer.status < 300) return;
        if (answer.status === 301) {
          try {
            redirect = redirectPath(answer.headers);
          } catch (err) {
            logger.error(
              `Container update failed for '${args.object}'; problem with redirect location: ` +
                (err as Error).message,
            );
          }
        } else {
          logger.error(
            `ERROR Container update failed (saving for async update later): ${answer.status} ` +
              `response from ${where}`,
          );
        }
      } catch (err) {
        logger.exception(
          `ERROR container update failed with ${where} (saving for async update later)`,
          err,
        );
      }
    }
    if (redirect) {
      logger.debug(`Update to ${path} redirected to ${redirect}`);
      containerPath = redirect;
    }
    await this.#backend.saveAsyncUpdate({
      op: args.op,
      account: args.account,
      container: args.container,
      object: args.object,
      headers: { ...args.headers },
      containerPath,
      timestamp: args.headers["X-Meta-Timestamp"] ?? args.headers["X-Timestamp"],
      device: args.location.device,
      policyIndex: args.location.policyIndex,
    });
  }

  /** container_update(): updates every container replica named by the request. */
  async containerUpdate(
    op: "PUT" | "DELETE",
    location: ObjectLocation,
    req: SwobRequest,
    headersOut: HeaderDict,
    logger: SwiftLogger,
  ): Promise<void> {
    const hostsHeader = req.headers.get("X-Container-Host") ?? "";
    const devicesHeader = req.headers.get("X-Container-Device") ?? "";
    const hosts = hostsHeader.split(",").map((h) => h.trim());
    const devices = devicesHeader.split(",").map((d) => d.trim());
    const partition = req.headers.get("X-Container-Partition") ?? "";
    if (hosts.length !== devices.length) {
      logger.error(
        `ERROR Container update failed: different numbers of hosts and devices in request: ` +
          `"${hostsHeader}" vs "${devicesHeader}"`,
      );
      return;
    }
    const quoted = req.headers.get("X-Backend-Quoted-Container-Path");
    let containerPath = quoted ? pyUnquote(quoted) : req.headers.get("X-Backend-Container-Path");
    if (containerPath) {
      try {
        splitPath(`/${containerPath}`, 2, 2);
      } catch {
        logger.error(
          `Invalid X-Backend-Container-Path, should be of the form 'account/container' but ` +
            `got '${containerPath}'.`,
        );
        containerPath = undefined;
      }
    }
    const updates = partition ? hosts.map((host, i) => [host, devices[i]] as const) : [];
    setHeader(headersOut, "x-trans-id", req.headers.get("x-trans-id") ?? "-");
    setHeader(headersOut, "referer", req.asReferer());
    setHeader(headersOut, "X-Backend-Storage-Policy-Index", String(location.policyIndex));
    const running = updates.map(([host, device]) =>
      this.#track(this.asyncUpdate({
        op,
        account: location.account,
        container: location.container,
        object: location.object,
        host,
        partition,
        device,
        headers: headersOut,
        location,
        containerPath,
      }, logger))
    );
    if (!running.length) return;
    // Wait a little so a listing right after the response likely shows the change; one slow
    // container server must not hold the request longer than container_update_timeout.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.#settings.containerUpdateTimeout * 1000);
    });
    const outcome = await Promise.race([Promise.all(running), timeout]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      logger.debug(
        `Container update timeout (${this.#settings.containerUpdateTimeout.toFixed(4)}s) ` +
          `waiting for ${JSON.stringify(updates)}`,
      );
    }
  }

  /** delete_at_update(): adds or removes the object in the expirer queue. */
  async deleteAtUpdate(
    op: "PUT" | "DELETE",
    deleteAt: number,
    location: ObjectLocation,
    req: SwobRequest,
    logger: SwiftLogger,
  ): Promise<void> {
    if (isTrue(req.headers.get("x-backend-replication") ?? "f")) return;
    const normalized = normalizeDeleteAt(deleteAt);
    let updates: [string | undefined, string | undefined][] = [[undefined, undefined]];
    let partition: string | undefined;
    const headersOut: HeaderDict = {};
    setHeader(headersOut, "X-Backend-Storage-Policy-Index", "0");
    setHeader(headersOut, "x-timestamp", req.timestamp.internal);
    setHeader(headersOut, "x-trans-id", req.headers.get("x-trans-id") ?? "-");
    setHeader(headersOut, "referer", req.asReferer());
    let container: string;
    const guess = () =>
      expirerContainer(
        Number(normalized),
        this.#settings.expiringObjectsContainerDivisor,
        location,
        this.#settings.hashPath,
      );
    if (op !== "DELETE") {
      const hosts = req.headers.get("X-Delete-At-Host");
      // Without the header, enough other object servers send the update.
      if (hosts === undefined) return;
      const named = req.headers.get("X-Delete-At-Container");
      if (named) {
        container = named;
      } else {
        logger.warning(
          `X-Delete-At-Container header must be specified for expiring objects background ` +
            `${op} to work properly. Making best guess as to the container name for now.`,
        );
        container = guess();
      }
      partition = req.headers.get("X-Delete-At-Partition");
      const devices = (req.headers.get("X-Delete-At-Device") ?? "").split(",").map((d) => d.trim());
      const pairs = hosts.split(",").map((h, i) => [h.trim(), devices[i]] as const);
      const usable = pairs.filter(([h, d]) => h && d && partition);
      updates = usable.length ? usable.map(([h, d]) => [h, d]) : [[undefined, undefined]];
      setHeader(headersOut, "x-size", "0");
      setHeader(headersOut, "x-content-type", "text/plain");
      setHeader(headersOut, "x-etag", "d41d8cd98f00b204e9800998ecf8427e");
    } else {
      if (!isTrue(req.headers.get("X-Backend-Clean-Expiring-Object-Queue") ?? "t")) return;
      // The queue container the PUT used is unknown here, so it is guessed, as Swift does.
      container = guess();
    }
    container = normalizeDeleteAt(Number(container));
    const task = `${normalizeDeleteAt(new Timestamp(normalized).timestamp)}-` +
      `${location.account}/${location.container}/${location.object}`;
    for (const [host, device] of updates) {
      await this.asyncUpdate({
        op,
        account: this.#settings.expiringObjectsAccount,
        container,
        object: task,
        host,
        partition,
        device,
        headers: headersOut,
        location,
      }, logger);
    }
  }

  #track(update: Promise<void>): Promise<void> {
    const tracked = update.catch(() => {}).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
    return tracked;
  }
}
