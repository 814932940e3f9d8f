/**
 * egg:swift#versioned_writes (swift/common/middleware/versioned_writes/, Swift 2.30): one
 * entry point for both versioning APIs, stacked as Swift stacks them: the legacy
 * X-Versions-Location / X-History-Location handler (versioned_writes/legacy.ts) in front of
 * object versioning (X-Versions-Enabled, versioned_writes/object_versioning.ts) when
 * allow_object_versioning is on. Object versioning stores each version's data under a
 * reserved name and a static symlink under the object's name, so it needs the symlink filter
 * later in the pipeline; building it without one fails as Swift's does.
 */
import { optionsOf, type StageConfig } from "../config/load.ts";
import { VERSIONED_WRITES_FILTER } from "../config/options/versioned_writes.ts";
import { SWIFT_INFO } from "../common/swift_info.ts";
import { splitPath } from "../object/request_path.ts";
import { SwobError } from "../object/swob_status.ts";
import type { BuildContext, Filter, Handler } from "./compose.ts";
import { errorResponseFor } from "./segments/swob.ts";
import { RaisedResponse, WsgiRequest } from "./symlink/wsgi.ts";
import {
  type ClusterSettings,
  clusterSettings,
  type Versioning,
} from "./versioned_writes/common.ts";
import {
  CLIENT_HISTORY_LOC,
  CLIENT_VERSIONS_LOC,
  legacyVersioning,
} from "./versioned_writes/legacy.ts";
import { objectVersioning } from "./versioned_writes/object_versioning.ts";

/** What the versioned_writes filter needs to know. */
export interface VersionedWritesSettings extends ClusterSettings {
  /** allow_versioned_writes as written (Swift tests the raw value, then its truth). */
  readonly allowVersionedWrites?: string;
  readonly allowObjectVersioning: boolean;
  /** time.time() (tests inject a fixed one). */
  readonly now?: () => number;
}

function isTrue(value: string | undefined): boolean {
  return typeof value === "string" &&
    ["true", "1", "yes", "on", "t", "y"].includes(value.toLowerCase());
}

/** The /info sections Swift registers: versioned_writes and object_versioning when enabled. */
export function versionedWritesInfo(
  options: { allow_versioned_writes?: string; allow_object_versioning: boolean },
): Record<string, Record<string, unknown> | undefined> {
  return {
    versioned_writes: isTrue(options.allow_versioned_writes)
      ? { allowed_flags: [CLIENT_VERSIONS_LOC, CLIENT_HISTORY_LOC] }
      : undefined,
    object_versioning: options.allow_object_versioning ? {} : undefined,
  };
}

/** Builds the versioned_writes filter (Swift's filter_factory). */
export function versionedWritesFilter(stage: StageConfig, _build?: BuildContext): Filter {
  const options = optionsOf(stage, VERSIONED_WRITES_FILTER);
  if (options.allow_object_versioning && !("symlink" in SWIFT_INFO.get())) {
    throw new Error("object versioning requires symlinks");
  }
  return versionedWritesFilterWith({
    ...clusterSettings(options.swift_dir),
    allowVersionedWrites: options.allow_versioned_writes,
    allowObjectVersioning: options.allow_object_versioning,
  });
}

/** Answers what a versioning handler raised, as Swift's HTTPException handlers do. */
async function answering(req: Request, work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof SwobError) return errorResponseFor(req, err);
    if (err instanceof RaisedResponse) return err.response;
    throw err;
  }
}

/** Builds the versioned_writes filter from explicit settings. */
export function versionedWritesFilterWith(settings: VersionedWritesSettings): Filter {
  const now = settings.now ?? (() => Date.now() / 1000);
  return (next) => {
    const objectVersioned: Handler = !settings.allowObjectVersioning
      ? next
      : (req, ctx) =>
        answering(req, async () => {
          const wsgi = WsgiRequest.of(req, ctx);
          return await objectVersioning(wsgi, { ...settings, now, next }) ?? await wsgi.send(next);
        });
    const v: Versioning = { ...settings, now, next: objectVersioned };
    return async function versionedWrites(req, ctx) {
      const wsgi = WsgiRequest.of(req, ctx);
      let names: (string | undefined)[];
      try {
        names = splitPath(wsgi.pathInfo, 3, 4, true);
      } catch {
        return await objectVersioned(req, ctx);
      }
      return await answering(
        req,
        () => legacyVersioning(wsgi, v, names, settings.allowVersionedWrites),
      );
    };
  };
}
