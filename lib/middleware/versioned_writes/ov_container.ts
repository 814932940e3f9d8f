/**
 * Container requests under object versioning (ContainerContext in Swift 2.30's
 * object_versioning.py): X-Versions-Enabled on PUT/POST (creating the hidden
 * `\x00versions\x00<container>` on first use, in the container's policy), DELETE (refused with
 * 409 while versions remain, taking the versions container along), and listings, where version
 * links show their target's size and etag, and `?versions` lists every version.
 */
import { SwobError } from "../../object/swob_status.ts";
import { wsgiQuote } from "../../object/wsgi_text.ts";
import { splitPath } from "../../object/request_path.ts";
import { type PyJson, pythonJsonDumps, pythonJsonLoadsExact } from "../../common/python_json.ts";
import { parseHeader } from "../symlink/listing.ts";
import {
  drain,
  isSuccess,
  mutable,
  RaisedResponse,
  subrequest,
  type WsgiRequest,
  wsgiUnquote,
} from "../symlink/wsgi.ts";
import { authorizeWithAcl } from "../_info_lookup.ts";
import { containerInfoOf, sysmetaOf, type Versioning } from "./common.ts";
import { splitVersionFromName, strToWsgi, versionsContainerName } from "./names.ts";
import { listVersions, withBody } from "./ov_listing.ts";

export const CLIENT_VERSIONS_ENABLED = "x-versions-enabled";
export const SYSMETA_VERSIONS_ENABLED = "x-container-sysmeta-versions-enabled";
export const SYSMETA_VERSIONS_CONT = "x-container-sysmeta-versions-container";

type Item = Map<string, PyJson>;

function isTrue(value: string | undefined | null): boolean {
  return typeof value === "string" &&
    ["true", "1", "yes", "on", "t", "y"].includes(value.toLowerCase());
}

/** handle_request(): listings and HEADs, with version links shown as what they link to. */
export async function handleContainer(req: WsgiRequest, v: Versioning): Promise<Response> {
  const method = req.method;
  const params = req.params;
  const resp = mutable(await req.send(v.next));
  const [, account, container] = splitPath(req.pathInfo, 3, 4, true) as string[];
  let location = resp.headers.get(SYSMETA_VERSIONS_CONT) ?? "";
  const enabled = resp.headers.get(SYSMETA_VERSIONS_ENABLED);
  if (enabled !== null) resp.headers.set("X-Versions-Enabled", enabled);
  const bytesUsed = resp.headers.get("X-Container-Bytes-Used");
  if (location) {
    location = wsgiUnquote(location);
    if (bytesUsed !== null) {
      // The container's bytes include its old versions.
      const head = subrequest(req, {
        method: "HEAD",
        path: wsgiQuote(`/v1/${account}/${location}`),
        headers: { "X-Backend-Allow-Reserved-Names": "true" },
        swiftSource: "OV",
        preAuthed: true,
      });
      const vresp = await head.send(v.next);
      if (isSuccess(vresp.status)) {
        const versionBytes = vresp.headers.get("X-Container-Bytes-Used") ?? "0";
        resp.headers.set(
          "X-Container-Bytes-Used",
          String(BigInt(bytesUsed.trim()) + BigInt(versionBytes.trim())),
        );
      }
      await drain(vresp);
    }
  } else if (isSuccess(resp.status)) {
    // Versioning may have been enabled after the metadata we saw: list versions anyway.
    try {
      location = versionsContainerName(container);
    } catch {
      // A listing of a reserved-name container.
    }
  }
  if (!isSuccess(resp.status) || method !== "GET") return resp;
  const body = new Uint8Array(await resp.arrayBuffer());
  let listing: PyJson;
  try {
    listing = pythonJsonLoadsExact(new TextDecoder().decode(body));
  } catch {
    return withBody(resp, body);
  }
  for (const item of listing as Item[]) {
    if (!(["symlink_path", "symlink_etag", "symlink_bytes"].every((k) => item.has(k)))) continue;
    const path = wsgiUnquote(strToWsgi(String(item.get("symlink_path"))));
    const [, tgtAcct, tgtContainer, tgtObj] = splitPath(path, 4, 4, true) as string[];
    if (tgtContainer !== location) continue;
    const [, meta] = parseHeader(String(item.get("hash")));
    const bytes = item.get("symlink_bytes")!;
    item.delete("symlink_bytes");
    item.set("bytes", bytes);
    item.set("version_symlink", true);
    const etag = String(item.get("symlink_etag"));
    item.delete("symlink_etag");
    item.set("hash", etag + [...meta].map(([k, val]) => `; ${k}=${val}`).join(""));
    const [name, version] = splitVersionFromName(tgtObj);
    if (version && !params.has("versions")) {
      item.set(
        "symlink_path",
        `${wsgiQuote(`/v1/${tgtAcct}/${container}/${name}`)}?version-id=${version.internal}`,
      );
    }
  }
  if (params.has("versions")) {
    return await listVersions(req, v, resp, location, listing as Item[]);
  }
  return withBody(resp, new TextEncoder().encode(pythonJsonDumps(listing)));
}

