/** What the bulk filter is configured with (Bulk.__init__'s attributes). */
import type { Clock } from "../segments/rate_limit.ts";

/** The bulk filter's settings. */
export interface BulkSettings {
  readonly maxContainers: number;
  readonly maxFailedExtractions: number;
  readonly maxDeletesPerRequest: number;
  readonly maxFailedDeletes: number;
  /** Seconds between heartbeats. */
  readonly yieldFrequency: number;
  /** Deletes in flight (1 to 1000). */
  readonly deleteConcurrency: number;
  /** Tries again for a delete answered 409. */
  readonly retryCount: number;
  /** A retry waits retryInterval ** retry seconds. */
  readonly retryInterval: number;
  /** MAX_OBJECT_NAME_LENGTH + MAX_CONTAINER_NAME_LENGTH + 2: names in reports are cut there. */
  readonly maxPathLength: number;
  /** MAX_FILE_SIZE: larger archive members fail with 413. */
  readonly maxFileSize: number;
  /** Time as bulk reads it (time.time() and eventlet's sleep); tests pass their own. */
  readonly clock?: Clock;
}
