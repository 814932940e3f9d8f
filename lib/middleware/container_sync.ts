/**
 * egg:swift#container_sync (swift/common/middleware/container_sync.py, Swift 2.30): the proxy
 * side of container sync.
 *
 * - A request carrying `X-Container-Sync-Auth: <realm> <nonce> <sig>` (sent by another
 *   cluster's container-sync daemon) is let through without other auth when `sig` is the
 *   HMAC-SHA1 of the request under the realm's key (or key2) and the container's
 *   X-Container-Sync-Key; otherwise it gets 401. The outcome goes to `swift.log_info`
 *   (cs:valid, cs:invalid-sig, cs:not-3-args, cs:no-local-realm-key, cs:no-local-user-key).
 * - Container PUT/POST with X-Container-Sync-To is refused (400) on a container that has
 *   object versioning, and, with allow_full_urls = false, unless it is //realm/cluster/a/c.
 *   Realm, cluster and host checks of the value are the container server's
 *   (lib/container/sync_to.ts), as in Swift.
 * - /info shows the realms and clusters of container-sync-realms.conf, `current` marked.
 *
 * The contract through ctx.env: a valid signature sets `swift.authorize_override` (tempauth
 * then steps aside), `swift.slo_override` and `swift.symlink_override` (a synced manifest or
 * symlink is stored as it comes). The container's sync key and versioning come from
 * _info_lookup.ts (swift.source "CS"); X-Backend-Inbound-X-Timestamp, where gatekeeper moved
 * the client's X-Timestamp, becomes X-Timestamp again for a signed request.
 */
import { join } from "@std/path";
import { ContainerSyncRealms, containerSyncSig } from "../common/container_sync_realms.ts";
import { optionsOf, type StageConfig } from "../config/load.ts";
import { CONTAINER_SYNC_FILTER } from "../config/options/container_sync.ts";
import type { SwiftLogger } from "../log/logger.ts";
import { HttpError } from "../server/http_error.ts";
import { rawTarget, requestFor } from "../server/request_path.ts";
import type { BuildContext, Filter } from "./compose.ts";
import { containerInfo, pathInfo, splitPath, validApiVersion } from "./_info_lookup.ts";
import { wsgiQuote, wwwAuthenticate } from "./tempauth/swob.ts";

/** What the filter reads from its section. */
export interface ContainerSyncSettings {
  /** Path of container-sync-realms.conf. */
  readonly realmsConf: string;
  readonly allowFullUrls: boolean;
  /** The `current` option as written ("" when unset). */
  readonly current: string;
}

/** What containerSyncFilterWith() takes besides the settings. */
export interface ContainerSyncOptions {
  readonly logger?: Pick<SwiftLogger, "debug" | "error">;
  /** Seconds since the epoch, for the realms file's mtime checks. */
  readonly clock?: () => number;
  /**
   * Receives the /info section (register_swift_info('container_sync', ...)) when the filter
   * is built and again before each /info request passes, so /info shows realms as they are.
   */
  readonly publish?: (info: Record<string, unknown>) => void;
}

const NO_LOG = { debug: () => {}, error: () => {} };

const INVALID_AUTH =
  "X-Container-Sync-Auth header not valid; contact cluster operator for support.";

/** The settings of a [filter:container_sync] stage. */
export function containerSyncSettings(stage: StageConfig): ContainerSyncSettings {
  const o = optionsOf(stage, CONTAINER_SYNC_FILTER);
  return {
    realmsConf: join(o.swift_dir, "container-sync-realms.conf"),
    allowFullUrls: o.allow_full_urls,
    current: o.current,
  };
}

/** ContainerSync.__init__'s reading of `current`: [REALM, CLUSTER], or undefined. */
function currentOf(
  current: string,
  logger?: Pick<SwiftLogger, "error">,
): [string, string] | undefined {
  if (!current) return undefined;
  const parts = current.replace(/^\/+|\/+$/g, "").split("/");
  if (parts.length !== 2) {
    logger?.error(`Invalid current //REALM/CLUSTER (${current})`);
    return undefined;
  }
  return [parts[0].toUpperCase(), parts[1].toUpperCase()];
}

/**
 * register_info(): `{realms: {REALM: {clusters: {CLUSTER: {}}}}}` for each realm with
 * clusters, the `current` cluster marked `current: true`; from the realms a filter holds, or
 * read now for a [filter:container_sync] stage (what Swift registers when it builds one).
 */
export function containerSyncInfo(
  source: ContainerSyncRealms | StageConfig,
  current?: readonly [string, string],
  logger?: Pick<SwiftLogger, "debug" | "error">,
): Record<string, unknown> {
  let realms: ContainerSyncRealms;
  if (source instanceof ContainerSyncRealms) {
    realms = source;
  } else {
    const settings = containerSyncSettings(source);
    realms = new ContainerSyncRealms(settings.realmsConf, logger ?? NO_LOG);
    current = currentOf(settings.current, logger);
  }
  const dct: Record<string, { clusters: Record<string, Record<string, boolean>> }> = {};
  for (const realm of realms.realms()) {
    const clusters = realms.clusters(realm);
    if (clusters.length) {
      dct[realm] = { clusters: Object.fromEntries(clusters.map((c) => [c, {}])) };
    }
  }
  if (current) {
    const [realm, cluster] = current;
    const entry = dct[realm]?.clusters[cluster];
    if (entry) entry.current = true;
    else logger?.error(`Unknown current //REALM/CLUSTER (//${realm}/${cluster})`);
  }
  return { realms: dct };
}