/** handle_delete(): the versions container goes first, and only when it is empty. */
export async function handleContainerDelete(req: WsgiRequest, v: Versioning): Promise<Response> {
  const info = await containerInfoOf(req, v.next, "OV");
  const versionsCont = decodeURIComponentPy(sysmetaOf(info)["versions-container"] ?? "");
  if (versionsCont) {
    const account = splitPath(req.pathInfo, 3, 3, true)[1]!;
    // A HEAD rather than cached info: the count must be current.
    const head = subrequest(req, {
      method: "HEAD",
      path: wsgiQuote(`/v1/${account}/${strToWsgi(versionsCont)}`),
      headers: { "X-Backend-Allow-Reserved-Names": "true" },
      swiftSource: "OV",
      preAuthed: true,
    });
    const vresp = await head.send(v.next);
    await drain(vresp);
    const count = Number(vresp.headers.get("X-Container-Object-Count") ?? "0");
    if (isSuccess(vresp.status) && count > 0) {
      throw new SwobError(409, { body: "Delete all versions before deleting container." });
    } else if (!isSuccess(vresp.status) && vresp.status !== 404) {
      throw new SwobError(500, { body: "Error deleting versioned container" });
    }
    head.method = "DELETE";
    const dresp = await head.send(v.next);
    await drain(dresp);
    if (!isSuccess(dresp.status) && dresp.status !== 404) {
      throw new SwobError(500, { body: "Error deleting versioned container" });
    }
  }
  return await req.send(v.next);
}

/** urllib.parse.unquote(): %XX escapes as UTF-8 (invalid bytes as U+FFFD). */
function decodeURIComponentPy(text: string): string {
  const bytes: number[] = [];
  let out = "";
  const flush = () => {
    if (bytes.length) out += new TextDecoder().decode(Uint8Array.from(bytes));
    bytes.length = 0;
  };
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === "%" && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      flush();
      out += text[i];
    }
  }
  flush();
  return out;
}

/** enable_versioning(): X-Versions-Enabled on container PUT or POST. */
export async function enableVersioning(req: WsgiRequest, v: Versioning): Promise<Response> {
  const info = await containerInfoOf(req, v.next, "OV");
  const sysmeta = sysmetaOf(info);
  if (sysmeta["versions-location"] || info.versions) {
    throw new SwobError(400, {
      body: "Cannot enable object versioning on a container that is already using the " +
        "legacy versioned writes feature.",
    });
  }
  if (info.sync_to) {
    throw new SwobError(400, {
      body: "Cannot enable object versioning on a container configured as source of " +
        "container syncing.",
    });
  }
  const isEnabled = isTrue(req.headers.get(CLIENT_VERSIONS_ENABLED));
  req.headers.set(SYSMETA_VERSIONS_ENABLED, isEnabled ? "True" : "False");
  let headers: Record<string, string> = {};
  let versionsPath: string | undefined;
  if (isEnabled) {
    const [version, account, container] = splitPath(req.pathInfo, 3, 4, true) as string[];
    if (isSuccess(info.status as number)) {
      const policy = v.policies.get(info.storage_policy as number);
      if (policy?.isDeprecated) {
        const hook = req.ctx.env["swift.authorize"];
        if (typeof hook === "function") {
          const denial = await authorizeWithAcl(req.peek(), req.ctx, undefined);
          if (denial) throw new RaisedResponse(denial);
        }
        throw new SwobError(400, {
          body: "Cannot enable object versioning on a container that uses a deprecated " +
            "storage policy.",
        });
      }
      if (!policy) throw new Error(`KeyError: No policy with index ${info.storage_policy}`);
      headers = { "X-Storage-Policy": policy.name };
    } else if (req.method === "PUT" && req.headers.has("X-Storage-Policy")) {
      headers = { "X-Storage-Policy": req.headers.get("X-Storage-Policy")! };
    }
    headers["X-Backend-Allow-Reserved-Names"] = "true";
    versionsPath = `/${version}/${account}/${versionsContainerName(container)}`;
    const put = subrequest(req, {
      method: "PUT",
      path: wsgiQuote(versionsPath),
      headers,
      swiftSource: "OV",
      preAuthed: true,
    });
    const resp = await put.send(v.next);
    await drain(resp);
    if (!isSuccess(resp.status) && resp.status !== 409) {
      throw new SwobError(500, { body: "Error enabling object versioning" });
    }
    req.headers.set(SYSMETA_VERSIONS_CONT, wsgiQuote(versionsContainerName(container)));
  }
  const resp = mutable(await req.send(v.next));
  if (!isSuccess(resp.status) && versionsPath !== undefined) {
    // The container request failed: drop the versions container so a retry starts clean.
    const del = subrequest(req, {
      method: "DELETE",
      path: wsgiQuote(versionsPath),
      headers,
      swiftSource: "OV",
      preAuthed: true,
    });
    await drain(await del.send(v.next));
  }
  const enabled = resp.headers.get(SYSMETA_VERSIONS_ENABLED);
  if (enabled !== null) resp.headers.set("X-Versions-Enabled", enabled);
  return resp;
}
