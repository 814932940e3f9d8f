/** Where a config value or problem comes from; every field is optional. */
export interface ConfigLocation {
  readonly file?: string;
  readonly line?: number;
  readonly section?: string;
  readonly key?: string;
}

/** Formats `"file:line" [section]: 'key'` the same way for errors and warnings. */
export function formatLocation(where: ConfigLocation): string {
  let text = "";
  if (where.file !== undefined) {
    text += where.line !== undefined ? `"${where.file}:${where.line}"` : `"${where.file}"`;
  }
  if (where.section !== undefined) text += `${text ? " " : ""}[${where.section}]`;
  return text;
}

function describe(where: ConfigLocation, reason: string): string {
  const place = formatLocation(where);
  const subject = where.key !== undefined ? `'${where.key}' ${reason}` : reason;
  return place ? `${place}: ${subject}` : subject;
}

/**
 * A config that cannot be used. The message names file, line, section and key:
 * `Cannot load "proxy-server.conf:14" [app:proxy-server]: 'workers' must be ...`.
 */
export class ConfigError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly section?: string;
  readonly key?: string;
  /** The message without the location prefix. */
  readonly reason: string;

  constructor(reason: string, where: ConfigLocation = {}) {
    super(`Cannot load ${describe(where, reason)}`);
    this.name = "ConfigError";
    this.reason = reason;
    this.file = where.file;
    this.line = where.line;
    this.section = where.section;
    this.key = where.key;
  }
}

/** A config problem that does not stop the server (an unknown key, say). */
export interface ConfigWarning extends ConfigLocation {
  readonly message: string;
}

/** Builds a warning whose message carries its location like ConfigError's. */
export function configWarning(reason: string, where: ConfigLocation): ConfigWarning {
  return { ...where, message: describe(where, reason) };
}
