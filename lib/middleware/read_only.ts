/**
 * egg:swift#read_only (swift/common/middleware/read_only.py, Swift 2.30): answers 405 "Writes
 * are disabled for this account." to COPY, POST, PUT and (unless allow_deletes) DELETE on
 * /v1/... paths of a read-only account. An account is read-only when its
 * X-Account-Sysmeta-Read-Only is true, or when it is unset (or empty) and the filter's
 * read_only is on; so operators can freeze the cluster and still let some accounts write.
 * A COPY is judged by its Destination-Account when it has one.
 *
 * The flag comes from get_info() of the account with swift.source "RO" (_info_lookup.ts).
 */
import { optionsOf, type StageConfig } from "../config/load.ts";
import { READ_ONLY_FILTER } from "../config/options/read_only.ts";
import type { TypedConfig } from "../config/options/option.ts";
import { HttpError } from "../server/http_error.ts";
import type { Filter } from "./compose.ts";
import {
  configTrueValue,
  infoOf,
  type InfoSource,
  pathInfo,
  splitPath,
  validApiVersion,
} from "./_info_lookup.ts";

type Options = TypedConfig<typeof READ_ONLY_FILTER["options"]>;

/** The /info section Swift registers: an empty `read_only` entry, only when read_only is on. */
export function readOnlyInfo(options: Options): Record<string, unknown> | undefined {
  return options.read_only ? {} : undefined;
}

/** Builds the read_only filter. */
export function readOnlyFilter(stage: StageConfig): Filter {
  const { read_only, allow_deletes } = optionsOf(stage, READ_ONLY_FILTER);
  const writeMethods = new Set(["COPY", "POST", "PUT"]);
  if (!allow_deletes) writeMethods.add("DELETE");

  /** account_read_only(): the account's sysmeta flag, else the cluster's. */
  async function accountReadOnly(from: InfoSource, account: string): Promise<boolean> {
    const info = await infoOf(from, account);
    const flag = (info.sysmeta as Record<string, unknown> | undefined)?.["read-only"];
    return flag ? configTrueValue(String(flag)) : read_only;
  }

  return (next) =>
    async function readOnly(req, ctx) {
      if (!writeMethods.has(req.method)) return await next(req, ctx);
      let account: string;
      try {
        const [version, name] = splitPath(pathInfo(req), 2, 4, true);
        if (!validApiVersion(version)) return await next(req, ctx);
        account = name!;
      } catch {
        return await next(req, ctx);
      }
      const destination = req.headers.get("Destination-Account");
      if (req.method === "COPY" && destination !== null) {
        // check_account_format() raises HTTPPreconditionFailed, which read_only does not
        // catch: catch_errors answers Swift's 500, and so does swiftd with a plain Error.
        if (!destination) throw new Error("Account name cannot be empty");
        if (destination.includes("/")) throw new Error("Account name cannot contain slashes");
        account = destination;
      }
      if (await accountReadOnly({ next, req, ctx, source: "RO" }, account)) {
        throw new HttpError(405, "Writes are disabled for this account.");
      }
      return await next(req, ctx);
    };
}