/** streq_const_time(): equal strings, compared in time that depends only on the length. */
function streqConstTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let result = 0;
  for (let i = 0; i < a.length; i++) result |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return result === 0;
}

/** Builds the container_sync filter from its [filter:container_sync] stage. */
export function containerSyncFilter(
  stage: StageConfig,
  build: BuildContext,
  options: Omit<ContainerSyncOptions, "logger"> = {},
): Filter {
  return containerSyncFilterWith(containerSyncSettings(stage), {
    ...options,
    logger: build.logger,
  });
}

/** Builds the container_sync filter from settings already read. */
export function containerSyncFilterWith(
  settings: ContainerSyncSettings,
  options: ContainerSyncOptions = {},
): Filter {
  const { logger, publish } = options;
  const realms = new ContainerSyncRealms(settings.realmsConf, logger ?? NO_LOG, {
    clock: options.clock,
  });
  const current = currentOf(settings.current, logger);
  publish?.(containerSyncInfo(realms, current, logger));

  return (next) =>
    async function containerSync(req, ctx) {
      const path = pathInfo(req);
      if (wsgiQuote(path) === "/info") {
        publish?.(containerSyncInfo(realms, current, logger));
        return await next(req, ctx);
      }
      let version: string | undefined;
      let container: string | undefined;
      let obj: string | undefined;
      try {
        [version, , container, obj] = splitPath(path, 3, 4, true);
      } catch {
        return await next(req, ctx);
      }
      if (!validApiVersion(version)) return await next(req, ctx);

      const info = await containerInfo({ next, req, ctx, source: "CS" });
      const syncTo = req.headers.get("X-Container-Sync-To");
      if ((req.method === "PUT" || req.method === "POST") && container && !obj) {
        const versions = (info.sysmeta as Record<string, unknown> | undefined)
          ?.["versions-container"];
        if (syncTo && versions) {
          throw new HttpError(
            400,
            "Cannot configure container sync on a container with object versioning configured.",
          );
        }
      }
      if (!settings.allowFullUrls && syncTo && !syncTo.startsWith("//")) {
        throw new HttpError(
          400,
          "Full URLs are not allowed for X-Container-Sync-To values. Only realm values of the " +
            "format //realm/cluster/account/container are allowed.\n",
        );
      }
      const auth = req.headers.get("X-Container-Sync-Auth");
      if (!auth) return await next(req, ctx);

      const logInfo = (ctx.env["swift.log_info"] ??= []) as string[];
      let valid = false;
      let forwarded = req;
      // Python's str.split(): runs of whitespace, none at the ends.
      // deno-lint-ignore no-control-regex
      const words = auth.split(/[\t\n\v\f\r \x1c-\x1f\x85\xa0]+/).filter(Boolean);
      if (words.length !== 3) {
        logInfo.push("cs:not-3-args");
      } else {
        const [realm, nonce, sig] = words;
        const realmKey = realms.key(realm);
        const realmKey2 = realms.key2(realm);
        const userKey = info.sync_key as string | null | undefined;
        if (!realmKey) {
          logInfo.push("cs:no-local-realm-key");
        } else if (!userKey) {
          logInfo.push("cs:no-local-user-key");
        } else {
          const inbound = req.headers.get("X-Backend-Inbound-X-Timestamp");
          if (inbound !== null) {
            // Gatekeeper moved the sender's X-Timestamp aside; a sync request keeps it.
            const headers = new Headers(req.headers);
            headers.delete("X-Backend-Inbound-X-Timestamp");
            headers.set("X-Timestamp", inbound);
            const hasBody = req.body !== null;
            forwarded = requestFor(rawTarget(req), req, {
              method: req.method,
              headers,
              body: req.body,
              ...(hasBody ? { duplex: "half" } : {}),
            } as RequestInit);
          }
          const timestamp = forwarded.headers.get("X-Timestamp") ?? "0";
          const quoted = wsgiQuote(path);
          const expected = containerSyncSig(
            req.method,
            quoted,
            timestamp,
            nonce,
            realmKey,
            userKey,
          );
          const expected2 = realmKey2
            ? containerSyncSig(req.method, quoted, timestamp, nonce, realmKey2, userKey)
            : expected;
          if (!streqConstTime(sig, expected) && !streqConstTime(sig, expected2)) {
            logInfo.push("cs:invalid-sig");
          } else {
            logInfo.push("cs:valid");
            valid = true;
          }
        }
      }
      if (!valid) {
        throw new HttpError(401, INVALID_AUTH, {
          "Content-Type": "text/plain",
          "Www-Authenticate": `SwiftContainerSync ${wwwAuthenticate(path).replace(/^\S+\s+/, "")}`,
        });
      }
      ctx.env["swift.authorize_override"] = true;
      // A synced SLO manifest is already in its stored form and may arrive before its
      // segments; a synced symlink likewise: store them as they come.
      ctx.env["swift.slo_override"] = true;
      ctx.env["swift.symlink_override"] = true;
      return await next(forwarded, ctx);
    };
}
