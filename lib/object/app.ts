/**
 * egg:swift#mem_object: Swift's in-memory object server (swift/obj/mem_server.py), the object
 * controller over MemBackend. Objects live as long as the worker; each worker has its own.
 */
import { optionsOf } from "../config/load.ts";
import { MEM_OBJECT_APP } from "../config/options/apps.ts";
import type { AppFactory, BuildContext, Handler } from "../middleware/compose.ts";
import type { ObjectBackend } from "./backend.ts";
import { ContainerUpdater } from "./container_update.ts";
import { MemBackend } from "./mem_backend.ts";
import { objectServer } from "./server.ts";
import { type ObjectServerSettings, objectServerSettings } from "./settings.ts";

/** The object controller over `backend`, as every object app factory builds it. */
export function buildObjectApp(
  settings: ObjectServerSettings,
  backend: ObjectBackend,
  build: BuildContext,
): Handler {
  const updater = new ContainerUpdater(backend, settings.updates);
  // Container updates still running when the worker stops get their chance to finish.
  build.onClose(() => updater.drain());
  return objectServer(settings, { backend, updater });
}

/** Builds the in-memory object server of a pipeline. */
export const memObjectApp: AppFactory = (stage, build) => {
  const settings = objectServerSettings(optionsOf(stage, MEM_OBJECT_APP));
  return buildObjectApp(settings, new MemBackend(), build);
};
