/**
 * The /info registry (swift/common/registry.py): sections of capabilities that the proxy and
 * middleware register at startup, and get_swift_info() with disallowed_sections (dotted
 * paths reach into sections) and the admin part for HMAC-signed requests.
 */

type Section = Record<string, unknown>;

/** Registered /info sections of one process, public and admin-only. */
export class SwiftInfoRegistry {
  readonly #info = new Map<string, Section>();
  readonly #admin = new Map<string, Section>();

  /** register_swift_info(): adds `values` under section `name` ("swift" by default). */
  register(name: string, values: Section, options: { admin?: boolean } = {}): void {
    if (name === "admin" || name === "disallowed_sections") {
      throw new RangeError(`'${name}' is reserved name.`);
    }
    if (name.includes(".")) throw new RangeError(`Cannot use "." in a swift_info key: ${name}`);
    for (const key of Object.keys(values)) {
      if (key.includes(".")) throw new RangeError(`Cannot use "." in a swift_info key: ${key}`);
    }
    const target = options.admin ? this.#admin : this.#info;
    target.set(name, { ...target.get(name), ...values });
  }

  /** get_swift_info(admin, disallowed_sections). */
  get(options: { admin?: boolean; disallowedSections?: readonly string[] } = {}): Section {
    const info: Section = structuredClone(Object.fromEntries(this.#info));
    const disallowed = options.disallowedSections ?? [];
    for (const section of disallowed) {
      const path = section.split(".");
      let holder: Record<string, unknown> = info;
      for (const key of path.slice(0, -1)) {
        const inner = holder[key];
        if (!inner || typeof inner !== "object" || Array.isArray(inner)) {
          holder = {};
          break;
        }
        holder = inner as Record<string, unknown>;
      }
      delete holder[path[path.length - 1]];
    }
    if (options.admin) {
      info.admin = {
        ...structuredClone(Object.fromEntries(this.#admin)),
        disallowed_sections: [...disallowed],
      };
    }
    return info;
  }
}

/**
 * The process-wide registry (Swift's module globals): middleware built in the same worker
 * registers its section here and the proxy's /info shows it.
 */
export const SWIFT_INFO: SwiftInfoRegistry = new SwiftInfoRegistry();
