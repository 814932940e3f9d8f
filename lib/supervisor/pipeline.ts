/**
 * Builds [pipeline:main] into one Handler, as loadapp() does: the app first, then each filter
 * from the right, each factory called once per process with its merged conf.
 */
import type { ServerConfig, StageConfig } from "../config/load.ts";
import { ConfigError } from "../config/errors.ts";
import type { SwiftLogger } from "../log/logger.ts";
import {
  type AppFactory,
  type BuildContext,
  compose,
  type Handler,
} from "../middleware/compose.ts";
import { FILTER_FACTORIES, FILTER_INFO } from "../middleware/registry.ts";
import { accountServerApp } from "../account/app.ts";
import { containerServerApp } from "../container/app.ts";
import { memObjectApp } from "../object/app.ts";
import { objectServerApp } from "../object/disk_app.ts";
import { proxyServerApp } from "../proxy/app.ts";
import { SWIFT_INFO } from "../common/swift_info.ts";

/** Every app factory, by Swift entry point name (lib/config/options/apps.ts has their options). */
export const APP_FACTORIES: Readonly<Record<string, AppFactory>> = {
  mem_object: memObjectApp,
  object: objectServerApp,
  container: containerServerApp,
  account: accountServerApp,
  proxy: proxyServerApp,
};

/** A built pipeline and how to release what its stages hold. */
export interface Pipeline {
  readonly handler: Handler;
  close(): Promise<void>;
}

/** Builds the pipeline of `config`; a stage that cannot be built fails with its section named. */
export function buildPipeline(config: ServerConfig, logger: SwiftLogger): Pipeline {
  const cleanups: (() => void | Promise<void>)[] = [];
  const build: BuildContext = {
    logger,
    server: config.server,
    onClose: (cleanup) => cleanups.push(cleanup),
  };
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const { filters, app, changes } = config.pipeline;
    for (const line of changes) logger.info(line);
    // /info shows what this pipeline's filters registered (Swift's register_swift_info()).
    for (const stage of filters) {
      const sections = FILTER_INFO[stage.entryPoint]?.(stage) ?? {};
      for (const [name, values] of Object.entries(sections)) {
        if (values) SWIFT_INFO.register(name, values);
      }
    }
    const handler = compose(
      filters.map((stage) => construct(stage, FILTER_FACTORIES[stage.entryPoint], build)),
      construct(app, APP_FACTORIES[app.entryPoint], build),
    );
    return { handler, close };
  } catch (err) {
    close().catch(() => {});
    throw err;
  }
}

function construct<T>(
  stage: StageConfig,
  factory: ((stage: StageConfig, build: BuildContext) => T) | undefined,
  build: BuildContext,
): T {
  const where = { ...stage.origin, section: stage.section ?? stage.origin.section };
  if (!factory) {
    throw new ConfigError(`names egg:swift#${stage.entryPoint}, which has no factory`, where);
  }
  try {
    return factory(stage, build);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(
      `cannot be built (egg:swift#${stage.entryPoint}): ${(err as Error).message}`,
      { section: stage.section, file: stage.origin.file },
    );
  }
}
