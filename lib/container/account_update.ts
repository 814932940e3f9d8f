/**
 * ContainerController.account_update(): after a container PUT or DELETE the container server
 * tells each account server named by X-Account-Host/-Device/-Partition about the container's
 * new state, one after the other, before answering. A failure is logged (the container
 * updater retries later); only when every account server answers 404 does the request get
 * a 404, so the proxy learns that the account does not exist.
 */
import type { SwiftLogger } from "../log/logger.ts";
import type { SwobRequest } from "../object/swob_request.ts";
import { pyQuote, pyTitle } from "../object/wsgi_text.ts";
import type { ContainerBroker } from "./broker.ts";

/** One PUT to an account server, as http_connect() sends it. */
export interface AccountUpdate {
  readonly ip: string;
  readonly port: string;
  readonly device: string;
  readonly partition: string;
  /** "/account/container", unquoted. */
  readonly path: string;
  /** Title-cased as Swift's HeaderKeyDict sends them. */
  readonly headers: Readonly<Record<string, string>>;
  /** Seconds for the connection plus the answer. */
  readonly timeout: number;
}

/** Sends one account update and resolves to the answer's status; throws when it cannot. */
export type AccountUpdateSender = (update: AccountUpdate) => Promise<number>;

/** PUT http://ip:port/quote(/device/partition/account/container) with the update headers. */
export const httpAccountUpdateSender: AccountUpdateSender = async (update) => {
  const host = update.ip.includes(":") && !update.ip.startsWith("[") ? `[${update.ip}]` : update.ip;
  const path = pyQuote(`/${update.device}/${update.partition}${update.path}`);
  const response = await fetch(`http://${host}:${update.port}${path}`, {
    method: "PUT",
    headers: update.headers,
    redirect: "manual",
    signal: AbortSignal.timeout(update.timeout * 1000),
  });
  await response.body?.cancel();
  return response.status;
};

/** What account_update() needs besides the request. */
export interface AccountUpdateContext {
  readonly send: AccountUpdateSender;
  readonly connTimeout: number;
  readonly nodeTimeout: number;
  readonly logger: SwiftLogger;
}

function split(header: string | undefined): string[] {
  return (header ?? "").split(",").map((part) => part.trim());
}

/**
 * account_update(): "bad request" when the host and device lists differ in length,
 * "not found" when every account server said 404, else undefined.
 */
export async function accountUpdate(
  ctx: AccountUpdateContext,
  req: SwobRequest,
  target: { account: string; container: string; broker: ContainerBroker },
): Promise<"bad request" | "not found" | undefined> {
  const hostsHeader = req.headers.get("X-Account-Host");
  const devicesHeader = req.headers.get("X-Account-Device");
  const hosts = split(hostsHeader);
  const devices = split(devicesHeader);
  const partition = req.headers.get("X-Account-Partition") ?? "";
  if (hosts.length !== devices.length) {
    ctx.logger.error(
      `ERROR Account update failed: different  numbers of hosts and devices in request: ` +
        `"${hostsHeader ?? ""}" vs "${devicesHeader ?? ""}"`,
    );
    return "bad request";
  }
  const updates = partition ? hosts.map((host, i) => [host, devices[i]] as const) : [];
  let notFound = 0;
  for (const [host, device] of updates) {
    const at = host.lastIndexOf(":");
    // Swift's rsplit(':', 1) unpacking fails outside its try block: a 500.
    if (at < 0) throw new TypeError(`Cannot update account server "${host}": it has no port`);
    const ip = host.slice(0, at);
    const port = host.slice(at + 1);
    const info = await target.broker.getInfo();
    const headers: Record<string, string> = {};
    const set = (name: string, value: unknown) => headers[pyTitle(name)] = String(value);
    set("x-put-timestamp", info.put_timestamp);
    set("x-delete-timestamp", info.delete_timestamp);
    set("x-object-count", info.object_count);
    set("x-bytes-used", info.bytes_used);
    set("x-trans-id", req.headers.get("x-trans-id") ?? "-");
    set("X-Backend-Storage-Policy-Index", info.storage_policy_index);
    set("user-agent", `container-server ${Deno.pid}`);
    set("referer", req.asReferer());
    if ((req.headers.get("x-account-override-deleted") ?? "no").toLowerCase() === "yes") {
      set("x-account-override-deleted", "yes");
    }
    const where = `${ip}:${port}/${device}`;
    try {
      const status = await ctx.send({
        ip,
        port,
        device,
        partition,
        path: `/${target.account}/${target.container}`,
        headers,
        timeout: ctx.connTimeout + ctx.nodeTimeout,
      });
      if (status === 404) notFound += 1;
      else if (status < 200 || status > 299) {
        ctx.logger.error(
          `ERROR Account update failed with ${where} (will retry later): Response ${status}`,
        );
      }
    } catch (err) {
      ctx.logger.exception(`ERROR account update failed with ${where} (will retry later)`, err);
    }
  }
  return updates.length && notFound === updates.length ? "not found" : undefined;
}
