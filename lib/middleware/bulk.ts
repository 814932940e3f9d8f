/**
 * egg:swift#bulk (swift/common/middleware/bulk.py, Swift 2.30): many operations in one request.
 *
 * - PUT ?extract-archive=tar|tar.gz|tar.bz2 expands the archive in the body into containers
 *   and objects under the request's path (bulk/extract.ts);
 * - POST or DELETE ?bulk-delete deletes the objects and containers the body lists
 *   (bulk/delete.ts).
 *
 * Both answer 200 at once and keep the connection alive with whitespace while they work; the
 * real outcome is in the report at the end of the body, in the format Accept asks for. Their
 * limits are published in /info: bulkInfo() gives the "bulk_upload" and "bulk_delete" sections.
 */
import { clusterConstraints } from "../common/swift_conf.ts";
import { optionsOf, type StageConfig } from "../config/load.ts";
import { BULK_FILTER } from "../config/options/bulk.ts";
import { SwobError } from "../object/swob_status.ts";
import { deleteIter } from "./bulk/delete.ts";
import { extractIter } from "./bulk/extract.ts";
import type { BulkSettings } from "./bulk/settings.ts";
import type { Compression } from "./bulk/tar_stream.ts";
import { queryString } from "./bulk/wsgi.ts";
import type { BuildContext, Filter, Handler } from "./compose.ts";
import { errorResponseFor, swobParams } from "./segments/swob.ts";
import { acceptedFormat } from "./slo/response_body.ts";

export type { BulkSettings } from "./bulk/settings.ts";

/** The bulk options that matter to /info (as filter_factory() parses them). */
export interface BulkInfoOptions {
  readonly max_containers_per_extraction: number;
  readonly max_failed_extractions: number;
  readonly max_deletes_per_request: number;
  readonly max_failed_deletes: number;
}

/** register_swift_info('bulk_upload', ...) and ('bulk_delete', ...): two /info sections. */
export function bulkInfo(options: BulkInfoOptions): Record<string, Record<string, unknown>> {
  return {
    bulk_upload: {
      max_containers_per_extraction: options.max_containers_per_extraction,
      max_failed_extractions: options.max_failed_extractions,
    },
    bulk_delete: {
      max_deletes_per_request: options.max_deletes_per_request,
      max_failed_deletes: options.max_failed_deletes,
    },
  };
}

/** Builds the bulk filter (Swift's filter_factory). */
export function bulkFilter(stage: StageConfig, _build: BuildContext): Filter {
  const o = optionsOf(stage, BULK_FILTER);
  const { constraints } = clusterConstraints(o.swift_dir);
  return bulkFilterWith({
    maxContainers: o.max_containers_per_extraction,
    maxFailedExtractions: o.max_failed_extractions,
    maxDeletesPerRequest: o.max_deletes_per_request,
    maxFailedDeletes: o.max_failed_deletes,
    yieldFrequency: o.yield_frequency,
    deleteConcurrency: Math.min(1000, Math.max(1, o.delete_concurrency)),
    retryCount: o.delete_container_retry_count,
    retryInterval: 1.5,
    maxPathLength: constraints.maxObjectNameLength + constraints.maxContainerNameLength + 2,
    maxFileSize: constraints.maxFileSize,
  });
}

/** extract-archive's formats and the compression of each. */
const ARCHIVE_TYPES: Readonly<Record<string, Compression>> = {
  "tar": "",
  "tar.gz": "gz",
  "tar.bz2": "bz2",
};

/** A 200 whose body the operation writes as it goes (swob's HTTPOk with an app_iter). */
function streamed(format: string | undefined, body: AsyncGenerator<Uint8Array>): Response {
  return new Response(ReadableStream.from(body), {
    status: 200,
    headers: { "Content-Type": format ?? "text/html; charset=UTF-8" },
  });
}

/** Builds the bulk filter from explicit settings. */
export function bulkFilterWith(settings: BulkSettings): Filter {
  return (next) =>
    async function bulk(req, ctx): ReturnType<Handler> {
      const params = swobParams(queryString(req));
      let resp: Response | undefined;
      const extractType = params.get("extract-archive");
      if (extractType !== undefined && req.method === "PUT") {
        const compression = ARCHIVE_TYPES[extractType.toLowerCase().replace(/^\.+|\.+$/g, "")];
        if (compression !== undefined) {
          const format = acceptedFormat(req, undefined);
          resp = streamed(format, extractIter({ req, ctx, next, settings, compression, format }));
        } else {
          resp = errorResponseFor(req, new SwobError(400, { body: "Unsupported archive format" }));
        }
      }
      if (params.has("bulk-delete") && (req.method === "POST" || req.method === "DELETE")) {
        const format = acceptedFormat(req, undefined);
        resp = streamed(format, deleteIter({ req, ctx, next, settings, format }));
      }
      return resp ?? await next(req, ctx);
    };
}
